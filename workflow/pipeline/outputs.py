"""What a pass publishes into the outbox: unit reports, summary.json, rollup, district report, dashboard.

Everything is written into ``out_dir`` (the pipeline's staging copy of the outbox) and published
atomically by the pipeline. Paths inside summary.json are relative to the workspace.

Each unit report's context is made once and its tables read back once (``report_blocks``), for the
.docx, the HTML page and the PDF alike.

PDF copies (pipeline/pdfs.py) are typeset by typst in two threads while the other outputs are
written; those ready by then are published with them, the rest right after (``write_pdf_rest``, a
second publication of the same run), so receipts and the dashboard never wait for PDFs. With
``[report] pdf = "office"`` LibreOffice converts the published .docx files in that second step.
Either way PDFs are cached in the state folder, so a pass redoes only documents whose content
changed. summary.json's ``pdf`` says which fonts stood in for the official ones, which PDFs failed
and which are still being made; a failed PDF never fails the pass.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from workflow.check.checker import load_previous
from workflow.dashboard.page import write_dashboard
from workflow.domain.names import safe_name
from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
from workflow.domain.summary_json import Summary, summary_to_json
from workflow.errors import TemplateProblem
from workflow.pipeline.pdfs import PdfRun, pdf_engine, pdf_name
from workflow.pipeline.report_reuse import ReportReuse, context_key
from workflow.pipeline.status import outbox_prefix
from workflow.report.blocks import report_blocks
from workflow.report.context import missing_contact
from workflow.report.district_docx import load_district_text
from workflow.report.district_text import is_placeholder
from workflow.report.docx import (
    district_contact,
    render_unit_report,
    unit_report_context,
    write_district_report,
)
from workflow.report.html import render_report_html, write_district_report_html
from workflow.rollup.summary import build_summary
from workflow.rollup.workbook.book import rollup_filename, write_rollup_workbook

log = logging.getLogger(__name__)

UNIT_REPORT_FOLDER = "单位报告"
DASHBOARD_NAME = "index.html"
SUMMARY_NAME = "summary.json"
INCOMPLETE = "尚有单位未报送或未通过校验"


def unit_report_name(unit: str, year: int) -> str:
    return safe_name(f"{unit}{year}年政府信息公开工作年度报告") + ".docx"


def district_report_name(district: str, year: int, *, draft: bool) -> str:
    mark = "（草稿）" if draft else ""
    return safe_name(f"{district}人民政府{year}年政府信息公开工作年度报告{mark}") + ".docx"


@dataclass
class Outputs:
    """What ``write_outputs`` wrote (output name → path relative to its folder), and what the
    PDFs that follow need: the summary, the run history and the PDFs under way."""

    written: dict[str, str]
    summary: Summary
    runs: list[dict[str, Any]]
    pdf: PdfRun
    prefix: str
    reuse: ReportReuse | None = None

    @property
    def pdf_pending(self) -> list[str]:
        """The workspace paths of the PDFs not published with the rest."""
        return [f"{self.prefix}/{pdf_name(d)}" for d in self.pdf.pending]

    @property
    def kept(self) -> set[str]:
        """Unit report files left in the outbox as they are (relative to it)."""
        return self.reuse.kept if self.reuse is not None else set()

    def published(self) -> None:
        """After the last publication of the pass: record the unit reports now published."""
        if self.reuse is None:
            return
        for failure in self.pdf.failures:
            self.reuse.drop(failure["document"], pdf_name(failure["document"]))
        self.reuse.save(self.pdf.keys)


def write_outputs(
    settings: Settings,
    records: list[UnitRecord],
    out_dir: Path,
    *,
    now: datetime,
    runs: list[dict],
    reuse: ReportReuse | None = None,
) -> Outputs:
    """Write the outputs of a pass into ``out_dir``, with the PDFs typeset by then; the rest
    follow with ``write_pdf_rest``. With ``reuse``, unit reports unchanged since the latest
    publication are not written again (``Outputs.kept``: publication keeps them)."""
    year = str(settings.year)
    prefix = outbox_prefix(settings)
    pdf = PdfRun(settings, pdf_engine(settings), now)

    records = _write_unit_reports(
        settings, records, out_dir, prefix=prefix, now=now, pdf=pdf, reuse=reuse
    )
    summary = build_summary(settings, records, now=now, previous=load_previous(settings))
    _add_unit_details(summary, records)
    summary["partial_units"] = _partial_units(records)
    if summary["partial_units"]:  # a district that exported part of its units is not complete
        summary["complete"] = False
    report = _write_district_report(settings, summary, out_dir, now=now, pdf=pdf)
    rollup = out_dir / year / rollup_filename(settings.district, settings.year)
    write_rollup_workbook(summary, settings, rollup)  # while the PDFs are typeset
    summary["pdf"] = pdf.take(out_dir)
    summary["outputs"] = {
        "rollup": _ws(prefix, out_dir, rollup),
        "report": _ws(prefix, out_dir, report),
        "report_html": _ws(prefix, out_dir, _html(report)),
        "dashboard": f"{prefix}/{DASHBOARD_NAME}",
        "summary": f"{prefix}/{year}/{SUMMARY_NAME}",
    }
    made = Outputs({}, summary, runs, pdf, prefix, reuse)
    _summary_and_dashboard(settings, made, out_dir, now=now)
    made.written = {
        "summary": f"{year}/{SUMMARY_NAME}",
        "rollup": rollup.relative_to(out_dir).as_posix(),
        "report": report.relative_to(out_dir).as_posix(),
        "dashboard": DASHBOARD_NAME,
    }
    return made


def write_pdf_rest(
    settings: Settings, made: Outputs, out_dir: Path, *, published: Path, now: datetime
) -> None:
    """Into ``out_dir``: the PDFs that were not ready when the rest of the pass was published
    (the .docx files are in ``published`` by now), with summary.json and the dashboard again."""
    made.summary["pdf"] = made.pdf.rest(out_dir, published)
    _summary_and_dashboard(settings, made, out_dir, now=now)


def _summary_and_dashboard(
    settings: Settings, made: Outputs, out_dir: Path, *, now: datetime
) -> None:
    """summary.json (with the links to the PDFs made so far) and the dashboard."""
    summary, year = made.summary, str(settings.year)
    pdfs = made.pdf.made
    report = summary["outputs"]["report"].removeprefix(made.prefix + "/")
    if report in pdfs:
        summary["outputs"]["report_pdf"] = f"{made.prefix}/{pdfs[report]}"
    for unit in summary["units"]:
        doc = f"{year}/{UNIT_REPORT_FOLDER}/{unit_report_name(unit['name'], settings.year)}"
        if doc in pdfs:
            unit.setdefault("outputs", {})["report_pdf"] = f"{made.prefix}/{pdfs[doc]}"
    summary_path = out_dir / year / SUMMARY_NAME
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    summary_path.write_text(summary_to_json(summary), encoding="utf-8", newline="\n")
    write_dashboard(summary, made.runs, out_dir / DASHBOARD_NAME, now=now)


def _write_district_report(
    settings: Settings, summary: Summary, out_dir: Path, *, now: datetime, pdf: PdfRun
) -> Path:
    """The district report: a draft while units are missing or rejected, or while the district
    office's own text is not ready (not configured, still the default, unreadable). A problem with
    that text never blocks a pass: the departments' receipts and the rollup are published anyway."""
    reasons = [] if summary["complete"] else [INCOMPLETE]
    if summary.get("partial_units"):
        reasons.append(f"下级汇总未含全部单位：{'、'.join(summary['partial_units'])}")
    folder = out_dir / str(settings.year)
    text_reasons = _text_not_ready(settings)
    reasons += text_reasons
    reasons += missing_contact(settings.website_url, district_contact(settings))
    if not reasons:
        path = folder / district_report_name(settings.district, settings.year, draft=False)
        try:
            write_district_report(settings, summary, path, now=now, draft=False)
        except TemplateProblem as exc:
            path.unlink(missing_ok=True)
            reasons.append(str(exc))
        else:
            write_district_report_html(settings, summary, _html(path), now=now, draft=False)
            summary["report_draft_reasons"] = []
            pdf.district(settings, summary, _rel(out_dir, path), draft=False)
            return path
    path = folder / district_report_name(settings.district, settings.year, draft=True)
    used = settings
    try:
        write_district_report(settings, summary, path, now=now, draft=True)
    except TemplateProblem as exc:  # the office's text is unusable: draft with the default text
        if not text_reasons:  # else the reason is already said, in our words
            reasons.append(str(exc))
        path.unlink(missing_ok=True)
        used = replace(settings, district_text=None)
        write_district_report(used, summary, path, now=now, draft=True)
    pdf.district(used, summary, _rel(out_dir, path), draft=True)
    write_district_report_html(used, summary, _html(path), now=now, draft=True)
    for reason in reasons:
        if reason != INCOMPLETE:  # incompleteness is shown everywhere already
            log.warning(f"区报告暂为草稿：{reason}")
    summary["report_draft_reasons"] = reasons
    return path


