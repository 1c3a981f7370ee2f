"""What a department typed into a cell, turned into a number, a date, a year or a text (pure).

Every case has a defined outcome. A number cell gives a ``Parsed`` with either a value or a
problem; the reader turns problems into R5 findings with :func:`r5_message`.

    >>> parse_number(" １,２００ ", "count").value
    1200
    >>> parse_number("减4", "signed").value
    -4
    >>> parse_number("/", "count").problem
    'placeholder'
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from workflow.domain.numbers import chinese_numeral
from workflow.domain.submission import Number

# Written where 0 belongs; by default an error asking for 0 (blank_policy="warning": counted as 0).
PLACEHOLDERS = frozenset(
    {"/", "\\", "无", "-", "—", "——", "–", "―", "─", "--", "---", "空", "没有"}
)
NOT_APPLICABLE = frozenset({"不适用", "不涉及", "n/a", "na"})
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
    }
)
BLANK_LIKE = frozenset(
    {"blank", "placeholder"}
)  # problems that blank_policy="warning" turns into 0

# Plausible values of one number cell (docs/rules.md, R5): anything outside is a typing slip
# (an extra digit, a pasted phone number) or a hostile value; within them totals stay exact.
COUNT_MAX = 10_000_000  # 件/个/次: whole numbers 0 … 10,000,000
SIGNED_MAX = 10_000_000  # 本年增/减: whole numbers −10,000,000 … 10,000,000
# money cells are in 万元 (表二 收费) or in 元 (基本信息 收费通知, gov2019 采购总金额 as real reports
# write it, "73802895.90"): 0 … 10,000,000,000 covers 100 亿元 in 元
MONEY_MAX = Decimal(10_000_000_000)
MONEY_PLACES = 6  # 万元 with 6 decimals is 0.01 元 (5949.088667 万元): kept exactly as typed
_NOT_FINITE = frozenset({"nan", "inf", "infinity", "#num!"})
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_MINUSES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-"})
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_SIGN_WORDS = (("增加", 1), ("减少", -1), ("增", 1), ("减", -1))
_UNIT_SUFFIX = re.compile(r"(件|个|项|条|次|人|万元|元)$")
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_EPOCH_1904 = date(1904, 1, 1)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A number cell's outcome: ``value`` when usable, else a ``problem`` code.

    Problems: blank, placeholder, not-applicable, words, decimal, negative, not-number, boolean,
    error-value, not-finite, out-of-range, too-many-places. ``hint`` is the number the department probably meant, if any.
    """

    value: Number | None = None
    problem: str = ""
    shown: str = ""  # the cell as the department sees it, for messages
    hint: Number | None = None

    @property
    def ok(self) -> bool:
        return not self.problem


def _normalized(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII), unified minus signs, no spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).translate(_MINUSES)


