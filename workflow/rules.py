"""The consistency rules (勾稽关系) of the reference, applied to one submission. Pure: no I/O, no clock.

``compute_totals`` computes every total from its parts (never trusting the file); ``check_submission``
returns every finding of a submission at once. Rule ids are the reference's R-numbers, or short
kebab-case ids for the checks that are not one of them (see docs/rules.md). Text rules live in
``workflow.narrative``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from workflow import narrative
from workflow.config import Unit
from workflow.findings import Finding, Severity
from workflow.spec import PART_NAMES, Equation, Format, format_for_year, load_format
from workflow.submission import Number, Submission

RULE_TITLES: dict[str, str] = {
    "R1": "第一项加第二项等于第三项加第四项",
    "R2": "办理结果总计",
    "R3": "申请人总计",
    "R4": "复议诉讼总计",
    "R5": "数字填写规范",
    "R6": "正文与表格一致",
    "R7": "与上年结转数衔接",
    "R8": "规章和现行有效件数",
    "R9": "信息处理费",
    "R10": "复议诉讼结果表述",
    "R11": "年度对应的报告格式",
    "R12": "成文日期",
    "R13": "内容雷同",
    "total-typed-over": "合计格被手工改写",
    "year-mismatch": "年度不符",
    "unit-unknown": "单位不在名单中",
    "required-missing": "必填项未填写",
    "narrative-missing": "正文未填写",
    "contact-missing": "联系方式未填写",
    "rollup-incomplete": "下级汇总未含全部单位",
}
# Ids emitted by the reader (workflow.reader), titled here so every output can name them.
READER_TITLES: dict[str, str] = {
    "file-not-spreadsheet": "不是电子表格",
    "file-unsupported": "不支持的文件类型",
    "file-corrupt": "文件损坏",
    "file-encrypted": "文件已加密",
    "file-empty": "空文件",
    "file-too-large": "文件过大",
    "file-unreadable": "无法打开文件",
    "template-other-format": "表格格式不符",
    "template-stale": "模板版本过旧",
    "template-unknown": "非统一下发的模板",
    "labels-not-found": "找不到表格栏目",
    "macros-present": "含有宏",
    "date-invalid": "日期无法识别",
    "format-legacy": "非 .xlsx 格式",
}
RULE_IDS: frozenset[str] = frozenset(RULE_TITLES)  # every id check_submission can emit
# Ids added by the pipeline (workflow.pipeline), which knows where in the inbox a file was dropped.
PIPELINE_TITLES: dict[str, str] = {"unit-folder-mismatch": "文件夹与单位名称不符"}


def rule_title(rule: str) -> str:
    """A short Chinese name for a rule id ("" when unknown)."""
    return RULE_TITLES.get(rule) or READER_TITLES.get(rule) or PIPELINE_TITLES.get(rule, "")


_BALANCE_RULES = frozenset({"R1", "R2", "R3", "R4"})


def rule_label(rule: str) -> str:
    """A rule id with its Chinese name, so a department never sees a bare id:
    ``R1（勾稽关系：第一项加第二项等于第三项加第四项）``, ``［必填项未填写］ required-missing``."""
    title = rule_title(rule)
    if not title:
        return rule
    if rule in _BALANCE_RULES:
        return f"{rule}（勾稽关系：{title}）"
    if rule[:1] == "R" and rule[1:].isdigit():
        return f"{rule}（{title}）"
    return f"［{title}］ {rule}"


# Row and column ids with a meaning of their own (the public contract, §3 of the reference).
REGULATIONS_ROW = "rules"  # 规章: 区县 units make none (R8)
STOCK_FLOW = (
    "issued",
    "repealed",
    "in_force",
)  # gov2021 part 二: in_force(N) = in_force(N−1) + issued − repealed
MISSING_SUMMARY_LIMIT = (
    10  # more unreadable table cells than this → one finding instead of one per cell
)


@dataclass(frozen=True)
class CheckContext:
    """What a submission is checked against besides its own content.

    ``year`` and ``units`` are the workspace's (None / empty: no year or roster check, as in
    ``workflow check`` without a config). ``previous`` is last year's summary.json; ``peers`` maps other
    units' names to their texts this year (R13).
    """

    year: int | None = None
    units: tuple[Unit, ...] = ()
    deadline: str = ""  # ISO date of the unit deadline; "" → 1月31日 of year + 1
    previous: Mapping[str, Any] | None = None
    peers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    today: date | None = None  # the checking day: a 成文日期 after it is a typo (R12)
    format: str | None = None  # the workspace's configured format (None: no workspace config)
    from_template: bool = False  # year and units come from the file's own _meta (no config)

    def find_unit(self, name: str) -> Unit | None:
        key = "".join(name.split())
        for unit in self.units:
            if key in ("".join(n.split()) for n in unit.names):
                return unit
        return None


# ----------------------------------------------------------------------------------------- numbers


def as_number(value: object) -> Number | None:
    """An int or finite Decimal as found in ``Submission.values``; anything else → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() and value.adjusted() < 30 else value
    return None


