//! Reference models with memory (MATH.md §10): the Perron-Frobenius limit (MKV-3), the rate
//! functions and cumulants of the limit (MKV-4), the finite-n Chernoff bound (MKV-4), and the
//! finite-n optimum as a tilt of the level law (MKV-2).
//!
//! # MKV-3: certified Perron root
//! `M_l = (P_ab e^{l r_b})` on the reachable states. To avoid overflow we work with the shifted
//! matrix `M~_l = e^{-l c} M_l`, `c = r_max` for `l >= 0` (`r_min` below), whose entries
//! `P_ab e^{l (r_b - c)}` lie in `[0, 1]`; `rho = e^{l c} rho~`, `psi = l c + ln rho~`.
//!
//! The eigenpair `(v, rho~)` with `sum v = 1` is the zero of
//! `F(v, rho) = (M~ v - rho v, 1^T v - 1)`. It is certified by the Krawczyk operator
//! `K(X) = x~ - Y F(x~) + (I - Y J(X)) (X - x~)` on a box `X` around a Newton approximation
//! `x~` (`Y` an approximate inverse of the Jacobian `J = [[M~ - rho I, -v], [1^T, 0]]`):
//! `K(X) ⊂ int X` proves a unique zero in `X`, inside `K(X)` (Krawczyk 1969, Moore). The matrix
//! entries are enclosures, so this holds for every matrix in them (and so for every `l` in an
//! enclosure of `l`). The Jacobian is nonsingular at the zero, so `rho~` is an algebraically
//! simple eigenvalue; and when every component of `v` is certified `> 0`, `rho~` is the spectral
//! radius (a non-negative matrix has a positive eigenvector only for its spectral radius).
//! Collatz-Wielandt bounds (`min_a (M v)_a / v_a <= rho <= max_a (M v)_a / v_a` for any `v > 0`,
//! [`collatz_wielandt`]) give an independent check.
//!
//! # Derivatives by implicit differentiation
//! With `M~(l + t) = sum_j M_j t^j`, `M_j = (P_ab e^{l g_b} g_b^j / j!)`, `g_b = r_b - c`, the
//! eigenpair is analytic in `t` (simple eigenvalue): `v(t) = sum v_j t^j`, `rho(t) = sum rho_j t^j`
//! with `sum v_j = 0` (j >= 1). Comparing coefficients of `t^j` in `M~(t) v(t) = rho(t) v(t)`:
//! `[[M_0 - rho_0 I, -v_0], [1^T, 0]] (v_j, rho_j) = (-sum_{i=1}^{j} M_i v_{j-i} + sum_{i=1}^{j-1} rho_i v_{j-i}, 0)`:
//! the same bordered matrix at every order. Each system is solved with a rigorous residual bound
//! ([`solve_enclosed`]). Then `ln rho~(l + t) = sum L_j t^j` by the series logarithm
//! (`j L_j a_0 = j a_j - sum_{i=1}^{j-1} i L_i a_{j-i}`), and `psi^(j)(l) = j! L_j` (`+ c` for
//! `j = 1`).

use crate::exact::level_law::LevelLaw;
use crate::exact::markov::{MarkovModel, Structure};
use crate::math::perron::{abs_hi, approx_perron, bordered, mat_vec, mids, perron_pair, transpose, EncMat};
pub use crate::math::perron::{collatz_wielandt, solve_enclosed, Eigenpair};
use crate::math::tilt::TiltModel;
use crate::real::round::{add_up, fmax, mul_up};
use crate::real::Enc;
use rug::{Float, Rational};

/// A chain restricted to its reachable states, ready for the MKV-3/4 limit.
#[derive(Clone, Debug)]
pub struct ChainTilt {
    /// Reachable states (indices into the full alphabet).
    pub states: Vec<usize>,
    /// `P` restricted to the reachable states.
    pub p: Vec<Vec<Rational>>,
    /// `q` restricted.
    pub q: Vec<Rational>,
    /// `r` restricted.
    pub r: Vec<Rational>,
    /// `r_max` over the reachable states.
    pub r_max: Rational,
    /// `r_min` over the reachable states.
    pub r_min: Rational,
    /// Structure (irreducible, period).
    pub structure: Structure,
    /// `E_pi r` under the stationary law of the reachable class (ergodic chains).
    pub mean: Option<Rational>,
}

