"""The template's cells: a layout cell written with its value, formula, format and validation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from xlsxwriter.worksheet import Worksheet

from workflow.formats.layout import Cell, sheet_layouts
from workflow.formats.spec import Field, Format
from workflow.template.selfcheck import cell_ranges
from workflow.template.style import Styles

NARRATIVE_HINT = (
    "粘贴多段文字：先双击本格（或选中后按 F2）再粘贴，否则各段会分散到下面几行。"
    "格内换行按 Alt+Enter；文字较长时可拖动行高查看。"
)

_VALIDATION: dict[str, dict[str, Any]] = {
    "count": {"validate": "integer", "criteria": ">=", "value": 0},
    "money": {"validate": "decimal", "criteria": ">=", "value": 0},
    "signed": {"validate": "integer", "criteria": "between", "minimum": -(10**9), "maximum": 10**9},
}
_HINT = {
    "count": "请填写不小于 0 的整数，没有的填 0。",
    "money": "请填写不小于 0 的数字（可有小数），没有的填 0。",
    "signed": "请填写整数：增加填正数，减少填负数（如 -4），没有变化填 0。",
}


def write_cell(
    ws: Worksheet,
    styles: Styles,
    spec: Format,
    cell: Cell,
    numbers: Mapping[str, Any],
    info: Mapping[str, Any],
    formulas: Mapping[str, tuple[str, ...]],
    roster_ref: str,
) -> None:
    fmt = styles.for_cell(cell, spec.fields.get(cell.field))
    if cell.merged:
        ws.merge_range(cell.row, cell.col, cell.end_row, cell.end_col, "", fmt)
    if cell.role == "total":
        value = numbers[cell.field]
        if cell.field in formulas:
            refs = ",".join(_local_ranges(spec, formulas[cell.field]))
            ws.write_formula(cell.row, cell.col, f"=SUM({refs})", fmt, value)
        else:
            _write_value(ws, cell.row, cell.col, value, fmt)
    elif cell.role == "input":
        f = spec.fields[cell.field]
        value = info.get(f.id, numbers.get(f.id, 0)) if f.part == "info" else numbers[f.id]
        _write_value(ws, cell.row, cell.col, value, fmt)
        _validate(ws, cell, f)
    elif cell.field:
        _write_text(
            ws,
            styles,
            cell,
            spec.fields[cell.field],
            info.get(cell.field, ""),
            fmt,
            roster_ref,
            str(info.get("report_year", "")),
        )
    elif cell.role != "status":
        ws.write_string(cell.row, cell.col, cell.text, fmt)


def _local_ranges(spec: Format, fields: Sequence[str]) -> list[str]:
    cells = [c for lay in sheet_layouts(spec) for fid, c in lay.fields.items() if fid in fields]
    return cell_ranges((c.row, c.col) for c in cells)


def _write_value(ws: Worksheet, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float | Decimal):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, datetime | date):
        ws.write_datetime(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _validate(ws: Worksheet, cell: Cell, f: Field) -> None:
    rule = dict(_VALIDATION[f.kind])
    rule |= {
        "input_title": "填写提示",
        "input_message": f"{f.label[:150]}\n{_HINT[f.kind]}",
        "error_title": "填写有误",
        "error_message": _HINT[f.kind],
    }
    ws.data_validation(cell.row, cell.col, cell.end_row, cell.end_col, rule)


def _write_text(
    ws: Worksheet,
    styles: Styles,
    cell: Cell,
    f: Field,
    value: Any,
    fmt: Any,
    roster_ref: str,
    year: str = "",
) -> None:
    if (
        f.kind == "year"
        and isinstance(value, int | str)
        and str(value).strip().isascii()
        and str(value).strip().isdigit()
    ):
        ws.write_number(cell.row, cell.col, int(str(value).strip()), fmt)
    elif f.kind == "date" and isinstance(value, str) and _iso_date(value):
        ws.write_datetime(cell.row, cell.col, _iso_date(value), styles.date)
    else:
        _write_value(ws, cell.row, cell.col, value if value != "" else None, fmt)
    rule: dict[str, Any] = {"validate": "any"}
    if f.id == "unit_name" and roster_ref:
        rule = {
            "validate": "list",
            "source": roster_ref,
            "error_type": "warning",
            "error_title": "单位名称",
            "error_message": "该名称不在单位名单中，请从下拉列表中选择。",
        }
    elif f.kind == "year":
        rule = {
            "validate": "integer",
            "criteria": "between",
            "minimum": 2008,
            "maximum": 2100,
            "error_title": "年度",
            "error_message": "请填写四位数年度，如 2025。",
        }
    day = f"{int(year) + 1}-01-20" if year.isascii() and year.isdigit() else "次年1月的日期"
    hint = {
        "date": f"填写报告成文日期（统计年度结束后，如 {day}）。",
        "year": "报告年度，四位数字，如 2025。",
    }
    message = hint.get(
        f.kind, "请从下拉列表中选择本单位全称。" if f.id == "unit_name" and roster_ref else ""
    )
    if cell.role == "narrative":
        message = NARRATIVE_HINT
    if message:
        rule |= {"input_title": f.label[:30], "input_message": message}
    if rule != {"validate": "any"}:
        ws.data_validation(cell.row, cell.col, cell.end_row, cell.end_col, rule)


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
