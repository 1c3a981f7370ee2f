"""The dashboard's charts as inline-SVG geometry: bars, progress by category, this year beside last."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from workflow.dashboard.values import number
from workflow.domain.numbers import as_decimal
from workflow.domain.records import STATUS_NAMES
from workflow.formats.spec import Format

TOP_UNITS = 30
NARROW = 340  # a phone (390 px) shows a chart this wide at full size: labels stay 12 px
KEY_INDICATORS = (
    ("apply_new_total", "本年新收申请"),
    ("apply_total_total", "办理结果总计"),
    ("apply_granted_total", "予以公开"),
    ("apply_carry_over_total", "结转下年度"),
    ("review_total", "行政复议"),
    ("suit_direct_total", "直接起诉"),
    ("suit_after_review_total", "复议后起诉"),
)


def charts(spec: Format, summary: Mapping[str, Any], units: list[dict[str, Any]]) -> dict[str, Any]:
    """Every chart on the page; ``units`` are the dashboard's unit views."""
    totals = summary.get("totals") or {}
    accepted = sorted(
        (u for u in units if u["status"] == "accepted"), key=lambda u: (-u["apply_new"], u["index"])
    )
    previous = summary.get("previous") or {}
    district = str(summary.get("district") or "")
    top = accepted[:TOP_UNITS]
    outcome = _outcome_groups(spec, totals)
    return {
        "by_unit": bars([(u["name"], u["apply_new"]) for u in top]),
        "by_unit_more": max(len(accepted) - TOP_UNITS, 0),
        "outcome": bars(outcome),
        "progress": progress_by_category(units),
        "compare": _compare(spec, summary, previous) if previous.get("totals") else None,
        # the same charts drawn NARROW wide for a phone (the page shows one or the other)
        "by_unit_narrow": bars(
            [(u["name"].removeprefix(district) or u["name"], u["apply_new"]) for u in top],
            width=NARROW,
            label_chars=7,
            percent=False,
        ),
        "outcome_narrow": bars(outcome, width=NARROW, label_chars=6, percent=False),
        "progress_narrow": progress_by_category(units, width=NARROW - 120),
        "narrow": NARROW,
    }


def _compare(
    spec: Format, summary: Mapping[str, Any], previous: Mapping[str, Any]
) -> dict[str, Any]:
    """The key indicators this year beside last year, bars scaled to the largest of both."""
    totals, prev_totals = summary.get("totals") or {}, previous["totals"]
    rows: list[dict[str, Any]] = []
    for fid, label in KEY_INDICATORS:
        if fid in spec.fields:
            now_v = as_decimal(totals.get(fid)) or Decimal(0)
            old_v = as_decimal(prev_totals.get(fid)) or Decimal(0)
            diff = now_v - old_v
            rows.append(
                {
                    "label": label,
                    "now": now_v,
                    "old": old_v,
                    "diff": ("+" if diff > 0 else "") + number(diff),
                }
            )
    top = max([r["now"] for r in rows] + [r["old"] for r in rows] + [Decimal(1)])
    for r in rows:
        r["now_w"], r["old_w"] = (round(float(r[k] / top) * 300, 1) for k in ("now", "old"))
        r["now_nw"], r["old_nw"] = (round(float(r[k] / top) * 120, 1) for k in ("now", "old"))
        r["now"], r["old"] = number(r["now"]), number(r["old"])
    return {
        "rows": rows,
        "year": summary.get("year", ""),
        "last_year": previous.get("year") or int(summary.get("year", 1)) - 1,
    }


def _outcome_groups(spec: Format, totals: Mapping[str, Any]) -> list[tuple[str, Decimal]]:
    """办理结果 by category (予以公开 … 其他处理) from the district totals."""
    groups: dict[str, Decimal] = {}
    for r in spec.apply.rows:
        if r.result:
            name = r.result_name
            groups[name] = groups.get(name, Decimal(0)) + (
                as_decimal(totals.get(f"apply_{r.id}_total")) or Decimal(0)
            )
    return list(groups.items())


def bars(
    items: Sequence[tuple[str, Decimal]],
    *,
    width: int = 560,
    row: int = 22,
    label_chars: int = 13,
    percent: bool = True,
) -> dict[str, Any]:
    """Horizontal bar chart geometry: one bar per (label, value), longest bar = full width;
    labels longer than ``label_chars`` are cut with …; ``percent`` adds each bar's share."""
    top = max((v for _l, v in items), default=Decimal(0))
    total = sum((v for _l, v in items), Decimal(0))
    longest = max((min(len(label), label_chars) for label, _v in items), default=4)
    label_w = 13 * longest + 14
    bar_w = width - label_w - (100 if percent else 50)
    out = []
    for i, (label, value) in enumerate(items):
        share = float(value / top) if top else 0.0
        out.append(
            {
                "label": label if len(label) <= label_chars else label[: label_chars - 1] + "…",
                "full": label,
                "value": number(value),
                "y": i * row,
                "w": round(share * bar_w, 1),
                "pct": f"{value * 100 / total:.1f}%" if total and percent else "",
            }
        )
    return {
        "bars": out,
        "width": width,
        "height": max(len(items), 1) * row,
        "label_w": label_w,
        "bar_w": bar_w,
        "row": row,
        "empty": not top,
    }


def progress_by_category(
    units: Sequence[Mapping[str, Any]], *, width: int = 440
) -> list[dict[str, Any]]:
    """Stacked bars per unit category (部门, 街道乡镇): accepted, rejected, missing counts."""
    categories = sorted({u["category"] for u in units}, key=lambda c: (c != "部门", c))
    sizes = {c: sum(u["category"] == c for u in units) for c in categories}
    top = max(sizes.values(), default=0)
    rows = []
    for c in categories:
        x, segments = 0.0, []
        for status in ("accepted", "rejected", "missing"):
            n = sum(u["category"] == c and u["status"] == status for u in units)
            w = round(width * n / top, 1) if top else 0.0
            segments.append(
                {"status": status, "label": STATUS_NAMES[status], "n": n, "x": x, "w": w}
            )
            x += w
        rows.append({"label": c or "未分类", "total": sizes[c], "segments": segments, "end": x})
    return rows
