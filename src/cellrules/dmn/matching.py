"""Which rules of a decision table match, for whole columns, and what a table's rules imply.

Owns :func:`matches` (rows × rules, True where every test of a rule holds:
numbers and dates with numpy, text and booleans once per distinct value) and
:func:`analyse`, the checks a hit policy implies, made on a grid of
representative inputs (every literal the rules name, the values between and
beyond them, the allowed values): overlaps under U, conflicting outputs under
A, rows that can never fire under F, and gaps where every input's domain is
known.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from cellrules.dmn.unary import Test, Value, show

MAX_POINTS = 200_000  # grid points the checks look at, at most


def as_float(values: Sequence[Value] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numbers or dates as floats (dates as day numbers; a float array as it is, NaN blank) and where they are
    blank."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return values, np.isnan(values)
    out = np.array([np.nan if v is None else (v.toordinal() if isinstance(v, dt.date) else v) for v in values],
                   dtype=float)
    return out, np.isnan(out)


def column_mask(test: Test, typ: str, values: Sequence[Value],
                floats: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Where ``test`` holds over one input's column of clean values (None: blank); ``floats``: the column
    already read by :func:`as_float`."""
    if test.kind == "any":
        return np.ones(len(values), dtype=bool)
    if typ in ("number", "date"):
        numbers, null = floats or as_float(values)
        return test.mask(numbers, null)
    import pandas as pd  # here, not at the top: `cellrules check` and every start-up would pay for pandas
    codes, uniques = pd.factorize(np.array(values, dtype=object), use_na_sentinel=False)
    answers = np.array([test.test(None if u is None else u) is True for u in uniques], dtype=bool)
    return answers[codes] if len(uniques) else np.zeros(len(values), dtype=bool)


def rule_masks(tests: Sequence[Sequence[Test]], types: Sequence[str], columns: Sequence[Sequence[Value]],
               n: int) -> np.ndarray:
    """rules × rows: True where every input's test of the rule holds (``tests[rule][input]``); each rule's row
    contiguous, so combining a rule's tests and reading the first rule that matches stay whole-array work."""
    out = np.empty((len(tests), n), dtype=bool)
    cache: dict[tuple[int, Test], np.ndarray] = {}
    floats = {k: as_float(columns[k]) for k, typ in enumerate(types) if typ in ("number", "date")}
    for r, rule in enumerate(tests):
        masks = []
        for k, test in enumerate(rule):
            if test.kind != "any":
                if (k, test) not in cache:
                    cache[(k, test)] = column_mask(test, types[k], columns[k], floats.get(k))
                masks.append(cache[(k, test)])
        if not masks:
            out[r] = True
        elif len(masks) == 1:
            out[r] = masks[0]
        else:
            np.logical_and(masks[0], masks[1], out=out[r])
            for mask in masks[2:]:
                out[r] &= mask
    return out


def matches(tests: Sequence[Sequence[Test]], types: Sequence[str], columns: Sequence[Sequence[Value]],
            n: int) -> np.ndarray:
    """rows × rules: :func:`rule_masks` the other way round (the analysis reads a row's rules)."""
    return rule_masks(tests, types, columns, n).T


@dataclass(frozen=True)
class Finding:
    """A problem the checks found: its code, the rule it points at (0-based) and a sentence."""

    code: str  # OVERLAP | CONFLICT | UNREACHABLE_RULE | GAP
    rule: int | None
    message: str


def _points(tests: Sequence[Sequence[Test]], k: int, typ: str, allowed: Sequence[Value] | None) -> list[Value]:
    """Values of input k at which every test of the table takes each of its answers at least once."""
    literals: list[Value] = sorted({v for rule in tests for v in rule[k].literals() if v is not None}, key=_order)
    if typ == "boolean":
        return [True, False]
    if typ == "text":
        return list(allowed) if allowed else [*literals, "\ue001other"]
    if typ == "date":
        days = sorted({d + step for v in literals if isinstance(v, dt.date) for d in [v.toordinal()]
                       for step in (-1, 0, 1) if 1 <= d + step <= _LAST_DAY})  # the day before, of and after
        return [dt.date.fromordinal(d) for d in days] if days else [dt.date(2000, 1, 1)]
    return [float(v) for v in _around([float(v) for v in literals if isinstance(v, (int, float))])] or [0.0]


_LAST_DAY = dt.date.max.toordinal()