def parse_number(raw: object, kind: str) -> Parsed:
    """A count, money or signed cell value, from whatever the workbook held."""
    if raw is None:
        return Parsed(problem="blank")
    if isinstance(raw, bool):
        return Parsed(problem="boolean", shown="TRUE" if raw else "FALSE")
    if isinstance(raw, int):
        return _check_kind(Decimal(raw), kind, str(raw))
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return Parsed(problem="not-finite", shown=str(raw))
        return _check_kind(Decimal(repr(raw)), kind, _show_float(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return Parsed(problem="not-finite", shown=str(raw))
        return _check_kind(raw, kind, str(raw))
    if isinstance(raw, (date, datetime)):
        return Parsed(problem="not-number", shown=str(raw))
    return _parse_text(str(raw), kind)


def _show_float(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _parse_text(text: str, kind: str) -> Parsed:
    shown = text.strip()
    if shown.upper() in EXCEL_ERRORS:
        return Parsed(problem="error-value", shown=shown)
    key = _normalized(text)
    if not key:
        return Parsed(problem="blank", shown=shown)
    if key in PLACEHOLDERS or shown in PLACEHOLDERS:
        return Parsed(problem="placeholder", shown=shown)
    if key.lower().lstrip("+-") in _NOT_FINITE:
        return Parsed(problem="not-finite", shown=shown)
    if key.lower() in NOT_APPLICABLE:
        return Parsed(problem="not-applicable", shown=shown)
    sign, body = _split_sign_word(key)
    number = _decimal(body)
    if number is not None:
        return _check_kind(number * sign, kind, shown)
    meant = _meant_number(body)
    if meant is not None:
        if kind == "money" and body.endswith("元") and not body.endswith("万元"):
            meant = (
                meant / 10000
            )  # "73802895.90元" in a 万元 cell is 7380.28959 万元, not 73802895.90
        return Parsed(problem="words", shown=shown, hint=_as_number(meant * sign, kind))
    return Parsed(problem="not-number", shown=shown)


def _split_sign_word(key: str) -> tuple[int, str]:
    for word, sign in _SIGN_WORDS:
        if key.startswith(word) and len(key) > len(word):
            return sign, key[len(word) :]
    return 1, key


def _decimal(text: str) -> Decimal | None:
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    if not _PLAIN.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        return None


def _meant_number(body: str) -> Decimal | None:
    """The number behind "12件", "两件", "十二" — never accepted, only offered as a hint."""
    stripped = _UNIT_SUFFIX.sub("", body)
    if stripped != body and (number := _decimal(stripped)) is not None:
        return number
    value = chinese_numeral(stripped)
    return Decimal(value) if value is not None else None


def _as_number(value: Decimal, kind: str) -> Number:
    if kind != "money" and value == value.to_integral_value():
        return int(value)
    if value == value.to_integral_value():
        return Decimal(int(value))
    return Decimal(format(value, "f"))


def _check_kind(value: Decimal, kind: str, shown: str) -> Parsed:
    integral = value == value.to_integral_value()
    if kind != "money" and not integral:
        return Parsed(problem="decimal", shown=shown)
    if kind != "signed" and value < 0:
        return Parsed(problem="negative", shown=shown)
    if abs(value) > _MAXIMUM.get(kind, COUNT_MAX):
        return Parsed(problem="out-of-range", shown=shown)
    if kind == "money" and value.normalize().as_tuple().exponent < -MONEY_PLACES:  # type: ignore[operator]
        hint = _as_number(value.quantize(Decimal(1).scaleb(-MONEY_PLACES)), kind)
        return Parsed(problem="too-many-places", shown=shown, hint=hint)
    return Parsed(value=_as_number(value, kind), shown=shown)


_MAXIMUM: dict[str, Decimal | int] = {"count": COUNT_MAX, "signed": SIGNED_MAX, "money": MONEY_MAX}


def range_text(kind: str) -> str:
    """The plausible range of a number cell of ``kind``, in words (messages, docs)."""
    if kind == "money":
        return f"金额应在 0 至 {MONEY_MAX:,} 之间"
    if kind == "signed":
        return f"本年增/减应为 -{SIGNED_MAX:,} 至 {SIGNED_MAX:,} 之间的整数"
    return f"数量应为 0 至 {COUNT_MAX:,} 之间的整数"


def zero_of(kind: str) -> Number:
    return Decimal(0) if kind == "money" else 0


# -- messages ----------------------------------------------------------------------------------

_WRITE_ZERO = "没有数据请填 0，不要留空或填“/”“无”。"
_KIND_WORDS = {"count": "数量", "signed": "本年增/减", "money": "金额"}


def r5_message(label: str, cell: str, parsed: Parsed, kind: str, *, as_warning: bool) -> str:
    """The plain-Chinese R5 message for a number cell that is not a valid number."""
    where = f"{label}（{cell}）"
    shown = f"填写了“{parsed.shown}”"
    problem = parsed.problem
    if problem in BLANK_LIKE:
        what = "未填写" if problem == "blank" else shown
        if as_warning:
            return f"{where}{what}，已按 0 计。今后{_WRITE_ZERO}"
        return f"{where}{what}。{_WRITE_ZERO}"
    if problem == "not-applicable":
        return f"{where}{shown}。本表各项都要填数字，没有发生的请填 0。"
    if problem == "words":
        hint = f"，如 {parsed.hint}" if parsed.hint is not None else ""
        if kind == "money" and parsed.shown.endswith("元") and not parsed.shown.endswith("万元"):
            hint = f"（本格单位为万元：按元填写的金额除以 10000{hint}）"
        return f"{where}{shown}。请只填阿拉伯数字{hint}，不要写汉字或单位。"
    if problem == "decimal":
        return f"{where}{shown}，{_KIND_WORDS.get(kind, '数量')}应为整数。请改为整数。"
    if problem == "negative":
        noun = "金额" if kind == "money" else "数量"
        return f"{where}{shown}，{noun}不能为负数。请核对后填写 0 或正数。"
    if problem == "boolean":
        return f"{where}填写了逻辑值“{parsed.shown}”，不是数字。请填写数字，没有数据请填 0。"
    if problem == "error-value":
        return f"{where}显示错误值“{parsed.shown}”。请改为直接填写数字。"
    if problem == "not-finite":
        return f"{where}不是有效的数字（{parsed.shown}）。请填写数字。"
    if problem == "out-of-range":
        return (
            f"{where}{shown}，超出合理范围（{range_text(kind)}）。"
            "请核对是否多输了位数或填错了格，改为实际数字。"
        )
    if problem == "too-many-places":
        return (
            f"{where}{shown}，小数位数过多（金额最多保留 {MONEY_PLACES} 位小数）。"
            f"请四舍五入后填写，如 {parsed.hint}。"
        )
    return f"{where}{shown}，不是数字。请填写数字，没有数据请填 0。"


def text_number_message(label: str, cell: str, parsed: Parsed) -> str:
    """R5 提示 for a number typed as text (“１０”, or “10” in a text-formatted cell): counted as typed."""
    return (
        f"{label}（{cell}）填写的是文本“{parsed.shown}”，已按 {parsed.value} 计入；"
        "请改为半角数字（数字格式），否则表内合计和自检不会计入该数。"
    )


# -- dates, years, texts -----------------------------------------------------------------------

_DATE_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_DATE_CN = re.compile(
    r"([〇零一二三四五六七八九○Ｏ]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日?"
)


def parse_date(raw: object, *, date1904: bool = False) -> str | None:
    """An ISO date ``YYYY-MM-DD`` from an Excel serial, a date object or a text; None if not a date."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, (int, float, Decimal)):
        return _serial_date(raw, date1904)
    key = _normalized(str(raw))
    if (number := _decimal(key)) is not None:
        return _serial_date(number, date1904)
    match = _DATE_TEXT.fullmatch(key) or _DATE_TEXT.match(key)
    parts = match.groups() if match else None
    if parts is None and (cn := _DATE_CN.fullmatch(key)):
        parts = tuple(str(chinese_numeral(p)) for p in cn.groups())
    if parts is None:
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
    except ValueError:
        return None


def _serial_date(serial: float | Decimal | int, date1904: bool) -> str | None:
    try:
        days = int(serial)
    except (ValueError, OverflowError, InvalidOperation):
        return None
    if not 1 <= days <= 2958465:  # 1900-01-01 … 9999-12-31
        return None
    return ((_EXCEL_EPOCH_1904 if date1904 else _EXCEL_EPOCH) + timedelta(days=days)).isoformat()


def parse_year(raw: object) -> str:
    """ "2025", 2025, "２０２５年", "2025年度" → "2025"; anything else → its text, trimmed."""
    if isinstance(raw, bool) or raw is None:
        return ""
    if isinstance(raw, (int, float, Decimal)):
        return str(int(raw)) if _integral(raw) else str(raw)
    key = _normalized(str(raw))
    match = re.fullmatch(r"(\d{4})(年度?)?", key)
    if match:
        return match.group(1)
    cn = re.fullmatch(r"([〇零一二三四五六七八九○Ｏ]{4})(年度?)?", key)
    if cn:
        return str(chinese_numeral(cn.group(1)))
    return str(raw).strip()


def as_text(raw: object) -> str:
    """A text cell as a string: numbers without a trailing ".0", booleans and blanks as ""."""
    if raw is None or isinstance(raw, bool):
        return ""
    if isinstance(raw, float):
        return _show_float(raw) if math.isfinite(raw) else ""
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def _integral(value: float | Decimal | int) -> bool:
    try:
        return value == int(value)
    except (ValueError, OverflowError, InvalidOperation):
        return False
