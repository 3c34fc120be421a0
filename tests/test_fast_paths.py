"""The recalculation's fast paths agree with the general paths they shortcut.

Each fast path (the scanner's first branch, grouping by expected text, the in-order splice of the write-back,
MIN/MAX/SUM column-wise, operators on a text column once per distinct text) is run beside the general code it
stands in for, on the same input, and the two answers must be equal.
"""
from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cellrules.errors import ExcelError
from cellrules.xlsx import cells, cellxml, writeback, reader as xlsx
from cellrules.recalc.values.signature import call
from cellrules.recalc.formula import fastpath
from cellrules.recalc.excel import functable
from cellrules.recalc.values import scalars as values
from cellrules.recalc.formula import grouping
from cellrules.recalc.formula.grouping import Shape, groups, r1c1_key
from cellrules.recalc.formula.parser import parse

ORACLE = Path(__file__).parent / "oracle"
TEMPLATES = Path(__file__).resolve().parents[1] / "workbook_templates"


def _sheets(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(n, zf.read(n)) for n in zf.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")]


def _prefixed(xml: bytes) -> bytes:
    """The same sheet with every element in a prefixed namespace (x:c, x:v, x:f …): no cell can take the
    scanner's first branch, which reads unprefixed cells only."""
    xml = re.sub(rb"<(/?)(?!\?)([A-Za-z]+)([\s/>])", rb"<\1x:\2\3", xml)
    return xml.replace(b'xmlns="', b'xmlns:x="', 1)


def _content(sheet: xlsx.Sheet) -> tuple:
    return (sorted(sheet.values.items(), key=lambda kv: kv[0]),
            [(f.row, f.col, f.text, f.shared, f.shared_ref, f.cached, f.array, f.dynamic) for f in sheet.formulas],
            [(m.row, m.col, m.cached) for m in sheet.array_members], sheet.max_row, sheet.max_col)


WORKBOOKS = sorted(ORACLE.glob("*.xlsx")) + sorted(TEMPLATES.glob("*.xlsx"))


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_the_scanners_fast_branch_reads_what_the_general_branch_reads(path):
    strings = []  # shared strings are indexes here: the same index must come out both ways
    for part, xml in _sheets(path):
        fast, general = xlsx.Sheet("S", part), xlsx.Sheet("S", part)
        xlsx.scan_sheet(fast, xml, strings)
        xlsx.scan_sheet(general, _prefixed(xml), strings)
        assert _content(fast) == _content(general), part
        assert fast.values or fast.formulas or not xml.count(b"<c ")


def test_the_fast_branch_is_taken_and_cells_it_cannot_read_fall_through():
    xml = (b'<worksheet><sheetData><row r="1"><c r="A1"><v>1.5</v></c><c r="B1" t="s"><v>0</v></c>'
           b'<c r="C1" t="inlineStr"><is><t xml:space="preserve"> a&amp;b</t></is></c>'
           b'<c r="D1" s="3" t="str"><f>A1&amp;"x"</f><v>1.5x</v></c>'
           b'<c r="E1" cm="1" t="n"><f>A1</f></c>'  # t after another attribute: the general branch
           b'<c r="F1" t="inlineStr"><is><r><t>rich</t></r><r><t> text</t></r></is></c>'
           b'<c r="G1"><f t="shared" ref="G1:G2" si="0">A1*2</f><v>3</v></c></row>'
           b'<row r="2"><c r="G2"><f t="shared" si="0"/><v>0</v></c><c r="H2" t="e"><v>#N/A</v></c></row>'
           b'</sheetData></worksheet>')
    sheet = xlsx.Sheet("S", "p")
    xlsx.scan_sheet(sheet, xml, ["shared"])
    assert sheet.values[(1, 1)] == 1.5 and sheet.values[(1, 2)] == "shared" and sheet.values[(1, 3)] == " a&b"
    assert sheet.values[(1, 6)] == "rich text" and isinstance(sheet.values[(2, 8)], ExcelError)
    texts = {(f.row, f.col): (f.text, f.cached) for f in sheet.formulas}
    assert texts[(1, 4)] == ('A1&"x"', "1.5x") and texts[(1, 5)] == ("A1", None)
    assert texts[(1, 7)] == ("A1*2", 3.0) and texts[(2, 7)] == (None, 0.0)
    for f in sheet.formulas:  # every span is one whole cell of the XML
        assert re.fullmatch(rb"<c [^>]*>.*</c>", xml[f.span[0]:f.span[1]], re.S)


def _grouped(text_of_row, rows: range) -> list[tuple[int, int, str]]:
    sheet = xlsx.Sheet("S", "p")
    sheet.formulas = [xlsx.FormulaCell(r, 3, text_of_row(r), None, None, None) for r in rows]
    return [(g.r0, g.r1, g.key) for g in groups(sheet)]


def test_grouping_by_expected_text_and_by_shape_agree():
    rows = range(2, 40)
    assert _grouped(lambda r: f"A{r}*$B$1+SUM(A$2:A{r})", rows) == [(2, 39, "R[0]C[-2]*R1C2+SUM(R2C[-2]:R[0]C[-2])")]
    # leading zeros are not what Excel writes, but they are the same formula: the shape still joins them
    assert len(_grouped(lambda r: f"A{r:03d}+1", rows)) == 1
    # a break in the pattern starts a new group, and the key of each group is its own
    broken = _grouped(lambda r: f"A{r}+1" if r != 20 else "A20+2", rows)
    assert [(a, b) for a, b, _ in broken] == [(2, 19), (20, 20), (21, 39)]
    assert _grouped(lambda r: f'"%d"&A{r}', rows)[0][:2] == (2, 39)  # a % in the text is not a format


def _by_key(text_of_row, rows: range) -> list[tuple[int, int]]:
    """The definition: maximal runs of rows whose formulas have the same R1C1 key."""
    keys = [r1c1_key(text_of_row(r), r, 3) for r in rows]
    out = [[rows[0], rows[0]]]
    for r, a, b in zip(rows[1:], keys, keys[1:]):
        if a == b:
            out[-1][1] = r
        else:
            out.append([r, r])
    return [tuple(x) for x in out]


@pytest.mark.parametrize("formula", ["A{r}+{{1}}", "A{r}*B{r}-C{r}", "SUM($A$2:A{r})/D{r}", "$B$1*2", 'A{r}&"{r}%"',
                                     "A{r}-B{q}%", 'A{r}&"%d"&A{r}'])
@settings(max_examples=30, deadline=None)
@given(breaks=st.sets(st.integers(2, 3000), max_size=4))
def test_grouping_in_bulk_splits_a_long_column_where_its_r1c1_key_changes(formula, breaks):
    """Thousands of rows are checked in chunks that double: a changed cell anywhere still starts a group."""
    def text(r: int) -> str:
        return formula.format(r=r, q=r + 1) if r not in breaks else f"A{r}+99"
    rows = range(2, 3001)
    assert [(a, b) for a, b, _ in _grouped(text, rows)] == _by_key(text, rows)


def test_grouping_in_bulk_keeps_shared_followers_of_their_own_master_only():
    sheet = xlsx.Sheet("S", "p")
    sheet.formulas = [xlsx.FormulaCell(2, 3, "A2*2", "0", "C2:C2000", None)]
    sheet.formulas += [xlsx.FormulaCell(r, 3, None, "0", None, None) for r in range(3, 1200)]
    sheet.formulas += [xlsx.FormulaCell(1200, 3, "A1200*3", "1", "C1200:C2000", None)]
    sheet.formulas += [xlsx.FormulaCell(r, 3, None, "1", None, None) for r in range(1201, 2001)]
    found = [(g.r0, g.r1, g.source) for g in groups(sheet)]
    assert found == [(2, 1199, "A2*2"), (1200, 2000, "A1200*3")]


def _encoded(sheet: xlsx.Sheet, values: list) -> writeback.Encoded:
    """The sheet's cells as the recalculation hands them over: encoded a column at a time, cut where they can be."""
    tparts, vparts = writeback.encode_column(values)
    return writeback.Encoded([f.span for f in sheet.formulas], [f.cuts for f in sheet.formulas], tparts, vparts,
                             {k: v for k, v in enumerate(values) if tparts[k] is None or sheet.formulas[k].cuts is None})


def _splice_all(xml: bytes, sheet: xlsx.Sheet, values: list) -> tuple[bytes, bytes, bytes]:
    cells = list(zip([f.span for f in sheet.formulas], values))
    encoded = b"".join(writeback.splice(xml, _encoded(sheet, values)))
    in_order = b"".join(writeback.patch_chunks(xml, cells, {}))
    general = writeback.patch_sheet(xml, list(reversed(cells)))  # out of order: the general path
    return encoded, in_order, general


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_the_cut_and_encoded_splice_writes_what_the_general_write_back_writes(path):
    for part, xml in _sheets(path):
        sheet = xlsx.Sheet("S", part)
        xlsx.scan_sheet(sheet, xml, [])
        n = len(sheet.formulas)
        mixed = [[2.5, "a<b", True, ExcelError("#N/A"), 10.0, -0.0, None, "x"][i % 8] for i in range(n)]
        for values in ([2.5] * n, ["a<b & c"] * n, [True] * n, [ExcelError("#N/A")] * n, [10.0] * n, mixed):
            encoded, in_order, general = _splice_all(xml, sheet, values)
            assert encoded == in_order == general, (part, values[:3])


def test_the_fast_branch_marks_common_formula_cells_for_cutting_and_leaves_the_rest():
    xml = (b'<worksheet><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1" s="2" t="str"><f>"a"</f>'
           b'<v>a</v></c><c r="C1" t="n" cm="1"><f>A1</f><v/></c><c  r="D1"><f>A1</f></c>'
           b'<c r="E1"><f>A1</f><v\n/></c><c r="F1" cm="1"><f>A1</f><v /></c></row></sheetData></worksheet>')
    sheet = xlsx.Sheet("S", "p")
    xlsx.scan_sheet(sheet, xml, [])
    # C1: a t among other attributes (odd spacing is kept as the general path keeps it)
    assert [f.cuts is not None for f in sheet.formulas] == [True, True, False, True, True, True]
    values = [1.0, "b", 3.0, 4.0, 5.0, "six"]
    encoded, in_order, general = _splice_all(xml, sheet, values)
    assert encoded == in_order == general
    assert b'<c r="B1" s="2" t="str"><f>"a"</f><v>b</v></c>' in encoded


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=False), st.sampled_from([0.0, -0.0, 1e15, 1e15 - 1, -1e15 + 1, 1e16,
                                                                      123.0, 0.1, 5e-324]),
                          st.text(st.characters(blacklist_categories=["Cs"]))), max_size=30),
       st.sampled_from(["floats", "texts", "mixed"]))
