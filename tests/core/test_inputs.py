import io
from pathlib import Path

from fakescope.core.inputs import as_input_list
from fakescope.core.media import Media
from fakescope.core.pipeline import Scanner


def test_a_plain_string_is_one_path_not_its_characters(toy_files):
    # Before: "real1.toy" was iterated character by character (one error per letter, and the
    # "." scanned the current folder).
    reports = list(Scanner().scan(str(toy_files["real1"])))
    assert [r.path for r in reports] == [str(toy_files["real1"])]
    assert reports[0].error is None
    assert len(list(Scanner().scan(toy_files["real1"]))) == 1  # a Path too


def test_lists_tuples_and_generators_of_paths(toy_files):
    paths = [str(toy_files["real1"]), toy_files["fake1"]]
    assert len(list(Scanner().scan(paths))) == 2
    assert len(list(Scanner().scan(tuple(paths)))) == 2
    assert len(list(Scanner().scan(p for p in paths))) == 2


def test_bytes_and_file_objects_are_sniffed(toy_files):
    content = toy_files["fake1"].read_bytes()
    [from_bytes] = Scanner().scan_one(content)
    assert from_bytes.path == "<bytes #1>" and from_bytes.modality == "toy"
    assert from_bytes.error is None
    [from_buffer] = Scanner().scan_one(io.BytesIO(content))
    assert from_buffer.path == "<file #1>" and from_buffer.score == from_bytes.score
    with open(toy_files["fake1"], "rb") as fh:
        [from_file] = Scanner().scan_one(fh)
    assert from_file.path == str(toy_files["fake1"]) and from_file.score == from_bytes.score


def test_in_memory_copies_are_removed_after_scanning(toy_files, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    list(Scanner().scan([toy_files["fake1"].read_bytes()] * 3))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("fakescope-input-")]


def test_loaded_media_are_scored_as_they_are():
    [report] = Scanner().scan_one(Media("mine", "toy", [0.9, 0.9]))
    assert report.path == "mine" and report.score > 0.5


def test_unsupported_objects_and_text_mode_files_say_what_is_accepted(tmp_path):
    [report] = Scanner().scan_one(42)
    assert report.path == "<int #1>"
    assert "cannot scan a int" in report.error and "PIL image" in report.error
    p = tmp_path / "a.toy"
    p.write_text("TOY1 0.5 0.5")
    with open(p) as fh:
        [text_mode] = Scanner().scan_one(fh)
    assert "text mode" in text_mode.error
    [empty] = Scanner().scan_one(b"")
    assert empty.error == "the input is empty"


def test_as_input_list_single_and_many():
    assert as_input_list("a.png") == ["a.png"]
    assert as_input_list(Path("a.png")) == [Path("a.png")]
    assert as_input_list(b"xyz") == [b"xyz"]
    assert as_input_list({"text": "hi"}) == [{"text": "hi"}]
    assert as_input_list(["a", "b"]) == ["a", "b"]
    assert as_input_list(7) == [7]
