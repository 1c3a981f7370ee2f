"""Simple arithmetic in an input cell, recomputed rather than trusted (pure).

A department sometimes types ``=12+3`` or ``=D6+D7`` into a cell meant for a number. The file keeps
the formula and the value Excel last computed; a file saved by a tool that does not recalculate
(or edited afterwards) can carry a stale value. So the reader recomputes what it can: numbers,
``+ - * /``, parentheses, unary minus, references to cells (``D6``, ``$D$6``, ``'表三'!D6``) that
hold plain numbers or blanks (or, in turn, such formulas), and ``SUM`` over cells and ranges.
Anything else (other functions, other workbooks, text, errors) cannot be recomputed: the reader
then says so instead of counting the stored value.

    >>> evaluate("1+2*3", "S", lambda s, r, c: None)
    Decimal('7')
    >>> shift_formula("D6+$D$7+'表三'!E8", 1, 2)
    "F7+$D$7+'表三'!G9"
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext

from workflow.read.book import column_letters, column_number

# (sheet, row, col) → the cell's number, None for a blank, or NOT_A_NUMBER
Lookup = Callable[[str, int, int], "Decimal | None | str"]
NOT_A_NUMBER = "not-a-number"
MAX_DEPTH = 8  # formulas referring to formulas, this deep at most
MAX_RANGE = 400  # cells in one SUM range

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)"
    r"|(?P<ref>(?:(?:'(?:[^']|'')+'|[^\s'!()+\-*/,:=<>&^\"]+)!)?\$?[A-Za-z]{1,3}\$?\d{1,7}"
    r"(?::\$?[A-Za-z]{1,3}\$?\d{1,7})?)"
    r"|(?P<fn>SUM)\s*\("
    r"|(?P<op>[-+*/(),])"
    r")",
    re.IGNORECASE,
)
_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d{1,7})")
_QUOTED = re.compile(r"'(?:[^']|'')*'")


class Unsupported(Exception):
    """The formula is not simple arithmetic over plain cells."""


def evaluate(formula: str, sheet: str, lookup: Lookup, depth: int = 0) -> Decimal | None:
    """The formula's value, or None when it cannot be recomputed here."""
    try:
        with localcontext() as ctx:
            ctx.prec = 60
            ctx.traps[DivisionByZero] = True
            ctx.traps[InvalidOperation] = True
            parser = _Parser(_tokens(formula.lstrip("=")), sheet, lookup, depth)
            value = parser.expression()
            if parser.peek() is not None:
                raise Unsupported
            return +value
    except (Unsupported, ArithmeticError, ValueError, RecursionError):
        return None


def _tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    text = text.strip()
    while at < len(text):
        match = _TOKEN.match(text, at)
        if not match or match.end() == at:
            raise Unsupported
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        at = match.end()
        while at < len(text) and text[at].isspace():
            at += 1
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], sheet: str, lookup: Lookup, depth: int):
        self.tokens, self.at, self.sheet, self.lookup, self.depth = tokens, 0, sheet, lookup, depth

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise Unsupported
        self.at += 1
        return token

    def expression(self) -> Decimal:
        value = self.term()
        while (token := self.peek()) and token[1] in "+-" and token[0] == "op":
            self.take()
            value = value + self.term() if token[1] == "+" else value - self.term()
        return value

    def term(self) -> Decimal:
        value = self.unary()
        while (token := self.peek()) and token[1] in "*/" and token[0] == "op":
            self.take()
            value = value * self.unary() if token[1] == "*" else value / self.unary()
        return value

    def unary(self) -> Decimal:
        token = self.take()
        if token == ("op", "-"):
            return -self.unary()
        if token == ("op", "+"):
            return self.unary()
        if token == ("op", "("):
            value = self.expression()
            if self.take() != ("op", ")"):
                raise Unsupported
            return value
        if token[0] == "num":
            return Decimal(token[1])
        if token[0] == "ref":
            cells = self.cells(token[1])
            if len(cells) != 1:
                raise Unsupported
            return cells[0]
        if token[0] == "fn":
            return self.sum()
        raise Unsupported

    def sum(self) -> Decimal:
        total = Decimal(0)
        while True:
            token = self.take()
            if token[0] == "ref":
                total += sum(self.cells(token[1]), Decimal(0))
            elif token[0] in ("num", "op", "fn"):
                self.at -= 1
                total += self.expression()
            token = self.take()
            if token == ("op", ")"):
                return total
            if token != ("op", ","):
                raise Unsupported

    def cells(self, ref: str) -> list[Decimal]:
        sheet, _, area = ref.rpartition("!")
        sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet or self.sheet
        if sheet.startswith("["):
            raise Unsupported  # another workbook
        first, _, last = area.partition(":")
        (r1, c1), (r2, c2) = _cell(first), _cell(last or first)
        if (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1) > MAX_RANGE:
            raise Unsupported
        out = []
        for row in range(min(r1, r2), max(r1, r2) + 1):
            for col in range(min(c1, c2), max(c1, c2) + 1):
                value = self.lookup(sheet, row, col)
                if isinstance(value, str):
                    raise Unsupported
                out.append(value if value is not None else Decimal(0))
        return out


def _cell(text: str) -> tuple[int, int]:
    match = _CELL.fullmatch(text)
    if not match:
        raise Unsupported
    return int(match.group(4)), column_number(match.group(2))


def shift_formula(formula: str, rows: int, cols: int) -> str:
    """A shared formula's text as it reads ``rows`` down and ``cols`` right of its first cell:
    relative references move, ``$``-anchored parts and quoted sheet names stay."""
    out, at = [], 0
    for quoted in _QUOTED.finditer(formula):
        out.append(_shift_plain(formula[at : quoted.start()], rows, cols))
        out.append(quoted.group(0))
        at = quoted.end()
    out.append(_shift_plain(formula[at:], rows, cols))
    return "".join(out)


def _shift_plain(text: str, rows: int, cols: int) -> str:
    def move(match: re.Match[str]) -> str:
        col_abs, letters, row_abs, digits = match.groups()
        col = column_number(letters) + (0 if col_abs else cols)
        row = int(digits) + (0 if row_abs else rows)
        if col < 1 or row < 1:
            raise Unsupported
        return f"{col_abs}{column_letters(col)}{row_abs}{row}"

    # a reference is not preceded by a letter/digit (SUM, LOG10 stay) nor followed by "("
    pattern = r"(?<![A-Za-z0-9_.])" + _CELL.pattern + r"(?![A-Za-z0-9_(])"
    return re.sub(pattern, move, text)
