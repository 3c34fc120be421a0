"""cellrules' own functions inside a recalculation.

Owns the table of the registry's functions as the recalc engine calls them:
a column of calls whose arguments are columns goes through the vectorised
path in one call (TIER ranks its range once); anything else calls the
spreadsheet function cell by cell. Generated from the registry, so a new
function is available to ``cellrules recalc`` as soon as it is registered.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from cellrules.recalc.values.blocks import Block
from cellrules.functions import decider, policy_param
from cellrules.registry import REGISTRY
from cellrules.vector import COLUMNS as COLUMN_FORMS



def is_ours(name: str) -> bool:
    """Whether a formula's function is one of cellrules' (those a rules folder declares included, once the
    folder is in use)."""
    return name in REGISTRY


def policy_position(name: str) -> int | None:
    """Where a function takes the name of its policy (``policy``; DECIDE's ``table``), if it does."""
    found = decider(name)
    named = policy_param(found[0]) if found else None
    return list(found[0].params).index(named) if found and named is not None else None


def _plain(arg: Any) -> Any:
    return arg.values if isinstance(arg, Block) else arg


def _first(value: Any) -> Any:
    """A spilling result in one cell shows its first item (the top-left one of rows)."""
    while isinstance(value, list):
        value = value[0] if value else ""
    return value


def spill(name: str, args: list[Any]) -> Any:
    """One call in an array formula (a dynamic array): a spilling function's list becomes a column, a list
    of rows a block."""
    value = REGISTRY[name].func(*[_plain(a) for a in args])
    if isinstance(value, list):
        rows = [row if isinstance(row, list) else [row] for row in value] or [[""]]
        width = max(len(row) for row in rows)
        block = np.full((len(rows), width), "", dtype=object)
        for i, row in enumerate(rows):
            block[i, :len(row)] = row
        return Block(block)
    return value


def call_column(name: str, args: list[Any], n: int, is_column: Callable[[Any], bool]) -> Any:
    """Evaluate one registry function for n rows at once."""
    spec = REGISTRY[name]
    column_args = [is_column(a) for a in args]
    policy_at = policy_position(name)
    constant_policy = policy_at is None or policy_at >= len(args) or not column_args[policy_at]
    if name in COLUMN_FORMS and constant_policy and not any(isinstance(a, list) for a in args):
        pools = [i for i, a in enumerate(spec.args) if a.range and i > 0]  # ranges every row ranks against
        if any(i >= len(args) or not isinstance(args[i], Block) for i in pools):
            return _rowwise(spec.func, args, n, is_column)
        first = 1 if policy_at == 0 else 0  # the first per-row argument (DECIDE's comes after the table)
        full = [a if is_column(a) else (np.full(n, a, dtype=object) if i == first else a)
                for i, a in enumerate(args)]
        return COLUMN_FORMS[name](*[_plain(a) for a in full])
    return _rowwise(spec.func, args, n, is_column)


def _rowwise(func: Callable[..., Any], args: list[Any], n: int, is_column: Callable[[Any], bool]) -> np.ndarray:
    out = np.empty(n, dtype=object)
    per_row = [is_column(a) for a in args]
    for i in range(n):
        out[i] = _first(func(*[_plain(a[i]) if c else _plain(a) for a, c in zip(args, per_row)]))
    return out
