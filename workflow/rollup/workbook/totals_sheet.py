"""The rollup workbook's 汇总 sheet: district totals in the official tables, who is in them,
last year beside this year, and what to verify with the units."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workflow.formats.layout import (
    Cell,
    SheetLayout,
    active_layout,
    apply_layout,
    fit_height,
    review_layout,
)
from workflow.formats.spec import Field, Format
from workflow.report.text import jurisdiction
from workflow.rollup.totals import stock_label
from workflow.rollup.workbook.styles import Styles, cell_number, page_setup, short_time
from workflow.rollup.workbook.wording import coverage_line, excluded_line, rollup_title

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

SHEET_TOTALS = "汇总"
SUMMARY_WIDTHS = (6.0, 12.0, 28.0) + (7.0,) * 15  # A–C labels, D–R values (headers wrap)
LAST_COL = len(SUMMARY_WIDTHS) - 1  # R: table 四 is the widest


def _active_col(col: int, last: bool) -> int:
    """Part 二's layout columns (label + up to three values) onto 汇总's columns A–J."""
    if col == 0:
        return 2 if last else 0
    first = 3 + 2 * (col - 1)
    return (9 if col == 3 else first + 1) if last else first


def _place(
    ws: Worksheet,
    st: Styles,
    cell: Cell,
    top: int,
    cols: tuple[int, int],
    spec: Format,
    totals: Mapping[str, Any],
    placed: dict[str, tuple[int, int]],
) -> None:
    """Write one layout cell (label, header or field) at its place on 汇总."""
    r0, r1 = top + cell.row, top + cell.end_row
    c0, c1 = cols
    value: float | int | str | None
    if cell.field:
        field = spec.fields[cell.field]
        value, fmt = cell_number(totals.get(cell.field, 0)), st.number(field, total=field.computed)
        placed[cell.field] = (r0, c0)
    else:
        stock = [f for f in spec.numeric_fields if f.stock and f.column_label == cell.text]
        header = cell.role in ("header", "note")
        value = stock_label(stock[0]) if stock and header else cell.text
        fmt = st.header if header else st.label
    if (r0, c0) != (r1, c1):
        ws.merge_range(r0, c0, r1, c1, value, fmt)
    else:
        ws.write(r0, c0, value, fmt)


def _table(
    ws: Worksheet,
    st: Styles,
    spec: Format,
    totals: Mapping[str, Any],
    row: int,
    layout: SheetLayout,
    colmap: Any,
    placed: dict[str, tuple[int, int]],
) -> int:
    """Place a layout's table (not its title rows) from ``row``; return the next free row."""
    body = [c for c in layout.cells if c.role not in ("title", "status")]
    first = min(c.row for c in body)
    for r, height in layout.heights.items():
        if r >= first:
            ws.set_row(row - first + r, height)
    for c in body:
        cols = (colmap(c.col, False), colmap(c.end_col, True))
        _place(ws, st, c, row - first, cols, spec, totals, placed)
    return row + max(c.end_row for c in body) - first + 1


def totals_sheet(
    ws: Worksheet, st: Styles, spec: Format, summary: Mapping[str, Any]
) -> dict[str, tuple[int, int]]:
    """Write 汇总; return where each field's total went (row, col)."""
    placed: dict[str, tuple[int, int]] = {}
    for i, w in enumerate(SUMMARY_WIDTHS):
        ws.set_column(i, i, w)
    page_setup(ws)
    totals = summary["totals"]
    whole = jurisdiction(summary["district"]).whole
    breaks = []
    _heading(ws, st, spec, summary)
    row = 5
    ws.write(row, 0, spec.active_title, st.heading)
    row = _table(ws, st, spec, totals, row + 1, active_layout(spec), _active_col, placed)
    stock = "、".join(sorted({f.column_label for f in spec.numeric_fields if f.stock}))
    ws.merge_range(
        row,
        0,
        row,
        9,
        f"注：{stock}为各单位数字之和（各单位合计），不是{whole}去重后的件数。",
        st.note,
    )
    row += 2
    breaks.append(row)
    ws.write(row, 0, spec.apply.title, st.heading)
    row = _table(ws, st, spec, totals, row + 1, apply_layout(spec), lambda c, _: c, placed)
    row += 1
    breaks.append(row)
    ws.write(row, 0, spec.review.title, st.heading)
    review = review_layout(spec)
    end = _table(ws, st, spec, totals, row + 1, review, lambda c, _: c + 3, placed)
    ws.merge_range(row + 1, 0, end - 1, 2, f"{whole}合计", st.header)
    ws.set_h_pagebreaks(breaks)
    row = end + 1
    row = _other_numbers(ws, st, spec, totals, row, placed)
    if "previous" in summary:
        row = _comparison(ws, st, spec, summary, row + 1)
    _notes(ws, st, summary, row + 1)
    return placed


