"""What a pass publishes: reports for accepted units only, summary.json whose paths exist, the
dashboard, draft marking while units are missing, and PDFs cached by the .docx's content."""

import json
import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from system_tools import missing_tool

from workflow.cli.demo import sample_texts, sample_values, workspace_config
from workflow.domain.findings import Finding, Severity
from workflow.domain.records import UnitRecord
from workflow.errors import ConfigError, TemplateProblem
from workflow.formats.spec import load_format
from workflow.pipeline import outputs
from workflow.pipeline.pdfs import pdf_engine
from workflow.report import pdf_office, pdf_typst
from workflow.report.district_text import default_district_text
from workflow.rules import compute_totals
from workflow.workspace.config import load_settings

DISTRICT_TEXT = "## 一、总体情况\n长乐区扎实推进政务公开。\n"
NOW = datetime(2022, 1, 20, 9, 30).astimezone()
YEAR = 2021
UNITS = [
    ("长乐区教育局", "", "部门", "张三", "0591-1"),
    ("长乐区卫生健康局", "", "部门", "李四", "0591-2"),
    ("长乐区吴航街道办事处", "", "街道乡镇", "王五", "0591-3"),
]


CONTACT = {
    "website_url": "http://www.fzcl.gov.cn/",
    "contact_address": "长乐区吴航街道郑和路1号",
    "contact_postcode": "350200",
    "contact_phone": "0591-28881234",
}


def _settings(tmp_path: Path, *, pdf: bool, text: str | None = DISTRICT_TEXT, contact: bool = True):
    config = workspace_config("长乐区", YEAR, UNITS, pdf=pdf)
    for key, value in CONTACT.items() if contact else ():
        config = config.replace(f'{key} = ""', f'{key} = "{value}"', 1)
    if text is not None:
        (tmp_path / "正文.md").write_text(text, "utf-8")
        config = config.replace("[report]\n", '[report]\ndistrict_text = "正文.md"\n')
    (tmp_path / "workflow.toml").write_text(config, "utf-8")
    return load_settings(tmp_path / "workflow.toml")


def _accepted(name: str, category: str) -> UnitRecord:
    spec = load_format("gov2021")
    values = compute_totals(spec, sample_values(spec, name))
    return UnitRecord(
        name=name,
        category=category,
        status="accepted",
        submitted_at=NOW.isoformat(),
        sha256="ab" * 32,
        source=f"archive/{YEAR}/accepted/{name}.xlsx",
        values=values,
        texts={**sample_texts(name, YEAR, values, "教育"), "unit_name": name},
    )


def _records(*, complete: bool) -> list[UnitRecord]:
    records = [_accepted(UNITS[0][0], "部门"), _accepted(UNITS[2][0], "街道乡镇")]
    if complete:
        return [*records, _accepted(UNITS[1][0], "部门")]
    finding = Finding(
        "R1", Severity.ERROR, "表三「自然人」列不平衡。", cells=("三、依申请公开!D6",)
    )
    rejected = UnitRecord(name=UNITS[1][0], category="部门", status="rejected", errors=1,
                          findings=(finding,))  # fmt: skip
    return [*records, rejected]


def _all_outputs(settings, records, out: Path) -> dict[str, str]:
    """What a pass publishes: the outputs, then the PDFs that follow them."""
    made = outputs.write_outputs(settings, records, out, now=NOW, runs=[])
    outputs.write_pdf_rest(settings, made, out, published=out, now=NOW)
    return made.written


