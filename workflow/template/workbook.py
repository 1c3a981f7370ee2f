"""The department template (填报模板): an xlsx workbook drawn from the spec with xlsxwriter.

Every input cell is a workbook defined name equal to its field id, pre-filled with 0, unlocked and
validated; totals are named formula cells; a 自检 sheet and a status line on each table sheet show
live whether R1–R5 hold; a hidden _meta sheet carries the fingerprint the reader checks.

Regenerate the committed blank templates (after changing the spec or the layout)::

    python -m workflow.template.workbook templates/xlsx
"""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from workflow.domain.names import safe_name
from workflow.domain.settings import Settings, match_unit
from workflow.errors import ConfigError, OutputError
from workflow.formats.layout import (
    OPTIONAL_META_KEYS,
    SHEET_CHECK,
    SHEET_GUIDE,
    SHEET_META,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    SheetLayout,
    cell_name,
    fingerprint,
    fit_height,
    sheet_layouts,
    sheet_ref,
)
from workflow.formats.spec import Format, load_format
from workflow.store.durable import atomic_write_bytes
from workflow.template.cells import write_cell
from workflow.template.guide import Line, guide_lines
from workflow.template.selfcheck import (
    Check,
    build_checks,
    cell_ranges,
    cell_values,
    overall_status,
    sheet_status,
    total_parts,
)
from workflow.template.style import Styles

COMMITTED_NOW = datetime(2026, 1, 1, tzinfo=UTC)  # fixed, so committed files are reproducible
TEMPLATE_SUFFIX = "年政府信息公开工作年度报告填报模板.xlsx"
CHECK_FIRST_ROW = 4  # 自检: row 0 title, 1 overall result, 2 note, 3 header
CHECK_NOTE = (
    "本表自动计算，无需填写。结果为绿色“通过”的无需处理；红色“未通过”的须改正后再报送；"
    "黄色“提示”的不影响报送，但请补充完整。"
    "必填：单位名称、年度、成文日期须填写，年度为四位数字；"
    "正文：报告正文一（一）至（五）和五尚未填写的给出提示；"
    "R1：第一项加第二项之和等于第三项加第四项之和；R2：总计等于各项办理结果之和；"
    "R3：总计等于各申请人类别之和；R4：总计等于结果维持、结果纠正、其他结果、尚未审结之和；"
    "R5：填写格须为数字，件数为整数，不为负数。"
)


def _write_guide(ws: Worksheet, styles: Styles, lines: Sequence[Line]) -> None:
    """Headings in A:B, text indented in B (two columns: LibreOffice cannot fit one to the page)."""
    ws.set_column(0, 0, 3)
    ws.set_column(1, 1, 92)
    looks = {"title": styles.title, "heading": styles.heading, "text": styles.text}
    for row, (kind, text) in enumerate(lines):
        if kind == "text":
            ws.write_string(row, 1, text, looks[kind])
        else:
            ws.merge_range(row, 0, row, 1, text, looks[kind])
        ws.set_row(row, 30 if kind == "title" else fit_height(text, 92, base=20))
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)
    ws.protect("")
    ws.activate()


