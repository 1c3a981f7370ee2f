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

import hashlib
import json
import os
import threading
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import typst

from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
from workflow.errors import TemplateProblem
from workflow.report.docx import district_report_context, unit_report_context
from workflow.report.pdf_fonts import (
    FontChoice,
    PdfInfo,
    choose_fonts,
    font_key,
    font_report,
    installed_families,
    substitutes_of,
    substitution_text,
)
from workflow.report.pdf_model import Kind, preamble, report_blocks, report_model, table_model
from workflow.store.durable import atomic_write_bytes

__all__ = [
    "FontChoice",
    "Kind",
    "PdfInfo",
    "choose_fonts",
    "font_report",
    "installed_families",
    "preamble",
    "PreparedPdf",
    "prepare_pdf",
    "render_report_pdf",
    "typeset_into",
    "report_blocks",
    "report_model",
    "substitution_text",
    "table_model",
    "workspace_fonts",
    "write_district_report_pdf",
    "write_unit_report_pdf",
]

TEMPLATE = Path(__file__).resolve().parents[1] / "assets" / "report.typ"

# --- rendering ------------------------------------------------------------------------------------

_LOCAL = threading.local()  # a compiler per thread: typst releases the GIL while it typesets


def _compiler(paths: tuple[str, ...]) -> typst.Compiler:
    compilers: dict[tuple[str, ...], typst.Compiler] = _LOCAL.__dict__.setdefault("compilers", {})
    if paths not in compilers:
        compilers[paths] = typst.Compiler(
            str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=list(paths)
        )
    return compilers[paths]


@cache
def _template_key() -> str:
    """What besides the report's data decides the PDF: the template and the typst version."""
    digest = hashlib.sha256(TEMPLATE.read_bytes())
    digest.update(str(getattr(typst, "__version__", "")).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class PreparedPdf:
    """A report ready to typeset: the fonts chosen, the JSON the template reads (compressed: a
    large district's reports wait for typst by the thousand), and the cache key of the PDF (the
    data, the template, typst's version and the font folders)."""

    paths: tuple[str, ...]
    fonts: Mapping[str, FontChoice]
    packed: bytes
    key: str

    @property
    def payload(self) -> str:
        return zlib.decompress(self.packed).decode("utf-8")

    def info(self, path: Path, started: float) -> PdfInfo:
        substitutes = substitutes_of(self.fonts)
        return PdfInfo(
            path=path,
            fonts_used=tuple(dict.fromkeys(c.family for c in self.fonts.values())),
            substituted=bool(substitutes),
            substitutes=substitutes,
            milliseconds=(time.perf_counter() - started) * 1000,
            cache_key=f"{self.key}.pdf",
        )


def prepare_pdf(
    context: Mapping[str, Any],
    kind: Kind,
    format_id: str,
    *,
    font_paths: Sequence[str | os.PathLike[str]] = (),
    blocks: Sequence[Mapping[str, Any]] | None = None,
) -> PreparedPdf:
    """The report of ``context`` (as given to the .docx template) made ready to typeset
    (``blocks``: the context's ``report_blocks`` when the caller has them already). Raises
    TemplateProblem when no Chinese font is installed at all (the PDF would show boxes)."""
    paths = font_key(font_paths)
    fonts = choose_fonts(paths)
    if not fonts["body"].family:
        raise TemplateProblem(
            "本机没有可用的中文字体，无法生成 PDF。请安装仿宋_GB2312等公文字体，"
            "或安装 Noto CJK 字体（Debian/Ubuntu：apt-get install fonts-noto-cjk）。"
        )
    payload = json.dumps(report_model(context, kind, format_id, fonts, blocks), ensure_ascii=False)
    key = hashlib.sha256(f"{_template_key()}\n{paths}\n{payload}".encode()).hexdigest()
    return PreparedPdf(paths, fonts, zlib.compress(payload.encode("utf-8"), 1), key)


def typeset_into(prepared: PreparedPdf, cache: Path) -> PdfInfo:
    """The PDF of ``prepared`` in the ``cache`` folder, typeset unless it is there already
    (``PdfInfo.path`` is the cached file). Raises TemplateProblem when typst fails."""
    started = time.perf_counter()
    cached = cache / f"{prepared.key}.pdf"
    if not cached.is_file():
        pdf = _typeset(prepared.paths, prepared.payload)
        cached.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(cached, pdf)
    return prepared.info(cached, started)


def render_report_pdf(
    context: Mapping[str, Any],
    kind: Kind,
    format_id: str,
    out_path: Path,
    *,
    font_paths: Sequence[str | os.PathLike[str]] = (),
    cache: Path | None = None,
) -> PdfInfo:
    """Typeset the report of ``context`` (as given to the .docx template) into ``out_path``.

    With ``cache`` (a folder), a PDF already typeset from the same data, template and fonts is
    copied from there instead of typeset again. Raises TemplateProblem when no Chinese font is
    installed at all (the PDF would show boxes), or when typst fails.
    """
    started = time.perf_counter()
    prepared = prepare_pdf(context, kind, format_id, font_paths=font_paths)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if cache is not None:
        atomic_write_bytes(out_path, typeset_into(prepared, cache).path.read_bytes())
        return prepared.info(out_path, started)
    atomic_write_bytes(out_path, _typeset(prepared.paths, prepared.payload))
    return replace(prepared.info(out_path, started), cache_key="")


def _typeset(paths: tuple[str, ...], payload: str) -> bytes:
    try:
        pdf = _compiler(paths).compile(format="pdf", sys_inputs={"report": payload})
    except typst.TypstError as exc:
        raise TemplateProblem(f"PDF 排版失败：{exc}") from exc
    if not isinstance(pdf, bytes):
        raise TemplateProblem("PDF 排版失败：typst 没有返回 PDF。")
    return pdf


def workspace_fonts(settings: Settings) -> tuple[str, ...]:
    """``<workspace>/fonts``: where an operator may put the official fonts (not installed system-wide)."""
    folder = settings.workspace / "fonts"
    return (str(folder),) if folder.is_dir() else ()


def write_unit_report_pdf(
    settings: Settings,
    record: UnitRecord,
    path: Path,
    *,
    now: datetime,
    draft: bool = False,
    cache: Path | None = None,
) -> PdfInfo:
    """The PDF of one unit's report (the same context as ``write_unit_report``)."""
    context = unit_report_context(settings, record, now=now, draft=draft)
    fonts = workspace_fonts(settings)
    return render_report_pdf(context, "unit", settings.format, path, font_paths=fonts, cache=cache)


def write_district_report_pdf(
    settings: Settings,
    summary: Mapping[str, Any],
    path: Path,
    *,
    now: datetime,
    draft: bool,
    cache: Path | None = None,
) -> PdfInfo:
    """The PDF of the district's report (the same context as ``write_district_report``)."""
    context = district_report_context(settings, summary, now=now, draft=draft)
    format_id = str(summary.get("format") or settings.format)
    fonts = workspace_fonts(settings)
    return render_report_pdf(context, "district", format_id, path, font_paths=fonts, cache=cache)
