"""Per-cell decisions.

Owns one decision per call: clean inputs and a policy in force go in; a
:class:`Decision` comes out — the value and where it came from (file, line,
rule, and a sentence for EXPLAIN). The policy row is chosen by durable-rules
(one event, first match) or, where durable-rules is unavailable, by the
vectorised kernels on a one-row column.
"""
from __future__ import annotations

from dataclasses import dataclass
import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

from cellrules import kernels
from cellrules.compiler import text_key
from cellrules.diagnostics import Location
from cellrules.engine import number, quote
from cellrules.errors import div0_error, na_error, num_error
from cellrules.model import normalise
from cellrules.ranking import RankIndex
from cellrules.store import Loaded


@dataclass(slots=True)
class Decision:
    value: Any
    location: Location | None = None
    rule: str = ""
    why: Callable[[], str] | None = None

    def explain(self) -> str:
        where = f"{Path(self.location.path).name}:{self.location.line}" if self.location else "input"
        detail = self.why() if self.why else str(self.value)
        return f"{where} {detail}"


def _fire(loaded: Loaded, key: str, event: str) -> Any:
    rule = loaded.handles[key].decide(event)
    return None if rule is None else loaded.rows[key][rule]


def _pct(share: Any) -> str:
    return f"{float(share) * 100:g}%"


