"""A published report as a sequence of lines, each a tuple of cell texts, whatever its file type.

Text (.txt): one line per line, cells split at tabs or runs of two or more spaces. Word (.docx): one
line per paragraph and one per table row (a cell's paragraphs joined). Web page (.html/.htm): one
line per block of text and one per table row (``<td>``/``<th>`` cells; a spanned cell is kept once,
where it is printed). PDFs are read by word position in ``workflow.read.report.pdf``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

from defusedxml import ElementTree

_CELL_SPLIT = re.compile(r"\t|\s{2,}|\u3000+")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_DOCX_XML = 64 * 1024 * 1024  # uncompressed document.xml larger than this is not read


# An empty cell of a Word or web-page table row, as kept in ``Line.slots``: portals and Word
# reports often leave a 0 blank, so a row's empty cells keep its numbers in their columns.
BLANK = "\u2205"


@dataclass(frozen=True, slots=True)
class Line:
    """One printed line or table row: its cells in reading order (empty cells dropped).

    ``slots`` is set for a table row with empty cells: every cell, an empty one as ``BLANK``."""

    cells: tuple[str, ...]
    slots: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "".join(self.cells)

    @property
    def key(self) -> str:
        """The text without any whitespace (labels are compared this way)."""
        return "".join(self.text.split())


def make_line(cells: Iterable[str], *, blanks: bool = False) -> Line | None:
    """A line of the non-empty cells; with ``blanks`` (a table row) the empty ones kept in slots."""
    every = [c.strip() if c else "" for c in cells]
    kept = tuple(c for c in every if c)
    if not kept:
        return None
    if blanks and len(kept) < len(every):
        return Line(kept, tuple(c or BLANK for c in every))
    return Line(kept)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (GBK's superset), else UTF-8 with replacements."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def text_lines(text: str) -> list[Line]:
    out = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = make_line(_CELL_SPLIT.split(raw))
        if line is not None:
            out.append(line)
    return out


# -- Word ------------------------------------------------------------------------------------------


def docx_lines(data: bytes | str) -> list[Line]:
    """Paragraphs and table rows of a .docx body, in document order (path or bytes)."""
    import io

    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > MAX_DOCX_XML:
            raise ValueError("document.xml too large")
        root = ElementTree.fromstring(archive.read(info))
    body = root.find(f"{_W}body")
    out: list[Line] = []
    if body is not None:
        _docx_block(body, out)
    return out


def _para_text(p: object) -> str:
    parts = []
    for node in p.iter():  # type: ignore[attr-defined]
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


def _docx_block(parent: object, out: list[Line]) -> None:
    for child in parent:  # type: ignore[attr-defined]
        if child.tag == f"{_W}p":
            out.extend(text_lines(_para_text(child)))
        elif child.tag == f"{_W}tbl":
            for tr in child.iter(f"{_W}tr"):
                cells = []
                for tc in tr.findall(f"{_W}tc"):
                    paras = [_para_text(p) for p in tc.iter(f"{_W}p")]
                    cells.append("".join(" ".join(paras).split()))
                line = make_line(cells, blanks=True)
                if line is not None:
                    out.append(line)
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                _docx_block(content, out)


# -- web page --------------------------------------------------------------------------------------

_BLOCKS = frozenset(
    {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "table"}
)
_SKIP = frozenset({"script", "style", "head", "title", "noscript"})


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self._text: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip = 0

    def _flush_text(self) -> None:
        if self._text:
            self.lines.extend(text_lines("".join(self._text)))
            self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "tr":
            self._flush_text()
            self._row = []
        elif tag in ("td", "th"):
            if self._row is None:
                self._row = []
            self._cell = []
        elif tag in _BLOCKS:
            if self._cell is not None:
                self._cell.append(" ")
            else:
                self._flush_text()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th"):
            if self._row is not None and self._cell is not None:
                self._row.append("".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            if self._row is not None:
                line = make_line(self._row, blanks=True)
                if line is not None:
                    self.lines.append(line)
            self._row = None
        elif tag in _BLOCKS and self._cell is None:
            self._flush_text()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        else:
            self._text.append(data.replace("\n", " "))

    def close(self) -> None:
        super().close()
        self._flush_text()


def html_lines(text: str) -> list[Line]:
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser.lines


def html_decode(data: bytes) -> str:
    """A page's text: the charset its <meta> names, else UTF-8, else GB18030."""
    head = data[:4096].decode("ascii", errors="ignore").lower()
    match = re.search(r"charset\s*=\s*[\"']?([a-z0-9_-]+)", head)
    if match:
        name = match.group(1)
        name = "gb18030" if name in ("gb2312", "gbk", "gb18030") else name
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)
