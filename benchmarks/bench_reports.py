"""How long a report takes to render: ms per unit report and per district report, both formats.

    python benchmarks/bench_reports.py [--n 200] [--compare-docxtpl]

--compare-docxtpl also times docxtpl's own DocxTemplate.render+save on the same template and
context (the approach this project does not use per report: it re-parses the template each time).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.domain.records import UnitRecord  # noqa: E402
from workflow.domain.settings import Settings
from workflow.formats.seed import SEED_TEXTS, SEED_UNIT, seed_values  # noqa: E402
from workflow.report.docx import (  # noqa: E402
    PROJECT_TEMPLATES,
    unit_report_context,
    write_district_report,
    write_unit_report,
)
from workflow.workspace.config import Unit  # noqa: E402

NOW = datetime(2022, 1, 27, 9, 0)


def _time(fn, n: int) -> tuple[float, float]:
    fn(-1)  # warm: template read and compiled once
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--compare-docxtpl", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for format_id in ("gov2021", "gov2019"):
            settings = Settings(
                workspace=out,
                district="长乐区",
                year=2021,
                format=format_id,
                units=(Unit(SEED_UNIT),),
            )
            record = UnitRecord(
                SEED_UNIT, "部门", "accepted", values=seed_values(format_id), texts=dict(SEED_TEXTS)
            )
            summary = {
                "district": "长乐区",
                "year": 2021,
                "format": format_id,
                "units": [{"name": SEED_UNIT, "category": "部门", "status": "accepted"}],
                "totals": {
                    k: float(v) if not isinstance(v, int) else v
                    for k, v in seed_values(format_id).items()
                },
            }
            med, worst = _time(
                lambda i, s=settings, r=record: write_unit_report(
                    s, r, out / f"u{i}.docx", now=NOW
                ),
                args.n,
            )
            print(
                f"{format_id} 单位报告：{med:.2f} ms/份（中位数，{args.n} 份，最慢 {worst:.2f} ms）"
            )
            med, worst = _time(
                lambda i, s=settings, m=summary: write_district_report(
                    s, m, out / f"d{i}.docx", now=NOW, draft=False
                ),
                args.n,
            )
            print(
                f"{format_id} 区报告：  {med:.2f} ms/份（中位数，{args.n} 份，最慢 {worst:.2f} ms）"
            )
            if args.compare_docxtpl:
                from docxtpl import DocxTemplate

                context = unit_report_context(settings, record, now=NOW, draft=False)

                def docxtpl_render(i: int, c=context) -> None:
                    doc = DocxTemplate(PROJECT_TEMPLATES / "unit_report.docx")
                    doc.render(c, autoescape=True)
                    doc.save(out / f"t{i}.docx")

                med, worst = _time(docxtpl_render, max(args.n // 10, 5))
                print(f"{format_id} 单位报告（docxtpl 逐份渲染，对照）：{med:.2f} ms/份")


if __name__ == "__main__":
    main()
