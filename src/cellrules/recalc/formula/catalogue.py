"""Microsoft's list of Excel worksheet functions, and which of them cellrules recalc computes.

Owns :func:`coverage` over :data:`cellrules.excelnames.EXCEL_FUNCTIONS` (Microsoft's 519 names): each name implemented (an Excel function of the function table or a reference
function) or not supported (a cell calling it is #NAME?, named in the run's report).
"""
from __future__ import annotations

from cellrules.recalc.excel.functable import FUNCTIONS
from cellrules.excelnames import EXCEL_FUNCTIONS
from cellrules.recalc.formula import groupby, lambdas, references

__all__ = ["EXCEL_FUNCTIONS", "coverage"]


def coverage() -> dict[str, list[str]]:
    """``implemented`` and ``unsupported``: Microsoft's functions split by whether cellrules recalc computes them."""
    known = set(FUNCTIONS) | set(references.FUNCTIONS) | set(lambdas.FUNCTIONS) | set(groupby.FUNCTIONS)
    return {"implemented": sorted(EXCEL_FUNCTIONS & known), "unsupported": sorted(EXCEL_FUNCTIONS - known)}
