import numpy as np

from fakescope.audio.clip import AudioClip


def test_mono_and_resample_are_memoised():
    x = np.stack([np.ones(16000), -np.ones(16000)], axis=1).astype(np.float32)
    clip = AudioClip(x, 16000)
    assert clip.duration == 1.0 and clip.channels == 2
    assert np.allclose(clip.mono(), 0.0)
    y = clip.mono_at(8000)
    assert y.shape == (8000,)
    assert clip.mono_at(8000) is y
