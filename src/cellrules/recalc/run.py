"""Recalculating one workbook.

Owns the pipeline for one file: read the package, group its formulas, order
the groups, evaluate them (columns where possible, cells where needed), write
the cached values back, and report what happened (cells computed, errors by
kind, unsupported functions, circular references).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc import writeback, xlsx
from cellrules.recalc.book import Book
from cellrules.recalc.evaluator import Evaluator
from cellrules.recalc.graph import components
from cellrules.recalc.dates import date_system
from cellrules.recalc.grouping import Group, groups as find_groups


@dataclass
class Report:
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

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "output": self.output, "ok": self.ok, "problem": self.problem,
                "cells": self.cells, "groups": self.groups, "cell_by_cell": self.cell_by_cell,
                "errors": dict(self.errors), "unsupported": self.unsupported, "seconds": round(self.seconds, 3)}


def compute(package: xlsx.Package) -> tuple[Book, Evaluator, list[Group], int]:
    """Every formula of the package computed, in dependency order, in the workbook's date system:
    (the book with its values, the evaluator, the groups, cells computed one by one)."""
    book = Book(package)
    all_groups = [g for sheet in package.sheets for g in find_groups(sheet)]
    evaluator = Evaluator(book)
    one_by_one = 0
    with date_system(package.date1904):
        for members, whole in components(all_groups, book):
            if whole:
                evaluator.run_group(members[0])
            else:
                evaluator.run_cells(members)
                one_by_one += sum(g.size for g in members)
    return book, evaluator, all_groups, one_by_one


def evaluate(package: xlsx.Package) -> tuple[dict[str, list[tuple[tuple[int, int], Any]]], Report]:
    """Compute every formula of a package; results per sheet part."""
    report = Report(package.path)
    book, evaluator, all_groups, report.cell_by_cell = compute(package)
    results: dict[str, list[tuple[tuple[int, int], Any]]] = {}
    for sheet in package.sheets:
        data = book.sheets[sheet.name.upper()].values
        cells = [(f.span, data.get((f.row, f.col))) for f in sheet.formulas]
        cells += [(m.span, data.get((m.row, m.col))) for m in sheet.array_members]
        results[sheet.part] = cells
        for _, value in cells:
            if isinstance(value, ExcelError):
                report.errors[value.code] += 1
        report.cells += len(cells)
    report.groups = len(all_groups)
    report.unsupported = dict(evaluator.unsupported)
    return results, report


def recalc_file(path: str, target: str) -> Report:
    """Recalculate ``path`` into ``target`` (which may be ``path`` itself); never raises for a bad file."""
    start = time.perf_counter()
    try:
        package = xlsx.read(path)
        results, report = evaluate(package)
        writeback.write(package, results, target)
        report.output = target
    except xlsx.PackageError as exc:
        report = Report(path, ok=False, problem=str(exc))
    except Exception as exc:  # one bad workbook must not stop a batch
        report = Report(path, ok=False, problem=f"{type(exc).__name__}: {exc}")
    report.seconds = time.perf_counter() - start
    return report
