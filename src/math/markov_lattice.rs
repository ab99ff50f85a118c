//! A Markov chain in lattice form and its finite-n log-MGF (MATH.md §10, MKV-2 without the
//! exact level law), for the windowed route of chains ([`crate::math::markov_window`]).
//!
//! # Lattice form
//! On the reachable states `r_a = c + h k_a` with integers `0 <= k_a <= d`, `gcd` of the
//! differences 1. `M(z)_ij = P_ij z^{k_j}`, `u(z)_i = q_i z^{k_i}`; the level generating function
//! is `sum_s P_S(s) z^s = u(z)^T M(z)^{n-1} 1` (MKV-1).
//!
//! # Finite-n log-MGF and the optimum (MKV-2)
//! `Lambda_n(l) = ln E e^{l S_n} = ln u(e^l)^T M(e^l)^{n-1} 1` with its first two derivatives, from
//! one binary powering of a `k x k` matrix of truncated Taylor series in `t` (`l + t`), in interval
//! arithmetic ([`log_mgf`]). In lattice units with the shift `e^{-theta d}` every series
//! coefficient of `t^j` has the sign `(-1)^j` in every product, so nothing cancels in the powers.
//! `l_n` is the root of `D(l) = l Lambda_n'(l) - Lambda_n(l) = n Delta` ([`l_n`]): `D` is strictly
//! increasing on `l > 0` (`D' = l Lambda_n'' = l Var_{Phi_l} S_n > 0` for a non-constant `S_n`),
//! so two certified signs of `D - n Delta` at the ends of a bracket enclose the unique root.

use crate::math::level_source::SeqOptimum;
use crate::math::markov::ChainTilt;
use crate::math::perron::EncMat;
use crate::math::tilt::Optimum;
use crate::math::window::WinLattice;
use crate::real::Enc;
use rug::{Float, Integer, Rational};

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
    /// The memoryless lattice data shared with [`WindowLaw`](crate::math::window::WindowLaw): `scale`, `m_min`, `g`, `d` are the
    /// chain's; its `ks`/`ps` are the law of the first token only (never used by a chain window,
    /// whose prefactor is [`WindowLaw::ln_pref`](crate::math::window::WindowLaw::ln_pref) and whose reverse KL is `chain_reverse_kl`).
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
    pub(crate) fn c(&self) -> Rational {
        Rational::from((self.win.m_min.clone(), self.win.scale.clone()))
    }
    /// The shifted tilted matrix `M~_ij = P_ij e^{theta (k_j - d)}` and vector `u~_i = q_i e^{theta (k_i - d)}`.
    pub(crate) fn shifted(&self, theta: &Enc, prec: u32) -> (EncMat, Vec<Enc>) {
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
pub(crate) fn shifted_log_mgf(lat: &ChainLattice, theta: &Enc, n: u64, order: usize, prec: u32) -> Vec<Enc> {
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
/// `shifted_log_mgf`; `Lambda' = n c + h (n d + L~')`, `Lambda'' = h^2 L~''`.
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

/// Placement of the windows: per-token mean and variance of `K_n` under the tilt `theta`
/// (finite-n, from `shifted_log_mgf`; a heuristic only, also used by the cost estimate).
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
