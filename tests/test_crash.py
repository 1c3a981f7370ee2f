"""Crash safety: kill the pass at every step boundary and at random moments, rerun, check invariants.

The pass runs in a subprocess. ``WORKFLOW_CRASH_AT=<point>`` makes it ``os._exit(137)`` at that
boundary (a real kill: no cleanup, no flush). After each crash: no input is lost (every input file
is in the inbox or the archive, byte-identical); after the rerun: every input is archived and
recorded once, each unit is counted once (with its latest accepted data), and every file in the
outbox is complete and listed in the latest manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from workflow.cli.demo import natural_column, workspace_config, write_submission
from workflow.crash import CRASH_ENV, CRASH_POINTS
from workflow.formats.spec import load_format
from workflow.pipeline.one_pass import run_once
from workflow.store.durable import STAGING_PREFIX, read_manifests, walk_files
from workflow.store.ledger import Ledger
from workflow.workspace.config import load_settings

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025
NOW = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))
EDU, HEALTH = "长乐区教育局", "长乐区卫生健康局"
UNITS = [
    (EDU, "", "部门", "", ""),
    (HEALTH, "", "部门", "", ""),
    ("长乐区吴航街道办事处", "", "街道乡镇", "", ""),
]
SPEC = load_format("gov2021")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """A workspace where 卫健局's first file was processed, and four new files wait in the inbox:
    a valid one, the same bytes again, 卫健局's correction, and a stray text file."""
    root = tmp_path_factory.mktemp("crash") / "base"
    (root / "inbox").mkdir(parents=True)
    (root / "workflow.toml").write_text(
        workspace_config("长乐区", YEAR, UNITS, settle_seconds=0, pdf=False), "utf-8"
    )
    settings = load_settings(root / "workflow.toml")
    roster = [u[0] for u in UNITS]
    inputs: dict[str, bytes] = {}
    first = root / "inbox" / "卫健局年报.xlsx"
    write_submission(
        first, SPEC, HEALTH, YEAR, now=NOW, roster=roster, values=natural_column(SPEC, 3, 2)
    )
    inputs["health-v1"] = first.read_bytes()
    run_once(settings, now=NOW)
    files = {
        "教育局年报.xlsx": (EDU, {}),
        "卫健局年报（更正）.xlsx": (HEALTH, natural_column(SPEC, 5, 4)),
    }
    for name, (unit, values) in files.items():
        write_submission(
            root / "inbox" / name, SPEC, unit, YEAR, now=NOW, roster=roster, values=values
        )
        inputs[name] = (root / "inbox" / name).read_bytes()
    (root / "inbox" / "教育局年报 - 副本.xlsx").write_bytes(inputs["教育局年报.xlsx"])
    (root / "inbox" / "备注.txt").write_text("请查收。", "utf-8")
    inputs["备注.txt"] = "请查收。".encode()
    return root, inputs


def _once(ws: Path, crash: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop(CRASH_ENV, None)
    if crash:
        env[CRASH_ENV] = crash
    cmd = [sys.executable, "-m", "workflow", "--once", "--config", str(ws / "workflow.toml")]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ws)


def _no_input_lost(ws: Path, inputs: dict[str, bytes]) -> None:
    here = set()
    for base in (ws / "inbox", ws / "archive"):
        if base.exists():
            here |= {_sha((base / rel).read_bytes()) for rel in walk_files(base)}
    missing = [name for name, data in inputs.items() if _sha(data) not in here]
    assert not missing, f"lost: {missing}"


