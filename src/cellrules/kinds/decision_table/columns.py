"""DECIDE down whole columns: each input column read by its type, and the rows a single rule answers taken
in bulk (the rest by the hit policy, row by row)."""
from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np

from cellrules.columns import Col, booleans, dates, numbers, texts
from cellrules.dmn.unary import Value
from cellrules.errors import na_error
from cellrules.kinds.decision_table.model import Column, DecisionTable, allowed, cell_value, fold


def read_column(column: Column, raw: Any, n: int) -> Col:
    """A column of inputs read by its column's type."""
    if column.type == "number":
        return numbers(raw, column.name, n)
    if column.type == "text":
        return texts(raw, column.name, n)
    if column.type == "boolean":
        return booleans(raw, column.name, n, blank_is_false=False)
    return dates(raw, column.name, n)


def clean(column: Column, col: Col) -> Any:
    """The column's values, None where blank or unusable; values outside the allowed ones marked bad. A number
    column without allowed values stays a float array (NaN where blank or unusable)."""
    if column.type == "number" and column.values is None and col.values.dtype.kind == "f":
        if not col.blank.any() and not col.bad and not col.passed:
            return col.values  # read only from here on: no copy needed
        floats = col.values.astype(float, copy=True)
        floats[col.blank] = np.nan
        for problems in (col.bad, col.passed):
            if problems:
                floats[list(problems)] = np.nan
        return floats
    values: list[Value] = []
    for i, v in enumerate(col.values.tolist()):
        if col.blank[i] or i in col.bad or i in col.passed or v is None or v != v:
            values.append(None)
            continue
        if not allowed(v, column):
            col.bad[i] = na_error(f"{column.name} '{v}' is not one of {', '.join(map(str, column.values or ()))}")
            values.append(None)
            continue
        values.append(float(v) if column.type == "number" else fold(v))
    return values


def top(value: Any) -> Any:
    """What one cell shows of a spilling answer: its first value."""
    while isinstance(value, list):
        value = value[0] if value else ""
    return value


def fast(table: DecisionTable, hit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first value of each row's answer, whole-column, where one rule decides it (F, U, P, A agreeing) or
    an aggregation does; and which rows still need the rule-by-rule answer. ``hit``: rules × rows."""
    n, policy = hit.shape[1], table.hit_policy
    first, count = _first_and_count(hit)
    firsts = np.array([cell_value(r.outputs[0]) for r in table.rules] + [""], dtype=object)
    if policy in ("C+", "C<", "C>", "C#"):
        if policy == "C#":  # no rule: the rule-by-rule answer (null, or the outputs' defaults)
            return count.astype(float).astype(object), count == 0
        numbers = np.array([r.outputs[0] if isinstance(r.outputs[0], (int, float)) else np.nan
                            for r in table.rules], dtype=float)
        picked = np.where(hit.T, numbers, np.nan)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no rule, answered below
            found = np.nansum(picked, axis=1) if policy == "C+" else (
                np.nanmin(picked, axis=1) if policy == "C<" else np.nanmax(picked, axis=1))
        return found.astype(object), count == 0
    if policy in ("P", "O"):
        ranks = np.array([_order(table, r.outputs) for r in table.rules], dtype=float)
        chosen = np.where(hit, ranks[:, None], np.inf).argmin(axis=0) if len(table.rules) else np.zeros(n, dtype=int)
    else:
        chosen = first
    computed = firsts[chosen]
    slow = count == 0  # no rule: the outputs' defaults, or the error
    if policy in ("U", "A"):
        slow |= count > 1  # U broken, or A to be checked for agreement
    return computed, slow


def _first_and_count(hit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row (``hit``: rules × rows), the first rule matching (0 where none) and how many match. Up to 16
    rules, each row's matches are packed into one number and both read from tables of every pattern (whole
    arrays: argmax and sum down the rules are strided); more rules, rule by rule."""
    rules, n = hit.shape
    if rules == 0:
        return np.zeros(n, dtype=np.intp), np.zeros(n, dtype=np.int32)
    if rules <= 16:
        packed = np.zeros(n, dtype=np.uint16)
        for r in range(rules):
            packed |= hit[r].view(np.uint8).astype(np.uint16) << r
        first, count = _pattern_tables(rules)
        return first[packed], count[packed]
    chosen = np.zeros(n, dtype=np.intp)
    for r in range(rules - 1, -1, -1):
        chosen[hit[r]] = r
    return chosen, hit.sum(axis=0, dtype=np.int32)


@functools.lru_cache(maxsize=16)
def _pattern_tables(rules: int) -> tuple[np.ndarray, np.ndarray]:
    """For every pattern of ``rules`` bits: its lowest set bit (0 for none) and how many are set."""
    patterns = range(1 << rules)
    return (np.array([(i & -i).bit_length() - 1 if i else 0 for i in patterns], dtype=np.intp),
            np.array([i.bit_count() for i in patterns], dtype=np.int32))


def _order(table: DecisionTable, outputs: tuple[Value, ...]) -> float:
    """A rule's priority as one number (lower first): its outputs' places in their lists, output by output."""
    rank = 0.0
    for value, order in zip(outputs, table.priority):
        if order:
            rank = rank * (len(order) + 1) + order.get(value, len(order))
    return rank
