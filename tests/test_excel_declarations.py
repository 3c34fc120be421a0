"""Every Excel function declares what it takes (cellrules.recalc.values.signature), and the evaluator obeys it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cellrules.errors import ExcelError
from cellrules.recalc.excel.functable import FUNCTIONS
from cellrules.recalc.values.signature import Signature, excel, problems


def test_every_excel_function_has_a_declaration_matching_its_parameters():
    assert problems(FUNCTIONS) == []


def test_a_missing_or_inconsistent_declaration_is_named():
    def UNDECLARED(a):  # noqa: N802 - an Excel name
        return a

    @excel("number")
    def TOO_FEW(a, b):  # noqa: N802
        return a

    @excel("number", rest="range")
    def NO_REST(a):  # noqa: N802
        return a

    found = problems({"UNDECLARED": UNDECLARED, "TOO.FEW": TOO_FEW, "NO.REST": NO_REST})
    assert found == ["NO.REST: does not take more arguments, the declaration says rest",
                     "TOO.FEW: declares 1 parameter(s), the function has 2",
                     "UNDECLARED: no @excel declaration"]


def test_an_unknown_kind_is_refused_where_it_is_written():
    with pytest.raises(ValueError, match="unknown parameter kind"):
        excel("numbr")


def test_kinds_repeat_after_the_declared_ones():
    sig = Signature(("range",), ("range", "value"))
    assert [sig.kind(i) for i in range(5)] == ["range", "range", "value", "range", "value"]
    assert sig.takes_range(3) and not sig.takes_range(4)


def test_prepare_converts_as_declared_and_gives_the_first_error():
    sig = Signature(("number", "text", "logical", "any"))
    assert sig.prepare(["2", 3.0, 1.0, ExcelError("#N/A")]) == [2.0, "3", True, ExcelError("#N/A")]
    first = sig.prepare([ExcelError("#DIV/0!"), ExcelError("#REF!"), True, None])
    assert isinstance(first, ExcelError) and first.code == "#DIV/0!"
    bad = sig.prepare(["abc", "x", True, None])
    assert isinstance(bad, ExcelError) and bad.code == "#VALUE!"


def test_an_empty_argument_takes_the_documented_default_only_where_declared():
    def guessing(values, guess=0.1):  # IRR's guess: "if omitted, assumed to be 10 percent"
        return guess

    def matching(value, kind=1.0):  # MATCH(x, r,) is an exact match: an empty type is 0, not the default 1
        return kind

    assert excel("value", "number", defaults=True)(guessing).__excel__.prepare([1.0, None]) == [1.0, 0.1]
    assert excel("value", "number")(matching).__excel__.prepare([1.0, None]) == [1.0, 0.0]
    assert excel("value", "value", defaults=True)(matching).__excel__.prepare([1.0, None]) == [1.0, None]


def test_a_numbers_argument_is_its_numbers_and_its_errors_come_after_the_other_arguments():
    """Excel's books (formulas' test.xlsx): PERCENTILE(K29:L29, L29) with K29 #VALUE! and L29 #N/A is #N/A —
    the range's contents are read after the other arguments."""
    import numpy as np
    from cellrules.recalc.values.blocks import Block
    sig = Signature(("numbers", "number"))
    row = Block(np.array([[1.0, "text", None, True, 3.0]], dtype=object))
    assert sig.prepare([row, "0.5"]) == [[1.0, 3.0], 0.5]
    assert sig.prepare([2.0, 1.0]) == [[2.0], 1.0] and sig.prepare(["x", 1.0]).code == "#VALUE!"
    bad = Block(np.array([[ExcelError("#VALUE!"), ExcelError("#N/A")]], dtype=object))
    assert sig.prepare([bad, ExcelError("#N/A")]).code == "#N/A"
    assert sig.prepare([bad, 0.5]).code == "#VALUE!"


def test_a_date_parameter_reads_numbers_and_the_texts_datevalue_reads():
    sig = Signature(("date", "date", "date"))
    assert sig.prepare([44227.0, "2021-01-31", "31-Jan-2021 6:00"]) == [44227.0, 44227.0, 44227.25]
    assert sig.prepare(["9:30", True, None]) == [pytest.approx(9.5 / 24), 1.0, 0.0]
    bad = sig.prepare([1.0, "the 31st", ExcelError("#N/A")])
    assert isinstance(bad, ExcelError) and bad.code == "#VALUE!"


