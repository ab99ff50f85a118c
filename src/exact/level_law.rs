//! SEQ-2: the exact level law `P_S(s) = P_{p^n}(S_n = s)` of a memoryless model with a linear
//! reward.
//!
//! Setting (MATH.md §1, §3): a reference distribution `p` on `{1..k}` (exact rationals, `p_a >= 0`,
//! `sum p_a = 1`), a per-token reward `r` (exact rationals, any sign, ties allowed), a length
//! `n >= 1`, and `S_n = r(y_1) + ... + r(y_n)` with `y_i` i.i.d. `~ p`. Tokens with `p_a = 0` drop
//! out of everything (they contribute neither to the lattice scale nor to any level).
//!
//! # Normal form
//!
//! Over the support `A = {a : p_a > 0}` let
//! - `L` = lcm of the denominators of `r_a`, so `r_a = m_a / L` with integers `m_a`;
//! - `d` = lcm of the denominators of `p_a`, so `p_a = c_a / d` with positive integers `c_a`;
//! - `m_min = min m_a`, `g = gcd(m_a - m_min)` (`g = 1` when the reward is constant on `A`),
//!   `e_a = (m_a - m_min) / g` (non-negative integer exponents; tied rewards share an exponent
//!   and their coefficients are added).
//!
//! Then `S_n = (n m_min + g K) / L` where `K = sum_i e_{y_i}`, and
//! `P(K = i) = [z^i] f(z)^n / d^n` with `f(z) = sum_a c_a z^{e_a}`. A [`LevelLaw`] stores
//! exactly this: `scale = L`, `levels[j] = n m_min + g i_j`, `weights[j] = [z^{i_j}] f^n > 0`,
//! `denom = d^n`.
//!
//! # Two exact routes (SEQ-2)
//! - [`level_law_polynomial`]: the dense coefficient list of `f(z)^n`. Computed by the
//!   power-series recurrence (J. C. P. Miller) `i c_0 a_i = sum_{j>=1} ((n+1) j - i) c_j a_{i-j}`
//!   with exact divisions, which is linear in the output size times the number of distinct
//!   rewards. [`power_coefficients_kronecker`] (Kronecker substitution into one GMP integer,
//!   slot width a multiple of 64 bits exceeding every coefficient) computes the same list and
//!   is kept as an independent, quasi-linear implementation; see `proofs/sequences.md`.
//! - [`level_law_types`]: enumerate the compositions (types) `c` of `n`,
//!   `P(T_c) = n!/prod c_a! prod p_a^{c_a}`, merge equal rewards. `C(n+k'-1, k'-1)` compositions;
//!   the right route on sparse lattices (few compositions, huge degree).
//!
//! [`level_law`] with [`Route::Auto`] picks the cheaper route by [`estimate`]. Both routes return
//! identical values (compare with `==`).

use super::hash::{fx_map, FxHashMap};
use rug::integer::Order;
use rug::ops::{Pow, PowAssign};
use rug::{Assign, Integer, Rational};
use std::collections::BTreeMap;
use std::ops::AddAssign;

/// Exact law of `S_n` (SEQ-2). Level `j` has reward `levels[j] / scale` and probability
/// `weights[j] / denom`.
///
/// Invariants: `levels` strictly increasing; every weight `> 0` (zero-probability levels are never
/// stored); `sum(weights) == denom`; `scale = L` (lcm of the reward denominators over the
/// support); `denom = d^n` (`d` = lcm of the probability denominators over the support). The
/// weights are not reduced against `denom`.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelLaw {
    /// The sequence length `n >= 1`.
    pub n: u64,
    /// `L`, the common denominator of the rewards on the support.
    pub scale: Integer,
    /// Reward levels times `scale`, strictly increasing.
    pub levels: Vec<Integer>,
    /// Probability numerators over `denom`, all positive.
    pub weights: Vec<Integer>,
    /// `d^n`.
    pub denom: Integer,
}

impl LevelLaw {
    /// Number of levels with positive probability.
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// Always `false` for a law built by this module (there is at least one level).
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// The exact reward `s_j = levels[j] / scale` of level `j` (SEQ-2).
    ///
    /// # Panics
    /// If `j >= self.len()`.
    pub fn reward(&self, j: usize) -> Rational {
        Rational::from((self.levels[j].clone(), self.scale.clone()))
    }

    /// The exact probability `P_S(s_j) = weights[j] / denom`, reduced (SEQ-2).
    ///
    /// # Panics
    /// If `j >= self.len()`.
    pub fn prob(&self, j: usize) -> Rational {
        Rational::from((self.weights[j].clone(), self.denom.clone()))
    }

