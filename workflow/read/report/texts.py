"""The text of a published report: unit, year, date, contacts, the narrative sections, stated facts."""

from __future__ import annotations

import re
from collections.abc import Sequence

from workflow.domain.numbers import chinese_numeral
from workflow.read.report.lines import Line
from workflow.read.report.tables import Parts

_TITLE = re.compile(r"^(.*?)(\d{4})年度?政府信息公开(?:工作)?年度报告")
# the year first: 「2019年上海市人民政府办公厅政府信息公开工作年度报告」
_TITLE_YEAR_FIRST = re.compile(r"^(\d{4})年度?(.{2,40}?)政府信息公开(?:工作)?年度报告")
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_CN_DATE = re.compile(
    r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日$"
)
_SUBSECTION = re.compile(r"^(?:[（(]([一二三四五六])[)）]|([1-6])[.．、](?!\d))")
_SUB_IDS = ("text_active", "text_request", "text_management", "text_platform", "text_supervision")
_CN_ORDER = "一二三四五六"


def title_of(lines: Sequence[Line]) -> tuple[str, int | None]:
    """The unit and year printed in the title (the first lines naming the 年度报告)."""
    head = lines[:15]
    for joined in (False, True):  # a title broken over two lines is tried only after whole ones
        for i, line in enumerate(head):
            key = line.key
            if joined:
                if i + 1 >= len(head) or len(key) >= 40:
                    continue
                key += head[i + 1].key
            match = _TITLE.match(key)
            if not match:
                if first := _TITLE_YEAR_FIRST.match(key):
                    return first.group(2), int(first.group(1))
                continue
            unit = match.group(1)
            if not unit and i > 0:
                unit = head[i - 1].key
            return unit.removesuffix("关于"), int(match.group(2))
    return "", None


def date_of(lines: Sequence[Line]) -> str:
    """成文日期: a line that is only a date, among the last lines of the report ("" when none)."""
    for line in reversed(lines[-12:]):
        if match := _DATE.match(line.key):
            y, m, d = (int(g) for g in match.groups())
        elif match := _CN_DATE.match(line.key):
            y, m, d = (chinese_numeral(g) or 0 for g in match.groups())
        else:
            continue
        if 1 <= m <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{m:02d}-{d:02d}"
    return ""


def contacts_of(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    patterns = {
        "website_url": r"(https?://[A-Za-z0-9./_\-?=&%#:]+)",
        "contact_phone": r"电话[：:]\s*([0-9][0-9\-－—]{6,})",
        "contact_postcode": r"邮编[：:]\s*(\d{6})",
        "contact_address": r"地址[：:]\s*([^，,；;）)]+)",
    }
    for key, pattern in patterns.items():
        if match := re.search(pattern, text):
            out[key] = match.group(1).strip().rstrip("/") + ("/" if key == "website_url" else "")
    if "website_url" in out and out["website_url"].count("/") > 3:
        out["website_url"] = out["website_url"].rstrip("/")
    return out


def _join(lines: Sequence[Line], joiner: str) -> str:
    return joiner.join(" ".join(line.cells) if joiner else line.key for line in lines).strip()


def _strip_heading(text: str) -> str:
    """「1. 政府信息主动公开情况。截至…」 → 「截至…」 (a short heading ending in 。 is dropped)."""
    text = _SUBSECTION.sub("", text, count=1).strip()
    head, dot, rest = text.partition("。")
    return rest.strip() if dot and len(head) <= 20 and rest.strip() else text


def narratives_of(lines: Sequence[Line], parts: Parts, joiner: str, unit: str) -> dict[str, str]:
    out: dict[str, str] = {}
    overview = parts.region(lines, "一")
    marks: list[tuple[int, int]] = []  # (line index, subsection number)
    expect = 1
    for i, line in enumerate(overview):
        match = _SUBSECTION.match(line.key)
        if not match:
            continue
        number = _CN_ORDER.index(match.group(1)) + 1 if match.group(1) else int(match.group(2))
        if number == expect:
            marks.append((i, number))
            expect += 1
    for k, (start, number) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(overview)
        if number <= len(_SUB_IDS):
            text = _strip_heading(_join(overview[start:end], joiner))
            if text:
                out[_SUB_IDS[number - 1]] = text
    if problems := _join(parts.region(lines, "五"), joiner):
        out["text_problems"] = problems
    other = list(parts.region(lines, "六"))
    while other and (
        _DATE.match(other[-1].key)
        or _CN_DATE.match(other[-1].key)
        or _is_signature(other[-1], unit)
    ):
        other.pop()
    if text := _join(other, joiner):
        out["text_other"] = text
    return out


def _is_signature(line: Line, unit: str) -> bool:
    key = line.key
    return (
        bool(unit) and (key == unit or key.endswith(unit) or unit.endswith(key)) and len(key) <= 40
    )


def stated_facts(text: str) -> dict[str, str]:
    """Facts the text states that the template asks for (主动公开条数, 实际收取的信息处理费)."""
    out: dict[str, str] = {}
    if match := re.search(r"主动公开(?:政府)?信息\s*(\d+)\s*条", text):
        out["overview_active_count"] = match.group(1)
    for sentence in re.split(r"[。；;]", text):
        if "信息处理费" in sentence and (m := re.search(r"(\d+(?:\.\d+)?)\s*元", sentence)):
            out["fee_collected_yuan"] = m.group(1)
            break
    return out
