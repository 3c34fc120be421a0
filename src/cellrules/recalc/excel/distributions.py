"""Excel's probability distributions and special functions.

Owns the statistical distributions (NORM, LOGNORM, BINOM, NEGBINOM, POISSON, EXPON, GAMMA, BETA, CHISQ, T,
F, WEIBULL, HYPGEOM — the 2010 names and the older ones Excel keeps), their inverses, the confidence
intervals, and the special functions beside them (GAMMA, GAMMALN, ERF, ERFC, FISHER, GAUSS, PHI, BESSEL*).
Each validates its arguments as Microsoft's page for it says (#NUM! outside the domain) and computes with
SciPy; integer arguments Excel truncates are truncated.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from scipy import special, stats as sp

from cellrules.errors import ExcelError
from cellrules.recalc.values.scalars import checked, err
from cellrules.recalc.values.signature import excel


def _num(why: str) -> ExcelError:
    return err("#NUM!", why)


def _finite(x: float) -> Any:
    return checked(float(x))


def _cdf_or_pdf(dist: Any, x: float, cumulative: bool) -> Any:
    return _finite(dist.cdf(x) if cumulative else (dist.pmf(x) if hasattr(dist, "pmf") else dist.pdf(x)))


def _inverse(p: float, fn: Callable[[float], float], closed: bool = False) -> Any:
    if not (0 <= p <= 1 if closed else 0 < p < 1):
        return _num(f"probability {p:g} is outside 0..1")
    return _finite(fn(p))


# -- normal, lognormal -------------------------------------------------------------------------------------
@excel("number", "number", "number", "logical")
def NORM_DIST(x: float, mean: float, sd: float, cumulative: bool) -> Any:
    """Excel's NORM.DIST(x, mean, standard_dev, cumulative): the normal distribution."""
    return _num("standard_dev must be positive") if sd <= 0 else _cdf_or_pdf(sp.norm(mean, sd), x, cumulative)


NORMDIST = NORM_DIST


@excel("number", "number", "number")
def NORM_INV(p: float, mean: float, sd: float) -> Any:
    """Excel's NORM.INV(probability, mean, standard_dev): the inverse of the normal cumulative distribution."""
    return _num("standard_dev must be positive") if sd <= 0 else _inverse(p, sp.norm(mean, sd).ppf)


NORMINV = NORM_INV


@excel("number", "logical")
def NORM_S_DIST(z: float, cumulative: bool) -> Any:
    """Excel's NORM.S.DIST(z, cumulative): the standard normal distribution."""
    return _cdf_or_pdf(sp.norm, z, cumulative)


@excel("number")
def NORMSDIST(z: float) -> Any:
    """Excel's NORMSDIST(z): the standard normal cumulative distribution."""
    return _finite(sp.norm.cdf(z))


@excel("number")
def NORM_S_INV(p: float) -> Any:
    """Excel's NORM.S.INV(probability): the inverse of the standard normal cumulative distribution."""
    return _inverse(p, sp.norm.ppf)


NORMSINV = NORM_S_INV


@excel("number", "number", "number", "logical")
def LOGNORM_DIST(x: float, mean: float, sd: float, cumulative: bool) -> Any:
    """Excel's LOGNORM.DIST(x, mean, standard_dev, cumulative): the lognormal distribution of x."""
    if x <= 0 or sd <= 0:
        return _num("x and standard_dev must be positive")
    return _cdf_or_pdf(sp.lognorm(sd, scale=math.exp(mean)), x, cumulative)


@excel("number", "number", "number")
def LOGNORMDIST(x: float, mean: float, sd: float) -> Any:
    """Excel's LOGNORMDIST(x, mean, standard_dev): the cumulative lognormal distribution."""
    return LOGNORM_DIST(x, mean, sd, True)


@excel("number", "number", "number")
def LOGNORM_INV(p: float, mean: float, sd: float) -> Any:
    """Excel's LOGNORM.INV(probability, mean, standard_dev): the inverse of the lognormal distribution."""
    return _num("standard_dev must be positive") if sd <= 0 else \
        _inverse(p, sp.lognorm(sd, scale=math.exp(mean)).ppf)


LOGINV = LOGNORM_INV


