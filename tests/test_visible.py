"""What is counted is what the department sees (issue 10, item 3): values come from the named
cells of the visible official sheets. Every workbook here is a real template edited at the XML
level the way Excel writes it (or saved again by LibreOffice)."""

from __future__ import annotations

import zipfile
from decimal import Decimal

import corpus
import pytest
import xml_edits

from workflow.read.workbook import read_workbook

APPLY = "三、依申请公开"
COPY = "三、依申请公开 (2)"
INFO = "基本信息"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("visible")


@pytest.fixture(scope="module")
def good(folder):
    return corpus.template(folder / "good.xlsx", values=corpus.sample_values())


def rules(sub, severity=None):
    return sorted(f.rule for f in sub.findings if severity is None or str(f.severity) == severity)


def the(sub, rule):
    [finding] = [f for f in sub.findings if f.rule == rule]
    return finding


# -- a copy of a sheet ---------------------------------------------------------------------------


def test_an_edited_sheet_copy_inserted_before_the_original_is_an_error(folder, good):
    path = xml_edits.add_sheet_copy(good, folder / "copy.xlsx", APPLY, COPY, cells={"D6": "40"})
    expected = read_workbook(good)
    sub = read_workbook(path)
    assert sub.cells["apply_new_natural"] == f"{APPLY}!D6"  # the named original, not the copy
    assert sub.values == expected.values
    finding = the(sub, "table-second-copy")
    assert finding.is_error
    assert f"「{APPLY}」和「{COPY}」" in finding.message and "D6" in finding.message
    assert f"{COPY}!D6" in finding.cells and f"{APPLY}!D6" in finding.cells


def test_an_identical_sheet_copy_is_a_warning(folder, good):
    path = xml_edits.add_sheet_copy(good, folder / "same.xlsx", APPLY, COPY)
    sub = read_workbook(path)
    finding = the(sub, "table-second-copy")
    assert not finding.is_error and f"删除多余的工作表「{COPY}」" in finding.message
    assert rules(sub, "error") == []


def test_a_copy_without_names_and_the_original_without_names_still_reads_the_original(folder, good):
    stripped = corpus.strip_names(good, folder / "nonames.xlsx")
    path = xml_edits.add_sheet_copy(
        stripped, folder / "copy-nonames.xlsx", APPLY, COPY, cells={"D6": "40"}, local_names=False
    )
    sub = read_workbook(path)
    assert "table-second-copy" in rules(sub, "error")


# -- hidden sheets and names -------------------------------------------------------------------------


def test_names_repointed_into_a_very_hidden_sheet_are_not_read(folder, good):
    hidden = xml_edits.add_sheet_copy(good, folder / "h1.xlsx", INFO, "数据", before=False,
                                      state="veryHidden", local_names=False)  # fmt: skip
    hidden = xml_edits.set_text(hidden, hidden, "数据", "B5", "某某区财政局")
    path = xml_edits.repoint_names(hidden, folder / "h2.xlsx", ["unit_name"], "数据")
    sub = read_workbook(path)
    assert sub.texts["unit_name"] == corpus.UNIT  # what 基本信息 shows
    assert sub.cells["unit_name"] == f"{INFO}!B5"
    finding = the(sub, "name-hidden-sheet")
    assert finding.is_error and "「数据」" in finding.message and "深度隐藏" in finding.message
    assert finding.cells == ("数据!B5",)


def test_names_pointing_at_another_sheet_than_the_labels_is_an_error(folder, good):
    names = [f"apply_{r}_{c}" for r in ("new", "granted") for c in ("natural", "business")]
    path = xml_edits.repoint_names(good, folder / "apart.xlsx", names, "四、复议诉讼")
    sub = read_workbook(path)
    assert sub.cells["apply_new_natural"] == f"{APPLY}!D6"  # the labels: what is seen
    finding = the(sub, "names-labels-disagree")
    assert (
        finding.is_error
        and "「四、复议诉讼」" in finding.message
        and f"「{APPLY}」" in finding.message
    )


# -- formulas in input cells ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "cached", "counted", "rule", "severity"),
    [
        ("1+2", "3", 3, None, None),
        ("D8+1", "6", 6, None, None),  # D8 holds 5
        ("D8+1", "99", 6, "input-formula", "warning"),  # stale cached value: recomputed
        ("SUM(D8:D9)*2", "", None, None, None),  # no cached value: recomputed silently
        ("VLOOKUP(D8,D8:E9,2)", "5", None, "input-formula", "error"),
        ("[1]Sheet1!A1", "7", None, "input-formula", "error"),
    ],
)
def test_input_formulas_are_recomputed_or_rejected(
    folder, good, formula, cached, counted, rule, severity
):
    path = folder / "formula.xlsx"
    xml_edits.set_cell(
        good, path, APPLY, "D6", f"<f>{formula}</f>" + (f"<v>{cached}</v>" if cached else "")
    )
    sub = read_workbook(path)
    d8, d9 = (
        read_workbook(good).values["apply_granted_natural"],
        read_workbook(good).typed.get("apply_partial_natural"),
    )
    if formula.startswith("SUM"):
        counted = (d8 + (d9 or 0)) * 2
    assert sub.values.get("apply_new_natural") == counted
    found = [f for f in sub.findings if f.rule == "input-formula"]
    if rule is None:
        assert found == []
    else:
        [finding] = found
        assert str(finding.severity) == severity and f"{APPLY}!D6" in finding.cells
        assert "=" + formula[:10] in finding.message


