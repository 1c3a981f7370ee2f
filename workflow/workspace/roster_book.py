"""Writing the roster spreadsheet 单位名单.xlsx: the coordinator's list of units, edited in Excel,
WPS or LibreOffice (``workflow init`` writes it; ``roster_sheet`` reads it back).

Sheet 单位名单: a header row (单位名称, 简称/别名, 类别, 联系人, 联系电话, 自称) and one unit a row; the
类别 column has a dropdown of ``CATEGORIES``; every column is formatted as text so a pasted phone
number stays as typed. Sheet 填写说明: how to fill it in, with examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workflow.domain.roster import CATEGORIES, Unit
from workflow.report.text import jurisdiction

ROSTER_NAME = "单位名单.xlsx"
ROSTER_SHEET = "单位名单"
GUIDE_SHEET = "填写说明"
HEADERS = ("单位名称", "简称/别名", "类别", "联系人", "联系电话", "自称")
_WIDTHS = (40, 28, 12, 12, 18, 10)
_ROWS = 2000  # rows that get the text format and the 类别 dropdown


def guide_lines(district: str) -> list[str]:
    """The 填写说明 sheet, one line a row."""
    cats = "、".join(CATEGORIES)
    level = jurisdiction(district).level
    return [
        "单位名单填写说明",
        "",
        f"1. 在“{ROSTER_SHEET}”工作表中，每个需要报送年度报告的单位填一行；第 1 行是表头，请勿改动。",
        "2. 单位名称：填全称，与单位报表封面所填名称一致，如「"
        f"{district}人力资源和社会保障局」。可以从其他表格整列复制后粘贴到 A 列。",
        f"3. 简称/别名：单位报表上可能出现的其他写法，如「{level}人社局」；多个用顿号“、”或分号“；”隔开。"
        "单位改名后，请把旧名称填在这里，已报送的数据仍归该单位。",
        f"4. 类别：从下拉列表中选择：{cats}。留空时，名称以“街道办事处”“街道”"
        "“镇人民政府”“乡人民政府”“镇”“乡”结尾的按街道乡镇，其余按部门。",
        "5. 联系人、联系电话：选填，用于催报名单和工作台。",
        "   自称：选填，单位年度报告中生成的句子如何称呼本单位；留空按名称判断"
        "（……局 → 我局，……街道办事处 → 我街道，……镇人民政府 → 我镇）。",
        "6. 不要在同一行填两个单位；同一名称或简称不能出现在两个单位上。有问题时，程序会指出第几行、怎么改。",
        "7. 保存后即生效：定时处理（workflow run）在下一次处理时读取新名单，"
        "此前因“单位不在名单中”被退回的文件会自动重新校验。",
        "8. 请保存为 .xlsx（WPS、LibreOffice 另存为 Excel 2007-365 格式）；也接受 .xls、.ods。",
        "",
        "示例（请在“单位名单”工作表中填写，本页内容不会被读取）：",
        "\t".join(HEADERS),
        f"{district}人力资源和社会保障局\t{level}人社局、人社局\t部门\t张三\t0591-12345678",
        f"{district}教育局\t{level}教育局\t部门\t\t",
        f"{district}吴航街道办事处\t吴航街道\t街道乡镇\t\t",
    ]


def write_roster_book(path: Path, units: Sequence[Unit], *, district: str) -> None:
    """Write the roster spreadsheet with ``units`` (none: an empty list under the header)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    try:
        text = book.add_format({"num_format": "@", "valign": "vcenter"})
        head = book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "num_format": "@"}
        )
        sheet = book.add_worksheet(ROSTER_SHEET)
        for col, (title, width) in enumerate(zip(HEADERS, _WIDTHS, strict=True)):
            sheet.set_column(col, col, width, text)
            sheet.write_string(0, col, title, head)
        sheet.freeze_panes(1, 0)
        sheet.data_validation(
            1,
            2,
            _ROWS,
            2,
            {
                "validate": "list",
                "source": list(CATEGORIES),
                "error_type": "stop",
                "error_title": "类别",
                "error_message": f"请从下拉列表中选择：{'、'.join(CATEGORIES)}。",
                "input_title": "类别",
                "input_message": "从下拉列表中选择；留空时按名称判断（街道乡镇或部门）。",
            },
        )
        for row, unit in enumerate(units, start=1):
            cells = (
                unit.name,
                "、".join(unit.aliases),
                unit.category,
                unit.contact_person,
                unit.contact_phone,
                unit.self_reference,
            )
            for col, value in enumerate(cells):
                if value:
                    sheet.write_string(row, col, value, text)
        guide = book.add_worksheet(GUIDE_SHEET)
        guide.set_column(0, 0, 120)
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        for row, line in enumerate(guide_lines(district)):
            guide.write_string(row, 0, line.replace("\t", "　|　"), wrap)
        sheet.activate()
    finally:
        book.close()
