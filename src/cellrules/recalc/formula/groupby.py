"""GROUPBY: a summary of data by a formula (Microsoft 365's GROUPBY, as its documentation describes it).

Owns grouping the rows of ``row_fields`` (one column, or several as a hierarchy without subtotals), applying
the function (an explicit LAMBDA or an eta-reduced one, ``SUM``, stored as ``_xleta.SUM``) to each group's
values column by column, the grand total row ("Total", the function over every value, not a sum of the
groups), the headers (automatic: the first value is text and the second a number), sorting (ascending by the
row fields; a negative number descending; a number past the row fields sorts by that value column) and the
filter. What it does not compute — subtotals, a vector of functions, generated headers, PIVOTBY — is an
error that says so, never a guess.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.excel.arrayfns import order_rows
from cellrules.recalc.formula.book import Context
from cellrules.recalc.formula.lambdas import Eta, Evaluator, Lambda, _per_row, _split, _value, apply
from cellrules.recalc.formula.parser import Call, Lit
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.values.scalars import err, num


def _grid(value: Any) -> np.ndarray:
    return value.values if isinstance(value, Block) else np.array([[value]], dtype=object)


def _option(values: list[Any], i: int, given: list[bool]) -> float | None | ExcelError:
    """Optional numeric argument ``i`` (None when omitted)."""
    if i >= len(values) or not given[i]:
        return None
    found = num(values[i])
    return found if isinstance(found, ExcelError) else float(math.trunc(found))


def _headers(fields: np.ndarray, data: np.ndarray, choice: float | None) -> tuple[bool, bool] | ExcelError:
    """(the first row is headers, headers are shown)."""
    if choice is None:
        first = data[:, 0].tolist()
        has = len(first) > 1 and isinstance(first[0], str) and isinstance(first[1], (int, float)) \
            and not isinstance(first[1], bool)
        return has, has and fields.shape[1] > 1
    if choice not in (0, 1, 3):
        return err("#N/A", "GROUPBY's generated headers (field_headers 2) are not computed by cellrules")
    return choice in (1, 3), choice == 3


def _groups(fields: np.ndarray, keep: list[bool]) -> dict[tuple[Any, ...], list[int]]:
    out: dict[tuple[Any, ...], list[int]] = {}
    for i, row in enumerate(fields.tolist()):
        if keep[i]:
            out.setdefault(tuple(v.casefold() if isinstance(v, str) else v for v in row), []).append(i)
    return out


def _aggregate(ev: Evaluator, fn: Any, data: np.ndarray, rows: list[int], ctx: Context) -> list[Any]:
    """The function over one group's values, column by column; a function of two parameters (PERCENTOF, a
    LAMBDA(part, whole, …)) is given the group's values and then every value of the column."""
    pair = isinstance(fn, Eta) and fn.name == "PERCENTOF" or isinstance(fn, Lambda) and len(fn.params) >= 2
    return [_value(apply(ev, fn, [Block(data[rows, j:j + 1])] + ([Block(data[:, j:j + 1])] if pair else []), ctx))
            for j in range(data.shape[1])]