def test_a_shared_formula_is_recomputed_in_each_cell(folder, good):
    # Excel fills D6:E6 with one shared formula: =D8+1 in D6, =E8+1 in E6
    path = xml_edits.set_cell(good, folder / "shared.xlsx", APPLY, "D6",
                              '<f t="shared" ref="D6:E6" si="0">D8+1</f><v>0</v>')  # fmt: skip
    path = xml_edits.set_cell(path, path, APPLY, "E6", '<f t="shared" si="0"/><v>0</v>')
    base = read_workbook(good).values
    sub = read_workbook(path)
    assert sub.values["apply_new_natural"] == base["apply_granted_natural"] + 1
    assert sub.values["apply_new_business"] == base["apply_granted_business"] + 1


def test_a_formula_giving_a_huge_number_is_an_r5_error(folder, good):
    path = xml_edits.set_cell(good, folder / "huge.xlsx", "二、主动公开", "B16",
                              "<f>1.7E+308*10</f><v>1.7E+308</v>")  # fmt: skip
    sub = read_workbook(path)
    assert "active_fee_amount" not in sub.values
    assert any(f.rule == "R5" and f.is_error and "超出合理范围" in f.message for f in sub.findings)


# -- links to other workbooks --------------------------------------------------------------------------


def test_an_external_link_is_a_warning_and_the_annotated_copy_drops_it(folder, good):
    from datetime import UTC, datetime

    from workflow.check.checker import check_file
    from workflow.check.feedback import write_feedback

    linked = xml_edits.add_external_link(good, folder / "linked-1.xlsx")
    path = xml_edits.set_cell(linked, folder / "linked.xlsx", "自检", "A40",
                              "<f>[1]Sheet1!A1</f><v>7</v>")  # fmt: skip
    result = check_file(path, None, now=datetime(2026, 1, 5, tzinfo=UTC))
    finding = the(result, "external-links")
    assert not finding.is_error and "去年汇总.xlsx" in finding.message
    plain = check_file(good, None, now=datetime(2026, 1, 5, tzinfo=UTC))
    assert rules(result, "error") == rules(plain, "error")  # a 提示 only
    written = write_feedback(result, path, folder / "fb", now=datetime(2026, 1, 5, tzinfo=UTC))
    with zipfile.ZipFile(written["annotated"]) as zf:
        assert not [n for n in zf.namelist() if "externalLink" in n]
        assert b"externalReference" not in zf.read("xl/workbook.xml")
    copy = read_workbook(written["annotated"])
    assert "external-links" not in rules(copy)
    # written at the XML level (no openpyxl load and save); the linked formula's value stays
    from workflow.check.xlsx_marks import annotated_bytes

    direct = folder / "linked-direct.xlsx"
    direct.write_bytes(annotated_bytes(result, path, datetime(2026, 1, 5, tzinfo=UTC)))
    with zipfile.ZipFile(direct) as zf:
        assert not [n for n in zf.namelist() if "externalLink" in n]
        assert b"externalReference" not in zf.read("xl/workbook.xml")
    assert "external-links" not in rules(read_workbook(direct))
    import openpyxl

    assert openpyxl.load_workbook(direct)["自检"]["A40"].value == 7


def test_a_dde_formula_is_a_warning(folder, good):
    path = xml_edits.set_cell(good, folder / "dde.xlsx", "自检", "A40",
                              "<f>cmd|' /C calc'!A0</f><v>0</v>")  # fmt: skip
    sub = read_workbook(path)
    finding = the(sub, "external-links")
    assert "DDE" in finding.message and "自检!A40" in finding.cells


# -- LibreOffice ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def libre(folder, good):
    saved = xml_edits.soffice_resave(good, folder / "lo")
    if saved is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return saved


def test_a_file_saved_by_libreoffice_reads_the_same_without_new_findings(libre, good):
    sub, expected = read_workbook(libre), read_workbook(good)
    assert sub.values == expected.values
    assert sub.texts["unit_name"] == corpus.UNIT
    new = {
        "table-second-copy",
        "names-labels-disagree",
        "name-hidden-sheet",
        "input-formula",
        "external-links",
    }
    assert new.isdisjoint(rules(sub))


def test_a_libreoffice_file_with_a_stale_formula_is_recomputed(folder, libre):
    path = xml_edits.set_cell(libre, folder / "lo-stale.xlsx", APPLY, "D6",
                              "<f>D8+1</f><v>99</v>")  # fmt: skip
    sub = read_workbook(path)
    assert (
        sub.values["apply_new_natural"] == read_workbook(libre).values["apply_granted_natural"] + 1
    )
    assert the(sub, "input-formula").severity.name == "WARNING"


def test_a_libreoffice_file_with_a_sheet_copy_is_an_error(folder, libre):
    path = xml_edits.add_sheet_copy(libre, folder / "lo-copy.xlsx", APPLY, COPY, cells={"D6": "40"})
    sub = read_workbook(path)
    assert sub.cells["apply_new_natural"] == f"{APPLY}!D6"
    assert the(sub, "table-second-copy").is_error


def test_money_decimals_are_kept_as_typed(folder, good):
    path = xml_edits.set_number(good, folder / "money.xlsx", "二、主动公开", "B16", "5949.088667")
    assert read_workbook(path).values["active_fee_amount"] == Decimal("5949.088667")
