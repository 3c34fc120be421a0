"""Recalculating one workbook.

Owns the pipeline for one file: read the package, group its formulas, order
the groups, evaluate them (columns where possible, cells where needed), write
the cached values back, and report what happened (cells computed, errors by
kind, each cell that ended in an error with its formula and reason,
unsupported functions, circular references, the rules folder used).
"""
from __future__ import annotations

import contextlib
import contextvars
import gc
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from cellrules import store as stores
from cellrules.errors import ExcelError
from cellrules.recalc.formula import bridge
from cellrules.xlsx import writeback, reader as xlsx
from cellrules.recalc.formula.book import Book
from cellrules.xlsx.cells import Cells
from cellrules.recalc.formula.evaluator import BudgetError, Evaluator
from cellrules.recalc.formula.graph import components
from cellrules.xlsx.serials import date_system
from cellrules.recalc.formula.grouping import Group, groups as find_groups
from cellrules.recalc.formula.parser import Binary, Call, Node, Unary
from cellrules.xlsx.addresses import address

MAX_LISTED = 1000  # error cells named per workbook (the count is always complete)


@dataclass
class Report:
    """What one recalculation did: cells, errors by kind, the first error cells, stages, policies, output."""

    path: str
    output: str = ""
    ok: bool = True
    problem: str = ""
    cells: int = 0
    groups: int = 0
    cell_by_cell: int = 0  # cells evaluated one at a time (cycles, self-references)
    errors: Counter = field(default_factory=Counter)
    unsupported: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rules: str = ""  # the rules folder this workbook used, and why
    error_cells: list[dict[str, Any]] = field(default_factory=list)  # sheet, cell, formula, code, reason, cellrules
    internal: int = 0  # cells where an Excel function failed inside (a bug in cellrules)
    spilled: dict[str, Any] = field(default_factory=dict, repr=False)  # dynamic arrays that changed size, by part
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage: read, group, evaluate, write
    policies: list[dict[str, str]] = field(default_factory=list)  # the policy files that produced its values

    @property
    def strict_failures(self) -> int:
        """Cells ending in #NAME? or in an error from a cellrules function (what --strict refuses)."""
        return sum(1 for e in self.error_cells if e["code"] == "#NAME?" or e["cellrules"])

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON for ``--json``."""
        return {"path": self.path, "output": self.output, "ok": self.ok, "problem": self.problem,
                "rules": self.rules, "cells": self.cells, "groups": self.groups, "cell_by_cell": self.cell_by_cell,
                "errors": dict(self.errors), "error_cells": self.error_cells, "unsupported": self.unsupported,
                "internal_errors": self.internal, "policies": self.policies, "seconds": round(self.seconds, 3),
                "stages": {k: round(v, 3) for k, v in self.stages.items()}}


STACK_BYTES = 1 << 30  # a long chain of cells or a formula of thousands of terms recurses deeply
RECURSION = 1_000_000


def compute(package: xlsx.Package) -> tuple[Book, Evaluator, list[Group], int]:
    """Every formula of the package computed, in dependency order, in the workbook's date system:
    (the book with its values, the evaluator, the groups, cells computed one by one). Runs on a thread with
    a large stack and a high recursion limit, so no Python limit turns a deep workbook into a failure."""
    return on_big_stack(lambda: _compute(package))


T = TypeVar("T")


def on_big_stack(work: Callable[[], T]) -> T:
    """``work()`` on a thread with a large stack and a high recursion limit, in this thread's context (the
    rules folder and dates in force here hold there too); its exception raised here."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
    old_stack = threading.stack_size(STACK_BYTES)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, RECURSION))
    try:
        context = contextvars.copy_context()
        thread = threading.Thread(target=context.run, args=(run,), name="cellrules-recalc")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]
    return box["result"]


def _compute(package: xlsx.Package) -> tuple[Book, Evaluator, list[Group], int]:
    clock = time.perf_counter()
    book = Book(package)
    all_groups = [g for sheet in package.sheets for g in find_groups(sheet)]
    package.stages["group"] = time.perf_counter() - clock
    evaluator = Evaluator(book)
    one_by_one = 0
    with date_system(package.date1904):
        for members, whole in components(all_groups, book):
            if whole:
                evaluator.run_group(members[0])
            else:
                evaluator.run_cells(members)
                one_by_one += sum(g.size for g in members)
    package.stages["evaluate"] = time.perf_counter() - clock - package.stages["group"]
    return book, evaluator, all_groups, one_by_one


