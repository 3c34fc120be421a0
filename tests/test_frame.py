"""cellrules.frame.compute as a pandas user needs it: number columns that sum, text columns with pd.NA, errors
kept as one type when asked, numbers typed as text read as numbers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cellrules import functions as F
from cellrules.errors import ExcelError
from cellrules.frame import compute

DEALS = pd.DataFrame({"amount": [1000.0, None, 50.0, "abc", 2e6], "type": ["new", "new", "", "upsell", "renewal"]})


def test_a_number_column_is_float_with_nan_for_blanks_and_errors_and_sums():
    out = compute(DEALS, "COMMISSION", amount="amount", deal_type="type", as_of="2026-06-30")
    assert out.dtype == "float64"
    expected = [F.COMMISSION(a, t, None, "2026-06-30") for a, t in zip(DEALS["amount"], DEALS["type"])]
    assert [np.isnan(v) for v in out] == [not isinstance(e, float) for e in expected]
    assert out.sum() == pytest.approx(sum(e for e in expected if isinstance(e, float)))


def test_errors_keep_holds_each_excel_error_with_its_reason():
    out = compute(DEALS, "COMMISSION", errors="keep", amount="amount", deal_type="type", as_of="2026-06-30")
    assert out.dtype == object and isinstance(out[3], ExcelError) and out[3] == "#VALUE!" and "abc" in out[3].reason
    assert np.isnan(out[1]) and np.isnan(out[2]) and out[0] == F.COMMISSION(1000.0, "new", None, "2026-06-30")
    tiers = compute(pd.DataFrame({"x": ["a", "b"]}), "TIER", errors="keep", amount="x")
    assert all(isinstance(v, ExcelError) and v == "#VALUE!" for v in tiers)  # never the bare text '#VALUE!'


def test_a_text_column_is_pandas_string_with_na():
    out = compute(DEALS, "TIER", amount="amount")
    assert str(out.dtype) == "string" and out.isna().tolist() == [False, True, False, True, False]
    assert out[4] == "VIP"


def test_numbers_typed_as_text_are_read_as_numbers_in_a_ranked_column():
    typed = pd.DataFrame({"sales": ["1,200", " 50 ", "300", "7", "88,000"]})
    numbers = pd.DataFrame({"sales": [1200.0, 50.0, 300.0, 7.0, 88000.0]})
    assert compute(typed, "TIER", amount="sales").tolist() == compute(numbers, "TIER", amount="sales").tolist()
    assert compute(typed, "TIER", amount="sales").tolist()[4] == "VIP"


def test_an_unknown_errors_option_is_refused():
    with pytest.raises(ValueError, match="errors must be"):
        compute(DEALS, "TIER", errors="drop", amount="amount")
