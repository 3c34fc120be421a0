"""DMN's XML: reading it safely, and writing a YAML decision table as DMN.

Owns :func:`parse` — XML text to a tree of :class:`Node` (local names, line
and column of each element), read with the standard library's expat, with
document types and entities refused (:class:`DmnError`) — and :func:`write`,
a YAML decision table as a DMN 1.3 file a DMN modeller opens. What the
elements mean is :mod:`reader`'s business.
"""
from __future__ import annotations

import hashlib
import xml.parsers.expat
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from cellrules.dmn import hits
from cellrules.dmn.unary import show

DMN_TYPE = {"number": "number", "text": "string", "boolean": "boolean", "date": "date"}
MODEL_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"  # DMN 1.3: the version modellers open most widely


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
