"""Read audio files into :class:`~fakescope.core.media.Media` (``modality="audio"``).

WAV/FLAC/OGG (Vorbis, Opus)/AIFF go through soundfile (libsndfile); MP3, M4A/AAC, Opus, WebM and
anything else FFmpeg reads go through PyAV. Every channel is kept at the file's own rate; detectors
resample what they need (see :class:`~fakescope.audio.clip.AudioClip`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.audio.clip import AudioClip
from fakescope.core.files import check_regular_file
from fakescope.core.media import Media, MediaError

EXTENSIONS = (
    ".wav",
    ".wave",
    ".flac",
    ".ogg",
    ".oga",
    ".opus",
    ".mp3",
    ".m4a",
    ".aac",
    ".aif",
    ".aiff",
    ".weba",
)
MAX_SECONDS = 3 * 3600.0  # longer inputs are refused: decoding them would exhaust memory
MIN_SECONDS = 0.05
#: Most samples (frames x channels) decoded from one input: 256 MB of float32. A longer file
#: (or a few-kilobyte FLAC of hours of silence) is analysed on its first part, and says so.
MAX_DECODED_SAMPLES = 64_000_000
#: Sample rates the detectors can work from; a WAV header can claim anything from 1 Hz to 4 GHz.
MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 4_000, 768_000
_SOUNDFILE_FORMATS = {"WAV", "FLAC", "OGG", "AIFF", "WAVEX", "RF64", "W64", "CAF"}
_M4A_BRANDS = (b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B ")


def sniff(head: bytes) -> bool:
    """True when the first bytes look like an audio container or stream.

    Examples
    --------
    >>> sniff(b"RIFF\\x00\\x00\\x00\\x00WAVEfmt "), sniff(b"fLaC"), sniff(b"\\x89PNG")
    (True, True, False)
    """
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return True
    if head[:4] in (b"fLaC", b"OggS", b".snd") or head[:3] == b"ID3":
        return True
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return True
    if head[4:8] == b"ftyp" and head[8:12] in _M4A_BRANDS:
        return True
    return _mpeg_frame(head)


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio (MP3) or ADTS (AAC) frame header at offset 0.

    The UTF-16 byte-order mark ``FF FE`` is also a valid MPEG-1 Layer I header; a head that
    reads as UTF-16 text after it is text, not audio.
    """
    if len(head) < 4 or head[0] != 0xFF or (head[1] & 0xE0) != 0xE0:
        return False
    if head[:2] == b"\xff\xfe" and _utf16_text(head[2:]):
        return False
    if (head[1] & 0xF6) == 0xF0:  # ADTS: sync 0xFFF, layer 00
        return ((head[2] >> 2) & 0x0F) < 13
    version, layer = (head[1] >> 3) & 0x03, (head[1] >> 1) & 0x03
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 0x03
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _utf16_text(body: bytes) -> bool:
    """True when little-endian UTF-16 bytes decode to mostly printable text."""
    text = body[: len(body) // 2 * 2].decode("utf-16-le", "replace")
    printable = sum(ch.isprintable() or ch in "\t\r\n" for ch in text)
    return len(text) > 0 and printable / len(text) >= 0.9


def load_audio(path: Path) -> list[Media]:
    """Decode an audio file into one :class:`Media` holding an :class:`AudioClip`.

    Raises
    ------
    MediaError
        Empty, truncated, corrupt, silent, too short or too long files, in the user's words.

    Examples
    --------
    >>> import soundfile as sf, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "tone.wav")
    >>> sf.write(p, np.sin(np.arange(8000) / 5.0) * 0.5, 8000)
    >>> m = load_audio(Path(p))[0]
    >>> m.metadata["sample_rate"], m.data.channels
    (8000, 1)
    """
    path = Path(path)
    shown = str(path)
    size = check_regular_file(path, shown)
    if size == 0:
        raise MediaError(shown, "the file is empty")
    samples, rate, fmt, codec, total = _decode(path)
    metadata = {"format": fmt, "codec": codec, "size": size}
    return [clip_media(samples, rate, shown, metadata, total_frames=total)]


def clip_media(
    samples: np.ndarray,
    rate: float,
    shown: str,
    metadata: dict | None = None,
    *,
    total_frames: int | None = None,
) -> Media:
    """Check decoded samples and wrap them as an audio :class:`Media`.

    ``total_frames`` is the length of the whole recording when only its first part was decoded
    (see :data:`MAX_DECODED_SAMPLES`); the metadata then says what was analysed.

    Raises
    ------
    MediaError
        No samples, an unusable sample rate, too short, non-finite samples, silence.
    """
    samples = np.asarray(samples)
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.ndim != 2:
        raise MediaError(shown, f"samples of shape {samples.shape} are not (n,) or (n, channels)")
    if samples.shape[0] == 0 or samples.shape[1] == 0:
        raise MediaError(shown, "contains no audio samples (truncated or empty stream)")
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise MediaError(
            shown,
            f"has a sample rate of {rate:g} Hz; the detectors work from "
            f"{MIN_SAMPLE_RATE // 1000} kHz to {MAX_SAMPLE_RATE // 1000} kHz",
        )
    duration = samples.shape[0] / rate
    if duration < MIN_SECONDS:
        raise MediaError(shown, f"is too short to analyse ({duration * 1000:.0f} ms of audio)")
    if not np.issubdtype(samples.dtype, np.number) or np.iscomplexobj(samples):
        raise MediaError(shown, f"samples of type {samples.dtype} are not audio")
    if np.issubdtype(samples.dtype, np.unsignedinteger):  # offset binary (8-bit WAV)
        half = float(np.iinfo(samples.dtype).max + 1) / 2.0
        samples = (samples.astype(np.float32) - half) / half
    elif np.issubdtype(samples.dtype, np.integer):
        samples = samples.astype(np.float32) / float(np.iinfo(samples.dtype).max + 1)
    if not np.all(np.isfinite(samples)):
        raise MediaError(shown, "contains invalid (non-finite) samples; the file is corrupt")
    peak = float(np.abs(samples).max())
    if peak < 1e-4:
        raise MediaError(shown, "is silent: there is nothing to analyse")
    clip = AudioClip(np.ascontiguousarray(samples, dtype=np.float32), int(rate))
    meta = dict(metadata or {})
    meta.update(
        {
            "sample_rate": int(rate),
            "channels": clip.channels,
            "duration_s": round(duration, 3),
            "peak": round(peak, 4),
        }
    )
    if total_frames is not None and total_frames > samples.shape[0]:
        meta["analysis_note"] = (
            f"only the first {_minutes(duration)} of {_minutes(total_frames / rate)} were "
            "analysed (memory limit per file)"
        )
    return Media(path=shown, modality="audio", data=clip, metadata=meta)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.1f} s"


