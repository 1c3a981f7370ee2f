"""One pass over the inbox: ``workflow --once``, each tick of ``workflow run``, and ``workflow demo``.

A pass, under the workspace lock:

1. recover: finish what a pass that died left half-done (ledger rows whose original is still in the
   inbox or whose archive copy was not yet recorded; staging folders with no manifest);
2. scan the inbox and let files settle (``inbox.settle``);
3. snapshot each ready file into ``state/work`` and hash it; the same bytes seen before are a
   duplicate (receipt: 与已报送文件相同), a file the ledger has as ``checked`` is resumed;
4. check the snapshot (``check.check_file``; a process pool for many files; a file in a unit's
   sub-folder that names another roster unit gets the error ``unit-folder-mismatch``) and write its
   feedback into ``state/feedback/<token>/`` — the durable copy of every receipt and annotated
   return, kept for good;
5. record the outcome in the ledger in one transaction (status, current submission of the unit,
   superseded file, field-level changes) — only then copy it into the archive, verify its hash and
   remove the original from the inbox;
6. if anything changed since the last publication, or the outbox lost files (someone deleted
   ``outbox/`` or a feedback folder): build the records, stage feedback (new, and any published
   earlier that is missing from the outbox, from its durable copy) and ``write_outputs`` into
   ``outbox/.staging-<run>``, and publish atomically, manifest last. Each manifest is also kept in
   ``state/runs`` and put back into ``outbox/runs`` when missing, so the history survives.

Before intake, when the configuration (the roster) changed since files were last checked, files
rejected with ``unit-unknown`` whose unit the roster now knows (added, or given as an alias) are
checked again from their archived copy; their ledger row, status and feedback are updated.

Feedback of a row whose durable copy is missing (ledgers from before it was kept) is made again from
the archived original with the check time recorded; it is used only if the outcome is the same as
recorded (status and findings).

Stored unit names are resolved through the roster (names and aliases) on every pass, so a unit
renamed in the roster with its old name kept as an alias keeps its data; a current submission that
matches no roster unit is reported (``PassSummary.orphans``, ``workflow status``).

Every step is idempotent, so after a crash at any point the next pass completes or redoes the work.
``WORKFLOW_CRASH_AT=<point>`` (TEST ONLY) makes the process ``os._exit(137)`` at that point, exactly
like ``kill -9``; see ``CRASH_POINTS``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from workflow import archive
from workflow.config import Settings
from workflow.errors import OutputError
from workflow.findings import Finding, Severity, sort_findings
from workflow.inbox import Candidate, list_candidates, restat, safe_name, settle, snapshot
from workflow.ledger import FileRow, Ledger, encode_result
from workflow.lock import WorkspaceLock
from workflow.publish import (
    fsync_dir,
    fsync_file,
    manifest_files,
    manifest_paths,
    prune,
    publish,
    read_manifests,
    remove_stale_staging,
    run_seq,
    staging_dir,
    write_json,
)
from workflow.status import (
    build_records,
    orphan_notice,
    outbox_prefix,
    resolve_current,
    unit_states,
)

log = logging.getLogger("workflow")

CRASH_ENV = "WORKFLOW_CRASH_AT"
CRASH_POINTS = (
    "after-lock", "after-scan", "after-snapshot", "after-check", "after-feedback", "after-ledger",
    "after-archive", "after-remove", "after-supersede", "after-outputs", "mid-publish",
    "before-manifest", "after-manifest", "after-publish",
)  # fmt: skip
FEEDBACK_DIR = "feedback"  # state/feedback/<token>/<unit>/回执_… : durable copies of all feedback
LEGACY_OUTGOING = "outgoing"  # where earlier versions kept feedback until it was published
STATE_RUNS = "runs"  # state/runs/<run id>.json : copies of the published manifests
FOLDER_MISMATCH = "unit-folder-mismatch"
POOL_MIN_FILES = 8  # fewer files are checked in-process (a pool costs ~0.3 s to start)
MAX_CHANGES_SHOWN = 12
Progress = Callable[[int, int], None]


def crash_point(name: str) -> None:
    """TEST ONLY: die like ``kill -9`` here when ``WORKFLOW_CRASH_AT`` names this point."""
    if os.environ.get(CRASH_ENV) == name:
        os._exit(137)


@dataclass
class FileOutcome:
    name: str  # path in the inbox
    status: str  # accepted | rejected | duplicate | failed
    unit: str = ""
    errors: int = 0
    warnings: int = 0


@dataclass
class PassSummary:
    run_id: str
    outbox: Path
    files: list[FileOutcome] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    units_total: int = 0
    units_accepted: int = 0
    units_rejected: int = 0
    published: bool = False
    recovered: int = 0
    rechecked: list[str] = field(default_factory=list)  # files checked again after a roster change
    restored: int = 0  # feedback files put back into the outbox
    orphans: str = ""  # status.orphan_notice

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)

    def describe(self) -> str:
        """The pass in one paragraph of Chinese, for the operator."""
        parts = [f"通过 {self.count('accepted')}", f"退回 {self.count('rejected')}"]
        if self.count("duplicate"):
            parts.append(f"重复 {self.count('duplicate')}")
        if self.count("failed"):
            parts.append(f"处理出错 {self.count('failed')}（已留在收件箱）")
        if self.waiting:
            parts.append(f"等待 {len(self.waiting)}")
        head = (
            f"本次处理 {len(self.files)} 个文件：{'，'.join(parts)}。"
            if self.files
            else "收件箱中没有新文件。"
        )
        if not self.files and self.waiting:
            head = f"收件箱中没有可处理的新文件（{len(self.waiting)} 个文件正在复制或已被打开，稍后处理）。"
        reported = self.units_accepted + self.units_rejected
        lines = [
            head + f"已报 {reported}/{self.units_total} 个单位（已通过 {self.units_accepted}，"
            f"未通过 {self.units_rejected}）。"
        ]
        if self.rechecked:
            lines.append(
                f"单位名单已变更，重新校验了 {len(self.rechecked)} 个此前因单位不在名单中被退回、"
                "现已在名单中的文件：" + "、".join(self.rechecked)
            )
        if self.restored:
            lines.append(f"发件箱中缺失的 {self.restored} 个反馈文件已重新放回。")
        if self.orphans:
            lines.append(self.orphans)
        shown = self.changes[:MAX_CHANGES_SHOWN]
        lines += [f"  {c['unit']}：{c['label']} {c['old']} → {c['new']}" for c in shown]
        if len(self.changes) > len(shown):
            lines.append(
                f"  ……另有 {len(self.changes) - len(shown)} 项变化，见工作台页面的处理记录。"
            )
        where = f"输出目录：{self.outbox}" if self.published else f"输出无变化：{self.outbox}"
        lines.append(where)
        return "\n".join(lines)


def folder_mismatch(result: Any, folder: str, settings: Settings) -> Finding | None:
    """The error for a file in a unit's sub-folder (``inbox/<name or alias>/``) whose 单位名称 names
    another roster unit: taking it would silently replace that other unit's data."""
    by_folder = settings.find_unit(folder) if folder else None
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


