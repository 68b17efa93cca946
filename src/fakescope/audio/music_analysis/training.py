"""Training the music-analysis CRNN on rendered songs with exact labels.

The corpus is what ``scripts/music/render_rhythm_corpus.py`` writes: ``train_NNNN.flac`` /
``test_NNNN.flac`` (16 kHz mono) with ``.json`` labels (beats, downbeats, kick / snare / hi-hat
onsets, vocal frames). Mel magnitudes are cached before compression so that training can vary
the input level and spectral tilt (augmentation) before the log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from fakescope.audio.music_analysis.evaluation import f_measure
from fakescope.audio.music_analysis.frontend import FPS, HOP, N_FFT, N_MELS, RATE, _frames
from fakescope.audio.music_analysis.network import TASKS

Log = Callable[[str], None]
CROP = 500  # frames per training excerpt (5 s)


def mel_magnitudes(x: np.ndarray) -> np.ndarray:
    """Linear mel magnitudes ``(frames, N_MELS)`` of peak-normalised audio (before the log)."""
    from fakescope.audio.dsp import mel_filterbank
    from fakescope.audio.music_analysis.frontend import FMIN

    peak = float(np.abs(x).max()) or 1.0
    frames = _frames(np.asarray(x, np.float32) / peak * 0.9) * np.hanning(N_FFT).astype(np.float32)
    mag = np.abs(np.fft.rfft(frames, axis=1)).astype(np.float32)
    return mag @ mel_filterbank(N_MELS, N_FFT, RATE, FMIN).T


def targets(labels: dict, n_frames: int) -> np.ndarray:
    """``(n_frames, len(TASKS))`` targets: 1 at each event's frame, 0.5 on its neighbours."""
    y = np.zeros((n_frames, len(TASKS)), np.float32)
    keys = {
        "beat": "beats",
        "downbeat": "downbeats",
        "kick": "kick",
        "snare": "snare",
        "hihat": "hihat",
    }
    for j, task in enumerate(TASKS):
        if task == "voice":
            idx = np.asarray(labels.get("vocal_frames", []), int)
            y[idx[idx < n_frames], j] = 1.0
            continue
        for t in labels.get(keys[task], []):
            f = int(round(t * FPS))
            for d, v in ((-1, 0.5), (1, 0.5), (0, 1.0)):
                if 0 <= f + d < n_frames:
                    y[f + d, j] = max(y[f + d, j], v)
    return y


def load_corpus(root: Path, split: str, log: Log) -> list[dict]:
    """Mel magnitudes and labels of every ``<split>_*.flac`` song, cached in ``root/cache``."""
    import soundfile as sf

    cache = root / "cache"
    cache.mkdir(exist_ok=True)
    songs = []
    for audio in sorted(root.glob(f"{split}_*.flac")):
        labels = json.loads(audio.with_suffix(".json").read_text())
        c = cache / f"{audio.stem}.npy"
        if c.exists():
            mel = np.load(c)
        else:
            x, sr = sf.read(audio, dtype="float32")
            if sr != RATE:
                raise ValueError(f"{audio}: expected {RATE} Hz, got {sr}")
            mel = mel_magnitudes(x).astype(np.float16)
            np.save(c, mel)
        songs.append(
            {"name": audio.stem, "mel": mel, "labels": labels, "y": targets(labels, len(mel))}
        )
    log(f"music analysis: {len(songs)} {split} songs from {root}")
    return songs


def compress(mel, torch_module=None):
    """Log compression and positive difference, as ``frontend.network_input`` does."""
    import torch

    logm = torch.log10(1.0 + 100.0 * mel)
    diff = torch.clamp(logm - torch.cat([logm[:, :1], logm[:, :-1]], dim=1), min=0.0)
    return torch.stack([logm, diff], dim=1)


