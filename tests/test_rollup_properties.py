"""Invariants of the rollup (Hypothesis): totals are the exact sum of the accepted units, in any order.

``valid_inputs`` builds the input values of one plausible unit (R1 holds); the other rollup tests
import it.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.domain.records import UnitRecord
from workflow.domain.roster import Unit
from workflow.domain.settings import Settings
from workflow.domain.summary_json import load_summary, summary_to_json
from workflow.formats.spec import Format, load_format
from workflow.rollup.summary import build_summary
from workflow.rollup.totals import consolidate
from workflow.rollup.workbook.book import TOTAL_NAME_PREFIX, write_rollup_workbook
from workflow.rollup.workbook.units_sheet import FIRST_FIELD_COL, SHEET_UNITS, detail_blocks

NOW = datetime(2022, 2, 10, 9, 30, tzinfo=timezone(timedelta(hours=8)))
FORMATS = st.sampled_from(["gov2021", "gov2019"])
STATUSES = st.sampled_from(["accepted", "accepted", "accepted", "rejected", "missing"])


def valid_inputs(spec: Format, rng: random.Random, scale: int = 1) -> dict[str, object]:
    """Input values of one unit: R1 holds per column; money has up to two decimals."""
    values: dict[str, object] = {}
    for col in (c for c in spec.apply.columns if not c.computed):
        results = {
            r.id: rng.choice([0, 0, 0, 1, 2, 5]) * scale for r in spec.apply.rows if r.result
        }
        carry_over = rng.randint(0, 3)
        carried = min(rng.randint(0, 3), sum(results.values()) + carry_over)
        for row_id, n in results.items():
            values[f"apply_{row_id}_{col.id}"] = n
        values[f"apply_carry_over_{col.id}"] = carry_over
        values[f"apply_carried_{col.id}"] = carried
        values[f"apply_new_{col.id}"] = sum(results.values()) + carry_over - carried
    for f in spec.numeric_fields:
        if f.part == "apply" or f.computed:
            continue
        if f.row == "rules":  # 区县 units make no 规章 (R8)
            values[f.id] = 0
        elif f.kind == "money":
            values[f.id] = Decimal(rng.randint(0, 10**7)) / 100
        elif f.kind == "signed":
            values[f.id] = rng.randint(-20, 20)
        else:
            values[f.id] = rng.randint(0, 60)
    return values


def make_records(spec: Format, rng: random.Random, statuses: list[str]) -> list[UnitRecord]:
    records = []
    for i, status in enumerate(statuses):
        category = "街道乡镇" if i % 3 == 2 else "部门"
        values = valid_inputs(spec, rng) if status != "missing" else {}
        records.append(
            UnitRecord(name=f"单位{i:02d}", category=category, status=status, values=values)  # type: ignore[arg-type]
        )
    return records


def settings_for(spec: Format, records: list[UnitRecord]) -> Settings:
    units = tuple(Unit(name=r.name, category=r.category) for r in records)
    return Settings(workspace=Path("/ws"), district="某区", year=2021, format=spec.id, units=units)


def expected_input_totals(spec: Format, records: list[UnitRecord]) -> dict[str, object]:
    """Sum of every INPUT field over the accepted units, computed independently of the rollup."""
    out: dict[str, object] = {}
    for f in spec.numeric_fields:
        if f.computed:
            continue
        zero = Decimal(0) if f.kind == "money" else 0
        out[f.id] = sum((r.values.get(f.id, 0) for r in records if r.status == "accepted"), zero)
    return out


def assert_equations_hold(spec: Format, totals: Mapping[str, object]) -> None:
    for eq in spec.equations:
        left = sum(totals[f] for f in eq.left)  # type: ignore[misc]
        right = sum(totals[f] for f in eq.right)  # type: ignore[misc]
        assert left == right, f"{eq.rule} {eq.description}"


@settings(max_examples=40, deadline=None)
@given(fmt=FORMATS, statuses=st.lists(STATUSES, max_size=12), rnd=st.randoms(use_true_random=False))
def test_summary_totals_are_the_sum_of_accepted_units(fmt, statuses, rnd):
    spec = load_format(fmt)
    records = make_records(spec, rnd, statuses)
    summary = load_summary(
        summary_to_json(build_summary(settings_for(spec, records), records, now=NOW))
    )
    for fid, total in expected_input_totals(spec, records).items():
        assert summary["totals"][fid] == total, fid
    assert_equations_hold(spec, summary["totals"])  # R1–R4, which also fixes every computed total
    assert summary["units_accepted"] == statuses.count("accepted")
    excluded = {r.name for r in records if r.status != "accepted"}
    assert set(summary["excluded"]) == excluded
    assert all(u["values"] == {} for u in summary["units"] if u["name"] in excluded)


@settings(max_examples=30, deadline=None)
@given(
    fmt=FORMATS,
    statuses=st.lists(STATUSES, min_size=1, max_size=10),
    rnd=st.randoms(use_true_random=False),
)
def test_order_of_arrival_does_not_matter(fmt, statuses, rnd):
    spec = load_format(fmt)
    records = make_records(spec, rnd, statuses)
    shuffled = records[:]
    rnd.shuffle(shuffled)
    assert consolidate(spec, shuffled) == consolidate(spec, records)
    settings_ = settings_for(spec, records)
    first = summary_to_json(build_summary(settings_, records, now=NOW))
    assert summary_to_json(build_summary(settings_, shuffled, now=NOW)) == first


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=FORMATS,
    statuses=st.lists(STATUSES, min_size=1, max_size=6),
    rnd=st.randoms(use_true_random=False),
)
def test_workbook_totals_are_the_sum_of_accepted_units(fmt, statuses, rnd):
    spec = load_format(fmt)
    records = make_records(spec, rnd, statuses)
    settings_ = settings_for(spec, records)
    summary = build_summary(settings_, records, now=NOW)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "汇总表.xlsx"
        write_rollup_workbook(summary, settings_, path)
        book = openpyxl.load_workbook(path)
    expected = expected_input_totals(spec, records)
    on_summary_sheet = {}
    for name, defined in book.defined_names.items():
        sheet, ref = next(defined.destinations)
        on_summary_sheet[name.removeprefix(TOTAL_NAME_PREFIX)] = book[sheet][
            ref.replace("$", "")
        ].value
    assert set(on_summary_sheet) == {f.id for f in spec.numeric_fields}
    detail = book[SHEET_UNITS]
    col_a = [detail.cell(r, 1).value for r in range(1, detail.max_row + 1)]
    assert str(col_a[-1]).startswith("全区合计")
    names = [u["name"] for u in summary["units"]]
    for block in detail_blocks(spec):
        top = col_a.index(block.title) + 1
        first = col_a.index(names[0], top) + 1  # 1-based row of the first unit
        rows = list(range(first, first + len(names)))
        assert [col_a[r - 1] for r in rows] == names, block.title
        last = next(r for r in range(rows[-1], len(col_a) + 1) if "合计" in str(col_a[r - 1]))
        for i, c in enumerate(block.columns):
            col = FIRST_FIELD_COL + 1 + i
            units_sum = sum(Decimal(str(detail.cell(r, col).value or 0)) for r in rows)
            for shown in (on_summary_sheet[c.field.id], detail.cell(last, col).value):
                assert Decimal(str(shown)) == units_sum, c.field.id
                if c.field.id in expected:
                    assert Decimal(str(shown)) == Decimal(str(expected[c.field.id])), c.field.id
        for r, record in zip(rows, summary["units"], strict=True):
            values = [
                detail.cell(r, FIRST_FIELD_COL + 1 + i).value for i in range(len(block.columns))
            ]
            assert record["included"] or all(v is None for v in values), record["name"]
