"""Where each roster unit stands, from the ledger: the records a pass publishes, and ``workflow status``.

A unit's current submission is its latest ACCEPTED file (by arrival). A later file that is rejected
does not replace it — the rollup keeps the accepted data and the unit's status says 已通过 with a
note that a newer file was returned. A unit with only rejected files is 未通过 (its latest file);
a unit with no file is 未报送.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.domain.records import STATUS_NAMES, UnitRecord, UnitStatus
from workflow.domain.roster import Unit
from workflow.domain.settings import Settings
from workflow.store.ledger import FileRow, Ledger, decode_findings, decode_values


@dataclass
class UnitState:
    unit: Unit
    status: UnitStatus
    row: FileRow | None = None  # the file the status is about
    newer_rejected: FileRow | None = None  # a rejected file that arrived after the accepted one

    @property
    def label(self) -> str:
        name = STATUS_NAMES[self.status]
        if self.status == "rejected" and self.row:
            return f"{name}（{self.row.errors} 处错误）"
        if self.newer_rejected:
            return f"{name}（新报送文件未通过）"
        return name


def _canonical(settings: Settings, unit: str) -> str:
    found = settings.find_unit(unit) if unit else None
    return found.name if found else ""


@dataclass
class Current:
    """The ledger's current submissions resolved through the roster (names and aliases), so that a
    unit renamed in the roster (old name kept as an alias) keeps its data."""

    by_unit: dict[str, int]  # roster name → file id of its current submission
    keys: dict[str, list[str]]  # roster name → the ledger keys that resolve to it
    orphans: dict[str, int]  # ledger keys that match no roster unit any more → file id


def resolve_current(settings: Settings, current: dict[str, int]) -> Current:
    out = Current({}, {}, {})
    for key, file_id in current.items():
        name = _canonical(settings, key)
        if not name:
            out.orphans[key] = file_id
            continue
        out.keys.setdefault(name, []).append(key)
        out.by_unit[name] = max(file_id, out.by_unit.get(name, file_id))  # the latest one wins
    return out


class CurrentMap:
    """``resolve_current`` kept up to date during a pass: built once from the ledger, then only the
    keys the ledger's ``current_log`` names are read again — a lookup per file costs the same
    whether the district has 100 units or 5,000."""

    def __init__(self, settings: Settings, ledger: Ledger) -> None:
        self.s, self.ledger = settings, ledger
        self.seen = len(ledger.current_log)
        self.raw: dict[str, int] = {}
        self.names: dict[str, str] = {}  # ledger key → roster name ("" for none)
        self.by_unit: dict[str, dict[str, int]] = {}  # roster name → {ledger key: file id}
        for key, file_id in ledger.current().items():
            self._put(key, file_id)

    def _name(self, key: str) -> str:
        if key not in self.names:
            self.names[key] = _canonical(self.s, key)
        return self.names[key]

    def _put(self, key: str, file_id: int) -> None:
        self.raw[key] = file_id
        name = self._name(key)
        if name:
            self.by_unit.setdefault(name, {})[key] = file_id

    def _drop(self, key: str) -> None:
        if self.raw.pop(key, None) is not None:
            self.by_unit.get(self._name(key), {}).pop(key, None)

    def sync(self) -> None:
        log = self.ledger.current_log
        if len(log) == self.seen:
            return
        keys = list(dict.fromkeys(log[self.seen :]))
        self.seen = len(log)
        fresh = self.ledger.current_of(keys)
        for key in keys:
            self._drop(key)
            if key in fresh:
                self._put(key, fresh[key])

    def of(self, unit: str) -> tuple[int | None, list[str]]:
        """The file id of ``unit``'s current submission (the latest of its keys) and its keys."""
        self.sync()
        found = self.by_unit.get(unit, {})
        return (max(found.values()) if found else None), list(found)


def orphan_notice(settings: Settings, current: dict[str, int]) -> str:
    """One line naming the stored current submissions of units no longer in the roster, or ""."""
    orphans = resolve_current(settings, current).orphans
    if not orphans:
        return ""
    names = "、".join(f"「{k}」" for k in sorted(orphans))
    return (
        f"台账中有 {len(orphans)} 个单位的报送不在当前名单中：{names}"
        "（可能改了名称，请把旧名称加入 aliases）"
    )