def train_analysis(root: Path, out: Path, epochs: int, seed: int, log: Log) -> dict:
    """Train the CRNN, pick decision thresholds on a validation split, save ``out``."""
    import torch

    from fakescope.audio.music_analysis.network import MusicCRNN

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    songs = load_corpus(root, "train", log)
    if len(songs) < 10:
        raise ValueError(f"{root}: only {len(songs)} training songs (need at least 10)")
    order = rng.permutation(len(songs))
    n_val = max(4, len(songs) // 10)
    val = [songs[i] for i in order[:n_val]]
    train = [songs[i] for i in order[n_val:]]
    net = MusicCRNN()
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
    steps_per_epoch = max(1, len(train) // 8)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=epochs * steps_per_epoch)
    pos_weight = torch.tensor([4.0, 8.0, 4.0, 4.0, 3.0, 1.0])
    for epoch in range(epochs):
        net.train()
        total = 0.0
        for _ in range(steps_per_epoch):
            xb, yb = [], []
            for i in rng.integers(0, len(train), 8):
                s = train[int(i)]
                a = int(rng.integers(0, max(1, len(s["mel"]) - CROP)))
                mel = s["mel"][a : a + CROP].astype(np.float32)
                y = s["y"][a : a + CROP]
                if len(mel) < CROP:
                    mel = np.pad(mel, ((0, CROP - len(mel)), (0, 0)))
                    y = np.pad(y, ((0, CROP - len(y)), (0, 0)))
                gain = 10 ** (rng.uniform(-12, 3) / 20)
                tilt = 10 ** (np.linspace(0, rng.uniform(-9, 9), N_MELS) / 20)
                xb.append(mel * gain * tilt)
                yb.append(y)
            x = compress(torch.from_numpy(np.stack(xb).astype(np.float32)))
            y = torch.from_numpy(np.stack(yb))
            logits = net(x)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, y, pos_weight=pos_weight
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach())
        log(f"music analysis: epoch {epoch + 1}/{epochs} loss {total / steps_per_epoch:.4f}")
    net.eval()
    acts = [activations(net, s["mel"]) for s in val]
    thresholds = choose_thresholds(acts, val)
    log(f"music analysis: validation thresholds {thresholds}")
    torch.save(
        {
            "state_dict": net.state_dict(),
            "thresholds": thresholds,
            "info": {
                "epochs": epochs,
                "seed": seed,
                "n_train": len(train),
                "n_val": len(val),
                "corpus": str(root),
            },
        },
        out,
    )
    return {"thresholds": thresholds, "n_train": len(train), "n_val": len(val)}


def activations(net, mel: np.ndarray) -> np.ndarray:
    """Sigmoid outputs ``(frames, tasks)`` of a trained net on cached mel magnitudes."""
    import torch

    with torch.no_grad():
        x = compress(torch.from_numpy(mel.astype(np.float32))[None])
        return torch.sigmoid(net(x))[0].numpy()


def choose_thresholds(acts: list[np.ndarray], songs: list[dict]) -> dict[str, float]:
    """Peak-picking thresholds of the drums (best mean F on validation) and the voice
    threshold (best frame accuracy)."""
    from fakescope.audio.music_analysis.decode import drum_onsets

    out = {}
    grid = np.round(np.arange(0.15, 0.9, 0.05), 2)
    for task in ("kick", "snare", "hihat"):
        j = TASKS.index(task)
        best = max(
            grid,
            key=lambda th: np.mean(
                [
                    f_measure(np.asarray(s["labels"][task]), drum_onsets(a[:, j], th), 0.05)
                    for a, s in zip(acts, songs, strict=True)
                ]
            ),
        )
        out[task] = float(best)
    j = TASKS.index("voice")
    ys = np.concatenate([s["y"][:, j] for s in songs]) > 0.5
    ps = np.concatenate([a[:, j] for a in acts])
    out["voice"] = float(max(grid, key=lambda th: np.mean((ps >= th) == ys)))
    return out


def hop_seconds() -> float:
    return HOP / RATE
