"""The detector contract as checks any detector can run, in fakescope or in a plugin.

In the spirit of scikit-learn's ``check_estimator``: :func:`check_detector` runs a detector
through small named checks (scores in [0, 1] or an explicit abstention with a reason, the same
input gives the same result, evidence serialises to JSON, pictures are drawn only when looked
at, batch scoring agrees with one-by-one scoring, missing weights give an error naming where
they were looked for). Which checks apply
follows the abilities the detector declares on itself::

    class MyDetector:
        name, modality = "my-detector", "image"
        abilities = {"weights": "image"}   # reads weights through fakescope.core.weights

Abilities (all optional):

``weights``
    The key its weights are found under (``--weights KEY=PATH``, ``$FAKESCOPE_<KEY>_WEIGHTS``);
    ``None`` when it needs none. Selects :func:`check_missing_weights_are_named`.
``deterministic``
    ``True`` (default): the same input must give the same score.

A plugin's test suite runs ``check_detector(MyDetector())``, or one test per check::

    @pytest.mark.parametrize("name, check", detector_checks(MyDetector()))
    def test_contract(name, check, tmp_path):
        check(MyDetector(), sample_media("image", tmp_path))
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from fakescope.core.evidence import Evidence
from fakescope.core.media import Media

DEFAULT_ABILITIES: dict[str, Any] = {"weights": None, "deterministic": True}
SAMPLE_TEXT = (
    "The committee met on Tuesday to review the budget for the new library wing. Several members "
    "argued that the roof repairs should come first, because last winter's storms had damaged the "
    "reading room. After a long discussion, they agreed to split the money between both projects "
    "and to ask the council for a small additional grant next spring."
)

Check = Callable[[Any, Media], None]


def abilities(detector: Any) -> dict[str, Any]:
    """The detector's declared abilities over the defaults.

    Examples
    --------
    >>> class D:
    ...     abilities = {"weights": "image"}
    >>> abilities(D())["weights"], abilities(D())["deterministic"]
    ('image', True)
    """
    declared = getattr(detector, "abilities", None) or {}
    unknown = set(declared) - set(DEFAULT_ABILITIES)
    if unknown:
        raise ValueError(f"unknown abilities {sorted(unknown)}; known: {sorted(DEFAULT_ABILITIES)}")
    return {**DEFAULT_ABILITIES, **declared}


# -- sample media --------------------------------------------------------------------------------


def _image(folder: Path) -> Path:
    from PIL import Image

    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:96, 0:128]
    base = np.stack([x * 2, y * 2, (x + y)], axis=-1) % 256
    noisy = np.clip(base + rng.normal(0, 6, base.shape), 0, 255).astype(np.uint8)
    out = folder / "sample.png"
    Image.fromarray(noisy).save(out)
    return out


def _audio(folder: Path) -> Path:
    import soundfile as sf

    sr = 16000
    t = np.arange(int(sr * 1.5)) / sr
    f0 = 140 + 30 * np.sin(2 * np.pi * 3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 12)) * (
        0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    )
    noise = np.random.default_rng(2).normal(0, 0.01, len(t))
    out = folder / "sample.wav"
    sf.write(out, (0.2 * voice + noise).astype(np.float32), sr)
    return out


def _text(folder: Path) -> Path:
    out = folder / "sample.txt"
    out.write_text(SAMPLE_TEXT)
    return out


def _video(folder: Path) -> Path:
    import av

    out = folder / "sample.mp4"
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(15):
            frame = np.zeros((120, 160, 3), np.uint8)
            frame[20:100, 10 + i * 4 : 60 + i * 4] = (200, 150, 120)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out


SAMPLE_MAKERS: dict[str, Callable[[Path], Path]] = {
    "image": _image,
    "audio": _audio,
    "text": _text,
    "video": _video,
}


def sample_file(modality: str, folder: str | Path) -> Path:
    """Write a small real file of ``modality`` (image, audio, text, video) into ``folder``."""
    try:
        make = SAMPLE_MAKERS[modality]
    except KeyError:
        raise ValueError(
            f"no sample for modality {modality!r}; pass media= to check_detector"
        ) from None
    return make(Path(folder))


def sample_media(modality: str, folder: str | Path) -> Media:
    """A loaded sample of ``modality`` (through the registered loader, as a scan would)."""
    from fakescope.core.loading import load

    return load(sample_file(modality, folder))[0]


# -- the checks ----------------------------------------------------------------------------------


def _require(condition: Any, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def check_names(detector: Any, media: Media) -> None:
    """``name`` and ``modality`` are non-empty strings and the modality is the media's."""
    _require(isinstance(detector.name, str) and detector.name, "a detector needs a name")
    _require(
        detector.modality == media.modality,
        f"{detector.name} reads {detector.modality!r} but was given a {media.modality!r} sample",
    )


def check_evidence(detector: Any, media: Media) -> None:
    """``score`` returns Evidence naming the detector, with a reason, and a score in [0, 1] or
    ``None`` (an abstention)."""
    ev = detector.score(media)
    _require(isinstance(ev, Evidence), f"{detector.name}.score returned {type(ev).__name__}")
    _require(ev.detector == detector.name, f"evidence names {ev.detector!r}, not {detector.name!r}")
    _require(ev.reason.strip(), f"{detector.name}: evidence must say why")
    if ev.score is not None:
        _require(0.0 <= ev.score <= 1.0 and math.isfinite(ev.score), f"score {ev.score}")


