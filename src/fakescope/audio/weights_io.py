"""Where the audio weights live: the shipped folder, or one the user names.

``FAKESCOPE_AUDIO_WEIGHTS=/some/folder`` makes every audio detector load its files from that
folder instead (``fakescope train audio --out`` writes such a folder), so a user's retrained weights
are evaluated with the same ``fakescope scan`` / ``evaluate`` commands.
"""

from __future__ import annotations

import os
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "weights"
ENV = "FAKESCOPE_AUDIO_WEIGHTS"


def weights_dir() -> Path:
    """The active weights folder."""
    env = os.environ.get(ENV)
    return Path(env) if env else SHIPPED


def weights_path(name: str) -> Path:
    """Path of one weights file, with a clear error when it is missing.

    Examples
    --------
    >>> weights_path("lfcc_gmm.npz").name
    'lfcc_gmm.npz'
    """
    path = weights_dir() / name
    if not path.exists():
        raise FileNotFoundError(
            f"audio weights {path} are missing; run `fakescope train audio` to create them"
        )
    return path
