//! The windowed route for Markov chains (MATH.md §9 with memory, §10): certified best-of-N and
//! finite-n optimum quantities at large `n` without the exact level law (MKV-1 costs `O(n^2)` bits).
//! Derivation: `proofs/markov.md`, section "The windowed route for chains".
//!
//! # Lattice form
//! On the reachable states `r_a = c + h k_a` with integers `0 <= k_a <= d`, `gcd` of the
//! differences 1. `M(z)_ij = P_ij z^{k_j}`, `u(z)_i = q_i z^{k_i}`; the level generating function
//! is `sum_s P_S(s) z^s = u(z)^T M(z)^{n-1} 1` (MKV-1).
//!
//! # Tilt identity (WIN-1 with memory)
//! For an exact rational `theta > 0` let `(rho, h)` be the Perron pair of `M(e^theta)` (`h > 0`,
//! certified by [`perron_pair`] on the shifted matrix `e^{-theta d} M(e^theta)`). The Doob
//! transform `D_ij = P_ij e^{theta k_j} h_j / (rho h_i)` is stochastic and
//! `P_S(s) = C rho^{n-1} e^{-theta s} sum_j [z^s] g_j(z) / h_j`, `C = sum_i q_i e^{theta k_i} h_i`,
//! `g(z)^T = q'(z)^T D(z)^{n-1}`, `q'_i = q_i e^{theta k_i} h_i / C`. The coefficients of all the
//! `g_j` are non-negative and sum to exactly 1.
//!
//! # Windowed power (WIN-2 for a stochastic polynomial matrix)
//! Fixed point with `B` bits: lower bounds `L(D_ij) = floor(2^B lo(D_ij))`, `L(q'_i)` likewise.
//! Products and sums of lower bounds of non-negative numbers are lower bounds; floors and dropping
//! coefficients outside a window only lower them. So the final `L_g(j, s) <= 2^B [z^s] g_j(z)`,
//! and since the `g_j` have total mass exactly 1, the exact deficit `E_g = 2^B - sum L_g` bounds
//! the sum of all the non-negative differences (no per-row deficits of the intermediate powers
//! are needed: only the final vector's total mass is used). Matrix squarings are `k^3`
//! Kronecker products ([`crate::math::window::product_window`]); every product sum is at most
//! `2^{2B}` (each row of a lower bound of `D^m` sums to at most `2^B`), so no slot carries.
//!
//! # Reading the law through the memoryless window
//! With `w_j = (1/h_j) / Z`, `Z >= sum_j mass_j / h_j` (an upper end; `mass_j` the exact total
//! mass of `g_j`, and `sum_j mass_j / h_j = E e^{theta K_n} / (C rho^{n-1})` by the identity
//! above, enclosed from [`shifted_log_mgf`]), `G*(s) = sum_j w_j [z^s] g_j(z)` has total mass
//! `<= 1` (and within rounding of 1) and `P_S(s) = C rho^{n-1} Z e^{-theta s} G*(s)`.
//! Its lower bounds `L*(s) = floor(sum_j L_g(j, s) A_j / 2^B)`, `A_j = floor(2^B lo(w_j))`, satisfy
//! `sum_s (2^B G*(s) - L*(s)) <= max_j w_j E_g + 2^B max_j (w_j - A_j 2^-B) + (levels)` (each floor loses < 1),
//! which is the contract of [`WindowLaw::from_power`]: the memoryless window's tails (WIN-3),
//! listing and unlisted-mass bounds then apply unchanged.
//!
//! # Finite-n log-MGF and the optimum (MKV-2)
//! `Lambda_n(l) = ln E e^{l S_n} = ln u(e^l)^T M(e^l)^{n-1} 1` with its first two derivatives, from
//! one binary powering of a `k x k` matrix of truncated Taylor series in `t` (`l + t`), in interval
//! arithmetic ([`log_mgf`]). In lattice units with the shift `e^{-theta d}` every series
//! coefficient of `t^j` has the sign `(-1)^j` in every product, so nothing cancels in the powers.
//! `l_n` is the root of `D(l) = l Lambda_n'(l) - Lambda_n(l) = n Delta` ([`l_n`]): `D` is strictly
//! increasing on `l > 0` (`D' = l Lambda_n'' = l Var_{Phi_l} S_n > 0` for a non-constant `S_n`),
//! so two certified signs of `D - n Delta` at the ends of a bracket enclose the unique root.

use crate::math::best_of_n as bon;
use crate::math::level_source::{LevelProbs, LevelSource, Method, ReverseKlCtx, SeqOptimum, Unlisted};
use crate::math::markov::ChainTilt;
use crate::math::perron::{perron_pair, EncMat};
use crate::math::tilt::Optimum;
use crate::math::window::{
    fixed_bits, pack_slots, unpack_slots, window_for, TiltedPower, WinLattice, WindowKnob, WindowLaw,
};
use crate::real::round::{add_up, int_up};
use crate::real::Enc;
use rug::{Float, Integer, Rational};
use std::sync::Arc;

