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

The steps live in ``recovery``, ``recheck``, ``intake`` (with ``checking``) and ``publication``;
what they share in ``pass_context``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime

from workflow.crash import crash_point
from workflow.domain.settings import Settings
from workflow.pipeline.context import PassContext, Progress
from workflow.pipeline.intake import intake
from workflow.pipeline.outcome import PassSummary
from workflow.pipeline.publish_step import publish_if_needed
from workflow.pipeline.recheck import recheck_after_roster_change
from workflow.pipeline.recovery import recover
from workflow.store.folders import check_folders
from workflow.store.ledger import Ledger
from workflow.store.lock import WorkspaceLock


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
            one = PassContext(settings, ledger, now, sleep=sleep, progress=progress, clock=clock)
            try:
                recover(one)
                recheck_after_roster_change(one)
                intake(one)
                publish_if_needed(one)
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


__all__ = ["PassSummary", "run_once"]
