"""The audio fuser: speech verdicts and music verdicts are fused separately.

The content classifier routes each file to the speech detectors, the music detector, or both (a
voice over music). Each side has its own logistic fusion fitted on held-out calibration data by
``fakescope train audio`` (``weights/fuser.json``); when both sides voted, the side matching the
content label (speech, or music/vocals) decides and the other is shown as evidence only.
"""

from __future__ import annotations

import json

from fakescope.core.evidence import Evidence
from fakescope.core.fusion import (
    DEFAULT_THRESHOLDS,
    LogisticFuser,
    LogitMeanFuser,
    logit,
    sigmoid,
)

SPEECH_DETECTORS = ("lfcc-gmm", "spec-cnn", "whisper-embed")
# the speech detectors that run by default, and the opt-in ones (each gets its own fusion with
# the defaults in ``fuser.json``; see docs/audio.md for how the defaults were chosen)
DEFAULT_SPEECH = ("lfcc-gmm", "spec-cnn")
OPT_IN_SPEECH = ("whisper-embed",)
# also fitted by the 16 kHz training (speech_training.train_speech), for when a default
# detector cannot run
FALLBACK_SPEECH = ("spec-cnn",)
# Likelihood-ratio evidence added to the fused log-odds (``weight * logit(score)``), not learnt:
# a found watermark (fakescope.provenance). It abstains when no mark is found.
ADDITIVE_DETECTORS = ("audio-watermark",)


class AudioFuser:
    """Route-aware fuser: speech evidence -> speech model, music evidence -> music model.

    The fusion models load lazily, on the first file, so registering the plugin stays cheap.

    Examples
    --------
    >>> f = AudioFuser(speech=LogisticFuser({"lfcc-gmm": 1.0, "spec-cnn": 1.0}))
    >>> round(f.fuse([Evidence("lfcc-gmm", 0.9, ""), Evidence("spec-cnn", None, "")]), 2)
    0.9
    """

    thresholds = DEFAULT_THRESHOLDS

    def __init__(
        self,
        speech: LogisticFuser | None = None,
        music: LogisticFuser | None = None,
        speech_variants: list[LogisticFuser] | None = None,
    ) -> None:
        self._speech = speech
        self._music = music
        self._speech_variants = list(speech_variants or [])
        self._loaded = speech is not None

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            from fakescope.audio.weights_io import weights_path

            data = json.loads(weights_path("fuser.json").read_text())
        except (FileNotFoundError, ValueError):
            return  # no fusion model: the logit mean is used
        if data.get("speech"):
            self._speech = LogisticFuser.from_dict(data["speech"])
        variants = data.get("speech_variants", [])
        self._speech_variants = [LogisticFuser.from_dict(v) for v in variants]
        if data.get("music"):
            self._music = LogisticFuser.from_dict(data["music"])

    def fuse(self, evidence: list[Evidence]) -> float | None:
        voting = [e for e in evidence if e.score is not None and e.weight > 0]
        extra = [e for e in voting if e.detector in ADDITIVE_DETECTORS]
        p = self._fuse_content([e for e in voting if e.detector not in ADDITIVE_DETECTORS])
        if not extra:
            return p
        z = (0.0 if p is None else logit(p)) + sum(e.weight * logit(e.score) for e in extra)
        return sigmoid(z)

    def _fuse_content(self, voting: list[Evidence]) -> float | None:
        self._load()
        if not voting:
            return None
        speech = [e for e in voting if e.detector in SPEECH_DETECTORS]
        other = [e for e in voting if e.detector not in SPEECH_DETECTORS]
        if speech and not other:
            return self._speech_fuser(speech).fuse(speech)
        if other and not speech:
            return (self._music or LogitMeanFuser()).fuse(other)
        # Both sides voted (a voice over music): the speech detectors were trained on speech
        # alone, so the side that matches the content label decides; the other stays as evidence.
        label = next(
            (
                e.details["content"].get("label")
                for e in voting
                if isinstance(e.details.get("content"), dict)
            ),
            None,
        )
        if label == "speech":
            return self._speech_fuser(speech).fuse(speech)
        return (self._music or LogitMeanFuser()).fuse(other)

    def fusion_weights(self, evidence: list[Evidence]) -> dict[str, float]:
        """Weights on each detector's log-odds: the routed fusion's measured by the core, the
        additive ones (a found watermark) their evidence weight, so a saturated verdict still
        says what it counted."""
        from fakescope.core.fusion import fusion_weights

        fuser = self

        class _Content:
            def fuse(self, ev: list[Evidence]) -> float | None:
                return fuser._fuse_content([e for e in ev if e.score is not None and e.weight > 0])

        rest = [e for e in evidence if e.detector not in ADDITIVE_DETECTORS]
        weights = fusion_weights(_Content(), rest)
        for e in evidence:
            if e.detector in ADDITIVE_DETECTORS and e.score is not None:
                weights[e.detector] = e.weight if e.weight > 0 else 0.0
        return weights

    def fitted_detectors(self) -> frozenset[str] | None:
        """Every detector one of the speech or music fusions was fitted with (for the core's
        "not counted" warning); ``None`` without a fusion model (the logit mean counts all)."""
        self._load()
        fusers = [f for f in (self._speech, *self._speech_variants, self._music) if f is not None]
        if not fusers:
            return None
        return frozenset(name for f in fusers for name in f.coef) | set(ADDITIVE_DETECTORS)

    def _speech_fuser(self, speech: list[Evidence]) -> LogisticFuser | LogitMeanFuser:
        """The fusion fitted for exactly the speech detectors that voted, if there is one.

        ``fuser.json`` holds the default detectors' fusion and variants fitted with opt-in
        detectors (``whisper-embed``); weights fitted for other detectors would miscount the
        evidence (an abstaining detector contributes nothing).
        """
        if self._speech is None:
            return LogitMeanFuser()
        voted = {e.detector for e in speech}
        for candidate in (self._speech, *self._speech_variants):
            if voted == set(candidate.coef):
                return candidate
        return self._speech
