"""Checking one department file end to end: read it, apply every rule, and say accepted or rejected.

``check_file`` is what the pipeline calls for each inbox file; ``check_paths`` and ``describe`` are the
``workflow check`` command (files checked in place: no inbox, ledger or outbox is touched).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from workflow.domain.findings import SEVERITY_NAMES, Finding, Severity, sort_findings
from workflow.domain.settings import Settings
from workflow.domain.submission import Number, Submission
from workflow.domain.summary_json import load_summary
from workflow.errors import ConfigError
from workflow.formats.spec import DEFAULT_FORMAT, FORMAT_IDS, load_format
from workflow.rules import CheckContext, check_submission, compute_totals, rule_label
from workflow.store.durable import sha256_file

Status = Literal["accepted", "rejected"]
STATUS_NAMES: dict[str, str] = {"accepted": "已通过", "rejected": "未通过"}
NO_CONFIG_NOTICE = (
    "未使用配置文件：按各文件自带的模板信息（_meta）校验——表格格式、年度按模板所写年度核对，"
    "单位名称按模板所附单位名单核对（模板未附名单的不核对单位名称）。"
)
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


@dataclass
class CheckResult:
    """The outcome of checking one file. ``values`` holds every numeric field, totals computed."""

    file: str
    sha256: str
    unit: str
    year: int | None
    format: str
    status: Status
    values: dict[str, Number] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    feedback: dict[str, Path] = field(default_factory=dict)  # filled by check_paths(--feedback)
    readable: bool = True  # False: the file could not be read as a workbook at all

    @property
    def format_read(self) -> str | None:
        """The table format read from the file, None when no workbook was read."""
        return self.format if self.readable else None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def to_json(self) -> dict[str, Any]:
        """The issue-3 shape: file, sha256, unit, year, format, status, values, findings."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "unit": self.unit,
            "year": self.year,
            "format": self.format_read,
            "status": self.status,
            "values": {k: _json_number(v) for k, v in self.values.items()},
            "findings": [f.to_json() for f in self.findings],
        }


def _json_number(value: Number) -> int | float:
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


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


def _year(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) == 4 else None


def load_previous(settings: Settings | None) -> dict[str, Any] | None:
    """Last year's summary.json named by [previous] summary, or None when none is configured."""
    if settings is None or settings.previous_summary is None:
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


def check_paths(
    paths: Sequence[Path],
    settings: Settings | None,
    *,
    now: datetime,
    feedback_dir: Path | None = None,
) -> list[CheckResult]:
    """``workflow check``: check each file in place; with ``feedback_dir`` also write 回执 and 校验结果."""
    previous = load_previous(settings)
    results = []
    for path in paths:
        result = check_file(path, settings, now=now, previous=previous)
        if feedback_dir is not None:
            from workflow.check.feedback import write_feedback

            result.feedback = write_feedback(result, path, feedback_dir, now=now)
        results.append(result)
    return results


def finding_line(finding: Finding) -> str:
    """One linter-style line: ``三、依申请公开!C8: 错误 R1（勾稽关系：…） …``."""
    where = finding.cells[0] if finding.cells else "（文件）"
    return (
        f"{where}: {SEVERITY_NAMES[finding.severity]} {rule_label(finding.rule)} {finding.message}"
    )


def summary_line(result: CheckResult) -> str:
    counts = f"错误 {len(result.errors)} 个，提示 {len(result.warnings)} 个"
    unit = f"（{result.unit}）" if result.unit else ""
    return f"{Path(result.file).name}{unit}：{STATUS_NAMES[result.status]}，{counts}。"


def describe(results: Iterable[CheckResult]) -> str:
    """Human output of ``workflow check``: findings grouped per file, then a summary line per file."""
    blocks = []
    for result in results:
        lines = [f"== {result.file}"]
        lines += [f"  {finding_line(f)}" for f in result.findings]
        lines += [f"  {path_line}" for path_line in _feedback_lines(result)]
        lines.append(summary_line(result))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _feedback_lines(result: CheckResult) -> list[str]:
    names = {"receipt": "回执", "annotated": "校验结果"}
    return [f"已写出{names.get(k, k)}：{p}" for k, p in result.feedback.items()]
