//! Tilt roots on vocabulary-size alphabets with many distinct rewards (issue 15).
//!
//! [`super::tilt`]'s root finder evaluates the whole model at full precision at every Newton
//! step (an MPFR exponential per token per step). Here the search runs in `f64`, and the MPFR
//! work is one pass (rarely two) of one exponential per token at a point `x` close to the root;
//! every later quantity, the refined root, the certificate and the output fields, is derived from
//! sums of that pass with rigorous Taylor remainders.
//!
//! Notation (as in [`super::tilt`], shift `c = r_max`, `l > 0`): `g_a = r_max - r_a >= 0`,
//! `gmax = max g`, `w_a = p_a e^{-x g_a}` (enclosed per token), an exact centre `g0 in [0, gmax]`
//! near `E_phi g`, `δ_a = g_a - g0` (so `|δ_a| <= gmax`), and the sums of the pass
//! `M_k = sum_a w_a δ_a^k` (`k = 0 .. J+2`, all tokens) and, for the deficit equation,
//! `T_k = sum_{g_a > 0} w_a g_a^k` (`k = 0 .. J+1`), with `J = 3`.
//!
//! At `y = x + d` (`d` an enclosure, `dm = max |d|`, `dm gmax <= 1/2`), Taylor's theorem with
//! the Lagrange remainder gives, for `|s| <= 1/2`,
//! `e^s = sum_{j<=J} s^j/j! + θ s^{J+1}/(J+1)!` with `θ = e^ξ in (0, 2)`. With `s = -d δ_a`:
//!
//! * `S_k(y) = sum_a w_a δ_a^k e^{-d δ_a} = sum_{j<=J} (-d)^j/j! M_{j+k} + R_k`,
//!   `|R_k| <= 2 dm^{J+1}/(J+1)! sum w |δ|^{J+1+k} <= 2 dm^{J+1}/(J+1)! gmax^{J-1+k} M_2`
//!   (`|δ|^n <= gmax^{n-2} δ^2` for `n >= 2`);
//! * `W(y) = sum p e^{-y g} = e^{-d g0} S_0(y)`, so `ln W(y) = -d g0 + ln S_0(y)`, and the
//!   moments of `g` under `phi_y` are `E δ^k = S_k(y) / S_0(y)` (the factor `e^{-d g0}` cancels),
//!   `E g = g0 + E δ`, `Var g = E δ^2 - (E δ)^2` (no cancellation: `E δ` is small);
//! * `W_rest(y) = sum_{g>0} w e^{-d g} = sum_{j<=J} (-d)^j/j! T_j + R`,
//!   `|R| <= 2 dm^{J+1}/(J+1)! T_{J+1}` (with `s = -d g`, `|s| <= 1/2` likewise);
//! * `phi_a(y) = w_a e^{-d δ_a} / S_0(y)`, the factor from the same expansion per token.
//!
//! These give `K`, `Delta_max - K`, `r_max - mu` at the two ends of a bracket, and `psi`, `mu`,
//! `sigma2`, `phi` over the bracket, without another exponential.
//!
//! The per-token data (the `f64` arrays of the search, the exact `g_a`, or the integer scale of
//! [`super::tilt_chain`]) is computed once per model and kept in its [`Cache`], with the last
//! few passes: `rate` and `cumulants` read `psi`, `mu` and the moments at the optimum from the
//! optimum's own pass ([`Cache::find`]). When the rewards and probabilities have small common
//! denominators (`r_a = i/10^6`, normalised integer weights) the pass is
//! [`super::tilt_chain::Lattice::pass`]: the weights `e^{-x g_a}` as a running product of
//! powers of one exponential along the sorted lattice, the sums in exact integer scale about an
//! integer centre, every operation with directed rounding and no allocation per token; `phi`
//! over the root enclosure comes from two such chains at its ends
//! ([`super::tilt_chain::Lattice::phi`]). Otherwise the general pass below (one exponential per
//! token).

use super::tilt_chain::{Lattice, CHAIN_GUARD};
pub use super::tilt_search::Equation;
use super::tilt_search::Model64;
use crate::real::round::{add_up, exp2_of, fmax, mul_up, rat_up};
use crate::real::{par, Enc};
use rug::float::Round;
use rug::{Float, Integer, Rational};
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, OnceLock};

/// Support size (distinct rewards) from which [`solve`] is tried: below it the full-precision
/// Newton of [`super::tilt`] costs little.
pub const FAST_MIN_TOKENS: usize = 4096;

