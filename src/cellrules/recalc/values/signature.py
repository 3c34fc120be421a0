"""What each Excel function takes: its declaration, read by the evaluator and the array rules.

Owns :func:`excel`, the decorator every Excel function carries beside its code, and :class:`Signature`.
A declaration names, per parameter, one *kind* from a closed set:

========== ===================================================================================
kind       the argument reaches the function as …
========== ===================================================================================
value      one value (a range meets implicit intersection; lifted in an array formula);
           an error value is the function's answer
number     a value converted to a number (blank 0, TRUE 1, numeric text its number) — an error,
           or text that is no number (#VALUE!), is the answer
text       a value converted to text (numbers as General shows them, blank "")
logical    a value converted to TRUE/FALSE (numbers: 0 is FALSE; "TRUE"/"FALSE" text)
date       a value converted to a date serial: a number as for ``number``, or text holding a date and/or
           a time as DATEVALUE/TIMEVALUE read it ("31-Jan-2021 9:30"); other text #VALUE!
any        one value, error values included (IFERROR, ISNA, IF's branches)
range      a reference or array taken whole (a Block; a single cell is a 1×1 range); an error value
           given in its place is the answer
cells      as range, but an error value given in its place reaches the function (COUNT, CHOOSE)
array      as range, and the argument is evaluated with array semantics even in an ordinary
           formula (SUMPRODUCT((A1:A9="x")*B1:B9))
refvalue   a single cell reference is its value, a larger range is taken whole (TYPE, N, T)
areas      as range, and a union of references ``(A1,B2:C3)`` is taken too, its areas' cells in turn (SUM,
           COUNT, LARGE, RANK's list …: Excel's functions that read references as lists of numbers); a union
           anywhere else is #VALUE!
numbers    as areas, and the argument reaches the function as the list of its numbers, Excel's rule for
           aggregates (AVEDEV, MEDIAN, PRODUCT …): in a range or array only numbers count (text, logicals and
           blanks are left out), a value typed as the argument is converted (TRUE 1, "3" 3, other text
           #VALUE!), and an error value anywhere in it is the answer
========== ===================================================================================

A function declared with ``defaults=True`` gives a converting parameter (number, text, logical, date) that has
a Python default that default when its argument is empty or a blank cell — what Microsoft's pages say of an
omitted argument ("if guess is omitted, it is assumed to be 10 percent"): ``IRR(A1:A5,)`` guesses 0.1, not 0.
Without it an empty argument converts as a blank does (0, "", FALSE): ``MATCH(x, r,)`` is an exact match.

Parameters after the declared ones take the kinds of ``rest`` in turn (``rest=("range", "value")``
for COUNTIFS' pairs). :func:`problems` names every function whose declaration is missing or does not
match its Python parameters; a test keeps that list empty.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import numbers
from cellrules.recalc.values.scalars import num, serial_number, text, truth

KINDS = ("value", "number", "text", "logical", "date", "any", "range", "cells", "array", "refvalue", "areas", "numbers")
SCALAR = frozenset({"value", "number", "text", "logical", "date", "any"})
WHOLE = frozenset({"range", "cells", "array", "refvalue", "areas", "numbers"})
UNIONS = frozenset({"areas", "numbers"})  # kinds that take a union of references (A1,B2:C3)
KEEPS = frozenset({"any", "cells", "refvalue"})  # kinds whose error values reach the function
_CONVERT: dict[str, Callable[[Any], Any]] = {"number": num, "text": text, "logical": truth, "date": serial_number}

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Signature:
    """The declared kinds of a function's parameters (see the module)."""

    kinds: tuple[str, ...]
    rest: tuple[str, ...] = ()
    toolpak: bool = False  # an Analysis ToolPak function: a logical where a value goes is #VALUE!
    defaults: tuple[Any, ...] = ()  # per parameter: what an empty or blank argument becomes (NO_DEFAULT: none)

    def kind(self, position: int) -> str:
        """The kind of argument ``position`` (0-based)."""
        if position < len(self.kinds):
            return self.kinds[position]
        if not self.rest:
            return "value"  # past the last parameter: the call fails on its argument count anyway
        return self.rest[(position - len(self.kinds)) % len(self.rest)]

    def takes_union(self, position: int) -> bool:
        """Whether argument ``position`` may be a union of references (A1,B2:C3)."""
        return self.kind(position) in UNIONS

    def takes_range(self, position: int) -> bool:
        """Whether argument ``position`` is taken whole rather than as one value."""
        return self.kind(position) in WHOLE

    @property
    def array_typed(self) -> bool:
        """Whether any parameter is an array (the arguments are then evaluated with array semantics)."""
        return "array" in self.kinds or "array" in self.rest

    def prepare(self, args: list[Any]) -> list[Any] | ExcelError:
        """The arguments converted as declared, or the error value that is the answer: the first (left to
        right) given as an argument or made by converting one, and only then the first inside a ``numbers``
        argument's range — Excel reads a range's contents after its other arguments
        (PERCENTILE(A1:B1, B1) with A1 #VALUE! and B1 #N/A is #N/A)."""
        out = list(args)
        later = []
        for i, arg in enumerate(args):
            kind = self.kind(i)
            if kind in KEEPS:
                continue
            if isinstance(arg, ExcelError):
                return arg
            if arg is None and i < len(self.defaults) and self.defaults[i] is not NO_DEFAULT:
                arg = out[i] = self.defaults[i]
            if self.toolpak and isinstance(arg, bool) and kind in SCALAR and kind != "logical":
                return ExcelError("#VALUE!", "an Analysis ToolPak function takes no TRUE/FALSE here")
            if kind == "numbers":
                later.append(i)
            elif (convert := _CONVERT.get(kind)) is not None:
                value = convert(arg)
                if isinstance(value, ExcelError):
                    return value
                out[i] = value
        for i in later:
            found = numbers((out[i],))
            if isinstance(found, ExcelError):
                return found
            out[i] = found
        return out