def test_outputs_of_an_incomplete_district(tmp_path: Path):
    settings = _settings(tmp_path, pdf=False)
    out = tmp_path / "staging"
    written = outputs.write_outputs(
        settings, _records(complete=False), out, now=NOW, runs=[]
    ).written

    assert {p.name for p in (out / str(YEAR) / "单位报告").iterdir()} == {
        f"{unit}2021年政府信息公开工作年度报告.{ext}"
        for unit in ("长乐区教育局", "长乐区吴航街道办事处")
        for ext in ("docx", "html")
    }
    assert written["report"] == "2021/长乐区人民政府2021年政府信息公开工作年度报告（草稿）.docx"
    summary = json.loads((out / written["summary"]).read_text("utf-8"))
    assert summary["complete"] is False
    for rel in summary["outputs"].values():
        assert (out / rel.removeprefix("outbox/")).exists(), rel
    by_name = {u["name"]: u for u in summary["units"]}
    rejected = by_name[UNITS[1][0]]
    assert rejected["finding_details"][0]["rule"] == "R1"
    assert "texts" not in rejected
    assert by_name[UNITS[0][0]]["texts"]["unit_name"] == UNITS[0][0]
    assert (out / "index.html").read_text("utf-8").count(UNITS[1][0]) >= 1


def test_a_complete_district_gets_a_final_report(tmp_path: Path):
    settings = _settings(tmp_path, pdf=False)
    written = outputs.write_outputs(
        settings, _records(complete=True), tmp_path / "s", now=NOW, runs=[]
    ).written
    assert written["report"] == "2021/长乐区人民政府2021年政府信息公开工作年度报告.docx"
    summary = json.loads((tmp_path / "s" / written["summary"]).read_text("utf-8"))
    assert summary["report_draft_reasons"] == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "未指定区报告正文"),
        (default_district_text("长乐区", YEAR), "待修改"),
        ("## 九、不存在的标题\n文字\n", "九、不存在的标题"),
    ],
    ids=["no-text-configured", "text-still-the-default", "text-with-a-bad-heading"],
)
def test_district_text_not_ready_gives_a_draft_not_a_failed_pass(tmp_path, text, reason):
    settings = _settings(tmp_path, pdf=False, text=text)
    out = tmp_path / "s"
    written = outputs.write_outputs(
        settings, _records(complete=True), out, now=NOW, runs=[]
    ).written
    assert written["report"] == "2021/长乐区人民政府2021年政府信息公开工作年度报告（草稿）.docx"
    summary = json.loads((out / written["summary"]).read_text("utf-8"))
    assert summary["complete"] is True
    assert any(reason in r for r in summary["report_draft_reasons"])
    assert len(list((out / "2021").glob("*.docx"))) == 1
    assert "全区年度报告目前为草稿" in (out / "index.html").read_text("utf-8")


@pytest.mark.slow
def test_office_pdfs_are_cached_by_docx_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if shutil.which("soffice") is None:
        missing_tool("soffice not installed: PDFs are not made")
    settings = replace(_settings(tmp_path, pdf=True), pdf="office")
    records = _records(complete=True)
    first = tmp_path / "first"
    _all_outputs(settings, records, first)
    pdfs = sorted(p.name for p in first.rglob("*.pdf"))
    assert len(pdfs) == 4  # three units and the district

    def no_conversion(*args, **kwargs):
        raise AssertionError("nothing changed: no document should be converted again")

    monkeypatch.setattr(pdf_office, "convert_to_pdf", no_conversion)
    second = tmp_path / "second"
    _all_outputs(settings, records, second)
    assert sorted(p.name for p in second.rglob("*.pdf")) == pdfs


def test_typst_pdfs_need_no_office_and_are_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-soffice-here"))
    settings = _settings(tmp_path, pdf=True)
    assert settings.pdf == "typst"  # what `true` and the default mean
    records = _records(complete=True)
    first = tmp_path / "first"
    _all_outputs(settings, records, first)
    pdfs = sorted(p.name for p in first.rglob("*.pdf"))
    assert len(pdfs) == 4  # three units and the district
    summary = json.loads((first / "2021" / "summary.json").read_text("utf-8"))
    assert summary["pdf"]["engine"] == "typst" and summary["pdf"]["failures"] == []
    assert all((tmp_path / u["outputs"]["report_pdf"].replace("outbox/", "first/", 1)).is_file()
               for u in summary["units"])  # fmt: skip

    def no_typesetting(*args, **kwargs):
        raise AssertionError("nothing changed: no report should be typeset again")

    monkeypatch.setattr(pdf_typst, "_typeset", no_typesetting)
    second = tmp_path / "second"
    _all_outputs(settings, records, second)
    assert sorted(p.name for p in second.rglob("*.pdf")) == pdfs


