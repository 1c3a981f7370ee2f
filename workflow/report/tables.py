"""The three tables of a report as WordprocessingML, in the official layout of the format (pure).

Labels come verbatim from workflow/spec.py; every number from the values given. Tables use the
template's styles ``ReportTable`` (borders) and ``TableText`` (仿宋_GB2312 10.5 pt), fit the A4 text
width (156 mm), repeat their header rows on each page (w:tblHeader) and never split a row (w:cantSplit).

Tables break between rows, never inside one (w:cantSplit), their header rows repeated on the next
page (w:tblHeader). What belongs together is kept together with "keep with next" on the rows' paragraphs
(Word and LibreOffice honour it for tables): the heading with the table's first rows, one item of
table 二 (its title, column headers and rows), one merged group of table 三 (the eight rows of
"（三）不予公开"), all of table 四. A long table 三 thus fills the page it starts on instead of
leaving it two-thirds blank. Header cells are wide enough (or set in 小五号) that no word breaks
inside ("自然/人", "商业/企业"); the 办理结果 column is one character wide, read top to bottom.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from workflow.domain.submission import Number
from workflow.formats.spec import Column, Format, Grid
from workflow.report.text import clean_text, number_text

TEXT_WIDTH = 8844  # twips: 210 mm − 28 mm − 26 mm
SHADE = "F2F2F2"


class MissingValue(KeyError):
    """A table number the values do not hold."""


@dataclass(frozen=True, slots=True)
class Cell:
    text: str = ""
    span: int = 1
    merge: str = ""  # "" | "restart" | "continue" (vertical merge)
    align: str = "center"
    shade: bool = False
    size: int = 0  # font size in half-points; 0: the TableText style's (五号, 10.5 pt)


def _cell_xml(cell: Cell, width: int, keep: bool = False) -> str:
    props = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if cell.span > 1:
        props.append(f'<w:gridSpan w:val="{cell.span}"/>')
    if cell.merge:
        props.append('<w:vMerge w:val="restart"/>' if cell.merge == "restart" else "<w:vMerge/>")
    if cell.shade:
        props.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{SHADE}"/>')
    props.append('<w:vAlign w:val="center"/>')
    ppr = (
        '<w:pStyle w:val="TableText"/>'
        + ("<w:keepNext/>" if keep else "")
        + ("" if cell.align == "center" else f'<w:jc w:val="{cell.align}"/>')
    )
    text = escape(clean_text(cell.text)) if cell.merge != "continue" else ""
    text = text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    rpr = f'<w:rPr><w:sz w:val="{cell.size}"/><w:szCs w:val="{cell.size}"/></w:rPr>'
    run = (
        f'<w:r>{rpr if cell.size else ""}<w:t xml:space="preserve">{text}</w:t></w:r>'
        if text
        else ""
    )
    return f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr><w:p><w:pPr>{ppr}</w:pPr>{run}</w:p></w:tc>"


def table_xml(
    widths: Sequence[int],
    rows: Sequence[Sequence[Cell]],
    header_rows: int,
    margin: int | None = None,
    keep: Sequence[bool] | None = None,
) -> str:
    """A w:tbl of ``rows`` over grid columns ``widths``; the first ``header_rows`` repeat on each page.

    ``keep[i]``: row i stays on the page of row i + 1 (default: every row, the table kept whole)."""
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    out = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="ReportTable"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/>'
        + (_margins(margin) if margin is not None else "")
        + '<w:tblLook w:val="0000"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
    ]
    for i, row in enumerate(rows):
        head = "<w:tblHeader/>" if i < header_rows else ""
        out.append(f"<w:tr><w:trPr><w:cantSplit/>{head}</w:trPr>")
        col = 0
        with_next = i < len(rows) - 1 and (keep is None or keep[i])
        for cell in row:
            out.append(_cell_xml(cell, sum(widths[col : col + cell.span]), with_next))
            col += cell.span
        if col != len(widths):
            raise ValueError(f"table row {i} covers {col} of {len(widths)} columns")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _margins(twips: int) -> str:
    """Narrower left/right cell margins (part 四 has 15 columns of 10 mm)."""
    return (
        f'<w:tblCellMar><w:left w:w="{twips}" w:type="dxa"/>'
        f'<w:right w:w="{twips}" w:type="dxa"/></w:tblCellMar>'
    )


def _widths(total: int, fixed: Sequence[int], n: int) -> list[int]:
    """``fixed`` widths then ``n`` equal columns filling ``total``."""
    rest = total - sum(fixed)
    each = rest // n
    return [*fixed, *([each] * (n - 1)), rest - each * (n - 1)]


def _num(values: Mapping[str, Number], field_id: str, kind: str, draft: bool) -> str:
    if field_id not in values:
        if draft:
            return ""
        raise MissingValue(field_id)
    return number_text(values[field_id], kind)


def active_rows(
    spec: Format, values: Mapping[str, Number], draft: bool
) -> tuple[list[int], list[list[Cell]]]:
    width = max(len(b.columns) for b in spec.blocks)
    rows: list[list[Cell]] = []
    for block in spec.blocks:
        rows.append([Cell(block.title, span=width + 1, align="left", shade=True)])
        spans = [1] * (len(block.columns) - 1) + [width - len(block.columns) + 1]
        rows.append(
            [Cell("信息内容", shade=True)]
            + [Cell(c.label, span=s, shade=True) for c, s in zip(block.columns, spans, strict=True)]
        )
        for row in block.rows:
            rows.append(
                [Cell(row.label)]
                + [
                    Cell(_num(values, block.field_id(row, c), c.kind, draft), span=s)
                    for c, s in zip(block.columns, spans, strict=True)
                ]
            )
    return _widths(TEXT_WIDTH, [2444], width), rows


def _column_headers(grid: Grid, lead: int, lead_text: str) -> list[list[Cell]]:
    """Three header rows: [note | 申请人情况], [自然人 | 法人或其他组织 | 总计], [商业企业 …]."""
    top = [
        Cell(lead_text, span=lead, merge="restart", shade=True),
        Cell(grid.header, span=len(grid.columns), shade=True),
    ]
    mid: list[Cell] = [Cell(span=lead, merge="continue", shade=True)]
    low: list[Cell] = [Cell(span=lead, merge="continue", shade=True)]
    groups: list[tuple[str, list[Column]]] = []
    for col in grid.columns:
        if col.group and groups and groups[-1][0] == col.group:
            groups[-1][1].append(col)
        else:
            groups.append((col.group, [col]))
    for group, cols in groups:
        if group:
            mid.append(Cell(group, span=len(cols), shade=True))
            low.extend(Cell(c.label, shade=True, size=HEADER_SIZE) for c in cols)
        else:
            mid.append(Cell(cols[0].label, merge="restart", shade=True, size=HEADER_SIZE))
            low.append(Cell(merge="continue", shade=True))
    return [top, mid, low]


def apply_rows(
    spec: Format, values: Mapping[str, Number], draft: bool
) -> tuple[list[int], list[list[Cell]]]:
    grid = spec.apply
    rows = _column_headers(grid, 3, grid.note)
    last_group = last_sub = ""
    for row in grid.rows:
        cells: list[Cell] = []
        if not row.group:
            cells.append(Cell(row.label, span=3, align="left"))
        else:
            cells.append(
                Cell(row.group, merge="continue" if row.group == last_group else "restart")
            )
            if row.subgroup:
                merge = "continue" if row.subgroup == last_sub else "restart"
                cells.append(Cell(_two_lines(row.subgroup), merge=merge))
                cells.append(Cell(row.label, align="left"))
            else:
                cells.append(Cell(row.label, span=2, align="left"))
        last_group, last_sub = row.group, row.subgroup
        cells.extend(Cell(_num(values, grid.field_id(row, c), c.kind, draft)) for c in grid.columns)
        rows.append(cells)
    numbers = [_header_width(c.label) for c in grid.columns]
    labels = TEXT_WIDTH - sum(numbers) - RESULT_COLUMN - SUBGROUP_COLUMN
    return [RESULT_COLUMN, SUBGROUP_COLUMN, labels, *numbers], rows


CELL_MARGINS = 2 * 28 + 24  # the narrow left/right cell margins of tables 三/四, and some air
RESULT_COLUMN = 300  # "三、本年度办理结果": one character a line, read top to bottom
SUBGROUP_COLUMN = 4 * 210 + CELL_MARGINS  # "（三）" over "不予公开"
HEADER_SIZE = 18  # 小五号 (9 pt) in the column headers of table 三


def _two_lines(label: str) -> str:
    """ "（三）不予公开" → "（三）\n不予公开": the number over the words, no word cut in two."""
    return re.sub(r"^(（[一二三四五六七八九十]+）)(?=.)", "\\1\n", label)


def _header_width(label: str) -> int:
    """A column of table 三 wide enough for its header in 小五号 without breaking a word: 自然人 on
    one line, 商业企业 on one line, 社会公益组织 as 社会公益/组织 (at most four characters a line)."""
    chars = max(3, min(4, len(label)))
    return chars * HEADER_SIZE * 10 + CELL_MARGINS


def apply_keep(rows: Sequence[Sequence[Cell]], header_rows: int) -> list[bool]:
    """Rows of table 三 kept with the next: the header rows and the first data row (never a header
    alone at a page foot), and every row whose next row continues its merged 办理结果 group."""
    keep = []
    for i in range(len(rows)):
        nxt = rows[i + 1] if i + 1 < len(rows) else []
        grouped = len(nxt) > 1 and nxt[1].merge == "continue"
        keep.append(i <= header_rows or grouped)
    return keep


def active_keep(rows: Sequence[Sequence[Cell]]) -> list[bool]:
    """Rows of table 二 kept with the next: all but the last of each item (第二十条第（…）项)."""
    return [i + 1 < len(rows) and len(rows[i + 1]) > 1 for i in range(len(rows))]


def review_rows(
    spec: Format, values: Mapping[str, Number], draft: bool
) -> tuple[list[int], list[list[Cell]]]:
    grid, n = spec.review, len(spec.review.columns)
    top: list[Cell] = []
    mid: list[Cell] = []
    low: list[Cell] = []
    data: list[Cell] = []
    parents: list[str] = []
    for group in grid.rows:
        if group.group:
            if not parents or parents[-1] != group.group:
                parents.append(group.group)
                top.append(Cell(group.group, span=n, shade=True))
            else:
                top[-1] = Cell(group.group, span=top[-1].span + n, shade=True)
            mid.append(Cell(group.label, span=n, shade=True))
        else:
            top.append(Cell(group.label, span=n, merge="restart", shade=True))
            mid.append(Cell(span=n, merge="continue", shade=True))
        low.extend(Cell(c.label, shade=True) for c in grid.columns)
        data.extend(
            Cell(_num(values, grid.field_id(group, c), c.kind, draft)) for c in grid.columns
        )
    return _widths(TEXT_WIDTH, [], n * len(grid.rows)), [top, mid, low, data]


def report_tables(spec: Format, values: Mapping[str, Number], *, draft: bool) -> dict[str, str]:
    """{"table_active", "table_apply", "table_review"}: the XML of the three tables."""
    widths, rows = active_rows(spec, values, draft)
    out = {"table_active": table_xml(widths, rows, 0, None, active_keep(rows))}
    widths, rows = apply_rows(spec, values, draft)
    out["table_apply"] = table_xml(widths, rows, 3, 28, apply_keep(rows, 3))
    widths, rows = review_rows(spec, values, draft)
    out["table_review"] = table_xml(widths, rows, 3, 28)
    return out
