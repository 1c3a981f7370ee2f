"""Checks against last year's report: R7 (上年结转) and R8 across years (现行有效件数)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from workflow.domain.findings import Finding, Severity
from workflow.domain.numbers import as_decimal, plain_number
from workflow.domain.roster import name_key
from workflow.domain.submission import Number, Submission
from workflow.formats.spec import Format
from workflow.rules.context import CheckContext
from workflow.rules.equations import short_row
from workflow.rules.finding import rule_finding, submission_text
from workflow.rules.info import UNIT_NAME

# gov2021 part 二: in_force(N) = in_force(N−1) + issued − repealed
STOCK_FLOW = ("issued", "repealed", "in_force")


def previous_unit(sub: Submission, ctx: CheckContext) -> Mapping[str, Any] | None:
    """The unit's own entry in last year's summary, when it was accepted."""
    previous = ctx.previous
    units = previous.get("units") if isinstance(previous, Mapping) else None
    if not isinstance(units, list):
        return None
    names = {name_key(n) for n in ctx.names_of(submission_text(sub, UNIT_NAME)) if n}
    for item in units:
        if isinstance(item, Mapping) and name_key(str(item.get("name", ""))) in names:
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
    unit = previous_unit(sub, ctx)
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
                f"{f.label}为 {plain_number(totals[carried])}，但上年报告的「{short_row(spec, carry_over)}」·"
                f"{f.column_label}为 {plain_number(prev[carry_over])}。本年的上年结转数应等于上年的结转下年度数，"
                "请核对。"
            )
            findings.append(
                rule_finding(
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
                f"{spec.fields[in_force].label}应为 上年现行有效 {plain_number(prev[in_force])} + 本年制发 "
                f"{plain_number(totals[issued])} − 本年废止 {plain_number(totals[repealed])} = {plain_number(expected)}，"
                f"实际填写 {plain_number(totals[in_force])}。请核对。"
            )
            fields = (in_force, issued, repealed)
            findings.append(
                rule_finding(
                    "R8", Severity.WARNING, message, sub, fields, expected, totals[in_force]
                )
            )
    return findings
