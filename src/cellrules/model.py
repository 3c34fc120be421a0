"""The validated policy model.

Owns the typed, frozen dataclasses a rule file becomes once it validates.
Later stages (compile, vector, evaluate) read only these, never YAML. Every
row keeps the :class:`Location` it came from so a decision can say which line
produced it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from fractions import Fraction
from typing import Any, Union

from cellrules.diagnostics import Location

KINDS = ("tiers", "profit", "prospect", "dunning", "commission")


@dataclass(frozen=True)
class Header:
    name: str
    kind: str
    version: str
    effective_from: dt.date | None
    description: str
    hit_policy: str
    location: Location
    digest: str  # sha256 of the file text: tells reloads and servers apart


@dataclass(frozen=True)
class Example:
    function: str
    args: dict[str, Any]
    expect: Any
    location: Location


@dataclass(frozen=True)
class TierBand:
    name: str
    upto: Fraction  # cumulative share of customers, 1 for "rest"
    location: Location


@dataclass(frozen=True)
class TierScheme:
    name: str
    rank_by: str
    bands: tuple[TierBand, ...]
    location: Location


@dataclass(frozen=True)
class TierPolicy:
    header: Header
    default_scheme: str
    schemes: dict[str, TierScheme]
    examples: tuple[Example, ...] = ()


@dataclass(frozen=True)
class ProfitPolicy:
    header: Header
    channel_fee: Fraction
    per_customer: float
    location: Location  # of the cost_to_serve block
    examples: tuple[Example, ...] = ()


@dataclass(frozen=True)
class Criterion:
    name: str  # industry | title | region | trigger
    weight: int
    required: bool
    targets: tuple[str, ...]  # canonical target names
    lookup: dict[str, str]  # normalised name or alias -> canonical name
    location: Location


@dataclass(frozen=True)
class ProspectPolicy:
    header: Header
    criteria: tuple[Criterion, ...]
    bonuses: dict[str, int]
    examples: tuple[Example, ...] = ()

    def criterion(self, name: str) -> Criterion:
        return next(c for c in self.criteria if c.name == name)


@dataclass(frozen=True)
class Stage:
    name: str
    low: int | None  # None: everything below `high`
    high: int | None  # inclusive; None: no upper end
    actions: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class DunningPolicy:
    header: Header
    minimum_amount: float
    stages: tuple[Stage, ...]
    examples: tuple[Example, ...] = ()

    @property
    def floor_stage(self) -> Stage:
        """The stage for invoices that are not escalated (0 days overdue)."""
        return next(s for s in self.stages if (s.low is None or s.low <= 0) and (s.high is None or s.high >= 0))


@dataclass(frozen=True)
class Bracket:
    low: float
    high: float | None  # None: open-ended
    rate: Fraction
    base: float  # commission earned on all brackets below this one
    location: Location


@dataclass(frozen=True)
class DealType:
    name: str
    aliases: tuple[str, ...]
    brackets: tuple[Bracket, ...]
    location: Location


@dataclass(frozen=True)
class PlanVersion:
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
    header: Header
    plans: tuple[PlanVersion, ...]  # sorted by effective_from
    examples: tuple[Example, ...] = ()

    def plan_for(self, day: dt.date) -> PlanVersion | None:
        current = None
        for plan in self.plans:
            if plan.effective_from <= day:
                current = plan
        return current


Policy = Union[TierPolicy, ProfitPolicy, ProspectPolicy, DunningPolicy, CommissionPolicy]


def normalise(text: str) -> str:
    """How names are matched: case-insensitive, surrounding and repeated spaces ignored."""
    return " ".join(str(text).split()).casefold()
