"""The district's own text as a Word document (区报告正文.docx), besides the Markdown file.

``load_district_text`` reads either kind into the line form ``district_text.parse_district_text``
reads: one line a paragraph (so a line number is the paragraph's number), a heading as ``## …``,
the title and the 【待修改】 paragraph as ``# …`` comments. A paragraph is a heading when it has a
heading style (标题 1/2…, Heading 1/2…), or when it starts with the next official number in order
(一、 （一）…（五） 五、 六、) and reads like a heading (short, no closing 。): so a numbered list
inside 五、 (「一、…。」) stays text. ``write_district_docx`` writes such a document from the line form.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from workflow.errors import TemplateProblem
from workflow.report.district_text import PLACEHOLDER_TAG

DOCX_SUFFIX = ".docx"
DOCX_MARK = (
    f"{PLACEHOLDER_TAG}本文件为默认文字，请按本地实际情况修改各部分内容。标题（一、（一）至（五）、五、六、）"
    "请保留序号；二、三、四部分的表格由汇总数据自动生成，无需填写。修改完成后删除本段，删除本段表示已修改。"
)
_ORDER = ("一、", "（一）", "（二）", "（三）", "（四）", "（五）", "五、", "六、")
_HEADING_STYLES = re.compile(r"^(heading|标题)\s*\d", re.IGNORECASE)


def load_district_text(path: Path) -> tuple[str, str]:
    """The narrative file's text in line form and the word for one of its lines (行 or 段).

    Raises FileNotFoundError / OSError / UnicodeDecodeError as reading a file does, and
    TemplateProblem for a Word document that cannot be read."""
    if path.suffix.lower() == DOCX_SUFFIX:
        return docx_lines(path), "段"
    if path.suffix.lower() in (".doc", ".wps", ".rtf"):
        raise TemplateProblem(
            f"区报告正文 {path} 是旧版 Word/WPS 格式，无法读取。请在 Word/WPS 中“另存为”.docx，"
            f"并把 workflow.toml 的 [report] district_text 改为新文件名。"
        )
    return path.read_text("utf-8-sig"), "行"


def _heading_index(text: str) -> int | None:
    text = text.replace("(", "（").replace(")", "）")
    return next((i for i, prefix in enumerate(_ORDER) if text.startswith(prefix)), None)


def docx_lines(path: Path) -> str:
    """A Word document's paragraphs in the line form of the narrative file."""
    import docx

    if not path.exists():
        raise FileNotFoundError(path)
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
        raise TemplateProblem(
            f"无法读取区报告正文 {path}：文件不完整或不是 Word 文档（{type(exc).__name__}）。"
            "若正在 Word/WPS 中编辑，请保存后再处理。"
        ) from exc
    except Exception as exc:  # lxml and zip errors of a half-saved file all mean "unreadable"
        raise TemplateProblem(
            f"无法读取区报告正文 {path}（{type(exc).__name__}）。请在 Word/WPS 中保存后再处理。"
        ) from exc
    lines: list[str] = []
    last = -1  # index in _ORDER of the last heading seen
    for paragraph in document.paragraphs:
        text = " ".join(paragraph.text.replace("\u3000", " ").split())
        style = _style_name(paragraph)
        index = _heading_index(text)
        if not text:
            lines.append("")
        elif text.startswith(PLACEHOLDER_TAG) or style == "Title" or style == "标题":
            lines.append("# " + text)
        elif last < 0 and index is None and text.endswith("（正文）"):
            lines.append("# " + text)  # the title, its style lost in another editor
        elif _HEADING_STYLES.match(style) or (
            index is not None and index > last and len(text) <= 40 and not text.endswith("。")
        ):
            lines.append("## " + text)
            last = index if index is not None else last
        else:
            lines.append(text.lstrip("#"))
    return "\n".join(lines)


def _style_name(paragraph: Any) -> str:
    try:
        return str(paragraph.style.name) if paragraph.style is not None else ""
    except (KeyError, ValueError):
        return ""


def write_district_docx(path: Path, text: str, *, mark: str = DOCX_MARK) -> None:
    """Write the narrative in line form (``default_district_text``) as a Word document: the title
    centred, ``mark`` first (in red; none when ""), ``##``/``###`` as headings 1/2, each other
    line a paragraph; other ``#`` comment lines are left out."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(14)
    normal.paragraph_format.first_line_indent = Pt(28)  # 首行缩进 2 字
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    for name, font in (("Heading 1", "黑体"), ("Heading 2", "楷体"), ("Title", "宋体")):
        style = document.styles[name]
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    lines = text.split("\n")
    title = next(
        (ln.lstrip("#").strip() for ln in lines if ln.startswith("# ") and "（正文）" in ln), ""
    )
    if title:
        document.add_paragraph(title, style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    if mark:
        marked = document.add_paragraph()
        marked.paragraph_format.first_line_indent = Pt(0)
        run = marked.add_run(mark)
        run.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0, 0)
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("###"):
            document.add_heading(stripped.lstrip("#").strip(), level=2)
        elif stripped.startswith("##"):
            document.add_heading(stripped.lstrip("#").strip(), level=1)
        elif stripped and not stripped.startswith("#"):
            document.add_paragraph(stripped)
    document.save(str(path))


def mark_docx_as_draft(source: Path, target: Path, mark: str) -> None:
    """Copy a Word narrative to ``target`` with ``mark`` (a 【待修改】 paragraph) put first, and
    the 【待修改】 paragraphs it had left out."""
    import docx
    from docx.shared import RGBColor

    document = docx.Document(str(source))
    for paragraph in list(document.paragraphs):
        if paragraph.text.strip().startswith(PLACEHOLDER_TAG):
            paragraph._element.getparent().remove(paragraph._element)
    paragraphs = document.paragraphs
    if paragraphs:
        first = paragraphs[0]
        if _style_name(first) in ("Title", "标题") or first.text.strip().endswith("（正文）"):
            new = paragraphs[1].insert_paragraph_before() if len(paragraphs) > 1 else None
        else:
            new = first.insert_paragraph_before()
    else:
        new = None
    new = new if new is not None else document.add_paragraph()
    run = new.add_run(mark)
    run.bold = True
    run.font.color.rgb = RGBColor(0xC0, 0, 0)
    document.save(str(target))
