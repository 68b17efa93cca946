"""Training on GENUINE generator outputs: the ``backbone-probe`` and the image fusion model.

``fakescope train image --genuine DIR`` reads ``DIR/real/`` and ``DIR/fake/`` (any depth). A file
named ``<group>__<rest>`` belongs to group ``<group>`` (a generator family for fakes, a photo
source for reals, as in ``../shared/datasets/images``); other files are their own group. Groups
are never split between the folds used to fit the fusion.

1. Every image gets ``views`` random web-laundered views (the same chain for both classes,
   :func:`~fakescope.image.augment.web_launder`) and pooled MobileNetV2 features of each view.
2. The probe: standardised logistic regression on all views (``C`` fixed by the protocol).
3. The fusion: the probe's GROUP-out-of-fold scores of the clean and JPEG-q90 views, with the
   other pixel detectors' scores, fit a :class:`~fakescope.core.fusion.LogisticFuser`; its
   "likely synthetic" threshold is a quantile of the fused out-of-fold scores of the real images.
   A second fusion without the probe is kept for an install without the backbone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from fakescope.image.augment import encode, web_launder
from fakescope.image.fusion import ImageFuser

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}
EVAL_VIEWS = ("clean", "jpeg90")
PROBE_C = 0.1
#: Last MobileNetV2 stage the probe reads (6: the stride-4 and stride-8 stages only), chosen by
#: the leave-one-family-out protocol (docs/image.md).
PROBE_STOP = 6
#: Detector sets with their own fusion, for scans that add opt-in detectors (``--extra``) or lack
#: the backbone; the default fusion is the probe alone (the protocol found that adding the
#: others lowered the worst held-out family, docs/image.md).
VARIANTS = (
    ("residual-cnn", "spectrum"),
    ("backbone-probe", "residual-cnn", "spectrum"),
    ("anomaly", "backbone-probe"),
    ("anomaly", "backbone-probe", "residual-cnn", "spectrum"),
)
#: Quantile of the real images' out-of-fold fused scores used as the "likely synthetic" threshold:
#: the smallest one for which, in the leave-one-source-out protocol, no held-out real source had
#: more than 5 % of its photos called "likely synthetic" (0.97 let 12 % of one source through).
REAL_QUANTILE = 0.995


def group_of(path: Path) -> str:
    """``<group>`` of a ``<group>__<rest>`` file name, else the stem.

    Examples
    --------
    >>> group_of(Path("fake/sd1__000002025__0.webp"))
    'sd1'
    >>> group_of(Path("photo.jpg"))
    'photo'
    """
    m = re.match(r"(.+?)__", path.name)
    return m.group(1) if m else path.stem


def read_genuine(folder: Path, min_side: int = 128) -> tuple[list[np.ndarray], np.ndarray, list]:
    """(images, labels 1 = fake, groups) from ``folder/real`` and ``folder/fake``.

    Raises ``ValueError`` naming the folder when a class is missing or an image is unreadable.
    """
    from PIL import Image

    images, labels, groups = [], [], []
    for label, sub in ((0, "real"), (1, "fake")):
        files = sorted(p for p in (Path(folder) / sub).rglob("*") if p.suffix.lower() in IMAGE_EXTS)
        if not files:
            raise ValueError(f"{Path(folder) / sub}: no images (expected real/ and fake/ folders)")
        for p in files:
            try:
                with Image.open(p) as im:
                    arr = np.asarray(im.convert("RGB"))
            except OSError as exc:
                raise ValueError(f"{p}: cannot be read as an image ({exc})") from exc
            if min(arr.shape[:2]) < min_side:
                continue
            images.append(arr[:512, :512])
            labels.append(label)
            groups.append(f"{sub}/{group_of(p)}")
    return images, np.asarray(labels), groups


def make_view(images: list[np.ndarray], view: str) -> list[np.ndarray]:
    """``clean`` (as stored), ``jpeg90`` (JPEG q90) or ``augK`` (K-th seeded web view)."""
    if view == "clean":
        return images
    if view == "jpeg90":
        return [encode(x, "JPEG", 90) for x in images]
    k = int(view[3:])
    return [web_launder(x, np.random.default_rng([19, k, i])) for i, x in enumerate(images)]


def backbone_features(net, images: list[np.ndarray], batch: int = 16) -> np.ndarray:
    """Features of images of any sizes (batched by size)."""
    from fakescope.image.backbone import feature_size

    out = np.zeros((len(images), feature_size()), np.float32)
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, x in enumerate(images):
        groups.setdefault(x.shape, []).append(i)
    for idx in groups.values():
        for s in range(0, len(idx), batch):
            chunk = idx[s : s + batch]
            out[chunk] = net.features(np.stack([images[i] for i in chunk]))
    return out


def detector_scores(detector, images: list[np.ndarray]) -> np.ndarray:
    """A detector's score of each image (NaN where it abstains)."""
    from fakescope.core.media import Media

    medias = [Media(f"{i}.png", "image", x, {"format": "PNG"}) for i, x in enumerate(images)]
    batch = getattr(detector, "score_batch", None)
    scores: list[float] = []
    for s in range(0, len(medias), 32):
        chunk = medias[s : s + 32]
        ev = batch(chunk) if batch else [detector.score(m) for m in chunk]
        scores += [np.nan if e.score is None else float(e.score) for e in ev]
    return np.asarray(scores)


