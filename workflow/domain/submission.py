"""What was read from one department's workbook, before and after checking."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workflow.domain.findings import Finding

Number = int | Decimal


@dataclass
class Submission:
    """Values of one workbook, keyed by field id, each with the cell it came from.

    ``values`` holds every numeric INPUT field that could be read as a number (the reader leaves
    computed totals out; the checker computes them from their parts). ``typed`` holds the raw value
    found in every located cell, totals included (a formula's cached value, or a number typed over
    the formula); ``formulas`` names the fields whose cell still holds a formula. ``texts`` holds
    text, date (ISO ``YYYY-MM-DD``) and year fields as strings; ``cells`` maps a field id to
    ``"Sheet!A1"``.
    """

    format: str
    values: dict[str, Number] = field(default_factory=dict)
    typed: dict[str, Any] = field(default_factory=dict)  # raw cell values as found in the file
    formulas: set[str] = field(default_factory=set)  # field ids whose cell holds a formula
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
        return int(raw) if raw.isascii() and raw.isdigit() else None
