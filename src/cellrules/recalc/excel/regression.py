"""Excel's least-squares functions: LINEST, LOGEST, TREND and GROWTH.

Owns the design matrix Excel builds from known_y's and known_x's (one variable or several, with or without
the constant), the fit, and LINEST's and LOGEST's layout — one row of coefficients, or with ``stats`` the
five rows Microsoft's LINEST page defines: standard errors, r² and the standard error of y, F and the degrees
of freedom, the regression and residual sums of squares (#N/A in the cells those rows leave empty).
LOGEST and GROWTH fit ln y and answer in y's terms.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.excel.numerals import is_number
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.values.scalars import err, num, truth
from cellrules.recalc.values.signature import excel


def _design(ys: Any, xs: Any, const: Any) -> tuple[np.ndarray, np.ndarray, bool] | ExcelError:
    ygrid = ys.values if isinstance(ys, Block) else np.array([[ys]], dtype=object)
    yv = ygrid.ravel().tolist()
    if any(not is_number(v) for v in yv):
        return err("#VALUE!", "known_y's must all be numbers")
    n = len(yv)
    if xs is None:
        xmat = np.arange(1, n + 1, dtype=float).reshape(n, 1)
    else:
        grid = xs.values if isinstance(xs, Block) else np.array([[xs]], dtype=object)
        if any(not is_number(v) for v in grid.ravel().tolist()):
            return err("#VALUE!", "known_x's must all be numbers")
        grid = grid.astype(float)
        if grid.size == n:
            xmat = grid.reshape(n, 1)
        elif grid.shape[0] == n:
            xmat = grid
        elif grid.shape[1] == n:
            xmat = grid.T
        else:
            return err("#REF!", "known_x's do not match known_y's")
    with_const = _flag(const, True)
    if isinstance(with_const, ExcelError):
        return with_const
    return np.array(yv, dtype=float), xmat, with_const


def _flag(value: Any, default: bool) -> bool | ExcelError:
    """const or stats as TRUE/FALSE: a cell or a one-value array is its value, blank or omitted the default."""
    if isinstance(value, Block):
        value = value.values.flat[0] if value.values.size else None
    elif isinstance(value, np.ndarray):
        value = value.flat[0] if value.size else None
    return default if value is None else truth(value)


def _with_constant(x: np.ndarray, with_const: bool) -> np.ndarray:
    """The design matrix: the x's, and a column of ones when the constant is fitted."""
    return np.hstack([x, np.ones((len(x), 1))]) if with_const else x


def _logs(ys: Any, name: str) -> Block | ExcelError:
    """ln of the known_y's LOGEST and GROWTH fit (#NUM! unless every one is a positive number)."""
    grid = ys.values if isinstance(ys, Block) else np.array([[ys]], dtype=object)
    if any(not is_number(v) or v <= 0 for v in grid.ravel().tolist()):
        return err("#NUM!", f"{name} needs positive known_y's")
    return Block(np.log(grid.astype(float)).astype(object))


def _fit(y: np.ndarray, x: np.ndarray, with_const: bool) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(_with_constant(x, with_const), y, rcond=None)
    return coef if with_const else np.append(coef, 0.0)


@excel("array", "array", "array", "array")
def LINEST(ys: Any, xs: Any = None, const: Any = None, stats: Any = None) -> Any:
    """Excel's LINEST(known_y's, [known_x's], [const], [stats]): the least-squares line's coefficients
    m_k … m_1, b — with stats TRUE, under them the regression statistics (Microsoft's five rows)."""
    d = _design(ys, xs, const)
    if isinstance(d, ExcelError):
        return d
    return _laid_out(*d, stats, exp=False)


@excel("array", "array", "array", "array")
def LOGEST(ys: Any, xs: Any = None, const: Any = None, stats: Any = None) -> Any:
    """Excel's LOGEST(known_y's, [known_x's], [const], [stats]): the exponential curve y = b·m1^x1·…: its
    m_k … m_1, b (b is 1 with const FALSE); with stats TRUE, the statistics of the fit of ln y."""
    logs = _logs(ys, "LOGEST")
    d = logs if isinstance(logs, ExcelError) else _design(logs, xs, const)
    if isinstance(d, ExcelError):
        return d
    return _laid_out(*d, stats, exp=True)


