"""Where every field of a format sits in the department template: sheets, cells, merged labels.

Pure: built from the spec alone, so the template writer, the reader and the tests agree on one
layout. Rows and columns are 0-based here; ``Cell.a1`` gives the Excel reference.

    >>> from workflow.formats.spec import load_format
    >>> field_cells(load_format("gov2021"))["apply_new_natural"]
    ('三、依申请公开', 'D6')
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from itertools import groupby
from typing import Literal

from workflow.formats.spec import Format, Grid

SHEET_GUIDE = "填报说明"
SHEET_INFO = "基本信息"
SHEET_ACTIVE = "二、主动公开"
SHEET_APPLY = "三、依申请公开"
SHEET_REVIEW = "四、复议诉讼"
SHEET_CHECK = "自检"
SHEET_META = "_meta"
SHEET_ORDER = (
    SHEET_GUIDE,
    SHEET_INFO,
    SHEET_ACTIVE,
    SHEET_APPLY,
    SHEET_REVIEW,
    SHEET_CHECK,
    SHEET_META,
)

TEMPLATE_ID = "zfxxgk-annual-report"
TEMPLATE_VERSION = "1"
META_KEYS = ("template_id", "format", "version", "year", "generated", "fingerprint")
# Written only when given: rollup_coverage = JSON {"expected", "included", "excluded": [names]} on a
# district's rollup exported for the level above (workflow export-rollup).
OPTIONAL_META_KEYS = ("rollup_coverage",)
CONTENT_HEADER = "信息内容"  # first column header of every 分表 of part 二 on the official form

Role = Literal["title", "status", "note", "header", "label", "input", "total", "text", "narrative"]

TABLE_START = 2  # row of the first table header: row 0 is the title, row 1 the self-check status
LINE_HEIGHT = 14.5  # points per wrapped line of 11-point 宋体
CJK_WIDTH = 2.1
TITLE_HEIGHT = 30.0  # a CJK character is about 2.1 Excel width units
NARRATIVE_HEIGHT = 300.0  # a 700-character section wraps to ~18 lines in the 84-wide cell


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell (or merged range) of the template: a label, or the home of one field."""

    row: int
    col: int
    role: Role
    text: str = ""
    field: str = ""
    last_row: int = -1  # end of a merged range; -1 = same as row/col
    last_col: int = -1

    @property
    def end_row(self) -> int:
        return self.row if self.last_row < 0 else self.last_row

    @property
    def end_col(self) -> int:
        return self.col if self.last_col < 0 else self.last_col

    @property
    def merged(self) -> bool:
        return (self.end_row, self.end_col) != (self.row, self.col)

    @property
    def a1(self) -> str:
        return cell_name(self.row, self.col)

    @property
    def range(self) -> str:
        return f"{self.a1}:{cell_name(self.end_row, self.end_col)}" if self.merged else self.a1


@dataclass(frozen=True)
class SheetLayout:
    """One sheet: its cells, column widths (Excel units), row heights (points), print setup."""

    name: str
    cells: tuple[Cell, ...]
    widths: tuple[float, ...]
    heights: dict[int, float] = field(default_factory=dict)
    header_rows: tuple[int, int] | None = None  # repeated on every printed page
    landscape: bool = False
    one_page: bool = False  # print on one page (else fit to one page wide)
    freeze: tuple[int, int] = (0, 0)  # rows and columns kept in view while scrolling

    @property
    def fields(self) -> dict[str, Cell]:
        return {c.field: c for c in self.cells if c.field}

    @property
    def last_col(self) -> int:
        return len(self.widths) - 1


