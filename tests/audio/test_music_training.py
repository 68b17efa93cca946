import numpy as np

from fakescope.audio.music import MusicModel, kind_features
from fakescope.audio.music_training import real_folds, train_music_detector


def _clip(fake: bool, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(48000).astype(np.float32) * 0.1
    if fake:  # a comb of peaks every 500 Hz: the trace the detector should learn
        t = np.arange(48000) / 16000
        x += 0.05 * sum(np.sin(2 * np.pi * f * t) for f in np.arange(1000, 7800, 500))
    return x.astype(np.float32)


def _prepared(folder):
    rows, audio = [], {v: [] for v in ("clean", "laundered", "train0", "train1")}
    for i in range(24):
        fake = i % 2 == 0
        fam = ("famA", "famB", "famC")[i % 3] if fake else "real"
        src = "gen" if fake else ("srcA", "srcB", "srcC", "srcD", "srcE")[i % 5]
        rows.append([f"c{i}", "fake" if fake else "real", fam, src])
        for k, v in enumerate(audio):
            audio[v].append(_clip(fake, 100 * i + k))
    np.savez(
        folder / "shared.npz", meta=np.array(rows), **{k: np.stack(v) for k, v in audio.items()}
    )


def test_training_learns_the_comb_and_calibrates_out_of_family(tmp_path):
    _prepared(tmp_path)
    out = tmp_path / "music.npz"
    info = train_music_detector(tmp_path, out, 0.05, lambda m: None)
    assert info["oof_roc_auc"] > 0.9 and info["calibration"][0] > 0
    model = MusicModel(out)
    z_fake = model.logits(kind_features(_clip(True, 999))[None])[0]
    z_real = model.logits(kind_features(_clip(False, 999))[None])[0]
    assert z_fake > z_real
    assert (tmp_path / "feat_shared_model.npz").exists()  # cached for the next run


def test_real_folds_balance_sources():
    folds = real_folds(np.array(["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 1), n_folds=2)
    assert folds["a"] != folds["b"] and set(folds.values()) == {0, 1}
