"""Units whose figures stand far out from the others, and 表三's outcome rows. Pure."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from workflow.domain.numbers import plain_number
from workflow.domain.records import UnitRecord
from workflow.domain.submission import Number
from workflow.formats.spec import Format
from workflow.rollup.totals import unit_values

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
                    "message": f"本年新收申请 {n} 件，超过各单位中位数（{plain_number(median)} 件）的 {HIGH_APPLY_FACTOR} 倍",
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
