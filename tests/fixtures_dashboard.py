"""Realistic summary.json dicts and run manifests for dashboard tests (0, 1, 8 and 500 units).

The shapes follow the public contract of issue 5 (summary.json) and the outbox layout (run
manifests). Every unit's numbers satisfy R1–R4, and the totals are the sum over accepted units.
``materialize`` writes every file the summary links to, so a browser test can follow each link.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from workflow.formats.spec import Format, load_format

TZ = timezone(timedelta(hours=8))
NOW = datetime(2022, 1, 20, 10, 30, tzinfo=TZ)
DISTRICT = "长乐区"
YEAR = 2021
HOSTILE_NAME = "<script>alert(\"x\")</script> & '引号' 局"
HOSTILE_MESSAGE = (
    "单元格内容为 <b>\"/\"</b> & '无'，</textarea><script>alert(1)</script> 不是数字。"
)

DEPARTMENTS = (
    "人力资源和社会保障局",
    "教育局",
    "卫生健康局",
    "公安分局",
    "自然资源局",
    "住房和城乡建设局",
    "市场监督管理局",
    "财政局",
    "民政局",
    "农业农村局",
    "交通运输局",
    "生态环境局",
)
TOWNS = ("吴航街道办事处", "航城街道办事处", "营前街道办事处", "潭头镇人民政府", "金峰镇人民政府")


def unit_names(n: int) -> list[tuple[str, str]]:
    """``n`` distinct (name, category) pairs: real-looking departments and towns first."""
    out = [(f"{DISTRICT}{d}", "部门") for d in DEPARTMENTS]
    out += [(f"{DISTRICT}{t}", "街道乡镇") for t in TOWNS]
    i = 1
    while len(out) < n:
        out.append((f"{DISTRICT}第{i}社区居民委员会", "街道乡镇"))
        i += 1
    return out[:n]


def unit_values(spec: Format, rng: random.Random) -> dict[str, Any]:
    """Every numeric field of ``spec``, random but consistent (R1–R4 hold)."""
    values: dict[str, Any] = {}
    for f in spec.fields_of("active"):
        values[f.id] = (
            Decimal(rng.randint(0, 50000)) / 100 if f.kind == "money" else rng.randint(0, 40)
        )
    parts = [c for c in spec.apply.columns if not c.computed]
    results = [r for r in spec.apply.rows if r.result]
    for col in parts:
        busy = rng.random() < 0.6
        for r in results:
            values[f"apply_{r.id}_{col.id}"] = (
                rng.randint(0, 6) if busy and rng.random() < 0.5 else 0
            )
        total = sum(values[f"apply_{r.id}_{col.id}"] for r in results)
        carry_over = rng.randint(0, 2) if busy else 0
        carried = rng.randint(0, min(2, total + carry_over))
        values[f"apply_total_{col.id}"] = total
        values[f"apply_carry_over_{col.id}"] = carry_over
        values[f"apply_carried_{col.id}"] = carried
        values[f"apply_new_{col.id}"] = total + carry_over - carried
    for row in spec.apply.rows:
        values[f"apply_{row.id}_total"] = sum(values[f"apply_{row.id}_{c.id}"] for c in parts)
    for gid, _label, _parent in spec.review_groups:
        cols = [c for c in spec.review.columns if not c.computed]
        for c in cols:
            values[f"{gid}_{c.id}"] = rng.choice((0, 0, 0, 1, 2))
        values[f"{gid}_total"] = sum(values[f"{gid}_{c.id}"] for c in cols)
    for f in spec.numeric_fields:
        values.setdefault(f.id, 0)
    return values


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def _paths(name: str, year: int, stem: str) -> dict[str, str]:
    safe = name.replace("/", "_")
    return {
        "report": f"outbox/{year}/单位报告/{safe}{year}年政府信息公开工作年度报告.docx",
        "feedback": f"outbox/{year}/反馈/{safe}/校验结果_{stem}.xlsx",
        "receipt": f"outbox/{year}/反馈/{safe}/回执_{stem}.txt",
    }


def _finding(rule: str, severity: str, message: str, cells: list[str]) -> dict[str, Any]:
    return {"rule": rule, "severity": severity, "message": message, "cells": cells}


def make_unit(
    name: str,
    category: str,
    status: str,
    *,
    spec: Format,
    rng: random.Random,
    index: int,
    year: int = YEAR,
    updated: bool = False,
) -> dict[str, Any]:
    """One entry of summary["units"]."""
    unit: dict[str, Any] = {
        "name": name,
        "category": category,
        "status": status,
        "submitted_at": "",
        "sha256": "",
        "source": "",
        "errors": 0,
        "warnings": 0,
        "values": {},
        "outputs": {},
        "contact_person": f"联系人{index}" if index % 5 else "",
        "contact_phone": f"0591-2881{index:04d}",
        "findings": [],
        "updated": updated,
    }
    if status == "missing":
        return unit
    stem = f"{name.replace('/', '_')}{year}年报表"
    arrived = NOW - timedelta(days=index % 9, minutes=7 * index)
    folder = "accepted" if status == "accepted" else "rejected"
    paths = _paths(name, year, stem)
    unit.update(
        submitted_at=arrived.isoformat(timespec="seconds"),
        sha256=f"{index:064x}",
        source=f"archive/{year}/{folder}/{stem}.xlsx",
    )
    if status == "accepted":
        unit["values"] = _jsonable(unit_values(spec, rng))
        unit["outputs"] = {"report": paths["report"], "receipt": paths["receipt"]}
        if index % 3 == 0:
            unit["warnings"] = 1
            unit["outputs"]["feedback"] = paths["feedback"]
            unit["findings"] = [
                _finding("R9", "warning", "申请数量较上年变化超过 50%，请核实。", [])
            ]
        return unit
    unit["outputs"] = {"feedback": paths["feedback"], "receipt": paths["receipt"]}
    unit["findings"] = [
        _finding(
            "R1",
            "error",
            "表三「总计」列：第一项加第二项之和（12）不等于第三项加第四项之和（10）。",
            ["三、依申请公开!I30", "三、依申请公开!I33"],
        ),
        _finding(
            "R5",
            "error",
            HOSTILE_MESSAGE if "<" in name else "单元格填了“/”，不是数字。",
            ["三、依申请公开!C7"],
        ),
        _finding("required-missing", "warning", "未填写联系人电话。", ["基本信息!C8"]),
    ]
    unit["errors"], unit["warnings"] = 2, 1
    return unit


def make_summary(
    n: int,
    *,
    spec_id: str = "gov2021",
    hostile: bool = False,
    previous: bool = False,
    seed: int = 7,
    year: int = YEAR,
) -> dict[str, Any]:
    """A summary.json dict for ``n`` roster units: mostly accepted, some rejected, some missing."""
    spec = load_format(spec_id)
    rng = random.Random(seed)
    names = unit_names(n)
    if hostile and names:
        names[min(1, n - 1)] = (HOSTILE_NAME, "部门")
    units = []
    for i, (name, category) in enumerate(names):
        status = (
            "accepted"
            if n == 1
            else ("missing", "rejected", "accepted", "accepted", "accepted")[i % 5]
        )
        if name == HOSTILE_NAME:
            status = "rejected"
        units.append(
            make_unit(
                name,
                category,
                status,
                spec=spec,
                rng=rng,
                index=i + 1,
                year=year,
                updated=status == "accepted" and i % 7 == 2,
            )
        )
    totals = {f.id: 0 for f in spec.numeric_fields}
    for u in units:
        for k, v in u["values"].items():
            totals[k] = totals[k] + Decimal(str(v)) if isinstance(v, float) else totals[k] + v
    accepted = sum(u["status"] == "accepted" for u in units)
    summary: dict[str, Any] = {
        "district": DISTRICT,
        "year": year,
        "format": spec_id,
        "generated_at": NOW.isoformat(timespec="seconds"),
        "complete": accepted == n and n > 0,
        "units_expected": n,
        "units_accepted": accepted,
        "units": units,
        "totals": _jsonable(totals),
        "outputs": {
            "rollup": f"outbox/{year}/{DISTRICT}{year}年政府信息公开工作年度报告汇总表.xlsx",
            "report": f"outbox/{year}/{DISTRICT}人民政府{year}年政府信息公开工作年度报告（草稿）.docx",
            "dashboard": "outbox/index.html",
        },
    }
    if previous:
        summary["previous"] = {
            "year": year - 1,
            "totals": _jsonable(
                {k: (v * 8 // 10 if isinstance(v, int) else v) for k, v in totals.items()}
            ),
        }
    return summary


def make_runs(summary: dict[str, Any], count: int = 3) -> list[dict[str, Any]]:
    """Run manifests, newest first, consistent with the summary's units."""
    submitted = [u for u in summary["units"] if u["status"] != "missing"]
    runs = []
    for k in range(count):
        started = NOW - timedelta(minutes=10 * k)
        batch = submitted[k::count][:20]
        inputs = [
            {
                "name": Path(u["source"]).name,
                "sha256": u["sha256"],
                "status": u["status"],
                "unit": u["name"],
            }
            for u in batch
        ]
        changes = []
        if k == 0 and batch:
            u = batch[0]
            changes = [
                {
                    "unit": u["name"],
                    "field": "apply_new_natural",
                    "label": "表三「一、本年新收政府信息公开申请数量」·自然人",
                    "old": 3,
                    "new": 5,
                },
                {
                    "unit": u["name"],
                    "field": "active_fee_amount",
                    "label": "表二第二十条第（八）项「行政事业性收费」·本年收费金额（单位：万元）",
                    "old": 1.5,
                    "new": 2.25,
                },
            ]
        runs.append(
            {
                "run_id": started.strftime("%Y%m%dT%H%M%S"),
                "started": started.isoformat(timespec="seconds"),
                "finished": (started + timedelta(seconds=4)).isoformat(timespec="seconds"),
                "inputs": inputs,
                "outputs": [],
                "changes": changes,
            }
        )
    return runs


def linked_paths(summary: dict[str, Any]) -> list[str]:
    """Every workspace-relative path the summary points to."""
    paths = [p for p in summary["outputs"].values() if p]
    for u in summary["units"]:
        paths += [p for p in u["outputs"].values() if p]
        if u["source"]:
            paths.append(u["source"])
    return paths


def materialize(summary: dict[str, Any], workspace: Path) -> None:
    """Create every file the summary links to, and outbox/<year>/summary.json itself."""
    for rel in linked_paths(summary):
        target = workspace / rel
        if rel.endswith("index.html"):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"placeholder " + rel.encode("utf-8"))
    out = workspace / "outbox" / str(summary["year"]) / "summary.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
