"""The workbook as the reader sees it: sheets of cells, defined names, sheet visibility, and the
problems that stop a file from being read at all. Pure: no file-format library is imported here.

Text from a cell is cleaned when it is read (:func:`clean_cell_text`): Excel's ``_xHHHH_`` escapes
are decoded, a surrogate pair becomes its character, and a lone surrogate or a control character
(a cut emoji, a pasted form feed) becomes U+FFFD or is dropped, so nothing downstream (JSON, Word,
the annotated copy) can fail on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how Excel stores control characters (CR = _x000D_)
_KEEP_CONTROLS = frozenset("\t\n\r")


def clean_cell_text(text: str) -> str:
    """A cell's text as a department sees it: ``_xHHHH_`` escapes decoded (a surrogate pair joined
    into its character), lone surrogates replaced by U+FFFD, other control characters dropped.

    >>> clean_cell_text("a_x000D__x000A_b_xD83D__xDE00_c_xD800_d\x07")
    'a\\r\\nb\U0001f600c\ufffdd'
    """
    if "_x" in text:
        text = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    if text.isascii() and text.isprintable():
        return text
    # join surrogate pairs, replace what is left alone
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return "".join(
        ch for ch in text if ch in _KEEP_CONTROLS or not (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0)
    )


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
    # formula cells → the formula's text ("" for a shared formula's dependent cells)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Book:
    """The parts of a workbook the reader needs. Sheets are read on first use."""

    kind: str  # "xlsx" or "xls" / "ods"
    sheet_names: list[str]
    names: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # name → (sheet, row, col)
    date1904: bool = False
    macros: bool = False
    formulas_known: bool = True
    hidden: dict[str, str] = field(default_factory=dict)  # sheet → "hidden" / "veryHidden"
    external: list[str] = field(default_factory=list)  # external workbook / DDE / OLE links
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


# -- cell references -----------------------------------------------------------------------------


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
