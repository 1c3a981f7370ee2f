"""The tool's own unit reports read back to the values they were written from, in the forms they are
published in: LibreOffice's PDF of the .docx (soffice --convert-to pdf) and the .docx saved as a web
page (soffice --convert-to html, how many portals turn a Word report into a page), both formats."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from test_read_reports import NOW, _assert_round_trip, _record

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed"),
]


def _docx(tmp_path: Path, format_id: str) -> tuple[Path, dict]:
    from workflow.report.docx import write_unit_report

    settings, record, values = _record(format_id)
    path = tmp_path / "某某区司法局年度报告.docx"
    write_unit_report(settings, record, path, now=NOW)
    return path, values


def _convert(doc: Path, target: str) -> Path:
    profile = doc.parent / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target, "--outdir", str(doc.parent), str(doc)],  # fmt: skip
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    out = doc.with_suffix("." + target.split(":")[0])
    assert out.is_file()
    return out


@pytest.mark.parametrize("format_id", ["gov2021", "gov2019"])
def test_libreoffice_pdf_reads_back(tmp_path: Path, format_id: str) -> None:
    doc, values = _docx(tmp_path, format_id)
    _assert_round_trip(_convert(doc, "pdf"), format_id, values)


@pytest.mark.parametrize("format_id", ["gov2021", "gov2019"])
def test_word_saved_as_web_page_reads_back(tmp_path: Path, format_id: str) -> None:
    doc, values = _docx(tmp_path, format_id)
    page = _convert(doc, "html:HTML (StarWriter)")
    assert "<table" in page.read_text("utf-8", errors="replace").lower()
    _assert_round_trip(page, format_id, values)
