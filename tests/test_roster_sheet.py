"""The roster as a spreadsheet (单位名单.xlsx): written by `workflow init`, read back with every
problem named by its row and fix, edited in LibreOffice while the loop runs, kept when half-saved."""

from __future__ import annotations

import logging
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from workflow.cli.demo import write_submission
from workflow.domain.roster import CATEGORIES, Unit
from workflow.errors import ConfigError
from workflow.formats.spec import load_format
from workflow.pipeline import scheduler
from workflow.pipeline.one_pass import run_once
from workflow.pipeline.status import workspace_status
from workflow.workspace.config import load_settings
from workflow.workspace.init import create_workspace
from workflow.workspace.roster_book import HEADERS, ROSTER_NAME, write_roster_book
from workflow.workspace.roster_sheet import read_roster

NOW = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
YEAR = 2025
SPEC = load_format("gov2021")


def new_ws(tmp_path: Path) -> Path:
    config = create_workspace(tmp_path / "ws", district="长乐区", year=YEAR, format_id="gov2021")
    (config.parent / ".workflow").mkdir(exist_ok=True)
    return config


def fill(path: Path, rows: list[tuple[str, ...]]) -> None:
    """Type (or paste) ``rows`` under the header, as a coordinator would in Excel."""
    book = openpyxl.load_workbook(path)
    sheet = book["单位名单"]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value or None)
    book.save(path)


def test_init_writes_the_roster_sheet_with_header_dropdown_and_guide(tmp_path):
    config = new_ws(tmp_path)
    book = openpyxl.load_workbook(config.parent / ROSTER_NAME)
    assert book.sheetnames == ["单位名单", "填写说明"]
    sheet = book["单位名单"]
    assert tuple(c.value for c in sheet[1]) == HEADERS
    (rule,) = sheet.data_validations.dataValidation
    assert rule.type == "list" and str(rule.sqref).startswith("C2")
    assert rule.formula1 == '"' + ",".join(CATEGORIES) + '"'
    assert "市级部门" in CATEGORIES and "设区的市" in CATEGORIES
    assert "顿号" in " ".join(str(c.value) for c in book["填写说明"]["A"])
    assert load_settings(config).units == ()  # empty until the coordinator fills it in


def test_pasted_names_make_the_roster(tmp_path):
    config = new_ws(tmp_path)
    fill(
        config.parent / ROSTER_NAME,
        [
            ("长乐区教育局", "区教育局、教育局；长乐教育局", "", "林老师", 59128888),
            ("长乐区吴航街道办事处", "", "", "", ""),
            ("  长乐区　潭头镇人民政府 ", "", "", "", ""),
            ("长乐区卫生健康局", "", "部门", "", "0591-28888888"),
        ],
    )
    units = load_settings(config).units
    assert [u.name for u in units] == [
        "长乐区教育局",
        "长乐区吴航街道办事处",
        "长乐区潭头镇人民政府",
        "长乐区卫生健康局",
    ]
    assert units[0].aliases == ("区教育局", "教育局", "长乐教育局")
    assert units[0].contact_phone == "59128888"  # a phone number typed as a number
    assert [u.category for u in units] == ["部门", "街道乡镇", "街道乡镇", "部门"]
    assert load_settings(config).find_unit("长乐区 潭头镇人民政府") == units[2]


