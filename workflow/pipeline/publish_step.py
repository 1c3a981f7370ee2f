"""Publication, the last step of a pass: when anything changed since the last publication, or the
outbox lost files, stage the feedback (new, and any published earlier that is missing from the
outbox) and ``write_outputs`` into ``outbox/.staging-<run>``, then publish atomically, manifest
last (``workflow.store.durable``). Each manifest is also kept in ``state/runs`` and put back into
``outbox/runs`` when missing, so the history survives."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workflow.crash import crash_point
from workflow.pipeline.context import STATE_RUNS, PassContext
from workflow.pipeline.feedback_state import obsolete_feedback
from workflow.pipeline.recheck import remake_feedback
from workflow.pipeline.report_reuse import ReportReuse, report_code
from workflow.pipeline.status import build_records, orphan_notice, outbox_prefix, unit_states
from workflow.store.durable import (
    manifest_files,
    publish,
    read_manifests,
    staging_dir,
    walk_files,
)
from workflow.store.folders import output_errors
from workflow.store.ledger import FileRow


def publish_if_needed(ctx: PassContext) -> None:
    rows = ctx.ledger.files(light=True)
    current = ctx.ledger.current()
    states = unit_states(ctx.s, rows, current)
    ctx.summary.units_accepted = sum(s.status == "accepted" for s in states)
    ctx.summary.units_rejected = sum(s.status == "rejected" for s in states)
    ctx.summary.orphans = orphan_notice(ctx.s, current)
    config = ctx.config_hash()
    latest = next(iter(read_manifests(ctx.outbox, limit=1)), None)
    outbox_lost = _outputs_lost(ctx, latest)
    obsolete = obsolete_feedback(rows)
    lost = _lost_feedback(ctx, rows, obsolete)
    waiting_changed = (_waiting(ctx), _left(ctx)) != _published_waiting(latest)
    reuse = ReportReuse.load(ctx.outbox, ctx.state)
    pending, touched = len((latest or {}).get("pdf_pending") or []), reuse.touched()
    if pending:
        ctx.summary.notes.append(f"上次处理在 {pending} 份 PDF 放入发件箱前中断，本次补齐。")
    if touched:
        ctx.summary.notes.append(f"发件箱中有 {touched} 份单位报告被删除或改动，本次重新生成。")
    if (
        not pending
        and not touched
        and not outbox_lost
        and not lost
        and not waiting_changed
        and not ctx.ledger.needs_publish(config)
    ):
        return
    with output_errors(f"无法写入发件箱 {ctx.outbox}", "[paths] outbox", ctx.s):
        _restore_manifests(ctx)
        _publish(ctx, rows, lost, current, config, read_manifests(ctx.outbox), obsolete, reuse)


def _waiting(ctx: PassContext) -> list[str]:
    """Files in the inbox still being copied or open in Excel/WPS (shown on the dashboard)."""
    return sorted(set(ctx.summary.waiting))


def _left(ctx: PassContext) -> list[dict[str, str]]:
    """Files in the inbox the pass does not take, with the reason (shown on the dashboard)."""
    return [{"path": path, "reason": why} for path, why in ctx.summary.left]


def _published_waiting(
    latest: dict[str, Any] | None,
) -> tuple[list[str], list[dict[str, str]]]:
    if not latest:
        return [], []
    return list(latest.get("waiting", [])), list(latest.get("left", []))


def _outputs_lost(ctx: PassContext, latest: dict[str, Any] | None) -> bool:
    """No manifest, or a file the latest one lists is gone (deleted by hand)."""
    if not latest:
        return True
    return any(not (ctx.outbox / rel).is_file() for rel in manifest_files(latest, ctx.prefix))


def _lost_feedback(ctx: PassContext, rows: list[FileRow], obsolete: set[str]) -> list[FileRow]:
    """Published rows with a feedback file no longer in the outbox that can be put back (not
    those a later file of the same name made obsolete)."""
    lost = []
    for row in rows:
        info = row.feedback_paths
        names = [
            n for n in info.get("files", {}).values() if f"{info['folder']}/{n}" not in obsolete
        ]
        if not row.published or not names:
            continue
        if all((ctx.outbox / info["folder"] / n).is_file() for n in names):
            continue
        if all(ctx.feedback_source(row, n).is_file() for n in names) or remake_feedback(ctx, row):
            lost.append(row)
    return lost


def _restore_manifests(ctx: PassContext) -> None:
    """Put back into ``outbox/runs`` the published manifests someone deleted from it."""
    kept = ctx.state / STATE_RUNS
    if not kept.is_dir():
        return
    for path in kept.glob("*.json"):
        target = ctx.outbox / "runs" / path.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _publish(
    ctx: PassContext,
    rows: list[FileRow],
    lost: list[FileRow],
    current: dict[str, int],
    config: str,
    manifests: list[dict[str, Any]],
    obsolete: set[str],
    reuse: ReportReuse,
) -> None:
    # the checked values of every file (``result``) are read for the records only: at 5,000 units
    # they are tens of megabytes that need not stay in memory while the outputs are written
    records = build_records(ctx.s, ctx.ledger.files(), current, outbox_prefix=outbox_prefix(ctx.s))
    staging = staging_dir(ctx.outbox, ctx.run_id)
    staging.mkdir(parents=True, exist_ok=True)
    _stage_feedback(ctx, rows, lost, staging, obsolete)
    manifest: dict[str, Any] = {
        "run_id": ctx.run_id,
        "started": ctx.stamp,
        "finished": "",
        "inputs": [
            {"name": r.inbox_path, "sha256": r.sha256, "status": r.status, "unit": r.unit}
            for r in rows
            if not r.published
        ],
        "outputs": [],
        "changes": ctx.ledger.unpublished_changes(),
        "waiting": _waiting(ctx),
        "left": _left(ctx),
    }
    from workflow.pipeline.outputs import write_outputs, write_pdf_rest

    listed = manifest_files(manifests[0], ctx.prefix) if manifests else set()
    reuse.prepare(listed, report_code(ctx.s, ctx.fonts))
    made = write_outputs(
        ctx.s, records, staging, now=ctx.now, runs=[manifest, *manifests], reuse=reuse
    )
    crash_point("after-outputs")
    manifest["pdf_pending"] = made.pdf_pending
    _publish_staged(
        ctx,
        manifest,
        config,
        previous=manifests[0] if manifests else None,
        keep=lambda rel: ("/反馈/" in rel and rel not in obsolete) or rel in made.kept,
    )
    crash_point("after-publish")
    ctx.summary.published = True
    if not made.pdf_pending:
        made.published()
        return
    # the PDFs not ready yet follow in a second publication of the same run: receipts, reports
    # and the dashboard above did not wait for them
    staging.mkdir(parents=True, exist_ok=True)
    write_pdf_rest(ctx.s, made, staging, published=ctx.outbox, now=ctx.now)
    crash_point("after-pdf-outputs")
    manifest["pdf_pending"] = []
    _publish_staged(
        ctx, manifest, config, previous=dict(manifest), keep=lambda rel: True, crash="pdf-"
    )
    made.published()
    crash_point("after-pdf-publish")


def _publish_staged(
    ctx: PassContext,
    manifest: dict[str, Any],
    config: str,
    *,
    previous: dict[str, Any] | None,
    keep: Callable[[str], bool],
    crash: str = "",
) -> None:
    """Move the staging folder into the outbox, manifest last, and record it in the ledger
    (``crash``: the prefix of its crash points)."""
    staging = staging_dir(ctx.outbox, ctx.run_id)
    finished = ctx.clock() if ctx.clock else ctx.now
    manifest["finished"] = finished.isoformat(timespec="seconds")
    owned = ctx.owned_outputs()
    ctx.ledger.begin_publish(ctx.run_id, config, sorted(owned | set(walk_files(staging))))
    publish(
        staging,
        ctx.outbox,
        manifest,
        prefix=ctx.prefix,
        previous=previous,
        keep=keep,
        owned=owned,
        crash=lambda point: crash_point(crash + point),
    )
    ctx.keep_manifest(manifest)
    ctx.ledger.mark_published(ctx.run_id, config)


def _stage_feedback(
    ctx: PassContext, rows: list[FileRow], lost: list[FileRow], staging: Path, obsolete: set[str]
) -> None:
    """Copy into staging the feedback not yet published, and the published feedback lost from
    the outbox (counted as restored)."""
    lost_ids = {r.id for r in lost}
    for row in rows:  # arrival order: a later file's feedback of the same name wins
        if row.published and row.id not in lost_ids:
            continue
        info = row.feedback_paths
        for name in info.get("files", {}).values():
            if f"{info['folder']}/{name}" in obsolete:
                continue
            src = ctx.feedback_source(row, name)
            if src.exists():
                dst = staging / info["folder"] / name
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
                ctx.summary.restored += row.published
