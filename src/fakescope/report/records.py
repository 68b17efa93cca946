"""The scan record, typed: one schema for ``fakescope scan --json`` lines and the web API.

``scan-record.schema.json`` next to this module is generated from these models; regenerate it after
changing them (a test fails until then)::

    python -m fakescope.report.records > src/fakescope/report/scan-record.schema.json

Needs pydantic (installed with ``fakescope[service]``); the CLI itself never imports this module.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_FILE = "scan-record.schema.json"
SCHEMA_ID = "urn:fakescope:scan-record:1"


class _Record(BaseModel):
    # Newer fakescope versions may add fields; readers must ignore what they do not know.
    model_config = ConfigDict(extra="allow")


class ArtefactRecord(_Record):
    """Something a person can look at."""

    kind: str = Field(description='"image", "tokens" or "table"')
    title: str
    data: Any = Field(
        None,
        description='"tokens": list of {"text", "bucket" 0..3, "value"}; "table": list of rows',
    )
    png_base64: str | None = Field(
        None, description="the picture, inline (HTML report; not in scan --json)"
    )
    png_url: str | None = Field(
        None, description="service only: where to fetch the picture, relative to the service root"
    )
    png_sha256: str | None = Field(None, description="service only: SHA-256 of the PNG")
    width: int | None = Field(None, description="service only: picture width in pixels")
    height: int | None = Field(None, description="service only: picture height in pixels")


class EvidenceRecord(_Record):
    """One detector's finding."""

    detector: str
    score: float | None = Field(
        ..., ge=0.0, le=1.0, description="P(machine-made); null when the detector abstains"
    )
    reason: str
    weight: float = Field(1.0, description="the weight this score had in the verdict")
    counted: bool | None = Field(None, description="whether the verdict counted this score")
    not_counted: str | None = Field(None, description="why the verdict did not count it")
    details: dict[str, Any] = Field(default_factory=dict)
    artefacts: list[ArtefactRecord] = Field(default_factory=list)


class Thresholds(_Record):
    likely_real_below: float = Field(..., description="score <= this: likely real")
    likely_synthetic_above: float = Field(..., description="score >= this: likely synthetic")


class ScanRecord(_Record):
    """The verdict on one input item (a file, or one record of a .jsonl file)."""

    path: str = Field(
        ..., description='file as given ("notes.jsonl#3" for a record); the upload name in the API'
    )
    modality: str | None = Field(..., description='"image", "video", "audio", "text" or null')
    score: float | None = Field(
        ..., ge=0.0, le=1.0, description="fused calibrated P(machine-made), 6 decimals"
    )
    verdict: str = Field(
        ...,
        description='"likely real", "uncertain", "likely synthetic", "error", or why no detector '
        'could judge (e.g. "too short to judge")',
    )
    thresholds: Thresholds
    detectors: dict[str, float | None] = Field(
        default_factory=dict, description="detector name -> score (null = abstained)"
    )
    error: str | None = Field(..., description="why the item could not be analysed, else null")
    not_counted: dict[str, str] = Field(
        default_factory=dict, description="detector -> why the verdict did not count its score"
    )
    evidence: list[EvidenceRecord] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    id: int | None = Field(None, description="service only: history id")
    sha256: str | None = Field(None, description="service only: SHA-256 of the uploaded file")
    cached: bool | None = Field(
        None, description="service only: true when an earlier analysis of the same file was reused"
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one scan record."""
    schema = ScanRecord.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def shipped_schema() -> dict[str, Any]:
    """The schema file shipped with the package."""
    return json.loads(files("fakescope.report").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_text(), end="")
