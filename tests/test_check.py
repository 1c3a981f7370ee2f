"""check_file and `workflow check` end to end, through real template files written by write_template."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from workflow.check.checker import check_file, load_previous
from workflow.cli.commands import cli
from workflow.domain.roster import Unit
from workflow.errors import ConfigError, UsageProblem
from workflow.formats.layout import field_cells
from workflow.formats.seed import SEED_TEXTS, SEED_UNIT, seed_values
from workflow.formats.spec import load_format
from workflow.template.workbook import write_template
from workflow.workspace.config import load_settings
from workflow.workspace.init import create_workspace
from workflow.workspace.roster_book import ROSTER_NAME, write_roster_book

NOW = datetime(2022, 1, 27, 10, 0, tzinfo=UTC)
SEED_SPEC = load_format("gov2019")
SEED_INPUTS = {k: v for k, v in seed_values().items() if not SEED_SPEC.fields[k].computed}


def a1(fid: str, spec_id: str = "gov2019") -> str:
    sheet, cell = field_cells(load_format(spec_id))[fid]
    return f"{sheet}!{cell}"


def seed_file(path: Path, **changes) -> Path:
    values = {**SEED_INPUTS, **changes.pop("values", {})}
    write_template(
        path,
        SEED_SPEC,
        now=NOW,
        year=2021,
        unit_name=SEED_UNIT,
        values=values,
        texts=SEED_TEXTS,
        **changes,
    )
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A gov2019 workspace for 2021 whose roster holds the seed's unit."""
    config = create_workspace(tmp_path / "ws", district="长乐区", year=2021, format_id="gov2019")
    roster = [Unit(SEED_UNIT, aliases=("区人社局",)), Unit("长乐区教育局")]
    write_roster_book(config.parent / ROSTER_NAME, roster, district="长乐区")
    return config


def test_seed_checks_clean_in_a_gov2019_workspace(tmp_path, workspace):
    settings = load_settings(workspace)
    result = check_file(seed_file(tmp_path / "人社局.xlsx"), settings, now=NOW)
    assert [(f.rule, f.severity) for f in result.findings] == [("R11", "warning")]
    assert (result.status, result.unit, result.year, result.format) == (
        "accepted",
        SEED_UNIT,
        2021,
        "gov2019",
    )
    assert result.values == seed_values()
    assert len(result.sha256) == 64


def test_bad_file_reports_every_problem_with_its_cell(tmp_path, workspace):
    path = seed_file(
        tmp_path / "bad.xlsx",
        values={"apply_granted_natural": 1, "apply_new_business": "/", "review_upheld": -1},
        overrides={"apply_granted_total": 0, "apply_carry_over_total": 0},
    )
    result = check_file(path, load_settings(workspace), now=NOW)
    got = [(f.rule, f.severity, f.cells[0]) for f in result.findings]
    assert got == [
        ("R1", "error", a1("apply_new_natural")),
        ("R5", "error", a1("apply_new_business")),
        ("R3", "error", a1("apply_granted_total")),
        ("R5", "error", a1("review_upheld")),
        ("R11", "warning", a1("report_year")),  # template order: 基本信息 before 表三
        ("total-typed-over", "warning", a1("apply_carry_over_total")),
    ]
    assert result.status == "rejected"
    assert result.values["apply_total_natural"] == 3  # computed, never trusted from the file


def test_unit_not_in_roster_and_wrong_year(tmp_path, workspace):
    path = tmp_path / "x.xlsx"
    texts = {**SEED_TEXTS, "unit_name": "长乐区人力资源社会保障局", "report_year": "2020"}
    write_template(path, SEED_SPEC, now=NOW, values=SEED_INPUTS, texts=texts)
    result = check_file(path, load_settings(workspace), now=NOW)
    assert {f.rule for f in result.errors} == {"unit-unknown", "year-mismatch"}
    unknown = next(f for f in result.errors if f.rule == "unit-unknown")
    assert unknown.expected == [SEED_UNIT]


def test_not_a_spreadsheet_is_rejected_without_raising(tmp_path):
    path = tmp_path / "报告.xlsx"
    path.write_text("这不是表格", "utf-8")
    result = check_file(path, None, now=NOW)
    assert result.status == "rejected"
    assert result.findings[0].rule.startswith("file-")