impl ChainTilt {
    /// Restrict a model to its reachable states.
    pub fn new(m: &MarkovModel) -> ChainTilt {
        let structure = m.chain.structure();
        let s = structure.reachable.clone();
        let p: Vec<Vec<Rational>> = s
            .iter()
            .map(|&a| s.iter().map(|&b| m.chain.rows()[a][b].clone()).collect())
            .collect();
        let r: Vec<Rational> = s.iter().map(|&a| m.r[a].clone()).collect();
        let mean = if structure.ergodic() {
            crate::exact::markov::Chain::new(p.clone(), None, false)
                .ok()
                .map(|c| c.init().iter().zip(&r).map(|(a, b)| Rational::from(a * b)).sum())
        } else {
            None
        };
        ChainTilt {
            q: s.iter().map(|&a| m.chain.init()[a].clone()).collect(),
            r_max: r.iter().max().expect("non-empty").clone(),
            r_min: r.iter().min().expect("non-empty").clone(),
            p,
            r,
            structure,
            states: s,
            mean,
        }
    }
    /// Number of reachable states.
    pub fn k(&self) -> usize {
        self.p.len()
    }
    /// True when the reward is constant on the reachable states.
    pub fn is_constant(&self) -> bool {
        self.r_max == self.r_min
    }
    /// The shift `c` used at `l` (see the module docs).
    fn shift(&self, l: &Enc) -> Rational {
        if *l.lo() >= 0 || l.mid() >= 0 {
            self.r_max.clone()
        } else {
            self.r_min.clone()
        }
    }
}

/// The Taylor coefficients `M_0 .. M_order` of the shifted tilted matrix at `l` (shift `c`).
fn series_matrices(ct: &ChainTilt, l: &Enc, c: &Rational, order: usize, prec: u32) -> Vec<EncMat> {
    let k = ct.k();
    let g: Vec<Rational> = ct.r.iter().map(|r| Rational::from(r - c)).collect();
    let e: Vec<Enc> = g
        .iter()
        .map(|gb| {
            if *gb == 0 {
                Enc::from_i64(1, prec)
            } else {
                l.mul_rational(gb, prec).exp(prec)
            }
        })
        .collect();
    let mut out = Vec::with_capacity(order + 1);
    let mut fact = Rational::from(1);
    for j in 0..=order {
        if j > 0 {
            fact *= j as u32;
        }
        let m: EncMat = (0..k)
            .map(|a| {
                (0..k)
                    .map(|b| {
                        if ct.p[a][b] == 0 {
                            return Enc::zero(prec);
                        }
                        let coef = Rational::from(rug::ops::Pow::pow(&g[b], j as u32)) * &ct.p[a][b] / &fact;
                        e[b].mul_rational(&coef, prec)
                    })
                    .collect()
            })
            .collect();
        out.push(m);
    }
    out
}

/// The shifted tilted matrix `M~_l` and its shift (for tests and the Chernoff bound).
pub fn shifted_matrix(ct: &ChainTilt, l: &Enc, prec: u32) -> (EncMat, Rational) {
    let c = ct.shift(l);
    let m = series_matrices(ct, l, &c, 0, prec).remove(0);
    (m, c)
}

/// The MKV-3 limit at an enclosure of `l`.
#[derive(Clone, Debug)]
pub struct PerronEval {
    /// `psi(l) = ln rho(l)`.
    pub psi: Enc,
    /// `psi'(l), psi''(l), ..., psi^(order)(l)`.
    pub derivs: Vec<Enc>,
    /// The shifted Perron root `rho~ = e^{-l c} rho`.
    pub rho_shifted: Enc,
    /// The shift `c`.
    pub shift: Rational,
    /// The right Perron vector (sum 1).
    pub v: Vec<Enc>,
}

impl PerronEval {
    /// `rho(l) = e^{l c} rho~` (may overflow to an infinite enclosure for huge `l c`).
    pub fn rho(&self, l: &Enc, prec: u32) -> Enc {
        l.mul_rational(&self.shift, prec)
            .exp(prec)
            .mul(&self.rho_shifted, prec)
    }
}

