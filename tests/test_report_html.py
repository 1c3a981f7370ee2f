"""The HTML version of the reports (report/html.py): beside every .docx, self-contained, real tables,
the numbers of summary.json; in headless Chromium at 1366 and 390 px without sideways scrolling."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from workflow.cli import demo
from workflow.formats.seed import SEED_UNIT
from workflow.formats.spec import Format, load_format
from workflow.report.text import number_text

T0 = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def _clock():
    ticks = iter(range(1000))
    return lambda: T0 + timedelta(minutes=30 * next(ticks))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return demo.create_demo(tmp_path_factory.mktemp("h") / "演示", clock=_clock(), pdf=False)


def _summary(made) -> dict[str, Any]:
    return json.loads((made.workspace / "outbox" / str(made.year) / "summary.json").read_text())


def _pages(made) -> dict[str, Path]:
    """Unit name or "district" → its HTML page, from summary.json's outputs."""
    summary = _summary(made)
    out = {"district": made.workspace / summary["outputs"]["report_html"]}
    for unit in summary["units"]:
        if "report_html" in unit.get("outputs", {}):
            out[unit["name"]] = made.workspace / unit["outputs"]["report_html"]
    return out


def expected_numbers(spec: Format, values: dict[str, Any]) -> list[str]:
    """The numbers of the three tables in document order, as printed, from summary.json values."""
    cells: list[tuple[str, str]] = []
    for block in spec.blocks:
        cells += [(block.field_id(r, c), c.kind) for r in block.rows for c in block.columns]
    cells += [
        (spec.apply.field_id(r, c), c.kind) for r in spec.apply.rows for c in spec.apply.columns
    ]
    cells += [
        (spec.review.field_id(g, c), c.kind) for g in spec.review.rows for c in spec.review.columns
    ]
    return [number_text(Decimal(str(values[f])), kind) for f, kind in cells]


def test_every_report_has_its_html_page_listed_in_summary(made):
    summary = _summary(made)
    pages = _pages(made)
    accepted = [u["name"] for u in summary["units"] if u["status"] == "accepted"]
    assert set(pages) == {"district", *accepted}
    for page in pages.values():
        assert page.exists() and page.with_suffix(".docx").exists()
    index = (made.workspace / "outbox" / "index.html").read_text("utf-8")
    assert "年度报告（网页版）" in index and index.count(">网页版<") == len(accepted)


def test_html_page_is_self_contained_with_real_tables(made):
    page = _pages(made)[SEED_UNIT].read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert '<meta charset="utf-8">' in page
    assert re.search(
        r"<h1>福州市长乐区人力资源和社会保障局2025年政府信息公开工作年度报告</h1>", page
    )
    assert page.count("<table") == 3 and page.count("<caption>") == 3
    assert 'scope="col"' in page and 'scope="row"' in page and "rowspan=" in page
    assert "colspan=" in page and "<thead>" in page and "@media print" in page
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)  # nothing fetched from elsewhere
    assert "<script" not in page
    assert "本报告在福州市长乐区人民政府网站（http://www.fzcl.gov.cn/）公布" in page


def test_clerk_text_is_escaped(tmp_path):
    from workflow.domain.records import UnitRecord
    from workflow.domain.settings import Settings
    from workflow.formats.seed import SEED_TEXTS, seed_values
    from workflow.report.html import write_unit_report_html

    texts = {**SEED_TEXTS, "text_problems": "<script>alert(1)</script>&{{ x }}"}
    record = UnitRecord(SEED_UNIT, "部门", "accepted", values=seed_values("gov2021"), texts=texts)
    out = tmp_path / "r.html"
    settings = Settings(workspace=tmp_path, district="长乐区", year=2021)
    write_unit_report_html(settings, record, out, now=datetime(2022, 1, 27))
    page = out.read_text("utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;{{ x }}" in page


# --- in Chromium ----------------------------------------------------------------------------------

PROBE = r"""
<!DOCTYPE html>
<html><body style="margin:0">
<iframe id="page" src="SRC" style="width:WIDTHpx;height:900px;border:0"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  var win = this.contentWindow, doc = this.contentDocument;
  var out = {width: win.innerWidth, scroll: doc.documentElement.scrollWidth, tables: []};
  doc.querySelectorAll("table").forEach(function (t) {
    out.tables.push({
      caption: t.caption ? t.caption.textContent : "",
      th: t.querySelectorAll("th").length,
      scoped: t.querySelectorAll("th[scope]").length,
      numbers: Array.prototype.map.call(t.querySelectorAll("td"), function (td) {
        return td.textContent;
      })
    });
  });
  out.h1 = doc.querySelector("h1").textContent;
  out.lang = doc.documentElement.lang;
  var pre = document.createElement("pre");
  pre.id = "__probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
</body></html>
"""


def _probe(page: Path, tmp: Path, width: int) -> dict[str, Any]:
    """Open ``page`` in Chromium in a frame ``width`` CSS px wide (headless windows are at least
    500 px wide, a phone is 390) and return what the probe saw inside it."""
    from test_dashboard_browser import run_chromium

    folder = tmp / f"w{width}"
    folder.mkdir(exist_ok=True)
    (folder / "page.html").write_bytes(page.read_bytes())  # self-contained: a copy shows the same
    frame = folder / "probe.html"
    frame.write_text(PROBE.replace("SRC", "page.html").replace("WIDTH", str(width)), "utf-8")
    done = run_chromium(
        tmp / f"profile{width}",
        "--allow-file-access-from-files",
        "--window-size=1400,1000",
        "--dump-dom",
        frame.as_uri(),
    )
    match = re.search(r'<pre id="__probe">(.*?)</pre>', done.stdout, re.S)
    assert match, f"Chromium printed no probe result; stderr: {done.stderr[-2000:]}"
    return json.loads(html.unescape(match.group(1)))


@pytest.mark.slow
@pytest.mark.parametrize("width", [1366, 390])
def test_html_reports_in_chromium(made, tmp_path, width):
    summary = _summary(made)
    spec = load_format(summary["format"])
    values = {u["name"]: u["values"] for u in summary["units"]}
    pages = _pages(made)
    for name in ("district", SEED_UNIT):
        seen = _probe(pages[name], tmp_path, width)
        assert seen["width"] == width and seen["lang"] == "zh-CN"
        assert seen["scroll"] <= seen["width"], (name, width, seen["scroll"])  # no sideways scroll
        assert len(seen["tables"]) == 3 and all(t["caption"] for t in seen["tables"])
        assert all(t["th"] == t["scoped"] > 0 for t in seen["tables"])
        numbers = [n for t in seen["tables"] for n in t["numbers"]]
        want = summary["totals"] if name == "district" else values[name]
        assert numbers == expected_numbers(spec, want), name
