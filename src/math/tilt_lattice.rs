//! High-precision tilts of rewards on a small lattice: `e^{-|l| g}` for every shifted reward
//! `g = |r - c| = k h` as the powers `u^k` of one exponential `u = e^{-|l| h}` (used by
//! `math::tilt::eval_parts`; TILT-1..2 of MATH.md, `proofs/tilt.md`).

use crate::real::Enc;
use rug::{Integer, Rational};

/// From this precision on, `math::tilt::eval_parts` forms `e^{-|l| g}` for rewards on a small lattice as
/// powers of one exponential: at 10^5 digits an MPFR exponential costs about 30 full-precision
/// multiplications, a power `u^k` with `k <= 16` at most 8. Below it the per-value exponentials
/// are kept (and with them every enclosure the tests and snapshots pin).
pub const LATTICE_POW_MIN_PREC: u32 = 16384;
/// The largest multiplier `k = g / h` taken as a power: the power's relative width is about `k`
/// times that of `u1` (at most 4 bits lost), which the working precision's guard bits absorb.
pub const LATTICE_POW_MAX_K: i64 = 16;

/// `(h, e^{-|l| h})` when every shifted reward `g = |r - c|` of the model is `k h` with an integer
/// `1 <= k <= 16` for the rational `h = gcd` of the nonzero `g` (`gcd(a/b, c/d) = gcd(a, c) /
/// lcm(b, d)`) and there are at least two distinct nonzero `g`; `None` otherwise or below
/// [`LATTICE_POW_MIN_PREC`].
pub fn lattice_base(r: &[Rational], c: &Rational, al: &Enc, prec: u32) -> Option<(Rational, Enc)> {
    if prec < LATTICE_POW_MIN_PREC || r.len() > 64 {
        return None;
    }
    let mut gs: Vec<Rational> = r
        .iter()
        .map(|r| Rational::from(r - c).abs())
        .filter(|g| *g != 0)
        .collect();
    gs.sort();
    gs.dedup();
    if gs.len() < 2 {
        return None;
    }
    let mut num = Integer::new();
    let mut den = Integer::from(1);
    for g in &gs {
        num.gcd_mut(g.numer());
        den.lcm_mut(g.denom());
    }
    let h = Rational::from((num, den));
    let fits = gs.iter().all(|g| {
        let k = Rational::from(g / &h);
        *k.denom() == 1 && *k.numer() <= LATTICE_POW_MAX_K
    });
    fits.then(|| {
        let u1 = al.mul_rational(&h, prec).neg().exp(prec);
        (h, u1)
    })
}
