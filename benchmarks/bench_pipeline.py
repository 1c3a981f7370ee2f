"""Benchmark of a pass (not a test): ``python benchmarks/bench_pipeline.py [--n 100 1000] [--pdf]``.

For each N: a workspace with N roster units and N generated, valid submissions; then

* the openpyxl baseline: ``openpyxl.load_workbook`` of the same N files, in this process;
* a first ``workflow --once`` (a child process; every output the pass writes: receipts, unit
  reports, rollup, district report, summary.json, dashboard; PDFs only with ``--pdf``), as
  files/second, with the child's peak memory (``ru_maxrss`` from ``os.wait4``);
* a second ``workflow --once`` with nothing new (wall time).

Targets (issue 4): first pass at least as fast per file as the openpyxl-only load; no-change pass
under 1 s for 1,000 archived submissions; peak memory under 300 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workflow.cli.demo import workspace_config, write_submission  # noqa: E402
from workflow.formats.spec import load_format  # noqa: E402

NOW = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))
YEAR = 2025


def make_workspace(root: Path, n: int, pdf: bool) -> list[Path]:
    names = [f"长乐区测试单位{i:04d}" for i in range(1, n + 1)]
    units = [(name, "", "部门", "", "") for name in names]
    for sub in ("inbox", "outbox", "archive"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    text = workspace_config("长乐区", YEAR, units, settle_seconds=0, pdf=pdf)
    (root / "workflow.toml").write_text(text, "utf-8")
    spec = load_format("gov2021")
    files = []
    for name in names:
        path = root / "inbox" / f"{name}.xlsx"
        write_submission(path, spec, name, YEAR, now=NOW, roster=())
        files.append(path)
    return files


def openpyxl_load(files: list[Path]) -> float:
    import openpyxl

    start = time.perf_counter()
    for path in files:
        openpyxl.load_workbook(path).close()
    return time.perf_counter() - start


def once(root: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB of the child (and its pool workers), and its stdout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "workflow", "--once", "--config", str(root / "workflow.toml")]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout else b""
    if not hasattr(os, "wait4"):  # Windows: no rusage of a child
        code, rss_kb = proc.wait(), float("nan")
    else:
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        rss_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    wall = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"workflow --once failed: {out.decode()}")
    return wall, rss_kb / 1024, out.decode().strip()


def bench(n: int, pdf: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_pipeline_") as tmp:
        root = Path(tmp) / "ws"
        start = time.perf_counter()
        files = make_workspace(root, n, pdf)
        made = time.perf_counter() - start
        load = openpyxl_load(files)
        first, rss, out = once(root)
        second, rss2, out2 = once(root)
        accepted = out.count("通过")
        print(f"\nN = {n}  (generated in {made:.1f} s; cores: {os.cpu_count()}; pdf: {pdf})")
        print(f"  openpyxl.load_workbook only : {load:7.2f} s  = {n / load:6.1f} files/s")
        print(f"  first --once (all outputs)  : {first:7.2f} s  = {n / first:6.1f} files/s"
              f"  ({load / first:.2f}x the openpyxl-only rate)")  # fmt: skip
        print(f"  second --once, nothing new  : {second:7.2f} s")
        print(f"  peak memory (ru_maxrss)     : {rss:7.1f} MB first, {rss2:.1f} MB second")
        print("  " + out.splitlines()[0] if accepted else out)
        print("  " + out2.splitlines()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100, 1000], help="submissions per run")
    parser.add_argument(
        "--pdf", action="store_true", help="also convert reports to PDF (LibreOffice)"
    )
    args = parser.parse_args()
    for n in args.n:
        bench(n, args.pdf)


if __name__ == "__main__":
    main()
