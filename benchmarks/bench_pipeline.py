"""Benchmark of a pass (not a test): ``python benchmarks/bench_pipeline.py --n 1000 [--no-pdf]``.

For each N (run sizes in separate invocations on a small machine): a workspace with N roster units
and N submissions in a realistic mix — one file in three with a 提示 (contact phone left empty, or
a 成文日期 after the deadline), the rest clean; then

* the openpyxl baseline: ``openpyxl.load_workbook`` of the same N files, in this process;
* a first ``workflow --once`` (a child process) with every output the pass writes: receipts and
  annotated copies, unit reports (.docx and, unless ``--no-pdf``, PDF typeset by typst), rollup,
  district report, summary.json, dashboard — its wall time, time per file, and peak memory
  (``ru_maxrss`` of the child, from ``os.wait4``);
* a second ``workflow --once`` with nothing new (wall time);
* a third with one unit in a hundred sending a corrected file (wall time per corrected file: the
  steady state of late January, when a large district's pass must not cost in proportion to N).

Generation is fast: a few distinct filled templates are written once by the template writer, and
each file is one of them with the unit's name changed inside xl/sharedStrings.xml (same length).

Targets (issue 14): the first pass with every output, PDFs included, no slower than the
openpyxl-only load; time per file at N = 5,000 within 1.3× of N = 100.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workflow.cli.demo import workspace_config, write_submission  # noqa: E402
from workflow.formats.spec import load_format  # noqa: E402

NOW = datetime(2026, 2, 10, 9, 0, tzinfo=timezone(timedelta(hours=8)))
YEAR = 2025
VARIANTS = 24  # distinct filled templates; every third one has a 提示


def unit_name(i: int) -> str:
    return f"长乐区测试单位{i:04d}"  # the same length for every i < 10,000


def variants(folder: Path) -> list[dict[str, bytes]]:
    """The members of each distinct template, read once."""
    spec = load_format("gov2021")
    out = []
    for v in range(VARIANTS):
        texts: dict[str, str] = {"report_date": f"{YEAR + 1}-01-15"}
        if v % 3 == 1 and v % 2:
            texts["contact_phone"] = ""  # 提示 contact-missing
        elif v % 3 == 1:
            texts["report_date"] = f"{YEAR + 1}-02-05"  # 提示 R12: after the 1月31日 deadline
        path = folder / f"variant{v}.xlsx"
        write_submission(path, spec, unit_name(v), YEAR, now=NOW, roster=(), texts=texts)
        with zipfile.ZipFile(path) as z:
            out.append({info.filename: z.read(info) for info in z.infolist()})
    return out


def make_workspace(root: Path, n: int, pdf: bool) -> list[Path]:
    names = [unit_name(i) for i in range(1, n + 1)]
    units = [(name, "", "部门", "", "") for name in names]
    for sub in ("inbox", "outbox", "archive"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    text = workspace_config("长乐区", YEAR, units, settle_seconds=0, pdf=pdf)
    (root / "workflow.toml").write_text(text, "utf-8")
    made = variants(root.parent)
    return [
        submit(root / "inbox" / f"{name}.xlsx", made, i % VARIANTS, name)
        for i, name in enumerate(names, start=1)
    ]


def submit(path: Path, made: list[dict[str, bytes]], v: int, name: str) -> Path:
    """Template variant ``v`` filled in for unit ``name``, written to ``path``."""
    members = made[v]
    shared = members["xl/sharedStrings.xml"].replace(unit_name(v).encode(), name.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for member, data in members.items():
            z.writestr(member, shared if member == "xl/sharedStrings.xml" else data)
    return path


def corrections(root: Path, n: int) -> int:
    """One unit in a hundred (at least one) sends a corrected file: another variant's numbers."""
    made = variants(root.parent)
    count = max(1, n // 100)
    for i in range(1, count + 1):
        unit = (i * 97) % n + 1  # spread over the roster
        v = (unit + 3) % VARIANTS
        if v % 3 == 1:  # a correction without findings (a 提示 would not change the numbers)
            v = (v + 1) % VARIANTS
        submit(root / "inbox" / f"{unit_name(unit)}（更正）.xlsx", made, v, unit_name(unit))
    return count


def openpyxl_load(files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of loading ``files`` with openpyxl."""
    import openpyxl

    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        openpyxl.load_workbook(path).close()
    return time.perf_counter() - start, time.process_time() - cpu


def watch(path: Path, start: float, seen: list[float], stop: threading.Event) -> None:
    """Note when ``path`` first exists (seconds after ``start``): the dashboard's publication."""
    while not stop.is_set() and not seen:
        if path.exists():
            seen.append(time.perf_counter() - start)
        stop.wait(0.1)


def once(root: Path, published: list[float] | None = None) -> tuple[float, float, str, float]:
    """Wall seconds, peak RSS in MB of the child (and its pool workers), its stdout, and its CPU
    seconds (user + system, its pool workers included). ``published`` gets the seconds until the
    dashboard appeared in the outbox (receipts, reports and rollup go with it; new PDFs follow)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "workflow", "--once", "--config", str(root / "workflow.toml")]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stop = threading.Event()
    if published is not None:
        args = (root / "outbox" / "index.html", start, published, stop)
        threading.Thread(target=watch, args=args, daemon=True).start()
    out = proc.stdout.read() if proc.stdout else b""
    stop.set()
    if not hasattr(os, "wait4"):  # Windows: no rusage of a child
        code, rss_kb, cpu = proc.wait(), float("nan"), float("nan")
    else:
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        rss_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime
    wall = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"workflow --once failed: {out.decode()}")
    return wall, rss_kb / 1024, out.decode().strip(), cpu


def bench(n: int, pdf: bool, sample: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_pipeline_") as tmp:
        root = Path(tmp) / "ws"
        start = time.perf_counter()
        files = make_workspace(root, n, pdf)
        made = time.perf_counter() - start
        # the openpyxl baseline on every file (or, for a large N, on a sample scaled up)
        sampled = files if sample <= 0 or sample >= n else files[:: max(1, n // sample)]
        load, load_cpu = (t * n / len(sampled) for t in openpyxl_load(sampled))
        published: list[float] = []
        first, rss, out, cpu = once(root, published)
        second, _, out2, _ = once(root)
        fixed = corrections(root, n)
        third, _, out3, _ = once(root)
        pdfs = sum(1 for _ in (root / "outbox").rglob("*.pdf"))
        print(f"\nN = {n}  (generated in {made:.1f} s; cores: {os.cpu_count()}; PDFs: {pdfs})")
        scaled = "" if len(sampled) == n else f" (measured on {len(sampled)} files)"
        print(
            f"  openpyxl.load_workbook only : {load:8.2f} s = {1000 * load / n:6.1f} ms/file{scaled}"
        )
        print(f"  first --once, every output  : {first:8.2f} s = {1000 * first / n:6.1f} ms/file"
              f"  ({first / load:.2f}x the openpyxl-only load)")  # fmt: skip
        print(f"  CPU time (user + system)    : {load_cpu:8.2f} s openpyxl-only, {cpu:.2f} s first --once"
              f" ({cpu / load_cpu:.2f}x; {1000 * cpu / n:.1f} ms/file)")  # fmt: skip
        if published:
            print(f"  dashboard and receipts out  : {published[0]:8.2f} s into the first pass"
                  f" ({published[0] / first:.0%}; new PDFs follow)")  # fmt: skip
        print(f"  second --once, nothing new  : {second:8.2f} s")
        print(f"  third --once, {fixed:3d} corrected: {third:8.2f} s = {1000 * third / fixed:6.1f} ms"
              " per corrected file")  # fmt: skip
        print(f"  peak memory (ru_maxrss)     : {rss:8.1f} MB")
        for text in (out, out2, out3):
            print("  " + text.splitlines()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100], help="submissions per run")
    parser.add_argument("--no-pdf", action="store_true", help="no PDFs ([report] pdf = false)")
    parser.add_argument(
        "--sample", type=int, default=0, help="openpyxl baseline on this many files, scaled to N"
    )
    args = parser.parse_args()
    for n in args.n:
        bench(n, not args.no_pdf, args.sample)


if __name__ == "__main__":
    main()