def audio_from_object(obj: object, name: str) -> list[Media] | None:
    """Converter for audio in memory: ``{"raw": samples, "sampling_rate": rate}`` (the Hugging
    Face pipeline convention; ``"array"`` is accepted for ``"raw"``). Samples are (n,) or
    (n, channels), float in [-1, 1] or integer PCM.

    Examples
    --------
    >>> tone = np.sin(np.arange(16000) / 3.0) * 0.3
    >>> audio_from_object({"raw": tone, "sampling_rate": 16000}, "<audio #1>")[0].metadata[
    ...     "duration_s"]
    1.0
    >>> audio_from_object({"text": "hi"}, "<text #1>") is None
    True
    """
    if not isinstance(obj, dict) or "sampling_rate" not in obj:
        return None
    raw = obj.get("raw", obj.get("array"))
    if raw is None:
        raise MediaError(name, 'audio in memory needs {"raw": samples, "sampling_rate": rate}')
    try:
        rate = float(obj["sampling_rate"])
    except (TypeError, ValueError):
        raise MediaError(name, f"sampling_rate {obj['sampling_rate']!r} is not a number") from None
    samples = np.asarray(raw)
    if samples.size > MAX_DECODED_SAMPLES:
        raise MediaError(name, f"holds more than {MAX_DECODED_SAMPLES:,} samples")
    return [clip_media(samples, rate, name, {"format": "memory", "codec": "pcm"})]


