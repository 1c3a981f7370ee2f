"""Rules that read the department's own words: numbers and phrases in the narrative, and copied text.

R6 (a number stated in the text equals the table), R9 (fees), R10 (复议诉讼 wording) and R13 (内容雷同).
Pure: no file, clock or third-party I/O. Each rule returns findings; the caller supplies the computed
table values, the cells and the texts.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Iterator, Mapping

from workflow.domain.findings import Finding, Severity
from workflow.domain.numbers import plain_number
from workflow.domain.submission import Number
from workflow.formats.spec import Column, Format, Row
from workflow.rules.stated import (
    ALL_UPHELD_RE,
    NONE_RE,
    stated_active,
    stated_applications,
    stated_cases,
    stated_in_force,
)

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


def _cells(cells: Mapping[str, str], fields: Iterable[str]) -> tuple[str, ...]:
    return tuple(c for f in fields if isinstance(c := cells.get(f), str) and c)


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
                    f"正文写「{phrase}」，但{label}为 {plain_number(new)}。请使正文与表三一致（正文中的件数应等于表中数字）。",
                    ("text_request", new_id),
                    cells,
                    new,
                    n,
                )
            )
    findings += _check_stated_cases(spec, totals, texts, cells)
    findings += _check_stated_in_force(spec, totals, texts, cells)
    if OVERVIEW_COUNT in spec.fields and OVERVIEW_COUNT in totals:
        count = totals[OVERVIEW_COUNT]
        for n, phrase in stated_active(texts.get("text_active", "")):
            if n != count:
                label = spec.fields[OVERVIEW_COUNT].label
                findings.append(
                    _finding(
                        "R6",
                        Severity.ERROR,
                        f"正文写「{phrase}」，但基本信息中「{label}」填写为 {plain_number(count)}。请使两处一致。",
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


def _stating_texts(texts: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """The report sections whose numbers R6 compares with the tables (五、存在的主要问题 speaks of
    plans, not of this year's counts)."""
    for text_id, text in texts.items():
        if text_id.startswith("text_") and text_id != "text_problems":
            yield text_id, text


def _check_stated_cases(
    spec: Format, totals: Mapping[str, Number], texts: Mapping[str, str], cells: Mapping[str, str]
) -> list[Finding]:
    """R6: "行政复议 N 件" / "行政诉讼 N 件" in the narrative equals the part 四 总计."""
    findings = []
    for text_id, text in _stating_texts(texts):
        for kind, n, phrase in stated_cases(text):
            ids = _case_totals(spec, kind)
            count = sum(totals.get(f, 0) for f in ids)
            if n != count:
                findings.append(
                    _finding(
                        "R6",
                        Severity.ERROR,
                        f"正文写「{phrase}」，但表四中{kind}案件总计为 {plain_number(count)}。请使正文与表四一致。",
                        (text_id, *ids),
                        cells,
                        count,
                        n,
                    )
                )
    return findings


def _check_stated_in_force(
    spec: Format, totals: Mapping[str, Number], texts: Mapping[str, str], cells: Mapping[str, str]
) -> list[Finding]:
    """R6 for part 二: "现行有效规范性文件393件" in the text equals the table's 现行有效件数."""
    findings = []
    for text_id, text in _stating_texts(texts):
        for row_id, n, phrase in stated_in_force(text):
            block = next((b for b in spec.blocks if any(r.id == row_id for r in b.rows)), None)
            column = next((c for c in block.columns if c.stock), None) if block else None
            if block is None or column is None:
                continue
            fid = block.field_id(next(r for r in block.rows if r.id == row_id), column)
            count = totals.get(fid, 0)
            if n != count:
                findings.append(
                    _finding(
                        "R6",
                        Severity.ERROR,
                        f"正文写「{phrase}」，但{spec.fields[fid].label}为 {plain_number(count)}。"
                        "请使正文与表二一致。",
                        (text_id, fid),
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
    spec: Format,
    totals: Mapping[str, Number],
    texts: Mapping[str, str],
    cells: Mapping[str, str],
    given: Collection[str] | None = None,
) -> list[Finding]:
    """R9: 逾期未缴费 cases need 收费通知; fees collected must be reported in 六.

    ``given`` names the fields the file actually gives (None: all, as in a template). A published
    report does not print the number of 收费通知: then R9 is only a 提示, and none when the report
    states the fees it collected."""
    if FEE_NOTICE_COUNT not in spec.fields or not any(r.id == NO_FEE_ROW for r in spec.apply.rows):
        return []
    findings = []
    no_fee = spec.apply.field_id(_row(spec, NO_FEE_ROW), _total_column(spec))
    notices = totals.get(FEE_NOTICE_COUNT, 0)
    if given is not None and FEE_NOTICE_COUNT not in given and totals.get(no_fee, 0) > 0:
        if FEE_COLLECTED not in given:
            findings.append(
                _finding(
                    "R9",
                    Severity.WARNING,
                    f"{spec.fields[no_fee].label}为 {plain_number(totals[no_fee])}，说明发出过收费通知，但报告"
                    "未写明收费通知件数和收费金额。请在“六、其他需要报告的事项”中说明信息处理费收取情况。",
                    (no_fee,),
                    cells,
                    None,
                    None,
                )
            )
    elif totals.get(no_fee, 0) > 0 and notices == 0:
        findings.append(
            _finding(
                "R9",
                Severity.ERROR,
                f"{spec.fields[no_fee].label}为 {plain_number(totals[no_fee])}，说明发出过收费通知，但基本信息中"
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
                f"基本信息中「{spec.fields[FEE_COLLECTED].label}」为 {plain_number(collected)} 元，但“六、其他需要报告的事项”"
                "未说明信息处理费的收取情况。请在第六部分写明收费通知件数、金额和实际收取金额。",
                (FEE_COLLECTED, "text_other"),
                cells,
                None,
                plain_number(collected),
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
        m = ALL_UPHELD_RE.search(text)
        nonzero = [f for f in not_upheld if totals.get(f, 0) > 0]
        if m and nonzero:
            parts = "、".join(f"{spec.fields[f].label} {plain_number(totals[f])}" for f in nonzero)
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
        for m in NONE_RE.finditer(text):
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
                        f"正文写「{clause}」，但表四中相关案件总计为 {plain_number(count)}。请修改正文措辞，或核对表四。",
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
