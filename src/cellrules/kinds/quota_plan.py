"""The ``quota_plan`` policy kind: commission on quota attainment (PAYOUT, DEALPAYOUT).

Owns everything about quota plans: the model (tiers of attainment = bookings / quota, each paying a
multiplier of the target incentive or a rate on the bookings inside it; a tier may be retroactive; an
optional threshold below which nothing is paid, and a cap), its validation (tiers contiguous from 0%,
ascending, the last open-ended; a cap below the on-target payout warned), its rules (the tier the
attainment reaches, first match), its kernel, the per-cell decisions with their explanation, and the
column forms. A deal's payout is PAYOUT(before + amount) − PAYOUT(before): a list of deals in close order
pays the retroactive catch-up on the deal that crosses into a retroactive tier, and a clawback takes back
what it had added.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from fractions import Fraction
from typing import Any

import numpy as np

from cellrules.columns import any_problem, assemble, numbers
from cellrules.diagnostics import Location
from cellrules.errors import ExcelError, div0_error, num_error, value_error
from cellrules.events import Field
from cellrules.kinds.base import (Decision, Function, InForce, Kind, Param, Resolved, Ruleset, money, percent,
                                  register, rule)
from cellrules.model import Example, Header
from cellrules.validate.base import MISSING, Checker

GATED = -1  # the rule's answer below the threshold: nothing paid
MOST = 10_000  # attainment percentages up to 10,000% may be written


class Multiple(Fraction):
    """A multiplier of the target incentive (exact, as written): reads ×1.5, never 150%."""

    def shown(self) -> str:
        """As the plan writes it."""
        return f"×{float(self):g}"


@dataclass(frozen=True)
class Tier:
    """Attainment from ``low`` (inclusive) to ``high`` (None: no end), paying ``rate`` on what lies inside."""

    low: Fraction
    high: Fraction | None
    rate: Fraction  # a multiplier of the target incentive, or a rate on bookings
    retroactive: bool
    location: Location


@dataclass(frozen=True)
class QuotaPlan:
    """A validated quota plan."""

    header: Header
    pay_on: str  # "incentive" | "bookings"
    tiers: tuple[Tier, ...]
    threshold: Fraction
    cap: Fraction | None  # a share of the target incentive
    cap_amount: float | None
    location: Location
    examples: tuple[Example, ...] = ()

    @cached_property
    def table(self) -> np.ndarray:
        """The float rate each tier pays (columns) by the tier reached (rows; the last row: gated, nothing)."""
        table = np.zeros((len(self.tiers) + 1, len(self.tiers)))
        for reached in range(len(self.tiers)):
            table[reached, : reached + 1] = [float(r) for r in self.rates(reached)]
        return table

    @cached_property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each tier's start and end (inf: no end) as floats."""
        return (np.array([float(t.low) for t in self.tiers]),
                np.array([float(t.high) if t.high is not None else np.inf for t in self.tiers]))

    def rates(self, reached: int) -> list[Fraction]:
        """The rate each tier up to ``reached`` pays: a retroactive tier reached pays its rate below it too."""
        rates = [t.rate for t in self.tiers[: reached + 1]]
        retro = max((i for i in range(reached + 1) if self.tiers[i].retroactive), default=0)
        return [rates[retro] if i < retro else r for i, r in enumerate(rates)]


