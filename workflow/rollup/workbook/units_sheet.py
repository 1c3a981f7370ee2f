"""The rollup workbook's 分单位明细 sheet: blocks stacked down the page, units as rows.

A district has ~200 numeric fields per unit, far too many for one printed row. The sheet is a
column of blocks that share one column grid (A: unit name, B…: at most MAX_BLOCK_COLS numbers), so
the whole sheet prints one page wide:

- 报送情况: category, status and the notes (outliers, inconsistencies, why a unit is left out);
- 表二 in as many blocks as its sub-tables need;
- 表三 by result: the 总计 column of every 表三 row, one column per row;
- 表三 本年新收 by applicant type (the one row whose split by applicant a coordinator reads);
- 表四 and the other numbers of the form.

Every block has its own title and column headers (naming the column for one unit), the units,
the category subtotals and the district total. A page break goes before a block that would not
fit on the rest of the page. The per-applicant split of the other 表三 rows stays in summary.json
and in each unit's own report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workflow.formats.layout import fit_height, text_width
from workflow.formats.spec import Field, Format
from workflow.report.text import jurisdiction
from workflow.rollup.workbook.styles import Styles, cell_number, page_setup
from workflow.rollup.workbook.wording import coverage_line, rollup_title

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

SHEET_UNITS = "分单位明细"
MAX_BLOCK_COLS = 15  # 表四 has 15 columns; every block fits this grid
NAME_WIDTH = 24.0
NUMBER_WIDTH = 8.5
FIRST_FIELD_COL = 1  # column B
ROW_HEIGHT = 14.0
# A4 landscape, fitted to one page wide (styles.page_setup). Excel draws the grid about 860 points
# wide (7 px per width unit) and shrinks it to ~91 % of the 784-point printable width; LibreOffice
# draws it wider and shrinks it more. Breaks are placed for Excel's larger scale, so a block never
# runs over a page foot in either program.
GRID_POINTS = (NAME_WIDTH * 7 + 5 + MAX_BLOCK_COLS * (NUMBER_WIDTH * 7 + 5)) * 0.75
PRINT_SCALE = min(1.0, (11.69 - 0.8) * 72 / GRID_POINTS)
PAGE_HEIGHT = (8.27 - 0.5 - 0.6) * 72 / PRINT_SCALE
PAGE_FILL = 0.95  # leave room for rounding (Excel prints at a whole percent)
HEADER_LINE = 13.0  # points per wrapped line of a 10-point header


@dataclass(frozen=True, slots=True)
class Column:
    """One number column of a block: its field, the group header above it, its own header."""

    field: Field
    group: str
    header: str


@dataclass(frozen=True, slots=True)
class Block:
    title: str
    columns: tuple[Column, ...]


def short_label(label: str) -> str:
    """A 表三 row label short enough for a column header (the parenthetical note and the
    「、行政机关不再处理…」 tail are the official form's explanations, not the row's name)."""
    label = re.sub(r"(?<=.)（[^（）]*）$", "", label)
    return label.split("、行政机关不再处理")[0]


def header_height(text: str, width: float) -> float:
    """Row height (points) for a 10-point header wrapped in a cell ``width`` units wide."""
    lines = max(1, math.ceil(text_width(text) * 10 / 11 / max(width - 1.0, 1.0)))
    return max(ROW_HEIGHT, lines * HEADER_LINE + 4)


def _chunks(title: str, runs: Sequence[Sequence[Column]]) -> list[Block]:
    """Pack runs of columns (kept together) into blocks of at most MAX_BLOCK_COLS columns."""
    blocks: list[list[Column]] = [[]]
    for run in runs:
        if blocks[-1] and len(blocks[-1]) + len(run) > MAX_BLOCK_COLS:
            blocks.append([])
        blocks[-1] += run
    if len(blocks) == 1:
        return [Block(title, tuple(blocks[0]))]
    return [Block(f"{title}（{i}）", tuple(b)) for i, b in enumerate(blocks, 1) if b]


def _runs(columns: Sequence[Column]) -> list[list[Column]]:
    out: list[list[Column]] = []
    for c in columns:
        if out and out[-1][0].group == c.group and c.group:
            out[-1].append(c)
        else:
            out.append([c])
    return out


def detail_blocks(spec: Format) -> list[Block]:
    """The number blocks of 分单位明细, in print order."""
    blocks: list[Block] = []
    active = [
        Column(spec.fields[b.field_id(row, c)], b.title, f"{row.label}{c.label}")
        for b in spec.blocks
        for row in b.rows
        for c in b.columns
    ]
    active_title = re.sub(r"^[一二三四五六七八九十]+、", "", spec.active_title)
    blocks += _chunks(f"表二 {active_title}", _runs(active))
    total_col = next(c for c in spec.apply.columns if c.computed)
    by_result = [
        Column(
            spec.fields[spec.apply.field_id(row, total_col)],
            row.subgroup,
            short_label(row.label),
        )
        for row in spec.apply.rows
    ]
    blocks += _chunks("表三 依申请公开：各项办理结果（总计）", _runs(by_result))
    first = spec.apply.rows[0]
    by_applicant = [
        Column(spec.fields[spec.apply.field_id(first, c)], c.group, c.label)
        for c in spec.apply.columns
    ]
    blocks += _chunks(f"表三 {short_label(first.label)}（按申请人）", _runs(by_applicant))
    review = [
        Column(
            spec.fields[spec.review.field_id(r, c)],
            f"{r.group}·{r.label}" if r.group else r.label,
            c.label,
        )
        for r in spec.review.rows
        for c in spec.review.columns
    ]
    blocks += _chunks("表四 政府信息公开行政复议、行政诉讼情况", _runs(review))
    info = [Column(f, "", f.label) for f in spec.fields_of("info") if f.numeric]
    if info:
        blocks += _chunks("其他统计数字", [info])
    return blocks


def detail_columns(spec: Format) -> list[Field]:
    """Every field shown on 分单位明细, in print order (a field may appear twice: 表三 新收总计)."""
    return [c.field for b in detail_blocks(spec) for c in b.columns]


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


class _Pager:
    """Where the rows go, and a page break before a block that would not fit."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 0
        self.used = 0.0  # points used on the current page (unscaled)
        self.breaks: list[int] = []

    def start_block(self, height: float) -> None:
        room = PAGE_HEIGHT * PAGE_FILL
        if self.used and self.used + height > room:
            self.breaks.append(self.row)
            self.used = 0.0

    def add_row(self, height: float) -> int:
        self.ws.set_row(self.row, height)
        self.used += height
        self.row += 1
        return self.row - 1


