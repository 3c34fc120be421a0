"""Excel's financial functions.

Owns the time value of money (PV, FV, PMT, IPMT, PPMT, NPER, RATE), cash-flow
measures (NPV, XNPV, IRR, XIRR) and depreciation (SLN, SYD, DB, DDB, VDB),
with Excel's sign convention (money paid out is negative), its ``type``
argument (0: payments at the end of a period, 1: at the start) and its
errors (#NUM! where no answer exists, #DIV/0! for zero periods).
"""
from __future__ import annotations

import math
from typing import Any, Callable

from cellrules.errors import ExcelError
from cellrules.recalc.values.blocks import Block, numbers
from cellrules.recalc.values.scalars import checked, err, num
from cellrules.recalc.values.signature import excel


def _fv(rate: float, nper: float, pmt: float, pv: float, when: float) -> float:
    if rate == 0:
        return -(pv + pmt * nper)
    growth = (1 + rate) ** nper
    return -(pv * growth + pmt * (1 + rate * when) * (growth - 1) / rate)


def _pmt(rate: float, nper: float, pv: float, fv: float, when: float) -> float:
    if rate == 0:
        return -(pv + fv) / nper
    growth = (1 + rate) ** nper
    return -(rate * (pv * growth + fv)) / ((1 + rate * when) * (growth - 1))


@excel("number", "number", "number", "number", "number", defaults=True)
def FV(rate: float, nper: float, pmt: float, pv: float = 0.0, when: float = 0.0) -> Any:
    """Excel's FV(rate, nper, pmt, [pv], [type]): the future value of an investment."""
    return checked(_fv(rate, nper, pmt, pv, when != 0))


@excel("number", "number", "number", "number", "number", defaults=True)
def PV(r: float, n: float, p: float, f: float = 0.0, when: float = 0.0) -> Any:
    """Excel's PV(rate, nper, pmt, [fv], [type]): the present value of an investment."""
    w = when != 0
    if r == 0:
        return -(f + p * n)
    growth = (1 + r) ** n
    return checked(-(f + p * (1 + r * w) * (growth - 1) / r) / growth)


@excel("number", "number", "number", "number", "number", defaults=True)
def PMT(rate: float, nper: float, pv: float, fv: float = 0.0, when: float = 0.0) -> Any:
    """Excel's PMT(rate, nper, pv, [fv], [type]): the payment per period of a loan."""
    if nper == 0:
        return err("#NUM!", "PMT over zero periods")
    return checked(_pmt(rate, nper, pv, fv, when != 0))


def _ipmt(r: float, per: float, n: float, pv: float, fv: float, when: bool) -> float:
    payment = _pmt(r, n, pv, fv, when)
    if when and per == 1:
        return 0.0
    balance = _fv(r, per - 1, payment, pv, when)
    interest = balance * r
    return interest / (1 + r) if when else interest


@excel("number", "number", "number", "number", "number", "number", defaults=True)
def IPMT(rate: float, per: float, nper: float, pv: float, fv: float = 0.0, when: float = 0.0) -> Any:
    """Excel's IPMT(rate, per, nper, pv, [fv], [type]): the interest part of one period's payment."""
    if not 1 <= per <= nper:
        return err("#NUM!", "the period is outside 1..nper")
    return checked(_ipmt(rate, per, nper, pv, fv, when != 0))


@excel("number", "number", "number", "number", "number", "number", defaults=True)
def PPMT(rate: float, per: float, nper: float, pv: float, fv: float = 0.0, when: float = 0.0) -> Any:
    """Excel's PPMT(rate, per, nper, pv, [fv], [type]): the principal part of one period's payment."""
    if not 1 <= per <= nper:
        return err("#NUM!", "the period is outside 1..nper")
    return checked(_pmt(rate, nper, pv, fv, when != 0) - _ipmt(rate, per, nper, pv, fv, when != 0))


