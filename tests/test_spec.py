"""The two official formats as data: counts per table, field ids of the reference, sum rules."""

import pytest

from workflow.formats.spec import FORMAT_IDS, SpecError, format_for_year, load_format

APPLY_COLUMNS = ["natural", "business", "research", "nonprofit", "legal", "other", "total"]


@pytest.mark.parametrize(
    ("format_id", "active", "apply_rows"),
    [("gov2021", 10, 25), ("gov2019", 22, 23)],
    ids=["gov2021", "gov2019"],
)
def test_table_sizes(format_id, active, apply_rows):
    spec = load_format(format_id)
    assert len(spec.fields_of("active")) == active
    assert len(spec.apply.rows) == apply_rows
    assert [c.id for c in spec.apply.columns] == APPLY_COLUMNS
    assert len(spec.fields_of("apply")) == apply_rows * 7
    assert len(spec.fields_of("review")) == 15


@pytest.mark.parametrize(
    "field_id",
    [
        "active_rules_issued",
        "active_rules_repealed",
        "active_rules_in_force",
        "active_normative_issued",
        "active_normative_repealed",
        "active_normative_in_force",
        "active_license_decisions",
        "active_penalty_decisions",
        "active_coercion_decisions",
        "active_fee_amount",
        "apply_new_natural",
        "apply_denied_third_party_total",
        "apply_total_total",
        "apply_carry_over_legal",
        "apply_other_no_fee_natural",
        "review_upheld",
        "suit_after_review_total",
        "unit_name",
        "report_year",
        "report_date",
        "website_url",
        "contact_address",
        "contact_postcode",
        "contact_phone",
        "contact_person",
        "overview_active_count",
        "text_active",
        "text_request",
        "text_management",
        "text_platform",
        "text_supervision",
        "text_problems",
        "text_other",
        "fee_notice_count",
        "fee_notice_amount_yuan",
        "fee_collected_yuan",
    ],
)
def test_gov2021_field_ids_of_the_reference(field_id):
    assert field_id in load_format("gov2021").fields


@pytest.mark.parametrize(
    "field_id",
    [
        "active_rules_made",
        "active_rules_published",
        "active_rules_total",
        "active_license_prev",
        "active_license_change",
        "active_service_decisions",
        "active_fee_prev",
        "active_fee_change",
        "active_procurement_projects",
        "active_procurement_amount",
        "apply_other_natural",
        "apply_other_total",
    ],
)
def test_gov2019_field_ids_of_the_reference(field_id):
    assert field_id in load_format("gov2019").fields


def test_kinds():
    s21, s19 = load_format("gov2021"), load_format("gov2019")
    assert s21.fields["active_fee_amount"].kind == "money"
    assert s19.fields["active_license_change"].kind == "signed"
    assert s19.fields["active_procurement_amount"].kind == "money"
    assert [f.id for f in s21.numeric_fields if f.kind == "money"] == [
        "fee_notice_amount_yuan",
        "fee_collected_yuan",
        "active_fee_amount",
    ]


@pytest.mark.parametrize("format_id", FORMAT_IDS)
def test_totals_are_computed(format_id):
    spec = load_format(format_id)
    computed = {f.id for f in spec.computed_fields}
    expected = {f"apply_{r.id}_total" for r in spec.apply.rows}
    expected |= {f"apply_total_{c.id}" for c in spec.apply.columns}
    expected |= {f"{g}_total" for g in ("review", "suit_direct", "suit_after_review")}
    assert computed == expected


def test_equations_cover_r1_to_r4():
    spec = load_format("gov2021")
    by_rule: dict[str, int] = {}
    for eq in spec.equations:
        by_rule[eq.rule] = by_rule.get(eq.rule, 0) + 1
    assert by_rule == {"R1": 7, "R2": 7, "R3": 25, "R4": 3}
    r1 = next(e for e in spec.equations if e.rule == "R1")
    assert r1.left == ("apply_new_natural", "apply_carried_natural")
    assert r1.right == ("apply_total_natural", "apply_carry_over_natural")


def test_year_picks_format():
    assert format_for_year(2020) == "gov2019"
    assert format_for_year(2021) == "gov2021"
    assert format_for_year(2030) == "gov2021"


def test_unknown_format():
    with pytest.raises(SpecError, match="未知的报告格式"):
        load_format("gov1999")
