//! Containment, outward rounding and tightness of every operation of `alignexact::real::Enc`,
//! and the decimal formatting / certification of `alignexact::real::format`.
//!
//! Each operation is checked
//! (a) against a much higher-precision evaluation: the midpoint of the 2000-bit enclosure of the
//!     same quantity must lie inside the 64-bit enclosure;
//! (b) against exact num-rational arithmetic: for the rational operations the exact result, and
//!     for the transcendental ones a rigorous rational bracket (truncated Taylor / atanh series with
//!     a bounded tail, integer square roots), must lie inside `[lo, hi]`;
//! (c) for tightness: an operation that returned the whole line would pass (a) and (b), so every
//!     width is bounded too.
//! All comparisons are done in num-rational on the exact dyadic values of the MPFR endpoints.

mod common;

use alignexact::real::format::{
    certify_decimal, certify_exp_decimal, rational_to_sig_decimal, render, round_sig, Dir, BOUND_EXTRA_DIGITS,
};
use alignexact::real::Enc;
use common::{
    big, big_to_rat, decimal_to_big, float_to_big, float_to_ext, pow10, pow2, rat_to_big, significant_digits,
    ulp_sig, Ext, SplitMix64,
};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use rug::{Float, Integer, Rational};
use std::cmp::Ordering;
use std::sync::OnceLock;

type Q = BigRational;

// =============================================================================================
// Rigorous rational brackets for the transcendental functions (independent of MPFR)
// =============================================================================================

/// Significant bits kept in the dyadic endpoints of a bracket (relative rounding).
const KB: i64 = 200;

/// The binary scale that leaves `KB` significant bits in `q` (q != 0).
fn scale_for(q: &Q) -> i64 {
    KB - (q.numer().bits() as i64 - q.denom().bits() as i64)
}
/// `q` rounded down to `KB` significant bits (a dyadic rational `<= q`).
fn rdn(q: &Q) -> Q {
    if q.is_zero() {
        return Q::zero();
    }
    let s = scale_for(q);
    (q * pow2(s)).floor() * pow2(-s)
}
/// `q` rounded up to `KB` significant bits (a dyadic rational `>= q`).
fn rup(q: &Q) -> Q {
    if q.is_zero() {
        return Q::zero();
    }
    let s = scale_for(q);
    (q * pow2(s)).ceil() * pow2(-s)
}

fn qi(i: i64) -> Q {
    Q::from_integer(BigInt::from(i))
}

/// Fractional bits of the fixed-point integers used inside the series.
const W: usize = 230;

fn fx_floor(q: &Q) -> BigInt {
    (q * pow2(W as i64)).floor().to_integer()
}
fn fx_ceil(q: &Q) -> BigInt {
    (q * pow2(W as i64)).ceil().to_integer()
}
fn fx_to_q(i: &BigInt) -> Q {
    Q::new(i.clone(), BigInt::one() << W)
}
/// `a b / 2^W` rounded down (non-negative fixed-point operands).
fn mul_fl(a: &BigInt, b: &BigInt) -> BigInt {
    (a * b) >> W
}
/// `a b / 2^W` rounded up (non-negative fixed-point operands).
fn mul_ce(a: &BigInt, b: &BigInt) -> BigInt {
    ((a * b) + ((BigInt::one() << W) - 1)) >> W
}
/// `a / k` rounded up (non-negative `a`, positive `k`).
fn div_ce(a: &BigInt, k: i64) -> BigInt {
    (a + BigInt::from(k - 1)) / BigInt::from(k)
}

/// `[L, U]` with `L <= exp(x) <= U`.
/// `x < 0` uses `exp(x) = 1 / exp(-x)`. For `x >= 0`: range reduction `t = x / 2^s <= 1/2`;
/// the Taylor series is summed in fixed point (`W` fractional bits) on `floor(t)` for the lower
/// and `ceil(t)` for the upper bound (all terms positive, exp increasing), each product rounded
/// down resp. up; the loop stops when the upper bound of the next term `t^{k}/k!` is at most one
/// unit, and the tail `sum_{j>=k} t^j/j! <= 2 t^k/k!` (the terms shrink by `t/(j+1) <= 1/2`) is
/// added to the upper bound as two units. Then `s` squarings (monotone on positive numbers).
fn exp_bracket(x: &Q) -> (Q, Q) {
    if x.is_negative() {
        let (l, u) = exp_bracket(&-x);
        return (rdn(&u.recip()), rup(&l.recip()));
    }
    let half = big(1, 2);
    let mut t = x.clone();
    let mut s = 0;
    while t > half {
        t /= qi(2);
        s += 1;
    }
    let (t_lo, t_hi) = (fx_floor(&t), fx_ceil(&t));
    let one = BigInt::one() << W;
    let (mut sum_lo, mut sum_hi) = (BigInt::zero(), BigInt::zero());
    let (mut term_lo, mut term_hi) = (one.clone(), one);
    let mut k: i64 = 0;
    while term_hi > BigInt::one() {
        sum_lo += &term_lo;
        sum_hi += &term_hi;
        term_lo = mul_fl(&term_lo, &t_lo) / BigInt::from(k + 1);
        term_hi = div_ce(&mul_ce(&term_hi, &t_hi), k + 1);
        k += 1;
    }
    let mut lo = sum_lo;
    let mut hi = sum_hi + term_hi * 2;
    for _ in 0..s {
        lo = mul_fl(&lo, &lo);
        hi = mul_ce(&hi, &hi);
    }
    (fx_to_q(&lo), fx_to_q(&hi))
}

/// `[L, U]` with `L <= 2 atanh(z) <= U` for `|z| <= 1/3` (atanh is odd and increasing):
/// `atanh z = sum_k z^{2k+1}/(2k+1)`, summed in fixed point on `floor(z)` / `ceil(z)` with
/// directed products; when the upper bound of `z^{2k+1}` is at most one unit the loop stops and
/// the tail `<= z^{2k+1} / ((2k+1)(1 - z^2)) <= (9/8) z^{2k+1}` is added as two units.
fn two_atanh_bracket(z: &Q) -> (Q, Q) {
    assert!(z.abs() <= big(1, 3));
    if z.is_negative() {
        let (l, u) = two_atanh_bracket(&-z);
        return (-u, -l);
    }
    if z.is_zero() {
        return (Q::zero(), Q::zero());
    }
    let (z_lo, z_hi) = (fx_floor(z), fx_ceil(z));
    let (z2_lo, z2_hi) = (mul_fl(&z_lo, &z_lo), mul_ce(&z_hi, &z_hi));
    let (mut sum_lo, mut sum_hi) = (BigInt::zero(), BigInt::zero());
    let (mut pw_lo, mut pw_hi) = (z_lo, z_hi);
    let mut k: i64 = 0;
    while pw_hi > BigInt::one() {
        sum_lo += &pw_lo / BigInt::from(2 * k + 1);
        sum_hi += div_ce(&pw_hi, 2 * k + 1);
        pw_lo = mul_fl(&pw_lo, &z2_lo);
        pw_hi = mul_ce(&pw_hi, &z2_hi);
        k += 1;
    }
    sum_hi += pw_hi * 2;
    (fx_to_q(&(sum_lo * 2)), fx_to_q(&(sum_hi * 2)))
}

fn ln2_bracket() -> &'static (Q, Q) {
    static L: OnceLock<(Q, Q)> = OnceLock::new();
    L.get_or_init(|| two_atanh_bracket(&big(1, 3)))
}

/// `[L, U]` with `L <= ln(x) <= U` for rational `x > 0`: `x = 2^m y`, `y in [3/4, 3/2)`,
/// `ln y = 2 atanh((y-1)/(y+1))` with `|z| <= 1/5`.
fn ln_bracket(x: &Q) -> (Q, Q) {
    assert!(x.is_positive(), "ln of {x}");
    let mut m: i64 = x.numer().bits() as i64 - x.denom().bits() as i64;
    let (lo_y, hi_y) = (big(3, 4), big(3, 2));
    let mut y = x * pow2(-m);
    while y < lo_y {
        y *= qi(2);
        m -= 1;
    }
    while y >= hi_y {
        y /= qi(2);
        m += 1;
    }
    let z = (&y - Q::one()) / (&y + Q::one());
    let (ly, uy) = two_atanh_bracket(&z);
    let (l2, u2) = ln2_bracket();
    let mq = qi(m);
    if m >= 0 {
        (&mq * l2 + ly, &mq * u2 + uy)
    } else {
        (&mq * u2 + ly, &mq * l2 + uy)
    }
}

