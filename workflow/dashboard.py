"""The coordinator's dashboard: ``outbox/index.html``, one self-contained page built from summary.json.

The page needs no server and no network: CSS, SVG charts and a small script are inlined, so it
opens from a file share by double-click. jinja2 (autoescaping) is imported here only; every text a
unit typed reaches the page escaped. Time comes in as ``now``.
"""

from __future__ import annotations

import os
import posixpath
import re
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from workflow.findings import SEVERITY_NAMES, Severity
from workflow.records import STATUS_NAMES
from workflow.report_text import jurisdiction
from workflow.spec import DEFAULT_FORMAT, FORMAT_IDS, Format, load_format

TEMPLATE = "dashboard.html.j2"
STATUS_ORDER = {"rejected": 0, "missing": 1, "accepted": 2}
RUN_STATUS_NAMES = {
    **STATUS_NAMES,
    "duplicate": "重复报送（已忽略）",
    "superseded": "已被新文件替换",
    "unknown": "无法识别单位",
    "ignored": "已忽略",
}
TOP_UNITS = 30
MAX_CELLS = 5  # cell locations listed per finding; the rest are counted
MAX_RUNS = 15
MAX_CHANGES = 40
KEY_INDICATORS = (
    ("apply_new_total", "本年新收申请"),
    ("apply_total_total", "办理结果总计"),
    ("apply_granted_total", "予以公开"),
    ("apply_carry_over_total", "结转下年度"),
    ("review_total", "行政复议"),
    ("suit_direct_total", "直接起诉"),
    ("suit_after_review_total", "复议后起诉"),
)


def render_dashboard(
    summary: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    links: Mapping[str, str] | None = None,
) -> str:
    """The HTML of ``outbox/index.html`` for ``summary`` (summary.json) and ``runs`` (newest first).

    ``links`` adds downloads to the page header: Chinese label → workspace-relative path.
    """
    spec = load_format(_format_id(summary))
    base = _dashboard_folder(summary)
    units = [_unit_view(i, u, base) for i, u in enumerate(summary.get("units", []), start=1)]
    reminder = reminder_text(summary, now=now)
    area = jurisdiction(str(summary.get("district", "")))
    context = {
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
        "totals": _totals_view(spec, summary.get("totals", {})),
        "charts": _charts(spec, summary, units),
        "reminder": reminder,
        "reminder_rows": min(max(reminder.count("\n") + 2, 4), 40),
        "runs": [_run_view(spec, r) for r in list(runs)[:MAX_RUNS]],
        "runs_total": len(runs),
        "css": _asset("dashboard.css"),
        "script": _asset("dashboard.js"),
        "generated": _display_time(now.isoformat()),
    }
    return _environment().get_template(TEMPLATE).render(context)