def unit_states(
    settings: Settings, rows: Sequence[FileRow], current: dict[str, int]
) -> list[UnitState]:
    """One state per roster unit, in roster order."""
    by_id = {r.id: r for r in rows}
    resolved = resolve_current(settings, current).by_unit
    latest_rejected: dict[str, FileRow] = {}
    for row in rows:  # arrival order: the last one wins
        name = _canonical(settings, row.unit)
        if name and row.status == "rejected":
            latest_rejected[name] = row
    states = []
    for unit in settings.units:
        accepted = by_id.get(resolved.get(unit.name, -1))
        rejected = latest_rejected.get(unit.name)
        if accepted:
            newer = rejected if rejected and rejected.id > accepted.id else None
            states.append(UnitState(unit, "accepted", accepted, newer))
        elif rejected:
            states.append(UnitState(unit, "rejected", rejected))
        else:
            states.append(UnitState(unit, "missing"))
    return states


def _outbox_path(prefix: str, row: FileRow, kind: str) -> str:
    info = row.feedback_paths
    name = info.get("files", {}).get(kind)
    return f"{prefix}/{info['folder']}/{name}" if name else ""


def build_records(
    settings: Settings, rows: Sequence[FileRow], current: dict[str, int], *, outbox_prefix: str
) -> list[UnitRecord]:
    """The UnitRecords a pass hands to ``write_outputs`` (paths relative to the workspace)."""
    records = []
    for state in unit_states(settings, rows, current):
        unit, row = state.unit, state.row
        if row is None:
            records.append(
                UnitRecord(
                    name=unit.name,
                    category=unit.category,
                    status="missing",
                    contact_person=unit.contact_person,
                    contact_phone=unit.contact_phone,
                )
            )
            continue
        data = row.result_data
        texts = data.get("texts", {})
        outputs = {
            "receipt": _outbox_path(outbox_prefix, row, "receipt"),
            "feedback": _outbox_path(outbox_prefix, row, "annotated"),
        }
        records.append(
            UnitRecord(
                name=unit.name,
                category=unit.category,
                status=state.status,
                submitted_at=row.arrived,
                sha256=row.sha256,
                source=row.archive_path,
                original_name=row.original_name,
                errors=row.errors,
                warnings=row.warnings,
                values=decode_values(data),
                texts=texts,
                findings=decode_findings(data),
                contact_person=unit.contact_person or texts.get("contact_person", ""),
                contact_phone=unit.contact_phone or texts.get("contact_phone", ""),
                updated=bool(data.get("replaced")) and not row.published,
                outputs={k: v for k, v in outputs.items() if v},
                **_newer_rejected(state.newer_rejected, outbox_prefix),
            )
        )
    return records