/// `[L, U]` with `L <= sqrt(x) <= U`, from an integer square root at a relative scale.
fn sqrt_bracket(x: &Q) -> (Q, Q) {
    assert!(!x.is_negative());
    if x.is_zero() {
        return (Q::zero(), Q::zero());
    }
    let s = KB - (x.numer().bits() as i64 - x.denom().bits() as i64) / 2;
    let scaled = (x * pow2(2 * s)).floor().to_integer();
    let r = scaled.sqrt();
    (
        Q::from_integer(r.clone()) * pow2(-s),
        Q::from_integer(r + 1) * pow2(-s),
    )
}

/// `[L, U]` for `x^y = exp(y ln x)`, `x > 0`.
fn pow_bracket(x: &Q, y: &Q) -> (Q, Q) {
    let (l, u) = ln_bracket(x);
    let (a, b) = if y.is_negative() {
        (y * &u, y * &l)
    } else {
        (y * &l, y * &u)
    };
    (exp_bracket(&rdn(&a)).0, exp_bracket(&rup(&b)).1)
}

/// `[L, U]` for `x ln(x/y)`, `x, y > 0`.
fn xlogxy_bracket(x: &Q, y: &Q) -> (Q, Q) {
    let (lx, ux) = ln_bracket(x);
    let (ly, uy) = ln_bracket(y);
    (x * (lx - uy), x * (ux - ly))
}

#[test]
fn brackets_themselves_are_tight_and_consistent() {
    // ln 2 to 60 digits (a published constant) lies in the bracket; the bracket is narrow
    let ln2 = decimal_to_big("0.693147180559945309417232121458176568075500134360255254120680");
    let (l, u) = ln2_bracket();
    assert!(l <= &(&ln2 + pow10(-60)) && &(&ln2 - pow10(-60)) <= u);
    assert!(u - l < pow2(-190));
    // exp(ln bracket) brackets the argument back
    let x = big(7, 3);
    let (a, b) = ln_bracket(&x);
    assert!(exp_bracket(&a).0 <= x && x <= exp_bracket(&b).1);
    // e = exp(1) against a published constant
    let e = decimal_to_big("2.718281828459045235360287471352662497757247093699959574966968");
    let (a, b) = exp_bracket(&Q::one());
    assert!(a <= &e + pow10(-60) && &e - pow10(-60) <= b && &b - &a < pow2(-190));
    let (a, b) = sqrt_bracket(&big(2, 1));
    let r2 = decimal_to_big("1.414213562373095048801688724209698078569671875376948073176680");
    assert!(a <= &r2 + pow10(-60) && &r2 - pow10(-60) <= b);
}

// =============================================================================================
// Harness
// =============================================================================================

fn enc_q(q: &Q, prec: u32) -> Enc {
    Enc::from_rational(&big_to_rat(q), prec)
}

fn lo_q(e: &Enc) -> Ext {
    float_to_ext(e.lo())
}
fn hi_q(e: &Enc) -> Ext {
    float_to_ext(e.hi())
}

fn width_q(e: &Enc) -> Q {
    float_to_big(e.hi()) - float_to_big(e.lo())
}

fn mid_q(e: &Enc) -> Q {
    (float_to_big(e.hi()) + float_to_big(e.lo())) / Q::from_integer(BigInt::from(2))
}

fn show(e: &Enc) -> String {
    format!(
        "[{}, {}]",
        e.lo().to_string_radix(10, Some(25)),
        e.hi().to_string_radix(10, Some(25))
    )
}

/// Check one operation on exact rational inputs:
/// - (b) the bracket `[l, u]` of the exact value (equal for exact operations) lies in the
///   enclosure at 64 and 113 bits; the weaker, fully rigorous overlap is asserted first;
/// - (c) the width is at most `scale * 2^(16 - prec)`;
/// - (a) the midpoint of the 2000-bit enclosure lies in the 64-bit one.
fn check_point<F>(what: &str, xs: &[Q], f: F, bracket: (Q, Q), scale: Q)
where
    F: Fn(&[Enc], u32) -> Enc,
{
    let (l, u) = bracket;
    for prec in [64u32, 113] {
        let encs: Vec<Enc> = xs.iter().map(|x| enc_q(x, prec)).collect();
        let e = f(&encs, prec);
        assert!(
            lo_q(&e).le(&u) && hi_q(&e).ge(&l),
            "{what}{xs:?} at {prec} bits: {} misses the exact bracket [{l}, {u}]",
            show(&e)
        );
        assert!(
            lo_q(&e).le(&l) && hi_q(&e).ge(&u),
            "{what}{xs:?} at {prec} bits: {} does not contain the exact bracket",
            show(&e)
        );
        assert!(e.is_finite(), "{what}{xs:?}: not finite {}", show(&e));
        let tol = &scale * pow2(16 - prec as i64);
        assert!(
            width_q(&e) <= tol,
            "{what}{xs:?} at {prec} bits: too wide {}",
            show(&e)
        );
    }
    let e64 = f(&xs.iter().map(|x| enc_q(x, 64)).collect::<Vec<_>>(), 64);
    let e2000 = f(&xs.iter().map(|x| enc_q(x, 2000)).collect::<Vec<_>>(), 2000);
    let m = mid_q(&e2000);
    assert!(
        lo_q(&e64).le(&m) && hi_q(&e64).ge(&m),
        "{what}{xs:?}: the 2000-bit midpoint is outside the 64-bit enclosure {}",
        show(&e64)
    );
    assert!(
        width_q(&e2000) <= &scale * pow2(16 - 2000),
        "{what}{xs:?}: 2000-bit enclosure too wide"
    );
    assert!(e64.overlaps(&e2000));
}

fn exact(v: Q) -> (Q, Q) {
    (v.clone(), v)
}

fn abs1(q: &Q) -> Q {
    let a = q.abs();
    if a < Q::one() {
        Q::one()
    } else {
        a
    }
}

/// A random rational `n/d` with `|n| <= max_num`, `1 <= d <= max_den`.
fn rand_q(rng: &mut SplitMix64, max_num: i64, max_den: i64) -> Q {
    let d = rng.range_i64(1, max_den);
    let n = rng.range_i64(-max_num, max_num);
    big(n, d)
}

/// A random rational in `[-bound, bound]` with denominators up to `max_den`.
fn rand_bounded(rng: &mut SplitMix64, bound: i64, max_den: i64) -> Q {
    let d = rng.range_i64(1, max_den);
    big(rng.range_i64(-bound * d, bound * d), d)
}

/// A random rational in `(0, max]` with denominators up to `2^30`.
fn rand_pos(rng: &mut SplitMix64, max: i64) -> Q {
    let d = rng.range_i64(1, 1 << 30);
    let n = rng.range_i64(1, max * d);
    big(n, d)
}

/// A random rational with varied magnitude (from about 2^-40 to 2^40) and sign.
fn rand_wide(rng: &mut SplitMix64) -> Q {
    let base = rand_q(rng, 1 << 40, 1 << 30);
    let sh = rng.range_i64(-30, 10);
    base * pow2(sh)
}

const CASES: usize = 200;

// =============================================================================================
// Rational operations: exact num-rational results
// =============================================================================================

