"""The one registry of spreadsheet functions.

Owns :class:`Spec` (name, arguments with help, help text, what it returns,
whether it spills) and the decorator that registers a function and makes it
safe for a cell: whatever happens inside, the caller gets a value or an
Excel error value with a reason, never an exception. The xlwings module, the
VBA wrapper, the Office.js metadata, the recalc function table and
``cellrules functions`` are all generated from :data:`REGISTRY`.
"""
from __future__ import annotations

import functools
import inspect
import logging
import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError


@dataclass(frozen=True)
class Arg:
    """One argument of a spreadsheet function: name, help, whether it is optional, whether a range is taken."""

    name: str
    help: str
    optional: bool = False
    range: bool = False  # a range (column, row, block) is expected or allowed


@dataclass(frozen=True)
class Spec:
    """A registered spreadsheet function: what every front end generates from."""

    name: str
    args: tuple[Arg, ...]
    help: str  # the first paragraph of the docstring: the Excel help text
    returns: str  # "text" | "number" | "any"
    spills: bool
    func: Callable[..., Any]
    varargs: Arg | None = None  # the repeating argument (``*args``) with its help, if the function has one

    @property
    def signature(self) -> str:
        """The function as help shows it: ``TIER(amount, [amounts], [policy])``."""
        parts = [f"[{a.name}]" if a.optional else a.name for a in self.args]
        if self.varargs:
            parts.append(f"{self.varargs.name}...")
        return f"{self.name}({', '.join(parts)})"


REGISTRY: dict[str, Spec] = {}
LOG = logging.getLogger("cellrules.functions")
#: calls that ended in the catch-all below (an internal bug answered as #VALUE!): tests assert it stays 0
INTERNAL_ERRORS = {"count": 0}


def plain(value: Any) -> Any:
    """Python values a cell can hold (numpy scalars and arrays made plain)."""
    if isinstance(value, ExcelError) or isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else ExcelError("#NUM!", "the result is not a finite number")
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    return value


def spreadsheet_function(*args: Arg, returns: str, spills: bool = False, rest: Arg | None = None) -> Callable:
    """Register a spreadsheet function; its docstring's first paragraph is its Excel help.

    ``rest`` describes the function's ``*args`` (a repeating argument in Excel); it is required when the
    function has one, so no front end falls back to a generic "argument 3" help.
    """

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def safe(*a: Any, **kw: Any) -> Any:
            try:
                return plain(func(*a, **kw))
            except TypeError as exc:  # wrong number of arguments and the like
                return ExcelError("#VALUE!", f"{func.__name__}: {exc}")
            except Exception as exc:  # never a traceback in a cell; logged and counted, for it is a bug
                INTERNAL_ERRORS["count"] += 1
                LOG.error("%s%r failed", func.__name__, a, exc_info=True)
                return ExcelError("#VALUE!", f"{func.__name__} failed: {type(exc).__name__}: {exc}")

        help_text = inspect.cleandoc(func.__doc__ or "").split("\n\n")[0].replace("\n", " ")
        starred = [p.name for p in inspect.signature(func).parameters.values() if p.kind is p.VAR_POSITIONAL]
        if bool(starred) != (rest is not None):
            raise TypeError(f"{func.__name__}: give rest=Arg(...) exactly when the function takes *args")
        if rest is not None and rest.name != starred[0]:
            raise TypeError(f"{func.__name__}: rest is named {rest.name!r} but the function's *args is {starred[0]!r}")
        REGISTRY[func.__name__] = Spec(func.__name__, tuple(args), help_text, returns, spills, safe, rest)
        return safe

    return wrap


def call(name: str, *args: Any, **kwargs: Any) -> Any:
    """Call a registered function by name (case-insensitive)."""
    spec = REGISTRY.get(name.strip().upper())
    if spec is None:
        return ExcelError("#NAME?", f"no spreadsheet function named {name}")
    return spec.func(*args, **kwargs)
