"""Edit a real .xlsx the way Excel itself would have written it: cells, sheets and names changed in
the zip's XML parts (no openpyxl round trip, which would normalise what we mean to test)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["escape"]

Edit = Callable[[str, bytes], bytes | None]


def rezip(src: Path, dst: Path, edit: Edit, extra: Mapping[str, bytes] | None = None) -> Path:
    """Copy ``src`` to ``dst`` member by member through ``edit`` (None drops a member)."""
    tmp = dst.with_name(dst.name + ".part")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    tmp.replace(dst)
    return dst


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → its part inside the zip (``xl/worksheets/sheet4.xml``)."""
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'<Relationship Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets |= {
        i: t for t, i in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
    }
    out = {}
    for name, rid in re.findall(r'<sheet name="([^"]+)"[^>]*?r:id="([^"]+)"', book):
        out[name.replace("&amp;", "&")] = "xl/" + targets[rid].lstrip("/").removeprefix("xl/")
    return out


def _cell_pattern(ref: str) -> re.Pattern[bytes]:
    return re.compile(rb'<c r="' + ref.encode() + rb'"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)


def set_cell(src: Path, dst: Path, sheet: str, ref: str, xml_inside: str, t: str = "") -> Path:
    """Replace cell ``ref`` of ``sheet`` by ``<c r=ref [t=..] s=..>xml_inside</c>`` (keeps its style)."""
    part = sheet_parts(src)[sheet]

    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        pattern = _cell_pattern(ref)
        match = pattern.search(data)
        assert match, f"{sheet}!{ref} not in {part}"
        style = re.search(rb' s="(\d+)"', match.group(0))
        kind = f' t="{t}"' if t else ""
        s = f' s="{style.group(1).decode()}"' if style else ""
        cell = f'<c r="{ref}"{s}{kind}>{xml_inside}</c>'.encode()
        return data[: match.start()] + cell + data[match.end() :]

    return rezip(src, dst, edit)


def set_text(src: Path, dst: Path, sheet: str, ref: str, text: str) -> Path:
    """An inline string typed into a cell (``text`` may hold Excel ``_xHHHH_`` escapes)."""
    return set_cell(src, dst, sheet, ref, f"<is><t>{escape(text)}</t></is>", "inlineStr")


def set_number(src: Path, dst: Path, sheet: str, ref: str, number: str) -> Path:
    return set_cell(src, dst, sheet, ref, f"<v>{number}</v>")


def set_formula(src: Path, dst: Path, sheet: str, ref: str, formula: str, cached: str) -> Path:
    """A formula with its cached value, as Excel stores it."""
    return set_cell(src, dst, sheet, ref, f"<f>{escape(formula)}</f><v>{cached}</v>")


def edit_workbook_xml(src: Path, dst: Path, change: Callable[[str], str]) -> Path:
    def edit(name: str, data: bytes) -> bytes:
        return change(data.decode()).encode() if name == "xl/workbook.xml" else data

    return rezip(src, dst, edit)


def soffice_resave(src: Path, out_dir: Path) -> Path | None:
    """``src`` opened and saved again as .xlsx by LibreOffice (None when soffice is missing)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / ".lo-profile"
    subprocess.run(
        [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out_dir), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return out_dir / (src.stem + ".xlsx")


def add_sheet_copy(
    src: Path,
    dst: Path,
    sheet: str,
    copy_name: str,
    *,
    before: bool = True,
    state: str = "",
    cells: Mapping[str, str] | None = None,
    local_names: bool = True,
) -> Path:
    """What Excel's 移动或复制 → 建立副本 writes: a new sheet part with the same cells (``cells``
    then change some: ref → number), its <sheet> entry before (or after) the original, its
    relationship and content type, and sheet-scoped copies of the names that pointed at the
    original (``localSheetId`` = the copy's position)."""
    parts = sheet_parts(src)
    with zipfile.ZipFile(src) as zf:
        data = zf.read(parts[sheet])
    for ref, number in (cells or {}).items():
        pattern = _cell_pattern(ref)
        match = pattern.search(data)
        assert match, ref
        style = re.search(rb' s="(\d+)"', match.group(0))
        s = f' s="{style.group(1).decode()}"' if style else ""
        data = (
            data[: match.start()]
            + f'<c r="{ref}"{s}><v>{number}</v></c>'.encode()
            + data[match.end() :]
        )
    new_part = f"xl/worksheets/sheet{len(parts) + 1}.xml"
    rid = "rIdCopy1"
    state_attr = f' state="{state}"' if state else ""

    def edit(name: str, blob: bytes) -> bytes:
        text = blob.decode()
        if name == "xl/workbook.xml":
            entries = re.findall(r"<sheet [^>]*/>", text)
            names = [re.search(r'name="([^"]+)"', e).group(1) for e in entries]  # type: ignore[union-attr]
            at = names.index(escape(sheet)) + (0 if before else 1)
            entry = f'<sheet name="{escape(copy_name)}" sheetId="99"{state_attr} r:id="{rid}"/>'
            entries.insert(at, entry)
            text = re.sub(
                r"<sheets>.*</sheets>",
                "<sheets>" + "".join(entries) + "</sheets>",
                text,
                flags=re.S,
            )

            # Excel renumbers sheet-scoped names after the insertion point
            def renumber(m: re.Match[str]) -> str:
                n = int(m.group(1))
                return f'localSheetId="{n + 1 if n >= at else n}"'

            text = re.sub(r'localSheetId="(\d+)"', renumber, text)
            if local_names:
                quoted = "'" + sheet.replace("'", "''") + "'!"
                copied = "'" + copy_name.replace("'", "''") + "'!"
                local = [
                    f'<definedName name="{n}" localSheetId="{at}">{body.replace(quoted, copied)}</definedName>'
                    for n, body in re.findall(
                        r'<definedName name="([^"]+)">([^<]*)</definedName>', text
                    )
                    if body.startswith(quoted)
                ]
                text = text.replace("<definedNames>", "<definedNames>" + "".join(local), 1)
            return text.encode()
        if name == "xl/_rels/workbook.xml.rels":
            rel = (
                f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                f'relationships/worksheet" Target="worksheets/{new_part.rsplit("/", 1)[1]}"/>'
            )
            return text.replace("</Relationships>", rel + "</Relationships>").encode()
        if name == "[Content_Types].xml":
            over = (
                f'<Override PartName="/{new_part}" ContentType="application/vnd.openxmlformats-'
                'officedocument.spreadsheetml.worksheet+xml"/>'
            )
            return text.replace("</Types>", over + "</Types>").encode()
        return blob

    return rezip(src, dst, edit, extra={new_part: data})


def repoint_names(src: Path, dst: Path, names: list[str], to_sheet: str) -> Path:
    """Workbook-scoped names moved to the same cells of another sheet."""
    quoted = "'" + to_sheet.replace("'", "''") + "'!"

    def change(text: str) -> str:
        for name in names:
            text = re.sub(
                rf'(<definedName name="{re.escape(name)}">)(?:\'(?:[^\']|\'\')+\'|[^!<]+)!',
                lambda m: m.group(1) + quoted,
                text,
            )
        return text

    return edit_workbook_xml(src, dst, change)


def add_external_link(src: Path, dst: Path, target: str = "file:///C:/报表/去年汇总.xlsx") -> Path:
    """An external workbook reference, as Excel stores one (a link part with its own rels)."""
    link = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
        '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>7</v></cell></row>'
        "</sheetData></sheetDataSet></externalBook></externalLink>"
    )
    link_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/externalLinkPath" Target="{escape(target)}" TargetMode="External"/>'
        "</Relationships>"
    )

    def edit(name: str, blob: bytes) -> bytes:
        text = blob.decode()
        if name == "xl/workbook.xml":
            ref = '<externalReferences><externalReference r:id="rIdExt1"/></externalReferences>'
            return text.replace("</sheets>", "</sheets>" + ref, 1).encode()
        if name == "xl/_rels/workbook.xml.rels":
            rel = (
                '<Relationship Id="rIdExt1" Type="http://schemas.openxmlformats.org/officeDocument/'
                '2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/>'
            )
            return text.replace("</Relationships>", rel + "</Relationships>").encode()
        if name == "[Content_Types].xml":
            over = (
                '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
            )
            return text.replace("</Types>", over + "</Types>").encode()
        return blob

    return rezip(
        src, dst, edit,
        extra={
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode(),
        },
    )  # fmt: skip
