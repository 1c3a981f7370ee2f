"""TEST ONLY crash points of a pass: ``WORKFLOW_CRASH_AT=<point>`` makes the process die at that point
exactly like ``kill -9`` (``os._exit(137)``), so the tests can prove every step is idempotent."""

from __future__ import annotations

import os

CRASH_ENV = "WORKFLOW_CRASH_AT"
CRASH_POINTS = (
    "after-lock", "after-scan", "after-snapshot", "after-check", "after-feedback", "after-ledger",
    "after-archive", "after-remove", "after-supersede", "after-outputs", "mid-publish",
    "before-manifest", "after-manifest", "after-publish",
    "after-pdf-outputs", "pdf-mid-publish", "pdf-before-manifest", "pdf-after-manifest",
    "after-pdf-publish",
)  # fmt: skip


def crash_point(name: str) -> None:
    """TEST ONLY: die like ``kill -9`` here when ``WORKFLOW_CRASH_AT`` names this point."""
    if os.environ.get(CRASH_ENV) == name:
        os._exit(137)
