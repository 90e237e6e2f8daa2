#!/usr/bin/env python3
"""Reference values for the exact tests at larger n, with the Python standard library only.

Run:  python3 test/reference/exact_reference.py
Exact two-sided binomial test (R's binom.test: sum of P(i) over P(i) <= P(k)(1 + 1e-7)) and the
exact multinomial test by enumerating every outcome, both in exact rational arithmetic. Every
number printed is pasted into test/stats/reference.ts; the TypeScript implementation is never
consulted.
"""

from fractions import Fraction
from math import comb, factorial

RELATIVE = 1 + Fraction(1, 10**7)


def binomtest(k, n, p):
    p = Fraction(p)
    pmf = [comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    limit = pmf[k] * RELATIVE
    return float(min(1, sum(x for x in pmf if x <= limit)))


def exact_multinomial(counts, shares):
    shares = [Fraction(s) for s in shares]
    assert sum(shares) == 1
    n, k = sum(counts), len(counts)
    facts = [factorial(i) for i in range(n + 1)]
    powers = [[s**c for c in range(n + 1)] for s in shares]

    def pmf(outcome):
        prob = Fraction(facts[n])
        for i, c in enumerate(outcome):
            prob = prob / facts[c] * powers[i][c]
        return prob

    limit = pmf(counts) * RELATIVE
    total = Fraction(0)
    outcomes = 0

    def visit(prefix, remaining):
        nonlocal total, outcomes
        if len(prefix) == k - 1:
            outcomes += 1
            prob = pmf(prefix + [remaining])
            if prob <= limit:
                total += prob
            return
        for c in range(remaining + 1):
            visit(prefix + [c], remaining - c)

    visit([], n)
    assert outcomes == comb(n + k - 1, k - 1)
    return float(total)


print("# binomtest")
for args in [(3, 100, "0.05"), (6, 20, "0.5"), (1, 10, "0.5")]:
    print(f"binomtest{args} = {binomtest(*args)!r}")

print("# exact multinomial")
for counts, shares in [
    ([30, 18, 32, 20], ["1/4", "1/4", "1/4", "1/4"]),
    ([250, 30, 20], ["1/2", "3/10", "1/5"]),
]:
    print(f"exact_multinomial({counts}, {shares}) = {exact_multinomial(counts, shares)!r}")


def binom_power(n, p, q, alpha):
    """P(binomtest(K, n, p) < alpha) for K ~ Binomial(n, q), by summing over every K."""
    q = Fraction(q)
    return float(
        sum(
            comb(n, k) * q**k * (1 - q) ** (n - k)
            for k in range(n + 1)
            if binomtest(k, n, p) < alpha
        )
    )


print("# exact power of the binomial test")
for args in [(20, "0.5", "0.7", 0.05), (100, "0.25", "0.35", 0.05), (60, "0.5", "0.4", 0.01)]:
    print(f"binom_power{args} = {binom_power(*args)!r}")