/// A chain on its reachable states in lattice form (see the module documentation).
#[derive(Clone, Debug)]
pub struct ChainLattice {
    /// `P` on the reachable states.
    pub p: Vec<Vec<Rational>>,
    /// `q` on the reachable states.
    pub q: Vec<Rational>,
    /// `k_a` per reachable state.
    pub ks: Vec<usize>,
    /// `d = max k_a`.
    pub d: usize,
    /// The memoryless lattice data shared with [`WindowLaw`]: `scale`, `m_min`, `g`, `d` are the
    /// chain's; its `ks`/`ps` are the law of the first token only (never used by a chain window,
    /// whose prefactor is [`WindowLaw::ln_pref`] and whose reverse KL is [`chain_reverse_kl`]).
    pub win: WinLattice,
    /// Smallest positive initial probability.
    pub q_min: Rational,
    /// Smallest positive transition probability.
    pub p_min: Rational,
}

impl ChainLattice {
    /// The lattice form of an ergodic chain with a non-constant reward; `None` otherwise (or when
    /// the span exceeds [`crate::math::window::MAX_SPAN`]).
    pub fn new(ct: &ChainTilt) -> Option<ChainLattice> {
        if !ct.structure.ergodic() || ct.is_constant() {
            return None;
        }
        let k = ct.k();
        // the first token's law as a memoryless lattice: scale, m_min and g come out of the
        // rewards of all reachable states only if every state is in the support, so the lattice
        // is built from all reachable rewards with a positive dummy weight
        let ones = vec![Rational::from((1, k as u32)); k];
        let win0 = WinLattice::new(&ones, &ct.r)?;
        let ks: Vec<usize> =
            ct.r.iter()
                .map(|r| {
                    let m = Integer::from(&win0.scale / r.denom()) * r.numer();
                    ((m - &win0.m_min) / &win0.g).to_usize().expect("span checked")
                })
                .collect();
        let d = *ks.iter().max()?;
        // the first token's law: q aggregated by exponent (documentation only, see `win`)
        let mut ps = vec![Rational::new(); win0.ks.len()];
        for (a, ka) in ks.iter().enumerate() {
            let i = win0.ks.iter().position(|x| x == ka).expect("exponent");
            ps[i] += &ct.q[a];
        }
        let win = WinLattice { ps, ..win0 };
        let q_min = ct.q.iter().filter(|x| **x > 0).min()?.clone();
        let p_min = ct.p.iter().flatten().filter(|x| **x > 0).min()?.clone();
        Some(ChainLattice {
            p: ct.p.clone(),
            q: ct.q.clone(),
            ks,
            d,
            win,
            q_min,
            p_min,
        })
    }
    /// Number of states.
    pub fn k(&self) -> usize {
        self.p.len()
    }
    /// `c = r_min`.
    fn c(&self) -> Rational {
        Rational::from((self.win.m_min.clone(), self.win.scale.clone()))
    }
    /// The shifted tilted matrix `M~_ij = P_ij e^{theta (k_j - d)}` and vector `u~_i = q_i e^{theta (k_i - d)}`.
    fn shifted(&self, theta: &Enc, prec: u32) -> (EncMat, Vec<Enc>) {
        let d = self.d as i64;
        let e: Vec<Enc> = self
            .ks
            .iter()
            .map(|&kj| theta.mul(&Enc::from_i64(kj as i64 - d, prec), prec).exp(prec))
            .collect();
        let m = self
            .p
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&e)
                    .map(|(pij, ej)| {
                        if *pij == 0 {
                            Enc::zero(prec)
                        } else {
                            ej.mul_rational(pij, prec)
                        }
                    })
                    .collect()
            })
            .collect();
        let u = self
            .q
            .iter()
            .zip(&e)
            .map(|(qi, ei)| {
                if *qi == 0 {
                    Enc::zero(prec)
                } else {
                    ei.mul_rational(qi, prec)
                }
            })
            .collect();
        (m, u)
    }
}

// ---------------------------------------------------------------------------------------------
// Finite-n log-MGF by a matrix power of truncated series (MKV-2 without the exact law)
// ---------------------------------------------------------------------------------------------

/// A truncated series `sum_j c_j t^j` with enclosure coefficients.
type Jet = Vec<Enc>;

fn jet_mul(a: &Jet, b: &Jet, prec: u32) -> Jet {
    let n = a.len();
    (0..n)
        .map(|j| {
            let mut s = Enc::zero(prec);
            for i in 0..=j {
                s = s.add(&a[i].mul(&b[j - i], prec), prec);
            }
            s
        })
        .collect()
}

fn jet_add(a: &Jet, b: &Jet, prec: u32) -> Jet {
    a.iter().zip(b).map(|(x, y)| x.add(y, prec)).collect()
}

fn shift_down(x: &Float, sh: i64) -> Float {
    // multiplication by 2^-sh is exact in binary floating point (the widened exponent range);
    // in steps that fit an i32
    let mut y = x.clone();
    let mut rest = sh;
    while rest != 0 {
        let step = rest.clamp(-(1 << 30), 1 << 30);
        y >>= step as i32;
        rest -= step;
    }
    y
}

fn scale2(e: &Enc, sh: i64) -> Enc {
    Enc::new(shift_down(e.lo(), sh), shift_down(e.hi(), sh))
}

/// Divide every coefficient of a jet matrix by `2^sh` so that its largest constant term is near 1
/// (exact), returning `sh`.
fn normalise(m: &mut [Vec<Jet>]) -> i64 {
    let mut top: Option<i64> = None;
    for row in m.iter() {
        for e in row {
            if let Some(x) = crate::real::round::exp2_of(e[0].hi()) {
                top = Some(top.map_or(x, |t| t.max(x)));
            }
        }
    }
    let Some(sh) = top else { return 0 };
    for row in m.iter_mut() {
        for e in row.iter_mut() {
            for c in e.iter_mut() {
                *c = scale2(c, sh);
            }
        }
    }
    sh
}

