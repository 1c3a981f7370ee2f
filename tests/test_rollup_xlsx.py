"""The rollup workbook (workflow.rollup.workbook.book): golden text snapshot, who is in it, how it reads.

Rewrite the golden file with ``UPDATE_GOLDEN=1 python -m pytest tests/test_rollup_xlsx.py``.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from system_tools import missing_tool
from test_rollup_properties import valid_inputs

from workflow.domain.records import UnitRecord
from workflow.domain.roster import Unit
from workflow.domain.settings import Settings
from workflow.domain.summary_json import load_summary, summary_to_json
from workflow.errors import OutputError
from workflow.formats.spec import load_format
from workflow.rollup.summary import build_summary
from workflow.rollup.workbook.book import rollup_filename, write_rollup_workbook
from workflow.rollup.workbook.sources_sheet import SHEET_SOURCES
from workflow.rollup.workbook.status_sheet import SHEET_STATUS
from workflow.rollup.workbook.totals_sheet import SHEET_TOTALS
from workflow.rollup.workbook.units_sheet import SHEET_UNITS

NOW = datetime(2022, 2, 10, 9, 30, tzinfo=timezone(timedelta(hours=8)))
GOLDEN = Path(__file__).parent / "golden"
ROSTER = (
    ("长乐区人力资源和社会保障局", "部门", "accepted"),
    ("长乐区教育局", "部门", "rejected"),
    ("长乐区财政局", "部门", "missing"),
    ("吴航街道办事处", "街道乡镇", "accepted"),
)


def sample(
    fmt: str = "gov2021", statuses: tuple[str, ...] | None = None
) -> tuple[Settings, list[UnitRecord]]:
    spec = load_format(fmt)
    rng = random.Random(2021)
    units, records = [], []
    for i, (name, category, status) in enumerate(ROSTER):
        status = statuses[i] if statuses else status
        phone = f"0591-2881{3570 + i}"
        units.append(
            Unit(name=name, category=category, contact_person=f"联系人{i}", contact_phone=phone)
        )
        there = status != "missing"
        records.append(
            UnitRecord(
                name=name,
                category=category,
                status=status,  # type: ignore[arg-type]
                submitted_at=f"2022-01-{20 + i}T09:0{i}:00+08:00" if there else "",
                sha256=f"{i}" * 64 if there else "",
                source=f"archive/2021/{status}/{name}.xlsx" if there else "",
                original_name=f"{name}.xlsx" if there else "",
                errors=3 if status == "rejected" else 0,
                warnings=1 if i == 0 else 0,
                values=valid_inputs(spec, rng) if there else {},
                contact_person=f"联系人{i}",
                contact_phone=phone,
            )
        )
    settings = Settings(
        workspace=Path("/ws"), district="长乐区", year=2021, format=fmt, units=tuple(units)
    )
    return settings, records


def previous_for(settings: Settings, records: list[UnitRecord]) -> dict:
    last_year = build_summary(settings, records, now=NOW)
    last_year["year"] = 2020
    last_year["totals"] = {
        k: v - 1 if isinstance(v, int) and v else v for k, v in last_year["totals"].items()
    }
    return load_summary(summary_to_json(last_year))


def snapshot(path: Path) -> str:
    """The workbook as text: each sheet's rows (tab-separated), merges, panes, filters; names; charts."""
    book = openpyxl.load_workbook(path)
    lines = []
    for ws in book.worksheets:
        lines.append(f"[{ws.title}] freeze={ws.freeze_panes} filter={ws.auto_filter.ref}")
        for row in ws.iter_rows():
            values = [
                ""
                if c.value is None
                else repr(c.value)
                if not isinstance(c.value, str)
                else c.value
                for c in row
            ]
            while values and values[-1] == "":
                values.pop()
            if values:
                lines.append(f"{row[0].row}\t" + "\t".join(values))
        lines.append("merged " + " ".join(sorted(str(m) for m in ws.merged_cells.ranges)))
    lines.append(f"defined names: {len(book.defined_names)}")
    with zipfile.ZipFile(path) as z:
        lines.append(
            "charts: " + " ".join(sorted(n for n in z.namelist() if n.startswith("xl/charts/")))
        )
    return "\n".join(lines) + "\n"


def check_golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden} missing: run with UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


@pytest.fixture
def written(tmp_path):
    settings, records = sample()
    summary = build_summary(settings, records, now=NOW, previous=previous_for(settings, records))
    path = tmp_path / rollup_filename("长乐区", 2021)
    write_rollup_workbook(summary, settings, path)
    return path, summary, settings


def test_golden_snapshot(written):
    path, _, _ = written
    check_golden("rollup_workbook.txt", snapshot(path))


def test_a_summary_read_back_from_json_gives_the_same_workbook(written, tmp_path):
    path, summary, settings = written
    again = tmp_path / "again.xlsx"
    write_rollup_workbook(load_summary(summary_to_json(summary)), settings, again)
    assert snapshot(again) == snapshot(path)


