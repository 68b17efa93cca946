import numpy as np
import soundfile as sf

from fakescope.audio.speech_cache import pcm_to_float, prepare_copies
from fakescope.audio.speech_data import SpeechItem


def test_copies_are_int16_cached_and_reproducible(tmp_path, sig):
    items = []
    for k, rate in enumerate((16000, 8000)):
        path = tmp_path / f"v{k}.wav"
        sf.write(path, sig.voice_like(0.8, rate, seed=k), rate)
        items.append(SpeechItem(path, k % 2, f"g{k}", "spk", rate))
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEjunk")
    items.append(SpeechItem(broken, 0, "g0", "spk", 16000))
    warnings: list[str] = []
    first = prepare_copies(items, 2, 0, tmp_path / "cache", warn=warnings.append)
    assert len(first) == 6 and warnings and "broken.wav" in warnings[0]
    assert all(c.pcm.dtype == np.int16 and c.audio.dtype == np.float32 for c in first)
    assert [c.narrow for c in first if c.copy == 0] == [False, True]  # native 8 kHz is narrow
    again = prepare_copies(items, 2, 0, tmp_path / "cache", warn=lambda m: None)
    assert all(np.array_equal(a.pcm, b.pcm) for a, b in zip(first, again, strict=True))
    assert len(list((tmp_path / "cache").rglob("*.npz"))) == 2  # one file per group
    assert not np.array_equal(first[0].pcm, first[1].pcm)  # copy 1 went through a channel


def test_pcm_to_float_scales_int16_only():
    assert pcm_to_float(np.array([-32767], np.int16)).tolist() == [-1.0]
    assert pcm_to_float(np.array([0.25], np.float64)).dtype == np.float32
