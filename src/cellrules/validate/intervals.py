"""Coverage analysis of decision tables over whole numbers.

Owns the gap / overlap / unreachable-row checks for tables whose rows cover
ranges of whole numbers (days overdue), read in order as first-match rows.
"""
from __future__ import annotations

from dataclasses import dataclass

LOW, HIGH = -(10**12), 10**12


@dataclass(frozen=True)
class Finding:
    """A gap, an overlap or a row that can never fire, over whole numbers."""

    code: str  # GAP | OVERLAP | UNREACHABLE_RULE
    row: int | None  # index of the offending row; None for a gap
    low: int
    high: int


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out


def _covered_part(span: tuple[int, int], covered: list[tuple[int, int]]) -> int:
    low, high = span
    return sum(max(0, min(high, h) - max(low, l) + 1) for l, h in covered)


def analyse(rows: list[tuple[int | None, int | None]], start: int = 0) -> list[Finding]:
    """Check rows ``(low, high)`` (None = open end) over ``[start, ∞)``."""
    findings: list[Finding] = []
    covered: list[tuple[int, int]] = []
    for i, (low, high) in enumerate(rows):
        span = (LOW if low is None else low, HIGH if high is None else high)
        overlap = _covered_part(span, covered)
        if overlap == span[1] - span[0] + 1:
            findings.append(Finding("UNREACHABLE_RULE", i, *span))
        elif overlap:
            findings.append(Finding("OVERLAP", i, *span))
        covered = _merge(covered + [span])
    cursor = start
    for low, high in covered:
        if high < cursor:
            continue
        if low > cursor:
            findings.append(Finding("GAP", None, cursor, low - 1))
        cursor = max(cursor, high + 1)
    if cursor <= HIGH:
        findings.append(Finding("GAP", None, cursor, HIGH))
    return findings


def describe(low: int, high: int) -> str:
    """A span of days in words: ``30-59 days``, ``90 days and more``."""
    if high >= HIGH:
        return f"{low} days and more"
    if low == high:
        return f"{low} days"
    return f"{low}-{high} days"
