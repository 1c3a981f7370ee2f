"""District totals over the accepted units (R14 asserted). Pure: no files, no clock.

* Only units with status ``accepted`` are in any total; counts are ``int``, money is ``Decimal``.
* Stock fields (现行有效件数, 上一年项目数量 …) are summed too, but labelled "各单位…合计": a district
  has no stock of its own, the figure is the sum of the units' stocks.
* R14: every total equals the sum over the included units, and each 勾稽关系 (R1–R4) that holds on
  every included unit holds on the totals; ``consolidate`` asserts both and raises RollupError (an
  internal error, not a user finding) if arithmetic ever breaks them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workflow.domain.records import UnitRecord
from workflow.domain.roster import CATEGORIES
from workflow.domain.submission import Number
from workflow.formats.spec import Equation, Field, Format


class RollupError(AssertionError):
    """The rollup broke its own arithmetic (R14): a program bug, never a user's mistake."""


@dataclass(frozen=True)
class Rollup:
    """District totals over the accepted units, with subtotals per category."""

    format: str
    included: tuple[str, ...]  # accepted unit names, sorted
    excluded: tuple[tuple[str, str], ...]  # (name, status) of missing and rejected units
    totals: dict[str, Number]
    category_totals: dict[str, dict[str, Number]]
    category_counts: dict[str, tuple[int, int]]  # category -> (accepted, expected)
    inconsistent: tuple[dict[str, Any], ...] = ()  # 勾稽关系 already broken inside an included unit


def stock_label(field: Field) -> str:
    """How a summed stock field is labelled: 各单位现行有效件数合计."""
    return f"各单位{field.column_label}合计"


def as_number(field: Field, raw: Any) -> Number:
    """A value of ``field`` as int (count, signed) or Decimal (money); floats go through str."""
    if raw is None or isinstance(raw, bool):
        raise RollupError(f"{field.id}: {raw!r} is not a number")
    value = Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)
    if not value.is_finite():
        raise RollupError(f"{field.id}: {raw!r} is not a finite number")
    if field.kind == "money":
        return value
    if value != value.to_integral_value():
        raise RollupError(f"{field.id}: count {raw!r} is not whole")
    return int(value)


def zero(field: Field) -> Number:
    return Decimal(0) if field.kind == "money" else 0


def unit_values(spec: Format, record: UnitRecord) -> dict[str, Number]:
    """Every numeric field of the record in spec order: inputs as given (0 where absent), totals
    recomputed from their parts (never trusted from the record)."""
    values: dict[str, Number] = {
        f.id: as_number(f, record.values[f.id]) if f.id in record.values else zero(f)
        for f in spec.numeric_fields
        if not f.computed
    }
    computed = {f.id: f for f in spec.computed_fields if f.numeric}
    pending = [e for e in spec.equations if len(e.left) == 1 and e.left[0] in computed]
    while pending:
        ready = [
            e for e in pending if e.left[0] not in values and all(r in values for r in e.right)
        ]
        if not ready:
            break
        for e in ready:
            values[e.left[0]] = sum((values[r] for r in e.right), zero(computed[e.left[0]]))
        pending = [e for e in pending if e.left[0] not in values]
    missing = set(computed) - set(values)
    if missing:
        raise RollupError(f"no equation computes {sorted(missing)}")
    return {f.id: values[f.id] for f in spec.numeric_fields}


def _sum(spec: Format, rows: Sequence[Mapping[str, Number]]) -> dict[str, Number]:
    totals: dict[str, Number] = {f.id: zero(f) for f in spec.numeric_fields}
    for values in rows:
        for fid in totals:
            totals[fid] += values[fid]
    return totals


def _holds(equation: Equation, values: Mapping[str, Number]) -> bool:
    return sum(values[f] for f in equation.left) == sum(values[f] for f in equation.right)


def _check_r14(
    spec: Format, named: Sequence[tuple[str, dict[str, Number]]], totals: dict[str, Number]
) -> list[dict[str, Any]]:
    """Assert R14; return the equations broken inside some included unit (reported, not raised)."""
    for fid, total in totals.items():
        if total != sum((v[fid] for _, v in named), zero(spec.fields[fid])):
            raise RollupError(f"R14: total of {fid} is not the sum of the units")
    inconsistent = []
    for eq in spec.equations:
        broken = [name for name, v in named if not _holds(eq, v)]
        if broken:
            inconsistent += [
                {"unit": n, "rule": eq.rule, "message": eq.description} for n in broken
            ]
        elif not _holds(eq, totals):
            raise RollupError(f"R14: {eq.rule} {eq.description} fails on the district totals")
    return inconsistent


def consolidate(spec: Format, records: Sequence[UnitRecord]) -> Rollup:
    """District totals over the accepted records; the result does not depend on their order."""
    accepted = sorted((r for r in records if r.status == "accepted"), key=lambda r: r.name)
    named = [(r.name, unit_values(spec, r)) for r in accepted]
    totals = _sum(spec, [v for _, v in named])
    inconsistent = _check_r14(spec, named, totals)
    present = {r.category for r in records}
    categories = [c for c in CATEGORIES if c in present] + sorted(present - set(CATEGORIES))
    by_category = {
        c: _sum(spec, [v for (_, v), r in zip(named, accepted, strict=True) if r.category == c])
        for c in categories
    }
    counts = {
        c: (
            sum(1 for r in accepted if r.category == c),
            sum(1 for r in records if r.category == c),
        )
        for c in categories
    }
    excluded = tuple(sorted((r.name, r.status) for r in records if r.status != "accepted"))
    return Rollup(
        format=spec.id,
        included=tuple(r.name for r in accepted),
        excluded=excluded,
        totals=totals,
        category_totals=by_category,
        category_counts=counts,
        inconsistent=tuple(inconsistent),
    )
