"""The level above: the district rollup as a filled department-style template.

``workflow export-rollup --out FILE`` reads ``outbox/<year>/summary.json`` and writes the normal
department template, filled with the district totals, so a city workspace running this same project
(its roster lists the districts) checks and consolidates it like any department's file.

单位名称 is ``<district>人民政府`` (e.g. 长乐区人民政府): the district government is the reporting
机关 at city level, and the district report is titled the same way. A city roster entry
``name = "长乐区人民政府"`` with ``aliases = ["长乐区"]`` accepts it.

An incomplete rollup (some roster unit missing or rejected) is refused unless ``allow_incomplete``
(a UsageProblem, exit 2): the city would otherwise take part of a district for all of it. When
allowed, 六、其他需要报告的事项 (text_other) starts with a fixed line the level above can recognise::

    【本汇总未含全部单位】本区应报 13 个单位，已纳入 11 个，未纳入：甲（未报送）、乙（未通过校验）。

(``INCOMPLETE_TAG`` + ``coverage_line``). Wording follows the area's level (区/市/县/旗,
report_text.jurisdiction).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from workflow.domain.numbers import plain_number
from workflow.domain.records import UnitRecord
from workflow.domain.settings import Settings
from workflow.domain.submission import Number
from workflow.domain.summary_json import load_summary
from workflow.errors import UsageProblem, WorkflowError
from workflow.formats.spec import FORMAT_IDS, Format, load_format
from workflow.report.sentences import review_sentences
from workflow.report.text import jurisdiction
from workflow.rollup.outliers import outcome_rows
from workflow.rollup.totals import RollupError, as_number, unit_values

GOVERNMENT = "人民政府"
SUMMARY_NAME = "summary.json"
INCOMPLETE_TAG = "【本汇总未含全部单位】"
_WHY = {"missing": "未报送", "rejected": "未通过校验"}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    unit_name: str
    year: int
    complete: bool
    units_accepted: int
    units_expected: int
    excluded: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line for the operator, in Chinese."""
        line = f"已导出{self.unit_name}{self.year}年汇总数据：{self.path}"
        cover = f"（含 {self.units_accepted}/{self.units_expected} 个单位"
        if self.excluded:
            whole = jurisdiction(self.unit_name).whole
            return (
                f"{line}{cover}，未含：{'、'.join(self.excluded)}）。注意：这不是{whole}完整数据。"
            )
        return f"{line}{cover}）。"


def export_unit_name(district: str) -> str:
    """长乐区 → 长乐区人民政府 (a name already ending in 人民政府 is kept)."""
    return jurisdiction(district).government


def coverage_json(summary: Mapping[str, Any]) -> str:
    """The _meta ``rollup_coverage`` of an export: how many units the totals include, and which not."""
    return json.dumps(
        {
            "expected": summary.get("units_expected", 0),
            "included": summary.get("units_accepted", 0),
            "excluded": list(summary.get("excluded", [])),
        },
        ensure_ascii=False,
    )


def excluded_units(summary: Mapping[str, Any]) -> list[str]:
    """The roster units not in the totals, each with why: ["甲（未报送）", "乙（未通过校验）"]."""
    named = {
        str(u.get("name", "")): _WHY.get(str(u.get("status")), "未计入")
        for u in summary.get("units", [])
        if isinstance(u, Mapping)
    }
    return [
        f"{name}（{named[name]}）" if name in named else name
        for name in summary.get("excluded", [])
    ]


def coverage_line(summary: Mapping[str, Any]) -> str:
    """The fixed first line of 六 in an incomplete export (empty when every unit is included)."""
    excluded = excluded_units(summary)
    if not excluded:
        return ""
    level = jurisdiction(summary["district"]).level
    expected = summary.get("units_expected", 0)
    accepted = summary.get("units_accepted", 0)
    return (
        f"{INCOMPLETE_TAG}本{level}应报 {expected} 个单位，已纳入 {accepted} 个，"
        f"未纳入：{'、'.join(excluded)}。"
    )


def read_summary(settings: Settings) -> dict[str, Any]:
    """This year's summary.json of the workspace, checked against the config."""
    path = settings.year_outbox / SUMMARY_NAME
    try:
        summary = load_summary(path.read_text("utf-8-sig"))
    except FileNotFoundError:
        raise WorkflowError(
            f"找不到 {path}。请先运行 `workflow --once` 处理收件箱，生成本年度汇总后再导出。"
        ) from None
    except (OSError, ValueError) as exc:
        raise WorkflowError(
            f"无法读取 {path}：{exc}。请重新运行 `workflow --once` 生成汇总。"
        ) from exc
    if summary.get("year") != settings.year or summary.get("format") not in FORMAT_IDS:
        raise WorkflowError(
            f"{path} 是 {summary.get('year')} 年、格式 {summary.get('format')} 的汇总，"
            f"与配置的 {settings.year} 年不符。请重新运行 `workflow --once`。"
        )
    return summary


