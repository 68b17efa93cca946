"""The both-sides measurement (scripts/audio/eval_both_sides.py) re-derives the shipped verdict
from a scan's evidence; these tests keep it in step with ``AudioFuser``."""

import sys
from pathlib import Path

import pytest

from fakescope.audio.fusion import AudioFuser
from fakescope.core.evidence import Evidence
from fakescope.core.fusion import LogisticFuser

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts" / "audio"))
eval_both_sides = pytest.importorskip("eval_both_sides")


def _fuser() -> AudioFuser:
    return AudioFuser(
        speech=LogisticFuser({"lfcc-gmm": 1.0, "spec-cnn": 1.0}, intercept=-0.5),
        music=LogisticFuser({"music-artifacts": 1.0}, intercept=0.2),
    )


def _evidence(label: str, speech: float, music: float, mark: float | None = None) -> list:
    content = {"content": {"label": label, "has_voice": True, "has_music": True}}
    ev = [
        Evidence("lfcc-gmm", speech, "", details=content),
        Evidence("spec-cnn", speech, "", details=content),
        Evidence("music-artifacts", music, "", details=content),
    ]
    if mark is not None:
        ev.append(Evidence("audio-watermark", mark, "mark found", weight=1.0))
    return ev


@pytest.mark.parametrize("label", ["speech", "music", "vocals"])
@pytest.mark.parametrize("mark", [None, 0.9])
def test_c0_is_the_shipped_verdict_and_c1_takes_the_more_suspicious_side(label, mark):
    fuser = _fuser()
    ev = _evidence(label, speech=0.95, music=0.3, mark=mark)
    c = eval_both_sides.candidates(ev, fuser)
    assert c["C0"] == pytest.approx(fuser.fuse(ev))
    assert c["C1"] >= c["C0"]
    assert c["C1"] == pytest.approx(eval_both_sides.candidates(ev, fuser)["C1"])
    if label == "speech":
        assert c["C2"] == pytest.approx(c["C0"])  # C2 leaves a "speech" label alone
    else:
        assert c["C0"] < c["C1"] == pytest.approx(c["C2"])  # the music side decided today


def test_one_side_files_do_not_change():
    fuser = _fuser()
    content = {"content": {"label": "speech", "has_voice": True, "has_music": False}}
    ev = [
        Evidence("lfcc-gmm", 0.8, "", details=content),
        Evidence("music-artifacts", None, "no music", details=content),
    ]
    c = eval_both_sides.candidates(ev, fuser)
    assert c["C0"] == c["C1"] == c["C2"] == pytest.approx(fuser.fuse(ev))