Results = dict[str, "list[tuple[tuple[int, int], Any]] | writeback.Encoded"]


def evaluate(package: xlsx.Package) -> tuple[Results, Report]:
    """Compute every formula of a package; results per sheet part."""
    report = Report(package.path)
    book, evaluator, all_groups, report.cell_by_cell = compute(package)
    results: Results = {}
    spilled: dict[str, writeback.Spill] = {}
    by_sheet: dict[str, list[Group]] = {}
    by_column: dict[tuple[str, int], list[Group]] = {}  # to find an error cell's group, built only if needed
    for g in all_groups:
        by_sheet.setdefault(g.sheet, []).append(g)
    for sheet in package.sheets:
        data = book.sheets[sheet.name.upper()].values
        spill = _spilled(sheet, data, evaluator.spills) if evaluator.spills or sheet.array_members or \
            any(f.array for f in sheet.formulas) else None
        if spill is not None:
            spilled[sheet.part] = spill
        if spill is None and not sheet.array_members:
            results[sheet.part], errors = _encoded(sheet, by_sheet.get(sheet.name, []), data)
        else:
            found = list(map(data.get, [(f.row, f.col) for f in sheet.formulas]))
            results[sheet.part] = list(zip([f.span for f in sheet.formulas], found)) + \
                [(m.span, data.get((m.row, m.col))) for m in sheet.array_members]
            errors = [(i, value) for i, value in enumerate(found) if isinstance(value, ExcelError)]
        _report_errors(report, sheet, errors, all_groups, by_column)
        report.cells += len(sheet.formulas) + len(sheet.array_members)
    report.groups = len(all_groups)
    report.unsupported = dict(evaluator.unsupported)
    report.internal = evaluator.internal
    report.spilled = spilled
    report.stages = package.stages
    return results, report


def _encoded(sheet: xlsx.Sheet, groups: list[Group], data: Cells
             ) -> tuple[writeback.Encoded, list[tuple[int, ExcelError]]]:
    """A sheet's formula cells ready for the write-back, each group's values encoded a column at a time (cells
    no group computed whole are left to the general path), and the cells that ended in an error."""
    n = len(sheet.formulas)
    tparts: list[bytes | None] = [None] * n
    vparts: list[bytes | None] = [None] * n
    errors: list[tuple[int, ExcelError]] = []
    for g in groups:
        if g.values is None or len(g.values) != len(g.cells):
            continue
        t, v = writeback.encode_column(g.values)
        list(map(tparts.__setitem__, g.cells, t))
        list(map(vparts.__setitem__, g.cells, v))
        if any(issubclass(kind, ExcelError) for kind in set(map(type, g.values))):
            errors += [(k, e) for k, e in zip(g.cells, g.values) if isinstance(e, ExcelError)]
    cuts = [f.cuts for f in sheet.formulas]
    rest = [] if None not in cuts and None not in tparts else \
        [k for k, (cut, t) in enumerate(zip(cuts, tparts)) if cut is None or t is None]
    values = {k: data.get((sheet.formulas[k].row, sheet.formulas[k].col)) for k in rest}
    errors += [(k, e) for k, e in values.items() if isinstance(e, ExcelError) and tparts[k] is None]
    errors.sort(key=lambda ke: ke[0])
    return writeback.Encoded([f.span for f in sheet.formulas], cuts, tparts, vparts, values), errors


def _report_errors(report: Report, sheet: xlsx.Sheet, errors: list[tuple[int, ExcelError]],
                   all_groups: list[Group], by_column: dict[tuple[str, int], list[Group]]) -> None:
    """Count a sheet's error cells by code; name the first :data:`MAX_LISTED` of the workbook with their group
    (``by_column``: the workbook's groups by sheet and column, filled the first time it is needed)."""
    for i, value in errors:
        f = sheet.formulas[i]
        report.errors[value.code] += 1
        if len(report.error_cells) < MAX_LISTED:
            if not by_column:
                for g in all_groups:
                    by_column.setdefault((g.sheet.upper(), g.col), []).append(g)
            group = next((g for g in by_column.get((sheet.name.upper(), f.col), []) if g.r0 <= f.row <= g.r1), None)
            report.error_cells.append(_error_cell(sheet.name, f.row, f.col, f.text, value, group))


