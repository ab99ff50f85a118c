//! A memoryless model in the lattice form of the windows (MATH.md §9): rewards `r_a = c + h k_a`
//! with integer exponents `k_a`, and the tilted base's log-partition and moments. Re-exported by
//! [`crate::math::window`].

use crate::real::Enc;
use rug::{Integer, Rational};
use std::collections::BTreeMap;

/// A memoryless model in lattice form (see the module documentation).
#[derive(Clone, Debug)]
pub struct WinLattice {
    /// `L`, the lcm of the reward denominators on the support.
    pub scale: Integer,
    /// `m_min = r_min L`.
    pub m_min: Integer,
    /// `g`: `h = g / L`.
    pub g: Integer,
    /// Distinct exponents `k` (increasing, `k[0] = 0`).
    pub ks: Vec<usize>,
    /// Merged probabilities of each exponent (all `> 0`, sum 1).
    pub ps: Vec<Rational>,
    /// `d = max k`.
    pub d: usize,
}

/// Largest exponent span `d` the window route accepts (the base polynomial is dense).
pub const MAX_SPAN: usize = 1 << 20;

impl WinLattice {
    /// The lattice form of `(p, r)`; `None` when the reward is constant on the support or the span
    /// `d` exceeds [`MAX_SPAN`].
    pub fn new(p: &[Rational], r: &[Rational]) -> Option<WinLattice> {
        let support: Vec<usize> = (0..p.len()).filter(|&a| p[a] > 0).collect();
        let mut scale = Integer::from(1);
        for &a in &support {
            scale.lcm_mut(r[a].denom());
        }
        let m: Vec<Integer> = support
            .iter()
            .map(|&a| Integer::from(&scale / r[a].denom()) * r[a].numer())
            .collect();
        let m_min = m.iter().min()?.clone();
        let mut g = Integer::new();
        for ma in &m {
            g.gcd_mut(&Integer::from(ma - &m_min));
        }
        if g == 0 {
            return None;
        }
        let mut merged: BTreeMap<usize, Rational> = BTreeMap::new();
        for (ma, &a) in m.iter().zip(&support) {
            let k = Integer::from(ma - &m_min) / &g;
            let k = k.to_usize().filter(|&k| k <= MAX_SPAN)?;
            *merged.entry(k).or_default() += &p[a];
        }
        let (ks, ps): (Vec<usize>, Vec<Rational>) = merged.into_iter().unzip();
        let d = *ks.last()?;
        Some(WinLattice {
            scale,
            m_min,
            g,
            ks,
            ps,
            d,
        })
    }
    /// The span `h = g / L`.
    pub fn span(&self) -> Rational {
        Rational::from((self.g.clone(), self.scale.clone()))
    }
    /// `p(A_min)`, the probability of exponent 0.
    pub fn p_min(&self) -> &Rational {
        &self.ps[0]
    }
    /// `psi(lambda) = lambda c + ln sum_k p_k e^{lambda h k}` for an enclosure `lambda`.
    pub fn psi(&self, lambda: &Enc, prec: u32) -> Enc {
        let c = Rational::from((self.m_min.clone(), self.scale.clone()));
        let theta = lambda.mul_rational(&self.span(), prec);
        lambda.mul_rational(&c, prec).add(&self.ln_f(&theta, prec), prec)
    }
    /// `ln f(e^theta) = ln sum_k p_k e^{theta k}`, shifted by the largest exponent for `theta > 0`.
    pub fn ln_f(&self, theta: &Enc, prec: u32) -> Enc {
        // f(e^theta) = e^{theta d} sum_k p_k e^{-theta (d - k)}: every exponential <= 1 for theta >= 0
        let d = self.d as i64;
        let mut acc = Enc::zero(prec);
        for (k, p) in self.ks.iter().zip(&self.ps) {
            let e = theta.mul(&Enc::from_i64(*k as i64 - d, prec), prec).exp(prec);
            acc = acc.add(&e.mul_rational(p, prec), prec);
        }
        theta.mul(&Enc::from_i64(d, prec), prec).add(&acc.ln(prec), prec)
    }
    /// `ln f(e^theta)` in `f64` (a heuristic: the per-level precision scout).
    pub fn ln_f_f64(&self, theta: f64) -> f64 {
        let d = self.d as f64;
        let z: f64 = self
            .ks
            .iter()
            .zip(&self.ps)
            .map(|(k, p)| p.to_f64() * (theta * (*k as f64 - d)).exp())
            .sum();
        theta * d + z.ln()
    }
    /// Mean and variance (in levels) of the tilted base `g_theta`, in `f64` (window placement only).
    pub fn moments(&self, theta: f64) -> (f64, f64) {
        let d = self.d as f64;
        let w: Vec<f64> = self
            .ks
            .iter()
            .zip(&self.ps)
            .map(|(k, p)| p.to_f64() * (theta * (*k as f64 - d)).exp())
            .collect();
        let z: f64 = w.iter().sum();
        let mean: f64 = self.ks.iter().zip(&w).map(|(k, w)| *k as f64 * w).sum::<f64>() / z;
        let var: f64 = self
            .ks
            .iter()
            .zip(&w)
            .map(|(k, w)| (*k as f64 - mean).powi(2) * w)
            .sum::<f64>()
            / z;
        (mean, var.max(1e-300))
    }
}
