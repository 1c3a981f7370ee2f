"""The archive is the source of truth, and storage problems are the operator's: a lost or damaged
ledger is rebuilt (or the pass refuses, exit 4), a missing inbox is an error (not "没有新文件"),
a full disk stops the pass with exit 4 and leaves no temporary files."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_pipeline import EDU, HEALTH, SPEC, STREET, drop, make_workspace, run, units_summary

from workflow.cli.demo import natural_column
from workflow.domain.settings import Settings
from workflow.errors import OutputError
from workflow.store.durable import read_manifests, walk_files

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def ws(tmp_path: Path) -> Settings:
    return make_workspace(tmp_path / "工作区")


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "workflow", *args], cwd=settings.workspace, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def district(settings: Settings) -> dict[str, tuple[str, str, dict]]:
    """Per unit: status, archived source and values, as published."""
    return {n: (u["status"], u["sha256"], u["values"]) for n, u in units_summary(settings).items()}


def outbox_files(settings: Settings) -> set[str]:
    return set(walk_files(settings.outbox_dir))


def leftovers(root: Path) -> list[str]:
    """Temporary files and staging folders anywhere under ``root``."""
    out = []
    for _dirpath, dirnames, filenames in os.walk(root):
        out += [d for d in dirnames if d.startswith(".staging-")]
        out += [f for f in filenames if f.endswith(".tmp") or f.startswith(".index-")]
    return out


def history(settings: Settings) -> None:
    """Three units; 教育局 corrected once (superseded), the same bytes sent twice (duplicate),
    卫健局 rejected once then accepted."""
    first = drop(settings, "教育局年报.xlsx", EDU, values=natural_column(SPEC, 3, 2))
    drop(settings, "卫健局年报.xlsx", HEALTH, values={"review_upheld": "/"})
    run(settings)
    drop(settings, "教育局年报（更正）.xlsx", EDU, values=natural_column(SPEC, 5, 4))
    drop(settings, "卫健局年报.xlsx", HEALTH)
    (settings.inbox_dir / "教育局年报（再次）.xlsx").write_bytes(first)
    drop(settings, "吴航街道年报.xlsx", STREET)
    run(settings, 10)


@pytest.mark.parametrize("how", ["deleted", "empty", "emptied"])
def test_lost_ledger_is_rebuilt_from_the_archive_and_publishes_the_same_district(ws, how):
    history(ws)
    before, files_before = district(ws), outbox_files(ws)
    assert sorted(s for s, _, _ in before.values()) == ["accepted"] * 3
    ledger = ws.state_dir / "ledger.sqlite3"
    if how == "deleted":
        shutil.rmtree(ws.state_dir)
    elif how == "empty":
        ledger.write_bytes(b"")
    else:
        import sqlite3

        with sqlite3.connect(ledger) as conn:
            conn.execute("DELETE FROM current")
            conn.execute("DELETE FROM changes")
            conn.execute("DELETE FROM files")
    summary = run(ws, 20)
    assert "重建台账" in summary.describe()
    assert district(ws) == before
    assert files_before <= outbox_files(ws)  # no unit report or receipt deleted
    again = run(ws, 30)
    assert not again.rebuilt and district(ws) == before


def test_state_folder_deleted_cli_says_so(ws):
    history(ws)
    before = district(ws)
    shutil.rmtree(ws.state_dir)
    done = cli(ws, "--once")
    assert done.returncode == 0, done.stderr
    assert "已根据存档" in done.stdout and "重建台账" in done.stdout
    assert district(ws) == before


def test_damaged_ledger_exits_4_and_rebuild_ledger_recovers(ws):
    history(ws)
    before = district(ws)
    ledger = ws.state_dir / "ledger.sqlite3"
    ledger.write_bytes(b"this is not a database" * 100)
    refused = cli(ws, "--once")
    assert refused.returncode == 4, refused.stderr
    assert "rebuild-ledger" in refused.stderr and "Traceback" not in refused.stderr
    assert district(ws) == before  # nothing published
    done = cli(ws, "rebuild-ledger")
    assert done.returncode == 0, done.stderr
    assert "重建台账" in done.stdout
    assert district(ws) == before
    assert list(ws.state_dir.glob("ledger.sqlite3.damaged-*"))


def test_ledger_and_archive_both_lost_refuses_instead_of_publishing_nothing(ws):
    history(ws)
    before = district(ws)
    shutil.rmtree(ws.state_dir)
    shutil.rmtree(ws.archive_dir)
    ws.archive_dir.mkdir()
    with pytest.raises(OutputError, match="存档") as caught:
        run(ws, 20)
    assert "恢复" in str(caught.value)
    assert district(ws) == before
    assert len(read_manifests(ws.outbox_dir)) == 2


def test_rebuild_that_would_publish_fewer_units_refuses(ws):
    history(ws)
    before = district(ws)
    shutil.rmtree(ws.state_dir)
    for path in ws.archive_dir.rglob("*吴航街道*"):
        path.unlink()
    with pytest.raises(OutputError, match="吴航街道") as caught:
        run(ws, 20)
    assert "备份" in str(caught.value)
    assert district(ws) == before
    with pytest.raises(OutputError):  # and again: the refusal is not forgotten
        run(ws, 30)


def test_new_workspace_with_empty_archive_is_not_a_rebuild(ws):
    summary = run(ws)
    assert not summary.rebuilt
    assert not run(ws, 1).rebuilt


def test_missing_inbox_is_exit_4_naming_the_path(ws):
    shutil.rmtree(ws.inbox_dir)
    done = cli(ws, "--once")
    assert done.returncode == 4, done.stdout + done.stderr
    assert str(ws.inbox_dir) in done.stderr and "没有新文件" not in done.stdout + done.stderr
    assert "挂载" in done.stderr
    assert not ws.outbox_dir.joinpath("runs").exists()


def test_state_folder_that_cannot_be_made_is_exit_4_with_advice(ws):
    shutil.rmtree(ws.state_dir, ignore_errors=True)
    ws.state_dir.write_text("not a folder", "utf-8")  # e.g. a file left where the folder belongs
    done = cli(ws, "--once")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "状态文件夹" in done.stderr and "[paths] state" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def assert_whole(path: Path) -> None:
    data = path.read_bytes()
    if path.suffix == ".json":
        json.loads(data)
    elif path.suffix in (".xlsx", ".docx"):
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None, path
    elif path.suffix == ".html":
        assert data.rstrip().endswith(b"</html>"), path
    elif path.suffix == ".txt":
        assert data.endswith(b"\r\n") and data.startswith(b"\xef\xbb\xbf"), path


def _full_disk(monkeypatch: pytest.MonkeyPatch, when) -> None:
    """Every write of a matching file fails with ENOSPC after writing part of its bytes."""
    import builtins
    import io

    real_open = builtins.open

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def fake_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        if any(m in mode for m in "wax") and isinstance(file, str | os.PathLike) and when(file):
            return Full(fh)
        return fh

    real_fdopen = os.fdopen

    def fake_fdopen(fd, mode="r", *args, **kwargs):
        fh = real_fdopen(fd, mode, *args, **kwargs)
        try:
            path = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return fh
        if any(m in mode for m in "wax") and when(path):
            return Full(fh)
        return fh

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "fdopen", fake_fdopen)


def _failing_replace(monkeypatch: pytest.MonkeyPatch, when) -> None:
    """The fault between a temporary write and its os.replace: the rename fails."""
    real = os.replace

    def replace(src, dst, **kw):
        if when(dst):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real(src, dst, **kw)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize(
    ("fault", "what"),
    [
        ("write", "manifest"),
        ("write", "archive"),
        ("write", "probe"),
        ("write", "summary"),
        ("write", "everything"),
        ("replace", "manifest"),
        ("replace", "archive"),
        ("replace", "receipt"),
    ],
)
def test_full_disk_is_exit_4_and_no_half_written_file_is_visible(ws, monkeypatch, fault, what):
    drop(ws, "教育局年报.xlsx", EDU)
    run(ws)
    drop(ws, "卫健局年报.xlsx", HEALTH, values={"review_upheld": "/"})
    drop(ws, "吴航街道年报.xlsx", STREET)
    matches = {
        "manifest": lambda p: "/runs/" in Path(p).as_posix(),
        "archive": lambda p: str(ws.archive_dir) in str(p) and "write-test" not in str(p),
        "probe": lambda p: "write-test" in str(p),
        "receipt": lambda p: "回执_" in str(p),
        "summary": lambda p: "summary.json" in str(p),
        "everything": lambda p: str(ws.workspace) in str(p),
    }[what]
    (_full_disk if fault == "write" else _failing_replace)(monkeypatch, matches)
    with pytest.raises(OutputError) as caught:
        run(ws, 10)
    assert "磁盘" in str(caught.value) or "空间" in str(caught.value)
    monkeypatch.undo()
    assert leftovers(ws.workspace) == []
    for path in (ws.outbox_dir / "runs").glob("*.json"):
        json.loads(path.read_text("utf-8"))  # never half a manifest
    for rel in walk_files(ws.archive_dir):  # never half an archived copy
        data = (ws.archive_dir / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest()[:12] == Path(rel).name[:12], rel
    for rel in walk_files(ws.outbox_dir):  # every visible output is whole (old or new)
        assert_whole(ws.outbox_dir / rel)
    summary = run(ws, 20)  # the next pass finishes the work
    assert {f.status for f in summary.files} <= {"accepted", "rejected"}
    assert sorted(s for s, _, _ in district(ws).values()) == ["accepted", "accepted", "rejected"]


def test_outbox_files_people_put_there_are_left_alone(ws):
    notes = {
        "说明.txt": "协调人的说明\n",
        ".gitkeep": "",
        "协调人资料/通知.docx": "not ours",
        f"{ws.year}/协调人备注.txt": "备注",
        f"{ws.year}/反馈/长乐区教育局/电话记录.txt": "已电话催报",
    }
    for rel, text in notes.items():
        (ws.outbox_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws.outbox_dir / rel).write_text(text, "utf-8")
    drop(ws, "教育局年报.xlsx", EDU)
    run(ws)
    ws.workspace.joinpath("区报告正文.md").write_text("## 一、总体情况\n\n正文。\n", "utf-8")
    drop(ws, "卫健局年报.xlsx", HEALTH)
    assert run(ws, 10).published
    for rel, text in notes.items():
        assert (ws.outbox_dir / rel).read_text("utf-8") == text, rel


def test_obsolete_outputs_of_earlier_passes_are_still_removed(ws):
    drop(ws, "教育局年报.xlsx", EDU)
    run(ws)
    stale = ws.year_outbox / "单位报告" / "已撤销单位2025年政府信息公开工作年度报告.docx"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"old")
    # as if an earlier pass had written it: its manifest lists it
    runs = sorted((ws.outbox_dir / "runs").glob("*.json"))
    data = json.loads(runs[-1].read_text("utf-8"))
    data["outputs"].append(
        {"path": "outbox/" + stale.relative_to(ws.outbox_dir).as_posix(), "sha256": "x"}
    )
    runs[-1].write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    drop(ws, "卫健局年报.xlsx", HEALTH)
    assert run(ws, 10).published
    assert not stale.exists()
