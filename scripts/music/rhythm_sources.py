"""Sound sources of ``render_rhythm_corpus.py``: one-shot drum samples of Hydrogen kits and a
singing-like voice made from real speech with the WORLD vocoder."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16000

KEYWORDS = {
    "kick": ("kick", "bassdrum", "bass drum", "bd"),
    "snare": ("snare", "sd"),
    "hihat": ("hh", "hat", "hi-hat"),
    "other": ("tom", "crash", "ride", "clap", "cymbal", "china", "cowbell", "stick"),
}


# -- drum kits ------------------------------------------------------------------------------
def load_kit(folder: Path) -> dict[str, list[np.ndarray]]:
    """One-shot samples per class (kick / snare / hihat / other) of a Hydrogen drum kit."""
    from fakescope.audio.dsp import resample

    root = ET.parse(folder / "drumkit.xml").getroot()
    ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    out: dict[str, list[np.ndarray]] = {k: [] for k in KEYWORDS}
    for inst in root.iter(f"{ns}instrument"):
        name = (inst.findtext(f"{ns}name") or "").lower()
        cls = next((c for c, keys in KEYWORDS.items() if any(k in name for k in keys)), None)
        if cls is None or ("snare" in name and "roll" in name) or "rim" in name:
            cls = "other" if cls is not None else None
        if cls is None:
            continue
        if cls == "kick" and "snare" in name:
            continue
        files = [e.text for e in inst.iter(f"{ns}filename") if e.text]
        for fn in files[:4]:
            p = folder / fn
            if not p.exists():
                continue
            x, sr = sf.read(p, dtype="float32", always_2d=True)
            x = resample(x.mean(axis=1), sr, RATE)[: int(1.5 * RATE)]
            if np.abs(x).max() > 1e-3:
                out[cls].append(x / np.abs(x).max())
    return out


# -- voice ------------------------------------------------------------------------------------
def sung_voice(
    speech: np.ndarray, melody: list, n: int, rng: np.random.Generator, rap: bool
) -> np.ndarray:
    """Real speech made to sing the melody (WORLD: stretched, F0 set to the notes, vibrato)."""
    import pyworld

    out = np.zeros(n, np.float32)
    x = speech.astype(np.float64)
    f0, sp, ap = pyworld.wav2world(x, RATE, frame_period=5.0)
    voiced = f0 > 0
    if voiced.sum() < 20:
        return out
    if rap:
        y = x.astype(np.float32)
        t0 = melody[0][0] if melody else 0.0
        i = int(t0 * RATE)
        while i < n:
            seg = y[: n - i]
            out[i : i + len(seg)] += seg
            i += len(y) + int(rng.uniform(0.2, 1.5) * RATE)
        return out
    stretch = float(rng.uniform(1.3, 2.2))
    idx = np.clip((np.arange(int(len(f0) * stretch)) / stretch).astype(int), 0, len(f0) - 1)
    sp2, ap2, v2 = sp[idx], ap[idx], voiced[idx]
    # a full-length F0 track from the melody; the stretched phrase is read cyclically
    n_frames = n // 80
    f0_track = np.zeros(n_frames)
    for t0, t1, pitch in melody:
        k0, k1 = int(t0 / 0.005), min(n_frames, int(t1 / 0.005))
        if k1 <= k0:
            continue
        kk = np.arange(k1 - k0)
        vib = 1 + 0.018 * np.sin(2 * np.pi * 5.5 * kk * 0.005) * np.minimum(1, kk / 60)
        f0_track[k0:k1] = 440.0 * 2 ** ((pitch - 69) / 12) * vib
    active = f0_track > 0
    src = np.arange(n_frames) % len(idx)
    sp3, ap3, v3 = sp2[src], ap2[src], v2[src]
    f0_out = np.where(active & v3, f0_track, 0.0)
    sp3 = np.where(active[:, None], sp3, 1e-12)
    y = pyworld.synthesize(
        f0_out, np.ascontiguousarray(sp3), np.ascontiguousarray(ap3), RATE, frame_period=5.0
    )
    return (
        y[:n].astype(np.float32) if len(y) >= n else np.pad(y, (0, n - len(y))).astype(np.float32)
    )


def frame_activity(x: np.ndarray, hop: int = 160, floor_db: float = -35.0) -> np.ndarray:
    """Frames (100 per second) where ``x`` is within ``floor_db`` of its loudest frame."""
    n = len(x) // hop
    e = np.array([np.mean(x[i * hop : (i + 1) * hop] ** 2) for i in range(n)]) + 1e-12
    db = 10 * np.log10(e)
    return db > db.max() + floor_db
