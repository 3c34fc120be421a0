"""Workbooks for the recalc tests, written with openpyxl (real .xlsx files)."""
from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

TYPES = ["new", "renewal", "Renewal", "新客户", "upsell", ""]


def sales_book(path: Path, n: int = 200, seed: int = 5) -> Path:
    """Customers with every cellrules function in a column, plus natives, a chart, styles and validation."""
    rng = random.Random(seed)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    head = ["Customer", "Amount", "Revenue", "Cost", "Service", "Days", "Deal", "Type", "Industry", "Title", "Region",
            "Tier", "Profit", "Stage", "Commission", "Score", "Size", "Net"]
    ws.append(head)
    last = n + 1
    for r in range(2, last + 1):
        ws.append([f"C{r:04d}", rng.choice([round(rng.uniform(10, 1e6), 2), None, "n/a"]) if r % 17 == 0 else round(rng.uniform(10, 1e6), 2),
                   round(rng.uniform(0, 1e6), 2) if r % 23 else 0, round(rng.uniform(0, 5e5), 2), round(rng.uniform(0, 2e5), 2),
                   rng.randint(-5, 200), round(rng.uniform(-1e5, 4e5), 2), rng.choice(TYPES),
                   rng.choice(["Manufacturing", "Retail", "Banking"]), rng.choice(["CFO", "Intern"]), rng.choice(["East", "North"]),
                   f"=TIER(B{r},B$2:B${last})", f"=PROFITRATE(C{r},D{r},E{r})", f"=DUNNINGSTAGE(F{r})",
                   f'=COMMISSION(G{r},H{r},,"2026-06-30")', f"=PROSPECTSCORE(I{r},J{r},K{r})",
                   f'=IF(B{r}>500000,"big","small")', f"=C{r}-D{r}-E{r}"])
    ws["T1"] = "Total"
    ws["T2"] = f"=SUM(C2:C{last})"
    ws["T3"] = f'=COUNTIF(N2:N{last},"Legal")'
    ws["T4"] = "=Rate*100"
    ws["T5"] = "=Summary!B1+1"
    wb.defined_names["Rate"] = DefinedName("Rate", attr_text="Summary!$B$1")
    summary = wb.create_sheet("Summary")
    summary["A1"], summary["B1"] = "Rate", 0.15
    summary["A2"], summary["B2"] = "VIPs", f'=COUNTIF(Customers!L2:L{last},"VIP")'
    ws["A1"].font = Font(bold=True)
    ws["L2"].fill = PatternFill("solid", fgColor="FFEEAA")
    ws.conditional_formatting.add(f"M2:M{last}", CellIsRule(operator="lessThan", formula=["0"], fill=PatternFill("solid", fgColor="FF9999")))
    dv = DataValidation(type="list", formula1='"new,renewal"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(f"H2:H{last}")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=min(last, 20)), titles_from_data=True)
    ws.add_chart(chart, "V2")
    ws.freeze_panes = "B2"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def without_values(xml: bytes) -> bytes:
    """Sheet XML with cached values and cell types removed: what must not change."""
    xml = re.sub(rb"<v>.*?</v>|<v\s*/>", b"", xml, flags=re.S)
    return re.sub(rb' t="(?:str|b|e|n|s)"', b"", xml)


def shared_formula_book(path: Path) -> Path:
    """A workbook whose formula column is stored as one shared formula, as Excel saves it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 6):
        ws.cell(r, 1, r * 10)
        ws.cell(r, 2, f"=A{r}*2")
    wb.save(path)
    data = members(path)
    sheet = data["xl/worksheets/sheet1.xml"]
    sheet = sheet.replace(b"<f>A1*2</f>", b'<f t="shared" ref="B1:B5" si="0">A1*2</f>')
    for r in range(2, 6):
        sheet = sheet.replace(f"<f>A{r}*2</f>".encode(), b'<f t="shared" si="0"/>')
    data["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in data.items():
            zf.writestr(name, blob)
    return path