def _around(edges: list[float]) -> list[float]:
    """Each edge, a value between each two, one below the first and one above the last."""
    if not edges:
        return []
    edges = sorted(set(edges))
    out = [_beside(edges[0], -math.inf)]
    for a, b in zip(edges, edges[1:]):
        middle = a + (b - a) / 2  # no overflow between two huge edges
        out += [a] + ([middle] if a < middle < b else [])
    return out + [edges[-1], _beside(edges[-1], math.inf)]


def _beside(edge: float, towards: float) -> float:
    """A number just past ``edge`` (one unit where a unit is still a step: above 2**53 it is not, and 1e16 + 1
    is 1e16 again), never past the largest double."""
    step = edge + (1 if towards > 0 else -1)
    return step if step != edge and math.isfinite(step) else math.nextafter(edge, towards)


def _order(value: Value) -> tuple[str, Any]:
    return (type(value).__name__, value)


def grid_axes(tests: Sequence[Sequence[Test]], types: Sequence[str], allowed: Sequence[Sequence[Value] | None],
          with_null: bool) -> list[list[Value]] | None:
    """Each input's points, or None as soon as the grid they span passes :data:`MAX_POINTS` (a table of 60
    inputs stops at the first few, not after sorting every literal of every column)."""
    axes: list[list[Value]] = []
    size = 1
    for k, typ in enumerate(types):
        axes.append(_points(tests, k, typ, allowed[k]) + ([None] if with_null else []))
        size *= len(axes[-1])
        if size > MAX_POINTS:
            return None
    return axes


def analyse(policy: str, tests: Sequence[Sequence[Test]], types: Sequence[str], names: Sequence[str],
            allowed: Sequence[Sequence[Value] | None], outputs: Sequence[tuple[Any, ...]],
            has_default: bool, with_null: bool = False, axes: list[list[Value]] | None = None) -> list[Finding]:
    """The problems ``policy`` implies for these rules (empty when the grid would be too large to look at);
    ``with_null``: a blank (null) input is one of the cases looked at (a DMN input may be null); ``axes``: the
    caller's :func:`grid_axes` of the same tests, when it has them."""
    if not tests or not types:
        return []
    axes = axes or grid_axes(tests, types, allowed, with_null)
    if axes is None:
        return []
    grid = list(itertools.product(*axes))
    columns = [[p[k] for p in grid] for k in range(len(types))]
    hit = matches(tests, types, columns, len(grid))
    found: list[Finding] = []
    if policy == "U":
        found += _overlaps(hit, grid, names, outputs, conflict_only=False)
    elif policy == "A":
        found += _overlaps(hit, grid, names, outputs, conflict_only=True)
    elif policy == "F":
        found += _dead(hit)
    known = all(t != "text" or a for t, a in zip(types, allowed))
    if known and not has_default:
        found += _gaps(hit, grid, names)
    return found


def _where(point: tuple[Value, ...], names: Sequence[str]) -> str:
    return ", ".join(f"{n} = {show(v) if not (isinstance(v, str) and v.startswith(chr(0xE001))) else 'other text'}"
                     for n, v in zip(names, point))


def _overlaps(hit: np.ndarray, grid: list[tuple[Value, ...]], names: Sequence[str],
              outputs: Sequence[tuple[Any, ...]], conflict_only: bool) -> list[Finding]:
    found, seen = [], set()
    for p in np.flatnonzero(hit.sum(axis=1) > 1):
        rules = np.flatnonzero(hit[p])
        for i, j in itertools.combinations(rules.tolist(), 2):
            if (i, j) in seen or conflict_only and outputs[i] == outputs[j]:
                continue
            seen.add((i, j))
            what = "with different outputs " if conflict_only else ""
            found.append(Finding("CONFLICT" if conflict_only else "OVERLAP", j,
                                 f"rules {i + 1} and {j + 1} both match {what}when {_where(grid[p], names)}"))
    return found


def _dead(hit: np.ndarray) -> list[Finding]:
    first = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
    fired = set(first[first >= 0].tolist())
    return [Finding("UNREACHABLE_RULE", r, f"rule {r + 1} can never fire: "
                    + ("earlier rules match every input it matches" if hit[:, r].any() else "no input matches it"))
            for r in range(hit.shape[1]) if r not in fired]


def _gaps(hit: np.ndarray, grid: list[tuple[Value, ...]], names: Sequence[str]) -> list[Finding]:
    empty = np.flatnonzero(~hit.any(axis=1))
    if not len(empty):
        return []
    return [Finding("GAP", None, f"no rule matches when {_where(grid[int(empty[0])], names)}"
                    + (f" (and {len(empty) - 1} more cases)" if len(empty) > 1 else ""))]