def district_inputs(spec: Format, summary: Mapping[str, Any]) -> dict[str, Number]:
    """The INPUT figures of the district, after checking the summary's totals still add up."""
    totals = summary.get("totals")
    if not isinstance(totals, Mapping):
        raise WorkflowError("summary.json 中没有 totals（合计数）。请重新运行 `workflow --once`。")
    try:
        given = {f.id: as_number(f, totals.get(f.id, 0)) for f in spec.numeric_fields}
        inputs = {f.id: given[f.id] for f in spec.numeric_fields if not f.computed}
        recomputed = unit_values(
            spec, UnitRecord(name="", category="", status="accepted", values=inputs)
        )
    except (RollupError, InvalidOperation, TypeError) as exc:
        raise WorkflowError(
            f"summary.json 中的合计数无法读取（{exc}）。请重新运行 `workflow --once`。"
        ) from exc
    wrong = [f for f in spec.computed_fields if f.numeric and recomputed[f.id] != given[f.id]]
    if wrong:
        raise WorkflowError(
            f"summary.json 中「{wrong[0].label}」等 {len(wrong)} 个总计与各项之和不符，文件可能被手工改动过。"
            "请重新运行 `workflow --once` 生成汇总后再导出。"
        )
    return inputs


def district_texts(
    spec: Format, summary: Mapping[str, Any], totals: Mapping[str, Number], now: datetime
) -> dict[str, str]:
    """基本信息 and a narrative written from the totals (never from typed text)."""
    name, year = export_unit_name(summary["district"]), summary["year"]
    whole = jurisdiction(summary["district"]).whole
    cover = f"本报告数字为{summary['district']}{summary['units_accepted']}个单位报表的合计"
    active = "；".join(
        f"{f.row_label}{f.column_label}{plain_number(totals[f.id])}"
        for f in spec.fields_of("active")
    )
    outcomes = "，".join(
        f"{label.split('）', 1)[-1]}{plain_number(sum(totals[i] for i in ids))}件"
        for label, ids in outcome_rows(spec)
    )
    review = "".join(review_sentences(totals, year, whole))
    other = f"{cover}（{summary['generated_at'][:10]}汇总），现行有效件数为各单位现行有效件数合计。"
    if summary.get("excluded"):
        other = coverage_line(summary) + "\n" + other
    if "fee_collected_yuan" in totals:
        other += (
            f"{whole}发出信息处理费收费通知{plain_number(totals['fee_notice_count'])}件，金额{plain_number(totals['fee_notice_amount_yuan'])}元，"
            f"实际收取信息处理费{plain_number(totals['fee_collected_yuan'])}元。"
        )
    texts = {
        "report_year": str(year),
        "report_date": now.date().isoformat(),
        "text_active": f"{cover}。{active}。",
        "text_request": (
            f"{year}年{whole}新收政府信息公开申请{plain_number(totals['apply_new_total'])}件，"
            f"上年结转{plain_number(totals['apply_carried_total'])}件；办理结果：{outcomes}；"
            f"结转下年度继续办理{plain_number(totals['apply_carry_over_total'])}件。"
        ),
        "text_management": "详见各单位年度报告。",
        "text_platform": "详见各单位年度报告。",
        "text_supervision": review,
        "text_problems": "各单位存在的主要问题及改进情况详见各单位年度报告。",
        "text_other": other,
    }
    if "overview_active_count" in totals:
        texts["text_active"] = (
            f"{year}年{whole}主动公开政府信息{plain_number(totals['overview_active_count'])}条。{texts['text_active']}"
        )
    texts["unit_name"] = name
    return {k: v for k, v in texts.items() if k in spec.fields}


def export_rollup(
    settings: Settings, out: Path, *, now: datetime, allow_incomplete: bool = False
) -> ExportResult:
    """Write the district totals as a filled department template to ``out``."""
    from workflow.template.workbook import write_template

    if out.is_dir():
        raise UsageProblem(f"--out {out} 是文件夹。请给出要写入的文件名，如 {out / '汇总.xlsx'}。")
    if out.suffix.lower() != ".xlsx":
        raise UsageProblem(f"--out {out} 应以 .xlsx 结尾：导出的是填好的报送模板（Excel 工作簿）。")
    summary = read_summary(settings)
    spec = load_format(summary["format"])
    inputs = district_inputs(spec, summary)
    excluded = list(summary.get("excluded", []))
    if excluded and not allow_incomplete:
        raise UsageProblem(
            f"本年度汇总尚未完整：{'、'.join(excluded_units(summary))}未计入"
            f"（共 {len(excluded)} 个单位）。待各单位报送并通过校验后再导出；"
            "确需先报部分数据，需加 --allow-incomplete（导出文件将注明未纳入的单位）。"
        )
    totals = unit_values(spec, UnitRecord(name="", category="", status="accepted", values=inputs))
    name = export_unit_name(summary["district"])
    texts = district_texts(spec, summary, totals, now)
    texts |= {  # the district office's own contact details ([district] in workflow.toml)
        key: value
        for key, value in (
            ("website_url", settings.website_url),
            ("contact_address", settings.contact_address),
            ("contact_postcode", settings.contact_postcode),
            ("contact_phone", settings.contact_phone),
        )
        if value
    }
    values: dict[str, object] = {k: _cell(v) for k, v in inputs.items()}
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_template(
            out,
            spec,
            now=now,
            year=summary["year"],
            unit_name=name,
            values=values,
            texts=texts,
            meta={"rollup_coverage": coverage_json(summary)},
        )
    except OSError as exc:
        raise WorkflowError(f"无法写入 {out}：{exc.strerror or exc}") from exc
    return ExportResult(
        path=out,
        unit_name=name,
        year=summary["year"],
        complete=not excluded,
        units_accepted=summary.get("units_accepted", 0),
        units_expected=summary.get("units_expected", 0),
        excluded=excluded,
    )


def _cell(value: Number) -> object:
    """Money as Decimal, counts as int: exactly what a department would type."""
    return value if isinstance(value, int) else Decimal(value)
