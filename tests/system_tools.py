"""Tests that need LibreOffice, Chromium or poppler: skipped with a visible reason on a developer's
machine without them, but FAILED in CI (``CI=true``), where `.ci/run` installs them — a green CI
run means they ran."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing_tool(reason: str) -> None:
    """Skip the test because a system tool is missing (fail instead in CI)."""
    if in_ci():
        pytest.fail(f"CI=true 但缺少测试所需的系统工具：{reason}", pytrace=False)
    pytest.skip(reason)
