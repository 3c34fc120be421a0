"""Compilation: a validated policy becomes durable-rules rulesets.

Owns the translation of each policy kind into plain ruleset dictionaries in
durable-rules' JSON form (first-match via ``pri``, every rule guarded by an
``fn`` marker so no rule can match the engine's own state), and the table
that maps each rule name back to the policy row it came from. Nothing here
imports durable-rules: :mod:`cellrules.engine` registers what this produces.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cellrules.model import (CommissionPolicy, DunningPolicy, Policy, ProfitPolicy, ProspectPolicy,
                             TierPolicy)

Rules = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Ruleset:
    """One durable-rules ruleset and the meaning of each of its rules."""

    key: str  # scheme name, plan version or "main"
    rules: Rules
    rows: dict[str, Any]  # rule name -> the row it stands for (an index or a tag)


def text_key(normalised: str) -> str:
    """How text travels to the engine: prefixed, so no text can pass for a number
    (durable-rules compares numeric-looking strings as numbers)."""
    return "s:" + normalised


def _rule(pri: int, *conditions: dict) -> dict[str, Any]:
    expr = conditions[0] if len(conditions) == 1 else {"$and": list(conditions)}
    return {"all": [{"m": expr}], "pri": pri}


def _tiers(policy: TierPolicy) -> list[Ruleset]:
    out = []
    for scheme in policy.schemes.values():
        rules: Rules = {}
        rows: dict[str, Any] = {}
        for i, band in enumerate(scheme.bands):
            name = f"b{i}"
            last = band.upto >= 1
            cond = [{"fn": "TIER"}] + ([] if last else [{"$lte": {"r": {"$m": f"k{i}"}}}])
            rules[name] = _rule(i + 1, *cond)
            rows[name] = i
        out.append(Ruleset(scheme.name, rules, rows))
    return out


def _dunning(policy: DunningPolicy) -> list[Ruleset]:
    rules: Rules = {}
    rows: dict[str, Any] = {}
    if policy.minimum_amount > 0:
        rules["below_min"] = _rule(1, {"fn": "DUN"}, {"$lt": {"amount": policy.minimum_amount}})
        rows["below_min"] = policy.stages.index(policy.floor_stage)
    for i, stage in enumerate(policy.stages):
        cond: list[dict] = [{"fn": "DUN"}]
        if stage.low is not None:
            cond.append({"$gte": {"d": stage.low}})
        if stage.high is not None:
            cond.append({"$lte": {"d": stage.high}})
        rules[f"s{i}"] = _rule(i + 2, *cond)
        rows[f"s{i}"] = i
    return [Ruleset("main", rules, rows)]


def _commission(policy: CommissionPolicy) -> list[Ruleset]:
    out = []
    for plan in policy.plans:
        rules: Rules = {}
        rows: dict[str, Any] = {}
        pri = 1
        for j, deal in enumerate(plan.deal_types):
            for i, bracket in enumerate(deal.brackets):
                name = f"d{j}b{i}"
                cond: list[dict] = [{"fn": "COM"}, {"deal": j}]
                if bracket.high is not None:
                    cond.append({"$lte": {"amount": bracket.high}})
                rules[name] = _rule(pri, *cond)
                rows[name] = (j, i)
                pri += 1
        out.append(Ruleset(plan.version, rules, rows))
    return out


def _profit(policy: ProfitPolicy) -> list[Ruleset]:
    rules = {
        "zero_revenue": _rule(1, {"fn": "PROFIT"}, {"revenue": 0}),
        "negative_revenue": _rule(2, {"fn": "PROFIT"}, {"$lt": {"revenue": 0}}),
        "negative_cost": _rule(3, {"fn": "PROFIT"}, {"$or": [{"$lt": {"pc": 0}}, {"$lt": {"sc": 0}}]}),
        "rate": _rule(4, {"fn": "PROFIT"}),
    }
    return [Ruleset("main", rules, {name: name for name in rules})]


def _prospect(policy: ProspectPolicy) -> list[Ruleset]:
    """Strike-out rows first (one per required criterion), then one row per
    combination of optional criteria matched, so one event gives the whole score."""
    rules: Rules = {}
    rows: dict[str, Any] = {}
    pri = 1
    for crit in policy.criteria:
        if crit.required:
            misses = [{"$neq": {crit.name: text_key(k)}} for k in sorted(crit.lookup)]
            rules[f"strike_{crit.name}"] = _rule(pri, {"fn": "PROS"}, *misses)
            rows[f"strike_{crit.name}"] = ("strike", crit.name)
            pri += 1
    optional = [c for c in policy.criteria if not c.required and c.lookup]
    for mask in range(2 ** len(optional) - 1, -1, -1):
        hit = tuple(c for i, c in enumerate(optional) if mask >> i & 1)
        cond: list[dict] = [{"fn": "PROS"}]
        for crit in optional:
            keys = [text_key(k) for k in sorted(crit.lookup)]
            if crit in hit:
                cond.append({"$or": [{crit.name: k} for k in keys]} if len(keys) > 1 else {crit.name: keys[0]})
            else:
                cond.extend({"$neq": {crit.name: k}} for k in keys)
        rules[f"score{mask}"] = _rule(pri, *cond)
        rows[f"score{mask}"] = ("scored", tuple(c.name for c in hit))
        pri += 1
    return [Ruleset("main", rules, rows)]


def compile_policy(policy: Policy) -> list[Ruleset]:
    """Translate a validated policy into its rulesets."""
    if isinstance(policy, TierPolicy):
        return _tiers(policy)
    if isinstance(policy, DunningPolicy):
        return _dunning(policy)
    if isinstance(policy, CommissionPolicy):
        return _commission(policy)
    if isinstance(policy, ProfitPolicy):
        return _profit(policy)
    if isinstance(policy, ProspectPolicy):
        return _prospect(policy)
    raise TypeError(f"cannot compile {type(policy).__name__}")