def units_sheet(ws: Worksheet, st: Styles, spec: Format, summary: Mapping[str, Any]) -> None:
    last = FIRST_FIELD_COL + MAX_BLOCK_COLS - 1
    ws.set_column(0, 0, NAME_WIDTH)
    ws.set_column(FIRST_FIELD_COL, last, NUMBER_WIDTH)
    page_setup(ws)
    pager = _Pager(ws)
    title_row = pager.add_row(30)
    ws.merge_range(title_row, 0, title_row, last, f"{rollup_title(summary)}·分单位明细", st.heading)
    legend = (
        "橙色：异常值（规则见“报送情况”表末）；灰色行：未计入合计的单位。"
        + coverage_line(summary)
        + "表三各项按申请人的分类数见各单位报告。"
    )
    legend_row = pager.add_row(fit_height(legend, NAME_WIDTH + 14 * NUMBER_WIDTH, base=18.0))
    ws.merge_range(legend_row, 0, legend_row, last, legend, st.note)
    _status_block(pager, st, summary, last)
    flagged = {(o["unit"], fid) for o in summary.get("outliers", []) for fid in o["fields"]}
    for block in detail_blocks(spec):
        _number_block(pager, st, block, summary, flagged)
    ws.set_h_pagebreaks(pager.breaks)