def test_json_shape(tmp_path):
    data = check_file(seed_file(tmp_path / "s.xlsx"), None, now=NOW).to_json()
    assert list(data) == [
        "file",
        "sha256",
        "unit",
        "year",
        "format",
        "status",
        "values",
        "findings",
    ]
    assert list(data["findings"][0]) == [
        "rule",
        "severity",
        "fields",
        "cells",
        "expected",
        "actual",
        "message",
    ]
    json.dumps(data, ensure_ascii=False)


def test_money_stays_exact(tmp_path):
    path = seed_file(tmp_path / "m.xlsx", values={"active_procurement_amount": Decimal("12.34")})
    result = check_file(path, None, now=NOW)
    assert result.values["active_procurement_amount"] == Decimal("12.34")
    assert result.to_json()["values"]["active_procurement_amount"] == 12.34


def test_previous_summary_is_used_and_checked(tmp_path, workspace):
    previous = {
        "units": [
            {
                "name": SEED_UNIT,
                "status": "accepted",
                "values": {"apply_carry_over_natural": 4},
                "texts": {},
            }
        ]
    }
    (workspace.parent / "last.json").write_text(json.dumps(previous), "utf-8")
    with workspace.open("a", encoding="utf-8") as f:
        f.write('\n[previous]\nsummary = "last.json"\n')
    settings = load_settings(workspace)
    result = check_file(
        seed_file(tmp_path / "s.xlsx"), settings, now=NOW, previous=load_previous(settings)
    )
    assert ("R7", a1("apply_carried_natural")) in [(f.rule, f.cells[0]) for f in result.findings]
    (workspace.parent / "last.json").write_text("{", "utf-8")
    with pytest.raises(ConfigError):
        load_previous(settings)


# ------------------------------------------------------------------------------------ the CLI


