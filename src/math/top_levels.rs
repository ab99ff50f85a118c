//! The top of the level law of a memoryless lattice model at any `n` (SEQ-3), for the `bon`
//! listing of the window route: the window lists the levels where best-of-N lives, but the
//! `--levels top K` view asks for the `K` highest levels of the law, which lie far above the
//! window when `n` is large.
//!
//! Rewards in lattice form `r_a = c + h k_a` ([`WinLattice`]), `d = max k`, `p_d = P(k = d)`.
//! A level `S_n = n r_max - h t` has deficit `t = sum_i (d - k_i) >= 0`, and with
//! `u(z) = sum_{k < d} (p_k / p_d) z^{d - k}`,
//!
//! `P(S_n = n r_max - h t) = p_d^n [z^t] (1 + u(z))^n = p_d^n c_t`,
//! `c_t = sum_{j <= min(n, t)} C(n, j) [z^t] u(z)^j` (exact, `> 0` exactly when `t` is a sum of at
//! most `n` deficits `d - k`).
//!
//! The `K` highest levels are the `K` smallest such `t`. Only the `K - 1` smallest positive
//! deficits `e_1 < e_2 < ...` can occur in them: each `e_i` is itself a level (`j = 1 <= n`), so
//! the `(K-1)`-th smallest positive level is at most `e_{K-1}`, and a sum using any larger
//! deficit exceeds it. Every `t` listed is at most `(K - 1) e_1`, so `j <= K - 1` in the sum.
//!
//! [`level_count`] gives the number of levels of the whole law at such `n` (the windows list only
//! a part of them), from the numerical semigroups of the two ends.
//!
//! The probabilities are returned through their logarithms, `ln P = n ln p_d + ln c_t` (at
//! `n = 10^9` the exact `p_d^n` would have billions of digits), with `c_t` exact.

use super::win_lattice::WinLattice;
use crate::real::Enc;
use rug::{Integer, Rational};
use std::collections::BTreeMap;

/// Largest `K` of a `--levels top K` listing built here (the work grows like `K^3` exact
/// products); larger listings keep the window's own listing rules.
pub const TOP_MAX: usize = 200;

/// The `K` highest levels of `S_n` (see the module documentation).
#[derive(Clone, Debug)]
pub struct TopLevels {
    /// `n`.
    pub n: u64,
    /// Deficits `t` in lattice steps, increasing (`t[0] = 0`, the top level `n r_max`).
    pub t: Vec<Integer>,
    /// `c_t` (exact, `> 0`).
    pub c: Vec<Rational>,
    /// `p_d`, the probability of the highest reward (`0 < p_d < 1`).
    pub p_top: Rational,
    /// Exact rewards of the levels (`n r_max - h t`).
    pub rewards: Vec<Rational>,
}

/// The `k` smallest sums of at most `n` deficits (with `0`, the empty sum), by a best-first
/// search over sums with their smallest number of terms (`es` increasing, positive).
fn smallest_sums(es: &[Integer], n: u64, k: usize) -> Vec<Integer> {
    // best-first: candidates keyed by value with the fewest terms reaching them
    let mut frontier: BTreeMap<Integer, u64> = BTreeMap::new();
    frontier.insert(Integer::new(), 0);
    let mut out: Vec<Integer> = Vec::with_capacity(k);
    while out.len() < k {
        let Some((v, j)) = frontier.pop_first() else {
            break;
        };
        if j < n {
            for e in es {
                let w = Integer::from(&v + e);
                let slot = frontier.entry(w).or_insert(u64::MAX);
                *slot = (*slot).min(j + 1);
            }
        }
        out.push(v);
        // values in the frontier above the k-th output can never be needed
        while frontier.len() > k {
            frontier.pop_last();
        }
    }
    out
}

