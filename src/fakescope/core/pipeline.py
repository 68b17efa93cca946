"""The scan engine: load -> detect -> fuse, shared by the CLI, evaluation and the service."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fakescope.core.evidence import Evidence
from fakescope.core.fusion import DEFAULT_THRESHOLDS, LogitMeanFuser, Report
from fakescope.core.inputs import as_input_list
from fakescope.core.loading import collect_inputs
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
from fakescope.core.streaming import Feed
from fakescope.core.watchdog import StepTimeout, TimeLimit

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]

#: Seconds one file may take to load, and one batch to score, before it is stopped.
DEFAULT_TIMEOUT = 900.0
#: Bytes of decoded media (pixels, samples, text) loaded ahead of or inside the current batch.
DEFAULT_MEMORY_BUDGET = 384 * 1024 * 1024


class Scanner:
    """Runs the registered detectors over inputs and fuses their evidence into reports.

    Parameters
    ----------
    detectors : sequence of str, optional
        Detector names to run. By default every detector registered with ``default=True`` for the
        file's modality runs.
    extra : sequence of str, optional
        Opt-in detectors to run in addition to the defaults (e.g. ``["anomaly"]``).
    batch_size : int
        Most inputs scored together (detectors with ``score_batch`` use the whole batch). Batches
        are formed from what is already loaded, so results stream out as they are ready.
    timeout : float or None
        Seconds one input may take to load, and one batch to score (a batch that overruns is
        retried one input at a time). An input that overruns gets an error report and the scan
        goes on. ``None`` disables the limit.
    memory_budget : int
        Bytes of decoded data (pixels, samples, text) held at once by inputs waiting to be
        scored and by the batch being scored; one input larger than this is scored alone.

    Examples
    --------
    Anything :func:`~fakescope.core.inputs.as_input_list` accepts can be scanned: a path, a
    folder or glob, a list of them, bytes, file objects, PIL images, NumPy arrays, text or audio
    in memory.

    >>> scanner = Scanner()
    >>> report = next(scanner.scan("examples/images/astronaut.png"))  # doctest: +SKIP
    >>> report.verdict, round(report.score, 2)  # doctest: +SKIP
    ('likely real', 0.08)
    >>> from PIL import Image
    >>> scanner.scan_one(Image.open("photo.jpg"))[0].verdict  # doctest: +SKIP
    'likely synthetic'
    >>> scanner.scan_one({"text": "Some paragraph to check ..."})[0].score  # doctest: +SKIP
    0.21
    """

    def __init__(
        self,
        detectors: Sequence[str] | None = None,
        *,
        extra: Sequence[str] | None = None,
        batch_size: int = 16,
        timeout: float | None = DEFAULT_TIMEOUT,
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
    ) -> None:
        self.detector_names = parse_detector_names(detectors)
        self.extra = parse_detector_names(extra) or []
        self.batch_size = max(1, batch_size)
        self.timeout = timeout if timeout else None
        self.memory_budget = max(1, int(memory_budget))
        self._instances: dict[str, Detector] = {}
        self._start_errors: dict[str, Exception] = {}
        self._scoring = TimeLimit(self.timeout, "fakescope-score")
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
    def scan(self, inputs: Any, progress: ProgressCallback | None = None) -> Iterator[Report]:
        """Scan one input or many; yields one :class:`Report` per file (per record for JSON
        Lines), in input order, each as soon as it is ready.

        Parameters
        ----------
        inputs
            A path (file, folder, glob, ``"-"``), bytes, a binary file object, a PIL image, a
            NumPy array, ``{"text": ...}``, ``{"raw": samples, "sampling_rate": rate}``, a
            :class:`Media`, or a list / generator of these (see :mod:`fakescope.core.inputs`).
            Inputs are counted before the first is scanned, so a generator is read to its end
            first; files are decoded one at a time as the scan goes.
        progress : callable, optional
            ``progress(done, total, name)``: called once with ``done=0`` after the inputs were
            counted (folders walked), then after each input is finished.
        """
        items = collect_inputs(as_input_list(inputs))
        total = len(items)
        if progress is not None:
            progress(0, total, "")
        if not items:
            return
        feed = Feed(
            items,
            batch_size=self.batch_size,
            memory_budget=self.memory_budget,
            timeout=self.timeout,
        )
        done = 0
        try:
            for batch in feed.batches():
                medias = [p.media for p in batch if p.media is not None]
                scored = iter(self._score_with_limit(medias) if medias else [])
                feed.release(batch)
                for piece in batch:
                    if piece.media is not None:
                        yield next(scored)
                    elif piece.error is not None:
                        yield Report.failed(piece.name, piece.error)
                    if piece.done:
                        done += 1
                        if piece.cleanup is not None:
                            piece.cleanup()
                        if progress is not None:
                            progress(done, total, piece.name)
        finally:
            feed.close()

    def scan_one(self, item: Any) -> list[Report]:
        """Every report of one input: one for a file, one per record of a JSON Lines file, one
        per file of a folder. The per-input entry point for worker processes.

        Examples
        --------
        >>> Scanner().scan_one("no/such/file.png")[0].error
        'no such file or folder'
        """
        return list(self.scan(item))

    def scan_media(self, medias: Sequence[Media]) -> list[Report]:
        """Score already-loaded media (one report each, in order), without a time limit."""
        by_modality: dict[str, list[int]] = {}
        for i, m in enumerate(medias):
            by_modality.setdefault(m.modality, []).append(i)
        reports: list[Report | None] = [None] * len(medias)
        for modality, indices in by_modality.items():
            group = [medias[i] for i in indices]
            for i, report in zip(indices, self._score_group(modality, group), strict=True):
                reports[i] = report
        return [r for r in reports if r is not None]

    def close(self) -> None:
        """Let the scanner's worker thread end (it is a daemon; this is only tidiness)."""
        self._scoring.close()

    def _score_with_limit(self, medias: list[Media]) -> list[Report]:
        try:
            return self._scoring.call(lambda: self.scan_media(medias))
        except StepTimeout as exc:
            if len(medias) > 1:  # find the one that overran; the others still get reports
                return [r for m in medias for r in self._score_with_limit([m])]
            why = (
                f"the analysis took longer than {exc.seconds:g} s and was stopped (the time "
                "limit per file); raise it with --timeout for very long files"
            )
            return [Report.failed(medias[0].path, why, medias[0].modality)]

    def _score_group(self, modality: str, medias: list[Media]) -> list[Report]:
        names = self.detector_names_for(modality)
        if not names and self.detector_names:  # e.g. -d lm-rank on an image
            why = wrong_modality_reason(self.detector_names, modality)
            return [Report.failed(m.path, why, modality) for m in medias]
        if not names:
            failed = plugin_failures().get(modality)
            why = f"no {modality} detectors are installed" + (f" ({failed})" if failed else "")
            return [Report.failed(m.path, why, modality) for m in medias]
        content = {n for n in names if get_detector_spec(n).judges_content}
        per_media: list[list[Evidence]] = [[] for _ in medias]
        errors: list[str | None] = [None] * len(medias)
        broken: dict[str, str] = {}
        for name in names:
            # A picture of one colour (Media.abstain) has nothing for content detectors to read.
            todo = [i for i, m in enumerate(medias) if m.abstain is None or name not in content]
            if not todo:
                continue
            try:
                detector = self.detector(name)
            except Exception as exc:
                broken[name] = f"detector {name} could not start: {exc}"
                for i in todo:
                    per_media[i].append(Evidence(name, None, broken[name]))
                continue
            results = _run_detector(detector, name, [medias[i] for i in todo])
            for i, evidence in zip(todo, results, strict=True):
                if isinstance(evidence, MediaError):
                    errors[i] = errors[i] or evidence.reason
                else:
                    per_media[i].append(evidence)
        fuser = get_fuser(modality) or LogitMeanFuser()
        reports = []
        for media, evidence, error in zip(medias, per_media, errors, strict=True):
            if error is not None and all(e.score is None for e in evidence):
                reports.append(Report.failed(media.path, error, modality))
            elif broken and (len(broken) == len(names) or (content and content <= set(broken))):
                why = "; ".join(broken[n] for n in names if n in broken)
                reports.append(Report.failed(media.path, why, modality))
            else:
                abstain = media.abstain or _content_abstention(evidence, content)
                if abstain is not None:
                    thresholds = tuple(getattr(fuser, "thresholds", DEFAULT_THRESHOLDS))
                    reports.append(
                        Report(
                            media.path,
                            modality,
                            None,
                            abstain,
                            thresholds,
                            evidence,
                            metadata=media.metadata,
                        )
                    )
                else:
                    reports.append(
                        Report.from_evidence(media.path, modality, evidence, fuser, media.metadata)
                    )
        return reports


def _content_abstention(evidence: list[Evidence], content: set[str]) -> str | None:
    """The reason for "no verdict" when every detector that judges content abstained but a
    metadata-only detector voted: metadata alone must not decide (an 8x8 PNG without camera
    data is not "likely synthetic"; it is too small to judge)."""
    judged = [e for e in evidence if e.detector in content]
    if not judged or any(e.score is not None for e in judged):
        return None
    if all(e.score is None for e in evidence):
        return None  # nobody voted: the fuser's own abstention wording applies
    return next((e.reason for e in judged if e.reason), "cannot judge")


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
