"""Checking one department file end to end: read it, apply every rule, and say accepted or rejected.

``check_file`` is what the pipeline calls for each inbox file; the ``workflow check`` command is in
``workflow.check.command``. The result is ``workflow.domain.check_result.CheckResult``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from workflow.domain.check_result import CheckResult
from workflow.domain.findings import Finding, Severity, sort_findings
from workflow.domain.settings import Settings
from workflow.domain.submission import Submission
from workflow.domain.summary_json import load_summary
from workflow.errors import ConfigError
from workflow.formats.spec import DEFAULT_FORMAT, FORMAT_IDS, load_format
from workflow.rules import CheckContext, check_submission, compute_totals
from workflow.store.durable import sha256_file

UNREADABLE_RULES = frozenset(
    {
        "file-not-spreadsheet",
        "file-unsupported",
        "file-corrupt",
        "file-encrypted",
        "file-empty",
        "file-too-large",
        "file-unreadable",
    }
)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes; "" when the file cannot be read."""
    try:
        return sha256_file(path)
    except OSError:
        return ""


def context_for(
    settings: Settings | None,
    previous: Mapping[str, Any] | None,
    now: datetime,
    peers: Mapping[str, Mapping[str, str]] | None = None,
) -> CheckContext:
    """What a file is checked against: the workspace's year, roster and deadline, or nothing."""
    if settings is None:
        return CheckContext(previous=previous, today=now.date(), peers=peers or {})
    return CheckContext(
        year=settings.year,
        units=settings.units,
        deadline=settings.unit_deadline,
        previous=previous,
        peers=peers or {},
        today=now.date(),
        format=settings.format,
    )


def context_from_meta(ctx: CheckContext, meta: Mapping[str, str]) -> CheckContext:
    """Without a workspace config: the year and the roster the template itself carries (_meta)."""
    from dataclasses import replace

    from workflow.domain.roster import Unit

    year = _year(meta.get("year", ""))
    names = [n.strip() for n in meta.get("roster", "").split("\n") if n.strip()]
    units = tuple(Unit(name=n) for n in dict.fromkeys(names))
    return replace(ctx, year=year, units=units, from_template=True)


def _read(path: Path, settings: Settings | None) -> Submission:
    from workflow.read.limits import Limits
    from workflow.read.report.reader import is_report, read_report
    from workflow.read.workbook import read_workbook

    if is_report(path):  # a published 年度报告 (Word, PDF, web page, text)
        return read_report(path, expected_format=settings.format if settings else None)

    if settings is None:
        return read_workbook(path)
    return read_workbook(
        path,
        expected_format=settings.format,
        blank_policy=settings.blank_policy,
        limits=Limits.for_max_file_mb(settings.max_file_mb),
        year=settings.year,
    )


def check_file(
    path: Path,
    settings: Settings | None,
    *,
    now: datetime,
    previous: Mapping[str, Any] | None = None,
    peers: Mapping[str, Mapping[str, str]] | None = None,
) -> CheckResult:
    """Read and check one file. Never raises for a bad file: its problems are findings.

    ``previous`` is last year's summary.json (R7, R8, R13); ``peers`` maps other units' names to
    their narrative texts this year (R13 内容雷同 between units).
    """
    sub = _read(path, settings)
    return result_for(
        sub, path, file_sha256(path), settings, now=now, previous=previous, peers=peers
    )


def result_for(
    sub: Submission,
    path: Path,
    sha256: str,
    settings: Settings | None,
    *,
    now: datetime,
    previous: Mapping[str, Any] | None = None,
    peers: Mapping[str, Mapping[str, str]] | None = None,
) -> CheckResult:
    """Check an already-read submission (the reader's findings are kept)."""
    fallback = settings.format if settings else DEFAULT_FORMAT
    spec = load_format(sub.format if sub.format in FORMAT_IDS else fallback)
    ctx = context_for(settings, previous, now, peers)
    if settings is None:
        ctx = context_from_meta(ctx, sub.meta)
    readable = not any(f.rule in UNREADABLE_RULES for f in sub.findings)
    if not readable:  # only the file-level finding: nothing else can be said about the content
        found = [f for f in sub.findings if f.rule in UNREADABLE_RULES][:1]
    elif any(f.rule == "template-other-format" for f in sub.findings):
        found = [f for f in sub.findings if not f.cells]  # refill the right template: one error
    else:
        found = [*sub.findings, *check_submission(sub, spec, ctx)]
    findings = sort_findings(found)
    name = sub.texts.get("unit_name", "") if isinstance(sub.texts.get("unit_name"), str) else ""
    unit = ctx.find_unit(name)
    texts = {k: v for k, v in sub.texts.items() if isinstance(v, str)}
    return CheckResult(
        file=str(path),
        sha256=sha256,
        unit=unit.name if unit else name.strip(),
        year=_year(texts.get("report_year", "")),
        format=spec.id,
        status="rejected" if any(f.is_error for f in findings) else "accepted",
        readable=readable,
        values=compute_totals(spec, sub.values) if readable else {},
        texts=texts,
        cells={k: v for k, v in sub.cells.items() if isinstance(v, str)},
        findings=findings,
        meta={k: str(v) for k, v in sub.meta.items()},
    )


CHECK_FAILED = "file-check-failed"


def unchecked_result(path: Path, unit: str, format_id: str, exc: BaseException) -> CheckResult:
    """A file the checker failed on: rejected with one finding that says so (the pass goes on;
    the traceback is in the log, not in front of the department)."""
    message = (
        f"本文件无法校验：程序在读取或检查本文件时出错（{type(exc).__name__}），未能得出结论，"
        "因此未纳入汇总。请用 Excel 或 WPS 打开本文件，确认各表内容无误后“另存为”新的 .xlsx 文件"
        "重新报送；如仍出现本提示，请联系区政务公开办（已记录，转交维护人员）。"
    )
    return CheckResult(
        file=str(path),
        sha256=file_sha256(path),
        unit=unit,
        year=None,
        format=format_id,
        status="rejected",
        findings=[Finding(CHECK_FAILED, Severity.ERROR, message)],
        readable=False,
    )


def _year(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) == 4 else None


def load_previous(settings: Settings | None) -> dict[str, Any] | None:
    """Last year's summary.json named by [previous] summary, or the same structure built from the
    folder of last year's published reports named by [previous] reports (a folder named by
    ``summary`` is read as reports too); None when neither is configured."""
    if settings is None:
        return None
    folder = settings.previous_reports
    summary = settings.previous_summary
    if folder is None and summary is not None and settings.path(summary).is_dir():
        folder = summary
    if folder is not None:
        from workflow.check.previous_reports import previous_from_reports

        where = settings.path(folder)
        if not where.is_dir():
            raise ConfigError(f"[previous] reports 指定的上年年度报告文件夹 {where} 不存在。")
        return previous_from_reports(settings, where)
    if settings.previous_summary is None:
        return None
    path = settings.path(settings.previous_summary)
    try:
        data = load_summary(path.read_text("utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"[previous] summary 指定的上年汇总文件 {path} 不存在。") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"无法读取上年汇总文件 {path}：{exc}") from exc
    if not isinstance(data.get("units"), list):
        raise ConfigError(f"上年汇总文件 {path} 不是本程序生成的 summary.json（缺少 units）。")
    return data
