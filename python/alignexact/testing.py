"""alignexact.testing: check a floating-point implementation against certified values.

:func:`assert_close` is meant for the test suite of your own (numpy, PyTorch, plain Python)
implementation of the same mathematics::

    import alignexact
    from alignexact.testing import assert_close

    def test_tilt_lambda():
        ref = alignexact.tilt(p="1/2,3/10,1/5", r="0,1,3", delta="3/10")
        assert_close(my_tilt_lambda([.5, .3, .2], [0, 1, 3], 0.3), ref.lambda_)

Without an explicit tolerance it uses the tolerance model that the reference vectors
(``alignexact vectors``) carry: for a leaf of a result of ``divergence``, ``tilt``, ``rate``,
``cumulants``, ``bon`` or ``compare``, the per-field tolerance that the vectors would record for
that very input (e.g. the amplification ``1 / (λ σ²)`` for the root ``λ`` of a budget), and
otherwise the default ``rel = 1e-12``, ``abs = 1e-300``. A float ``y`` passes against the
certified value ``v`` when ``|y - v| <= abs + rel |v|`` (``numpy.isclose``'s rule), computed
exactly.

>>> import alignexact
>>> from alignexact.testing import assert_close
>>> ref = alignexact.tilt(p="1/2,3/10,1/5", r="0,1,3", delta="3/10")
>>> assert_close(0.6034135023361464, ref.lambda_)
>>> assert_close(0.6034135, ref.lambda_)
Traceback (most recent call last):
...
AssertionError: not close: tilt /lambda
  actual     0.6034135
  certified  0.603413502336146375060402509455
  enclosure  [0.603413502336146375060402509455278, 0.603413502336146375060402509455279]
  |actual - certified| = 2.34e-9 > atol + rtol |certified| = 2e-13 + 1e-12 * 0.603 = 8.03e-13
  tolerance  vectors' model: lambda solves K(l) = l mu(l) - psi(l) = Delta: the float64 error of K (terms l mu and psi cancel) is amplified by 1 / K'(l) = 1 / (l sigma^2)
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any, Optional, Sequence, Tuple

from . import Bounds, Certified, Record

__all__ = ["assert_close", "tolerance", "DEFAULT_RTOL", "DEFAULT_ATOL"]

#: The vectors' default relative tolerance for a well-conditioned float64 value.
DEFAULT_RTOL = Decimal("1e-12")
#: The vectors' default absolute tolerance (float64 underflows below it).
DEFAULT_ATOL = Decimal("1e-300")


def _ctx() -> decimal.Context:
    return decimal.Context(prec=60, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, rounding=decimal.ROUND_HALF_EVEN)


def tolerance(certified: Any) -> Tuple[Decimal, Decimal, str]:
    """The tolerance ``(rtol, atol, note)`` that the vectors' model gives the leaf ``certified``
    (a leaf of a :class:`alignexact.Result`), or the default for anything else."""
    where = getattr(certified, "_where", None)
    if where is not None:
        root, ptr = where
        try:
            model = root.tolerance
        except Exception:  # the model is advisory: fall back to the default
            model = None
        if model is not None:
            field = model.get("fields", {}).get(ptr)
            if field is not None:
                return Decimal(field["rel"]), Decimal(field["abs"]), "vectors' model: " + field.get("note", "")
            d = model.get("default", {})
            return Decimal(d.get("rel", DEFAULT_RTOL)), Decimal(d.get("abs", DEFAULT_ATOL)), "vectors' default"
    return DEFAULT_RTOL, DEFAULT_ATOL, "vectors' default"


def _label(certified: Any) -> str:
    where = getattr(certified, "_where", None)
    if where is None:
        return ""
    root, ptr = where
    return f"{root.command} {ptr}"


def _sci(x: Decimal) -> str:
    return "{:.3g}".format(x) if x.is_finite() else str(x)


def _exact(x: Any) -> Decimal:
    """``x`` as an exact Decimal (floats exactly, Fractions to 60 digits)."""
    if isinstance(x, Fraction):
        return _ctx().divide(Decimal(x.numerator), Decimal(x.denominator))
    if isinstance(x, bool):
        raise TypeError("assert_close: actual must be a number, not a bool")
    if isinstance(x, (int, float, Decimal)):
        return Decimal(x)
    if isinstance(x, str):
        return Decimal(x)
    try:
        return Decimal(float(x))  # numpy scalars, torch 0-d tensors
    except TypeError:
        raise TypeError(f"assert_close: actual must be a number, got {type(x).__name__}") from None


def _is_seq(x: Any) -> bool:
    if isinstance(x, (str, bytes, Record)):
        return False
    return hasattr(x, "__len__") and hasattr(x, "__getitem__")


def assert_close(
    actual: Any,
    certified: Any,
    rtol: Optional[float] = None,
    atol: Optional[float] = None,
) -> None:
    """Assert that the float ``actual`` is close to the certified ``certified``.

    ``certified`` is a leaf of an :class:`alignexact.Result` (:class:`alignexact.Certified`,
    ``Fraction``, ``int``, an infinity, ``None`` for an undefined value) or a list of them;
    ``actual`` is a float (numpy scalar, ...) or a sequence of the same length (a numpy array).
    The test is ``|actual - v| <= atol + rtol |v|`` with ``v`` the certified value, evaluated
    exactly; ``rtol``/``atol`` default to the vectors' tolerance model for that field (see the
    module docstring). An infinity must be matched by an infinity of the same sign, ``None``
    by ``nan`` or ``None``. The failure message shows the certified digits and the enclosure.
    """
    if _is_seq(certified):
        if not _is_seq(actual) or len(actual) != len(certified):
            n = len(actual) if _is_seq(actual) else "a scalar"
            raise AssertionError(f"not close: expected a sequence of length {len(certified)}, got {n}")
        for a, c in zip(actual, certified):
            assert_close(a, c, rtol, atol)
        return
    label = _label(certified)
    head = f"not close: {label}" if label else "not close"
    if type(actual) not in (int, float, Fraction, Decimal, str) and actual is not None:
        try:
            actual = float(actual)  # numpy scalars: shown as plain floats
        except (TypeError, ValueError):
            pass
    if certified is None:
        if actual is None or (isinstance(actual, float) and math.isnan(actual)):
            return
        raise AssertionError(f"{head}\n  actual     {actual!r}\n  certified  undefined (null): expected nan or None")
    if isinstance(certified, float) and math.isinf(certified):
        a = float(actual)
        if a == certified:
            return
        raise AssertionError(f"{head}\n  actual     {actual!r}\n  certified  {certified} (exact)")
    model_rtol, model_atol, note = tolerance(certified)
    rt = model_rtol if rtol is None else Decimal(str(rtol)) if isinstance(rtol, float) else Decimal(rtol)
    at = model_atol if atol is None else Decimal(str(atol)) if isinstance(atol, float) else Decimal(atol)
    if rtol is not None or atol is not None:
        note = "given" + (f" (the rest from the {note})" if rtol is None or atol is None else "")
    ctx = _ctx()
    if isinstance(certified, Certified):
        v = Decimal(certified.value)
        shown = certified.value
        enclosure = f"\n  enclosure  [{certified.lo}, {certified.hi}]"
    elif isinstance(certified, Bounds):
        raise TypeError("assert_close: Bounds carry no certified value to compare with; use .contains()")
    elif isinstance(certified, (Fraction, int)) and not isinstance(certified, bool):
        f = Fraction(certified)
        v = _exact(f)
        if abs(f.numerator) < 10**40 and f.denominator < 10**40:
            shown = str(f) + " (exact)"
        else:
            shown = "{:.30g} (exact rational, {}-digit denominator)".format(v, len(str(Decimal(f.denominator))))
        enclosure = ""
    else:
        raise TypeError(f"assert_close: certified must be a leaf of an alignexact result, got {type(certified).__name__}")
    a = _exact(actual)
    if a.is_nan():
        raise AssertionError(f"{head}\n  actual     nan\n  certified  {shown}{enclosure}")
    if a.is_infinite():
        raise AssertionError(f"{head}\n  actual     {a}\n  certified  {shown}{enclosure}")
    diff = ctx.abs(ctx.subtract(a, v))
    bound = ctx.add(at, ctx.multiply(rt, ctx.abs(v)))
    if diff <= bound:
        return
    raise AssertionError(
        f"{head}\n"
        f"  actual     {actual!r}\n"
        f"  certified  {shown}{enclosure}\n"
        f"  |actual - certified| = {_sci(diff)} > atol + rtol |certified| = {_sci(at)} + {_sci(rt)} * {_sci(ctx.abs(v))} = {_sci(bound)}\n"
        f"  tolerance  {note}"
    )
