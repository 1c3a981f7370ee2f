"""`workflow demo` on a machine without LibreOffice: every report gets a PDF (typst), each PDF says
what its .docx says — the unit's (or the district's) numbers in the three tables, the headings —
with its fonts embedded, and the dashboard says which fonts stood in for the official ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from test_report_pdf import (
    assert_tables_printed,
    body_text,
    docx_paragraphs,
    metadata,
    pdf_fonts,
    pdf_pages,
    squeeze,
    table_numbers,
)

from workflow.formats.spec import load_format

ROOT = Path(__file__).resolve().parents[1]
HEADINGS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace, made by the CLI with a PATH on which there is no soffice."""
    bare = tmp_path_factory.mktemp("bin")  # nothing in it: no soffice, no libreoffice
    env = {**os.environ, "PATH": str(bare), "PYTHONPATH": str(ROOT)}
    assert shutil.which("soffice", path=env["PATH"]) is None
    assert shutil.which("libreoffice", path=env["PATH"]) is None
    ws = tmp_path_factory.mktemp("demo") / "演示"
    done = subprocess.run(
        [sys.executable, "-m", "workflow", "demo", str(ws)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return ws


def _exact(values: dict) -> dict:
    """summary.json's money (JSON numbers) as the decimals the reports print."""
    return {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in values.items()}


def _summary(ws: Path) -> dict:
    (path,) = ws.glob("outbox/*/summary.json")
    return json.loads(path.read_text("utf-8"))


def test_every_report_has_a_pdf(demo: Path):
    docs = sorted(demo.glob("outbox/*/**/*年度报告*.docx"))
    assert len(docs) >= 7  # six accepted units and the district
    for doc in docs:
        assert doc.with_suffix(".pdf").is_file(), doc.name
    summary = _summary(demo)
    assert summary["pdf"]["engine"] == "typst" and summary["pdf"]["failures"] == []
    assert summary["outputs"]["report_pdf"].endswith(".pdf")
    for unit in summary["units"]:
        if unit["status"] == "accepted":
            assert (demo / unit["outputs"]["report_pdf"]).is_file(), unit["name"]


def test_each_unit_pdf_prints_the_units_numbers_and_headings(demo: Path):
    summary = _summary(demo)
    spec = load_format(summary["format"])
    accepted = [u for u in summary["units"] if u["status"] == "accepted"]
    assert accepted
    for unit in accepted:
        pdf = demo / unit["outputs"]["report_pdf"]
        text = body_text(pdf_pages(pdf))
        assert assert_tables_printed(text, spec.id, _exact(unit["values"])) == table_numbers(spec)
        for heading in HEADINGS:
            assert heading in text, (unit["name"], heading)
        flat = squeeze(text)
        for para in docx_paragraphs(pdf.with_suffix(".docx")):
            assert squeeze(para) in flat, (unit["name"], para)
        assert metadata(pdf)["Author"] == unit["name"]
        fonts = pdf_fonts(pdf)
        assert fonts and all(fonts.values()), (unit["name"], fonts)


def test_the_district_pdf_prints_the_totals(demo: Path):
    summary = _summary(demo)
    pdf = demo / summary["outputs"]["report_pdf"]
    pages = pdf_pages(pdf)
    text = body_text(pages)
    spec = load_format(summary["format"])
    assert assert_tables_printed(text, spec.id, _exact(summary["totals"])) == table_numbers(spec)
    for heading in HEADINGS:
        assert heading in text
    if "草稿" in pdf.name:
        assert all(page.startswith("草稿") for page in pages)
    fonts = pdf_fonts(pdf)
    assert fonts and all(fonts.values()), fonts


def test_the_dashboard_says_when_fonts_stand_in(demo: Path):
    summary = _summary(demo)
    page = (demo / "outbox" / "index.html").read_text("utf-8")
    section = summary["pdf"]
    assert section["fonts_substituted"] == bool(section["font_substitutes"])
    if section["fonts_substituted"]:  # no 公文 fonts on this machine: say so on the page
        assert "以相近字体代替" in page and "非正式印发版式" in page
        for official, family in section["font_substitutes"].items():
            assert f"{official}→{family}" in page
            meta = metadata(demo / summary["outputs"]["report_pdf"])
            assert f"{official}→{family}" in meta["Subject"]
    else:
        assert "以相近字体代替" not in page
