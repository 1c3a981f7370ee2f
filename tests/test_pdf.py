"""PDF conversion: font preflight, the LibreOffice profile, timeouts, no LibreOffice, a real conversion."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from system_tools import missing_tool

from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
from workflow.formats.seed import SEED_TEXTS, SEED_UNIT, seed_values
from workflow.report import pdf_office as pdf
from workflow.report.docx import write_unit_report
from workflow.report.pdf_office import convert_to_pdf, font_substitutions

posix_only = pytest.mark.skipif(os.name != "posix", reason="fake soffice is a POSIX script")


@pytest.mark.parametrize(
    ("families", "pairs", "notices"),
    [
        (set(pdf.OFFICIAL_FONTS), {}, 0),
        (
            {"Noto Serif CJK SC", "Noto Sans CJK SC"},
            {
                "方正小标宋简体": "Noto Serif CJK SC",
                "仿宋_GB2312": "Noto Serif CJK SC",
                "黑体": "Noto Sans CJK SC",
                "楷体_GB2312": "Noto Serif CJK SC",
                "宋体": "Noto Serif CJK SC",
            },
            5,
        ),
        (
            {"仿宋", "SimHei", "楷体", "SimSun", "方正小标宋简体"},
            {"仿宋_GB2312": "仿宋", "黑体": "SimHei", "楷体_GB2312": "楷体", "宋体": "SimSun"},
            4,
        ),
        (set(), {}, 5),
    ],
    ids=["all-official", "noto-only", "windows-names", "no-chinese-font"],
)
def test_font_substitutions(families, pairs, notices):
    got_pairs, got_notices = font_substitutions(families)
    assert got_pairs == pairs
    assert len(got_notices) == notices
    assert all(n.startswith("未安装字体「") for n in got_notices)


def test_preflight_notice_names_the_substitute():
    _, notices = font_substitutions({"Noto Serif CJK SC", "Noto Sans CJK SC"})
    assert "未安装字体「仿宋_GB2312」，PDF 中以「Noto Serif CJK SC」代替。" in notices


def test_profile_settings_are_valid_xml_with_the_pairs():
    xcu = pdf._profile_xcu({"仿宋_GB2312": "A&B <serif>"})
    root = ElementTree.fromstring(xcu.encode())
    values = [v.text for v in root.iter("value")]
    assert "仿宋_GB2312" in values and "A&B <serif>" in values


def test_without_libreoffice_docx_only_with_one_notice(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    result = convert_to_pdf([tmp_path / "a.docx"], tmp_path)
    assert result.pdfs == () and not result.converted
    assert result.notices == ("未安装 LibreOffice（soffice），只生成 Word 文档，未生成 PDF。",)


def test_nothing_to_convert(tmp_path):
    assert convert_to_pdf([], tmp_path) == pdf.PdfResult()


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake_soffice"
    script.write_text(
        f"#!{sys.executable}\nimport os, sys, subprocess, time\nargs = sys.argv[1:]\n{body}\n",
        "utf-8",
    )
    script.chmod(0o755)
    return script


WRITE_PDFS = """
out = args[args.index("--outdir") + 1]
profile = [a for a in args if a.startswith("-env:UserInstallation=")][0]
open(os.path.join(out, "args.txt"), "a", encoding="utf-8").write(profile + "\\n")
for doc in args[args.index("--outdir") + 2:]:
    stem = os.path.splitext(os.path.basename(doc))[0]
    if "坏" not in stem:
        open(os.path.join(out, stem + ".pdf"), "wb").write(b"%PDF-1.4")
"""


@posix_only
def test_one_run_for_many_documents_with_a_fresh_profile(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(_fake_soffice(tmp_path, WRITE_PDFS)))
    docs = [tmp_path / "单位报告甲.docx", tmp_path / "单位报告乙.docx"]
    out = tmp_path / "pdf"
    first = convert_to_pdf(docs, out)
    second = convert_to_pdf(docs[:1], out)
    assert [p.name for p in first.pdfs] == ["单位报告甲.pdf", "单位报告乙.pdf"] and first.ok
    assert second.ok
    profiles = (out / "args.txt").read_text("utf-8").split()
    assert (
        len(profiles) == 2 and profiles[0] != profiles[1]
    )  # one soffice run per batch, own profile
    for uri in profiles:  # the throw-away profile is gone afterwards
        assert not Path(uri.split("file://", 1)[1]).exists()


@posix_only
def test_a_document_that_fails_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(_fake_soffice(tmp_path, WRITE_PDFS)))
    result = convert_to_pdf([tmp_path / "好.docx", tmp_path / "坏.docx"], tmp_path / "pdf")
    assert [p.name for p in result.pdfs] == ["好.pdf"]
    assert not result.ok and "未能生成 PDF：坏.docx" in result.notices[-1]


@posix_only
def test_timeout_kills_the_whole_process_group(tmp_path, monkeypatch):
    body = (
        f"child = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(tmp_path / 'child.pid')!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(_fake_soffice(tmp_path, body)))
    start = time.perf_counter()
    result = convert_to_pdf([tmp_path / "a.docx"], tmp_path / "pdf", timeout=2)
    assert time.perf_counter() - start < 20
    assert "LibreOffice 超过 2 秒未完成，已终止" in result.notices[-1]
    child = int((tmp_path / "child.pid").read_text())
    for _ in range(50):  # the grandchild was killed with its group (allow the kernel a moment)
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        if (
            Path(f"/proc/{child}/stat").exists()
            and ") Z " in Path(f"/proc/{child}/stat").read_text()
        ):
            break  # a zombie waiting for init: not running
        time.sleep(0.1)
    else:
        pytest.fail("the process soffice started is still running")


@pytest.mark.slow
def test_real_conversion_of_a_unit_report(tmp_path):
    if pdf.find_soffice() is None:
        missing_tool("soffice not installed")
    settings = Settings(workspace=tmp_path, district="长乐区", year=2021, format="gov2019")
    record = UnitRecord(
        SEED_UNIT, "部门", "accepted", values=seed_values("gov2019"), texts=dict(SEED_TEXTS)
    )
    doc = tmp_path / "单位报告" / f"{SEED_UNIT}2021年政府信息公开工作年度报告.docx"
    write_unit_report(settings, record, doc, now=datetime(2022, 1, 27))
    result = convert_to_pdf([doc], doc.parent, timeout=180)
    assert result.ok, result.notices
    assert result.pdfs == (doc.with_suffix(".pdf"),)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(result.pdfs[0]), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "政府信息公开工作年度报告" in text and re.search(r"—\s*1\s*—", text)
        assert "收到和处理政府信息公开申请情况" in text


@posix_only
@pytest.mark.parametrize("same_stem", [False, True], ids=["one-run", "same-name-two-folders"])
def test_convert_beside_puts_each_pdf_next_to_its_docx(tmp_path, monkeypatch, same_stem):
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(_fake_soffice(tmp_path, WRITE_PDFS)))
    (tmp_path / "2021" / "单位报告").mkdir(parents=True)
    docs = [
        tmp_path / "2021" / "区报告.docx",
        tmp_path / "2021" / "单位报告" / ("区报告.docx" if same_stem else "甲局报告.docx"),
    ]
    result = pdf.convert_beside(docs)
    assert result.ok
    assert sorted(result.pdfs) == sorted(d.with_suffix(".pdf") for d in docs)
    assert all(p.exists() for p in result.pdfs)
    assert not list((tmp_path / "2021").glob(".pdf-*"))  # the temporary folder is gone
