"""The equations of the tables: totals (R2, R3, R4, total-typed-over) and the balance (R1)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from workflow.domain.findings import Finding, Severity, cell_order
from workflow.domain.numbers import as_decimal, plain_number
from workflow.domain.submission import Number, Submission
from workflow.formats.spec import PART_NAMES, Equation, Format
from workflow.rules.finding import reported_fields, rule_finding
from workflow.rules.totals import definitions, expand, sheet_view


def _total_finding(
    sub: Submission,
    spec: Format,
    eq: Equation,
    totals: Mapping[str, Number],
    typed: Decimal,
    formula: bool,
) -> Finding:
    fid = eq.left[0]
    f = spec.fields[fid]
    same_row = all(spec.fields[p].row == f.row for p in eq.right)
    nonzero = [p for p in eq.right if totals[p] != 0]
    names = {
        p: spec.fields[p].column_label if same_row else spec.fields[p].row_label for p in nonzero
    }
    detail = " + ".join(f"{names[p]} {plain_number(totals[p])}" for p in nonzero) or "各项均为 0"
    table = PART_NAMES[f.part]
    if same_row:
        where, how = f"{table}「{f.row_label}」行的「{f.column_label}」", "核对该行各列数字"
    else:
        where, how = f"{table}「{f.column_label}」列的「{f.row_label}」", "核对该列各项办理结果"
    expected = totals[fid]
    parts = "该行各列" if same_row else "该列各项"
    retype = (
        f"如{parts[2:]}数字正确，请把该格改回公式 {sum_formula(sub, eq.right)}（合计格已锁定："
        "先点“审阅—撤销工作表保护”，无需密码；也可向区政务公开办索取本单位的新模板重新填写）"
    )
    if formula:
        message = (
            f"{where}应为 {plain_number(expected)}（{detail}），但单元格显示 {plain_number(typed)}，合计公式已被改动。"
            f"{retype}，并{how}。"
        )
    elif not nonzero and typed != 0:
        message = (
            f"{where}填写了 {plain_number(typed)}，但组成它的各项都未填写数字（按 0 计，合计应为 0）。"
            f"请在{parts}分别填写数字（合计格按各项之和核对）；{retype}。"
        )
    else:
        gap = plain_number(abs(typed - expected))
        fix = f"共少填 {gap}，请补齐" if typed > expected else f"共多填 {gap}，请核减"
        message = (
            f"{where}应为 {plain_number(expected)}（{detail}），但该格被改写为 {plain_number(typed)}。"
            f"如 {plain_number(typed)} 是正确的总数，说明{parts}{fix}；{retype}，并{how}。"
        )
    return rule_finding(
        eq.rule, Severity.ERROR, message, sub, (fid, *nonzero), expected, typed, marked=(fid,)
    )


def sum_formula(sub: Submission, fields: tuple[str, ...]) -> str:
    """The template's SUM over ``fields`` as a clerk would type it: =SUM(D6:I6), else =D6+F6+…"""
    coords = [str(sub.cells.get(f, "")).rpartition("!")[2].replace("$", "") for f in fields]
    if not all(coords):
        return "（各项之和）"
    at = {c: cell_order(f"x!{c}")[2:] for c in coords}  # (row, col)
    ordered = sorted(coords, key=lambda c: at[c])
    rows = [at[c][0] for c in ordered]
    cols = [at[c][1] for c in ordered]
    in_row = len(set(rows)) == 1 and cols == list(range(cols[0], cols[0] + len(cols)))
    in_col = len(set(cols)) == 1 and rows == list(range(rows[0], rows[0] + len(rows)))
    if len(coords) > 1 and (in_row or in_col):
        return f"=SUM({ordered[0]}:{ordered[-1]})"
    return "=" + "+".join(coords)


def _printed_total_finding(
    sub: Submission,
    spec: Format,
    eq: Equation,
    printed: Mapping[str, Decimal],
    typed: Decimal,
) -> Finding:
    """A published report's printed total that is not the sum of the numbers printed beside it.

    Compared with the printed row (or column): a total printed among the parts counts as printed,
    so one misprinted total is reported once, at its own cell.
    """
    fid = eq.left[0]
    f = spec.fields[fid]
    same_row = all(spec.fields[p].row == f.row for p in eq.right)
    expected = sum(printed.values(), Decimal(0))
    nonzero = [p for p in eq.right if printed[p] != 0]
    names = {
        p: spec.fields[p].column_label if same_row else spec.fields[p].row_label for p in nonzero
    }
    detail = " + ".join(f"{names[p]} {plain_number(printed[p])}" for p in nonzero) or "各项均为 0"
    table = PART_NAMES[f.part]
    if same_row:
        where, line = f"{table}「{f.row_label}」行的「{f.column_label}」", "该行"
    else:
        where, line = f"{table}「{f.column_label}」列的「{f.row_label}」", "该列"
    message = (
        f"报告中{where}印为 {plain_number(typed)}，但{line}印出的各项之和为 {plain_number(expected)}（{detail}）。"
        f"请核对{line}数字，在随附的模板中填写正确的数（合计由模板自动算出）。"
    )
    return rule_finding(eq.rule, Severity.ERROR, message, sub, (fid, *nonzero), expected, typed)


