"""Prepared copies of every recording and their Whisper statistics, cached on disk.

Preparing a copy (decode, 16 kHz, channel draw, front end) and running the Whisper encoder are the
expensive steps of training and of the leave-one-out protocol; both are cached per group (family
or source) under ``cache/`` so that every fold, and every rerun, reads them back.

Copy 0 of a recording is *clean* (front end only); copies 1..n get a channel drawn from
:func:`~fakescope.audio.channel.neutral_channel`, seeded by the file name, the copy and the seed,
so a copy is the same on every machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fakescope.audio.channel import RATE16, prepare_clip
from fakescope.audio.speech_data import SpeechItem

MIN_SAMPLES = int(0.2 * RATE16)
CACHE_VERSION = 1


@dataclass
class Copy:
    """One prepared copy of an item; ``pcm`` is kept as 16-bit samples (half the memory of
    float32 when thousands of copies are held), ``audio`` gives them as float32 in [-1, 1]."""

    item: SpeechItem
    copy: int  # 0 = clean
    pcm: np.ndarray  # 16 kHz front-end output, int16
    narrow: bool  # narrow-band: native 8 kHz source, or the telephone band was drawn

    @property
    def audio(self) -> np.ndarray:
        return pcm_to_float(self.pcm)


def pcm_to_float(pcm: np.ndarray) -> np.ndarray:
    """int16 samples -> float32 in [-1, 1] (float input is returned as float32).

    Examples
    --------
    >>> pcm_to_float(np.array([0, 32767], dtype=np.int16)).tolist()
    [0.0, 1.0]
    """
    if pcm.dtype == np.int16:
        return pcm.astype(np.float32) / 32767
    return np.asarray(pcm, dtype=np.float32)


def _key(item: SpeechItem, copy: int) -> str:
    return hashlib.sha1(f"{item.path}|{copy}".encode()).hexdigest()[:16]


def _seed(item: SpeechItem, copy: int, seed: int) -> int:
    return int(
        hashlib.sha1(f"{item.path.name}|{item.detail}|{copy}|{seed}".encode()).hexdigest()[:8], 16
    )


def _save(path: Path, memo: dict[str, np.ndarray]) -> None:
    """Write a cache file atomically (several runs may share the cache)."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.npz")
    np.savez(tmp, **memo)
    os.replace(tmp, path)


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Mono float32 samples and rate of a WAV/FLAC file (MP3 etc. through the audio loader)."""
    import soundfile as sf

    try:
        x, rate = sf.read(str(path), dtype="float32", always_2d=True)
        return x.mean(axis=1), int(rate)
    except (RuntimeError, sf.LibsndfileError):
        from fakescope.audio.loader import load_audio

        clip = load_audio(path)[0].data
        return clip.mono_at(clip.sample_rate), int(clip.sample_rate)


def prepare_copies(
    items: list[SpeechItem],
    n_copies: int,
    seed: int,
    cache: Path | None,
    progress: Callable[[int, int], None] | None = None,
    warn: Callable[[str], None] = print,
) -> list[Copy]:
    """Copies ``0..n_copies`` of every item (0 clean, the others through a channel draw).

    Copies shorter than 0.2 s after trimming are dropped.
    """
    by_group: dict[str, list[SpeechItem]] = {}
    for it in items:
        by_group.setdefault(it.group, []).append(it)
    out: list[Copy] = []
    done = 0
    for group, members in sorted(by_group.items()):
        memo: dict[str, np.ndarray] = {}
        path = None
        if cache is not None:
            path = Path(cache) / f"audio16_v{CACHE_VERSION}_s{seed}" / f"{group}.npz"
            if path.exists():
                with np.load(path) as data:
                    memo = {k: data[k] for k in data.files}
        n_before = len(memo)
        for it in members:
            x = rate = None
            for c in range(n_copies + 1):
                k = _key(it, c)
                if k not in memo:
                    if x is None:
                        try:
                            x, rate = read_audio(it.path)
                        except Exception as exc:  # a corrupt corpus file: say which, go on
                            warn(f"{it.path}: cannot be read ({exc}); left out")
                            break
                    rng = None if c == 0 else np.random.default_rng(_seed(it, c, seed))
                    y, narrow = prepare_clip(x, rate, rng)
                    memo[k] = (np.clip(y, -1, 1) * 32767).astype(np.int16)
                    memo[k + "|n"] = np.array(narrow)
                y = memo[k]
                if len(y) >= MIN_SAMPLES:
                    native_narrow = 0 < it.native_rate <= 8000
                    out.append(Copy(it, c, y, bool(memo[k + "|n"]) or native_narrow))
            done += 1
            if progress is not None:
                progress(done, len(items))
        if path is not None and len(memo) > n_before:
            _save(path, memo)
    return out


def whisper_stats(
    copies: list[Copy],
    encoder,
    seed: int,
    cache: Path | None,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Pooled Whisper statistics of every copy, ``(n_copies, n_features)``, cached per group."""
    from fakescope.audio.threads import single_thread

    rows: list[np.ndarray | None] = [None] * len(copies)
    by_group: dict[str, list[int]] = {}
    for i, c in enumerate(copies):
        by_group.setdefault(c.item.group, []).append(i)
    tag = f"{encoder.width}x{encoder.n_layers}"
    done = 0
    with single_thread():
        for group, idx in sorted(by_group.items()):
            memo: dict[str, np.ndarray] = {}
            path = None
            if cache is not None:
                path = Path(cache) / f"whisper_{tag}_v{CACHE_VERSION}_s{seed}" / f"{group}.npz"
                if path.exists():
                    with np.load(path) as data:
                        memo = {k: data[k] for k in data.files}
            n_before = len(memo)
            for i in idx:
                k = _key(copies[i].item, copies[i].copy)
                if k not in memo:
                    memo[k] = encoder.pooled_features(copies[i].audio)
                rows[i] = memo[k]
                done += 1
                if progress is not None:
                    progress(done, len(copies))
            if path is not None and len(memo) > n_before:
                _save(path, memo)
    return np.stack(rows) if rows else np.zeros((0, 0), np.float32)
