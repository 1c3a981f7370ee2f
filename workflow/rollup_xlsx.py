"""The rollup workbook (xlsxwriter): what the coordinator opens first.

Sheets: 汇总 (district totals in the official tables, who is in them, last year beside this year),
分单位明细 (one row per unit, one column per field id), 报送情况 (roster status and the 催报 list),
图表 (native charts), 数据来源 (archived file and SHA-256 of every unit's figures).

Every number is a stored value taken from the summary (no formulas): the workbook shows exactly
what summary.json says, whatever the program that opens it recalculates.

Printing: every sheet is A4 landscape. 汇总 is fitted to one page wide only (as many pages tall as it
needs), with a page break before tables 三 and 四 so no table starts at a page foot, and its title
row repeated. 分单位明细 is far too wide for one page: it prints at a fixed scale with the header rows
and the unit name column repeated on every page, and a page break wherever a new part (表二, 表三,
表四, 其他统计数字) starts. Its row 3 holds the field ids (for programs and for finding a field) in
small grey type, labelled 字段编号.

Wording (全区合计 / 全市合计 …) follows the area's level (report_text.jurisdiction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxFileError
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from workflow.config import Settings
from workflow.errors import OutputError
from workflow.layout import (
    Cell,
    SheetLayout,
    active_layout,
    apply_layout,
    cell_name,
    fit_height,
    review_layout,
)
from workflow.report_text import jurisdiction
from workflow.rollup import outcome_rows, stock_label
from workflow.spec import Field, Format, load_format

SHEET_TOTALS = "汇总"
SHEET_UNITS = "分单位明细"
SHEET_STATUS = "报送情况"
SHEET_CHARTS = "图表"
SHEET_SOURCES = "数据来源"

TOTAL_NAME_PREFIX = "district_"  # 汇总's total of field x is the defined name district_x
SUMMARY_WIDTHS = (6.0, 12.0, 28.0) + (7.0,) * 15  # A–C labels, D–R values (headers wrap)
LAST_COL = len(SUMMARY_WIDTHS) - 1  # R: table 四 is the widest
FONT = "宋体"
STATUS_FILL = {"accepted": "#E2EFDA", "rejected": "#FCE4D6", "missing": "#EDEDED"}
OUTLIER_FILL = "#F4B183"


def rollup_filename(district: str, year: int) -> str:
    """长乐区2021年政府信息公开工作年度报告汇总表.xlsx (the outbox layout's name)."""
    return f"{district}{year}年政府信息公开工作年度报告汇总表.xlsx"


def rollup_title(summary: Mapping[str, Any]) -> str:
    return f"{summary['district']}{summary['year']}年政府信息公开工作年度报告汇总表"


def coverage_line(summary: Mapping[str, Any]) -> str:
    """本表含 N/M 个单位 (部门 a/b，街道乡镇 c/d)."""
    parts = [
        f"{c} {n['units_accepted']}/{n['units_expected']}"
        for c, n in summary.get("categories", {}).items()
        if n["units_expected"]
    ]
    detail = f"（{'，'.join(parts)}）" if parts else ""
    return f"本表含 {summary['units_accepted']}/{summary['units_expected']} 个单位{detail}。"


def excluded_line(summary: Mapping[str, Any]) -> str:
    """The units not in the totals, with why; or that all are in."""
    out = [f"{u['name']}（{u['status_name']}）" for u in summary["units"] if not u["included"]]
    if not out:
        return "全部单位均已计入合计。"
    return f"未计入合计的单位（{len(out)} 个）：{'、'.join(out)}。"


class _Styles:
    """The workbook's cell formats, created once."""

    def __init__(self, book: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        grid = base | {"border": 1}

        def add(props: dict[str, Any], **extra: Any) -> Any:
            return book.add_format(props | extra)

        self.title = add(base, font_size=16, bold=True, align="center")
        self.heading = add(base, font_size=12, bold=True)
        self.text = add(base)
        self.note = add(base, font_color="#595959", text_wrap=True, valign="top")
        self.warn = add(base, font_color="#C00000", bold=True, text_wrap=True, valign="top")
        self.header = add(grid, bold=True, align="center", text_wrap=True, bg_color="#DDEBF7")
        self.group = add(grid, bold=True, text_wrap=True, bg_color="#DDEBF7")
        self.label = add(grid, text_wrap=True)
        self.cell = add(grid)
        self.wrap = add(grid, text_wrap=True, valign="top")
        self.count = add(grid, num_format="#,##0")
        self.money = add(grid, num_format="#,##0.00##")
        self.delta = add(grid, num_format="+#,##0;-#,##0;0")
        self.delta_money = add(grid, num_format="+#,##0.00##;-#,##0.00##;0")
        self.total = add(grid, bold=True, num_format="#,##0", bg_color="#FFF2CC")
        self.total_money = add(grid, bold=True, num_format="#,##0.00##", bg_color="#FFF2CC")
        self.total_label = add(grid, bold=True, bg_color="#FFF2CC")
        self.field_id = add(grid, font_size=7, font_color="#808080", align="center", shrink=True)
        self.field_id_label = add(grid, font_size=7, font_color="#808080", align="right")
        self.outlier = add(grid, num_format="#,##0", bg_color=OUTLIER_FILL)
        self.status = {s: add(grid, bg_color=c) for s, c in STATUS_FILL.items()}
        self.excluded = add(grid, font_color="#7F7F7F", bg_color=STATUS_FILL["missing"])

    def number(self, field: Field, total: bool = False) -> Any:
        if field.kind == "money":
            return self.total_money if total else self.money
        return self.total if total else self.count


def _page(ws: Worksheet, fit_wide: bool = True) -> None:
    """A4 landscape, centred, page numbers in the footer; one page wide (any number of pages tall)
    unless the sheet is too wide to read that way."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    if fit_wide:
        ws.fit_to_pages(1, 0)


def _num(value: Any) -> float | int | None:
    """A summary number for a cell: ints stay ints, Decimal becomes float (xlsx stores doubles)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, int) else float(Decimal(str(value)))


def _time(iso: str) -> str:
    return iso[:16].replace("T", " ") if iso else ""


def write_rollup_workbook(summary: Mapping[str, Any], settings: Settings, path: Path) -> None:
    """Write the rollup workbook for ``summary`` (as built by build_summary or read from JSON)."""
    spec = load_format(summary.get("format") or settings.format)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book = xlsxwriter.Workbook(str(path), options)
    book.set_properties(
        {
            "title": rollup_title(summary),
            "author": f"{summary['district']}政府信息公开工作年度报告汇总",
            "created": datetime.fromisoformat(summary["generated_at"]),
        }
    )
    styles = _Styles(book)
    placed = _totals_sheet(book.add_worksheet(SHEET_TOTALS), styles, spec, summary)
    for fid, (r, c) in placed.items():
        book.define_name(
            f"{TOTAL_NAME_PREFIX}{fid}", f"='{SHEET_TOTALS}'!{cell_name(r, c, absolute=True)}"
        )
    _units_sheet(book.add_worksheet(SHEET_UNITS), styles, spec, summary)
    _status_sheet(book.add_worksheet(SHEET_STATUS), styles, summary)
    _charts_sheet(book, book.add_worksheet(SHEET_CHARTS), styles, spec, summary)
    _sources_sheet(book.add_worksheet(SHEET_SOURCES), styles, summary)
    try:
        book.close()
    except (OSError, XlsxFileError) as exc:
        raise OutputError(f"无法写入汇总表 {path}：{exc}") from exc


# ---------------------------------------------------------------- 汇总


def _active_col(col: int, last: bool) -> int:
    """Part 二's layout columns (label + up to three values) onto 汇总's columns A–J."""
    if col == 0:
        return 2 if last else 0
    first = 3 + 2 * (col - 1)
    return (9 if col == 3 else first + 1) if last else first


def _place(
    ws: Worksheet,
    st: _Styles,
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
        value, fmt = _num(totals.get(cell.field, 0)), st.number(field, total=field.computed)
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
    st: _Styles,
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


def _totals_sheet(
    ws: Worksheet, st: _Styles, spec: Format, summary: Mapping[str, Any]
) -> dict[str, tuple[int, int]]:
    """Write 汇总; return where each field's total went (row, col)."""
    placed: dict[str, tuple[int, int]] = {}
    for i, w in enumerate(SUMMARY_WIDTHS):
        ws.set_column(i, i, w)
    _page(ws)
    totals = summary["totals"]
    whole = jurisdiction(summary["district"]).whole
    breaks = []
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
        f"生成时间：{_time(summary['generated_at'])}　报表格式：{spec.title}",
        st.note,
    )
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


def _other_numbers(
    ws: Worksheet,
    st: _Styles,
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
        ws.write(row, 3, _num(totals.get(f.id, 0)), st.number(f, total=True))
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
    ws: Worksheet, st: _Styles, spec: Format, summary: Mapping[str, Any], row: int
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
        ws.write(row, 6, _num(summary["totals"][f.id]), st.number(f))
        if change:
            ws.write(row, 7, _num(change["previous"]), st.number(f))
            delta = st.delta_money if f.kind == "money" else st.delta
            ws.write(row, 8, _num(change["delta"]), delta)
        else:
            ws.merge_range(row, 7, row, 8, "上年无此项", st.cell)
        row += 1
    if not prev.get("complete", True):
        ws.merge_range(row, 0, row, 9, "注：上年汇总未含全部单位，比较仅供参考。", st.note)
        row += 1
    return row


def _notes(ws: Worksheet, st: _Styles, summary: Mapping[str, Any], row: int) -> None:
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


# ---------------------------------------------------------------- 分单位明细

UNIT_HEAD = ("单位名称", "类别", "状态", "提示")
FIRST_FIELD_COL = len(UNIT_HEAD)
DETAIL_HEADER_ROWS = 4  # group, row label, field id, column label
NOTE_WIDTH = 44.0
DETAIL_WIDTH = 8.0  # a field column: counts fit, the wrapped headers stay readable
DETAIL_PRINT_SCALE = 70  # percent: about 20 field columns on an A4 landscape page
FIELD_ID_LABEL = "字段编号（供程序核对，打印时可忽略）→"


def detail_columns(spec: Format) -> list[tuple[Field, str, str]]:
    """(field, group header, row header) for each numeric field, in table order."""
    review_rows = {r.id: r for r in spec.review.rows}
    out: list[tuple[Field, str, str]] = []
    for block in spec.blocks:
        for row in block.rows:
            out += [
                (spec.fields[block.field_id(row, c)], f"表二 {block.title}", row.label)
                for c in block.columns
            ]
    for f in spec.fields_of("apply"):
        out.append((f, "表三 依申请公开", f.row_label))
    for f in spec.fields_of("review"):
        r = review_rows[f.row]
        out.append((f, "表四 复议诉讼", f"{r.group}·{r.label}" if r.group else r.label))
    out += [(f, "其他统计数字", "基本信息") for f in spec.fields_of("info") if f.numeric]
    return out


def _merge_runs(
    ws: Worksheet, row: int, labels: Sequence[str], keys: Sequence[Any], fmt: Any
) -> None:
    """Write ``labels`` from column FIRST_FIELD_COL, merging runs of equal ``keys``."""
    start = 0
    for i in range(1, len(keys) + 1):
        if i < len(keys) and keys[i] == keys[start]:
            continue
        c0, c1 = FIRST_FIELD_COL + start, FIRST_FIELD_COL + i - 1
        if c0 == c1:
            ws.write(row, c0, labels[start], fmt)
        else:
            ws.merge_range(row, c0, row, c1, labels[start], fmt)
        start = i


def _unit_notes(summary: Mapping[str, Any], unit: Mapping[str, Any]) -> str:
    name = unit["name"]
    if not unit["included"]:
        why = (
            f"未通过（{unit['errors']} 个错误）"
            if unit["status"] == "rejected"
            else unit["status_name"]
        )
        return f"未计入合计：{why}"
    notes = [o["message"] for o in summary.get("outliers", []) if o["unit"] == name]
    notes += [
        f"{i['rule']}：{i['message']}" for i in summary.get("inconsistent", []) if i["unit"] == name
    ]
    return "；".join(notes)


def _units_sheet(ws: Worksheet, st: _Styles, spec: Format, summary: Mapping[str, Any]) -> None:
    cols = detail_columns(spec)
    last = FIRST_FIELD_COL + len(cols) - 1
    ws.set_column(0, 0, 30)
    ws.set_column(1, 2, 9)
    ws.set_column(3, 3, NOTE_WIDTH)
    ws.set_column(FIRST_FIELD_COL, last, DETAIL_WIDTH)
    _page(ws, fit_wide=False)
    ws.set_print_scale(DETAIL_PRINT_SCALE)
    ws.repeat_rows(0, DETAIL_HEADER_ROWS - 1)
    ws.repeat_columns(0, 0)
    groups = [g for _, g, _ in cols]
    parts = [g.split(" ")[0] for g in groups]  # 表二 / 表三 / 表四 / 其他统计数字
    ws.set_v_pagebreaks(
        [FIRST_FIELD_COL + i for i in range(1, len(parts)) if parts[i] != parts[i - 1]]
    )
    ws.merge_range(0, 0, 0, 3, f"{rollup_title(summary)}·分单位明细", st.heading)
    legend = "橙色：异常值（规则见“报送情况”表末）；灰色行：未计入合计的单位。" + coverage_line(
        summary
    )
    ws.merge_range(1, 0, 1, 3, legend, st.note)
    ws.merge_range(2, 0, 2, 3, FIELD_ID_LABEL, st.field_id_label)
    ws.set_row(2, 11)
    _merge_runs(ws, 0, groups, groups, st.group)
    _merge_runs(ws, 1, [r for _, _, r in cols], [(g, r) for _, g, r in cols], st.header)
    ws.write_row(2, FIRST_FIELD_COL, [f.id for f, _, _ in cols], st.field_id)
    ws.write_row(3, 0, UNIT_HEAD, st.header)
    ws.write_row(
        3,
        FIRST_FIELD_COL,
        [stock_label(f) if f.stock else f.column_label or f.label for f, _, _ in cols],
        st.header,
    )
    ws.set_row(0, 30)
    ws.set_row(1, 58)
    ws.set_row(3, 58)
    flagged = {(o["unit"], fid) for o in summary.get("outliers", []) for fid in o["fields"]}
    row = DETAIL_HEADER_ROWS
    for unit in summary["units"]:
        notes = _unit_notes(summary, unit)
        _unit_row(ws, st, row, unit, cols, flagged, notes)
        ws.set_row(row, fit_height(notes, NOTE_WIDTH, base=15.0))
        row += 1
    ws.autofilter(DETAIL_HEADER_ROWS - 1, 0, max(row - 1, DETAIL_HEADER_ROWS), last)
    ws.freeze_panes(DETAIL_HEADER_ROWS, 1)
    row += 1
    for category, counts in summary.get("categories", {}).items():
        if counts["units_expected"]:
            label = (
                f"{category}小计（{counts['units_accepted']}/{counts['units_expected']} 个单位）"
            )
            _total_row(ws, st, row, label, summary["category_totals"][category], cols)
            row += 1
    whole = jurisdiction(summary["district"]).whole
    label = f"{whole}合计（{summary['units_accepted']}/{summary['units_expected']} 个单位）"
    _total_row(ws, st, row, label, summary["totals"], cols)


def _unit_row(
    ws: Worksheet,
    st: _Styles,
    row: int,
    unit: Mapping[str, Any],
    cols: Sequence[tuple[Field, str, str]],
    flagged: set[tuple[str, str]],
    notes: str,
) -> None:
    plain = st.cell if unit["included"] else st.excluded
    ws.write_row(row, 0, [unit["name"], unit["category"]], plain)
    ws.write(row, 2, unit["status_name"], st.status.get(unit["status"], st.cell))
    ws.write(row, 3, notes, st.wrap if unit["included"] else st.excluded)
    for i, (f, _, _) in enumerate(cols):
        col = FIRST_FIELD_COL + i
        if not unit["included"]:
            ws.write_blank(row, col, None, st.excluded)
            continue
        fmt = st.outlier if (unit["name"], f.id) in flagged else st.number(f)
        ws.write(row, col, _num(unit["values"].get(f.id, 0)), fmt)


def _total_row(
    ws: Worksheet,
    st: _Styles,
    row: int,
    label: str,
    totals: Mapping[str, Any],
    cols: Sequence[tuple[Field, str, str]],
) -> None:
    ws.merge_range(row, 0, row, 3, label, st.total_label)
    for i, (f, _, _) in enumerate(cols):
        ws.write(row, FIRST_FIELD_COL + i, _num(totals.get(f.id, 0)), st.number(f, total=True))


# ---------------------------------------------------------------- 报送情况

STATUS_HEAD = (
    "序号",
    "单位名称",
    "类别",
    "状态",
    "报送时间",
    "错误",
    "提示",
    "联系人",
    "联系电话",
    "报送文件名",
)
STATUS_WIDTHS = (6, 32, 9, 8, 17, 6, 6, 10, 16, 40)


def _status_sheet(ws: Worksheet, st: _Styles, summary: Mapping[str, Any]) -> None:
    for i, w in enumerate(STATUS_WIDTHS):
        ws.set_column(i, i, w)
    _page(ws)
    units = summary["units"]
    count = {
        s: sum(1 for u in units if u["status"] == s) for s in ("accepted", "rejected", "missing")
    }
    ws.merge_range(
        0,
        0,
        0,
        9,
        f"{summary['district']}{summary['year']}年度报告报送情况（截至 {_time(summary['generated_at'])}）",
        st.heading,
    )
    line = f"应报 {len(units)} 个，已通过 {count['accepted']} 个，未通过 {count['rejected']} 个，未报送 {count['missing']} 个。"
    ws.merge_range(1, 0, 1, 9, line, st.text)
    ws.write_row(3, 0, STATUS_HEAD, st.header)
    for i, u in enumerate(units, start=1):
        r = 3 + i
        ws.write_row(r, 0, [i, u["name"], u["category"]], st.cell)
        ws.write(r, 3, u["status_name"], st.status.get(u["status"], st.cell))
        ws.write_row(r, 4, [_time(u["submitted_at"]), u["errors"], u["warnings"]], st.cell)
        ws.write_row(
            r,
            7,
            [u.get("contact_person", ""), u.get("contact_phone", ""), u.get("original_name", "")],
            st.cell,
        )
    ws.freeze_panes(4, 0)
    row = 5 + len(units)
    chase = [u for u in units if not u["included"]]
    ws.write(row, 0, f"催报名单（未报送或未通过的单位，共 {len(chase)} 个）", st.heading)
    row += 1
    if not chase:
        ws.merge_range(row, 0, row, 9, "所有单位均已报送并通过校验。", st.text)
        row += 1
    else:
        ws.write_row(row, 0, ("序号", "单位名称", "类别", "状态", "需要做的事"), st.header)
        ws.merge_range(row, 5, row, 7, "联系人", st.header)
        ws.merge_range(row, 8, row, 9, "联系电话", st.header)
        for i, u in enumerate(chase, start=1):
            row += 1
            todo = "按反馈修改后重新报送" if u["status"] == "rejected" else "尚未报送，请催报"
            ws.write_row(row, 0, [i, u["name"], u["category"]], st.cell)
            ws.write(row, 3, u["status_name"], st.status.get(u["status"], st.cell))
            ws.write(row, 4, todo, st.cell)
            ws.merge_range(row, 5, row, 7, u.get("contact_person", ""), st.cell)
            ws.merge_range(row, 8, row, 9, u.get("contact_phone", ""), st.cell)
        row += 1
    row += 1
    ws.write(row, 0, "异常值提示规则", st.heading)
    for i, rule in enumerate(summary.get("outlier_rules", []), start=1):
        ws.merge_range(row + i, 0, row + i, 9, f"{i}. {rule}", st.note)


# ---------------------------------------------------------------- 图表


def _charts_sheet(
    book: Workbook, ws: Worksheet, st: _Styles, spec: Format, summary: Mapping[str, Any]
) -> None:
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 12)
    ws.set_column(3, 3, 18)
    ws.set_column(4, 4, 12)
    _page(ws)
    ws.write(0, 0, f"图表　{coverage_line(summary)}", st.heading)
    units = sorted(
        (u for u in summary["units"] if u["included"]),
        key=lambda u: (-u["values"].get("apply_new_total", 0), u["name"]),
    )
    ws.write_row(2, 0, ("单位名称", "本年新收申请"), st.header)
    for i, u in enumerate(units):
        ws.write(3 + i, 0, u["name"], st.cell)
        ws.write(3 + i, 1, _num(u["values"].get("apply_new_total", 0)), st.count)
    groups = outcome_rows(spec)
    whole = jurisdiction(summary["district"]).whole
    ws.write_row(2, 3, ("办理结果", f"件数（{whole}）"), st.header)
    for i, (label, fields) in enumerate(groups):
        ws.write(3 + i, 3, label, st.cell)
        ws.write(3 + i, 4, sum(_num(summary["totals"].get(f, 0)) or 0 for f in fields), st.count)
    font = {"name": FONT, "size": 9}
    if units:
        chart = book.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "本年新收申请",
                "categories": [SHEET_CHARTS, 3, 0, 2 + len(units), 0],
                "values": [SHEET_CHARTS, 3, 1, 2 + len(units), 1],
                "data_labels": {"value": True, "font": font},
                "fill": {"color": "#5B9BD5"},
            }
        )
        chart.set_title(
            {"name": "各单位本年新收政府信息公开申请数量", "name_font": font | {"size": 11}}
        )
        chart.set_y_axis({"reverse": True, "num_font": font})
        chart.set_x_axis({"num_font": font, "major_gridlines": {"visible": True}})
        chart.set_legend({"none": True})
        chart.set_size({"width": 620, "height": max(260, 26 * len(units) + 90)})
        ws.insert_chart(2, 6, chart)
    pie = book.add_chart({"type": "column"})
    pie.add_series(
        {
            "name": "办理结果",
            "categories": [SHEET_CHARTS, 3, 3, 2 + len(groups), 3],
            "values": [SHEET_CHARTS, 3, 4, 2 + len(groups), 4],
            "data_labels": {"value": True, "font": font},
            "fill": {"color": "#ED7D31"},
        }
    )
    pie.set_title({"name": f"{whole}本年度办理结果构成", "name_font": font | {"size": 11}})
    pie.set_x_axis({"num_font": font})
    pie.set_y_axis({"num_font": font})
    pie.set_legend({"none": True})
    pie.set_size({"width": 620, "height": 300})
    ws.insert_chart(max(5 + len(groups), 4 + len(units)) + 2, 0, pie)