def test_a_column_encoded_at_once_is_each_value_encoded(values, kind):
    if kind == "floats":
        values = [v for v in values if type(v) is float]
    elif kind == "texts":
        values = [v for v in values if type(v) is str]
    tparts, vparts = writeback.encode_column(values)
    for value, t, v in zip(values, tparts, vparts):
        kind_, content = writeback.encode(value)
        assert t == (b' t="' + kind_ + b'"' if kind_ else b"") and v == b"<v>" + content + b"</v></c>", value
    assert len(tparts) == len(vparts) == len(values)


def _rowwise_min(name: str, columns: list[np.ndarray]) -> list:
    func = functable.FUNCTIONS[name]  # called as a cell calls it: through its declaration
    return [call(func, [c[i] for c in columns]) for i in range(len(columns[0]))]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e12, 1e12), min_size=2, max_size=40), st.floats(-1e6, 1e6),
       st.sampled_from(["MIN", "MAX", "SUM"]))
def test_cellwise_aggregates_equal_the_function_row_by_row(column, constant, name):
    data = np.empty(len(column), dtype=object)
    data[:] = column
    node = parse(f"{name}(A1,{constant!r})")
    got = fastpath.cellwise(name, node.args, lambda n: data if n is node.args[0] else constant)
    assert got is not None
    assert list(got) == pytest.approx(_rowwise_min(name, [data, np.full(len(column), constant)]))


