"""Raw access to a workbook file: what kind of file it is, and its sheets' cells and defined names.

.xlsx/.xlsm are read straight from the zip: the central directory is checked against the
limits before anything is decompressed, and each XML part is streamed with defusedxml (no DTD,
no entities, no network). .xls and .ods go through python-calamine (this is the only module that
imports it). Problems with the file itself raise :class:`FileProblem`; the reader turns them into
findings.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import iterparse

from workflow.read.limits import Budget, LimitExceeded, Limits

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_XML_ERRORS = (SyntaxError, DefusedXmlException, ValueError, UnicodeError)


class FileProblem(Exception):
    """The file cannot be read as a workbook. ``rule`` is the finding's rule id."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)  # (row, col) 1-based → value
    formulas: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class Book:
    """The parts of a workbook the reader needs. Sheets are read on first use."""

    kind: str  # "xlsx" or "xls" / "ods"
    sheet_names: list[str]
    names: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # name → (sheet, row, col)
    date1904: bool = False
    macros: bool = False
    formulas_known: bool = True
    _sheets: dict[str, Sheet] = field(default_factory=dict)
    _loader: Any = None
    _zip: Any = None

    def close(self) -> None:
        """Release the file (an open zip would keep it locked on Windows)."""
        self._loader = None
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def sheet(self, name: str) -> Sheet | None:
        if name not in self._sheets and self._loader is not None and name in self.sheet_names:
            self._sheets[name] = self._loader(name)
        return self._sheets.get(name)

    def sheets(self) -> Iterator[Sheet]:
        for name in self.sheet_names:
            sheet = self.sheet(name)
            if sheet is not None:
                yield sheet


# -- what kind of file -------------------------------------------------------------------------


def sniff(head: bytes) -> str:
    """ "zip", "cfb", "empty", or a short Chinese description of what the file is instead."""
    if not head:
        return "empty"
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(CFB_MAGIC):
        return "cfb"
    if head.startswith(b"%PDF"):
        return "PDF 文件"
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html", b"<?xml", b"<table")):
        return "网页或 XML 文本（常见于从网站导出后改了扩展名的文件）"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "图片"
    if head.startswith((b"{\\rtf", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "RTF 文档或压缩包"
    return "文本或其他类型的文件"


def cfb_stream_names(data: bytes, *, max_entries: int = 4096) -> list[str]:
    """Names in an OLE compound file's directory (enough to tell .xls from encrypted OOXML)."""
    if len(data) < 512 or not data.startswith(CFB_MAGIC):
        return []
    sector = 1 << struct.unpack_from("<H", data, 30)[0]
    if sector not in (512, 4096):
        return []
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < 0xFFFFFFFA]
    fat: list[int] = []
    for s in fat_sectors:
        start = (s + 1) * sector
        fat.extend(
            struct.unpack_from(f"<{sector // 4}I", data, start)
            if start + sector <= len(data)
            else ()
        )
    names: list[str] = []
    current, seen = struct.unpack_from("<I", data, 48)[0], set()
    while current < len(fat) and current not in seen and len(names) < max_entries:
        seen.add(current)
        start = (current + 1) * sector
        for off in range(start, min(start + sector, len(data) - 127), 128):
            size = struct.unpack_from("<H", data, off + 64)[0]
            if 2 <= size <= 64:
                names.append(data[off : off + size - 2].decode("utf-16-le", "replace"))
        current = fat[current]
    return names


# -- xlsx / xlsm ---------------------------------------------------------------------------------


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


_REF = re.compile(
    r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?[A-Za-z]{1,3}\$?\d{1,7})?$"
)


def parse_ref(text: str) -> tuple[str, int, int] | None:
    """ "'三、依申请公开'!$C$8" → ("三、依申请公开", 8, 3); ranges give their top-left cell."""
    match = _REF.match(text.strip())
    if not match:
        return None
    sheet = match.group(1).replace("''", "'") if match.group(1) else match.group(2)
    return sheet, int(match.group(4)), column_number(match.group(3))


