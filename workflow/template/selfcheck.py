"""The template's live self-check (自检): one Excel formula per 勾稽关系 and per table, as data.

Pure. Each check names its rule (R1–R5; 必填 for the required 基本信息 fields; 正文 for the narrative
sections), what it checks, where, the Excel formula that shows "通过" or "未通过：…" (or, for a
提示-level check, the fixed text ``HINT``) live in Excel/WPS/LibreOffice, and the result that formula
gives for the values written into the file (stored as the formula's cached value, so viewers that do
not recalculate still show the truth). 提示 rows are not failures: the tool only warns about them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from workflow.domain.numbers import plain_number
from workflow.formats.layout import (
    SHEET_ACTIVE,
    SHEET_APPLY,
    SHEET_INFO,
    SHEET_REVIEW,
    cell_name,
    sheet_layouts,
    sheet_ref,
)
from workflow.formats.spec import Equation, Format

PASS = "通过"
FAIL = "未通过"
HINT = "提示：尚未填写，请补充"  # the one result of a 提示-level check that is not PASS
REQUIRED = "必填"
NARRATIVE = "正文"
HINTED_SECTIONS = ("一", "五")  # narrative sections the tool warns about when empty
RULE_ORDER = {REQUIRED: -2, NARRATIVE: -1, "R5": 0, "R1": 1, "R2": 2, "R3": 3, "R4": 4}
_DIGITS = "0123456789"
CHECKED_SHEETS = (SHEET_INFO, SHEET_ACTIVE, SHEET_APPLY, SHEET_REVIEW)


@dataclass(frozen=True, slots=True)
class Check:
    rule: str
    sheet: str
    description: str
    where: str
    formula: str
    result: str
    level: str = "error"  # "error": must pass; "hint": shows HINT when it does not, not a failure


def as_number(value: Any) -> int | float | Decimal | None:
    """The value as Excel's SUM/COUNT sees it: numbers count, text and blanks do not."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return value


def add(numbers: Iterable[int | float | Decimal | None]) -> int | float | Decimal:
    """The sum as SUM gives it: blanks skipped; floats made exact Decimals when Decimals take part."""
    present = [n for n in numbers if n is not None]
    if any(isinstance(n, Decimal) for n in present):
        return sum((Decimal(str(n)) if isinstance(n, float) else n for n in present), Decimal(0))
    return sum(present, 0)


def show(number: int | float | Decimal) -> str:
    """A number as Excel's General format shows it inside a text formula."""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return plain_number(number)


def cell_ranges(cells: Iterable[tuple[int, int]]) -> list[str]:
    """Cells as few A1 ranges as a simple sweep finds: row runs, then equal runs stacked."""
    runs: list[tuple[int, int, int]] = []  # (row, first col, last col)
    for row, cols in groupby(sorted(set(cells)), key=lambda rc: rc[0]):
        col_list = [c for _, c in cols]
        start = prev = col_list[0]
        for c in col_list[1:] + [None]:
            if c is not None and c == prev + 1:
                prev = c
                continue
            runs.append((row, start, prev))
            if c is not None:
                start = prev = c
    boxes: list[list[int]] = []  # [first row, last row, first col, last col]
    for row, c0, c1 in runs:
        for box in boxes:
            if box[1] == row - 1 and (box[2], box[3]) == (c0, c1):
                box[1] = row
                break
        else:
            boxes.append([row, row, c0, c1])
    out = []
    for r0, r1, c0, c1 in boxes:
        a, b = cell_name(r0, c0), cell_name(r1, c1)
        out.append(a if a == b else f"{a}:{b}")
    return out


