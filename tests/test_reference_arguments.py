"""Arguments given as cell references, formulas filled down a column, and what a written cell may hold —
each case once a silent wrong answer or a corrupt file (issue 27). Expected values are Excel's documented
results for the data below; every book is written, recalculated headless and read back."""
from __future__ import annotations

import zipfile

import openpyxl
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula
import pytest

from cellrules.recalc.batch.run import recalc_file
from cellrules.xlsx import reader

ROWS = [(1, "x", 10, "23", 5), (2, "y", 20, 23, 6), (3, "z", 30, "a", 7), (2, "", 40, None, 8)]
CASES = {  # formula filled down rows 2..5 -> Excel's value in each row
    "=CHOOSE(A{r},C2,C3,C4)": [10, 20, 30, 20],
    "=SUM(CHOOSE(A{r},C2:C3,C3:C4,C4:C5))": [30, 50, 70, 50],
    "=TYPE(B{r})": [2, 2, 2, 2],  # B5 holds "" written as text by openpyxl? no: None -> blank -> 1 (see below)
    "=TYPE(C2:C3)": [64] * 4,
    "=LOOKUP(A{r},A$2:A$4,C$2:C$4)": [10, 20, 30, 20],
    "=MINIFS(C$2:C$5,A$2:A$5,A{r})": [10, 20, 30, 20],
    "=MAXIFS(C$2:C$5,A$2:A$5,A{r})": [10, 40, 30, 40],
    "=TEXTJOIN(B{r},TRUE,C$2:C$3)": ["10x20", "10y20", "10z20", "1020"],
    "=C{r}-INDEX(C$2:C$5,A{r})": [0, 0, 0, 20],
    "=SUM(OFFSET(C$2,0,0,A{r},1))": [10, 30, 60, 30],
    '=COUNTIF(D$2:D$5,"23")': [2] * 4,
    "=COUNTIF(D$2:D$5,23)": [2] * 4,
    '=COUNTIF(D$2:D$5,">20")': [1] * 4,
    "=ROWS(C:C)": [1048576] * 4,
    "=COLUMNS(1:1)": [16384] * 4,
    "=AND(A{r}>0,NA())": ["#N/A"] * 4,
    "=OR(C2:C5)": [True] * 4,
    '=HLOOKUP("u",E2:E5,1)': ["#N/A"] * 4,
    '=VLOOKUP("y",B2:C4,2)': [20] * 4,
    '=VLOOKUP("b",B2:C4,2)': ["#N/A"] * 4,  # nothing at or below "b" in x, y, z
    "=OFFSET(#REF!,1,1)": ["#REF!"] * 4,
    "=MMULT(1E+300,1E+300)": ["#NUM!"] * 4,
    '=VALUE("")': ["#VALUE!"] * 4,
}
CASES["=TYPE(B{r})"] = [2, 2, 2, 1]  # B5 is blank: TYPE of a blank cell is 1 (a number, 0)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("refs")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for i, row in enumerate(ROWS, start=2):
        for j, v in enumerate(row, start=1):
            if v not in (None, ""):
                ws.cell(i, j, v)
    ws["J2"] = '="a"&CHAR(1)&"b"'
    ws["J3"] = '="a"&CHAR(13)&CHAR(10)&"b"'
    ws["J4"] = '="_x005F_x0041_"&CHAR(9)'  # as Excel writes the text _x0041_ in a formula (ST_Xstring)
    for k, formula in enumerate(CASES):
        for r in range(2, 6):
            ws.cell(r, 12 + k, formula.format(r=r))
    wb.save(folder / "in.xlsx")
    report = recalc_file(str(folder / "in.xlsx"), str(folder / "out.xlsx"))
    assert report.ok, report.problem
    assert report.internal == 0
    return folder / "out.xlsx"


@pytest.mark.parametrize("k,formula", list(enumerate(CASES)), ids=list(CASES))
def test_a_formula_filled_down_gets_excels_value_in_every_row(book, k, formula):
    sheet = openpyxl.load_workbook(book, data_only=True)["S"]
    got = [sheet.cell(r, 12 + k).value for r in range(2, 6)]
    assert got == CASES[formula]


