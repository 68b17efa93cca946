"""The robustness engine: clean scores, laundering sweeps and attacks over labelled media.

:func:`run_robustness` loads real and fake files, scores them with the same
:class:`~fakescope.core.pipeline.Scanner` as ``fakescope scan``, then re-scores laundered copies
(every transform family at every strength) and attacked copies (every attack at every budget)
and summarises each condition: ROC-AUC, TPR at 1 % FPR, EER, and for attacks the success rate
(share of correctly judged files whose verdict flips). The CLI, the adversarial-training report
and the benchmark call it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from fakescope.core import metrics
from fakescope.core.fusion import DEFAULT_DECISION_THRESHOLD
from fakescope.core.media import Media
from fakescope.robustness.adapters import DEFAULT_TARGETS, adapter_for
from fakescope.robustness.attacks import ATTACKS
from fakescope.robustness.transforms import families

Progress = Callable[[int, int, str], None]
FUSED = "fused"


@dataclass
class Settings:
    """What a robustness run measures (every field has a default a user can run as is)."""

    detector: str | None = None  # the score judged: one detector, or None for the fused verdict
    target: str | None = None  # the differentiable detector attacked (default per modality)
    transforms: list[str] | None = None  # family names; None: the modality's defaults
    attacks: list[str] = field(default_factory=lambda: ["fgsm", "pgd", "pgd-l2", "square"])
    budgets: dict[str, list[float]] | None = None  # per attack; None: the adapter's defaults
    steps: int = 10
    queries: int = 200
    limit: int | None = None  # files per class (random sample), None: all
    seed: int = 0
    fooling: int = 0  # fooling images per direction and method (images only)
    fooling_generations: int = 300
    fooling_size: int = 256  # side of the fooling images, pixels
    fooling_methods: list[str] | None = None  # "direct", "cppn", "gradient"; None: all
    extra: list[str] = field(default_factory=list)


def summarise(labels: Sequence[int], scores: Sequence[float | None], threshold: float) -> dict:
    """AUC, TPR at 1 % FPR, EER and accuracy of the non-abstaining samples.

    Examples
    --------
    >>> s = summarise([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.9], 0.5)
    >>> s["roc_auc"], s["accuracy"], s["n_abstained"]
    (0.75, 0.75, 0)
    """
    keep = [i for i, s in enumerate(scores) if s is not None]
    y = np.array([labels[i] for i in keep], dtype=int)
    s = np.array([scores[i] for i in keep], dtype=float)
    out: dict[str, Any] = {"n_real": int((y == 0).sum()), "n_fake": int((y == 1).sum()),
                           "n_abstained": len(scores) - len(keep)}  # fmt: skip
    if (y == 0).any() and (y == 1).any():
        out["roc_auc"] = round(float(metrics.roc_auc(y, s)), 4)
        out["tpr_at_1pct_fpr"] = round(float(metrics.tpr_at_fpr(y, s, 0.01)), 4)
        out["eer"] = round(float(metrics.equal_error_rate(y, s)[0]), 4)
        out["accuracy"] = round(float(np.mean((s >= threshold) == (y == 1))), 4)
    else:
        out.update(roc_auc=None, tpr_at_1pct_fpr=None, eer=None, accuracy=None)
    return out


def success_rate(
    labels: Sequence[int], clean: Sequence[float | None], attacked: Sequence[float | None],
    threshold: float,
) -> float | None:  # fmt: skip
    """Share of files judged correctly when clean whose verdict the attack flipped.

    Examples
    --------
    >>> success_rate([0, 1, 1], [0.2, 0.9, 0.3], [0.7, 0.4, 0.1], 0.5)
    1.0
    """
    judged = fooled = 0
    for y, a, b in zip(labels, clean, attacked, strict=True):
        if a is None or b is None or (a >= threshold) != bool(y):
            continue
        judged += 1
        fooled += (b >= threshold) != bool(y)
    return round(fooled / judged, 4) if judged else None


class RobustnessRun:
    """One run over already-loaded media of one modality (see :func:`run_robustness`)."""

    def __init__(self, settings: Settings, progress: Progress | None = None) -> None:
        from fakescope.core.pipeline import Scanner

        self.settings = settings
        self.progress = progress
        names = [n for n in [settings.detector, settings.target] if n] + list(settings.extra)
        # One judged detector: only it (and the attacked one) run, not every default detector.
        self.scanner = Scanner(names) if settings.detector else Scanner(extra=names)
        self._done = 0
        self._total = 0

    # -- scoring ---------------------------------------------------------------------------
    def column(self) -> str:
        return self.settings.detector or FUSED

    def threshold(self, modality: str) -> float:
        if self.settings.detector:
            return DEFAULT_DECISION_THRESHOLD
        from fakescope.core.registry import get_fuser

        fuser = get_fuser(modality)
        return float(getattr(fuser, "decision_threshold", DEFAULT_DECISION_THRESHOLD))

    def default_target(self, modality: str) -> str | None:
        """The judged detector when it is differentiable, else the first default detector of the
        modality that has ``torch_module()`` (so new default detectors are attacked as they
        land), else the modality's fallback (``residual-cnn``, ``spec-cnn``)."""
        from fakescope.core.registry import detector_specs

        names = [self.settings.detector] if self.settings.detector else []
        names += [s.name for s in detector_specs(modality) if s.default]
        names += self.scanner.detector_names_for(modality)
        for name in names:
            try:
                if hasattr(self.scanner.detector(name), "torch_module"):
                    return name
            except Exception:  # a detector that cannot start is simply not attacked
                continue
        return DEFAULT_TARGETS.get(modality)

    def score(self, medias: list[Media], columns: Sequence[str]) -> dict[str, list]:
        """Scores of each column (``fused`` or a detector name) for each media."""
        out: dict[str, list] = {c: [] for c in columns}
        for i in range(0, len(medias), 16):
            for report in self.scanner.scan_media(medias[i : i + 16]):
                for c in columns:
                    v = report.score if c == FUSED else report.detector_scores.get(c)
                    out[c].append(None if report.error is not None else v)
        return out

    def _tick(self, n: int, label: str) -> None:
        self._done += n
        if self.progress is not None:
            self.progress(self._done, self._total, label)

    # -- the run ---------------------------------------------------------------------------
    def run(self, medias: list[Media], labels: list[int]) -> dict[str, Any]:
        s = self.settings
        modality = medias[0].modality
        col, thr = self.column(), self.threshold(modality)
        fams = families(modality, s.transforms)
        target = s.target or self.default_target(modality)
        names = self.scanner.detector_names
        if target is not None and names is not None and target not in names:
            from fakescope.core.pipeline import Scanner

            self.scanner = Scanner(names + [target])  # the attacked detector is scored too
        attackable = target is not None and modality in ("image", "audio") and s.attacks
        budgets = {}
        if attackable:
            adapter = adapter_for(modality)
            budgets = {a: list((s.budgets or {}).get(a) or adapter.budgets[a]) for a in s.attacks}
        n_steps = 1 + sum(len(f.strengths) for f in fams) + sum(len(b) for b in budgets.values())
        self._total = n_steps * len(medias) + (6 * s.fooling if modality == "image" else 0)
        self.target = target
        columns = [col] + ([target] if attackable and target != col else [])
        clean = self.score(medias, columns)
        self._tick(len(medias), "clean")
        result: dict[str, Any] = {
            "modality": modality,
            "column": col,
            "threshold": thr,
            "target": target if attackable else None,
            "clean": summarise(labels, clean[col], thr),
            "transforms": [],
            "attacks": [],
            "notes": [],
        }
        if not attackable:
            result["notes"].append(
                f"no attack on {modality}: no differentiable {modality} detector is attacked"
                if modality not in ("image", "audio") else "attacks not requested"
            )  # fmt: skip
        rng = np.random.default_rng(s.seed)
        for fam in fams:
            for strength in fam.strengths:
                transform = fam.build(strength)
                laundered = [transform.apply(m, rng) for m in medias]
                scores = self.score(laundered, [col])[col]
                row = {"family": fam.name, "strength": strength, "unit": fam.unit,
                       "name": transform.name, **summarise(labels, scores, thr)}  # fmt: skip
                result["transforms"].append(row)
                self._tick(len(medias), f"{fam.name} {strength}")
        for attack_name, eps_list in budgets.items():
            for eps in eps_list:
                attacked = self.attack(medias, labels, attack_name, eps, target, thr)
                scores = self.score(attacked, columns)
                row = {
                    "attack": attack_name,
                    "eps": eps,
                    "budget": adapter.format_budget(eps, attack_name),
                    "access": ATTACKS[attack_name].access,
                    **summarise(labels, scores[col], thr),
                    "success_rate": success_rate(labels, clean[col], scores[col], thr),
                }
                if target != col:
                    row["target_roc_auc"] = summarise(labels, scores[target], 0.5)["roc_auc"]
                    row["target_success_rate"] = success_rate(
                        labels, clean[target], scores[target], 0.5
                    )
                result["attacks"].append(row)
                self._tick(len(medias), f"{attack_name} {eps:g}")
        if s.fooling and modality == "image" and target:
            from fakescope.robustness.fooling import fooling_gallery

            module = self.scanner.detector(target).torch_module()
            result["fooling"] = fooling_gallery(
                module, self, n=s.fooling, generations=s.fooling_generations, seed=s.seed,
                tick=lambda label: self._tick(1, label), size=s.fooling_size,
                methods=s.fooling_methods,
            )  # fmt: skip
        return result

    # -- attacks ---------------------------------------------------------------------------
    def attack(
        self, medias: list[Media], labels: list[int], name: str, eps: float, target: str,
        threshold: float,
    ) -> list[Media]:  # fmt: skip
        """Attacked copies of ``medias``: white-box attacks on ``target``'s torch module;
        Square on the judged score itself (the fused verdict through the whole Scanner)."""
        import torch

        s = self.settings
        adapter = adapter_for(medias[0].modality, self.scanner.detector(target))
        parts = [adapter.tensors(m) for m in medias]
        cls = ATTACKS[name]
        kwargs: dict[str, Any] = {"bounds": adapter.bounds}
        if name in ("pgd", "pgd-l2"):
            kwargs.update(steps=s.steps, seed=s.seed)
        if name == "square":
            kwargs.update(queries=s.queries, seed=s.seed)
        groups: dict[tuple, list[tuple[int, int]]] = {}
        for i, ts in enumerate(parts):
            for j, t in enumerate(ts):
                groups.setdefault(tuple(t.shape), []).append((i, j))
        out = [list(ts) for ts in parts]
        for keys in groups.values():
            for k in range(0, len(keys), 16):
                chunk = keys[k : k + 16]
                x = torch.stack([parts[i][j] for i, j in chunk])
                y = torch.tensor([float(labels[i]) for i, _ in chunk])
                if cls.access == "score-only" and self.column() != target:
                    model = self._black_box([medias[i] for i, _ in chunk], adapter)
                    attack = cls(model, eps, threshold=_logit(threshold), **kwargs)
                else:
                    module = self.scanner.detector(target).torch_module()
                    attack = cls(module, eps, **kwargs)
                adv = attack(x, y)
                for (i, j), a in zip(chunk, adv, strict=True):
                    out[i][j] = a
        return [adapter.rebuild(m, ts) for m, ts in zip(medias, out, strict=True)]

    def _black_box(self, medias: list[Media], adapter) -> Callable:
        """Score-only model: each row of a batch rebuilt as its media and scanned."""
        import torch

        col = self.column()

        def model(batch):
            rebuilt = [adapter.rebuild(m, [row]) for m, row in zip(medias, batch, strict=True)]
            scores = self.score(rebuilt, [col])[col]
            return torch.tensor([_logit(0.5 if v is None else v) for v in scores])

        return model