/// A model on its support (all `p > 0`), non-constant reward.
pub struct Input<'a> {
    /// Support probabilities.
    pub p: &'a [Rational],
    /// Support rewards.
    pub r: &'a [Rational],
    /// `r_max`.
    pub r_max: &'a Rational,
    /// `p(A_max)`.
    pub p_max: &'a Rational,
    /// The model's cache (per-token data and recent passes).
    pub cache: &'a Cache,
}

/// What a model keeps between the solves and probes of one command and across the precision
/// loop: the per-token data of the fast path (computed once) and the most recent passes, so
/// that a later quantity at the same tilt reads the sums of the optimum's pass instead of a new
/// one. Cloning gives an empty cache.
#[derive(Default)]
pub struct Cache {
    prep: OnceLock<Option<Arc<Prep>>>,
    roots: Mutex<Vec<Arc<Root>>>,
    /// Moments `M_k` that passes should sum beyond their own need (`k <= want + J`), so that a
    /// later `cumulants` of that order reads the same pass.
    want: AtomicUsize,
}

impl Clone for Cache {
    fn clone(&self) -> Cache {
        Cache::default()
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cache")
    }
}

/// With `ALIGNEXACT_TRACE`, the time since `t0` of a step of the fast path on standard error.
fn trace_step(what: &str, t0: std::time::Instant) {
    if crate::real::ziv::trace_on() {
        eprintln!(
            "[fast] {what}: {:.3} s (process CPU so far {:.2} s)",
            t0.elapsed().as_secs_f64(),
            process_cpu()
        );
    }
}

/// The process's CPU time (user + system) in seconds, from `/proc/self/stat` (0 elsewhere):
/// for the trace only.
pub fn process_cpu() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(rest) = s.rsplit_once(')').map(|x| x.1) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    // fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}

/// Passes kept per model.
const KEEP_ROOTS: usize = 4;

impl Cache {
    /// Ask later passes to sum the moments a cumulant of `order` needs.
    pub fn want_order(&self, order: usize) {
        self.want.fetch_max(order, AtomicOrdering::Relaxed);
    }
    /// The number of passes kept (for the tests of the reuse).
    pub fn kept(&self) -> usize {
        self.roots.lock().map(|v| v.len()).unwrap_or(0)
    }
    /// True when the per-token data is computed and on the integer lattice
    /// ([`super::tilt_chain`]).
    pub fn on_lattice(&self) -> bool {
        self.prep
            .get()
            .is_some_and(|p| p.as_ref().is_some_and(|p| p.lattice.is_some()))
    }
    /// Keep a pass; returns it shared.
    pub fn keep(&self, root: Root) -> Arc<Root> {
        let root = Arc::new(root);
        if let Ok(mut v) = self.roots.lock() {
            // a pass at a lower precision is not read again
            v.retain(|r| r.prec >= root.prec);
            v.push(Arc::clone(&root));
            if v.len() > KEEP_ROOTS {
                v.remove(0);
            }
        }
        root
    }
    /// A kept pass of the caller's precision `prec` (at least `prec + 32` bits) whose sums
    /// reach `M_{order + J}` and whose Taylor remainders hold over `y` (`|y - x| gmax <= 1/2`).
    pub fn find(&self, y: &Enc, order: usize, prec: u32) -> Option<Arc<Root>> {
        let v = self.roots.lock().ok()?;
        v.iter()
            .rev()
            .find(|r| r.prec >= prec + 32 && r.sums.m.len() > order.max(2) + J && r.near(y))
            .cloned()
    }
    /// True when the model's rewards are known to be pairwise distinct from its lattice (a
    /// sort of integers, no hashing of rationals); false when unknown. Computes the per-token
    /// data on first use.
    pub fn distinct(&self, m: &Input) -> bool {
        m.p.len() >= FAST_MIN_TOKENS
            && self
                .prep(m)
                .is_some_and(|p| p.lattice.as_ref().is_some_and(|l| l.distinct))
    }
    fn prep(&self, m: &Input) -> Option<Arc<Prep>> {
        self.prep
            .get_or_init(|| {
                let t0 = std::time::Instant::now();
                let p = Prep::new(m).map(Arc::new);
                trace_step("per-token data", t0);
                p
            })
            .clone()
    }
}

/// The per-token data of a model for the fast path (module docs), computed once.
pub struct Prep {
    m64: Model64,
    /// The exact `g_a` (for the general pass; empty when `lattice` is set).
    g: Vec<Rational>,
    gmax_q: Rational,
    lattice: Option<Lattice>,
}

