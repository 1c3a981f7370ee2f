"""The annotated copy written straight into the .xlsx zip, without an openpyxl load and save:
members that need no change are copied as they are; the marked sheets get new style ids (a copy
of each cell's format with a red or yellow fill) and a comments part with its VML drawing; the
校验结果 sheet is added first; calcChain.xml goes (the application rebuilds it).

Only for what this writer understands — the tool's own template and files re-saved by Excel, WPS
or LibreOffice: anything else (macros, external links, existing comments, a previous 校验结果
sheet, namespace prefixes, cells missing from the sheet XML) raises ``NotSimple`` and
``check.annotate`` takes the openpyxl path. Parts are read with the bounded reader of ``read/``
(limits checked before decompressing, defusedxml for every part parsed)."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from workflow.check.xlsx_links import (
    content_types_without_links,
    is_link_part,
    rels_without_links,
    without_linked_formulas,
    workbook_without_links,
)
from workflow.check.xlsx_result import REL, result_sheet_xml, split_ref, text
from workflow.check.xlsx_styles import NotSimple, StyleBook
from workflow.domain.check_result import CheckResult
from workflow.domain.findings import SEVERITY_NAMES, Finding, Severity
from workflow.read.book import column_number
from workflow.read.limits import Limits
from workflow.read.ooxml import _local, _read_small, _rels, check_zip
from workflow.rules import rule_label

RESULT_SHEET = "校验结果"
COMMENT_AUTHOR = "报表校验程序"
FILL_RGB = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFD966"}
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument."
_CELL = re.compile(r"([A-Z]{1,3})(\d{1,7})")


def _cell_parts(coord: str) -> tuple[int, int]:
    match = _CELL.fullmatch(coord.upper())
    if match is None:
        raise NotSimple(f"cell {coord}")
    return int(match.group(2)), column_number(match.group(1))


def _marks(
    findings: Iterable[Finding], sheets: dict[str, str]
) -> dict[str, dict[str, list[Finding]]]:
    out: dict[str, dict[str, list[Finding]]] = {}
    for f in findings:
        for ref in f.cells:
            sheet, coord = split_ref(ref)
            if sheet in sheets and coord:
                _cell_parts(coord)
                out.setdefault(sheet, {}).setdefault(coord.upper(), []).append(f)
    return out


def _merged_anchor(data: bytes, coord: str) -> str:
    """The top-left cell of the merged range holding ``coord`` (or ``coord``)."""
    row, col = _cell_parts(coord)
    for ref in re.findall(rb'<mergeCell\s+ref="([A-Z]+\d+):([A-Z]+\d+)"', data):
        (r0, c0), (r1, c1) = (_cell_parts(x.decode()) for x in ref)
        if r0 <= row <= r1 and c0 <= col <= c1:
            return ref[0].decode()
    return coord


def _restyle(data: bytes, coord: str, styles: StyleBook, rgb: str) -> bytes:
    """Give the cell a copy of its format with the fill; a cell not in the XML is added to its
    row (a row not in the XML makes the file NotSimple)."""
    tag = re.search(rb'<c\s[^>]*?\br="' + coord.encode() + rb'"[^>]*?>', data)
    if tag is None:
        return _insert_cell(data, coord, styles.with_fill(0, rgb))
    head = tag.group(0)
    style = re.search(rb'\ss="(\d+)"', head)
    new = styles.with_fill(int(style.group(1)) if style else 0, rgb)
    if style:
        head = head[: style.start(1)] + str(new).encode() + head[style.end(1) :]
    else:
        head = head[:2] + f' s="{new}"'.encode() + head[2:]
    return data[: tag.start()] + head + data[tag.end() :]


def _insert_cell(data: bytes, coord: str, style: int) -> bytes:
    row, col = _cell_parts(coord)
    match = re.search(rb'<row\s[^>]*?\br="' + str(row).encode() + rb'"[^>]*?(/?)>', data)
    if match is None or match.group(1):
        raise NotSimple(f"row {row} not written")
    end = data.index(b"</row>", match.end())
    at = end
    for cell in re.finditer(rb'<c\s[^>]*?\br="([A-Z]+)\d+"', data[match.end() : end]):
        if column_number(cell.group(1).decode()) > col:
            at = match.end() + cell.start()
            break
    return data[:at] + f'<c r="{coord}" s="{style}"/>'.encode() + data[at:]


_AFTER_LEGACY = (b"<legacyDrawingHF", b"<picture", b"<oleObjects", b"<controls",
                 b"<webPublishItems", b"<tableParts", b"<extLst", b"</worksheet>")  # fmt: skip


def _add_legacy_drawing(data: bytes, rid: str) -> bytes:
    at = min(i for i in (data.rfind(t) for t in _AFTER_LEGACY) if i >= 0)
    tag = f'<legacyDrawing xmlns:r="{REL}" r:id="{rid}"/>'.encode()
    return data[:at] + tag + data[at:]


def _comments(coords: dict[str, list[Finding]]) -> bytes:
    items = []
    for coord, found in coords.items():
        body = "\n".join(
            f"【{SEVERITY_NAMES[f.severity]} {rule_label(f.rule)}】{f.message}" for f in found
        )
        items.append(f'<comment ref="{coord}" authorId="0"><text><t xml:space="preserve">'
                     f"{text(body)}</t></text></comment>")  # fmt: skip
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<authors><author>{escape(COMMENT_AUTHOR)}</author></authors>"
        f"<commentList>{''.join(items)}</commentList></comments>"
    ).encode()


def _vml(coords: dict[str, list[Finding]], number: int) -> bytes:
    shapes = []
    for k, (coord, found) in enumerate(coords.items()):
        row, col = _cell_parts(coord)
        body = "\n".join(f.message for f in found)
        height = min(400, 40 + 18 * (len(body) // 22 + body.count("\n")))
        shapes.append(
            f'<v:shape id="_x0000_s{number * 1024 + k + 1}" type="#_x0000_t202" style="position:'
            f"absolute;margin-left:59.25pt;margin-top:1.5pt;width:270pt;height:{height * 3 // 4}pt;"
            f'z-index:{k + 1};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note">'
            "<x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>"
            f"<x:Row>{row - 1}</x:Row><x:Column>{col - 1}</x:Column></x:ClientData></v:shape>"
        )
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:'
        'office" xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
        f'<o:idmap v:ext="edit" data="{number}"/></o:shapelayout><v:shapetype id="_x0000_t202" '
        'coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke '
        'joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        + "".join(shapes)
        + "</xml>"
    ).encode()


def _free(names: set[str], pattern: str) -> tuple[int, str]:
    n = 1
    while pattern.format(n) in names:
        n += 1
    names.add(pattern.format(n))
    return n, pattern.format(n)


def _rels_path(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _add_rel(data: bytes | None, rid: str, kind: str, target: str) -> bytes:
    rel = f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target={quoteattr(target)}/>'.encode()
    if data is None:
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<Relationships xmlns="{PKG_REL}">').encode() + rel + b"</Relationships>"  # fmt: skip
    at = data.rfind(b"</Relationships>")
    if at < 0:
        raise NotSimple("rels not understood")
    return data[:at] + rel + data[at:]


def _check(zf: zipfile.ZipFile, part: str) -> bytes:
    """A part's bytes, after a defusedxml parse (no DTD/entities) and the default-namespace test."""
    elements = _read_small(zf, part)
    if not elements:
        raise NotSimple(f"{part} empty")
    data = zf.read(part)
    if re.search(rb"<[A-Za-z]\w*:(worksheet|workbook|styleSheet|c|row|sheet)\b", data[:4096]):
        raise NotSimple(f"{part} uses namespace prefixes")
    return data