    /// Exact upper-tail numerators `T_j = P(S_n > s_j) * denom = sum_{i > j} weights[i]`,
    /// accumulated from the top (`T_last = 0`). Linear in the size of the law.
    pub fn tail_weights(&self) -> Vec<Integer> {
        let len = self.len();
        let mut out = vec![Integer::new(); len];
        let mut acc = Integer::new();
        for j in (0..len).rev() {
            out[j].assign(&acc);
            acc += &self.weights[j];
        }
        out
    }

    /// The first level of every block of `block` consecutive levels, with the exact weight below
    /// it, `(j, sum_{i < j} weights[i])`: where parallel passes over the levels start (one
    /// sequential pass of additions, `len / block` integers kept).
    pub fn block_starts(&self, block: usize) -> Vec<(usize, Integer)> {
        let mut starts = Vec::with_capacity(self.len() / block + 1);
        let mut acc = Integer::new();
        for (j, w) in self.weights.iter().enumerate() {
            if j % block == 0 {
                starts.push((j, acc.clone()));
            }
            acc += w;
        }
        starts
    }

    /// Exact CDF numerators `F_j = P(S_n <= s_j) * denom = sum_{i <= j} weights[i]`
    /// (`F_last = denom`). Linear in the size of the law.
    pub fn cdf_weights(&self) -> Vec<Integer> {
        let mut out = Vec::with_capacity(self.len());
        let mut acc = Integer::new();
        for w in &self.weights {
            acc += w;
            out.push(acc.clone());
        }
        out
    }

    /// Exact expectation `E S_n = sum_j s_j P_S(s_j)` (equals `n E_p r`).
    pub fn mean(&self) -> Rational {
        let mut acc = Integer::new();
        for (m, w) in self.levels.iter().zip(&self.weights) {
            acc += m * w;
        }
        Rational::from((acc, Integer::from(&self.denom * &self.scale)))
    }
}

/// Which exact algorithm computes the level law (SEQ-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Pick the cheaper route by [`estimate`] (see [`choose_route`]).
    Auto,
    /// Coefficients of `f(z)^n` ([`level_law_polynomial`]).
    Polynomial,
    /// Enumeration of types/compositions ([`level_law_types`]).
    Types,
}

/// Rough a-priori cost of one route, from sizes only (no big-number arithmetic).
#[derive(Clone, Debug)]
pub struct CostEstimate {
    /// The route this estimate describes (never [`Route::Auto`]).
    pub route: Route,
    /// Number of levels the route materialises: dense slots `n D + 1` for the polynomial route,
    /// `min(compositions, n D + 1)` for types.
    pub levels: f64,
    /// Upper bound on the bit size of one weight: `n log2 d + 1`.
    pub coefficient_bits: f64,
    /// Rough peak memory in bytes.
    pub peak_bytes: f64,
    /// Rough bit-operation count.
    pub work: f64,
    /// Rough wall-clock estimate in seconds on one modern core.
    pub seconds: f64,
}

// Calibration of [`estimate`] (seconds on one modern x86-64 core, measured with
// `benches/level_law.rs`): GMP linear passes (`mpn_addmul_1`, `mpn_divexact_1`) cost about
// `SEC_PER_BIT` per bit; the other constants are per-item overheads (allocation, tree work).
/// Seconds per bit of one linear big-integer pass in the polynomial recurrence.
const POLY_SEC_PER_BIT: f64 = 0.036e-9;
/// Fixed seconds per dense slot of the polynomial recurrence.
const POLY_SEC_PER_SLOT: f64 = 400e-9;
/// Seconds per bit of the per-composition update (multiply, exact divide) in the types route.
const TYPES_SEC_PER_BIT: f64 = 0.04e-9;
/// Fixed seconds per composition in the types route.
const TYPES_SEC_PER_COMP: f64 = 84e-9;
/// Seconds per bit of creating a new level in the types route (clone into the tree).
const TYPES_SEC_PER_LEVEL_BIT: f64 = 0.12e-9;
/// Fixed seconds per new level in the types route (tree node).
const TYPES_SEC_PER_LEVEL: f64 = 260e-9;

/// The problem in normal form (see the module documentation), built once and shared by the
/// cost estimate ([`Lattice::estimate`]) and the law ([`Lattice::law`]): a guard and the run it
/// guards read the same object instead of normalising `k` tokens twice.
#[derive(Clone, Debug)]
pub struct Lattice {
    n: u64,
    /// `L`.
    scale: Integer,
    /// `d`.
    d: Integer,
    /// `m_min`.
    m_min: Integer,
    /// `g`.
    g: Integer,
    /// Distinct exponents, strictly increasing, `exps[0] == 0`.
    exps: Vec<Integer>,
    /// Merged integer coefficients `sum_{a: e_a = e} c_a > 0`, aligned with `exps`.
    coefs: Vec<Integer>,
    /// The distinct scaled rewards `m = m_min + g e` (so `r = m / L`), aligned with `exps`: the
    /// levels of `S_1`.
    ms: Vec<Integer>,
}

