"""Read one published report (.docx, .pdf, .html/.htm, .txt) into the Submission the template reader
produces, so the rules, the rollup and the documents work unchanged.

Never raises for a bad file: what cannot be read is a finding naming what is missing.
"""

from __future__ import annotations

from pathlib import Path

from workflow.domain.findings import Finding, Severity
from workflow.domain.submission import Submission
from workflow.formats.spec import DEFAULT_FORMAT, FORMAT_IDS, load_format
from workflow.read.report.lines import (
    Line,
    decode_text,
    docx_lines,
    html_decode,
    html_lines,
    text_lines,
)
from workflow.read.report.tables import TableReader, detect_format, find_parts
from workflow.read.report.texts import contacts_of, date_of, narratives_of, stated_facts, title_of

REPORT_SUFFIXES = frozenset({".docx", ".pdf", ".html", ".htm", ".txt"})
MAX_REPORT_BYTES = 50 * 1024 * 1024
MIN_PDF_CHARS = 200  # fewer characters in the text layer: a scanned PDF


def is_report(path: Path) -> bool:
    return path.suffix.lower() in REPORT_SUFFIXES


def report_lines(path: Path) -> tuple[list[Line], str]:
    """The document's lines and how its paragraphs join ("" for PDF visual lines, else newline)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from workflow.read.report.pdf import pdf_lines

        lines, chars = pdf_lines(path)
        if chars < MIN_PDF_CHARS:
            raise _Unreadable(
                "file-unreadable",
                "PDF 没有可读取的文字（可能是扫描件或图片），无法读取。"
                "请报送 Word 版年度报告，或使用填报模板。",
            )
        return lines, ""
    data = path.read_bytes()
    if suffix == ".docx":
        return docx_lines(data), "\n"
    if suffix in (".html", ".htm"):
        return html_lines(html_decode(data)), "\n"
    return text_lines(decode_text(data)), "\n"


class _Unreadable(Exception):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def read_report(path: Path, *, expected_format: str | None = None) -> Submission:
    """One report as a Submission (``meta["source"] == "report"``); problems are findings."""
    path = Path(path)
    fallback = expected_format if expected_format in FORMAT_IDS else DEFAULT_FORMAT
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise _Unreadable("file-too-large", "文件过大（超过 50 MB），已停止读取。")
        if path.stat().st_size == 0:
            raise _Unreadable("file-empty", "文件为空，无法读取。请检查后重新报送。")
        lines, joiner = report_lines(path)
        return read_lines(lines, joiner, kind=path.suffix.lower().lstrip("."))
    except _Unreadable as problem:
        sub = Submission(format=fallback, meta={"source": "report"})
        sub.findings.append(Finding(problem.rule, Severity.ERROR, problem.message))
        return sub
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        message = (
            f"无法打开文件（{type(exc).__name__}）：文件不存在、是文件夹，或正被其他程序占用。"
        )
        return _failed(fallback, "file-unreadable", message)
    except Exception as exc:  # a bad file never stops a pass
        message = f"文件已损坏或不完整，无法读取（{type(exc).__name__}）。请重新保存后再报送。"
        return _failed(fallback, "file-corrupt", message)


def _failed(format_id: str, rule: str, message: str) -> Submission:
    sub = Submission(format=format_id, meta={"source": "report"})
    sub.findings.append(Finding(rule, Severity.ERROR, message))
    return sub


def read_lines(lines: list[Line], joiner: str = "\n", *, kind: str = "txt") -> Submission:
    """A report already split into lines (see ``workflow.read.report.lines``)."""
    parts = find_parts(lines)
    unit, year = title_of(lines)
    format_id = detect_format(lines, parts, year)
    spec = load_format(format_id)
    sub = Submission(format=format_id, meta={"source": "report", "report_type": kind})
    if unit:
        sub.texts["unit_name"] = unit
        sub.cells["unit_name"] = "报告标题"
    if year:
        sub.texts["report_year"] = str(year)
        sub.cells["report_year"] = "报告标题"
    if date := date_of(lines):
        sub.texts["report_date"] = date
        sub.cells["report_date"] = "报告落款"
    head = "".join(line.key for line in lines[: parts.heads.get("一", 20)])
    for key, value in contacts_of(head).items():
        sub.texts[key] = value
        sub.cells[key] = "报告前言"
    narratives = narratives_of(lines, parts, joiner, unit)
    for key, value in narratives.items():
        sub.texts[key] = value
        sub.cells[key] = f"正文「{_narrative_label(spec, key)}」"
    all_text = "".join(line.key for line in lines)
    facts = stated_facts(narratives.get("text_active", "") + "。" + all_text)
    for key, value in facts.items():
        if key in spec.fields:
            parsed = int(value) if value.isascii() and value.isdigit() else None
            from decimal import Decimal

            sub.values[key] = parsed if parsed is not None else Decimal(value)
            sub.cells[key] = "正文"
    missing = [p for p in ("二", "三", "四") if p not in parts.heads]
    if len(missing) == 3:
        sub.findings.append(Finding(
            "report-not-recognized", Severity.ERROR,
            "未能在文件中找到政府信息公开工作年度报告的表格（“二、主动公开政府信息情况”"
            "“三、收到和处理政府信息公开申请情况”“四、政府信息公开行政复议、行政诉讼情况”）。"
            "请报送年度报告全文，或使用填报模板。",
        ))  # fmt: skip
        return sub
    tables = TableReader(sub, spec)
    tables.read_active(parts.region(lines, "二"))
    tables.read_apply(parts.region(lines, "三"))
    tables.read_review(parts.region(lines, "四"))
    for part in missing:
        sub.findings.append(Finding(
            "report-cells-unread", Severity.ERROR,
            f"报告中未找到第{part}部分的标题，该部分的表格未能读取。",
        ))  # fmt: skip
    return sub


def _narrative_label(spec: object, key: str) -> str:
    for n in getattr(spec, "narratives", ()):
        if n.id == key:
            return f"{n.section}、{n.label}" if n.section != "一" else n.label
    return key