def annotated_bytes(result: CheckResult, source: Path, now: datetime) -> bytes:
    """The annotated copy of ``source``, or NotSimple (or any error of a damaged file)."""
    if source.suffix.lower() != ".xlsx":
        raise NotSimple("not .xlsx")
    with zipfile.ZipFile(source) as zf:
        return build(zf, result, source, now)


def build(zf: zipfile.ZipFile, result: CheckResult, source: Path, now: datetime) -> bytes:
    check_zip(zf, Limits())
    names = set(zf.NameToInfo)
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise NotSimple("macros")
    links = any(f.rule == "external-links" for f in result.findings)
    if not links and any(is_link_part(n) for n in names):
        raise NotSimple("link parts without a finding")
    book = next((t for k, (typ, t) in _rels(zf, "").items() if typ == "officeDocument"), "")
    if book != "xl/workbook.xml" or "[Content_Types].xml" not in names:
        raise NotSimple("unusual package")
    rels = _rels(zf, book)
    sheets: dict[str, str] = {}
    for elem in _read_small(zf, book):
        if _local(elem.tag) == "sheet":
            rid = next((v for k, v in elem.attrib.items() if _local(k) == "id"), "")
            typ, path = rels.get(rid, ("", ""))
            if typ != "worksheet" or path not in names:
                raise NotSimple("a sheet that is not a worksheet")
            sheets[elem.get("name", "")] = path
    if RESULT_SHEET in sheets or not sheets:
        raise NotSimple("already annotated")
    styles_part = next((t for typ, t in rels.values() if typ == "styles"), "")
    if styles_part not in names:
        raise NotSimple("no styles part")
    styles = StyleBook(_check(zf, styles_part))
    out: dict[str, bytes] = {}
    for sheet, coords in _marks(result.findings, sheets).items():
        part = sheets[sheet]
        data = _check(zf, part)
        if b"<legacyDrawing" in data or any(
            typ in ("comments", "vmlDrawing") for typ, _ in _rels(zf, part).values()
        ):
            raise NotSimple("the sheet already has comments")
        anchored: dict[str, list[Finding]] = {}
        for coord, found in coords.items():
            anchored.setdefault(_merged_anchor(data, coord), []).extend(found)
        for coord, found in anchored.items():
            worst = Severity.ERROR if any(f.is_error for f in found) else Severity.WARNING
            data = _restyle(data, coord, styles, FILL_RGB[worst])
        number, comments = _free(names, "xl/comments{}.xml")
        _, vml = _free(names, "xl/drawings/vmlDrawing{}.vml")
        out[comments], out[vml] = _comments(anchored), _vml(anchored, number)
        rels_name = _rels_path(part)
        sheet_rels = zf.read(rels_name) if rels_name in zf.NameToInfo else None
        folder = posixpath.dirname(part)
        sheet_rels = _add_rel(
            sheet_rels, "rIdWfC1", "comments", posixpath.relpath(comments, folder)
        )
        out[rels_name] = _add_rel(
            sheet_rels, "rIdWfV1", "vmlDrawing", posixpath.relpath(vml, folder)
        )
        out[part] = _add_legacy_drawing(data, "rIdWfV1")
    for part in sheets.values():  # only the new first sheet is selected; no linked formulas
        data = out.get(part) or zf.read(part)
        new = re.sub(rb'\stabSelected="(1|true)"', b"", data)
        new = without_linked_formulas(new) if links else new
        if new != data:
            out[part] = new
    _, new_sheet = _free(names, "xl/worksheets/sheet{}.xml")
    out[new_sheet] = result_sheet_xml(styles, result, source, now)
    out[styles_part] = bytes(styles)
    book_xml, book_rels = _check(zf, book), _drop_calc_chain(zf.read(_rels_path(book)))
    types = zf.read("[Content_Types].xml")
    if links:
        book_xml, book_rels = workbook_without_links(book_xml), rels_without_links(book_rels)
        types = content_types_without_links(types)
    out[book] = _workbook(book_xml, "rIdWfS1")
    out[_rels_path(book)] = _add_rel(
        book_rels, "rIdWfS1", "worksheet", posixpath.relpath(new_sheet, "xl")
    )
    comment_parts = [p for p in out if p.startswith("xl/comments")]
    out["[Content_Types].xml"] = _content_types(types, comment_parts, new_sheet)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zf.infolist():
            if info.filename.endswith("calcChain.xml") or (links and is_link_part(info.filename)):
                continue
            z.writestr(info, out.pop(info.filename, b"") or zf.read(info), zipfile.ZIP_DEFLATED)
        for name, data in out.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _drop_calc_chain(data: bytes) -> bytes:
    return re.sub(rb"<Relationship\s[^>]*?calcChain[^>]*?/>", b"", data)