#[test]
fn from_rational_is_outward_and_one_ulp_wide() {
    // 1/3 is not a dyadic rational: lo < 1/3 < hi strictly, and they are adjacent floats
    for prec in [24u32, 53, 64, 200, 2000] {
        let e = Enc::from_rational(&Rational::from((1, 3)), prec);
        let third = big(1, 3);
        assert!(
            float_to_big(e.lo()) < third && third < float_to_big(e.hi()),
            "1/3 at {prec}"
        );
        let mut next = e.lo().clone();
        next.next_up();
        assert_eq!(&next, e.hi(), "1/3 at {prec}: endpoints must be adjacent floats");
        let e = Enc::from_rational(&Rational::from((-1, 3)), prec);
        assert!(float_to_big(e.lo()) < -big(1, 3) && -big(1, 3) < float_to_big(e.hi()));
    }
    // a dyadic rational is a single point
    let e = Enc::from_rational(&Rational::from((3, 8)), 64);
    assert_eq!(float_to_big(e.lo()), big(3, 8));
    assert_eq!(float_to_big(e.hi()), big(3, 8));
    assert_eq!(
        e.cmp_certified(&Enc::from_rational(&Rational::from((3, 8)), 64)),
        Some(Ordering::Equal)
    );
    // random rationals
    let mut rng = SplitMix64(1);
    for _ in 0..CASES {
        let q = rand_wide(&mut rng);
        let e = enc_q(&q, 64);
        let (lo, hi) = (float_to_big(e.lo()), float_to_big(e.hi()));
        assert!(lo <= q && q <= hi, "{q}");
        let dyadic = q.denom().clone() & (q.denom() - BigInt::one()) == BigInt::zero();
        if lo == hi {
            assert_eq!(lo, q);
        } else {
            assert!(lo < q && q < hi, "{q} strictly inside");
            let mut next = e.lo().clone();
            next.next_up();
            assert_eq!(&next, e.hi(), "{q}: one ulp");
            assert!(!dyadic || q.numer().bits() > 64);
        }
        assert!(e.contains_rational(&big_to_rat(&q)));
    }
}

#[test]
fn add_contains_exact_sum() {
    let mut rng = SplitMix64(2);
    for _ in 0..CASES {
        let (x, y) = (rand_wide(&mut rng), rand_wide(&mut rng));
        let v = &x + &y;
        let scale = abs1(&x) + abs1(&y);
        check_point("add", &[x, y], |e, p| e[0].add(&e[1], p), exact(v), scale);
    }
    // 1 + 2^-100 at 64 bits is not representable: rounded outward to [1, 1 + 2^-63]
    let one = Enc::from_i64(1, 64);
    let tiny = enc_q(&pow2(-100), 64);
    let s = one.add(&tiny, 64);
    assert_eq!(float_to_big(s.lo()), Q::one());
    assert_eq!(float_to_big(s.hi()), Q::one() + pow2(-63));
}

#[test]
fn sub_contains_exact_difference() {
    let mut rng = SplitMix64(3);
    for _ in 0..CASES {
        let (x, y) = (rand_wide(&mut rng), rand_wide(&mut rng));
        let v = &x - &y;
        let scale = abs1(&x) + abs1(&y);
        check_point("sub", &[x, y], |e, p| e[0].sub(&e[1], p), exact(v), scale);
    }
    let s = Enc::from_i64(1, 64).sub(&enc_q(&pow2(-100), 64), 64);
    assert_eq!(float_to_big(s.lo()), Q::one() - pow2(-64));
    assert_eq!(float_to_big(s.hi()), Q::one());
}

#[test]
fn mul_contains_exact_product_all_signs() {
    let mut rng = SplitMix64(4);
    for _ in 0..CASES {
        let (x, y) = (rand_wide(&mut rng), rand_wide(&mut rng));
        let v = &x * &y;
        let scale = abs1(&x) * abs1(&y);
        check_point("mul", &[x, y], |e, p| e[0].mul(&e[1], p), exact(v), scale);
    }
}

#[test]
fn div_contains_exact_quotient() {
    let mut rng = SplitMix64(5);
    for _ in 0..CASES {
        let x = rand_wide(&mut rng);
        let mut y = rand_wide(&mut rng);
        if y.is_zero() {
            y = Q::one();
        }
        let v = &x / &y;
        let scale = abs1(&v) * Q::from_integer(BigInt::from(4));
        check_point("div", &[x, y], |e, p| e[0].div(&e[1], p), exact(v), scale);
    }
    // 1/3 from 1 ÷ 3: outward, strictly around 1/3
    let t = Enc::from_i64(1, 64).div(&Enc::from_i64(3, 64), 64);
    assert!(float_to_big(t.lo()) < big(1, 3) && big(1, 3) < float_to_big(t.hi()));
}

#[test]
fn powi_contains_exact_power() {
    let mut rng = SplitMix64(6);
    for _ in 0..CASES {
        let x = rand_q(&mut rng, 1 << 30, 1 << 28);
        let mut n = rng.range_i64(-7, 9);
        if x.is_zero() && n < 0 {
            n = -n;
        }
        let v = if n >= 0 {
            num_traits::pow(x.clone(), n as usize)
        } else {
            num_traits::pow(x.recip(), (-n) as usize)
        };
        let scale = abs1(&v) * Q::from_integer(BigInt::from(16));
        check_point(
            "powi",
            &[x, big(n, 1)],
            move |e, p| e[0].powi(n, p),
            exact(v),
            scale,
        );
    }
}

#[test]
fn neg_is_exact() {
    let mut rng = SplitMix64(7);
    for _ in 0..CASES {
        let x = rand_wide(&mut rng);
        let e = enc_q(&x, 64);
        let n = e.neg();
        assert_eq!(float_to_big(n.lo()), -float_to_big(e.hi()));
        assert_eq!(float_to_big(n.hi()), -float_to_big(e.lo()));
        check_point(
            "neg",
            std::slice::from_ref(&x),
            |e, _| e[0].neg(),
            exact(-x.clone()),
            abs1(&x),
        );
    }
}

/// `neg` of an enclosure whose endpoints carry different precisions (as `hull` of enclosures
/// computed at different precisions produces) must still be outward: negation is exact only if
/// each endpoint keeps its own precision.
#[test]
fn neg_is_outward_with_mixed_endpoint_precisions() {
    let mut rng = SplitMix64(8);
    for _ in 0..CASES {
        let a = rand_pos(&mut rng, 1);
        let b = &a + rand_pos(&mut rng, 1);
        let low = enc_q(&a, 64);
        let high = enc_q(&b, 2000);
        let h = low.hull(&high);
        let n = h.neg();
        assert!(
            float_to_big(n.lo()) <= -float_to_big(h.hi()),
            "neg of {} rounded its lower end inward: {}",
            show(&h),
            show(&n)
        );
        assert!(float_to_big(n.hi()) >= -float_to_big(h.lo()));
    }
}

#[test]
fn sum_contains_exact_sum() {
    let mut rng = SplitMix64(9);
    for _ in 0..CASES {
        let k = 1 + rng.below(8) as usize;
        let xs: Vec<Q> = (0..k).map(|_| rand_wide(&mut rng)).collect();
        let v: Q = xs.iter().cloned().fold(Q::zero(), |a, b| a + b);
        let scale: Q = xs.iter().map(abs1).fold(Q::zero(), |a, b| a + b);
        check_point("sum", &xs, |e, p| Enc::sum(e, p), exact(v), scale);
    }
    assert!(Enc::sum(std::iter::empty(), 64).is_exact_zero());
}

// =============================================================================================
// Interval (box) inputs: sign cases, corners, tightness
// =============================================================================================

/// A random float at 64 bits (exact dyadic value) of random sign and magnitude.
fn rand_float(rng: &mut SplitMix64) -> Float {
    let q = rand_wide(rng);
    Float::with_val(64, &big_to_rat(&q))
}

/// A random interval whose sign pattern is chosen by `kind`: 0 positive, 1 negative, 2 across 0,
/// 3 touching 0 from above, 4 touching 0 from below, 5 a single point.
fn rand_interval(rng: &mut SplitMix64, kind: u64) -> Enc {
    let a = rand_float(rng).abs();
    let b = rand_float(rng).abs();
    let (s, l) = if a <= b { (a, b) } else { (b, a) };
    let z = Float::new(64);
    match kind {
        0 => Enc::new(s, l),
        1 => Enc::new(-l, -s),
        2 => Enc::new(-s, l),
        3 => Enc::new(z, l),
        4 => Enc::new(-l, z),
        _ => Enc::new(s.clone(), s),
    }
}

fn qmin(v: &[Q]) -> Q {
    v.iter().min().unwrap().clone()
}
fn qmax(v: &[Q]) -> Q {
    v.iter().max().unwrap().clone()
}

