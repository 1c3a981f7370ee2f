"""The rollup workbook's 报送情况 sheet: the roster's status, the 催报 list, the outlier rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from workflow.rollup.workbook.styles import Styles, page_setup, short_time

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

SHEET_STATUS = "报送情况"
STATUS_HEAD = (
    "序号",
    "单位名称",
    "类别",
    "状态",
    "报送时间",
    "错误",
    "提示",
    "联系人",
    "联系电话",
    "报送文件名",
)
STATUS_WIDTHS = (6, 32, 9, 8, 17, 6, 6, 10, 16, 40)


def status_sheet(ws: Worksheet, st: Styles, summary: Mapping[str, Any]) -> None:
    for i, w in enumerate(STATUS_WIDTHS):
        ws.set_column(i, i, w)
    page_setup(ws)
    units = summary["units"]
    count = {
        s: sum(1 for u in units if u["status"] == s) for s in ("accepted", "rejected", "missing")
    }
    ws.merge_range(
        0,
        0,
        0,
        9,
        f"{summary['district']}{summary['year']}年度报告报送情况（截至 {short_time(summary['generated_at'])}）",
        st.heading,
    )
    line = f"应报 {len(units)} 个，已通过 {count['accepted']} 个，未通过 {count['rejected']} 个，未报送 {count['missing']} 个。"
    ws.merge_range(1, 0, 1, 9, line, st.text)
    ws.write_row(3, 0, STATUS_HEAD, st.header)
    for i, u in enumerate(units, start=1):
        r = 3 + i
        ws.write_row(r, 0, [i, u["name"], u["category"]], st.cell)
        ws.write(r, 3, u["status_name"], st.status.get(u["status"], st.cell))
        ws.write_row(r, 4, [short_time(u["submitted_at"]), u["errors"], u["warnings"]], st.cell)
        ws.write_row(
            r,
            7,
            [u.get("contact_person", ""), u.get("contact_phone", ""), u.get("original_name", "")],
            st.cell,
        )
    ws.freeze_panes(4, 0)
    row = 5 + len(units)
    row = _chase_list(ws, st, units, row)
    row += 1
    ws.write(row, 0, "异常值提示规则", st.heading)
    for i, rule in enumerate(summary.get("outlier_rules", []), start=1):
        ws.merge_range(row + i, 0, row + i, 9, f"{i}. {rule}", st.note)


def _chase_list(ws: Worksheet, st: Styles, units: Sequence[Mapping[str, Any]], row: int) -> int:
    """催报名单 from ``row``: the units not in the totals, what each must do, whom to call."""
    chase = [u for u in units if not u["included"]]
    ws.write(row, 0, f"催报名单（未报送或未通过的单位，共 {len(chase)} 个）", st.heading)
    row += 1
    if not chase:
        ws.merge_range(row, 0, row, 9, "所有单位均已报送并通过校验。", st.text)
        row += 1
    else:
        ws.write_row(row, 0, ("序号", "单位名称", "类别", "状态", "需要做的事"), st.header)
        ws.merge_range(row, 5, row, 7, "联系人", st.header)
        ws.merge_range(row, 8, row, 9, "联系电话", st.header)
        for i, u in enumerate(chase, start=1):
            row += 1
            todo = "按反馈修改后重新报送" if u["status"] == "rejected" else "尚未报送，请催报"
            ws.write_row(row, 0, [i, u["name"], u["category"]], st.cell)
            ws.write(row, 3, u["status_name"], st.status.get(u["status"], st.cell))
            ws.write(row, 4, todo, st.cell)
            ws.merge_range(row, 5, row, 7, u.get("contact_person", ""), st.cell)
            ws.merge_range(row, 8, row, 9, u.get("contact_phone", ""), st.cell)
        row += 1
    return row
