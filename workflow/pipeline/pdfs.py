"""The PDF copies of a pass's reports, made beside their .docx in the staging folder.

``[report] pdf`` chooses how: ``"typst"`` (the default, and what ``true`` means) typesets each
report in-process from the same context as its .docx (report/pdf_typst.py: nothing to install
beyond pip); ``"office"`` converts the .docx itself with LibreOffice (a PDF that is exactly the
Word document; soffice must be installed); ``false`` writes none.

typst runs in two worker threads (it releases the GIL while it typesets) while the pass writes its
other outputs, into a cache in the state folder under the hash of its data, so a pass re-typesets
only the reports whose content changed. The PDFs ready when the rest of the pass is published go
with it (``PdfRun.take``); the others follow in a second publication of the same run
(``PdfRun.rest``; LibreOffice converts in that step). A PDF that fails is a note in summary.json and
on the dashboard (``pdf.failures``), never a failed pass; ``pdf.pending`` lists those still being
made. Which fonts stood in for the official ones is said the same way (``pdf.font_substitutes``):
a substitute rendering is not the final one.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from workflow.domain.settings import Settings
from workflow.report.blocks import Kind
from workflow.store.durable import sha256_file

log = logging.getLogger(__name__)

PDF_THREADS = 2  # typst threads (one per core of the machines this runs on)
PDF_BATCH = 40  # documents per soffice run: each run has its own timeout
PDF_PROCESSES = 2  # soffice runs at a time
TYPST_CACHE = "pdf-typst"
OFFICE_CACHE = "pdf-cache"


def pdf_engine(settings: Settings) -> str:
    """``typst``, ``office`` or "" (no PDFs) from ``[report] pdf`` (``true`` means typst)."""
    value = settings.pdf
    if value is True:
        return "typst"
    if not value:
        return ""
    return str(value)


@dataclass
class PdfRun:
    """The PDFs of one pass. Typeset in the background while the pass writes its other outputs;
    those done by then are published with them (``take``), the rest right after (``rest``), so the
    receipts and the dashboard never wait for PDFs.

    Documents are known by their path relative to the output folder (``<year>/单位报告/….docx``);
    typst writes each PDF into the cache only, and ``take``/``rest`` copy it beside its .docx."""

    settings: Settings
    engine: str
    now: datetime
    pool: ThreadPoolExecutor | None = None
    jobs: dict[str, Future[Any]] = field(default_factory=dict)  # .docx → its typst job
    ready: dict[str, Any] = field(default_factory=dict)  # .docx → its PDF in the cache (PdfInfo)
    docs: list[str] = field(default_factory=list)  # every .docx that gets a PDF
    made: dict[str, str] = field(default_factory=dict)  # .docx → its PDF, published or staged
    failures: list[dict[str, str]] = field(default_factory=list)
    substitutes: dict[str, str] = field(default_factory=dict)
    used_keys: set[str] = field(default_factory=set)
    keys: dict[str, str] = field(default_factory=dict)  # .docx → its typeset PDF in the cache

    def unit(self, context: Mapping[str, Any], blocks: Sequence[Any], doc: str) -> None:
        """The PDF of the unit report ``doc`` made from ``context`` and its ``blocks``."""
        self._add(doc, context, blocks, "unit", self.settings.format, self.settings)

    def district(
        self, settings: Settings, summary: Mapping[str, Any], doc: str, draft: bool
    ) -> None:
        """The PDF of the district report ``doc`` written with ``settings`` and ``draft``."""
        from workflow.report.docx import district_report_context

        # the context is made now: the summary changes while the PDF is typeset
        context = district_report_context(settings, summary, now=self.now, draft=draft)
        format_id = str(summary.get("format") or settings.format)
        self._add(doc, context, None, "district", format_id, settings)

    def keep(self, doc: str, cache_key: str = "") -> None:
        """The PDF of ``doc`` is published already and stays as it is (its report did not
        change): linked like the others, nothing to typeset; its typeset copy (``cache_key``)
        stays in the cache, for when the report has to be written again."""
        if not self.engine:
            return
        self.made[doc] = pdf_name(doc)
        if cache_key:
            self.used_keys.add(cache_key)
            self.keys[doc] = cache_key
        self.substitutes.update(self._kept_substitutes)

    @cached_property
    def _kept_substitutes(self) -> dict[str, str]:
        """The stand-ins of the PDFs kept from earlier passes: those of the fonts installed now
        (a change of fonts makes every PDF anew)."""
        if self.engine == "office":
            return _missing_official_fonts()
        from workflow.report.pdf_fonts import substitutes_of
        from workflow.report.pdf_typst import choose_fonts, font_key, workspace_fonts

        return substitutes_of(choose_fonts(font_key(workspace_fonts(self.settings))))

    def _add(
        self,
        doc: str,
        context: Mapping[str, Any],
        blocks: Sequence[Any] | None,
        kind: Kind,
        format_id: str,
        settings: Settings,
    ) -> None:
        """A PDF already in the cache is ready at once; the others are typeset in the
        background, to follow the rest of the pass."""
        self.docs.append(doc)
        if self.engine != "typst":
            return
        from workflow.report.pdf_typst import prepare_pdf, typeset_into, workspace_fonts

        try:
            prepared = prepare_pdf(
                context, kind, format_id, font_paths=workspace_fonts(settings), blocks=blocks
            )
        except Exception as exc:  # one PDF failing is a note, never a failed pass
            self.failures.append({"document": doc, "reason": _reason(exc)})
            return
        cache = self.settings.state_dir / TYPST_CACHE
        if (cache / f"{prepared.key}.pdf").is_file():
            self.ready[doc] = prepared.info(cache / f"{prepared.key}.pdf", 0.0)
            return
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=PDF_THREADS, thread_name_prefix="pdf")
        self.jobs[doc] = self.pool.submit(typeset_into, prepared, cache)

    @property
    def pending(self) -> list[str]:
        """Documents whose PDF is neither published nor failed yet."""
        if not self.engine:
            return []
        return [d for d in self.docs if d not in self.made and not self._failed(d)]

    def take(self, out_dir: Path) -> dict[str, Any]:
        """Copy into ``out_dir`` the PDFs the cache had already (reports whose content did not
        change); return the ``pdf`` section of summary.json (``pending``: the PDFs that follow)."""
        for doc, info in self.ready.items():
            self._place(doc, info, out_dir)
        return self.section() if self.pending else self._close()

    def rest(self, out_dir: Path, published: Path) -> dict[str, Any]:
        """Wait for the remaining PDFs and copy them into ``out_dir``; ``published`` is where the
        .docx files are now (LibreOffice converts them from there). Returns the final section."""
        if self.engine == "office":
            self._office(out_dir, published)
        elif self.engine == "typst":
            for doc in self.pending:
                self._collect(doc, self.jobs[doc], out_dir)
        return self._close()

    def _close(self) -> dict[str, Any]:
        """Every PDF is made or failed: drop what the cache holds for no report, log the notes,
        and return the final ``pdf`` section."""
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None
        if self.engine == "typst":
            self._prune(self.settings.state_dir / TYPST_CACHE, self.used_keys)
        final = self.section()
        if final["notice"]:
            log.warning(final["notice"])
        for failure in self.failures:
            log.warning(f"未能生成 PDF：{failure['document']}（{failure['reason']}）")
        return final

    def section(self) -> dict[str, Any]:
        """summary.json's ``pdf``: how PDFs are made, fonts that stood in, PDFs that failed and
        PDFs still being made."""
        return _section(self.engine, self.substitutes, self.failures, self.pending)

    def _failed(self, doc: str) -> bool:
        return any(f["document"] == doc for f in self.failures)

    def _collect(self, doc: str, job: Future[Any], out_dir: Path) -> None:
        try:
            info = job.result()
        except Exception as exc:  # one PDF failing is a note, never a failed pass
            self.failures.append({"document": doc, "reason": _reason(exc)})
            return
        self._place(doc, info, out_dir)

    def _place(self, doc: str, info: Any, out_dir: Path) -> None:
        """The typeset PDF ``info`` beside its .docx in ``out_dir``."""
        try:
            target = out_dir / pdf_name(doc)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(info.path, target)
        except OSError as exc:
            self.failures.append({"document": doc, "reason": _reason(exc)})
            return
        self.made[doc] = pdf_name(doc)
        self.substitutes.update(info.substitutes)
        self.used_keys.add(info.cache_key)
        self.keys[doc] = info.cache_key

    def _office(self, out_dir: Path, published: Path) -> None:
        from workflow.report.pdf_office import find_soffice

        if not self.docs:
            return
        if find_soffice() is None:
            reason = '未安装 LibreOffice（soffice），未生成 PDF；可将 [report] pdf 设为 "typst"'
            self.failures += [{"document": d, "reason": reason} for d in self.docs]
            return
        made, _ = office_pdfs(self.settings, [published / d for d in self.docs])
        self.substitutes.update(_missing_official_fonts())
        for doc in self.docs:
            cached = made.get(published / doc)
            if cached is None:
                self.failures.append({"document": doc, "reason": "LibreOffice 未能转换"})
                continue
            target = out_dir / pdf_name(doc)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, target)
            self.made[doc] = pdf_name(doc)

    @staticmethod
    def _prune(cache: Path, used: set[str]) -> None:
        """Cached PDFs no report of this pass uses any more are removed."""
        if not cache.is_dir():
            return
        for old in cache.glob("*.pdf"):
            if old.name not in used:
                old.unlink(missing_ok=True)


def _missing_official_fonts() -> dict[str, str]:
    """Official fonts that are not installed (LibreOffice puts a stand-in of its own choosing:
    named by the official font only). Known from the fonts, not from a conversion, so it is said
    on every pass, with PDFs converted earlier and kept too."""
    from workflow.report.pdf_fonts import choose_fonts, substitutes_of

    return dict.fromkeys(substitutes_of(choose_fonts()), "")


def pdf_name(doc: str) -> str:
    """The PDF beside a .docx (both relative to the output folder)."""
    return doc.removesuffix(".docx") + ".pdf"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"无法写入 PDF（{exc.strerror or exc}）"
    return str(exc) or type(exc).__name__


def _section(
    engine: str,
    substitutes: Mapping[str, str],
    failures: list[dict[str, str]],
    pending: Sequence[str] = (),
) -> dict[str, Any]:
    """summary.json's ``pdf``: how PDFs were made, fonts that stood in, PDFs that failed, PDFs
    that follow (published right after the rest of the pass)."""
    notice = ""
    if substitutes:
        parts = "；".join(f"{o}→{f}" if f else o for o, f in substitutes.items())
        notice = f"本机未安装以下公文字体，PDF 以相近字体代替（非正式印发版式，安装字体后重新处理即可）：{parts}。"
    return {
        "engine": engine,
        "fonts_substituted": bool(substitutes),
        "font_substitutes": dict(substitutes),
        "notice": notice,
        "failures": list(failures),
        "pending": list(pending),
    }


# --- LibreOffice ----------------------------------------------------------------------------------


def office_pdfs(settings: Settings, docs: Sequence[Path]) -> tuple[dict[Path, Path], list[str]]:
    """The PDF of each .docx by LibreOffice, in the cache under the .docx's SHA-256 so unchanged
    documents are not redone. Documents are converted in batches, two soffice processes at a time;
    cached PDFs no document uses any more are removed. Returns each document's cached PDF and
    soffice's notices."""
    from workflow.report.pdf_fonts import font_signature

    cache = settings.state_dir / OFFICE_CACHE
    cache.mkdir(parents=True, exist_ok=True)
    fonts = font_signature()[:16]  # LibreOffice's PDF changes when fonts are installed
    keys = {doc: f"{sha256_file(doc)}-{fonts}" for doc in docs}
    todo = [doc for doc in docs if not (cache / f"{keys[doc]}.pdf").exists()]
    notices = _convert_into_cache(todo, keys, cache) if todo else []
    pdfs: dict[Path, Path] = {}
    for doc in docs:
        cached = cache / f"{keys[doc]}.pdf"
        if cached.exists():
            pdfs[doc] = cached
    PdfRun._prune(cache, {f"{key}.pdf" for key in keys.values()})
    return pdfs, notices


def _convert_into_cache(todo: Sequence[Path], keys: Mapping[Path, str], cache: Path) -> list[str]:
    from workflow.report.pdf_office import convert_to_pdf

    work = cache / "work"
    shutil.rmtree(work, ignore_errors=True)
    batches = [todo[i : i + PDF_BATCH] for i in range(0, len(todo), PDF_BATCH)]
    folders = [work / str(i) for i in range(len(batches))]
    with ThreadPoolExecutor(max_workers=PDF_PROCESSES) as pool:
        results = list(pool.map(convert_to_pdf, batches, folders))
    notices: list[str] = []
    for result in results:
        notices += [n for n in result.notices if n not in notices]
    for notice in notices:
        if not notice.startswith("未安装字体"):
            log.warning(notice)
    for batch, folder in zip(batches, folders, strict=True):
        for doc in batch:
            made = folder / f"{doc.stem}.pdf"
            if made.exists():
                made.replace(cache / f"{keys[doc]}.pdf")
    shutil.rmtree(work, ignore_errors=True)
    return notices
