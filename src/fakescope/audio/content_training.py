"""Train the content classifier that routes audio: speech, music, or vocals over music.

A logistic regression on :func:`fakescope.audio.content.content_features` of speech clips
(single utterances and continuous speech with pauses), music excerpts, and speech mixed over
music at -3 to 9 dB SNR. :func:`fakescope.audio.training.train_all` fits it on the training
speech and the music files of ``--music``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from fakescope.audio.dsp import SPEECH_RATE

if TYPE_CHECKING:
    from fakescope.audio.training import Log


def music_files(dirs: list[Path]) -> list[Path]:
    """The audio files (.ogg, .wav, .flac, .mp3) directly in each existing folder of ``dirs``."""
    files: list[Path] = []
    for d in dirs:
        if Path(d).is_dir():
            files += sorted(
                p
                for p in Path(d).iterdir()
                if p.suffix.lower() in (".ogg", ".wav", ".flac", ".mp3")
            )
    return files


def train_content(speech: list[np.ndarray], music_paths: list[Path], seed: int, log: Log):
    """Speech / music / vocals (speech over music at -3 to 9 dB SNR) logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from fakescope.audio.content import content_features
    from fakescope.audio.loader import load_audio
    from fakescope.core.media import MediaError

    rng = np.random.default_rng(seed)
    music: list[np.ndarray] = []
    for p in music_paths:
        try:
            clip = load_audio(p)[0].data
        except MediaError as exc:
            # a folder of loops holds clicks of a few ms; one unreadable file must not stop training
            log(f"content: skipping {exc}")
            continue
        x = clip.mono_at(SPEECH_RATE)
        for _ in range(12):
            n = int(rng.uniform(0.4, 4.0) * SPEECH_RATE)
            if len(x) <= n:
                continue
            a = int(rng.integers(0, len(x) - n))
            seg = x[a : a + n]
            if np.abs(seg).max() > 1e-3:
                music.append(seg / np.abs(seg).max())
    log(f"content: {len(speech)} speech and {len(music)} music excerpts")
    vocals = []
    for _ in range(len(music)):
        s = speech[int(rng.integers(0, len(speech)))]
        m = music[int(rng.integers(0, len(music)))]
        n = min(len(m), max(len(s), int(1.0 * SPEECH_RATE)))
        s = np.resize(s, n) if len(s) < n else s[:n]
        snr = rng.uniform(-3, 9)
        ps, pm = np.mean(s**2) + 1e-9, np.mean(m[:n] ** 2) + 1e-9
        mix = s + m[:n] * np.sqrt(ps / pm / 10 ** (snr / 10))
        vocals.append((mix / np.abs(mix).max()).astype(np.float32))
    sp = [
        speech[i] for i in rng.choice(len(speech), min(len(speech), 2 * len(music)), replace=False)
    ]
    # continuous speech: several utterances with pauses and a noise floor, 1.5-4 s long, so that
    # untrimmed recordings with pauses are recognised as speech too
    for _ in range(len(music)):
        parts = []
        for _ in range(int(rng.integers(2, 7))):
            parts.append(speech[int(rng.integers(0, len(speech)))])
            parts.append(np.zeros(int(rng.uniform(0.05, 0.6) * SPEECH_RATE), np.float32))
        x = np.concatenate(parts)[: int(4.0 * SPEECH_RATE)]
        x = x + rng.uniform(0.0005, 0.01) * rng.standard_normal(len(x)).astype(np.float32)
        sp.append((x / np.abs(x).max()).astype(np.float32))
    X = np.stack([content_features(x) for x in sp + music + vocals])
    y = np.array([0] * len(sp) + [1] * len(music) + [2] * len(vocals))
    scaler = StandardScaler().fit(X)
    clf = LogisticRegression(C=0.05, max_iter=2000, class_weight="balanced").fit(
        scaler.transform(X), y
    )
    acc = float((clf.predict(scaler.transform(X)) == y).mean())
    log(f"content: training accuracy {acc:.3f}")
    return scaler.mean_, scaler.scale_, clf.coef_, clf.intercept_, acc
