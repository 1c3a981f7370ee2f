"""Feedback to a department: a plain-text 回执 (UTF-8 with BOM, so Windows Notepad reads it) for
every checked file, and for a file with findings an annotated copy of its own workbook
(``check.annotate``) or, for a published report, a pre-filled template (``check.report_return``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from workflow.check.annotate import annotate_workbook, save_atomic
from workflow.check.report_return import write_report_return
from workflow.domain.check_result import CheckResult
from workflow.domain.findings import SEVERITY_NAMES
from workflow.domain.names import safe_name
from workflow.domain.records import STATUS_NAMES
from workflow.formats.spec import FORMAT_IDS, load_format
from workflow.rules import rule_label


def folder_name(result: CheckResult, source: Path) -> str:
    """The feedback folder of a file: its unit's name, or the file's stem when the unit is unknown."""
    return safe_name(result.unit or source.stem, "未知单位")


def write_feedback(
    result: CheckResult,
    source: Path,
    out_dir: Path,
    *,
    now: datetime,
    kept: str = "",
    publish_by: str = "",
) -> dict[str, Path]:
    """Write ``out_dir/<unit>/回执_<stem>.txt`` and, when there are findings, ``校验结果_<stem>.xlsx``.

    ``out_dir`` is the 反馈 folder (outbox/<year>/反馈). Returns {"receipt": …, "annotated": …}; the
    annotated copy is left out when the file has no findings or cannot be opened as a workbook.
    ``publish_by`` (YYYY-MM-DD, given by the pass, which writes the unit reports) makes the receipt
    of an accepted file say that the unit report is generated and by when to publish it.
    """
    folder = out_dir / folder_name(result, source)
    stem = safe_name(source.stem)
    out: dict[str, Path] = {}
    note = ""
    if result.findings and result.meta.get("source") == "report":
        target = folder / f"校验结果_{stem}.xlsx"
        written, note = write_report_return(result, source, target, now=now)
        if written:
            out["annotated"] = target
    elif result.findings:
        suffix = source.suffix.lower()
        target = folder / f"校验结果_{stem}{'.xlsm' if suffix == '.xlsm' else '.xlsx'}"
        note = annotate_workbook(result, source, target, now=now)
        if not note:
            out["annotated"] = target
    receipt = folder / f"回执_{stem}.txt"
    text = receipt_text(result, source, now=now, note=note, kept=kept, publish_by=publish_by)
    text = text.replace("\n", "\r\n")
    _write_atomic(receipt, text.encode("utf-8-sig"))
    out["receipt"] = receipt
    return out


# ----------------------------------------------------------------------------------------- receipt


def _plain(text: str) -> str:
    """One line of plain text: no line breaks, no HTML-looking markup."""
    return " ".join(str(text).split()).replace("<", "＜").replace(">", "＞")


def receipt_text(
    result: CheckResult,
    source: Path,
    *,
    now: datetime,
    note: str = "",
    kept: str = "",
    publish_by: str = "",
) -> str:
    """The 回执: who, which file, when, the verdict, the findings and what to do next (the file's
    SHA-256 is in the archive and the rollup's 数据来源 sheet, not here: a clerk cannot use it).

    ``kept`` names the unit's earlier accepted file that still counts when this one is rejected."""
    errors, warnings = len(result.errors), len(result.warnings)
    read = result.format_read
    fmt = load_format(read).title if read in FORMAT_IDS else (read or "（未能读取）")
    lines = [
        "政府信息公开工作年度报告 报送回执",
        "=" * 34,
        "",
        f"单位：{_plain(result.unit) or '（未能识别）'}",
        f"文件名：{_plain(source.name)}",
        f"接收时间：{now.strftime('%Y-%m-%d %H:%M')}",
        f"年度：{result.year or '（未能识别）'}　表格格式：{fmt}",
        f"结论：{STATUS_NAMES[result.status]}（错误 {errors} 个，提示 {warnings} 个）",
        "",
    ]
    if result.findings:
        lines += ["【问题清单】", ""]
        for i, f in enumerate(result.findings, start=1):
            where = f.cells[0] if f.cells else "整个文件"
            level, rule = SEVERITY_NAMES[f.severity], rule_label(f.rule)
            lines.append(f"{i}. {level} {rule}　{_plain(where)}：{_plain(f.message)}")
        lines.append("")
    lines += ["【下一步】", "", _next_step(result, source, note), ""]
    if publish_by and result.status == "accepted":
        lines += [_publish_step(result, publish_by, now), ""]
    if kept and result.status == "rejected":
        lines += [
            f"注意：本单位此前报送的「{_plain(kept)}」已通过校验，汇总目前仍使用该版本；"
            "本次更正未通过，改正后重新报送才会替换。",
            "",
        ]
    return "\n".join(lines)


def _next_step(result: CheckResult, source: Path, note: str) -> str:
    annotated = (
        f"随附的《校验结果_{source.stem}》中，问题单元格已标红（错误）或标黄（提示）并附批注。"
    )
    if note:
        annotated = note
    if result.status == "rejected":
        return (
            f"本文件未通过校验，不能纳入汇总。请按上述问题逐项修改：{annotated}"
            "修改后将文件重新报送到收件箱，以最后一次报送的文件为准。"
        )
    if result.findings:
        return (
            f"本文件已通过校验。上述提示请核对：{annotated}"
            "如需修改，修改后重新报送到收件箱即可，以最后一次报送的文件为准。"
        )
    return "本文件已通过校验，未发现问题。"


def _publish_step(result: CheckResult, publish_by: str, now: datetime) -> str:
    """What happens to an accepted file: the unit report, and the date to publish it by."""
    year = f"{result.year}" if result.year else "本"
    publish = "在本单位网站的政府信息公开年报栏目公布"
    try:
        d = datetime.strptime(publish_by, "%Y-%m-%d").date()
        due = f"{d.year}年{d.month}月{d.day}日"
        when = (
            f"公布期限（{due}）已过，请尽快{publish}" if now.date() > d else f"于{due}前{publish}"
        )
    except ValueError:
        when = f"于次年1月31日前{publish}"
    return (
        f"本文件已纳入{year}年度汇总。系统据此生成本单位的年度报告（Word 和 PDF），"
        f"放在输出文件夹“{result.year or '年度'} → 单位报告”中；请核对报告内容，{when}。"
        "报告有误的，改正报送文件后重新报送，报告会随之更新。"
    )


# ---------------------------------------------------------------------------------- annotated copy


def _write_atomic(path: Path, data: bytes) -> None:
    save_atomic(path, lambda stream: stream.write(data))
