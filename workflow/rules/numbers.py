"""R5: every input number is valid for its kind (counts, money, signed changes)."""

from __future__ import annotations

from workflow.domain.findings import Finding, Severity
from workflow.domain.numbers import plain_number
from workflow.domain.submission import Number, Submission
from workflow.formats.spec import PART_NAMES, Format
from workflow.rules.finding import reported_fields, rule_finding
from workflow.rules.totals import as_number

# more unreadable table cells than this → one finding instead of one per cell
MISSING_SUMMARY_LIMIT = 10

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
    reported = reported_fields(sub)
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
                rule_finding(
                    "R5",
                    Severity.ERROR,
                    f"{f.label}填写为「{plain_number(raw)}」，{_KIND_RULE[f.kind]}。请改正。",
                    sub,
                    (f.id,),
                    None,
                    plain_number(raw),
                )
            )
    return findings + _missing_findings(sub, spec, missing), bad


def _missing_findings(sub: Submission, spec: Format, missing: list[str]) -> list[Finding]:
    """R5 for table cells the reader found no number in: one each, or one for them all."""
    if len(missing) > MISSING_SUMMARY_LIMIT:
        return [
            rule_finding(
                "R5",
                Severity.ERROR,
                f"有 {len(missing)} 个表格数字未能读取（如{spec.fields[missing[0]].label}）。"
                "请使用本年度填报模板，逐格填写数字，没有的填 0。",
                sub,
                missing,
            )
        ]
    return [
        rule_finding(
            "R5",
            Severity.ERROR,
            f"未能读取{spec.fields[fid].label}的数字。请在该格填写数字，没有的填 0。",
            sub,
            (fid,),
        )
        for fid in missing
    ]
