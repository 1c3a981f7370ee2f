"""The dashboard's view-model: summary.json and the run log as plain dicts the page template reads.

Pure: no template engine, no files, no clock (time comes in as ``now``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from workflow.dashboard.charts import charts
from workflow.dashboard.reminder import reminder_text
from workflow.dashboard.tables import totals_view
from workflow.dashboard.values import cn_date, deadline_of, display_time, href, number
from workflow.domain.findings import SEVERITY_NAMES, Severity
from workflow.domain.numbers import as_decimal
from workflow.domain.records import STATUS_NAMES
from workflow.formats.spec import DEFAULT_FORMAT, FORMAT_IDS, Format, load_format
from workflow.report.text import jurisdiction

STATUS_ORDER = {"rejected": 0, "missing": 1, "accepted": 2}
RUN_STATUS_NAMES = {
    **STATUS_NAMES,
    "duplicate": "重复报送（已忽略）",
    "superseded": "已被新文件替换",
    "unknown": "无法识别单位",
    "ignored": "已忽略",
}
MAX_CELLS = 5  # cell locations listed per finding; the rest are counted
MAX_RUNS = 15
MAX_CHANGES = 40


def page_context(
    summary: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    links: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What the page shows, except its inlined assets (css, script)."""
    spec = load_format(_format_id(summary))
    base = _dashboard_folder(summary)
    units = [_unit_view(i, u, base) for i, u in enumerate(summary.get("units", []), start=1)]
    reminder = reminder_text(summary, now=now)
    area = jurisdiction(str(summary.get("district", "")))
    return {
        "title": f"{summary.get('district', '')}{summary.get('year', '')}年政府信息公开工作年度报告 报送工作台",
        "area": area,
        "head": _headline(summary, units, runs, now),
        "units": units,
        "rejected": [u for u in units if u["status"] == "rejected"],
        "newer_rejected": [u for u in units if u["newer_rejected"]],
        "downloads": _downloads(summary, links, base, area.whole),
        # why the district report is still a draft, beyond missing/rejected units (shown anyway)
        "draft_reasons": [
            r for r in summary.get("report_draft_reasons", []) if "未报送或未通过" not in r
        ],
        # fonts that stood in for the official ones, and PDFs that could not be made
        "pdf_notes": pdf_notes(summary),
        # last year's published reports that could not be read or matched to the roster
        "previous_notes": previous_notes(summary),
        # files in the inbox not yet taken (being copied, or open in Excel/WPS) at the last pass
        "waiting": [str(w) for w in (runs[0].get("waiting") or [])] if runs else [],
        # files in the inbox the last pass did not take, and why (e.g. a folder too deep)
        "left": [
            (str(x.get("path", "")), str(x.get("reason", "")))
            for x in (runs[0].get("left") or [] if runs else [])
            if isinstance(x, dict)
        ],
        "totals": totals_view(spec, summary.get("totals", {})),
        "charts": charts(spec, summary, units),
        "reminder": reminder,
        "reminder_rows": min(max(reminder.count("\n") + 2, 4), 40),
        "runs": [_run_view(spec, r) for r in list(runs)[:MAX_RUNS]],
        "runs_total": len(runs),
        "generated": display_time(now.isoformat()),
    }


def _dashboard_folder(summary: Mapping[str, Any]) -> str:
    """The dashboard's folder relative to the workspace (from outputs.dashboard), else ``outbox``."""
    own = str((summary.get("outputs") or {}).get("dashboard") or "outbox/index.html")
    return posixpath.dirname(own.replace("\\", "/")) or "."


def _format_id(summary: Mapping[str, Any]) -> str:
    fmt = summary.get("format", DEFAULT_FORMAT)
    return fmt if fmt in FORMAT_IDS else DEFAULT_FORMAT


# ---------------------------------------------------------------- headline and units