@excel("number", "number", "number", "number", "number", defaults=True)
def NPER(r: float, p: float, v: float, f: float = 0.0, when: float = 0.0) -> Any:
    """Excel's NPER(rate, pmt, pv, [fv], [type]): the number of periods of an investment."""
    w = when != 0
    if r == 0:
        return err("#NUM!", "no payment and no rate") if p == 0 else -(v + f) / p
    k = p * (1 + r * w) / r
    try:
        return checked(math.log((k - f) / (k + v)) / math.log(1 + r))
    except (ValueError, ZeroDivisionError):
        return err("#NUM!", "no number of periods gives that value")


def _solve(f: Callable[[float], float], guess: float) -> float | ExcelError:
    """Newton's method with a numeric derivative, as Excel's RATE/IRR iterate (20 steps, 1e-7)."""
    x = guess
    for _ in range(100):
        y = f(x)
        h = 1e-6 * max(1.0, abs(x))
        slope = (f(x + h) - y) / h
        if slope == 0 or not math.isfinite(slope):
            break
        step = y / slope
        x -= step
        if abs(step) < 1e-10:
            return x
    return err("#NUM!", "the iteration did not converge")


@excel("number", "number", "number", "number", "number", "number", defaults=True)
def RATE(n: float, p: float, v: float, f: float = 0.0, when: float = 0.0, guess: float = 0.1) -> Any:
    """Excel's RATE(nper, pmt, pv, [fv], [type], [guess]): the interest rate per period (by iteration)."""
    w = when != 0

    def balance(r: float) -> float:
        if abs(r) < 1e-12:
            return v + p * n + f
        growth = (1 + r) ** n
        return v * growth + p * (1 + r * w) * (growth - 1) / r + f
    try:
        return _solve(balance, guess)
    except (OverflowError, ZeroDivisionError, ValueError):
        return err("#NUM!", "the iteration did not converge")


@excel("number", rest="range")
def NPV(r: float, *flows: Any) -> Any:
    """Excel's NPV(rate, value1, …): the net present value of periodic cash flows, the first one period away."""
    xs = numbers(flows)
    if isinstance(xs, ExcelError):
        return xs
    if r == -1:
        return err("#DIV/0!", "NPV at a rate of -100%")
    return checked(math.fsum(x / (1 + r) ** (i + 1) for i, x in enumerate(xs)))


@excel("range", "number", defaults=True)
def IRR(flows: Any, g: float = 0.1) -> Any:
    """Excel's IRR(values, [guess]): the internal rate of return of periodic cash flows."""
    xs = numbers((flows,))
    if isinstance(xs, ExcelError):
        return xs
    if not (any(x > 0 for x in xs) and any(x < 0 for x in xs)):
        return err("#NUM!", "IRR needs a positive and a negative cash flow")
    try:
        return _solve(lambda r: math.fsum(x / (1 + r) ** i for i, x in enumerate(xs)), g)
    except (OverflowError, ZeroDivisionError, ValueError):
        return err("#NUM!", "the iteration did not converge")


def _dated(values: Any, dates: Any) -> tuple[list[float], list[int]] | ExcelError:
    vs = values.flat() if isinstance(values, Block) else [values]
    ds = dates.flat() if isinstance(dates, Block) else [dates]
    if len(vs) != len(ds):
        return err("#NUM!", "values and dates differ in count")
    xs, ts = [], []
    for v, d in zip(vs, ds):
        x, t = num(v), num(d)
        if isinstance(x, ExcelError):
            return x
        if isinstance(t, ExcelError):
            return t
        xs.append(x)
        ts.append(math.floor(t))
    if any(t < ts[0] for t in ts):
        return err("#NUM!", "a date precedes the first date")
    return xs, ts


@excel("number", "range", "range", toolpak=True)
def XNPV(r: float, values: Any, dates: Any) -> Any:
    """Excel's XNPV(rate, values, dates): the net present value of dated cash flows."""
    d = _dated(values, dates)
    if isinstance(d, ExcelError):
        return d
    xs, ts = d
    return checked(math.fsum(x / (1 + r) ** ((t - ts[0]) / 365) for x, t in zip(xs, ts)))


