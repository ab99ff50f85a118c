//! Reference models with memory (MATH.md §10): a Markov chain over the tokens, validated, and
//! its exact level law (MKV-1).
//!
//! A [`Chain`] is a `k x k` transition matrix `P` of exact rationals (every entry `>= 0`, every
//! row summing to exactly 1, or rescaled exactly with `--normalize`) and an initial law `q`
//! (default: the stationary law, which is rational and computed exactly; required when the
//! chain has more than one closed class). A [`MarkovModel`] adds a per-token reward `r(b)`;
//! `S_n = r(y_1) + ... + r(y_n)`.
//!
//! # Structure
//! Only the states reachable from the support of `q` matter ([`Chain::reachable`]). On them the
//! chain is *irreducible* when they form one communicating class, and *aperiodic* when the
//! gcd of its cycle lengths is 1 ([`Chain::structure`]). The finite-n mathematics (level law,
//! best-of-N, finite-n optimum) holds for every chain; the limit quantities of MKV-3 need an
//! irreducible aperiodic chain and are reported as absent (null with a note) otherwise.
//!
//! # MKV-1: the exact level law
//! With the lattice normal form of [`crate::exact::level_law`] taken over the reachable states
//! (`r_a = (m_min + g e_a) / L`), `q_a = cq_a / dq`, `P_ab = cP_ab / dP` (integers),
//! `M(z)_ab = cP_ab z^{e_b}` and `u(z)_a = cq_a z^{e_a}`:
//! `P(K = i) = [z^i] u(z)^T M(z)^{n-1} 1 / (dq dP^{n-1})`.
//! [`level_law_markov`] computes the polynomial by binary powering of `M(z)` with every
//! polynomial held as one GMP integer (Kronecker substitution): all coefficients of all
//! intermediate products are non-negative and bounded by the total mass `dq dP^{n-1}`, so a
//! slot width `W >= bits(dq dP^{n-1})` makes the packing carry-free for every product and sum,
//! and the whole computation is integer matrix arithmetic. The last squaring is replaced by the
//! inner product `(u^T A)(A w)` with `A = M^{floor((n-1)/2)}`.
//! [`level_law_markov_forward`] is the forward recursion over (state, level) and
//! [`level_law_markov_brute`] the sum over all `k^n` sequences: both are independent
//! cross-checks. For a memoryless chain (every row `p`, `q = p`) the result is `==` to
//! [`crate::exact::level_law::level_law`] (same `scale`, `levels`, `weights`, `denom = d^n`).

use super::level_law::LevelLaw;
use super::parse::parse_list;
use crate::error::{Error, Result};
use rug::integer::Order;
use rug::ops::Pow;
use rug::{Integer, Rational};
use std::collections::BTreeMap;

/// Largest number of states accepted.
pub const MAX_STATES: usize = 16;

/// A validated Markov chain: transition matrix and initial law (MATH.md §10).
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    rows: Vec<Vec<Rational>>,
    init: Vec<Rational>,
    init_is_stationary: bool,
}

/// The structure of a chain on the states reachable from its initial law.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Structure {
    /// The states reachable from the support of `q` (sorted).
    pub reachable: Vec<usize>,
    /// True when the reachable states form one communicating class.
    pub irreducible: bool,
    /// The period of that class (`None` when reducible).
    pub period: Option<u64>,
    /// Number of closed communicating classes of the whole matrix (1 iff the stationary law is
    /// unique).
    pub closed_classes: usize,
}

impl Structure {
    /// Irreducible and aperiodic on the reachable states: the MKV-3 limit exists.
    pub fn ergodic(&self) -> bool {
        self.irreducible && self.period == Some(1)
    }
    /// Why the MKV-3 limit quantities are absent (`None` when they exist).
    pub fn limit_note(&self) -> Option<String> {
        if !self.irreducible {
            Some(
                "the chain is reducible on the states reachable from --init, so the Perron root of the tilted \
                 matrix need not be simple and psi need not be differentiable (MKV-3 needs an irreducible aperiodic chain)"
                    .into(),
            )
        } else if self.period != Some(1) {
            Some(format!(
                "the chain is periodic (period {}), so the tilted matrix has {} eigenvalues of maximal modulus \
                 (MKV-3 needs an aperiodic chain)",
                self.period.unwrap_or(0),
                self.period.unwrap_or(0)
            ))
        } else {
            None
        }
    }
}

