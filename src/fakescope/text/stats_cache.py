"""Per-window token statistics on disk, so that evaluation runs never score a window twice.

One ``.npz`` file per window, named by the SHA-1 of the model's identity (weights, special
prefix, compute dtype, second model) and the window's token ids; written atomically, and a
damaged file is recomputed rather than trusted.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np

from fakescope.text.stats import TokenStats


class WindowCache:
    """Statistics of token windows under ``root``.

    Examples
    --------
    >>> import tempfile
    >>> cache = WindowCache(tempfile.mkdtemp())
    >>> s = TokenStats(np.zeros(2), np.ones(2, dtype=np.int64), np.zeros(2), np.zeros(2))
    >>> cache.put("model", [1, 2, 3], s)
    >>> cache.get("model", [1, 2, 3]).rank.tolist(), cache.get("other", [1, 2, 3])
    ([1, 1], None)
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, identity: str, ids: list[int]) -> Path:
        raw = f"{identity}|" + ",".join(map(str, ids))
        key = hashlib.sha1(raw.encode()).hexdigest()
        return self.root / key[:2] / f"{key}.npz"

    def get(self, identity: str, ids: list[int]) -> TokenStats | None:
        path = self.path(identity, ids)
        if not path.is_file():
            return None
        try:
            with np.load(path) as data:
                return TokenStats.from_arrays({k: data[k] for k in data.files})
        except (OSError, ValueError, KeyError):  # a damaged entry is recomputed
            return None

    def put(self, identity: str, ids: list[int], stats: TokenStats) -> None:
        path = self.path(identity, ids)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            buf = io.BytesIO()
            np.savez(buf, **stats.to_arrays())
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(buf.getvalue())
            tmp.replace(path)
        except OSError:  # the cache is an optimisation; never fail a scan over it
            return
