"""FEEL tokens → the tree of :mod:`cellrules.feel.ast`: expressions and decision-table cells (unary tests).

Owns the grammar, and nothing beyond it: a text outside it is a
:class:`FeelSyntaxError` with the offset where it went wrong. Names may hold
spaces and the symbols ``. / - ' + *`` (``Monthly Income``); where a name ends
is decided, as FEEL requires, by the names in scope: the longest run of words
that is a known name wins (``date and time`` is one name; ``a and b`` two).
Precedence, loosest first: ``if``/``for``/``some``/``every``/``function``,
``or``, ``and``, comparisons (``= != < <= > >=``, ``between``, ``in``,
``instance of``), ``+ -``, ``* /``, ``**``, unary ``-``, then paths ``.x``,
filters ``[…]`` and calls ``(…)``.
"""
from __future__ import annotations

from typing import Callable, Iterable, TypeVar

from cellrules.feel.ast import (Between, Binary, Call, Comparison, Filter, For, If, In, InstanceOf, Logic, Negate,
                                Node, Path, Quantified, UnaryTests)
from cellrules.feel.lexer import LexError, tokens
from cellrules.feel.names import BUILTIN_NAMES, Names, normalise
from cellrules.feel.primaries import COMPARE, NAME_SYMBOLS, FeelSyntaxError, Primaries, inside_brackets

__all__ = ["FeelSyntaxError", "Names", "normalise", "parse_expression", "parse_unary_tests", "BUILTIN_NAMES"]
T = TypeVar("T")

def parse_expression(text: str, names: Iterable[str] | Names = ()) -> Node:
    """A FEEL expression's tree (``names``: the names in scope, for names with spaces)."""
    return _Parser(text, names).whole(lambda p: p.expression())


def parse_unary_tests(text: str, names: Iterable[str] | Names = ()) -> UnaryTests:
    """A decision-table cell's tree: ``-``, ``not(tests)`` or ``test, test, …``."""
    return _Parser(text, names).whole(lambda p: p.unary_tests(text))


