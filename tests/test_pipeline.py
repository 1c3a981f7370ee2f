"""A pass over a real inbox on disk: intake, ledger, archive, feedback and atomic publication."""

from __future__ import annotations

import hashlib
import json
import os
import random
import threading
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from workflow.cli.demo import natural_column, workspace_config, write_submission
from workflow.domain.settings import Settings
from workflow.formats.spec import load_format
from workflow.pipeline.one_pass import PassSummary, run_once
from workflow.pipeline.status import workspace_status
from workflow.store.durable import read_manifests, walk_files
from workflow.store.ledger import Ledger
from workflow.workspace.config import load_settings

YEAR = 2025
NOW = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))
EDU, HEALTH, STREET = "长乐区教育局", "长乐区卫生健康局", "长乐区吴航街道办事处"
UNITS = [
    (EDU, "区教育局", "部门", "陈晓玲", "0591-28921075"),
    (HEALTH, "区卫健局", "部门", "", ""),
    (STREET, "吴航街道", "街道乡镇", "", ""),
]
SPEC = load_format("gov2021")
NEW_NATURAL = "表三「一、本年新收政府信息公开申请数量」·自然人"


def make_workspace(root: Path, settle_seconds: float = 0) -> Settings:
    root.mkdir(parents=True, exist_ok=True)
    config = root / "workflow.toml"
    config.write_text(
        workspace_config("长乐区", YEAR, UNITS, settle_seconds=settle_seconds, pdf=False), "utf-8"
    )
    for sub in ("inbox", "outbox", "archive"):
        (root / sub).mkdir(exist_ok=True)
    return load_settings(config)


@pytest.fixture
def ws(tmp_path) -> Settings:
    return make_workspace(tmp_path / "工作区")


def drop(settings: Settings, name: str, unit: str, **kw) -> bytes:
    path = settings.inbox_dir / name
    write_submission(path, SPEC, unit, YEAR, now=NOW, roster=[u[0] for u in UNITS], **kw)
    return path.read_bytes()


def run(settings: Settings, minutes: int = 0) -> PassSummary:
    return run_once(settings, now=NOW + timedelta(minutes=minutes))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archived(settings: Settings) -> dict[str, str]:
    """Archive content hash → folder/name."""
    out = {}
    for rel in walk_files(settings.archive_dir):
        out[sha((settings.archive_dir / rel).read_bytes())] = rel
    return out


def units_summary(settings: Settings) -> dict[str, dict]:
    data = json.loads((settings.year_outbox / "summary.json").read_text("utf-8"))
    return {u["name"]: u for u in data["units"]}


def assert_outbox_consistent(settings: Settings) -> dict:
    """Every outbox file is listed in the latest manifest with its hash, and vice versa."""
    latest = read_manifests(settings.outbox_dir, limit=1)[0]
    listed = {o["path"].removeprefix("outbox/"): o["sha256"] for o in latest["outputs"]}
    present = set(walk_files(settings.outbox_dir))
    assert present == set(listed)
    for rel, digest in listed.items():
        assert sha((settings.outbox_dir / rel).read_bytes()) == digest, rel
    return latest


def test_files_are_checked_archived_and_published(ws):
    edu = drop(ws, "教育局年报.xlsx", EDU)
    (ws.inbox_dir / "吴航街道").mkdir()
    street = drop(ws, "吴航街道/年报.xlsx", STREET)
    with zipfile.ZipFile(ws.inbox_dir / "关于报送年报的说明.docx", "w") as stray:
        stray.writestr("word/document.xml", "<w:document/>")
    summary = run(ws)
    assert (summary.count("accepted"), summary.count("rejected")) == (2, 1)
    assert "本次处理 3 个文件：通过 2，退回 1。已报 2/3 个单位" in summary.describe()
    assert list(walk_files(ws.inbox_dir)) == []
    store = archived(ws)
    assert store[sha(edu)].startswith(f"{YEAR}/accepted/{sha(edu)[:12]}_")
    assert store[sha(street)].startswith(f"{YEAR}/accepted/")
    assert any(
        v.startswith(f"{YEAR}/rejected/") and v.endswith("说明.docx") for v in store.values()
    )
    latest = assert_outbox_consistent(ws)
    feedback = ws.year_outbox / "反馈"
    assert (feedback / EDU / "回执_教育局年报.txt").is_file()
    assert (feedback / "关于报送年报的说明" / "回执_关于报送年报的说明.txt").is_file()
    assert {i["status"] for i in latest["inputs"]} == {"accepted", "rejected"}
    units = units_summary(ws)
    assert {n: u["status"] for n, u in units.items()} == {
        EDU: "accepted",
        HEALTH: "missing",
        STREET: "accepted",
    }
    assert units[EDU]["outputs"]["receipt"] == f"outbox/{YEAR}/反馈/{EDU}/回执_教育局年报.txt"
    assert units[EDU]["source"].startswith(f"archive/{YEAR}/accepted/")