def _money(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# -- TIER ------------------------------------------------------------------
def _memo(loaded: Loaded, key: Any, make: Callable[[], Any]) -> Any:
    """A value computed once per policy in force (a reload starts afresh)."""
    found = loaded.cache.get(key, loaded)
    if found is loaded:
        if len(loaded.cache) > 4096:
            loaded.cache.clear()
        found = loaded.cache[key] = make()
    return found


def _cutoffs(loaded: Loaded, scheme: Any, n: int) -> tuple[list[int], str]:
    """Cutoff ranks of a scheme for n customers, and their event text."""
    def make() -> tuple[list[int], str]:
        cut = kernels.tier_cutoffs(scheme, n)
        return cut, "".join(f',"k{i}":{k}' for i, k in enumerate(cut))
    return _memo(loaded, ("tiers", scheme.name, n), make)


def tier(loaded: Loaded, scheme_name: str, amount: float, index: RankIndex) -> Decision:
    scheme = loaded.policy.schemes[scheme_name]
    n = index.n
    rank = index.rank(amount)
    cut, tail = _cutoffs(loaded, scheme, n)
    if loaded.handles:
        row = _fire(loaded, scheme_name, f'{{"fn":"TIER","r":{rank}{tail}}}')
    else:
        row = int(kernels.tier_rows(np.array([rank]), cut)[0])
    band = scheme.bands[row]
    return Decision(band.name, band.location, f"{scheme_name}/{band.name}", lambda: (
        f"{band.name} ({loaded.policy.header.version}, scheme {scheme_name}): rank {rank} of {n}, "
        f"top {_pct(band.upto)} = ranks up to {kernels.ceil_share(band.upto, n)}"))


# -- DUNNINGSTAGE ----------------------------------------------------------
def dunning(loaded: Loaded, days: float, amount: float | None) -> Decision:
    policy = loaded.policy
    whole = float(max(math.floor(days), 0))  # the same as kernels.whole_days, for one value
    if loaded.handles:
        event = f'{{"fn":"DUN","d":{int(whole)}' + ("}" if amount is None else f',"amount":{number(amount)}}}')
        row = _fire(loaded, "main", event)
    else:
        row = int(kernels.dunning_rows(policy, np.array([whole]), np.array([np.nan if amount is None else amount]))[0])
    stage = policy.stages[row]
    below = policy.minimum_amount > 0 and amount is not None and amount < policy.minimum_amount
    reason = (f"amount {_money(amount or 0)} is below the minimum {_money(policy.minimum_amount)}" if below
              else f"{int(whole)} days overdue")
    return Decision(stage, stage.location, stage.name, lambda: (
        f"{stage.name} ({policy.header.version}): {reason}"
        + (f"; actions: {'; '.join(stage.actions)}" if stage.actions else "")))


# -- COMMISSION ------------------------------------------------------------
def commission(loaded: Loaded, amount: float, deal_type: str, as_of: Any) -> Decision:
    policy = loaded.policy
    plan = _memo(loaded, as_of, lambda: policy.plan_for(as_of))
    if plan is None:
        first = policy.plans[0]
        return Decision(na_error(f"no commission plan in force on {as_of}: the first version, "
                                 f"{first.version}, starts {first.effective_from}"))
    name = plan.lookup.get(normalise(deal_type))
    if name is None:
        from cellrules.diagnostics import did_you_mean
        known = [d.name for d in plan.deal_types]
        return Decision(na_error(f"unknown deal type '{deal_type}' in plan {plan.version}; known: "
                                 f"{', '.join(known)}{did_you_mean(deal_type, list(plan.lookup))}"))
    deal = plan.index[name]
    if loaded.handles:
        j, row = _fire(loaded, plan.version, f'{{"fn":"COM","deal":{deal},"amount":{number(abs(amount))}}}')
    else:
        row = int(kernels.bracket_rows(plan, deal, np.array([abs(amount)]))[0])
    value = kernels.commission_value(plan, deal, row, amount)
    dtype = plan.deal_types[deal]
    return Decision(value, dtype.brackets[row].location, f"{plan.version}/{name}",
                    lambda: f"{name} ({plan.version}): {_brackets_text(dtype, row, amount)} = {_money(value)}")


def _brackets_text(dtype: Any, row: int, amount: float) -> str:
    parts = []
    for b in dtype.brackets[: row + 1]:
        part = (b.high if b.high is not None and b is not dtype.brackets[row] else abs(amount)) - b.low
        parts.append(f"{_pct(b.rate)} × {_money(part)}")
    text = " + ".join(parts)
    return f"−({text})" if amount < 0 else text


# -- PROFITRATE ------------------------------------------------------------
def profit(loaded: Loaded, revenue: float, product: float, service: float) -> Decision:
    policy = loaded.policy
    if loaded.handles:
        event = f'{{"fn":"PROFIT","revenue":{number(revenue)},"pc":{number(product)},"sc":{number(service)}}}'
        row = _fire(loaded, "main", event)
    else:
        row = kernels.PROFIT_ROWS[int(kernels.profit_rows(np.array([revenue]), np.array([product]),
                                                          np.array([service]))[0])]
    where = policy.location
    if row == "zero_revenue":
        return Decision(div0_error("revenue is 0: a profit rate needs revenue"), where, row)
    if row == "negative_revenue":
        return Decision(num_error(f"revenue is negative ({_money(revenue)})"), where, row)
    if row == "negative_cost":
        return Decision(num_error("a cost is negative; enter costs as positive amounts"), where, row)
    value = kernels.profit_rate(policy, revenue, product, service)
    fee, fixed = policy.channel_fee, policy.per_customer
    return Decision(value, where, row, lambda: (
        f"profit rate ({policy.header.version}): ({_money(revenue)} − {_money(product)} − {_money(service)}"
        + (f" − {_pct(fee)} channel fee" if fee else "") + (f" − {_money(fixed)} per customer" if fixed else "")
        + f") / {_money(revenue)} = {value:.4g}"))


# -- PROSPECTSCORE ---------------------------------------------------------
def prospect(loaded: Loaded, facts: dict[str, str], bonuses: dict[str, bool]) -> Decision:
    policy = loaded.policy
    keys = {name: normalise(value) for name, value in facts.items()}
    if loaded.handles:
        event = "".join(f',"{k}":{quote(text_key(v))}' for k, v in keys.items())
        kind, detail = _fire(loaded, "main", '{"fn":"PROS"' + event + "}")
        if kind == "scored":  # detail: the optional criteria the engine found matched
            matched = {c.name: c.required or c.name in detail for c in policy.criteria}
            score = sum(c.weight for c in policy.criteria if matched[c.name])
            score += sum(w for name, w in policy.bonuses.items() if bonuses[name])
    else:
        matched = {c.name: keys[c.name] in c.lookup for c in policy.criteria}
        masks = {name: np.array([hit]) for name, hit in matched.items()}
        score = int(kernels.prospect_score(policy, masks, {k: np.array([v]) for k, v in bonuses.items()})[0])
        struck = [c.name for c in policy.criteria if c.required and not matched[c.name]]
        kind, detail = ("strike", struck[0]) if struck else ("scored", ())
    if kind == "strike":
        crit = policy.criterion(detail)
        return Decision(0, crit.location, f"strike_{detail}", lambda: (
            f"struck out ({policy.header.version}): {detail} '{facts[detail]}' is not one of "
            f"{', '.join(crit.targets)}"))
    return Decision(score, policy.header.location, "scored", lambda: (
        f"score {score} ({policy.header.version}): " + _score_text(policy, matched, bonuses)))


def _score_text(policy: Any, hits: dict[str, bool], bonuses: dict[str, bool]) -> str:
    parts = [f"{c.name} +{c.weight}" for c in policy.criteria if hits[c.name] and c.weight]
    parts += [f"{name} +{w}" for name, w in policy.bonuses.items() if bonuses.get(name) and w]
    return ", ".join(parts) or "nothing matched"