@_per_row
def GROUPBY(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's GROUPBY(row_fields, values, function, [field_headers], [total_depth], [sort_order],
    [filter_array], [field_relationship]): one row per group of row_fields, the function over its values."""
    got = _split(ev, Call(node.name, node.args[:3]), ctx, 3)
    if isinstance(got, ExcelError):
        return got
    (fields_v, data_v), fn = got
    given = [not (isinstance(a, Lit) and a.value is None) for a in node.args]
    rest = [ev.one_value(ev.ev(a, ctx), ctx) for a in node.args[3:5]] if len(node.args) > 3 else []
    options = [None, None, None] + rest
    header_choice, depth = (_option(options, 3, given), _option(options, 4, given))
    for v in (fn, fields_v, data_v):
        if isinstance(v, ExcelError):
            return v
    if isinstance(header_choice, ExcelError) or isinstance(depth, ExcelError):
        return header_choice if isinstance(header_choice, ExcelError) else depth
    fields, data = _grid(fields_v), _grid(data_v)
    if fields.shape[0] != data.shape[0]:
        return err("#VALUE!", "GROUPBY's row_fields and values have different numbers of rows")
    headers = _headers(fields, data, header_choice)
    if isinstance(headers, ExcelError):
        return headers
    return _summary(ev, node, ctx, fields, data, fn, headers, depth)


def _summary(ev: Evaluator, node: Call, ctx: Context, fields: np.ndarray, data: np.ndarray, fn: Any,
             headers: tuple[bool, bool], depth: float | None) -> Any:
    has, shown = headers
    titles = (fields[0].tolist(), data[0].tolist()) if has else None
    if has:
        fields, data = fields[1:], data[1:]
    if depth is None:
        depth = 1.0
    if depth not in (0, 1, -1) or (abs(depth) > 1 and fields.shape[1] > 1):
        return err("#N/A", "GROUPBY's subtotals (total_depth 2) are not computed by cellrules")
    keep = _filter(ev, node, ctx, fields.shape[0])
    if isinstance(keep, ExcelError):
        return keep
    groups = _groups(fields, keep)
    rows = [[fields[members[0], k] for k in range(fields.shape[1])] + _aggregate(ev, fn, data, members, ctx)
            for members in groups.values()]
    order = _sort(ev, node, ctx, rows, fields.shape[1])
    if isinstance(order, ExcelError):
        return order
    rows = [rows[i] for i in order]
    if depth:
        every = [i for i, k in enumerate(keep) if k]
        total = ["Total"] + [""] * (fields.shape[1] - 1) + _aggregate(ev, fn, data, every, ctx)
        rows = rows + [total] if depth > 0 else [total] + rows
    if shown and titles is not None:
        rows = [titles[0] + titles[1]] + rows
    if not rows:
        return err("#CALC!", "GROUPBY found no rows")
    return Block(np.array([[("" if v is None else v) for v in row] for row in rows], dtype=object))


def _filter(ev: Evaluator, node: Call, ctx: Context, n: int) -> list[bool] | ExcelError:
    if len(node.args) < 7 or isinstance(node.args[6], Lit) and node.args[6].value is None:
        return [True] * n
    saved, ev.array_mode = ev.array_mode, True
    try:
        value = ev.ev(node.args[6], ctx)
    finally:
        ev.array_mode = saved
    flags = _grid(value[0] if isinstance(value, np.ndarray) and value.dtype == object and value.size == 1
                  and isinstance(value[0], Block) else value).ravel().tolist()
    if len(flags) != n:
        return err("#VALUE!", "GROUPBY's filter_array is not as long as row_fields")
    return [f is True or (isinstance(f, (int, float)) and not isinstance(f, bool) and f != 0) for f in flags]


def _sort(ev: Evaluator, node: Call, ctx: Context, rows: list[list[Any]], width: int) -> list[int] | ExcelError:
    """The order of the rows: by row_fields ascending unless sort_order says another column or descending."""
    if not rows:
        return []
    choice = [1.0]
    if len(node.args) > 5 and not (isinstance(node.args[5], Lit) and node.args[5].value is None):
        found = num(ev.one_value(ev.ev(node.args[5], ctx), ctx))
        if isinstance(found, ExcelError):
            return found
        choice = [float(math.trunc(found))]
    column = int(abs(choice[0]))
    if not 1 <= column <= len(rows[0]):
        return err("#VALUE!", "GROUPBY's sort_order names no column")
    then = [k for k in range(width) if k != column - 1]  # ties: the row fields in turn, ascending
    keys = [[row[column - 1] for row in rows]] + [[row[k] for row in rows] for k in then]
    return order_rows(keys, [1 if choice[0] > 0 else -1] + [1] * len(then))


FUNCTIONS = {"GROUPBY": GROUPBY}
