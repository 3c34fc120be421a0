"""Excel's securities functions: coupon dates and days, accrued interest, price, yield, duration, discounts.

Owns COUPPCD, COUPNCD, COUPNUM, COUPDAYBS, COUPDAYS, COUPDAYSNC, ACCRINT, ACCRINTM, PRICE, YIELD, DURATION,
MDURATION, DISC, INTRATE, RECEIVED, PRICEDISC, YIELDDISC, as Microsoft's pages define them: coupon dates
step back from maturity (or, for ACCRINT, from the first interest date) by 12/frequency months, a date at
the end of its month keeping to month ends; days are counted by basis — 0 US 30/360, 1 actual/actual,
2 actual/360, 3 actual/365, 4 European 30/360 — and a coupon period is 360/frequency days (365/frequency
for basis 3, its actual length for basis 1). Dates are truncated to whole days; settlement on or after
maturity, a frequency other than 1, 2, 4, a basis outside 0-4 or a negative rate is #NUM!. All are
Analysis ToolPak functions (TRUE/FALSE is #VALUE!).
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.excel.dates import YEARFRAC, serial, to_date
from cellrules.recalc.values.scalars import checked, err
from cellrules.recalc.values.signature import excel


def _month_end(d: dt.date) -> bool:
    return d.day == calendar.monthrange(d.year, d.month)[1]


def _step(anchor: dt.date, months: int) -> dt.date:
    """``anchor`` moved by ``months`` (negative: back); a month-end anchor gives month ends."""
    total = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, last if _month_end(anchor) else min(anchor.day, last))


def days(a: dt.date, b: dt.date, basis: int) -> int:
    """Days from a to b by basis: 30/360 US (0), European 30/360 (4), else actual days."""
    if basis not in (0, 4):
        return (b - a).days
    d1, d2 = a.day, b.day
    if basis == 4:
        d1, d2 = min(d1, 30), min(d2, 30)
    else:
        feb_end = a.month == 2 and _month_end(a)
        if feb_end and b.month == 2 and _month_end(b):
            d2 = 30
        if d1 == 31 or feb_end:
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
    return (b.year - a.year) * 360 + (b.month - a.month) * 30 + d2 - d1


class Coupons:
    """The coupon period around a settlement date: previous and next coupon dates, how many remain."""

    def __init__(self, settlement: dt.date, maturity: dt.date, frequency: int) -> None:
        months = 12 // frequency
        k = max(int((maturity.year - settlement.year) * frequency) - 1, 0)  # a guess below the answer
        while _step(maturity, -months * (k + 1)) > settlement:
            k += 1
        while k > 0 and _step(maturity, -months * k) <= settlement:
            k -= 1
        self.previous = _step(maturity, -months * (k + 1))
        self.next = _step(maturity, -months * k)
        self.count = k + 1

    def length(self, basis: int, frequency: int) -> float:
        """Days in the coupon period (E)."""
        if basis == 1:
            return float((self.next - self.previous).days)
        return (365.0 if basis == 3 else 360.0) / frequency


def _terms(settlement: Any, maturity: Any, frequency: Any, basis: Any) -> tuple[dt.date, dt.date, int, int] | ExcelError:
    got = [to_date(math.trunc(v)) if isinstance(v, float) else to_date(v) for v in (settlement, maturity)]
    for d in got:
        if isinstance(d, ExcelError):
            return d
    s, m = got
    assert isinstance(s, dt.date) and isinstance(m, dt.date)
    f, b = math.trunc(frequency), math.trunc(basis)
    if f not in (1, 2, 4) or not 0 <= b <= 4:
        return err("#NUM!", "frequency must be 1, 2 or 4 and basis 0 to 4")
    if s >= m:
        return err("#NUM!", "settlement must come before maturity")
    return s, m, f, b


def coupon_terms(settlement: Any, maturity: Any, frequency: Any, basis: Any) -> tuple[Coupons, dt.date, int, int] | ExcelError:
    """The coupon period around settlement, the settlement date, frequency and basis; #NUM! for bad terms."""
    terms = _terms(settlement, maturity, frequency, basis)
    if isinstance(terms, ExcelError):
        return terms
    s, m, f, b = terms
    return Coupons(s, m, f), s, f, b


@excel("number", "number", "number", "number", toolpak=True)
def COUPPCD(settlement: float, maturity: float, frequency: float, basis: float = 0.0) -> Any:
    """Excel's COUPPCD(settlement, maturity, frequency, [basis]): the coupon date before settlement."""
    got = coupon_terms(settlement, maturity, frequency, basis)
    return got if isinstance(got, ExcelError) else float(serial(got[0].previous))


