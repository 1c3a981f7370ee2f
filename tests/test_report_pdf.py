"""Report PDFs typeset by typst: the same words and numbers as the .docx, fonts embedded, text literal."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from docx import Document
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from workflow.domain.records import UnitRecord
from workflow.domain.roster import Unit
from workflow.domain.settings import Settings
from workflow.errors import TemplateProblem
from workflow.formats.seed import SEED_TEXTS, SEED_UNIT, seed_values
from workflow.formats.spec import Format, load_format
from workflow.report import blocks as blocks_module
from workflow.report import pdf_fonts as fonts_module
from workflow.report.blocks import table_model
from workflow.report.docx import (
    unit_report_context,
    write_district_report,
    write_unit_report,
)
from workflow.report.pdf_typst import (
    choose_fonts,
    render_report_pdf,
    write_district_report_pdf,
    write_unit_report_pdf,
)
from workflow.report.tables import active_rows, apply_rows, report_tables, review_rows
from workflow.report.text import clean_text

NOW = datetime(2022, 1, 27, 9, 30, tzinfo=UTC)
FORMATS = ("gov2021", "gov2019")


def _settings(tmp_path: Path, format_id: str) -> Settings:
    return Settings(
        workspace=tmp_path,
        district="长乐区",
        year=2021,
        format=format_id,
        units=(Unit(SEED_UNIT), Unit("吴航街道办事处", "街道乡镇")),
    )


def _record(format_id: str, texts: dict[str, str] | None = None, values=None) -> UnitRecord:
    return UnitRecord(
        name=SEED_UNIT,
        category="部门",
        status="accepted",
        values=values if values is not None else seed_values(format_id),
        texts=texts if texts is not None else dict(SEED_TEXTS),
    )


def _district_totals(format_id: str) -> dict:
    spec = load_format(format_id)
    totals: dict = {f.id: (i * 3) % 17 for i, f in enumerate(spec.numeric_fields)}
    totals.update({f.id: Decimal("12.35") for f in spec.numeric_fields if f.kind == "money"})
    totals.update(apply_new_total=120, apply_granted_total=30, apply_total_total=90)
    return totals


def _summary(format_id: str, totals: dict) -> dict:
    return {
        "district": "长乐区",
        "year": 2021,
        "format": format_id,
        "units": [
            {"name": SEED_UNIT, "category": "部门", "status": "accepted"},
            {"name": "吴航街道办事处", "category": "街道乡镇", "status": "accepted"},
            {"name": "教育局", "category": "部门", "status": "missing"},
        ],
        "totals": {k: (float(v) if isinstance(v, Decimal) else v) for k, v in totals.items()},
        "previous": {"totals": {"apply_new_total": 100}},
    }


def pdf_pages(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def body_text(pages: list[str]) -> str:
    """The pages' text without the running header (草稿) and page numbers."""
    out = []
    for i, page in enumerate(pages, 1):
        page = page.rstrip()
        assert page.endswith(f"— {i} —"), page[-20:]
        out.append(page.removesuffix(f"— {i} —").removeprefix("草稿"))
    return "".join(out)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def in_order(needle: str, haystack: str) -> bool:
    """Every character of ``needle`` occurs in ``haystack`` in the same order."""
    rest = iter(haystack)
    return all(ch in rest for ch in needle)


def words(text: str) -> str:
    return " " + re.sub(r"\s+", " ", text) + " "


def pdf_fonts(path: Path) -> dict[str, bool]:
    """Base font name → embedded, for every font a character of the PDF is drawn with."""
    pdf = pdfium.PdfDocument(str(path))
    found: dict[str, bool] = {}
    try:
        for page in pdf:
            textpage = page.get_textpage()
            for i in range(textpage.count_chars()):
                obj = pdfium_raw.FPDFText_GetTextObject(textpage.raw, i)
                font = pdfium_raw.FPDFTextObj_GetFont(obj)
                size = pdfium_raw.FPDFFont_GetBaseFontName(font, None, 0)
                buf = (pdfium_raw.c_char * size)()
                pdfium_raw.FPDFFont_GetBaseFontName(font, buf, size)
                name = bytes(buf).rstrip(b"\0").decode()
                found[name] = bool(pdfium_raw.FPDFFont_GetIsEmbedded(font))
    finally:
        pdf.close()
    return found


def metadata(path: Path) -> dict[str, str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return pdf.get_metadata_dict()
    finally:
        pdf.close()


def docx_paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.text.strip()]


def table_numbers(spec: Format) -> int:
    """How many numbers the three tables print."""
    return (
        sum(len(b.rows) * len(b.columns) for b in spec.blocks)
        + len(spec.apply.rows) * len(spec.apply.columns)
        + len(spec.review.rows) * len(spec.review.columns)
    )


