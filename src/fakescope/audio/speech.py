"""Shared machinery of the voice-clone detectors: routing, segmentation, evidence.

A speech detector only implements :meth:`SpeechDetector.segment_logits` (log-odds that each
front-end segment is synthetic); this base class routes non-speech away (the detector abstains and
says why), cuts long files into segments, calibrates, and writes the evidence with per-segment
scores and a timeline plot.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from fakescope.audio.content import classify_clip
from fakescope.audio.dsp import (
    SPEECH_BAND,
    SPEECH_RATE,
    bandpass,
    fill_digital_silence,
    normalize_peak,
    segment_bounds,
    trim_silence,
)
from fakescope.audio.threads import single_thread
from fakescope.audio.timeline import aggregate_logits, timeline_artefact
from fakescope.core.evidence import Evidence
from fakescope.core.fusion import sigmoid
from fakescope.core.media import Media

SEGMENT_S = 4.0
MIN_SPEECH_S = 0.2


def speech_segments(clip) -> list[tuple[float, float, np.ndarray]]:
    """Front-end segments of a clip: ``(start_s, end_s, samples)`` at 8 kHz, band-limited,
    each trimmed of silence and peak-normalised (see :func:`~fakescope.audio.dsp.speech_frontend`).

    Memoised on the clip so that every speech detector shares one front end.
    """
    if "speech_segments" in clip.cache:
        return clip.cache["speech_segments"]
    x = bandpass(clip.mono_at(SPEECH_RATE), SPEECH_RATE, *SPEECH_BAND)
    out = []
    for a, b in segment_bounds(len(x), SPEECH_RATE, SEGMENT_S, 1.5):
        seg = trim_silence(x[a:b], SPEECH_RATE)
        if len(seg) >= MIN_SPEECH_S * SPEECH_RATE and np.abs(seg).max() > 1e-4:
            # inference only: training clips are single utterances trimmed at both ends
            seg = fill_digital_silence(normalize_peak(seg), SPEECH_RATE)
            out.append((a / SPEECH_RATE, b / SPEECH_RATE, seg))
    clip.cache["speech_segments"] = out
    return out


class SpeechDetector(ABC):
    """Base class: subclasses set ``name``/``description`` and define ``segment_logits``."""

    name = "speech"
    modality = "audio"
    abilities = {"weights": "audio"}  # see fakescope.testing
    what = "synthetic-voice cues"

    @abstractmethod
    def segment_logits(self, segments: list[np.ndarray]) -> np.ndarray:
        """Calibrated log-odds (synthetic vs real) for each 8 kHz front-end segment."""

    def score(self, media: Media) -> Evidence:
        return self.score_batch([media])[0]

    def score_batch(self, medias: list[Media]) -> list[Evidence]:
        with single_thread():
            return self._score_batch(medias)

    def _score_batch(self, medias: list[Media]) -> list[Evidence]:
        results: list[Evidence | None] = [None] * len(medias)
        todo: list[tuple[int, list[tuple[float, float, np.ndarray]]]] = []
        for i, media in enumerate(medias):
            clip = media.data
            content = classify_clip(clip)
            if not content.get("has_voice", content["label"] != "music"):
                results[i] = Evidence(
                    self.name,
                    None,
                    "sounds like music without a voice: voice-clone check not applied",
                    details={"content": content},
                )
                continue
            segs = speech_segments(clip)
            if not segs:
                results[i] = Evidence(
                    self.name,
                    None,
                    "too short to judge (under 0.2 s of speech)",
                    details={"content": content},
                )
                continue
            todo.append((i, segs))
        if todo:
            flat = [s[2] for _, segs in todo for s in segs]
            logits = np.asarray(self.segment_logits(flat), dtype=np.float64)
            k = 0
            for i, segs in todo:
                seg_logits = logits[k : k + len(segs)]
                k += len(segs)
                results[i] = self._evidence(medias[i], segs, seg_logits)
        return [r for r in results if r is not None]

    def _evidence(self, media: Media, segs, seg_logits: np.ndarray) -> Evidence:
        lengths = np.array([len(s[2]) for s in segs], dtype=np.float64)
        z = aggregate_logits(seg_logits, lengths)
        p = sigmoid(z)
        seg_scores = [sigmoid(float(v)) for v in seg_logits]
        if p >= 0.7:
            reason = f"the voice shows {self.what} typical of synthetic speech"
        elif p <= 0.3:
            reason = f"the voice shows no {self.what} of synthetic speech"
        else:
            reason = f"mixed {self.what}: cannot tell whether the voice is synthetic"
        details = {
            "log_odds": round(z, 4),
            "segments": [
                {
                    "start_s": round(a, 3),
                    "end_s": round(b, 3),
                    "speech_s": round(len(x) / 8000, 3),
                    "score": round(s, 4),
                }
                for (a, b, x), s in zip(segs, seg_scores, strict=True)
            ],
            "content": media.data.cache.get("content"),
        }
        artefacts = []
        if len(segs) > 1:
            artefacts.append(
                timeline_artefact(
                    [a for a, _, _ in segs],
                    [b for _, b, _ in segs],
                    seg_scores,
                    f"{self.name}: P(synthetic voice) per segment",
                )
            )
        return Evidence(self.name, p, reason, artefacts=artefacts, details=details)
