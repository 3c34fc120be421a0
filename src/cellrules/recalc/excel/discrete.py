"""Excel's discrete distributions, confidence intervals and special functions.

Owns BINOM, NEGBINOM, POISSON and HYPGEOM (2010 names and the older ones), CONFIDENCE.NORM/T, and the special
functions (GAMMA, GAMMALN, ERF, ERFC, FISHER, FISHERINV, BESSEL*), validated as Microsoft's pages say and
computed with SciPy.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from scipy import special, stats as sp

from cellrules.recalc.excel.distributions import cdf_or_pdf, domain, finite
from cellrules.recalc.values.scalars import err
from cellrules.recalc.values.signature import excel


@excel("number", "number", "number")
def CONFIDENCE_NORM(alpha: float, sd: float, n: float) -> Any:
    """Excel's CONFIDENCE.NORM(alpha, standard_dev, size): the half-width of a normal confidence interval."""
    n = math.trunc(n)
    if not 0 < alpha < 1 or sd <= 0 or n < 1:
        return domain("alpha must be in 0..1, standard_dev positive, size at least 1")
    return finite(sp.norm.ppf(1 - alpha / 2) * sd / math.sqrt(n))


CONFIDENCE = CONFIDENCE_NORM


@excel("number", "number", "number")
def CONFIDENCE_T(alpha: float, sd: float, n: float) -> Any:
    """Excel's CONFIDENCE.T(alpha, standard_dev, size): the half-width of a Student's t confidence interval."""
    n = math.trunc(n)
    if not 0 < alpha < 1 or sd <= 0 or n < 1:
        return domain("alpha must be in 0..1, standard_dev positive, size at least 1")
    if n == 1:
        return err("#DIV/0!", "CONFIDENCE.T of a sample of 1")
    return finite(sp.t.ppf(1 - alpha / 2, n - 1) * sd / math.sqrt(n))


# -- discrete ------------------------------------------------------------------------------------------------
@excel("number", "number", "number", "logical")
def BINOM_DIST(s: float, n: float, p: float, cumulative: bool) -> Any:
    """Excel's BINOM.DIST(number_s, trials, probability_s, cumulative): the binomial distribution."""
    s, n = math.trunc(s), math.trunc(n)
    if s < 0 or s > n or not 0 <= p <= 1:
        return domain("number_s must be in 0..trials and probability_s in 0..1")
    return cdf_or_pdf(sp.binom(n, p), s, cumulative)


BINOMDIST = BINOM_DIST


@excel("number", "number", "number", "number")
def BINOM_DIST_RANGE(n: float, p: float, s: float, s2: float | None = None) -> Any:
    """Excel's BINOM.DIST.RANGE(trials, probability_s, number_s, [number_s2]): P(number_s ≤ X ≤ number_s2)."""
    n, s = math.trunc(n), math.trunc(s)
    hi = s if s2 is None else math.trunc(s2)
    if n < 0 or not 0 <= p <= 1 or not 0 <= s <= hi <= n:
        return domain("needs 0 ≤ number_s ≤ number_s2 ≤ trials and probability_s in 0..1")
    return finite(sp.binom(n, p).cdf(hi) - sp.binom(n, p).cdf(s - 1))


@excel("number", "number", "number")
def BINOM_INV(n: float, p: float, alpha: float) -> Any:
    """Excel's BINOM.INV(trials, probability_s, alpha): the smallest k whose cumulative binomial is ≥ alpha."""
    n = math.trunc(n)
    if n < 0 or not 0 <= p <= 1 or not 0 <= alpha <= 1:
        return domain("trials must be ≥ 0, probability_s and alpha in 0..1")
    return finite(sp.binom(n, p).ppf(alpha))


CRITBINOM = BINOM_INV


@excel("number", "number", "number", "logical")
def NEGBINOM_DIST(f: float, s: float, p: float, cumulative: bool) -> Any:
    """Excel's NEGBINOM.DIST(number_f, number_s, probability_s, cumulative): the negative binomial distribution."""
    f, s = math.trunc(f), math.trunc(s)
    if f < 0 or s < 1 or not 0 < p < 1:
        return domain("number_f ≥ 0, number_s ≥ 1 and probability_s in 0..1 (exclusive)")
    return cdf_or_pdf(sp.nbinom(s, p), f, cumulative)