fn validate(p: &[Rational], r: &[Rational], n: u64) {
    assert!(n >= 1, "level law: n must be >= 1");
    assert!(!p.is_empty(), "level law: empty distribution");
    assert_eq!(p.len(), r.len(), "level law: p and r must have the same length");
    for (a, pa) in p.iter().enumerate() {
        assert!(*pa >= 0, "level law: p[{a}] = {pa} is negative");
    }
}

/// Panic with the exact sum of `p` (called only when it is not 1).
fn not_normalised(p: &[Rational]) -> ! {
    let total: Rational = p.iter().sum();
    panic!("level law: probabilities sum to {total}, not exactly 1")
}

/// `acc = lcm(acc, x)`, skipping the gcd when `x` already divides `acc` in the common case of
/// equal denominators (`x == acc` or `x == 1`; a vocabulary's probabilities usually share one).
pub fn lcm_into(acc: &mut Integer, x: &Integer) {
    if *x != 1 && x != acc {
        acc.lcm_mut(x);
    }
}

/// `(q / den(x)) * num(x)` (exact) for a `q` that `den(x)` divides, without a division when
/// `den(x)` is `q` or 1.
pub fn scaled(q: &Integer, x: &Rational) -> Integer {
    if x.denom() == q {
        x.numer().clone()
    } else if *x.denom() == 1 {
        Integer::from(q * x.numer())
    } else {
        Integer::from(q / x.denom()) * x.numer()
    }
}

