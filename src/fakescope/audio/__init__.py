"""Audio modality: synthetic speech (voice clones, TTS) and machine-made music.

``register()`` is called by the plugin loader; it only fills the registry (no torch import, no
weight loading).
"""

from __future__ import annotations


def _lfcc_gmm():
    from fakescope.audio.lfcc_gmm import LfccGmmDetector

    return LfccGmmDetector()


def _spec_cnn():
    from fakescope.audio.spec_cnn import SpecCnnDetector

    return SpecCnnDetector()


def _whisper_embed():
    from fakescope.audio.whisper_embed import WhisperEmbedDetector

    return WhisperEmbedDetector()


def _music():
    from fakescope.audio.music import MusicArtifactsDetector

    return MusicArtifactsDetector()


def _load(path):
    from fakescope.audio.loader import load_audio

    return load_audio(path)


def _from_object(obj, name):  # noqa: ANN001, ANN202  (converter for audio in memory)
    from fakescope.audio.loader import audio_from_object

    return audio_from_object(obj, name)


def _sniff(head: bytes) -> bool:
    from fakescope.audio.loader import sniff

    return sniff(head)


def register() -> None:
    """Register the audio loader, detectors, fuser and commands."""
    from fakescope.audio.commands import generate_speech, train_audio
    from fakescope.audio.fusion import DEFAULT_SPEECH, AudioFuser
    from fakescope.audio.loader import EXTENSIONS
    from fakescope.audio.music_commands import analyze_music_command, train_music
    from fakescope.core.registry import (
        register_command,
        register_detector,
        register_fuser,
        register_loader,
    )

    register_loader("audio", EXTENSIONS, _load, sniff=_sniff, convert=_from_object)
    speech = {
        "lfcc-gmm": (
            _lfcc_gmm,
            "ASVspoof baseline: LFCC features, bona fide vs synthetic GMMs (speech only)",
        ),
        "spec-cnn": (_spec_cnn, "compact CNN on log spectrograms (speech only)"),
        "whisper-embed": (
            _whisper_embed,
            "linear head on a frozen Whisper encoder's statistics (speech only)",
        ),
    }
    # which speech detectors run by default is decided in one place (docs/audio.md says why)
    for name, (factory, text) in speech.items():
        default = name in DEFAULT_SPEECH
        register_detector(
            name,
            "audio",
            factory,
            default=default,
            description=text if default else f"{text}; opt in with --extra {name}",
        )
    register_detector(
        "music-artifacts",
        "audio",
        _music,
        description=("codec / up-sampling / phase / stereo traces of generated music (music only)"),
    )
    register_fuser("audio", AudioFuser())
    register_command("train", "audio", train_audio)
    register_command("generate", "speech", generate_speech)
    register_command("train", "music", train_music)
    register_command("analyze", "music", analyze_music_command)
