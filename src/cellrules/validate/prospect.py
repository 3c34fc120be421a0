"""Validation of prospect-scoring policies (``kind: prospect``).

Owns the checks of the rubric: the four criteria (industry, title, region,
trigger) each with a weight, whether a miss strikes the prospect out, and
target names with aliases; and the three bonuses.
"""
from __future__ import annotations

from cellrules.model import Criterion, Example, Header, ProspectPolicy, normalise
from cellrules.validate.base import MISSING, Checker, shown

FIELDS = ["criteria", "bonuses"]
CRITERIA = ["industry", "title", "region", "trigger"]
BONUSES = ["sold_in_industry", "has_reference", "involved"]


def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> ProspectPolicy | None:
    criteria = []
    if check.mapping(("criteria",), CRITERIA) is not None:
        for name in CRITERIA:
            if check.get(("criteria", name)) is not None:
                criteria.append(_criterion(check, ("criteria", name), name))
    bonuses: dict[str, int] = {}
    if check.mapping(("bonuses",), [], BONUSES) is not None:
        for name in BONUSES:
            value = check.number(("bonuses", name), low=0, default=0, integer=True)
            bonuses[name] = int(value or 0)
    if len(criteria) != len(CRITERIA) or any(c is None for c in criteria):
        return None
    return ProspectPolicy(header, tuple(criteria), bonuses, examples)


def _criterion(check: Checker, path: tuple, name: str) -> Criterion | None:
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
