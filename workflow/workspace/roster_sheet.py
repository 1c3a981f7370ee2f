"""Reading the roster spreadsheet (单位名单.xlsx beside workflow.toml; .xls/.ods accepted).

``with_roster_sheet`` gives the settings the units of the spreadsheet when there is one. Every
problem in it (blank name, unknown category, duplicate name or alias, a name that is another unit's
alias) is reported with its row and the fix, all at once, as a ConfigError. A file that cannot be
read at all — open in Excel and half-saved, locked — keeps the last good roster (kept in
``<state>/roster.json``) with a warning in the log; only with no good roster ever read is it an error.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from workflow.domain.roster import CATEGORIES, Unit, name_key
from workflow.domain.settings import Settings
from workflow.errors import ConfigError
from workflow.read.limits import Budget, LimitExceeded, Limits
from workflow.read.xlsx_parts import FileProblem, open_calamine, open_ooxml, sniff
from workflow.store.durable import write_json
from workflow.workspace.roster_book import GUIDE_SHEET, HEADERS, ROSTER_NAME, ROSTER_SHEET

log = logging.getLogger("workflow")

ROSTER_NAMES = (ROSTER_NAME, "单位名单.xls", "单位名单.ods")
CACHE_NAME = "roster.json"
_SPLIT = re.compile(r"[、；;，,\n\r]+")
_TOWNSHIP_ENDINGS = ("街道办事处", "街道", "镇人民政府", "乡人民政府", "镇", "乡")
_MAX_PROBLEMS = 20
_COLUMNS = {  # header text (spaces removed) → field
    "单位名称": "name",
    "简称/别名": "aliases",
    "简称": "aliases",
    "别名": "aliases",
    "简称、别名": "aliases",
    "类别": "category",
    "联系人": "contact_person",
    "联系电话": "contact_phone",
    "电话": "contact_phone",
    "自称": "self_reference",
}


class RosterUnreadable(Exception):
    """The file cannot be read as a spreadsheet (half-saved, locked, not a workbook)."""


def roster_path(workspace: Path) -> Path | None:
    """The roster spreadsheet beside workflow.toml, if there is one."""
    for name in ROSTER_NAMES:
        path = workspace / name
        if path.is_file():
            return path
    return None


def with_roster_sheet(settings: Settings) -> Settings:
    """``settings`` with the units of the roster spreadsheet, when the workspace has one."""
    path = roster_path(settings.workspace)
    if path is None:
        return settings
    if settings.units:
        raise ConfigError(
            f"单位名单写了两处：{settings.config_path.name} 中的 [[units]] 和 {path.name}，"
            f"只能保留一处。用表格维护名单的，请删去 {settings.config_path.name} 中所有 [[units]] "
            f"配置节（先确认 {path.name} 已包含全部单位）；仍用配置文件的，请把 {path.name} 移出工作区文件夹。"
        )
    cache = settings.state_dir / CACHE_NAME
    try:
        units = read_roster(path)
    except RosterUnreadable as exc:
        kept = _cached(cache)
        busy = _lock_note(path)
        if kept is None:
            raise ConfigError(
                f"无法读取单位名单 {path}：{exc}。{busy}请保存并关闭后重试。"
            ) from exc
        log.warning(
            "无法读取单位名单 %s（%s）。%s本次仍使用上次读到的名单（%d 个单位）；请保存好后等待下次处理。",
            path.name,
            exc,
            busy,
            len(kept),
        )
        units = kept
    else:
        _remember(cache, units)
    return replace(settings, units=units, roster_file=path)


def _lock_note(path: Path) -> str:
    locks = (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#"))
    return "该文件可能正在 Excel/WPS/LibreOffice 中编辑。" if any(p.exists() for p in locks) else ""


def _cached(cache: Path) -> tuple[Unit, ...] | None:
    try:
        data = json.loads(cache.read_text("utf-8"))
        return tuple(Unit(**{**u, "aliases": tuple(u["aliases"])}) for u in data["units"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _remember(cache: Path, units: Sequence[Unit]) -> None:
    data = {
        "units": [
            {
                "name": u.name,
                "category": u.category,
                "aliases": list(u.aliases),
                "contact_person": u.contact_person,
                "contact_phone": u.contact_phone,
                "self_reference": u.self_reference,
            }
            for u in units
        ]
    }
    try:
        if cache.exists() and json.loads(cache.read_text("utf-8")) == data:
            return
        write_json(cache, data)
    except (OSError, ValueError) as exc:
        log.warning("无法保存单位名单的副本 %s：%s", cache, exc)


# -- reading ------------------------------------------------------------------------------------


def read_roster(path: Path) -> tuple[Unit, ...]:
    """The units of a roster spreadsheet; RosterUnreadable when it cannot be read, ConfigError
    listing every row problem (row number and fix) when its content is wrong."""
    rows = _sheet_rows(path)
    header_row, columns = _header(rows, path)
    units, problems = parse_rows(
        [(r, cells) for r, cells in rows if r > header_row], columns, path.name
    )
    if problems:
        shown = problems[:_MAX_PROBLEMS]
        more = f"\n  ……另有 {len(problems) - len(shown)} 处" if len(problems) > len(shown) else ""
        raise ConfigError(
            f"单位名单 {path} 有 {len(problems)} 处需要修改（行号即表格左侧的行号）：\n  "
            + "\n  ".join(shown)
            + more
        )
    return units


def _sheet_rows(path: Path) -> list[tuple[int, dict[int, str]]]:
    """(row number, {column: text}) of the roster sheet, in order."""
    limits = Limits(max_cells=50_000, max_seconds=20.0)
    budget = Budget(limits)
    try:
        with path.open("rb") as handle:
            kind = sniff(handle.read(512))
        if kind == "empty":
            raise RosterUnreadable("文件是空的（可能正在保存）")
        if kind == "cfb":
            book = open_calamine(path, ".xls", budget)
        elif kind != "zip":
            raise RosterUnreadable(f"这不是表格文件，而是{kind}")
        else:
            zf = zipfile.ZipFile(path)
            if "mimetype" in zf.NameToInfo:
                zf.close()
                book = open_calamine(path, ".ods", budget)
            else:
                book = open_ooxml(zf, limits, budget)
        try:
            names = [n for n in book.sheet_names if n != GUIDE_SHEET]
            name = ROSTER_SHEET if ROSTER_SHEET in names else (names[0] if names else "")
            sheet = book.sheet(name) if name else None
            if sheet is None:
                raise RosterUnreadable(f"找不到“{ROSTER_SHEET}”工作表")
            rows: dict[int, dict[int, str]] = {}
            for (r, c), value in sheet.cells.items():
                text = _text(value)
                if text:
                    rows.setdefault(r, {})[c] = text
        finally:
            book.close()
    except FileProblem as exc:
        raise RosterUnreadable(exc.message) from exc
    except LimitExceeded as exc:
        raise RosterUnreadable(f"文件过大（{exc.what}）") from exc
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise RosterUnreadable(f"文件不完整或被占用（{type(exc).__name__}）") from exc
    return sorted(rows.items())


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    text = str(value)
    return " ".join(text.replace("\u3000", " ").replace("\u200b", "").split())


def _header(rows: list[tuple[int, dict[int, str]]], path: Path) -> tuple[int, dict[str, int]]:
    for r, cells in rows[:10]:
        columns: dict[str, int] = {}
        for c, text in sorted(cells.items()):
            field = _COLUMNS.get(name_key(text))
            if field and field not in columns:
                columns[field] = c
        if "name" in columns:
            return r, columns
    raise ConfigError(
        f"单位名单 {path} 中找不到表头“单位名称”。第 1 行应为表头：{'、'.join(HEADERS)}。"
        f"请恢复表头（可从 `workflow init` 新建的 {ROSTER_NAME} 中复制）。"
    )


def _squeeze(name: str) -> str:
    """A name without the stray spaces of a paste (「长乐区 教育局」), unless it has Latin words."""
    return name.strip() if re.search(r"[A-Za-z]", name) else name_key(name)


def default_category(name: str) -> str:
    """The category of a unit whose 类别 is blank: 街道乡镇 by its name's ending, else 部门."""
    return "街道乡镇" if name.endswith(_TOWNSHIP_ENDINGS) else "部门"


