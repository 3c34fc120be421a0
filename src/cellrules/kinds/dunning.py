"""The ``dunning`` policy kind: overdue escalation (DUNNINGSTAGE, DUNNINGACTIONS).

Owns everything about dunning policies: the model (stages over ranges of
whole days overdue, each with its actions, and a minimum amount below which
nothing is escalated), its validation (the stages cover every day from 0 up
with no gap, no overlap and no row that can never fire), its rules (first
match), its kernel, the per-cell decision with its explanation, and the
column form.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cellrules.columns import Col, any_problem, assemble, numbers
from cellrules.diagnostics import Location
from cellrules.events import Field
from cellrules.kinds.base import Decision, Function, InForce, Kind, Param, Resolved, Ruleset, money, register, rule
from cellrules.model import Example, Header
from cellrules.validate.base import Checker
from cellrules.validate.intervals import Finding, analyse, describe

MAX_STAGES = 60


@dataclass(frozen=True)
class Stage:
    """One escalation stage: whole days overdue from ``low`` to ``high`` and the actions due."""

    name: str
    low: int | None  # None: everything below `high`
    high: int | None  # inclusive; None: no upper end
    actions: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class DunningPolicy:
    """A validated dunning policy: the stages in order and the minimum amount escalated."""

    header: Header
    minimum_amount: float
    stages: tuple[Stage, ...]
    examples: tuple[Example, ...] = ()

    @property
    def floor_stage(self) -> Stage:
        """The stage for invoices that are not escalated (0 days overdue)."""
        return next(s for s in self.stages if (s.low is None or s.low <= 0) and (s.high is None or s.high >= 0))


# -- validation ------------------------------------------------------------
def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> DunningPolicy | None:
    """The dunning policy of a rule file, or None when it has errors (each reported on ``check``)."""
    minimum = check.number(("minimum_amount",), low=0, default=0.0)
    rows = check.sequence(("stages",))
    if len(rows) > MAX_STAGES:
        check.error("TOO_MANY_RULES", f"at most {MAX_STAGES} stages", ("stages",))
        return None
    stages: list[Stage] = []
    names: set[str] = set()
    for i, _ in enumerate(rows):
        stage = _stage(check, ("stages", i), names)
        if stage is not None:
            stages.append(stage)
    if len(stages) != len(rows) or not stages:
        return None
    for finding in analyse([(s.low, s.high) for s in stages], start=0):
        _report(check, finding, stages)
    return DunningPolicy(header, float(minimum or 0.0), tuple(stages), examples)


def _stage(check: Checker, path: tuple[Any, ...], names: set[str]) -> Stage | None:
    if check.mapping(path, ["stage", "days"], ["actions"]) is None:
        return None
    name = check.text(path + ("stage",))
    if name in names:
        check.error("DUPLICATE_NAME", f"stage '{name}' appears twice", path + ("stage",))
    names.add(name or "")
    span = check.day_range(path + ("days",))
    actions = check.names(path + ("actions",))
    if name is None or span is None:
        return None
    return Stage(name, span[0], span[1], tuple(actions), check.where(path))


def _report(check: Checker, finding: Finding, stages: list[Stage]) -> None:
    """Each number of days belongs to exactly one stage: a gap, an overlap or a dead row is an error."""
    span = describe(max(finding.low, 0), finding.high)
    if finding.code == "GAP":
        check.error("GAP", f"no stage covers {span} overdue", ("stages",))
        return
    assert finding.row is not None
    name = stages[finding.row].name
    if finding.code == "UNREACHABLE_RULE":
        check.error("UNREACHABLE_RULE", f"stage '{name}' can never be reached: earlier stages already "
                    "cover all of its days", ("stages", finding.row, "days"))
    else:
        check.error("OVERLAP", f"stage '{name}' overlaps an earlier stage: each number of days belongs to "
                    "exactly one stage", ("stages", finding.row, "days"))


# -- compilation and kernel --------------------------------------------------
def rulesets(policy: DunningPolicy) -> list[Ruleset]:
    """One ruleset: below the minimum amount, the stage of 0 days; else the stage whose days hold ``d``."""
    rules, rows = {}, {}
    if policy.minimum_amount > 0:
        rules["below_min"] = rule(KIND.marker, 1, {"$lt": {"amount": policy.minimum_amount}})
        rows["below_min"] = policy.stages.index(policy.floor_stage)
    for i, stage in enumerate(policy.stages):
        cond: list[dict[str, Any]] = []
        if stage.low is not None:
            cond.append({"$gte": {"d": stage.low}})
        if stage.high is not None:
            cond.append({"$lte": {"d": stage.high}})
        rules[f"s{i}"] = rule(KIND.marker, i + 2, *cond)
        rows[f"s{i}"] = i
    return [Ruleset("main", rules, rows)]


def whole_days(days: np.ndarray) -> np.ndarray:
    """Whole days overdue; part of a day does not count, not-yet-due counts as 0."""
    return np.maximum(np.floor(days), 0.0)


def stage_rows(policy: DunningPolicy, days: np.ndarray, amount: np.ndarray) -> np.ndarray:
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


def kernel(policy: DunningPolicy, key: str, fields: dict[str, Field]) -> int:
    """The engine's answer without the engine."""
    amount = float(fields["amount"]) if "amount" in fields else np.nan
    return int(stage_rows(policy, np.array([float(fields["d"])]), np.array([amount]))[0])


