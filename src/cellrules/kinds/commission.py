"""The ``commission`` policy kind: commission plans (COMMISSION).

Owns everything about commission policies: the model (plan versions, each
with a start date, deal types with aliases and marginal brackets), its
validation (limits increase, the last bracket is open-ended, rates are
percentages), its rules (one ruleset per plan version: the deal type and the
first bracket whose limit the amount does not pass), its kernel, the
per-cell decision with its explanation, and the column form, which picks the
plan in force on each row's date.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from cellrules.columns import Col, any_problem, assemble, dates, numbers, per_unique, texts
from cellrules.diagnostics import Location, did_you_mean
from cellrules.errors import ExcelError, na_error
from cellrules.events import Field
from cellrules.kinds.base import (Decision, Function, InForce, Kind, Param, Resolved, Ruleset, money, percent,
                                  register, rule)
from cellrules.model import Example, Header, normalise
from cellrules.source import insert_key, take_key
from cellrules.validate.base import MISSING, Checker

MAX_BRACKETS = 60  # per plan version: durable-rules holds at most 64 rules on one numeric field


@dataclass(frozen=True)
class Bracket:
    """Amounts from ``low`` to ``high`` earn ``rate``; ``base`` is what the brackets below earn in all."""

    low: float
    high: float | None  # None: open-ended
    rate: Fraction
    base: float
    location: Location


@dataclass(frozen=True)
class DealType:
    """A kind of deal (new, renewal) with its aliases and brackets."""

    name: str
    aliases: tuple[str, ...]
    brackets: tuple[Bracket, ...]
    location: Location


@dataclass(frozen=True)
class PlanVersion:
    """One version of the plan, in force from its start date until the next version's."""

    version: str
    effective_from: dt.date
    deal_types: tuple[DealType, ...]
    lookup: dict[str, str] = field(default_factory=dict)  # normalised name/alias -> deal type
    location: Location = Location("")

    @cached_property
    def index(self) -> dict[str, int]:
        """Deal type name -> its position (the number the engine matches on)."""
        return {d.name: i for i, d in enumerate(self.deal_types)}


@dataclass(frozen=True)
class CommissionPolicy:
    """A validated commission policy: its plan versions, oldest first."""

    header: Header
    plans: tuple[PlanVersion, ...]
    examples: tuple[Example, ...] = ()

    def plan_for(self, day: dt.date) -> PlanVersion | None:
        """The plan version in force on ``day`` (None before the first)."""
        current = None
        for plan in self.plans:
            if plan.effective_from <= day:
                current = plan
        return current


# -- validation ------------------------------------------------------------
OLD_PLANS = ("'plans:' is the old way to date commission plans: each plan is now a version of the file (its "
             "deal_types at the top or in a 'versions:' entry); `cellrules migrate` rewrites the file")


def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> CommissionPolicy | None:
    """The commission policy of a rule file (or of one of its versions), or None when it has errors (each
    reported on ``check``). A file of the old form, with a ``plans:`` list, is read with a warning; its plans
    become versions of their own (:func:`versions`)."""
    if check.gives("plans") and check.gives("deal_types"):
        check.error("OLD_FORMAT", "give this version's deal_types or the old 'plans:' list, not both; "
                    "`cellrules migrate` rewrites 'plans:' as versions", ("plans",), key=True)
        return None
    if check.gives("deal_types") or check.get(("plans",)) is MISSING:
        if check.get(("deal_types",)) is MISSING:
            check.error("MISSING_FIELD", "a commission policy needs 'deal_types:', each with its brackets", ())
            return None
        plan = _plan_body(check, (), header.version, header.effective_from or dt.date.min)
        return None if plan is None else CommissionPolicy(header, (plan,), examples)
    check.warning("OLD_FORMAT", OLD_PLANS, ("plans",), key=True)
    plans: list[PlanVersion] = []
    rows = check.sequence(("plans",))
    for i, _ in enumerate(rows):
        plan = _plan(check, ("plans", i))
        if plan is not None:
            plans.append(plan)
    if len(plans) != len(rows) or not plans:
        return None
    seen: dict[dt.date, str] = {}
    for i, plan in enumerate(plans):
        if plan.effective_from in seen:
            check.error("OVERLAP", f"versions '{seen[plan.effective_from]}' and '{plan.version}' both start on "
                        f"{plan.effective_from}", ("plans", i, "effective_from"))
        seen[plan.effective_from] = plan.version
    return CommissionPolicy(header, tuple(sorted(plans, key=lambda p: p.effective_from)), examples)


