//! Rate functions, scaled cumulant generating functions and their Rényi forms
//! (MATH.md LDP-1, LDP-3, LDP-4).
//!
//! - `I_0(x) = sup_t [t x - psi(t)] = l(x) x - psi(l(x))` for `x in (r_min, r_max)`;
//!   `I_0(r_max) = -ln p(A_max)`, `I_0(r_min) = -ln p(A_min)`, `+inf` outside `[r_min, r_max]`.
//! - `I_Delta(x) = sup_t [t x - Lambda_Delta(t)]` with `Lambda_Delta(t) = psi(l_Delta + t) - psi(l_Delta)`;
//!   equal to `I_0(x) - l_Delta x + psi(l_Delta)` (substitute `s = l_Delta + t`), and to
//!   `I_0(x) - Delta - l_Delta (x - x*)` by TILT-1.

use super::tilt::{eval, eval_psi_mu, lambda_of_x, legendre, TiltModel};
use super::tilt_vocab;
use crate::real::Enc;
use rug::Rational;
use std::cmp::Ordering;

/// Where `x` lies relative to the support of the reward.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// `x < r_min` or `x > r_max`: rates are `+inf`.
    Outside,
    /// `x = r_min` (and the reward is not constant).
    AtMin,
    /// `x = r_max` (and the reward is not constant).
    AtMax,
    /// `r_min < x < r_max`.
    Inside,
    /// The reward is constant and `x` equals it.
    Constant,
}

/// Classify `x` (exact).
pub fn position(m: &TiltModel, x: &Rational) -> Position {
    if *x < m.r_min || *x > m.r_max {
        Position::Outside
    } else if m.is_constant() {
        Position::Constant
    } else if *x == m.r_max {
        Position::AtMax
    } else if *x == m.r_min {
        Position::AtMin
    } else {
        Position::Inside
    }
}

/// The reference rate function `I_0(x)` with the root `l(x)` (LDP-1). Returns `(l(x), I_0(x))`;
/// `l(x)` is `None` where it does not exist (outside, or at the boundary where it is `+-inf`).
/// `None` overall when the precision did not suffice.
pub fn rate_reference(m: &TiltModel, x: &Rational, prec: u32) -> Option<(Option<Enc>, Enc)> {
    match position(m, x) {
        Position::Outside => Some((None, Enc::pos_infinity(prec))),
        Position::Constant => Some((Some(Enc::zero(prec)), Enc::zero(prec))),
        Position::AtMax => Some((None, Enc::from_rational(&m.p_max, prec).ln(prec).neg())),
        Position::AtMin => Some((None, Enc::from_rational(&m.p_min, prec).ln(prec).neg())),
        Position::Inside => {
            if *x == m.mean {
                return Some((Some(Enc::zero(prec)), Enc::zero(prec)));
            }
            // a vocabulary of many distinct rewards: the root and I_0 from one pass
            if let Some((l, i0)) = tilt_vocab::rate_inside(m, x, prec) {
                return Some((Some(l), i0));
            }
            let l = lambda_of_x(m, x, prec)?;
            let i0 = legendre(m, x, &l, prec);
            Some((Some(l), i0.clamp_nonneg(prec)))
        }
    }
}

/// `psi(l) - l x` over an enclosure of `l`, by the mean-value form
/// `h(l0) + (mu([l]) - x)([l] - l0)` (h' = mu - x), which keeps the width quadratic in `|[l]|`.
pub fn psi_minus_lx(m: &TiltModel, l: &Enc, x: &Rational, prec: u32) -> Enc {
    let l0 = Enc::point(&l.mid());
    // a vocabulary of many distinct rewards: psi(l0) and mu([l]) from one pass at l0
    let (psi0, mu) = match tilt_vocab::psi_mid_mu(m, l, prec) {
        Some(v) => v,
        None => (eval_psi_mu(m, &l0, prec).psi, eval_psi_mu(m, l, prec).mu),
    };
    let h0 = psi0.sub(&l0.mul_rational(x, prec), prec);
    let slope = mu.sub(&Enc::from_rational(x, prec), prec);
    h0.add(&slope.mul(&l.sub(&l0, prec), prec), prec)
}

