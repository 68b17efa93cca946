"""Where the audio weights live: the shipped folder, or one the user names.

The lookup is the one every modality uses (:mod:`fakescope.core.weights`):
``--weights audio=FOLDER`` or ``FAKESCOPE_AUDIO_WEIGHTS=FOLDER`` makes every audio detector load
its files from that folder instead (``fakescope train audio --out`` writes such a folder), so a
user's retrained weights are evaluated with the same ``fakescope scan`` / ``evaluate`` commands.
"""

from __future__ import annotations

from pathlib import Path

from fakescope.core.weights import weights_env, weights_file, weights_folder

SHIPPED = Path(__file__).resolve().parent / "weights"
ENV = weights_env("audio")


def weights_dir() -> Path:
    """The active weights folder."""
    return weights_folder("audio", SHIPPED)


def weights_path(name: str) -> Path:
    """Path of one weights file, with a clear error when it is missing.

    Examples
    --------
    >>> weights_path("lfcc_gmm.npz").name
    'lfcc_gmm.npz'
    """
    return weights_file("audio", name, SHIPPED)
