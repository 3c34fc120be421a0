"""The ``prospect`` policy kind: the prospect rubric (PROSPECTSCORE).

Owns everything about prospect policies: the criteria and bonuses (named
here and nowhere else), the model (each criterion's weight, whether a miss
strikes the prospect out, target names with aliases), its validation, its
rules — one per criterion, so they grow linearly with the criteria: a
strike-out rule for each required criterion and a hit rule for each optional
one, all read from one fact — its kernel, the per-cell decision with its
explanation, and the column form.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from cellrules import coerce
from cellrules.columns import any_problem, as_array, assemble, booleans, per_unique, texts
from cellrules.diagnostics import Location
from cellrules.events import Field, text_key
from cellrules.kinds.base import EMPTY, Decision, Function, InForce, Kind, Param, Resolved, Ruleset, register, rule
from cellrules.model import Example, Header, normalise
from cellrules.validate.base import MISSING, Checker, shown

CRITERIA = ("industry", "title", "region", "trigger")
BONUSES = ("sold_in_industry", "has_reference", "involved")


@dataclass(frozen=True)
class Criterion:
    """One criterion of the rubric: its weight, whether a miss strikes out, and its targets."""

    name: str  # one of CRITERIA
    weight: int
    required: bool
    targets: tuple[str, ...]  # canonical target names
    lookup: dict[str, str]  # normalised name or alias -> canonical name
    location: Location


@dataclass(frozen=True)
class ProspectPolicy:
    """A validated prospect policy: the four criteria in order and the three bonuses' weights."""

    header: Header
    criteria: tuple[Criterion, ...]
    bonuses: dict[str, int]
    examples: tuple[Example, ...] = ()

    def criterion(self, name: str) -> Criterion:
        """The criterion called ``name``."""
        return next(c for c in self.criteria if c.name == name)


# -- validation ------------------------------------------------------------
def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> ProspectPolicy | None:
    """The prospect policy of a rule file, or None when it has errors (each reported on ``check``)."""
    criteria: list[Criterion | None] = []
    if check.mapping(("criteria",), list(CRITERIA)) is not None:
        for name in CRITERIA:
            if check.get(("criteria", name)) is not None:
                criteria.append(_criterion(check, ("criteria", name), name))
    bonuses: dict[str, int] = {}
    if check.mapping(("bonuses",), [], list(BONUSES)) is not None:
        for name in BONUSES:
            value = check.number(("bonuses", name), low=0, default=0, integer=True)
            bonuses[name] = int(value or 0)
    found = [c for c in criteria if c is not None]
    if len(found) != len(CRITERIA):
        return None
    return ProspectPolicy(header, tuple(found), bonuses, examples)


def _criterion(check: Checker, path: tuple[Any, ...], name: str) -> Criterion | None:
    if check.mapping(path, ["weight", "targets"], ["required"]) is None:
        return None
    weight = check.number(path + ("weight",), low=0, integer=True)
    required = check.get(path + ("required",))
    if required is MISSING:
        required = False
    elif not isinstance(required, bool):
        check.error("WRONG_TYPE", f"'required' must be true or false, not {shown(required)}", path + ("required",))
    targets: list[str] = []
    lookup: dict[str, str] = {}
    for i, item in enumerate(check.sequence(path + ("targets",))):
        here = path + ("targets", i)
        if isinstance(item, dict):
            if check.mapping(here, ["name"], ["aliases"]) is None:
                continue
            label = check.text(here + ("name",))
            names = [(label, here + ("name",))] + [
                (a, here + ("aliases", j)) for j, a in enumerate(check.names(here + ("aliases",)))]
        else:
            label = check.text(here)
            names = [(label, here)]
        if label is None:
            continue
        targets.append(label)
        for alias, where in names:
            key = normalise(alias or "")
            if key in lookup:
                check.error("DUPLICATE_NAME", f"'{alias}' is listed twice under {name}", where)
            lookup[key] = label
    if weight is None:
        return None
    return Criterion(name, int(weight), bool(required), tuple(targets), lookup, check.where(path, key=True))


# -- compilation and kernel --------------------------------------------------
def rulesets(policy: ProspectPolicy) -> list[Ruleset]:
    """One rule per criterion: ``strike_<name>`` when a required criterion misses every target,
    ``hit_<name>`` when an optional one matches a target. A fact fires all that apply."""
    rules, rows = {}, {}
    for pri, crit in enumerate(policy.criteria, start=1):
        keys = [text_key(k) for k in sorted(crit.lookup)]
        if crit.required:
            rules[f"strike_{crit.name}"] = rule(KIND.marker, pri, *[{"$neq": {crit.name: k}} for k in keys])
            rows[f"strike_{crit.name}"] = ("strike", crit.name)
        elif keys:
            rules[f"hit_{crit.name}"] = rule(KIND.marker, pri, {"$or": [{crit.name: k} for k in keys]}
                                             if len(keys) > 1 else {crit.name: keys[0]})
            rows[f"hit_{crit.name}"] = ("hit", crit.name)
    return [Ruleset("main", rules, rows)]


