"""A unit's feedback folder shows the current state of what it sent: arrival order within a pass,
same-name resubmissions, and outputs readable by the other accounts on the share."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from test_pipeline import EDU, HEALTH, SPEC, drop, make_workspace, run, units_summary

from workflow.cli.demo import natural_column
from workflow.domain.settings import Settings
from workflow.store.durable import walk_files


@pytest.fixture
def ws(tmp_path: Path) -> Settings:
    return make_workspace(tmp_path / "工作区")


def feedback(ws: Settings, unit: str = EDU) -> dict[str, Path]:
    folder = ws.year_outbox / "反馈" / unit
    return {p.name: p for p in folder.iterdir()} if folder.is_dir() else {}


def receipt(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize("names", [("a-新.xlsx", "b-旧.xlsx"), ("b-新.xlsx", "a-旧.xlsx")])
def test_files_of_one_unit_in_one_pass_count_in_arrival_order(ws, names):
    newer, older = names
    drop(ws, older, EDU, values=natural_column(SPEC, 3, 2))
    drop(ws, newer, EDU, values=natural_column(SPEC, 5, 4))
    os.utime(ws.inbox_dir / older, ns=(1_700_000_000_000_000_000,) * 2)
    os.utime(ws.inbox_dir / newer, ns=(1_700_000_060_000_000_000,) * 2)
    summary = run(ws)
    assert sorted(f.status for f in summary.files) == ["accepted", "accepted"]
    unit = units_summary(ws)[EDU]
    assert unit["values"]["apply_new_natural"] == 5  # the newer file counts, whatever its name
    old_receipt = receipt(feedback(ws)[f"回执_{Path(older).stem}.txt"])
    assert "同一批次" in old_receipt and newer in old_receipt and "不计入汇总" in old_receipt
    assert "同一批次" not in receipt(feedback(ws)[f"回执_{Path(newer).stem}.txt"])
    archived = {Path(r).parts[1] + "/" + Path(r).name[13:] for r in walk_files(ws.archive_dir)}
    assert f"superseded/{older}" in archived and f"accepted/{newer}" in archived


def test_same_name_resubmission_that_passes_removes_the_old_annotated_copy(ws):
    drop(ws, "教育局年报.xlsx", EDU, values={"review_upheld": "/"})
    run(ws)
    assert set(feedback(ws)) == {"回执_教育局年报.txt", "校验结果_教育局年报.xlsx"}
    drop(ws, "教育局年报.xlsx", EDU)
    run(ws, 10)
    assert set(feedback(ws)) == {"回执_教育局年报.txt"}
    assert "通过" in receipt(feedback(ws)["回执_教育局年报.txt"])
    run(ws, 20)  # not put back as "lost" feedback either
    shutil.rmtree(ws.year_outbox / "反馈")
    run(ws, 30)
    assert set(feedback(ws)) == {"回执_教育局年报.txt"}


def test_outputs_are_readable_by_other_accounts(ws):
    if os.name != "posix":
        pytest.skip("POSIX modes")
    old = os.umask(0o022)
    try:
        drop(ws, "教育局年报.xlsx", EDU, values={"review_upheld": "/"})
        drop(ws, "卫健局年报.xlsx", HEALTH)
        run(ws)
    finally:
        os.umask(old)
    files = list(walk_files(ws.outbox_dir)) + [
        "runs/" + p.name for p in (ws.outbox_dir / "runs").iterdir()
    ]
    assert "index.html" in files and any("校验结果_" in f for f in files)
    for rel in files:
        mode = stat.S_IMODE((ws.outbox_dir / rel).stat().st_mode)
        assert mode & 0o044 == 0o044, (rel, oct(mode))