def write_dashboard(
    summary: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]],
    path: Path,
    *,
    now: datetime,
    links: Mapping[str, str] | None = None,
) -> None:
    """Render and write the page atomically: a temporary file beside ``path``, then os.replace."""
    html = render_dashboard(summary, runs, now=now, links=links)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(html)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("workflow", "assets"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _asset(name: str) -> str:
    return resources.files("workflow").joinpath("assets", name).read_text("utf-8")


def _dashboard_folder(summary: Mapping[str, Any]) -> str:
    """The dashboard's folder relative to the workspace (from outputs.dashboard), else ``outbox``."""
    own = str((summary.get("outputs") or {}).get("dashboard") or "outbox/index.html")
    return posixpath.dirname(own.replace("\\", "/")) or "."


def _format_id(summary: Mapping[str, Any]) -> str:
    fmt = summary.get("format", DEFAULT_FORMAT)
    return fmt if fmt in FORMAT_IDS else DEFAULT_FORMAT


# ---------------------------------------------------------------- links, times, numbers


def href(path: str, base: str = "outbox") -> str:
    """A workspace-relative ``path`` as a link from the dashboard's folder ``base``.

    With ``base="outbox"``: ``outbox/2021/x.docx`` → ``2021/x.docx``; ``archive/…`` →
    ``../archive/…``; an absolute path (outbox outside the workspace) → ``file:///…``. Characters
    that would end or break a URL (``#``, ``?``, ``%``, ``:``, spaces) are percent-encoded; Chinese
    stays as is.
    """
    path, base = path.replace("\\", "/"), base.replace("\\", "/").rstrip("/") or "."
    if _is_absolute(path) and not _is_absolute(base):
        drive = path[:3] if path[1:2] == ":" else ""  # "D:/"
        return "file:///" + drive + _quote(path[len(drive) :].lstrip("/"))
    if _is_absolute(base) and not _is_absolute(path):
        base = "outbox"  # paths are workspace-relative; assume the usual layout
    return _quote(posixpath.relpath(path, base))


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or re.match(r"^[A-Za-z]:/", path) is not None


def _quote(path: str) -> str:
    safe = "/-._~!$&'()*+,;=@"
    return "".join(
        c if ord(c) > 127 or c.isalnum() or c in safe else "".join(f"%{b:02X}" for b in c.encode())
        for c in path
    )


def _display_time(value: Any) -> str:
    """ISO 8601 → ``2022-01-20 10:30``; anything else unchanged; empty → ``—``."""
    if not value:
        return "—"
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


def number(value: Any) -> str:
    """A count or an amount as printed in the tables: ``12``, ``3.5``; missing → ``—``."""
    if value is None or isinstance(value, bool):
        return "—"
    if isinstance(value, int):
        return str(value)
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not d.is_finite():
        return str(value)
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else f"{d.normalize():f}"


def _as_decimal(value: Any) -> Decimal:
    try:
        return (
            Decimal(str(value)) if value is not None and not isinstance(value, bool) else Decimal(0)
        )
    except InvalidOperation:
        return Decimal(0)


def deadline_of(summary: Mapping[str, Any]) -> date:
    """The units' deadline: summary["deadline"] (YYYY-MM-DD), else 1月31日 of the next year."""
    raw = str(summary.get("deadline") or "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return date(int(summary.get("year", 2000)) + 1, 1, 31)


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


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
        "deadline": _cn_date(deadline),
        "due": due,
        "overdue": days < 0,
        "last_pass": _display_time(last) if last else "尚未处理过",
    }


def _unit_view(index: int, unit: Mapping[str, Any], base: str) -> dict[str, Any]:
    status = unit.get("status", "missing")
    status = status if status in STATUS_ORDER else "missing"
    outputs = unit.get("outputs") or {}
    links = [
        (label, href(outputs[key], base))
        for key, label in (("report", "单位报告"), ("feedback", "校验结果"), ("receipt", "回执"))
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
        "submitted": _display_time(submitted),
        "submitted_sort": submitted,
        "errors": int(unit.get("errors", 0) or 0),
        "warnings": int(unit.get("warnings", 0) or 0),
        "links": links,
        "findings": findings,
        "contact_person": str(unit.get("contact_person", "") or ""),
        "contact_phone": str(unit.get("contact_phone", "") or ""),
        "apply_new": _as_decimal((unit.get("values") or {}).get("apply_new_total")),
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
        "submitted": _display_time(newer["submitted_at"]) if newer.get("submitted_at") else "",
    }


def _finding_list(unit: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The unit's findings as dicts: ``findings`` when it is a list, else ``finding_details``."""
    for key in ("findings", "finding_details"):
        value = unit.get(key)
        if isinstance(value, list):
            return [f for f in value if isinstance(f, Mapping)]
    return []


def _downloads(
    summary: Mapping[str, Any], links: Mapping[str, str] | None, base: str, whole: str = "全区"
) -> list[tuple[str, str]]:
    outputs = summary.get("outputs") or {}
    out = [
        (label, href(outputs[key], base))
        for key, label in (("rollup", f"{whole}汇总表"), ("report", f"{whole}年度报告"))
        if outputs.get(key)
    ]
    out += [(label, href(path, base)) for label, path in (links or {}).items() if path]
    return out


# ---------------------------------------------------------------- reminder text


def reminder_text(summary: Mapping[str, Any], *, now: datetime) -> str:
    """The 催报 notice for units missing or rejected, in official wording, ready to paste."""
    units = summary.get("units", [])
    missing = [u for u in units if u.get("status") == "missing"]
    rejected = [u for u in units if u.get("status") == "rejected"]
    newer = [
        u
        for u in units
        if u.get("status") == "accepted"
        and isinstance(u.get("newer_rejected"), Mapping)
        and u["newer_rejected"].get("file")
    ]
    year, district = summary.get("year", ""), summary.get("district", "")
    area = jurisdiction(str(district))
    if not units:
        return "单位名单为空，暂无需要催报的单位。请先在配置文件中登记单位名单。"
    if not missing and not rejected:
        done = (
            f"截至{_cn_date(now.date())}，{district}各单位{year}年政府信息公开工作年度报告均已报送并通过校验"
            + ("。" if newer else "，无需催报。")
        )
        return "\n".join([done, *_verify_lines(newer, area.whole, indent="")])
    deadline = _cn_date(deadline_of(summary))
    lines = [
        "各有关单位：",
        f"    根据《中华人民共和国政府信息公开条例》第四十九条和第五十条规定，各单位应于{deadline}前"
        f"报送并向社会公布本单位{year}年政府信息公开工作年度报告。截至{_cn_date(now.date())} "
        f"{now:%H:%M}，以下单位尚未完成报送，请高度重视，抓紧按要求填报并报送：",
    ]
    sections = [
        (missing, "尚未报送", "请使用统一填报模板填写后报送。"),
        (rejected, "已报送但未通过校验", "请对照校验回执逐项修改后重新报送。"),
    ]
    number_words = "一二"
    for k, (group, title, advice) in enumerate(s for s in sections if s[0]):
        lines.append(f"    {number_words[k]}、{title}的单位（{len(group)}个）。{advice}")
        for i, u in enumerate(group, start=1):
            lines.append(f"    {i}. {u.get('name', '')}{_problem(u)}（{_contact(u)}）")
    lines += _verify_lines(newer, area.whole, indent="    ")
    lines += [
        f"    请于{deadline}前完成报送。逾期未报送或报告内容不准确、不全面的，将按规定予以通报。",
        "    特此通知。",
        "",
        f"{area.government}办公室" if district else area.office,
        _cn_date(now.date()),
    ]
    return "\n".join(lines)


def _verify_lines(units: Sequence[Mapping[str, Any]], whole: str, *, indent: str) -> list[str]:
    """请核实：… for units whose correction after an accepted file was rejected."""
    lines = []
    for u in units:
        newer = u["newer_rejected"]
        when = ""
        if newer.get("submitted_at"):
            try:
                when = f"于{_cn_date(datetime.fromisoformat(str(newer['submitted_at'])).date())}"
            except ValueError:
                when = ""
        errors = int(newer.get("errors", 0) or 0)
        found = f"（发现 {errors} 处错误）" if errors else ""
        lines.append(
            f"{indent}请核实：{u.get('name', '')}{when}报送的更正文件「{newer.get('file', '')}」"
            f"未通过校验{found}，{whole}汇总仍使用此前通过的版本。请对照校验回执修改后重新报送"
            f"（{_contact(u)}）。"
        )
    return lines


def _problem(unit: Mapping[str, Any]) -> str:
    errors = int(unit.get("errors", 0) or 0)
    return f"：发现 {errors} 处错误" if unit.get("status") == "rejected" and errors else ""


def _contact(unit: Mapping[str, Any]) -> str:
    person = str(unit.get("contact_person") or "").strip()
    phone = str(unit.get("contact_phone") or "").strip()
    if person and phone:
        return f"联系人：{person}，电话：{phone}"
    if phone:
        return f"电话：{phone}"
    return f"联系人：{person}，电话未登记" if person else "联系人和电话未登记"


# ---------------------------------------------------------------- district totals


def _totals_view(spec: Format, totals: Mapping[str, Any]) -> dict[str, Any]:
    def v(field_id: str) -> str:
        return number(totals.get(field_id))

    blocks = [
        {
            "title": b.title,
            "columns": [c.label + ("（各单位合计）" if c.stock else "") for c in b.columns],
            "rows": [(r.label, [v(b.field_id(r, c)) for c in b.columns]) for r in b.rows],
        }
        for b in spec.blocks
    ]
    return {
        "format": spec.title,
        "active_title": spec.active_title,
        "blocks": blocks,
        "apply": _apply_view(spec, v),
        "review": _review_view(spec, v),
    }


def _apply_view(spec: Format, v: Any) -> dict[str, Any]:
    grid = spec.apply
    parts = [c for c in grid.columns if not c.group and not c.computed]
    grouped = [c for c in grid.columns if c.group]
    rows = []
    for i, r in enumerate(grid.rows):
        prev = grid.rows[i - 1] if i else None
        label_cells: list[tuple[str, int, int]] = []  # (text, rowspan, colspan)
        if not r.group:
            label_cells.append((r.label, 1, 3))
        else:
            if not prev or prev.group != r.group:
                label_cells.append((r.group, sum(x.group == r.group for x in grid.rows), 1))
            if not r.subgroup:
                label_cells.append((r.label, 1, 2))
            else:
                if not prev or prev.subgroup != r.subgroup:
                    span = sum(x.subgroup == r.subgroup and x.group == r.group for x in grid.rows)
                    label_cells.append((r.subgroup, span, 1))
                label_cells.append((r.label, 1, 1))
        rows.append(
            {
                "labels": label_cells,
                "cells": [v(grid.field_id(r, c)) for c in grid.columns],
                "computed": r.computed,
            }
        )
    group = grouped[0].group if grouped else ""
    return {
        "title": grid.title,
        "note": grid.note,
        "header": grid.header,
        "parts": parts,
        "group": group,
        "grouped": grouped,
        "total": [c for c in grid.columns if c.computed],
        "rows": rows,
    }


def _review_view(spec: Format, v: Any) -> dict[str, Any]:
    grid = spec.review
    top: list[tuple[str, int, int]] = []  # (label, colspan, rowspan)
    second: list[str] = []
    ncols = len(grid.columns)
    for _gid, label, parent in spec.review_groups:
        if not parent:
            top.append((label, ncols, 2))
            continue
        if top and top[-1][0] == parent:
            top[-1] = (parent, top[-1][1] + ncols, 1)
        else:
            top.append((parent, ncols, 1))
        second.append(label)
    values = [v(f"{gid}_{c.id}") for gid, _l, _p in spec.review_groups for c in grid.columns]
    columns = [c.label for _g in spec.review_groups for c in grid.columns]
    return {
        "title": grid.title,
        "top": top,
        "second": second,
        "ncols": ncols,
        "columns": columns,
        "cells": values,
    }


# ---------------------------------------------------------------- charts (inline SVG geometry)


def _outcome_groups(spec: Format, totals: Mapping[str, Any]) -> list[tuple[str, Decimal]]:
    """办理结果 by category (予以公开 … 其他处理) from the district totals."""
    groups: dict[str, Decimal] = {}
    for r in spec.apply.rows:
        if r.result:
            name = _short(r.subgroup or r.label)
            groups[name] = groups.get(name, Decimal(0)) + _as_decimal(
                totals.get(f"apply_{r.id}_total")
            )
    return list(groups.items())


def _short(label: str) -> str:
    """``（二）部分公开（区分处理的…）`` → ``部分公开``."""
    label = re.sub(r"^（[一二三四五六七八九十]+）", "", label)
    return re.sub(r"（.*）$", "", label)


def bars(
    items: Sequence[tuple[str, Decimal]], *, width: int = 560, row: int = 22
) -> dict[str, Any]:
    """Horizontal bar chart geometry: one bar per (label, value), longest bar = full width."""
    top = max((v for _l, v in items), default=Decimal(0))
    total = sum((v for _l, v in items), Decimal(0))
    longest = max((min(len(label), 13) for label, _v in items), default=4)
    label_w = 13 * longest + 14
    bar_w = width - label_w - 100
    out = []
    for i, (label, value) in enumerate(items):
        share = float(value / top) if top else 0.0
        out.append(
            {
                "label": label if len(label) <= 13 else label[:12] + "…",
                "full": label,
                "value": number(value),
                "y": i * row,
                "w": round(share * bar_w, 1),
                "pct": f"{value * 100 / total:.1f}%" if total else "",
            }
        )
    return {
        "bars": out,
        "width": width,
        "height": max(len(items), 1) * row,
        "label_w": label_w,
        "bar_w": bar_w,
        "row": row,
        "empty": not top,
    }


def _charts(
    spec: Format, summary: Mapping[str, Any], units: list[dict[str, Any]]
) -> dict[str, Any]:
    totals = summary.get("totals") or {}
    accepted = sorted(
        (u for u in units if u["status"] == "accepted"), key=lambda u: (-u["apply_new"], u["index"])
    )
    by_unit = bars([(u["name"], u["apply_new"]) for u in accepted[:TOP_UNITS]])
    charts: dict[str, Any] = {
        "by_unit": by_unit,
        "by_unit_more": max(len(accepted) - TOP_UNITS, 0),
        "outcome": bars(_outcome_groups(spec, totals)),
        "progress": progress_by_category(units),
        "compare": None,
    }
    previous = summary.get("previous") or {}
    if previous.get("totals"):
        prev_totals = previous["totals"]
        rows: list[dict[str, Any]] = []
        for fid, label in KEY_INDICATORS:
            if fid in spec.fields:
                now_v, old_v = _as_decimal(totals.get(fid)), _as_decimal(prev_totals.get(fid))
                diff = now_v - old_v
                rows.append(
                    {
                        "label": label,
                        "now": now_v,
                        "old": old_v,
                        "diff": ("+" if diff > 0 else "") + number(diff),
                    }
                )
        top = max([r["now"] for r in rows] + [r["old"] for r in rows] + [Decimal(1)])
        for r in rows:
            r["now_w"], r["old_w"] = (round(float(r[k] / top) * 300, 1) for k in ("now", "old"))
            r["now"], r["old"] = number(r["now"]), number(r["old"])
        charts["compare"] = {
            "rows": rows,
            "year": summary.get("year", ""),
            "last_year": previous.get("year") or int(summary.get("year", 1)) - 1,
        }
    return charts


def progress_by_category(
    units: Sequence[Mapping[str, Any]], *, width: int = 440
) -> list[dict[str, Any]]:
    """Stacked bars per unit category (部门, 街道乡镇): accepted, rejected, missing counts."""
    categories = sorted({u["category"] for u in units}, key=lambda c: (c != "部门", c))
    sizes = {c: sum(u["category"] == c for u in units) for c in categories}
    top = max(sizes.values(), default=0)
    rows = []
    for c in categories:
        x, segments = 0.0, []
        for status in ("accepted", "rejected", "missing"):
            n = sum(u["category"] == c and u["status"] == status for u in units)
            w = round(width * n / top, 1) if top else 0.0
            segments.append(
                {"status": status, "label": STATUS_NAMES[status], "n": n, "x": x, "w": w}
            )
            x += w
        rows.append({"label": c or "未分类", "total": sizes[c], "segments": segments, "end": x})
    return rows


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
        "started": _display_time(run.get("started")),
        "finished": _display_time(run.get("finished")),
        "inputs": inputs,
        "changes": changes,
        "more_changes": max(n_changes - MAX_CHANGES, 0),
        "text": text,
    }
