"""The reader: a department's file → a Submission, every value with its cell, every problem a finding."""

import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import corpus
import pytest
from system_tools import missing_tool

from workflow.domain.findings import Severity
from workflow.formats.layout import field_cells
from workflow.formats.seed import SEED_FORMAT, seed_values
from workflow.formats.spec import load_format
from workflow.read.limits import Limits
from workflow.read.workbook import read_workbook


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("reader")


@pytest.fixture(scope="module")
def good(folder):
    """A gov2021 template with a distinct number in every input cell, under a Chinese file name."""
    return corpus.template(
        folder / "某某区司法局2025年报表.xlsx",
        values=corpus.sample_values(),
        texts={
            "report_date": "2026-01-20",
            "text_active": "本年主动公开信息 158 条。",
            "contact_phone": "0591-1234567",
        },
    )


def _cells(spec):
    return {fid: f"{sheet}!{a1}" for fid, (sheet, a1) in field_cells(spec).items()}


def _rules(sub):
    return [(f.rule, str(f.severity)) for f in sub.findings]


# -- a good workbook ------------------------------------------------------------------------------


def test_good_template_reads_every_field_from_its_named_cell(good):
    spec = load_format("gov2021")
    sub = read_workbook(good, expected_format="gov2021")
    assert sub.findings == []
    assert sub.format == "gov2021"
    assert sub.values == {k: v for k, v in corpus.sample_values().items() if spec.fields[k].numeric}
    assert sub.cells == _cells(spec)
    assert sub.formulas == {f.id for f in spec.computed_fields}
    assert set(sub.typed) == {f.id for f in spec.numeric_fields}
    assert sub.texts == {
        "unit_name": corpus.UNIT, "report_year": "2025", "report_date": "2026-01-20",
        "text_active": "本年主动公开信息 158 条。", "contact_phone": "0591-1234567",
    }  # fmt: skip
    assert sub.meta["located_by"] == "names"
    assert sub.meta["format"] == "gov2021" and sub.meta["year"] == "2025"


def test_seed_report_in_a_gov2019_template_reads_back_exactly(folder):
    values = seed_values()
    spec = load_format(SEED_FORMAT)
    path = corpus.template(folder / "seed.xlsx", SEED_FORMAT, values=values, year=2021)
    sub = read_workbook(path, expected_format=SEED_FORMAT)
    assert sub.findings == []
    assert sub.values == {f.id: values[f.id] for f in spec.input_fields if f.numeric}
    assert sub.values["active_license_change"] == -4


def test_totals_are_reported_as_typed_never_as_values(folder):
    path = corpus.template(
        folder / "typed-over.xlsx",
        values={"apply_new_natural": 3, "apply_new_business": 9},
        overrides={"apply_new_total": 13},
    )
    sub = read_workbook(path)
    assert sub.typed["apply_new_total"] == 13
    assert "apply_new_total" not in sub.formulas
    assert "apply_total_total" in sub.formulas
    assert not any(f.computed for f in map(load_format("gov2021").fields.get, sub.values))


# -- cell values: R5 ------------------------------------------------------------------------------


def _where(format_id, field_id):
    return field_id, _cells(load_format(format_id))[field_id]


COUNT = _where("gov2021", "apply_new_natural")
MONEY = _where("gov2021", "active_fee_amount")
SIGNED = _where("gov2019", "active_license_change")

