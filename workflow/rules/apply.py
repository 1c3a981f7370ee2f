"""The consistency rules (勾稽关系) of the reference, applied to one submission. Pure: no I/O, no clock.

``check_submission`` returns every finding of a submission at once; the rules themselves live in
``workflow.rules.numbers`` (R5), ``workflow.rules.equations`` (R1–R4), ``workflow.rules.info`` (基本信息,
R11, R12), ``workflow.rules.previous_year`` (R7, R8 across years) and ``workflow.rules.narrative`` (text rules);
totals are computed in ``workflow.rules.totals``. Rule ids are the reference's R-numbers, or short
kebab-case ids for the checks that are not one of them (see docs/rules.md and ``workflow.rules.ids``).
The package's public face is ``workflow.rules`` (``__init__``); everything else is imported from the
module that defines it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from workflow.domain.findings import Finding, Severity
from workflow.domain.numbers import plain_number
from workflow.domain.roster import RULE_MAKING_CATEGORIES, name_key
from workflow.domain.submission import Number, Submission
from workflow.formats.spec import Format
from workflow.rules import narrative
from workflow.rules.context import CheckContext
from workflow.rules.equations import check_balance, check_totals
from workflow.rules.finding import rule_finding, submission_text, tables_readable
from workflow.rules.info import UNIT_NAME, check_info
from workflow.rules.numbers import check_numbers
from workflow.rules.previous_year import check_previous_year, previous_unit
from workflow.rules.totals import compute_totals

# Row ids with a meaning of their own (the public contract, §3 of the reference).
REGULATIONS_ROW = "rules"  # 规章: 区县 units make none (R8)


def check_regulations(
    sub: Submission, spec: Format, totals: Mapping[str, Number], category: str = ""
) -> list[Finding]:
    """R8 within the year: 区县 units make no 规章, so every 规章 cell is 0 (市级部门 and 设区的市
    may issue 规章: no finding for them)."""
    if category in RULE_MAKING_CATEGORIES:
        return []
    findings = []
    for f in spec.fields_of("active"):
        if f.row == REGULATIONS_ROW and totals.get(f.id, 0) > 0:
            findings.append(
                rule_finding(
                    "R8",
                    Severity.WARNING,
                    f"{f.label}填写为 {plain_number(totals[f.id])}。区县级部门、街道乡镇不制定规章，该格一般应为 0；"
                    "如填的是行政规范性文件，请改填到「行政规范性文件」行。",
                    sub,
                    (f.id,),
                    0,
                    totals[f.id],
                )
            )
    return findings


def _clean(mapping: object) -> dict[str, str]:
    if not isinstance(mapping, Mapping):
        return {}
    return {k: v for k, v in mapping.items() if isinstance(k, str) and isinstance(v, str)}


def _others(sub: Submission, ctx: CheckContext) -> dict[str, Mapping[str, str]]:
    """Texts to compare with for 内容雷同: last year's report and other units' this year."""
    others: dict[str, Mapping[str, str]] = {}
    unit = previous_unit(sub, ctx) if ctx.previous else None
    if unit is not None:
        others["上年报告"] = _clean(unit.get("texts"))
    own_names = {name_key(n) for n in ctx.names_of(submission_text(sub, UNIT_NAME))}
    for name, texts in ctx.peers.items():
        if name_key(str(name)) not in own_names:
            others[f"「{name}」报告"] = _clean(texts)
    return others


def check_submission(sub: Submission, spec: Format, ctx: CheckContext) -> list[Finding]:
    """Every rule finding of one submission (the reader's own findings are not repeated)."""
    findings = check_info(sub, spec, ctx)
    texts, cells = _clean(sub.texts), _clean(sub.cells)
    if tables_readable(sub):
        number_findings, bad = check_numbers(sub, spec)
        totals = compute_totals(spec, sub.values)
        findings += number_findings
        findings += check_totals(sub, spec, totals, bad)
        findings += check_balance(sub, spec, totals, bad)
        unit = ctx.find_unit(submission_text(sub, UNIT_NAME))
        findings += check_regulations(sub, spec, totals, unit.category if unit else "")
        if not bad:
            findings += narrative.check_stated_numbers(spec, totals, texts, cells)
            given = set(sub.values) if sub.meta.get("source") == "report" else None
            findings += narrative.check_fees(spec, totals, texts, cells, given)
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
    return [
        rule_finding("rollup-incomplete", Severity.WARNING, message, sub, (), expected, included)
    ]
