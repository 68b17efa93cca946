"""Small real images made in tmp_path for the image tests (no shared data needed)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "images"


def natural_image(size: int = 256, seed: int = 0) -> np.ndarray:
    """A camera-like test image: a real example photo crop when shipped, else 1/f noise.

    1/f ("pink") noise has the power-law spectrum of natural photos, plus sensor-like noise.
    """
    photos = sorted(EXAMPLES.glob("real_*.png"))
    if photos:
        arr = np.asarray(Image.open(photos[seed % len(photos)]).convert("RGB"))
        h, w = arr.shape[:2]
        if min(h, w) >= size:
            y, x = (h - size) // 2, (w - size) // 2
            return np.ascontiguousarray(arr[y : y + size, x : x + size])
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.fftfreq(size)[None, :]
    amp = 1.0 / np.maximum(np.hypot(fy, fx), 1.0 / size)
    chans = []
    for _ in range(3):
        phase = np.exp(2j * np.pi * rng.random((size, size)))
        c = np.real(np.fft.ifft2(amp * phase))
        chans.append((c - c.mean()) / c.std())
    img = np.stack(chans, -1) * 40 + 128 + rng.normal(0, 2, (size, size, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.fixture
def photo() -> np.ndarray:
    return natural_image()


@pytest.fixture
def png_with_sd_parameters(tmp_path: Path, photo: np.ndarray) -> Path:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(
        "parameters",
        "a cat in a hat\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, "
        "Seed: 1, Size: 256x256, Model: sd_xl_base_1.0",
    )
    p = tmp_path / "sd.png"
    Image.fromarray(photo).save(p, pnginfo=info)
    return p


@pytest.fixture
def jpeg_with_camera_exif(tmp_path: Path, photo: np.ndarray) -> Path:
    im = Image.fromarray(photo)
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS 5D Mark IV"  # Model
    exif[0x0131] = "Firmware 1.2"  # Software
    sub = exif.get_ifd(0x8769)
    sub[0x829A] = 1 / 250  # ExposureTime
    sub[0x829D] = 4.0  # FNumber
    sub[0x8827] = 200  # ISOSpeedRatings
    sub[0x9003] = "2024:05:01 10:00:00"  # DateTimeOriginal
    p = tmp_path / "camera.jpg"
    im.save(p, quality=92, exif=exif)
    return p


@pytest.fixture
def png_bytes(photo: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Two shared cores: one torch thread is faster than two fighting for them."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def upsampled(rgb: np.ndarray, factor: int = 2) -> np.ndarray:
    """Shrink by ``factor`` (area) and enlarge back with Lanczos: a simple machine-made image."""
    h, w = rgb.shape[:2]
    small = Image.fromarray(rgb).resize((w // factor, h // factor), Image.Resampling.BOX)
    return np.asarray(small.resize((w, h), Image.Resampling.LANCZOS))


@pytest.fixture
def make_photo():
    """``make_photo(size=256, seed=0)`` -> a camera-like RGB array (see :func:`natural_image`)."""
    return natural_image


@pytest.fixture
def make_upsampled():
    """``make_upsampled(rgb, factor=2)`` -> the image shrunk and enlarged back with Lanczos."""
    return upsampled


@pytest.fixture
def real_patches(tmp_path: Path, make_photo) -> Path:
    """A folder of 24 real 256x256 patches, three crops from each of 8 source photos."""
    real = tmp_path / "real"
    real.mkdir()
    rng = np.random.default_rng(0)
    for s in range(8):
        big = make_photo(512, seed=s)
        if big.shape[0] < 512:  # the shipped example photos are smaller: tile one
            big = np.tile(big, (2, 2, 1))
        for k in range(3):
            y, x = rng.integers(0, 256, 2)
            Image.fromarray(big[y : y + 256, x : x + 256]).save(real / f"src{s}__{k:02d}.png")
    return real


@pytest.fixture
def simulated_data(real_patches: Path):
    """:class:`~fakescope.image.training_data.SimulatedData` of ``real_patches`` (2 decoders)."""
    from fakescope.image.training_data import simulate_fakes, split_real

    split = split_real(real_patches, 0.15, seed=0)
    return simulate_fakes(split, seed=0, n_decoders=2, decoder_steps=2, log=lambda m: None)
