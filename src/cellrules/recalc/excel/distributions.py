"""Excel's probability distributions and special functions.

Owns the continuous distributions (NORM, LOGNORM, EXPON, GAMMA, BETA, CHISQ, T, F, WEIBULL — the 2010 names
and the older ones Excel keeps), their inverses, and the helpers :mod:`discrete` shares.
Each validates its arguments as Microsoft's page for it says (#NUM! outside the domain) and computes with
SciPy; integer arguments Excel truncates are truncated.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from scipy import stats as sp

from cellrules.errors import ExcelError
from cellrules.recalc.values.scalars import checked, err
from cellrules.recalc.values.signature import excel


def domain(why: str) -> ExcelError:
    """#NUM!: an argument outside the function's domain."""
    return err("#NUM!", why)


def finite(x: float) -> Any:
    """A SciPy result as a cell value (#NUM! when not finite)."""
    return checked(float(x))


def cdf_or_pdf(dist: Any, x: float, cumulative: bool) -> Any:
    """The cumulative distribution at x, or the density (probability mass for a discrete one)."""
    return finite(dist.cdf(x) if cumulative else (dist.pmf(x) if hasattr(dist, "pmf") else dist.pdf(x)))


def inverse(p: float, fn: Callable[[float], float], closed: bool = False) -> Any:
    """An inverse distribution at probability p (#NUM! outside 0..1)."""
    if not (0 <= p <= 1 if closed else 0 < p < 1):
        return domain(f"probability {p:g} is outside 0..1")
    return finite(fn(p))


# -- normal, lognormal -------------------------------------------------------------------------------------
@excel("number", "number", "number", "logical")
def NORM_DIST(x: float, mean: float, sd: float, cumulative: bool) -> Any:
    """Excel's NORM.DIST(x, mean, standard_dev, cumulative): the normal distribution."""
    return domain("standard_dev must be positive") if sd <= 0 else cdf_or_pdf(sp.norm(mean, sd), x, cumulative)


NORMDIST = NORM_DIST


@excel("number", "number", "number")
def NORM_INV(p: float, mean: float, sd: float) -> Any:
    """Excel's NORM.INV(probability, mean, standard_dev): the inverse of the normal cumulative distribution."""
    return domain("standard_dev must be positive") if sd <= 0 else inverse(p, sp.norm(mean, sd).ppf)


NORMINV = NORM_INV


@excel("number", "logical")
def NORM_S_DIST(z: float, cumulative: bool) -> Any:
    """Excel's NORM.S.DIST(z, cumulative): the standard normal distribution."""
    return cdf_or_pdf(sp.norm, z, cumulative)


@excel("number")
def NORMSDIST(z: float) -> Any:
    """Excel's NORMSDIST(z): the standard normal cumulative distribution."""
    return finite(sp.norm.cdf(z))


@excel("number")
def NORM_S_INV(p: float) -> Any:
    """Excel's NORM.S.INV(probability): the inverse of the standard normal cumulative distribution."""
    return inverse(p, sp.norm.ppf)


NORMSINV = NORM_S_INV


@excel("number", "number", "number", "logical")
def LOGNORM_DIST(x: float, mean: float, sd: float, cumulative: bool) -> Any:
    """Excel's LOGNORM.DIST(x, mean, standard_dev, cumulative): the lognormal distribution of x."""
    if x <= 0 or sd <= 0:
        return domain("x and standard_dev must be positive")
    return cdf_or_pdf(sp.lognorm(sd, scale=math.exp(mean)), x, cumulative)


@excel("number", "number", "number")
def LOGNORMDIST(x: float, mean: float, sd: float) -> Any:
    """Excel's LOGNORMDIST(x, mean, standard_dev): the cumulative lognormal distribution."""
    return LOGNORM_DIST(x, mean, sd, True)


@excel("number", "number", "number")
def LOGNORM_INV(p: float, mean: float, sd: float) -> Any:
    """Excel's LOGNORM.INV(probability, mean, standard_dev): the inverse of the lognormal distribution."""
    return domain("standard_dev must be positive") if sd <= 0 else \
        inverse(p, sp.lognorm(sd, scale=math.exp(mean)).ppf)


LOGINV = LOGNORM_INV


@excel("number", "number", "number")
def STANDARDIZE(x: float, mean: float, sd: float) -> Any:
    """Excel's STANDARDIZE(x, mean, standard_dev): (x - mean) / standard_dev."""
    return domain("standard_dev must be positive") if sd <= 0 else (x - mean) / sd


