"""Untrusted input: bombs and huge sheets are refused quickly in bounded memory; nothing makes the
reader raise."""

import json
import os
import subprocess
import sys
from pathlib import Path

import corpus
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.formats.spec import load_format
from workflow.read.limits import Limits
from workflow.read.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import json, resource, sys, time
from pathlib import Path
from workflow.read.workbook import read_workbook
started = time.perf_counter()
sub = read_workbook(Path(sys.argv[1]))
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "findings": [[f.rule, str(f.severity), f.message] for f in sub.findings],
}))
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def good(folder):
    return corpus.template(folder / "good.xlsx", values=corpus.sample_values())


def _probe(path: Path) -> dict:
    """Read ``path`` in a fresh interpreter; its time, peak memory (RSS) and findings."""
    pytest.importorskip("resource", reason="resource.getrusage is POSIX-only")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda folder, good: corpus.zip_bomb(folder / "bomb.xlsx", members=4, mb=64), "压缩炸弹"),
        (
            lambda folder, good: corpus.big_sheet(good, folder / "big.xlsx", rows=1_000_000),
            "单元格数量",
        ),
    ],
    ids=["zip-bomb-256MB", "sheet-1M-rows"],
)
def test_bombs_are_refused_in_bounded_memory(folder, good, make, what):
    path = make(folder, good)
    result = _probe(path)
    [[rule, severity, message]] = result["findings"]
    assert (rule, severity) == ("file-too-large", "error")
    assert what in message
    assert result["peak_mb"] < 500, result


def test_declared_total_size_is_checked_before_decompressing(folder):
    bomb = corpus.zip_bomb(folder / "total.xlsx", members=3, mb=8)
    sub = read_workbook(
        bomb, limits=Limits(max_uncompressed_bytes=16 << 20, max_member_ratio=10**6)
    )
    assert [f.rule for f in sub.findings] == ["file-too-large"]
    assert "解压后总大小超过 16 MB" in sub.findings[0].message


def test_time_budget_stops_a_slow_read(folder, good):
    big = corpus.big_sheet(good, folder / "slow.xlsx", rows=200_000)
    sub = read_workbook(big, limits=Limits(max_cells=10**7, max_seconds=0.2))
    assert [f.rule for f in sub.findings] == ["file-too-large"]
    assert "读取时间超过" in sub.findings[0].message


def test_too_many_zip_members(folder, good):
    path = corpus.rezip(good, folder / "members.xlsx", extra={f"x/{i}.bin": b"" for i in range(50)})
    sub = read_workbook(path, limits=Limits(max_members=40))
    assert [f.rule for f in sub.findings] == ["file-too-large"]


# -- nothing makes the reader raise ---------------------------------------------------------------

FILE_KINDS = st.sampled_from(
    [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"%PDF-1.4", b"<html>"]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(head=FILE_KINDS, body=st.binary(max_size=4096))
def test_random_bytes_never_raise(tmp_path, head, body):
    path = tmp_path / "random.xlsx"
    path.write_bytes(head + body)
    sub = read_workbook(path)
    assert sub.findings and all(f.is_error for f in sub.findings)
    assert sub.values == {}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_damaged_workbooks_never_raise(tmp_path, good, data):
    raw = bytearray(good.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(raw))
    sub = read_workbook(path)
    assert sub.format in ("gov2021", "gov2019")


CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000),
    st.text(max_size=12),
    st.sampled_from(
        ["/", "无", "—", "两件", "１２", "1,200", "减4", "+1", "不适用", "#REF!", "NaN"]
    ),
)
INPUTS = [f.id for f in load_format("gov2021").input_fields if f.numeric]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.dictionaries(st.sampled_from(INPUTS), CELL_VALUES, min_size=1, max_size=6))
def test_random_cell_values_give_a_number_or_an_r5_finding(tmp_path, cells):
    path = corpus.template(tmp_path / "random-cells.xlsx", values=cells)
    sub = read_workbook(path)
    # an R5 error leaves the cell out; an R5 提示 (a number stored as text) counts it as typed
    flagged = {f.fields[0] for f in sub.findings if f.rule == "R5" and f.is_error}
    assert [f for f in sub.findings if f.rule != "R5"] == []
    for fid in INPUTS:
        assert (fid in sub.values) != (fid in flagged), fid
        assert not isinstance(sub.values.get(fid), float)
