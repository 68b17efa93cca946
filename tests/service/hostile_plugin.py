"""A test modality whose files tell the detector how to misbehave (run inside analysis processes).

File content: ``HOSTILE <command> [arg]`` with command ``ok SCORE``, ``sleep SECONDS``,
``crash`` (the process dies), ``alloc MB`` (allocates and touches that much memory) or
``raise`` (the detector throws).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from fakescope.core.evidence import Evidence
from fakescope.core.media import Media, MediaError
from fakescope.core.registry import register_detector, register_loader

MAGIC = b"HOSTILE"


def _load(path: Path) -> list[Media]:
    words = path.read_bytes()[len(MAGIC) :].decode("ascii", "replace").split()
    if not words:
        raise MediaError(str(path), "no command")
    return [Media(str(path), "hostile", words)]


class Probe:
    name = "hostile-probe"
    modality = "hostile"

    def score(self, media: Media) -> Evidence:
        command, *args = media.data
        if command == "sleep":
            time.sleep(float(args[0]))
        elif command == "crash":
            os._exit(3)
        elif command == "alloc":
            import numpy as np

            block = np.ones(int(float(args[0]) * 1024 * 1024), dtype=np.uint8)
            return Evidence(self.name, 0.5, f"allocated {block.nbytes >> 20} MB")
        elif command == "raise":
            raise RuntimeError("the probe was told to fail")
        score = float(args[0]) if args else 0.5
        return Evidence(self.name, score, f"told to say {score}")


register_loader("hostile", [".hostile"], _load, sniff=lambda head: head.startswith(MAGIC))
register_detector("hostile-probe", "hostile", Probe, description="test detector that misbehaves")