/// The aligned rate function `I_Delta(x)` for the optimum at `l_Delta` (an enclosure, `> 0`)
/// (LDP-1): `I_0(x) - l_Delta x + psi(l_Delta)`; at `x = r_max` it is `-ln phi_{l_Delta}(A_max)`,
/// `+inf` outside `[r_min, r_max]`. Always `>= 0`.
pub fn rate_aligned(m: &TiltModel, x: &Rational, l_delta: &Enc, prec: u32) -> Option<Enc> {
    let (_, i0) = rate_reference(m, x, prec)?;
    Some(rate_aligned_from(m, x, &i0, l_delta, prec))
}

/// [`rate_aligned`] from `I_0(x)` already computed by [`rate_reference`] at the same `x`.
pub fn rate_aligned_from(m: &TiltModel, x: &Rational, i0: &Enc, l_delta: &Enc, prec: u32) -> Enc {
    if i0.is_pos_infinity() {
        return i0.clone();
    }
    let v = i0.add(&psi_minus_lx(m, l_delta, x, prec), prec);
    v.clamp_nonneg(prec)
}

/// The aligned rate function in the saturated regime: the optimum is `p(. | A_max)` whose reward
/// is the constant `r_max`, so `I(x) = 0` at `r_max` and `+inf` elsewhere.
pub fn rate_aligned_saturated(m: &TiltModel, x: &Rational, prec: u32) -> Enc {
    if *x == m.r_max {
        Enc::zero(prec)
    } else {
        Enc::pos_infinity(prec)
    }
}

/// `Lambda(t) = psi(l + t) - psi(l)` for the tilt at `l` (LDP-3), by the mean-value form in `t`
/// when `l` is an enclosure: evaluated as `psi(l+t) - psi(l)` with both at the same `l` point
/// plus `(mu([l]+t) - mu([l])) ([l] - l0)`.
pub fn scgf(m: &TiltModel, l: &Enc, t: &Rational, prec: u32) -> Enc {
    if *t == 0 {
        return Enc::zero(prec);
    }
    let l0 = Enc::point(&l.mid());
    let tt = Enc::from_rational(t, prec);
    let base = eval_psi_mu(m, &l0.add(&tt, prec), prec)
        .psi
        .sub(&eval_psi_mu(m, &l0, prec).psi, prec);
    let dl = l.sub(&l0, prec);
    let dmu = eval_psi_mu(m, &l.add(&tt, prec), prec)
        .mu
        .sub(&eval_psi_mu(m, l, prec).mu, prec);
    base.add(&dmu.mul(&dl, prec), prec)
}

/// The reward-induced law `q_r(a) = e^{r_a} / C`, `C = sum_a e^{r_a}` over the whole alphabet
/// (LDP-4). Returns `ln C`.
pub fn ln_c(r_all: &[Rational], prec: u32) -> Enc {
    let rmax = r_all.iter().max().expect("non-empty").clone();
    let s: Vec<Enc> = r_all
        .iter()
        .map(|r| Enc::from_rational(&Rational::from(r - &rmax), prec).exp(prec))
        .collect();
    Enc::from_rational(&rmax, prec).add(&Enc::sum(s.iter(), prec).ln(prec), prec)
}

/// `ln sum_a e^{x_a}` for enclosures `x_a`, in log space: `M + ln sum_a e^{x_a - M}` about an
/// exact point `M` (the largest finite upper end), so that terms such as `e^{-10^20}` never
/// leave the floating-point range and the largest term keeps the sum's logarithm finite.
/// Exact identity for any `M`; every operation is an enclosure operation.
pub fn ln_sum_exp(xs: &[Enc], prec: u32) -> Enc {
    let m = xs
        .iter()
        .filter(|x| x.hi().is_finite())
        .map(|x| x.hi().clone())
        .reduce(|a, b| if a > b { a } else { b });
    let Some(m) = m else {
        return Enc::whole(prec);
    };
    let mp = Enc::point(&m);
    let terms: Vec<Enc> = xs.iter().map(|x| x.sub(&mp, prec).exp(prec)).collect();
    mp.add(&Enc::sum(terms.iter(), prec).ln(prec), prec)
}

