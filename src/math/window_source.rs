//! [`WindowLaw`] as a [`LevelSource`] (MATH.md §9): the listed levels, their probabilities at
//! graded precisions, the unlisted masses (WIN-3), the law's level count and its exact top
//! (`math::top_levels`), and the reverse KL's rest over the second window (WIN-4).

use crate::math::level_precision::reverse_top;
use crate::math::level_source::{LevelProbs, LevelSource, Method, ReverseKlCtx, ScoutLevel, Unlisted};
use crate::math::top_levels::{level_count, TopLevels, TOP_MAX};
use crate::math::window::{reverse_kl_outside, WindowLaw};
use crate::real::Enc;
use rug::{Integer, Rational};

impl LevelSource for WindowLaw {
    fn method(&self) -> Method {
        Method::Window
    }
    fn n(&self) -> u64 {
        self.n
    }
    fn len(&self) -> usize {
        self.hi - self.lo + 1
    }
    fn scale(&self) -> Integer {
        self.lat.scale.clone()
    }
    fn level(&self, j: usize) -> Integer {
        Integer::from(&self.lat.m_min * self.n) + Integer::from(&self.lat.g * (self.lo + j))
    }
    fn reward_range(&self) -> (Rational, Rational) {
        let lo = Integer::from(&self.lat.m_min * self.n);
        let hi = &lo + Integer::from(&self.lat.g * (self.lat.d as u64 * self.n));
        (
            Rational::from((lo, self.lat.scale.clone())),
            Rational::from((hi, self.lat.scale.clone())),
        )
    }
    fn visit(&self, prec: u32, sel: Option<&[bool]>, f: &mut dyn FnMut(usize, LevelProbs)) {
        self.visit_graded(prec, sel, None, f)
    }
    fn visit_at(&self, prec: u32, precs: &[u32], f: &mut dyn FnMut(usize, LevelProbs)) {
        self.visit_graded(prec, None, Some(precs), f)
    }
    fn scout(&self) -> Option<Vec<ScoutLevel>> {
        Some(self.scout_levels())
    }
    fn law_levels(&self) -> Option<u64> {
        // memoryless only (a chain's sums depend on its transition graph)
        self.ln_pref
            .is_none()
            .then(|| level_count(&self.lat, self.n))
            .flatten()
    }
    fn top_levels(&self, k: usize) -> Option<TopLevels> {
        // a memoryless window only (a chain's levels are not sums of independent deficits)
        if self.ln_pref.is_some() || k > TOP_MAX {
            return None;
        }
        TopLevels::new(&self.lat, self.n, k)
    }
    fn restricted_source(&self, lo: usize, hi: usize) -> Option<Box<dyn LevelSource + '_>> {
        self.restricted(self.lo + lo, self.lo + hi)
            .map(|w| Box::new(w) as Box<dyn LevelSource>)
    }
    fn reverse_scout_top(&self, ln_n: f64, l: f64, n_psi: f64) -> f64 {
        // the second window's levels (those below the split are summed by reverse_kl_outside;
        // the others are the same levels as this window's, so still terms of the same sum)
        self.half.as_ref().map_or(f64::NEG_INFINITY, |h| {
            reverse_top(&h.scout_levels(), ln_n, l, n_psi)
        })
    }
    fn unlisted(&self, prec: u32) -> Unlisted {
        let wp = prec + 16;
        let top_level = self.lat.d * self.n as usize;
        let above = (self.hi < top_level).then(|| {
            let lt = self.ln_tails(wp, self.hi, self.hi);
            lt[0].exp(prec).clamp01()
        });
        let below = (self.lo > 0).then(|| {
            // P(S < s_lo) = 1 - T(s_lo - 1) = 1 - (T(s_lo) + P_S(s_lo))
            let lt = self.ln_tails(wp, self.lo, self.lo);
            let th = self.theta_enc(wp);
            let ts = th.mul(&Enc::from_integer(&Integer::from(self.lo), wp), wp);
            let ln_ps = self
                .ln_c(wp)
                .sub(&ts, wp)
                .add(&self.g_enc(self.lo, wp).ln(wp), wp);
            let t = lt[0].exp(wp).add(&ln_ps.exp(wp), wp).clamp01();
            let ln_b = t.neg().ln_1p(prec);
            (Enc::from_i64(1, prec).sub(&t, prec), ln_b)
        });
        Unlisted { below, above }
    }
    fn reverse_kl_rest(&self, ctx: &ReverseKlCtx, prec: u32) -> Option<(Enc, usize)> {
        reverse_kl_outside(self, ctx, prec)
    }
}
