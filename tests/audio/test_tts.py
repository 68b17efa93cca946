from pathlib import Path

import pytest

from fakescope.audio.tts import EngineMissing, available_engines, synthesize


def test_unknown_engine_is_named():
    with pytest.raises(EngineMissing, match="unknown speech engine 'nope'"):
        synthesize("hi", "nope", Path("x.wav"))


def test_missing_engine_says_how_to_install(monkeypatch):
    monkeypatch.setattr("fakescope.audio.tts.available_engines", lambda: [])
    with pytest.raises(EngineMissing, match="apt-get install flite"):
        synthesize("hi", "flite", Path("x.wav"))


def test_empty_text_refused():
    with pytest.raises(ValueError):
        synthesize("  ", "espeak-ng", Path("x.wav"))


@pytest.mark.parametrize("engine", ["espeak-ng", "flite", "pico", "kokoro"])
def test_installed_engines_write_wav(tmp_path, engine):
    if engine not in available_engines():
        pytest.skip(f"{engine} not installed")
    out = synthesize("seven", engine, tmp_path / "s.wav")
    assert out.read_bytes()[:4] == b"RIFF"


def test_written_file_has_normal_permissions(tmp_path):
    import os
    import tempfile

    from fakescope.audio.tts import _publish

    with tempfile.NamedTemporaryFile(dir=tmp_path, delete=False) as tmp:  # created 0600
        tmp.write(b"RIFF")
    umask = os.umask(0o022)
    try:
        _publish(Path(tmp.name), tmp_path / "s.wav")
    finally:
        os.umask(umask)
    assert (tmp_path / "s.wav").stat().st_mode & 0o777 == 0o644
    assert not Path(tmp.name).exists()
