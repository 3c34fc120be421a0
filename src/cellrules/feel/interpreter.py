"""A FEEL tree and a scope → a FEEL value.

Owns :class:`Scope` (names to values, nested: a context's entries, a
function's parameters, a loop's variable, ``?``), :func:`evaluate` (one
function per node class, FEEL's null rules throughout: a type mismatch or a
division by zero gives null, never an exception) and :func:`test`, what a
decision-table cell means for one input value. Only constructs that cannot be
evaluated at all (a call of a function that does not exist) raise
:class:`FeelError`.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable, Iterator

from cellrules.feel import arithmetic, ast, library, properties  # noqa: F401  (library: its built-ins)
from cellrules.feel.builtins import FUNCTIONS, invoke
from cellrules.feel.temporal import DaysTime, YearsMonths
from cellrules.feel.values import FeelError, Function, Range, compare, equal, kind
from cellrules.feel.parser import normalise

MISSING = object()


class Scope:
    """Names in force: this level's values, then the enclosing scope's."""

    __slots__ = ("values", "parent")

    def __init__(self, values: dict[str, Any] | None = None, parent: "Scope | None" = None) -> None:
        self.values = values if values is not None else {}
        self.parent = parent

    def lookup(self, name: str) -> Any:
        """The value of ``name`` (:data:`MISSING` when no level has it)."""
        scope = self
        while True:
            found = scope.values.get(name, MISSING)
            if found is not MISSING:
                return found
            if scope.parent is None:
                return scope.missing(name)
            scope = scope.parent

    def missing(self, name: str) -> Any:
        """What the outermost scope gives for a name no level has (a model's scope evaluates a decision)."""
        return MISSING

    def instance(self, value: Any, type_name: str) -> bool:
        """Whether ``value`` is of the type ``type_name`` that FEEL does not define (a model's item
        definition); the outermost scope answers."""
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope.named_type(value, type_name)

    def named_type(self, value: Any, type_name: str) -> bool:
        """A named type's membership, as the outermost scope knows it (none here)."""
        raise FeelError(f"the type '{type_name}' is not defined")

    def child(self, values: dict[str, Any]) -> "Scope":
        """A scope with ``values`` over this one."""
        return Scope(values, self)


def evaluate(node: ast.Node, scope: Scope) -> Any:
    """The value of a FEEL tree in a scope."""
    return _EVAL[type(node)](node, scope)


def _name(node: ast.Name, scope: Scope) -> Any:
    found = scope.lookup(node.name)
    if found is not MISSING:
        return found
    builtin = FUNCTIONS.get(node.name)
    if builtin is not None:
        return builtin
    if "." in node.name:  # a.b written without spaces and parsed as one name: read it as a path
        head, _, rest = node.name.partition(".")
        if scope.lookup(head) is not MISSING:
            return _path(ast.Path(ast.Name(head), rest), scope)
    raise FeelError(f"the name '{node.name}' is not defined")


def _input(node: ast.Input, scope: Scope) -> Any:
    found = scope.lookup("?")
    return None if found is MISSING else found


def _path(node: ast.Path, scope: Scope) -> Any:
    return properties.member(evaluate(node.target, scope), node.name)


def _filter(node: ast.Filter, scope: Scope) -> Any:
    target = evaluate(node.target, scope)
    items = target if isinstance(target, list) else [target]
    if not ast.names_in(node.condition) & {"item"} and not _reads_entries(node.condition, items):
        try:
            index = evaluate(node.condition, scope)
        except FeelError:
            index = MISSING
        if isinstance(index, Decimal):
            return _index(items, index)
        if isinstance(index, bool):
            return list(items) if index is True else []
    out = []
    keys = {k: None for item in items if isinstance(item, dict) for k in item}  # an entry an item lacks is null
    for item in items:
        local = {**keys, "item": item}
        if isinstance(item, dict):
            local.update(item)
        kept = evaluate(node.condition, scope.child(local))
        if kept is True:
            out.append(item)
        elif kept is not False and kept is not None:
            return None  # a filter whose condition is not a boolean gives null
    return out


def _reads_entries(condition: ast.Node, items: list[Any]) -> bool:
    keys = {k for item in items if isinstance(item, dict) for k in item}
    return bool(ast.names_in(condition) & keys)


def _index(items: list[Any], index: Decimal) -> Any:
    if index != index.to_integral_value():
        return None
    k = int(index)
    if k > 0 and k <= len(items):
        return items[k - 1]
    if k < 0 and -k <= len(items):
        return items[k]
    return None


def _call(node: ast.Call, scope: Scope) -> Any:
    function = evaluate(node.function, scope)
    if not isinstance(function, Function):  # x.size() is Java (JUEL), not FEEL: refused, never null
        what = node.function.name if isinstance(node.function, ast.Name) else "a value that is not a function"
        raise FeelError(f"'{what}' is called as a function, and it is not one")
    args = [evaluate(a, scope) for a in node.args]
    named = {k: evaluate(v, scope) for k, v in node.named} if node.named is not None else None
    return invoke(function, args, named)


def _negate(node: ast.Negate, scope: Scope) -> Any:
    value = evaluate(node.operand, scope)
    if isinstance(value, Decimal):
        return -value
    if isinstance(value, DaysTime):
        return DaysTime(-value.seconds)
    if isinstance(value, YearsMonths):
        return YearsMonths(-value.months)
    return None


def _binary(node: ast.Binary, scope: Scope) -> Any:
    left, right = evaluate(node.left, scope), evaluate(node.right, scope)
    if node.op in ("=", "!=", "<", "<=", ">", ">="):
        return compare(node.op, left, right)
    if left is None or right is None:
        return None
    return arithmetic.apply(node.op, left, right)


def _logic(node: ast.Logic, scope: Scope) -> Any:
    left = evaluate(node.left, scope)
    if node.op == "and":
        if left is False:
            return False
        right = evaluate(node.right, scope)
        if right is False:
            return False
        return True if left is True and right is True else None
    if left is True:
        return True
    right = evaluate(node.right, scope)
    if right is True:
        return True
    return False if left is False and right is False else None


def _between(node: ast.Between, scope: Scope) -> Any:
    value = evaluate(node.value, scope)
    low, high = compare(">=", value, evaluate(node.low, scope)), compare("<=", value, evaluate(node.high, scope))
    if low is False or high is False:
        return False
    return None if low is None or high is None else True


def _in(node: ast.In, scope: Scope) -> Any:
    return test(node.tests, evaluate(node.value, scope), scope)


def _instance_of(node: ast.InstanceOf, scope: Scope) -> Any:
    return properties.instance_of(evaluate(node.value, scope), node.type, scope.instance)


def _if(node: ast.If, scope: Scope) -> Any:
    return evaluate(node.then if evaluate(node.condition, scope) is True else node.otherwise, scope)


class _NoDomain(Exception):
    """An iteration domain FEEL cannot iterate (a range of text, of times, a range value): the loop is null."""


def _range_domain(low: Any, high: Any) -> list[Any]:
    """``a..b`` in a ``for``: the integers, or the days, from a to b (ascending or descending)."""
    if isinstance(low, Decimal) and isinstance(high, Decimal) and low == low.to_integral_value() \
            and high == high.to_integral_value():
        step = 1 if high >= low else -1
        return [Decimal(k) for k in range(int(low), int(high) + step, step)]
    if type(low) is dt.date and type(high) is dt.date:
        step = 1 if high >= low else -1
        return [low + dt.timedelta(days=k * step) for k in range(abs((high - low).days) + 1)]
    raise _NoDomain


def _domain(node: ast.Node, scope: Scope) -> list[Any]:
    if isinstance(node, ast.Binary) and node.op == "..":
        return _range_domain(evaluate(node.left, scope), evaluate(node.right, scope))
    value = evaluate(node, scope)
    if isinstance(value, list):
        return value
    if value is None or isinstance(value, Range):
        raise _NoDomain
    return [value]


def _bindings(loops: tuple[tuple[str, ast.Node], ...], scope: Scope) -> Iterator[Scope]:
    """Every binding of the loops' names, outer loop first (raises _NoDomain for a domain FEEL cannot iterate)."""
    def walk(k: int, here: Scope) -> Iterator[Scope]:
        if k == len(loops):
            yield here
            return
        name, domain_node = loops[k]
        for item in _domain(domain_node, here):
            yield from walk(k + 1, here.child({name: item}))
    return walk(0, scope)


def _for(node: ast.For, scope: Scope) -> Any:
    out: list[Any] = []
    partial = Scope({"partial": out}, scope)
    try:
        for bound in _bindings(node.loops, partial):
            out.append(evaluate(node.body, bound))
    except _NoDomain:
        return None
    return out


def _quantified(node: ast.Quantified, scope: Scope) -> Any:
    try:
        results = [evaluate(node.condition, bound) for bound in _bindings(node.loops, scope)]
    except _NoDomain:
        return None
    if any(r is not None and not isinstance(r, bool) for r in results):
        return None
    if node.every:
        return False if False in results else (None if None in results else True)
    return True if True in results else (None if None in results else False)


def _list(node: ast.ListOf, scope: Scope) -> Any:
    return [evaluate(item, scope) for item in node.items]


def _context(node: ast.ContextOf, scope: Scope) -> Any:
    out: dict[str, Any] = {}
    local = scope.child(out)
    for key, value in node.entries:
        if key in out:
            return None  # a key given twice: FEEL gives null
        out[key] = evaluate(value, local)
    return dict(out)


def _interval(node: ast.Interval, scope: Scope) -> Any:
    low = evaluate(node.low, scope) if node.low is not None else None
    high = evaluate(node.high, scope) if node.high is not None else None
    if node.low is not None and low is None or node.high is not None and high is None:
        return None  # an end written but null: not a range
    if low is not None and high is not None and kind(low) != kind(high):
        return None
    return Range(low, high, node.low_closed, node.high_closed)


def _comparison(node: ast.Comparison, scope: Scope) -> Any:
    value = scope.lookup("?")
    endpoint = evaluate(node.endpoint, scope)
    if value is MISSING:  # outside a unary test: the range it stands for (< 5 is the range up to 5)
        return _as_range(node.op, endpoint)
    return compare(node.op, value, endpoint)


def _as_range(op: str, endpoint: Any) -> Any:
    if op in ("<", "<="):
        return Range(None, endpoint, False, op == "<=")
    if op in (">", ">="):
        return Range(endpoint, None, op == ">=", False)
    return Range(endpoint, endpoint, point=True) if op == "=" else None


def _function_def(node: ast.FunctionDef, scope: Scope) -> Any:
    types = dict(zip(node.params, node.types))

    def call(args: list[Any], named: dict[str, Any] | None) -> Any:
        values = dict(zip(node.params, args)) if named is None else {normalise(k): v for k, v in named.items()}
        for name, typed in types.items():  # an argument not of its parameter's type: the call gives null
            if typed is not None and values.get(name) is not None and \
                    not properties.instance_of(values.get(name), typed, scope.instance):
                return None
        return evaluate(node.body, scope.child({p: values.get(p) for p in node.params}))
    return Function("anonymous", node.params, call)


def _literal(node: ast.Literal, scope: Scope) -> Any:
    return node.value


_EVAL: dict[type, Callable[[Any, Scope], Any]] = {
    ast.Literal: _literal, ast.Name: _name, ast.Input: _input, ast.Path: _path, ast.Filter: _filter,
    ast.Call: _call, ast.Negate: _negate, ast.Binary: _binary, ast.Logic: _logic, ast.Between: _between,
    ast.In: _in, ast.InstanceOf: _instance_of, ast.If: _if, ast.For: _for, ast.Quantified: _quantified,
    ast.ListOf: _list, ast.ContextOf: _context, ast.Interval: _interval, ast.Comparison: _comparison,
    ast.FunctionDef: _function_def,
}


# -- unary tests --------------------------------------------------------------------
def test(tests: ast.UnaryTests, value: Any, scope: Scope) -> bool | None:
    """Whether a decision-table cell holds for ``value`` (None: neither, as FEEL has it for some nulls)."""
    if tests.any:
        return True
    local = scope.child({"?": value})
    found: bool | None = False
    for node in tests.tests:
        one = _positive(node, value, local)
        if one is True:
            found = True
            break
        if one is None:
            found = None
    if tests.negated:
        return None if found is None else not found
    return found


def _positive(node: ast.Node, value: Any, scope: Scope) -> bool | None:
    if isinstance(node, ast.Comparison):
        return compare(node.op, value, evaluate(node.endpoint, scope))
    result = evaluate(node, scope)
    if ast.uses_input(node):
        return result if isinstance(result, bool) or result is None else equal(value, result)
    if result is None and isinstance(node, ast.Interval):
        return None  # a range with a null end
    if isinstance(result, Range):
        return result.contains(value)
    if isinstance(result, list):
        for item in result:
            if (item.contains(value) if isinstance(item, Range) else equal(value, item)) is True:
                return True
        return equal(value, result) is True if isinstance(value, list) else False
    return equal(value, result)
