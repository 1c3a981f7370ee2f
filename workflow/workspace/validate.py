"""Type and range checks of workflow.toml's settings, and of the workspace folders against each
other. Each failure is a ConfigError (exit 2) naming the key, the value found and an example."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

from workflow.errors import ConfigError

# key: (default, smallest, largest, whole numbers only, example)
NUMBERS: dict[str, tuple[float, float, float, bool, str]] = {
    "schedule.every_minutes": (10, 1, 7 * 24 * 60, True, "every_minutes = 10"),
    "schedule.settle_seconds": (2.0, 0, 3600, False, "settle_seconds = 2"),
    "check.max_file_mb": (20, 1, 1024, True, "max_file_mb = 20"),
}
TEXTS: dict[str, str] = {
    "district.deadline": 'deadline = "2026-01-31"',
    "district.website_url": 'website_url = "https://www.example.gov.cn"',
    "district.contact_address": 'contact_address = "某某路1号"',
    "district.contact_postcode": 'contact_postcode = "350200"',
    "district.contact_phone": 'contact_phone = "0591-12345678"',
    "district.contact_person": 'contact_person = "张三"',
    "paths.inbox": 'inbox = "inbox"',
    "paths.outbox": 'outbox = "outbox"',
    "paths.archive": 'archive = "archive"',
    "paths.state": 'state = ".workflow"',
    "previous.summary": 'summary = "../长乐区2024/outbox/2024/summary.json"',
    "report.district_text": 'district_text = "区报告正文.md"',
}
FOLDER_KEYS = ("inbox", "outbox", "archive", "state")


def _bad(path: Path, key: str, value: Any, want: str, example: str) -> ConfigError:
    shown = repr(value) if not isinstance(value, str) else f'"{value}"'
    if len(shown) > 60:
        shown = shown[:57] + "…"
    return ConfigError(
        f"配置文件 {path} 有误：{key} 的值 {shown} 不可用，应为{want}。示例：{example}"
    )


def _get(data: dict[str, Any], key: str) -> tuple[bool, Any]:
    section, name = key.split(".")
    table = data.get(section, {})
    if not isinstance(table, dict) or name not in table:
        return False, None
    return True, table[name]


def number(data: dict[str, Any], key: str, path: Path) -> float:
    """A number setting within its range (booleans, text, ``inf``, ``nan`` and huge values refused)."""
    default, lo, hi, whole, example = NUMBERS[key]
    present, value = _get(data, key)
    if not present:
        return default
    kind = "整数" if whole else "数字"
    want = f"{lo:g} 到 {hi:g} 之间的{kind}（不加引号）"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(path, key, value, want, example)
    if isinstance(value, float) and (
        not math.isfinite(value) or (whole and not value.is_integer())
    ):
        raise _bad(path, key, value, want, example)
    if not lo <= value <= hi:
        raise _bad(path, key, value, want, example)
    return int(value) if whole else float(value)


def text(data: dict[str, Any], key: str, path: Path) -> str | None:
    """A text setting (None when absent); a deadline must be a date that exists."""
    present, value = _get(data, key)
    if not present:
        return None
    example = TEXTS[key]
    if not isinstance(value, str) and not (key == "district.deadline" and isinstance(value, date)):
        raise _bad(path, key, value, "加英文引号的文字", example)
    if "\x00" in str(value):
        raise _bad(path, key, value, "不含控制字符的文字", example)
    if key == "district.deadline":
        value = str(value).strip()
        try:
            date.fromisoformat(value)
        except ValueError:
            raise _bad(path, key, value, "“年-月-日”格式的日期", example) from None
    if key.startswith("paths.") and not str(value).strip():
        raise _bad(path, key, value, "文件夹路径", example)
    return str(value)


def check_texts(data: dict[str, Any], path: Path) -> None:
    for key in TEXTS:
        text(data, key, path)


def check_folders(workspace: Path, folders: dict[str, Path], path: Path) -> None:
    """inbox, outbox, archive and state are distinct folders, none the workspace itself or inside
    another: a pass deletes and rewrites inside the outbox and moves files out of the inbox."""
    root = workspace.resolve()
    resolved = {
        key: (p if p.is_absolute() else workspace / p).resolve() for key, p in folders.items()
    }
    for key, folder in resolved.items():
        if folder == root or root.is_relative_to(folder):
            raise ConfigError(
                f"配置文件 {path} 有误：paths.{key} 指向工作区文件夹本身或其上级（{folder}）。"
                f"请为它指定单独的子文件夹。示例：{TEXTS['paths.' + key]}"
            )
    keys = list(resolved)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            pa, pb = resolved[a], resolved[b]
            if pa == pb or pa.is_relative_to(pb) or pb.is_relative_to(pa):
                raise ConfigError(
                    f"配置文件 {path} 有误：paths.{a}（{pa}）与 paths.{b}（{pb}）是同一个文件夹"
                    "或相互包含。收件箱、发件箱、存档和状态文件夹必须互不重叠。"
                    f"示例：{TEXTS['paths.' + a]}、{TEXTS['paths.' + b]}"
                )
