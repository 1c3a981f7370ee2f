"""Exit codes as a shell sees them: through the real entry point, not click's test runner."""

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from workflow.formats.spec import load_format
from workflow.template.workbook import write_template

NOW = datetime(2022, 1, 20, 9, 0).astimezone()


REPO = Path(__file__).resolve().parent.parent


def _workflow(*args: str, cwd: Path) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "workflow", *args], cwd=cwd, env=env, capture_output=True,
        timeout=120,
    ).returncode  # fmt: skip


@pytest.mark.parametrize(
    ("apply_new_natural", "expected"),
    [(0, 0), (3, 1)],
    ids=["clean-file-exits-0", "file-with-an-error-exits-1"],
)
def test_check_exit_code(tmp_path: Path, apply_new_natural: int, expected: int):
    path = tmp_path / "报表.xlsx"
    texts = {"unit_name": "长乐区教育局", "report_year": "2021", "report_date": "2022-01-20"}
    spec = load_format("gov2021")
    write_template(path, spec, now=NOW, year=2021, values={"apply_new_natural": apply_new_natural},
                   texts=texts)  # fmt: skip
    assert _workflow("check", str(path), cwd=tmp_path) == expected


def test_usage_error_exits_2(tmp_path: Path):
    assert _workflow("no-such-command", cwd=tmp_path) == 2


def test_missing_config_exits_2(tmp_path: Path):
    assert _workflow("--once", cwd=tmp_path) == 2


def test_check_of_a_missing_file_exits_2(tmp_path: Path):
    assert _workflow("check", "不存在.xlsx", cwd=tmp_path) == 2
