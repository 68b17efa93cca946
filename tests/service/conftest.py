"""Service fixtures: settings in a temp folder, the toy and hostile test plugins in the workers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakescope.service.settings import ServiceSettings

TESTS = Path(__file__).resolve().parents[1]
PLUGINS = [str(TESTS / "conftest.py"), str(TESTS / "service" / "hostile_plugin.py")]
LOCAL = "http://localhost"


def make_settings(data_dir: Path, **overrides) -> ServiceSettings:
    """Fast test settings: one analysis process, nothing preloaded, the test plugins."""
    values = dict(
        data_dir=data_dir,
        plugin_files=list(PLUGINS),
        preload=False,
        workers=1,
        time_limit_s=20.0,
        memory_limit_mb=1024,
    )
    values.update(overrides)
    return ServiceSettings(**values)


@pytest.fixture
def settings(tmp_path: Path) -> ServiceSettings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def settings_for(tmp_path: Path):
    """``settings_for(**overrides)``: test settings in a fresh folder."""
    counter = iter(range(1000))

    def make(**overrides) -> ServiceSettings:
        folder = overrides.pop("data_dir", None) or tmp_path / f"data{next(counter)}"
        return make_settings(folder, **overrides)

    return make


@pytest.fixture
def app_for(settings_for):
    """``app_for(**overrides)``: a started app, closed after the test."""
    from fakescope.service.app import create_app

    apps = []

    def make(**overrides):
        app = create_app(settings=settings_for(**overrides))
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.service.close()


@pytest.fixture
def client_for(app_for):
    """``client_for(**overrides)``: a TestClient on http://localhost for a fresh app."""
    from fastapi.testclient import TestClient

    def make(**overrides):
        return TestClient(app_for(**overrides), base_url=LOCAL)

    return make


@pytest.fixture
def serve():
    """``with serve(app) as server:`` real HTTP on a free loopback port."""
    return LiveServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving an app on a free loopback port, in a thread (real HTTP)."""

    def __init__(self, app, **config) -> None:
        import uvicorn

        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", **config)
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.app.state.service.close()


@pytest.fixture
def live(settings) -> Iterator[LiveServer]:
    from fakescope.service.app import create_app

    with LiveServer(create_app(settings=settings), limit_concurrency=64) as server:
        yield server
