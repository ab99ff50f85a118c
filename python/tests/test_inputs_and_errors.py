"""Exact inputs, the float refusal, and the mapping of exit codes to exceptions."""

from __future__ import annotations

import pickle
import threading
import time
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

import alignexact
from alignexact import Bounds, CertificationError, Certified, ClaimViolated, InputError

A = dict(p="1/2,3/10,1/5", r="0,1,3")


@pytest.mark.parametrize(
    "delta",
    ["3/10", "0.3", "3e-1", Fraction(3, 10), Decimal("0.3"), Decimal("3E-1")],
    ids=repr,
)
def test_exact_input_forms_agree(delta: Any) -> None:
    res = alignexact.tilt(**A, delta=delta, digits=25)
    ref = alignexact.tilt(**A, delta="3/10", digits=25)
    assert res.result_equal if False else res.to_dict() == ref.to_dict()
    assert res.delta == Fraction(3, 10)


def test_lists_of_numbers_of_every_exact_kind() -> None:
    p = [Fraction(1, 2), Decimal("0.3"), "1/5"]
    r = [0, 1, 3]
    assert alignexact.tilt(p, r, delta="3/10").to_dict() == alignexact.tilt(**A, delta="3/10").to_dict()


def test_numpy_integers_are_exact_and_numpy_floats_are_refused() -> None:
    np = pytest.importorskip("numpy")
    res = alignexact.tilt(p=A["p"], r=np.array([0, 1, 3]), delta="3/10")
    assert res.input["r"] == ["0", "1", "3"]
    with pytest.raises(TypeError, match=r"Fraction\(0\.5\)"):
        alignexact.tilt(p=np.array([0.5, 0.3, 0.2]), r=[0, 1, 3], delta="3/10")


@pytest.mark.parametrize("kw", ["delta", "lambda_"])
def test_float_raises_type_error_naming_the_fix(kw: str) -> None:
    with pytest.raises(TypeError) as e:
        alignexact.tilt(**A, **{kw: 0.1})
    msg = str(e.value)
    assert "Fraction(0.1)" in msg and "str(0.1)" in msg
    assert "3602879701896397/36028797018963968" in msg  # the exact binary value 0.1 stands for


def test_float_inside_a_list_is_refused_with_its_index() -> None:
    with pytest.raises(TypeError, match=r"p\[1\]=0\.3"):
        alignexact.tilt(p=["1/2", 0.3, "1/5"], r=[0, 1, 3], delta="3/10")


def test_unknown_keyword_is_a_type_error_listing_the_flags() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'dleta'.*delta"):
        alignexact.tilt(**A, dleta="3/10")


def test_bad_input_raises_value_error_with_the_cli_message(cli: Any) -> None:
    with pytest.raises(ValueError) as e:
        alignexact.tilt(p="1/2,1/3", r="0,1", delta="1/10")
    assert isinstance(e.value, InputError) and e.value.exit_code == 2
    code, out, err = cli(["tilt", "--p", "1/2,1/3", "--r", "0,1", "--delta", "1/10", "--json"])
    assert code == 2 and out == ""
    assert err == "error: " + str(e.value) + "\n"


def test_missing_flag_and_bad_number_are_value_errors(cli: Any) -> None:
    with pytest.raises(InputError, match="--delta|--lambda|budget"):
        alignexact.tilt(**A)
    with pytest.raises(InputError, match="nan"):
        alignexact.tilt(**A, delta="nan")
    with pytest.raises(ValueError, match="finite"):
        alignexact.tilt(**A, delta=Decimal("NaN"))


def test_uncertifiable_raises_certification_error(cli: Any) -> None:
    argv = ["tilt", "--p", "1/2,1/2", "--r", "0,1", "--delta", "1/10", "--digits", "1000", "--max-bits", "64"]
    code, _, err = cli(argv + ["--json"])
    assert code == 3
    with pytest.raises(CertificationError) as e:
        alignexact.tilt(p="1/2,1/2", r="0,1", delta="1/10", digits=1000, max_bits=64)
    assert e.value.exit_code == 3
    assert err == "error: " + str(e.value) + "\n"
    assert isinstance(e.value, ArithmeticError)


