"""The primaries of FEEL's grammar: literals, names, brackets, contexts, function definitions and types.

Owns :class:`Primaries`, the half of the parser that reads one value — a
number, a string, ``@"…"``, a name of one or more words (the longest known
name wins), ``(…)``, a list or an interval, a context, ``function(…)`` — and
the type names of ``instance of``. :mod:`parser` mixes it into the parser of
whole expressions.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Callable

from cellrules.feel import temporal
from cellrules.feel.ast import (Comparison, ContextOf, FunctionDef, Input, Interval, ListOf, Literal, Name, Node,
                                TypeRef)
from cellrules.feel.lexer import Token
from cellrules.feel.names import Names, normalise

COMPARE = ("=", "!=", "<", "<=", ">", ">=")
NAME_SYMBOLS = (".", "/", "-", "'", "+", "*")
KEYWORDS = ("if", "then", "else", "for", "in", "return", "some", "every", "satisfies", "and", "or", "between",
            "instance", "of", "function", "external", "true", "false", "null", "not")


class FeelSyntaxError(ValueError):
    """A text outside FEEL's grammar: the message and the 0-based offset where it went wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def inside_brackets(rule: Callable[..., Node]) -> Callable[..., Node]:
    """Inside brackets a ``[`` is a filter again, even within an interval's end."""
    def inner(self: "Primaries", *args: object) -> Node:
        saved, self.in_interval_end = self.in_interval_end, False
        try:
            return rule(self, *args)
        finally:
            self.in_interval_end = saved
    return inner


