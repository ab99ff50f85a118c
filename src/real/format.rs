//! Decimal formatting of exact rationals and enclosures, done in exact integer arithmetic.
//!
//! - [`rational_to_sig_decimal`] rounds an exact rational to `sig` significant digits in a chosen
//!   direction (nearest, down = toward −∞, up = toward +∞).
//! - [`certify_decimal`] turns an enclosure `[lo, hi]` into the `value` of INTERFACE.md: `sig`
//!   significant digits that differ from every point of `[lo, hi]` by at most one unit in the last
//!   place, or `None` when the enclosure is too wide for that (the precision loop then raises the
//!   precision). `lo`/`hi` are printed rounded outward.
//!
//! The conversion Float → Rational is exact (a binary float is a dyadic rational), and all
//! rounding below is done on integers, so no digit is printed that the enclosure does not imply.

use super::Enc;
use rug::ops::DivRounding;
use rug::{Integer, Rational};

/// Rounding direction for decimal output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// To nearest, ties away from zero.
    Nearest,
    /// Toward −∞.
    Down,
    /// Toward +∞.
    Up,
}

fn pow10(e: u64) -> Integer {
    Integer::from(Integer::u_pow_u(10, e as u32))
}

/// `10^e` as an exact rational for any integer `e`.
fn pow10_rat(e: i64) -> Rational {
    if e >= 0 {
        Rational::from(pow10(e as u64))
    } else {
        Rational::from((Integer::from(1), pow10(e.unsigned_abs())))
    }
}

/// floor(log10(a)) for an exact rational `a > 0`.
fn floor_log10(a: &Rational) -> i64 {
    // estimate from bit lengths, then correct exactly
    let nb = a.numer().significant_bits() as f64;
    let db = a.denom().significant_bits() as f64;
    let mut e = ((nb - db) * std::f64::consts::LOG10_2).floor() as i64;
    while pow10_rat(e) > *a {
        e -= 1;
    }
    while pow10_rat(e + 1) <= *a {
        e += 1;
    }
    e
}

/// `q` rounded to `sig` significant digits in direction `dir`: returns `(m, e)` with
/// `|m|` having exactly `sig` digits (or `m = 0`) and the rounded value `m × 10^e`.
pub fn round_sig(q: &Rational, sig: usize, dir: Dir) -> (Integer, i64) {
    assert!(sig >= 1);
    if *q == 0 {
        return (Integer::new(), 0);
    }
    let neg = *q < 0;
    let a = Rational::from(q.abs_ref());
    let e0 = floor_log10(&a);
    let mut e = e0 - (sig as i64 - 1);
    // scaled = a / 10^e, in [10^{sig-1}, 10^sig)
    let scaled = a / pow10_rat(e);
    let (fl, rem) = {
        let (n, d) = scaled.into_numer_denom();
        let (q, r) = n.div_rem_floor(d.clone());
        (q, Rational::from((r, d)))
    };
    // magnitude rounding: toward zero or away from zero
    let away = match dir {
        Dir::Nearest => rem >= Rational::from((1, 2)),
        Dir::Down => neg && rem != 0,
        Dir::Up => !neg && rem != 0,
    };
    let mut m = if away { fl + 1u32 } else { fl };
    if m == pow10(sig as u64) {
        m /= 10u32;
        e += 1;
    }
    if neg {
        m = -m;
    }
    (m, e)
}

/// Render `m × 10^e` (with `m` of `sig` digits) as a decimal string: positional when the digits
/// reach the units place (`e <= 0`) and the decimal exponent of the leading digit is in
/// `[-7, 21)`; otherwise scientific (`1.25e-30`, and `1.03e5` rather than `103000`, whose
/// trailing zeros would read as significant digits that the value does not have).
pub fn render(m: &Integer, e: i64) -> String {
    if *m == 0 {
        return "0".to_string();
    }
    render_digits(*m < 0, &Integer::from(m.abs_ref()).to_string(), e)
}