def test_lock_temp_and_hidden_files_are_left_alone(ws):
    noise = [
        "~$教育局年报.xlsx",
        ".~lock.教育局年报.xlsx#",
        "~WRL0001.tmp",
        "A1B2.tmp",
        "Thumbs.db",
        ".hidden",
    ]
    for name in noise:
        (ws.inbox_dir / name).write_bytes(b"x")
    summary = run(ws)
    assert summary.files == [] and "收件箱中没有新文件" in summary.describe()
    assert sorted(walk_files(ws.inbox_dir)) == sorted(noise)
    with Ledger.open(ws.state_dir) as ledger:
        assert ledger.files() == []
    assert not (ws.year_outbox / "反馈").exists()


def test_file_open_in_excel_waits_until_closed(ws):
    drop(ws, "教育局年报.xlsx", EDU)
    (ws.inbox_dir / "~$教育局年报.xlsx").write_bytes(b"owner")
    summary = run(ws)
    assert summary.files == [] and summary.waiting == ["教育局年报.xlsx"]
    assert "等待" in summary.describe() or "稍后处理" in summary.describe()
    page = (ws.outbox_dir / "index.html").read_text("utf-8")
    assert "收件箱中有 1 个文件尚未接收" in page and "教育局年报.xlsx" in page
    assert not run(ws, 5).published, "the same file still waiting: nothing to republish"
    (ws.inbox_dir / "~$教育局年报.xlsx").unlink()
    assert run(ws, 10).count("accepted") == 1
    assert "尚未接收" not in (ws.outbox_dir / "index.html").read_text("utf-8")


def test_same_file_twice_is_a_duplicate(ws):
    data = drop(ws, "教育局年报.xlsx", EDU)
    run(ws)
    (ws.inbox_dir / "教育局年报(1).xlsx").write_bytes(data)
    (ws.inbox_dir / "教育局年报 - 副本.xlsx").write_bytes(data)
    summary = run(ws, 10)
    assert summary.count("duplicate") == 2 and "重复 2" in summary.describe()
    receipts = list((ws.year_outbox / "反馈" / EDU).glob("*重复报送*.txt"))
    assert len(receipts) == 2
    assert all("与已报送文件相同" in p.read_text("utf-8") for p in receipts)
    names = sorted(walk_files(ws.archive_dir))
    assert (
        sum("/duplicate/" in n for n in names) == 2 and sum("/accepted/" in n for n in names) == 1
    )
    assert [u["status"] for u in units_summary(ws).values()].count("accepted") == 1
    assert_outbox_consistent(ws)


def test_same_bytes_twice_in_one_pass(ws):
    data = drop(ws, "a.xlsx", EDU)
    (ws.inbox_dir / "b.xlsx").write_bytes(data)
    summary = run(ws)
    assert sorted(f.status for f in summary.files) == ["accepted", "duplicate"]


def test_corrected_resubmission_supersedes_and_shows_what_changed(ws):
    first = drop(ws, "教育局年报.xlsx", EDU, values=natural_column(SPEC, 3, 2))
    run(ws)
    second = drop(ws, "教育局年报（更正）.xlsx", EDU, values=natural_column(SPEC, 5, 4))
    summary = run(ws, 60)
    assert f"{EDU}：{NEW_NATURAL} 3 → 5" in summary.describe()
    latest = assert_outbox_consistent(ws)
    assert {
        "unit": EDU,
        "field": "apply_new_natural",
        "label": NEW_NATURAL,
        "old": "3",
        "new": "5",
    } in latest["changes"]
    assert all(not c["field"].endswith("_total") for c in latest["changes"]), (
        "computed totals are not listed"
    )
    store = archived(ws)
    assert "/superseded/" in store[sha(first)] and "/accepted/" in store[sha(second)]
    unit = units_summary(ws)[EDU]
    assert unit["values"]["apply_new_natural"] == 5 and unit["sha256"] == sha(second)
    assert unit["updated"] is True
    run(ws, 120)  # nothing new: the change was published once
    assert read_manifests(ws.outbox_dir, limit=1)[0]["changes"] == latest["changes"]


def test_rejected_file_then_a_fixed_one(ws):
    bad = drop(ws, "教育局年报.xlsx", EDU, values={"review_upheld": "/"})
    summary = run(ws)
    assert summary.files[0].status == "rejected" and summary.files[0].errors >= 1
    annotated = ws.year_outbox / "反馈" / EDU / "校验结果_教育局年报.xlsx"
    assert annotated.is_file()
    assert units_summary(ws)[EDU]["status"] == "rejected"
    good = drop(ws, "教育局年报.xlsx", EDU)
    assert run(ws, 30).count("accepted") == 1
    store = archived(ws)
    assert "/rejected/" in store[sha(bad)] and "/accepted/" in store[sha(good)]
    assert units_summary(ws)[EDU]["status"] == "accepted"
    assert_outbox_consistent(ws)


