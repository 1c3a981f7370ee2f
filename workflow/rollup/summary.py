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

See ``totals`` (consolidation, R14), ``outliers``, ``previous_year`` (R7/R8, changes) and
``workflow.domain.summary_json`` (exact JSON text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from workflow.domain.records import STATUS_NAMES, UnitRecord
from workflow.domain.settings import Settings
from workflow.domain.summary_json import Summary, UnitEntry
from workflow.formats.spec import Format, load_format
from workflow.rollup.outliers import OUTLIER_RULES, find_outliers, outcome_rows
from workflow.rollup.previous_year import changes, prev_number, year_over_year
from workflow.rollup.totals import consolidate, stock_label, unit_values


def _roster_order(settings: Settings, records: Sequence[UnitRecord]) -> list[UnitRecord]:
    index = {u.name: i for i, u in enumerate(settings.units)}
    return sorted(records, key=lambda r: (index.get(r.name, len(index)), r.name))


def _unit_entry(spec: Format, record: UnitRecord) -> UnitEntry:
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


def build_summary(
    settings: Settings,
    records: Sequence[UnitRecord],
    *,
    now: datetime,
    previous: Mapping[str, Any] | None = None,
) -> Summary:
    """The content of outbox/<year>/summary.json; the caller fills ``outputs``."""
    spec = load_format(settings.format)
    rollup = consolidate(spec, records)
    ordered = _roster_order(settings, records)
    missing = [r.name for r in ordered if r.status == "missing"]
    rejected = [r.name for r in ordered if r.status == "rejected"]
    summary: Summary = {
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
                f: prev_number(spec.fields[f], v)
                for f, v in before.items()
                if f in spec.fields and spec.fields[f].numeric
            },
        }
        if isinstance(previous.get("reports"), Mapping):  # read from last year's reports
            summary["previous"]["reports"] = previous["reports"]
        summary["changes_vs_previous"] = changes(spec, rollup.totals, before)
        summary["year_over_year"] = year_over_year(settings, spec, records, previous)
    return summary
