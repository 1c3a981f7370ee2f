"""Invariants of the rules (Hypothesis): consistent fillings check clean, any single breaking change is
caught with its cell named, and no content of a Submission makes the checker raise."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.domain.roster import Unit
from workflow.domain.submission import Submission
from workflow.formats.layout import field_cells
from workflow.formats.spec import FORMAT_IDS, Format, load_format
from workflow.rules import CheckContext, check_submission, compute_totals
from workflow.rules.apply import REGULATIONS_ROW

UNIT = "长乐区教育局"
CTX = CheckContext(year=2025, units=(Unit(UNIT),), today=date(2026, 1, 25))
TEXTS = {
    "unit_name": UNIT,
    "report_year": "2025",
    "report_date": "2026-01-20",
    "contact_phone": "0591-28888888",
    "contact_address": "长乐区吴航街道某路1号",
    **dict.fromkeys(
        (
            "text_active",
            "text_request",
            "text_management",
            "text_platform",
            "text_supervision",
            "text_problems",
        ),
        "本年度各项工作平稳有序。",
    ),
}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

counts = st.integers(min_value=0, max_value=500)


@st.composite
def consistent_values(draw: st.DrawFn, spec: Format) -> dict[str, Any]:
    """Random inputs for which R1–R5 hold (and R8/R9 have nothing to say)."""
    values: dict[str, Any] = {}
    for f in spec.input_fields:
        if not f.numeric or f.part == "apply":
            continue
        if f.kind == "money":
            values[f.id] = Decimal(draw(st.integers(0, 10**7))) / 100
        elif f.kind == "signed":
            values[f.id] = draw(st.integers(-50, 50))
        else:
            values[f.id] = 0 if f.row == REGULATIONS_ROW else draw(counts)
    grid = spec.apply
    for col in (c for c in grid.columns if not c.computed):
        results = {r.id: draw(st.integers(0, 20)) for r in grid.rows if r.result}
        carry_over = draw(st.integers(0, 20))
        carried = draw(st.integers(0, sum(results.values()) + carry_over))
        new = sum(results.values()) + carry_over - carried
        row_values = {**results, "carry_over": carry_over, "carried": carried, "new": new}
        for row in grid.rows:
            if not row.computed:
                values[grid.field_id(row, col)] = row_values[row.id]
    if "fee_notice_count" in values:
        values["fee_notice_count"] = draw(st.integers(1, 20))
        values["fee_collected_yuan"] = Decimal(0)
    return values


def submission(spec: Format, values: dict[str, Any], **changes: Any) -> Submission:
    computed = {f.id for f in spec.computed_fields}
    totals = compute_totals(spec, values)
    return Submission(
        format=spec.id,
        values=dict(values),
        typed={k: v for k, v in totals.items() if k in computed},
        formulas=set(computed),
        texts=dict(TEXTS)
        if spec.id == "gov2021"
        else {**TEXTS, "report_year": "2020", "report_date": "2021-01-20"},
        cells={fid: f"{s}!{c}" for fid, (s, c) in field_cells(spec).items()},
        **changes,
    )


def ctx_for(spec: Format) -> CheckContext:
    return CTX if spec.id == "gov2021" else CheckContext(units=CTX.units, today=CTX.today)


@FAST
@given(data=st.data(), format_id=st.sampled_from(FORMAT_IDS))
def test_consistent_filling_checks_clean(data, format_id):
    spec = load_format(format_id)
    values = data.draw(consistent_values(spec))
    assert check_submission(submission(spec, values), spec, ctx_for(spec)) == []


@FAST
@given(data=st.data(), format_id=st.sampled_from(FORMAT_IDS))
def test_a_changed_application_cell_is_named(data, format_id):
    spec = load_format(format_id)
    values = data.draw(consistent_values(spec))
    inputs = sorted(f.id for f in spec.fields_of("apply") if not f.computed)
    fid = data.draw(st.sampled_from(inputs))
    values[fid] += data.draw(st.integers(1, 9))
    sub = submission(spec, values)
    findings = check_submission(sub, spec, ctx_for(spec))
    # named in the finding's data; marked are only the four cells of the column's balance
    r1 = [f for f in findings if f.rule == "R1" and f.is_error and fid in f.fields]
    assert r1 and all(len(f.cells) == 4 for f in r1)


@FAST
@given(data=st.data(), format_id=st.sampled_from(FORMAT_IDS))
def test_a_typed_over_total_is_named(data, format_id):
    spec = load_format(format_id)
    values = data.draw(consistent_values(spec))
    fid = data.draw(st.sampled_from(sorted(f.id for f in spec.computed_fields)))
    sub = submission(spec, values)
    sub.typed[fid] = compute_totals(spec, values)[fid] + data.draw(st.sampled_from([-3, -1, 1, 7]))
    if data.draw(st.booleans()):
        sub.formulas.discard(fid)
    findings = check_submission(sub, spec, ctx_for(spec))
    assert [(f.rule in ("R2", "R3", "R4"), f.cells[0]) for f in findings] == [
        (True, sub.cells[fid])
    ]


@FAST
@given(
    data=st.data(),
    format_id=st.sampled_from(FORMAT_IDS),
    bad=st.sampled_from([-1, Decimal("0.5"), "/", "无", None, True, float("nan"), Decimal("NaN")]),
)
def test_an_invalid_number_is_named(data, format_id, bad):
    spec = load_format(format_id)
    values = data.draw(consistent_values(spec))
    table = sorted(f.id for f in spec.table_fields if not f.computed and f.kind == "count")
    fid = data.draw(st.sampled_from(table))
    values[fid] = bad
    sub = submission(spec, values)
    findings = check_submission(sub, spec, ctx_for(spec))
    assert [(f.rule, f.cells) for f in findings if f.is_error] == [("R5", (sub.cells[fid],))]


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.binary(max_size=8),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dates(),
    st.just(Decimal("1E+999999")),
)
json_like = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), format_id=st.sampled_from(FORMAT_IDS))
def test_no_submission_content_makes_the_checker_raise(data, format_id):
    spec = load_format(format_id)
    ids = st.one_of(st.sampled_from(sorted(spec.fields)), st.text(max_size=10))
    text_ids = st.one_of(
        st.sampled_from(
            [
                "unit_name",
                "report_year",
                "report_date",
                "text_request",
                "text_active",
                "text_other",
                "text_problems",
            ]
        ),
        ids,
    )
    units = data.draw(st.lists(st.builds(Unit, st.text(max_size=12)), max_size=3))
    previous = data.draw(
        st.one_of(
            st.none(),
            json_like,
            st.fixed_dictionaries(
                {
                    "units": st.lists(
                        st.fixed_dictionaries(
                            {"name": st.text(max_size=12), "values": json_like, "texts": json_like}
                        ),
                        max_size=2,
                    )
                }
            ),
        )
    )
    sub = Submission(
        format=spec.id,
        values=data.draw(st.dictionaries(ids, anything, max_size=40)),
        typed=data.draw(st.dictionaries(ids, anything, max_size=20)),
        formulas=data.draw(st.sets(ids, max_size=10)),
        texts=data.draw(
            st.dictionaries(text_ids, st.one_of(st.text(max_size=60), anything), max_size=10)
        ),
        cells=data.draw(
            st.dictionaries(ids, st.one_of(st.text(max_size=12), anything), max_size=10)
        ),
    )
    ctx = CheckContext(
        year=data.draw(st.one_of(st.none(), st.integers(2000, 2100))),
        units=tuple(units),
        deadline=data.draw(st.one_of(st.just(""), st.text(max_size=12))),
        previous=previous,
        peers=data.draw(
            st.dictionaries(
                st.text(max_size=8), st.dictionaries(text_ids, st.text(max_size=60)), max_size=2
            )
        ),
        today=data.draw(st.one_of(st.none(), st.dates())),
    )
    findings = check_submission(sub, spec, ctx)
    assert all(f.message for f in findings)
    compute_totals(spec, sub.values)