def test_later_rejected_file_does_not_replace_the_accepted_one(ws):
    good = drop(ws, "教育局年报.xlsx", EDU, values=natural_column(SPEC, 3, 2))
    run(ws)
    drop(ws, "教育局年报v2.xlsx", EDU, values={"review_upheld": "/"})
    run(ws, 30)
    unit = units_summary(ws)[EDU]
    assert unit["status"] == "accepted" and unit["sha256"] == sha(good)
    state = next(s for s in workspace_status(ws).states if s.unit.name == EDU)
    assert state.label == "已通过（新报送文件未通过）"


def test_pass_with_nothing_new_changes_nothing_and_is_fast(ws):
    drop(ws, "教育局年报.xlsx", EDU)
    drop(ws, "卫健局年报.xlsx", HEALTH, values={"review_upheld": "/"})
    run(ws)

    def snapshot():
        return {
            rel: ((ws.outbox_dir / rel).read_bytes(), (ws.outbox_dir / rel).stat().st_mtime_ns)
            for rel in walk_files(ws.outbox_dir)
        }

    before, runs_before = snapshot(), sorted((ws.outbox_dir / "runs").iterdir())
    with Ledger.open(ws.state_dir) as ledger:
        rows_before = [(r.id, r.status, r.state, r.published) for r in ledger.files()]
    start = time.perf_counter()
    summary = run(ws, 10)
    elapsed = time.perf_counter() - start
    assert snapshot() == before and sorted((ws.outbox_dir / "runs").iterdir()) == runs_before
    with Ledger.open(ws.state_dir) as ledger:
        assert [(r.id, r.status, r.state, r.published) for r in ledger.files()] == rows_before
    assert not summary.published and "输出无变化" in summary.describe()
    assert elapsed < 0.5, f"no-change pass took {elapsed:.2f} s"


def test_file_still_being_written_is_taken_only_when_complete(tmp_path):
    ws = make_workspace(tmp_path / "ws", settle_seconds=0.4)
    source = tmp_path / "full.xlsx"
    write_submission(source, SPEC, EDU, YEAR, now=NOW)
    data = source.read_bytes()
    target = ws.inbox_dir / "教育局年报.xlsx"

    def slow_copy():
        with target.open("wb") as fh:
            step = len(data) // 30 + 1
            for i in range(0, len(data), step):
                fh.write(data[i : i + step])
                fh.flush()
                time.sleep(0.03)

    writer = threading.Thread(target=slow_copy)
    writer.start()
    time.sleep(0.1)
    first = run(ws)
    writer.join()
    assert first.files == [] and first.waiting == ["教育局年报.xlsx"]
    second = run(ws, 10)
    assert [f.status for f in second.files] == ["accepted"]
    assert sha(data) in archived(ws)


def test_leftovers_of_a_dead_pass_are_cleaned(ws):
    drop(ws, "教育局年报.xlsx", EDU)
    run(ws)
    stale = ws.outbox_dir / ".staging-20260101-000000-0009"
    stale.mkdir()
    (stale / "half.docx").write_bytes(b"half")
    temps = [ws.year_outbox / ".summary.json.4242.tmp", ws.outbox_dir / "runs" / ".x.json.4242.tmp"]
    for temp in temps:
        temp.write_bytes(b"partial")
    (ws.year_outbox / "unlisted.tmp").write_bytes(b"someone else's")
    drop(ws, "卫健局年报.xlsx", HEALTH)
    run(ws, 10)
    assert not stale.exists() and not any(t.exists() for t in temps)
    assert (ws.year_outbox / "unlisted.tmp").read_bytes() == b"someone else's"  # not ours
    (ws.year_outbox / "unlisted.tmp").unlink()
    assert_outbox_consistent(ws)


def test_unknown_unit_is_rejected_and_listed_as_stray(ws):
    drop(ws, "某某局.xlsx", "长乐区某某局")
    summary = run(ws)
    assert summary.files[0].status == "rejected"
    report = workspace_status(ws)
    assert [r.inbox_path for r in report.strays] == ["某某局.xlsx"]
    assert "无法对应到名单内单位的文件" in report.text()


def test_publish_retries_while_a_report_is_open(ws, monkeypatch):
    from workflow.store import durable

    drop(ws, "教育局年报.xlsx", EDU)
    real, refusals = os.replace, []

    def flaky(src, dst):
        if ".staging-" in str(src) and ".staging-" not in str(dst) and len(refusals) < 2:
            refusals.append(dst)
            raise PermissionError(13, "being used by another process")
        return real(src, dst)

    monkeypatch.setattr(durable.os, "replace", flaky)
    monkeypatch.setattr(durable.time, "sleep", lambda s: None)
    assert run(ws).published and len(refusals) == 2
    assert_outbox_consistent(ws)