def _with_folder_check(result: Any, folder: str, settings: Settings) -> Any:
    """The result with ``unit-folder-mismatch`` added (rejected, attributed to the folder's unit,
    so the receipt goes back to whoever dropped it there)."""
    finding = folder_mismatch(result, folder, settings)
    if finding is None:
        return result
    from dataclasses import replace

    by_folder = settings.find_unit(folder)
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
) -> tuple[Any, dict[str, str]]:
    """Check one snapshot and write its feedback into ``out_dir`` (runs in a pool worker)."""
    from workflow.check import check_file
    from workflow.feedback import write_feedback

    result = _with_folder_check(
        check_file(snap, settings, now=now, previous=previous), folder, settings
    )
    written = write_feedback(result, snap, out_dir, now=now)
    files = {}
    for kind, path in written.items():
        fsync_file(path)
        files[kind] = Path(path).relative_to(out_dir).as_posix()
    return result, files


def _ignore_sigint() -> None:
    """Pool workers ignore Ctrl+C (sent to the whole console process group): the first one lets
    the pass finish, the parent alone decides (see ``scheduler``)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass
class _Job:
    cand: Candidate
    snap: Path
    sha256: str
    token: str
    resume: FileRow | None = None


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list | tuple) else int(value or 0)


class _Pass:
    def __init__(self, settings: Settings, ledger: Ledger, now: datetime, **opts: Any) -> None:
        self.s, self.ledger, self.now = settings, ledger, now
        self.stamp = now.isoformat(timespec="seconds")
        self.sleep: Callable[[float], None] = opts.get("sleep") or time.sleep
        self.progress: Progress | None = opts.get("progress")
        self.clock: Callable[[], datetime] | None = opts.get("clock")
        self.state = settings.state_dir
        self.outbox = settings.outbox_dir
        self.prefix = outbox_prefix(settings) + "/"
        seq = max([run_seq(p.stem) for p in manifest_paths(self.outbox)[:1]] + [0])
        self.run_id = ledger.start_run(self.stamp, now.strftime("%Y%m%d-%H%M%S"), seq)
        self.summary = PassSummary(self.run_id, self.outbox, units_total=len(settings.units))

    # -- recovery -----------------------------------------------------------------------------
    def recover(self) -> None:
        remove_stale_staging(self.outbox)
        shutil.rmtree(self.state / "work", ignore_errors=True)
        self._roll_forward()
        self._drop_unrecorded_feedback()
        for row in self.ledger.unfinished():
            original = self.s.inbox_dir / row.inbox_path
            stored = self.s.path(Path(row.archive_path))
            if not original.exists() and stored.exists():
                self.ledger.update_file(row.id, state="archived")
                self.summary.recovered += 1
        for row in self.ledger.files(light=True):
            stored = self.s.path(Path(row.archive_path))
            if row.state == "archived" and not stored.exists():
                self._refile_missing(row, stored)

    def _roll_forward(self) -> None:
        """A pass died after writing its manifest (the commit) but before recording it."""
        pending = self.ledger.publishing()
        if pending is None:
            return
        run_id, config = pending
        manifest = next(
            (m for m in read_manifests(self.outbox, limit=5) if m["run_id"] == run_id), None
        )
        if manifest is None:  # died before the commit: this pass publishes again
            self.ledger.mark_unpublishing()
            return
        prune(self.outbox, manifest_files(manifest, self.prefix))
        self.ledger.mark_published(run_id, config)
        self._keep_manifest(manifest)
        self.summary.recovered += 1

    def _drop_unrecorded_feedback(self) -> None:
        """Feedback written by a pass that died before recording its file in the ledger."""
        root = self.state / FEEDBACK_DIR
        if not root.is_dir():
            return
        known = {r.feedback_paths.get("dir") for r in self.ledger.files(light=True)}
        for path in root.iterdir():
            if path.is_dir() and path.name not in known:
                shutil.rmtree(path, ignore_errors=True)

    def _refile_missing(self, row: FileRow, stored: Path) -> None:
        """A superseded file whose move in the archive was interrupted: finish the move."""
        for folder in set(archive.FOLDERS.values()):
            old = stored.parent.parent / folder / stored.name
            if old.exists() and old != stored:
                stored.parent.mkdir(parents=True, exist_ok=True)
                os.replace(old, stored)
                fsync_dir(stored.parent)
                self.summary.recovered += 1
                return
        log.warning("存档文件缺失：%s", stored)

    # -- intake -------------------------------------------------------------------------------
    def intake(self) -> None:
        seen = self.ledger.sightings()
        scan = settle(
            list_candidates(self.s.inbox_dir),
            seen,
            now=self.now,
            settle_seconds=self.s.settle_seconds,
            sleep=self.sleep,
        )
        if {s.path: s for s in scan.sightings} != seen:
            self.ledger.save_sightings(scan.sightings)
        self.summary.waiting = [c.rel for c in scan.waiting]
        self._arrived = {s.path: s.since for s in seen.values()}
        crash_point("after-scan")
        jobs, dups = self._snapshots(scan.ready)
        crash_point("after-snapshot")
        total, done = len(jobs) + len(dups), 0
        for job in [j for j in jobs if j.resume]:
            self._finish_intake(job, job.resume)
            done += 1
            self._tick(done, total)
        for job, outcome in self._checked([j for j in jobs if not j.resume]):
            if outcome is not None:
                self._record(job, *outcome)
            done += 1
            self._tick(done, total)
        for job in dups:
            self._duplicate(job)
            done += 1
            self._tick(done, total)

    def _tick(self, done: int, total: int) -> None:
        if self.progress:
            self.progress(done, total)

    def _snapshots(self, ready: list[Candidate]) -> tuple[list[_Job], list[_Job]]:
        jobs: list[_Job] = []
        dups: list[_Job] = []
        in_pass: set[str] = set()
        for cand in ready:
            token = uuid.uuid4().hex[:12]
            try:
                snap, sha = snapshot(cand, self.state / "work" / token)
            except OSError as exc:
                log.warning("无法读取 %s：%s，下次再试。", cand.rel, exc)
                continue
            if restat(cand) != cand:  # changed while we copied: take it next pass
                self.summary.waiting.append(cand.rel)
                continue
            job = _Job(cand, snap, sha, token)
            known = self.ledger.by_sha(sha)
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

    def _checked(self, jobs: list[_Job]) -> Iterator[tuple[_Job, Any]]:
        """Yield (job, (result, feedback files) | None) in job order; a crash of the checker on one
        file leaves that file in the inbox and is logged, the others go on."""
        from workflow.check import load_previous

        prev = load_previous(self.s) if jobs else None
        args = [
            (j.snap, self.state / FEEDBACK_DIR / j.token, self.s, self.now, prev, j.cand.folder)
            for j in jobs
        ]
        workers = min(os.cpu_count() or 1, 4)
        if len(jobs) < POOL_MIN_FILES or workers < 2:
            for job, a in zip(jobs, args, strict=True):
                yield job, self._guard(job, partial(_worker_check, *a))
            return
        with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_sigint) as pool:
            futures: list[Future[Any]] = [pool.submit(_worker_check, *a) for a in args]
            for job, fut in zip(jobs, futures, strict=True):
                yield job, self._guard(job, fut.result)

    def _guard(self, job: _Job, call: Callable[[], Any]) -> Any:
        try:
            outcome = call()
        except Exception as exc:  # the per-file failure boundary
            log.exception("检查 %s 时程序出错：%s", job.cand.rel, exc)
            self.summary.files.append(FileOutcome(job.cand.rel, "failed"))
            return None
        crash_point("after-check")
        return outcome

    @property
    def feedback_root(self) -> str:
        return f"{self.s.year}/反馈"

    def _record(self, job: _Job, result: Any, files: dict[str, str]) -> None:
        crash_point("after-feedback")
        found = self.s.find_unit(result.unit) if result.unit else None
        unit = found.name if found else (result.unit or "")
        year = result.year or self.s.year
        status = "accepted" if result.status == "accepted" else "rejected"
        target = archive.archive_target(self.s.archive_dir, year, status, job.sha256, job.cand.name)
        is_current = status == "accepted" and found is not None and year == self.s.year
        old, stale_keys = self._current_row(unit) if is_current else (None, [])
        changes = self._changes(unit, old, result.values) if old else []
        supersede = None
        if old:
            folder = self.s.archive_dir / str(old.year or year) / archive.FOLDERS["superseded"]
            supersede = (old.id, self._rel(folder / Path(old.archive_path).name))
        row = self._row(job, unit, year, status, target)
        row.update(
            format=result.format or "",
            errors=_count(result.errors),
            warnings=_count(result.warnings),
            feedback=json.dumps(
                {"dir": job.token, "folder": self.feedback_root, "files": files},
                ensure_ascii=False,
            ),
            result=encode_result(
                dict(result.values), dict(result.texts), list(result.findings),
                replaced=old.id if old else None,
            ),
        )  # fmt: skip
        file_id = self.ledger.add_file(
            row,
            current_unit=unit if is_current else "",
            drop_current=stale_keys,
            supersede=supersede,
            changes=changes,
        )
        crash_point("after-ledger")
        self.summary.changes += changes
        self.summary.files.append(
            FileOutcome(job.cand.rel, status, unit, row["errors"], row["warnings"])
        )
        self._finish_intake(job, self.ledger.file(file_id))
        if old and supersede:
            archive.refile(
                self.s.path(Path(old.archive_path)),
                self.s.archive_dir,
                old.year or year,
                "superseded",
                old.sha256,
            )
            crash_point("after-supersede")

    def _row(self, job: _Job, unit: str, year: int, status: str, target: Path) -> dict[str, Any]:
        return {
            "sha256": job.sha256,
            "original_name": job.cand.name,
            "inbox_path": job.cand.rel,
            "size": job.cand.size,
            "mtime_ns": job.cand.mtime_ns,
            "arrived": self._arrived.get(job.cand.rel, self.stamp),
            "processed": self.stamp,
            "unit": unit,
            "year": year,
            "status": status,
            "state": "checked",
            "archive_path": self._rel(target),
            "run_id": self.run_id,
        }

    def _rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.s.workspace.resolve()).as_posix()
        except ValueError:
            return path.resolve().as_posix()

    def _current_row(self, unit: str) -> tuple[FileRow | None, list[str]]:
        """The unit's current submission, found through the roster (a ledger key may be a name the
        unit had before it was renamed), and the ledger keys it is stored under."""
        resolved = resolve_current(self.s, self.ledger.current())
        file_id = resolved.by_unit.get(unit)
        return (self.ledger.file(file_id) if file_id else None), resolved.keys.get(unit, [])

    def _changes(self, unit: str, old: FileRow, new: Mapping[str, Any]) -> list[dict[str, Any]]:
        from workflow.ledger import decode_values
        from workflow.spec import load_format

        spec = load_format(self.s.format)
        before = decode_values(old.result_data)
        out = []
        for fid, value in new.items():
            computed = fid in spec.fields and spec.fields[fid].computed
            if fid in before and before[fid] != value and not computed:
                label = spec.fields[fid].label if fid in spec.fields else fid
                out.append(
                    {
                        "unit": unit,
                        "field": fid,
                        "label": label,
                        "old": str(before[fid]),
                        "new": str(value),
                    }
                )
        return out

    def _finish_intake(self, job: _Job, row: FileRow | None) -> None:
        """Archive (verified copy), then remove the original, then record that it is done."""
        assert row is not None
        target = self.s.path(Path(row.archive_path))
        with _output_errors(f"无法写入存档 {target.parent}", "[paths] archive", self.s):
            stored = archive.store(job.snap, target, job.sha256)
        if self._rel(stored) != row.archive_path:
            self.ledger.update_file(row.id, archive_path=self._rel(stored))
        crash_point("after-archive")
        current = restat(job.cand)
        if current is not None and current == job.cand:
            try:
                job.cand.path.unlink()
            except OSError as exc:  # e.g. held open on Windows: retried next pass
                log.warning("无法从收件箱移走 %s：%s，下次再试。", job.cand.rel, exc)
                return
        crash_point("after-remove")
        self.ledger.update_file(row.id, state="archived")
        if job.resume:
            self.summary.recovered += 1

    def _duplicate(self, job: _Job) -> None:
        first = self.ledger.by_sha(job.sha256)[0]
        receipt = first.feedback_paths.get("files", {}).get("receipt", "")
        sub = Path(receipt).parent.as_posix() if "/" in receipt else safe_name(job.cand.path.stem)
        name = f"{sub}/回执_{safe_name(job.cand.path.stem)}（重复报送）.txt"
        out = self.state / FEEDBACK_DIR / job.token / name
        out.parent.mkdir(parents=True, exist_ok=True)
        when = first.arrived[:16].replace("T", " ")
        status = _STATUS_CN.get(first.status, first.status)
        text = (
            "政府信息公开工作年度报告 报送回执\n" + "=" * 34 + "\n\n"
            f"单位：{first.unit or '（未能识别）'}\n"
            f"文件名：{job.cand.name}\n"
            f"SHA-256：{job.sha256}\n"
            f"接收时间：{self.stamp[:16].replace('T', ' ')}\n"
            f"结论：与已报送文件相同（重复报送），本次不重复计入\n\n"
            "【说明】\n\n"
            f"本文件与 {when} 报送的「{first.original_name}」内容完全相同（处理结果：{status}），"
            "已存档备查，汇总仍以原文件为准。\n\n"
            "【下一步】\n\n"
            "无需再次报送。如需更正数据，请修改报表后重新报送，以最后一次通过校验的文件为准。\n"
        )
        # plain text with CRLF and a BOM, like feedback.write_feedback: Notepad and WPS read it
        out.write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
        fsync_file(out)
        target = archive.archive_target(
            self.s.archive_dir, first.year or self.s.year, "duplicate", job.sha256, job.cand.name
        )
        row = self._row(job, first.unit, first.year or self.s.year, "duplicate", target)
        row.update(
            duplicate_of=first.id,
            feedback=json.dumps(
                {"dir": job.token, "folder": self.feedback_root, "files": {"receipt": name}},
                ensure_ascii=False,
            ),
        )
        file_id = self.ledger.add_file(row)
        self.summary.files.append(FileOutcome(job.cand.rel, "duplicate", first.unit))
        self._finish_intake(job, self.ledger.file(file_id))

    # -- publication ----------------------------------------------------------------------------
    def config_hash(self) -> str:
        from workflow import __version__

        digest = hashlib.sha256(str(__version__).encode())
        with contextlib.suppress(OSError):
            digest.update((self.s.workspace / self.s.config_path.name).read_bytes())
        return digest.hexdigest()

    def _feedback_source(self, row: FileRow, name: str) -> Path:
        info = row.feedback_paths
        durable = self.state / FEEDBACK_DIR / info["dir"] / name
        legacy = self.state / LEGACY_OUTGOING / info["dir"] / name
        return legacy if not durable.exists() and legacy.exists() else durable

    def _lost_feedback(self, rows: list[FileRow]) -> list[FileRow]:
        """Published rows with a feedback file no longer in the outbox that can be put back."""
        lost = []
        for row in rows:
            info = row.feedback_paths
            names = list(info.get("files", {}).values())
            if not row.published or not names:
                continue
            if all((self.outbox / info["folder"] / n).is_file() for n in names):
                continue
            if all(self._feedback_source(row, n).is_file() for n in names) or self._remake(row):
                lost.append(row)
        return lost

    def _remake(self, row: FileRow) -> bool:
        """Make a row's feedback again from its archived original (no durable copy: ledgers from
        before it was kept). Used only if the outcome is the same as recorded: status, values and
        findings (rule, severity, cells; messages may have been reworded since). The file names
        may differ (an older version wrote .md receipts): the ledger then points to the new ones."""
        failed = set(json.loads(self.ledger.meta("unremakable", "[]")))
        if row.status == "duplicate" or row.state != "archived" or row.id in failed:
            return False
        full = self.ledger.file(row.id)
        assert full is not None
        info = full.feedback_paths
        checked = self._check_archived(full, info["dir"])
        same = False
        if checked is not None:
            result, files = checked
            data = full.result_data
            same = (
                result.status == ("rejected" if full.status == "rejected" else "accepted")
                and {k: str(v) for k, v in result.values.items()}
                == {k: str(v) for k, v in data.get("values", {}).items()}
                and [(f.rule, str(f.severity), list(f.cells)) for f in result.findings]
                == [(f["rule"], f["severity"], f["cells"]) for f in data.get("findings", [])]
            )
        if not same:
            log.warning(
                "无法重新生成 %s 的反馈文件：重新校验的结果与台账记录不同（可能程序或配置已更新）。",
                row.original_name,
            )
            shutil.rmtree(self.state / FEEDBACK_DIR / info["dir"], ignore_errors=True)
            self.ledger.set_meta("unremakable", json.dumps(sorted(failed | {row.id})))
            return False
        if files != info.get("files", {}):
            self.ledger.update_file(
                row.id, feedback=json.dumps(info | {"files": files}, ensure_ascii=False)
            )
        return True

    def _check_archived(self, row: FileRow, token: str) -> tuple[Any, dict[str, str]] | None:
        """Check the archived copy of ``row`` again as it was first checked (its original name, the
        time it arrived, its inbox folder) and write its feedback into ``state/feedback/<token>``."""
        from workflow.check import load_previous

        stored = self.s.path(Path(row.archive_path))
        if not stored.is_file():
            log.warning("存档文件缺失：%s", stored)
            return None
        work = self.state / "work" / uuid.uuid4().hex[:12] / row.original_name
        work.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stored, work)
        try:
            when = datetime.fromisoformat(row.arrived)
        except ValueError:
            when = self.now
        folder = row.inbox_path.split("/")[0] if "/" in row.inbox_path else ""
        out = self.state / FEEDBACK_DIR / token
        shutil.rmtree(out, ignore_errors=True)
        try:
            return _worker_check(work, out, self.s, when, load_previous(self.s), folder)
        except Exception as exc:  # the per-file failure boundary
            log.exception("重新校验 %s 时程序出错：%s", row.original_name, exc)
            return None

    # -- roster changes -------------------------------------------------------------------------
    def recheck_after_roster_change(self) -> None:
        """Once the configuration has changed (a hash of workflow.toml, as for publication), check
        again the files rejected as 单位不在名单中 whose unit the roster now knows (a unit added, or
        an alias): their finding is stale. Others keep their outcome."""
        config = self.config_hash()
        if self.ledger.meta("checked_config") == config:
            return
        for light in self.ledger.files(light=True):
            if light.status != "rejected" or light.state != "archived" or not light.unit:
                continue
            if self.s.find_unit(light.unit) is None:
                continue
            row = self.ledger.file(light.id)
            assert row is not None
            if "unit-unknown" in {f.get("rule") for f in row.result_data.get("findings", [])}:
                self._recheck(row)
        self.ledger.set_meta("checked_config", config)

    def _recheck(self, row: FileRow) -> None:
        token = uuid.uuid4().hex[:12]
        checked = self._check_archived(row, token)
        if checked is None:
            return
        result, files = checked
        found = self.s.find_unit(result.unit) if result.unit else None
        unit = found.name if found else (result.unit or "")
        year = result.year or self.s.year
        status = "accepted" if result.status == "accepted" else "rejected"
        current_unit, stale_keys = "", list[str]()
        supersede: tuple[int, str] | None = None
        changes: list[dict[str, Any]] = []
        old: FileRow | None = None
        if status == "accepted" and found is not None and year == self.s.year:
            old, stale_keys = self._current_row(unit)
            if old and old.id > row.id:
                status, stale_keys = "superseded", []  # the unit has sent a newer accepted file
            else:
                current_unit = unit
                if old:
                    folder = self.s.archive_dir / str(old.year or year) / "superseded"
                    supersede = (old.id, self._rel(folder / Path(old.archive_path).name))
                    changes = self._changes(unit, old, result.values)
        stored = self.s.path(Path(row.archive_path))
        target = archive.archive_target(self.s.archive_dir, year, status, row.sha256, "x")
        values = {
            "unit": unit,
            "year": year,
            "format": result.format or "",
            "status": status,
            "errors": _count(result.errors),
            "warnings": _count(result.warnings),
            "archive_path": self._rel(target.parent / stored.name),
            "feedback": json.dumps(
                {"dir": token, "folder": self.feedback_root, "files": files}, ensure_ascii=False
            ),
            "result": encode_result(
                dict(result.values), dict(result.texts), list(result.findings),
                replaced=old.id if supersede and old else None,
            ),
            "run_id": self.run_id,
        }  # fmt: skip
        self.ledger.recheck_file(
            row.id,
            values,
            current_unit=current_unit,
            drop_current=stale_keys,
            supersede=supersede,
            changes=changes,
        )
        old_feedback = self.state / FEEDBACK_DIR / row.feedback_paths.get("dir", "-")
        shutil.rmtree(old_feedback, ignore_errors=True)
        moved = archive.refile(stored, self.s.archive_dir, year, status, row.sha256)
        if self._rel(moved) != values["archive_path"] and moved.exists():
            self.ledger.update_file(row.id, archive_path=self._rel(moved))
        if old and supersede:
            archive.refile(
                self.s.path(Path(old.archive_path)),
                self.s.archive_dir,
                old.year or year,
                "superseded",
                old.sha256,
            )
        self.summary.changes += changes
        self.summary.rechecked.append(row.inbox_path)

    # -- publication ----------------------------------------------------------------------------
    def _keep_manifest(self, manifest: Mapping[str, Any]) -> None:
        write_json(self.state / STATE_RUNS / f"{manifest['run_id']}.json", manifest)

    def _restore_manifests(self) -> None:
        """Put back into ``outbox/runs`` the published manifests someone deleted from it."""
        kept = self.state / STATE_RUNS
        if not kept.is_dir():
            return
        for path in kept.glob("*.json"):
            target = self.outbox / "runs" / path.name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)

    def _outputs_lost(self) -> bool:
        """No manifest, or a file the latest one lists is gone (deleted by hand)."""
        latest = read_manifests(self.outbox, limit=1)
        if not latest:
            return True
        return any(
            not (self.outbox / rel).is_file() for rel in manifest_files(latest[0], self.prefix)
        )

    def publish_if_needed(self) -> None:
        rows = self.ledger.files(light=True)
        current = self.ledger.current()
        states = unit_states(self.s, rows, current)
        self.summary.units_accepted = sum(s.status == "accepted" for s in states)
        self.summary.units_rejected = sum(s.status == "rejected" for s in states)
        self.summary.orphans = orphan_notice(self.s, current)
        config = self.config_hash()
        outbox_lost = self._outputs_lost()
        lost = self._lost_feedback(rows)
        if not outbox_lost and not lost and not self.ledger.needs_publish(config):
            return
        rows = self.ledger.files()
        with _output_errors(f"无法写入发件箱 {self.outbox}", "[paths] outbox", self.s):
            self._restore_manifests()
            self._publish(rows, lost, current, config, read_manifests(self.outbox))

    def _publish(
        self,
        rows: list[FileRow],
        lost: list[FileRow],
        current: dict[str, int],
        config: str,
        manifests: list[dict[str, Any]],
    ) -> None:
        records = build_records(self.s, rows, current, outbox_prefix=outbox_prefix(self.s))
        staging = staging_dir(self.outbox, self.run_id)
        staging.mkdir(parents=True, exist_ok=True)
        lost_ids = {r.id for r in lost}
        unpublished = [r for r in rows if not r.published]
        for row in rows:  # arrival order: a later file's feedback of the same name wins
            if row.published and row.id not in lost_ids:
                continue
            info = row.feedback_paths
            for name in info.get("files", {}).values():
                src = self._feedback_source(row, name)
                if src.exists():
                    dst = staging / info["folder"] / name
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(src, dst)
                    self.summary.restored += row.published
        manifest: dict[str, Any] = {
            "run_id": self.run_id,
            "started": self.stamp,
            "finished": "",
            "inputs": [
                {"name": r.inbox_path, "sha256": r.sha256, "status": r.status, "unit": r.unit}
                for r in unpublished
            ],
            "outputs": [],
            "changes": self.ledger.unpublished_changes(),
        }
        from workflow.outputs import write_outputs

        write_outputs(self.s, records, staging, now=self.now, runs=[manifest, *manifests])
        crash_point("after-outputs")
        finished = self.clock() if self.clock else self.now
        manifest["finished"] = finished.isoformat(timespec="seconds")
        self.ledger.begin_publish(self.run_id, config)
        publish(
            staging,
            self.outbox,
            manifest,
            prefix=self.prefix,
            previous=manifests[0] if manifests else None,
            keep=lambda rel: "/反馈/" in rel,
            crash=crash_point,
        )
        self._keep_manifest(manifest)
        self.ledger.mark_published(self.run_id, config)
        crash_point("after-publish")
        self.summary.published = True


_STATUS_CN = {"accepted": "通过", "rejected": "退回", "duplicate": "重复", "superseded": "已被替代"}


@contextlib.contextmanager
def _output_errors(what: str, key: str, settings: Settings) -> Iterator[None]:
    """An OSError while writing the archive or the outbox is the operator's OutputError (exit 4);
    whatever was taken from the inbox is in the ledger and is finished by the next pass."""
    try:
        yield
    except archive.ArchiveMismatch as exc:
        raise OutputError(f"{what}：{exc}。请检查磁盘后重试；收件箱中的文件仍保留。") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = f"：{exc.filename}" if exc.filename else ""
        raise OutputError(
            f"{what}（{reason}{where}）。请检查磁盘空间和文件夹权限，或在 "
            f"{settings.config_path.name} 的 {key} 中改为可写的文件夹；已处理的文件均已记录，"
            "下次处理时继续。"
        ) from exc


_FOLDER_KEYS = (
    ("outbox_dir", "发件箱（输出目录）", "outbox"),
    ("archive_dir", "存档目录", "archive"),
)


def check_folders(settings: Settings) -> None:
    """The outbox and the archive are folders we can write, or an OutputError says which and how
    to fix it (before anything is taken from the inbox)."""
    for attr, what, key in _FOLDER_KEYS:
        path: Path = getattr(settings, attr)
        fix = f"或在 {settings.config_path.name} 的 [paths] {key} 中指定另一个文件夹"
        if path.exists() and not path.is_dir():
            raise OutputError(
                f"{what} {path} 是一个文件，不是文件夹。请移走或重命名这个文件，{fix}。"
            )
        probe = path / f".workflow-write-test-{os.getpid()}"
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise OutputError(
                f"{what} {path} 无法写入（{reason}）。请检查该文件夹及其上级文件夹是否存在、"
                f"运行本程序的账户是否有写入权限，{fix}。"
            ) from exc


def run_once(
    settings: Settings,
    *,
    now: datetime,
    sleep: Callable[[float], None] | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] | None = None,
) -> PassSummary:
    """One pass over the inbox (see the module docstring). Raises BusyError if another runs."""
    with WorkspaceLock(settings.state_dir):
        crash_point("after-lock")
        check_folders(settings)
        with Ledger.open(settings.state_dir) as ledger:
            one = _Pass(settings, ledger, now, sleep=sleep, progress=progress, clock=clock)
            try:
                one.recover()
                one.recheck_after_roster_change()
                one.intake()
                one.publish_if_needed()
            except BaseException:
                ledger.finish_run(
                    one.run_id,
                    finished=one.stamp,
                    status="failed",
                    processed=len(one.summary.files),
                )
                raise
            shutil.rmtree(settings.state_dir / "work", ignore_errors=True)
            ledger.finish_run(
                one.run_id, finished=one.stamp, status="ok", processed=len(one.summary.files)
            )
            return one.summary


__all__ = ["CRASH_POINTS", "PassSummary", "run_once", "write_json"]
