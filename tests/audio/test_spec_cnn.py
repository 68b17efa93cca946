import numpy as np
import torch

from fakescope.audio.clip import AudioClip
from fakescope.audio.spec_cnn import SpecCnnDetector, build_model, log_spectrogram, repeat_pad
from fakescope.core.media import Media


def test_model_accepts_any_length():
    m = build_model(8).eval()
    with torch.inference_mode():
        for frames in (32, 97, 400):
            assert m(torch.zeros(2, 1, 128, frames)).shape == (2,)


def test_log_spectrogram_and_padding(sig):
    s = log_spectrogram(sig.voice_like(0.2, 8000))
    assert s.shape[0] == 128
    p = repeat_pad(s, 64)
    assert p.shape == (128, 64) and np.array_equal(p[:, : s.shape[1]], s)


def test_shipped_detector_scores_and_abstains(sig):
    det = SpecCnnDetector()
    clip = AudioClip(sig.voice_like(1.0, 8000)[:, None], 8000)
    clip.cache["content"] = {"label": "speech", "probs": {}, "segments": []}
    ev = det.score(Media("v.wav", "audio", clip, {}))
    assert 0.0 <= ev.score <= 1.0 and ev.details["segments"]
    music = AudioClip(sig.voice_like(1.0, 8000)[:, None], 8000)
    music.cache["content"] = {"label": "music", "probs": {}, "segments": []}
    ev = det.score(Media("m.wav", "audio", music, {}))
    assert ev.score is None and "music" in ev.reason
    batch = det.score_batch([Media("v.wav", "audio", clip, {}), Media("m.wav", "audio", music, {})])
    assert batch[0].score is not None and batch[1].score is None


def test_ensemble_averages_calibrated_member_logits(sig, tmp_path):
    torch.manual_seed(0)
    nets = [build_model(8).state_dict() for _ in range(2)]
    cals = [[2.0, -1.0], [0.5, 3.0]]
    members = [{"state_dict": n, "width": 8, "cal": c} for n, c in zip(nets, cals, strict=True)]
    torch.save({"members": members}, tmp_path / "ens.pt")
    for i, m in enumerate(members):  # the older single-network layout still loads
        torch.save(m, tmp_path / f"single{i}.pt")
    segs = [sig.voice_like(0.6, 8000), sig.voice_like(1.2, 8000)]
    ens = SpecCnnDetector(tmp_path / "ens.pt")
    singles = [SpecCnnDetector(tmp_path / f"single{i}.pt") for i in range(2)]
    assert ens.raw_logits(segs).shape == (2, 2)
    expected = np.mean([s.segment_logits(segs) for s in singles], axis=0)
    assert np.allclose(ens.segment_logits(segs), expected)
    assert not np.allclose(singles[0].segment_logits(segs), singles[1].segment_logits(segs))


def _checkpoint16(tmp_path, members=2):
    torch.manual_seed(1)
    nets = [build_model(4, 256) for _ in range(members)]
    for n in nets:  # non-trivial batch-norm statistics
        n.train()
        with torch.no_grad():
            n(torch.randn(4, 1, 256, 64))
        n.eval()
    cals = [[1.5, -0.5], [0.7, 0.2]][:members]
    ckpt = {
        "members": [
            {"state_dict": n.state_dict(), "width": 4, "cal": c}
            for n, c in zip(nets, cals, strict=True)
        ],
        "sample_rate": 16000,
    }
    torch.save(ckpt, tmp_path / "cnn16.pt")
    return tmp_path / "cnn16.pt"


def test_16k_checkpoint_scores_16k_segments(sig, tmp_path):
    det = SpecCnnDetector(_checkpoint16(tmp_path))
    assert det.sample_rate == 16000
    clip = AudioClip(sig.voice_like(1.5, 22050)[:, None], 22050)
    clip.cache["content"] = {"label": "speech", "probs": {}, "segments": []}
    ev = det.score(Media("v.wav", "audio", clip, {}))
    assert 0.0 <= ev.score <= 1.0
    assert ev.details["segments"][0]["speech_s"] <= 1.5
    assert log_spectrogram(sig.voice_like(0.5, 16000), 16000).shape[0] == 256


def test_torch_module_matches_detector_scores(sig, tmp_path):
    det = SpecCnnDetector(_checkpoint16(tmp_path))
    module = det.torch_module()
    assert module.sample_rate == 16000
    segs = [sig.voice_like(1.0, 16000, seed=s) for s in range(2)] + [sig.voice_like(0.1, 16000)]
    expected = det.segment_logits(segs)
    with torch.no_grad():
        got = [float(module(torch.from_numpy(s)[None])[0]) for s in segs]
        batch = module(torch.from_numpy(np.stack(segs[:2])))
    assert np.allclose(got, expected, atol=1e-3)
    assert batch.shape == (2,) and np.allclose(batch.numpy(), expected[:2], atol=1e-3)
    x = torch.from_numpy(segs[0])[None].requires_grad_(True)
    module(x).sum().backward()
    assert x.grad is not None and float(x.grad.abs().sum()) > 0