def kernel(policy: ProspectPolicy, key: str, fields: dict[str, Field]) -> list[tuple[str, str]]:
    """The engine's answer without the engine: every rule that fires, in rule order."""
    fired = []
    for crit in policy.criteria:
        hit = fields[crit.name] in crit.lookup
        if crit.required and not hit:
            fired.append(("strike", crit.name))
        elif not crit.required and hit:
            fired.append(("hit", crit.name))
    return fired


def scores(policy: ProspectPolicy, hits: dict[str, np.ndarray], bonuses: dict[str, np.ndarray]) -> np.ndarray:
    """Score per row from per-criterion hit masks and yes/no bonus masks (0 where struck out)."""
    struck = np.zeros(next(iter(hits.values())).shape, dtype=bool)
    score = np.zeros(struck.shape, dtype=np.int64)
    for crit in policy.criteria:
        if crit.required:
            struck |= ~hits[crit.name]
        score += np.where(hits[crit.name], crit.weight, 0)
    for name, weight in policy.bonuses.items():
        score += np.where(bonuses[name], weight, 0)
    return np.where(struck, 0, score)


# -- PROSPECTSCORE ---------------------------------------------------------
def decide(loaded: InForce, sub: str, args: dict[str, Any]) -> Decision:
    """The score of one prospect, or 0 with the criterion that struck it out."""
    policy: ProspectPolicy = loaded.policy
    fired = loaded.decider.decide("main", {name: normalise(args[name]) for name in CRITERIA})
    struck = [name for what, name in fired if what == "strike"]
    if struck:
        crit = policy.criterion(struck[0])
        return Decision(0, crit.location, f"strike_{crit.name}", lambda: (
            f"struck out ({policy.header.version}): {crit.name} '{args[crit.name]}' is not one of "
            f"{', '.join(crit.targets)}"))
    hits = {name for what, name in fired if what == "hit"}
    matched = [c for c in policy.criteria if c.required or c.name in hits]
    bonus = [(name, w) for name, w in policy.bonuses.items() if args[name]]
    score = sum(c.weight for c in matched) + sum(w for _, w in bonus)
    parts = [f"{c.name} +{c.weight}" for c in matched if c.weight] + [f"{name} +{w}" for name, w in bonus if w]
    return Decision(score, policy.header.location, "scored", lambda: (
        f"score {score} ({policy.header.version}): " + (", ".join(parts) or "nothing matched")))


def _matcher(crit: Criterion) -> Callable[[Any], bool]:
    """Whether a distinct value of a criterion's column names one of its targets."""
    return lambda value: isinstance(value, str) and normalise(value) in crit.lookup


def column(res: Resolved, industry: Any, title: Any, region: Any, trigger: Any = None,
           sold_in_industry: Any = None, has_reference: Any = None, involved: Any = None) -> np.ndarray:
    """PROSPECTSCORE for columns of prospects (scalars are repeated down the column)."""
    given = {"industry": industry, "title": title, "region": region, "trigger": trigger}
    flagged = {"sold_in_industry": sold_in_industry, "has_reference": has_reference, "involved": involved}
    n = len(as_array(industry)) if coerce.is_range(industry) else 1
    facts = {name: texts(col, name, n) for name, col in given.items()}
    flags = {name: booleans(col, name, n) for name, col in flagged.items()}
    required = [facts[p.name] for p in PROSPECTSCORE.params if p.name in facts and p.blank is EMPTY]
    computed = np.zeros(n, dtype=object)
    args = list(facts.values()) + list(flags.values())
    if res.loaded is not None:
        policy: ProspectPolicy = res.loaded.policy
        ok = ~any_problem(args, required)
        hits = {c.name: per_unique(facts[c.name], _matcher(c), bool)[ok] for c in policy.criteria}
        bonus = {k: per_unique(flags[k], bool, bool)[ok] for k in flags}
        found = scores(policy, hits, bonus)
        if ok.all():
            computed = found  # every row scored: stays an integer column
        else:
            computed[ok] = found.astype(object)
    return assemble(computed, args, required, res.error)


_HELP = {"industry": "The prospect's industry, e.g. Manufacturing", "title": "The contact's job title, e.g. CFO",
         "region": "The prospect's region, e.g. East",
         "trigger": "A trigger event: merger, new management, expansion",
         "sold_in_industry": "TRUE if we have sold in that industry before",
         "has_reference": "TRUE if we have a reference customer there",
         "involved": "TRUE if we know the decision maker personally"}
PROSPECTSCORE = Function(
    "PROSPECTSCORE",
    (*(Param(name, _HELP[name], "text") for name in CRITERIA[:3]),
     Param("trigger", _HELP["trigger"], "text", optional=True, blank=""),
     *(Param(name, _HELP[name], "boolean", optional=True, blank=False) for name in BONUSES),
     Param("policy", 'Name of the policy file in the rules folder (default "prospect")', "policy", optional=True)),
    "Prospect score 0-11: industry, title, region and trigger weights plus bonuses; 0 if outside the targets.",
    "number", decide, column)

KIND = register(Kind("prospect", ("criteria", "bonuses"), build, rulesets, kernel, (PROSPECTSCORE,), every=True, position=3))