@excel("number")
def PHI(x: float) -> Any:
    """Excel's PHI(x): the standard normal density at x."""
    return finite(sp.norm.pdf(x))


@excel("number")
def GAUSS(z: float) -> Any:
    """Excel's GAUSS(z): the probability of a standard normal value between the mean and z standard deviations."""
    return finite(sp.norm.cdf(z) - 0.5)


# -- continuous ----------------------------------------------------------------------------------------------
@excel("number", "number", "logical")
def EXPON_DIST(x: float, lam: float, cumulative: bool) -> Any:
    """Excel's EXPON.DIST(x, lambda, cumulative): the exponential distribution."""
    if x < 0 or lam <= 0:
        return domain("x must not be negative and lambda must be positive")
    return cdf_or_pdf(sp.expon(scale=1 / lam), x, cumulative)


EXPONDIST = EXPON_DIST


@excel("number", "number", "number", "logical")
def GAMMA_DIST(x: float, a: float, b: float, cumulative: bool) -> Any:
    """Excel's GAMMA.DIST(x, alpha, beta, cumulative): the gamma distribution."""
    if x < 0 or a <= 0 or b <= 0:
        return domain("x must not be negative, alpha and beta must be positive")
    return cdf_or_pdf(sp.gamma(a, scale=b), x, cumulative)


GAMMADIST = GAMMA_DIST


@excel("number", "number", "number")
def GAMMA_INV(p: float, a: float, b: float) -> Any:
    """Excel's GAMMA.INV(probability, alpha, beta): the inverse of the gamma cumulative distribution."""
    if a <= 0 or b <= 0:
        return domain("alpha and beta must be positive")
    return inverse(p, sp.gamma(a, scale=b).ppf, closed=True)


GAMMAINV = GAMMA_INV


@excel("number", "number", "number", "logical", "number", "number")
def BETA_DIST(x: float, a: float, b: float, cumulative: bool, lo: float = 0.0, hi: float = 1.0) -> Any:
    """Excel's BETA.DIST(x, alpha, beta, cumulative, [A], [B]): the beta distribution on [A, B]."""
    if a <= 0 or b <= 0 or not lo <= x <= hi or lo == hi:
        return domain("alpha and beta must be positive and A ≤ x ≤ B")
    return cdf_or_pdf(sp.beta(a, b, loc=lo, scale=hi - lo), x, cumulative)


@excel("number", "number", "number", "number", "number")
def BETADIST(x: float, a: float, b: float, lo: float = 0.0, hi: float = 1.0) -> Any:
    """Excel's BETADIST(x, alpha, beta, [A], [B]): the cumulative beta distribution."""
    return BETA_DIST(x, a, b, True, lo, hi)


@excel("number", "number", "number", "number", "number")
def BETA_INV(p: float, a: float, b: float, lo: float = 0.0, hi: float = 1.0) -> Any:
    """Excel's BETA.INV(probability, alpha, beta, [A], [B]): the inverse of the cumulative beta distribution."""
    if a <= 0 or b <= 0 or lo >= hi:
        return domain("alpha and beta must be positive and A < B")
    return inverse(p, sp.beta(a, b, loc=lo, scale=hi - lo).ppf, closed=True)


BETAINV = BETA_INV


@excel("number", "number", "number", "logical")
def WEIBULL_DIST(x: float, a: float, b: float, cumulative: bool) -> Any:
    """Excel's WEIBULL.DIST(x, alpha, beta, cumulative): the Weibull distribution."""
    if x < 0 or a <= 0 or b <= 0:
        return domain("x must not be negative, alpha and beta must be positive")
    return cdf_or_pdf(sp.weibull_min(a, scale=b), x, cumulative)


WEIBULL = WEIBULL_DIST


def _df(df: float) -> int | ExcelError:
    d = math.trunc(df)
    return d if 1 <= d <= 1e10 else domain("degrees of freedom must be at least 1")


@excel("number", "number", "logical")
def CHISQ_DIST(x: float, df: float, cumulative: bool) -> Any:
    """Excel's CHISQ.DIST(x, deg_freedom, cumulative): the chi-squared distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else domain("x must not be negative") if x < 0 else \
        cdf_or_pdf(sp.chi2(d), x, cumulative)


@excel("number", "number")
def CHISQ_DIST_RT(x: float, df: float) -> Any:
    """Excel's CHISQ.DIST.RT(x, deg_freedom): the right tail of the chi-squared distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else domain("x must not be negative") if x < 0 else finite(sp.chi2(d).sf(x))


