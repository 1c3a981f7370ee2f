"""Next year's workspace from last year's: ``workflow init DIR --year Y --from LAST``.

Carried over: the roster (from 单位名单.xlsx or [[units]], written as 单位名单.xlsx), the district's
settings (name, format, website and contacts, a deadline of its own moved by one year, the schedule,
blank policy, PDF), the district's own text as a draft (a 【待修改】 mark put first), and last year's
summary.json, copied into 上年数据/ and named by ``[previous] summary`` (with ``source``: where it
came from), so R7, R8, R13 and the year-over-year comparisons work from the first pass.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from workflow.domain.settings import CONFIG_NAME, Settings
from workflow.errors import ConfigError, TemplateProblem
from workflow.report.district_docx import (
    DOCX_SUFFIX,
    load_district_text,
    mark_docx_as_draft,
    write_district_docx,
)
from workflow.report.district_text import PLACEHOLDER_TAG, default_district_text
from workflow.workspace.config import load_settings
from workflow.workspace.init import DISTRICT_DOCX_NAME, config_text, make_folders
from workflow.workspace.roster_book import ROSTER_NAME, write_roster_book

BASELINE_DIR = "上年数据"
SUMMARY_NAME = "summary.json"


@dataclass
class NextYear:
    config: Path
    lines: list[str] = field(default_factory=list)  # what was carried over, for the coordinator


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def moved_deadline(deadline: str, years: int) -> str:
    """A custom deadline ("YYYY-MM-DD") moved by ``years`` (29 Feb becomes 28 Feb); "" stays ""."""
    if not deadline:
        return ""
    try:
        day = date.fromisoformat(deadline)
    except ValueError:
        return ""
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:
        return day.replace(year=day.year + years, day=28).isoformat()


def draft_mark(last_year: int, year: int, what: str) -> str:
    return (
        f"{PLACEHOLDER_TAG}本文件由{last_year}年的正文复制而来，请按{year}年实际情况修改各部分内容"
        f"（年份、数字、工作举措）；修改完成后删除本{what}，删除本{what}表示已修改。"
    )


def next_config(last: Settings, year: int, text_name: str, baseline: Path | None) -> str:
    """workflow.toml for ``year`` with last year's district settings."""
    text = config_text(
        last.district,
        year,
        last.format,
        pdf=bool(last.pdf),
        district_text=text_name,
        roster_sheet=True,
    )
    if last.pdf and last.pdf != "typst":
        text = text.replace('\npdf = "typst"', f"\npdf = {_toml(str(last.pdf))}", 1)
    for key in ("website_url", "contact_address", "contact_postcode", "contact_phone"):
        value = getattr(last, key)
        text = text.replace(f'\n{key} = ""', f"\n{key} = {_toml(value)}", 1)
    deadline = moved_deadline(last.deadline, year - last.year)
    if deadline:
        text = text.replace(
            "\nwebsite_url",
            f"\ndeadline = {_toml(deadline)}   # 各单位报送截止日期\nwebsite_url",
            1,
        )
    text = text.replace("\nevery_minutes = 10\n", f"\nevery_minutes = {last.every_minutes}\n", 1)
    text = text.replace(
        '\nblank_policy = "error"', f"\nblank_policy = {_toml(last.blank_policy)}", 1
    )
    if baseline is not None:
        text = text.replace(
            "\n[schedule]\n",
            "\n[previous]   # 上年汇总数据：上年结转（R7）、现行有效件数（R8）、同比变化（R13）的依据\n"
            f"summary = {_toml(f'{BASELINE_DIR}/{SUMMARY_NAME}')}\n"
            f"source = {_toml(str(baseline))}   # 复制自（仅作记录）\n\n[schedule]\n",
            1,
        )
    return text


