"""Validation of dunning policies (``kind: dunning``).

Owns the checks of the escalation table: each stage covers a range of whole
days overdue ('under 30', '30-59', '90+'); together the stages must cover
every day from 0 up with no gap, no overlap and no row that can never fire.
"""
from __future__ import annotations

from cellrules.model import DunningPolicy, Example, Header, Stage
from cellrules.validate.base import Checker
from cellrules.validate.intervals import analyse, describe

FIELDS = ["minimum_amount", "stages"]
MAX_STAGES = 60


def build(check: Checker, header: Header, examples: tuple[Example, ...]) -> DunningPolicy | None:
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
        _report(check, header.hit_policy, finding, stages)
    return DunningPolicy(header, float(minimum or 0.0), tuple(stages), examples)


def _stage(check: Checker, path: tuple, names: set[str]) -> Stage | None:
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


def _report(check: Checker, hit_policy: str, finding, stages: list[Stage]) -> None:
    span = describe(max(finding.low, 0), finding.high)
    if finding.code == "GAP":
        check.error("GAP", f"no stage covers {span} overdue", ("stages",))
    elif finding.code == "UNREACHABLE_RULE":
        name = stages[finding.row].name
        check.error("UNREACHABLE_RULE", f"stage '{name}' can never be reached: earlier stages already "
                    "cover all of its days", ("stages", finding.row, "days"))
    else:
        name = stages[finding.row].name
        message = f"stage '{name}' overlaps an earlier stage"
        if hit_policy == "unique":
            check.error("OVERLAP", message, ("stages", finding.row, "days"))
        else:
            check.warning("OVERLAP", message + " (the earlier stage wins)", ("stages", finding.row, "days"))