def _status_block(pager: _Pager, st: Styles, summary: Mapping[str, Any], last: int) -> None:
    ws = pager.ws
    notes = [_unit_notes(summary, u) for u in summary["units"]]
    note_width = NUMBER_WIDTH * (last - 2)
    heights = [fit_height(n, note_width, base=ROW_HEIGHT) for n in notes]
    pager.start_block(22 + 22 + sum(heights))
    head = pager.add_row(22)
    ws.write(head, 0, "各单位报送情况", st.block_title)
    head = pager.add_row(22)
    ws.write_row(head, 0, ("单位名称", "类别", "状态"), st.header)
    ws.merge_range(head, 3, head, last, "提示", st.header)
    for unit, note, height in zip(summary["units"], notes, heights, strict=True):
        row = pager.add_row(height)
        plain = st.cell if unit["included"] else st.excluded
        ws.write_row(row, 0, [unit["name"], unit["category"]], plain)
        ws.write(row, 2, unit["status_name"], st.status.get(unit["status"], st.cell))
        ws.merge_range(row, 3, row, last, note, st.wrap if unit["included"] else st.excluded)


def _merge_runs(ws: Worksheet, row: int, labels: Sequence[str], fmt: Any) -> None:
    start = 0
    for i in range(1, len(labels) + 1):
        if i < len(labels) and labels[i] == labels[start] and labels[i]:
            continue
        c0, c1 = FIRST_FIELD_COL + start, FIRST_FIELD_COL + i - 1
        if c0 == c1:
            ws.write(row, c0, labels[start], fmt)
        else:
            ws.merge_range(row, c0, row, c1, labels[start], fmt)
        start = i


def _number_block(
    pager: _Pager,
    st: Styles,
    block: Block,
    summary: Mapping[str, Any],
    flagged: set[tuple[str, str]],
) -> None:
    ws = pager.ws
    cols = block.columns
    groups = [c.group for c in cols]
    has_groups = any(groups)
    group_h = max(header_height(g, NUMBER_WIDTH * n) for n, g in _group_spans(cols))
    head_h = max(header_height(c.header, NUMBER_WIDTH) for c in cols)
    subtotals = [(c, n) for c, n in summary.get("categories", {}).items() if n["units_expected"]]
    body = ROW_HEIGHT * (len(summary["units"]) + len(subtotals) + 1)
    pager.start_block(22 + (group_h if has_groups else 0) + head_h + body)
    title = pager.add_row(22)
    ws.write(title, 0, block.title, st.block_title)
    if has_groups:
        g_row = pager.add_row(group_h)
        h_row = pager.add_row(head_h)
        ws.merge_range(g_row, 0, h_row, 0, "单位名称", st.header)
        _merge_runs(ws, g_row, groups, st.header)
        for i, c in enumerate(cols):
            if not c.group:
                ws.merge_range(g_row, i + 1, h_row, i + 1, c.header, st.header)
            else:
                ws.write(h_row, i + 1, c.header, st.header)
    else:
        h_row = pager.add_row(head_h)
        ws.write(h_row, 0, "单位名称", st.header)
        ws.write_row(h_row, 1, [c.header for c in cols], st.header)
    for unit in summary["units"]:
        row = pager.add_row(ROW_HEIGHT)
        ws.write(row, 0, unit["name"], st.cell if unit["included"] else st.excluded)
        for i, c in enumerate(cols):
            if not unit["included"]:
                ws.write_blank(row, i + 1, None, st.excluded)
                continue
            fmt = st.outlier if (unit["name"], c.field.id) in flagged else st.number(c.field)
            ws.write(row, i + 1, cell_number(unit["values"].get(c.field.id, 0)), fmt)
    for category, counts in subtotals:
        label = f"{category}小计（{counts['units_accepted']}/{counts['units_expected']}）"
        _total_row(pager, st, label, summary["category_totals"][category], cols)
    whole = jurisdiction(summary["district"]).whole
    label = f"{whole}合计（{summary['units_accepted']}/{summary['units_expected']}）"
    _total_row(pager, st, label, summary["totals"], cols)


def _group_spans(cols: Sequence[Column]) -> list[tuple[int, str]]:
    return [(len(run), run[0].group) for run in _runs(cols) if run[0].group] or [(1, "")]


def _total_row(
    pager: _Pager, st: Styles, label: str, totals: Mapping[str, Any], cols: Sequence[Column]
) -> None:
    row = pager.add_row(ROW_HEIGHT)
    pager.ws.write(row, 0, label, st.total_label)
    for i, c in enumerate(cols):
        value = cell_number(totals.get(c.field.id, 0))
        pager.ws.write(row, i + 1, value, st.number(c.field, total=True))
