"""Feedback to a department: the 回执 text and the annotated copy of its own workbook (golden text)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from system_tools import missing_tool

from workflow.check.annotate import RESULT_SHEET
from workflow.check.feedback import write_feedback
from workflow.domain.check_result import CheckResult
from workflow.domain.findings import Finding, Severity
from workflow.formats.seed import SEED_TEXTS, SEED_UNIT, seed_values
from workflow.formats.spec import load_format
from workflow.template.workbook import write_template

NOW = datetime(2022, 1, 27, 10, 0, tzinfo=UTC)
SPEC = load_format("gov2019")
APPLY = "三、依申请公开"
FINDINGS = [
    Finding(
        "R1",
        Severity.ERROR,
        "表三「自然人」列：相差 1。请核对该列。",
        ("apply_new_natural",),
        (f"{APPLY}!D6", f"{APPLY}!D7"),
    ),
    Finding(
        "R5",
        Severity.ERROR,
        '=HYPERLINK("http://x") 填写了“/”。请填 0。',
        ("apply_new_business",),
        (f"{APPLY}!E6",),
    ),
    Finding(
        "total-typed-over",
        Severity.WARNING,
        "合计格被手工填写。",
        ("apply_new_total",),
        (f"{APPLY}!J6",),
    ),
    Finding("R11", Severity.WARNING, "格式提示。", ("report_year",), ("基本信息!B5",)),
    Finding("macros-present", Severity.WARNING, "文件含有宏。"),
]


def department_file(path: Path) -> Path:
    inputs = {k: v for k, v in seed_values().items() if not SPEC.fields[k].computed}
    write_template(
        path, SPEC, now=NOW, year=2021, unit_name=SEED_UNIT, values=inputs, texts=SEED_TEXTS
    )
    return path


def result_for(path: Path, findings: list[Finding], unit: str = SEED_UNIT) -> CheckResult:
    status = "rejected" if any(f.is_error for f in findings) else "accepted"
    return CheckResult(
        file=str(path),
        sha256="ab" * 32,
        unit=unit,
        year=2021,
        format="gov2019",
        status=status,
        findings=findings,
    )


def sheet_text(ws) -> str:
    rows = []
    for row in ws.iter_rows(values_only=True):
        rows.append(" | ".join("" if v is None else str(v) for v in row).rstrip(" |"))
    return "\n".join(rows)


GOLDEN_SHEET = """\
校验结果：未通过（错误 2 个，提示 3 个）
单位：福州市长乐区人力资源和社会保障局　文件：部门报表.xlsx　校验时间：2022-01-27 10:00
红色为错误（须改正后重新报送），黄色为提示（请核对）。点击“位置”可跳到该单元格，批注中有说明。
序号 | 级别 | 规则 | 位置 | 说明
1 | 错误 | R1（勾稽关系：第一项加第二项等于第三项加第四项） | 三、依申请公开!D6 | 表三「自然人」列：相差 1。请核对该列。
2 | 错误 | R5（数字填写规范） | 三、依申请公开!E6 | =HYPERLINK("http://x") 填写了“/”。请填 0。
3 | 提示 | ［合计格被手工改写］ | 三、依申请公开!J6 | 合计格被手工填写。
4 | 提示 | R11（年度对应的报告格式） | 基本信息!B5 | 格式提示。
5 | 提示 | ［含有宏］ | 整个文件 | 文件含有宏。"""


@pytest.fixture
def annotated(tmp_path):
    source = department_file(tmp_path / "部门报表.xlsx")
    original = openpyxl.load_workbook(source)
    out = write_feedback(result_for(source, FINDINGS), source, tmp_path / "反馈", now=NOW)
    return source, original, out


def test_outputs_go_to_the_unit_folder(annotated, tmp_path):
    _, _, out = annotated
    folder = tmp_path / "反馈" / SEED_UNIT
    assert out == {
        "annotated": folder / "校验结果_部门报表.xlsx",
        "receipt": folder / "回执_部门报表.txt",
    }
    assert not list(folder.glob("*.tmp"))


def test_result_sheet_comes_first_and_lists_every_finding(annotated):
    _, _, out = annotated
    wb = openpyxl.load_workbook(out["annotated"])
    assert wb.sheetnames[0] == RESULT_SHEET
    assert wb.active.title == RESULT_SHEET
    ws = wb[RESULT_SHEET]
    assert sheet_text(ws) == GOLDEN_SHEET
    assert ws["D5"].hyperlink.location == "'三、依申请公开'!D6"
    assert ws["D9"].hyperlink is None


def test_department_text_stays_inert(annotated):
    _, _, out = annotated
    ws = openpyxl.load_workbook(out["annotated"])[RESULT_SHEET]
    assert ws["E6"].data_type == "s"
    assert ws["E6"].value.startswith("=HYPERLINK")


def test_offending_cells_are_marked_and_commented(annotated):
    _, _, out = annotated
    ws = openpyxl.load_workbook(out["annotated"])[APPLY]
    assert {c: ws[c].fill.fgColor.rgb[-6:] for c in ("D6", "D7", "E6", "J6", "F6")} == {
        "D6": "FFC7CE",
        "D7": "FFC7CE",
        "E6": "FFC7CE",
        "J6": "FFD966",
        "F6": "FFF7D6",
    }
    assert (
        ws["D6"].comment.text
        == "【错误 R1（勾稽关系：第一项加第二项等于第三项加第四项）】表三「自然人」列：相差 1。请核对该列。"
    )
    assert ws["J6"].comment.text == "【提示 ［合计格被手工改写］】合计格被手工填写。"
    assert ws["F6"].comment is None


def test_department_values_layout_and_protection_are_untouched(annotated):
    _, original, out = annotated
    copy = openpyxl.load_workbook(out["annotated"])
    assert copy.sheetnames[1:] == original.sheetnames
    for ws in original.worksheets:
        other = copy[ws.title]
        assert [[c.value for c in row] for row in ws.iter_rows()] == [
            [c.value for c in row] for row in other.iter_rows()
        ]
        assert ws.merged_cells.ranges == other.merged_cells.ranges
        assert ws.protection.sheet == other.protection.sheet
        assert dict(copy.defined_names).keys() == dict(original.defined_names).keys()


def test_receipt_golden(annotated):
    _, _, out = annotated
    data = out["receipt"].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Windows Notepad reads it as UTF-8
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert (
        data.decode("utf-8-sig").replace("\r\n", "\n")
        == """\
