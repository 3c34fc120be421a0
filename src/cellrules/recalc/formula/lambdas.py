"""Names a formula binds itself: LET, LAMBDA and the functions that call a LAMBDA.

Owns LET(name, value, …, calculation), LAMBDA(parameter, …, body) — a value that is a function, called
with arguments (a name bound by LET or a defined name holding a LAMBDA: ``MYFUNC(1)``) — and the
functions that call one over arrays: MAP, REDUCE, SCAN, BYROW, BYCOL, MAKEARRAY; ISOMITTED. Microsoft's
pages are the reference: a LAMBDA left in a cell is #CALC!, too many arguments #VALUE!, a parameter not
given is blank and ISOMITTED says so; BYROW/BYCOL's function must give one value per row or column
(#CALC! otherwise). Excel saves the parameters with a ``_xlpm.`` prefix; names are compared without it,
in any case.

Each takes its argument *nodes* (a name is bound, not evaluated), as the reference functions do. A group
of many rows is evaluated row by row (each row's LAMBDA may see other values); LET alone binds whole
columns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.formula.book import Book, Context
from cellrules.recalc.formula.parser import Call, Name, Node
from cellrules.recalc.formula.ranges import Blocks, bound_name as key
from cellrules.recalc.values.blocks import Block
from cellrules.recalc.values.scalars import err, num



class Evaluator(Protocol):
    """What these functions need of the evaluator that calls them (:class:`evaluator.Evaluator`): the book,
    the bound names, the array mode, a node's value and one value of an array."""

    book: Book
    scope: dict[str, Any]
    array_mode: bool

    def ev(self, node: Node, ctx: Context) -> Any:
        """A node's value in a context."""

    def one_value(self, value: Any, ctx: Context) -> Any:
        """One value per row of the context (an array's implicit intersection)."""

@dataclass(frozen=True)
class Lambda:
    """A LAMBDA as a value: its parameters, its body and the names bound where it was written."""

    params: tuple[str, ...]
    body: Node
    scope: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # never shown in a cell (a LAMBDA left in a cell is #CALC!), but kept readable
        return f"LAMBDA({', '.join(self.params)})"


OMITTED = "\0omitted"  # the scope key of the parameters a call left out


@dataclass(frozen=True)
class Eta:
    """An eta-reduced LAMBDA: a function by its name (GROUPBY's SUM, stored ``_xleta.SUM``), called with as many
    arguments as it is given."""

    name: str


def eta(stored: str) -> Eta:
    """The eta-reduced LAMBDA a name such as ``_xleta.SUM`` stands for."""
    return Eta(stored.split(".", 1)[1].upper())


def apply(ev: Evaluator, fn: Any, args: list[Any], ctx: Context) -> Any:
    """Call a LAMBDA value with evaluated arguments, in a one-row context."""
    if isinstance(fn, Eta):
        params = tuple(f"\0ETA{i}" for i in range(len(args)))
        fn = Lambda(params, Call(fn.name, tuple(Name(p) for p in params)))
    if not isinstance(fn, Lambda):
        return fn if isinstance(fn, ExcelError) else err("#VALUE!", "a LAMBDA is needed here")
    if len(args) > len(fn.params):
        return err("#VALUE!", f"the LAMBDA takes {len(fn.params)} argument(s), {len(args)} given")
    scope = dict(fn.scope)
    scope.update(zip(fn.params, args))
    missing = fn.params[len(args):]
    scope.update(dict.fromkeys(missing))
    scope[OMITTED] = frozenset(missing)
    saved, ev.scope = ev.scope, scope
    try:
        return ev.ev(fn.body, ctx)
    finally:
        ev.scope = saved