def test_a_failed_pdf_is_a_note_not_a_failed_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = _settings(tmp_path, pdf=True)
    real = pdf_typst._typeset

    def fail_for_one(paths, payload):
        if UNITS[0][0] in payload:
            raise TemplateProblem("PDF 排版失败：测试")
        return real(paths, payload)

    monkeypatch.setattr(pdf_typst, "_typeset", fail_for_one)
    out = tmp_path / "s"
    written = _all_outputs(settings, _records(complete=True), out)
    summary = json.loads((out / written["summary"]).read_text("utf-8"))
    (failure,) = summary["pdf"]["failures"]
    assert UNITS[0][0] in failure["document"] and "测试" in failure["reason"]
    assert len(list(out.rglob("*.pdf"))) == 3 and len(list(out.rglob("*.docx"))) == 4
    page = (out / "index.html").read_text("utf-8")
    assert "未能生成 PDF" in page and UNITS[0][0] in page


def test_new_pdfs_follow_the_rest_and_unchanged_ones_go_with_it(tmp_path: Path):
    """Receipts, reports and the dashboard never wait for PDFs: new ones follow in a second
    step; PDFs of reports whose content did not change (cached) go out with the rest."""
    settings = _settings(tmp_path, pdf=True)
    records = _records(complete=True)
    out = tmp_path / "first"
    made = outputs.write_outputs(settings, records, out, now=NOW, runs=[])
    summary = json.loads((out / "2021" / "summary.json").read_text("utf-8"))
    assert list(out.rglob("*.pdf")) == [] and len(summary["pdf"]["pending"]) == 4
    assert all("report_pdf" not in u.get("outputs", {}) for u in summary["units"])
    assert "以下 4 份 PDF 尚未放入发件箱" in (out / "index.html").read_text("utf-8")
    assert len(made.pdf_pending) == 4 and made.pdf_pending[0].startswith("outbox/2021/")

    outputs.write_pdf_rest(settings, made, out, published=out, now=NOW)
    summary = json.loads((out / "2021" / "summary.json").read_text("utf-8"))
    assert len(list(out.rglob("*.pdf"))) == 4 and summary["pdf"]["pending"] == []
    assert summary["outputs"]["report_pdf"].endswith(".pdf")
    assert "尚未放入发件箱" not in (out / "index.html").read_text("utf-8")

    again = outputs.write_outputs(settings, records, tmp_path / "second", now=NOW, runs=[])
    assert again.pdf_pending == [] and len(list((tmp_path / "second").rglob("*.pdf"))) == 4


@pytest.mark.parametrize(("value", "engine"), [("true", "typst"), ('"typst"', "typst"),
                                                ('"office"', "office"), ("false", "")])  # fmt: skip
def test_report_pdf_setting(tmp_path: Path, value: str, engine: str):
    _settings(tmp_path, pdf=True)
    config = (tmp_path / "workflow.toml").read_text("utf-8")
    config = config.replace('pdf = "typst"', f"pdf = {value}", 1)
    (tmp_path / "workflow.toml").write_text(config, "utf-8")
    assert pdf_engine(load_settings(tmp_path / "workflow.toml")) == engine


def test_an_unknown_pdf_engine_is_a_config_error(tmp_path: Path):
    _settings(tmp_path, pdf=True)
    config = (tmp_path / "workflow.toml").read_text("utf-8")
    (tmp_path / "workflow.toml").write_text(config.replace('pdf = "typst"', 'pdf = "wps"'), "utf-8")
    with pytest.raises(ConfigError, match="report.pdf"):
        load_settings(tmp_path / "workflow.toml")


