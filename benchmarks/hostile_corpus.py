"""Build a corpus of hostile and unusual inputs for ``bench_hostile.py``.

Every file is made here from nothing (no shared data): empty, truncated and mislabelled files,
decompression bombs, odd image modes and audio formats, a long-GOP video, pathological Markdown,
HTML and JSON, special files (FIFOs, links to devices, sockets, loops) and hostile file names.
Each case says what a correct scan gives: ``error`` (a clear reason), ``verdict`` (a score),
``abstain`` (no score, no error: "too small to judge", "flat image"), ``judged`` (a verdict or
an abstention) or ``any`` (anything but a hang or a traceback).

    python benchmarks/hostile_corpus.py OUT_DIR      # build only
"""

from __future__ import annotations

import io
import json
import os
import socket
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

RNG = np.random.default_rng(18)
PROSE = (
    "The committee met on Tuesday to discuss the new budget for the library. Several members "
    "argued that the reading room needed better lighting, while others wanted more money for "
    "the children's section. After a long debate, they agreed to split the funds evenly. "
)


@dataclass
class Case:
    name: bytes  # relative path, bytes: some names are not valid UTF-8
    expect: str  # error | verdict | abstain | judged | any
    build: Callable[[Path], None]
    special: bool = False  # not a regular file: never hashed, never read by the bench itself


def _noise(h: int, w: int, c: int = 3) -> np.ndarray:
    return RNG.integers(0, 256, (h, w, c) if c > 1 else (h, w), dtype=np.uint8)


def _photo(h: int = 128, w: int = 128) -> Image.Image:
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 2 % 256, yy * 2 % 256, (xx + yy) % 256], -1).astype(np.int16)
    return Image.fromarray(np.clip(base + RNG.normal(0, 6, base.shape), 0, 255).astype(np.uint8))


def _save(img: Image.Image, fmt: str, **kw) -> Callable[[Path], None]:
    return lambda p: img.save(p, format=fmt, **kw)


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data)


