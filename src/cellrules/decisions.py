"""The Python API of decisions: a decision of the rules folder evaluated from named inputs.

Owns :func:`evaluate` — what ``DECIDE`` does for a cell, for a Python caller
who has named values (a DMN decision's inputs may be structures and lists:
``{"Applicant": {"Age": 30}, "Symptoms": ["cough"]}``) — and
:class:`NotAnswered`, raised with the reason when a decision is refused or in
error. Values come back as FEEL gives them (``Decimal`` numbers, dates,
contexts as dicts) or, with ``plain=True``, as plain Python (floats).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from cellrules import store
from cellrules.dmn.decision import DmnDecision
from cellrules.dmn.model import DecisionError, Refused
from cellrules.errors import ExcelError
from cellrules.feel.values import to_python


class NotAnswered(Exception):
    """A decision cellrules does not answer for these inputs, and why (``code``: UNSUPPORTED, ERROR, or the
    policy's own refusal)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def evaluate(name: str, inputs: Mapping[str, Any] | None = None, *, day: dt.date | None = None,
             plain: bool = False) -> Any:
    """The value of the decision ``name`` of the rules folder in force for named ``inputs`` (None: DMN's
    null). A YAML or sheet decision table takes its inputs by column name."""
    found = store.current().get(name, "decision_table", day)
    if isinstance(found, ExcelError):
        raise NotAnswered("POLICY", found.reason)
    policy = found.policy
    given = dict(inputs or {})
    if isinstance(policy, DmnDecision):
        try:
            value, _ = policy.evaluate(given, found.decider.decide)
        except Refused as exc:
            raise NotAnswered(exc.code, str(exc)) from None
        except DecisionError as exc:
            raise NotAnswered("ERROR", str(exc)) from None
        return to_python(value) if plain else value
    from cellrules.registry import REGISTRY  # the cell path answers a YAML table
    value = REGISTRY["DECIDE"].func(name, *[given.get(c.name) for c in policy.inputs])
    if isinstance(value, ExcelError):
        raise NotAnswered("ERROR", value.reason)
    return value
