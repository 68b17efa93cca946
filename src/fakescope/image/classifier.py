"""A small standardised-feature classifier stored as plain arrays (``.npz``, no pickle).

It is fitted with scikit-learn (logistic regression or a one-hidden-layer MLP) and evaluated here
with NumPy, so loading shipped weights never executes code from a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class FeatureClassifier:
    """``p = sigmoid(mlp((x - mean) / scale))`` with ReLU hidden layers.

    Parameters
    ----------
    mean, scale : ndarray
        Standardisation learnt on the training features.
    weights, biases : list of ndarray
        Layer parameters; one layer is logistic regression.

    Examples
    --------
    >>> clf = FeatureClassifier(np.zeros(2), np.ones(2), [np.array([[1.0], [0.0]])], [np.zeros(1)])
    >>> clf.predict_proba(np.array([[0.0, 5.0]])).round(2)
    array([0.5])
    """

    mean: np.ndarray
    scale: np.ndarray
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """Log-odds for each row of ``x``."""
        h = (np.atleast_2d(np.asarray(x, dtype=np.float64)) - self.mean) / self.scale
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            if i < len(self.weights) - 1:
                h = np.maximum(h, 0.0)
        return h[:, 0]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Probability of the positive (machine-made) class for each row."""
        z = np.clip(self.decision_function(x), -40, 40)
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def fit(
        cls, x: np.ndarray, y: np.ndarray, *, hidden: int = 0, seed: int = 0, c: float = 1.0
    ) -> FeatureClassifier:
        """Fit on features ``x`` and labels ``y`` (1 = machine-made).

        ``hidden=0`` fits an L2 logistic regression; otherwise an MLP with one hidden layer.
        """
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y)
        mean = x.mean(axis=0)
        scale = x.std(axis=0) + 1e-6
        z = (x - mean) / scale
        if hidden <= 0:
            from sklearn.linear_model import LogisticRegression

            m = LogisticRegression(C=c, max_iter=3000).fit(z, y)
            return cls(mean, scale, [m.coef_.T.copy()], [m.intercept_.copy()])
        from sklearn.neural_network import MLPClassifier

        m = MLPClassifier(
            hidden_layer_sizes=(hidden,),
            alpha=1e-2 / c,
            max_iter=600,
            early_stopping=True,
            validation_fraction=0.15,
            n_iter_no_change=30,
            random_state=seed,
        ).fit(z, y)
        return cls(mean, scale, [w.copy() for w in m.coefs_], [b.copy() for b in m.intercepts_])

    def save(self, path: str | Path) -> None:
        arrays = {"mean": self.mean, "scale": self.scale, "n_layers": np.array(len(self.weights))}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            arrays[f"w{i}"] = w
            arrays[f"b{i}"] = b
        for k, v in self.extra.items():
            arrays[f"extra_{k}"] = v
        np.savez_compressed(path, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> FeatureClassifier:
        with np.load(path, allow_pickle=False) as f:
            n = int(f["n_layers"])
            extra = {k[6:]: f[k] for k in f.files if k.startswith("extra_")}
            return cls(
                f["mean"], f["scale"], [f[f"w{i}"] for i in range(n)],
                [f[f"b{i}"] for i in range(n)], extra,
            )  # fmt: skip
