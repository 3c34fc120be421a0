"""Validation of commission policies (``kind: commission``).

Owns the checks of effective-dated plan versions: each version has a start
date, deal types (with aliases) and marginal brackets whose upper limits
increase and whose last bracket is open-ended, rates written as percentages.
"""
from __future__ import annotations

from fractions import Fraction

from cellrules.model import Bracket, CommissionPolicy, DealType, Example, Header, PlanVersion, normalise
from cellrules.validate.base import Checker

FIELDS = ["plans"]
MAX_BRACKETS = 60  # per plan version: durable-rules holds at most 64 rules on one numeric field


def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> CommissionPolicy | None:
    plans: list[PlanVersion] = []
    rows = check.sequence(("plans",))
    for i, _ in enumerate(rows):
        plan = _plan(check, ("plans", i))
        if plan is not None:
            plans.append(plan)
    if len(plans) != len(rows) or not plans:
        return None
    seen: dict = {}
    for i, plan in enumerate(plans):
        if plan.effective_from in seen:
            check.error("OVERLAP", f"versions '{seen[plan.effective_from]}' and '{plan.version}' both start on "
                        f"{plan.effective_from}", ("plans", i, "effective_from"))
        seen[plan.effective_from] = plan.version
    return CommissionPolicy(header, tuple(sorted(plans, key=lambda p: p.effective_from)), examples)


def _plan(check: Checker, path: tuple) -> PlanVersion | None:
    if check.mapping(path, ["version", "effective_from", "deal_types"]) is None:
        return None
    version = check.text(path + ("version",))
    start = check.date(path + ("effective_from",))
    deals: list[DealType] = []
    lookup: dict[str, str] = {}
    rows = check.sequence(path + ("deal_types",))
    for i, _ in enumerate(rows):
        deal = _deal(check, path + ("deal_types", i), lookup)
        if deal is not None:
            deals.append(deal)
    if sum(len(d.brackets) for d in deals) > MAX_BRACKETS:
        check.error("TOO_MANY_RULES", f"a plan version may have at most {MAX_BRACKETS} brackets in all",
                    path + ("deal_types",))
        return None
    if version is None or start is None or len(deals) != len(rows):
        return None
    return PlanVersion(version, start, tuple(deals), lookup, check.where(path))


def _deal(check: Checker, path: tuple, lookup: dict[str, str]) -> DealType | None:
    if check.mapping(path, ["deal_type", "brackets"], ["aliases"]) is None:
        return None
    name = check.text(path + ("deal_type",))
    aliases = check.names(path + ("aliases",))
    for label, where in [(name, path + ("deal_type",))] + [(a, path + ("aliases", i)) for i, a in enumerate(aliases)]:
        if label is None:
            continue
        key = normalise(label)
        if key in lookup and lookup[key] != name:
            check.error("DUPLICATE_NAME", f"'{label}' already names deal type '{lookup[key]}'", where)
        lookup.setdefault(key, name or "")
    brackets = _brackets(check, path + ("brackets",))
    if name is None or brackets is None:
        return None
    return DealType(name, tuple(aliases), brackets, check.where(path))


def _brackets(check: Checker, path: tuple) -> tuple[Bracket, ...] | None:
    rows = check.sequence(path)
    out: list[Bracket] = []
    low, base, ok, opened, doubtful = Fraction(0), Fraction(0), True, False, False
    for i, _ in enumerate(rows):
        here = path + (i,)
        before = len(check.diagnostics)
        if check.mapping(here, ["rate"], ["up_to"]) is None:
            ok = False
            continue
        rate = check.percent(here + ("rate",))
        up_to = check.number(here + ("up_to",), low=0)
        if len(check.diagnostics) > before or doubtful:
            # a misspelt or bad field (upto:) leaves the brackets' order unknowable: its own error says it all
            ok, doubtful = False, True
            continue
        if opened:
            check.error("UNREACHABLE_RULE", "this bracket comes after the open-ended bracket "
                        "(the one without 'up_to') and can never apply", here)
            ok = False
            continue
        if up_to is not None and Fraction(up_to) <= low:
            check.error("NOT_INCREASING", f"up_to {up_to:,.0f} must be above the previous bracket's "
                        f"{float(low):,.0f}", here + ("up_to",))
            ok = False
            continue
        if rate is None:
            ok = False
            continue
        opened = up_to is None
        out.append(Bracket(float(low), up_to, rate, float(base), check.where(here)))
        if up_to is not None:
            base += rate * (Fraction(up_to) - low)
            low = Fraction(up_to)
    if ok and out and not opened:
        check.error("GAP", f"amounts above {float(low):,.0f} fall in no bracket; "
                    "leave out 'up_to' on the last bracket", path)
        ok = False
    return tuple(out) if ok and out else None
