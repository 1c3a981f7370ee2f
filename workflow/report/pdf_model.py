"""The report as typst data: the blocks of report/blocks.py (the very context the .docx template
gets, tables read back from their WordprocessingML), with the document properties and the fonts.

Text and numbers cannot disagree between the .docx, the PDF and the HTML page. No text is ever
turned into typst markup: the template shows these values as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflow.formats.spec import load_format
from workflow.report.blocks import Kind, plain_text, preamble, report_blocks, table_model
from workflow.report.pdf_fonts import FontChoice, distinct, substitutes_of, substitution_text

__all__ = ["Kind", "preamble", "report_blocks", "report_model", "table_model"]


def _format_title(format_id: str) -> str:
    """The official name of a report format (国办公开办函〔2021〕30号), else its id."""
    try:
        return load_format(format_id).title
    except Exception:  # an unknown id still gets a PDF
        return format_id


def report_model(
    context: Mapping[str, Any],
    kind: Kind,
    format_id: str,
    fonts: Mapping[str, FontChoice],
    blocks: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything the typst template shows, as JSON-ready data (``blocks``: the context's
    ``report_blocks`` when the caller has them already)."""
    substitutes = substitutes_of(fonts)
    used = "；".join(f"{c.official}：{c.family or '无'}" for c in distinct(fonts))
    basis = _format_title(format_id)
    description = f"{'区' if kind == 'district' else '单位'}政府信息公开工作年度报告（格式：{basis}）。字体：{used}。"
    if substitutes:
        description += substitution_text(substitutes)
    keywords = ["政府信息公开工作年度报告", basis]
    keywords += [f"替代字体 {o}→{f}" for o, f in substitutes.items()]
    return {
        "meta": {
            "title": plain_text(context.get("doc_title") or context["title"]).replace("\n", ""),
            "author": plain_text(context.get("signer", "")),
            "keywords": keywords,
            "description": description,
        },
        "fonts": {
            role: {"families": list(c.families), "weight": c.weight} for role, c in fonts.items()
        },
        "draft": bool(context.get("draft")),
        "title": plain_text(context["title"]).split("\n"),
        "blocks": report_blocks(context, kind) if blocks is None else list(blocks),
    }
