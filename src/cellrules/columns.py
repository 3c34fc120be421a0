"""Reading whole columns of cell values.

Owns the column form of :mod:`cellrules.coerce`: a column (list, numpy array,
pandas Series) becomes clean numpy values plus, per row, whether it was
blank, which error value was passed in and which value could not be used —
with exactly the meaning the per-cell functions give each cell. Numeric
arrays take a vectorised path; text columns are coerced once per distinct
value.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from cellrules import coerce
from cellrules.errors import ExcelError, as_error, num_error


@dataclass
class Col:
    """One argument's column: values, blanks, errors passed in, unusable values.

    A column read per distinct value keeps ``codes`` (row -> index into ``uniques``) and builds its
    per-row ``values`` only when asked."""

    stored: np.ndarray | None
    blank: np.ndarray
    passed: dict[int, ExcelError] = field(default_factory=dict)
    bad: dict[int, ExcelError] = field(default_factory=dict)
    codes: np.ndarray | None = None
    uniques: list[Any] | None = None

    @property
    def values(self) -> np.ndarray:
        """The column's values, one per row (built from the distinct values on first use)."""
        if self.stored is None:
            table = np.empty(len(self.uniques or ()), dtype=object)
            table[:] = self.uniques or []
            self.stored = table[self.codes]
        return self.stored

    @values.setter
    def values(self, data: np.ndarray) -> None:
        """Replace the per-row values (the distinct values are no longer used)."""
        self.stored = data


def _series(column: Any, categorical: bool = False) -> bool:
    """Whether ``column`` is a pandas Series (a categorical one): asked without importing pandas, which a
    caller that passes a Series has imported already (start-up does not pay for it)."""
    pd = sys.modules.get("pandas")
    if pd is None or not isinstance(column, pd.Series):
        return False
    return not categorical or isinstance(column.dtype, pd.CategoricalDtype)


def as_array(column: Any) -> np.ndarray:
    """A flat numpy array of a column (float when every cell is a plain number)."""
    if _series(column):
        return column.to_numpy()
    if isinstance(column, np.ndarray):
        return column.ravel()
    items = list(coerce.cells(column))
    if all(type(v) in (int, float) for v in items):
        return np.asarray(items, dtype=float)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def numbers(column: Any, what: str, n: int | None = None) -> Col:
    """A column (or one value repeated ``n`` times) read as numbers, as :func:`cellrules.coerce.number` reads a cell."""
    if n is not None and not coerce.is_range(column):  # one value for every row: read it once
        col = _uniques(column, n, what, coerce.number, np.nan)
        col.values = np.where(col.blank, np.nan, col.values).astype(float) if not col.bad and not col.passed \
            else col.values
        return col
    data = _floats(as_array(column))
    if data.dtype.kind in "fiu":
        values = data.astype(float, copy=False)
        blank = np.isnan(values)
        bad = {int(i): num_error(f"{what} is not a finite number ({values[i]})") for i in np.flatnonzero(np.isinf(values))}
        return Col(values, blank, {}, bad)
    return _each(data, what, coerce.number, float, np.nan)


def _floats(data: np.ndarray) -> np.ndarray:
    """An object column holding only numbers and blanks as floats (blank: NaN), so it takes the vectorised
    path; any other column as it is."""
    if data.dtype != object:
        return data
    items = data.tolist()
    kinds = set(map(type, items))
    if not kinds <= {float, int, type(None)}:
        return data
    if type(None) in kinds:
        return np.array([np.nan if v is None else v for v in items], dtype=float)
    return np.array(items, dtype=float)


def texts(column: Any, what: str, n: int) -> Col:
    """A column (or one value repeated ``n`` times) read as text, once per distinct value."""
    return _uniques(column, n, what, coerce.text, "")


def booleans(column: Any, what: str, n: int, blank_is_false: bool = True) -> Col:
    """A column (or one value repeated ``n`` times) read as TRUE/FALSE, a blank being FALSE (or, with
    ``blank_is_false=False``, blank)."""
    return _uniques(column, n, what, coerce.boolean, False if blank_is_false else None,
                    blank_is_value=blank_is_false)


