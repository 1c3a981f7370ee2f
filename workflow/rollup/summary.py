"""The district rollup: exact totals over the accepted units, and the summary.json public contract.

Pure: no files, no clock (``now`` is an argument), no third-party library.

* Only units with status ``accepted`` are in any total; missing and rejected units are listed by
  name in the summary (``missing``, ``rejected``, ``excluded``) and carry ``values: {}``.
* Counts are ``int``, money is ``Decimal``; nothing is ever a float. ``summary_to_json`` writes a
  Decimal as an exact JSON number (12.5, 3.0), ``load_summary`` reads it back as a Decimal.
* Stock fields (现行有效件数, 上一年项目数量 …) are summed too, but labelled "各单位…合计": a district
  has no stock of its own, the figure is the sum of the units' stocks.
* R14: every total equals the sum over the included units, and each 勾稽关系 (R1–R4) that holds on
  every included unit holds on the totals; ``consolidate`` asserts both and raises RollupError (an
  internal error, not a user finding) if arithmetic ever breaks them.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from workflow.domain.records import STATUS_NAMES, UnitRecord
from workflow.domain.roster import CATEGORIES
from workflow.domain.settings import Settings
from workflow.domain.submission import Number
from workflow.formats.spec import Field, Format, load_format

# Outlier rules (documented in the workbook legend and in the summary's "outlier_rules").
HIGH_APPLY_FACTOR = 3  # applications > 3 × the median of the included units …
HIGH_APPLY_MIN = 10  # … and at least 10, so that 3 against a median of 0 is not flagged
SHARE_MIN_HANDLED = 5  # outcome shares are judged only for units with ≥ 5 handled applications
SHARE_MARGIN = Decimal("0.3")  # flagged when 30 percentage points above the other units together
OUTLIER_RULES: tuple[str, ...] = (
    f"申请量偏高：本年新收申请总计超过已计入单位中位数的 {HIGH_APPLY_FACTOR} 倍且不少于 {HIGH_APPLY_MIN} 件",
    f"办理结果占比偏高：办结不少于 {SHARE_MIN_HANDLED} 件的单位，某类结果（不予公开、无法提供、不予处理）"
    f"占本单位办结总数的比例比其余单位合计比例高 {int(SHARE_MARGIN * 100)} 个百分点以上",
)


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


def _zero(field: Field) -> Number:
    return Decimal(0) if field.kind == "money" else 0


def unit_values(spec: Format, record: UnitRecord) -> dict[str, Number]:
    """Every numeric field of the record in spec order: inputs as given (0 where absent), totals
    recomputed from their parts (never trusted from the record)."""
    values: dict[str, Number] = {
        f.id: as_number(f, record.values[f.id]) if f.id in record.values else _zero(f)
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
            values[e.left[0]] = sum((values[r] for r in e.right), _zero(computed[e.left[0]]))
        pending = [e for e in pending if e.left[0] not in values]
    missing = set(computed) - set(values)
    if missing:
        raise RollupError(f"no equation computes {sorted(missing)}")
    return {f.id: values[f.id] for f in spec.numeric_fields}


def _sum(spec: Format, rows: Sequence[Mapping[str, Number]]) -> dict[str, Number]:
    totals: dict[str, Number] = {f.id: _zero(f) for f in spec.numeric_fields}
    for values in rows:
        for fid in totals:
            totals[fid] += values[fid]
    return totals


def _holds(equation: Any, values: Mapping[str, Number]) -> bool:
    return sum(values[f] for f in equation.left) == sum(values[f] for f in equation.right)


def _check_r14(
    spec: Format, named: Sequence[tuple[str, dict[str, Number]]], totals: dict[str, Number]
) -> list[dict[str, Any]]:
    """Assert R14; return the equations broken inside some included unit (reported, not raised)."""
    for fid, total in totals.items():
        if total != sum((v[fid] for _, v in named), _zero(spec.fields[fid])):
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


def _roster_order(settings: Settings, records: Sequence[UnitRecord]) -> list[UnitRecord]:
    index = {u.name: i for i, u in enumerate(settings.units)}
    return sorted(records, key=lambda r: (index.get(r.name, len(index)), r.name))


def _unit_entry(spec: Format, record: UnitRecord) -> dict[str, Any]:
    accepted = record.status == "accepted"
    return {
        "name": record.name,
        "category": record.category,
        "status": record.status,
        "status_name": STATUS_NAMES.get(record.status, record.status),
        "included": accepted,
        "submitted_at": record.submitted_at,
        "sha256": record.sha256,
        "source": record.source,
        "original_name": record.original_name,
        "errors": record.errors,
        "warnings": record.warnings,
        "findings": len(record.findings),
        "contact_person": record.contact_person,
        "contact_phone": record.contact_phone,
        "updated": record.updated,
        "values": unit_values(spec, record) if accepted else {},
        "outputs": dict(record.outputs),
    }


def _median(values: Sequence[Number]) -> Decimal:
    return Decimal(statistics.median([Decimal(v) for v in values])) if values else Decimal(0)


def outcome_groups(spec: Format) -> dict[str, list[str]]:
    """Result rows of 表三 grouped by their subgroup label (（三）不予公开 …) for share outliers."""
    groups: dict[str, list[str]] = {}
    for row in spec.apply.rows:
        if row.result and row.subgroup and not row.subgroup.startswith("（六）"):
            groups.setdefault(row.subgroup, []).append(f"apply_{row.id}_total")
    return groups


def _outcome_label(row: Any) -> str:
    cut = row.label.find("（", 1)
    return row.subgroup or (row.label[:cut] if cut > 0 else row.label)


def outcome_rows(spec: Format) -> list[tuple[str, list[str]]]:
    """表三's 办理结果 as on the form, （一）予以公开 … （六）其他处理, with their 总计-column field ids."""
    out: dict[str, list[str]] = {}
    for row in spec.apply.rows:
        if row.result:
            out.setdefault(_outcome_label(row), []).append(f"apply_{row.id}_total")
    return list(out.items())


