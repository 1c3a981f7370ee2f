"""A pass writes again only the unit reports whose content changed (pipeline/report_reuse.py): a
correction from one unit costs one unit's reports, whatever the size of the district; anything
that makes a published report doubtful (a file deleted or edited by hand, a lost record, new
templates) writes it again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from docx import Document

from workflow.cli.demo import natural_column, workspace_config, write_submission
from workflow.formats.spec import load_format
from workflow.pipeline import report_reuse
from workflow.pipeline.one_pass import run_once
from workflow.report import pdf_fonts
from workflow.store import durable
from workflow.store.durable import read_manifests, walk_files
from workflow.workspace.config import load_settings

YEAR = 2025
NOW = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))
LATER = NOW + timedelta(hours=1)
UNITS = [
    ("长乐区教育局", "", "部门", "", ""),
    ("长乐区卫生健康局", "", "部门", "", ""),
    ("长乐区吴航街道办事处", "", "街道乡镇", "", ""),
]
SPEC = load_format("gov2021")
REPORTS = f"outbox/{YEAR}/单位报告"


def _stats(ws: Path) -> dict[str, tuple[int, int]]:
    """Every unit report file: (inode, modification time)."""
    folder = ws / REPORTS
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}


def _submit(ws: Path, unit: str, new: int, name: str = "") -> None:
    write_submission(
        ws / "inbox" / (name or f"{unit}.xlsx"),
        SPEC,
        unit,
        YEAR,
        now=NOW,
        roster=[u[0] for u in UNITS],
        values=natural_column(SPEC, new, new - 1),
    )


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """Three units accepted and published, with typst PDFs."""
    root = tmp_path / "ws"
    (root / "inbox").mkdir(parents=True)
    text = workspace_config("长乐区", YEAR, UNITS, settle_seconds=0, pdf=True)
    (root / "workflow.toml").write_text(text.replace("pdf = false", 'pdf = "typst"'), "utf-8")
    for unit, *_ in UNITS:
        _submit(root, unit, 3)
    run_once(load_settings(root / "workflow.toml"), now=NOW)
    assert len(_stats(root)) == 9  # .docx, .html and .pdf of each unit
    return root


def _published(ws: Path) -> set[str]:
    latest = read_manifests(ws / "outbox", limit=1)[0]
    return {o["path"] for o in latest["outputs"]}


def _apply_new(ws: Path, unit: str) -> str:
    """The 本年新收 自然人 number in the unit's published .docx."""
    doc = Document(str(ws / REPORTS / f"{unit}{YEAR}年政府信息公开工作年度报告.docx"))
    table = doc.tables[1]
    return next(r.cells[3].text for r in table.rows if "本年新收" in r.cells[0].text)


def test_a_correction_writes_only_its_units_reports(ws: Path):
    before = _stats(ws)
    _submit(ws, UNITS[1][0], 7, "卫健局更正.xlsx")
    summary = run_once(load_settings(ws / "workflow.toml"), now=LATER)
    assert summary.published
    after = _stats(ws)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {
        f"{UNITS[1][0]}{YEAR}年政府信息公开工作年度报告.{ext}" for ext in ("docx", "html", "pdf")
    }
    assert _apply_new(ws, UNITS[1][0]) == "7" and _apply_new(ws, UNITS[0][0]) == "3"
    # the kept reports are still published: listed by the new manifest, linked from summary.json
    listed = _published(ws)
    assert {f"{REPORTS}/{name}" for name in after} <= listed
    data = json.loads((ws / f"outbox/{YEAR}/summary.json").read_text("utf-8"))
    assert all(u["outputs"]["report_pdf"] in listed for u in data["units"])
    assert set(walk_files(ws / "outbox")) == {p.removeprefix("outbox/") for p in listed}


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda ws: (ws / REPORTS / f"{UNITS[0][0]}{YEAR}年政府信息公开工作年度报告.html").unlink(), id="file-deleted"),
        pytest.param(lambda ws: (ws / REPORTS / f"{UNITS[0][0]}{YEAR}年政府信息公开工作年度报告.html").write_text("改过", "utf-8"), id="file-edited"),
        pytest.param(lambda ws: (ws / ".workflow" / report_reuse.RECORD_NAME).write_text("{坏", "utf-8"), id="record-damaged"),
        pytest.param(lambda ws: (ws / ".workflow" / report_reuse.RECORD_NAME).unlink(), id="record-lost"),
    ],
)  # fmt: skip
def test_a_doubtful_report_is_written_again(ws: Path, spoil):
    spoil(ws)
    _submit(ws, UNITS[1][0], 7, "卫健局更正.xlsx")  # so that the pass publishes
    run_once(load_settings(ws / "workflow.toml"), now=LATER)
    html = ws / REPORTS / f"{UNITS[0][0]}{YEAR}年政府信息公开工作年度报告.html"
    assert html.is_file() and "改过" not in html.read_text("utf-8")
    assert f"{REPORTS}/{html.name}" in _published(ws)


