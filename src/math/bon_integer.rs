//! Best-of-N for an integer `N` on an exact level law, streamed in exact integers
//! (MATH.md §4: BON-1, BON-2, BON-3, BON-4; SEQ-3 for the level reduction).
//!
//! With the law's levels `s_0 < ... < s_{L-1}`, weights `w_j` over `D` and cumulative weights
//! `a_j = w_0 + ... + w_{j-1}`, `b_j = a_j + w_j`:
//!
//! - BON-1: `P_N(s_j) = (b_j^N - a_j^N) / D^N = m_j / D^N`, an exact integer `m_j`;
//! - BON-2: `E_{pi_N} S = sum_j s_j m_j / D^N`, one exact integer sum;
//! - BON-4: `win = sum_j P_N(s_j) (F_j + F_{j-1}) / 2 = sum_j m_j (a_j + b_j) / (2 D^{N+1})`;
//! - BON-3: `P_N / P_S = h_j / D^{N-1}` with `h_j = m_j / w_j = sum_{i<N} b_j^i a_j^{N-1-i}` an
//!   integer `>= 1`, so `D(pi_N || p^n) = (1/D^N) sum_j m_j ln h_j - (N-1) ln D`: one logarithm
//!   of an exact integer per level.
//!
//! Nothing is stored per level: `m_j` and `h_j` are recomputed from the running `a_j`, so a law of
//! 10^6 levels (a vocabulary with distinct rewards, `--n 1`) needs no more memory than the law, and
//! its levels are cut into blocks that run on worker threads. The exact parts (BON-2, BON-4, the
//! probabilities) do not depend on the precision and are computed once, in [`IntegerBon::new`];
//! the precision loop repeats only the logarithms ([`IntegerBon::kl`]).
//!
//! Rigour of the KL sum: every term `m_j ln h_j` is `>= 0` (`h_j >= b_j^{N-1} >= 1`), so the
//! lower sum of `m_j↓ × (ln h_j)↓`, each product and each partial sum rounded toward −∞, is a
//! lower bound, and the same with every rounding toward +∞ an upper bound. `(ln h)↓` and
//! `(ln h)↑` come from one correctly rounded MPFR logarithm of the exact integer `h` and its
//! ternary value ([`crate::real::round::ln_both`]).

use crate::exact::level_law::LevelLaw;
use crate::math::best_of_n::a_n;
use crate::real::par;
use crate::real::round::{add_dn, add_up, int_dn_up, ln_both, mul_dn, mul_up, zero};
use crate::real::Enc;
use rug::ops::Pow;
use rug::{Assign, Float, Integer, Rational};

/// Levels per block of the parallel passes (a block starts from its stored `a_j`).
const BLOCK: usize = 4096;

/// The per-level integer size `N log2 D` in bits from which [`IntegerBon`] is not used: past it an
/// exact `m_j` costs more than the log-space route's transcendental functions, and the exact
/// results (fractions over `D^N`) grow past a few thousand digits.
pub const MAX_LEVEL_BITS: u64 = 1 << 13;

/// Largest exact best-of-N law taken whole, in bits of numerators (`levels x N log2 D`): within it
/// every law is computed exactly whatever its per-level size (the form small inputs always had).
pub const MAX_EXACT_BITS: f64 = 4.0e7;

/// Bits of one exact `m_j = b_j^N - a_j^N`: about `N log2 D`.
pub fn level_bits(law: &LevelLaw, n_samples: &Integer) -> f64 {
    n_samples.to_f64() * law.denom.significant_bits() as f64
}

/// Whether best-of-N for an integer `N` takes this route, from the per-level size
/// `N log2 D` ([`level_bits`]) and the number of levels: the whole exact law within
/// [`MAX_EXACT_BITS`], or any number of levels of at most [`MAX_LEVEL_BITS`] each (nothing is
/// stored per level). The guard estimates with the same rule.
pub fn takes(level_bits: f64, levels: f64) -> bool {
    level_bits * levels <= MAX_EXACT_BITS || level_bits <= MAX_LEVEL_BITS as f64
}

/// BON-1 .. BON-4 for an integer `N >= 1` on an exact law: the exact parts, and the block starts
/// for the logarithmic pass.
#[derive(Clone, Debug)]
pub struct IntegerBon {
    /// `N`.
    pub n_samples: u32,
    /// `D^N`.
    pub d_pow: Integer,
    /// `E_{pi_N} S`, exact (BON-2).
    pub expected_reward: Rational,
    /// The win rate against one reference sample, ties counted half (BON-4), exact.
    pub win_rate: Rational,
    /// `(first level, a_first)` of every block.
    starts: Vec<(usize, Integer)>,
}