def _spilled(sheet: xlsx.Sheet, data: Cells,
             areas: dict[tuple[str, int, int], tuple[int, int, int, int]]) -> writeback.Spill | None:
    """The dynamic arrays of a sheet whose range changed: their new ranges and the cells now reached."""
    spill = writeback.Spill()
    members = {(m.row, m.col) for m in sheet.array_members}
    for f in sheet.formulas:
        area = areas.get((sheet.name.upper(), f.row, f.col))
        if area is not None and area != f.array:
            spill.areas[f.span[0]] = area
        else:
            area = f.array  # an array formula whose file lacks some of its cells (Excel writes them all) gets them
        if area is None:
            continue
        r1, c1, r2, c2 = area
        spill.cells.update({(r, c): data.get((r, c)) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
                            if (r, c) != (f.row, f.col) and (r, c) not in members})
    return spill if spill.areas or spill.cells else None


def _uses_cellrules(node: Node | None) -> bool:
    if isinstance(node, Call):
        return bridge.is_ours(node.name) or any(_uses_cellrules(a) for a in node.args)
    if isinstance(node, Binary):
        return _uses_cellrules(node.left) or _uses_cellrules(node.right)
    if isinstance(node, Unary):
        return _uses_cellrules(node.arg)
    return False


def _error_cell(sheet: str, row: int, col: int, text: str | None, value: ExcelError, group: Group | None) -> dict[str, Any]:
    formula = text if text is not None else (f"{group.source} (shared from {address(*group.anchor)})" if group else "")
    return {"sheet": sheet, "cell": address(row, col), "formula": "=" + formula.lstrip("="), "code": value.code,
            "reason": value.reason, "cellrules": _uses_cellrules(group.node) if group else False}


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: a workbook is millions of small objects that live for the whole
    run, and the collector walking them cost a fifth of the time (measured at 100,000 rows). Reference
    counting still frees everything; what cycles remain are collected when it resumes."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def recalc_file(path: str, target: str, rules: stores.Store | None = None, audit_trail: bool = True) -> Report:
    """Recalculate ``path`` into ``target`` (which may be ``path`` itself) with the policies of ``rules`` (default:
    the current store); never raises for a bad file. The result names the policy files behind its values in
    custom document properties unless ``audit_trail`` is False (files shipped to others: the templates)."""
    start = time.perf_counter()
    rules = rules or stores.current()
    with paused_gc():
        report = _recalc(path, target, rules, audit_trail)
    report.seconds = time.perf_counter() - start
    return report


def audit(policies: list[dict[str, Any]], rules: stores.Store) -> dict[str, str]:
    """The custom document properties a recalculated workbook carries: per policy, every version that computed
    a cell — its version, sha256, file name and cell count (no path: the same bytes wherever the run was)."""
    props: dict[str, list[str]] = {}
    for p in policies:
        props.setdefault(p["policy"], []).append(
            f"{p['version']} sha256:{p['sha256']} {p['path'].rsplit('/', 1)[-1]} ({p['cells']:,} cells)")
    return {name: "; ".join(versions) for name, versions in props.items()}


def _recalc(path: str, target: str, rules: stores.Store, audit_trail: bool) -> Report:
    try:
        clock = time.perf_counter()
        package = xlsx.read(path)
        read = time.perf_counter() - clock
        with stores.using(rules), stores.recording() as used:
            clock = time.perf_counter()
            results, report = evaluate(package)
        collect = time.perf_counter() - clock - sum(report.stages.values())
        report.stages = {"read": read, **report.stages, "collect": collect}
        report.rules = f"{rules.folder} ({rules.origin})"
        report.policies = provenance(used, rules.folder)
        clock = time.perf_counter()
        writeback.write(package, results, target, report.spilled,
                        audit(report.policies, rules) if audit_trail else None)
        report.stages["write"] = time.perf_counter() - clock
        report.output = target
    except (xlsx.PackageError, BudgetError) as exc:
        report = Report(path, ok=False, problem=str(exc))
    except Exception as exc:  # one bad workbook must not stop a batch
        report = Report(path, ok=False, problem=f"{type(exc).__name__}: {exc}")
    report.rules = report.rules or f"{rules.folder} ({rules.origin})"
    return report


def provenance(used: stores.Used, folder: Path) -> list[dict[str, Any]]:
    """The policy versions behind a result, each that computed a cell: name, kind, version, sha256, path, cells."""
    return [{"policy": name, "kind": loaded.policy.header.kind, "version": version, "sha256": digest,
             "path": str(loaded.path), "folder": str(folder), "cells": cells}
            for (name, version, digest), (loaded, cells) in sorted(used.items())]
