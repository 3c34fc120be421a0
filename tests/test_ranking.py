"""A column of N =TIER(Ai, A$2:A$N) calls ranks the range once, and never answers from a stale range."""
from __future__ import annotations

import numpy as np

from cellrules import functions as F
from cellrules.kinds.tiers import RANKS


def test_a_column_of_calls_ranks_the_range_once():
    amounts = tuple(float(x) for x in range(5000))
    before = RANKS.builds
    tiers = [F.TIER(a, amounts) for a in amounts]
    assert RANKS.builds - before == 1
    assert tiers.count("VIP") == 50 and tiers.count("Major") == 250


def test_same_list_object_is_reused_while_unchanged():
    amounts = list(range(1000))
    before = RANKS.builds
    for a in amounts:
        F.TIER(a, amounts)
    assert RANKS.builds - before == 1


def test_a_changed_list_is_ranked_again():
    amounts = list(range(100))
    assert F.TIER(99, amounts) == "VIP"
    amounts[0] = 1000  # the list object is the same, its content is not
    assert F.TIER(99, amounts) == "Major"


def test_a_changed_writeable_array_is_ranked_again():
    amounts = np.arange(100, dtype=float)
    assert F.TIER(99, amounts) == "VIP"
    amounts[0] = 1000
    assert F.TIER(99, amounts) == "Major"


def test_read_only_arrays_are_recognised_by_identity():
    amounts = np.arange(2000, dtype=float)
    amounts.flags.writeable = False
    before = RANKS.builds
    for a in amounts[:500]:
        F.TIER(a, amounts)
    assert RANKS.builds - before == 1


def test_equal_content_in_a_new_object_ranks_again_but_answers_the_same():
    assert F.TIER(5, [1, 2, 3, 4, 5]) == F.TIER(5, [1, 2, 3, 4, 5]) == "VIP"