def _newer_rejected(row: FileRow | None, prefix: str) -> dict[str, Any]:
    if row is None:
        return {}
    return {
        "newer_rejected": row.original_name,
        "newer_rejected_receipt": _outbox_path(prefix, row, "receipt"),
        "newer_rejected_errors": row.errors,
        "newer_rejected_at": row.arrived,
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


@dataclass
class StatusReport:
    district: str
    year: int
    states: list[UnitState]
    strays: list[FileRow] = field(default_factory=list)  # files of no roster unit
    waiting: list[str] = field(default_factory=list)
    last_run: dict | None = None
    orphans: str = ""  # stored submissions of units no longer in the roster (orphan_notice)
    notes: list[str] = field(default_factory=list)  # the roster's source, last year's data

    def count(self, status: str) -> int:
        return sum(s.status == status for s in self.states)

    def text(self) -> str:
        total = len(self.states)
        reported = total - self.count("missing")
        lines = [
            f"{self.district}{self.year}年政府信息公开工作年度报告报送情况："
            f"已报 {reported}/{total} 个单位（已通过 {self.count('accepted')}，"
            f"未通过 {self.count('rejected')}，未报送 {self.count('missing')}）",
            "",
        ]
        if self.last_run:
            when = self.last_run["started"][:16].replace("T", " ")
            result = "完成" if self.last_run["status"] == "ok" else "失败（详见日志）"
            lines.insert(
                1, f"最近一次处理：{when}，{result}，处理文件 {self.last_run['processed']} 个"
            )
        else:
            lines.insert(1, "尚未处理过收件箱。运行 `workflow --once` 处理一遍。")
        lines[2:2] = self.notes
        name_w = max([_width(s.unit.name) for s in self.states] + [8]) + 2
        state_w = max([_width(s.label) for s in self.states] + [8]) + 2
        lines.append(_pad("单位", name_w) + _pad("状态", state_w) + _pad("报送时间", 18) + "文件")
        for s in self.states:
            when = s.row.arrived[:16].replace("T", " ") if s.row else "—"
            file = s.row.inbox_path if s.row else "—"
            lines.append(_pad(s.unit.name, name_w) + _pad(s.label, state_w) + _pad(when, 18) + file)
        if self.strays:
            lines += ["", "无法对应到名单内单位的文件（已退回）："]
            lines += [
                f"  {r.inbox_path}（{r.arrived[:16].replace('T', ' ')}）" for r in self.strays
            ]
        if self.orphans:
            lines += ["", self.orphans]
        if self.waiting:
            lines += ["", "收件箱中等待处理的文件（正在复制或已被打开）："]
            lines += [f"  {w}" for w in self.waiting]
        return "\n".join(lines)


def workspace_status(settings: Settings) -> StatusReport:
    """The roster against the ledger (reads only; safe while a pass runs)."""
    with Ledger.open(settings.state_dir) as ledger:
        rows = ledger.files(light=True)
        current = ledger.current()
        waiting = sorted(ledger.sightings())
        last = ledger.last_run()
    strays = [r for r in rows if r.status == "rejected" and not _canonical(settings, r.unit)]
    states = unit_states(settings, rows, current)
    report = StatusReport(settings.district, settings.year, states, strays, waiting, last)
    report.orphans = orphan_notice(settings, current)
    report.notes = [n for n in (roster_notice(settings), baseline_notice(settings)) if n]
    return report


def roster_notice(settings: Settings) -> str:
    """Where the roster comes from, when it is the spreadsheet or empty."""
    if settings.roster_file is not None and not settings.units:
        return (
            f"单位名单 {settings.roster_file.name} 中还没有单位：请用 Excel/WPS 打开它，"
            "在“单位名单”工作表中填写各单位后保存。"
        )
    if settings.roster_file is not None:
        return f"单位名单：{settings.roster_file.name}（{len(settings.units)} 个单位）"
    return "" if settings.units else "单位名单为空：请在 workflow.toml 中填写 [[units]]。"


def baseline_notice(settings: Settings) -> str:
    """Where last year's data (R7, R8, R13 and the year-over-year comparisons) comes from."""
    if settings.previous_summary is None:
        return ""
    path = settings.path(settings.previous_summary)
    source = f"，复制自 {settings.previous_source}" if settings.previous_source else ""
    try:
        data = json.loads(path.read_text("utf-8-sig"))
    except FileNotFoundError:
        return f"上年数据：{path} 不存在（[previous] summary），同比和 R7、R8、R13 无法检查。"
    except (OSError, ValueError) as exc:
        return f"上年数据：无法读取 {path}（{exc}）。"
    if not isinstance(data, dict):
        return f"上年数据：{path} 不是本程序生成的 summary.json。"
    counts = f"{data.get('units_accepted', '?')}/{data.get('units_expected', '?')} 个单位已通过"
    return (
        f"上年数据：{settings.previous_summary.as_posix()}"
        f"（{data.get('district', '')}{data.get('year', '')}年汇总，{counts}{source}）"
    )


def outbox_prefix(settings: Settings) -> str:
    """The outbox's path relative to the workspace (no trailing slash): "outbox/…" paths."""
    try:
        rel = settings.outbox_dir.resolve().relative_to(settings.workspace.resolve())
    except ValueError:
        return Path(settings.outbox_dir).resolve().as_posix()
    return rel.as_posix()
