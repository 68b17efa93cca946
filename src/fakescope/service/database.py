"""Database engines for the store: thread-safe SQLite (WAL; one shared in-memory connection) or any
SQLAlchemy URL, and the Alembic migrations applied on opening."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool


def make_engine(url: str) -> Engine:
    """An engine safe for the service's threads (in-memory SQLite: one shared connection)."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (a pre-Alembic database is adopted first)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("fakescope.service") / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        names = set(inspect(conn).get_table_names())
        if "scans" in names and "alembic_version" not in names:
            command.stamp(cfg, "0001")  # made by the first release's create_all
        command.upgrade(cfg, "head")
