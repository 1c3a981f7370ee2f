"""Reading time per published report by type (txt, pdf, docx, html), beside the template reader;
and a folder of last year's reports ([previous] reports) read cold and from its cache.

python benchmarks/bench_read_reports.py [repeats]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from corpus import sample_values, template  # noqa: E402

from workflow.domain.records import UnitRecord  # noqa: E402
from workflow.domain.settings import Settings  # noqa: E402
from workflow.formats.spec import load_format  # noqa: E402
from workflow.read.report.reader import read_report  # noqa: E402
from workflow.read.workbook import read_workbook  # noqa: E402
from workflow.report.docx import write_unit_report  # noqa: E402
from workflow.rules.totals import compute_totals  # noqa: E402

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def timed(read, path: Path, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        read(path)
    return (time.perf_counter() - start) / repeats * 1000


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        xlsx = template(folder / "t.xlsx", values=sample_values())
        spec = load_format("gov2021")
        settings = Settings(workspace=folder, district="长乐区", year=2025)
        record = UnitRecord(name="某某区司法局", category="部门", status="accepted",
                            values=compute_totals(spec, sample_values()))  # fmt: skip
        docx = folder / "r.docx"
        write_unit_report(settings, record, docx, now=NOW)
        rows.append(("template .xlsx", timed(read_workbook, xlsx, repeats)))
        rows.append(("report .docx (own)", timed(read_report, docx, repeats)))
        for path in sorted((ROOT / "tests" / "corpus" / "reports").glob("*.*")):
            if path.suffix in (".txt", ".pdf", ".html"):
                rows.append(
                    (f"report {path.suffix} {path.stem}", timed(read_report, path, repeats))
                )
        rows += _previous_folder(folder)
    for name, ms in rows:
        print(f"{name:<42} {ms:8.1f} ms")


def _previous_folder(folder: Path) -> list[tuple[str, float]]:
    """The corpus as last year's reports: the first load reads every file, the next hit the cache."""
    import shutil

    from workflow.check.previous_reports import previous_from_reports

    reports = folder / "last"
    shutil.copytree(ROOT / "tests" / "corpus" / "reports", reports)
    settings = Settings(workspace=folder, district="长乐区", year=2025)
    start = time.perf_counter()
    previous_from_reports(settings, reports)
    cold = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    previous_from_reports(settings, reports)
    warm = (time.perf_counter() - start) * 1000
    n = len(list(reports.glob("*.*"))) - len(list(reports.glob("*.json"))) - 1  # README.md
    return [
        (f"[previous] reports, {n} files, cold", cold),
        (f"[previous] reports, {n} files, cached", warm),
    ]


if __name__ == "__main__":
    main()