impl Prep {
    fn new(m: &Input) -> Option<Prep> {
        let n = m.p.len();
        let lattice = if std::env::var_os("ALIGNEXACT_NO_CHAIN").is_some() {
            None
        } else {
            Lattice::new(m.p, m.r, m.r_max)
        };
        let p: Vec<f64> = par::map(m.p, |x| x.to_f64());
        // the exact g_a only for the general pass; on the lattice g_a = n_a / dg
        let (g, gmax_q, gf, top) = match &lattice {
            Some(l) => {
                let gmax_q = Rational::from((Integer::from(l.nmax), l.dg.clone()));
                let dg = l.dg.to_f64();
                let gf: Vec<f64> = l.n.iter().map(|&k| k as f64 / dg).collect();
                let top: Vec<bool> = l.n.iter().map(|&k| k == 0).collect();
                (Vec::new(), gmax_q, gf, top)
            }
            None => {
                let idx: Vec<usize> = (0..n).collect();
                let g: Vec<Rational> = par::map(&idx, |&i| Rational::from(m.r_max - &m.r[i]));
                let gmax_q = g.iter().max()?.clone();
                let gf: Vec<f64> = par::map(&g, |x| x.to_f64());
                let top: Vec<bool> = g.iter().map(|x| *x == 0).collect();
                (g, gmax_q, gf, top)
            }
        };
        let m0 = p.iter().zip(&gf).map(|(a, b)| a * b).sum::<f64>();
        let m64 = Model64 {
            p,
            g: gf,
            top,
            m0,
            gmax: gmax_q.to_f64(),
        };
        Some(Prep {
            m64,
            g,
            gmax_q,
            lattice,
        })
    }
    /// The centre `g0` of a pass near `v` (an `f64`/float estimate of `E g`; any value in
    /// `[0, gmax]` is valid, the remainders use `|δ| <= gmax`): on the lattice the integer
    /// `m0 = round(v dg)` (so `δ_a dg` is exact), clamped to `[0, nmax]`.
    fn centre(&self, v: &Float, pp: u32) -> Centre {
        let ok = v.is_finite() && *v >= 0 && *v <= self.gmax_q;
        match &self.lattice {
            Some(l) => {
                let m0 = if ok {
                    Float::with_val(pp, v * &l.dg)
                        .to_integer()
                        .and_then(|i| i.to_u64())
                        .unwrap_or(0)
                        .min(l.nmax)
                } else {
                    0
                };
                Centre::Lattice(m0)
            }
            None => Centre::Point(if ok { v.clone() } else { Float::new(pp) }),
        }
    }
    /// The pass at `x` about the centre (module docs): per-token data (general pass only) and
    /// the sums.
    fn pass(
        &self,
        p: &[Rational],
        x: &Float,
        c: &Centre,
        rest: bool,
        nm: usize,
        pp: u32,
    ) -> (Vec<(Enc, Enc)>, Sums) {
        match (&self.lattice, c) {
            (Some(l), Centre::Lattice(m0)) => {
                let nt = if rest { J + 2 } else { 0 };
                let (m, t, g0) = l.pass(x, *m0, nm, nt, pp + CHAIN_GUARD);
                (Vec::new(), Sums { m, t, g0 })
            }
            (_, Centre::Point(g0)) => pass(&self.g, p, x, g0, rest, nm, pp),
            // not produced by `centre` (a lattice centre only with a lattice): the centre 0
            (None, Centre::Lattice(_)) => pass(&self.g, p, x, &Float::new(pp), rest, nm, pp),
        }
    }
}

/// The centre of a pass: an exact float, or `m0 / dg` on the lattice.
enum Centre {
    Point(Float),
    Lattice(u64),
}

/// The certified root and the pass it was certified from (for the output fields).
pub struct Root {
    /// An enclosure of the unique root on `l > 0`.
    pub root: Enc,
    /// The point `x` of the exponentials.
    x: Float,
    /// `(w_a, g_a)` per support token at the pass precision (general pass; empty on the
    /// lattice, where `phi` comes from `prep`).
    tokens: Vec<(Enc, Enc)>,
    prep: Arc<Prep>,
    sums: Sums,
    gmax: Float,
    p_max: Enc,
    r_max: Rational,
    prec: u32,
}

/// The output fields of the tilt over the root enclosure (every field encloses the exact value
/// at every `l` in it).
pub struct Fields {
    /// `psi(l)`.
    pub psi: Enc,
    /// `mu(l)`.
    pub mu: Enc,
    /// `sigma2(l)`.
    pub var: Enc,
    /// `K(l) = D(phi_l || p)`.
    pub kl: Enc,
    /// `phi_l` on the support.
    pub phi: Vec<Enc>,
}

/// Order of the Taylor expansions in `d = y - x`.
const J: usize = 3;
// the per-token factor of `Root::fields` is written out for J = 3
const _: () = assert!(J == 3);

