"""A decision of a DMN file as a cellrules policy: what ``DECIDE("name", …)`` runs.

Owns :class:`DmnDecision` — one decision with the part of its model it needs:
its arguments (the input data it depends on, in the file's order; an input
with components is one argument per component, ``Applicant.Age``), its
decision tables compiled for durable-rules (:meth:`rulesets`, and
:meth:`kernel` for the engine-free path), its evaluation from named inputs
(:meth:`evaluate`, the Python API and the oracle tests use it) or from cells
(:meth:`call`), and the cell value and explanation of its answer.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from cellrules import coerce
from cellrules.diagnostics import Location
from cellrules.dmn import table as tables
from cellrules.dmn.drg import Run
from cellrules.dmn.model import (BUILTIN_TYPES, DecisionError, Element, ItemDef, Model, Refused, Table,
                                 TableRule, Unreadable)
from cellrules.dmn.unary import show
from cellrules.errors import ExcelError, na_error, value_error
from cellrules.events import Field
from cellrules.feel import ast
from cellrules.feel.temporal import DaysTime, YearsMonths
from cellrules.feel.values import Function, Range, from_python, string, to_python
from cellrules.model import Header

Decide = Callable[[str, dict[str, Field]], list[int]]


@dataclass(frozen=True)
class Argument:
    """One spreadsheet argument of a DMN decision: an input (or a component of one) and its FEEL type."""

    name: str  # as Excel's function wizard shows it: "Applicant.Age"
    input: str  # the input data's name
    path: tuple[str, ...]  # the components below it
    type: str  # number | text | boolean | date | any  (how a cell is read)
    collection: bool = False


@dataclass(frozen=True)
class Output:
    """One output of a decision (a table's output column, or the decision itself)."""

    name: str


@dataclass
class DmnDecision:
    """A decision of a DMN model, ready to run."""

    header: Header
    model: Model
    element: Element
    compiled: dict[str, tables.Compiled]
    arguments: tuple[Argument, ...]
    examples: tuple[Any, ...] = ()
    function: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def inputs(self) -> tuple[Argument, ...]:
        """The decision's arguments, in DECIDE's order."""
        return self.arguments

    @property
    def outputs(self) -> tuple[Output, ...]:
        """The decision's outputs: its table's output columns, or the decision itself."""
        logic = self.element.logic
        if isinstance(logic, Table) and len(logic.outputs) > 1:
            return tuple(Output(o.name) for o in logic.outputs)
        return (Output(self.element.name),)

    @property
    def hit_policy(self) -> str:
        """The hit policy of the decision's own table ("" when its logic is not a table)."""
        return self.element.logic.hit_policy if isinstance(self.element.logic, Table) else ""

    # -- the engine ------------------------------------------------------------------------------
    def rulesets(self, marker: str) -> list[tuple[str, dict[str, Any], dict[str, int]]]:
        """Every ruleset of the decision's tables (those of the decisions and models it requires too)."""
        return [r for c in self.compiled.values() for r in tables.rulesets(c, marker)]

    def kernel(self, key: str, fields: dict[str, Field]) -> list[int]:
        """The engine's answer for one ruleset's fact, without the engine."""
        return tables.kernel(self.compiled[key.split("/")[0]], key, fields)

    def _compiled(self, table: Table) -> tables.Compiled:
        return self.compiled.get(table.key) or tables.compile_table(table)

    # -- evaluation -----------------------------------------------------------------------------
    def evaluate(self, inputs: dict[str, Any], decide: Decide) -> tuple[Any, Run]:
        """The decision's FEEL value for named inputs (Python values or FEEL values), and the run behind it;
        :class:`Refused` or :class:`DecisionError` when it cannot be answered."""
        def deciding(table: Table) -> tables.Decide:
            if table.key in self.compiled:
                return decide
            compiled = tables.compile_table(table)
            return lambda key, fields: tables.kernel(compiled, key, fields)
        run = Run(self.model, {k: from_python(v) for k, v in inputs.items()}, deciding, self._compiled)
        return run.value(self.element), run

    def named(self, given: tuple[Any, ...]) -> dict[str, Any] | ExcelError:
        """Cell values in the arguments' order as named inputs (components gathered into contexts)."""
        if len(given) != len(self.arguments):
            names = ", ".join(a.name for a in self.arguments) or "none"
            return value_error(f"decision '{self.element.name}' takes {len(self.arguments)} input(s) ({names}); "
                               f"{len(given)} given")
        inputs: dict[str, Any] = {}
        for argument, raw in zip(self.arguments, given):
            value = _read_cell(raw, argument)
            if isinstance(value, ExcelError):
                return value
            if not argument.path:
                inputs[argument.input] = value
                continue
            node = inputs.setdefault(argument.input, {})
            for part in argument.path[:-1]:
                node = node.setdefault(part, {})
            node[argument.path[-1]] = value
        return inputs

    def call(self, given: tuple[Any, ...], decide: Decide) -> tuple[Any, Run | None, ExcelError | None]:
        """DECIDE's answer for cell values: (cell value, the run, the error) — the error is set instead of a
        value when the decision is refused, in error, or null."""
        if isinstance(self.element.logic, Unreadable):  # refused whatever the arguments
            logic = self.element.logic
            error = na_error(f"decision '{self.element.name}' is not answered: {logic.reason} ({logic.code})")
            return error, None, error
        inputs = self.named(given)
        if isinstance(inputs, ExcelError):
            return inputs, None, inputs
        try:
            value, run = self.evaluate(inputs, decide)
        except Refused as exc:
            error = na_error(f"decision '{self.element.name}' is not answered: {exc} (UNSUPPORTED)")
            return error, None, error
        except DecisionError as exc:
            error = na_error(f"decision '{self.element.name}': {exc}")
            return error, None, error
        if value is None:
            why = "; ".join(dict.fromkeys(run.notes)) or _no_rule(run)
            error = na_error(f"decision '{self.element.name}' has no value (null){': ' + why if why else ''}")
            return error, run, error
        cell = as_cell(value)
        return cell, run, cell if isinstance(cell, ExcelError) else None

    def explain(self, given: tuple[Any, ...], run: Run | None, value: Any) -> str:
        """EXPLAIN's sentence for a call."""
        shown = ", ".join(f"{a.name} = {_literal(v)}" for a, v in zip(self.arguments, given))
        head = f"decision '{self.element.name}' ({self.model.name or 'DMN'}) for {shown or 'no inputs'}: "
        if isinstance(value, ExcelError):
            return head + value.reason
        logic = self.element.logic
        own = next((o for t, o in reversed(run.tables) if t is logic), None) if run else None
        if isinstance(logic, Table) and own is not None:
            outcome = own[1]
            rules = "; ".join(f"rule {i + 1} (line {logic.rules[i].location.line})" for i in outcome.hits)
            return head + f"hit policy {logic.hit_policy}, {rules or 'no rule (default)'} → {_literal(value)}"
        kind = type(logic).__name__.replace("Box", "").lower() if logic is not None else "input"
        return head + f"{kind} (line {self.element.location.line}) → {_literal(value)}"

    def location_of(self, run: Run | None) -> Location:
        """Where the answer was written: the first rule that fired in the decision's table, else the decision."""
        logic = self.element.logic
        if isinstance(logic, Table) and run is not None:
            own = next((o for t, o in reversed(run.tables) if t is logic), None)
            if own is not None and own[1].hits:
                rule: TableRule = logic.rules[own[1].hits[0]]
                return rule.location
        return self.element.location


def _no_rule(run: Run) -> str:
    if run.tables:
        table, (_, outcome) = run.tables[-1]
        if outcome.problem:
            return f"{table.name}: {outcome.problem}"
    return ""


def _literal(value: Any) -> str:
    if isinstance(value, ExcelError):
        return value.code
    if isinstance(value, float):
        return show(value)
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    text = string(from_python(value))
    return text if text is not None else "null"


def _read_cell(raw: Any, argument: Argument) -> Any:
    """A cell value as the FEEL value its input's type asks for (blank: null; text numbers read)."""
    if isinstance(raw, ExcelError):
        return raw
    if coerce.is_range(raw):
        return [_read_cell(v, Argument(argument.name, argument.input, argument.path, argument.type))
                for v in coerce.cells(raw) if not coerce.is_blank(v)]
    if coerce.is_blank(raw):
        return None
    if argument.type == "number":
        found = coerce.number(raw, argument.name)
        return found if isinstance(found, ExcelError) else Decimal(repr(found))
    if argument.type == "boolean":
        return coerce.boolean(raw, argument.name)
    if argument.type == "date":
        return coerce.date(raw, argument.name)
    if argument.type == "text":  # DMN matches text exactly: kept as typed
        return raw if isinstance(raw, str) else coerce.text(raw, argument.name)
    return from_python(raw)


def as_cell(value: Any) -> Any:
    """A FEEL value as a cell holds it: numbers as float, dates as Excel serial numbers, a list spilling down,
    a context across (a list of contexts as rows)."""
    if isinstance(value, list):
        if any(isinstance(v, (list, dict)) for v in value):
            rows = [as_cell(v) for v in value]
            return [r[0] if isinstance(r, list) and len(r) == 1 and isinstance(r[0], list) else r for r in rows]
        return [_scalar(v) for v in value]
    if isinstance(value, dict):
        return [[_scalar(v) for v in value.values()]]
    return _scalar(value)


def _scalar(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - coerce.EXCEL_EPOCH).days)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, (DaysTime, YearsMonths)):
        return str(value)
    if isinstance(value, (Range, Function)):
        return value_error(f"a {type(value).__name__.lower()} cannot be shown in a cell")
    if isinstance(value, (list, dict)):
        return string(value)
    return to_python(value)


