"""The department template, read back with openpyxl (and round-tripped through LibreOffice)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from system_tools import missing_tool

from workflow.domain.roster import Unit
from workflow.domain.settings import Settings
from workflow.errors import ConfigError, OutputError
from workflow.formats.layout import (
    META_KEYS,
    SHEET_APPLY,
    SHEET_CHECK,
    SHEET_INFO,
    SHEET_META,
    SHEET_ORDER,
    TEMPLATE_ID,
    field_cells,
    fingerprint,
)
from workflow.formats.spec import FORMAT_IDS, load_format
from workflow.template.selfcheck import HINT
from workflow.template.workbook import COMMITTED_NOW, make_template, write_template

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"


def _cell(wb, field_id):
    name = wb.defined_names[field_id]
    ((sheet, ref),) = list(name.destinations)
    return wb[sheet][ref.replace("$", "")]


def _validated(ws, coordinate):
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


@pytest.fixture(scope="module", params=FORMAT_IDS)
def blank(request, tmp_path_factory):
    spec = load_format(request.param)
    path = tmp_path_factory.mktemp("tpl") / f"{spec.id}.xlsx"
    write_template(path, spec, now=NOW, year=2025, roster=["甲局", "乙街道办事处"])
    return spec, openpyxl.load_workbook(path)


def test_sheets_in_order_meta_hidden_all_protected(blank):
    _, wb = blank
    assert wb.sheetnames == list(SHEET_ORDER)
    assert [ws.sheet_state for ws in wb] == ["visible"] * 6 + ["hidden"]
    assert all(ws.protection.sheet for ws in wb)
    assert all(not ws.protection.password for ws in wb)


def test_every_field_is_a_defined_name_on_its_layout_cell(blank):
    spec, wb = blank
    cells = field_cells(spec)
    assert set(wb.defined_names) >= set(spec.fields)
    for fid, (sheet, a1) in cells.items():
        c = _cell(wb, fid)
        assert (c.parent.title, c.coordinate) == (sheet, a1), fid


def test_numeric_inputs_prefilled_unlocked_validated(blank):
    spec, wb = blank
    for f in spec.input_fields:
        c = _cell(wb, f.id)
        assert c.protection.locked is False, f.id
        if f.numeric:
            assert c.value == 0, f.id
            (dv,) = _validated(c.parent, c.coordinate)
            expected = {"count": "whole", "signed": "whole", "money": "decimal"}[f.kind]
            assert dv.type == expected, f.id
            assert dv.prompt and f.label[:20] in dv.prompt


@pytest.mark.parametrize(
    "field_id",
    [
        "apply_new_total",
        "apply_total_natural",
        "apply_total_total",
        "review_total",
        "suit_direct_total",
        "suit_after_review_total",
    ],
)
def test_totals_are_locked_formulas(blank, field_id):
    _, wb = blank
    c = _cell(wb, field_id)
    assert str(c.value).startswith("=SUM("), field_id
    assert c.protection.locked is True


def test_every_computed_field_is_a_formula(blank):
    spec, wb = blank
    assert all(str(_cell(wb, f.id).value).startswith("=SUM(") for f in spec.computed_fields)


def test_meta_sheet(blank):
    spec, wb = blank
    meta = {
        r[0]: r[1] for r in wb[SHEET_META].iter_rows(min_col=1, max_col=2, values_only=True) if r[0]
    }
    assert tuple(meta) == META_KEYS
    assert meta["template_id"] == TEMPLATE_ID
    assert meta["format"] == spec.id
    assert meta["year"] == "2025"
    assert meta["generated"] == "2026-01-15T09:30:00+00:00"
    assert meta["fingerprint"] == fingerprint(spec)


def test_unit_name_dropdown_lists_the_roster(blank):
    _, wb = blank
    c = _cell(wb, "unit_name")
    (dv,) = _validated(c.parent, c.coordinate)
    assert dv.type == "list"
    sheet, rng = dv.formula1.split("!")
    start, end = rng.replace("$", "").split(":")
    names = [row[0].value for row in wb[sheet.strip("'")][f"{start}:{end}"]]
    assert names == ["甲局", "乙街道办事处"]


def test_apply_sheet_labels_verbatim_and_merged(blank):
    spec, wb = blank
    ws = wb[SHEET_APPLY]
    values = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert spec.apply.note in values
    assert {
        "申请人情况",
        "自然人",
        "法人或其他组织",
        "总计",
        "三、本年度办理结果",
        "（三）不予公开",
    } <= values
    assert {r.label for r in spec.apply.rows} <= values
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert "A3:C5" in merged  # the note over the three label columns and three header rows
    assert "D3:J3" in merged  # 申请人情况
    assert "E4:I4" in merged  # 法人或其他组织
    denied = [
        m for m in ws.merged_cells.ranges if ws.cell(m.min_row, m.min_col).value == "（三）不予公开"
    ]
    assert denied and denied[0].max_row - denied[0].min_row + 1 == 8


GOOD_AND_BAD = [
    ("apply_new_natural", 7, 7),
    ("apply_new_business", "/", "/"),
    ("apply_new_research", "１２", "１２"),
    ("apply_carried_natural", None, None),
    ("review_upheld", 3, 3),
]


@pytest.mark.parametrize(
    ("field_id", "raw", "read"), GOOD_AND_BAD, ids=[g[0] for g in GOOD_AND_BAD]
)
def test_values_go_into_their_named_cells(tmp_path, field_id, raw, read):
    path = tmp_path / "t.xlsx"
    write_template(path, load_format("gov2021"), now=NOW, values={field_id: raw})
    assert _cell(openpyxl.load_workbook(path), field_id).value == read


def test_money_decimal_texts_and_overrides(tmp_path):
    path = tmp_path / "t.xlsx"
    texts = {
        "unit_name": "甲局",
        "report_date": "2026-01-20",
        "text_problems": "问题。\n改进。",
        "report_year": "2025",
    }
    write_template(
        path,
        load_format("gov2021"),
        now=NOW,
        values={"active_fee_amount": Decimal("12.3456"), "apply_new_natural": 2},
        texts=texts,
        overrides={"apply_new_total": 5},
    )
    wb = openpyxl.load_workbook(path)
    assert _cell(wb, "active_fee_amount").value == pytest.approx(12.3456)
    assert _cell(wb, "unit_name").value == "甲局"
    assert _cell(wb, "report_year").value == 2025
    assert _cell(wb, "report_date").value == datetime(2026, 1, 20)
    assert _cell(wb, "text_problems").value == "问题。\n改进。"
    assert _cell(wb, "apply_new_total").value == 5  # typed over, no formula
    assert str(_cell(wb, "apply_carried_total").value).startswith("=")


def test_cached_totals_and_self_check(tmp_path):
    """Viewers that never recalculate still show true totals and the self-check verdict."""
    path = tmp_path / "t.xlsx"
    values = {
        "apply_new_natural": 3,
        "apply_new_legal": 2,
        "apply_granted_natural": 1,
        "review_upheld": 4,
    }
    filled = {"report_date": "2026-01-20"}
    write_template(
        path,
        load_format("gov2021"),
        now=NOW,
        year=2025,
        unit_name="甲局",
        values=values,
        texts=filled,
    )
    wb = openpyxl.load_workbook(path, data_only=True)
    assert _cell(wb, "apply_new_total").value == 5
    assert _cell(wb, "apply_total_natural").value == 1
    assert _cell(wb, "apply_total_total").value == 1
    assert _cell(wb, "review_total").value == 4
    results = [r[5] for r in wb[SHEET_CHECK].iter_rows(min_row=5, values_only=True)]
    assert "未通过：3≠1" in results  # R1, 自然人 column
    assert "未通过：2≠0" in results  # R1, 法律服务机构 column
    # 自然人 and 法律服务机构 columns (the 总计 column's R1 is implied, as in the checker)
    assert wb[SHEET_CHECK]["A2"].value.startswith("有2项")
    assert "有2项" in wb[SHEET_APPLY]["A2"].value


def test_blank_template_self_check_agrees_with_the_tool(tmp_path):
    """Missing 单位名称/年度/成文日期 fail (the tool rejects them); empty narratives are 提示 only."""
    path = tmp_path / "t.xlsx"
    write_template(path, load_format("gov2021"), now=NOW)
    wb = openpyxl.load_workbook(path, data_only=True)
    rows = list(wb[SHEET_CHECK].iter_rows(min_row=5, values_only=True))
    results = [r[5] for r in rows]
    for label in ("单位名称", "年度", "成文日期"):
        assert f"未通过：{label}未填写" in results
    assert results.count(HINT) == 6
    assert wb[SHEET_CHECK]["A2"].value == "有3项检查未通过，请按标红行的提示改正"
    assert wb[SHEET_INFO]["A2"].value.startswith("自检：本表有3项检查未通过")


def test_filled_info_leaves_only_hints(tmp_path):
    path = tmp_path / "t.xlsx"
    texts = {"report_date": "2026-01-20", "text_active": "主动公开了。"}
    write_template(path, load_format("gov2021"), now=NOW, year=2025, unit_name="甲局", texts=texts)
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb[SHEET_CHECK]["A2"].value.startswith("必查项目全部通过；另有5项提示")
    assert "另有5项提示" in wb[SHEET_INFO]["A2"].value
    assert (
        wb[SHEET_APPLY]["A2"].value.startswith("自检：本表")
        and "全部通过" in wb[SHEET_APPLY]["A2"].value
    )


def test_floats_and_decimals_mix_in_cached_values(tmp_path):
    path = tmp_path / "t.xlsx"
    values = {
        "active_fee_amount": 1.25,
        "apply_new_natural": Decimal("1.5"),
        "apply_new_legal": 2.0,
    }
    values |= {"apply_new_other": "十二"}
    write_template(path, load_format("gov2021"), now=NOW, values=values)
    wb = openpyxl.load_workbook(path, data_only=True)
    assert _cell(wb, "apply_new_total").value == pytest.approx(3.5)


def test_non_numbers_fail_the_self_check(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(
        path,
        load_format("gov2019"),
        now=NOW,
        values={"apply_new_natural": "无", "active_fee_prev": None},
    )
    wb = openpyxl.load_workbook(path, data_only=True)
    results = [r[5] for r in wb[SHEET_CHECK].iter_rows(min_row=5, values_only=True)]
    assert results.count("未通过：有1格为空或不是数字") == 2


def test_unwritable_target_is_an_output_error_and_leaves_nothing(tmp_path):
    target = tmp_path / "已存在的文件夹.xlsx"
    target.mkdir()
    with pytest.raises(OutputError, match="无法写入"):
        write_template(target, load_format("gov2021"), now=NOW)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_deterministic_for_a_given_now(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_template(a, load_format("gov2021"), now=NOW)
    write_template(b, load_format("gov2021"), now=NOW)
    assert a.read_bytes() == b.read_bytes()


SETTINGS = Settings(
    workspace=Path("."),
    district="长乐区",
    year=2021,
    units=(Unit("福州市长乐区人力资源和社会保障局", aliases=("区人社局",), contact_person="张三"),),
)


@pytest.mark.parametrize(
    ("settings", "unit", "fmt", "name", "unit_name"),
    [
        (None, None, "gov2019", "政府信息公开工作年度报告填报模板（gov2019）.xlsx", None),
        (SETTINGS, None, None, "长乐区2021年政府信息公开工作年度报告填报模板.xlsx", None),
        (
            SETTINGS,
            "区人社局",
            None,
            "福州市长乐区人力资源和社会保障局2021年政府信息公开工作年度报告填报模板.xlsx",
            "福州市长乐区人力资源和社会保障局",
        ),
        (
            SETTINGS,
            "人力资源和社会保障局",
            None,
            "福州市长乐区人力资源和社会保障局2021年政府信息公开工作年度报告填报模板.xlsx",
            "福州市长乐区人力资源和社会保障局",
        ),
    ],
    ids=["format-only", "district-blank", "unit-by-alias", "unit-by-the-end-of-its-name"],
)
def test_make_template_default_names(tmp_path, settings, unit, fmt, name, unit_name):
    path = make_template(settings, now=NOW, unit=unit, out=tmp_path, format_id=fmt)
    assert path == tmp_path / name
    wb = openpyxl.load_workbook(path)
    assert _cell(wb, "unit_name").value == unit_name
    if unit:
        assert _cell(wb, "contact_person").value == "张三"
        assert _cell(wb, "report_year").value == 2021


@pytest.mark.parametrize(
    ("settings", "unit"), [(SETTINGS, "区教育局"), (None, "区人社局")], ids=["unknown", "no-roster"]
)
def test_make_template_unit_must_be_on_the_roster(tmp_path, settings, unit):
    with pytest.raises(ConfigError, match="--unit|不在"):
        make_template(settings, now=NOW, unit=unit, out=tmp_path, format_id="gov2021")
    assert list(tmp_path.iterdir()) == []


def test_cli_template_format_without_config(tmp_path, monkeypatch, capsys):
    from workflow.cli import commands as cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        "sys.argv", ["workflow", "template", "--format", "gov2019", "--out", "t.xlsx"]
    )
    try:
        cli.main()
    except SystemExit as exc:
        assert exc.code in (0, None)
    assert "已生成填报模板" in capsys.readouterr().out
    assert load_meta(tmp_path / "t.xlsx")["format"] == "gov2019"


def load_meta(path):
    ws = openpyxl.load_workbook(path)[SHEET_META]
    return {r[0]: r[1] for r in ws.iter_rows(min_col=1, max_col=2, values_only=True) if r[0]}


# --- committed templates: a readable text snapshot, compared with the generator and a golden file --


def snapshot(path: Path) -> str:
    """Sheets, protection, print setup, cells (value/formula, lock), merges, names, validations."""
    wb = openpyxl.load_workbook(path)
    out = [f"names: {sorted((n, d.attr_text) for n, d in wb.defined_names.items())}"]
    for ws in wb:
        ps = ws.page_setup
        out.append(
            f"== {ws.title} state={ws.sheet_state} protected={ws.protection.sheet} "
            f"paper={ps.paperSize} orientation={ps.orientation} fit={ws.sheet_properties.pageSetUpPr.fitToPage}"
            f"/{ps.fitToWidth}x{ps.fitToHeight} print_rows={ws.print_title_rows}"
        )
        out.append(f"merged: {sorted(str(m) for m in ws.merged_cells.ranges)}")
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or not c.protection.locked:
                    lock = "" if c.protection.locked else " unlocked"
                    out.append(f"{c.coordinate} {c.value!r}{lock} fmt={c.number_format}")
        for dv in sorted(ws.data_validations.dataValidation, key=lambda d: str(d.sqref)):
            out.append(
                f"dv {dv.sqref} {dv.type} {dv.operator} {dv.formula1} {dv.formula2} {dv.prompt!r}"
            )
        for rng, rules in sorted((str(cf.sqref), cf.rules) for cf in ws.conditional_formatting):
            out.append(f"cf {rng} {[(r.type, r.operator, r.text, r.formula) for r in rules]}")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("format_id", FORMAT_IDS)
def test_committed_template_matches_generator_and_golden(tmp_path, format_id):
    committed = REPO / "templates" / "xlsx" / f"{format_id}_填报模板.xlsx"
    fresh = tmp_path / committed.name
    write_template(fresh, load_format(format_id), now=COMMITTED_NOW)
    text = snapshot(fresh)
    golden = GOLDEN / f"template_{format_id}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert snapshot(committed) == text, (
        "regenerate: python -m workflow.template.workbook templates/xlsx"
    )
    assert golden.read_text(encoding="utf-8") == text, (
        "regenerate: UPDATE_GOLDEN=1 pytest " + __file__
    )


# --- LibreOffice round trip ----------------------------------------------------------------------

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


@pytest.mark.slow
@pytest.mark.parametrize("format_id", FORMAT_IDS)
def test_libreoffice_round_trip_keeps_names_values_formulas(tmp_path, format_id):
    soffice = shutil.which("soffice")
    if not soffice:
        missing_tool("soffice not installed")
    spec = load_format(format_id)
    src = tmp_path / "src" / "模板.xlsx"
    values = {
        "apply_new_legal": Decimal("1.5"),
        "apply_new_natural": 3,
        "apply_granted_natural": 2,
        "apply_new_other": "/",
        "review_pending": 1,
    }
    texts = {"text_active": " \u3000", "text_problems": "问题。"}  # blank-looking, filled
    # gov2019: a template for no particular year, so the 自检 checks the year is four digits
    year = 2025 if format_id == "gov2021" else None
    texts["report_year"] = "2025" if year else "2O25"  # letter O: not four digits
    write_template(
        src, spec, now=NOW, year=year, unit_name="甲局", values=values, roster=["甲局"], texts=texts
    )
    profile = tmp_path / "lo_profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "out"),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    out = tmp_path / "out" / src.name
    before, after = openpyxl.load_workbook(src), openpyxl.load_workbook(out)
    for fid in spec.fields:
        b, a = _cell(before, fid), _cell(after, fid)
        assert a.coordinate == b.coordinate, fid
        if str(b.value).startswith("="):
            assert str(a.value).replace("$", "") == str(b.value).replace("$", ""), fid
        else:
            assert a.value == b.value, fid
    # LibreOffice recalculated every formula: its results equal the cached values we wrote.
    cached, recalculated = (
        openpyxl.load_workbook(src, data_only=True),
        openpyxl.load_workbook(out, data_only=True),
    )
    for name in (s for s in SHEET_ORDER if s != SHEET_META):
        for row in before[name].iter_rows():
            for c in row:
                if str(c.value).startswith("="):
                    assert (
                        recalculated[name][c.coordinate].value == cached[name][c.coordinate].value
                    ), (name, c.coordinate)
    assert "未通过" in recalculated[SHEET_CHECK]["A2"].value
    results = [r[5] for r in recalculated[SHEET_CHECK].iter_rows(min_row=5, values_only=True)]
    assert "未通过：有1格不是整数" in results and "未通过：有1格为空或不是数字" in results
