"""Rules that read the department's own words: numbers and phrases in the narrative, and copied text.

R6 (a number stated in the text equals the table), R9 (fees), R10 (复议诉讼 wording) and R13 (内容雷同).
Pure: no file, clock or third-party I/O. Each rule returns findings; the caller supplies the computed
table values, the cells and the texts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from workflow.domain.findings import Finding, Severity
from workflow.formats.spec import Column, Format, Row

Number = int | Decimal

# Column ids of part 四 and field ids of the gov2021 fee facts (the public contract, §3 of the reference).
UPHELD = "upheld"
REVIEW_GROUP = "review"
FEE_NOTICE_COUNT = "fee_notice_count"
FEE_COLLECTED = "fee_collected_yuan"
NO_FEE_ROW = "other_no_fee"
NEW_ROW = "new"
CARRIED_ROW = "carried"
OVERVIEW_COUNT = "overview_active_count"

# Texts compared for 内容雷同, and how alike two texts may be before they count as copied.
SIMILAR_TEXTS = (
    "text_problems",
    "text_active",
    "text_request",
    "text_management",
    "text_platform",
    "text_supervision",
)
SIMILARITY = 0.9
SIMILAR_MIN_CHARS = 40
SIMILAR_MAX_CHARS = 4000

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUM = r"[0-9０-９]+|[零〇一二两三四五六七八九十百千万]+"
_APPLY_RE = re.compile(
    r"(?:收到|受理|新收|接收|接到)(?P<between>[^。；;，,！!？?\n0-9０-９零〇一二两三四五六七八九十百千万]{0,24}?)"
    rf"(?P<n>{_NUM})\s*(?:件|宗|个)"
)
_ACTIVE_RE = re.compile(
    r"主动公开(?P<between>[^。；;，,！!？?\n0-9０-９]{0,16}?)(?P<n>[0-9０-９]+)\s*条"
)
_CASES_RE = re.compile(
    r"(?P<kind>行政复议|行政诉讼)(?P<between>[^。；;，,、！!？?\n0-9０-９零〇一二两三四五六七八九十百千万]{0,8}?)"
    rf"(?P<n>{_NUM})\s*(?:件|起)"
)
_NOT_THIS_YEAR = ("上年", "去年", "结转", "累计", "后")
_ALL_UPHELD_RE = re.compile(r"(?:均|全部|都)(?:获|被|予以)?维持")
_NONE_RE = re.compile(
    r"(?:未发生|没有发生|未出现|没有出现|未收到|没有收到|未有)[^。；;，,\n]{0,30}"
)


def parse_number(text: str) -> int | None:
    """``"12"``, ``"１２"``, ``"两"``, ``"十二"``, ``"一百零五"`` → int; anything else → None."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def stated_applications(text: str) -> list[tuple[int, str]]:
    """Numbers of applications received the text states: ``[(n, matched phrase)]``."""
    out = []
    for m in _APPLY_RE.finditer(text):
        between = m.group("between")
        if "申请" not in m.group(0) or "结转" in between or "其中" in between:
            continue
        n = parse_number(m.group("n"))
        if n is not None:
            out.append((n, m.group(0)))
    return out


def stated_active(text: str) -> list[tuple[int, str]]:
    """Numbers of items published on the unit's own initiative the text states (…主动公开…N条)."""
    out = []
    for m in _ACTIVE_RE.finditer(text):
        if "累计" in m.group("between"):
            continue
        n = parse_number(m.group("n"))
        if n is not None:
            out.append((n, m.group(0)))
    return out


def stated_cases(text: str) -> list[tuple[str, int, str]]:
    """Counts of cases the text states: ``[(kind, n, phrase)]``, kind 行政复议, 行政诉讼, or
    行政复议、行政诉讼 for a combined count ("行政复议、行政诉讼案件2件")."""
    out = []
    for m in _CASES_RE.finditer(text):
        before = text[max(0, m.start() - 6) : m.start()]
        if any(word in before + m.group("between") for word in _NOT_THIS_YEAR):
            continue
        if "各" in m.group("between"):
            continue  # "…案件各1件": a count per kind, not comparable to one total
        kind = m.group("kind")
        if kind == "行政诉讼" and "复议" in before:
            kind = "行政复议、行政诉讼"
        n = parse_number(m.group("n"))
        if n is not None:
            out.append((kind, n, m.group(0)))
    return out


def _cells(cells: Mapping[str, str], fields: Iterable[str]) -> tuple[str, ...]:
    return tuple(c for f in fields if isinstance(c := cells.get(f), str) and c)


def _num(value: Number) -> str:
    return str(value) if isinstance(value, int) else format(value.normalize(), "f")


def _finding(
    rule: str,
    severity: Severity,
    message: str,
    fields: Iterable[str],
    cells: Mapping[str, str],
    expected: object = None,
    actual: object = None,
) -> Finding:
    fields = tuple(fields)
    return Finding(rule, severity, message, fields, _cells(cells, fields), expected, actual)


