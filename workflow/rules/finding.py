"""A rule's finding on a submission: its texts and cells, and what the reader already reported."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from workflow.domain.findings import Finding, Severity
from workflow.domain.submission import Submission


def submission_text(sub: Submission, key: str) -> str:
    """A text field of the submission, stripped ("" when missing or not text)."""
    value = sub.texts.get(key, "") if isinstance(sub.texts, Mapping) else ""
    return value.strip() if isinstance(value, str) else ""


def _cells(sub: Submission, fields: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for f in fields:
        cell = sub.cells.get(f) if isinstance(sub.cells, Mapping) else None
        if isinstance(cell, str) and cell and cell not in out:
            out.append(cell)
    return tuple(out)


def rule_finding(
    rule: str,
    severity: Severity,
    message: str,
    sub: Submission,
    fields: Iterable[str],
    expected: object = None,
    actual: object = None,
    marked: Iterable[str] | None = None,
) -> Finding:
    """A finding on ``fields``; its cells (what the annotated copy marks) are those of ``marked``
    when given (the cells a clerk should look at), else of every field."""
    fields = tuple(dict.fromkeys(fields))
    cells = _cells(sub, fields if marked is None else marked)
    return Finding(rule, severity, message, fields, cells, expected, actual)


def reported_fields(sub: Submission) -> set[str]:
    """Fields the reader already reported (one problem, one finding)."""
    return {f for finding in sub.findings for f in finding.fields}


def tables_readable(sub: Submission) -> bool:
    file_level_error = any(f.is_error and not f.fields for f in sub.findings)
    return bool(sub.values) or not file_level_error