CHIDIST = CHISQ_DIST_RT


@excel("number", "number")
def CHISQ_INV(p: float, df: float) -> Any:
    """Excel's CHISQ.INV(probability, deg_freedom): the inverse of the left tail."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else inverse(p, sp.chi2(d).ppf, closed=True)


@excel("number", "number")
def CHISQ_INV_RT(p: float, df: float) -> Any:
    """Excel's CHISQ.INV.RT(probability, deg_freedom): the inverse of the right tail."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else inverse(p, sp.chi2(d).isf, closed=True)


CHIINV = CHISQ_INV_RT


@excel("number", "number", "logical")
def T_DIST(x: float, df: float, cumulative: bool) -> Any:
    """Excel's T.DIST(x, deg_freedom, cumulative): Student's left-tailed t-distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else cdf_or_pdf(sp.t(d), x, cumulative)


@excel("number", "number")
def T_DIST_2T(x: float, df: float) -> Any:
    """Excel's T.DIST.2T(x, deg_freedom): the two-tailed t-distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else domain("x must not be negative") if x < 0 else finite(2 * sp.t(d).sf(x))


@excel("number", "number")
def T_DIST_RT(x: float, df: float) -> Any:
    """Excel's T.DIST.RT(x, deg_freedom): the right-tailed t-distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else finite(sp.t(d).sf(x))


@excel("number", "number", "number")
def TDIST(x: float, df: float, tails: float) -> Any:
    """Excel's TDIST(x, deg_freedom, tails): one (1) or two (2) tails of the t-distribution, x ≥ 0."""
    t = math.trunc(tails)
    if t not in (1, 2) or x < 0:
        return domain("tails must be 1 or 2 and x not negative")
    return T_DIST_RT(x, df) if t == 1 else T_DIST_2T(x, df)


@excel("number", "number")
def T_INV(p: float, df: float) -> Any:
    """Excel's T.INV(probability, deg_freedom): the left-tailed inverse of the t-distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else inverse(p, sp.t(d).ppf)


@excel("number", "number")
def T_INV_2T(p: float, df: float) -> Any:
    """Excel's T.INV.2T(probability, deg_freedom): the two-tailed inverse of the t-distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else domain("probability must be in 0..1") if not 0 < p <= 1 else \
        finite(sp.t(d).isf(p / 2))


TINV = T_INV_2T


def _f(d1: float, d2: float) -> tuple[int, int] | ExcelError:
    a, b = math.trunc(d1), math.trunc(d2)
    return (a, b) if 1 <= a <= 1e10 and 1 <= b <= 1e10 else domain("degrees of freedom must be at least 1")


@excel("number", "number", "number", "logical")
def F_DIST(x: float, d1: float, d2: float, cumulative: bool) -> Any:
    """Excel's F.DIST(x, deg_freedom1, deg_freedom2, cumulative): the F distribution."""
    d = _f(d1, d2)
    return d if isinstance(d, ExcelError) else domain("x must not be negative") if x < 0 else \
        cdf_or_pdf(sp.f(*d), x, cumulative)


@excel("number", "number", "number")
def F_DIST_RT(x: float, d1: float, d2: float) -> Any:
    """Excel's F.DIST.RT(x, deg_freedom1, deg_freedom2): the right tail of the F distribution."""
    d = _f(d1, d2)
    return d if isinstance(d, ExcelError) else domain("x must not be negative") if x < 0 else finite(sp.f(*d).sf(x))


FDIST = F_DIST_RT


@excel("number", "number", "number")
def F_INV(p: float, d1: float, d2: float) -> Any:
    """Excel's F.INV(probability, deg_freedom1, deg_freedom2): the inverse of the F distribution."""
    d = _f(d1, d2)
    return d if isinstance(d, ExcelError) else inverse(p, sp.f(*d).ppf, closed=True)


@excel("number", "number", "number")
def F_INV_RT(p: float, d1: float, d2: float) -> Any:
    """Excel's F.INV.RT(probability, deg_freedom1, deg_freedom2): the inverse of the F right tail."""
    d = _f(d1, d2)
    return d if isinstance(d, ExcelError) else inverse(p, sp.f(*d).isf, closed=True)


FINV = F_INV_RT
