"""The ``tiers`` policy kind: customer tiers by rank (TIER).

Owns everything about tier policies: the model (schemes of bands, each a
cumulative share of the ranked customers, the last taking ``rest``), its
validation (positive shares adding up to no more than 100%, no customer
without a tier), its rulesets (one per scheme: rank ≤ the band's cut-off
rank, first match), its kernel (a search among the cut-offs), the per-cell
decision with its explanation, and TIER's column form, which ranks the whole
column once.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from cellrules import coerce
from cellrules.columns import any_problem, as_array, assemble, numbers
from cellrules.diagnostics import Location, did_you_mean
from cellrules.errors import ExcelError, na_error
from cellrules.events import Field
from cellrules.kinds.base import Decision, Function, InForce, Kind, Param, Resolved, Ruleset, percent, register, rule
from cellrules.model import Example, Header
from cellrules.ranking import RankCache, build as build_index, range_values, self_ranks
from cellrules.validate.base import Checker

MAX_BANDS = 60
RANKS = RankCache()  # ranges seen by TIER, ranked once each


@dataclass(frozen=True)
class TierBand:
    """One tier: its name and the cumulative share of ranked customers it reaches (1 for ``rest``)."""

    name: str
    upto: Fraction
    location: Location


@dataclass(frozen=True)
class TierScheme:
    """A named scheme: its bands, best first."""

    name: str
    rank_by: str  # what the amounts are (purchase amount, profit): said in EXPLAIN
    bands: tuple[TierBand, ...]
    location: Location


@dataclass(frozen=True)
class TierPolicy:
    """A validated tiers policy: its schemes and the one used when a formula names none."""

    header: Header
    default_scheme: str
    schemes: dict[str, TierScheme]
    examples: tuple[Example, ...] = ()


# -- validation ------------------------------------------------------------
def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> TierPolicy | None:
    """The tiers policy of a rule file, or None when it has errors (each reported on ``check``)."""
    schemes_node = check.named(("schemes",))
    schemes: dict[str, TierScheme] = {}
    for name in schemes_node or {}:
        scheme = _scheme(check, ("schemes", name), name)
        if scheme is not None:
            schemes[name] = scheme
    default = check.text(("default_scheme",))
    if default is None and schemes_node:
        default = next(iter(schemes_node))
    if schemes_node is not None and default is not None and default not in schemes_node:
        check.error("UNKNOWN_NAME", f"default_scheme '{default}' is not one of the schemes"
                    f"{did_you_mean(default, schemes_node)}", ("default_scheme",))
    if not schemes or default is None or default not in schemes:
        return None
    return TierPolicy(header, default, schemes, examples)


def _scheme(check: Checker, path: tuple[Any, ...], name: str) -> TierScheme | None:
    if check.mapping(path, ["tiers"], ["description", "rank_by"]) is None:
        return None
    rows = check.sequence(path + ("tiers",))
    if len(rows) > MAX_BANDS:
        check.error("TOO_MANY_RULES", f"a scheme may have at most {MAX_BANDS} tiers", path + ("tiers",))
        return None
    bands: list[TierBand] = []
    total, seen, ended = Fraction(0), set(), False
    for i, _ in enumerate(rows):
        here = path + ("tiers", i)
        if check.mapping(here, ["tier", "share"]) is None:
            continue
        tier = check.text(here + ("tier",))
        if tier in seen:
            check.error("DUPLICATE_NAME", f"tier '{tier}' appears twice in scheme '{name}'", here + ("tier",))
        seen.add(tier)
        if ended:
            check.error("UNREACHABLE_RULE", f"tier '{tier}' comes after the 'rest' tier and can never be given",
                        here)
            continue
        if check.get(here + ("share",)) == "rest":
            ended, total = True, Fraction(1)
        else:
            share = check.percent(here + ("share",))
            if share is None:
                continue
            if share == 0:
                check.error("UNREACHABLE_RULE", f"tier '{tier}' has a 0% share and can never be given",
                            here + ("share",))
            total += share
            if total > 1:
                check.error("OVERLAP", f"the shares up to tier '{tier}' add up to {float(total):.0%}, "
                            "more than 100%", here + ("share",))
        if tier is not None:
            bands.append(TierBand(tier, min(total, Fraction(1)), check.where(here)))
    if rows and not ended and total < 1:
        check.error("GAP", f"scheme '{name}' leaves {float(1 - total):.0%} of customers without a tier; "
                    "give the last tier 'share: rest'", path + ("tiers",))
    rank_by = check.text(path + ("rank_by",), default="amount") or "amount"
    return TierScheme(name, rank_by, tuple(bands), check.where(path, key=True))


# -- compilation and kernel --------------------------------------------------
def rulesets(policy: TierPolicy) -> list[Ruleset]:
    """One ruleset per scheme: band i fires when the rank is at most its cut-off ``k<i>`` (the last always)."""
    out = []
    for scheme in policy.schemes.values():
        rules, rows = {}, {}
        for i, band in enumerate(scheme.bands):
            cond = [] if band.upto >= 1 else [{"$lte": {"r": {"$m": f"k{i}"}}}]
            rules[f"b{i}"] = rule(KIND.marker, i + 1, *cond)
            rows[f"b{i}"] = i
        out.append(Ruleset(scheme.name, rules, rows))
    return out


def ceil_share(share: Fraction, n: int) -> int:
    """ceil(share × n), exactly (no floating point)."""
    return -((-share.numerator * n) // share.denominator)


def cutoffs(scheme: TierScheme, n: int) -> list[int]:
    """Last rank of each band but the last: rank r is in band i when r <= cutoff[i]."""
    return [ceil_share(band.upto, n) for band in scheme.bands if band.upto < 1]


def rows_of(ranks: np.ndarray, cut: list[int]) -> np.ndarray:
    """The band of each rank."""
    return np.searchsorted(np.asarray(cut, dtype=np.int64), ranks, side="left")


def kernel(policy: TierPolicy, key: str, fields: dict[str, Field]) -> int:
    """The engine's answer without the engine: the band of rank ``r`` among the event's cut-offs."""
    cut = [int(fields[f"k{i}"]) for i in range(len(fields) - 1)]
    return int(rows_of(np.array([int(fields["r"])]), cut)[0])


# -- TIER ------------------------------------------------------------------
def _scheme_of(policy: TierPolicy, sub: str, loaded: InForce) -> TierScheme | ExcelError:
    name = sub or policy.default_scheme
    scheme = policy.schemes.get(name)
    if scheme is None:
        return na_error(f"no tier scheme '{name}' in {loaded.path.name}{did_you_mean(name, policy.schemes)}")
    return scheme


def decide(loaded: InForce, sub: str, args: dict[str, Any]) -> Decision:
    """The tier of one amount among a range of amounts."""
    policy: TierPolicy = loaded.policy
    scheme = _scheme_of(policy, sub, loaded)
    if isinstance(scheme, ExcelError):
        return Decision(scheme)
    amounts = args["amounts"]
    index = RANKS.index(amounts if coerce.is_range(amounts) else [amounts])
    if isinstance(index, ExcelError):
        return Decision(index)
    if index.n == 0:
        return Decision(na_error("the range holds no amounts to rank against"))
    n, rank = index.n, index.rank(args["amount"])
    event: dict[str, Field] = {"r": rank, **loaded.memo(
        ("tiers", scheme.name, n), lambda: {f"k{i}": k for i, k in enumerate(cutoffs(scheme, n))})}
    band = scheme.bands[loaded.decider.decide(scheme.name, event)]
    return Decision(band.name, band.location, f"{scheme.name}/{band.name}", lambda: (
        f"{band.name} ({policy.header.version}, scheme {scheme.name}): rank {rank} of {n} by {scheme.rank_by}, "
        f"top {percent(band.upto)} = ranks up to {ceil_share(band.upto, n)}"))


def column(res: Resolved, amount: Any, amounts: Any = None) -> np.ndarray:
    """TIER for a column: each amount ranked among ``amounts`` (default: the column itself)."""
    col = numbers(amount, "amount")
    pool = range_values(as_array(amount) if amounts is None else amounts)
    computed = np.full(len(col.values), "", dtype=object)
    error = res.error
    if res.loaded is not None:
        scheme = _scheme_of(res.loaded.policy, res.sub, res.loaded)
        if isinstance(scheme, ExcelError):
            error = scheme
        elif isinstance(pool, ExcelError) or len(pool) == 0:
            computed[:] = [pool if isinstance(pool, ExcelError) else
                           na_error("the range holds no amounts to rank against")] * len(computed)
        else:
            ok = ~any_problem([col], [col])
            if amounts is None and isinstance(pool, np.ndarray) and len(pool) == ok.sum():
                n, ranks = len(pool), self_ranks(col.values[ok])  # the column ranked among itself: one sort
            else:
                index = build_index(pool)
                n, ranks = index.n, index.ranks(col.values[ok])
            rows = rows_of(ranks, cutoffs(scheme, n))
            computed[ok] = np.array([b.name for b in scheme.bands], dtype=object)[rows]
    return assemble(computed, [col], [col], error)


TIER = Function(
    "TIER",
    (Param("amount", "The customer's purchase amount (or a range of amounts to get a column of tiers)", range=True),
     Param("amounts", "The range of all customers' amounts, e.g. A$2:A$500", "range", optional=True,
           missing="TIER needs the range of all amounts: =TIER(A2, A$2:A$500)"),
     Param("policy", 'Name of the policy file in the rules folder (default "tiers"; "tiers:metals" picks a scheme)',
           "policy", optional=True)),
    """Customer tier by rank of amount: VIP (top 1%), Major (next 5%), Normal (next 20%) or Small.

    With one range, =TIER(A2:A500) returns the tier of every amount in it (spills down);
    =TIER(A2:A9, A$2:A$500) returns the tiers of A2:A9 among all the amounts.
    """,
    "text", decide, column, spills=True, maps_over="amounts")

KIND = register(Kind("tiers", ("default_scheme", "schemes"), build, rulesets, kernel, (TIER,), position=1))
