"""A unit's feedback folder shows the current state of each file it sent.

* Files of one unit taken in the same pass count in arrival order (modification time, then name):
  the older one is superseded at once, and its receipt says so (``note_replaced_in_pass``).
* A file sent again under the same name has the same receipt name, so its new receipt replaces the
  old one; an annotated copy (校验结果) of the earlier version that the new one does not have (it
  passed without findings) is obsolete and removed from the outbox (``obsolete_feedback``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from workflow.pipeline.context import PassContext
from workflow.store.durable import atomic_write_bytes
from workflow.store.ledger import FileRow

_RECEIPT = re.compile(r"^回执_(?P<stem>.+)\.txt$")


def _key(row: FileRow) -> tuple[str, str] | None:
    """(feedback sub-folder, stem) of a row's receipt; duplicates have receipts of their own."""
    receipt = row.feedback_paths.get("files", {}).get("receipt", "")
    path = PurePosixPath(receipt)
    match = _RECEIPT.match(path.name)
    if row.status == "duplicate" or not match:
        return None
    return str(path.parent), match["stem"]


def obsolete_feedback(rows: Iterable[FileRow]) -> set[str]:
    """Outbox paths (relative to the outbox) of feedback that a later file of the same name, in
    the same unit folder, no longer has: they would show a state that is no longer current."""
    latest: dict[tuple[str, str], FileRow] = {}
    earlier: list[tuple[tuple[str, str], FileRow]] = []
    for row in sorted(rows, key=lambda r: r.id):
        key = _key(row)
        if key is None:
            continue
        if key in latest:
            earlier.append((key, latest[key]))
        latest[key] = row
    out: set[str] = set()
    for key, row in earlier:
        newest = latest[key]
        keep = set(newest.feedback_paths.get("files", {}).values())
        info = row.feedback_paths
        for name in info.get("files", {}).values():
            if name not in keep:
                out.add(f"{info['folder']}/{name}")
    return out


def note_replaced_in_pass(ctx: PassContext, old: FileRow, newer_name: str) -> None:
    """``old`` arrived in this pass and was superseded in it by ``newer_name`` (sent later): say
    so in its receipt (the durable copy, published with this pass)."""
    if old.run_id != ctx.run_id or old.published:
        return
    receipt = old.feedback_paths.get("files", {}).get("receipt")
    if not receipt:
        return
    path = ctx.feedback_source(old, receipt)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return
    note = (
        "\r\n【同批次替代】\r\n\r\n"
        f"本单位在同一批次中还报送了较新的文件「{newer_name}」（修改时间晚于本文件）。"
        "按报送先后，汇总以较新的文件为准，本文件已被替代，不计入汇总。\r\n"
    )
    atomic_write_bytes(path, (text.rstrip("\r\n") + "\r\n" + note).encode("utf-8-sig"))
