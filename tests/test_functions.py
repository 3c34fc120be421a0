"""The spreadsheet functions on bad input: an Excel error value with a reason, or "" — never an exception."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from cellrules import functions as F
from cellrules.errors import ExcelError
from cellrules.registry import REGISTRY

TWENTY = [200, 190, 180, 170, 160, 150, 140, 130, 120, 110, 100, 90, 80, 70, 60, 50, 40, 30, 20, 10]
JUNK = [None, "", "   ", "abc", "1,2", "#N/A", "#DIV/0!", True, False, -1, 0, 1e308, float("nan"), float("inf"),
        float("-inf"), [], [[]], [1, "x"], Decimal("3.5"), np.int64(7), np.float32(2.5), dt.date(2026, 1, 1),
        {"a": 1}, object(), "１２３", "1e400", b"bytes"]


@pytest.mark.parametrize("name", sorted(REGISTRY))
@pytest.mark.parametrize("junk", JUNK, ids=lambda v: repr(v)[:20])
def test_no_function_ever_raises_whatever_the_arguments(name, junk):
    spec = REGISTRY[name]
    for position in range(max(len(spec.args), 1)):
        args = [junk if i == position else "x" for i in range(len(spec.args))]
        result = spec.func(*args)
        assert result is not None
        if isinstance(result, ExcelError):
            assert result.reason and "Traceback" not in result.reason


def test_error_values_compare_equal_to_their_excel_text_and_carry_a_reason():
    result = F.COMMISSION(1, "x")
    assert result == "#N/A" and isinstance(result, ExcelError) and "unknown deal type 'x'" in result.reason


@pytest.mark.parametrize("call,expected", [
    (lambda: F.TIER("", TWENTY), ""),
    (lambda: F.TIER(None, TWENTY), ""),
    (lambda: F.PROFITRATE(None, 10), ""),
    (lambda: F.PROFITRATE(100, "  "), ""),
    (lambda: F.PROSPECTSCORE("Retail", "", "East"), ""),
    (lambda: F.DUNNINGSTAGE(None), ""),
    (lambda: F.DUNNINGACTIONS(""), ""),
    (lambda: F.COMMISSION("", "new"), ""),
    (lambda: F.COMMISSION(100, ""), ""),
    (lambda: F.TIER(float("nan"), TWENTY), ""),
])
def test_blank_required_argument_gives_empty_text(call, expected):
    assert call() == expected and not isinstance(call(), ExcelError)


@pytest.mark.parametrize("call,code", [
    (lambda: F.TIER("abc", TWENTY), "#VALUE!"),
    (lambda: F.TIER(True, TWENTY), "#VALUE!"),
    (lambda: F.TIER(5, None), "#VALUE!"),
    (lambda: F.TIER(5, []), "#N/A"),
    (lambda: F.TIER(5, [["", "x"], [None, None]]), "#N/A"),
    (lambda: F.TIER(5, [1, 2, "#DIV/0!"]), "#DIV/0!"),
    (lambda: F.TIER(float("inf"), TWENTY), "#NUM!"),
    (lambda: F.TIER(5, TWENTY, "nosuchpolicy"), "#N/A"),
    (lambda: F.TIER(5, TWENTY, "dunning"), "#N/A"),
    (lambda: F.TIER(5, TWENTY, "../../etc/passwd"), "#N/A"),
    (lambda: F.TIER(5, TWENTY, 42), "#VALUE!"),
    (lambda: F.PROFITRATE(0, 10), "#DIV/0!"),
    (lambda: F.PROFITRATE(-1, 10), "#NUM!"),
    (lambda: F.PROFITRATE(100, 10, -5), "#NUM!"),
    (lambda: F.PROFITRATE("lots", 10), "#VALUE!"),
    (lambda: F.PROFITRATE(1e309, 10), "#NUM!"),
    (lambda: F.PROSPECTSCORE("Retail", "CFO", "East", "merger", "perhaps"), "#VALUE!"),
    (lambda: F.PROSPECTSCORE("Retail", True, "East"), "#VALUE!"),
    (lambda: F.PROSPECTSCORE("#N/A", "CFO", "East"), "#N/A"),
    (lambda: F.DUNNINGSTAGE("soon"), "#VALUE!"),
    (lambda: F.DUNNINGSTAGE(30, "x"), "#VALUE!"),
    (lambda: F.DUNNINGSTAGE(float("inf")), "#NUM!"),
    (lambda: F.COMMISSION(100, "upsell"), "#N/A"),
    (lambda: F.COMMISSION(100, "new", None, "not a date"), "#VALUE!"),
    (lambda: F.COMMISSION(100, "new", None, dt.date(2020, 1, 1)), "#N/A"),
    (lambda: F.COMMISSION(100, "new", None, -5), "#NUM!"),
    (lambda: F.COMMISSION("#VALUE!", "new"), "#VALUE!"),
    (lambda: F.COMMISSION(100, 3.5), "#VALUE!"),
    (lambda: F.EXPLAIN("NOPE", 1), "#N/A"),
])
def test_bad_values_give_the_documented_error(call, code):
    result = call()
    assert isinstance(result, ExcelError) and result == code, repr(result)
    assert result.reason


def test_unknown_deal_type_suggests_the_closest():
    assert "did you mean 'renewal'" in F.COMMISSION(100, "renewl").reason


def test_numbers_as_text_are_accepted_where_unambiguous():
    assert F.COMMISSION("1,200", "renewal", None, "2026-06-30") == 12
    assert F.COMMISSION(" 150000 ", " NEW ", None, "2026-06-30") == 25000
    assert F.DUNNINGSTAGE(" 60 ") == "Second notice"
    assert F.PROFITRATE("1,000", "250") == 0.75
    assert F.COMMISSION("1,2", "new") == "#VALUE!"  # a decimal comma is ambiguous


@pytest.mark.parametrize("yes", [True, 1, "TRUE", "yes", "Y", " y ", "1", 1.0])
def test_boolean_forms(yes):
    assert F.PROSPECTSCORE("Retail", "CFO", "East", None, yes) == 6


@pytest.mark.parametrize("no", [False, 0, "FALSE", "no", "n", "", None, "0"])
def test_boolean_false_forms(no):
    assert F.PROSPECTSCORE("Retail", "CFO", "East", None, no) == 5


def test_numpy_and_decimal_inputs_return_plain_python_values():
    result = F.COMMISSION(np.int64(150000), "new", None, np.datetime64("2026-06-30"))
    assert type(result) is float and result == 25000
    assert type(F.PROFITRATE(Decimal("100"), np.float32(60))) is float
    assert type(F.PROSPECTSCORE("Retail", "CFO", "East")) is int


def test_as_of_accepts_excel_serials_datetimes_and_iso_text():
    serial = (dt.date(2026, 6, 30) - dt.date(1899, 12, 30)).days
    for as_of in (serial, dt.datetime(2026, 6, 30, 15, 0), "2026-06-30", pd.Timestamp("2026-06-30")):
        assert F.COMMISSION(150000, "new", None, as_of) == 25000
    assert F.COMMISSION(150000, "new", None, "2025-06-30") == 22500


def test_default_as_of_is_today():
    before = dt.date.today()
    got = F.COMMISSION(150000, "new")
    after = dt.date.today()  # a run across midnight may use either day
    assert got in {F.COMMISSION(150000, "new", None, before), F.COMMISSION(150000, "new", None, after)}


def test_ranges_in_every_shape():
    column = [[a] for a in TWENTY]
    row = [TWENTY]
    block = [TWENTY[:10], TWENTY[10:]]
    for shape in (TWENTY, tuple(TWENTY), column, row, block, np.array(TWENTY), np.array(block),
                  pd.Series(TWENTY)):
        assert F.TIER(190, shape) == "Major"
    assert F.TIER(190, TWENTY + ["", None, "text", True]) == "Major"  # blanks, text, booleans ignored


def test_tier_column_form_spills_one_tier_per_cell():
    out = F.TIER([[200], [190], [""], [10]])
    assert out == ["VIP", "Small", "", "Small"]


def test_huge_range():
    amounts = np.arange(1_000_000, dtype=float)
    assert F.TIER(999_999, amounts) == "VIP" and F.TIER(0, amounts) == "Small"
    assert F.TIER(990_000, amounts) == "VIP" and F.TIER(989_999, amounts) == "Major"  # rank 10,000 = 1% of 1e6


def test_amount_outside_the_range_is_ranked_as_a_what_if():
    assert F.TIER(1000, TWENTY) == "VIP"


def test_dunning_minimum_amount(edit_store, rules_dir):
    path = rules_dir / "dunning.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("minimum_amount: 0 ", "minimum_amount: 50 "),
                    encoding="utf-8")
    assert F.DUNNINGSTAGE(95, 10) == "Current"
    assert F.DUNNINGSTAGE(95, 50) == "Legal"
    assert F.DUNNINGSTAGE(95) == "Legal"
    assert "below the minimum" in F.EXPLAIN("DUNNINGSTAGE", 95, 10)


def test_dunning_actions_are_a_column():
    assert F.DUNNINGACTIONS(30)[0] == "first written reminder" and len(F.DUNNINGACTIONS(30)) == 4
    assert F.DUNNINGACTIONS(0) == []


def test_explain_names_file_line_version_and_arithmetic():
    text = F.EXPLAIN("COMMISSION", 150000, "new", None, "2026-06-30")
    assert text.startswith("commission.yaml:") and "new (v2026-01): 15% × 100,000 + 20% × 50,000 = 25,000" in text
    assert F.EXPLAIN("commission", 1, "x").startswith("#N/A: unknown deal type")
    assert F.EXPLAIN("TIER", 190, TWENTY).startswith("tiers.yaml:")
    assert "struck out" in F.EXPLAIN("PROSPECTSCORE", "Banking", "CFO", "East")
    assert F.EXPLAIN("DUNNINGSTAGE", "") == "blank input: the cell stays empty"


def test_utf8_labels_round_trip():
    assert F.TIER(200, TWENTY, "tiers:metals") == "铂金客户"
    assert F.PROSPECTSCORE("制造业", "财务总监", "华东", "merger") == 7
    assert F.COMMISSION(1000, "续约", None, "2026-06-30") == 10


def test_clawback_is_odd():
    assert F.COMMISSION(-150000, "new", None, "2026-06-30") == -F.COMMISSION(150000, "new", None, "2026-06-30")


def test_every_registered_function_has_help_and_typed_arguments():
    from cellrules.kinds import KINDS
    kinds = {fn.name for kind in KINDS.values() for fn in kind.functions}
    declared = {"CUSTOMERCLASS", "BONUSHOLD"}  # declared by shipped decision tables (function: in the file)
    assert set(REGISTRY) == kinds | declared | {"EXPLAIN", "RULESTATUS"}
    assert {"TIER", "PROFITRATE", "PROSPECTSCORE", "DUNNINGSTAGE", "COMMISSION", "DECIDE"} <= kinds
    for spec in REGISTRY.values():
        assert spec.help and spec.help == getattr(F, spec.name).__doc__.strip().split("\n\n")[0].replace("\n", " ")
        assert all(a.help for a in spec.args)
    assert math.isclose(F.PROFITRATE(100, 60, 17), 0.23)


def test_hostile_values_get_the_right_excel_error_not_an_internal_one():
    import pandas as pd
    from cellrules.registry import INTERNAL_ERRORS
    before = INTERNAL_ERRORS["count"]
    assert F.PROFITRATE(5e-324, 1e300) == "#NUM!"
    assert F.COMMISSION(10 ** 400, "new") == "#NUM!" and "too large" in F.COMMISSION(10 ** 400, "new").reason
    assert F.COMMISSION(1, "new", "x" * 300) == "#N/A" and "at most 100 characters" in F.COMMISSION(1, "new", "x" * 300).reason
    assert F.DUNNINGSTAGE(pd.NaT) == ""  # a missing value is a blank cell
    amounts = [[1.0], [pd.NA], [3.0]]
    assert [F.TIER(3.0, amounts), F.TIER(3.0, amounts), F.TIER(1.0, amounts)] == ["VIP", "VIP", "Small"]
    assert INTERNAL_ERRORS["count"] == before