def _laid_out(y: np.ndarray, x: np.ndarray, with_const: bool, stats: Any, exp: bool) -> Any:
    """The coefficients as Excel lays them out (m_k … m_1, b), and with ``stats`` the four rows below them."""
    wanted = _flag(stats, False)
    if isinstance(wanted, ExcelError):
        return wanted
    coef = _fit(y, x, with_const)
    top = [float(v) for v in [*coef[:-1][::-1], coef[-1]]]
    if exp:
        top = [math.exp(v) for v in top]
    rows = [top] + (_statistics(y, x, with_const, coef) if wanted else [])
    return Block(np.array(rows, dtype=object))


def _statistics(y: np.ndarray, x: np.ndarray, with_const: bool, coef: np.ndarray) -> list[list[Any]]:
    """LINEST's rows 2-5 (Microsoft's page): standard errors (se_b #N/A without the constant); r², se_y;
    F, df; ss_reg, ss_resid — #N/A in the cells a row leaves empty, #NUM! where df is 0."""
    n, k = x.shape
    design = _with_constant(x, with_const)
    residual = y - design @ (coef if with_const else coef[:-1])
    ss_resid = float(residual @ residual)
    ss_total = float(((y - y.mean()) ** 2).sum()) if with_const else float(y @ y)
    ss_reg, df = ss_total - ss_resid, n - k - (1 if with_const else 0)
    blank = [ExcelError("#N/A", "LINEST leaves this cell empty")] * (k - 1)
    if df <= 0:
        none = ExcelError("#NUM!", "no degrees of freedom left")
        return [[none] * (k + 1), [none, none, *blank], [none, none, *blank], [none, none, *blank]]
    variance = ss_resid / df
    se = np.sqrt(np.abs(np.diag(variance * np.linalg.pinv(design.T @ design)))).tolist()
    errors = [*se[:k][::-1], se[k] if with_const else ExcelError("#N/A", "no constant was fitted")]
    r2 = ss_reg / ss_total if ss_total else 1.0
    f = (ss_reg / k) / variance if variance else ExcelError("#NUM!", "a perfect fit has no F statistic")
    return [errors, [r2, math.sqrt(variance), *blank], [f, float(df), *blank], [ss_reg, ss_resid, *blank]]


@excel("array", "array", "array", "array")
def TREND(ys: Any, xs: Any = None, new_xs: Any = None, const: Any = None) -> Any:
    """Excel's TREND(known_ys, [known_xs], [new_xs], [const]): values on the least-squares line."""
    d = _design(ys, xs, const)
    if isinstance(d, ExcelError):
        return d
    y, x, with_const = d
    coef = _fit(y, x, with_const)
    if new_xs is None:
        grid, shape = x, (len(y), 1)
        if isinstance(ys, Block):
            shape = ys.values.shape
    else:
        raw = new_xs.values if isinstance(new_xs, Block) else np.array([[new_xs]], dtype=object)
        if any(not is_number(v) for v in raw.ravel().tolist()):
            return err("#VALUE!", "new_x's must all be numbers")
        shape = raw.shape
        grid = raw.astype(float).reshape(-1, x.shape[1]) if x.shape[1] > 1 else raw.astype(float).reshape(-1, 1)
    fitted = grid @ coef[:-1] + coef[-1]
    out = fitted.astype(object)
    return Block(out.reshape(shape if out.size == shape[0] * shape[1] else (out.size, 1)))


@excel("array", "array", "array", "array")
def GROWTH(ys: Any, xs: Any = None, new_xs: Any = None, const: Any = None) -> Any:
    """Excel's GROWTH(known_ys, [known_xs], [new_xs], [const]): values on the least-squares exponential curve."""
    logs = _logs(ys, "GROWTH")
    if isinstance(logs, ExcelError):
        return logs
    trend = TREND(logs, xs, new_xs, const)
    return trend if isinstance(trend, ExcelError) else Block(np.exp(trend.values.astype(float)).astype(object))
