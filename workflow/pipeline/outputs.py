"""What a pass publishes into the outbox: unit reports, summary.json, rollup, district report, dashboard.

Everything is written into ``out_dir`` (the pipeline's staging copy of the outbox) and published
atomically by the pipeline. Paths inside summary.json are relative to the workspace.

PDF copies are made by LibreOffice when ``[report] pdf`` is on and soffice is installed. A PDF is
cached in the state folder under the SHA-256 of its .docx, so a pass re-converts only documents whose
content changed (a no-change pass converts nothing).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from workflow.check.checker import load_previous
from workflow.dashboard.page import write_dashboard
from workflow.domain.names import safe_name
from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
from workflow.errors import TemplateProblem
from workflow.pipeline.status import outbox_prefix
from workflow.report.district_text import is_placeholder
from workflow.report.docx import write_district_report, write_unit_report
from workflow.report.pdf_office import convert_to_pdf
from workflow.rollup.summary import build_summary
from workflow.rollup.summary_json import summary_to_json
from workflow.rollup.workbook.book import rollup_filename, write_rollup_workbook

log = logging.getLogger(__name__)

UNIT_REPORT_FOLDER = "单位报告"
DASHBOARD_NAME = "index.html"
SUMMARY_NAME = "summary.json"
INCOMPLETE = "尚有单位未报送或未通过校验"
PDF_BATCH = 40  # documents per soffice run: each run has its own timeout
PDF_PROCESSES = 2  # soffice runs at a time


def unit_report_name(unit: str, year: int) -> str:
    return safe_name(f"{unit}{year}年政府信息公开工作年度报告") + ".docx"


def district_report_name(district: str, year: int, *, draft: bool) -> str:
    mark = "（草稿）" if draft else ""
    return safe_name(f"{district}人民政府{year}年政府信息公开工作年度报告{mark}") + ".docx"


def write_outputs(
    settings: Settings, records: list[UnitRecord], out_dir: Path, *, now: datetime, runs: list[dict]
) -> dict[str, str]:
    """Write the outputs of a pass into ``out_dir``; return output name → path relative to it."""
    year = str(settings.year)
    prefix = outbox_prefix(settings)
    written: dict[str, str] = {}
    docs: list[Path] = []

    records = _write_unit_reports(settings, records, out_dir, prefix=prefix, now=now, docs=docs)
    summary = build_summary(settings, records, now=now, previous=load_previous(settings))
    _add_unit_details(summary, records)
    summary["partial_units"] = _partial_units(records)
    if summary["partial_units"]:  # a district that exported part of its units is not complete
        summary["complete"] = False
    report = _write_district_report(settings, summary, out_dir / year, now=now)
    docs.append(report)
    rollup = out_dir / year / rollup_filename(settings.district, settings.year)
    pdfs = _pdf_copies(settings, docs) if settings.pdf else {}

    summary["outputs"] = {
        "rollup": _ws(prefix, out_dir, rollup),
        "report": _ws(prefix, out_dir, report),
        "dashboard": f"{prefix}/{DASHBOARD_NAME}",
        "summary": f"{prefix}/{year}/{SUMMARY_NAME}",
    }
    if report in pdfs:
        summary["outputs"]["report_pdf"] = _ws(prefix, out_dir, pdfs[report])
    for unit in summary["units"]:
        doc = out_dir / year / UNIT_REPORT_FOLDER / unit_report_name(unit["name"], settings.year)
        if doc in pdfs:
            unit.setdefault("outputs", {})["report_pdf"] = _ws(prefix, out_dir, pdfs[doc])

    write_rollup_workbook(summary, settings, rollup)
    summary_path = out_dir / year / SUMMARY_NAME
    summary_path.write_text(summary_to_json(summary), encoding="utf-8", newline="\n")
    write_dashboard(summary, runs, out_dir / DASHBOARD_NAME, now=now)

    written["summary"] = summary_path.relative_to(out_dir).as_posix()
    written["rollup"] = rollup.relative_to(out_dir).as_posix()
    written["report"] = report.relative_to(out_dir).as_posix()
    written["dashboard"] = DASHBOARD_NAME
    return written


def _write_district_report(
    settings: Settings, summary: dict[str, Any], folder: Path, *, now: datetime
) -> Path:
    """The district report: a draft while units are missing or rejected, or while the district
    office's own text is not ready (not configured, still the default, unreadable). A problem with
    that text never blocks a pass: the departments' receipts and the rollup are published anyway."""
    reasons = [] if summary["complete"] else [INCOMPLETE]
    if summary.get("partial_units"):
        reasons.append(f"下级汇总未含全部单位：{'、'.join(summary['partial_units'])}")
    text_reasons = _text_not_ready(settings)
    reasons += text_reasons
    if not reasons:
        path = folder / district_report_name(settings.district, settings.year, draft=False)
        try:
            write_district_report(settings, summary, path, now=now, draft=False)
        except TemplateProblem as exc:
            path.unlink(missing_ok=True)
            reasons.append(str(exc))
        else:
            summary["report_draft_reasons"] = []
            if not (settings.website_url or settings.contact_phone or settings.contact_address):
                log.warning(
                    "区报告前言未写发布网址和联系方式：请在 workflow.toml 的 [district] 中填写 "
                    "website_url、contact_address、contact_phone。"
                )
            return path
    path = folder / district_report_name(settings.district, settings.year, draft=True)
    try:
        write_district_report(settings, summary, path, now=now, draft=True)
    except TemplateProblem as exc:  # the office's text is unusable: draft with the default text
        if not text_reasons:  # else the reason is already said, in our words
            reasons.append(str(exc))
        path.unlink(missing_ok=True)
        fallback = replace(settings, district_text=None)
        write_district_report(fallback, summary, path, now=now, draft=True)
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
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        return [f"找不到区报告正文 {path}（[report] district_text）"]
    except UnicodeDecodeError:
        return [f"区报告正文 {path} 不是 UTF-8 编码，请用记事本“另存为 UTF-8”后重试"]
    except OSError as exc:
        return [f"无法读取区报告正文 {path}（{exc.strerror or '文件被占用或无权限'}）"]
    if is_placeholder(text):
        return [f"区报告正文 {path.name} 仍是默认文字（首行有【待修改】），请修改后删除该行"]
    return []


