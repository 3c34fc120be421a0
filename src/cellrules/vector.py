"""The vectorised path: whole columns in, a column out.

Owns the column form of every spreadsheet function a kind declares one for
(:data:`COLUMNS`, by Excel name), for notebooks, batch recalculation and the
engine-free path: the arguments are bound by name, the policy argument is
resolved once for the whole column (once per policy version where a column
of ``as_of`` dates spans several), and the kind's column function reads its
columns with :mod:`cellrules.columns`, runs its kernel and overlays blanks and
error values exactly as the per-cell function would — a parity test holds
the two paths to the same answers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from cellrules import coerce, store
from cellrules.columns import as_array, dates
from cellrules.errors import ExcelError, value_error
from cellrules.functions import DECIDERS, bind, decider, policy_param
from cellrules.kinds import Function, Kind, Resolved


def _column(fn: Function, kind: Kind) -> Callable[..., np.ndarray]:
    names = [p.name for p in fn.params]
    form = fn.column
    assert form is not None

    named = policy_param(fn)
    rest = fn.rest.name if fn.rest else ""

    def column(*a: Any, **kw: Any) -> np.ndarray:
        args = bind(names, a, kw, rest)
        policy = fn.policy or (args.pop(named.name, None) if named else None)
        extra = args.pop(rest, ()) if rest else ()
        if named is not None and named.missing and coerce.is_blank(policy):
            return form(Resolved(None, "", value_error(named.missing), store.as_of()), *extra, **args)
        when = args.get("as_of")
        if coerce.is_range(when):
            return _by_version(form, kind, policy, args, when)
        day = coerce.date(when, "as_of") if not coerce.is_blank(when) else None
        day = day if isinstance(day, dt.date) else store.as_of()
        resolved = _resolved(policy, kind, day)
        if resolved.loaded is not None:  # the lookup counted one cell; the column's other rows were computed too
            store.note_cells(resolved.loaded, _rows(args) - 1)
        return form(resolved, *extra, **args)

    column.__name__ = column.__qualname__ = fn.name
    column.__doc__ = form.__doc__
    return column


def _resolved(policy: Any, kind: Kind, day: dt.date) -> Resolved:
    loaded, sub = store.resolve(policy, kind.name, day)
    if isinstance(loaded, ExcelError):
        return Resolved(None, sub, loaded, day)
    return Resolved(loaded, sub, None, day)


def _by_version(form: Callable[..., np.ndarray], kind: Kind, policy: Any, args: dict[str, Any],
                when: Any) -> np.ndarray:
    """A column of dates: each row answered by the policy version in force on its date (rows grouped by
    version; one call when every date falls in one version, the usual case)."""
    n = len(as_array(when))
    days = dates(when, "as_of", n)
    today = store.as_of()
    versions = [_resolved(policy, kind, d if isinstance(d, dt.date) else today) for d in days.uniques or []]
    keys = [id(r.loaded) if r.loaded is not None else str(r.error) for r in versions]
    if len(set(keys)) <= 1:
        return form(replace(versions[0], as_of=today) if versions else _resolved(policy, kind, today), **args)
    row_keys = np.array(keys, dtype=object)[days.codes]
    out = np.empty(n, dtype=object)
    for key in dict.fromkeys(keys):
        rows = row_keys == key
        part = {name: (as_array(value)[rows] if coerce.is_range(value) else value) for name, value in args.items()}
        version = versions[keys.index(key)]
        if version.loaded is not None:
            store.note_cells(version.loaded, int(rows.sum()) - 1)
        out[rows] = form(replace(version, as_of=today), **part)  # a blank date: today
    return out


def _rows(args: dict[str, Any]) -> int:
    """How many rows a column call computes: the length of its column arguments (1 when none is one)."""
    return max((len(as_array(v)) for v in args.values() if coerce.is_range(v)), default=1)


class _Columns(Mapping[str, Callable[..., np.ndarray]]):
    """The column form of each function that has one, by Excel name — made from the functions registered
    when asked (a rules folder's own ones, once the folder is in use), each made once."""

    def __init__(self) -> None:
        self._made: dict[tuple[str, int], Callable[..., np.ndarray]] = {}

    def __getitem__(self, name: str) -> Callable[..., np.ndarray]:
        found = decider(name)
        if found is None or found[0].column is None:
            raise KeyError(name)
        key = (name, id(found[0]))
        if key not in self._made:
            self._made[key] = _column(*found)
        return self._made[key]

    def __iter__(self) -> Iterator[str]:
        return iter([name for name, (fn, _) in DECIDERS.items() if fn.column is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)


#: The column form of each function that has one, by Excel name.
COLUMNS = _Columns()
