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
use std::collections::HashMap;

/// The four Shannon quantities of `divergence` (issue 15).
#[derive(Clone, Debug)]
pub struct Shannon {
    /// `D(p||q)`.
    pub kl: Enc,
    /// `D(q||p)`.
    pub kl_reverse: Enc,
    /// `H(p)`.
    pub entropy: Enc,
    /// `-sum p ln q`.
    pub cross_entropy: Enc,
}

/// Per distinct value `v` of the supports: the exact coefficients of `ln v` in the four sums.
#[derive(Clone, Default)]
struct Group {
    /// tokens with `p_a = v > 0` (entropy: `-n v ln v`)
    n_p: u64,
    /// tokens with `p_a = v`, `q_a > 0`, `p_a != q_a` (`D(p||q)`: `+n v ln v`)
    n_p_kl: u64,
    /// tokens with `q_a = v`, `p_a > 0`, `p_a != q_a` (`D(q||p)`: `+n v ln v`)
    n_q_kl: u64,
    /// tokens with `p_a = q_a = v` (cross-entropy: `-n v ln v`)
    n_eq: u64,
    /// `sum p_a` over `q_a = v`, `p_a > 0`, `p_a != q_a` (`D(p||q)`: `-P ln v`; cross-entropy)
    p_on_q: Rational,
    /// `sum q_a` over `p_a = v`, `q_a > 0`, `p_a != q_a` (`D(q||p)`: `-Q ln v`)
    q_on_p: Rational,
}

/// `D(p||q)`, `D(q||p)`, `H(p)` and the cross-entropy; from [`GROUPED_MIN_TOKENS`] tokens on,
/// with one logarithm per distinct probability value, shared by the four sums (a vocabulary of 10^6 tokens whose probabilities
/// take a few thousand values needs a few thousand logarithms instead of 4 10^6).
///
/// Each sum is regrouped exactly by the value whose logarithm it needs:
/// `H = -sum_v n_v v ln v`, `-sum p ln q = -sum_v (P_v + n=_v v) ln v`,
/// `D(p||q) = sum_{p != q} p ln p - sum_{p != q} p ln q = sum_v (n_v v - P_v) ln v` and likewise
/// `D(q||p)`, with the counts `n` and the exact rational sums `P`, `Q` of `Group`. Tokens with
/// `p_a = q_a` add exactly 0 to both divergences and are left out of them, so `D(p||p)` is an
/// exact 0. Each `ln v` is one enclosure; the coefficients are exact; every product and sum is
/// rounded outward, so the results are enclosures.
///
/// Working precision: `H` and the cross-entropy are sums of terms of one sign (`-ln v >= 0`),
/// so `prec + 8` bits give `prec` relative. A divergence is a difference `A - B` of the
/// `p ln p` and `p ln q` parts, whose rounding errors are about `2^-w (|A| + |B|)` at `w` bits;
/// `w = prec + 8 + log2((|A| + |B|) / D)` (estimated in `f64`) recovers `prec` bits of `D`.
/// When the estimate cannot resolve `D` (about 50 bits of cancellation or more) that divergence
/// takes [`kl`], which forms each exact ratio `p_a / q_a` and has no cancellation.
pub fn shannon(p: &[Rational], q: &[Rational], prec: u32) -> Shannon {
    if p.len() < GROUPED_MIN_TOKENS {
        // a small alphabet: the per-token forms (four logarithms per token cost nothing here,
        // and their enclosures are the ones printed before issue 15)
        return Shannon {
            kl: kl(p, q, prec),
            kl_reverse: kl(q, p, prec),
            entropy: entropy(p, prec),
            cross_entropy: cross_entropy(p, q, prec),
        };
    }
    shannon_grouped(p, q, prec)
}

/// Alphabet size from which [`shannon`] regroups by distinct values.
pub const GROUPED_MIN_TOKENS: usize = 4096;

