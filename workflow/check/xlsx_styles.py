"""Appending styles to an .xlsx's xl/styles.xml as text: fonts, fills, borders and cell formats
(cellXfs) are added at the end of their lists, so every existing style id keeps its meaning."""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr


class NotSimple(Exception):
    """The file is not one the direct XML writer handles; the openpyxl path annotates it."""


_SECTIONS = {"font": "fonts", "fill": "fills", "border": "borders", "xf": "cellXfs"}
_XF = re.compile(rb"<xf\b[^>]*?/>|<xf\b[^>]*?[^/]>.*?</xf>", re.S)


def _section(data: bytes, name: str) -> re.Match[bytes]:
    match = re.search(rb"<" + name.encode() + rb"\b[^>]*?[^/]>(.*?)</" + name.encode() + rb">",
                      data, re.S)  # fmt: skip
    if match is None:
        raise NotSimple(f"styles.xml without <{name}>")
    return match


class StyleBook:
    """The styles part with new entries queued; ``bytes()`` writes them in and fixes the counts."""

    def __init__(self, data: bytes) -> None:
        if b"<!" in data.replace(b"<![CDATA[", b""):
            raise NotSimple("a DTD or comment in styles.xml")
        self.data = data
        self.counts: dict[str, int] = {}
        self.added: dict[str, list[bytes]] = {k: [] for k in _SECTIONS}
        for child, section in _SECTIONS.items():
            body = _section(data, section).group(1)
            self.counts[child] = len(re.findall(rb"<" + child.encode() + rb"[\s/>]", body))
        self.xfs = _XF.findall(_section(data, "cellXfs").group(1))
        if len(self.xfs) != self.counts["xf"]:
            raise NotSimple("cellXfs not understood")
        self._cache: dict[tuple[str, bytes], int] = {}

    def add(self, child: str, xml: bytes) -> int:
        """The id of a new font/fill/border/xf (the same xml twice gives the same id)."""
        key = (child, xml)
        if key not in self._cache:
            self._cache[key] = self.counts[child] + len(self.added[child])
            self.added[child].append(xml)
        return self._cache[key]

    def with_fill(self, style: int, rgb: str) -> int:
        """A copy of cell format ``style`` with a solid fill of ``rgb``."""
        if not 0 <= style < len(self.xfs):
            raise NotSimple(f"style id {style} out of range")
        fill = self.add("fill", solid_fill(rgb))
        xf = self.xfs[style]
        head, rest = re.match(rb"(<xf\b[^>]*?)(/?>.*)", xf, re.S).groups()  # type: ignore[union-attr]
        for attr, value in ((b"fillId", str(fill).encode()), (b"applyFill", b"1")):
            pattern = rb"\s" + attr + rb'="[^"]*"'
            if re.search(pattern, head):
                head = re.sub(pattern, b" " + attr + b'="' + value + b'"', head)
            else:
                head += b" " + attr + b'="' + value + b'"'
        return self.add("xf", head + rest)

    def __bytes__(self) -> bytes:
        data = self.data
        for child, section in _SECTIONS.items():
            if not self.added[child]:
                continue
            match = _section(data, section)
            start_tag_end = match.start(1)
            head = data[match.start() : start_tag_end]
            total = str(self.counts[child] + len(self.added[child])).encode()
            if re.search(rb'\scount="\d*"', head):
                head = re.sub(rb'\scount="\d*"', b' count="' + total + b'"', head)
            body = match.group(1) + b"".join(self.added[child])
            data = data[: match.start()] + head + body + data[match.end(1) :]
        return data


def solid_fill(rgb: str) -> bytes:
    return (f'<fill><patternFill patternType="solid"><fgColor rgb="00{rgb}"/>'
            f'<bgColor indexed="64"/></patternFill></fill>').encode()  # fmt: skip


def font(*, bold: bool = False, size: int = 0, color: str = "", underline: bool = False) -> bytes:
    parts = ["<font>"]
    if bold:
        parts.append("<b/>")
    if underline:
        parts.append("<u/>")
    if size:
        parts.append(f'<sz val="{size}"/>')
    if color:
        parts.append(f'<color rgb="00{color}"/>')
    parts.append("</font>")
    return "".join(parts).encode()


def thin_border(rgb: str) -> bytes:
    sides = "".join(
        f'<{s} style="thin"><color rgb="00{rgb}"/></{s}>'
        for s in ("left", "right", "top", "bottom")
    )
    return f"<border>{sides}<diagonal/></border>".encode()


def cell_format(
    *, font_id: int = 0, fill_id: int = 0, border_id: int = 0, **alignment: str | bool
) -> bytes:
    align = "".join(
        f" {'wrapText' if k == 'wrap' else k}={quoteattr('1' if v is True else str(v))}"
        for k, v in alignment.items()
        if v
    )
    return (
        f'<xf numFmtId="0" fontId="{font_id}" fillId="{fill_id}" borderId="{border_id}" xfId="0"'
        f' applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
        f"<alignment{align}/></xf>"
    ).encode()
