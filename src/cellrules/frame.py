"""pandas-friendly API: a DataFrame in, a column out.

Owns :func:`compute`, which runs any spreadsheet function over the rows of a
DataFrame through the vectorised path:
``compute(df, "COMMISSION", amount="Deal size", deal_type="Type")``. The
column it gives is made for pandas: a number function's is ``float64`` (NaN
where the cell would be blank or an error, so ``.sum()`` works), a text
function's is pandas' ``string`` dtype (``pd.NA`` there); with
``errors="keep"`` the Excel errors stay in the column, each an
:class:`~cellrules.errors.ExcelError` with its reason. Numbers typed as text
in a DataFrame column (``"1,200"``, ``" 50 "``) are read as numbers, as the
functions read a cell. A Dask DataFrame works the same way, partition by
partition, with one difference that matters: a range argument (TIER's
``amounts``, by default the amount column itself) is the whole column,
gathered once, so tiers are cut against every customer and not against each
partition's.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cellrules import coerce
from cellrules.errors import ExcelError, as_error
from cellrules.functions import decider
from cellrules.registry import REGISTRY
from cellrules.vector import COLUMNS

ERRORS = ("nan", "keep")


def compute(df: pd.DataFrame, function: str, errors: str = "nan", **arguments: Any) -> pd.Series:
    """Apply ``function`` to each row; arguments are named as in Excel (``amount=``, ``deal_type=``).

    An argument naming a column takes that column; anything else is a constant for every row.
    ``errors="nan"`` (the default): blanks and errors are missing values (NaN, or ``pd.NA`` for text);
    ``errors="keep"``: each error stays, an :class:`ExcelError` (equal to its code, with its ``reason``).
    """
    name = function.strip().upper()
    if name not in COLUMNS:
        raise KeyError(f"no column form of {function}; choose from {', '.join(COLUMNS)}")
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {', '.join(ERRORS)}, not {errors!r}")
    if _is_dask(df):
        return _compute_dask(df, name, arguments, errors)
    numeric = _numeric_params(name)
    kwargs = {}
    for arg, value in arguments.items():
        column = df[value] if isinstance(value, str) and value in df.columns else value
        kwargs[arg] = _numbers_read(column) if arg in numeric and isinstance(column, pd.Series) else column
    result = COLUMNS[name](**kwargs)
    return _shaped(np.asarray(result, dtype=object), df.index, name, errors)


def _numeric_params(name: str) -> set[str]:
    """The arguments read as numbers (TIER's ranked ``amounts`` too)."""
    found = decider(name)
    if found is None:
        return set()
    return {p.name for p in found[0].params if p.reads == "number" or p.reads == "range"}


def _numbers_read(column: pd.Series) -> pd.Series:
    """A text column's numbers typed as text (``"1,200"``, ``" 50 "``) as numbers; anything else as it is."""
    if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
        return column

    def one(value: Any) -> Any:
        if isinstance(value, str) and not coerce.is_blank(value) and as_error(value) is None:
            found = coerce.number(value, "")
            return value if isinstance(found, ExcelError) else found
        return value
    return column.map(one).astype(object)


def _shaped(values: np.ndarray, index: Any, name: str, errors: str) -> pd.Series:
    """The column as pandas should hold it (see :func:`compute`)."""
    spec = REGISTRY[name]
    blank = np.array([v is None or isinstance(v, str) and v == "" for v in values], dtype=bool)
    failed = np.array([isinstance(v, ExcelError) or isinstance(v, str) and as_error(v) is not None for v in values],
                      dtype=bool)
    values = np.array([as_error(v) if f else v for v, f in zip(values, failed)], dtype=object)
    if spec.returns == "number":
        if errors == "keep":
            out = values.copy()
            out[blank] = np.nan
            return pd.Series(out, index=index, name=name, dtype=object)
        floats = np.full(len(values), np.nan)
        ok = ~(blank | failed)
        floats[ok] = values[ok].astype(float)
        return pd.Series(floats, index=index, name=name, dtype="float64")
    if errors == "keep":
        out = values.copy()
        out[blank] = pd.NA
        return pd.Series(out, index=index, name=name, dtype=object)
    text = pd.Series(values, index=index, name=name, dtype=object)
    text[blank | failed] = pd.NA
    if all(v is pd.NA or isinstance(v, str) for v in text):
        return text.astype("string")
    return text  # a function whose answers are not text (DECIDE's numbers): as they are, missing as pd.NA


def _is_dask(df: Any) -> bool:
    return type(df).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(df, "map_partitions")


def _compute_dask(df: Any, name: str, arguments: dict[str, Any], errors: str) -> Any:
    """:func:`compute` over a Dask DataFrame: a lazy Dask Series, partition by partition, range arguments whole.

    The first argument is per row; every later argument the registry marks as a range, when it names a column,
    is that whole column (computed once, handed to every partition). TIER with no ``amounts`` ranks the amount
    column among itself: the whole amount column."""
    spec = REGISTRY[name]
    first = spec.args[0].name
    pools = {a.name for a in spec.args[1:] if a.range}
    given = dict(arguments)
    if "amounts" in pools and "amounts" not in given and isinstance(given.get(first), str):
        given["amounts"] = given[first]
    for arg in pools & set(given):
        value = given[arg]
        if isinstance(value, str) and value in df.columns:
            given[arg] = _numbers_read(df[value].compute()).to_numpy()
    meta = _shaped(np.array([], dtype=object), pd.RangeIndex(0), name, errors)
    return df.map_partitions(compute, name, errors, meta=meta, **given)