def fit_probe(
    features: list[np.ndarray],
    labels: np.ndarray,
    c: float = PROBE_C,
    extra_real: list[np.ndarray] | None = None,
):
    """The probe fitted on every view (``features``: one (N, D) array per view), plus the views
    of extra real images (label 0) when given."""
    from fakescope.image.classifier import FeatureClassifier

    x = np.vstack(features + list(extra_real or []))
    y = np.concatenate([labels] * len(features) + [np.zeros(len(e), int) for e in extra_real or []])
    return FeatureClassifier.fit(x, y, c=c)


def group_folds(groups: list[str], labels: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Fold index of each item; a group is never split, fakes and reals spread over the folds.

    Examples
    --------
    >>> group_folds(["a", "a", "b", "c"], np.array([1, 1, 0, 0]), 2).tolist()
    [0, 0, 0, 1]
    """
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(groups), dtype=int)
    for label in (1, 0):
        names = sorted({g for g, y in zip(groups, labels, strict=True) if y == label})
        rng.shuffle(names)
        of = {g: i % k for i, g in enumerate(names)}
        for i, (g, y) in enumerate(zip(groups, labels, strict=True)):
            if y == label:
                fold[i] = of[g]
    return fold


def out_of_fold_probe(
    train_feats: list[np.ndarray],
    eval_feats: dict[str, np.ndarray],
    labels: np.ndarray,
    folds: np.ndarray,
    c: float = PROBE_C,
    extra_real: list[np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Probe log-odds of each evaluation view, every item scored by a probe that never saw its
    group (the extra real images are in every fold's training set)."""
    out = {v: np.zeros(len(labels)) for v in eval_feats}
    for k in np.unique(folds):
        tr, te = folds != k, folds == k
        probe = fit_probe([f[tr] for f in train_feats], labels[tr], c, extra_real)
        for v, f in eval_feats.items():
            out[v][te] = probe.decision_function(f[te])
    return out


def fit_fusion(
    scores: dict[str, dict[str, np.ndarray]], labels: np.ndarray, quantile: float = REAL_QUANTILE
):
    """A LogisticFuser over the detectors in ``scores`` (detector -> view -> probabilities), fitted
    on all views pooled, with every weight >= 0: a detector that gets a negative weight (the more
    it says "machine-made", the more "real") is dropped and the rest refitted, since such a sign
    cannot be trusted on generators the data does not have. The "likely synthetic" threshold is
    ``quantile`` of the real items' fused scores."""
    from fakescope.core.fusion import LogisticFuser

    names = sorted(scores)
    views = list(next(iter(scores.values())))
    pooled = {n: np.concatenate([scores[n][v] for v in views]).tolist() for n in names}
    y = np.concatenate([labels] * len(views)).tolist()
    keep = list(names)
    while True:
        fuser = LogisticFuser.fit({n: pooled[n] for n in keep}, y)
        negative = [n for n in keep if fuser.coef[n] < 0]
        if not negative or len(keep) == 1:
            break
        keep = [n for n in keep if n not in negative]
    for n in names:  # a dropped detector is counted, with weight 0, not silently unknown
        fuser.coef.setdefault(n, 0.0)
    fuser.coef = {n: max(0.0, w) for n, w in sorted(fuser.coef.items())}
    fused = np.array(
        [fuser._fuse_logits([_logit(pooled[n][i]) for n in names], names) for i in range(len(y))]
    )
    hi = float(np.quantile(fused[np.asarray(y) == 0], quantile))
    hi = min(0.99, max(0.5, hi))
    fuser.thresholds = (min(0.3, hi / 2), hi)
    fuser.decision_threshold = hi
    return fuser, fused


def _logit(p: float) -> float:
    from fakescope.core.fusion import logit

    return logit(p)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def read_extra_real(folder: Path) -> list[np.ndarray]:
    """Images under ``folder`` (any depth), for the extra real photos."""
    from PIL import Image

    files = sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in IMAGE_EXTS)
    if not files:
        raise ValueError(f"{folder}: no images")
    out = []
    for p in files:
        try:
            with Image.open(p) as im:
                out.append(np.asarray(im.convert("RGB"))[:512, :512])
        except OSError as exc:
            raise ValueError(f"{p}: cannot be read as an image ({exc})") from exc
    return out