#[derive(Clone, Debug)]
struct Sums {
    /// `M_0 .. M_{J+2}` (centred at `g0`, all tokens).
    m: Vec<Enc>,
    /// `T_0 .. T_{J+1}` (tokens with `g > 0`, uncentred); empty unless the deficit is needed.
    t: Vec<Enc>,
    /// The centre `g0` (an exact number, enclosed: `m0 / dg` on the lattice).
    g0: Enc,
}

/// `max |y|` over an enclosure, rounded up.
fn abs_max(e: &Enc, prec: u32) -> Float {
    let a = Float::with_val_round(prec, e.lo().abs_ref(), Round::Up).0;
    let b = Float::with_val_round(prec, e.hi().abs_ref(), Round::Up).0;
    if a > b {
        a
    } else {
        b
    }
}

/// `[-m, m]`.
fn sym(m: &Float) -> Enc {
    Enc::new(Float::with_val(m.prec(), -m), m.clone())
}

/// `1/j!` as an enclosure.
fn inv_fact(j: usize, prec: u32) -> Enc {
    let mut f = Rational::from(1);
    for i in 2..=j {
        f /= i as u32;
    }
    Enc::from_rational(&f, prec)
}

/// `sum_{j<=J} (-d)^j/j! s[j + k] + [-1, 1] 2 dm^{J+1}/(J+1)! bound` (module docs).
fn series(d: &Enc, s: &[Enc], k: usize, bound: &Float, prec: u32) -> Enc {
    let nd = d.neg();
    let mut pw = Enc::from_i64(1, prec);
    let mut acc = s[k].clone();
    for j in 1..=J {
        pw = pw.mul(&nd, prec);
        acc = acc.add(&pw.mul(&inv_fact(j, prec), prec).mul(&s[j + k], prec), prec);
    }
    let dm = abs_max(d, prec);
    let mut r = Float::with_val(prec, 2);
    for _ in 0..=J {
        r = mul_up(&r, &dm, prec);
    }
    let r = mul_up(&r, inv_fact(J + 1, prec).hi(), prec);
    acc.add(&sym(&mul_up(&r, bound, prec)), prec)
}

impl Sums {
    /// `S_k(y)` for `k = 0, 1, 2` at `y = x + d`.
    fn centred(&self, d: &Enc, gmax: &Float, prec: u32) -> [Enc; 3] {
        let m2 = self.m[2].hi();
        let b = |k: usize| -> Float {
            // gmax^{J-1+k} M_2
            let mut v = m2.clone();
            for _ in 0..(J - 1 + k) {
                v = mul_up(&v, gmax, prec);
            }
            v
        };
        [
            series(d, &self.m, 0, &b(0), prec),
            series(d, &self.m, 1, &b(1), prec),
            series(d, &self.m, 2, &b(2), prec),
        ]
    }
    /// `W_rest(y)`.
    fn rest(&self, d: &Enc, prec: u32) -> Enc {
        series(d, &self.t, 0, self.t[J + 1].hi(), prec)
    }
}

/// The tilt at `y = x + d` from the sums: `(ln W(y), E_y g, [S_0, S_1, S_2])`.
struct At {
    ln_w: Enc,
    eg: Enc,
    s: [Enc; 3],
}

impl Root {
    fn at(&self, y: &Enc, prec: u32) -> At {
        let d = y.sub(&Enc::point(&self.x), prec);
        let s = self.sums.centred(&d, &self.gmax, prec);
        let g0 = &self.sums.g0;
        let ln_w = d.mul(g0, prec).neg().add(&s[0].ln(prec), prec);
        let eg = g0.add(&s[1].div(&s[0], prec), prec);
        At { ln_w, eg, s }
    }

    /// The equation's left side at `y`.
    fn value(&self, eq: Equation, y: &Enc, prec: u32) -> Enc {
        let at = self.at(y, prec);
        match eq {
            // K = -y E g - ln W
            Equation::Kl => y.mul(&at.eg, prec).neg().sub(&at.ln_w, prec),
            // Delta_max - K = ln1p(W_rest / p(A_max)) + y E g
            Equation::Deficit => {
                let d = y.sub(&Enc::point(&self.x), prec);
                self.sums
                    .rest(&d, prec)
                    .div(&self.p_max, prec)
                    .ln_1p(prec)
                    .add(&y.mul(&at.eg, prec), prec)
            }
            Equation::MeanGap => at.eg,
        }
    }

