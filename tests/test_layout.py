"""The template layout: where each field sits, merged labels, fingerprint; the self-check as data."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.formats import layout
from workflow.formats.layout import (
    SHEET_ACTIVE,
    SHEET_APPLY,
    SHEET_INFO,
    SHEET_REVIEW,
    active_layout,
    apply_layout,
    cell_name,
    column_name,
    field_cells,
    fingerprint,
    review_layout,
    sheet_layouts,
)
from workflow.formats.spec import FORMAT_IDS, load_format
from workflow.template.selfcheck import (
    FAIL,
    HINT,
    NARRATIVE,
    PASS,
    REQUIRED,
    add,
    build_checks,
    cell_ranges,
    cell_values,
    total_parts,
)


@pytest.mark.parametrize(
    ("format_id", "active_rows", "apply_rows", "apply_cols", "review_cols", "info"),
    [("gov2021", 6, 25, 7, 15, 19), ("gov2019", 8, 23, 7, 15, 16)],
    ids=FORMAT_IDS,
)
def test_rows_and_columns_per_format(
    format_id, active_rows, apply_rows, apply_cols, review_cols, info
):
    spec = load_format(format_id)
    cells = field_cells(spec)
    per_sheet = Counter(sheet for sheet, _ in cells.values())
    assert per_sheet[SHEET_APPLY] == apply_rows * apply_cols
    assert per_sheet[SHEET_REVIEW] == review_cols
    assert per_sheet[SHEET_INFO] == info
    rows = {a1.lstrip("ABCDEFGHIJ") for sheet, a1 in cells.values() if sheet == SHEET_APPLY}
    cols = {a1.rstrip("0123456789") for sheet, a1 in cells.values() if sheet == SHEET_APPLY}
    assert (len(rows), len(cols)) == (apply_rows, apply_cols)
    active = {a1.lstrip("ABCD") for sheet, a1 in cells.values() if sheet == SHEET_ACTIVE}
    assert len(active) == active_rows
    assert len(apply_layout(spec).widths) == 3 + apply_cols
    assert len(review_layout(spec).widths) == review_cols


@pytest.mark.parametrize("format_id", FORMAT_IDS)
def test_every_field_has_one_distinct_cell(format_id):
    spec = load_format(format_id)
    cells = field_cells(spec)
    assert list(cells) == list(spec.fields)
    assert len(set(cells.values())) == len(cells)


@pytest.mark.parametrize(
    ("field_id", "cell"),
    [
        ("apply_new_natural", ("三、依申请公开", "D6")),
        ("apply_carried_total", ("三、依申请公开", "J7")),
        ("apply_total_total", ("三、依申请公开", "J29")),
        ("apply_carry_over_other", ("三、依申请公开", "I30")),
        ("review_upheld", ("四、复议诉讼", "A6")),
        ("suit_after_review_total", ("四、复议诉讼", "O6")),
        ("active_rules_issued", ("二、主动公开", "B5")),
        ("active_fee_amount", ("二、主动公开", "B16")),
        ("unit_name", ("基本信息", "B5")),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_gov2021_cells(field_id, cell):
    assert field_cells(load_format("gov2021"))[field_id] == cell


def _merged(lay, text):
    return [c for c in lay.cells if c.text == text]


@pytest.mark.parametrize(
    ("format_id", "label", "rows"),
    [
        ("gov2021", "三、本年度办理结果", 22),
        ("gov2021", "（三）不予公开", 8),
        ("gov2021", "（四）无法提供", 3),
        ("gov2021", "（五）不予处理", 5),
        ("gov2021", "（六）其他处理", 3),
        ("gov2019", "三、本年度办理结果", 20),
    ],
)
def test_apply_group_labels_span_their_rows(format_id, label, rows):
    (cell,) = _merged(apply_layout(load_format(format_id)), label)
    assert cell.end_row - cell.row + 1 == rows


def test_gov2019_other_is_one_row_over_two_label_columns():
    (cell,) = _merged(apply_layout(load_format("gov2019")), "（六）其他处理")
    assert (cell.col, cell.end_col, cell.end_row) == (1, 2, cell.row)


def test_review_headers_as_on_the_official_form():
    lay = review_layout(load_format("gov2021"))
    (review,) = _merged(lay, "行政复议")
    (suit,) = _merged(lay, "行政诉讼")
    assert review.range == "A3:E4"
    assert suit.range == "F3:O3"
    assert [c.range for c in _merged(lay, "未经复议直接起诉") + _merged(lay, "复议后起诉")] == [
        "F4:J4",
        "K4:O4",
    ]
    assert len(_merged(lay, "结果维持")) == 3


def test_active_blocks_with_one_value_span_the_table():
    lay = active_layout(load_format("gov2021"))
    license_cell = lay.fields["active_license_decisions"]
    assert license_cell.range == "B9:D9"
    assert len(_merged(lay, "信息内容")) == 4


def test_fingerprint_is_stable_and_distinguishes_formats_and_versions(monkeypatch):
    s21, s19 = load_format("gov2021"), load_format("gov2019")
    fp = fingerprint(s21)
    assert len(fp) == 64 and fp == fingerprint(s21)
    assert fp != fingerprint(s19)
    monkeypatch.setattr(layout, "TEMPLATE_VERSION", "999")
    assert fingerprint(s21) != fp


def test_heights_fit_long_labels():
    lay = apply_layout(load_format("gov2021"))
    row = lay.fields["apply_other_no_fee_natural"].row
    assert lay.heights[row] >= 3 * layout.LINE_HEIGHT
    assert all(h >= 20 for h in lay.heights.values())


@pytest.mark.parametrize(
    ("col", "name"), [(0, "A"), (9, "J"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_column_name(col, name):
    assert column_name(col) == name


def test_cell_name():
    assert (cell_name(0, 0), cell_name(5, 3, absolute=True)) == ("A1", "$D$6")


@pytest.mark.parametrize(
    ("cells", "ranges"),
    [
        ([(5, 3)], ["D6"]),
        ([(5, 3), (5, 4), (5, 5)], ["D6:F6"]),
        ([(5, 3), (6, 3), (7, 3)], ["D6:D8"]),
        ([(5, 3), (5, 4), (6, 3), (6, 4), (8, 3), (8, 4)], ["D6:E7", "D9:E9"]),
        ([(1, 1), (1, 3)], ["B2", "D2"]),
    ],
    ids=["one", "row", "column", "boxes", "gap"],
)
def test_cell_ranges(cells, ranges):
    assert cell_ranges(cells) == ranges


@given(st.sets(st.tuples(st.integers(0, 30), st.integers(0, 12)), min_size=1, max_size=60))
def test_cell_ranges_cover_exactly_the_cells(cells):
    covered = set()
    for rng in cell_ranges(cells):
        first, _, last = rng.partition(":")
        last = last or first
        (r0, c0), (r1, c1) = _rc(first), _rc(last)
        box = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        assert not covered & box
        covered |= box
    assert covered == cells


def _rc(a1):
    letters = a1.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(a1[len(letters) :]) - 1, col - 1


@pytest.mark.parametrize("format_id", FORMAT_IDS)
def test_self_check_covers_every_equation_and_passes_on_zeros(format_id):
    spec = load_format(format_id)
    zeros = {f.id: 0 for f in spec.numeric_fields}
    texts = {f.id: "有" for f in spec.fields.values() if not f.numeric} | {"report_year": 2025}
    checks = build_checks(spec, zeros, texts)
    rules = Counter(c.rule for c in checks)
    assert rules[REQUIRED] == 3 and rules[NARRATIVE] == 6
    parts = total_parts(spec)
    implied = [
        e
        for e in spec.equations
        if all(spec.fields[f].computed for f in e.fields)
        and not (len(e.left) == 1 and parts.get(e.left[0]) == e.right)
    ]
    assert [e.rule for e in implied] == ["R2", "R1"]  # 总计 column: implied, as in the checker
    assert sum(rules[r] for r in ("R1", "R2", "R3", "R4")) == len(spec.equations) - 2
    assert {c.result for c in checks} == {PASS}
    assert all(c.formula.startswith("=IF(") for c in checks)
    assert {c.sheet for c in checks if c.rule in (REQUIRED, NARRATIVE)} == {SHEET_INFO}


def _info_results(texts, year=None):
    spec = load_format("gov2021")
    zeros = {f.id: 0 for f in spec.numeric_fields}
    return {
        c.where: (c.result, c.level)
        for c in build_checks(spec, zeros, texts, year)
        if c.rule in (REQUIRED, NARRATIVE)
    }


def test_blank_info_fails_required_and_hints_empty_narratives():
    """The blank template's 自检 agrees with the tool: required-missing is an error, an empty
    narrative part of 一 or 五 a 提示 (六 may stay empty)."""
    spec = load_format("gov2021")
    cells = field_cells(spec)
    results = _info_results({"text_problems": " \n　"})
    for fid, label in (
        ("unit_name", "单位名称"),
        ("report_year", "年度"),
        ("report_date", "成文日期"),
    ):
        assert results[cells[fid][1]] == (f"{FAIL}：{label}未填写", "error")
    narratives = [n.id for n in spec.narratives if n.section in ("一", "五")]
    assert len(narratives) == 6
    for fid in narratives:
        assert results[cells[fid][1]] == (HINT, "hint")
    assert cells["text_other"][1] not in results


@pytest.mark.parametrize(
    ("raw", "year", "result"),
    [
        (2025, None, PASS),
        (" 2025 ", None, PASS),
        ("2025年", None, f"{FAIL}：年度应为四位数字"),
        (25, None, f"{FAIL}：年度应为四位数字"),
        (2025, 2025, PASS),
        ("2025", 2025, PASS),
        (2024, 2025, f"{FAIL}：年度应为2025"),
    ],
)
def test_year_check(raw, year, result):
    cell = field_cells(load_format("gov2021"))["report_year"][1]
    assert _info_results({"report_year": raw}, year)[cell][0] == result


def test_sum_mixes_floats_and_decimals():
    assert add([1.5, Decimal("2.25"), None, 1]) == Decimal("4.75")
    assert add([1, 2]) == 3


@pytest.mark.parametrize(
    ("changes", "rule", "result"),
    [
        ({"apply_new_natural": 3}, "R1", f"{FAIL}：3≠0"),
        ({"apply_total_natural": 4}, "R2", f"{FAIL}：4≠0"),
        ({"apply_granted_total": 2}, "R3", f"{FAIL}：2≠0"),
        ({"review_total": 1}, "R4", f"{FAIL}：1≠0"),
        ({"active_fee_amount": Decimal("1.50")}, "R5", PASS),
        ({"apply_new_legal": "/"}, "R5", f"{FAIL}：有1格为空或不是数字"),
        ({"review_pending": -1}, "R5", f"{FAIL}：有1格为负数"),
        ({"apply_new_other": Decimal("1.5")}, "R5", f"{FAIL}：有1格不是整数"),
        ({"active_fee_amount": Decimal("1.5")}, "R5", PASS),
    ],
    ids=["R1", "R2", "R3", "R4", "money", "text", "negative", "fraction", "money-fraction"],
)
def test_self_check_results(changes, rule, result):
    spec = load_format("gov2021")
    values = {f.id: 0 for f in spec.numeric_fields} | changes
    results = [c.result for c in build_checks(spec, values) if c.rule == rule]
    assert result in results


def test_layouts_are_the_four_data_sheets():
    names = [lay.name for lay in sheet_layouts(load_format("gov2021"))]
    assert names == [SHEET_INFO, SHEET_ACTIVE, SHEET_APPLY, SHEET_REVIEW]


_CELL = st.one_of(
    st.integers(0, 50),
    st.decimals(0, 100, places=2, allow_nan=False),
    st.sampled_from(["/", "无", "", "１２", None]),
)


@given(st.data())
def test_self_check_agrees_with_the_equations(data):
    """For any cell contents, a check passes exactly when its equation holds (text counts as 0)."""
    spec = load_format("gov2021")
    inputs = {f.id: data.draw(_CELL, label=f.id) for f in spec.input_fields if f.part == "apply"}
    values = cell_values(spec, inputs, {})
    eqs = {(e.rule, e.description): e for e in spec.equations}
    for check in build_checks(spec, values):
        if check.rule in ("R5", REQUIRED, NARRATIVE):
            continue
        eq = eqs[(check.rule, check.description)]
        holds = sum(_num(values.get(f)) for f in eq.left) == sum(
            _num(values.get(f)) for f in eq.right
        )
        assert (check.result == PASS) == holds
        if check.rule in ("R2", "R3"):
            assert check.result == PASS  # totals are formulas: only typing over them breaks R2/R3


def _num(value):
    return value if isinstance(value, int | Decimal) and not isinstance(value, bool) else 0