def _encoded(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _stripe_png(width: int, height: int) -> Callable[[Path], None]:
    """An RGB PNG of ``width x height`` whose rows repeat (filter "Up"): ~100 KB on disk."""

    def build(path: Path) -> None:
        row = RNG.integers(0, 256, width * 3, dtype=np.uint8).tobytes()
        comp = zlib.compressobj(9)
        parts = [comp.compress(b"\x00" + row)]
        same = b"\x02" + bytes(width * 3)  # "Up": each row equals the one above
        block = same * 64
        for _ in range((height - 1) // 64):
            parts.append(comp.compress(block))
        parts.append(comp.compress(same * ((height - 1) % 64)) + comp.flush())
        ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        path.write_bytes(
            b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", b"".join(parts))
            + _png_chunk(b"IEND", b"")
        )

    return build


def _wav(samples: np.ndarray, rate: int, subtype: str | None = None) -> Callable[[Path], None]:
    import soundfile as sf

    return lambda p: sf.write(p, samples, rate, subtype=subtype, format="WAV")


def _speechy(seconds: float, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    env = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    tone = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((140, 280, 420, 560), 1))
    return (0.2 * env * tone + RNG.normal(0, 0.01, t.size)).astype(np.float32)


def _flac_silence(seconds: int, rate: int, channels: int) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        import soundfile as sf

        block = np.zeros((rate * 10, channels), np.float32)
        with sf.SoundFile(path, "w", rate, channels, format="FLAC") as fh:
            for _ in range(seconds // 10):
                fh.write(block)

    return build


def _video(frames: int, size: tuple[int, int], fps: int = 25, noise: bool = True):
    def build(path: Path) -> None:
        import av

        w, h = size
        with av.open(str(path), "w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=fps)  # default GOP: 250 frames
            stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
            for i in range(frames):
                img = _noise(h, w) if noise else np.full((h, w, 3), (i * 5) % 256, np.uint8)
                for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)

    return build


def _audio_only_mp4(path: Path) -> None:
    import av

    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=16000)
        samples = (_speechy(1.0) * 32767).astype(np.int16)[None, :]
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _mp3(path: Path) -> None:
    import av

    with av.open(str(path), "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=16000)
        samples = (_speechy(2.0) * 32767).astype(np.int16)[None, :]
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link(target: str) -> Callable[[Path], None]:
    return lambda p: p.symlink_to(target)


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()


def _loop(path: Path) -> None:
    other = path.with_name(path.name + ".other")
    if os.path.lexists(other):
        other.unlink()
    path.symlink_to(other.name)
    other.symlink_to(path.name)


def _truncate(data: bytes, fraction: float = 0.5) -> bytes:
    return data[: int(len(data) * fraction)]


def _jsonl(records: list[str]) -> Callable[[Path], None]:
    return lambda p: p.write_text("\n".join(records) + "\n")


def image_cases() -> list[Case]:
    photo = _photo()
    png, jpg = _encoded(photo, "PNG"), _encoded(photo, "JPEG", quality=90)
    lab = photo.convert("LAB")
    nan_tiff = Image.fromarray(np.full((128, 128), np.nan, np.float32), mode="F")
    float_tiff = Image.fromarray(RNG.random((128, 128)).astype(np.float32), mode="F")
    frames = [Image.fromarray(_noise(64, 64)) for _ in range(3)]
    gif_frames = [Image.fromarray(_noise(32, 32, 1), "L") for _ in range(1500)]
    many_text = _encoded(photo, "PNG")
    text_chunks = b"".join(_png_chunk(b"tEXt", b"k%d\x00" % i + b"v" * 50) for i in range(20000))
    many_text = many_text[:-12] + text_chunks + many_text[-12:]
    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)  # 3.6 gigapixels, valid CRC
    bomb_header = png[:8] + _png_chunk(b"IHDR", ihdr) + png[33:]
    return [
        Case(b"image/empty.png", "error", _bytes(b"")),
        Case(b"image/truncated.png", "error", _bytes(_truncate(png))),
        Case(b"image/truncated.jpg", "any", _bytes(_truncate(jpg))),
        Case(b"image/header_only.jpg", "error", _bytes(jpg[:200])),
        Case(b"image/jpeg_named.png", "verdict", _bytes(jpg)),
        Case(b"image/png_named.txt", "verdict", _bytes(png)),
        Case(b"image/text_named.png", "error", _bytes(b"hello, not a picture at all")),
        Case(b"image/random_bytes.png", "error", _bytes(RNG.bytes(5000))),
        Case(b"image/bomb_10000x9999.png", "judged", _stripe_png(10000, 9999)),
        Case(b"image/bomb_20000x20000.png", "error", _stripe_png(20000, 20000)),
        Case(b"image/bomb_header_60000.png", "error", _bytes(bomb_header)),
        Case(b"image/mode_1.png", "judged", _save(photo.convert("1"), "PNG")),
        Case(b"image/mode_L.png", "verdict", _save(photo.convert("L"), "PNG")),
        Case(b"image/mode_LA.png", "verdict", _save(photo.convert("LA"), "PNG")),
        Case(b"image/mode_P.png", "verdict", _save(photo.convert("P"), "PNG")),
        Case(b"image/mode_RGBA.png", "verdict", _save(photo.convert("RGBA"), "PNG")),
        Case(b"image/mode_I16.png", "verdict", _save(photo.convert("I;16"), "PNG")),
        Case(b"image/mode_CMYK.jpg", "verdict", _save(photo.convert("CMYK"), "JPEG")),
        Case(b"image/mode_LAB.tif", "verdict", _save(lab, "TIFF")),
        Case(b"image/mode_I32.tif", "verdict", _save(photo.convert("I"), "TIFF")),
        Case(b"image/mode_F.tif", "verdict", _save(float_tiff, "TIFF")),
        Case(b"image/nan_float.tif", "error", _save(nan_tiff, "TIFF")),
        Case(b"image/animated.png", "verdict", _save(frames[0], "PNG", save_all=True,
                                                        append_images=frames[1:])),
        Case(b"image/gif_1500_frames.gif", "judged", _save(gif_frames[0], "GIF", save_all=True,
                                                              append_images=gif_frames[1:])),
        Case(b"image/png_20000_text_chunks.png", "verdict", _bytes(many_text)),
        Case(b"image/tiny_8x8.png", "abstain", _save(Image.fromarray(_noise(8, 8)), "PNG")),
        Case(b"image/one_pixel.png", "abstain", _save(Image.fromarray(_noise(1, 1)), "PNG")),
        Case(b"image/strip_1x5000.png", "abstain", _save(Image.fromarray(_noise(1, 5000)), "PNG")),
        Case(b"image/flat_white.png", "abstain", _save(Image.new("RGB", (512, 512), "white"),
                                                        "PNG")),
        Case(b"image/flat_black.jpg", "abstain", _save(Image.new("RGB", (512, 512)), "JPEG")),
        Case(b"image/corrupt_webp.webp", "error", _bytes(b"RIFF\x10\x00\x00\x00WEBPVP8 " +
                                                          RNG.bytes(200))),
        Case(b"image/bmp_huge_header.bmp", "error", _bytes(
            b"BM" + struct.pack("<IHHI", 1000, 0, 0, 54)
            + struct.pack("<IiiHHIIiiII", 40, 100000, 100000, 1, 24, 0, 0, 0, 0, 0, 0))),
    ]  # fmt: skip


def audio_cases() -> list[Case]:
    import soundfile as sf

    voice = _speechy(2.0)
    buf = io.BytesIO()
    sf.write(buf, voice, 16000, format="WAV")
    wav = buf.getvalue()
    lying = wav[:40] + struct.pack("<I", 0xFFFFFFF0) + wav[44:]
    nan = voice.copy()
    nan[100:200] = np.nan
    return [
        Case(b"audio/empty.wav", "error", _bytes(b"")),
        Case(b"audio/header_only.wav", "error", _bytes(wav[:44])),
        Case(b"audio/truncated.wav", "verdict", _bytes(_truncate(wav))),
        Case(b"audio/size_lies.wav", "verdict", _bytes(lying)),
        Case(b"audio/pcm_u8.wav", "verdict", _wav(voice, 16000, "PCM_U8")),
        Case(b"audio/pcm_24.wav", "verdict", _wav(voice, 16000, "PCM_24")),
        Case(b"audio/float64.wav", "verdict", _wav(voice.astype(np.float64), 16000, "DOUBLE")),
        Case(b"audio/nan.wav", "error", _wav(nan, 16000, "FLOAT")),
        Case(b"audio/silent.wav", "error", _wav(np.zeros(32000, np.float32), 16000)),
        Case(b"audio/10ms.wav", "error", _wav(voice[:160], 16000)),
        Case(b"audio/rate_1hz.wav", "error", _wav(voice[:5000], 1)),
        Case(b"audio/rate_384k.wav", "judged", _wav(_speechy(1.0, 384000), 384000)),
        Case(b"audio/64_channels.wav", "judged", _wav(np.tile(voice[:, None], (1, 64)), 16000)),
        Case(b"audio/garbage.mp3", "error", _bytes(RNG.bytes(20000))),
        Case(b"audio/real.mp3", "verdict", _mp3),
        Case(b"audio/wav_named.jpg", "verdict", _bytes(wav)),
        Case(b"audio/flac_bomb_20min_silence.flac", "error", _flac_silence(1200, 48000, 2)),
        Case(b"audio/long_6min.flac", "judged", lambda p: sf.write(p, _speechy(360.0), 16000)),
    ]  # fmt: skip


def video_cases() -> list[Case]:
    return [
        Case(b"video/empty.mp4", "error", _bytes(b"")),
        Case(b"video/garbage.mkv", "error", _bytes(b"\x1a\x45\xdf\xa3" + RNG.bytes(5000))),
        Case(b"video/long_gop_6000_frames.mp4", "judged", _video(6000, (64, 48))),
        Case(b"video/tiny_16x16.mp4", "judged", _video(50, (16, 16))),
        Case(b"video/one_frame.mp4", "judged", _video(1, (128, 96))),
        Case(b"video/big_2560x2560.mp4", "judged", _video(10, (2560, 2560))),
        Case(b"video/audio_only.mp4", "error", _audio_only_mp4),
        Case(b"video/mp4_named.wav", "judged", _video(30, (128, 96), noise=False)),
    ]


def _truncated_video(path: Path) -> None:
    _video(60, (128, 96))(path)
    path.write_bytes(_truncate(path.read_bytes(), 0.4))


def text_cases() -> list[Case]:
    deep = "[" * 200_000 + "]" * 200_000
    records = [json.dumps({"text": PROSE, "id": i}) for i in range(3)]
    return [
        Case(b"text/empty.txt", "error", _bytes(b"")),
        Case(b"text/whitespace.txt", "error", _bytes(b" \n\t\n" * 100)),
        Case(b"text/binary.txt", "error", _bytes(RNG.bytes(4000))),
        Case(b"text/latin1.txt", "error", _bytes(("Caf\xe9 cr\xe8me. " * 40).encode("latin-1"))),
        Case(b"text/nul_bytes.txt", "error", _bytes(b"text\x00" * 500)),
        Case(b"text/utf16_bom.txt", "verdict", _bytes(("\ufeff" + PROSE * 3).encode("utf-16"))),
        Case(b"text/utf16_named.mp3", "verdict",
             _bytes(("\ufeff" + PROSE * 3).encode("utf-16-le"))),
        Case(b"text/markdown_40k_comments.md", "any", _bytes(b"<!--a " * 40_000 + PROSE.encode())),
        Case(b"text/markdown_40k_links.md", "any", _bytes(b"[a](b " * 40_000 + PROSE.encode())),
        Case(b"text/markdown_1MB_mixed.md", "any",
             _bytes((b"[x](<!--**_`![a]( \n\n - " * 50_000)[:1_000_000])),
        Case(b"text/html_50k_open_tags.html", "any", _bytes(b"<a " * 50_000 + PROSE.encode())),
        Case(b"text/html_comment_bomb.html", "any",
             _bytes(b"<html><body><p>" + PROSE.encode() + b"<!--" * 100_000)),
        Case(b"text/json_huge_int.jsonl", "any",
             _jsonl(['{"text": "' + PROSE + '", "id": ' + "9" * 5000 + "}", *records])),
        Case(b"text/json_deep_nesting.jsonl", "any", _jsonl([records[0], deep, records[1]])),
        Case(b"text/json_deep.json", "error", _bytes(deep.encode())),
        Case(b"text/json_nan_surrogates.jsonl", "any",
             _jsonl(['{"text": "odd \\ud800 ' + PROSE + '", "x": NaN}', records[2]])),
        Case(b"text/json_text_not_string.json", "error", _bytes(b'{"text": 12345}')),
        Case(b"text/jsonl_2000_records.jsonl", "any",
             _jsonl([json.dumps({"text": f"short line {i}"}) for i in range(2000)])),
        Case(b"text/over_50MB.txt", "error", _bytes(b"word " * (11 * 1024 * 1024))),
        Case(b"text/prose_200KB.txt", "judged", _bytes((PROSE * 800).encode())),
        Case(b"text/prose_named.mp4", "judged", _bytes((PROSE * 3).encode())),
    ]  # fmt: skip


def special_cases() -> list[Case]:
    png = _encoded(_photo(), "PNG")
    return [
        Case(b"special/fifo.wav", "error", _fifo, special=True),
        Case(b"special/fifo.png", "error", _fifo, special=True),
        Case(b"special/zero_link.png", "error", _link("/dev/zero"), special=True),
        Case(b"special/zero_link.txt", "error", _link("/dev/zero"), special=True),
        Case(b"special/urandom_link.mp4", "error", _link("/dev/urandom"), special=True),
        Case(b"special/broken_link.png", "error", _link("/nonexistent/x.png"), special=True),
        Case(b"special/link_loop.png", "error", _loop, special=True),
        Case(b"special/socket.wav", "error", _socket, special=True),
        Case(b"special/truncated.mp4", "error", _truncated_video),
        Case(b"names/new\nline.png", "verdict", _bytes(png)),
        Case(b"names/caf\xe9_latin1.png", "verdict", _bytes(png)),
        Case(b"names/\x1b[31mred_escape.png", "verdict", _bytes(png)),
        Case(b"names/[red]markup[/red].png", "verdict", _bytes(png)),
        Case(b"names/-rf.png", "verdict", _bytes(png)),
        Case(b"names/rtl_\xe2\x80\xaegnp.txt", "verdict", _bytes(png)),
        Case(b"names/" + b"x" * 240 + b".png", "verdict", _bytes(png)),
    ]


def all_cases() -> list[Case]:
    return image_cases() + audio_cases() + video_cases() + text_cases() + special_cases()


def build_corpus(root: Path, cases: list[Case] | None = None) -> list[tuple[Case, bytes]]:
    """Write every case under ``root``; returns ``(case, absolute path as bytes)``."""
    out = []
    for case in cases if cases is not None else all_cases():
        path = os.path.join(os.fsencode(str(root)), case.name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.lexists(path):
            os.remove(path)
        case.build(Path(os.fsdecode(path)))
        out.append((case, path))
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    built = build_corpus(target)
    print(f"{len(built)} files under {target}")
