"""The outcome of checking one file: what the check stage hands to the pass, the feedback and the
``workflow check`` command. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from workflow.domain.findings import Finding, Severity
from workflow.domain.submission import Number

Status = Literal["accepted", "rejected"]


@dataclass
class CheckResult:
    """The outcome of checking one file. ``values`` holds every numeric field, totals computed."""

    file: str
    sha256: str
    unit: str
    year: int | None
    format: str
    status: Status
    values: dict[str, Number] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    feedback: dict[str, Path] = field(default_factory=dict)  # filled by check_paths(--feedback)
    readable: bool = True  # False: the file could not be read as a workbook at all

    @property
    def format_read(self) -> str | None:
        """The table format read from the file, None when no workbook was read."""
        return self.format if self.readable else None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def to_json(self) -> dict[str, Any]:
        """The issue-3 shape: file, sha256, unit, year, format, status, values, findings."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "unit": self.unit,
            "year": self.year,
            "format": self.format_read,
            "status": self.status,
            "values": {k: _json_number(v) for k, v in self.values.items()},
            "findings": [f.to_json() for f in self.findings],
        }


def _json_number(value: Number) -> int | float:
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)
