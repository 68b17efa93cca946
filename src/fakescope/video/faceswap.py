"""Make manipulated clips: a classical self-blend (SBI-like) or a face swap, frame by frame.

*Self-blend* (after Shiohara & Yamasaki's self-blended images, CVPR 2022): a colour-jittered,
slightly scaled and shifted copy of the frame's own face is pasted back through a soft elliptical
mask, which leaves exactly the traces face-swap pipelines leave (a blending seam, a colour
mismatch, resampling) without needing a second identity. *Swap*: the face of a source photo is
aligned onto each frame's face by their five landmarks (MTCNN, :mod:`fakescope.video.mtcnn`),
colour-matched and blended; a frame whose alignment fails (see :mod:`fakescope.video.alignment`)
is left untouched and counted as refused, never pasted over.

The per-frame functions are pure (arrays in, array out); :func:`faceswap_video` walks a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import numpy as np

from fakescope.core.media import MediaError
from fakescope.video.faces import FaceBox, FaceFinder

MODES = ("self-blend", "swap", "none")
#: x264 settings of every written clip. MB-tree rate control is off: with it on, this x264 writes
#: slightly different bytes from run to run on the same frames (even with one thread; measured in
#: docs/video.md), and ``train video`` then fits different weights from the same inputs and seed.
X264_OPTIONS = {"preset": "fast", "x264-params": "mbtree=0"}


@dataclass(frozen=True)
class BlendParams:
    """One manipulation's knobs (drawn once per clip, then wobbled per frame).

    Examples
    --------
    >>> p = BlendParams.draw(np.random.default_rng(0))
    >>> 0.9 < p.gain[0] < 1.1
    True
    """

    gain: tuple[float, float, float] = (1.0, 1.0, 1.0)
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    scale: float = 1.03
    shift: tuple[float, float] = (0.0, 0.0)
    blur: float = 0.6
    mask_size: float = 0.95
    feather: float = 0.12

    @classmethod
    def draw(cls, rng: np.random.Generator) -> BlendParams:
        """Random parameters in the ranges SBI uses for its pseudo-fakes."""
        return cls(
            gain=tuple(float(g) for g in rng.uniform(0.92, 1.08, 3)),
            offset=tuple(float(o) for o in rng.uniform(-10, 10, 3)),
            scale=float(rng.uniform(1.01, 1.06)),
            shift=tuple(float(s) for s in rng.uniform(-0.03, 0.03, 2)),
            blur=float(rng.uniform(0.3, 1.2)),
            mask_size=float(rng.uniform(0.85, 1.05)),
            feather=float(rng.uniform(0.06, 0.18)),
        )

    def wobble(self, rng: np.random.Generator, amount: float) -> BlendParams:
        """Small per-frame variation, as a frame-by-frame face generator produces."""
        if amount <= 0:
            return self
        return replace(
            self,
            gain=tuple(float(g + rng.normal(0, 0.02 * amount)) for g in self.gain),
            offset=tuple(float(o + rng.normal(0, 3.0 * amount)) for o in self.offset),
            scale=float(self.scale + rng.normal(0, 0.01 * amount)),
            shift=tuple(float(s + rng.normal(0, 0.008 * amount)) for s in self.shift),
            blur=float(max(0.0, self.blur + rng.normal(0, 0.3 * amount))),
        )


def soft_ellipse_mask(
    shape: tuple[int, int], face: FaceBox, size: float = 0.95, feather: float = 0.12
) -> np.ndarray:
    """Float mask in [0, 1]: 1 inside an ellipse fitted to the face box, fading out at its edge.

    Parameters
    ----------
    shape : (H, W)
    face : FaceBox
    size : float
        Ellipse half-axes as a fraction of half the box size.
    feather : float
        Width of the fade, as a fraction of the ellipse radius.

    Examples
    --------
    >>> m = soft_ellipse_mask((40, 40), FaceBox(10, 10, 20, 20))
    >>> float(m[20, 20]), float(m[0, 0])
    (1.0, 0.0)
    """
    cx, cy = face.x + face.w / 2.0, face.y + face.h / 2.0
    # Faces are taller than Haar boxes: stretch the ellipse downwards a little to cover the chin.
    ax, ay = size * face.w / 2.0, size * face.h / 2.0 * 1.1
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    r = np.sqrt(((xx + 0.5 - cx) / max(ax, 1e-3)) ** 2 + ((yy + 0.5 - cy) / max(ay, 1e-3)) ** 2)
    f = max(feather, 1e-3)
    t = np.clip((1.0 - r) / f + 0.5, 0.0, 1.0)
    return (t * t * (3 - 2 * t)).astype(np.float32)  # smoothstep: no visible hard edge


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    if sigma < 0.05:
        return img
    import cv2

    return cv2.GaussianBlur(img, (0, 0), sigmaX=sigma)


def _warp(img: np.ndarray, face: FaceBox, scale: float, shift: tuple[float, float]) -> np.ndarray:
    import cv2

    cx, cy = face.x + face.w / 2.0, face.y + face.h / 2.0
    m = cv2.getRotationMatrix2D((cx, cy), 0.0, scale)
    m[0, 2] += shift[0] * face.w
    m[1, 2] += shift[1] * face.h
    return cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REFLECT)


def self_blend(frame: np.ndarray, face: FaceBox, params: BlendParams) -> np.ndarray:
    """Paste a jittered, warped copy of the face back onto ``frame`` (HxWx3 uint8 RGB).

    Examples
    --------
    >>> img = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    >>> out = self_blend(img, FaceBox(16, 16, 32, 32), BlendParams(offset=(20.0, 0.0, 0.0)))
    >>> changed = bool(out[32, 32, 0] != img[32, 32, 0])
    >>> changed, bool((out[0, 0] == img[0, 0]).all())
    (True, True)
    """
    region = face.expanded(1.8, frame.shape)
    sy = slice(region.y, region.y + region.h)
    sx = slice(region.x, region.x + region.w)
    patch = frame[sy, sx].astype(np.float32)
    local = FaceBox(face.x - region.x, face.y - region.y, face.w, face.h)
    source = patch * np.asarray(params.gain, np.float32) + np.asarray(params.offset, np.float32)
    source = _warp(_blur(np.clip(source, 0, 255), params.blur), local, params.scale, params.shift)
    mask = soft_ellipse_mask(patch.shape[:2], local, params.mask_size, params.feather)[..., None]
    out = frame.copy()
    out[sy, sx] = np.clip(mask * source + (1 - mask) * patch + 0.5, 0, 255).astype(np.uint8)
    return out


@dataclass
class BoxTracker:
    """Smooths face boxes over frames and bridges short gaps where the detector misses.

    Examples
    --------
    >>> t = BoxTracker()
    >>> t.update([FaceBox(10, 10, 20, 20)]).to_list()
    [10, 10, 20, 20]
    >>> t.update([]).to_list()  # a missed frame keeps the last box
    [10, 10, 20, 20]
    """

    smoothing: float = 0.6
    max_gap: int = 15
    _box: np.ndarray | None = field(default=None, repr=False)
    _missed: int = 0

    def update(self, faces: list[FaceBox]) -> FaceBox | None:
        if faces:
            new = np.asarray(faces[0].to_list(), dtype=float)
            if self._box is None:
                self._box = new
            else:
                self._box = self.smoothing * self._box + (1 - self.smoothing) * new
            self._missed = 0
        else:
            self._missed += 1
            if self._missed > self.max_gap:
                self._box = None
        return self.current()

    def current(self) -> FaceBox | None:
        """The box now held (between detector runs), without counting a miss."""
        if self._box is None:
            return None
        x, y, w, h = (int(round(v)) for v in self._box)
        return FaceBox(x, y, w, h)


@dataclass
class FaceswapResult:
    """What :func:`faceswap_video` did."""

    frames: int
    manipulated: int
    output: str
    params: BlendParams
    #: Frames with a face that a swap refused because the alignment failed, and the main reason.
    refused: int = 0
    refusal: str | None = None


def faceswap_video(
    src: str | Path,
    out: str | Path,
    *,
    mode: str = "self-blend",
    source_image: np.ndarray | None = None,
    seed: int = 0,
    frame_jitter: float = 0.5,
    max_seconds: float | None = None,
    start_seconds: float = 0.0,
    detect_every: int = 3,
    crf: int = 18,
    progress: Callable[[int, int], None] | None = None,
) -> FaceswapResult:
    """Write a copy of ``src`` with every found face self-blended or swapped (H.264 MP4).

    Parameters
    ----------
    src, out : path
        Input video; output file (never the input).
    mode : {"self-blend", "swap", "none"}
        ``none`` re-encodes without any change: the matched real control for an evaluation
        (same decoding, same x264 settings, so compression cannot tell the classes apart).
    source_image : np.ndarray, optional
        RGB photo holding the face to paste (``mode="swap"``).
    seed : int
        Random seed for the manipulation parameters (reproducible clips).
    frame_jitter : float
        How much the parameters wobble from frame to frame (0 = perfectly consistent).
    max_seconds : float, optional
        Write at most this many seconds.
    start_seconds : float
        Skip the video before this time.
    detect_every : int
        Run the face finder every N frames; the tracker fills in between.
    crf : int
        x264 quality (lower = better; 18 is visually lossless). The other settings are
        :data:`X264_OPTIONS`: the same frames always give the same bytes.
    progress : callable, optional
        ``progress(done_frames, total_frames)``.

    Raises
    ------
    MediaError
        Unreadable input, no usable face in the swap source, an output path equal to the
        input, or a swap whose alignment failed on every frame with a face (nothing is written).

    Examples
    --------
    >>> faceswap_video("talk.mp4", "talk_fake.mp4", seed=1)  # doctest: +SKIP
    FaceswapResult(frames=300, manipulated=297, ...)
    """
    import av

    from fakescope.video.clip import probe

    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {MODES}")
    src, out = Path(src), Path(out)
    if out.resolve() == src.resolve():
        raise MediaError(str(out), "the output would overwrite the input video; pick another name")
    clip = probe(src)
    finder = FaceFinder(max_side=480)
    swapper = _Swapper(source_image) if mode == "swap" else None
    rng = np.random.default_rng(seed)
    params = BlendParams.draw(rng)
    total = clip.expected_frames or 0
    if max_seconds is not None:
        total = min(total, int(max_seconds * clip.fps) + 1) if total else 0
    tracker = BoxTracker()
    rate = Fraction(clip.fps).limit_denominator(1001)
    w, h = clip.width - clip.width % 2, clip.height - clip.height % 2
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        dst = av.open(str(out), "w")
    except (OSError, ValueError, av.FFmpegError) as exc:
        raise MediaError(str(out), f"cannot be written ({exc})") from None
    done = manipulated = 0
    with av.open(str(src)) as inp, dst:
        in_stream = inp.streams.video[0]
        in_stream.thread_type = "AUTO"
        ost = dst.add_stream("libx264", rate=rate, options=X264_OPTIONS | {"crf": str(crf)})
        ost.width, ost.height, ost.pix_fmt = w, h, "yuv420p"
        try:
            for frame in inp.decode(in_stream):
                t = frame.time if frame.time is not None else done / clip.fps
                if t + 0.5 / clip.fps < start_seconds:
                    continue
                if max_seconds is not None and t >= start_seconds + max_seconds:
                    break
                rgb = frame.to_ndarray(format="rgb24")[:h, :w]
                detect = done % max(1, detect_every) == 0
                if swapper is not None:
                    changed = swapper.frame(rgb, detect, params.wobble(rng, frame_jitter))
                    manipulated += changed is not None
                    rgb = rgb if changed is None else changed
                else:
                    faces = finder.find(rgb) if detect else None
                    box = tracker.update(faces) if faces is not None else tracker.current()
                    if mode != "none" and box is not None and box.w > 8 and box.h > 8:
                        rgb = self_blend(rgb, box, params.wobble(rng, frame_jitter))
                        manipulated += 1
                vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
                vf.pts = None
                for packet in ost.encode(vf):
                    dst.mux(packet)
                done += 1
                if progress is not None:
                    progress(done, max(total, done))
        except av.FFmpegError:
            pass  # a damaged input ends the copy; what was read is written
        for packet in ost.encode():
            dst.mux(packet)
    if done == 0:
        out.unlink(missing_ok=True)
        raise MediaError(str(src), "no frame could be decoded, so nothing was written")
    refused, refusal = (swapper.refused, swapper.main_refusal()) if swapper else (0, None)
    if refused and not manipulated:
        out.unlink(missing_ok=True)
        raise MediaError(
            str(src), f"no face could be swapped ({refused} frame(s) refused: {refusal}); "
            "nothing was written",
        )  # fmt: skip
    return FaceswapResult(done, manipulated, str(out), params, refused, refusal)


class _Swapper:
    """Per-frame swap of one source face: landmarks found and tracked, alignment checked."""

    def __init__(self, source_image: np.ndarray | None) -> None:
        from fakescope.video.alignment import LandmarkTracker, landmark_problem
        from fakescope.video.mtcnn import LandmarkFaceFinder, LandmarkModelMissing

        if source_image is None:
            raise MediaError("--source", "swap mode needs a source face image (--source)")
        try:
            self.finder = LandmarkFaceFinder()
        except LandmarkModelMissing as exc:
            raise MediaError("--source", f"swap mode needs face landmarks: {exc}") from None
        faces = self.finder.find(source_image)
        if not faces:
            raise MediaError("--source", "no face was found in the source image")
        problem = landmark_problem(faces[0].landmarks)
        if problem is not None:
            raise MediaError("--source", f"the source face cannot be aligned: {problem}")
        self.source, self.source_points = source_image, faces[0].landmarks
        self.tracker = LandmarkTracker()
        self.refused = 0
        self._reasons: dict[str, int] = {}

    def frame(self, rgb: np.ndarray, detect: bool, params: BlendParams) -> np.ndarray | None:
        """The swapped frame, or ``None`` when there is no face or its alignment failed."""
        from fakescope.video.alignment import align, paste_aligned

        if detect:
            faces = self.finder.find(rgb)
            largest = max(faces, key=lambda f: f.box.area) if faces else None
            points = self.tracker.update(None if largest is None else largest.landmarks)
        else:
            points = self.tracker.current()
        if points is None:
            return None
        alignment = align(self.source_points, points)
        if not alignment.ok:
            self.refused += 1
            key = alignment.problem or "alignment failed"
            self._reasons[key] = self._reasons.get(key, 0) + 1
            return None
        return paste_aligned(
            rgb, alignment, self.source, blur=params.blur,
            mask_size=min(params.mask_size, 0.95), feather=params.feather,
        )  # fmt: skip

    def main_refusal(self) -> str | None:
        return max(self._reasons, key=self._reasons.get) if self._reasons else None
