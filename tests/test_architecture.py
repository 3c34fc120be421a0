"""docs/ARCHITECTURE.md kept true: the kinds come from one table, and the import rules hold."""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from cellrules.examples import check_file
from cellrules.kinds import KINDS
from cellrules.registry import REGISTRY
from cellrules.vector import COLUMNS
from conftest import ROOT, RULES

SRC = ROOT / "src" / "cellrules"
SHIPPED_KINDS = {check_file(p)[0].header.kind for p in RULES.glob("*.yaml")}
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


def imports(path: Path) -> set[str]:
    """Every module a file imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def files_importing(prefix: str) -> set[str]:
    return {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
            if any(m == prefix or m.startswith(prefix + ".") for m in imports(p))}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_kind_is_one_module_with_every_part(name):
    kind = KINDS[name]
    module = importlib.import_module(f"cellrules.kinds.{name}")
    for part in (kind.build, kind.rulesets, kind.kernel):
        assert inspect.getmodule(part) is module, f"{part.__name__} of {name} lives outside its module"
    for fn in kind.functions:
        assert inspect.getmodule(fn.decide) is module and fn.name in REGISTRY
        assert fn.column is None or (inspect.getmodule(fn.column) is module and fn.name in COLUMNS)
    assert name in SHIPPED_KINDS  # and at least one shipped rule file is of that kind (examples: test_examples)


def test_every_kind_module_is_registered():
    modules = {p.stem for p in (SRC / "kinds").glob("*.py") if p.stem not in ("__init__", "base")}
    modules |= {p.parent.name for p in (SRC / "kinds").glob("*/__init__.py")}  # a kind grown into a package
    assert modules == set(KINDS)


def test_the_stages_never_name_a_kind():
    for stage in ("validate/__init__.py", "compiler.py", "functions.py", "vector.py", "frame.py",
                  "recalc/formula/bridge.py", "store.py"):
        text = (SRC / stage).read_text(encoding="utf-8")
        named = [k for k in KINDS if f'"{k}"' in text or f"kinds.{k}" in text or f"import {k}" in text]
        assert not named, f"{stage} names the kind(s) {named}"


def test_only_the_named_modules_import_yaml_durable_rules_openpyxl_and_xlwings():
    assert files_importing("ruamel") | files_importing("yaml") == {"source.py"}
    assert files_importing("durable_rules_engine") | files_importing("durable") == {"engine.py"}
    for library in ("openpyxl", "xlwings"):
        outside = {f for f in files_importing(library) if not f.startswith(("addin/", "recalc/", "templates/"))}
        assert not outside, f"{library} imported by {outside}"


def test_kinds_never_reach_up_to_the_store_the_registry_or_a_front_end():
    for path in (SRC / "kinds").glob("*.py"):
        up = {m for m in imports(path) if m in ("cellrules.store", "cellrules.registry", "cellrules.functions",
                                                 "cellrules.vector", "cellrules.compiler", "cellrules.engine")
              or m.startswith(("cellrules.addin", "cellrules.recalc", "cellrules.cli"))}
        assert not up, f"{path.name} imports {up}"


def test_every_public_definition_has_a_docstring():
    """Modules, public classes, functions and methods; a spreadsheet function's is its Excel help."""
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not ast.get_docstring(tree):
            missing.append(f"{path.relative_to(SRC)} (module)")
        stack: list[tuple[ast.AST, str]] = [(tree, "")]
        while stack:
            node, prefix = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.ClassDef)) and not child.name.startswith("_"):
                    if any(isinstance(d, ast.Name) and d.id == "overload" for d in child.decorator_list):
                        continue
                    if not ast.get_docstring(child):
                        missing.append(f"{path.relative_to(SRC)}:{child.lineno} {prefix}{child.name}")
                    if isinstance(child, ast.ClassDef):
                        stack.append((child, prefix + child.name + "."))
    assert not missing, f"{len(missing)} without a docstring: {missing[:10]}"


