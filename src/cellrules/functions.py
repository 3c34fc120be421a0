"""The spreadsheet functions.

Owns TIER, PROFITRATE, PROSPECTSCORE, DUNNINGSTAGE, DUNNINGACTIONS,
COMMISSION, EXPLAIN and RULESTATUS as Python functions with the same names
and arguments as in Excel. Each reads its arguments the way DESIGN §2 says
(blanks give "", wrong types #VALUE!, unknown names #N/A, zero divisors
#DIV/0!, out-of-range numbers #NUM!), takes its policy from the current rules
folder, and returns a plain value. Each function's docstring is its Excel help.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from cellrules import coerce, evaluate, store
from cellrules.errors import ExcelError, na_error, value_error
from cellrules.evaluate import Decision
from cellrules.ranking import RankCache
from cellrules.registry import REGISTRY, Arg, spreadsheet_function

RANKS = RankCache()
_POLICY_HELP = "Name of the policy file in the rules folder"


def _error(value: Any) -> Decision | None:
    return Decision(value) if isinstance(value, ExcelError) else None


# -- TIER ------------------------------------------------------------------
def decide_tier(amount: Any, amounts: Any, policy: Any = None) -> Decision:
    error = coerce.first_error(amount, policy)
    if error:
        return Decision(error)
    if coerce.is_blank(amount):
        return Decision("")
    if amounts is None or not coerce.is_range(amounts) and coerce.is_blank(amounts):
        return Decision(value_error("TIER needs the range of all amounts: =TIER(A2, A$2:A$500)"))
    value = coerce.number(amount, "amount")
    loaded, scheme = store.resolve(policy, "tiers")
    failed = _error(value) or _error(loaded)
    if failed:
        return failed
    scheme = scheme or loaded.policy.default_scheme
    if scheme not in loaded.policy.schemes:
        from cellrules.diagnostics import did_you_mean
        return Decision(na_error(f"no tier scheme '{scheme}' in {loaded.path.name}"
                                 f"{did_you_mean(scheme, loaded.policy.schemes)}"))
    index = RANKS.index(amounts if coerce.is_range(amounts) else [amounts])
    if isinstance(index, ExcelError):
        return Decision(index)
    if index.n == 0:
        return Decision(na_error("the range holds no amounts to rank against"))
    return evaluate.tier(loaded, scheme, value, index)


@spreadsheet_function(
    Arg("amount", "The customer's purchase amount (or a range of amounts to get a column of tiers)", range=True),
    Arg("amounts", "The range of all customers' amounts, e.g. A$2:A$500", optional=True, range=True),
    Arg("policy", _POLICY_HELP + ' (default "tiers"; "tiers:metals" picks a scheme)', optional=True),
    returns="text", spills=True)
def TIER(amount: Any, amounts: Any = None, policy: Any = None) -> Any:
    """Customer tier by rank of amount: VIP (top 1%), Major (next 5%), Normal (next 20%) or Small.

    With one range, =TIER(A2:A500) returns the tier of every amount in it (spills down);
    =TIER(A2:A9, A$2:A$500) returns the tiers of A2:A9 among all the amounts.
    """
    if coerce.is_range(amount):
        cells = list(coerce.cells(amount))
        if amounts is not None and len(cells) == 1:  # one cell passed as a 1×1 range (Office.js)
            return decide_tier(cells[0], amounts, policy).value
        return [decide_tier(a, amount if amounts is None else amounts, policy).value for a in cells]
    return decide_tier(amount, amounts, policy).value


# -- PROFITRATE ------------------------------------------------------------
def decide_profit(revenue: Any, product_cost: Any, service_cost: Any = None, policy: Any = None) -> Decision:
    error = coerce.first_error(revenue, product_cost, service_cost, policy)
    if error:
        return Decision(error)
    if coerce.is_blank(revenue) or coerce.is_blank(product_cost):
        return Decision("")
    rev = coerce.number(revenue, "revenue")
    cost = coerce.number(product_cost, "product_cost")
    service = 0.0 if coerce.is_blank(service_cost) else coerce.number(service_cost, "service_cost")
    loaded, _ = store.resolve(policy, "profit")
    failed = _error(rev) or _error(cost) or _error(service) or _error(loaded)
    return failed or evaluate.profit(loaded, rev, cost, service)


@spreadsheet_function(
    Arg("revenue", "The customer's revenue in the period"),
    Arg("product_cost", "Cost of the products sold to the customer"),
    Arg("service_cost", "Cost to serve: service, visits, delivery (default 0)", optional=True),
    Arg("policy", _POLICY_HELP + ' (default "profit")', optional=True),
    returns="number")
def PROFITRATE(revenue: Any, product_cost: Any, service_cost: Any = None, policy: Any = None) -> Any:
    """Customer profit rate after product cost and cost-to-serve: (revenue − costs) / revenue."""
    return decide_profit(revenue, product_cost, service_cost, policy).value


# -- PROSPECTSCORE ---------------------------------------------------------
_FACTS = ("industry", "title", "region", "trigger")
_BONUSES = ("sold_in_industry", "has_reference", "involved")


def decide_prospect(industry: Any, title: Any, region: Any, trigger: Any = None, sold_in_industry: Any = None,
                    has_reference: Any = None, involved: Any = None, policy: Any = None) -> Decision:
    given = (industry, title, region, trigger, sold_in_industry, has_reference, involved)
    error = coerce.first_error(*given, policy)
    if error:
        return Decision(error)
    if coerce.is_blank(industry) or coerce.is_blank(title) or coerce.is_blank(region):
        return Decision("")
    facts = [coerce.text(v, k) if not coerce.is_blank(v) else "" for k, v in zip(_FACTS, given[:4])]
    flags = [coerce.boolean(v, k) for k, v in zip(_BONUSES, given[4:])]
    loaded, _ = store.resolve(policy, "prospect")
    for value in (*facts, *flags, loaded):
        if isinstance(value, ExcelError):
            return Decision(value)
    return evaluate.prospect(loaded, dict(zip(_FACTS, facts)), dict(zip(_BONUSES, flags)))


@spreadsheet_function(
    Arg("industry", "The prospect's industry, e.g. Manufacturing"),
    Arg("title", "The contact's job title, e.g. CFO"),
    Arg("region", "The prospect's region, e.g. East"),
    Arg("trigger", "A trigger event: merger, new management, expansion", optional=True),
    Arg("sold_in_industry", "TRUE if we have sold in that industry before", optional=True),
    Arg("has_reference", "TRUE if we have a reference customer there", optional=True),
    Arg("involved", "TRUE if we know the decision maker personally", optional=True),
    Arg("policy", _POLICY_HELP + ' (default "prospect")', optional=True),
    returns="number")
def PROSPECTSCORE(industry: Any, title: Any, region: Any, trigger: Any = None, sold_in_industry: Any = None,
                  has_reference: Any = None, involved: Any = None, policy: Any = None) -> Any:
    """Prospect score 0-11: industry, title, region and trigger weights plus bonuses; 0 if outside the targets."""
    return decide_prospect(industry, title, region, trigger, sold_in_industry, has_reference, involved,
                           policy).value


# -- DUNNINGSTAGE / DUNNINGACTIONS -----------------------------------------
def decide_dunning(days_overdue: Any, amount: Any = None, policy: Any = None) -> Decision:
    error = coerce.first_error(days_overdue, amount, policy)
    if error:
        return Decision(error)
    if coerce.is_blank(days_overdue):
        return Decision("")
    days = coerce.number(days_overdue, "days_overdue")
    money = None if coerce.is_blank(amount) else coerce.number(amount, "amount")
    loaded, _ = store.resolve(policy, "dunning")
    return _error(days) or _error(money) or _error(loaded) or evaluate.dunning(loaded, days, money)


_DUNNING_ARGS = (
    Arg("days_overdue", "Days since the due date, e.g. =TODAY()-C2"),
    Arg("amount", "The invoice amount (small invoices may not be escalated)", optional=True),
    Arg("policy", _POLICY_HELP + ' (default "dunning")', optional=True),
)


@spreadsheet_function(*_DUNNING_ARGS, returns="text")
def DUNNINGSTAGE(days_overdue: Any, amount: Any = None, policy: Any = None) -> Any:
    """Escalation stage of an overdue invoice: Current, First notice (30), Second notice (60) or Legal (90)."""
    decision = decide_dunning(days_overdue, amount, policy)
    return decision.value.name if not isinstance(decision.value, str) else decision.value


@spreadsheet_function(*_DUNNING_ARGS, returns="text", spills=True)
def DUNNINGACTIONS(days_overdue: Any, amount: Any = None, policy: Any = None) -> Any:
    """The actions due at an overdue invoice's stage, one per row (spills down)."""
    decision = decide_dunning(days_overdue, amount, policy)
    return list(decision.value.actions) if not isinstance(decision.value, str) else decision.value