def call_named(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """``f(args)`` where ``f`` is a name bound to a LAMBDA (by LET, or a defined name), or None when it is not."""
    bound = ev.scope.get(key(node.name)) if key(node.name) in ev.scope else None
    if bound is None and ev.book.name(node.name, ctx.sheet.name) is not None:
        bound = ev.ev(Name(node.name), ctx)
    if not isinstance(bound, Lambda):
        return None
    return _rows(lambda one: apply(ev, bound, [_arg(ev, a, one) for a in node.args], one))(ev, ctx)


def _arg(ev: Evaluator, node: Node, ctx: Context) -> Any:
    value = ev.ev(node, ctx)
    return value[0] if isinstance(value, (np.ndarray, Blocks)) else value


def _rows(fn: Callable[[Context], Any]) -> Callable[[Evaluator, Context], Any]:
    """Run ``fn`` once per row of a group: its value, or a column of each row's value."""
    def run(ev: Evaluator, ctx: Context) -> Any:
        if ctx.n == 1:
            return fn(ctx)
        out = np.empty(ctx.n, dtype=object)
        for i, r in enumerate(ctx.rows.tolist()):
            one = Context(ctx.sheet, np.array([r]), ctx.col, ctx.anchor)
            value = ev.one_value(fn(one), one)
            out[i] = err("#CALC!", "a LAMBDA is not a value a cell can show") if isinstance(value, Lambda) else value
        return out
    return run


def _per_row(fn: Callable[[Evaluator, Call, Context], Any]) -> Callable[[Evaluator, Call, Context], Any]:
    return lambda ev, node, ctx: _rows(lambda one: fn(ev, node, one))(ev, ctx)


def LET(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's LET(name1, value1, [name2, value2, …], calculation): the calculation with the names bound."""
    args = node.args
    names = [a.name for a in args[:-1:2] if isinstance(a, Name)]
    if len(args) < 3 or len(args) % 2 == 0 or len(names) != len(args) // 2:
        return err("#VALUE!", "LET takes name, value pairs and a calculation")
    saved = ev.scope
    ev.scope = dict(saved)
    try:
        for name, value in zip(names, args[1:-1:2]):
            ev.scope[key(name)] = ev.ev(value, ctx)
        return ev.ev(args[-1], ctx)
    finally:
        ev.scope = saved


def LAMBDA(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's LAMBDA([parameter1, …], calculation): a function, called with arguments."""
    params = [key(a.name) for a in node.args[:-1] if isinstance(a, Name)]
    if not node.args or len(params) != len(node.args) - 1:
        return err("#VALUE!", "LAMBDA takes parameter names and a calculation")
    return Lambda(tuple(params), node.args[-1], dict(ev.scope))


def ISOMITTED(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's ISOMITTED(argument): whether a LAMBDA's parameter was left out of the call."""
    if len(node.args) != 1 or not isinstance(node.args[0], Name):
        return err("#VALUE!", "ISOMITTED takes a parameter name")
    return key(node.args[0].name) in ev.scope.get(OMITTED, frozenset())


def _grid(value: Any) -> np.ndarray:
    if isinstance(value, Block):
        return value.values
    return np.array([[value]], dtype=object)


def _value(value: Any) -> Any:
    """One element a LAMBDA gave: an array of one value is that value; a larger one cannot nest (#CALC!)."""
    if isinstance(value, Block):
        if value.values.size == 1:
            return value.values[0, 0]
        return err("#CALC!", "the LAMBDA gave an array where one value is needed")
    return 0.0 if value is None else value


def _split(ev: Evaluator, node: Call, ctx: Context, least: int) -> tuple[list[Any], Any] | ExcelError:
    """The evaluated arguments (ranges whole) and the LAMBDA (the last argument)."""
    if len(node.args) < least:
        return err("#VALUE!", f"{node.name} takes at least {least} arguments")
    saved, ev.array_mode = ev.array_mode, True
    try:
        values = [_arg(ev, a, ctx) for a in node.args]
    finally:
        ev.array_mode = saved
    return values[:-1], values[-1]


@_per_row
def MAP(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's MAP(array1, [array2, …], lambda): each element (of every array at once) through the LAMBDA."""
    got = _split(ev, node, ctx, 2)
    if isinstance(got, ExcelError):
        return got
    arrays, fn = got
    grids = [_grid(a) for a in arrays]
    rows, cols = grids[0].shape
    if any(g.shape != (rows, cols) and g.size != 1 for g in grids):
        return err("#VALUE!", "MAP's arrays differ in size")
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            out[i, j] = _value(apply(ev, fn, [g[i, j] if g.size != 1 else g[0, 0] for g in grids], ctx))
    return Block(out)


def _fold(ev: Evaluator, node: Call, ctx: Context, keep: bool) -> Any:
    got = _split(ev, node, ctx, 3)
    if isinstance(got, ExcelError):
        return got
    (start, array), fn = got
    acc, seen = start, []
    for v in _grid(array).ravel().tolist():
        acc = _value(apply(ev, fn, [acc, v], ctx))
        seen.append(acc)
    if not keep:
        return acc
    return Block(np.array(seen, dtype=object).reshape(_grid(array).shape))


@_per_row
def REDUCE(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's REDUCE(initial, array, lambda(accumulator, value)): the array folded into one value."""
    return _fold(ev, node, ctx, False)


@_per_row
def SCAN(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's SCAN(initial, array, lambda(accumulator, value)): every intermediate value of the fold."""
    return _fold(ev, node, ctx, True)


def _by(ev: Evaluator, node: Call, ctx: Context, axis: int) -> Any:
    got = _split(ev, node, ctx, 2)
    if isinstance(got, ExcelError):
        return got
    (array,), fn = got
    grid = _grid(array)
    parts = [grid[i:i + 1, :] for i in range(grid.shape[0])] if axis == 0 else \
        [grid[:, j:j + 1] for j in range(grid.shape[1])]
    out = [_value(apply(ev, fn, [Block(part)], ctx)) for part in parts]
    shaped = np.array(out, dtype=object)
    return Block(shaped.reshape((-1, 1)) if axis == 0 else shaped.reshape((1, -1)))


@_per_row
def BYROW(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's BYROW(array, lambda(row)): one value per row."""
    return _by(ev, node, ctx, 0)


@_per_row
def BYCOL(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's BYCOL(array, lambda(column)): one value per column."""
    return _by(ev, node, ctx, 1)


@_per_row
def MAKEARRAY(ev: Evaluator, node: Call, ctx: Context) -> Any:
    """Excel's MAKEARRAY(rows, columns, lambda(row, column)): an array computed element by element."""
    got = _split(ev, node, ctx, 3)
    if isinstance(got, ExcelError):
        return got
    (rows, cols), fn = got
    size = [num(_value(rows)), num(_value(cols))]
    for s in size:
        if isinstance(s, ExcelError):
            return s
    r, c = int(size[0]), int(size[1])
    if r < 1 or c < 1:
        return err("#VALUE!", "MAKEARRAY needs at least one row and one column")
    out = np.empty((r, c), dtype=object)
    for i in range(r):
        for j in range(c):
            out[i, j] = _value(apply(ev, fn, [float(i + 1), float(j + 1)], ctx))
    return Block(out)


FUNCTIONS: dict[str, Callable[[Evaluator, Call, Context], Any]] = {
    "LET": LET, "LAMBDA": LAMBDA, "ISOMITTED": ISOMITTED, "MAP": MAP, "REDUCE": REDUCE, "SCAN": SCAN,
    "BYROW": BYROW, "BYCOL": BYCOL, "MAKEARRAY": MAKEARRAY}