/// `[lo, hi]` contains `[a, b]`, and each end is within a relative `2^(4-prec)` (or exactly 0).
fn assert_tight_hull(what: &str, e: &Enc, a: &Q, b: &Q, prec: u32) {
    let (lo, hi) = (float_to_big(e.lo()), float_to_big(e.hi()));
    assert!(
        lo <= *a && *b <= hi,
        "{what}: {} does not contain [{a}, {b}]",
        show(e)
    );
    let rel = pow2(4 - prec as i64);
    assert!(
        (a - &lo) <= (a.abs() * &rel),
        "{what}: lower end too loose: {} vs {a}",
        show(e)
    );
    assert!(
        (&hi - b) <= (b.abs() * &rel),
        "{what}: upper end too loose: {} vs {b}",
        show(e)
    );
}

#[test]
fn mul_of_intervals_hits_the_corner_hull_for_every_sign_pattern() {
    let mut rng = SplitMix64(10);
    for i in 0..(6 * 6 * 8) {
        let (kx, ky) = ((i % 6) as u64, ((i / 6) % 6) as u64);
        let x = rand_interval(&mut rng, kx);
        let y = rand_interval(&mut rng, ky);
        let (a, b, c, d) = (
            float_to_big(x.lo()),
            float_to_big(x.hi()),
            float_to_big(y.lo()),
            float_to_big(y.hi()),
        );
        let corners = [&a * &c, &a * &d, &b * &c, &b * &d];
        let r = x.mul(&y, 64);
        assert_tight_hull(
            &format!("mul kinds ({kx},{ky})"),
            &r,
            &qmin(&corners),
            &qmax(&corners),
            64,
        );
        // random interior points
        for _ in 0..4 {
            let s = Q::from_integer(BigInt::from(rng.below(1001))) / Q::from_integer(BigInt::from(1000));
            let t = Q::from_integer(BigInt::from(rng.below(1001))) / Q::from_integer(BigInt::from(1000));
            let xv = &a + (&b - &a) * &s;
            let yv = &c + (&d - &c) * &t;
            assert!(common::enc_contains(&r, &(xv * yv)));
        }
    }
}

#[test]
fn mul_special_cases_zero_times_infinity() {
    let inf = Float::with_val(64, rug::float::Special::Infinity);
    let ninf = Float::with_val(64, rug::float::Special::NegInfinity);
    // exact 0 times an unbounded enclosure is exactly 0
    let unb = Enc::new(Float::with_val(64, 1), inf.clone());
    assert!(Enc::zero(64).mul(&unb, 64).is_exact_zero());
    // [-1, 0] x (-inf, -1] = [0, +inf)
    let r = Enc::new(Float::with_val(64, -1), Float::new(64))
        .mul(&Enc::new(ninf.clone(), Float::with_val(64, -1)), 64);
    assert_eq!(float_to_ext(r.lo()), Ext::Fin(Q::zero()));
    assert_eq!(float_to_ext(r.hi()), Ext::PosInf);
    // [2, 3] x [-inf, inf] is the whole line
    let r = Enc::new(Float::with_val(64, 2), Float::with_val(64, 3)).mul(&Enc::whole(64), 64);
    assert_eq!(
        (float_to_ext(r.lo()), float_to_ext(r.hi())),
        (Ext::NegInf, Ext::PosInf)
    );
    // [-2, 3] x [4, 5] = [-10, 15] exactly
    let r = Enc::new(Float::with_val(64, -2), Float::with_val(64, 3))
        .mul(&Enc::new(Float::with_val(64, 4), Float::with_val(64, 5)), 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(-10, 1), big(15, 1))
    );
    // [-2, 3] x [-5, 4] = [-15, 12]
    let r = Enc::new(Float::with_val(64, -2), Float::with_val(64, 3))
        .mul(&Enc::new(Float::with_val(64, -5), Float::with_val(64, 4)), 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(-15, 1), big(12, 1))
    );
    // [-3, -2] x [-5, -4] = [8, 15]
    let r = Enc::new(Float::with_val(64, -3), Float::with_val(64, -2))
        .mul(&Enc::new(Float::with_val(64, -5), Float::with_val(64, -4)), 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(8, 1), big(15, 1))
    );
    // mul_rational
    let r = Enc::from_i64(3, 64).mul_rational(&Rational::from((-1, 3)), 64);
    assert!(common::enc_contains(&r, &big(-1, 1)));
    assert!(width_q(&r) <= pow2(-60));
}

#[test]
fn div_of_intervals_hits_the_corner_hull() {
    let mut rng = SplitMix64(11);
    for i in 0..(6 * 3 * 10) {
        let kx = (i % 6) as u64;
        let ky = [0u64, 1, 5][(i / 6) % 3];
        let x = rand_interval(&mut rng, kx);
        let y = rand_interval(&mut rng, ky);
        let (a, b, c, d) = (
            float_to_big(x.lo()),
            float_to_big(x.hi()),
            float_to_big(y.lo()),
            float_to_big(y.hi()),
        );
        let corners = [&a / &c, &a / &d, &b / &c, &b / &d];
        let r = x.div(&y, 64);
        assert_tight_hull(
            &format!("div kinds ({kx},{ky})"),
            &r,
            &qmin(&corners),
            &qmax(&corners),
            64,
        );
    }
}

#[test]
fn div_by_an_enclosure_containing_zero_is_the_whole_line() {
    let x = Enc::from_i64(1, 64);
    for y in [
        Enc::zero(64),
        Enc::new(Float::with_val(64, -1), Float::with_val(64, 1)),
        Enc::new(Float::new(64), Float::with_val(64, 1)),
        Enc::new(Float::with_val(64, -1), Float::new(64)),
    ] {
        let r = x.div(&y, 64);
        assert_eq!(
            (float_to_ext(r.lo()), float_to_ext(r.hi())),
            (Ext::NegInf, Ext::PosInf),
            "1 / {}",
            show(&y)
        );
    }
    // negative powers of an enclosure containing 0 likewise
    let r = Enc::new(Float::with_val(64, -1), Float::with_val(64, 1)).powi(-2, 64);
    assert_eq!(
        (float_to_ext(r.lo()), float_to_ext(r.hi())),
        (Ext::NegInf, Ext::PosInf)
    );
}

#[test]
fn powi_of_intervals_even_powers_across_zero() {
    let e = |a: i64, b: i64| Enc::new(Float::with_val(64, a), Float::with_val(64, b));
    let r = e(-2, 3).powi(2, 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(0, 1), big(9, 1))
    );
    let r = e(-3, 2).powi(2, 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(0, 1), big(9, 1))
    );
    let r = e(-3, -2).powi(2, 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(4, 1), big(9, 1))
    );
    let r = e(-3, 2).square(64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(0, 1), big(9, 1))
    );
    let r = e(-2, 3).powi(3, 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(-8, 1), big(27, 1))
    );
    let r = e(-2, 3).powi(4, 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(0, 1), big(81, 1))
    );
    let r = e(2, 4).powi(-1, 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(1, 4), big(1, 2))
    );
    let r = e(-4, -2).powi(-2, 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(1, 16), big(1, 4))
    );
    let r = e(-5, 7).powi(0, 64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(1, 1), big(1, 1))
    );

    let mut rng = SplitMix64(12);
    for i in 0..(6 * 40) {
        let kind = (i % 6) as u64;
        let x = rand_interval(&mut rng, kind);
        let n = rng.range_i64(1, 9);
        let (a, b) = (float_to_big(x.lo()), float_to_big(x.hi()));
        let (pa, pb) = (
            num_traits::pow(a.clone(), n as usize),
            num_traits::pow(b.clone(), n as usize),
        );
        // odd powers and even powers of non-negative intervals are increasing
        let (mn, mx) = if n % 2 == 1 || !a.is_negative() {
            (pa, pb)
        } else if !b.is_positive() {
            (pb, pa)
        } else {
            (Q::zero(), if pa > pb { pa } else { pb })
        };
        assert_tight_hull(&format!("powi {n} of kind {kind}"), &x.powi(n, 64), &mn, &mx, 64);
    }
}

