"""What a policy kind is, and the one table of kinds.

Owns :class:`Kind` — everything one kind of policy brings: the fields of its
rule file and how they become its validated model, its rulesets for
durable-rules, its numpy kernel (the engine-free decider), and its
spreadsheet functions (:class:`Function`: arguments as a cell reads them, the
per-cell decision, the column form) — and :data:`KINDS`, which each kind
module fills once through :func:`register`. The stage modules (validate,
compiler, functions, vector, frame, recalc) iterate this table and never name
a kind. Also owns what those stages share about a decision: :class:`Ruleset`,
:class:`Decision`, the :class:`Decider` interface and :class:`InForce`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Generic, Protocol, TypeVar

import numpy as np

from cellrules.diagnostics import Location
from cellrules.errors import ExcelError
from cellrules.events import MARK, Field
from cellrules.model import Example, Header

if TYPE_CHECKING:
    from cellrules.validate.base import Checker

Rules = dict[str, dict[str, Any]]
EMPTY = object()  # a Param's ``blank``: a blank argument leaves the cell empty


@dataclass(frozen=True)
class Ruleset:
    """One durable-rules ruleset and the meaning of each of its rules."""

    key: str  # scheme name, plan version or "main"
    rules: Rules
    rows: dict[str, Any]  # rule name -> the row it stands for (an index or a tag)


def rule(marker: str, pri: int, *conditions: dict[str, Any]) -> dict[str, Any]:
    """One rule in durable-rules' JSON form: the kind's marker first (so no rule can match the engine's
    own state), then the conditions; the lowest ``pri`` fires first."""
    expr = [{MARK: marker}, *conditions]
    return {"all": [{"m": expr[0] if len(expr) == 1 else {"$and": expr}}], "pri": pri}


@dataclass(slots=True)
class Decision:
    """One answer and where it came from: the value, the policy row's location, the rule, and a sentence."""

    value: Any
    location: Location | None = None
    rule: str = ""
    why: Callable[[], str] | None = None

    def explain(self) -> str:
        """EXPLAIN's text: ``file:line`` then the reason."""
        if self.location is None:
            where = "input"
        else:  # a file and its line, or a worksheet cell (book.xlsx!Sheet!C7)
            where = Path(self.location.path).name + (f":{self.location.line}" if self.location.line else "")
        detail = self.why() if self.why else str(self.value)
        return f"{where} {detail}"


class Decider(Protocol):
    """Chooses the policy row for one call: durable-rules or the numpy kernel, fixed when a policy is compiled."""

    def decide(self, key: str, fields: dict[str, Field]) -> Any:
        """The row (or, for a kind that reads every fired rule, the rows) for one call's fields."""


@dataclass
class InForce:
    """One compiled policy version: the validated model, its file, its decider and a per-version memo."""

    policy: Any  # the kind's policy model (each kind narrows it)
    path: Path
    decider: Decider
    cache: dict[Any, Any] = field(default_factory=dict)

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """A value computed once per policy version in force (a reload starts afresh)."""
        found = self.cache.get(key, self)
        if found is self:
            if len(self.cache) > 4096:
                self.cache.clear()
            found = self.cache[key] = make()
        return found

    def close(self) -> None:
        """Release the decider's engine rulesets, if it has any."""
        closer = getattr(self.decider, "close", None)
        if closer is not None:
            closer()


@dataclass(frozen=True)
class Resolved:
    """A column form's policy argument, resolved: the version in force (or the error every row gets)."""

    loaded: InForce | None
    sub: str  # what follows "name:" in the argument (a tier scheme)
    error: ExcelError | None
    as_of: dt.date  # the day whose policy version is in force (a blank date argument means this day)


@dataclass(frozen=True)
class Param:
    """One argument of a spreadsheet function, as a cell reads it."""

    name: str
    help: str
    reads: str = "number"  # number | text | boolean | date | range | policy
    optional: bool = False
    blank: Any = EMPTY  # what a blank stands for; EMPTY: the cell stays empty
    range: bool = False  # a range is accepted (reads="range" always is)
    missing: str = ""  # a range argument's message when it is not given


@dataclass(frozen=True)
class Function:
    """A spreadsheet function a kind provides: its arguments, its per-cell decision and its column form."""

    name: str
    params: tuple[Param, ...]
    help: str  # first paragraph: the Excel help text
    returns: str  # text | number | any
    decide: Callable[[InForce, str, dict[str, Any]], Decision]
    column: Callable[..., np.ndarray] | None = None  # (Resolved, **columns) -> one answer per row
    show: Callable[[Any], Any] | None = None  # the cell value of a decision's value
    spills: bool = False
    maps_over: str = ""  # a range in the first argument: one answer per cell, ranked among this argument
    rest: Param | None = None  # a repeating last argument (its values handed over as a tuple), if any
    policy: str = ""  # the one policy it always uses (a decision table's own function), if any
    adds_up: bool = False  # its answers are amounts: a column's total means something (the impact report sums these)


P = TypeVar("P")


@dataclass(frozen=True)
class Kind(Generic[P]):
    """Everything one kind of policy brings; registered once by its module. ``P`` is its policy model: what
    ``build`` makes is what ``rulesets``, ``kernel`` and ``own_functions`` take (mypy ties them)."""

    name: str
    fields: tuple[str, ...]  # the rule file's fields beyond the shared header
    build: Callable[[Checker, Header, tuple[Example, ...]], P | None]  # validation: the model, or None
    rulesets: Callable[[P], list[Ruleset]]  # compilation to durable-rules
    kernel: Callable[[P, str, dict[str, Field]], Any]  # the engine-free decider, same answers
    functions: tuple[Function, ...]
    every: bool = False  # the engine reports every rule a fact fires, not only the first
    own_functions: Callable[[P], tuple[Function, ...]] | None = None  # functions a policy of it declares
    position: int = 99  # where its functions come in lists and generated files
    versions: Callable[[P], list[P]] | None = None  # a policy that dates its own parts, as one per version
    migrate: Callable[[Any], bool] | None = None  # an old file's mapping rewritten to today's form, in place

    @property
    def marker(self) -> str:
        """The value of the marker field in this kind's events and rules."""
        return self.name.upper()

    @property
    def default_function(self) -> str:
        """The function an example calls when it does not say."""
        return self.functions[0].name


KINDS: dict[str, Kind[Any]] = {}


def money(value: float) -> str:
    """An amount as an explanation shows it: grouped, at most two decimals, no trailing zeros."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def percent(share: Any) -> str:
    """A share (a Fraction or a float) as a percentage: 15%, 2.5%."""
    return f"{float(share) * 100:g}%"


def in_order() -> list[Kind]:
    """The registered kinds in the order their functions are listed."""
    return sorted(KINDS.values(), key=lambda k: (k.position, k.name))


def register(kind: Kind[P]) -> Kind[P]:
    """Add a kind to the table (once: a second kind of the same name or function is a bug)."""
    taken = {f.name for k in KINDS.values() for f in k.functions}
    if kind.name in KINDS or taken & {f.name for f in kind.functions}:
        raise ValueError(f"kind {kind.name} or one of its functions is registered twice")
    KINDS[kind.name] = kind
    return kind
