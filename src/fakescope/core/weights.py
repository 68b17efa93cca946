"""Where every modality reads its weights from, and where training writes them.

One rule for image, audio, text, video and anomaly alike. Weights are read from, in order:

1. the location given on the command line (``fakescope scan --weights MODALITY=PATH``), which
   :func:`use_weights` sets for the process;
2. ``$FAKESCOPE_<MODALITY>_WEIGHTS`` (e.g. ``FAKESCOPE_IMAGE_WEIGHTS``);
3. the weights shipped inside the package.

A location is a folder holding the modality's files under their shipped names (what
``fakescope train <modality> --out FOLDER`` writes) or, for a modality that reads a single file
(anomaly, text, video), that file itself. A user location that lacks a file is an error: files
are never mixed silently between a user's folder and the shipped one.

Training commands write by default to :func:`user_weights_dir` (the platform's user data folder,
e.g. ``~/.local/share/fakescope/weights/image`` on Linux), never into the installed package.

Examples
--------
>>> weights_env("image")
'FAKESCOPE_IMAGE_WEIGHTS'
>>> user_weights_dir("audio").parts[-2:]
('weights', 'audio')
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: Overrides the user data folder (all of fakescope's persistent files go under it).
DATA_ENV = "FAKESCOPE_DATA_DIR"
#: Overrides the user cache folder (re-creatable files: converted models, feature caches).
CACHE_ENV = "FAKESCOPE_CACHE"

_OVERRIDES: dict[str, Path] = {}


class WeightsError(FileNotFoundError):
    """Weights named by the user (``--weights`` or the environment) cannot be used."""


def weights_env(modality: str) -> str:
    """Name of the environment variable that points ``modality`` at user weights."""
    return f"FAKESCOPE_{modality.upper().replace('-', '_')}_WEIGHTS"


def use_weights(modality: str, path: str | Path | None) -> None:
    """Read ``modality``'s weights from ``path`` for the rest of the process (``None`` undoes).

    This is what ``--weights MODALITY=PATH`` does; it takes precedence over the environment.
    """
    if path is None:
        _OVERRIDES.pop(modality, None)
        return
    location = Path(path).expanduser()
    if not location.exists():
        raise WeightsError(f"{location}: no such weights file or folder (--weights {modality}=...)")
    _OVERRIDES[modality] = location


@contextmanager
def using_weights(modality: str, path: str | Path) -> Iterator[Path]:
    """Context manager form of :func:`use_weights` (restores the previous setting).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder, using_weights("image", folder):
    ...     weights_source("image") == Path(folder)
    True
    >>> weights_source("image") is None or "FAKESCOPE_IMAGE_WEIGHTS" in os.environ
    True
    """
    previous = _OVERRIDES.get(modality)
    use_weights(modality, path)
    try:
        yield _OVERRIDES[modality]
    finally:
        use_weights(modality, previous)


def apply_weights_options(values: Iterable[str], known: Iterable[str]) -> dict[str, Path]:
    """Parse and apply ``--weights MODALITY=PATH`` options (repeatable).

    Raises
    ------
    ValueError
        A value without ``=``, an unknown modality, or a path that does not exist.

    Examples
    --------
    >>> apply_weights_options(["spectrum"], known=["image"])
    Traceback (most recent call last):
    ...
    ValueError: --weights spectrum: give MODALITY=PATH, e.g. --weights image=~/my-weights
    """
    names = sorted(set(known))
    applied: dict[str, Path] = {}
    for item in (v.strip() for v in values):
        modality, sep, path = item.partition("=")
        if not sep or not modality or not path:
            raise ValueError(
                f"--weights {item}: give MODALITY=PATH, e.g. --weights image=~/my-weights"
            )
        if modality not in names:
            raise ValueError(
                f"--weights {item}: no modality named {modality!r} (use one of {', '.join(names)})"
            )
        location = Path(path).expanduser()
        if not location.exists():
            raise ValueError(f"--weights {item}: {location} does not exist")
        applied[modality] = location
    for modality, location in applied.items():
        use_weights(modality, location)
    return applied


def weights_source(modality: str, legacy_env: str | None = None) -> Path | None:
    """The user's weights location for ``modality``, or ``None`` for the shipped weights.

    ``legacy_env`` names an older variable still honoured after the standard one.
    """
    if modality in _OVERRIDES:
        return _OVERRIDES[modality]
    for name in (weights_env(modality), legacy_env):
        value = os.environ.get(name, "").strip() if name else ""
        if value:
            return Path(value).expanduser()
    return None


def _origin(modality: str, legacy_env: str | None) -> str:
    if modality in _OVERRIDES:
        return f"--weights {modality}=..."
    if os.environ.get(weights_env(modality), "").strip():
        return f"${weights_env(modality)}"
    return f"${legacy_env}"


def weights_folder(modality: str, shipped: Path) -> Path:
    """The folder a multi-file modality (image, audio) reads its weights from.

    Raises
    ------
    WeightsError
        The user's location does not exist or is a file.

    Examples
    --------
    >>> weights_folder("demo", Path("/pkg/demo/weights")).as_posix()
    '/pkg/demo/weights'
    """
    source = weights_source(modality)
    if source is None:
        return shipped
    origin = _origin(modality, None)
    if not source.exists():
        raise WeightsError(f"{source}: no such folder ({origin})")
    if not source.is_dir():
        raise WeightsError(
            f"{source}: {modality} weights are a folder of several files ({origin} must name "
            f"the folder `fakescope train {modality} --out` wrote)"
        )
    return source


def weights_file(
    modality: str,
    name: str,
    shipped: Path,
    *,
    weights: str | Path | None = None,
    single_file: bool = False,
    legacy_env: str | None = None,
    required: bool = True,
) -> Path:
    """Path of the weights file ``name`` for ``modality``.

    Parameters
    ----------
    modality : str
    name : str
        File name inside a weights folder (the shipped name, e.g. ``"spectrum.npz"``).
    shipped : Path
        The folder of the shipped weights.
    weights : str or Path, optional
        An explicit location (a detector's ``weights=`` argument); beats everything else.
    single_file : bool
        The modality reads this one file, so a location naming a file is used as is.
    legacy_env : str, optional
        An older environment variable still honoured.
    required : bool
        Raise when the file is missing; otherwise the path is returned all the same.

    Raises
    ------
    WeightsError
        The file (or the user's location) is missing, with where it was looked for.

    Examples
    --------
    >>> weights_file("demo", "model.json", Path("/pkg/weights"), required=False).as_posix()
    '/pkg/weights/model.json'
    """
    if weights is not None:
        # A detector's own argument names a file (or a folder of weights) explicitly.
        source, origin, single_file = Path(weights).expanduser(), "weights=", True
    else:
        source = weights_source(modality, legacy_env)
        origin = "" if source is None else _origin(modality, legacy_env)
    if source is None:
        path = shipped / name
        if required and not path.is_file():
            raise WeightsError(
                f"{path}: the shipped {modality} weights are missing from this install; "
                f"train them with `fakescope train {modality}` and set {weights_env(modality)}"
            )
        return path
    if source.is_dir():
        path = source / name
        if required and not path.is_file():
            raise WeightsError(
                f"{source} ({origin}) has no {name}; it should be a folder written by "
                f"`fakescope train {modality} --out`"
            )
        return path
    if source.is_file():
        if single_file or source.name == name:
            return source
        raise WeightsError(
            f"{source} ({origin}) is a file, but {modality} reads several weights files: "
            f"name the folder that holds {name}"
        )
    if required:
        raise WeightsError(
            f"{source}: no such weights file or folder ({origin}); "
            f"`fakescope train {modality} --out FOLDER` writes them"
        )
    return source


def user_data_dir() -> Path:
    """fakescope's folder for the user's own files (``$FAKESCOPE_DATA_DIR`` overrides).

    Linux: ``$XDG_DATA_HOME/fakescope`` (``~/.local/share/fakescope``); macOS:
    ``~/Library/Application Support/fakescope``; Windows: ``%LOCALAPPDATA%\\fakescope``.
    """
    env = os.environ.get(DATA_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / "fakescope"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "fakescope"
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(xdg) if xdg else home / ".local" / "share") / "fakescope"


def user_cache_dir() -> Path:
    """fakescope's folder for re-creatable files (``$FAKESCOPE_CACHE`` overrides)."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / "fakescope" / "cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "fakescope"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else home / ".cache") / "fakescope"


def user_weights_dir(modality: str) -> Path:
    """Where ``fakescope train <modality>`` writes by default (not created here)."""
    return user_data_dir() / "weights" / modality


def output_file(out: str | Path, name: str) -> Path:
    """The file a training command writes: ``out`` itself when it has ``name``'s suffix
    (a file name was given), else ``out/name`` (a folder was given).

    Examples
    --------
    >>> output_file("runs/temporal.json", "temporal.json").as_posix()
    'runs/temporal.json'
    >>> output_file("runs/mine", "temporal.json").as_posix()
    'runs/mine/temporal.json'
    """
    out = Path(out).expanduser()
    return out if out.suffix and out.suffix == Path(name).suffix else out / name


def refuse_overwrite(paths: Iterable[str | Path], overwrite: bool) -> None:
    """Raise ``FileExistsError`` naming the files ``--overwrite`` would replace.

    Examples
    --------
    >>> refuse_overwrite([Path("/no/such/file.json")], overwrite=False)
    """
    if overwrite:
        return
    existing = [str(p) for p in paths if Path(p).exists()]
    if existing:
        raise FileExistsError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            "pass --overwrite to replace, or choose another --out"
        )


def describe_use(modality: str, location: str | Path) -> str:
    """The sentence a training command prints so the user can use what it wrote."""
    return (
        f"use these weights with {weights_env(modality)}={location} "
        f"or `fakescope scan --weights {modality}={location} ...`"
    )