impl Lattice {
    /// Normalise `(p, r, n)` (see the module documentation).
    ///
    /// Tokens are grouped by their exact reward first (one hash per token), so the lattice
    /// arithmetic (`L`, `m_a`, `g`, the exponents) runs over the `k'` distinct rewards only; the
    /// probabilities enter as integers `c_a = p_a d` over their common denominator `d` and
    /// `sum p_a = 1` is checked exactly as `sum c_a = d`. The exponent of a reward is a strictly
    /// increasing function of it (`e = (r L - m_min) / g` with `L, g > 0`), so grouping equal
    /// rewards merges exactly the tokens of equal exponent, and sorting the distinct rewards by
    /// `m = r L` sorts the exponents.
    ///
    /// # Panics
    /// If `p`, `r`, `n` are invalid (see [`level_law`]).
    pub fn new(p: &[Rational], r: &[Rational], n: u64) -> Lattice {
        validate(p, r, n);
        // d = lcm of the probability denominators over the support (p_a = 0 has denominator 1)
        let mut d = Integer::from(1);
        for pa in p {
            lcm_into(&mut d, pa.denom());
        }
        // group the support by reward, summing c_a = p_a d exactly
        let mut slot: FxHashMap<&Rational, usize> = fx_map(0);
        let mut rewards: Vec<&Rational> = Vec::new();
        let mut coefs: Vec<Integer> = Vec::new();
        let mut total = Integer::new();
        for (pa, ra) in p.iter().zip(r) {
            if *pa == 0 {
                continue;
            }
            let ca = scaled(&d, pa);
            total += &ca;
            match slot.entry(ra) {
                std::collections::hash_map::Entry::Occupied(o) => coefs[*o.get()] += ca,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(rewards.len());
                    rewards.push(ra);
                    coefs.push(ca);
                }
            }
        }
        drop(slot);
        // sum p_a = sum c_a / d over the support, and p_a >= 0 was checked
        if total != d {
            not_normalised(p);
        }
        let mut scale = Integer::from(1);
        for ra in &rewards {
            lcm_into(&mut scale, ra.denom());
        }
        let m: Vec<Integer> = rewards.iter().map(|ra| scaled(&scale, ra)).collect();
        drop(rewards);
        // sort the distinct rewards by m = r L (distinct, so the order is strict); by machine
        // integers when every m fits (a vocabulary's rewards), else by the big integers
        let order: Vec<usize> = match m.iter().map(Integer::to_i64).collect::<Option<Vec<i64>>>() {
            Some(keys) => {
                let mut kv: Vec<(i64, usize)> = keys.into_iter().zip(0..).collect();
                kv.sort_unstable();
                kv.into_iter().map(|(_, i)| i).collect()
            }
            None => {
                let mut order: Vec<usize> = (0..m.len()).collect();
                order.sort_unstable_by(|&i, &j| m[i].cmp(&m[j]));
                order
            }
        };
        let mut m: Vec<Option<Integer>> = m.into_iter().map(Some).collect();
        let mut c: Vec<Option<Integer>> = coefs.into_iter().map(Some).collect();
        let ms: Vec<Integer> = order
            .iter()
            .map(|&i| m[i].take().expect("a permutation"))
            .collect();
        let coefs: Vec<Integer> = order
            .iter()
            .map(|&i| c[i].take().expect("a permutation"))
            .collect();
        drop((m, c, order));
        let m_min = ms[0].clone();
        let mut g = Integer::new();
        let mut diff = Integer::new();
        for ma in &ms[1..] {
            if g == 1 {
                break;
            }
            diff.assign(ma - &m_min);
            g.gcd_mut(&diff);
        }
        if g == 0 {
            g = Integer::from(1);
        }
        let exps: Vec<Integer> = ms
            .iter()
            .map(|ma| {
                let mut e = Integer::from(ma - &m_min);
                if g != 1 {
                    e.div_exact_mut(&g);
                }
                e
            })
            .collect();
        debug_assert!(exps[0] == 0);
        Lattice {
            n,
            scale,
            d,
            m_min,
            g,
            exps,
            coefs,
            ms,
        }
    }

    /// The same normal form for another sequence length `n >= 1` (the exponents and
    /// coefficients do not depend on `n`).
    pub fn with_n(&self, n: u64) -> Lattice {
        assert!(n >= 1, "level law: n must be >= 1");
        Lattice { n, ..self.clone() }
    }

    /// The sequence length `n`.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// The number `k'` of distinct rewards on the support.
    pub fn distinct(&self) -> usize {
        self.exps.len()
    }

    /// The cost of both routes, `(polynomial, types)`: see [`estimate`].
    pub fn estimate(&self) -> (CostEstimate, CostEstimate) {
        estimate_lattice(self)
    }

    /// The route [`Route::Auto`] takes: see [`choose_route`].
    pub fn choose(&self) -> Route {
        choose_lattice(self)
    }

    /// The exact level law by `route`: see [`level_law`].
    pub fn law(&self, route: Route) -> LevelLaw {
        if self.n == 1 {
            return self.law_one();
        }
        let route = match route {
            Route::Auto => choose_lattice(self),
            other => other,
        };
        match route {
            Route::Types => types_lattice(self),
            _ => polynomial_lattice(self),
        }
    }

    /// `n = 1`: the law of one token is the reward law itself, level `m` with weight
    /// `sum_{a: r_a L = m} c_a` over `d`. Both routes return exactly this (`f(z)^1 = f`, whose
    /// non-zero coefficients are the merged `c`; the compositions of 1 are the single rewards),
    /// without the dense list of `D + 1` slots or a walk over the `k'` rewards.
    fn law_one(&self) -> LevelLaw {
        debug_assert!(self.n == 1);
        let total: Integer = self.coefs.iter().sum();
        // Rigour guard, as in `finish`: f(1) = d.
        assert!(
            total == self.d,
            "level law: weights do not sum to d^n (internal error)"
        );
        LevelLaw {
            n: 1,
            scale: self.scale.clone(),
            levels: self.ms.clone(),
            weights: self.coefs.clone(),
            denom: self.d.clone(),
        }
    }

    fn denom(&self) -> Integer {
        Integer::from((&self.d).pow(n_u32(self.n)))
    }

    /// The level `n m_min + g i` of exponent sum `i`.
    fn level(&self, i: &Integer) -> Integer {
        Integer::from(&self.m_min * self.n) + Integer::from(&self.g * i)
    }

    /// Build the law from (exponent sum, weight) pairs sorted by exponent, weights > 0.
    fn finish(&self, pairs: Vec<(Integer, Integer)>) -> LevelLaw {
        let denom = self.denom();
        let mut levels = Vec::with_capacity(pairs.len());
        let mut weights = Vec::with_capacity(pairs.len());
        let mut total = Integer::new();
        for (i, w) in pairs {
            debug_assert!(w > 0);
            total += &w;
            levels.push(self.level(&i));
            weights.push(w);
        }
        // Rigour guard: f(1)^n = d^n; any arithmetic slip would break this identity.
        assert!(
            total == denom,
            "level law: weights do not sum to d^n (internal error)"
        );
        LevelLaw {
            n: self.n,
            scale: self.scale.clone(),
            levels,
            weights,
            denom,
        }
    }

    /// Max exponent `D` as `f64`.
    fn degree_f64(&self) -> f64 {
        self.exps.last().expect("non-empty").to_f64()
    }
}