# -- validation ------------------------------------------------------------------------------------
def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> QuotaPlan | None:
    """The quota plan of a rule file, or None when it has errors (each reported on ``check``)."""
    for field in ("pay_on", "tiers"):
        if check.get((field,)) is MISSING:
            check.error("MISSING_FIELD", f"a quota plan needs the field '{field}'", ())
    pay_on = check.text(("pay_on",))
    if pay_on is not None and pay_on not in ("incentive", "bookings"):
        check.error("WRONG_TYPE", f"'pay_on' must be incentive or bookings, not '{pay_on}'", ("pay_on",))
        return None
    threshold = check.percent(("threshold",), default=Fraction(0), high=MOST)
    cap = check.percent(("cap",), high=MOST)
    cap_amount = check.number(("cap_amount",), low=0)
    if cap is not None and pay_on == "bookings":
        check.error("IGNORED_FIELD", "'cap' is a share of the target incentive, which a plan paying on bookings "
                    "has none of: use cap_amount", ("cap",))
        return None
    tiers = _tiers(check, pay_on or "incentive")
    if pay_on is None or tiers is None or threshold is None:
        return None
    plan = QuotaPlan(header, pay_on, tiers, threshold, cap, cap_amount, check.where(("tiers",), key=True), examples)
    on_target = _scalar(_uncapped(plan), 1.0, 1.0, 1.0, int(tier_rows(plan, np.array([1.0]))[0]))
    if cap is not None and cap < on_target:
        check.warning("BAD_NUMBER", f"the cap {percent(cap)} is below the on-target payout {percent(on_target)}: "
                      "a rep exactly at quota is capped", ("cap",))
    return plan


def _tiers(check: Checker, pay_on: str) -> tuple[Tier, ...] | None:
    path = ("tiers",)
    rows = check.sequence(path)
    pay = "multiplier" if pay_on == "incentive" else "rate"
    out: list[Tier] = []
    low = Fraction(0)
    for i, _ in enumerate(rows):
        here = path + (i,)
        if check.mapping(here, ["from", pay], ["to", "retroactive"]) is None:
            return None
        start, end = check.percent(here + ("from",), high=MOST), check.percent(here + ("to",), high=MOST)
        rate = check.percent(here + ("rate",)) if pay == "rate" else _multiplier(check, here + ("multiplier",))
        retro = check.get(here + ("retroactive",))
        if start is None or rate is None or not _contiguous(check, here, low, start, end, out):
            return None
        if retro is True and any(t.rate > rate for t in out):
            check.error("NOT_INCREASING", f"this tier is retroactive but pays less ({_rate(rate, pay)}) than a tier "
                        "below it: reaching it would lower the payout already earned; make it not retroactive, "
                        "or its rate at least the lower tiers'", here + ("retroactive",))
            return None
        out.append(Tier(start, end, rate, retro is True, check.where(here)))
        low = end if end is not None else low
    if out and out[-1].high is not None:
        check.error("GAP", f"attainment above {percent(out[-1].high)} falls in no tier; leave out 'to' on the "
                    "last tier", path)
        return None
    return tuple(out) if out else None


def _rate(rate: Fraction, pay: str) -> str:
    return percent(rate) if pay == "rate" else f"×{float(rate):g}"


def _multiplier(check: Checker, path: tuple[Any, ...]) -> Fraction | None:
    value = check.number(path, low=0)
    return Multiple(str(value)) if value is not None else None


def _contiguous(check: Checker, here: tuple[Any, ...], low: Fraction, start: Fraction, end: Fraction | None,
                before: list[Tier]) -> bool:
    """Tiers follow each other from 0% without a gap or an overlap, each ending above where it starts."""
    if before and before[-1].high is None:
        check.error("UNREACHABLE_RULE", "this tier comes after the open-ended tier (the one without 'to') and "
                    "can never apply", here)
        return False
    if start != low:
        code = "GAP" if start > low else "OVERLAP"
        what = f"the previous tier ends at {percent(low)}" if before else "the first tier must start at 0%"
        check.error(code, f"this tier starts at {percent(start)}, but {what}", here + ("from",))
        return False
    if end is not None and end <= start:
        check.error("NOT_INCREASING", f"'to' {percent(end)} must be above 'from' {percent(start)}", here + ("to",))
        return False
    return True


