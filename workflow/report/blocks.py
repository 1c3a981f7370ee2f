"""A report as a sequence of blocks (paragraphs, headings, tables, signature): the one model the
PDF (typst) and the HTML page render, built from the very context the .docx template gets (pure).

Tables are read back from the WordprocessingML that report/tables.py wrote for the .docx (spans,
merges, shading, alignment, header rows, column widths), so no renderer can disagree with another.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal

from workflow.errors import TemplateProblem
from workflow.report.text import clean_text

Kind = Literal["unit", "district"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _twips(value: str | None, default: int = 0) -> float:
    return (int(value) if value else default) / 20


# the text of a w:t element: every unit's table of one format has the same XML but for these, so
# the XML is read once per shape (``_shape``) and each table's texts are put into that
_TEXT = re.compile(r"(<w:t(?:\s[^>]*[^/>])?>)(.*?)(</w:t>)", re.S)
_HOLE = re.compile("\ue000(\\d+)\ue001")  # a text's place in a shape (no XML text has these)


def table_model(xml: str) -> dict[str, Any]:
    """A w:tbl as typst table data: column widths (pt), header rows, cells with x/y/spans."""
    texts: list[str] = []

    def hole(m: re.Match[str]) -> str:
        texts.append(html.unescape(m.group(2)))
        return f"{m.group(1)}\ue000{len(texts) - 1}\ue001{m.group(3)}"

    shape = _shape(_TEXT.sub(hole, xml))
    cells = [
        {**cell, "text": _HOLE.sub(lambda m: texts[int(m.group(1))], cell["text"])}
        for cell in shape["cells"]
    ]
    return {**shape, "widths": list(shape["widths"]), "cells": cells}


@lru_cache(maxsize=64)
def _shape(xml: str) -> dict[str, Any]:
    """``table_model`` of a table whose texts are holes (the model is shared: never changed)."""
    root = ET.fromstring(f'<root xmlns:w="{_W}">{xml}</root>')
    tbl = root.find(_w("tbl"))
    if tbl is None:
        raise TemplateProblem("报告表格数据有误：缺少表格。")
    widths = [_twips(g.get(_w("w"))) for g in tbl.iter(_w("gridCol"))]
    margin = tbl.find(f"{_w('tblPr')}/{_w('tblCellMar')}/{_w('left')}")
    inset = _twips(margin.get(_w("w")) if margin is not None else None, 57)
    cells: list[dict[str, Any]] = []
    header = 0
    open_cells: dict[int, dict[str, Any]] = {}  # vertically merged cells by grid column
    for y, tr in enumerate(tbl.findall(_w("tr"))):
        if tr.find(f"{_w('trPr')}/{_w('tblHeader')}") is not None and header == y:
            header = y + 1
        x = 0
        for tc in tr.findall(_w("tc")):
            props = tc.find(_w("tcPr"))
            span_el = props.find(_w("gridSpan")) if props is not None else None
            span = int(span_el.get(_w("val"), "1")) if span_el is not None else 1
            merge_el = props.find(_w("vMerge")) if props is not None else None
            merge = "" if merge_el is None else merge_el.get(_w("val"), "continue")
            if merge == "continue" and x in open_cells:
                open_cells[x]["rowspan"] += 1
            else:
                jc = tc.find(f"{_w('p')}/{_w('pPr')}/{_w('jc')}")
                sz = tc.find(f"{_w('p')}/{_w('r')}/{_w('rPr')}/{_w('sz')}")
                cell = {
                    "x": x,
                    "y": y,
                    "colspan": span,
                    "rowspan": 1,
                    "text": "".join(
                        (t.text or "") if t.tag == _w("t") else "\n"
                        for t in tc.iter()
                        if t.tag in (_w("t"), _w("br"))
                    ),
                    "align": jc.get(_w("val"), "center") if jc is not None else "center",
                    "shade": props is not None and props.find(_w("shd")) is not None,
                    "size": int(sz.get(_w("val"), "0")) / 2 if sz is not None else 0,
                }
                cells.append(cell)
                if merge == "restart":
                    open_cells[x] = cell
                else:
                    open_cells.pop(x, None)
            x += span
        if x != len(widths):
            raise TemplateProblem(f"报告表格数据有误：第{y + 1}行有{x}列，应为{len(widths)}列。")
    return {"kind": "table", "widths": widths, "header": header, "inset": inset, "cells": cells}


def plain_text(value: Any) -> str:
    """A context value as plain text (the .docx template's ``finalize`` does the same)."""
    return clean_text(str(value)) if value is not None else ""


def preamble(context: Mapping[str, Any], kind: Kind) -> str:
    """The opening paragraph: the context's ``preamble`` (report.context writes it for every
    renderer, so the .docx, the PDF and the HTML page say the same)."""
    del kind  # the unit's and the district's wording differ in the context already
    return plain_text(context.get("preamble", ""))


def report_blocks(context: Mapping[str, Any], kind: Kind) -> list[dict[str, Any]]:
    """The body of the report, block by block, in the order of the Word template."""
    heads: Mapping[str, Any] = context["headings"]
    paras: Mapping[str, Sequence[str]] = context["paras"]
    notes: Mapping[str, Sequence[str]] = context.get("notes", {})
    blocks: list[dict[str, Any]] = []

    def p(items: Iterable[Any]) -> None:
        blocks.extend({"kind": "p", "text": plain_text(t)} for t in items)

    def h(level: int, key: str) -> None:
        blocks.append({"kind": f"h{level}", "text": plain_text(heads[key])})

    def table(key: str) -> None:
        blocks.append(table_model(str(context[key])))

    p(context.get("draft_notes", []))
    p([preamble(context, kind)])
    p(context.get("preamble_extra", []))
    blocks.append({"kind": "h1", "text": "一、总体情况"})
    p(paras.get("overview", []))
    for key in ("text_active", "text_request", "text_management", "text_platform"):
        h(2, key)
        p(paras.get(key, []))
    h(2, "text_supervision")
    p(paras.get("text_supervision", []))
    h(1, "active")
    table("table_active")
    blocks.extend({"kind": "note", "text": plain_text(t)} for t in notes.get("active", []))
    h(1, "apply")
    table("table_apply")
    h(1, "review")
    p(paras.get("review", []))
    table("table_review")
    h(1, "text_problems")
    p(paras.get("text_problems", []))
    h(1, "text_other")
    p(paras.get("text_other", []))
    if blocks[-1]["kind"] == "p":  # the end of 六 stays on the page of the name and date
        blocks[-1]["sticky"] = True
    blocks.append(
        {"kind": "sign", "lines": [plain_text(context["signer"]), plain_text(context["date"])]}
    )
    return blocks