/// `psi` and its first `order` derivatives at `l` (see the module docs). `None` when a
/// certificate fails at this precision.
pub fn perron_eval(ct: &ChainTilt, l: &Enc, order: usize, prec: u32) -> Option<PerronEval> {
    let c = ct.shift(l);
    let ms = series_matrices(ct, l, &c, order, prec);
    let pair = perron_pair(&ms[0], prec)?;
    let k = ct.k();
    let b = bordered(&ms[0], &pair.v, &pair.rho, prec);
    let mut vs: Vec<Vec<Enc>> = vec![pair.v.clone()];
    let mut rhos: Vec<Enc> = vec![pair.rho.clone()];
    for j in 1..=order {
        let mut rhs: Vec<Enc> = vec![Enc::zero(prec); k + 1];
        for i in 1..=j {
            let mv = mat_vec(&ms[i], &vs[j - i], prec);
            for a in 0..k {
                rhs[a] = rhs[a].sub(&mv[a], prec);
            }
        }
        for i in 1..j {
            for a in 0..k {
                rhs[a] = rhs[a].add(&rhos[i].mul(&vs[j - i][a], prec), prec);
            }
        }
        let x = solve_enclosed(&b, &rhs, &pair.y, prec)?;
        vs.push(x[..k].to_vec());
        rhos.push(x[k].clone());
    }
    // L = ln rho~(l + t) as a series
    let a0 = &rhos[0];
    let mut lser: Vec<Enc> = vec![a0.ln(prec)];
    for j in 1..=order {
        let mut s = rhos[j].mul_rational(&Rational::from(j as u64), prec);
        for i in 1..j {
            s = s.sub(
                &lser[i]
                    .mul(&rhos[j - i], prec)
                    .mul_rational(&Rational::from(i as u64), prec),
                prec,
            );
        }
        lser.push(
            s.div(a0, prec)
                .mul_rational(&Rational::from((1u64, j as u64)), prec),
        );
    }
    let mut fact = Rational::from(1);
    let mut derivs = Vec::with_capacity(order);
    for (j, lj) in lser.iter().enumerate().skip(1) {
        fact *= j as u32;
        let mut d = lj.mul_rational(&fact, prec);
        if j == 1 {
            d = d.add(&Enc::from_rational(&c, prec), prec);
        }
        derivs.push(d);
    }
    Some(PerronEval {
        psi: l.mul_rational(&c, prec).add(&lser[0], prec),
        derivs,
        rho_shifted: pair.rho,
        shift: c,
        v: pair.v,
    })
}

/// `K(l) = l psi'(l) - psi(l)` and its slope `l psi''(l)` at `l`.
fn kl_and_slope(ct: &ChainTilt, l: &Enc, prec: u32) -> Option<(Enc, Enc)> {
    let e = perron_eval(ct, l, 2, prec)?;
    Some((
        l.mul(&e.derivs[0], prec).sub(&e.psi, prec),
        l.mul(&e.derivs[1], prec),
    ))
}

/// Largest `|l|` searched for a bracket.
const L_CAP_EXP: i32 = 24;