/// The exact sums of one block.
struct ExactPart {
    reward: Integer,
    win: Integer,
}

impl IntegerBon {
    /// The exact parts of best-of-`N` on `law` (one pass over the levels, in parallel blocks).
    pub fn new(law: &LevelLaw, n_samples: u32) -> IntegerBon {
        let starts = law.block_starts(BLOCK);
        let parts = par::map_heavy(&starts, 2, |(first, a0)| {
            let mut reward = Integer::new();
            let mut win = Integer::new();
            let mut t = Integer::new();
            walk(law, n_samples, *first, a0, |j, a, b, m| {
                // s_j m_j and m_j (a_j + b_j), exact
                t.assign(&law.levels[j] * m);
                reward += &t;
                t.assign(a + b);
                t *= m;
                win += &t;
            });
            ExactPart { reward, win }
        });
        let mut reward = Integer::new();
        let mut win = Integer::new();
        for p in parts {
            reward += p.reward;
            win += p.win;
        }
        let d_pow = Integer::from((&law.denom).pow(n_samples));
        let expected_reward = Rational::from((reward, Integer::from(&law.scale * &d_pow)));
        let win_rate = Rational::from((win, Integer::from(&d_pow * &law.denom) << 1u32));
        IntegerBon {
            n_samples,
            d_pow,
            expected_reward,
            win_rate,
            starts,
        }
    }

    /// `D(pi_N || p^n) = (1/D^N) sum_j m_j ln h_j - (N-1) ln D` (BON-3) at `prec` bits.
    ///
    /// Error analysis: each of the `L` products and additions rounds outward by at most one ulp of
    /// a partial sum below `ln(N D^{N-1})`, so the width is about `L 2^-prec (N-1) ln D`
    /// before the subtraction of `(N-1) ln D`: the caller's precision loop pays `log2 L` bits
    /// (see `cli::bon::many_levels_bits`).
    pub fn kl(&self, law: &LevelLaw, prec: u32) -> Enc {
        let n = self.n_samples;
        if n == 1 || law.len() == 1 {
            // pi_N = p^n: one sample, or one level (every P_N(s_j) = P_S(s_j)); exactly 0, where
            // the difference of the two logarithmic sums would never certify a digit
            return Enc::zero(prec);
        }
        let wp = prec + 8;
        let parts = par::map_heavy(&self.starts, 2, |(first, a0)| {
            let mut lo = zero(wp);
            let mut hi = zero(wp);
            let mut h = Integer::new();
            walk(law, n, *first, a0, |j, _, _, m| {
                h.assign(m.div_exact_ref(&law.weights[j]));
                if h == 1 {
                    return; // ln 1 = 0
                }
                let (ln_lo, ln_hi) = ln_both(&exact_float(&h), wp);
                let (m_lo, m_hi) = int_dn_up(m, wp);
                // m >= 0 and ln h > 0: products and sums of non-negative terms, rounded outward
                lo = add_dn(&lo, &mul_dn(&m_lo, &ln_lo, wp), wp);
                hi = add_up(&hi, &mul_up(&m_hi, &ln_hi, wp), wp);
            });
            (lo, hi)
        });
        let mut lo = zero(wp);
        let mut hi = zero(wp);
        for (l, h) in &parts {
            lo = add_dn(&lo, l, wp);
            hi = add_up(&hi, h, wp);
        }
        let ln_d = Enc::from_integer(&law.denom, wp).ln(wp);
        Enc::new(lo, hi)
            .div(&Enc::from_integer(&self.d_pow, wp), wp)
            .sub(&ln_d.mul(&Enc::from_i64(i64::from(n) - 1, wp), wp), prec)
    }

