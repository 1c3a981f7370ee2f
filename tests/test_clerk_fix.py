"""Tried as a new user: a clerk fixes the demo's rejected file in LibreOffice, using only the
annotated return, and the next pass accepts it (UNO script: tests/clerk_fix_uno.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from system_tools import missing_tool

from workflow.cli import demo
from workflow.pipeline.one_pass import run_once
from workflow.report.pdf_office import find_soffice
from workflow.workspace.config import load_settings

T0 = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))
SCRIPT = Path(__file__).with_name("clerk_fix_uno.py")


def _uno_python() -> str | None:
    """A python that can import LibreOffice's uno module (the system one, with python3-uno)."""
    for exe in ("/usr/bin/python3", shutil.which("python3"), sys.executable):
        if exe and subprocess.run([exe, "-c", "import uno"], capture_output=True).returncode == 0:
            return exe
    return None


def _clock():
    ticks = iter(range(1000))
    return lambda: T0 + timedelta(minutes=30 * next(ticks))


@pytest.mark.slow
def test_a_clerk_fixes_the_rejected_demo_file_in_libreoffice(tmp_path):
    python = _uno_python()
    if find_soffice() is None or python is None:
        missing_tool("LibreOffice with python3-uno (Debian python3-uno) not installed")
    made = demo.create_demo(tmp_path / "演示", clock=_clock(), pdf=False)
    folder = made.workspace / "outbox" / str(made.year) / "反馈" / demo.WITH_ERRORS
    (annotated,) = folder.glob("校验结果_*.xlsx")
    receipt = next(folder.glob("回执_*.txt")).read_text("utf-8-sig")
    assert "未通过（错误 3 个" in receipt and "SHA-256" not in receipt
    fixed = tmp_path / annotated.name.removeprefix("校验结果_")
    run = subprocess.run(
        [python, str(SCRIPT), str(annotated), str(fixed), str(tmp_path / "lo"), "2131"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    settings = load_settings(made.workspace / "workflow.toml")
    shutil.copy(fixed, settings.inbox_dir / fixed.name)
    summary = run_once(settings, now=T0 + timedelta(days=2))
    assert (summary.count("accepted"), summary.count("rejected")) == (1, 0)
    receipt = (folder / f"回执_{fixed.stem}.txt").read_text("utf-8-sig")
    assert "结论：已通过" in receipt and f"“{made.year} → 单位报告”" in receipt
    assert (
        f"公布期限（{made.year + 1}年1月31日）已过，请尽快" in receipt
    )  # the demo runs in February
