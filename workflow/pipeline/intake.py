"""Intake, one step of a pass: scan the inbox and let files settle, snapshot and hash each ready
file (the same bytes seen before are a duplicate, a file the ledger has as ``checked`` is resumed),
check it, record the outcome in the ledger in one transaction, and only then archive it (verified)
and remove the original from the inbox."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any

from workflow.crash import crash_point
from workflow.domain.check_result import CheckResult
from workflow.domain.names import safe_name
from workflow.errors import WorkflowError
from workflow.pipeline.check_step import Job, checked, failed_check
from workflow.pipeline.context import FEEDBACK_DIR, PassContext
from workflow.pipeline.feedback_state import note_replaced_in_pass
from workflow.pipeline.inbox import (
    Candidate,
    left_in_inbox,
    list_candidates,
    restat,
    settle,
    snapshot,
)
from workflow.pipeline.outcome import FileOutcome
from workflow.store import archive
from workflow.store.durable import fsync_file
from workflow.store.folders import output_errors
from workflow.store.ledger import FileRow

log = logging.getLogger("workflow")

_STATUS_CN = {"accepted": "通过", "rejected": "退回", "duplicate": "重复", "superseded": "已被替代"}


def intake(ctx: PassContext) -> None:
    seen = ctx.ledger.sightings()
    scan = settle(
        list_candidates(ctx.s.inbox_dir),
        seen,
        now=ctx.now,
        settle_seconds=ctx.s.settle_seconds,
        sleep=ctx.sleep,
    )
    if {s.path: s for s in scan.sightings} != seen:
        ctx.ledger.save_sightings(scan.sightings)
    ctx.summary.waiting = [c.rel for c in scan.waiting]
    ctx.summary.left = left_in_inbox(ctx.s.inbox_dir)
    ctx.arrived = {s.path: s.since for s in seen.values()}
    crash_point("after-scan")
    # arrival order (modification time, then name): of one unit's files, the newest counts
    ready = sorted(scan.ready, key=lambda c: (c.mtime_ns, c.name, c.rel))
    jobs, dups = _snapshots(ctx, ready)
    crash_point("after-snapshot")
    total, done = len(jobs) + len(dups), 0
    for job in [j for j in jobs if j.resume]:
        _finish_intake(ctx, job, job.resume)
        done += 1
        ctx.tick(done, total)
    for job, outcome in checked(ctx, [j for j in jobs if not j.resume]):
        if outcome is not None:
            _record_guarded(ctx, job, outcome)
        else:
            ctx.summary.files.append(FileOutcome(job.cand.rel, "failed"))
        done += 1
        ctx.tick(done, total)
    for job in dups:
        _duplicate(ctx, job)
        done += 1
        ctx.tick(done, total)


def _snapshots(ctx: PassContext, ready: list[Candidate]) -> tuple[list[Job], list[Job]]:
    jobs: list[Job] = []
    dups: list[Job] = []
    in_pass: set[str] = set()
    for cand in ready:
        token = uuid.uuid4().hex[:12]
        try:
            snap, sha = snapshot(cand, ctx.state / "work" / token)
        except OSError as exc:
            log.warning("无法读取 %s：%s，下次再试。", cand.rel, exc)
            continue
        if restat(cand) != cand:  # changed while we copied: take it next pass
            ctx.summary.waiting.append(cand.rel)
            continue
        job = Job(cand, snap, sha, token)
        known = ctx.ledger.by_sha(sha)
        resume = [r for r in known if r.state == "checked" and r.inbox_path == cand.rel]
        if resume:
            job.resume = resume[0]
            jobs.append(job)
        elif known or sha in in_pass:
            dups.append(job)
        else:
            jobs.append(job)
        in_pass.add(sha)
    return jobs, dups


def _record_guarded(
    ctx: PassContext, job: Job, outcome: tuple[CheckResult, dict[str, str]]
) -> None:
    """Record a checked file; when its result itself cannot be recorded (values or texts the
    ledger cannot take), record it as a file that could not be checked instead."""
    try:
        _record(ctx, job, *outcome)
    except WorkflowError:
        raise
    except Exception as exc:
        if ctx.ledger.by_sha(job.sha256):  # recorded already: a storage problem, not the file's
            raise
        log.exception("记录 %s 的校验结果时程序出错：%s", job.cand.rel, exc)
        fallback = failed_check(
            ctx, job.snap, ctx.state / FEEDBACK_DIR / job.token, job.cand.folder, exc
        )
        if fallback is None:
            ctx.summary.files.append(FileOutcome(job.cand.rel, "failed"))
            return
        _record(ctx, job, *fallback)


def _record(ctx: PassContext, job: Job, result: CheckResult, files: dict[str, str]) -> None:
    crash_point("after-feedback")
    found = ctx.s.find_unit(result.unit) if result.unit else None
    unit = found.name if found else (result.unit or "")
    year = result.year or ctx.s.year
    status = "accepted" if result.status == "accepted" else "rejected"
    target = archive.archive_target(ctx.s.archive_dir, year, status, job.sha256, job.cand.name)
    is_current = status == "accepted" and found is not None and year == ctx.s.year
    old, stale_keys = ctx.current_row(unit) if is_current else (None, [])
    changes = ctx.field_changes(unit, old, result.values) if old else []
    supersede = ctx.supersede_target(old, year) if old else None
    row = _row(ctx, job, unit, year, status, target)
    row.update(ctx.checked_columns(result, job.token, files, replaced=old.id if old else None))
    file_id = ctx.ledger.add_file(
        row,
        current_unit=unit if is_current else "",
        drop_current=stale_keys,
        supersede=supersede,
        changes=changes,
    )
    crash_point("after-ledger")
    ctx.summary.changes += changes
    ctx.summary.files.append(
        FileOutcome(job.cand.rel, status, unit, row["errors"], row["warnings"])
    )
    _finish_intake(ctx, job, ctx.ledger.file(file_id))
    if old and supersede:
        ctx.refile_superseded(old, year)
        crash_point("after-supersede")
        note_replaced_in_pass(ctx, old, job.cand.name)


def _row(
    ctx: PassContext, job: Job, unit: str, year: int, status: str, target: Path
) -> dict[str, Any]:
    return {
        "sha256": job.sha256,
        "original_name": job.cand.name,
        "inbox_path": job.cand.rel,
        "size": job.cand.size,
        "mtime_ns": job.cand.mtime_ns,
        "arrived": ctx.arrived.get(job.cand.rel, ctx.stamp),
        "processed": ctx.stamp,
        "unit": unit,
        "year": year,
        "status": status,
        "state": "checked",
        "archive_path": ctx.rel(target),
        "run_id": ctx.run_id,
    }


def _finish_intake(ctx: PassContext, job: Job, row: FileRow | None) -> None:
    """Archive (verified copy), then remove the original, then record that it is done."""
    assert row is not None
    target = ctx.s.path(Path(row.archive_path))
    with output_errors(f"无法写入存档 {target.parent}", "[paths] archive", ctx.s):
        stored = archive.store(job.snap, target, job.sha256)
    if ctx.rel(stored) != row.archive_path:
        ctx.ledger.update_file(row.id, archive_path=ctx.rel(stored))
    crash_point("after-archive")
    current = restat(job.cand)
    if current is not None and current == job.cand:
        try:
            job.cand.path.unlink()
        except OSError as exc:  # e.g. held open on Windows: retried next pass
            log.warning("无法从收件箱移走 %s：%s，下次再试。", job.cand.rel, exc)
            return
    crash_point("after-remove")
    ctx.ledger.update_file(row.id, state="archived")
    if job.resume:
        ctx.summary.recovered += 1


def _duplicate(ctx: PassContext, job: Job) -> None:
    first = ctx.ledger.by_sha(job.sha256)[0]
    name = _write_duplicate_receipt(ctx, job, first)
    year = first.year or ctx.s.year
    target = archive.archive_target(ctx.s.archive_dir, year, "duplicate", job.sha256, job.cand.name)
    row = _row(ctx, job, first.unit, year, "duplicate", target)
    row.update(
        duplicate_of=first.id,
        feedback=json.dumps(
            {"dir": job.token, "folder": ctx.feedback_root, "files": {"receipt": name}},
            ensure_ascii=False,
        ),
    )
    file_id = ctx.ledger.add_file(row)
    ctx.summary.files.append(FileOutcome(job.cand.rel, "duplicate", first.unit))
    _finish_intake(ctx, job, ctx.ledger.file(file_id))


def _duplicate_next_step(first: FileRow) -> str:
    """What the sender of a same-bytes file should do, by what became of the first one."""
    if first.status == "rejected":
        return (
            f"原文件「{first.original_name}」未通过校验，重复报送不会改变结果。"
            "请按原文件回执中的问题逐项修改后重新报送。"
        )
    if first.status == "superseded":
        return (
            f"原文件「{first.original_name}」已被本单位之后报送的文件替代，汇总使用较新的文件。"
            "如确需改回原数据，请修改后作为新文件重新报送。"
        )
    return "汇总已使用原文件，无需再次报送。如需更正数据，请修改报表后重新报送。"


def _write_duplicate_receipt(ctx: PassContext, job: Job, first: FileRow) -> str:
    """Write the receipt of a file with the same bytes as ``first``; its name in the feedback."""
    receipt = first.feedback_paths.get("files", {}).get("receipt", "")
    sub = Path(receipt).parent.as_posix() if "/" in receipt else safe_name(job.cand.path.stem)
    name = f"{sub}/回执_{safe_name(job.cand.path.stem)}（重复报送）.txt"
    out = ctx.state / FEEDBACK_DIR / job.token / name
    out.parent.mkdir(parents=True, exist_ok=True)
    when = first.arrived[:16].replace("T", " ")
    status = _STATUS_CN.get(first.status, first.status)
    text = (
        "政府信息公开工作年度报告 报送回执\n" + "=" * 34 + "\n\n"
        f"单位：{first.unit or '（未能识别）'}\n"
        f"文件名：{job.cand.name}\n"
        f"SHA-256：{job.sha256}\n"
        f"接收时间：{ctx.stamp[:16].replace('T', ' ')}\n"
        f"结论：与已报送文件相同（重复报送），本次不重复计入\n\n"
        "【说明】\n\n"
        f"本文件与 {when} 报送的「{first.original_name}」内容完全相同（处理结果：{status}），"
        "已存档备查，本次不重复处理。\n\n"
        "【下一步】\n\n" + _duplicate_next_step(first) + "\n"
    )
    # plain text with CRLF and a BOM, like feedback.write_feedback: Notepad and WPS read it
    out.write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    fsync_file(out)
    return name
