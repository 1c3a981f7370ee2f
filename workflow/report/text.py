"""The words of the reports: sentences generated from the numbers, and the template contexts (pure).

Every sentence that states a number is written here from the table values, never taken from typed
text, so a report's text and tables cannot disagree (R6 by construction). Submitted text is cleaned
of XML-illegal control characters and split into paragraphs; escaping is the renderer's job.

Empty narrative policy: in a draft an empty narrative becomes 【待补充：…】; in a final report a
part with generated sentences keeps just those sentences, and any other empty part reads "无。".
A bare "无。" typed under a part with generated sentences is left out. When a unit's own 依申请公开
text states the same number of applications as the generated sentence (R6 has checked it equals
the table), the generated sentence is left out rather than saying the count twice in a row.

Wording of the area (全区/全市/全县/全旗, 区政府办公室/市政府办公室 …) comes from ``jurisdiction``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workflow.domain.numbers import plain_number
from workflow.errors import TemplateProblem
from workflow.formats.spec import Format
from workflow.rules.stated import stated_applications

Number = int | Decimal
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
EMPTY_FINAL = "无。"


@dataclass(frozen=True)
class Jurisdiction:
    """How the reports name the area a workspace consolidates: a district, a city, a county …

    Derived from its name (settings.district / summary["district"]) by ``jurisdiction``.
    """

    name: str  # 长乐区 / 福州市
    level: str  # 区 / 市 / 县 / 旗
    whole: str  # 全区 / 全市 …: "the whole area", the subject of generated sentences
    office: str  # 区政府办公室 / 市政府办公室 …: who compiles the report
    government: str  # 长乐区人民政府: the reporting organ (title, signature, export unit name)


_LEVELS = ("市", "县", "旗")
GOVERNMENT = "人民政府"


def jurisdiction(name: str) -> Jurisdiction:
    """The wording for area ``name``: …市 → 全市/市政府办公室, …县 → 全县, …旗 → 全旗, else 全区."""
    name = str(name or "").strip()
    bare = name[: -len(GOVERNMENT)] if name.endswith(GOVERNMENT) else name
    level = bare[-1] if bare and bare[-1] in _LEVELS else "区"
    return Jurisdiction(
        name=bare,
        level=level,
        whole=f"全{level}",
        office=f"{level}政府办公室",
        government=f"{bare}{GOVERNMENT}",
    )


def clean_text(text: str) -> str:
    """``text`` without characters XML cannot hold (\\x07 …); \\n and \\t are kept."""
    return _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def paragraphs(text: str | None) -> list[str]:
    """The non-empty lines of ``text``, cleaned and trimmed: one report paragraph each."""
    return [line.strip() for line in clean_text(text or "").split("\n") if line.strip()]


def one_line(text: str) -> str:
    """``text`` cleaned, its lines joined: for places without line breaks (document properties)."""
    return "".join(paragraphs(text))


def number_text(value: Number, kind: str = "count") -> str:
    """A table number as printed: counts "12", signed changes "+1"/"-4", money "12.5" (万元)."""
    if kind == "money":
        return "0" if value == 0 else plain_number(Decimal(value))
    if kind == "signed":
        return f"+{int(value)}" if value > 0 else str(int(value))
    return str(int(value))


def percent(part: Number, whole: Number) -> str | None:
    """``part`` as a share of ``whole``: "33.3%", "50%"; None when ``whole`` is 0."""
    if not whole:
        return None
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{share.normalize():f}%" if share == share.to_integral() else f"{share}%"


def date_text(value: date | datetime | str) -> str:
    """2022-01-26 (ISO text, date or datetime) → "2022年1月26日"; "" when it is not a date."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return ""
    return f"{value.year}年{value.month}月{value.day}日"


def _v(values: Mapping[str, Number], field_id: str) -> Number:
    return values.get(field_id, 0) or 0


def result_groups(spec: Format) -> list[tuple[str, list[str]]]:
    """The 办理结果 of part 三 as (short name, [row ids]): 予以公开, 部分公开, 不予公开 …"""
    groups: dict[str, list[str]] = {}
    for row in spec.apply.rows:
        if row.result:
            groups.setdefault(row.result_name, []).append(row.id)
    return list(groups.items())


