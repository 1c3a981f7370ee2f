"""The installed package (as `pip install .` makes it) carries its formats, assets and templates."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    probe = _run(["-c", "import workflow; print(workflow.__file__)"], tmp_path)
    if probe.returncode != 0:
        pytest.skip("workflow is not installed in this environment (run `pip install .` first)")
    if Path(probe.stdout.strip()).resolve().is_relative_to(REPO / "workflow"):
        pytest.skip("workflow is installed in editable mode; package data is the repository's")
    return tmp_path


def test_installed_package_has_its_report_templates(installed: Path):
    result = _run(["-m", "workflow", "check-templates"], installed)
    assert result.returncode == 0, result.stdout + result.stderr


def test_installed_package_writes_a_template(installed: Path):
    result = _run(
        ["-m", "workflow", "template", "--format", "gov2019", "--out", "t.xlsx"], installed
    )
    assert result.returncode == 0, result.stderr
    assert (installed / "t.xlsx").stat().st_size > 10_000