    /// `psi`, `mu`, `sigma2`, `K` and `phi` over the root enclosure, from the stored pass
    /// (`None` when the lattice's enclosure of `W` over the root is not positive).
    pub fn fields(&self) -> Option<Fields> {
        let prec = self.prec;
        let y = &self.root;
        let at = self.at(y, prec);
        // psi = l r_max + ln W
        let psi = y.mul_rational(&self.r_max, prec).add(&at.ln_w, prec);
        let mu = Enc::from_rational(&self.r_max, prec).sub(&at.eg, prec);
        let e1 = at.s[1].div(&at.s[0], prec);
        let var = at.s[2]
            .div(&at.s[0], prec)
            .sub(&e1.square(prec), prec)
            .clamp_nonneg(prec); // a variance is >= 0
                                 // a KL divergence is >= 0
        let kl = y.mul(&at.eg, prec).neg().sub(&at.ln_w, prec).clamp_nonneg(prec);
        let d = y.sub(&Enc::point(&self.x), prec);
        let phi = match &self.prep.lattice {
            // phi_a = p_a e^{-y g_a} / W(y) over the root enclosure from chains at its ends
            // (tilt_chain), with W(v) = e^{-(v - x) g0} S_0(v) (module docs)
            Some(lat) => {
                // W(v) = e^{-(v - x) g0} S_0(v) at the ends v of the root enclosure
                let w_at = |v: &Float| -> Enc {
                    let v = Enc::point(v);
                    let dv = v.sub(&Enc::point(&self.x), prec);
                    let s0 = self.at(&v, prec).s[0].clone();
                    dv.mul(&self.sums.g0, prec).neg().exp(prec).mul(&s0, prec)
                };
                let t0 = std::time::Instant::now();
                let phi = lat.phi(y.lo(), y.hi(), &w_at(y.lo()), &w_at(y.hi()), &at.eg, prec);
                trace_step("phi", t0);
                phi? // in [0, 1] already
            }
            None => {
                // phi_a = w_a e^{-d δ_a} / S_0(y), with s = -d δ_a:
                // e^s in 1 + s (1 + s (1/2 + s/6)) + [-1, 1] 2 sm^4 / 4! (J = 3), where
                // sm = dm gmax >= |s| bounds every token's remainder at once
                let g0 = &self.sums.g0;
                let s0 = at.s[0].clone();
                let sm = mul_up(&abs_max(&d, prec), &self.gmax, prec);
                let mut r = Float::with_val(prec, 2);
                for _ in 0..=J {
                    r = mul_up(&r, &sm, prec);
                }
                let rem = sym(&mul_up(&r, inv_fact(J + 1, prec).hi(), prec));
                let sixth = inv_fact(3, prec);
                let half = inv_fact(2, prec);
                let one = Enc::from_i64(1, prec);
                let nd = d.neg();
                par::map(&self.tokens, |(wa, ga)| {
                    if ga.is_exact_zero() && g0.is_exact_zero() {
                        return wa.div(&s0, prec).clamp01();
                    }
                    let sa = nd.mul(&ga.sub(g0, prec), prec);
                    let f = sa.mul(&sixth, prec).add(&half, prec);
                    let f = sa.mul(&f, prec).add(&one, prec);
                    let f = sa.mul(&f, prec).add(&one, prec).add(&rem, prec);
                    wa.mul(&f, prec).div(&s0, prec).clamp01()
                })
            }
        };
        Some(Fields {
            psi,
            mu,
            var,
            kl,
            phi,
        })
    }
}

/// Tokens per block of the summation: block partial sums run on worker threads and are added
/// in block order, so the floats depend on this constant only, not on the number of threads.
const SUM_BLOCK: usize = 4096;