PROBLEMS = [
    (
        "duplicate-name",
        [("长乐区教育局",), ("长乐区财政局",), ("长乐区 教育局",)],
        ["第 4 行", "与第 2 行重复", "删除其中一行"],
    ),
    (
        "duplicate-alias",
        [("长乐区教育局", "教育局"), ("长乐区教育局党委", "教育局")],
        ["第 3 行", "与第 2 行「长乐区教育局」的简称/别名相同", "在其中一行删去「教育局」"],
    ),
    (
        "unknown-category",
        [("长乐区教育局", "", "委办局")],
        ["第 2 行", "类别「委办局」", "从下拉列表中选择", "市级部门"],
    ),
    (
        "blank-name",
        [("长乐区教育局",), ("", "区财政局", "部门")],
        ["第 3 行", "单位名称为空", "简称/别名、类别", "补上单位名称，或删除这一行"],
    ),
    (
        "name-is-an-alias",
        [("长乐区教育局", "区教育局"), ("区教育局",)],
        ["第 2 行", "简称/别名「区教育局」是第 3 行的单位名称", "删除第 3 行"],
    ),
    (
        "alias-is-a-later-name",
        [("长乐区财政局",), ("长乐区国资中心", "长乐区财政局")],
        ["第 3 行", "简称/别名「长乐区财政局」是第 2 行的单位名称"],
    ),
]


@pytest.mark.parametrize(
    ("rows", "expected"), [p[1:] for p in PROBLEMS], ids=[p[0] for p in PROBLEMS]
)
def test_each_roster_problem_names_its_row_and_fix(tmp_path, rows, expected):
    config = new_ws(tmp_path)
    fill(config.parent / ROSTER_NAME, rows)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert ROSTER_NAME in message
    for part in expected:
        assert part in message
    assert caught.value.exit_code == 2


def test_every_problem_is_listed_at_once(tmp_path):
    config = new_ws(tmp_path)
    fill(config.parent / ROSTER_NAME, [("甲局", "", "x"), ("甲局",), ("", "", "部门")])
    message = str(pytest.raises(ConfigError, load_settings, config).value)
    assert "有 3 处需要修改" in message
    assert message.index("第 2 行") < message.index("第 3 行") < message.index("第 4 行")


def test_missing_header_says_how_to_restore_it(tmp_path):
    path = tmp_path / ROSTER_NAME
    book = openpyxl.Workbook()
    book.active.append(["教育局"])
    book.save(path)
    with pytest.raises(ConfigError, match="找不到表头“单位名称”"):
        read_roster(path)