# -- compilation and kernel ------------------------------------------------------------------------
def rulesets(plan: QuotaPlan) -> list[Ruleset]:
    """One ruleset: below the threshold nothing; else the first tier whose end the attainment is below."""
    rules, rows = {}, {}
    if plan.threshold:
        rules["gated"], rows["gated"] = rule(KIND.marker, 1, {"$lt": {"att": float(plan.threshold)}}), GATED
    for i, tier in enumerate(plan.tiers):
        cond = [{"$lt": {"att": float(tier.high)}}] if tier.high is not None else []
        rules[f"t{i}"], rows[f"t{i}"] = rule(KIND.marker, i + 2, *cond), i
    return [Ruleset("main", rules, rows)]


def tier_rows(plan: QuotaPlan, attainment: np.ndarray) -> np.ndarray:
    """The tier each attainment reaches (GATED below the threshold)."""
    highs = np.array([float(t.high) for t in plan.tiers if t.high is not None])
    rows = np.searchsorted(highs, attainment, side="right")
    return np.where(attainment < float(plan.threshold), GATED, rows) if plan.threshold else rows


def kernel(plan: QuotaPlan, key: str, fields: dict[str, Field]) -> int:
    """The engine's answer without the engine."""
    return int(tier_rows(plan, np.array([float(fields["att"])]))[0])


# -- the payout ------------------------------------------------------------------------------------
def _shares(plan: QuotaPlan, attainment: Fraction, reached: int) -> list[tuple[Fraction, Fraction]]:
    """Each tier up to ``reached``: the attainment inside it and the rate it pays, exactly (for EXPLAIN)."""
    return [(min(attainment, t.high if t.high is not None else attainment) - t.low, rate)
            for t, rate in zip(plan.tiers, plan.rates(reached))]


def _uncapped(plan: QuotaPlan) -> QuotaPlan:
    return replace(plan, cap=None, cap_amount=None)


def _inputs(plan: QuotaPlan, quota: float, target: Any) -> ExcelError | None:
    if quota == 0:
        return div0_error("quota is 0: attainment needs a quota")
    if quota < 0:
        return num_error(f"quota is negative ({money(quota)})")
    if plan.pay_on == "incentive" and target is None:
        return value_error("target_incentive is needed: this plan pays a multiple of it")
    if target is not None and target < 0:
        return num_error(f"target_incentive is negative ({money(target)})")
    return None


def _explain(plan: QuotaPlan, bookings: float, quota: float, target: Any, value: float, capped: bool,
             parts: list[tuple[Fraction, Fraction]]) -> str:
    attainment = percent(Fraction(str(bookings)) / Fraction(str(quota)))
    head = f"{plan.header.name} ({plan.header.version}): attainment {attainment}"
    if not parts:
        return f"{head} — below the threshold {percent(plan.threshold)} or nothing booked = 0"
    own = [t.rate for t in plan.tiers]
    terms = []
    for i, (share, rate) in enumerate(parts):
        if share == 0:
            continue
        retro = " (retroactive)" if rate != own[i] else ""
        if plan.pay_on == "incentive":
            terms.append(f"{percent(share)} × {_multiple(rate)} × {money(target)}{retro}")
        else:
            terms.append(f"{money(float(share) * quota)} × {percent(rate)}{retro}")
    cap = " (capped)" if capped else ""
    return f"{head} — {' + '.join(terms)} = {money(value)}{cap}"


def _multiple(rate: Fraction) -> str:
    """A multiplier as plans write it: 1.0, 1.5."""
    return f"{float(rate):.1f}" if rate.denominator in (1, 2, 5, 10) else f"{float(rate):g}"


