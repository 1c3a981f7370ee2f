"""The words of the reports: how numbers, dates, titles and the reporting organ are written (pure).

The generated sentences are in ``report.sentences``, the template contexts in ``report.context``.
Submitted text is cleaned of XML-illegal control characters and split into paragraphs; escaping is
the renderer's job. Wording of the area (全区/全市/全县/全旗, 区政府办公室/市政府办公室 …) comes from
``jurisdiction``; how a unit names itself in its own report (我局, 我街道 …) from ``self_reference``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from workflow.domain.numbers import plain_number
from workflow.formats.spec import Format

Number = int | Decimal
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
EMPTY_FINAL = "无。"


@dataclass(frozen=True)
class Jurisdiction:
    """How the reports name the area a workspace consolidates: a district, a city, a county …

    Derived from its name (settings.district / summary["district"]) by ``jurisdiction``.
    """

    name: str  # 长乐区 / 福州市
    level: str  # 区 / 市 / 县 / 旗
    whole: str  # 全区 / 全市 …: "the whole area", the subject of generated sentences
    office: str  # 区政府办公室 / 市政府办公室 …: who compiles the report
    government: str  # 长乐区人民政府: the reporting organ (title, signature, export unit name)


_LEVELS = ("市", "县", "旗")
GOVERNMENT = "人民政府"


def jurisdiction(name: str) -> Jurisdiction:
    """The wording for area ``name``: …市 → 全市/市政府办公室, …县 → 全县, …旗 → 全旗, else 全区."""
    name = str(name or "").strip()
    bare = name[: -len(GOVERNMENT)] if name.endswith(GOVERNMENT) else name
    level = bare[-1] if bare and bare[-1] in _LEVELS else "区"
    return Jurisdiction(
        name=bare,
        level=level,
        whole=f"全{level}",
        office=f"{level}政府办公室",
        government=f"{bare}{GOVERNMENT}",
    )


# the end of a unit's name → how its report says "we" (the longest ending wins)
_SELF = (
    ("街道办事处", "我街道"),
    ("镇人民政府", "我镇"),
    ("乡人民政府", "我乡"),
    ("区人民政府", "我区"),
    ("县人民政府", "我县"),
    ("市人民政府", "我市"),
    ("人民政府办公室", "我办"),
    ("委员会办公室", "我办"),
    ("委员会", "我委"),
    ("办公室", "我办"),
    ("管理局", "我局"),
    ("局", "我局"),
    ("委", "我委"),
    ("厅", "我厅"),
    ("办", "我办"),
    ("中心", "我中心"),
    ("院", "我院"),
    ("街道", "我街道"),
    ("镇", "我镇"),
    ("乡", "我乡"),
    ("所", "我所"),
    ("站", "我站"),
    ("队", "我队"),
    ("会", "我会"),
)
DEFAULT_SELF = "本机关"


def self_reference(name: str, override: str = "") -> str:
    """How the unit ``name`` refers to itself in its report: 福州市长乐区人社局 → 我局, …街道办事处 →
    我街道, …镇人民政府 → 我镇, …委员会 → 我委; ``override`` (the roster's self_reference) wins;
    本机关 when the name has none of these endings."""
    if override.strip():
        return override.strip()
    bare = "".join(str(name or "").split())
    return next((word for end, word in _SELF if bare.endswith(end)), DEFAULT_SELF)


def clean_text(text: str) -> str:
    """``text`` without characters XML cannot hold (\\x07 …); \\n and \\t are kept."""
    return _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def paragraphs(text: str | None) -> list[str]:
    """The non-empty lines of ``text``, cleaned and trimmed: one report paragraph each."""
    return [line.strip() for line in clean_text(text or "").split("\n") if line.strip()]


def one_line(text: str) -> str:
    """``text`` cleaned, its lines joined: for places without line breaks (document properties)."""
    return "".join(paragraphs(text))


def number_text(value: Number, kind: str = "count") -> str:
    """A table number as printed: counts "12", signed changes "+1"/"-4", money "12.5" (万元)."""
    if kind == "money":
        return "0" if value == 0 else plain_number(Decimal(value))
    if kind == "signed":
        return f"+{int(value)}" if value > 0 else str(int(value))
    return str(int(value))


def percent(part: Number, whole: Number) -> str | None:
    """``part`` as a share of ``whole``: "33.3%", "50%"; None when ``whole`` is 0."""
    if not whole:
        return None
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{share.normalize():f}%" if share == share.to_integral() else f"{share}%"


def date_text(value: date | datetime | str) -> str:
    """2022-01-26 (ISO text, date or datetime) → "2022年1月26日"; "" when it is not a date."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return ""
    return f"{value.year}年{value.month}月{value.day}日"


TITLE_LINE = 20  # characters of 2号 type on a line of 156 mm


def report_title(issuer: str, year: int) -> str:
    """ "<机关全称><年>年政府信息公开工作年度报告", broken before 政府… when it needs two lines."""
    first, second = f"{issuer}{year}年", "政府信息公开工作年度报告"
    return f"{first}{second}" if len(first + second) <= TITLE_LINE else f"{first}\n{second}"


def headings(spec: Format) -> dict[str, str]:
    out = {
        n.id: n.label if n.section == "一" else f"{n.section}、{n.label}" for n in spec.narratives
    }
    out.update(active=spec.active_title, apply=spec.apply.title, review=spec.review.title)
    return out


def table_notes(spec: Format, *, district: bool) -> list[str]:
    """Under part 二 of a district report: stock columns are sums of the units' counts."""
    labels = sorted({c.label for b in spec.blocks for c in b.columns if c.stock})
    if not district or not labels:
        return []
    quoted = "、".join(f"“{label}”" for label in labels)
    return [f"注：表中{quoted}为各单位数量合计。"]
