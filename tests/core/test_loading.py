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