fn parse_row(flag: &str, row_no: usize, text: &str) -> Result<Vec<Rational>> {
    parse_list(text).map_err(|e| Error::input(format!("{flag}: row {row_no}: {e}")))
}

/// Parse `"1/2,1/2;1/3,2/3"` into rows (exact), naming the row of a bad entry.
pub fn parse_transition(flag: &str, text: &str) -> Result<Vec<Vec<Rational>>> {
    let text = text.trim().trim_end_matches(';');
    if text.trim().is_empty() {
        return Err(Error::input(format!(
            "{flag}: the matrix is empty; give rows separated by ';', e.g. {flag} \"9/10,1/10;1/5,4/5\""
        )));
    }
    text.split(';')
        .enumerate()
        .map(|(i, row)| parse_row(flag, i + 1, row))
        .collect()
}

/// Integer gcd of two `u64`.
fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Chain {
    /// Validate a transition matrix and an optional initial law. Every error names the row
    /// and the entry (`--transition: row 2, entry 1 ...`). With `normalize` each row (and the
    /// initial law) is rescaled exactly by its sum, which must be positive.
    pub fn new(rows: Vec<Vec<Rational>>, init: Option<Vec<Rational>>, normalize: bool) -> Result<Chain> {
        let f = "--transition";
        let k = rows.len();
        if k == 0 {
            return Err(Error::input(format!("{f}: the matrix has no rows")));
        }
        if k > MAX_STATES {
            return Err(Error::input(format!(
                "{f}: {k} states is more than the supported {MAX_STATES}"
            )));
        }
        let mut out = Vec::with_capacity(k);
        for (i, row) in rows.into_iter().enumerate() {
            if row.len() != k {
                return Err(Error::input(format!(
                    "{f}: row {} has {} entries but the matrix has {k} rows; it must be square (k rows of k entries)",
                    i + 1,
                    row.len()
                )));
            }
            if let Some((j, x)) = row.iter().enumerate().find(|(_, x)| **x < 0) {
                return Err(Error::input(format!(
                    "{f}: row {}, entry {} is negative ({x}); transition probabilities must be >= 0",
                    i + 1,
                    j + 1
                )));
            }
            let sum: Rational = row.iter().sum();
            if sum == 0 {
                return Err(Error::input(format!(
                    "{f}: row {} is all zeros; every state needs a next-state law summing to 1",
                    i + 1
                )));
            }
            if sum != 1 {
                if !normalize {
                    return Err(Error::input(format!(
                        "{f}: row {} sums to {sum}, not exactly 1; fix it or pass --normalize to rescale each row exactly",
                        i + 1
                    )));
                }
                out.push(row.into_iter().map(|x| x / &sum).collect());
            } else {
                out.push(row);
            }
        }
        let mut chain = Chain {
            rows: out,
            init: vec![],
            init_is_stationary: false,
        };
        match init {
            Some(q) => {
                if q.len() != k {
                    return Err(Error::input(format!(
                        "--init has {} entries but --transition has {k} states; give one initial probability per state",
                        q.len()
                    )));
                }
                let d = super::dist::Distribution::new(q, normalize, "--init")?;
                chain.init = d.probs().to_vec();
            }
            None => {
                let s = chain.structure_all();
                if s != 1 {
                    return Err(Error::input(format!(
                        "--init is required: the chain has {s} closed classes, so its stationary law is not unique; \
                         give the initial law, e.g. --init {}",
                        (0..k)
                            .map(|i| if i == 0 { "1" } else { "0" })
                            .collect::<Vec<_>>()
                            .join(",")
                    )));
                }
                chain.init = chain
                    .stationary()
                    .expect("one closed class: unique stationary law");
                chain.init_is_stationary = true;
            }
        }
        Ok(chain)
    }

    /// The memoryless model `p` as a chain: every row `p`, `q = p`.
    pub fn memoryless(p: &[Rational]) -> Chain {
        Chain {
            rows: vec![p.to_vec(); p.len()],
            init: p.to_vec(),
            init_is_stationary: true,
        }
    }

    /// Parse and validate from flag text (`--transition`, `--init`).
    pub fn parse(transition: &str, init: Option<&str>, normalize: bool) -> Result<Chain> {
        let rows = parse_transition("--transition", transition)?;
        let init = init
            .map(|s| parse_list(s).map_err(|e| Error::input(format!("--init: {e}"))))
            .transpose()?;
        Chain::new(rows, init, normalize)
    }

    /// Number of states `k`.
    pub fn k(&self) -> usize {
        self.rows.len()
    }
    /// The rows of `P`.
    pub fn rows(&self) -> &[Vec<Rational>] {
        &self.rows
    }
    /// The initial law `q`.
    pub fn init(&self) -> &[Rational] {
        &self.init
    }
    /// True when `q` was defaulted to the stationary law.
    pub fn init_is_stationary(&self) -> bool {
        self.init_is_stationary
    }

    /// Reflexive-transitive reachability `reach[a][b]` over the edges `P_ab > 0`.
    fn reach(&self) -> Vec<Vec<bool>> {
        let k = self.k();
        let mut r: Vec<Vec<bool>> = (0..k)
            .map(|a| (0..k).map(|b| a == b || self.rows[a][b] > 0).collect())
            .collect();
        for c in 0..k {
            for a in 0..k {
                if r[a][c] {
                    let rc = r[c].clone();
                    for (x, y) in r[a].iter_mut().zip(rc) {
                        *x |= y;
                    }
                }
            }
        }
        r
    }

    /// Number of closed communicating classes of the whole matrix.
    fn structure_all(&self) -> usize {
        let k = self.k();
        let r = self.reach();
        let mut seen = vec![false; k];
        let mut closed = 0;
        for a in 0..k {
            if seen[a] {
                continue;
            }
            let class: Vec<usize> = (0..k).filter(|&b| r[a][b] && r[b][a]).collect();
            for &b in &class {
                seen[b] = true;
            }
            // closed: everything reachable from the class is in it
            if (0..k).all(|b| !r[a][b] || class.contains(&b)) {
                closed += 1;
            }
        }
        closed
    }

    /// The states reachable from the support of `q`, sorted.
    pub fn reachable(&self) -> Vec<usize> {
        let r = self.reach();
        let k = self.k();
        (0..k)
            .filter(|&b| (0..k).any(|a| self.init[a] > 0 && r[a][b]))
            .collect()
    }

    /// Irreducibility and period on the reachable states, and the closed-class count.
    pub fn structure(&self) -> Structure {
        let reach = self.reach();
        let rs = self.reachable();
        let root = rs[0];
        let irreducible = rs.iter().all(|&b| reach[root][b] && reach[b][root]);
        let period = irreducible.then(|| {
            // BFS levels from the root; the period is the gcd of lev[u] + 1 - lev[v] over edges
            let k = self.k();
            let mut lev = vec![u64::MAX; k];
            lev[root] = 0;
            let mut queue = std::collections::VecDeque::from([root]);
            while let Some(u) = queue.pop_front() {
                for v in 0..k {
                    if self.rows[u][v] > 0 && lev[v] == u64::MAX {
                        lev[v] = lev[u] + 1;
                        queue.push_back(v);
                    }
                }
            }
            let mut g = 0u64;
            for &u in &rs {
                for &v in &rs {
                    if self.rows[u][v] > 0 {
                        g = gcd(g, (lev[u] + 1).abs_diff(lev[v]));
                    }
                }
            }
            g
        });
        Structure {
            reachable: rs,
            irreducible,
            period,
            closed_classes: self.structure_all(),
        }
    }

    /// The exact stationary law `pi P = pi`, `sum pi = 1`, when it is unique (one closed
    /// class); `None` otherwise. Exact Gaussian elimination over the rationals on
    /// `(P^T - I) pi = 0` with one equation replaced by `sum pi = 1` (the equations sum to
    /// zero, so any one of them is redundant when the rank is `k - 1`).
    pub fn stationary(&self) -> Option<Vec<Rational>> {
        let k = self.k();
        let mut a: Vec<Vec<Rational>> = (0..k)
            .map(|i| {
                let mut row: Vec<Rational> = (0..k)
                    .map(|j| {
                        let mut x = self.rows[j][i].clone();
                        if i == j {
                            x -= 1u32;
                        }
                        x
                    })
                    .collect();
                row.push(Rational::new());
                row
            })
            .collect();
        a[k - 1] = vec![Rational::from(1); k + 1];
        for col in 0..k {
            let piv = (col..k).find(|&i| a[i][col] != 0)?;
            a.swap(col, piv);
            let p = a[col][col].clone();
            for x in a[col].iter_mut() {
                *x /= &p;
            }
            for i in 0..k {
                if i != col && a[i][col] != 0 {
                    let f = a[i][col].clone();
                    let pivot_row = a[col].clone();
                    for (x, y) in a[i].iter_mut().zip(&pivot_row).skip(col) {
                        *x -= Rational::from(&f * y);
                    }
                }
            }
        }
        let pi: Vec<Rational> = a
            .into_iter()
            .map(|mut row| row.pop().expect("k+1 columns"))
            .collect();
        pi.iter().all(|x| *x >= 0).then_some(pi)
    }

    /// The JSON echo of the chain: rows and initial law as exact strings.
    pub fn echo(&self) -> serde_json::Value {
        let s = |v: &[Rational]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        serde_json::json!({
            "transition": self.rows.iter().map(|r| s(r)).collect::<Vec<_>>(),
            "init": s(&self.init),
            "init_is_stationary": self.init_is_stationary,
        })
    }
}