def find_outliers(spec: Format, records: Sequence[UnitRecord]) -> list[dict[str, Any]]:
    """Units whose figures stand far out from the others (rules in OUTLIER_RULES)."""
    named = sorted(
        ((r.name, unit_values(spec, r)) for r in records if r.status == "accepted"),
        key=lambda p: p[0],
    )
    out: list[dict[str, Any]] = []
    if len(named) < 3:
        return out
    median = _median([v["apply_new_total"] for _, v in named])
    for name, v in named:
        n = v["apply_new_total"]
        if n >= HIGH_APPLY_MIN and n > HIGH_APPLY_FACTOR * median:
            out.append(
                {
                    "unit": name,
                    "rule": "apply-high",
                    "fields": ["apply_new_total"],
                    "value": n,
                    "reference": median,
                    "message": f"本年新收申请 {n} 件，超过各单位中位数（{_fmt(median)} 件）的 {HIGH_APPLY_FACTOR} 倍",
                }
            )
    for group, fields in outcome_groups(spec).items():
        out += _share_outliers(named, group, fields)
    return out


def _share_outliers(
    named: Sequence[tuple[str, dict[str, Number]]], group: str, fields: list[str]
) -> list[dict[str, Any]]:
    out = []
    all_part = sum(sum(v[f] for f in fields) for _, v in named)
    all_handled = sum(v["apply_total_total"] for _, v in named)
    for name, v in named:
        handled = v["apply_total_total"]
        part = sum(v[f] for f in fields)
        others = all_handled - handled
        if handled < SHARE_MIN_HANDLED or part == 0:
            continue
        share = Decimal(part) / handled
        rest = Decimal(all_part - part) / others if others else Decimal(0)
        if share >= rest + SHARE_MARGIN:
            label = group.lstrip("（一二三四五六七八九十）")
            out.append(
                {
                    "unit": name,
                    "rule": "share-high",
                    "fields": fields,
                    "value": _pct(share),
                    "reference": _pct(rest),
                    "message": f"{label}占办结总数 {_pct(share)}%，其余单位合计为 {_pct(rest)}%",
                }
            )
    return out


