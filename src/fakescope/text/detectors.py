"""The text detectors: GLTR ranks, Fast-DetectGPT curvature, likelihood, surprisal tail,
burstiness, entropy, Binoculars.

All of them read the same :class:`~fakescope.text.scoring.TextStats` from the shared scorer, so
a scan runs the language model once per text however many detectors are enabled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.media import Media, MediaError
from fakescope.text.calibration import DETECTOR_FEATURES, Calibration, TextWeights, load_weights
from fakescope.text.language import check_english
from fakescope.text.lm import ModelUnavailable
from fakescope.text.scoring import MIN_TOKENS, TextScorer, TextStats, shared_scorer
from fakescope.text.stats import TAIL_NATS, rank_buckets

TOO_SHORT = "too short to judge"
MIN_WORDS = 15
"""Texts with fewer words cannot reach the token minimum; they abstain before any model work."""
MAX_TOKEN_MAP = 2048


class LMDetector:
    """Base class: one document feature of the LM statistics, calibrated into P(machine).

    Parameters
    ----------
    scorer : TextScorer, optional
        Defaults to the process-wide scorer of the configured model (loaded on first use).
    weights : TextWeights, optional
        Defaults to ``weights/fusion.json`` (or ``$FAKESCOPE_TEXT_FUSION``).
    """

    name = "lm-base"
    modality = "text"
    abilities = {"weights": "text"}  # see fakescope.testing
    uses_cross = False

    def __init__(self, scorer: TextScorer | None = None, weights: TextWeights | None = None):
        self._scorer = scorer
        self._weights = weights

    # -- shared machinery ----------------------------------------------------------------------
    @property
    def scorer(self) -> TextScorer:
        if self._scorer is None:
            self._scorer = shared_scorer(with_cross=self.uses_cross)
        return self._scorer

    @property
    def weights(self) -> TextWeights:
        if self._weights is None:
            self._weights = load_weights()
        return self._weights

    @property
    def feature(self) -> str:
        return DETECTOR_FEATURES[self.name]

    @property
    def calibration(self) -> Calibration:
        try:
            return self.weights.calibrations[self.name]
        except KeyError:
            raise RuntimeError(
                f"{self.name} has no calibration in the fusion weights; run "
                "`fakescope train text` with it enabled"
            ) from None

    def score(self, media: Media) -> Evidence:
        """Score one text; raises :class:`MediaError` for a record the loader could not use."""
        result = self.score_batch([media])[0]
        if isinstance(result, MediaError):
            raise result
        return result

    def score_batch(self, medias: Sequence[Media]) -> list[Any]:
        """Evidence (or a MediaError for a broken record) per media.

        The language model runs once over the windows of every text in the batch (batched
        across texts); the scorer keeps the batch in memory, so the other text detectors of the
        same scan read the same statistics instead of running the model again.
        """
        texts = [m.data if isinstance(m.data, str) else "" for m in medias]
        judged = [
            t
            for m, t in zip(medias, texts, strict=True)
            if not m.metadata.get("error") and self._prejudge(t) is None
        ]
        if judged:
            try:
                self.scorer.stats_batch(judged)
            except (ModelUnavailable, ValueError):
                pass  # each text abstains below with the reason
        out: list[Any] = []
        for media, text in zip(medias, texts, strict=True):
            error = media.metadata.get("error")
            out.append(MediaError(media.path, str(error)) if error else self._judge(text))
        return out

    def _prejudge(self, text: str) -> Evidence | None:
        """Abstention decided before any model work (empty, not English, far too short)."""
        if not text.strip():
            return Evidence(self.name, None, "the text is empty")
        lang = check_english(text)
        if not lang.ok:
            return Evidence(
                self.name,
                None,
                lang.reason,
                details={"latin_share": lang.latin_share, "stopword_share": lang.stopword_share},
            )
        if len(text.split()) < MIN_WORDS:
            # Far below the token minimum: say so without loading the model.
            return Evidence(self.name, None, TOO_SHORT, details={"words": len(text.split())})
        return None

    def _judge(self, text: str) -> Evidence:
        early = self._prejudge(text)
        if early is not None:
            return early
        try:
            scorer = self.scorer
        except (ModelUnavailable, ValueError) as exc:
            # No model (or no second model for lm-cross): abstain and say how to fix it.
            return Evidence(self.name, None, str(exc))
        stats = scorer.stats(text)
        if stats.n_scored < MIN_TOKENS:
            return Evidence(
                self.name,
                None,
                TOO_SHORT,
                details={"n_tokens": stats.n_scored, "min_tokens": MIN_TOKENS},
            )
        value = stats.features[self.feature]
        if not math.isfinite(value):
            return Evidence(self.name, None, "the language model gave no usable statistics")
        try:
            cal = self.calibration
        except RuntimeError as exc:
            # e.g. a fusion file written before this detector existed: abstain, say how to fix.
            return Evidence(self.name, None, str(exc))
        score = cal.probability(value)
        details = self._details(stats, value, cal)
        return Evidence(
            self.name,
            score,
            self._reason(stats, value, cal, score),
            artefacts=self._artefacts(text, stats),
            details=details,
        )

    def _details(self, stats: TextStats, value: float, cal: Calibration) -> dict[str, Any]:
        windows = []
        for w in stats.windows:
            wv = w.features.get(self.feature, float("nan"))
            windows.append(
                {
                    "start_token": w.start,
                    "stop_token": w.stop,
                    self.feature: round(wv, 4),
                    "score": round(cal.probability(wv), 4) if math.isfinite(wv) else None,
                    "fused": _round(self.weights.fused_probability(w.features)),
                }
            )
        return {
            "feature": self.feature,
            "value": round(value, 5),
            "human_mean": _round(cal.human_mean),
            "machine_mean": _round(cal.machine_mean),
            "model": self.scorer.lm.name,
            "calibrated_for": self.weights.model,
            "n_tokens": stats.n_scored + 1,
            "n_tokens_total": stats.n_tokens_total,
            "truncated": stats.truncated,
            "window": self.scorer.window,
            "windows": windows,
            "features": {k: round(v, 5) for k, v in stats.features.items()},
        }

    def _artefacts(self, text: str, stats: TextStats) -> list[Artefact]:
        return []

    def _reason(self, stats: TextStats, value: float, cal: Calibration, score: float) -> str:
        return f"{self.feature} = {value:.3f}"


class LikelihoodDetector(LMDetector):
    """Mean token log-likelihood: machine text is more probable under a language model."""

    name = "lm-likelihood"

    def _reason(self, stats: TextStats, value: float, cal: Calibration, score: float) -> str:
        ppl = math.exp(-value)
        ref = _reference(cal, "perplexity", lambda v: math.exp(-v))
        return f"perplexity {ppl:.1f} under the language model{ref}"


class RankDetector(LMDetector):
    """GLTR: how often each word is among the model's top guesses, with a colour map."""

    name = "lm-rank"

    def _reason(self, stats: TextStats, value: float, cal: Calibration, score: float) -> str:
        top10 = stats.features["top10"]
        ref = _reference(cal, "mean log-rank", lambda v: v)
        return (
            f"{top10:.0%} of word pieces are among the model's top-10 guesses; "
            f"mean log-rank {value:.2f}{ref}"
        )

    def _details(self, stats: TextStats, value: float, cal: Calibration) -> dict[str, Any]:
        details = super()._details(stats, value, cal)
        details["buckets"] = {
            k: round(stats.features[k], 4) for k in ("top10", "top100", "top1000", "rest")
        }
        return details

    def _artefacts(self, text: str, stats: TextStats) -> list[Artefact]:
        tokens = token_map(text, stats, self.scorer)
        title = "Token ranks (GLTR): green top-10, yellow top-100, red top-1000, purple rest"
        if stats.truncated or len(tokens) < len(stats.ids) - 1:
            title += f" (first {len(tokens)} tokens)"
        rows = [
            [
                "window (tokens)",
                "log-likelihood",
                "mean log-rank",
                "curvature",
                "excess surprisal",
                "fused P",
            ]
        ]
        for w in stats.windows:
            rows.append(
                [
                    f"{w.start}-{w.stop}",
                    round(w.features["loglik"], 3),
                    round(w.features["log_rank"], 3),
                    round(w.features["curvature"], 3),
                    round(w.features["surprisal_tail"], 3),
                    _round(self.weights.fused_probability(w.features), 3),
                ]
            )
        arts = [Artefact(kind="tokens", title=title, data=tokens)]
        if len(stats.windows) > 1:
            arts.append(Artefact(kind="table", title="Per-window scores", data=rows))
        return arts