/// A Markov reference model with a per-token reward (MATH.md §10).
#[derive(Clone, Debug, PartialEq)]
pub struct MarkovModel {
    /// The chain.
    pub chain: Chain,
    /// Rewards, one per state.
    pub r: Vec<Rational>,
}

impl MarkovModel {
    /// Pair a chain with rewards, checking the length.
    pub fn new(chain: Chain, r: Vec<Rational>) -> Result<MarkovModel> {
        if r.len() != chain.k() {
            return Err(Error::input(format!(
                "--r has {} entries but --transition has {} states; give one reward per state",
                r.len(),
                chain.k()
            )));
        }
        Ok(MarkovModel { chain, r })
    }
    /// `r_max` over the reachable states.
    pub fn r_max(&self) -> Rational {
        self.chain
            .reachable()
            .into_iter()
            .map(|a| self.r[a].clone())
            .max()
            .expect("non-empty")
    }
    /// `r_min` over the reachable states.
    pub fn r_min(&self) -> Rational {
        self.chain
            .reachable()
            .into_iter()
            .map(|a| self.r[a].clone())
            .min()
            .expect("non-empty")
    }
    /// `E_pi r` under the stationary law (`None` when it is not unique).
    pub fn stationary_mean(&self) -> Option<Rational> {
        let pi = self.chain.stationary()?;
        Some(pi.iter().zip(&self.r).map(|(a, b)| Rational::from(a * b)).sum())
    }
}

