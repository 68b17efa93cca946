"""Machine-generated text detection from a causal language model's token probabilities.

``register()`` is called by the plugin loader; it only fills the registry (no torch import, no
model loading). The model loads on the first scored text and is shared by every text detector.

Detectors: ``lm-likelihood`` (mean log-likelihood), ``lm-rank`` (GLTR, with the token colour map),
``lm-curvature`` (analytic Fast-DetectGPT), ``lm-tail`` (excess surprisal of very improbable
tokens), ``lm-burstiness`` (spread of token log-likelihood, opt-in), ``lm-entropy`` (mean
predictive entropy, opt-in) and ``lm-cross`` (Binoculars; opt-in, needs
``FAKESCOPE_TEXT_CROSS_MODEL``). The fused verdict is a logistic regression over the default
detectors' log-odds, fitted by ``fakescope train text``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _load(path: Path) -> Any:
    from fakescope.text.loader import iter_text

    return iter_text(path)  # a .jsonl file streams record by record


def _from_object(obj: Any, name: str) -> Any:
    from fakescope.text.loader import text_from_object

    return text_from_object(obj, name)


def _sniff(head: bytes) -> bool:
    from fakescope.text.loader import sniff_text

    return sniff_text(head)


def _factory(cls_name: str):
    def make() -> Any:
        from fakescope.text import detectors

        return getattr(detectors, cls_name)()

    make.__name__ = f"make_{cls_name}"
    return make


def register() -> None:
    """Register the text loader, detectors, fuser and the train/generate commands."""
    from fakescope.core.registry import (
        register_command,
        register_detector,
        register_fuser,
        register_loader,
    )
    from fakescope.text.calibration import TextFuser
    from fakescope.text.commands import generate_text, train_text
    from fakescope.text.loader import EXTENSIONS

    register_loader("text", EXTENSIONS, _load, sniff=_sniff, convert=_from_object)
    register_detector(
        "lm-likelihood",
        "text",
        _factory("LikelihoodDetector"),
        description="mean token log-likelihood under the language model (perplexity)",
    )
    register_detector(
        "lm-rank",
        "text",
        _factory("RankDetector"),
        description="GLTR: share of tokens in the model's top-10/100/1000, mean log-rank, "
        "token colour map",
    )
    register_detector(
        "lm-curvature",
        "text",
        _factory("CurvatureDetector"),
        description="Fast-DetectGPT analytic sampling discrepancy (one forward pass)",
    )
    register_detector(
        "lm-tail",
        "text",
        _factory("TailDetector"),
        description="surprisal tail: how much of the text the model finds very improbable "
        "(human text has more surprising words)",
    )
    register_detector(
        "lm-burstiness",
        "text",
        _factory("BurstinessDetector"),
        default=False,
        description="burstiness: spread (std) of token log-likelihood (opt-in)",
    )
    register_detector(
        "lm-entropy",
        "text",
        _factory("EntropyDetector"),
        default=False,
        description="mean predictive entropy of the language model (opt-in)",
    )
    register_detector(
        "lm-cross",
        "text",
        _factory("CrossDetector"),
        default=False,
        description="Binoculars: perplexity / cross-perplexity of two models sharing a "
        "tokenizer; set FAKESCOPE_TEXT_CROSS_MODEL",
    )
    register_fuser("text", TextFuser())
    register_command("train", "text", train_text)
    register_command("generate", "text", generate_text)