def test_report_kept_open_fails_the_publication_clearly_and_nothing_is_lost(ws, monkeypatch):
    from workflow.errors import OutputError
    from workflow.store import durable

    data = drop(ws, "教育局年报.xlsx", EDU)
    real = os.replace

    def refuse(src, dst):
        if ".staging-" in str(src) and ".staging-" not in str(dst):
            raise PermissionError(13, "being used by another process")
        return real(src, dst)

    monkeypatch.setattr(durable.os, "replace", refuse)
    monkeypatch.setattr(durable.time, "sleep", lambda s: None)
    with pytest.raises(OutputError, match="正被 Excel、WPS"):
        run(ws)
    assert sha(data) in archived(ws) and read_manifests(ws.outbox_dir) == []
    monkeypatch.setattr(durable.os, "replace", real)
    assert run(ws, 10).published
    assert_outbox_consistent(ws)


def test_durable_order_fsync_before_replace_and_archive_before_removal(ws, monkeypatch):
    """Every os.replace into the outbox or the archive moves a file that was itself fsynced
    before (the same inode, not just any file); the inbox original is removed only after its
    archive copy is in place."""
    from workflow.pipeline import inbox
    from workflow.store import archive, durable

    drop(ws, "教育局年报.xlsx", EDU)
    events: list[tuple[str, str]] = []
    synced: set[tuple[int, int]] = set()  # (device, inode) of every fsynced file
    real_fsync, real_replace, real_unlink = os.fsync, os.replace, Path.unlink

    def spy_fsync(fd):
        st = os.fstat(fd)
        synced.add((st.st_dev, st.st_ino))
        events.append(("fsync", ""))
        return real_fsync(fd)

    def spy_replace(src, dst):
        st = os.stat(src)
        events.append(("replace", str(dst)))
        staged = "/.staging-" in Path(dst).as_posix()  # fsynced when published from there
        if str(dst).startswith((str(ws.archive_dir), str(ws.outbox_dir))) and not staged:
            assert (st.st_dev, st.st_ino) in synced, f"{src} moved to {dst} without an fsync"
        return real_replace(src, dst)

    def spy_unlink(self, missing_ok=False):
        events.append(("unlink", str(self)))
        return real_unlink(self, missing_ok=missing_ok)

    for module in (durable, archive, inbox):
        monkeypatch.setattr(module.os, "fsync", spy_fsync, raising=False)
        monkeypatch.setattr(module.os, "replace", spy_replace, raising=False)
    monkeypatch.setattr(Path, "unlink", spy_unlink)
    run(ws)
    ours = (str(ws.archive_dir), str(ws.outbox_dir))
    replaces = [i for i, e in enumerate(events) if e[0] == "replace" and e[1].startswith(ours)]
    assert len(replaces) > 5  # the archive copy, outputs, the manifest
    archive_at = next(i for i, e in enumerate(events) if e[0] == "replace" and "/archive/" in e[1])
    removed_at = next(i for i, e in enumerate(events) if e[0] == "unlink" and "/inbox/" in e[1])
    assert archive_at < removed_at


def test_many_files_are_checked_in_a_process_pool(ws, monkeypatch):
    from workflow.pipeline import check_step

    monkeypatch.setattr(check_step, "POOL_MIN_FILES", 2)
    drop(ws, "教育局年报.xlsx", EDU)
    drop(ws, "卫健局年报.xlsx", HEALTH, values={"review_upheld": "/"})
    drop(ws, "吴航街道年报.xlsx", STREET)
    seen = []
    summary = run_once(ws, now=NOW, progress=lambda done, total: seen.append((done, total)))
    assert sorted(f.status for f in summary.files) == ["accepted", "accepted", "rejected"]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert_outbox_consistent(ws)


def test_file_replaced_while_being_checked_is_kept_for_the_next_pass(ws, monkeypatch):
    """H4: the department overwrites its file after our snapshot: the snapshot's bytes are
    archived, the new bytes stay in the inbox and are processed next pass; nothing is lost."""
    from workflow.pipeline import check_step

    first = drop(ws, "教育局年报.xlsx", EDU, values=natural_column(SPEC, 3, 2))
    real = check_step._worker_check

    def overwrite_during_check(*args):
        out = real(*args)
        drop(ws, "教育局年报.xlsx", EDU, values=natural_column(SPEC, 5, 4))
        return out

    monkeypatch.setattr(check_step, "_worker_check", overwrite_during_check)
    run(ws)
    second = (ws.inbox_dir / "教育局年报.xlsx").read_bytes()
    assert second != first and sha(first) in archived(ws)
    monkeypatch.setattr(check_step, "_worker_check", real)
    summary = run(ws, 10)
    assert [f.status for f in summary.files] == ["accepted"]
    assert sha(second) in archived(ws) and list(walk_files(ws.inbox_dir)) == []
    assert units_summary(ws)[EDU]["values"]["apply_new_natural"] == 5