def parse_rows(
    rows: Sequence[tuple[int, dict[int, str]]], columns: dict[str, int], source: str
) -> tuple[tuple[Unit, ...], list[str]]:
    """Units from (row number, {column: text}) and the problems found, each naming its row."""
    problems: list[str] = []
    parsed: list[tuple[int, Unit]] = []
    for r, cells in rows:
        get = {f: cells.get(c, "") for f, c in columns.items()}
        name = _squeeze(get.get("name", ""))
        if not name:
            filled = [HEADERS[i] for i, f in enumerate(_FIELDS) if get.get(f)]
            if filled:
                problems.append(
                    f"第 {r} 行：单位名称为空（该行填了{'、'.join(filled)}）。"
                    "请补上单位名称，或删除这一行。"
                )
            continue
        category = get.get("category", "") or default_category(name)
        if category not in CATEGORIES:
            problems.append(
                f"第 {r} 行：类别「{category}」不是可选的类别。请从下拉列表中选择："
                f"{'、'.join(CATEGORIES)}（留空则按名称判断）。"
            )
            category = default_category(name)  # still checked for clashes below
        own = name_key(name)
        aliases = [_squeeze(a) for a in _SPLIT.split(get.get("aliases", "")) if a.strip()]
        aliases = list(dict.fromkeys(a for a in aliases if name_key(a) != own))
        parsed.append(
            (
                r,
                Unit(
                    name=name,
                    category=category,
                    aliases=tuple(aliases),
                    contact_person=get.get("contact_person", ""),
                    contact_phone=get.get("contact_phone", ""),
                    self_reference=get.get("self_reference", ""),
                ),
            )
        )
    problems += _clashes(parsed)
    problems.sort(key=lambda p: int(p.split(" ", 2)[1]))
    return tuple(u for _, u in parsed), problems