class Primaries:
    """Reading one value; the parser of whole expressions (``expression``, ``additive``) comes with the
    subclass."""

    text: str
    toks: list[Token]
    i: int
    names: "Names"
    in_interval_end: bool

    def peek(self, ahead: int = 0) -> Token:
        """The token here (or ``ahead`` further on)."""
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def at(self, *texts: str) -> bool:
        """Whether the token here is one of these words or operators."""
        tok = self.peek()
        return tok.kind in ("op", "word") and tok.text in texts

    def take(self, text: str) -> Token:
        """The token here, which must be ``text``."""
        tok = self.peek()
        if tok.kind not in ("op", "word") or tok.text != text:
            self.fail(f"expected '{text}'" + (f", found '{tok.text}'" if tok.kind != "eof" else " at the end"))
        self.i += 1
        return tok

    def fail(self, message: str) -> None:
        """Stop with a syntax error at the token here."""
        raise FeelSyntaxError(message, self.peek().start)

    def expression(self) -> Node:
        """A whole expression (the parser defines it)."""
        raise NotImplementedError

    def additive(self) -> Node:
        """An expression of ``+`` and ``-`` (the parser defines it)."""
        raise NotImplementedError

    def _binding_name(self) -> str:
        raise NotImplementedError

    def primary(self) -> Node:
        """One value: a literal, a name, brackets, a context or a function definition."""
        tok = self.peek()
        if tok.kind == "num":
            self.i += 1
            return Literal(Decimal(tok.text))
        if tok.kind == "str":
            self.i += 1
            return Literal(tok.text)
        if tok.kind == "op":
            return self._bracketed(tok)
        if tok.kind == "word":
            return self._word(tok)
        self.fail("the expression ends too early")
        raise AssertionError  # unreachable: fail raises

    def _bracketed(self, tok: Token) -> Node:
        if tok.text == "?":
            self.i += 1
            return Input()
        if tok.text == "@":
            self.i += 1
            literal = self.peek()
            if literal.kind != "str":
                self.fail("@ must be followed by a string, as in @\"2026-01-31\"")
            self.i += 1
            return Literal(_at_literal(literal.text, literal.start))
        if tok.text == "(":
            return self._paren()
        if tok.text == "[":
            return self._list_or_interval()
        if tok.text == "]":
            self.i += 1
            return self._interval_rest(False)
        if tok.text == "{":
            return self._context()
        self.fail(f"unexpected '{tok.text}'")
        raise AssertionError

    @inside_brackets
    def _paren(self) -> Node:
        self.take("(")
        if self.at(*COMPARE):  # DMN 1.5's range literal (< 10): in brackets only, so a == b stays an error
            op = self.peek().text
            self.i += 1
            found = Comparison(op, self.additive())
            self.take(")")
            return found
        inner = self.expression()
        if self.at(".."):
            self.i += 1
            return self._close_interval(inner, self._interval_end(), False)
        self.take(")")
        return inner

    @inside_brackets
    def _list_or_interval(self) -> Node:
        self.take("[")
        if self.at("]"):
            self.i += 1
            return ListOf(())
        first = self.expression()
        if self.at(".."):
            self.i += 1
            return self._close_interval(first, self._interval_end(), True)
        items = [first]
        while self.at(","):
            self.i += 1
            items.append(self.expression())
        self.take("]")
        return ListOf(tuple(items))

    def _interval_rest(self, low_closed: bool) -> Node:
        low = self.expression()
        self.take("..")
        return self._close_interval(low, self._interval_end(), low_closed)

    def _interval_end(self) -> Node:
        saved, self.in_interval_end = self.in_interval_end, True
        try:
            return self.expression()
        finally:
            self.in_interval_end = saved

    def _close_interval(self, low: Node, high: Node, low_closed: bool) -> Node:
        tok = self.peek()
        if not self.at("]", ")", "["):
            self.fail("an interval ends with ] ) or [")
        self.i += 1
        return Interval(low, high, low_closed, tok.text == "]")

    @inside_brackets
    def _context(self) -> Node:
        self.take("{")
        entries: list[tuple[str, Node]] = []
        saved = self.names
        while not self.at("}"):
            key = self._context_key()
            self.take(":")
            entries.append((key, self.expression()))
            self.names = self.names.with_([key])
            if not self.at(","):
                break
            self.i += 1
        self.take("}")
        self.names = saved
        return ContextOf(tuple(entries))

    def _context_key(self) -> str:
        tok = self.peek()
        if tok.kind == "str":
            self.i += 1
            return tok.text
        if tok.kind != "word":
            self.fail("a context entry needs a name")
        k = self.i
        while self.toks[k].kind in ("word", "num") or self.toks[k].text in NAME_SYMBOLS and self.toks[k].kind == "op":
            k += 1
        self.i = k
        return normalise(self.text[tok.start:self.toks[k - 1].end])

    def _word(self, tok: Token) -> Node:
        end = self._name_end()
        if end == self.i:
            if tok.text in ("true", "false"):
                self.i += 1
                return Literal(tok.text == "true")
            if tok.text == "null":
                self.i += 1
                return Literal(None)
            if tok.text == "function" and self.peek(1).text == "(":
                return self._function()
            if tok.text in KEYWORDS and tok.text != "not":
                self.fail(f"'{tok.text}' cannot start a value here")
        self.i = end + 1
        return Name(normalise(self.text[tok.start:self.toks[end].end]))

    def _name_end(self, allow_dots: bool = True) -> int:
        """The index of the last token of the longest known name starting here (this token when none)."""
        first = self.peek()
        best, k = self.i, self.i
        while True:
            k += 1
            tok = self.toks[k]
            if tok.kind == "eof" or not (tok.kind in ("word", "num") or tok.kind == "op" and tok.text in NAME_SYMBOLS):
                break
            if tok.text == "." and not allow_dots:
                break
            text = normalise(self.text[first.start:tok.end])
            if text in self.names.known:
                best = k
            elif not self.names.prefix(text):
                break
        return best

    def _function(self) -> Node:
        self.take("function")
        self.take("(")
        params: list[str] = []
        types: list[TypeRef | None] = []
        while not self.at(")"):
            name = self._binding_name_until(":", ",", ")")
            typed = None
            if self.at(":"):
                self.i += 1
                typed = self.type_ref()
            params.append(name)
            types.append(typed)
            if not self.at(","):
                break
            self.i += 1
        self.take(")")
        if self.at("external"):
            self.fail("external functions (Java or PMML) are not run: a rule file is data, never code")
        saved = self.names
        self.names = self.names.with_(params)
        body = self.expression()
        self.names = saved
        return FunctionDef(tuple(params), body, tuple(types))

    def _binding_name_until(self, *stops: str) -> str:
        start = self.peek()
        while self.peek().kind != "eof" and not (self.peek().kind == "op" and self.peek().text in stops):
            self.i += 1
        if self.i == 0 or self.peek() is start:
            self.fail("expected a parameter name")
        return normalise(self.text[start.start:self.toks[self.i - 1].end])

    def type_ref(self) -> TypeRef:
        """A type name, as ``instance of`` and typed parameters write it."""
        tok = self.peek()
        if tok.kind != "word":
            self.fail("expected a type name")
        if tok.text in ("list", "range") and self.peek(1).text == "<":
            self.i += 2
            inner = self.type_ref()
            self.take(">")
            return TypeRef(tok.text, (inner,))
        if tok.text == "context" and self.peek(1).text == "<":
            return self._context_type()
        if tok.text == "function" and self.peek(1).text == "<":
            return self._function_type()
        end = self._name_end()
        self.i = end + 1
        return TypeRef(normalise(self.text[tok.start:self.toks[end].end]))

    def _context_type(self) -> TypeRef:
        self.i += 2
        keys, types = [], []
        while not self.at(">"):
            keys.append(self._context_key())
            self.take(":")
            types.append(self.type_ref())
            if not self.at(","):
                break
            self.i += 1
        self.take(">")
        return TypeRef("context", tuple(types), tuple(keys))

    def _function_type(self) -> TypeRef:
        self.i += 2
        types = []
        while not self.at(">"):
            types.append(self.type_ref())
            if not self.at(","):
                break
            self.i += 1
        self.take(">")
        self.take("-")
        self.take(">")
        return TypeRef("function", tuple(types) + (self.type_ref(),))


def _at_literal(text: str, offset: int) -> object:
    """``@"…"``: a date, time, date and time or duration, whichever the text is."""
    found: object
    if re.match(r"^-?P", text):
        found = temporal.parse_duration(text)
    elif "T" in text:
        found = temporal.parse_date_time(text)
    elif ":" in text:
        found = temporal.parse_time(text)
    else:
        found = temporal.parse_date(text)
    if found is None:
        raise FeelSyntaxError(f'@"{text}" is not a date, time, date and time or duration', offset)
    return found
