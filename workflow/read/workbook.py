"""From a department's file to a :class:`Submission`: every field id → value, with the cell it came from.

``read_workbook`` never raises for a bad file. Problems with the file itself (not a spreadsheet,
corrupt, encrypted, too large, another format, a stale template, labels not found, macros) and
cells that are not valid numbers (R5) become findings; the rules engineer's checks run on the
result. Totals are reported as found (``typed``) and never trusted.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from workflow.domain.findings import Finding, Severity
from workflow.domain.submission import Submission
from workflow.formats.layout import (
    META_KEYS,
    OPTIONAL_META_KEYS,
    SHEET_META,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    fingerprint,
)
from workflow.formats.spec import DEFAULT_FORMAT, FORMAT_IDS, Format, load_format
from workflow.read.cell_values import (
    as_text,
)
from workflow.read.fill import fill, group_blanks
from workflow.read.limits import Budget, LimitExceeded, Limits
from workflow.read.locate import LabelIndex, Located, Place, by_labels, by_names, label_indexes
from workflow.read.visible import (
    disagreement_findings,
    external_link_findings,
    hidden_name_findings,
    second_copy_findings,
)
from workflow.read.xlsx_parts import (
    ODS_MIME,
    Book,
    FileProblem,
    cfb_stream_names,
    check_zip,
    open_calamine,
    open_ooxml,
    sniff,
)

_ASK_XLSX = "请用 Excel 或 WPS 打开下发的填报模板（.xlsx）填写后重新报送。"
_MAX_LISTED = 8
LEGACY_SUFFIXES = (".xls", ".ods", ".et")
_LEGACY_MESSAGE = "建议使用 .xlsx 模板报送（.xls/.ods 无法标注问题单元格，也无法核对合计公式）。"
ROSTER_HEADER = "roster"


def read_workbook(
    path: Path,
    *,
    expected_format: str | None = None,
    blank_policy: str = "error",
    limits: Limits | None = None,
    year: int | None = None,
) -> Submission:
    """Read one workbook (.xlsx/.xlsm, or .xls/.ods) into a Submission; never raises for a bad file."""
    fallback = expected_format if expected_format in FORMAT_IDS else DEFAULT_FORMAT
    limits = limits or Limits()
    budget = Budget(limits)
    try:
        return _read(Path(path), expected_format, blank_policy, limits, budget, year)
    except FileProblem as problem:
        return _rejected(fallback, problem.rule, _file_message(problem))
    except LimitExceeded as exc:
        message = f"文件过大或结构异常（{exc.what}），已停止读取。{_ASK_XLSX}"
        return _rejected(fallback, "file-too-large", message)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        message = f"无法打开文件（{type(exc).__name__}）：文件不存在、是文件夹，或正被其他程序占用。请关闭 Excel/WPS 后重试。"
        return _rejected(fallback, "file-unreadable", message)
    except (MemoryError, RecursionError) as exc:
        message = f"文件结构过于复杂，无法读取（{type(exc).__name__}）。{_ASK_XLSX}"
        return _rejected(fallback, "file-too-large", message)
    except (
        Exception
    ) as exc:  # BadZipFile, zlib.error, EOFError, XML errors…: a bad file never stops a pass
        return _rejected(fallback, "file-corrupt", _corrupt_message(exc))


def _rejected(format_id: str, rule: str, message: str) -> Submission:
    return Submission(format=format_id, findings=[Finding(rule, Severity.ERROR, message)])


def _file_message(problem: FileProblem) -> str:
    advice = {
        "file-empty": "请检查后重新报送填好的模板。",
        "file-encrypted": "请在 Excel/WPS 中取消打开密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新报送。",
        "file-unsupported": "请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx）后重新报送。",
    }.get(problem.rule, _ASK_XLSX)
    return f"{problem.message}，无法读取。{advice}"


def _corrupt_message(exc: BaseException) -> str:
    return f"文件已损坏或不完整，无法读取（{type(exc).__name__}）。请用 Excel/WPS 打开确认无误、重新保存后再报送。"


def _read(
    path: Path,
    expected: str | None,
    blank_policy: str,
    limits: Limits,
    budget: Budget,
    year: int | None = None,
) -> Submission:
    book = _open_book(path, limits, budget)
    try:
        findings: list[Finding] = []
        if book.macros or path.suffix.lower() == ".xlsm":
            findings.append(
                Finding(
                    "macros-present",
                    Severity.WARNING,
                    "文件含有宏（VBA）。系统只读取数值，不会运行宏；建议另存为不含宏的 .xlsx 后报送。",
                )
            )
        if path.suffix.lower() in LEGACY_SUFFIXES or book.kind in ("xls", "ods"):
            findings.append(Finding("format-legacy", Severity.WARNING, _LEGACY_MESSAGE))
        meta = _meta(book)
        indexes = label_indexes(book, prefer=[place[0] for place in book.names.values()])
        spec, located, how = _locate(book, meta, expected, indexes)
        sub = Submission(format=spec.id, meta=meta, findings=findings)
        meta["located_by"] = how
        findings += _template_findings(spec, meta, expected, how, year)
        if located.missing:
            findings.append(_labels_missing(located.missing))
        findings += hidden_name_findings(book, spec)
        findings += disagreement_findings(book, spec, located)
        findings += second_copy_findings(book, spec, located, indexes)
        findings += external_link_findings(book)
        fill(sub, book, spec, located.cells, blank_policy)
        group_blanks(sub, spec, blank_policy)
        return sub
    finally:
        book.close()


def _open_book(path: Path, limits: Limits, budget: Budget) -> Book:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LimitExceeded(
            f"文件大小 {size / 1048576:.1f} MB，超过 {limits.max_file_bytes // 1048576} MB 上限"
        )
    with path.open("rb") as handle:
        head = handle.read(512)
        kind = sniff(head)
        if kind == "empty":
            raise FileProblem("file-empty", "文件是空的（0 字节）")
        if kind == "cfb":
            handle.seek(0)
            return _open_cfb(path, handle.read(), budget)
    if kind != "zip":
        raise FileProblem("file-not-spreadsheet", f"这不是 Excel 表格，而是{kind}")
    zf = zipfile.ZipFile(path)
    try:
        if "mimetype" in zf.NameToInfo:
            # calamine parses content.xml whole, so an .ods gets a fifth of the streamed budget
            check_zip(
                zf, replace(limits, max_uncompressed_bytes=limits.max_uncompressed_bytes // 5)
            )
            if ODS_MIME not in zf.read("mimetype")[:200]:
                raise FileProblem(
                    "file-not-spreadsheet", "这不是 Excel 表格，而是其他 OpenDocument 文档"
                )
            zf.close()
            return open_calamine(path, ".ods", budget)
        return open_ooxml(zf, limits, budget)
    except BaseException:
        zf.close()
        raise


def _open_cfb(path: Path, data: bytes, budget: Budget) -> Book:
    names = cfb_stream_names(data)
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise FileProblem("file-encrypted", "工作簿设置了打开密码（已加密）")
    if names and not any(n in ("Workbook", "Book") for n in names):
        raise FileProblem(
            "file-not-spreadsheet", "这不是 Excel 表格（可能是 Word 等其他 Office 文件）"
        )
    return open_calamine(path, ".xls", budget)


# -- template identity and where the fields are -------------------------------------------------


def _meta(book: Book) -> dict[str, str]:
    sheet = book.sheet(SHEET_META)
    if sheet is None:
        return {}
    meta = {}
    for (row, col), value in sorted(sheet.cells.items()):
        key = str(value).strip() if col == 1 else ""
        if key in (*META_KEYS, *OPTIONAL_META_KEYS) and (row, 2) in sheet.cells:
            meta[key] = as_text(sheet.cells[(row, 2)])
    column = sorted((row, value) for (row, col), value in sheet.cells.items() if col == 4)
    if column and as_text(column[0][1]) == ROSTER_HEADER:
        names = [name for _, value in column[1:] if (name := as_text(value))]
        if names:
            meta[ROSTER_HEADER] = "\n".join(names)
    return meta


def _table_ids(spec: Format) -> list[str]:
    return [f.id for f in spec.table_fields]


def _locate(
    book: Book, meta: dict[str, str], expected: str | None, indexes: Sequence[LabelIndex]
) -> tuple[Format, Located, str]:
    """The format of the workbook, where its fields are, and how they were found."""
    candidates = _format_order(book, meta, expected)
    for format_id in candidates:
        spec = load_format(format_id)
        names = by_names(book, spec)
        if all(fid in names for fid in _table_ids(spec)):
            located, moved = _checked_names(spec, names, by_labels(book, spec, indexes))
            return spec, located, "labels" if moved else "names"
    results = [(load_format(f), by_labels(book, load_format(f), indexes)) for f in candidates]
    spec, located = max(results, key=lambda r: (-len(r[1].missing), len(r[1].cells)))
    return spec, located, "labels"


def _format_order(book: Book, meta: dict[str, str], expected: str | None) -> list[str]:
    """Formats to try, most likely first: the template's own, then the one with most names."""

    def score(format_id: str) -> tuple[bool, int, bool]:
        named = len(by_names(book, load_format(format_id)))
        return (meta.get("format") == format_id, named, format_id == expected)

    return sorted(FORMAT_IDS, key=score, reverse=True)


