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