政府信息公开工作年度报告 报送回执
==================================

单位：福州市长乐区人力资源和社会保障局
文件名：部门报表.xlsx
接收时间：2022-01-27 10:00
年度：2021　表格格式：国办公开办函〔2019〕60号
结论：未通过（错误 2 个，提示 3 个）

【问题清单】

1. 错误 R1（勾稽关系：第一项加第二项等于第三项加第四项）　三、依申请公开!D6：表三「自然人」列：相差 1。请核对该列。
2. 错误 R5（数字填写规范）　三、依申请公开!E6：=HYPERLINK("http://x") 填写了“/”。请填 0。
3. 提示 ［合计格被手工改写］　三、依申请公开!J6：合计格被手工填写。
4. 提示 R11（年度对应的报告格式）　基本信息!B5：格式提示。
5. 提示 ［含有宏］　整个文件：文件含有宏。

【下一步】

本文件未通过校验，不能纳入汇总。请按上述问题逐项修改：随附的《校验结果_部门报表》中，问题单元格已标红（错误）或标黄（提示）并附批注。修改后将文件重新报送到收件箱，以最后一次报送的文件为准。
"""
    )


def test_clean_file_gets_only_a_receipt(tmp_path):
    source = department_file(tmp_path / "ok.xlsx")
    out = write_feedback(result_for(source, []), source, tmp_path / "fb", now=NOW)
    assert list(out) == ["receipt"]
    assert "本文件已通过校验，未发现问题。" in out["receipt"].read_text("utf-8-sig")


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_xls_and_ods_get_no_annotated_copy_and_the_receipt_says_so(tmp_path, suffix):
    source = tmp_path / f"old{suffix}"
    source.write_bytes(b"not really")
    out = write_feedback(result_for(source, FINDINGS[:1]), source, tmp_path / "fb", now=NOW)
    assert list(out) == ["receipt"]
    assert f"本文件为 {suffix} 格式，无法生成标注副本" in out["receipt"].read_text("utf-8-sig")


def test_unknown_unit_uses_the_file_stem_and_unsafe_names_are_cleaned(tmp_path):
    source = department_file(tmp_path / "报表.xlsx")
    out = write_feedback(
        result_for(source, FINDINGS[:1], unit=""), source, tmp_path / "fb", now=NOW
    )
    assert out["receipt"].parent.name == "报表"
    out = write_feedback(
        result_for(source, FINDINGS[:1], unit="a/b:c*"), source, tmp_path / "fb", now=NOW
    )
    assert out["receipt"].parent.name == "a_b_c_"


def test_a_resubmitted_annotated_copy_is_annotated_afresh(annotated, tmp_path):
    _, _, out = annotated
    again = tmp_path / "again.xlsx"
    shutil.copy(out["annotated"], again)
    out2 = write_feedback(result_for(again, FINDINGS[2:3]), again, tmp_path / "fb2", now=NOW)
    wb = openpyxl.load_workbook(out2["annotated"])
    assert wb.sheetnames.count(RESULT_SHEET) == 1
    assert wb[RESULT_SHEET].max_row == 5
    assert wb[APPLY]["J6"].comment.text == "【提示 ［合计格被手工改写］】合计格被手工填写。"


def test_damaged_workbook_gets_a_receipt_only(tmp_path):
    source = tmp_path / "broken.xlsx"
    source.write_bytes(b"PK\x03\x04 truncated")
    out = write_feedback(result_for(source, FINDINGS[:1]), source, tmp_path / "fb", now=NOW)
    assert list(out) == ["receipt"]
    assert "未生成标注副本" in out["receipt"].read_text("utf-8-sig")


@pytest.mark.slow
def test_annotated_copy_renders_in_libreoffice(annotated, tmp_path):
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        missing_tool("soffice not installed")
    _, _, out = annotated
    profile = f"file://{tmp_path}/lo_profile"
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(out["annotated"]),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "校验结果_部门报表.pdf"
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = "".join(text.split())
    assert "校验结果：未通过（错误2个，提示3个）" in text
    assert '=HYPERLINK("http://x")填写了“/”' in text  # shown as text, not evaluated


@pytest.mark.parametrize(
    ("now", "says"),
    [
        (datetime(2022, 1, 27, 10, 0), "于2022年1月31日前在本单位网站的政府信息公开年报栏目公布"),
        (datetime(2022, 2, 3, 10, 0), "公布期限（2022年1月31日）已过，请尽快在本单位网站"),
    ],
)
def test_a_passed_receipt_says_what_happens_next(tmp_path, now, says):
    source = department_file(tmp_path / "ok.xlsx")
    out = write_feedback(
        result_for(source, []), source, tmp_path / "fb", now=now, publish_by="2022-01-31"
    )
    text = out["receipt"].read_text("utf-8-sig")
    assert "年度报告（Word 和 PDF）" in text and "单位报告" in text and says in text
    assert "SHA-256" not in text


def _xml_path_only(monkeypatch):
    """Make the openpyxl fallback of check.annotate fail, so only the direct XML writer can succeed."""
    import workflow.check.annotate as annotate

    def refuse(*args, **kwargs):
        raise AssertionError("the openpyxl path was taken")

    monkeypatch.setattr(annotate, "openpyxl", SimpleNamespace(load_workbook=refuse))


def _members(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _check_xml_copy(source: Path, annotated: Path, edited: set[str]) -> None:
    before, after = _members(source), _members(annotated)
    untouched = set(before) - edited - {"xl/calcChain.xml"}
    assert {n: after[n] for n in untouched} == {n: before[n] for n in untouched}  # byte for byte
    assert {n: after[n] for n in edited} != {n: before[n] for n in edited}
    copy = openpyxl.load_workbook(annotated)
    assert copy.sheetnames[0] == RESULT_SHEET and copy.active.title == RESULT_SHEET
    assert sheet_text(copy[RESULT_SHEET]) == GOLDEN_SHEET
    ws = copy[APPLY]
    assert ws["D6"].fill.fgColor.rgb[-6:] == "FFC7CE" and ws["J6"].fill.fgColor.rgb[-6:] == "FFD966"
    assert ws["J6"].comment.text == "【提示 ［合计格被手工改写］】合计格被手工填写。"
    assert copy[RESULT_SHEET]["D5"].hyperlink.location == "'三、依申请公开'!D6"


def test_template_file_is_annotated_at_the_xml_level(tmp_path, monkeypatch):
    _xml_path_only(monkeypatch)
    source = department_file(tmp_path / "部门报表.xlsx")
    out = write_feedback(result_for(source, FINDINGS), source, tmp_path / "反馈", now=NOW)
    edited = {
        "[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
        "xl/worksheets/sheet2.xml", "xl/worksheets/sheet4.xml",  # 基本信息 and 三、依申请公开
        "xl/worksheets/sheet1.xml",  # 填报说明: no longer the selected tab
    }  # fmt: skip
    _check_xml_copy(source, out["annotated"], edited)


@pytest.mark.slow
def test_libreoffice_resave_is_annotated_at_the_xml_level(tmp_path, monkeypatch):
    import xml_edits

    source = department_file(tmp_path / "部门报表.xlsx")
    saved = xml_edits.soffice_resave(source, tmp_path / "lo")
    if saved is None:
        missing_tool("soffice not installed")
    _xml_path_only(monkeypatch)
    out = write_feedback(result_for(saved, FINDINGS), saved, tmp_path / "反馈", now=NOW)
    copy = openpyxl.load_workbook(out["annotated"])
    assert copy.sheetnames[1:] == openpyxl.load_workbook(source).sheetnames
    assert copy[APPLY]["D6"].comment.text.startswith("【错误 R1")


def test_a_workbook_with_macros_takes_the_openpyxl_path(tmp_path):
    from workflow.check.xlsx_marks import annotated_bytes
    from workflow.check.xlsx_styles import NotSimple

    source = department_file(tmp_path / "部门报表.xlsx")
    source = source.rename(source.with_suffix(".xlsm"))
    with pytest.raises(NotSimple):
        annotated_bytes(result_for(source, FINDINGS), source, NOW)