class _Parser(Primaries):
    def __init__(self, text: str, names: Iterable[str] | Names) -> None:
        self.text = text
        try:
            self.toks = tokens(text)
        except LexError as exc:
            raise FeelSyntaxError(str(exc), exc.offset) from None
        self.i = 0
        self.names = names if isinstance(names, Names) else Names(names)
        self.in_interval_end = False  # reading ``b`` of ``[a..b[``: a [ after it closes the interval

    # -- plumbing ----------------------------------------------------------------
    def whole(self, rule: Callable[["_Parser"], T]) -> T:
        found = rule(self)
        if self.peek().kind != "eof":
            self.fail(f"unexpected '{self.peek().text}'")
        return found

    # -- unary tests ---------------------------------------------------------------
    def unary_tests(self, text: str) -> UnaryTests:
        if self.at("-") and self.peek(1).kind == "eof":
            self.i += 1
            return UnaryTests((), any=True, text=text.strip())
        if self.peek().kind == "eof":
            return UnaryTests((), any=True, text=text.strip())
        if self.at("not") and self.peek(1).text == "(" and self._closes_at_end():
            self.i += 2
            tests = self.positive_tests()
            self.take(")")
            return UnaryTests(tests, negated=True, text=text.strip())
        return UnaryTests(self.positive_tests(), text=text.strip())

    def _closes_at_end(self) -> bool:
        """Whether the parenthesis after ``not`` closes at the end of the cell (else ``not(x) = y`` is an
        expression)."""
        depth = 0
        for k in range(self.i + 1, len(self.toks)):
            tok = self.toks[k]
            if tok.kind == "op" and tok.text in ("(", "[", "{"):
                depth += 1
            elif tok.kind == "op" and tok.text in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return self.toks[k + 1].kind == "eof"
        return False

    def positive_tests(self) -> tuple[Node, ...]:
        tests = [self.positive_test()]
        while self.at(","):
            self.i += 1
            tests.append(self.positive_test())
        return tuple(tests)

    def positive_test(self) -> Node:
        if self.at(*COMPARE):
            op = self.peek().text
            self.i += 1
            return Comparison(op, self.additive())
        return self.expression()

    # -- expressions -----------------------------------------------------------------
    def expression(self) -> Node:
        tok = self.peek()
        if tok.kind == "word" and not self._longer_name():
            if tok.text == "if":
                return self._if()
            if tok.text == "for":
                return self._for()
            if tok.text in ("some", "every"):
                return self._quantified()
        return self.disjunction()

    def _longer_name(self) -> bool:
        """Whether the word here starts a known name of several words (a variable called ``for sale``)."""
        return self._name_end() > self.i

    def _if(self) -> Node:
        self.take("if")
        condition = self.expression()
        self.take("then")
        then = self.expression()
        self.take("else")
        return If(condition, then, self.expression())

    def _loops(self, until: str) -> tuple[tuple[str, Node], ...]:
        loops = []
        while True:
            name = self._binding_name()
            self.take("in")
            self.names = self.names.with_([name])
            domain = self.expression()
            if self.at(".."):
                self.i += 1
                domain = Binary("..", domain, self.expression())
            loops.append((name, domain))
            if not self.at(","):
                break
            self.i += 1
        self.take(until)
        return tuple(loops)

    def _binding_name(self) -> str:
        start = self.peek()
        if start.kind != "word":
            self.fail("expected a name")
        while self.peek().kind in ("word", "num") and self.peek().text != "in" or self.peek().text in NAME_SYMBOLS:
            self.i += 1
        return normalise(self.text[start.start:self.toks[self.i - 1].end])

    def _for(self) -> Node:
        self.take("for")
        saved = self.names
        loops = self._loops("return")
        body = self.expression()
        self.names = saved
        return For(loops, body)

    def _quantified(self) -> Node:
        every = self.peek().text == "every"
        self.i += 1
        saved = self.names
        loops = self._loops("satisfies")
        condition = self.expression()
        self.names = saved
        return Quantified(every, loops, condition)

    def disjunction(self) -> Node:
        left = self.conjunction()
        while self.at("or"):
            self.i += 1
            left = Logic("or", left, self.conjunction())
        return left

    def conjunction(self) -> Node:
        left = self.comparison()
        while self.at("and"):
            self.i += 1
            left = Logic("and", left, self.comparison())
        return left

    def comparison(self) -> Node:
        left = self.additive()
        while True:
            if self.at(*COMPARE):
                op = self.peek().text
                self.i += 1
                left = Binary(op, left, self.additive())
            elif self.at("between"):
                self.i += 1
                low = self.additive()
                self.take("and")
                left = Between(left, low, self.additive())
            elif self.at("in"):
                self.i += 1
                left = In(left, self._in_tests())
            elif self.at("instance") and self.peek(1).text == "of":
                self.i += 2
                left = InstanceOf(left, self.type_ref())
            else:
                return left

    def _in_tests(self) -> UnaryTests:
        start = self.i
        if self.at("("):
            self.i += 1
            try:
                tests = self.positive_tests()
                self.take(")")
                return UnaryTests(tests)
            except FeelSyntaxError:
                self.i = start
        return UnaryTests((self.positive_test(),))

    def additive(self) -> Node:
        left = self.multiplicative()
        while self.at("+", "-"):
            op = self.peek().text
            self.i += 1
            left = Binary(op, left, self.multiplicative())
        return left

    def multiplicative(self) -> Node:
        left = self.power()
        while self.at("*", "/"):
            op = self.peek().text
            self.i += 1
            left = Binary(op, left, self.power())
        return left

    def power(self) -> Node:
        left = self.unary()
        while self.at("**"):
            self.i += 1
            left = Binary("**", left, self.unary())
        return left

    def unary(self) -> Node:
        if self.at("-"):
            self.i += 1
            return Negate(self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at("."):
                self.i += 1
                node = Path(node, self._path_name())
            elif self.at("[") and not self.in_interval_end:
                self.i += 1
                condition = self.expression()
                self.take("]")
                node = Filter(node, condition)
            elif self.at("("):
                node = self._call(node)
            else:
                return node

    def _path_name(self) -> str:
        tok = self.peek()
        if tok.kind == "str":
            self.i += 1
            return tok.text
        if tok.kind != "word":
            self.fail("expected a name after '.'")
        end = self._name_end(allow_dots=False)
        self.i = end + 1
        return normalise(self.text[tok.start:self.toks[end].end])

    @inside_brackets
    def _call(self, function: Node) -> Node:
        self.take("(")
        args: list[Node] = []
        named: list[tuple[str, Node]] = []
        while not self.at(")"):
            label = self._arg_label()
            if label is not None:
                named.append((label, self.expression()))
            else:
                args.append(self.expression())
            if not self.at(","):
                break
            self.i += 1
        self.take(")")
        if named and args:
            self.fail("a call gives its arguments either by position or by name, not both")
        return Call(function, tuple(args), tuple(named) if named else None)

    def _arg_label(self) -> str | None:
        k = self.i
        while self.toks[k].kind == "word" or self.toks[k].kind == "num" and k > self.i:
            k += 1
        if k > self.i and self.toks[k].text == ":" and self.toks[k].kind == "op":
            label = normalise(self.text[self.toks[self.i].start:self.toks[k - 1].end])
            self.i = k + 1
            return label
        return None