def test_cellwise_declines_what_it_cannot_decide():
    data = np.empty(3, dtype=object)
    data[:] = [1.0, None, 3.0]  # a blank cell: MIN ignores it, the column form cannot
    node = parse("MIN(A1,5)")
    assert fastpath.cellwise("MIN", node.args, lambda n: data if n is node.args[0] else 5.0) is None
    assert fastpath.cellwise("MIN", parse("MIN(A1:A3,5)").args, lambda n: data) is None  # a range


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["new", "NEW", "renewal", "", None, "ä", "Ä"]), min_size=64, max_size=120),
       st.sampled_from(["=", "<>", "<", ">=", "&"]), st.sampled_from(["new", "", "b"]))
def test_operators_on_a_text_column_equal_the_operator_row_by_row(column, op, constant):
    data = np.empty(len(column), dtype=object)
    data[:] = column
    got = fastpath.by_text(values.binary, op, (data, constant))
    assert got is not None
    assert list(got) == [values.binary(op, v, constant) for v in column]


def test_by_text_declines_errors_and_mixed_columns():
    data = np.empty(70, dtype=object)
    data[:] = ["a"] * 69 + [ExcelError("#N/A")]  # an error equals its code as a str: never merged with text
    assert fastpath.by_text(values.binary, "=", (data, "#N/A")) is None
    data[:] = ["a"] * 69 + [1.0]
    assert fastpath.by_text(values.binary, "=", (data, "a")) is None


