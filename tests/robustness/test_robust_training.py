"""robust-cnn training: cached views, standard / PGD / TRADES training on tiny data, the weights
it writes load as the ``robust-cnn`` detector, and the ``train image --adversarial`` options."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from fakescope.robustness.robust_training import (
    PooledLogit,
    RobustTraining,
    fit_robust_cnn,
    make_views,
    robustness_table,
    save_robust_cnn,
)


def _images(n: int, size: int = 48) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (size, size, 3), dtype=np.uint8) for _ in range(n)]


def _smooth_fake(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The tiny task's "fake": the image shrunk by 4 and enlarged again (no fine detail)."""
    from PIL import Image

    h, w = img.shape[:2]
    small = Image.fromarray(img).resize((w // 4, h // 4), Image.Resampling.BOX)
    return np.asarray(small.resize((w, h), Image.Resampling.BILINEAR))


TINY = dict(crop=32, views=2, epochs=2, batch=8, width=2, eval_steps=2, launder_p=0.5)


def test_views_are_balanced_cropped_and_cached(tmp_path: Path) -> None:
    calls = []

    def fake(img, rng):
        calls.append(1)
        return _smooth_fake(img, rng)

    settings = RobustTraining(**TINY)
    views = make_views(_images(6), fake, settings, tmp_path, log=lambda m: None)
    assert len(views) == 2 and len(calls) == 12
    for x, y in views:
        assert x.shape == (12, 32, 32, 3) and x.dtype == np.uint8
        assert sorted(y.tolist()) == [0] * 6 + [1] * 6
    again = make_views(_images(6), fake, settings, tmp_path, log=lambda m: None)
    assert len(calls) == 12  # read from the cache, no fake made
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(views, again, strict=True))
    other = make_views(_images(6), fake, RobustTraining(**{**TINY, "seed": 1}), tmp_path, log=len)
    assert len(calls) == 24 and not np.array_equal(other[0][0], views[0][0])


@pytest.mark.parametrize(
    "kind", [dict(eps=0.0), dict(eps=8 / 255, fraction=0.5), dict(eps=8 / 255, trades_beta=1.0)]
)
def test_training_runs_and_reports_the_validation_table(kind, tmp_path: Path) -> None:
    settings = RobustTraining(**TINY, **kind)
    rng = np.random.default_rng(1)
    imgs = _images(12)
    views = make_views(imgs, _smooth_fake, settings, None, log=lambda m: None)
    val = [(im, 0) for im in imgs[:4]] + [(_smooth_fake(im, rng), 1) for im in imgs[:4]]
    net, report = fit_robust_cnn(views, val, settings, log=lambda m: None)
    assert not net.training
    assert len(report["history"]) == 2 and report["n_val"] == 8
    table = report["validation"]
    assert 0 <= table["clean_roc_auc"] <= 1 and 0 <= table["pgd_roc_auc"] <= 1
    assert np.isfinite(report["calibration"]["scale"])
    path = save_robust_cnn(net, report, tmp_path)
    from fakescope.core.media import Media
    from fakescope.image.robust_cnn import RobustCNNDetector

    det = RobustCNNDetector(weights=path)
    ev = det.score(Media("x.png", "image", imgs[0], {}))
    assert 0 <= ev.score <= 1
    assert ev.details["adversarially_trained"] == (settings.eps > 0)
    assert (tmp_path / "robust_cnn_report.json").exists()


def test_robustness_table_pgd_never_helps_the_detector() -> None:
    torch.manual_seed(0)
    from fakescope.image.robust_cnn import build_model

    module = PooledLogit(build_model(width=2).eval())
    x = torch.rand(8, 3, 32, 32)
    y = torch.tensor([0.0, 1.0] * 4)
    table = robustness_table(module, [(x, y)], 8 / 255, 3)
    with torch.no_grad():
        clean = torch.sigmoid(module(x))
    assert table["pgd_roc_auc"] <= table["clean_roc_auc"] + 1e-9
    assert table["eps"] == 8 / 255 and torch.isfinite(clean).all()


def _noisy_images(n: int, seed: int) -> list[np.ndarray]:
    """Flat grey images with strong pixel noise (sigma 40 grey levels): the tiny task's reals."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        noise = rng.normal(0, 40, (48, 48, 3))
        out.append(np.clip(rng.uniform(60, 190) + noise, 0, 255).astype(np.uint8))
    return out


@pytest.mark.slow
def test_adversarial_training_is_harder_to_fool_than_standard_training() -> None:
    """Same tiny data and seed: PGD training leaves a higher AUC under a PGD attack (8/255; a
    robust rule exists: the reals' noise is far above what the budget can add or remove)."""
    rng = np.random.default_rng(2)
    imgs, val_imgs = _noisy_images(32, 0), _noisy_images(8, 1)
    val = [(im, 0) for im in val_imgs] + [(_smooth_fake(im, rng), 1) for im in val_imgs]
    out = {}
    for eps in (0.0, 8 / 255):
        s = RobustTraining(crop=32, views=2, epochs=30, batch=8, width=4, eps=eps, steps=3,
                           fraction=1.0, launder_p=0.0, eval_eps=8 / 255, eval_steps=5)  # fmt: skip
        views = make_views(imgs, _smooth_fake, s, None, log=lambda m: None)
        out[eps] = fit_robust_cnn(views, val, s, log=lambda m: None)[1]["validation"]
    assert out[0.0]["clean_roc_auc"] > 0.9
    assert out[8 / 255]["pgd_roc_auc"] > out[0.0]["pgd_roc_auc"] + 0.1


def test_train_image_adversarial_options_are_checked(tmp_path: Path) -> None:
    import typer

    from fakescope.image.training import train_command

    app = typer.Typer()
    app.command()(train_command)
    runner = CliRunner(env={"COLUMNS": "300"})  # error boxes unwrapped
    res = runner.invoke(app, ["--real", str(tmp_path), "--adversarial-only"])
    assert res.exit_code == 2 and "need --adversarial" in res.output
    res = runner.invoke(app, ["--genuine", str(tmp_path), "--adversarial"])
    assert res.exit_code == 2 and "from --real DIR" in res.output
    res = runner.invoke(
        app, ["--real", str(tmp_path), "--adversarial", "--adversarial-only", "--out",
              str(tmp_path / "w")],
    )  # fmt: skip
    assert res.exit_code == 2 and "real images of 256x256" in res.output
    assert not (tmp_path / "w" / "robust_cnn.npz").exists()
