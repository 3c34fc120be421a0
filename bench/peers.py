"""Peer engines for the recalc benchmark: the `formulas` package and pycel, each given cellrules'
functions as custom functions. Imported only by bench/recalc.py, in a child process per run."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

from cellrules import functions as F

NAMES = ("TIER", "PROFITRATE", "DUNNINGSTAGE", "COMMISSION")


def _plain(value):
    if isinstance(value, np.ndarray):
        if value.size == 1:
            return _plain(value.ravel()[0])
        return [[_plain(v) for v in row] for row in np.atleast_2d(value)]
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return float(value)
    if isinstance(value, np.str_):
        return str(value)
    if type(value).__name__ in ("XlError", "Token") or value is None:
        return None
    return value


def _wrap(func):
    def call(*args):
        result = func(*[_plain(a) for a in args])
        return str(result) if hasattr(result, "reason") else result
    return call


def run_formulas(path: str) -> None:
    import formulas
    table = formulas.get_functions()
    for name in NAMES:
        table[name] = _wrap(getattr(F, name))
    model = formulas.ExcelModel().loads(path).finish()
    model.calculate()
    model.write(dirpath=tempfile.mkdtemp(prefix="formulas-"))


def run_pycel(path: str) -> None:
    import types
    from pycel import ExcelCompiler
    plugin = types.ModuleType("cellrules_pycel_plugin")
    for name in NAMES:
        setattr(plugin, name.lower(), _wrap(getattr(F, name)))
    sys.modules[plugin.__name__] = plugin
    excel = ExcelCompiler(filename=path, plugins=(plugin.__name__,))
    import openpyxl
    sheet = openpyxl.load_workbook(path, read_only=True)["Customers"]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                excel.evaluate(f"Customers!{cell.coordinate}")


def run(kind: str, path: str) -> str:
    try:
        (run_formulas if kind == "formulas" else run_pycel)(path)
        return "ok"
    except Exception as exc:  # the peer could not do it: report, do not crash the benchmark
        return f"failed: {type(exc).__name__}: {str(exc)[:60]}"


if __name__ == "__main__":
    print(run(sys.argv[1], sys.argv[2]))
