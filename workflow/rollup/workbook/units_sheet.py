"""The rollup workbook's 分单位明细 sheet: one row per unit, one column per field, subtotals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from workflow.formats.layout import (
    fit_height,
)
from workflow.formats.spec import Field, Format
from workflow.report.text import jurisdiction
from workflow.rollup.totals import stock_label
from workflow.rollup.workbook.styles import Styles, cell_number, page_setup
from workflow.rollup.workbook.wording import coverage_line, rollup_title

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

SHEET_UNITS = "分单位明细"
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


def units_sheet(ws: Worksheet, st: Styles, spec: Format, summary: Mapping[str, Any]) -> None:
    cols = detail_columns(spec)
    last = FIRST_FIELD_COL + len(cols) - 1
    ws.set_column(0, 0, 30)
    ws.set_column(1, 2, 9)
    ws.set_column(3, 3, NOTE_WIDTH)
    ws.set_column(FIRST_FIELD_COL, last, DETAIL_WIDTH)
    page_setup(ws, fit_wide=False)
    ws.set_print_scale(DETAIL_PRINT_SCALE)
    ws.repeat_rows(0, DETAIL_HEADER_ROWS - 1)
    ws.repeat_columns(0, 0)
    parts = [g.split(" ")[0] for _, g, _ in cols]  # 表二 / 表三 / 表四 / 其他统计数字
    ws.set_v_pagebreaks(
        [FIRST_FIELD_COL + i for i in range(1, len(parts)) if parts[i] != parts[i - 1]]
    )
    _header_rows(ws, st, cols, summary)
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


def _header_rows(
    ws: Worksheet, st: Styles, cols: Sequence[tuple[Field, str, str]], summary: Mapping[str, Any]
) -> None:
    """Rows 1–4: title and legend beside the part and row headers, field ids, column labels."""
    groups = [g for _, g, _ in cols]
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


def _unit_row(
    ws: Worksheet,
    st: Styles,
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
        ws.write(row, col, cell_number(unit["values"].get(f.id, 0)), fmt)


def _total_row(
    ws: Worksheet,
    st: Styles,
    row: int,
    label: str,
    totals: Mapping[str, Any],
    cols: Sequence[tuple[Field, str, str]],
) -> None:
    ws.merge_range(row, 0, row, 3, label, st.total_label)
    for i, (f, _, _) in enumerate(cols):
        ws.write(
            row, FIRST_FIELD_COL + i, cell_number(totals.get(f.id, 0)), st.number(f, total=True)
        )
