"""Checking files during a pass: each snapshot (in-process, or in a process pool for many files)
or an archived copy checked again, with the ``unit-folder-mismatch`` error added and the feedback
written into its durable folder ``state/feedback/<token>/``."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from workflow.crash import crash_point
from workflow.domain.check_result import CheckResult
from workflow.domain.findings import Finding, Severity, sort_findings
from workflow.domain.settings import Settings, match_unit
from workflow.errors import OutputError, WorkflowError
from workflow.pipeline.context import FEEDBACK_DIR, PassContext
from workflow.pipeline.inbox import Candidate
from workflow.store.durable import fsync_file
from workflow.store.ledger import FileRow

log = logging.getLogger("workflow")

FOLDER_MISMATCH = "unit-folder-mismatch"
POOL_MIN_FILES = 8  # fewer files are checked in-process (a pool costs ~0.3 s to start)

Checked = tuple[CheckResult, dict[str, str]]  # a check's result and its feedback files by kind


@dataclass
class Job:
    """A ready inbox file, snapshotted into ``state/work``."""

    cand: Candidate
    snap: Path
    sha256: str
    token: str
    resume: FileRow | None = None


def folder_mismatch(result: CheckResult, folder: str, settings: Settings) -> Finding | None:
    """The error for a file in a unit's sub-folder (``inbox/<name or alias>/``) whose 单位名称 names
    another roster unit: taking it would silently replace that other unit's data."""
    by_folder = match_unit(settings, folder) if folder else None
    by_name = settings.find_unit(result.unit) if result.unit else None
    if by_folder is None or by_name is None or by_folder.name == by_name.name:
        return None
    written = str(result.texts.get("unit_name") or result.unit).strip()
    cell = result.cells.get("unit_name", "")
    return Finding(
        FOLDER_MISMATCH,
        Severity.ERROR,
        f"文件放在「{folder}」文件夹中，但「单位名称」填写的是「{written}」。请确认报送单位："
        f"如是{written}的报表，请放入{written}文件夹；如是本单位报表，请改正单位名称。",
        ("unit_name",),
        (cell,) if cell else (),
        by_folder.name,
        written,
    )


def _with_folder_check(result: CheckResult, folder: str, settings: Settings) -> CheckResult:
    """The result with ``unit-folder-mismatch`` added (rejected, attributed to the folder's unit,
    so the receipt goes back to whoever dropped it there)."""
    finding = folder_mismatch(result, folder, settings)
    if finding is None:
        return result
    by_folder = match_unit(settings, folder)
    assert by_folder is not None
    return replace(
        result,
        unit=by_folder.name,
        status="rejected",
        findings=sort_findings([*result.findings, finding]),
    )


def _worker_check(
    snap: Path,
    out_dir: Path,
    settings: Settings,
    now: datetime,
    previous: Mapping[str, Any] | None,
    folder: str = "",
    kept: Mapping[str, str] | None = None,
) -> Checked:
    """Check one snapshot and write its feedback into ``out_dir`` (runs in a pool worker).

    ``kept`` maps a unit to its current accepted file: a rejected correction's receipt says that
    the earlier version still counts."""
    from workflow.check.checker import check_file
    from workflow.check.feedback import write_feedback

    result = _with_folder_check(
        check_file(snap, settings, now=now, previous=previous), folder, settings
    )
    earlier = (kept or {}).get(result.unit, "") if result.status == "rejected" else ""
    written = write_feedback(
        result, snap, out_dir, now=now, kept=earlier, publish_by=settings.unit_deadline
    )
    files = {}
    for kind, path in written.items():
        fsync_file(path)
        files[kind] = Path(path).relative_to(out_dir).as_posix()
    return result, files


# What every file of a pass is checked against, given to each pool worker once (the roster and
# last year's data grow with the district: sent with every file, they made the cost per file grow
# with N, and each worker rebuilt the roster index for every file).
_PASS: dict[str, Any] = {}