@excel("number", "number", "number")
def STANDARDIZE(x: float, mean: float, sd: float) -> Any:
    """Excel's STANDARDIZE(x, mean, standard_dev): (x - mean) / standard_dev."""
    return _num("standard_dev must be positive") if sd <= 0 else (x - mean) / sd


@excel("number")
def PHI(x: float) -> Any:
    """Excel's PHI(x): the standard normal density at x."""
    return _finite(sp.norm.pdf(x))


@excel("number")
def GAUSS(z: float) -> Any:
    """Excel's GAUSS(z): the probability of a standard normal value between the mean and z standard deviations."""
    return _finite(sp.norm.cdf(z) - 0.5)


@excel("number", "number", "number")
def CONFIDENCE_NORM(alpha: float, sd: float, n: float) -> Any:
    """Excel's CONFIDENCE.NORM(alpha, standard_dev, size): the half-width of a normal confidence interval."""
    n = math.trunc(n)
    if not 0 < alpha < 1 or sd <= 0 or n < 1:
        return _num("alpha must be in 0..1, standard_dev positive, size at least 1")
    return _finite(sp.norm.ppf(1 - alpha / 2) * sd / math.sqrt(n))


CONFIDENCE = CONFIDENCE_NORM


@excel("number", "number", "number")
def CONFIDENCE_T(alpha: float, sd: float, n: float) -> Any:
    """Excel's CONFIDENCE.T(alpha, standard_dev, size): the half-width of a Student's t confidence interval."""
    n = math.trunc(n)
    if not 0 < alpha < 1 or sd <= 0 or n < 1:
        return _num("alpha must be in 0..1, standard_dev positive, size at least 1")
    if n == 1:
        return err("#DIV/0!", "CONFIDENCE.T of a sample of 1")
    return _finite(sp.t.ppf(1 - alpha / 2, n - 1) * sd / math.sqrt(n))


# -- discrete ------------------------------------------------------------------------------------------------
@excel("number", "number", "number", "logical")
def BINOM_DIST(s: float, n: float, p: float, cumulative: bool) -> Any:
    """Excel's BINOM.DIST(number_s, trials, probability_s, cumulative): the binomial distribution."""
    s, n = math.trunc(s), math.trunc(n)
    if s < 0 or s > n or not 0 <= p <= 1:
        return _num("number_s must be in 0..trials and probability_s in 0..1")
    return _cdf_or_pdf(sp.binom(n, p), s, cumulative)


BINOMDIST = BINOM_DIST


@excel("number", "number", "number", "number")
def BINOM_DIST_RANGE(n: float, p: float, s: float, s2: float | None = None) -> Any:
    """Excel's BINOM.DIST.RANGE(trials, probability_s, number_s, [number_s2]): P(number_s ≤ X ≤ number_s2)."""
    n, s = math.trunc(n), math.trunc(s)
    hi = s if s2 is None else math.trunc(s2)
    if n < 0 or not 0 <= p <= 1 or not 0 <= s <= hi <= n:
        return _num("needs 0 ≤ number_s ≤ number_s2 ≤ trials and probability_s in 0..1")
    return _finite(sp.binom(n, p).cdf(hi) - sp.binom(n, p).cdf(s - 1))


@excel("number", "number", "number")
def BINOM_INV(n: float, p: float, alpha: float) -> Any:
    """Excel's BINOM.INV(trials, probability_s, alpha): the smallest k whose cumulative binomial is ≥ alpha."""
    n = math.trunc(n)
    if n < 0 or not 0 <= p <= 1 or not 0 <= alpha <= 1:
        return _num("trials must be ≥ 0, probability_s and alpha in 0..1")
    return _finite(sp.binom(n, p).ppf(alpha))


CRITBINOM = BINOM_INV


@excel("number", "number", "number", "logical")
def NEGBINOM_DIST(f: float, s: float, p: float, cumulative: bool) -> Any:
    """Excel's NEGBINOM.DIST(number_f, number_s, probability_s, cumulative): the negative binomial distribution."""
    f, s = math.trunc(f), math.trunc(s)
    if f < 0 or s < 1 or not 0 < p < 1:
        return _num("number_f ≥ 0, number_s ≥ 1 and probability_s in 0..1 (exclusive)")
    return _cdf_or_pdf(sp.nbinom(s, p), f, cumulative)


