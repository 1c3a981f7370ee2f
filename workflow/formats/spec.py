"""The official report formats as data: fields, tables and the sum rules between them.

Each format is one TOML file in ``workflow/formats/``; this module turns it into frozen objects that
the template, reader, rules, rollup and reports all share. Adding a format means adding a TOML file.

    >>> spec = load_format("gov2021")
    >>> spec.fields["apply_new_natural"].label
    '表三「一、本年新收政府信息公开申请数量」·自然人'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

FieldKind = Literal["count", "money", "signed", "text", "date", "year"]
Part = Literal["info", "narrative", "active", "apply", "review"]

FORMAT_IDS: tuple[str, ...] = ("gov2021", "gov2019")
DEFAULT_FORMAT = "gov2021"
NUMERIC_KINDS: frozenset[str] = frozenset({"count", "money", "signed"})
PART_NAMES: dict[str, str] = {"active": "表二", "apply": "表三", "review": "表四"}


class SpecError(Exception):
    """A format file under workflow/formats is missing or malformed."""


@dataclass(frozen=True, slots=True)
class Field:
    """One value of a submission, named by its public field id."""

    id: str
    label: str  # full Chinese label for messages, e.g. 表三「（一）予以公开」·自然人
    kind: FieldKind
    part: Part
    row: str = ""  # row id inside its table ("" for info/narrative fields)
    column: str = ""  # column id inside its table
    row_label: str = ""
    column_label: str = ""
    computed: bool = False  # a total: computed from its parts, never trusted from the file
    stock: bool = False  # a stock count (现行有效件数 …): summed across units only as 合计
    required: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


@dataclass(frozen=True, slots=True)
class Column:
    id: str
    label: str
    kind: FieldKind = "count"
    group: str = ""
    computed: bool = False
    stock: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    id: str
    label: str
    group: str = ""
    subgroup: str = ""
    result: bool = False  # one of the 办理结果 rows summed into （七）总计
    computed: bool = False
    sum_of: str = ""
    rule: str = ""

    @property
    def result_name(self) -> str:
        """The 办理结果 this row counts under, without numbering or note: "（二）部分公开（区分处理的，…）"
        → "部分公开", "（三）不予公开" → "不予公开"."""
        label = re.sub(r"^（[一二三四五六七八九十]+）", "", self.subgroup or self.label)
        return re.sub(r"（[^）]*）$", "", label)


@dataclass(frozen=True, slots=True)
class Block:
    """A sub-table of part 二 (第二十条第（X）项) with its own column headers."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    def field_id(self, row: Row, column: Column) -> str:
        return f"active_{row.id}_{column.id}"


@dataclass(frozen=True, slots=True)
class Grid:
    """A table of rows × columns (part 三) or groups × columns (part 四)."""

    prefix: str  # "apply_" for part 三, "" for part 四
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str = ""
    header: str = ""

    def field_id(self, row: Row, column: Column) -> str:
        return f"{self.prefix}{row.id}_{column.id}"


@dataclass(frozen=True, slots=True)
class Equation:
    """``sum(left) == sum(right)``: a 勾稽关系 with its rule id (R1–R4)."""

    rule: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    description: str

    @property
    def fields(self) -> tuple[str, ...]:
        return self.left + self.right


@dataclass(frozen=True, slots=True)
class Narrative:
    id: str
    section: str
    label: str


@dataclass(frozen=True)
class Format:
    id: str
    title: str
    basis: str
    first_year: int
    last_year: int | None
    active_title: str
    blocks: tuple[Block, ...]
    apply: Grid
    review: Grid
    review_groups: tuple[tuple[str, str, str], ...]  # (id, label, parent)
    narratives: tuple[Narrative, ...]
    fields: dict[str, Field] = field(repr=False)
    equations: tuple[Equation, ...] = field(repr=False)

    @property
    def numeric_fields(self) -> list[Field]:
        return [f for f in self.fields.values() if f.numeric]

    @property
    def input_fields(self) -> list[Field]:
        """Fields a department types in (every non-computed field)."""
        return [f for f in self.fields.values() if not f.computed]

    @property
    def computed_fields(self) -> list[Field]:
        return [f for f in self.fields.values() if f.computed]

    @property
    def table_fields(self) -> list[Field]:
        """The numbers of parts 二, 三 and 四, in table order."""
        return [f for f in self.fields.values() if f.part in PART_NAMES]

    def fields_of(self, part: Part) -> list[Field]:
        return [f for f in self.fields.values() if f.part == part]

    def covers_year(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)


def _column(raw: dict[str, Any]) -> Column:
    return Column(
        id=raw["id"],
        label=raw["label"],
        kind=raw.get("kind", "count"),
        group=raw.get("group", ""),
        computed=raw.get("computed", False),
        stock=raw.get("stock", False),
    )


def _row(raw: dict[str, Any]) -> Row:
    return Row(
        id=raw["id"],
        label=raw["label"],
        group=raw.get("group", ""),
        subgroup=raw.get("subgroup", ""),
        result=raw.get("result", False),
        computed=raw.get("computed", False),
        sum_of=raw.get("sum_of", ""),
        rule=raw.get("rule", ""),
    )


def _short_row_label(row: Row) -> str:
    return f"{row.subgroup}{row.label}" if row.subgroup else row.label