/// [`render`] of `±digits × 10^e` from the decimal digits of `|m| > 0` (no leading zeros).
fn render_digits(neg: bool, digits: &str, e: i64) -> String {
    let nd = digits.len() as i64;
    let lead = e + nd - 1; // exponent of the leading digit
    let mut out = String::with_capacity(digits.len() + 24);
    if neg {
        out.push('-');
    }
    if e <= 0 && (-7..21).contains(&lead) {
        if e == 0 {
            out.push_str(digits);
        } else if lead >= 0 {
            let k = (lead + 1) as usize;
            out.push_str(&digits[..k]);
            out.push('.');
            out.push_str(&digits[k..]);
        } else {
            out.push_str("0.");
            for _ in 0..(-lead - 1) {
                out.push('0');
            }
            out.push_str(digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push_str(&lead.to_string());
    }
    out
}

/// [`render`] of a machine integer `m > 0` (the fast path of [`certify_decimal`]).
fn render_u128(m: u128, e: i64) -> String {
    if m == 0 {
        return "0".to_string();
    }
    render_digits(false, &m.to_string(), e)
}

/// A finite non-zero float rounded to `sig` significant decimal digits in direction `dir`, as
/// `(m, e)` with the rounded value `m × 10^e` and `|m|` of exactly `sig` digits.
///
/// The digits come from MPFR's `mpfr_get_str`, which is correctly rounded in the requested
/// direction (ties to even for [`Dir::Nearest`]) and costs the same at any exponent: no exact
/// rational expansion of a float such as `2^(-10^9)` and no exact `10^k` is ever built.
pub fn float_sig(x: &rug::Float, sig: usize, dir: Dir) -> (Integer, i64) {
    assert!(sig >= 1 && x.is_normal());
    let round = match dir {
        Dir::Down => rug::float::Round::Down,
        Dir::Up => rug::float::Round::Up,
        Dir::Nearest => rug::float::Round::Nearest,
    };
    let (neg, digits, exp) = super::round::decimal_digits(x, sig, round);
    let m = Integer::from_str_radix(&digits, 10).expect("MPFR decimal digits");
    // |x| ~ 0.digits × 10^exp = digits × 10^(exp - len)
    let e = exp - digits.len() as i64;
    (if neg { -m } else { m }, e)
}

/// `q` rounded to `sig` significant digits in direction `dir`, rendered as decimal text.
pub fn rational_to_sig_decimal(q: &Rational, sig: usize, dir: Dir) -> String {
    let (m, e) = round_sig(q, sig, dir);
    render(&m, e)
}

/// A certified decimal: `value` has the requested significant digits and is within one unit in
/// its last place of every point of `[lo, hi]`, which themselves enclose the truth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertifiedDecimal {
    /// The value to `sig` significant digits.
    pub value: String,
    /// A rigorous lower bound, rounded down.
    pub lo: String,
    /// A rigorous upper bound, rounded up.
    pub hi: String,
}

/// Extra digits printed in `lo`/`hi` beyond those of `value`.
pub const BOUND_EXTRA_DIGITS: usize = 3;

/// Decimal guard digits of the outward-rounded endpoints from which `value` is chosen.
const GUARD_DIGITS: usize = 6;

/// Certify `sig` significant digits of the real enclosed by `x`, or `None` when `[lo, hi]`
/// is too wide (or contains 0 without being exactly 0, or is not finite).
///
/// Method (no exact rational of the binary endpoints is formed, so the cost does not depend on
/// their exponents): `L = lo` rounded down and `H = hi` rounded up to `sig + 6` significant
/// decimal digits by MPFR (correctly rounded, [`float_sig`]), so `L <= lo <= hi <= H`. The value
/// `v` is the midpoint of `[L, H]` rounded to `sig` digits, accepted when
/// `v - ulp <= L` and `H <= v + ulp` (exact integer arithmetic at the common exponent of `L`
/// and `H`), which implies `|x - v| <= ulp` for every `x` in `[lo, hi]`. The printed bounds are
/// `L` rounded down and `H` rounded up to `sig + 3` digits: directed rounding onto a coarser
/// decimal grid through a finer one gives the same result as rounding `lo` (or `hi`) directly.
pub fn certify_decimal(x: &Enc, sig: usize) -> Option<CertifiedDecimal> {
    if sig >= MEMO_MIN_DIGITS && x.is_finite() && !FORCE_BIG.with(|f| f.get()) {
        return memo::certify(x, sig);
    }
    certify_decimal_uncached(x, sig)
}

/// Digits from which [`certify_decimal`] remembers its answers: the precision loop certifies
/// every value once to accept a result and the rendering certifies it again, and at 100000
/// digits each certification costs two `mpfr_get_str` of 100006 digits (as much as an
/// exponential at that precision). Below this the machine-integer path is cheaper than a lookup.
const MEMO_MIN_DIGITS: usize = 1000;

/// The last answers of [`certify_decimal`] for many digits, per thread. The answer is a function
/// of the endpoint values and the digits alone (MPFR's decimal digits of a float depend on its
/// value only), so a hit returns exactly what a recomputation would.
mod memo {
    use super::{certify_decimal_uncached, CertifiedDecimal, Enc};
    use std::cell::RefCell;

    /// Entries kept (first in, first out): a result has a few dozen reals at most when the
    /// digits are many.
    const SLOTS: usize = 32;

    type Entry = (usize, rug::Float, rug::Float, Option<CertifiedDecimal>);

    thread_local! {
        static MEMO: RefCell<std::collections::VecDeque<Entry>> = const { RefCell::new(std::collections::VecDeque::new()) };
    }

    /// Equal values (and signs; NaN never reaches here: the enclosure is finite).
    fn same(a: &rug::Float, b: &rug::Float) -> bool {
        a == b && a.is_sign_negative() == b.is_sign_negative()
    }

    pub(super) fn certify(x: &Enc, sig: usize) -> Option<CertifiedDecimal> {
        let hit = MEMO.with(|m| {
            m.borrow()
                .iter()
                .find(|(d, lo, hi, _)| *d == sig && same(lo, x.lo()) && same(hi, x.hi()))
                .map(|e| e.3.clone())
        });
        if let Some(c) = hit {
            return c;
        }
        let c = certify_decimal_uncached(x, sig);
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            if m.len() >= SLOTS {
                m.pop_front();
            }
            m.push_back((sig, x.lo().clone(), x.hi().clone(), c.clone()));
        });
        c
    }
}

