"""A tool's first year: ``[previous] reports`` names a folder of last year's published reports (the
tool's own unit reports of a 2024 run, a real 2021 report, a broken file, a stranger's report). The
pass reads them, matches them to the roster, and R7, R8, R13 and the year-over-year columns work."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from workflow.check.checker import check_file, load_previous
from workflow.check.previous_reports import CACHE_NAME, match_report
from workflow.cli.demo import (
    DEMO_UNITS,
    sample_texts,
    sample_values,
    workspace_config,
    write_submission,
)
from workflow.domain.records import UnitRecord
from workflow.domain.roster import Unit
from workflow.domain.settings import Settings
from workflow.errors import ConfigError
from workflow.formats.spec import load_format
from workflow.rules.totals import compute_totals
from workflow.workspace.config import load_settings

CORPUS = Path(__file__).parent / "corpus" / "reports"
NOW = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
LAST = datetime(2025, 1, 20, 9, 0, tzinfo=UTC)
SPEC = load_format("gov2021")
KEPT, BROKE, COPIED = (u[0] for u in DEMO_UNITS[1:4])  # 教育局, 卫生健康局, 市场监督管理局
_TEXT_IDS = ("text_active", "text_request", "text_management", "text_platform", "text_supervision", "text_problems")  # fmt: skip
COLUMNS = [c.id for c in SPEC.apply.columns if not c.computed]


def _last_year(name: str) -> dict:
    return compute_totals(SPEC, sample_values(SPEC, name))


def _this_year(name: str) -> dict:
    """This year's inputs: 上年结转 = last year's 结转下年度 and 现行有效 carried on (R7, R8 hold),
    except for BROKE, one more of each."""
    last, now = _last_year(name), dict(sample_values(SPEC, name))
    for c in COLUMNS:
        d = last[f"apply_carry_over_{c}"] - now[f"apply_carried_{c}"] + (name == BROKE and c == "natural")  # fmt: skip
        now[f"apply_carried_{c}"] += d
        now[f"apply_granted_{c}"] += d
        if now[f"apply_granted_{c}"] < 0:
            now[f"apply_granted_{c}"] -= d
            now[f"apply_new_{c}"] -= d
    issued, repealed = now["active_normative_issued"], now["active_normative_repealed"]
    now["active_normative_in_force"] = last["active_normative_in_force"] + issued - repealed + (name == BROKE) * 5  # fmt: skip
    return now


def _write_last_year(folder: Path) -> None:
    """The tool's own 2024 unit reports (Word and PDF), a real 2021 report, a broken PDF and the
    report of a unit not on the roster."""
    from workflow.report.docx import write_unit_report
    from workflow.report.pdf_typst import write_unit_report_pdf

    settings = Settings(workspace=folder, district="福州市长乐区", year=2024, format="gov2021")
    folder.mkdir()
    for i, (name, *_rest, topics) in enumerate(DEMO_UNITS[1:5] + DEMO_UNITS[6:7]):
        values = _last_year(name)
        texts = sample_texts(name, 2024, values, topics) | {"unit_name": name}
        record = UnitRecord(name=name, category="部门", status="accepted", values=values, texts=texts)  # fmt: skip
        short = name.removeprefix("福州市长乐区")
        if i == 1:
            write_unit_report_pdf(settings, record, folder / f"{short}2024年年报.pdf", now=LAST)
        else:
            write_unit_report(settings, record, folder / f"{short}2024年年报.docx", now=LAST)
    shutil.copy(CORPUS / "fz_changle_rsj_2021_dept.txt", folder / "人社局2021年报.txt")
    (folder / "扫描件.pdf").write_bytes(b"%PDF-1.4\n%broken\n")
    again = (folder / "教育局2024年年报.docx").read_bytes()
    (folder / "重复").mkdir()
    (folder / "重复" / "教育局年报.docx").write_bytes(again)  # the same unit twice: listed


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("first-year")
    _write_last_year(root / "上年年报")
    units = [
        u[:5] for u in DEMO_UNITS[:6]
    ]  # 人社局 … 自然资源和规划局 (no report last year: 人社局)
    text = workspace_config("福州市长乐区", 2025, units, settle_seconds=0.0, pdf=False)
    (root / "workflow.toml").write_text(text + '\n[previous]\nreports = "上年年报"\n', "utf-8")
    roster = tuple(u[0] for u in units)
    for name in (KEPT, BROKE, COPIED):
        values = _this_year(name)
        texts = {"report_date": "2026-01-15"}
        if name == KEPT:  # new words this year (short: too short to count as copied)
            texts |= {k: f"{k[5:]}：本年度按新的工作安排推进。" for k in _TEXT_IDS}
        if name == COPIED:  # last year's words again
            topics = next(u[5] for u in DEMO_UNITS if u[0] == name)
            texts |= {k: v for k, v in sample_texts(name, 2024, _last_year(name), topics).items() if k.startswith("text_")}  # fmt: skip
        path = root / "inbox" / f"{name}.xlsx"
        write_submission(path, SPEC, name, 2025, now=NOW, roster=roster, values=values, texts=texts)  # fmt: skip
    return root


@pytest.fixture(scope="module")
def passed(workspace: Path) -> dict:
    from workflow.pipeline.one_pass import run_once

    settings = dataclasses.replace(load_settings(workspace / "workflow.toml"), pdf="")
    run_once(settings, now=NOW, clock=lambda: NOW)
    return json.loads((workspace / "outbox" / "2025" / "summary.json").read_text("utf-8"))


def test_last_years_reports_become_last_years_summary(workspace: Path) -> None:
    previous = load_previous(load_settings(workspace / "workflow.toml"))
    assert previous is not None and previous["year"] == 2024
    by_name = {u["name"]: u for u in previous["units"]}
    assert set(by_name) == {u[0] for u in DEMO_UNITS[1:5]}  # docx and PDF, matched by title
    for name, unit in by_name.items():
        want = _last_year(name)
        table = {f.id for f in SPEC.table_fields}
        assert {k: v for k, v in unit["values"].items() if k in table} == {k: v for k, v in want.items() if k in table}  # fmt: skip
        assert unit["texts"]["text_active"]
    reports = previous["reports"]
    assert (
        reports["folder"] == "上年年报"
    )  # relative to the workspace, like every path in summary.json
    assert [u["file"] for u in reports["unreadable"]] == ["扫描件.pdf"]
    unmatched = {u["file"]: u["reason"] for u in reports["unmatched"]}
    assert set(unmatched) == {"人社局2021年报.txt", "重复/教育局年报.docx", "吴航街道办事处2024年年报.docx"}  # fmt: skip
    assert "不在名单中" in unmatched["吴航街道办事处2024年年报.docx"]
    assert unmatched["重复/教育局年报.docx"].endswith("已采用 教育局2024年年报.docx")
    assert "2021 年" in unmatched["人社局2021年报.txt"]
    assert reports["units_without_report"] == [DEMO_UNITS[0][0], DEMO_UNITS[5][0]]
    total = sum(_last_year(n)["apply_new_total"] for n in by_name)
    assert previous["totals"]["apply_new_total"] == total


def test_r7_r8_r13_in_the_first_year(workspace: Path, passed: dict) -> None:
    settings = load_settings(workspace / "workflow.toml")
    previous = load_previous(settings)
    archived = {u["name"]: workspace / u["source"] for u in passed["units"] if u["source"]}
    rules = {
        name: {
            f.rule
            for f in check_file(archived[name], settings, now=NOW, previous=previous).findings
        }  # fmt: skip
        for name in (KEPT, BROKE, COPIED)
    }
    assert "R7" in rules[BROKE] and "R8" in rules[BROKE]
    assert not {"R7", "R8", "R13"} & rules[KEPT]
    assert "R13" in rules[COPIED]
    yoy = {(e["unit"], e["rule"]) for e in passed["year_over_year"]}
    assert (BROKE, "R7") in yoy and (BROKE, "R8") in yoy
    assert not {(KEPT, "R7"), (KEPT, "R8")} & yoy


def test_year_over_year_columns_and_listing(workspace: Path, passed: dict) -> None:
    from openpyxl import load_workbook

    prev = passed["previous"]
    assert prev["year"] == 2024 and prev["totals"]["apply_new_total"] > 0
    change = passed["changes_vs_previous"]["apply_new_total"]
    assert change["delta"] == change["current"] - change["previous"]
    assert [u["file"] for u in prev["reports"]["unreadable"]] == ["扫描件.pdf"]
    rollup = workspace / passed["outputs"]["rollup"]
    rows = [[c for c in row if c is not None] for row in load_workbook(rollup, read_only=True).worksheets[0].iter_rows(values_only=True)]  # fmt: skip
    start = next(i for i, r in enumerate(rows) if "与上年（2024年）比较" in r)
    assert rows[start + 1][-3:] == ["2025年", "2024年", "增减"]
    assert [change["current"], change["previous"], change["delta"]] in [r[-3:] for r in rows[start:]]  # fmt: skip
    assert any("上年年度报告" in str(c) for r in rows[start:] for c in r)  # not every unit had one
    page = (workspace / "outbox" / "index.html").read_text("utf-8")
    assert "扫描件.pdf" in page and "上年年度报告" in page


def test_the_folder_is_read_once(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import workflow.check.previous_reports as module

    settings = load_settings(workspace / "workflow.toml")
    first = load_previous(settings)
    assert (settings.state_dir / CACHE_NAME).is_file()

    def refuse(path: Path) -> dict:
        raise AssertionError(f"read again: {path}")

    monkeypatch.setattr(module, "read_one", refuse)
    assert load_previous(settings) == first


def test_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "workflow.toml"
    text = workspace_config("福州市长乐区", 2025, [u[:5] for u in DEMO_UNITS[:2]])
    config.write_text(text + '\n[previous]\nreports = "无此文件夹"\n', "utf-8")
    with pytest.raises(ConfigError, match="上年年度报告文件夹"):
        load_previous(load_settings(config))
    config.write_text(text + '\n[previous]\nreports = "a"\nsummary = "b.json"\n', "utf-8")
    with pytest.raises(ConfigError, match="只能填写一项"):
        load_settings(config)


@pytest.mark.parametrize(
    ("printed", "file", "want"),
    [
        ("福州市长乐区教育局", "x.docx", "福州市长乐区教育局"),
        ("区教育局", "x.docx", "福州市长乐区教育局"),  # an alias
        ("教育局", "x.docx", "福州市长乐区教育局"),  # the one unit it ends
        ("福建省福州市长乐区教育局", "x.docx", "福州市长乐区教育局"),  # a longer title
        ("", "卫生健康局2024年政府信息公开工作年度报告.pdf", "福州市长乐区卫生健康局"),
        ("某某市某某局", "x.docx", None),
    ],
)
def test_matching_a_report_to_the_roster(printed: str, file: str, want: str | None) -> None:
    settings = Settings(
        workspace=Path("."), district="长乐区", year=2025,
        units=tuple(Unit(name=u[0], aliases=(u[1],)) for u in DEMO_UNITS),
    )  # fmt: skip
    unit = match_report(settings, printed, file)
    assert (unit.name if unit else None) == want


def test_money_is_exact_through_the_cache(workspace: Path) -> None:
    previous = load_previous(load_settings(workspace / "workflow.toml"))
    assert previous is not None
    fee = previous["units"][0]["values"]["active_fee_amount"]
    assert isinstance(fee, Decimal)