_CELL_TYPES = {"number": "number", "string": "text", "boolean": "boolean", "date": "date"}


def arguments(model: Model, inputs: list[Element], free: list[str] = ()) -> tuple[Argument, ...]:  # type: ignore[assignment]
    """The spreadsheet arguments for these input data — one each, one per component for a structure — then
    one for each name the model reads without declaring it (as Camunda's engine takes process variables)."""
    out: list[Argument] = []
    for element in inputs:
        out += _arguments(model, element.name, (), element.type_ref)
    return tuple(out) + tuple(Argument(name, name, (), "any") for name in free)


def _arguments(model: Model, name: str, path: tuple[str, ...], type_ref: str | None,
               item: ItemDef | None = None, depth: int = 0) -> list[Argument]:
    label = ".".join((name,) + path)
    if item is None and type_ref and type_ref not in BUILTIN_TYPES:
        item = model.items.get(type_ref) or model.items.get(type_ref.split(".")[-1])
    if item is None:
        return [Argument(label, name, path, _CELL_TYPES.get(BUILTIN_TYPES.get(type_ref or "", ""), "any"))]
    if item.collection or not item.components or depth > 5:
        base = _base(model, item)
        return [Argument(label, name, path, _CELL_TYPES.get(base, "any"), item.collection)]
    out: list[Argument] = []
    for key, component in item.components.items():
        out += _arguments(model, name, path + (key,), component.base, None if component.base and
                          not component.components else component, depth + 1)
    return out


def _base(model: Model, item: ItemDef) -> str:
    seen = 0
    while item.base and item.base not in BUILTIN_TYPES and seen < 10:
        nxt = model.items.get(item.base)
        if nxt is None:
            return ""
        item, seen = nxt, seen + 1
    return BUILTIN_TYPES.get(item.base or "", "") if not item.components else ""


def reads(node: Any) -> list[str]:
    """The names a boxed expression reads anywhere inside it, each once, in the order they are written."""
    found: dict[str, None] = {}

    def visit(item: Any) -> None:
        if isinstance(item, (ast.Node, ast.UnaryTests)):
            found.update(dict.fromkeys(ast.names_read(item)))
        elif isinstance(item, tuple):
            for part in item:
                visit(part)
        elif hasattr(item, "__dataclass_fields__"):
            for name in item.__dataclass_fields__:
                visit(getattr(item, name))
    visit(node)
    return list(found)