/// [`certify_decimal`] without the memory of [`memo`].
fn certify_decimal_uncached(x: &Enc, sig: usize) -> Option<CertifiedDecimal> {
    if !x.is_finite() {
        return None;
    }
    if x.is_exact_zero() {
        return Some(CertifiedDecimal {
            value: "0".into(),
            lo: "0".into(),
            hi: "0".into(),
        });
    }
    let (lo, hi) = (x.lo(), x.hi());
    if lo.is_zero() || hi.is_zero() || lo.is_sign_negative() != hi.is_sign_negative() {
        return None;
    }
    // a negative enclosure is certified through its negation [-hi, -lo] (exact), then the texts
    // are negated with lo and hi exchanged
    if lo.is_sign_negative() {
        let c = certify_decimal_uncached(&x.neg(), sig)?;
        return Some(CertifiedDecimal {
            value: format!("-{}", c.value),
            lo: format!("-{}", c.hi),
            hi: format!("-{}", c.lo),
        });
    }
    let g = sig + GUARD_DIGITS;
    if g <= FAST_DIGITS && !FORCE_BIG.with(|f| f.get()) {
        return certify_u128(lo, hi, sig);
    }
    let (lm, le) = float_sig(lo, g, Dir::Down);
    let (hm, he) = float_sig(hi, g, Dir::Up);
    // endpoints whose decimal exponents differ by more than one are more than a factor 10
    // apart: no digit is certified (and the alignment below stays small)
    if (le - he).abs() > 1 {
        return None;
    }
    // integers only from here on (no rational canonicalisation, whose gcd dominates at 100000
    // digits), in units of 10^e0: 0 < L <= lo <= hi <= H
    let e0 = le.min(he);
    let lq = lm * pow10((le - e0) as u64);
    let hq = hm * pow10((he - e0) as u64);
    let mid2 = Integer::from(&lq + &hq); // 2 * midpoint
                                         // k = digits of the midpoint - sig (>= 0: the endpoints carry sig + 6 digits)
    let mid = Integer::from(&mid2 >> 1u32);
    let k = decimal_len(&mid) as i64 - sig as i64;
    if k < 0 {
        return None;
    }
    let ulp = pow10(k as u64);
    // m = round-half-up(mid / 10^k) = floor((2 mid + 10^k) / (2 10^k))
    let mut m = Integer::from(&mid2 + &ulp).div_floor(Integer::from(&ulp << 1u32));
    let v = Integer::from(&m * &ulp);
    // |x - v| <= ulp for every x in [L, H]  <=>  v - ulp <= L and H <= v + ulp
    if Integer::from(&v - &ulp) > lq || Integer::from(&v + &ulp) < hq {
        return None;
    }
    let mut ek = k;
    if m == pow10(sig as u64) {
        m /= 10u32;
        ek += 1;
    }
    let bsig = sig + BOUND_EXTRA_DIGITS;
    let (blm, ble) = int_sig_dir(&lq, bsig, false);
    let (bhm, bhe) = int_sig_dir(&hq, bsig, true);
    Some(CertifiedDecimal {
        value: render(&m, ek + e0),
        lo: render(&blm, ble + e0),
        hi: render(&bhm, bhe + e0),
    })
}