/// One MPFR pass at the point `x`: per-token `w_a = p_a e^{-x g_a}` (one exponential) and the
/// sums of the module docs, centred at `g0`: `M_0 .. M_{nm-1}` (`nm >= J + 3`), and `T_k` only
/// when `rest`.
fn pass(
    g: &[Rational],
    p: &[Rational],
    x: &Float,
    g0: &Float,
    rest: bool,
    nm: usize,
    prec: u32,
) -> (Vec<(Enc, Enc)>, Sums) {
    let idx: Vec<usize> = (0..g.len()).collect();
    let xe = Enc::point(x);
    let g0e = Enc::point(g0);
    let tokens: Vec<(Enc, Enc)> = par::map(&idx, |&i| {
        let ge = Enc::from_rational(&g[i], prec);
        let w = if g[i] == 0 {
            Enc::from_rational(&p[i], prec)
        } else {
            xe.mul(&ge, prec).neg().exp(prec).mul_rational(&p[i], prec)
        };
        (w, ge)
    });
    let nt = if rest { J + 2 } else { 0 };
    let blocks: Vec<&[(Enc, Enc)]> = tokens.chunks(SUM_BLOCK).collect();
    let partial: Vec<Vec<Enc>> = par::map(&blocks, |blk| {
        let mut acc = vec![Enc::zero(prec); nm + nt];
        for (w, ge) in blk.iter() {
            let dl = ge.sub(&g0e, prec);
            let mut v = w.clone();
            acc[0] = acc[0].add(&v, prec);
            for a in acc.iter_mut().take(nm).skip(1) {
                v = v.mul(&dl, prec);
                *a = a.add(&v, prec);
            }
            if rest && !ge.is_exact_zero() {
                let mut v = w.clone();
                acc[nm] = acc[nm].add(&v, prec);
                for a in acc.iter_mut().skip(nm + 1) {
                    v = v.mul(ge, prec);
                    *a = a.add(&v, prec);
                }
            }
        }
        acc
    });
    let mut tot = vec![Enc::zero(prec); nm + nt];
    for part in &partial {
        for (t, x) in tot.iter_mut().zip(part) {
            *t = t.add(x, prec);
        }
    }
    let t = tot.split_off(nm);
    (
        tokens,
        Sums {
            m: tot,
            t,
            g0: Enc::point(g0),
        },
    )
}