# -- stateful model: any sequence of drops and passes keeps the invariants ---------------------------
_FILES: dict[tuple[str, int, bool], bytes] = {}


def _file(unit: str, version: int, valid: bool) -> bytes:
    """Pre-built submission bytes (a template write costs ~50 ms; build each once)."""
    key = (unit, version, valid)
    if key not in _FILES:
        import tempfile

        values = natural_column(SPEC, 3 + version, 2) | ({} if valid else {"review_upheld": "/"})
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "f.xlsx"
            write_submission(path, SPEC, unit, YEAR, now=NOW, values=values)
            _FILES[key] = path.read_bytes()
    return _FILES[key]


class InboxModel:
    """A model of the inbox. Actions: drop a valid or invalid file for a unit (new name, or over a
    file still waiting), drop the same bytes again, drop noise, run a pass. After each pass:
    nothing lost, the current submission of each unit is its latest accepted file (the oracle),
    and the outbox matches its manifest."""

    def __init__(self, root: Path) -> None:
        self.ws = make_workspace(root)
        self.dropped: set[str] = set()  # hashes of every file that was ever in the inbox
        self.seen: set[str] = set()  # hashes the pipeline has taken
        self.expected: dict[str, str] = {}  # unit -> sha of its current (latest accepted) file
        self.count = 0
        self.minutes = 0
        self.passes: list[int] = []

    def drop_file(self, unit: str, version: int, valid: bool, reuse: bool) -> None:
        waiting = sorted(n for n in walk_files(self.ws.inbox_dir) if not n.startswith("~$"))
        name = waiting[0] if reuse and waiting else f"f{self.count:03d}.xlsx"
        self.count += 1
        (self.ws.inbox_dir / name).write_bytes(_file(unit, version, valid))

    def drop_same_bytes_again(self) -> None:
        if self.seen:
            data = next(v for v in _FILES.values() if sha(v) in self.seen)
            (self.ws.inbox_dir / f"copy{self.count:03d}.xlsx").write_bytes(data)
            self.count += 1

    def drop_noise(self) -> None:
        (self.ws.inbox_dir / f"~$x{self.count:03d}.xlsx").write_bytes(b"owner")
        self.count += 1

    def run_pass(self) -> None:
        inbox = self.ws.inbox_dir
        names = sorted(n for n in walk_files(inbox) if not n.startswith("~$"))
        in_pass = set()
        for name in names:  # the oracle: within a pass, files arrive in name order
            data = (inbox / name).read_bytes()
            digest = sha(data)
            self.dropped.add(digest)
            if digest in self.seen or digest in in_pass:
                continue
            in_pass.add(digest)
            unit, _, valid = next(k for k, v in _FILES.items() if v == data)
            if valid:
                self.expected[unit] = digest
        self.minutes += 10
        summary = run(self.ws, self.minutes)
        assert len(summary.files) == len(names)
        self.passes.append(len(names))
        self.seen |= in_pass
        assert all(n.startswith("~$") for n in walk_files(inbox)), "every file was taken"
        self.check()

    def check(self) -> None:
        here = set(archived(self.ws))
        here |= {sha((self.ws.inbox_dir / n).read_bytes()) for n in walk_files(self.ws.inbox_dir)}
        assert self.dropped <= here, "nothing lost"
        if read_manifests(self.ws.outbox_dir, limit=1):
            assert_outbox_consistent(self.ws)
            units = units_summary(self.ws)
            assert sorted(units) == sorted(u[0] for u in UNITS), "each unit once"
            current = {n: u["sha256"] for n, u in units.items() if u["status"] == "accepted"}
            assert current == self.expected


@pytest.mark.parametrize("seed", range(4))
def test_random_sequences_of_drops_and_passes(tmp_path, seed):
    rng = random.Random(seed)
    model = InboxModel(tmp_path / "ws")
    for _ in range(12):
        action = rng.choices(["drop", "again", "noise", "run"], weights=[5, 1, 1, 3])[0]
        if action == "drop":
            unit, version = rng.choice([EDU, HEALTH]), rng.randint(0, 2)
            model.drop_file(unit, version, valid=rng.random() < 0.7, reuse=rng.random() < 0.2)
        elif action == "again":
            model.drop_same_bytes_again()
        elif action == "noise":
            model.drop_noise()
        else:
            model.run_pass()
    model.run_pass()
    assert sum(model.passes) > 0


