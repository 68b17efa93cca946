"""Old name of :mod:`fakescope.text.loader` (every modality keeps its loader in ``loader.py``).

Kept so that ``fakescope.text.loaders`` still imports. It is the very same module object, so
reading or patching an attribute here reads or patches the loader.
"""

import sys

from fakescope.text import loader as _loader

sys.modules[__name__] = _loader
