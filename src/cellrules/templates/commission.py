"""Template 5: commission calculator with per-rep totals and a what-if."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from cellrules.templates.common import DATE, INT, MONEY, bar, choices, equals, fill, formats, how_to, printable, save, table_sheet

N = 240
REPS = ["Chen Wei", "Li Na", "Zhang Min", "Wang Fang", "Liu Yang", "Zhao Lei"]


def build(path: Path) -> Path:
    """The commission calculator workbook: deals, COMMISSION per deal, totals per rep, a what-if sheet."""
    rng = random.Random(505)
    wb = Workbook()
    ws = wb.active
    ws.title = "Deals"
    table_sheet(ws, ["Deal", "Rep", "Type", "Amount", "Date", "Commission"], [10, 14, 12, 16, 13, 16])
    last = N + 1
    start = dt.date(2026, 1, 5)
    for r in range(2, last + 1):
        kind = rng.choice(["new", "renewal", "renewal"])
        amount = round(rng.uniform(20_000, 260_000) if kind == "new" else rng.uniform(5_000, 180_000), 2)
        ws.append([f"D{r - 1:04d}", rng.choice(REPS), kind, amount, start + dt.timedelta(days=rng.randrange(320)),
                   f"=COMMISSION(D{r},C{r},,E{r})"])
    formats(ws, "D", MONEY, 2, last)
    formats(ws, "E", DATE, 2, last)
    formats(ws, "F", MONEY, 2, last)
    choices(ws, f"C2:C{last}", ["new", "renewal"], "new or renewal")
    choices(ws, f"B2:B{last}", REPS, "Pick the sales rep")
    equals(ws, f"C2:C{last}", "new", "green")
    reps(wb, last)
    what_if(wb)
    how_to(wb, "Commission calculator", [
        "1. Enter each closed deal in the Deals sheet: rep, type (new or renewal, from the drop-down), amount and "
        "date. The Commission column uses =COMMISSION(amount, type, , date).",
        "2. The rates live in rules/commission.yaml: new customers 15% of the first 100,000 and 20% above; "
        "renewals 1% and 2%. A deal uses the plan version in force on its date.",
        "3. A refund is a negative amount: its commission is clawed back.",
        "4. The Reps sheet totals deals and commission per rep; the What-if sheet shows the commission on any "
        "amount, with the explanation of how it was computed.",
    ])
    return save(wb, path)


def reps(wb: Workbook, last: int) -> None:
    """The Reps sheet: deals, sales and commission per rep, with a bar chart."""
    ws = wb.create_sheet("Reps")
    table_sheet(ws, ["Rep", "Deals", "Sales", "Commission", "Average rate"], [14, 8, 18, 16, 14])
    for i, rep in enumerate(REPS, start=2):
        ws.append([rep, f"=COUNTIF(Deals!B$2:B${last},A{i})", f"=SUMIF(Deals!B$2:B${last},A{i},Deals!D$2:D${last})",
                   f"=SUMIF(Deals!B$2:B${last},A{i},Deals!F$2:F${last})", f"=IFERROR(D{i}/C{i},0)"])
    end = len(REPS) + 1
    ws.append(["Total", f"=SUM(B2:B{end})", f"=SUM(C2:C{end})", f"=SUM(D2:D{end})", f"=IFERROR(D{end + 1}/C{end + 1},0)"])
    formats(ws, "B", INT, 2, end + 1)
    formats(ws, "C", MONEY, 2, end + 1)
    formats(ws, "D", MONEY, 2, end + 1)
    formats(ws, "E", "0.00%", 2, end + 1)
    bar(ws, "Commission per rep", (4, 1, end), (1, 2, end), "G2", "commission", size=(8, 16))


def what_if(wb: Workbook) -> None:
    """The What-if sheet: type an amount, a deal type and a date; see the commission, its rate and how it is computed."""
    ws = wb.create_sheet("What-if")
    printable(ws)
    rows = [("Deal amount", 150000), ("Deal type", "new"), ("Deal date", dt.date(2026, 6, 30)),
            ("Commission", "=COMMISSION(B2,B3,,B4)"), ("Effective rate", "=IFERROR(B5/B2,0)"),
            ("How it is computed", '=EXPLAIN("COMMISSION",B2,B3,,B4)')]
    ws.append(["What if…", ""])
    for label, value in rows:
        ws.append([label, value])
    ws["A1"].font = Font(bold=True, size=14, color="1F4E78")
    for cell in ("B2", "B3", "B4"):
        ws[cell].fill = fill("amber")
    ws["B2"].number_format, ws["B4"].number_format = MONEY, DATE
    ws["B5"].number_format, ws["B6"].number_format = MONEY, "0.00%"
    ws["B5"].font = Font(bold=True)
    choices(ws, "B3", ["new", "renewal"], "new or renewal")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 22, 80
    ws["A9"] = "Change the yellow cells: the commission and its explanation follow."
