"""The ``video-frames`` detector: image detectors on frames and faces, plus face consistency.

For each sampled frame it finds faces, scores a native-resolution centre crop of the frame and
the largest face crop with every default image detector (looked up in the registry by name,
never imported: :mod:`fakescope.video.frame_detectors`), and measures flicker and blending-seam
energy of the face over the frame's short burst. The clip's score joins the per-frame scores
(mean and 90th percentile in log-odds, :mod:`fakescope.video.aggregate`) with the temporal
model's probability.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.media import Media, MediaError
from fakescope.video.aggregate import aggregate_scores, logit, sigmoid, spread
from fakescope.video.clip import VideoClip
from fakescope.video.consistency import TemporalModel, clip_features, load_shipped
from fakescope.video.crops import centre_crop, face_crop, frame_media, shrink
from fakescope.video.decoding import DecodeReport, FrameReader
from fakescope.video.faces import FaceBox, FaceFinder, FaceTracker, opencv_available
from fakescope.video.frame_detectors import FrameDetectors
from fakescope.video.render import thumbnail_png, timeline_png
from fakescope.video.sampling import plan_times
from fakescope.video.temporal import measure_face

NAME = "video-frames"


@dataclass
class _FrameRecord:
    time: float
    face: FaceBox | None
    thumb: np.ndarray
    scale: float
    frame_score: float | None = None
    face_score: float | None = None
    evidence: dict[str, float | None] = field(default_factory=dict)

    @property
    def worst(self) -> float:
        values = [v for v in (self.frame_score, self.face_score) if v is not None]
        return max(values) if values else -1.0


class VideoFramesDetector:
    """Score a video by its frames, its faces and the temporal consistency of the faces.

    Parameters
    ----------
    image_detectors : sequence of str, optional
        Image detector names to run on frames; default: every default image detector except
        file-level ones (``metadata``).
    rate : float
        Frames sampled per second.
    max_frames : int
        Frames sampled at most (a long clip is covered evenly); all of them get face finding
        and the consistency measurements.
    max_scored : int
        Of those, this many (evenly spaced) are scored by the image detectors, whole frame and
        face: image detectors cost 0.05-0.4 s a picture on 2 cores, which is what keeps a
        10-s 720p clip under 10 s.
    method : {"fixed", "scene"}
        Sampling method, see :mod:`fakescope.video.sampling`.
    crop : int
        Side of the native-resolution centre crop scored per frame.
    temporal_model : TemporalModel, "shipped" or None
        The face-consistency model: default the shipped ``weights/temporal.json``; ``None``
        turns the temporal score off (features are still reported).

    Examples
    --------
    >>> from pathlib import Path
    >>> from fakescope.video.loader import load_video
    >>> media = load_video(Path("talk.mp4"))[0]  # doctest: +SKIP
    >>> VideoFramesDetector().score(media).score  # doctest: +SKIP
    0.23
    """

    name = NAME
    modality = "video"
    abilities = {"weights": "video"}  # see fakescope.testing

    def __init__(
        self,
        image_detectors: Sequence[str] | None = None,
        *,
        rate: float = 2.0,
        max_frames: int = 20,
        max_scored: int = 5,
        method: str = "fixed",
        burst: int = 2,
        crop: int = 512,
        max_side: int = 1280,
        temporal_model: TemporalModel | None | str = "shipped",
        worst_frames: int = 3,
    ) -> None:
        self.rate, self.max_frames, self.method = rate, max_frames, method
        self.max_scored = max_scored
        self.burst, self.crop, self.max_side = burst, crop, max_side
        self.worst_frames = worst_frames
        self._frame_detectors = FrameDetectors(image_detectors)
        self._startup_notes: list[str] = []
        self.temporal_model: TemporalModel | None = None
        if temporal_model == "shipped":
            try:
                self.temporal_model = load_shipped()
            except (OSError, ValueError, KeyError) as exc:
                self._startup_notes.append(f"face-consistency model not loaded ({exc})")
        elif isinstance(temporal_model, TemporalModel):
            self.temporal_model = temporal_model
        self._finder = FaceFinder() if opencv_available() else None
        if self._finder is None:
            self._startup_notes.append("OpenCV is not installed, so no faces were looked for")

    # -- main --------------------------------------------------------------------------------
    def score(self, media: Media) -> Evidence:
        clip: VideoClip = media.data
        warmup = None
        if not self._frame_detectors.started:
            # Build the image detectors (torch import, weights) while the video decodes.
            warmup = threading.Thread(target=self._frame_detectors.detectors, daemon=True)
            warmup.start()
        try:
            return self._score(media, clip)
        finally:
            if warmup is not None:
                warmup.join()

    def _score(self, media: Media, clip: VideoClip) -> Evidence:
        times, first_pass = plan_times(
            clip, method=self.method, rate=self.rate, max_frames=self.max_frames
        )
        reader = FrameReader(clip, times.tolist(), burst=self.burst, max_side=self.max_side)
        records: list[_FrameRecord] = []
        crops: list[tuple[int, str, np.ndarray]] = []
        flickers: list[dict[str, float]] = []
        seams: list[float] = []
        sharp: list[float] = []
        tracker = FaceTracker(self._finder) if self._finder is not None else None
        for frame in reader:
            face = tracker.find(frame.rgb) if tracker is not None else None
            thumb_scale = min(1.0, 320 / max(frame.rgb.shape[:2]))
            thumb = frame.rgb if thumb_scale >= 1.0 else shrink(frame.rgb, thumb_scale)
            rec = _FrameRecord(frame.time, face, thumb, thumb_scale)
            records.append(rec)
            idx = len(records) - 1
            crops.append((idx, "frame", np.array(centre_crop(frame.rgb, self.crop))))
            if face is not None and min(face.w, face.h) >= 48:
                crops.append((idx, "face", face_crop(frame.rgb, face)))
                fl, seam, sharpness = measure_face(frame.rgb, frame.burst, face.to_list())
                if fl is not None:
                    flickers.append(fl)
                seams.append(seam)
                sharp.append(sharpness)
        report = reader.report
        if first_pass is not None and first_pass.damaged and not report.damaged:
            report = first_pass
        if not records:
            raise MediaError(
                media.path, f"no frame could be decoded from the video ({report.describe()})"
            )

        chosen = set(spread(len(records), self.max_scored))
        owners = [(idx, kind) for idx, kind, _ in crops if idx in chosen]
        images = [
            frame_media(
                f"{media.path}@{records[idx].time:.2f}s" + ("#face" if kind == "face" else ""), rgb
            )
            for idx, kind, rgb in crops
            if idx in chosen
        ]
        per_image = self._frame_detectors.score(images)
        for (idx, kind), evidence in zip(owners, per_image, strict=True):
            fused = self._frame_detectors.fuse(evidence)
            rec = records[idx]
            if kind == "frame":
                rec.frame_score = fused
            else:
                rec.face_score = fused
            for ev in evidence:
                rec.evidence[f"{kind}:{ev.detector}"] = ev.score
        feats = clip_features(flickers, seams, sharp)
        return self._evidence(media, clip, records, report, feats)

    def _evidence(
        self,
        media: Media,
        clip: VideoClip,
        records: list[_FrameRecord],
        report: DecodeReport,
        feats: dict[str, float],
    ) -> Evidence:
        frame_level = [s for r in records for s in (r.frame_score, r.face_score) if s is not None]
        frames_p = aggregate_scores(frame_level) if frame_level else None
        with_face = sum(r.face is not None for r in records)
        temporal_p = None
        if with_face and self.temporal_model is not None:
            temporal_p = self.temporal_model.predict(feats)

        parts = [(p, 1.0) for p in (frames_p, temporal_p) if p is not None]
        score = None
        if parts:
            score = sigmoid(sum(w * logit(p) for p, w in parts) / sum(w for _, w in parts))

        worst = max(records, key=lambda r: r.worst)
        scored = sum(r.frame_score is not None or r.face_score is not None for r in records)
        reason = _reason(len(records), scored, with_face, worst, frames_p, temporal_p, report)
        stopped = report.last_time if report.stopped_early else None
        artefacts = [
            Artefact(
                "image",
                "Per-frame scores over time",
                render=partial(
                    timeline_png,
                    [r.time for r in records],
                    [r.frame_score for r in records],
                    [r.face_score for r in records],
                    duration=clip.duration,
                    stopped_at=stopped,
                ),
                data=[[round(r.time, 3), r.frame_score, r.face_score] for r in records],
            )
        ]
        ranked = sorted(records, key=lambda r: r.worst, reverse=True)[: self.worst_frames]
        for r in ranked:
            boxes = [r.face.scaled(r.scale).to_list()] if r.face is not None else []
            label = f"{r.worst:.2f}" if r.worst >= 0 else "n/a"
            artefacts.append(
                Artefact(
                    "image",
                    f"Frame at {r.time:.2f} s (score {label})",
                    render=partial(thumbnail_png, r.thumb, boxes),
                )  # fmt: skip
            )
        details: dict[str, Any] = {
            "frames": [
                {
                    "time": round(r.time, 3),
                    "frame_score": r.frame_score,
                    "face_score": r.face_score,
                    "face_box": r.face.to_list() if r.face is not None else None,
                    "detectors": r.evidence,
                }
                for r in records
            ],
            "frames_score": frames_p,
            "temporal_score": temporal_p,
            "temporal_features": feats if with_face else None,
            "frames_with_face": with_face,
            "sampling": {"method": self.method, "rate": self.rate, "max_frames": self.max_frames},
            "decoding": report.to_dict(),
            "image_detectors": [d.name for d in self._frame_detectors.detectors()],
        }
        notes = self._startup_notes + self._frame_detectors.notes
        if notes:
            details["notes"] = notes
        return Evidence(NAME, score, reason, artefacts=artefacts, details=details)


def _reason(
    n: int,
    scored: int,
    with_face: int,
    worst: _FrameRecord,
    frames_p: float | None,
    temporal_p: float | None,
    report: DecodeReport,
) -> str:
    """One short sentence: what was scored, the worst moment, and damage if any."""
    if report.damaged:
        where = "?" if report.last_time is None else f"{report.last_time:.1f} s"
        total = f" of {report.declared_duration:.1f} s" if report.declared_duration else ""
        head = (
            f"Damaged video: decoding stopped at {where}{total}"
            if report.stopped_early
            else f"Damaged video: {report.bad_packets} damaged packet(s) skipped"
        )
        head += f"; {n} readable frame{'s' if n != 1 else ''} checked"
    else:
        head = f"{n} frames checked"
    if frames_p is None and temporal_p is None:
        return f"{head}, but no image detector could score them (cannot judge)"
    faces = f"{with_face} with a face" if with_face else "no face found"
    text = f"{head} ({faces}, {scored} scored by image detectors)"
    if frames_p is not None:
        text += f", worst at {worst.time:.1f} s ({worst.worst:.2f})"
    if temporal_p is not None:
        text += f"; face consistency {temporal_p:.2f}"
    return text