# -- the functions ---------------------------------------------------------
def decide(loaded: InForce, sub: str, args: dict[str, Any]) -> Decision:
    """The stage of one invoice (the decision's value is the :class:`Stage`)."""
    policy: DunningPolicy = loaded.policy
    whole = max(math.floor(args["days_overdue"]), 0)  # as whole_days, for one value
    amount = args["amount"]
    event: dict[str, Field] = {"d": whole} if amount is None else {"d": whole, "amount": amount}
    stage = policy.stages[loaded.decider.decide("main", event)]
    below = policy.minimum_amount > 0 and amount is not None and amount < policy.minimum_amount
    reason = (f"amount {money(amount or 0)} is below the minimum {money(policy.minimum_amount)}" if below
              else f"{whole} days overdue")
    return Decision(stage, stage.location, stage.name, lambda: (
        f"{stage.name} ({policy.header.version}): {reason}"
        + (f"; actions: {'; '.join(stage.actions)}" if stage.actions else "")))


def column(res: Resolved, days_overdue: Any, amount: Any = None) -> np.ndarray:
    """DUNNINGSTAGE for a column of days overdue (and optionally amounts)."""
    d = numbers(days_overdue, "days_overdue")
    a = numbers(amount, "amount", len(d.values)) if amount is not None else Col(
        np.full(len(d.values), np.nan), np.ones(len(d.values), dtype=bool))
    computed = np.full(len(d.values), "", dtype=object)
    if res.loaded is not None:
        policy: DunningPolicy = res.loaded.policy
        ok = ~any_problem([d, a], [d])
        amounts = np.where(a.blank, np.nan, a.values)[ok]
        rows = stage_rows(policy, whole_days(d.values[ok]), amounts)
        computed[ok] = np.array([s.name for s in policy.stages], dtype=object)[rows]
    return assemble(computed, [d, a], [d], res.error)


_PARAMS = (
    Param("days_overdue", "Days since the due date, e.g. =TODAY()-C2"),
    Param("amount", "The invoice amount (small invoices may not be escalated)", optional=True, blank=None),
    Param("policy", 'Name of the policy file in the rules folder (default "dunning")', "policy", optional=True),
)
DUNNINGSTAGE = Function(
    "DUNNINGSTAGE", _PARAMS,
    "Escalation stage of an overdue invoice: Current, First notice (30), Second notice (60) or Legal (90).",
    "text", decide, column, show=lambda stage: stage.name)
DUNNINGACTIONS = Function(
    "DUNNINGACTIONS", _PARAMS, "The actions due at an overdue invoice's stage, one per row (spills down).",
    "text", decide, show=lambda stage: list(stage.actions), spills=True)

KIND = register(Kind("dunning", ("minimum_amount", "stages"), build, rulesets, kernel,
                     (DUNNINGSTAGE, DUNNINGACTIONS), position=4))
