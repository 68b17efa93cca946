import json

import pytest

pytest.importorskip("pydantic")

from typer.testing import CliRunner  # noqa: E402

from fakescope.cli import app  # noqa: E402
from fakescope.report.records import (  # noqa: E402
    SCHEMA_FILE,
    ScanRecord,
    json_schema,
    shipped_schema,
)

REGENERATE = "python -m fakescope.report.records > src/fakescope/report/" + SCHEMA_FILE


def _shape(schema):
    """What a consumer relies on: each object's fields, required fields and types."""
    out = {}
    for name, model in {"ScanRecord": schema, **schema.get("$defs", {})}.items():
        props = model.get("properties", {})
        out[name] = {
            "required": sorted(model.get("required", [])),
            "fields": {
                k: v.get("type") or v.get("anyOf") or v.get("$ref") for k, v in props.items()
            },
        }
    return out


def test_shipped_schema_file_matches_the_models():
    assert _shape(shipped_schema()) == _shape(json_schema()), f"regenerate: {REGENERATE}"


def test_scan_json_records_follow_the_schema(toy_files):
    result = CliRunner().invoke(app, ["scan", "--json", *map(str, toy_files.values())])
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(records) == len(toy_files)
    known = set(ScanRecord.model_fields)
    for record in records:
        ScanRecord.model_validate(record)
        new = set(record) - known
        assert not new, f"scan --json has fields the schema lacks: {new}; {REGENERATE}"
