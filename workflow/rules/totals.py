"""Totals computed from their parts, never trusted from the file; numbers as found and as written.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from workflow.domain.numbers import as_decimal
from workflow.domain.submission import Number, Submission
from workflow.formats.spec import Equation, Format


def as_number(value: object) -> Number | None:
    """An int or finite Decimal as found in ``Submission.values``; anything else → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() and value.adjusted() < 30 else value
    return None


def definitions(spec: Format) -> dict[str, Equation]:
    """Each computed field → the equation that defines it (total = sum of parts)."""
    out: dict[str, Equation] = {}
    for eq in spec.equations:
        if len(eq.left) == 1 and spec.fields[eq.left[0]].computed:
            out.setdefault(eq.left[0], eq)
    return out


def compute_totals(spec: Format, values: Mapping[str, object]) -> dict[str, Number]:
    """Every numeric field of ``spec``: inputs as given (0 when missing or not a number), totals summed."""
    defs = definitions(spec)
    out: dict[str, Number] = {}

    def value_of(fid: str) -> Number:
        if fid not in out:
            f = spec.fields[fid]
            if f.computed:
                out[fid] = sum((value_of(p) for p in defs[fid].right), 0)
            else:
                found = as_number(values.get(fid))
                out[fid] = found if found is not None else (Decimal(0) if f.kind == "money" else 0)
        return out[fid]

    for f in spec.numeric_fields:
        value_of(f.id)
    return {f.id: out[f.id] for f in spec.numeric_fields}


def expand(spec: Format, defs: Mapping[str, Equation], fid: str) -> list[str]:
    """The input fields a field is made of (itself when it is an input)."""
    if not spec.fields[fid].computed:
        return [fid]
    return [p for part in defs[fid].right for p in expand(spec, defs, part)]


def sheet_view(sub: Submission, spec: Format) -> dict[str, Decimal]:
    """What the template's own formulas show for each total, given the cells as they are.

    Like Excel's SUM, a number stored as text counts 0; a total whose formula was replaced counts
    with the number typed into it. Only totals whose every part could be valued are included.
    """
    defs = definitions(spec)
    out: dict[str, Decimal | None] = {}

    def cell(fid: str) -> Decimal | None:
        if fid in out:
            return out[fid]
        raw = sub.typed.get(fid)
        value: Decimal | None
        if not spec.fields[fid].computed:
            if fid not in sub.typed:
                raw = sub.values.get(fid)
            value = Decimal(0) if raw is None or isinstance(raw, str) else as_decimal(raw)
        elif fid in sub.formulas or fid not in sub.typed:
            parts = [cell(p) for p in defs[fid].right]
            known = [p for p in parts if p is not None]
            value = sum(known, Decimal(0)) if len(known) == len(parts) else None
        else:  # typed over: SUM counts a blank or a text as 0
            value = Decimal(0) if raw is None or isinstance(raw, str) else as_decimal(raw)
        out[fid] = value
        return value

    return {fid: v for fid in defs if (v := cell(fid)) is not None}
