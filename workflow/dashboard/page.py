"""The coordinator's dashboard: ``outbox/index.html``, one self-contained page built from summary.json.

The page needs no server and no network: CSS, SVG charts and a small script are inlined, so it
opens from a file share by double-click. jinja2 (autoescaping) is imported here only; every text a
unit typed reaches the page escaped. Time comes in as ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from workflow.dashboard.view import page_context
from workflow.store.durable import atomic_write_bytes

TEMPLATE = "dashboard.html.j2"


def render_dashboard(
    summary: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    links: Mapping[str, str] | None = None,
) -> str:
    """The HTML of ``outbox/index.html`` for ``summary`` (summary.json) and ``runs`` (newest first).

    ``links`` adds downloads to the page header: Chinese label → workspace-relative path.
    """
    context = page_context(summary, runs, now=now, links=links)
    context |= {"css": _asset("dashboard.css"), "script": _asset("dashboard.js")}
    return _environment().get_template(TEMPLATE).render(context)


def write_dashboard(
    summary: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]],
    path: Path,
    *,
    now: datetime,
    links: Mapping[str, str] | None = None,
) -> None:
    """Render and write the page durably and atomically (``store.durable.atomic_write``)."""
    html = render_dashboard(summary, runs, now=now, links=links)
    atomic_write_bytes(path, html.encode("utf-8"))


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("workflow", "assets"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _asset(name: str) -> str:
    return resources.files("workflow").joinpath("assets", name).read_text("utf-8")
