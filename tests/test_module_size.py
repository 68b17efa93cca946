"""No module in src/ over 400 lines (developers' guide: small, cohesive modules).

Modules still over the limit would be listed in ALLOWED below (none today), each with its size
as a ceiling and why it is still long: they may shrink, never grow, and an entry fails once its
module is back under the limit, so the list cannot go stale. A new long module fails here: split
it (see how cli.py became commands/, video/detector.py became
detector/frame_detectors/crops/aggregate, anomaly/training.py became training/train_state,
audio/training.py gave its per-model recipes to content_training/spec_cnn_training/
fuser_training, image/training.py gave them to training_data/spectrum_training/
residual_cnn_training and its command to image/commands.py), or, if it truly cannot be split
yet, add it here with its size and a reason a reviewer can check.
"""

from pathlib import Path

import pytest

LIMIT = 400
SRC = Path(__file__).resolve().parents[1] / "src"

# path under src/ -> (ceiling in lines, why it is still over the limit)
ALLOWED: dict[str, tuple[int, str]] = {}


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def _sizes() -> dict[str, int]:
    return {p.relative_to(SRC).as_posix(): _lines(p) for p in sorted(SRC.rglob("*.py"))}


def test_no_module_over_the_limit_unless_listed():
    too_long = {name: n for name, n in _sizes().items() if n > LIMIT and name not in ALLOWED}
    assert not too_long, (
        f"modules over {LIMIT} lines: {too_long}. Split them into cohesive modules, or add them "
        f"to ALLOWED in {Path(__file__).name} with their size and the reason they cannot be "
        "split yet."
    )


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_listed_modules_only_shrink_and_leave_the_list_when_short(name):
    ceiling, why = ALLOWED[name]
    path = SRC / name
    assert path.is_file(), f"{name} is gone: remove it from ALLOWED"
    n = _lines(path)
    assert why, f"{name}: say why it is still over {LIMIT} lines"
    assert n <= ceiling, f"{name} grew from {ceiling} to {n} lines: split it instead"
    assert n > LIMIT, f"{name} is down to {n} lines: remove it from ALLOWED"


def test_the_size_count_matches_what_an_editor_shows(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("a = 1\nb = 2\n\nc = 3")  # no final newline: still 4 lines
    assert _lines(module) == 4 and _lines(SRC / "fakescope" / "__init__.py") > 0
