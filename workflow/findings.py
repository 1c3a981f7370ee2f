"""Problems found in a department's file: data with a rule id, cells and a Chinese message."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"  # blocks acceptance
    WARNING = "warning"  # reported, does not block


SEVERITY_NAMES = {Severity.ERROR: "错误", Severity.WARNING: "提示"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one submitted file.

    ``cells`` are A1 references qualified by sheet, e.g. ``"三、依申请公开!C7"``.
    """

    rule: str
    severity: Severity
    message: str
    fields: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()
    expected: Any = None
    actual: Any = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "fields": list(self.fields),
            "cells": list(self.cells),
            "expected": _jsonable(self.expected),
            "actual": _jsonable(self.actual),
            "message": self.message,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by rule and first cell, so outputs are stable."""
    return sorted(
        findings,
        key=lambda f: (f.severity is not Severity.ERROR, f.cells[:1], f.rule, f.message),
    )