/// [`shannon`] by distinct values at any alphabet size (see [`shannon`]).
pub fn shannon_grouped(p: &[Rational], q: &[Rational], prec: u32) -> Shannon {
    let inf_pq = p.iter().zip(q).any(|(pa, qa)| *pa != 0 && *qa == 0);
    let inf_qp = p.iter().zip(q).any(|(pa, qa)| *qa != 0 && *pa == 0);
    // distinct values in order of first appearance (a deterministic order of the final sums)
    let mut ids: HashMap<&Rational, usize> = HashMap::new();
    let mut vals: Vec<&Rational> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    for (pa, qa) in p.iter().zip(q) {
        for v in [pa, qa] {
            if *v != 0 && !ids.contains_key(v) {
                ids.insert(v, vals.len());
                vals.push(v);
                groups.push(Group::default());
            }
        }
    }
    for (pa, qa) in p.iter().zip(q) {
        if *pa == 0 {
            continue;
        }
        let ip = ids[pa];
        groups[ip].n_p += 1;
        if *qa == 0 {
            continue;
        }
        let iq = ids[qa];
        if pa == qa {
            groups[ip].n_eq += 1;
        } else {
            groups[ip].n_p_kl += 1;
            groups[iq].n_q_kl += 1;
            groups[iq].p_on_q += pa;
            groups[ip].q_on_p += qa;
        }
    }
    // exact coefficients of ln v in each sum
    let coef = |n: u64, v: &Rational| Rational::from(v * n);
    let h_c: Vec<Rational> = groups.iter().zip(&vals).map(|(g, v)| coef(g.n_p, v)).collect();
    let ce_c: Vec<Rational> = groups
        .iter()
        .zip(&vals)
        .map(|(g, v)| Rational::from(&g.p_on_q + &coef(g.n_eq, v)))
        .collect();
    // D(p||q) = A - B: A = sum n_p_kl v ln v, B = sum P ln v (both <= 0)
    let a_pq: Vec<Rational> = groups.iter().zip(&vals).map(|(g, v)| coef(g.n_p_kl, v)).collect();
    let b_pq: Vec<Rational> = groups.iter().map(|g| g.p_on_q.clone()).collect();
    let a_qp: Vec<Rational> = groups.iter().zip(&vals).map(|(g, v)| coef(g.n_q_kl, v)).collect();
    let b_qp: Vec<Rational> = groups.iter().map(|g| g.q_on_p.clone()).collect();
    // f64 estimates of the cancellation
    let ln64: Vec<f64> = vals.iter().map(|v| log_f64(v)).collect();
    let dot64 = |c: &[Rational]| -> f64 { c.iter().zip(&ln64).map(|(a, l)| a.to_f64() * l).sum() };
    let guard = |a: &[Rational], b: &[Rational]| -> Option<u32> {
        let (x, y) = (dot64(a), dot64(b));
        let d = x - y;
        let size = x.abs() + y.abs();
        if size == 0.0 {
            return Some(0);
        }
        if d.is_nan() || d <= size * 1e-15 * 64.0 || !d.is_finite() {
            return None;
        }
        Some((size / d).log2().ceil().max(0.0) as u32)
    };
    let g_pq = if inf_pq { Some(0) } else { guard(&a_pq, &b_pq) };
    let g_qp = if inf_qp { Some(0) } else { guard(&a_qp, &b_qp) };
    let w = prec + 8 + g_pq.unwrap_or(0).max(g_qp.unwrap_or(0));
    // one logarithm per distinct value, on worker threads
    let logs: Vec<Enc> = par::map(&vals, |v| Enc::from_rational(v, w).ln(w));
    let dot = |c: &[Rational]| -> Enc {
        let mut acc = Enc::zero(w);
        for (ci, l) in c.iter().zip(&logs) {
            if *ci != 0 {
                acc = acc.add(&l.mul_rational(ci, w), w);
            }
        }
        acc
    };
    let entropy = dot(&h_c).neg();
    let cross_entropy = if inf_pq {
        Enc::pos_infinity(prec)
    } else {
        dot(&ce_c).neg()
    };
    let div =
        |inf: bool, g: Option<u32>, a: &[Rational], b: &[Rational], x: &[Rational], y: &[Rational]| -> Enc {
            if inf {
                return Enc::pos_infinity(prec);
            }
            match g {
                // a divergence is >= 0
                Some(_) => dot(a).sub(&dot(b), w).clamp_nonneg(w),
                None => kl(x, y, prec),
            }
        };
    Shannon {
        kl: div(inf_pq, g_pq, &a_pq, &b_pq, p, q),
        kl_reverse: div(inf_qp, g_qp, &a_qp, &b_qp, q, p),
        entropy,
        cross_entropy,
    }
}

/// `ln v` in `f64` for a positive rational of any size (an estimate).
fn log_f64(v: &Rational) -> f64 {
    let f = v.to_f64();
    if f > 0.0 && f.is_finite() && f > 1e-300 {
        return f.ln();
    }
    let ln2 = std::f64::consts::LN_2;
    (v.numer().significant_bits() as f64 - v.denom().significant_bits() as f64) * ln2
}

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
