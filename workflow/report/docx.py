"""Writing the report documents (.docx) from the Word templates in templates/docx/.

The templates use docxtpl's tag syntax. Each is prepared once (docxtpl's ``patch_xml`` joins tags
Word split across runs and turns ``{%p …%}`` / ``{{p …}}`` into paragraph-level tags) and compiled
with jinja2 (autoescape on, StrictUndefined); rendering a report is then one jinja2 render per XML
part and a zip write, a few milliseconds. Every value from a submission is escaped and stripped of
XML-illegal characters, so no text can become markup, a Word field or a template tag.

A workspace may hold its own copies in ``<workspace>/templates/docx/``; they win over the project's.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from markupsafe import Markup, escape

from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
from workflow.errors import TemplateProblem
from workflow.formats.spec import Format, load_format
from workflow.report.context import district_context, summary_numbers, unit_context
from workflow.report.district_docx import load_district_text
from workflow.report.district_text import (
    PLACEHOLDER_TAG,
    default_district_text,
    is_placeholder,
    parse_district_text,
)
from workflow.report.tables import MissingValue, report_tables
from workflow.report.text import clean_text, jurisdiction

UNIT_TEMPLATE = "unit_report.docx"
DISTRICT_TEMPLATE = "district_report.docx"


def _project_templates() -> Path:
    """templates/docx of the repository, or the copy installed as package data."""
    repository = Path(__file__).resolve().parents[2] / "templates" / "docx"
    if repository.is_dir():
        return repository
    return Path(str(resources.files("workflow.templates") / "docx"))


PROJECT_TEMPLATES = _project_templates()
_RENDERED = re.compile(r"word/(document|header\d*|footer\d*)\.xml|docProps/core\.xml")
_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _finalize(value: Any) -> Any:
    """Every {{ value }}: clean text, newlines as Word line breaks (escaped by autoescape)."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    text = clean_text(value)
    return _BREAK.join(escape(line) for line in text.split("\n")) if "\n" in text else text


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class PreparedTemplate:
    """A .docx template read and compiled once: its zip members and a jinja2 template per XML part."""

    path: Path
    members: tuple[tuple[zipfile.ZipInfo, bytes], ...]
    parts: dict[str, jinja2.Template]

    def render(self, context: Mapping[str, Any], out: Path) -> None:
        rendered = {}
        try:
            for name, template in self.parts.items():
                rendered[name] = template.render(context).encode("utf-8")
        except jinja2.UndefinedError as exc:
            raise TemplateProblem(
                f"报告模板 {self.path} 使用了数据中没有的变量：{exc.message}"
            ) from exc
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for info, data in self.members:
                entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
                entry.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(entry, rendered.get(info.filename, data))


def _read_template(path: Path) -> tuple[tuple[tuple[zipfile.ZipInfo, bytes], ...], dict[str, str]]:
    try:
        with zipfile.ZipFile(path) as zf:
            members = tuple((info, zf.read(info)) for info in zf.infolist())
    except FileNotFoundError:
        raise TemplateProblem(f"找不到报告模板 {path}。") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise TemplateProblem(f"报告模板 {path} 不是有效的 Word（.docx）文件：{exc}") from exc
    xml = {
        info.filename: data.decode("utf-8")
        for info, data in members
        if _RENDERED.fullmatch(info.filename)
    }
    if "word/document.xml" not in xml:
        raise TemplateProblem(f"报告模板 {path} 缺少 word/document.xml，不是有效的 Word 文档。")
    return members, xml


@cache
def _prepare(path: Path, stamp: tuple[int, int]) -> PreparedTemplate:
    members, xml = _read_template(path)
    patcher = DocxTemplate(path)
    env = _environment()
    parts = {}
    for name, text in xml.items():
        try:
            parts[name] = env.from_string(patcher.patch_xml(text))
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(
                f"报告模板 {path} 的 {name} 中有模板语法错误：{exc.message}"
            ) from exc
    return PreparedTemplate(path, members, parts)


def prepared(path: Path) -> PreparedTemplate:
    """The compiled template at ``path`` (cached until the file changes)."""
    try:
        st = path.stat()
    except OSError:
        raise TemplateProblem(
            f"找不到报告模板 {path}。请运行 python templates/docx/build_templates.py 重新生成。"
        ) from None
    return _prepare(path, (st.st_mtime_ns, st.st_size))


