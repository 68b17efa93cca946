"""Shared machinery of the voice-clone detectors: routing, segmentation, evidence.

A speech detector only implements :meth:`SpeechDetector.segment_logits` (log-odds that each
front-end segment is synthetic); this base class routes non-speech away (the detector abstains and
says why), cuts long files into segments, calibrates, and writes the evidence with per-segment
scores and a timeline plot.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from fakescope.audio.channel import HIGHPASS_HZ, RATE16, loudness_normalize
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
from fakescope.audio.timeline import aggregate_logits, segments_timeline
from fakescope.core.evidence import Evidence
from fakescope.core.fusion import sigmoid
from fakescope.core.media import Media

SEGMENT_S = 4.0
MIN_SPEECH_S = 0.2


def speech_segments(clip, rate: int = SPEECH_RATE) -> list[tuple[float, float, np.ndarray]]:
    """Front-end segments of a clip: ``(start_s, end_s, samples)`` at ``rate``.

    8 kHz: band-limited to 70-3700 Hz, each segment trimmed and peak-normalised (the front end of
    the 8 kHz detectors). 16 kHz: high-passed at 50 Hz, each segment trimmed and
    loudness-normalised (:func:`~fakescope.audio.channel.speech_frontend16`). Digital silence
    inside a segment gets a noise floor in both. Memoised on the clip per rate so that every
    speech detector shares one front end.
    """
    key = "speech_segments" if rate == SPEECH_RATE else f"speech_segments_{rate}"
    if key in clip.cache:
        return clip.cache[key]
    if rate == SPEECH_RATE:
        x = bandpass(clip.mono_at(SPEECH_RATE), SPEECH_RATE, *SPEECH_BAND)
    elif rate == RATE16:
        x = bandpass(clip.mono_at(RATE16), RATE16, HIGHPASS_HZ, RATE16 / 2)
    else:
        raise ValueError(f"no speech front end at {rate} Hz (8000 or 16000)")
    out = []
    for a, b in segment_bounds(len(x), rate, SEGMENT_S, 1.5):
        seg = trim_silence(x[a:b], rate)
        if len(seg) >= MIN_SPEECH_S * rate and np.abs(seg).max() > 1e-4:
            if rate == SPEECH_RATE:
                seg = fill_digital_silence(normalize_peak(seg), rate)
            else:
                seg = fill_digital_silence(loudness_normalize(seg, rate), rate)
            out.append((a / rate, b / rate, seg))
    clip.cache[key] = out
    return out


class SpeechDetector(ABC):
    """Base class: subclasses set ``name``/``description`` and define ``segment_logits``."""

    name = "speech"
    modality = "audio"
    abilities = {"weights": "audio"}  # see fakescope.testing
    what = "synthetic-voice cues"
    sample_rate = SPEECH_RATE  # rate of the front-end segments the detector scores

    @abstractmethod
    def segment_logits(self, segments: list[np.ndarray]) -> np.ndarray:
        """Calibrated log-odds (synthetic vs real) for each front-end segment
        (at ``self.sample_rate``)."""

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
            segs = speech_segments(clip, self.sample_rate)
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
                    "speech_s": round(len(x) / self.sample_rate, 3),
                    "score": round(s, 4),
                }
                for (a, b, x), s in zip(segs, seg_scores, strict=True)
            ],
            "content": media.data.cache.get("content"),
        }
        title = f"{self.name}: P(synthetic voice) per segment"
        artefacts = segments_timeline(segs, seg_scores, title)
        return Evidence(self.name, p, reason, artefacts=artefacts, details=details)