def active_sentences(
    spec: Format, values: Mapping[str, Number], year: int, subject: str
) -> list[str]:
    v = values
    clauses = []
    if "overview_active_count" in v:
        clauses.append(f"{subject}主动公开政府信息{_v(v, 'overview_active_count')}条")
    stock = "（各单位合计）" if subject.startswith("全") else ""
    for row, name in (("rules", "规章"), ("normative", "规范性文件")):
        if f"active_{row}_issued" in v and (row != "rules" or _any(v, f"active_{row}_")):
            clauses.append(
                f"制发{name}{_v(v, f'active_{row}_issued')}件，废止{_v(v, f'active_{row}_repealed')}件，"
                f"现行有效{stock}{_v(v, f'active_{row}_in_force')}件"
            )
        if f"active_{row}_made" in v and (row != "rules" or _any(v, f"active_{row}_")):
            clauses.append(
                f"新制作{name}{_v(v, f'active_{row}_made')}件，新公开{_v(v, f'active_{row}_published')}件，"
                f"对外公开总数{stock}{_v(v, f'active_{row}_total')}件"
            )
    decisions = [
        f"{label}决定{_v(v, f'active_{row}_decisions')}件"
        for row, label in (
            ("license", "行政许可"),
            ("service", "其他对外管理服务事项处理"),
            ("penalty", "行政处罚"),
            ("coercion", "行政强制"),
        )
        if f"active_{row}_decisions" in v
    ]
    if decisions:
        clauses.append("作出" + "、".join(decisions))
    if _v(v, "active_fee_amount"):
        clauses.append(f"收取行政事业性收费{number_text(v['active_fee_amount'], 'money')}万元")
    if _v(v, "active_procurement_projects") or _v(v, "active_procurement_amount"):
        clauses.append(
            f"政府集中采购项目{_v(v, 'active_procurement_projects')}个、总金额"
            f"{number_text(_v(v, 'active_procurement_amount'), 'money')}万元"
        )
    return [f"{year}年，" + "；".join(clauses) + "。"] if clauses else []


def _any(values: Mapping[str, Number], prefix: str) -> bool:
    return any(value for key, value in values.items() if key.startswith(prefix))


def request_sentences(
    spec: Format,
    values: Mapping[str, Number],
    year: int,
    subject: str,
    previous: Mapping[str, Number] | None = None,
) -> list[str]:
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
        results.append(f"{name}{count}件" + (f"，占{share}" if share else ""))
    return [
        f"{year}年度，{subject}共收到政府信息公开申请{new}件{yoy}，上年结转{carried}件；"
        f"本年度办理完结{done}件，其中"
        + "，".join(results[:1])
        + "；"
        + "、".join(results[1:])
        + f"；结转下年度继续办理{_v(v, 'apply_carry_over_total')}件。"
    ]


def _change(now: Number, before: Number | None) -> str:
    if before is None:
        return ""
    if not before:
        return "（上年为0件）" if now else "，与上年持平"
    if now == before:
        return "，与上年持平"
    word = "增长" if now > before else "下降"
    return f"，同比{word}{percent(abs(Decimal(now) - Decimal(before)), before)}"


def review_sentences(values: Mapping[str, Number], year: int, subject: str) -> list[str]:
    v = values
    review = _v(v, "review_total")
    suits = _v(v, "suit_direct_total") + _v(v, "suit_after_review_total")
    if not review and not suits:
        return [f"{year}年度，{subject}未发生因政府信息公开被申请行政复议、提起行政诉讼的情况。"]

    def outcome(prefix: str) -> str:
        return (
            f"结果维持{_v(v, prefix + 'upheld')}件、结果纠正{_v(v, prefix + 'corrected')}件、"
            f"其他结果{_v(v, prefix + 'other')}件、尚未审结{_v(v, prefix + 'pending')}件"
        )

    parts = [
        f"因政府信息公开被申请行政复议{review}件" + (f"（{outcome('review_')}）" if review else "")
    ]
    parts.append(
        f"被提起行政诉讼{suits}件（未经复议直接起诉{_v(v, 'suit_direct_total')}件、"
        f"复议后起诉{_v(v, 'suit_after_review_total')}件）"
    )
    return [f"{year}年度，{subject}" + "，".join(parts) + "。"]


def fee_sentences(values: Mapping[str, Number], year: int, subject: str) -> list[str]:
    """gov2021 信息处理费 facts for part 六 (none when the format has no such fields)."""
    if "fee_notice_count" not in values:
        return []
    n = _v(values, "fee_notice_count")
    asked, got = _v(values, "fee_notice_amount_yuan"), _v(values, "fee_collected_yuan")
    if not n and not got:
        return [f"{year}年度，{subject}未发出收费通知，未收取信息处理费。"]
    return [
        f"{year}年度，{subject}发出收费通知{n}件，总金额{number_text(asked, 'money')}元；"
        f"实际收取信息处理费{number_text(got, 'money')}元。"
    ]