# -- the import graph -------------------------------------------------------------------------------
#: The stages, lowest first: a module may import its own stage and those before it, never one after
#: (data flows one way: rule file → validated policy → compiled ruleset → rules in force → function →
#: recalc / add-ins / command line). Within recalc: values → Excel's functions → formulas → batch.
LAYERS = [
    ["errors", "diagnostics", "coerce", "spelling", "report", "events", "model", "source", "yamltree", "registry",
     "columns",
     "ranking", "xlsx", "excelnames"],
    ["feel", "validate", "kinds", "dmn", "sheet_tables", "validation", "folders", "migrate"],
    ["engine", "compiler"],
    ["store"],
    ["functions", "vector", "decisions", "frame", "examples"],
    ["recalc.values"], ["recalc.excel"], ["recalc.formula"], ["recalc.batch", "recalc"],
    ["impact_cells", "impact", "impact_report", "addin", "templates", "demo", "cli", "__main__", ""],
]


def module_graph() -> dict[str, set[str]]:
    """Every cellrules module and the cellrules modules it imports (relative, TYPE_CHECKING and in-function
    imports included: a circle through a type-only import is still a circle for the reader)."""
    names = {".".join(p.relative_to(SRC.parent).with_suffix("").parts).removesuffix(".__init__"): p
             for p in SRC.rglob("*.py")}

    def known(name: str) -> str:
        while name not in names and "." in name:
            name = name.rsplit(".", 1)[0]
        return name

    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {known(a.name) for a in node.names if a.name.startswith("cellrules")}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
                if base.startswith("cellrules"):
                    deps |= {known(f"{base}.{a.name}") for a in node.names}
        graph[name] = deps - {name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while (w := stack.pop()) != v:
                part.append(w)
            if part:
                found.append(sorted(part + [v]))
    for v in graph:
        if v not in index:
            visit(v)
    return found


def layer(module: str) -> int:
    short = module.removeprefix("cellrules").removeprefix(".")
    matches = [(len(p), i) for i, group in enumerate(LAYERS) for p in group
               if short == p or (p and short.startswith(p + "."))]
    assert matches, f"{module} is in no layer of LAYERS: place it"
    return max(matches)[1]


def test_the_import_graph_has_no_circles_and_no_arrow_back_up():
    graph = module_graph()
    assert not circles(graph)
    up = sorted(f"{a} -> {b}" for a, deps in graph.items() for b in deps if layer(b) > layer(a))
    assert not up, up


def test_the_graph_test_sees_a_circle_and_an_arrow_up():
    """The checks above can fail: a made-up graph with both faults is caught."""
    made_up = {"cellrules.store": {"cellrules.functions"}, "cellrules.functions": {"cellrules.store"}}
    assert circles(made_up) == [["cellrules.functions", "cellrules.store"]]
    assert layer("cellrules.functions") > layer("cellrules.store")


def test_the_readme_fits_in_one_sitting_and_every_link_in_the_docs_resolves():
    import re
    assert len((ROOT / "README.md").read_bytes()) <= 20_000
    broken = []
    for md in [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s#]+)(?:#[^)]*)?\)", md.read_text(encoding="utf-8")):
            if not target.startswith("http") and not (md.parent / target).exists():
                broken.append(f"{md.name}: {target}")
    assert not broken, broken


def test_no_module_over_400_lines_and_no_function_over_50():
    long_modules = [f"{p.relative_to(SRC)}: {n}" for p in SRC.rglob("*.py")
                    if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400]
    long_functions = [f"{p.relative_to(SRC)}:{node.lineno} {node.name}: {node.end_lineno - node.lineno + 1}"
                      for p in SRC.rglob("*.py") for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
                      if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.end_lineno is not None and node.end_lineno - node.lineno + 1 > 50]
    assert not long_modules and not long_functions, (long_modules, long_functions)
