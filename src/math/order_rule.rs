//! The "order" tie rule of best-of-N for a single token (BON-1): the tokens sorted by
//! `(reward, index)`, `G` the CDF in that order, `pi_N(y) = G(y)^N - G-(y)^N`; exact for an
//! integer `N`, in log space for a huge or real one.

use super::best_of_n::ln_neg_expm1;
use crate::real::Enc;
use rug::Rational;

/// The tokens of positive probability in `(reward, index)` order, each with `G-(y)` and `G(y)`
/// (the CDF just below and at it, exact).
fn cdf_steps(p: &[Rational], r: &[Rational]) -> Vec<(usize, Rational, Rational)> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i] != 0).collect();
    idx.sort_by(|&a, &b| r[a].cmp(&r[b]).then(a.cmp(&b)));
    let mut g = Rational::new();
    idx.into_iter()
        .map(|i| {
            let gm = g.clone();
            g += &p[i];
            (i, gm, g.clone())
        })
        .collect()
}

/// The "order" tie rule for a single token (BON-1): tokens sorted by (reward, index); with
/// `G` the CDF in that order, `pi_N(y) = G(y)^N - G-(y)^N`, exact for integer `N`.
/// Returns the exact probabilities in the original token order.
pub fn order_rule_exact(p: &[Rational], r: &[Rational], n_samples: u32) -> Vec<Rational> {
    let mut out = vec![Rational::new(); p.len()];
    for (i, gm, g) in cdf_steps(p, r) {
        let a = Rational::from(rug::ops::Pow::pow(&g, n_samples));
        let b = Rational::from(rug::ops::Pow::pow(&gm, n_samples));
        out[i] = a - b;
    }
    out
}

/// The "order" tie rule with a certified (possibly huge or real) `N`: `G^N - G-^N` in log space.
pub fn order_rule_enc(p: &[Rational], r: &[Rational], n_samples: &Enc, prec: u32) -> Vec<Enc> {
    order_rule_ln(p, r, n_samples, prec)
        .into_iter()
        .map(|lp| lp.map_or_else(|| Enc::zero(prec), |lp| lp.exp(prec)))
        .collect()
}

/// The logarithms of [`order_rule_enc`]'s probabilities (`None`: a token of probability 0, whose
/// best-of-N probability is exactly 0): `ln pi_N(y) = N ln G + ln(-expm1(N ln1p(-p_y / G)))`,
/// finite even where `pi_N(y)` is below every floating-point range (`0.9^(10^30)`).
pub fn order_rule_ln(p: &[Rational], r: &[Rational], n_samples: &Enc, prec: u32) -> Vec<Option<Enc>> {
    let mut out = vec![None; p.len()];
    for (i, gm, g) in cdf_steps(p, r) {
        let lg = if g == 1 {
            Enc::zero(prec)
        } else if g < Rational::from((1, 2)) {
            Enc::from_rational(&g, prec).ln(prec)
        } else {
            Enc::from_rational(&Rational::from(1 - &g), prec)
                .neg()
                .ln_1p(prec)
        };
        let nl = n_samples.mul(&lg, prec);
        let lp = if gm == 0 {
            nl
        } else {
            let step = Enc::from_rational(&Rational::from(&p[i] / &g), prec)
                .neg()
                .ln_1p(prec);
            nl.add(&ln_neg_expm1(&n_samples.mul(&step, prec), prec), prec)
        };
        out[i] = Some(lp);
    }
    out
}
