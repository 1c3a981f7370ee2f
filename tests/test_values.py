"""Cell value normalisation: every case a department produces has one defined outcome."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.domain.numbers import chinese_numeral
from workflow.read.cell_values import (
    parse_date,
    parse_number,
    parse_year,
    r5_message,
)

OK, BLANK, PLACEHOLDER = "", "blank", "placeholder"

NUMBER_CASES = [
    # (id, raw, kind, value, problem, hint)
    ("int", 12, "count", 12, OK, None),
    ("zero", 0, "count", 0, OK, None),
    ("float-integral", 3.0, "count", 3, OK, None),
    ("decimal-integral", Decimal("7"), "count", 7, OK, None),
    ("text-number", "12", "count", 12, OK, None),
    ("full-width-digits", "１２", "count", 12, OK, None),
    ("thousands-separator", "1,200", "count", 1200, OK, None),
    ("full-width-thousands", "１，２００", "count", 1200, OK, None),
    ("surrounding-spaces", "  12\u3000", "count", 12, OK, None),
    ("plus-sign-count", "+1", "count", 1, OK, None),
    ("signed-plus", "+1", "signed", 1, OK, None),
    ("signed-minus", "-4", "signed", -4, OK, None),
    ("signed-full-width-minus", "－4", "signed", -4, OK, None),
    ("signed-jian", "减4", "signed", -4, OK, None),
    ("signed-zeng", "增3", "signed", 3, OK, None),
    ("signed-jianshao", "减少 2", "signed", -2, OK, None),
    ("signed-number", -4, "signed", -4, OK, None),
    ("money-decimal", "12.35", "money", Decimal("12.35"), OK, None),
    ("money-float", 0.1, "money", Decimal("0.1"), OK, None),
    ("money-int", 5, "money", Decimal(5), OK, None),
    ("money-thousands", "1,234.5", "money", Decimal("1234.5"), OK, None),
    ("blank-none", None, "count", None, BLANK, None),
    ("blank-empty", "", "count", None, BLANK, None),
    ("blank-spaces", "   ", "count", None, BLANK, None),
    ("slash", "/", "count", None, PLACEHOLDER, None),
    ("full-width-slash", "／", "count", None, PLACEHOLDER, None),
    ("wu", "无", "count", None, PLACEHOLDER, None),
    ("em-dash", "—", "count", None, PLACEHOLDER, None),
    ("double-em-dash", "——", "count", None, PLACEHOLDER, None),
    ("hyphen", "-", "count", None, PLACEHOLDER, None),
    ("not-applicable", "不适用", "count", None, "not-applicable", None),
    ("decimal-in-count", "1.5", "count", None, "decimal", None),
    ("decimal-number-in-count", 2.5, "count", None, "decimal", None),
    ("decimal-in-signed", "-1.5", "signed", None, "decimal", None),
    ("negative-count", -3, "count", None, "negative", None),
    ("negative-text-count", "-3", "count", None, "negative", None),
    ("jian-in-count", "减4", "count", None, "negative", None),
    ("negative-money", "-0.5", "money", None, "negative", None),
    ("liang-jian", "两件", "count", None, "words", 2),
    ("chinese-twelve", "十二", "count", None, "words", 12),
    ("number-with-unit", "12件", "count", None, "words", 12),
    ("jian-chinese-signed", "减两项", "signed", None, "words", -2),
    ("nan-float", float("nan"), "count", None, "not-finite", None),
    ("inf-float", float("inf"), "money", None, "not-finite", None),
    ("nan-text", "NaN", "count", None, "not-finite", None),
    ("inf-text", "-inf", "signed", None, "not-finite", None),
    ("bool-true", True, "count", None, "boolean", None),
    ("bool-false", False, "count", None, "boolean", None),
    ("excel-error", "#REF!", "count", None, "error-value", None),
    ("excel-div0", "#DIV/0!", "count", None, "error-value", None),
    ("words", "见附件", "count", None, "not-number", None),
    ("bad-grouping", "1,23", "count", None, "not-number", None),
    ("exponent-text", "1e3", "count", None, "not-number", None),
    ("date-object", date(2025, 1, 2), "count", None, "not-number", None),
]


@pytest.mark.parametrize(
    ("raw", "kind", "value", "problem", "hint"),
    [c[1:] for c in NUMBER_CASES],
    ids=[c[0] for c in NUMBER_CASES],
)
def test_parse_number(raw, kind, value, problem, hint):
    parsed = parse_number(raw, kind)
    assert (parsed.value, parsed.problem, parsed.hint) == (value, problem, hint)
    assert type(parsed.value) is type(value)  # int for counts, Decimal for money, never float


# fmt: off
MESSAGE_CASES = [
    ("slash-error", "/", "count", False, "X（S!C8）填写了“/”。没有数据请填 0，不要留空或填“/”“无”。"),
    ("blank-error", None, "count", False, "X（S!C8）未填写。没有数据请填 0，不要留空或填“/”“无”。"),
    ("wu-warning", "无", "count", True, "X（S!C8）填写了“无”，已按 0 计。今后没有数据请填 0，不要留空或填“/”“无”。"),
    ("liang", "两件", "count", False, "X（S!C8）填写了“两件”。请只填阿拉伯数字，如 2，不要写汉字或单位。"),
    ("decimal", "1.5", "count", False, "X（S!C8）填写了“1.5”，数量应为整数。请改为整数。"),
    ("negative", "-3", "count", False, "X（S!C8）填写了“-3”，数量不能为负数。请核对后填写 0 或正数。"),
    ("not-applicable", "不适用", "count", False, "X（S!C8）填写了“不适用”。本表各项都要填数字，没有发生的请填 0。"),
    ("boolean", True, "count", False, "X（S!C8）填写了逻辑值“TRUE”，不是数字。请填写数字，没有数据请填 0。"),
]
# fmt: on


@pytest.mark.parametrize(
    ("raw", "kind", "warning", "message"),
    [c[1:] for c in MESSAGE_CASES],
    ids=[c[0] for c in MESSAGE_CASES],
)
def test_r5_message(raw, kind, warning, message):
    assert r5_message("X", "S!C8", parse_number(raw, kind), kind, as_warning=warning) == message


DATE_CASES = [
    ("iso", "2026-01-20", "2026-01-20"),
    ("slashes", "2026/1/5", "2026-01-05"),
    ("dots", "2026.1.5", "2026-01-05"),
    ("chinese", "2026年1月20日", "2026-01-20"),
    ("full-width", "２０２６年１月２０日", "2026-01-20"),
    ("chinese-numerals", "二〇二六年一月二十日", "2026-01-20"),
    ("excel-serial", 46042, "2026-01-20"),
    ("excel-serial-text", "46042", "2026-01-20"),
    ("excel-serial-float", 46042.5, "2026-01-20"),
    ("datetime", datetime(2026, 1, 20, 10, 30), "2026-01-20"),
    ("date", date(2026, 1, 20), "2026-01-20"),
    ("iso-datetime-text", "2026-01-20T00:00:00", "2026-01-20"),
    ("no-such-day", "2026年2月30日", None),
    ("words", "一月下旬", None),
    ("blank", None, None),
    ("bool", True, None),
    ("serial-out-of-range", 10**9, None),
]


@pytest.mark.parametrize(
    ("raw", "iso"), [c[1:] for c in DATE_CASES], ids=[c[0] for c in DATE_CASES]
)
def test_parse_date(raw, iso):
    assert parse_date(raw) == iso


def test_parse_date_1904_system():
    assert parse_date(44580, date1904=True) == "2026-01-20"


@pytest.mark.parametrize(
    ("raw", "year"),
    [(2025, "2025"), (2025.0, "2025"), ("2025", "2025"), ("２０２５年", "2025"), ("2025年度", "2025"),
     ("二〇二五年", "2025"), (" 25 ", "25"), (None, "")],
    ids=["int", "float", "text", "full-width", "niandu", "chinese", "short", "blank"],
)  # fmt: skip
def test_parse_year(raw, year):
    assert parse_year(raw) == year


@pytest.mark.parametrize(
    ("text", "value"),
    [("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("三千", 3000),
     ("一万二千", 12000), ("二〇二五", 2025), ("十二件", None), ("", None)],
    ids=["liang", "ten", "twelve", "twenty", "105", "3000", "12000", "digits", "unit", "empty"],
)  # fmt: skip
def test_chinese_numeral(text, value):
    assert chinese_numeral(text) == value


@given(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.decimals(), st.text(max_size=30)
    )
)
def test_parse_number_never_raises_and_never_returns_float(raw):
    for kind in ("count", "money", "signed"):
        parsed = parse_number(raw, kind)
        assert (parsed.value is None) == bool(parsed.problem)
        assert not isinstance(parsed.value, float)
        if kind == "count" and parsed.value is not None:
            assert isinstance(parsed.value, int) and parsed.value >= 0


@given(st.integers(min_value=0, max_value=10**12))
def test_integers_round_trip_through_any_spelling(n):
    from workflow.read.cell_values import COUNT_MAX

    for spelled in (
        n,
        str(n),
        f"{n:,}",
        f" {n} ",
        str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ):
        parsed = parse_number(spelled, "count")
        if n <= COUNT_MAX:
            assert parsed.value == n
        else:  # beyond the plausible range: an R5 error, never a number
            assert parsed.problem == "out-of-range"


def test_value_and_label_modules_are_pure():
    """values.py and locate.py import no file-format library; only xlsx_parts.py does."""
    import subprocess
    import sys

    code = (
        "import sys, workflow.read.cell_values, workflow.read.locate, workflow.read.limits\n"
        "print(sorted(m for m in ('defusedxml', 'python_calamine', 'openpyxl', 'lxml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
