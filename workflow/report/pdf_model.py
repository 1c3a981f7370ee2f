"""The report as typst data: the very context the .docx template gets, block by block.

The same sentences, and the same tables, read back from the WordprocessingML that report/tables.py
wrote for the .docx (spans, merges, shading, alignment, header rows, column widths): text and numbers
cannot disagree between the .docx and the PDF. No text is ever turned into typst markup: the
template shows these values as plain text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from workflow.errors import TemplateProblem
from workflow.report.pdf_fonts import FontChoice, distinct, substitutes_of, substitution_text
from workflow.report.text import clean_text

Kind = Literal["unit", "district"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _twips(value: str | None, default: int = 0) -> float:
    return (int(value) if value else default) / 20


def table_model(xml: str) -> dict[str, Any]:
    """A w:tbl as typst table data: column widths (pt), header rows, cells with x/y/spans."""
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
                cell = {
                    "x": x,
                    "y": y,
                    "colspan": span,
                    "rowspan": 1,
                    "text": "".join(t.text or "" for t in tc.iter(_w("t"))),
                    "align": jc.get(_w("val"), "center") if jc is not None else "center",
                    "shade": props is not None and props.find(_w("shd")) is not None,
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


# --- the report model -----------------------------------------------------------------------------

_SIX_PARTS = (
    "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
    "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项等六部分组成。"
)


def _text(value: Any) -> str:
    """A context value as plain text (the .docx template's ``finalize`` does the same)."""
    return clean_text(str(value)) if value is not None else ""


def preamble(context: Mapping[str, Any], kind: Kind) -> str:
    """The opening paragraph, worded exactly as in templates/docx (PREAMBLE_UNIT/_DISTRICT)."""
    c = {k: _text(context.get(k, "")) for k in ("basis", "unit_name", "year", "website_url")}
    c.update(contact=_text(context.get("contact", "")))
    start = f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第四十九条、第五十条和{c['basis']}要求，"
    if kind == "district":
        who = _text(context.get("compiler", ""))
        text = f"{start}由{who}汇总编制本报告。{_text(context.get('coverage', ''))}{_SIX_PARTS}"
    else:
        who = c["unit_name"]
        text = f"{start}由{who}编制本报告。{_SIX_PARTS}"
    text += f"本报告中所列数据的统计期限自{c['year']}年1月1日起至{c['year']}年12月31日止。"
    if c["website_url"]:
        text += f"本报告电子版可在{c['website_url']}查阅或下载。"
    if c["contact"]:
        text += f"如对本报告有疑问，请与{who}联系（{c['contact']}）。"
    return text


def report_blocks(context: Mapping[str, Any], kind: Kind) -> list[dict[str, Any]]:
    """The body of the report, block by block, in the order of the Word template."""
    heads: Mapping[str, Any] = context["headings"]
    paras: Mapping[str, Sequence[str]] = context["paras"]
    notes: Mapping[str, Sequence[str]] = context.get("notes", {})
    blocks: list[dict[str, Any]] = []

    def p(items: Iterable[Any]) -> None:
        blocks.extend({"kind": "p", "text": _text(t)} for t in items)

    def h(level: int, key: str) -> None:
        blocks.append({"kind": f"h{level}", "text": _text(heads[key])})

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
    blocks.extend({"kind": "note", "text": _text(t)} for t in notes.get("active", []))
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
    blocks.append({"kind": "sign", "lines": [_text(context["signer"]), _text(context["date"])]})
    return blocks


def report_model(
    context: Mapping[str, Any], kind: Kind, format_id: str, fonts: Mapping[str, FontChoice]
) -> dict[str, Any]:
    """Everything the typst template shows, as JSON-ready data."""
    substitutes = substitutes_of(fonts)
    used = "；".join(f"{c.official}：{c.family or '无'}" for c in distinct(fonts))
    description = f"{'区' if kind == 'district' else '单位'}政府信息公开工作年度报告（{format_id}）。字体：{used}。"
    if substitutes:
        description += substitution_text(substitutes)
    keywords = ["政府信息公开工作年度报告", format_id]
    keywords += [f"替代字体 {o}→{f}" for o, f in substitutes.items()]
    return {
        "meta": {
            "title": _text(context.get("doc_title") or context["title"]).replace("\n", ""),
            "author": _text(context.get("signer", "")),
            "keywords": keywords,
            "description": description,
        },
        "fonts": {
            role: {"families": list(c.families), "weight": c.weight} for role, c in fonts.items()
        },
        "draft": bool(context.get("draft")),
        "title": _text(context["title"]).split("\n"),
        "blocks": report_blocks(context, kind),
    }
