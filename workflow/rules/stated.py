"""Numbers a report's own words state: applications received, items published, 复议/诉讼 cases,
part-二 counts (现行有效规范性文件 N 件). Pure: parsing only; the rules compare (``narrative``)."""

from __future__ import annotations

import re

from workflow.domain.numbers import whole_number

_NUM = r"[0-9０-９]+|[零〇一二两三四五六七八九十百千万]+"
_APPLY_RE = re.compile(
    r"(?:收到|受理|新收|接收|接到)(?P<between>[^。；;，,！!？?\n0-9０-９零〇一二两三四五六七八九十百千万]{0,24}?)"
    rf"(?P<n>{_NUM})\s*(?:件|宗|个)"
)
_ACTIVE_RE = re.compile(
    r"主动公开(?P<between>[^。；;，,！!？?\n0-9０-９]{0,16}?)(?P<n>[0-9０-９]+)\s*条"
)
_CASES_RE = re.compile(
    r"(?P<kind>行政复议|行政诉讼)(?P<between>[^。；;，,、！!？?\n0-9０-９零〇一二两三四五六七八九十百千万]{0,8}?)"
    rf"(?P<n>{_NUM})\s*(?:件|起)"
)
# "行政复议、行政诉讼…" (one combined count) — not "行政复议36起，行政诉讼9起" (two counts)
_COMBINED_BEFORE = re.compile(r"复议(?:、|和|及|与|或)$")
_IN_FORCE_RE = re.compile(
    r"现行有效(?:的)?(?P<kind>规章|(?:行政)?规范性文件)(?:共|为|数|有)?\s*(?P<n>[0-9０-９]+)\s*(?:件|部|个)"
)
_NOT_THIS_YEAR = ("上年", "去年", "结转", "累计", "后")
ALL_UPHELD_RE = re.compile(r"(?:均|全部|都)(?:获|被|予以)?维持")
NONE_RE = re.compile(r"(?:未发生|没有发生|未出现|没有出现|未收到|没有收到|未有)[^。；;，,\n]{0,30}")


def stated_applications(text: str) -> list[tuple[int, str]]:
    """Numbers of applications received the text states: ``[(n, matched phrase)]``."""
    out = []
    for m in _APPLY_RE.finditer(text):
        between = m.group("between")
        if "申请" not in m.group(0) or "结转" in between or "其中" in between:
            continue
        n = whole_number(m.group("n"))
        if n is not None:
            out.append((n, m.group(0)))
    return out


def stated_active(text: str) -> list[tuple[int, str]]:
    """Numbers of items published on the unit's own initiative the text states (…主动公开…N条)."""
    out = []
    for m in _ACTIVE_RE.finditer(text):
        if "累计" in m.group("between"):
            continue
        n = whole_number(m.group("n"))
        if n is not None:
            out.append((n, m.group(0)))
    return out


def stated_cases(text: str) -> list[tuple[str, int, str]]:
    """Counts of cases the text states: ``[(kind, n, phrase)]``, kind 行政复议, 行政诉讼, or
    行政复议、行政诉讼 for a combined count ("行政复议、行政诉讼案件2件")."""
    out = []
    for m in _CASES_RE.finditer(text):
        before = text[max(0, m.start() - 6) : m.start()]
        if any(word in before + m.group("between") for word in _NOT_THIS_YEAR):
            continue
        if "各" in m.group("between"):
            continue  # "…案件各1件": a count per kind, not comparable to one total
        kind = m.group("kind")
        if kind == "行政诉讼" and _COMBINED_BEFORE.search(before):
            kind = "行政复议、行政诉讼"  # "行政复议、行政诉讼案件N件": one count for both
        n = whole_number(m.group("n"))
        if n is not None:
            out.append((kind, n, m.group(0)))
    return out


def stated_in_force(text: str) -> list[tuple[str, int, str]]:
    """现行有效 counts of part 二 the text states: ``[(row id, n, phrase)]`` (rules / normative)."""
    out = []
    for m in _IN_FORCE_RE.finditer(text):
        n = whole_number(m.group("n"))
        if n is not None:
            out.append(("rules" if m.group("kind") == "规章" else "normative", n, m.group(0)))
    return out