def assert_tables_printed(text: str, format_id: str, values: dict) -> int:
    """Every row of the three tables (labels and numbers, as report_tables lays them out) is in
    the PDF text, numbers in order on the row; returns how many numbers were found."""
    spec = load_format(format_id)
    flat, spaced = squeeze(text), words(text)
    found = 0
    for build in (active_rows, apply_rows, review_rows):
        _, rows = build(spec, values, False)
        for row in rows:
            labels = [c for c in row if c.text and not re.fullmatch(r"[+-]?[\d.]+", c.text)]
            numbers = [c.text for c in row if re.fullmatch(r"[+-]?[\d.]+", c.text)]
            for label in labels:
                if label.shade or label.merge:  # narrow header and merged cells wrap (办理结果
                    # one character a line): their lines interleave with the rows' in the text
                    assert in_order(squeeze(label.text), flat), label.text
                else:
                    assert squeeze(label.text) in flat, label.text
            if numbers:
                assert " " + " ".join(numbers) + " " in spaced, (labels, numbers)
                found += len(numbers)
    return found


# --- the seed and a district report, both formats ---------------------------------------------------


@pytest.mark.parametrize("format_id", FORMATS)
def test_seed_unit_pdf_says_what_the_docx_says(tmp_path, format_id):
    settings, record = _settings(tmp_path, format_id), _record(format_id)
    pdf, docx = tmp_path / "unit.pdf", tmp_path / "unit.docx"
    info = write_unit_report_pdf(settings, record, pdf, now=NOW)
    write_unit_report(settings, record, docx, now=NOW)
    pages = pdf_pages(pdf)
    text = body_text(pages)
    flat = squeeze(text)
    for para in docx_paragraphs(docx):  # every paragraph of the .docx, word for word
        assert squeeze(para) in flat, para
    spec = load_format(format_id)
    assert assert_tables_printed(text, format_id, seed_values(format_id)) == table_numbers(spec)
    assert "一、总体情况" in text and "（五）监督保障" in text
    assert "草稿" not in "".join(pages)
    assert flat.endswith(f"{SEED_UNIT}2022年1月26日")
    assert info.path == pdf and info.fonts_used
    meta = metadata(pdf)
    assert meta["Title"] == f"{SEED_UNIT}2021年政府信息公开工作年度报告"
    assert meta["Author"] == SEED_UNIT


@pytest.mark.parametrize("format_id", FORMATS)
def test_district_pdf_tables_and_draft_mark(tmp_path, format_id):
    settings, totals = _settings(tmp_path, format_id), _district_totals(format_id)
    pdf, docx = tmp_path / "district.pdf", tmp_path / "district.docx"
    write_district_report_pdf(settings, _summary(format_id, totals), pdf, now=NOW, draft=True)
    write_district_report(settings, _summary(format_id, totals), docx, now=NOW, draft=True)
    pages = pdf_pages(pdf)
    text = body_text(pages)
    for para in docx_paragraphs(docx):
        assert squeeze(para) in squeeze(text), para
    assert assert_tables_printed(text, format_id, totals) == table_numbers(load_format(format_id))
    assert all(page.startswith("草稿") for page in pages)  # the header of every page
    assert "全区共收到政府信息公开申请120件，同比增长20%" in squeeze(text)
    assert "注：表中" in text


def test_fonts_are_embedded_and_substitutes_named(tmp_path):
    info = write_unit_report_pdf(
        _settings(tmp_path, "gov2021"), _record("gov2021"), tmp_path / "f.pdf", now=NOW
    )
    fonts = pdf_fonts(tmp_path / "f.pdf")
    assert fonts and all(fonts.values()), fonts
    choices = choose_fonts()
    assert info.fonts_used == tuple(dict.fromkeys(c.family for c in choices.values()))
    assert info.substituted == bool(info.substitutes)
    meta = metadata(tmp_path / "f.pdf")
    for official, family in info.substitutes.items():
        assert f"{official}→{family}" in meta["Subject"]
        assert f"替代字体 {official}→{family}" in meta["Keywords"]
    if info.substituted:
        assert info.notice.startswith("本机未安装以下公文字体")


def test_official_fonts_win_over_substitutes(monkeypatch):
    have = {
        n.casefold(): n for n in ("SimHei", "FangSong", "Noto Serif CJK SC", "Noto Sans CJK SC")
    }
    monkeypatch.setattr(fonts_module, "installed_families", lambda paths=(): have)
    fonts = choose_fonts()
    assert fonts["body"].family == "FangSong" and not fonts["body"].substituted
    assert fonts["body"].families == ("FangSong", "Noto Serif CJK SC")
    assert fonts["heading1"].family == "SimHei" and not fonts["heading1"].substituted
    assert fonts["title"].family == "Noto Serif CJK SC" and fonts["title"].substituted
    assert fonts["title"].weight == 700  # a bold 宋 stands in for 小标宋
    assert fonts["heading2"].family == "Noto Serif CJK SC" and fonts["heading2"].substituted


