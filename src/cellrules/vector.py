"""The vectorised path: whole columns in, a column out.

Owns the column form of every spreadsheet function, for notebooks, batch
recalculation and the engine-free fallback. Each reads its columns with
:mod:`cellrules.columns`, runs the numpy kernels compiled from the same
policy, and overlays blanks and error values exactly as the per-cell
functions would — a parity test holds the two paths to the same answers.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from cellrules import kernels, store
from cellrules.columns import Col, any_problem, as_array, assemble, booleans, dates, numbers, texts
from cellrules.errors import ExcelError, div0_error, na_error, num_error
from cellrules.coerce import is_range as coerce_is_range
from cellrules.model import normalise
from cellrules.ranking import build, range_values, self_ranks


def _policy(policy: Any, kind: str) -> tuple[Any, str, ExcelError | None]:
    """(policy in force or None, scheme, error): the per-cell functions' reading of the argument."""
    loaded, sub = store.resolve(policy, kind)
    return (None, sub, loaded) if isinstance(loaded, ExcelError) else (loaded, sub, None)


def tiers(amount: Any, amounts: Any = None, policy: Any = None) -> np.ndarray:
    """TIER for a column: each amount ranked among ``amounts`` (default: the column itself)."""
    col = numbers(amount, "amount")
    pool = range_values(as_array(amount) if amounts is None else amounts)
    loaded, scheme_name, error = _policy(policy, "tiers")
    computed = np.full(len(col.values), "", dtype=object)
    if error is None:
        scheme_name = scheme_name or loaded.policy.default_scheme
        scheme = loaded.policy.schemes.get(scheme_name)
        if scheme is None:
            error = na_error(f"no tier scheme '{scheme_name}' in {loaded.path.name}")
        elif isinstance(pool, ExcelError) or len(pool) == 0:
            computed[:] = [pool if isinstance(pool, ExcelError) else
                           na_error("the range holds no amounts to rank against")] * len(computed)
        else:
            ok = ~any_problem([col], [col])
            if amounts is None and isinstance(pool, np.ndarray) and len(pool) == ok.sum():
                n, ranks = len(pool), self_ranks(col.values[ok])  # the column ranked among itself: one sort
            else:
                index = build(pool)
                n, ranks = index.n, index.ranks(col.values[ok])
            rows = kernels.tier_rows(ranks, kernels.tier_cutoffs(scheme, n))
            computed[ok] = np.array([b.name for b in scheme.bands], dtype=object)[rows]
    return assemble(computed, [col], [col], error)


def dunning_stages(days_overdue: Any, amount: Any = None, policy: Any = None) -> np.ndarray:
    """DUNNINGSTAGE for a column of days overdue (and optionally amounts)."""
    d = numbers(days_overdue, "days_overdue")
    a = numbers(amount, "amount", len(d.values)) if amount is not None else Col(
        np.full(len(d.values), np.nan), np.ones(len(d.values), dtype=bool))
    loaded, _, error = _policy(policy, "dunning")
    computed = np.full(len(d.values), "", dtype=object)
    if error is None:
        ok = ~any_problem([d, a], [d])
        money = np.where(a.blank, np.nan, a.values)[ok]
        rows = kernels.dunning_rows(loaded.policy, kernels.whole_days(d.values[ok]), money)
        computed[ok] = np.array([s.name for s in loaded.policy.stages], dtype=object)[rows]
    return assemble(computed, [d, a], [d], error)


def commissions(amount: Any, deal_type: Any, policy: Any = None, as_of: Any = None) -> np.ndarray:
    """COMMISSION for a column of deals; ``as_of`` a date or a column of dates (default today)."""
    amt = numbers(amount, "amount")
    n = len(amt.values)
    kind = texts(deal_type, "deal_type", n)
    when = dates(dt.date.today() if as_of is None else as_of, "as_of", n)
    today = dt.date.today()  # a blank date means today, as in the function
    when.uniques = [today if v is None else v for v in when.uniques]
    when.stored = None
    when.blank[:] = False
    loaded, _, error = _policy(policy, "commission")
    values = np.zeros(n)
    errors: dict[int, ExcelError] = {}
    if error is None:
        ok = ~any_problem([amt, kind, when], [amt, kind])
        for i, plan in enumerate(loaded.policy.plans):
            _plan_rows(values, errors, ok, plan, loaded.policy.plans[i + 1:], amt, kind, when)
        no_plan = ok & _per_unique(when, lambda v: v is not None and v < loaded.policy.plans[0].effective_from, bool)
        first = loaded.policy.plans[0]
        for i in np.flatnonzero(no_plan):
            errors[int(i)] = na_error(f"no commission plan in force on {when.values[i]}: the first version, "
                                      f"{first.version}, starts {first.effective_from}")
    computed = values
    if errors:
        computed = values.astype(object)
        for i, problem in errors.items():
            computed[i] = problem
    return assemble(computed, [amt, kind, when], [amt, kind], error)