def test_toml_units_and_the_sheet_together_say_which_to_keep(tmp_path):
    config = new_ws(tmp_path)
    config.write_text(
        config.read_text("utf-8") + '\n[[units]]\nname = "长乐区教育局"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"只能保留一处.*\[\[units\]\].*单位名单.xlsx"):
        load_settings(config)
    (config.parent / ROSTER_NAME).unlink()
    assert [u.name for u in load_settings(config).units] == ["长乐区教育局"]


def test_a_half_saved_roster_keeps_the_last_good_one(tmp_path, caplog):
    config = new_ws(tmp_path)
    roster = config.parent / ROSTER_NAME
    fill(roster, [("长乐区教育局",), ("长乐区财政局",)])
    assert len(load_settings(config).units) == 2  # read once: remembered
    data = roster.read_bytes()
    roster.write_bytes(data[: len(data) // 2])  # Excel is still writing it
    (config.parent / ("~$" + ROSTER_NAME)).write_bytes(b"owner")
    with caplog.at_level(logging.WARNING, logger="workflow"):
        units = load_settings(config).units
    assert [u.name for u in units] == ["长乐区教育局", "长乐区财政局"]
    assert "正在 Excel/WPS/LibreOffice 中编辑" in caplog.text
    assert "上次读到的名单（2 个单位）" in caplog.text
    shutil.rmtree(config.parent / ".workflow")  # nothing remembered: then it is an error
    with pytest.raises(ConfigError, match="无法读取单位名单"):
        load_settings(config)


def test_the_loop_keeps_the_last_good_settings_when_the_roster_breaks(tmp_path, caplog):
    config = new_ws(tmp_path)
    fill(config.parent / ROSTER_NAME, [("长乐区教育局",)])
    current = scheduler.Reloading(load_settings(config), lambda: load_settings(config))
    fill(config.parent / ROSTER_NAME, [("长乐区教育局",), ("长乐区教育局",)])
    with caplog.at_level(logging.ERROR, logger="workflow"):
        settings = current()
    assert [u.name for u in settings.units] == ["长乐区教育局"]
    assert "第 3 行" in caplog.text and "本次仍按上次读到的配置处理" in caplog.text
    fill(config.parent / ROSTER_NAME, [("长乐区教育局",), ("长乐区财政局",)])
    assert len(current().units) == 2


def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.skip("LibreOffice not installed")
    return path


def convert(src: Path, fmt: str, out: Path) -> Path:
    profile = out / ".lo-profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(out),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / f"{src.stem}.{fmt.split(':')[0]}"


def add_ods_row(path: Path, cells: list[str]) -> None:
    """Add a row after the last filled one in the first sheet of an .ods (an edit in Calc)."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    content = parts["content.xml"].decode("utf-8")
    row = (
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>'
            for c in cells
        )
        + "</table:table-row>"
    )
    first_table_end = content.index("</table:table>")
    last_row_end = content.rindex("</table:table-row>", 0, first_table_end) + len(
        "</table:table-row>"
    )
    # the rows after the filled ones are one repeated empty row: the new row goes before it
    tail = content.rfind("<table:table-row", 0, last_row_end)
    filled = content.rfind("</table:table-row>", 0, tail) + len("</table:table-row>")
    parts["content.xml"] = (content[:filled] + row + content[filled:]).encode("utf-8")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", parts.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
        for name, data in parts.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)


@pytest.mark.slow
def test_a_unit_added_in_libreoffice_is_listed_and_accepted_by_the_next_pass(tmp_path):
    config = new_ws(tmp_path)
    ws = config.parent
    roster = ws / ROSTER_NAME
    fill(roster, [("长乐区教育局", "区教育局", "部门")])
    write_submission(ws / "inbox" / "财政局.xlsx", SPEC, "长乐区财政局", YEAR, now=NOW)
    settings = load_settings(config)
    run_once(settings, now=NOW)
    text = workspace_status(settings).text()
    assert "财政局.xlsx" in text and "无法对应到名单内单位" in text  # rejected: not in the roster

    work = tmp_path / "lo"
    work.mkdir()
    ods = convert(roster, "ods", work)  # opened in LibreOffice Calc …
    add_ods_row(ods, ["长乐区财政局", "区财政局", "部门", "陈会计", "0591-22222222"])
    back = convert(ods, "xlsx:Calc MS Excel 2007 XML", work / "out")  # … and saved as .xlsx
    shutil.copyfile(back, roster)
    book = openpyxl.load_workbook(roster)
    assert book["单位名单"].data_validations.dataValidation  # the dropdown survived

    settings = load_settings(config)
    assert [u.name for u in settings.units] == ["长乐区教育局", "长乐区财政局"]
    assert settings.units[1].contact_phone == "0591-22222222"
    status = workspace_status(settings).text()
    assert "长乐区财政局" in status and "单位名单：单位名单.xlsx（2 个单位）" in status
    summary = run_once(settings, now=NOW)
    assert summary.rechecked  # the file rejected as unknown is checked again
    status = workspace_status(settings).text()
    line = next(ln for ln in status.splitlines() if ln.startswith("长乐区财政局"))
    assert "已通过" in line

    # the .ods itself is accepted as the roster too
    roster.unlink()
    shutil.copyfile(ods, ws / "单位名单.ods")
    assert [u.name for u in load_settings(config).units][-1] == "长乐区财政局"


def test_units_written_by_write_roster_book_read_back_unchanged(tmp_path):
    units = (
        Unit("长乐区教育局", "部门", ("区教育局", "教育局"), "林", "0591-1"),
        Unit("长乐区吴航街道办事处", "街道乡镇"),
        Unit("福州市", "设区的市", self_reference="我市"),
    )
    path = tmp_path / ROSTER_NAME
    write_roster_book(path, units, district="长乐区")
    assert read_roster(path) == units
