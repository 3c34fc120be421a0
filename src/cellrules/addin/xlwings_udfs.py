"""The xlwings UDF module for Windows desktop Excel, generated from the registry.

Owns the wrappers xlwings calls: one per registered spreadsheet function,
built at import time with the function's own arguments and help text
(``@xw.func``, ``@xw.arg(doc=...)``), plus xlwings' ``caller`` so the calling
workbook's folder is searched for ``rules/``. A spilling result becomes a
column; an error value becomes its code and reason as text in the cell.
Point xlwings' ``UDF Modules`` at ``cellrules.addin.xlwings_udfs``.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

from cellrules import functions
from cellrules.errors import ExcelError
from cellrules.registry import REGISTRY, Spec
from cellrules.folders import resolve_folder
from cellrules.store import Store, current, using

_stores: dict[str, Store] = {}


def store_for(caller: Any) -> Store:
    """The store for the calling workbook: CELLRULES_RULES, else rules/ beside it, else the packaged rules."""
    try:
        workbook = caller.sheet.book.fullname
    except Exception:  # no caller (called from VBA or a test): no workbook folder
        workbook = None
    folder = str(resolve_folder(None, workbook)[0])
    if folder not in _stores:
        _stores[folder] = Store(folder)
    return _stores[folder]


def to_cell(value: Any, spills: bool) -> Any:
    """What Excel shows: errors as "#CODE reason", spilled lists as a column, lists of rows as a block."""
    if isinstance(value, ExcelError):
        return f"{value.code} {value.reason}"
    if spills and isinstance(value, list):  # a column; a list of rows (DECIDE's outputs) a block, made rectangular
        rows = [[to_cell(x, False) for x in v] if isinstance(v, list) else [to_cell(v, False)] for v in value]
        width = max((len(r) for r in rows), default=0)
        return [r + [""] * (width - len(r)) for r in rows] or ""
    return value


def _signature(spec: Spec) -> inspect.Signature:
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = [inspect.Parameter("caller", kind)]
    params += [inspect.Parameter(a.name, kind, default=None if a.optional else inspect.Parameter.empty)
               for a in spec.args]
    if spec.varargs:
        params.append(inspect.Parameter(spec.varargs.name, inspect.Parameter.VAR_POSITIONAL))
    return inspect.Signature(params)


def build(spec: Spec, func: Callable, arg: Callable) -> Callable:
    """One xlwings UDF for ``spec``, decorated with the given xlwings decorators."""
    def udf(caller: Any, *args: Any) -> Any:
        with using(store_for(caller)):
            return to_cell(spec.func(*args), spec.spills)

    udf.__name__ = udf.__qualname__ = spec.name
    udf.__doc__ = spec.help
    udf.__signature__ = _signature(spec)  # type: ignore[attr-defined]
    udf.__module__ = __name__
    for a in spec.args + ((spec.varargs,) if spec.varargs else ()):
        udf = arg(a.name, doc=a.help)(udf)  # the function wizard's help for each argument
    return func(udf)


def _install() -> None:
    """xlwings reads a UDF module's functions when Excel imports it: the functions the rules folder in use
    declares (CELLRULES_RULES, else rules/ in the working folder, else the packaged policies) are registered
    first, so they are imported too. This module is the one place that reads a folder at import, because
    xlwings' "Import Functions" needs the whole list then."""
    import xlwings as xw  # on Windows the real decorators; elsewhere they do nothing
    functions.register_policy_functions(current())
    for spec in REGISTRY.values():
        globals()[spec.name] = build(spec, xw.func, xw.arg)


_install()