def test_no_chinese_font_is_a_clear_problem(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts_module, "installed_families", lambda paths=(): {})
    context = unit_report_context(
        _settings(tmp_path, "gov2021"), _record("gov2021"), now=NOW, draft=False
    )
    with pytest.raises(TemplateProblem, match="中文字体"):
        render_report_pdf(context, "unit", "gov2021", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


# --- nothing a clerk types is markup --------------------------------------------------------------

HOSTILE = (
    "#set page(width: 1cm) *粗* _斜_ $x^2$ <label> @ref \\ \\n {{ title }} {% if 1 %} =1+1 "
    '#{"a"} [链接](http://x) // 注释 /* 块 */ `代码` ~ -- --- ... "引号" \x07响铃\x1b'
)


def test_submitted_text_comes_out_literally(tmp_path):
    texts = dict(
        SEED_TEXTS,
        text_problems=HOSTILE + "\n第二段 #",
        text_active=HOSTILE,
        website_url="http://x/?a=1&b=<2>#frag",
        contact_address="#pagebreak() \\ @x",
    )
    pdf = tmp_path / "hostile.pdf"
    write_unit_report_pdf(_settings(tmp_path, "gov2019"), _record("gov2019", texts), pdf, now=NOW)
    pages = pdf_pages(pdf)
    flat = squeeze("\n".join(pages))
    literal = squeeze(HOSTILE.replace("\x07", "").replace("\x1b", ""))
    assert flat.count(literal) == 2
    assert "第二段#" in flat
    assert "http://x/?a=1&b=<2>#frag" in flat and "#pagebreak()\\@x" in flat
    assert len(pages) <= 6  # no markup ran: no page break, no 1 cm pages


def test_newline_in_the_unit_name_breaks_the_title(tmp_path):
    record = UnitRecord(
        SEED_UNIT + "\n（第二行）", "部门", "accepted", values=seed_values("gov2019"), texts={}
    )
    pdf = tmp_path / "br.pdf"
    write_unit_report_pdf(_settings(tmp_path, "gov2019"), record, pdf, now=NOW)
    first = [squeeze(line) for line in pdf_pages(pdf)[0].split("\r\n")]
    assert first[:3] == [SEED_UNIT, "（第二行）2021年", "政府信息公开工作年度报告"]


# --- tables read back from the .docx table XML -----------------------------------------------------


@pytest.mark.parametrize("format_id", FORMATS)
def test_table_model_keeps_spans_merges_and_header_rows(format_id):
    spec = load_format(format_id)
    tables = report_tables(spec, seed_values(format_id), draft=False)
    apply = table_model(tables["table_apply"])
    assert apply["header"] == 3 and len(apply["widths"]) == 3 + len(spec.apply.columns)
    assert sum(apply["widths"]) == pytest.approx(442.2)  # 156 mm in points
    group = next(c for c in apply["cells"] if c["text"] == "三、本年度办理结果")
    assert (group["x"], group["colspan"]) == (0, 1)
    assert group["rowspan"] == sum(1 for r in spec.apply.rows if r.group == "三、本年度办理结果")
    note = apply["cells"][0]
    assert (note["rowspan"], note["colspan"], note["shade"]) == (3, 3, True)
    assert apply["inset"] == pytest.approx(1.4)
    review = table_model(tables["table_review"])
    assert review["header"] == 3
    assert [c["text"] for c in review["cells"] if c["y"] == 0][0] == "行政复议"
    active = table_model(tables["table_active"])
    assert active["header"] == 0 and active["cells"][0]["align"] == "left"
    for model in (apply, review, active):  # every grid position is covered exactly once
        covered = [
            (x, y)
            for c in model["cells"]
            for x in range(c["x"], c["x"] + c["colspan"])
            for y in range(c["y"], c["y"] + c["rowspan"])
        ]
        rows = max(c["y"] + c["rowspan"] for c in model["cells"])
        assert sorted(covered) == [(x, y) for x in range(len(model["widths"])) for y in range(rows)]


@hypothesis_settings(max_examples=60)
@given(
    texts=st.lists(
        st.text(
            alphabet=st.sampled_from(list("政务公开0123456789&<>\"'\n \t#*$@{}\\/"))
            | st.characters(min_codepoint=0xE000, max_codepoint=0xE002),
            max_size=12,
        ),
        min_size=1,
        max_size=8,
    )
)
def test_table_model_reads_any_cell_text_as_a_direct_xml_reading_would(texts):
    """The table shape is read once and each table's texts put into it: the result is what
    reading that very table's XML gives, whatever the texts (markup, entities, line breaks, the
    private-use characters that mark the texts' places in a shape)."""
    spec = load_format("gov2021")
    xml = report_tables(spec, seed_values("gov2021"), draft=False)["table_review"]
    numbers = iter(texts * 20)
    xml = re.sub(  # put the texts into the number cells of the table
        r'(<w:t xml:space="preserve">)\d+(</w:t>)',
        lambda m: (
            m.group(1)
            + escape(clean_text(next(numbers))).replace(
                "\n", '</w:t><w:br/><w:t xml:space="preserve">'
            )
            + m.group(2)
        ),
        xml,
    )
    assert table_model(xml) == blocks_module._shape.__wrapped__(xml)