R5_CASES = [
    # (id, format, field, raw, blank_policy, severity or None, value read)
    ("number", "gov2021", COUNT, 7, "error", None, 7),
    ("text-number", "gov2021", COUNT, "12", "error", "warning", 12),
    ("full-width", "gov2021", COUNT, "１２", "error", "warning", 12),
    ("thousands", "gov2021", COUNT, "1,200", "error", "warning", 1200),
    ("spaces", "gov2021", COUNT, " 12 ", "error", "warning", 12),
    ("zero", "gov2021", COUNT, 0, "error", None, 0),
    ("blank", "gov2021", COUNT, None, "error", "error", None),
    ("slash", "gov2021", COUNT, "/", "error", "error", None),
    ("wu", "gov2021", COUNT, "无", "error", "error", None),
    ("dash", "gov2021", COUNT, "—", "error", "error", None),
    ("blank-lenient", "gov2021", COUNT, None, "warning", "warning", 0),
    ("slash-lenient", "gov2021", COUNT, "/", "warning", "warning", 0),
    ("wu-lenient", "gov2021", COUNT, "无", "warning", "warning", 0),
    ("dash-lenient", "gov2021", COUNT, "—", "warning", "warning", 0),
    ("not-applicable", "gov2021", COUNT, "不适用", "warning", "error", None),
    ("decimal", "gov2021", COUNT, Decimal("1.5"), "error", "error", None),
    ("negative", "gov2021", COUNT, -2, "error", "error", None),
    ("liang-jian", "gov2021", COUNT, "两件", "error", "error", None),
    ("boolean", "gov2021", COUNT, True, "error", "error", None),
    ("nan-text", "gov2021", COUNT, "NaN", "error", "error", None),
    ("money", "gov2021", MONEY, Decimal("12.35"), "error", None, Decimal("12.35")),
    ("money-text", "gov2021", MONEY, "１２.５", "error", "warning", Decimal("12.5")),
    ("money-negative", "gov2021", MONEY, Decimal("-1"), "error", "error", None),
    ("signed-minus", "gov2019", SIGNED, "-4", "error", "warning", -4),
    ("signed-plus", "gov2019", SIGNED, "+1", "error", "warning", 1),
    ("signed-jian", "gov2019", SIGNED, "减4", "error", "warning", -4),
    ("signed-zeng", "gov2019", SIGNED, "增3", "error", "warning", 3),
    ("signed-decimal", "gov2019", SIGNED, "0.5", "error", "error", None),
]  # a number typed as text is counted, with a 提示: the sheet's own SUM formulas ignore text


@pytest.mark.parametrize(
    ("format_id", "where", "raw", "policy", "severity", "value"),
    [c[1:] for c in R5_CASES],
    ids=[c[0] for c in R5_CASES],
)
def test_number_cells(folder, format_id, where, raw, policy, severity, value):
    field_id, cell = where
    path = corpus.template(folder / f"r5-{format_id}.xlsx", format_id, values={field_id: raw})
    sub = read_workbook(path, blank_policy=policy)
    assert sub.cells[field_id] == cell
    assert sub.values.get(field_id) == value
    if severity is None:
        assert sub.findings == []
        return
    [finding] = sub.findings
    assert (finding.rule, str(finding.severity), finding.fields, finding.cells) == (
        "R5",
        severity,
        (field_id,),
        (cell,),
    )
    assert finding.message.startswith(f"{load_format(format_id).fields[field_id].label}（{cell}）")


def test_every_bad_cell_is_reported_at_once(folder):
    bad = {
        "apply_new_natural": "/",
        "apply_new_business": "两件",
        "review_upheld": None,
        "active_fee_amount": "-1",
    }
    sub = read_workbook(corpus.template(folder / "many.xlsx", values=bad))
    assert sorted(f.fields[0] for f in sub.findings) == sorted(bad)
    assert {f.rule for f in sub.findings} == {"R5"}


def test_slash_message_reads_as_the_issue_says(folder):
    sub = read_workbook(corpus.template(folder / "slash.xlsx", values={"apply_new_natural": "/"}))
    assert sub.findings[0].message == (
        f"表三「一、本年新收政府信息公开申请数量」·自然人（{COUNT[1]}）填写了“/”。"
        "没有数据请填 0，不要留空或填“/”“无”。"
    )
    assert (sub.findings[0].expected, sub.findings[0].actual) == (0, "/")


@pytest.mark.parametrize(
    ("raw", "iso", "rules"),
    [("2026-01-20", "2026-01-20", []), ("2026年1月20日", "2026-01-20", []),
     ("二〇二六年一月二十日", "2026-01-20", []), ("一月下旬", None, [("date-invalid", "error")])],
    ids=["excel-date", "text-date", "chinese-numerals", "not-a-date"],
)  # fmt: skip
def test_report_date(folder, raw, iso, rules):
    sub = read_workbook(corpus.template(folder / "date.xlsx", texts={"report_date": raw}))
    assert sub.texts.get("report_date") == iso
    assert _rules(sub) == rules


# -- locating cells when the names are gone -----------------------------------------------------

LABEL_CASES = [
    ("names-removed", lambda src, dst: corpus.strip_names(src, dst)),
    ("rows-inserted", lambda src, dst: corpus.insert_rows(src, dst)),
    ("pasted-into-one-sheet", lambda src, dst: corpus.copy_into_one_sheet(src, dst)),
    ("label-variants", lambda src, dst: corpus.replace_text(
        corpus.strip_names(src, dst.with_name("v.xlsx")), dst,
        {"5.属于三类内部事务信息": "5、属于三类内容事务信息", "（一）予以公开": "(一) 予以公开",
         "法律服务机构": "法律服务 机构", "本年处理决定数量": "本年处理决定数量 "},
    )),
]  # fmt: skip


