from __future__ import annotations

import numpy as np
import torch

from fakescope.robustness.adversarial import (
    AdversarialTraining,
    centre_batches,
    harden_image_cnn,
    validation_robustness,
)


def test_perturb_replaces_a_share_within_budget(tiny_model):
    model, x, y = tiny_model
    adv = AdversarialTraining(eps=4 / 255, fraction=0.25).perturb(model, x, y)
    k = len(x) // 4
    assert float((adv[:k] - x[:k]).abs().max()) <= 4 / 255 + 1e-6
    assert torch.equal(adv[k:], x[k:])


def test_launder_keeps_an_rgb_image():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    s = AdversarialTraining(launder_p=1.0)
    outs = [s.launder(img, rng) for _ in range(8)]
    assert all(o.dtype == np.uint8 and o.shape[2] == 3 for o in outs)
    assert any(not np.array_equal(o, img) for o in outs)
    assert AdversarialTraining(launder_p=0.0).launder(img, rng) is img


def test_hardening_raises_auc_under_attack_of_a_tiny_model(tiny_model):
    """PGD fine-tuning makes the tiny model harder to fool (and reports before/after)."""
    model, x, y = tiny_model
    model = __import__("copy").deepcopy(model)
    rng = np.random.default_rng(1)
    from tests.robustness.conftest import _noisy, _smooth

    def draw():
        xs = [_smooth(rng, 16) if i % 2 else _noisy(rng, 16) for i in range(32)]
        return torch.stack(xs), torch.tensor([float(i % 2) for i in range(32)])

    val = [((x[i].permute(1, 2, 0).numpy() * 255).astype(np.uint8), int(y[i])) for i in range(16)]
    settings = AdversarialTraining(eps=16 / 255, steps=3, epochs=3, eval_eps=16 / 255, eval_steps=5)
    out = harden_image_cnn(model, model, draw, val, 20, settings, log=lambda m: None)
    assert set(out) == {"settings", "before", "after", "history"}
    assert out["after"]["pgd_roc_auc"] > out["before"]["pgd_roc_auc"]


def test_centre_batches_and_validation_robustness(tiny_model):
    model, x, y = tiny_model
    items = [((x[i].permute(1, 2, 0).numpy() * 255).astype(np.uint8), int(y[i])) for i in range(8)]
    batches = centre_batches(items, side=16, size=4)
    assert [b[0].shape for b in batches] == [torch.Size([4, 3, 16, 16])] * 2
    table = validation_robustness(model, batches, 0.3, 5)
    assert table["clean_roc_auc"] == 1.0 and table["pgd_roc_auc"] < 1.0


def test_audio_adversarial_batch_and_the_spec_cnn_training_hook():
    from pathlib import Path

    from fakescope.audio.corpus import Item
    from fakescope.audio.spec_cnn import build_model
    from fakescope.audio.training import Prepared, train_spec_cnn
    from fakescope.robustness.adversarial import (
        AudioAdversarialTraining,
        audio_adversarial_batch,
    )

    rng = np.random.default_rng(0)
    waves = [
        (rng.standard_normal(6000) * (0.1 + 0.1 * (i % 2))).astype(np.float32) for i in range(6)
    ]
    labels = np.array([i % 2 for i in range(6)], dtype=np.float32)
    model = build_model(4)
    settings = AudioAdversarialTraining(eps=0.01, steps=2)
    x, y = audio_adversarial_batch(model, waves, labels, rng, settings)
    assert tuple(x.shape) == (3, 1, 128, 96) and y.tolist() == [0.0, 1.0, 0.0]
    prepared = [
        Prepared(Item(Path(f"{i}.wav"), int(labels[i]), "t", "g", "train"), w, 0)
        for i, w in enumerate(waves)
    ]
    trained = train_spec_cnn(prepared, 1, 0, 4, lambda m: None, adversarial=settings)
    assert not trained.training