/// `L(theta + t) = ln u~(theta + t)^T M~(theta + t)^{n-1} 1` in lattice units, shifted
/// (`M~ = e^{-theta d} M(e^theta)`), as `[ln e_0, e_1 / e_0, 2 e_2 / e_0 - (e_1/e_0)^2]` up to
/// `order` (`<= 2`): the value, first and second derivative of `ln E e^{theta K_n} - n theta d`.
#[allow(clippy::needless_range_loop)] // index loops mirror the matrix products (i, l, j)
fn shifted_log_mgf(lat: &ChainLattice, theta: &Enc, n: u64, order: usize, prec: u32) -> Vec<Enc> {
    let k = lat.k();
    let d = lat.d as i64;
    let o = order + 1;
    // e^{(theta + t)(k_j - d)} = e^{theta (k_j - d)} sum_i ((k_j - d) t)^i / i!
    let ej: Vec<Jet> = lat
        .ks
        .iter()
        .map(|&kj| {
            let g = kj as i64 - d;
            let base = theta.mul(&Enc::from_i64(g, prec), prec).exp(prec);
            let mut fact = Rational::from(1);
            (0..o)
                .map(|i| {
                    if i > 0 {
                        fact *= i as u32;
                    }
                    let c = rug::ops::Pow::pow(Rational::from(g), i as u32) / &fact;
                    base.mul_rational(&c, prec)
                })
                .collect()
        })
        .collect();
    let zero: Jet = vec![Enc::zero(prec); o];
    let mut m: Vec<Vec<Jet>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| {
                    if lat.p[a][b] == 0 {
                        zero.clone()
                    } else {
                        ej[b].iter().map(|x| x.mul_rational(&lat.p[a][b], prec)).collect()
                    }
                })
                .collect()
        })
        .collect();
    // v = M^{n-1} 1 by binary powering (powers of M commute), with exact power-of-two rescaling
    let mut one: Jet = zero.clone();
    one[0] = Enc::from_i64(1, prec);
    let mut v: Vec<Jet> = vec![one; k];
    let mut log2_scale: i64 = 0; // true v = 2^{log2_scale} v
    let mut msh: i64 = 0; // true M^{2^i} = 2^{msh} m
    let mut e = n - 1;
    while e > 0 {
        if e & 1 == 1 {
            v = (0..k)
                .map(|a| {
                    let mut s = zero.clone();
                    for b in 0..k {
                        s = jet_add(&s, &jet_mul(&m[a][b], &v[b], prec), prec);
                    }
                    s
                })
                .collect();
            log2_scale += msh;
            let mut vv = vec![v];
            log2_scale += normalise(&mut vv);
            v = vv.pop().expect("one row");
        }
        e >>= 1;
        if e > 0 {
            let sq: Vec<Vec<Jet>> = (0..k)
                .map(|a| {
                    (0..k)
                        .map(|b| {
                            let mut s = zero.clone();
                            for l in 0..k {
                                s = jet_add(&s, &jet_mul(&m[a][l], &m[l][b], prec), prec);
                            }
                            s
                        })
                        .collect()
                })
                .collect();
            m = sq;
            msh *= 2;
            msh += normalise(&mut m);
        }
    }
    let mut tot = zero.clone();
    for a in 0..k {
        if lat.q[a] == 0 {
            continue;
        }
        let ua: Jet = ej[a].iter().map(|x| x.mul_rational(&lat.q[a], prec)).collect();
        tot = jet_add(&tot, &jet_mul(&ua, &v[a], prec), prec);
    }
    let ln2 = Enc::ln2(prec);
    let l0 = tot[0]
        .ln(prec)
        .add(&ln2.mul(&Enc::from_i64(log2_scale, prec), prec), prec);
    let mut out = vec![l0];
    if order >= 1 {
        out.push(tot[1].div(&tot[0], prec));
    }
    if order >= 2 {
        let r1 = tot[1].div(&tot[0], prec);
        out.push(
            tot[2]
                .div(&tot[0], prec)
                .mul_rational(&Rational::from(2), prec)
                .sub(&r1.square(prec), prec),
        );
    }
    out
}

/// `Lambda_n(l) = ln E e^{l S_n}` and its first `order <= 2` derivatives at an enclosure `l >= 0`
/// (reward units): `Lambda_n(l) = l n c + n theta d + L~(theta)`, `theta = l h`, with `L~` from
/// [`shifted_log_mgf`]; `Lambda' = n c + h (n d + L~')`, `Lambda'' = h^2 L~''`.
pub fn log_mgf(lat: &ChainLattice, l: &Enc, n: u64, order: usize, prec: u32) -> Vec<Enc> {
    let wp = prec + 2 * (64 - n.leading_zeros()) + 16;
    let h = lat.win.span();
    let c = lat.c();
    let theta = l.mul_rational(&h, wp);
    let lt = shifted_log_mgf(lat, &theta, n, order, wp);
    let nd = Rational::from(n) * Integer::from(lat.d);
    let nc = Rational::from(&c * n);
    let mut out = vec![l
        .mul_rational(&Rational::from(&nc + &(Rational::from(&nd * &h))), wp)
        .add(&lt[0], prec)];
    if order >= 1 {
        let dn = Enc::from_rational(&nd, wp).add(&lt[1], wp);
        out.push(dn.mul_rational(&h, wp).add(&Enc::from_rational(&nc, wp), prec));
    }
    if order >= 2 {
        out.push(lt[2].mul_rational(&Rational::from(&h * &h), prec));
    }
    out
}

