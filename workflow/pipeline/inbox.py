"""What in the inbox is a submission, and whether it has finished arriving.

The inbox is flat or has one sub-folder per unit (one level). Ignored silently: hidden files and
folders, Office owner files ``~$*``, LibreOffice locks ``.~lock.*#``, temp files (``*.tmp``,
``~*.tmp``), ``Thumbs.db``, ``desktop.ini``, ``.DS_Store``. Every other file is a candidate (also a
name that merely starts with ``~``). Files in folders deeper than one level are not taken but
listed, with the reason, by :func:`left_in_inbox`. A candidate is taken only once it has *settled*:

* its size and mtime are unchanged between two looks at least ``settle_seconds`` apart (measured on
  our clock: the previous pass's sighting, or a wait within this pass — never "now − mtime");
* no owner/lock file is beside it (someone has it open in Excel, WPS or LibreOffice);
* it does not look half-copied: empty, or a zip without its End-Of-Central-Directory record. Such a
  file waits until it has been seen unchanged by ``INCOMPLETE_PASSES`` passes; then it is taken and
  the checker rejects it with a receipt.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeGuard

from workflow.domain.names import (
    printable_name,
    safe_name,  # noqa: F401  (older importers)
)
from workflow.store.durable import atomic_copy
from workflow.store.ledger import Sighting

IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"})
INCOMPLETE_PASSES = 3
_EOCD = b"PK\x05\x06"
_ZIP_MAGIC = b"PK\x03\x04"
_EOCD_SEARCH = 22 + 65535  # the record plus the longest zip comment


def is_ignored(name: str) -> bool:
    """True for hidden, lock, owner and temporary files that are never submissions."""
    lower = name.lower()
    return (
        lower in IGNORED_NAMES
        or name.startswith((".", "~$"))
        or lower.endswith((".tmp", ".temp", ".crdownload", ".part", ".partial"))
        or (name.startswith(".~lock.") and name.endswith("#"))
    )


def owner_file_beside(path: Path) -> bool:
    """An Office/WPS owner file (``~$name``; long names lose 1–2 leading characters) or a
    LibreOffice ``.~lock.name#`` next to ``path``: the file is open somewhere."""
    name = path.name
    candidates = {f"~${name}", f"~${name[1:]}", f"~${name[2:]}", f".~lock.{name}#"}
    return any(_exists(path.parent / c) for c in candidates)


def _exists(path: Path) -> bool:
    """False also when the name cannot exist (too long for the file system, say)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def looks_incomplete(path: Path, size: int) -> bool:
    """Empty, or a zip whose End-Of-Central-Directory record has not been written yet."""
    if size == 0:
        return True
    try:
        with path.open("rb") as fh:
            if fh.read(4) != _ZIP_MAGIC:
                return False
            fh.seek(max(0, size - _EOCD_SEARCH))
            return _EOCD not in fh.read()
    except OSError:
        return True


@dataclass(frozen=True)
class Candidate:
    path: Path
    rel: str  # relative to the inbox, POSIX style
    size: int
    mtime_ns: int
    folder: str = ""  # the unit sub-folder it was dropped in, if any

    @property
    def name(self) -> str:
        """The file's name as printable text (see ``names.printable_name``)."""
        return printable_name(self.path.name)


def _candidate(inbox: Path, path: Path, folder: str) -> Candidate | None:
    try:
        st = path.stat()
    except OSError:
        return None  # vanished between listing and stat: look again next pass
    rel = printable_name(path.relative_to(inbox).as_posix())
    return Candidate(path, rel, st.st_size, st.st_mtime_ns, printable_name(folder))


def list_candidates(inbox: Path) -> list[Candidate]:
    """Files in the inbox and its unit sub-folders that could be submissions, sorted by path."""
    if not inbox.is_dir():
        return []
    out: list[Candidate] = []
    for entry in sorted(os.scandir(inbox), key=lambda e: e.name):
        if is_ignored(entry.name):
            continue
        if entry.is_dir(follow_symlinks=False):
            for sub in sorted(os.scandir(entry.path), key=lambda e: e.name):
                if not is_ignored(sub.name) and sub.is_file(follow_symlinks=False):
                    cand = _candidate(inbox, Path(sub.path), entry.name)
                    if cand:
                        out.append(cand)
        elif entry.is_file(follow_symlinks=False):
            cand = _candidate(inbox, Path(entry.path), "")
            if cand:
                out.append(cand)
    return out