TITLE_LINE = 20  # characters of 2号 type on a line of 156 mm


def report_title(issuer: str, year: int) -> str:
    """ "<机关全称><年>年政府信息公开工作年度报告", broken before 政府… when it needs two lines."""
    first, second = f"{issuer}{year}年", "政府信息公开工作年度报告"
    return f"{first}{second}" if len(first + second) <= TITLE_LINE else f"{first}\n{second}"


def headings(spec: Format) -> dict[str, str]:
    out = {
        n.id: n.label if n.section == "一" else f"{n.section}、{n.label}" for n in spec.narratives
    }
    out.update(active=spec.active_title, apply=spec.apply.title, review=spec.review.title)
    return out


def table_notes(spec: Format, *, district: bool) -> list[str]:
    """Under part 二 of a district report: stock columns are sums of the units' counts."""
    labels = sorted({c.label for b in spec.blocks for c in b.columns if c.stock})
    if not district or not labels:
        return []
    quoted = "、".join(f"“{label}”" for label in labels)
    return [f"注：表中{quoted}为各单位数量合计。"]


def narrative_paras(
    spec: Format,
    texts: Mapping[str, str],
    generated: Mapping[str, list[str]],
    *,
    draft: bool,
) -> dict[str, list[str]]:
    """Paragraphs of each narrative part: generated sentences first, then the unit's own text.

    A bare "无。" typed under a part that has generated sentences is left out (六 would otherwise read
    "…未发出收费通知…" followed by "无。").
    """
    out: dict[str, list[str]] = {}
    for n in spec.narratives:
        typed = paragraphs(texts.get(n.id))
        own = typed
        if generated.get(n.id):
            own = [p for p in typed if p.rstrip("。.") not in _NOTHING]
        paras = list(generated.get(n.id, [])) + own
        if not typed and draft:
            paras.append(f"【待补充：{headings(spec)[n.id]}】")
        elif not paras:
            paras = [EMPTY_FINAL]
        out[n.id] = paras
    return out


_NOTHING = ("无", "无其他需要报告的事项", "没有", "暂无")


def without_restated(
    generated: dict[str, list[str]], texts: Mapping[str, str], values: Mapping[str, Number]
) -> dict[str, list[str]]:
    """``generated`` without the 依申请公开 sentence when the own text already states that count.

    Units often write "我局受理…申请数为2件。" themselves; R6 has verified such a count equals the
    table, so the generated "共收到政府信息公开申请2件…" would say the same thing twice in a row. The
    own text is kept (never edited) and the breakdown stays in table 三. A stated count that differs
    (e.g. 新收 + 上年结转) keeps the generated sentence.
    """
    new = _v(values, "apply_new_total")
    if new and any(n == new for n, _ in stated_applications(texts.get("text_request") or "")):
        return {**generated, "text_request": []}
    return generated


def contact_text(texts: Mapping[str, str]) -> str:
    parts = [
        f"{label}：{clean_text(texts[key]).strip()}"
        for key, label in (
            ("contact_address", "地址"),
            ("contact_postcode", "邮编"),
            ("contact_phone", "电话"),
        )
        if texts.get(key, "").strip()
    ]
    return "，".join(parts)


def unit_context(
    spec: Format,
    *,
    name: str,
    year: int,
    values: Mapping[str, Number],
    texts: Mapping[str, str],
    now: datetime,
    draft: bool,
    status: str = "accepted",
) -> dict[str, Any]:
    """The template context of one unit's report (tables are added by the renderer)."""
    subject = "本机关"
    generated = {
        "text_active": active_sentences(spec, values, year, subject),
        "text_request": request_sentences(spec, values, year, subject),
        "text_other": fee_sentences(values, year, subject),
    }
    generated = without_restated(generated, texts, values)
    paras = narrative_paras(spec, texts, generated, draft=draft)
    paras["overview"] = []
    paras["review"] = review_sentences(values, year, subject)
    when = date_text(texts.get("report_date", "")) or date_text(now)
    notes = []
    if draft:
        notes.append("【草稿】本稿由系统根据报送数据生成，仅供核对，不得对外发布。")
        if status != "accepted":
            notes.append("【草稿】本单位报送的报表尚未通过校验，表中数字可能有误。")
    return {
        "title": report_title(name, year),
        "doc_title": one_line(f"{name}{year}年政府信息公开工作年度报告"),
        "unit_name": name,
        "basis": spec.basis,
        "year": year,
        "website_url": clean_text(texts.get("website_url", "")).strip(),
        "contact": contact_text(texts),
        "coverage": "",
        "draft": draft,
        "draft_notes": notes,
        "preamble_extra": [],
        "headings": headings(spec),
        "paras": paras,
        "notes": {"active": table_notes(spec, district=False)},
        "signer": name,
        "date": when,
    }