def run(args: list[str], cwd: Path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(cli, args, catch_exceptions=False)


def test_cli_human_output_and_exit_codes(tmp_path):
    good = seed_file(tmp_path / "good.xlsx")
    bad = seed_file(tmp_path / "bad.xlsx", values={"apply_granted_natural": 1})
    result = run(["check", str(good)], tmp_path)
    assert result.exit_code == 0
    assert "未使用配置文件" in result.output
    assert (
        "good.xlsx（福州市长乐区人力资源和社会保障局）：已通过，错误 0 个，提示 1 个。"
        in result.output
    )
    result = run(["check", str(good), str(bad)], tmp_path)
    assert result.exit_code == 1
    assert (
        f"  {a1('apply_new_natural')}: 错误 R1（勾稽关系：第一项加第二项等于第三项加第四项） 表三「自然人」列："
        in result.output
    )
    assert (
        "bad.xlsx（福州市长乐区人力资源和社会保障局）：未通过，错误 1 个，提示 1 个。"
        in result.output
    )


def test_cli_json(tmp_path):
    bad = seed_file(tmp_path / "bad.xlsx", values={"apply_granted_natural": 1})
    result = run(["check", "--json", str(bad)], tmp_path)
    assert result.exit_code == 1
    (data,) = json.loads(result.stdout)
    assert data["status"] == "rejected"
    assert data["findings"][0]["rule"] == "R1"


def test_cli_usage_and_config_problems_exit_2(tmp_path):
    good = seed_file(tmp_path / "good.xlsx")
    with pytest.raises(UsageProblem) as missing:
        run(["check", str(tmp_path / "missing.xlsx")], tmp_path)
    assert missing.value.exit_code == 2
    assert "找不到要校验的文件" in str(missing.value)
    broken = tmp_path / "broken.toml"
    broken.write_text("[district\n", "utf-8")
    from workflow.cli.commands import main

    with pytest.raises(SystemExit) as exc:
        import sys

        argv, sys.argv = sys.argv, ["workflow", "check", "--config", str(broken), str(good)]
        try:
            main()
        finally:
            sys.argv = argv
    assert exc.value.code == 2


def test_cli_with_config_and_feedback(tmp_path, workspace):
    bad = seed_file(tmp_path / "bad.xlsx", values={"apply_granted_natural": 1})
    before = sorted(p.relative_to(workspace.parent) for p in workspace.parent.rglob("*"))
    out = tmp_path / "fb"
    result = run(["check", "--config", str(workspace), "--feedback", str(out), str(bad)], tmp_path)
    assert result.exit_code == 1
    assert "未使用配置文件" not in result.output
    folder = out / SEED_UNIT
    assert sorted(p.name for p in folder.iterdir()) == ["回执_bad.txt", "校验结果_bad.xlsx"]
    assert sorted(p.relative_to(workspace.parent) for p in workspace.parent.rglob("*")) == before


def test_peers_text_copied_from_another_unit(tmp_path):
    path = seed_file(tmp_path / "s.xlsx")
    peers = {"长乐区教育局": {"text_problems": SEED_TEXTS["text_problems"]}}
    result = check_file(path, None, now=NOW, peers=peers)
    assert ("R13", a1("text_problems")) in [(f.rule, f.cells[0]) for f in result.findings]


def test_alias_is_reported_under_the_roster_name(tmp_path, workspace):
    path = tmp_path / "alias.xlsx"
    texts = {**SEED_TEXTS, "unit_name": "区人社局"}
    write_template(path, SEED_SPEC, now=NOW, values=SEED_INPUTS, texts=texts)
    result = check_file(path, load_settings(workspace), now=NOW)
    assert (result.unit, result.status) == (SEED_UNIT, "accepted")


# -- what a clerk sees (QA of files saved by a clerk) ----------------------------------------------

import corpus  # noqa: E402  (tests/ is on sys.path: the corpus of generated files)

FULL_TEXTS = {
    "report_date": "2026-01-05",
    "contact_phone": "0591-28888888",
    "contact_address": "某某区某路1号",
    **dict.fromkeys(
        (
            "text_active",
            "text_request",
            "text_management",
            "text_platform",
            "text_supervision",
            "text_problems",
        ),
        "本年度各项工作平稳有序。",
    ),
}
CLERK_NOW = corpus.NOW


def a1_2021(fid: str) -> str:
    return a1(fid, "gov2021")


@pytest.fixture
def ws2025(tmp_path: Path) -> Path:
    """A gov2021 workspace for 2025 whose roster holds the corpus unit."""
    config = create_workspace(tmp_path / "ws", district="某某区", year=2025, format_id="gov2021")
    roster = [Unit(corpus.UNIT), Unit("某某区教育局", aliases=("区教育局",))]
    write_roster_book(config.parent / ROSTER_NAME, roster, district="某某区")
    return config


def clerk_file(path: Path, format_id: str = "gov2021", **kw: object) -> Path:
    texts = {**FULL_TEXTS, **kw.pop("texts", {})}  # type: ignore[dict-item]
    return corpus.template(path, format_id, texts=texts, **kw)  # type: ignore[arg-type]


BALANCED = {
    "apply_new_natural": 10,
    "apply_granted_natural": 10,
    "apply_new_business": 2,
    "apply_granted_business": 2,
}
BLANK_APPLY = {
    f.id: None for f in load_format("gov2021").input_fields if f.numeric and f.part == "apply"
}


@pytest.mark.parametrize(
    ("values", "overrides", "expected"),
    [
        (  # full-width digits in a number cell: counted, one 提示, the total's formula not blamed
            {**BALANCED, "apply_new_natural": "１０"},
            {},
            [("R5", "warning", ("apply_new_natural",))],
        ),
        (  # "10" stored as text in a number cell
            {**BALANCED, "apply_new_natural": "10"},
            {},
            [("R5", "warning", ("apply_new_natural",))],
        ),
        (  # a typed-over column total: blamed once, not again on the grand total that adds it
            {"apply_granted_natural": 6, "apply_new_natural": 6},
            {"apply_total_natural": 9},
            [("R2", "error", ("apply_total_natural",))],
        ),
        (  # every 表三 number deleted: one finding listing every cell
            BLANK_APPLY,
            {},
            [("R5", "error", tuple(BLANK_APPLY))],
        ),
        (  # ten blanks stay ten findings
            dict(list(BLANK_APPLY.items())[:2]),
            {},
            [("R5", "error", (fid,)) for fid in list(BLANK_APPLY)[:2]],
        ),
    ],
    ids=["full-width", "text-number", "typed-over-no-knock-on", "all-blank", "two-blank"],
)
def test_clerk_numbers(tmp_path, ws2025, values, overrides, expected):
    path = clerk_file(tmp_path / "报表.xlsx", values=values, overrides=overrides)
    result = check_file(path, load_settings(ws2025), now=CLERK_NOW)
    got = [(f.rule, str(f.severity), f.cells) for f in result.findings]
    assert got == [(r, s, tuple(a1_2021(c) for c in cells)) for r, s, cells in expected]


def test_text_number_message_and_value(tmp_path, ws2025):
    path = clerk_file(tmp_path / "报表.xlsx", values={**BALANCED, "apply_new_natural": "１０"})
    result = check_file(path, load_settings(ws2025), now=CLERK_NOW)
    (f,) = result.findings
    assert f.message == (
        "表三「一、本年新收政府信息公开申请数量」·自然人（三、依申请公开!D6）填写的是文本“１０”，"
        "已按 10 计入；请改为半角数字（数字格式），否则表内合计和自检不会计入该数。"
    )
    assert result.values["apply_new_natural"] == 10
    assert result.values["apply_new_total"] == 12


def test_many_blanks_message(tmp_path, ws2025):
    path = clerk_file(tmp_path / "报表.xlsx", values=BLANK_APPLY)
    (f,) = check_file(path, load_settings(ws2025), now=CLERK_NOW).findings
    coords = [a1_2021(fid).rpartition("!")[2] for fid in BLANK_APPLY]
    assert f.message == (
        f"表三有 {len(BLANK_APPLY)} 个数字格为空（或填“/”“无”），没有数据请填 0。"
        f"涉及：{'、'.join(coords[:10])}（前 10 个）等。"
    )


@pytest.mark.parametrize(
    ("make", "rule"),
    [
        (lambda p: corpus.text_file(p.with_suffix(".csv")), "file-not-spreadsheet"),
        (lambda p: corpus.docx_document(p), "file-not-spreadsheet"),
        (lambda p: corpus.encrypted_workbook(p), "file-encrypted"),
        (lambda p: (p.write_bytes(b""), p)[1], "file-empty"),
        (lambda p: (p.write_bytes(b"PK\x03\x04 truncated"), p)[1], "file-corrupt"),
    ],
    ids=["csv", "docx-renamed", "encrypted", "empty", "corrupt"],
)
def test_unreadable_file_gets_only_the_file_finding(tmp_path, ws2025, make, rule):
    path = make(tmp_path / "报表.xlsx")
    result = check_file(path, load_settings(ws2025), now=CLERK_NOW)
    assert [(f.rule, str(f.severity), f.cells) for f in result.findings] == [(rule, "error", ())]
    data = result.to_json()
    assert (data["format"], data["values"], data["status"]) == (None, {}, "rejected")
    from workflow.check.feedback import receipt_text

    assert "表格格式：（未能读取）" in receipt_text(result, path, now=CLERK_NOW)


def test_old_format_template_in_a_new_workspace_is_one_clear_error(tmp_path, ws2025):
    path = clerk_file(tmp_path / "报表.xlsx", "gov2019", values={"apply_new_natural": "/"})
    result = check_file(path, load_settings(ws2025), now=CLERK_NOW)
    (f,) = result.findings
    assert (f.rule, f.severity, f.cells) == ("template-other-format", "error", ())
    assert f.message == (
        "本文件使用的是〔2019〕60号旧格式模板，本区 2025 年度使用〔2021〕30号格式。"
        "请用 `workflow template` 生成的新模板（或向区政务公开办索取）重新填写。"
    )


@pytest.mark.parametrize(
    ("texts", "roster", "expected"),
    [
        ({"report_year": "2024"}, (), [("year-mismatch", "error", ("report_year",))]),
        (
            {"unit_name": "某某区司法"},
            (corpus.UNIT, "某某区教育局"),
            [("unit-unknown", "error", ("unit_name",))],
        ),
        ({"unit_name": "随便写的单位"}, (), []),  # no roster in the template: not checked
        ({}, (corpus.UNIT,), []),
    ],
    ids=["year-differs-from-meta", "unit-not-in-meta-roster", "no-roster", "clean"],
)
def test_check_without_config_uses_the_template_meta(tmp_path, texts, roster, expected):
    path = tmp_path / "报表.xlsx"
    write_template(
        path,
        load_format("gov2021"),
        now=corpus.NOW,
        year=2025,
        unit_name=corpus.UNIT,
        values={},
        texts={**FULL_TEXTS, **texts},
        roster=roster,
    )
    result = check_file(path, None, now=CLERK_NOW)
    got = [(f.rule, str(f.severity), f.cells) for f in result.findings]
    assert got == [(r, s, tuple(a1_2021(c) for c in cells)) for r, s, cells in expected]
    if expected and expected[0][0] == "unit-unknown":
        assert result.findings[0].expected == [corpus.UNIT]
    if expected and expected[0][0] == "year-mismatch":
        assert result.findings[0].message == (
            "「年度」填写为「2024」，与所用模板的年度（2025）不符。"
            "请使用 2024 年度的填报模板，或改正年度。"
        )


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (
            {"text_management": "", "text_problems": ""},
            [("narrative-missing", "warning", ("text_management", "text_problems"))],
        ),
        ({"contact_phone": ""}, [("contact-missing", "warning", ("contact_phone",))]),
    ],
    ids=["narrative", "contact"],
)
def test_blank_narrative_and_contact_are_warnings(tmp_path, ws2025, texts, expected):
    path = clerk_file(tmp_path / "报表.xlsx", values={}, texts=texts)
    result = check_file(path, load_settings(ws2025), now=CLERK_NOW)
    got = [(f.rule, str(f.severity), f.cells) for f in result.findings]
    assert got == [(r, s, tuple(a1_2021(c) for c in cells)) for r, s, cells in expected]
    assert result.status == "accepted"


