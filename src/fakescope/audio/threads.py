"""Run small array work on one thread.

The audio detectors do many small matrix products and convolutions per file. With BLAS or torch
allowed two threads on a busy two-core machine, the threads spin against each other: measured
here, a spec-cnn segment took 150 ms instead of 5 ms. One thread per scan is faster and leaves
the other core to the decoder thread of the Scanner.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

_CONTROLLER = None


@contextmanager
def single_thread() -> Iterator[None]:
    """Limit BLAS/OpenMP pools (threadpoolctl) and torch, if loaded, to one thread.

    Examples
    --------
    >>> import numpy as np
    >>> with single_thread():
    ...     float(np.ones((2, 2)) @ np.ones(2) @ np.ones(2))
    4.0
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        # scanning the loaded libraries reads /proc/self/maps (~7 ms): do it once per process
        _CONTROLLER = ThreadpoolController()
    torch = sys.modules.get("torch")
    previous = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(1)
    try:
        with _CONTROLLER.limit(limits=1):
            yield
    finally:
        if torch is not None and previous is not None:
            torch.set_num_threads(previous)