def test_reference_kinds_are_what_the_documentation_says():
    """Microsoft's pages: TYPE/N/T read a cell's value, LOOKUP's first argument is a value, MINIFS' criteria
    are values (an error value among them is sought, not the answer), TEXTJOIN's delimiter is text — none of
    them a range (each once a wrong answer)."""
    def kinds(name, n):
        return [FUNCTIONS[name].__excel__.kind(i) for i in range(n)]
    assert kinds("TYPE", 1) == ["refvalue"] and kinds("N", 1) == ["refvalue"]
    assert kinds("LOOKUP", 3) == ["value", "array", "array"]
    assert kinds("MINIFS", 5) == ["range", "range", "any", "range", "any"]
    assert kinds("COUNTIF", 2) == ["range", "any"] and kinds("SUMIFS", 3) == ["range", "range", "any"]
    assert kinds("TEXTJOIN", 4) == ["text", "logical", "range", "range"]


def test_every_function_of_microsofts_list_is_implemented_or_listed_as_not_supported():
    from cellrules.recalc.formula.catalogue import EXCEL_FUNCTIONS, coverage
    split = coverage()
    assert set(split["implemented"]) | set(split["unsupported"]) == EXCEL_FUNCTIONS
    assert not set(split["implemented"]) & set(split["unsupported"])
    assert set(FUNCTIONS) - EXCEL_FUNCTIONS <= {"USDOLLAR"}  # nothing made up (USDOLLAR: Excel's old DOLLAR)
    named_in_issue = {"AVEDEV", "DEVSQ", "DOLLAR", "SUMX2MY2", "SUMX2PY2", "SUMXMY2", "POISSON", "HYPERLINK",
                      "XMATCH", "ROMAN", "ARABIC", "ISO.CEILING", "MIRR", "SEQUENCE", "SORT", "SORTBY", "UNIQUE",
                      "FILTER", "TEXTSPLIT", "TAKE", "DROP", "HSTACK", "TOCOL", "REGEXTEST"}
    assert named_in_issue <= set(split["implemented"])


def test_cellrules_functions_excel_prints_the_split(capsys):
    import json
    from cellrules.cli import main
    assert main(["functions", "--excel", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["excel_functions"] == len(out["implemented"]) + len(out["unsupported"]) >= 500
    assert main(["functions", "--excel"]) == 0
    text = capsys.readouterr().out
    assert "ROMAN" in text and "not supported" in text and "Excel functions implemented" in text


CONVERTERS = {"num": "number", "text": "text", "truth": "logical", "serial_number": "date"}


def _defaulted(choice: ast.IfExp, name: str) -> bool:
    """``CONSTANT if name is None else name``."""
    test = choice.test
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == name and \
        isinstance(test.ops[0], ast.Is) and isinstance(test.comparators[0], ast.Constant) and \
        test.comparators[0].value is None and isinstance(choice.body, ast.Constant) and \
        isinstance(choice.orelse, ast.Name) and choice.orelse.id == name


def _converted_at_once(fn: ast.FunctionDef) -> list[tuple[str, str]]:
    """The parameters declared ``value`` whose only use is as the argument of a converter (num, text …)."""
    decorator = next(d for d in fn.decorator_list if isinstance(d, ast.Call) and getattr(d.func, "id", "") == "excel")
    kinds = [a.value for a in decorator.args if isinstance(a, ast.Constant)]
    parents = {child: node for node in ast.walk(fn) for child in ast.iter_child_nodes(node)}
    uses: dict[str, list[str]] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            up = parents.get(node)
            if isinstance(up, ast.IfExp) and up.orelse is node and _defaulted(up, node.id):
                continue  # num(1.0 if kind is None else kind): counted once, at its test
            name, arg = node.id, node
            if isinstance(up, ast.Compare) and isinstance(parents.get(up), ast.IfExp) and _defaulted(parents[up], name):
                arg = parents[up]  # the default written by hand: defaults=True says it
                up = parents.get(arg)
            converter = up.func.id if isinstance(up, ast.Call) and isinstance(up.func, ast.Name) and \
                up.args[:1] == [arg] and up.func.id in CONVERTERS else "other"
            uses.setdefault(name, []).append(converter)
    params = [a.arg for a in fn.args.args]
    return [(p, CONVERTERS[uses[p][0]]) for p, k in zip(params, kinds)
            if k == "value" and len(uses.get(p, [])) == 1 and uses[p][0] != "other"]


def test_no_function_converts_by_hand_what_its_declaration_could_say():
    """A parameter declared ``value`` and converted at once in the body (``t = text(value)`` and its error check)
    is declared ``text`` (``number``, ``logical``, ``date``) instead: the declaration, not each function, carries
    the conversion and its errors."""
    root = Path(__file__).resolve().parents[1] / "src" / "cellrules" / "recalc"
    found = []
    for path in sorted(root.rglob("*.py")):
        for fn in ast.walk(ast.parse(path.read_text())):
            if isinstance(fn, ast.FunctionDef) and any(isinstance(d, ast.Call) and getattr(d.func, "id", "") == "excel"
                                                       for d in fn.decorator_list):
                found += [f"{path.name}: {fn.name}({p}) could be declared {kind!r}" for p, kind in _converted_at_once(fn)]
    assert found == []
