"""The order of evaluation.

Owns the dependency graph between formula groups: each group depends on the
groups whose cells fall inside the references it reads (over all its rows).
Strongly connected components (Tarjan, iterative) come out in dependency
order; a component of one group that does not read itself is evaluated as a
whole column, anything else cell by cell (where true cycles are found).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from cellrules.recalc.formula.book import Book
from cellrules.recalc.formula.grouping import Group
from cellrules.recalc.formula.parser import Area, Binary, Call, Name, Node, Ref, Unary

Region = tuple[str, int, int, int, int]  # SHEET, row from, row to, col from, col to


def walk(node: Node, book: Book, scope: str, seen: frozenset[str] = frozenset()) -> Iterator[Node]:
    """Every node of a formula, through the defined names it uses (each name once on a path)."""
    yield node
    if isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg, book, scope, seen)
    elif isinstance(node, Binary):
        yield from walk(node.left, book, scope, seen)
        yield from walk(node.right, book, scope, seen)
    elif isinstance(node, Unary):
        yield from walk(node.arg, book, scope, seen)
    elif isinstance(node, Name) and node.name.upper() not in seen:
        target = book.name(node.name, scope)
        if target is not None and not isinstance(target, Exception):
            yield from walk(target, book, scope, seen | {node.name.upper()})


def _walk(node: Node, book: Book, scope: str) -> Iterator[Ref | Area]:
    return (n for n in walk(node, book, scope) if isinstance(n, (Ref, Area)))


def regions(group: Group, book: Book) -> list[Region]:
    """Everything the group reads, over all of its rows."""
    out: list[Region] = []
    if group.node is None:
        return out
    for ref in _walk(group.node, book, group.sheet):
        sheets = book.span(ref.sheet) if ref.sheet and ":" in ref.sheet else None
        names = [d.name for d in sheets] if sheets is not None else [ref.sheet or group.sheet]
        out += [region_of(ref, name.upper(), group) for name in names]  # a 3-D reference: every sheet of it
    return out


def region_of(ref: Ref | Area, sheet: str, group: Group) -> Region:
    """The region one reference of ``group`` reads on ``sheet``, over all of the group's rows."""
    ar, ac = group.anchor
    if isinstance(ref, Ref):
        rows = (ref.row, ref.row) if ref.row_abs else (ref.row + group.r0 - ar, ref.row + group.r1 - ar)
        col = ref.col if ref.col_abs else ref.col + group.col - ac
        return sheet, rows[0], rows[1], col, col
    r1 = ref.r1 if ref.abs[0] else ref.r1 + group.r0 - ar
    r2 = ref.r2 if ref.abs[2] else ref.r2 + group.r1 - ar
    c1 = ref.c1 if ref.abs[1] else ref.c1 + group.col - ac
    c2 = ref.c2 if ref.abs[3] else ref.c2 + group.col - ac
    return sheet, min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)


def edges(groups: list[Group], book: Book) -> tuple[dict[int, set[int]], set[int]]:
    """For each group, the groups it reads; and the groups that read themselves."""
    by_column: dict[tuple[str, int], list[tuple[int, int, int]]] = defaultdict(list)
    for i, g in enumerate(groups):
        if g.array is not None:  # an array formula writes its whole range
            r1, c1, r2, c2 = g.array
            for col in range(c1, c2 + 1):
                by_column[(g.sheet.upper(), col)].append((r1, r2, i))
        else:
            by_column[(g.sheet.upper(), g.col)].append((g.r0, g.r1, i))
    columns_of: dict[str, list[int]] = defaultdict(list)
    for sheet, col in by_column:
        columns_of[sheet].append(col)
    deps: dict[int, set[int]] = defaultdict(set)
    selfish: set[int] = set()
    for i, g in enumerate(groups):
        for sheet, ra, rb, ca, cb in regions(g, book):
            for col in columns_of.get(sheet, ()):
                if ca <= col <= cb:
                    for r0, r1, j in by_column[(sheet, col)]:
                        if r0 <= rb and ra <= r1:
                            (selfish.add(i) if j == i else deps[i].add(j))
    return deps, selfish


def components(groups: list[Group], book: Book, found: tuple[dict[int, set[int]], set[int]] | None = None
               ) -> list[tuple[list[Group], bool]]:
    """(groups, whole-column?) in dependency order; ``found``: their :func:`edges`, when already worked out."""
    deps, selfish = found if found is not None else edges(groups, book)
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[tuple[list[Group], bool]] = []
    counter = 0
    for root in range(len(groups)):
        if root in index:
            continue
        work = [(root, iter(sorted(deps.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(deps.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    members.append(top)
                    if top == node:
                        break
                whole = len(members) == 1 and members[0] not in selfish
                out.append(([groups[m] for m in sorted(members)], whole))
    return out
