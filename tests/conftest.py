"""Shared fixtures: a toy modality registered through the real registry, and small real media."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from fakescope.core.evidence import Artefact, Evidence  # noqa: E402
from fakescope.core.media import Media, MediaError  # noqa: E402
from fakescope.core.registry import register_detector, register_loader  # noqa: E402

TOY_MAGIC = b"TOY1"


def _load_toy(path: Path) -> list[Media]:
    raw = path.read_bytes()
    if not raw.startswith(TOY_MAGIC):
        raise MediaError(str(path), "not a toy file (bad header)")
    values = raw[len(TOY_MAGIC) :].decode("ascii").split()
    if not values:
        raise MediaError(str(path), "toy file has no values")
    return [Media(str(path), "toy", [float(v) for v in values], {"n": len(values)})]


class ToyMeanDetector:
    """Scores a toy file by the mean of its values (clipped to [0, 1])."""

    name = "toy-mean"
    modality = "toy"

    def score(self, media: Media) -> Evidence:
        mean = sum(media.data) / len(media.data)
        return Evidence(
            self.name,
            min(1.0, max(0.0, mean)),
            f"mean value {mean:.2f}",
            artefacts=[Artefact("table", "values", data=[["n", len(media.data)]])],
            details={"mean": mean},
        )


class ToyAbstainDetector:
    name = "toy-abstain"
    modality = "toy"

    def score(self, media: Media) -> Evidence:
        if len(media.data) < 2:
            return Evidence(self.name, None, "too short to judge")
        return Evidence(self.name, media.data[-1], "last value", weight=0.5)


class ToyInvertedDetector:
    """Opt-in: one minus the first value (so it disagrees with toy-mean)."""

    name = "toy-inverted"
    modality = "toy"

    def score(self, media: Media) -> Evidence:
        return Evidence(self.name, min(1.0, max(0.0, 1.0 - media.data[0])), "inverted")


register_loader("toy", [".toy"], _load_toy, sniff=lambda head: head.startswith(TOY_MAGIC))
register_detector("toy-mean", "toy", ToyMeanDetector, description="test detector")
register_detector("toy-abstain", "toy", ToyAbstainDetector, description="test detector")
register_detector(
    "toy-inverted", "toy", ToyInvertedDetector, default=False, description="opt-in test detector"
)


@pytest.fixture
def toy_files(tmp_path: Path) -> dict[str, Path]:
    """A few toy files: two 'real' (low values), two 'fake' (high), and broken ones."""
    files = {
        "real1": b"TOY1 0.1 0.2 0.1",
        "real2": b"TOY1 0.2 0.3",
        "fake1": b"TOY1 0.9 0.8",
        "fake2": b"TOY1 0.7 0.95",
        "short": b"TOY1 0.5",
    }
    out = {}
    for name, content in files.items():
        p = tmp_path / f"{name}.toy"
        p.write_bytes(content)
        out[name] = p
    (tmp_path / "empty.toy").write_bytes(b"")
    out["empty"] = tmp_path / "empty.toy"
    (tmp_path / "broken.toy").write_bytes(b"NOPE")
    out["broken"] = tmp_path / "broken.toy"
    return out


@pytest.fixture
def toy_labelled(toy_files: dict[str, Path]) -> list[str]:
    """``--real`` and ``--fake`` options naming the two real and the two fake toy files."""
    return [
        *("--real", str(toy_files["real1"]), "--real", str(toy_files["real2"])),
        *("--fake", str(toy_files["fake1"]), "--fake", str(toy_files["fake2"])),
    ]
