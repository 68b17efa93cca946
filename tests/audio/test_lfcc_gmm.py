import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from fakescope.audio.clip import AudioClip
from fakescope.audio.lfcc_gmm import DiagGMM, LfccGmmDetector, save_lfcc_gmm, segment_lfcc
from fakescope.core.media import Media


def test_diag_gmm_matches_sklearn():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((400, 5))
    gm = GaussianMixture(3, covariance_type="diag", random_state=0).fit(x)
    ours = DiagGMM.from_sklearn(gm).log_likelihood(x)
    assert np.allclose(ours, gm.score_samples(x), atol=1e-3)


def test_segment_lfcc_uses_speech_frames(sig):
    x = np.concatenate([np.zeros(8000), sig.voice_like(1.0, 8000)]).astype(np.float32)
    f = segment_lfcc(x)
    assert f.shape[1] == 60 and len(f) < 150


def _speech_media(sig, seconds: float) -> Media:
    clip = AudioClip(sig.voice_like(seconds, 8000)[:, None], 8000)
    clip.cache["content"] = {"label": "speech", "probs": {}, "segments": []}
    return Media("v.wav", "audio", clip, {})


def test_detector_separates_its_own_training_classes(tmp_path, sig):
    # Fit tiny GMMs on two different signal families and check the LLR sign.
    rng = np.random.default_rng(0)
    real = [sig.voice_like(1.0, 8000, seed=i) for i in range(4)]
    fake = [(0.3 * rng.standard_normal(8000)).astype(np.float32) for _ in range(4)]
    fr = np.concatenate([segment_lfcc(x) for x in real])
    ff = np.concatenate([segment_lfcc(x) for x in fake])
    b = GaussianMixture(4, covariance_type="diag", random_state=0).fit(fr)
    s = GaussianMixture(4, covariance_type="diag", random_state=0).fit(ff)
    save_lfcc_gmm(tmp_path / "g.npz", b, s, (1.0, 0.0))
    det = LfccGmmDetector(tmp_path / "g.npz")
    llr = det.raw_llr([sig.voice_like(1.0, 8000, seed=9), fake[0]])
    assert llr[0] < 0 < llr[1]


def test_shipped_detector_gives_probability_and_timeline(sig):
    det = LfccGmmDetector()
    ev = det.score(_speech_media(sig, 10.0))
    assert 0.0 <= ev.score <= 1.0
    assert len(ev.details["segments"]) == 3
    assert ev.artefacts and ev.artefacts[0].picture().startswith(b"\x89PNG")
    assert det.score(_speech_media(sig, 10.0)).score == pytest.approx(ev.score)


def test_16k_weights_score_16k_segments(tmp_path, sig):
    rng = np.random.default_rng(1)
    real = [sig.voice_like(1.0, 16000, seed=i) for i in range(3)]
    fake = [(0.3 * rng.standard_normal(16000)).astype(np.float32) for _ in range(3)]
    fr = np.concatenate([segment_lfcc(x, 16000) for x in real])
    ff = np.concatenate([segment_lfcc(x, 16000) for x in fake])
    b = GaussianMixture(2, covariance_type="diag", random_state=0).fit(fr)
    s = GaussianMixture(2, covariance_type="diag", random_state=0).fit(ff)
    save_lfcc_gmm(tmp_path / "g16.npz", b, s, (1.0, 0.0), rate=16000)
    det = LfccGmmDetector(tmp_path / "g16.npz")
    assert det.sample_rate == 16000
    llr = det.raw_llr([sig.voice_like(1.0, 16000, seed=7), fake[0]])
    assert llr[0] < 0 < llr[1]
    with pytest.raises(ValueError, match="12000"):
        segment_lfcc(real[0], 12000)
