"""The dashboard in a real headless Chromium: no console errors, statuses, links, sorting, filtering.

Chromium runs with ``--dump-dom`` on a copy of index.html (beside it, so links resolve the same)
with a probe script appended after the page's own script. The probe clicks headers and filter
buttons, types into the search box and writes what it saw as JSON into the DOM. Console messages
come from Chromium's own log on stderr. Screenshots are taken of the real index.html.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from fixtures_dashboard import NOW, make_runs, make_summary, materialize
from system_tools import missing_tool

from workflow.dashboard.page import write_dashboard

pytestmark = pytest.mark.slow

PROBE = r"""
<script>
(function () {
  var out = {errors: [], rows: [], sorts: {}, filters: {}, search: {}, links: [], ids: []};
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#unit-table tr.unit")); }
  function visible() {
    return rows().filter(function (tr) { return tr.offsetParent !== null; })
      .map(function (tr) { return tr.cells[1].textContent; });
  }
  function column(i) {
    return rows().map(function (tr) { return tr.cells[i].getAttribute("data-v"); });
  }
  try {
    rows().forEach(function (tr) {
      out.rows.push({name: tr.cells[1].textContent, status: tr.getAttribute("data-status"),
                     label: tr.cells[3].textContent});
    });
    var heads = document.querySelectorAll("#unit-table thead th");
    [[5, "errors"], [4, "time"], [1, "name"]].forEach(function (h) {
      var button = heads[h[0]].querySelector("button");
      button.click();
      out.sorts[h[1] + "_asc"] = column(h[0]);
      button.click();
      out.sorts[h[1] + "_desc"] = column(h[0]);
    });
    ["rejected", "missing", "accepted", "updated", "all"].forEach(function (f) {
      document.querySelector('[data-filter="' + f + '"]').click();
      out.filters[f] = {names: visible(), count: document.getElementById("unit-count").textContent};
    });
    var box = document.getElementById("unit-search");
    box.value = "卫生";
    box.dispatchEvent(new Event("input"));
    out.search["卫生"] = visible();
    box.value = "";
    box.dispatchEvent(new Event("input"));
    out.search[""] = visible().length;
    var err = document.querySelector("#unit-table a.err");
    if (err) {
      var target = document.getElementById(err.getAttribute("href").slice(1));
      out.problem = {before: target.open};
      err.click();
      out.problem.after = target.open;
    }
    Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (a) {
      out.links.push({raw: a.getAttribute("href"), url: a.href});
    });
    Array.prototype.forEach.call(document.querySelectorAll("[id]"), function (e) { out.ids.push(e.id); });
  } catch (e) {
    out.errors.push(String(e && e.stack || e));
  }
  var pre = document.createElement("pre");
  pre.id = "__probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}());
</script>
"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    missing_tool("Chromium not installed (chromium / chromium-browser / google-chrome not on PATH)")


def run_chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args,
    ]  # fmt: skip
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, encoding="utf-8", errors="replace"
    )


def probe(index: Path, tmp: Path) -> tuple[dict[str, Any], list[str]]:
    """Open a probed copy of ``index`` in Chromium; return the probe's JSON and console lines."""
    page = index.read_text(encoding="utf-8")
    cut = page.rindex("</body>")
    probed = index.with_name("probe.html")
    probed.write_text(page[:cut] + PROBE + page[cut:], encoding="utf-8")
    done = run_chromium(tmp / "profile", "--dump-dom", probed.as_uri())
    probed.unlink()
    match = re.search(r'<pre id="__probe">(.*?)</pre>', done.stdout, re.S)
    assert match, f"Chromium printed no probe result; stderr: {done.stderr[-2000:]}"
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return json.loads(html.unescape(match.group(1))), console


def outbox(tmp: Path, n: int) -> tuple[dict[str, Any], Path]:
    summary = make_summary(n, hostile=n >= 2, previous=n >= 2)
    materialize(summary, tmp / "ws")
    index = tmp / "ws" / "outbox" / "index.html"
    write_dashboard(summary, make_runs(summary) if n else [], index, now=NOW)
    return summary, index


