//! Directed-rounding endpoint helpers: the one audited place where MPFR rounding modes are chosen.
//!
//! Every lower endpoint of an enclosure is produced by a `*_dn` helper (rounded toward −∞) and
//! every upper endpoint by a `*_up` helper (rounded toward +∞). MPFR guarantees correct rounding
//! for each of these operations in the requested direction, so `dn(f(x)) <= f(x) <= up(f(x))`
//! holds for the exact real `f(x)` of exact Float arguments `x`.

use rug::float::{Round, Special};
use rug::ops::CompleteRound;
use rug::{Float, Rational};

/// Widen MPFR's exponent range to its maximum (binary exponents in about `±2^62` instead of
/// the default `±2^30`), so that quantities such as `e^{-5·10^9}` are ordinary floats instead
/// of underflowing to `[0, 2^-2^30]` (an enclosure that can never certify a digit). MPFR keeps
/// the range per thread (it is built thread-safe), so every entry point that computes calls this;
/// it is idempotent and cheap. Correct rounding is unaffected: MPFR rounds correctly in any range.
pub fn widen_exponent_range() {
    use gmp_mpfr_sys::mpfr;
    // SAFETY: plain setters of MPFR's (thread-local) exponent range with the values MPFR itself
    // reports as allowed; existing floats stay valid since the new range contains the old one.
    unsafe {
        if mpfr::get_emin() != mpfr::get_emin_min() {
            mpfr::set_emin(mpfr::get_emin_min());
        }
        if mpfr::get_emax() != mpfr::get_emax_max() {
            mpfr::set_emax(mpfr::get_emax_max());
        }
    }
}

/// The binary exponent `e` of a normal float (`2^(e-1) <= |x| < 2^e`) as an `i64`, `None` for
/// zero, infinities and NaN. Unlike `Float::get_exp` it does not panic outside the `i32` range,
/// which the widened exponent range reaches.
pub fn exp2_of(x: &Float) -> Option<i64> {
    if !x.is_normal() {
        return None;
    }
    // SAFETY: reads the exponent field of a valid, normal mpfr_t.
    Some(unsafe { gmp_mpfr_sys::mpfr::get_exp(x.as_raw()) } as i64)
}

/// The first `n >= 1` significant decimal digits of a normal float, correctly rounded in
/// direction `round` by MPFR (`mpfr_get_str`): `(negative, digits, e)` with
/// `|x| ~ 0.d_1 d_2 ... d_n × 10^e`. The cost does not depend on the exponent of `x` (unlike
/// `Float::to_string_radix`, whose buffer estimate grows with the exponent itself).
pub fn decimal_digits(x: &Float, n: usize, round: Round) -> (bool, String, i64) {
    use gmp_mpfr_sys::mpfr;
    assert!(n >= 1 && x.is_normal());
    let rnd = match round {
        Round::Down => mpfr::rnd_t::RNDD,
        Round::Up => mpfr::rnd_t::RNDU,
        Round::Zero => mpfr::rnd_t::RNDZ,
        _ => mpfr::rnd_t::RNDN,
    };
    let mut e: mpfr::exp_t = 0;
    // SAFETY: with a null buffer MPFR allocates a NUL-terminated string of n digits plus an
    // optional sign, which is copied and then released with mpfr_free_str.
    unsafe {
        let p = mpfr::get_str(std::ptr::null_mut(), &mut e, 10, n, x.as_raw(), rnd);
        assert!(!p.is_null(), "mpfr_get_str failed");
        let s = std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned();
        mpfr::free_str(p);
        let neg = s.starts_with('-');
        (neg, s.trim_start_matches('-').to_string(), e as i64)
    }
}

