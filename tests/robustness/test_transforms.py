from __future__ import annotations

import numpy as np
import pytest

from fakescope.audio.clip import AudioClip
from fakescope.core.media import Media
from fakescope.robustness.transforms import FAMILIES, Compose, families, make_transform
from fakescope.robustness.transforms import audio as ta
from fakescope.robustness.transforms import image as ti
from fakescope.robustness.transforms import text as tt

RNG = np.random.default_rng(0)
IMG = np.random.default_rng(1).integers(0, 256, (48, 64, 3), dtype=np.uint8)
TONE = (0.5 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)).astype(np.float32)
CLIP = AudioClip(np.stack([TONE, TONE * 0.5], axis=1), 16000)
TEXT = "However, this is very important. People said so! The end is near.\nA second line."


@pytest.mark.parametrize(
    "family,strength",
    [(f.name, s) for f in FAMILIES.values() if f.modality == "image" for s in f.strengths],
)
def test_image_transforms_keep_type_and_scale_size(family, strength):
    out = make_transform(family, strength)(IMG, np.random.default_rng(0))
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3
    if family in ("resize", "upscale", "screenshot"):
        assert out.shape[:2] == (round(48 * strength), round(64 * strength))
    elif family == "crop":
        assert out.shape[:2] == (round(48 * strength), round(64 * strength))
    else:
        assert out.shape == IMG.shape


def test_image_transforms_change_what_they_should():
    assert np.abs(ti.JPEG(40)(IMG, RNG).astype(int) - IMG).mean() > 5
    flat = np.full((32, 32, 3), 128, np.uint8)
    assert np.array_equal(ti.Blur(1.0)(flat, RNG), flat)
    assert ti.Gamma(0.5)(flat, RNG)[0, 0, 0] > 128
    assert (ti.Noise(5.0)(flat, RNG).astype(float) - 128).std() == pytest.approx(5, rel=0.2)


@pytest.mark.parametrize(
    "family,strength",
    [(f.name, s) for f in FAMILIES.values() if f.modality == "audio" for s in f.strengths],
)
def test_audio_transforms_return_clips(family, strength):
    out = make_transform(family, strength)(CLIP, np.random.default_rng(0))
    assert isinstance(out, AudioClip)
    assert out.channels == 2
    assert out.samples.dtype == np.float32 and np.abs(out.samples).max() <= 1.0
    assert abs(out.duration - CLIP.duration) < 0.15


def test_telephone_is_narrow_band_g711():
    out = ta.Telephone("a")(CLIP, RNG)
    assert out.sample_rate == 8000
    spec = np.abs(np.fft.rfft(out.samples[:, 0]))
    assert spec[int(3600 / 8000 * len(out.samples)) :].max() < 0.05 * spec.max()
    x = np.linspace(-0.9, 0.9, 50, dtype=np.float32)
    assert np.abs(ta.g711(x, "mu") - x).max() < 0.05
    with pytest.raises(ValueError, match="law"):
        ta.g711(x, "b")


def test_silence_fill_writes_exact_zeros_in_pauses():
    x = np.concatenate([TONE[:4000], np.full(4000, 1e-4, np.float32), TONE[:4000]])
    out = ta.SilenceFill(40.0)(AudioClip(x[:, None], 16000), RNG)
    assert (out.samples[4200:7800, 0] == 0).all() and (out.samples[:3000, 0] != 0).any()


def test_reverb_and_noise_keep_level():
    rev = ta.Reverb(0.5)(CLIP, RNG)
    assert np.abs(rev.samples).max() == pytest.approx(np.abs(CLIP.samples).max(), rel=0.05)
    noisy = ta.Noise(20.0)(CLIP, RNG).samples[:, 0] - TONE
    assert 10 * np.log10(np.mean(TONE**2) / np.mean(noisy**2)) == pytest.approx(20, abs=1)


@pytest.mark.parametrize("cls", [tt.SynonymSwap, tt.SentenceShuffle, tt.Homoglyphs, tt.ZeroWidth])
def test_text_transforms(cls):
    out = cls(1.0)(TEXT, np.random.default_rng(0))
    assert isinstance(out, str) and out != TEXT
    assert cls(0.0)(TEXT, RNG) == TEXT


def test_invisible_laundering_looks_the_same():
    zw = tt.ZeroWidth(1.0)(TEXT, RNG)
    assert zw.replace(tt.ZERO_WIDTH_SPACE, "") == TEXT
    hg = tt.Homoglyphs(1.0)(TEXT, RNG)
    assert len(hg) == len(TEXT) and any(ord(c) > 127 for c in hg)


def test_sentence_shuffle_keeps_sentences():
    out = tt.SentenceShuffle(1.0)(TEXT, RNG)
    assert sorted(out.split("\n")[0].split(". ")) != [] and set(out.split()) == set(TEXT.split())


def test_paraphrase_uses_the_configured_language_model(monkeypatch):
    import fakescope.text.generation as generation
    import fakescope.text.lm as lm

    seen = {}

    def fake_generate(model, prompts, **kwargs):
        seen["prompts"], seen["kwargs"] = prompts, kwargs
        return [generation.Sample(p, "reworded", "fake-lm", 1) for p in prompts]

    monkeypatch.setattr(lm, "shared_model", lambda: "LM")
    monkeypatch.setattr(generation, "generate", fake_generate)
    out = tt.Paraphrase(0.5)("one\n\ntwo", RNG)
    assert out == "reworded\nreworded" and seen["kwargs"]["chat"] is True
    assert "one" in seen["prompts"][0]


def test_compose_apply_and_modality_check():
    media = Media("a.png", "image", IMG, {"format": "PNG", "exif": {"Make": "X"}})
    out = Compose([ti.Resize(0.5), ti.JPEG(80)]).apply(media, RNG)
    assert out.data.shape == (24, 32, 3) and "exif" not in out.metadata
    assert out.metadata["laundered"] == "resize-0.5+jpeg-80" and media.data is IMG
    with pytest.raises(ValueError, match="launders audio"):
        ta.MP3(32).apply(media, RNG)


def test_families_by_modality_and_name():
    assert {f.modality for f in families("image")} == {"image"}
    assert "paraphrase" not in [f.name for f in families("text")]  # opt-in: needs the LM
    assert families("image", []) == []
    with pytest.raises(KeyError, match="unknown transform"):
        families(None, ["nope"])