fn n_u32(n: u64) -> u32 {
    u32::try_from(n).expect("level law: n must fit in u32")
}

/// `log2(x)` for a positive integer of any size (no overflow to infinity).
fn log2_integer(x: &Integer) -> f64 {
    let bits = x.significant_bits();
    if bits <= 1000 {
        x.to_f64().log2()
    } else {
        let shift = bits - 64;
        Integer::from(x >> shift).to_f64().log2() + f64::from(shift)
    }
}

/// `C(n + k - 1, k - 1)`, the number of compositions of `n` into `k` parts, in `f64`.
fn compositions_f64(n: u64, k: usize) -> f64 {
    let mut c = 1.0f64;
    for i in 1..k {
        c *= (n as f64 + i as f64) / i as f64;
    }
    c
}

/// Rough cost of both routes (SEQ-2): `(polynomial, types)`.
///
/// With `D` the largest exponent `(max m_a - m_min)/g`, `k'` the number of distinct rewards on
/// the support and `b = n log2 d + 1` the bit bound of one weight:
/// - polynomial: `n D + 1` dense slots, work `~ (n D + 1) k' b` bit operations;
/// - types: `C = C(n+k'-1, k'-1)` compositions and at most `min(C, n D + 1)` levels, work
///   `~ 2 C b + levels b`.
///
/// `seconds` adds calibrated per-slot / per-composition / per-level overheads to the work.
///
/// Only `f64` arithmetic on sizes is performed (plus the gcd/lcm normalisation of the `k`
/// inputs), so this is cheap for any `n`.
///
/// # Panics
/// If `p`, `r`, `n` are invalid (see [`level_law`]).
pub fn estimate(p: &[Rational], r: &[Rational], n: u64) -> (CostEstimate, CostEstimate) {
    let lat = Lattice::new(p, r, n);
    estimate_lattice(&lat)
}

fn estimate_lattice(lat: &Lattice) -> (CostEstimate, CostEstimate) {
    let nf = lat.n as f64;
    let k = lat.exps.len() as f64;
    let bits = nf * log2_integer(&lat.d) + 1.0;
    let slots = nf * lat.degree_f64() + 1.0;
    let comps = compositions_f64(lat.n, lat.exps.len());
    // Stored weights average about 85% of the bit bound (the tails are shorter); an Integer
    // header is 16 bytes plus allocator rounding.
    let weight_bytes = 0.85 * bits / 8.0 + 32.0;
    // Polynomial: per slot, one multiply-add per non-zero exponent j >= 1 and one exact
    // division, each a linear pass over at most `bits` bits.
    let poly_work = slots * k * bits;
    let poly = CostEstimate {
        route: Route::Polynomial,
        levels: slots,
        coefficient_bits: bits,
        peak_bytes: slots * weight_bytes,
        work: poly_work,
        seconds: poly_work * POLY_SEC_PER_BIT + slots * POLY_SEC_PER_SLOT,
    };
    // Types: per composition a multiply and an exact division; per occupied level one copy
    // into the tree (additions into existing levels are counted with the compositions).
    let levels = comps.min(slots);
    let types_work = comps * 2.0 * bits + levels * bits;
    let types = CostEstimate {
        route: Route::Types,
        levels,
        coefficient_bits: bits,
        peak_bytes: levels * (weight_bytes + 64.0),
        work: types_work,
        seconds: comps * (bits * TYPES_SEC_PER_BIT + TYPES_SEC_PER_COMP)
            + levels * (bits * TYPES_SEC_PER_LEVEL_BIT + TYPES_SEC_PER_LEVEL),
    };
    (poly, types)
}

/// The route [`Route::Auto`] takes (SEQ-2): [`Route::Types`] when the estimated types work is
/// smaller (sparse lattice: degree `n D` much larger than the number of compositions), else
/// [`Route::Polynomial`]. Also prefers types when the dense slot count does not fit in memory.
///
/// # Panics
/// If `p`, `r`, `n` are invalid (see [`level_law`]).
pub fn choose_route(p: &[Rational], r: &[Rational], n: u64) -> Route {
    choose_lattice(&Lattice::new(p, r, n))
}

fn choose_lattice(lat: &Lattice) -> Route {
    let (poly, types) = estimate_lattice(lat);
    if dense_len(lat).is_none() || types.seconds < poly.seconds {
        Route::Types
    } else {
        Route::Polynomial
    }
}

/// `n D + 1` as `usize` if it is representable.
fn dense_len(lat: &Lattice) -> Option<usize> {
    let dmax = lat.exps.last()?.to_usize()?;
    usize::try_from(lat.n).ok()?.checked_mul(dmax)?.checked_add(1)
}