def template_path(settings: Settings | None, name: str) -> Path:
    """The workspace's own copy of template ``name`` if it has one, else the project's."""
    if settings is not None:
        own = settings.workspace / "templates" / "docx" / name
        if own.exists():
            return own
    return PROJECT_TEMPLATES / name


def _with_tables(
    context: dict[str, Any], spec: Format, values: Mapping[str, Any], draft: bool, who: str
) -> dict[str, Any]:
    try:
        tables = report_tables(spec, values, draft=draft)
    except MissingValue as exc:
        raise TemplateProblem(f"{who}的数据缺少字段 {exc.args[0]}，无法生成正式报告。") from None
    return {**context, **{key: Markup(xml) for key, xml in tables.items()}}


def unit_report_context(
    settings: Settings, record: UnitRecord, *, now: datetime, draft: bool
) -> dict[str, Any]:
    spec = load_format(settings.format)
    context = unit_context(
        spec,
        name=record.name,
        year=settings.year,
        values=record.values,
        texts=record.texts,
        now=now,
        draft=draft,
        status=record.status,
        self_ref=unit.self_reference if (unit := settings.find_unit(record.name)) else "",
        site=f"{jurisdiction(settings.district).government}网站",
    )
    return _with_tables(context, spec, record.values, draft, f"单位「{record.name}」")


def write_unit_report(
    settings: Settings, record: UnitRecord, path: Path, *, now: datetime, draft: bool = False
) -> None:
    """Write the annual report of one unit (final for accepted units, or a marked draft)."""
    render_unit_report(settings, unit_report_context(settings, record, now=now, draft=draft), path)


def render_unit_report(settings: Settings, context: Mapping[str, Any], path: Path) -> None:
    """Write the .docx of a unit report context (``unit_report_context``) to ``path``."""
    prepared(template_path(settings, UNIT_TEMPLATE)).render(context, path)


def district_narrative(settings: Settings, *, draft: bool) -> tuple[dict[str, str], list[str]]:
    """The district's own text (settings.district_text) and draft notes about where it came from.

    A file still marked 【待修改】 (the default text ``workflow init`` wrote) is boilerplate: a draft
    says so in a note, a final report is refused with a TemplateProblem.
    """
    area = jurisdiction(settings.district)
    source = settings.path(settings.district_text) if settings.district_text else None
    if source is not None and source.exists():
        try:
            text, line_word = load_district_text(source)
        except UnicodeDecodeError:
            raise TemplateProblem(
                f"区报告正文 {source} 不是 UTF-8 编码。请用记事本“另存为 UTF-8”后重试。"
            ) from None
        except OSError as exc:
            raise TemplateProblem(f"无法读取区报告正文 {source}：{exc.strerror}") from exc
        parts = parse_district_text(text, str(source), line_word)
        if not is_placeholder(text):
            return parts, []
        if not draft:
            raise TemplateProblem(
                f"区报告正文 {source} 仍是系统生成的默认文字（开头标有“{PLACEHOLDER_TAG}”），"
                f"不能用于正式报告。请按本{area.level}实际情况修改各部分内容，"
                f"修改完成后删除标有“{PLACEHOLDER_TAG}”的那一{line_word}，再重新处理。"
            )
        note = (
            f"【待补充】区报告正文 {source} 仍是默认文字（开头标有“{PLACEHOLDER_TAG}”），"
            f"请按本{area.level}实际情况修改后删除那一{line_word}；正式报告生成前必须完成。"
        )
        return parts, [note]
    if source is not None and not draft:
        raise TemplateProblem(
            f"找不到区报告正文 {source}（workflow.toml [report] district_text）。"
        )
    where = f"文件 {source}" if source else "workflow.toml 的 [report] district_text 所指的文件"
    note = (
        f"【待补充】{area.office}撰写的正文尚未提供，以下各部分暂用默认文字，"
        f"请在{where}中填写本{area.level}情况。"
    )
    return parse_district_text(default_district_text(settings.district, settings.year)), [note]


def district_report_context(
    settings: Settings, summary: Mapping[str, Any], *, now: datetime, draft: bool
) -> dict[str, Any]:
    spec = load_format(summary.get("format") or settings.format)
    narrative, notes = district_narrative(settings, draft=draft)
    context = district_context(
        spec,
        summary,
        narrative,
        now=now,
        draft=draft,
        narrative_notes=notes,
        contact=district_contact(settings),
    )
    totals = summary_numbers(spec, summary.get("totals", {}))
    return _with_tables(
        context, spec, totals, draft, f"{jurisdiction(settings.district).whole}汇总"
    )


