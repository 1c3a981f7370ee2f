"""The dashboard page: every roster unit with its status, escaped texts, links, totals, 催报 text."""

from __future__ import annotations

import os
import random
import re
from datetime import datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from fixtures_dashboard import (
    HOSTILE_MESSAGE,
    HOSTILE_NAME,
    NOW,
    TZ,
    make_runs,
    make_summary,
    materialize,
    unit_values,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.dashboard.charts import TOP_UNITS
from workflow.dashboard.page import render_dashboard, write_dashboard
from workflow.dashboard.reminder import reminder_text
from workflow.dashboard.values import href, number
from workflow.dashboard.view import MAX_CHANGES, cells_text
from workflow.domain.findings import Finding, Severity
from workflow.domain.records import UnitRecord
from workflow.domain.roster import Unit
from workflow.domain.settings import Settings
from workflow.domain.summary_json import load_summary, summary_to_json
from workflow.formats.spec import load_format
from workflow.rollup.summary import build_summary
from workflow.store import durable

VOID = {"meta", "input", "br", "hr", "img", "link", "col", "wbr", "source"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def find_all(self, tag: str = "", **attrs: str) -> list[Node]:
        out = []
        for c in self.children:
            if isinstance(c, Node):
                classes = c.attrs.get("class", "").split()
                if (not tag or c.tag == tag) and all(
                    (v in classes if k == "class_" else c.attrs.get(k) == v)
                    for k, v in attrs.items()
                ):
                    out.append(c)
                out += c.find_all(tag, **attrs)
        return out

    def one(self, tag: str = "", **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]


class Dom(HTMLParser):
    """A tiny DOM from the standard library, enough to assert on the page's structure."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.cur = node.parent

    def handle_data(self, data: str) -> None:
        self.cur.children.append(data)


def page(summary: dict[str, Any], runs: list[dict[str, Any]] | None = None, **kw: Any) -> Node:
    return Dom(
        render_dashboard(summary, runs if runs is not None else make_runs(summary), now=NOW, **kw)
    ).root


def unit_rows(root: Node) -> list[Node]:
    return root.one("table", id="unit-table").find_all("tr", class_="unit")


@pytest.mark.parametrize("n", [0, 1, 8, 500], ids=["empty", "one", "eight", "five-hundred"])
def test_every_roster_unit_has_one_row_with_its_status(n: int) -> None:
    summary = make_summary(n)
    rows = unit_rows(page(summary))
    assert [(r.find_all("td")[1].text, r.attrs["data-status"]) for r in rows] == [
        (u["name"], u["status"]) for u in summary["units"]
    ]
    labels = {"accepted": "已通过", "rejected": "未通过", "missing": "未报送"}
    for row, unit in zip(rows, summary["units"], strict=True):
        assert row.one("span", class_=unit["status"]).text == labels[unit["status"]]
        assert bool(row.find_all("span", class_="updated")) == unit["updated"]


@pytest.mark.parametrize(
    ("n", "state", "headline"),
    [(0, "未完成", "0 / 0"), (1, "完成", "1 / 1"), (8, "未完成", "4 / 8")],
    ids=["empty", "one-complete", "eight-incomplete"],
)
def test_headline_says_accepted_of_expected_and_the_state(
    n: int, state: str, headline: str
) -> None:
    root = page(make_summary(n))
    assert root.one("span", class_="badge-state").text == state
    assert " ".join(root.one("div", id="kpi-accepted").text.split()) == headline


@pytest.mark.parametrize(
    ("now", "deadline", "text"),
    [
        (datetime(2022, 1, 20, 9, tzinfo=TZ), None, "距报送截止还有 11 天"),
        (datetime(2022, 1, 31, 23, tzinfo=TZ), None, "今天是报送截止日"),
        (datetime(2022, 2, 3, 8, tzinfo=TZ), None, "已超过报送截止日期 3 天"),
        (datetime(2022, 1, 20, 9, tzinfo=TZ), "2022-01-25", "距报送截止还有 5 天"),
    ],
    ids=["before", "on-the-day", "overdue", "configured-deadline"],
)
def test_days_left_to_the_deadline(now: datetime, deadline: str | None, text: str) -> None:
    summary = make_summary(8)
    if deadline:
        summary["deadline"] = deadline
    html = render_dashboard(summary, [], now=now)
    assert text in html


def test_hostile_names_and_findings_appear_as_text() -> None:
    summary = make_summary(8, hostile=True)
    html = render_dashboard(summary, make_runs(summary), now=NOW)
    assert html.count("<script") == 1  # the page's own script only
    assert "<b>" not in html and "</textarea><script>" not in html
    root = Dom(html).root
    names = [r.find_all("td")[1].text for r in unit_rows(root)]
    assert HOSTILE_NAME in names
    problems = root.one("section", id="problems")
    assert HOSTILE_MESSAGE in problems.text
    assert HOSTILE_NAME in root.one("textarea", id="reminder-text").text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30),
    message=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60),
)
def test_any_unit_name_and_message_round_trips_as_text(name: str, message: str) -> None:
    summary = make_summary(3)
    unit = summary["units"][1]  # rejected
    unit["name"], unit["findings"][0]["message"] = name, message
    root = Dom(render_dashboard(summary, [], now=NOW)).root
    assert unit_rows(root)[1].find_all("td")[1].text == name
    assert message in root.one("details", id="p2").text


def test_every_link_points_to_an_existing_file(tmp_path: Path) -> None:
    summary = make_summary(8, hostile=True)
    materialize(summary, tmp_path)
    (tmp_path / "outbox" / "额外 #1.txt").write_text("x", encoding="utf-8")
    root = page(summary, links={"附件 #1": "outbox/额外 #1.txt"})
    hrefs = [a.attrs["href"] for a in root.find_all("a")]
    ids = {n.attrs["id"] for n in root.find_all() if "id" in n.attrs}
    files = [h for h in hrefs if not h.startswith("#")]
    assert len(files) > 20
    for h in files:
        assert (tmp_path / "outbox" / unquote(h)).resolve().is_file(), h
    for h in hrefs:
        if h.startswith("#"):
            assert h[1:] in ids, h


@pytest.mark.parametrize(
    ("path", "base", "expected"),
    [
        ("outbox/2021/单位报告/教育局2021年报告.docx", "outbox", "2021/单位报告/教育局2021年报告.docx"),
        ("archive/2021/accepted/a.xlsx", "outbox", "../archive/2021/accepted/a.xlsx"),
        ("outbox\\2021\\反馈\\x.md", "outbox", "2021/反馈/x.md"),
        ("outbox/2021/a #1?.md", "outbox", "2021/a%20%231%3F.md"),
        ("outbox/100%.md", "outbox", "100%25.md"),
        ("outbox/a:b.md", "outbox", "a%3Ab.md"),
        ("发布/2021/x.docx", "发布", "2021/x.docx"),
        ("archive/a.xlsx", "共享/outbox", "../../archive/a.xlsx"),
        ("2021/x.docx", ".", "2021/x.docx"),
        ("D:/共享/outbox/2021/x.docx", "D:/共享/outbox", "2021/x.docx"),
        ("D:/共享/outbox/2021/a b.docx", "outbox", "file:///D:/共享/outbox/2021/a%20b.docx"),
        ("/srv/outbox/2021/x.md", "outbox", "file:///srv/outbox/2021/x.md"),
        ("archive/a.xlsx", "/srv/outbox", "../archive/a.xlsx"),
    ],
    ids=[
        "outbox", "archive", "backslashes", "hash-and-question", "percent", "colon",
        "other-outbox-name", "nested-outbox", "outbox-is-workspace", "absolute-both",
        "absolute-windows-path", "absolute-posix-path", "outbox-outside-workspace",
    ],
)  # fmt: skip
def test_href_is_relative_to_the_dashboard(path: str, base: str, expected: str) -> None:
    assert href(path, base) == expected


_segment = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\"),
                   min_size=1, max_size=12).filter(lambda t: t not in (".", ".."))  # fmt: skip


@given(a=_segment, b=_segment)
def test_href_round_trips_any_file_name(a: str, b: str) -> None:
    link = href(f"outbox/{a}/{b}")
    assert unquote(link) == f"{a}/{b}"
    assert not set(link) & set('#? "<>\n\t')
    assert ":" not in link.split("/")[0]  # never read as a URL scheme


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12, "12"),
        (0, "0"),
        (3.5, "3.5"),
        (2.0, "2"),
        (Decimal("710.940"), "710.94"),
        (Decimal("1E+1"), "10"),
        (1e-05, "0.00001"),
        (None, "—"),
        (True, "—"),
    ],
    ids=["int", "zero", "float", "integral-float", "decimal", "exponent", "tiny", "none", "bool"],
)
def test_number_formatting(value: Any, text: str) -> None:
    assert number(value) == text


@pytest.mark.parametrize("format_id", ["gov2021", "gov2019"])
def test_totals_tables_show_every_field_of_the_format(format_id: str) -> None:
    spec = load_format(format_id)
    summary = make_summary(8, spec_id=format_id)
    for i, f in enumerate(spec.table_fields):  # a distinct value per field, to find it in the page
        summary["totals"][f.id] = 100000 + i
    data = page(summary).one("section", id="data")
    cells = [
        td.text
        for t in data.find_all("table", class_="official")
        for td in t.find_all("td", class_="v")
    ]
    assert sorted(cells) == sorted(str(100000 + i) for i in range(len(spec.table_fields)))
    headers = {th.text for th in data.find_all("th")}
    assert {c.label for c in spec.apply.columns} <= headers
    assert {label for _g, label, _p in spec.review_groups} <= headers
    labels = {td.text for td in data.find_all("td", class_="label")}
    assert {r.label for r in spec.apply.rows} <= labels


def test_outcome_chart_groups_results_like_the_official_table() -> None:
    summary = make_summary(8)
    totals = summary["totals"]
    denied = sum(
        v for k, v in totals.items() if k.startswith("apply_denied_") and k.endswith("_total")
    )
    chart = page(summary).one("section", id="data").find_all("div", class_="chart")[1]
    wide, narrow = (
        chart.find_all("div", class_="wide")[0],
        chart.find_all("div", class_="narrow")[0],
    )
    texts = [t.text for t in wide.find_all("text")]
    assert texts[0::2] == ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
    assert texts[5].startswith(f"{denied}（")
    texts = [t.text for t in narrow.find_all("text")]  # the phone's drawing: no percentages
    assert texts[0::2] == ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"]
    assert texts[5] == str(denied)


def test_charts_show_top_units_and_compare_with_last_year_only_when_known() -> None:
    big = make_summary(500, previous=True)
    data = page(big).one("section", id="data")
    by_unit = data.find_all("div", class_="chart")[0]
    for drawing in ("wide", "narrow"):
        assert len(by_unit.find_all("div", class_=drawing)[0].find_all("rect")) == TOP_UNITS
    assert "另有 270 个单位未列出" in by_unit.text
    assert "主要数据与上年对比（2020 年 → 2021 年）" in data.text
    assert "主要数据与上年对比" not in page(make_summary(8)).one("section", id="data").text


def test_empty_workspace_reads_clearly() -> None:
    root = page(make_summary(0), runs=[])
    text = root.text
    assert "单位名单为空" in text
    assert "尚未处理过" in text
    assert "暂无数据" in root.one("section", id="data").text


def test_reminder_lists_missing_and_rejected_units_with_contacts() -> None:
    summary = make_summary(8)
    text = reminder_text(summary, now=NOW)
    late = [u for u in summary["units"] if u["status"] != "accepted"]
    assert text.startswith("各有关单位：")
    assert "2022年1月31日前" in text and "长乐区人民政府办公室" in text
    for u in late:
        line = next(line for line in text.splitlines() if u["name"] in line)
        assert u["contact_person"] in line and u["contact_phone"] in line
    for u in summary["units"]:
        if u["status"] == "accepted":
            assert u["name"] not in text


@pytest.mark.parametrize(
    ("person", "phone", "text"),
    [
        ("张三", "0591-1", "（联系人：张三，电话：0591-1）"),
        ("", "0591-1", "（电话：0591-1）"),
        ("张三", "", "（联系人：张三，电话未登记）"),
        ("", "", "（联系人和电话未登记）"),
    ],
    ids=["both", "phone-only", "person-only", "neither"],
)
def test_reminder_contact_wording(person: str, phone: str, text: str) -> None:
    summary = make_summary(1)
    summary["units"][0].update(status="missing", contact_person=person, contact_phone=phone)
    assert f"1. 长乐区人力资源和社会保障局{text}" in reminder_text(summary, now=NOW)


def test_reminder_when_everyone_has_passed() -> None:
    assert "无需催报" in reminder_text(make_summary(1), now=NOW)


def test_recent_passes_list_changes_and_inputs() -> None:
    summary = make_summary(8)
    runs = make_runs(summary)
    runs[1]["changes"] = [
        {"unit": "甲", "field": "review_upheld", "old": i, "new": i + 1}
        for i in range(MAX_CHANGES + 5)
    ]
    section = page(summary, runs).one("section", id="runs")
    details = section.find_all("details")
    assert len(details) == len(runs)
    assert "表三「一、本年新收政府信息公开申请数量」·自然人：3 → 5" in details[0].text
    assert "1.5 → 2.25" in details[0].text
    assert "表四「行政复议」·结果维持：0 → 1" in details[1].text  # label looked up in the spec
    assert "另有 5 项变动" in details[1].text
    assert details[0].attrs.get("open") is not None


def test_page_is_self_contained() -> None:
    html = render_dashboard(make_summary(8), [], now=NOW)
    assert " src=" not in html and "<link" not in html and "@import" not in html
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) <= {"http://www.w3.org/2000/svg"}


def test_five_hundred_units_stay_small() -> None:
    summary = make_summary(500, previous=True)
    runs = make_runs(summary, count=15)
    html = render_dashboard(summary, runs, now=NOW)
    assert len(html.encode("utf-8")) < 2_000_000


def test_write_dashboard_replaces_the_file_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "outbox" / "index.html"
    summary = make_summary(8)
    write_dashboard(summary, [], target, now=NOW)
    first = target.read_text(encoding="utf-8")
    assert first == render_dashboard(summary, [], now=NOW)

    def broken(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(durable.os, "replace", broken)
    with pytest.raises(OSError):
        write_dashboard(make_summary(1), [], target, now=NOW)
    assert target.read_text(encoding="utf-8") == first
    assert os.listdir(target.parent) == ["index.html"]


def records_for(summary: dict[str, Any]) -> tuple[Settings, list[UnitRecord]]:
    """Settings and UnitRecords matching a fixture summary (for the real rollup's build_summary)."""
    spec = load_format(summary["format"])
    rng = random.Random(3)
    units = tuple(
        Unit(u["name"], category=u["category"], contact_person=u["contact_person"],
             contact_phone=u["contact_phone"])
        for u in summary["units"]
    )  # fmt: skip
    settings = Settings(workspace=Path("/ws"), district=summary["district"], year=summary["year"],
                        format=summary["format"], units=units)  # fmt: skip
    records = []
    for u in summary["units"]:
        findings = tuple(
            Finding(f["rule"], Severity(f["severity"]), f["message"], cells=tuple(f["cells"]))
            for f in u["findings"]
        )
        values = unit_values(spec, rng) if u["status"] == "accepted" else {}
        records.append(
            UnitRecord(
                u["name"],
                u["category"],
                u["status"],
                submitted_at=u["submitted_at"],
                sha256=u["sha256"],
                source=u["source"],
                errors=u["errors"],
                warnings=u["warnings"],
                values=values,
                findings=findings,
                contact_person=u["contact_person"],
                contact_phone=u["contact_phone"],
                updated=u["updated"],
                outputs=u["outputs"],
            )  # fmt: skip
        )
    return settings, records


@pytest.mark.parametrize("n", [0, 8], ids=["empty", "eight"])
def test_renders_the_real_rollup_summary_after_a_json_round_trip(n: int) -> None:
    fixture = make_summary(n, hostile=True)
    settings, records = records_for(fixture)
    built = build_summary(settings, records, now=NOW, previous=make_summary(n, seed=9, year=2020))
    summary = load_summary(summary_to_json(built))
    root = page(summary)
    assert [r.attrs["data-status"] for r in unit_rows(root)] == [r.status for r in records]
    cells = [td.text for td in root.one("section", id="data").find_all("td", class_="v")]
    assert number(summary["totals"]["apply_new_total"]) in cells
    money = summary["totals"]["active_fee_amount"]
    assert isinstance(money, Decimal) and number(money) in cells
    if n:
        assert "主要数据与上年对比" in root.text
        assert "详细问题见" in root.one("section", id="problems").text  # findings are counts here


# --- a rejected correction after an accepted file; long cell lists; a city's wording ---------------


def _with_newer_rejected(summary: dict[str, Any]) -> dict[str, Any]:
    unit = next(u for u in summary["units"] if u["status"] == "accepted")
    unit["newer_rejected"] = {
        "file": "更正版<b>.xlsx",
        "receipt": "outbox/2021/反馈/回执_更正版.txt",
        "errors": 3,
    }
    return unit


def test_rejected_correction_after_accepted_file_is_shown_everywhere():
    summary = make_summary(5)
    unit = _with_newer_rejected(summary)
    html = render_dashboard(summary, [], now=NOW)
    row = html.split(f'data-search="{unit["name"]}')[1].split("</tr>")[0]
    assert '<span class="st accepted">已通过</span>' in row
    assert "新报送未通过</a>" in row and 'class="st newer-rejected"' in row
    problems = html.split('id="problems"')[1].split('id="reminder"')[0]
    assert "更正版&lt;b&gt;.xlsx" in problems and "<b>.xlsx" not in html
    assert (
        'href="2021/%E5%8F%8D%E9%A6%88/' in problems
        or 'href="2021/反馈/回执_更正版.txt"' in problems
    )
    assert "汇总仍使用此前通过的版本" in problems
    text = reminder_text(summary, now=NOW)
    assert (
        f"请核实：{unit['name']}报送的更正文件「更正版<b>.xlsx」未通过校验（发现 3 处错误），"
        "全区汇总仍使用此前通过的版本。"
    ) in text


def test_rejected_correction_is_in_the_reminder_even_when_all_units_passed():
    summary = make_summary(1)
    unit = _with_newer_rejected(summary)
    unit["newer_rejected"]["submitted_at"] = "2022-01-25T10:00:00+08:00"
    text = reminder_text(summary, now=NOW)
    assert "无需催报" not in text
    assert f"请核实：{unit['name']}于2022年1月25日报送的更正文件" in text


def test_a_finding_with_many_cells_lists_five_and_counts_the_rest():
    assert cells_text([f"A{i}" for i in range(1, 26)]) == ("A1、A2、A3、A4、A5 等 25 个单元格")
    assert cells_text(["A1", "B2"]) == "A1、B2"
    summary = make_summary(5)
    rejected = next(u for u in summary["units"] if u["status"] == "rejected")
    rejected["finding_details"] = rejected.pop("findings", None) or []
    rejected["finding_details"] = [
        {
            "rule": "R1",
            "severity": "error",
            "message": "合计不符",
            "cells": [f"表三!D{i}" for i in range(25)],
        }
    ]
    html = render_dashboard(summary, [], now=NOW)
    assert "表三!D0、表三!D1、表三!D2、表三!D3、表三!D4 等 25 个单元格" in html
    assert "表三!D5" not in html


def test_city_dashboard_says_quan_shi():
    summary = make_summary(5)
    summary["district"] = "福州市"
    html = render_dashboard(summary, [], now=NOW)
    assert "全区" not in html
    assert "全市汇总只含已通过的单位" in html
    assert reminder_text(summary, now=NOW).rstrip().split("\n")[-2] == "福州市人民政府办公室"
