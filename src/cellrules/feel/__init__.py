"""FEEL, the expression language of DMN, as a closed grammar: parsed into a tree, never handed to ``eval``.

The stages, one module each, data flowing one way:
:mod:`lexer` (text → tokens), :mod:`parser` (tokens → the tree of :mod:`ast`,
names with spaces matched against the names in scope), :mod:`interpreter`
(a tree and a scope → a FEEL value), with the values themselves in
:mod:`values` and :mod:`temporal` and the built-in functions in
:mod:`builtins` and :mod:`library`. A FEEL value is ``None`` (null), a
``Decimal`` (number), ``str``, ``bool``, ``datetime.date``,
:class:`temporal.Time`, ``datetime.datetime``, a duration, a ``list``, a
``dict`` (context), a :class:`values.Range` or a function.
"""
from __future__ import annotations

from cellrules.feel.ast import Node, UnaryTests
from cellrules.feel.interpreter import Scope, evaluate, test
from cellrules.feel.parser import FeelSyntaxError, parse_expression, parse_unary_tests
from cellrules.feel.values import FeelError, from_python, to_python

__all__ = ["Node", "UnaryTests", "Scope", "evaluate", "test", "FeelSyntaxError", "parse_expression",
           "parse_unary_tests", "FeelError", "from_python", "to_python"]
