"""C2PA must-show: a signed file verifies, a tampered copy fails with a clear reason, and the HTML
report shows both.

    python scripts/provenance/c2pa_demo.py --out /work/data/provenance/c2pa_demo

Writes OUT/signed.png (made by `fakescope generate image --sign`), OUT/tampered.png (the same file
with 10 pixel rows brightened inside the PNG data, the manifest left in place - what an editor
that keeps metadata would do), OUT/verify.txt and OUT/report.html (+ report.png, a headless
Chromium screenshot, when chromium is installed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    pos, out = 8, []
    while pos < len(data):
        n = struct.unpack(">I", data[pos : pos + 4])[0]
        out.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]))
        pos += 12 + n
    return out


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def tamper_png(src: Path, dst: Path) -> None:
    """Brighten rows 20-29 of an RGB PNG and rewrite its pixel data, keeping every other chunk
    (the C2PA manifest too), as an editor that preserves metadata would."""
    import numpy as np
    from PIL import Image

    data = src.read_bytes()
    with Image.open(src) as im:
        rgb = np.asarray(im.convert("RGB")).copy()
    rgb[20:30] = np.clip(rgb[20:30].astype(int) + 40, 0, 255).astype(np.uint8)
    # Unfiltered scanlines (filter byte 0) are valid PNG data whatever the original filters were.
    raw = b"".join(b"\x00" + row.tobytes() for row in rgb)
    out, wrote_idat = bytearray(data[:8]), False
    for kind, body in png_chunks(data):
        if kind == b"IDAT":
            if not wrote_idat:
                out += chunk(b"IDAT", zlib.compress(raw))
                wrote_idat = True
            continue
        out += chunk(kind, body)
    dst.write_bytes(bytes(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--model", type=Path, default=None)
    args = ap.parse_args()
    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = dict(os.environ, FAKESCOPE_C2PA_DIR=str(out / "credentials"))
    exe = str(Path(sys.executable).with_name("fakescope"))
    gen = [
        exe,
        "generate",
        "image",
        "--out",
        str(out / "gen"),
        "-n",
        "1",
        "--class",
        "sneaker",
        "--sign",
        "--size",
        "256",
    ]
    if args.model:
        gen += ["--model", str(args.model)]
    subprocess.run(gen, check=True, env=env)
    made = next((out / "gen").glob("*.png"))
    shutil.copy(made, out / "signed.png")
    tamper_png(out / "signed.png", out / "tampered.png")
    trust = str(out / "credentials" / "test-root-ca.pem")
    verify = subprocess.run(
        [
            exe,
            "provenance",
            "verify",
            str(out / "signed.png"),
            str(out / "tampered.png"),
            "--trust",
            trust,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    (out / "verify.txt").write_text(verify.stdout + verify.stderr)
    print(verify.stdout + verify.stderr)
    print("exit code", verify.returncode, "(1: at least one file failed)")
    subprocess.run(
        [
            exe,
            "scan",
            str(out / "signed.png"),
            str(out / "tampered.png"),
            "--html",
            str(out / "report.html"),
        ],
        env=env,
    )
    if shutil.which("chromium"):
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--screenshot={out / 'report.png'}",
                "--window-size=1200,1800",
                f"file://{out / 'report.html'}",
            ],
            capture_output=True,
        )


if __name__ == "__main__":
    main()
