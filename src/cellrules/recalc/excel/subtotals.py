"""SUBTOTAL and AGGREGATE: aggregates chosen by number.

Owns the tables of the functions SUBTOTAL (1-11, 101-111) and AGGREGATE (1-19, with its options that
leave out error values) choose from; the evaluator leaves out cells that are themselves subtotals
before they arrive here.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.excel import stats
from cellrules.recalc.excel.mathtrig import PRODUCT
from cellrules.recalc.excel.natives import AVERAGE, COUNT, COUNTA, LARGE, MAX, MIN, SMALL, SUM
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.values.scalars import err
from cellrules.recalc.values.signature import call, excel


def _subtotal_table() -> dict[int, Callable[..., Any]]:
    return {1: AVERAGE, 2: COUNT, 3: COUNTA, 4: MAX, 5: MIN, 6: PRODUCT, 7: stats.STDEV, 8: stats.STDEVP,
            9: SUM, 10: stats.VAR, 11: stats.VARP}


@excel("number", rest="range")
def SUBTOTAL(c: float, *refs: Any) -> Any:
    """Excel's SUBTOTAL(function, ref1, …): an aggregate that leaves out other subtotals (101… also hidden rows)."""
    fn = _subtotal_table().get(int(c) % 100)
    if fn is None:
        return err("#VALUE!", f"SUBTOTAL function number {c:g} is not 1-11 or 101-111")
    return call(fn, refs)


def _aggregate_table() -> dict[int, Callable[..., Any]]:
    """AGGREGATE's functions (Microsoft's page): SUBTOTAL's 1-11, then MEDIAN … QUARTILE.EXC; 14-19 take
    (array, k)."""
    return {**_subtotal_table(), 12: stats.MEDIAN, 13: stats.MODE_SNGL, 14: LARGE, 15: SMALL,
            16: stats.PERCENTILE_INC, 17: stats.QUARTILE_INC, 18: stats.PERCENTILE_EXC, 19: stats.QUARTILE_EXC}


@excel("number", "number", rest="cells")
def AGGREGATE(c: float, o: float, *refs: Any) -> Any:
    """Excel's AGGREGATE(function, options, ref1, …) / (function, options, array, k): an aggregate that can
    leave out error values (options 2, 3, 6, 7) and other subtotals."""
    fn = _aggregate_table().get(int(c))
    if fn is None or not 0 <= int(o) <= 7:
        return err("#VALUE!", f"AGGREGATE function {c:g} / option {o:g} is not 1-19 / 0-7")
    if int(o) in (2, 3, 6, 7):
        refs = tuple(Block(np.where(np.array([[isinstance(v, ExcelError) for v in row] for row in r.values]),
                                    np.array(None), r.values))
                     if isinstance(r, Block) else r for r in refs)
    if int(c) >= 14:
        if len(refs) != 2:
            return err("#VALUE!", f"AGGREGATE function {c:g} takes an array and k")
        k = refs[1].values[0, 0] if isinstance(refs[1], Block) else refs[1]
        return call(fn, (refs[0], k))
    return call(fn, refs)