@pytest.mark.parametrize("make", [c[1] for c in LABEL_CASES], ids=[c[0] for c in LABEL_CASES])
def test_cells_found_by_labels(folder, good, make):
    path = make(good, folder / "labels.xlsx")
    expected = read_workbook(good)
    sub = read_workbook(path)
    assert sub.meta["located_by"] == "labels"
    assert sub.values == expected.values
    assert sub.texts["unit_name"] == corpus.UNIT
    assert [f.rule for f in sub.findings if f.is_error] == []


def test_rows_inserted_point_at_the_moved_cells(folder, good):
    before = read_workbook(good).cells
    sub = read_workbook(corpus.insert_rows(good, folder / "inserted.xlsx", at=8, count=2))
    for fid in ("apply_new_natural", "apply_carry_over_natural"):
        sheet, _, a1 = before[fid].partition("!")
        row = int(a1[1:])
        assert sub.cells[fid] == f"{sheet}!{a1[0]}{row + 2 if row >= 8 else row}"
    assert sub.cells["apply_carry_over_natural"] != before["apply_carry_over_natural"]


def test_row_deleted_behind_the_names_back_is_an_error(folder, good):
    before = read_workbook(good).cells
    row = int(before["apply_granted_natural"].partition("!")[2][1:])
    sub = read_workbook(corpus.delete_rows(good, folder / "deleted.xlsx", at=row))
    assert sub.meta["located_by"] == "labels"
    [finding] = [f for f in sub.findings if f.is_error]
    assert finding.rule == "labels-not-found"
    assert "表三行「（一）予以公开」" in finding.message
    assert "apply_granted_natural" not in sub.cells
    assert sub.cells["apply_carry_over_natural"] != before["apply_carry_over_natural"]


def test_labels_not_found_names_them(folder, good):
    bare = corpus.strip_names(good, folder / "bare.xlsx")
    path = corpus.replace_text(
        bare, folder / "relabelled.xlsx", {"自然人": "个人", "2.重复申请": "重复的申请"}
    )
    sub = read_workbook(path)
    [finding] = [f for f in sub.findings if f.is_error]
    assert finding.rule == "labels-not-found"
    assert (
        "表三列「自然人」" in finding.message
        and "表三行「（五）不予处理2.重复申请」" in finding.message
    )


# -- file-level problems ---------------------------------------------------------------------------

FILE_CASES = [
    # (id, file name, builder(good, dst), rule, severity)
    ("empty", "empty.xlsx", lambda g, d: d.write_bytes(b"") or d, "file-empty", "error"),
    ("renamed-text", "notes.xlsx", lambda g, d: corpus.text_file(d), "file-not-spreadsheet", "error"),
    ("html-as-xls", "export.xls", lambda g, d: corpus.html_as_xls(d), "file-not-spreadsheet", "error"),
    ("pdf", "report.xlsx", lambda g, d: corpus.pdf_document(d), "file-not-spreadsheet", "error"),
    ("docx", "report.xlsx", lambda g, d: corpus.docx_document(d), "file-not-spreadsheet", "error"),
    ("word97", "report.xls", lambda g, d: corpus.word97_document(d), "file-not-spreadsheet", "error"),
    ("truncated", "cut.xlsx", lambda g, d: corpus.truncated(g, d), "file-corrupt", "error"),
    ("bad-crc", "crc.xlsx", lambda g, d: corpus.bad_crc(g, d), "file-corrupt", "error"),
    ("encrypted", "locked.xlsx", lambda g, d: corpus.encrypted_workbook(d), "file-encrypted", "error"),
    ("xml-entities", "lol.xlsx", lambda g, d: corpus.xml_bomb(g, d), "file-corrupt", "error"),
    ("macros", "宏.xlsm", lambda g, d: corpus.macro_workbook(g, d), "macros-present", "warning"),
    ("stale-fingerprint", "old.xlsx", lambda g, d: corpus.set_meta(g, d, "fingerprint", "0" * 64), "template-stale", "error"),
    ("stale-version", "old.xlsx", lambda g, d: corpus.set_meta(g, d, "version", "0"), "template-stale", "error"),
    ("xlsb", "binary.xlsb", lambda g, d: corpus.binary_workbook(g, d), "file-unsupported", "error"),
    ("odt-as-ods", "writer.ods", lambda g, d: corpus.opendocument_text(d), "file-not-spreadsheet", "error"),
    ("not-our-template", "copy.xlsx", lambda g, d: corpus.copy_into_one_sheet(g, d), "template-unknown", "warning"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "make", "rule", "severity"),
    [c[1:] for c in FILE_CASES],
    ids=[c[0] for c in FILE_CASES],
)
def test_file_problems_are_findings(folder, good, name, make, rule, severity):
    path = make(good, folder / name)
    started = time.perf_counter()
    sub = read_workbook(path, expected_format="gov2021")
    assert time.perf_counter() - started < 2
    assert _rules(sub) == [(rule, severity)]
    assert sub.findings[0].message  # plain Chinese, no traceback
    assert "Traceback" not in sub.findings[0].message
    if severity == "warning":
        assert sub.values == read_workbook(good).values  # values still read


