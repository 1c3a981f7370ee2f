"""The rollup workbook's look: cell formats, page setup, and how a summary value goes into a cell."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from workflow.formats.spec import Field

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

FONT = "宋体"
STATUS_FILL = {"accepted": "#E2EFDA", "rejected": "#FCE4D6", "missing": "#EDEDED"}
OUTLIER_FILL = "#F4B183"


class Styles:
    """The workbook's cell formats, created once."""

    def __init__(self, book: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        grid = base | {"border": 1}

        def add(props: dict[str, Any], **extra: Any) -> Any:
            return book.add_format(props | extra)

        self.title = add(base, font_size=16, bold=True, align="center")
        self.heading = add(base, font_size=12, bold=True)
        self.block_title = add(base, font_size=11, bold=True, valign="bottom")
        self.text = add(base)
        self.note = add(base, font_color="#595959", text_wrap=True, valign="top")
        self.warn = add(base, font_color="#C00000", bold=True, text_wrap=True, valign="top")
        self.header = add(grid, bold=True, align="center", text_wrap=True, bg_color="#DDEBF7")
        self.group = add(grid, bold=True, text_wrap=True, bg_color="#DDEBF7")
        self.label = add(grid, text_wrap=True)
        self.cell = add(grid)
        self.wrap = add(grid, text_wrap=True, valign="top")
        self.count = add(grid, num_format="#,##0")
        self.money = add(grid, num_format="#,##0.00##")
        self.delta = add(grid, num_format="+#,##0;-#,##0;0")
        self.delta_money = add(grid, num_format="+#,##0.00##;-#,##0.00##;0")
        self.total = add(grid, bold=True, num_format="#,##0", bg_color="#FFF2CC")
        self.total_money = add(grid, bold=True, num_format="#,##0.00##", bg_color="#FFF2CC")
        self.total_label = add(grid, bold=True, bg_color="#FFF2CC")
        self.field_id = add(grid, font_size=7, font_color="#808080", align="center", shrink=True)
        self.field_id_label = add(grid, font_size=7, font_color="#808080", align="right")
        self.outlier = add(grid, num_format="#,##0", bg_color=OUTLIER_FILL)
        self.status = {s: add(grid, bg_color=c) for s, c in STATUS_FILL.items()}
        self.excluded = add(grid, font_color="#7F7F7F", bg_color=STATUS_FILL["missing"])

    def number(self, field: Field, total: bool = False) -> Any:
        if field.kind == "money":
            return self.total_money if total else self.money
        return self.total if total else self.count


def page_setup(ws: Worksheet, fit_wide: bool = True) -> None:
    """A4 landscape, centred, page numbers in the footer; one page wide (any number of pages tall)
    unless the sheet is too wide to read that way."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    if fit_wide:
        ws.fit_to_pages(1, 0)


def cell_number(value: Any) -> float | int | None:
    """A summary number for a cell: ints stay ints, Decimal becomes float (xlsx stores doubles)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, int) else float(Decimal(str(value)))


def short_time(iso: str) -> str:
    """``2022-02-10T09:30:00+08:00`` → ``2022-02-10 09:30``; empty stays empty."""
    return iso[:16].replace("T", " ") if iso else ""
