"""The template's live self-check (自检): one Excel formula per 勾稽关系 and per table, as data.

Pure. Each check names its rule (R1–R5), what it checks, where, the Excel formula that shows
"通过" or "未通过：…" live in Excel/WPS/LibreOffice, and the result that formula gives for the values
written into the file (stored as the formula's cached value, so viewers that do not recalculate
still show the truth).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from workflow.layout import (
    SHEET_ACTIVE,
    SHEET_APPLY,
    SHEET_INFO,
    SHEET_REVIEW,
    cell_name,
    sheet_layouts,
    sheet_ref,
)
from workflow.spec import Equation, Format

PASS = "通过"
FAIL = "未通过"
RULE_ORDER = {"R5": 0, "R1": 1, "R2": 2, "R3": 3, "R4": 4}
CHECKED_SHEETS = (SHEET_INFO, SHEET_ACTIVE, SHEET_APPLY, SHEET_REVIEW)


@dataclass(frozen=True, slots=True)
class Check:
    rule: str
    sheet: str
    description: str
    where: str
    formula: str
    result: str


def as_number(value: Any) -> int | float | Decimal | None:
    """The value as Excel's SUM/COUNT sees it: numbers count, text and blanks do not."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return value


def show(number: int | float | Decimal) -> str:
    """A number as Excel's General format shows it inside a text formula."""
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    if isinstance(number, Decimal):
        return format(number.normalize(), "f")
    return str(number)


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
        numbers = [as_number(self.values.get(f)) for f in fields]
        return sum((n for n in numbers if n is not None), 0)

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
                numbers = [as_number(value(p)) for p in parts[fid]]
                out[fid] = sum((n for n in numbers if n is not None), 0)
        return out[fid]

    for f in spec.computed_fields:
        value(f.id)
    return out


def build_checks(spec: Format, values: Mapping[str, Any]) -> list[Check]:
    """Every self-check row, grouped by sheet (info, 二, 三, 四), R5 first, then R1–R4.

    ``values`` are the values of the numeric cells as written (inputs, and totals as their
    formulas compute them or as typed over them).
    """
    cells = _Cells(spec, values)
    checks: list[Check] = []
    for sheet in CHECKED_SHEETS:
        checks += _number_checks(cells, sheet)
        eqs = [e for e in spec.equations if cells.pos[e.left[0]][0] == sheet]
        eqs.sort(key=lambda e: RULE_ORDER.get(e.rule, 9))
        checks += [_equation_check(cells, e) for e in eqs]
    return checks


def sheet_status(checks: list[Check], sheet: str, result_refs: str) -> tuple[str, str]:
    """(formula, cached result) of the status line shown at the top of a table sheet."""
    mine = [c for c in checks if c.sheet == sheet]
    n = len(mine)
    failed = sum(1 for c in mine if c.result != PASS)
    ok = f"自检：本表{n}项检查全部{PASS}"
    tail = f"项检查{FAIL}，请查看「自检」表中标红的行并改正"
    count = f'COUNTIF({result_refs},"{PASS}")'
    formula = f'=IF({count}={n},"{ok}","自检：本表有"&({n}-{count})&"{tail}")'
    return formula, ok if not failed else f"自检：本表有{failed}{tail}"
