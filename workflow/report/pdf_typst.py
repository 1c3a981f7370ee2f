"""The report documents as PDF, typeset in-process by typst (no LibreOffice, nothing but ``pip``).

The PDF is made from the very context the .docx template gets (``unit_report_context`` /
``district_report_context`` in report_docx.py): the same sentences, and the same tables, read back
from the WordprocessingML that report_tables.py wrote for the .docx (spans, merges, shading,
alignment, header rows, column widths). Text and numbers cannot disagree between the two files.

Layout (workflow/assets/report.typ) follows GB/T 9704-2012 as the Word template does: A4, margins
37/35/28/26 mm, title 2号 方正小标宋简体, body 3号 仿宋_GB2312 on a 28.95 pt line pitch, 一、 headings
黑体, （一） headings 楷体_GB2312, page numbers "— 1 —" in 4号 宋体 at the outer corner.

No text is ever turned into typst markup: the whole report goes to typst as one JSON string
(``sys.inputs``) and the template shows its values as plain text, so ``#``, ``*``, ``$``, ``<``,
``@``, backslashes or ``{{`` typed by a clerk come out as typed.

Fonts: each official font is used when typst finds it (system fonts, plus ``font_paths`` and a
workspace's ``fonts/`` folder); otherwise a named look-alike (Noto Serif/Sans CJK SC from Debian's
fonts-noto-cjk, Windows' SimSun …). Which fonts were substituted is returned (``PdfInfo``) and
written into the PDF's document properties (subject and keywords).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import typst

from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
from workflow.errors import TemplateProblem
from workflow.report.docx import district_report_context, unit_report_context
from workflow.report.text import clean_text

TEMPLATE = Path(__file__).resolve().parents[1] / "assets" / "report.typ"
Kind = Literal["unit", "district"]

# --- fonts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontRole:
    """One typeface of the layout: the official font (any of its names) and look-alikes in order."""

    official: str  # the name a 公文 specifies, shown to the operator
    names: tuple[str, ...]  # the official font under its Chinese and English family names
    substitutes: tuple[str, ...]
    substitute_weight: int = 400  # 小标宋 is heavier than a regular 宋体: its stand-in is bold


_SERIF = (
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "思源宋体",
    "SimSun",
    "宋体",
    "Songti SC",
    "STSong",
    "华文宋体",
    "AR PL UMing CN",
)
_SANS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "思源黑体",
    "Microsoft YaHei",
    "微软雅黑",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "华文黑体",
    "WenQuanYi Zen Hei",
    "文泉驿正黑",
    "Noto Sans SC",
)

FONT_ROLES: dict[str, FontRole] = {
    "title": FontRole(
        "方正小标宋简体",
        ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FZXiaoBiaoSong-B05"),
        _SERIF,
        700,
    ),
    "body": FontRole(
        "仿宋_GB2312",
        ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"),
        ("STFangsong", "华文仿宋", *_SERIF),
    ),
    "heading1": FontRole("黑体", ("黑体", "SimHei"), _SANS),
    "heading2": FontRole(
        "楷体_GB2312",
        ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"),
        ("STKaiti", "华文楷体", "Kaiti SC", "AR PL UKai CN", "LXGW WenKai", "霞鹜文楷", *_SERIF),
    ),
    "page": FontRole("宋体", ("宋体", "SimSun"), _SERIF),
}
FONT_ROLES["table"] = FONT_ROLES["body"]


@dataclass(frozen=True)
class FontChoice:
    role: str
    official: str
    family: str  # "" when no CJK font at all was found
    substituted: bool
    families: tuple[str, ...]  # what typst gets: the choice first, then other installed fallbacks
    weight: int


@dataclass(frozen=True)
class PdfInfo:
    """What a PDF was typeset with, for the operator and the dashboard."""

    path: Path
    fonts_used: tuple[str, ...]  # the families chosen, in role order, each once
    substituted: bool
    substitutes: dict[str, str] = field(default_factory=dict)  # 仿宋_GB2312 → Noto Serif CJK SC
    milliseconds: float = 0.0

    @property
    def notice(self) -> str:
        """One line in Chinese: which official fonts were replaced ("" when none)."""
        return substitution_text(self.substitutes)


def substitution_text(substitutes: Mapping[str, str]) -> str:
    if not substitutes:
        return ""
    parts = "；".join(f"{official}→{family}" for official, family in substitutes.items())
    return f"本机未安装以下公文字体，PDF 以相近字体代替：{parts}。"


def _key(paths: Iterable[str | os.PathLike[str]]) -> tuple[str, ...]:
    return tuple(str(Path(p)) for p in paths if Path(p).is_dir())


@cache
def installed_families(paths: tuple[str, ...] = ()) -> dict[str, str]:
    """The font families typst sees (system fonts and ``paths``), lower-cased name → name."""
    fonts = typst.Fonts(
        include_system_fonts=True, include_embedded_fonts=False, font_paths=list(paths)
    )
    return {name.casefold(): name for name in fonts.families()}


def choose_fonts(paths: tuple[str, ...] = ()) -> dict[str, FontChoice]:
    """For each role, the official font if installed, else the first installed substitute."""
    have = installed_families(paths)
    out = {}
    for role, spec in FONT_ROLES.items():
        official = [have[n.casefold()] for n in spec.names if n.casefold() in have]
        subs = [have[n.casefold()] for n in spec.substitutes if n.casefold() in have]
        families = tuple(dict.fromkeys(official + subs))
        out[role] = FontChoice(
            role=role,
            official=spec.official,
            family=families[0] if families else "",
            substituted=not official,
            families=families,
            weight=400 if official else spec.substitute_weight,
        )
    return out


def font_report(paths: Sequence[str | os.PathLike[str]] = ()) -> dict[str, str]:
    """Official font → the family the PDF uses for it ("" for none): for the dashboard."""
    return {c.official: c.family for c in choose_fonts(_key(paths)).values()}


# --- tables: read back from the WordprocessingML of report_tables.py --------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _twips(value: str | None, default: int = 0) -> float:
    return (int(value) if value else default) / 20


def table_model(xml: str) -> dict[str, Any]:
    """A w:tbl as typst table data: column widths (pt), header rows, cells with x/y/spans."""
    root = ET.fromstring(f'<root xmlns:w="{_W}">{xml}</root>')
    tbl = root.find(_w("tbl"))
    if tbl is None:
        raise TemplateProblem("报告表格数据有误：缺少表格。")
    widths = [_twips(g.get(_w("w"))) for g in tbl.iter(_w("gridCol"))]
    margin = tbl.find(f"{_w('tblPr')}/{_w('tblCellMar')}/{_w('left')}")
    inset = _twips(margin.get(_w("w")) if margin is not None else None, 57)
    cells: list[dict[str, Any]] = []
    header = 0
    open_cells: dict[int, dict[str, Any]] = {}  # vertically merged cells by grid column
    for y, tr in enumerate(tbl.findall(_w("tr"))):
        if tr.find(f"{_w('trPr')}/{_w('tblHeader')}") is not None and header == y:
            header = y + 1
        x = 0
        for tc in tr.findall(_w("tc")):
            props = tc.find(_w("tcPr"))
            span_el = props.find(_w("gridSpan")) if props is not None else None
            span = int(span_el.get(_w("val"), "1")) if span_el is not None else 1
            merge_el = props.find(_w("vMerge")) if props is not None else None
            merge = "" if merge_el is None else merge_el.get(_w("val"), "continue")
            if merge == "continue" and x in open_cells:
                open_cells[x]["rowspan"] += 1
            else:
                jc = tc.find(f"{_w('p')}/{_w('pPr')}/{_w('jc')}")
                cell = {
                    "x": x,
                    "y": y,
                    "colspan": span,
                    "rowspan": 1,
                    "text": "".join(t.text or "" for t in tc.iter(_w("t"))),
                    "align": jc.get(_w("val"), "center") if jc is not None else "center",
                    "shade": props is not None and props.find(_w("shd")) is not None,
                }
                cells.append(cell)
                if merge == "restart":
                    open_cells[x] = cell
                else:
                    open_cells.pop(x, None)
            x += span
        if x != len(widths):
            raise TemplateProblem(f"报告表格数据有误：第{y + 1}行有{x}列，应为{len(widths)}列。")
    return {"kind": "table", "widths": widths, "header": header, "inset": inset, "cells": cells}


# --- the report model -----------------------------------------------------------------------------

_SIX_PARTS = (
    "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
    "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项等六部分组成。"
)


def _text(value: Any) -> str:
    """A context value as plain text (the .docx template's ``finalize`` does the same)."""
    return clean_text(str(value)) if value is not None else ""


def preamble(context: Mapping[str, Any], kind: Kind) -> str:
    """The opening paragraph, worded exactly as in templates/docx (PREAMBLE_UNIT/_DISTRICT)."""
    c = {k: _text(context.get(k, "")) for k in ("basis", "unit_name", "year", "website_url")}
    c.update(contact=_text(context.get("contact", "")))
    start = f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第四十九条、第五十条和{c['basis']}要求，"
    if kind == "district":
        who = _text(context.get("compiler", ""))
        text = f"{start}由{who}汇总编制本报告。{_text(context.get('coverage', ''))}{_SIX_PARTS}"
    else:
        who = c["unit_name"]
        text = f"{start}由{who}编制本报告。{_SIX_PARTS}"
    text += f"本报告中所列数据的统计期限自{c['year']}年1月1日起至{c['year']}年12月31日止。"
    if c["website_url"]:
        text += f"本报告电子版可在{c['website_url']}查阅或下载。"
    if c["contact"]:
        text += f"如对本报告有疑问，请与{who}联系（{c['contact']}）。"
    return text


def report_blocks(context: Mapping[str, Any], kind: Kind) -> list[dict[str, Any]]:
    """The body of the report, block by block, in the order of the Word template."""
    heads: Mapping[str, Any] = context["headings"]
    paras: Mapping[str, Sequence[str]] = context["paras"]
    notes: Mapping[str, Sequence[str]] = context.get("notes", {})
    blocks: list[dict[str, Any]] = []

    def p(items: Iterable[Any]) -> None:
        blocks.extend({"kind": "p", "text": _text(t)} for t in items)

    def h(level: int, key: str) -> None:
        blocks.append({"kind": f"h{level}", "text": _text(heads[key])})

    def table(key: str) -> None:
        blocks.append(table_model(str(context[key])))

    p(context.get("draft_notes", []))
    p([preamble(context, kind)])
    p(context.get("preamble_extra", []))
    blocks.append({"kind": "h1", "text": "一、总体情况"})
    p(paras.get("overview", []))
    for key in ("text_active", "text_request", "text_management", "text_platform"):
        h(2, key)
        p(paras.get(key, []))
    h(2, "text_supervision")
    p(paras.get("text_supervision", []))
    h(1, "active")
    table("table_active")
    blocks.extend({"kind": "note", "text": _text(t)} for t in notes.get("active", []))
    h(1, "apply")
    table("table_apply")
    h(1, "review")
    p(paras.get("review", []))
    table("table_review")
    h(1, "text_problems")
    p(paras.get("text_problems", []))
    h(1, "text_other")
    p(paras.get("text_other", []))
    if blocks[-1]["kind"] == "p":  # the end of 六 stays on the page of the name and date
        blocks[-1]["sticky"] = True
    blocks.append({"kind": "sign", "lines": [_text(context["signer"]), _text(context["date"])]})
    return blocks


def report_model(
    context: Mapping[str, Any], kind: Kind, format_id: str, fonts: Mapping[str, FontChoice]
) -> dict[str, Any]:
    """Everything the typst template shows, as JSON-ready data."""
    substitutes = _substitutes(fonts)
    used = "；".join(f"{c.official}：{c.family or '无'}" for c in _distinct(fonts))
    description = f"{'区' if kind == 'district' else '单位'}政府信息公开工作年度报告（{format_id}）。字体：{used}。"
    if substitutes:
        description += substitution_text(substitutes)
    keywords = ["政府信息公开工作年度报告", format_id]
    keywords += [f"替代字体 {o}→{f}" for o, f in substitutes.items()]
    return {
        "meta": {
            "title": _text(context.get("doc_title") or context["title"]).replace("\n", ""),
            "author": _text(context.get("signer", "")),
            "keywords": keywords,
            "description": description,
        },
        "fonts": {
            role: {"families": list(c.families), "weight": c.weight} for role, c in fonts.items()
        },
        "draft": bool(context.get("draft")),
        "title": _text(context["title"]).split("\n"),
        "blocks": report_blocks(context, kind),
    }


def _distinct(fonts: Mapping[str, FontChoice]) -> list[FontChoice]:
    seen: dict[str, FontChoice] = {}
    for c in fonts.values():
        seen.setdefault(c.official, c)
    return list(seen.values())


def _substitutes(fonts: Mapping[str, FontChoice]) -> dict[str, str]:
    return {c.official: c.family for c in _distinct(fonts) if c.substituted}


# --- rendering ------------------------------------------------------------------------------------

_LOCK = threading.Lock()


@cache
def _compiler(paths: tuple[str, ...]) -> typst.Compiler:
    return typst.Compiler(str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=list(paths))


def render_report_pdf(
    context: Mapping[str, Any],
    kind: Kind,
    format_id: str,
    out_path: Path,
    *,
    font_paths: Sequence[str | os.PathLike[str]] = (),
) -> PdfInfo:
    """Typeset the report of ``context`` (as given to the .docx template) into ``out_path``.

    Raises TemplateProblem when no Chinese font is installed at all (the PDF would show boxes).
    """
    started = time.perf_counter()
    paths = _key(font_paths)
    fonts = choose_fonts(paths)
    if not fonts["body"].family:
        raise TemplateProblem(
            "本机没有可用的中文字体，无法生成 PDF。请安装仿宋_GB2312等公文字体，"
            "或安装 Noto CJK 字体（Debian/Ubuntu：apt-get install fonts-noto-cjk）。"
        )
    model = report_model(context, kind, format_id, fonts)
    payload = json.dumps(model, ensure_ascii=False)
    with _LOCK:
        try:
            pdf = _compiler(paths).compile(format="pdf", sys_inputs={"report": payload})
        except typst.TypstError as exc:
            raise TemplateProblem(f"PDF 排版失败：{exc}") from exc
    if not isinstance(pdf, bytes):
        raise TemplateProblem("PDF 排版失败：typst 没有返回 PDF。")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".pdf_", dir=out_path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pdf)
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    substitutes = _substitutes(fonts)
    return PdfInfo(
        path=out_path,
        fonts_used=tuple(dict.fromkeys(c.family for c in fonts.values())),
        substituted=bool(substitutes),
        substitutes=substitutes,
        milliseconds=(time.perf_counter() - started) * 1000,
    )


def workspace_fonts(settings: Settings) -> tuple[str, ...]:
    """``<workspace>/fonts``: where an operator may put the official fonts (not installed system-wide)."""
    folder = settings.workspace / "fonts"
    return (str(folder),) if folder.is_dir() else ()


def write_unit_report_pdf(
    settings: Settings, record: UnitRecord, path: Path, *, now: datetime, draft: bool = False
) -> PdfInfo:
    """The PDF of one unit's report (the same context as ``write_unit_report``)."""
    context = unit_report_context(settings, record, now=now, draft=draft)
    return render_report_pdf(
        context, "unit", settings.format, path, font_paths=workspace_fonts(settings)
    )


def write_district_report_pdf(
    settings: Settings, summary: Mapping[str, Any], path: Path, *, now: datetime, draft: bool
) -> PdfInfo:
    """The PDF of the district's report (the same context as ``write_district_report``)."""
    context = district_report_context(settings, summary, now=now, draft=draft)
    format_id = str(summary.get("format") or settings.format)
    return render_report_pdf(
        context, "district", format_id, path, font_paths=workspace_fonts(settings)
    )
