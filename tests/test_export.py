"""The level above, end to end: units → district (rollup) → export → city (the normal checker).

Each level's numbers are checked: the city's totals equal the sum of every unit of every district.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_rollup_properties import valid_inputs

from workflow.check.checker import check_file
from workflow.cli.commands import cli
from workflow.domain.check_result import CheckResult
from workflow.domain.records import UnitRecord
from workflow.domain.summary_json import summary_to_json
from workflow.errors import UsageProblem, WorkflowError
from workflow.formats.spec import load_format
from workflow.rollup.export import export_rollup, export_unit_name
from workflow.rollup.summary import build_summary
from workflow.rollup.totals import consolidate
from workflow.template.workbook import write_template
from workflow.workspace.config import load_settings

NOW = datetime(2022, 2, 10, 9, 30, tzinfo=timezone(timedelta(hours=8)))
DISTRICTS = {
    "长乐区": ["长乐区教育局", "长乐区卫生健康局", "吴航街道办事处"],
    "马尾区": ["马尾区教育局", "罗星街道办事处"],
}


def workspace(
    folder: Path, name: str, units: list[str], year: int = 2021, fmt: str = "gov2021"
) -> Path:
    folder.mkdir(parents=True)
    roster = "".join(
        f'[[units]]\nname = "{u}"\ncategory = "{"街道乡镇" if "街道" in u else "部门"}"\n'
        for u in units
    )
    config = folder / "workflow.toml"
    config.write_text(
        f'[district]\nname = "{name}"\nyear = {year}\nformat = "{fmt}"\n\n{roster}', "utf-8"
    )
    return config


def record_for(result: CheckResult, category: str) -> UnitRecord:
    return UnitRecord(
        name=result.unit,
        category=category,
        status=result.status,
        sha256=result.sha256,
        values=dict(result.values),
        errors=len(result.errors),
        warnings=len(result.warnings),
    )


def unit_texts(name: str, year: int) -> dict[str, str]:
    return {"report_date": f"{year + 1}-01-20", "contact_phone": "0591-28800000", "unit_name": name}


def district(
    tmp: Path,
    name: str,
    units: list[str],
    rng: random.Random,
    fmt: str = "gov2021",
    year: int = 2021,
):
    """Units fill templates; the district checks them, consolidates and writes summary.json."""
    spec = load_format(fmt)
    settings = load_settings(workspace(tmp / name, name, units, year, fmt))
    records, inputs = [], {}
    for unit in units:
        path = tmp / name / "inbox" / f"{unit}.xlsx"
        path.parent.mkdir(exist_ok=True)
        inputs[unit] = valid_inputs(spec, rng)
        write_template(
            path,
            spec,
            now=NOW,
            year=year,
            unit_name=unit,
            values=inputs[unit],
            texts=unit_texts(unit, year),
        )
        result = check_file(path, settings, now=NOW)
        assert result.status == "accepted", [f.message for f in result.errors]
        records.append(record_for(result, settings.find_unit(unit).category))
    summary = build_summary(settings, records, now=NOW)
    settings.year_outbox.mkdir(parents=True)
    (settings.year_outbox / "summary.json").write_text(summary_to_json(summary), "utf-8")
    return settings, summary, inputs


def input_sum(spec, inputs: dict[str, dict]) -> dict[str, object]:
    out = {}
    for f in spec.numeric_fields:
        if not f.computed:
            zero = Decimal(0) if f.kind == "money" else 0
            out[f.id] = sum((v[f.id] for v in inputs.values()), zero)
    return out


@pytest.mark.parametrize(
    ("fmt", "year"), [("gov2021", 2021), ("gov2019", 2020)], ids=["gov2021", "gov2019"]
)
def test_units_to_district_to_city(tmp_path, fmt, year):
    spec = load_format(fmt)
    rng = random.Random(5)
    exported, all_inputs = [], {}
    for name, units in DISTRICTS.items():
        settings, summary, inputs = district(tmp_path, name, units, rng, fmt, year)
        all_inputs |= inputs
        for fid, total in input_sum(spec, inputs).items():  # district level
            assert summary["totals"][fid] == total, fid
        out = tmp_path / "to_city" / f"{name}{year}年汇总.xlsx"
        result = export_rollup(settings, out, now=NOW)
        assert result.unit_name == f"{name}人民政府" and result.complete
        exported.append(out)
    city = load_settings(
        workspace(
            tmp_path / "福州市", "福州市", [export_unit_name(d) for d in DISTRICTS], year, fmt
        )
    )
    records = []
    for path in exported:
        result = check_file(path, city, now=NOW)
        assert result.status == "accepted", [f.message for f in result.errors]
        assert "rollup-incomplete" not in {f.rule for f in result.findings}
        records.append(record_for(result, "部门"))
    rollup = consolidate(spec, records)  # city level
    assert rollup.included == tuple(sorted(export_unit_name(d) for d in DISTRICTS))
    for fid, total in input_sum(spec, all_inputs).items():
        assert rollup.totals[fid] == total, fid


def test_incomplete_district_is_refused_unless_allowed(tmp_path):
    settings, summary, _ = district(tmp_path, "长乐区", ["长乐区教育局"], random.Random(1))
    summary["excluded"] = ["长乐区财政局"]
    summary["units_expected"] = 2
    (settings.year_outbox / "summary.json").write_text(summary_to_json(summary), "utf-8")
    with pytest.raises(UsageProblem, match="长乐区财政局.*未计入.*需加 --allow-incomplete") as exc:
        export_rollup(settings, tmp_path / "x.xlsx", now=NOW)
    assert exc.value.exit_code == 2
    result = export_rollup(settings, tmp_path / "x.xlsx", now=NOW, allow_incomplete=True)
    assert not result.complete and "这不是全区完整数据" in result.describe()
    check = check_file(tmp_path / "x.xlsx", None, now=NOW)
    first = check.texts["text_other"].split("\n")[0]
    assert first == "【本汇总未含全部单位】本区应报 2 个单位，已纳入 1 个，未纳入：长乐区财政局。"
    (coverage,) = [f for f in check.findings if f.rule == "rollup-incomplete"]  # machine-visible
    assert (coverage.severity, coverage.expected, coverage.actual) == ("warning", 2, 1)
    assert "长乐区财政局" in coverage.message and check.status == "accepted"


def test_incomplete_export_names_why_each_unit_is_missing(tmp_path):
    settings, summary, _ = district(tmp_path, "福州市", ["长乐区人民政府"], random.Random(4))
    summary["units"].append({"name": "闽侯县人民政府", "category": "区县", "status": "rejected"})
    summary["units"].append({"name": "连江县人民政府", "category": "区县", "status": "missing"})
    summary["excluded"] = ["闽侯县人民政府", "连江县人民政府"]
    summary["units_expected"] = 3
    (settings.year_outbox / "summary.json").write_text(summary_to_json(summary), "utf-8")
    with pytest.raises(
        UsageProblem, match="闽侯县人民政府（未通过校验）、连江县人民政府（未报送）"
    ):
        export_rollup(settings, tmp_path / "x.xlsx", now=NOW)
    export_rollup(settings, tmp_path / "x.xlsx", now=NOW, allow_incomplete=True)
    texts = check_file(tmp_path / "x.xlsx", None, now=NOW).texts
    assert texts["text_other"].startswith(
        "【本汇总未含全部单位】本市应报 3 个单位，已纳入 1 个，"
        "未纳入：闽侯县人民政府（未通过校验）、连江县人民政府（未报送）。"
    )
    assert "全市新收政府信息公开申请" in texts["text_request"]
    assert "全区" not in "".join(texts.values())


def test_cli_export_rollup_incomplete_is_a_usage_problem(tmp_path):
    settings, summary, _ = district(tmp_path, "长乐区", ["长乐区教育局"], random.Random(5))
    summary["excluded"] = ["长乐区财政局"]
    (settings.year_outbox / "summary.json").write_text(summary_to_json(summary), "utf-8")
    args = [
        "export-rollup",
        "--config",
        str(settings.config_path),
        "--out",
        str(tmp_path / "x.xlsx"),
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    run = subprocess.run(
        [sys.executable, "-m", "workflow", *args], env=env, capture_output=True, text=True,
        encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert "需加 --allow-incomplete" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_a_hand_edited_summary_is_refused(tmp_path):
    settings, summary, _ = district(tmp_path, "长乐区", ["长乐区教育局"], random.Random(2))
    summary["totals"]["apply_new_total"] += 1
    (settings.year_outbox / "summary.json").write_text(summary_to_json(summary), "utf-8")
    with pytest.raises(WorkflowError, match="可能被手工改动过"):
        export_rollup(settings, tmp_path / "x.xlsx", now=NOW)


def test_missing_summary_tells_what_to_run(tmp_path):
    settings = load_settings(workspace(tmp_path / "ws", "长乐区", ["长乐区教育局"]))
    with pytest.raises(WorkflowError, match="workflow --once"):
        export_rollup(settings, tmp_path / "x.xlsx", now=NOW)


@pytest.mark.parametrize(
    ("district_name", "expected"),
    [
        ("长乐区", "长乐区人民政府"),
        ("长乐区人民政府", "长乐区人民政府"),
        ("闽侯县", "闽侯县人民政府"),
    ],
    ids=["district", "already-government", "county"],
)
def test_export_unit_name(district_name, expected):
    assert export_unit_name(district_name) == expected


def test_cli_export_rollup(tmp_path):
    settings, _, _ = district(tmp_path, "长乐区", ["长乐区教育局"], random.Random(3))
    out = tmp_path / "导出" / "长乐区2021年汇总.xlsx"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["export-rollup", "--config", str(settings.config_path), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "已导出长乐区人民政府2021年汇总数据" in result.output
    assert out.exists()


@pytest.mark.parametrize("name", [".", "汇总.docx"], ids=["a-folder", "not-xlsx"])
def test_export_target_must_be_an_xlsx_file(tmp_path, name):
    settings, _, _ = district(tmp_path, "长乐区", ["长乐区教育局"], random.Random(2))
    with pytest.raises(UsageProblem) as exc:
        export_rollup(settings, tmp_path / name, now=NOW)
    assert exc.value.exit_code == 2