def _partial_units(records: Sequence[UnitRecord]) -> list[str]:
    """Accepted units that are themselves rollups lacking some of their units (a city's districts)."""
    return sorted(
        r.name
        for r in records
        if r.status == "accepted" and any(f.rule == "rollup-incomplete" for f in r.findings)
    )


def _ws(prefix: str, out_dir: Path, path: Path) -> str:
    """A path inside ``out_dir`` as the workspace-relative path it will have once published."""
    return f"{prefix}/{path.relative_to(out_dir).as_posix()}"


def _write_unit_reports(
    settings: Settings,
    records: Sequence[UnitRecord],
    out_dir: Path,
    *,
    prefix: str,
    now: datetime,
    docs: list[Path],
) -> list[UnitRecord]:
    """A report for every accepted unit; returns the records with their report path filled in."""
    folder = out_dir / str(settings.year) / UNIT_REPORT_FOLDER
    out = []
    for record in records:
        if record.status != "accepted":
            out.append(record)
            continue
        path = folder / unit_report_name(record.name, settings.year)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_unit_report(settings, record, path, now=now)
        docs.append(path)
        out.append(
            replace(record, outputs={**record.outputs, "report": _ws(prefix, out_dir, path)})
        )
    return out


def _add_unit_details(summary: dict[str, Any], records: Sequence[UnitRecord]) -> None:
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


def _log_notices(notices: Sequence[str]) -> None:
    """Font substitutions in one line; other notices as they are."""
    fonts = [n for n in notices if n.startswith("未安装字体")]
    for notice in notices:
        if notice not in fonts:
            log.warning(notice)
    if fonts:
        names = "、".join(n.split("「")[1].split("」")[0] for n in fonts)
        log.warning(f"本机未安装公文字体（{names}），PDF 中以相近字体代替；安装后重新处理即可。")


def _pdf_copies(settings: Settings, docs: Sequence[Path]) -> Mapping[Path, Path]:
    """PDF beside each .docx; cached by the .docx's SHA-256 so unchanged documents are not redone.

    Documents are converted in batches, two soffice processes at a time (one per core of the
    machines this runs on); cached PDFs no document uses any more are removed.
    """
    cache = settings.state_dir / "pdf-cache"
    cache.mkdir(parents=True, exist_ok=True)
    keys = {doc: hashlib.sha256(doc.read_bytes()).hexdigest() for doc in docs}
    todo = [doc for doc in docs if not (cache / f"{keys[doc]}.pdf").exists()]
    if todo:
        _convert_into_cache(todo, keys, cache)
    pdfs: dict[Path, Path] = {}
    for doc in docs:
        cached = cache / f"{keys[doc]}.pdf"
        if cached.exists():
            target = doc.with_suffix(".pdf")
            shutil.copyfile(cached, target)
            pdfs[doc] = target
    used = {f"{key}.pdf" for key in keys.values()}
    for old in cache.glob("*.pdf"):
        if old.name not in used:
            old.unlink(missing_ok=True)
    return pdfs


def _convert_into_cache(todo: Sequence[Path], keys: Mapping[Path, str], cache: Path) -> None:
    work = cache / "work"
    shutil.rmtree(work, ignore_errors=True)
    batches = [todo[i : i + PDF_BATCH] for i in range(0, len(todo), PDF_BATCH)]
    folders = [work / str(i) for i in range(len(batches))]
    with ThreadPoolExecutor(max_workers=PDF_PROCESSES) as pool:
        results = list(pool.map(convert_to_pdf, batches, folders))
    notices: list[str] = []
    for result in results:
        notices += [n for n in result.notices if n not in notices]
    _log_notices(notices)
    for batch, folder in zip(batches, folders, strict=True):
        for doc in batch:
            made = folder / f"{doc.stem}.pdf"
            if made.exists():
                made.replace(cache / f"{keys[doc]}.pdf")
    shutil.rmtree(work, ignore_errors=True)
