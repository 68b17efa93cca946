from __future__ import annotations

import json
import os
import time

import torch

from fakescope.text import lm as lm_mod
from fakescope.text import model_cache


def _fake_gguf(path, payload=b"GGUF fake weights"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


def test_entries_are_keyed_by_content_not_path(tmp_path, monkeypatch):
    # The same model installed in two virtual environments shares one entry (issue 16, item 6).
    monkeypatch.setenv(lm_mod.CACHE_ENV, str(tmp_path / "cache"))
    a = _fake_gguf(tmp_path / "venv1" / "m.gguf")
    b = _fake_gguf(tmp_path / "venv2" / "m.gguf")
    assert model_cache.entry_dir(a) == model_cache.entry_dir(b)
    c = _fake_gguf(tmp_path / "venv3" / "m.gguf", b"other weights")
    assert model_cache.entry_dir(c) != model_cache.entry_dir(a)
    # the hash is remembered per path, size and mtime
    index = json.loads((tmp_path / "cache" / "models" / "index.json").read_text())
    assert len(index) == 3


def test_saved_entry_is_float16_and_reloads_in_any_dtype(tiny_lm, tmp_path, monkeypatch):
    monkeypatch.setenv(lm_mod.CACHE_ENV, str(tmp_path / "cache"))
    target = model_cache.models_dir() / "tiny-0123456789abcdef"
    model_cache.save_entry(tiny_lm.model, tiny_lm.tokenizer, target, source="test")
    from safetensors import safe_open

    with safe_open(str(target / model_cache.WEIGHTS), "pt") as fh:
        dtypes = {fh.get_tensor(k).dtype for k in fh.keys()}
    assert dtypes == {torch.float16}
    model, tok = model_cache.load_entry(target, torch.float32)
    ids, _ = tiny_lm.encode("It was the best of times.")
    again = lm_mod.LanguageModel("tiny", model, tok)
    torch.testing.assert_close(again.logits(ids), tiny_lm.logits(ids), atol=2e-3, rtol=2e-3)
    model, _ = model_cache.load_entry(target, torch.bfloat16)
    assert next(model.parameters()).dtype == torch.bfloat16


def test_prune_keeps_the_most_recent_and_drops_the_old_naming(tiny_lm, tmp_path, monkeypatch):
    monkeypatch.setenv(lm_mod.CACHE_ENV, str(tmp_path / "cache"))
    root = model_cache.models_dir()
    legacy = root / "SmolLM2-135M-Instruct.Q4_1-d36f2cbf8c"
    legacy.mkdir(parents=True)
    (legacy / model_cache.WEIGHTS).write_bytes(b"x")
    unrelated = root / "my-own-folder"
    unrelated.mkdir()
    made = []
    for k in range(model_cache.KEEP + 2):
        target = root / f"model{k}-{k:016x}"
        model_cache.save_entry(tiny_lm.model, tiny_lm.tokenizer, target)
        stamp = time.time() - 1000 + k
        os.utime(target / model_cache.MARKER, (stamp, stamp))
        made.append(target)
    left = sorted(p.name for p in root.iterdir() if p.is_dir())
    # legacy entry gone, the user's own folder untouched, only KEEP entries of ours
    assert legacy.name not in left and "my-own-folder" in left
    ours = [p for p in made if p.exists()]
    assert len(ours) == model_cache.KEEP and made[-1] in ours and made[0] not in ours
