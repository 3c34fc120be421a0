"""The spreadsheet functions.

Owns the step from a cell's arguments to a decision, the same for every
function a policy kind declares: error values passed in propagate, a blank
required argument leaves the cell empty, each argument is read as its
:class:`~cellrules.kinds.base.Param` says (wrong types #VALUE!, bad numbers
#NUM!), the policy version in force is taken from the current rules folder
(on the ``as_of`` date where the function has one), and the kind decides.
Every kind's functions are registered here under their Excel names, with
EXPLAIN and RULESTATUS; each function's docstring is its Excel help.
"""
from __future__ import annotations

import inspect
import logging
import weakref
from typing import Any, Callable

from cellrules import coerce, folders, store
from cellrules.diagnostics import did_you_mean
from cellrules.errors import ExcelError, na_error, value_error
from cellrules.kinds import KINDS, Decision, Function, Kind, Param
from cellrules.kinds.base import EMPTY, in_order
from cellrules.excelnames import EXCEL_FUNCTIONS
from cellrules.registry import REGISTRY, Arg, spreadsheet_function

LOG = logging.getLogger("cellrules.functions")
READERS: dict[str, Callable[[Any, str], Any]] = {
    "number": coerce.number, "text": coerce.text, "boolean": coerce.boolean, "date": coerce.date}


def _read(fn: Function, args: dict[str, Any]) -> dict[str, Any] | Decision:
    """Each argument read as its Param says, or the decision that answers first (an error, a blank)."""
    rest = args.get(fn.rest.name, ()) if fn.rest else ()
    error = coerce.first_error(*(args[p.name] for p in fn.params if p.reads != "range"), *rest)
    if error:
        return Decision(error)
    if any(p.blank is EMPTY and p.reads in READERS and coerce.is_blank(args[p.name]) for p in fn.params):
        return Decision("")
    values: dict[str, Any] = {}
    for p in fn.params:
        value = args[p.name]
        if p.reads == "range":
            if value is None or not coerce.is_range(value) and coerce.is_blank(value):
                return Decision(value_error(p.missing))
            values[p.name] = value
    for p in fn.params:
        value = args[p.name]
        if p.reads in READERS:
            value = p.blank if coerce.is_blank(value) else READERS[p.reads](value, p.name)
            if isinstance(value, ExcelError):
                return Decision(value)
            values[p.name] = value
    if fn.rest:
        values[fn.rest.name] = tuple(rest)
    return values


def policy_param(fn: Function) -> Param | None:
    """The argument that names the policy (``policy``, DECIDE's ``table``), if the function has one."""
    return next((p for p in fn.params if p.reads == "policy"), None)


def decide(fn: Function, kind: Kind, args: dict[str, Any]) -> Decision:
    """One call's decision: arguments read, the policy version in force found, the kind's decision made."""
    values = _read(fn, args)
    if isinstance(values, Decision):
        return values
    if "as_of" in values and values["as_of"] is None:
        values["as_of"] = store.as_of()
    named = policy_param(fn)
    given = fn.policy or (args.get(named.name) if named else None)
    if named is not None and named.missing and coerce.is_blank(given):
        return Decision(value_error(named.missing))
    loaded, sub = store.resolve(given, kind.name, values.get("as_of"))
    if isinstance(loaded, ExcelError):
        return Decision(loaded)
    return fn.decide(loaded, sub, values)


def bind(names: list[str], a: tuple[Any, ...], kw: dict[str, Any], rest: str = "") -> dict[str, Any]:
    """Arguments by name, None where not given, the repeating argument ``rest`` (if any) as a tuple of the
    positional arguments left over (Python's rules: too many or unknown is a TypeError)."""
    if len(a) > len(names) and not rest:
        raise TypeError(f"takes at most {len(names)} arguments ({len(a)} given)")
    args = dict(zip(names, a))
    if rest:
        args[rest] = tuple(a[len(names):])
    for key, value in kw.items():
        if key not in names or key in args:
            raise TypeError(f"unexpected or repeated argument '{key}'")
        args[key] = value
    for name in names[len(a):]:
        args.setdefault(name, None)
    return args


def _cell(fn: Function, kind: Kind) -> Callable[..., Any]:
    """The Python function a cell calls: Excel's name and arguments, the value a cell shows."""
    names = [p.name for p in fn.params]
    first, show = names[0], fn.show

    def value(args: dict[str, Any]) -> Any:
        answer = decide(fn, kind, args).value
        return answer if show is None or isinstance(answer, (str, ExcelError)) else show(answer)

    def cell(*a: Any, **kw: Any) -> Any:
        args = bind(names, a, kw, fn.rest.name if fn.rest else "")
        if fn.maps_over and coerce.is_range(args[first]):
            items, pool = list(coerce.cells(args[first])), args[fn.maps_over]
            if pool is not None and len(items) == 1:  # one cell passed as a 1×1 range (Office.js)
                return value({**args, first: items[0]})
            answers = [value({**args, first: item, fn.maps_over: args[first] if pool is None else pool})
                       for item in items]
            rows = coerce.rows_of(args[first])
            if rows is not None and any(len(r) > 1 for r in rows):  # a block keeps its shape: rows of answers
                width = len(rows[0])
                return [answers[i:i + width] for i in range(0, len(answers), width)]
            return answers
        return value(args)

    cell.__name__ = cell.__qualname__ = fn.name
    cell.__doc__ = inspect.cleandoc(fn.help)
    cell.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None if p.optional else
                          inspect.Parameter.empty) for p in fn.params]
        + ([inspect.Parameter(fn.rest.name, inspect.Parameter.VAR_POSITIONAL)] if fn.rest else []))
    return cell