EXPECTED_SECTIONS = (
    "text_active",
    "text_request",
    "text_management",
    "text_platform",
    "text_supervision",
    "text_problems",
)  # 一's five parts and 五; 六 (其他需要报告的事项) may be empty


def check_missing_sections(
    spec: Format, texts: Mapping[str, str], cells: Mapping[str, str]
) -> list[Finding]:
    """narrative-missing: sections of the report's text left blank (one 提示 naming them all)."""
    empty = [
        fid
        for fid in EXPECTED_SECTIONS
        if fid in spec.fields and fid in cells and not str(texts.get(fid, "")).strip()
    ]
    if not empty:
        return []
    names = "、".join(f"「{spec.fields[fid].label}」" for fid in empty)
    return [
        _finding(
            "narrative-missing",
            Severity.WARNING,
            f"年度报告正文以下部分未填写：{names}，生成的报告中将为空。请补填。",
            empty,
            cells,
        )
    ]


def check_stated_numbers(
    spec: Format, totals: Mapping[str, Number], texts: Mapping[str, str], cells: Mapping[str, str]
) -> list[Finding]:
    """R6: 收到申请 N 件 equals 本年新收 (or 新收 + 上年结转); 主动公开…N条 equals the overview count."""
    findings = []
    new_id = spec.apply.field_id(_row(spec, NEW_ROW), _total_column(spec))
    carried_id = spec.apply.field_id(_row(spec, CARRIED_ROW), _total_column(spec))
    new, carried = totals.get(new_id, 0), totals.get(carried_id, 0)
    for n, phrase in stated_applications(texts.get("text_request", "")):
        if n not in (new, new + carried):
            label = spec.fields[new_id].label
            findings.append(
                _finding(
                    "R6",
                    Severity.ERROR,
                    f"正文写「{phrase}」，但{label}为 {_num(new)}。请使正文与表三一致（正文中的件数应等于表中数字）。",
                    ("text_request", new_id),
                    cells,
                    new,
                    n,
                )
            )
    findings += _check_stated_cases(spec, totals, texts, cells)
    if OVERVIEW_COUNT in spec.fields and OVERVIEW_COUNT in totals:
        count = totals[OVERVIEW_COUNT]
        for n, phrase in stated_active(texts.get("text_active", "")):
            if n != count:
                label = spec.fields[OVERVIEW_COUNT].label
                findings.append(
                    _finding(
                        "R6",
                        Severity.ERROR,
                        f"正文写「{phrase}」，但基本信息中「{label}」填写为 {_num(count)}。请使两处一致。",
                        ("text_active", OVERVIEW_COUNT),
                        cells,
                        count,
                        n,
                    )
                )
    return findings


def _case_totals(spec: Format, kind: str) -> list[str]:
    """The part 四 总计 cells a phrase about 行政复议 or 行政诉讼 refers to."""
    grid = spec.review
    total_col = next(c for c in grid.columns if c.computed)
    groups = [
        r
        for r in grid.rows
        if ("复议" in kind and r.id == REVIEW_GROUP) or ("诉讼" in kind and r.id != REVIEW_GROUP)
    ]
    return [grid.field_id(r, total_col) for r in groups]


def _check_stated_cases(
    spec: Format, totals: Mapping[str, Number], texts: Mapping[str, str], cells: Mapping[str, str]
) -> list[Finding]:
    """R6: "行政复议 N 件" / "行政诉讼 N 件" in the narrative equals the part 四 总计."""
    findings = []
    for text_id, text in texts.items():
        if not text_id.startswith("text_") or text_id == "text_problems":
            continue
        for kind, n, phrase in stated_cases(text):
            ids = _case_totals(spec, kind)
            count = sum(totals.get(f, 0) for f in ids)
            if n != count:
                findings.append(
                    _finding(
                        "R6",
                        Severity.ERROR,
                        f"正文写「{phrase}」，但表四中{kind}案件总计为 {_num(count)}。请使正文与表四一致。",
                        (text_id, *ids),
                        cells,
                        count,
                        n,
                    )
                )
    return findings


def _row(spec: Format, row_id: str) -> Row:
    return next(r for r in spec.apply.rows if r.id == row_id)


def _total_column(spec: Format) -> Column:
    return next(c for c in spec.apply.columns if c.computed)