def test_text_with_control_characters_is_written_as_excel_writes_it_and_reads_back(book):
    with zipfile.ZipFile(book) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert b"a_x0001_b" in xml and b"a_x000D_\nb" in xml and b"_x005F_x0041_\t" in xml
    assert not any(b in xml for b in (b"\x01", b"\r", b"inf<", b"nan<", b"<cellrules"))
    values = {(f.row, f.col): f.cached for f in reader.read(str(book)).sheets[0].formulas}
    assert values[(2, 10)] == "a\x01b" and values[(3, 10)] == "a\r\nb" and values[(4, 10)] == "_x0041_\t"


CRITERIA = [  # Excel: a logical or error criterion is met only by values of its type; "<>x" by every other cell
    ('=COUNTIF(A1:A6,A1)', 1), ('=COUNTIF(A1:A6,"<=TRUE")', 2), ('=SUMIF(A1:A6,"<=TRUE",B1:B6)', 3),
    ('=COUNTIF(A1:A6,"<>a")', 5), ('=COUNTIF(A1:A6,"#N/A")', 1), ('=COUNTIF(A1:A6,TRUE)', 1),
    ('=COUNTIF(A1:A6,"a~*")', 1), ('=COUNTIF(A1:A6,"a*")', 2), ('=MATCH("a?",A1:A6,0)', 6),
    ('=SEARCH("b*d","abcde")', 2), ('=COUNTIF(A1:A6,"<>")', 6), ('=MAXIFS(B1:B6,A1:A6,FALSE)', 2),
    # IronCalc's COUNTIF/COUNTIFS books, as Excel answered them:
    ('=COUNTIF(C1:C4,C9)', 0), ('=COUNTIF(C1:C4,">"&C9)', 0), ('=COUNTIF(C1:C4,"<>")', 3),
    ('=COUNTIF(C1:C4,"<>23")', 3), ('=COUNTIF(C1:C4,"=23")', 2), ('=COUNTIF(H:H,"<>x")', 1048576),
    ('=COUNTBLANK(H:H)', 1048576), ('=SUMIF(A2:A3,TRUE,A1:A2)', "#N/A"),
]


def test_criteria_of_every_type(tmp_path):
    """Microsoft's COUNTIF page: wildcards with ~ as escape; criteria of logical and error type (the formulas
    test book of Excel 365 answers)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "T"
    for r, (a, b) in enumerate([("#N/A", None), (True, 1), (False, 2), ("a", 4), (5, None), ("a*", None)], start=1):
        ws.cell(r, 1, a)
        ws.cell(r, 2, b)
    for r, v in enumerate([23, "23", "=\"\"", None], start=1):  # C1:C4: a number, its text, "" and a blank
        ws.cell(r, 3, v)
    for r, (formula, _) in enumerate(CRITERIA, start=1):
        ws.cell(r, 4, formula)
    wb.save(tmp_path / "in.xlsx")
    assert recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx")).ok
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["T"]
    assert [sheet.cell(r, 4).value for r in range(1, len(CRITERIA) + 1)] == [e for _, e in CRITERIA]


def test_choose_in_an_array_formula_picks_per_place_and_every_cell_is_written(tmp_path):
    """CHOOSE({1,2,3}, …) in an array formula picks each place from the option it names (Excel lifts the
    index); an array formula whose file lacks its other cells gets them (Excel writes them all)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for cell, v in {"D5": 1, "E5": 2, "F5": 3, "C5": 10, "H5": 20, "I5": 30, "J5": 40, "G5": 50}.items():
        ws[cell] = v
    ws["Z5"] = ArrayFormula("Z5:AB5", "=CHOOSE(D5:F5,C5:E5,H5:J5,G5:I5)")
    wb.save(tmp_path / "in.xlsx")
    assert recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx")).ok
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert [c.value for c in sheet["Z5:AB5"][0]] == [10, 30, 30]