def _text_not_ready(settings: Settings) -> list[str]:
    """Why the district office's own text cannot go into a final report yet (empty when it can)."""
    if settings.district_text is None:
        return ["workflow.toml 未指定区报告正文（[report] district_text）"]
    path = settings.path(settings.district_text)
    try:
        text, line_word = load_district_text(path)
    except TemplateProblem as exc:
        return [str(exc).rstrip("。")]
    except FileNotFoundError:
        return [f"找不到区报告正文 {path}（[report] district_text）"]
    except UnicodeDecodeError:
        return [f"区报告正文 {path} 不是 UTF-8 编码，请用记事本“另存为 UTF-8”后重试"]
    except OSError as exc:
        return [f"无法读取区报告正文 {path}（{exc.strerror or '文件被占用或无权限'}）"]
    if is_placeholder(text):
        return [
            f"区报告正文 {path.name} 仍是默认文字（开头有【待修改】），请修改后删除那一{line_word}"
        ]
    return []


def _partial_units(records: Sequence[UnitRecord]) -> list[str]:
    """Accepted units that are themselves rollups lacking some of their units (a city's districts)."""
    return sorted(
        r.name
        for r in records
        if r.status == "accepted" and any(f.rule == "rollup-incomplete" for f in r.findings)
    )


def _html(docx: Path) -> Path:
    """The HTML page beside a report's .docx: the same name, .html."""
    return docx.with_suffix(".html")


