from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from fakescope.audio.augment import encode
from fakescope.audio.loader import load_audio, sniff
from fakescope.core.loading import load
from fakescope.core.media import MediaError


def test_wav_loads_with_metadata(chirp_wav: Path):
    media = load_audio(chirp_wav)[0]
    assert media.modality == "audio"
    assert media.metadata["sample_rate"] == 16000
    assert media.metadata["channels"] == 1
    assert media.data.samples.dtype == np.float32


def test_stereo_44k_keeps_channels(stereo_44k: Path):
    media = load_audio(stereo_44k)[0]
    assert media.data.channels == 2
    assert media.data.sample_rate == 44100
    assert abs(media.data.duration - 3.0) < 0.01


def test_mp3_and_opus_decode_via_pyav(tmp_path: Path):
    x = (np.sin(np.arange(16000) / 7.0) * 0.5).astype(np.float32)
    for codec in ("mp3", "opus"):
        data, ext = encode(x, 16000, codec, 32)
        p = tmp_path / f"tone{ext}"
        p.write_bytes(data)
        assert sniff(data[:64])
        media = load_audio(p)[0]
        assert media.metadata["codec"].startswith(codec[:3])
        assert media.data.duration > 0.8


def test_pyav_decode_leaves_ffmpeg_logging_off(tmp_path: Path):
    """A PyAV log level installs a Python callback that deadlocks threaded video decoding."""
    import av

    x = (np.sin(np.arange(16000) / 7.0) * 0.5).astype(np.float32)
    data, ext = encode(x, 16000, "mp3", 32)
    (tmp_path / f"tone{ext}").write_bytes(data)
    load_audio(tmp_path / f"tone{ext}")
    assert av.logging.get_level() is None


def test_wrong_extension_is_sniffed(chirp_wav: Path, tmp_path: Path):
    p = tmp_path / "actually_audio.png"
    p.write_bytes(chirp_wav.read_bytes())
    assert load(p)[0].modality == "audio"


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "corrupt"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 200, "audio"),
    ],
)
def test_bad_files_give_media_error(tmp_path: Path, content: bytes, words: str):
    p = tmp_path / "bad.wav"
    p.write_bytes(content)
    with pytest.raises(MediaError) as info:
        load_audio(p)
    assert str(p) in str(info.value)
    assert info.value.reason


def test_silent_and_too_short(tmp_path: Path):
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(8000, dtype=np.float32), 8000)
    with pytest.raises(MediaError, match="silent"):
        load_audio(silent)
    short = tmp_path / "short.wav"
    sf.write(short, np.ones(100, dtype=np.float32) * 0.5, 8000)
    with pytest.raises(MediaError, match="too short"):
        load_audio(short)


def test_truncated_wav_loads_what_is_there(chirp_wav: Path, tmp_path: Path):
    data = chirp_wav.read_bytes()
    p = tmp_path / "cut.wav"
    p.write_bytes(data[: len(data) // 2])
    media = load_audio(p)[0]
    assert 0.3 < media.data.duration <= 1.0


def test_sniff_rejects_other_formats():
    assert not sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 56)
    assert not sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 60)  # JPEG
    assert not sniff(b"RIFF\x00\x00\x00\x00AVI LIST")
    assert not sniff(b"\x00\x00\x00\x18ftypmp42")  # video MP4 is the video plugin's
    assert sniff(b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00")


def test_utf16_text_with_bom_is_not_taken_for_mp3():
    from fakescope.audio.loader import sniff

    head = "\ufeffHello, this is a note saved by Notepad.".encode("utf-16-le")[:64]
    assert not sniff(head)


def test_long_audio_is_analysed_on_its_first_part(tmp_path: Path, monkeypatch):
    import fakescope.audio.loader as loader

    monkeypatch.setattr(loader, "MAX_DECODED_SAMPLES", 16000)
    rng = np.random.default_rng(0)
    p = tmp_path / "long.flac"
    sf.write(p, rng.normal(0, 0.1, 48000).astype(np.float32), 16000)
    [media] = loader.load_audio(p)
    assert media.data.samples.shape[0] == 16000
    assert media.metadata["analysis_note"].startswith("only the first 1.0 s of 3.0 s")


def test_implausible_sample_rates_are_refused(tmp_path: Path):
    from fakescope.audio.loader import load_audio

    p = tmp_path / "slow.wav"
    sf.write(p, np.sin(np.arange(20000) / 3.0) * 0.3, 1000)
    with pytest.raises(MediaError, match="sample rate of 1000 Hz"):
        load_audio(p)


def test_audio_in_memory():
    from fakescope.audio.loader import audio_from_object

    tone = (np.sin(np.arange(32000) / 3.0) * 0.3).astype(np.float32)
    [media] = audio_from_object({"raw": tone, "sampling_rate": 16000}, "<audio #1>")
    assert media.data.sample_rate == 16000 and media.metadata["duration_s"] == 2.0
    stereo = (np.stack([tone, tone], 1) * 32767).astype(np.int16)
    [pcm] = audio_from_object({"array": stereo, "sampling_rate": 16000}, "<audio #2>")
    assert pcm.data.channels == 2 and abs(float(pcm.data.samples.max()) - 0.3) < 0.01
    with pytest.raises(MediaError, match="is silent"):
        audio_from_object({"raw": np.zeros(16000), "sampling_rate": 16000}, "<audio #3>")
    assert audio_from_object({"text": "hi"}, "x") is None