@excel("number", "number", "number", "number", toolpak=True)
def COUPNCD(settlement: float, maturity: float, frequency: float, basis: float = 0.0) -> Any:
    """Excel's COUPNCD(settlement, maturity, frequency, [basis]): the coupon date after settlement."""
    got = coupon_terms(settlement, maturity, frequency, basis)
    return got if isinstance(got, ExcelError) else float(serial(got[0].next))


@excel("number", "number", "number", "number", toolpak=True)
def COUPNUM(settlement: float, maturity: float, frequency: float, basis: float = 0.0) -> Any:
    """Excel's COUPNUM(settlement, maturity, frequency, [basis]): the coupons payable until maturity."""
    got = coupon_terms(settlement, maturity, frequency, basis)
    return got if isinstance(got, ExcelError) else float(got[0].count)


@excel("number", "number", "number", "number", toolpak=True)
def COUPDAYBS(settlement: float, maturity: float, frequency: float, basis: float = 0.0) -> Any:
    """Excel's COUPDAYBS(settlement, maturity, frequency, [basis]): days from the coupon period's start to
    settlement."""
    got = coupon_terms(settlement, maturity, frequency, basis)
    return got if isinstance(got, ExcelError) else float(days(got[0].previous, got[1], got[3]))


@excel("number", "number", "number", "number", toolpak=True)
def COUPDAYS(settlement: float, maturity: float, frequency: float, basis: float = 0.0) -> Any:
    """Excel's COUPDAYS(settlement, maturity, frequency, [basis]): days in the coupon period of settlement."""
    got = coupon_terms(settlement, maturity, frequency, basis)
    return got if isinstance(got, ExcelError) else got[0].length(got[3], got[2])


def days_to_next(c: Coupons, s: dt.date, f: int, b: int) -> float:
    """DSC: days from settlement to the next coupon (30/360 bases: the period less the days before)."""
    if b in (0, 4):
        return c.length(b, f) - days(c.previous, s, b)
    return float((c.next - s).days)


@excel("number", "number", "number", "number", toolpak=True)
def COUPDAYSNC(settlement: float, maturity: float, frequency: float, basis: float = 0.0) -> Any:
    """Excel's COUPDAYSNC(settlement, maturity, frequency, [basis]): days from settlement to the next coupon."""
    got = coupon_terms(settlement, maturity, frequency, basis)
    return got if isinstance(got, ExcelError) else days_to_next(got[0], got[1], got[2], got[3])


def _days_us(a: dt.date, b: dt.date, both: bool) -> int:
    """30/360 US days; ``both``: the end's February month end and 31st count as 30 whatever the start."""
    d1, d2 = a.day, b.day
    a_feb, b_feb = a.month == 2 and _month_end(a), b.month == 2 and _month_end(b)
    if b_feb and (a_feb or both):
        d2 = 30
    if d2 == 31 and (d1 >= 30 or both):
        d2 = 30
    if d1 == 31 or a_feb:
        d1 = 30
    return (b.year - a.year) * 360 + (b.month - a.month) * 30 + d2 - d1


def _accrued(a: dt.date, b: dt.date, basis: int) -> int:
    """Days of interest from a to b (ACCRINT's numerator): 30/360 for bases 0 and 4, else actual days."""
    return _days_us(a, b, False) if basis == 0 else days(a, b, basis)


def _period(a: dt.date, b: dt.date, basis: int, frequency: int) -> float:
    """The length of the quasi-coupon period a..b (ACCRINT's denominator) by basis."""
    if basis == 0:
        return float(_days_us(a, b, True))
    if basis == 2:
        return float(_days_us(a, b, False))
    if basis == 3:
        return 365.0 / frequency
    return float(days(a, b, basis))


@excel("number", "number", "number", "number", "number", "number", "number", "logical", toolpak=True)
def ACCRINT(issue: float, first_interest: float, settlement: float, rate: float, par: float, frequency: float,
            basis: float = 0.0, from_issue: bool = True) -> Any:
    """Excel's ACCRINT(issue, first_interest, settlement, rate, par, frequency, [basis], [calc_method]): the
    interest a security has accrued by settlement, par × rate / frequency × the quasi-coupon periods elapsed
    (whole ones from issue only with calc_method TRUE; Excel's own reading of the odd first period)."""
    got = [to_date(math.trunc(v)) for v in (issue, first_interest, settlement)]
    for d in got:
        if isinstance(d, ExcelError):
            return d
    start, first, end = got
    assert isinstance(start, dt.date) and isinstance(first, dt.date) and isinstance(end, dt.date)
    f, b = math.trunc(frequency), math.trunc(basis)
    if f not in (1, 2, 4) or not 0 <= b <= 4 or rate <= 0 or par <= 0 or start >= end:
        return err("#NUM!", "frequency 1, 2 or 4, basis 0-4, a positive rate and par, issue before settlement")
    months = 12 // f
    regular = _step(first, -months)
    pcd = regular
    if end > first and from_issue:
        while _step(pcd, months) < end:
            pcd = _step(pcd, months)
    coupon = Coupons(regular, first, f).length(b, f) if b == 1 else (365.0 if b == 3 else 360.0) / f
    total = _accrued(max(start, pcd), end, b) / coupon
    front = pcd
    while front > start:
        period_end, front = front, _step(front, -months)
        if start <= front:
            total += 1.0 if from_issue else 0.0
        else:
            total += _accrued(start, period_end, b) / _period(front, period_end, b, f)
    return checked(par * rate / f * total)