/// The exact level law of `S_n` (SEQ-2), by the chosen route.
///
/// `P_S(s) = P_{p^n}(S_n = s) = sum over types c with sum_a c_a r_a = s of
/// n!/prod c_a! prod p_a^{c_a}`. Zero-probability tokens drop out; tied rewards merge; a reward
/// constant on the support gives one level with weight `denom`. Both routes return identical
/// values; [`Route::Auto`] picks by [`choose_route`].
///
/// # Panics
/// If `n == 0`, `n > u32::MAX`, `p` is empty, `p.len() != r.len()`, some `p_a < 0` or
/// `sum p_a != 1` exactly; for [`Route::Polynomial`] and `n >= 2` also if the dense degree
/// `n D` does not fit in `usize` (`n = 1` reads the law off the normal form by any route, see
/// [`Lattice::law`]).
///
/// # Examples
/// ```
/// use alignexact::exact::level_law::{level_law, Route};
/// use rug::Rational;
/// let p = [Rational::from((1, 2)), Rational::from((1, 2))];
/// let r = [Rational::from(0), Rational::from(1)];
/// let law = level_law(&p, &r, 2, Route::Auto);
/// assert_eq!(law.prob(1), Rational::from((1, 2))); // P(S_2 = 1) = 2 * 1/4
/// ```
pub fn level_law(p: &[Rational], r: &[Rational], n: u64, route: Route) -> LevelLaw {
    Lattice::new(p, r, n).law(route)
}

/// SEQ-2, polynomial route: the weights are the non-zero coefficients of `f(z)^n`,
/// `f(z) = sum_a (p_a d) z^{(m_a - m_min)/g}`, coefficient `i` sitting at level
/// `n m_min + g i` (over `scale = L`).
///
/// The coefficients are computed by [`power_coefficients_recurrence`] (exact, linear in the
/// output size times the number `k'` of distinct rewards); [`power_coefficients_kronecker`]
/// is the independent cross-check. Memory is the dense list of `n D + 1` coefficients of at
/// most `n log2 d + 1` bits each, so avoid this route on sparse lattices (see
/// [`level_law_types`]).
///
/// # Panics
/// As [`level_law`], and if `n D + 1` does not fit in `usize`.
pub fn level_law_polynomial(p: &[Rational], r: &[Rational], n: u64) -> LevelLaw {
    polynomial_lattice(&Lattice::new(p, r, n))
}

/// As [`level_law_polynomial`] but computing `f(z)^n` by Kronecker substitution
/// ([`power_coefficients_kronecker`]). Same result; slower by a constant factor (one huge
/// FFT squaring chain) and several times the memory. Kept public for cross-checks and benches.
///
/// # Panics
/// As [`level_law_polynomial`].
pub fn level_law_polynomial_kronecker(p: &[Rational], r: &[Rational], n: u64) -> LevelLaw {
    let lat = Lattice::new(p, r, n);
    let f = dense_base(&lat);
    let coeffs = power_coefficients_kronecker(&f, n);
    lat.finish(nonzero_pairs(coeffs))
}

fn dense_base(lat: &Lattice) -> Vec<Integer> {
    dense_len(lat).expect("level law: polynomial degree n*D does not fit in memory; use Route::Types");
    let dmax = lat.exps.last().and_then(Integer::to_usize).expect("checked");
    let mut f = vec![Integer::new(); dmax + 1];
    for (e, c) in lat.exps.iter().zip(&lat.coefs) {
        f[e.to_usize().expect("e <= D")].assign(c);
    }
    f
}

fn nonzero_pairs(coeffs: Vec<Integer>) -> Vec<(Integer, Integer)> {
    coeffs
        .into_iter()
        .enumerate()
        .filter(|(_, w)| *w != 0)
        .map(|(i, w)| (Integer::from(i), w))
        .collect()
}

fn polynomial_lattice(lat: &Lattice) -> LevelLaw {
    let f = dense_base(lat);
    let coeffs = power_coefficients_recurrence(&f, lat.n);
    lat.finish(nonzero_pairs(coeffs))
}

