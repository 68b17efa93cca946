"""Decode image files into :class:`Media` (HxWx3 uint8 RGB) with their provenance metadata.

Pillow decodes; this module only adds what forensics needs on top: magic-byte sniffing so that a
``.png`` that is really a JPEG still loads, a pixel-count guard against decompression bombs, clear
errors for empty/truncated/corrupt files, and JSON-friendly metadata (EXIF, XMP, PNG text chunks,
ICC profile description, JPEG quantisation summary, C2PA/JUMBF presence).
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from fakescope.core.files import read_capped
from fakescope.core.media import Media, MediaError
from fakescope.image.pixels import picture_media

EXTENSIONS = (".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".webp", ".bmp", ".tif", ".tiff", ".gif")

#: Largest image decoded, in pixels (about 16k x 6k). Bigger files are refused; pictures up to
#: this size are decoded, then only their centre is analysed (see :mod:`fakescope.image.pixels`).
MAX_PIXELS = 100_000_000
#: Largest image file read (an uncompressed 8-bit RGB TIFF of 85 megapixels).
MAX_FILE_BYTES = 256 * 1024 * 1024

# Bytes scanned for C2PA/JUMBF boxes and XMP packets; manifests sit near the start of the file.
_PROVENANCE_SCAN_BYTES = 4 * 1024 * 1024
_MAX_TEXT = 20_000


def sniff(head: bytes) -> bool:
    """True when the first bytes of a file are one of the image formats this loader reads.

    Examples
    --------
    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(8))
    True
    >>> sniff(b"hello world")
    False
    """
    return image_format(head) is not None


def image_format(head: bytes) -> str | None:
    """Name of the image format from its magic bytes, or ``None``.

    Examples
    --------
    >>> image_format(b"\\xff\\xd8\\xff\\xe0")
    'JPEG'
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    if head.startswith(b"BM") and len(head) >= 14:
        return "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    return None


def load_image(path: Path) -> list[Media]:
    """Load one image file.

    Parameters
    ----------
    path : Path
        The file. Its extension is ignored: the content decides the format.

    Returns
    -------
    list of Media
        One Media with ``data`` an HxWx3 uint8 RGB array (the first frame of an animation).

    Raises
    ------
    MediaError
        Empty, truncated, corrupt, unsupported or too large (decompression bomb) files.

    Examples
    --------
    >>> media = load_image(Path("examples/images/astronaut.png"))  # doctest: +SKIP
    >>> media[0].data.shape  # doctest: +SKIP
    (512, 512, 3)
    """
    shown = str(path)
    return [decode_image_bytes(read_capped(path, MAX_FILE_BYTES, shown), shown)]


def decode_image_bytes(raw: bytes, shown: str = "<bytes>") -> Media:
    """Decode image bytes into a Media (see :func:`load_image`)."""
    from PIL import Image, UnidentifiedImageError

    if not raw:
        raise MediaError(shown, "the file is empty")
    fmt = image_format(raw[:64])
    if fmt is None:
        raise MediaError(shown, "not an image this tool can read (PNG, JPEG, WebP, BMP, TIFF, GIF)")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; the size check below
            # is the real guard, so the warning is noise here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(raw))
            w, h = im.size
            if w <= 0 or h <= 0:
                raise MediaError(shown, "the image has no pixels")
            if w * h > MAX_PIXELS:
                raise MediaError(
                    shown,
                    f"the image is too large to analyse ({w} x {h} = {w * h / 1e6:.0f} megapixels;"
                    f" the limit is {MAX_PIXELS / 1e6:.0f}) - possibly a decompression bomb",
                )
            im.load()  # the first frame of an animation: open() leaves it there
            return picture_media(im, shown, extract_metadata(im, raw, fmt))
    except MediaError:
        raise
    except Image.DecompressionBombError:
        raise MediaError(shown, "the image is too large to analyse (decompression bomb)") from None
    except UnidentifiedImageError:
        raise MediaError(shown, f"looks like {fmt} but the data is corrupt") from None
    except OSError as exc:
        msg = str(exc)
        if "truncated" in msg or "broken data stream" in msg or "premature end" in msg.lower():
            raise MediaError(shown, f"the {fmt} file is truncated (incomplete download?)") from None
        raise MediaError(shown, f"the {fmt} data is corrupt ({msg})") from None
    except (ValueError, SyntaxError, EOFError, IndexError, KeyError) as exc:
        raise MediaError(shown, f"the {fmt} data is corrupt ({exc})") from None


# --------------------------------------------------------------------------------------------
# metadata


