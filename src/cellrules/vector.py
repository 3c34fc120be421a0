"""The vectorised path: whole columns in, a column out.

Owns the column form of every spreadsheet function a kind declares one for
(:data:`COLUMNS`, by Excel name), for notebooks, batch recalculation and the
engine-free path: the arguments are bound by name, the policy argument is
resolved once for the whole column, and the kind's column function reads its
columns with :mod:`cellrules.columns`, runs its kernel and overlays blanks and
error values exactly as the per-cell function would — a parity test holds
the two paths to the same answers.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from cellrules import store
from cellrules.errors import ExcelError
from cellrules.functions import bind
from cellrules.kinds import Function, Kind, Resolved
from cellrules.kinds.base import in_order


def _column(fn: Function, kind: Kind) -> Callable[..., np.ndarray]:
    names = [p.name for p in fn.params]
    form = fn.column
    assert form is not None

    def column(*a: Any, **kw: Any) -> np.ndarray:
        args = bind(names, a, kw)
        loaded, sub = store.resolve(args.pop("policy", None), kind.name)
        day = store.as_of()
        if isinstance(loaded, ExcelError):
            return form(Resolved(None, sub, loaded, day), **args)
        return form(Resolved(loaded, sub, None, day), **args)

    column.__name__ = column.__qualname__ = fn.name
    column.__doc__ = form.__doc__
    return column


#: The column form of each function that has one, by Excel name.
COLUMNS: dict[str, Callable[..., np.ndarray]] = {
    fn.name: _column(fn, kind) for kind in in_order() for fn in kind.functions if fn.column is not None}
