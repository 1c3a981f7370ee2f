"""What is counted is what the department sees (pure: works on a :class:`Book` already open).

Values come from the named cells of the visible official sheets. This module says when a workbook
holds more than that:

* ``name-hidden-sheet`` (错误): a field's defined name points into a hidden or very hidden sheet;
  the name is not used (the field is read from the visible tables by their labels).
* ``names-labels-disagree`` (错误): the names put a table on another sheet than the one whose
  labels show it; the labels win (what the department sees), but which numbers were meant is in
  doubt.
* ``table-second-copy``: another visible sheet holds a second complete copy of a table (Excel's
  移动或复制 → 建立副本 makes "三、依申请公开 (2)"): an error when its numbers differ from the ones
  read, a 提示 when they are the same.
* ``external-links`` (提示): links to other workbooks or DDE/OLE servers; never followed, and the
  annotated copy is written without them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from workflow.domain.findings import Finding, Severity
from workflow.formats.spec import PART_NAMES, Format
from workflow.read.book import Book, column_letters
from workflow.read.cell_values import as_text, parse_number
from workflow.read.locate import (
    LabelIndex,
    Located,
    Place,
    by_names,
    find_part,
    names_in_hidden_sheets,
)

HIDDEN_NAMES = "name-hidden-sheet"
NAMES_LABELS = "names-labels-disagree"
SECOND_COPY = "table-second-copy"
EXTERNAL_LINKS = "external-links"
TABLE_PARTS = ("active", "apply", "review")
_MAX_LISTED = 3
_DDE = re.compile(r"(?:^|[=+\-*/(,])\s*'?[A-Za-z][\w.]*'?\|")  # cmd|' /C calc'!A0
_OTHER_BOOK = re.compile(r"\[\d+\]")  # a reference into externalLinkN


def _a1(place: Place) -> str:
    return f"{place[0]}!{column_letters(place[2])}{place[1]}"


def _sheets(places: Sequence[Place]) -> str:
    return "、".join(f"「{s}」" for s in dict.fromkeys(p[0] for p in places))


def hidden_name_findings(book: Book, spec: Format) -> list[Finding]:
    hidden = names_in_hidden_sheets(book, spec)
    if not hidden:
        return []
    labels = [spec.fields[fid].label for fid in list(hidden)[:_MAX_LISTED]]
    more = f"等 {len(hidden)} 项" if len(hidden) > _MAX_LISTED else ""
    kinds = {book.hidden.get(p[0], "") for p in hidden.values()}
    how = "深度隐藏（在 Excel 中无法直接取消隐藏）" if "veryHidden" in kinds else "隐藏"
    return [
        Finding(
            HIDDEN_NAMES,
            Severity.ERROR,
            f"工作簿中「{'」「'.join(labels)}」{more}的单元格名称指向{how}的工作表"
            f"{_sheets(list(hidden.values()))}，而不是看得见的表格。系统只读取可见表格中的数字"
            "（已按表格标题读取）。请使用下发的模板重新填写，不要在隐藏的工作表中填写或引用数据。",
            tuple(hidden),
            tuple(_a1(p) for p in hidden.values()),
        )
    ]


def disagreement_findings(book: Book, spec: Format, located: Located) -> list[Finding]:
    """Table fields whose name points at another sheet than the one the labels were read from."""
    names = by_names(book, spec)
    apart = {
        fid: (names[fid], located.cells[fid])
        for fid in spec.fields
        if spec.fields[fid].part in TABLE_PARTS
        and fid in names
        and fid in located.cells
        and names[fid][0] != located.cells[fid][0]
    }
    if not apart:
        return []
    named = _sheets([n for n, _ in apart.values()])
    shown = _sheets([v for _, v in apart.values()])
    first = next(iter(apart))
    return [
        Finding(
            NAMES_LABELS,
            Severity.ERROR,
            f"表格的单元格名称指向工作表{named}，但表格标题在工作表{shown}中（如「{spec.fields[first].label}」："
            f"名称指向 {_a1(apart[first][0])}，标题所在为 {_a1(apart[first][1])}）。系统按看得见的标题读取了"
            f"{shown}中的数字，但无法确认哪一份是本单位要报送的数据。请删除多余的工作表，"
            "只在下发模板原有的工作表中填写后重新报送。",
            tuple(apart),
            tuple(_a1(v) for _, v in apart.values()),
        )
    ]


def second_copy_findings(
    book: Book, spec: Format, located: Located, indexes: Sequence[LabelIndex]
) -> list[Finding]:
    """For each table, another visible sheet that holds all of it again."""
    out = []
    for part in TABLE_PARTS:
        fields = [f.id for f in spec.fields.values() if f.part == part]
        read = {located.cells[fid][0] for fid in fields if fid in located.cells}
        if len(read) != 1:
            continue
        (home,) = read
        for index in indexes:
            name = index.name
            if name == home:
                continue
            copy = find_part(index, spec, part)
            if copy.missing or any(fid not in copy.cells for fid in fields):
                continue
            out.append(_copy_finding(book, spec, part, home, name, located, copy, fields))
    return out


def _copy_finding(
    book: Book,
    spec: Format,
    part: str,
    home: str,
    other: str,
    located: Located,
    copy: Located,
    fields: list[str],
) -> Finding:
    differ = []
    for fid in fields:
        if spec.fields[fid].computed or not spec.fields[fid].numeric:
            continue
        a, b = _raw(book, located.cells[fid]), _raw(book, copy.cells[fid])
        if _comparable(a, spec.fields[fid].kind) != _comparable(b, spec.fields[fid].kind):
            differ.append((fid, a, b))
    table = PART_NAMES[part]
    if not differ:
        return Finding(
            SECOND_COPY,
            Severity.WARNING,
            f"工作簿中工作表「{other}」是{table}的另一份副本（数字与「{home}」相同）。系统读取的是"
            f"「{home}」。请删除多余的工作表「{other}」，以免今后只改了其中一份。",
            (),
            (f"{other}!A1",),
        )
    examples = "；".join(
        f"{column_letters(located.cells[fid][2])}{located.cells[fid][1]}"
        f"「{spec.fields[fid].label}」为 {as_text(a) or '空'}，副本中为 {as_text(b) or '空'}"
        for fid, a, b in differ[:_MAX_LISTED]
    )
    more = f"等 {len(differ)} 处" if len(differ) > _MAX_LISTED else ""
    return Finding(
        SECOND_COPY,
        Severity.ERROR,
        f"工作簿中有两份{table}：「{home}」和「{other}」，两份数字不同（{examples}{more}）。"
        f"系统读取的是「{home}」，但无法确认哪一份是本单位要报送的数据。请只保留正确的一份"
        f"（正确数字填在「{home}」中），删除另一份后重新报送。",
        tuple(fid for fid, _, _ in differ),
        tuple(_a1(located.cells[fid]) for fid, _, _ in differ)
        + tuple(_a1(copy.cells[fid]) for fid, _, _ in differ),
    )


def _raw(book: Book, place: Place) -> object:
    sheet = book.sheet(place[0])
    return sheet.cells.get((place[1], place[2])) if sheet else None


def _comparable(raw: object, kind: str) -> object:
    parsed = parse_number(raw, kind)
    return parsed.value if parsed.ok else as_text(raw)


def external_link_findings(book: Book) -> list[Finding]:
    """Links to other workbooks (external references) and DDE/OLE links, from the workbook's
    link parts and from the formulas of the sheets that were read."""
    links = list(dict.fromkeys(book.external))
    cells = []
    for sheet in book.sheets() if book.kind == "xlsx" else ():
        for (row, col), text in sheet.formulas.items():
            if _DDE.search(text) or (_OTHER_BOOK.search(text) and not book.external):
                cells.append(f"{sheet.name}!{column_letters(col)}{row}")
    if cells and not links:
        links.append("DDE 链接")
    if not links:
        return []
    where = f"（如 {'、'.join(cells[:_MAX_LISTED])}）" if cells else ""
    return [
        Finding(
            EXTERNAL_LINKS,
            Severity.WARNING,
            f"文件含有指向其他文件或程序的链接：{'、'.join(links[:_MAX_LISTED])}{where}。"
            "系统不读取、不更新这些链接，只按表格中的数字校验；随附的校验结果副本已去掉这些链接。"
            "请在 Excel 中“数据→编辑链接→断开链接”（WPS：“数据→编辑链接”）后重新保存报送。",
            (),
            tuple(cells[:_MAX_LISTED]),
        )
    ]