def test_every_draft_reason_is_listed(tmp_path: Path):
    settings = _settings(tmp_path, pdf=False, text=default_district_text("长乐区", YEAR))
    out = tmp_path / "s"
    written = outputs.write_outputs(
        settings, _records(complete=False), out, now=NOW, runs=[]
    ).written
    reasons = json.loads((out / written["summary"]).read_text("utf-8"))["report_draft_reasons"]
    assert len(reasons) == 2 and "未报送或未通过" in reasons[0] and "【待修改】" in reasons[1]


def test_a_partial_rollup_among_the_units_keeps_the_area_incomplete(tmp_path: Path):
    settings = _settings(tmp_path, pdf=False)
    partial = Finding("rollup-incomplete", Severity.WARNING, "只含 11/13 个单位。")
    records = _records(complete=True)
    records[0] = replace(records[0], findings=(partial,), warnings=1)
    out = tmp_path / "s"
    written = outputs.write_outputs(settings, records, out, now=NOW, runs=[]).written
    summary = json.loads((out / written["summary"]).read_text("utf-8"))
    assert summary["complete"] is False
    assert summary["partial_units"] == [UNITS[0][0]]
    assert written["report"].endswith("（草稿）.docx")
    assert any("下级汇总未含全部单位" in r for r in summary["report_draft_reasons"])


def test_district_contact_details_go_into_the_preamble(tmp_path: Path):
    from docx import Document

    config = _settings(tmp_path, pdf=False, contact=False).config_path
    text = (tmp_path / "workflow.toml").read_text("utf-8")
    for key, value in {**CONTACT, "contact_person": "陈明"}.items():
        assert f'{key} = ""' in text
        text = text.replace(f'{key} = ""', f'{key} = "{value}"', 1)
    (tmp_path / "workflow.toml").write_text(text, "utf-8")
    settings = load_settings(tmp_path / "workflow.toml")
    del config
    out = tmp_path / "s"
    written = outputs.write_outputs(
        settings, _records(complete=True), out, now=NOW, runs=[]
    ).written
    text = "\n".join(p.text for p in Document(str(out / written["report"])).paragraphs)
    assert "本报告在长乐区人民政府网站（http://www.fzcl.gov.cn/）公布，欢迎查阅。" in text
    assert (
        "如对本报告有疑问，请与区政府办公室联系"
        "（联系人：陈明，地址：长乐区吴航街道郑和路1号，邮编：350200，电话：0591-28881234）。"
    ) in text


def test_missing_website_and_contact_keep_the_district_report_a_draft(tmp_path: Path):
    settings = _settings(tmp_path, pdf=False, contact=False)
    out = tmp_path / "s"
    written = outputs.write_outputs(
        settings, _records(complete=True), out, now=NOW, runs=[]
    ).written
    assert written["report"].endswith("（草稿）.docx")
    reasons = json.loads((out / written["summary"]).read_text("utf-8"))["report_draft_reasons"]
    assert any("website_url" in r for r in reasons) and any("contact_phone" in r for r in reasons)
    page = (out / "index.html").read_text("utf-8")
    assert "缺少发布网址" in page and "缺少联系方式" in page


def test_a_district_text_not_in_utf8_is_one_chinese_reason(tmp_path: Path):
    settings = _settings(tmp_path, pdf=False)
    (tmp_path / "正文.md").write_bytes("## 一、总体情况\n全区推进政务公开。\n".encode("gbk"))
    out = tmp_path / "s"
    written = outputs.write_outputs(
        settings, _records(complete=True), out, now=NOW, runs=[]
    ).written
    reasons = json.loads((out / written["summary"]).read_text("utf-8"))["report_draft_reasons"]
    assert len(reasons) == 1 and "不是 UTF-8 编码" in reasons[0] and "codec" not in reasons[0]