def summary_rejected(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [u for u in units if u["status"] == "rejected"]


def is_sorted(values: list[Any], reverse: bool = False) -> bool:
    return values == sorted(values, reverse=reverse)


@pytest.mark.parametrize("n", [0, 1, 8, 500], ids=["empty", "one", "eight-hostile", "five-hundred"])
def test_dashboard_in_chromium(tmp_path: Path, n: int) -> None:
    summary, index = outbox(tmp_path, n)
    result, console = probe(index, tmp_path)
    assert result["errors"] == []
    assert console == []
    units = summary["units"]
    labels = {"accepted": "已通过", "rejected": "未通过", "missing": "未报送"}
    assert [(r["name"], r["status"]) for r in result["rows"]] == [
        (u["name"], u["status"]) for u in units
    ]
    assert all(r["label"].startswith(labels[r["status"]]) for r in result["rows"])

    sorts = result["sorts"]
    assert is_sorted([int(v) for v in sorts["errors_asc"]])
    assert is_sorted([int(v) for v in sorts["errors_desc"]], reverse=True)
    assert is_sorted(sorts["time_asc"]) and is_sorted(sorts["time_desc"], reverse=True)
    assert sorted(sorts["name_asc"]) == sorted(u["name"] for u in units)
    assert sorts["name_desc"] == sorts["name_asc"][::-1] or len(set(sorts["name_asc"])) < len(units)

    for status in ("rejected", "missing", "accepted"):
        expected = sorted(u["name"] for u in units if u["status"] == status)
        assert sorted(result["filters"][status]["names"]) == expected, status
        assert result["filters"][status]["count"] == f"显示 {len(expected)} / {len(units)} 个单位"
    assert sorted(result["filters"]["updated"]["names"]) == sorted(
        u["name"] for u in units if u["updated"]
    )
    assert len(result["filters"]["all"]["names"]) == len(units)
    assert result["search"]["卫生"] == [u["name"] for u in units if "卫生" in u["name"]]
    assert result["search"][""] == len(units)

    if any(u["status"] == "rejected" for u in units):  # the error count opens the unit's findings
        assert result["problem"] == {"before": len(summary_rejected(units)) <= 10, "after": True}
    for link in result["links"]:
        url = urlparse(link["url"])
        if link["raw"].startswith("#"):
            assert url.fragment in result["ids"], link
        else:
            assert url.scheme == "file" and Path(unquote(url.path)).is_file(), link
    linked = sum(not link["raw"].startswith("#") for link in result["links"])
    assert linked >= sum(len(u["outputs"]) + bool(u["source"]) for u in units)


def test_screenshots_at_desktop_and_laptop_widths(tmp_path: Path) -> None:
    _summary, index = outbox(tmp_path, 8)
    keep = os.environ.get("DASHBOARD_SCREENSHOTS")  # set it to keep the PNGs for a look
    folder = Path(keep) if keep else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((1920, 1080), (1366, 768)):
        shot = folder / f"dashboard_{width}.png"
        done = run_chromium(tmp_path / f"profile{width}", f"--window-size={width},{height}",
                            f"--screenshot={shot}", index.as_uri())  # fmt: skip
        assert shot.is_file(), done.stderr[-2000:]
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


LAYOUT_PROBE = r"""
<script>
(function () {
  var out = {};
  var doc = document.documentElement;
  out.width = window.innerWidth;
  out.scroll = Math.max(doc.scrollWidth, document.body.scrollWidth);
  var sizes = [];
  Array.prototype.forEach.call(document.querySelectorAll(".chart svg text"), function (t) {
    if (!t.getClientRects().length || !t.textContent.trim()) { return; }
    var m = t.getScreenCTM();
    sizes.push(parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(m.a * m.a + m.b * m.b));
  });
  out.chart_px = sizes.length ? Math.min.apply(null, sizes) : null;
  out.chart_texts = sizes.length;
  out.date_lines = Array.prototype.map.call(document.querySelectorAll(".kpi .v.date"), function (el) {
    var r = document.createRange();
    r.selectNodeContents(el);
    var tops = {};
    Array.prototype.forEach.call(r.getClientRects(), function (c) { tops[Math.round(c.top)] = 1; });
    return Object.keys(tops).length;
  });
  out.cards = Array.prototype.map.call(document.querySelectorAll("#unit-table tr.unit"), function (tr) {
    return getComputedStyle(tr).display;
  });
  out.downloads = Array.prototype.map.call(document.querySelectorAll(".toc .dl a"), function (a) {
    return a.textContent;
  });
  var pre = document.createElement("pre");
  pre.id = "__layout";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def layout(index: Path, tmp: Path, width: int) -> dict[str, Any]:
    """Open a probed copy of ``index`` in a window ``width`` px wide; return what it measured."""
    page = index.read_text(encoding="utf-8")
    cut = page.rindex("</body>")
    probed = index.with_name(f"layout{width}.html")
    probed.write_text(page[:cut] + LAYOUT_PROBE + page[cut:], encoding="utf-8")
    # headless Chromium's window is at least 500 px wide: a phone is an iframe that wide
    frame = index.with_name(f"frame{width}.html")
    frame.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="{probed.name}" '
        f'style="border:0;width:{width}px;height:900px" onload="var p=this.contentDocument'
        ".getElementById('__layout');var q=document.createElement('pre');"
        "q.id='__layout';q.textContent=p.textContent;document.body.appendChild(q)\">"
        "</iframe></body></html>",
        encoding="utf-8",
    )
    done = run_chromium(
        tmp / f"layout{width}",
        "--window-size=1400,900",
        "--allow-file-access-from-files",
        "--dump-dom",
        frame.as_uri(),
    )
    probed.unlink()
    frame.unlink()
    match = re.search(r'<pre id="__layout">(.*?)</pre>', done.stdout, re.S)
    assert match, f"Chromium printed no layout result; stderr: {done.stderr[-2000:]}"
    return json.loads(html.unescape(match.group(1)))


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("n", [8, 500], ids=["eight", "five-hundred"])
def test_no_sideways_scrolling_readable_charts_dates_on_one_line(tmp_path, width, n):
    summary, index = outbox(tmp_path, n)
    got = layout(index, tmp_path, width)
    assert got["width"] == width
    assert got["scroll"] <= width, "the page scrolls sideways"
    assert got["chart_texts"] > 0 and got["chart_px"] >= 11, got
    assert got["date_lines"] == [1, 1], "a date in the cards breaks over lines"
    assert set(got["cards"]) == ({"flex"} if width < 600 else {"table-row"})


def test_the_district_report_link_says_draft_while_it_is_one(tmp_path):
    summary = make_summary(8)
    summary["outputs"] |= {"report": "2021/区报告（草稿）.docx"}
    summary["report_draft_reasons"] = ["尚有单位未报送或未通过校验"]
    materialize(summary, tmp_path / "ws")
    index = tmp_path / "ws" / "outbox" / "index.html"
    write_dashboard(summary, make_runs(summary), index, now=NOW)
    got = layout(index, tmp_path, 390)
    assert any(d.endswith("年度报告（草稿）") for d in got["downloads"]), got["downloads"]