/// Certified root of an increasing function `f` on `[lo, hi]` with `f(lo) < target < f(hi)`
/// certified at the bracket ends: safeguarded Newton (slope from `f`), then the certificate
/// `f(x - eps) < target < f(x + eps)`.
fn increasing_root(
    f: &dyn Fn(&Enc) -> Option<(Enc, Enc)>,
    target: &Enc,
    mut lo: Float,
    mut hi: Float,
    prec: u32,
) -> Option<Enc> {
    let mut x = Float::with_val(prec, &lo + &hi) / 2u32;
    for _ in 0..(200 + 4 * prec.ilog2()) {
        let (v, s) = f(&Enc::point(&x))?;
        match v.cmp_certified(target) {
            Some(std::cmp::Ordering::Less) => lo = x.clone(),
            Some(std::cmp::Ordering::Greater) => hi = x.clone(),
            _ => break,
        }
        let sm = s.mid();
        let mut nx = if sm > 0 {
            Float::with_val(prec, &x - Float::with_val(prec, (v.mid() - target.mid()) / sm))
        } else {
            Float::with_val(prec, &lo + &hi) / 2u32
        };
        if !nx.is_finite() || nx <= lo || nx >= hi {
            nx = Float::with_val(prec, &lo + &hi) / 2u32;
        }
        let step = Float::with_val(prec, &nx - &x).abs();
        x = nx;
        let scale = fmax(&Float::with_val(prec, x.abs_ref()), &Float::with_val(prec, 1));
        if step <= Float::with_val(prec, &scale >> (prec as i32 - 4)) {
            break;
        }
    }
    let scale = fmax(&Float::with_val(prec, x.abs_ref()), &Float::with_val(prec, 1e-30));
    let mut eps = Float::with_val(prec, &scale >> (prec as i32 - 12));
    for _ in 0..10 {
        let a = fmax(&Float::with_val(prec, &x - &eps), &lo);
        let b = crate::real::round::fmin(&Float::with_val(prec, &x + &eps), &hi);
        let a_ok = a == lo || f(&Enc::point(&a))?.0.cmp_certified(target) == Some(std::cmp::Ordering::Less);
        let b_ok =
            b == hi || f(&Enc::point(&b))?.0.cmp_certified(target) == Some(std::cmp::Ordering::Greater);
        if a_ok && b_ok {
            return Some(Enc::new(a, b));
        }
        eps <<= 6;
    }
    None
}

/// Why a limit quantity is absent, or the enclosure.
pub type Limit<T> = Result<T, String>;

/// `l_Delta`: the root of `l psi'(l) - psi(l) = Delta` (MKV-3), certified. `Err(note)` when
/// the chain is not ergodic on its reachable states, the reward is constant, or no root was
/// bracketed up to `l = 2^24` (Delta at or above the limit's `Delta_max`); `Ok(None)` when the
/// certificate needs more precision.
pub fn l_delta(ct: &ChainTilt, delta: &Rational, prec: u32) -> Limit<Option<Enc>> {
    if let Some(n) = ct.structure.limit_note() {
        return Err(n);
    }
    if *delta == 0 || ct.is_constant() {
        return Ok(Some(Enc::zero(prec)));
    }
    let target = Enc::from_rational(delta, prec);
    let mut hi = Float::with_val(prec, 1);
    loop {
        let Some((v, _)) = kl_and_slope(ct, &Enc::point(&hi), prec) else {
            return Ok(None);
        };
        match v.cmp_certified(&target) {
            Some(std::cmp::Ordering::Greater) => break,
            Some(_) => {}
            None => return Ok(None),
        }
        hi <<= 1;
        if hi > Float::with_val(prec, 1) << L_CAP_EXP {
            return Err(format!(
                "no root of l psi'(l) - psi(l) = {delta} below l = 2^{L_CAP_EXP}: the budget is at or above the \
                 limit's Delta_max"
            ));
        }
    }
    Ok(increasing_root(
        &|l| kl_and_slope(ct, l, prec),
        &target,
        Float::new(prec),
        hi,
        prec,
    ))
}

/// `l(x)`: the root of `psi'(l) = x` (MKV-4), certified; `Ok(Some(0))` at the stationary mean.
/// `Err(note)` when `x` is not strictly inside the range of `psi'` found up to `|l| = 2^24`.
pub fn lambda_of_x(ct: &ChainTilt, x: &Rational, prec: u32) -> Limit<Option<Enc>> {
    if let Some(n) = ct.structure.limit_note() {
        return Err(n);
    }
    let mean = ct.mean.clone().expect("ergodic chain has a stationary mean");
    if *x == mean {
        return Ok(Some(Enc::zero(prec)));
    }
    if *x >= ct.r_max || *x <= ct.r_min {
        return Err(format!(
            "x = {x} is not strictly between r_min = {} and r_max = {}",
            ct.r_min, ct.r_max
        ));
    }
    let target = Enc::from_rational(x, prec);
    let up = *x > mean;
    let d1 = |l: &Enc| -> Option<(Enc, Enc)> {
        let e = perron_eval(ct, l, 2, prec)?;
        Some((e.derivs[0].clone(), e.derivs[1].clone()))
    };
    let mut far = Float::with_val(prec, if up { 1 } else { -1 });
    loop {
        let Some((v, _)) = d1(&Enc::point(&far)) else {
            return Ok(None);
        };
        let past = match v.cmp_certified(&target) {
            Some(std::cmp::Ordering::Greater) => up,
            Some(std::cmp::Ordering::Less) => !up,
            Some(_) => false,
            None => return Ok(None),
        };
        if past {
            break;
        }
        far <<= 1;
        if Float::with_val(prec, far.abs_ref()) > Float::with_val(prec, 1) << L_CAP_EXP {
            return Err(format!(
                "x = {x} is outside the range of psi' found up to |l| = 2^{L_CAP_EXP} (the limit rate is infinite or \
                 not attained there)"
            ));
        }
    }
    let (lo, hi) = if up {
        (Float::new(prec), far)
    } else {
        (far, Float::new(prec))
    };
    Ok(increasing_root(&d1, &target, lo, hi, prec))
}

