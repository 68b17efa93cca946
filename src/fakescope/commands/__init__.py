"""The core commands of ``fakescope`` (scan, detectors, evaluate), one module each.

A thin layer over the Python API: options in, :class:`~fakescope.core.pipeline.Scanner` or
:mod:`fakescope.core.evaluation` called, results printed through :mod:`fakescope.console`.
No detection logic lives here. :mod:`fakescope.cli` assembles them into the ``fakescope`` app.
"""
