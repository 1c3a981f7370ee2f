"""check_file and `workflow check` end to end, through real template files written by write_template."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from workflow.check import check_file, load_previous
from workflow.cli import cli
from workflow.config import load_settings
from workflow.errors import ConfigError, UsageProblem
from workflow.layout import field_cells
from workflow.seed import SEED_TEXTS, SEED_UNIT, seed_values
from workflow.spec import load_format
from workflow.template_xlsx import write_template
from workflow.workspace import create_workspace

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
    text = config.read_text("utf-8").replace(
        'name = "长乐区人力资源和社会保障局"', f'name = "{SEED_UNIT}"'
    )
    config.write_text(text, "utf-8")
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
    from workflow.cli import main

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
