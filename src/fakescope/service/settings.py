"""Everything an operator can set on the service, with safe defaults (local only, bounded)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def default_data_dir() -> Path:
    """``$FAKESCOPE_DATA_DIR``, else ``$XDG_DATA_HOME/fakescope``, else ~/.local/share/fakescope."""
    if os.environ.get("FAKESCOPE_DATA_DIR"):
        return Path(os.environ["FAKESCOPE_DATA_DIR"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "fakescope"


def parse_api_keys(specs: list[str] | None) -> dict[str, str]:
    """``["alice=s3cret-1", "t0ken-xyz"]`` -> ``{"s3cret-1": "alice", "t0ken-xyz": "key-…"}``.

    A key without a name is named after a short hash of itself, so that logs and the history
    never hold the secret.

    Examples
    --------
    >>> parse_api_keys(["alice=s3cret-1"])
    {'s3cret-1': 'alice'}
    >>> parse_api_keys(["s3cret-1"])["s3cret-1"].startswith("key-")
    True
    """
    import hashlib

    keys: dict[str, str] = {}
    for raw in specs or []:
        for spec in (s.strip() for s in raw.split(",")):
            if not spec:
                continue
            name, sep, secret = spec.partition("=")
            if not sep:
                name, secret = "", spec
            if len(secret) < 8:
                raise ValueError("an API key must have at least 8 characters")
            keys[secret] = name or "key-" + hashlib.sha256(secret.encode()).hexdigest()[:8]
    return keys


def parse_rate(spec: str | None) -> tuple[float, float] | None:
    """``"60/minute"`` -> (60 files, per 60 s); ``None`` or ``"off"`` -> no limit.

    Examples
    --------
    >>> parse_rate("120/minute")
    (120.0, 60.0)
    >>> parse_rate("5/s")
    (5.0, 1.0)
    """
    if spec is None or spec.strip().lower() in ("", "off", "none", "0"):
        return None
    count, _, unit = spec.strip().partition("/")
    seconds = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60}
    seconds |= {"h": 3600, "hour": 3600, "d": 86400, "day": 86400}
    if unit.strip().lower() not in seconds or not count.strip().replace(".", "", 1).isdigit():
        raise ValueError(f"rate limit {spec!r}: use N/second, N/minute, N/hour or N/day")
    return float(count), float(seconds[unit.strip().lower()])


@dataclass
class ServiceSettings:
    """Service configuration (``fakescope serve`` options map one to one onto these fields).

    Examples
    --------
    >>> s = ServiceSettings(data_dir=Path("/tmp/fs"))
    >>> s.database_url()
    'sqlite:////tmp/fs/scans.sqlite3'
    >>> s.allowed_hosts
    ['127.0.0.1', 'localhost', '::1']
    """

    data_dir: Path = field(default_factory=default_data_dir)
    db_url: str | None = None
    detectors: list[str] | None = None
    extra: list[str] | None = None
    # Analysis processes: a hostile file can crash or hang only its own process.
    workers: int = 1
    time_limit_s: float = 300.0  # per file
    memory_limit_mb: int = 4096  # address space per analysis process beyond the interpreter
    preload: bool = True
    plugin_files: list[str] = field(default_factory=list)
    # Uploads
    max_upload_mb: float = 512.0  # per file
    max_request_mb: float = 1024.0  # whole request
    max_files: int = 64
    max_image_megapixels: float = 100.0
    body_idle_timeout_s: float = 30.0  # no byte for this long: 408 (slow-loris)
    body_total_timeout_s: float = 600.0
    # Access
    api_keys: dict[str, str] = field(default_factory=dict)  # secret -> name
    rate_limit: tuple[float, float] | None = None  # (files, per seconds), per key or client
    allowed_hosts: list[str] = field(default_factory=lambda: list(LOCAL_HOSTS))
    cors_origins: list[str] = field(default_factory=list)
    # Storage
    keep_days: float | None = None  # None: keep history forever

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * MB)

    @property
    def max_request_bytes(self) -> int:
        return int(self.max_request_mb * MB)

    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.data_dir / 'scans.sqlite3'}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> ServiceSettings:
        """Defaults, then ``FAKESCOPE_*`` environment variables, then ``overrides``."""
        env = os.environ if env is None else env
        given = {k: v for k, v in overrides.items() if v is not None}
        settings = cls(**given)
        if "api_keys" not in given and env.get("FAKESCOPE_API_KEYS"):
            settings.api_keys = parse_api_keys([env["FAKESCOPE_API_KEYS"]])
        if "db_url" not in given and env.get("FAKESCOPE_DB"):
            settings.db_url = env["FAKESCOPE_DB"]
        if "allowed_hosts" not in given and env.get("FAKESCOPE_ALLOWED_HOSTS"):
            named = [h.strip() for h in env["FAKESCOPE_ALLOWED_HOSTS"].split(",") if h.strip()]
            settings.allowed_hosts = sorted({*LOCAL_HOSTS, *named})
        if "workers" not in given and env.get("FAKESCOPE_WORKERS", "").isdigit():
            settings.workers = max(1, int(env["FAKESCOPE_WORKERS"]))
        if "rate_limit" not in given and env.get("FAKESCOPE_RATE_LIMIT"):
            settings.rate_limit = parse_rate(env["FAKESCOPE_RATE_LIMIT"])
        return settings
