"""The shipped sample workbook, ``samples/customers.xlsx``.

Owns how it is built from ``samples/customers.csv``: the customers' figures as
values and one column per cellrules function as formulas (=TIER, =PROFITRATE,
=DUNNINGSTAGE, =COMMISSION, =PROSPECTSCORE) plus an ordinary =IF, ready for
``cellrules recalc`` or Excel. A test keeps the committed copy in step.
"""
from __future__ import annotations

import csv
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
NUMERIC = {"Purchases", "Product cost", "Service cost", "Days overdue", "Open invoice", "Deal"}
FORMULA_COLUMNS = ["Tier", "Profit rate", "Stage", "Commission", "Prospect score", "Size"]


def formulas(r: int, last: int) -> list[str]:
    """The cellrules formulas of one row of the sample workbook."""
    return [f"=TIER(B{r},B$2:B${last})", f"=PROFITRATE(B{r},C{r},D{r})", f"=DUNNINGSTAGE(E{r},F{r})",
            f"=COMMISSION(G{r},H{r},,I{r})", f"=PROSPECTSCORE(J{r},K{r},L{r},M{r})",
            f'=IF(B{r}>=100000,"large","standard")']


def build(csv_path: Path = SAMPLES / "customers.csv", out: Path = SAMPLES / "customers.xlsx") -> Path:
    """The sample workbook the demo recalculates, from its CSV."""
    import openpyxl  # only when building the workbook
    from openpyxl.styles import Font
    with open(csv_path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    header = list(rows[0]) + FORMULA_COLUMNS
    ws.append(header)
    last = len(rows) + 1
    for r, row in enumerate(rows, start=2):
        values = [float(v) if k in NUMERIC and v != "" else v for k, v in row.items()]
        ws.append(values + formulas(r, last))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    wb.save(out)
    return out