/// Even powers across 0 of an enclosure whose lower endpoint has more precision than the working
/// precision: `max(|lo|, hi)` must not be rounded down before it is raised to the power.
#[test]
fn powi_even_across_zero_with_a_high_precision_lower_endpoint() {
    let mut rng = SplitMix64(13);
    for _ in 0..CASES {
        let a = rand_pos(&mut rng, 4);
        let lo = Float::with_val_round(2000, &big_to_rat(&(-a.clone())), rug::float::Round::Down).0;
        let hi = Float::with_val(64, 1u32) / 1024u32;
        let x = Enc::new(lo.clone(), Float::with_val(64, hi));
        let r = x.powi(2, 64);
        let truth_max = float_to_big(&lo) * float_to_big(&lo);
        assert!(
            float_to_ext(r.hi()).ge(&truth_max),
            "({})^2 = {}: upper end below lo^2 (lo has {} bits)",
            show(&x),
            show(&r),
            lo.prec()
        );
    }
}

#[test]
fn hull_is_the_exact_convex_hull() {
    let mut rng = SplitMix64(14);
    for i in 0..CASES {
        let x = rand_interval(&mut rng, (i % 6) as u64);
        let y = rand_interval(&mut rng, ((i / 6) % 6) as u64);
        let h = x.hull(&y);
        let l = qmin(&[float_to_big(x.lo()), float_to_big(y.lo())]);
        let u = qmax(&[float_to_big(x.hi()), float_to_big(y.hi())]);
        assert_eq!(float_to_big(h.lo()), l);
        assert_eq!(float_to_big(h.hi()), u);
        assert!(h.contains(&x) && h.contains(&y));
    }
}

#[test]
fn cmp_certified_is_none_on_overlap_and_some_when_separated() {
    let e = |a: i64, b: i64| Enc::new(Float::with_val(64, a), Float::with_val(64, b));
    assert_eq!(e(1, 2).cmp_certified(&e(3, 4)), Some(Ordering::Less));
    assert_eq!(e(3, 4).cmp_certified(&e(1, 2)), Some(Ordering::Greater));
    assert_eq!(e(1, 2).cmp_certified(&e(2, 3)), None, "touching at 2");
    assert_eq!(e(1, 3).cmp_certified(&e(2, 4)), None);
    assert_eq!(e(1, 4).cmp_certified(&e(2, 3)), None);
    assert_eq!(e(2, 2).cmp_certified(&e(2, 2)), Some(Ordering::Equal));
    assert_eq!(e(2, 2).cmp_certified(&e(2, 3)), None);
    let third = Enc::from_rational(&Rational::from((1, 3)), 64);
    assert_eq!(
        third.cmp_certified(&third.clone()),
        None,
        "the same non-point enclosure"
    );
    assert_eq!(Enc::from_i64(-1, 64).sign_certified(), Some(Ordering::Less));
    assert_eq!(e(-1, 1).sign_certified(), None);
    assert_eq!(Enc::zero(64).sign_certified(), Some(Ordering::Equal));

    let mut rng = SplitMix64(15);
    let mut decided = 0;
    for _ in 0..CASES {
        let a = rand_wide(&mut rng);
        // sometimes very close values, which 64 bits cannot separate
        let b = if rng.coin() {
            rand_wide(&mut rng)
        } else {
            &a + &a * pow2(-80) * big(rng.range_i64(-3, 3), 1)
        };
        let (x, y) = (enc_q(&a, 64), enc_q(&b, 64));
        match x.cmp_certified(&y) {
            Some(o) => {
                decided += 1;
                assert_eq!(o, a.cmp(&b), "cmp_certified({a}, {b}) is wrong");
            }
            None => assert!(x.overlaps(&y), "None although [{a}] and [{b}] are separated"),
        }
        if a != b && !x.overlaps(&y) {
            assert!(x.cmp_certified(&y).is_some());
        }
    }
    assert!(decided > CASES / 3);
}

// =============================================================================================
// Transcendental operations: rigorous series brackets
// =============================================================================================

#[test]
fn exp_contains_taylor_bracket() {
    let mut rng = SplitMix64(16);
    for i in 0..CASES {
        let x = if i % 4 == 0 {
            rand_bounded(&mut rng, 1, 1 << 30)
        } else {
            rand_bounded(&mut rng, 12, 1 << 20)
        };
        let br = exp_bracket(&x);
        let scale = &br.1 * abs1(&x);
        check_point("exp", &[x], |e, p| e[0].exp(p), br, scale);
    }
    // exp(0) = 1 exactly
    let r = Enc::zero(64).exp(64);
    assert_eq!((float_to_big(r.lo()), float_to_big(r.hi())), (Q::one(), Q::one()));
    // exp(-inf) = 0, exp of the whole line = [0, inf]
    let r = Enc::whole(64).exp(64);
    assert_eq!(
        (float_to_ext(r.lo()), float_to_ext(r.hi())),
        (Ext::Fin(Q::zero()), Ext::PosInf)
    );
}

#[test]
fn expm1_contains_taylor_bracket_including_tiny_arguments() {
    let mut rng = SplitMix64(17);
    for i in 0..CASES {
        let x = if i % 2 == 0 {
            rand_bounded(&mut rng, 8, 1 << 20)
        } else {
            rand_wide(&mut rng) * pow2(-20)
        };
        let (l, u) = exp_bracket(&x);
        let br = (l - Q::one(), u - Q::one());
        // relative tightness: expm1(x) ~ x near 0 must not lose the relative precision
        let scale = (br.1.abs() + br.0.abs()) * abs1(&x) * Q::from_integer(BigInt::from(2));
        check_point("expm1", &[x], |e, p| e[0].expm1(p), br, scale);
    }
}

#[test]
fn ln_contains_atanh_bracket() {
    let mut rng = SplitMix64(18);
    for i in 0..CASES {
        let x = if i % 3 == 0 {
            rand_pos(&mut rng, 2)
        } else {
            rand_pos(&mut rng, 1 << 20) * pow2(rng.range_i64(-40, 0))
        };
        if x == Q::one() {
            continue;
        }
        let br = ln_bracket(&x);
        // ln of an input known to a relative 2^-prec has an absolute uncertainty 2^-prec
        let scale = abs1(&br.1) + abs1(&br.0);
        check_point("ln", &[x], |e, p| e[0].ln(p), br, scale);
    }
    // ln 1 = 0 exactly (so that KL terms with p = q are exact zeros)
    assert!(Enc::from_i64(1, 64).ln(64).is_exact_zero());
}

#[test]
fn ln_of_an_interval_touching_zero() {
    let one = Float::with_val(64, 1);
    let r = Enc::new(Float::new(64), one.clone()).ln(64);
    assert_eq!(
        (float_to_ext(r.lo()), float_to_ext(r.hi())),
        (Ext::NegInf, Ext::Fin(Q::zero()))
    );
    let r = Enc::new(Float::with_val(64, -1), Float::with_val(64, 2)).ln(64);
    assert_eq!(float_to_ext(r.lo()), Ext::NegInf);
    let (_, u) = ln_bracket(&big(2, 1));
    assert!(float_to_ext(r.hi()).ge(&u));
    let r = Enc::zero(64).ln(64);
    assert_eq!(
        (float_to_ext(r.lo()), float_to_ext(r.hi())),
        (Ext::NegInf, Ext::NegInf)
    );
    // ln_1p of an interval touching -1
    let r = Enc::new(Float::with_val(64, -1), Float::new(64)).ln_1p(64);
    assert_eq!(
        (float_to_ext(r.lo()), float_to_ext(r.hi())),
        (Ext::NegInf, Ext::Fin(Q::zero()))
    );
}

#[test]
fn ln_1p_contains_atanh_bracket() {
    let mut rng = SplitMix64(19);
    for i in 0..CASES {
        // x in (-1, 10], and tiny x where ln(1+x) ~ x
        let x = if i % 3 == 0 {
            rand_wide(&mut rng) * pow2(-20)
        } else {
            rand_pos(&mut rng, 11) - Q::one()
        };
        if x <= -Q::one() || x.is_zero() {
            continue;
        }
        let br = ln_bracket(&(Q::one() + &x));
        let scale = (br.1.abs() + br.0.abs()) * Q::from_integer(BigInt::from(4))
            / (Q::one() + x.clone()).min(Q::one());
        let scale = if scale.is_zero() { Q::one() } else { scale };
        check_point("ln_1p", &[x], |e, p| e[0].ln_1p(p), br, scale);
    }
}

