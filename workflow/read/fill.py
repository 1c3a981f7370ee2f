"""A workbook's cells turned into a Submission's values and texts, with R5 findings for number
cells that are not valid numbers, and input cells holding formulas recomputed (``formulas``):
a stale stored result is never counted silently."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from workflow.domain.findings import Finding, Severity, cell_order
from workflow.domain.submission import Submission
from workflow.formats.spec import PART_NAMES, Format, load_format
from workflow.read.book import Book, column_letters
from workflow.read.cell_values import (
    BLANK_LIKE,
    as_text,
    parse_date,
    parse_number,
    parse_year,
    r5_message,
    text_number_message,
    zero_of,
)
from workflow.read.formulas import MAX_DEPTH, NOT_A_NUMBER, evaluate
from workflow.read.locate import Place

BLANK_GROUP_LIMIT = 10  # more blank number cells than this on one sheet → one finding listing them
INPUT_FORMULA = "input-formula"


def fill(
    sub: Submission, book: Book, spec: Format, cells: dict[str, Place], blank_policy: str
) -> None:
    for fid, f in spec.fields.items():
        place = cells.get(fid)
        if place is None:
            continue
        sheet_name, row, col = place
        sheet = book.sheet(sheet_name)
        raw = sheet.cells.get((row, col)) if sheet else None
        cell = f"{sheet_name}!{column_letters(col)}{row}"
        sub.cells[fid] = cell
        if f.numeric:
            sub.typed[fid] = raw
            if sheet and ((row, col) in sheet.formulas or (f.computed and not book.formulas_known)):
                sub.formulas.add(fid)
            if not f.computed and sheet and (row, col) in sheet.formulas:
                text = sheet.formulas[(row, col)]
                value = evaluate(text, sheet_name, _lookup(book, 1))
                _formula_finding(sub, fid, cell, text, value, raw)
                if value is None:
                    continue  # not counted: the stored result cannot be checked
                raw = value
            if not f.computed:
                _number(sub, fid, raw, cell, blank_policy)
        else:
            _text(sub, fid, f.kind, raw, cell, book.date1904)
    if not book.formulas_known:
        sub.meta["formulas"] = "assumed"


def _lookup(book: Book, depth: int) -> Callable[[str, int, int], Decimal | None | str]:
    """What a formula's reference gives: a visible sheet's plain number, blank (None), the value
    of a formula there (recomputed in turn), or NOT_A_NUMBER for anything else."""

    def get(sheet_name: str, row: int, col: int) -> Decimal | None | str:
        sheet = book.sheet(sheet_name) if sheet_name not in book.hidden else None
        if sheet is None:
            return NOT_A_NUMBER
        if (row, col) in sheet.formulas:
            if depth >= MAX_DEPTH:
                return NOT_A_NUMBER
            value = evaluate(sheet.formulas[(row, col)], sheet_name, _lookup(book, depth + 1))
            return NOT_A_NUMBER if value is None else value
        raw = sheet.cells.get((row, col))
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            return NOT_A_NUMBER
        return Decimal(raw)

    return get


def _formula_finding(
    sub: Submission, fid: str, cell: str, text: str, value: Decimal | None, cached: object
) -> None:
    """An input cell holding a formula: an error when it cannot be recomputed, a 提示 when the
    stored result differs from the recomputed one (which is what is counted)."""
    label = load_format(sub.format).fields[fid].label
    shown = "=" + (text if len(text) <= 60 else text[:60] + "…")
    if value is None:
        sub.findings.append(Finding(
            INPUT_FORMULA, Severity.ERROR,
            f"{label}（{cell}）填的是公式“{shown}”，系统无法核对其计算结果（只能核对数字的加减乘除、"
            "SUM 和对本工作簿可见表格中数字格的引用），未计入。请把该格改为直接填写的数字"
            "（复制该格，再“选择性粘贴→数值”）后重新报送。",
            fields=(fid,), cells=(cell,), actual=shown,
        ))  # fmt: skip
        return
    plain = isinstance(cached, int | Decimal) and not isinstance(cached, bool)
    if cached is None or (plain and Decimal(cached) == value):  # type: ignore[arg-type]
        return
    sub.findings.append(Finding(
        INPUT_FORMULA, Severity.WARNING,
        f"{label}（{cell}）填的是公式“{shown}”，按公式计算为 {value.normalize():f}，"
        f"但文件中保存的结果是“{as_text(cached)}”（保存时未重新计算）；已按 {value.normalize():f} 计入。"
        "请核对该数；建议直接填写数字，不用公式。",
        fields=(fid,), cells=(cell,), expected=value, actual=as_text(cached),
    ))  # fmt: skip


def _number(sub: Submission, fid: str, raw: object, cell: str, blank_policy: str) -> None:
    f = load_format(sub.format).fields[fid]
    parsed = parse_number(raw, f.kind)
    if parsed.ok and parsed.value is not None:  # ok always carries a value
        sub.values[fid] = parsed.value
        if isinstance(raw, str):  # counted, but the sheet's own SUM formulas ignore text
            sub.findings.append(Finding(
                "R5", Severity.WARNING,
                text_number_message(f.label, cell, parsed),
                fields=(fid,), cells=(cell,), expected=parsed.value, actual=raw,
            ))  # fmt: skip
        return
    lenient = blank_policy == "warning" and parsed.problem in BLANK_LIKE
    if lenient:
        sub.values[fid] = zero_of(f.kind)
    sub.findings.append(Finding(
        "R5", Severity.WARNING if lenient else Severity.ERROR,
        r5_message(f.label, cell, parsed, f.kind, as_warning=lenient),
        fields=(fid,), cells=(cell,),
        expected=0 if parsed.problem in BLANK_LIKE else parsed.hint,
        actual=None if raw is None else parsed.shown or str(raw),
    ))  # fmt: skip


def _text(sub: Submission, fid: str, kind: str, raw: object, cell: str, date1904: bool) -> None:
    if kind == "date":
        if raw is None or as_text(raw) == "":
            return
        iso = parse_date(raw, date1904=date1904)
        if iso is None:
            label = load_format(sub.format).fields[fid].label
            sub.findings.append(Finding(
                "date-invalid", Severity.ERROR,
                f"{label}（{cell}）填写了“{as_text(raw)}”，不是有效日期。请填写如 2026-01-20 的日期。",
                fields=(fid,), cells=(cell,), actual=as_text(raw),
            ))  # fmt: skip
            return
        sub.texts[fid] = iso
    elif kind == "year":
        if year := parse_year(raw):
            sub.texts[fid] = year
    elif text := as_text(raw):
        sub.texts[fid] = text


def group_blanks(sub: Submission, spec: Format, blank_policy: str) -> None:
    """More than BLANK_GROUP_LIMIT blank / "/" / "无" number cells on one sheet: one finding for them."""
    by_sheet: dict[str, list[Finding]] = {}
    for finding in sub.findings:
        blank = finding.rule == "R5" and finding.expected == 0 and finding.fields
        if blank and finding.cells and spec.fields[finding.fields[0]].part in PART_NAMES:
            by_sheet.setdefault(finding.cells[0].rpartition("!")[0], []).append(finding)
    for group in by_sheet.values():
        if len(group) <= BLANK_GROUP_LIMIT:
            continue
        drop = {id(f) for f in group}
        sub.findings[:] = [f for f in sub.findings if id(f) not in drop]
        group.sort(key=lambda f: cell_order(f.cells[0]))
        coords = [f.cells[0].rpartition("!")[2] for f in group]
        table = PART_NAMES[spec.fields[group[0].fields[0]].part]
        lenient = blank_policy == "warning"
        ask = "已按 0 计；今后没有数据请填 0" if lenient else "没有数据请填 0"
        sub.findings.append(Finding(
            "R5", Severity.WARNING if lenient else Severity.ERROR,
            f"{table}有 {len(group)} 个数字格为空（或填“/”“无”），{ask}。"
            f"涉及：{'、'.join(coords[:BLANK_GROUP_LIMIT])}（前 {BLANK_GROUP_LIMIT} 个）等。",
            fields=tuple(fid for f in group for fid in f.fields),
            cells=tuple(c for f in group for c in f.cells),
            expected=0, actual=len(group),
        ))  # fmt: skip
