"""Validation of tier policies (``kind: tiers``).

Owns the checks of tier schemes: each scheme's bands take a share of the
ranked customers (``share: 1%``) and the last takes ``rest``; shares must be
positive, add up to no more than 100%, and leave no customer without a tier.
"""
from __future__ import annotations

from fractions import Fraction

from cellrules.diagnostics import did_you_mean
from cellrules.model import Example, Header, TierBand, TierPolicy, TierScheme
from cellrules.validate.base import Checker

FIELDS = ["default_scheme", "schemes"]
MAX_BANDS = 60


def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> TierPolicy | None:
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
    if not schemes or default not in schemes:
        return None
    return TierPolicy(header, default, schemes, examples)


def _scheme(check: Checker, path: tuple, name: str) -> TierScheme | None:
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
