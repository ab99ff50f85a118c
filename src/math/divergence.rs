//! Divergences and entropies of two exact distributions (MATH.md LDP-4, and the KL of §2).
//!
//! Every function returns an enclosure at working precision `prec` (the last argument) that
//! contains the exact value; `+∞` is returned as [`Enc::pos_infinity`].
//!
//! Conventions: `0 ln 0 = 0`, `0 ln(0/q) = 0`, `p ln(p/0) = +∞` for `p > 0`; terms with `p_a = 0`
//! drop out of every sum (for `alpha > 0`).

use crate::real::{par, Enc};
use rug::Rational;
use std::cmp::Ordering;

/// `D(p||q) = sum_a p_a ln(p_a / q_a)`: `+∞` when `q_a = 0 < p_a` for some `a`.
///
/// Each term is `p_a × ln(p_a/q_a)` with the ratio formed exactly, so only the logarithm and
/// one product are rounded (outward).
pub fn kl(p: &[Rational], q: &[Rational], prec: u32) -> Enc {
    if p.iter().zip(q).any(|(pa, qa)| *pa != 0 && *qa == 0) {
        return Enc::pos_infinity(prec);
    }
    let pairs = support_pairs(p, q);
    let mut acc = Enc::zero(prec);
    // the terms on worker threads, summed here in token order (the same floats as one loop)
    par::fold_in_order(
        &pairs,
        |&(pa, qa)| {
            let ratio = Rational::from(pa / qa);
            Enc::from_rational(&ratio, prec).ln(prec).mul_rational(pa, prec)
        },
        |term| acc = acc.add(&term, prec),
    );
    acc
}

/// The pairs `(p_a, q_a)` with `p_a != 0` and `q_a != 0`, in token order.
fn support_pairs<'a>(p: &'a [Rational], q: &'a [Rational]) -> Vec<(&'a Rational, &'a Rational)> {
    p.iter()
        .zip(q)
        .filter(|(pa, qa)| **pa != 0 && **qa != 0)
        .collect()
}

/// Shannon entropy `H(p) = -sum_a p_a ln p_a`.
pub fn entropy(p: &[Rational], prec: u32) -> Enc {
    let support: Vec<&Rational> = p.iter().filter(|pa| **pa > 0).collect();
    let mut acc = Enc::zero(prec);
    par::fold_in_order(
        &support,
        |pa| Enc::from_rational(pa, prec).ln(prec).mul_rational(pa, prec),
        |term| acc = acc.add(&term, prec),
    );
    acc.neg()
}

/// Cross-entropy `-sum_a p_a ln q_a` (the `alpha -> 1` limit of both Rényi cross-entropies).
pub fn cross_entropy(p: &[Rational], q: &[Rational], prec: u32) -> Enc {
    if p.iter().zip(q).any(|(pa, qa)| *pa != 0 && *qa == 0) {
        return Enc::pos_infinity(prec);
    }
    let pairs = support_pairs(p, q);
    let mut acc = Enc::zero(prec);
    par::fold_in_order(
        &pairs,
        |&(pa, qa)| Enc::from_rational(qa, prec).ln(prec).mul_rational(pa, prec),
        |term| acc = acc.add(&term, prec),
    );
    acc.neg()
}

/// `x^e` for exact `x > 0` and exact `e`, as `exp(e ln x)` (exact when `e` = 0 or `x` = 1).
fn rpow(x: &Rational, e: &Rational, prec: u32) -> Enc {
    if *e == 0 || *x == 1 {
        return Enc::from_i64(1, prec);
    }
    Enc::from_rational(x, prec)
        .ln(prec)
        .mul_rational(e, prec)
        .exp(prec)
}

/// `ln(S) / c` for an enclosure `S >= 0` of a sum of non-negative terms and an exact `c != 0`:
/// `S = 0` gives `-∞ / c`, i.e. `+∞` when `c < 0`.
fn log_over(s: &Enc, s_is_zero: bool, c: &Rational, prec: u32) -> Enc {
    if s_is_zero {
        return if *c < 0 {
            Enc::pos_infinity(prec)
        } else {
            Enc::pos_infinity(prec).neg()
        };
    }
    let inv = Rational::from(c.recip_ref());
    s.ln(prec).mul_rational(&inv, prec)
}

