#!/usr/bin/env python3
"""Reference values for src/stats/special.ts and binomial.ts, with the Python standard library only.

Run:  python3 test/reference/special_reference.py
Binomial probabilities in exact rational arithmetic; the incomplete gamma function for whole and
half-whole a from its closed forms (e^-x Σ x^j/j!, erfc); the normal quantile by bisection on
Φ computed from the erf series in 80-digit decimal arithmetic. Every number printed is pasted
into test/stats/special.test.ts or binomial.test.ts; the TypeScript implementation is never
consulted.
"""

from decimal import Decimal, getcontext
from fractions import Fraction
from math import comb, erfc, factorial, sqrt

getcontext().prec = 80
PI = Decimal("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899")


def pmf(k, n, p):
    return comb(n, k) * p**k * (1 - p) ** (n - k)


def cdf(k, n, p):
    """Σ C(n, i) a^i c^(n-i) over i <= k in integers (p = a/b, c = b - a), divided by b^n once.
    Each term from the one before: t(i+1) = t(i) (n-i) a / ((i+1) c), an exact division."""
    a, b = p.numerator, p.denominator
    c = b - a
    term = c**n
    total = term
    for i in range(k):
        term = term * (n - i) * a // ((i + 1) * c)
        total += term
    return Fraction(total, b**n)


def gamma_q_whole(a, x):
    x = Decimal(x)
    return (-x).exp() * sum(x**j / factorial(j) for j in range(a))


def phi(z):
    """Φ(z) from the series erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)), x = z/√2."""
    x = z / Decimal(2).sqrt()
    total, term, n = Decimal(0), x, 0
    while True:
        piece = term / (2 * n + 1)
        total += piece
        if abs(piece) < Decimal(10) ** -70:
            break
        n += 1
        term = -term * x * x / n
    return (1 + 2 / PI.sqrt() * total) / 2


def normal_quantile(p):
    p = Decimal(p)  # the exact value of the double, as the TypeScript sees it
    low, high = Decimal(-10), Decimal(10)
    for _ in range(250):
        mid = (low + high) / 2
        if phi(mid) < p:
            low = mid
        else:
            high = mid
    return float((low + high) / 2)


print("binomial: k, n, p, pmf, cdf")
for k, n, p in [
    (3, 10, Fraction(1, 2)),
    (0, 20, Fraction(3, 10)),
    (7, 20, Fraction(3, 10)),
    (2, 100, Fraction(1, 4)),
    (60, 100, Fraction(1, 4)),
    (150, 1000, Fraction(1, 10)),
    (4999, 10000, Fraction(1, 2)),
    (10, 5000, Fraction(1, 1000)),
    (50000, 100000, Fraction(1, 2)),
]:
    print(f"  [{k}, {n}, {float(p)}, {float(pmf(k, n, p))!r}, {float(cdf(k, n, p))!r}],")
print("upper tail P(X >= k): k, n, p, value")
for k, n, p in [(95, 100, Fraction(1, 2)), (61, 100, Fraction(1, 4)), (300, 1000, Fraction(1, 5))]:
    print(f"  [{k}, {n}, {float(p)}, {float(1 - cdf(k - 1, n, p))!r}],")
print("incomplete gamma, whole a: a, x, P, Q")
for a, x in [(1, 0.5), (2, 600), (3, 2.5), (5, 40), (10, 3), (50, 45), (50, 80)]:
    q = gamma_q_whole(a, x)
    print(f"  [{a}, {x}, {float(1 - q)!r}, {float(q)!r}],")
print("incomplete gamma, a = 1/2: x, Q = erfc(sqrt x)")
for x in [0.01, 0.5, 2, 10, 50]:
    print(f"  [{x}, {erfc(sqrt(x))!r}],")
print("normal quantile: p, z")
for p in [0.5000001, 0.6, 0.8, 0.9, 0.95, 0.975, 0.995, 0.999, 0.3, 0.025, 1e-10]:
    print(f"  [{p!r}, {normal_quantile(p)!r}],")