    /// The listed levels `js` (any order): `(P_N(s_j) exact, the per-level BON-3 gap)`, where the
    /// gap of level `j` is `A_N(F_j) - A_N(F_{j-1}) - P_N(s_j) ln(P_N(s_j) / P_S(s_j))` with
    /// `A_N(u) = u^N (ln N + (N-1) ln u - (N-1)/N)` (`A_N(0) = 0`), enclosed at `prec` bits.
    pub fn levels(&self, law: &LevelLaw, js: &[usize], prec: u32) -> Vec<(Rational, Enc)> {
        // the gap is a small difference of terms of size P_N ln(N D^{N-1}): 32 guard bits keep
        // its bounds tight (they are printed as bounds, not held to the digits)
        let prec = prec + 32;
        let n = self.n_samples;
        let ne = Enc::from_i64(i64::from(n), prec);
        let c = GapConsts {
            ln_n: ne.ln(prec),
            ne,
            ln_d: Enc::from_integer(&law.denom, prec).ln(prec),
            nm1: Enc::from_i64(i64::from(n) - 1, prec),
        };
        // the listed levels in increasing order, cut into pieces that each start from their
        // exact cumulative weight (one sequential pass of additions), then run on worker threads
        let mut order: Vec<usize> = (0..js.len()).collect();
        order.sort_by_key(|&i| js[i]);
        let mut pieces: Vec<(&[usize], Integer)> = Vec::with_capacity(order.len() / BLOCK + 1);
        let mut a = Integer::new();
        let mut next = 0;
        for piece in order.chunks(BLOCK) {
            while next < js[piece[0]] {
                a += &law.weights[next];
                next += 1;
            }
            pieces.push((piece, a.clone()));
        }
        let done = par::map_heavy(&pieces, 2, |(piece, a0)| {
            let mut a = a0.clone();
            let mut next = js[piece[0]];
            // A_N at the previous level's upper end, reused as this level's lower end when the
            // levels are consecutive
            let mut prev: Option<(usize, Enc)> = None;
            let mut out = Vec::with_capacity(piece.len());
            for &i in piece.iter() {
                let j = js[i];
                while next < j {
                    a += &law.weights[next];
                    next += 1;
                }
                let b = Integer::from(&a + &law.weights[j]);
                let m = Integer::from((&b).pow(n)) - Integer::from((&a).pow(n));
                let h = Integer::from(m.div_exact_ref(&law.weights[j]));
                let pn = Rational::from((m, self.d_pow.clone()));
                // P_N ln(P_N / P_S) = P_N (ln h - (N-1) ln D)
                let ln_h = if h == 1 {
                    Enc::zero(prec)
                } else {
                    Enc::from_integer(&h, prec).ln(prec)
                };
                let t = Enc::from_rational(&pn, prec).mul(&ln_h.sub(&c.nm1.mul(&c.ln_d, prec), prec), prec);
                let lower = match prev.take() {
                    Some((pj, v)) if pj + 1 == j => v,
                    _ => self.a_n(law, &a, &c, prec),
                };
                let upper = self.a_n(law, &b, &c, prec);
                let gap = upper.sub(&lower, prec).sub(&t, prec);
                prev = Some((j, upper));
                out.push((i, pn, gap));
            }
            out
        });
        let mut out: Vec<Option<(Rational, Enc)>> = vec![None; js.len()];
        for (i, pn, gap) in done.into_iter().flatten() {
            out[i] = Some((pn, gap));
        }
        out.into_iter().map(|x| x.expect("every listed level")).collect()
    }

    /// `A_N(u) = u^N (ln N + (N-1) ln u - (N-1)/N)` ([`a_n`]) at `u = c / D` from the exact
    /// cumulative weight `c`, with `u^N` from the exact `c^N / D^N` (`A_N(0) = 0`, `ln 1 = 0`).
    fn a_n(&self, law: &LevelLaw, cum: &Integer, c: &GapConsts, prec: u32) -> Enc {
        if *cum == 0 {
            return Enc::zero(prec);
        }
        let ln_u = if *cum == law.denom {
            Enc::zero(prec)
        } else {
            Enc::from_integer(cum, prec).ln(prec).sub(&c.ln_d, prec)
        };
        let u_pow = Enc::from_rational(
            &Rational::from((Integer::from(cum.pow(self.n_samples)), self.d_pow.clone())),
            prec,
        );
        a_n(&u_pow, &ln_u, &c.ne, &c.ln_n, prec)
    }
}

/// The constants of the per-level gaps at one precision.
struct GapConsts {
    ne: Enc,
    ln_n: Enc,
    ln_d: Enc,
    nm1: Enc,
}

/// Visit the levels of one block from `first` (with cumulative weight `a0`): `f(j, a_j, b_j, m_j)`
/// with `m_j = b_j^N - a_j^N`, reusing the integers (no allocation per level after the first).
fn walk(
    law: &LevelLaw,
    n: u32,
    first: usize,
    a0: &Integer,
    mut f: impl FnMut(usize, &Integer, &Integer, &Integer),
) {
    let end = (first + BLOCK).min(law.len());
    let mut a = a0.clone();
    let mut b = Integer::new();
    let mut a_pow = Integer::from((&a).pow(n));
    let mut b_pow = Integer::new();
    let mut m = Integer::new();
    for j in first..end {
        b.assign(&a + &law.weights[j]);
        b_pow.assign((&b).pow(n));
        m.assign(&b_pow - &a_pow);
        f(j, &a, &b, &m);
        std::mem::swap(&mut a, &mut b);
        std::mem::swap(&mut a_pow, &mut b_pow);
    }
}

/// The integer `h` as a float with enough bits to hold it exactly.
fn exact_float(h: &Integer) -> Float {
    Float::with_val(h.significant_bits().max(2), h)
}