def test_findings_in_template_order(tmp_path, ws2025):
    values = {"apply_new_natural": "/", "apply_granted_natural": "/", "apply_new_business": "/"}
    path = clerk_file(tmp_path / "报表.xlsx", values=values, texts={"report_year": "2024"})
    result = check_file(path, load_settings(ws2025), now=CLERK_NOW)
    cells = [f.cells[0] for f in result.findings]
    assert cells == [
        a1_2021("report_year"),
        a1_2021("apply_new_natural"),
        a1_2021("apply_new_business"),
        a1_2021("apply_granted_natural"),
    ]


def test_cli_names_each_rule_in_chinese(tmp_path):
    path = clerk_file(tmp_path / "报表.xlsx", values={}, texts={"report_date": ""})
    result = run(["check", str(path)], tmp_path)
    assert "错误 ［必填项未填写］ 「基本信息」中的「成文日期」未填写" in result.output
    assert "年度按模板所写年度核对" in result.output


@pytest.mark.parametrize(
    ("values", "overrides"),
    [
        ({**BALANCED, "apply_granted_natural": 12}, {"apply_new_total": 30}),  # the demo's case
        ({**BALANCED, "review_upheld": "/"}, {}),
        ({**BALANCED, "apply_granted_natural": 11, "apply_granted_legal": 1}, {}),
    ],
    ids=["r1-and-typed-total", "r5-one-cell", "two-r1"],
)
def test_receipt_and_self_check_count_errors_alike(tmp_path, ws2025, values, overrides):
    """The receipt's 错误 N 个, the 校验结果 sheet and the workbook's own 自检 agree."""
    import openpyxl

    from workflow.check.annotate import RESULT_SHEET
    from workflow.check.feedback import write_feedback

    path = clerk_file(tmp_path / "报表.xlsx", values=values, overrides=overrides)
    result = check_file(path, load_settings(ws2025), now=CLERK_NOW)
    own = openpyxl.load_workbook(path, data_only=True)["自检"]  # the results the file shows
    failed = [r[5] for r in own.iter_rows(min_row=5, values_only=True) if "未通过" in str(r[5])]
    assert len(result.errors) == len(failed) > 0
    assert own["A2"].value.startswith(f"有{len(failed)}项检查未通过")
    out = write_feedback(result, path, tmp_path / "fb", now=CLERK_NOW)
    receipt = out["receipt"].read_text("utf-8-sig")
    assert f"错误 {len(result.errors)} 个" in receipt
    sheet = openpyxl.load_workbook(out["annotated"])[RESULT_SHEET]
    assert f"错误 {len(result.errors)} 个" in sheet["A1"].value