@excel("number", "number", "number", "number", "number", toolpak=True)
def ACCRINTM(issue: float, settlement: float, rate: float, par: float = 1000.0, basis: float = 0.0) -> Any:
    """Excel's ACCRINTM(issue, settlement, rate, par, [basis]): the interest accrued by a security paying at
    maturity."""
    if rate <= 0 or par <= 0:
        return err("#NUM!", "rate and par must be positive")
    if math.trunc(issue) >= math.trunc(settlement):
        return err("#NUM!", "issue must come before settlement")
    fraction = YEARFRAC(math.trunc(issue), math.trunc(settlement), basis)
    return fraction if isinstance(fraction, ExcelError) else checked(par * rate * fraction)


def _fraction(settlement: float, maturity: float, basis: float) -> float | ExcelError:
    if math.trunc(settlement) >= math.trunc(maturity):
        return err("#NUM!", "settlement must come before maturity")
    if not 0 <= math.trunc(basis) <= 4:
        return err("#NUM!", "basis is 0 to 4")
    return YEARFRAC(math.trunc(settlement), math.trunc(maturity), basis)


def _discount(settlement: float, maturity: float, a: float, b: float, basis: float, fn: Any) -> Any:
    if a <= 0 or b <= 0:
        return err("#NUM!", "the amounts must be positive")
    fraction = _fraction(settlement, maturity, basis)
    return fraction if isinstance(fraction, ExcelError) else checked(fn(a, b, fraction))


@excel("number", "number", "number", "number", "number", toolpak=True)
def DISC(settlement: float, maturity: float, pr: float, redemption: float, basis: float = 0.0) -> Any:
    """Excel's DISC(settlement, maturity, pr, redemption, [basis]): the discount rate of a security."""
    return _discount(settlement, maturity, pr, redemption, basis, lambda p, r, t: (r - p) / r / t)


@excel("number", "number", "number", "number", "number", toolpak=True)
def INTRATE(settlement: float, maturity: float, investment: float, redemption: float, basis: float = 0.0) -> Any:
    """Excel's INTRATE(settlement, maturity, investment, redemption, [basis]): the interest rate of a fully
    invested security."""
    return _discount(settlement, maturity, investment, redemption, basis, lambda i, r, t: (r - i) / i / t)


@excel("number", "number", "number", "number", "number", toolpak=True)
def RECEIVED(settlement: float, maturity: float, investment: float, discount: float, basis: float = 0.0) -> Any:
    """Excel's RECEIVED(settlement, maturity, investment, discount, [basis]): the amount received at maturity."""
    if investment <= 0 or discount <= 0:
        return err("#NUM!", "the amounts must be positive")
    fraction = _fraction(settlement, maturity, basis)
    if isinstance(fraction, ExcelError):
        return fraction
    rest = 1 - discount * fraction
    return checked(investment / rest) if rest > 0 else err("#NUM!", "the discount exceeds the term")


@excel("number", "number", "number", "number", "number", toolpak=True)
def PRICEDISC(settlement: float, maturity: float, discount: float, redemption: float, basis: float = 0.0) -> Any:
    """Excel's PRICEDISC(settlement, maturity, discount, redemption, [basis]): the price per 100 face value of
    a discounted security."""
    return _discount(settlement, maturity, discount, redemption, basis, lambda d, r, t: r - d * r * t)


@excel("number", "number", "number", "number", "number", toolpak=True)
def YIELDDISC(settlement: float, maturity: float, pr: float, redemption: float, basis: float = 0.0) -> Any:
    """Excel's YIELDDISC(settlement, maturity, pr, redemption, [basis]): the annual yield of a discounted
    security."""
    return _discount(settlement, maturity, pr, redemption, basis, lambda p, r, t: (r - p) / p / t)
