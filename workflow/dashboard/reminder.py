"""The 催报 notice: units missing or rejected, in official wording, ready to paste."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from workflow.dashboard.values import cn_date, deadline_of
from workflow.report.text import jurisdiction


def reminder_text(summary: Mapping[str, Any], *, now: datetime) -> str:
    """The 催报 notice for units missing or rejected, in official wording, ready to paste."""
    units = summary.get("units", [])
    missing = [u for u in units if u.get("status") == "missing"]
    rejected = [u for u in units if u.get("status") == "rejected"]
    newer = [
        u
        for u in units
        if u.get("status") == "accepted"
        and isinstance(u.get("newer_rejected"), Mapping)
        and u["newer_rejected"].get("file")
    ]
    year, district = summary.get("year", ""), summary.get("district", "")
    area = jurisdiction(str(district))
    if not units:
        return "单位名单为空，暂无需要催报的单位。请先在配置文件中登记单位名单。"
    if not missing and not rejected:
        done = (
            f"截至{cn_date(now.date())}，{district}各单位{year}年政府信息公开工作年度报告均已报送并通过校验"
            + ("。" if newer else "，无需催报。")
        )
        return "\n".join([done, *_verify_lines(newer, area.whole, indent="")])
    deadline = cn_date(deadline_of(summary))
    lines = [
        "各有关单位：",
        f"    根据《中华人民共和国政府信息公开条例》第四十九条和第五十条规定，各单位应于{deadline}前"
        f"报送并向社会公布本单位{year}年政府信息公开工作年度报告。截至{cn_date(now.date())} "
        f"{now:%H:%M}，以下单位尚未完成报送，请高度重视，抓紧按要求填报并报送：",
        *_unit_lines(missing, rejected),
        *_verify_lines(newer, area.whole, indent="    "),
        f"    请于{deadline}前完成报送。逾期未报送或报告内容不准确、不全面的，将按规定予以通报。",
        "    特此通知。",
        "",
        f"{area.government}办公室" if district else area.office,
        cn_date(now.date()),
    ]
    return "\n".join(lines)


def _unit_lines(
    missing: Sequence[Mapping[str, Any]], rejected: Sequence[Mapping[str, Any]]
) -> list[str]:
    """一、尚未报送的单位 … 二、已报送但未通过校验的单位 …, numbered, with contacts."""
    sections = [
        (missing, "尚未报送", "请使用统一填报模板填写后报送。"),
        (rejected, "已报送但未通过校验", "请对照校验回执逐项修改后重新报送。"),
    ]
    number_words = "一二"
    lines = []
    for k, (group, title, advice) in enumerate(s for s in sections if s[0]):
        lines.append(f"    {number_words[k]}、{title}的单位（{len(group)}个）。{advice}")
        for i, u in enumerate(group, start=1):
            lines.append(f"    {i}. {u.get('name', '')}{_problem(u)}（{_contact(u)}）")
    return lines


def _verify_lines(units: Sequence[Mapping[str, Any]], whole: str, *, indent: str) -> list[str]:
    """请核实：… for units whose correction after an accepted file was rejected."""
    lines = []
    for u in units:
        newer = u["newer_rejected"]
        when = ""
        if newer.get("submitted_at"):
            try:
                when = f"于{cn_date(datetime.fromisoformat(str(newer['submitted_at'])).date())}"
            except ValueError:
                when = ""
        errors = int(newer.get("errors", 0) or 0)
        found = f"（发现 {errors} 处错误）" if errors else ""
        lines.append(
            f"{indent}请核实：{u.get('name', '')}{when}报送的更正文件「{newer.get('file', '')}」"
            f"未通过校验{found}，{whole}汇总仍使用此前通过的版本。请对照校验回执修改后重新报送"
            f"（{_contact(u)}）。"
        )
    return lines


def _problem(unit: Mapping[str, Any]) -> str:
    errors = int(unit.get("errors", 0) or 0)
    return f"：发现 {errors} 处错误" if unit.get("status") == "rejected" and errors else ""


def _contact(unit: Mapping[str, Any]) -> str:
    person = str(unit.get("contact_person") or "").strip()
    phone = str(unit.get("contact_phone") or "").strip()
    if person and phone:
        return f"联系人：{person}，电话：{phone}"
    if phone:
        return f"电话：{phone}"
    return f"联系人：{person}，电话未登记" if person else "联系人和电话未登记"