def _heading(ws: Worksheet, st: Styles, spec: Format, summary: Mapping[str, Any]) -> None:
    """Rows 1–4 of 汇总: title (repeated on every page), coverage, who is left out, when and which format."""
    ws.repeat_rows(0)
    ws.merge_range(0, 0, 0, LAST_COL, rollup_title(summary), st.title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, LAST_COL, coverage_line(summary), st.heading)
    warn = st.text if not summary["excluded"] else st.warn
    ws.merge_range(2, 0, 2, LAST_COL, excluded_line(summary), warn)
    ws.set_row(2, fit_height(excluded_line(summary), _span_width(0, LAST_COL), base=15.0))
    ws.merge_range(
        3,
        0,
        3,
        LAST_COL,
        f"生成时间：{short_time(summary['generated_at'])}　报表格式：{spec.title}",
        st.note,
    )


def _other_numbers(
    ws: Worksheet,
    st: Styles,
    spec: Format,
    totals: Mapping[str, Any],
    row: int,
    placed: dict[str, tuple[int, int]],
) -> int:
    info = [f for f in spec.fields_of("info") if f.numeric]
    ws.write(row, 0, "其他统计数字", st.heading)
    row += 1
    for f in info:
        ws.merge_range(row, 0, row, 2, f.label, st.label)
        ws.write(row, 3, cell_number(totals.get(f.id, 0)), st.number(f, total=True))
        placed[f.id] = (row, 3)
        row += 1
    return row


def comparison_fields(spec: Format) -> list[Field]:
    """The figures shown beside last year's: all of 表二, each 总计 of 表三 and 表四, other numbers."""
    order = ("active", "apply", "review", "info")
    shown = [
        f
        for f in spec.numeric_fields
        if f.part in ("active", "info") or (f.part in ("apply", "review") and f.column == "total")
    ]
    return sorted(shown, key=lambda f: order.index(f.part))


def _span_width(first: int, last: int) -> float:
    return sum(SUMMARY_WIDTHS[first : last + 1])


def _comparison(
    ws: Worksheet, st: Styles, spec: Format, summary: Mapping[str, Any], row: int
) -> int:
    """This year beside last year (增减) for 表二, the 总计 of 表三 and 表四, other numbers."""
    prev = summary["previous"]
    changes = summary.get("changes_vs_previous", {})
    ws.write(row, 0, f"与上年（{prev.get('year')}年）比较", st.heading)
    row += 1
    ws.merge_range(row, 0, row, 5, "项目", st.header)
    ws.write_row(row, 6, [f"{summary['year']}年", f"{prev.get('year')}年", "增减"], st.header)
    row += 1
    for f in comparison_fields(spec):
        change = changes.get(f.id)
        label = f"{f.label}（{stock_label(f)}）" if f.stock else f.label
        ws.merge_range(row, 0, row, 5, label, st.label)
        ws.set_row(row, fit_height(label, _span_width(0, 5), base=15.0))
        ws.write(row, 6, cell_number(summary["totals"][f.id]), st.number(f))
        if change:
            ws.write(row, 7, cell_number(change["previous"]), st.number(f))
            delta = st.delta_money if f.kind == "money" else st.delta
            ws.write(row, 8, cell_number(change["delta"]), delta)
        else:
            ws.merge_range(row, 7, row, 8, "上年无此项", st.cell)
        row += 1
    if not prev.get("complete", True):
        source = "上年年度报告" if prev.get("reports") else "上年汇总"
        ws.merge_range(row, 0, row, 9, f"注：{source}未含全部单位，比较仅供参考。", st.note)
        row += 1
    return row


def _notes(ws: Worksheet, st: Styles, summary: Mapping[str, Any], row: int) -> None:
    """The 勾稽关系 broken inside a unit and the cross-year (R7, R8) differences, one per line."""
    issues = [*summary.get("inconsistent", []), *summary.get("year_over_year", [])]
    if not issues:
        return
    ws.write(row, 0, "需要核实的情况（已计入合计，请与单位核实）", st.heading)
    row += 1
    ws.merge_range(row, 0, row, 2, "单位", st.header)
    ws.write(row, 3, "规则", st.header)
    ws.merge_range(row, 4, row, 17, "说明", st.header)
    row += 1
    for issue in issues:
        ws.merge_range(row, 0, row, 2, issue["unit"], st.label)
        ws.write(row, 3, issue["rule"], st.cell)
        ws.merge_range(row, 4, row, 17, issue["message"], st.label)
        ws.set_row(row, fit_height(issue["message"], _span_width(4, 17), base=15.0))
        row += 1
