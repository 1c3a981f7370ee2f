"""Recovery, the first step of a pass: finish what a pass that died left half-done (a manifest
written but not recorded, ledger rows whose original is still in the inbox or whose archive copy
was not yet recorded, an interrupted move in the archive, feedback of files never recorded,
staging folders with no manifest)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from workflow.pipeline.context import FEEDBACK_DIR, PassContext
from workflow.store import archive
from workflow.store.durable import (
    fsync_dir,
    manifest_files,
    prune,
    read_manifests,
    remove_stale_staging,
)

log = logging.getLogger("workflow")


def recover(ctx: PassContext) -> None:
    remove_stale_staging(ctx.outbox)
    shutil.rmtree(ctx.state / "work", ignore_errors=True)
    _roll_forward(ctx)
    _drop_unrecorded_feedback(ctx)
    for row in ctx.ledger.unfinished():
        original = ctx.s.inbox_dir / row.inbox_path
        stored = ctx.s.path(Path(row.archive_path))
        if not original.exists() and stored.exists():
            ctx.ledger.update_file(row.id, state="archived")
            ctx.summary.recovered += 1
    for row in ctx.ledger.files(light=True):
        stored = ctx.s.path(Path(row.archive_path))
        if row.state == "archived" and not stored.exists():
            _refile_missing(ctx, stored)


def _roll_forward(ctx: PassContext) -> None:
    """A pass died after writing its manifest (the commit) but before recording it."""
    pending = ctx.ledger.publishing()
    if pending is None:
        return
    run_id, config = pending
    manifest = next((m for m in read_manifests(ctx.outbox, limit=5) if m["run_id"] == run_id), None)
    if manifest is None:  # died before the commit: this pass publishes again
        ctx.ledger.mark_unpublishing()
        return
    prune(ctx.outbox, manifest_files(manifest, ctx.prefix), ctx.owned_outputs())
    ctx.ledger.mark_published(run_id, config)
    ctx.keep_manifest(manifest)
    ctx.summary.recovered += 1


def _drop_unrecorded_feedback(ctx: PassContext) -> None:
    """Feedback written by a pass that died before recording its file in the ledger."""
    root = ctx.state / FEEDBACK_DIR
    if not root.is_dir():
        return
    known = {r.feedback_paths.get("dir") for r in ctx.ledger.files(light=True)}
    for path in root.iterdir():
        if path.is_dir() and path.name not in known:
            shutil.rmtree(path, ignore_errors=True)


def _refile_missing(ctx: PassContext, stored: Path) -> None:
    """A superseded file whose move in the archive was interrupted: finish the move."""
    for folder in set(archive.FOLDERS.values()):
        old = stored.parent.parent / folder / stored.name
        if old.exists() and old != stored:
            stored.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old, stored)
            fsync_dir(stored.parent)
            ctx.summary.recovered += 1
            return
    log.warning("存档文件缺失：%s", stored)
