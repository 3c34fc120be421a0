"""A ``.dmn`` file in a rules folder → its decisions as policies, and what ``cellrules check`` says of it.

Owns :func:`decisions`: the file checked (size, UTF-8, well-formed XML with no
document type), read into a model, and each decision made a
:class:`DmnDecision` with the part of the graph it needs — its tables
compiled once — or refused with its diagnostics (a FEEL text outside the
grammar in what it needs). Diagnostics are data with the XML line: every
construct cellrules does not run (``UNSUPPORTED``, a warning: the decisions
that need it are refused when they reach it), and what a table's hit policy
implies (``OVERLAP``/``CONFLICT`` under U/A, dead rules under F, ``GAP`` —
warnings, at most :data:`PER_TABLE` a table, then a count).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cellrules.diagnostics import Diagnostic, Location, did_you_mean
from cellrules.dmn import matching
from cellrules.dmn import table as tables
from cellrules.dmn.decision import DmnDecision, arguments, reads
from cellrules.dmn.model import Element, Model, Table, Unreadable
from cellrules.dmn.reader import Reader
from cellrules.dmn.unary import ANY
from cellrules.feel import ast
from cellrules.feel.builtins import FUNCTIONS
from cellrules.dmn.xml import DmnError, parse
from cellrules.model import Header
from cellrules.source import MAX_BYTES

ALWAYS = dt.date(1900, 1, 1)  # a DMN file carries no effective date: its decisions are in force from the start
PER_TABLE = 20  # diagnostics a table's hit-policy checks report, at most (then a count)
ERRORS = ("BAD_TEST", "BAD_EXPRESSION", "DMN_SYNTAX")
_TYPES = {"number": "number", "text": "text", "boolean": "boolean", "date": "date"}

Found = dict[str, "DmnDecision | list[Diagnostic]"]


def read_model(path: Path) -> tuple[Model | None, list[Diagnostic]]:
    """The model of a DMN file, or None with the reason it cannot be read."""
    where = Location(str(path), 1, 1)
    if path.stat().st_size > MAX_BYTES:
        return None, [Diagnostic("FILE_ERROR", f"the file is larger than {MAX_BYTES:,} bytes; a rule file may not be",
                                 where)]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Diagnostic("FILE_ERROR", "the file is not UTF-8 text", where)]
    try:
        root = parse(text)
        if root.tag != "definitions":
            raise DmnError("its root element is not <definitions>")
    except DmnError as exc:
        return None, [Diagnostic("DMN_SYNTAX", f"not a DMN file cellrules can read: {exc}", where)]
    return Reader(str(path), root, text).model(), []


def decisions(path: Path) -> tuple[Found, list[Diagnostic]]:
    """Every decision of a DMN file by name: a policy, or the diagnostics that refuse it; and the file's
    diagnostics."""
    model, problems = read_model(path)
    if model is None:
        return {}, problems
    declared = _declared(model)
    problems += _unreadable(model) + _unknown_names(model, declared)
    found: Found = {}
    for element in model.elements.values():
        if element.kind != "decision":
            continue
        if element.name in found:  # two decisions of one name: neither is run, which one is meant is a guess
            problems.append(Diagnostic("DUPLICATE_NAME", f"two decisions are named '{element.name}'; rename one",
                                       element.location))
            found[element.name] = [problems[-1]]
            continue
        closure = _closure(model, element)
        broken = [d for d in problems if d.severity == "error" and any(_inside(d, e) for e in closure)]
        if broken:
            found[element.name] = broken
            continue
        found[element.name] = _policy(model, element, closure, declared)
    for compiled in {k: c for d in found.values() if isinstance(d, DmnDecision) for k, c in d.compiled.items()}.values():
        problems += _implied(compiled)
    return found, problems


def _policy(model: Model, element: Element, closure: list[Element], declared: set[str]) -> DmnDecision:
    compiled = {t.key: tables.compile_table(t) for e in closure for t in _tables(e.logic)}
    inputs = [e for e in model.elements.values() if e.kind == "input" and e in closure]
    free = [n for e in closure if e.logic is not None for n in reads(e.logic) if _free(n, declared)]
    header = Header(name=element.name, kind="decision_table", version="dmn", effective_from=ALWAYS,
                    description=f"decision '{element.name}' of {Path(model.path).name}", location=element.location,
                    digest=model.digest)
    return DmnDecision(header, model, element, compiled, arguments(model, inputs, list(dict.fromkeys(free))))


def _closure(model: Model, start: Element) -> list[Element]:
    """The elements a decision may need: what it requires, what it reads by name, and so on down."""
    seen: dict[str, Element] = {}
    stack = [start]
    while stack:
        element = stack.pop()
        if element.id in seen:
            continue
        seen[element.id] = element
        ids = list(element.requires) + list(element.knowledge) + list(element.outputs) + list(element.service_inputs)
        names = reads(element.logic) if element.logic is not None else set()
        stack += [model.elements[i] for i in ids if i in model.elements]
        stack += [e for n in names for e in [model.by_name(n) or model.by_name(n.split(".")[0])] if e is not None]
    return list(seen.values())


def _tables(box: Any) -> list[Table]:
    found: list[Table] = []
    stack = [box]
    while stack:
        item = stack.pop()
        if isinstance(item, Table):
            found.append(item)
        elif isinstance(item, tuple):
            stack.extend(item)
        elif hasattr(item, "__dataclass_fields__") and not isinstance(item, (Unreadable,)):
            stack.extend(getattr(item, f) for f in item.__dataclass_fields__)
    return found


def _boxes(box: Any) -> list[Unreadable]:
    found: list[Unreadable] = []
    stack = [box]
    while stack:
        item = stack.pop()
        if isinstance(item, Unreadable):
            found.append(item)
        elif isinstance(item, tuple):
            stack.extend(item)
        elif hasattr(item, "__dataclass_fields__") and not isinstance(item, Table):
            stack.extend(getattr(item, f) for f in item.__dataclass_fields__)
    return found


def _unreadable(model: Model) -> list[Diagnostic]:
    out = []
    for element in model.elements.values():
        for box in _boxes(element.logic):
            severity = "error" if box.code in ERRORS else "warning"
            out.append(Diagnostic(box.code, f"{_what(element)}: {box.reason}", box.location, severity))
    return out


def _declared(model: Model) -> set[str]:
    """Every name the model gives a meaning: its elements, components, entries, parameters, the built-ins."""
    declared = set(model.declared) | set(FUNCTIONS) | {"item", "partial"} | set(model.outputs)
    for element in model.elements.values():
        declared |= _bound(element.logic)
    return declared


def _free(name: str, declared: set[str]) -> bool:
    return name not in declared and name.split(".")[0] not in declared


def _unknown_names(model: Model, declared: set[str]) -> list[Diagnostic]:
    """A name an expression reads that the model does not declare: a warning — the decisions that read it
    take it as an argument (as Camunda's engine takes a process variable); text meant literally is quoted."""
    out = []
    for element in model.elements.values():
        if element.logic is None:
            continue
        for name in reads(element.logic):
            if not _free(name, declared):
                continue
            hint = did_you_mean(name, sorted(declared))
            out.append(Diagnostic("UNKNOWN_NAME", f"{_what(element)}: the name '{name}' is not declared as input "
                                  f"data{hint}; DECIDE takes it as an argument after the declared inputs (text "
                                  f"meant as it is is written in quotes: \"{name}\")",
                                  _where_read(model, element, name), "warning"))
    return out


def _where_read(model: Model, element: Element, name: str) -> Location:
    """The <text> of the first expression of an element that reads ``name`` (else the element)."""
    stack: list[Any] = [element.logic]
    while stack:
        item = stack.pop(0)
        if isinstance(item, (ast.Node, ast.UnaryTests)):
            if name in ast.names_in(item) and id(item) in model.locations:
                return model.locations[id(item)]
        elif isinstance(item, tuple):
            stack.extend(item)
        elif hasattr(item, "__dataclass_fields__"):
            stack.extend(getattr(item, f) for f in item.__dataclass_fields__)
    return element.location


def _bound(box: Any) -> set[str]:
    """Names FEEL texts bind themselves: context keys, loop variables, function parameters."""
    found: set[str] = set()
    stack = [box]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.ContextOf):
            found |= {k for k, _ in item.entries}
        elif isinstance(item, (ast.For, ast.Quantified)):
            found |= {k for k, _ in item.loops}
        elif isinstance(item, ast.FunctionDef):
            found |= set(item.params)
        if isinstance(item, tuple):
            stack.extend(item)
        elif hasattr(item, "__dataclass_fields__"):
            stack.extend(getattr(item, f) for f in item.__dataclass_fields__)
    return found


