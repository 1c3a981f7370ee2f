"""Where each field of a format sits in a workbook: by defined names, or by the tables' own labels.

Pure: works on the cell values of a :class:`~workflow.read.xlsx_parts.Book`. The label search follows
the official tables (and the template's layout of them): rows are found in their official order
by their row labels, columns by the nearest column label above the first row, so one table can
sit anywhere in any sheet and small label variants (spaces, full/half-width brackets, "1、" for
"1.", the known typos) still match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from workflow.formats.layout import SHEET_CHECK, SHEET_GUIDE, SHEET_META, info_layout
from workflow.formats.spec import PART_NAMES, Format, Grid, Row, load_format

if TYPE_CHECKING:  # locate stays pure: it only reads the cells a Book already holds
    from workflow.read.xlsx_parts import Book

Place = tuple[str, int, int]  # (sheet, row, col), 1-based

KNOWN_TYPOS = (("三类内容事务信息", "三类内部事务信息"), ("四类过程信息", "四类过程性信息"))
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")
_NUMBERED = re.compile(r"^(\d+)[、,.]")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """A label reduced to what identifies it: no spaces, quotes, width or typo differences."""
    key = "".join(unicodedata.normalize("NFKC", text).split()).translate(_QUOTES)
    key = _NUMBERED.sub(r"\1.", key).rstrip(":")
    for typo, right in KNOWN_TYPOS:
        key = key.replace(typo, right)
    return key


@dataclass
class Located:
    cells: dict[str, Place] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # official labels not found, in Chinese

    def merge(self, other: Located) -> None:
        self.cells.update(other.cells)
        self.missing += other.missing


def by_names(book: Book, spec: Format) -> dict[str, Place]:
    """Fields whose workbook defined name (= field id) points at a cell of an existing, visible
    sheet (a name pointing into a hidden sheet is not read: see ``visible.hidden_names``)."""
    sheets = set(book.sheet_names) - set(book.hidden)
    return {
        fid: place for fid in spec.fields if (place := book.names.get(fid)) and place[0] in sheets
    }


def names_in_hidden_sheets(book: Book, spec: Format) -> dict[str, Place]:
    """Fields whose defined name points into a hidden or very hidden sheet."""
    return {
        fid: place
        for fid in spec.fields
        if (place := book.names.get(fid)) and place[0] in book.hidden
    }


class _Index:
    """The text cells of one sheet, by label key, in reading order."""

    def __init__(self, name: str, cells: dict[tuple[int, int], object]) -> None:
        self.name = name
        self.entries = sorted(
            (r, c, label_key(v)) for (r, c), v in cells.items() if isinstance(v, str) and v.strip()
        )

    def first_row(self, keys: frozenset[str] | set[str], after: int) -> tuple[int, int] | None:
        return next(((r, c) for r, c, k in self.entries if r > after and k in keys), None)

    def nearest_above(self, key: str, below: int, floor: int) -> tuple[int, int] | None:
        hits = [(r, c) for r, c, k in self.entries if floor < r < below and k == key]
        return max(hits, key=lambda rc: (rc[0], -rc[1])) if hits else None

    def in_row(self, key: str, row: int) -> list[int]:
        return sorted(c for r, c, k in self.entries if r == row and k == key)


LabelIndex = _Index  # the public name, for type hints elsewhere


@cache
def _row_keys(row: Row) -> frozenset[str]:
    keys = {
        label_key(row.label),
        label_key(row.subgroup + row.label),
        label_key(row.group + row.label),
    }
    keys |= {_TRAILING_NOTE.sub("", k) for k in list(keys)}
    return frozenset(k for k in keys if k)


def _find_rows(index: _Index, rows: Sequence[Row], after: int) -> list[tuple[int, int] | None]:
    found: list[tuple[int, int] | None] = []
    for row in rows:
        hit = index.first_row(_row_keys(row), after)
        found.append(hit)
        if hit:
            after = hit[0]
    return found


def _grid_in(index: _Index, grid: Grid, part: str, after: int = 0) -> Located:
    """A rows × columns table (part 三, or part 四 laid out with one row per group)."""
    out = Located()
    rows = _find_rows(index, grid.rows, after)
    first = min((h[0] for h in rows if h), default=None)
    name = PART_NAMES[part]
    out.missing += [
        f"{name}行「{r.subgroup}{r.label}」" for r, h in zip(grid.rows, rows, strict=True) if not h
    ]
    if first is None:
        out.missing += [f"{name}列「{c.label}」" for c in grid.columns]
        return out
    for col in grid.columns:
        head = index.nearest_above(label_key(col.label), first, after)
        if head is None:
            out.missing.append(f"{name}列「{col.label}」")
            continue
        for row, hit in zip(grid.rows, rows, strict=True):
            if hit:
                out.cells[grid.field_id(row, col)] = (index.name, hit[0], head[1])
    return out


def _review_in(index: _Index, spec: Format) -> Located:
    """Part 四: the official one-row layout (column labels repeated per group), else rows × columns."""
    grid = spec.review
    first = label_key(grid.columns[0].label)
    for r, _c, k in index.entries:
        if k != first or len(index.in_row(k, r)) < len(grid.rows):
            continue
        out = Located()
        for col in grid.columns:
            cols = index.in_row(label_key(col.label), r)
            if len(cols) < len(grid.rows):
                out.missing.append(f"表四列「{col.label}」")
                continue
            for group, c in zip(grid.rows, cols, strict=False):
                out.cells[grid.field_id(group, col)] = (index.name, r + 1, c)
        return out
    return _grid_in(index, grid, "review")


def _active_in(index: _Index, spec: Format) -> Located:
    """Part 二: each 分表 in order; its columns from the header band above its first row."""
    out = Located()
    after = 0
    for block in spec.blocks:
        title = index.first_row({label_key(block.title)}, after)
        floor = title[0] if title else after
        rows = _find_rows(index, block.rows, floor)
        out.missing += [
            f"表二{block.title}行「{r.label}」"
            for r, h in zip(block.rows, rows, strict=True)
            if not h
        ]
        hits = [h for h in rows if h]
        if not hits:
            out.missing += [f"表二{block.title}列「{c.label}」" for c in block.columns]
            continue
        for col in block.columns:
            head = index.nearest_above(label_key(col.label), hits[0][0], floor)
            if head is None:
                out.missing.append(f"表二{block.title}列「{col.label}」")
                continue
            for row, hit in zip(block.rows, rows, strict=True):
                if hit:
                    out.cells[block.field_id(row, col)] = (index.name, hit[0], head[1])
        after = max(h[0] for h in hits)
    return out


@cache
def _info_labels(format_id: str) -> dict[str, frozenset[str]]:
    """Label keys of each 基本信息/narrative field: the spec's label and the template's."""
    spec = load_format(format_id)
    labels = {
        f.id: {label_key(f.label)} for f in spec.fields.values() if f.part in ("info", "narrative")
    }
    layout = info_layout(spec)
    by_row = {c.row: c.text for c in layout.cells if c.role == "label"}
    for c in layout.cells:
        if c.field in labels and c.row in by_row:
            labels[c.field].add(label_key(by_row[c.row]))
    return {fid: frozenset(keys) for fid, keys in labels.items()}


def _info_in(index: _Index, spec: Format) -> Located:
    """基本信息 and narrative fields: the cell right of their label (the template's, or the spec's)."""
    out = Located()
    for fid, keys in _info_labels(spec.id).items():
        hit = index.first_row(keys, 0)
        if hit:
            out.cells[fid] = (index.name, hit[0], hit[1] + 1)
    return out


def _best(indexes: Iterable[_Index], find: Callable[[_Index], Located]) -> Located:
    """The sheet where ``find`` locates the most cells (ties: fewest missing labels)."""
    results = [find(ix) for ix in indexes]
    return max(results, key=lambda r: (len(r.cells), -len(r.missing)), default=Located())


NOT_TABLES = (SHEET_GUIDE, SHEET_CHECK, SHEET_META)  # template sheets that hold no table


def label_indexes(book: Book, prefer: Iterable[str] = ()) -> list[_Index]:
    """The text cells of every visible sheet that may hold a table, indexed once for all
    searches; sheets in ``prefer`` first (they win a tie: the sheets the names point at)."""
    first = [n for n in dict.fromkeys(prefer) if n in book.sheet_names]
    order = first + [n for n in book.sheet_names if n not in first]
    sheets = (book.sheet(n) for n in order if n not in NOT_TABLES and n not in book.hidden)
    return [_Index(s.name, s.cells) for s in sheets if s is not None]


def find_part(index: _Index, spec: Format, part: str) -> Located:
    """One table part (``active``, ``apply``, ``review``) searched in one sheet."""
    if part == "active":
        return _active_in(index, spec)
    if part == "apply":
        return _grid_in(index, spec.apply, "apply")
    return _review_in(index, spec)


def by_labels(book: Book, spec: Format, indexes: Sequence[_Index] | None = None) -> Located:
    """Every field found through the official labels; ``missing`` names the table labels not found."""
    indexes = label_indexes(book) if indexes is None else indexes
    out = Located()
    out.merge(_best(indexes, lambda ix: _active_in(ix, spec)))
    out.merge(_best(indexes, lambda ix: _grid_in(ix, spec.apply, "apply")))
    out.merge(_best(indexes, lambda ix: _review_in(ix, spec)))
    info = _best(indexes, lambda ix: _info_in(ix, spec))
    out.cells.update(info.cells)
    return out
