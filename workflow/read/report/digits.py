"""Splitting a table row whose cells ran together when text was copied from a web page.

"801000081" for 自然人, 商业企业 … 其他, 总计 can only be 80|1|0|0|0|0|81: the format's own equations
(a row's 总计 is the sum of its cells; columns relate by R1/R2) decide. A row with several possible
splits stays ambiguous unless the column equations across rows leave exactly one; the reader then
reports the row as unreadable rather than guess.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import product

MAX_CANDIDATES = 64  # splits kept per row
MAX_COMBINATIONS = 20_000  # combinations of ambiguous rows tried against the column equations

Split = tuple[int, ...]


def _parts(digits: str, count: int, target: int) -> Iterator[list[int]]:
    """Every way to cut ``digits`` into ``count`` numbers (no leading zeros) summing to ``target``."""
    if count == 0:
        if not digits and target == 0:
            yield []
        return
    if len(digits) < count:
        return
    width = len(str(target))
    if len(digits) > count * width:
        return
    longest = 1 if digits[0] == "0" else min(width, len(digits) - count + 1)
    for k in range(1, longest + 1):
        value = int(digits[:k])
        if value > target:
            break
        for rest in _parts(digits[k:], count - 1, target - value):
            yield [value, *rest]


def split_summed(digits: str, cells: int) -> list[Split]:
    """Splits of ``digits`` into ``cells`` numbers where the last is the sum of the others."""
    out: list[Split] = []
    for t in range(1, len(digits)):
        total_text = digits[len(digits) - t :]
        if len(total_text) > 1 and total_text[0] == "0":
            continue
        for parts in _parts(digits[: len(digits) - t], cells - 1, int(total_text)):
            out.append((*parts, int(total_text)))
            if len(out) >= MAX_CANDIDATES:
                return out
    return out


def split_groups(digits: str, groups: int, cells: int) -> list[Split]:
    """Splits into ``groups`` consecutive groups of ``cells`` numbers, each ending in its sum."""
    if groups == 0:
        return [()] if not digits else []
    out: list[Split] = []
    for cut in range(cells, len(digits) - (groups - 1) * cells + 1):
        for head in split_summed(digits[:cut], cells):
            for tail in split_groups(digits[cut:], groups - 1, cells):
                out.append(head + tail)
                if len(out) >= MAX_CANDIDATES:
                    return out
    return out


Equation = tuple[Sequence[int], Sequence[int]]  # row indices: sum(left) == sum(right), per column


def resolve(
    candidates: Sequence[Sequence[Split]], equations: Sequence[Equation]
) -> list[Split | None]:
    """One split per row: the only one, or the only combination satisfying every equation per column.

    Rows still ambiguous (or with no split at all) are None.
    """
    chosen: list[Split | None] = [c[0] if len(c) == 1 else None for c in candidates]
    open_rows = [i for i, c in enumerate(candidates) if len(c) > 1]
    if not open_rows:
        return chosen
    total = 1
    for i in open_rows:
        total *= len(candidates[i])
        if total > MAX_COMBINATIONS:
            return chosen
    if any(not c for c in candidates):
        return chosen  # an unreadable row: the equations cannot be checked
    fits = []
    for combo in product(*(candidates[i] for i in open_rows)):
        rows = list(chosen)
        for i, split in zip(open_rows, combo, strict=True):
            rows[i] = split
        if all(_holds(rows, eq) for eq in equations):
            fits.append(combo)
            if len(fits) > 1:
                return chosen
    if len(fits) == 1:
        for i, split in zip(open_rows, fits[0], strict=True):
            chosen[i] = split
    return chosen


def _holds(rows: Sequence[Split | None], equation: Equation) -> bool:
    left, right = equation
    width = len(rows[0] or ())
    for col in range(width):
        a = sum((rows[i] or ())[col] for i in left)
        b = sum((rows[i] or ())[col] for i in right)
        if a != b:
            return False
    return True