@excel("number", "number", "number")
def NEGBINOMDIST(f: float, s: float, p: float) -> Any:
    """Excel's NEGBINOMDIST(number_f, number_s, probability_s): the negative binomial probability."""
    return NEGBINOM_DIST(f, s, p, False)


@excel("number", "number", "logical")
def POISSON_DIST(x: float, mean: float, cumulative: bool) -> Any:
    """Excel's POISSON.DIST(x, mean, cumulative): the Poisson distribution."""
    x = math.trunc(x)
    if x < 0 or mean < 0:
        return domain("x and mean must not be negative")
    return cdf_or_pdf(sp.poisson(mean), x, cumulative)


POISSON = POISSON_DIST


@excel("number", "number", "number", "number", "logical")
def HYPGEOM_DIST(s: float, n: float, big_s: float, big_n: float, cumulative: bool) -> Any:
    """Excel's HYPGEOM.DIST(sample_s, number_sample, population_s, number_pop, cumulative)."""
    s, n, big_s, big_n = (math.trunc(v) for v in (s, n, big_s, big_n))
    if s < 0 or s > min(n, big_s) or n <= 0 or n > big_n or big_s <= 0 or big_s > big_n \
            or s < max(0, n - big_n + big_s):
        return domain("the sample does not fit the population")
    return cdf_or_pdf(sp.hypergeom(big_n, big_s, n), s, cumulative)


@excel("number", "number", "number", "number")
def HYPGEOMDIST(s: float, n: float, big_s: float, big_n: float) -> Any:
    """Excel's HYPGEOMDIST(sample_s, number_sample, population_s, number_pop): the hypergeometric probability."""
    return HYPGEOM_DIST(s, n, big_s, big_n, False)


# -- special functions ---------------------------------------------------------------------------------------
@excel("number")
def GAMMA(x: float) -> Any:
    """Excel's GAMMA(number): the gamma function (#NUM! at 0 and the negative integers)."""
    if x <= 0 and x == math.trunc(x):
        return domain("GAMMA of 0 or a negative integer")
    return finite(special.gamma(x))


@excel("number")
def GAMMALN(x: float) -> Any:
    """Excel's GAMMALN(x): the natural logarithm of the gamma function, x > 0."""
    return domain("x must be positive") if x <= 0 else finite(special.gammaln(x))


GAMMALN_PRECISE = GAMMALN


@excel("number", "number", toolpak=True)
def ERF(lo: float, hi: float | None = None) -> Any:
    """Excel's ERF(lower_limit, [upper_limit]): the error function integrated between the limits."""
    return finite(special.erf(lo) if hi is None else special.erf(hi) - special.erf(lo))


@excel("number", toolpak=True)
def ERF_PRECISE(x: float) -> Any:
    """Excel's ERF.PRECISE(x): the error function from 0 to x."""
    return finite(special.erf(x))


@excel("number", toolpak=True)
def ERFC(x: float) -> Any:
    """Excel's ERFC(x): the complementary error function from x to infinity."""
    return finite(special.erfc(x))


ERFC_PRECISE = ERFC


@excel("number")
def FISHER(x: float) -> Any:
    """Excel's FISHER(x): the Fisher transformation, -1 < x < 1."""
    return domain("x must be in -1..1 (exclusive)") if not -1 < x < 1 else 0.5 * math.log((1 + x) / (1 - x))


@excel("number")
def FISHERINV(y: float) -> Any:
    """Excel's FISHERINV(y): the inverse of the Fisher transformation."""
    return finite(math.tanh(y))


def _bessel(fn: Callable[[int, float], float], positive: bool) -> Callable[..., Any]:
    @excel("number", "number", toolpak=True)
    def bessel(x: float, n: float) -> Any:
        order = math.trunc(n)
        if order < 0 or (positive and x <= 0):
            return domain("the order must not be negative" + (" and x must be positive" if positive else ""))
        return finite(fn(order, x))
    return bessel


BESSELI = _bessel(special.iv, False)
BESSELJ = _bessel(special.jv, False)
BESSELK = _bessel(special.kv, True)
BESSELY = _bessel(special.yv, True)
