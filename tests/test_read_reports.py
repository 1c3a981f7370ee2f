"""Published reports (tests/corpus/reports) read into the same Submission as a template, field by field
against the hand transcriptions; the tool's own unit reports read back to the values they were
written from; `workflow check REPORT --json` gives the report's numbers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus import sample_values

from workflow.cli.commands import cli
from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
from workflow.formats.seed import SEED_TEXTS
from workflow.formats.spec import load_format
from workflow.read.report.lines import Line, html_lines, text_lines
from workflow.read.report.reader import read_lines, read_report
from workflow.rules.totals import compute_totals

CORPUS = Path(__file__).parent / "corpus" / "reports"
DOCUMENTS = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".pdf", ".docx", ".html"))
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_GOV2019_OTHER = [f"apply_other_{c}" for c in ("natural", "business", "research", "nonprofit", "legal", "other", "total")]  # fmt: skip


def expected_of(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text("utf-8"))


def _same(got: object, want: object) -> bool:
    if isinstance(want, str):
        return isinstance(got, Decimal | int) and Decimal(want) == Decimal(got)
    return got == want and type(got) is int


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_corpus_document_reads_as_transcribed(path: Path) -> None:
    want = expected_of(path)
    sub = read_report(path)
    assert sub.format == want["format"]
    assert sub.unit_name == want["unit"]
    assert sub.year == want["year"]
    values = dict(want["values"])
    if sub.format == "gov2021" and "apply_other_natural" in values:
        # the single （六） row printed by some gov2021 reports: read as 3.其他, with a finding
        for fid in _GOV2019_OTHER:
            values[fid.replace("apply_other_", "apply_other_misc_")] = values.pop(fid)
        single = [f for f in sub.findings if f.rule == "report-single-other"]
        assert len(single) == 1 and "apply_other_no_fee_natural" in single[0].fields
    wrong = {k: (v, sub.typed.get(k)) for k, v in values.items() if not _same(sub.typed.get(k), v)}
    assert wrong == {}
    spec = load_format(sub.format)
    unread = {fid for f in sub.findings if f.rule == "report-cells-unread" for fid in f.fields}
    not_printed = {f.id for f in spec.table_fields} - set(values)
    if sub.format == "gov2021" and "apply_other_misc_natural" in values:
        not_printed -= {f.id for f in spec.table_fields if f.row.startswith("other_")}
    blank_totals = set(want.get("blank_totals", []))  # a total left blank: computed, not printed
    assert not blank_totals & set(sub.typed)
    assert unread == not_printed - blank_totals  # exactly what the document does not print
    printed_date = not any("report_date" in u for u in want.get("unreadable", []))
    assert bool(sub.texts.get("report_date")) == printed_date


def test_cells_name_the_table_location() -> None:
    sub = read_report(CORPUS / "fz_changle_rsj_2021_dept.txt")
    assert sub.cells["apply_denied_third_party_natural"] == "表三 第8行 第1列"
    assert sub.cells["active_service_change"] == "表二 第4行 第2列"
    assert sub.typed["active_license_change"] == -4


def test_seed_text_sections() -> None:
    sub = read_report(CORPUS / "fz_changle_rsj_2021_dept.txt")
    assert sub.texts["report_date"] == "2022-01-26"
    assert sub.texts["contact_postcode"] == "350207"
    assert sub.texts["text_active"].startswith("截至 2021 年 12 月 31 日")
    assert sub.texts["text_other"] == "无其他需要报告的事项。"
    assert sub.values["overview_active_count"] == 158
    for key in ("text_request", "text_management", "text_platform", "text_supervision"):
        assert sub.texts[key]


def _record(format_id: str) -> tuple[Settings, UnitRecord, dict]:
    spec = load_format(format_id)
    values = compute_totals(spec, sample_values(format_id))
    year = 2025 if format_id == "gov2021" else 2020
    settings = Settings(workspace=Path("."), district="长乐区", year=year, format=format_id)
    texts = dict(SEED_TEXTS, unit_name="某某区司法局")
    record = UnitRecord(name="某某区司法局", category="部门", status="accepted", values=values, texts=texts)  # fmt: skip
    return settings, record, values


def _assert_round_trip(path: Path, format_id: str, values: dict) -> None:
    sub = read_report(path)
    assert sub.format == format_id
    assert sub.unit_name == "某某区司法局"
    table = {f.id for f in load_format(format_id).table_fields}
    wrong = {
        k: (v, sub.typed.get(k)) for k, v in values.items() if k in table and sub.typed.get(k) != v
    }
    assert wrong == {}
    assert not [f for f in sub.findings if f.is_error]


@pytest.mark.parametrize("format_id", ["gov2021", "gov2019"])
def test_own_unit_report_docx_reads_back(tmp_path: Path, format_id: str) -> None:
    from workflow.report.docx import write_unit_report

    settings, record, values = _record(format_id)
    path = tmp_path / "report.docx"
    write_unit_report(settings, record, path, now=NOW)
    _assert_round_trip(path, format_id, values)


@pytest.mark.parametrize("format_id", ["gov2021", "gov2019"])
def test_own_unit_report_pdf_reads_back(tmp_path: Path, format_id: str) -> None:
    from workflow.report.pdf_typst import write_unit_report_pdf

    settings, record, values = _record(format_id)
    path = tmp_path / "report.pdf"
    write_unit_report_pdf(settings, record, path, now=NOW)
    _assert_round_trip(path, format_id, values)


@pytest.mark.parametrize("format_id", ["gov2021", "gov2019"])
def test_own_unit_report_html_reads_back(tmp_path: Path, format_id: str) -> None:
    from workflow.report.html import write_unit_report_html

    settings, record, values = _record(format_id)
    path = tmp_path / "report.html"
    write_unit_report_html(settings, record, path, now=NOW)
    _assert_round_trip(path, format_id, values)


def test_check_json_on_the_seed_gives_its_numbers() -> None:
    result = CliRunner().invoke(
        cli, ["check", str(CORPUS / "fz_changle_rsj_2021_dept.txt"), "--json"]
    )
    assert result.exit_code == 1, result.output  # part 四 is not printed: an error naming it
    data = json.loads(
        result.output[result.output.index("[") :]
        if result.output.lstrip()[0] != "{"
        else result.output
    )
    entry = data[0] if isinstance(data, list) else data["files"][0]
    want = expected_of(CORPUS / "fz_changle_rsj_2021_dept.txt")
    assert entry["unit"] == want["unit"] and entry["format"] == "gov2019"
    for fid, value in want["values"].items():
        assert entry["values"][fid] == (int(value) if isinstance(value, str) else value), fid
    unread = [f for f in entry["findings"] if f["rule"] == "report-cells-unread"]
    assert len(unread) == 1 and unread[0]["cells"][0] == "表四 第1行 第1列"


# -- text shapes ------------------------------------------------------------------------------------

_ROWS_2021 = [
    ("一、本年新收政府信息公开申请数量", [80, 1, 0, 0, 0, 0]),
    ("二、上年结转政府信息公开申请数量", [3, 0, 0, 0, 0, 0]),
    ("（一）予以公开", [50, 1, 0, 0, 0, 0]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [12, 0, 0, 0, 0, 0]),
    *[(f"（三）不予公开{i}.", [0] * 6) for i in range(1, 9)],
    *[(f"（四）无法提供{i}.", [10 if i == 1 else 0, 0, 0, 0, 0, 0]) for i in range(1, 4)],
    *[(f"（五）不予处理{i}.", [0] * 6) for i in range(1, 6)],
    *[(f"（六）其他处理{i}.", [0] * 6) for i in range(1, 4)],
    ("（七）总计", [72, 1, 0, 0, 0, 0]),
    ("四、结转下年度继续办理", [11, 0, 0, 0, 0, 0]),
]


def _page(glued: bool) -> list[str]:
    def row(label: str, cells: list[int]) -> str:
        numbers = [*cells, sum(cells)]
        return label + (
            "".join(map(str, numbers)) if glued else "\t" + "\t".join(map(str, numbers))
        )

    return [
        "某某区民政局2024年政府信息公开工作年度报告",
        "一、总体情况",
        "二、主动公开政府信息情况",
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "规章\t0\t0\t0",
        "行政规范性文件\t2\t1\t9",
        "行政许可\t5",
        "行政处罚\t7",
        "行政强制\t0",
        "行政事业性收费\t1.5",
        "三、收到和处理政府信息公开申请情况",
        *(row(label, cells) for label, cells in _ROWS_2021),
        "四、政府信息公开行政复议、行政诉讼情况",
        "100010000021003" if glued else "1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t2\t1\t0\t0\t3",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]


@pytest.mark.parametrize("glued", [False, True], ids=["separated", "run-together"])
def test_text_shapes_read_the_same(glued: bool) -> None:
    sub = read_lines(text_lines("\n".join(_page(glued))))
    assert sub.typed["apply_new_natural"] == 80 and sub.typed["apply_new_total"] == 81
    assert sub.typed["apply_total_total"] == 73 and sub.typed["apply_carry_over_total"] == 11
    assert sub.typed["active_fee_amount"] == Decimal("1.5")
    assert [sub.typed[f"suit_after_review_{c}"] for c in ("upheld", "corrected", "total")] == [
        2,
        1,
        3,
    ]
    assert not [f for f in sub.findings if f.is_error]


def test_an_ambiguous_run_together_row_is_a_finding_not_a_guess() -> None:
    # 表四 glued as 11000|110000|00000: 1,10,0,0,11 or 11,0,0,0,11 for 行政复议 — both add up
    lines = [ln if not ln.startswith("10001") else "11000110000000000" for ln in _page(True)]
    sub = read_lines(text_lines("\n".join(lines)))
    unread = [f for f in sub.findings if f.rule == "report-cells-unread"]
    assert len(unread) == 1 and "2 种拆分" in unread[0].message
    assert unread[0].cells[0] == "表四 第1行 第1列"
    assert not any(k.startswith("review_") for k in sub.typed)


def test_column_equations_decide_a_row_that_alone_is_ambiguous() -> None:
    from workflow.read.report.digits import resolve, split_summed

    rows = [split_summed("11011", 3), [(11, 0, 11)]]
    assert rows[0] == [(1, 10, 11), (11, 0, 11)]
    assert resolve(rows, [([0], [1])]) == [(11, 0, 11), (11, 0, 11)]
    assert resolve(rows, []) == [None, (11, 0, 11)]  # alone: ambiguous, never a guess


def test_html_table_with_spans_reads_like_text() -> None:
    def table(lines: list[str]) -> str:
        rows = "".join(
            "<tr>" + "".join(f"<td colspan='2'>{c}</td>" for c in ln.split("\t")) + "</tr>"
            for ln in lines
        )
        return f"<table>{rows}</table>"

    page = _page(False)
    html = (
        "<html><head><meta charset='utf-8'><style>p{color:red}</style></head><body>"
        + "".join(f"<p>{line}</p>" for line in page[:3])
        + table(page[3:10])
        + f"<h3>{page[10]}</h3>"
        + table(page[11:-4])
        + f"<h3>{page[-4]}</h3>"
        + "<table><tr><td rowspan='2'>1</td>"
        + "".join(f"<td>{n}</td>" for n in page[-3].split("\t")[1:])
        + "</tr></table><p>五、存在的主要问题及改进情况</p><p>六、其他需要报告的事项</p></body></html>"
    )
    sub = read_lines(html_lines(html))
    assert sub.typed["apply_new_total"] == 81 and sub.typed["suit_after_review_total"] == 3
    assert sub.typed["active_normative_in_force"] == 9
    assert sub.unit_name == "某某区民政局"
    assert not [f for f in sub.findings if f.is_error]


def test_lines_drop_empty_cells() -> None:
    assert text_lines("规章\t\t0\t 0 \n\n") == [Line(("规章", "0", "0"))]
