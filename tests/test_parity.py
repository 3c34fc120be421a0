"""The vectorised path gives exactly the per-cell (engine) answers: every example and 10,000 generated rows per policy."""
from __future__ import annotations

import datetime as dt
import numbers
import random

import numpy as np
import pandas as pd
import pytest

from cellrules import functions as F, vector
from cellrules.errors import ExcelError
from cellrules.frame import compute

N = 10_000


def same(a, b) -> bool:
    if isinstance(a, ExcelError) or isinstance(b, ExcelError):
        return isinstance(a, ExcelError) and isinstance(b, ExcelError) and a.code == b.code
    if isinstance(a, float) and isinstance(b, float) and a != a:
        return b != b
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):  # numpy columns hold numpy numbers
        return not isinstance(a, bool) and not isinstance(b, bool) and a == b
    return type(a) is type(b) and a == b


def assert_parity(per_cell: list, column) -> None:
    column = list(column)
    assert len(per_cell) == len(column)
    bad = [(i, x, y) for i, (x, y) in enumerate(zip(per_cell, column)) if not same(x, y)]
    assert not bad, bad[:5]


def messy_numbers(rng: random.Random, n: int, low: float, high: float) -> list:
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.85:
            out.append(round(rng.uniform(low, high), rng.choice([0, 0, 2, 6])))
        elif r < 0.88:
            out.append(None)
        elif r < 0.90:
            out.append(f"{rng.uniform(0, high):,.2f}")
        elif r < 0.92:
            out.append("n/a")
        elif r < 0.93:
            out.append("#N/A")
        elif r < 0.94:
            out.append(True)
        elif r < 0.95:
            out.append(float("inf"))
        else:
            out.append(rng.choice([0, -0.0, 30, 59, 60, 89, 90, 100000, 29.999, 1e-7, -1]))
    return out


@pytest.fixture
def rng():
    return random.Random(20261122)


def test_tier_parity_numeric_column(rng):
    amounts = np.array([round(rng.lognormvariate(8, 2), 2) for _ in range(N)])
    amounts[::97] = amounts[1]  # plenty of ties
    assert_parity([F.TIER(a, amounts) for a in amounts], vector.COLUMNS["TIER"](amounts))
    assert_parity([F.TIER(a, amounts, "tiers:metals") for a in amounts], vector.COLUMNS["TIER"](amounts, policy="tiers:metals"))


def test_tier_parity_messy_column(rng):
    amounts = messy_numbers(rng, 2000, -100, 1e6)
    clean = [a for a in amounts if not (isinstance(a, str) and a.startswith("#")) and a != float("inf")]
    assert_parity([F.TIER(a, clean) for a in clean], vector.COLUMNS["TIER"](clean))
    assert_parity([F.TIER(a, amounts) for a in amounts], vector.COLUMNS["TIER"](amounts))  # errors in the range propagate


def test_dunning_parity(rng):
    days = messy_numbers(rng, N, -40, 400)
    amounts = messy_numbers(rng, N, 0, 5000)
    assert_parity([F.DUNNINGSTAGE(d) for d in days], vector.COLUMNS["DUNNINGSTAGE"](days))
    assert_parity([F.DUNNINGSTAGE(d, a) for d, a in zip(days, amounts)], vector.COLUMNS["DUNNINGSTAGE"](days, amounts))


def test_dunning_parity_with_a_minimum_amount(edit_store, rules_dir, rng):
    path = rules_dir / "dunning.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("minimum_amount: 0 ", "minimum_amount: 500 "),
                    encoding="utf-8")
    days = messy_numbers(rng, N, -40, 400)
    amounts = messy_numbers(rng, N, 0, 1000)
    assert_parity([F.DUNNINGSTAGE(d, a) for d, a in zip(days, amounts)], vector.COLUMNS["DUNNINGSTAGE"](days, amounts))


def test_commission_parity(rng):
    amounts = messy_numbers(rng, N, -300000, 300000)
    kinds = [rng.choice(["new", "renewal", " NEW ", "Renewal", "新客户", "续约", "upsell", "", None, "#N/A", 7])
             for _ in range(N)]
    dates = [rng.choice([dt.date(2025, 6, 1), dt.date(2026, 6, 1), dt.date(2024, 1, 1), "2026-01-01",
                         "2025-12-31", None, "someday", 46000]) for _ in range(N)]
    assert_parity([F.COMMISSION(a, k, None, d) for a, k, d in zip(amounts, kinds, dates)],
                  vector.COLUMNS["COMMISSION"](amounts, kinds, as_of=dates))


