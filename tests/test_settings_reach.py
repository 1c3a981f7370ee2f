"""Settings reach the code that uses them, end to end through a pass (a setting that is parsed and
then dropped on the way would pass every unit test of the parser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_pipeline import EDU, drop, make_workspace, run, units_summary

from workflow.workspace.config import load_settings


@pytest.mark.parametrize(("policy", "status"), [("error", "rejected"), ("warning", "accepted")])
def test_blank_policy_reaches_the_checker_in_a_pass(tmp_path: Path, policy: str, status: str):
    ws = make_workspace(tmp_path / "工作区")
    config = ws.config_path
    text = config.read_text("utf-8").replace('blank_policy = "error"', f'blank_policy = "{policy}"')
    assert f'blank_policy = "{policy}"' in text
    config.write_text(text, "utf-8")
    ws = load_settings(config)
    assert ws.blank_policy == policy
    drop(ws, "教育局年报.xlsx", EDU, values={"review_upheld": "/"})
    summary = run(ws)
    assert [f.status for f in summary.files] == [status]
    unit = units_summary(ws)[EDU]
    assert unit["status"] == status
    if policy == "warning":
        assert unit["warnings"] >= 1 and unit["values"]["review_upheld"] == 0
    else:
        assert unit["errors"] >= 1
