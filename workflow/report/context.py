"""The template contexts of the reports: one unit's and the district's (pure).

One voice per report: a unit's report speaks as the unit names itself (``self_reference``: 我局,
我街道 …), the district's as 全区/全市. Generated sentences come first in a part, then the clerk's
own text verbatim (a typed "无。" or "无其他需要报告的事项。" included). Empty narrative policy: in
a draft an empty part becomes 【待补充：…】; in a final report a part with generated sentences keeps
just those, and any other empty part reads "无。".

The preamble is written here (``preamble``), the same text for the .docx, the PDF and the HTML page:
where the report is published as "在<网站名>（<网址>）公布", whom to ask with the 联系人.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from workflow.errors import TemplateProblem
from workflow.formats.spec import Format
from workflow.report.sentences import after_own_text, generated_sentences, review_sentences
from workflow.report.text import (
    Number,
    clean_text,
    date_text,
    headings,
    jurisdiction,
    one_line,
    paragraphs,
    report_title,
    self_reference,
    table_notes,
)

EMPTY_FINAL = "无。"
PARTS = "总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项"
# what a gov2021 district report's 六 is expected to cover (国办公开办函〔2021〕30号)
DISTRICT_OTHER_ITEMS = (
    ("工作要点", "落实上级年度政务公开工作要点情况"),
    ("建议", "人大代表建议和政协委员提案办理结果公开情况"),
)


def narrative_paras(
    spec: Format,
    texts: Mapping[str, str],
    generated: Mapping[str, list[str]],
    *,
    draft: bool,
    after: frozenset[str] = frozenset(),
) -> dict[str, list[str]]:
    """Paragraphs of each narrative part: generated sentences first, then the unit's own text (the
    other way round for the parts in ``after``)."""
    out: dict[str, list[str]] = {}
    for n in spec.narratives:
        typed = paragraphs(texts.get(n.id))
        made = list(generated.get(n.id, []))
        paras = typed + made if n.id in after else made + typed
        if not typed and draft:
            paras.append(f"【待补充：{headings(spec)[n.id]}】")
        elif not paras:
            paras = [EMPTY_FINAL]
        out[n.id] = paras
    return out


_OFFICE_ENDS = ("室", "科", "处", "股", "办", "中心", "部", "组")


def contact_text(texts: Mapping[str, str]) -> str:
    """ "地址：…，邮编：…，电话：…" from the contact fields that are filled in."""
    parts = [
        f"{label}：{clean_text(texts[key]).strip()}"
        for key, label in (
            ("contact_address", "地址"),
            ("contact_postcode", "邮编"),
            ("contact_phone", "电话"),
        )
        if (texts.get(key) or "").strip()
    ]
    return "，".join(parts)


def contact_sentence(organ: str, texts: Mapping[str, str]) -> str:
    """ "如对本报告有疑问，请与…联系（联系人：…，地址：…）。": an office as 联系人 (局办公室) becomes
    the one to ask (福州市长乐区人社局办公室), a person is named as 联系人."""
    person = one_line(texts.get("contact_person") or "").strip()
    details = contact_text(texts)
    who = organ
    if person.endswith(_OFFICE_ENDS):
        who = person if person.startswith(organ[:2]) else organ + person.lstrip(organ[-1:])
        person = ""
    if person:
        details = f"联系人：{person}" + (f"，{details}" if details else "")
    if not details:
        return ""
    return f"如对本报告有疑问，请与{who}联系（{details}）。"


def website_sentence(site: str, url: str) -> str:
    """ "本报告在福州市长乐区人民政府网站（http://…）公布，欢迎查阅。" ("" without a URL)."""
    url = one_line(url).strip()
    if not url:
        return ""
    return f"本报告在{site}（{url}）公布，欢迎查阅。" if site else f"本报告在{url}公布，欢迎查阅。"


def preamble(
    basis: str,
    year: int,
    *,
    compiled_by: str,
    coverage: str = "",
    website: str = "",
    contact: str = "",
) -> str:
    return (
        f"根据《中华人民共和国政府信息公开条例》第四十九条、第五十条和{basis}要求，"
        f"由{compiled_by}本报告。{coverage}本报告由{PARTS}等六部分组成。"
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。{website}{contact}"
    )


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
    self_ref: str = "",
    site: str = "",
) -> dict[str, Any]:
    """The template context of one unit's report (tables are added by the renderer).

    ``self_ref`` is the roster's override of how the unit names itself, ``site`` the name of the
    website its report is published on (the district government's: 福州市长乐区人民政府网站)."""
    subject = self_reference(name, self_ref)
    generated = generated_sentences(spec, values, texts, year, subject)
    after = after_own_text(values, texts)
    paras = narrative_paras(spec, texts, generated, draft=draft, after=after)
    paras["overview"] = []
    paras["review"] = review_sentences(values, year, subject)
    when = date_text(texts.get("report_date", "")) or date_text(now)
    notes = []
    if draft:
        notes.append("【草稿】本稿由系统根据报送数据生成，仅供核对，不得对外发布。")
        if status != "accepted":
            notes.append("【草稿】本单位报送的报表尚未通过校验，表中数字可能有误。")
    website_url = clean_text(texts.get("website_url", "")).strip()
    contact = contact_sentence(name, texts)
    return {
        "title": report_title(name, year),
        "doc_title": one_line(f"{name}{year}年政府信息公开工作年度报告"),
        "unit_name": name,
        "self_reference": subject,
        "basis": spec.basis,
        "year": year,
        "website_url": website_url,
        "contact": contact_text(texts),
        "preamble": preamble(
            spec.basis,
            year,
            compiled_by=f"{name}编制",
            website=website_sentence(site, website_url),
            contact=contact,
        ),
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


def district_other_prompts(spec: Format, text: str) -> list[str]:
    """Draft prompts for what a gov2021 district report's 六 should say and its text does not."""
    if "fee_notice_count" not in spec.fields:
        return []
    missing = [what for word, what in DISTRICT_OTHER_ITEMS if word not in text]
    return [f"【待补充：请在“六”中说明{'、'.join(missing)}。】"] if missing else []


def district_context(
    spec: Format,
    summary: Mapping[str, Any],
    narrative: Mapping[str, str],
    *,
    now: datetime,
    draft: bool,
    narrative_notes: Sequence[str] = (),
    contact: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The template context of the district report from summary.json's content (issue 5).

    ``contact`` holds the district office's website_url, contact_person/address/postcode/phone."""
    year = int(summary["year"])
    area = jurisdiction(summary["district"])
    totals = summary_numbers(spec, summary.get("totals", {}))
    prev_raw = previous_totals(summary)
    previous = summary_numbers(spec, prev_raw) if prev_raw else None
    subject = area.whole
    generated = generated_sentences(spec, totals, narrative, year, subject, previous)
    after = after_own_text(totals, narrative)
    paras = narrative_paras(spec, narrative, generated, draft=draft, after=after)
    paras["overview"] = paragraphs(narrative.get("overview"))
    paras["review"] = review_sentences(totals, year, subject)
    if draft:
        paras["text_other"] += district_other_prompts(spec, narrative.get("text_other") or "")
    _, _, absent = _counts(summary.get("units", []))
    notes = []
    if draft:
        notes.append("【草稿】本稿由系统根据已通过校验的单位报表汇总生成，仅供核对，不得对外发布。")
        if absent:
            notes.append(
                f"【草稿】以下{len(absent)}个单位的数据尚未计入：" + "、".join(absent) + "。"
            )
        notes.extend(narrative_notes)
    office = dict(contact or {})
    website_url = clean_text(office.get("website_url", "")).strip()
    coverage = coverage_text(summary.get("units", []))
    return {
        "title": report_title(area.government, year),
        "doc_title": one_line(f"{area.government}{year}年政府信息公开工作年度报告"),
        "unit_name": area.government,
        "self_reference": subject,
        "compiler": area.office,
        "basis": spec.basis,
        "year": year,
        "website_url": website_url,
        "contact": contact_text(office),
        "preamble": preamble(
            spec.basis,
            year,
            compiled_by=f"{area.office}汇总编制",
            coverage=coverage,
            website=website_sentence(f"{area.government}网站", website_url),
            contact=contact_sentence(area.office, office),
        ),
        "coverage": coverage,
        "draft": draft,
        "draft_notes": notes,
        "preamble_extra": paragraphs(narrative.get("preamble")),
        "headings": headings(spec),
        "paras": paras,
        "notes": {"active": table_notes(spec, district=True)},
        "signer": area.government,
        "date": date_text(now),
    }


def missing_contact(website_url: str, contact: Mapping[str, str]) -> list[str]:
    """Why the district report's preamble is incomplete: no website, no contact details."""
    out = []
    if not website_url.strip():
        out.append("区报告前言缺少发布网址：请在 workflow.toml 的 [district] 中填写 website_url")
    if not any((contact.get(k) or "").strip() for k in ("contact_phone", "contact_address")):
        out.append(
            "区报告前言缺少联系方式：请在 workflow.toml 的 [district] 中填写 "
            "contact_person、contact_address、contact_phone"
        )
    return out


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