def _invariants(ws: Path, inputs: dict[str, bytes]) -> None:
    _no_input_lost(ws, inputs)
    assert list(walk_files(ws / "inbox")) == [], "every input was taken"
    with Ledger.open(ws / ".workflow") as ledger:
        rows = ledger.files()
        current = ledger.current()
    assert len(rows) == 5, (
        "each file recorded once (卫健局 v1 and v2, 教育局 and its copy, the stray)"
    )
    assert all(r.state == "archived" and r.published for r in rows)
    for row in rows:
        assert _sha((ws / row.archive_path).read_bytes()) == row.sha256
    assert sorted(r.status for r in rows) == [
        "accepted",
        "accepted",
        "duplicate",
        "rejected",
        "superseded",
    ]
    units = json.loads((ws / "outbox" / str(YEAR) / "summary.json").read_text("utf-8"))["units"]
    assert [u["name"] for u in units] == [u[0] for u in UNITS], "each unit once"
    by_name = {u["name"]: u for u in units}
    assert by_name[HEALTH]["sha256"] == _sha(inputs["卫健局年报（更正）.xlsx"])
    assert by_name[HEALTH]["values"]["apply_new_natural"] == 5
    assert by_name[EDU]["status"] == "accepted" and set(current) == {EDU, HEALTH}
    latest = read_manifests(ws / "outbox", limit=1)[0]
    listed = {o["path"].removeprefix("outbox/"): o["sha256"] for o in latest["outputs"]}
    assert set(walk_files(ws / "outbox")) == set(listed)
    for rel, digest in listed.items():
        assert _sha((ws / "outbox" / rel).read_bytes()) == digest, rel
    assert not [p for p in (ws / "outbox").iterdir() if p.name.startswith(STAGING_PREFIX)]
    kept = {p.name for p in (ws / ".workflow" / "feedback").iterdir()}
    assert kept == {r.feedback_paths["dir"] for r in rows}, "a durable copy of each file's feedback"
    runs = {p.name for p in (ws / "outbox" / "runs").glob("*.json")}
    assert runs == {p.name for p in (ws / ".workflow" / "runs").glob("*.json")}
    if 'pdf = "typst"' in (ws / "workflow.toml").read_text("utf-8"):
        assert not latest["pdf_pending"], "the PDFs that followed were published"
        docs = {rel for rel in listed if rel.endswith(".docx")}
        assert docs and {d.removesuffix(".docx") + ".pdf" for d in docs} <= set(listed)
    changes = [c for m in read_manifests(ws / "outbox") for c in m["changes"]]
    assert [c["field"] for c in changes if c["unit"] == HEALTH].count("apply_new_natural") == 1


def _copy(scenario, tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(scenario[0], ws)
    return ws


def _finish(ws: Path) -> None:
    proc = _once(ws)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()


def _crash_and_rerun(scenario, ws: Path, point: str | None, delay: float = 0.0) -> str:
    """One trial; returns "" or what went wrong (trials run in parallel threads)."""
    try:
        proc = _once(ws, crash=point)
        if point is None:
            time.sleep(delay)
            proc.kill()
        _, err = proc.communicate(timeout=120)
        if point is not None and proc.returncode != 137:
            return f"crash point not reached (exit {proc.returncode}): {err.decode()[-500:]}"
        _no_input_lost(ws, scenario[1])
        _finish(ws)
        _invariants(ws, scenario[1])
    except AssertionError as exc:
        return str(exc)
    return ""


def _parallel(trials: dict[str, tuple]) -> dict[str, str]:
    workers = max(2, os.cpu_count() or 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(_crash_and_rerun, *args) for name, args in trials.items()}
        return {name: f.result() for name, f in futures.items() if f.result()}


def _with_pdfs(ws: Path) -> Path:
    """The workspace with typst PDFs on: its crash points after the first publication are
    reached (new PDFs follow the rest of the pass in a second publication)."""
    config = ws / "workflow.toml"
    config.write_text(config.read_text("utf-8").replace("pdf = false", 'pdf = "typst"'), "utf-8")
    assert 'pdf = "typst"' in config.read_text("utf-8")
    return ws


def _pdf_point(point: str) -> bool:
    return "pdf" in point


def test_crash_at_every_step_boundary(scenario, tmp_path):
    trials = {
        p: (scenario, _copy(scenario, tmp_path / p), p) for p in CRASH_POINTS if not _pdf_point(p)
    }
    trials |= {
        p: (scenario, _with_pdfs(_copy(scenario, tmp_path / p)), p)
        for p in CRASH_POINTS
        if _pdf_point(p)
    }
    assert _parallel(trials) == {}
    print(f"crash: {len(trials)} step boundaries, 0 lost, 0 partial-visible, 0 double-count")


def test_crash_at_random_moments(scenario, tmp_path):
    ws = _copy(scenario, tmp_path / "timing")
    start = time.perf_counter()
    _finish(ws)
    full = time.perf_counter() - start
    rng = random.Random(20260210)
    trials = {
        f"kill-{i}": (scenario, _copy(scenario, tmp_path / f"t{i}"), None, rng.uniform(0.05, full))
        for i in range(8)
    }
    assert _parallel(trials) == {}


def test_uninterrupted_pass_meets_the_invariants(scenario, tmp_path):
    ws = _copy(scenario, tmp_path)
    _finish(ws)
    _invariants(ws, scenario[1])