impl TopLevels {
    /// The `k` highest levels of `S_n` for the lattice model `lat` (`k >= 1`; fewer when the law
    /// has fewer levels). `None` for a constant reward (no window is built for one).
    pub fn new(lat: &WinLattice, n: u64, k: usize) -> Option<TopLevels> {
        if lat.ks.len() < 2 || n == 0 || k == 0 {
            return None;
        }
        let d = lat.d;
        let p_top = lat.ps.last()?.clone();
        // deficits d - k (> 0) with their ratios p_k / p_d, increasing in the deficit
        let mut u: Vec<(Integer, Rational)> = lat
            .ks
            .iter()
            .zip(&lat.ps)
            .filter(|(&kk, _)| kk < d)
            .map(|(&kk, p)| (Integer::from(d - kk), Rational::from(p / &p_top)))
            .collect();
        u.sort_by(|a, b| a.0.cmp(&b.0));
        u.truncate(k.saturating_sub(1).max(1));
        let es: Vec<Integer> = u.iter().map(|(e, _)| e.clone()).collect();
        let t = smallest_sums(&es, n, k);
        let t_max = t.last()?.clone();
        if t_max >= Integer::from(d as u64) * n {
            // the listing reaches the lowest level `n r_min` (a tiny `n`): there `q = 1` below,
            // and the window's own listing serves
            return None;
        }
        // truncated powers u^j (exponents <= t_max), accumulated with C(n, j)
        let mut c: BTreeMap<Integer, Rational> = BTreeMap::new();
        c.insert(Integer::new(), Rational::from(1));
        let mut pow: BTreeMap<Integer, Rational> = BTreeMap::new();
        pow.insert(Integer::new(), Rational::from(1));
        let mut binom = Integer::from(1);
        let mut j: u64 = 0;
        while j < n {
            let mut next: BTreeMap<Integer, Rational> = BTreeMap::new();
            for (x, a) in &pow {
                for (e, b) in &u {
                    let y = Integer::from(x + e);
                    if y > t_max {
                        break; // `u` is increasing in the deficit
                    }
                    *next.entry(y).or_default() += Rational::from(a * b);
                }
            }
            if next.is_empty() {
                break;
            }
            j += 1;
            // C(n, j) = C(n, j - 1) (n - j + 1) / j, exact
            binom *= n - j + 1;
            binom /= j;
            for (x, a) in &next {
                *c.entry(x.clone()).or_default() += Rational::from(a * &binom);
            }
            pow = next;
        }
        let c: Vec<Rational> = t.iter().map(|x| c.get(x).cloned().unwrap_or_default()).collect();
        debug_assert!(c.iter().all(|x| *x > 0));
        let top = Integer::from(&lat.m_min * n) + Integer::from(&lat.g * (d as u64)) * n;
        let rewards = t
            .iter()
            .map(|x| Rational::from((&top - Integer::from(&lat.g * x), lat.scale.clone())))
            .collect();
        Some(TopLevels {
            n,
            t,
            c,
            p_top,
            rewards,
        })
    }

    /// Number of levels listed.
    pub fn len(&self) -> usize {
        self.t.len()
    }

    /// True when nothing is listed (never for a built listing).
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    /// `ln P(S_n = s_i) = n ln p_d + ln c_i` for every listed level, as enclosures at `prec`.
    pub fn ln_probs(&self, prec: u32) -> Vec<Enc> {
        // ln p_d < 0 times the exact n: the product's error is n times ln p_d's, which the
        // precision loop absorbs (it raises prec until the requested digits certify)
        let n_ln = Enc::from_rational(&self.p_top, prec)
            .ln(prec)
            .mul_rational(&Rational::from(self.n), prec);
        self.c
            .iter()
            .map(|c| {
                if *c == 1 {
                    n_ln.clone()
                } else {
                    n_ln.add(&Enc::from_rational(c, prec).ln(prec), prec)
                }
            })
            .collect()
    }

