"""Findings on published reports: a misprinted total is reported once, at its printed cell, against
the printed row; report locations sort in table order (numeric rows and columns)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_read_reports import _page

from workflow.domain.findings import Finding, Severity, cell_order, sort_findings
from workflow.formats.spec import load_format
from workflow.read.report.lines import text_lines
from workflow.read.report.reader import read_lines
from workflow.rules.apply import check_submission
from workflow.rules.context import CheckContext

_NUMBER_RULES = ("R1", "R2", "R3", "R4")


def _findings(replace: dict[str, str]) -> list[Finding]:
    page = [next((new for old, new in replace.items() if ln.startswith(old)), ln) for ln in _page(False)]  # fmt: skip
    sub = read_lines(text_lines("\n".join(page)))
    return [f for f in check_submission(sub, load_format(sub.format), CheckContext()) if f.rule in _NUMBER_RULES]  # fmt: skip


# printed rows → (rule, cell, expected, actual) of each number finding, nothing else
@pytest.mark.parametrize(
    ("replace", "want"),
    [
        ({}, []),
        # （七）总计·自然人 misprinted 75 (parts give 72); the row adds up as printed (75 + 1 = 76)
        (
            {"（七）总计": "（七）总计\t75\t1\t0\t0\t0\t0\t76"},
            [("R2", "表三 第24行 第1列", 72, 75)],
        ),
        # only the row's 总计 misprinted: compared with the printed row
        (
            {"（七）总计": "（七）总计\t72\t1\t0\t0\t0\t0\t80"},
            [("R3", "表三 第24行 第7列", 73, 80)],
        ),
        # two misprints: each at its cell, the 总计 against the row as printed (75 + 1), not 73
        (
            {"（七）总计": "（七）总计\t75\t1\t0\t0\t0\t0\t80"},
            [("R3", "表三 第24行 第7列", 76, 80), ("R2", "表三 第24行 第1列", 72, 75)],
        ),
        (
            {"一、本年新收": "一、本年新收政府信息公开申请数量\t80\t1\t0\t0\t0\t0\t82"},
            [("R3", "表三 第1行 第7列", 81, 82)],
        ),
        # a part misprinted, its printed column total right: the balance (R1) breaks, the total (R2)
        # is reported against the printed column
        (
            {"（一）予以公开": "（一）予以公开\t51\t1\t0\t0\t0\t0\t52"},
            [("R1", "表三 第1行 第1列", 83, 84), ("R2", "表三 第24行 第1列", 73, 72)],
        ),
    ],
    ids=["clean", "total-part", "row-total", "both", "new-total", "part"],
)
def test_a_misprinted_total_is_reported_once(replace: dict[str, str], want: list[tuple]) -> None:
    got = [(f.rule, f.cells[0], f.expected, f.actual) for f in _findings(replace)]
    assert sorted(got) == sorted(want)


def test_the_printed_row_message_names_printed_numbers() -> None:
    [r3, _] = sorted(_findings({"（七）总计": "（七）总计\t75\t1\t0\t0\t0\t0\t80"}), key=lambda f: f.rule, reverse=True)  # fmt: skip
    assert r3.rule == "R3" and r3.expected == Decimal(76)
    assert "印为 80" in r3.message and "自然人 75" in r3.message and "73" not in r3.message
    assert "公式" not in r3.message  # a published report has no formulas to restore


@pytest.mark.parametrize(
    "refs",
    [
        [
            "报告标题",
            "表二 第1行 第3列",
            "表三 第2行 第1列",
            "表三 第8行 第2列",
            "表三 第8行 第10列",
            "表三 第10行 第1列",
            "表四 第1行 第15列",
            "正文「（二）依申请公开」",
        ],  # fmt: skip
        [
            "基本信息!B3",
            "二、主动公开!C5",
            "三、依申请公开!E7",
            "三、依申请公开!E10",
            "三、依申请公开!AA10",
            "四、复议诉讼!B6",
        ],  # fmt: skip
    ],
    ids=["report", "template"],
)
def test_cell_order_is_table_order(refs: list[str]) -> None:
    assert sorted(sorted(refs), key=cell_order) == refs  # string order is not table order
    shuffled = [Finding("R1", Severity.ERROR, "m", cells=(r,)) for r in reversed(refs)]
    assert [f.cells[0] for f in sort_findings(shuffled)] == refs


@pytest.mark.parametrize("blank_totals", [False, True], ids=["zeros-blank", "row-totals-blank-too"])
def test_blank_cells_of_a_web_page_table_are_zeros(blank_totals: bool) -> None:
    """Portals print a 0 as an empty cell, and often leave a row's 总计 empty: the numbers stay in
    their columns, a blank count is 0, a blank total is not printed (computed, no R3)."""
    from workflow.read.report.lines import html_lines

    def cells(line: str, middle: bool) -> str:
        label, *numbers = line.split("\t")
        last = len(numbers) - 1
        shown = ["&nbsp;" if n == "0" or (blank_totals and middle and j == last) else n for j, n in enumerate(numbers)]  # fmt: skip
        return f"<tr><td>{label}</td>" + "".join(f"<td><p>{n}</p></td>" for n in shown) + "</tr>"

    page = _page(False)
    start, end = (
        page.index("三、收到和处理政府信息公开申请情况"),
        page.index("四、政府信息公开行政复议、行政诉讼情况"),
    )
    apply_rows = page[start + 1 : end]
    html = (
        "<html><body>" + "".join(f"<p>{ln}</p>" for ln in page[: start + 1])
        + "<table>" + "".join(cells(ln, 2 <= i < len(apply_rows) - 2) for i, ln in enumerate(apply_rows)) + "</table>"
        + "".join(f"<p>{ln}</p>" for ln in page[end:]) + "</body></html>"
    )  # fmt: skip
    plain = read_lines(text_lines("\n".join(page)))
    sub = read_lines(html_lines(html))
    assert sub.values == plain.values
    assert not [f for f in sub.findings if f.is_error]
    checked = check_submission(sub, load_format(sub.format), CheckContext())
    assert not [f for f in checked if f.rule in _NUMBER_RULES]
    if blank_totals:
        assert "apply_granted_total" not in sub.typed and sub.cells["apply_granted_total"]