def as_decimal(value: object) -> Decimal | None:
    """A cell's raw content as a number for comparison (typed totals): int, float, Decimal, numeric str."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, str):
            number = Decimal(value.strip().replace(",", ""))
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        else:
            return None
    except (InvalidOperation, TypeError, ValueError, OverflowError):
        return None
    return number if number.is_finite() else None


def fmt(value: object) -> str:
    """A number as a department writes it: 12, 3.5, -4."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    return str(value)


def definitions(spec: Format) -> dict[str, Equation]:
    """Each computed field → the equation that defines it (total = sum of parts)."""
    out: dict[str, Equation] = {}
    for eq in spec.equations:
        if len(eq.left) == 1 and spec.fields[eq.left[0]].computed:
            out.setdefault(eq.left[0], eq)
    return out


def compute_totals(spec: Format, values: Mapping[str, object]) -> dict[str, Number]:
    """Every numeric field of ``spec``: inputs as given (0 when missing or not a number), totals summed."""
    defs = definitions(spec)
    out: dict[str, Number] = {}

    def value_of(fid: str) -> Number:
        if fid not in out:
            f = spec.fields[fid]
            if f.computed:
                out[fid] = sum((value_of(p) for p in defs[fid].right), 0)
            else:
                found = as_number(values.get(fid))
                out[fid] = found if found is not None else (Decimal(0) if f.kind == "money" else 0)
        return out[fid]

    for f in spec.numeric_fields:
        value_of(f.id)
    return {f.id: out[f.id] for f in spec.numeric_fields}


# ---------------------------------------------------------------------------------------- findings


def _text(sub: Submission, key: str) -> str:
    value = sub.texts.get(key, "") if isinstance(sub.texts, Mapping) else ""
    return value.strip() if isinstance(value, str) else ""