def _pct(share: Decimal) -> Decimal:
    return (share * 100).quantize(Decimal("0.1"))


def _fmt(value: Number) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def _prev_number(field: Field, raw: Any) -> Number:
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
        was = _prev_number(spec.fields[this], before[last])
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
        expected = _prev_number(spec.fields[ids[0]], before[ids[0]]) + issued - repealed
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


def _changes(
    spec: Format, totals: Mapping[str, Number], before: Mapping[str, Any]
) -> dict[str, dict[str, Number]]:
    out = {}
    for fid, current in totals.items():
        if fid in before:
            last = _prev_number(spec.fields[fid], before[fid])
            out[fid] = {"previous": last, "current": current, "delta": current - last}
    return out


def build_summary(
    settings: Settings,
    records: Sequence[UnitRecord],
    *,
    now: datetime,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The content of outbox/<year>/summary.json; the caller fills ``outputs``."""
    spec = load_format(settings.format)
    rollup = consolidate(spec, records)
    ordered = _roster_order(settings, records)
    missing = [r.name for r in ordered if r.status == "missing"]
    rejected = [r.name for r in ordered if r.status == "rejected"]
    summary: dict[str, Any] = {
        "district": settings.district,
        "year": settings.year,
        "format": spec.id,
        "format_title": spec.title,
        "generated_at": now.isoformat(timespec="seconds"),
        "deadline": settings.unit_deadline,
        "complete": not missing and not rejected and bool(records),
        "units_expected": len(records),
        "units_accepted": len(rollup.included),
        "units": [_unit_entry(spec, r) for r in ordered],
        "totals": rollup.totals,
        "category_totals": rollup.category_totals,
        "categories": {
            c: {"units_accepted": a, "units_expected": e}
            for c, (a, e) in rollup.category_counts.items()
        },
        "missing": missing,
        "rejected": rejected,
        "excluded": missing + rejected,
        "stock_fields": {f.id: stock_label(f) for f in spec.numeric_fields if f.stock},
        "inconsistent": list(rollup.inconsistent),
        "outliers": find_outliers(spec, records),
        "outlier_rules": list(OUTLIER_RULES),
        "outcomes": [
            {"label": label, "fields": ids, "count": sum(rollup.totals[i] for i in ids)}
            for label, ids in outcome_rows(spec)
        ],
        "outputs": {},
    }
    if previous is not None:
        before = previous.get("totals") or {}
        summary["previous"] = {
            "year": previous.get("year"),
            "format": previous.get("format"),
            "complete": previous.get("complete"),
            "units_accepted": previous.get("units_accepted"),
            "units_expected": previous.get("units_expected"),
            "totals": {
                f: _prev_number(spec.fields[f], v)
                for f, v in before.items()
                if f in spec.fields and spec.fields[f].numeric
            },
        }
        summary["changes_vs_previous"] = _changes(spec, rollup.totals, before)
        summary["year_over_year"] = year_over_year(settings, spec, records, previous)
    return summary


_DECIMAL_MARK = re.compile(r'"\\u0000(-?[0-9]+\.[0-9]+)\\u0000"')


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0")
    return text + "0" if text.endswith(".") else (text if "." in text else text + ".0")


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"\0{_decimal_text(value)}\0"
    if isinstance(value, Mapping):
        return {str(k): _marked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(v) for v in value]
    return value


def summary_to_json(summary: Mapping[str, Any]) -> str:
    """The summary as JSON text (UTF-8, indented); every Decimal written exactly, e.g. 12.5."""
    text = json.dumps(_marked(summary), ensure_ascii=False, indent=2)
    return _DECIMAL_MARK.sub(r"\1", text) + "\n"


def load_summary(text: str) -> dict[str, Any]:
    """A summary.json text back as a dict, decimals as Decimal (exact)."""
    data = json.loads(text, parse_float=Decimal)
    if not isinstance(data, dict):
        raise ValueError("summary.json is not a JSON object")
    return data
