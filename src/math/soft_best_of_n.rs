//! Soft best-of-N (Verdun et al. 2025; MATH.md §7, claim REL-5): draw `N` outputs i.i.d. from
//! the reference and return one of them with probability proportional to `e^{lambda r}`.
//!
//! Exact law. With `w(y) = e^{lambda r(y)}`, the probability of returning `y` is
//! `pi(y) = N p(y) w(y) E[1 / (w(y) + sum_{j=2}^{N} w(Y_j))]` (the returned draw can be any of
//! the `N` positions; by symmetry each contributes the same). The weight depends on `y` only
//! through its reward level, so the policy is "`p` conditioned on the level" (SEQ-3) with level
//! law `Q_j = N q_j w_j E[1 / (w_j + X)]`, `X = sum_i c_i w_i` where the counts `c` of the other
//! `N - 1` draws on the `L` levels are multinomial `(N-1; q_0, ..., q_{L-1})`. The expectation is
//! a finite sum over the `C(N + L - 2, L - 1)` compositions `c` of `N - 1`.
//!
//! Special cases: `N = 1` or `lambda = 0` give `Q = q` (the reference); `lambda -> +inf` gives
//! best-of-N with uniform tie-breaking (BON-1); `N -> inf` gives the tilt `phi_lambda`
//! (`Q_j -> q_j w_j / sum_i q_i w_i`, law of large numbers for `X / (N-1)`), at rate `O(1/N)`.
//!
//! Exactness: the law is a rational function of the weights. When every `w_j` is rational
//! (integer rewards and `e^lambda = t` rational: `w_j = t^{m_j - m_0}` after the common factor
//! `t^{m_0}`, which cancels) it is computed exactly ([`law_exact`]); otherwise it is certified
//! ([`law_enc`]). The selection probability is invariant under a common factor of the weights,
//! so the certified route uses `w_j = e^{lambda (s_j - c)}` with `c = s_max` for `lambda >= 0`
//! (`c = s_min` below), all in `(0, 1]`: no overflow at any `lambda`.
//!
//! Derivation and checks: `proofs/methods.md`.

use crate::exact::level_law::LevelLaw;
use crate::real::Enc;
use rug::ops::Pow;
use rug::{Integer, Rational};

/// Largest number of compositions enumerated (about a minute of work at 128 bits).
pub const MAX_COMPOSITIONS: f64 = 5.0e7;

/// `C(N + L - 2, L - 1)`: the number of compositions of `N - 1` into `L` parts, as an f64
/// (for the resource guard only).
pub fn compositions(levels: usize, n_samples: u64) -> f64 {
    if levels <= 1 || n_samples <= 1 {
        return 1.0;
    }
    let m = (n_samples - 1) as f64;
    // ln C(m + k, k) = sum_{i=1}^{k} ln((m + i) / i) with k = L - 1 small
    let mut ln = 0.0;
    for i in 1..levels {
        ln += ((m + i as f64) / i as f64).ln();
    }
    ln.exp()
}

/// Exact weights `w_j = t^{m_j - m_0}` for `e^lambda = t > 0` rational, when every reward level
/// is an integer (`scale = 1`); `None` otherwise (then use [`weights_enc`]).
pub fn exact_weights(law: &LevelLaw, t: &Rational) -> Option<Vec<Rational>> {
    if law.scale != 1 {
        return None;
    }
    lattice_weights(law, t)
}

/// Exact weights `w_j = t^{m_j - m_0}` on the reward lattice `s_j = m_j / L` (`L = scale`):
/// the weights of `lambda = L ln t` (`e^{lambda s_j} = t^{m_j}`, and the common factor `t^{m_0}`
/// cancels). `None` for `t <= 0`.
pub fn lattice_weights(law: &LevelLaw, t: &Rational) -> Option<Vec<Rational>> {
    if *t <= 0 {
        return None;
    }
    let m0 = law.levels[0].clone();
    law.levels
        .iter()
        .map(|m| {
            let e = Integer::from(m - &m0).to_u32()?;
            Some(Rational::from(t.pow(e)))
        })
        .collect()
}

