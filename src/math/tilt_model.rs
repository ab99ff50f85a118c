//! The tilt model (MATH.md §2): a reference model restricted to its support with its reward
//! extremes, masses and mean, and its reward law (tokens of equal reward merged). Built from a
//! validated [`Model`] in linear integer passes (a vocabulary of 10^6 tokens pays no exact
//! rational addition or comparison per token). The tilt itself is evaluated in
//! [`crate::math::tilt`], which re-exports [`TiltModel`].

use crate::exact::dist::Model;
use crate::exact::hash::{fx_map, FxHashMap};
use crate::exact::level_law::{lcm_into, scaled};
use crate::real::Enc;
use rug::{Assign, Integer, Rational};

/// A model restricted to its support, with the reward extremes precomputed.
#[derive(Clone, Debug)]
pub struct TiltModel {
    /// Alphabet size including zero-probability tokens.
    pub k: usize,
    /// Support indices into the original alphabet.
    pub idx: Vec<usize>,
    /// Support probabilities (all > 0).
    pub p: Vec<Rational>,
    /// Support rewards.
    pub r: Vec<Rational>,
    /// `r_max` over the support.
    pub r_max: Rational,
    /// `r_min` over the support.
    pub r_min: Rational,
    /// `p(A_max)`.
    pub p_max: Rational,
    /// `p(A_min)`.
    pub p_min: Rational,
    /// `E_p r`.
    pub mean: Rational,
    /// The reward law ([`TiltModel::by_reward`]), computed on first use by [`TiltModel::law`].
    pub(crate) law: std::sync::OnceLock<Option<Box<TiltModel>>>,
    /// The fast path's per-token data and recent passes ([`super::tilt_fast::Cache`]).
    pub(crate) fast: super::tilt_fast::Cache,
}

