"""DMN XML → a :class:`Model`: every element, item definition and boxed expression, FEEL parsed once.

Owns reading DMN 1.1–1.5 as modelling tools write it (Camunda, Drools/Kogito,
Flowable, Trisotech, Signavio, jDMN): ``typeRef`` as an attribute or a child
element, names with or without a prefix, hit policies by name, output values
on the output or on its item definition. What cellrules cannot run is read
as :class:`Unreadable` with a stable code and the XML line — an expression
language other than FEEL (JUEL ``${…}``, JavaScript), an external function,
an import — so the decisions that need it are refused with the reason and
the others still run. A FEEL text outside the grammar is ``BAD_EXPRESSION``
(``BAD_TEST`` for a table cell).
"""
from __future__ import annotations

import hashlib
from typing import Any

from cellrules.diagnostics import Location
from cellrules.dmn import hits
from cellrules.dmn.model import (BUILTIN_TYPES, Box, ConditionalBox, ContextBox, Element, FilterBox,
                                 FunctionBox, InputClause, InvocationBox, ItemDef, IterateBox, ListBox, Literal,
                                 Model, OutputClause, RelationBox, Table, TableRule, Unreadable)
from cellrules.dmn.xml import Node
from cellrules.feel import ast
from cellrules.feel.interpreter import Scope, evaluate
from cellrules.feel.errors import FeelError
from cellrules.feel.parser import FeelSyntaxError, Names, parse_expression, parse_unary_tests

EXPRESSIONS = ("decisionTable", "literalExpression", "context", "invocation", "relation", "list",
               "functionDefinition", "conditional", "filter", "for", "some", "every")
ELEMENTS = {"inputData": "input", "decision": "decision", "businessKnowledgeModel": "bkm",
            "decisionService": "service"}


class Unrunnable(Exception):
    """An expression cellrules will not run: the code, reason and place become an :class:`Unreadable`."""

    def __init__(self, code: str, reason: str, location: Location | None = None) -> None:
        super().__init__(reason)
        self.code, self.location = code, location


def is_feel(language: str | None) -> bool:
    """Whether an ``expressionLanguage`` is FEEL (or unset, which means FEEL)."""
    return not language or "feel" in language.lower()


