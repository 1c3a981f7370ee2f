"""One parser of Chinese numerals, one decimal coercion, one plain number text (workflow.domain.numbers).

Before #13 the narrative rules had a parser of their own; the rows marked "was" are the inputs where
the two disagreed, with what the narrative parser used to return.
"""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.domain.numbers import as_decimal, chinese_numeral, plain_number, whole_number


@pytest.mark.parametrize(
    ("text", "number", "was"),
    [
        ("十二万", 120000, 20010),
        ("三十万", 300000, 10030),
        ("二〇二五", 2025, 5),
        ("一二", 12, 2),
        ("十万", 100000, 10010),
    ],
    ids=["twelve-wan", "thirty-wan", "digit-by-digit", "two-digits", "ten-wan"],
)
def test_chinese_numerals_where_the_two_parsers_disagreed(text, number, was):
    assert chinese_numeral(text) == number
    assert whole_number(text) == number
    assert number != was


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12", 12),
        ("１２", 12),
        ("两", 2),
        ("十二", 12),
        ("一百零五", 105),
        ("三十", 30),
        ("几", None),
        ("", None),
        ("12件", None),
        ("1万", None),
        ("一万二千", 12000),
        ("一万零五", 10005),
    ],
)
def test_whole_number(text, number):
    assert whole_number(text) == number


@given(st.integers(min_value=0, max_value=99_999_999))
def test_chinese_numeral_reads_every_number_written_out(n):
    assert chinese_numeral(_spell(n)) == n


def _spell(n: int) -> str:
    """n in Chinese: 十二万零三百零五 (a 十 leading a section is written 一十 except at the start)."""
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"

    def section(k: int, first: bool) -> str:
        out, zero = "", False
        for unit, value in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = k // unit % 10
            if d == 0:
                zero = bool(out)
                continue
            if zero:
                out += "零"
                zero = False
            out += "" if (unit == 10 and d == 1 and first and not out) else digits[d]
            out += value
        return out

    high, low = divmod(n, 10000)
    if not high:
        return section(low, True)
    text = section(high, True) + "万"
    if low:
        text += ("零" if low < 1000 else "") + section(low, False)
    return text


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (12, Decimal(12)),
        (3.5, Decimal("3.5")),
        (Decimal("1.20"), Decimal("1.20")),
        (" 1,200 ", Decimal(1200)),
        ("十二", None),
        (None, None),
        (True, None),
        (float("nan"), None),
        ("inf", None),
        ([], None),
    ],
)
def test_as_decimal(value, number):
    assert as_decimal(value) == number


@pytest.mark.parametrize(
    ("value", "text"),
    [(12, "12"), (Decimal("3.50"), "3.5"), (Decimal("1E+2"), "100"), (Decimal(-4), "-4"),
     (Decimal("NaN"), "NaN"), ("x", "x")],
)  # fmt: skip
def test_plain_number(value, text):
    assert plain_number(value) == text