def column_name(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def cell_name(row: int, col: int, absolute: bool = False) -> str:
    """(0, 0) → A1; absolute → $A$1."""
    if absolute:
        return f"${column_name(col)}${row + 1}"
    return f"{column_name(col)}{row + 1}"


def sheet_ref(sheet: str, a1: str) -> str:
    """A reference to ``a1`` on ``sheet``, quoted as Excel needs: '三、依申请公开'!D6."""
    return "'" + sheet.replace("'", "''") + "'!" + a1


def text_width(text: str) -> float:
    """Display width of ``text`` in Excel width units (CJK characters are wide)."""
    return sum(CJK_WIDTH if ord(ch) > 0x2E80 else 1.1 for ch in text)


def fit_height(text: str, width: float, base: float = 20.0) -> float:
    """Row height (points) for ``text`` wrapped in a cell ``width`` units wide."""
    lines = max(1, math.ceil(text_width(text) / max(width - 1.5, 1.0)))
    return max(base, lines * LINE_HEIGHT + 6)


def _fit_rows(cells: list[Cell], widths: tuple[float, ...], base: float = 20.0) -> dict[int, float]:
    """Heights so every single-row label shows in full; a tall title row."""
    heights: dict[int, float] = {0: TITLE_HEIGHT}
    for c in cells:
        if c.end_row != c.row or not c.text or c.role == "title":
            continue
        width = sum(widths[c.col : c.end_col + 1])
        heights[c.row] = max(heights.get(c.row, base), fit_height(c.text, width, base))
    return heights


def _head(spec_title: str, width: int) -> list[Cell]:
    return [
        Cell(0, 0, "title", spec_title, last_col=width - 1),
        Cell(1, 0, "status", last_col=width - 1),
    ]


def _field_cell(row: int, col: int, field_id: str, computed: bool, last_col: int = -1) -> Cell:
    return Cell(row, col, "total" if computed else "input", field=field_id, last_col=last_col)


def active_layout(spec: Format) -> SheetLayout:
    """Part 二 as its 分表 blocks, each with a title row, a header row and its rows."""
    width = 1 + max(len(b.columns) for b in spec.blocks)
    cells = _head(spec.active_title, width)
    row = TABLE_START
    for block in spec.blocks:
        cells.append(Cell(row, 0, "header", block.title, last_col=width - 1))
        cells.append(Cell(row + 1, 0, "header", CONTENT_HEADER))
        spans = _spans(len(block.columns), width - 1)
        for col, (first, last) in zip(block.columns, spans, strict=True):
            cells.append(Cell(row + 1, first, "header", col.label, last_col=_end(first, last)))
        row += 2
        for r in block.rows:
            cells.append(Cell(row, 0, "label", r.label))
            for col, (first, last) in zip(block.columns, spans, strict=True):
                fid = block.field_id(r, col)
                cells.append(_field_cell(row, first, fid, col.computed, _end(first, last)))
            row += 1
    widths = (26.0,) + (18.0,) * (width - 1)
    heights = _fit_rows(cells, widths, base=22.0)
    return SheetLayout(SHEET_ACTIVE, tuple(cells), widths, heights)


def _spans(n: int, width: int) -> list[tuple[int, int]]:
    """Columns (first, last), 1-based after the label column, for n values across width columns."""
    spans = [(1 + i, 1 + i) for i in range(n)]
    first, _ = spans[-1]
    spans[-1] = (first, width)
    return spans


def _end(first: int, last: int) -> int:
    return -1 if first == last else last


def apply_layout(spec: Format) -> SheetLayout:
    """Part 三: three label columns with merged group cells, then the 申请人情况 columns."""
    grid = spec.apply
    labels, data0 = 3, 3
    width = labels + len(grid.columns)
    cells = _head(grid.title, width)
    top = TABLE_START
    cells.append(Cell(top, 0, "note", grid.note, last_row=top + 2, last_col=labels - 1))
    cells.append(Cell(top, data0, "header", grid.header, last_col=width - 1))
    cells += _column_headers(grid, top + 1, data0)
    first = top + 3
    cells += _row_labels(grid, first)
    for i, r in enumerate(grid.rows):
        for j, col in enumerate(grid.columns):
            cells.append(
                _field_cell(first + i, data0 + j, grid.field_id(r, col), r.computed or col.computed)
            )
    widths = (6.0, 13.0, 34.0) + (9.5,) * len(grid.columns)
    heights = _fit_rows(cells, widths)
    heights[top + 2] = max(heights.get(top + 2, 20.0), 36.0)
    return SheetLayout(
        SHEET_APPLY,
        tuple(cells),
        widths,
        heights,
        (top, top + 2),
        landscape=True,
        one_page=True,
        freeze=(top + 3, labels),
    )


def _column_headers(grid: Grid, row: int, first_col: int) -> list[Cell]:
    """Two header rows: an ungrouped column spans both; a group label spans its columns."""
    cells = []
    col = first_col
    for group, members in groupby(grid.columns, key=lambda c: c.group):
        cols = list(members)
        if group:
            cells.append(Cell(row, col, "header", group, last_col=_end(col, col + len(cols) - 1)))
            cells += [Cell(row + 1, col + i, "header", c.label) for i, c in enumerate(cols)]
        else:
            cells += [
                Cell(row, col + i, "header", c.label, last_row=row + 1) for i, c in enumerate(cols)
            ]
        col += len(cols)
    return cells


def _row_labels(grid: Grid, first: int) -> list[Cell]:
    """Labels in columns A–C: group (A, merged down), subgroup (B, merged down), item (C)."""
    cells = []
    row = first
    for group, members in groupby(grid.rows, key=lambda r: r.group):
        rows = list(members)
        if not group:
            cells += [Cell(row + i, 0, "label", r.label, last_col=2) for i, r in enumerate(rows)]
            row += len(rows)
            continue
        cells.append(Cell(row, 0, "label", group, last_row=_end(row, row + len(rows) - 1)))
        for sub, sub_members in groupby(rows, key=lambda r: r.subgroup):
            subs = list(sub_members)
            if sub:
                cells.append(Cell(row, 1, "label", sub, last_row=_end(row, row + len(subs) - 1)))
                cells += [Cell(row + i, 2, "label", r.label) for i, r in enumerate(subs)]
            else:
                cells += [
                    Cell(row + i, 1, "label", r.label, last_col=2) for i, r in enumerate(subs)
                ]
            row += len(subs)
    return cells


def review_layout(spec: Format) -> SheetLayout:
    """Part 四: 行政复议 and 行政诉讼 (its two sub-groups) over five columns each, one data row."""
    grid = spec.review
    ncol = len(grid.columns)
    width = ncol * len(grid.rows)
    cells = _head(grid.title, width)
    top = TABLE_START
    col = 0
    for parent, members in groupby(grid.rows, key=lambda r: r.group):
        groups = list(members)
        span = ncol * len(groups)
        if parent:
            cells.append(Cell(top, col, "header", parent, last_col=col + span - 1))
            for i, g in enumerate(groups):
                start = col + i * ncol
                cells.append(Cell(top + 1, start, "header", g.label, last_col=start + ncol - 1))
        else:
            for i, g in enumerate(groups):
                start = col + i * ncol
                cells.append(
                    Cell(top, start, "header", g.label, last_row=top + 1, last_col=start + ncol - 1)
                )
        col += span
    for i, g in enumerate(grid.rows):
        for j, c in enumerate(grid.columns):
            cells.append(Cell(top + 2, i * ncol + j, "header", c.label))
            cells.append(_field_cell(top + 3, i * ncol + j, grid.field_id(g, c), c.computed))
    widths = (8.0,) * width
    heights = {
        0: TITLE_HEIGHT,
        top: 22.0,
        top + 1: 22.0,
        top + 2: fit_height("结果维持", 8.0),
        top + 3: 24.0,
    }
    return SheetLayout(SHEET_REVIEW, tuple(cells), widths, heights, landscape=True)


def info_layout(spec: Format) -> SheetLayout:
    """基本信息: one row per info field, then the narrative parts in tall wrapped cells."""
    cells = [
        *_head("基本信息和报告正文", 2),
        Cell(
            2,
            0,
            "note",
            "浅黄色格为填写格。数字格没有的填 0。报告正文：先双击该格（或选中后按 F2）再粘贴，"
            "多段文字才会留在同一格内。",
            last_col=1,
        ),
        Cell(3, 0, "header", "项目"),
        Cell(3, 1, "header", "填写内容"),
    ]
    row = 4
    for f in spec.fields_of("info"):
        role: Role = "input" if f.numeric else "text"
        cells += [Cell(row, 0, "label", f.label), Cell(row, 1, role, field=f.id)]
        row += 1
    cells.append(Cell(row, 0, "header", "报告正文", last_col=1))
    row += 1
    heights: dict[int, float] = {}
    for n in spec.narratives:
        section = f"{n.section}、{n.label}" if n.section != "一" else f"一、总体情况{n.label}"
        cells += [Cell(row, 0, "label", section), Cell(row, 1, "narrative", field=n.id)]
        heights[row] = NARRATIVE_HEIGHT
        row += 1
    widths = (24.0, 84.0)
    fitted = _fit_rows(cells, widths, base=22.0)
    return SheetLayout(SHEET_INFO, tuple(cells), widths, fitted | heights, (3, 3), freeze=(4, 0))


def sheet_layouts(spec: Format) -> tuple[SheetLayout, ...]:
    """The four data sheets, in workbook order."""
    return (info_layout(spec), active_layout(spec), apply_layout(spec), review_layout(spec))


def field_cells(spec: Format) -> dict[str, tuple[str, str]]:
    """Field id → (sheet name, "A1") for every field of the format, in spec order."""
    found = {fid: (s.name, c.a1) for s in sheet_layouts(spec) for fid, c in s.fields.items()}
    return {fid: found[fid] for fid in spec.fields}


def fingerprint(spec: Format) -> str:
    """sha256 over the template version, format id, and every field id with its cell, in order."""
    lines = [TEMPLATE_ID, TEMPLATE_VERSION, spec.id]
    lines += [f"{fid}={sheet}!{a1}" for fid, (sheet, a1) in field_cells(spec).items()]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
