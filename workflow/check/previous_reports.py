"""Last year from last year's published reports: a tool's first year.

``[previous] reports`` names a folder of last year's 年度报告 (.docx, .pdf, .html/.htm, .txt). Each is
read with the report reader, matched to a roster unit by the name in its title (or its file name),
and the folder becomes the same structure as last year's summary.json — ``units`` (name, status,
values, texts) and ``totals`` — so R7, R8, R13 and the year-over-year columns work unchanged.

What cannot be used is listed under ``reports`` (``unreadable``, ``unmatched``), never a crash.
Reading a PDF takes seconds, so each file's reading is cached in the state folder, keyed by the
file's SHA-256 (a changed or new file is read again, a removed one drops out of the cache).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from workflow.domain.roster import Unit, name_key
from workflow.domain.settings import Settings
from workflow.formats.spec import load_format
from workflow.store.durable import sha256_file, write_json

CACHE_NAME = "previous_reports.json"
# Bump when the report reader reads differently: cached readings of an older reader are redone.
CACHE_VERSION = 1
_FILE_RULES = ("file-", "report-not-recognized")


def read_one(path: Path) -> dict[str, Any]:
    """One report as plain JSON data: its unit, year, format, the values it prints (only fields
    actually read: inputs read and totals all of whose parts were read) and its texts; or
    ``problem`` when it cannot be used at all."""
    from workflow.read.report.reader import read_report
    from workflow.rules.totals import compute_totals, definitions, expand

    sub = read_report(path)
    blocking = [f for f in sub.findings if f.is_error and f.rule.startswith(_FILE_RULES)]
    if blocking:
        return {"problem": blocking[0].message}
    spec = load_format(sub.format)
    read = set(sub.values)
    defs = definitions(spec)
    totals = compute_totals(spec, sub.values)
    values = {
        fid: _plain(v)
        for fid, v in totals.items()
        if fid in read or (fid in defs and set(expand(spec, defs, fid)) <= read)
    }
    if not values:
        return {"problem": "报告中未读到任何数字。"}
    texts = {k: v for k, v in sub.texts.items() if isinstance(v, str)}
    return {
        "unit": sub.unit_name,
        "year": sub.year,
        "format": sub.format,
        "values": values,
        "texts": texts,
    }


def _plain(value: object) -> int | str:
    return value if isinstance(value, int) else str(value)


def _number(value: object) -> int | Decimal:
    return value if isinstance(value, int) else Decimal(str(value))


def report_files(folder: Path) -> list[Path]:
    from workflow.read.report.reader import is_report

    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and is_report(p) and not p.name.startswith(("~$", "."))
    )


def read_folder(folder: Path, cache_path: Path | None) -> list[tuple[str, dict[str, Any]]]:
    """(file relative to the folder, its reading) for every report in the folder, cached."""
    cache = _load_cache(cache_path)
    fresh: dict[str, dict[str, Any]] = {}
    out = []
    for path in report_files(folder):
        digest = sha256_file(path)
        entry = cache.get(digest)
        if entry is None:
            entry = read_one(path)
        fresh[digest] = entry
        out.append((path.relative_to(folder).as_posix(), entry))
    if cache_path is not None and fresh != cache:
        try:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            write_json(cache_path, {"version": CACHE_VERSION, "files": fresh})
        except OSError:
            pass  # a read-only state folder: read again next time
    return out


def _load_cache(path: Path | None) -> dict[str, dict[str, Any]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    files = data.get("files")
    return (
        {k: v for k, v in files.items() if isinstance(v, dict)} if isinstance(files, dict) else {}
    )


def match_report(settings: Settings, printed: str, file_name: str) -> Unit | None:
    """The roster unit a report belongs to: its title's unit name (a name, an alias, a unit it
    ends with — 「教育局」 — or a unit name it ends with — 「福州市长乐区教育局」), else its file name."""
    for name in (printed, Path(file_name).stem):
        key = _bare_name(name)
        if len(key) < 2:
            continue
        unit = settings.roster.match(key) or _longest_suffix(settings, key)
        if unit is not None:
            return unit
    return None


def _bare_name(name: str) -> str:
    """「卫生健康局2024年政府信息公开工作年度报告」 → 「卫生健康局」."""
    key = name_key(name)
    for word in ("政府信息公开", "年度报告", "年报", "工作"):
        key = key.split(word)[0] if word in key else key
    return key.rstrip("0123456789年度（）()")


def _longest_suffix(settings: Settings, key: str) -> Unit | None:
    found: dict[int, set[str]] = {}
    units: dict[str, Unit] = {}
    for unit in settings.units:
        for n in unit.names:
            k = name_key(n)
            if len(k) >= 2 and key.endswith(k):
                found.setdefault(len(k), set()).add(unit.name)
                units[unit.name] = unit
    if not found:
        return None
    best = found[max(found)]
    return units[next(iter(best))] if len(best) == 1 else None


def previous_from_reports(settings: Settings, folder: Path) -> dict[str, Any]:
    """Last year's summary, as far as the folder's reports tell it."""
    cache_path = settings.state_dir / CACHE_NAME
    last_year = settings.year - 1
    units: dict[str, dict[str, Any]] = {}
    read, unreadable, unmatched = [], [], []
    for file, entry in read_folder(folder, cache_path):
        if "problem" in entry:
            unreadable.append({"file": file, "reason": str(entry["problem"])})
            continue
        printed = str(entry.get("unit") or "")
        year = entry.get("year")
        if isinstance(year, int) and year != last_year:
            reason = f"报告年度为 {year} 年，不是上年（{last_year} 年）"
            unmatched.append({"file": file, "unit": printed, "reason": reason})
            continue
        unit = match_report(settings, printed, file)
        if unit is None:
            reason = f"单位「{printed}」不在名单中" if printed else "报告标题中未找到单位名称"
            unmatched.append({"file": file, "unit": printed, "reason": reason})
            continue
        if unit.name in units:
            kept = units[unit.name]["source"]
            reason = f"与 {kept} 同为「{unit.name}」的报告，已采用 {kept}"
            unmatched.append({"file": file, "unit": printed, "reason": reason})
            continue
        units[unit.name] = {
            "name": unit.name,
            "category": unit.category,
            "status": "accepted",
            "source": file,
            "printed_name": printed,
            "format": entry.get("format"),
            "values": {k: _number(v) for k, v in dict(entry.get("values") or {}).items()},
            "texts": dict(entry.get("texts") or {}),
        }
        read.append({"file": file, "unit": unit.name})
    ordered = [units[u.name] for u in settings.units if u.name in units]
    formats = Counter(str(u["format"]) for u in ordered)
    without = [u.name for u in settings.units if u.name not in units]
    return {
        "district": settings.district,
        "year": last_year,
        "format": formats.most_common(1)[0][0] if formats else settings.format,
        "complete": not without and bool(ordered),
        "units_accepted": len(ordered),
        "units_expected": len(settings.units),
        "units": ordered,
        "totals": _totals(ordered),
        "reports": {
            "folder": _relative(settings, folder),
            "read": read,
            "unreadable": unreadable,
            "unmatched": unmatched,
            "units_without_report": without,
        },
    }


def _relative(settings: Settings, folder: Path) -> str:
    """The folder as summary.json names paths: relative to the workspace, forward slashes."""
    try:
        return folder.resolve().relative_to(settings.workspace.resolve()).as_posix()
    except ValueError:
        return folder.as_posix()


def _totals(units: list[dict[str, Any]]) -> dict[str, int | Decimal]:
    """Each field summed over the units — only fields every unit's report printed."""
    if not units:
        return {}
    common = set.intersection(*(set(u["values"]) for u in units))
    first: Mapping[str, Any] = units[0]["values"]
    return {
        fid: sum((u["values"][fid] for u in units), 0 * first[fid])
        for fid in first
        if fid in common
    }
