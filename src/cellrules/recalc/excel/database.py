"""Excel's database functions: DSUM, DCOUNT, DCOUNTA, DAVERAGE, DMAX, DMIN, DGET, DPRODUCT, DSTDEV(P), DVAR(P).

Owns reading a database range (first row the labels), the field argument (a label, case-insensitive, or a
column number), and the criteria range: its first row names columns, each further row is one alternative
(OR), the cells of a row all hold (AND), each a COUNTIF-style criterion (">10", "East", "Ea*").
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block, criterion
from cellrules.recalc.values.scalars import err
from cellrules.recalc.values.signature import excel


def _field(labels: list[Any], field: Any) -> int | ExcelError:
    if isinstance(field, (int, float)) and not isinstance(field, bool):
        k = math.trunc(field)
        return k - 1 if 1 <= k <= len(labels) else err("#VALUE!", f"field {k} is outside the database")
    name = str(field).strip().casefold() if field is not None else None
    for i, label in enumerate(labels):
        if label is not None and str(label).strip().casefold() == name:
            return i
    return err("#VALUE!", f"no field named '{field}'")


def _rows(database: Any, crit: Any) -> tuple[list[list[Any]], list[Any]] | ExcelError:
    """The records meeting the criteria, and the labels."""
    if not isinstance(database, Block) or not isinstance(crit, Block) or database.shape[0] < 1 or crit.shape[0] < 1:
        return err("#VALUE!", "the database and the criteria must be ranges with labels")
    labels = database.values[0].tolist()
    records = database.values[1:].tolist()
    names = crit.values[0].tolist()
    alternatives = []
    for row in crit.values[1:].tolist():
        tests = []
        for name, spec in zip(names, row):
            if spec is None or name is None:
                continue
            k = _field(labels, name)
            if isinstance(k, ExcelError):
                return k
            tests.append((k, criterion(spec)))
        alternatives.append(tests)
    if not alternatives or any(not tests for tests in alternatives):
        return records, labels  # an empty criteria row matches every record
    return [r for r in records if any(all(test(r[k]) for k, test in tests) for tests in alternatives)], labels


def _column(database: Any, field: Any, crit: Any) -> list[Any] | ExcelError:
    got = _rows(database, crit)
    if isinstance(got, ExcelError):
        return got
    records, labels = got
    k = _field(labels, field)
    return k if isinstance(k, ExcelError) else [r[k] for r in records]


def _numbers(cells: list[Any]) -> list[float]:
    return [float(v) for v in cells if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _database(reduce: Callable[[list[float]], Any], doc: str) -> Callable[[Any, Any, Any], Any]:
    @excel("range", "value", "range")
    def database_function(database: Any, field: Any, crit: Any) -> Any:
        cells = _column(database, field, crit)
        return cells if isinstance(cells, ExcelError) else reduce(_numbers(cells))
    database_function.__doc__ = doc
    return database_function


def _mean(xs: list[float]) -> Any:
    return err("#DIV/0!", "no matching numbers") if not xs else math.fsum(xs) / len(xs)


def _spread(sample: bool, root: bool) -> Callable[[list[float]], Any]:
    def spread(xs: list[float]) -> Any:
        if len(xs) < (2 if sample else 1):
            return err("#DIV/0!", "too few matching numbers")
        v = float(np.var(xs, ddof=1 if sample else 0))
        return math.sqrt(v) if root else v
    return spread


DSUM = _database(lambda xs: math.fsum(xs), "Excel's DSUM(database, field, criteria): the sum of matching records.")
DAVERAGE = _database(_mean, "Excel's DAVERAGE(database, field, criteria): the mean of matching records.")
DMAX = _database(lambda xs: max(xs) if xs else 0.0, "Excel's DMAX(database, field, criteria): the largest match.")
DMIN = _database(lambda xs: min(xs) if xs else 0.0, "Excel's DMIN(database, field, criteria): the smallest match.")
DPRODUCT = _database(lambda xs: float(np.prod(xs)) if xs else 0.0,
                     "Excel's DPRODUCT(database, field, criteria): the product of matching records.")
DSTDEV = _database(_spread(True, True), "Excel's DSTDEV(database, field, criteria): the sample standard deviation.")
DSTDEVP = _database(_spread(False, True), "Excel's DSTDEVP(database, field, criteria): the population one.")
DVAR = _database(_spread(True, False), "Excel's DVAR(database, field, criteria): the sample variance.")
DVARP = _database(_spread(False, False), "Excel's DVARP(database, field, criteria): the population variance.")


@excel("range", "value", "range")
def DCOUNT(database: Any, field: Any, crit: Any) -> Any:
    """Excel's DCOUNT(database, [field], criteria): how many matching records hold a number in the field."""
    if field is None:
        got = _rows(database, crit)
        return got if isinstance(got, ExcelError) else float(len(got[0]))
    cells = _column(database, field, crit)
    return cells if isinstance(cells, ExcelError) else float(len(_numbers(cells)))


@excel("range", "value", "range")
def DCOUNTA(database: Any, field: Any, crit: Any) -> Any:
    """Excel's DCOUNTA(database, [field], criteria): how many matching records are not blank in the field."""
    if field is None:
        got = _rows(database, crit)
        return got if isinstance(got, ExcelError) else float(len(got[0]))
    cells = _column(database, field, crit)
    return cells if isinstance(cells, ExcelError) else float(sum(1 for v in cells if v not in (None, "")))


@excel("range", "value", "range")
def DGET(database: Any, field: Any, crit: Any) -> Any:
    """Excel's DGET(database, field, criteria): the one matching value (#VALUE! for none, #NUM! for several)."""
    cells = _column(database, field, crit)
    if isinstance(cells, ExcelError):
        return cells
    if not cells:
        return err("#VALUE!", "no record matches")
    if len(cells) > 1:
        return err("#NUM!", "more than one record matches")
    return 0.0 if cells[0] is None else cells[0]
