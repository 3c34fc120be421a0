"""Hit policies: from the rules that matched to the table's answer, with DMN's meaning.

Owns :data:`POLICIES` (the letters and DMN's names for them) and :func:`answer`:
given the outputs of the matched rules in rule order, the single-hit
policies (U unique, A any, P priority, F first) give one row or an error, the
multiple-hit policies (R rule order, O output order, C collect) give rows, and
the collect aggregations (C+ sum, C< min, C> max, C# count) give one number.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

#: Letter -> DMN's XML name (hitPolicy, and aggregation for the collect operators).
POLICIES: dict[str, tuple[str, str]] = {
    "U": ("UNIQUE", ""), "A": ("ANY", ""), "P": ("PRIORITY", ""), "F": ("FIRST", ""),
    "R": ("RULE ORDER", ""), "O": ("OUTPUT ORDER", ""), "C": ("COLLECT", ""),
    "C+": ("COLLECT", "SUM"), "C<": ("COLLECT", "MIN"), "C>": ("COLLECT", "MAX"), "C#": ("COLLECT", "COUNT"),
}
AGGREGATE = ("C+", "C<", "C>", "C#")
NAMES = {"UNIQUE": "U", "ANY": "A", "PRIORITY": "P", "FIRST": "F", "RULE ORDER": "R", "OUTPUT ORDER": "O",
         "COLLECT": "C", "SUM": "C+", "MIN": "C<", "MAX": "C>", "COUNT": "C#"}


def letter(name: str, aggregation: str = "") -> str | None:
    """The letter of a hit policy written as a letter (``C+``) or as DMN names it (``RULE ORDER``, ``COLLECT``
    with aggregation ``SUM``); None when it is neither."""
    text = " ".join(str(name).upper().replace("_", " ").split())
    if text in POLICIES:
        return text
    if text == "COLLECT" and aggregation:
        return NAMES.get(aggregation.strip().upper())
    return NAMES.get(text)


@dataclass(frozen=True)
class Outcome:
    """A table's answer: ``rows`` (each the outputs of one hit, in output order), or one aggregated
    ``value``, or a ``problem`` (a violated hit policy, no rule matched)."""

    rows: tuple[tuple[Any, ...], ...] = ()
    value: Any = None
    aggregated: bool = False
    problem: str = ""
    hits: tuple[int, ...] = ()  # the rules behind the answer (0-based)


def answer(policy: str, matched: Sequence[int], outputs: Sequence[tuple[Any, ...]],
           priority: Sequence[dict[Any, int]], distinct: bool = False) -> Outcome:
    """The answer under ``policy`` for the rules ``matched`` (indices, in rule order); ``outputs[i]`` is rule
    i's output row; ``priority[k]`` ranks output k's values (0 first), for P and O; ``distinct``: an
    aggregation over distinct values (Flowable's DMN 1.1 mode)."""
    rows = [tuple(outputs[i]) for i in matched]
    if policy in AGGREGATE:
        return _aggregate(policy, matched, rows, distinct)
    if not matched:
        return Outcome(problem="no rule matches")
    if policy == "U" and len(matched) > 1:
        return Outcome(problem=f"rules {_listed(matched)} all match, and hit policy U allows only one",
                       hits=tuple(matched))
    if policy == "A" and any(row != rows[0] for row in rows[1:]):
        return Outcome(problem=f"rules {_listed(matched)} match with different outputs, and hit policy A "
                       "needs them equal", hits=tuple(matched))
    if policy in ("P", "O"):
        order = sorted(range(len(matched)), key=lambda k: _rank(rows[k], priority))
        if policy == "P":
            return Outcome((rows[order[0]],), hits=(matched[order[0]],))
        return Outcome(tuple(rows[k] for k in order), hits=tuple(matched[k] for k in order))
    if policy in ("U", "A", "F"):
        return Outcome((rows[0],), hits=(matched[0],))
    return Outcome(tuple(rows), hits=tuple(matched))  # R, C: rule order


def _rank(row: tuple[Any, ...], priority: Sequence[dict[Any, int]]) -> tuple[int, ...]:
    """A row's priority: output by output, the place of its value in that output's list (outputs without a
    list do not rank)."""
    return tuple(order.get(value, len(order)) for value, order in zip(row, priority) if order)


def _aggregate(policy: str, matched: Sequence[int], rows: list[tuple[Any, ...]], distinct: bool) -> Outcome:
    values = [row[0] for row in rows if row and row[0] is not None]
    if distinct:
        values = [v for k, v in enumerate(values) if v not in values[:k]]
    if not values:  # no rule matches: null (or the outputs' defaults), as for every hit policy
        return Outcome(problem="no rule matches", aggregated=True)
    if policy == "C#":
        return Outcome(value=float(len(values)), aggregated=True, hits=tuple(matched))
    if any(isinstance(v, bool) or not isinstance(v, (int, float, Decimal)) for v in values) and policy == "C+":
        return Outcome(problem="C+ adds numbers, and a matched output is not a number", hits=tuple(matched))
    try:
        result = sum(values) if policy == "C+" else (min(values) if policy == "C<" else max(values))
    except TypeError:
        return Outcome(problem=f"{policy} compares its outputs, and they are of different types", hits=tuple(matched))
    return Outcome(value=result, aggregated=True, hits=tuple(matched))


def _listed(matched: Sequence[int]) -> str:
    numbers = [str(i + 1) for i in matched]
    return ", ".join(numbers[:-1]) + " and " + numbers[-1] if len(numbers) > 1 else numbers[0]
