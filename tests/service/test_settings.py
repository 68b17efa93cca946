from pathlib import Path

import pytest

from fakescope.service.settings import ServiceSettings, parse_api_keys, parse_rate


def test_defaults_are_local_and_bounded(tmp_path):
    s = ServiceSettings(data_dir=tmp_path)
    assert s.allowed_hosts == ["127.0.0.1", "localhost", "::1"]
    assert s.cors_origins == [] and s.api_keys == {}
    assert s.database_url() == f"sqlite:///{tmp_path / 'scans.sqlite3'}"
    assert s.max_upload_bytes == 512 * 1024 * 1024 and s.time_limit_s > 0


def test_environment(tmp_path):
    env = {
        "FAKESCOPE_API_KEYS": "alice=alice-secret, bob=bob-secret-2",
        "FAKESCOPE_DB": "postgresql+psycopg://u@h/db",
        "FAKESCOPE_RATE_LIMIT": "10/minute",
    }
    s = ServiceSettings.from_env(env, data_dir=tmp_path, workers=None)
    assert s.api_keys == {"alice-secret": "alice", "bob-secret-2": "bob"}
    assert s.database_url() == "postgresql+psycopg://u@h/db" and s.rate_limit == (10.0, 60.0)
    assert s.workers == 1  # None means "not given"
    given = ServiceSettings.from_env(env, data_dir=Path("/x"), db_url="sqlite://")
    assert given.database_url() == "sqlite://"


def test_bad_values_are_refused_clearly():
    with pytest.raises(ValueError, match="at least 8 characters"):
        parse_api_keys(["short"])
    with pytest.raises(ValueError, match="N/minute"):
        parse_rate("10 per fortnight")
    assert parse_rate("off") is None and parse_rate("3/hour") == (3.0, 3600.0)
