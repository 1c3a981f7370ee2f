"""Sentences a report generates from its table numbers, worded as published reports word them (pure).

Every sentence that states a number is written from the table values, never taken from typed text,
so a report's text and tables cannot disagree (R6 by construction). Zero counts are not listed as
"0件": a zero reads "未制发…"/"无…", and a group whose counts are all zero folds into one clause
("未作出行政许可、行政处罚决定"). A fact the clerk's own text of the same part already states (the
numbers read with rules/narrative's reader, which R6 has compared with the table) is not said again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from workflow.formats.spec import Format
from workflow.report.text import Number, number_text, percent
from workflow.rules.stated import stated_active, stated_applications

ACTIVE, REQUEST, OTHER = "text_active", "text_request", "text_other"


def _v(values: Mapping[str, Number], field_id: str) -> Number:
    return values.get(field_id, 0) or 0


def result_groups(spec: Format) -> list[tuple[str, list[str]]]:
    """The 办理结果 of part 三 as (short name, [row ids]): 予以公开, 部分公开, 不予公开 …"""
    groups: dict[str, list[str]] = {}
    for row in spec.apply.rows:
        if row.result:
            groups.setdefault(row.result_name, []).append(row.id)
    return list(groups.items())


def _any(values: Mapping[str, Number], prefix: str) -> bool:
    return any(value for key, value in values.items() if key.startswith(prefix))


def _join(words: Sequence[str]) -> str:
    """ "a" / "a和b" / "a、b和c"."""
    return words[0] if len(words) == 1 else "、".join(words[:-1]) + "和" + words[-1]


def _documents(v: Mapping[str, Number], row: str, name: str, stock: str) -> str | None:
    """One clause on 规章 or 规范性文件 (gov2021: 制发/废止/现行有效, gov2019: 新制作/新公开/总数)."""
    for columns, verbs, total in (
        (("issued", "repealed", "in_force"), ("制发", "废止"), "现行有效"),
        (("made", "published", "total"), ("新制作", "新公开"), "对外公开总数"),
    ):
        if f"active_{row}_{columns[0]}" in v:
            counts = [_v(v, f"active_{row}_{c}") for c in columns]
            return _counted(
                name, list(zip(verbs, counts[:2], strict=True)), total + stock, counts[2]
            )
    return None


def _counted(name: str, flows: list[tuple[str, Number]], stock: str, held: Number) -> str:
    """ "制发规范性文件3件，未废止，现行有效12件" / "未制发、废止规范性文件" (zeros as 未…)."""
    zero = [verb for verb, n in flows if not n]
    if len(zero) == len(flows):
        first = f"未{'、'.join(zero)}{name}"
        return first + (f"，{stock}{held}件" if held else "")
    parts, named = [], False
    for verb, n in flows:
        if n:
            parts.append(f"{verb}{'' if named else name}{n}件")
        else:
            parts.append(f"未{verb}{'' if named else name}")
        named = True
    if held:
        parts.append(f"{stock}{held}件")
    return "，".join(parts)


_DECISIONS = (
    ("license", "行政许可"),
    ("service", "其他对外管理服务事项处理"),
    ("penalty", "行政处罚"),
    ("coercion", "行政强制"),
)


def _decisions(v: Mapping[str, Number]) -> list[str]:
    present = [(row, label) for row, label in _DECISIONS if f"active_{row}_decisions" in v]
    made = [
        f"{label}决定{_v(v, f'active_{row}_decisions')}件"
        for row, label in present
        if _v(v, f"active_{row}_decisions")
    ]
    zero = [label for row, label in present if not _v(v, f"active_{row}_decisions")]
    out = ["作出" + "、".join(made)] if made else []
    if zero:
        out.append(f"未作出{_join(zero)}决定")
    return out


def active_sentences(
    spec: Format,
    values: Mapping[str, Number],
    year: int,
    subject: str,
    own: str = "",
) -> list[str]:
    """一（一）: 主动公开 count (unless ``own``, the clerk's text, states it), documents, decisions."""
    v = values
    clauses = []
    count = _v(v, "overview_active_count")
    stated = {n for n, _ in stated_active(own)}
    if "overview_active_count" in v and count not in stated:
        clauses.append(f"主动公开政府信息{count}条" if count else "未主动公开政府信息")
    stock = "（各单位合计）" if subject.startswith("全") else ""
    documents = []
    for row, name in (("rules", "规章"), ("normative", "规范性文件")):
        if row != "rules" or _any(v, f"active_{row}_"):
            clause = _documents(v, row, name, stock)
            if clause:
                documents.append((name, clause))
    if len(documents) == 2 and all(c.startswith("未") and "，" not in c for _, c in documents):
        verbs = documents[0][1].removesuffix(documents[0][0])
        documents = [("", f"{verbs}规章和规范性文件")]
    clauses += [clause for _, clause in documents]
    clauses += _decisions(v)
    if _v(v, "active_fee_amount"):
        clauses.append(f"收取行政事业性收费{number_text(v['active_fee_amount'], 'money')}万元")
    if _v(v, "active_procurement_projects") or _v(v, "active_procurement_amount"):
        clauses.append(
            f"政府集中采购项目{_v(v, 'active_procurement_projects')}个、总金额"
            f"{number_text(_v(v, 'active_procurement_amount'), 'money')}万元"
        )
    return [f"{year}年，{subject}" + "；".join(clauses) + "。"] if clauses else []


def request_sentences(
    spec: Format,
    values: Mapping[str, Number],
    year: int,
    subject: str,
    previous: Mapping[str, Number] | None = None,
) -> list[str]:
    """一（二）: applications received, carried over, results (non-zero groups), carried forward."""
    v = values
    new, carried = _v(v, "apply_new_total"), _v(v, "apply_carried_total")
    if not new and not carried:
        return [f"{year}年度，{subject}未收到政府信息公开申请。"]
    yoy = _change(new, previous.get("apply_new_total")) if previous else ""
    done = _v(v, "apply_total_total")
    results = []
    for name, rows in result_groups(spec):
        count = sum(_v(v, f"apply_{r}_total") for r in rows)
        share = percent(count, done) if name == "予以公开" and count else None
        if count:
            results.append(f"{name}{count}件" + (f"（占{share}）" if share else ""))
    received = f"共收到政府信息公开申请{new}件{yoy}" if new else "未收到新的政府信息公开申请"
    before = f"上年结转{carried}件" if carried else "无上年结转申请"
    finished = f"本年度办理完结{done}件" + ("，其中" + "、".join(results) if results else "")
    if not done:
        finished = "本年度无办理完结的申请"
    rest = _v(v, "apply_carry_over_total")
    after = f"结转下年度继续办理{rest}件" if rest else "无结转下年度继续办理的申请"
    return [f"{year}年度，{subject}{received}，{before}；{finished}；{after}。"]


def _change(now: Number, before: Number | None) -> str:
    if before is None:
        return ""
    if not before:
        return "（上年未收到申请）" if now else "，与上年持平"
    if now == before:
        return "，与上年持平"
    word = "增长" if now > before else "下降"
    return f"，同比{word}{percent(abs(Decimal(now) - Decimal(before)), before)}"


_OUTCOMES = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
)


