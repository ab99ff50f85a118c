//! The win-rate-optimal policy (MATH.md §7, claim REL-7): maximise the win rate against the
//! reference, `W(pi, p) = P(r(Y) > r(Y')) + P(r(Y) = r(Y')) / 2` (`Y ~ pi`, `Y' ~ p`), subject to
//! `D(pi || p) <= Delta`.
//!
//! `W(pi, p) = E_pi w` with the mid-rank reward `w(y) = F-(y) + q(y) / 2`
//! ([`crate::math::level_policy::mid_ranks`]; `q(y)` the mass of `y`'s reward level), so the
//! problem is TILT-1 with reward `w`: the optimum is `phi_l(y) ∝ p(y) e^{l w(y)}` with
//! `K_w(l) = Delta`, the frontier is `W*(Delta) = x*_w(Delta)`, saturating at
//! `Delta_max = -ln q(top)` with `W* = 1 - q(top)/2` (`w` is strictly increasing in the level,
//! `w_{j+1} - w_j = (q_j + q_{j+1}) / 2 > 0`, so its argmax is the top reward level). `w` is
//! constant on each reward level, so the optimum is again "`p` conditioned on the level" and
//! lives on the level law ([`mid_rank_model`]).
//!
//! The frontier is non-decreasing in `Delta` (TILT-1; concave up to `Delta_max`, constant
//! after), which gives certified values at an enclosed budget ([`frontier_at`]): for
//! `Delta in [a, b]`, `x*(a) <= x*(Delta) <= x*(b)`. This is how a method's win rate (or reward)
//! is compared with the optimum at the method's own KL.
//!
//! Derivation and checks: `proofs/methods.md`.

use crate::exact::dist::{Distribution, Model};
use crate::exact::level_law::LevelLaw;
use crate::math::level_policy::{level_probs, level_rewards, mid_ranks};
use crate::math::tilt::{eval, optimum, Optimum, TiltModel};
use crate::real::Enc;
use rug::Rational;

/// The level law as a tilt model with the mid-rank reward: tokens = reward levels,
/// `p = q_j`, `r = w_j`.
pub fn mid_rank_model(law: &LevelLaw) -> TiltModel {
    let p = Distribution::new(level_probs(law), false, "--p").expect("a level law sums to 1");
    TiltModel::new(&Model::new(p, mid_ranks(law)).expect("same length"))
}

/// The level law as a tilt model with the original reward `s_j` (the reward frontier on levels).
pub fn reward_model(law: &LevelLaw) -> TiltModel {
    let p = Distribution::new(level_probs(law), false, "--p").expect("a level law sums to 1");
    TiltModel::new(&Model::new(p, level_rewards(law)).expect("same length"))
}

/// The optimum of a tilt model at an exact budget: the tilted law on the support (`None`: the
/// precision did not suffice), its value `x*(Delta)`, and `l` (`None` for the reference and the
/// saturated regimes).
pub struct AtBudget {
    /// The optimal law (on the model's support).
    pub phi: Vec<Enc>,
    /// `x*(Delta)`: the optimal value (win rate for [`mid_rank_model`]).
    pub value: Enc,
    /// `D(phi || p)`.
    pub kl: Enc,
    /// `l_Delta` in the interior regime.
    pub lambda: Option<Enc>,
}

/// The TILT-1 optimum of `tm` at budget `delta >= 0`, certified.
pub fn at_budget(tm: &TiltModel, delta: &Rational, prec: u32) -> Option<AtBudget> {
    match optimum(tm, delta, prec)? {
        Optimum::Reference => {
            let phi: Vec<Enc> = tm.p.iter().map(|x| Enc::from_rational(x, prec)).collect();
            Some(AtBudget {
                phi,
                value: Enc::from_rational(&tm.mean, prec),
                kl: Enc::zero(prec),
                lambda: None,
            })
        }
        Optimum::Interior(l) => {
            let e = eval(tm, &l, prec);
            Some(AtBudget {
                phi: e.phi,
                value: e.mu,
                kl: Enc::from_rational(delta, prec),
                lambda: Some(l),
            })
        }
        Optimum::Saturated => {
            let phi: Vec<Enc> =
                tm.p.iter()
                    .zip(&tm.r)
                    .map(|(p, r)| {
                        if *r == tm.r_max {
                            Enc::from_rational(&Rational::from(p / &tm.p_max), prec)
                        } else {
                            Enc::zero(prec)
                        }
                    })
                    .collect();
            Some(AtBudget {
                phi,
                value: Enc::from_rational(&tm.r_max, prec),
                kl: tm.delta_max(prec),
                lambda: None,
            })
        }
    }
}

/// `x*(Delta)` for an exact budget (the optimum's value; `None`: more precision needed).
pub fn value_at(tm: &TiltModel, delta: &Rational, prec: u32) -> Option<Enc> {
    at_budget(tm, delta, prec).map(|a| a.value)
}

/// `x*(Delta)` for a budget known only as an enclosure `[a, b]` (`a >= 0`): the hull of
/// `x*(a)` and `x*(b)`, valid because `x*` is non-decreasing (TILT-1). The endpoints are exact
/// binary rationals. `None` when an endpoint is infinite or did not certify.
pub fn frontier_at(tm: &TiltModel, kl: &Enc, prec: u32) -> Option<Enc> {
    let a = kl.lo().to_rational()?;
    let b = kl.hi().to_rational()?;
    let a = if a < 0 { Rational::new() } else { a };
    let lo = value_at(tm, &a, prec)?;
    if a == b {
        return Some(lo);
    }
    let hi = value_at(tm, &b, prec)?;
    // monotone in Delta: the truth lies between the value at a (lower end) and at b (upper end)
    Some(Enc::new(lo.lo().clone(), hi.hi().clone()))
}
