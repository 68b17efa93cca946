from fakescope.core.media import Media, MediaError


def test_media_error_names_file_and_reason():
    err = MediaError("photos/cat.png", "the file is truncated")
    assert str(err) == "photos/cat.png: the file is truncated"
    assert err.path == "photos/cat.png"
    assert err.reason == "the file is truncated"


def test_media_metadata_defaults_are_independent():
    a = Media("a", "text", "x")
    b = Media("b", "text", "y")
    a.metadata["k"] = 1
    assert b.metadata == {}