/// [`decimal_digits`] for `n <= 38` digits as a machine integer, without heap allocation:
/// `(negative, d, e)` with `d` the `n` digits (`10^(n-1) <= d < 10^n`) and
/// `|x| ~ 0.d × 10^e`. The same MPFR call, so the same digits.
pub fn decimal_digits_u128(x: &Float, n: usize, round: Round) -> (bool, u128, i64) {
    use gmp_mpfr_sys::mpfr;
    assert!((1..=38).contains(&n) && x.is_normal());
    let rnd = match round {
        Round::Down => mpfr::rnd_t::RNDD,
        Round::Up => mpfr::rnd_t::RNDU,
        Round::Zero => mpfr::rnd_t::RNDZ,
        _ => mpfr::rnd_t::RNDN,
    };
    let mut e: mpfr::exp_t = 0;
    // MPFR writes n digits, an optional sign and a NUL: n + 2 <= 40 bytes
    let mut buf = [0u8; 48];
    // SAFETY: the buffer holds n + 2 bytes, the size mpfr_get_str requires for n digits.
    let p = unsafe { mpfr::get_str(buf.as_mut_ptr().cast(), &mut e, 10, n, x.as_raw(), rnd) };
    assert!(!p.is_null(), "mpfr_get_str failed");
    let mut neg = false;
    let mut d: u128 = 0;
    for &b in buf.iter().take_while(|&&b| b != 0) {
        match b {
            b'-' => neg = true,
            b'0'..=b'9' => d = d * 10 + u128::from(b - b'0'),
            _ => panic!("mpfr_get_str: unexpected byte {b}"),
        }
    }
    (neg, d, e as i64)
}

/// A short decimal rendering of a float for messages (12 digits, any exponent).
pub fn short_text(x: &Float) -> String {
    if !x.is_normal() {
        return x.to_string();
    }
    let (neg, d, e) = decimal_digits(x, 12, Round::Nearest);
    format!("{}0.{d}e{e}", if neg { "-" } else { "" })
}

/// `q` rounded toward −∞ to `prec` bits.
pub fn rat_dn(q: &Rational, prec: u32) -> Float {
    Float::with_val_round(prec, q, Round::Down).0
}
/// `q` rounded toward +∞ to `prec` bits.
pub fn rat_up(q: &Rational, prec: u32) -> Float {
    Float::with_val_round(prec, q, Round::Up).0
}

/// The integer `i` rounded toward −∞ to `prec` bits (no copy of `i`).
pub fn int_dn(i: &rug::Integer, prec: u32) -> Float {
    Float::with_val_round(prec, i, Round::Down).0
}
/// The integer `i` rounded toward +∞ to `prec` bits.
pub fn int_up(i: &rug::Integer, prec: u32) -> Float {
    Float::with_val_round(prec, i, Round::Up).0
}

/// Both outward roundings of an exact value from one correctly rounded conversion: `lo` is `x`
/// rounded toward −∞ and, when that was inexact, `hi` is the next float above `lo`. This is
/// exact reasoning, not an estimate: `lo` is the largest float `<= x`, so an `x` that is not
/// representable lies strictly below the next float. Halves the cost of converting big numbers.
fn dn_up_from(lo: (Float, std::cmp::Ordering)) -> (Float, Float) {
    let (lo, ord) = lo;
    let mut hi = lo.clone();
    if ord != std::cmp::Ordering::Equal {
        hi.next_up();
    }
    (lo, hi)
}

/// `(q↓, q↑)` for an exact rational `q`, from one conversion.
pub fn rat_dn_up(q: &Rational, prec: u32) -> (Float, Float) {
    dn_up_from(Float::with_val_round(prec, q, Round::Down))
}

/// `(i↓, i↑)` for an exact integer `i`, from one conversion.
pub fn int_dn_up(i: &rug::Integer, prec: u32) -> (Float, Float) {
    dn_up_from(Float::with_val_round(prec, i, Round::Down))
}

/// +∞ at `prec` bits.
pub fn pos_inf(prec: u32) -> Float {
    Float::with_val(prec, Special::Infinity)
}
/// −∞ at `prec` bits.
pub fn neg_inf(prec: u32) -> Float {
    Float::with_val(prec, Special::NegInfinity)
}
/// Exact zero at `prec` bits.
pub fn zero(prec: u32) -> Float {
    Float::with_val(prec, Special::Zero)
}