/// `D(l) = l Lambda_n'(l) - Lambda_n(l)` (the KL of the finite-n optimum from the reference).
fn kl_of(lat: &ChainLattice, l: &Enc, n: u64, prec: u32) -> Enc {
    let v = log_mgf(lat, l, n, 1, prec);
    l.mul(&v[1], prec).sub(&v[0], prec)
}

/// MKV-2: the finite-n optimum's tilt `l_n > 0` with `D(l_n) = n Delta` (see the module
/// documentation), certified by the signs of `D - n Delta` at the ends of a small bracket.
/// `None` for `Delta <= 0`, when `n Delta` is at or beyond the saturation `-ln P(S_n = max)`
/// (no root below `2^40`), or when the signs cannot be certified at this precision.
pub fn l_n(lat: &ChainLattice, n: u64, delta: &Rational, prec: u32) -> Option<Enc> {
    if *delta <= 0 {
        return None;
    }
    let target = Rational::from(delta * n);
    let te = Enc::from_rational(&target, prec + 64);
    let below = |x: &Float, p: u32| -> Option<bool> {
        match kl_of(lat, &Enc::point(x), n, p).cmp_certified(&Enc::from_rational(&target, p)) {
            Some(std::cmp::Ordering::Less) => Some(true),
            Some(std::cmp::Ordering::Greater) => Some(false),
            _ => None,
        }
    };
    // bracket [a, b] with D(a) < n Delta < D(b), at 64 bits
    let p0 = 96u32;
    let mut b = Float::with_val(p0, 1);
    loop {
        match below(&b, p0) {
            Some(true) => b *= 2u32,
            Some(false) => break,
            None => return None,
        }
        if b > (1u64 << 40) {
            return None;
        }
    }
    let mut a = Float::with_val(p0, &b / 2u32);
    while a > 1e-30 && below(&a, p0) == Some(false) {
        a /= 2u32;
    }
    // bisection to ~40 bits, then Newton with D' = l Lambda'' at rising precision
    for _ in 0..40 {
        let m = Float::with_val(p0, &a + &b) / 2u32;
        match below(&m, p0) {
            Some(true) => a = m,
            Some(false) => b = m,
            None => break,
        }
    }
    let mut x = Float::with_val(p0, &a + &b) / 2u32;
    let mut p = p0;
    loop {
        p = (p * 2).min(prec + 64);
        x = Float::with_val(p, &x);
        for _ in 0..2 {
            let xe = Enc::point(&x);
            let v = log_mgf(lat, &xe, n, 2, p);
            let dv = xe.mul(&v[1], p).sub(&v[0], p).sub(&te, p);
            let dd = xe.mul(&v[2], p);
            let step = dv.div(&dd, p).mid();
            if !step.is_finite() {
                break;
            }
            x -= step;
        }
        if p >= prec + 64 {
            break;
        }
    }
    // certify [x - eps, x + eps]
    // (a relative width 2^-(prec + 24): l enters l S - Lambda_n(l) and l E S, whose two terms
    // each carry n times the width of l)
    let pw = prec + 64 + 2 * (64 - n.leading_zeros());
    x = Float::with_val(pw, &x);
    let mut eps = Float::with_val(pw, x.clone().abs() >> (prec as i32 + 24));
    for _ in 0..8 {
        let lo = Float::with_val(pw, &x - &eps);
        let hi = Float::with_val(pw, &x + &eps);
        if lo > 0 && below(&lo, pw) == Some(true) && below(&hi, pw) == Some(false) {
            // D is strictly increasing on l > 0: D(lo) < n Delta < D(hi) puts the root in [lo, hi]
            return Some(Enc::new(lo, hi));
        }
        eps <<= 8;
    }
    None
}

/// The finite-n optimum of a chain for `compare` on the window route (MKV-2): `l_n` and
/// `Lambda_n`, `E_{phi_n} S_n = Lambda_n'` at it. Only the interior regime is offered (the
/// window route is planned only there; `None` otherwise, so the field is not certified).
pub struct ChainOptimum<'a> {
    /// The lattice.
    pub lat: &'a ChainLattice,
    /// `n`.
    pub n: u64,
    /// The per-token budget.
    pub delta: Rational,
}