def _what(element: Element) -> str:
    kinds = {"decision": "decision", "bkm": "business knowledge model", "service": "decision service",
             "input": "input"}
    return f"{kinds[element.kind]} '{element.name}'"


def _inside(diagnostic: Diagnostic, element: Element) -> bool:
    return diagnostic.message.startswith(_what(element) + ":")


def _implied(compiled: tables.Compiled) -> list[Diagnostic]:
    """What the hit policy implies, on tables whose every column is native (warnings, capped)."""
    table = compiled.table
    if not table.rules or any(n is None for n in compiled.native) or table.hit_policy not in ("U", "A", "F"):
        return []
    native = [n if n in _TYPES else "text" for n in compiled.native]
    tests = [[t if t is not None else ANY for t in row] for row in compiled.tests]
    allowed = [None] * len(native)
    outputs = [tuple(str(e) for e in r.outputs) for r in table.rules]
    findings = matching.analyse(table.hit_policy, tests, native, [i.text for i in table.inputs], allowed, outputs,
                                True, with_null=True)
    out = []
    for f in findings[:PER_TABLE]:
        where = table.rules[f.rule].location if f.rule is not None else table.location
        out.append(Diagnostic(f.code, f"decision table '{table.name}': {f.message} under hit policy "
                              f"{table.hit_policy}" + (" (a call with such inputs gives #N/A)" if f.code in
                                                       ("OVERLAP", "CONFLICT") else ""), where, "warning"))
    if len(findings) > PER_TABLE:
        out.append(Diagnostic(findings[PER_TABLE].code, f"decision table '{table.name}': "
                              f"{len(findings) - PER_TABLE} more like these", table.location, "warning"))
    return out