/// The lattice normal form of a chain (see the module docs).
#[derive(Clone, Debug)]
struct MLattice {
    n: u64,
    scale: Integer,
    m_min: Integer,
    g: Integer,
    /// Exponent of every state (0 for unreachable states; they never occur).
    e: Vec<usize>,
    dq: Integer,
    dp: Integer,
    /// `q_a dq`.
    cq: Vec<Integer>,
    /// `P_ab dP` on reachable states (0 elsewhere).
    cp: Vec<Vec<Integer>>,
    /// Largest exponent `D`.
    dmax: usize,
}

impl MLattice {
    fn new(m: &MarkovModel, n: u64) -> Result<MLattice> {
        assert!(n >= 1, "level law: n must be >= 1");
        let ch = &m.chain;
        let k = ch.k();
        let rs = ch.reachable();
        let mut scale = Integer::from(1);
        for &a in &rs {
            scale.lcm_mut(m.r[a].denom());
        }
        let mi: Vec<Integer> = (0..k)
            .map(|a| Integer::from(&scale / m.r[a].denom()) * m.r[a].numer())
            .collect();
        let m_min = rs.iter().map(|&a| mi[a].clone()).min().expect("non-empty");
        let mut g = Integer::new();
        for &a in &rs {
            g.gcd_mut(&Integer::from(&mi[a] - &m_min));
        }
        if g == 0 {
            g = Integer::from(1);
        }
        let mut e = vec![0usize; k];
        for &a in &rs {
            let mut x = Integer::from(&mi[a] - &m_min);
            x.div_exact_mut(&g);
            e[a] = x.to_usize().filter(|&v| v <= 1 << 24).ok_or_else(|| {
                Error::TooLarge(format!(
                    "--r: the rewards span {x} lattice steps; the exact Markov level law supports at most 2^24"
                ))
            })?;
        }
        let dmax = rs.iter().map(|&a| e[a]).max().unwrap_or(0);
        let mut dq = Integer::from(1);
        for x in ch.init() {
            if *x > 0 {
                dq.lcm_mut(x.denom());
            }
        }
        let mut dp = Integer::from(1);
        for &a in &rs {
            for &b in &rs {
                if ch.rows()[a][b] > 0 {
                    dp.lcm_mut(ch.rows()[a][b].denom());
                }
            }
        }
        let cq = ch
            .init()
            .iter()
            .map(|x| Integer::from(&dq / x.denom()) * x.numer())
            .collect();
        let cp = (0..k)
            .map(|a| {
                (0..k)
                    .map(|b| {
                        if rs.contains(&a) && rs.contains(&b) {
                            let x = &ch.rows()[a][b];
                            Integer::from(&dp / x.denom()) * x.numer()
                        } else {
                            Integer::new()
                        }
                    })
                    .collect()
            })
            .collect();
        Ok(MLattice {
            n,
            scale,
            m_min,
            g,
            e,
            dq,
            dp,
            cq,
            cp,
            dmax,
        })
    }