def dates(column: Any, what: str, n: int) -> Col:
    """A column (or one value repeated ``n`` times) read as dates, once per distinct value."""
    return _uniques(column, n, what, coerce.date, None)


def _each(data: np.ndarray, what: str, convert: Callable[..., Any], kind: type, empty: Any) -> Col:
    values: np.ndarray = np.full(data.shape, empty, dtype=kind)
    blank = np.zeros(data.shape, dtype=bool)
    col = Col(values, blank)
    for i, cell in enumerate(data.tolist()):
        _one(col, i, cell, what, convert)
    return col


def _one(col: Col, i: int, cell: Any, what: str, convert: Callable, blank_is_value: bool = False) -> None:
    error = as_error(cell) if isinstance(cell, str) else None
    if error is not None:
        col.passed[i] = error
    elif coerce.is_blank(cell) and not blank_is_value:
        col.blank[i] = True
    else:
        value = convert(cell, what)
        if isinstance(value, ExcelError):
            col.bad[i] = value
        else:
            col.values[i] = value


def _uniques(column: Any, n: int, what: str, convert: Callable, empty: Any, blank_is_value: bool = False) -> Col:
    """Coerce each distinct value once, then spread the answers by code (a scalar is one distinct value)."""
    if _series(column, categorical=True):
        codes, uniques = column.cat.codes.to_numpy(), list(column.cat.categories) + [None]
        codes = np.where(codes < 0, len(uniques) - 1, codes)
    elif coerce.is_range(column):
        import pandas as pd  # here: only a range needs it, and start-up would pay for it
        codes, found = pd.factorize(as_array(column), use_na_sentinel=False)
        uniques = list(found)
    else:
        codes, uniques = np.zeros(n, dtype=np.intp), [column]
    probe = Col(np.full(len(uniques), empty, dtype=object), np.zeros(len(uniques), dtype=bool))
    for i, cell in enumerate(uniques):
        _one(probe, i, cell, what, convert, blank_is_value)
    col = Col(None, probe.blank[codes], codes=codes, uniques=list(probe.values))
    for source, target in ((probe.passed, col.passed), (probe.bad, col.bad)):
        for u, error in source.items():
            for row in np.flatnonzero(codes == u):
                target[int(row)] = error
    return col


def per_unique(col: Col, test: Callable[[Any], Any], dtype: Any) -> np.ndarray:
    """A function of each distinct value of a column read per distinct value, spread over the rows by code."""
    return np.array([test(u) for u in col.uniques or []], dtype=dtype)[col.codes]


def assemble(computed: np.ndarray, args: list[Col], required: list[Col], policy_error: ExcelError | None) -> np.ndarray:
    """Overlay, per row, what the per-cell function would answer first.

    Precedence, as in the functions: an error passed in (first argument first),
    then a blank required argument (""), then an unusable argument (first
    first), then an unusable policy, then the computed decision. A numeric
    column with nothing to overlay stays a float array (no boxing of a million floats).
    """
    clean = policy_error is None and not any(col.bad or col.passed for col in args) and \
        not any(col.blank.any() for col in required)
    if clean:
        return computed
    out = computed.astype(object) if computed.dtype != object else computed.copy()
    if policy_error is not None:
        out[:] = [policy_error] * len(out)
    for col in reversed(args):
        for i, error in col.bad.items():
            out[i] = error
    for col in required:
        out[col.blank] = ""
    for col in reversed(args):
        for i, error in col.passed.items():
            out[i] = error
    return out


def any_problem(args: list[Col], required: list[Col]) -> np.ndarray:
    """Rows the computation must skip (their answer comes from :func:`assemble`)."""
    mask = np.zeros(len(args[0].values), dtype=bool)
    for col in required:
        mask |= col.blank
    for col in args:
        for source in (col.bad, col.passed):
            if source:
                mask[list(source)] = True
    return mask