def test_a_sheet_written_in_chunks_is_the_sheet_written_whole(monkeypatch):
    path = WORKBOOKS[-1]
    part, xml = next((p, x) for p, x in _sheets(path) if b"<f" in x)
    sheet = xlsx.Sheet("S", part)
    xlsx.scan_sheet(sheet, xml, [])
    values = [float(i) for i in range(len(sheet.formulas))]
    whole = b"".join(writeback.splice(xml, _encoded(sheet, values)))
    monkeypatch.setattr(writeback, "CHUNK_CELLS", 2)
    chunks = list(writeback.splice(xml, _encoded(sheet, values)))
    assert len(chunks) > 2 and b"".join(chunks) == whole


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="&")),
                          st.sampled_from(["&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&#38;", "&#x3C;", "&amp;lt;",
                                           "&nbsp;", "&", "&amp"])), max_size=8))
def test_text_read_from_the_xml_resolves_references_by_replacement_as_html_unescape_does(pieces):
    raw = "".join(pieces)
    assert cellxml.decode(raw.encode()) == html.unescape(raw)


_KEYS = st.tuples(st.integers(1, 40), st.integers(1, 6))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.tuples(st.just("set"), _KEYS, st.integers()), st.tuples(st.just("pop"), _KEYS),
                          st.tuples(st.just("column"), st.integers(1, 6), st.lists(st.integers(1, 40), max_size=5)),
                          st.tuples(st.just("update"), st.dictionaries(_KEYS, st.integers(), max_size=5))),
                max_size=40))
def test_the_column_store_behaves_as_the_dictionary_keyed_by_row_and_column(ops):
    """Cells (a dictionary of rows per column) answers every mapping question as a (row, col) dictionary does,
    whether it was written cell by cell, a column at a time or by update."""
    plain: dict = {}
    store = cells.Cells()
    for op in ops:
        if op[0] == "set":
            plain[op[1]] = store[op[1]] = op[2]
        elif op[0] == "pop":
            assert store.pop(op[1], "none") == plain.pop(op[1], "none")
        elif op[0] == "column":
            plain.update({(r, op[1]): -r for r in op[2]})
            store.column(op[1]).update({r: -r for r in op[2]})
        else:
            plain.update(op[1])
            store.update(op[1])
    assert dict(store.items()) == plain and len(store) == len(plain) and bool(store) == bool(plain)
    assert sorted(store) == sorted(plain)
    for key in [(r, c) for r in range(0, 42) for c in range(0, 8)]:
        assert (key in store) == (key in plain) and store.get(key) == plain.get(key)
        assert store.reader(key[1]).get(key[0]) == plain.get(key)
    with pytest.raises(KeyError):
        store.pop((99, 99))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["A{r}", "B{r}", "C{q}", "$B$1", "D$7", "+", "*2", '"%"', "%", "{", "}", "%d", '"{r}"',
                                 "SUM(A$2:A{r})", "7", "0.5"]), min_size=1, max_size=8),
       st.integers(0, 500), st.integers(1, 40))
def test_the_texts_expected_down_a_column_are_each_rows_expected_text(parts, start, count):
    """What bulk grouping compares a chunk with (one str.format, or one join when every relative row number is
    the same) is the text Shape.expected gives row by row."""
    text = "".join(parts).replace("{r}", "5").replace("{q}", "6")
    shape = Shape(text)
    assert grouping._format(shape)(start, count) == [shape.expected(start + k) for k in range(count)]