# ------------------------------------------------------------------ roster changes and lost outputs
def reconfigure(settings: Settings, units: list[tuple[str, str, str, str, str]]) -> Settings:
    config = settings.workspace / "workflow.toml"
    config.write_text(workspace_config("长乐区", YEAR, units, settle_seconds=0, pdf=False), "utf-8")
    return load_settings(config)


def test_renamed_unit_keeps_its_accepted_data_through_its_alias(ws):
    drop(ws, "教育局年报.xlsx", EDU, values=natural_column(SPEC, 3, 2))
    run(ws)
    before = json.loads((ws.year_outbox / "summary.json").read_text("utf-8"))["totals"]
    renamed = "长乐区教育和体育局"
    ws2 = reconfigure(ws, [(renamed, EDU, "部门", "", ""), *UNITS[1:]])
    summary = run(ws2, 10)
    assert "已报 1/3 个单位（已通过 1" in summary.describe() and not summary.orphans
    data = json.loads((ws2.year_outbox / "summary.json").read_text("utf-8"))
    units = {u["name"]: u for u in data["units"]}
    assert units[renamed]["status"] == "accepted"
    assert units[renamed]["values"]["apply_new_natural"] == 3
    assert data["totals"] == before
    status = workspace_status(ws2).text()
    assert renamed in status and "已通过" in status and "不在当前名单中" not in status
    # a corrected file under the new name supersedes the one stored under the old name
    drop(ws2, "教育局年报（更正）.xlsx", renamed, values=natural_column(SPEC, 5, 4))
    summary = run(ws2, 20)
    assert f"{renamed}：{NEW_NATURAL} 3 → 5" in summary.describe()
    with Ledger.open(ws2.state_dir) as ledger:
        assert list(ledger.current()) == [renamed]
    assert units_summary(ws2)[renamed]["values"]["apply_new_natural"] == 5
    assert sum("/superseded/" in v for v in archived(ws2).values()) == 1


def test_stored_submission_of_a_unit_no_longer_in_the_roster_is_reported(ws):
    drop(ws, "教育局年报.xlsx", EDU)
    run(ws)
    ws2 = reconfigure(ws, [("长乐区教育和体育局", "", "部门", "", ""), *UNITS[1:]])
    summary = run(ws2, 10)
    notice = (
        f"台账中有 1 个单位的报送不在当前名单中：「{EDU}」（可能改了名称，请把旧名称加入 aliases）"
    )
    assert notice in summary.describe()
    assert notice in workspace_status(ws2).text()
    assert units_summary(ws2)["长乐区教育和体育局"]["status"] == "missing"


def test_rejected_resubmission_after_an_accepted_one_is_on_the_record(ws):
    drop(ws, "教育局年报.xlsx", EDU)
    run(ws)
    drop(ws, "教育局年报（修改）.xlsx", EDU, values={"review_upheld": "/"})
    run(ws, 10)
    unit = units_summary(ws)[EDU]
    assert unit["status"] == "accepted"
    receipt = f"outbox/{YEAR}/反馈/{EDU}/回执_教育局年报（修改）.txt"
    assert unit["newer_rejected"] == {
        "file": "教育局年报（修改）.xlsx",
        "receipt": receipt,
        "errors": 1,
        "submitted_at": unit["newer_rejected"]["submitted_at"],
    }
    assert unit["newer_rejected"]["submitted_at"] > unit["submitted_at"]
    assert "此前报送的「教育局年报.xlsx」已通过校验，汇总目前仍使用该版本" in (
        ws.workspace / receipt
    ).read_text("utf-8-sig")
    assert (ws.workspace / receipt).is_file()
    drop(ws, "教育局年报（再次修改）.xlsx", EDU, values=natural_column(SPEC, 4, 4))
    run(ws, 20)
    assert "newer_rejected" not in units_summary(ws)[EDU] or not units_summary(ws)[EDU].get(
        "newer_rejected"
    )


def test_deleted_outbox_gets_its_feedback_and_history_back(ws):
    drop(ws, "教育局年报.xlsx", EDU)
    drop(ws, "卫健局年报.xlsx", HEALTH, values={"review_upheld": "/"})
    run(ws)
    drop(ws, "教育局年报（更正）.xlsx", EDU, values=natural_column(SPEC, 5, 4))
    run(ws, 10)
    before = {
        rel: (ws.outbox_dir / rel).read_bytes()
        for rel in walk_files(ws.outbox_dir)
        if "/反馈/" in rel
    }
    assert len(before) >= 4 and any("校验结果_" in rel for rel in before)
    runs_before = sorted(p.name for p in (ws.outbox_dir / "runs").iterdir())
    import shutil

    shutil.rmtree(ws.outbox_dir)
    summary = run(ws, 20)
    assert summary.published and summary.restored == len(before)
    after = {rel: (ws.outbox_dir / rel).read_bytes() for rel in before}
    assert after == before, "byte-identical: republished from the durable copies"
    assert set(runs_before) <= {p.name for p in (ws.outbox_dir / "runs").iterdir()}
    assert_outbox_consistent(ws)
    for unit in units_summary(ws).values():
        for path in unit["outputs"].values():
            assert (ws.workspace / path).is_file(), path
    # a deleted output is made again
    rollup = next(p for p in ws.year_outbox.glob("*.xlsx"))
    rollup.unlink()
    assert run(ws, 25).published and rollup.is_file()
    assert_outbox_consistent(ws)
    # one feedback folder deleted: only that comes back, and then nothing more to do
    shutil.rmtree(ws.year_outbox / "反馈" / HEALTH)
    summary = run(ws, 30)
    assert summary.published and summary.restored >= 1
    assert (ws.year_outbox / "反馈" / HEALTH / "回执_卫健局年报.txt").is_file()
    assert not run(ws, 40).published


