//! Enclosures `[lo, hi]` of real numbers with outward rounding.
//!
//! Invariant: `lo <= hi`, neither is NaN; `lo` may be −∞ and `hi` may be +∞. An `Enc` stands for
//! one unknown real `x` with `lo <= x <= hi` (or the value +∞ when `lo = hi = +∞`).
//!
//! Each operation computes the exact image of the input boxes under a function that is monotone
//! on each endpoint, or the hull of the images of the extreme points, and rounds the lower end down
//! and the upper end up with the helpers of [`crate::real::round`]. The argument for each rule is in
//! `proofs/enclosures.md`. Precision in bits is the last argument, as in Arb.

use super::round::*;
use rug::float::Constant;
use rug::{Float, Integer, Rational};
use std::cell::RefCell;
use std::cmp::Ordering;

thread_local! {
    /// The first broken enclosure invariant seen on this thread (see [`take_violation`]).
    static VIOLATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Record a broken invariant (an enclosure with `lo > hi`, a quantity known to be `>= 0` whose
/// enclosure lies wholly below 0): a bug upstream, never a property of the input. The
/// operation that finds it returns the whole line, which can never certify a digit, and the
/// precision loop ([`crate::real::ziv::run`]) turns the record into an error, in release builds
/// as in debug builds.
pub(crate) fn record_violation(msg: String) {
    VIOLATION.with(|v| {
        let mut v = v.borrow_mut();
        if v.is_none() {
            *v = Some(msg);
        }
    });
}

/// Take (and clear) the first broken-invariant record of this thread.
pub fn take_violation() -> Option<String> {
    VIOLATION.with(|v| v.borrow_mut().take())
}

/// Widths up to this use the one-call rules of `exp`, `ln`, `ln_1p`, `expm1` (first-order bounds
/// valid for widths `<= 1`; the bound adds at most about `2 d^2` relative, so wider enclosures
/// take the two-call rule).
const NARROW_F64: f64 = 1.0 / 65536.0;

/// An enclosure `[lo, hi]` of a real number.
#[derive(Clone, Debug, PartialEq)]
pub struct Enc {
    lo: Float,
    hi: Float,
}

impl Enc {
    /// The enclosure `[lo, hi]`. NaN endpoints widen to the whole line. Swapped endpoints
    /// (`lo > hi`, a bug in the caller) give the whole line and are recorded, so that the
    /// precision loop fails with [`crate::error::Error::Internal`] (see [`Enc::try_new`]).
    pub fn new(lo: Float, hi: Float) -> Enc {
        match Enc::try_new(lo, hi) {
            Ok(e) => e,
            Err(err) => {
                record_violation(err.internal_message());
                Enc::whole(64)
            }
        }
    }
    /// The enclosure `[lo, hi]`, or an error when `lo > hi`. NaN endpoints widen to the whole line.
    pub fn try_new(lo: Float, hi: Float) -> crate::error::Result<Enc> {
        if lo.is_nan() || hi.is_nan() {
            let p = lo.prec().max(hi.prec());
            return Ok(Enc::whole(p));
        }
        if lo > hi {
            return Err(crate::error::Error::Internal(format!(
                "an enclosure with lower end {} above its upper end {}",
                short_text(&lo),
                short_text(&hi)
            )));
        }
        Ok(Enc { lo, hi })
    }
    /// The whole real line: the enclosure of an unknown.
    pub fn whole(prec: u32) -> Enc {
        Enc {
            lo: neg_inf(prec),
            hi: pos_inf(prec),
        }
    }
    /// The value +∞ (as for `D(p||q)` when `q = 0 < p`).
    pub fn pos_infinity(prec: u32) -> Enc {
        Enc {
            lo: pos_inf(prec),
            hi: pos_inf(prec),
        }
    }
    /// The exact rational `q`: `[round_down(q), round_up(q)]`.
    pub fn from_rational(q: &Rational, prec: u32) -> Enc {
        let (lo, hi) = rat_dn_up(q, prec);
        Enc { lo, hi }
    }
    /// The exact integer `i`.
    pub fn from_integer(i: &Integer, prec: u32) -> Enc {
        let (lo, hi) = int_dn_up(i, prec);
        Enc { lo, hi }
    }
    /// A small exact integer.
    pub fn from_i64(i: i64, prec: u32) -> Enc {
        Enc::from_rational(&Rational::from(i), prec)
    }
    /// Exact zero.
    pub fn zero(prec: u32) -> Enc {
        Enc {
            lo: zero(prec),
            hi: zero(prec),
        }
    }
    /// An exact float value (the float itself is the exact number meant).
    pub fn point(x: &Float) -> Enc {
        Enc::new(x.clone(), x.clone())
    }
    /// π.
    pub fn pi(prec: u32) -> Enc {
        Enc::new(const_dn(Constant::Pi, prec), const_up(Constant::Pi, prec))
    }
    /// Euler's constant γ.
    pub fn euler_gamma(prec: u32) -> Enc {
        Enc::new(const_dn(Constant::Euler, prec), const_up(Constant::Euler, prec))
    }
    /// ln 2.
    pub fn ln2(prec: u32) -> Enc {
        Enc::new(const_dn(Constant::Log2, prec), const_up(Constant::Log2, prec))
    }

    /// Lower endpoint.
    pub fn lo(&self) -> &Float {
        &self.lo
    }
    /// Upper endpoint.
    pub fn hi(&self) -> &Float {
        &self.hi
    }
    /// Working precision (the larger of the endpoints').
    pub fn prec(&self) -> u32 {
        self.lo.prec().max(self.hi.prec())
    }
    /// `hi − lo`, rounded up (an upper bound on the width).
    pub fn width(&self) -> Float {
        sub_up(&self.hi, &self.lo, self.prec())
    }
    /// The midpoint (not an enclosure: a representative point, for Newton steps and display).
    pub fn mid(&self) -> Float {
        let p = self.prec() + 2;
        if self.lo.is_infinite() || self.hi.is_infinite() {
            if self.lo.is_finite() {
                return self.lo.clone();
            }
            if self.hi.is_finite() {
                return self.hi.clone();
            }
            return zero(p);
        }
        let s = Float::with_val(p, &self.lo + &self.hi);
        s / 2u32
    }
    /// True when both endpoints are finite.
    pub fn is_finite(&self) -> bool {
        self.lo.is_finite() && self.hi.is_finite()
    }
    /// True for the value +∞.
    pub fn is_pos_infinity(&self) -> bool {
        self.lo.is_infinite() && self.lo.is_sign_positive()
    }
    /// True for the value −∞.
    pub fn is_neg_infinity(&self) -> bool {
        self.hi.is_infinite() && self.hi.is_sign_negative()
    }
    /// True for the exact value 0.
    pub fn is_exact_zero(&self) -> bool {
        self.lo.is_zero() && self.hi.is_zero()
    }
    /// True when `q` lies in `[lo, hi]` (an exact test).
    pub fn contains_rational(&self, q: &Rational) -> bool {
        self.lo <= *q && self.hi >= *q
    }
    /// True when every point of `other` lies in `self`.
    pub fn contains(&self, other: &Enc) -> bool {
        self.lo <= other.lo && other.hi <= self.hi
    }
    /// True when the enclosures share a point.
    pub fn overlaps(&self, other: &Enc) -> bool {
        self.lo <= other.hi && other.lo <= self.hi
    }
    /// Certified comparison: `Some(ord)` when every point of `self` compares `ord` to every
    /// point of `other`, `None` ("unknown") when the enclosures overlap and are not one point.
    pub fn cmp_certified(&self, other: &Enc) -> Option<Ordering> {
        if self.hi < other.lo {
            Some(Ordering::Less)
        } else if self.lo > other.hi {
            Some(Ordering::Greater)
        } else if self.lo == self.hi && other.lo == other.hi && self.lo == other.lo {
            Some(Ordering::Equal)
        } else {
            None
        }
    }
    /// Certified sign: `Some(Greater)` when every point is `> 0`, etc.; `None` when it contains 0
    /// and is not exactly zero.
    pub fn sign_certified(&self) -> Option<Ordering> {
        self.cmp_certified(&Enc::zero(self.prec()))
    }
    /// Intersection with `[0, +inf)`, for a quantity that a theorem makes non-negative (a KL
    /// divergence, a rate function, a BON-3 gap): the caller asserts the truth is `>= 0`, so
    /// raising a negative lower end to 0 keeps the truth inside. Only an enclosure that reaches
    /// 0 is clamped; one that lies wholly below 0 cannot contain a non-negative truth, so it is
    /// an upstream bug: it gives the whole line and is recorded like `lo > hi` in [`Enc::new`]
    /// (see [`Enc::try_clamp_nonneg`]), never an exact zero that would hide the bug.
    pub fn clamp_nonneg(&self, prec: u32) -> Enc {
        match self.try_clamp_nonneg(prec) {
            Ok(e) => e,
            Err(err) => {
                record_violation(err.internal_message());
                Enc::whole(prec)
            }
        }
    }
    /// [`Enc::clamp_nonneg`], or an error for an enclosure wholly below 0.
    pub fn try_clamp_nonneg(&self, prec: u32) -> crate::error::Result<Enc> {
        if self.hi < 0 {
            return Err(crate::error::Error::Internal(format!(
                "a quantity known to be >= 0 has an enclosure wholly below 0 (upper end {})",
                short_text(&self.hi)
            )));
        }
        if self.lo < 0 {
            return Ok(Enc {
                lo: Float::new(prec),
                hi: self.hi.clone(),
            });
        }
        Ok(self.clone())
    }
    /// The convex hull of two enclosures.
    pub fn hull(&self, other: &Enc) -> Enc {
        Enc::new(fmin(&self.lo, &other.lo), fmax(&self.hi, &other.hi))
    }

    /// `−x`: exact.
    pub fn neg(&self) -> Enc {
        Enc::new(
            Float::with_val(self.hi.prec(), -&self.hi),
            Float::with_val(self.lo.prec(), -&self.lo),
        )
    }
    /// `x + y`: `[lo1 + lo2 ↓, hi1 + hi2 ↑]`.
    pub fn add(&self, y: &Enc, prec: u32) -> Enc {
        Enc::new(add_dn(&self.lo, &y.lo, prec), add_up(&self.hi, &y.hi, prec))
    }
    /// `x − y`: `[lo1 − hi2 ↓, hi1 − lo2 ↑]`.
    pub fn sub(&self, y: &Enc, prec: u32) -> Enc {
        Enc::new(sub_dn(&self.lo, &y.hi, prec), sub_up(&self.hi, &y.lo, prec))
    }
    /// `x × y`: the min and max of the four endpoint products, rounded outward
    /// (a bilinear function attains its extremes over a box at the corners).
    pub fn mul(&self, y: &Enc, prec: u32) -> Enc {
        let (a, b, c, d) = (&self.lo, &self.hi, &y.lo, &y.hi);
        // Sign cases of interval multiplication: when neither factor straddles 0 the extremes are
        // known corners (two products); otherwise take the min/max over all four corners.
        let xa = *a >= 0; // x >= 0
        let xb = *b <= 0; // x <= 0
        let ya = *c >= 0;
        let yb = *d <= 0;
        if xa && ya {
            return Enc::new(mul_dn(a, c, prec), mul_up(b, d, prec));
        }
        if xb && yb {
            return Enc::new(mul_dn(b, d, prec), mul_up(a, c, prec));
        }
        if xa && yb {
            return Enc::new(mul_dn(b, c, prec), mul_up(a, d, prec));
        }
        if xb && ya {
            return Enc::new(mul_dn(a, d, prec), mul_up(b, c, prec));
        }
        let lo = [
            mul_dn(a, c, prec),
            mul_dn(a, d, prec),
            mul_dn(b, c, prec),
            mul_dn(b, d, prec),
        ]
        .into_iter()
        .reduce(|u, v| fmin(&u, &v))
        .unwrap();
        let hi = [
            mul_up(a, c, prec),
            mul_up(a, d, prec),
            mul_up(b, c, prec),
            mul_up(b, d, prec),
        ]
        .into_iter()
        .reduce(|u, v| fmax(&u, &v))
        .unwrap();
        Enc::new(lo, hi)
    }
    /// `x × q` for an exact rational `q`.
    pub fn mul_rational(&self, q: &Rational, prec: u32) -> Enc {
        self.mul(&Enc::from_rational(q, prec), prec)
    }
    /// `x ÷ y`. When `y` contains 0 the result is the whole line (the caller must avoid it).
    pub fn div(&self, y: &Enc, prec: u32) -> Enc {
        if y.lo <= 0 && y.hi >= 0 {
            return Enc::whole(prec);
        }
        let (a, b, c, d) = (&self.lo, &self.hi, &y.lo, &y.hi);
        // y > 0 here or y < 0. For y > 0, x/y is increasing in x and, for fixed x, decreasing
        // in y when x >= 0 and increasing when x <= 0: the extremes are known corners.
        if *c > 0 && a.is_finite() && b.is_finite() {
            let lo = if *a >= 0 {
                div_dn(a, d, prec)
            } else {
                div_dn(a, c, prec)
            };
            let hi = if *b >= 0 {
                div_up(b, c, prec)
            } else {
                div_up(b, d, prec)
            };
            return Enc::new(lo, hi);
        }
        let lo = [
            div_dn(a, c, prec),
            div_dn(a, d, prec),
            div_dn(b, c, prec),
            div_dn(b, d, prec),
        ]
        .into_iter()
        .filter(|v| !v.is_nan())
        .reduce(|u, v| fmin(&u, &v))
        .unwrap_or_else(|| neg_inf(prec));
        let hi = [
            div_up(a, c, prec),
            div_up(a, d, prec),
            div_up(b, c, prec),
            div_up(b, d, prec),
        ]
        .into_iter()
        .filter(|v| !v.is_nan())
        .reduce(|u, v| fmax(&u, &v))
        .unwrap_or_else(|| pos_inf(prec));
        Enc::new(lo, hi)
    }
    /// `x²` (tight: `[0, max²]` when the enclosure contains 0).
    pub fn square(&self, prec: u32) -> Enc {
        self.powi(2, prec)
    }
    /// `x^n` for an integer `n`. Odd `n > 0` is increasing; even `n > 0` is decreasing on
    /// `x <= 0` and increasing on `x >= 0`; `n < 0` is `1 / x^{|n|}`; `x^0 = 1`.
    pub fn powi(&self, n: i64, prec: u32) -> Enc {
        if n == 0 {
            return Enc::from_i64(1, prec);
        }
        if n < 0 {
            return Enc::from_i64(1, prec).div(&self.powi(-n, prec), prec);
        }
        if n % 2 == 1 || self.lo >= 0 {
            return Enc::new(powi_dn(&self.lo, n, prec), powi_up(&self.hi, n, prec));
        }
        if self.hi <= 0 {
            return Enc::new(powi_dn(&self.hi, n, prec), powi_up(&self.lo, n, prec));
        }
        let m = fmax(&Float::with_val(self.lo.prec(), self.lo.abs_ref()), &self.hi);
        Enc::new(zero(prec), powi_up(&m, n, prec))
    }
    /// `x^y` for `x > 0` (or `x >= 0` with `y > 0`): `exp(y ln x)`.
    /// For `x` exactly 0 and `y > 0` the result is exactly 0.
    pub fn pow(&self, y: &Enc, prec: u32) -> Enc {
        if self.is_exact_zero() && y.lo > 0 {
            return Enc::zero(prec);
        }
        if self.lo <= 0 && y.lo > 0 {
            // x in [0, hi]: x^y increasing in x for y > 0, so [0, hi^y].
            let up = Enc::point(&self.hi).pow(y, prec);
            return Enc::new(zero(prec), up.hi);
        }
        y.mul(&self.ln(prec), prec).exp(prec)
    }
    /// Width `hi - lo` rounded up when it is finite and at most [`NARROW`] (a narrow enclosure),
    /// else `None`.
    fn narrow_width(&self, prec: u32) -> Option<Float> {
        if !self.is_finite() {
            return None;
        }
        let d = sub_up(&self.hi, &self.lo, prec);
        (d <= NARROW_F64).then_some(d)
    }
    /// `exp(x)`: increasing. For a narrow enclosure one MPFR call suffices: `lo = exp(a)↓`, and
    /// `exp(b) = exp(a) e^{b-a} <= exp(a)↑ (1 + d + d^2)` with `d = b - a`, because
    /// `e^d <= 1 + d + d^2` for `0 <= d <= 1` (here `d <= 2^-16`).
    pub fn exp(&self, prec: u32) -> Enc {
        match self.narrow_width(prec) {
            Some(d) => {
                let (lo, up) = exp_both(&self.lo, prec);
                if d.is_zero() {
                    return Enc::new(lo, up);
                }
                let dd = add_up(&d, &mul_up(&d, &d, prec), prec);
                let f = add_up(&Float::with_val(prec, 1), &dd, prec);
                Enc::new(lo, mul_up(&up, &f, prec))
            }
            None => Enc::new(exp_dn(&self.lo, prec), exp_up(&self.hi, prec)),
        }
    }
    /// `ln(x)`: increasing on `x > 0`; a lower endpoint `<= 0` gives −∞ (the enclosure of an
    /// argument known only to be `>= lo`). For a narrow enclosure with `a > 0`:
    /// `ln b = ln a + ln(1 + (b-a)/a) <= ln(a)↑ + (b-a)/a` since `ln(1+t) <= t`.
    pub fn ln(&self, prec: u32) -> Enc {
        if self.lo > 0 {
            if let Some(d) = self.narrow_width(prec) {
                let (lo, up) = ln_both(&self.lo, prec);
                if d.is_zero() {
                    return Enc::new(lo, up);
                }
                let t = div_up(&d, &self.lo, prec);
                // only a small relative width keeps the first-order bound tight
                if t <= NARROW_F64 {
                    return Enc::new(lo, add_up(&up, &t, prec));
                }
            }
        }
        let lo = if self.lo <= 0 {
            neg_inf(prec)
        } else {
            ln_dn(&self.lo, prec)
        };
        let hi = if self.hi <= 0 {
            neg_inf(prec)
        } else {
            ln_up(&self.hi, prec)
        };
        Enc::new(lo, hi)
    }
    /// `ln(1 + x)`: increasing on `x > −1`. For a narrow enclosure with `a > -1`:
    /// `ln1p(b) = ln1p(a) + ln(1 + (b-a)/(1+a)) <= ln1p(a)↑ + (b-a)/(1+a)↓`.
    pub fn ln_1p(&self, prec: u32) -> Enc {
        if self.lo > -1 {
            if let Some(d) = self.narrow_width(prec) {
                let (lo, up) = ln1p_both(&self.lo, prec);
                if d.is_zero() {
                    return Enc::new(lo, up);
                }
                let one_a = add_dn(&Float::with_val(prec, 1), &self.lo, prec);
                if one_a > 0 {
                    let t = div_up(&d, &one_a, prec);
                    if t <= NARROW_F64 {
                        return Enc::new(lo, add_up(&up, &t, prec));
                    }
                }
            }
        }
        let lo = if self.lo <= -1 {
            neg_inf(prec)
        } else {
            ln1p_dn(&self.lo, prec)
        };
        let hi = if self.hi <= -1 {
            neg_inf(prec)
        } else {
            ln1p_up(&self.hi, prec)
        };
        Enc::new(lo, hi)
    }
    /// `exp(x) − 1`: increasing. For a narrow enclosure: `expm1(b) = expm1(a) + e^a (e^{b-a} - 1)
    /// <= expm1(a)↑ + (expm1(a)↑ + 1) (d + d^2)` (`e^d - 1 <= d + d^2` for `0 <= d <= 1`).
    pub fn expm1(&self, prec: u32) -> Enc {
        match self.narrow_width(prec) {
            Some(d) => {
                let (lo, up) = expm1_both(&self.lo, prec);
                if d.is_zero() {
                    return Enc::new(lo, up);
                }
                let ea = add_up(&up, &Float::with_val(prec, 1), prec);
                let dd = add_up(&d, &mul_up(&d, &d, prec), prec);
                let inc = mul_up(&ea, &dd, prec);
                Enc::new(lo, add_up(&up, &inc, prec))
            }
            None => Enc::new(expm1_dn(&self.lo, prec), expm1_up(&self.hi, prec)),
        }
    }
    /// `sqrt(x)`: increasing on `x >= 0`; negative parts of the enclosure are clipped to 0
    /// (the caller asserts the true value is `>= 0`).
    pub fn sqrt(&self, prec: u32) -> Enc {
        let lo = if self.lo <= 0 {
            zero(prec)
        } else {
            sqrt_dn(&self.lo, prec)
        };
        let hi = if self.hi <= 0 {
            zero(prec)
        } else {
            sqrt_up(&self.hi, prec)
        };
        Enc::new(lo, hi)
    }
    /// The term `x ln(x / y)` of a KL divergence, for `x, y >= 0`:
    /// `0 ln(0/y) = 0` (also for `y = 0`), `+∞` when `y = 0 < x`.
    /// For `x > 0, y > 0` it is `x (ln x − ln y)`; when the enclosure of `x` touches 0 the
    /// bounds `x ln(x/y) >= −y/e` (minimum of the convex function at `x = y/e`) and the value at
    /// the upper end are used.
    pub fn xlogxy(x: &Enc, y: &Enc, prec: u32) -> Enc {
        if x.is_exact_zero() {
            return Enc::zero(prec);
        }
        if y.is_exact_zero() {
            return if x.lo > 0 {
                Enc::pos_infinity(prec)
            } else {
                Enc::new(neg_inf(prec), pos_inf(prec))
            };
        }
        if x.lo > 0 && y.lo > 0 {
            return x.mul(&x.ln(prec).sub(&y.ln(prec), prec), prec);
        }
        // x in [0, xh] (not exactly 0), y >= ylo >= 0: x ln(x/y) >= -y/e >= -yh/e, and
        // x ln(x/y) <= max(0, xh ln(xh/ylo)) by convexity in x on [0, xh].
        let e = Enc::from_i64(1, prec).exp(prec);
        let lower = y.div(&e, prec).neg();
        let upper = if y.lo > 0 {
            let t = Enc::point(&x.hi).mul(
                &Enc::point(&x.hi).ln(prec).sub(&Enc::point(&y.lo).ln(prec), prec),
                prec,
            );
            fmax(&t.hi, &zero(prec))
        } else {
            pos_inf(prec)
        };
        Enc::new(lower.lo, upper)
    }
    /// The sum of enclosures (exact zero for an empty sum).
    pub fn sum<'a, I: IntoIterator<Item = &'a Enc>>(items: I, prec: u32) -> Enc {
        let mut acc = Enc::zero(prec);
        for x in items {
            acc = acc.add(x, prec);
        }
        acc
    }
}

/// Intersections with exact bounds (a value known to lie in `[lo, hi]` by a mathematical argument
/// made at the caller, e.g. a mean between the smallest and largest reward).
impl Enc {
    /// `self` intersected with `[lo, hi]` (outward-rounded ends); unchanged when they are
    /// disjoint (the caller's argument then failed, and nothing is claimed).
    pub fn intersect_rational(&self, lo: &Rational, hi: &Rational, prec: u32) -> Enc {
        let l = Enc::from_rational(lo, prec);
        let h = Enc::from_rational(hi, prec);
        let a = fmax(self.lo(), l.lo());
        let b = if self.hi() < h.hi() {
            self.hi().clone()
        } else {
            h.hi().clone()
        };
        if a > b {
            return self.clone();
        }
        Enc::new(a, b)
    }
    /// `self` intersected with `[0, 1]` (unchanged when they are disjoint), with no rational
    /// conversion: 0 and 1 are exact floats (a probability).
    pub fn clamp01(&self) -> Enc {
        let a = if *self.lo() < 0 {
            Float::new(self.lo().prec())
        } else {
            self.lo().clone()
        };
        let b = if *self.hi() > 1 {
            Float::with_val(self.hi().prec(), 1)
        } else {
            self.hi().clone()
        };
        if a > b {
            return self.clone();
        }
        Enc::new(a, b)
    }
}
