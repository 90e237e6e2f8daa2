#!/usr/bin/env python3
"""Independent reference values for test/significance.test.ts.

Run:  python3 test/reference/significance_reference.py
Needs scipy and numpy (written against scipy 1.17.1). Every number printed here is pasted into
test/significance.test.ts as a constant; the TypeScript implementation is never consulted.
"""

from fractions import Fraction
from itertools import product
from math import ceil, comb, factorial, sqrt

import numpy as np
from scipy import stats


def section(title):
    print(f"\n# {title}")


def plain(value):
    """numpy scalars and containers as plain Python values, so they print as bare numbers."""
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {key: plain(v) for key, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def show(label, value):
    print(f"{label} = {plain(value)!r}")


# --- Exact two-sided binomial test (scipy's binomtest follows R's binom.test) -----------------
section("scipy.stats.binomtest(k, n, p).pvalue")
BINOMIAL_CASES = [
    (2, 6, 0.5),  # the seed's 30/70 split observed as 2 of 6
    (14, 20, 0.5),  # ... and as 14 of 20
    (3, 10, 0.25),
    (0, 20, 0.3),
    (12, 20, 0.3),
    (1, 50, 0.02),
    (100, 100, 0.5),  # very skewed: tiny p-value
    (3, 100, 0.0499),  # method boundary: expected count 4.99
    (0, 6, 0.5),
    (3, 5, 0.5),  # zero-weight example: 3 and 2 on the weighted targets
    (0, 20, 0.2),  # n = 20 with an expected count of 4: exact
    (10, 20, 0.2),
]
for k, n, p in BINOMIAL_CASES:
    show(f"binomtest({k}, {n}, {p})", stats.binomtest(k, n, p).pvalue)


# --- Pearson chi-square -----------------------------------------------------------------------
section("scipy.stats.chisquare(f_obs, f_exp=n*shares) -> (statistic, pvalue)")
CHI_CASES = [
    ([160, 80, 60], [0.5, 0.3, 0.2]),  # three targets, n = 300
    ([250, 30, 20], [0.5, 0.3, 0.2]),  # far off: tiny p-value
    ([100, 0], [0.5, 0.5]),  # 100 of 100 where 50/50 was expected
    ([30, 18, 32, 20], [0.25, 0.25, 0.25, 0.25]),  # four targets
    ([3, 97], [0.05, 0.95]),  # method boundary: expected count exactly 5
    ([6, 14], [0.5, 0.5]),  # 14 of 20 at 0.5: expected counts 10, so chi-square
    ([12, 8], [0.3, 0.7]),
    ([3, 97], [0.0499, 0.9501]),  # statistic reported although the exact test decides
    ([14, 2, 4], [0.5, 0.3, 0.2]),
    ([2, 5, 3, 2], [0.4, 0.3, 0.2, 0.1]),
]
for counts, shares in CHI_CASES:
    n = sum(counts)
    res = stats.chisquare(counts, f_exp=[n * s for s in shares])
    show(f"chisquare({counts}, {shares})", (float(res.statistic), float(res.pvalue)))


# --- Exact multinomial test by explicit enumeration in exact rational arithmetic --------------
section("exact multinomial: sum of P(y) over outcomes with P(y) <= P(obs) * (1 + 1e-7)")


def multinomial_pmf(counts, shares):
    n = sum(counts)
    coef = Fraction(factorial(n))
    for c in counts:
        coef /= factorial(c)
    prob = coef
    for c, s in zip(counts, shares):
        prob *= s**c
    return prob


def exact_multinomial(counts, shares_text):
    shares = [Fraction(s) for s in shares_text]
    assert sum(shares) == 1
    n, k = sum(counts), len(counts)
    observed = multinomial_pmf(counts, shares)
    limit = observed * (1 + Fraction(1, 10**7))
    total = Fraction(0)
    outcomes = 0
    for head in product(range(n + 1), repeat=k - 1):
        rest = n - sum(head)
        if rest < 0:
            continue
        outcomes += 1
        prob = multinomial_pmf(list(head) + [rest], shares)
        if prob <= limit:
            total += prob
    assert outcomes == comb(n + k - 1, k - 1)
    # Cross-check the observed probability with scipy's implementation.
    scipy_obs = stats.multinomial.pmf(counts, n, [float(s) for s in shares])
    assert abs(float(observed) - scipy_obs) <= 1e-12 * max(scipy_obs, 1e-300)
    return float(total)


MULTINOMIAL_CASES = [
    ([14, 2, 4], ["0.5", "0.3", "0.2"]),  # n = 20, three targets
    ([10, 6, 4], ["0.5", "0.3", "0.2"]),  # exactly as expected
    ([2, 5, 3, 2], ["0.4", "0.3", "0.2", "0.1"]),  # four targets, n = 12
    ([20, 0, 0], ["0.5", "0.3", "0.2"]),  # all traffic on one target
    ([6, 14], ["0.5", "0.5"]),  # two targets: must agree with binomtest(14, 20, 0.5)
    ([1, 2, 7], ["1/3", "1/3", "1/3"]),  # equal shares: every permutation ties with the observation
]
for counts, shares in MULTINOMIAL_CASES:
    show(f"exact_multinomial({counts}, {shares})", exact_multinomial(counts, shares))
assert abs(exact_multinomial([6, 14], ["0.5", "0.5"]) - stats.binomtest(14, 20, 0.5).pvalue) < 1e-12


def exact_multinomial_vectorized(counts, shares):
    """Same test for larger n in floating point: all outcomes at once with scipy's logpmf."""
    n, k = sum(counts), len(counts)
    assert k == 3
    a, b = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    keep = a + b <= n
    outcomes = np.stack([a[keep], b[keep], n - a[keep] - b[keep]], axis=1)
    logp = stats.multinomial.logpmf(outcomes, n, shares)
    observed = stats.multinomial.logpmf(counts, n, shares)
    return float(np.exp(logp[logp <= observed + np.log1p(1e-7)]).sum())


section("exact multinomial, n = 300, vectorized with scipy.stats.multinomial.logpmf")
show("exact_multinomial([160, 80, 60], [0.5, 0.3, 0.2])", exact_multinomial_vectorized([160, 80, 60], [0.5, 0.3, 0.2]))


# --- Central binomial count ranges ------------------------------------------------------------
section("scipy.stats.binom.ppf([(1-c)/2, 1-(1-c)/2], n, p)")
RANGE_CASES = [(6, 0.5, 0.95), (20, 0.3, 0.95), (100, 0.5, 0.95), (1000, 0.2, 0.99), (50, 0.1, 0.9)]
for n, p, c in RANGE_CASES:
    tail = (1 - c) / 2
    lo, hi = stats.binom.ppf([tail, 1 - tail], n, p)
    show(f"binom_range({n}, {p}, {c})", (int(lo), int(hi)))


# --- Wilson score interval, closed form -------------------------------------------------------
section("Wilson score interval (closed form), checked against Newcombe (1998)")


def wilson(k, n, confidence=0.95):
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    phat = k / n
    denom = 1 + z * z / n
    center = (phat + z * z / (2 * n)) / denom
    half = z / denom * sqrt(phat * (1 - phat) / n + z * z / (4 * n * n))
    return (max(0.0, center - half), min(1.0, center + half))


NEWCOMBE = {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605), (0, 20): (0.0, 0.1611), (1, 29): (0.0061, 0.1718)}
for (k, n), (lo4, hi4) in NEWCOMBE.items():
    lo, hi = wilson(k, n)
    assert round(lo, 4) == lo4 and round(hi, 4) == hi4, (k, n, lo, hi)
    show(f"wilson({k}, {n})", (lo, hi))
