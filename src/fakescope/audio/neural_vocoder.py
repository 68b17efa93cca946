"""Tiny neural vocoders trained here on real speech, for copy-synthesis training data.

Genuine TTS and voice-conversion systems end in a neural waveform generator (MelGAN, HiFi-GAN,
Parallel WaveGAN, WaveGlow, Vocos, ...); their traces (upsampling artefacts, phase that does not
come from a vocal tract) are what a detector should learn. No pretrained vocoder installs offline,
so two small generators are trained here, on the CPU, from log-mel spectrograms of real speech:

- ``neural-upsample``: MelGAN / HiFi-GAN layout: transposed-convolution upsampling (8 x 8 x 4)
  with dilated residual blocks, waveform out;
- ``neural-istft``: Vocos layout: a 1-D convolution stack at frame rate predicting the STFT
  magnitude and phase, waveform by inverse STFT.

Both are trained with a multi-resolution STFT loss and a mel loss (the auxiliary losses of Parallel
WaveGAN / HiFi-GAN), without a discriminator: a CPU budget of minutes gives intelligible but
imperfect speech, which is what copy-synthesis needs (the generator's trace, same voice and
words as the real source). Everything works at 16 kHz (8 kHz input is upsampled and the output
brought back).

Examples
--------
>>> import torch
>>> voc = build_vocoder("neural-istft")
>>> voc(torch.zeros(1, 80, 10)).shape
torch.Size([1, 2560])
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

RATE = 16000
N_FFT, HOP, N_MELS = 1024, 256, 80
KINDS = ("neural-upsample", "neural-istft")


def _torch():
    import torch

    return torch


def mel_basis():
    """``(N_MELS, N_FFT // 2 + 1)`` mel filterbank (0-8 kHz) as a float tensor."""
    from fakescope.audio.dsp import mel_filterbank

    return _torch().from_numpy(mel_filterbank(N_MELS, N_FFT, RATE).astype(np.float32))


def log_mel(wave, basis):
    """``(B, T)`` waveform -> ``(B, N_MELS, T // HOP)`` log-mel (natural log, floor 1e-5)."""
    torch = _torch()
    window = torch.hann_window(N_FFT, device=wave.device)
    pad = (N_FFT - HOP) // 2
    x = torch.nn.functional.pad(wave[:, None], (pad, pad), mode="reflect")[:, 0]
    spec = torch.stft(x, N_FFT, HOP, window=window, center=False, return_complex=True).abs()
    return torch.log(torch.clamp(basis @ spec, min=1e-5))


def build_vocoder(kind: str, width: int = 64):
    """The generator ``(B, N_MELS, F) -> (B, F * HOP)`` of ``kind`` (one of :data:`KINDS`)."""
    torch = _torch()
    from torch import nn

    if kind not in KINDS:
        raise ValueError(f"unknown neural vocoder {kind!r}; expected one of {KINDS}")

    class ResBlock(nn.Module):
        def __init__(self, ch: int) -> None:
            super().__init__()
            self.convs = nn.ModuleList(
                nn.Conv1d(ch, ch, 3, dilation=d, padding=d) for d in (1, 3, 9)
            )

        def forward(self, x):
            for conv in self.convs:
                x = x + conv(nn.functional.leaky_relu(x, 0.2))
            return x

    class Upsample(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            layers: list[nn.Module] = [nn.Conv1d(N_MELS, width, 7, padding=3)]
            ch = width
            for factor in (8, 8, 4):
                layers += [
                    nn.LeakyReLU(0.2),
                    nn.ConvTranspose1d(ch, ch // 2, 2 * factor, stride=factor, padding=factor // 2),
                    ResBlock(ch // 2),
                ]
                ch //= 2
            layers += [nn.LeakyReLU(0.2), nn.Conv1d(ch, 1, 7, padding=3), nn.Tanh()]
            self.net = nn.Sequential(*layers)

        def forward(self, mel):
            return self.net(mel)[:, 0, : mel.shape[-1] * HOP]

    class Istft(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            dim = 2 * width
            self.inp = nn.Conv1d(N_MELS, dim, 7, padding=3)
            self.blocks = nn.ModuleList(
                nn.Sequential(
                    nn.Conv1d(dim, dim, 7, padding=3, groups=dim),
                    nn.GroupNorm(1, dim),
                    nn.Conv1d(dim, 3 * dim, 1),
                    nn.GELU(),
                    nn.Conv1d(3 * dim, dim, 1),
                )
                for _ in range(4)
            )
            self.out = nn.Conv1d(dim, 2 * (N_FFT // 2 + 1), 1)
            self.register_buffer("window", torch.hann_window(N_FFT))

        def forward(self, mel):
            h = self.inp(mel)
            for block in self.blocks:
                h = h + block(h)
            mag, phase = self.out(h).chunk(2, dim=1)
            spec = torch.exp(torch.clamp(mag, max=6.0)) * torch.exp(1j * phase)
            y = torch.istft(spec, N_FFT, HOP, window=self.window, center=True)
            n = mel.shape[-1] * HOP
            return nn.functional.pad(y, (0, max(0, n - y.shape[-1])))[:, :n]

    return Upsample() if kind == "neural-upsample" else Istft()


def stft_loss(y, target, basis):
    """Multi-resolution STFT loss (spectral convergence + log magnitude) plus mel L1."""
    torch = _torch()
    loss = 0.0
    for n_fft, hop in ((512, 128), (1024, 256), (2048, 512)):
        w = torch.hann_window(n_fft, device=y.device)
        a = torch.stft(y, n_fft, hop, window=w, return_complex=True).abs() + 1e-6
        b = torch.stft(target, n_fft, hop, window=w, return_complex=True).abs() + 1e-6
        loss = loss + torch.linalg.norm(a - b) / torch.linalg.norm(b)
        loss = loss + torch.mean(torch.abs(torch.log(a) - torch.log(b)))
    mel_l1 = torch.mean(torch.abs(log_mel(y, basis) - log_mel(target, basis)))
    return loss / 3 + mel_l1


def train_vocoder(
    audios: list[np.ndarray],
    kind: str,
    steps: int,
    seed: int = 0,
    batch: int = 8,
    segment: int = 8192,
    log: Callable[[str], None] = print,
):
    """Train a generator of ``kind`` on 16 kHz real speech (random ``segment``-sample crops)."""
    torch = _torch()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    clips = [a for a in audios if len(a) > segment]
    if not clips:
        raise ValueError(f"no training clip is longer than {segment} samples")
    model = build_vocoder(kind)
    basis = mel_basis()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, betas=(0.8, 0.99))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    running = None
    for step in range(steps):
        idx = rng.integers(0, len(clips), batch)
        crops = []
        for i in idx:
            start = int(rng.integers(0, len(clips[i]) - segment + 1))
            crops.append(clips[i][start : start + segment])
        target = torch.from_numpy(np.stack(crops).astype(np.float32))
        loss = stft_loss(model(log_mel(target, basis)), target, basis)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        sched.step()
        value = float(loss.detach())
        running = value if running is None else 0.98 * running + 0.02 * value
        if (step + 1) % 100 == 0 or step + 1 == steps:
            log(f"{kind}: step {step + 1}/{steps} loss {running:.3f}")
    return model.eval()


class NeuralVocoder:
    """A trained generator: :meth:`copy_synthesize` re-synthesises real speech through it."""

    def __init__(self, kind: str, model) -> None:
        self.kind, self.model, self.basis = kind, model, mel_basis()

    def copy_synthesize(self, x: np.ndarray, rate: int) -> np.ndarray:
        """``x`` at ``rate`` (8 or 16 kHz) -> the generator's copy at ``rate``, peak 0.9."""
        torch = _torch()
        from fakescope.audio.dsp import resample

        y16 = resample(np.asarray(x, dtype=np.float32), rate, RATE)
        with torch.inference_mode():
            w = torch.from_numpy(y16)[None]
            out = self.model(log_mel(w, self.basis))[0].numpy()
        out = resample(out[: len(y16)], RATE, rate)[: len(x)]
        out = np.pad(out, (0, len(x) - len(out)))
        peak = float(np.max(np.abs(out))) if out.size else 0.0
        if not np.isfinite(peak) or peak < 1e-6:
            raise ValueError(f"{self.kind} copy is silent or not finite")
        return (0.9 * out / peak).astype(np.float32)


def save_vocoder(path: Path, kind: str, model, info: dict | None = None) -> None:
    _torch().save({"kind": kind, "state_dict": model.state_dict(), "info": info or {}}, path)


def load_vocoder(path: Path) -> NeuralVocoder:
    """A generator written by :func:`save_vocoder`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no neural vocoder (scripts/audio/train_neural_vocoder.py)"
        )
    ckpt = _torch().load(path, map_location="cpu", weights_only=True)
    model = build_vocoder(ckpt["kind"])
    model.load_state_dict(ckpt["state_dict"])
    return NeuralVocoder(ckpt["kind"], model.eval())
