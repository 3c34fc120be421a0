"""Excel's price, yield and duration of a security paying periodic interest.

Owns PRICE, YIELD, DURATION and MDURATION as Microsoft's pages define them, on the coupon period of
:mod:`bonds` (N coupons left, A days since the last one, DSC days to the next, E days in the period):
each cash flow is discounted by (1 + yld/frequency) to the power of its distance in periods, k - 1 +
DSC/E, and the interest accrued since the last coupon is taken off the price. YIELD inverts PRICE (in
closed form when one coupon is left). A negative rate or yield, a price or redemption not above zero is #NUM!.
"""
from __future__ import annotations

import math
from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.excel.bonds import Coupons, coupon_terms, days, days_to_next
from cellrules.recalc.values.scalars import checked, err
from cellrules.recalc.values.signature import excel


class Bond:
    """A security's coupon position at settlement: N, A, DSC and E of Microsoft's formulas, and its frequency."""

    def __init__(self, c: Coupons, settlement: Any, frequency: int, basis: int) -> None:
        self.n, self.f = c.count, frequency
        self.e = c.length(basis, frequency)
        self.a = float(days(c.previous, settlement, basis))
        self.dsc = days_to_next(c, settlement, frequency, basis)

    def flows(self, rate: float, redemption: float) -> list[tuple[float, float]]:
        """(distance in periods, amount) of every cash flow still to come per 100 face value."""
        coupon = 100 * rate / self.f
        out = [(k - 1 + self.dsc / self.e, coupon) for k in range(1, self.n + 1)]
        out[-1] = (out[-1][0], coupon + redemption)
        return out

    def price(self, rate: float, yld: float, redemption: float) -> float:
        """The clean price: the flows discounted at ``yld``, less the interest accrued."""
        coupon = 100 * rate / self.f
        accrued = coupon * self.a / self.e
        if self.n == 1:
            return (redemption + coupon) / (1 + self.dsc / self.e * yld / self.f) - accrued
        return math.fsum(amount / (1 + yld / self.f) ** t for t, amount in self.flows(rate, redemption)) - accrued


def _bond(settlement: float, maturity: float, frequency: float, basis: float) -> Bond | ExcelError:
    got = coupon_terms(settlement, maturity, frequency, basis)
    if isinstance(got, ExcelError):
        return got
    c, s, f, b = got
    return Bond(c, s, f, b)


@excel("number", "number", "number", "number", "number", "number", "number", toolpak=True)
def PRICE(settlement: float, maturity: float, rate: float, yld: float, redemption: float, frequency: float,
          basis: float = 0.0) -> Any:
    """Excel's PRICE(settlement, maturity, rate, yld, redemption, frequency, [basis]): the price per 100 face
    value of a security paying periodic interest."""
    if rate < 0 or yld < 0 or redemption <= 0:
        return err("#NUM!", "rate and yield must not be negative, redemption must be positive")
    bond = _bond(settlement, maturity, frequency, basis)
    return bond if isinstance(bond, ExcelError) else checked(bond.price(rate, yld, redemption))


@excel("number", "number", "number", "number", "number", "number", "number", toolpak=True)
def YIELD(settlement: float, maturity: float, rate: float, pr: float, redemption: float, frequency: float,
          basis: float = 0.0) -> Any:
    """Excel's YIELD(settlement, maturity, rate, pr, redemption, frequency, [basis]): the yield of a security
    paying periodic interest."""
    if rate < 0 or pr <= 0 or redemption <= 0:
        return err("#NUM!", "rate must not be negative, price and redemption must be positive")
    bond = _bond(settlement, maturity, frequency, basis)
    if isinstance(bond, ExcelError):
        return bond
    if bond.n == 1:
        coupon = rate / bond.f
        paid = pr / 100 + bond.a / bond.e * coupon
        return checked((redemption / 100 + coupon - paid) / paid * bond.f * bond.e / bond.dsc)
    return _solve(lambda y: bond.price(rate, y, redemption) - pr)


def _solve(gap: Any) -> Any:
    """The yield where ``gap`` is zero: Newton's method from 10%, bisection if it strays."""
    y = 0.1
    for _ in range(100):
        g = gap(y)
        step = (gap(y + 1e-7) - g) / 1e-7
        if step == 0 or not math.isfinite(step):
            break
        nxt = y - g / step
        if abs(nxt - y) < 1e-12:
            return nxt
        y = nxt if nxt > -0.99 else (y - 0.99) / 2
    low, high = -0.99, 10.0
    if gap(low) * gap(high) > 0:
        return err("#NUM!", "YIELD did not converge")
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if gap(low) * gap(mid) > 0 else (low, mid)
    return (low + high) / 2


@excel("number", "number", "number", "number", "number", "number", toolpak=True)
def DURATION(settlement: float, maturity: float, coupon: float, yld: float, frequency: float,
             basis: float = 0.0) -> Any:
    """Excel's DURATION(settlement, maturity, coupon, yld, frequency, [basis]): the Macaulay duration in years
    of a security with a par value of 100."""
    if coupon < 0 or yld < 0:
        return err("#NUM!", "coupon and yield must not be negative")
    bond = _bond(settlement, maturity, frequency, basis)
    if isinstance(bond, ExcelError):
        return bond
    discounted = [(t, amount / (1 + yld / bond.f) ** t) for t, amount in bond.flows(coupon, 100.0)]
    value = math.fsum(v for _, v in discounted)
    return checked(math.fsum(t * v for t, v in discounted) / value / bond.f)


@excel("number", "number", "number", "number", "number", "number", toolpak=True)
def MDURATION(settlement: float, maturity: float, coupon: float, yld: float, frequency: float,
              basis: float = 0.0) -> Any:
    """Excel's MDURATION(settlement, maturity, coupon, yld, frequency, [basis]): the modified duration,
    DURATION / (1 + yld / frequency)."""
    d = DURATION(settlement, maturity, coupon, yld, frequency, basis)
    return d if isinstance(d, ExcelError) else checked(d / (1 + yld / math.trunc(frequency)))
