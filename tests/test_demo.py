"""`workflow demo`: the README's main command builds a workspace that shows every case."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from workflow.cli import demo
from workflow.cli.demo_calendar import season_clock
from workflow.errors import ConfigError
from workflow.formats.seed import SEED_UNIT
from workflow.pipeline.one_pass import run_once
from workflow.store.durable import walk_files
from workflow.workspace.config import load_settings

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def _clock():
    ticks = iter(range(1000))
    return lambda: T0 + timedelta(minutes=30 * next(ticks))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return demo.create_demo(tmp_path_factory.mktemp("d") / "演示", clock=_clock(), pdf=False)


def _summary(made) -> dict:
    path = made.workspace / "outbox" / str(made.year) / "summary.json"
    return json.loads(path.read_text("utf-8"))


def test_demo_covers_every_case(made):
    units = {u["name"]: u for u in _summary(made)["units"]}
    assert len(units) == 8
    assert {n: u["status"] for n, u in units.items() if u["status"] != "accepted"} == {
        demo.WITH_ERRORS: "rejected",
        demo.NEVER: "missing",
    }
    seed = units[SEED_UNIT]
    assert (
        seed["values"]["apply_new_natural"] == 2
        and seed["values"]["apply_denied_third_party_total"] == 2
    )
    assert units[demo.RESUBMITS]["values"]["apply_new_natural"] == 5
    assert units[demo.RESUBMITS]["original_name"] == "市场监管局年报（更正）.xlsx"
    feedback = made.workspace / "outbox" / str(made.year) / "反馈"
    assert (feedback / demo.WITH_ERRORS / "校验结果_自然资源局政务公开年报.xlsx").is_file()
    assert all(u["errors"] == 0 for n, u in units.items() if u["status"] == "accepted"), (
        "valid files check clean"
    )
    archive = list(walk_files(made.workspace / "archive"))
    assert sum("/superseded/" in a for a in archive) == 1 and len(archive) == 8


def test_demo_summary_says_where_to_look(made):
    text = made.describe()
    first, second = made.passes
    assert (first.count("accepted"), first.count("rejected")) == (6, 1)
    assert "表三「一、本年新收政府信息公开申请数量」·自然人 3 → 5" in second.describe()
    for needle in ("index.html", "汇总表", "反馈", "workflow --once", "workflow status"):
        assert needle in text


def test_demo_workspace_is_a_normal_workspace(made):
    settings = load_settings(made.workspace / "workflow.toml")
    assert settings.district == demo.DEMO_DISTRICT and len(settings.units) == 8
    assert settings.year == made.year == 2025, "in February the coordinator works on last year"
    assert all(u.contact_person and u.contact_phone for u in settings.units)
    again = run_once(settings, now=T0 + timedelta(days=1))
    assert again.files == [] and not again.published


@pytest.mark.parametrize(
    ("now", "year"),
    [(datetime(2027, 1, 20), 2026), (datetime(2027, 3, 31), 2026), (datetime(2026, 11, 29), 2025)],
    ids=["january", "end-of-march", "november"],
)
def test_demo_year(now, year):
    assert demo.demo_year(now) == year


def test_seed_texts_move_to_the_demo_year():
    texts = demo.seed_texts(2025)
    assert texts["report_year"] == "2025" and texts["report_date"] == "2026-01-26"
    assert "截至2025年12月31日" in texts["text_active"] and "158条" in texts["text_active"]


def test_demo_refuses_a_folder_in_use(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="不为空"):
        demo.create_demo(tmp_path, clock=_clock(), pdf=False)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


@pytest.mark.slow
def test_demo_command_on_a_fresh_folder(tmp_path):
    """The README's command end to end (converts reports to PDF when LibreOffice is installed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "workflow", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "已创建演示工作区" in done.stdout and "Traceback" not in done.stderr
    (year,) = [p for p in (tmp_path / "demo" / "outbox").iterdir() if p.name.isdigit()]
    assert (tmp_path / "demo" / "outbox" / "index.html").is_file()
    assert any(year.glob("*汇总表.xlsx")) and any(year.glob("*（草稿）.docx"))


@pytest.mark.parametrize(
    ("real", "played"),
    [
        (datetime(2026, 11, 30, 15, 0, tzinfo=UTC), datetime(2026, 1, 20, 10, 0, tzinfo=UTC)),
        (datetime(2026, 2, 1, 8, 30, tzinfo=UTC), datetime(2026, 1, 20, 10, 0, tzinfo=UTC)),
        (datetime(2026, 1, 25, 9, 0, tzinfo=UTC), datetime(2026, 1, 25, 9, 0, tzinfo=UTC)),
    ],
    ids=["november", "just-after-deadline", "in-january"],
)
def test_the_demo_is_played_inside_the_collection_season(real, played):
    ticks = iter([real, real, real + timedelta(minutes=5)])
    clock = season_clock(lambda: next(ticks))
    assert clock() == played
    assert clock() == played + timedelta(minutes=5)
    assert datetime(demo.demo_year(played) + 1, 1, 31, tzinfo=UTC) >= played
