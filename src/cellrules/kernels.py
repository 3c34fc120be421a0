"""Vectorised decision kernels compiled from the same policy model.

Owns the numpy form of every decision table: given whole columns of clean
inputs, return for each row the index of the policy row that applies (and
the computed value). These kernels are the batch path, the fallback when
durable-rules is unavailable, and the other side of the parity test against
the engine — they must agree exactly, row by row.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from cellrules.model import DunningPolicy, PlanVersion, ProfitPolicy, ProspectPolicy, TierScheme

PROFIT_ROWS = ("zero_revenue", "negative_revenue", "negative_cost", "rate")


def ceil_share(share: Fraction, n: int) -> int:
    """ceil(share × n), exactly (no floating point)."""
    return -((-share.numerator * n) // share.denominator)


def tier_cutoffs(scheme: TierScheme, n: int) -> list[int]:
    """Last rank of each band but the last: rank r is in band i when r <= cutoff[i]."""
    return [ceil_share(band.upto, n) for band in scheme.bands if band.upto < 1]


def tier_rows(ranks: np.ndarray, cutoffs: list[int]) -> np.ndarray:
    return np.searchsorted(np.asarray(cutoffs, dtype=np.int64), ranks, side="left")


def whole_days(days: np.ndarray) -> np.ndarray:
    """Whole days overdue; part of a day does not count, not-yet-due counts as 0."""
    return np.maximum(np.floor(days), 0.0)


def dunning_rows(policy: DunningPolicy, days: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Stage index per row; ``days`` already whole, ``amount`` NaN where not given."""
    conditions, choices = [], []
    if policy.minimum_amount > 0:
        with np.errstate(invalid="ignore"):
            conditions.append(amount < policy.minimum_amount)
        choices.append(policy.stages.index(policy.floor_stage))
    for i, stage in enumerate(policy.stages):
        mask = np.ones(days.shape, dtype=bool)
        if stage.low is not None:
            mask &= days >= stage.low
        if stage.high is not None:
            mask &= days <= stage.high
        conditions.append(mask)
        choices.append(i)
    return np.select(conditions, choices, default=-1)


def bracket_rows(plan: PlanVersion, deal: int, amount: np.ndarray) -> np.ndarray:
    highs = [b.high for b in plan.deal_types[deal].brackets if b.high is not None]
    return np.searchsorted(np.asarray(highs, dtype=float), amount, side="left")


def commission_values(plan: PlanVersion, deal: int, amount: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """base + rate × (|amount| − low), with the amount's sign (clawback); ``amount`` signed."""
    brackets = plan.deal_types[deal].brackets
    base = np.array([b.base for b in brackets])[rows]
    rate = np.array([float(b.rate) for b in brackets])[rows]
    low = np.array([b.low for b in brackets])[rows]
    magnitude = np.abs(amount)
    return np.where(amount < 0, -(base + rate * (magnitude - low)), base + rate * (magnitude - low))


def commission_value(plan: PlanVersion, deal: int, row: int, amount: float) -> float:
    """The same formula for one amount (the engine path uses it after choosing ``row``)."""
    bracket = plan.deal_types[deal].brackets[row]
    value = bracket.base + float(bracket.rate) * (abs(amount) - bracket.low)
    return -value if amount < 0 else value


def profit_rows(revenue: np.ndarray, product: np.ndarray, service: np.ndarray) -> np.ndarray:
    return np.select([revenue == 0, revenue < 0, (product < 0) | (service < 0)], [0, 1, 2], default=3)


def profit_rate(policy: ProfitPolicy, revenue, product, service):
    """(revenue − product − service − channel fee − per-customer cost) / revenue; arrays or floats."""
    fee = float(policy.channel_fee)
    return (revenue - product - service - fee * revenue - policy.per_customer) / revenue


def prospect_score(policy: ProspectPolicy, hits: dict[str, np.ndarray], bonuses: dict[str, np.ndarray]) -> np.ndarray:
    """Score per row from per-criterion hit masks and yes/no bonus masks."""
    struck = np.zeros(next(iter(hits.values())).shape, dtype=bool)
    score = np.zeros(struck.shape, dtype=np.int64)
    for crit in policy.criteria:
        if crit.required:
            struck |= ~hits[crit.name]
        score += np.where(hits[crit.name], crit.weight, 0)
    for name, weight in policy.bonuses.items():
        score += np.where(bonuses[name], weight, 0)
    return np.where(struck, 0, score)

