"""The tree a FEEL text parses into: one class per construct of the grammar, and nothing else.

Owns the node classes (:class:`Literal`, :class:`Name`, :class:`Binary`, …)
and :class:`UnaryTests`, a decision-table cell: ``-``, ``not(…)`` or a list
of positive tests. Nodes are frozen: a parsed text is shared by every call.
Every node may say which names it reads (:func:`names_in`) and whether it uses
``?`` (:func:`uses_input`).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Iterator


class Node:
    """A FEEL expression."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A number, string, boolean, null or temporal literal (``@"2026-01-31"``), already a FEEL value."""

    value: Any


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A name read from the scope (spaces inside normalised to one)."""

    name: str


@dataclass(frozen=True, slots=True)
class Input(Node):
    """``?``: the value a unary test is applied to."""


@dataclass(frozen=True, slots=True)
class Path(Node):
    """``value.name``: a context's entry, a date's property, or the entry of every item of a list."""

    target: Node
    name: str


@dataclass(frozen=True, slots=True)
class Filter(Node):
    """``list[condition]`` or ``list[index]``."""

    target: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``f(a, b)`` or ``f(name: a, other: b)``."""

    function: Node
    args: tuple[Node, ...]
    named: tuple[tuple[str, Node], ...] | None = None


@dataclass(frozen=True, slots=True)
class Negate(Node):
    """``-x``."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic ``+ - * / **`` and comparison ``= != < <= > >=``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Logic(Node):
    """``and`` / ``or`` with FEEL's three-valued logic."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between(Node):
    """``x between low and high``."""

    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class In(Node):
    """``x in tests`` (``x in (1, 2)``, ``x in [1..5]``, ``x in < 3``)."""

    value: Node
    tests: "UnaryTests"


@dataclass(frozen=True, slots=True)
class InstanceOf(Node):
    """``x instance of type``."""

    value: Node
    type: "TypeRef"


@dataclass(frozen=True, slots=True)
class If(Node):
    """``if c then a else b``."""

    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class For(Node):
    """``for x in xs, y in ys return e`` (a domain may be a range ``1..n``)."""

    loops: tuple[tuple[str, Node], ...]
    body: Node


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    """``some``/``every x in xs satisfies c``."""

    every: bool
    loops: tuple[tuple[str, Node], ...]
    condition: Node


@dataclass(frozen=True, slots=True)
class ListOf(Node):
    """``[a, b, c]``."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ContextOf(Node):
    """``{a: 1, "b c": a + 1}`` (an entry sees the entries before it)."""

    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Interval(Node):
    """``[a..b)``, ``(a..b]``, ``]a..b[`` — or, with one end None, the range of ``< b`` / ``>= a``."""

    low: Node | None
    high: Node | None
    low_closed: bool
    high_closed: bool


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    """A unary comparison, ``< 5`` or ``= "a"``, applied to ``?``."""

    op: str
    endpoint: Node


@dataclass(frozen=True, slots=True)
class FunctionDef(Node):
    """``function(a, b) body``; ``external`` functions are refused when parsed."""

    params: tuple[str, ...]
    body: Node
    types: tuple["TypeRef | None", ...] = ()


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A type named in ``instance of``: ``number``, ``list<string>``, ``context<a: number>``, an item definition."""

    name: str
    args: tuple["TypeRef", ...] = ()
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnaryTests:
    """A decision-table cell: ``any`` (``-``), or ``tests`` (any of them holds), negated by ``not(…)``."""

    tests: tuple[Node, ...]
    negated: bool = False
    any: bool = False
    text: str = ""


def children(node: Any) -> Iterator[Any]:
    """The nodes directly under a node."""
    for f in fields(node):
        value = getattr(node, f.name)
        yield from _nodes(value)


def _nodes(value: Any) -> Iterator[Any]:
    if isinstance(value, (Node, UnaryTests)):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _nodes(item)


def walk(node: Any) -> Iterator[Any]:
    """A node and every node under it."""
    yield node
    for child in children(node):
        yield from walk(child)


def names_in(node: Any) -> set[str]:
    """The names a tree reads (the first part of each path)."""
    return set(names_read(node))


def names_read(node: Any) -> list[str]:
    """The names a tree reads, each once, in the order they are written."""
    return list(dict.fromkeys(n.name for n in walk(node) if isinstance(n, Name)))


def uses_input(node: Any) -> bool:
    """Whether a tree reads ``?``."""
    return any(isinstance(n, Input) for n in walk(node))