def _cells(sub: Submission, fields: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for f in fields:
        cell = sub.cells.get(f) if isinstance(sub.cells, Mapping) else None
        if isinstance(cell, str) and cell and cell not in out:
            out.append(cell)
    return tuple(out)


def _finding(
    rule: str,
    severity: Severity,
    message: str,
    sub: Submission,
    fields: Iterable[str],
    expected: object = None,
    actual: object = None,
) -> Finding:
    fields = tuple(dict.fromkeys(fields))
    return Finding(rule, severity, message, fields, _cells(sub, fields), expected, actual)


def _reported(sub: Submission) -> set[str]:
    """Fields the reader already reported (one problem, one finding)."""
    return {f for finding in sub.findings for f in finding.fields}


def _tables_readable(sub: Submission) -> bool:
    file_level_error = any(f.is_error and not f.fields for f in sub.findings)
    return bool(sub.values) or not file_level_error


# --------------------------------------------------------------------------------------------- R5


_KIND_RULE = {
    "count": "件数应为不小于 0 的整数，没有的填 0",
    "money": "金额应为不小于 0 的数字，没有的填 0",
    "signed": "「本年增/减」应为整数，减少写负数（如 -4），没有变化填 0",
}


def _valid(kind: str, value: Number) -> bool:
    integral = isinstance(value, int) or value == value.to_integral_value()
    if kind == "count":
        return integral and value >= 0
    if kind == "money":
        return value >= 0
    return integral


def check_numbers(sub: Submission, spec: Format) -> tuple[list[Finding], set[str]]:
    """R5: every input number is valid for its kind. Returns findings and the fields that are unusable."""
    findings, bad, missing = [], set(), []
    reported = _reported(sub)
    for f in spec.input_fields:
        if not f.numeric:
            continue
        raw = sub.values.get(f.id)
        value = as_number(raw)
        if f.id in reported:
            if value is None or not _valid(f.kind, value):
                bad.add(f.id)
        elif raw is None:
            if f.part in PART_NAMES:
                missing.append(f.id)
                bad.add(f.id)
        elif value is None or not _valid(f.kind, value):
            bad.add(f.id)
            findings.append(
                _finding(
                    "R5",
                    Severity.ERROR,
                    f"{f.label}填写为「{fmt(raw)}」，{_KIND_RULE[f.kind]}。请改正。",
                    sub,
                    (f.id,),
                    None,
                    fmt(raw),
                )
            )
    if len(missing) > MISSING_SUMMARY_LIMIT:
        findings.append(
            _finding(
                "R5",
                Severity.ERROR,
                f"有 {len(missing)} 个表格数字未能读取（如{spec.fields[missing[0]].label}）。"
                "请使用本年度填报模板，逐格填写数字，没有的填 0。",
                sub,
                missing,
            )
        )
    else:
        for fid in missing:
            findings.append(
                _finding(
                    "R5",
                    Severity.ERROR,
                    f"未能读取{spec.fields[fid].label}的数字。请在该格填写数字，没有的填 0。",
                    sub,
                    (fid,),
                )
            )
    return findings, bad


def _expand(spec: Format, defs: Mapping[str, Equation], fid: str) -> list[str]:
    """The input fields a field is made of (itself when it is an input)."""
    if not spec.fields[fid].computed:
        return [fid]
    return [p for part in defs[fid].right for p in _expand(spec, defs, part)]


# ------------------------------------------------------------------------------------ R2, R3, R4


def _total_finding(
    sub: Submission,
    spec: Format,
    eq: Equation,
    totals: Mapping[str, Number],
    typed: Decimal,
    formula: bool,
) -> Finding:
    fid = eq.left[0]
    f = spec.fields[fid]
    same_row = all(spec.fields[p].row == f.row for p in eq.right)
    nonzero = [p for p in eq.right if totals[p] != 0]
    names = {
        p: spec.fields[p].column_label if same_row else spec.fields[p].row_label for p in nonzero
    }
    detail = " + ".join(f"{names[p]} {fmt(totals[p])}" for p in nonzero) or "各项均为 0"
    table = PART_NAMES[f.part]
    if same_row:
        where, how = f"{table}「{f.row_label}」行的「{f.column_label}」", "核对该行各列数字"
    else:
        where, how = f"{table}「{f.column_label}」列的「{f.row_label}」", "核对该列各项办理结果"
    expected = totals[fid]
    if formula:
        message = (
            f"{where}应为 {fmt(expected)}（{detail}），但单元格显示 {fmt(typed)}，公式可能被改动。"
            f"请恢复模板中的合计公式，并{how}。"
        )
    elif not nonzero and typed != 0:
        fill = "在该行各列分别填写数字" if same_row else "在该列各项分别填写数字"
        message = (
            f"{where}填写了 {fmt(typed)}，但组成它的各项都未填写数字（按 0 计，合计应为 0）。"
            f"该格应自动合计：请{fill}，合计会自动算出；不要只填合计格，也请恢复模板中的合计公式。"
        )
    else:
        message = (
            f"{where}应为 {fmt(expected)}（{detail}），实际填写 {fmt(typed)}。该格应自动合计，"
            f"请删除手填的数字、恢复模板公式（或改为 {fmt(expected)}），并{how}。"
        )
    return _finding(eq.rule, Severity.ERROR, message, sub, (fid, *nonzero), expected, typed)


def _typed_over_finding(
    sub: Submission, spec: Format, fid: str, computed: Number, raw: object
) -> Finding:
    f = spec.fields[fid]
    shown = "为空" if raw is None or raw == "" else f"为手工填写的「{fmt(raw)}」"
    return _finding(
        "total-typed-over",
        Severity.WARNING,
        f"{f.label}应为自动合计的公式，现{shown}（按各项之和计为 {fmt(computed)}）。"
        "请使用模板原有公式，不要手工改写合计格。",
        sub,
        (fid,),
        computed,
        raw if raw != "" else None,
    )


def sheet_view(sub: Submission, spec: Format) -> dict[str, Decimal]:
    """What the template's own formulas show for each total, given the cells as they are.

    Like Excel's SUM, a number stored as text counts 0; a total whose formula was replaced counts
    with the number typed into it. Only totals whose every part could be valued are included.
    """
    defs = definitions(spec)
    out: dict[str, Decimal | None] = {}

    def cell(fid: str) -> Decimal | None:
        if fid in out:
            return out[fid]
        raw = sub.typed.get(fid)
        value: Decimal | None
        if not spec.fields[fid].computed:
            if fid not in sub.typed:
                raw = sub.values.get(fid)
            value = Decimal(0) if raw is None or isinstance(raw, str) else as_decimal(raw)
        elif fid in sub.formulas or fid not in sub.typed:
            parts = [cell(p) for p in defs[fid].right]
            known = [p for p in parts if p is not None]
            value = sum(known, Decimal(0)) if len(known) == len(parts) else None
        else:  # typed over: SUM counts a blank or a text as 0
            value = Decimal(0) if raw is None or isinstance(raw, str) else as_decimal(raw)
        out[fid] = value
        return value

    return {fid: v for fid in defs if (v := cell(fid)) is not None}


def check_totals(
    sub: Submission, spec: Format, totals: Mapping[str, Number], bad: set[str]
) -> list[Finding]:
    """R2/R3/R4 on the total cells as found in the file, and total-typed-over."""
    defs = definitions(spec)
    reported = _reported(sub)
    formula_info = bool(sub.formulas)
    shown = sheet_view(sub, spec)
    findings = []
    for fid, eq in defs.items():
        located = fid in sub.typed or fid in sub.cells
        if not located or fid in reported or bad.intersection(_expand(spec, defs, fid)):
            continue
        raw = sub.typed.get(fid)
        typed = as_decimal(raw)
        formula = fid in sub.formulas
        if formula and typed is not None and typed == shown.get(fid):
            continue  # the intact formula adds what its cells hold: text parts or typed-over totals
            # it depends on explain the difference, and they have findings of their own
        if typed is not None and typed != totals[fid]:
            findings.append(_total_finding(sub, spec, eq, totals, typed, formula))
        elif formula_info and not formula:
            findings.append(_typed_over_finding(sub, spec, fid, totals[fid], raw))
    return findings


# --------------------------------------------------------------------------------------------- R1


def _short_row(spec: Format, fid: str) -> str:
    f = spec.fields[fid]
    row = next((r for r in spec.apply.rows if r.id == f.row), None)
    label = _strip_numbering(f.row_label)
    if row is not None and row.computed and row.group:
        label = _strip_numbering(row.group) + label
    return label


def _strip_numbering(label: str) -> str:
    if "、" in label[:4]:
        label = label.split("、", 1)[1]
    if label.startswith("（") and "）" in label[:5]:
        label = label.split("）", 1)[1]
    return label.removesuffix("政府信息公开申请数量")


def check_balance(
    sub: Submission, spec: Format, totals: Mapping[str, Number], bad: set[str]
) -> list[Finding]:
    """R1 (and any other non-defining equation of the spec): sum(left) == sum(right)."""
    defs = definitions(spec)
    findings = []
    for eq in spec.equations:
        if len(eq.left) == 1 and eq.left[0] in defs and defs[eq.left[0]] is eq:
            continue
        if all(spec.fields[f].computed for f in eq.fields):
            continue  # implied by the same equation on the part columns
        inputs = [i for f in eq.fields for i in _expand(spec, defs, f)]
        if bad.intersection(inputs):
            continue
        left, right = sum(totals[f] for f in eq.left), sum(totals[f] for f in eq.right)
        if left == right:
            continue
        column = spec.fields[eq.left[0]].column_label
        lhs = " + ".join(f"{_short_row(spec, f)} {fmt(totals[f])}" for f in eq.left)
        rhs = " + ".join(f"{_short_row(spec, f)} {fmt(totals[f])}" for f in eq.right)
        message = (
            f"表三「{column}」列：{lhs} = {fmt(left)}，但{rhs} = {fmt(right)}，"
            f"相差 {fmt(abs(left - right))}。请核对该列的办理结果和结转数是否漏填或多填。"
        )
        findings.append(
            _finding(eq.rule, Severity.ERROR, message, sub, (*eq.fields, *inputs), left, right)
        )
    return findings


# --------------------------------------------------------------------------------------------- R8


def check_regulations(sub: Submission, spec: Format, totals: Mapping[str, Number]) -> list[Finding]:
    """R8 within the year: 区县 units make no 规章, so every 规章 cell is 0."""
    findings = []
    for f in spec.fields_of("active"):
        if f.row == REGULATIONS_ROW and totals.get(f.id, 0) > 0:
            findings.append(
                _finding(
                    "R8",
                    Severity.WARNING,
                    f"{f.label}填写为 {fmt(totals[f.id])}。区县级部门、街道乡镇不制定规章，该格一般应为 0；"
                    "如填的是行政规范性文件，请改填到「行政规范性文件」行。",
                    sub,
                    (f.id,),
                    0,
                    totals[f.id],
                )
            )
    return findings


def _previous_unit(sub: Submission, ctx: CheckContext) -> Mapping[str, Any] | None:
    previous = ctx.previous
    units = previous.get("units") if isinstance(previous, Mapping) else None
    if not isinstance(units, list):
        return None
    own = _text(sub, UNIT_NAME)
    unit = ctx.find_unit(own)
    names = {"".join(n.split()) for n in (unit.names if unit else (own,)) if n}
    for item in units:
        if isinstance(item, Mapping) and "".join(str(item.get("name", "")).split()) in names:
            status = item.get("status", "accepted")
            return item if status == "accepted" else None
    return None


def _previous_values(unit: Mapping[str, Any]) -> dict[str, Decimal]:
    values = unit.get("values")
    if not isinstance(values, Mapping):
        return {}
    return {k: d for k, v in values.items() if (d := as_decimal(v)) is not None}


def check_previous_year(
    sub: Submission, spec: Format, ctx: CheckContext, totals: Mapping[str, Number], bad: set[str]
) -> list[Finding]:
    """R7 (上年结转 = last year's 结转下年度) and R8 across years (现行有效件数)."""
    unit = _previous_unit(sub, ctx)
    if unit is None:
        return []
    prev = _previous_values(unit)
    return _check_carried(sub, spec, prev, totals, bad) + _check_in_force(
        sub, spec, prev, totals, bad
    )


def _check_carried(
    sub: Submission,
    spec: Format,
    prev: Mapping[str, Decimal],
    totals: Mapping[str, Number],
    bad: set[str],
) -> list[Finding]:
    """R7: per column, this year's 上年结转 (R1's second left term) = last year's 结转下年度."""
    findings = []
    for eq in spec.equations:
        carried, carry_over = eq.left[-1], eq.right[-1]
        if eq.rule != "R1" or spec.fields[carried].computed or carried in bad:
            continue
        if carry_over in prev and prev[carry_over] != totals[carried]:
            f = spec.fields[carried]
            message = (
                f"{f.label}为 {fmt(totals[carried])}，但上年报告的「{_short_row(spec, carry_over)}」·"
                f"{f.column_label}为 {fmt(prev[carry_over])}。本年的上年结转数应等于上年的结转下年度数，"
                "请核对。"
            )
            findings.append(
                _finding(
                    "R7",
                    Severity.WARNING,
                    message,
                    sub,
                    (carried,),
                    prev[carry_over],
                    totals[carried],
                )
            )
    return findings


def _check_in_force(
    sub: Submission,
    spec: Format,
    prev: Mapping[str, Decimal],
    totals: Mapping[str, Number],
    bad: set[str],
) -> list[Finding]:
    """R8 (gov2021): 现行有效件数(N) = 现行有效件数(N−1) + 本年制发 − 本年废止."""
    findings = []
    for block in spec.blocks:
        if tuple(c.id for c in block.columns) != STOCK_FLOW:
            continue
        for row in block.rows:
            issued, repealed, in_force = (block.field_id(row, c) for c in block.columns)
            if in_force not in prev or bad.intersection((issued, repealed, in_force)):
                continue
            expected = prev[in_force] + totals[issued] - totals[repealed]
            if expected == totals[in_force]:
                continue
            message = (
                f"{spec.fields[in_force].label}应为 上年现行有效 {fmt(prev[in_force])} + 本年制发 "
                f"{fmt(totals[issued])} − 本年废止 {fmt(totals[repealed])} = {fmt(expected)}，"
                f"实际填写 {fmt(totals[in_force])}。请核对。"
            )
            fields = (in_force, issued, repealed)
            findings.append(
                _finding("R8", Severity.WARNING, message, sub, fields, expected, totals[in_force])
            )
    return findings


# ---------------------------------------------------------------------------------- info, R11, R12

UNIT_NAME, REPORT_YEAR, REPORT_DATE = "unit_name", "report_year", "report_date"


def check_info(sub: Submission, spec: Format, ctx: CheckContext) -> list[Finding]:
    """required-missing, year-mismatch, unit-unknown, R11 (format of the year) and R12 (date)."""
    findings = []
    reported = _reported(sub)
    for f in spec.fields_of("info"):
        if f.required and not f.numeric and not _text(sub, f.id) and f.id not in reported:
            findings.append(
                _finding(
                    "required-missing",
                    Severity.ERROR,
                    f"「基本信息」中的「{f.label}」未填写。请补填后重新报送。",
                    sub,
                    (f.id,),
                )
            )
    raw_year = _text(sub, REPORT_YEAR)
    year = int(raw_year) if raw_year.isdigit() and len(raw_year) == 4 else None
    if raw_year and (year is None or (ctx.year is not None and year != ctx.year)):
        if ctx.year and ctx.from_template and year is not None:
            want = f"与所用模板的年度（{ctx.year}）不符。请使用 {year} 年度的填报模板，或改正年度"
        elif ctx.year:
            want = f"本次收集的是 {ctx.year} 年度的报告。请使用 {ctx.year} 年度模板填报"
        else:
            want = "请填写四位数字年度，如 2025"
        findings.append(
            _finding(
                "year-mismatch",
                Severity.ERROR,
                f"「年度」填写为「{raw_year}」，{want}。",
                sub,
                (REPORT_YEAR,),
                ctx.year,
                raw_year,
            )
        )
    findings += _check_unit(sub, ctx)
    doubtful = ctx.from_template and year is not None and ctx.year not in (None, year)
    # the workspace's year decides the format and the deadline; without a config, a year that
    # disagrees with the template's is already an error (year-mismatch): no R11/R12 on top of it
    year = None if doubtful else ctx.year or year
    if year is not None:
        findings += _check_format_year(sub, spec, ctx, year) + _check_date(sub, ctx, year)
    findings += _check_contact(sub, spec, reported)
    return findings


CONTACT_FIELDS = ("contact_phone", "contact_address")


def _check_contact(sub: Submission, spec: Format, reported: set[str]) -> list[Finding]:
    """contact-missing: the 电话 or 地址 of the report's 联系方式 is blank."""
    empty = [
        fid
        for fid in CONTACT_FIELDS
        if fid in spec.fields and fid in sub.cells and not _text(sub, fid) and fid not in reported
    ]
    if not empty:
        return []
    names = "、".join(f"「{spec.fields[fid].label}」" for fid in empty)
    return [
        _finding(
            "contact-missing",
            Severity.WARNING,
            f"「基本信息」中联系方式的{names}未填写，年度报告将公布联系方式。请补填。",
            sub,
            empty,
        )
    ]


def _abbreviates(short: str, full: str) -> bool:
    """「长乐区人社局」 abbreviates 「长乐区人力资源和社会保障局」: its characters appear in order."""
    rest = iter(full)
    return len(short) >= 2 and all(char in rest for char in short)


def closest_units(name: str, units: Iterable[Unit], n: int = 3) -> list[str]:
    """Roster names a mistyped or abbreviated unit name probably means (names and aliases match)."""
    key = "".join(name.split())
    by_name = {"".join(alias.split()): u.name for u in units for alias in u.names}
    found = [by_name[k] for k in by_name if _abbreviates(key, k)]
    if not found:
        found = [by_name[k] for k in difflib.get_close_matches(key, list(by_name), n=5, cutoff=0.6)]
    return list(dict.fromkeys(found))[:n]


def _check_unit(sub: Submission, ctx: CheckContext) -> list[Finding]:
    name = _text(sub, UNIT_NAME)
    if not ctx.units or not name or ctx.find_unit(name):
        return []
    suggestions = closest_units(name, ctx.units)
    hint = f"是否为：{'、'.join(f'「{s}」' for s in suggestions)}？" if suggestions else ""
    return [
        _finding(
            "unit-unknown",
            Severity.ERROR,
            f"单位名称「{name}」不在本区的单位名单中。{hint}请在「基本信息」中填写名单上的单位全称；"
            "如确属新增单位，请联系区政府办公室加入名单。",
            sub,
            (UNIT_NAME,),
            suggestions,
            name,
        )
    ]


def _check_format_year(
    sub: Submission, spec: Format, ctx: CheckContext, year: int
) -> list[Finding]:
    """R11: only when nobody else says it. A file in another format than the workspace's is the
    reader's template-other-format error; R11 remains for a workspace configured with a format that
    does not fit its year, and for ``workflow check`` without a config."""
    official = format_for_year(year)
    if official == spec.id or (ctx.format is not None and ctx.format != spec.id):
        return []
    return [
        _finding(
            "R11",
            Severity.WARNING,
            f"{year} 年度报告应使用{load_format(official).title}规定的表格，本文件使用的是{spec.title}的表格。"
            "已按本文件的表格格式校验；如上级要求新格式，请改用新模板。",
            sub,
            (REPORT_YEAR,),
            official,
            spec.id,
        )
    ]


def _check_date(sub: Submission, ctx: CheckContext, year: int) -> list[Finding]:
    raw = _text(sub, REPORT_DATE)
    if not raw:
        return []
    try:
        written = date.fromisoformat(raw[:10])
    except ValueError:
        return [
            _finding(
                "R12",
                Severity.WARNING,
                f"成文日期「{raw}」无法识别。请填写为日期，如 {year + 1}-01-20。",
                sub,
                (REPORT_DATE,),
                None,
                raw,
            )
        ]
    try:
        deadline = date.fromisoformat(ctx.deadline) if ctx.deadline else date(year + 1, 1, 31)
    except ValueError:
        deadline = date(year + 1, 1, 31)
    if ctx.today is not None and written > ctx.today:
        message = f"成文日期为 {written.isoformat()}，晚于今天（{ctx.today.isoformat()}）。请核对成文日期。"
    elif written > deadline:
        why = (
            "年度报告应于次年1月31日前公布"
            if deadline == date(year + 1, 1, 31)
            else "本工作区设定的报送时限"
        )
        message = (
            f"成文日期为 {written.isoformat()}，晚于报送时限 {deadline.isoformat()}（{why}）。"
            "请核对成文日期。"
        )
    elif written.year < year:
        message = f"成文日期为 {written.isoformat()}，早于报告年度 {year} 年。请核对成文日期。"
    else:
        return []
    return [
        _finding(
            "R12",
            Severity.WARNING,
            message,
            sub,
            (REPORT_DATE,),
            deadline.isoformat(),
            written.isoformat(),
        )
    ]


# ---------------------------------------------------------------------------------------- the lot


def _clean(mapping: object) -> dict[str, str]:
    if not isinstance(mapping, Mapping):
        return {}
    return {k: v for k, v in mapping.items() if isinstance(k, str) and isinstance(v, str)}


def _others(sub: Submission, ctx: CheckContext) -> dict[str, Mapping[str, str]]:
    """Texts to compare with for 内容雷同: last year's report and other units' this year."""
    others: dict[str, Mapping[str, str]] = {}
    unit = _previous_unit(sub, ctx) if ctx.previous else None
    if unit is not None:
        others["上年报告"] = _clean(unit.get("texts"))
    own = _text(sub, UNIT_NAME)
    own_unit = ctx.find_unit(own)
    own_names = {"".join(n.split()) for n in (own_unit.names if own_unit else (own,))}
    for name, texts in ctx.peers.items():
        if "".join(str(name).split()) not in own_names:
            others[f"「{name}」报告"] = _clean(texts)
    return others


def check_submission(sub: Submission, spec: Format, ctx: CheckContext) -> list[Finding]:
    """Every rule finding of one submission (the reader's own findings are not repeated)."""
    findings = check_info(sub, spec, ctx)
    texts, cells = _clean(sub.texts), _clean(sub.cells)
    if _tables_readable(sub):
        number_findings, bad = check_numbers(sub, spec)
        totals = compute_totals(spec, sub.values)
        findings += number_findings
        findings += check_totals(sub, spec, totals, bad)
        findings += check_balance(sub, spec, totals, bad)
        findings += check_regulations(sub, spec, totals)
        if not bad:
            findings += narrative.check_stated_numbers(spec, totals, texts, cells)
            findings += narrative.check_fees(spec, totals, texts, cells)
            findings += narrative.check_review_wording(spec, totals, texts, cells)
        if ctx.previous:
            findings += check_previous_year(sub, spec, ctx, totals, bad)
    findings += narrative.check_missing_sections(spec, texts, cells)
    findings += narrative.check_copied_text(spec, texts, cells, _others(sub, ctx))
    findings += check_rollup_coverage(sub)
    return findings


def check_rollup_coverage(sub: Submission) -> list[Finding]:
    """A lower level's exported rollup (``rollup_coverage`` in _meta) that lacks some of its units."""
    try:
        coverage = json.loads(sub.meta.get("rollup_coverage", "") or "{}")
        expected, included = int(coverage["expected"]), int(coverage["included"])
        excluded = [str(name) for name in coverage.get("excluded", [])]
    except (ValueError, TypeError, KeyError, AttributeError):
        return []
    if included >= expected:
        return []
    names = "、".join(excluded) or "（未列明）"
    message = (
        f"本文件是下级汇总数，只含其应报 {expected} 个单位中的 {included} 个，未纳入：{names}。"
        "已按提示接收；如需完整数据，请该地区补齐后重新导出报送。"
    )
    return [_finding("rollup-incomplete", Severity.WARNING, message, sub, (), expected, included)]