def train_genuine(
    folder: Path,
    out: Path,
    *,
    views: int = 4,
    folds: int = 5,
    c: float = PROBE_C,
    stop: int = PROBE_STOP,
    extra_real: Path | None = None,
    cache: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Train ``probe.npz`` and refit ``fusion.json`` in ``out`` from genuine data in ``folder``.

    ``extra_real``: a folder of more camera photos (e.g. ``build_real_corpus.py`` output) added
    to the probe's training only. The other pixel detectors are read from ``out`` when it has
    their weights, else the shipped ones. Returns a summary for ``training_report.json``.
    """
    from fakescope.image.backbone import MobileNetFeatures, columns
    from fakescope.image.residual_cnn import ResidualCNNDetector
    from fakescope.image.spectrum import SpectrumDetector

    images, labels, groups = read_genuine(folder)
    n_fake = int(labels.sum())
    if n_fake < 20 or len(labels) - n_fake < 20:
        raise ValueError(f"{folder}: need at least 20 real and 20 fake images of 128 px or more")
    log(f"{len(images)} images ({n_fake} fake, {len(set(groups))} groups)")
    net = MobileNetFeatures()  # the whole network: the cache keeps every stage
    cols = columns(stop)
    spec, cnn = out / "spectrum.npz", out / "residual_cnn.npz"
    others = {
        "spectrum": SpectrumDetector(spec if spec.exists() else None),
        "residual-cnn": ResidualCNNDetector(cnn if cnn.exists() else None),
    }
    try:  # the opt-in one-class model, when its weights are installed
        from fakescope.anomaly.detector import AnomalyDetector

        others["anomaly"] = AnomalyDetector()
    except (ImportError, FileNotFoundError) as exc:
        log(f"anomaly not scored ({exc}); no fusion variant with it")

    def view_data(view: str, imgs: list[np.ndarray], where: Path | None, scored: bool) -> dict:
        path = where / f"{view}.npz" if where else None
        data = dict(np.load(path)) if path and path.exists() else {}
        if len(data.get("mobilenet", ())) != len(imgs):
            data = {}
        pixels = None
        if "mobilenet" not in data:
            pixels = make_view(imgs, view)
            data["mobilenet"] = backbone_features(net, pixels)
        for name, det in others.items() if scored else ():
            if name not in data:
                pixels = pixels if pixels is not None else make_view(imgs, view)
                data[name] = detector_scores(det, pixels)
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, **data)
        log(f"  view {view} of {len(imgs)} images: done")
        return data

    train_feats = [view_data(f"aug{k}", images, cache, False)["mobilenet"][:, cols]
                   for k in range(views)]  # fmt: skip
    evals = {v: view_data(v, images, cache, True) for v in EVAL_VIEWS}
    extra = None
    if extra_real is not None:
        ex_images = read_extra_real(extra_real)
        where = cache / "extra_real" if cache else None
        extra = [view_data(f"aug{k}", ex_images, where, False)["mobilenet"][:, cols]
                 for k in range(views)]  # fmt: skip
    probe = fit_probe(train_feats, labels, c, extra)
    probe.extra["stop"] = np.array(stop)
    out.mkdir(parents=True, exist_ok=True)
    probe.save(out / "probe.npz")
    fold = group_folds(groups, labels, folds)
    eval_feats = {v: evals[v]["mobilenet"][:, cols] for v in EVAL_VIEWS}
    oof = out_of_fold_probe(train_feats, eval_feats, labels, fold, c, extra)
    scores = {"backbone-probe": {v: sigmoid(oof[v]) for v in EVAL_VIEWS}}
    for name in others:
        scores[name] = {v: np.nan_to_num(evals[v][name], nan=0.5) for v in EVAL_VIEWS}
    fuser, fused = fit_fusion({"backbone-probe": scores["backbone-probe"]}, labels)
    summary = _summary(scores, fused, labels, groups)
    summary.update({"data": str(folder), "extra_real": str(extra_real) if extra_real else None,
                    "views": views, "folds": folds, "probe_c": c, "probe_stop": stop})  # fmt: skip
    fitted_on = ("group-out-of-fold scores of genuine generator outputs and camera photos "
                 "(clean and JPEG q90)")  # fmt: skip
    fuser.info = {"fitted_on": fitted_on, **summary["oof"]}
    variants = []
    for names in VARIANTS:
        if all(n in scores for n in names):
            variant, _ = fit_fusion({n: scores[n] for n in names}, labels)
            variant.info = {"fitted_on": fitted_on, "use": "opt-in detectors " + ", ".join(names)}
            variants.append(variant)
    ImageFuser(fuser, info={"trained_by": "fakescope train image --genuine"},
               variants=variants).save(out / "fusion.json")  # fmt: skip
    log(
        f"out-of-fold AUC {summary['oof']['auc']}; "
        f"threshold {fuser.thresholds[1]:.3f}; weights in {out}"
    )
    return summary


def _summary(scores: dict, fused: np.ndarray, labels: np.ndarray, groups: list[str]) -> dict:
    from fakescope.core.metrics import roc_auc

    n = len(labels)
    auc = {
        name: {v: round(roc_auc(labels, s[v]), 4) for v in EVAL_VIEWS} for name, s in scores.items()
    }
    auc["fused"] = {v: round(roc_auc(labels, fused[i * n : (i + 1) * n]), 4)
                    for i, v in enumerate(EVAL_VIEWS)}  # fmt: skip
    return {"n_images": n, "n_fake": int(labels.sum()), "groups": len(set(groups)),
            "oof": {"auc": auc}}  # fmt: skip
