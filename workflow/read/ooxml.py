"""Reading .xlsx/.xlsm straight from the zip: the central directory is checked against the limits
before anything is decompressed, and each XML part is streamed with defusedxml (no DTD, no
entities, no network). Besides the cells: defined names (workbook scope only: the sheet-scoped
copies Excel makes when a sheet is copied are not the template's names), which sheets are hidden,
each formula's text, and links to other workbooks (external references, DDE, OLE).
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import iterparse

from workflow.read.book import (
    Book,
    FileProblem,
    Sheet,
    clean_cell_text,
    column_number,
    parse_ref,
)
from workflow.read.formulas import Unsupported, shift_formula
from workflow.read.limits import Budget, LimitExceeded, Limits


def check_zip(zf: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse before decompressing: too many entries, declared sizes too big, bomb-like ratios."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise LimitExceeded(f"压缩包内文件数超过 {limits.max_members} 个")
    total = 0
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise FileProblem("file-corrupt", f"压缩包内有异常路径“{name[:60]}”")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileProblem("file-corrupt", "压缩包使用了不支持的压缩方式")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_member_ratio:
            raise LimitExceeded(
                f"压缩比异常（{name[:40]} 解压后是压缩前的 {ratio:.0f} 倍，疑似“压缩炸弹”）"
            )
    if total > limits.max_uncompressed_bytes:
        raise LimitExceeded(f"解压后总大小超过 {limits.max_uncompressed_bytes // (1024 * 1024)} MB")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attr(elem: Any, local: str) -> str | None:
    for key, value in elem.attrib.items():
        if _local(key) == local:
            return value
    return None


def _parse(stream: IO[bytes], events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Any]]:
    """Stream a part's elements; a DTD, entity or external reference stops the read."""
    try:
        yield from iterparse(
            stream, events=events, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise FileProblem(
            "file-corrupt", f"文件中含有不允许的 XML 结构（{type(exc).__name__}），可能被篡改"
        ) from exc


def _read_small(zf: zipfile.ZipFile, name: str) -> list[Any]:
    """All elements of a small part (workbook, rels), in document order."""
    with zf.open(name) as stream:
        return [elem for _, elem in _parse(stream)]


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type suffix, target path inside the zip) of a part."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in zf.NameToInfo:
        return {}
    out = {}
    for elem in _read_small(zf, rels_name):
        if _local(elem.tag) == "Relationship" and elem.get("Target"):
            target = elem.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            out[elem.get("Id", "")] = (elem.get("Type", "").rpartition("/")[2], path)
    return out


def open_ooxml(zf: zipfile.ZipFile, limits: Limits, budget: Budget) -> Book:
    """The workbook in an OOXML zip: sheet names, defined names, date system, macros."""
    check_zip(zf, limits)
    names = set(zf.NameToInfo)
    if "xl/workbook.bin" in names:
        raise FileProblem("file-unsupported", "这是 Excel 二进制工作簿（.xlsb）")
    workbook_part = next(
        (t for k, (typ, t) in _rels(zf, "").items() if k and typ == "officeDocument"), ""
    )
    if workbook_part not in names:
        workbook_part = "xl/workbook.xml" if "xl/workbook.xml" in names else ""
    elements = _read_small(zf, workbook_part) if workbook_part else []
    if not elements or _local(elements[-1].tag) != "workbook":
        raise FileProblem("file-not-spreadsheet", _zip_kind(names))
    rels = _rels(zf, workbook_part)
    sheets: list[tuple[str, str]] = []
    hidden: dict[str, str] = {}
    defined: dict[str, tuple[str, int, int]] = {}
    date1904 = False
    for elem in elements:
        tag = _local(elem.tag)
        if tag == "sheet":
            target = rels.get(_attr(elem, "id") or "", ("", ""))
            if target[0] == "worksheet" and target[1] in names:
                sheets.append((elem.get("name", ""), target[1]))
                if elem.get("state", "visible") in ("hidden", "veryHidden"):
                    hidden[elem.get("name", "")] = elem.get("state", "")
        elif tag == "definedName" and elem.text and elem.get("localSheetId") is None:
            # sheet-scoped names are Excel's copies for a copied sheet, never the template's
            ref = parse_ref(elem.text)
            if ref is not None and not elem.get("name", "").startswith("_xlnm."):
                defined.setdefault(elem.get("name", ""), ref)
        elif tag == "workbookPr":
            date1904 = elem.get("date1904", "").lower() in ("1", "true")
    paths = dict(sheets)
    external = [
        _external_link(zf, part)
        for typ, part in rels.values()
        if typ == "externalLink" and part in names
    ]
    shared: list[str] | None = None
    sst_part = next((t for typ, t in rels.values() if typ == "sharedStrings"), "")

    def load(name: str) -> Sheet:
        nonlocal shared
        if shared is None:
            shared = read_shared_strings(zf, sst_part, limits, budget) if sst_part in names else []
        return read_sheet(zf, name, paths[name], shared, budget)

    macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    return Book(
        "xlsx", [s for s, _ in sheets], defined, date1904, macros,
        hidden=hidden, external=external, _loader=load, _zip=zf,
    )  # fmt: skip