def write_template(
    path: Path,
    spec: Format,
    *,
    now: datetime,
    year: int | None = None,
    unit_name: str = "",
    roster: Sequence[str] = (),
    values: Mapping[str, object] | None = None,
    texts: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
    meta: Mapping[str, str] | None = None,
) -> None:
    """Write the template for ``spec`` to ``path`` (atomically).

    ``values`` go into input cells instead of the default 0 (any raw object: int, Decimal, "/" …;
    values given for computed fields or unknown ids are ignored — totals are always computed);
    ``texts`` fill 基本信息 and the narrative cells; ``overrides`` are typed over total cells in
    place of their formulas, to simulate hand-typed totals; ``meta`` adds rows of
    ``layout.OPTIONAL_META_KEYS`` to the _meta sheet.
    """
    cells: dict[str, Any] = {f.id: 0 for f in spec.input_fields if f.numeric}
    cells |= {
        k: v for k, v in (values or {}).items() if k in spec.fields and not spec.fields[k].computed
    }
    info: dict[str, Any] = {"unit_name": unit_name, "report_year": year if year is not None else ""}
    info |= dict(texts or {})
    for f in spec.fields_of("info"):  # a year of digits is written as a number: check that
        if (
            f.kind == "year"
            and str(info.get(f.id, "")).strip().isascii()
            and str(info.get(f.id, "")).strip().isdigit()
        ):
            info[f.id] = int(str(info[f.id]).strip())
    numbers = cell_values(spec, cells, dict(overrides or {}))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties(
        {
            "title": f"政府信息公开工作年度报告填报模板（{spec.title}）",
            "author": "workflow",
            "created": now,
        }
    )
    styles = Styles(book)
    _write_guide(book.add_worksheet(SHEET_GUIDE), styles, guide_lines(spec, year, unit_name))
    checks = build_checks(spec, numbers, info, year)
    layouts = sheet_layouts(spec)
    sheets = {lay.name: book.add_worksheet(lay.name) for lay in layouts}
    check_sheet = book.add_worksheet(SHEET_CHECK)
    meta_sheet = book.add_worksheet(SHEET_META)
    roster_ref = _write_meta(meta_sheet, spec, now, year, roster, meta or {})
    formulas = {k: v for k, v in total_parts(spec).items() if k not in (overrides or {})}
    for lay in layouts:
        ws = sheets[lay.name]
        _setup_sheet(ws, lay)
        for cell in lay.cells:
            write_cell(ws, styles, spec, cell, numbers, info, formulas, roster_ref)
        _status_line(ws, styles, lay, checks)
        for where in cell_ranges((c.row, c.col) for c in lay.cells if c.role == "input"):
            styles.flag_non_numbers(ws, where)
        ws.protect("", {"format_rows": True, "format_columns": True})
    _write_checks(check_sheet, styles, checks)
    for fid, (sheet, a1) in _names(layouts).items():
        book.define_name(fid, "=" + sheet_ref(sheet, a1))
    book.close()
    _publish(path, buffer.getvalue())


def _names(layouts: Sequence[SheetLayout]) -> dict[str, tuple[str, str]]:
    return {
        fid: (lay.name, cell_name(c.row, c.col, absolute=True))
        for lay in layouts
        for fid, c in lay.fields.items()
    }


def _publish(path: Path, data: bytes) -> None:
    """Write ``data`` durably and atomically (``store.durable``); a failure becomes an OutputError."""
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise OutputError(
            f"无法写入 {path}（{exc.strerror or exc}）。如该文件正在 Excel/WPS 中打开，请先关闭后重试。"
        ) from exc


def _setup_sheet(ws: Worksheet, lay: SheetLayout) -> None:
    for i, width in enumerate(lay.widths):
        ws.set_column(i, i, width)
    for row, height in lay.heights.items():
        ws.set_row(row, height)
    ws.set_paper(9)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.fit_to_pages(1, 1 if lay.one_page else 0)
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.hide_gridlines(2)
    if lay.landscape:
        ws.set_landscape()
    if lay.header_rows:
        ws.repeat_rows(*lay.header_rows)
    if lay.freeze != (0, 0):
        ws.freeze_panes(*lay.freeze)


def _status_line(ws: Worksheet, styles: Styles, lay: SheetLayout, checks: list[Check]) -> None:
    rows = [CHECK_FIRST_ROW + i for i, c in enumerate(checks) if c.sheet == lay.name]
    status = next((c for c in lay.cells if c.role == "status"), None)
    if not rows or status is None:
        return
    refs = sheet_ref(SHEET_CHECK, f"$F${rows[0] + 1}:$F${rows[-1] + 1}")
    formula, result = sheet_status(checks, lay.name, refs)
    ws.write_formula(status.row, status.col, formula, styles.status, result)
    styles.pass_fail(ws, status.range)