def test_strict_open_xml_reads_like_transitional(folder, good):
    sub = read_workbook(corpus.strict_ooxml(good, folder / "strict.xlsx"))
    assert sub.findings == []
    assert sub.meta["located_by"] == "names"
    assert sub.values == read_workbook(good).values


@pytest.mark.parametrize("name", ["missing.xlsx", "a-folder.xlsx"], ids=["missing", "directory"])
def test_unopenable_path_is_a_finding(folder, name):
    path = folder / name
    if name.startswith("a-folder"):
        path.mkdir(exist_ok=True)
    assert _rules(read_workbook(path)) == [("file-unreadable", "error")]


def test_template_of_the_other_format(folder):
    path = corpus.template(folder / "gov2019.xlsx", "gov2019", year=2025)
    sub = read_workbook(path, expected_format="gov2021")
    assert sub.format == "gov2019"
    assert _rules(sub) == [("template-other-format", "error")]
    assert (sub.findings[0].expected, sub.findings[0].actual) == ("gov2021", "gov2019")


def test_format_recognised_by_labels_without_names(folder):
    path = corpus.strip_names(
        corpus.template(folder / "19.xlsx", "gov2019"), folder / "19-bare.xlsx"
    )
    assert read_workbook(path).format == "gov2019"


def test_file_over_size_limit(good):
    sub = read_workbook(good, limits=Limits(max_file_bytes=1024))
    assert _rules(sub) == [("file-too-large", "error")]


def test_file_is_closed_after_reading(folder, good):
    copy = shutil.copy(good, folder / "closed.xlsx")
    read_workbook(Path(copy))
    if Path("/proc/self/fd").is_dir():
        open_files = {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")}
        assert os.path.realpath(copy) not in open_files
    Path(copy).unlink()


def test_reading_is_faster_than_openpyxl_load_workbook(good):
    openpyxl = pytest.importorskip("openpyxl")

    def best(fn):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return min(times)

    ours = best(lambda: read_workbook(good))
    theirs = best(lambda: openpyxl.load_workbook(good))
    assert ours < theirs, f"read_workbook {ours * 1000:.1f} ms vs openpyxl {theirs * 1000:.1f} ms"


# -- saved again by LibreOffice ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("target", ["xlsx", "xls", "ods"])
def test_workbook_saved_by_libreoffice(tmp_path, good, target):
    soffice = shutil.which("soffice")
    if soffice is None:
        missing_tool("soffice not installed")
    source = shutil.copy(good, tmp_path / "某某局填报.xlsx")
    out = tmp_path / "out"
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={(tmp_path / 'lo_profile').as_uri()}",
         "--convert-to", target, "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    sub = read_workbook(out / f"某某局填报.{target}", expected_format="gov2021")
    expected = read_workbook(good)
    legacy = [] if target == "xlsx" else [("format-legacy", Severity.WARNING, ())]
    assert [(f.rule, f.severity, f.cells) for f in sub.findings] == legacy
    assert (sub.values, sub.texts, sub.cells) == (expected.values, expected.texts, expected.cells)
    assert sub.formulas == expected.formulas
    assert sub.meta["located_by"] == ("names" if target == "xlsx" else "labels")


def test_text_keeps_line_breaks_and_excel_escapes(folder):
    texts = {"text_active": "第一段\r\n第二段", "text_problems": "字面的 _x0041_ 不是转义"}
    sub = read_workbook(corpus.template(folder / "text.xlsx", texts=texts))
    assert {k: sub.texts[k] for k in texts} == texts


def test_calamine_path_keeps_cell_positions(folder):
    """.xls/.ods go through python-calamine; a sheet that starts below A1 keeps its addresses."""
    from openpyxl import Workbook

    from workflow.read.limits import Budget
    from workflow.read.xlsx_parts import open_calamine

    book = Workbook()
    book.active["C5"], book.active["D7"] = "自然人", 3
    book.save(folder / "offset.xlsx")
    sheet = open_calamine(folder / "offset.xlsx", ".xls", Budget(Limits())).sheet(book.active.title)
    assert sheet.cells == {(5, 3): "自然人", (7, 4): 3}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
