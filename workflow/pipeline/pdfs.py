"""The PDF copies of a pass's reports, made beside their .docx in the staging folder.

``[report] pdf`` chooses how: ``"typst"`` (the default, and what ``true`` means) typesets each
report in-process from the same context as its .docx (report/pdf_typst.py: nothing to install
beyond pip); ``"office"`` converts the .docx itself with LibreOffice (a PDF that is exactly the
Word document; soffice must be installed); ``false`` writes none.

typst runs in two worker threads (it releases the GIL while it typesets) while the pass writes the
rollup workbook; typeset PDFs are cached in the state folder under the hash of their data, so a pass
re-typesets only the reports whose content changed. A PDF that fails is a note in summary.json and
on the dashboard (``pdf.failures``), never a failed pass. Which fonts stood in for the official ones
is said the same way (``pdf.font_substitutes``): a substitute rendering is not the final one.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
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
    """The PDFs of one pass: started early, collected when summary.json is written."""

    settings: Settings
    engine: str
    now: datetime
    pool: ThreadPoolExecutor | None = None
    jobs: dict[Path, Future[Any]] = field(default_factory=dict)  # .docx → its PDF job
    docs: list[Path] = field(default_factory=list)
    used_keys: set[str] = field(default_factory=set)

    def unit(self, record: UnitRecord, doc: Path) -> None:
        """The PDF of a unit report written to ``doc`` (typeset in the background)."""
        self.docs.append(doc)
        if self.engine == "typst":
            from workflow.report.pdf_typst import write_unit_report_pdf

            self._submit(
                doc,
                lambda: write_unit_report_pdf(
                    self.settings, record, doc.with_suffix(".pdf"), now=self.now, cache=self._cache
                ),
            )

    def district(
        self, settings: Settings, summary: Mapping[str, Any], doc: Path, draft: bool
    ) -> None:
        """The PDF of the district report written to ``doc`` with ``settings`` and ``draft``."""
        self.docs.append(doc)
        if self.engine == "typst":
            from workflow.report.docx import district_report_context
            from workflow.report.pdf_typst import render_report_pdf, workspace_fonts

            # the context is made now: the summary changes while the PDF is typeset
            context = district_report_context(settings, summary, now=self.now, draft=draft)
            format_id = str(summary.get("format") or settings.format)
            fonts = workspace_fonts(settings)
            self._submit(
                doc,
                lambda: render_report_pdf(
                    context,
                    "district",
                    format_id,
                    doc.with_suffix(".pdf"),
                    font_paths=fonts,
                    cache=self._cache,
                ),
            )

    @property
    def _cache(self) -> Path:
        return self.settings.state_dir / TYPST_CACHE

    def _submit(self, doc: Path, job: Callable[[], Any]) -> None:
        if self.pool is None:
            self.pool = ThreadPoolExecutor(max_workers=PDF_THREADS, thread_name_prefix="pdf")
        self.jobs[doc] = self.pool.submit(job)

    def finish(self, name: Callable[[Path], str]) -> tuple[dict[Path, Path], dict[str, Any]]:
        """Wait for the PDFs: (.docx → PDF made, the ``pdf`` section of summary.json).

        ``name`` gives a document's name as shown to the coordinator."""
        if self.engine == "office":
            return self._office(name)
        made: dict[Path, Path] = {}
        failures: list[dict[str, str]] = []
        substitutes: dict[str, str] = {}
        for doc, future in self.jobs.items():
            try:
                info = future.result()
            except Exception as exc:  # one PDF failing is a note, never a failed pass
                failures.append({"document": name(doc), "reason": _reason(exc)})
                continue
            made[doc] = info.path
            substitutes.update(info.substitutes)
            if info.cache_key:
                self.used_keys.add(info.cache_key)
        if self.pool is not None:
            self.pool.shutdown()
        self._prune(self._cache, self.used_keys)
        return made, _section("typst", substitutes, failures)

    def _office(self, name: Callable[[Path], str]) -> tuple[dict[Path, Path], dict[str, Any]]:
        from workflow.report.pdf_office import find_soffice

        if not self.docs:
            return {}, _section("office", {}, [])
        if find_soffice() is None:
            reason = '未安装 LibreOffice（soffice），未生成 PDF；可将 [report] pdf 设为 "typst"'
            failures = [{"document": name(d), "reason": reason} for d in self.docs]
            return {}, _section("office", {}, failures)
        made, notices = office_pdfs(self.settings, self.docs)
        substitutes: dict[str, str] = {}
        for notice in notices:
            if notice.startswith("未安装字体「"):
                official = notice.split("「")[1].split("」")[0]
                parts = notice.split("「")
                substitutes[official] = parts[2].split("」")[0] if len(parts) > 2 else ""
        failures = [
            {"document": name(d), "reason": "LibreOffice 未能转换"}
            for d in self.docs
            if d not in made
        ]
        return made, _section("office", substitutes, failures)

    @staticmethod
    def _prune(cache: Path, used: set[str]) -> None:
        """Cached PDFs no report of this pass uses any more are removed."""
        if not cache.is_dir():
            return
        for old in cache.glob("*.pdf"):
            if old.name not in used:
                old.unlink(missing_ok=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"无法写入 PDF（{exc.strerror or exc}）"
    return str(exc) or type(exc).__name__


def _section(
    engine: str, substitutes: Mapping[str, str], failures: list[dict[str, str]]
) -> dict[str, Any]:
    """summary.json's ``pdf``: how PDFs were made, fonts that stood in, PDFs that failed."""
    notice = ""
    if substitutes:
        parts = "；".join(f"{o}→{f}" if f else o for o, f in substitutes.items())
        notice = f"本机未安装以下公文字体，PDF 以相近字体代替（非正式印发版式，安装字体后重新处理即可）：{parts}。"
        log.warning(notice)
    for failure in failures:
        log.warning(f"未能生成 PDF：{failure['document']}（{failure['reason']}）")
    return {
        "engine": engine,
        "fonts_substituted": bool(substitutes),
        "font_substitutes": dict(substitutes),
        "notice": notice,
        "failures": failures,
    }


# --- LibreOffice ----------------------------------------------------------------------------------


def office_pdfs(settings: Settings, docs: Sequence[Path]) -> tuple[dict[Path, Path], list[str]]:
    """PDF beside each .docx by LibreOffice; cached by the .docx's SHA-256 so unchanged documents
    are not redone. Documents are converted in batches, two soffice processes at a time; cached
    PDFs no document uses any more are removed. Returns the PDFs made and soffice's notices."""
    cache = settings.state_dir / OFFICE_CACHE
    cache.mkdir(parents=True, exist_ok=True)
    keys = {doc: sha256_file(doc) for doc in docs}
    todo = [doc for doc in docs if not (cache / f"{keys[doc]}.pdf").exists()]
    notices = _convert_into_cache(todo, keys, cache) if todo else []
    pdfs: dict[Path, Path] = {}
    for doc in docs:
        cached = cache / f"{keys[doc]}.pdf"
        if cached.exists():
            target = doc.with_suffix(".pdf")
            shutil.copyfile(cached, target)
            pdfs[doc] = target
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
