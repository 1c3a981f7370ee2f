"""What was read from one department's workbook, before and after checking."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workflow.findings import Finding

Number = int | Decimal


@dataclass
class Submission:
    """Values of one workbook, keyed by field id, each with the cell it came from.

    ``values`` holds every numeric field that could be read as a number (computed totals are
    recomputed by the checker, the typed value stays in ``typed``); ``texts`` holds text, date and
    year fields as strings; ``cells`` maps a field id to ``"Sheet!A1"``.
    """

    format: str
    values: dict[str, Number] = field(default_factory=dict)
    typed: dict[str, Any] = field(default_factory=dict)  # raw cell values as found in the file
    texts: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)  # template id, version, fingerprint …
    findings: list[Finding] = field(default_factory=list)  # found while reading

    @property
    def unit_name(self) -> str:
        return self.texts.get("unit_name", "").strip()

    @property
    def year(self) -> int | None:
        raw = self.texts.get("report_year", "").strip()
        return int(raw) if raw.isdigit() else None
