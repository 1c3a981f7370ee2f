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
    "workflow.rollup_wording",
    "workflow.reminder",
    "workflow.dashboard_tables",
    "workflow.dashboard_charts",
    "workflow.dashboard_values",
    "workflow.dashboard_view",
    "workflow.names",
    "workflow.spec",
    "workflow.findings",
    "workflow.submission",
    "workflow.records",
    "workflow.rule_ids",
    "workflow.check_context",
    "workflow.totals",
    "workflow.rule_finding",
    "workflow.number_rules",
    "workflow.equation_rules",
    "workflow.info_rules",
    "workflow.previous_year",
    "workflow.rules",
    "workflow.rollup",
)


def test_pure_core_imports_no_io_libraries():
    code = (
        "import sys\n"
        f"for m in {PURE_MODULES!r}: __import__(m)\n"
        f"print(sorted(m for m in {IO_LIBRARIES!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
