"""Old name of :mod:`fakescope.anomaly.commands` (every modality keeps its command line in
``commands.py``).

Kept so that code importing from ``fakescope.anomaly.cli`` still works: every name is read from
:mod:`fakescope.anomaly.commands`. Patch attributes on the new module, not here.
"""

from typing import Any

from fakescope.anomaly import commands as _commands


def __getattr__(name: str) -> Any:
    return getattr(_commands, name)
