"""Excel's matrix functions (of Microsoft's Math & Trig and Lookup & Reference categories): MMULT, MDETERM,
MINVERSE, MUNIT and TRANSPOSE, on numpy arrays."""
from __future__ import annotations

from typing import Any

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.excel.mathtrig import grid as _grid
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.values.scalars import err, num
from cellrules.recalc.values.signature import excel


def _matrix(arg: Any) -> np.ndarray | ExcelError:
    grid = _grid(arg)
    bad = next((v for v in grid.ravel().tolist() if isinstance(v, ExcelError)), None)
    if bad is not None:
        return bad
    if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in grid.ravel().tolist()):
        return err("#VALUE!", "the matrix holds a blank or text")
    return grid.astype(float)


@excel("array", "array")
def MMULT(a: Any, b: Any) -> Any:
    """Excel's MMULT(array1, array2): the matrix product."""
    x, y = _matrix(a), _matrix(b)
    if isinstance(x, ExcelError):
        return x
    if isinstance(y, ExcelError):
        return y
    if x.shape[1] != y.shape[0]:
        return err("#VALUE!", "MMULT: the first matrix's columns differ from the second's rows")
    with np.errstate(over="ignore", invalid="ignore"):
        product = x @ y
    return _finite(product)


def _finite(grid: np.ndarray) -> Block:
    """A computed matrix as cells: an element that overflowed is #NUM!, as in Excel."""
    out = grid.astype(object)
    bad = ~np.isfinite(grid)
    if bad.any():
        out[bad] = ExcelError("#NUM!", "the result is not a finite number")
    return Block(out)


@excel("array")
def MDETERM(a: Any) -> Any:
    """Excel's MDETERM(array): the determinant of a square matrix."""
    x = _matrix(a)
    if isinstance(x, ExcelError):
        return x
    if x.shape[0] != x.shape[1]:
        return err("#VALUE!", "MDETERM needs a square matrix")
    return float(np.linalg.det(x))


@excel("array")
def MINVERSE(a: Any) -> Any:
    """Excel's MINVERSE(array): the inverse of a square matrix (#NUM! when singular)."""
    x = _matrix(a)
    if isinstance(x, ExcelError):
        return x
    if x.shape[0] != x.shape[1]:
        return err("#VALUE!", "MINVERSE needs a square matrix")
    if abs(np.linalg.det(x)) < 1e-300:
        return err("#NUM!", "the matrix cannot be inverted")
    return Block(np.linalg.inv(x).astype(object))


@excel("number")
def MUNIT(a: float) -> Any:
    """Excel's MUNIT(n): the n × n identity matrix."""
    return err("#VALUE!", "MUNIT needs n >= 1") if a < 1 else Block(np.eye(int(a)).astype(object))


@excel("array")
def TRANSPOSE(a: Any) -> Any:
    """Excel's TRANSPOSE(array): rows as columns."""
    return Block(_grid(a).T.copy())