impl TiltModel {
    /// Restrict a validated model to its support.
    ///
    /// Two linear passes over the tokens with integer arithmetic (a vocabulary of 10^6 tokens
    /// would otherwise pay an exact rational addition, with its gcd, per token for the mean and
    /// for each mass, and a rational comparison per token for each extreme): the first takes
    /// the common denominators `d` of the probabilities and `L` of the rewards on the support,
    /// the second the integers `c_a = p_a d`, `m_a = r_a L` and, from them, the extremes of `m`,
    /// the masses `sum c_a` at each extreme and `sum c_a m_a`. Every field is then one exact
    /// quotient in lowest terms, equal (`==`) to the rational sums and extremes:
    /// `r_max = max m / L` (`m -> m / L` is increasing, `L > 0`), `p(A_max) = sum_{m_a = max} c_a / d`,
    /// `E_p r = sum c_a m_a / (d L)` (zero-probability tokens add nothing).
    pub fn new(m: &Model) -> TiltModel {
        let probs = m.probs();
        let mut idx = Vec::new();
        let mut d = Integer::from(1);
        let mut big_l = Integer::from(1);
        for (i, (pa, ra)) in probs.iter().zip(&m.r).enumerate() {
            if *pa > 0 {
                idx.push(i);
                lcm_into(&mut d, pa.denom());
                lcm_into(&mut big_l, ra.denom());
            }
        }
        assert!(!idx.is_empty(), "non-empty support");
        let mut p = Vec::with_capacity(idx.len());
        let mut r = Vec::with_capacity(idx.len());
        // (max m, its mass), (min m, its mass), sum c m
        let mut top: Option<(Integer, Integer)> = None;
        let mut bottom: Option<(Integer, Integer)> = None;
        let mut acc = Integer::new();
        let mut cm = Integer::new();
        for &i in &idx {
            let (pa, ra) = (&probs[i], &m.r[i]);
            let c = scaled(&d, pa);
            let ma = scaled(&big_l, ra);
            cm.assign(&c * &ma);
            acc += &cm;
            for (slot, better) in [
                (&mut top, std::cmp::Ordering::Greater),
                (&mut bottom, std::cmp::Ordering::Less),
            ] {
                match slot {
                    Some((x, mass)) => match ma.cmp(x) {
                        std::cmp::Ordering::Equal => *mass += &c,
                        o if o == better => *slot = Some((ma.clone(), c.clone())),
                        _ => {}
                    },
                    None => *slot = Some((ma.clone(), c.clone())),
                }
            }
            p.push(pa.clone());
            r.push(ra.clone());
        }
        let (m_max, c_max) = top.expect("non-empty support");
        let (m_min, c_min) = bottom.expect("non-empty support");
        let dl = Integer::from(&d * &big_l);
        TiltModel {
            k: probs.len(),
            idx,
            p,
            r,
            r_max: Rational::from((m_max, big_l.clone())),
            r_min: Rational::from((m_min, big_l)),
            p_max: Rational::from((c_max, d.clone())),
            p_min: Rational::from((c_min, d)),
            mean: Rational::from((acc, dl)),
            law: Default::default(),
            fast: Default::default(),
        }
    }
    /// The model with rewards negated (`l(x; r) = -l(-x; -r)`), for the side below the mean.
    pub fn mirrored(&self) -> TiltModel {
        TiltModel {
            k: self.k,
            idx: self.idx.clone(),
            p: self.p.clone(),
            r: self.r.iter().map(|x| Rational::from(-x)).collect(),
            r_max: Rational::from(-&self.r_min),
            r_min: Rational::from(-&self.r_max),
            p_max: self.p_min.clone(),
            p_min: self.p_max.clone(),
            mean: Rational::from(-&self.mean),
            law: Default::default(),
            fast: Default::default(),
        }
    }
    /// The model with the tokens of equal reward merged into one (their probabilities summed
    /// exactly), in increasing order of reward; `None` when the rewards on the support are
    /// already distinct. `psi`, `mu`, `sigma2`, `K`, the deficit and `r_max - mu` are functions
    /// of the reward law alone, so they are the same on both models; `phi` is not (use the
    /// original model for it).
    pub fn by_reward(&self) -> Option<TiltModel> {
        // a hash map first (one fast hash per token; an ordered map costs log2(k) rational
        // comparisons per token at a vocabulary of 10^6), sorted only when there are ties
        let mut slot: FxHashMap<&Rational, usize> = fx_map(self.p.len());
        let mut group: Vec<usize> = Vec::with_capacity(self.p.len());
        let mut rewards: Vec<&Rational> = Vec::new();
        for r in &self.r {
            let next = rewards.len();
            let g = *slot.entry(r).or_insert(next);
            if g == next {
                rewards.push(r);
            }
            group.push(g);
        }
        drop(slot);
        if rewards.len() == self.p.len() {
            return None;
        }
        // the merged probabilities as integers over the common denominator d of the support
        // (one exact quotient per reward instead of a rational addition per token)
        let mut d = Integer::from(1);
        for p in &self.p {
            lcm_into(&mut d, p.denom());
        }
        let mut mass = vec![Integer::new(); rewards.len()];
        for (p, &g) in self.p.iter().zip(&group) {
            mass[g] += scaled(&d, p);
        }
        drop(group);
        // increasing reward: by the integers m = r L (L the common denominator, so r -> m is
        // increasing) when they fit a machine word, else by exact comparison
        let mut big_l = Integer::from(1);
        for r in &rewards {
            lcm_into(&mut big_l, r.denom());
        }
        let mut order: Vec<usize> = (0..rewards.len()).collect();
        match rewards
            .iter()
            .map(|r| scaled(&big_l, r).to_i64())
            .collect::<Option<Vec<i64>>>()
        {
            Some(keys) => order.sort_unstable_by_key(|&j| keys[j]),
            None => order.sort_unstable_by(|&a, &b| rewards[a].cmp(rewards[b])),
        }
        let r: Vec<Rational> = order.iter().map(|&j| rewards[j].clone()).collect();
        let p: Vec<Rational> = order
            .iter()
            .map(|&j| Rational::from((std::mem::take(&mut mass[j]), d.clone())))
            .collect();
        Some(TiltModel {
            k: p.len(),
            idx: (0..p.len()).collect(),
            p,
            r,
            r_max: self.r_max.clone(),
            r_min: self.r_min.clone(),
            p_max: self.p_max.clone(),
            p_min: self.p_min.clone(),
            mean: self.mean.clone(),
            law: Default::default(),
            fast: Default::default(),
        })
    }
    /// [`TiltModel::by_reward`], computed once per model (a vocabulary of 10^6 tokens costs a
    /// hash and an exact addition per token, and every precision of the loop asks again).
    pub fn law(&self) -> Option<&TiltModel> {
        self.law.get_or_init(|| self.by_reward().map(Box::new)).as_deref()
    }
    /// True when the reward is constant on the support.
    pub fn is_constant(&self) -> bool {
        self.r_max == self.r_min
    }
    /// `Delta_max = -ln p(A_max)` (exact 0 for a constant reward).
    pub fn delta_max(&self, prec: u32) -> Enc {
        if self.p_max == 1 {
            return Enc::zero(prec);
        }
        Enc::from_rational(&self.p_max, prec).ln(prec).neg()
    }
    /// Scatter support values back to the full alphabet, with exact 0 elsewhere.
    pub fn scatter(&self, vals: &[Enc], prec: u32) -> Vec<Enc> {
        let mut out = vec![Enc::zero(prec); self.k];
        for (j, &i) in self.idx.iter().enumerate() {
            out[i] = vals[j].clone();
        }
        out
    }
}
