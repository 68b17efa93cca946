import pytest

from fakescope.core.evidence import Evidence
from fakescope.core.registry import (
    Detector,
    commands,
    create_detector,
    detector_specs,
    get_detector_spec,
    register_command,
)


def test_toy_detectors_are_registered_and_satisfy_the_protocol():
    names = {s.name for s in detector_specs("toy")}
    assert {"toy-mean", "toy-abstain"} <= names
    det = create_detector("toy-mean")
    assert isinstance(det, Detector)


def test_unknown_detector_names_what_is_installed():
    with pytest.raises(KeyError, match="no detector named 'nope'.*toy-mean"):
        get_detector_spec("nope")


def test_register_command_rejects_unknown_group():
    with pytest.raises(ValueError, match="unknown command group"):
        register_command("destroy", "x", lambda: None)


def test_register_command_is_listed(monkeypatch):
    from fakescope.core import registry

    def dummy() -> None:
        """demo"""

    # a private copy of the table, so the dummy never leaks into other tests' command lists
    monkeypatch.setattr(registry, "_COMMANDS", {g: dict(c) for g, c in registry._COMMANDS.items()})
    register_command("generate", "dummy-for-test", dummy)
    assert commands("generate")["dummy-for-test"] is dummy


def test_detector_returns_evidence(toy_files):
    from fakescope.core.loading import load

    media = load(toy_files["fake1"])[0]
    ev = create_detector("toy-mean").score(media)
    assert isinstance(ev, Evidence) and ev.score == pytest.approx(0.85)
