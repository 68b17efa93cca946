"""Name -> implementation tables for detectors, loaders, fusers and CLI commands.

Modalities fill these tables from their plugin ``register()`` function; the core, the CLI and the
service only read them. Registration is cheap: factories are called lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from fakescope.core.evidence import Evidence
from fakescope.core.media import Media


@runtime_checkable
class Detector(Protocol):
    """The one way to add a detector.

    A detector has a registry ``name``, the ``modality`` it reads, and ``score(media)`` returning
    :class:`~fakescope.core.evidence.Evidence`. It may also define
    ``score_batch(medias) -> list[Evidence]``, which the scanner prefers when present.
    """

    name: str
    modality: str

    def score(self, media: Media) -> Evidence: ...


class Fuser(Protocol):
    """Turns a file's evidence into one calibrated probability (or ``None`` if all abstain)."""

    def fuse(self, evidence: list[Evidence]) -> float | None: ...


class DetectorUnavailable(RuntimeError):
    """A detector cannot start because an optional model or package is not installed.

    The message says what to install. The scanner reports it as the detector's abstention.
    """


@dataclass(frozen=True)
class DetectorSpec:
    name: str
    modality: str
    factory: Callable[[], Detector]
    default: bool = True
    description: str = ""
    # False for detectors that read only what a file says about itself (metadata, manifests):
    # their evidence is shown, but they never make a verdict alone (see Scanner).
    judges_content: bool = True


@dataclass(frozen=True)
class LoaderSpec:
    modality: str
    extensions: tuple[str, ...]
    loader: Callable[[Path], Iterable[Media]]
    sniff: Callable[[bytes], bool] | None = None
    # convert(obj, name) -> list[Media] | None: in-memory objects (PIL images, arrays, dicts)
    convert: Callable[[Any, str], list[Media] | None] | None = None


_DETECTORS: dict[str, DetectorSpec] = {}
_LOADERS: list[LoaderSpec] = []
_FUSERS: dict[str, Fuser] = {}
_COMMANDS: dict[str, dict[str, Callable[..., Any]]] = {
    "train": {},
    "generate": {},
    "provenance": {},
    "analyze": {},
}


def register_detector(
    name: str,
    modality: str,
    factory: Callable[[], Detector],
    *,
    default: bool = True,
    description: str = "",
    judges_content: bool = True,
) -> None:
    """Register a detector factory under ``name``.

    ``judges_content=False`` marks a detector that reads only metadata or provenance records:
    when every detector that judges the content abstains (an 8x8 picture: "too small to
    judge"), the verdict is that abstention, not the metadata's score alone.

    Examples
    --------
    >>> class Constant:
    ...     name, modality = "constant-demo", "text"
    ...     def score(self, media):
    ...         return Evidence(self.name, 0.5, "always unsure")
    >>> register_detector("constant-demo", "text", Constant, default=False)
    >>> get_detector_spec("constant-demo").modality
    'text'
    """
    _DETECTORS[name] = DetectorSpec(name, modality, factory, default, description, judges_content)


def register_loader(
    modality: str,
    extensions: Iterable[str],
    loader: Callable[[Path], Iterable[Media]],
    sniff: Callable[[bytes], bool] | None = None,
    convert: Callable[[Any, str], list[Media] | None] | None = None,
) -> None:
    """Register a file loader for ``modality`` (extensions lower-case, with the dot).

    ``loader(path)`` returns a list of Media, or an iterator for files holding many records
    (the scanner then streams them). ``convert(obj, name)`` turns an in-memory object handed to
    :meth:`Scanner.scan` (a PIL image, an array, a dict) into Media, or returns ``None`` when
    the object is not this modality's.
    """
    exts = tuple(e.lower() if e.startswith(".") else "." + e.lower() for e in extensions)
    _LOADERS[:] = [s for s in _LOADERS if not (s.modality == modality and s.extensions == exts)]
    _LOADERS.append(LoaderSpec(modality, exts, loader, sniff, convert))


def register_fuser(modality: str, fuser: Fuser) -> None:
    """Set the evidence fuser for ``modality`` (replaces the default logit mean)."""
    _FUSERS[modality] = fuser


