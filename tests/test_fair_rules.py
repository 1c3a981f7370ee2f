"""Fair judgement of real reports: separate 复议/诉讼 counts, R9 without a 收费通知 count, amounts in 元,
rule-making categories, part-二 counts stated in the text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workflow.domain.submission import Submission
from workflow.formats.spec import load_format
from workflow.read.cell_values import parse_number, r5_message
from workflow.rules.apply import check_regulations, compute_totals
from workflow.rules.narrative import check_fees, check_stated_numbers
from workflow.rules.stated import stated_cases, stated_in_force

SPEC = load_format("gov2021")


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("行政复议36起，行政诉讼9起", [("行政复议", 36), ("行政诉讼", 9)]),
        ("行政复议1件，行政诉讼1件", [("行政复议", 1), ("行政诉讼", 1)]),
        ("发生行政复议、行政诉讼案件2件", [("行政复议、行政诉讼", 2)]),
    ],
)
def test_separate_and_combined_case_counts(text: str, kinds: list[tuple[str, int]]) -> None:
    assert [(k, n) for k, n, _ in stated_cases(text)] == kinds


def test_separate_counts_are_not_a_combined_total() -> None:
    totals = compute_totals(SPEC, {"review_upheld": 36, "suit_direct_upheld": 9})
    texts = {"text_request": "本年度发生行政复议36起，行政诉讼9起。"}
    assert [f for f in check_stated_numbers(SPEC, totals, texts, {}) if f.rule == "R6"] == []


def test_part_two_count_stated_in_the_text_is_compared() -> None:
    assert stated_in_force("现行有效规范性文件393件") == [
        ("normative", 393, "现行有效规范性文件393件")
    ]
    totals = compute_totals(SPEC, {"active_normative_in_force": 470})
    found = check_stated_numbers(SPEC, totals, {"text_active": "现行有效规范性文件393件。"}, {})
    assert [(f.rule, f.expected, f.actual) for f in found] == [("R6", 470, 393)]


@pytest.mark.parametrize(
    ("given", "severities"),
    [
        (None, ["error"]),  # a template: the 收费通知 count is a cell, 0 contradicts the table
        ({"apply_other_no_fee_natural"}, ["warning"]),  # a report that does not state it
        ({"apply_other_no_fee_natural", "fee_collected_yuan"}, []),  # states the fees collected
    ],
)
def test_r9_for_reports_without_a_fee_notice_count(given, severities) -> None:
    totals = compute_totals(
        SPEC, {"apply_other_no_fee_natural": 6, "fee_collected_yuan": Decimal(3940)}
    )
    texts = {"text_other": "实际收取信息处理费3940元。"}
    found = check_fees(SPEC, totals, texts, {}, given)
    assert [str(f.severity) for f in found if f.rule == "R9"] == severities


@pytest.mark.parametrize(
    ("category", "count"), [("部门", 1), ("区县", 1), ("设区的市", 0), ("市级部门", 0)]
)
def test_rule_making_categories(category: str, count: int) -> None:
    sub = Submission(format="gov2021", values={"active_rules_issued": 1})
    totals = compute_totals(SPEC, sub.values)
    assert len(check_regulations(sub, SPEC, totals, category)) == count


def test_amount_in_yuan_advice_is_in_wan_yuan() -> None:
    parsed = parse_number("73802895.90元", "money")
    assert parsed.hint == Decimal("7380.28959")
    assert "除以 10000" in r5_message("采购总金额", "二!C3", parsed, "money", as_warning=False)
