"""Template 2: customer profitability after cost-to-serve, the whale curve and a culling view."""
from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.workbook.defined_name import DefinedName

from cellrules.templates.common import MONEY, PCT, choices, equals, formats, how_to, ranked, save, table_sheet, when

N = 260
HEAD = ["Customer", "Revenue", "Product cost", "Orders", "Visits", "Channel", "Order cost", "Visit cost",
        "Channel fee", "Cost to serve", "Profit", "Profit rate", "Credit", "Future", "Demanding", "Verdict",
        "Years", "Class"]


def build(path: Path) -> Path:
    """The customer profitability workbook: PROFITRATE per customer, the loss-makers, settings."""
    rng = random.Random(202)
    wb = Workbook()
    ws = wb.active
    ws.title = "Customers"
    table_sheet(ws, HEAD, [14, 14, 14, 8, 8, 12, 12, 12, 12, 14, 14, 11, 8, 8, 10, 30, 7, 11])
    last = N + 1
    for r in range(2, last + 1):
        revenue = round(rng.paretovariate(1.2) * 15000, 2)
        demanding = rng.random() < 0.2
        ws.append([f"Customer {r - 1:03d}", revenue, round(revenue * rng.uniform(0.5, 0.75), 2),
                   rng.randint(2, 40 if not demanding else 160), rng.randint(0, 6 if not demanding else 40),
                   rng.choice(["direct", "direct", "distributor"]),
                   f"=D{r}*CostPerOrder", f"=E{r}*CostPerVisit", f'=IF(F{r}="distributor",B{r}*ChannelFee,0)',
                   f"=G{r}+H{r}+I{r}", f"=B{r}-C{r}-J{r}", f"=PROFITRATE(B{r},C{r},J{r})",
                   rng.choice(["A", "A", "B", "C"]), rng.choice(["yes", "yes", "yes", "no"]),
                   "yes" if demanding else "no", verdict(r, last), rng.randint(0, 12),
                   f"=CUSTOMERCLASS(B{r},D{r},L{r},Q{r})"])
    for col in "BCGHIJK":
        formats(ws, col, MONEY, 2, last)
    formats(ws, "L", PCT, 2, last)
    when(ws, f"A2:P{last}", f"AND($L2<0,$B2>=LARGE($B$2:$B${last},26))", "red", bold=True)  # big and losing
    when(ws, f"L2:L{last}", "$L2<0", "amber")
    equals(ws, f"M2:M{last}", "C", "red")
    choices(ws, f"F2:F{last}", ["direct", "distributor"], "How the customer buys")
    choices(ws, f"M2:M{last}", ["A", "B", "C"], "Credit rating: A good, B fair, C poor")
    choices(ws, f"N2:O{last}", ["yes", "no"], "yes or no")
    settings(wb)
    whale(wb, last)
    how_to(wb, "Customer profitability — after the cost to serve", [
        "1. Enter each customer's revenue, product cost, orders, visits and channel (columns A-F) and the "
        "credit rating, whether the customer has a future with you, and whether it is demanding (M-O).",
        "2. Costs to serve per order, per visit and the distributor fee are on the Settings sheet.",
        "3. =PROFITRATE(revenue, product cost, cost to serve) gives the rate after every cost: a big customer "
        "can lose money. Big customers that do are shown in red.",
        "4. The verdict comes from the culling decision table (rules/culling.yaml, =DECIDE(\"culling\", …)): "
        "a customer who cannot pay is culled, however demanding; a demanding customer who pays is kept (65% "
        "come back); no profit or no future: cull. Finance edits the table, every verdict follows.",
        "4b. Class: =CUSTOMERCLASS(revenue, orders, profit rate, years) from rules/customer_class.yaml — key, "
        "important, general, maintain or invalid: high sales with a thin margin is not a big customer.",
        "5. The Whale curve sheet shows cumulative profit by customer, most profitable first: the hump is "
        "where the profitable customers end and the loss-makers begin.",
    ])
    return save(wb, path)


def verdict(r: int, last: int) -> str:
    """The culling verdict from the shipped decision table rules/culling.yaml: a customer who cannot pay (credit
    C) is culled however demanding; a demanding customer who pays is kept; no profit or no future: cull."""
    return f'=DECIDE("culling",M{r}<>"C",N{r}="yes",O{r}="yes",FALSE,L{r})'


def settings(wb: Workbook) -> None:
    """The Settings sheet: cost per order, per visit and the channel fee, as defined names the formulas use."""
    ws = wb.create_sheet("Settings")
    table_sheet(ws, ["Setting", "Value"], [28, 14])
    for name, label, value, fmt in (("CostPerOrder", "Cost per order", 45, MONEY),
                                    ("CostPerVisit", "Cost per sales visit", 180, MONEY),
                                    ("ChannelFee", "Distributor fee (share of revenue)", 0.08, PCT)):
        ws.append([label, value])
        ws.cell(ws.max_row, 2).number_format = fmt
        wb.defined_names[name] = DefinedName(name, attr_text=f"Settings!$B${ws.max_row}")


def whale(wb: Workbook, last: int) -> None:
    """The whale curve: cumulative profit by customers ranked by profit."""
    ws = ranked(wb, "Whale curve", ["Rank", "Profit", "Cumulative profit"], f"Customers!K$2:K${last}", N, share=False)
    chart = LineChart()
    chart.title = "Whale curve: cumulative profit, most profitable customer first"
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=last), titles_from_data=True)
    chart.y_axis.title, chart.x_axis.title = "cumulative profit", "customers, most profitable first"
    chart.y_axis.number_format = "#,##0"
    chart.x_axis.tickLblSkip, chart.x_axis.tickMarkSkip = 20, 20
    chart.height, chart.width = 12, 26
    ws.add_chart(chart, "E2")