def _outcomes(v: Mapping[str, Number], prefix: str) -> str:
    listed = [f"{label}{_v(v, prefix + c)}件" for c, label in _OUTCOMES if _v(v, prefix + c)]
    return f"（{'、'.join(listed)}）" if listed else ""


def review_sentences(values: Mapping[str, Number], year: int, subject: str) -> list[str]:
    """四: reviews and lawsuits, each with its non-zero outcomes."""
    v = values
    review = _v(v, "review_total")
    direct, after = _v(v, "suit_direct_total"), _v(v, "suit_after_review_total")
    if not review and not direct + after:
        return [f"{year}年度，{subject}未发生因政府信息公开被申请行政复议、提起行政诉讼的情况。"]
    parts = [
        f"因政府信息公开被申请行政复议{review}件{_outcomes(v, 'review_')}"
        if review
        else "未发生因政府信息公开被申请行政复议的情况"
    ]
    if direct + after:
        kinds = [
            f"{label}{n}件{_outcomes(v, prefix)}"
            for label, n, prefix in (
                ("未经复议直接起诉", direct, "suit_direct_"),
                ("复议后起诉", after, "suit_after_review_"),
            )
            if n
        ]
        parts.append(f"被提起行政诉讼{direct + after}件，其中" + "、".join(kinds))
    else:
        parts.append("未被提起行政诉讼")
    return [f"{year}年度，{subject}" + "；".join(parts) + "。"]


def fee_sentences(
    values: Mapping[str, Number], year: int, subject: str, own: str = ""
) -> list[str]:
    """gov2021 信息处理费 facts for part 六 (none when the format has no such fields, or when
    ``own``, the clerk's text of 六, already speaks of the fee with the same numbers)."""
    if "fee_notice_count" not in values:
        return []
    n = _v(values, "fee_notice_count")
    asked, got = _v(values, "fee_notice_amount_yuan"), _v(values, "fee_collected_yuan")
    if _states_fee(own, [x for x in (n, asked, got) if x]):
        return []
    if not n and not got:
        return [f"{year}年度，{subject}未发出收费通知，未收取信息处理费。"]
    return [
        f"{year}年度，{subject}发出收费通知{n}件，总金额{number_text(asked, 'money')}元；"
        + (
            f"实际收取信息处理费{number_text(got, 'money')}元。"
            if got
            else "未实际收取信息处理费。"
        )
    ]


_FEE_WORDS = ("收费通知", "信息处理费")
_DIGITS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def _states_fee(text: str, numbers: Sequence[Number]) -> bool:
    """The clerk's text speaks of the fee and states every non-zero fee number."""
    if not any(word in text for word in _FEE_WORDS):
        return False
    said = {Decimal(m) for m in _DIGITS.findall(text.replace(",", ""))}
    return all(Decimal(x) in said for x in numbers)


def after_own_text(values: Mapping[str, Number], texts: Mapping[str, str]) -> frozenset[str]:
    """Parts whose generated sentences follow the clerk's text instead of leading it: 一（一） when
    the clerk's text opens with the 主动公开 count (the generated sentence adds the details)."""
    count = values.get("overview_active_count")
    stated = {n for n, _ in stated_active(texts.get(ACTIVE) or "")}
    return frozenset({ACTIVE}) if count is not None and count in stated else frozenset()


def generated_sentences(
    spec: Format,
    values: Mapping[str, Number],
    texts: Mapping[str, str],
    year: int,
    subject: str,
    previous: Mapping[str, Number] | None = None,
) -> dict[str, list[str]]:
    """The generated sentences of 一（一）, 一（二） and 六, without what ``texts`` already state."""
    request = request_sentences(spec, values, year, subject, previous)
    new = _v(values, "apply_new_total")
    if new and any(n == new for n, _ in stated_applications(texts.get(REQUEST) or "")):
        request = []  # the clerk's own text states the count R6 compared with the table
    return {
        ACTIVE: active_sentences(spec, values, year, subject, texts.get(ACTIVE) or ""),
        REQUEST: request,
        OTHER: fee_sentences(values, year, subject, texts.get(OTHER) or ""),
    }