def _one(loaded: InForce, bookings: float, quota: float, target: Any) -> tuple[ExcelError | float, Any, int]:
    """One payout: (the value or an error, the tier's location, the tier reached)."""
    plan: QuotaPlan = loaded.policy
    problem = _inputs(plan, quota, target)
    if problem is not None:
        return problem, None, GATED
    row = loaded.decider.decide("main", {"att": bookings / quota})
    if len(plan.tiers) >= 8:  # numpy sums 8 terms and more pairwise: take its order
        value = _payouts(plan, np.array([bookings]), np.array([quota]), np.array([target or 0.0]), np.array([row]))[0]
    else:
        value = _scalar(plan, bookings, quota, target or 0.0, row)
    return float(value), plan.tiers[row].location if row != GATED else plan.location, row


def _scalar(plan: QuotaPlan, bookings: float, quota: float, target: float, row: int) -> float:
    """:func:`_payouts` for one row in plain floats, operation for operation (the same digits, a third of
    the time): fewer than 8 terms are summed left to right by numpy too."""
    attainment = bookings / quota
    if row == GATED or not attainment > 0:
        return 0.0
    lows, highs = plan.bounds
    rates = plan.table[row]
    total = 0.0
    for i in range(len(plan.tiers)):
        total += max(min(attainment, float(highs[i])) - float(lows[i]), 0.0) * float(rates[i])
    total *= target if plan.pay_on == "incentive" else quota
    if plan.cap is not None:
        total = min(total, float(plan.cap) * target)
    if plan.cap_amount is not None:
        total = min(total, plan.cap_amount)
    return float(_to_millionth(total))


def _why(plan: QuotaPlan, bookings: float, quota: float, target: Any, value: float, row: int) -> str:
    """The explanation: each tier's share worked out exactly, and whether the cap cut the payout."""
    attainment = Fraction(str(bookings)) / Fraction(str(quota))
    parts = _shares(plan, attainment, row) if row != GATED and attainment > 0 else []
    capped = value < _scalar(_uncapped(plan), bookings, quota, target or 0.0, row)
    return _explain(plan, bookings, quota, target, value, capped, parts)


def _to_millionth(value: Any) -> Any:
    """A payout to a millionth (no float noise such as 145000.00000000003 in a cell)."""
    return np.round(value, 6) + 0.0  # + 0.0: no -0.0


def decide_payout(loaded: InForce, sub: str, args: dict[str, Any]) -> Decision:
    """The period's payout for a rep's bookings."""
    bookings, quota, target = args["bookings"], args["quota"], args["target_incentive"]
    value, where, row = _one(loaded, bookings, quota, target)
    if isinstance(value, ExcelError):
        return Decision(value)
    return Decision(value, where, "payout", lambda: _why(loaded.policy, bookings, quota, target, value, row))


def decide_deal(loaded: InForce, sub: str, args: dict[str, Any]) -> Decision:
    """What one deal adds to the payout: PAYOUT(before + amount) − PAYOUT(before)."""
    amount, before, quota, target = args["amount"], args["bookings_before"], args["quota"], args["target_incentive"]
    after, where, row = _one(loaded, before + amount, quota, target)
    if isinstance(after, ExcelError):
        return Decision(after)
    earlier = float(_one(loaded, before, quota, target)[0])
    value = float(_to_millionth(after - earlier))
    return Decision(value, where, "deal", lambda: (
        f"{_why(loaded.policy, before + amount, quota, target, after, row)}; "
        f"before this deal {money(earlier)}; the deal adds {money(value)}"))


# -- column forms ----------------------------------------------------------------------------------
def _payouts(plan: QuotaPlan, bookings: np.ndarray, quota: np.ndarray, target: np.ndarray,
             rows: np.ndarray | None = None) -> np.ndarray:
    """PAYOUT for arrays (rows already checked), in floats, to a millionth; ``rows``: the tiers reached when the
    engine chose them. The per-cell path calls it with one row, so both paths give the same digits."""
    attainment = bookings / quota
    rows = tier_rows(plan, attainment) if rows is None else rows
    base = target if plan.pay_on == "incentive" else quota
    lows, highs = plan.bounds
    shares = np.clip(np.minimum(attainment[:, None], highs) - lows, 0, None)
    total = (shares * plan.table[rows]).sum(axis=1) * base
    total = np.where(attainment > 0, total, 0.0)
    if plan.cap is not None:
        total = np.minimum(total, float(plan.cap) * target)
    return _to_millionth(np.minimum(total, plan.cap_amount) if plan.cap_amount is not None else total)


