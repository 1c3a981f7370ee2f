"""The template's cell formats: one object per look (fonts, fills, borders, number formats)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workflow.formats.layout import Cell
from workflow.formats.spec import Field

if TYPE_CHECKING:
    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

FONT = "宋体"
TITLE_FONT = "黑体"
INPUT_FILL = "#FFF7D6"
TOTAL_FILL = "#E7E6E6"
HEADER_FILL = "#F2F2F2"
_NUM_FORMATS = {"count": "0", "money": "0.00##", "signed": "+0;-0;0"}


class Styles:
    """The workbook's cell formats, one object per look."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        box = base | {"border": 1, "text_wrap": True}
        self.title = book.add_format(
            base | {"font_name": TITLE_FONT, "font_size": 16, "align": "center"}
        )
        self.heading = book.add_format(base | {"bold": True, "font_size": 12})
        self.text = book.add_format(base | {"text_wrap": True, "valign": "top"})
        self.note = book.add_format(box | {"font_size": 10, "align": "left"})
        self.status = book.add_format(box | {"bold": True, "align": "center"})
        self.header = book.add_format(
            box | {"bold": True, "align": "center", "bg_color": HEADER_FILL}
        )
        self.label = book.add_format(box | {"align": "left"})
        self.group = book.add_format(box | {"align": "center"})
        self.center = book.add_format(box | {"align": "center"})
        self.date = book.add_format(
            box
            | {"align": "left", "locked": False, "bg_color": INPUT_FILL, "num_format": "yyyy-mm-dd"}
        )
        self.text_input = book.add_format(
            box | {"align": "left", "locked": False, "bg_color": INPUT_FILL}
        )
        self.narrative = book.add_format(
            box | {"align": "left", "valign": "top", "locked": False, "bg_color": INPUT_FILL}
        )
        self.inputs = {
            k: book.add_format(
                box | {"align": "center", "locked": False, "bg_color": INPUT_FILL, "num_format": v}
            )
            for k, v in _NUM_FORMATS.items()
        }
        self.totals = {
            k: book.add_format(
                box | {"align": "center", "bold": True, "bg_color": TOTAL_FILL, "num_format": v}
            )
            for k, v in _NUM_FORMATS.items()
        }
        self.passed = book.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.failed = book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
        self.hinted = book.add_format({"font_color": "#7F6000", "bg_color": "#FFEB9C"})

    def for_cell(self, cell: Cell, f: Field | None) -> Any:
        if cell.role == "input" and f is not None:
            return self.inputs[f.kind]
        if cell.role == "total" and f is not None:
            return self.totals[f.kind]
        if cell.role == "label" and cell.col == 0 and cell.merged and cell.end_row > cell.row:
            return self.group
        if cell.role == "label" and cell.col == 1 and cell.end_row > cell.row:
            return self.group
        return {
            "title": self.title,
            "status": self.status,
            "note": self.note,
            "header": self.header,
            "text": self.text_input,
            "narrative": self.narrative,
        }.get(cell.role, self.label)

    def pass_fail(self, ws: Worksheet, where: str) -> None:
        """Red when the cell says 未通过, else amber when it says 提示, green otherwise."""
        for word, look in (("未通过", self.failed), ("提示", self.hinted)):
            ws.conditional_format(
                where,
                {
                    "type": "text",
                    "criteria": "containing",
                    "value": word,
                    "format": look,
                    "stop_if_true": True,
                },
            )
        ws.conditional_format(
            where,
            {
                "type": "text",
                "criteria": "not containing",
                "value": "未通过",
                "format": self.passed,
            },
        )

    def flag_non_numbers(self, ws: Worksheet, where: str) -> None:
        """Red fill on an input cell that is blank or holds text."""
        first = where.split(":")[0]
        ws.conditional_format(
            where,
            {"type": "formula", "criteria": f"=NOT(ISNUMBER({first}))", "format": self.failed},
        )