def column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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
    defined: dict[str, tuple[str, int, int]] = {}
    date1904 = False
    for elem in elements:
        tag = _local(elem.tag)
        if tag == "sheet":
            target = rels.get(_attr(elem, "id") or "", ("", ""))
            if target[0] == "worksheet" and target[1] in names:
                sheets.append((elem.get("name", ""), target[1]))
        elif tag == "definedName" and elem.text:
            ref = parse_ref(elem.text)
            if ref is not None and not elem.get("name", "").startswith("_xlnm."):
                defined.setdefault(elem.get("name", ""), ref)
        elif tag == "workbookPr":
            date1904 = elem.get("date1904", "").lower() in ("1", "true")
    paths = dict(sheets)
    shared: list[str] | None = None
    sst_part = next((t for typ, t in rels.values() if typ == "sharedStrings"), "")

    def load(name: str) -> Sheet:
        nonlocal shared
        if shared is None:
            shared = read_shared_strings(zf, sst_part, limits, budget) if sst_part in names else []
        return read_sheet(zf, name, paths[name], shared, budget)

    macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    return Book("xlsx", [s for s, _ in sheets], defined, date1904, macros, _loader=load, _zip=zf)


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
    text = "".join(parts)
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how Excel stores control characters (CR = _x000D_)


_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")


def read_sheet(
    zf: zipfile.ZipFile, name: str, part: str, shared: list[str], budget: Budget
) -> Sheet:
    """Every non-empty cell of one worksheet, streamed; formula cells are marked."""
    sheet = Sheet(name)
    row, col = 0, 0
    parent = None
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
                _store_cell(sheet, (row, col), elem, shared)
                elem.clear()
            elif tag == "row" and parent is not None:
                budget.add_cells(1)
                parent.clear()
    return sheet


def _store_cell(sheet: Sheet, at: tuple[int, int], elem: Any, shared: list[str]) -> None:
    kind = elem.get("t", "n")
    text = None
    inline = None
    for child in elem:
        tag = _local(child.tag)
        if tag == "v":
            text = child.text
        elif tag == "f":
            sheet.formulas.add(at)
        elif tag == "is":
            inline = _rich_text(child)
    value = _cell_value(kind, text, inline, shared)
    if value is not None and value != "":
        sheet.cells[at] = value


def _cell_value(kind: str, text: str | None, inline: str | None, shared: list[str]) -> Any:
    if kind == "inlineStr":
        return inline
    if text is None:
        return None
    if kind == "s":
        index = int(text) if text.strip().isdigit() else -1
        return shared[index] if 0 <= index < len(shared) else None
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind in ("str", "e", "d"):
        return text
    return xml_number(text)


def xml_number(text: str) -> int | Decimal | str:
    """A numeric cell's stored text as int or Decimal — never float."""
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    return int(number) if number == number.to_integral_value() and abs(number) < 10**15 else number


# -- xls / ods through python-calamine -------------------------------------------------------


def open_calamine(path: Path, kind: str, budget: Budget) -> Book:
    """A .xls or .ods workbook: every sheet's values (defined names and formulas are not available)."""
    import python_calamine as pc

    try:
        workbook = pc.CalamineWorkbook.from_path(str(path))
        sheet_names = list(workbook.sheet_names)
        sheets = {name: _calamine_sheet(workbook, name, budget) for name in sheet_names}
    except pc.PasswordError as exc:
        raise FileProblem("file-encrypted", "工作簿设置了打开密码") from exc
    except LimitExceeded:
        raise
    except Exception as exc:  # calamine raises many types for bad bytes; all mean "unreadable"
        raise FileProblem("file-corrupt", f"无法读取该{kind}文件（{type(exc).__name__}）") from exc
    return Book(kind, sheet_names, formulas_known=False, _sheets=sheets)


def _calamine_sheet(workbook: Any, name: str, budget: Budget) -> Sheet:
    sheet = Sheet(name)
    data = workbook.get_sheet_by_name(name)
    last_row, last_col = data.end or (0, 0)
    if (last_row + 1) * (last_col + 1) > budget.limits.max_cells * 4:
        raise LimitExceeded(f"工作表“{name}”的单元格数量过多")
    # skip_empty_area=False: rows and columns counted from A1, as in the file
    for r, values in enumerate(data.to_python(skip_empty_area=False), start=1):
        for c, value in enumerate(values, start=1):
            if value == "" or value is None:
                continue
            budget.add_cells(1)
            sheet.cells[(r, c)] = _calamine_value(value)
    return sheet


def _calamine_value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, float):
        return (
            Decimal(repr(value))
            if value == value and value not in (float("inf"), float("-inf"))
            else value
        )
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, (date, datetime, bool, int, str)):
        return value
    return str(value)
