//! Validated inputs: a probability distribution and a reward model (MATH.md §1).
//!
//! A [`Distribution`] is a vector of exact non-negative rationals summing to exactly 1
//! (or rescaled exactly to sum 1 on request). Zero entries are allowed; they drop out of every
//! formula. A [`Model`] pairs a distribution `p` with rewards `r` of the same length.

use crate::error::{Error, Result};
use rug::{Assign, Integer, Rational};
use std::collections::HashMap;

/// A probability vector of exact rationals, summing to exactly 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    probs: Vec<Rational>,
}

/// Largest alphabet accepted: 2^21 = 2,097,152 tokens, eight times the largest language-model
/// vocabularies (32k to 256k tokens). The single-token quantities (tilt, rates, cumulants,
/// divergences, best-of-N for one token) cost O(k); the sequence commands cost what the reward
/// lattice's span costs (the level law merges tokens of equal reward), which their own guard
/// estimates.
pub const MAX_ALPHABET: usize = 1 << 21;

impl Distribution {
    /// Validate `probs` given by flag `flag` (for messages). With `normalize`, rescale exactly
    /// by the sum (which must be positive).
    pub fn new(probs: Vec<Rational>, normalize: bool, flag: &str) -> Result<Distribution> {
        if probs.is_empty() {
            return Err(Error::input(format!(
                "{flag}: the distribution is empty; give comma-separated probabilities such as 1/2,1/3,1/6"
            )));
        }
        if probs.len() > MAX_ALPHABET {
            return Err(Error::input(format!(
                "{flag}: {} entries is more than the supported alphabet size of {MAX_ALPHABET}",
                probs.len()
            )));
        }
        if let Some((i, q)) = probs.iter().enumerate().find(|(_, q)| **q < 0) {
            return Err(Error::input(format!(
                "{flag}: entry {} is negative ({q}); probabilities must be >= 0",
                i + 1
            )));
        }
        let sum = exact_sum(&probs);
        if sum == 0 {
            return Err(Error::input(format!(
                "{flag}: all entries are zero; at least one probability must be positive"
            )));
        }
        if sum != 1 {
            if !normalize {
                return Err(Error::input(format!(
                    "{flag}: the probabilities sum to {sum}, not exactly 1; fix them or pass --normalize to rescale exactly"
                )));
            }
            let probs = divide_all(probs, &sum);
            return Ok(Distribution { probs });
        }
        Ok(Distribution { probs })
    }
    /// The probabilities.
    pub fn probs(&self) -> &[Rational] {
        &self.probs
    }
    /// Alphabet size k (including zero-probability tokens).
    pub fn len(&self) -> usize {
        self.probs.len()
    }
    /// Never true for a validated distribution.
    pub fn is_empty(&self) -> bool {
        self.probs.is_empty()
    }
    /// Indices with positive probability.
    pub fn support(&self) -> Vec<usize> {
        (0..self.probs.len()).filter(|&i| self.probs[i] > 0).collect()
    }
}

/// A reference model `p` with per-token rewards `r` (MATH.md §1).
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Reference distribution.
    pub p: Distribution,
    /// Rewards, one per token.
    pub r: Vec<Rational>,
}

