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


def compute(df: pd.DataFrame, function: str, **arguments: Any) -> pd.Series:
    """Apply ``function`` to each row; arguments are named as in Excel (``amount=``, ``deal_type=``).

    An argument naming a column takes that column; anything else is a constant for every row.
    """
    name = function.strip().upper()
    if name not in COLUMN_FUNCTIONS:
        raise KeyError(f"no column form of {function}; choose from {', '.join(COLUMN_FUNCTIONS)}")
    kwargs = {}
    for arg, value in arguments.items():
        column = df[value] if isinstance(value, str) and value in df.columns else value
        kwargs[arg] = column
    result = COLUMN_FUNCTIONS[name](**kwargs)
    return pd.Series(result, index=df.index, name=name)