class Reader:
    """Reads one DMN file's root element into a :class:`Model`."""

    def __init__(self, path: str, root: Node, text: str) -> None:
        self.path, self.root = path, root
        self.language = root.attrs.get("expressionLanguage")
        self.declared = _all_names(root)
        self.locations: dict[int, Location] = {}  # each parsed FEEL text (by id) -> where its <text> is
        self.names = Names(self.declared)
        self.tables = 0
        self.digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.prefixes = {n.attrs.get("name", "") for n in root.all("import")}
        self.owner = root

    def where(self, node: Node) -> Location:
        """Where a node is in the file."""
        return Location(self.path, node.line, node.column)

    def model(self) -> Model:
        """The whole file as a model."""
        items = {n.attrs.get("name", ""): self.item(n) for n in self.root.all("itemDefinition")}
        elements: dict[str, Element] = {}
        for node in self.root.children:
            kind = ELEMENTS.get(node.tag)
            if kind is None:
                continue
            element = self.element(kind, node)
            elements[element.id] = element
        names = {e.variable: e.id for e in elements.values() if e.variable}  # Camunda 7 names a result so
        names.update({e.name: e.id for e in elements.values()})
        outputs = {o.name: e.id for e in elements.values() if isinstance(e.logic, Table) for o in e.logic.outputs
                   if o.name not in names}
        return Model(self.path, self.root.attrs.get("name", ""), items, elements, names, self.digest,
                     frozenset(self.declared), self.locations, outputs)

    # -- item definitions --------------------------------------------------------------
    def item(self, node: Node) -> ItemDef:
        """An item definition, with its components."""
        components = {c.attrs.get("name", ""): self.item(c) for c in node.all("itemComponent")}
        allowed = None
        text = node.child_text("allowedValues")
        if text:
            try:
                allowed = parse_unary_tests(text, self.names)
            except FeelSyntaxError:
                allowed = None
        function = node.find("functionItem")
        output = function.attrs.get("outputTypeRef") if function is not None else None
        return ItemDef(node.attrs.get("name", ""), None if components else self.type_ref(node), components,
                       node.attrs.get("isCollection") == "true", allowed, self.where(node), output)

    def type_ref(self, node: Node | None) -> str | None:
        """A node's typeRef (attribute, or DMN 1.1's child element), prefix dropped."""
        if node is None:
            return None
        text = node.attrs.get("typeRef")
        if text is None:
            child = node.find("typeRef")
            text = child.text.strip() if child is not None else None
        if not text:
            return None
        head, sep, tail = text.partition(":")
        if sep and (tail in BUILTIN_TYPES or head in ("feel", "xsd", "xs", "dmn", "FEEL") or head not in
                    self.prefixes):
            text = tail
        return text

    # -- elements ----------------------------------------------------------------------
    def element(self, kind: str, node: Node) -> Element:
        """An element of the graph, its requirements and its logic."""
        name = node.attrs.get("name", "")
        variable = node.find("variable")
        type_ref = self.type_ref(variable) or self.type_ref(node)
        self.owner = node  # the element whose logic is being read (vendor attributes live on it)
        element = Element(kind, name, node.attrs.get("id", name), type_ref, self.where(node))
        element.variable = variable.attrs.get("name", "") if variable is not None else ""
        requires, knowledge = [], []
        for req in node.all("informationRequirement"):
            for child in req.children:
                if child.tag in ("requiredDecision", "requiredInput"):
                    requires.append(_href(child))
        for req in node.all("knowledgeRequirement"):
            for child in req.children:
                if child.tag == "requiredKnowledge":
                    knowledge.append(_href(child))
        element.requires, element.knowledge = tuple(requires), tuple(knowledge)
        if kind == "decision":
            logic = next((c for c in node.children if c.tag in EXPRESSIONS), None)
            element.logic = self.box(logic, name) if logic is not None else None
        elif kind == "bkm":
            self.bkm(element, node)
        elif kind == "service":
            element.outputs = tuple(_href(c) for c in node.all("outputDecision"))
            # called by position: the input data, then the input decisions, each in document order (TCK 0085)
            element.service_inputs = tuple(_href(c) for c in node.all("inputData")) + \
                tuple(_href(c) for c in node.all("inputDecision"))
        return element

    def bkm(self, element: Element, node: Node) -> None:
        """A business knowledge model's parameters and body (FEEL only)."""
        logic = node.find("encapsulatedLogic")
        if logic is None:
            element.logic = Unreadable("UNSUPPORTED", f"business knowledge model '{element.name}' has no logic",
                                       self.where(node))
            return
        element.params = tuple((p.attrs.get("name", ""), self.type_ref(p)) for p in logic.all("formalParameter"))
        kind = logic.attrs.get("kind", "FEEL")
        body = next((c for c in logic.children if c.tag in EXPRESSIONS), None)
        if kind.upper() != "FEEL":
            element.logic = Unreadable("UNSUPPORTED", f"business knowledge model '{element.name}' is a {kind} "
                                       "function: cellrules runs FEEL only (a rule file is data, never code)",
                                       self.where(logic))
        elif body is None:
            element.logic = Unreadable("UNSUPPORTED", f"business knowledge model '{element.name}' has no body",
                                       self.where(logic))
        else:
            element.logic = self.box(body, element.name)

    # -- boxed expressions --------------------------------------------------------------------
    def box(self, node: Node, name: str) -> Box:
        """One boxed expression; what cannot be run becomes an :class:`Unreadable` naming the construct."""
        try:
            return getattr(self, "_" + node.tag)(node, name)
        except Unrunnable as exc:
            return Unreadable(exc.code, str(exc), exc.location or self.where(node))

    def child_box(self, node: Node, name: str) -> Box:
        """The one boxed expression inside a node (``<if>``, ``<in>``, a context entry)."""
        inner = next((c for c in node.children if c.tag in EXPRESSIONS), None)
        if inner is None:
            raise Unrunnable("UNSUPPORTED", f"<{node.tag}> holds no expression")
        return self.box(inner, name)

    def feel(self, node: Node | None, language: str | None = None, cell: bool = False,
             default: str = "null") -> tuple[Any, str]:
        """The FEEL tree of a node's ``<text>`` (a unary test for a table cell)."""
        inner = node.find("text") if node is not None else None
        text = inner.text if inner is not None else ("-" if cell else default)
        where = self.where(inner) if inner is not None else (self.where(node) if node is not None else None)
        language = language or (node.attrs.get("expressionLanguage") if node is not None else None) or self.language
        if not is_feel(language):
            raise Unrunnable("UNSUPPORTED", f"the expression language '{language}' is not FEEL: cellrules runs "
                             "FEEL only (a rule file is data, never code)", where)
        stripped = text.strip()
        imported = next((p for p in self.prefixes if p and f"{p}." in stripped), None)
        if imported is not None:
            raise Unrunnable("UNSUPPORTED", f"'{_short(stripped)}' reads the imported model '{imported}': "
                             "cellrules does not run imports (put the decisions in one file)", where)
        if "${" in stripped or stripped.startswith("#{"):
            raise Unrunnable("UNSUPPORTED", f"'{_short(stripped)}' is a JUEL expression (Camunda/Flowable "
                             "expression language): cellrules runs FEEL only", where)
        try:
            parsed: Any = parse_unary_tests(stripped, self.names) if cell else \
                parse_expression(stripped or default, self.names)
        except FeelSyntaxError as exc:
            raise Unrunnable("BAD_TEST" if cell else "BAD_EXPRESSION",
                             f"'{_short(stripped)}' is not FEEL: {exc}", where) from None
        except FeelError as exc:
            raise Unrunnable("UNSUPPORTED", f"'{_short(stripped)}': {exc}", where) from None
        if where is not None:
            self.locations[id(parsed)] = where
        return parsed, stripped

    def _literalExpression(self, node: Node, name: str) -> Box:
        expr, text = self.feel(node)
        return Literal(expr, text, self.where(node), self.type_ref(node))

    def _context(self, node: Node, name: str) -> Box:
        entries = []
        for entry in node.all("contextEntry"):
            variable = entry.find("variable")
            key = variable.attrs.get("name") if variable is not None else None
            entries.append((key, self.child_box(entry, key or name), self.type_ref(variable)))
        return ContextBox(tuple(entries), self.where(node))

    def _invocation(self, node: Node, name: str) -> Box:
        target = next((c for c in node.children if c.tag in EXPRESSIONS), None)
        if target is None or target.tag != "literalExpression":
            raise Unrunnable("UNSUPPORTED", "an invocation must name its function in a literal expression")
        expr, _ = self.feel(target)
        bindings = []
        for binding in node.all("binding"):
            parameter = binding.find("parameter")
            inner = next((c for c in binding.children if c.tag in EXPRESSIONS), None)
            bindings.append((parameter.attrs.get("name", "") if parameter is not None else "",
                             self.box(inner, name) if inner is not None else None))
        return InvocationBox(expr, tuple(bindings), self.where(node))

    def _relation(self, node: Node, name: str) -> Box:
        columns = tuple(c.attrs.get("name", "") for c in node.all("column"))
        rows = []
        for row in node.all("row"):
            cells = tuple(self.box(c, name) for c in row.children if c.tag in EXPRESSIONS)
            if len(cells) != len(columns):
                raise Unrunnable("DMN_SYNTAX", f"a row of relation '{name}' has {len(cells)} cells for "
                                 f"{len(columns)} columns")
            rows.append(cells)
        return RelationBox(columns, tuple(rows), self.where(node))

    def _list(self, node: Node, name: str) -> Box:
        return ListBox(tuple(self.box(c, name) for c in node.children if c.tag in EXPRESSIONS), self.where(node))

    def _functionDefinition(self, node: Node, name: str) -> Box:
        kind = node.attrs.get("kind", "FEEL")
        if kind.upper() != "FEEL":
            raise Unrunnable("UNSUPPORTED", f"a {kind} function: cellrules runs FEEL only")
        params = tuple((p.attrs.get("name", ""), self.type_ref(p)) for p in node.all("formalParameter"))
        return FunctionBox(params, self.child_box(node, name), self.where(node))

    def _conditional(self, node: Node, name: str) -> Box:
        parts = [node.find(tag) for tag in ("if", "then", "else")]
        if any(p is None for p in parts):
            raise Unrunnable("DMN_SYNTAX", "a conditional needs if, then and else")
        cond, then, other = (self.child_box(p, name) for p in parts if p is not None)
        return ConditionalBox(cond, then, other, self.where(node))

    def _filter(self, node: Node, name: str) -> Box:
        source, match = node.find("in"), node.find("match")
        if source is None or match is None:
            raise Unrunnable("DMN_SYNTAX", "a filter needs in and match")
        return FilterBox(self.child_box(source, name), self.child_box(match, name), self.where(node))

    def _iterate(self, node: Node, name: str, last: str) -> Box:
        source, body = node.find("in"), node.find(last)
        if source is None or body is None:
            raise Unrunnable("DMN_SYNTAX", f"<{node.tag}> needs in and {last}")
        return IterateBox(node.tag, node.attrs.get("iteratorVariable", "item"), self.child_box(source, name),
                          self.child_box(body, name), self.where(node))

    def _for(self, node: Node, name: str) -> Box:
        return self._iterate(node, name, "return")

    def _some(self, node: Node, name: str) -> Box:
        return self._iterate(node, name, "satisfies")

    def _every(self, node: Node, name: str) -> Box:
        return self._iterate(node, name, "satisfies")

    # -- decision tables ------------------------------------------------------------------------
    def _decisionTable(self, node: Node, name: str) -> Box:
        language = node.attrs.get("expressionLanguage")
        aggregation = node.attrs.get("aggregation", "")
        policy = hits.letter(node.attrs.get("hitPolicy", "UNIQUE"), aggregation)
        if policy is None and aggregation:  # DMN's aggregations are SUM, MIN, MAX, COUNT: never a plain COLLECT
            raise Unrunnable("DMN_SYNTAX", f"aggregation '{aggregation}' is not one of DMN's SUM, MIN, MAX, COUNT")
        if policy is None:
            raise Unrunnable("DMN_SYNTAX", f"unknown hit policy '{node.attrs.get('hitPolicy')}'")
        inputs = tuple(self.input_clause(i, language) for i in node.all("input"))
        outputs = tuple(self.output_clause(o, k, name, language) for k, o in enumerate(node.all("output")))
        rules = tuple(self.rule(r, len(inputs), len(outputs), language) for r in node.all("rule"))
        if not outputs:
            raise Unrunnable("DMN_SYNTAX", f"decision table '{name}' has no output")
        self.tables += 1
        # Flowable's flowable:forceDMN11="true" (on the decision): DMN 1.1's collect over distinct outputs
        forced = "true" in (node.attrs.get("forceDMN11"), self.owner.attrs.get("forceDMN11"),
                            self.root.attrs.get("forceDMN11"))
        distinct = forced and policy in hits.AGGREGATE
        return Table(f"t{self.tables}", name, policy, inputs, outputs, rules, self.where(node), distinct)

    def input_clause(self, node: Node, language: str | None) -> InputClause:
        """A decision table's input: its expression, type and allowed values."""
        expression = node.find("inputExpression")
        if expression is None:
            raise Unrunnable("DMN_SYNTAX", "an input without an inputExpression")
        expr, text = self.feel(expression, expression.attrs.get("expressionLanguage") or language)
        if "cellInput" in text:
            raise Unrunnable("UNSUPPORTED", "'cellInput' is Camunda's JUEL variable: cellrules runs FEEL only")
        allowed = None
        values = node.find("inputValues")
        if values is not None and _text(values).strip():
            allowed, _ = self.feel(values, cell=True)
        return InputClause(text or node.attrs.get("label", ""), expr, self.type_ref(expression), allowed,
                           self.where(node))

    def output_clause(self, node: Node, k: int, decision: str, language: str | None) -> OutputClause:
        """A decision table's output: its name, type, values in priority order and default."""
        name = node.attrs.get("name") or (decision if k == 0 else f"output{k + 1}")
        type_ref = self.type_ref(node)
        values: tuple[object, ...] = ()
        listed = node.find("outputValues")
        if listed is not None and _text(listed).strip():
            values = self.literal_values(self.feel(listed, cell=True)[0], name)
        elif type_ref and type_ref in self._item_allowed():
            values = self.literal_values(self._item_allowed()[type_ref], name)  # Signavio: on the item definition
        default = node.find("defaultOutputEntry")
        default_expr = self.feel(default, language)[0] if default is not None else None
        return OutputClause(name, type_ref, values, default_expr, self.where(node))

    def _item_allowed(self) -> dict[str, Any]:
        found = {}
        for item in self.root.all("itemDefinition"):
            text = item.child_text("allowedValues")
            if text:
                try:
                    found[item.attrs.get("name", "")] = parse_unary_tests(text, self.names)
                except FeelSyntaxError:
                    continue
        return found

    def literal_values(self, tests: ast.UnaryTests, name: str) -> tuple[object, ...]:
        """Output values in priority order (each must be a value, not a test)."""
        out = []
        for test in tests.tests:
            if isinstance(test, (ast.Comparison, ast.Interval)) or tests.negated or ast.names_in(test):
                raise Unrunnable("UNSUPPORTED", f"output values of '{name}' must be values, not tests")
            out.append(evaluate(test, Scope()))
        return tuple(out)

    def rule(self, node: Node, inputs: int, outputs: int, language: str | None) -> TableRule:
        """One rule: its input cells as unary tests, its output entries as expressions."""
        entries, results = node.all("inputEntry"), node.all("outputEntry")
        if len(entries) != inputs or len(results) != outputs:
            raise Unrunnable("DMN_SYNTAX", f"rule {node.attrs.get('id', '')} has {len(entries)} input and "
                             f"{len(results)} output entries for {inputs} inputs and {outputs} outputs")
        cells = tuple(self.feel(e, e.attrs.get("expressionLanguage") or language, cell=True)[0] for e in entries)
        values = tuple(self.feel(e, e.attrs.get("expressionLanguage") or language)[0] for e in results)
        notes = [_text(a).strip() for a in node.all("annotationEntry")]
        description = node.find("description")
        note = " ".join(n for n in notes if n) or (description.text.strip() if description is not None else "")
        return TableRule(cells, values, self.where(node), note)


def _text(node: Node) -> str:
    """The text of a node's ``<text>`` child ("" when it has none)."""
    inner = node.find("text")
    return inner.text if inner is not None else ""


def _href(node: Node) -> str:
    """The id an ``href`` points at (``#id``, or ``namespace#id`` for an imported model)."""
    href = node.attrs.get("href", "")
    return href.split("#", 1)[1] if "#" in href else href


def _all_names(root: Node) -> set[str]:
    """Every name the file declares (elements, components, entries, parameters, columns, loop variables)."""
    found: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        for key in ("name", "iteratorVariable"):
            if key in node.attrs and node.tag != "definitions":
                found.add(node.attrs[key])
        stack.extend(node.children)
    return found


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "…"
