"""alignexact.testing.assert_close: the tolerance model of the vectors, exact arithmetic, messages."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest

import alignexact
from alignexact.testing import assert_close, tolerance

A = dict(p="1/2,3/10,1/5", r="0,1,3")


def test_uses_the_vectors_field_tolerance_for_that_input() -> None:
    res = alignexact.tilt(**A, delta="3/10")
    rel, abs_, note = tolerance(res.lambda_)
    model = res.tolerance["fields"]["/lambda"]
    assert (rel, abs_) == (Decimal(model["rel"]), Decimal(model["abs"]))
    assert note.startswith("vectors' model: lambda solves K(l)")
    # a field without its own entry gets the default
    assert tolerance(res.phi[0])[:2] == (Decimal("1e-12"), Decimal("1e-300"))
    # a Certified made by hand has no field: the default
    assert tolerance(alignexact.Certified("1", "1", "1"))[:2] == (Decimal("1e-12"), Decimal("1e-300"))


def test_boundary_of_the_tolerance_is_exact() -> None:
    c = alignexact.Certified("1", "1", "1")
    # |y - 1| <= 1e-300 + 1e-12: the first double above 1 + 1e-12 fails, the one below passes
    edge = 1 + 1e-12
    below, above = math.nextafter(edge, 0), math.nextafter(edge, 2)
    assert Fraction(below) - 1 <= Fraction(1, 10**12) + Fraction(1, 10**300)
    assert_close(below, c)
    if Fraction(above) - 1 > Fraction(1, 10**12) + Fraction(1, 10**300):
        with pytest.raises(AssertionError):
            assert_close(above, c)


def test_sequences_numpy_arrays_and_message() -> None:
    np = pytest.importorskip("numpy")
    res = alignexact.tilt(**A, delta="3/10")
    lam = float(res.lambda_)
    w = np.array([0.5, 0.3, 0.2]) * np.exp(lam * np.array([0, 1, 3]))
    phi = w / w.sum()
    assert_close(phi, res.phi)
    with pytest.raises(AssertionError, match=r"tilt /phi/0\n  actual     0.538"):
        assert_close(phi[::-1], res.phi)
    with pytest.raises(AssertionError, match="length 3"):
        assert_close(phi[:2], res.phi)


def test_exact_infinite_and_undefined_leaves() -> None:
    b = alignexact.bon(p="7/10,3/10", r="0,1", n=5, N=3, levels="none")
    assert isinstance(b.win_rate_bound, Fraction)
    assert_close(0.75, b.win_rate_bound)
    with pytest.raises(AssertionError, match=r"3/4 \(exact\)"):
        assert_close(0.76, b.win_rate_bound)
    r = alignexact.rate(p="7/10,3/10", r="0,1", x="2")
    assert_close(math.inf, r.rate_reference)
    with pytest.raises(AssertionError):
        assert_close(1e308, r.rate_reference)
    assert_close(math.nan, r.lambda_x)
    with pytest.raises(AssertionError, match="undefined"):
        assert_close(0.0, r.lambda_x)


def test_explicit_tolerance_overrides_the_model() -> None:
    res = alignexact.tilt(**A, delta="3/10")
    assert_close(0.6034135, res.lambda_, rtol=1e-8)
    with pytest.raises(AssertionError, match="tolerance  given"):
        assert_close(0.6034135, res.lambda_, rtol=1e-12, atol=0)