/// Largest `sig + GUARD_DIGITS` of the machine-integer path of [`certify_decimal`]: the
/// aligned endpoints are below `10^(g+1)` and twice their midpoint below `2 × 10^(g+1)`, which
/// fits in a `u128` (below `3.4 × 10^38`) for `g <= 37`.
const FAST_DIGITS: usize = 37;

/// `10^k` as a machine integer (`k <= 38`).
fn pow10_u128(k: u32) -> u128 {
    10u128.pow(k)
}

/// Number of decimal digits of `n > 0`.
fn decimal_len_u128(n: u128) -> usize {
    n.ilog10() as usize + 1
}

/// [`int_sig_dir`] on a machine integer `n > 0`.
fn int_sig_dir_u128(n: u128, sig: usize, up: bool) -> (u128, i64) {
    let k = decimal_len_u128(n) as i64 - sig as i64;
    if k <= 0 {
        return (n, 0);
    }
    let d = pow10_u128(k as u32);
    let mut m = if up { n.div_ceil(d) } else { n / d };
    let mut e = k;
    if m == pow10_u128(sig as u32) {
        m /= 10;
        e += 1;
    }
    (m, e)
}

/// The positive branch of [`certify_decimal`] for `sig + GUARD_DIGITS <= FAST_DIGITS`: the same
/// steps on machine integers instead of [`Integer`]s (the same MPFR digits, the same integer
/// arithmetic, so the same texts; a vocabulary of 10^6 tokens prints 10^6 such values).
fn certify_u128(lo: &rug::Float, hi: &rug::Float, sig: usize) -> Option<CertifiedDecimal> {
    let c = certify_u128_digits(lo, hi, sig)?;
    let bsig = sig + BOUND_EXTRA_DIGITS;
    let (blm, ble) = int_sig_dir_u128(c.lq, bsig, false);
    let (bhm, bhe) = int_sig_dir_u128(c.hq, bsig, true);
    Some(CertifiedDecimal {
        value: render_u128(c.m, c.ek + c.e0),
        lo: render_u128(blm, ble + c.e0),
        hi: render_u128(bhm, bhe + c.e0),
    })
}

