"""pandas-friendly API: a DataFrame in, a column out.

Owns :func:`compute`, which runs any spreadsheet function over the rows of a
DataFrame through the vectorised path:
``compute(df, "COMMISSION", amount="Deal size", deal_type="Type")``. A Dask
DataFrame works the same way, partition by partition, with one difference
that matters: a range argument (TIER's ``amounts``, by default the amount
column itself) is the whole column, gathered once, so tiers are cut against
every customer and not against each partition's.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from cellrules.registry import REGISTRY
from cellrules.vector import COLUMNS


def compute(df: pd.DataFrame, function: str, **arguments: Any) -> pd.Series:
    """Apply ``function`` to each row; arguments are named as in Excel (``amount=``, ``deal_type=``).

    An argument naming a column takes that column; anything else is a constant for every row.
    """
    name = function.strip().upper()
    if name not in COLUMNS:
        raise KeyError(f"no column form of {function}; choose from {', '.join(COLUMNS)}")
    if _is_dask(df):
        return _compute_dask(df, name, arguments)
    kwargs = {}
    for arg, value in arguments.items():
        column = df[value] if isinstance(value, str) and value in df.columns else value
        kwargs[arg] = column
    result = COLUMNS[name](**kwargs)
    return pd.Series(result, index=df.index, name=name)


def _is_dask(df: Any) -> bool:
    return type(df).__module__.split(".")[0] in ("dask", "dask_expr") and hasattr(df, "map_partitions")


def _compute_dask(df: Any, name: str, arguments: dict[str, Any]) -> Any:
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
            given[arg] = df[value].compute().to_numpy()
    return df.map_partitions(compute, name, meta=pd.Series(dtype=object, name=name), **given)
