"""The dashboard's district totals in the official tables (表二, 表三, 表四) as the page lays them out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from workflow.dashboard.values import number
from workflow.formats.spec import Format


def totals_view(spec: Format, totals: Mapping[str, Any]) -> dict[str, Any]:
    def v(field_id: str) -> str:
        return number(totals.get(field_id))

    blocks = [
        {
            "title": b.title,
            "columns": [c.label + ("（各单位合计）" if c.stock else "") for c in b.columns],
            "rows": [(r.label, [v(b.field_id(r, c)) for c in b.columns]) for r in b.rows],
        }
        for b in spec.blocks
    ]
    return {
        "format": spec.title,
        "active_title": spec.active_title,
        "blocks": blocks,
        "apply": _apply_view(spec, v),
        "review": _review_view(spec, v),
    }


def _apply_view(spec: Format, v: Callable[[str], str]) -> dict[str, Any]:
    grid = spec.apply
    parts = [c for c in grid.columns if not c.group and not c.computed]
    grouped = [c for c in grid.columns if c.group]
    rows = [
        {
            "labels": _row_labels(spec, i),
            "cells": [v(grid.field_id(r, c)) for c in grid.columns],
            "computed": r.computed,
        }
        for i, r in enumerate(grid.rows)
    ]
    group = grouped[0].group if grouped else ""
    return {
        "title": grid.title,
        "note": grid.note,
        "header": grid.header,
        "parts": parts,
        "group": group,
        "grouped": grouped,
        "total": [c for c in grid.columns if c.computed],
        "rows": rows,
    }


def _row_labels(spec: Format, i: int) -> list[tuple[str, int, int]]:
    """表三 row ``i``'s label cells (text, rowspan, colspan): group and subgroup span their rows."""
    rows = spec.apply.rows
    r, prev = rows[i], rows[i - 1] if i else None
    label_cells: list[tuple[str, int, int]] = []
    if not r.group:
        label_cells.append((r.label, 1, 3))
    else:
        if not prev or prev.group != r.group:
            label_cells.append((r.group, sum(x.group == r.group for x in rows), 1))
        if not r.subgroup:
            label_cells.append((r.label, 1, 2))
        else:
            if not prev or prev.subgroup != r.subgroup:
                span = sum(x.subgroup == r.subgroup and x.group == r.group for x in rows)
                label_cells.append((r.subgroup, span, 1))
            label_cells.append((r.label, 1, 1))
    return label_cells


def _review_view(spec: Format, v: Callable[[str], str]) -> dict[str, Any]:
    grid = spec.review
    top: list[tuple[str, int, int]] = []  # (label, colspan, rowspan)
    second: list[str] = []
    ncols = len(grid.columns)
    for _gid, label, parent in spec.review_groups:
        if not parent:
            top.append((label, ncols, 2))
            continue
        if top and top[-1][0] == parent:
            top[-1] = (parent, top[-1][1] + ncols, 1)
        else:
            top.append((parent, ncols, 1))
        second.append(label)
    values = [v(f"{gid}_{c.id}") for gid, _l, _p in spec.review_groups for c in grid.columns]
    columns = [c.label for _g in spec.review_groups for c in grid.columns]
    return {
        "title": grid.title,
        "top": top,
        "second": second,
        "ncols": ncols,
        "columns": columns,
        "cells": values,
    }
