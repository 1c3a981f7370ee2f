"""The inbox: which names are submissions, and when a file has finished arriving."""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

from workflow.pipeline.inbox import (
    INCOMPLETE_PASSES,
    is_ignored,
    list_candidates,
    looks_incomplete,
    owner_file_beside,
    settle,
)
from workflow.store.ledger import Sighting

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        ("区教育局.xlsx", False),
        ("说明.docx", False),
        ("report.XLSX", False),
        ("~$区教育局.xlsx", True),
        (".~lock.区教育局.xlsx#", True),
        ("~WRL0005.tmp", True),
        ("A1B2C3D4.tmp", True),
        ("Thumbs.db", True),
        ("desktop.ini", True),
        (".DS_Store", True),
        (".hidden.xlsx", True),
        ("download.xlsx.crdownload", True),
    ],
    ids=lambda v: str(v),
)
def test_ignored_names(name, ignored):
    assert is_ignored(name) is ignored


def _xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>" * 2000)
        zf.writestr("xl/workbook.xml", "<workbook/>" * 2000)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("content", "incomplete"),
    [
        (b"", True),
        (_xlsx_bytes(), False),
        (_xlsx_bytes()[:-30], True),
        (_xlsx_bytes()[:200], True),
        (b"plain text, not a zip", False),
    ],
    ids=["empty", "complete-zip", "zip-without-eocd", "zip-head-only", "not-a-zip"],
)
def test_looks_incomplete(tmp_path, content, incomplete):
    path = tmp_path / "f.xlsx"
    path.write_bytes(content)
    assert looks_incomplete(path, len(content)) is incomplete


@pytest.mark.parametrize(
    "owner",
    ["~$区教育局年报.xlsx", "~$教育局年报.xlsx", ".~lock.区教育局年报.xlsx#"],
    ids=["office", "office-long-name", "libreoffice"],
)
def test_owner_file_means_open(tmp_path, owner):
    path = tmp_path / "区教育局年报.xlsx"
    path.write_bytes(_xlsx_bytes())
    assert not owner_file_beside(path)
    (tmp_path / owner).write_bytes(b"x")
    assert owner_file_beside(path)


def test_candidates_flat_and_one_folder_per_unit(tmp_path):
    (tmp_path / "区教育局").mkdir()
    (tmp_path / "区教育局" / "年报.xlsx").write_bytes(b"x")
    (tmp_path / "区教育局" / "~$年报.xlsx").write_bytes(b"x")
    (tmp_path / "区教育局" / "深层").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.xlsx").write_bytes(b"x")
    for noise in ("Thumbs.db", "~WRL1.tmp", ".~lock.a.xlsx#"):
        (tmp_path / noise).write_bytes(b"x")
    (tmp_path / "卫健局.xlsx").write_bytes(b"x")
    found = {c.rel: c.folder for c in list_candidates(tmp_path)}
    assert found == {"区教育局/年报.xlsx": "区教育局", "卫健局.xlsx": ""}


def _settle(tmp_path, seen=None, settle_seconds=0.3, now=NOW):
    return settle(
        list_candidates(tmp_path),
        seen or {},
        now=now,
        settle_seconds=settle_seconds,
        sleep=time.sleep,
    )


def test_file_still_being_written_waits_until_complete(tmp_path):
    """A slow writer appends a real xlsx in chunks while the pass looks: not taken until done."""
    data = _xlsx_bytes()
    path = tmp_path / "区教育局.xlsx"
    path.write_bytes(b"")
    stop = threading.Event()

    def writer():
        with path.open("ab") as fh:
            step = len(data) // 25 + 1
            for i in range(0, len(data), step):
                fh.write(data[i : i + step])
                fh.flush()
                time.sleep(0.02)
        stop.set()

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.05)
    first = _settle(tmp_path)
    assert first.ready == [] and [c.rel for c in first.waiting] == ["区教育局.xlsx"]
    thread.join()
    assert stop.is_set()
    seen = {s.path: s for s in first.sightings}
    second = _settle(tmp_path, seen, now=NOW + timedelta(minutes=10))
    assert [c.rel for c in second.ready] == ["区教育局.xlsx"]
    assert second.ready[0].size == len(data)


def test_file_seen_unchanged_by_an_earlier_pass_is_taken_without_waiting(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(_xlsx_bytes())
    st = path.stat()
    seen = {"a.xlsx": Sighting("a.xlsx", st.st_size, st.st_mtime_ns, NOW.isoformat())}
    slept = []
    scan = settle(
        list_candidates(tmp_path),
        seen,
        now=NOW + timedelta(seconds=5),
        settle_seconds=2,
        sleep=slept.append,
    )
    assert [c.rel for c in scan.ready] == ["a.xlsx"] and slept == []


def test_new_file_waits_once_within_the_pass(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(_xlsx_bytes())
    (tmp_path / "b.txt").write_bytes(b"hello")
    slept = []
    scan = settle(list_candidates(tmp_path), {}, now=NOW, settle_seconds=2, sleep=slept.append)
    assert slept == [2] and len(scan.ready) == 2


def test_owner_file_keeps_a_complete_file_waiting(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(_xlsx_bytes())
    (tmp_path / "~$a.xlsx").write_bytes(b"owner")
    scan = _settle(tmp_path, settle_seconds=0)
    assert scan.ready == [] and [c.rel for c in scan.waiting] == ["a.xlsx"]


def test_truncated_zip_waits_then_is_taken_for_rejection(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(_xlsx_bytes()[:300])
    seen: dict[str, Sighting] = {}
    for n in range(1, INCOMPLETE_PASSES + 1):
        scan = _settle(tmp_path, seen, settle_seconds=0, now=NOW + timedelta(minutes=n))
        seen = {s.path: s for s in scan.sightings}
        taken = [c.rel for c in scan.ready]
        assert taken == ([] if n < INCOMPLETE_PASSES else ["a.xlsx"]), f"pass {n}"


def test_vanished_file_is_neither_ready_nor_waiting(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"x")
    cands = list_candidates(tmp_path)
    path.unlink()
    scan = settle(cands, {}, now=NOW, settle_seconds=0.01, sleep=time.sleep)
    assert scan.ready == [] and scan.waiting == []


@pytest.mark.parametrize(
    "age", [-3600, 2 * 365 * 86400], ids=["mtime-in-the-future", "mtime-two-years-old"]
)
def test_misleading_mtime_does_not_matter(tmp_path, age):
    """H5: stability is measured on our clock between two looks, never as now − mtime."""
    path = tmp_path / "a.xlsx"
    path.write_bytes(_xlsx_bytes())
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    scan = _settle(tmp_path, settle_seconds=0.05)
    assert [c.rel for c in scan.ready] == ["a.xlsx"]
