"""The ledger: an SQLite file on local disk, the single source of truth for every file ever seen.

Tables (``PRAGMA user_version`` = schema version):

* ``files``      one row per file taken from the inbox: SHA-256, original name, unit, year, arrival and
                 processing time, outcome (``status``: accepted, rejected, duplicate, superseded), how far
                 it got (``state``: checked → archived; ``published`` once its feedback is in the outbox),
                 finding counts, archive path, feedback paths and the checked values (JSON).
* ``current``    per unit, the file the rollup uses (its latest accepted submission).
* ``sightings``  inbox files seen but not yet taken (size, mtime, since when): settle detection.
* ``runs``       every pass; ``changes`` field-level differences between a unit's old and new data.
* ``meta``       ``generation`` (bumped by every change that affects outputs) and what was last published.

The rollback journal is used (not WAL) and ``synchronous=FULL``: each transaction is atomic and
durable when ``commit`` returns. Keep the ledger on local disk, never on the shared folder.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from workflow.errors import OutputError
from workflow.store.ledger_rows import (
    FILE_COLUMNS,
    FileRow,
    Sighting,
    decode_findings,
    decode_values,
    encode_result,
)

__all__ = ["FileRow", "Ledger", "Sighting", "decode_findings", "decode_values", "encode_result"]

LEDGER_NAME = "ledger.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    original_name TEXT NOT NULL,
    inbox_path TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    mtime_ns INTEGER NOT NULL DEFAULT 0,
    arrived TEXT NOT NULL,
    processed TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    year INTEGER,
    format TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'checked',
    published INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    archive_path TEXT NOT NULL DEFAULT '',
    feedback TEXT NOT NULL DEFAULT '{}',
    result TEXT NOT NULL DEFAULT '{}',
    duplicate_of INTEGER,
    run_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX files_sha ON files (sha256);
CREATE INDEX files_unit ON files (unit);
CREATE TABLE current (unit TEXT PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files (id));
CREATE TABLE sightings (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    since TEXT NOT NULL, passes INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, started TEXT NOT NULL,
    finished TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'running',
    processed INTEGER NOT NULL DEFAULT 0, published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE changes (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, unit TEXT NOT NULL, field TEXT NOT NULL,
    label TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def damaged_message(path: Path, exc: BaseException) -> str:
    """What the operator reads when the ledger cannot be used: how to recover."""
    return (
        f"台账数据库 {path} 无法使用（{exc}），可能已损坏或所在磁盘已满。本次未处理任何文件。"
        "恢复办法：先确认磁盘空间充足，再运行 `workflow rebuild-ledger`——它把损坏的台账改名保留，"
        "并根据存档（archive）和发件箱运行记录（outbox/runs）重建台账，然后照常运行 `workflow --once`。"
    )


class Ledger:
    """``with Ledger.open(state_dir) as ledger:`` — every method commits its own transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        # keys of the current table changed by this connection, in order: a pass keeps its map of
        # current submissions up to date from it instead of reading the whole table per file
        self.current_log: list[str] = []
        self.created = False  # True when ``open`` made a new, empty ledger

    @classmethod
    def open(cls, state_dir: Path) -> Ledger:
        path = state_dir / LEDGER_NAME
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
            existed = path.is_file() and path.stat().st_size > 0
            conn = sqlite3.connect(path, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("PRAGMA synchronous=FULL")
            ledger = cls(conn, path)
            ledger._migrate()
            ledger.conn.execute("SELECT COUNT(*) FROM files").fetchone()
            ledger.created = not existed
        except sqlite3.DatabaseError as exc:
            raise OutputError(damaged_message(path, exc)) from exc
        except OSError as exc:
            raise OutputError(
                f"无法创建或读取状态文件夹 {state_dir}（{exc.strerror}）。请检查该文件夹所在磁盘"
                "是否可写、空间是否充足，或在 workflow.toml 的 [paths] state 中改为本机上可写的文件夹。"
            ) from exc
        return ledger

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise OutputError(
                f"台账 {self.path} 由更新版本的程序创建（版本 {version}），请升级本程序。"
            )
        if version == 0:
            with self.conn:
                self.conn.executescript(_SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta ---------------------------------------------------------------------------------
    def meta(self, key: str, default: str = "") -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def set_meta(self, key: str, value: str) -> None:
        with self.conn:
            self._set_meta(key, value)

    def _bump(self) -> None:
        self._set_meta("generation", str(int(self.meta("generation", "0")) + 1))

    # -- sightings ----------------------------------------------------------------------------
    def sightings(self) -> dict[str, Sighting]:
        rows = self.conn.execute("SELECT path, size, mtime_ns, since, passes FROM sightings")
        return {r["path"]: Sighting(*r) for r in rows}

    def save_sightings(self, sightings: Iterable[Sighting]) -> None:
        """Replace the sightings with ``sightings`` (files no longer waiting are dropped)."""
        with self.conn:
            self.conn.execute("DELETE FROM sightings")
            self.conn.executemany(
                "INSERT INTO sightings (path, size, mtime_ns, since, passes) VALUES (?, ?, ?, ?, ?)",
                [(s.path, s.size, s.mtime_ns, s.since, s.passes) for s in sightings],
            )

    # -- files --------------------------------------------------------------------------------
    def _rows(
        self, where: str = "", args: Sequence[Any] = (), *, light: bool = False
    ) -> list[FileRow]:
        cols = [("'{}'" if light and c == "result" else c) for c in FILE_COLUMNS]
        sql = f"SELECT {', '.join(cols)} FROM files {where}"
        return [FileRow(*r) for r in self.conn.execute(sql, args)]

    def files(self, *, light: bool = False) -> list[FileRow]:
        """Every file, in arrival order; ``light`` leaves out the checked values (``result``)."""
        return self._rows("ORDER BY id", light=light)

    def file(self, file_id: int) -> FileRow | None:
        rows = self._rows("WHERE id = ?", (file_id,))
        return rows[0] if rows else None

    def by_sha(self, sha256: str) -> list[FileRow]:
        return self._rows("WHERE sha256 = ? ORDER BY id", (sha256,))

    def unfinished(self) -> list[FileRow]:
        """Rows whose original may still be in the inbox (crash before the move completed)."""
        return self._rows("WHERE state = 'checked' ORDER BY id")

    def add_file(
        self,
        values: dict[str, Any],
        *,
        current_unit: str = "",
        drop_current: Sequence[str] = (),
        supersede: tuple[int, str] | None = None,
        changes: Sequence[dict[str, Any]] = (),
    ) -> int:
        """Insert a checked file, in one transaction with what it implies: if ``current_unit``, it
        becomes that unit's current submission (``drop_current``: older keys of the same unit, e.g.
        its name before a rename); ``supersede`` = (old file id, its new archive path); ``changes``
        are the field differences to the superseded data."""
        cols = [c for c in FILE_COLUMNS if c != "id" and c in values]
        sql = f"INSERT INTO files ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        with self.conn:
            file_id = self.conn.execute(sql, [values[c] for c in cols]).lastrowid
            assert file_id is not None
            self._imply(
                file_id, values.get("run_id", ""), current_unit, drop_current, supersede, changes
            )
        return file_id

    def recheck_file(
        self,
        file_id: int,
        values: dict[str, Any],
        *,
        current_unit: str = "",
        drop_current: Sequence[str] = (),
        supersede: tuple[int, str] | None = None,
        changes: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Replace the outcome of a file checked again (the roster changed), in one transaction with
        what it implies (as for ``add_file``); its feedback is published again."""
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.conn:
            self.conn.execute(
                f"UPDATE files SET {sets}, published = 0 WHERE id = ?", [*values.values(), file_id]
            )
            self._imply(
                file_id, values.get("run_id", ""), current_unit, drop_current, supersede, changes
            )

    def _imply(
        self,
        file_id: int,
        run_id: str,
        current_unit: str,
        drop_current: Sequence[str],
        supersede: tuple[int, str] | None,
        changes: Sequence[dict[str, Any]],
    ) -> None:
        dropped = [k for k in drop_current if k != current_unit]
        self.conn.executemany("DELETE FROM current WHERE unit = ?", [(k,) for k in dropped])
        self.current_log += [*dropped, current_unit] if current_unit else dropped
        if current_unit:
            self.conn.execute(
                "INSERT INTO current (unit, file_id) VALUES (?, ?) "
                "ON CONFLICT (unit) DO UPDATE SET file_id = excluded.file_id",
                (current_unit, file_id),
            )
        if supersede:
            self.conn.execute(
                "UPDATE files SET status = 'superseded', archive_path = ? WHERE id = ?",
                (supersede[1], supersede[0]),
            )
        self.conn.executemany(
            "INSERT INTO changes (run_id, unit, field, label, old, new) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    c["unit"],
                    c["field"],
                    c["label"],
                    str(c["old"]),
                    str(c["new"]),
                )
                for c in changes
            ],
        )
        self._bump()

    def update_file(self, file_id: int, **changes: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in changes)
        with self.conn:
            self.conn.execute(f"UPDATE files SET {sets} WHERE id = ?", [*changes.values(), file_id])
            if "status" in changes:
                self._bump()

    def settle_changes(self) -> None:
        """Field changes recorded while rebuilding are history, not news: mark them published."""
        with self.conn:
            self.conn.execute("UPDATE changes SET published = 1 WHERE published = 0")

    def forget_files(self) -> None:
        """Drop every file row (a rebuild that was refused): the next pass starts over."""
        with self.conn:
            self.current_log += list(self.current())
            self.conn.execute("DELETE FROM current")
            self.conn.execute("DELETE FROM changes")
            self.conn.execute("DELETE FROM files")

    def current(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT unit, file_id FROM current")}

    def current_of(self, keys: Sequence[str]) -> dict[str, int]:
        """The current submissions stored under ``keys`` (by the table's primary key)."""
        if not keys:
            return {}
        marks = ", ".join("?" * len(keys))
        sql = f"SELECT unit, file_id FROM current WHERE unit IN ({marks})"
        return {r[0]: r[1] for r in self.conn.execute(sql, list(keys))}

    # -- runs and changes -----------------------------------------------------------------------
    def start_run(self, started: str, stamp: str, min_seq: int = 0) -> str:
        with self.conn:
            seq = max(
                self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM runs").fetchone()[0], min_seq
            )
            run_id = f"{stamp}-{seq + 1:04d}"
            self.conn.execute(
                "INSERT INTO runs (run_id, seq, started) VALUES (?, ?, ?)",
                (run_id, seq + 1, started),
            )
        return run_id

    def finish_run(self, run_id: str, *, finished: str, status: str, processed: int) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE runs SET finished = ?, status = ?, processed = ? WHERE run_id = ?",
                (finished, status, processed, run_id),
            )

    def last_run(self) -> dict[str, Any] | None:
        """The latest finished pass: started, status (ok/failed), files processed."""
        row = self.conn.execute(
            "SELECT run_id, started, status, processed FROM runs WHERE status != 'running' "
            "ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return dict(row) if row else None

    def unpublished_changes(self) -> list[dict[str, str]]:
        rows = self.conn.execute(
            "SELECT unit, field, label, old, new FROM changes WHERE published = 0 ORDER BY id"
        )
        return [dict(r) for r in rows]

    def needs_publish(self, config_hash: str) -> bool:
        return (
            self.meta("generation", "0") != self.meta("published_generation", "")
            or self.meta("published_config") != config_hash
        )

    def begin_publish(self, run_id: str, config_hash: str, outputs: Sequence[str] = ()) -> None:
        """Before the manifest is written: if the pass dies after it, the next one rolls forward.
        ``outputs``: the outbox paths this tool has written, with those about to be moved in (a
        pass that dies before its manifest still knows them as its own)."""
        with self.conn:
            self._set_meta("publishing", json.dumps([run_id, config_hash]))
            self._set_meta("pending_outputs", json.dumps(list(outputs), ensure_ascii=False))

    def publishing(self) -> tuple[str, str] | None:
        raw = self.meta("publishing")
        return tuple(json.loads(raw)) if raw else None

    def mark_unpublishing(self) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM meta WHERE key = 'publishing'")

    def mark_published(self, run_id: str, config_hash: str) -> None:
        """After the manifest is durable: feedback and changes are out, outputs match the ledger."""
        with self.conn:
            self.conn.execute("DELETE FROM meta WHERE key = 'publishing'")
            self.conn.execute("UPDATE files SET published = 1 WHERE published = 0")
            self.conn.execute("UPDATE changes SET published = 1 WHERE published = 0")
            self.conn.execute("UPDATE runs SET published = 1 WHERE run_id = ?", (run_id,))
            self._set_meta("published_generation", self.meta("generation", "0"))
            self._set_meta("published_config", config_hash)
