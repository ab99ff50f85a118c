//! Validated inputs: a probability distribution and a reward model (MATH.md §1).
//!
//! A [`Distribution`] is a vector of exact non-negative rationals summing to exactly 1
//! (or rescaled exactly to sum 1 on request). Zero entries are allowed; they drop out of every
//! formula. A [`Model`] pairs a distribution `p` with rewards `r` of the same length.

use crate::error::{Error, Result};
use rug::Rational;

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
        let sum: Rational = probs.iter().sum();
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
            let probs = probs.into_iter().map(|q| q / &sum).collect();
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
    /// `r_max` over the support.
    pub fn r_max(&self) -> Rational {
        self.support()
            .into_iter()
            .map(|i| &self.r[i])
            .max()
            .expect("non-empty support")
            .clone()
    }
    /// `r_min` over the support.
    pub fn r_min(&self) -> Rational {
        self.support()
            .into_iter()
            .map(|i| &self.r[i])
            .min()
            .expect("non-empty support")
            .clone()
    }
    /// `p(A_max)`: the mass of the tokens attaining `r_max`.
    pub fn mass_max(&self) -> Rational {
        let m = self.r_max();
        self.support()
            .into_iter()
            .filter(|&i| self.r[i] == m)
            .map(|i| self.probs()[i].clone())
            .sum()
    }
    /// `p(A_min)`.
    pub fn mass_min(&self) -> Rational {
        let m = self.r_min();
        self.support()
            .into_iter()
            .filter(|&i| self.r[i] == m)
            .map(|i| self.probs()[i].clone())
            .sum()
    }
    /// `E_p r`, exact.
    pub fn mean(&self) -> Rational {
        self.probs()
            .iter()
            .zip(&self.r)
            .map(|(p, r)| Rational::from(p * r))
            .sum()
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
