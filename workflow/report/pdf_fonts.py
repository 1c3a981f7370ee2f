"""Fonts of the report PDFs: each official 公文 font when installed, otherwise a named look-alike.

Which fonts were substituted is returned (``PdfInfo``), written into the PDF's document properties
(subject and keywords) and shown on the dashboard: a coordinator must not take a substitute
rendering for the final one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import typst


@dataclass(frozen=True)
class FontRole:
    """One typeface of the layout: the official font (any of its names) and look-alikes in order."""

    official: str  # the name a 公文 specifies, shown to the operator
    names: tuple[str, ...]  # the official font under its Chinese and English family names
    substitutes: tuple[str, ...]
    substitute_weight: int = 400  # 小标宋 is heavier than a regular 宋体: its stand-in is bold


_SERIF = (
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "思源宋体",
    "SimSun",
    "宋体",
    "Songti SC",
    "STSong",
    "华文宋体",
    "AR PL UMing CN",
)
_SANS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "思源黑体",
    "Microsoft YaHei",
    "微软雅黑",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "华文黑体",
    "WenQuanYi Zen Hei",
    "文泉驿正黑",
    "Noto Sans SC",
)

FONT_ROLES: dict[str, FontRole] = {
    "title": FontRole(
        "方正小标宋简体",
        ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FZXiaoBiaoSong-B05"),
        _SERIF,
        700,
    ),
    "body": FontRole(
        "仿宋_GB2312",
        ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong"),
        ("STFangsong", "华文仿宋", *_SERIF),
    ),
    "heading1": FontRole("黑体", ("黑体", "SimHei"), _SANS),
    "heading2": FontRole(
        "楷体_GB2312",
        ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"),
        ("STKaiti", "华文楷体", "Kaiti SC", "AR PL UKai CN", "LXGW WenKai", "霞鹜文楷", *_SERIF),
    ),
    "page": FontRole("宋体", ("宋体", "SimSun"), _SERIF),
}
FONT_ROLES["table"] = FONT_ROLES["body"]


@dataclass(frozen=True)
class FontChoice:
    role: str
    official: str
    family: str  # "" when no CJK font at all was found
    substituted: bool
    families: tuple[str, ...]  # what typst gets: the choice first, then other installed fallbacks
    weight: int


@dataclass(frozen=True)
class PdfInfo:
    """What a PDF was typeset with, for the operator and the dashboard."""

    path: Path
    fonts_used: tuple[str, ...]  # the families chosen, in role order, each once
    substituted: bool
    substitutes: dict[str, str] = field(default_factory=dict)  # 仿宋_GB2312 → Noto Serif CJK SC
    milliseconds: float = 0.0
    cache_key: str = ""  # the cached PDF's file name, when a cache folder was given

    @property
    def notice(self) -> str:
        """One line in Chinese: which official fonts were replaced ("" when none)."""
        return substitution_text(self.substitutes)


def substitution_text(substitutes: Mapping[str, str]) -> str:
    if not substitutes:
        return ""
    parts = "；".join(f"{official}→{family}" for official, family in substitutes.items())
    return f"本机未安装以下公文字体，PDF 以相近字体代替：{parts}。"


def font_key(paths: Iterable[str | os.PathLike[str]]) -> tuple[str, ...]:
    return tuple(str(Path(p)) for p in paths if Path(p).is_dir())


@cache
def installed_families(paths: tuple[str, ...] = ()) -> dict[str, str]:
    """The font families typst sees (system fonts and ``paths``), lower-cased name → name."""
    fonts = typst.Fonts(
        include_system_fonts=True, include_embedded_fonts=False, font_paths=list(paths)
    )
    return {name.casefold(): name for name in fonts.families()}


def font_signature(paths: tuple[str, ...] = ()) -> str:
    """The installed font families (system-wide and ``paths``), looked up afresh (about 0.1 s):
    what a PDF's look depends on besides its data. Installing the official fonts changes it."""
    installed_families.cache_clear()
    families = sorted(installed_families(paths).values())
    return hashlib.sha256("\n".join(families).encode()).hexdigest()


def choose_fonts(paths: tuple[str, ...] = ()) -> dict[str, FontChoice]:
    """For each role, the official font if installed, else the first installed substitute."""
    have = installed_families(paths)
    out = {}
    for role, spec in FONT_ROLES.items():
        official = [have[n.casefold()] for n in spec.names if n.casefold() in have]
        subs = [have[n.casefold()] for n in spec.substitutes if n.casefold() in have]
        families = tuple(dict.fromkeys(official + subs))
        out[role] = FontChoice(
            role=role,
            official=spec.official,
            family=families[0] if families else "",
            substituted=not official,
            families=families,
            weight=400 if official else spec.substitute_weight,
        )
    return out


def font_report(paths: Sequence[str | os.PathLike[str]] = ()) -> dict[str, str]:
    """Official font → the family the PDF uses for it ("" for none): for the dashboard."""
    return {c.official: c.family for c in choose_fonts(font_key(paths)).values()}


def distinct(fonts: Mapping[str, FontChoice]) -> list[FontChoice]:
    """One choice per official font (body and table share one)."""
    seen: dict[str, FontChoice] = {}
    for c in fonts.values():
        seen.setdefault(c.official, c)
    return list(seen.values())


def substitutes_of(fonts: Mapping[str, FontChoice]) -> dict[str, str]:
    """Official font → its stand-in, for the fonts that are not installed."""
    return {c.official: c.family for c in distinct(fonts) if c.substituted}
