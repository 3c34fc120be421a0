"""Validation of profit policies (``kind: profit``).

Owns the checks of cost-to-serve allocations added to every customer's costs
before the profit rate is computed: a channel fee as a percentage of revenue
and a fixed cost per customer.
"""
from __future__ import annotations

from fractions import Fraction

from cellrules.model import Example, Header, ProfitPolicy
from cellrules.validate.base import Checker

FIELDS = ["cost_to_serve"]


def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> ProfitPolicy | None:
    path = ("cost_to_serve",)
    if check.get(path) is not None and check.mapping(path, [], ["channel_fee", "per_customer"]) is None:
        return None
    fee = check.percent(path + ("channel_fee",), default=Fraction(0))
    per_customer = check.number(path + ("per_customer",), low=0, default=0.0)
    if fee is None or per_customer is None:
        return None
    return ProfitPolicy(header, fee, float(per_customer), check.where(path, key=True), examples)