#[test]
fn sqrt_contains_integer_sqrt_bracket() {
    let mut rng = SplitMix64(20);
    for _ in 0..CASES {
        let x = rand_wide(&mut rng).abs();
        let br = sqrt_bracket(&x);
        let scale = abs1(&br.1);
        check_point("sqrt", &[x], |e, p| e[0].sqrt(p), br, scale);
    }
    let r = Enc::from_i64(9, 64).sqrt(64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(3, 1), big(3, 1))
    );
    let r = Enc::new(Float::with_val(64, -1), Float::with_val(64, 4)).sqrt(64);
    assert_eq!(
        (float_to_big(r.lo()), float_to_big(r.hi())),
        (big(0, 1), big(2, 1))
    );
}

#[test]
fn pow_contains_bracket() {
    let mut rng = SplitMix64(21);
    for _ in 0..CASES {
        let x = rand_pos(&mut rng, 50);
        let y = rand_bounded(&mut rng, 5, 1 << 16);
        let br = pow_bracket(&x, &y);
        let lnx = ln_bracket(&x).1;
        let scale = &br.1 * (abs1(&y) * abs1(&lnx)) * Q::from_integer(BigInt::from(4));
        check_point("pow", &[x, y], |e, p| e[0].pow(&e[1], p), br, scale);
    }
    // 0^y = 0 for y > 0; [0, 1/4]^(1/2) = [0, 1/2]
    let half = Enc::from_rational(&Rational::from((1, 2)), 64);
    assert!(Enc::zero(64).pow(&half, 64).is_exact_zero());
    let r = Enc::new(Float::new(64), Float::with_val(64, 0.25)).pow(&half, 64);
    assert_eq!(float_to_big(r.lo()), Q::zero());
    assert!(float_to_ext(r.hi()).ge(&big(1, 2)));
    assert!(width_q(&r) <= big(1, 2) + pow2(-58));
}

#[test]
fn xlogxy_contains_bracket() {
    let mut rng = SplitMix64(22);
    for _ in 0..CASES {
        let x = rand_pos(&mut rng, 10);
        let y = rand_pos(&mut rng, 10);
        let br = xlogxy_bracket(&x, &y);
        let scale =
            abs1(&x) * (abs1(&ln_bracket(&x).1) + abs1(&ln_bracket(&y).1)) * Q::from_integer(BigInt::from(4));
        check_point("xlogxy", &[x, y], |e, p| Enc::xlogxy(&e[0], &e[1], p), br, scale);
    }
}

#[test]
fn xlogxy_special_cases() {
    let half = Enc::from_rational(&Rational::from((1, 2)), 64);
    // 0 ln 0 = 0, 0 ln(0/y) = 0
    assert!(Enc::xlogxy(&Enc::zero(64), &Enc::zero(64), 64).is_exact_zero());
    assert!(Enc::xlogxy(&Enc::zero(64), &half, 64).is_exact_zero());
    // x ln(x/0) = +inf for x > 0
    assert!(Enc::xlogxy(&half, &Enc::zero(64), 64).is_pos_infinity());
    // x ln(x/x) = 0 exactly for exact x
    let r = Enc::xlogxy(&Enc::from_i64(1, 64), &Enc::from_i64(1, 64), 64);
    assert!(r.is_exact_zero(), "{}", show(&r));
}

/// When the enclosure of x touches 0 the convexity bound is used: every value `x' ln(x'/y')`
/// with `x'` in `[0, xh]` and `y'` in `[yl, yh]` must lie in the result.
#[test]
fn xlogxy_of_an_interval_touching_zero_contains_every_point() {
    let mut rng = SplitMix64(23);
    for _ in 0..60 {
        let xh = rand_pos(&mut rng, 2);
        let yl = rand_pos(&mut rng, 2);
        let yh = &yl + rand_pos(&mut rng, 1);
        let x = Enc::new(
            Float::new(64),
            Float::with_val_round(64, &big_to_rat(&xh), rug::float::Round::Up).0,
        );
        let y = Enc::new(
            Float::with_val_round(64, &big_to_rat(&yl), rug::float::Round::Down).0,
            Float::with_val_round(64, &big_to_rat(&yh), rug::float::Round::Up).0,
        );
        let (xh, yl, yh) = (float_to_big(x.hi()), float_to_big(y.lo()), float_to_big(y.hi()));
        let r = Enc::xlogxy(&x, &y, 64);
        assert!(r.is_finite(), "{}", show(&r));
        // the minimum over x' of x' ln(x'/y') is -y'/e, attained at x' = y'/e when inside
        let mut points: Vec<(Q, Q)> = vec![(xh.clone(), yl.clone()), (xh.clone(), yh.clone())];
        for _ in 0..6 {
            let s = big(rng.range_i64(1, 1000), 1000);
            let t = big(rng.range_i64(0, 1000), 1000);
            points.push((&xh * &s, &yl + (&yh - &yl) * &t));
        }
        for (xv, yv) in points {
            let (l, u) = xlogxy_bracket(&xv, &yv);
            assert!(
                lo_q(&r).le(&l) && hi_q(&r).ge(&u),
                "xlogxy({}, {}) = {} misses the value at x = {xv}, y = {yv}",
                show(&x),
                show(&y),
                show(&r)
            );
        }
        // the true minimum -yh/e (at x' = yh/e if yh/e <= xh) is inside
        let e_up = exp_bracket(&Q::one()).1;
        if &yh / &e_up <= xh {
            assert!(lo_q(&r).le(&(-&yh / &e_up)));
        }
        // x = 0 exactly is in the box: the value 0 is inside
        assert!(lo_q(&r).le(&Q::zero()) && hi_q(&r).ge(&Q::zero()));
    }
    // y touching 0 as well: the upper end is +inf (x ln(x/y) is unbounded as y -> 0)
    let x = Enc::new(Float::new(64), Float::with_val(64, 1));
    let y = Enc::new(Float::new(64), Float::with_val(64, 1));
    let r = Enc::xlogxy(&x, &y, 64);
    assert_eq!(float_to_ext(r.hi()), Ext::PosInf);
    // the minimum -1/e (at x = 1/e, y = 1) is inside: lo <= -1/e <= -1/e_hi
    assert!(lo_q(&r).le(&-exp_bracket(&Q::one()).1.recip()));
}

#[test]
fn named_constants_contain_their_values() {
    // 60-digit published values; error of the text <= 10^-60
    let cases = [
        (
            Enc::ln2(200),
            "0.693147180559945309417232121458176568075500134360255254120680",
        ),
        (
            Enc::pi(200),
            "3.141592653589793238462643383279502884197169399375105820974945",
        ),
        (
            Enc::euler_gamma(200),
            "0.577215664901532860606512090082402431042159335939923598805767",
        ),
    ];
    for (e, s) in cases {
        let v = decimal_to_big(s);
        assert!(
            lo_q(&e).le(&(&v + pow10(-60))) && hi_q(&e).ge(&(&v - pow10(-60))),
            "{s}"
        );
        assert!(width_q(&e) <= pow2(-195));
        assert!(
            width_q(&e).is_positive(),
            "an irrational constant cannot be a point"
        );
    }
}

// =============================================================================================
// Formatting and certification (src/real/format.rs)
// =============================================================================================

fn rs(s: &str) -> Rational {
    big_to_rat(&decimal_to_big(s))
}

