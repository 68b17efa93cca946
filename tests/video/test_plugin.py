"""The plugin's register(): cheap, and wires loader, detector and commands into the registry."""

from __future__ import annotations

import subprocess
import sys

from fakescope.core import registry


def test_register_fills_the_registry():
    from fakescope.video import register

    register()
    assert registry.get_detector_spec("video-frames").modality == "video"
    assert "faceswap" in registry.commands("generate")
    assert "video" in registry.commands("train")
    video_loaders = [s for s in registry.loader_specs() if s.modality == "video"]
    assert video_loaders and ".mp4" in video_loaders[0].extensions


def test_register_imports_nothing_heavy():
    code = (
        "import sys; from fakescope.video import register; register(); "
        "print(sorted(m for m in ('torch', 'cv2', 'av', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