def _plan_rows(out: np.ndarray, errors: dict, ok: np.ndarray, plan: Any, later: tuple, amt: Col, kind: Col,
               when: Col) -> None:
    end = later[0].effective_from if later else dt.date.max
    in_force = ok & _per_unique(when, lambda v: v is not None and plan.effective_from <= v < end, bool)
    deal = _per_unique(kind, lambda k: plan.index.get(plan.lookup.get(normalise(k)), -1)
                       if isinstance(k, str) else -1, np.int64)
    for number in range(len(plan.deal_types)):
        rows = in_force & (deal == number)
        values = amt.values[rows]
        out[rows] = kernels.commission_values(plan, number, values, kernels.bracket_rows(plan, number, np.abs(values)))
    for i in np.flatnonzero(in_force & (deal < 0)):
        errors[int(i)] = na_error(f"unknown deal type '{kind.values[i]}' in plan {plan.version}")


def _per_unique(col: Col, test: Any, dtype: Any) -> np.ndarray:
    """A function of each distinct value, spread over the rows by code."""
    return np.array([test(u) for u in col.uniques], dtype=dtype)[col.codes]


def profit_rates(revenue: Any, product_cost: Any, service_cost: Any = None, policy: Any = None) -> np.ndarray:
    """PROFITRATE for columns of revenue and costs."""
    rev = numbers(revenue, "revenue")
    n = len(rev.values)
    pc = numbers(product_cost, "product_cost", n)
    sc = numbers(0.0 if service_cost is None else service_cost, "service_cost", n)
    sc.values[sc.blank] = 0.0
    sc.blank[:] = False
    loaded, _, error = _policy(policy, "profit")
    computed = np.zeros(n, dtype=object)
    if error is None:
        ok = ~any_problem([rev, pc, sc], [rev, pc])
        r, p, s = rev.values[ok], pc.values[ok], sc.values[ok]
        rows = kernels.profit_rows(r, p, s)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = kernels.profit_rate(loaded.policy, r, p, s)
        errors = np.array([div0_error("revenue is 0: a profit rate needs revenue"),
                           num_error("revenue is negative"),
                           num_error("a cost is negative; enter costs as positive amounts")] + [None], dtype=object)
        if ok.all() and (rows == 3).all():
            computed = rate  # every row a rate: stays a float column
        else:
            computed[ok] = np.where(rows == 3, rate.astype(object), errors[rows])
    return assemble(computed, [rev, pc, sc], [rev, pc], error)


def prospect_scores(industry: Any, title: Any, region: Any, trigger: Any = None, sold_in_industry: Any = None,
                    has_reference: Any = None, involved: Any = None, policy: Any = None) -> np.ndarray:
    """PROSPECTSCORE for columns of prospects (scalars are repeated down the column)."""
    n = len(as_array(industry)) if coerce_is_range(industry) else 1
    facts = {name: texts(col, name, n) for name, col in
             (("industry", industry), ("title", title), ("region", region), ("trigger", trigger))}
    flags = {name: booleans(col, name, n) for name, col in
             (("sold_in_industry", sold_in_industry), ("has_reference", has_reference), ("involved", involved))}
    required = [facts["industry"], facts["title"], facts["region"]]
    loaded, _, error = _policy(policy, "prospect")
    computed = np.zeros(n, dtype=object)
    args = list(facts.values()) + list(flags.values())
    if error is None:
        ok = ~any_problem(args, required)
        hits = {c.name: _per_unique(facts[c.name], lambda u, c=c: isinstance(u, str) and normalise(u) in c.lookup,
                                    bool)[ok] for c in loaded.policy.criteria}
        bonus = {k: _per_unique(flags[k], bool, bool)[ok] for k in flags}
        scores = kernels.prospect_score(loaded.policy, hits, bonus)
        if ok.all():
            computed = scores  # every row scored: stays an integer column
        else:
            computed[ok] = scores.astype(object)
    return assemble(computed, args, required, error)