def _grid_fields(grid: Grid, part: Part, table_name: str) -> list[Field]:
    out = []
    for row in grid.rows:
        for col in grid.columns:
            row_label = _short_row_label(row)
            out.append(
                Field(
                    id=grid.field_id(row, col),
                    label=f"{table_name}「{row_label}」·{col.label}",
                    kind=col.kind,
                    part=part,
                    row=row.id,
                    column=col.id,
                    row_label=row_label,
                    column_label=col.label,
                    computed=row.computed or col.computed,
                )
            )
    return out


def _grid_equations(
    grid: Grid, row_total_rule: str, checks: list[dict[str, Any]]
) -> list[Equation]:
    """Row totals (the total column), column totals (computed rows) and explicit checks."""
    total_cols = [c for c in grid.columns if c.computed]
    part_cols = [c for c in grid.columns if not c.computed]
    equations = []
    for row in grid.rows:
        for tc in total_cols:
            equations.append(
                Equation(
                    rule=row_total_rule,
                    left=(grid.field_id(row, tc),),
                    right=tuple(grid.field_id(row, c) for c in part_cols),
                    description=f"「{_short_row_label(row)}」行：{tc.label} = 各列之和",
                )
            )
    for row in grid.rows:
        if not row.sum_of:
            continue
        parts = [r for r in grid.rows if getattr(r, row.sum_of)]
        for col in grid.columns:
            equations.append(
                Equation(
                    rule=row.rule,
                    left=(grid.field_id(row, col),),
                    right=tuple(grid.field_id(r, col) for r in parts),
                    description=f"「{col.label}」列：{row.label} = 各项办理结果之和",
                )
            )
    by_id = {r.id: r for r in grid.rows}
    for check in checks:
        for col in grid.columns:
            equations.append(
                Equation(
                    rule=check["rule"],
                    left=tuple(grid.field_id(by_id[r], col) for r in check["left"]),
                    right=tuple(grid.field_id(by_id[r], col) for r in check["right"]),
                    description=f"「{col.label}」列：第一项加第二项之和，等于第三项加第四项之和",
                )
            )
    return equations


def parse_format(data: dict[str, Any]) -> Format:
    """Build a Format from the parsed TOML of one format file."""
    try:
        return _parse_format(data)
    except (KeyError, TypeError) as exc:
        raise SpecError(f"格式定义文件缺少或写错了键：{exc}") from exc


def _parse_format(data: dict[str, Any]) -> Format:
    fields: list[Field] = []
    for raw in data["info"]:
        fields.append(
            Field(
                id=raw["id"],
                label=raw["label"],
                kind=raw["kind"],
                part="info",
                required=raw.get("required", False),
            )
        )
    narratives = tuple(Narrative(n["id"], n["section"], n["label"]) for n in data["narrative"])
    for n in narratives:
        fields.append(
            Field(id=n.id, label=f"{n.section}、{n.label}", kind="text", part="narrative")
        )

    blocks = tuple(
        Block(
            title=b["title"],
            columns=tuple(_column(c) for c in b["columns"]),
            rows=tuple(_row(r) for r in b["rows"]),
        )
        for b in data["active"]["blocks"]
    )
    for block in blocks:
        for row in block.rows:
            for col in block.columns:
                fields.append(
                    Field(
                        id=block.field_id(row, col),
                        label=f"表二{block.title}「{row.label}」·{col.label}",
                        kind=col.kind,
                        part="active",
                        row=row.id,
                        column=col.id,
                        row_label=row.label,
                        column_label=col.label,
                        stock=col.stock,
                    )
                )

    ap = data["apply"]
    apply = Grid(
        prefix="apply_",
        title=ap["title"],
        columns=tuple(_column(c) for c in ap["columns"]),
        rows=tuple(_row(r) for r in ap["rows"]),
        note=ap.get("note", ""),
        header=ap.get("header", ""),
    )
    rv = data["review"]
    review = Grid(
        prefix="",
        title=rv["title"],
        columns=tuple(_column(c) for c in rv["columns"]),
        rows=tuple(
            Row(id=g["id"], label=g["label"], group=g.get("parent", "")) for g in rv["groups"]
        ),
    )
    fields += _grid_fields(apply, "apply", "表三")
    fields += _grid_fields(review, "review", "表四")
    equations = _grid_equations(apply, ap["row_total_rule"], ap.get("checks", []))
    equations += _grid_equations(review, rv["row_total_rule"], rv.get("checks", []))

    by_id: dict[str, Field] = {}
    for f in fields:
        if f.id in by_id:
            raise SpecError(f"格式 {data['id']} 中字段编号重复：{f.id}")
        by_id[f.id] = f
    return Format(
        id=data["id"],
        title=data["title"],
        basis=data["basis"],
        first_year=data["first_year"],
        last_year=data.get("last_year"),
        active_title=data["active"]["title"],
        blocks=blocks,
        apply=apply,
        review=review,
        review_groups=tuple((g["id"], g["label"], g.get("parent", "")) for g in rv["groups"]),
        narratives=narratives,
        fields=by_id,
        equations=tuple(equations),
    )


@cache
def load_format(format_id: str) -> Format:
    """The Format named ``gov2021`` or ``gov2019`` (cached)."""
    if format_id not in FORMAT_IDS:
        raise SpecError(f"未知的报告格式「{format_id}」，可选：{'、'.join(FORMAT_IDS)}")
    text = resources.files("workflow.formats").joinpath(f"{format_id}.toml").read_text("utf-8")
    return parse_format(tomllib.loads(text))


def format_for_year(year: int) -> str:
    """The official format a report for ``year`` must use (R11)."""
    for format_id in FORMAT_IDS:
        if load_format(format_id).covers_year(year):
            return format_id
    return DEFAULT_FORMAT
