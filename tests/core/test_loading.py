import io

import pytest

from fakescope.core.loading import collect_inputs, load, load_stdin
from fakescope.core.media import MediaError


def test_collect_expands_folders_recursively_and_skips_hidden_and_unknown(tmp_path, toy_files):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "deep.toy").write_bytes(b"TOY1 0.3")
    (sub / ".hidden.toy").write_bytes(b"TOY1 0.3")
    (sub / "notes.unknownext").write_text("x")
    items = collect_inputs([str(tmp_path)])
    paths = {i.path for i in items}
    assert str(sub / "deep.toy") in paths
    assert not any(".hidden" in p or "unknownext" in p for p in paths)
    assert all(not i.explicit for i in items)


def test_collect_globs_missing_files_and_duplicates(tmp_path, toy_files):
    items = collect_inputs([str(tmp_path / "real*.toy"), str(toy_files["real1"]), "nope.toy"])
    assert [i.path for i in items[:2]] == [str(toy_files["real1"]), str(toy_files["real2"])]
    assert items[-1].missing == "no such file or folder"
    none = collect_inputs([str(tmp_path / "*.xyz")])
    assert none[0].missing == "the pattern matched no files"


def test_load_sniffs_content_before_extension(tmp_path):
    wrong = tmp_path / "actually_toy.unknownext"
    wrong.write_bytes(b"TOY1 0.4 0.6")
    media = load(wrong)[0]
    assert media.modality == "toy" and media.data == [0.4, 0.6]


@pytest.mark.parametrize(
    ("name", "reason"),
    [("empty", "the file is empty"), ("broken", "not a toy file")],
)
def test_bad_files_raise_media_error_naming_file(toy_files, name, reason):
    with pytest.raises(MediaError) as info:
        load(toy_files[name])
    assert str(toy_files[name]) in str(info.value)
    assert reason in info.value.reason


def test_unsupported_type_lists_what_is_readable(tmp_path):
    odd = tmp_path / "data.xyz"
    odd.write_bytes(b"\x00\x01binary")
    with pytest.raises(MediaError, match=r"unsupported file type '\.xyz'.*\.toy"):
        load(odd)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(MediaError, match="no such file"):
        load(tmp_path / "gone.toy")
    with pytest.raises(MediaError, match="is a folder"):
        load(tmp_path)


def test_stdin_is_loaded_and_named_dash():
    medias = load_stdin(io.BytesIO(b"TOY1 0.5 0.5"))
    assert medias[0].path == "-" and medias[0].modality == "toy"
    with pytest.raises(MediaError, match="standard input is empty"):
        load_stdin(io.BytesIO(b""))


def test_loading_never_modifies_the_input(toy_files):
    before = toy_files["broken"].read_bytes()
    with pytest.raises(MediaError):
        load(toy_files["broken"])
    assert toy_files["broken"].read_bytes() == before


def test_special_files_get_clear_errors_instead_of_hanging(tmp_path):
    import os

    from fakescope.core.pipeline import Scanner

    os.mkfifo(tmp_path / "voice.toy")  # opening it for reading used to block for ever
    (tmp_path / "zeros.toy").symlink_to("/dev/zero")  # read until MemoryError before
    (tmp_path / "gone.toy").symlink_to(tmp_path / "nowhere")
    (tmp_path / "ok.toy").write_bytes(b"TOY1 0.2 0.3")
    reports = {r.path: r for r in Scanner(timeout=30).scan(str(tmp_path))}
    assert "named pipe (FIFO), not a regular file" in reports[str(tmp_path / "voice.toy")].error
    assert "character device" in reports[str(tmp_path / "zeros.toy")].error
    assert "broken symbolic link" in reports[str(tmp_path / "gone.toy")].error
    assert reports[str(tmp_path / "ok.toy")].error is None
    with pytest.raises(MediaError, match="named pipe"):
        load(tmp_path / "voice.toy")


def test_unreadable_folder_is_reported_not_skipped(tmp_path, monkeypatch):
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.toy").write_bytes(b"TOY1 0.2")
    (tmp_path / "b.toy").write_bytes(b"TOY1 0.2")
    real_scandir = os.scandir

    def scandir(path="."):  # the test may run as root, for whom chmod 000 changes nothing
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = collect_inputs([str(tmp_path)])
    assert [i.path for i in items if i.missing is None] == [str(tmp_path / "b.toy")]
    [bad] = [i for i in items if i.missing]
    assert bad.path == str(locked)
    assert bad.missing.startswith("the folder cannot be read (Permission denied)")


def test_hostile_file_names_are_shown_on_one_printable_line(tmp_path):
    import os

    odd = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9\nline.toy")
    with open(os.fsencode(odd), "wb") as fh:
        fh.write(b"TOY1 0.2 0.4")
    [item] = collect_inputs([str(tmp_path)])
    assert item.name.endswith("/caf\\xe9\\nline.toy")
    medias = load(item.path)
    assert medias[0].path == item.name
    item.name.encode("utf-8")


def test_stdin_is_read_with_a_cap(monkeypatch):
    import fakescope.core.loading as loading

    monkeypatch.setattr(loading, "MAX_STDIN_BYTES", 16)
    with pytest.raises(MediaError, match="standard input is larger than"):
        load_stdin(io.BytesIO(b"TOY1 " + b"0.5 " * 100))
