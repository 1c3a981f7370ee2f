"""The pure core (spec, rules, consolidation) imports no I/O library; the package imports cleanly."""

import subprocess
import sys

IO_LIBRARIES = (
    "openpyxl",
    "xlsxwriter",
    "docxtpl",
    "docx",
    "schedule",
    "python_calamine",
    "jinja2",
)
PURE_MODULES = (
    "workflow.rollup.workbook.wording",
    "workflow.dashboard.reminder",
    "workflow.dashboard.tables",
    "workflow.dashboard.charts",
    "workflow.dashboard.values",
    "workflow.dashboard.view",
    "workflow.domain.names",
    "workflow.formats.spec",
    "workflow.domain.findings",
    "workflow.domain.submission",
    "workflow.domain.records",
    "workflow.rules.ids",
    "workflow.rules.context",
    "workflow.rules.totals",
    "workflow.rules.finding",
    "workflow.rules.numbers",
    "workflow.rules.equations",
    "workflow.rules.info",
    "workflow.rules.previous_year",
    "workflow.rules.apply",
    "workflow.rollup.summary",
    "workflow.rollup.totals",
    "workflow.rollup.outliers",
    "workflow.rollup.previous_year",
    "workflow.domain.summary_json",
)


def test_pure_core_imports_no_io_libraries():
    code = (
        "import sys\n"
        f"for m in {PURE_MODULES!r}: __import__(m)\n"
        f"print(sorted(m for m in {IO_LIBRARIES!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