    fn denom(&self) -> Integer {
        let e = u32::try_from(self.n - 1).expect("n fits in u32");
        Integer::from((&self.dp).pow(e)) * &self.dq
    }

    /// Build the law from dense coefficients (index = exponent sum).
    fn finish(&self, coeffs: Vec<Integer>) -> LevelLaw {
        let denom = self.denom();
        let mut levels = Vec::new();
        let mut weights = Vec::new();
        let mut total = Integer::new();
        let base = Integer::from(&self.m_min * self.n);
        for (i, w) in coeffs.into_iter().enumerate() {
            if w != 0 {
                total += &w;
                levels.push(&base + Integer::from(&self.g * i));
                weights.push(w);
            }
        }
        // Rigour guard: u(1)^T M(1)^{n-1} 1 = dq dP^{n-1}.
        assert!(
            total == denom,
            "Markov level law: weights do not sum to dq dP^(n-1) (internal error)"
        );
        LevelLaw {
            n: self.n,
            scale: self.scale.clone(),
            levels,
            weights,
            denom,
        }
    }

    fn slots(&self) -> usize {
        (self.n as usize) * self.dmax + 1
    }
}

/// A-priori cost of the binary-powering route: `(peak bytes, seconds)`, from sizes only.
///
/// The packed polynomial of `M^h` (`h ~ n/2`) has `(h D + 1) W` bits with
/// `W ~ log2(dq dP^{n-1})`; a squaring costs `k^3` products of that size and the peak holds
/// about `3 k^2` of them. GMP's product of two `b`-bit numbers costs about `b log2(b) * 1e-10`
/// seconds here (FFT range).
pub fn estimate(m: &MarkovModel, n: u64) -> (f64, f64) {
    let Ok(lat) = MLattice::new(m, n.max(1)) else {
        return (f64::INFINITY, f64::INFINITY);
    };
    let k = m.chain.reachable().len() as f64;
    let nf = n as f64;
    let w = (nf * (lat.dp.significant_bits() as f64) + lat.dq.significant_bits() as f64).max(64.0);
    let half = (nf / 2.0 * lat.dmax as f64 + 1.0) * w;
    let bytes = 3.0 * k * k * half / 8.0 + 2.0 * (nf * lat.dmax as f64 + 1.0) * (w / 8.0 + 40.0);
    let prod = |b: f64| b * b.max(2.0).log2() * 1e-10;
    // the squarings form a geometric series: about twice the last one
    let seconds = 2.0 * k * k * k * prod(half) + k * prod(half);
    (bytes, seconds)
}

/// Packed polynomials: one integer, slot width `w` limbs.
struct Packed {
    w_bits: usize,
}

impl Packed {
    /// `c z^e` packed.
    fn mono(&self, c: &Integer, e: usize) -> Integer {
        Integer::from(c << (self.w_bits * e))
    }
    fn unpack(&self, x: &Integer, slots: usize) -> Vec<Integer> {
        let limbs = x.to_digits::<u64>(Order::Lsf);
        let w = self.w_bits / 64;
        (0..slots)
            .map(|i| {
                let lo = (i * w).min(limbs.len());
                let hi = ((i + 1) * w).min(limbs.len());
                Integer::from_digits(&limbs[lo..hi], Order::Lsf)
            })
            .collect()
    }
}

type Mat = Vec<Vec<Integer>>;

