"""A PDF's text layer as lines, by word position (pdfplumber).

WPS-made PDFs store text out of reading order (a table row's label can come ~140 lines after its
numbers), so words are grouped into lines by their vertical position on the page and ordered left to
right; each word is a cell. Page numbers (``-3-``) are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from workflow.read.report.lines import Line, make_line

_PAGE_NUMBER = re.compile(r"^[-－—–]?\s*\d{1,3}\s*[-－—–]?$|^第\d+页(共\d+页)?$")
LINE_TOLERANCE = 3.0  # points: words whose tops differ by less are on one line
MAX_PAGES = 200


def pdf_lines(path: Path) -> tuple[list[Line], int]:
    """The lines of every page, and how many characters the text layer has."""
    import pdfplumber

    out: list[Line] = []
    chars = 0
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages[:MAX_PAGES]:
            words = page.extract_words(x_tolerance=1.5, y_tolerance=2)
            chars += sum(len(w["text"]) for w in words)
            out.extend(_page_lines(words, float(page.height)))
            page.flush_cache()
    return out, chars


def _page_lines(words: list[dict[str, Any]], height: float) -> list[Line]:
    rows: list[tuple[float, list[dict[str, Any]]]] = []
    for word in sorted(words, key=lambda w: (float(w["top"]), float(w["x0"]))):
        top = float(word["top"])
        if rows and abs(rows[-1][0] - top) < LINE_TOLERANCE:
            rows[-1][1].append(word)
        else:
            rows.append((top, [word]))
    out = []
    for top, row in rows:
        row.sort(key=lambda w: float(w["x0"]))
        line = make_line(str(w["text"]) for w in row)
        if line is None:
            continue
        at_edge = top > height * 0.88 or top < height * 0.06
        if at_edge and _PAGE_NUMBER.match(" ".join(line.cells)):
            continue
        out.append(line)
    return out
