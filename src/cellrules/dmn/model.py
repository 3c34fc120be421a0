"""A DMN model as cellrules holds it: item definitions, the elements of the decision requirements graph, and
the boxed expressions of their logic.

Owns the data classes :mod:`reader` fills and :mod:`drg` evaluates — nothing
here reads XML or evaluates FEEL. Every element and expression keeps the
:class:`Location` of its XML element, so a diagnostic or an explanation can
point at the line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from cellrules.diagnostics import Location
from cellrules.feel.ast import Node, UnaryTests

#: DMN's and XML Schema's names for FEEL's types (a typeRef may use either, with or without a prefix).
BUILTIN_TYPES = {
    "number": "number", "string": "string", "boolean": "boolean", "date": "date", "time": "time",
    "dateTime": "date and time", "date and time": "date and time", "dayTimeDuration": "days and time duration",
    "days and time duration": "days and time duration", "yearMonthDuration": "years and months duration",
    "years and months duration": "years and months duration", "duration": "days and time duration",
    "Any": "Any", "any": "Any", "context": "context", "list": "list", "integer": "number", "int": "number",
    "long": "number", "double": "number", "decimal": "number", "float": "number", "short": "number",
}


class DecisionError(Exception):
    """A decision that evaluates to null for a reason DMN calls an error (a broken U table, a value outside its
    allowed values): the cell shows #N/A with the reason."""


class Refused(Exception):
    """A decision cellrules will not answer (it needs a construct it does not run): #N/A with the reason,
    never a guess."""

    def __init__(self, code: str, reason: str, location: Location | None = None) -> None:
        super().__init__(reason)
        self.code, self.location = code, location


@dataclass
class ItemDef:
    """An item definition: a base type or components, perhaps a collection, perhaps allowed values."""

    name: str
    base: str | None  # a FEEL type name, or another item definition's name, or None (structured / Any)
    components: dict[str, "ItemDef"] = field(default_factory=dict)
    collection: bool = False
    allowed: UnaryTests | None = None
    location: Location = Location("")
    function_output: str | None = None  # a function item's output type (a decision service's, a BKM's)


@dataclass(frozen=True)
class Literal:
    """A literal expression: one FEEL expression (its own typeRef, if it declares one)."""

    expr: Node
    text: str
    location: Location
    type_ref: str | None = None


@dataclass(frozen=True)
class ContextBox:
    """A boxed context: named entries (each sees the ones before) and an optional final result (name None)."""

    entries: tuple[tuple[str | None, "Box", str | None], ...]
    location: Location


@dataclass(frozen=True)
class InvocationBox:
    """A boxed invocation: a function (a business knowledge model) called with named bindings."""

    target: Node
    bindings: tuple[tuple[str, Union["Box", None]], ...]
    location: Location


@dataclass(frozen=True)
class RelationBox:
    """A relation: a list of contexts, one per row, keyed by the columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple["Box", ...], ...]
    location: Location


@dataclass(frozen=True)
class ListBox:
    """A boxed list."""

    items: tuple["Box", ...]
    location: Location


@dataclass(frozen=True)
class FunctionBox:
    """A boxed function definition (FEEL only): parameters with their types, and a body."""

    params: tuple[tuple[str, str | None], ...]
    body: "Box"
    location: Location


@dataclass(frozen=True)
class ConditionalBox:
    """DMN 1.5's boxed conditional."""

    condition: "Box"
    then: "Box"
    otherwise: "Box"
    location: Location


@dataclass(frozen=True)
class FilterBox:
    """DMN 1.5's boxed filter."""

    source: "Box"
    match: "Box"
    location: Location


@dataclass(frozen=True)
class IterateBox:
    """DMN 1.5's boxed for / some / every."""

    kind: str  # for | some | every
    variable: str
    source: "Box"
    body: "Box"
    location: Location


@dataclass(frozen=True)
class Unreadable:
    """An expression cellrules cannot run, and why (evaluating it refuses the decision)."""

    code: str  # UNSUPPORTED | BAD_TEST | DMN_SYNTAX
    reason: str
    location: Location


Box = Union[Literal, ContextBox, InvocationBox, RelationBox, ListBox, FunctionBox, ConditionalBox, FilterBox,
            IterateBox, "Table", Unreadable]


@dataclass(frozen=True)
class InputClause:
    """A decision table's input: its expression, type, allowed values."""

    text: str
    expr: Node
    type_ref: str | None
    allowed: UnaryTests | None
    location: Location


@dataclass(frozen=True)
class OutputClause:
    """A decision table's output: its name, type, values in priority order, default."""

    name: str
    type_ref: str | None
    values: tuple[object, ...]  # FEEL values, highest priority first (for P and O)
    default: Node | None
    location: Location


@dataclass(frozen=True)
class TableRule:
    """One rule: a cell per input, an expression per output."""

    cells: tuple[UnaryTests, ...]
    outputs: tuple[Node, ...]
    location: Location
    annotation: str = ""


@dataclass(frozen=True)
class Table:
    """A decision table (the key names its rulesets in the engine: unique in the model)."""

    key: str
    name: str
    hit_policy: str  # U A P F R O C C+ C< C> C#
    inputs: tuple[InputClause, ...]
    outputs: tuple[OutputClause, ...]
    rules: tuple[TableRule, ...]
    location: Location
    distinct: bool = False  # Flowable's forceDMN11: a collect aggregates distinct values


@dataclass
class Element:
    """An element of the decision requirements graph: input data, a decision, a business knowledge model or a
    decision service."""

    kind: str  # input | decision | bkm | service
    name: str
    id: str
    type_ref: str | None
    location: Location
    requires: tuple[str, ...] = ()  # ids of required decisions and input data
    knowledge: tuple[str, ...] = ()  # ids of required business knowledge models and decision services
    logic: Box | None = None
    params: tuple[tuple[str, str | None], ...] = ()  # a business knowledge model's parameters
    outputs: tuple[str, ...] = ()  # a decision service's output decisions (ids)
    service_inputs: tuple[str, ...] = ()  # a decision service's input decisions, then input data (ids)
    variable: str = ""  # its variable's name (DMN wants it equal to the name; Camunda 7 models differ)


@dataclass
class Model:
    """One DMN file: its item definitions and elements (by id), names to ids, and the names in scope."""

    path: str
    name: str
    items: dict[str, ItemDef]
    elements: dict[str, Element]
    names: dict[str, str]  # element name -> id
    digest: str
    declared: frozenset[str] = frozenset()  # every name the file declares (elements, components, entries…)
    locations: dict[int, Location] = field(default_factory=dict)  # a parsed FEEL text (by id) -> its <text>
    outputs: dict[str, str] = field(default_factory=dict)  # a table's output name -> its decision's id

    def by_output(self, name: str) -> Element | None:
        """The decision whose table has an output called ``name`` (Camunda 7 passes a required decision's
        result on by its output's name)."""
        found = self.outputs.get(name)
        return self.elements.get(found) if found else None

    def by_name(self, name: str) -> Element | None:
        """The element called ``name``."""
        found = self.names.get(name)
        return self.elements.get(found) if found else None
