"""fakescope: synthetic-media forensics.

Detect machine-made or altered images, video, audio and text with calibrated scores and evidence a
person can look at; create fakes; train and evaluate detectors.

Examples
--------
>>> from fakescope import Scanner
>>> reports = list(Scanner().scan(["examples/images"]))  # doctest: +SKIP
>>> reports[0].verdict  # doctest: +SKIP
'likely real'
"""

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.fusion import Report
from fakescope.core.media import Media, MediaError
from fakescope.core.pipeline import Scanner

__version__ = "0.1.0"

__all__ = ["Artefact", "Evidence", "Media", "MediaError", "Report", "Scanner", "__version__"]
