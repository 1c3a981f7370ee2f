"""Durable writes and atomic publication of a pass's outputs into the outbox.

Every file a pass writes goes into ``outbox/.staging-<run id>/`` first. ``publish`` fsyncs it, moves
each file into place with ``os.replace`` (a reader sees the old file or the new one, never half of
one), fsyncs the folders, and writes the run manifest ``outbox/runs/<run id>.json`` LAST: the
manifest is the commit marker. Outbox files that the new manifest does not list but that an earlier
pass wrote (left by a run that died before its manifest, or made obsolete, like a 草稿 report once
the final one exists) are removed after the manifest is durable; files people put there stay. Paths inside the outbox are POSIX-style strings relative to it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from workflow.domain.names import fit_bytes
from workflow.errors import OutputError

RUNS_DIR = "runs"
STAGING_PREFIX = ".staging-"
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable. Windows has no directory fsync (a rename is durable
    once the file itself is flushed), and some file systems (network shares) refuse it: skipped."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def share_mode(fd: int) -> None:
    """Give a file made by ``tempfile`` (mode 0600) the mode of any other file we write
    (0666 less the umask): outputs on a share are readable by the other accounts."""
    if sys.platform != "win32":
        os.fchmod(fd, 0o666 & ~_umask())


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """The one durable write: ``write`` fills a unique temporary file beside ``path``, which is
    fsynced, renamed over ``path`` (a reader sees the old file or the new one, never half of one),
    and the folder fsynced. On any failure the temporary file is removed and the error re-raised
    (OSError for the caller to word)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # the temporary name stays short: a long final name plus a prefix and suffix would not fit
    fd, tmp = tempfile.mkstemp(
        prefix=f".{fit_bytes(path.name, 100)}.", suffix=".tmp", dir=path.parent
    )
    try:
        share_mode(fd)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` durably and atomically (see ``atomic_write``)."""
    atomic_write(path, lambda fh: fh.write(data))


def atomic_copy(src: Path, dst: Path) -> str:
    """Copy ``src`` to ``dst`` durably and atomically; return the SHA-256 of what was written."""
    digest = hashlib.sha256()

    def copy(fout: IO[bytes]) -> None:
        with src.open("rb") as fin:
            while chunk := fin.read(_CHUNK):
                digest.update(chunk)
                fout.write(chunk)

    atomic_write(dst, copy)
    return digest.hexdigest()


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def staging_dir(outbox: Path, run_id: str) -> Path:
    return outbox / f"{STAGING_PREFIX}{run_id}"


_OUR_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")


def remove_stale_staging(outbox: Path) -> int:
    """Delete staging folders and temporary files (``.<name>.<random>.tmp``, ``atomic_write``)
    left in the outbox by passes that died; return how many staging folders."""
    if not outbox.is_dir():
        return 0
    stale = [p for p in outbox.iterdir() if p.name.startswith(STAGING_PREFIX) and p.is_dir()]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    for dirpath, dirnames, filenames in os.walk(outbox):
        dirnames[:] = [d for d in dirnames if not d.startswith(STAGING_PREFIX)]
        for name in filenames:
            if _OUR_TEMP.match(name):
                (Path(dirpath) / name).unlink(missing_ok=True)
    return len(stale)


def walk_files(root: Path) -> Iterator[str]:
    """Every file under ``root`` as a POSIX path relative to it (manifests and staging excluded)."""
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir == Path("."):
            dirnames[:] = [
                d for d in dirnames if d != RUNS_DIR and not d.startswith(STAGING_PREFIX)
            ]
        for name in filenames:
            yield (rel_dir / name).as_posix()


def run_seq(run_id: str) -> int:
    tail = run_id.rsplit("-", 1)[-1]
    return int(tail) if tail.isascii() and tail.isdigit() else -1


def manifest_paths(outbox: Path) -> list[Path]:
    """Run manifests, newest (highest run number) first."""
    runs = outbox / RUNS_DIR
    if not runs.is_dir():
        return []
    found = [p for p in runs.glob("*.json") if not p.name.startswith(".")]
    return sorted(found, key=lambda p: run_seq(p.stem), reverse=True)


def read_manifests(outbox: Path, limit: int = 30) -> list[dict[str, Any]]:
    """The latest ``limit`` run manifests, newest first (unreadable ones skipped)."""
    out = []
    for path in manifest_paths(outbox):
        try:
            out.append(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError):
            continue
        if len(out) >= limit:
            break
    return out


LINKING = ("summary.json", "index.html")


def publish(
    staging: Path,
    outbox: Path,
    manifest: dict[str, Any],
    *,
    prefix: str,
    previous: Mapping[str, Any] | None,
    keep: Callable[[str], bool],
    owned: set[str] | None = None,
    crash: Callable[[str], None] = lambda _: None,
) -> list[dict[str, str]]:
    """Move every file of ``staging`` into ``outbox`` and write ``manifest`` last.

    ``manifest["outputs"]`` becomes the staged files plus the files of the ``previous`` manifest for
    which ``keep(path)`` is true (cumulative feedback) and that were not replaced. ``prefix`` is the
    outbox's path relative to the workspace, so manifest paths read "outbox/…". Afterwards the
    outbox files that earlier passes wrote (``owned``) and this one does not list are removed.
    """
    # the pages that link to the other files (summary.json, the dashboard) go last: stopped half-way,
    # the outbox never links a file that is not there yet
    staged = sorted(walk_files(staging), key=lambda rel: (rel.endswith(LINKING), rel))
    entries: dict[str, str] = {}
    for rel in staged:
        path = staging / rel
        fsync_file(path)
        entries[rel] = sha256_file(path)
    for item in (previous or {}).get("outputs", []):
        rel = item["path"].removeprefix(prefix)
        if rel not in entries and keep(rel) and (outbox / rel).is_file():
            entries[rel] = item["sha256"]
    touched: set[Path] = set()
    for i, rel in enumerate(staged):
        target = outbox / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_retrying(staging / rel, target)
        touched.add(target.parent)
        if i == 0:
            crash("mid-publish")
    for folder in touched:
        fsync_dir(folder)
    crash("before-manifest")
    manifest["outputs"] = [
        {"path": prefix + rel, "sha256": entries[rel]} for rel in sorted(entries)
    ]
    write_json(outbox / RUNS_DIR / f"{manifest['run_id']}.json", manifest)
    crash("after-manifest")
    prune(outbox, set(entries), (owned or set()) | set(staged))
    shutil.rmtree(staging, ignore_errors=True)
    return manifest["outputs"]


def replace_retrying(src: Path, dst: Path, *, tries: int = 4, wait: float = 0.5) -> None:
    """``os.replace``, retried while Windows refuses because someone has ``dst`` open (Excel, WPS).
    Never falls back to copy-and-delete: publication stays atomic or fails."""
    for attempt in range(tries):
        try:
            os.replace(src, dst)
            return
        except PermissionError as exc:
            if attempt == tries - 1:
                raise OutputError(
                    f"无法更新 {dst}：文件可能正被 Excel、WPS 或其他程序打开。"
                    "请关闭该文件，下次处理时会自动更新；本次输出未发布，收件箱文件均已处理并存档。"
                ) from exc
            time.sleep(wait * (attempt + 1))


def prune(outbox: Path, listed: set[str], owned: set[str]) -> None:
    """Remove outbox files that the latest manifest does not list but an earlier pass wrote
    (``owned``). Whatever people put in the outbox (notes, their own folders, ``.gitkeep``) stays."""
    for rel in list(walk_files(outbox)):
        if rel not in listed and rel in owned:
            (outbox / rel).unlink(missing_ok=True)


def manifests_in(folders: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Every readable run manifest (a JSON object) in ``folders``, in name order per folder;
    unreadable or half-written ones are passed over."""
    for folder in folders:
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                data = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict):
                yield data


def written_outputs(folders: Iterable[Path], prefix: str) -> set[str]:
    """Every outbox path (relative to the outbox) listed by a run manifest in ``folders``."""
    out: set[str] = set()
    for data in manifests_in(folders):
        out |= manifest_files(data, prefix)
    return out


def manifest_files(manifest: Mapping[str, Any], prefix: str) -> set[str]:
    return {item["path"].removeprefix(prefix) for item in manifest.get("outputs", [])}