/// Certified weights `w_j = e^{lambda (s_j - c)}` in `(0, 1]`, `c = s_max` for `lambda >= 0`
/// and `c = s_min` for `lambda < 0` (a common factor, which cancels in the law).
pub fn weights_enc(law: &LevelLaw, lambda: &Rational, prec: u32) -> Vec<Enc> {
    let len = law.len();
    let c = if *lambda >= 0 {
        law.reward(len - 1)
    } else {
        law.reward(0)
    };
    (0..len)
        .map(|j| {
            let x = lambda * (law.reward(j) - &c);
            if x == 0 {
                Enc::from_i64(1, prec)
            } else {
                Enc::from_rational(&x, prec).exp(prec)
            }
        })
        .collect()
}

/// Binomial row `C(m, 0..=m)` (exact).
fn binomials(m: u64) -> Vec<Integer> {
    let mut row = Vec::with_capacity(m as usize + 1);
    let mut c = Integer::from(1);
    row.push(c.clone());
    for i in 1..=m {
        c *= m - i + 1;
        c /= i;
        row.push(c.clone());
    }
    row
}

/// The exact soft best-of-N level law `Q_j = N q_j w_j E[1/(w_j + X)]` for rational weights
/// `w_j > 0` and an integer `N >= 1`, by enumeration of the compositions of `N - 1`.
pub fn law_exact(law: &LevelLaw, w: &[Rational], n_samples: u32) -> Vec<Rational> {
    let len = law.len();
    let q: Vec<Rational> = (0..len).map(|j| law.prob(j)).collect();
    let m = u64::from(n_samples - 1);
    let qpow: Vec<Vec<Rational>> = q
        .iter()
        .map(|qi| {
            let mut v = vec![Rational::from(1)];
            for _ in 0..m {
                let next = Rational::from(v.last().expect("non-empty") * qi);
                v.push(next);
            }
            v
        })
        .collect();
    let binom: Vec<Vec<Integer>> = (0..=m).map(binomials).collect();
    let mut acc = vec![Rational::new(); len];
    // depth-first over levels: (level, remaining, prob, X)
    #[allow(clippy::too_many_arguments)]
    fn rec(
        i: usize,
        rem: u64,
        prob: Rational,
        x: Rational,
        w: &[Rational],
        qpow: &[Vec<Rational>],
        binom: &[Vec<Integer>],
        acc: &mut [Rational],
    ) {
        let len = w.len();
        if i + 1 == len {
            let pr = prob * &qpow[i][rem as usize];
            let x = x + Rational::from(&w[i] * rem);
            for j in 0..len {
                let den = Rational::from(&w[j] + &x);
                acc[j] += &pr / den;
            }
            return;
        }
        for c in 0..=rem {
            let pr = Rational::from(&prob * &binom[rem as usize][c as usize]) * &qpow[i][c as usize];
            let xi = &x + Rational::from(&w[i] * c);
            rec(i + 1, rem - c, pr, xi, w, qpow, binom, acc);
        }
    }
    rec(
        0,
        m,
        Rational::from(1),
        Rational::new(),
        w,
        &qpow,
        &binom,
        &mut acc,
    );
    (0..len)
        .map(|j| Rational::from(&q[j] * &w[j]) * &acc[j] * n_samples)
        .collect()
}

