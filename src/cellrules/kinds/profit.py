"""The ``profit`` policy kind: customer profit rate after cost-to-serve (PROFITRATE).

Owns everything about profit policies: the model (a channel fee as a share
of revenue and a fixed cost per customer, added to every customer's costs),
its validation, its rules (which of zero revenue, negative revenue, a
negative cost or a rate applies, first match), its kernel, the per-cell
decision with its explanation, and PROFITRATE's column form.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from cellrules.columns import any_problem, assemble, numbers
from cellrules.diagnostics import Location
from cellrules.errors import ExcelError, div0_error, num_error
from cellrules.events import Field
from cellrules.kinds.base import (Decision, Function, InForce, Kind, Param, Resolved, Ruleset, money, percent,
                                  register, rule)
from cellrules.model import Example, Header
from cellrules.validate.base import Checker


@dataclass(frozen=True)
class ProfitPolicy:
    """A validated profit policy: the cost-to-serve allocations."""

    header: Header
    channel_fee: Fraction
    per_customer: float
    location: Location  # of the cost_to_serve block
    examples: tuple[Example, ...] = ()


#: The outcomes, in rule order, with the error each but the last gives.
OUTCOMES: dict[str, ExcelError | None] = {
    "zero_revenue": div0_error("revenue is 0: a profit rate needs revenue"),
    "negative_revenue": num_error("revenue is negative"),
    "negative_cost": num_error("a cost is negative; enter costs as positive amounts"),
    "rate": None,
}
ROWS = tuple(OUTCOMES)


def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> ProfitPolicy | None:
    """The profit policy of a rule file, or None when it has errors (each reported on ``check``)."""
    path = ("cost_to_serve",)
    if check.get(path) is not None and check.mapping(path, [], ["channel_fee", "per_customer"]) is None:
        return None
    fee = check.percent(path + ("channel_fee",), default=Fraction(0))
    per_customer = check.number(path + ("per_customer",), low=0, default=0.0)
    if fee is None or per_customer is None:
        return None
    return ProfitPolicy(header, fee, float(per_customer), check.where(path, key=True), examples)


def rulesets(policy: ProfitPolicy) -> list[Ruleset]:
    """One ruleset: the outcomes in order, the rate last (it always applies)."""
    conditions: list[list[dict[str, Any]]] = [[{"revenue": 0}], [{"$lt": {"revenue": 0}}],
                                              [{"$or": [{"$lt": {"pc": 0}}, {"$lt": {"sc": 0}}]}], []]
    rules = {name: rule(KIND.marker, i + 1, *cond) for i, (name, cond) in enumerate(zip(ROWS, conditions))}
    return [Ruleset("main", rules, {name: name for name in ROWS})]


def outcome_rows(revenue: np.ndarray, product: np.ndarray, service: np.ndarray) -> np.ndarray:
    """The outcome (index into :data:`ROWS`) of each row."""
    return np.select([revenue == 0, revenue < 0, (product < 0) | (service < 0)], [0, 1, 2], default=3)


def kernel(policy: ProfitPolicy, key: str, fields: dict[str, Field]) -> str:
    """The engine's answer without the engine."""
    row = outcome_rows(*(np.array([float(fields[k])]) for k in ("revenue", "pc", "sc")))
    return ROWS[int(row[0])]


def rate(policy: ProfitPolicy, revenue: Any, product: Any, service: Any) -> Any:
    """(revenue − product − service − channel fee − per-customer cost) / revenue; arrays or floats."""
    fee = float(policy.channel_fee)
    return (revenue - product - service - fee * revenue - policy.per_customer) / revenue



def decide(loaded: InForce, sub: str, args: dict[str, Any]) -> Decision:
    """The profit rate of one customer."""
    policy: ProfitPolicy = loaded.policy
    revenue, product, service = args["revenue"], args["product_cost"], args["service_cost"]
    row = loaded.decider.decide("main", {"revenue": revenue, "pc": product, "sc": service})
    where = policy.location
    if row == "negative_revenue":
        return Decision(num_error(f"revenue is negative ({money(revenue)})"), where, row)
    if OUTCOMES[row] is not None:
        return Decision(OUTCOMES[row], where, row)
    value = rate(policy, revenue, product, service)
    fee, fixed = policy.channel_fee, policy.per_customer
    return Decision(value, where, row, lambda: (
        f"profit rate ({policy.header.version}): ({money(revenue)} − {money(product)} − {money(service)}"
        + (f" − {percent(fee)} channel fee" if fee else "")
        + (f" − {money(fixed)} per customer" if fixed else "") + f") / {money(revenue)} = {value:.4g}"))


def column(res: Resolved, revenue: Any, product_cost: Any, service_cost: Any = None) -> np.ndarray:
    """PROFITRATE for columns of revenue and costs."""
    rev = numbers(revenue, "revenue")
    n = len(rev.values)
    pc = numbers(product_cost, "product_cost", n)
    sc = numbers(0.0 if service_cost is None else service_cost, "service_cost", n)
    sc.values[sc.blank] = 0.0
    sc.blank[:] = False
    computed = np.zeros(n, dtype=object)
    if res.loaded is not None:
        ok = ~any_problem([rev, pc, sc], [rev, pc])
        r, p, s = rev.values[ok], pc.values[ok], sc.values[ok]
        rows = outcome_rows(r, p, s)
        with np.errstate(divide="ignore", invalid="ignore"):
            rates = rate(res.loaded.policy, r, p, s)
        errors = np.array(list(OUTCOMES.values()), dtype=object)
        if ok.all() and (rows == 3).all():
            computed = rates  # every row a rate: stays a float column
        else:
            computed[ok] = np.where(rows == 3, rates.astype(object), errors[rows])
    return assemble(computed, [rev, pc, sc], [rev, pc], res.error)


PROFITRATE = Function(
    "PROFITRATE",
    (Param("revenue", "The customer's revenue in the period"),
     Param("product_cost", "Cost of the products sold to the customer"),
     Param("service_cost", "Cost to serve: service, visits, delivery (default 0)", optional=True, blank=0.0),
     Param("policy", 'Name of the policy file in the rules folder (default "profit")', "policy", optional=True)),
    "Customer profit rate after product cost and cost-to-serve: (revenue − costs) / revenue.",
    "number", decide, column)

KIND = register(Kind("profit", ("cost_to_serve",), build, rulesets, kernel, (PROFITRATE,), position=2))
