//! A policy given by its law on the reward levels (SEQ-3 level reduction, MATH.md §3, §7).
//!
//! Best-of-N, soft best-of-N, best-of-Poisson and every tilt (also the win-rate-optimal tilt,
//! whose reward is a function of the level) assign a law `Q` to the reward levels
//! `s_0 < ... < s_{L-1}` of the reference level law `q` and spread it over each level in
//! proportion to `p`: `pi(y) = p(y) Q(s(y)) / q(s(y))`. So
//! - `D(pi || p) = sum_j Q_j ln(Q_j / q_j)` (the KL between the level laws),
//! - `E_pi S = sum_j s_j Q_j`,
//! - the win rate against the reference, ties counting one half,
//!   `W(pi, p) = P(S(Y) > S(Y')) + P(S(Y) = S(Y')) / 2 = sum_j Q_j w_j` with `Y ~ pi`, `Y' ~ p`
//!   independent and the mid-rank `w_j = F_{j-1} + q_j / 2 = (F_j + F_{j-1}) / 2` (BON-4's form).
//!
//! `W` is linear in `pi`: this is why the win-rate-optimal policy is a tilt
//! ([`crate::math::win_rate_optimal`]). The derivations are in `proofs/methods.md`.

use crate::exact::level_law::LevelLaw;
use crate::real::Enc;
use rug::Rational;

/// The exact level probabilities `q_j` of a law.
pub fn level_probs(law: &LevelLaw) -> Vec<Rational> {
    (0..law.len()).map(|j| law.prob(j)).collect()
}

/// The exact rewards `s_j` of a law.
pub fn level_rewards(law: &LevelLaw) -> Vec<Rational> {
    (0..law.len()).map(|j| law.reward(j)).collect()
}

/// The exact CDF `F_j = P(S <= s_j)` of a law (`F_last = 1`).
pub fn level_cdf(law: &LevelLaw) -> Vec<Rational> {
    law.cdf_weights()
        .into_iter()
        .map(|c| Rational::from((c, law.denom.clone())))
        .collect()
}

/// The mid-ranks `w_j = F_{j-1} + q_j / 2` (exact): the win rate of level `j` against the
/// reference, ties counting one half.
pub fn mid_ranks(law: &LevelLaw) -> Vec<Rational> {
    let mut out = Vec::with_capacity(law.len());
    let mut below = Rational::new();
    for j in 0..law.len() {
        let q = law.prob(j);
        out.push(&below + Rational::from(&q / 2u32));
        below += q;
    }
    out
}

/// KL, expected reward and win rate of a policy on the levels.
#[derive(Clone, Debug)]
pub struct PolicyStats {
    /// `D(pi || p) = sum_j Q_j ln(Q_j / q_j)`.
    pub kl: Enc,
    /// `E_pi S = sum_j s_j Q_j`.
    pub reward: Enc,
    /// `W(pi, p) = sum_j Q_j w_j`.
    pub win_rate: Enc,
}

/// [`PolicyStats`] of a level law `Q` given as enclosures (`Q_j >= 0`, summing to 1).
pub fn stats(law: &LevelLaw, big_q: &[Enc], prec: u32) -> PolicyStats {
    let w = mid_ranks(law);
    let mut kl = Enc::zero(prec);
    let mut reward = Enc::zero(prec);
    let mut win = Enc::zero(prec);
    for (j, qj) in big_q.iter().enumerate() {
        let pj = Enc::from_rational(&law.prob(j), prec);
        kl = kl.add(&Enc::xlogxy(qj, &pj, prec), prec);
        reward = reward.add(&qj.mul_rational(&law.reward(j), prec), prec);
        win = win.add(&qj.mul_rational(&w[j], prec), prec);
    }
    PolicyStats {
        // a KL divergence is >= 0
        kl: kl.clamp_nonneg(prec),
        reward,
        win_rate: win,
    }
}

/// [`PolicyStats`] of an exact level law: reward and win rate exact, KL certified.
pub fn stats_exact(law: &LevelLaw, big_q: &[Rational], prec: u32) -> (Enc, Rational, Rational) {
    let w = mid_ranks(law);
    let mut kl = Enc::zero(prec);
    let mut reward = Rational::new();
    let mut win = Rational::new();
    for (j, qj) in big_q.iter().enumerate() {
        if *qj != 0 {
            let ratio = qj / law.prob(j);
            // Q ln(Q/q) with the exact ratio: one logarithm of a rational
            let t = Enc::from_rational(&ratio, prec).ln(prec).mul_rational(qj, prec);
            kl = kl.add(&t, prec);
        }
        reward += Rational::from(qj * &law.reward(j));
        win += Rational::from(qj * &w[j]);
    }
    (kl.clamp_nonneg(prec), reward, win)
}
