"""The rollup workbook (xlsxwriter): what the coordinator opens first.

Sheets: 汇总 (district totals in the official tables, who is in them, last year beside this year),
分单位明细 (units as rows, in one block per table), 报送情况 (roster status and the 催报 list),
图表 (native charts), 数据来源 (archived file and SHA-256 of every unit's figures).

Every number is a stored value taken from the summary (no formulas): the workbook shows exactly
what summary.json says, whatever the program that opens it recalculates.

Printing: every sheet is A4 landscape. 汇总 is fitted to one page wide only (as many pages tall as it
needs), with a page break before tables 三 and 四 so no table starts at a page foot, and its title
row repeated. 分单位明细 is a column of blocks (one per table or part of a table) on one shared
grid, fitted to one page wide, with a page break before a block that would not fit on the page.

Wording (全区合计 / 全市合计 …) follows the area's level (report_text.jurisdiction).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxFileError

from workflow.domain.settings import Settings
from workflow.errors import OutputError
from workflow.formats.layout import cell_name
from workflow.formats.spec import load_format
from workflow.rollup.workbook.charts_sheet import SHEET_CHARTS, charts_sheet
from workflow.rollup.workbook.sources_sheet import SHEET_SOURCES, sources_sheet
from workflow.rollup.workbook.status_sheet import SHEET_STATUS, status_sheet
from workflow.rollup.workbook.styles import Styles
from workflow.rollup.workbook.totals_sheet import SHEET_TOTALS, totals_sheet
from workflow.rollup.workbook.units_sheet import (
    SHEET_UNITS,
    units_sheet,
)
from workflow.rollup.workbook.wording import rollup_title

__all__ = ["TOTAL_NAME_PREFIX", "rollup_filename", "write_rollup_workbook"]

TOTAL_NAME_PREFIX = "district_"  # 汇总's total of field x is the defined name district_x


def rollup_filename(district: str, year: int) -> str:
    """长乐区2021年政府信息公开工作年度报告汇总表.xlsx (the outbox layout's name)."""
    return f"{district}{year}年政府信息公开工作年度报告汇总表.xlsx"


def write_rollup_workbook(summary: Mapping[str, Any], settings: Settings, path: Path) -> None:
    """Write the rollup workbook for ``summary`` (as built by build_summary or read from JSON)."""
    spec = load_format(summary.get("format") or settings.format)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book = xlsxwriter.Workbook(str(path), options)
    book.set_properties(
        {
            "title": rollup_title(summary),
            "author": f"{summary['district']}政府信息公开工作年度报告汇总",
            "created": datetime.fromisoformat(summary["generated_at"]),
        }
    )
    styles = Styles(book)
    placed = totals_sheet(book.add_worksheet(SHEET_TOTALS), styles, spec, summary)
    for fid, (r, c) in placed.items():
        book.define_name(
            f"{TOTAL_NAME_PREFIX}{fid}", f"='{SHEET_TOTALS}'!{cell_name(r, c, absolute=True)}"
        )
    units_sheet(book.add_worksheet(SHEET_UNITS), styles, spec, summary)
    status_sheet(book.add_worksheet(SHEET_STATUS), styles, summary)
    charts_sheet(book, book.add_worksheet(SHEET_CHARTS), styles, spec, summary)
    sources_sheet(book.add_worksheet(SHEET_SOURCES), styles, summary)
    try:
        book.close()
    except (OSError, XlsxFileError) as exc:
        raise OutputError(f"无法写入汇总表 {path}：{exc}") from exc