/// The certified root of `eq = target` on `l > 0` for a model with at least
/// [`FAST_MIN_TOKENS`] distinct rewards, with the pass it was certified from; `None` when the
/// `f64` search or the certificate fails (the caller then takes the full-precision path).
///
/// Certificate: `f(a)` and `f(b)` certified on opposite sides of the target (enclosures from
/// the pass at `x` with the rigorous remainders of the module docs). `f` is continuous and
/// strictly monotone on `l > 0` (`K' = l sigma2 > 0`, `(r_max - mu)' = -sigma2 < 0` for a
/// non-constant reward), so the intermediate value theorem puts the root in `[a, b]`, and it is
/// the only one.
pub fn solve(m: &Input, eq: Equation, target: &dyn Fn(u32) -> Enc, prec: u32) -> Option<Root> {
    let n = m.p.len();
    if n < FAST_MIN_TOKENS {
        return None;
    }
    let prep = m.cache.prep(m)?;
    let gmax_q = &prep.gmax_q;
    if *gmax_q == 0 {
        return None;
    }
    let m64 = &prep.m64;
    if !m64.gmax.is_finite() || m64.gmax <= 0.0 || m64.p.iter().any(|x| x.is_nan() || *x <= 0.0) {
        return None;
    }
    let t64 = target(64).mid().to_f64();
    let debug = std::env::var_os("ALIGNEXACT_DEBUG_ROOT").is_some();
    let t0 = std::time::Instant::now();
    let x64 = m64.root(eq, t64);
    trace_step("f64 search", t0);
    if debug {
        eprintln!("[fast root] f64 root {x64:?} of {eq:?} = {t64}");
    }
    let x64 = x64?;
    if !(x64 > 0.0 && x64.is_finite()) {
        return None;
    }
    // pass precision: the caller's plus guard bits, plus the bits K = -x E g - ln W loses to
    // cancellation (estimated in f64; the enclosures are rigorous at any precision)
    let s64 = m64.stats(eq, x64)?;
    let cancel = if eq == Equation::Kl && t64 > 0.0 {
        ((x64 * s64.eg).abs() / t64).log2().max(0.0) as u32
    } else {
        0
    };
    let pp = prec + 32 + cancel.min(4 * prec);
    let gmax = rat_up(gmax_q, pp);
    let p_max = Enc::from_rational(m.p_max, pp);
    let t = target(pp);
    let tmid = t.mid();
    let inc = eq == Equation::Kl;
    let mut x = Float::with_val(pp, x64);
    let mut f2 = s64.f2;
    // the centre g0 must lie in [0, gmax] (then |δ| <= gmax, used by the remainders)
    let mut g0 = prep.centre(&Float::with_val(pp, s64.eg), pp);
    // the moments a later `cumulants` asked for, from the same pass
    let nm = (J + 3).max(m.cache.want.load(AtomicOrdering::Relaxed) + J + 1);
    for _pass in 0..4 {
        let t0 = std::time::Instant::now();
        let (tokens, sums) = prep.pass(m.p, &x, &g0, eq == Equation::Deficit, nm, pp);
        trace_step("pass", t0);
        let mut root = Root {
            root: Enc::point(&x),
            x: x.clone(),
            tokens,
            prep: Arc::clone(&prep),
            sums,
            gmax: gmax.clone(),
            p_max: p_max.clone(),
            r_max: m.r_max.clone(),
            prec: pp,
        };
        // Halley step from x: f0, f1 from the pass (pp bits), f2 from f64 (its error enters
        // only at second order in the step)
        let xe = Enc::point(&x);
        let f0 = Float::with_val(pp, root.value(eq, &xe, pp).mid() - &tmid);
        let at = root.at(&xe, pp);
        let e1 = at.s[1].div(&at.s[0], pp).mid();
        let var = Float::with_val(
            pp,
            at.s[2].div(&at.s[0], pp).mid() - Float::with_val(pp, &e1 * &e1),
        );
        let f1 = match eq {
            Equation::Kl => Float::with_val(pp, &x * &var),
            Equation::Deficit => -Float::with_val(pp, &x * &var),
            Equation::MeanGap => -var,
        };
        if f1.is_zero() || !f1.is_finite() {
            return None;
        }
        let num = Float::with_val(pp, &f0 * &f1) * 2u32;
        let den = Float::with_val(pp, &f1 * &f1) * 2u32 - Float::with_val(pp, &f0 * f2);
        let h = Float::with_val(pp, num / den);
        let h = -h;
        let xn = Float::with_val(pp, &x + &h);
        if xn.is_nan() || xn <= 0 || !xn.is_finite() {
            return None;
        }
        // the Taylor bounds need |y - x| gmax <= 1/2 for y within the bracket
        let step_ok = mul_up(&Float::with_val(pp, h.abs_ref()), &gmax, pp) < 0.25;
        if debug {
            eprintln!(
                "[fast root] pass at x {:.20} (prec {pp}): Halley step {:e}",
                x.to_f64(),
                h.to_f64()
            );
        }
        if step_ok {
            // eps: 2^-(prec-10) relative, raised above the noise of f at xn
            let scale = Float::with_val(pp, xn.abs_ref());
            let base = Float::with_val(pp, &scale >> (prec as i32 - 10).max(1));
            let fx = root.value(eq, &Enc::point(&xn), pp);
            let noise = add_up(
                &add_up(&t.width(), &fx.width(), pp),
                &Float::with_val(pp, (fx.mid() - &tmid).abs()),
                pp,
            );
            let need = Float::with_val(pp, noise * 4u32) / Float::with_val(pp, f1.abs_ref());
            let mut eps = if need.is_finite() && need > base {
                need
            } else {
                base
            };
            // a bracket wider than 2^-(prec-24) relative would not show the digits: refine instead
            let widest = Float::with_val(pp, &scale >> (prec as i32 - 24).max(1));
            for _ in 0..4 {
                if eps > widest {
                    break;
                }
                let a = Float::with_val(pp, &xn - &eps);
                let b = Float::with_val(pp, &xn + &eps);
                // the Taylor bounds need |y - x| gmax <= 1/2 over [a, b]
                // (|y - x| bounded from the same outward-rounded enclosure of d = y - x that
                // the remainders use)
                let xe = Enc::point(&x);
                let far = fmax(
                    &abs_max(&Enc::point(&b).sub(&xe, pp), pp),
                    &abs_max(&Enc::point(&a).sub(&xe, pp), pp),
                );
                if a.is_nan() || a <= 0 || mul_up(&far, &gmax, pp) > 0.5 {
                    break;
                }
                let ok_dir = |v: Enc, left: bool| -> bool {
                    // left end: f(a) on the near side of t (K(a) < t, or D(a), M(a) > t)
                    match v.cmp_certified(&t) {
                        Some(std::cmp::Ordering::Less) => inc == left,
                        Some(std::cmp::Ordering::Greater) => inc != left,
                        _ => false,
                    }
                };
                let a_ok = ok_dir(root.value(eq, &Enc::point(&a), pp), true);
                let b_ok = ok_dir(root.value(eq, &Enc::point(&b), pp), false);
                if debug {
                    eprintln!(
                        "[fast root] prec {pp} x {:.20} eps 2^{} a_ok {a_ok} b_ok {b_ok}",
                        xn.to_f64(),
                        exp2_of(&eps).unwrap_or(0),
                    );
                }
                if a_ok && b_ok {
                    root.root = Enc::new(a, b);
                    return Some(root);
                }
                eps <<= 4;
            }
        }
        // another pass from the refined point
        x = xn;
        g0 = prep.centre(&root.value(Equation::MeanGap, &Enc::point(&x), pp).mid(), pp);
        if let Some(s) = m64.stats(eq, x.to_f64()) {
            f2 = s.f2;
        }
    }
    None
}

