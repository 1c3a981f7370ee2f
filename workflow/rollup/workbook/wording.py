"""The rollup workbook's sentences: its title, whom the totals cover, who is left out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def rollup_title(summary: Mapping[str, Any]) -> str:
    return f"{summary['district']}{summary['year']}年政府信息公开工作年度报告汇总表"


def coverage_line(summary: Mapping[str, Any]) -> str:
    """本表含 N/M 个单位 (部门 a/b，街道乡镇 c/d)."""
    parts = [
        f"{c} {n['units_accepted']}/{n['units_expected']}"
        for c, n in summary.get("categories", {}).items()
        if n["units_expected"]
    ]
    detail = f"（{'，'.join(parts)}）" if parts else ""
    return f"本表含 {summary['units_accepted']}/{summary['units_expected']} 个单位{detail}。"


def excluded_line(summary: Mapping[str, Any]) -> str:
    """The units not in the totals, with why; or that all are in."""
    out = [f"{u['name']}（{u['status_name']}）" for u in summary["units"] if not u["included"]]
    if not out:
        return "全部单位均已计入合计。"
    return f"未计入合计的单位（{len(out)} 个）：{'、'.join(out)}。"