def extract_metadata(im: Any, raw: bytes, fmt: str) -> dict[str, Any]:
    """JSON-friendly metadata of an opened Pillow image and its raw bytes.

    Keys: ``format``, ``width``, ``height``, ``mode``, ``frames``, ``exif`` (tag name -> str),
    ``xmp`` (text), ``text_chunks`` (PNG tEXt/iTXt/zTXt and similar info strings),
    ``icc_description``, ``jpeg_quantization``, ``c2pa`` (presence, claim generator).
    """
    meta: dict[str, Any] = {
        "format": fmt,
        "width": int(im.size[0]),
        "height": int(im.size[1]),
        "mode": im.mode,
        "frames": int(getattr(im, "n_frames", 1)),
        "file_bytes": len(raw),
    }
    exif = exif_dict(im)
    if exif:
        meta["exif"] = exif
    xmp = xmp_text(im, raw)
    if xmp:
        meta["xmp"] = xmp[:_MAX_TEXT]
    chunks = text_chunks(im)
    if chunks:
        meta["text_chunks"] = chunks
    icc = icc_description(im.info.get("icc_profile"))
    if icc:
        meta["icc_description"] = icc
    quant = jpeg_quantization_summary(getattr(im, "quantization", None))
    if quant:
        meta["jpeg_quantization"] = quant
    c2pa = find_c2pa(raw[:_PROVENANCE_SCAN_BYTES])
    if c2pa:
        meta["c2pa"] = c2pa
    return meta


