"""Ranking a range once and reusing it.

Owns the rank index behind TIER: a range of amounts is sorted once (O(n log n))
and each customer's rank — 1 + the number of amounts strictly greater — is
then a binary search (O(log n)). Indexes are cached per range: an immutable
range (a tuple, a read-only array) is recognised by identity in O(1); a
mutable one (a list, a writeable array) is compared with the cached copy, so a
range whose content changed is ranked again and never answered from stale data.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from cellrules.coerce import range_numbers
from cellrules.errors import ExcelError, num_error


@dataclass(frozen=True)
class RankIndex:
    """A sorted copy of a range's amounts, to rank any amount among them (competition ranking, biggest first)."""

    ascending: np.ndarray
    values: list[float]  # the same, as a list: bisect on it is cheaper than numpy for one amount

    @property
    def n(self) -> int:
        """How many amounts are ranked."""
        return len(self.values)

    def rank(self, amount: float) -> int:
        """1 + the number of amounts strictly greater than ``amount``."""
        return 1 + len(self.values) - bisect_right(self.values, amount)

    def ranks(self, amounts: np.ndarray) -> np.ndarray:
        """The rank of each amount (1 = the biggest; equal amounts share the better rank)."""
        return 1 + self.n - np.searchsorted(self.ascending, amounts, side="right")


def self_ranks(values: np.ndarray) -> np.ndarray:
    """Rank of each value among the values themselves (1 + how many are strictly greater), by one sort."""
    order = np.argsort(-values)  # ties need no stable order: each takes the first rank of its run
    ordered = values[order]
    starts = np.empty(len(values), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    first = np.maximum.accumulate(np.where(starts, np.arange(len(values)), 0))
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[order] = first + 1
    return ranks


def build(numbers: list[float] | np.ndarray) -> RankIndex:
    """A rank index over the numbers of a range."""
    data = np.sort(np.asarray(numbers, dtype=float))
    data.flags.writeable = False
    return RankIndex(data, data.tolist())


class RankCache:
    """A small LRU of rank indexes keyed by the range they were built from."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[Any, Any, RankIndex | ExcelError]] = OrderedDict()
        self.builds = 0  # how many times a range was actually ranked (tests read this)

    def index(self, block: Any) -> RankIndex | ExcelError:
        """The rank index of a range, built once per range (recognised by identity or by content)."""
        key = id(block)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is block and _unchanged(block, entry[1]):
            self._entries.move_to_end(key)
            return entry[2]
        numbers = range_values(block)
        result = numbers if isinstance(numbers, ExcelError) else build(numbers)
        self.builds += 1
        self._entries[key] = (block, _snapshot(block), result)  # holding `block` keeps its id unique
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return result


def range_values(block: Any) -> list[float] | np.ndarray | ExcelError:
    """The numbers of a range as TIER ranks them (numeric arrays take a vectorised path)."""
    if isinstance(block, np.ndarray) and block.dtype.kind in "fiu":
        flat = block.astype(float, copy=False).ravel()
        flat = flat[~np.isnan(flat)]
        if np.isinf(flat).any():
            return num_error("the range holds an infinite number")
        return flat
    return range_numbers(block)


def _immutable(block: Any) -> bool:
    if isinstance(block, tuple):
        return all(not isinstance(item, (list, dict, np.ndarray)) for item in block[:1])
    return isinstance(block, np.ndarray) and not block.flags.writeable and block.base is None


def _snapshot(block: Any) -> Any:
    if _immutable(block):
        return None
    if isinstance(block, np.ndarray):
        return block.copy()
    if isinstance(block, list):
        return [list(item) if isinstance(item, list) else item for item in block]
    if hasattr(block, "to_numpy"):
        return block.to_numpy().copy()
    return None


def _unchanged(block: Any, snapshot: Any) -> bool:
    if _immutable(block):
        return True
    if isinstance(block, np.ndarray):
        return snapshot is not None and np.array_equal(block, snapshot, equal_nan=block.dtype.kind == "f")
    if isinstance(block, list):
        return block == snapshot
    if hasattr(block, "to_numpy"):
        current = block.to_numpy()
        return snapshot is not None and current.shape == snapshot.shape and bool((current == snapshot).all())
    return False