# ---------------------------------------------------------------- 数据来源

SOURCE_HEAD = (
    "序号",
    "单位名称",
    "状态",
    "计入合计",
    "报送时间",
    "报送文件名",
    "存档文件（相对于工作区）",
    "SHA-256",
)
SOURCE_WIDTHS = (6, 32, 8, 9, 17, 34, 64, 68)


def _sources_sheet(ws: Worksheet, st: _Styles, summary: Mapping[str, Any]) -> None:
    for i, w in enumerate(SOURCE_WIDTHS):
        ws.set_column(i, i, w)
    _page(ws)
    ws.merge_range(
        0,
        0,
        0,
        7,
        "数据来源：每个单位的数字来自下列存档文件，可用 SHA-256 核对文件未被改动",
        st.heading,
    )
    hint = "核对方法：Windows 命令行 certutil -hashfile 文件名 SHA256；统信UOS/麒麟终端 sha256sum 文件名。"
    ws.merge_range(1, 0, 1, 7, hint, st.note)
    ws.write_row(3, 0, SOURCE_HEAD, st.header)
    for i, u in enumerate(summary["units"], start=1):
        r = 3 + i
        ws.write_row(r, 0, [i, u["name"]], st.cell)
        ws.write(r, 2, u["status_name"], st.status.get(u["status"], st.cell))
        values = [
            "是" if u["included"] else "否",
            _time(u["submitted_at"]),
            u.get("original_name", ""),
            u["source"],
            u["sha256"],
        ]
        ws.write_row(r, 3, values, st.cell)
    ws.freeze_panes(4, 2)