/// `sup_l [l x - psi(l)]` from a bracket of the maximiser (concave objective: the value at the
/// midpoint is a lower bound, plus `|x - psi'(t0)| width` an upper bound), as in
/// [`crate::math::tilt::legendre`].
pub fn legendre(ct: &ChainTilt, x: &Rational, bracket: &Enc, prec: u32) -> Option<Enc> {
    let t0 = Enc::point(&bracket.mid());
    let e = perron_eval(ct, &t0, 1, prec)?;
    let g = t0.mul_rational(x, prec).sub(&e.psi, prec);
    let slope = Enc::from_rational(x, prec).sub(&e.derivs[0], prec);
    let extra = mul_up(&abs_hi(&slope, prec), &bracket.width(), prec);
    Some(Enc::new(g.lo().clone(), add_up(g.hi(), &extra, prec)))
}

/// The Doob transform `P^l_ab = P_ab e^{l r_b} v_b / (rho v_a)` and its stationary law
/// `pi_a = u_a v_a / sum u v` (u the left Perron vector), at an enclosure of `l`, on the
/// reachable states (MKV-3).
pub fn doob(ct: &ChainTilt, l: &Enc, prec: u32) -> Option<(EncMat, Vec<Enc>)> {
    let (m, _) = shifted_matrix(ct, l, prec);
    let right = perron_pair(&m, prec)?;
    let left = perron_pair(&transpose(&m), prec)?;
    let k = ct.k();
    let pl: EncMat = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| {
                    if ct.p[a][b] == 0 {
                        Enc::zero(prec)
                    } else {
                        m[a][b]
                            .mul(&right.v[b], prec)
                            .div(&right.rho.mul(&right.v[a], prec), prec)
                    }
                })
                .collect()
        })
        .collect();
    let uv: Vec<Enc> = (0..k).map(|a| left.v[a].mul(&right.v[a], prec)).collect();
    let s = uv.iter().fold(Enc::zero(prec), |acc, x| acc.add(x, prec));
    Some((pl, uv.iter().map(|x| x.div(&s, prec)).collect()))
}

