"""The one exception FEEL evaluation raises: a construct it will not evaluate.

Owns :class:`FeelError` — an expression cellrules refuses to evaluate (a call of
a function that does not exist, an undefined name, a date outside the years
Python can hold) rather than guess at: the decision that needs it is refused
with the reason. Everything else FEEL calls an error is null, as the
specification says.
"""
from __future__ import annotations


class FeelError(Exception):
    """A FEEL expression that cannot be evaluated at all: refused with the reason, never answered."""
