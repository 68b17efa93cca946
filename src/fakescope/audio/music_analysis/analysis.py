"""Music analysis of one recording: tempo, beats, downbeats, onsets, drums, vocal segments.

Examples
--------
>>> import numpy as np
>>> from fakescope.audio.music_analysis import analyze_music
>>> x = np.zeros(16000 * 4, np.float32); x[::8000] = 1.0
>>> result = analyze_music(x, 16000)  # doctest: +SKIP
>>> sorted(result.to_dict())  # doctest: +SKIP
['beats', 'downbeats', 'drums', 'duration_s', 'meter', 'onsets', 'tempo_bpm', 'vocal_segments']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fakescope.audio.music_analysis.decode import (
    drum_onsets,
    segments,
    tempo_from_beats,
    track_beats,
    track_downbeats,
)
from fakescope.audio.music_analysis.frontend import (
    FPS,
    RATE,
    input_from_mel,
    normalised_mel,
    pick_peaks,
    spectral_flux,
)
from fakescope.audio.music_analysis.network import TASKS

WEIGHTS_NAME = "music_analysis.pt"
DRUMS = ("kick", "snare", "hihat")


@dataclass
class MusicAnalysis:
    """What the analysis found; times in seconds from the start of the file."""

    duration_s: float
    tempo_bpm: float | None
    meter: int | None
    beats: np.ndarray
    downbeats: np.ndarray
    onsets: np.ndarray
    drums: dict[str, np.ndarray]
    vocal_segments: list[tuple[float, float]]
    activations: np.ndarray | None = field(default=None, repr=False)
    mel: np.ndarray | None = field(default=None, repr=False)  # log-mel frames, for pictures

    def to_dict(self) -> dict:
        """JSON-friendly form (times rounded to milliseconds)."""

        def r(a) -> list[float]:
            return [round(float(t), 3) for t in a]

        return {
            "duration_s": round(self.duration_s, 3),
            "tempo_bpm": None if self.tempo_bpm is None else round(self.tempo_bpm, 1),
            "meter": self.meter,
            "beats": r(self.beats),
            "downbeats": r(self.downbeats),
            "onsets": r(self.onsets),
            "drums": {k: r(v) for k, v in self.drums.items()},
            "vocal_segments": [[round(a, 2), round(b, 2)] for a, b in self.vocal_segments],
        }

    @property
    def vocal_share(self) -> float:
        """Share of the duration covered by vocal segments."""
        if self.duration_s <= 0:
            return 0.0
        return sum(b - a for a, b in self.vocal_segments) / self.duration_s


class MusicAnalyzer:
    """Loads the CRNN once; ``analyze(x, rate)`` runs network and decoders on mono audio."""

    def __init__(self, weights: str | Path | None = None) -> None:
        import torch

        from fakescope.audio.music_analysis.network import MusicCRNN
        from fakescope.audio.weights_io import weights_path

        path = Path(weights) if weights else weights_path(WEIGHTS_NAME)
        try:
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
        except FileNotFoundError as exc:
            raise FileNotFoundError(
                f"{path}: music-analysis weights not found (train them with "
                "`fakescope train music --corpus DIR --out FOLDER`)"
            ) from exc
        self.net = MusicCRNN()
        self.net.load_state_dict(ckpt["state_dict"])
        self.net.eval()
        self.thresholds = dict(ckpt["thresholds"])

    def activations(self, x16: np.ndarray, mel: np.ndarray | None = None) -> np.ndarray:
        """``(frames, tasks)`` sigmoid activations of 16 kHz mono audio (``mel``: its
        :func:`normalised_mel`, when already computed)."""
        import torch

        mel = normalised_mel(x16) if mel is None else mel
        with torch.no_grad():
            inp = torch.from_numpy(input_from_mel(mel))[None]
            return torch.sigmoid(self.net(inp))[0].numpy()

    def analyze(self, x: np.ndarray, rate: int) -> MusicAnalysis:
        """Analyse mono (or ``(n, channels)``) audio at ``rate``."""
        from scipy.ndimage import median_filter

        from fakescope.audio.dsp import resample

        x = np.asarray(x, np.float32)
        if x.ndim == 2:
            x = x.mean(axis=1)
        x16 = resample(x, rate, RATE) if rate != RATE else x
        duration = len(x16) / RATE
        mel = normalised_mel(x16)
        act = self.activations(x16, mel)
        beat_frames, _ = track_beats(act[:, TASKS.index("beat")])
        beats = beat_frames / FPS
        down_idx, meter = track_downbeats(beat_frames, act[:, TASKS.index("downbeat")])
        downbeats = beats[down_idx] if len(beats) else np.zeros(0)
        drums = {d: drum_onsets(act[:, TASKS.index(d)], self.thresholds.get(d, 0.5)) for d in DRUMS}
        voice = act[:, TASKS.index("voice")]
        smooth = median_filter(voice, size=31, mode="nearest")
        vocal = [
            (a / FPS, b / FPS)
            for a, b in segments(smooth >= self.thresholds.get("voice", 0.5), min_len=30)
        ]
        flux = spectral_flux(mel)
        peak = float(flux.max())
        onset_frames = pick_peaks(flux / peak, 0.1, min_gap=3) if peak > 0 else np.zeros(0)
        return MusicAnalysis(
            duration_s=duration,
            tempo_bpm=tempo_from_beats(beats),
            meter=meter if len(beats) >= 2 * meter else None,
            beats=beats,
            downbeats=downbeats,
            onsets=np.asarray(onset_frames) / FPS,
            drums=drums,
            vocal_segments=vocal,
            activations=act,
            mel=mel,
        )


_ANALYZER: dict[str, MusicAnalyzer] = {}


def analyze_music(x: np.ndarray, rate: int, weights: str | Path | None = None) -> MusicAnalysis:
    """Analyse audio with the shipped (or given) weights; the network is loaded once."""
    key = str(weights or "")
    if key not in _ANALYZER:
        _ANALYZER[key] = MusicAnalyzer(weights)
    return _ANALYZER[key].analyze(x, rate)