@excel("range", "range", "number", toolpak=True, defaults=True)
def XIRR(values: Any, dates: Any, g: float = 0.1) -> Any:
    """Excel's XIRR(values, dates, [guess]): the internal rate of return of dated cash flows."""
    d = _dated(values, dates)
    if isinstance(d, ExcelError):
        return d
    xs, ts = d
    try:
        return _solve(lambda r: math.fsum(x / (1 + r) ** ((t - ts[0]) / 365) for x, t in zip(xs, ts)), g)
    except (OverflowError, ZeroDivisionError, ValueError):
        return err("#NUM!", "the iteration did not converge")


# -- depreciation ------------------------------------------------------------------
@excel("number", "number", "number")
def SLN(cost: float, salvage: float, life: float) -> Any:
    """Excel's SLN(cost, salvage, life): straight-line depreciation per period."""
    return err("#DIV/0!", "SLN over a life of 0") if life == 0 else (cost - salvage) / life


@excel("number", "number", "number", "number")
def SYD(c: float, s: float, n: float, p: float) -> Any:
    """Excel's SYD(cost, salvage, life, per): sum-of-years'-digits depreciation for one period."""
    if n <= 0 or not 1 <= p <= n:
        return err("#NUM!", "the period is outside 1..life")
    return (c - s) * (n - p + 1) * 2 / (n * (n + 1))


@excel("number", "number", "number", "number", "number", defaults=True)
def DB(c: float, s: float, n: float, p: float, m: float = 12.0) -> Any:
    """Excel's DB(cost, salvage, life, period, [month]): fixed-declining-balance depreciation."""
    if c < 0 or s < 0 or n <= 0 or p <= 0 or not 1 <= m <= 12 or p > n + 1:
        return err("#NUM!", "DB arguments out of range")
    rate = round(1 - (s / c) ** (1 / n), 3) if c > 0 else 1.0
    total, dep = 0.0, 0.0
    for i in range(1, int(p) + 1):
        if i == 1:
            dep = c * rate * m / 12
        elif i == int(n) + 1:
            dep = (c - total) * rate * (12 - m) / 12
        else:
            dep = (c - total) * rate
        total += dep
    return dep


def _ddb_step(cost: float, salvage: float, life: float, done: float, factor: float) -> float:
    return max(0.0, min((cost - done) * factor / life, cost - salvage - done))


@excel("number", "number", "number", "number", "number", defaults=True)
def DDB(c: float, s: float, n: float, p: float, f: float = 2.0) -> Any:
    """Excel's DDB(cost, salvage, life, period, [factor]): double-declining-balance depreciation."""
    if c < 0 or s < 0 or n <= 0 or p <= 0 or f <= 0 or p > n:
        return err("#NUM!", "DDB arguments out of range")
    done = 0.0
    dep = 0.0
    for _ in range(int(math.ceil(p))):
        dep = _ddb_step(c, s, n, done, f)
        done += dep
    return dep


@excel("number", "number", "number", "number", "number", "number", "number", defaults=True)
def VDB(c: float, s: float, n: float, lo: float, hi: float, f: float = 2.0, keep: float = 0.0) -> Any:
    """Depreciation between two periods by declining balance, switching to straight line when that is
    larger (unless no_switch); fractional periods are prorated."""
    if c < 0 or s < 0 or n <= 0 or lo < 0 or hi < lo or hi > n or f <= 0:
        return err("#NUM!", "VDB arguments out of range")
    total, done, switched, sl = 0.0, 0.0, False, 0.0
    for period in range(int(math.ceil(hi))):
        ddb = min((c - done) * f / n, max(c - s - done, 0.0))
        if not keep and not switched:
            remaining = n - period
            line = (c - s - done) / remaining if remaining > 0 else 0.0
            if line > ddb:
                switched, sl = True, line
        dep = sl if switched else ddb
        share = max(0.0, min(hi, period + 1) - max(lo, period))
        total += dep * share
        done += dep
    return total

