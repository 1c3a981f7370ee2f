"""Dropping links to other workbooks and DDE/OLE servers from an .xlsx at the XML level (for the
direct writer, ``check.xlsx_marks``), as the openpyxl path of ``check.annotate`` does: the link
parts and their relationships go, defined names that use a link go, and each formula that uses one
is removed so the cell keeps the value the department's file showed."""

from __future__ import annotations

import re
from xml.sax.saxutils import unescape

from workflow.check.xlsx_styles import NotSimple

LINKED = re.compile(r"\[\d+\]|(?:^|[=+\-*/(,])\s*'?[A-Za-z][\w.]*'?\|")
_ENTITIES = {"&quot;": '"', "&apos;": "'"}
_FORMULA = re.compile(rb"<f\b([^>]*)>(.*?)</f>", re.S)


def is_link_part(name: str) -> bool:
    return name.startswith("xl/externalLinks/")


def without_linked_formulas(data: bytes) -> bytes:
    """A worksheet's XML without the formulas that use a link (their cached values stay)."""

    def drop(match: re.Match[bytes]) -> bytes:
        formula = unescape(match.group(2).decode("utf-8"), _ENTITIES)
        if not LINKED.search(formula):
            return match.group(0)
        if re.search(rb'\st="(shared|array|dataTable)"', match.group(1)):
            raise NotSimple("a linked shared or array formula")
        return b""

    return _FORMULA.sub(drop, data)


def workbook_without_links(data: bytes) -> bytes:
    data = re.sub(rb"<externalReferences\b.*?</externalReferences>|<externalReferences\s*/>",
                  b"", data, flags=re.S)  # fmt: skip

    def drop(match: re.Match[bytes]) -> bytes:
        text = unescape(match.group(1).decode("utf-8"), _ENTITIES)
        return b"" if LINKED.search(text) else match.group(0)

    data = re.sub(rb"<definedName\b[^>]*>(.*?)</definedName>", drop, data, flags=re.S)
    return re.sub(rb"<definedNames\s*>\s*</definedNames>", b"", data)


def rels_without_links(data: bytes) -> bytes:
    return re.sub(rb"<Relationship\s[^>]*?/externalLink\"[^>]*?/>", b"", data)


def content_types_without_links(data: bytes) -> bytes:
    return re.sub(rb'<Override\s[^>]*?PartName="/xl/externalLinks/[^"]*"[^>]*?/>', b"", data)
