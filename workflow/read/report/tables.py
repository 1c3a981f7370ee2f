"""The three tables of a published report (parts 二, 三, 四) as field values, printed totals kept.

Parts are found by their headings; part 二's rows by their labels (规章, 行政规范性文件 or 规范性文件 …);
part 三's rows by their order (a PDF scatters its labels, never a row's numbers): 25 rows for the
gov2021 table, 23 when （六）其他处理 is printed as one row; part 四's 15 numbers in order. Rows whose
cells ran together are split by ``workflow.read.report.digits``. Cells are named as the reader sees
them: ``表三 第8行 第2列``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from workflow.domain.findings import Finding, Severity
from workflow.domain.submission import Number, Submission
from workflow.formats.spec import Format, Grid
from workflow.read.report.digits import Split, resolve, split_groups, split_summed
from workflow.read.report.lines import BLANK, Line

_NUMBER = re.compile(r"^([+\-－]?)(\d+(?:\.\d+)?)(万元|元)?$")
_TRAILING_DIGITS = re.compile(r"(\d+)$")
_ROW_KEYS: dict[str, tuple[str, ...]] = {
    "rules": ("规章",),
    "normative": ("规范性文件",),
    "license": ("行政许可",),
    "service": ("其他对外管理服务事项", "对外管理服务事项"),
    "penalty": ("行政处罚",),
    "coercion": ("行政强制",),
    "fee": ("行政事业性收费",),
    "procurement": ("政府集中采购",),
}
_GOV2019_MARKS = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "政府集中采购",
)
_GOV2021_MARKS = (
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "本年处理决定数量",
    "本年收费金额",
)


@dataclass
class Parts:
    """Where each part of the report starts and ends (line indices), found by headings."""

    heads: dict[str, int] = field(default_factory=dict)

    def region(self, lines: Sequence[Line], part: str) -> list[Line]:
        order = ["一", "二", "三", "四", "五", "六"]
        start = self.heads.get(part)
        if start is None:
            return []
        later = [self.heads[p] for p in order[order.index(part) + 1 :] if p in self.heads]
        end = min([i for i in later if i > start], default=len(lines))
        return list(lines[start + 1 : end])


_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("一", re.compile(r"^一[、.．]\s*总体情况")),
    ("二", re.compile(r"^二[、.．]\s*主动公开政府信息")),
    ("三", re.compile(r"^三[、.．]\s*收到和处理政府信息公开申请")),
    ("四", re.compile(r"^四[、.．].*行政复议")),
    ("五", re.compile(r"^五[、.．].*(存在的主要问题|问题及改进)")),
    ("六", re.compile(r"^六[、.．].*(其他需要报告|需要说明的其他|其他事项)")),
)


def find_parts(lines: Sequence[Line]) -> Parts:
    parts = Parts()
    position = 0
    for name, pattern in _HEADINGS:
        for i in range(position, len(lines)):
            if pattern.match(lines[i].key) and len(lines[i].key) < 40:
                parts.heads[name] = i
                position = i + 1
                break
    return parts


def detect_format(lines: Sequence[Line], parts: Parts, year: int | None) -> str:
    text = "".join(line.key for line in parts.region(lines, "二"))
    old = sum(mark in text for mark in _GOV2019_MARKS)
    new = sum(mark in text for mark in _GOV2021_MARKS)
    if old != new:
        return "gov2019" if old > new else "gov2021"
    return "gov2019" if year is not None and year < 2021 else "gov2021"


@dataclass(frozen=True, slots=True)
class Printed:
    """A number as printed: its value and whether it was printed in 元 (not 万元)."""

    value: Number
    text: str
    yuan: bool = False
    blank: bool = False  # an empty table cell: 0 for a count, not printed for a total


def parse_token(token: str) -> Printed | None:
    clean = token.replace(",", "").replace("，", "").strip()
    match = _NUMBER.match(clean)
    if not match:
        return None
    sign, digits, unit = match.groups()
    value: Number = Decimal(digits) if "." in digits else int(digits)
    if sign in ("-", "－"):
        value = -value
    return Printed(value, token, unit == "元")


_BLANK_CELL = Printed(0, "", blank=True)


def numbers_of(line: Line) -> list[Printed]:
    """The numbers a table row prints after its label (none when text follows a number: prose);
    an empty cell of a Word or web-page table among them is a blank (``Printed.blank``)."""
    tokens = [t for cell in (line.slots or line.cells) for t in cell.split()]
    parsed = [_BLANK_CELL if t == BLANK else parse_token(t) for t in tokens]
    last_text = max((i for i, p in enumerate(parsed) if p is None), default=-1)
    if any(p is not None and not p.blank for p in parsed[: max(last_text, 0)]):
        return []
    tail = [p for p in parsed[last_text + 1 :] if p is not None]
    return tail if any(not p.blank for p in tail) or len(tail) > 1 else []


def _label_of(line: Line) -> str:
    return "".join(t for c in line.cells for t in c.split() if parse_token(t) is None)


class TableReader:
    """Fills a Submission from the three tables; records a finding for what it cannot read."""

    def __init__(self, sub: Submission, spec: Format) -> None:
        self.sub = sub
        self.spec = spec

    # -- shared --------------------------------------------------------------------------------

    def put(self, fid: str, printed: Printed, cell: str) -> None:
        f = self.spec.fields[fid]
        value = printed.value
        if f.kind == "money":
            value = Decimal(value)
            if printed.yuan:
                value = value / Decimal(10000)
                self.sub.findings.append(Finding(
                    "amount-in-yuan", Severity.WARNING,
                    f"{f.label}（{cell}）印为 {printed.text}（单位：元），本表以万元为单位，"
                    f"已按 {value.normalize():f} 万元读取。请核对；填写模板时请填万元数。",
                    fields=(fid,), cells=(cell,), expected=value, actual=printed.text,
                ))  # fmt: skip
        self.sub.cells[fid] = cell
        if printed.blank and f.computed:
            return  # a total left blank is not printed: it is computed from its parts
        self.sub.typed[fid] = value
        if not f.computed:
            self.sub.values[fid] = value

    def unread(self, fields: Sequence[str], cells: Sequence[str], message: str) -> None:
        for fid, cell in zip(fields, cells, strict=True):
            self.sub.cells.setdefault(fid, cell)
        self.sub.findings.append(
            Finding("report-cells-unread", Severity.ERROR, message, tuple(fields), tuple(cells))
        )

    # -- part 二 -------------------------------------------------------------------------------

    def read_active(self, region: Sequence[Line]) -> None:
        row_no = 0
        for block in self.spec.blocks:
            block_yuan = False
            for row in block.rows:
                row_no += 1
                fids = [block.field_id(row, c) for c in block.columns]
                cells = [f"表二 第{row_no}行 第{j}列" for j in range(1, len(fids) + 1)]
                found = self._active_row(region, row.id)
                if found is None:
                    self.unread(
                        fids, cells, f"报告中未找到表二「{row.label}」行，无法读取该行数字。"
                    )
                    continue
                line, numbers = found
                if "（元）" in line.key or "(元)" in line.key:
                    block_yuan = True
                if len(numbers) != len(fids):
                    digits = _glued(line, numbers)
                    if len(fids) > 1 and len(digits) == len(fids):
                        numbers = [Printed(int(d), d) for d in digits]
                    else:
                        shown = " ".join(line.cells)
                        self.unread(
                            fids,
                            cells,
                            f"表二「{row.label}」行印有 {len(numbers)} 个数字（{shown}），"
                            f"应为 {len(fids)} 个，无法确定各栏数字。",
                        )
                        continue
                for fid, cell, printed in zip(fids, cells, numbers, strict=True):
                    if block_yuan and self.spec.fields[fid].kind == "money":
                        printed = Printed(printed.value, printed.text, True)
                    self.put(fid, printed, cell)

    def _active_row(self, region: Sequence[Line], row_id: str) -> tuple[Line, list[Printed]] | None:
        keys = _ROW_KEYS.get(row_id, ())
        for line in region:
            label = _label_of(line)
            if any(k in label for k in keys) and len(label) <= 24:
                return line, numbers_of(line)
        return None

    # -- part 三 -------------------------------------------------------------------------------

    def read_apply(self, region: Sequence[Line]) -> None:
        grid = self.spec.apply
        width = len(grid.columns)
        printed_rows: list[tuple[str, list[Printed] | str]] = []
        for line in region:
            numbers = numbers_of(line)
            if len(numbers) >= width:
                printed_rows.append((_label_of(line), _fit_row(numbers, width)))
            elif (digits := _glued(line, numbers)) and len(digits) >= width:
                printed_rows.append((_label_of(line), digits))
        rows = list(grid.rows)
        single_other = False
        other_ids = [r.id for r in rows if r.id.startswith("other_")]
        if len(printed_rows) == len(rows):
            mapping = [r.id for r in rows]
        elif len(other_ids) == 3 and len(printed_rows) == len(rows) - 2:
            single_other = True
            mapping = [r.id for r in rows if r.id not in other_ids[:2]]
        else:
            fids = [grid.field_id(r, c) for r in rows for c in grid.columns]
            cells = [
                f"表三 第{i}行 第{j}列" for i, r in enumerate(rows, 1) for j in range(1, width + 1)
            ]
            self.unread(
                fids,
                cells,
                f"表三（收到和处理政府信息公开申请情况）读到 {len(printed_rows)} 行数字，"
                f"应为 {len(rows)} 行，无法确定各行对应关系。",
            )
            return
        splits = self._apply_splits(printed_rows, mapping)
        for i, (row_id, (_, printed), split) in enumerate(
            zip(mapping, printed_rows, splits, strict=True), 1
        ):
            row = next(r for r in rows if r.id == row_id)
            fids = [grid.field_id(row, c) for c in grid.columns]
            cells = [f"表三 第{i}行 第{j}列" for j in range(1, width + 1)]
            if isinstance(printed, list):
                for fid, cell, p in zip(fids, cells, printed, strict=True):
                    self.put(fid, p, cell)
            elif split is not None:
                for fid, cell, value in zip(fids, cells, split, strict=True):
                    self.put(fid, Printed(value, str(value)), cell)
            else:
                self.unread(
                    fids,
                    cells,
                    f"表三第{i}行「{row.label}」的数字连在一起（{printed}），按总计等于各栏之和"
                    "及表内勾稽关系仍有多种拆分，无法确定各栏数字。",
                )
        if single_other:
            self._single_other(grid, mapping)

    def _apply_splits(
        self, printed_rows: list[tuple[str, list[Printed] | str]], mapping: list[str]
    ) -> list[Split | None]:
        if all(isinstance(p, list) for _, p in printed_rows):
            return [None] * len(printed_rows)
        candidates: list[list[Split]] = []
        for _, printed in printed_rows:
            if isinstance(printed, list):
                candidates.append([tuple(int(p.value) for p in printed)])
            else:
                candidates.append(split_summed(printed, len(self.spec.apply.columns)))
        rows = {r.id: r for r in self.spec.apply.rows}
        index = {rid: i for i, rid in enumerate(mapping)}
        results = [index[rid] for rid in mapping if rows[rid].result]
        equations = []
        if "total" in index:
            equations.append((results, [index["total"]]))
            if {"new", "carried", "carry_over"} <= index.keys():
                equations.append(
                    ([index["new"], index["carried"]], [index["total"], index["carry_over"]])
                )
        return resolve(candidates, equations)

    def _single_other(self, grid: Grid, mapping: list[str]) -> None:
        """gov2021 table printing （六）其他处理 as one row: counted under 3.其他, with a finding."""
        misc = next(r for r in grid.rows if r.id == "other_misc")
        others = [r for r in grid.rows if r.id.startswith("other_") and r.id != "other_misc"]
        zero_ids = [grid.field_id(r, c) for r in others for c in grid.columns if not c.computed]
        for fid in zero_ids:
            self.sub.values[fid] = 0
        row_no = mapping.index("other_misc") + 1
        cell = f"表三 第{row_no}行 第1列"
        misc_fields = [grid.field_id(misc, c) for c in grid.columns]
        self.sub.findings.append(Finding(
            "report-single-other", Severity.WARNING,
            "报告表三的「（六）其他处理」只印了一行（2019 年格式），未分列"
            "「1.申请人无正当理由逾期不补正…」「2.申请人逾期未按收费通知要求缴纳费用…」「3.其他」；"
            "已将该行数字计入「3.其他」，前两项按 0 计。请在模板中分别填写。",
            fields=tuple(zero_ids + misc_fields), cells=(cell,),
        ))  # fmt: skip

    # -- part 四 -------------------------------------------------------------------------------

    def read_review(self, region: Sequence[Line]) -> None:
        grid = self.spec.review
        groups = [g for g, _, _ in self.spec.review_groups]
        fids = [f"{g}_{c.id}" for g in groups for c in grid.columns]
        cells = [f"表四 第1行 第{j}列" for j in range(1, len(fids) + 1)]
        numbers: list[Printed] = []
        glued = ""
        for line in region:
            found = numbers_of(line)
            if found and all(p.blank for p in found):
                continue  # empty cells of a header row
            digits = _glued(line, found)
            if len(digits) >= len(grid.columns):
                glued += digits
            else:
                numbers += found
        if len(numbers) == len(fids):
            for fid, cell, printed in zip(fids, cells, numbers, strict=True):
                self.put(fid, printed, cell)
            return
        if not numbers and glued:
            splits = split_groups(glued, len(groups), len(grid.columns))
            if len(splits) == 1:
                for fid, cell, value in zip(fids, cells, splits[0], strict=True):
                    self.put(fid, Printed(value, str(value)), cell)
                return
            why = f"数字连在一起（{glued}），按各组总计等于其各栏之和仍有 {len(splits)} 种拆分"
        elif not numbers:
            why = "报告中该表没有印出数字"
        else:
            why = f"读到 {len(numbers)} 个数字，应为 {len(fids)} 个"
        self.unread(
            fids,
            cells,
            f"未能读取表四（政府信息公开行政复议、行政诉讼情况）：{why}。"
            "请在随附的模板中填写该表（没有的填 0）后报送。",
        )


def _fit_row(numbers: list[Printed], width: int) -> list[Printed]:
    """A row printed with surplus cells (an empty column printed as 0): drop surplus zeros so the
    row's 总计 is the sum of its cells; when no way or several differing ways do, keep the last cells."""
    surplus = len(numbers) - width
    if surplus <= 0:
        return numbers
    fits: dict[tuple[Number, ...], list[Printed]] = {}
    zeros = [i for i, p in enumerate(numbers) if p.value == 0]
    for drop in combinations(zeros, surplus):
        kept = [p for i, p in enumerate(numbers) if i not in drop]
        if sum(p.value for p in kept[:-1]) == kept[-1].value:
            fits.setdefault(tuple(p.value for p in kept), kept)
        if len(fits) > 1:
            break
    return next(iter(fits.values())) if len(fits) == 1 else numbers[-width:]


def _glued(line: Line, numbers: list[Printed]) -> str:
    """The digits of a row whose cells ran together: glued to its label, or one long number."""
    if not numbers:
        return _glued_digits(line)
    if len(numbers) == 1 and numbers[0].text.isdigit() and len(numbers[0].text) > 1:
        return numbers[0].text
    return ""


def _glued_digits(line: Line) -> str:
    """Digits run together at the end of a labelled line ("…申请数量801000081" → "801000081")."""
    match = _TRAILING_DIGITS.search(line.key)
    if not match:
        return ""
    label = line.key[: match.start()]
    return match.group(1) if re.search(r"[\u4e00-\u9fff]", label) or not label else ""
