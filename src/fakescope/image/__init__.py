"""Image detection plugin: loader, ``spectrum``, ``residual-cnn``, ``robust-cnn``,
``backbone-probe`` and ``metadata`` detectors, the image fusion model and ``fakescope train image``.

``register()`` only fills the registry; torch and the weights load when a detector is created.
"""

from __future__ import annotations

from pathlib import Path

from fakescope.core.weights import weights_env, weights_folder

#: Environment variable naming a folder of user weights (same file names as the shipped ones,
#: e.g. the ``--out`` folder of ``fakescope train image``); it overrides the shipped weights.
WEIGHTS_ENV = weights_env("image")
SHIPPED_WEIGHTS = Path(__file__).resolve().parent / "weights"


def weights_dir() -> Path:
    """The folder weights are read from (see :mod:`fakescope.core.weights`): ``--weights
    image=DIR``, ``$FAKESCOPE_IMAGE_WEIGHTS`` or the shipped folder.

    Examples
    --------
    >>> weights_dir().name
    'weights'
    """
    return weights_folder("image", SHIPPED_WEIGHTS)


def register() -> None:
    """Register the image loader, detectors, fuser and ``train image`` command."""
    from fakescope.core.lazy_fuser import LazyFuser
    from fakescope.core.registry import (
        register_command,
        register_detector,
        register_fuser,
        register_loader,
    )
    from fakescope.image.commands import train_command
    from fakescope.image.fusion import load_image_fuser
    from fakescope.image.loader import EXTENSIONS, load_image, sniff

    register_loader("image", EXTENSIONS, load_image, sniff=sniff, convert=_from_object)
    register_detector(
        "spectrum",
        "image",
        _spectrum,
        # Opt-in (`--extra spectrum`): trained on simulated fakes, it scores genuine generator
        # outputs at chance (leave-one-family-out AUC 0.46, docs/image.md).
        default=False,
        description="frequency fingerprint of up-sampling (azimuthal spectrum + DCT statistics); "
        "opt in with --extra spectrum",
    )
    register_detector(
        "residual-cnn",
        "image",
        _residual_cnn,
        # Opt-in (`--extra residual-cnn`): trained on simulated fakes; leave-one-family-out AUC
        # 0.64 on genuine generators, and adding it to the probe lowered the worst family.
        default=False,
        description="compact CNN on high-pass noise residuals, with a per-patch heat map; "
        "opt in with --extra residual-cnn",
    )
    register_detector(
        "robust-cnn",
        "image",
        _robust_cnn,
        # Opt-in (`--extra robust-cnn`): adversarially trained (PGD 2/255) on the same simulated
        # fakes as residual-cnn, for users who expect an attacker with the weights (robustness.md).
        default=False,
        description="small RGB CNN adversarially trained against PGD, with a per-patch heat map; "
        "opt in with --extra robust-cnn",
    )
    register_detector(
        "backbone-probe",
        "image",
        _backbone_probe,
        description="linear probe on a frozen ImageNet MobileNetV2, trained on genuine "
        "generator outputs",
    )
    register_detector(
        "metadata",
        "image",
        _metadata,
        description="EXIF/XMP/PNG text/C2PA that name a generator or an editor",
        judges_content=False,
    )
    register_fuser("image", LazyFuser(load_image_fuser, "image"))
    register_command("train", "image", train_command)


def _from_object(obj, name):  # noqa: ANN001, ANN202  (converter for in-memory pictures)
    from fakescope.image.memory import image_from_object

    return image_from_object(obj, name)


def _spectrum():
    from fakescope.image.spectrum import SpectrumDetector

    return SpectrumDetector()


def _residual_cnn():
    from fakescope.image.residual_cnn import ResidualCNNDetector

    return ResidualCNNDetector()


def _robust_cnn():
    from fakescope.core.registry import DetectorUnavailable
    from fakescope.image.robust_cnn import RobustCNNDetector

    try:
        return RobustCNNDetector()
    except FileNotFoundError as exc:  # not shipped with every build: trained by the user
        raise DetectorUnavailable(str(exc)) from None


def _backbone_probe():
    from fakescope.image.probe import BackboneProbeDetector

    return BackboneProbeDetector()


def _metadata():
    from fakescope.image.metadata import MetadataDetector

    return MetadataDetector()