impl SeqOptimum for ChainOptimum<'_> {
    fn optimum(&self, prec: u32) -> Option<Optimum> {
        l_n(self.lat, self.n, &self.delta, prec).map(Optimum::Interior)
    }
    fn psi_mu(&self, l: &Enc, prec: u32) -> (Enc, Enc) {
        let v = log_mgf(self.lat, l, self.n, 1, prec);
        (v[0].clone(), v[1].clone())
    }
    fn mean_total(&self) -> Option<Rational> {
        None
    }
    fn r_max_total(&self) -> Option<Rational> {
        None
    }
    fn delta_max_total(&self, _prec: u32) -> Option<Enc> {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// The windowed Doob power
// ---------------------------------------------------------------------------------------------

/// A `k x k` matrix of windowed fixed-point polynomials sharing the window `[a, a + len)`.
struct PolyMat {
    a: usize,
    len: usize,
    e: Vec<Vec<Vec<Integer>>>,
}

fn floor_bits(x: &Float, bits: u32) -> Integer {
    let v = Float::with_val(x.prec(), x << bits as i32);
    v.floor().to_integer().unwrap_or_default().max(Integer::new())
}

/// Placement of the windows: per-token mean and variance of `K_n` under the tilt `theta`
/// (finite-n, from [`shifted_log_mgf`]; a heuristic only, also used by the cost estimate).
pub fn moments(lat: &ChainLattice, theta: &Rational, n: u64) -> (f64, f64) {
    let p = 64 + 2 * (64 - n.leading_zeros());
    let v = shifted_log_mgf(lat, &Enc::from_rational(theta, p), n, 2, p);
    let mean = lat.d as f64 + v[1].mid().to_f64() / n as f64;
    let var = v[2].mid().to_f64() / n as f64;
    (
        mean,
        if var.is_finite() {
            var.max(1e-300)
        } else {
            lat.d as f64
        },
    )
}

/// The Doob-transformed windowed power at `theta` (see the module documentation): the
/// [`TiltedPower`] of `G*` and the prefactor `ln(C rho^{n-1} H)`. `None` when the Perron pair is
/// not certified at this precision.
#[allow(clippy::needless_range_loop)] // index loops mirror the matrix products (i, l, j)
fn doob_power(
    lat: &ChainLattice,
    theta: &Rational,
    n: u64,
    bits: u32,
    knob: WindowKnob,
) -> Option<(TiltedPower, Enc)> {
    let k = lat.k();
    let prec = bits + 64;
    let th = Enc::from_rational(theta, prec);
    let (m, u) = lat.shifted(&th, prec);
    let pair = perron_pair(&m, prec)?;
    let (h, rho) = (&pair.v, &pair.rho);
    // Doob entries and the tilted initial law, floored lower ends
    let lmat: Vec<Vec<Integer>> = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    if lat.p[i][j] == 0 {
                        Integer::new()
                    } else {
                        let dij = m[i][j].mul(&h[j], prec).div(&rho.mul(&h[i], prec), prec);
                        floor_bits(dij.lo(), bits)
                    }
                })
                .collect()
        })
        .collect();
    let uh: Vec<Enc> = (0..k).map(|i| u[i].mul(&h[i], prec)).collect();
    let c = Enc::sum(uh.iter(), prec);
    let lq: Vec<Integer> = uh
        .iter()
        .map(|x| floor_bits(x.div(&c, prec).lo(), bits))
        .collect();
    let tt = std::time::Instant::now();
    let (mean, var) = moments(lat, theta, n);
    let t_mom = tt.elapsed().as_secs_f64();
    let mut t_sq = 0.0f64;
    let mut t_mb = 0.0f64;
    let sd = var.sqrt();
    let d = lat.d;
    // transients of the chain move the centre by O(d / gap): a margin of 4 d levels (heuristic)
    let margin = 4 * d;
    let win = |m: u64| -> (usize, usize) {
        let (lo, hi) = window_for(m, d, mean, sd, bits, knob);
        (lo.saturating_sub(margin), (hi + margin).min(m as usize * d))
    };
    // D^{n-1} by binary powering from the top bit
    let pw = if n >= 2 {
        let e = n - 1;
        let base = |i: usize, j: usize| -> Vec<Integer> {
            let mut v = vec![Integer::new(); d + 1];
            v[lat.ks[j]] = lmat[i][j].clone();
            v
        };
        let mut cur = PolyMat {
            a: 0,
            len: d + 1,
            e: (0..k).map(|i| (0..k).map(|j| base(i, j)).collect()).collect(),
        };
        let mut mm: u64 = 1;
        let top = 63 - e.leading_zeros();
        for bit in (0..top).rev() {
            let m2 = 2 * mm;
            let ts = std::time::Instant::now();
            let (lo, hi) = win(m2);
            let x = &cur;
            // every entry packed once; for each (i, j) the packed products over l are summed as
            // integers before unpacking: the slot sums are sum_l (X_il * X_lj)(s) <= 2^{2B}
            // (D^{2m})_ij(s) <= 2^{2B}, so no slot carries and one unpacking gives the sums
            let packed: Vec<Vec<Option<Integer>>> =
                x.e.iter()
                    .map(|row| {
                        row.iter()
                            .map(|v| (!v.iter().all(|c| *c == 0)).then(|| pack_slots(v, bits)))
                            .collect()
                    })
                    .collect();
            let e2: Vec<Vec<Vec<Integer>>> = (0..k)
                .map(|i| {
                    (0..k)
                        .map(|j| {
                            let mut acc = Integer::new();
                            for l in 0..k {
                                if let (Some(pi), Some(pj)) = (&packed[i][l], &packed[l][j]) {
                                    if i == l && l == j {
                                        acc += pi.square_ref();
                                    } else {
                                        acc += pi * pj;
                                    }
                                }
                            }
                            unpack_slots(&acc, 2 * x.a, bits, lo, hi, bits)
                        })
                        .collect()
                })
                .collect();
            cur = PolyMat {
                a: lo,
                len: hi - lo + 1,
                e: e2,
            };
            mm = m2;
            t_sq += ts.elapsed().as_secs_f64();
            let ts = std::time::Instant::now();
            if (e >> bit) & 1 == 1 {
                let (lo, hi) = win(mm + 1);
                let x = &cur;
                let e2: Vec<Vec<Vec<Integer>>> = (0..k)
                    .map(|i| {
                        (0..k)
                            .map(|j| {
                                let kj = lat.ks[j];
                                (lo..=hi)
                                    .map(|s| {
                                        let mut acc = Integer::new();
                                        if s >= kj + x.a && s - kj - x.a < x.len {
                                            for l in 0..k {
                                                if lmat[l][j] != 0 {
                                                    acc += &x.e[i][l][s - kj - x.a] * &lmat[l][j];
                                                }
                                            }
                                        }
                                        acc >> bits
                                    })
                                    .collect()
                            })
                            .collect()
                    })
                    .collect();
                cur = PolyMat {
                    a: lo,
                    len: hi - lo + 1,
                    e: e2,
                };
                mm += 1;
            }
            t_mb += ts.elapsed().as_secs_f64();
        }
        debug_assert_eq!(mm, e);
        Some(cur)
    } else {
        None
    };
    // g_j(s) = sum_i L(q'_i) X_ij(s - k_i), over the levels [a, a + len - 1 + d]
    let (ga, glen) = match &pw {
        Some(x) => (x.a, x.len + d),
        None => (0, d + 1),
    };
    let g: Vec<Vec<Integer>> = (0..k)
        .map(|j| {
            (0..glen)
                .map(|t| {
                    let s = ga + t;
                    let mut acc = Integer::new();
                    for i in 0..k {
                        let ki = lat.ks[i];
                        if lq[i] == 0 || s < ki {
                            continue;
                        }
                        match &pw {
                            Some(x) => {
                                if s - ki >= x.a && s - ki - x.a < x.len {
                                    acc += &x.e[i][j][s - ki - x.a] * &lq[i];
                                }
                            }
                            None => {
                                if i == j && s == ki {
                                    acc += Integer::from(&lq[i]) << bits;
                                }
                            }
                        }
                    }
                    acc >> bits
                })
                .collect()
        })
        .collect();
    let one = Integer::from(1) << bits;
    let total: Integer = g.iter().flatten().sum();
    let eg = Integer::from(&one - &total);
    assert!(
        eg >= 0,
        "chain window: lower bounds exceed the total mass (internal error)"
    );
    // weights w_j = (1/h_j) / Z with Z an upper end of sum_j mass_j / h_j, mass_j the Doob chain's
    // law at time n (the exact total mass of g_j); by the tilt identity
    // sum_j mass_j / h_j = E e^{theta K_n} / (C rho^{n-1}) = e^{L~(theta) - ln C~ - (n-1) ln rho~}
    // (shifted units, [`shifted_log_mgf`]), so G* = sum_j w_j g_j has total mass <= 1 (and close
    // to 1, which keeps the outside-mass bounds 1 - sum L* tight)
    if crate::real::ziv::trace_on() {
        eprintln!(
            "[chain window] moments {t_mom:.3} s, squarings {t_sq:.3} s, base products {t_mb:.3} s, final {:.3} s",
            tt.elapsed().as_secs_f64() - t_mom - t_sq - t_mb
        );
    }
    let lt = shifted_log_mgf(lat, &th, n, 0, prec);
    let ln_c = c.ln(prec);
    let ln_rho = rho.ln(prec);
    let ln_z = lt[0]
        .sub(&ln_c, prec)
        .sub(&ln_rho.mul_rational(&Rational::from(n - 1), prec), prec);
    let z = Enc::point(ln_z.exp(prec).hi());
    let ws: Vec<Enc> = h
        .iter()
        .map(|x| Enc::from_i64(1, prec).div(x, prec).div(&z, prec))
        .collect();
    let aw: Vec<Integer> = ws.iter().map(|w| floor_bits(w.lo(), bits)).collect();
    let fmax = |v: Vec<Float>| v.into_iter().reduce(|a, b| crate::real::round::fmax(&a, &b));
    // max_j (w_j - A_j 2^-B) <= max_j width(w_j) + 2^-B; max_j w_j <= max_j hi(w_j)
    let wmax_width = fmax(ws.iter().map(|w| w.width()).collect())?;
    let wmax = fmax(ws.iter().map(|w| w.hi().clone()).collect())?;
    let wslack = Float::with_val(prec, &wmax_width << bits as i32)
        .ceil()
        .to_integer()?
        + 1u32;
    let coef: Vec<Integer> = (0..glen)
        .map(|t| {
            let mut acc = Integer::new();
            for j in 0..k {
                if g[j][t] != 0 {
                    acc += &g[j][t] * &aw[j];
                }
            }
            acc >> bits
        })
        .collect();
    // sum_s (2^B G*(s) - L*(s)) <= max_j w_j E_g + 2^B max_j (w_j - A_j 2^-B) + (one per floored
    // level): the first from sum_j w_j (2^B g_j - L_g) summed over (j, s), the second from
    // sum_{j,s} L_g(j, s) <= 2^B
    let eg_w = crate::real::round::mul_up(&int_up(&eg, prec), &wmax, prec)
        .ceil()
        .to_integer()?;
    let deficit = eg_w + wslack + Integer::from(glen);
    // ln(C rho^{n-1} Z) = n theta d + ln C~ + (n - 1) ln rho~ + ln Z
    let nd = Rational::from(n) * Integer::from(d);
    let ln_pref = th
        .mul_rational(&nd, prec)
        .add(&ln_c, prec)
        .add(&ln_rho.mul_rational(&Rational::from(n - 1), prec), prec)
        .add(&z.ln(prec), prec);
    Some((
        TiltedPower {
            bits,
            a: ga,
            coef,
            deficit,
        },
        ln_pref,
    ))
}

