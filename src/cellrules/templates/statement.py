"""Template 6: a quota commission statement — deals in close order with what each adds (DEALPAYOUT), per-rep
totals with attainment and PAYOUT, and the plan's payout curve."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font

from cellrules.templates.common import DATE, MONEY, choices, fill, formats, how_to, save, table_sheet

N = 120
REPS = [("Chen Wei", 500_000, 100_000), ("Li Na", 400_000, 80_000), ("Zhang Min", 650_000, 120_000),
        ("Wang Fang", 300_000, 60_000), ("Liu Yang", 450_000, 90_000), ("Zhao Lei", 550_000, 100_000)]
PERIOD_END = dt.date(2026, 12, 31)  # the plan version in force that day pays the period
REP_ROWS = f"Reps!$A$2:$C${len(REPS) + 1}"


def build(path: Path) -> Path:
    """The commission statement workbook: Deals, Reps and Curve sheets."""
    wb = Workbook()
    deals(wb)
    reps(wb)
    curve(wb)
    how_to(wb, "Quota commission statement", [
        "1. Enter each rep's quota and target incentive for the period on the Reps sheet, and the period's last "
        "day in I2: the quota plan (rules/quota_plan.yaml) in force that day pays the period.",
        "2. Enter the period's deals on the Deals sheet in close-date order. Bookings before is a running SUMIFS "
        "of the rep's earlier deals; Deal payout is =DEALPAYOUT(amount, bookings before, quota, target), so the "
        "deal that crosses into a higher tier pays that tier's rate, and a negative amount claws back.",
        "3. The Reps sheet shows bookings, attainment and =PAYOUT(bookings, quota, target); the sum of the deal "
        "payouts equals it. The Curve sheet draws what the plan pays at each attainment.",
    ])
    return save(wb, path)


def deals(wb: Workbook) -> None:
    """The Deals sheet, in close order, each deal's payout on top of the rep's earlier deals."""
    rng = random.Random(606)
    ws = wb.active
    ws.title = "Deals"
    table_sheet(ws, ["Deal", "Rep", "Close date", "Amount", "Bookings before", "Quota", "Target incentive",
                     "Deal payout"], [10, 14, 13, 14, 16, 13, 16, 14])
    days = sorted(rng.randrange(92) for _ in range(N))
    for i, day in enumerate(days):
        r = i + 2
        amount = round(rng.uniform(5_000, 45_000), 2) if rng.random() > 0.05 else -round(rng.uniform(2_000, 15_000), 2)
        ws.append([f"Q{i + 1:03d}", rng.choice(REPS)[0], PERIOD_END - dt.timedelta(days=91 - day), amount,
                   f"=SUMIFS(D$1:D{r - 1},B$1:B{r - 1},B{r})", f"=VLOOKUP(B{r},{REP_ROWS},2,FALSE)",
                   f"=VLOOKUP(B{r},{REP_ROWS},3,FALSE)", f"=DEALPAYOUT(D{r},E{r},F{r},G{r},,Reps!$I$2)"])
    last = N + 1
    formats(ws, "C", DATE, 2, last)
    for col in "DEFGH":
        formats(ws, col, MONEY, 2, last)
    choices(ws, f"B2:B{last}", [name for name, _, _ in REPS], "Pick the sales rep")


def reps(wb: Workbook) -> None:
    """The Reps sheet: quota, target, bookings, attainment, PAYOUT, and the deal payouts' sum beside it."""
    ws = wb.create_sheet("Reps")
    table_sheet(ws, ["Rep", "Quota", "Target incentive", "Bookings", "Attainment", "Payout", "Σ deal payouts"],
                [14, 13, 16, 14, 12, 14, 16])
    last = N + 1
    for i, (name, quota, target) in enumerate(REPS, start=2):
        ws.append([name, quota, target, f"=SUMIF(Deals!B$2:B${last},A{i},Deals!D$2:D${last})", f"=D{i}/B{i}",
                   f"=PAYOUT(D{i},B{i},C{i},,$I$2)", f"=SUMIF(Deals!B$2:B${last},A{i},Deals!H$2:H${last})"])
    end = len(REPS) + 1
    ws.append(["Total", f"=SUM(B2:B{end})", f"=SUM(C2:C{end})", f"=SUM(D2:D{end})", f"=D{end + 1}/B{end + 1}",
               f"=SUM(F2:F{end})", f"=SUM(G2:G{end})"])
    for col in "BCDFG":
        formats(ws, col, MONEY, 2, end + 1)
    formats(ws, "E", "0.0%", 2, end + 1)
    ws["I1"], ws["I2"] = "Period end", PERIOD_END
    ws["I2"].number_format, ws["I2"].fill = DATE, fill("amber")
    ws["I1"].font = Font(bold=True)
    ws.column_dimensions["I"].width = 13


def curve(wb: Workbook) -> None:
    """The Curve sheet: the plan's payout for a quota and target of 100,000 at 0% to 200% attainment."""
    ws = wb.create_sheet("Curve")
    table_sheet(ws, ["Attainment", "Bookings", "Payout per 100,000 target"], [12, 14, 24])
    for i in range(21):
        r = i + 2
        ws.append([i / 10, f"=A{r}*100000", f"=PAYOUT(B{r},100000,100000,,Reps!$I$2)"])
    formats(ws, "A", "0%", 2, 22)
    formats(ws, "B", MONEY, 2, 22)
    formats(ws, "C", MONEY, 2, 22)
    chart = LineChart()
    chart.title = "What the plan pays by attainment"
    chart.y_axis.title, chart.x_axis.title = "payout", "attainment"
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=22), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=22))
    chart.height, chart.width = 8, 16
    ws.add_chart(chart, "E2")