def _counts(units: Sequence[Mapping[str, Any]]) -> tuple[int, dict[str, int], list[str]]:
    included = [u for u in units if u.get("status") == "accepted"]
    by_category: dict[str, int] = {}
    for u in included:
        category = str(u.get("category") or "部门")
        by_category[category] = by_category.get(category, 0) + 1
    absent = [
        f"{u.get('name', '')}（{'未通过校验' if u.get('status') == 'rejected' else '未报送'}）"
        for u in units
        if u.get("status") != "accepted"
    ]
    return len(included), by_category, absent


def categories(units: Sequence[Mapping[str, Any]]) -> list[str]:
    """The roster categories actually present, in roster order (部门, 街道乡镇, 区县 …)."""
    return list(dict.fromkeys(str(u.get("category") or "部门") for u in units))


def coverage_text(units: Sequence[Mapping[str, Any]]) -> str:
    """本报告汇总了N个单位（部门a个、街道乡镇b个）…: only the categories the roster has."""
    n, by_category, _ = _counts(units)
    parts = "、".join(f"{c}{by_category.get(c, 0)}个" for c in categories(units))
    detail = f"（{parts}）" if parts else ""
    return f"本报告汇总了{n}个单位{detail}的政府信息公开工作情况。"


def district_context(
    spec: Format,
    summary: Mapping[str, Any],
    narrative: Mapping[str, str],
    *,
    now: datetime,
    draft: bool,
    narrative_notes: Sequence[str] = (),
) -> dict[str, Any]:
    """The template context of the district report from summary.json's content (issue 5)."""
    year = int(summary["year"])
    area = jurisdiction(summary["district"])
    totals = summary_numbers(spec, summary.get("totals", {}))
    prev_raw = previous_totals(summary)
    previous = summary_numbers(spec, prev_raw) if prev_raw else None
    subject = area.whole
    generated = {
        "text_active": active_sentences(spec, totals, year, subject),
        "text_request": request_sentences(spec, totals, year, subject, previous),
        "text_other": fee_sentences(totals, year, subject),
    }
    paras = narrative_paras(spec, narrative, generated, draft=draft)
    paras["overview"] = paragraphs(narrative.get("overview"))
    paras["review"] = review_sentences(totals, year, subject)
    _, _, absent = _counts(summary.get("units", []))
    notes = []
    if draft:
        notes.append("【草稿】本稿由系统根据已通过校验的单位报表汇总生成，仅供核对，不得对外发布。")
        if absent:
            notes.append(
                f"【草稿】以下{len(absent)}个单位的数据尚未计入：" + "、".join(absent) + "。"
            )
        notes.extend(narrative_notes)
    return {
        "title": report_title(area.government, year),
        "doc_title": one_line(f"{area.government}{year}年政府信息公开工作年度报告"),
        "unit_name": area.government,
        "compiler": area.office,
        "basis": spec.basis,
        "year": year,
        "website_url": "",
        "contact": "",
        "coverage": coverage_text(summary.get("units", [])),
        "draft": draft,
        "draft_notes": notes,
        "preamble_extra": paragraphs(narrative.get("preamble")),
        "headings": headings(spec),
        "paras": paras,
        "notes": {"active": table_notes(spec, district=True)},
        "signer": area.government,
        "date": date_text(now),
    }


def previous_totals(summary: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """Last year's totals if the summary carries them ("previous": {"totals": …} or "previous_totals")."""
    prev = summary.get("previous")
    if isinstance(prev, Mapping) and isinstance(prev.get("totals"), Mapping):
        return prev["totals"]
    found = summary.get("previous_totals")
    return found if isinstance(found, Mapping) else None


def summary_numbers(spec: Format, raw: Mapping[str, Any]) -> dict[str, Number]:
    """JSON numbers of summary.json as int (counts) and Decimal (money), keyed by field id."""
    out: dict[str, Number] = {}
    for key, value in raw.items():
        f = spec.fields.get(key)
        if f is None or not f.numeric or value is None:
            continue
        try:
            number = Decimal(str(value))
            out[key] = number if f.kind == "money" else int(number)
        except (ArithmeticError, ValueError):
            raise TemplateProblem(
                f"汇总数据中「{f.label}」（{key}）的值 {value!r} 不是数字。"
            ) from None
    return out