/// Coefficients `[a_0, ..., a_{nD}]` of `f(z)^n` for a dense integer polynomial
/// `f = f[0] + f[1] z + ... + f[D] z^D` with `f[0] != 0`, exactly (SEQ-2 polynomial route).
///
/// J. C. P. Miller's recurrence: from `f P' = n f' P` with `P = f^n`, comparing the
/// coefficients of `z^{i-1}`:
/// `a_0 = f_0^n`, `i f_0 a_i = sum_{j=1}^{min(i,D)} ((n+1) j - i) f_j a_{i-j}`.
/// Every `a_i` is an integer, so each division by `i f_0` is exact. Only the non-zero `f_j`
/// are visited: the cost is `(nD+1)` times (`#{j >= 1: f_j != 0}` multiply-adds of a big
/// integer by a one- or two-limb integer, plus one exact division by `i f_0`), i.e. linear in
/// the output size for a fixed number of terms.
///
/// # Panics
/// If `f` is empty, `f[0] == 0`, `n > u32::MAX` or `n D + 1` overflows `usize`.
///
/// # Examples
/// ```
/// use alignexact::exact::level_law::power_coefficients_recurrence;
/// use rug::Integer;
/// let f = [Integer::from(1), Integer::from(1)];
/// let c = power_coefficients_recurrence(&f, 4);
/// assert_eq!(c, [1, 4, 6, 4, 1].map(Integer::from));
/// ```
pub fn power_coefficients_recurrence(f: &[Integer], n: u64) -> Vec<Integer> {
    assert!(!f.is_empty() && f[0] != 0, "recurrence needs f(0) != 0");
    let dmax = f.len() - 1;
    let len = usize::try_from(n)
        .ok()
        .and_then(|nn| nn.checked_mul(dmax))
        .and_then(|x| x.checked_add(1))
        .expect("degree n*D overflows usize");
    let f0 = &f[0];
    let terms: Vec<(usize, &Integer)> = f.iter().enumerate().skip(1).filter(|(_, c)| **c != 0).collect();
    let mut a: Vec<Integer> = Vec::with_capacity(len);
    a.push(Integer::from(f0.pow(n_u32(n))));
    // (n+1) j - i is in (-2^64, 2^65) because j <= D and i <= nD + 1 fit in usize: use i128.
    let np1 = i128::from(n) + 1;
    let mut s = Integer::new();
    let mut divisor = Integer::new();
    for i in 1..len {
        // Capacity hint only: neighbouring coefficients usually have similar sizes.
        let mut acc = Integer::with_capacity(a[i - 1].significant_bits() as usize + 192);
        for &(j, fj) in &terms {
            if j > i {
                break;
            }
            let t = np1 * j as i128 - i as i128;
            if t == 0 {
                continue;
            }
            let prev = &a[i - j];
            if *prev == 0 {
                continue;
            }
            s.assign(fj * t);
            acc += prev * &s;
        }
        if acc != 0 {
            divisor.assign(f0 * i as u64);
            debug_assert!(acc.is_divisible(&divisor));
            acc.div_exact_mut(&divisor);
        }
        a.push(acc);
    }
    a
}

/// Coefficients `[a_0, ..., a_{nD}]` of `f(z)^n` for a dense polynomial with non-negative
/// integer coefficients, by Kronecker substitution (SEQ-2 polynomial route).
///
/// Every coefficient of `f^n` is at most `f(1)^n < 2^b` with `b = bits(f(1)^n)`. With a slot
/// width `B = 64 ceil(b/64)`, `F = f(2^B)` is packed limb-wise, `F^n = sum_i a_i 2^{iB}` is
/// computed by GMP (`mpz_pow_ui`, FFT multiplication) and, since `0 <= a_i < 2^B`, there are no
/// carries between slots: `a_i` is exactly the `B/64` limbs `[iB/64, (i+1)B/64)` of `F^n`. The
/// unpacking reads the limb vector once (no shifting of the big integer).
///
/// # Panics
/// If `f` is empty, has a negative coefficient, `n > u32::MAX`, or the sizes overflow `usize`.
///
/// # Examples
/// ```
/// use alignexact::exact::level_law::power_coefficients_kronecker;
/// use rug::Integer;
/// let f = [Integer::from(5), Integer::from(3), Integer::from(0), Integer::from(2)];
/// let c = power_coefficients_kronecker(&f, 2);
/// assert_eq!(c, [25, 30, 9, 20, 12, 0, 4].map(Integer::from));
/// ```
pub fn power_coefficients_kronecker(f: &[Integer], n: u64) -> Vec<Integer> {
    assert!(!f.is_empty(), "empty polynomial");
    assert!(
        f.iter().all(|c| *c >= 0),
        "Kronecker packing needs non-negative coefficients"
    );
    let dmax = f.len() - 1;
    let len = usize::try_from(n)
        .ok()
        .and_then(|nn| nn.checked_mul(dmax))
        .and_then(|x| x.checked_add(1))
        .expect("degree n*D overflows usize");
    let e = n_u32(n);
    let sum: Integer = f.iter().sum();
    let bound = Integer::from((&sum).pow(e)); // every coefficient of f^n is <= f(1)^n
    let w = (bound.significant_bits() as usize).div_ceil(64).max(1); // limbs per slot
    let mut limbs = vec![0u64; f.len() * w];
    for (j, c) in f.iter().enumerate() {
        c.write_digits(&mut limbs[j * w..(j + 1) * w], Order::Lsf);
    }
    let mut packed = Integer::from_digits(&limbs, Order::Lsf);
    drop(limbs);
    packed.pow_assign(e);
    let limbs = packed.to_digits::<u64>(Order::Lsf);
    drop(packed);
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let lo = (i * w).min(limbs.len());
        let hi = ((i + 1) * w).min(limbs.len());
        out.push(Integer::from_digits(&limbs[lo..hi], Order::Lsf));
    }
    out
}