@excel("number", "number", "number")
def NEGBINOMDIST(f: float, s: float, p: float) -> Any:
    """Excel's NEGBINOMDIST(number_f, number_s, probability_s): the negative binomial probability."""
    return NEGBINOM_DIST(f, s, p, False)


@excel("number", "number", "logical")
def POISSON_DIST(x: float, mean: float, cumulative: bool) -> Any:
    """Excel's POISSON.DIST(x, mean, cumulative): the Poisson distribution."""
    x = math.trunc(x)
    if x < 0 or mean < 0:
        return _num("x and mean must not be negative")
    return _cdf_or_pdf(sp.poisson(mean), x, cumulative)


POISSON = POISSON_DIST


@excel("number", "number", "number", "number", "logical")
def HYPGEOM_DIST(s: float, n: float, big_s: float, big_n: float, cumulative: bool) -> Any:
    """Excel's HYPGEOM.DIST(sample_s, number_sample, population_s, number_pop, cumulative)."""
    s, n, big_s, big_n = (math.trunc(v) for v in (s, n, big_s, big_n))
    if s < 0 or s > min(n, big_s) or n <= 0 or n > big_n or big_s <= 0 or big_s > big_n \
            or s < max(0, n - big_n + big_s):
        return _num("the sample does not fit the population")
    return _cdf_or_pdf(sp.hypergeom(big_n, big_s, n), s, cumulative)


@excel("number", "number", "number", "number")
def HYPGEOMDIST(s: float, n: float, big_s: float, big_n: float) -> Any:
    """Excel's HYPGEOMDIST(sample_s, number_sample, population_s, number_pop): the hypergeometric probability."""
    return HYPGEOM_DIST(s, n, big_s, big_n, False)


# -- continuous ----------------------------------------------------------------------------------------------
@excel("number", "number", "logical")
def EXPON_DIST(x: float, lam: float, cumulative: bool) -> Any:
    """Excel's EXPON.DIST(x, lambda, cumulative): the exponential distribution."""
    if x < 0 or lam <= 0:
        return _num("x must not be negative and lambda must be positive")
    return _cdf_or_pdf(sp.expon(scale=1 / lam), x, cumulative)


EXPONDIST = EXPON_DIST


@excel("number", "number", "number", "logical")
def GAMMA_DIST(x: float, a: float, b: float, cumulative: bool) -> Any:
    """Excel's GAMMA.DIST(x, alpha, beta, cumulative): the gamma distribution."""
    if x < 0 or a <= 0 or b <= 0:
        return _num("x must not be negative, alpha and beta must be positive")
    return _cdf_or_pdf(sp.gamma(a, scale=b), x, cumulative)


GAMMADIST = GAMMA_DIST


@excel("number", "number", "number")
def GAMMA_INV(p: float, a: float, b: float) -> Any:
    """Excel's GAMMA.INV(probability, alpha, beta): the inverse of the gamma cumulative distribution."""
    if a <= 0 or b <= 0:
        return _num("alpha and beta must be positive")
    return _inverse(p, sp.gamma(a, scale=b).ppf, closed=True)


GAMMAINV = GAMMA_INV


@excel("number", "number", "number", "logical", "number", "number")
def BETA_DIST(x: float, a: float, b: float, cumulative: bool, lo: float = 0.0, hi: float = 1.0) -> Any:
    """Excel's BETA.DIST(x, alpha, beta, cumulative, [A], [B]): the beta distribution on [A, B]."""
    if a <= 0 or b <= 0 or not lo <= x <= hi or lo == hi:
        return _num("alpha and beta must be positive and A ≤ x ≤ B")
    return _cdf_or_pdf(sp.beta(a, b, loc=lo, scale=hi - lo), x, cumulative)


@excel("number", "number", "number", "number", "number")
def BETADIST(x: float, a: float, b: float, lo: float = 0.0, hi: float = 1.0) -> Any:
    """Excel's BETADIST(x, alpha, beta, [A], [B]): the cumulative beta distribution."""
    return BETA_DIST(x, a, b, True, lo, hi)


