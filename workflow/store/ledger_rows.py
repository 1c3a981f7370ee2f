"""Rows of the ledger as data, and how a checked file's outcome is stored in its ``result`` column
(JSON: numbers kept exact, Decimal as text; findings as dicts)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from workflow.domain.findings import Finding, Severity
from workflow.domain.submission import Number


@dataclass
class FileRow:
    id: int
    sha256: str
    original_name: str
    inbox_path: str
    size: int
    mtime_ns: int
    arrived: str
    processed: str
    unit: str
    year: int | None
    format: str
    status: str
    state: str
    published: int
    errors: int
    warnings: int
    archive_path: str
    feedback: str
    result: str
    duplicate_of: int | None
    run_id: str

    @property
    def feedback_paths(self) -> dict[str, Any]:
        return json.loads(self.feedback)

    @property
    def result_data(self) -> dict[str, Any]:
        return json.loads(self.result)


FILE_COLUMNS = [f.name for f in fields(FileRow)]


@dataclass(frozen=True)
class Sighting:
    path: str
    size: int
    mtime_ns: int
    since: str  # ISO time of the pass that first saw these (size, mtime)
    passes: int = 1  # passes that have seen the file unchanged


# -- what a checked file's outcome looks like in the ledger ---------------------------------------
def _number_json(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _number_from_json(value: Any) -> Number:
    return Decimal(value) if isinstance(value, str) else int(value)


def encode_result(
    values: dict[str, Number], texts: dict[str, str], findings: Sequence[Finding], **extra: Any
) -> str:
    """JSON of a checked file's numbers (Decimal kept exact, as text), texts and findings."""
    data = {
        "values": {k: _number_json(v) for k, v in values.items()},
        "texts": dict(texts),
        "findings": [
            {
                "rule": f.rule,
                "severity": str(f.severity),
                "message": f.message,
                "fields": list(f.fields),
                "cells": list(f.cells),
                "expected": _number_json(f.expected),
                "actual": _number_json(f.actual),
            }
            for f in findings
        ],
        **extra,
    }
    return json.dumps(data, ensure_ascii=False, default=str)


def decode_values(data: dict[str, Any]) -> dict[str, Number]:
    return {k: _number_from_json(v) for k, v in data.get("values", {}).items()}


def decode_findings(data: dict[str, Any]) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            rule=f["rule"],
            severity=Severity(f["severity"]),
            message=f["message"],
            fields=tuple(f["fields"]),
            cells=tuple(f["cells"]),
            expected=f.get("expected"),
            actual=f.get("actual"),
        )
        for f in data.get("findings", [])
    )
