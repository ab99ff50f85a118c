//! The sample count `N` from the budget: `N = ceil/floor(e^{n Delta})` certified (BON-1's
//! integer `N`), and the rule that chooses it (INTERFACE `--N-rule`). Re-exported by
//! [`crate::math::best_of_n`].

use crate::real::Enc;
use rug::{Integer, Rational};

/// How `N` follows from `n Delta` (INTERFACE `--N-rule`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NRule {
    /// `N = ceil(e^{n Delta})` (the default).
    Ceil,
    /// `N = max(1, floor(e^{n Delta}))`.
    Floor,
    /// The real `N = e^{n Delta}` in the closed forms.
    Real,
}

/// `N = ceil/floor(e^{x})` for an exact rational `x = n Delta >= 0`, certified: `e^x` is
/// transcendental for rational `x != 0` (Lindemann), so it is never an integer and the
/// enclosure eventually has both ends in the same integer interval; the precision is raised
/// until it does. `None` when `cap_bits` is reached first.
pub fn integer_n(x: &Rational, rule: NRule, cap_bits: u32) -> Option<Integer> {
    if *x == 0 {
        return Some(Integer::from(1));
    }
    let mag = x.to_f64() * std::f64::consts::LOG2_E;
    let mut prec = (mag.max(0.0) as u32).saturating_add(64);
    loop {
        let e = Enc::from_rational(x, prec).exp(prec);
        let flo = e.lo().clone().floor().to_integer()?;
        let fhi = e.hi().clone().floor().to_integer()?;
        if flo == fhi {
            return Some(match rule {
                NRule::Ceil => flo + 1u32,
                NRule::Floor | NRule::Real => {
                    if flo < 1 {
                        Integer::from(1)
                    } else {
                        flo
                    }
                }
            });
        }
        if prec >= cap_bits {
            return None;
        }
        prec = prec.saturating_mul(2).min(cap_bits);
    }
}
