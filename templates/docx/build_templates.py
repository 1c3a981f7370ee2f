"""Build unit_report.docx and district_report.docx, the editable Word templates of the reports.

Run ``python templates/docx/build_templates.py`` to regenerate both files beside this script. The
committed .docx files are what the program renders; a coordinator may edit them in Word/WPS (wording,
letterhead, fonts) and check the result with ``workflow check-templates``.

Typography follows GB/T 9704-2012: A4, margins 37/35/28/26 mm, title 2号 方正小标宋简体, body 3号
仿宋_GB2312 with fixed 28.95 pt lines (22 lines a page), 一、 headings 黑体, （一） headings 楷体_GB2312,
page numbers "— 1 —" in 4号 宋体 (odd pages right, even pages left). Tables use the styles
ReportTable / TableText (仿宋_GB2312 10.5 pt), filled in by workflow/report_tables.py.

Template tags (jinja2, docxtpl syntax): ``{{ x }}`` in a run; ``{%p for … %}`` / ``{%p endfor %}`` as
paragraphs of their own; ``{{p table_active }}`` a paragraph replaced by a generated table.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
BODY_FONT = "仿宋_GB2312"
LINE = Pt(28.95)  # 22 lines on a page of 225 mm


def _fonts(rpr_owner, east_asia: str, size: float, *, bold: bool = False) -> None:
    """Set the run fonts of a style: East-Asian font named as in official use, Latin Times New Roman."""
    font = rpr_owner.font
    font.size = Pt(size)
    font.bold = bold
    font.name = "Times New Roman"
    rpr = rpr_owner.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr, value in (
        ("ascii", "Times New Roman"),
        ("hAnsi", "Times New Roman"),
        ("eastAsia", east_asia),
        ("cs", "Times New Roman"),
    ):
        rfonts.set(qn(f"w:{attr}"), value)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _indent_chars(style, *, first: int = 0, right: int = 0, left: int = 0) -> None:
    """Indents in hundredths of a character (w:firstLineChars …), which Word/WPS keep per font size."""
    ppr = style.element.get_or_add_pPr()
    ind = OxmlElement("w:ind")
    size = style.font.size.pt if style.font.size else 16
    if first:
        ind.set(qn("w:firstLineChars"), str(first))
        ind.set(qn("w:firstLine"), str(int(size * 20 * first / 100)))
    if left:
        ind.set(qn("w:leftChars"), str(left))
        ind.set(qn("w:left"), str(int(size * 20 * left / 100)))
    if right:
        ind.set(qn("w:rightChars"), str(right))
        ind.set(qn("w:right"), str(int(size * 20 * right / 100)))
    ppr.append(ind)


def _paragraph_style(
    doc,
    style_id: str,
    name: str,
    font: str,
    size: float,
    *,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    line: Pt | None = LINE,
    first: int = 200,
    bold: bool = False,
    outline: int | None = None,
    keep_next: bool = False,
):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), style_id)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    _fonts(style, font, size, bold=bold)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.keep_with_next = keep_next
    if line is not None:
        fmt.line_spacing = line  # a Length: exact spacing
    else:
        fmt.line_spacing = 1.0
    _indent_chars(style, first=first)
    if align == WD_ALIGN_PARAGRAPH.JUSTIFY:
        # 允许西文在单词中间换行: a URL or phone number that does not fit is broken instead of
        # moving whole to the next line and stretching the line before it ("本 年 度 办 理")
        wrap = OxmlElement("w:wordWrap")
        wrap.set(qn("w:val"), "0")
        ppr = style.element.get_or_add_pPr()
        ppr.find(qn("w:spacing")).addprevious(wrap)  # the schema's order: before w:spacing
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        style.element.get_or_add_pPr().append(level)
    return style


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing = LINE
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.widow_control = False
    _paragraph_style(
        doc,
        "ReportTitle",
        "报告标题",
        "方正小标宋简体",
        22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line=Pt(36),
        first=0,
    )
    _paragraph_style(doc, "BodyText1", "报告正文", BODY_FONT, 16)
    _paragraph_style(doc, "Heading1CN", "一级标题", "黑体", 16, outline=0, keep_next=True)
    _paragraph_style(doc, "Heading2CN", "二级标题", "楷体_GB2312", 16, outline=1, keep_next=True)
    _paragraph_style(doc, "TableNote", "表注", BODY_FONT, 12, line=Pt(20), first=0)
    sign = _paragraph_style(
        doc, "SignatureCN", "落款", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT, first=0
    )
    sign.element.get_or_add_pPr().remove(sign.element.pPr.find(qn("w:ind")))
    _indent_chars(sign, right=400)
    _paragraph_style(
        doc,
        "TableText",
        "表格文字",
        BODY_FONT,
        10.5,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line=None,
        first=0,
    )
    _paragraph_style(
        doc, "DraftMark", "草稿标记", "黑体", 16, align=WD_ALIGN_PARAGRAPH.RIGHT, line=None, first=0
    )
    doc.styles["草稿标记"].font.color.rgb = RGBColor(0xC0, 0, 0)
    _table_style(doc)


def _table_style(doc) -> None:
    style = doc.styles.add_style("报告表格", WD_STYLE_TYPE.TABLE)
    style.element.set(qn("w:styleId"), "ReportTable")
    tblpr = OxmlElement("w:tblPr")
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    tblpr.append(borders)
    mar = OxmlElement("w:tblCellMar")
    for edge, width in (("left", "57"), ("right", "57")):
        m = OxmlElement(f"w:{edge}")
        m.set(qn("w:w"), width)
        m.set(qn("w:type"), "dxa")
        mar.append(m)
    tblpr.append(mar)
    style.element.append(tblpr)


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(28)
    doc.settings.odd_and_even_pages_header_footer = True
    for header in (section.header, section.even_page_header):
        p = header.paragraphs[0]
        p.style = doc.styles["草稿标记"]
        p.add_run("{% if draft %}草稿{% endif %}")
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(p, align) -> None:
    """ "— 1 —" with a PAGE field, 4号 宋体, one character in from the outer edge."""
    p.alignment = align
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    ind = OxmlElement("w:ind")
    side = "right" if align == WD_ALIGN_PARAGRAPH.RIGHT else "left"
    ind.set(qn(f"w:{side}"), "280")
    ind.set(qn("w:firstLine"), "0")
    p._p.get_or_add_pPr().append(ind)

    def run(text: str = "", fld: str | None = None, instr: str | None = None) -> None:
        r = p.add_run(text)
        r.font.size = Pt(14)
        r.font.name = "宋体"
        r._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def _p(doc, text: str, style: str) -> None:
    doc.add_paragraph().style = doc.styles[style]
    doc.paragraphs[-1].add_run(text)


def _loop(doc, items: str, style: str = "报告正文") -> None:
    """A paragraph repeated for each item of ``items`` (a list of strings in the context)."""
    _p(doc, f"{{%p for para in {items} %}}", style)
    _p(doc, "{{ para }}", style)
    _p(doc, "{%p endfor %}", style)


# the opening paragraph is written by workflow/report/context.py (the same for .docx, PDF, HTML)
PREAMBLE = "{{ preamble }}"


def build(kind: str, path: Path) -> None:
    doc = Document()
    _styles(doc)
    _page(doc)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    _p(doc, "{{ title }}", "报告标题")
    _p(doc, "", "报告正文")
    _loop(doc, "draft_notes")
    _p(doc, PREAMBLE, "报告正文")
    _loop(doc, "preamble_extra")
    _p(doc, "一、总体情况", "一级标题")
    _loop(doc, "paras.overview")
    for key in (
        "text_active",
        "text_request",
        "text_management",
        "text_platform",
        "text_supervision",
    ):
        _p(doc, f"{{{{ headings.{key} }}}}", "二级标题")
        _loop(doc, f"paras.{key}")
    _p(doc, "{{ headings.active }}", "一级标题")
    _p(doc, "{{p table_active }}", "报告正文")
    _loop(doc, "notes.active", "表注")
    _p(doc, "{{ headings.apply }}", "一级标题")
    _p(doc, "{{p table_apply }}", "报告正文")
    _p(doc, "{{ headings.review }}", "一级标题")
    _loop(doc, "paras.review")
    _p(doc, "{{p table_review }}", "报告正文")
    _p(doc, "{{ headings.text_problems }}", "一级标题")
    _loop(doc, "paras.text_problems")
    _p(doc, "{{ headings.text_other }}", "一级标题")
    _loop(doc, "paras.text_other")
    # the end of 六 stays on the page of the unit's name and date (GB/T 9704: no signature-only page)
    doc.paragraphs[-2].paragraph_format.keep_with_next = True
    _p(doc, "", "报告正文")
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _p(doc, "{{ signer }}", "落款")
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    _p(doc, "{{ date }}", "落款")
    _chinese(doc)
    props = doc.core_properties
    props.title = "{{ doc_title }}"
    props.author = "workflow"
    _prune_styles(doc)
    doc.save(path)
    _slim(path)


def _chinese(doc) -> None:
    """zh-CN for every East Asian language setting (python-docx's default template says ja-JP/en-US):
    Word and WPS choose fonts, line breaking and punctuation by it."""
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is None:
        lang = OxmlElement("w:themeFontLang")
        settings.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    for el in doc.styles.element.iter(qn("w:lang")):
        el.set(qn("w:eastAsia"), "zh-CN")


KEEP_STYLES = {
    "Normal",
    "DefaultParagraphFont",
    "TableNormal",
    "NoList",
    "Header",
    "HeaderChar",
    "Footer",
    "FooterChar",
    "ReportTitle",
    "BodyText1",
    "Heading1CN",
    "Heading2CN",
    "TableNote",
    "SignatureCN",
    "TableText",
    "DraftMark",
    "ReportTable",
}


def _prune_styles(doc) -> None:
    """Drop python-docx's hundreds of unused built-in styles: smaller file, faster rendering."""
    styles = doc.styles.element
    for latent in styles.findall(qn("w:latentStyles")):
        styles.remove(latent)
    for style in styles.findall(qn("w:style")):
        sid = style.get(qn("w:styleId"))
        if sid not in KEEP_STYLES:
            styles.remove(style)


_DROP = re.compile(r"word/stylesWithEffects\.xml|docProps/thumbnail\.jpeg|customXml/.*")


def _slim(path: Path) -> None:
    """Remove parts a template does not need (and their relationships and content types)."""
    with zipfile.ZipFile(path) as zf:
        members = [
            (i.filename, zf.read(i)) for i in zf.infolist() if not _DROP.fullmatch(i.filename)
        ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if name.endswith(".rels") or name == "[Content_Types].xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r'<Relationship [^>]*Target="[^"]*(stylesWithEffects|thumbnail|customXml)[^"]*"/>',
                    "",
                    text,
                )
                text = re.sub(
                    r'<Override [^>]*PartName="/(word/stylesWithEffects|docProps/thumbnail|customXml)[^"]*"[^>]*/>',
                    "",
                    text,
                )
                data = text.encode("utf-8")
            zf.writestr(name, data)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    build("unit", out / "unit_report.docx")
    build("district", out / "district_report.docx")
    print(f"已生成：{out / 'unit_report.docx'}、{out / 'district_report.docx'}")


if __name__ == "__main__":
    main()