/// The windowed level law of a chain at one tilt (a [`LevelSource`]): the memoryless window's
/// reading ([`WindowLaw::from_power`]) of the Doob-transformed power, and the reverse KL's rest by
/// [`chain_reverse_kl`].
#[derive(Clone, Debug)]
pub struct ChainWindow {
    /// The chain lattice.
    pub lat: Arc<ChainLattice>,
    /// The window (prefactor and power of the chain).
    pub w: WindowLaw,
    /// The second window at `lambda' / 2` (WIN-4), when built alongside.
    pub half: Option<Arc<ChainWindow>>,
}

impl ChainWindow {
    /// The window at the tilt `lambda' > 0` with `B = fixed_bits(prec, n)`; `None` when the Perron
    /// pair is not certified at this precision.
    pub fn new(
        lat: &Arc<ChainLattice>,
        n: u64,
        lambda: &Float,
        prec: u32,
        knob: WindowKnob,
    ) -> Option<ChainWindow> {
        let theta = lambda.to_rational()? * lat.win.span();
        let bits = fixed_bits(prec, n);
        let t0 = std::time::Instant::now();
        let (pow, ln_pref) = doob_power(lat, &theta, n, bits, knob)?;
        let t1 = t0.elapsed().as_secs_f64();
        let w = WindowLaw::from_power(&lat.win, n, lambda, theta, pow, ln_pref, prec, knob);
        if crate::real::ziv::trace_on() {
            eprintln!(
                "[chain window] tilt {:.6}: power {t1:.3} s, total {:.3} s ({} coefficients, B = {bits}, listed {})",
                lambda.to_f64(),
                t0.elapsed().as_secs_f64(),
                w.pow.coef.len(),
                w.hi - w.lo + 1
            );
        }
        Some(ChainWindow {
            lat: lat.clone(),
            w,
            half: None,
        })
    }
    /// [`ChainWindow::new`] with the second window at `lambda' / 2` built on a second thread.
    pub fn with_half(
        lat: &Arc<ChainLattice>,
        n: u64,
        lambda: &Float,
        prec: u32,
        knob: WindowKnob,
    ) -> Option<ChainWindow> {
        let half_lambda = WindowLaw::half_lambda(lambda);
        let (w1, w2) = std::thread::scope(|sc| {
            let h = sc.spawn(|| {
                crate::real::round::widen_exponent_range();
                ChainWindow::new(lat, n, &half_lambda, prec, knob)
            });
            let w1 = ChainWindow::new(lat, n, lambda, prec, knob);
            (w1, h.join().expect("second window thread"))
        });
        let mut w1 = w1?;
        w1.half = Some(Arc::new(w2?));
        Some(w1)
    }
}