def check_fees(
    spec: Format, totals: Mapping[str, Number], texts: Mapping[str, str], cells: Mapping[str, str]
) -> list[Finding]:
    """R9: 逾期未缴费 cases need 收费通知; fees collected must be reported in 六."""
    if FEE_NOTICE_COUNT not in spec.fields or not any(r.id == NO_FEE_ROW for r in spec.apply.rows):
        return []
    findings = []
    no_fee = spec.apply.field_id(_row(spec, NO_FEE_ROW), _total_column(spec))
    notices = totals.get(FEE_NOTICE_COUNT, 0)
    if totals.get(no_fee, 0) > 0 and notices == 0:
        findings.append(
            _finding(
                "R9",
                Severity.ERROR,
                f"{spec.fields[no_fee].label}为 {_num(totals[no_fee])}，说明发出过收费通知，但基本信息中"
                f"「{spec.fields[FEE_NOTICE_COUNT].label}」为 0。请补填收费通知件数，或核对表三该行。",
                (no_fee, FEE_NOTICE_COUNT),
                cells,
                None,
                0,
            )
        )
    collected = totals.get(FEE_COLLECTED, 0)
    other = texts.get("text_other", "")
    if collected > 0 and "费" not in other:
        findings.append(
            _finding(
                "R9",
                Severity.WARNING,
                f"基本信息中「{spec.fields[FEE_COLLECTED].label}」为 {_num(collected)} 元，但“六、其他需要报告的事项”"
                "未说明信息处理费的收取情况。请在第六部分写明收费通知件数、金额和实际收取金额。",
                (FEE_COLLECTED, "text_other"),
                cells,
                None,
                _num(collected),
            )
        )
    return findings


def check_review_wording(
    spec: Format, totals: Mapping[str, Number], texts: Mapping[str, str], cells: Mapping[str, str]
) -> list[Finding]:
    """R10: "均获维持" only when nothing was corrected or is pending; "未发生复议/诉讼" only when there was none."""
    grid = spec.review
    total_col = next(c for c in grid.columns if c.computed)
    not_upheld = [
        grid.field_id(r, c)
        for r in grid.rows
        for c in grid.columns
        if not c.computed and c.id != UPHELD
    ]
    findings = []
    for text_id, text in texts.items():
        if not text_id.startswith("text_") or not isinstance(text, str):
            continue
        m = _ALL_UPHELD_RE.search(text)
        nonzero = [f for f in not_upheld if totals.get(f, 0) > 0]
        if m and nonzero:
            parts = "、".join(f"{spec.fields[f].label} {_num(totals[f])}" for f in nonzero)
            findings.append(
                _finding(
                    "R10",
                    Severity.ERROR,
                    f"正文写「{m.group(0)}」，但表四中{parts}。请修改正文措辞，或核对表四。",
                    (text_id, *nonzero),
                    cells,
                    0,
                    sum(totals[f] for f in nonzero),
                )
            )
        for m in _NONE_RE.finditer(text):
            clause = m.group(0)
            groups = [
                r
                for r in grid.rows
                if ("复议" in clause and r.id == REVIEW_GROUP)
                or ("诉讼" in clause and r.id != REVIEW_GROUP)
            ]
            ids = [grid.field_id(r, total_col) for r in groups]
            count = sum(totals.get(f, 0) for f in ids)
            if count > 0:
                findings.append(
                    _finding(
                        "R10",
                        Severity.ERROR,
                        f"正文写「{clause}」，但表四中相关案件总计为 {_num(count)}。请修改正文措辞，或核对表四。",
                        (text_id, *ids),
                        cells,
                        0,
                        count,
                    )
                )
    return findings


def _normalized(text: str) -> str:
    return "".join(text.split())[:SIMILAR_MAX_CHARS]


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0–1, ignoring whitespace."""
    a, b = _normalized(a), _normalized(b)
    if not a or not b:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < SIMILARITY or matcher.quick_ratio() < SIMILARITY:
        return matcher.quick_ratio()
    return matcher.ratio()


def check_copied_text(
    spec: Format,
    texts: Mapping[str, str],
    cells: Mapping[str, str],
    others: Mapping[str, Mapping[str, str]],
) -> list[Finding]:
    """R13: a narrative identical or nearly identical to another text (last year's, another unit's).

    ``others`` maps a description of the other source (e.g. "上年报告", "单位X的报告") to its texts.
    """
    findings = []
    for text_id in SIMILAR_TEXTS:
        text = texts.get(text_id, "")
        if text_id not in spec.fields or not isinstance(text, str):
            continue
        if len(_normalized(text)) < SIMILAR_MIN_CHARS:
            continue
        for source, other_texts in others.items():
            other = other_texts.get(text_id, "") if isinstance(other_texts, Mapping) else ""
            if not isinstance(other, str):
                continue
            ratio = similarity(text, other)
            if ratio >= SIMILARITY:
                label = spec.fields[text_id].label
                same = (
                    "完全相同" if _normalized(text) == _normalized(other) else f"相似度 {ratio:.0%}"
                )
                findings.append(
                    _finding(
                        "R13",
                        Severity.WARNING,
                        f"「{label}」与{source}的同一部分{same}（内容雷同）。请结合本年度实际情况重新撰写。",
                        (text_id,),
                        cells,
                        None,
                        f"{ratio:.2f}",
                    )
                )
                break
    return findings
