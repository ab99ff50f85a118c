//! Best-of-Poisson (MATH.md §7, claim REL-6): best-of-N with a random sample count
//! `N = 1 + Poisson(mu)`, `mu >= 0` (mean `1 + mu` samples).
//!
//! Level law. Conditionally on `N`, `P(max <= s) = F(s)^N` (BON-1), so
//! `P(max <= s) = E[F^N] = sum_k e^{-mu} mu^k / k! F^{k+1} = F e^{mu (F - 1)} =: G(F)` and the
//! level law is `B(s) = G(F(s)) - G(F-(s)) = F e^{mu(F-1)} - F- e^{mu(F- - 1)}`, spread over each
//! level in proportion to `p` (SEQ-3). Special cases: `mu = 0` gives `B = q` (the reference);
//! `mu -> inf` concentrates on the top level.
//!
//! Evaluation without cancellation: with the exact tail `T_j = 1 - F_j` and `T_{j-1} = T_j + q_j`,
//! `B_j = e^{-mu T_j} (q_j - F_{j-1} expm1(-mu q_j))`, where both terms in the bracket are `>= 0`
//! (`expm1(-mu q_j) <= 0`), so the enclosure stays tight for tiny levels.
//!
//! Independent route ([`truncated_poisson_sum`]): the Poisson mixture of the BON-1 laws summed to
//! `K` terms exactly, plus the rigorous tail bound `sum_{k > K} e^{-mu} mu^k / k! <=
//! e^{-mu} mu^{K+1} / (K+1)! / (1 - mu / (K+2))` (geometric majorant of the ratio of consecutive
//! terms `mu / (k+1) <= mu / (K+2)`; each `F^{k+1} - F-^{k+1}` lies in `[0, 1]`).
//!
//! Derivation and checks: `proofs/methods.md`.

use crate::exact::level_law::LevelLaw;
use crate::real::round::add_up;
use crate::real::Enc;
use rug::Rational;

/// The CDF map `G(u) = u e^{mu (u - 1)}` (the probability generating function of
/// `1 + Poisson(mu)` at `u`), for an exact `u` in `[0, 1]`.
pub fn cdf_map(u: &Rational, mu: &Rational, prec: u32) -> Enc {
    let x = mu * Rational::from(u - 1u32);
    let e = if x == 0 {
        Enc::from_i64(1, prec)
    } else {
        Enc::from_rational(&x, prec).exp(prec)
    };
    e.mul_rational(u, prec)
}

/// The level law `B_j = G(F_j) - G(F_{j-1})` for any CDF map `G` (a generic form, used to check a
/// candidate `G` against [`truncated_poisson_sum`]; [`law`] is the cancellation-free form).
pub fn law_from_cdf_map(law: &LevelLaw, g: &dyn Fn(&Rational, u32) -> Enc, prec: u32) -> Vec<Enc> {
    let mut prev = g(&Rational::new(), prec);
    let mut f = Rational::new();
    let mut out = Vec::with_capacity(law.len());
    for j in 0..law.len() {
        f += law.prob(j);
        let cur = g(&f, prec);
        out.push(cur.sub(&prev, prec));
        prev = cur;
    }
    out
}

/// The best-of-Poisson level law, `B_j = e^{-mu T_j} (q_j - F_{j-1} expm1(-mu q_j))`.
pub fn law(law: &LevelLaw, mu: &Rational, prec: u32) -> Vec<Enc> {
    let len = law.len();
    let tails = law.tail_weights();
    let mut below = Rational::new(); // F_{j-1}
    let mut out = Vec::with_capacity(len);
    for (j, t) in tails.iter().enumerate() {
        let q = law.prob(j);
        let tj = Rational::from((t.clone(), law.denom.clone()));
        let x = -Rational::from(mu * &tj);
        let damp = if x == 0 {
            Enc::from_i64(1, prec)
        } else {
            Enc::from_rational(&x, prec).exp(prec)
        };
        let y = -Rational::from(mu * &q);
        // expm1(-mu q) <= 0, so - F_{j-1} expm1(-mu q) >= 0
        let em = if y == 0 {
            Enc::zero(prec)
        } else {
            Enc::from_rational(&y, prec).expm1(prec)
        };
        let bracket = Enc::from_rational(&q, prec).sub(&em.mul_rational(&below, prec), prec);
        out.push(damp.mul(&bracket, prec).clamp_nonneg(prec));
        below += q;
    }
    out
}

/// The truncation point `K` and the tail bound of [`truncated_poisson_sum`] for `mu` at `prec`:
/// the smallest `K >= 2 mu` with `mu^{K+1} / (K+1)! <= 2^{-(prec + 8)}`.
pub fn truncation(mu: &Rational, prec: u32) -> (u64, Rational) {
    let eps = Rational::from((1, rug::Integer::from(1) << (prec + 8)));
    let mut term = Rational::from(1); // mu^k / k!
    let mut k: u64 = 0;
    loop {
        let next = Rational::from(&term * mu) / (k + 1);
        if k >= Rational::from(mu * 2u32) && next <= eps {
            // tail <= next / (1 - mu/(k+2)) (without the factor e^{-mu} <= 1)
            let ratio = Rational::from(mu / (k + 2));
            let tail = next / (Rational::from(1) - ratio);
            return (k, tail);
        }
        term = next;
        k += 1;
    }
}

/// Enclosures of `B_j` from the Poisson mixture of best-of-N laws,
/// `sum_{k=0}^{K} e^{-mu} mu^k / k! (F_j^{k+1} - F_{j-1}^{k+1})` (partial sums of enclosures at
/// `prec`, from the exact `F_j`) plus `[0, tail]` with the tail bound of [`truncation`].
pub fn truncated_poisson_sum(law: &LevelLaw, mu: &Rational, prec: u32) -> Vec<Enc> {
    let (big_k, tail) = truncation(mu, prec);
    let len = law.len();
    let mut sums = vec![Enc::zero(prec); len];
    let cdf: Vec<Enc> = law
        .cdf_weights()
        .into_iter()
        .map(|c| Enc::from_rational(&Rational::from((c, law.denom.clone())), prec))
        .collect();
    let mu_e = Enc::from_rational(mu, prec);
    // running powers F_j^{k+1} and the Poisson weight mu^k / k! (without e^{-mu})
    let mut pw: Vec<Enc> = cdf.clone();
    let mut term = Enc::from_i64(1, prec);
    for k in 0..=big_k {
        if k > 0 {
            term = term
                .mul(&mu_e, prec)
                .div(&Enc::from_integer(&rug::Integer::from(k), prec), prec);
            for (p, f) in pw.iter_mut().zip(&cdf) {
                *p = p.mul(f, prec);
            }
        }
        let mut prev = Enc::zero(prec);
        for j in 0..len {
            // F_j^{k+1} - F_{j-1}^{k+1} >= 0
            let diff = pw[j].sub(&prev, prec).clamp_nonneg(prec);
            sums[j] = sums[j].add(&term.mul(&diff, prec), prec);
            prev = pw[j].clone();
        }
    }
    let e = if *mu == 0 {
        Enc::from_i64(1, prec)
    } else {
        Enc::from_rational(&Rational::from(-mu), prec).exp(prec)
    };
    let t_up = Enc::from_rational(&tail, prec);
    sums.iter()
        .map(|s| {
            let base = e.mul(s, prec);
            // the truncated terms add a value in [0, tail] (e^{-mu} <= 1 folded into the bound)
            Enc::new(base.lo().clone(), add_up(base.hi(), t_up.hi(), prec))
        })
        .collect()
}
