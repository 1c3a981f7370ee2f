"""Property: no file can stop the district (issue 10). Real workbooks — filled templates and one
saved by LibreOffice — are mutated at random (bytes, zip members, XML cells, sheets, names, file
names) and a whole pass (``workflow --once``) runs over them. Whatever the files are:

* the pass exits 0 and no traceback reaches stdout or stderr;
* every input file ends accepted, rejected (with a receipt), a duplicate (with a receipt), or
  is listed as waiting and still in the inbox;
* the district totals equal the sum of the accepted units' values.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import tempfile
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
import xml_edits
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_firewall import ledger_rows, run_cli
from test_pipeline import EDU, HEALTH, STREET, drop, make_workspace

UNITS = (EDU, HEALTH, STREET)
NASTY_TEXT = ["_xD800_", "_xD83D__xDE00_", "⑴⑵⑶⑷", "1.7E+308", "=1+2", "\u202e", "两件",
              "-5", "99999999999", "1e400", "#REF!", "长" * 300, "", " ", "/"]  # fmt: skip
NASTY_NUMBERS = ["1.7E+308", "-1", "0.1234567", "1E-30", "NaN", "INF", "12", "3.5", "10000001"]
NAMES = st.sampled_from(
    ["报表.xlsx", "~报表.xlsx", "长" * 80 + ".xlsx", "年报 (1).xlsx", "a.xls", "年报", "年报.XLSX"]
)


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> tuple[Path, ...]:
    """Filled templates of the three units, and the first one saved again by LibreOffice."""
    folder = tmp_path_factory.mktemp("bases")
    ws = make_workspace(folder / "ws")
    for i, unit in enumerate(UNITS):
        drop(ws, f"{i}.xlsx", unit)
    out = [ws.inbox_dir / f"{i}.xlsx" for i in range(len(UNITS))]
    saved = xml_edits.soffice_resave(out[0], folder / "lo")
    return (*out, *([saved] if saved is not None else []))


def _xml_mutation(data: bytes, rnd: random.Random) -> bytes:
    """One change to one sheet's XML, as a hostile or careless editor would make it."""
    try:
        with zipfile.ZipFile(_io(data)) as zf:
            names = zf.namelist()
            members = {n: zf.read(n) for n in names}
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        return data  # damaged already: nothing to edit at the XML level
    if not names:
        return data
    sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
    kind = rnd.choice(["value", "text", "formula", "hide", "names", "drop", "garble"])
    if kind in ("value", "text", "formula") and sheets:
        part = rnd.choice(sheets)
        cells = re.findall(rb'<c r="([A-Z]+\d+)"', members[part])
        if cells:
            ref = rnd.choice(cells).decode()
            if kind == "value":
                inner = f"<v>{rnd.choice(NASTY_NUMBERS)}</v>"
                t = ""
            elif kind == "text":
                inner = f"<is><t>{xml_edits.escape(rnd.choice(NASTY_TEXT))}</t></is>"
                t = ' t="inlineStr"'
            else:
                inner = f"<f>{xml_edits.escape(rnd.choice(['A1+B2', 'SUM(D6:D9)', 'VLOOKUP(1,A:B,2)', '1/0', '[1]S!A1']))}</f><v>3</v>"
                t = ""
            pattern = re.compile(rb'<c r="' + ref.encode() + rb'"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
            members[part] = pattern.sub(
                f'<c r="{ref}"{t}>{inner}</c>'.encode(), members[part], count=1
            )
    elif kind == "hide" and "xl/workbook.xml" in members:
        members["xl/workbook.xml"] = re.sub(
            rb'(<sheet name="[^"]*")',
            rb'\1 state="veryHidden"',
            members["xl/workbook.xml"],
            count=rnd.randint(1, 3),
        )
    elif kind == "names" and "xl/workbook.xml" in members:
        members["xl/workbook.xml"] = re.sub(
            rb"<definedName name=\"(\w+)\">'[^']+'!",
            rb"<definedName name=\"\1\">'_meta'!",
            members["xl/workbook.xml"],
        )
    elif kind == "drop" and names:
        del members[rnd.choice(names)]
    else:
        part = rnd.choice(names)
        blob = bytearray(members[part])
        for _ in range(rnd.randint(1, 5)):
            if blob:
                blob[rnd.randrange(len(blob))] = rnd.randrange(256)
        members[part] = bytes(blob)
    out = _io()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    return out.getvalue()


def _io(data: bytes = b""):
    import io

    return io.BytesIO(data)


def _mutate(data: bytes, how: str, seed: int) -> bytes:
    rnd = random.Random(seed)
    if how == "xml":
        return _xml_mutation(data, rnd)
    if how == "bytes":
        blob = bytearray(data)
        for _ in range(rnd.randint(1, 8)):
            blob[rnd.randrange(len(blob))] = rnd.randrange(256)
        return bytes(blob)
    if how == "truncate":
        return data[: rnd.randrange(len(data))]
    return data  # "none": the real file as it is


FILES = st.lists(
    st.tuples(
        st.integers(0, 3),  # which base (3 = the LibreOffice copy, when there is one)
        st.lists(
            st.sampled_from(["xml", "xml", "bytes", "truncate", "none"]), min_size=1, max_size=3
        ),
        st.integers(0, 2**32 - 1),
        NAMES,
        st.booleans(),  # in a unit sub-folder
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=FILES)
def test_any_mutated_workbooks_go_through_a_whole_pass(bases, capfd, files):
    root = Path(tempfile.mkdtemp(prefix="firewall-prop-"))
    try:
        ws = make_workspace(root / "ws")
        dropped = []
        for n, (base, hows, seed, name, in_folder) in enumerate(files):
            data = bases[base % len(bases)].read_bytes()
            for i, how in enumerate(hows):
                data = _mutate(data, how, seed + i)
            folder = ws.inbox_dir / ("区教育局" if in_folder else "")
            folder.mkdir(exist_ok=True)
            stem, dot, ext = name.rpartition(".")
            unique = f"{stem}{n}{dot}{ext}" if dot else f"{name}{n}"
            (folder / unique).write_bytes(data)
            dropped.append((folder / unique).relative_to(ws.inbox_dir).as_posix())
        code, out, err = run_cli(ws, capfd)
        assert code == 0, err
        assert "Traceback" not in out + err, out + err
        rows = {r.inbox_path: r for r in ledger_rows(ws)}
        left = {
            p.relative_to(ws.inbox_dir).as_posix() for p in ws.inbox_dir.rglob("*") if p.is_file()
        }
        for rel in dropped:
            if rel in rows:
                row = rows[rel]
                assert row.status in ("accepted", "rejected", "duplicate", "superseded"), row
                files_ = json.loads(row.feedback or "{}").get("files", {})
                assert files_.get("receipt"), row
                assert rel not in left
            else:
                assert rel in left, (rel, out)  # waiting: still in the inbox, counted in the output
                assert "等待" in out or "正在复制" in out, out
        summary = json.loads((ws.year_outbox / "summary.json").read_text("utf-8"))
        accepted = [u for u in summary["units"] if u["status"] == "accepted"]
        for fid, total in summary["totals"].items():
            parts = [Decimal(repr(u["values"].get(fid, 0))) for u in accepted]
            assert Decimal(repr(total)).quantize(Decimal("1E-6")) == sum(
                parts, Decimal(0)
            ).quantize(Decimal("1E-6")), fid
    finally:
        shutil.rmtree(root, ignore_errors=True)