def district_contact(settings: Settings) -> dict[str, str]:
    """The district office's website and contact details ([district] in workflow.toml)."""
    return {
        "website_url": settings.website_url,
        "contact_person": settings.contact_person,
        "contact_address": settings.contact_address,
        "contact_postcode": settings.contact_postcode,
        "contact_phone": settings.contact_phone,
    }


def write_district_report(
    settings: Settings, summary: Mapping[str, Any], path: Path, *, now: datetime, draft: bool
) -> None:
    """Write the district's report from summary.json's content; 草稿 in the header while ``draft``."""
    context = district_report_context(settings, summary, now=now, draft=draft)
    prepared(template_path(settings, DISTRICT_TEMPLATE)).render(context, path)


# --- check-templates ------------------------------------------------------------------------------

_TAG = re.compile(r"\{[{%#].*?[}%#]\}", re.DOTALL)
_SPLIT_OPEN = re.compile(r"\{(?:<[^>]*>)+[{%#]|[}%#](?:<[^>]*>)+\}")
_XML = re.compile(r"<[^>]*>")


def split_tags(xml: str) -> list[str]:
    """Template tags Word split across runs (``{{`` in one run, ``x }}`` in another), as text."""
    found = [_XML.sub("", m.group(0)) for m in _TAG.finditer(xml) if "<" in m.group(0)]
    found += [_XML.sub("", m.group(0)) + "（括号被拆开）" for m in _SPLIT_OPEN.finditer(xml)]
    return found


def _sample_record(spec: Format) -> UnitRecord:
    from workflow.formats.seed import SEED_TEXTS, SEED_UNIT, seed_values

    return UnitRecord(
        name=SEED_UNIT,
        category="部门",
        status="accepted",
        values=seed_values(spec.id),
        texts=dict(SEED_TEXTS),
    )


def _sample_summary(settings: Settings, spec: Format) -> dict[str, Any]:
    record = _sample_record(spec)
    units = [
        {"name": record.name, "category": "部门", "status": "accepted"},
        {"name": "示例街道办事处", "category": "街道乡镇", "status": "missing"},
    ]
    return {
        "district": settings.district,
        "year": settings.year,
        "format": spec.id,
        "units": units,
        "totals": dict(record.values),
    }


def template_problems(path: Path, context: Mapping[str, Any]) -> list[str]:
    """What is wrong with the template at ``path`` for ``context``: split tags, unknown variables."""
    try:
        _, xml = _read_template(path)
    except TemplateProblem as exc:
        return [str(exc)]
    problems = [
        f"{path.name}（{name}）中的标记「{tag}」被 Word 拆成了几段，请删掉后整段重新输入"
        for name, text in xml.items()
        for tag in split_tags(text)
    ]
    try:
        unknown = DocxTemplate(path).get_undeclared_template_variables(context=dict(context))
    except Exception as exc:  # docxtpl reports template syntax errors as jinja2 or lxml errors
        return [*problems, f"{path.name} 无法解析：{exc}"]
    problems += [f"{path.name} 使用了数据中没有的变量「{name}」" for name in sorted(unknown)]
    if not problems:
        try:
            with tempfile.TemporaryDirectory(prefix="workflow_tpl_") as tmp:
                prepared(path).render(context, Path(tmp) / "check.docx")
        except TemplateProblem as exc:
            problems.append(str(exc))
    return problems


def check_templates(settings: Settings | None) -> list[str]:
    """Problems of the report templates the workspace would use (both formats without a workspace)."""
    now = datetime(2022, 1, 26, 9, 0)
    base = settings or Settings(workspace=Path.cwd(), district="示例区", year=2021)
    problems: list[str] = []
    for format_id in (base.format,) if settings else ("gov2021", "gov2019"):
        spec = load_format(format_id)
        ws = replace(base, format=format_id)
        for draft in (False, True):
            unit = unit_report_context(ws, _sample_record(spec), now=now, draft=draft)
            problems += template_problems(template_path(settings, UNIT_TEMPLATE), unit)
            try:
                district = district_report_context(
                    ws, _sample_summary(ws, spec), now=now, draft=True
                )
            except TemplateProblem as exc:
                problems.append(str(exc))
                continue
            problems += template_problems(template_path(settings, DISTRICT_TEMPLATE), district)
    return list(dict.fromkeys(problems))
