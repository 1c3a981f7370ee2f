"""The archive is the source of truth: a ledger that is missing or empty while the archive or the
outbox's run manifests show history is rebuilt before anything else happens in the pass.

Every archived file (``archive/<year>/<accepted|rejected|superseded|duplicate>/<sha[:12]>_<name>``,
byte-identical) is checked again in arrival order — the order of the run manifests that list it as
an input, then the time it was archived — exactly as a roster re-check does: the latest accepted
file of each unit becomes current, earlier ones are superseded, the same bytes twice are a
duplicate. The pass then publishes as usual and says so in its output.

A rebuild never publishes less than before: when the units accepted in the last published
``summary.json`` are not all accepted again, or the manifests list inputs but the archive holds
none, the pass stops with exit 4 and says how to recover (the rebuilt rows are dropped, so the next
pass tries again).
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from workflow.errors import OutputError
from workflow.pipeline.context import PassContext
from workflow.pipeline.recheck import recheck_row
from workflow.store import archive
from workflow.store.durable import RUNS_DIR, manifests_in, run_seq, sha256_file

log = logging.getLogger("workflow")

_PREFIX = re.compile(r"^[0-9a-f]{12}_")


@dataclass(frozen=True)
class Archived:
    path: Path
    year: int
    folder: str
    mtime_ns: int
    size: int


def archived_files(root: Path) -> list[Archived]:
    """Every file in the archive's status folders (temporary files of an interrupted copy left out)."""
    out: list[Archived] = []
    if not root.is_dir():
        return out
    for year_dir in sorted(root.iterdir()):
        if not year_dir.is_dir() or not year_dir.name.isdigit():
            continue
        for folder in sorted(set(archive.FOLDERS.values())):
            sub = year_dir / folder
            if not sub.is_dir():
                continue
            for path in sorted(sub.iterdir()):
                if path.name.startswith(".") or not path.is_file():
                    continue
                st = path.stat()
                out.append(Archived(path, int(year_dir.name), folder, st.st_mtime_ns, st.st_size))
    return out


def _manifests(ctx: PassContext) -> list[dict[str, Any]]:
    """Every readable run manifest, oldest first (the outbox's and the state folder's copies)."""
    found: dict[str, dict[str, Any]] = {}
    for data in manifests_in((ctx.state / RUNS_DIR, ctx.outbox / RUNS_DIR)):
        if isinstance(data.get("run_id"), str):
            found[data["run_id"]] = data
    return sorted(found.values(), key=lambda m: (run_seq(m["run_id"]), m["run_id"]))


def _ledger_is_empty(ctx: PassContext) -> bool:
    return ctx.ledger.conn.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 0


def rebuild_if_lost(ctx: PassContext) -> None:
    """Rebuild an empty ledger from the archive and the manifests when they show history."""
    if not _ledger_is_empty(ctx):
        return
    files = archived_files(ctx.s.archive_dir)
    manifests = _manifests(ctx)
    inputs = [i for m in manifests for i in m.get("inputs", []) if isinstance(i, dict)]
    if not files and not inputs:
        return  # a new workspace: nothing was ever taken
    if not files:
        raise OutputError(
            f"台账 {ctx.ledger.path} 为空，但发件箱的运行记录（{ctx.outbox / RUNS_DIR}）显示已处理过 "
            f"{len(inputs)} 个文件，而存档 {ctx.s.archive_dir} 中没有这些文件。为避免发布缺少数据的"
            "汇总和报告，本次未处理。恢复办法：从备份恢复存档文件夹（或状态文件夹 "
            f"{ctx.state}），或确认存档位置 [paths] archive 是否正确（网络盘是否已连接）。"
        )
    _rebuild(ctx, files, manifests)


def _arrival(
    files: list[Archived], manifests: list[dict[str, Any]]
) -> list[tuple[Archived, str, str]]:
    """(file, inbox path, arrival time) in arrival order."""
    seen: dict[str, tuple[int, str, str]] = {}  # sha prefix -> (manifest order, name, started)
    for order, manifest in enumerate(manifests):
        for item in manifest.get("inputs", []):
            sha = str(item.get("sha256", ""))[:12]
            if sha and sha not in seen:
                seen[sha] = (order, str(item.get("name", "")), str(manifest.get("started", "")))
    rows = []
    for f in files:
        sha = f.path.name[:12]
        order, name, started = seen.get(sha, (len(manifests), "", ""))
        when = started or datetime.fromtimestamp(f.mtime_ns / 1e9).astimezone().isoformat(
            timespec="seconds"
        )
        original = _PREFIX.sub("", f.path.name)
        rows.append((order, when, f.path.name, f, name or original))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return [(r[3], r[4], r[1]) for r in rows]