/// Repack every entry of `a` (polynomials with at most `slots` coefficients, packed at
/// `from.w_bits`) at the wider `to.w_bits`: slot `i` moves from bit `i from` to bit `i to`.
/// Exact (a copy of limbs); a no-op when the widths agree.
fn repack_mat(a: &mut Mat, from: &Packed, to: &Packed, slots: usize, rs: &[usize]) {
    if from.w_bits == to.w_bits {
        return;
    }
    assert!(to.w_bits > from.w_bits && to.w_bits % 64 == 0 && from.w_bits % 64 == 0);
    let (wf, wt) = (from.w_bits / 64, to.w_bits / 64);
    for &i in rs {
        for &j in rs {
            let x = &a[i][j];
            if *x == 0 {
                continue;
            }
            let limbs = x.to_digits::<u64>(Order::Lsf);
            let used = limbs.len().div_ceil(wf).min(slots);
            let mut out = vec![0u64; used * wt];
            for s in 0..used {
                let lo = s * wf;
                let hi = ((s + 1) * wf).min(limbs.len());
                out[s * wt..s * wt + (hi - lo)].copy_from_slice(&limbs[lo..hi]);
            }
            a[i][j] = Integer::from_digits(&out, Order::Lsf);
        }
    }
}

/// `A^2` for a 2x2 block (states `i`, `j`): `[[a^2 + bc, b (a + d)], [c (a + d), d^2 + bc]]`,
/// three squarings-or-products and two products instead of eight products.
fn square_2x2(a: &Mat, i: usize, j: usize, k: usize) -> Mat {
    let (x, b, c, d) = (&a[i][i], &a[i][j], &a[j][i], &a[j][j]);
    let bc = Integer::from(b * c);
    let tr = Integer::from(x + d);
    let mut out = vec![vec![Integer::new(); k]; k];
    out[i][i] = Integer::from(x.square_ref()) + &bc;
    out[j][j] = Integer::from(d.square_ref()) + &bc;
    out[i][j] = Integer::from(b * &tr);
    out[j][i] = Integer::from(c * &tr);
    out
}

fn mat_mul(a: &Mat, b: &Mat, rs: &[usize], k: usize) -> Mat {
    let mut c = vec![vec![Integer::new(); k]; k];
    for &i in rs {
        for &j in rs {
            let mut acc = Integer::new();
            for &l in rs {
                if a[i][l] != 0 && b[l][j] != 0 {
                    acc += Integer::from(&a[i][l] * &b[l][j]);
                }
            }
            c[i][j] = acc;
        }
    }
    c
}

/// `A M` for the one-step matrix `M_lj = cP_lj z^{e_j}`: small multiplications and shifts only.
fn mat_mul_step(a: &Mat, lat: &MLattice, pk: &Packed, rs: &[usize], k: usize) -> Mat {
    let mut c = vec![vec![Integer::new(); k]; k];
    for &i in rs {
        for &j in rs {
            let mut acc = Integer::new();
            for &l in rs {
                if a[i][l] != 0 && lat.cp[l][j] != 0 {
                    acc += Integer::from(&a[i][l] * &lat.cp[l][j]);
                }
            }
            acc <<= pk.w_bits * lat.e[j];
            c[i][j] = acc;
        }
    }
    c
}

/// MKV-1 by binary powering of the packed polynomial transfer matrix (see the module docs).
///
/// # Errors
/// [`Error::TooLarge`] when the reward lattice is too wide.
///
/// # Panics
/// If `n == 0` or `n - 1` does not fit in `u32`.
pub fn level_law_markov(m: &MarkovModel, n: u64) -> Result<LevelLaw> {
    let lat = MLattice::new(m, n)?;
    let k = m.chain.k();
    let rs = m.chain.reachable();
    let bound = lat.denom();
    let w_bits = (bound.significant_bits() as usize).div_ceil(64).max(1) * 64;
    let pk = Packed { w_bits };
    let nm1 = n - 1;
    let h = nm1 / 2;
    // A = M^h by left-to-right binary powering. Every coefficient of M^m (and every partial
    // sum formed while multiplying toward it) is at most dP^m (each row of M(1) sums to dP), so
    // the powers are packed with the slot width of the power being formed, bits(dP^m) rounded
    // up to a limb, and repacked (a copy, carry-free) as the power grows: the squarings work
    // on numbers about half as wide as with the final width.
    let mut a: Mat = vec![vec![Integer::new(); k]; k];
    for &i in &rs {
        a[i][i] = Integer::from(1);
    }
    let width = |m: u64| -> usize {
        let e = u32::try_from(m).expect("n fits in u32");
        (Integer::from((&lat.dp).pow(e)).significant_bits() as usize)
            .div_ceil(64)
            .max(1)
            * 64
    };
    let mut cur = Packed { w_bits: 64 };
    let mut m = 0u64;
    if h > 0 {
        let bits = 64 - h.leading_zeros();
        for b in (0..bits).rev() {
            let bit = (h >> b) & 1;
            let next = Packed {
                w_bits: width(2 * m + bit).max(cur.w_bits),
            };
            repack_mat(&mut a, &cur, &next, (m as usize) * lat.dmax + 1, &rs);
            cur = next;
            a = if rs.len() == 2 {
                square_2x2(&a, rs[0], rs[1], k)
            } else {
                mat_mul(&a, &a, &rs, k)
            };
            m *= 2;
            if bit == 1 {
                a = mat_mul_step(&a, &lat, &cur, &rs, k);
                m += 1;
            }
        }
    }
    debug_assert_eq!(m, h);
    repack_mat(&mut a, &cur, &pk, (h as usize) * lat.dmax + 1, &rs);
    // left = u^T A, right = A w with w = 1 (n - 1 even) or M 1 (odd)
    let mut left = vec![Integer::new(); k];
    for &c in &rs {
        for &i in &rs {
            if lat.cq[i] != 0 && a[i][c] != 0 {
                left[c] += Integer::from(&a[i][c] * &lat.cq[i]) << (w_bits * lat.e[i]);
            }
        }
    }
    let wv: Vec<Integer> = (0..k)
        .map(|c| {
            if nm1 % 2 == 0 {
                Integer::from(1)
            } else {
                rs.iter().map(|&b| pk.mono(&lat.cp[c][b], lat.e[b])).sum()
            }
        })
        .collect();
    let mut total = Integer::new();
    for &c in &rs {
        if left[c] == 0 {
            continue;
        }
        let mut right = Integer::new();
        for &b in &rs {
            if a[c][b] != 0 {
                right += Integer::from(&a[c][b] * &wv[b]);
            }
        }
        total += &left[c] * right;
    }
    Ok(lat.finish(pk.unpack(&total, lat.slots())))
}