def _headline(
    summary: Mapping[str, Any],
    units: list[dict[str, Any]],
    runs: Sequence[Mapping[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    counts = {s: sum(u["status"] == s for u in units) for s in STATUS_ORDER}
    expected = int(summary.get("units_expected", len(units)) or 0)
    accepted = counts["accepted"]
    deadline = deadline_of(summary)
    days = (deadline - now.date()).days
    if days > 0:
        due = f"距报送截止还有 {days} 天"
    elif days == 0:
        due = "今天是报送截止日"
    else:
        due = f"已超过报送截止日期 {-days} 天"
    last = (
        runs[0].get("finished") or runs[0].get("started") if runs else summary.get("generated_at")
    )
    complete = bool(summary.get("complete", expected > 0 and accepted == expected))
    return {
        "accepted": accepted,
        "expected": expected,
        "rejected": counts["rejected"],
        "missing": counts["missing"],
        "updated": sum(u["updated"] for u in units),
        "percent": round(100 * accepted / expected) if expected else 0,
        "complete": complete,
        "deadline": cn_date(deadline),
        "due": due,
        "overdue": days < 0,
        "last_pass": display_time(last) if last else "尚未处理过",
    }


def _unit_view(index: int, unit: Mapping[str, Any], base: str) -> dict[str, Any]:
    status = unit.get("status", "missing")
    status = status if status in STATUS_ORDER else "missing"
    outputs = unit.get("outputs") or {}
    links = [
        (label, href(outputs[key], base))
        for key, label in (
            ("report", "单位报告"),
            ("report_pdf", "PDF"),
            ("report_html", "网页版"),
            ("feedback", "校验结果"),
            ("receipt", "回执"),
        )
        if outputs.get(key)
    ]
    if unit.get("source"):
        links.append(("报送原件", href(unit["source"], base)))
    findings = [
        {
            "severity": SEVERITY_NAMES.get(Severity(f["severity"]), "")
            if f.get("severity") in ("error", "warning")
            else str(f.get("severity", "")),
            "error": f.get("severity") == "error",
            "rule": str(f.get("rule", "")),
            "message": str(f.get("message", "")),
            "cells": cells_text(f.get("cells", [])),
        }
        for f in _finding_list(unit)
    ]
    newer = _newer_rejected(unit, base) if status == "accepted" else None
    submitted = str(unit.get("submitted_at") or "")
    return {
        "index": index,
        "name": str(unit.get("name", "")),
        "category": str(unit.get("category", "")),
        "status": status,
        "status_label": STATUS_NAMES[status],
        "order": STATUS_ORDER[status],
        "updated": bool(unit.get("updated")) and status != "missing",
        "submitted": display_time(submitted),
        "submitted_sort": submitted,
        "errors": int(unit.get("errors", 0) or 0),
        "warnings": int(unit.get("warnings", 0) or 0),
        "links": links,
        "findings": findings,
        "contact_person": str(unit.get("contact_person", "") or ""),
        "contact_phone": str(unit.get("contact_phone", "") or ""),
        "apply_new": as_decimal((unit.get("values") or {}).get("apply_new_total")) or Decimal(0),
        "newer_rejected": newer,
    }


def cells_text(cells: Any) -> str:
    """Cell locations of a finding: the first five, then "等 N 个单元格" when there are more."""
    names = [str(c) for c in cells] if isinstance(cells, list | tuple) else []
    if len(names) <= MAX_CELLS:
        return "、".join(names)
    return "、".join(names[:MAX_CELLS]) + f" 等 {len(names)} 个单元格"


def _newer_rejected(unit: Mapping[str, Any], base: str) -> dict[str, Any] | None:
    """A rejected file that came after the accepted one (summary.json's "newer_rejected")."""
    newer = unit.get("newer_rejected")
    if not isinstance(newer, Mapping) or not newer.get("file"):
        return None
    receipt = str(newer.get("receipt") or "")
    return {
        "file": str(newer["file"]),
        "receipt": href(receipt, base) if receipt else "",
        "errors": int(newer.get("errors", 0) or 0),
        "submitted": display_time(newer["submitted_at"]) if newer.get("submitted_at") else "",
    }


def _finding_list(unit: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The unit's findings as dicts: ``findings`` when it is a list, else ``finding_details``."""
    for key in ("findings", "finding_details"):
        value = unit.get(key)
        if isinstance(value, list):
            return [f for f in value if isinstance(f, Mapping)]
    return []


def pdf_notes(summary: Mapping[str, Any]) -> list[str]:
    """What the coordinator must know about the PDFs: substitute fonts (not the final rendering),
    PDFs still being made (they follow the rest of the pass) and PDFs that failed (the rest of
    the pass is published anyway)."""
    pdf = summary.get("pdf") or {}
    notes = [str(pdf["notice"])] if pdf.get("notice") else []
    pending = [_document(d) for d in pdf.get("pending") or []]
    if pending:
        notes.append(
            f"以下 {len(pending)} 份 PDF 尚未放入发件箱：{_some(pending)}。"
            "正在生成的，完成后自动放入（稍后刷新本页即可看到）；如处理已中断，下次处理时补齐。"
            "Word 文档、网页版、回执和汇总表已可使用。"
        )
    failures = list(pdf.get("failures") or [])
    if failures:
        shown = "；".join(
            f"{_document(f.get('document', ''))}（{f.get('reason', '')}）" for f in failures[:10]
        )
        more = f" 等 {len(failures)} 份" if len(failures) > 10 else ""
        notes.append(f"未能生成 PDF：{shown}{more}。其余文件已正常发布，Word 文档不受影响。")
    return notes


def _document(path: Any) -> str:
    """A report as the coordinator knows it: its name, without folders or extension."""
    name = str(path).rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _some(names: list[str], most: int = 5) -> str:
    shown = "、".join(f"《{n}》" for n in names[:most])
    return shown + (f" 等 {len(names)} 份" if len(names) > most else "")


def previous_notes(summary: Mapping[str, Any]) -> list[str]:
    """Last year's published reports ([previous] reports) that were not used, and why."""
    reports = (summary.get("previous") or {}).get("reports") or {}
    notes = []
    for key, what in (("unreadable", "无法读取"), ("unmatched", "未采用")):
        items = [i for i in reports.get(key) or [] if isinstance(i, Mapping)]
        if items:
            shown = "；".join(f"{i.get('file', '')}（{i.get('reason', '')}）" for i in items[:10])
            more = f" 等 {len(items)} 份" if len(items) > 10 else ""
            notes.append(f"上年年度报告{what}：{shown}{more}。")
    without = [str(n) for n in reports.get("units_without_report") or []]
    if without and reports.get("read") is not None:
        shown = "、".join(without[:10]) + (
            f" 等 {len(without)} 个单位" if len(without) > 10 else ""
        )
        notes.append(f"以下单位没有上年年度报告，不与上年比较：{shown}。")
    return notes


def _downloads(
    summary: Mapping[str, Any], links: Mapping[str, str] | None, base: str, whole: str = "全区"
) -> list[tuple[str, str]]:
    outputs = summary.get("outputs") or {}
    draft = "（草稿）" if summary.get("report_draft_reasons") else ""
    out = [
        (label, href(outputs[key], base))
        for key, label in (
            ("rollup", f"{whole}汇总表"),
            ("report", f"{whole}年度报告{draft}"),
            ("report_pdf", f"{whole}年度报告 PDF{draft}"),
            ("report_html", f"{whole}年度报告（网页版）{draft}"),
        )
        if outputs.get(key)
    ]
    out += [(label, href(path, base)) for label, path in (links or {}).items() if path]
    return out


# ---------------------------------------------------------------- recent passes


def _run_view(spec: Format, run: Mapping[str, Any]) -> dict[str, Any]:
    inputs = [
        {
            "name": str(i.get("name", "")),
            "unit": str(i.get("unit") or ""),
            "status": str(i.get("status", "")),
            "status_label": RUN_STATUS_NAMES.get(
                str(i.get("status", "")), str(i.get("status", ""))
            ),
        }
        for i in run.get("inputs", [])
    ]
    changes = []
    for c in list(run.get("changes", []))[:MAX_CHANGES]:
        field = spec.fields.get(str(c.get("field", "")))
        changes.append(
            {
                "unit": str(c.get("unit", "")),
                "label": str(c.get("label") or (field.label if field else c.get("field", ""))),
                "old": number(c.get("old")),
                "new": number(c.get("new")),
            }
        )
    tally: dict[str, int] = {}
    for i in inputs:
        tally[i["status_label"]] = tally.get(i["status_label"], 0) + 1
    parts = [f"{n} 个{label}" for label, n in tally.items()]
    n_changes = len(run.get("changes", []))
    text = f"处理 {len(inputs)} 个文件" + (f"（{'，'.join(parts)}）" if parts else "")
    text += f"；修改已通过的数据 {n_changes} 项" if n_changes else "；未修改已通过的数据"
    return {
        "id": str(run.get("run_id", "")),
        "started": display_time(run.get("started")),
        "finished": display_time(run.get("finished")),
        "inputs": inputs,
        "changes": changes,
        "more_changes": max(n_changes - MAX_CHANGES, 0),
        "text": text,
    }
