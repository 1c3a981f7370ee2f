"""Numbers as the workflow meets them: Chinese numerals, loose values coerced to Decimal, and a number
written back as a department writes it. One implementation of each, used by every stage.

Pure: standard library only.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9, "○": 0, "Ｏ": 0, "O": 0}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def chinese_numeral(text: str) -> int | None:
    """ "两" → 2, "十二" → 12, "一百零五" → 105, "十二万" → 120000, "二〇二五" → 2025 (digit by
    digit); None if ``text`` is not a Chinese numeral."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    if all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
            continue
        unit = _CN_UNITS[ch]
        if unit == 10000:
            total += (section + (digit or 0)) * unit
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


def whole_number(text: str) -> int | None:
    """``"12"``, ``"１２"`` (full-width) or a Chinese numeral (``"十二"``) → int; else None."""
    digits = text.translate(_FULL_WIDTH_DIGITS)
    if digits.isascii() and digits.isdigit():
        return int(digits)
    return chinese_numeral(text)


def as_decimal(value: object) -> Decimal | None:
    """A loose value (int, float, Decimal, numeric text such as " 1,200 ") as a finite Decimal;
    anything else (None, bool, words, NaN) → None. Callers that want 0 write ``… or Decimal(0)``."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, str):
            number = Decimal(value.strip().replace(",", ""))
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        else:
            return None
    except (InvalidOperation, TypeError, ValueError, OverflowError):
        return None
    return number if number.is_finite() else None


def plain_number(value: object) -> str:
    """A number as a department writes it: 12, 3.5, -4 (a Decimal without trailing zeros or
    exponent); anything else as ``str``."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    return str(value)