#[test]
fn round_sig_in_all_three_directions() {
    let two_thirds = Rational::from((2, 3));
    assert_eq!(round_sig(&two_thirds, 3, Dir::Nearest), (Integer::from(667), -3));
    assert_eq!(round_sig(&two_thirds, 3, Dir::Down), (Integer::from(666), -3));
    assert_eq!(round_sig(&two_thirds, 3, Dir::Up), (Integer::from(667), -3));
    let m = Rational::from((-2, 3));
    assert_eq!(round_sig(&m, 3, Dir::Nearest), (Integer::from(-667), -3));
    assert_eq!(round_sig(&m, 3, Dir::Down), (Integer::from(-667), -3));
    assert_eq!(round_sig(&m, 3, Dir::Up), (Integer::from(-666), -3));
    // ties go away from zero
    assert_eq!(round_sig(&rs("0.125"), 2, Dir::Nearest), (Integer::from(13), -2));
    assert_eq!(
        round_sig(&rs("-0.125"), 2, Dir::Nearest),
        (Integer::from(-13), -2)
    );
    assert_eq!(round_sig(&rs("0.125"), 2, Dir::Down), (Integer::from(12), -2));
    // exact values are not moved in any direction
    for d in [Dir::Nearest, Dir::Down, Dir::Up] {
        assert_eq!(round_sig(&rs("0.125"), 3, d), (Integer::from(125), -3));
        assert_eq!(round_sig(&rs("-4500"), 2, d), (Integer::from(-45), 2));
    }
    // carries into a new decade
    assert_eq!(
        round_sig(&rs("0.9996"), 3, Dir::Nearest),
        (Integer::from(100), -2)
    );
    assert_eq!(round_sig(&rs("0.9991"), 3, Dir::Up), (Integer::from(100), -2));
    assert_eq!(round_sig(&rs("-0.9991"), 3, Dir::Down), (Integer::from(-100), -2));
    assert_eq!(round_sig(&rs("99.95"), 3, Dir::Nearest), (Integer::from(100), 0));
    assert_eq!(round_sig(&Rational::new(), 5, Dir::Up), (Integer::new(), 0));
    // text
    assert_eq!(
        rational_to_sig_decimal(&Rational::from((1, 3)), 5, Dir::Nearest),
        "0.33333"
    );
    assert_eq!(
        rational_to_sig_decimal(&Rational::from((1, 3)), 5, Dir::Up),
        "0.33334"
    );
    assert_eq!(
        rational_to_sig_decimal(&Rational::from((-1, 3)), 5, Dir::Down),
        "-0.33334"
    );
    assert_eq!(
        rational_to_sig_decimal(&Rational::from((-1, 3)), 5, Dir::Up),
        "-0.33333"
    );
    assert_eq!(
        rational_to_sig_decimal(&Rational::from(123456), 2, Dir::Nearest),
        "1.2e5"
    );
    assert_eq!(
        rational_to_sig_decimal(&Rational::from((1, 7)), 1, Dir::Up),
        "0.2"
    );
    assert_eq!(rational_to_sig_decimal(&rs("1e-30"), 3, Dir::Nearest), "1.00e-30");
    assert_eq!(
        rational_to_sig_decimal(
            &Rational::from((117923075777169i64, 250000000000000i64)),
            15,
            Dir::Nearest
        ),
        "0.471692303108676"
    );
}

#[test]
fn round_sig_random_against_num_rational() {
    let mut rng = SplitMix64(24);
    for _ in 0..(2 * CASES) {
        let q = rand_wide(&mut rng) * pow10(rng.range_i64(-40, 40));
        if q.is_zero() {
            continue;
        }
        let sig = 1 + rng.below(30) as usize;
        let r = big_to_rat(&q);
        let val = |(m, e): (Integer, i64)| -> Q {
            assert_eq!(
                m.clone().abs().to_string().len(),
                sig,
                "{q} to {sig} digits: mantissa {m}"
            );
            Q::from_integer(common::int_to_big(&m)) * pow10(e)
        };
        let (dn, up, nr) = (
            val(round_sig(&r, sig, Dir::Down)),
            val(round_sig(&r, sig, Dir::Up)),
            val(round_sig(&r, sig, Dir::Nearest)),
        );
        let ulp = ulp_sig(&q, sig);
        assert!(dn <= q && q <= up, "{q} to {sig}");
        assert!(&up - &dn <= ulp, "{q} to {sig}: down {dn}, up {up}");
        assert!(
            (&nr - &q).abs() * Q::from_integer(BigInt::from(2)) <= ulp,
            "{q} nearest {nr}"
        );
        assert!(nr == dn || nr == up);
        // the text parses back to the same value
        assert_eq!(decimal_to_big(&rational_to_sig_decimal(&r, sig, Dir::Down)), dn);
    }
}

#[test]
fn render_positional_versus_scientific() {
    let i = |v: i64| Integer::from(v);
    assert_eq!(render(&i(125), -32), "1.25e-30");
    assert_eq!(render(&i(125), -2), "1.25");
    assert_eq!(render(&i(-125), -2), "-1.25");
    assert_eq!(render(&i(12345), -2), "123.45");
    assert_eq!(render(&i(125), -5), "0.00125");
    assert_eq!(render(&i(1), -7), "0.0000001");
    assert_eq!(render(&i(1), -8), "1e-8");
    assert_eq!(render(&i(15), -9), "1.5e-8");
    // digits that stop before the units place: exponent notation (issue 15 defect 2), never
    // non-significant zeros
    assert_eq!(render(&i(1), 20), "1e20");
    assert_eq!(render(&i(103), 3), "1.03e5");
    assert_eq!(render(&i(163), 3), "1.63e5");
    assert_eq!(render(&i(1), 1), "1e1");
    assert_eq!(render(&i(1), 21), "1e21");
    assert_eq!(render(&i(-25), 30), "-2.5e31");
    assert_eq!(render(&i(120), 0), "120");
    assert_eq!(render(&i(0), 7), "0");
    // trailing zeros are significant and kept
    assert_eq!(render(&i(100), -2), "1.00");
}

#[test]
fn certify_decimal_accepts_tight_and_rejects_wide_or_straddling() {
    // tight enclosure of 1/3 at 200 bits: 10 digits certified, bounds outward
    let third = Enc::from_rational(&Rational::from((1, 3)), 200);
    let c = certify_decimal(&third, 10).expect("1/3 at 200 bits certifies 10 digits");
    assert_eq!(c.value, "0.3333333333");
    assert_eq!(c.lo, "0.3333333333333");
    assert_eq!(c.hi, "0.3333333333334");
    assert_eq!(significant_digits(&c.lo), 10 + BOUND_EXTRA_DIGITS);
    // 2/3 rounds up in value, but lo stays below
    let c = certify_decimal(&Enc::from_rational(&Rational::from((2, 3)), 200), 4).unwrap();
    assert_eq!(
        (c.value.as_str(), c.lo.as_str(), c.hi.as_str()),
        ("0.6667", "0.6666666", "0.6666667")
    );
    // negative values
    let c = certify_decimal(&Enc::from_rational(&Rational::from((-2, 3)), 200), 4).unwrap();
    assert_eq!(
        (c.value.as_str(), c.lo.as_str(), c.hi.as_str()),
        ("-0.6667", "-0.6666667", "-0.6666666")
    );
    // wide: [0.25, 0.375] certifies 1 digit ("0.3"), never 2 or 10
    let wide = Enc::new(Float::with_val(64, 0.25), Float::with_val(64, 0.375));
    assert!(certify_decimal(&wide, 10).is_none());
    assert!(certify_decimal(&wide, 2).is_none());
    assert_eq!(
        certify_decimal(&wide, 1).map(|c| c.value),
        Some("0.3".to_string())
    );
    // straddling 0, touching 0, infinite
    let tiny = Float::with_val(64, 1e-30);
    assert!(certify_decimal(&Enc::new(-tiny.clone(), tiny.clone()), 1).is_none());
    assert!(certify_decimal(&Enc::new(Float::new(64), tiny.clone()), 1).is_none());
    assert!(certify_decimal(&Enc::whole(64), 1).is_none());
    assert!(certify_decimal(&Enc::pos_infinity(64), 1).is_none());
    // exact zero
    let z = certify_decimal(&Enc::zero(64), 30).unwrap();
    assert_eq!((z.value.as_str(), z.lo.as_str(), z.hi.as_str()), ("0", "0", "0"));
    // an exact point is certified at any number of digits
    let c = certify_decimal(&Enc::from_rational(&Rational::from((1, 4)), 64), 30).unwrap();
    assert_eq!(c.value, format!("0.25{}", "0".repeat(28)));
}

/// A printed decimal shows `sig` significant digits (an integer rendering may pad with zeros).
fn assert_sig(s: &str, sig: usize) {
    if s.contains(['.', 'e']) {
        assert_eq!(significant_digits(s), sig, "{s}");
    } else {
        assert!(significant_digits(s) >= sig, "{s}");
        assert!(significant_digits(s.trim_end_matches('0')) <= sig, "{s}");
    }
}

