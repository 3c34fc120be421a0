"""Evaluating a DMN model: a decision from its inputs, its required decisions chained, its boxed expressions.

Owns :class:`Run` — one evaluation of a model for one set of inputs: a
decision's value is computed once, on first use, from the scope of the
model (input data, other decisions, business knowledge models and decision
services, all by name); each boxed expression has its meaning here (context,
invocation, relation, list, function definition, conditional, filter,
for/some/every), decision tables go through :mod:`table` and the engine.
Values are conformed to their declared types as DMN says (a value of another
type is null, a singleton list stands for its item), and each such null is
noted, so a cell can say why.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

from cellrules.dmn import table as tables
from cellrules.dmn.model import (BUILTIN_TYPES, Box, ConditionalBox, ContextBox, DecisionError, Element,
                                 FilterBox, FunctionBox, InvocationBox, ItemDef, IterateBox, ListBox, Literal,
                                 Model, Refused, RelationBox, Table, Unreadable)
from cellrules.feel import ast
from cellrules.feel.builtins import invoke
from cellrules.feel.interpreter import MISSING, Scope, evaluate, test
from cellrules.feel.parser import normalise
from cellrules.feel.temporal import DaysTime, YearsMonths
from cellrules.feel.values import FeelError, Function, Range, kind, string

_CHECKS: dict[str, Callable[[Any], bool]] = {
    "number": lambda v: isinstance(v, Decimal), "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool), "date": lambda v: type(v) is dt.date,
    "time": lambda v: isinstance(v, dt.time), "date and time": lambda v: isinstance(v, dt.datetime),
    "days and time duration": lambda v: isinstance(v, DaysTime),
    "years and months duration": lambda v: isinstance(v, YearsMonths),
    "context": lambda v: isinstance(v, dict), "list": lambda v: isinstance(v, list), "Any": lambda v: True,
}


class ModelScope(Scope):
    """The outermost scope of a run: a name of the model is its value, computed on first use."""

    def __init__(self, run: "Run") -> None:
        super().__init__({})
        self.run = run

    def missing(self, name: str) -> Any:
        """The value of the model's element called ``name`` (computed once per run), or of an input the model
        reads without declaring it."""
        element = self.run.model.by_name(name)
        if element is not None:
            return self.run.value(element)
        if name in self.run.inputs:
            return self.run.inputs[name]
        source = self.run.model.by_output(name)  # Camunda 7: a decision's result by its output's name
        if source is None:
            return MISSING
        value = self.run.value(source)
        return value.get(name) if isinstance(value, dict) else value

    def named_type(self, value: Any, type_name: str) -> bool:
        """``instance of`` an item definition of the model: the value conforms to it as it is."""
        item = self.run.model.items.get(type_name)
        if item is None:
            raise FeelError(f"the type '{type_name}' is not defined")
        return value is not None and self.run._conform_item(value, item, constraints=False) is not None


class Run:
    """One evaluation of a model: the inputs given, the decisions computed so far, what was noted."""

    def __init__(self, model: Model, inputs: dict[str, Any], decide: Callable[[Table], tables.Decide],
                 compiled: Callable[[Table], tables.Compiled], given: dict[str, Any] | None = None) -> None:
        self.model, self.inputs = model, inputs
        self.decide, self.compiled = decide, compiled
        self.memo: dict[str, Any] = dict(given or {})
        self.active: set[str] = set()
        self.notes: list[str] = []
        self.tables: list[tuple[Table, Any]] = []  # each table answered, with its outcome (for EXPLAIN)
        self.scope = ModelScope(self)

    def value(self, element: Element) -> Any:
        """An element's value: an input's (conformed to its type), a decision's, a function's."""
        if element.id in self.memo:
            return self.memo[element.id]
        if element.kind == "input":
            raw = self.inputs.get(element.name, self.inputs.get(normalise(element.name)))
            found = self.conform(raw, element.type_ref, f"input '{element.name}'")
        elif element.kind == "decision":
            found = self.decision(element)
        elif element.kind == "bkm":
            found = self.bkm(element)
        else:
            found = self.service(element)
        self.memo[element.id] = found
        return found

    def decision(self, element: Element) -> Any:
        """A decision's value: its logic evaluated (a decision with none is given, like an input)."""
        if element.id in self.active:
            raise DecisionError(f"decision '{element.name}' depends on itself")
        self.active.add(element.id)
        try:
            if element.logic is None:  # DMN 1.5: a decision without logic is given, like an input
                raw = self.inputs.get(element.name)
            else:
                raw = self.box(element.logic, self.scope)
        finally:
            self.active.discard(element.id)
        return self.conform(raw, element.type_ref, f"decision '{element.name}'")

    def bkm(self, element: Element) -> Function:
        """A business knowledge model as a function of its parameters (null for an argument of the wrong type)."""
        params = tuple(p for p, _ in element.params)
        types = dict(element.params)
        logic = element.logic

        def call(args: list[Any], named: dict[str, Any] | None) -> Any:
            given = dict(zip(params, args)) if named is None else {normalise(k): v for k, v in named.items()}
            if named is not None and set(given) - set(params):
                return None
            local = {p: self.conform(given.get(p), types.get(p), f"parameter '{p}' of '{element.name}'")
                     for p in params}
            if logic is None or any(local[p] is None and given.get(p) is not None for p in params):
                return None  # an argument not of its parameter's type: the invocation gives null
            result = self.box(logic, self.scope.child(local))
            if isinstance(result, Function) and isinstance(logic, FunctionBox):
                return result
            return self.conform(result, element.type_ref, f"'{element.name}'")
        return Function(element.name, params, call)

    def service(self, element: Element) -> Function:
        """A decision service as a function: its input decisions and data in, its output decisions out."""
        params = tuple(self.model.elements[i].name for i in element.service_inputs if i in self.model.elements)

        def call(args: list[Any], named: dict[str, Any] | None) -> Any:
            given = dict(zip(params, args)) if named is None else dict(named)
            inputs = {self.model.elements[i].name: given.get(self.model.elements[i].name)
                      for i in element.service_inputs if i in self.model.elements}
            if not self._typed(element.service_inputs, inputs):
                return None  # an argument not of its input's type: the service is not invoked (TCK 0085 007)
            fixed = {i: inputs.get(self.model.elements[i].name) for i in element.service_inputs
                     if i in self.model.elements and self.model.elements[i].kind == "decision"}
            inner = Run(self.model, inputs, self.decide, self.compiled, fixed)
            outputs = {self.model.elements[i].name: inner.value(self.model.elements[i]) for i in element.outputs
                       if i in self.model.elements}
            result = next(iter(outputs.values())) if len(outputs) == 1 else outputs
            return self.conform(result, self._output_type(element.type_ref), f"decision service '{element.name}'")
        return Function(element.name, params, call)

    def _typed(self, ids: tuple[str, ...], inputs: dict[str, Any]) -> bool:
        """Whether every given value conforms to the type its input data or decision declares."""
        for i in ids:
            element = self.model.elements.get(i)
            value = inputs.get(element.name) if element is not None else None
            if value is not None and element is not None and element.type_ref \
                    and self._conform(value, element.type_ref) is None:
                return False
        return True

    def _output_type(self, type_ref: str | None) -> str | None:
        """The output type of a function item named by ``type_ref`` (None when it is not one)."""
        item = self.model.items.get(type_ref or "")
        return item.function_output if item is not None else None

    # -- boxed expressions ------------------------------------------------------------------
    def box(self, expr: Box, scope: Scope) -> Any:
        """The value of a boxed expression in a scope."""
        try:
            return _BOXES[type(expr)](self, expr, scope)
        except FeelError as exc:
            raise Refused("UNSUPPORTED", str(exc), getattr(expr, "location", None)) from None

    def _literal(self, expr: Literal, scope: Scope) -> Any:
        return self.conform(evaluate(expr.expr, scope), expr.type_ref, "a literal expression")

    def _table(self, expr: Table, scope: Scope) -> Any:
        # An input clause's typeRef is not enforced: modellers leave Camunda Modeler's default ("string") on
        # numeric inputs, and Camunda's and Drools' engines compare the value as it is; so does cellrules.
        values = [evaluate(i.expr, scope) for i in expr.inputs]
        found, outcome = tables.answer(self.compiled(expr), values, scope, self.decide(expr))
        self.tables.append((expr, (values, outcome)))
        return found

    def _context(self, expr: ContextBox, scope: Scope) -> Any:
        values: dict[str, Any] = {}
        local = scope.child(values)
        for key, inner, type_ref in expr.entries:
            found = self.box(inner, local)
            if key is None:
                return found
            values[normalise(key)] = self.conform(found, type_ref, f"entry '{key}'")
        return {k: v for k, v in values.items()}

    def _invocation(self, expr: InvocationBox, scope: Scope) -> Any:
        function = evaluate(expr.target, scope)
        if not isinstance(function, Function):
            name = expr.target.name if isinstance(expr.target, ast.Name) else "?"
            raise DecisionError(f"the invocation calls '{name}', which is not a function of this model")
        named = {name: (self.box(b, scope) if b is not None else None) for name, b in expr.bindings}
        return invoke(function, [], named)

    def _relation(self, expr: RelationBox, scope: Scope) -> Any:
        return [{c: self.box(cell, scope) for c, cell in zip(expr.columns, row)} for row in expr.rows]

    def _list(self, expr: ListBox, scope: Scope) -> Any:
        return [self.box(item, scope) for item in expr.items]

    def _function(self, expr: FunctionBox, scope: Scope) -> Any:
        params = tuple(p for p, _ in expr.params)

        def call(args: list[Any], named: dict[str, Any] | None) -> Any:
            given = dict(zip(params, args)) if named is None else {normalise(k): v for k, v in named.items()}
            return self.box(expr.body, scope.child({p: given.get(p) for p in params}))
        return Function("function", params, call)

    def _conditional(self, expr: ConditionalBox, scope: Scope) -> Any:
        """DMN 1.5 §10.2.3: a condition that is neither a boolean nor null is an error (null)."""
        condition = self.box(expr.condition, scope)
        if condition is not None and not isinstance(condition, bool):
            return None
        return self.box(expr.then if condition is True else expr.otherwise, scope)

    def _filter(self, expr: FilterBox, scope: Scope) -> Any:
        source = self.box(expr.source, scope)
        if not isinstance(source, list):
            return None
        kept = []
        for item in source:
            local = {"item": item, **(item if isinstance(item, dict) else {})}
            match = self.box(expr.match, scope.child(local))
            if match is True:
                kept.append(item)
            elif match is not False and match is not None:
                return None  # a match that is not a boolean: null
        return kept

    def _iterate(self, expr: IterateBox, scope: Scope) -> Any:
        source = self.box(expr.source, scope)
        items = source if isinstance(source, list) else ([] if source is None else [source])
        results = [self.box(expr.body, scope.child({expr.variable: item})) for item in items]
        if expr.kind == "for":
            return results
        if any(r is not None and not isinstance(r, bool) for r in results):
            return None
        if expr.kind == "some":
            return True if True in results else (None if None in results else False)
        return False if False in results else (None if None in results else True)

    def _unreadable(self, expr: Unreadable, scope: Scope) -> Any:
        raise Refused(expr.code, expr.reason, expr.location)

    # -- types ---------------------------------------------------------------------------------
    def conform(self, value: Any, type_ref: str | None, what: str) -> Any:
        """A value as its declared type has it: unchanged, its single item, or null (noted) when it does not
        conform."""
        if value is None or not type_ref:
            return value
        found = self._conform(value, type_ref)
        if found is None:
            self.notes.append(f"{what} = {_shown(value)} is not a {type_ref}")
        return found

    def _conform(self, value: Any, type_ref: str) -> Any:
        name = BUILTIN_TYPES.get(type_ref)
        if name is not None:
            if isinstance(value, list) and len(value) == 1 and name not in ("list", "Any"):
                value = value[0]
            if name == "date and time" and type(value) is dt.date:
                return dt.datetime(value.year, value.month, value.day)
            return value if _CHECKS.get(name, lambda v: True)(value) else None
        item = self.model.items.get(type_ref) or self.model.items.get(type_ref.split(".")[-1])
        return value if item is None else self._conform_item(value, item)

    def _conform_item(self, value: Any, item: ItemDef, constraints: bool = True) -> Any:
        """A value as an item definition has it (None: it does not conform); ``constraints``: its allowed
        values count (``instance of`` looks at the type alone)."""
        if item.collection:
            if not isinstance(value, list) and not constraints:
                return None  # instance of a list type: only a list is one
            items = value if isinstance(value, list) else [value]
            single = ItemDef(item.name, item.base, item.components, False, item.allowed, item.location)
            conformed = [v if v is None else self._conform_item(v, single, constraints) for v in items]
            return None if any(c is None and v is not None for c, v in zip(conformed, items)) else conformed
        if item.components:
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            if not isinstance(value, dict) or set(item.components) - set(value):
                return None  # not a context, or one without every component
            out = dict(value)
            for key, component in item.components.items():
                if out.get(key) is not None:
                    out[key] = self._conform_item(out[key], component, constraints)
                    if out[key] is None:
                        return None
            return out
        found = self._conform(value, item.base) if item.base else value
        if constraints and found is not None and item.allowed is not None and \
                test(item.allowed, found, Scope()) is not True:
            return None
        return found


_BOXES: dict[type, Callable[[Run, Any, Scope], Any]] = {
    Literal: Run._literal, Table: Run._table, ContextBox: Run._context, InvocationBox: Run._invocation,
    RelationBox: Run._relation, ListBox: Run._list, FunctionBox: Run._function, ConditionalBox: Run._conditional,
    FilterBox: Run._filter, IterateBox: Run._iterate, Unreadable: Run._unreadable,
}


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, Range):
        return string(value) or "a range"
    text = string(value)
    return text if text is not None else kind(value)
