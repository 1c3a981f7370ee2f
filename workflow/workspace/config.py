"""The workspace: a folder with ``workflow.toml``; every path in it is relative to that folder."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from workflow.domain.roster import CATEGORIES, Unit
from workflow.domain.settings import BLANK_POLICIES, CONFIG_NAME, Settings
from workflow.errors import ConfigError
from workflow.formats.spec import FORMAT_IDS
from workflow.workspace import validate
from workflow.workspace.roster_sheet import with_roster_sheet

_SECTIONS: dict[str, set[str]] = {
    "district": {
        "name",
        "year",
        "format",
        "deadline",
        "website_url",
        "contact_address",
        "contact_postcode",
        "contact_phone",
        "contact_person",
    },
    "paths": {"inbox", "outbox", "archive", "state"},
    "schedule": {"every_minutes", "settle_seconds"},
    "check": {"blank_policy", "max_file_mb"},
    "previous": {"summary", "reports", "source"},
    "report": {"district_text", "pdf"},
    "units": set(),
}
_DISTRICT_CONTACT = (
    "website_url",
    "contact_address",
    "contact_postcode",
    "contact_phone",
    "contact_person",
)
_UNIT_KEYS = {"name", "aliases", "category", "contact_person", "contact_phone", "self_reference"}
_FOLDER_DEFAULTS = {
    "inbox": "inbox",
    "outbox": "outbox",
    "archive": "archive",
    "state": ".workflow",
}


def _fail(path: Path, message: str) -> ConfigError:
    return ConfigError(f"配置文件 {path} 有误：{message}")


PDF_ENGINES = ("typst", "office")


def _pdf(value: Any, path: Path) -> str:
    """``[report] pdf``: "typst" (also ``true``), "office", or "" for ``false``."""
    if value is True:
        return "typst"
    if value is False:
        return ""
    if value not in PDF_ENGINES:
        raise _fail(
            path,
            f'report.pdf 的值 {value!r} 不可用，应为 "typst"、"office" 或 false（不加引号）。'
            '示例：pdf = "typst"',
        )
    return str(value)


def _require(section: dict[str, Any], key: str, kind: type, path: Path, where: str) -> Any:
    if key not in section:
        raise _fail(path, f"缺少 {where}.{key}。请在 [{where}] 下补上 {key} = …")
    value = section[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise _fail(path, f"{where}.{key} 的值 {value!r} 类型不对，应为{_KIND_NAMES[kind]}。")
    return value


_KIND_NAMES = {
    str: "文字（加英文引号）",
    int: "整数",
    float: "数字",
    list: "列表",
    bool: "true/false",
}


def _check_keys(data: dict[str, Any], path: Path) -> None:
    for key, value in data.items():
        if key not in _SECTIONS:
            raise _fail(path, f"不认识的配置节 [{key}]，可用的有：{'、'.join(_SECTIONS)}。")
        if key == "units":
            continue
        if not isinstance(value, dict):
            raise _fail(path, f"{key} 应写成配置节 [{key}]。")
        for sub in value:
            if sub not in _SECTIONS[key]:
                allowed = "、".join(sorted(_SECTIONS[key]))
                raise _fail(path, f"[{key}] 下不认识的键「{sub}」，可用的有：{allowed}。")


def _parse_units(raw: Any, path: Path) -> tuple[Unit, ...]:
    if not isinstance(raw, list):
        raise _fail(path, "单位名单应写成若干个 [[units]] 配置节。")
    units: list[Unit] = []
    seen: dict[str, str] = {}
    for i, item in enumerate(raw, start=1):
        where = f"第 {i} 个 [[units]]"
        if not isinstance(item, dict):
            raise _fail(path, f"{where} 格式不对。")
        unknown = set(item) - _UNIT_KEYS
        if unknown:
            raise _fail(path, f"{where} 下不认识的键：{'、'.join(sorted(unknown))}。")
        name = _require(item, "name", str, path, "units").strip()
        category = item.get("category", "部门")
        if category not in CATEGORIES:
            raise _fail(
                path,
                f"单位「{name}」的 category 应为 {'、'.join(CATEGORIES)} 之一，现为「{category}」。",
            )
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise _fail(path, f'单位「{name}」的 aliases 应为文字列表，如 ["区人社局"]。')
        unit = Unit(
            name=name,
            category=category,
            aliases=tuple(a.strip() for a in aliases),
            contact_person=str(item.get("contact_person", "")),
            contact_phone=str(item.get("contact_phone", "")),
            self_reference=str(item.get("self_reference", "")).strip(),
        )
        for n in unit.names:
            key = "".join(n.split())
            if key in seen:
                raise _fail(
                    path, f"单位名单中「{n}」重复（已用于「{seen[key]}」）。请删去重复的一项。"
                )
            seen[key] = name
        units.append(unit)
    return tuple(units)


def parse_settings(data: dict[str, Any], path: Path) -> Settings:
    """Settings from parsed TOML; ``path`` is the config file (its folder is the workspace)."""
    _check_keys(data, path)
    district = data.get("district")
    if not isinstance(district, dict):
        raise _fail(path, "缺少 [district] 配置节（name、year、format）。")
    name = _require(district, "name", str, path, "district")
    year = _require(district, "year", int, path, "district")
    if not 2008 <= year <= 2100:
        raise _fail(path, f"district.year = {year} 不是有效的年度。")
    fmt = district.get("format", "gov2021")
    if fmt not in FORMAT_IDS:
        raise _fail(
            path, f"district.format = {fmt!r} 不是已知的报告格式，可选：{'、'.join(FORMAT_IDS)}。"
        )
    paths = data.get("paths", {})
    check = data.get("check", {})
    previous = data.get("previous", {})
    report = data.get("report", {})
    every = int(validate.number(data, "schedule.every_minutes", path))
    policy = check.get("blank_policy", "error")
    if policy not in BLANK_POLICIES:
        raise _fail(
            path,
            f'check.blank_policy 的值 {policy!r} 不可用，应为 "error" 或 "warning"。'
            '示例：blank_policy = "error"',
        )
    for key in ("summary", "reports"):
        if key in previous and not isinstance(previous[key], str):
            raise _fail(path, f"previous.{key} 应为文件或文件夹路径文字。")
    if "summary" in previous and "reports" in previous:
        raise _fail(
            path,
            "[previous] 下 summary（上年汇总文件）和 reports（上年年度报告文件夹）只能填写一项。",
        )
    validate.check_texts(data, path)
    folders = {key: Path(paths.get(key, default)) for key, default in _FOLDER_DEFAULTS.items()}
    validate.check_folders(path.parent, folders, path)
    return Settings(
        workspace=path.parent.resolve(),
        district=name,
        year=year,
        format=fmt,
        deadline=str(district.get("deadline", "")),
        **{key: str(district.get(key, "")).strip() for key in _DISTRICT_CONTACT},
        inbox=folders["inbox"],
        outbox=folders["outbox"],
        archive=folders["archive"],
        state=folders["state"],
        every_minutes=every,
        settle_seconds=validate.number(data, "schedule.settle_seconds", path),
        blank_policy=policy,
        max_file_mb=int(validate.number(data, "check.max_file_mb", path)),
        previous_summary=Path(previous["summary"]) if "summary" in previous else None,
        previous_reports=Path(previous["reports"]) if "reports" in previous else None,
        previous_source=str(previous.get("source", "")),
        district_text=Path(report["district_text"]) if "district_text" in report else None,
        pdf=_pdf(report.get("pdf", "typst"), path),
        units=_parse_units(data.get("units", []), path),
        config_path=path,
        roster_file=None,  # with_roster_sheet: the spreadsheet the units come from
    )


def load_settings(path: Path) -> Settings:
    """Read and validate ``workflow.toml``; raise ConfigError with the file, key and fix."""
    if path.is_dir():
        path = path / CONFIG_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"找不到配置文件 {path}。请在工作区文件夹中运行，或用 --config 指定，"
            f"或先用 `workflow init 文件夹 --district 区名 --year 年度` 创建工作区。"
        ) from None
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise _fail(path, "文件不是 UTF-8 编码。请用记事本“另存为 UTF-8”后重试。") from exc
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"TOML 语法错误（{exc}）。请检查引号、等号和方括号。") from exc
    return with_roster_sheet(parse_settings(data, path))
