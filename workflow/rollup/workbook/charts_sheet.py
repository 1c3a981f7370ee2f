"""The rollup workbook's 图表 sheet: native charts of new requests per unit and of outcomes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workflow.formats.spec import Format
from workflow.report.text import jurisdiction
from workflow.rollup.outliers import outcome_rows
from workflow.rollup.workbook.styles import FONT, Styles, cell_number, page_setup
from workflow.rollup.workbook.wording import coverage_line

if TYPE_CHECKING:
    from xlsxwriter.chart import Chart
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

SHEET_CHARTS = "图表"
FONT_9 = {"name": FONT, "size": 9}
TITLE_FONT = FONT_9 | {"size": 11}


def charts_sheet(
    book: Workbook, ws: Worksheet, st: Styles, spec: Format, summary: Mapping[str, Any]
) -> None:
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 12)
    ws.set_column(3, 3, 18)
    ws.set_column(4, 4, 12)
    page_setup(ws)
    ws.write(0, 0, f"图表　{coverage_line(summary)}", st.heading)
    units = sorted(
        (u for u in summary["units"] if u["included"]),
        key=lambda u: (-u["values"].get("apply_new_total", 0), u["name"]),
    )
    ws.write_row(2, 0, ("单位名称", "本年新收申请"), st.header)
    for i, u in enumerate(units):
        ws.write(3 + i, 0, u["name"], st.cell)
        ws.write(3 + i, 1, cell_number(u["values"].get("apply_new_total", 0)), st.count)
    groups = outcome_rows(spec)
    whole = jurisdiction(summary["district"]).whole
    ws.write_row(2, 3, ("办理结果", f"件数（{whole}）"), st.header)
    for i, (label, fields) in enumerate(groups):
        ws.write(3 + i, 3, label, st.cell)
        ws.write(
            3 + i, 4, sum(cell_number(summary["totals"].get(f, 0)) or 0 for f in fields), st.count
        )
    if units:
        chart = _chart(book, "bar", "本年新收申请", 0, len(units), "#5B9BD5")
        chart.set_title({"name": "各单位本年新收政府信息公开申请数量", "name_font": TITLE_FONT})
        chart.set_y_axis({"reverse": True, "num_font": FONT_9})
        chart.set_x_axis({"num_font": FONT_9, "major_gridlines": {"visible": True}})
        chart.set_size({"width": 620, "height": max(260, 26 * len(units) + 90)})
        ws.insert_chart(2, 6, chart)
    outcomes = _chart(book, "column", "办理结果", 3, len(groups), "#ED7D31")
    outcomes.set_title({"name": f"{whole}本年度办理结果构成", "name_font": TITLE_FONT})
    outcomes.set_x_axis({"num_font": FONT_9})
    outcomes.set_y_axis({"num_font": FONT_9})
    outcomes.set_size({"width": 620, "height": 300})
    ws.insert_chart(max(5 + len(groups), 4 + len(units)) + 2, 0, outcomes)


def _chart(book: Workbook, kind: str, name: str, col: int, n: int, color: str) -> Chart:
    """A chart of ``n`` values in column ``col`` + 1 labelled by column ``col`` (from row 4), no legend."""
    chart = book.add_chart({"type": kind})
    chart.add_series(
        {
            "name": name,
            "categories": [SHEET_CHARTS, 3, col, 2 + n, col],
            "values": [SHEET_CHARTS, 3, col + 1, 2 + n, col + 1],
            "data_labels": {"value": True, "font": FONT_9},
            "fill": {"color": color},
        }
    )
    chart.set_legend({"none": True})
    return chart