    /// The exact probabilities when `p_d^n` is small enough to write (`n` times the bits of
    /// `p_d` at most `max_bits`), else `None`.
    pub fn exact_probs(&self, max_bits: u64) -> Option<Vec<Rational>> {
        let bits =
            (self.p_top.numer().significant_bits() as u64).max(self.p_top.denom().significant_bits() as u64);
        if bits.saturating_mul(self.n) > max_bits {
            return None;
        }
        let n = u32::try_from(self.n).ok()?;
        let pn = Rational::from(rug::ops::Pow::pow(&self.p_top, n));
        Some(self.c.iter().map(|c| Rational::from(c * &pn)).collect())
    }

    /// Best-of-`N` on the listed levels (BON-1, BON-3), from the exact top: with
    /// `A_i = P(S > s_i) = sum_{i' < i} P_{i'}` (every level above `s_i` is listed) and
    /// `q_i = P_i / (1 - A_i)`,
    ///
    /// `P_N(s_i) = (1 - A_i)^N - (1 - A_i - P_i)^N = e^{N ln1p(-A_i)} (-expm1(N ln1p(-q_i)))`
    ///
    /// (no cancellation: `1 - A_i - P_i = (1 - A_i)(1 - q_i)`), for every real `N >= 1`; and the
    /// per-level gap of BON-3, `A_N(F_i) - A_N(F_{i-1}) - P_N ln(P_N / P_S)` with
    /// `A_N(u) = u^N (ln N + (N - 1) ln u - (N - 1)/N)`, `F_i = 1 - A_i`, `F_{i-1} = 1 - A_i - P_i`.
    pub fn bon(&self, n_samples: &Enc, ln_n: &Enc, prec: u32) -> Vec<TopBon> {
        let ln_ps = self.ln_probs(prec);
        let one = Enc::from_i64(1, prec);
        let nm1 = n_samples.sub(&one, prec);
        let frac = nm1.div(n_samples, prec);
        // A_N(u) from ln u (u^N = e^{N ln u})
        let a_n = |ln_u: &Enc| -> Enc {
            let inner = ln_n.add(&nm1.mul(ln_u, prec), prec).sub(&frac, prec);
            n_samples.mul(ln_u, prec).exp(prec).mul(&inner, prec)
        };
        let mut above = Enc::zero(prec); // A_i
        let mut out = Vec::with_capacity(ln_ps.len());
        for ln_p in ln_ps {
            let p = ln_p.exp(prec);
            // 1 - A_i > 0: A_i <= 1 - P(S = s_0 .. s_i) < 1
            let rest = one.sub(&above, prec);
            let ln_rest = above.neg().ln_1p(prec);
            let q = p.div(&rest, prec).clamp01(); // P_i <= 1 - A_i
            let ln_1mq = q.neg().ln_1p(prec);
            let x = n_samples.mul(&ln_1mq, prec);
            // -expm1(x) > 0 for x < 0; e^{N ln(1 - A_i)} in (0, 1]
            let head = n_samples.mul(&ln_rest, prec);
            let tail = x.expm1(prec).neg();
            let pn = head.exp(prec).mul(&tail, prec);
            let ln_pn = head.add(&tail.ln(prec), prec);
            let gap = a_n(&ln_rest)
                .sub(&a_n(&ln_rest.add(&ln_1mq, prec)), prec)
                .sub(&pn.mul(&ln_pn.sub(&ln_p, prec), prec), prec);
            out.push(TopBon {
                ln_p: ln_p.clone(),
                p: p.clone(),
                pn,
                ln_pn,
                gap,
            });
            above = above.add(&p, prec);
        }
        out
    }
}

/// Best-of-`N` at one listed top level ([`TopLevels::bon`]).
#[derive(Clone, Debug)]
pub struct TopBon {
    /// `ln P_S(s)`.
    pub ln_p: Enc,
    /// `P_S(s)`.
    pub p: Enc,
    /// `P_N(s)`.
    pub pn: Enc,
    /// `ln P_N(s)`.
    pub ln_pn: Enc,
    /// The BON-3 gap at `s` (an enclosure; `>= 0` in truth).
    pub gap: Enc,
}