def check_deterministic(detector: Any, media: Media) -> None:
    """The same input gives the same score twice."""
    first, second = detector.score(media), detector.score(media)
    if first.score is None:
        _require(second.score is None, f"{detector.name} abstained once, then scored")
    else:
        _require(
            second.score is not None and abs(second.score - first.score) <= 1e-6,
            f"{detector.name}: same input, scores {first.score} then {second.score}",
        )


def check_json(detector: Any, media: Media) -> None:
    """Evidence, pictures included, serialises to JSON; every picture draws as a PNG."""
    ev = detector.score(media)
    json.dumps(ev.to_dict(include_png=True))
    for artefact in ev.artefacts:
        if artefact.kind == "image":
            png = artefact.picture()
            _require(png is not None, f"{artefact.title!r}: an image artefact without a picture")
            _require(png[:4] == b"\x89PNG", f"{artefact.title!r} is not a PNG")


def check_pictures_drawn_on_demand(detector: Any, media: Media) -> None:
    """``score`` draws no picture: it hands over a ``render`` function, and the picture is drawn
    only where a person looks (the HTML report, the service), never for ``scan --json``."""
    ev = detector.score(media)
    for artefact in ev.artefacts:
        _require(
            artefact.png is None,
            f"{detector.name} drew {artefact.title!r} while scoring; give the Artefact a "
            "render function instead of png bytes",
        )


def check_batch_matches_single(detector: Any, media: Media) -> None:
    """``score_batch`` (when present) returns one evidence per input, equal to ``score``."""
    batch = detector.score_batch([media, media])
    _require(len(batch) == 2, f"score_batch of 2 inputs returned {len(batch)}")
    single = detector.score(media)
    for ev in batch:
        _require(ev.detector == detector.name, f"batch evidence names {ev.detector!r}")
        same = (ev.score is None) if single.score is None else (
            ev.score is not None and abs(ev.score - single.score) <= 1e-5
        )  # fmt: skip
        _require(same, f"{detector.name}: batch score {ev.score} vs single {single.score}")


def check_missing_weights_are_named(detector: Any, media: Media) -> None:
    """Pointed at an empty weights folder, a fresh detector fails (or abstains) naming it."""
    from fakescope.core.weights import using_weights

    key = abilities(detector)["weights"]
    with tempfile.TemporaryDirectory(prefix="no-weights-") as empty:
        with using_weights(key, empty):
            try:
                ev = type(detector)().score(media)
            except (FileNotFoundError, OSError) as exc:
                _require(empty in str(exc), f"the error does not name {empty}: {exc}")
                return
        if ev.score is None:
            return  # it abstained for another reason (e.g. a second model is not configured)
        text = ev.reason + json.dumps(ev.to_dict())
        _require(
            empty in text,
            f"{detector.name} ignored --weights {key}={empty}: it scored {ev.score} "
            f"({ev.reason!r}) instead of saying the weights are missing",
        )


def detector_checks(detector: Any) -> list[tuple[str, Check]]:
    """The checks that apply to ``detector``, chosen by its methods and declared abilities.

    Examples
    --------
    >>> class Constant:
    ...     name, modality = "constant", "text"
    ...     abilities = {"deterministic": False}
    ...     def score(self, media):
    ...         return Evidence(self.name, 0.5, "always unsure")
    >>> [name for name, _ in detector_checks(Constant())]
    ['check_names', 'check_evidence', 'check_json', 'check_pictures_drawn_on_demand']
    """
    declared = abilities(detector)
    checks: list[Check] = [check_names, check_evidence]
    if declared["deterministic"]:
        checks.append(check_deterministic)
    checks += [check_json, check_pictures_drawn_on_demand]
    if callable(getattr(detector, "score_batch", None)):
        checks.append(check_batch_matches_single)
    if declared["weights"]:
        checks.append(check_missing_weights_are_named)
    return [(c.__name__, c) for c in checks]


def iter_failures(detector: Any, media: Media) -> Iterator[tuple[str, str]]:
    """Run every applicable check; yields ``(check name, what went wrong)`` per failure."""
    for name, check in detector_checks(detector):
        try:
            check(detector, media)
        except AssertionError as exc:
            yield name, str(exc)
        except Exception as exc:
            yield name, f"{type(exc).__name__}: {exc}"


def check_detector(detector: Any, media: Media | None = None) -> None:
    """Run ``detector`` through the whole contract; raise ``AssertionError`` listing failures.

    Parameters
    ----------
    detector : Detector
        An instance (``type(detector)()`` must build a fresh one when it declares weights).
    media : Media, optional
        What to score; default: a small sample of the detector's modality.

    Examples
    --------
    >>> class Constant:
    ...     name, modality = "constant", "text"
    ...     def score(self, media):
    ...         return Evidence(self.name, 0.5, "always unsure")
    >>> check_detector(Constant(), Media("t.txt", "text", "Hello there.", {}))
    >>> class Broken(Constant):
    ...     def score(self, media):
    ...         return Evidence(self.name, 0.5, "")
    >>> check_detector(Broken(), Media("t.txt", "text", "Hello there.", {}))
    Traceback (most recent call last):
    ...
    AssertionError: constant fails 1 check(s): check_evidence: constant: evidence must say why
    """
    if media is None:
        with tempfile.TemporaryDirectory() as folder:
            return check_detector(detector, sample_media(detector.modality, folder))
    failures = list(iter_failures(detector, media))
    if failures:
        listed = "; ".join(f"{name}: {why}" for name, why in failures)
        raise AssertionError(f"{detector.name} fails {len(failures)} check(s): {listed}")
    return None