def _register(fn: Function, kind: Kind) -> Callable[..., Any]:
    args = [Arg(p.name, p.help, p.optional, p.range or p.reads == "range") for p in fn.params]
    rest = Arg(fn.rest.name, fn.rest.help, True, fn.rest.range) if fn.rest else None
    return spreadsheet_function(*args, returns=fn.returns, spills=fn.spills, rest=rest)(_cell(fn, kind))


#: Each function's decision for EXPLAIN, by name: (function, its kind)
DECIDERS: dict[str, tuple[Function, Kind]] = {}
for _kind in in_order():
    for _fn in _kind.functions:
        globals()[_fn.name] = _register(_fn, _kind)
        DECIDERS[_fn.name] = (_fn, _kind)


_FOLDER: dict[str, Any] = {"store": None, "names": []}  # the folder whose own functions are registered


def register_policy_functions(current: store.Store) -> list[str]:
    """The functions the policies of a rules folder declare of their own (a decision table's ``function:``),
    registered beside the others when the folder is put in use; those of the folder used before are taken
    away, so the registry (and Office.js's metadata, ``cellrules functions``) lists the folder in use. A name
    already taken by a built-in function is left to it and logged."""
    before = _FOLDER["store"]() if _FOLDER["store"] is not None else None
    if before is current:
        return []
    for name in _FOLDER["names"]:
        REGISTRY.pop(name, None)
        DECIDERS.pop(name, None)
        _OWN.pop(name, None)
    added: list[str] = []
    _FOLDER.update(store=weakref.ref(current), names=added)
    for loaded in current.in_force():
        kind = KINDS[loaded.policy.header.kind]
        for fn in kind.own_functions(loaded.policy) if kind.own_functions else ():
            why = taken(fn.name)
            if why:
                LOG.warning("%s declares the function %s, which is %s", loaded.path, fn.name, why)
                continue
            _OWN[fn.name] = _register(fn, kind)  # the registry's entry; never a name of this module
            DECIDERS[fn.name] = (fn, kind)
            added.append(fn.name)
    return added


_OWN: dict[str, Callable[..., Any]] = {}  # the functions the folder in use declares, by name


def taken(name: str) -> str | None:
    """What a function name a rules folder declares is already (a cellrules function, an Excel function, a
    name of this module), or None when it is free."""
    if name in REGISTRY and name not in _FOLDER["names"]:
        return "a cellrules function"
    if name in EXCEL_FUNCTIONS or name.replace("_", ".") in EXCEL_FUNCTIONS:
        return "an Excel function"
    if name in globals():
        return "a name cellrules uses"
    return None


store.on_use(register_policy_functions)


def decider(name: str) -> tuple[Function, Kind] | None:
    """The function called ``name`` and its kind; one a rules folder declares is looked for in the folder in
    use (registered then: on first use, never at import)."""
    if name not in DECIDERS:
        register_policy_functions(store.current())
    return DECIDERS.get(name)


def __getattr__(name: str) -> Any:
    """A function a rules folder declares (``functions.CUSTOMERCLASS``), found in the folder in use."""
    if name.isupper() and decider(name) is not None and name in _OWN:
        return _OWN[name]
    raise AttributeError(f"module 'cellrules.functions' has no attribute '{name}'")


@spreadsheet_function(
    Arg("function_name", "The function to explain, e.g. \"COMMISSION\""),
    returns="text",
    rest=Arg("args", "That function's arguments, in its order, e.g. G2, H2 for COMMISSION(G2, H2)", range=True))
def EXPLAIN(function_name: Any, *args: Any) -> Any:
    """Which policy file, version, line and rule produce a function's value for these arguments."""
    name = str(function_name or "").strip().upper()
    found = decider(name)
    if found is None:
        return na_error(f"cannot explain '{function_name}'{did_you_mean(name, DECIDERS)}")
    fn, kind = found
    decision = decide(fn, kind, bind([p.name for p in fn.params], args, {}, fn.rest.name if fn.rest else ""))
    if isinstance(decision.value, ExcelError):
        return f"{decision.value.code}: {decision.value.reason}"
    if decision.value == "":
        return "blank input: the cell stays empty"
    return decision.explain()


@spreadsheet_function(returns="text")
def RULESTATUS() -> Any:
    """State of the rules folder: OK with the versions in force and their sha256, or which file was refused and why."""
    current = store.current()
    trouble = folders.folder_problem(current.folder)
    if trouble:
        return f"ERROR {trouble} ({current.origin}): every cellrules cell gives #N/A"
    rows = current.status()
    refused = [r for r in rows if r["state"] == "refused"]
    if refused:
        first = refused[0]
        return f"REFUSED {first['problems'][0] if first['problems'] else first['path']} ({first['in_force']} in force)"
    versions = ", ".join(f"{r['policy']} {r['version']} (sha256 {r['sha256']})" for r in rows)
    return f"OK {len(rows)} policies from {current.folder} ({current.origin}): {versions}"


__all__ = sorted(REGISTRY)
