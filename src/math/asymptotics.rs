//! Predictions of the asymptotic equivalence (MATH.md §6, ASY-4 .. ASY-7).
//!
//! With `l = l_Delta`, `sigma^2 = psi''(l)`, lattice span `h` of the reward (the gcd of the reward
//! differences on the support, `h = 0` for a non-lattice reward, which rational rewards never are):
//! - ASY-4: `x* - (1/n) E S_n = ln n / (2 l n) + O(1/n)`;
//! - ASY-5: `D(pi_N || phi^n) = (1/2) ln n + O(1)`;
//! - ASY-6: `D(pi_N || p^n) = n Delta - c + o(1)`;
//! - ASY-7: `E S_n = n x* - ln n / (2 l) + (gamma + ln C_L) / l - h/2 + ln(N e^{-n Delta}) / l + o(1)`
//!   with `C_L = h / ((1 - e^{-l h}) sigma sqrt(2 pi))` (lattice), and `C = 1 / (l sigma sqrt(2 pi))`
//!   without the `-h/2` shift for a non-lattice reward.

use super::tilt::TiltModel;
use crate::real::Enc;
use rug::{Integer, Rational};

/// The lattice span `h` of the reward on the support: the largest rational `h` with every
/// `r_a - r_min` an integer multiple of `h` (`0` for a constant reward).
pub fn lattice_span(m: &TiltModel) -> Rational {
    let mut num = Integer::new();
    let mut den = Integer::from(1);
    for r in &m.r {
        den.lcm_mut(Rational::from(r - &m.r_min).denom());
    }
    for r in &m.r {
        let d = Rational::from(r - &m.r_min) * &den;
        num.gcd_mut(d.numer());
    }
    Rational::from((num, den))
}

/// The ASY-7 constant term `(gamma + ln C_L)/l - h/2` (lattice) at tilt `l` with variance `var`.
pub fn asy7_constant(h: &Rational, l: &Enc, var: &Enc, prec: u32) -> Enc {
    let two_pi = Enc::pi(prec).mul_rational(&Rational::from(2), prec);
    let sigma_sqrt = var.mul(&two_pi, prec).sqrt(prec);
    let gamma = Enc::euler_gamma(prec);
    if *h == 0 {
        let c = Enc::from_i64(1, prec).div(&l.mul(&sigma_sqrt, prec), prec);
        return gamma.add(&c.ln(prec), prec).div(l, prec);
    }
    let he = Enc::from_rational(h, prec);
    // 1 - e^{-l h} = -expm1(-l h)
    let denom = l.mul(&he, prec).neg().expm1(prec).neg().mul(&sigma_sqrt, prec);
    let cl = he.div(&denom, prec);
    gamma
        .add(&cl.ln(prec), prec)
        .div(l, prec)
        .sub(&Enc::from_rational(&Rational::from(h / 2u32), prec), prec)
}

/// ASY-7 prediction of `E S_n`: `n x* - ln n/(2 l) + constant + ln(N e^{-n Delta})/l`, where
/// `ln_n_excess = ln N - n Delta` (0 for the real rule).
pub fn asy7_prediction(n: u64, x_star: &Enc, l: &Enc, constant: &Enc, ln_n_excess: &Enc, prec: u32) -> Enc {
    let nr = Rational::from(n);
    let ln_n = Enc::from_rational(&nr, prec).ln(prec);
    x_star
        .mul_rational(&nr, prec)
        .sub(&ln_n.div(&l.mul_rational(&Rational::from(2), prec), prec), prec)
        .add(constant, prec)
        .add(&ln_n_excess.div(l, prec), prec)
}

/// ASY-4 prediction of the per-token reward gap: `ln n / (2 l n)`.
pub fn asy4_prediction(n: u64, l: &Enc, prec: u32) -> Enc {
    let nr = Rational::from(n);
    Enc::from_rational(&nr, prec)
        .ln(prec)
        .div(&l.mul_rational(&Rational::from(2 * n), prec), prec)
}

/// ASY-5 prediction: `(1/2) ln n`.
pub fn asy5_prediction(n: u64, prec: u32) -> Enc {
    Enc::from_rational(&Rational::from(n), prec)
        .ln(prec)
        .mul_rational(&Rational::from((1, 2)), prec)
}