/// Frobenius number and genus (number of gaps) of the numerical semigroup generated by `gens`
/// (positive, `gcd = 1`), by shortest paths over the residues mod the smallest generator `a`:
/// `m_r` = the least element `= r (mod a)`, `F = max m_r - a`, genus `= sum_r (m_r - r) / a`.
/// `None` when `a * |gens|` exceeds `work` (or the generators are not coprime).
fn semigroup(gens: &[u64], work: u64) -> Option<(i64, u64)> {
    let a = *gens.iter().min()?;
    if a == 1 {
        return Some((-1, 0));
    }
    if a.saturating_mul(gens.len() as u64) > work {
        return None;
    }
    let a_us = a as usize;
    let mut m = vec![u64::MAX; a_us];
    m[0] = 0;
    let mut heap = std::collections::BinaryHeap::new();
    heap.push(std::cmp::Reverse((0u64, 0usize)));
    while let Some(std::cmp::Reverse((v, r))) = heap.pop() {
        if v > m[r] {
            continue;
        }
        for &g in gens {
            let w = v.checked_add(g)?;
            let rw = (w % a) as usize;
            if w < m[rw] {
                m[rw] = w;
                heap.push(std::cmp::Reverse((w, rw)));
            }
        }
    }
    if m.contains(&u64::MAX) {
        return None; // not coprime
    }
    let frob = *m.iter().max()? as i64 - a as i64;
    let genus = m.iter().enumerate().map(|(r, &mr)| (mr - r as u64) / a).sum();
    Some((frob, genus))
}

/// The number of levels of `S_n` (distinct values with positive probability) for the lattice
/// model `lat`, when `n` is large enough for the argument below; `None` otherwise (or when the
/// semigroups cost more than about 10^8 steps).
///
/// With exponents `K` (`0, d in K`, `gcd K = 1`), `S_n` takes the values `c n + h t` with `t` in
/// the sumset `nK`. Let `B` be the semigroup generated by `K \ {0}` (Frobenius number `F_B`,
/// genus `g_B`) and `B'` the one generated by `{d - k : k < d}` (`F_T`, `g_T`). Every `t in nK` is
/// in `B` (its non-zero terms), and `nd - t in B'`. Conversely:
/// - `t in B` with `t <= n` is a sum of at most `t` generators, padded with zeros: `t in nK`;
/// - `t` with `F_B < t <= (n - F_B - d) d`: subtract `a' d` to reach `t' in (F_B, F_B + d]`,
///   a sum of at most `F_B + d` generators, so `a' + j' <= n` terms: `t in nK`; the same from
///   the top with `F_T`.
///
/// For `n >= F_B + F_T + 2d + 1` these cover `[0, nd]` except the gaps of `B` (all `<= F_B < n`)
/// and the mirrored gaps of `B'` (all `>= nd - F_T`), which are disjoint, so
/// `|nK| = nd + 1 - g_B - g_T`.
pub fn level_count(lat: &WinLattice, n: u64) -> Option<u64> {
    let d = lat.d as u64;
    let low: Vec<u64> = lat.ks.iter().filter(|&&k| k > 0).map(|&k| k as u64).collect();
    let high: Vec<u64> = lat
        .ks
        .iter()
        .filter(|&&k| (k as u64) < d)
        .map(|&k| d - k as u64)
        .collect();
    let (fb, gb) = semigroup(&low, 100_000_000)?;
    let (ft, gt) = semigroup(&high, 100_000_000)?;
    let need = (fb.max(0) as u64) + (ft.max(0) as u64) + 2 * d + 1;
    if n < need {
        return None;
    }
    n.checked_mul(d)?.checked_add(1)?.checked_sub(gb + gt)
}