def _checked_names(spec: Format, names: dict[str, Place], labels: Located) -> tuple[Located, bool]:
    """Names, unless the labels put table cells elsewhere (rows inserted or deleted by a tool
    that does not move names): then the names are stale and the labels win, since they are what
    the department sees; a table label that cannot be found then is an error."""
    table = _table_ids(spec)
    moved = any(labels.cells.get(fid, names[fid]) != names[fid] for fid in table)
    located = Located(dict(names))
    if moved:
        located = Located({k: v for k, v in names.items() if k not in table}, labels.missing)
        located.cells.update({fid: labels.cells[fid] for fid in table if fid in labels.cells})
    for fid, place in labels.cells.items():
        located.cells.setdefault(fid, place)
    return located, moved


def _short_title(spec: Format) -> str:
    """ "国办公开办函〔2021〕30号" → "〔2021〕30号"."""
    title = spec.title
    return title[title.index("〔") :] if "〔" in title else title


def _template_findings(
    spec: Format, meta: dict[str, str], expected: str | None, how: str, year: int | None = None
) -> list[Finding]:
    out = []
    if expected in FORMAT_IDS and spec.id != expected:
        want, got = load_format(expected), spec
        old = "旧" if _short_title(got) < _short_title(want) else ""
        when = f"本区 {year} 年度" if year else "本次报送"
        out.append(Finding(
            "template-other-format", Severity.ERROR,
            f"本文件使用的是{_short_title(got)}{old}格式模板，{when}使用{_short_title(want)}格式。"
            "请用 `workflow template` 生成的新模板（或向区政务公开办索取）重新填写。",
            expected=expected, actual=spec.id,
        ))  # fmt: skip
    if not meta or meta.get("template_id") != TEMPLATE_ID:
        where = "按表格标题识别了各项数字" if how == "labels" else "按单元格名称读取了各项数字"
        out.append(Finding(
            "template-unknown", Severity.WARNING,
            f"该文件不是本系统下发的填报模板（{where}）。请尽量使用下发的模板填报，以免漏读或错读。",
        ))  # fmt: skip
    elif meta.get("format") == spec.id and (
        meta.get("version") != TEMPLATE_VERSION or meta.get("fingerprint") != fingerprint(spec)
    ):
        out.append(Finding(
            "template-stale", Severity.ERROR,
            "所用填报模板版本过旧，与本年度模板不一致。请下载最新模板，把数字和文字抄过去后重新报送。",
            expected=fingerprint(spec)[:12], actual=(meta.get("fingerprint") or "")[:12],
        ))  # fmt: skip
    return out


def _labels_missing(missing: list[str]) -> Finding:
    listed = "、".join(missing[:_MAX_LISTED]) + (
        f" 等 {len(missing)} 处" if len(missing) > _MAX_LISTED else ""
    )
    return Finding(
        "labels-not-found", Severity.ERROR,
        f"文件中找不到以下官方表格标题：{listed}。表格可能被改动（删除或改写了行、列标题）。"
        "请使用下发的填报模板，不要增删行列或改写标题。",
        actual=len(missing),
    )  # fmt: skip
