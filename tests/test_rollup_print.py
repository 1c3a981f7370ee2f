"""The demo's rollup workbook printed by LibreOffice: a handful of pages, every block whole."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from workflow.cli import demo
from workflow.report.pdf_office import find_soffice

T0 = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))
MAX_PAGES = 12


def _clock():
    ticks = iter(range(1000))
    return lambda: T0 + timedelta(minutes=30 * next(ticks))


@pytest.mark.slow
def test_the_demo_rollup_workbook_prints_on_a_handful_of_pages(tmp_path):
    soffice = find_soffice()
    if soffice is None or shutil.which("pdfinfo") is None:
        pytest.skip("soffice or pdfinfo not installed")
    made = demo.create_demo(tmp_path / "演示", clock=_clock(), pdf=False)
    (book,) = (made.workspace / "outbox" / str(made.year)).glob("*汇总表.xlsx")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(book)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / book.with_suffix(".pdf").name
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(ln for ln in info.stdout.splitlines() if ln.startswith("Pages:")).split()[1])
    assert pages <= MAX_PAGES
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "各单位现行有效件数合计" not in text.split("分单位明细", 1)[1].split("报送情况（")[0]
    assert "apply_new_natural" not in text and "字段编号" not in text
