"""Each rule on Submissions built in the test: exact rule id, severity and cells, one case per row."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from workflow.domain.findings import Severity
from workflow.domain.roster import Unit
from workflow.domain.submission import Submission
from workflow.formats.layout import field_cells
from workflow.formats.seed import SEED_TEXTS, seed_values
from workflow.formats.spec import load_format
from workflow.rules import CheckContext, check_submission, compute_totals
from workflow.rules.stated import stated_applications

E, W = Severity.ERROR, Severity.WARNING
UNIT = "长乐区人力资源和社会保障局"
ROSTER = (
    Unit(UNIT, aliases=("区人社局",)),
    Unit("长乐区教育局"),
    Unit("吴航街道办事处", "街道乡镇"),
)
CTX = CheckContext(year=2025, units=ROSTER, today=date(2026, 1, 25))
BASE_VALUES: dict[str, Any] = {
    "apply_new_natural": 3,
    "apply_carried_natural": 1,
    "apply_granted_natural": 2,
    "apply_denied_third_party_natural": 1,
    "apply_carry_over_natural": 1,
    "apply_new_business": 9,
    "apply_granted_business": 9,
    "review_upheld": 1,
    "active_normative_issued": 2,
    "active_normative_in_force": 5,
    "overview_active_count": 158,
}
BASE_TEXTS = {
    "unit_name": UNIT,
    "report_year": "2025",
    "report_date": "2026-01-20",
    "text_active": "2025年，我局主动公开政府信息158条。",
    "text_request": "2025年共收到政府信息公开申请12件，均按时答复。",
    "text_management": "我局健全政府信息管理制度。",
    "text_platform": "我局依托区政府门户网站发布政府信息。",
    "text_supervision": "我局将政务公开纳入年度绩效考核。",
    "text_problems": "公开内容的解读还不够深入，下一步将加强解读。",
    "text_other": "无其他需要报告的事项。",
    "contact_phone": "0591-28888888",
    "contact_address": "长乐区吴航街道某路1号",
}


def a1(spec_id: str, fid: str) -> str:
    sheet, cell = field_cells(load_format(spec_id))[fid]
    return f"{sheet}!{cell}"


def with_meta(sub: Submission, **meta: str) -> Submission:
    sub.meta.update(meta)
    return sub


def make_sub(
    spec_id: str = "gov2021",
    values: dict[str, Any] | None = None,
    texts: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    no_formula: tuple[str, ...] = (),
    drop: tuple[str, ...] = (),
) -> Submission:
    """A submission as the reader would give it for a template filled with ``values``."""
    spec = load_format(spec_id)
    inputs = {
        f.id: (Decimal(0) if f.kind == "money" else 0) for f in spec.input_fields if f.numeric
    }
    inputs.update(BASE_VALUES if values is None else values)
    inputs = {k: v for k, v in inputs.items() if k in spec.fields and k not in drop}
    totals = compute_totals(spec, inputs)
    computed = {f.id for f in spec.computed_fields}
    cells = {fid: f"{s}!{c}" for fid, (s, c) in field_cells(spec).items()}
    all_texts = {**BASE_TEXTS, **(texts or {})}
    return Submission(
        format=spec_id,
        values=inputs,
        typed={**{k: v for k, v in totals.items() if k in computed}, **(typed or {})},
        formulas=computed - set(no_formula),
        texts={k: v for k, v in all_texts.items() if v is not None},
        cells=cells,
    )


def rules_of(findings):
    return sorted((f.rule, f.severity) for f in findings)


def test_clean_submission_has_no_findings():
    assert check_submission(make_sub(), load_format("gov2021"), CTX) == []


def test_seed_checks_clean_in_gov2019_workspace_but_for_r11():
    spec = load_format("gov2019")
    values = {k: v for k, v in seed_values().items() if not spec.fields[k].computed}
    sub = make_sub("gov2019", values=values, texts=dict(SEED_TEXTS))
    ctx = CheckContext(year=2021, units=(Unit(SEED_TEXTS["unit_name"]),), today=date(2022, 2, 1))
    findings = check_submission(sub, spec, ctx)
    assert [(f.rule, f.severity, f.cells) for f in findings] == [
        ("R11", W, (a1("gov2019", "report_year"),))
    ]


def with_values(**changes: Any) -> dict[str, Any]:
    return {**BASE_VALUES, **changes}


# (id, submission, context, rule, severity, leading cells as field ids)
QUIET_TEXTS = {"text_request": "依申请公开工作平稳有序。", "text_active": "主动公开工作平稳有序。"}
CASES = [
    (
        "R1-result-extra",
        make_sub(values=with_values(apply_granted_natural=3)),
        CTX,
        "R1",
        E,
        (
            "apply_new_natural",
            "apply_carried_natural",
            "apply_total_natural",
            "apply_carry_over_natural",
        ),
    ),
    (
        "R2-typed-total",
        make_sub(typed={"apply_total_natural": 5}, no_formula=("apply_total_natural",)),
        CTX,
        "R2",
        E,
        ("apply_total_natural",),
    ),
    (
        "R3-typed-total",
        make_sub(typed={"apply_granted_total": 13}, no_formula=("apply_granted_total",)),
        CTX,
        "R3",
        E,
        ("apply_granted_total",),
    ),
    (
        "R3-formula-result-differs",
        make_sub(typed={"apply_new_total": 11}),
        CTX,
        "R3",
        E,
        ("apply_new_total",),
    ),
    (
        "R4-typed-total",
        make_sub(typed={"review_total": 2}, no_formula=("review_total",)),
        CTX,
        "R4",
        E,
        ("review_total",),
    ),
    (
        "typed-over-equal",
        make_sub(no_formula=("suit_direct_total",)),
        CTX,
        "total-typed-over",
        W,
        ("suit_direct_total",),
    ),
    (
        "typed-over-blank",
        make_sub(typed={"apply_new_total": None}, no_formula=("apply_new_total",)),
        CTX,
        "total-typed-over",
        W,
        ("apply_new_total",),
    ),
    (
        "R5-negative-count",
        make_sub(values=with_values(review_pending=-1)),
        CTX,
        "R5",
        E,
        ("review_pending",),
    ),
    (
        "R5-fraction-count",
        make_sub(values=with_values(active_penalty_decisions=Decimal("2.5"))),
        CTX,
        "R5",
        E,
        ("active_penalty_decisions",),
    ),
    (
        "R5-negative-money",
        make_sub(values=with_values(active_fee_amount=Decimal("-0.5"))),
        CTX,
        "R5",
        E,
        ("active_fee_amount",),
    ),
    (
        "R5-text-in-values",
        make_sub(values=with_values(apply_new_legal="两件")),
        CTX,
        "R5",
        E,
        ("apply_new_legal",),
    ),
    (
        "R5-bool",
        make_sub(values=with_values(active_license_decisions=True)),
        CTX,
        "R5",
        E,
        ("active_license_decisions",),
    ),
    (
        "R5-not-read",
        make_sub(drop=("apply_carry_over_legal",)),
        CTX,
        "R5",
        E,
        ("apply_carry_over_legal",),
    ),
    (
        "R6-applications",
        make_sub(texts={"text_request": "本年度受理政府信息公开申请10件。"}),
        CTX,
        "R6",
        E,
        ("text_request", "apply_new_total"),
    ),
    (
        "R6-chinese-numeral",
        make_sub(texts={"text_request": "全年共收到信息公开申请两件。"}),
        CTX,
        "R6",
        E,
        ("text_request", "apply_new_total"),
    ),
    (
        "R6-active",
        make_sub(texts={"text_active": "全年主动公开政府信息200条。"}),
        CTX,
        "R6",
        E,
        ("text_active", "overview_active_count"),
    ),
    (
        "R8-regulations",
        make_sub(values=with_values(active_rules_issued=1)),
        CTX,
        "R8",
        W,
        ("active_rules_issued",),
    ),
    (
        "R9-no-fee-notice",
        make_sub(values=with_values(apply_carried_other=1, apply_other_no_fee_other=1)),
        CTX,
        "R9",
        E,
        ("apply_other_no_fee_total", "fee_notice_count"),
    ),
    (
        "R9-fee-not-reported",
        make_sub(values=with_values(fee_collected_yuan=Decimal("30"))),
        CTX,
        "R9",
        W,
        ("fee_collected_yuan", "text_other"),
    ),
    (
        "R10-all-upheld",
        make_sub(
            values=with_values(review_pending=1), texts={"text_other": "行政复议案件均获维持。"}
        ),
        CTX,
        "R10",
        E,
        ("text_other", "review_pending"),
    ),
    (
        "R10-none-happened",
        make_sub(texts={"text_other": "本年度未发生因政府信息公开引起的行政复议。"}),
        CTX,
        "R10",
        E,
        ("text_other", "review_total"),
    ),
    (
        "R11-old-format",
        make_sub("gov2019", values={}, texts=QUIET_TEXTS),
        CTX,
        "R11",
        W,
        ("report_year",),
    ),
    (
        "R11-workspace-format-misfit",
        make_sub("gov2019", values={}, texts=QUIET_TEXTS),
        replace(CTX, format="gov2019"),
        "R11",
        W,
        ("report_year",),
    ),
    (
        "R3-only-total-typed",
        make_sub(
            values={},
            texts=QUIET_TEXTS,
            typed={"apply_new_total": 12},
            no_formula=("apply_new_total",),
        ),
        CTX,
        "R3",
        E,
        ("apply_new_total",),
    ),
    (
        "R2-typed-over-no-knock-on",
        make_sub(
            typed={"apply_total_natural": 5, "apply_total_total": 14},
            no_formula=("apply_total_natural",),
        ),
        CTX,
        "R2",
        E,
        ("apply_total_natural",),
    ),
    (
        "narrative-missing",
        make_sub(texts={"text_platform": "", "text_problems": ""}),
        CTX,
        "narrative-missing",
        W,
        ("text_platform", "text_problems"),
    ),
    (
        "contact-missing",
        make_sub(texts={"contact_phone": "", "contact_address": ""}),
        CTX,
        "contact-missing",
        W,
        ("contact_phone", "contact_address"),
    ),
    (
        "rollup-incomplete",
        with_meta(
            make_sub(),
            rollup_coverage='{"expected": 13, "included": 11, "excluded": ["甲局", "乙镇"]}',
        ),
        CTX,
        "rollup-incomplete",
        W,
        (),
    ),
    (
        "R12-late",
        make_sub(texts={"report_date": "2026-02-10"}),
        CheckContext(year=2025),
        "R12",
        W,
        ("report_date",),
    ),
    (
        "R12-custom-deadline",
        make_sub(texts={"report_date": "2026-01-20"}),
        CheckContext(year=2025, deadline="2026-01-15"),
        "R12",
        W,
        ("report_date",),
    ),
    ("R12-future", make_sub(texts={"report_date": "2026-01-28"}), CTX, "R12", W, ("report_date",)),
    (
        "R12-before-year",
        make_sub(texts={"report_date": "2024-12-30"}),
        CTX,
        "R12",
        E,
        ("report_date",),
    ),
    (
        "R12-before-year-end",
        make_sub(texts={"report_date": "2025-11-26"}),
        CheckContext(year=2025),
        "R12",
        E,
        ("report_date",),
    ),
    (
        "R12-not-a-date",
        make_sub(texts={"report_date": "二〇二六年一月"}),
        CTX,
        "R12",
        W,
        ("report_date",),
    ),
    (
        "year-mismatch",
        make_sub(texts={"report_year": "2024"}),
        CTX,
        "year-mismatch",
        E,
        ("report_year",),
    ),
    (
        "year-unreadable",
        make_sub(texts={"report_year": "二〇二五"}),
        CheckContext(),
        "year-mismatch",
        E,
        ("report_year",),
    ),
    (
        "unit-unknown",
        make_sub(texts={"unit_name": "长乐区人力资源社会保障局"}),
        CTX,
        "unit-unknown",
        E,
        ("unit_name",),
    ),
    (
        "required-missing",
        make_sub(texts={"unit_name": "  "}),
        CTX,
        "required-missing",
        E,
        ("unit_name",),
    ),
]


@pytest.mark.parametrize(
    ("sub", "ctx", "rule", "severity", "cells"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule(sub, ctx, rule, severity, cells):
    findings = check_submission(sub, load_format(sub.format), ctx)
    assert [(f.rule, f.severity) for f in findings] == [(rule, severity)], [
        f.message for f in findings
    ]
    expected = tuple(a1(sub.format, c) for c in cells)
    assert findings[0].cells[: len(expected)] == expected
    assert findings[0].message.endswith("。")


@pytest.mark.parametrize(
    ("case", "marked"),
    [("R1-result-extra", 4), ("R2-typed-total", 1), ("R3-typed-total", 1)],
)
def test_a_finding_marks_only_the_cells_of_its_own_equation(case, marked):
    """R1: the four cells of the balance, not the whole column; R2/R3: the typed-over total."""
    sub, ctx = next(c[1:3] for c in CASES if c[0] == case)
    (finding,) = check_submission(sub, load_format(sub.format), ctx)
    assert len(finding.cells) == marked
    assert len(finding.fields) >= marked  # the data still names every field involved


@pytest.mark.parametrize(
    ("ctx", "findings"),
    [
        (replace(CTX, format="gov2021"), []),  # the reader's template-other-format says it
        (replace(CTX, format="gov2019"), [("R11", W)]),  # the workspace's own format misfits
        (CheckContext(), [("R11", W)]),  # no config: the file's own year and format disagree
        (CTX, [("R11", W)]),  # no configured format: the file's year decides
    ],
    ids=["workspace-gov2021", "workspace-gov2019", "no-config", "no-format"],
)
def test_r11_only_when_nobody_else_says_it(ctx, findings):
    sub = make_sub("gov2019", values={}, texts=QUIET_TEXTS)
    got = check_submission(sub, load_format("gov2019"), ctx)
    assert [(f.rule, f.severity) for f in got] == findings


@pytest.mark.parametrize(
    ("typed", "no_formula"),
    [
        ({"apply_new_natural": "３", "apply_new_total": 9}, ()),  # text part, SUM skips it
        ({"apply_new_natural": "3", "apply_new_total": 9}, ()),
        ({"apply_total_natural": 3, "apply_total_total": 12}, ("apply_total_natural",)),
        ({"apply_total_natural": None, "apply_total_total": 9}, ("apply_total_natural",)),
    ],
    ids=["full-width-text", "text", "typed-over-equal-no-knock-on", "cleared-total-no-knock-on"],
)
def test_intact_formula_is_not_blamed_for_what_its_cells_hold(typed, no_formula):
    findings = check_submission(
        make_sub(typed=typed, no_formula=no_formula), load_format("gov2021"), CTX
    )
    assert all(f.rule not in ("R2", "R3") for f in findings), [f.message for f in findings]


def test_only_total_typed_asks_for_the_parts_not_zero():
    sub = make_sub(
        values={}, texts=QUIET_TEXTS, typed={"apply_new_total": 12}, no_formula=("apply_new_total",)
    )
    (f,) = check_submission(sub, load_format("gov2021"), CTX)
    assert "或改为 0" not in f.message
    assert "请在该行各列分别填写数字" in f.message


def test_narrative_missing_lists_the_empty_parts():
    sub = make_sub(texts={"text_platform": "", "text_problems": " "})
    (f,) = check_submission(sub, load_format("gov2021"), CTX)
    assert f.message == (
        "年度报告正文以下部分未填写：「一、（四）政府信息公开平台建设」、"
        "「五、存在的主要问题及改进情况」，生成的报告中将为空。请补填。"
    )


def test_r1_names_the_column_and_the_difference():
    (f,) = check_submission(
        make_sub(values=with_values(apply_granted_natural=3)), load_format("gov2021"), CTX
    )
    assert f.message == (
        "表三「自然人」列：本年新收 3 + 上年结转 1 = 4，但本年度办理结果总计 4 + 结转下年度继续办理 1 = 5，"
        "相差 1。请核对该列的办理结果和结转数是否漏填或多填。"
    )
    assert (f.expected, f.actual) == (4, 5)
    assert "apply_granted_natural" in f.fields  # in the data, not marked: the column is not wrong
    assert f.cells == tuple(
        a1("gov2021", c)
        for c in (
            "apply_new_natural",
            "apply_carried_natural",
            "apply_total_natural",
            "apply_carry_over_natural",
        )
    )


def test_r3_message_lists_the_parts():
    sub = make_sub(typed={"apply_granted_total": 13}, no_formula=("apply_granted_total",))
    (f,) = check_submission(sub, load_format("gov2021"), CTX)
    assert f.message == (
        "表三「（一）予以公开」行的「总计」应为 11（自然人 2 + 商业企业 9），但该格被改写为 13。"
        "如 13 是正确的总数，说明该行各列共少填 2，请补齐；如各列数字正确，请把该格改回公式"
        " =SUM(D8:I8)（合计格已锁定：先点“审阅—撤销工作表保护”，无需密码；"
        "也可向区政务公开办索取本单位的新模板重新填写），并核对该行各列数字。"
    )
    assert f.cells == (a1("gov2021", "apply_granted_total"),)
    assert (f.expected, f.actual) == (11, Decimal(13))


def test_unit_unknown_suggests_close_roster_names():
    sub = make_sub(texts={"unit_name": "长乐区人力资源社会保障局"})
    (f,) = check_submission(sub, load_format("gov2021"), CTX)
    assert f.expected == [UNIT]
    assert f"「{UNIT}」" in f.message


@pytest.mark.parametrize("name", [UNIT, "区人社局", " 区 人社局 "], ids=["name", "alias", "spaces"])
def test_roster_names_and_aliases_match(name):
    sub = make_sub(texts={"unit_name": name})
    assert check_submission(sub, load_format("gov2021"), CTX) == []


def test_without_roster_and_year_no_roster_or_year_checks():
    sub = make_sub(
        texts={"unit_name": "某某局", "report_year": "2019", "report_date": "2020-01-15"}
    )
    assert rules_of(check_submission(sub, load_format("gov2021"), CheckContext())) == [("R11", W)]


def test_many_unreadable_cells_are_one_finding():
    spec = load_format("gov2021")
    drop = tuple(f.id for f in spec.fields_of("apply") if not f.computed)[:30]
    findings = check_submission(make_sub(drop=drop), spec, CTX)
    assert [(f.rule, len(f.cells)) for f in findings] == [("R5", 30)]


def test_reader_findings_are_not_repeated():
    from workflow.domain.findings import Finding

    sub = make_sub(drop=("apply_new_legal",))
    sub.findings.append(
        Finding("R5", E, "读取时发现", ("apply_new_legal",), (a1("gov2021", "apply_new_legal"),))
    )
    assert check_submission(sub, load_format("gov2021"), CTX) == []


def test_unreadable_file_gets_only_info_findings():
    from workflow.domain.findings import Finding

    sub = Submission(format="gov2021", findings=[Finding("file-corrupt", E, "文件损坏。")])
    assert rules_of(check_submission(sub, load_format("gov2021"), CTX)) == [
        ("required-missing", E),
        ("required-missing", E),
        ("required-missing", E),
    ]


# ------------------------------------------------------------------------------- previous year

PREVIOUS = {
    "year": 2024,
    "format": "gov2021",
    "units": [
        {
            "name": "区人社局",
            "status": "accepted",
            "values": {"apply_carry_over_natural": 1, "active_normative_in_force": 3},
            "texts": {
                "text_problems": "一是信息公开的及时性还需加强，二是公开平台建设有待完善，三是工作人员业务能力有待提高。"
            },
        },
    ],
}


@pytest.mark.parametrize(
    ("values", "texts", "expected"),
    [
        (BASE_VALUES, {}, []),
        (with_values(apply_carried_natural=2, apply_carry_over_natural=2), {}, [("R7", W)]),
        (with_values(active_normative_in_force=6), {}, [("R8", W)]),
        (
            BASE_VALUES,
            {"text_problems": PREVIOUS["units"][0]["texts"]["text_problems"]},
            [("R13", W)],
        ),
        (
            BASE_VALUES,
            {
                "text_problems": "一是信息公开的及时性还需加强，二是公开平台建设有待完善，三是工作人员业务能力有待进一步提高。"
            },
            [("R13", W)],
        ),
        (
            BASE_VALUES,
            {
                "text_problems": "今年主要问题是政策解读形式单一，回应关切不够及时，下一步将丰富图解、视频等解读形式。"
            },
            [],
        ),
    ],
    ids=["consistent", "R7-carried", "R8-in-force", "R13-identical", "R13-near", "R13-new-text"],
)
def test_previous_year(values, texts, expected):
    ctx = CheckContext(year=2025, units=ROSTER, previous=PREVIOUS, today=date(2026, 1, 25))
    sub = make_sub(values=values, texts=texts)
    assert rules_of(check_submission(sub, load_format("gov2021"), ctx)) == expected


def test_r13_against_another_unit_this_year():
    text = "一是信息公开的及时性还需加强，二是公开平台建设有待完善，三是工作人员业务能力有待提高。"
    ctx = CheckContext(
        year=2025,
        units=ROSTER,
        peers={"长乐区教育局": {"text_problems": text}, UNIT: {"text_problems": text}},
    )
    (f,) = check_submission(make_sub(texts={"text_problems": text}), load_format("gov2021"), ctx)
    assert (f.rule, f.cells) == ("R13", (a1("gov2021", "text_problems"),))
    assert "长乐区教育局" in f.message


# ---------------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("我局受理“依申请公开政府信息”数为2件。", [2]),
        ("共收到政府信息公开申请15件，其中予以公开10件。", [15]),
        ("受理上年结转申请1件。", []),
        ("收到群众来信5件。", []),
    ],
    ids=["seed", "with-breakdown", "carried", "not-applications"],
)
def test_stated_applications(text, found):
    assert [n for n, _ in stated_applications(text)] == found


def test_compute_totals_sums_exactly():
    spec = load_format("gov2019")
    totals = compute_totals(
        spec,
        {
            "active_procurement_amount": Decimal("0.1"),
            "apply_new_natural": 2,
            "apply_new_legal": 3,
            "apply_granted_legal": 1,
        },
    )
    assert totals["apply_new_total"] == 5
    assert totals["apply_total_total"] == 1
    assert totals["active_procurement_amount"] == Decimal("0.1")
    assert set(totals) == {f.id for f in spec.numeric_fields}


# ------------------------------------------------------------------------------------- docs


def test_every_rule_id_is_documented():
    import re
    from pathlib import Path

    from workflow.rules.ids import READER_TITLES, RULE_IDS

    doc = (Path(__file__).parent.parent / "docs" / "rules.md").read_text("utf-8")
    documented = set(re.findall(r"^\| ([A-Za-z0-9-]+) \|", doc, flags=re.M))
    assert set(RULE_IDS) | set(READER_TITLES) <= documented


def test_every_rule_id_in_the_code_is_registered():
    import re
    from pathlib import Path

    from workflow.rules import RULE_IDS

    root = Path(__file__).parent.parent / "workflow" / "rules"
    source = "".join(p.read_text("utf-8") for p in sorted(root.glob("*.py")))
    emitted = set(re.findall(r'"(R\d+|[a-z]+(?:-[a-z]+)+)",\s*Severity\.', source))
    assert emitted and emitted <= RULE_IDS


def test_case_table_covers_every_rule_id():
    from workflow.rules import RULE_IDS

    assert {c[3] for c in CASES} | {"R7", "R13"} == RULE_IDS


@pytest.mark.parametrize(
    ("rule", "label"),
    [
        ("R1", "R1（勾稽关系：第一项加第二项等于第三项加第四项）"),
        ("R5", "R5（数字填写规范）"),
        ("required-missing", "［必填项未填写］"),
        ("format-legacy", "［非 .xlsx 格式］"),
        ("no-such-rule", "no-such-rule"),
    ],
)
def test_rule_label_names_every_id_in_chinese(rule, label):
    from workflow.rules import rule_label

    assert rule_label(rule) == label


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("长乐区人力资源社会保障局", [UNIT]),
        ("长乐区人社局", [UNIT]),
        ("长乐区教育", ["长乐区教育局"]),
        ("吴航街道", ["吴航街道办事处"]),
        ("财政局", []),
    ],
    ids=["typo", "abbreviation", "missing-char", "short-form", "unrelated"],
)
def test_closest_units(typed, expected):
    from workflow.rules.info import closest_units

    assert closest_units(typed, ROSTER) == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "全年共发生政府信息公开行政复议案件1件、行政诉讼案件0件。",
            [("行政复议", 1), ("行政诉讼", 0)],
        ),
        ("行政诉讼零起。", [("行政诉讼", 0)]),
        ("行政复议、行政诉讼案件2件，结果均获维持。", [("行政复议、行政诉讼", 2)]),
        ("行政复议、行政诉讼案件各1件。", []),
        ("上年行政复议1件已审结。", []),
        ("复议后起诉的行政诉讼后续2件。", []),
    ],
    ids=["both", "chinese-zero", "combined", "each", "last-year", "not-a-count"],
)
def test_stated_cases(text, found):
    from workflow.rules.stated import stated_cases

    assert [(k, n) for k, n, _ in stated_cases(text)] == found
