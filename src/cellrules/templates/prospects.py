"""Template 3: prospect scoring, a sorted call list and the one-in-ten conversion tracker."""
from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from cellrules.templates.common import PCT, bar, choices, equals, fill, how_to, printable, save, table_sheet, when

N = 220
INDUSTRIES = ["Manufacturing", "Retail", "Banking", "Logistics", "Healthcare"]
TITLES = ["CFO", "Purchasing Director", "IT Manager", "CEO", "Office Manager"]
REGIONS = ["East", "South", "North", "West"]
TRIGGERS = ["merger", "new management", "expansion", "none"]
STATUS = ["new", "called", "meeting", "won", "lost"]


def build(path: Path) -> Path:
    """The prospect scoring workbook: PROSPECTSCORE per prospect, a call list, a tracker."""
    rng = random.Random(303)
    wb = Workbook()
    ws = wb.active
    ws.title = "Prospects"
    table_sheet(ws, ["Company", "Industry", "Title", "Region", "Trigger", "Sold in industry", "Reference",
                     "Involved", "Score", "Priority", "Status", "Sort key"], [18, 15, 20, 10, 16, 10, 10, 10, 8, 16, 10, 10])
    last = N + 1
    for r in range(2, last + 1):
        ws.append([f"Prospect {r - 1:03d}", _likely(rng, INDUSTRIES, 2), _likely(rng, TITLES, 2), _likely(rng, REGIONS, 2),
                   rng.choice(TRIGGERS), rng.choice(["yes", "no"]), rng.choice(["yes", "no", "no"]),
                   rng.choice(["yes", "no", "no", "no"]),
                   f"=PROSPECTSCORE(B{r},C{r},D{r},E{r},F{r},G{r},H{r})",
                   f'=IF(I{r}>=8,"call this week",IF(I{r}>=5,"call this month",IF(I{r}>0,"nurture","struck out")))',
                   rng.choice(STATUS[:3] * 3 + STATUS[3:]), f"=I{r}+(1000-ROW())/1000"])
    for col, options, prompt in (("B", INDUSTRIES, "Industry"), ("C", TITLES, "Job title of the contact"),
                                 ("D", REGIONS, "Region"), ("E", TRIGGERS, "Trigger event"),
                                 ("F", ["yes", "no"], "yes or no"), ("G", ["yes", "no"], "yes or no"),
                                 ("H", ["yes", "no"], "yes or no"), ("K", STATUS, "Where the prospect stands")):
        choices(ws, f"{col}2:{col}{last}", options, prompt)
    when(ws, f"I2:I{last}", "$I2>=8", "green", bold=True)
    when(ws, f"I2:I{last}", "$I2=0", "grey")
    equals(ws, f"K2:K{last}", "won", "gold")
    ws.column_dimensions["L"].hidden = True
    call_list(wb, last)
    tracker(wb, last)
    how_to(wb, "Prospect scoring", [
        "1. One row per prospect: industry, the contact's title, region and trigger event from the drop-downs, "
        "and yes/no for: sold in that industry before, a reference customer there, you know them personally.",
        "2. =PROSPECTSCORE scores industry 2, title 2, region 1, trigger 2, and +1, +1, +2 for the yes/no facts "
        "(maximum 11). A prospect outside the target industries, titles or regions is struck out (0).",
        "3. The Call list sheet sorts prospects by score: call from the top.",
        "4. Keep Status up to date; the Tracker sheet compares your conversion with the goal of one in ten.",
        "The targets and weights live in rules/prospect.yaml.",
    ])
    return save(wb, path)


def _likely(rng: random.Random, options: list[str], targets: int) -> str:
    """A prospect list is already aimed at the targets (the first `targets` options) four times in five."""
    return rng.choice(options[:targets]) if rng.random() < 0.8 else rng.choice(options[targets:])


def call_list(wb: Workbook, last: int) -> None:
    """The Call list sheet: the best-scored prospects first."""
    ws = wb.create_sheet("Call list")
    table_sheet(ws, ["#", "Company", "Score", "Priority", "Status"], [6, 18, 8, 16, 10])
    for k in range(1, N + 1):
        r = k + 1
        key = f"LARGE(Prospects!L$2:L${last},A{r})"
        at = f"MATCH({key},Prospects!L$2:L${last},0)"
        ws.append([k, f"=INDEX(Prospects!A$2:A${last},{at})", f"=INDEX(Prospects!I$2:I${last},{at})",
                   f"=INDEX(Prospects!J$2:J${last},{at})", f"=INDEX(Prospects!K$2:K${last},{at})"])
    when(ws, f"A2:E{last}", "$C2>=8", "green")


def tracker(wb: Workbook, last: int) -> None:
    """The Tracker sheet: prospects called, meetings, won and lost against the one-in-ten goal."""
    ws = wb.create_sheet("Tracker")
    printable(ws)
    ws["A1"] = "Conversion tracker — the goal: one deal in ten prospects called"
    ws["A1"].font = Font(bold=True, size=14, color="1F4E78")
    rows = [("Prospects", f"=COUNTA(Prospects!A2:A{last})"), ("Called (not new)", f'=COUNTIF(Prospects!K2:K{last},"<>new")'),
            ("Meetings", f'=COUNTIF(Prospects!K2:K{last},"meeting")'), ("Won", f'=COUNTIF(Prospects!K2:K{last},"won")'),
            ("Lost", f'=COUNTIF(Prospects!K2:K{last},"lost")'), ("Conversion (won ÷ called)", "=IFERROR(B6/B4,0)"),
            ("Goal", 0.1), ("Verdict", '=IF(B8>=B9,"on track","below the one-in-ten goal")')]
    for i, (label, value) in enumerate(rows, start=3):
        ws.cell(i, 1, label)
        ws.cell(i, 2, value)
    ws["B8"].number_format = ws["B9"].number_format = PCT
    ws["B10"].font = Font(bold=True)
    ws["B9"].fill = fill("amber")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 28, 28
    ws.column_dimensions["D"].width = 16
    ws["D3"], ws["E3"] = "Priority", "Prospects"
    for i, label in enumerate(["call this week", "call this month", "nurture", "struck out"], start=4):
        ws.cell(i, 4, label)
        ws.cell(i, 5, f"=COUNTIF(Prospects!J$2:J${last},D{i})")
    bar(ws, "Prospects by priority", (5, 3, 7), (4, 4, 7), "D10")
