"""Consolidation and the summary.json contract (workflow.rollup.summary)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from workflow.domain.records import UnitRecord
from workflow.domain.roster import Unit
from workflow.domain.settings import Settings
from workflow.domain.summary_json import load_summary, summary_to_json
from workflow.formats.spec import load_format
from workflow.rollup.outliers import find_outliers
from workflow.rollup.summary import build_summary
from workflow.rollup.totals import RollupError, as_number, consolidate, unit_values

NOW = datetime(2022, 2, 10, 9, 30, tzinfo=timezone(timedelta(hours=8)))
SPEC = load_format("gov2021")


def record(
    name: str, status: str = "accepted", category: str = "部门", **values: object
) -> UnitRecord:
    """A unit record with the given input values (totals are recomputed by the rollup)."""
    return UnitRecord(
        name=name,
        category=category,
        status=status,  # type: ignore[arg-type]
        submitted_at="2022-01-20T10:00:00+08:00" if status != "missing" else "",
        sha256="ab" * 32 if status != "missing" else "",
        source=f"archive/2021/{status}/{name}.xlsx" if status != "missing" else "",
        errors=2 if status == "rejected" else 0,
        values=dict(values),
        contact_phone="0591-12345678",
    )


def settings_for(*records: UnitRecord, fmt: str = "gov2021") -> Settings:
    units = tuple(Unit(name=r.name, category=r.category, contact_phone="0591-1") for r in records)
    return Settings(workspace=Path("/ws"), district="长乐区", year=2021, format=fmt, units=units)


def handled(granted: int = 0, carry_over: int = 0, **extra: int) -> dict[str, int]:
    """Inputs that satisfy R1: new = results + carry_over (nothing carried in)."""
    results = granted + sum(extra.values())
    return {
        "apply_new_natural": results + carry_over,
        "apply_granted_natural": granted,
        "apply_carry_over_natural": carry_over,
        **{f"apply_{k}_natural": v for k, v in extra.items()},
    }


def test_only_accepted_units_are_in_the_totals():
    records = [
        record("甲局", **handled(granted=3)),
        record("乙局", status="rejected", **handled(granted=100)),
        record("丙局", status="missing"),
        record("丁街道", category="街道乡镇", **handled(granted=4, carry_over=1)),
    ]
    rollup = consolidate(SPEC, records)
    assert rollup.included == ("丁街道", "甲局")
    assert rollup.excluded == (("丙局", "missing"), ("乙局", "rejected"))
    assert rollup.totals["apply_granted_natural"] == 7
    assert rollup.totals["apply_new_total"] == 8
    assert rollup.totals["apply_total_total"] == 7
    assert rollup.category_totals["部门"]["apply_granted_total"] == 3
    assert rollup.category_totals["街道乡镇"]["apply_carry_over_total"] == 1
    assert rollup.category_counts == {"部门": (1, 3), "街道乡镇": (1, 1)}


def test_money_is_summed_exactly_as_decimal():
    records = [
        record("甲局", active_fee_amount=Decimal("0.1")),
        record("乙局", active_fee_amount=0.2),
        record("丙局", active_fee_amount=Decimal("12.25")),
    ]
    total = consolidate(SPEC, records).totals["active_fee_amount"]
    assert total == Decimal("12.55")
    assert isinstance(total, Decimal)


def test_totals_in_the_record_are_recomputed_not_trusted():
    typed_over = record("甲局", apply_granted_natural=2, apply_new_natural=2, apply_total_total=999)
    assert unit_values(SPEC, typed_over)["apply_total_total"] == 2


@pytest.mark.parametrize(
    ("kind_field", "raw", "expected"),
    [
        ("apply_new_natural", 3, 3),
        ("apply_new_natural", Decimal("3"), 3),
        ("apply_new_natural", 3.0, 3),
        ("active_fee_amount", 0.1, Decimal("0.1")),
        ("active_fee_amount", 2, Decimal(2)),
    ],
    ids=["int", "integral-decimal", "integral-float", "money-float-via-str", "money-int"],
)
def test_as_number(kind_field, raw, expected):
    value = as_number(SPEC.fields[kind_field], raw)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("raw"),
    [None, True, 2.5, float("nan"), Decimal("Infinity")],
    ids=["none", "bool", "fractional-count", "nan", "infinity"],
)
def test_as_number_refuses_non_numbers(raw):
    with pytest.raises(RollupError):
        as_number(SPEC.fields["apply_new_natural"], raw)


def test_a_unit_breaking_r1_is_reported_not_raised():
    broken = record("甲局", apply_new_natural=5, apply_granted_natural=1)
    rollup = consolidate(SPEC, [broken, record("乙局", **handled(granted=1))])
    assert {(i["unit"], i["rule"]) for i in rollup.inconsistent} == {("甲局", "R1")}


def test_summary_contract_and_missing_units_say_so():
    records = [
        record("甲局", **handled(granted=3), active_fee_amount=Decimal("1.5")),
        record("乙局", status="rejected", **handled(granted=9)),
        record("丙街道", status="missing", category="街道乡镇"),
    ]
    summary = build_summary(settings_for(*records), records, now=NOW)
    assert summary["district"] == "长乐区"
    assert summary["year"] == 2021
    assert summary["format"] == "gov2021"
    assert summary["generated_at"] == "2022-02-10T09:30:00+08:00"
    assert summary["deadline"] == "2022-01-31"
    assert summary["complete"] is False
    assert (summary["units_expected"], summary["units_accepted"]) == (3, 1)
    assert summary["missing"] == ["丙街道"]
    assert summary["rejected"] == ["乙局"]
    assert [u["name"] for u in summary["units"]] == ["甲局", "乙局", "丙街道"]
    assert [u["values"] == {} for u in summary["units"]] == [False, True, True]
    assert set(summary["units"][0]["values"]) == {f.id for f in SPEC.numeric_fields}
    assert set(summary["totals"]) == {f.id for f in SPEC.numeric_fields}
    assert summary["totals"]["apply_granted_total"] == 3
    assert summary["stock_fields"]["active_normative_in_force"] == "各单位现行有效件数合计"
    assert summary["outputs"] == {}
    assert summary["units"][1]["errors"] == 2
    assert summary["units"][0]["source"] == "archive/2021/accepted/甲局.xlsx"


def test_complete_when_every_roster_unit_is_accepted():
    records = [record("甲局"), record("乙局")]
    assert build_summary(settings_for(*records), records, now=NOW)["complete"] is True


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12.5"), "12.5"),
        (Decimal("12.50"), "12.5"),
        (Decimal("12"), "12.0"),
        (Decimal("0.1") + Decimal("0.2"), "0.3"),
        (Decimal("1E+2"), "100.0"),
        (Decimal("-0.05"), "-0.05"),
        (Decimal("123456789012345678.12"), "123456789012345678.12"),
    ],
    ids=[
        "half",
        "trailing-zero",
        "whole",
        "no-float-drift",
        "exponent",
        "negative",
        "beyond-float",
    ],
)
def test_decimals_are_written_exactly(value, text):
    out = summary_to_json({"totals": {"active_fee_amount": value}, "n": 3, "name": "甲局"})
    assert f'"active_fee_amount": {text}' in out
    assert load_summary(out)["totals"]["active_fee_amount"] == value
    assert json.loads(out)["n"] == 3


def test_summary_round_trips_through_json():
    records = [record("甲局", **handled(granted=3), active_fee_amount=Decimal("0.35"))]
    summary = build_summary(settings_for(*records), records, now=NOW)
    back = load_summary(summary_to_json(summary))
    assert back["totals"] == summary["totals"]
    assert back["units"][0]["values"] == summary["units"][0]["values"]
    assert "甲局" in summary_to_json(summary)  # readable Chinese, not \\u escapes


def previous_summary(**unit_values_: object) -> dict:
    return {
        "year": 2020,
        "format": "gov2021",
        "complete": True,
        "units": [{"name": "甲局", "status": "accepted", "values": dict(unit_values_)}],
        "totals": {"apply_new_total": 4, "active_fee_amount": 1.25, "not_a_field": 3},
    }


def test_year_over_year_r7_and_r8():
    this_year = record(
        "甲局",
        apply_carried_natural=2,
        apply_granted_natural=2,
        active_normative_issued=3,
        active_normative_repealed=1,
        active_normative_in_force=10,
    )
    prev = previous_summary(apply_carry_over_natural=5, active_normative_in_force=8)
    summary = build_summary(settings_for(this_year), [this_year], now=NOW, previous=prev)
    [r7] = summary["year_over_year"]  # R8 holds: 8 + 3 - 1 = 10
    assert (r7["rule"], r7["fields"]) == ("R7", ["apply_carried_natural"])
    assert (r7["expected"], r7["actual"]) == (
        {"apply_carried_natural": 5},
        {"apply_carried_natural": 2},
    )
    assert "自然人本年填 2 件、上年结转 5 件" in r7["message"]
    prev["units"][0]["values"]["active_normative_in_force"] = 7
    summary = build_summary(settings_for(this_year), [this_year], now=NOW, previous=prev)
    r8 = [i for i in summary["year_over_year"] if i["rule"] == "R8"]
    assert [(i["expected"], i["actual"]) for i in r8] == [(9, 10)]


def test_previous_totals_and_changes():
    this_year = record("甲局", **handled(granted=6), active_fee_amount=Decimal("2"))
    summary = build_summary(
        settings_for(this_year), [this_year], now=NOW, previous=previous_summary()
    )
    assert summary["previous"]["year"] == 2020
    assert summary["previous"]["totals"] == {
        "apply_new_total": 4,
        "active_fee_amount": Decimal("1.25"),
    }
    assert summary["changes_vs_previous"]["apply_new_total"] == {
        "previous": 4,
        "current": 6,
        "delta": 2,
    }
    assert summary["changes_vs_previous"]["active_fee_amount"]["delta"] == Decimal("0.75")


def test_outliers_flag_high_applications_and_high_denial_share():
    records = [
        record("甲局", **handled(granted=5)),
        record("乙局", **handled(granted=6)),
        record("丙局", **handled(granted=4, denied_third_party=1)),
        record("丁局", **handled(granted=40)),
        record("戊局", **handled(granted=2, denied_internal=6)),
    ]
    found = {(o["unit"], o["rule"]) for o in find_outliers(SPEC, records)}
    assert found == {("丁局", "apply-high"), ("戊局", "share-high")}


def test_no_outliers_among_fewer_than_three_units():
    assert find_outliers(SPEC, [record("甲局", **handled(granted=50)), record("乙局")]) == []


def test_last_year_in_the_old_format_compares_the_shared_fields():
    this_year = record("甲局", apply_carried_natural=1, apply_granted_natural=1)
    prev = {
        "year": 2020,
        "format": "gov2019",
        "units": [
            {"name": "甲局", "values": {"apply_carry_over_natural": 1, "active_rules_total": 9}}
        ],
        "totals": {"apply_new_total": 3, "active_procurement_amount": 2.5},
    }
    summary = build_summary(settings_for(this_year), [this_year], now=NOW, previous=prev)
    assert (
        summary["year_over_year"] == []
    )  # R7 holds; R8 needs last year's 现行有效件数 (gov2021 only)
    assert set(summary["changes_vs_previous"]) == {"apply_new_total"}
    assert summary["previous"]["format"] == "gov2019"


def test_a_previous_unit_is_matched_by_its_alias():
    this_year = record("长乐区教育局", apply_carried_natural=0)
    units = (Unit(name="长乐区教育局", aliases=("区教育局",)),)
    settings = Settings(workspace=Path("/ws"), district="长乐区", year=2021, units=units)
    prev = {
        "year": 2020,
        "units": [{"name": "区教育局", "values": {"apply_carry_over_natural": 4}}],
    }
    [issue] = build_summary(settings, [this_year], now=NOW, previous=prev)["year_over_year"]
    assert (issue["unit"], issue["rule"]) == ("长乐区教育局", "R7")


def test_r14_is_asserted_on_the_totals():
    from workflow.rollup.totals import _check_r14

    named = [("甲局", unit_values(SPEC, record("甲局", **handled(granted=2))))]
    totals = dict(named[0][1])
    assert _check_r14(SPEC, named, totals) == []
    totals["apply_granted_natural"] += 1
    with pytest.raises(RollupError, match="R14"):
        _check_r14(SPEC, named, totals)
