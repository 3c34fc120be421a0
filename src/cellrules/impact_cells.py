"""The impact report's comparison of a workbook's cellrules cells, computed two ways, a column at a time.

Owns which formula groups call a cellrules function (and which: the first such call written in the
formula), the values each side gives a group's cells — read a column at a time from the computed book, as
the written file would hold them — and the comparison: the cells that change (in sheet, row, column order),
totals per function, movements between categories. A column of numbers is compared at once with numpy;
other values one by one only where they differ. What a change could not reach is read once.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cellrules.functions import decider
from cellrules.recalc.formula.book import Book
from cellrules.recalc.formula.grouping import Group
from cellrules.registry import REGISTRY, plain
from cellrules.xlsx.addresses import address

UNSTABLE = {"EXPLAIN", "RULESTATUS"}  # their text names versions and hashes: always different, never a number


@functools.lru_cache(maxsize=8)
def _calls(names: frozenset[str]) -> re.Pattern[str]:
    """A call of one of ``names``, as either add-in spells it (TIER, _xldudf_CELLRULES_TIER, CELLRULES.TIER)."""
    return re.compile(r"(?<![\w.])(?:_xldudf_CELLRULES_|CELLRULES\.)?(" + "|".join(sorted(names, key=len,
                                                                                        reverse=True)) + r")\(", re.I)


@dataclass
class Column:
    """One group's cells that a cellrules function computes: where they stand, and each side's values."""

    group: int  # its place in the workbook's groups
    sheet: str
    col: int
    r0: int
    function: str
    cells: list[int]  # where each cell stands in its sheet's formulas (for its number format)
    before: list[Any] = field(default_factory=list)
    after: list[Any] | None = None  # None: no change reached it, the same as before

    @property
    def now(self) -> list[Any]:
        """The values under the proposed rules (those before, where no change reached)."""
        return self.before if self.after is None else self.after


def columns_of(groups: list[Group]) -> list[Column]:
    """The groups whose formula calls a cellrules function (EXPLAIN and RULESTATUS left out), with it: the
    registry as it stands now (a rules folder's decision tables add theirs)."""
    search, out = _calls(frozenset(REGISTRY) - UNSTABLE).search, []
    for i, g in enumerate(groups):
        found = search(g.source or "")
        if found:
            out.append(Column(i, g.sheet, g.col, g.r0, found.group(1).upper(), g.cells))
    return out


def read(book: Book, columns: list[Column], groups: list[Group], only: set[int] | None, side: str) -> None:
    """Each column's values as the file would hold them (a spilling answer: its first value) into ``side``
    ("before" or "after"); ``only``: just the groups with these numbers."""
    for c in columns:
        if only is not None and c.group not in only:
            continue
        g = groups[c.group]
        got = book.sheets[c.sheet.upper()].values.reader(c.col)
        values = list(map(got.get, range(g.r0, g.r1 + 1)))
        if set(map(type, values)) - {float}:
            values = [v if type(v) is float else _plain(v) for v in values]
        setattr(c, side, values)


def _plain(value: Any) -> Any:
    while isinstance(value, (list, tuple, np.ndarray)):
        value = value[0] if len(value) else ""
    return plain(value) if value is not None else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _numbers(values: list[Any]) -> list[float | None]:
    return values if set(map(type, values)) <= {float} else [v if type(v) is float else _number(v) for v in values]


def _moved(before: list[Any], after: list[Any]) -> list[int]:
    """Where a column's values differ (a number within 1e-9 of its old value has not moved)."""
    if set(map(type, before)) <= {float} and set(map(type, after)) <= {float}:
        a, b = np.array(before, dtype=float), np.array(after, dtype=float)
        return np.flatnonzero(np.abs(a - b) > 1e-9 * np.maximum(1.0, np.abs(a))).tolist()
    out = []
    for k, (x, y) in enumerate(zip(before, after)):
        if x == y and type(x) is type(y):
            continue
        p, q = _number(x), _number(y)
        if str(x) != str(y) and not (p is not None and q is not None and abs(p - q) <= 1e-9 * max(1, abs(p))):
            out.append(k)
    return out


def compare(name: str, columns: list[Column]) -> tuple[dict[str, Any], list[tuple[Column, int]]]:
    """The report of one workbook — cells that change, totals per function, movements — and, beside each
    changed cell in the same order, its column and its place in it."""
    totals: dict[str, dict[str, Any]] = {}
    found: list[tuple[tuple[str, int, int], Column, int]] = []
    moves: Counter[tuple[str, str, str]] = Counter()
    for c in sorted(columns, key=lambda c: (c.sheet, c.r0, c.col)):  # totals in the order functions first appear
        after = c.now
        sums = totals.get(c.function)
        if sums is None:
            adds = bool((d := decider(c.function)) and d[0].adds_up)
            sums = totals[c.function] = {"function": c.function, "cells": 0, "before": 0.0, "after": 0.0,
                                         "changed": 0, "numbers": False, "adds_up": adds}
        a, b = _numbers(c.before), _numbers(after)
        sums["cells"] += len(a)
        sums["before"] += sum(x for x in a if x is not None)
        sums["after"] += sum(x for x in b if x is not None)
        sums["numbers"] = sums["adds_up"] and (sums["numbers"] or a.count(None) < len(a) or b.count(None) < len(b))
        moved = [] if c.after is None else _moved(c.before, after)
        sums["changed"] += len(moved)
        for k in moved:
            found.append(((c.sheet, c.r0 + k, c.col), c, k))
            if a[k] is None and b[k] is None:
                moves[(c.function, str(c.before[k]), str(after[k]))] += 1
    for sums in totals.values():
        sums["change"] = (sums["after"] - sums["before"]) / sums["before"] if sums["before"] else None
    found.sort(key=lambda item: item[0])
    changed = [{"cell": f"{sheet}!{address(row, col)}", "function": c.function, "old": c.before[k],
                "new": c.now[k]} for (sheet, row, col), c, k in found]
    report = {"workbook": name, "cells": sum(t["cells"] for t in totals.values()), "changed": changed,
              "totals": list(totals.values()),
              "movements": [{"function": f, "from": a, "to": b, "count": n} for (f, a, b), n in sorted(moves.items())]}
    return report, [(c, k) for _, c, k in found]