def register_command(group: str, name: str, fn: Callable[..., Any]) -> None:
    """Add ``fakescope <group> <name>``; ``fn`` is a typer-style function."""
    if group not in _COMMANDS:
        raise ValueError(f"unknown command group {group!r}; use one of {sorted(_COMMANDS)}")
    _COMMANDS[group][name] = fn


def detector_specs(modality: str | None = None) -> list[DetectorSpec]:
    from fakescope.core.plugins import load_plugins

    load_plugins()
    return [s for s in _DETECTORS.values() if modality is None or s.modality == modality]


def get_detector_spec(name: str) -> DetectorSpec:
    from fakescope.core.plugins import load_plugins

    load_plugins()
    try:
        return _DETECTORS[name]
    except KeyError:
        known = ", ".join(sorted(_DETECTORS)) or "none"
        raise KeyError(f"no detector named {name!r} (installed: {known})") from None


def parse_detector_names(values: str | Iterable[str] | None) -> list[str] | None:
    """The one convention for naming detectors: repeat the option or give a comma list.

    ``-d spectrum -d metadata`` and ``-d spectrum,metadata`` are the same; duplicates are
    dropped, order kept; ``None`` (or nothing named) means "the defaults".

    Examples
    --------
    >>> parse_detector_names(["spectrum,metadata", " spectrum", "residual-cnn"])
    ['spectrum', 'metadata', 'residual-cnn']
    >>> parse_detector_names("lm-rank, lm-tail")
    ['lm-rank', 'lm-tail']
    >>> parse_detector_names([]) is None
    True
    """
    if values is None:
        return None
    items = [values] if isinstance(values, str) else list(values)
    names: list[str] = []
    for item in items:
        for name in (n.strip() for n in str(item).split(",")):
            if name and name not in names:
                names.append(name)
    return names or None


def wrong_modality_reason(names: Iterable[str], modality: str) -> str:
    """Why none of the detectors asked for can judge a file of ``modality``.

    Examples
    --------
    >>> register_detector("rank-demo", "text", lambda: None, default=False)
    >>> wrong_modality_reason(["rank-demo"], "etching")
    'rank-demo is a text detector, and this is an etching (etching detectors: none installed)'
    """

    def a(word: str) -> str:
        return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"

    specs = [get_detector_spec(n) for n in names]
    kinds = ", ".join(f"{s.name} is {a(s.modality)} detector" for s in specs)
    own = ", ".join(s.name for s in detector_specs(modality)) or "none installed"
    return f"{kinds}, and this is {a(modality)} ({modality} detectors: {own})"


def create_detector(name: str) -> Detector:
    """Instantiate a registered detector by name (loads its weights)."""
    return get_detector_spec(name).factory()


def loader_specs() -> list[LoaderSpec]:
    from fakescope.core.plugins import load_plugins

    load_plugins()
    return list(_LOADERS)


def get_fuser(modality: str) -> Fuser | None:
    from fakescope.core.plugins import load_plugins

    load_plugins()
    return _FUSERS.get(modality)


def uncounted_detectors() -> dict[str, str]:
    """Detectors whose scores their modality's verdict does not count, with the reason.

    A fuser fitted without a detector (an opt-in one, or one added after the fit) gives it no
    weight: it shows as evidence but never moves the verdict. ``fakescope detectors`` warns.
    """
    from fakescope.core.evidence import Evidence
    from fakescope.core.fusion import fitted_detectors, fusion_weights

    out: dict[str, str] = {}
    for modality in sorted({s.modality for s in detector_specs()}):
        fuser = get_fuser(modality)
        if fuser is None:
            continue  # the logit mean counts every detector
        specs = detector_specs(modality)
        fitted = fitted_detectors(fuser)
        for spec in specs:
            if fitted is not None:
                counted = spec.name in fitted
            else:  # the fuser cannot say: a probe with the defaults beside it
                names = {s.name for s in specs if s.default} | {spec.name}
                probe = [Evidence(n, 0.6, "probe") for n in sorted(names)]
                counted = fusion_weights(fuser, probe).get(spec.name, 1.0) != 0.0
            if not counted:
                out[spec.name] = (
                    f"the {modality} verdict was not fitted with {spec.name}: its score is shown "
                    "as evidence but does not count"
                )
    return out


def commands(group: str) -> dict[str, Callable[..., Any]]:
    from fakescope.core.plugins import load_plugins

    load_plugins()
    return dict(_COMMANDS.get(group, {}))
