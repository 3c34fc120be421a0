"""pandas-friendly API: a DataFrame in, a column out.

Owns :func:`compute`, which runs any spreadsheet function over the rows of a
DataFrame through the vectorised path:
``compute(df, "COMMISSION", amount="Deal size", deal_type="Type")``.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from cellrules import vector

COLUMN_FUNCTIONS = {
    "TIER": vector.tiers,
    "DUNNINGSTAGE": vector.dunning_stages,
    "COMMISSION": vector.commissions,
    "PROFITRATE": vector.profit_rates,
    "PROSPECTSCORE": vector.prospect_scores,
}
_RENAME = {"TIER": {"amount": "amounts"}}


def compute(df: pd.DataFrame, function: str, **arguments: Any) -> pd.Series:
    """Apply ``function`` to each row; an argument naming a column takes that column, anything else is a constant."""
    name = function.strip().upper()
    if name not in COLUMN_FUNCTIONS:
        raise KeyError(f"no column form of {function}; choose from {', '.join(COLUMN_FUNCTIONS)}")
    kwargs = {}
    for arg, value in arguments.items():
        column = df[value] if isinstance(value, str) and value in df.columns else value
        kwargs[_RENAME.get(name, {}).get(arg, arg)] = column
    if name == "TIER" and "amounts" not in kwargs:
        raise TypeError("TIER needs amount=<column>")
    result = COLUMN_FUNCTIONS[name](**kwargs)
    return pd.Series(result, index=df.index, name=name)