/// Rényi cross-entropy `H_alpha(P; q_r) = ln(sum_a P_a q_r(a)^{alpha-1}) / (1 - alpha)` with
/// `q_r(a) = e^{r_a - ln C}`, for an enclosed `P` on the support and `alpha != 1` (LDP-4).
pub fn renyi_cross_entropy_reward(pv: &[Enc], r: &[Rational], lnc: &Enc, alpha: &Enc, prec: u32) -> Enc {
    let am1 = alpha.sub(&Enc::from_i64(1, prec), prec);
    // ln sum_a P_a e^{(alpha-1) ln q_r(a)} in log space (alpha = 1 + 10^20 is a valid input)
    let xs: Vec<Enc> = pv
        .iter()
        .zip(r)
        .filter(|(pa, _)| !pa.is_exact_zero())
        .map(|(pa, ra)| {
            let lq = Enc::from_rational(ra, prec).sub(lnc, prec);
            pa.ln(prec).add(&lq.mul(&am1, prec), prec)
        })
        .collect();
    ln_sum_exp(&xs, prec).div(&am1.neg(), prec)
}

/// Rényi divergence `D_alpha(P || Q) = ln(sum P^alpha Q^{1-alpha}) / (alpha - 1)` for enclosed
/// `P`, exact `Q > 0` on the support, `alpha != 1`.
pub fn renyi_divergence_enc(pv: &[Enc], q: &[Rational], alpha: &Enc, prec: u32) -> Enc {
    let one = Enc::from_i64(1, prec);
    let om = one.sub(alpha, prec);
    // ln sum P^alpha Q^{1-alpha} in log space
    let xs: Vec<Enc> = pv
        .iter()
        .zip(q)
        .filter(|(pa, _)| !pa.is_exact_zero())
        .map(|(pa, qa)| {
            let lq = Enc::from_rational(qa, prec).ln(prec);
            pa.ln(prec).mul(alpha, prec).add(&lq.mul(&om, prec), prec)
        })
        .collect();
    ln_sum_exp(&xs, prec).div(&alpha.sub(&one, prec), prec)
}

/// The three Rényi forms of `Lambda_Delta(t)` (LDP-4), for `l = l_Delta > 0`:
/// 1. `reference_cross_entropy`: `psi(s) = s ln C - s H_{1+s}(p; q_r)` at `s = l + t` and `s = l`;
/// 2. `aligned_cross_entropy`: `t ln C - t H_{1+t}(phi_l; q_r)`;
/// 3. `divergence`: `(t / l) [psi(l) + D_{1+t/l}(phi_l || p)]` (for `t > -l`).
///
/// Returns `None` for a form whose formula is undefined at these arguments (`t = 0`, `s = 0`,
/// or `t <= -l` for the third).
pub fn scgf_renyi_forms(
    m: &TiltModel,
    r_all: &[Rational],
    l: &Enc,
    t: &Rational,
    prec: u32,
) -> [Option<Enc>; 3] {
    let one = Enc::from_i64(1, prec);
    let lnc = ln_c(r_all, prec);
    let tt = Enc::from_rational(t, prec);
    let pe: Vec<Enc> = m.p.iter().map(|q| Enc::from_rational(q, prec)).collect();
    let psi_ce = |s: &Enc| -> Option<Enc> {
        if s.sign_certified().is_none() || s.is_exact_zero() {
            return None;
        }
        let h = renyi_cross_entropy_reward(&pe, &m.r, &lnc, &one.add(s, prec), prec);
        Some(s.mul(&lnc, prec).sub(&s.mul(&h, prec), prec))
    };
    let s = l.add(&tt, prec);
    // psi(0) = 0 exactly, so at l = 0 the first form is psi(t) alone
    let psi_l = if l.is_exact_zero() {
        Some(Enc::zero(prec))
    } else {
        psi_ce(l)
    };
    let f1 = match (psi_ce(&s), psi_l) {
        (Some(a), Some(b)) if *t != 0 => Some(a.sub(&b, prec)),
        _ => None,
    };
    let phi = eval(m, l, prec).phi;
    let f2 = if *t == 0 {
        None
    } else {
        let h = renyi_cross_entropy_reward(&phi, &m.r, &lnc, &one.add(&tt, prec), prec);
        Some(tt.mul(&lnc, prec).sub(&tt.mul(&h, prec), prec))
    };
    let ratio = tt.div(l, prec);
    let f3 = if *t == 0 || ratio.cmp_certified(&one.neg()) != Some(Ordering::Greater) {
        None
    } else {
        let d = renyi_divergence_enc(&phi, &m.p, &one.add(&ratio, prec), prec);
        Some(ratio.mul(&eval_psi_mu(m, l, prec).psi.add(&d, prec), prec))
    };
    [f1, f2, f3]
}