MAX_LEFT_LISTED = 200  # files listed as left in deeper folders (the rest are counted)
DEEPER_REASON = "位于第二层或更深的子文件夹中，未接收：请把文件移到收件箱，或收件箱中本单位的文件夹（「{folder}」）里"


def left_in_inbox(inbox: Path, *, limit: int = MAX_LEFT_LISTED) -> list[tuple[str, str]]:
    """Files the pass does not take, with the reason: those in folders deeper than a unit's
    sub-folder (``inbox/<unit>/<folder>/…``). Hidden, lock and temporary files are not listed."""
    out: list[tuple[str, str]] = []
    if not inbox.is_dir():
        return out
    try:
        units = [e for e in os.scandir(inbox) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return out
    for unit in sorted(units, key=lambda e: e.name):
        if is_ignored(unit.name):
            continue
        for root, dirs, files in os.walk(unit.path):
            if Path(root) == Path(unit.path):
                dirs[:] = sorted(d for d in dirs if not is_ignored(d))
                continue
            dirs[:] = sorted(d for d in dirs if not is_ignored(d))
            for name in sorted(files):
                if is_ignored(name):
                    continue
                rel = printable_name((Path(root) / name).relative_to(inbox).as_posix())
                out.append((rel, DEEPER_REASON.format(folder=printable_name(unit.name))))
                if len(out) >= limit:
                    return out
    return out


def restat(cand: Candidate) -> Candidate | None:
    """The candidate as it is now (None if it is gone)."""
    try:
        st = cand.path.stat()
    except OSError:
        return None
    return Candidate(cand.path, cand.rel, st.st_size, st.st_mtime_ns, cand.folder)


@dataclass
class Scan:
    ready: list[Candidate]
    waiting: list[Candidate]
    sightings: list[Sighting]  # to remember for the next pass (waiting files only)


def _elapsed(since: str, now: datetime) -> float:
    try:
        return (now - datetime.fromisoformat(since)).total_seconds()
    except (ValueError, TypeError):
        return 0.0


def settle(
    candidates: list[Candidate],
    seen: Mapping[str, Sighting],
    *,
    now: datetime,
    settle_seconds: float,
    sleep: Callable[[float], None],
) -> Scan:
    """Split candidates into ready and waiting; waits within the pass (once, for all) when some
    file was not seen unchanged by an earlier pass at least ``settle_seconds`` ago."""
    stamp = now.isoformat(timespec="seconds")
    unsure = {
        c.rel
        for c in candidates
        if not _same(seen.get(c.rel), c) or _elapsed(seen[c.rel].since, now) < settle_seconds
    }
    if unsure and settle_seconds > 0:
        sleep(settle_seconds)
    ready, waiting, sightings = [], [], []
    for cand in candidates:
        now_cand = restat(cand) if cand.rel in unsure else cand
        if now_cand is None:
            continue
        prev = seen.get(cand.rel)
        stable = now_cand.size == cand.size and now_cand.mtime_ns == cand.mtime_ns
        passes = prev.passes + 1 if _same(prev, now_cand) else 1
        since = prev.since if _same(prev, now_cand) else stamp
        sighting = Sighting(cand.rel, now_cand.size, now_cand.mtime_ns, since, passes)
        incomplete = passes < INCOMPLETE_PASSES and looks_incomplete(cand.path, now_cand.size)
        if not stable or incomplete or owner_file_beside(cand.path):
            waiting.append(now_cand)
            sightings.append(sighting)
        else:
            ready.append(now_cand)
    return Scan(ready, waiting, sightings)


def _same(prev: Sighting | None, cand: Candidate) -> TypeGuard[Sighting]:
    return prev is not None and prev.size == cand.size and prev.mtime_ns == cand.mtime_ns


def snapshot(cand: Candidate, work_dir: Path) -> tuple[Path, str]:
    """Copy the candidate to ``work_dir/<original name>`` (a private folder) hashing as it goes;
    the checker reads the copy, never the live file in the shared folder."""
    target = work_dir / cand.name
    return target, atomic_copy(cand.path, target)