@excel("number", "number", "number", "number", "number")
def BETA_INV(p: float, a: float, b: float, lo: float = 0.0, hi: float = 1.0) -> Any:
    """Excel's BETA.INV(probability, alpha, beta, [A], [B]): the inverse of the cumulative beta distribution."""
    if a <= 0 or b <= 0 or lo >= hi:
        return _num("alpha and beta must be positive and A < B")
    return _inverse(p, sp.beta(a, b, loc=lo, scale=hi - lo).ppf, closed=True)


BETAINV = BETA_INV


@excel("number", "number", "number", "logical")
def WEIBULL_DIST(x: float, a: float, b: float, cumulative: bool) -> Any:
    """Excel's WEIBULL.DIST(x, alpha, beta, cumulative): the Weibull distribution."""
    if x < 0 or a <= 0 or b <= 0:
        return _num("x must not be negative, alpha and beta must be positive")
    return _cdf_or_pdf(sp.weibull_min(a, scale=b), x, cumulative)


WEIBULL = WEIBULL_DIST


def _df(df: float) -> int | ExcelError:
    d = math.trunc(df)
    return d if 1 <= d <= 1e10 else _num("degrees of freedom must be at least 1")


@excel("number", "number", "logical")
def CHISQ_DIST(x: float, df: float, cumulative: bool) -> Any:
    """Excel's CHISQ.DIST(x, deg_freedom, cumulative): the chi-squared distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else _num("x must not be negative") if x < 0 else \
        _cdf_or_pdf(sp.chi2(d), x, cumulative)


@excel("number", "number")
def CHISQ_DIST_RT(x: float, df: float) -> Any:
    """Excel's CHISQ.DIST.RT(x, deg_freedom): the right tail of the chi-squared distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else _num("x must not be negative") if x < 0 else _finite(sp.chi2(d).sf(x))


CHIDIST = CHISQ_DIST_RT


@excel("number", "number")
def CHISQ_INV(p: float, df: float) -> Any:
    """Excel's CHISQ.INV(probability, deg_freedom): the inverse of the left tail."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else _inverse(p, sp.chi2(d).ppf, closed=True)


@excel("number", "number")
def CHISQ_INV_RT(p: float, df: float) -> Any:
    """Excel's CHISQ.INV.RT(probability, deg_freedom): the inverse of the right tail."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else _inverse(p, sp.chi2(d).isf, closed=True)


CHIINV = CHISQ_INV_RT


@excel("number", "number", "logical")
def T_DIST(x: float, df: float, cumulative: bool) -> Any:
    """Excel's T.DIST(x, deg_freedom, cumulative): Student's left-tailed t-distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else _cdf_or_pdf(sp.t(d), x, cumulative)


@excel("number", "number")
def T_DIST_2T(x: float, df: float) -> Any:
    """Excel's T.DIST.2T(x, deg_freedom): the two-tailed t-distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else _num("x must not be negative") if x < 0 else _finite(2 * sp.t(d).sf(x))


@excel("number", "number")
def T_DIST_RT(x: float, df: float) -> Any:
    """Excel's T.DIST.RT(x, deg_freedom): the right-tailed t-distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else _finite(sp.t(d).sf(x))


@excel("number", "number", "number")
def TDIST(x: float, df: float, tails: float) -> Any:
    """Excel's TDIST(x, deg_freedom, tails): one (1) or two (2) tails of the t-distribution, x ≥ 0."""
    t = math.trunc(tails)
    if t not in (1, 2) or x < 0:
        return _num("tails must be 1 or 2 and x not negative")
    return T_DIST_RT(x, df) if t == 1 else T_DIST_2T(x, df)


@excel("number", "number")
def T_INV(p: float, df: float) -> Any:
    """Excel's T.INV(probability, deg_freedom): the left-tailed inverse of the t-distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else _inverse(p, sp.t(d).ppf)


@excel("number", "number")
def T_INV_2T(p: float, df: float) -> Any:
    """Excel's T.INV.2T(probability, deg_freedom): the two-tailed inverse of the t-distribution."""
    d = _df(df)
    return d if isinstance(d, ExcelError) else _num("probability must be in 0..1") if not 0 < p <= 1 else \
        _finite(sp.t(d).isf(p / 2))


TINV = T_INV_2T