/// One MPFR pass at a given point `x > 0` (no root search), for a model with at least
/// [`FAST_MIN_TOKENS`] tokens and a non-constant reward: the returned [`Root`] (its `root` is the
/// point `x`) evaluates `psi`, `mu` and the centred moments at any `y` with `|y - x| gmax <= 1/2`
/// ([`Root::psi_mu`], [`Root::moments`]) from the sums `M_0 .. M_{J+2+extra}`, without another
/// exponential. `prec` is the caller's precision; the pass runs 32 bits above it.
pub fn probe(m: &Input, x: &Float, extra: usize, prec: u32) -> Option<Root> {
    if m.p.len() < FAST_MIN_TOKENS || !(x.is_finite() && *x > 0) {
        return None;
    }
    let prep = m.cache.prep(m)?;
    if prep.gmax_q == 0 {
        return None;
    }
    let pp = prec + 32;
    // the centre: E g at x in f64 (not rigorous, it only has to lie in [0, gmax], checked
    // exactly; the remainders use |δ| <= gmax)
    let xf = x.to_f64();
    let (mut sw, mut sg) = (0.0f64, 0.0f64);
    for (pa, gf) in prep.m64.p.iter().zip(&prep.m64.g) {
        let w = pa * (-xf * gf).exp();
        sw += w;
        sg += w * gf;
    }
    let g0 = prep.centre(&Float::with_val(pp, sg / sw), pp);
    let x = Float::with_val(pp, x);
    let t0 = std::time::Instant::now();
    let (tokens, sums) = prep.pass(m.p, &x, &g0, false, J + 3 + extra, pp);
    trace_step("probe pass", t0);
    Some(Root {
        root: Enc::point(&x),
        x,
        tokens,
        sums,
        gmax: rat_up(&prep.gmax_q, pp),
        prep,
        p_max: Enc::from_rational(m.p_max, pp),
        r_max: m.r_max.clone(),
        prec: pp,
    })
}

impl Root {
    /// The pass point `x` (at the pass precision).
    pub fn point(&self) -> &Float {
        &self.x
    }

    /// True when `|y - x| gmax <= 1/2` is certified for every `y` in the enclosure (the
    /// condition of every remainder of the module docs): `|y - x|` is bounded from the
    /// outward-rounded enclosure of `d = y - x`, the product rounded up.
    fn near(&self, y: &Enc) -> bool {
        let d = y.sub(&Enc::point(&self.x), self.prec);
        y.lo().is_finite()
            && y.hi().is_finite()
            && mul_up(&abs_max(&d, self.prec), &self.gmax, self.prec) <= 0.5
    }

    /// `(psi(y), mu(y))` enclosed over the enclosure `y` (every `y` in it), from the pass:
    /// `psi = y r_max + ln W(y)`, `mu = r_max - E_y g` (module docs); `None` unless `y` is near
    /// the pass point.
    pub fn psi_mu(&self, y: &Enc) -> Option<(Enc, Enc)> {
        if !self.near(y) {
            return None;
        }
        let prec = self.prec;
        let at = self.at(y, prec);
        let psi = y.mul_rational(&self.r_max, prec).add(&at.ln_w, prec);
        let mu = Enc::from_rational(&self.r_max, prec).sub(&at.eg, prec);
        Some((psi, mu))
    }

    /// `(E_y g, [nu_0, .., nu_order])` with `nu_k = E_y (g - g0)^k` about the pass centre `g0`
    /// (exact), over the enclosure `y`: `nu_k = S_k(y) / S_0(y)` (the factor `e^{-d g0}` of `W`
    /// cancels), each `S_k` from its series with the remainder
    /// `2 dm^{J+1}/(J+1)! gmax^{J-1+k} M_2` of the module docs (valid for every `k >= 0`).
    /// `None` unless `y` is near the pass point and the pass summed `M_0 .. M_{order+J}`.
    pub fn moments(&self, y: &Enc, order: usize) -> Option<(Enc, Vec<Enc>)> {
        let n = order.max(1);
        if !self.near(y) || self.sums.m.len() < n + J + 1 {
            return None;
        }
        let prec = self.prec;
        let d = y.sub(&Enc::point(&self.x), prec);
        let m2 = self.sums.m[2].hi();
        let s: Vec<Enc> = (0..=n)
            .map(|k| {
                let mut b = m2.clone();
                for _ in 0..(J - 1 + k) {
                    b = mul_up(&b, &self.gmax, prec);
                }
                series(&d, &self.sums.m, k, &b, prec)
            })
            .collect();
        let mut nu = vec![Enc::from_i64(1, prec)];
        nu.extend(s.iter().skip(1).map(|sk| sk.div(&s[0], prec)));
        let eg = self.sums.g0.add(&nu[1], prec);
        nu.truncate(order + 1);
        Some((eg, nu))
    }
}
