"""Feedback to a department: a plain-text 回执 (UTF-8 with BOM, so Windows Notepad reads it) for every checked file, and for a file with findings an
annotated copy of its own workbook (offending cells red or yellow with a comment, and a first sheet
校验结果 listing every finding with a link to its cell).

Text that came from the department is written inert: strings are stored as text, never formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import IO

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from workflow.domain.check_result import CheckResult
from workflow.domain.findings import SEVERITY_NAMES, Finding, Severity
from workflow.domain.names import safe_name
from workflow.domain.records import STATUS_NAMES
from workflow.errors import OutputError
from workflow.formats.layout import fit_height, sheet_ref
from workflow.formats.spec import FORMAT_IDS, load_format
from workflow.rules import rule_label
from workflow.store.durable import atomic_write

RESULT_SHEET = "校验结果"
COMMENT_AUTHOR = "报表校验程序"
ANNOTATABLE = (".xlsx", ".xlsm")
FILL = {
    Severity.ERROR: PatternFill("solid", fgColor="FFC7CE"),
    Severity.WARNING: PatternFill("solid", fgColor="FFD966"),
}
FONT_COLOR = {Severity.ERROR: "9C0006", Severity.WARNING: "9C5700"}
HEADERS = (("序号", 6), ("级别", 7), ("规则", 20), ("位置", 22), ("说明", 70))
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def folder_name(result: CheckResult, source: Path) -> str:
    """The feedback folder of a file: its unit's name, or the file's stem when the unit is unknown."""
    return safe_name(result.unit or source.stem, "未知单位")


def write_feedback(
    result: CheckResult, source: Path, out_dir: Path, *, now: datetime, kept: str = ""
) -> dict[str, Path]:
    """Write ``out_dir/<unit>/回执_<stem>.txt`` and, when there are findings, ``校验结果_<stem>.xlsx``.

    ``out_dir`` is the 反馈 folder (outbox/<year>/反馈). Returns {"receipt": …, "annotated": …}; the
    annotated copy is left out when the file has no findings or cannot be opened as a workbook.
    """
    folder = out_dir / folder_name(result, source)
    stem = safe_name(source.stem)
    out: dict[str, Path] = {}
    note = ""
    if result.findings and result.meta.get("source") == "report":
        from workflow.check.report_return import write_report_return

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
    text = receipt_text(result, source, now=now, note=note, kept=kept).replace("\n", "\r\n")
    _write_atomic(receipt, text.encode("utf-8-sig"))
    out["receipt"] = receipt
    return out


# ----------------------------------------------------------------------------------------- receipt


def _plain(text: str) -> str:
    """One line of plain text: no line breaks, no HTML-looking markup."""
    return " ".join(str(text).split()).replace("<", "＜").replace(">", "＞")


def receipt_text(
    result: CheckResult, source: Path, *, now: datetime, note: str = "", kept: str = ""
) -> str:
    """The 回执: who, which file, its SHA-256, when, the verdict, the findings and what to do next.

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
        f"SHA-256：{result.sha256 or '（无法读取）'}",
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


# ---------------------------------------------------------------------------------- annotated copy


def annotate_workbook(result: CheckResult, source: Path, target: Path, *, now: datetime) -> str:
    """Write the annotated copy; return "" on success or a sentence for the receipt saying why not."""
    suffix = source.suffix.lower()
    if suffix not in ANNOTATABLE:
        return f"本文件为 {suffix or '无扩展名'} 格式，无法生成标注副本；建议用 WPS 或 Excel 另存为 .xlsx 后报送。"
    if any(f.rule.startswith("file-") for f in result.findings):
        return "本文件无法作为工作簿打开，未生成标注副本。"
    try:
        wb = openpyxl.load_workbook(source, keep_vba=suffix == ".xlsm", rich_text=True)
    except Exception:  # openpyxl raises many types for a damaged file; the receipt says so
        return "本文件无法作为工作簿打开，未生成标注副本。"
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]  # a resubmitted annotated copy: replace the old list
    _mark_cells(wb, result.findings)
    _result_sheet(wb, result, source, now)
    _save_atomic(target, wb.save)
    return ""


def split_ref(ref: str) -> tuple[str, str]:
    """``"三、依申请公开!C8"`` or ``"'三、依申请公开'!C8"`` → (sheet, "C8")."""
    sheet, _, coord = ref.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, coord.replace("$", "")