def texts(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_units_not_in_the_totals_are_named_on_every_sheet(written):
    path, _, _ = written
    book = openpyxl.load_workbook(path)
    assert "本表含 2/4 个单位（部门 1/3，街道乡镇 1/1）。" in texts(book[SHEET_TOTALS])
    assert "未计入合计的单位（2 个）：长乐区教育局（未通过）、长乐区财政局（未报送）。" in texts(
        book[SHEET_TOTALS]
    )
    detail = texts(book[SHEET_UNITS])
    assert "未计入合计：未通过（3 个错误）" in detail and "未计入合计：未报送" in detail
    status = texts(book[SHEET_STATUS])
    assert "催报名单（未报送或未通过的单位，共 2 个）" in status
    assert "0591-28813571" in status and "尚未报送，请催报" in status
    sources = [[c.value for c in row] for row in book[SHEET_SOURCES].iter_rows(min_row=5)]
    assert [(r[1], r[3]) for r in sources] == [
        ("长乐区人力资源和社会保障局", "是"),
        ("长乐区教育局", "否"),
        ("长乐区财政局", "否"),
        ("吴航街道办事处", "是"),
    ]


def test_a_complete_district_says_so(tmp_path):
    settings, records = sample(statuses=("accepted",) * 4)
    path = tmp_path / "complete.xlsx"
    write_rollup_workbook(build_summary(settings, records, now=NOW), settings, path)
    book = openpyxl.load_workbook(path)
    assert "全部单位均已计入合计。" in texts(book[SHEET_TOTALS])
    assert "所有单位均已报送并通过校验。" in texts(book[SHEET_STATUS])
    assert "与上年" not in texts(book[SHEET_TOTALS])


def test_stock_fields_are_labelled_as_sum_of_units(written):
    path, _, _ = written
    book = openpyxl.load_workbook(path)
    assert "各单位现行有效件数合计" in texts(book[SHEET_TOTALS])
    detail = texts(book[SHEET_UNITS])
    assert "各单位现行有效件数合计" not in detail  # a unit's column is its own count
    assert "行政规范性文件现行有效件数" in detail


def test_money_total_is_exact_on_the_summary_sheet(tmp_path):
    settings, records = sample(statuses=("accepted", "missing", "missing", "accepted"))
    records = [
        UnitRecord(**{**r.__dict__, "values": {**r.values, "active_fee_amount": Decimal(v)}})
        for r, v in zip(records, ("0.1", "0", "0", "0.2"), strict=True)
    ]
    summary = build_summary(settings, records, now=NOW)
    path = tmp_path / "money.xlsx"
    write_rollup_workbook(summary, settings, path)
    book = openpyxl.load_workbook(path)
    sheet, ref = next(book.defined_names["district_active_fee_amount"].destinations)
    assert Decimal(str(book[sheet][ref.replace("$", "")].value)) == Decimal("0.3")


def test_gov2019_workbook_has_every_field(tmp_path):
    settings, records = sample("gov2019")
    path = tmp_path / "gov2019.xlsx"
    write_rollup_workbook(build_summary(settings, records, now=NOW), settings, path)
    book = openpyxl.load_workbook(path)
    assert len(book.defined_names) == len(load_format("gov2019").numeric_fields)


def test_unwritable_path_is_an_output_error(tmp_path):
    settings, records = sample()
    with pytest.raises(OutputError, match="无法写入汇总表"):
        write_rollup_workbook(
            build_summary(settings, records, now=NOW), settings, tmp_path / "no" / "x.xlsx"
        )


@pytest.mark.slow
def test_libreoffice_opens_it_and_prints_the_coverage(written, tmp_path):
    soffice = shutil.which("soffice")
    if not soffice or not shutil.which("pdftotext"):
        missing_tool("soffice not installed")
    path, _, _ = written
    profile = f"-env:UserInstallation=file://{tmp_path}/lo_profile"
    cmd = [
        soffice,
        "--headless",
        profile,
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp_path),
        str(path),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    pdf = path.with_suffix(".pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "本表含 2/4 个单位" in text
    assert "催报名单" in text


def test_print_setup_one_page_wide_summary_and_a_paged_detail_sheet(written):
    path, _, _ = written
    book = openpyxl.load_workbook(path)
    totals = book[SHEET_TOTALS]
    assert totals.page_setup.orientation == "landscape"
    assert totals.sheet_properties.pageSetUpPr.fitToPage
    assert totals.page_setup.fitToWidth in (None, 1) and totals.page_setup.fitToHeight == 0
    assert totals.print_title_rows == "$1:$1"
    breaks = [b.id for b in totals.row_breaks.brk]
    assert len(breaks) == 2  # before tables 三 and 四
    assert str(totals.cell(breaks[0] + 1, 1).value).startswith("三、")
    assert str(totals.cell(breaks[1] + 1, 1).value).startswith("四、")
    detail = book[SHEET_UNITS]
    assert detail.page_setup.orientation == "landscape"
    assert detail.sheet_properties.pageSetUpPr.fitToPage
    assert detail.page_setup.fitToWidth in (None, 1) and detail.page_setup.fitToHeight == 0
    assert detail.print_title_rows is None  # every block has its own headers
    assert not any("_" in t for t in texts(detail).split("\n"))  # no field ids
    titles = [str(detail.cell(b.id + 1, 1).value) for b in detail.row_breaks.brk]
    assert titles and all(t.startswith(("表", "其他", "各单位")) for t in titles)


def test_a_city_rollup_says_quan_shi(tmp_path):
    settings, records = sample(statuses=("accepted",) * 4)
    settings = replace(settings, district="福州市")
    path = tmp_path / "city.xlsx"
    write_rollup_workbook(build_summary(settings, records, now=NOW), settings, path)
    book = openpyxl.load_workbook(path)
    everything = "".join(texts(ws) for ws in book.worksheets)
    assert "全市合计" in everything and "全区" not in everything