def _external_link(zf: zipfile.ZipFile, part: str) -> str:
    """What an external link part points at, in a few words: the other workbook's file name, or
    the DDE/OLE server and topic."""
    targets = {rid: target.rpartition("/")[2] for rid, (_typ, target) in _rels(zf, part).items()}
    for elem in _read_small(zf, part):
        tag = _local(elem.tag)
        if tag == "externalBook":
            return f"外部工作簿“{targets.get(_attr(elem, 'id') or '', '') or '未知'}”"
        if tag == "ddeLink":
            return f"DDE 链接“{elem.get('ddeService', '')}|{elem.get('ddeTopic', '')}”"
        if tag == "oleLink":
            return f"OLE 链接“{targets.get(_attr(elem, 'id') or '', '') or elem.get('progId', '')}”"
    return "外部链接"


def _zip_kind(names: set[str]) -> str:
    if "word/document.xml" in names:
        return "这是 Word 文档（.docx），不是 Excel 表格"
    if "ppt/presentation.xml" in names:
        return "这是 PowerPoint 演示文稿，不是 Excel 表格"
    return "这是一个压缩包，不是 Excel 表格"


def read_shared_strings(
    zf: zipfile.ZipFile, part: str, limits: Limits, budget: Budget
) -> list[str]:
    """The shared string table; rich-text runs joined, phonetic hints (rPh) left out."""
    out: list[str] = []
    with zf.open(part) as stream:
        for _, elem in _parse(stream):
            if _local(elem.tag) != "si":
                continue
            out.append(_rich_text(elem))
            elem.clear()
            if len(out) > limits.max_shared_strings:
                raise LimitExceeded(f"共享字符串超过 {limits.max_shared_strings} 个")
            if len(out) % 1024 == 0:
                budget.check_time()
    return out


def _rich_text(elem: Any) -> str:
    parts = []
    for child in elem:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return clean_cell_text("".join(parts))


_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")


def read_sheet(
    zf: zipfile.ZipFile, name: str, part: str, shared: list[str], budget: Budget
) -> Sheet:
    """Every non-empty cell of one worksheet, streamed; formula cells are marked."""
    sheet = Sheet(name)
    row, col = 0, 0
    parent = None
    shared_formulas: dict[str, tuple[tuple[int, int], str]] = {}  # si → (first cell, text)
    dependents: dict[tuple[int, int], str] = {}  # cell → si of the shared formula it copies
    with zf.open(part) as stream:
        for event, elem in _parse(stream, ("start", "end")):
            tag = _local(elem.tag)
            if event == "start":
                if tag == "sheetData":
                    parent = elem
                elif tag == "row":
                    row = int(elem.get("r") or row + 1)
                    col = 0
                continue
            if tag == "c":
                budget.add_cells(1)
                ref = _CELL_REF.fullmatch(elem.get("r") or "")
                if ref:
                    row, col = int(ref.group(2)), column_number(ref.group(1))
                else:
                    col += 1
                si = _store_cell(sheet, (row, col), elem, shared, shared_formulas)
                if si is not None:
                    dependents[(row, col)] = si
                elem.clear()
            elif tag == "row" and parent is not None:
                budget.add_cells(1)
                parent.clear()
    for at, si in dependents.items():
        if si in shared_formulas:
            (r0, c0), text = shared_formulas[si]
            with contextlib.suppress(Unsupported):  # else left "": cannot be recomputed
                sheet.formulas[at] = shift_formula(text, at[0] - r0, at[1] - c0)
    return sheet


def _store_cell(
    sheet: Sheet,
    at: tuple[int, int],
    elem: Any,
    shared: list[str],
    shared_formulas: dict[str, tuple[tuple[int, int], str]],
) -> str | None:
    """Store one cell; the ``si`` of the shared formula it copies, if any (resolved later)."""
    kind = elem.get("t", "n")
    text = None
    inline = None
    copies = None
    for child in elem:
        tag = _local(child.tag)
        if tag == "v":
            text = child.text
        elif tag == "f":
            formula = child.text or ""
            sheet.formulas[at] = formula
            si = child.get("si")
            if child.get("t") == "shared" and si is not None:
                if formula:
                    shared_formulas.setdefault(si, (at, formula))
                else:
                    copies = si
        elif tag == "is":
            inline = _rich_text(child)
    value = _cell_value(kind, text, inline, shared)
    if value is not None and value != "":
        sheet.cells[at] = value
    return copies


def _cell_value(kind: str, text: str | None, inline: str | None, shared: list[str]) -> Any:
    if kind == "inlineStr":
        return inline
    if text is None:
        return None
    if kind == "s":
        index = int(text) if text.strip().isascii() and text.strip().isdigit() else -1
        return shared[index] if 0 <= index < len(shared) else None
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind in ("str", "e", "d"):
        return clean_cell_text(text)
    return xml_number(text)


def xml_number(text: str) -> int | Decimal | str:
    """A numeric cell's stored text as int or Decimal — never float."""
    text = text.strip()
    if text.isascii() and text.lstrip("-").isdigit():
        return int(text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    return int(number) if number == number.to_integral_value() and abs(number) < 10**15 else number