# -- COMMISSION ------------------------------------------------------------
def decide_commission(amount: Any, deal_type: Any, policy: Any = None, as_of: Any = None) -> Decision:
    error = coerce.first_error(amount, deal_type, policy, as_of)
    if error:
        return Decision(error)
    if coerce.is_blank(amount) or coerce.is_blank(deal_type):
        return Decision("")
    value = coerce.number(amount, "amount")
    kind = coerce.text(deal_type, "deal_type")
    day = dt.date.today() if coerce.is_blank(as_of) else coerce.date(as_of, "as_of")
    loaded, _ = store.resolve(policy, "commission")
    failed = _error(value) or _error(kind) or _error(day) or _error(loaded)
    return failed or evaluate.commission(loaded, value, kind, day)


@spreadsheet_function(
    Arg("amount", "The deal amount (a negative amount is a refund: the commission is clawed back)"),
    Arg("deal_type", "new or renewal (or an alias from the policy)"),
    Arg("policy", _POLICY_HELP + ' (default "commission")', optional=True),
    Arg("as_of", "Date of the deal: picks the plan version in force (default today)", optional=True),
    returns="number")
def COMMISSION(amount: Any, deal_type: Any, policy: Any = None, as_of: Any = None) -> Any:
    """Commission on a deal: marginal brackets by deal type, e.g. 15% up to 100,000 and 20% above on new deals."""
    return decide_commission(amount, deal_type, policy, as_of).value