def test_feedback_without_a_durable_copy_is_made_again_from_the_archive(ws):
    drop(ws, "卫健局年报.xlsx", HEALTH, values={"review_upheld": "/"})
    run(ws)
    receipt = ws.year_outbox / "反馈" / HEALTH / "回执_卫健局年报.txt"
    original = receipt.read_bytes()
    import shutil

    shutil.rmtree(ws.state_dir / "feedback")  # a ledger from before durable copies were kept
    shutil.rmtree(ws.outbox_dir)
    summary = run(ws, 10)
    assert summary.restored >= 1 and receipt.read_bytes() == original
    assert_outbox_consistent(ws)


def test_file_in_another_units_folder_is_rejected_not_swapped(ws):
    drop(ws, "教育局年报.xlsx", EDU, values=natural_column(SPEC, 3, 2))
    run(ws)
    (ws.inbox_dir / "区卫健局").mkdir()  # the folder is named by an alias
    drop(ws, "区卫健局/年报.xlsx", EDU, values=natural_column(SPEC, 9, 9))
    summary = run(ws, 10)
    assert [(f.status, f.unit) for f in summary.files] == [("rejected", HEALTH)]
    units = units_summary(ws)
    assert units[EDU]["status"] == "accepted" and units[EDU]["values"]["apply_new_natural"] == 3
    assert units[HEALTH]["status"] == "rejected"
    receipt = (ws.year_outbox / "反馈" / HEALTH / "回执_年报.txt").read_text("utf-8-sig")
    assert (
        f"文件放在「区卫健局」文件夹中，但「单位名称」填写的是「{EDU}」。请确认报送单位："
        f"如是{EDU}的报表，请放入{EDU}文件夹；如是本单位报表，请改正单位名称。"
    ) in receipt
    assert "文件夹与单位名称不符" in receipt
    with Ledger.open(ws.state_dir) as ledger:
        row = ledger.files()[-1]
    errors = [f["rule"] for f in row.result_data["findings"] if f["severity"] == "error"]
    assert errors == ["unit-folder-mismatch"] and row.errors == 1
    # the unit's own folder (by name) is fine
    (ws.inbox_dir / EDU).mkdir()
    drop(ws, f"{EDU}/年报.xlsx", EDU, values=natural_column(SPEC, 4, 2))
    assert [f.status for f in run(ws, 20).files] == ["accepted"]


def test_roster_change_rechecks_files_rejected_as_unknown_unit(ws):
    culture = "长乐区文化体育和旅游局"
    drop(ws, "文旅局年报.xlsx", culture, values=natural_column(SPEC, 6, 1))
    drop(ws, "文旅局年报（有错）.xlsx", culture, values={"review_upheld": "/"})
    drop(ws, "城管局年报.xlsx", "长乐区城市管理局")  # still not in the roster after the change
    run(ws)
    receipt = ws.year_outbox / "反馈" / culture / "回执_文旅局年报.txt"
    assert "不在本区的单位名单中" in receipt.read_text("utf-8-sig")
    assert run(ws, 5).rechecked == [], "no roster change, no recheck"
    ws2 = reconfigure(ws, [*UNITS, (culture, "", "部门", "", "")])
    summary = run(ws2, 10)
    assert sorted(summary.rechecked) == ["文旅局年报.xlsx", "文旅局年报（有错）.xlsx"]
    assert "重新校验了 2 个" in summary.describe()
    unit = units_summary(ws2)[culture]
    assert unit["status"] == "accepted" and unit["values"]["apply_new_natural"] == 6
    assert unit["newer_rejected"]["file"] == "文旅局年报（有错）.xlsx"
    fresh = ws2.year_outbox / "反馈" / culture / "回执_文旅局年报.txt"
    assert "不在本区的单位名单中" not in fresh.read_text("utf-8-sig")
    store = archived(ws2)
    assert sum(v.startswith(f"{YEAR}/accepted/") for v in store.values()) == 1
    assert_outbox_consistent(ws2)
    assert run(ws2, 20).rechecked == []
    status = workspace_status(ws2).text()
    assert "已报 1/4 个单位" in status


