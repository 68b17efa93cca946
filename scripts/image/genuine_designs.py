"""Candidate designs of the genuine-generator protocol (``genuine_protocol.py``): the cached data,
the folds, linear probes on cached features, the shipped detectors as they are, and fusions.

A design is a function ``(data, train_indices, view, test_indices) -> log-odds``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

CONDITIONS = ("clean", "jpeg90")
#: Column subsets of the MobileNetV2 features (means of stages 3,6,10,13,16,17,18, then stds of
#: 3,6,10,13): "early" = stages 3 and 6 (stride 4 and 8), "mid" = stages 3 to 13.
COLUMNS = {
    "early": np.r_[0:56, 1976:2032],
    "early10": np.r_[0:120, 1976:2096],
    "mid": np.r_[0:216, 1976:2192],
}
#: Layers exposed by ``vit_features.py`` (13 = the final norm); per layer CLS then mean patch token.
VIT_LAYERS = (2, 4, 6, 8, 10, 12, 13)
VIT_WIDTH = 384


def vit_columns(layers: tuple[int, ...], parts: str = "cm") -> np.ndarray:
    """Columns of the token features of ``layers``; ``parts``: c = CLS, m = mean patch token."""
    cols = []
    for layer in layers:
        base = VIT_LAYERS.index(layer) * 2 * VIT_WIDTH
        if "c" in parts:
            cols.append(np.arange(base, base + VIT_WIDTH))
        if "m" in parts:
            cols.append(np.arange(base + VIT_WIDTH, base + 2 * VIT_WIDTH))
    return np.concatenate(cols)


VIT_GROUPS = {"early": (2, 4), "middle": (6, 8), "late": (10, 12, 13), "all": VIT_LAYERS}
COLUMNS.update({f"v{name}": vit_columns(ls) for name, ls in VIT_GROUPS.items()})
COLUMNS.update({f"v{layer}": vit_columns((layer,)) for layer in VIT_LAYERS})
COLUMNS.update({f"v{layer}c": vit_columns((layer,), "c") for layer in VIT_LAYERS})
COLUMNS.update({f"v{layer}m": vit_columns((layer,), "m") for layer in VIT_LAYERS})
TINY = 10  # families with fewer crops are reported, not used for the decision criterion
EPS = 1e-6


@dataclass
class Data:
    label: np.ndarray  # 1 = fake
    group: np.ndarray  # family or real source
    feats: dict[str, dict[str, np.ndarray]]  # view -> name -> array
    aug_views: list[str]
    #: Extra real photos (never tested) added to every fold's training: view -> name -> array.
    extra: dict[str, dict[str, np.ndarray]] | None = None
    #: Simulated fakes (never tested) added to every fold's training.
    extra_fake: dict[str, dict[str, np.ndarray]] | None = None


def load_cache(
    cache: Path,
    extra_real: bool = False,
    extra_fake: bool = False,
    token_sets: tuple[str, ...] = ("dinov2", "dinov2_noise05"),
) -> Data:
    """The feature cache; ``CACHE/<set>/<view>.npz`` token features (``vit_features.py``) join
    each view as ``feats[view][<set>]`` where they exist."""
    with open(cache / "index.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    views = {p.stem: dict(np.load(p)) for p in sorted(cache.glob("*.npz"))}
    aug = sorted(v for v in views if v.startswith("aug"))

    def add_tokens(feats: dict[str, dict[str, np.ndarray]], sub: str) -> None:
        for name in token_sets:
            for v in feats:
                path = cache / name / sub / f"{v}.npz"
                if path.exists():
                    feats[v][name] = np.load(path)["tokens"]

    add_tokens(views, "")
    add_rigid(views)
    extra = extra_f = None
    if extra_real:
        extra = {v: dict(np.load(cache / "extra_real" / f"{v}.npz")) for v in aug}
        add_tokens(extra, "extra_real")
    if extra_fake:
        extra_f = {v: dict(np.load(cache / "extra_fake" / f"{v}.npz")) for v in aug}
    return Data(
        label=np.array([r["label"] == "fake" for r in rows], dtype=int),
        group=np.array([r["group"] for r in rows]),
        feats=views,
        aug_views=aug,
        extra=extra,
        extra_fake=extra_f,
    )


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)


def add_rigid(feats: dict[str, dict[str, np.ndarray]], noisy: str = "dinov2_noise05") -> None:
    """RIGID features (He et al. 2024): per exposed ViT layer, the cosine similarity of the CLS
    and of the mean patch token with and without input noise (14 numbers per image)."""
    for f in feats.values():
        if "dinov2" in f and noisy in f:
            a, b = f["dinov2"], f[noisy]
            f["rigid"] = np.stack(
                [cosine(a[:, i : i + VIT_WIDTH], b[:, i : i + VIT_WIDTH])
                 for i in range(0, a.shape[1], VIT_WIDTH)], 1)  # fmt: skip


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


def folds(data: Data) -> list[tuple[str, str]]:
    fams = sorted(set(data.group[data.label == 1]))
    srcs = sorted(set(data.group[data.label == 0]))
    return [(f, srcs[k % len(srcs)]) for k, f in enumerate(fams)]


class Probe:
    """Logistic regression on standardised backbone features (optionally with detector logits)."""

    def __init__(
        self,
        c: float,
        extra: tuple[str, ...] = (),
        blocks: tuple[str, ...] = ("mobilenet",),
        balanced: bool = False,
    ) -> None:
        self.c, self.extra, self.blocks, self.balanced = c, extra, blocks, balanced

    def matrix_of(self, feats: dict[str, np.ndarray], idx=slice(None)) -> np.ndarray:
        parts = []
        for b in self.blocks:
            name, _, cols = b.partition(":")
            x = feats[name][idx]
            parts.append(np.nan_to_num(x[:, COLUMNS[cols]] if cols else x, posinf=0, neginf=0))
        return np.hstack(parts)

    def matrix(self, data: Data, view: str, idx: np.ndarray) -> np.ndarray:
        parts = [self.matrix_of(data.feats[view], idx)]
        parts += [logit(data.feats[view][n][idx])[:, None] for n in self.extra]
        return np.hstack(parts)

    def has_blocks(self, feats: dict[str, np.ndarray]) -> bool:
        return all(b.partition(":")[0] in feats for b in self.blocks)

    def fit(self, data: Data, train: np.ndarray) -> Probe:
        views = [v for v in data.aug_views if self.has_blocks(data.feats[v])]
        assert views, f"no training view has {self.blocks}"
        x = np.vstack([self.matrix(data, v, train) for v in views])
        y = np.concatenate([data.label[train]] * len(views))
        g = np.concatenate([data.group[train]] * len(views))
        if data.extra is not None:
            ex = [self.matrix_of(data.extra[v]) for v in views if self.has_blocks(data.extra[v])]
            x = np.vstack([x, *ex])
            y = np.concatenate([y, np.zeros(sum(len(e) for e in ex), dtype=int)])
            g = np.concatenate([g, np.full(sum(len(e) for e in ex), "extra-real")])
        if data.extra_fake is not None:
            ex = [self.matrix_of(data.extra_fake[v]) for v in views]
            x = np.vstack([x, *ex])
            y = np.concatenate([y, np.ones(sum(len(e) for e in ex), dtype=int)])
            g = np.concatenate([g, np.full(sum(len(e) for e in ex), "extra-fake")])
        self.mu, self.sd = x.mean(0), x.std(0) + 1e-6
        w = None
        if self.balanced:  # every family / real source the same total weight
            names, inverse, counts = np.unique(g, return_inverse=True, return_counts=True)
            w = len(g) / len(names) / counts[inverse]
        self.lr = LogisticRegression(C=self.c, max_iter=3000)
        self.lr.fit((x - self.mu) / self.sd, y, sample_weight=w)
        return self

    def score(self, data: Data, view: str, idx: np.ndarray) -> np.ndarray:
        return self.lr.decision_function((self.matrix(data, view, idx) - self.mu) / self.sd)


def rigid(column: int) -> Callable:
    """Training-free RIGID score: minus the token similarity under noise (fakes move more)."""

    def run(data: Data, train: np.ndarray, view: str, idx: np.ndarray) -> np.ndarray:
        sim = data.feats[view]["rigid"][idx, column]
        return -np.log(np.clip(sim, 1e-6, 1 - 1e-6) / (1 - np.clip(sim, 1e-6, 1 - 1e-6)))

    return run


def fixed(name: str) -> Callable:
    """A shipped detector, not retrained: its logit on each view."""

    def run(data: Data, train: np.ndarray, view: str, idx: np.ndarray) -> np.ndarray:
        return logit(data.feats[view][name][idx])

    return run


def probe_design(
    c: float,
    extra: tuple[str, ...] = (),
    blocks: tuple[str, ...] = ("mobilenet",),
    balanced: bool = False,
) -> Callable:
    cache: dict[bytes, Probe] = {}

    def run(data: Data, train: np.ndarray, view: str, idx: np.ndarray) -> np.ndarray:
        key = train.tobytes()
        if key not in cache:
            cache[key] = Probe(c, extra, blocks, balanced).fit(data, train)
        return cache[key].score(data, view, idx)

    return run


class NonNegativeFuser:
    """Logistic fusion whose detector weights are all >= 0: a detector with a negative weight
    (the more it says "machine-made", the more "real") is dropped and the rest refitted."""

    def __init__(self, lr: LogisticRegression, keep: np.ndarray) -> None:
        self.lr, self.keep = lr, keep

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        if not self.keep.any():
            return np.zeros(len(x))
        return self.lr.decision_function(x[:, self.keep])


def fit_nonnegative(x: np.ndarray, y: np.ndarray) -> NonNegativeFuser:
    keep = np.ones(x.shape[1], dtype=bool)
    while keep.any():
        lr = LogisticRegression(C=1.0, max_iter=1000).fit(x[:, keep], y)
        if (lr.coef_[0] >= 0).all():
            return NonNegativeFuser(lr, keep)
        keep[np.flatnonzero(keep)[lr.coef_[0] < 0]] = False
    return NonNegativeFuser(None, keep)  # type: ignore[arg-type]


def fused_design(
    c: float,
    detectors: tuple[str, ...],
    inner: int = 4,
    blocks: tuple[str, ...] = ("mobilenet",),
) -> Callable:
    """Probe + shipped detectors fused by a logistic fuser fitted on INNER out-of-fold probe
    scores of the training crops (clean and q90 views), as ``fakescope train image`` does."""
    cache: dict[bytes, tuple[Probe, LogisticRegression]] = {}

    def fit(data: Data, train: np.ndarray):
        groups = sorted(set(data.group[train]))
        rng = np.random.default_rng(0)
        rng.shuffle(groups)
        inner_of = {g: i % inner for i, g in enumerate(groups)}
        fold_id = np.array([inner_of[g] for g in data.group[train]])
        rows, ys = [], []
        for k in range(inner):
            tr, te = train[fold_id != k], train[fold_id == k]
            p = Probe(c, blocks=blocks).fit(data, tr)
            for view in CONDITIONS:
                cols = [p.score(data, view, te)]
                cols += [logit(data.feats[view][n][te]) for n in detectors]
                rows.append(np.column_stack(cols))
                ys.append(data.label[te])
        fuser = fit_nonnegative(np.vstack(rows), np.concatenate(ys))
        return Probe(c, blocks=blocks).fit(data, train), fuser

    def run(data: Data, train: np.ndarray, view: str, idx: np.ndarray) -> np.ndarray:
        key = train.tobytes()
        if key not in cache:
            cache[key] = fit(data, train)
        probe, fuser = cache[key]
        cols = [probe.score(data, view, idx)] + [logit(data.feats[view][n][idx]) for n in detectors]
        return fuser.decision_function(np.column_stack(cols))

    return run


EARLY = ("mobilenet:early",)


def vit_designs() -> dict[str, Callable[[], Callable]]:
    """Probes on the DINOv2 ViT-S token features (``vit_features.py``), per layer group and C."""
    out: dict[str, Callable[[], Callable]] = {}
    for cols in [f"v{g}" for g in VIT_GROUPS] + [f"v{x}" for x in VIT_LAYERS]:
        for c in (0.01, 0.1, 1.0):
            blocks = (f"dinov2:{cols}",)
            out[f"dino-{cols[1:]}-c{c:g}"] = lambda c=c, b=blocks: probe_design(c, blocks=b)
    for cols in ("vall", "vlate", "v12", "vmiddle"):
        for c in (0.01, 0.1):
            blocks = (f"dinov2:{cols}",)
            out[f"dino-{cols[1:]}-c{c:g}-bal"] = lambda c=c, b=blocks: probe_design(
                c, blocks=b, balanced=True
            )
    for cols in ("vlate", "v12", "vall"):
        for c in (0.01, 0.1):
            blocks = ("mobilenet:early", f"dinov2:{cols}")
            out[f"probe-early+dino-{cols[1:]}-c{c:g}"] = lambda c=c, b=blocks: probe_design(
                c, blocks=b
            )
    for k, layer in enumerate(VIT_LAYERS):
        out[f"rigid-{layer}c"] = lambda k=k: rigid(2 * k)
        out[f"rigid-{layer}m"] = lambda k=k: rigid(2 * k + 1)
    for layer in VIT_LAYERS:
        for part in "cm":
            blocks = (f"dinov2:v{layer}{part}",)
            out[f"dino-{layer}{part}-c0.1"] = lambda b=blocks: probe_design(0.1, blocks=b)
    return out


DESIGNS: dict[str, Callable[[], Callable]] = {
    "spectrum": lambda: fixed("spectrum"),
    "residual-cnn": lambda: fixed("residual-cnn"),
    "anomaly": lambda: fixed("anomaly"),
    "probe-c0.01": lambda: probe_design(0.01),
    "probe-c0.1": lambda: probe_design(0.1),
    "probe-c1": lambda: probe_design(1.0),
    "probe-early": lambda: probe_design(0.1, blocks=("mobilenet:early",)),
    "probe-early-bal": lambda: probe_design(0.1, blocks=EARLY, balanced=True),
    "probe-early-c0.01-bal": lambda: probe_design(0.01, blocks=EARLY, balanced=True),
    "probe-early-c0.01": lambda: probe_design(0.01, blocks=("mobilenet:early",)),
    "probe-early-c1": lambda: probe_design(1.0, blocks=("mobilenet:early",)),
    "probe-early10": lambda: probe_design(0.1, blocks=("mobilenet:early10",)),
    "probe-mid": lambda: probe_design(0.1, blocks=("mobilenet:mid",)),
    "probe-mid+spectrum-features": lambda: probe_design(
        0.1, blocks=("mobilenet:mid", "spectrum_features")
    ),
    "lowlevel-probe": lambda: probe_design(0.1, blocks=("lowlevel",)),
    "probe-early+lowlevel": lambda: probe_design(0.1, blocks=("mobilenet:early", "lowlevel")),
    "spectrum-probe": lambda: probe_design(0.1, blocks=("spectrum_features",)),
    "probe+spectrum-features": lambda: probe_design(0.1, blocks=("mobilenet", "spectrum_features")),
    "fused": lambda: fused_design(0.1, ("spectrum", "residual-cnn")),
    "fused+anomaly": lambda: fused_design(0.1, ("spectrum", "residual-cnn", "anomaly")),
    "fused-early": lambda: fused_design(0.1, ("spectrum", "residual-cnn"), blocks=EARLY),
    "probe-early+anomaly": lambda: fused_design(0.1, ("anomaly",), blocks=EARLY),
    "fused-early-no-spectrum": lambda: fused_design(0.1, ("residual-cnn",), blocks=EARLY),
    "fused-early+anomaly": lambda: fused_design(
        0.1, ("spectrum", "residual-cnn", "anomaly"), blocks=EARLY
    ),
}
DESIGNS.update(vit_designs())
