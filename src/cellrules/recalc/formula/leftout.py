"""The ranges SUBTOTAL and AGGREGATE read.

Owns what those two functions leave out of a range before they aggregate it (Microsoft's pages): cells that
are themselves SUBTOTAL or AGGREGATE results, rows hidden by hand or by a filter where the function number
(SUBTOTAL 101-111) or the option (AGGREGATE's odd options) says so, and rows a filter hides for every
SUBTOTAL. The function number or option may be a cell, and down a column each row may name its own.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from cellrules.recalc.formula.book import Book
from cellrules.recalc.formula.ranges import Blocks
from cellrules.recalc.values import scalars as values
from cellrules.recalc.values.blocks import Block


def subtotal_arguments(book: Book, subtotals: set[tuple[str, int, int]], name: str, args: list[Any]) -> list[Any]:
    """SUBTOTAL's or AGGREGATE's arguments with their ranges as the function reads them; where the function
    number or option differs from row to row of a column, each row's ranges as its own says (a column of
    ranges)."""
    choice = args[0] if name == "SUBTOTAL" else (args[1] if len(args) > 1 else 0.0)
    filtered = name == "SUBTOTAL"
    if isinstance(choice, (np.ndarray, Blocks)):
        flags = [_hides(name, c) for c in choice]
        if len(set(flags)) > 1:
            return [Blocks([left_out(book, subtotals, a, flag, filtered) for flag in flags]) if isinstance(a, Block)
                    else a for a in args]
    hidden = _hides(name, choice)
    return [left_out(book, subtotals, a, hidden, filtered) if isinstance(a, Block) else a for a in args]


def _hides(name: str, choice: Any) -> bool:
    """Whether a function number (SUBTOTAL: 101-111) or an option (AGGREGATE: 1, 3, 5, 7) leaves out hidden rows."""
    got = values.num(one_choice(choice))
    return isinstance(got, float) and (got >= 100 if name == "SUBTOTAL" else int(got) % 2 == 1)


def one_choice(choice: Any) -> Any:
    """SUBTOTAL's function number or AGGREGATE's options as one value: a cell reference ($A17) is its cell's
    value, a column of the same value is that value (anything else: 0, the default)."""
    if isinstance(choice, Block) and choice.values.size == 1:
        return choice.values[0, 0]
    if isinstance(choice, np.ndarray) and choice.size and all(v == choice.flat[0] for v in choice.flat):
        return one_choice(choice.flat[0])
    return 0.0 if isinstance(choice, (np.ndarray, Blocks, Block)) else choice


def left_out(book: Book, subtotals: set[tuple[str, int, int]], block: Block, hidden: bool, filtered: bool) -> Block:
    """A range as SUBTOTAL/AGGREGATE read it: without cells that are themselves subtotals, without hidden
    rows (``hidden``) or rows a filter hides (``filtered``: every SUBTOTAL, Microsoft's page)."""
    if block.origin is None:
        return block
    r1, c1 = block.origin
    sheet = block.cache.get("sheet")
    data = book.sheets.get(sheet) if isinstance(sheet, str) else None
    rows = frozenset() if data is None else data.hidden_rows if hidden else data.filtered_rows if filtered else frozenset()
    if not subtotals and not rows:
        return block
    grid = block.values.copy()
    for i in range(grid.shape[0]):
        if r1 + i in rows:
            grid[i, :] = None
            continue
        for j in range(grid.shape[1]):
            if (sheet, r1 + i, c1 + j) in subtotals:
                grid[i, j] = None
    return Block(grid, block.origin, block.full)
