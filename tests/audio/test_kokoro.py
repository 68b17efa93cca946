import shutil
import wave

import numpy as np
import pytest

from fakescope.audio import kokoro
from fakescope.audio.tts import synthesize


class _FakeSession:
    """Stands in for the ONNX session: returns one sample per token and records the inputs."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def run(self, _outputs, feeds):
        self.calls.append(feeds)
        n = feeds["tokens"].shape[1]
        return [np.linspace(-0.5, 0.5, 100 * n, dtype=np.float32)[None]]


@pytest.fixture
def fake_model(monkeypatch):
    styles = {
        "jf_alpha": np.zeros((510, 1, 256), np.float32),
        "jm_kumo": np.ones((510, 1, 256), np.float32),
    }
    session = _FakeSession()
    vocab = {c: i + 1 for i, c in enumerate("abcdefghijklmnopqrstuvwxyz ˈAIOʤ")}
    monkeypatch.setattr(kokoro, "_model", lambda: (session, vocab, styles))
    monkeypatch.setattr(kokoro, "english_phonemes", lambda text: text.lower())
    return session


def test_blend_mixes_two_styles(fake_model):
    assert kokoro.style("jf_alpha+jm_kumo:0.3")[0, 0, 0] == pytest.approx(0.3)
    assert kokoro.style("jf_alpha+jm_kumo")[0, 0, 0] == pytest.approx(0.5)
    assert kokoro.style(None).sum() == 0  # the default voice


@pytest.mark.parametrize("voice", ["nobody", "jf_alpha+nobody", "jf_alpha+jm_kumo:1.5"])
def test_bad_voice_is_refused_with_the_choices(fake_model, voice):
    with pytest.raises(ValueError, match="jf_alpha|blend share"):
        kokoro.style(voice)


def test_style_row_follows_token_count(fake_model):
    styles = np.arange(510, dtype=np.float32)[:, None, None] * np.ones((1, 1, 256), np.float32)
    kokoro.speak("abc", styles, speed=1.2)
    feeds = fake_model.calls[-1]
    assert feeds["tokens"].tolist()[0][0] == 0 and feeds["tokens"].tolist()[0][-1] == 0
    assert feeds["style"][0, 0] == 2.0  # three tokens -> row 2, as Kokoro selects its style
    assert feeds["speed"].tolist() == [pytest.approx(1.2)]


def test_nothing_to_say_is_an_error(fake_model):
    with pytest.raises(ValueError, match="nothing to say"):
        kokoro.speak("123", kokoro.style("jf_alpha"))


def test_generate_speech_writes_a_24k_wav(fake_model, monkeypatch, tmp_path):
    monkeypatch.setattr("fakescope.audio.tts.available_engines", lambda: ["kokoro"])
    out = synthesize("hello", "kokoro", tmp_path / "k.wav", voice="jm_kumo")
    with wave.open(str(out)) as wf:
        assert wf.getframerate() == kokoro.SAMPLE_RATE and wf.getnframes() == 700


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_english_phonemes_use_kokoro_symbols():
    ph = kokoro.english_phonemes("eight nine")
    assert "A" in ph and "I" in ph and "ː" not in ph