class CurvatureDetector(LMDetector):
    """Fast-DetectGPT, analytic: how far the text's likelihood sits above the model's own
    expectation, in standard deviations (one forward pass, the model samples for itself)."""

    name = "lm-curvature"

    def _reason(self, stats: TextStats, value: float, cal: Calibration, score: float) -> str:
        ref = _reference(cal, "typical", lambda v: v)
        return f"sampling discrepancy {value:+.3f} per token{ref}"

    def _details(self, stats: TextStats, value: float, cal: Calibration) -> dict[str, Any]:
        details = super()._details(stats, value, cal)
        details["curvature_raw"] = round(stats.features["curvature_raw"], 4)
        return details


class TailDetector(LMDetector):
    """Surprisal tail: mean excess surprisal of the tokens the model finds very improbable.

    Human writing is full of words a language model would rarely pick (names, numbers, rare
    words, odd turns of phrase); sampled machine text has few, and text sampled with
    temperature < 1 or top-p almost none. The statistic is ``mean(max(0, -log p - 5))`` over the
    tokens (:func:`~fakescope.text.stats.surprisal_tail`); lower = more machine-like.
    """

    name = "lm-tail"

    def _reason(self, stats: TextStats, value: float, cal: Calibration, score: float) -> str:
        ref = _reference(cal, "typical", lambda v: v)
        share = stats.features.get("tail_share", float("nan"))
        return (
            f"{share:.0%} of word pieces are very improbable to the model "
            f"(p < {math.exp(-TAIL_NATS):.1%}); "
            f"excess surprisal {value:.2f} nats per word piece{ref}"
        )