def _start_worker(
    settings: Settings, now: datetime, previous: Mapping[str, Any] | None, kept: Mapping[str, str]
) -> None:
    """A pool worker's start: keep what the pass checks against; ignore Ctrl+C (sent to the whole
    console process group): the first one lets the pass finish, the parent alone decides (see
    ``scheduler``)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _PASS.update(settings=settings, now=now, previous=previous, kept=kept)


def _pool_check(snap: Path, out_dir: Path, folder: str) -> Checked:
    """``_worker_check`` of one file in a pool worker, against what ``_start_worker`` kept."""
    return _worker_check(
        snap,
        out_dir,
        _PASS["settings"],
        _PASS["now"],
        _PASS["previous"],
        folder,
        _PASS["kept"],
    )


def checked(ctx: PassContext, jobs: list[Job]) -> Iterator[tuple[Job, Checked | None]]:
    """Yield (job, (result, feedback files) | None) in job order; a crash of the checker on one
    file leaves that file in the inbox and is logged, the others go on."""
    from workflow.check.checker import load_previous

    prev = load_previous(ctx.s) if jobs else None
    kept = _accepted_files(ctx) if jobs else {}
    args = [(j.snap, ctx.state / FEEDBACK_DIR / j.token, j.cand.folder) for j in jobs]
    workers = min(os.cpu_count() or 1, 4)
    if len(jobs) < POOL_MIN_FILES or workers < 2:
        for job, (snap, out, folder) in zip(jobs, args, strict=True):
            check = partial(_worker_check, snap, out, ctx.s, ctx.now, prev, folder, kept)
            yield job, _guard(ctx, job, check)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(ctx.s, ctx.now, prev, kept)
    ) as pool:
        futures: list[Future[Checked] | None] = [pool.submit(_pool_check, *a) for a in args]
        for i, job in enumerate(jobs):
            fut, futures[i] = futures[i], None  # a result is held only until it is recorded
            assert fut is not None
            yield job, _guard(ctx, job, fut.result)


def _accepted_files(ctx: PassContext) -> dict[str, str]:
    """Each roster unit's current accepted file (its original name), before this pass."""
    kept = {}
    for unit in ctx.s.units:
        row, _ = ctx.current_row(unit.name)
        if row is not None and row.status == "accepted":
            kept[unit.name] = row.original_name
    return kept


def _guard(ctx: PassContext, job: Job, call: Callable[[], Checked]) -> Checked | None:
    """The per-file firewall: whatever a file makes the checker do, it ends with a result —
    its own, or a rejection whose receipt says it could not be checked (traceback in the log)."""
    try:
        outcome = call()
    except OutputError:  # the disk is full or the state folder unwritable: not the file's fault
        raise
    except Exception as exc:  # the per-file failure boundary
        log.exception("检查 %s 时程序出错：%s", job.cand.rel, exc)
        return failed_check(
            ctx, job.snap, ctx.state / FEEDBACK_DIR / job.token, job.cand.folder, exc
        )
    crash_point("after-check")
    return outcome


def failed_check(
    ctx: PassContext, snap: Path, out_dir: Path, folder: str, exc: BaseException
) -> Checked | None:
    """A rejection with a receipt for a file the checker failed on (None if even that fails)."""
    from workflow.check.checker import unchecked_result
    from workflow.check.feedback import write_feedback

    unit = match_unit(ctx.s, folder) if folder else None
    result = unchecked_result(snap, unit.name if unit else "", ctx.s.format, exc)
    shutil.rmtree(out_dir, ignore_errors=True)
    try:
        written = write_feedback(result, snap, out_dir, now=ctx.now)
        files = {}
        for kind, path in written.items():
            fsync_file(path)
            files[kind] = Path(path).relative_to(out_dir).as_posix()
    except Exception as again:  # not even a receipt: the file stays in the inbox
        log.exception("无法为 %s 写出回执：%s", snap.name, again)
        return None
    return result, files


def check_archived(ctx: PassContext, row: FileRow, token: str) -> Checked | None:
    """Check the archived copy of ``row`` again as it was first checked (its original name, the
    time it arrived, its inbox folder) and write its feedback into ``state/feedback/<token>``."""
    from workflow.check.checker import load_previous

    stored = ctx.s.path(Path(row.archive_path))
    if not stored.is_file():
        log.warning("存档文件缺失：%s", stored)
        return None
    work = ctx.state / "work" / uuid.uuid4().hex[:12] / row.original_name
    work.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(stored, work)
    try:
        when = datetime.fromisoformat(row.arrived)
    except ValueError:
        when = ctx.now
    folder = row.inbox_path.split("/")[0] if "/" in row.inbox_path else ""
    out = ctx.state / FEEDBACK_DIR / token
    shutil.rmtree(out, ignore_errors=True)
    try:
        return _worker_check(work, out, ctx.s, when, load_previous(ctx.s), folder)
    except WorkflowError:
        raise
    except Exception as exc:  # the per-file failure boundary
        log.exception("重新校验 %s 时程序出错：%s", row.original_name, exc)
        return failed_check(ctx, work, out, folder, exc)
