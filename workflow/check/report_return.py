"""The annotated return for a published report: the template pre-filled with what was read, its
problem cells marked, and the 校验结果 sheet first, so the clerk corrects it and submits the template."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl

from workflow.check.annotate import RESULT_SHEET, mark_cells, result_sheet, save_atomic
from workflow.domain.check_result import CheckResult
from workflow.domain.findings import Finding
from workflow.formats.spec import FORMAT_IDS, load_format


def write_report_return(
    result: CheckResult, source: Path, target: Path, *, now: datetime
) -> tuple[bool, str]:
    """Write the pre-filled, annotated template; (written, the sentence for the receipt)."""
    from workflow.template.workbook import write_template

    if result.format not in FORMAT_IDS or not result.readable:
        return False, "本文件未能读取，未生成预填模板；请使用填报模板重新填写后报送。"
    spec = load_format(result.format)
    unread = {fid for f in result.findings if f.rule == "report-cells-unread" for fid in f.fields}
    values: dict[str, object] = {
        f.id: (None if f.id in unread else result.values.get(f.id))
        for f in spec.input_fields
        if f.numeric
    }
    texts = {k: v for k, v in result.texts.items() if k in spec.fields and k != "report_year"}
    work = target.with_name(target.name + ".tmp-template.xlsx")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_template(work, spec, now=now, year=result.year, values=values, texts=texts)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(work.read_bytes()), rich_text=True)
    finally:
        work.unlink(missing_ok=True)
    names = {}
    for fid in spec.fields:
        if fid in wb.defined_names:
            names[fid] = wb.defined_names[fid].attr_text.replace("$", "")
    moved = [_to_template(f, names) for f in result.findings]
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    mark_cells(wb, moved)
    result_sheet(wb, replace(result, findings=moved), source, now)
    save_atomic(target, wb.save)
    return True, (
        f"本文件是年度报告（{source.suffix.lower()}），随附的《校验结果_{source.stem}》是按报告内容"
        "预填的填报模板，问题单元格已标红（错误）或标黄（提示）并附批注；请在模板中改正后报送模板。"
    )


def _to_template(finding: Finding, names: dict[str, str]) -> Finding:
    """A finding on the report's cells, moved to the template cells of its fields (report place kept
    in the message)."""
    cells = tuple(dict.fromkeys(names[f] for f in finding.fields if f in names))
    if not cells:
        return finding
    where = f"（报告中：{finding.cells[0]}）" if finding.cells else ""
    return replace(finding, cells=cells, message=f"{finding.message}{where}")