def test_profit_parity(rng):
    revenue = messy_numbers(rng, N, -1000, 1e6)
    product = messy_numbers(rng, N, -10, 8e5)
    service = messy_numbers(rng, N, 0, 3e5)
    assert_parity([F.PROFITRATE(r, p, s) for r, p, s in zip(revenue, product, service)],
                  vector.COLUMNS["PROFITRATE"](revenue, product, service))


def test_profit_parity_with_cost_to_serve(edit_store, rules_dir, rng):
    path = rules_dir / "profit.yaml"
    text = path.read_text(encoding="utf-8").replace("channel_fee: 0%", "channel_fee: 3.5%")
    path.write_text(text.replace("per_customer: 0 ", "per_customer: 1200 "), encoding="utf-8")
    revenue = messy_numbers(rng, N, 0, 1e6)
    product = messy_numbers(rng, N, 0, 8e5)
    assert F.PROFITRATE(100000, 50000) == pytest.approx((100000 - 50000 - 3500 - 1200) / 100000)
    assert_parity([F.PROFITRATE(r, p) for r, p in zip(revenue, product)], vector.COLUMNS["PROFITRATE"](revenue, product))


def test_prospect_parity(rng):
    pick = lambda options: [rng.choice(options) for _ in range(N)]  # noqa: E731
    industry = pick(["Manufacturing", "retail ", "零售", "Banking", "", None, "#N/A", 12])
    title = pick(["CFO", "purchasing director", "Intern", "财务总监", ""])
    region = pick(["East", "SOUTH", "North", "华南"])
    trigger = pick(["merger", "Expansion", "new  management", "", None, "a new office"])
    flags = [pick([True, False, "yes", "n", "", None, 1, 0, "maybe"]) for _ in range(3)]
    per_cell = [F.PROSPECTSCORE(*row) for row in zip(industry, title, region, trigger, *flags)]
    assert_parity(per_cell, vector.COLUMNS["PROSPECTSCORE"](industry, title, region, trigger, *flags))


def test_parity_on_every_example():
    from cellrules.examples import check_file
    from conftest import RULES
    columns = {"TIER": lambda a: vector.COLUMNS["TIER"]([a["amount"]], a["amounts"], a.get("policy")),
               "DUNNINGSTAGE": lambda a: vector.COLUMNS["DUNNINGSTAGE"]([a["days_overdue"]], [a.get("amount")]),
               "COMMISSION": lambda a: vector.COLUMNS["COMMISSION"]([a["amount"]], [a["deal_type"]], as_of=[a.get("as_of")]),
               "PROFITRATE": lambda a: vector.COLUMNS["PROFITRATE"]([a["revenue"]], [a["product_cost"]],
                                                           [a.get("service_cost")]),
               "PROSPECTSCORE": lambda a: vector.COLUMNS["PROSPECTSCORE"](
                   [a["industry"]], [a["title"]], [a["region"]], [a.get("trigger")], [a.get("sold_in_industry")],
                   [a.get("has_reference")], [a.get("involved")])}
    checked = 0
    for path in RULES.glob("*.yaml"):
        for example in check_file(path)[0].examples:
            if example.function in columns:
                want = getattr(F, example.function)(**example.args)
                assert_parity([want], columns[example.function](example.args))
                checked += 1
    assert checked >= 50


def test_dataframe_in_column_out():
    df = pd.DataFrame({"Deal": [150000, 1000, None], "Type": ["new", "renewal", "new"]}, index=[10, 11, 12])
    out = compute(df, "COMMISSION", amount="Deal", deal_type="Type", as_of="2026-06-30")
    assert list(out.index) == [10, 11, 12] and out.name == "COMMISSION"
    assert out.tolist()[:2] == [25000.0, 10.0] and np.isnan(out.tolist()[2])  # a blank: NaN, so the column sums
    tiers = compute(pd.DataFrame({"Sales": [5, 4, 3]}), "TIER", amount="Sales")
    assert tiers.tolist() == ["VIP", "Small", "Small"]  # n=3: VIP rank 1; Major/Normal cut at 1 too
