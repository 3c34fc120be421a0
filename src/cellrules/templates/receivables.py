"""Template 4: receivables, aging buckets and dunning stages with their actions."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from cellrules.templates.common import DATE, FIXED, INT, MONEY, bar, equals, fill, formats, how_to, save, table_sheet

N = 280
STAGES = [("Current", 0), ("First notice", 30), ("Second notice", 60), ("Legal", 90)]
BUCKETS = ["not due", "1-29", "30-59", "60-89", "90+"]


def build(path: Path) -> Path:
    """The receivables workbook: DUNNINGSTAGE and its actions per invoice."""
    rng = random.Random(404)
    wb = Workbook()
    ws = wb.active
    ws.title = "Invoices"
    table_sheet(ws, ["Invoice", "Customer", "Amount", "Due date", "Days overdue", "Aging", "Stage",
                     "Owner's bonus held"], [12, 16, 14, 13, 12, 10, 16, 12])
    last = N + 1
    base = FIXED.date()  # the day the shipped copies are recalculated as of: a spread of overdue invoices
    for r in range(2, last + 1):
        due = base - dt.timedelta(days=int(rng.choice([rng.uniform(-40, 30)] * 3 + [rng.uniform(30, 200)])))
        ws.append([f"INV-{r + 1000}", f"Customer {rng.randint(1, 60):03d}", round(rng.lognormvariate(8.5, 1), 2), due,
                   f"=AsOf-D{r}",
                   f'=IF(E{r}<=0,"not due",IF(E{r}<30,"1-29",IF(E{r}<60,"30-59",IF(E{r}<90,"60-89","90+"))))',
                   f"=DUNNINGSTAGE(E{r},C{r})", f'=BONUSHOLD(E{r},"owner")'])
    formats(ws, "C", MONEY, 2, last)
    formats(ws, "D", DATE, 2, last)
    formats(ws, "E", INT, 2, last)
    formats(ws, "H", "0%", 2, last)
    for stage, colour in zip([s for s, _ in STAGES], ("green", "amber", "red", "purple")):
        equals(ws, f"G2:G{last}", stage, colour)
    ws["I1"], ws["J1"] = "As of", "=TODAY()"
    ws["J1"].number_format = DATE
    ws["J1"].fill = fill("amber")
    ws.column_dimensions["J"].width = 13
    from openpyxl.workbook.defined_name import DefinedName
    wb.defined_names["AsOf"] = DefinedName("AsOf", attr_text="Invoices!$J$1")
    stages(wb, last)
    how_to(wb, "Receivables and dunning", [
        "1. List open invoices with customer, amount and due date. Days overdue is the As-of date (J1 on the "
        "Invoices sheet, today by default) minus the due date.",
        "2. =DUNNINGSTAGE(days overdue, amount) gives the stage: 30 days first written notice, 60 days second "
        "notice with 30% of the rep's bonus held, 90 days lawyer's letter. The Stages sheet lists what happens "
        "at each stage (=DUNNINGACTIONS) and the totals per stage and aging bucket.",
        "3. The thresholds and actions live in rules/dunning.yaml, which finance edits.",
        "4. Owner's bonus held: =BONUSHOLD(days overdue, \"owner\") from the decision table rules/bonus_hold.yaml "
        "(30% at 60 days, all of it at 90; \"finance_lead\": 60% at 90 days). Multiply by the bonus for the amount.",
    ])
    return save(wb, path)


def stages(wb: Workbook, last: int) -> None:
    """The Stages sheet: invoices and amounts by dunning stage and by age."""
    ws = wb.create_sheet("Stages")
    table_sheet(ws, ["Stage", "Invoices", "Amount"], [16, 10, 16])
    for i, (stage, _) in enumerate(STAGES, start=2):
        ws.append([stage, f"=COUNTIF(Invoices!G$2:G${last},A{i})", f"=SUMIF(Invoices!G$2:G${last},A{i},Invoices!C$2:C${last})"])
    ws.append(["Total", "=SUM(B2:B5)", "=SUM(C2:C5)"])
    formats(ws, "C", MONEY, 2, 6)
    ws["E1"], ws["F1"], ws["G1"] = "Aging", "Invoices", "Amount"
    for cell in ("E1", "F1", "G1"):
        ws[cell].font = Font(bold=True)
    for i, bucket in enumerate(BUCKETS, start=2):
        ws.cell(i, 5, bucket)
        ws.cell(i, 6, f"=COUNTIF(Invoices!F$2:F${last},E{i})")
        ws.cell(i, 7, f"=SUMIF(Invoices!F$2:F${last},E{i},Invoices!C$2:C${last})").number_format = MONEY
    ws.column_dimensions["E"].width, ws.column_dimensions["G"].width = 10, 16
    bar(ws, "Open amount by age", (7, 1, 6), (5, 2, 6), "I2", "amount")
    ws["A9"] = "What happens at each stage"
    ws["A9"].font = Font(bold=True, size=12)
    for j, (stage, days) in enumerate(STAGES[1:]):
        col = 1 + 3 * j
        ws.cell(10, col, stage).font = Font(bold=True)
        ws.cell(11, col, f"=DUNNINGACTIONS({days})")
        ws.column_dimensions[ws.cell(10, col).column_letter].width = 36
