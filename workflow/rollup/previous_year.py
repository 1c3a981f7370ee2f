"""Comparison with last year's summary: R7 and R8 per unit, changes of the totals. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
from workflow.domain.submission import Number
from workflow.formats.spec import Field, Format
from workflow.rollup.totals import as_number, unit_values


def prev_number(field: Field, raw: Any) -> Number:
    return as_number(field, 0 if raw is None else raw)


def year_over_year(
    settings: Settings, spec: Format, records: Sequence[UnitRecord], previous: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """R7 and R8 per accepted unit against its values in last year's summary."""
    last: dict[str, Mapping[str, Any]] = {}
    for unit in previous.get("units", []):
        found = settings.find_unit(unit.get("name", ""))
        if unit.get("values"):
            last[found.name if found else unit.get("name", "")] = unit["values"]
    out: list[dict[str, Any]] = []
    for record in sorted(records, key=lambda r: r.name):
        before = last.get(record.name)
        if record.status != "accepted" or not before:
            continue
        now_values = unit_values(spec, record)
        out += _r7(spec, record.name, now_values, before) + _r8(
            spec, record.name, now_values, before
        )
    return out


def _r7(
    spec: Format, unit: str, values: Mapping[str, Number], before: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """One entry per unit listing every 申请人 column whose carried-in count differs (R7)."""
    expected: dict[str, Number] = {}
    actual: dict[str, Number] = {}
    words = []
    for col in (c for c in spec.apply.columns if not c.computed):
        this, last = f"apply_carried_{col.id}", f"apply_carry_over_{col.id}"
        if this not in values or last not in before:
            continue
        was = prev_number(spec.fields[this], before[last])
        if values[this] != was:
            expected[this], actual[this] = was, values[this]
            words.append(f"{col.label}本年填 {values[this]} 件、上年结转 {was} 件")
    if not words:
        return []
    message = f"上年结转申请数与上年报告的“结转下年度继续办理”不一致：{'；'.join(words)}"
    return [
        {
            "unit": unit,
            "rule": "R7",
            "fields": list(expected),
            "expected": expected,
            "actual": actual,
            "message": message,
        }
    ]


def _r8(
    spec: Format, unit: str, values: Mapping[str, Number], before: Mapping[str, Any]
) -> list[dict[str, Any]]:
    out = []
    for row in ("rules", "normative"):
        ids = [f"active_{row}_{c}" for c in ("in_force", "issued", "repealed")]
        if not all(i in values for i in ids) or ids[0] not in before:
            continue
        stock, issued, repealed = (values[i] for i in ids)
        expected = prev_number(spec.fields[ids[0]], before[ids[0]]) + issued - repealed
        if stock != expected:
            label = spec.fields[ids[0]].row_label
            out.append(
                {
                    "unit": unit,
                    "rule": "R8",
                    "fields": ids,
                    "expected": expected,
                    "actual": stock,
                    "message": f"{label}现行有效件数为 {stock}，按上年现行有效件数加本年制发减本年废止应为 {expected}",
                }
            )
    return out


def changes(
    spec: Format, totals: Mapping[str, Number], before: Mapping[str, Any]
) -> dict[str, dict[str, Number]]:
    out = {}
    for fid, current in totals.items():
        if fid in before:
            last = prev_number(spec.fields[fid], before[fid])
            out[fid] = {"previous": last, "current": current, "delta": current - last}
    return out