/// The certified soft best-of-N level law for enclosed weights `w_j > 0` (e.g. from
/// [`weights_enc`]) and an integer `N >= 1`: the same finite sum as [`law_exact`], with the
/// exact multinomial factors rounded outward. Each `Q_j` is intersected with `[0, 1]`.
pub fn law_enc(law: &LevelLaw, w: &[Enc], n_samples: u32, prec: u32) -> Vec<Enc> {
    let len = law.len();
    let m = u64::from(n_samples - 1);
    let q: Vec<Enc> = (0..len).map(|j| Enc::from_rational(&law.prob(j), prec)).collect();
    let qpow: Vec<Vec<Enc>> = q
        .iter()
        .map(|qi| {
            let mut v = vec![Enc::from_i64(1, prec)];
            for _ in 0..m {
                let next = v.last().expect("non-empty").mul(qi, prec);
                v.push(next);
            }
            v
        })
        .collect();
    let binom: Vec<Vec<Enc>> = (0..=m)
        .map(|r| binomials(r).iter().map(|b| Enc::from_integer(b, prec)).collect())
        .collect();
    // c w_i for every count c (exact integer times an enclosure)
    let cw: Vec<Vec<Enc>> = w
        .iter()
        .map(|wi| {
            (0..=m)
                .map(|c| wi.mul_rational(&Rational::from(c), prec))
                .collect()
        })
        .collect();
    let mut acc = vec![Enc::zero(prec); len];
    struct Ctx<'a> {
        w: &'a [Enc],
        qpow: &'a [Vec<Enc>],
        binom: &'a [Vec<Enc>],
        cw: &'a [Vec<Enc>],
        prec: u32,
    }
    fn rec(cx: &Ctx, i: usize, rem: u64, prob: Enc, x: Enc, acc: &mut [Enc]) {
        let len = cx.w.len();
        let prec = cx.prec;
        if i + 1 == len {
            let pr = prob.mul(&cx.qpow[i][rem as usize], prec);
            let x = x.add(&cx.cw[i][rem as usize], prec);
            for (a, wj) in acc.iter_mut().zip(cx.w) {
                // w_j + X > 0: the division is an enclosure of pr / (w_j + X)
                let den = wj.add(&x, prec);
                *a = a.add(&pr.div(&den, prec), prec);
            }
            return;
        }
        for c in 0..=rem {
            let pr = prob
                .mul(&cx.binom[rem as usize][c as usize], prec)
                .mul(&cx.qpow[i][c as usize], prec);
            let xi = x.add(&cx.cw[i][c as usize], prec);
            rec(cx, i + 1, rem - c, pr, xi, acc);
        }
    }
    let cx = Ctx {
        w,
        qpow: &qpow,
        binom: &binom,
        cw: &cw,
        prec,
    };
    rec(&cx, 0, m, Enc::from_i64(1, prec), Enc::zero(prec), &mut acc);
    let one = Rational::from(1);
    (0..len)
        .map(|j| {
            let v = q[j]
                .mul(&w[j], prec)
                .mul(&acc[j], prec)
                .mul_rational(&Rational::from(n_samples), prec);
            clamp01(&v, &one, prec)
        })
        .collect()
}

/// Intersect with `[0, 1]` (a probability).
fn clamp01(x: &Enc, one: &Rational, prec: u32) -> Enc {
    let c = x.clamp_nonneg(prec);
    let o = Enc::from_rational(one, prec);
    if c.hi() > o.hi() {
        let lo = if c.lo() > o.hi() {
            o.hi().clone()
        } else {
            c.lo().clone()
        };
        Enc::new(lo, o.hi().clone())
    } else {
        c
    }
}

/// The `N -> inf` limit: the tilted level law `Q_j = q_j w_j / sum_i q_i w_i` (`phi_lambda`
/// on the levels, TILT-1's family).
pub fn tilt_limit(law: &LevelLaw, w: &[Enc], prec: u32) -> Vec<Enc> {
    let qw: Vec<Enc> = w
        .iter()
        .enumerate()
        .map(|(j, wj)| wj.mul_rational(&law.prob(j), prec))
        .collect();
    let z = Enc::sum(qw.iter(), prec);
    qw.iter().map(|x| x.div(&z, prec)).collect()
}

/// The exact `N -> inf` limit for rational weights.
pub fn tilt_limit_exact(law: &LevelLaw, w: &[Rational]) -> Vec<Rational> {
    let qw: Vec<Rational> = w
        .iter()
        .enumerate()
        .map(|(j, wj)| Rational::from(wj * &law.prob(j)))
        .collect();
    let z: Rational = qw.iter().sum();
    qw.into_iter().map(|x| x / &z).collect()
}