/// MKV-1 by the forward recursion over (state, level): `f_1(a, i) = cq_a [i = e_a]`,
/// `f_{t+1}(b, i) = sum_a f_t(a, i - e_b) cP_ab`; the weights are `sum_a f_n(a, i)`.
/// Quadratic in `n` big-integer additions: a cross-check for moderate `n`.
///
/// # Errors
/// As [`level_law_markov`].
pub fn level_law_markov_forward(m: &MarkovModel, n: u64) -> Result<LevelLaw> {
    let lat = MLattice::new(m, n)?;
    let k = m.chain.k();
    let rs = m.chain.reachable();
    let slots = lat.slots();
    let mut f = vec![vec![Integer::new(); slots]; k];
    for &a in &rs {
        f[a][lat.e[a]] = lat.cq[a].clone();
    }
    for t in 1..n as usize {
        let top = t * lat.dmax; // highest occupied exponent so far
        let mut g = vec![vec![Integer::new(); slots]; k];
        for &b in &rs {
            for &a in &rs {
                if lat.cp[a][b] == 0 {
                    continue;
                }
                for i in 0..=top {
                    if f[a][i] != 0 {
                        g[b][i + lat.e[b]] += Integer::from(&f[a][i] * &lat.cp[a][b]);
                    }
                }
            }
        }
        f = g;
    }
    let coeffs = (0..slots)
        .map(|i| rs.iter().map(|&a| f[a][i].clone()).sum())
        .collect();
    Ok(lat.finish(coeffs))
}

/// MKV-1 by brute force: the exact law of `S_n` as a map reward -> probability, summing
/// `q_{y_1} P_{y_1 y_2} ... P_{y_{n-1} y_n}` over all `k^n` sequences (zero-probability
/// levels omitted). For tests at tiny `n`.
pub fn level_law_markov_brute(m: &MarkovModel, n: u32) -> BTreeMap<Rational, Rational> {
    let k = m.chain.k();
    let mut out: BTreeMap<Rational, Rational> = BTreeMap::new();
    let total = (k as u64).pow(n);
    for mut code in 0..total {
        let mut ys = Vec::with_capacity(n as usize);
        for _ in 0..n {
            ys.push((code % k as u64) as usize);
            code /= k as u64;
        }
        let mut p = m.chain.init()[ys[0]].clone();
        let mut s = m.r[ys[0]].clone();
        for t in 1..n as usize {
            p *= &m.chain.rows()[ys[t - 1]][ys[t]];
            s += &m.r[ys[t]];
        }
        if p != 0 {
            *out.entry(s).or_default() += p;
        }
    }
    out
}

