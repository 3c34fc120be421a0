"""The table of Excel's own functions, by name.

Owns :data:`FUNCTIONS`: every upper-case function of the function modules
(:mod:`natives`, :mod:`lookups`, :mod:`information`, :mod:`dates`,
:mod:`texts`, :mod:`mathtrig`, :mod:`matrices`, :mod:`stats`, :mod:`regression`, :mod:`financial`,
:mod:`engineering`, :mod:`logic`, :mod:`distributions`, :mod:`discrete`, :mod:`numerals`, :mod:`dispersion`, :mod:`cashflows`, :mod:`database`,
:mod:`arrayfns`, :mod:`textparts`, :mod:`subtotals`, :mod:`convert`, :mod:`complexes`, :mod:`hypotheses`, :mod:`bonds`, :mod:`yields`, :mod:`workdays`), a Python ``STDEV_S`` being Excel's
``STDEV.S``. It sits above them all; the evaluator looks functions up here, and reads
each function's declaration (:mod:`cellrules.recalc.values.signature`) through :func:`signature`.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from cellrules.recalc.values.signature import Signature, signature_of
from cellrules.recalc.excel import (arrayfns, bonds, cashflows, yields, complexes, convert, database, hypotheses, dates, discrete, dispersion, distributions,
                                    engineering, financial, information, logic, lookups, mathtrig, matrices,
                                    natives, numerals, regression, stats, subtotals, textparts, texts, workdays)

MODULES: tuple[ModuleType, ...] = (natives, lookups, information, dates, texts, mathtrig, matrices, stats, regression, financial,
                                   engineering, logic, distributions, discrete, numerals, dispersion, cashflows,
                                   database, arrayfns, textparts, subtotals, convert, complexes,
                                   hypotheses, bonds, yields, workdays)


def _excel_functions(module: ModuleType) -> dict[str, Callable[..., Any]]:
    return {name.replace("_", "."): obj for name, obj in vars(module).items()
            if name.isupper() and not name.startswith("_") and callable(obj) and not isinstance(obj, type)}


FUNCTIONS: dict[str, Callable[..., Any]] = {}
for _module in MODULES:  # later modules win, as the order above says
    FUNCTIONS.update(_excel_functions(_module))


def signature(name: str) -> Signature:
    """The declaration of Excel function ``name`` (every function has one: tests/test_excel_declarations.py)."""
    sig = signature_of(FUNCTIONS[name])
    if sig is None:
        raise LookupError(f"{name} has no @excel declaration")
    return sig
