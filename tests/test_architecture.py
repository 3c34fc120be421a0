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
    assert f"kinds/{name}.py" in DOC  # the architecture document names every kind
    assert name in SHIPPED_KINDS  # and at least one shipped rule file is of that kind (examples: test_examples)


def test_every_kind_module_is_registered():
    modules = {p.stem for p in (SRC / "kinds").glob("*.py") if p.stem not in ("__init__", "base")}
    assert modules == set(KINDS)


def test_the_stages_never_name_a_kind():
    for stage in ("validate/__init__.py", "compiler.py", "functions.py", "vector.py", "frame.py",
                  "recalc/bridge.py", "store.py"):
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
