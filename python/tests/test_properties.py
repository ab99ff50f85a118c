"""Hypothesis property tests on random small models.

- compare: the certified enclosures of the Python call at 20 digits and of the command line at
  40 digits both contain the truth, so they intersect, and exact leaves agree; on tiny cases the
  best-of-N reward and KL are recomputed by brute force over all k^n sequences (exact
  Fractions, then mpmath interval arithmetic for the logarithms) and must lie in the enclosures.
- tilt: lambda's enclosure [lo, hi] brackets the root of K(l) = l mu(l) - psi(l) = Delta, checked
  with mpmath interval arithmetic at 300 bits: K(lo) <= Delta <= K(hi) (K is increasing for l > 0).
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any, Dict, List, Tuple

import pytest

hypothesis = pytest.importorskip("hypothesis")
mpmath = pytest.importorskip("mpmath")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import alignexact  # noqa: E402
from alignexact import Certified  # noqa: E402

iv = mpmath.iv


class ivprec:
    """Run mpmath's interval context at `bits` bits of precision."""

    def __init__(self, bits: int):
        self.bits = bits

    def __enter__(self) -> None:
        self.saved = iv.prec
        iv.prec = self.bits

    def __exit__(self, *exc: Any) -> None:
        iv.prec = self.saved


def endpoints(x: Any) -> Tuple[Fraction, Fraction]:
    """The exact endpoints of an mpmath interval (``x.a``/``x.b`` would round to mp.prec)."""
    lo, hi = x._mpi_
    return Fraction(*mpmath.libmp.to_rational(lo)), Fraction(*mpmath.libmp.to_rational(hi))


@st.composite
def models(draw: Any) -> Tuple[List[Fraction], List[int]]:
    k = draw(st.integers(2, 3))
    w = draw(st.lists(st.integers(1, 9), min_size=k, max_size=k))
    r = draw(st.lists(st.integers(-3, 3), min_size=k, max_size=k).filter(lambda r: len(set(r)) > 1))
    total = sum(w)
    return [Fraction(x, total) for x in w], r


def text(xs: List[Any]) -> str:
    return ",".join(str(x) for x in xs)


def walk(a: Any, b: Any, path: str = "") -> int:
    """Compare the leaves of two results of the same command at different digits."""
    if isinstance(a, Certified):
        assert isinstance(b, Certified), path
        assert max(a.lo, b.lo) <= min(a.hi, b.hi), f"{path}: [{a.lo}, {a.hi}] and [{b.lo}, {b.hi}] are disjoint"
        return 1
    if isinstance(a, Fraction):
        assert a == b, path
        return 1
    if isinstance(a, list):
        return sum(walk(x, y, f"{path}/{i}") for i, (x, y) in enumerate(zip(a, b)))
    if hasattr(a, "keys"):
        assert list(a.keys()) == list(b.keys()), path
        return sum(walk(a[k], b[k], f"{path}/{k}") for k in a.keys())
    assert a == b, path
    return 1


def brute_force_bon(p: List[Fraction], r: List[int], n: int, N: int) -> Tuple[Fraction, Any]:
    """Exact E[S] under best-of-N with level ties, and an mpmath interval of D(pi_N || p^n)."""
    law: Dict[int, Fraction] = {}
    for seq in itertools.product(range(len(p)), repeat=n):
        s = sum(r[i] for i in seq)
        law[s] = law.get(s, Fraction(0)) + math.prod((p[i] for i in seq), start=Fraction(1))
    cdf = Fraction(0)
    reward = Fraction(0)
    kl = iv.mpf(0)
    for s in sorted(law):
        below = cdf
        cdf += law[s]
        pb = cdf**N - below**N  # P(best of N lands on level s), ties broken within the level
        reward += s * pb
        if pb:
            kl += iv.mpf(pb.numerator) / pb.denominator * iv.log(
                iv.mpf(pb.numerator * law[s].denominator) / (pb.denominator * law[s].numerator)
            )
    return reward, kl


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(model=models(), d=st.integers(1, 12), n=st.integers(1, 5))
def test_compare_enclosures_contain_cli_values_and_brute_force(cli: Any, model: Any, d: int, n: int) -> None:
    p, r = model
    delta = Fraction(d, 20)
    res = alignexact.compare(p=p, r=r, delta=delta, n=n, digits=20)
    ref = cli.json(["compare", "--p", text(p), "--r", text(r), "--delta", str(delta), "--n", str(n), "--digits", "40", "--json"])
    other = alignexact.Result(
        __import__("json").dumps(ref), ["compare"], 0
    )
    assert walk(res, other) > 10
    # brute force over the k^n sequences
    N = res.N
    assert isinstance(N, Fraction) and N.denominator == 1
    assert N == math.ceil(mpmath.exp(mpmath.mpf(n) * d / 20)) or abs(N - mpmath.exp(mpmath.mpf(n) * d / 20)) < 1
    with ivprec(200):
        reward, kl = brute_force_bon(p, r, n, int(N))
    assert res.expected_reward_bon.contains(reward)
    # both enclose D(pi_N || p^n): they intersect
    kl_c = res.kl_bon_reference
    a, b = endpoints(kl)
    assert kl_c.lo <= b and a <= kl_c.hi, (kl_c.lo, kl_c.hi, a, b)


def K(p: List[Fraction], r: List[int], lam: Any) -> Any:
    z = sum(iv.mpf(pi.numerator) / pi.denominator * iv.exp(lam * ri) for pi, ri in zip(p, r))
    m = sum(iv.mpf(pi.numerator) / pi.denominator * ri * iv.exp(lam * ri) for pi, ri in zip(p, r))
    return lam * (m / z) - iv.log(z)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(model=models(), d=st.integers(1, 40))
def test_tilt_lambda_encloses_the_root_of_K(model: Any, d: int) -> None:
    p, r = model
    delta = Fraction(d, 40)
    res = alignexact.tilt(p=p, r=r, delta=delta, digits=30)
    if res.regime != "interior":
        # saturated: the budget is at least delta_max = -ln p(argmax r)
        assert res.regime == "saturated"
        assert Fraction(res.delta_max.lo) <= delta or res.delta_max.contains(delta)
        return
    assert res.delta == delta
    lam = res.lambda_
    assert lam.lo > 0
    with ivprec(300):
        k_lo = K(p, r, iv.mpf(str(lam.lo)))
        k_hi = K(p, r, iv.mpf(str(lam.hi)))
        target = iv.mpf(delta.numerator) / delta.denominator
        assert endpoints(k_lo)[1] <= endpoints(target)[0], (lam.lo, k_lo, delta)
        assert endpoints(target)[1] <= endpoints(k_hi)[0], (lam.hi, k_hi, delta)