/// Random enclosures: whenever `certify_decimal` answers, `value` has `sig` digits and is within
/// one unit in its last place of every point of `[lo, hi]`, and the printed bounds are outward;
/// it must answer for every enclosure narrower than half an ulp, and must not for one wider than
/// two ulps.
#[test]
fn certify_decimal_random_enclosures_against_num_rational() {
    let mut rng = SplitMix64(25);
    let mut accepted = 0;
    for _ in 0..(3 * CASES) {
        let c = rand_wide(&mut rng);
        if c.is_zero() {
            continue;
        }
        let sig = 1 + rng.below(25) as usize;
        let w = c.abs() * pow10(-(rng.range_i64(0, 30))) * big(rng.range_i64(1, 9), 7);
        let lo = Float::with_val_round(128, &big_to_rat(&(&c - &w)), rug::float::Round::Down).0;
        let hi = Float::with_val_round(128, &big_to_rat(&(&c + &w)), rug::float::Round::Up).0;
        let e = Enc::new(lo, hi);
        let (l, h) = (float_to_big(e.lo()), float_to_big(e.hi()));
        let straddles = !l.is_positive() && !h.is_negative();
        match certify_decimal(&e, sig) {
            Some(cd) => {
                accepted += 1;
                assert!(!straddles);
                let v = decimal_to_big(&cd.value);
                assert_sig(&cd.value, sig);
                let ulp = ulp_sig(&v, sig);
                assert!(
                    (&v - &l).abs() <= ulp && (&h - &v).abs() <= ulp,
                    "value {} vs [{l}, {h}]",
                    cd.value
                );
                assert!(decimal_to_big(&cd.lo) <= l, "printed lo {} above {l}", cd.lo);
                assert!(decimal_to_big(&cd.hi) >= h, "printed hi {} below {h}", cd.hi);
                assert_sig(&cd.lo, sig + BOUND_EXTRA_DIGITS);
                assert_sig(&cd.hi, sig + BOUND_EXTRA_DIGITS);
                let wq = &h - &l;
                assert!(wq <= &ulp * Q::from_integer(BigInt::from(2)));
            }
            None => {
                let small = if l.abs() < h.abs() { l.abs() } else { h.abs() };
                if !straddles {
                    let half_ulp = ulp_sig(&small, sig) / Q::from_integer(BigInt::from(2));
                    assert!(
                        &h - &l > half_ulp,
                        "rejected a tight enclosure [{l}, {h}] at {sig} digits"
                    );
                }
            }
        }
    }
    assert!(accepted > CASES / 2, "only {accepted} accepted");
}

/// `e^x` certified through its decimal logarithm, also far outside the float exponent range.
#[test]
fn certify_exp_decimal_shifts_the_decimal_exponent_exactly() {
    // e^{1000 ln 2} = 2^1000 = 1.071508607186267320948425e301 (mpmath)
    let x = Enc::ln2(256).mul_rational(&Rational::from(1000), 256);
    let c = certify_exp_decimal(&x, 20).unwrap();
    assert_eq!(c.value, "1.0715086071862673209e301");
    let two_1000 = Q::from_integer(num_traits::pow(BigInt::from(2), 1000));
    assert!(decimal_to_big(&c.lo) <= two_1000 && two_1000 <= decimal_to_big(&c.hi));
    // e^{-10^6} = 3.296831478088558578968908e-434295 (mpmath)
    let c = certify_exp_decimal(&Enc::from_i64(-1_000_000, 256), 20).unwrap();
    assert_eq!(c.value, "3.2968314780885585790e-434295");
    // e^{-10^9} = 1.249534271921013280924378e-434294482 (mpmath)
    let c = certify_exp_decimal(&Enc::from_i64(-1_000_000_000, 256), 15).unwrap();
    assert_eq!(c.value, "1.24953427192101e-434294482");
    // an enclosure too wide for the digits is refused
    let wide = Enc::new(Float::with_val(64, 1), Float::with_val(64, 1.01));
    assert!(certify_exp_decimal(&wide, 5).is_none());
    assert!(certify_exp_decimal(&Enc::whole(64), 1).is_none());
}

/// The integer helpers used above agree with rug (guards the harness itself).
#[test]
fn harness_conversions_are_exact() {
    let f = Float::with_val(64, 0.1);
    assert_eq!(big_to_rat(&float_to_big(&f)), f.to_rational().unwrap());
    let q = big(-7, 3);
    assert_eq!(rat_to_big(&big_to_rat(&q)), q);
}

/// The machine-integer path of `certify_decimal` (`sig + 6 <= 37` digits, every `tilt` phi of a
/// vocabulary) gives the same texts as the big-integer path, on random enclosures of every
/// width, sign and exponent, including midpoints just below a power of 10 (the carry case
/// `m = 10^sig`), and every accepted value is within one unit of its last place of both
/// endpoints (exact rational check).
#[test]
fn certify_decimal_machine_integer_path_equals_big_path() {
    use alignexact::real::format::certify_decimal_big;
    let mut rng = SplitMix64(0x00DE_C1AA);
    let mut accepted = 0;
    for i in 0..40_000 {
        let prec = [53u32, 64, 100, 132, 200][rng.below(5) as usize];
        let sig = 1 + rng.below(31) as usize;
        // a random significand times 2^e, or a value just below / at a power of ten
        let e = rng.range_i64(-400, 400) as i32;
        let mut lo = match i % 4 {
            0 => {
                Float::with_val(
                    prec,
                    rug::ops::Pow::pow(Float::with_val(prec, 10), rng.range_i64(-60, 60) as i32),
                ) * Float::with_val(prec, 1.0 - 1e-12)
            }
            _ => Float::with_val(prec, rng.next_u64() | 1) << e,
        };
        if lo <= 0 {
            lo = Float::with_val(prec, 1u32) << e;
        }
        // relative width 2^-w for w in [0, prec]
        let w = rng.below(prec as u64 + 8) as i32;
        let mut hi = Float::with_val(prec, &lo + Float::with_val(prec, &lo >> w));
        if rng.coin() {
            hi = lo.clone();
        }
        let (lo, hi) = if rng.coin() {
            (Float::with_val(prec, -&hi), Float::with_val(prec, -&lo))
        } else {
            (lo, hi)
        };
        let x = Enc::new(lo, hi);
        let fast = certify_decimal(&x, sig);
        let slow = certify_decimal_big(&x, sig);
        assert_eq!(fast, slow, "{x:?} at {sig} digits");
        if let Some(c) = fast {
            accepted += 1;
            let v = decimal_to_big(&c.value);
            let u = ulp_sig(&v, sig);
            for end in [x.lo(), x.hi()] {
                let d = (float_to_big(end) - &v).abs();
                assert!(d <= u, "{} is not within one unit of {end}", c.value);
            }
        }
    }
    assert!(accepted > 10_000, "{accepted}");
}

/// At 1000 digits and more `certify_decimal` remembers its last answers: a repeated call, a
/// call on an enclosure with the same lower end but another upper end, and the uncached path
/// all agree with a fresh computation (no answer is served for another enclosure).
#[test]
fn certify_decimal_memory_serves_only_the_same_enclosure() {
    use alignexact::real::format::certify_decimal_big;
    let prec = 4000;
    let third = Enc::from_rational(&Rational::from((1, 3)), prec);
    let first = certify_decimal(&third, 1100);
    assert!(first.is_some());
    assert_eq!(certify_decimal(&third, 1100), first);
    assert_eq!(certify_decimal_big(&third, 1100), first);
    // same lo, hi one unit of the 1100th digit higher: the value may still certify, but the
    // printed upper bound must move with hi
    let wider = Enc::new(
        third.lo().clone(),
        Float::with_val(
            prec,
            third.hi() + rug::ops::Pow::pow(Float::with_val(prec, 10f64), -1101),
        ),
    );
    let w = certify_decimal(&wider, 1100);
    assert_eq!(w, certify_decimal_big(&wider, 1100));
    assert_ne!(w.map(|c| c.hi), first.map(|c| c.hi));
    // fewer digits of the same enclosure are a different question
    assert_eq!(certify_decimal(&third, 1050), certify_decimal_big(&third, 1050));
    assert_ne!(certify_decimal(&third, 1050), certify_decimal(&third, 1100));
}
