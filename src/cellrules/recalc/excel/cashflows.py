"""Excel's interest-rate conversions and cash-flow sums beyond the loan functions.

Owns MIRR, CUMIPMT/CUMPRINC, EFFECT/NOMINAL, FVSCHEDULE, ISPMT, PDURATION, RRI, DOLLARDE/DOLLARFR and the
Treasury-bill functions (TBILLEQ, TBILLPRICE, TBILLYIELD), each as Microsoft's page for it defines it.
"""
from __future__ import annotations

import math
from typing import Any

from cellrules.errors import ExcelError
from cellrules.recalc.excel.financial import IPMT, PPMT
from cellrules.recalc.values.blocks import Block, numbers
from cellrules.recalc.values.scalars import checked, err
from cellrules.recalc.values.signature import excel


@excel("range", "number", "number")
def MIRR(values: Any, finance_rate: float, reinvest_rate: float) -> Any:
    """Excel's MIRR(values, finance_rate, reinvest_rate): the modified internal rate of return."""
    xs = numbers((values,))
    if isinstance(xs, ExcelError):
        return xs
    n = len(xs)
    positive = math.fsum(x / (1 + reinvest_rate) ** (i + 1) for i, x in enumerate(xs) if x > 0)
    negative = math.fsum(x / (1 + finance_rate) ** (i + 1) for i, x in enumerate(xs) if x < 0)
    if positive == 0 or negative == 0:
        return err("#DIV/0!", "MIRR needs a positive and a negative cash flow")
    return checked((-positive * (1 + reinvest_rate) ** n / (negative * (1 + finance_rate))) ** (1 / (n - 1)) - 1)


def _cumulative(part: Any, rate: float, nper: float, pv: float, start: float, end: float, when: float) -> Any:
    s, e, w = math.trunc(start), math.trunc(end), math.trunc(when)
    if rate <= 0 or nper <= 0 or pv <= 0 or s < 1 or e < 1 or s > e or e > nper or w not in (0, 1):
        return err("#NUM!", "needs rate, nper, pv > 0, 1 ≤ start ≤ end ≤ nper and type 0 or 1")
    total = 0.0
    for per in range(s, e + 1):
        got = part(rate, float(per), nper, pv, 0.0, float(w))
        if isinstance(got, ExcelError):
            return got
        total += got
    return total


@excel("number", "number", "number", "number", "number", "number", toolpak=True)
def CUMIPMT(rate: float, nper: float, pv: float, start: float, end: float, when: float) -> Any:
    """Excel's CUMIPMT(rate, nper, pv, start_period, end_period, type): interest paid between two periods."""
    return _cumulative(IPMT, rate, nper, pv, start, end, when)


@excel("number", "number", "number", "number", "number", "number", toolpak=True)
def CUMPRINC(rate: float, nper: float, pv: float, start: float, end: float, when: float) -> Any:
    """Excel's CUMPRINC(rate, nper, pv, start_period, end_period, type): principal paid between two periods."""
    return _cumulative(PPMT, rate, nper, pv, start, end, when)


@excel("number", "number", toolpak=True)
def EFFECT(nominal: float, npery: float) -> Any:
    """Excel's EFFECT(nominal_rate, npery): the effective annual rate."""
    n = math.trunc(npery)
    if nominal <= 0 or n < 1:
        return err("#NUM!", "nominal_rate must be positive and npery at least 1")
    return checked((1 + nominal / n) ** n - 1)


@excel("number", "number", toolpak=True)
def NOMINAL(effect: float, npery: float) -> Any:
    """Excel's NOMINAL(effect_rate, npery): the nominal annual rate."""
    n = math.trunc(npery)
    if effect <= 0 or n < 1:
        return err("#NUM!", "effect_rate must be positive and npery at least 1")
    return checked(((1 + effect) ** (1 / n) - 1) * n)


@excel("number", "range", toolpak=True)
def FVSCHEDULE(principal: float, schedule: Any) -> Any:
    """Excel's FVSCHEDULE(principal, schedule): the principal grown by each rate in turn (blanks 0)."""
    cells = schedule.flat() if isinstance(schedule, Block) else [schedule]
    value = principal
    for rate in cells:
        if isinstance(rate, ExcelError):
            return rate
        if isinstance(rate, str):
            return err("#VALUE!", f"'{rate}' is not a rate")
        value *= 1 + (float(rate) if rate is not None else 0.0)
    return checked(value)


