"""``workflow check``: check files in place (no inbox, ledger or outbox is touched), optionally
write 回执 and 校验结果 beside them, and describe the results linter-style."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from workflow.check.checker import check_file, load_previous
from workflow.check.feedback import write_feedback
from workflow.domain.check_result import CheckResult
from workflow.domain.findings import SEVERITY_NAMES, Finding
from workflow.domain.records import STATUS_NAMES
from workflow.domain.settings import Settings
from workflow.rules import rule_label

NO_CONFIG_NOTICE = (
    "未使用配置文件：按各文件自带的模板信息（_meta）校验——表格格式、年度按模板所写年度核对，"
    "单位名称按模板所附单位名单核对（模板未附名单的不核对单位名称）。"
)


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