def create_next_year(directory: Path, *, year: int, source: Path) -> NextYear:
    """Create ``directory`` as the workspace of ``year`` from last year's workspace ``source``."""
    last = load_settings(source)
    if year <= last.year:
        raise ConfigError(
            f"--year {year} 应晚于上年工作区 {last.workspace} 的年度 {last.year}。"
            f"请检查 --year 和 --from 是否写反。"
        )
    config = directory / CONFIG_NAME
    if config.exists():
        raise ConfigError(f"{config} 已存在，未做任何修改。若要重建，请先移走该文件。")
    if directory.resolve() == last.workspace:
        raise ConfigError("新工作区不能与上年工作区是同一个文件夹。请换一个文件夹。")
    out = NextYear(config)
    try:
        make_folders(directory)
        baseline = _copy_summary(last, directory, out)
        text_name = _carry_text(last, year, directory, out)
        write_roster_book(directory / ROSTER_NAME, last.units, district=last.district)
        out.lines.insert(0, f"单位名单：{len(last.units)} 个单位，已写入 {ROSTER_NAME}")
        config.write_text(next_config(last, year, text_name, baseline), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"无法在 {directory} 创建工作区：{exc.strerror}") from exc
    new = load_settings(config)  # the files we wrote must themselves be valid
    carried = [
        k
        for k in ("website_url", "contact_address", "contact_postcode", "contact_phone")
        if getattr(new, k)
    ]
    out.lines.insert(
        1,
        f"区设置：{new.district}，{new.format}，报送截止 {new.unit_deadline}"
        + ("，发布网址和联系方式已沿用" if carried else "（上年未填发布网址和联系方式）"),
    )
    return out


def _copy_summary(last: Settings, directory: Path, out: NextYear) -> Path | None:
    summary = last.year_outbox / SUMMARY_NAME
    if not summary.is_file():
        out.lines.append(
            f"上年数据：上年工作区没有 {summary}（上年未处理过报送？），同比和 R7、R8、R13 暂不检查；"
            f"找到上年的 summary.json 后，放入 {BASELINE_DIR}/ 并在 workflow.toml 中设置 [previous] summary。"
        )
        return None
    target = directory / BASELINE_DIR / SUMMARY_NAME
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(summary, target)
    try:
        data = json.loads(target.read_text("utf-8"))
        counts = f"（{data.get('units_accepted')}/{data.get('units_expected')} 个单位已通过）"
    except ValueError:
        counts = ""
    out.lines.append(f"上年数据：已复制 {summary} → {BASELINE_DIR}/{SUMMARY_NAME}{counts}")
    return summary.resolve()


def _carry_text(last: Settings, year: int, directory: Path, out: NextYear) -> str:
    """Carry the district text as a draft; return its file name in the new workspace."""
    source = last.path(last.district_text) if last.district_text else None
    if source is None or not source.is_file():
        write_district_docx(
            directory / DISTRICT_DOCX_NAME, default_district_text(last.district, year)
        )
        out.lines.append(f"区报告正文：上年没有，已新建默认文字 {DISTRICT_DOCX_NAME}（待修改）")
        return DISTRICT_DOCX_NAME
    target = directory / source.name
    if source.suffix.lower() == DOCX_SUFFIX:
        try:
            mark_docx_as_draft(source, target, draft_mark(last.year, year, "段"))
        except Exception as exc:  # an unreadable .docx: start from the default text
            raise TemplateProblem(
                f"无法读取上年的区报告正文 {source}（{type(exc).__name__}）。请在 Word/WPS 中打开并保存后重试。"
            ) from exc
    else:
        try:
            text, _ = load_district_text(source)
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateProblem(f"无法读取上年的区报告正文 {source}：{exc}") from exc
        kept = [
            line
            for line in text.split("\n")
            if not line.lstrip("#").strip().startswith(PLACEHOLDER_TAG)
        ]
        target.write_text(
            "# " + draft_mark(last.year, year, "行") + "\n" + "\n".join(kept), encoding="utf-8"
        )
    out.lines.append(f"区报告正文：已复制上年的 {source.name}，开头标有“{PLACEHOLDER_TAG}”，请修改")
    return source.name