show("wilson(7, 10, 0.9)", wilson(7, 10, 0.9))


# --- Requests needed to detect a shift (one-sample two-sided z-test) --------------------------
section("requests to detect: ceil(((z_{1-a/2} sqrt(p0 q0) + z_power sqrt(p1 q1)) / delta)^2)")


def requests_to_detect(p0, delta_pp=5, alpha=0.05, power=0.8):
    delta = delta_pp / 100
    za = stats.norm.ppf(1 - alpha / 2)
    zb = stats.norm.ppf(power)
    best = 0
    for p1 in (p0 + delta, p0 - delta):
        if p1 < 0 or p1 > 1:
            continue
        best = max(best, ceil(((za * sqrt(p0 * (1 - p0)) + zb * sqrt(p1 * (1 - p1))) / delta) ** 2))
    return best


for args in [(0.5,), (0.3,), (0.1, 2), (0.97,), (0.2, 5, 0.01, 0.9)]:
    show(f"requests_to_detect{args}", requests_to_detect(*args))


# --- Percentiles (numpy default 'linear') -----------------------------------------------------
section("numpy.percentile(values, q)")
PERCENTILE_ARRAYS = [[42.0], [10.0, 20.0], [1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 7.0, 8.0, 15.0, 21.0, 22.0, 40.0]]
for values in PERCENTILE_ARRAYS:
    qs = [0, 25, 50, 90, 95, 99, 100]
    show(f"percentile({values})", [float(np.percentile(values, q)) for q in qs])

LATENCY = [120.0, 95.0, 310.0, 101.0, 88.0, 143.0, 97.0, 1020.0, 130.0, 99.0]
section("latency stats of an unsorted sample")
show("latency", {
    "avg": float(np.mean(LATENCY)),
    **{f"p{q}": float(np.percentile(LATENCY, q)) for q in (50, 90, 95, 99)},
})
