"""DMN files: decision tables read from DMN 1.1–1.5 XML, and written back as DMN.

Owns :func:`read` — a ``.dmn`` file's decisions whose logic is a decision
table with simple unary tests, each as the same :class:`Source` a YAML table
gives (so the same validation runs, and every problem points at the XML
line), and a diagnostic for each decision it cannot run (literal
expressions, contexts, invocations, business knowledge models, input
expressions beyond a name) — and :func:`write`, a YAML decision table as DMN
XML a DMN modeller opens. The XML is read with the standard library's expat,
with document types and entities refused.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from cellrules.diagnostics import Diagnostic, Location
from cellrules.dmn import hits
from cellrules.dmn.unary import show, split
from cellrules.source import MAX_BYTES, PathKey, Source

TYPES = {"number": "number", "string": "text", "boolean": "boolean", "date": "date", "integer": "number",
         "double": "number", "decimal": "number"}
DMN_TYPE = {"number": "number", "text": "string", "boolean": "boolean", "date": "date"}
MODEL_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"  # DMN 1.3: the version modellers open most widely
ALWAYS = dt.date(1900, 1, 1)  # a DMN file carries no effective date: its decisions are in force from the start


@dataclass
class Node:
    """One XML element: its local name, attributes, text, line and column, children."""

    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    text: str = ""
    children: list["Node"] = field(default_factory=list)

    def find(self, tag: str) -> "Node | None":
        """The first child element named ``tag``."""
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list["Node"]:
        """Every child element named ``tag``."""
        return [c for c in self.children if c.tag == tag]

    def child_text(self, tag: str) -> str | None:
        """The text of the ``<text>`` inside the first child named ``tag``."""
        found = self.find(tag)
        inner = found.find("text") if found is not None else None
        return inner.text.strip() if inner is not None else None


class DmnError(ValueError):
    """An XML file that is not well-formed, or that declares a document type or entities."""


def parse(text: str) -> Node:
    """The root element of an XML text, each element with its line and column (namespaces dropped)."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    stack: list[Node] = [Node("#document", {}, 1, 1)]

    def start(name: str, attrs: dict[str, str]) -> None:
        node = Node(name.split(" ")[-1], {k.split(" ")[-1]: v for k, v in attrs.items()},
                    parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        stack[-1].children.append(node)
        stack.append(node)

    def refuse(*_: Any) -> None:
        raise DmnError("a DMN file may not declare a document type or entities")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: stack.pop()
    parser.CharacterDataHandler = lambda data: setattr(stack[-1], "text", stack[-1].text + data)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as exc:
        raise DmnError(f"line {exc.lineno}: {xml.parsers.expat.ErrorString(exc.code)}") from None
    if not stack[0].children:
        raise DmnError("no root element")
    return stack[0].children[0]


def decisions(path: Path) -> tuple[dict[str, Source], list[Diagnostic]]:
    """Every decision of a DMN file cellrules can run, by name, as a Source; a diagnostic for each it cannot."""
    if path.stat().st_size > MAX_BYTES:
        return {}, [Diagnostic("FILE_ERROR", f"the file is larger than {MAX_BYTES:,} bytes; a rule file may not be",
                               Location(str(path), 1, 1))]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return {}, [Diagnostic("FILE_ERROR", "the file is not UTF-8 text", Location(str(path), 1, 1))]
    try:
        root = parse(text)
        if root.tag != "definitions":
            raise DmnError("its root element is not <definitions>")
    except DmnError as exc:
        return {}, [Diagnostic("DMN_SYNTAX", f"not a DMN file cellrules can read: {exc}", Location(str(path), 1, 1))]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    found: dict[str, Source] = {}
    problems: list[Diagnostic] = []
    items = {n.attrs.get("name", ""): n for n in root.all("itemDefinition")}
    for decision in root.all("decision"):
        name = decision.attrs.get("name", "")
        table = decision.find("decisionTable")
        where = Location(str(path), decision.line, decision.column)
        if table is None:
            logic = next((c.tag for c in decision.children if c.tag not in ("variable", "informationRequirement",
                                                                             "knowledgeRequirement",
                                                                             "authorityRequirement", "description",
                                                                             "question", "allowedAnswers")), "none")
            problems.append(Diagnostic("UNSUPPORTED", f"decision '{name}' is a {logic}: cellrules runs decision "
                                       "tables with simple unary tests only", where, "warning"))
            continue
        expression = _expression(table)
        if expression is not None:
            problems.append(Diagnostic("UNSUPPORTED", f"decision '{name}' reads the input '{expression}': cellrules "
                                       "takes inputs by name, not FEEL expressions", where, "warning"))
            continue
        computed = _computed_output(table)
        if computed is not None:
            problems.append(Diagnostic("UNSUPPORTED", f"decision '{name}' computes the output '{computed}': "
                                       "cellrules gives literal outputs only, never a guess", where, "warning"))
            continue
        found[name] = _source(path, decision, table, items, text, digest)
    for bkm in root.all("businessKnowledgeModel"):
        problems.append(Diagnostic("UNSUPPORTED", f"business knowledge model '{bkm.attrs.get('name', '')}' is not "
                                   "run by cellrules", Location(str(path), bkm.line, bkm.column), "warning"))
    return found, problems


def _type_of(type_ref: str | None, entries: list[str]) -> str:
    """Our type for a DMN typeRef (``string`` is text); without one, guessed from the cells' literals."""
    if type_ref:
        return TYPES.get(type_ref.split(":")[-1].strip(), "text")
    if entries and all(e.strip() in ("true", "false") for e in entries):
        return "boolean"
    if entries and all(e.strip().replace(".", "", 1).lstrip("-").isdigit() for e in entries if e.strip()):
        return "number"
    return "text"


def _listed(text: str | None) -> list[str] | None:
    return None if not text else split(text)


def _type_ref(component: Node) -> str:
    found = component.find("typeRef")
    return found.text.strip() if found is not None else ""


def _expression(table: Node) -> str | None:
    """The first input expression that is not a plain name (a FEEL expression cellrules does not run)."""
    for inp in table.all("input"):
        expression = inp.find("inputExpression")
        inner = expression.find("text") if expression is not None else None
        text = inner.text.strip() if inner is not None else ""
        if any(ch in text for ch in '()+*/<>=[]{}".,:'):
            return text
    return None


_LITERAL = re.compile(r'^(?:"(?:[^"\\]|\\.)*"|-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|true|false|null|'
                      r'date\(\s*"\d{4}-\d{2}-\d{2}"\s*\))$')


def _computed_output(table: Node) -> str | None:
    """The first output entry that is not a literal (a FEEL expression cellrules does not compute)."""
    for rule in table.all("rule"):
        for entry in rule.all("outputEntry"):
            inner = entry.find("text")
            text = inner.text.strip() if inner is not None else ""
            if text and not _LITERAL.match(text):
                return text
    return None


def _outputs(decision: Node, table: Node, items: dict[str, Node]) -> list[tuple[Node, dict[str, Any]]]:
    variable = decision.find("variable")
    var_type = variable.attrs.get("typeRef", "") if variable is not None else ""
    components = {c.attrs.get("name", ""): _type_ref(c) for c in
                  (items[var_type].all("itemComponent") if var_type in items else [])}
    rules = table.all("rule")
    found = []
    for k, out in enumerate(table.all("output")):
        name = out.attrs.get("name") or decision.attrs.get("name", f"output{k + 1}")
        entries = [(r.all("outputEntry")[k].find("text") or Node("text", {}, 0, 0)).text for r in rules
                   if len(r.all("outputEntry")) > k]
        ref = out.attrs.get("typeRef") or components.get(name) or (var_type if var_type not in items else "")
        spec: dict[str, Any] = {"name": name, "type": _type_of(ref, entries)}
        values = _listed(out.child_text("outputValues"))
        if values is not None:
            spec["values"] = values
        default = out.child_text("defaultOutputEntry")
        if default is not None:
            spec["default"] = default
        found.append((out, spec))
    return found


def _source(path: Path, decision: Node, table: Node, items: dict[str, Node], text: str, digest: str) -> Source:
    positions: dict[PathKey, tuple[int, int, int, int]] = {}

    def at(key: PathKey, node: Node) -> None:
        positions[key] = (node.line, node.column, node.line, node.column)

    name = decision.attrs.get("name", "")
    policy = hits.letter(table.attrs.get("hitPolicy", "UNIQUE"), table.attrs.get("aggregation", ""))
    data: dict[str, Any] = {"policy": name, "kind": "decision_table", "version": "dmn", "effective_from": ALWAYS,
                            "description": f"decision '{name}' of {path.name}",
                            "hit_policy": policy or table.attrs.get("hitPolicy", ""), "inputs": [], "outputs": [],
                            "rules": []}
    for key in ("policy", "kind", "version", "effective_from", "description"):
        at((key,), decision)
    at(("hit_policy",), table)
    at(("rules",), table)
    for k, inp in enumerate(table.all("input")):
        expression = inp.find("inputExpression")
        inner = expression.find("text") if expression is not None else None
        label = inner.text.strip() if inner is not None and inner.text.strip() else inp.attrs.get("label", f"input{k + 1}")
        spec: dict[str, Any] = {"name": label, "type": _type_of(expression.attrs.get("typeRef") if expression else None,
                                                              [])}
        values = _listed(inp.child_text("inputValues"))
        if values is not None:
            spec["values"] = values
        data["inputs"].append(spec)
        at(("inputs", k), inp)
        at(("inputs", k, "name"), inner or inp)
    for k, (out, spec) in enumerate(_outputs(decision, table, items)):
        data["outputs"].append(spec)
        at(("outputs", k), out)
    for i, rule in enumerate(table.all("rule")):
        cells = rule.all("inputEntry") + rule.all("outputEntry")
        data["rules"].append([(c.find("text") or Node("text", {}, c.line, c.column)).text.strip() for c in cells])
        at(("rules", i), rule)
        for j, cell in enumerate(cells):
            at(("rules", i, j), cell.find("text") or cell)
    positions[()] = (decision.line, decision.column, decision.line, decision.column)
    return Source(str(path), data, positions, text if digest else "")


def _dmn_type(type_name: str) -> str:
    return DMN_TYPE.get(type_name, "string")


def _text(tag: str, value: str, indent: str) -> str:
    return f"{indent}<{tag}><text>{escape(value)}</text></{tag}>\n"


def write(table: Any) -> str:
    """A validated decision table (the YAML kind's model) as a DMN 1.3 file: one decision, its input data,
    the table with its hit policy, allowed values, defaults and rules; what a DMN modeller opens."""
    name, ident = table.header.name, "_" + hashlib.sha256(table.header.name.encode()).hexdigest()[:12]
    policy, aggregation = hits.POLICIES[table.hit_policy]
    agg = f" aggregation={quoteattr(aggregation)}" if aggregation else ""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           f'<definitions xmlns="{MODEL_NS}" id="{ident}_defs" name={quoteattr(name)} '
           f'namespace="https://cellrules.invalid/{escape(name)}">\n',
           f'  <decision id="{ident}" name={quoteattr(name)}>\n']
    if table.header.description:
        out.append(f"    <description>{escape(table.header.description)}</description>\n")
    single = table.outputs[0] if len(table.outputs) == 1 else None
    out.append(f'    <variable name={quoteattr(name)}' + (f' typeRef="{_dmn_type(single.type)}"' if single else "")
               + "/>\n")
    for k, _ in enumerate(table.inputs):
        out.append(f'    <informationRequirement id="{ident}_ir{k}"><requiredInput href="#{ident}_in{k}"/>'
                   "</informationRequirement>\n")
    out.append(f'    <decisionTable id="{ident}_table" hitPolicy="{policy}"{agg}>\n')
    for k, column in enumerate(table.inputs):
        out.append(f'      <input id="{ident}_i{k}" label={quoteattr(column.name)}>\n'
                   f'        <inputExpression typeRef="{_dmn_type(column.type)}"><text>{escape(column.name)}'
                   "</text></inputExpression>\n")
        if column.values:
            out.append(_text("inputValues", ", ".join(show(v) for v in column.values), "        "))
        out.append("      </input>\n")
    for k, column in enumerate(table.outputs):
        out.append(f'      <output id="{ident}_o{k}" name={quoteattr(column.name)} typeRef="{_dmn_type(column.type)}">\n')
        if column.values:
            out.append(_text("outputValues", ", ".join(show(v) for v in column.values), "        "))
        if column.default is not None:
            out.append(_text("defaultOutputEntry", show(column.default), "        "))
        out.append("      </output>\n")
    for i, row in enumerate(table.rules):
        out.append(f'      <rule id="{ident}_r{i}">\n')
        if row.note:
            out.append(f"        <description>{escape(row.note)}</description>\n")
        out += [_text("inputEntry", test.text(), "        ") for test in row.tests]
        out += [_text("outputEntry", show(value), "        ") for value in row.outputs]
        out.append("      </rule>\n")
    out.append("    </decisionTable>\n  </decision>\n")
    for k, column in enumerate(table.inputs):
        out.append(f'  <inputData id="{ident}_in{k}" name={quoteattr(column.name)}>'
                   f'<variable name={quoteattr(column.name)} typeRef="{_dmn_type(column.type)}"/></inputData>\n')
    out.append("</definitions>\n")
    return "".join(out)
