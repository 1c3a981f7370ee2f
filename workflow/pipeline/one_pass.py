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
   ``state/runs`` and put back into ``outbox/runs`` when missing, so the history survives. Unit
   reports whose content did not change since the latest publication stay in the outbox as they
   are (``report_reuse``); PDFs not typeset yet follow in a second publication of the same run
   (the manifest lists them in ``pdf_pending`` until then), so receipts and the dashboard never
   wait for them.

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

The steps live in ``recovery``, ``recheck``, ``intake`` (with ``checking``) and ``publication``;
what they share in ``pass_context``.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime

from workflow.crash import crash_point
from workflow.domain.settings import Settings
from workflow.errors import OutputError
from workflow.pipeline.context import PassContext, Progress
from workflow.pipeline.intake import intake
from workflow.pipeline.outcome import PassSummary
from workflow.pipeline.publish_step import publish_if_needed
from workflow.pipeline.rebuild import move_aside, rebuild_if_lost
from workflow.pipeline.recheck import recheck_after_roster_change
from workflow.pipeline.recovery import recover
from workflow.store.durable import staging_dir
from workflow.store.folders import check_folders
from workflow.store.ledger import LEDGER_NAME, Ledger, damaged_message
from workflow.store.lock import WorkspaceLock


def run_once(
    settings: Settings,
    *,
    now: datetime,
    sleep: Callable[[float], None] | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] | None = None,
    rebuild: bool = False,
) -> PassSummary:
    """One pass over the inbox (see the module docstring). Raises BusyError if another runs.
    ``rebuild`` (``workflow rebuild-ledger``): move the ledger aside first, so that the pass
    rebuilds it from the archive and the run manifests."""
    with WorkspaceLock(settings.state_dir), storage_errors(settings):
        crash_point("after-lock")
        check_folders(settings)
        if rebuild:
            move_aside(settings.state_dir / LEDGER_NAME, now.strftime("%Y%m%d-%H%M%S"))
        with Ledger.open(settings.state_dir) as ledger:
            one = PassContext(settings, ledger, now, sleep=sleep, progress=progress, clock=clock)
            try:
                rebuild_if_lost(one)
                recover(one)
                recheck_after_roster_change(one)
                intake(one)
                publish_if_needed(one)
            except BaseException:
                _clean_up(one)
                with contextlib.suppress(sqlite3.Error):
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


def _clean_up(one: PassContext) -> None:
    """A pass that fails leaves no temporary files: its staging folder and snapshots go."""
    shutil.rmtree(staging_dir(one.outbox, one.run_id), ignore_errors=True)
    shutil.rmtree(one.state / "work", ignore_errors=True)


@contextlib.contextmanager
def storage_errors(settings: Settings) -> Iterator[None]:
    """A storage failure anywhere in a pass (a full disk, a folder that became read-only, a ledger
    that cannot be written) is the operator's OutputError (exit 4) with advice, not a crash."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        path = settings.state_dir / LEDGER_NAME
        raise OutputError(damaged_message(path, exc)) from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = f"：{exc.filename}" if exc.filename else ""
        raise OutputError(
            f"读写文件失败（{reason}{where}）。请检查磁盘空间是否充足、文件夹是否可写"
            f"（{settings.config_path.name} 的 [paths]），然后重新运行；已处理的文件均已记录，"
            "下次处理时继续。"
        ) from exc


__all__ = ["PassSummary", "run_once"]
