"""A native-only workbook covering every Excel function cellrules recalc supports, with error cases."""
from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName

DATA = [  # id, name, region, amount, date serial, category
    (1, "Alpha", "East", 120.5, 45658, "new"), (2, "beta", "South", 80, 45700, "renewal"),
    (3, "Gamma", "East", 300, 45731, "new"), (4, "delta ", "North", -15, 45762, "renewal"),
    (5, "Epsilon", "South", 0, 45792, "new"), (6, "Zeta", "West", 1000, 45823, "renewal"),
    (7, "Eta", "East", 42.42, 45853, "new"), (8, "Theta", "North", 2.675, 45884, "new"),
    (9, "Iota", "South", 1e-3, 45915, "renewal"), (10, "Kappa", "East", 7, 45945, "new"),
]
# Each formula is evaluated by cellrules and by LibreOffice; XLOOKUP is left out (LibreOffice 7.4 lacks it).
FORMULAS = [
    "=1+2*3-4/8", "=2^10", "=-2^2", "=(1+2)*3", "=7/0", '="a"+1', "=50%", "=10%*3", '="x"&"y"&1.5', "=1=1",
    '="a"<"B"', "=2<>2", "=3>=3", '="abc"="ABC"', "=TRUE+1",
    '=IF(Data!D2>100,"big","small")', "=IF(Data!D5,1,2)", '=_xlfn.IFS(Data!D3>100,"a",Data!D3>50,"b",TRUE,"c")',
    "=IFERROR(1/0,-1)", "=_xlfn.IFNA(NA(),\"none\")", "=_xlfn.IFNA(1/0,\"none\")", "=AND(TRUE,1,Data!D2>0)",
    "=OR(FALSE,0)", "=NOT(Data!D5)",
    "=SUM(Data!D2:D11)", "=SUM(Data!D:D)", "=SUM(1,\"2\",TRUE)", "=SUMIF(Data!C2:C11,\"East\",Data!D2:D11)",
    "=SUMIF(Data!D2:D11,\">100\")", "=SUMIFS(Data!D2:D11,Data!C2:C11,\"East\",Data!F2:F11,\"new\")",
    "=COUNT(Data!A1:F11)", "=COUNTA(Data!A1:F11)", "=COUNTIF(Data!C2:C11,\"east\")", "=COUNTIF(Data!D2:D11,\"<=7\")",
    "=COUNTIF(Data!B2:B11,\"*ta*\")", "=COUNTIFS(Data!C2:C11,\"South\",Data!D2:D11,\">0\")",
    "=AVERAGE(Data!D2:D11)", "=AVERAGEIF(Data!F2:F11,\"new\",Data!D2:D11)",
    "=AVERAGEIFS(Data!D2:D11,Data!C2:C11,\"<>East\")", "=AVERAGE(Data!G2:G11)", "=MIN(Data!D2:D11)",
    "=MAX(Data!D2:D11)", "=LARGE(Data!D2:D11,2)", "=SMALL(Data!D2:D11,1)", "=LARGE(Data!D2:D11,11)", "=ROUND(Data!D9,2)", "=ROUND(-2.5,0)", "=ROUND(1234.5678,-2)", "=ROUNDUP(1.231,2)",
    "=ROUNDDOWN(-1.239,2)", "=ABS(Data!D5)",
    "=VLOOKUP(3,Data!A2:F11,2,FALSE)", "=VLOOKUP(\"zeta\",Data!B2:F11,3,FALSE)", "=VLOOKUP(5.5,Data!A2:F11,4)",
    "=VLOOKUP(99,Data!A2:F11,2,FALSE)", "=VLOOKUP(3,Data!A2:F11,9,FALSE)", "=HLOOKUP(\"region\",Data!A1:F11,3,FALSE)",
    "=INDEX(Data!A2:F11,4,2)", "=INDEX(Data!B2:B11,3)", "=INDEX(Data!A2:F11,20,1)", "=MATCH(\"Gamma\",Data!B2:B11,0)",
    "=MATCH(6.5,Data!A2:A11,1)", "=MATCH(\"nope\",Data!B2:B11,0)", "=MATCH(4,{9,7,5,3,1},-1)",
    "=INDEX(Data!B2:B11,MATCH(300,Data!D2:D11,0))",
    "=DATE(2026,2,30)", "=DATE(2026,14,1)", "=YEAR(Data!E2)", "=MONTH(Data!E3)", "=DAY(Data!E4)",
    "=_xlfn.DAYS(Data!E11,Data!E2)", "=EDATE(Data!E2,1)", "=EDATE(DATE(2026,1,31),1)", "=EOMONTH(Data!E2,0)",
    "=EOMONTH(DATE(2024,1,15),1)", "=TODAY()-TODAY()",
    "=LEFT(Data!B2,3)", "=LEFT(Data!B2)", "=RIGHT(Data!B3,2)", "=MID(Data!B4,2,3)", "=MID(\"abc\",0,1)",
    "=LEN(Data!B5)", "=UPPER(Data!B3)", "=LOWER(Data!B2)", "=TRIM(\"  a   b  \")", "=TEXT(1234.567,\"#,##0.00\")",
    "=TEXT(0.256,\"0%\")", "=TEXT(0.2555,\"0.0%\")", "=TEXT(Data!E2,\"yyyy-mm-dd\")", "=TEXT(2.5,\"0\")",
    "=TEXT(-1234.5,\"#,##0\")", "=TEXT(3,\"0.00\")",
    "=Rate*Data!D2", "=SUM(Amounts)", "=Data!D2*Data!A2", "=SUM(Data!D2:D11)/COUNT(Data!D2:D11)",
    "=LEN(TEXT(Data!D8,\"0.000\"))", "=IF(ISBLANK,1,2)", "=ROW()", "=ROW(Data!C7)", "=COLUMN(Data!C7:D8)",
    "=COLUMN()",
]


def conformance_book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "Data"
    data.append(["id", "name", "region", "amount", "date", "category"])
    for row in DATA:
        data.append(list(row))
    f = wb.create_sheet("F")
    for i, formula in enumerate(FORMULAS, start=1):
        f.cell(i, 1, formula)
    g = wb.create_sheet("Columns")  # formulas repeated down columns: evaluated as groups
    for r in range(2, 12):
        g.cell(r, 1, f"=Data!D{r}*2+1")
        g.cell(r, 2, f'=IF(Data!D{r}>50,"big",IF(Data!D{r}<0,"neg","small"))')
        g.cell(r, 3, f"=A{r}+B$1")
        g.cell(r, 4, f"=VLOOKUP(Data!A{r},Data!$A$2:$F$11,2,FALSE)&\"!\"")
        g.cell(r, 5, f"=SUM(Data!$D$2:D{r})")
        g.cell(r, 6, f"=ROUND(Data!D{r}/3,2)")
    g.cell(1, 2, 5)
    wb.defined_names["Rate"] = DefinedName("Rate", attr_text="Data!$D$3")
    wb.defined_names["Amounts"] = DefinedName("Amounts", attr_text="Data!$D$2:$D$11")
    wb.save(path)
    return path
