"""Old name of :mod:`fakescope.text.loader` (every modality keeps its loader in ``loader.py``).

Kept so that code importing from ``fakescope.text.loaders`` still works: every name is read
from :mod:`fakescope.text.loader`. Patch attributes on the new module, not here.
"""

from typing import Any

from fakescope.text import loader as _loader


def __getattr__(name: str) -> Any:
    return getattr(_loader, name)
