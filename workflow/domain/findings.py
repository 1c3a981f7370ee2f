"""Problems found in a department's file: data with a rule id, cells and a Chinese message."""

from __future__ import annotations

import re
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


_SHEET_NUMERALS = "一二三四五六七八九十"
_COORD = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")
_REPORT_CELL = re.compile(r"表([一二三四五六七八九十])\s*(?:第(\d+)行)?\s*(?:第(\d+)列)?")
_REPORT_HEAD = ("报告标题", "报告前言", "报告落款")


def cell_order(ref: str) -> tuple[int, str, int, int]:
    """Where a cell comes in the template: sheet (基本信息, 二、…, 三、…, 四、…), then row, then column.

    ``"三、依申请公开!E7"`` comes before ``"三、依申请公开!E10"`` (natural, not string, order).
    A published report's locations sort the same way: title, 表二…表四 by row and column
    (``"表三 第8行 第2列"`` before ``"表三 第10行 第1列"``), then the text.
    """
    if "!" not in ref:
        return _report_order(ref)
    sheet, _, coord = ref.rpartition("!")
    sheet = sheet.strip("'")
    if sheet == "基本信息":
        rank = 0
    elif sheet[:1] and sheet[0] in _SHEET_NUMERALS:
        rank = _SHEET_NUMERALS.index(sheet[0]) + 1
    else:
        rank = 50
    match = _COORD.match(coord.strip())
    if not match:
        return rank, sheet, 0, 0
    letters, row = match.groups()
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return rank, sheet, int(row), col


def _report_order(ref: str) -> tuple[int, str, int, int]:
    """A location in a published report (see ``workflow.read.report.tables``)."""
    ref = ref.strip()
    match = _REPORT_CELL.match(ref)
    if match:
        table, row, col = match.groups()
        return _SHEET_NUMERALS.index(table) + 1, f"表{table}", int(row or 0), int(col or 0)
    if ref.startswith(_REPORT_HEAD):
        return 0, ref, 0, 0
    if ref.startswith("正文"):
        return 40, ref, 0, 0
    return 50, ref, 0, 0


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first; then file-level findings, then by cell in template order; then rule, message."""

    def key(f: Finding) -> tuple[object, ...]:
        where = cell_order(f.cells[0]) if f.cells else (-1, "", 0, 0)
        return (f.severity is not Severity.ERROR, where, f.rule, f.message)

    return sorted(findings, key=key)
