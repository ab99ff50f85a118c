#!/usr/bin/env python3
"""A float64 best-of-N, as such code is written in the wild, checked against alignexact.

`bon_float` below is the textbook numpy implementation of best-of-N over sequences of n tokens
(MATH.md BON-1..BON-4): the level law of the sequence reward by repeated convolution, then
P_N(s) = F(s)^N - F-(s)^N, the expected reward, D(pi_N || p^n) = sum P_N ln(P_N / P_S), the gap to
the folklore bound ln N - (N-1)/N, and the win rate sum P_N (F + F-)/2.

Every quantity is compared with alignexact's certified value by
`alignexact.testing.assert_close`, with the tolerance model of the reference vectors. The cases
go from one where float64 is fine to the three places where it breaks:

- huge N: the top level has mass 1e-20, so F(s) = 1 - 1e-20 is not a double: it rounds to 1,
  or cumsum's rounding lands the top at 1 + 2^-52 and F^N overflows (inf - inf = nan); the
  truth with N = 1e20 is P_N(top) = 1 - e^{-1};
- the KL gap's cancellation: ln N - (N-1)/N and the KL agree to about 4 digits, and the
  subtraction loses them: the gap keeps 11 correct digits where the KL has 15. The vectors'
  tolerance model budgets for that (so the "model" verdict passes), a plain rtol = 1e-12 does not;
- F^N underflow: F(s)^N underflows to 0 on the low levels, and 0 * ln(0 / P_S) = nan poisons
  the KL (numpy only warns).

Run: python examples/python/check_float_bon.py   (exit code 0 when float64 fails exactly where
the script says it should, 1 otherwise)
"""

from __future__ import annotations

import math
import sys
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np

import alignexact
from alignexact.testing import assert_close


def level_law(p, r, n):
    """Levels and probabilities of the sum of n i.i.d. integer rewards (float64 convolution)."""
    p = np.asarray(p, dtype=np.float64)
    r = np.asarray(r, dtype=np.int64)
    lo = r.min()
    one = np.zeros(r.max() - lo + 1)
    np.add.at(one, r - lo, p)
    law = np.array([1.0])
    for _ in range(n):
        law = np.convolve(law, one)
    levels = np.arange(len(law)) + n * lo
    keep = law > 0
    return levels[keep], law[keep]


def bon_float(p, r, n, N):
    """Best-of-N over length-n sequences in float64, as it is usually written."""
    N = float(N)
    s, ps = level_law(p, r, n)
    F = np.cumsum(ps)
    Fm = F - ps
    pn = F**N - Fm**N
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # what the wild code sees: nothing
        kl = np.sum(pn * np.log(pn / ps))
    bound = np.log(N) - (N - 1) / N
    return {
        "expected_reward": float(np.sum(s * pn)),
        "kl_to_reference": float(kl),
        "kl_gap": float(bound - kl),
        "win_rate": float(np.sum(pn * (F + Fm) / 2)),
    }


def correct_digits(y: float, c) -> str:
    if isinstance(c, float):
        return "exact" if y == c else "0"
    v = Fraction(c.value) if hasattr(c, "value") else Fraction(c)
    if not math.isfinite(y):
        return "0"
    if v == 0:
        return "exact" if y == 0 else "0"
    rel = abs(Fraction(y) - v) / abs(v)
    if rel == 0:
        return "all"
    return f"{max(0.0, -math.log10(rel)):.1f}"


ALL = {"expected_reward", "kl_to_reference", "kl_gap", "win_rate"}
# (name, p, r, n, N, fields expected to fail the vectors' tolerance, ... to fail rtol = 1e-12)
CASES = [
    ("Example B: n = 5, N = 3", ["7/10", "3/10"], [0, 1], 5, 3, set(), set()),
    ("Example A: n = 10, N = 20", ["1/2", "3/10", "1/5"], [0, 1, 3], 10, 20, set(), set()),
    ("huge N: top level 1e-20, N = 1e20", ["9/10", "1/10"], [0, 1], 20, 10**20, ALL, ALL),
    ("KL gap cancellation: 64 equal tokens, n = 3, N = 3", None, None, 3, 3, set(), {"kl_gap"}),
    ("F^N underflow: n = 40, N = 1000", ["1/2", "3/10", "1/5"], [0, 1, 3], 40, 1000,
     {"kl_to_reference", "kl_gap"}, {"kl_to_reference", "kl_gap"}),
]


def main() -> int:
    surprises = 0
    fields = ["expected_reward", "kl_to_reference", "kl_gap", "win_rate"]
    for name, p, r, n, N, expect_fail, expect_strict_fail in CASES:
        if p is None:  # many small atoms: the KL is within 5e-5 of the bound ln N - (N-1)/N
            k = 64
            p = [Fraction(1, k)] * k
            r = list(range(k))
        pf = [float(Fraction(x)) for x in p]
        got = bon_float(pf, r, n, N)
        ref = alignexact.bon(p=p, r=r, n=n, N=N, levels="none", digits=30)
        raw = ref.envelope["result"]
        print(f"\n{name}")
        print(f"  {'field':16} {'float64':>24}  {'certified (alignexact)':<34} {'digits':>6}  model  rtol=1e-12")
        for f in fields:
            c = ref[f]
            y = got[f]
            verdicts = []
            for tol in ({}, {"rtol": 1e-12, "atol": 0}):
                try:
                    assert_close(y, c, **tol)
                    verdicts.append("pass")
                except AssertionError:
                    verdicts.append("FAIL")
            shown = raw[f]["value"]  # the envelope's decimal text (exact leaves have one too)
            print(f"  {f:16} {y:>24.17g}  {shown[:34]:<34} {correct_digits(y, c):>6}  {verdicts[0]:5}  {verdicts[1]}")
            for verdict, expected in zip(verdicts, (expect_fail, expect_strict_fail)):
                if (verdict == "FAIL") != (f in expected):
                    surprises += 1
                    print(f"    ^ unexpected: float64 was expected to {'fail' if f in expected else 'pass'} here")
    print()
    if surprises:
        print(f"{surprises} unexpected verdict(s)")
        return 1
    print("float64 failed exactly where expected: huge N, the KL gap's cancellation, F^N underflow")
    return 0


if __name__ == "__main__":
    sys.exit(main())
