"""The architecture as a test: stage folders import only earlier stages, the pure modules touch no
file, clock or third-party I/O library, and no two modules import each other (not even through an
import inside a function). Imports are read from the source (every ``import`` statement anywhere in a
module, including inside functions and ``if TYPE_CHECKING``), so a violation fails here before it runs.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "workflow"

# Stage order = import order: a stage imports only itself and the stages before it.
STAGES = (
    "domain",
    "formats",
    "store",
    "read",
    "rules",
    "template",
    "check",
    "report",
    "rollup",
    "dashboard",
    "workspace",
    "pipeline",
    "cli",
)
ANYWHERE = ("workflow.errors", "workflow.crash")  # cross-cutting top-level modules
TOP_LEVEL = {"workflow", "workflow.__main__", *ANYWHERE}  # the package face and its entry point

PURE_PACKAGES = ("domain", "formats", "rules")
PURE_MODULES = (
    "workflow.report.text",
    "workflow.rollup.summary",
    "workflow.rollup.totals",
    "workflow.rollup.outliers",
    "workflow.rollup.previous_year",
    "workflow.rollup.workbook.wording",
    "workflow.dashboard.view",
    "workflow.dashboard.values",
    "workflow.dashboard.tables",
    "workflow.dashboard.charts",
    "workflow.dashboard.reminder",
)
# What a pure module may not import: third-party I/O, and the standard library's files, processes,
# databases and clock. (``datetime`` is allowed for types; the time is always passed in.)
IO_LIBRARIES = frozenset(
    {
        "openpyxl",
        "xlsxwriter",
        "docx",
        "docxtpl",
        "typst",
        "python_calamine",
        "jinja2",
        "schedule",
        "defusedxml",
        "click",
        "pypdfium2",
        "sqlite3",
        "subprocess",
        "shutil",
        "tempfile",
        "os",
        "io",
        "zipfile",
        "socket",
        "time",
        "threading",
        "multiprocessing",
        "concurrent",
    }
)
CLOCK_CALLS = frozenset({"now", "today", "utcnow", "time", "monotonic", "perf_counter"})


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text("utf-8"), filename=str(modules()[name]))


def _absolute(name: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = name.split(".") if modules()[name].name == "__init__.py" else name.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


@cache
def imports(name: str) -> tuple[tuple[str, int], ...]:
    """(imported module, line) for every import statement in the module, at any depth. ``from a
    import b`` counts as importing ``a.b`` when that is a module of the package, else ``a``."""
    out = []
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(name, node)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.append((full if full in modules() else base, node.lineno))
    return tuple(out)


def internal_imports(name: str) -> list[tuple[str, int]]:
    return [(m, line) for m, line in imports(name) if m == "workflow" or m.startswith("workflow.")]


def stage_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def is_pure(name: str) -> bool:
    return stage_of(name) in PURE_PACKAGES or name in PURE_MODULES


def test_every_module_lives_in_a_stage_folder():
    stray = [n for n in modules() if n not in TOP_LEVEL and stage_of(n) is None]
    assert not stray, f"modules outside the stage folders: {stray}"


def test_a_stage_imports_only_earlier_stages():
    wrong = []
    for name in modules():
        stage = stage_of(name)
        if stage is None:
            continue
        for target, line in internal_imports(name):
            if target in ANYWHERE or target == "workflow":
                continue
            other = stage_of(target)
            if other is None or STAGES.index(other) > STAGES.index(stage):
                wrong.append(
                    f"{modules()[name].relative_to(PACKAGE)}:{line} ({stage}) imports {target}"
                )
    assert not wrong, "stage order broken:\n" + "\n".join(wrong)


def test_pure_modules_import_no_io_library_and_read_no_clock():
    wrong = []
    for name in modules():
        if not is_pure(name):
            continue
        where = modules()[name].relative_to(PACKAGE)
        for target, line in imports(name):
            if target.split(".")[0] in IO_LIBRARIES:
                wrong.append(f"{where}:{line} imports {target}")
            elif target.startswith("workflow.") and target not in ANYWHERE and not is_pure(target):
                wrong.append(f"{where}:{line} imports the impure {target}")
        for node in ast.walk(tree(name)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_CALLS
            ):
                wrong.append(f"{where}:{node.lineno} reads the clock (.{node.func.attr}())")
    assert not wrong, "pure modules doing I/O:\n" + "\n".join(wrong)


def test_no_import_cycles():
    graph = {
        n: sorted({t for t, _ in internal_imports(n) if t in modules() and t != n})
        for n in modules()
    }
    cycles = [c for c in _strongly_connected(graph) if len(c) > 1]
    # A package face importing its own modules, which import siblings, is not a cycle of ideas.
    cycles = [c for c in cycles if not _only_through_package_face(c, graph)]
    assert not cycles, f"import cycles: {cycles}"


def _only_through_package_face(cycle: list[str], graph: dict[str, list[str]]) -> bool:
    """True when every module of the cycle that imports a package imports it only as a face, i.e.
    the cycle disappears once edges into package ``__init__`` modules are dropped."""
    packages = {n for n in cycle if modules()[n].name == "__init__.py"}
    reduced = {n: [t for t in graph[n] if t not in packages] for n in cycle if n not in packages}
    return all(len(c) == 1 for c in _strongly_connected(reduced))


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = [t for t in graph.get(node, []) if t in graph]
            if i < len(edges):
                work.append((node, i + 1))
                target = edges[i]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out


def test_importing_the_pure_modules_loads_no_io_library():
    """The same rule at run time: what importing every pure module really loads (third-party
    libraries and sqlite3; the standard library itself imports os and io)."""
    pure = sorted(n for n in modules() if is_pure(n))
    watched = sorted(
        IO_LIBRARIES - {"os", "io", "time", "threading", "socket", "shutil", "tempfile"}
    )
    code = (
        "import sys\n"
        f"for m in {pure!r}: __import__(m)\n"
        f"print(sorted(m for m in {watched!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