def test_subtotal_leaves_out_hidden_and_filtered_rows(tmp_path):
    """Microsoft's SUBTOTAL page: 101-111 leave out hidden rows, and every SUBTOTAL leaves out rows a filter
    hides; AGGREGATE's odd options leave out hidden rows, 14-19 take (array, k); a row hidden by hand on an
    unfiltered sheet counts for SUBTOTAL(9)."""
    wb = openpyxl.Workbook()
    plain = wb.active
    plain.title = "Plain"
    filtered = wb.create_sheet("Filtered")
    for ws in (plain, filtered):
        for r in range(1, 5):
            ws.cell(r, 1, r)
        ws.row_dimensions[2].hidden = True
        ws["C1"], ws["C2"] = "=SUBTOTAL(9,A1:A4)", "=SUBTOTAL(109,A1:A4)"
        ws["C3"], ws["C4"] = "=AGGREGATE(9,5,A1:A4)", "=AGGREGATE(14,1,A1:A4,2)"
        ws["E1"], ws["E2"] = 5, 109  # the option and the function number in cells, as a table of them has it
        ws["C5"], ws["C6"] = "=AGGREGATE(9,$E$1,A1:A4)", "=SUBTOTAL(E2,A1:A4)"
    filtered.auto_filter.ref = "A1:A4"
    filtered.auto_filter.add_filter_column(0, ["1", "3", "4"])
    wb.save(tmp_path / "in.xlsx")
    assert recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx")).ok
    out = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)
    assert [out["Plain"][f"C{r}"].value for r in range(1, 7)] == [10, 8, 8, 3, 8, 8]
    assert [out["Filtered"][f"C{r}"].value for r in range(1, 7)] == [8, 8, 8, 3, 8, 8]


