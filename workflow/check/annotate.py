"""The annotated copy of a department's own workbook: offending cells red or yellow with a comment,
and a first sheet 校验结果 listing every finding with a link to its cell. Text that came from the
department is written inert: strings are stored as text, never formulas."""

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

from workflow.check.xlsx_links import LINKED
from workflow.check.xlsx_marks import COMMENT_AUTHOR, RESULT_SHEET, annotated_bytes
from workflow.check.xlsx_result import split_ref
from workflow.domain.check_result import CheckResult
from workflow.domain.findings import SEVERITY_NAMES, Finding, Severity
from workflow.domain.records import STATUS_NAMES
from workflow.errors import OutputError
from workflow.formats.layout import fit_height, sheet_ref
from workflow.rules import rule_label
from workflow.store.durable import atomic_write

ANNOTATABLE = (".xlsx", ".xlsm")
FILL = {
    Severity.ERROR: PatternFill("solid", fgColor="FFC7CE"),
    Severity.WARNING: PatternFill("solid", fgColor="FFD966"),
}
FONT_COLOR = {Severity.ERROR: "9C0006", Severity.WARNING: "9C5700"}
HEADERS = (("序号", 6), ("级别", 7), ("规则", 20), ("位置", 22), ("说明", 70))
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def annotate_workbook(result: CheckResult, source: Path, target: Path, *, now: datetime) -> str:
    """Write the annotated copy; return "" on success or a sentence for the receipt saying why not."""
    suffix = source.suffix.lower()
    if suffix not in ANNOTATABLE:
        return f"本文件为 {suffix or '无扩展名'} 格式，无法生成标注副本；建议用 WPS 或 Excel 另存为 .xlsx 后报送。"
    if any(f.rule == "file-check-failed" for f in result.findings):
        return "程序未能完成校验，未生成标注副本。"
    if any(f.rule.startswith("file-") for f in result.findings):
        return "本文件无法作为工作簿打开，未生成标注副本。"
    if suffix == ".xlsx":
        try:
            data = annotated_bytes(result, source, now)
        except Exception:  # NotSimple, or a file this writer does not understand: openpyxl below
            pass
        else:
            save_atomic(target, lambda stream: stream.write(data))
            return ""
    try:
        wb = openpyxl.load_workbook(source, keep_vba=suffix == ".xlsm", rich_text=True)
    except Exception:  # openpyxl raises many types for a damaged file; the receipt says so
        return "本文件无法作为工作簿打开，未生成标注副本。"
    if any(f.rule == "external-links" for f in result.findings):
        _drop_links(wb, source)
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]  # a resubmitted annotated copy: replace the old list
    mark_cells(wb, result.findings)
    result_sheet(wb, result, source, now)
    save_atomic(target, wb.save)
    return ""


def _drop_links(wb: Workbook, source: Path) -> None:
    """The copy without links to other workbooks or DDE/OLE servers: the link parts go, and each
    formula that used one is replaced by the value the department's file showed."""
    wb._external_links = []  # type: ignore[attr-defined]  # openpyxl writes these back
    for name in [n for n, d in wb.defined_names.items() if LINKED.search(str(d.attr_text))]:
        del wb.defined_names[name]
    for ws in wb.worksheets:
        for name in [n for n, d in ws.defined_names.items() if LINKED.search(str(d.attr_text))]:
            del ws.defined_names[name]
    linked = [
        (ws.title, cell.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=") and LINKED.search(cell.value)
    ]
    if not linked:
        return
    shown = openpyxl.load_workbook(source, data_only=True, read_only=False)
    for title, coord in linked:
        wb[title][coord].value = shown[title][coord].value


def _anchor(ws: Worksheet, coord: str) -> Cell | MergedCell:
    """The cell to mark: the top-left cell of a merged range."""
    cell = ws[coord]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if coord in rng:
                return ws.cell(rng.min_row, rng.min_col)
    return cell


def mark_cells(wb: Workbook, findings: Iterable[Finding]) -> None:
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


def result_sheet(wb: Workbook, result: CheckResult, source: Path, now: datetime) -> None:
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


def save_atomic(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """A durable, atomic write (``store.durable``); a failure becomes one Chinese OutputError."""
    try:
        atomic_write(path, write)
    except OSError as exc:
        raise OutputError(
            f"无法写出 {path}（{exc.strerror or type(exc).__name__}）。"
            "请检查磁盘空间和文件夹权限后重试。"
        ) from exc