def test_feedback_is_not_made_again_when_the_outcome_would_differ(ws, caplog):
    drop(ws, "卫健局年报.xlsx", HEALTH, values={"review_upheld": "/"})
    run(ws)
    import shutil

    with Ledger.open(ws.state_dir) as ledger:  # as if checked by an older version of the rules
        row = ledger.files()[0]
        data = row.result_data
        data["findings"] = data["findings"][:-1]
        ledger.update_file(row.id, result=json.dumps(data, ensure_ascii=False))
    shutil.rmtree(ws.state_dir / "feedback")
    shutil.rmtree(ws.year_outbox / "反馈")
    summary = run(ws, 10)
    assert summary.restored == 0 and not (ws.year_outbox / "反馈").exists()
    assert_outbox_consistent(ws)  # republished without what could not be made again
    assert "重新校验的结果与台账记录不同" in caplog.text
    caplog.clear()
    assert not run(ws, 20).published and "台账记录不同" not in caplog.text, "tried once only"


def test_archive_that_fails_mid_pass_is_an_output_error_and_the_next_pass_finishes(ws):
    from workflow.errors import OutputError

    data = drop(ws, "教育局年报.xlsx", EDU)
    (ws.archive_dir / str(YEAR)).write_text("a file where the year folder should be")
    with pytest.raises(OutputError, match=r"无法写入存档 .*\[paths\] archive"):
        run(ws)
    assert (ws.inbox_dir / "教育局年报.xlsx").read_bytes() == data, "the original stays"
    (ws.archive_dir / str(YEAR)).unlink()
    summary = run(ws, 10)
    assert summary.recovered == 1 and units_summary(ws)[EDU]["status"] == "accepted"
    assert list(walk_files(ws.inbox_dir)) == [] and sha(data) in archived(ws)
    assert_outbox_consistent(ws)


def test_outbox_that_is_a_file_is_an_output_error_before_anything_is_taken(ws):
    from workflow.errors import OutputError

    drop(ws, "教育局年报.xlsx", EDU)
    ws.outbox_dir.rmdir()
    ws.outbox_dir.write_text("x")
    with pytest.raises(OutputError, match="是一个文件，不是文件夹"):
        run(ws)
    with Ledger.open(ws.state_dir) as ledger:
        assert ledger.files() == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_archive_is_an_output_error(ws):
    from workflow.errors import OutputError

    drop(ws, "教育局年报.xlsx", EDU)
    ws.archive_dir.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="存档目录 .* 无法写入"):
            run(ws)
    finally:
        ws.archive_dir.chmod(0o755)


def test_a_short_folder_name_still_stands_for_its_unit(ws):
    (
        ws.inbox_dir / "卫生健康局"
    ).mkdir()  # neither the name nor an alias, but only one unit ends so
    drop(ws, "卫生健康局/年报.xlsx", EDU, values=natural_column(SPEC, 9, 9))
    summary = run(ws)
    assert [(f.status, f.unit) for f in summary.files] == [("rejected", HEALTH)]
    receipt = (ws.year_outbox / "反馈" / HEALTH / "回执_年报.txt").read_text("utf-8-sig")
    assert "文件放在「卫生健康局」文件夹中" in receipt


def test_editing_the_district_text_alone_republishes(tmp_path):
    config = workspace_config("长乐区", YEAR, UNITS[:1], pdf=False)
    config = config.replace("[report]\n", '[report]\ndistrict_text = "正文.md"\n')
    (tmp_path / "workflow.toml").write_text(config, "utf-8")
    (tmp_path / "正文.md").write_text("## 一、总体情况\n培训2场。\n", "utf-8")
    ws = load_settings(tmp_path / "workflow.toml")
    drop(ws, "教育局年报.xlsx", EDU)
    assert run(ws).published
    assert not run(ws, 5).published, "nothing changed"
    (tmp_path / "正文.md").write_text("## 一、总体情况\n培训3场。\n", "utf-8")
    assert run(ws, 10).published, "the district office's text changed: the report is rebuilt"


def test_a_duplicate_of_a_rejected_file_is_told_to_fix_it(ws):
    data = drop(ws, "教育局年报.xlsx", EDU, values={"review_upheld": "/"})
    run(ws)
    (ws.inbox_dir / "教育局年报(1).xlsx").write_bytes(data)
    assert run(ws, 10).count("duplicate") == 1
    (receipt,) = (ws.year_outbox / "反馈" / EDU).glob("*重复报送*.txt")
    text = receipt.read_text("utf-8-sig")
    assert "未通过校验，重复报送不会改变结果" in text and "无需再次报送" not in text
