"""DECIDE down whole columns: each input column read by its type, and the rows a single rule answers taken
in bulk (the rest by the hit policy, row by row)."""
from __future__ import annotations

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
    an aggregation does; and which rows still need the rule-by-rule answer."""
    n, policy = hit.shape[0], table.hit_policy
    count = hit.sum(axis=1)
    firsts = np.array([cell_value(r.outputs[0]) for r in table.rules] + [""], dtype=object)
    computed = np.empty(n, dtype=object)
    if policy in ("C+", "C<", "C>", "C#"):
        if policy == "C#":  # no rule: the rule-by-rule answer (null, or the outputs' defaults)
            return count.astype(float).astype(object), count == 0
        numbers = np.array([r.outputs[0] if isinstance(r.outputs[0], (int, float)) else np.nan
                            for r in table.rules], dtype=float)
        picked = np.where(hit, numbers, np.nan)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no rule, answered below
            found = np.nansum(picked, axis=1) if policy == "C+" else (
                np.nanmin(picked, axis=1) if policy == "C<" else np.nanmax(picked, axis=1))
        computed[:] = found.astype(object)
        return computed, count == 0
    if policy in ("P", "O"):
        ranks = np.array([_order(table, r.outputs) for r in table.rules], dtype=float)
        chosen = np.where(hit, ranks, np.inf).argmin(axis=1) if len(table.rules) else np.zeros(n, dtype=int)
    else:
        chosen = hit.argmax(axis=1) if len(table.rules) else np.zeros(n, dtype=int)  # the first rule matching
    computed[:] = firsts[chosen]
    slow = count == 0  # no rule: the outputs' defaults, or the error
    if policy in ("U", "A"):
        slow |= count > 1  # U broken, or A to be checked for agreement
    return computed, slow


def _order(table: DecisionTable, outputs: tuple[Value, ...]) -> float:
    """A rule's priority as one number (lower first): its outputs' places in their lists, output by output."""
    rank = 0.0
    for value, order in zip(outputs, table.priority):
        if order:
            rank = rank * (len(order) + 1) + order.get(value, len(order))
    return rank