def test_a_cell_with_an_empty_formula_element_keeps_its_saved_value(tmp_path):
    """Excel saves the other cells of a volatile array formula as <c><f ca="1"/><v>5</v></c>: an empty <f> is
    no formula, but the value is the cell's (it was once dropped, so the cell read as blank)."""
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["B1"] = 1, 2
    wb.save(tmp_path / "in.xlsx")
    with zipfile.ZipFile(tmp_path / "in.xlsx") as zin, zipfile.ZipFile(tmp_path / "f.xlsx", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="B1" t="n"><v>2</v></c>', b'<c r="B1" t="n"><f ca="1"/><v>5</v></c>')
                assert b'<f ca="1"/>' in data
            zout.writestr(item, data)
    package = reader.read(str(tmp_path / "f.xlsx"))
    assert package.sheets[0].values.get((1, 2)) == 5 and not package.sheets[0].formulas


def test_intersection_external_links_and_names_of_a_sheet_or_a_book(tmp_path):
    """The space operator intersects references (#NULL! when they miss); Sheet!#REF! is #REF!; a name scoped
    to a sheet is read as Sheet!Name and a workbook name as [0]!Name; [1]Sheet!A1 and [1]!Name read the values
    Excel cached from the linked book (POI's 56737 books), a sheet it could not refresh is #REF!."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for r in range(1, 6):
        for c in range(1, 6):
            ws.cell(r, c, r * 10 + c)
    ws["G1"], ws["G2"], ws["G3"] = "=SUM(B2:E5 C3:D4)", "=A1:A2 B1:B2", "=S!#REF!"
    ws["G4"], ws["G5"], ws["G6"] = "=Local", "=[0]!Global", "=[1]Other!$A$1"
    ws["G7"], ws["G8"], ws["G9"] = "=[1]!Far", "=[1]Gone!$A$1", "=S!Local+1"
    wb.defined_names["Global"] = DefinedName("Global", attr_text="S!$A$1")
    wb.save(tmp_path / "base.xlsx")
    link = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink xmlns="http://schemas.openxmlformats'
            '.org/spreadsheetml/2006/main"><externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships" r:id="rId1"><sheetNames><sheetName val="Other"/><sheetName val="Gone"/></sheetNames>'
            '<definedNames><definedName name="Far" refersTo="=\'Other\'!$B$2"/></definedNames><sheetDataSet>'
            '<sheetData sheetId="0"><row r="1"><cell r="A1" t="str"><v>Hello!</v></cell></row><row r="2"><cell r="B2">'
            '<v>142</v></cell></row></sheetData><sheetData sheetId="1" refreshError="1"/></sheetDataSet></externalBook>'
            '</externalLink>')
    with zipfile.ZipFile(tmp_path / "base.xlsx") as zin, zipfile.ZipFile(tmp_path / "in.xlsx", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", b'</sheets><externalReferences><externalReference r:id="rIdX"/>'
                                    b"</externalReferences>")
                data = data.replace(b"<definedNames>", b'<definedNames><definedName name="Local" localSheetId="0">'
                                    b"S!$B$1</definedName>")
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
                                    b"</Types>")
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/externalLink" Target="externalLinks/'
                                    b'externalLink1.xml"/></Relationships>')
            zout.writestr(item, data)
        zout.writestr("xl/externalLinks/externalLink1.xml", link)
        zout.writestr("xl/externalLinks/_rels/externalLink1.xml.rels",
                      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
                      'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                      'openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" Target="other.xlsx" '
                      'TargetMode="External"/></Relationships>')
    assert recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx")).ok
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["S"]
    assert [sheet[f"G{r}"].value for r in range(1, 10)] == [33 + 34 + 43 + 44, "#NULL!", "#REF!", 12, 11, "Hello!",
                                                             142, "#REF!", 13]


NUMBERS = [  # xlcalculator's BASES and YEAR books and POI's 56688 book, as Excel answered them
    ('=DEC2BIN(10,0)', "#NUM!"), ('=DEC2BIN("E",11)', "#NUM!"), ('=DEC2BIN(-25,1)', "1111100111"),
    ('=HEX2DEC("-A")', "#NUM!"), ('=DATEVALUE("7/5/1800")', "#VALUE!"), ('=YEAR("7/5/1800")', "#VALUE!"),
    ('=EDATE(0,0)', 0), ('=EDATE(0,1)', 31), ('=EOMONTH(0,0)', 31),
]


def test_number_bases_and_dates_at_their_edges(tmp_path):
    wb = openpyxl.Workbook()
    for r, (formula, _) in enumerate(NUMBERS, start=1):
        wb.active.cell(r, 1, formula)
    wb.save(tmp_path / "in.xlsx")
    assert recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx")).ok
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert [sheet.cell(r, 1).value for r in range(1, len(NUMBERS) + 1)] == [e for _, e in NUMBERS]


def test_formulatext_shows_the_formula_bar_of_a_cell(tmp_path):
    """Microsoft's FORMULATEXT: the formula of the reference's top-left cell as text, a shared formula's follower
    as it reads in its own cell, newer functions without the file's _xlfn. prefix; #N/A for a cell holding no
    formula; a cell may show its own formula (no circular reference)."""
    from recalc_helpers import shared_formula_book
    path = shared_formula_book(tmp_path / "shared.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    formulas = {"C1": "=FORMULATEXT(B3)", "C2": "=FORMULATEXT(B1:B5)", "C3": "=FORMULATEXT(A1)",
                "C4": "=FORMULATEXT(C4)", "C5": "=FORMULATEXT(D1)", "C6": "=FORMULATEXT(E1)",
                "C7": '=ISNA(FORMULATEXT(A2))', "D1": "=_xlfn.XLOOKUP(1,A1:A5,B1:B5)", "E1": "=TODAY()"}
    for ref, formula in formulas.items():
        ws[ref] = formula
    wb.save(tmp_path / "in.xlsx")
    # openpyxl writes plain formulas: put the shared column back as Excel stores it
    data = {}
    with zipfile.ZipFile(tmp_path / "in.xlsx") as zf:
        data = {n: zf.read(n) for n in zf.namelist()}
    sheet = data["xl/worksheets/sheet1.xml"].replace(b"<f>A1*2</f>", b'<f t="shared" ref="B1:B5" si="0">A1*2</f>')
    for r in range(2, 6):
        sheet = sheet.replace(f"<f>A{r}*2</f>".encode(), b'<f t="shared" si="0"/>')
    data["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(tmp_path / "in.xlsx", "w") as zf:
        for name, blob in data.items():
            zf.writestr(name, blob)
    report = recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx"))
    assert report.ok, report.problem
    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert [got[f"C{r}"].value for r in range(1, 8)] == ["=A3*2", "=A1*2", "#N/A", "=FORMULATEXT(C4)",
                                                          "=XLOOKUP(1,A1:A5,B1:B5)", "=TODAY()", True]


def test_the_union_operator_joins_references_for_the_functions_that_take_them(tmp_path):
    """(A1,B2:C3) is Excel's union: SUM, COUNT, LARGE, RANK's list … read its areas' cells; AREAS counts them
    (also through a defined name written bare, as Excel saves a print area); INDEX's area_num picks one;
    anywhere else it is #VALUE!."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for ref, value in {"A1": 5, "A2": 1, "B1": 3, "B2": 7, "B3": 9}.items():
        ws[ref] = value
    wb.defined_names["Picked"] = DefinedName("Picked", attr_text="Sheet!$A$1,Sheet!$B$2:$B$3")
    formulas = ["=RANK(B2,(B1,B2,B3))", "=RANK(B2,(B1,B2,B3),1)", "=SUM((A1,B2))", "=LARGE((A1:A2,B1:B3),2)",
                "=COUNT((A1,B1),B2)", "=AREAS((A1,B1:B2,B3))", "=AREAS(Picked)", "=SUM(Picked)",
                "=(A1,B1)", "=VLOOKUP(1,(A1:B2,A1),2)", "=SUMPRODUCT((A1,B1))", "=INDEX((A1:A2,B1:B3),2,1,2)",
                "=INDEX((A1:A2,B1:B3),2,1)", "=INDEX((A1:A2,B1:B3),1,1,3)"]
    for i, formula in enumerate(formulas, 1):
        ws[f"D{i}"] = formula
    wb.save(tmp_path / "in.xlsx")
    assert recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx")).ok
    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert [got[f"D{i}"].value for i in range(1, len(formulas) + 1)] == [
        2, 2, 12, 7, 3, 3, 2, 21, "#VALUE!", "#VALUE!", "#VALUE!", 7, 1, "#REF!"]


def test_a_column_named_without_its_table_inside_the_table_is_that_tables_column(tmp_path):
    """In a table's totals row, SUBTOTAL(109,[Сумма]) names the column of the table the cell stands in (it
    was left unread: #NAME?); [1]Sheet!A1 in a table still names a linked book."""
    from openpyxl.worksheet.table import Table
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Товар", "Сумма"])
    ws.append(["a", 100.5])
    ws.append(["b", 200.25])
    ws.append(["Итог", "=SUBTOTAL(109,[Сумма])"])
    ws.add_table(Table(displayName="Продажи", ref="A1:B4", totalsRowCount=1))
    wb.save(tmp_path / "in.xlsx")
    report = recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx"))
    assert report.ok, report.problem
    assert openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active["B4"].value == 300.75


def test_a_shared_string_escaped_as_excel_escapes_it_is_read_as_its_character(tmp_path):
    """Excel stores CHAR(1) typed into a cell as the shared string ``_x0001_`` (ST_Xstring, as inline strings):
    CODE(A1) is 1, not the code of "_" (formulas' test book, CORE!C28); ``_x005F_`` is a literal "_"."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="r1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="r1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="r2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}" count="2" uniqueCount="2"><si><t>_x0001_</t></si>'
        '<si><t>_x005F_x0041_</t></si></sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1"><f>CODE(A1)</f></c><c r="D1"><f>LEN(A1)</f></c><c r="E1" t="str"><f>B1</f></c></row>'
        '</sheetData></worksheet>',
    }
    with zipfile.ZipFile(tmp_path / "esc.xlsx", "w") as out:
        for name, text in parts.items():
            out.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + text)
    report = recalc_file(str(tmp_path / "esc.xlsx"), str(tmp_path / "out.xlsx"))
    assert report.ok, report.problem
    values = {(f.row, f.col): f.cached for f in reader.read(str(tmp_path / "out.xlsx")).sheets[0].formulas}
    assert (values[(1, 3)], values[(1, 4)], values[(1, 5)]) == (1, 1, "_x0041_")


def test_aggregate_options_from_cells_down_a_column_each_row_its_own(tmp_path):
    """ClosedXML's functions-excel-2010 book: =AGGREGATE(1,$A5,$C$1:$C$4) filled down beside options 0..5 —
    options 1, 3 and 5 leave out the hidden row (C2), the others count it (Excel: 20 against 25)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, v in enumerate([10, 40, 20, 30], start=1):
        ws.cell(r, 3, v)
    ws.row_dimensions[2].hidden = True
    for k, option in enumerate(range(6)):
        ws.cell(5 + k, 1, option)
        ws.cell(5 + k, 2, f"=_xlfn.AGGREGATE(1,$A{5 + k},$C$1:$C$4)")
        ws.cell(5 + k, 4, f"=SUBTOTAL(IF($A{5 + k}=1,101,1),$C$1:$C$4)")
    wb.save(tmp_path / "in.xlsx")
    assert recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx")).ok
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert [sheet.cell(5 + k, 2).value for k in range(6)] == [25, 20, 25, 20, 25, 20]
    assert [sheet.cell(5 + k, 4).value for k in range(6)] == [25, 20, 25, 25, 25, 25]


def test_a_defined_names_relative_references_wrap_round_the_sheet(tmp_path):
    """EPPlus' DefinedNameRelative book: a name written Sheet1!XFD1048576+Sheet1!A1048576 (relative, counted from
    A1) is the cell up and left plus the cell up of the cell using it — Excel's names wrap round the edge."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["H8"], ws["I8"], ws["J8"], ws["I9"], ws["J9"] = 1, 2, 4, "=UpLeftPlusUp", "=Above*10"
    wb.defined_names["UpLeftPlusUp"] = DefinedName("UpLeftPlusUp", attr_text="Sheet1!XFD1048576+Sheet1!A1048576")
    wb.defined_names["Above"] = DefinedName("Above", attr_text="Sheet1!A1048576")
    wb.save(tmp_path / "in.xlsx")
    assert recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx")).ok
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True).active
    assert (sheet["I9"].value, sheet["J9"].value) == (3, 40)


def test_sheet_and_sheets_count_the_workbooks_sheets_as_microsoft_documents(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    two, three = wb.create_sheet("Sheet2"), wb.create_sheet("Sheet3")
    three.sheet_state = "hidden"  # hidden sheets are counted
    formulas = ["=_xlfn.SHEET()", "=_xlfn.SHEET(Sheet3!A1)", '=_xlfn.SHEET("sheet1")', '=_xlfn.SHEET("Nope")',
                "=_xlfn.SHEETS()", "=_xlfn.SHEETS(Sheet1:Sheet3!A1)", "=_xlfn.SHEETS(Sheet2!A1:B2)",
                "=_xlfn.SHEET(Sheet2:Sheet3!A1)"]
    for r, formula in enumerate(formulas, start=1):
        two.cell(r, 1, formula)
    wb.save(tmp_path / "in.xlsx")
    assert recalc_file(str(tmp_path / "in.xlsx"), str(tmp_path / "out.xlsx")).ok
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["Sheet2"]
    assert [sheet.cell(r, 1).value for r in range(1, len(formulas) + 1)] == [2, 3, 1, "#N/A", 3, 3, 1, 2]
