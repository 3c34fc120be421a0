"""Template 1: customer tiers (80/20) with a Pareto chart and the tier distribution."""
from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference

from cellrules.templates.common import INT, MONEY, PCT, bar, choices, ranked, equals, formats, how_to, save, table_sheet

N = 300
TIERS = ["VIP", "Major", "Normal", "Small"]
REGIONS = ["East", "South", "North", "West"]


def build(path: Path) -> Path:
    """The customer tiers workbook: TIER per customer, a summary by tier, a Pareto chart."""
    rng = random.Random(101)
    wb = Workbook()
    ws = wb.active
    ws.title = "Customers"
    table_sheet(ws, ["Customer", "Region", "Purchases", "Tier", "Share of sales", "Visits a year"],
                [16, 12, 16, 12, 16, 14])
    last = N + 1
    for r in range(2, last + 1):
        ws.append([f"Customer {r - 1:03d}", rng.choice(REGIONS), round(rng.paretovariate(1.1) * 8000, 2),
                   f"=TIER(C{r},C$2:C${last})", f"=C{r}/SUM(C$2:C${last})", f'=DECIDE("service_plan",D{r})'])
    formats(ws, "C", MONEY, 2, last)
    formats(ws, "E", "0.00%", 2, last)
    for tier, colour in zip(TIERS, ("gold", "green", "blue", "grey")):
        equals(ws, f"D2:D{last}", tier, colour)
    choices(ws, f"B2:B{last}", REGIONS, "Pick the customer's region")
    summary(wb, last)
    pareto(wb, last)
    how_to(wb, "Customer tiers — the 80/20 rule", [
        "1. Paste your customers and their purchase amounts for the period into the Customers sheet (columns A-C).",
        "   Keep the formulas in columns D and E; extend them down if you have more than 300 customers, and change "
        "C$2:C$301 in the TIER formula to cover all your rows.",
        "2. =TIER(amount, all amounts) ranks each customer: VIP = top 1% of customers, Major = the next 5%, "
        "Normal = the next 20%, Small = the rest. The shares live in rules/tiers.yaml, which finance edits.",
        "3. The Summary sheet counts customers and sales per tier; the Pareto sheet sorts customers by sales and "
        "shows the cumulative share: typically 20% of customers bring 80% of sales.",
        "4. Profit tiers: =TIER(profit, all profits, \"tiers:metals\") gives 铂金/黄金/铁质/铅质 customers.",
        "5. Visits a year come from the service plan of each tier (rules/service_plan.yaml, a decision table: "
        "VIPs get regular visits and greetings); =DECIDE(\"service_plan\", D2) spills the whole plan.",
        "Excel desktop: the xlwings add-in; Excel on the web: the cellrules add-in; no Excel: cellrules recalc.",
    ])
    return save(wb, path)


def summary(wb: Workbook, last: int) -> None:
    """The summary sheet: customers and sales by tier."""
    ws = wb.create_sheet("Summary")
    table_sheet(ws, ["Tier", "Customers", "Purchases", "Share of customers", "Share of sales"], [12, 12, 18, 18, 16])
    for i, tier in enumerate(TIERS, start=2):
        ws.append([tier, f'=COUNTIF(Customers!D$2:D${last},A{i})', f'=SUMIF(Customers!D$2:D${last},A{i},Customers!C$2:C${last})',
                   f"=B{i}/SUM(B$2:B$5)", f"=C{i}/SUM(C$2:C$5)"])
    ws.append(["Total", "=SUM(B2:B5)", "=SUM(C2:C5)", "=SUM(D2:D5)", "=SUM(E2:E5)"])
    formats(ws, "B", INT, 2, 6)
    formats(ws, "C", MONEY, 2, 6)
    formats(ws, "D", PCT, 2, 6)
    formats(ws, "E", PCT, 2, 6)
    bar(ws, "Customers per tier", (2, 1, 5), (1, 2, 5), "G2", "customers")
    bar(ws, "Share of sales per tier", (5, 1, 5), (1, 2, 5), "G18", "share", "0%")


def pareto(wb: Workbook, last: int) -> None:
    """The Pareto sheet: purchases by customer, biggest first, with their cumulative share."""
    ws = ranked(wb, "Pareto", ["Rank", "Purchases", "Cumulative share"], f"Customers!C$2:C${last}", N, share=True)
    bars = BarChart()
    bars.title = "Pareto: customers sorted by purchases, with the cumulative share"
    bars.add_data(Reference(ws, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    bars.y_axis.title, bars.y_axis.number_format = "purchases", "#,##0"
    bars.x_axis.tickLblSkip, bars.x_axis.tickMarkSkip = 25, 25
    line = LineChart()
    line.add_data(Reference(ws, min_col=3, min_row=1, max_row=last), titles_from_data=True)
    line.y_axis.axId, line.y_axis.title, line.y_axis.number_format = 200, "cumulative share", "0%"
    line.y_axis.crosses = "max"
    bars += line
    bars.height, bars.width = 12, 26
    ws.add_chart(bars, "E2")