def _anchor(ws: Worksheet, coord: str) -> Cell | MergedCell:
    """The cell to mark: the top-left cell of a merged range."""
    cell = ws[coord]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if coord in rng:
                return ws.cell(rng.min_row, rng.min_col)
    return cell


def _mark_cells(wb: Workbook, findings: Iterable[Finding]) -> None:
    marks: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        for ref in f.cells:
            sheet, coord = split_ref(ref)
            if sheet in wb.sheetnames and coord:
                marks.setdefault((sheet, coord), []).append(f)
    for (sheet, coord), found in marks.items():
        try:
            cell = _anchor(wb[sheet], coord)
        except (ValueError, KeyError):
            continue
        worst = Severity.ERROR if any(f.is_error for f in found) else Severity.WARNING
        cell.fill = FILL[worst]
        text = "\n".join(
            f"【{SEVERITY_NAMES[f.severity]} {rule_label(f.rule)}】{f.message}" for f in found
        )
        old = cell.comment
        if old is not None and old.author != COMMENT_AUTHOR:
            text = f"{old.text}\n——\n{text}"
        comment = Comment(text, COMMENT_AUTHOR)
        comment.width, comment.height = (
            360,
            min(400, 40 + 18 * (len(text) // 22 + text.count("\n"))),
        )
        cell.comment = comment


def _put(ws: Worksheet, row: int, col: int, value: str | int) -> Cell | MergedCell:
    """Write a value; a string is always stored as text (never a formula)."""
    cell = ws.cell(row, col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _result_sheet(wb: Workbook, result: CheckResult, source: Path, now: datetime) -> None:
    ws = wb.create_sheet(RESULT_SHEET, 0)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    wb.active = 0
    ws.sheet_view.tabSelected = True
    ws.sheet_properties.tabColor = "C00000" if result.errors else "FFC000"
    for i, (_title, width) in enumerate(HEADERS, start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    verdict = STATUS_NAMES[result.status]
    counts = f"错误 {len(result.errors)} 个，提示 {len(result.warnings)} 个"
    _put(ws, 1, 1, f"校验结果：{verdict}（{counts}）").font = Font(bold=True, size=14)
    info = f"单位：{result.unit or '（未能识别）'}　文件：{source.name}　校验时间：{now.strftime('%Y-%m-%d %H:%M')}"
    _put(ws, 2, 1, info)
    _put(
        ws,
        3,
        1,
        "红色为错误（须改正后重新报送），黄色为提示（请核对）。点击“位置”可跳到该单元格，批注中有说明。",
    )
    ws.merge_cells("A1:E1")
    ws.merge_cells("A2:E2")
    ws.merge_cells("A3:E3")
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    for i, (title, _) in enumerate(HEADERS, start=1):
        cell = _put(ws, 4, i, title)
        cell.font, cell.fill, cell.border = Font(bold=True), header_fill, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for n, f in enumerate(result.findings, start=1):
        _finding_row(ws, 4 + n, n, f)
    ws.freeze_panes = "A5"
    ws.print_title_rows = "4:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _finding_row(ws: Worksheet, row: int, n: int, f: Finding) -> None:
    where = f.cells[0] if f.cells else "整个文件"
    values: tuple[str | int, ...] = (
        n,
        SEVERITY_NAMES[f.severity],
        rule_label(f.rule),
        where,
        f.message,
    )
    for col, value in enumerate(values, start=1):
        cell = _put(ws, row, col, value)
        cell.border = _BORDER
        cell.alignment = Alignment(
            vertical="top", wrap_text=col >= 3, horizontal="center" if col <= 2 else None
        )
    level = ws.cell(row, 2)
    level.fill = FILL[f.severity]
    level.font = Font(bold=True, color=FONT_COLOR[f.severity])
    if f.cells:
        sheet, coord = split_ref(f.cells[0])
        link = ws.cell(row, 4)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=sheet_ref(sheet, coord))
        link.font = Font(color="0563C1", underline="single")
    ws.row_dimensions[row].height = fit_height(f.message, HEADERS[4][1])


def _write_atomic(path: Path, data: bytes) -> None:
    _save_atomic(path, lambda stream: stream.write(data))


def _save_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """A durable, atomic write (``store.durable``); a failure becomes one Chinese OutputError."""
    try:
        atomic_write(path, write)
    except OSError as exc:
        raise OutputError(f"无法写出 {path}：{exc.strerror}") from exc