def _rebuild(ctx: PassContext, files: list[Archived], manifests: list[dict[str, Any]]) -> None:
    log.warning("台账为空，但存档中有 %d 个文件：从存档重建台账。", len(files))
    by_sha: dict[str, int] = {}
    for f, inbox_path, arrived in _arrival(files, manifests):
        sha = sha256_file(f.path)
        values: dict[str, Any] = {
            "sha256": sha,
            "original_name": inbox_path.rsplit("/", 1)[-1],
            "inbox_path": inbox_path,
            "size": f.size,
            "mtime_ns": f.mtime_ns,
            "arrived": arrived,
            "processed": arrived,
            "year": f.year,
            "status": "duplicate" if sha in by_sha else "rejected",
            "state": "archived",
            "published": 1,
            "archive_path": ctx.rel(f.path),
            "run_id": ctx.run_id,
        }
        if sha in by_sha:
            values["duplicate_of"] = by_sha[sha]
            ctx.ledger.add_file(values)
            continue
        file_id = ctx.ledger.add_file(values)
        by_sha[sha] = file_id
        row = ctx.ledger.file(file_id)
        assert row is not None
        recheck_row(ctx, row)
    ctx.summary.rechecked = []
    ctx.summary.changes = []
    ctx.ledger.settle_changes()
    accepted = _accepted_units(ctx)
    before = _published_accepted(ctx)
    missing = sorted(before - accepted)
    if missing:
        ctx.ledger.forget_files()
        raise OutputError(
            f"台账 {ctx.ledger.path} 丢失或为空，已尝试根据存档 {ctx.s.archive_dir} 重建，但上次发布时"
            f"已通过的单位中有 {len(missing)} 个在存档中找不到可用的通过文件："
            f"{'、'.join(missing[:10])}{'等' if len(missing) > 10 else ''}。为避免发件箱中的汇总和报告"
            "被删减，本次未发布。恢复办法：从备份恢复状态文件夹（台账）或存档文件夹后重新运行；"
            f"如确认这些单位需要重新报送，请将 {ctx.s.year_outbox / 'summary.json'} 移走后重新运行。"
        )
    ctx.summary.rebuilt = (
        f"台账丢失或为空：已根据存档中的 {len(files)} 个文件和 {len(manifests)} 份运行记录重建台账"
        f"（已通过 {len(accepted)} 个单位，不少于上次发布）。台账保存在状态文件夹 {ctx.state}，"
        "请确认该文件夹在本机磁盘上、不会被清理或随网络盘断开。"
    )


def _accepted_units(ctx: PassContext) -> set[str]:
    out = set()
    for file_id in ctx.ledger.current().values():
        row = ctx.ledger.file(file_id)
        if row is not None and row.status == "accepted":
            found = ctx.s.find_unit(row.unit)
            out.add(found.name if found else row.unit)
    return out


def _published_accepted(ctx: PassContext) -> set[str]:
    """Units accepted in the last published summary.json of this year (resolved by the roster)."""
    path = ctx.s.year_outbox / "summary.json"
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    out = set()
    for unit in data.get("units", []) if isinstance(data, dict) else []:
        if isinstance(unit, dict) and unit.get("status") == "accepted":
            name = str(unit.get("name", ""))
            found = ctx.s.find_unit(name)
            out.add(found.name if found else name)
    return out


def move_aside(ledger: Path, stamp: str) -> Path | None:
    """``workflow rebuild-ledger``: keep the old (damaged) ledger under another name."""
    if not ledger.exists():
        return None
    aside = ledger.with_name(f"{ledger.name}.damaged-{stamp}")
    os.replace(ledger, aside)
    journal = ledger.with_name(ledger.name + "-journal")
    if journal.exists():
        os.replace(journal, aside.with_name(aside.name + "-journal"))
    return aside
