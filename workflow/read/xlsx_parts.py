"""Raw access to a workbook file: what kind of file it is; .xls and .ods through python-calamine
(this is the only module that imports it). The .xlsx/.xlsm reader is :mod:`workflow.read.ooxml`,
the shapes both fill are in :mod:`workflow.read.book`; both are re-exported here. Problems with
the file itself raise :class:`FileProblem`; the reader turns them into findings.
"""

from __future__ import annotations

import struct
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from workflow.read.book import (
    Book,
    FileProblem,
    Sheet,
    clean_cell_text,
    column_letters,
    column_number,
    parse_ref,
)
from workflow.read.limits import Budget, LimitExceeded
from workflow.read.ooxml import check_zip, open_ooxml, xml_number

__all__ = [
    "Book",
    "FileProblem",
    "Sheet",
    "cfb_stream_names",
    "check_zip",
    "clean_cell_text",
    "column_letters",
    "column_number",
    "open_calamine",
    "open_ooxml",
    "parse_ref",
    "sniff",
    "xml_number",
]

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


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
    if isinstance(value, str):
        return clean_cell_text(value)
    if isinstance(value, (date, datetime, bool, int)):
        return value
    return str(value)