def test_new_renderers_write_every_report_again(ws: Path, monkeypatch: pytest.MonkeyPatch):
    before = _stats(ws)
    real = report_reuse.code_key
    monkeypatch.setattr(report_reuse, "code_key", lambda extra=(): real([*extra, "新版本"]))
    _submit(ws, UNITS[1][0], 7, "卫健局更正.xlsx")
    run_once(load_settings(ws / "workflow.toml"), now=LATER)
    after = _stats(ws)
    assert all(after[name] != before[name] for name in after if not name.endswith(".pdf"))


def test_pages_that_link_to_the_other_files_are_published_last(tmp_path: Path, monkeypatch):
    """Stopped half-way, the outbox never has a summary.json or dashboard linking a PDF that is
    not there yet."""
    staging, outbox = tmp_path / "staging", tmp_path / "outbox"
    for rel in ("2025/summary.json", "index.html", "2025/单位报告/甲.pdf", "2025/甲.docx"):
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).write_text(rel, "utf-8")
    moved: list[str] = []
    real = durable.replace_retrying

    def record(src: Path, dst: Path, **kwargs) -> None:
        moved.append(dst.relative_to(outbox).as_posix())
        real(src, dst, **kwargs)

    monkeypatch.setattr(durable, "replace_retrying", record)
    durable.publish(staging, outbox, {"run_id": "r1"}, prefix="outbox/", previous=None, keep=bool)
    assert moved[-2:] == ["2025/summary.json", "index.html"]


def test_installing_the_official_fonts_remakes_the_pdfs(ws: Path, monkeypatch):
    """The notice says 安装字体后重新处理即可: a pass with nothing new must then publish, and
    typeset every report again (the fonts are part of the configuration and of each key)."""
    before = _stats(ws)
    assert run_once(load_settings(ws / "workflow.toml"), now=LATER).published is False
    monkeypatch.setattr(pdf_fonts, "font_signature", lambda paths=(): "仿宋_GB2312 已安装")
    assert run_once(load_settings(ws / "workflow.toml"), now=LATER).published is True
    after = _stats(ws)
    assert all(after[name] != before[name] for name in after)


def test_a_report_edited_by_hand_is_written_again_by_a_pass_with_nothing_new(ws: Path):
    html = ws / REPORTS / f"{UNITS[2][0]}{YEAR}年政府信息公开工作年度报告.html"
    html.write_text("改过", "utf-8")
    summary = run_once(load_settings(ws / "workflow.toml"), now=LATER)
    assert summary.published is True
    assert "发件箱中有 1 份单位报告被删除或改动，本次重新生成。" in summary.describe()
    assert "改过" not in html.read_text("utf-8")
    assert run_once(load_settings(ws / "workflow.toml"), now=LATER).published is False


def test_a_pass_stopped_before_its_pdfs_followed_is_completed_and_says_so(ws: Path):
    _submit(ws, UNITS[1][0], 7, "卫健局更正.xlsx")
    env = {**os.environ, "WORKFLOW_CRASH_AT": "after-pdf-outputs"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    cmd = [sys.executable, "-m", "workflow", "--once", "--config", str(ws / "workflow.toml")]
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=300).returncode == 137
    pending = read_manifests(ws / "outbox", limit=1)[0]["pdf_pending"]
    assert len(pending) == 2  # the corrected unit's report and the district report
    assert not any((ws / p).exists() for p in pending)
    summary = run_once(load_settings(ws / "workflow.toml"), now=LATER)
    assert "上次处理在 2 份 PDF 放入发件箱前中断，本次补齐。" in summary.describe()
    assert read_manifests(ws / "outbox", limit=1)[0]["pdf_pending"] == []
    assert all((ws / p).is_file() for p in pending)
