"""The report as one HTML page, for a portal's 政府信息公开年报 column (beside the .docx and the PDF).

Made from the same report model as the PDF (``report.blocks``: the context of the .docx template,
tables read back from their WordprocessingML), so the three files cannot disagree. The page is
self-contained UTF-8 (inline CSS, no script, no external resource), ``lang="zh-CN"``, the title an
``<h1>``, each table a real ``<table>`` with ``<caption>``, ``<th scope>`` and the official merged
headers (colspan/rowspan); print CSS for A4, and at phone width the wide tables scroll inside their
own box instead of widening the page. jinja2 with autoescape: no clerk's text becomes markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
from workflow.report.blocks import Kind, plain_text, report_blocks
from workflow.report.docx import district_report_context, unit_report_context

TEMPLATE = "report.html.j2"
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _caption(heading: str) -> str:
    """ "二、主动公开政府信息情况" → "主动公开政府信息情况" (the heading above says the number)."""
    return re.sub(r"^[一二三四五六七八九十]+、", "", heading)


def html_table(model: Mapping[str, Any], caption: str) -> dict[str, Any]:
    """A table model (report.blocks.table_model) as rows of th/td cells with scope and spans.

    Shaded cells are column headers (scope col, or colgroup when they span columns); a text cell in
    a body row is a row header (row, or rowgroup when it spans rows); numbers are data cells."""
    header = int(model["header"])
    rows: dict[int, list[dict[str, Any]]] = {}
    for cell in model["cells"]:
        text = str(cell["text"])
        number = bool(_NUMBER.fullmatch(text)) or (not text and not cell["shade"])
        if cell["shade"]:
            tag, scope = "th", "colgroup" if cell["colspan"] > 1 else "col"
        elif number:
            tag, scope = "td", ""
        else:
            tag, scope = "th", "rowgroup" if cell["rowspan"] > 1 else "row"
        rows.setdefault(int(cell["y"]), []).append(
            {
                "tag": tag,
                "scope": scope,
                "text": text,
                "lines": text.split("\n"),
                "colspan": int(cell["colspan"]),
                "rowspan": int(cell["rowspan"]),
                "align": "left" if cell["align"] == "left" else "",
            }
        )
    ordered = [rows.get(y, []) for y in range(max(rows, default=-1) + 1)]
    return {
        "kind": "table",
        "caption": caption,
        "head": ordered[:header],
        "body": ordered[header:],
        "columns": len(model["widths"]),
    }


def page_model(
    context: Mapping[str, Any], kind: Kind, blocks: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """Title and blocks of the page: headings become h2/h3, tables get their captions.
    ``blocks``: the context's ``report_blocks`` when the caller has them already."""
    out: list[Mapping[str, Any]] = []
    heading = ""
    for block in report_blocks(context, kind) if blocks is None else blocks:
        if block["kind"] in ("h1", "h2"):
            heading = block["text"]
        if block["kind"] == "table":
            out.append(html_table(block, _caption(heading)))
        else:
            out.append(block)
    return {
        "title": plain_text(context["title"]).replace("\n", ""),
        "draft": bool(context.get("draft")),
        "blocks": out,
    }


@cache
def _template() -> jinja2.Template:
    folder = Path(__file__).resolve().parents[1] / "assets"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(TEMPLATE)


def render_report_html(
    context: Mapping[str, Any],
    kind: Kind,
    path: Path,
    blocks: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """Write the HTML page of a report context to ``path`` (UTF-8, LF line ends)."""
    text = _template().render(page=page_model(context, kind, blocks))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_unit_report_html(
    settings: Settings, record: UnitRecord, path: Path, *, now: datetime, draft: bool = False
) -> None:
    """The HTML page of one unit's report (the same context as ``write_unit_report``)."""
    render_report_html(unit_report_context(settings, record, now=now, draft=draft), "unit", path)


def write_district_report_html(
    settings: Settings, summary: Mapping[str, Any], path: Path, *, now: datetime, draft: bool
) -> None:
    """The HTML page of the district's report (the same context as ``write_district_report``)."""
    context = district_report_context(settings, summary, now=now, draft=draft)
    render_report_html(context, "district", path)
