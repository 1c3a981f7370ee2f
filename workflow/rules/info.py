"""The 基本信息 checks: required-missing, year-mismatch, unit-unknown, contact-missing, R11, R12."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date

from workflow.domain.findings import Finding, Severity
from workflow.domain.roster import Unit, name_key
from workflow.domain.submission import Submission
from workflow.formats.spec import Format, format_for_year, load_format
from workflow.rules.context import CheckContext
from workflow.rules.finding import reported_fields, rule_finding, submission_text

UNIT_NAME, REPORT_YEAR, REPORT_DATE = "unit_name", "report_year", "report_date"


def check_info(sub: Submission, spec: Format, ctx: CheckContext) -> list[Finding]:
    """required-missing, year-mismatch, unit-unknown, R11 (format of the year) and R12 (date)."""
    findings = []
    reported = reported_fields(sub)
    for f in spec.fields_of("info"):
        if f.required and not f.numeric and not submission_text(sub, f.id) and f.id not in reported:
            findings.append(
                rule_finding(
                    "required-missing",
                    Severity.ERROR,
                    f"「基本信息」中的「{f.label}」未填写。请补填后重新报送。",
                    sub,
                    (f.id,),
                )
            )
    raw_year = submission_text(sub, REPORT_YEAR)
    year = (
        int(raw_year) if raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4 else None
    )
    findings += _check_year(sub, ctx, raw_year, year)
    findings += _check_unit(sub, ctx)
    doubtful = ctx.from_template and year is not None and ctx.year not in (None, year)
    # the workspace's year decides the format and the deadline; without a config, a year that
    # disagrees with the template's is already an error (year-mismatch): no R11/R12 on top of it
    year = None if doubtful else ctx.year or year
    if year is not None:
        findings += _check_format_year(sub, spec, ctx, year) + _check_date(sub, ctx, year)
    findings += _check_contact(sub, spec, reported)
    return findings


def _check_year(
    sub: Submission, ctx: CheckContext, raw_year: str, year: int | None
) -> list[Finding]:
    """year-mismatch: the 年度 is not four digits, or not the workspace's (or the template's) year."""
    if not raw_year or (year is not None and (ctx.year is None or year == ctx.year)):
        return []
    if ctx.year and ctx.from_template and year is not None:
        want = f"与所用模板的年度（{ctx.year}）不符。请使用 {year} 年度的填报模板，或改正年度"
    elif ctx.year:
        want = f"本次收集的是 {ctx.year} 年度的报告。请使用 {ctx.year} 年度模板填报"
    else:
        want = "请填写四位数字年度，如 2025"
    return [
        rule_finding(
            "year-mismatch",
            Severity.ERROR,
            f"「年度」填写为「{raw_year}」，{want}。",
            sub,
            (REPORT_YEAR,),
            ctx.year,
            raw_year,
        )
    ]


CONTACT_FIELDS = ("contact_phone", "contact_address")


def _check_contact(sub: Submission, spec: Format, reported: set[str]) -> list[Finding]:
    """contact-missing: the 电话 or 地址 of the report's 联系方式 is blank."""
    empty = [
        fid
        for fid in CONTACT_FIELDS
        if fid in spec.fields
        and fid in sub.cells
        and not submission_text(sub, fid)
        and fid not in reported
    ]
    if not empty:
        return []
    names = "、".join(f"「{spec.fields[fid].label}」" for fid in empty)
    return [
        rule_finding(
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
    key = name_key(name)
    by_name = {name_key(alias): u.name for u in units for alias in u.names}
    found = [by_name[k] for k in by_name if _abbreviates(key, k)]
    if not found:
        found = [by_name[k] for k in difflib.get_close_matches(key, list(by_name), n=5, cutoff=0.6)]
    return list(dict.fromkeys(found))[:n]


def _check_unit(sub: Submission, ctx: CheckContext) -> list[Finding]:
    name = submission_text(sub, UNIT_NAME)
    if not ctx.units or not name or ctx.find_unit(name):
        return []
    suggestions = closest_units(name, ctx.units)
    hint = f"是否为：{'、'.join(f'「{s}」' for s in suggestions)}？" if suggestions else ""
    return [
        rule_finding(
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
        rule_finding(
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
    raw = submission_text(sub, REPORT_DATE)
    if not raw:
        return []
    try:
        written = date.fromisoformat(raw[:10])
    except ValueError:
        return [
            rule_finding(
                "R12",
                Severity.WARNING,
                f"成文日期「{raw}」无法识别。请填写为日期，如 {year + 1}-01-20。",
                sub,
                (REPORT_DATE,),
                None,
                raw,
            )
        ]
    deadline = _deadline(ctx, year)
    year_end = date(year, 12, 31)
    if written < year_end:
        return [
            rule_finding(
                "R12",
                Severity.ERROR,
                f"成文日期为 {written.isoformat()}，早于报告年度的最后一天（{year}年12月31日）："
                f"年度报告只能在统计期限结束后成文。请填写实际成文日期，如 {year + 1}-01-20。",
                sub,
                (REPORT_DATE,),
                year_end.isoformat(),
                written.isoformat(),
            )
        ]
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
    else:
        return []
    return [
        rule_finding(
            "R12",
            Severity.WARNING,
            message,
            sub,
            (REPORT_DATE,),
            deadline.isoformat(),
            written.isoformat(),
        )
    ]


def _deadline(ctx: CheckContext, year: int) -> date:
    """The workspace's unit deadline, or 1月31日 of the next year (also when it is not a date)."""
    try:
        return date.fromisoformat(ctx.deadline) if ctx.deadline else date(year + 1, 1, 31)
    except ValueError:
        return date(year + 1, 1, 31)
