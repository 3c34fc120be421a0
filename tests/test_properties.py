"""Laws that hold for every input (Hypothesis)."""
from __future__ import annotations

import math

from hypothesis import given, settings, strategies as st

from cellrules import functions as F

ORDER = ["Small", "Normal", "Major", "VIP"]
STAGES = ["Current", "First notice", "Second notice", "Legal"]
money = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False)
deal = st.sampled_from(["new", "renewal"])
DAY = "2026-06-30"


@settings(max_examples=200, deadline=None)
@given(st.lists(money, min_size=1, max_size=300), money, money)
def test_tier_is_monotone_in_the_amount(amounts, a, b):
    low, high = sorted((a, b))
    assert ORDER.index(F.TIER(high, amounts)) >= ORDER.index(F.TIER(low, amounts))


@settings(max_examples=200, deadline=None)
@given(st.lists(money, min_size=1, max_size=300))
def test_tier_shares_respect_the_policy(amounts):
    tiers = [F.TIER(a, amounts) for a in amounts]
    n = len(amounts)
    assert tiers.count("VIP") >= 1  # ceil(1% of n) is at least one customer
    greater = lambda a: sum(x > a for x in amounts)  # noqa: E731
    for a, tier in zip(amounts, tiers):
        rank = 1 + greater(a)
        assert (tier == "VIP") == (rank <= math.ceil(n / 100))


@settings(max_examples=300, deadline=None)
@given(positive, deal)
def test_commission_is_never_negative_for_a_positive_amount(amount, kind):
    assert F.COMMISSION(amount, kind, None, DAY) >= 0


@settings(max_examples=300, deadline=None)
@given(money, deal)
def test_commission_is_odd(amount, kind):
    assert F.COMMISSION(-amount, kind, None, DAY) == -F.COMMISSION(amount, kind, None, DAY)


@settings(max_examples=100, deadline=None)
@given(deal, st.floats(min_value=1e-6, max_value=1.0))
def test_commission_is_continuous_at_the_bracket_edge(kind, eps):
    below, at, above = (F.COMMISSION(x, kind, None, DAY) for x in (100000 - eps, 100000, 100000 + eps))
    assert abs(at - below) <= 0.2 * eps + 1e-6 and abs(above - at) <= 0.2 * eps + 1e-6


@settings(max_examples=300, deadline=None)
@given(positive, positive, deal)
def test_commission_grows_with_the_amount(a, b, kind):
    low, high = sorted((a, b))
    assert F.COMMISSION(high, kind, None, DAY) >= F.COMMISSION(low, kind, None, DAY)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e6, max_value=1e6), st.floats(min_value=0, max_value=1e6))
def test_dunning_stage_never_goes_down_as_days_grow(days, more):
    assert STAGES.index(F.DUNNINGSTAGE(days + more)) >= STAGES.index(F.DUNNINGSTAGE(days))


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.01, max_value=1e9), st.floats(min_value=0, max_value=1e9),
       st.floats(min_value=0, max_value=1e9))
def test_profit_rate_is_at_most_one_and_falls_as_costs_rise(revenue, cost, extra):
    rate = F.PROFITRATE(revenue, cost)
    assert rate <= 1 and F.PROFITRATE(revenue, cost, extra) <= rate


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Manufacturing", "Retail", "Banking"]), st.sampled_from(["CFO", "Intern"]),
       st.sampled_from(["East", "North"]), st.sampled_from(["merger", "", "picnic"]),
       st.booleans(), st.booleans(), st.booleans())
def test_prospect_score_is_between_0_and_11_and_zero_when_struck(industry, title, region, trigger, a, b, c):
    row = (industry, title, region, trigger, a, b, c)
    score = F.PROSPECTSCORE(*row)
    assert 0 <= score <= 11
    if row[0] == "Banking" or row[1] == "Intern" or row[2] == "North":
        assert score == 0