@excel("number", "number", "number", "number")
def ISPMT(rate: float, per: float, nper: float, pv: float) -> Any:
    """Excel's ISPMT(rate, per, nper, pv): the interest of a period of an even-principal loan."""
    if nper == 0:
        return err("#DIV/0!", "nper is 0")
    return pv * rate * (per / nper - 1)


@excel("number", "number", "number")
def PDURATION(rate: float, pv: float, fv: float) -> Any:
    """Excel's PDURATION(rate, pv, fv): the periods an investment needs to reach a value."""
    if rate <= 0 or pv <= 0 or fv <= 0:
        return err("#NUM!", "rate, pv and fv must be positive")
    return (math.log(fv) - math.log(pv)) / math.log(1 + rate)


@excel("number", "number", "number")
def RRI(nper: float, pv: float, fv: float) -> Any:
    """Excel's RRI(nper, pv, fv): the equivalent interest rate for the growth of an investment."""
    if nper <= 0 or pv == 0:
        return err("#NUM!", "nper must be positive and pv not 0")
    return checked((fv / pv) ** (1 / nper) - 1)


def _fraction(x: float, fraction: float, to_decimal: bool) -> Any:
    f = math.trunc(fraction)
    if f < 0:
        return err("#NUM!", "fraction must not be negative")
    if f == 0:
        return err("#DIV/0!", "fraction is 0")
    whole = math.trunc(x)
    part = x - whole
    digits = 10 ** math.ceil(math.log10(f))
    return whole + (part * digits / f if to_decimal else part * f / digits)


@excel("number", "number", toolpak=True)
def DOLLARDE(x: float, fraction: float) -> Any:
    """Excel's DOLLARDE(fractional_dollar, fraction): a price written as a fraction, as a decimal number."""
    return _fraction(x, fraction, True)


@excel("number", "number", toolpak=True)
def DOLLARFR(x: float, fraction: float) -> Any:
    """Excel's DOLLARFR(decimal_dollar, fraction): a decimal price written as a fraction."""
    return _fraction(x, fraction, False)


def _tbill_days(settlement: float, maturity: float) -> int | ExcelError:
    days = math.trunc(maturity) - math.trunc(settlement)
    return days if 0 < days <= 366 else err("#NUM!", "maturity must be after settlement, within a year")


@excel("number", "number", "number", toolpak=True)
def TBILLPRICE(settlement: float, maturity: float, discount: float) -> Any:
    """Excel's TBILLPRICE(settlement, maturity, discount): the price per $100 face value of a Treasury bill."""
    days = _tbill_days(settlement, maturity)
    if isinstance(days, ExcelError):
        return days
    price = 100 * (1 - discount * days / 360)
    return err("#NUM!", "discount must be positive") if discount <= 0 or price <= 0 else price


@excel("number", "number", "number", toolpak=True)
def TBILLYIELD(settlement: float, maturity: float, price: float) -> Any:
    """Excel's TBILLYIELD(settlement, maturity, pr): the yield of a Treasury bill."""
    days = _tbill_days(settlement, maturity)
    if isinstance(days, ExcelError):
        return days
    return err("#NUM!", "price must be positive") if price <= 0 else (100 - price) / price * 360 / days


@excel("number", "number", "number", toolpak=True)
def TBILLEQ(settlement: float, maturity: float, discount: float) -> Any:
    """Excel's TBILLEQ(settlement, maturity, discount): the bond-equivalent yield of a Treasury bill."""
    days = _tbill_days(settlement, maturity)
    if isinstance(days, ExcelError):
        return days
    if discount <= 0:
        return err("#NUM!", "discount must be positive")
    price = 100 * (1 - discount * days / 360)
    if days <= 182:
        return 365 * discount / (360 - discount * days)
    term = days / 365
    return (-term + math.sqrt(term ** 2 - (2 * term - 1) * (1 - 100 / price))) / (term - 0.5)
