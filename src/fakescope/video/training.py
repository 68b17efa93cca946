"""``fakescope train video``: the face-consistency model (:mod:`fakescope.video.consistency`)
fitted on real clips and self-blended copies made from them.

One step per phase: :func:`training_segments` cuts every video into fixed-length segments,
:func:`measure_training_clips` writes each segment and its self-blended copies to a work folder
(kept and reused on a second run) and measures them, :func:`fit_temporal` fits the model. The
command itself is :func:`fakescope.video.commands.train_video`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fakescope.core.media import MediaError

#: The consistency features are measured at this rate, on at most this many frames per clip.
MEASURE_FPS, MEASURE_FRAMES = 2.0, 20


def training_segments(
    files: list[Path], segment: float, skipped: Callable[[str], None] = print
) -> list[tuple[Path, float]]:
    """``(video, start second)`` of every ``segment``-second piece of ``files``; a file that
    cannot be read is passed to ``skipped`` with the reason and left out."""
    from fakescope.video.clip import probe

    jobs = []
    for f in files:
        try:
            clip = probe(f)
        except MediaError as exc:
            skipped(str(exc))
            continue
        n = max(1, int((clip.duration or segment) // segment))
        jobs.extend((f, i * segment) for i in range(n))
    return jobs


def measure_training_clips(
    segments: list[tuple[Path, float]],
    work: Path,
    *,
    segment: float,
    fakes_per_clip: int = 2,
    seed: int = 0,
    advance: Callable[[], None] = lambda: None,
) -> tuple[list[dict[str, float]], list[int]]:
    """Consistency features (one dict per clip) and labels (0 real, 1 self-blended) of every
    segment and of its ``fakes_per_clip`` self-blended copies; clips without a face are left
    out. ``advance`` is called after each segment."""
    from fakescope.video.clip import probe
    from fakescope.video.consistency import measure_clip
    from fakescope.video.faces import FaceFinder
    from fakescope.video.faceswap import faceswap_video
    from fakescope.video.sampling import fixed_rate_times

    finder = FaceFinder()
    feats, labels = [], []
    for j, (f, start) in enumerate(segments):
        variants = [("none", 0)] + [("self-blend", k + 1) for k in range(fakes_per_clip)]
        for mode, k in variants:
            # Alternate wobbling and perfectly consistent fakes, so the model cannot rely on
            # flicker alone.
            jitter = 0.5 if k % 2 else 0.0
            dst = work / f"{f.stem}_{start:05.1f}_{mode}{k}.mp4"
            if not dst.exists():
                faceswap_video(
                    f, dst, mode=mode, seed=seed + 1000 * j + k, frame_jitter=jitter,
                    start_seconds=start, max_seconds=segment,
                )  # fmt: skip
            clip = probe(dst)
            times = fixed_rate_times(clip.duration, MEASURE_FPS, MEASURE_FRAMES)
            values, with_face = measure_clip(clip, times, finder)
            if with_face:
                feats.append(values)
                labels.append(int(mode != "none"))
        advance()
    return feats, labels


def fit_temporal(
    feats: list[dict[str, float]],
    labels: list[int],
    *,
    min_clips: int,
    source: str,
    videos: list[Path],
    segment: float,
    fakes_per_clip: int,
    seed: int,
):
    """The fitted :class:`~fakescope.video.consistency.TemporalModel`, with how it was made in
    its info. Raises :class:`~fakescope.core.sample_size.TooLittleData` under ``min_clips``
    usable clips of either class (``source`` names the data in the message)."""
    from fakescope.core.sample_size import require_samples
    from fakescope.video.consistency import TemporalModel

    require_samples(
        {"real clips with a face": labels.count(0), "self-blended clips": labels.count(1)},
        min_clips,
        source=source,
    )
    model = TemporalModel.fit(feats, labels)
    model.info.update(
        {
            "videos": [p.name for p in videos],
            "segment_s": segment,
            "fakes": f"self-blend x{fakes_per_clip} per clip, seed {seed}, "
            "frame jitter alternating 0.5 / 0.0",
            "command": "fakescope train video --real DIR",
        }
    )
    return model