def _workbook(data: bytes, rid: str) -> bytes:
    ids = [int(i) for i in re.findall(rb'<sheet\s[^>]*?\bsheetId="(\d+)"', data)]
    first = re.search(rb"<sheet\s", data)
    if first is None or re.search(rb"<sheets\b[^>]*/>", data):
        raise NotSimple("no sheets in workbook.xml")
    prefix = re.search(rb'xmlns:(\w+)="' + REL.encode() + rb'"', data)
    if prefix is None:
        raise NotSimple("no relationships prefix")
    p = prefix.group(1).decode()
    entry = f'<sheet name="{RESULT_SHEET}" sheetId="{max(ids, default=0) + 1}" {p}:id="{rid}"/>'
    data = data[: first.start()] + entry.encode() + data[first.start() :]
    data = re.sub(rb'\slocalSheetId="(\d+)"',
                  lambda m: b' localSheetId="' + str(int(m.group(1)) + 1).encode() + b'"', data)  # fmt: skip
    data = re.sub(rb'\s(activeTab|firstSheet)="\d+"', b"", data)
    titles = (f'<definedName name="_xlnm.Print_Titles" localSheetId="0">'
              f"'{RESULT_SHEET}'!$4:$4</definedName>").encode()  # fmt: skip
    if re.search(rb"<definedNames\s*>", data):
        data = re.sub(rb"<definedNames\s*>", lambda m: m.group(0) + titles, data, count=1)
    elif b"<definedNames" in data:
        raise NotSimple("definedNames not understood")
    else:
        at = data.index(b"</sheets>") + len(b"</sheets>")
        rest = data[at:]
        skip = re.match(rb"\s*(<functionGroups\b.*?(/>|</functionGroups>))?\s*"
                        rb"(<externalReferences\b.*?</externalReferences>)?", rest, re.S)  # fmt: skip
        at += skip.end() if skip else 0
        data = data[:at] + b"<definedNames>" + titles + b"</definedNames>" + data[at:]
    return data


def _content_types(data: bytes, comments: list[str], sheet: str) -> bytes:
    data = re.sub(rb'<Override\s[^>]*?PartName="/xl/calcChain.xml"[^>]*?/>', b"", data)
    add = [f'<Override PartName="/{sheet}" ContentType="{CT}spreadsheetml.worksheet+xml"/>']
    add += [f'<Override PartName="/{c}" ContentType="{CT}spreadsheetml.comments+xml"/>'
            for c in comments]  # fmt: skip
    if not re.search(rb'<Default\s[^>]*?Extension="vml"', data):
        add.append(f'<Default Extension="vml" ContentType="{CT}vmlDrawing"/>')
    at = data.rfind(b"</Types>")
    if at < 0:
        raise NotSimple("[Content_Types].xml not understood")
    return data[:at] + "".join(add).encode() + data[at:]