/// Rényi divergence `D_alpha(p||q) = ln(sum_a p_a^alpha q_a^{1-alpha}) / (alpha - 1)` (LDP-4),
/// for `alpha > 0`; `alpha = 1` gives `D(p||q)`.
/// Special cases: `q_a = 0 < p_a` makes it `+∞` for `alpha > 1` and contributes 0 for
/// `alpha < 1`; disjoint supports give `+∞`.
pub fn renyi_divergence(p: &[Rational], q: &[Rational], alpha: &Rational, prec: u32) -> Enc {
    if *alpha == 1 {
        return kl(p, q, prec);
    }
    if p == q {
        // sum_a p_a^alpha p_a^{1-alpha} = 1 exactly: D_alpha(p||p) = 0 (the generic route would
        // enclose 1 only approximately and never certify the exact zero)
        return Enc::zero(prec);
    }
    let one_minus = Rational::from(1 - alpha);
    if *alpha > 1 && p.iter().zip(q).any(|(pa, qa)| *pa != 0 && *qa == 0) {
        return Enc::pos_infinity(prec);
    }
    let pairs = support_pairs(p, q);
    let mut acc = Enc::zero(prec);
    par::fold_in_order(
        &pairs,
        |&(pa, qa)| rpow(pa, alpha, prec).mul(&rpow(qa, &one_minus, prec), prec),
        |t| acc = acc.add(&t, prec),
    );
    log_over(&acc, pairs.is_empty(), &Rational::from(alpha - 1), prec)
}

/// Rényi entropy `H_alpha(p) = ln(sum_a p_a^alpha) / (1 - alpha)` (LDP-4), `alpha > 0`;
/// `alpha = 1` gives the Shannon entropy.
pub fn renyi_entropy(p: &[Rational], alpha: &Rational, prec: u32) -> Enc {
    if *alpha == 1 {
        return entropy(p, prec);
    }
    let support: Vec<&Rational> = p.iter().filter(|pa| **pa > 0).collect();
    let mut acc = Enc::zero(prec);
    par::fold_in_order(&support, |pa| rpow(pa, alpha, prec), |t| acc = acc.add(&t, prec));
    log_over(&acc, false, &Rational::from(1 - alpha), prec)
}

/// Rényi cross-entropy `H_alpha(p; q) = ln(sum_a p_a q_a^{alpha-1}) / (1 - alpha)` (LDP-4),
/// `alpha > 0`; `alpha = 1` gives the cross-entropy `-sum p ln q`.
/// `q_a = 0 < p_a` contributes 0 for `alpha > 1` and makes it `+∞` for `alpha < 1`.
pub fn renyi_cross_entropy(p: &[Rational], q: &[Rational], alpha: &Rational, prec: u32) -> Enc {
    if *alpha == 1 {
        return cross_entropy(p, q, prec);
    }
    let am1 = Rational::from(alpha - 1);
    if *alpha < 1 && p.iter().zip(q).any(|(pa, qa)| *pa != 0 && *qa == 0) {
        return Enc::pos_infinity(prec);
    }
    let pairs = support_pairs(p, q);
    let mut acc = Enc::zero(prec);
    par::fold_in_order(
        &pairs,
        |&(pa, qa)| rpow(qa, &am1, prec).mul_rational(pa, prec),
        |t| acc = acc.add(&t, prec),
    );
    log_over(&acc, pairs.is_empty(), &Rational::from(1 - alpha), prec)
}

/// The alternative Rényi cross-entropy `H_alpha(p) + D_alpha(p||q)` (LDP-4, "alt").
pub fn renyi_cross_entropy_alt(p: &[Rational], q: &[Rational], alpha: &Rational, prec: u32) -> Enc {
    let d = renyi_divergence(p, q, alpha, prec);
    if d.is_pos_infinity() {
        return d;
    }
    renyi_entropy(p, alpha, prec).add(&d, prec)
}

/// Support check used by callers: `Some(Ordering::Greater)` if `p << q` fails.
pub fn absolutely_continuous(p: &[Rational], q: &[Rational]) -> bool {
    p.iter()
        .zip(q)
        .all(|(pa, qa)| !(pa.cmp0() == Ordering::Greater && qa.cmp0() == Ordering::Equal))
}
