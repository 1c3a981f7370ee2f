"""Creating a workspace folder: workflow.toml, the roster spreadsheet 单位名单.xlsx (empty, with its
填写说明), the district narrative 区报告正文.docx, and the inbox/outbox/archive folders.

The narrative starts with a 【待修改】 paragraph (district_docx.DOCX_MARK): until the coordinator edits
the text and deletes it, drafts flag it and a final district report is refused. ``next_year`` makes
the next year's workspace from last year's (``workflow init --from``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from workflow.domain.settings import CONFIG_NAME
from workflow.errors import ConfigError
from workflow.report.district_docx import write_district_docx
from workflow.report.district_text import default_district_text
from workflow.report.text import jurisdiction
from workflow.workspace.config import load_settings
from workflow.workspace.roster_book import ROSTER_NAME, write_roster_book

DISTRICT_TEXT_NAME = "区报告正文.md"  # the Markdown form (the demo's; still accepted)
DISTRICT_DOCX_NAME = "区报告正文.docx"  # what `workflow init` writes
ROSTER_NOTE = (
    f"# 单位名单在本文件夹的 {ROSTER_NAME} 中维护（用 Excel、WPS 或 LibreOffice 编辑，保存后下次处理即生效）。\n"
    "# 也可以删去该表格、改在本文件中写 [[units]] 配置节，但两处只能用一处。\n"
)
EXAMPLE_UNITS = (
    ("人力资源和社会保障局", "区人社局", "部门"),
    ("教育局", "区教育局", "部门"),
    ("卫生健康局", "区卫健局", "部门"),
    ("吴航街道办事处", "吴航街道", "街道乡镇"),
)


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string: quotes, backslashes, newlines and control characters
    escaped, so any district or unit name makes a valid workflow.toml."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif 0xD800 <= ord(ch) <= 0xDFFF or (ord(ch) < 0x20 and ch not in "\r") or ch == "\x7f":
            raise ConfigError(f"名称 {value!r} 含有无法保存的字符（编码错误），请检查后重新输入。")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def config_text(
    district: str,
    year: int,
    format_id: str,
    *,
    pdf: bool = True,
    district_text: str | None = DISTRICT_TEXT_NAME,
    roster_sheet: bool = False,
) -> str:
    """The text of a new workflow.toml, with comments in Chinese for the coordinator."""
    text_line = (
        f'district_text = "{district_text}"   # 本级政府年度报告的正文（政务公开办撰写，Word 或 UTF-8 文本；'
        "修改后删除开头的“【待修改】”一段）\n"
        if district_text
        else ""
    )
    units = []
    level = jurisdiction(district).level
    for name, alias, category in EXAMPLE_UNITS:
        alias = level + alias[1:] if alias.startswith("区") else alias  # 区人社局 → 市人社局
        aliases = f'["{alias}"]' if alias else "[]"
        units.append(
            f"[[units]]\nname = {toml_string(district + name)}\naliases = {aliases}\n"
            f'category = "{category}"\ncontact_person = ""\ncontact_phone = ""\n'
        )
    return (
        "# 政府信息公开工作年度报告 工作区配置（UTF-8 编码）。路径均相对于本文件所在文件夹。\n"
        "[district]\n"
        f"name = {toml_string(district)}\n"
        f"year = {year}\n"
        f'format = "{format_id}"          # gov2021（国办公开办函〔2021〕30号）或 gov2019\n'
        'website_url = ""          # 本级年度报告的发布网址（写入报告前言）\n'
        'contact_person = ""       # 联系人（写入报告前言）\n'
        'contact_address = ""      # 政务公开办地址、邮编、电话（写入报告前言，导出给上级时也带上）\n'
        'contact_postcode = ""\n'
        'contact_phone = ""\n\n'
        "[paths]\n"
        'inbox = "inbox"      # 各单位报送文件放这里（可按单位建子文件夹）\n'
        'outbox = "outbox"    # 校验反馈、汇总表、报告、工作台页面\n'
        'archive = "archive"  # 已处理文件的原样存档\n\n'
        "[report]\n"
        + text_line
        + ('pdf = "typst"' if pdf else "pdf = false")
        + '   # "typst" 本工具直接生成 PDF；"office" 用 LibreOffice 将 Word 文档转为 PDF；false 不生成\n\n'
        "[schedule]\n"
        "every_minutes = 10\n\n"
        "[check]\n"
        'blank_policy = "error"   # 数字格留空或填“/”“无”：error 退回；warning 提示并按 0 计\n\n'
        + (
            ROSTER_NOTE
            if roster_sheet
            else "# 单位名单：每个单位一节 [[units]]。category 为 部门、街道乡镇 或 区县（市级汇总各区县时用）。\n"
            + "\n".join(units)
        )
    )


def create_workspace(directory: Path, *, district: str, year: int, format_id: str) -> Path:
    """Create the workspace and return its config path; refuse to overwrite an existing config."""
    config = directory / CONFIG_NAME
    if config.exists():
        raise ConfigError(f"{config} 已存在，未做任何修改。若要重建，请先移走该文件。")
    text_of_config = config_text(
        district, year, format_id, district_text=DISTRICT_DOCX_NAME, roster_sheet=True
    )
    tomllib.loads(text_of_config)  # any district name makes valid TOML (see toml_string)
    try:
        make_folders(directory)
        config.write_text(text_of_config, encoding="utf-8")
        roster = directory / ROSTER_NAME
        if not roster.exists():
            write_roster_book(roster, (), district=district)
        text = directory / DISTRICT_DOCX_NAME
        if not text.exists():
            write_district_docx(text, default_district_text(district, year))
    except OSError as exc:
        raise ConfigError(f"无法在 {directory} 创建工作区：{exc.strerror}") from exc
    load_settings(config)  # the files we wrote must themselves be valid
    return config


def make_folders(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("inbox", "outbox", "archive"):
        (directory / name).mkdir(exist_ok=True)