/// MKV-4, finite-n Chernoff bound, rigorous at every `n`: for `l > 0` and any `v > 0`, with
/// `rho_up = max_a (M_l v)_a / v_a >= rho(l)` (Collatz-Wielandt, so `M_l v <= rho_up v`
/// entrywise and `M_l^{n-1} 1 <= M_l^{n-1} v / min v <= rho_up^{n-1} v / min v`):
/// `P(S_n >= n x) <= e^{-l n x} E e^{l S_n} <= e^{-l n x} rho_up^{n-1} (sum_a q_a e^{l r_a} v_a) / min_a v_a`.
/// Returns the logarithm of the bound. `v` is the (approximate) Perron vector at `l`; the bound
/// holds for any positive `v` and is sharpest at the Perron vector.
pub fn chernoff_ln_bound(ct: &ChainTilt, n: u64, x: &Rational, l: &Float, prec: u32) -> Option<Enc> {
    let le = Enc::point(l);
    let (m, c) = shifted_matrix(ct, &le, prec);
    let v: Vec<Float> = approx_perron(&mids(&m), prec)?.0;
    if v.iter().any(|x| *x <= 0) {
        return None;
    }
    let rho_up = collatz_wielandt(&m, &v, prec);
    let rho_up = Enc::point(rho_up.hi());
    let mut s = Enc::zero(prec);
    for (a, va) in v.iter().enumerate() {
        if ct.q[a] == 0 {
            continue;
        }
        let g = Rational::from(&ct.r[a] - &c);
        let e = le.mul_rational(&g, prec).exp(prec);
        s = s.add(&e.mul_rational(&ct.q[a], prec).mul(&Enc::point(va), prec), prec);
    }
    let vmin = v
        .iter()
        .cloned()
        .reduce(|a, b| crate::real::round::fmin(&a, &b))?;
    let nr = Rational::from(n);
    // ln bound = l c n - l n x + (n - 1) ln rho~_up + ln(sum q_a e^{l g_a} v_a) - ln min v
    let cx = Rational::from(&c - x) * &nr;
    Some(
        le.mul_rational(&cx, prec)
            .add(&rho_up.ln(prec).mul_rational(&Rational::from(n - 1), prec), prec)
            .add(&s.ln(prec), prec)
            .sub(&Enc::point(&vmin).ln(prec), prec),
    )
}

/// MKV-2: the level law of `S_n` as a one-token model (levels are the tokens, their rewards the
/// level values): its tilt at `l` is the level law of the finite-n optimum, and
/// [`crate::math::tilt::optimum`] with the budget `n Delta` gives `l_n`.
pub fn level_tilt_model(law: &LevelLaw) -> TiltModel {
    let k = law.len();
    TiltModel {
        k,
        idx: (0..k).collect(),
        p: lowest_terms(&law.weights, &law.denom),
        r: (0..k).map(|j| law.reward(j)).collect(),
        r_max: law.reward(k - 1),
        r_min: law.reward(0),
        p_max: law.prob(k - 1),
        p_min: law.prob(0),
        mean: law.mean(),
        law: Default::default(),
        fast: Default::default(),
    }
}

/// `w_j / d` in lowest terms for every `j`, equal (`==`) to `Rational::from((w_j, d))`.
///
/// A Markov level law has `d = dq dP^{n-1}` with tens of thousands of bits at large n, and a
/// gcd per level dominated `compare`. When `d` factors completely over primes below 2^16 (the
/// usual case: `dP`, `dq` are lcms of small denominators), each fraction is reduced by removing
/// the common powers of those primes (`mpz_remove`), which leaves numerator and denominator
/// coprime: every prime of the denominator is one of them, and none of them divides both. Any
/// other `d` falls back to the general gcd.
pub fn lowest_terms(w: &[rug::Integer], d: &rug::Integer) -> Vec<Rational> {
    use rug::Integer;
    let mut primes: Vec<(Integer, u32)> = Vec::new();
    let mut rest = d.clone();
    let mut p = 2u32;
    while p < 1 << 16 && rest > 1 {
        if rest.is_divisible_u(p) {
            let pi = Integer::from(p);
            let e = rest.remove_factor_mut(&pi);
            primes.push((pi, e));
        }
        p += if p == 2 { 1 } else { 2 };
    }
    if rest != 1 || *d <= 0 {
        return w.iter().map(|x| Rational::from((x, d))).collect();
    }
    w.iter()
        .map(|x| {
            if *x == 0 {
                return Rational::new();
            }
            let mut num = x.clone();
            let mut den = d.clone();
            for (pi, e_den) in &primes {
                let e_num = num.remove_factor_mut(pi);
                let common = e_num.min(*e_den);
                if e_num > common {
                    num *= Integer::from(rug::ops::Pow::pow(pi, e_num - common));
                }
                if common > 0 {
                    den.div_exact_mut(&Integer::from(rug::ops::Pow::pow(pi, common)));
                }
            }
            debug_assert_eq!(Integer::from(num.gcd_ref(&den)), 1);
            // SAFETY: den > 0 and gcd(num, den) = 1: every prime factor of den is one of
            // `primes` (d factors completely over them and den divides d), and for each of
            // them num or den has lost all its factors p (min of the two valuations removed).
            unsafe { Rational::from_canonical(num, den) }
        })
        .collect()
}

