"""The scan engine: load -> detect -> fuse, shared by the CLI, evaluation and the service."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from fakescope.core.evidence import Evidence
from fakescope.core.fusion import LogitMeanFuser, Report
from fakescope.core.loading import STDIN, InputFile, collect_inputs, load, load_stdin
from fakescope.core.media import Media, MediaError
from fakescope.core.plugins import plugin_failures
from fakescope.core.registry import (
    Detector,
    detector_specs,
    get_detector_spec,
    get_fuser,
    parse_detector_names,
    wrong_modality_reason,
)

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]


class Scanner:
    """Runs the registered detectors over files and fuses their evidence into reports.

    Parameters
    ----------
    detectors : sequence of str, optional
        Detector names to run. By default every detector registered with ``default=True`` for the
        file's modality runs.
    extra : sequence of str, optional
        Opt-in detectors to run in addition to the defaults (e.g. ``["anomaly"]``).
    batch_size : int
        Files loaded and scored together (detectors with ``score_batch`` use the whole batch).

    Examples
    --------
    >>> scanner = Scanner()
    >>> for report in scanner.scan(["examples/images"]):  # doctest: +SKIP
    ...     print(report.path, report.verdict, report.score)
    """

    def __init__(
        self,
        detectors: Sequence[str] | None = None,
        *,
        extra: Sequence[str] | None = None,
        batch_size: int = 16,
    ) -> None:
        self.detector_names = parse_detector_names(detectors)
        self.extra = parse_detector_names(extra) or []
        self.batch_size = max(1, batch_size)
        self._instances: dict[str, Detector] = {}
        self._start_errors: dict[str, Exception] = {}
        for name in (self.detector_names or []) + self.extra:
            get_detector_spec(name)  # fail early on an unknown name

    # -- detectors ---------------------------------------------------------------------------
    def detector_names_for(self, modality: str) -> list[str]:
        if self.detector_names is not None:
            return [n for n in self.detector_names if get_detector_spec(n).modality == modality]
        names = [s.name for s in detector_specs(modality) if s.default]
        extra = [n for n in self.extra if get_detector_spec(n).modality == modality]
        return names + [n for n in extra if n not in names]

    def detector(self, name: str) -> Detector:
        """The scanner's instance of ``name``, created once; a failed start is not retried."""
        if name in self._start_errors:
            raise self._start_errors[name]
        if name not in self._instances:
            try:
                self._instances[name] = get_detector_spec(name).factory()
            except Exception as exc:
                self._start_errors[name] = exc
                raise
        return self._instances[name]

    # -- scanning ----------------------------------------------------------------------------
    def scan(
        self, inputs: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Report]:
        """Scan files, folders and glob patterns; yields one :class:`Report` per input item."""
        items = collect_inputs(inputs)
        total = len(items)
        chunks = [items[i : i + self.batch_size] for i in range(0, total, self.batch_size)]
        done = 0
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Decode the next chunk while the detectors work on this one.
            pending = pool.submit(_load_chunk, chunks[0]) if chunks else None
            for index in range(len(chunks)):
                loaded = pending.result() if pending is not None else []
                nxt = index + 1
                pending = pool.submit(_load_chunk, chunks[nxt]) if nxt < len(chunks) else None
                yield from self._reports_for_chunk(loaded)
                done += len(chunks[index])
                if progress is not None:
                    progress(done, total, chunks[index][-1].path)

    def scan_media(self, medias: Sequence[Media]) -> list[Report]:
        """Score already-loaded media (one report each, in order)."""
        by_modality: dict[str, list[int]] = {}
        for i, m in enumerate(medias):
            by_modality.setdefault(m.modality, []).append(i)
        reports: list[Report | None] = [None] * len(medias)
        for modality, indices in by_modality.items():
            group = [medias[i] for i in indices]
            for i, report in zip(indices, self._score_group(modality, group), strict=True):
                reports[i] = report
        return [r for r in reports if r is not None]

    def _reports_for_chunk(self, loaded: list[tuple[InputFile, list[Media] | str]]) -> list[Report]:
        medias: list[Media] = []
        slots: list[Report | int] = []
        for item, result in loaded:
            if isinstance(result, str):
                slots.append(Report.failed(item.path, result))
            else:
                for media in result:
                    slots.append(len(medias))
                    medias.append(media)
        scored = self.scan_media(medias)
        return [scored[s] if isinstance(s, int) else s for s in slots]

    def _score_group(self, modality: str, medias: list[Media]) -> list[Report]:
        names = self.detector_names_for(modality)
        if not names and self.detector_names:  # e.g. -d lm-rank on an image
            why = wrong_modality_reason(self.detector_names, modality)
            return [Report.failed(m.path, why, modality) for m in medias]
        if not names:
            failed = plugin_failures().get(modality)
            why = f"no {modality} detectors are installed" + (f" ({failed})" if failed else "")
            return [Report.failed(m.path, why, modality) for m in medias]
        per_media: list[list[Evidence]] = [[] for _ in medias]
        errors: list[str | None] = [None] * len(medias)
        broken: list[str] = []
        for name in names:
            try:
                detector = self.detector(name)
            except Exception as exc:
                broken.append(f"detector {name} could not start: {exc}")
                for ev in per_media:
                    ev.append(Evidence(name, None, broken[-1]))
                continue
            for i, evidence in enumerate(_run_detector(detector, name, medias)):
                if isinstance(evidence, MediaError):
                    errors[i] = errors[i] or evidence.reason
                else:
                    per_media[i].append(evidence)
        fuser = get_fuser(modality) or LogitMeanFuser()
        reports = []
        for media, evidence, error in zip(medias, per_media, errors, strict=True):
            if error is not None and all(e.score is None for e in evidence):
                reports.append(Report.failed(media.path, error, modality))
            elif broken and len(broken) == len(names):
                reports.append(Report.failed(media.path, "; ".join(broken), modality))
            else:
                reports.append(
                    Report.from_evidence(media.path, modality, evidence, fuser, media.metadata)
                )
        return reports


def _load_chunk(chunk: list[InputFile]) -> list[tuple[InputFile, list[Media] | str]]:
    out: list[tuple[InputFile, list[Media] | str]] = []
    for item in chunk:
        if item.missing:
            out.append((item, item.missing))
            continue
        try:
            medias = load_stdin() if item.path == STDIN else load(item.path)
            out.append((item, medias))
        except MediaError as exc:
            out.append((item, exc.reason))
    return out


def _run_detector(
    detector: Detector, name: str, medias: list[Media]
) -> list[Evidence | MediaError]:
    batch = getattr(detector, "score_batch", None)
    if batch is not None and len(medias) > 1:
        try:
            results = list(batch(medias))
            if len(results) == len(medias):
                return results
        except Exception as exc:  # fall back to one by one so a bad file only fails itself
            log.debug("batch scoring with %s failed (%s); scoring one by one", name, exc)
    out: list[Evidence | MediaError] = []
    for media in medias:
        try:
            out.append(detector.score(media))
        except MediaError as exc:
            out.append(exc)
        except Exception as exc:
            out.append(Evidence(name, None, f"detector failed on this input: {exc}"))
    return out