def _clean(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.rstrip(b"\x00")
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("latin-1")
        if value.startswith((b"ASCII\x00\x00\x00", b"UNICODE\x00")):  # EXIF UserComment prefix
            text = text[8:]
    else:
        text = str(value)
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    return text.strip()[:_MAX_TEXT]


def exif_dict(im: Any) -> dict[str, str]:
    """EXIF as ``{tag name: string}``, including the Exif and GPS sub-IFDs."""
    from PIL import ExifTags

    try:
        exif = im.getexif()
    except Exception:  # malformed EXIF must not stop the pixels from being analysed
        return {}
    out: dict[str, str] = {}
    for tag, value in exif.items():
        if tag in (0x8769, 0x8825):
            continue
        out[ExifTags.TAGS.get(tag, f"0x{tag:04x}")] = _clean(value)
    for ifd_tag, names in ((0x8769, ExifTags.TAGS), (0x8825, ExifTags.GPSTAGS)):
        try:
            sub = exif.get_ifd(ifd_tag)
        except Exception:
            continue
        for tag, value in sub.items():
            if tag == 0x927C:  # MakerNote: large vendor blob, no use here
                continue
            out[names.get(tag, f"0x{tag:04x}")] = _clean(value)
    return out


_XMP_RE = re.compile(rb"<x:xmpmeta.*?</x:xmpmeta>", re.DOTALL)


def xmp_text(im: Any, raw: bytes) -> str | None:
    """The XMP packet as text (from Pillow's info or by scanning the bytes)."""
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = im.info.get(key)
        if value:
            return _clean(value)
    match = _XMP_RE.search(raw[:_PROVENANCE_SCAN_BYTES])
    return _clean(match.group(0)) if match else None


_SKIP_INFO = {
    "icc_profile", "exif", "xmp", "XML:com.adobe.xmp", "dpi", "jfif", "jfif_version",
    "jfif_unit", "jfif_density", "adobe", "adobe_transform", "progressive", "progression",
    "transparency", "gamma", "duration", "loop", "background", "version", "extension",
    "compression", "interlace", "aspect", "srgb", "chromaticity", "photoshop", "mp", "mpoffset",
    "resolution", "timestamp", "kmp", "lossless",
}  # fmt: skip


def text_chunks(im: Any) -> dict[str, str]:
    """PNG text chunks (``parameters``, ``prompt``, ``workflow``, ``Software``...), GIF/JPEG
    comments and other string-valued info entries."""
    out: dict[str, str] = {}
    texts = getattr(im, "text", None)
    if isinstance(texts, dict):
        for k, v in texts.items():
            out[str(k)] = _clean(v)
    for k, v in im.info.items():
        if k in _SKIP_INFO or k in out:
            continue
        if isinstance(v, (str, bytes)) and len(v) > 0:
            out[str(k)] = _clean(v)
    return {k: v for k, v in out.items() if v}


def icc_description(profile: bytes | None) -> str | None:
    """The ``desc`` text of an ICC profile (v2 'desc' or v4 'mluc'), parsed without LittleCMS."""
    if not profile or len(profile) < 132:
        return None
    try:
        count = int.from_bytes(profile[128:132], "big")
        for i in range(min(count, 100)):
            entry = profile[132 + 12 * i : 144 + 12 * i]
            sig, off, size = (
                entry[:4],
                int.from_bytes(entry[4:8], "big"),
                int.from_bytes(entry[8:12], "big"),
            )
            if sig != b"desc":
                continue
            body = profile[off : off + size]
            if body[:4] == b"desc":
                n = int.from_bytes(body[8:12], "big")
                return _clean(body[12 : 12 + n]) or None
            if body[:4] == b"mluc":
                rec_len = int.from_bytes(body[20:24], "big")
                rec_off = int.from_bytes(body[24:28], "big")
                return (
                    _clean(body[rec_off : rec_off + rec_len].decode("utf-16-be", "replace")) or None
                )
    except (ValueError, IndexError):
        return None
    return None


def jpeg_quantization_summary(tables: dict[int, Any] | None) -> dict[str, Any] | None:
    """Summary of JPEG quantisation tables and the libjpeg quality they correspond to.

    The quality estimate inverts the IJG scaling of the standard luminance table, which
    identifies re-saved files (quality 75/90/95 from common tools).
    """
    if not tables:
        return None
    luma = np.asarray(list(tables.get(0, [])), dtype=np.float64)
    out: dict[str, Any] = {"tables": len(tables)}
    if luma.size == 64:
        out["luma_mean"] = round(float(luma.mean()), 2)
        out["estimated_quality"] = estimate_jpeg_quality(luma)
    return out


_STD_LUMA = np.array(
    [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69,
     56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81,
     104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99],
    dtype=np.float64,
)  # fmt: skip


def estimate_jpeg_quality(luma_table: np.ndarray) -> int:
    """IJG quality (1-100) whose scaled standard table is closest to ``luma_table``.

    Pillow returns the table in zig-zag order; the comparison uses sorted values so the
    order does not matter.

    Examples
    --------
    >>> int(estimate_jpeg_quality(np.clip(np.floor((_STD_LUMA * 100 + 50) / 100), 1, 255)))
    50
    >>> int(estimate_jpeg_quality(np.clip(np.floor((_STD_LUMA * 50 + 50) / 100), 1, 255)))
    75
    """
    target = np.sort(np.asarray(luma_table, dtype=np.float64))
    best, best_err = 50, np.inf
    for q in range(1, 101):
        scale = 5000 / q if q < 50 else 200 - 2 * q
        table = np.clip(np.floor((_STD_LUMA * scale + 50) / 100), 1, 255)
        err = float(np.abs(np.sort(table) - target).sum())
        if err < best_err:
            best, best_err = q, err
    return int(best)


_CLAIM_GEN_RE = re.compile(rb"claim_generator(?:_info)?")


def find_c2pa(raw: bytes) -> dict[str, Any] | None:
    """Detect a C2PA manifest (JUMBF boxes in JPEG APP11, PNG ``caBX``, or embedded anywhere).

    Returns ``{"present": True, "where": ..., "claim_generator": str | None}`` or ``None``.
    The claim generator is read from the CBOR text that follows the ``claim_generator`` key.
    """
    where = None
    if raw.startswith(b"\xff\xd8"):
        if re.search(rb"\xff\xeb..JP", raw[:_PROVENANCE_SCAN_BYTES], re.DOTALL):
            where = "JPEG APP11 JUMBF"
    if where is None and b"caBX" in raw[:_PROVENANCE_SCAN_BYTES] and raw.startswith(b"\x89PNG"):
        where = "PNG caBX chunk"
    if where is None and b"jumb" in raw and b"c2pa" in raw:
        where = "JUMBF box"
    if where is None:
        return None
    out: dict[str, Any] = {"present": True, "where": where, "claim_generator": None}
    for m in _CLAIM_GEN_RE.finditer(raw):
        text = _cbor_text_after(raw, m.end())
        if text:
            out["claim_generator"] = text
            break
    return out


def _cbor_text_after(raw: bytes, pos: int) -> str | None:
    """Read the first CBOR text string at or shortly after ``pos`` (skipping map/array heads)."""
    for i in range(pos, min(pos + 64, len(raw))):
        b = raw[i]
        major, info = b >> 5, b & 0x1F
        if major != 3:
            continue
        if info < 24:
            n, start = info, i + 1
        elif info == 24 and i + 1 < len(raw):
            n, start = raw[i + 1], i + 2
        elif info == 25 and i + 2 < len(raw):
            n, start = int.from_bytes(raw[i + 1 : i + 3], "big"), i + 3
        else:
            continue
        chunk = raw[start : start + n]
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            continue
        # "name" is the key inside claim_generator_info; the value follows it.
        if text == "name":
            return _cbor_text_after(raw, start + n)
        if len(text) >= 2 and text.isprintable():
            return text[:200]
    return None
