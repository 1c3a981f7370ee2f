"""The tree stays clean: ruff lint, ruff format and mypy (settings in pyproject.toml) all pass."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=120,
    )


def _assert_ok(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, f"{' '.join(proc.args[1:])} failed:\n{proc.stdout}\n{proc.stderr}"


def test_ruff_check() -> None:
    _assert_ok(_run("ruff", "check", "."))


def test_ruff_format() -> None:
    _assert_ok(_run("ruff", "format", "--check", "."))


def test_mypy(tmp_path: Path) -> None:
    # A private cache: runs in parallel (and other checkouts) never share a half-written one.
    _assert_ok(_run("mypy", "--cache-dir", str(tmp_path / "mypy_cache")))
