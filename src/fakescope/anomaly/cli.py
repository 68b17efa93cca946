"""Old name of :mod:`fakescope.anomaly.commands` (every modality keeps its command line in
``commands.py``).

Kept so that ``fakescope.anomaly.cli`` still imports. It is the very same module object, so
reading or patching an attribute here reads or patches the commands module.
"""

import sys

from fakescope.anomaly import commands as _commands

sys.modules[__name__] = _commands