def _f(d1: float, d2: float) -> tuple[int, int] | ExcelError:
    a, b = math.trunc(d1), math.trunc(d2)
    return (a, b) if 1 <= a <= 1e10 and 1 <= b <= 1e10 else _num("degrees of freedom must be at least 1")


@excel("number", "number", "number", "logical")
def F_DIST(x: float, d1: float, d2: float, cumulative: bool) -> Any:
    """Excel's F.DIST(x, deg_freedom1, deg_freedom2, cumulative): the F distribution."""
    d = _f(d1, d2)
    return d if isinstance(d, ExcelError) else _num("x must not be negative") if x < 0 else \
        _cdf_or_pdf(sp.f(*d), x, cumulative)


@excel("number", "number", "number")
def F_DIST_RT(x: float, d1: float, d2: float) -> Any:
    """Excel's F.DIST.RT(x, deg_freedom1, deg_freedom2): the right tail of the F distribution."""
    d = _f(d1, d2)
    return d if isinstance(d, ExcelError) else _num("x must not be negative") if x < 0 else _finite(sp.f(*d).sf(x))


FDIST = F_DIST_RT


@excel("number", "number", "number")
def F_INV(p: float, d1: float, d2: float) -> Any:
    """Excel's F.INV(probability, deg_freedom1, deg_freedom2): the inverse of the F distribution."""
    d = _f(d1, d2)
    return d if isinstance(d, ExcelError) else _inverse(p, sp.f(*d).ppf, closed=True)


@excel("number", "number", "number")
def F_INV_RT(p: float, d1: float, d2: float) -> Any:
    """Excel's F.INV.RT(probability, deg_freedom1, deg_freedom2): the inverse of the F right tail."""
    d = _f(d1, d2)
    return d if isinstance(d, ExcelError) else _inverse(p, sp.f(*d).isf, closed=True)


FINV = F_INV_RT


# -- special functions ---------------------------------------------------------------------------------------
@excel("number")
def GAMMA(x: float) -> Any:
    """Excel's GAMMA(number): the gamma function (#NUM! at 0 and the negative integers)."""
    if x <= 0 and x == math.trunc(x):
        return _num("GAMMA of 0 or a negative integer")
    return _finite(special.gamma(x))


@excel("number")
def GAMMALN(x: float) -> Any:
    """Excel's GAMMALN(x): the natural logarithm of the gamma function, x > 0."""
    return _num("x must be positive") if x <= 0 else _finite(special.gammaln(x))


GAMMALN_PRECISE = GAMMALN


@excel("number", "number")
def ERF(lo: float, hi: float | None = None) -> Any:
    """Excel's ERF(lower_limit, [upper_limit]): the error function integrated between the limits."""
    return _finite(special.erf(lo) if hi is None else special.erf(hi) - special.erf(lo))


@excel("number")
def ERF_PRECISE(x: float) -> Any:
    """Excel's ERF.PRECISE(x): the error function from 0 to x."""
    return _finite(special.erf(x))


@excel("number")
def ERFC(x: float) -> Any:
    """Excel's ERFC(x): the complementary error function from x to infinity."""
    return _finite(special.erfc(x))


ERFC_PRECISE = ERFC


@excel("number")
def FISHER(x: float) -> Any:
    """Excel's FISHER(x): the Fisher transformation, -1 < x < 1."""
    return _num("x must be in -1..1 (exclusive)") if not -1 < x < 1 else 0.5 * math.log((1 + x) / (1 - x))


@excel("number")
def FISHERINV(y: float) -> Any:
    """Excel's FISHERINV(y): the inverse of the Fisher transformation."""
    return _finite(math.tanh(y))


def _bessel(fn: Callable[[int, float], float], positive: bool) -> Callable[..., Any]:
    @excel("number", "number")
    def bessel(x: float, n: float) -> Any:
        order = math.trunc(n)
        if order < 0 or (positive and x <= 0):
            return _num("the order must not be negative" + (" and x must be positive" if positive else ""))
        return _finite(fn(order, x))
    return bessel


BESSELI = _bessel(special.iv, False)
BESSELJ = _bessel(special.jv, False)
BESSELK = _bessel(special.kv, True)
BESSELY = _bessel(special.yv, True)
