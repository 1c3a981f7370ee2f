"""The district's text as a Word document, and next year in one command (`workflow init --from`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from workflow.cli.commands import cli
from workflow.cli.demo import write_submission
from workflow.domain.roster import Unit
from workflow.errors import ConfigError, TemplateProblem
from workflow.formats.spec import load_format
from workflow.pipeline.one_pass import run_once
from workflow.pipeline.status import workspace_status
from workflow.report.district_docx import docx_lines, load_district_text
from workflow.report.district_text import is_placeholder, parse_district_text
from workflow.workspace.config import load_settings
from workflow.workspace.init import DISTRICT_DOCX_NAME, create_workspace
from workflow.workspace.next_year import create_next_year, moved_deadline
from workflow.workspace.roster_book import ROSTER_NAME, write_roster_book
from workflow.workspace.roster_sheet import read_roster

SPEC = load_format("gov2021")
EDU, FIN = "长乐区教育局", "长乐区财政局"
UNITS = (
    Unit(EDU, "部门", ("区教育局",), "林老师", "0591-1111"),
    Unit(FIN, "部门", (), "", ""),
    Unit("长乐区吴航街道办事处", "街道乡镇", ("吴航街道",)),
)


def plain_docx(path: Path, paragraphs: list[str], styles: dict[int, str] | None = None) -> Path:
    document = docx.Document()
    for i, text in enumerate(paragraphs):
        document.add_paragraph(text, style=(styles or {}).get(i))
    document.save(str(path))
    return path


def test_a_word_text_without_heading_styles_is_split_by_its_numbers(tmp_path):
    path = plain_docx(
        tmp_path / "正文.docx",
        [
            "长乐区人民政府2025年政府信息公开工作年度报告（正文）",
            "本报告在长乐区人民政府门户网站公布。",
            "一、总体情况",
            "2025年，长乐区……",
            "(一)主动公开",
            "主动公开政府信息 1200 条。",
            "（五）监督保障",
            "开展培训 3 次。",
            "五、存在的主要问题及改进情况",
            "一、部分单位更新不及时。",
            "二、解读形式单一",
            "六、其他需要报告的事项",
            "无。",
        ],
    )
    parts = parse_district_text(docx_lines(path))
    assert parts["preamble"] == "本报告在长乐区人民政府门户网站公布。"
    assert parts["overview"] == "2025年，长乐区……"
    assert parts["text_active"] == "主动公开政府信息 1200 条。"
    assert parts["text_supervision"] == "开展培训 3 次。"
    assert parts["text_problems"] == "一、部分单位更新不及时。\n二、解读形式单一"
    assert parts["text_other"] == "无。"


def test_an_unknown_heading_in_word_names_its_paragraph(tmp_path):
    path = plain_docx(
        tmp_path / "正文.docx",
        ["一、总体情况", "正文", "二、主动公开政府信息情况"],
        {2: "Heading 1"},
    )
    text, word = load_district_text(path)
    with pytest.raises(TemplateProblem, match="第 3 段的标题「二、主动公开政府信息情况」"):
        parse_district_text(text, str(path), word)


def test_init_writes_the_word_text_with_official_headings_and_the_mark(tmp_path):
    config = create_workspace(tmp_path / "ws", district="长乐区", year=2025, format_id="gov2021")
    path = config.parent / DISTRICT_DOCX_NAME
    paragraphs = [p for p in docx.Document(str(path)).paragraphs if p.text]
    assert paragraphs[0].style.name == "Title"
    assert paragraphs[1].text.startswith("【待修改】")
    headings = [p.text for p in paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "一、总体情况",
        "（一）主动公开",
        "（二）依申请公开",
        "（三）政府信息管理",
        "（四）政府信息公开平台建设",
        "（五）监督保障",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    text, _ = load_district_text(path)
    assert is_placeholder(text)
    assert set(parse_district_text(text)) >= {"overview", "text_active", "text_other"}
    assert 'district_text = "区报告正文.docx"' in config.read_text("utf-8")


def test_a_half_saved_word_text_is_a_template_problem(tmp_path):
    path = tmp_path / "正文.docx"
    plain_docx(path, ["一、总体情况", "正文"])
    path.write_bytes(path.read_bytes()[:900])
    with pytest.raises(TemplateProblem, match="请在 Word/WPS 中保存后再处理|文件不完整"):
        load_district_text(path)


@pytest.mark.parametrize(
    ("y", "expected"),
    [("2026-01-20", "2027-01-20"), ("2024-02-29", "2025-02-28"), ("", ""), ("x", "")],
)
def test_a_custom_deadline_moves_by_one_year(y, expected):
    assert moved_deadline(y, 1) == expected


def last_year(tmp_path: Path, roster: str, text: str) -> Path:
    """A 2025 workspace as a coordinator leaves it in March: roster, settings, text, a summary."""
    config = create_workspace(
        tmp_path / "ws2025", district="长乐区", year=2025, format_id="gov2021"
    )
    ws = config.parent
    toml = config.read_text("utf-8")
    toml = toml.replace(
        'website_url = ""', 'website_url = "http://www.fzcl.gov.cn"\ndeadline = "2026-01-20"'
    )
    toml = toml.replace('contact_phone = ""', 'contact_phone = "0591-28881234"', 1)
    toml = toml.replace("every_minutes = 10", "every_minutes = 5")
    if roster == "toml":
        (ws / ROSTER_NAME).unlink()
        toml += "".join(
            f'\n[[units]]\nname = "{u.name}"\naliases = {list(u.aliases)!r}\n'
            f'category = "{u.category}"\ncontact_person = "{u.contact_person}"\n'
            f'contact_phone = "{u.contact_phone}"\n'.replace("'", '"')
            for u in UNITS
        )
    else:
        write_roster_book(ws / ROSTER_NAME, UNITS, district="长乐区")
    if text == "md":
        (ws / DISTRICT_DOCX_NAME).unlink()
        (ws / "区报告正文.md").write_text(
            "## 一、总体情况\n2025年，长乐区深化政务公开。\n## 六、其他需要报告的事项\n无。\n",
            "utf-8",
        )
        toml = toml.replace('district_text = "区报告正文.docx"', 'district_text = "区报告正文.md"')
    else:
        document = docx.Document(str(ws / DISTRICT_DOCX_NAME))
        for p in document.paragraphs:
            if p.text.startswith("【待修改】"):
                p._element.getparent().remove(p._element)
            elif p.text.startswith("2025年，长乐区"):
                p.text = "2025年，长乐区深化政务公开。"
        document.save(str(ws / DISTRICT_DOCX_NAME))
    config.write_text(toml.replace('pdf = "typst"', "pdf = false"), "utf-8")
    now = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    write_submission(ws / "inbox" / "教育局.xlsx", SPEC, EDU, 2025, now=now)
    run_once(load_settings(config), now=now)
    return ws


@pytest.mark.parametrize(("roster", "text"), [("sheet", "docx"), ("toml", "md")])
def test_init_from_last_year_carries_everything_and_compares_from_the_first_pass(
    tmp_path, roster, text
):
    last = last_year(tmp_path, roster, text)
    new = tmp_path / "ws2026"
    result = CliRunner().invoke(
        cli, ["init", str(new), "--year", "2026", "--from", str(last)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "单位名单：3 个单位" in result.output and "上年数据：已复制" in result.output

    settings = load_settings(new)
    assert (settings.district, settings.year, settings.format) == ("长乐区", 2026, "gov2021")
    assert settings.website_url == "http://www.fzcl.gov.cn"
    assert settings.contact_phone == "0591-28881234"
    assert settings.deadline == "2027-01-20" and settings.every_minutes == 5
    assert not settings.pdf
    assert read_roster(new / ROSTER_NAME) == UNITS and settings.units == UNITS
    assert "\n[[units]]" not in (new / "workflow.toml").read_text("utf-8")

    source = settings.path(settings.district_text)
    assert source.suffix == (".md" if text == "md" else ".docx")
    body, _ = load_district_text(source)
    assert is_placeholder(body) and "本文件由2025年的正文复制而来" in body
    assert parse_district_text(body)["overview"] == "2025年，长乐区深化政务公开。"

    copied = new / "上年数据" / "summary.json"
    assert copied.read_bytes() == (last / "outbox" / "2025" / "summary.json").read_bytes()
    assert settings.previous_summary == Path("上年数据/summary.json")
    status = workspace_status(settings).text()
    assert "上年数据：上年数据/summary.json（长乐区2025年汇总，1/3 个单位已通过，复制自 " in status
    assert str(last / "outbox" / "2025" / "summary.json") in status

    now = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
    write_submission(new / "inbox" / "教育局.xlsx", SPEC, "区教育局", 2026, now=now)
    summary = run_once(settings, now=now)
    assert summary.files
    data = json.loads((new / "outbox" / "2026" / "summary.json").read_text("utf-8"))
    last_totals = json.loads(copied.read_text("utf-8"))["totals"]
    assert data["previous"]["year"] == 2025
    changes = data["changes_vs_previous"]
    assert changes and all(
        str(c["previous"]) == str(last_totals[f]) for f, c in changes.items() if f in last_totals
    )
    assert {e["unit"] for e in data["year_over_year"]} == {EDU}  # R7/R8 against last year


def test_init_from_refuses_an_earlier_year_and_needs_no_district(tmp_path):
    config = create_workspace(tmp_path / "a", district="长乐区", year=2025, format_id="gov2021")
    with pytest.raises(ConfigError, match="应晚于上年工作区"):
        create_next_year(tmp_path / "b", year=2025, source=config.parent)
    config.write_text(config.read_text("utf-8").replace('pdf = "typst"', 'pdf = "office"'), "utf-8")
    made = create_next_year(tmp_path / "b", year=2026, source=config.parent)
    assert any("上年工作区没有" in line for line in made.lines)  # no summary: said, no [previous]
    assert load_settings(made.config).previous_summary is None
    assert load_settings(made.config).pdf == "office"
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / "c"), "--year", "2026", "--from", "x", "--district", "y"]
    )
    assert result.exit_code == 2 and "不要同时写 --district" in result.output