class _Cells:
    """Positions and values of the numeric fields, for formulas and their cached results."""

    def __init__(self, spec: Format, values: Mapping[str, Any]) -> None:
        self.spec = spec
        self.values = values
        self.pos = {
            fid: (s.name, c.row, c.col) for s in sheet_layouts(spec) for fid, c in s.fields.items()
        }

    def ranges(self, fields: Iterable[str]) -> list[str]:
        by_sheet: dict[str, list[tuple[int, int]]] = {}
        for fid in fields:
            sheet, row, col = self.pos[fid]
            by_sheet.setdefault(sheet, []).append((row, col))
        return [sheet_ref(s, r) for s, cells in by_sheet.items() for r in cell_ranges(cells)]

    def refs(self, fields: Iterable[str]) -> str:
        return ",".join(self.ranges(fields))

    def where(self, fields: tuple[str, ...]) -> str:
        return "、".join(cell_ranges(self.pos[f][1:] for f in fields))

    def total(self, fields: Iterable[str]) -> int | float | Decimal:
        return add(as_number(self.values.get(f)) for f in fields)

    def count(self, fields: Iterable[str]) -> int:
        return sum(1 for f in fields if as_number(self.values.get(f)) is not None)


def _equation_check(cells: _Cells, eq: Equation) -> Check:
    left, right = cells.refs(eq.left), cells.refs(eq.right)
    sheet = cells.pos[eq.left[0]][0]
    formula = f'=IF(SUM({left})=SUM({right}),"{PASS}","{FAIL}："&SUM({left})&"≠"&SUM({right}))'
    lv, rv = cells.total(eq.left), cells.total(eq.right)
    result = PASS if lv == rv else f"{FAIL}：{show(lv)}≠{show(rv)}"
    return Check(eq.rule, sheet, eq.description, cells.where(eq.fields), formula, result)


def _number_checks(cells: _Cells, sheet: str) -> list[Check]:
    """R5 for one sheet: every input holds a number; counts are whole; nothing is negative."""
    inputs = [f for f in cells.spec.input_fields if f.numeric and cells.pos[f.id][0] == sheet]
    if not inputs:
        return []
    checks = [_filled(cells, sheet, [f.id for f in inputs])]
    whole = [f.id for f in inputs if f.kind != "money"]
    if whole:
        checks.append(_whole(cells, sheet, whole))
    unsigned = [f.id for f in inputs if f.kind != "signed"]
    checks.append(_not_negative(cells, sheet, unsigned, signed=len(unsigned) < len(inputs)))
    return checks


def _filled(cells: _Cells, sheet: str, ids: list[str]) -> Check:
    refs, n = cells.refs(ids), len(ids)
    tail = "格为空或不是数字"
    formula = f'=IF(COUNT({refs})={n},"{PASS}","{FAIL}：有"&({n}-COUNT({refs}))&"{tail}")'
    missing = n - cells.count(ids)
    what = "每个填写格都填了数字（没有的填 0，不要留空或填“/”“无”）"
    return Check(
        "R5", sheet, what, "全部填写格", formula, f"{FAIL}：有{missing}{tail}" if missing else PASS
    )


def _whole(cells: _Cells, sheet: str, ids: list[str]) -> Check:
    """Counts are whole numbers: a number whose text shows a decimal point is not (paste bypasses
    data validation). SUMPRODUCT over text never errors, so this works without array entry."""
    terms = "+".join(
        f'SUMPRODUCT(ISNUMBER({r})*ISNUMBER(SEARCH(".",{r}&"")))' for r in cells.ranges(ids)
    )
    formula = f'=IF({terms}=0,"{PASS}","{FAIL}：有"&({terms})&"格不是整数")'
    bad = sum(1 for f in ids if (v := as_number(cells.values.get(f))) is not None and v != int(v))
    what = "件数填写整数（不要有小数）"
    return Check(
        "R5", sheet, what, "件数格", formula, f"{FAIL}：有{bad}格不是整数" if bad else PASS
    )


def _not_negative(cells: _Cells, sheet: str, ids: list[str], *, signed: bool) -> Check:
    parts = "+".join(f'COUNTIF({r},"<0")' for r in cells.ranges(ids))
    formula = f'=IF({parts}=0,"{PASS}","{FAIL}：有"&({parts})&"格为负数")'
    what = "数字不得为负数" + ("（“本年增/减”除外）" if signed else "")
    bad = sum(1 for f in ids if (v := as_number(cells.values.get(f))) is not None and v < 0)
    return Check(
        "R5", sheet, what, "全部填写格", formula, f"{FAIL}：有{bad}格为负数" if bad else PASS
    )


