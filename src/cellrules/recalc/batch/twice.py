"""One workbook computed under two rules folders, the second pass recomputing only what the change can reach.

Owns the impact report's computation: every formula computed under the rules in force, then — in the same
book — only the formula groups a changed policy can reach computed again under the proposed rules: the groups
that call a function of a changed kind of policy (COMMISSION when a commission plan changed; any call whose
kind cannot be told, EXPLAIN, RULESTATUS, INDIRECT and OFFSET always), and every group that reads one of
them, in dependency order. Cells no change can reach keep the value they had: the same policy files give
the same answers.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

from cellrules import store as stores
from cellrules.functions import DECIDERS
from cellrules.recalc.excel import functable
from cellrules.recalc.formula import groupby, lambdas, references
from cellrules.recalc.formula.book import Book
from cellrules.recalc.formula.evaluator import Evaluator
from cellrules.recalc.formula.graph import components, edges, walk
from cellrules.recalc.formula.grouping import Group
from cellrules.recalc.formula.parser import Call, Node
from cellrules.recalc.batch.run import compute, on_big_stack
from cellrules.xlsx import reader as xlsx
from cellrules.xlsx.serials import date_system

ALWAYS = {"EXPLAIN", "RULESTATUS", "INDIRECT", "OFFSET"}  # their answers name versions, or read what is not written


def computed_twice(package: xlsx.Package, old: stores.Store, new: stores.Store, changed: set[str] | None,
                   read: Callable[[Book, list[Group], set[int] | None], Any]
                   ) -> tuple[Any, Any, stores.Used, stores.Used]:
    """(``read(book, groups, None)`` under ``old``, ``read(book, groups, again)`` under ``new`` — only the
    groups computed again, by their numbers, need reading —, the versions each pass used); ``changed``: the
    kinds of policy that differ between the folders (None: not known, everything again)."""
    with stores.using(old), stores.recording() as used_old:
        book, _, groups, _ = compute(package)
    before = read(book, groups, None)
    found = edges(groups, book)
    again = reached(groups, book, changed, found[0])
    with stores.using(new), stores.recording() as used_new:
        on_big_stack(lambda: _recompute(package, book, groups, again, found))
    return before, read(book, groups, again), used_old, used_new


def _recompute(package: xlsx.Package, book: Book, groups: list[Group], again: set[int],
               found: tuple[dict[int, set[int]], set[int]]) -> None:
    evaluator = Evaluator(book)  # a fresh one: no column read under the old rules is reused
    position = {id(g): i for i, g in enumerate(groups)}
    with date_system(package.date1904):
        for members, whole in components(groups, book, found):
            if not any(position[id(g)] in again for g in members):
                continue
            if whole:
                evaluator.run_group(members[0])
            else:
                evaluator.run_cells(members)


def reached(groups: list[Group], book: Book, changed: set[str] | None, deps: dict[int, set[int]]) -> set[int]:
    """The groups a change of the ``changed`` kinds can reach: those that call such a function, then every
    group that reads one of them (``deps``: what each group reads, from :func:`edges`)."""
    if changed is None:
        return set(range(len(groups)))
    readers: dict[int, set[int]] = defaultdict(set)
    for reader, read in deps.items():
        for j in read:
            readers[j].add(reader)
    todo = [i for i, g in enumerate(groups) if g.node is not None and _calls_changed(g.node, book, g.sheet, changed)]
    seen = set(todo)
    while todo:
        for reader in readers.get(todo.pop(), ()):
            if reader not in seen:
                seen.add(reader)
                todo.append(reader)
    return seen


def _calls_changed(node: Node, book: Book, scope: str, changed: set[str]) -> bool:
    for name in (n.name for n in walk(node, book, scope) if isinstance(n, Call)):
        if name in ALWAYS:
            return True
        found = DECIDERS.get(name)
        if found is not None:
            if found[1].name in changed:
                return True
        elif not _excel(name):  # a name we cannot place (a folder's own function, an add-in's): again
            return True
    return False


def _excel(name: str) -> bool:
    return name in functable.FUNCTIONS or name in references.FUNCTIONS or name in lambdas.FUNCTIONS \
        or name in groupby.FUNCTIONS
