"""Provenance plugin: C2PA read/validate/sign, invisible watermarks, generation records.

- :mod:`~fakescope.provenance.c2pa_io` - C2PA manifests through ``c2pa-python``;
- :mod:`~fakescope.provenance.image_watermark` / :mod:`~fakescope.provenance.audio_watermark` -
  keyed invisible marks; :mod:`~fakescope.provenance.detectors` - the ``watermark`` and
  ``audio-watermark`` detectors;
- :mod:`~fakescope.provenance.record` - sidecar JSON + embedded XMP/PNG text for generated files;
- commands ``fakescope provenance sign|verify|watermark``, ``fakescope generate image`` and
  ``fakescope train generator``.

``register()`` only fills the registry (no heavy import).
"""

from __future__ import annotations


def register() -> None:
    """Register the watermark detectors and the provenance / image-generation commands."""
    from fakescope.core.registry import register_command, register_detector
    from fakescope.generate_image.commands import generate_image, train_generator
    from fakescope.provenance.commands import sign_file, verify_file, watermark_file

    register_detector(
        "watermark",
        "image",
        _image_watermark,
        description="invisible fakescope watermark (found: strong evidence; none: neutral)",
    )
    register_detector(
        "audio-watermark",
        "audio",
        _audio_watermark,
        description="inaudible fakescope watermark (found: strong evidence; none: neutral)",
    )
    register_command("generate", "image", generate_image)
    register_command("train", "generator", train_generator)
    register_command("provenance", "sign", sign_file)
    register_command("provenance", "verify", verify_file)
    register_command("provenance", "watermark", watermark_file)


def _image_watermark():
    from fakescope.provenance.detectors import WatermarkDetector

    return WatermarkDetector()


def _audio_watermark():
    from fakescope.provenance.detectors import AudioWatermarkDetector

    return AudioWatermarkDetector()