/// The integers of an accepted [`certify_u128`], before rendering: `value = m 10^(ek + e0)`,
/// `L = lq 10^e0`, `H = hq 10^e0`.
struct U128Digits {
    m: u128,
    ek: i64,
    lq: u128,
    hq: u128,
    e0: i64,
}

/// The decision of [`certify_u128`] (`None` exactly when it returns `None`) and its integers.
fn certify_u128_digits(lo: &rug::Float, hi: &rug::Float, sig: usize) -> Option<U128Digits> {
    let g = sig + GUARD_DIGITS;
    let (_, lm, lx) = super::round::decimal_digits_u128(lo, g, rug::float::Round::Down);
    let (_, hm, hx) = super::round::decimal_digits_u128(hi, g, rug::float::Round::Up);
    // float_sig: value = digits × 10^(exp - g)
    let (le, he) = (lx - g as i64, hx - g as i64);
    if (le - he).abs() > 1 {
        return None;
    }
    let e0 = le.min(he);
    let lq = lm * pow10_u128((le - e0) as u32);
    let hq = hm * pow10_u128((he - e0) as u32);
    let mid2 = lq + hq;
    let mid = mid2 >> 1;
    let k = decimal_len_u128(mid) as i64 - sig as i64;
    if k < 0 {
        return None;
    }
    let ulp = pow10_u128(k as u32);
    let mut m = (mid2 + ulp) / (ulp << 1);
    let v = m * ulp;
    // v - ulp > lq  or  v + ulp < hq  (v >= ulp here, but compare without subtracting)
    if v > lq + ulp || v + ulp < hq {
        return None;
    }
    let mut ek = k;
    if m == pow10_u128(sig as u32) {
        m /= 10;
        ek += 1;
    }
    Some(U128Digits { m, ek, lq, hq, e0 })
}

/// `certify_decimal(x, sig).is_some()`, without rendering the texts on the machine-integer path
/// (the precision loop asks this of every real of a result, and the rendering certifies again:
/// a vocabulary's phi has 10^6 of them). The same branches as `certify_decimal_uncached`, so
/// the same answer.
pub fn certifies(x: &Enc, sig: usize) -> bool {
    let fast = sig + GUARD_DIGITS <= FAST_DIGITS && sig < MEMO_MIN_DIGITS && !FORCE_BIG.with(|f| f.get());
    if !fast || !x.is_finite() || x.is_exact_zero() {
        return certify_decimal(x, sig).is_some();
    }
    let (lo, hi) = (x.lo(), x.hi());
    if lo.is_zero() || hi.is_zero() || lo.is_sign_negative() != hi.is_sign_negative() {
        return false;
    }
    if lo.is_sign_negative() {
        // certify_decimal_uncached certifies a negative enclosure through its negation
        let n = x.neg();
        return certify_u128_digits(n.lo(), n.hi(), sig).is_some();
    }
    certify_u128_digits(lo, hi, sig).is_some()
}

/// [`certify_decimal`] without the machine-integer path (the reference of the tests that
/// compare both paths).
#[doc(hidden)]
pub fn certify_decimal_big(x: &Enc, sig: usize) -> Option<CertifiedDecimal> {
    FORCE_BIG.with(|f| f.set(true));
    let r = certify_decimal(x, sig);
    FORCE_BIG.with(|f| f.set(false));
    r
}

