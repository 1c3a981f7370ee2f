"""The rollup workbook's 数据来源 sheet: the archived file and SHA-256 behind every unit's figures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workflow.rollup.workbook.styles import Styles, page_setup, short_time

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

SHEET_SOURCES = "数据来源"
SOURCE_HEAD = (
    "序号",
    "单位名称",
    "状态",
    "计入合计",
    "报送时间",
    "报送文件名",
    "存档文件（相对于工作区）",
    "SHA-256",
)
SOURCE_WIDTHS = (6, 32, 8, 9, 17, 34, 64, 68)


def sources_sheet(ws: Worksheet, st: Styles, summary: Mapping[str, Any]) -> None:
    for i, w in enumerate(SOURCE_WIDTHS):
        ws.set_column(i, i, w)
    page_setup(ws)
    ws.merge_range(
        0,
        0,
        0,
        7,
        "数据来源：每个单位的数字来自下列存档文件，可用 SHA-256 核对文件未被改动",
        st.heading,
    )
    hint = "核对方法：Windows 命令行 certutil -hashfile 文件名 SHA256；统信UOS/麒麟终端 sha256sum 文件名。"
    ws.merge_range(1, 0, 1, 7, hint, st.note)
    ws.write_row(3, 0, SOURCE_HEAD, st.header)
    for i, u in enumerate(summary["units"], start=1):
        r = 3 + i
        ws.write_row(r, 0, [i, u["name"]], st.cell)
        ws.write(r, 2, u["status_name"], st.status.get(u["status"], st.cell))
        values = [
            "是" if u["included"] else "否",
            short_time(u["submitted_at"]),
            u.get("original_name", ""),
            u["source"],
            u["sha256"],
        ]
        ws.write_row(r, 3, values, st.cell)
    ws.freeze_panes(4, 2)