def test_check_strict_raises_claim_violated(cli: Any) -> None:
    # the hidden --false-claim flag evaluates a deliberately false statement
    res = alignexact.check(false_claim="beirami-reversed", digits=15)
    code, out, _ = cli(["check", "--false-claim", "beirami-reversed", "--digits", "15", "--json"])
    assert code == res.exit_code == 1
    assert res.to_json() == out
    assert [c.status for c in res.claims] == ["violated"]
    with pytest.raises(ClaimViolated) as e:
        alignexact.check(false_claim="beirami-reversed", digits=15, strict=True)
    assert isinstance(e.value, AssertionError)
    assert [c.id for c in e.value.violated] == ["BON-3.reversed"]
    assert e.value.result.to_json() == out
    # a passing check in strict mode returns normally
    assert alignexact.check("TILT-1", digits=15, strict=True).exit_code == 0


def test_unknown_claim_id_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown claim id 'NOPE-9'"):
        alignexact.check("NOPE-9")


# --- leaves -----------------------------------------------------------------------------------


def test_certified_is_immutable_hashable_and_picklable() -> None:
    c = alignexact.tilt(**A, delta="3/10").lambda_
    with pytest.raises(AttributeError):
        c.value = "1"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        c._lo = Decimal(0)  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(c)) == c
    assert hash(pickle.loads(pickle.dumps(c))) == hash(c)
    assert {c: 1}[Certified(c.value, c.lo, c.hi)] == 1
    assert str(c) == c.value and repr(c) == f"Certified('{c.value}')"


def test_certified_contains_and_float() -> None:
    c = alignexact.tilt(**A, delta="3/10", digits=20).lambda_
    assert isinstance(c.lo, Decimal) and isinstance(c.hi, Decimal)
    assert c.contains(c.lo) and c.contains(c.hi)
    # value has 20 digits and is within one unit in its last place of the truth, not inside [lo, hi]
    assert abs(Decimal(c.value) - c.lo) <= Decimal('1e-20')
    mid = (Fraction(c.lo) + Fraction(c.hi)) / 2
    assert c.contains(mid) and mid in c
    assert not c.contains(Fraction(c.hi) + Fraction(1, 10**40))
    assert not c.contains(0.6)  # a float is compared with its exact binary value
    assert float(c) == float(mid)  # Fraction -> float rounds correctly
    assert abs(Fraction(float(c)) - mid) < Fraction(1, 10**15)


def test_to_mpmath() -> None:
    mpmath = pytest.importorskip("mpmath")
    c = alignexact.tilt(**A, delta="3/10", digits=40).lambda_
    with mpmath.workdps(50):
        x = c.to_mpmath()
        assert isinstance(x, mpmath.mpf)
        assert mpmath.nstr(x, 40) == c.value
        iv = c.to_mpmath(interval=True)
        assert iv.a <= x <= iv.b


def test_infinity_and_null_leaves() -> None:
    res = alignexact.rate(p="7/10,3/10", r="0,1", x="2")
    assert res.lambda_x is None  # undefined outside [r_min, r_max]
    assert res.rate_reference == float("inf")


def test_bounds_leaves_of_claim_margins() -> None:
    res = alignexact.check("BON-3", digits=20)
    for c in res.claims:
        for k in ("lhs", "rhs", "margin"):
            leaf = c[k]
            assert leaf is None or isinstance(leaf, (Bounds, Fraction, float)), (c.id, k, leaf)


# --- GIL and Ctrl-C ---------------------------------------------------------------------------

# about 0.3 s and 4 s of computation with a few MB of memory
# long enough to measure on any machine (tilt at 100000 digits takes about 1.5 s of CPU)
SLOW = dict(p="1/2,3/10,1/5", r="0,1,3", delta="3/10", digits=40000)
SLOWER = {**SLOW, "digits": 100000}


def test_the_gil_is_released_during_a_computation() -> None:
    ticks = 0
    done = threading.Event()

    def work() -> None:
        alignexact.tilt(**SLOW)
        done.set()

    t = threading.Thread(target=work)
    t0 = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    elapsed = time.perf_counter() - t0
    # the main thread kept running Python code while the computation held no GIL: it ticked
    # through most of the computation (a held GIL would allow about one tick)
    assert ticks > 20 and ticks * 0.001 > 0.2 * elapsed, (elapsed, ticks)


def test_ctrl_c_interrupts_a_long_computation() -> None:
    import _thread

    timer = threading.Timer(0.2, _thread.interrupt_main)
    t0 = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        alignexact.tilt(**SLOWER)
    waited = time.perf_counter() - t0
    timer.cancel()
    assert waited < 1.5, waited