def _decode(path: Path) -> tuple[np.ndarray, int, str, str, int | None]:
    """Samples (at most :data:`MAX_DECODED_SAMPLES`), rate, format, codec and the length in
    frames of the whole recording when only a part was decoded."""
    shown = str(path)
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except Exception:
        info = None
    if info is not None and info.format in _SOUNDFILE_FORMATS:
        if info.frames > MAX_SECONDS * info.samplerate:
            raise MediaError(
                shown,
                f"is too long ({info.frames / info.samplerate / 3600:.1f} h; "
                f"the limit is {MAX_SECONDS / 3600:.0f} h)",
            )
        wanted = min(info.frames, MAX_DECODED_SAMPLES // max(1, info.channels))
        try:
            data, rate = sf.read(str(path), frames=wanted, dtype="float32", always_2d=True)
            total = info.frames if info.frames > wanted else None
            return data, int(rate), info.format.lower(), info.subtype.lower(), total
        except Exception as exc:
            # libsndfile refuses some damaged files that FFmpeg still decodes in part
            try:
                return _decode_av(path)
            except MediaError:
                raise MediaError(shown, f"is corrupt or truncated ({exc})") from None
    return _decode_av(path)


def _decode_av(path: Path) -> tuple[np.ndarray, int, str, str, int | None]:
    shown = str(path)
    import av

    # PyAV's default (level None) drops FFmpeg's log lines, so damaged frames print nothing; the
    # reason reaches the user in the MediaError. Never set a level: that installs a Python log
    # callback, and an FFmpeg decoder thread logging while the main thread frees a threaded codec
    # (holding the GIL) deadlocks the process (seen: a video scan hung forever after an audio load).
    av.logging.set_level(None)
    try:
        container = av.open(str(path))
    except Exception:
        raise MediaError(
            shown, "is not a readable audio file (unknown or damaged format)"
        ) from None
    with container:
        streams = [s for s in container.streams if s.type == "audio"]
        if not streams:
            raise MediaError(shown, "is not an audio file (no audio track found)")
        stream = streams[0]
        chunks: list[np.ndarray] = []
        rate = stream.rate or stream.codec_context.sample_rate or 0
        total = 0
        cut_short = False
        try:
            for frame in container.decode(stream):
                arr = frame.to_ndarray()
                arr = _planar_to_float(arr, frame.format.name, len(frame.layout.channels))
                chunks.append(arr)
                total += arr.shape[0]
                rate = frame.sample_rate or rate
                if rate and total > MAX_SECONDS * rate:
                    raise MediaError(shown, f"is too long (over {MAX_SECONDS / 3600:.0f} h)")
                if total * arr.shape[1] >= MAX_DECODED_SAMPLES:
                    cut_short = True
                    break
        except MediaError:
            raise
        except Exception as exc:
            if not chunks:
                raise MediaError(shown, f"is corrupt: no audio could be decoded ({exc})") from None
            # a truncated stream: keep what decoded, which is what players do
        if not chunks:
            raise MediaError(shown, "contains no audio samples (truncated or empty stream)")
        fmt = container.format.name.split(",")[0]
        codec = stream.codec_context.name
        whole = None
        if cut_short:
            seconds = container.duration / 1e6 if container.duration else None
            # unknown length: say "more than what was read"
            whole = int(seconds * rate) if seconds and rate else total + 1
    return np.concatenate(chunks, axis=0), int(rate), fmt, codec, whole


def _planar_to_float(arr: np.ndarray, fmt: str, channels: int) -> np.ndarray:
    """PyAV frame array -> ``(n, channels)`` float32 in [-1, 1]."""
    if fmt.endswith("p"):  # planar: (channels, n)
        arr = arr.T
    else:  # packed: (1, n * channels)
        arr = arr.reshape(-1, channels)
    if arr.dtype == np.int16:
        return arr.astype(np.float32) / 32768.0
    if arr.dtype == np.int32:
        return arr.astype(np.float32) / 2147483648.0
    if arr.dtype == np.uint8:
        return (arr.astype(np.float32) - 128.0) / 128.0
    return arr.astype(np.float32)
