"""Training corpora: where the real and synthetic recordings are, and how they are split.

Every split is by *speaker* (real) or by *engine/voice* (synthetic), never by file, so that the
numbers measure unseen speakers and unseen synthesis configurations:

- FSDD speakers george, jackson, lucas: train; nicolas: calibration; theo: test.
- Asterisk prompts (one professional voice, "Allison"): train / calibration by prompt name.
- Synthetic speech: one engine can be held out entirely (``holdout``); the other engines' files
  go to train / calibration by voice-and-setting group (a hash), never by text.
- Vocoded real speech (``vocoded/``, real recordings re-synthesised through vocoders) keeps the
  split of the real recording it came from, so the test speaker never appears in it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

FSDD_SPLIT = {
    "george": "train",
    "jackson": "train",
    "lucas": "train",
    "nicolas": "calib",
    "theo": "test",
}
ASTERISK_DIR = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
ENGINES = ("espeak-ng", "flite", "festival", "piper", "pico")
VOCODED = "vocoded"


@dataclass(frozen=True)
class Item:
    """One training or evaluation recording."""

    path: Path
    label: int  # 1 = synthetic
    source: str  # "fsdd", "asterisk", or the TTS engine
    group: str  # speaker or voice-setting group
    split: str  # "train" | "calib" | "test"


def _hash_split(key: str, calib_share: float = 0.25) -> str:
    h = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "calib" if h < calib_share else "train"


def real_items(fsdd: Path | None, asterisk: Path | None = ASTERISK_DIR) -> list[Item]:
    """Real speech: FSDD by speaker, Asterisk prompts by prompt name."""
    items: list[Item] = []
    if fsdd is not None and Path(fsdd).is_dir():
        for p in sorted(Path(fsdd).glob("*.wav")):
            parts = p.stem.split("_")
            if len(parts) != 3:
                continue
            speaker = parts[1]
            items.append(Item(p, 0, "fsdd", speaker, FSDD_SPLIT.get(speaker, "train")))
    if asterisk is not None and Path(asterisk).is_dir():
        for p in sorted(Path(asterisk).rglob("*.wav")):
            items.append(Item(p, 0, "asterisk", "allison", _hash_split(p.stem, 0.3)))
    return items


def tts_items(root: Path, holdout: str | None = None) -> list[Item]:
    """Synthetic speech from ``root/<engine>/<voice>__<setting>__<text>.wav``.

    The held-out engine's files are all ``test``; the others split by voice-and-setting group.
    """
    items: list[Item] = []
    for engine_dir in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        engine = engine_dir.name
        for p in sorted(engine_dir.glob("*.wav")):
            voice, setting = (p.stem.split("__") + ["", ""])[:2]
            group = f"{engine}/{voice}"
            if engine == holdout:
                split = "test"
            elif engine == VOCODED:
                split = _vocoded_split(voice, p.stem.split("__")[-1])
            else:
                split = _hash_split(f"{engine}/{voice}/{setting}")
            items.append(Item(p, 1, engine, group, split))
    return items


def _vocoded_split(voice: str, source_stem: str) -> str:
    """Split of the real recording behind a vocoded file (``fsdd-<speaker>`` or ``asterisk-*``)."""
    if voice.startswith("fsdd-"):
        return FSDD_SPLIT.get(voice[5:], "test")
    return _hash_split(source_stem, 0.3)