def versions(policy: CommissionPolicy) -> list[CommissionPolicy]:
    """Each plan of an old ``plans:`` file as a version of its own (its version name and start day), so
    ``status``, the audit trail and ``--as-of`` see every plan; the examples stay with the first."""
    if len(policy.plans) == 1 and policy.plans[0].version == policy.header.version:
        return [policy]
    return [CommissionPolicy(replace(policy.header, version=plan.version, effective_from=plan.effective_from,
                                     location=plan.location), (plan,), policy.examples if i == 0 else ())
            for i, plan in enumerate(policy.plans)]


def migrate(data: Any) -> bool:
    """An old file's ``plans:`` rewritten in place as versions (comments kept): the newest plan's version,
    start day and deal types at the top, each older plan an entry of ``versions:``; a ``versions:`` entry that
    holds plans becomes one entry per plan. Whether anything changed."""
    changed = False
    entries = data.get("versions")
    if isinstance(entries, list):
        for i in reversed(range(len(entries))):
            plans = entries[i].get("plans") if isinstance(entries[i], dict) else None
            if isinstance(plans, list) and plans:
                entries[i:i + 1] = list(plans)
                changed = True
    plans = data.get("plans")
    if not isinstance(plans, list) or not plans:
        return changed
    newest = max(plans, key=lambda p: str(p.get("effective_from", "")))
    take_key(data, newest, "version")
    take_key(data, newest, "effective_from")
    insert_key(data, "plans", "deal_types", newest["deal_types"])
    older = [p for p in plans if p is not newest]
    del data["plans"]
    if older:
        if isinstance(entries, list):
            entries[0:0] = older
        else:
            insert_key(data, "examples", "versions", older)
    return True


def _plan(check: Checker, path: tuple[Any, ...]) -> PlanVersion | None:
    if check.mapping(path, ["version", "effective_from", "deal_types"]) is None:
        return None
    version = check.text(path + ("version",))
    start = check.date(path + ("effective_from",))
    plan = _plan_body(check, path, version or "", start or dt.date.min)
    return None if version is None or start is None else plan


def _plan_body(check: Checker, path: tuple[Any, ...], version: str, start: dt.date) -> PlanVersion | None:
    """The deal types at ``path`` (``deal_types:`` below it) as one plan version."""
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
    if len(deals) != len(rows) or not deals:
        return None
    return PlanVersion(version, start, tuple(deals), lookup, check.where(path or ("deal_types",)))


def _deal(check: Checker, path: tuple[Any, ...], lookup: dict[str, str]) -> DealType | None:
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


def _brackets(check: Checker, path: tuple[Any, ...]) -> tuple[Bracket, ...] | None:
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


# -- compilation and kernel --------------------------------------------------
def rulesets(policy: CommissionPolicy) -> list[Ruleset]:
    """One ruleset per plan version: deal type ``deal`` and the first bracket the amount does not pass."""
    out = []
    for plan in policy.plans:
        rules, rows = {}, {}
        pri = 1
        for j, deal in enumerate(plan.deal_types):
            for i, bracket in enumerate(deal.brackets):
                cond: list[dict[str, Any]] = [{"deal": j}]
                if bracket.high is not None:
                    cond.append({"$lte": {"amount": bracket.high}})
                rules[f"d{j}b{i}"] = rule(KIND.marker, pri, *cond)
                rows[f"d{j}b{i}"] = i
                pri += 1
        out.append(Ruleset(plan.version, rules, rows))
    return out


def bracket_rows(plan: PlanVersion, deal: int, amount: np.ndarray) -> np.ndarray:
    """The bracket of each (non-negative) amount for one deal type."""
    highs = [b.high for b in plan.deal_types[deal].brackets if b.high is not None]
    return np.searchsorted(np.asarray(highs, dtype=float), amount, side="left")


def kernel(policy: CommissionPolicy, key: str, fields: dict[str, Field]) -> int:
    """The engine's answer without the engine."""
    plan = next(p for p in policy.plans if p.version == key)
    return int(bracket_rows(plan, int(fields["deal"]), np.array([float(fields["amount"])]))[0])