def _rel(out_dir: Path, path: Path) -> str:
    return path.relative_to(out_dir).as_posix()


def _ws(prefix: str, out_dir: Path, path: Path) -> str:
    """A path inside ``out_dir`` as the workspace-relative path it will have once published."""
    return f"{prefix}/{_rel(out_dir, path)}"


def _write_unit_reports(
    settings: Settings,
    records: Sequence[UnitRecord],
    out_dir: Path,
    *,
    prefix: str,
    now: datetime,
    pdf: PdfRun,
    reuse: ReportReuse | None,
) -> list[UnitRecord]:
    """A report for every accepted unit (unless ``reuse`` finds it unchanged since it was
    published); returns the records with their report path filled in."""
    folder = out_dir / str(settings.year) / UNIT_REPORT_FOLDER
    out = []
    for record in records:
        if record.status != "accepted":
            out.append(record)
            continue
        path = folder / unit_report_name(record.name, settings.year)
        path.parent.mkdir(parents=True, exist_ok=True)
        context = unit_report_context(settings, record, now=now, draft=False)
        doc = _rel(out_dir, path)
        files = [doc, _rel(out_dir, _html(path))] + ([pdf_name(doc)] if pdf.engine else [])
        if reuse is not None and reuse.reuse(doc, context_key(reuse.code, context), files):
            pdf.keep(doc, reuse.pdf_key(doc))  # unchanged since published: left as it is
        else:
            render_unit_report(settings, context, path)
            blocks = report_blocks(context, "unit")  # one reading of the tables, for HTML and PDF
            render_report_html(context, "unit", _html(path), blocks)
            pdf.unit(context, blocks, doc)
        made = {
            "report": _ws(prefix, out_dir, path),
            "report_html": _ws(prefix, out_dir, _html(path)),
        }
        record = replace(record, outputs={**record.outputs, **made})
        out.append(record)
    return out


def _add_unit_details(summary: Summary, records: Sequence[UnitRecord]) -> None:
    """Findings in plain Chinese (for the dashboard) and narratives (next year's R13 compares them)."""
    by_name = {r.name: r for r in records}
    for unit in summary["units"]:
        record = by_name.get(unit["name"])
        if record is not None:
            unit["finding_details"] = [f.to_json() for f in record.findings]
            if record.status == "accepted":
                unit["texts"] = dict(record.texts)
            if record.newer_rejected:
                unit["newer_rejected"] = {
                    "file": record.newer_rejected,
                    "receipt": record.newer_rejected_receipt,
                    "errors": record.newer_rejected_errors,
                    "submitted_at": record.newer_rejected_at,
                }
