"""The archive: every file taken from the inbox, byte-identical, never deleted.

Layout: ``archive/<year>/<accepted|rejected|superseded|duplicate>/<sha256[:12]>_<original name>``.
Submissions replaced by a later accepted one go to ``superseded``, duplicates (the same bytes dropped
again) to ``duplicate``. Ledger rows keep the path they were archived under, so duplicates archived
under ``superseded`` by earlier versions stay readable where they are.
A name already taken by different bytes gets ``-2``, ``-3`` … before the extension.
"""

from __future__ import annotations

import os
from pathlib import Path

from workflow.domain.names import short_file_name
from workflow.store.durable import atomic_copy, fsync_dir, sha256_file

FOLDERS = {
    "accepted": "accepted",
    "rejected": "rejected",
    "duplicate": "duplicate",
    "superseded": "superseded",
}


class ArchiveMismatch(Exception):
    """The archived copy does not hash to what was checked (disk or copy failure)."""


def archive_target(root: Path, year: int, status: str, sha256: str, name: str) -> Path:
    """Where a file is archived; a long original name is shortened to a safe length (the
    original stays in the ledger and the receipt)."""
    return root / str(year) / FOLDERS[status] / f"{sha256[:12]}_{short_file_name(name)}"


def _free_name(target: Path, sha256: str) -> tuple[Path, bool]:
    """``target`` or a numbered variant; True if that path already holds these exact bytes."""
    candidate, n = target, 1
    while candidate.exists():
        if sha256_file(candidate) == sha256:
            return candidate, True
        n += 1
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
    return candidate, False


def store(snapshot: Path, target: Path, sha256: str) -> Path:
    """Copy ``snapshot`` durably to ``target`` (or a free variant of it) and verify its hash."""
    path, present = _free_name(target, sha256)
    if not present and atomic_copy(snapshot, path) != sha256:
        path.unlink(missing_ok=True)
        raise ArchiveMismatch(f"存档副本 {path} 与原文件不一致")
    return path


def refile(path: Path, root: Path, year: int, status: str, sha256: str) -> Path:
    """Move an archived file into the folder of its new ``status`` (same disk: atomic rename)."""
    target = root / str(year) / FOLDERS[status] / path.name
    if path == target:
        return path
    if not path.exists():  # moved already by a pass that died before recording it
        found, present = _free_name(target, sha256)
        return found if present else path
    dest, present = _free_name(target, sha256)
    if present:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, dest)
    fsync_dir(dest.parent)
    return dest
