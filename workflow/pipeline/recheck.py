"""Files checked again from their archived copy: after a roster change, the files rejected as
单位不在名单中 whose unit the roster now knows; and a row's feedback made again when its durable
copy is missing (ledgers from before it was kept), used only if the outcome is the same."""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from pathlib import Path
from typing import Any

from workflow.domain.check_result import CheckResult
from workflow.pipeline.check_step import check_archived
from workflow.pipeline.context import FEEDBACK_DIR, PassContext
from workflow.store import archive
from workflow.store.ledger import FileRow

log = logging.getLogger("workflow")


def recheck_after_roster_change(ctx: PassContext) -> None:
    """Once the configuration has changed (a hash of workflow.toml, as for publication), check
    again the files rejected as 单位不在名单中 whose unit the roster now knows (a unit added, or
    an alias): their finding is stale. Others keep their outcome."""
    config = ctx.config_hash()
    if ctx.ledger.meta("checked_config") == config:
        return
    for light in ctx.ledger.files(light=True):
        if light.status != "rejected" or light.state != "archived" or not light.unit:
            continue
        if ctx.s.find_unit(light.unit) is None:
            continue
        row = ctx.ledger.file(light.id)
        assert row is not None
        if "unit-unknown" in {f.get("rule") for f in row.result_data.get("findings", [])}:
            _recheck(ctx, row)
    ctx.ledger.set_meta("checked_config", config)


def recheck_row(ctx: PassContext, row: FileRow) -> None:
    """Check an archived file again and record its new outcome (also used by ``rebuild``)."""
    _recheck(ctx, row)


def _recheck(ctx: PassContext, row: FileRow) -> None:
    token = uuid.uuid4().hex[:12]
    checked = check_archived(ctx, row, token)
    if checked is None:
        return
    result, files = checked
    found = ctx.s.find_unit(result.unit) if result.unit else None
    unit = found.name if found else (result.unit or "")
    year = result.year or ctx.s.year
    status = "accepted" if result.status == "accepted" else "rejected"
    current_unit, stale_keys = "", list[str]()
    supersede: tuple[int, str] | None = None
    changes: list[dict[str, Any]] = []
    old: FileRow | None = None
    if status == "accepted" and found is not None and year == ctx.s.year:
        old, stale_keys = ctx.current_row(unit)
        if old and old.id > row.id:
            status, stale_keys = "superseded", []  # the unit has sent a newer accepted file
        else:
            current_unit = unit
            if old:
                supersede = ctx.supersede_target(old, year)
                changes = ctx.field_changes(unit, old, result.values)
    stored = ctx.s.path(Path(row.archive_path))
    target = archive.archive_target(ctx.s.archive_dir, year, status, row.sha256, "x")
    values = {
        "unit": unit,
        "year": year,
        "status": status,
        "archive_path": ctx.rel(target.parent / stored.name),
        "run_id": ctx.run_id,
        **ctx.checked_columns(result, token, files, old.id if supersede and old else None),
    }
    ctx.ledger.recheck_file(
        row.id,
        values,
        current_unit=current_unit,
        drop_current=stale_keys,
        supersede=supersede,
        changes=changes,
    )
    _refile_rechecked(ctx, row, values, year, status)
    if old and supersede:
        ctx.refile_superseded(old, year)
    ctx.summary.changes += changes
    ctx.summary.rechecked.append(row.inbox_path)


def _refile_rechecked(
    ctx: PassContext, row: FileRow, values: dict[str, Any], year: int, status: str
) -> None:
    """Drop the row's old feedback and move its archived copy into the folder of its new status."""
    old_feedback = ctx.state / FEEDBACK_DIR / row.feedback_paths.get("dir", "-")
    shutil.rmtree(old_feedback, ignore_errors=True)
    stored = ctx.s.path(Path(row.archive_path))
    moved = archive.refile(stored, ctx.s.archive_dir, year, status, row.sha256)
    if ctx.rel(moved) != values["archive_path"] and moved.exists():
        ctx.ledger.update_file(row.id, archive_path=ctx.rel(moved))


def remake_feedback(ctx: PassContext, row: FileRow) -> bool:
    """Make a row's feedback again from its archived original (no durable copy: ledgers from
    before it was kept). Used only if the outcome is the same as recorded: status, values and
    findings (rule, severity, cells; messages may have been reworded since). The file names
    may differ (an older version wrote .md receipts): the ledger then points to the new ones."""
    failed = set(json.loads(ctx.ledger.meta("unremakable", "[]")))
    if row.status == "duplicate" or row.state != "archived" or row.id in failed:
        return False
    full = ctx.ledger.file(row.id)
    assert full is not None
    info = full.feedback_paths
    checked = check_archived(ctx, full, info["dir"])
    if checked is None or not _same_outcome(checked[0], full):
        log.warning(
            "无法重新生成 %s 的反馈文件：重新校验的结果与台账记录不同（可能程序或配置已更新）。",
            row.original_name,
        )
        shutil.rmtree(ctx.state / FEEDBACK_DIR / info["dir"], ignore_errors=True)
        ctx.ledger.set_meta("unremakable", json.dumps(sorted(failed | {row.id})))
        return False
    files = checked[1]
    if files != info.get("files", {}):
        ctx.ledger.update_file(
            row.id, feedback=json.dumps(info | {"files": files}, ensure_ascii=False)
        )
    return True


def _same_outcome(result: CheckResult, row: FileRow) -> bool:
    """The result of checking ``row`` again is what the ledger recorded: status, values, findings."""
    data = row.result_data
    return (
        result.status == ("rejected" if row.status == "rejected" else "accepted")
        and {k: str(v) for k, v in result.values.items()}
        == {k: str(v) for k, v in data.get("values", {}).items()}
        and [(f.rule, str(f.severity), list(f.cells)) for f in result.findings]
        == [(f["rule"], f["severity"], f["cells"]) for f in data.get("findings", [])]
    )