thread_local! {
    /// Set by [`certify_decimal_big`] only.
    static FORCE_BIG: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Number of decimal digits of an integer `n > 0`.
fn decimal_len(n: &Integer) -> usize {
    // floor((bits - 1) log10 2) + 1 is the digit count of 2^(bits-1) <= n, so the count is that
    // or one more
    let bits = n.significant_bits() as f64;
    let est = ((bits - 1.0) * std::f64::consts::LOG10_2).floor() as u64 + 1;
    if *n >= pow10(est) {
        est as usize + 1
    } else {
        est as usize
    }
}

/// An integer `n > 0` rounded to `sig` significant digits, down (`up = false`) or up: `(m, e)`
/// with the rounded value `m × 10^e`.
fn int_sig_dir(n: &Integer, sig: usize, up: bool) -> (Integer, i64) {
    let k = decimal_len(n) as i64 - sig as i64;
    if k <= 0 {
        return (n.clone(), 0);
    }
    let d = pow10(k as u64);
    let mut m = if up {
        n.clone().div_ceil(d)
    } else {
        n.clone().div_floor(d)
    };
    let mut e = k;
    if m == pow10(sig as u64) {
        m /= 10u32;
        e += 1;
    }
    (m, e)
}

/// How many significant digits the enclosure certifies (0 when none), for error messages.
pub fn certified_digits(x: &Enc) -> usize {
    if !x.is_finite() {
        return 0;
    }
    if x.is_exact_zero() {
        return usize::MAX;
    }
    let mag = x.lo().clone().abs().max(&x.hi().clone().abs());
    let w = x.width();
    if w.is_zero() {
        return usize::MAX;
    }
    let r = (mag / w).log10().to_f64();
    if r.is_finite() && r > 0.0 {
        r.floor() as usize
    } else {
        0
    }
}

/// Certify `sig` significant digits of `e^x` for an enclosure `x` of a logarithm, also when
/// `e^x` is far outside the floating-point exponent range (a best-of-N probability such as
/// `e^{-10^1300}`): with `y = x / ln 10`, `k = floor(mid y)`, the mantissa `10^{y - k}` is
/// certified as usual and the decimal exponent shifted by `k` exactly.
pub fn certify_exp_decimal(x: &Enc, sig: usize) -> Option<CertifiedDecimal> {
    if !x.is_finite() {
        return None;
    }
    let prec = x.prec();
    let ln10 = Enc::from_i64(10, prec).ln(prec);
    let y = x.div(&ln10, prec);
    let k = y.mid().floor().to_integer()?;
    let frac = y.sub(&Enc::from_integer(&k, prec), prec);
    let mant = frac.mul(&ln10, prec).exp(prec);
    let c = certify_decimal(&mant, sig)?;
    let shift = |s: &str| -> String {
        // re-render the mantissa text with its decimal exponent shifted by k (a big integer:
        // e^{-10^1300} has a 1300-digit exponent)
        let q: Rational = decimal_to_rational(s);
        let digits = s
            .split(['e', 'E'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|ch| ch.is_ascii_digit())
            .skip_while(|ch| *ch == '0')
            .count()
            .max(1);
        let (m, e) = round_sig(&q, digits, Dir::Nearest);
        render_big(&m, &(Integer::from(e) + &k))
    };
    Some(CertifiedDecimal {
        value: shift(&c.value),
        lo: shift(&c.lo),
        hi: shift(&c.hi),
    })
}

/// [`render`] with an arbitrary-size decimal exponent: `m × 10^e`, scientific when the exponent
/// does not fit the positional range.
pub fn render_big(m: &Integer, e: &Integer) -> String {
    if let Some(e64) = e.to_i64() {
        if e64.abs() < (1i64 << 40) {
            return render(m, e64);
        }
    }
    if *m == 0 {
        return "0".to_string();
    }
    let neg = *m < 0;
    let digits = Integer::from(m.abs_ref()).to_string();
    let lead = Integer::from(e + (digits.len() as i64 - 1));
    let body = if digits.len() == 1 {
        format!("{digits}e{lead}")
    } else {
        format!("{}.{}e{}", &digits[..1], &digits[1..], lead)
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

/// Exact value of a decimal string produced by [`render`].
fn decimal_to_rational(s: &str) -> Rational {
    crate::exact::parse::parse_rational(s).expect("rendered decimals parse")
}