def _column(res: Resolved, bookings: Any, quota: Any, target: Any, before: Any = None) -> np.ndarray:
    book = numbers(bookings, "bookings")
    n = len(book.values)
    quo = numbers(quota, "quota", n)
    tgt = numbers(np.nan if target is None else target, "target_incentive", n)
    pre = numbers(0.0 if before is None else before, "bookings_before", n)
    computed = np.zeros(n, dtype=object)
    if res.loaded is not None:
        plan: QuotaPlan = res.loaded.policy
        ok = ~any_problem([book, quo, pre], [book, quo, pre])
        missing = tgt.blank | np.isnan(tgt.values)
        with np.errstate(invalid="ignore"):
            suspect = ok & ((quo.values <= 0) | (tgt.values < 0) | (missing & (plan.pay_on == "incentive")))
        good = ok.copy()
        for i in np.flatnonzero(suspect):  # the rows _inputs refuses, with its message
            computed[i] = _inputs(plan, float(quo.values[i]), None if missing[i] else float(tgt.values[i]))
            good[i] = False
        args = (quo.values[good], np.nan_to_num(tgt.values[good]))
        after = _payouts(plan, pre.values[good] + book.values[good], *args)
        computed[good] = _to_millionth(after - _payouts(plan, pre.values[good], *args)) if before is not None else after
    return assemble(computed, [book, quo, pre], [book, quo, pre], res.error)


def column_payout(res: Resolved, bookings: Any, quota: Any, target_incentive: Any = None,
                  as_of: Any = None) -> np.ndarray:
    """PAYOUT for columns of bookings, quotas and target incentives."""
    return _column(res, bookings, quota, target_incentive)


def column_deal(res: Resolved, amount: Any, bookings_before: Any, quota: Any, target_incentive: Any = None,
                as_of: Any = None) -> np.ndarray:
    """DEALPAYOUT for columns of deals."""
    return _column(res, amount, quota, target_incentive, bookings_before)


_PLAN = Param("plan", 'Name of the quota plan in the rules folder (default "quota_plan")', "policy", optional=True)
_AS_OF = Param("as_of", "The day whose plan version is in force (default today)", "date", optional=True, blank=None)
_TARGET = Param("target_incentive", "The rep's on-target incentive for the period (blank for a plan paying on "
                "bookings)", optional=True, blank=None)
PAYOUT = Function(
    "PAYOUT",
    (Param("bookings", "The rep's bookings in the period"), Param("quota", "The rep's quota for the period"),
     _TARGET, _PLAN, _AS_OF),
    "Commission for a period on quota attainment: each attainment tier pays its multiplier of the target "
    "incentive (or its rate on bookings), with retroactive tiers, a threshold and a cap.",
    "number", decide_payout, column_payout, adds_up=True)
DEALPAYOUT = Function(
    "DEALPAYOUT",
    (Param("amount", "The deal's amount (negative: a clawback)"),
     Param("bookings_before", "The rep's bookings in the period before this deal (a running SUMIF)"),
     Param("quota", "The rep's quota for the period"), _TARGET, _PLAN, _AS_OF),
    "What one deal adds to the period's quota payout: PAYOUT(before + amount) − PAYOUT(before), so the deal that "
    "crosses into a retroactive tier pays the catch-up.",
    "number", decide_deal, column_deal, adds_up=True)

KIND = register(Kind("quota_plan", ("pay_on", "tiers", "threshold", "cap", "cap_amount"), build, rulesets, kernel,
                     (PAYOUT, DEALPAYOUT), position=6))
