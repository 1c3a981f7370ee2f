"""How values print on the dashboard and in the 催报 notice: links, numbers, times, dates."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from workflow.domain.numbers import as_decimal, plain_number


def href(path: str, base: str = "outbox") -> str:
    """A workspace-relative ``path`` as a link from the dashboard's folder ``base``.

    With ``base="outbox"``: ``outbox/2021/x.docx`` → ``2021/x.docx``; ``archive/…`` →
    ``../archive/…``; an absolute path (outbox outside the workspace) → ``file:///…``. Characters
    that would end or break a URL (``#``, ``?``, ``%``, ``:``, spaces) are percent-encoded; Chinese
    stays as is.
    """
    path, base = path.replace("\\", "/"), base.replace("\\", "/").rstrip("/") or "."
    if _is_absolute(path) and not _is_absolute(base):
        drive = path[:3] if path[1:2] == ":" else ""  # "D:/"
        return "file:///" + drive + _quote(path[len(drive) :].lstrip("/"))
    if _is_absolute(base) and not _is_absolute(path):
        base = "outbox"  # paths are workspace-relative; assume the usual layout
    return _quote(posixpath.relpath(path, base))


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or re.match(r"^[A-Za-z]:/", path) is not None


def _quote(path: str) -> str:
    safe = "/-._~!$&'()*+,;=@"
    return "".join(
        c if ord(c) > 127 or c.isalnum() or c in safe else "".join(f"%{b:02X}" for b in c.encode())
        for c in path
    )


def display_time(value: Any) -> str:
    """ISO 8601 → ``2022-01-20 10:30``; anything else unchanged; empty → ``—``."""
    if not value:
        return "—"
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


def number(value: Any) -> str:
    """A count or an amount as printed in the tables: ``12``, ``3.5``; missing → ``—``."""
    if value is None or isinstance(value, bool):
        return "—"
    d = as_decimal(value)
    return plain_number(d) if d is not None else str(value)


def deadline_of(summary: Mapping[str, Any]) -> date:
    """The units' deadline: summary["deadline"] (YYYY-MM-DD), else 1月31日 of the next year."""
    raw = str(summary.get("deadline") or "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return date(int(summary.get("year", 2000)) + 1, 1, 31)


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
