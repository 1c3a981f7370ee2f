"""The 校验结果 sheet as worksheet XML (for the direct writer, ``check.xlsx_marks``): the same
content, links and look as the openpyxl version in ``check.annotate``. Every string is an inline
string, so department text is never a formula and xl/sharedStrings.xml is left as it was."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from workflow.check.xlsx_styles import (
    NotSimple,
    StyleBook,
    cell_format,
    font,
    solid_fill,
    thin_border,
)
from workflow.domain.check_result import CheckResult
from workflow.domain.findings import SEVERITY_NAMES, Finding, Severity
from workflow.domain.records import STATUS_NAMES
from workflow.formats.layout import fit_height, sheet_ref
from workflow.rules import rule_label

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FILL_RGB = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFD966"}
FONT_COLOR = {Severity.ERROR: "9C0006", Severity.WARNING: "9C5700"}
HEADERS = (("序号", 6), ("级别", 7), ("规则", 20), ("位置", 22), ("说明", 70))
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: str) -> str:
    if _ILLEGAL.search(value):
        raise NotSimple("a control character in a message")
    return escape(value)


def _cell(ref: str, value: str | int, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, int):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text(value)}</t></is></c>'


def split_ref(ref: str) -> tuple[str, str]:
    """``"三、依申请公开!C8"`` or ``"'三、依申请公开'!C8"`` → (sheet, "C8")."""
    sheet, _, coord = ref.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, coord.replace("$", "")


def result_sheet_xml(styles: StyleBook, result: CheckResult, source: Path, now: datetime) -> bytes:
    border = styles.add("border", thin_border("BFBFBF"))
    title = styles.add("xf", cell_format(font_id=styles.add("font", font(bold=True, size=14))))
    header = styles.add("xf", cell_format(
        font_id=styles.add("font", font(bold=True)),
        fill_id=styles.add("fill", solid_fill("D9E1F2")),
        border_id=border, horizontal="center", vertical="center",
    ))  # fmt: skip
    plain = {
        col: styles.add("xf", cell_format(border_id=border, vertical="top", wrap=col >= 3,
                                          horizontal="center" if col <= 2 else ""))
        for col in range(1, 6)
    }  # fmt: skip
    link = styles.add("xf", cell_format(
        font_id=styles.add("font", font(color="0563C1", underline=True)),
        border_id=border, vertical="top", wrap=True,
    ))  # fmt: skip
    level = {
        sev: styles.add(
            "xf",
            cell_format(
                font_id=styles.add("font", font(bold=True, color=FONT_COLOR[sev])),
                fill_id=styles.add("fill", solid_fill(FILL_RGB[sev])),
                border_id=border,
                vertical="top",
                horizontal="center",
            ),
        )  # fmt: skip
        for sev in (Severity.ERROR, Severity.WARNING)
    }
    verdict = STATUS_NAMES[result.status]
    counts = f"错误 {len(result.errors)} 个，提示 {len(result.warnings)} 个"
    unit = result.unit or "（未能识别）"
    info = f"单位：{unit}　文件：{source.name}　校验时间：{now.strftime('%Y-%m-%d %H:%M')}"
    rows = [
        f'<row r="1">{_cell("A1", f"校验结果：{verdict}（{counts}）", title)}</row>',
        f'<row r="2">{_cell("A2", info, 0)}</row>',
        '<row r="3">' + _cell("A3", "红色为错误（须改正后重新报送），黄色为提示（请核对）。"
                              "点击“位置”可跳到该单元格，批注中有说明。", 0) + "</row>",
        '<row r="4">' + "".join(_cell(f"{chr(64 + i)}4", t, header)
                                for i, (t, _) in enumerate(HEADERS, start=1)) + "</row>",
    ]  # fmt: skip
    links = []
    for n, f in enumerate(result.findings, start=1):
        row = 4 + n
        styles_of = [plain[1], level[f.severity], plain[3], link if f.cells else plain[4], plain[5]]
        values = _values(n, f)
        cells = "".join(
            _cell(f"{chr(64 + col)}{row}", v, styles_of[col - 1])
            for col, v in enumerate(values, start=1)
        )
        height = fit_height(f.message, HEADERS[4][1])
        rows.append(f'<row r="{row}" ht="{height}" customHeight="1">{cells}</row>')
        if f.cells:
            sheet, coord = split_ref(f.cells[0])
            target = sheet_ref(sheet, coord)
            text(target)  # refuses control characters
            location = quoteattr(target)
            links.append(f'<hyperlink ref="D{row}" location={location}/>')
    last = 4 + len(result.findings)
    tab = "C00000" if result.errors else "FFC000"
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, (_, w) in enumerate(HEADERS, start=1)
    )
    merges = "".join(f'<mergeCell ref="A{r}:E{r}"/>' for r in (1, 2, 3))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
        f'<sheetPr><tabColor rgb="00{tab}"/><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:E{last}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="4" topLeftCell="A5" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A5" sqref="A5"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>"
        f'<mergeCells count="3">{merges}</mergeCells>'
        + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
        + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        "</worksheet>"
    ).encode()


def _values(n: int, f: Finding) -> tuple[str | int, ...]:
    where = f.cells[0] if f.cells else "整个文件"
    return (n, SEVERITY_NAMES[f.severity], rule_label(f.rule), where, f.message)