def _logit(p: float) -> float:
    p = min(max(float(p), 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def load_labelled(
    real: Sequence[str], fake: Sequence[str], limit: int | None, seed: int
) -> tuple[list[Media], list[int], list[dict[str, str]]]:
    """Load real (label 0) and fake (label 1) media; ``limit`` draws a random subset per class.

    Returns the media, their labels and the files that failed (path and reason)."""
    from fakescope.core.loading import collect_inputs, load
    from fakescope.core.media import MediaError

    medias: list[Media] = []
    labels: list[int] = []
    failed: list[dict[str, str]] = []
    rng = np.random.default_rng(seed)
    for label, inputs in ((0, real), (1, fake)):
        items = collect_inputs(list(inputs))
        if limit is not None and len(items) > limit:
            items = [items[i] for i in sorted(rng.choice(len(items), limit, replace=False))]
        for item in items:
            if item.missing:
                failed.append({"path": item.path, "error": item.missing})
                continue
            try:
                loaded = load(item.path)
            except MediaError as exc:
                failed.append({"path": item.path, "error": exc.reason})
                continue
            medias.extend(loaded)
            labels.extend([label] * len(loaded))
    return medias, labels, failed


def run_robustness(
    real: Sequence[str],
    fake: Sequence[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Measure a detector (or the fused verdict) under laundering and attacks.

    Returns one result per modality found in the inputs (``{"results": [...], ...}``), the JSON
    contract of ``fakescope robustness --json``.

    Examples
    --------
    >>> out = run_robustness(["real/"], ["fake/"], Settings(limit=50))  # doctest: +SKIP
    >>> out["results"][0]["attacks"][0]["success_rate"]  # doctest: +SKIP
    0.93
    """
    settings = settings or Settings()
    medias, labels, failed = load_labelled(real, fake, settings.limit, settings.seed)
    by_modality: dict[str, list[int]] = {}
    for i, m in enumerate(medias):
        by_modality.setdefault(m.modality, []).append(i)
    results = []
    for _modality, idx in sorted(by_modality.items()):
        run = RobustnessRun(settings, progress)
        results.append(run.run([medias[i] for i in idx], [labels[i] for i in idx]))
    return {"settings": asdict(settings), "results": results, "failed": failed}