impl LevelSource for ChainWindow {
    fn method(&self) -> Method {
        Method::Window
    }
    fn n(&self) -> u64 {
        self.w.n
    }
    fn len(&self) -> usize {
        self.w.len()
    }
    fn scale(&self) -> Integer {
        self.w.scale()
    }
    fn level(&self, j: usize) -> Integer {
        self.w.level(j)
    }
    fn reward_range(&self) -> (Rational, Rational) {
        self.w.reward_range()
    }
    fn visit(&self, prec: u32, sel: Option<&[bool]>, f: &mut dyn FnMut(usize, LevelProbs)) {
        self.w.visit(prec, sel, f)
    }
    fn unlisted(&self, prec: u32) -> Unlisted {
        self.w.unlisted(prec)
    }
    fn reverse_kl_rest(&self, ctx: &ReverseKlCtx, prec: u32) -> Option<(Enc, usize)> {
        chain_reverse_kl(self, ctx, prec)
    }
}

/// WIN-4 for a chain: [`crate::math::window`]'s `reverse_kl_outside` with the finite-n log-MGF in
/// place of `n psi`. Over the region `R` outside the two summed listings (derivation in
/// `proofs/markov.md`):
/// `sum_R Phi ln(Phi/P_N) <= Phi(R) max(0, l s_max - Lambda_n(l) - ln N)
///                          + 2 N M e^{A_2 + Lambda_n(l - l'/2) - Lambda_n(l)} G*_2(R)`,
/// `>= Phi(R) ln Phi(R)`, with `Phi(R) <= G*_1(R) sup_S e^{A_1 + (l - l') S - Lambda_n(l)}`,
/// `A_i = ln_pref_i + l'_i n c` (so that `P_S(s) e^{l'_i S} = e^{A_i} G*_i(s)`),
/// `M = max(1, -ln(q_min p_min^{n-1}))` (every positive-probability path, so the lowest level of
/// the law, has at least that probability: `F_- >= e^{-M}` above the lowest level), and Chernoff
/// `T_-(s) <= e^{Lambda_n(t) - t S}` at `t = l - l'/2 >= 0`.
pub fn chain_reverse_kl(cw: &ChainWindow, ctx: &ReverseKlCtx, prec: u32) -> Option<(Enc, usize)> {
    if ctx.l.sign_certified() != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let wp = prec + 16;
    let lat = &cw.lat;
    let w1 = &cw.w;
    let n = w1.n;
    let built;
    let c2: &ChainWindow = match &cw.half {
        Some(h) if h.w.prec == w1.prec && h.w.knob.widen == w1.knob.widen => h,
        _ => {
            built = ChainWindow::new(lat, n, &WindowLaw::half_lambda(&w1.lambda), w1.prec, w1.knob)?;
            &built
        }
    };
    let w2 = &c2.w;
    let c = lat.c();
    let nc = Rational::from(&c * n);
    let a_of = |w: &WindowLaw| -> Enc { w.ln_c(wp).add(&Enc::point(&w.lambda).mul_rational(&nc, wp), wp) };
    let (a1, a2) = (a_of(w1), a_of(w2));
    // split (heuristic): where the tilted laws at l' and l'/2 cross,
    // S = (Lambda(l') - Lambda(l'/2)) / (l' / 2)
    let split = {
        let l1 = Enc::point(&w1.lambda);
        let l2 = Enc::point(&w2.lambda);
        let x = log_mgf(lat, &l1, n, 0, 64)[0]
            .sub(&log_mgf(lat, &l2, n, 0, 64)[0], 64)
            .div(&l2, 64)
            .mid()
            .to_f64();
        let lev = (x - nc.to_f64()) / lat.win.span().to_f64();
        if lev.is_finite() {
            (lev.round().max(0.0) as usize).clamp(w1.lo, w1.hi + 1)
        } else {
            w1.lo
        }
    };
    let first = split - w1.lo;
    let mut listed2 = Enc::zero(wp);
    let (lo2, hi2) = (w2.lo, w2.hi.min(split.saturating_sub(1)));
    let sub = if split > 0 && lo2 <= hi2 {
        let mut s = c2.clone();
        s.w = w2.restricted(lo2, hi2)?;
        s.half = None;
        Some(s)
    } else {
        None
    };
    if let Some(s2) = &sub {
        listed2 = bon::reverse_kl_streamed(s2, ctx.n_samples, ctx.l, ctx.n_psi, wp);
    }
    let mut summed: Vec<(usize, usize)> = Vec::with_capacity(2);
    if let Some(s2) = &sub {
        summed.push((s2.w.lo, s2.w.hi));
    }
    if split <= w1.hi {
        summed.push((split, w1.hi));
    }
    let (g1r, g2r) = if summed.is_empty() {
        (Enc::from_i64(1, wp), Enc::from_i64(1, wp))
    } else {
        (w1.outside_mass_of(&summed, wp), w2.outside_mass_of(&summed, wp))
    };
    // Phi(R) <= G*_1(R) sup_S exp(A_1 + (l - l') S - Lambda_n(l))
    let lam1 = Enc::point(&w1.lambda);
    let (smin, smax) = w1.reward_range();
    let srange = Enc::from_rational(&smin, wp).hull(&Enc::from_rational(&smax, wp));
    let factor = ctx
        .l
        .sub(&lam1, wp)
        .mul(&srange, wp)
        .add(&a1, wp)
        .sub(ctx.n_psi, wp);
    let phi_r = g1r.mul(&Enc::point(factor.hi()).exp(wp), wp);
    let lin = ctx
        .l
        .mul(&Enc::from_rational(&smax, wp), wp)
        .sub(ctx.n_psi, wp)
        .sub(ctx.ln_n, wp);
    let lin_hi = if *lin.hi() > 0 {
        lin.hi().clone()
    } else {
        Float::new(wp)
    };
    let t1 = crate::real::round::mul_up(phi_r.hi(), &lin_hi, wp);
    // 2 N M e^{A_2 + Lambda_n(t) - Lambda_n(l)} G*_2(R), t = l - l'/2 >= 0
    let lam2 = Enc::point(&w2.lambda);
    let t_ch = ctx.l.sub(&lam2, wp);
    // Chernoff needs t >= 0 (every point of the enclosure)
    if *t_ch.lo() < 0 {
        return None;
    }
    let expo = a2.add(&log_mgf(lat, &t_ch, n, 0, wp)[0], wp).sub(ctx.n_psi, wp);
    let m_enc = {
        let v = Enc::from_rational(&lat.q_min, wp).ln(wp).neg().add(
            &Enc::from_rational(&lat.p_min, wp)
                .ln(wp)
                .neg()
                .mul_rational(&Rational::from(n - 1), wp),
            wp,
        );
        if *v.hi() < 1 {
            Enc::from_i64(1, wp)
        } else {
            Enc::new(v.lo().clone().max(&Float::with_val(wp, 1)), v.hi().clone())
        }
    };
    let t2 = expo
        .exp(wp)
        .mul(ctx.n_samples, wp)
        .mul(&m_enc, wp)
        .mul(&g2r, wp)
        .mul(&Enc::from_i64(2, wp), wp);
    let upper = add_up(&t1, t2.hi(), wp);
    let ph = phi_r.hi().clone();
    let lower = if ph.is_zero() {
        Float::new(wp)
    } else if ph <= 0.36f64 {
        let p = Enc::point(&ph);
        p.mul(&p.ln(wp), wp).lo().clone()
    } else {
        Enc::from_i64(-1, wp).exp(wp).neg().lo().clone()
    };
    let rest = Enc::new(lower, upper);
    if crate::real::ziv::trace_on() {
        eprintln!(
            "[chain window] reverse KL: split {split} w1 [{}, {}], w2 [{}, {}], listed2 {:e}..{:e}, t1 {:e}, t2 {:e}, g1r {:e}, g2r {:e}",
            w1.lo, w1.hi, w2.lo, w2.hi,
            listed2.lo().to_f64(), listed2.hi().to_f64(),
            t1.to_f64(), t2.hi().to_f64(), g1r.hi().to_f64(), g2r.hi().to_f64()
        );
    }
    Some((listed2.add(&rest, prec), first))
}
