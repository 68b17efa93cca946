"""The music-analysis CRNN: one small network, six frame-wise outputs.

A convolutional front end over the log-mel spectrogram (3x3 convolutions, pooling along frequency
only, so the 10 ms time resolution is kept, as in Vogl et al.'s drum CRNN and Schlüter's singing
voice CNN), a bidirectional GRU over time (the recurrent part of Böck's beat and Vogl's drum
networks) and one sigmoid output per frame and task:

``beat``, ``downbeat``, ``kick``, ``snare``, ``hihat``, ``voice`` (a singing or speaking voice).

About 65 k parameters; a 30 s clip takes tens of milliseconds on one CPU core.
"""

from __future__ import annotations

import torch
from torch import nn

from fakescope.audio.music_analysis.frontend import N_MELS

TASKS = ("beat", "downbeat", "kick", "snare", "hihat", "voice")


class MusicCRNN(nn.Module):
    """``(N, 2, T, N_MELS)`` -> ``(N, T, len(TASKS))`` logits.

    Examples
    --------
    >>> net = MusicCRNN()
    >>> net(torch.zeros(1, 2, 50, N_MELS)).shape
    torch.Size([1, 50, 6])
    """

    def __init__(self, channels: int = 16, hidden: int = 48) -> None:
        super().__init__()

        def block(c_in: int, c_out: int) -> list[nn.Module]:
            return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()]

        # frequency is pooled right after the first layer: the full-resolution layers cost most
        self.conv = nn.Sequential(
            *block(2, channels),
            nn.MaxPool2d((1, 4)),
            *block(channels, 2 * channels),
            nn.MaxPool2d((1, 4)),
            *block(2 * channels, 2 * channels),
            nn.Dropout(0.1),
        )
        n_freq = N_MELS // 16
        self.proj = nn.Linear(2 * channels * n_freq, 64)
        self.rnn = nn.GRU(64, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, len(TASKS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv(x)  # (N, C, T, F)
        n, c, t, f = h.shape
        h = h.permute(0, 2, 1, 3).reshape(n, t, c * f)
        h = torch.relu(self.proj(h))
        h, _ = self.rnn(h)
        return self.head(h)