/// SEQ-2, types route: enumerate the compositions `c` of `n` over the `k'` distinct rewards
/// (merged coefficients `C_e = sum_{a: e_a = e} p_a d`), with weight
/// `n!/prod c_e! prod C_e^{c_e}` and exponent sum `sum c_e e`, and merge equal sums.
///
/// The weights are updated incrementally: starting from all `n` units on the lowest reward
/// (weight `C_0^n`), moving one unit from the lowest reward to reward `e` when the current
/// level has `R` units left and `t` already moved multiplies the weight by
/// `(R - t) C_e / ((t + 1) C_0)`, an exact division. Each composition costs `O(1)` big-integer
/// operations on numbers of at most `n log2 d + 1` bits; there are `C(n+k'-1, k'-1)` of them.
/// Only occupied levels are stored (never `n D` empty slots).
///
/// # Panics
/// As [`level_law`].
pub fn level_law_types(p: &[Rational], r: &[Rational], n: u64) -> LevelLaw {
    types_lattice(&Lattice::new(p, r, n))
}

fn types_lattice(lat: &Lattice) -> LevelLaw {
    let n = lat.n;
    let dmax = lat.exps.last().expect("non-empty");
    let fits_u64 = dmax.to_u64().and_then(|dm| dm.checked_mul(n)).is_some();
    let pairs = if fits_u64 {
        let exps: Vec<u64> = lat.exps.iter().map(|e| e.to_u64().expect("fits")).collect();
        enumerate_types(lat, &exps)
    } else {
        enumerate_types(lat, &lat.exps)
    };
    lat.finish(pairs)
}

fn enumerate_types<K>(lat: &Lattice, exps: &[K]) -> Vec<(Integer, Integer)>
where
    K: Ord + Clone + Default + for<'a> AddAssign<&'a K>,
    Integer: From<K>,
{
    let mut map: BTreeMap<K, Integer> = BTreeMap::new();
    let mut w0 = Integer::new();
    w0.assign((&lat.coefs[0]).pow(n_u32(lat.n)));
    if exps.len() == 1 {
        map.insert(K::default(), w0);
    } else {
        let mut ctx = TypesCtx {
            coefs: &lat.coefs,
            exps,
            map: &mut map,
            num: Integer::new(),
            den: Integer::new(),
        };
        ctx.walk(1, lat.n, w0, K::default());
    }
    map.into_iter().map(|(k, w)| (Integer::from(k), w)).collect()
}

struct TypesCtx<'a, K> {
    coefs: &'a [Integer],
    exps: &'a [K],
    map: &'a mut BTreeMap<K, Integer>,
    num: Integer,
    den: Integer,
}

impl<K> TypesCtx<'_, K>
where
    K: Ord + Clone + for<'b> AddAssign<&'b K>,
{
    /// Distribute up to `rem` units (currently all on the lowest reward) to token `a`.. .
    /// `w` is the weight with those `rem` units on the lowest reward, `key` the exponent sum.
    fn walk(&mut self, a: usize, rem: u64, mut w: Integer, mut key: K) {
        let last = a + 1 == self.exps.len();
        for t in 0..=rem {
            if last {
                match self.map.get_mut(&key) {
                    Some(acc) => *acc += &w,
                    None => {
                        self.map.insert(key.clone(), w.clone());
                    }
                }
            } else {
                self.walk(a + 1, rem - t, w.clone(), key.clone());
            }
            if t == rem {
                break;
            }
            // t -> t + 1: multiply by (rem - t) C_a / ((t + 1) C_0), exactly.
            self.num.assign(&self.coefs[a] * (rem - t));
            w *= &self.num;
            self.den.assign(&self.coefs[0] * (t + 1));
            debug_assert!(w.is_divisible(&self.den));
            w.div_exact_mut(&self.den);
            key += &self.exps[a];
        }
    }
}