# -- EXPLAIN / RULESTATUS --------------------------------------------------
DECIDERS = {"TIER": decide_tier, "PROFITRATE": decide_profit, "PROSPECTSCORE": decide_prospect,
            "DUNNINGSTAGE": decide_dunning, "DUNNINGACTIONS": decide_dunning, "COMMISSION": decide_commission}


@spreadsheet_function(
    Arg("function_name", "The function to explain, e.g. \"COMMISSION\""),
    returns="text",
    rest=Arg("args", "That function's arguments, in its order, e.g. G2, H2 for COMMISSION(G2, H2)", range=True))
def EXPLAIN(function_name: Any, *args: Any) -> Any:
    """Which policy file, version, line and rule produce a function's value for these arguments."""
    name = str(function_name or "").strip().upper()
    decide = DECIDERS.get(name)
    if decide is None:
        from cellrules.diagnostics import did_you_mean
        return na_error(f"cannot explain '{function_name}'{did_you_mean(name, DECIDERS)}")
    decision = decide(*args)
    if isinstance(decision.value, ExcelError):
        return f"{decision.value.code}: {decision.value.reason}"
    if decision.value == "":
        return "blank input: the cell stays empty"
    return decision.explain()


@spreadsheet_function(returns="text")
def RULESTATUS() -> Any:
    """State of the rules folder: OK with the versions in force and their sha256, or which file was refused and why."""
    current = store.current()
    trouble = store.folder_problem(current.folder)
    if trouble:
        return f"ERROR {trouble} ({current.origin}): every cellrules cell gives #N/A"
    rows = current.status()
    refused = [r for r in rows if r["state"] == "refused"]
    if refused:
        first = refused[0]
        return f"REFUSED {first['problems'][0] if first['problems'] else first['path']} ({first['in_force']} in force)"
    versions = ", ".join(f"{r['policy']} {r['version']} (sha256 {r['sha256']})" for r in rows)
    return f"OK {len(rows)} policies from {current.folder} ({current.origin}): {versions}"


__all__ = sorted(REGISTRY)