_FIELDS = ("name", "aliases", "category", "contact_person", "contact_phone", "self_reference")


def _clashes(parsed: Sequence[tuple[int, Unit]]) -> list[str]:
    """Duplicate names, duplicate aliases, and names that are another unit's alias."""
    problems: list[str] = []
    names: dict[str, tuple[int, str]] = {}
    for r, unit in parsed:
        key = name_key(unit.name)
        if key in names:
            first = names[key][0]
            problems.append(
                f"第 {r} 行：单位名称「{unit.name}」与第 {first} 行重复。"
                f"同一单位只保留一行，请删除其中一行。"
            )
        else:
            names[key] = (r, unit.name)
    aliases: dict[str, tuple[int, str]] = {}
    for r, unit in parsed:
        for alias in unit.aliases:
            key = name_key(alias)
            if key in names and names[key][0] != r:
                other, other_name = names[key]
                problems.append(
                    f"第 {r} 行：简称/别名「{alias}」是第 {other} 行的单位名称。"
                    f"若两行是同一单位，请删除第 {other} 行（把它的联系人等并入第 {r} 行）；"
                    f"若不是，请在第 {r} 行的简称/别名中删去「{alias}」。"
                )
            elif key in aliases and aliases[key][0] != r:
                other, other_name = aliases[key]
                problems.append(
                    f"第 {r} 行：简称/别名「{alias}」与第 {other} 行「{other_name}」的简称/别名相同，"
                    f"无法区分是哪个单位。请在其中一行删去「{alias}」。"
                )
            else:
                aliases.setdefault(key, (r, unit.name))
    return problems
