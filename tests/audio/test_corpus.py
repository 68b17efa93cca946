from pathlib import Path

import numpy as np
import soundfile as sf

from fakescope.audio.corpus import real_items, tts_items


def _touch(p: Path):
    p.parent.mkdir(parents=True, exist_ok=True)
    sf.write(p, np.zeros(80, dtype=np.float32), 8000)


def test_fsdd_split_by_speaker(tmp_path):
    for spk in ("george", "nicolas", "theo"):
        _touch(tmp_path / "fsdd" / f"3_{spk}_0.wav")
    items = {i.group: i.split for i in real_items(tmp_path / "fsdd", asterisk=None)}
    assert items == {"george": "train", "nicolas": "calib", "theo": "test"}


def test_holdout_engine_is_all_test_and_groups_never_straddle(tmp_path):
    for eng in ("flite", "piper"):
        for setting in range(12):
            for text in ("d0", "d1", "d2"):
                _touch(tmp_path / eng / f"v1__s{setting}__{text}.wav")
    items = tts_items(tmp_path, holdout="piper")
    assert {i.split for i in items if i.source == "piper"} == {"test"}
    by_setting = {}
    for i in items:
        if i.source == "flite":
            by_setting.setdefault(i.path.stem.split("__")[1], set()).add(i.split)
    assert all(len(s) == 1 for s in by_setting.values())
    assert {s for v in by_setting.values() for s in v} == {"train", "calib"}


def test_vocoded_speech_keeps_the_split_of_its_real_source(tmp_path):
    for spk in ("george", "nicolas", "theo"):
        _touch(tmp_path / "vocoded" / f"fsdd-{spk}__world__3_{spk}_0.wav")
    _touch(tmp_path / "vocoded" / "asterisk-beep__lpc__beep.wav")
    items = {i.path.stem.split("__")[0]: i for i in tts_items(tmp_path)}
    assert items["fsdd-george"].split == "train"
    assert items["fsdd-nicolas"].split == "calib"
    assert items["fsdd-theo"].split == "test"  # never trained on, like the real test speaker
    assert all(i.label == 1 and i.source == "vocoded" for i in items.values())
    _touch(tmp_path / "asterisk" / "beep.wav")
    (real,) = real_items(None, asterisk=tmp_path / "asterisk")
    assert items["asterisk-beep"].split == real.split
