import numpy as np
import pytest
import soundfile as sf

from fakescope.audio.speech_data import (
    SYSTEM_FAMILIES,
    all_items,
    cap_groups,
    engine_items,
    family_of,
    real_source,
    speech_train_items,
)

HEADER = (
    "file\tlabel\tsystem\treal_source_speaker\tsource_repo\tgit_ref\tsource_path\tlicence\t"
    "orig_sr\torig_channels\torig_format\torig_dur_s\tclip_dur_s\tnote\n"
)


def _manifest(root, rows):
    (root / "real").mkdir(parents=True)
    (root / "fake").mkdir()
    lines = [HEADER]
    for path, label, system, speaker, sr in rows:
        sf.write(root / path, np.zeros(1600, np.float32), 16000)
        lines.append(
            f"{path}\t{label}\t{system}\t{speaker}\tr\tHEAD\tp\tnone\t{sr}\t1\tWAV\t1\t1\t\n"
        )
    (root / "MANIFEST.tsv").write_text("".join(lines))


def test_manifest_items_get_families_and_sources(tmp_path):
    _manifest(
        tmp_path,
        [
            ("real/a.flac", "real", "-", "VCTK-p225", "48000"),
            ("real/b.flac", "real", "-", "LibriSpeech-103", "16000"),
            ("fake/c.flac", "fake", "Tacotron2+HiFiGAN-ft", "-", "22050"),
            ("fake/d.flac", "fake", "MB-MelGAN", "-", "22050"),
        ],
    )
    items = speech_train_items(tmp_path)
    assert [(i.label, i.group) for i in items] == [
        (0, "vctk"),
        (0, "librispeech"),
        (1, "hifigan"),
        (1, "melgan"),
    ]
    assert items[0].native_rate == 48000


def test_unknown_names_are_refused_with_the_name():
    with pytest.raises(ValueError, match="NewTTS"):
        family_of("NewTTS")
    with pytest.raises(ValueError, match="Someone"):
        real_source("Someone")
    assert family_of("Tortoise") == "tortoise" and "ClariNet" in SYSTEM_FAMILIES


def test_engine_items_and_caps(tmp_path):
    for engine, n in (("flite", 5), ("festival", 5), ("pico", 3), ("unknown", 2)):
        (tmp_path / engine).mkdir()
        for k in range(n):
            sf.write(tmp_path / engine / f"v__s{k}__t.wav", np.zeros(800, np.float32), 8000)
    (tmp_path / "vocoded").mkdir()
    sf.write(tmp_path / "vocoded" / "fsdd-x__lpc__0_x_1.wav", np.zeros(800, np.float32), 8000)
    items = engine_items(tmp_path)
    groups = sorted({i.group for i in items})
    assert groups == ["flite-festival", "lpc-griffin-lim", "pico"]
    assert all(i.native_rate == 8000 for i in items)
    capped = cap_groups(items, {"pico": 1}, 4)
    counts = {g: sum(i.group == g for i in capped) for g in groups}
    assert counts == {"flite-festival": 4, "lpc-griffin-lim": 1, "pico": 1}
    assert cap_groups(items, {"pico": 1}, 4) == capped  # deterministic


def test_all_items_without_shared_data(tmp_path):
    items = all_items(
        speech_train=None, fsdd=None, engines=tmp_path, asterisk=None, pocketsphinx=None
    )
    assert items == []


def test_copy_items_follow_their_origin(tmp_path):
    from fakescope.audio.speech_data import COPY_FAMILIES, copy_items, is_copy_family

    (tmp_path / "world").mkdir()
    real = tmp_path / "r.wav"
    sf.write(real, np.zeros(800, np.float32), 8000)
    sf.write(tmp_path / "world" / "c.wav", np.zeros(800, np.float32), 8000)
    (tmp_path / "MANIFEST.tsv").write_text(
        "file\tvocoder\torigin_source\torigin_path\trate\n"
        f"world/c.wav\tworld\tfsdd-theo\t{real}\t8000\n"
        f"world/missing.wav\tworld\tfsdd-theo\t{real}\t8000\n"
    )
    (item,) = copy_items(tmp_path)
    assert (item.label, item.group, item.origin, item.native_rate) == (
        1,
        "copy-world",
        "fsdd-theo",
        8000,
    )
    assert item.split_group == "fsdd-theo" and is_copy_family(item.group)
    assert "copy-world" in COPY_FAMILIES and not is_copy_family("world")
    assert copy_items(tmp_path, origins={tmp_path / "other.wav"}) == []
    (tmp_path / "MANIFEST.tsv").write_text(
        "file\tvocoder\torigin_source\torigin_path\trate\nworld/c.wav\thifigan\tx\ty\t8000\n"
    )
    with pytest.raises(ValueError, match="hifigan"):
        copy_items(tmp_path)
    with pytest.raises(FileNotFoundError, match="MANIFEST"):
        copy_items(tmp_path / "world")
