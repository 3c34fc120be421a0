"""Shared building blocks of the workbook templates.

Owns the look every template shares (bold header on a coloured band, frozen
header, column widths, number formats), the "How to use" sheet, list
validation, fills for conditional formats, and a deterministic save: fixed
document timestamps and zip entry dates, so the same code writes the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

FIXED = dt.datetime(2026, 1, 1, 0, 0, 0)
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
FILLS = {"gold": "FFD966", "green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE", "grey": "EDEDED",
         "blue": "DDEBF7", "purple": "E4DFEC"}
MONEY, PCT, DATE, INT = "#,##0.00", "0.0%", "yyyy-mm-dd", "0"


def fill(name: str) -> PatternFill:
    """A solid fill of one of the templates' colours."""
    return PatternFill("solid", fgColor=FILLS[name], bgColor=FILLS[name])


def table_sheet(ws: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    """Headers in bold on a coloured band, column widths, frozen header row and a filter."""
    ws.append(list(headers))
    for i, (cell, width) in enumerate(zip(ws[1], widths), start=1):
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    printable(ws)


def printable(ws: Worksheet) -> None:
    """Print landscape, one page wide, the header row repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"


def formats(ws: Worksheet, column: str, fmt: str, first: int, last: int) -> None:
    """A number format for ``column`` from row ``first`` to ``last``."""
    for row in range(first, last + 1):
        ws[f"{column}{row}"].number_format = fmt


def choices(ws: Worksheet, cells: str, options: Iterable[str], prompt: str) -> None:
    """A drop-down list on ``cells`` with a prompt."""
    dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Not in the list", error=prompt, promptTitle="Choose",
                        prompt=prompt)
    ws.add_data_validation(dv)
    dv.add(cells)


def equals(ws: Worksheet, cells: str, value: str, colour: str) -> None:
    """Colour ``cells`` whose value is ``value``."""
    ws.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill(colour)))


def when(ws: Worksheet, cells: str, formula: str, colour: str, bold: bool = False) -> None:
    """Colour (and embolden) ``cells`` where ``formula`` is true."""
    ws.conditional_formatting.add(cells, FormulaRule(formula=[formula], fill=fill(colour),
                                                     font=Font(bold=True) if bold else None))


def ranked(wb: Workbook, title: str, headers: Sequence[str], source: str, count: int, share: bool) -> Worksheet:
    """A sheet ranking ``source`` (e.g. Customers!C$2:C$301) biggest first, with the running total
    (or, with ``share``, the running share of the total): the data of a Pareto or whale curve."""
    ws = wb.create_sheet(title)
    table_sheet(ws, headers, [8, 16, 18])
    last = count + 1
    for k in range(1, count + 1):
        r = k + 1
        running = f"=SUM(B$2:B{r})/SUM(B$2:B${last})" if share else f"=SUM(B$2:B{r})"
        ws.append([k, f"=LARGE({source},A{r})", running])
    formats(ws, "B", MONEY, 2, last)
    formats(ws, "C", PCT if share else MONEY, 2, last)
    return ws


def bar(ws: Worksheet, title: str, values: tuple[int, int, int], categories: tuple[int, int, int], anchor: str,
        y_title: str | None = None, number_format: str | None = None, size: tuple[float, float] = (7.5, 14)) -> None:
    """A bar chart of one column (col, header row, last row) against its labels (col, first row, last row)."""
    chart = BarChart()
    chart.title = title
    if y_title:
        chart.y_axis.title = y_title
    chart.add_data(Reference(ws, min_col=values[0], min_row=values[1], max_row=values[2]), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=categories[0], min_row=categories[1], max_row=categories[2]))
    if number_format:
        chart.y_axis.number_format = number_format
    chart.height, chart.width = size
    ws.add_chart(chart, anchor)


def how_to(wb: Workbook, title: str, lines: Sequence[str]) -> None:
    """A first sheet explaining the workbook in a few lines."""
    ws = wb.create_sheet("How to use", 0)
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=16, color="1F4E78")
    for i, line in enumerate(lines, start=3):
        ws[f"A{i}"] = line
        ws[f"A{i}"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = 16 * (1 + len(line) // 80)  # wrapped lines need room
    ws.column_dimensions["A"].width = 90
    ws.sheet_view.showGridLines = False
    printable(ws)


def save(wb: Workbook, path: Path) -> Path:
    """Save with fixed timestamps and entry dates: the same workbook gives the same bytes."""
    wb.properties.created = wb.properties.modified = FIXED
    wb.properties.creator = wb.properties.lastModifiedBy = "cellrules"
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            clone = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            clone.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data)
            out.writestr(clone, data)
    return path