/// `ln rho` of a 2x2 non-negative matrix in closed form (a quadratic root, for tests):
/// `rho = (tr + sqrt(tr^2 - 4 det)) / 2`.
pub fn rho_2x2(m: &EncMat, prec: u32) -> Enc {
    let tr = m[0][0].add(&m[1][1], prec);
    let det = m[0][0]
        .mul(&m[1][1], prec)
        .sub(&m[0][1].mul(&m[1][0], prec), prec);
    let disc = tr
        .square(prec)
        .sub(&det.mul_rational(&Rational::from(4), prec), prec)
        .clamp_nonneg(prec);
    tr.add(&disc.sqrt(prec), prec)
        .mul_rational(&Rational::from((1, 2)), prec)
}

/// A plain (uncertified) high-precision Perron root by power iteration on the midpoint matrix,
/// for independent cross-checks in tests.
pub fn rho_power_iteration(m: &EncMat, iters: usize, prec: u32) -> Float {
    let mid = mids(m);
    let k = mid.len();
    let mut v: Vec<Float> = (0..k).map(|_| Float::with_val(prec, 1)).collect();
    let mut rho = Float::new(prec);
    for _ in 0..iters {
        let w: Vec<Float> = (0..k)
            .map(|a| {
                (0..k).fold(Float::new(prec), |s, b| {
                    s + Float::with_val(prec, &mid[a][b] * &v[b])
                })
            })
            .collect();
        let t = w.iter().fold(Float::new(prec), |s, x| s + x);
        let t0 = v.iter().fold(Float::new(prec), |s, x| s + x);
        rho = Float::with_val(prec, &t / &t0);
        v = w.into_iter().map(|x| x / &t).collect();
    }
    rho
}

/// The limit's `Delta_max = lim_{l -> inf} (l psi'(l) - psi(l)) = -ln rho(A)` (MKV-3; derived in
/// proofs/markov.md), where `A` is `P` restricted to the critical edges (the edges on cycles of
/// maximal mean reward, [`crate::exact::markov::critical_graph`]); `rho(A)` is the largest
/// Perron root over the strongly connected components of the critical graph. It is also
/// `lim D(P^l || P)` per step for the Doob chain, and the saturated optimum's reward is the
/// maximal cycle mean `lambda*` (exact). Returns `(Delta_max, lambda*)`: `Delta_max` is exact 0
/// when `rho(A) = 1`; `Ok(None)` when a Perron certificate needs more precision; `Err(note)` when
/// the chain is not ergodic on its reachable states.
pub fn delta_max_limit(ct: &ChainTilt, prec: u32) -> Limit<Option<(Enc, Rational)>> {
    if let Some(n) = ct.structure.limit_note() {
        return Err(n);
    }
    let cg = crate::exact::markov::critical_graph(&ct.p, &ct.r);
    let mut best: Option<Enc> = None;
    for comp in &cg.components {
        let rho = if comp.len() == 1 {
            // a critical self-loop: rho = P_aa exactly
            Enc::from_rational(&ct.p[comp[0]][comp[0]], prec)
        } else {
            let a: EncMat = comp
                .iter()
                .map(|&i| {
                    comp.iter()
                        .map(|&j| {
                            if cg.edges[i][j] {
                                Enc::from_rational(&ct.p[i][j], prec)
                            } else {
                                Enc::zero(prec)
                            }
                        })
                        .collect()
                })
                .collect();
            match perron_pair(&a, prec) {
                Some(pair) => pair.rho,
                None => return Ok(None),
            }
        };
        // the max of values in enclosures lies in [max lo, max hi]
        best = Some(match best {
            None => rho,
            Some(b) => Enc::new(fmax(b.lo(), rho.lo()), fmax(b.hi(), rho.hi())),
        });
    }
    let rho = best.expect("a stochastic matrix has a critical cycle");
    let dmax = if *rho.lo() == 1 && *rho.hi() == 1 {
        Enc::zero(prec)
    } else {
        rho.ln(prec).neg().clamp_nonneg(prec)
    };
    Ok(Some((dmax, cg.mean)))
}