/// The max-mean cycles of a chain's reward (MKV-3's saturation limit): `mean` is the largest
/// cycle mean `lambda* = max_C (sum_{b in C} r_b) / |C|` over the cycles `C` of the graph
/// `P_ab > 0`, exact; `edges[a][b]` marks the *critical* edges (those on a cycle of mean
/// `lambda*`); `components` are the strongly connected components of the critical graph (each
/// a sorted list of states). Indices are those of `p`.
#[derive(Clone, Debug, PartialEq)]
pub struct CriticalGraph {
    /// `lambda*`.
    pub mean: Rational,
    /// Critical edges.
    pub edges: Vec<Vec<bool>>,
    /// Strongly connected components of the critical graph.
    pub components: Vec<Vec<usize>>,
}

/// The critical graph of the reward `r` on the transition graph `p` (see [`CriticalGraph`]).
///
/// `lambda*` by Karp's theorem with a virtual source (`D_0 = 0`, `D_j(b) = max_a D_{j-1}(a) + r_b`
/// over edges, `lambda* = max_b min_{j<k} (D_k(b) - D_j(b)) / (k - j)`), exact over the
/// rationals. With `w'_ab = r_b - lambda*` no cycle has positive weight, so the longest-path
/// weights `L` (Floyd-Warshall in max-plus) exist, and an edge lies on a zero-weight (= critical)
/// cycle iff `w'_ab + L[b][a] = 0`.
///
/// # Panics
/// If the graph has no edge (never for a stochastic matrix).
#[allow(clippy::needless_range_loop)] // index loops mirror the Karp and Floyd-Warshall recurrences
pub fn critical_graph(p: &[Vec<Rational>], r: &[Rational]) -> CriticalGraph {
    let k = p.len();
    let edge = |a: usize, b: usize| p[a][b] > 0;
    // Karp
    let mut d: Vec<Vec<Option<Rational>>> = vec![vec![Some(Rational::new()); k]];
    for j in 1..=k {
        let row: Vec<Option<Rational>> = (0..k)
            .map(|b| {
                (0..k)
                    .filter(|&a| edge(a, b))
                    .filter_map(|a| d[j - 1][a].as_ref().map(|x| Rational::from(x + &r[b])))
                    .max()
            })
            .collect();
        d.push(row);
    }
    let mut mean: Option<Rational> = None;
    for b in 0..k {
        let Some(dk) = &d[k][b] else { continue };
        let m = (0..k)
            .filter_map(|j| {
                d[j][b]
                    .as_ref()
                    .map(|dj| Rational::from(dk - dj) / Rational::from((k - j) as u64))
            })
            .min()
            .expect("D_0 is finite");
        if mean.as_ref().is_none_or(|x| m > *x) {
            mean = Some(m);
        }
    }
    let mean = mean.expect("a stochastic matrix has a cycle");
    // longest paths with w' = r_b - lambda* (no positive cycle)
    let mut l: Vec<Vec<Option<Rational>>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| {
                    let w = edge(a, b).then(|| Rational::from(&r[b] - &mean));
                    if a == b {
                        Some(w.map_or(Rational::new(), |w| w.max(Rational::new())))
                    } else {
                        w
                    }
                })
                .collect()
        })
        .collect();
    for c in 0..k {
        for a in 0..k {
            let Some(ac) = l[a][c].clone() else { continue };
            for b in 0..k {
                if let Some(cb) = &l[c][b] {
                    let s = Rational::from(&ac + cb);
                    if l[a][b].as_ref().is_none_or(|x| s > *x) {
                        l[a][b] = Some(s);
                    }
                }
            }
        }
    }
    let edges: Vec<Vec<bool>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| {
                    edge(a, b)
                        && l[b][a]
                            .as_ref()
                            .is_some_and(|lba| Rational::from(&r[b] - &mean) + lba == 0)
                })
                .collect()
        })
        .collect();
    // strongly connected components of the critical graph
    let mut reach = edges.clone();
    for c in 0..k {
        for a in 0..k {
            if reach[a][c] {
                let rc = reach[c].clone();
                for (x, y) in reach[a].iter_mut().zip(rc) {
                    *x |= y;
                }
            }
        }
    }
    let mut seen = vec![false; k];
    let mut components = Vec::new();
    for a in 0..k {
        if seen[a] || !reach[a][a] {
            continue;
        }
        let comp: Vec<usize> = (0..k).filter(|&b| reach[a][b] && reach[b][a]).collect();
        for &b in &comp {
            seen[b] = true;
        }
        components.push(comp);
    }
    CriticalGraph {
        mean,
        edges,
        components,
    }
}