def total_parts(spec: Format) -> dict[str, tuple[str, ...]]:
    """Computed field → the fields its SUM formula adds (the first equation defining it)."""
    out: dict[str, tuple[str, ...]] = {}
    for eq in spec.equations:
        if len(eq.left) == 1 and spec.fields[eq.left[0]].computed and eq.rule != "R1":
            out.setdefault(eq.left[0], eq.right)
    return out


def cell_values(
    spec: Format, inputs: Mapping[str, Any], overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """What every numeric cell shows: inputs as given, totals as their SUM gives or as typed over."""
    parts = total_parts(spec)
    out = dict(inputs)

    def value(fid: str) -> Any:
        if fid not in out:
            if fid in overrides:
                out[fid] = overrides[fid]
            elif fid not in parts:  # an input not given: a blank cell
                return None
            else:
                out[fid] = add(as_number(value(p)) for p in parts[fid])
        return out[fid]

    for f in spec.computed_fields:
        value(f.id)
    return out


def excel_trim(value: Any) -> str:
    """The cell as ``TRIM(CLEAN(SUBSTITUTE(cell&"","　"," ")))`` reads it (see ``_trimmed``)."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = show(value)
    else:
        text = str(value)
    text = "".join(ch for ch in text.replace("\u3000", " ") if ord(ch) >= 32)
    return " ".join(part for part in text.split(" ") if part)


def _trimmed(ref: str) -> str:
    """An Excel expression: the cell's text without spaces (also full-width) or line breaks around it."""
    return f'TRIM(CLEAN(SUBSTITUTE({ref}&"","\u3000"," ")))'


def _info_checks(cells: _Cells, texts: Mapping[str, Any], year: int | None) -> list[Check]:
    """必填: the required 基本信息 fields are filled (the year a 4-digit year, the template's year
    when it was made for one); 正文: each narrative section the tool warns about is not empty."""
    checks: list[Check] = []
    for f in cells.spec.fields_of("info"):
        if not f.required or f.numeric:
            continue
        sheet, row, col = cells.pos[f.id]
        where, t = cell_name(row, col), excel_trim(texts.get(f.id))
        trim = _trimmed(sheet_ref(sheet, where))
        empty = f"{FAIL}：{f.label}未填写"
        if f.kind == "year":
            if year is not None:
                what = f"{f.label}已填写，且为 {year}"
                bad = f"{FAIL}：{f.label}应为{year}"
                test, ok = f'{trim}="{year}"', t == str(year)
            else:
                what = f"{f.label}已填写，且为四位数字（如 2025）"
                bad = f"{FAIL}：{f.label}应为四位数字"
                digits = f'SUMPRODUCT(--ISNUMBER(FIND(MID({trim},{{1,2,3,4}},1),"{_DIGITS}")))=4'
                test = f"AND(LEN({trim})=4,{digits})"
                ok = len(t) == 4 and all(ch in _DIGITS for ch in t)
            formula = f'=IF(LEN({trim})=0,"{empty}",IF({test},"{PASS}","{bad}"))'
            result = empty if not t else PASS if ok else bad
        else:
            what = f"{f.label}已填写"
            formula = f'=IF(LEN({trim})>0,"{PASS}","{empty}")'
            result = PASS if t else empty
        checks.append(Check(REQUIRED, sheet, what, where, formula, result))
    for n in cells.spec.narratives:
        if n.section not in HINTED_SECTIONS:
            continue
        sheet, row, col = cells.pos[n.id]
        where = cell_name(row, col)
        label = f"一、总体情况{n.label}" if n.section == "一" else f"{n.section}、{n.label}"
        formula = f'=IF(LEN({_trimmed(sheet_ref(sheet, where))})>0,"{PASS}","{HINT}")'
        result = PASS if excel_trim(texts.get(n.id)) else HINT
        checks.append(
            Check(NARRATIVE, sheet, f"报告正文「{label}」已填写", where, formula, result, "hint")
        )
    return checks


def build_checks(
    spec: Format,
    values: Mapping[str, Any],
    texts: Mapping[str, Any] | None = None,
    year: int | None = None,
) -> list[Check]:
    """Every self-check row, grouped by sheet (info, 二, 三, 四): 必填 and 正文 first (info), then
    R5, then R1–R4.

    ``values`` are the values of the numeric cells as written (inputs, and totals as their
    formulas compute them or as typed over them); ``texts`` the 基本信息 and narrative cells as
    written (missing: blank); ``year`` the year the template is for, if any.
    """
    cells = _Cells(spec, values)
    checks: list[Check] = _info_checks(cells, texts or {}, year)
    for sheet in CHECKED_SHEETS:
        checks += _number_checks(cells, sheet)
        eqs = [
            e for e in spec.equations if cells.pos[e.left[0]][0] == sheet and not _implied(spec, e)
        ]
        eqs.sort(key=lambda e: RULE_ORDER.get(e.rule, 9))
        checks += [_equation_check(cells, e) for e in eqs]
    return checks


def _implied(spec: Format, eq: Equation) -> bool:
    """An equation between totals only that does not define its total (R1 on the 总计 column, the
    second way to add up （七）总计·总计): it holds when the equations on the parts hold, and a
    typed-over total already fails its own check. The checker skips these too (rules.equations),
    so the 自检 and the receipt count failed checks alike."""
    if not all(spec.fields[f].computed for f in eq.fields):
        return False
    defining = len(eq.left) == 1 and total_parts(spec).get(eq.left[0]) == eq.right
    return not defining


def failed(checks: Iterable[Check]) -> int:
    """How many checks fail (提示-level checks never do)."""
    return sum(1 for c in checks if c.level == "error" and c.result != PASS)


def hinted(checks: Iterable[Check]) -> int:
    return sum(1 for c in checks if c.result == HINT)


def sheet_status(checks: list[Check], sheet: str, result_refs: str) -> tuple[str, str]:
    """(formula, cached result) of the status line shown at the top of a table sheet."""
    mine = [c for c in checks if c.sheet == sheet]
    n = len(mine)
    ok = f"自检：本表{n}项检查全部{PASS}"
    tail = f"项检查{FAIL}，请查看「自检」表中标红的行并改正"
    count = f'COUNTIF({result_refs},"{PASS}")'
    hint_tail = "项提示（报告正文尚未填写），请查看「自检」表中标黄的行"
    with_hints = f"自检：本表必查项目全部{PASS}；另有"
    if not any(c.level == "hint" for c in mine):
        formula = f'=IF({count}={n},"{ok}","自检：本表有"&({n}-{count})&"{tail}")'
    else:
        hints = f'COUNTIF({result_refs},"{HINT}")'
        formula = (
            f'=IF({count}+{hints}={n},IF({hints}=0,"{ok}","{with_hints}"&{hints}&"{hint_tail}"),'
            f'"自检：本表有"&({n}-{count}-{hints})&"{tail}")'
        )
    bad, k = failed(mine), hinted(mine)
    result = f"自检：本表有{bad}{tail}" if bad else f"{with_hints}{k}{hint_tail}" if k else ok
    return formula, result


def overall_status(checks: list[Check], result_refs: str) -> tuple[str, str]:
    """(formula, cached result) of the overall line at the top of the 自检 sheet."""
    n = len(checks)
    ok = f"全部{n}项检查{PASS}"
    with_hints = f"必查项目全部{PASS}；另有"
    hint_tail = "项提示：报告正文有部分尚未填写，请补充（见标黄的行）"
    tail = f"项检查{FAIL}，请按标红行的提示改正"
    count = f'COUNTIF({result_refs},"{PASS}")'
    hints = f'COUNTIF({result_refs},"{HINT}")'
    formula = (
        f'=IF({count}+{hints}={n},IF({hints}=0,"{ok}","{with_hints}"&{hints}&"{hint_tail}"),'
        f'"有"&({n}-{count}-{hints})&"{tail}")'
    )
    bad, k = failed(checks), hinted(checks)
    result = f"有{bad}{tail}" if bad else f"{with_hints}{k}{hint_tail}" if k else ok
    return formula, result
