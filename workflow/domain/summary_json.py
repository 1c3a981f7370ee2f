"""summary.json, the district's public contract between the stages (rollup → reports, rollup
workbook, dashboard, next year's checks): its shape as types, and its text, every Decimal written as
an exact JSON number (12.5, 3.0) and read back as a Decimal; nothing is ever a float. Pure.

The types say what a pass writes; readers of a summary from disk (last year's, another version's)
still treat every key as possibly absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from workflow.domain.submission import Number


class UnitEntry(TypedDict):
    """One roster unit in summary.json; ``values`` is empty unless the unit is included."""

    name: str
    category: str
    status: str
    status_name: str
    included: bool
    submitted_at: str
    sha256: str
    source: str
    original_name: str
    errors: int
    warnings: int
    findings: int
    contact_person: str
    contact_phone: str
    updated: bool
    values: dict[str, Number]
    outputs: dict[str, str]
    # added by the pass (pipeline/outputs) for the dashboard and next year's R13
    finding_details: NotRequired[list[dict[str, Any]]]
    texts: NotRequired[dict[str, str]]
    newer_rejected: NotRequired[dict[str, Any]]


class PreviousYear(TypedDict):
    """Last year's figures as carried into this year's summary."""

    year: Any
    format: Any
    complete: Any
    units_accepted: Any
    units_expected: Any
    totals: dict[str, Number]
    # with [previous] reports: the folder, the reports read, unreadable and unmatched (file, reason)
    reports: NotRequired[dict[str, Any]]


class Summary(TypedDict):
    """The content of ``outbox/<year>/summary.json``."""

    district: str
    year: int
    format: str
    format_title: str
    generated_at: str
    deadline: str
    complete: bool
    units_expected: int
    units_accepted: int
    units: list[UnitEntry]
    totals: dict[str, Number]
    category_totals: dict[str, dict[str, Number]]
    categories: dict[str, dict[str, int]]
    missing: list[str]
    rejected: list[str]
    excluded: list[str]
    stock_fields: dict[str, str]
    inconsistent: list[dict[str, Any]]
    outliers: list[dict[str, Any]]
    outlier_rules: list[str]
    outcomes: list[dict[str, Any]]
    outputs: dict[str, str]
    previous: NotRequired[PreviousYear]
    changes_vs_previous: NotRequired[dict[str, dict[str, Number]]]
    year_over_year: NotRequired[list[dict[str, Any]]]
    # added by the pass (pipeline/outputs)
    partial_units: NotRequired[list[str]]
    report_draft_reasons: NotRequired[list[str]]
    pdf: NotRequired[dict[str, Any]]  # engine, fonts substituted, PDFs that failed


_DECIMAL_MARK = re.compile(r'"\\u0000(-?[0-9]+\.[0-9]+)\\u0000"')


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0")
    return text + "0" if text.endswith(".") else (text if "." in text else text + ".0")


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"\0{_decimal_text(value)}\0"
    if isinstance(value, Mapping):
        return {str(k): _marked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(v) for v in value]
    return value


def summary_to_json(summary: Mapping[str, Any]) -> str:
    """The summary as JSON text (UTF-8, indented); every Decimal written exactly, e.g. 12.5."""
    text = json.dumps(_marked(summary), ensure_ascii=False, indent=2)
    return _DECIMAL_MARK.sub(r"\1", text) + "\n"


def load_summary(text: str) -> dict[str, Any]:
    """A summary.json text back as a dict, decimals as Decimal (exact)."""
    data = json.loads(text, parse_float=Decimal)
    if not isinstance(data, dict):
        raise ValueError("文件内容不是 JSON 对象")
    return data
