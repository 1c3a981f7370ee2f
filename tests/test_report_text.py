"""The generated words of the reports: numbers, sentences, contexts, the district text file (pure)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.errors import TemplateProblem
from workflow.formats.seed import SEED_TEXTS, SEED_UNIT, seed_values
from workflow.formats.spec import load_format
from workflow.report.context import (
    EMPTY_FINAL,
    coverage_text,
    district_context,
    summary_numbers,
    unit_context,
)
from workflow.report.district_text import (
    PLACEHOLDER_MARK,
    PLACEHOLDER_TAG,
    default_district_text,
    is_placeholder,
    parse_district_text,
)
from workflow.report.sentences import (
    active_sentences,
    fee_sentences,
    request_sentences,
    result_groups,
    review_sentences,
)
from workflow.report.text import (
    clean_text,
    date_text,
    jurisdiction,
    number_text,
    paragraphs,
    percent,
)

NOW = datetime(2022, 1, 27, 9, 30)
G19, G21 = load_format("gov2019"), load_format("gov2021")


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (0, "count", "0"),
        (12345, "count", "12345"),
        (1, "signed", "+1"),
        (-4, "signed", "-4"),
        (0, "signed", "0"),
        (Decimal("12.50"), "money", "12.5"),
        (Decimal("0.00"), "money", "0"),
        (Decimal("100"), "money", "100"),
        (Decimal("1E+2"), "money", "100"),
    ],
    ids=[
        "zero",
        "count",
        "plus",
        "minus",
        "signed-zero",
        "money",
        "money-zero",
        "money-int",
        "money-exp",
    ],
)
def test_number_text(value, kind, text):
    assert number_text(value, kind) == text


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (30, 90, "33.3%"),
        (1, 2, "50%"),
        (2, 2, "100%"),
        (1, 3, "33.3%"),
        (2, 3, "66.7%"),
        (1, 0, None),
    ],
    ids=["third", "half", "all", "round-down", "round-up", "no-whole"],
)
def test_percent(part, whole, text):
    assert percent(part, whole) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2022-01-26", "2022年1月26日"),
        (date(2022, 3, 31), "2022年3月31日"),
        (NOW, "2022年1月27日"),
        ("2022-01-26T08:00:00", "2022年1月26日"),
        ("1月26日", ""),
        ("", ""),
    ],
    ids=["iso", "date", "datetime", "iso-time", "free-text", "empty"],
)
def test_date_text(value, text):
    assert date_text(value) == text


def test_clean_text_and_paragraphs():
    assert clean_text("a\x07b\x00c\r\nd\te") == "abc\nd\te"
    assert paragraphs("  一段。\n\n\x0b二段。\r\n  ") == ["一段。", "二段。"]
    assert paragraphs(None) == []


@given(st.text())
def test_clean_text_leaves_only_xml_legal_characters(text):
    cleaned = clean_text(text)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", cleaned)
    assert all(p == p.strip() and p for p in paragraphs(text))


@given(st.integers(-(10**6), 10**6))
def test_signed_text_round_trips(n):
    assert int(number_text(n, "signed")) == n


def test_result_groups_follow_the_spec():
    names = [name for name, _ in result_groups(G21)]
    assert names == ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
    assert dict(result_groups(G19))["其他处理"] == ["other"]
    assert len(dict(result_groups(G21))["不予公开"]) == 8


def _zeros(spec):
    return {f.id: 0 for f in spec.numeric_fields}


@pytest.mark.parametrize(
    ("values", "previous", "expected"),
    [
        ({}, None, "2021年度，本机关未收到政府信息公开申请。"),
        (
            {
                "apply_new_total": 5,
                "apply_total_total": 4,
                "apply_granted_total": 3,
                "apply_carry_over_total": 1,
                "apply_denied_secret_total": 1,
            },
            None,
            "2021年度，本机关共收到政府信息公开申请5件，无上年结转申请；本年度办理完结4件，"
            "其中予以公开3件（占75%）、不予公开1件；结转下年度继续办理1件。",
        ),
        (
            {"apply_new_total": 120, "apply_total_total": 120},
            {"apply_new_total": 100},
            "同比增长20%",
        ),
        ({"apply_new_total": 90, "apply_total_total": 90}, {"apply_new_total": 120}, "同比下降25%"),
        (
            {"apply_new_total": 7, "apply_total_total": 7},
            {"apply_new_total": 7},
            "申请7件，与上年持平",
        ),
        (
            {"apply_new_total": 7, "apply_total_total": 7},
            {"apply_new_total": 0},
            "申请7件（上年未收到申请）",
        ),
    ],
    ids=["none", "full", "up", "down", "flat", "from-zero"],
)
def test_request_sentences(values, previous, expected):
    text = request_sentences(G21, {**_zeros(G21), **values}, 2021, "本机关", previous)[0]
    assert expected in text


def test_sentences_state_the_table_numbers():
    """R6 by construction: every number in the request sentence comes from the table values."""
    v = {
        **_zeros(G21),
        "apply_new_total": 11,
        "apply_carried_total": 2,
        "apply_total_total": 12,
        "apply_granted_total": 6,
        "apply_partial_total": 1,
        "apply_unable_no_info_total": 3,
        "apply_unable_create_total": 1,
        "apply_rejected_petition_total": 1,
        "apply_carry_over_total": 1,
    }
    text = request_sentences(G21, v, 2021, "本机关")[0]
    assert (
        "无法提供4件" in text
        and "不予处理1件" in text
        and "上年结转2件" in text
        and "办理完结12件" in text
    )


def test_active_sentences_per_format():
    g19 = active_sentences(G19, seed_values("gov2019"), 2021, "本机关")[0]
    assert g19 == (
        "2021年，本机关主动公开政府信息158条；未新制作、新公开规范性文件；"
        "作出行政许可决定45件、其他对外管理服务事项处理决定7件、行政处罚决定13件；未作出行政强制决定。"
    )
    stated = active_sentences(
        G19, seed_values("gov2019"), 2021, "我局", "我局主动公开政府信息158条"
    )
    assert "158" not in stated[0]  # the clerk's text states the count: not said twice
    v = {
        **_zeros(G21),
        "active_normative_issued": 3,
        "active_normative_in_force": 40,
        "active_fee_amount": Decimal("2.50"),
        "overview_active_count": 9,
    }
    g21 = active_sentences(G21, v, 2021, "全区")[0]
    assert "制发规范性文件3件，未废止，现行有效（各单位合计）40件" in g21
    assert "收取行政事业性收费2.5万元" in g21
    assert (
        "规章" not in g21
    )  # a district makes no 规章; the clause appears only when a cell is nonzero


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, "2021年度，本机关未发生因政府信息公开被申请行政复议、提起行政诉讼的情况。"),
        (
            {"review_total": 2, "review_upheld": 1, "review_pending": 1, "suit_direct_total": 1},
            "2021年度，本机关因政府信息公开被申请行政复议2件（结果维持1件、尚未审结1件）；"
            "被提起行政诉讼1件，其中未经复议直接起诉1件。",
        ),
    ],
    ids=["none", "some"],
)
def test_review_sentences(values, expected):
    assert review_sentences({**_zeros(G21), **values}, 2021, "本机关") == [expected]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, ["2021年度，本机关未发出收费通知，未收取信息处理费。"]),
        (
            {
                "fee_notice_count": 2,
                "fee_notice_amount_yuan": Decimal("300"),
                "fee_collected_yuan": Decimal("100.5"),
            },
            ["2021年度，本机关发出收费通知2件，总金额300元；实际收取信息处理费100.5元。"],
        ),
    ],
    ids=["none", "some"],
)
def test_fee_sentences(values, expected):
    assert fee_sentences({**_zeros(G21), **values}, 2021, "本机关") == expected
    assert fee_sentences(_zeros(G19), 2021, "本机关") == []  # gov2019 has no fee facts


def test_unit_context_draft_and_final():
    texts = {k: v for k, v in SEED_TEXTS.items() if k != "text_problems"}
    final = unit_context(
        G19,
        name=SEED_UNIT,
        year=2021,
        values=seed_values("gov2019"),
        texts=texts,
        now=NOW,
        draft=False,
    )
    draft = unit_context(
        G19,
        name=SEED_UNIT,
        year=2021,
        values=seed_values("gov2019"),
        texts=texts,
        now=NOW,
        draft=True,
        status="rejected",
    )
    assert final["paras"]["text_problems"] == [EMPTY_FINAL]
    assert draft["paras"]["text_problems"] == ["【待补充：五、存在的主要问题及改进情况】"]
    assert final["draft_notes"] == [] and len(draft["draft_notes"]) == 2
    assert final["date"] == "2022年1月26日"
    assert (
        final["contact"] == "地址：长乐区文武砂街道文松路666号，邮编：350207，电话：0591-28813573"
    )
    assert final["preamble"].endswith(
        "本报告在http://www.fzcl.gov.cn/公布，欢迎查阅。如对本报告有疑问，请与"
        "福州市长乐区人力资源和社会保障局办公室联系（地址：长乐区文武砂街道文松路666号，"
        "邮编：350207，电话：0591-28813573）。"
    )
    assert "以下简称" not in final["preamble"]
    assert final["headings"]["text_other"] == "六、其他需要报告的事项"
    no_date = unit_context(G19, name="x", year=2021, values={}, texts={}, now=NOW, draft=False)
    assert no_date["date"] == "2022年1月27日" and no_date["contact"] == ""


def test_coverage_counts_only_accepted_units():
    units = [
        {"name": "a", "category": "部门", "status": "accepted"},
        {"name": "b", "category": "街道乡镇", "status": "accepted"},
        {"name": "c", "category": "部门", "status": "rejected"},
    ]
    assert (
        coverage_text(units)
        == "本报告汇总了2个单位（部门1个、街道乡镇1个）的政府信息公开工作情况。"
    )
    summary = {"district": "长乐区", "year": 2021, "units": units, "totals": {}}
    ctx = district_context(G21, summary, {}, now=NOW, draft=True)
    assert "以下1个单位的数据尚未计入：c（未通过校验）。" in ctx["draft_notes"][1]


def test_summary_numbers_types():
    got = summary_numbers(
        G21, {"apply_new_total": 3, "active_fee_amount": 12.35, "unknown": 1, "unit_name": "x"}
    )
    assert got == {"apply_new_total": 3, "active_fee_amount": Decimal("12.35")}
    assert isinstance(got["apply_new_total"], int)


def test_parse_district_text():
    parts = parse_district_text(
        "# 标题说明\n开头一段。\n## 一、总体情况\n总体。\n### (二)依申请公开\n申请。\n"
        "## 六、其他需要报告的事项\n无。\n"
    )
    assert parts == {
        "preamble": "开头一段。",
        "overview": "总体。",
        "text_request": "申请。",
        "text_other": "无。",
    }


def test_parse_district_text_rejects_unknown_headings():
    with pytest.raises(TemplateProblem, match="第 2 行的标题「三、收到申请」无法识别"):
        parse_district_text("正文\n## 三、收到申请\n", "区报告正文.md")


def test_default_district_text_parses_and_covers_every_part():
    parts = parse_district_text(default_district_text("长乐区", 2021))
    assert set(parts) == {
        "preamble",
        "overview",
        "text_active",
        "text_request",
        "text_management",
        "text_platform",
        "text_supervision",
        "text_problems",
        "text_other",
    }
    assert all(parts[k] for k in parts if k != "preamble")


@pytest.mark.parametrize(
    ("issuer", "title"),
    [
        ("教育局", "教育局2021年政府信息公开工作年度报告"),
        ("长乐区人民政府", "长乐区人民政府2021年\n政府信息公开工作年度报告"),
        (SEED_UNIT, f"{SEED_UNIT}2021年\n政府信息公开工作年度报告"),
    ],
    ids=["one-line", "district", "long-name"],
)
def test_report_title_breaks_before_the_fixed_part(issuer, title):
    from workflow.report.text import report_title

    assert report_title(issuer, 2021) == title


# --- jurisdiction wording, categories, boilerplate, repeated sentences ------------------------------


@pytest.mark.parametrize(
    ("name", "whole", "office", "government"),
    [
        ("长乐区", "全区", "区政府办公室", "长乐区人民政府"),
        ("福州市", "全市", "市政府办公室", "福州市人民政府"),
        ("闽侯县", "全县", "县政府办公室", "闽侯县人民政府"),
        ("鄂托克旗", "全旗", "旗政府办公室", "鄂托克旗人民政府"),
        ("福州市人民政府", "全市", "市政府办公室", "福州市人民政府"),
        ("高新技术开发区管委会", "全区", "区政府办公室", "高新技术开发区管委会人民政府"),
    ],
)
def test_jurisdiction_wording(name, whole, office, government):
    area = jurisdiction(name)
    assert (area.whole, area.office, area.government) == (whole, office, government)


def test_city_district_context_says_quan_shi_and_counts_the_roster_categories():
    units = [
        {"name": "长乐区人民政府", "category": "区县", "status": "accepted"},
        {"name": "闽侯县人民政府", "category": "区县", "status": "missing"},
        {"name": "市教育局", "category": "部门", "status": "accepted"},
    ]
    summary = {"district": "福州市", "year": 2021, "units": units, "totals": seed_values("gov2021")}
    ctx = district_context(G21, summary, {}, now=NOW, draft=False)
    assert ctx["compiler"] == "市政府办公室"
    assert ctx["signer"] == "福州市人民政府"
    assert ctx["coverage"] == "本报告汇总了2个单位（区县1个、部门1个）的政府信息公开工作情况。"
    assert ctx["paras"]["text_request"][0].startswith("2021年度，全市共收到")
    assert "街道乡镇" not in ctx["coverage"]


def test_coverage_text_lists_only_present_categories():
    units = [{"name": "a", "category": "部门", "status": "accepted"}]
    assert coverage_text(units) == "本报告汇总了1个单位（部门1个）的政府信息公开工作情况。"


def test_default_district_text_is_placeholder_until_the_mark_is_deleted():
    text = default_district_text("福州市", 2021)
    assert text.startswith(PLACEHOLDER_MARK)
    assert is_placeholder(text)
    assert "全市各单位" in text and "全区" not in text
    edited = "\n".join(line for line in text.split("\n") if PLACEHOLDER_TAG not in line)
    assert not is_placeholder(edited)
    assert parse_district_text(text) == parse_district_text(edited)  # the mark is a comment
    assert not is_placeholder("## 六、其他需要报告的事项\n【待修改】写在正文里的字不算\n")


@pytest.mark.parametrize("typed", ["无。", "无其他需要报告的事项。"])
def test_typed_nothing_is_kept_beside_the_fee_sentence(typed):
    values = seed_values("gov2021")
    ctx = unit_context(
        G21, name="x局", year=2021, values=values, texts={"text_other": typed}, now=NOW, draft=True
    )
    other = ctx["paras"]["text_other"]
    assert other == [*fee_sentences(values, 2021, "我局"), typed]  # verbatim, no 【待补充】


def test_fee_sentence_is_left_out_when_the_clerk_states_it():
    values = seed_values("gov2021")
    typed = "本年度我局未发出收费通知，未收取信息处理费。"
    ctx = unit_context(
        G21, name="x局", year=2021, values=values, texts={"text_other": typed}, now=NOW, draft=False
    )
    assert ctx["paras"]["text_other"] == [typed]


@pytest.mark.parametrize(
    ("name", "override", "word"),
    [
        ("福州市长乐区人力资源和社会保障局", "", "我局"),
        ("福州市长乐区吴航街道办事处", "", "我街道"),
        ("福州市长乐区潭头镇人民政府", "", "我镇"),
        ("福州市长乐区发展和改革委员会", "", "我委"),
        ("福州市长乐区人民政府办公室", "", "我办"),
        ("福州市长乐区融媒体中心", "", "我中心"),
        ("某某", "", "本机关"),
        ("福州市长乐区吴航街道办事处", "本办", "本办"),
    ],
)
def test_self_reference(name, override, word):
    from workflow.report.text import self_reference

    assert self_reference(name, override) == word


def test_generated_request_sentence_is_skipped_when_the_unit_states_the_same_count():
    values = seed_values("gov2021")
    new = values["apply_new_total"]
    same = {"text_request": f"2021年度，我局受理政府信息公开申请{new}件。"}
    ctx = unit_context(G21, name="x", year=2021, values=values, texts=same, now=NOW, draft=False)
    assert ctx["paras"]["text_request"] == [same["text_request"]]
    other = {"text_request": "我局规范办理依申请公开。"}
    ctx = unit_context(G21, name="x", year=2021, values=values, texts=other, now=NOW, draft=False)
    assert ctx["paras"]["text_request"][0].startswith("2021年度，本机关共收到政府信息公开申请")
    assert ctx["self_reference"] == "本机关"  # "x" has no ending that says what it is
    assert ctx["paras"]["text_request"][1] == other["text_request"]


def test_district_draft_prompts_for_the_gov2021_items_of_part_six():
    from workflow.report.context import district_other_prompts, missing_contact

    assert district_other_prompts(G19, "") == []  # gov2019 has no such items
    (prompt,) = district_other_prompts(G21, "无。")
    assert "工作要点" in prompt and "建议" in prompt and prompt.startswith("【待补充")
    assert district_other_prompts(G21, "落实上级工作要点……人大代表建议和政协委员提案……") == []
    assert len(missing_contact("", {})) == 2
    assert missing_contact("http://x/", {"contact_phone": "1"}) == []


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, "2021年，全区未制发、废止规范性文件；未作出行政许可、行政处罚和行政强制决定。"),
        (
            {"active_normative_repealed": 2, "active_license_decisions": 5},
            "2021年，全区未制发规范性文件，废止2件；作出行政许可决定5件；未作出行政处罚和行政强制决定。",
        ),
    ],
)
def test_zero_counts_are_worded_not_listed(values, expected):
    v = {**_zeros(G21), **values}
    v.pop("overview_active_count", None)
    assert active_sentences(G21, v, 2021, "全区") == [expected]