impl Model {
    /// Pair `p` and `r`, checking the lengths.
    pub fn new(p: Distribution, r: Vec<Rational>) -> Result<Model> {
        if r.len() != p.len() {
            return Err(Error::input(format!(
                "--r has {} entries but --p has {}; give one reward per token",
                r.len(),
                p.len()
            )));
        }
        Ok(Model { p, r })
    }
    /// Probabilities.
    pub fn probs(&self) -> &[Rational] {
        self.p.probs()
    }
    /// Indices with positive probability.
    pub fn support(&self) -> Vec<usize> {
        self.p.support()
    }
    /// The rewards of the support (positive probability), in token order.
    fn support_rewards(&self) -> impl Iterator<Item = &Rational> {
        self.probs()
            .iter()
            .zip(&self.r)
            .filter(|(p, _)| **p > 0)
            .map(|(_, r)| r)
    }
    /// `r_max` over the support.
    pub fn r_max(&self) -> Rational {
        self.support_rewards().max().expect("non-empty support").clone()
    }
    /// `r_min` over the support.
    pub fn r_min(&self) -> Rational {
        self.support_rewards().min().expect("non-empty support").clone()
    }
    /// The exact mass of the tokens of reward `m` (zero-probability tokens add nothing).
    fn mass_at(&self, m: &Rational) -> Rational {
        let hits: Vec<Rational> = self
            .probs()
            .iter()
            .zip(&self.r)
            .filter(|(p, r)| *r == m && **p > 0)
            .map(|(p, _)| p.clone())
            .collect();
        exact_sum(&hits)
    }
    /// `p(A_max)`: the mass of the tokens attaining `r_max`.
    pub fn mass_max(&self) -> Rational {
        self.mass_at(&self.r_max())
    }
    /// `p(A_min)`.
    pub fn mass_min(&self) -> Rational {
        self.mass_at(&self.r_min())
    }
    /// `E_p r`, exact.
    pub fn mean(&self) -> Rational {
        let mut acc = DenomSum::default();
        let mut num = Integer::new();
        let mut den = Integer::new();
        for (p, r) in self.probs().iter().zip(&self.r) {
            if *p == 0 || *r == 0 {
                continue;
            }
            // p r = (a c) / (b d), not reduced: the buckets only add numerators over an equal
            // denominator, and the final sum is canonicalised once (exact either way)
            num.assign(p.numer() * r.numer());
            den.assign(p.denom() * r.denom());
            acc.add(&num, &den);
        }
        acc.total()
    }
    /// True when the reward is constant on the support (then `Delta_max = 0`).
    pub fn is_constant(&self) -> bool {
        self.r_max() == self.r_min()
    }
    /// `p(. | A_max)`, exact.
    pub fn conditional_on_max(&self) -> Vec<Rational> {
        let m = self.r_max();
        let z = self.mass_max();
        self.probs()
            .iter()
            .zip(&self.r)
            .map(|(p, r)| {
                if *p > 0 && *r == m {
                    Rational::from(p / &z)
                } else {
                    Rational::new()
                }
            })
            .collect()
    }
}

/// Distinct denominators kept by a [`DenomSum`] before it folds them into its rational total.
const DENOM_BUCKETS: usize = 1 << 12;

/// An exact sum of fractions `a/b` (not necessarily reduced) grouped by denominator: each term
/// costs one integer addition onto the numerator of its denominator's bucket instead of a
/// rational addition (a gcd and several products). The buckets are folded into a rational total
/// when there are [`DENOM_BUCKETS`] of them and at the end, so the result is the exact sum
/// whatever the grouping (rational addition is exact, associative and commutative).
#[derive(Default)]
struct DenomSum {
    buckets: HashMap<Integer, Integer>,
    total: Rational,
}

impl DenomSum {
    fn add(&mut self, num: &Integer, den: &Integer) {
        if let Some(acc) = self.buckets.get_mut(den) {
            *acc += num;
            return;
        }
        if self.buckets.len() >= DENOM_BUCKETS {
            self.fold();
        }
        self.buckets.insert(den.clone(), num.clone());
    }
    fn fold(&mut self) {
        for (d, n) in self.buckets.drain() {
            self.total += Rational::from((n, d));
        }
    }
    fn total(mut self) -> Rational {
        self.fold();
        self.total
    }
}

/// The exact sum of `xs`: an integer sum when every entry is an integer (the weights of a
/// `--normalize` model), else sums grouped by denominator (`DenomSum`). Equal to
/// `xs.iter().sum::<Rational>()`.
pub fn exact_sum(xs: &[Rational]) -> Rational {
    if xs.iter().all(|q| *q.denom() == 1) {
        let mut s = Integer::new();
        for q in xs {
            s += q.numer();
        }
        return Rational::from(s);
    }
    let mut acc = DenomSum::default();
    for q in xs {
        acc.add(q.numer(), q.denom());
    }
    acc.total()
}

/// `xs[i] / s` for every `i` (`s != 0`), exact and canonical: the same values as
/// `xs.into_iter().map(|q| q / s)`, with an integer fast path (`a / s` for an integer `a` and
/// an integer `s` is the fraction `a/s` reduced by one gcd).
pub fn divide_all(xs: Vec<Rational>, s: &Rational) -> Vec<Rational> {
    if *s.denom() == 1 {
        let d = s.numer();
        return xs
            .into_iter()
            .map(|q| {
                if *q.denom() == 1 {
                    let (n, _) = q.into_numer_denom();
                    // Rational::from((n, d)) canonicalises: gcd, and the sign onto the numerator
                    Rational::from((n, d.clone()))
                } else {
                    q / s
                }
            })
            .collect();
    }
    xs.into_iter().map(|q| q / s).collect()
}