def values_of(plan: PlanVersion, deal: int, amount: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """base + rate × (|amount| − low), with the amount's sign (clawback); ``amount`` signed."""
    brackets = plan.deal_types[deal].brackets
    base = np.array([b.base for b in brackets])[rows]
    rate = np.array([float(b.rate) for b in brackets])[rows]
    low = np.array([b.low for b in brackets])[rows]
    earned = base + rate * (np.abs(amount) - low)
    return np.where(amount < 0, -earned, earned)


def value_of(plan: PlanVersion, deal: int, row: int, amount: float) -> float:
    """The same formula for one amount (the engine path uses it after choosing ``row``)."""
    bracket = plan.deal_types[deal].brackets[row]
    value = bracket.base + float(bracket.rate) * (abs(amount) - bracket.low)
    return -value if amount < 0 else value


# -- COMMISSION ------------------------------------------------------------
def _no_plan(policy: CommissionPolicy, day: Any) -> ExcelError:
    first = policy.plans[0]
    return na_error(f"no commission plan in force on {day}: the first version, {first.version}, starts "
                    f"{first.effective_from}")



def decide(loaded: InForce, sub: str, args: dict[str, Any]) -> Decision:
    """The commission on one deal under the plan in force on ``as_of``."""
    policy: CommissionPolicy = loaded.policy
    amount, deal_type, day = args["amount"], args["deal_type"], args["as_of"]
    plan = loaded.memo(day, lambda: policy.plan_for(day))
    if plan is None:
        return Decision(_no_plan(policy, day))
    name = plan.lookup.get(normalise(deal_type))
    if name is None:
        return Decision(na_error(f"unknown deal type '{deal_type}' in plan {plan.version}; known: "
                                 f"{', '.join(d.name for d in plan.deal_types)}"
                                 f"{did_you_mean(deal_type, list(plan.lookup))}"))
    deal = plan.index[name]
    row = loaded.decider.decide(plan.version, {"deal": deal, "amount": abs(amount)})
    value = value_of(plan, deal, row, amount)
    dtype = plan.deal_types[deal]
    return Decision(value, dtype.brackets[row].location, f"{plan.version}/{name}",
                    lambda: f"{name} ({plan.version}): {_brackets_text(dtype, row, amount)} = {money(value)}")


def _brackets_text(dtype: DealType, row: int, amount: float) -> str:
    parts = []
    for b in dtype.brackets[: row + 1]:
        part = (b.high if b.high is not None and b is not dtype.brackets[row] else abs(amount)) - b.low
        parts.append(f"{percent(b.rate)} × {money(part)}")
    text = " + ".join(parts)
    return f"−({text})" if amount < 0 else text


def column(res: Resolved, amount: Any, deal_type: Any, as_of: Any = None) -> np.ndarray:
    """COMMISSION for a column of deals; ``as_of`` a date or a column of dates (a blank: the day in force)."""
    amt = numbers(amount, "amount")
    n = len(amt.values)
    kind = texts(deal_type, "deal_type", n)
    when = dates(res.as_of if as_of is None else as_of, "as_of", n)
    when.uniques = [res.as_of if v is None else v for v in when.uniques or []]
    when.stored = None
    when.blank[:] = False
    values = np.zeros(n)
    errors: dict[int, ExcelError] = {}
    if res.loaded is not None:
        policy: CommissionPolicy = res.loaded.policy
        ok = ~any_problem([amt, kind, when], [amt, kind])
        for i, plan in enumerate(policy.plans):
            _plan_rows(values, errors, ok, plan, policy.plans[i + 1:], amt, kind, when)
        early = ok & per_unique(when, lambda v: v is not None and v < policy.plans[0].effective_from, bool)
        for row in np.flatnonzero(early):
            errors[int(row)] = _no_plan(policy, when.values[row])
    computed: np.ndarray = values
    if errors:
        computed = values.astype(object)
        for i, problem in errors.items():
            computed[i] = problem
    return assemble(computed, [amt, kind, when], [amt, kind], res.error)


def _plan_rows(out: np.ndarray, errors: dict[int, ExcelError], ok: np.ndarray, plan: PlanVersion,
               later: tuple[PlanVersion, ...], amt: Col, kind: Col, when: Col) -> None:
    end = later[0].effective_from if later else dt.date.max
    in_force = ok & per_unique(when, lambda v: v is not None and plan.effective_from <= v < end, bool)
    deal = per_unique(kind, lambda k: plan.index.get(plan.lookup.get(normalise(k), ""), -1)
                       if isinstance(k, str) else -1, np.int64)
    for number in range(len(plan.deal_types)):
        rows = in_force & (deal == number)
        values = amt.values[rows]
        out[rows] = values_of(plan, number, values, bracket_rows(plan, number, np.abs(values)))
    for i in np.flatnonzero(in_force & (deal < 0)):
        errors[int(i)] = na_error(f"unknown deal type '{kind.values[i]}' in plan {plan.version}")


COMMISSION = Function(
    "COMMISSION",
    (Param("amount", "The deal amount (a negative amount is a refund: the commission is clawed back)"),
     Param("deal_type", "new or renewal (or an alias from the policy)", "text"),
     Param("policy", 'Name of the policy file in the rules folder (default "commission")', "policy", optional=True),
     Param("as_of", "Date of the deal: picks the plan version in force (default today)", "date", optional=True,
           blank=None)),
    "Commission on a deal: marginal brackets by deal type, e.g. 15% up to 100,000 and 20% above on new deals.",
    "number", decide, column, adds_up=True)

KIND = register(Kind("commission", ("deal_types", "plans"), build, rulesets, kernel, (COMMISSION,), position=5,
                     versions=versions, migrate=migrate))