class BurstinessDetector(LMDetector):
    """Burstiness: the spread (standard deviation) of the token log-likelihoods (opt-in).

    Human writing mixes predictable words with surprising ones; sampled machine text is more
    even. Lower spread = more machine-like on the old generators, but a human prompt followed
    by a very predictable continuation has a wide spread, so it is not in the default fusion.
    """

    name = "lm-burstiness"

    def _reason(self, stats: TextStats, value: float, cal: Calibration, score: float) -> str:
        ref = _reference(cal, "typical", lambda v: v)
        return f"token surprisal varies by {value:.2f} nats (standard deviation){ref}"


class EntropyDetector(LMDetector):
    """Mean predictive entropy: machine text keeps the model in low-uncertainty territory."""

    name = "lm-entropy"

    def _reason(self, stats: TextStats, value: float, cal: Calibration, score: float) -> str:
        ref = _reference(cal, "typical", lambda v: v)
        return f"the model's average uncertainty is {value:.2f} nats per word piece{ref}"


class CrossDetector(LMDetector):
    """Binoculars: perplexity divided by cross-perplexity between two related models.

    Needs a second model sharing the tokenizer: set ``FAKESCOPE_TEXT_CROSS_MODEL`` (and
    ``FAKESCOPE_TEXT_MODEL`` for the first), then run with ``--detector lm-cross``.
    """

    name = "lm-cross"
    uses_cross = True

    @property
    def calibration(self) -> Calibration:
        cal = self.weights.calibrations.get(self.name)
        if cal is not None:
            return cal
        # Uncalibrated fallback from the Binoculars paper: ~0.90 separates human/machine text for
        # the Falcon-7B pair; a user pair should be calibrated with `fakescope train text`.
        return Calibration("binoculars", coef=-20.0, intercept=18.0)

    def _reason(self, stats: TextStats, value: float, cal: Calibration, score: float) -> str:
        ref = _reference(cal, "typical", lambda v: v)
        return f"perplexity / cross-perplexity = {value:.3f}{ref}"


def token_map(text: str, stats: TextStats, scorer: TextScorer) -> list[dict[str, Any]]:
    """GLTR colour map: every scored token's text (with its leading spaces), bucket and rank.

    The first token (never predicted) is merged into the second one's text.
    """
    ids = stats.ids
    n = min(len(ids), MAX_TOKEN_MAP + 1)
    buckets = rank_buckets(stats.tokens.rank)
    pieces = _pieces(text, ids[:n], stats.offsets, scorer)
    out: list[dict[str, Any]] = []
    for i in range(1, n):
        piece = pieces[i] if i > 1 else pieces[0] + pieces[1]
        out.append(
            {
                "text": piece,
                "bucket": int(buckets[i - 1]),
                "value": float(stats.tokens.rank[i - 1]),
            }
        )
    return out


def _pieces(
    text: str, ids: list[int], offsets: list[tuple[int, int]] | None, scorer: TextScorer
) -> list[str]:
    if offsets is not None and len(offsets) >= len(ids):
        out = []
        prev = 0
        for _start, end in offsets[: len(ids)]:
            end = max(end, prev)
            out.append(text[prev:end])
            prev = end
        return out
    return [scorer.lm.decode_piece(i) for i in ids]


def _reference(cal: Calibration, label: str, fn) -> str:
    if cal.human_mean is None or cal.machine_mean is None:
        return ""
    return (
        f" (human text averages {fn(cal.human_mean):.2f}, machine text {fn(cal.machine_mean):.2f})"
    )


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)