def excel(*kinds: str, rest: str | tuple[str, ...] = (), toolpak: bool = False,
          defaults: bool = False) -> Callable[[F], F]:
    """Declare what an Excel function takes (see the module); the function is returned unchanged. ``toolpak``:
    one of the functions that came from the Analysis ToolPak add-in (CONVERT, EDATE, WEEKNUM, GCD …), which
    refuse a logical (TRUE, a cell holding FALSE) where a number, text or value goes. ``defaults``: an empty or
    blank argument of a converting parameter takes the parameter's Python default."""
    rest_kinds = (rest,) if isinstance(rest, str) else tuple(rest)
    unknown = [k for k in (*kinds, *rest_kinds) if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown parameter kind(s) {unknown}; kinds are {', '.join(KINDS)}")

    def declare(fn: F) -> F:
        given = _defaults(fn, kinds) if defaults else ()
        fn.__excel__ = Signature(tuple(kinds), rest_kinds, toolpak, given)  # type: ignore[attr-defined]
        return fn
    return declare


NO_DEFAULT = object()  # a parameter an empty argument does not default


def _defaults(fn: Callable[..., Any], kinds: tuple[str, ...]) -> tuple[Any, ...]:
    """Per declared parameter, the Python default an empty argument takes (converting kinds only)."""
    return tuple(p.default if p.default is not p.empty and p.default is not None and kind in _CONVERT else NO_DEFAULT
                 for p, kind in zip(_positional(fn), kinds))


def _positional(fn: Callable[..., Any]) -> list[inspect.Parameter]:
    """A function's parameters that a call fills by position (not ``*rest``)."""
    return [p for p in inspect.signature(fn).parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def call(fn: Callable[..., Any], args: Any) -> Any:
    """``fn`` called as a cell calls it: its arguments converted as its declaration says (for a function that
    calls another, as SUBTOTAL calls SUM: never the raw arguments)."""
    sig = signature_of(fn)
    prepared = sig.prepare(list(args)) if sig is not None else list(args)
    return prepared if isinstance(prepared, ExcelError) else fn(*prepared)


def signature_of(fn: Callable[..., Any]) -> Signature | None:
    """The declaration a function carries, if any."""
    return getattr(fn, "__excel__", None)


def problems(functions: dict[str, Callable[..., Any]]) -> list[str]:
    """Every function whose declaration is missing or disagrees with its Python parameters."""
    found: list[str] = []
    for name, fn in sorted(functions.items()):
        sig = signature_of(fn)
        if sig is None:
            found.append(f"{name}: no @excel declaration")
            continue
        fixed = _positional(fn)
        variadic = any(p.kind == p.VAR_POSITIONAL for p in inspect.signature(fn).parameters.values())
        if len(fixed) != len(sig.kinds):
            found.append(f"{name}: declares {len(sig.kinds)} parameter(s), the function has {len(fixed)}")
        if variadic != bool(sig.rest):
            found.append(f"{name}: {'takes' if variadic else 'does not take'} more arguments, "
                         f"the declaration says {'no ' if not sig.rest else ''}rest")
    return found