macro_rules! binop {
    ($dn:ident, $up:ident, $op:tt, $doc:literal) => {
        #[doc = concat!("`a ", $doc, " b` rounded toward −∞.")]
        pub fn $dn(a: &Float, b: &Float, prec: u32) -> Float {
            (a $op b).complete_round(prec, Round::Down).0
        }
        #[doc = concat!("`a ", $doc, " b` rounded toward +∞.")]
        pub fn $up(a: &Float, b: &Float, prec: u32) -> Float {
            (a $op b).complete_round(prec, Round::Up).0
        }
    };
}
binop!(add_dn, add_up, +, "+");
binop!(sub_dn, sub_up, -, "−");
binop!(div_dn, div_up, /, "÷");

/// `a × b` rounded toward −∞, with the interval convention `0 × ±∞ = 0`.
pub fn mul_dn(a: &Float, b: &Float, prec: u32) -> Float {
    if a.is_zero() || b.is_zero() {
        return zero(prec);
    }
    (a * b).complete_round(prec, Round::Down).0
}
/// `a × b` rounded toward +∞, with the interval convention `0 × ±∞ = 0`.
pub fn mul_up(a: &Float, b: &Float, prec: u32) -> Float {
    if a.is_zero() || b.is_zero() {
        return zero(prec);
    }
    (a * b).complete_round(prec, Round::Up).0
}

macro_rules! unop {
    ($dn:ident, $up:ident, $m:ident, $doc:literal) => {
        #[doc = concat!("`", $doc, "(a)` rounded toward −∞.")]
        pub fn $dn(a: &Float, prec: u32) -> Float {
            Float::with_val_round(prec, a.$m(), Round::Down).0
        }
        #[doc = concat!("`", $doc, "(a)` rounded toward +∞.")]
        pub fn $up(a: &Float, prec: u32) -> Float {
            Float::with_val_round(prec, a.$m(), Round::Up).0
        }
    };
}
unop!(exp_dn, exp_up, exp_ref, "exp");
unop!(ln_dn, ln_up, ln_ref, "ln");
unop!(ln1p_dn, ln1p_up, ln_1p_ref, "ln1p");
unop!(expm1_dn, expm1_up, exp_m1_ref, "expm1");
unop!(sqrt_dn, sqrt_up, sqrt_ref, "sqrt");

/// `f(a)` rounded toward −∞ together with an upper bound from the same call: the next float
/// above when MPFR's ternary value says the result was inexact (the rounded-down value is the
/// largest float `<= f(a)`, so an inexact `f(a)` lies strictly below the next float).
macro_rules! unop_both {
    ($name:ident, $m:ident, $doc:literal) => {
        #[doc = concat!("`(", $doc, "(a)↓, ", $doc, "(a)↑)` from one correctly rounded evaluation.")]
        pub fn $name(a: &Float, prec: u32) -> (Float, Float) {
            dn_up_from(Float::with_val_round(prec, a.$m(), Round::Down))
        }
    };
}
unop_both!(exp_both, exp_ref, "exp");
unop_both!(ln_both, ln_ref, "ln");
unop_both!(ln1p_both, ln_1p_ref, "ln1p");
unop_both!(expm1_both, exp_m1_ref, "expm1");

/// `a^n` for an integer `n`, rounded toward −∞ (MPFR `pow_si`, correctly rounded).
pub fn powi_dn(a: &Float, n: i64, prec: u32) -> Float {
    use rug::ops::Pow;
    Float::with_val_round(prec, a.pow(n), Round::Down).0
}
/// `a^n` for an integer `n`, rounded toward +∞.
pub fn powi_up(a: &Float, n: i64, prec: u32) -> Float {
    use rug::ops::Pow;
    Float::with_val_round(prec, a.pow(n), Round::Up).0
}

/// A mathematical constant, rounded toward −∞.
pub fn const_dn(c: rug::float::Constant, prec: u32) -> Float {
    Float::with_val_round(prec, c, Round::Down).0
}
/// A mathematical constant, rounded toward +∞.
pub fn const_up(c: rug::float::Constant, prec: u32) -> Float {
    Float::with_val_round(prec, c, Round::Up).0
}

/// The smaller of two floats (NaN-free inputs).
pub fn fmin(a: &Float, b: &Float) -> Float {
    if a <= b {
        a.clone()
    } else {
        b.clone()
    }
}
/// The larger of two floats (NaN-free inputs).
pub fn fmax(a: &Float, b: &Float) -> Float {
    if a >= b {
        a.clone()
    } else {
        b.clone()
    }
}