def _write_checks(ws: Worksheet, styles: Styles, checks: list[Check]) -> None:
    widths = (6, 7, 14, 60, 24, 28)
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    last = CHECK_FIRST_ROW + len(checks)
    ws.merge_range(0, 0, 0, 5, "自检（填写完成后查看：标红的行全部改正后再报送）", styles.title)
    overall, result = overall_status(checks, f"$F${CHECK_FIRST_ROW + 1}:$F${last}")
    ws.merge_range(1, 0, 1, 5, "", styles.status)
    ws.write_formula(1, 0, overall, styles.status, result)
    ws.merge_range(2, 0, 2, 5, CHECK_NOTE, styles.note)
    ws.set_row(0, 30)
    ws.set_row(2, fit_height(CHECK_NOTE, sum(widths), 18))
    for col, head in enumerate(("序号", "规则", "表格", "检查内容", "位置", "结果")):
        ws.write_string(3, col, head, styles.header)
    for i, c in enumerate(checks):
        row = CHECK_FIRST_ROW + i
        ws.write_number(row, 0, i + 1, styles.center)
        for col, text in ((1, c.rule), (2, c.sheet), (3, c.description), (4, c.where)):
            ws.write_string(row, col, text, styles.label if col == 3 else styles.center)
        ws.write_formula(row, 5, c.formula, styles.center, c.result)
        height = max(fit_height(c.description, widths[3], 18), fit_height(c.where, widths[4], 18))
        ws.set_row(row, height)
    styles.pass_fail(ws, f"F{CHECK_FIRST_ROW + 1}:F{last}")
    styles.pass_fail(ws, "A2:F2")
    ws.repeat_rows(3)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)
    ws.protect("", {"format_rows": True, "format_columns": True})


def _write_meta(
    ws: Worksheet,
    spec: Format,
    now: datetime,
    year: int | None,
    roster: Sequence[str],
    extra: Mapping[str, str],
) -> str:
    """Key/value rows in A:B; the roster (for the 单位名称 dropdown) in column D. Returns its range."""
    rows = {
        "template_id": TEMPLATE_ID,
        "format": spec.id,
        "version": TEMPLATE_VERSION,
        "year": "" if year is None else str(year),
        "generated": now.isoformat(timespec="seconds"),
        "fingerprint": fingerprint(spec),
    }
    rows |= {k: v for k, v in extra.items() if k in OPTIONAL_META_KEYS}
    for i, (key, value) in enumerate(rows.items()):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
    ws.write_string(0, 3, "roster")
    for i, name in enumerate(roster, start=1):
        ws.write_string(i, 3, name)
    ws.set_column(0, 1, 24)
    ws.set_column(3, 3, 40)
    ws.hide()
    ws.protect("")
    return "=" + sheet_ref(SHEET_META, f"$D$2:$D${len(roster) + 1}") if roster else ""


def default_template_name(settings: Settings | None, unit: str, spec: Format) -> str:
    """<unit or district><year>年政府信息公开工作年度报告填报模板.xlsx."""
    if settings is None:
        return f"政府信息公开工作年度报告填报模板（{spec.id}）.xlsx"
    return safe_name(f"{unit or settings.district}{settings.year}{TEMPLATE_SUFFIX}")


def make_template(
    settings: Settings | None,
    *,
    now: datetime,
    unit: str | None = None,
    out: Path | None = None,
    format_id: str | None = None,
) -> Path:
    """The `workflow template` command: a blank template, or one pre-filled for a roster unit."""
    spec = load_format(format_id or (settings.format if settings else "gov2021"))
    name, texts = "", {}
    if unit is not None:
        if settings is None:
            raise ConfigError(
                "使用 --unit 需要工作区配置文件（单位名单）。请在工作区中运行，或用 --config 指定。"
            )
        found = match_unit(settings, unit)
        if found is None:
            known = "、".join(u.name for u in settings.units) or "（名单为空）"
            raise ConfigError(
                f"单位「{unit}」不在 {settings.config_path} 的单位名单中。可用的单位：{known}。"
                "请检查名称（也可用简称），或先在 [[units]] 中添加该单位。"
            )
        name = found.name
        texts = {"contact_person": found.contact_person, "contact_phone": found.contact_phone}
    target = out if out is not None else Path.cwd()
    if target.is_dir():
        target = target / default_template_name(settings, name, spec)
    write_template(
        target,
        spec,
        now=now,
        year=settings.year if settings else None,
        unit_name=name,
        roster=[u.name for u in settings.units] if settings else (),
        texts={k: v for k, v in texts.items() if v},
    )
    return target


def write_committed_templates(folder: Path, *, now: datetime = COMMITTED_NOW) -> list[Path]:
    """The blank templates kept in the repository (templates/xlsx), one per format."""
    paths = []
    for format_id in ("gov2021", "gov2019"):
        path = folder / f"{format_id}_填报模板.xlsx"
        write_template(path, load_format(format_id), now=now)
        paths.append(path)
    return paths


if __name__ == "__main__":  # python -m workflow.template.workbook templates/xlsx
    for written in write_committed_templates(
        Path(sys.argv[1] if len(sys.argv) > 1 else "templates/xlsx")
    ):
        print(written)