def _typed_over_finding(
    sub: Submission, spec: Format, fid: str, computed: Number, raw: object
) -> Finding:
    f = spec.fields[fid]
    shown = "为空" if raw is None or raw == "" else f"为手工填写的「{plain_number(raw)}」"
    return rule_finding(
        "total-typed-over",
        Severity.WARNING,
        f"{f.label}应为自动合计的公式，现{shown}（按各项之和计为 {plain_number(computed)}）。"
        "不影响报送，无需修改；今后请在下发的模板中填写，不要改写合计格。",
        sub,
        (fid,),
        computed,
        raw if raw != "" else None,
    )


def check_totals(
    sub: Submission, spec: Format, totals: Mapping[str, Number], bad: set[str]
) -> list[Finding]:
    """R2/R3/R4 on the total cells as found in the file, and total-typed-over."""
    defs = definitions(spec)
    reported = reported_fields(sub)
    formula_info = bool(sub.formulas)
    shown = sheet_view(sub, spec)
    printed_report = sub.meta.get("source") == "report"
    findings = []
    for fid, eq in defs.items():
        located = fid in sub.typed or fid in sub.cells
        if not located or fid in reported or bad.intersection(expand(spec, defs, fid)):
            continue
        raw = sub.typed.get(fid)
        typed = as_decimal(raw)
        if printed_report:
            printed = {p: shown.get(p, Decimal(totals[p])) for p in eq.right}
            if typed is not None and typed != totals[fid] and typed != sum(printed.values()):
                findings.append(_printed_total_finding(sub, spec, eq, printed, typed))
            continue  # a row that adds up as printed: the misprinted total in it is reported alone
        formula = fid in sub.formulas
        if formula and typed is not None and typed == shown.get(fid):
            continue  # the intact formula adds what its cells hold: text parts or typed-over totals
            # it depends on explain the difference, and they have findings of their own
        if typed is not None and typed != totals[fid]:
            findings.append(_total_finding(sub, spec, eq, totals, typed, formula))
        elif formula_info and not formula:
            findings.append(_typed_over_finding(sub, spec, fid, totals[fid], raw))
    return findings


def short_row(spec: Format, fid: str) -> str:
    """A row's label without its numbering, as a message names it: 「本年新收」, 「结转下年度继续办理」."""
    f = spec.fields[fid]
    row = next((r for r in spec.apply.rows if r.id == f.row), None)
    label = _strip_numbering(f.row_label)
    if row is not None and row.computed and row.group:
        label = _strip_numbering(row.group) + label
    return label


def _strip_numbering(label: str) -> str:
    if "、" in label[:4]:
        label = label.split("、", 1)[1]
    if label.startswith("（") and "）" in label[:5]:
        label = label.split("）", 1)[1]
    return label.removesuffix("政府信息公开申请数量")


def check_balance(
    sub: Submission, spec: Format, totals: Mapping[str, Number], bad: set[str]
) -> list[Finding]:
    """R1 (and any other non-defining equation of the spec): sum(left) == sum(right)."""
    defs = definitions(spec)
    findings = []
    for eq in spec.equations:
        if len(eq.left) == 1 and eq.left[0] in defs and defs[eq.left[0]] is eq:
            continue
        if all(spec.fields[f].computed for f in eq.fields):
            continue  # implied by the same equation on the part columns
        inputs = [i for f in eq.fields for i in expand(spec, defs, f)]
        if bad.intersection(inputs):
            continue
        left, right = sum(totals[f] for f in eq.left), sum(totals[f] for f in eq.right)
        if left == right:
            continue
        column = spec.fields[eq.left[0]].column_label
        lhs = " + ".join(f"{short_row(spec, f)} {plain_number(totals[f])}" for f in eq.left)
        rhs = " + ".join(f"{short_row(spec, f)} {plain_number(totals[f])}" for f in eq.right)
        message = (
            f"表三「{column}」列：{lhs} = {plain_number(left)}，但{rhs} = {plain_number(right)}，"
            f"相差 {plain_number(abs(left - right))}。请核对该列的办理结果和结转数是否漏填或多填。"
        )
        findings.append(
            rule_finding(
                eq.rule,
                Severity.ERROR,
                message,
                sub,
                (*eq.fields, *inputs),
                left,
                right,
                marked=eq.fields,  # the four cells of the equation, not the whole column
            )
        )
    return findings
