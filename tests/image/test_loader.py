"""Image loader: formats, wrong extensions, bad files and metadata extraction."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fakescope.core.loading import load
from fakescope.core.media import MediaError
from fakescope.image import loader
from fakescope.image.loader import (
    decode_image_bytes,
    estimate_jpeg_quality,
    find_c2pa,
    icc_description,
    image_format,
    load_image,
    sniff,
)


def test_png_loads_as_rgb_uint8(tmp_path: Path, photo: np.ndarray) -> None:
    p = tmp_path / "a.png"
    Image.fromarray(photo).save(p)
    [media] = load_image(p)
    assert media.modality == "image"
    assert media.data.shape == photo.shape and media.data.dtype == np.uint8
    np.testing.assert_array_equal(media.data, photo)
    assert media.metadata["format"] == "PNG"
    assert (media.metadata["width"], media.metadata["height"]) == (256, 256)


@pytest.mark.parametrize("fmt,ext", [("JPEG", ".jpg"), ("WEBP", ".webp"), ("BMP", ".bmp"),
                                     ("TIFF", ".tif"), ("GIF", ".gif")])  # fmt: skip
def test_other_formats(tmp_path: Path, photo: np.ndarray, fmt: str, ext: str) -> None:
    p = tmp_path / f"a{ext}"
    Image.fromarray(photo).save(p, format=fmt)
    [media] = load(p)
    assert media.data.shape == (256, 256, 3)
    assert media.metadata["format"] == fmt
    if fmt in ("BMP", "TIFF"):  # lossless
        np.testing.assert_array_equal(media.data, photo)


def test_gif_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (40, 30), c) for c in ("red", "blue")]
    p = tmp_path / "anim.gif"
    frames[0].save(p, save_all=True, append_images=frames[1:])
    [media] = load_image(p)
    assert media.metadata["frames"] == 2
    assert media.data[0, 0, 0] > 200 and media.data[0, 0, 2] < 50  # red, not blue


def test_png_that_is_really_a_jpeg(tmp_path: Path, photo: np.ndarray) -> None:
    p = tmp_path / "liar.png"
    Image.fromarray(photo).save(p, format="JPEG")
    [media] = load(p)
    assert media.metadata["format"] == "JPEG"
    assert media.data.shape == (256, 256, 3)


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.png"
    p.write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        load_image(p)


def test_truncated_file(tmp_path: Path, png_bytes: bytes) -> None:
    p = tmp_path / "cut.png"
    p.write_bytes(png_bytes[: len(png_bytes) // 2])
    with pytest.raises(MediaError, match="truncated|corrupt"):
        load_image(p)
    assert p.read_bytes() == png_bytes[: len(png_bytes) // 2]  # never modified


def test_truncated_jpeg(tmp_path: Path, photo: np.ndarray) -> None:
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, format="JPEG")
    p = tmp_path / "cut.jpg"
    p.write_bytes(buf.getvalue()[:600])
    with pytest.raises(MediaError, match="truncated|corrupt"):
        load(p)


def test_corrupt_png(tmp_path: Path, png_bytes: bytes) -> None:
    p = tmp_path / "bad.png"
    p.write_bytes(png_bytes[:16] + b"\x00" * 200)
    with pytest.raises(MediaError) as err:
        load_image(p)
    assert str(p) in str(err.value)


def test_text_with_image_extension(tmp_path: Path) -> None:
    p = tmp_path / "notes.jpg"
    p.write_bytes(b"this is not an image at all")
    with pytest.raises(MediaError, match="not an image"):
        load_image(p)


def test_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_PIXELS", 1000)
    p = tmp_path / "big.png"
    Image.new("RGB", (100, 100)).save(p)
    with pytest.raises(MediaError, match="too large"):
        load_image(p)


def test_decompression_bomb_header_refused_before_decoding(tmp_path: Path) -> None:
    # A valid PNG header declaring 100000 x 100000 pixels and almost no data.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
    p = tmp_path / "bomb.png"
    p.write_bytes(raw + chunk(b"IEND", b""))
    with pytest.raises(MediaError, match="too large"):
        load_image(p)


def test_rgba_and_16bit(tmp_path: Path) -> None:
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[..., 0] = 255  # fully transparent red -> white background
    p = tmp_path / "t.png"
    Image.fromarray(rgba).save(p)
    assert load_image(p)[0].data[0, 0].tolist() == [255, 255, 255]
    deep = (np.arange(400, dtype=np.uint16).reshape(20, 20) * 150).astype(np.uint16)
    p16 = tmp_path / "d.png"
    Image.fromarray(deep).save(p16)
    data = load_image(p16)[0].data
    assert data.dtype == np.uint8 and data.shape == (20, 20, 3) and data.max() > 200


def test_sniff() -> None:
    assert sniff(b"\x89PNG\r\n\x1a\n....")
    assert image_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "WEBP"
    assert image_format(b"II*\x00") == "TIFF"
    assert not sniff(b"ID3\x03 mp3")


def test_png_text_chunk_metadata(png_with_sd_parameters: Path) -> None:
    [media] = load_image(png_with_sd_parameters)
    assert "Steps: 20" in media.metadata["text_chunks"]["parameters"]


def test_jpeg_exif_and_quantisation(jpeg_with_camera_exif: Path) -> None:
    [media] = load_image(jpeg_with_camera_exif)
    exif = media.metadata["exif"]
    assert exif["Make"] == "Canon" and exif["Model"] == "Canon EOS 5D Mark IV"
    assert "ExposureTime" in exif and "FNumber" in exif
    q = media.metadata["jpeg_quantization"]
    assert q["tables"] >= 1 and abs(q["estimated_quality"] - 92) <= 2


def test_estimate_jpeg_quality_inverts_ijg_scaling() -> None:
    for quality in (50, 75, 95):
        buf = io.BytesIO()
        Image.new("RGB", (16, 16)).save(buf, format="JPEG", quality=quality)
        table = Image.open(io.BytesIO(buf.getvalue())).quantization[0]
        assert estimate_jpeg_quality(np.array(table)) == quality


def test_icc_description_from_real_profile(tmp_path: Path, photo: np.ndarray) -> None:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert "sRGB" in (icc_description(profile) or "")
    p = tmp_path / "icc.png"
    Image.fromarray(photo).save(p, icc_profile=profile)
    assert "sRGB" in load_image(p)[0].metadata["icc_description"]


def _cbor_text(s: str) -> bytes:
    b = s.encode()
    return (bytes([0x60 + len(b)]) if len(b) < 24 else bytes([0x78, len(b)])) + b


def test_c2pa_in_jpeg_app11(tmp_path: Path, photo: np.ndarray) -> None:
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, format="JPEG")
    jpg = buf.getvalue()
    payload = (b"JP\x00\x00\x00\x00\x00\x01" + b"\x00\x00\x00\x20jumb" + b"c2pa" +
               _cbor_text("claim_generator") + _cbor_text("Adobe Firefly 2.0"))  # fmt: skip
    seg = b"\xff\xeb" + struct.pack(">H", len(payload) + 2) + payload
    p = tmp_path / "c2pa.jpg"
    p.write_bytes(jpg[:2] + seg + jpg[2:])
    [media] = load(p)
    c2pa = media.metadata["c2pa"]
    assert c2pa["present"] and c2pa["where"] == "JPEG APP11 JUMBF"
    assert c2pa["claim_generator"] == "Adobe Firefly 2.0"
    assert find_c2pa(jpg) is None


def test_xmp_from_png(tmp_path: Path, photo: np.ndarray) -> None:
    from PIL.PngImagePlugin import PngInfo

    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description Iptc4xmpExt:DigitalSourceType='
        '"http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/></x:xmpmeta>'
    )
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp)
    p = tmp_path / "x.png"
    Image.fromarray(photo).save(p, pnginfo=info)
    assert "trainedAlgorithmicMedia" in load_image(p)[0].metadata["xmp"]


def test_decode_bytes_directly(png_bytes: bytes) -> None:
    media = decode_image_bytes(png_bytes, "mem.png")
    assert media.path == "mem.png" and media.data.shape == (256, 256, 3)


def test_nan_float_tiff_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "nan.tif"
    Image.fromarray(np.full((64, 64), np.nan, np.float32), mode="F").save(p)
    with pytest.raises(MediaError, match="cannot be analysed: 100% of its float pixel values"):
        load_image(p)


def test_huge_image_is_analysed_on_its_centre(tmp_path: Path) -> None:
    p = tmp_path / "wide.png"
    Image.new("L", (6000, 100), 7).save(p)  # a few KB on disk, 6000 px wide
    [media] = load_image(p)
    assert media.data.shape == (100, 4096, 3)
    assert (media.metadata["width"], media.metadata["height"]) == (6000, 100)
    assert media.metadata["analysed_region"] == [952, 0, 5048, 100]


def test_image_files_are_read_with_a_byte_cap(tmp_path: Path, monkeypatch, png_bytes) -> None:
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    p = tmp_path / "a.png"
    p.write_bytes(png_bytes)
    with pytest.raises(MediaError, match="larger than"):
        load_image(p)
