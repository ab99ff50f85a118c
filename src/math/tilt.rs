//! The exponential tilt of a reference model and the KL-constrained optimum (MATH.md §2,
//! TILT-1 .. TILT-4).
//!
//! For a model `(p, r)` and a real `l`:
//! `Z(l) = sum_a p_a e^{l r_a}`, `psi(l) = ln Z(l)`, `phi_l(a) = p_a e^{l r_a} / Z(l)`,
//! `mu(l) = psi'(l)`, `sigma2(l) = psi''(l)`, `K(l) = D(phi_l || p) = l mu(l) - psi(l)`.
//!
//! Everything is evaluated in shifted form to avoid overflow and cancellation: with
//! `c = r_max` for `l >= 0` (and `c = r_min` for `l < 0`) and `g_a = |r_a - c| >= 0`,
//! `u_a = e^{-|l| g_a} in (0, 1]`, `W = sum_a p_a u_a`:
//! `psi = l c + ln W`, `phi_a = p_a u_a / W`, `mu = c -+ G / W` with `G = sum p_a g_a u_a`,
//! `K = -|l| G / W - ln W`, and for `l >= 0` the deficit
//! `Delta_max - K = ln1p(W_rest / p(A_max)) + l G / W` (both terms `>= 0`, no cancellation),
//! where `W_rest` sums over the tokens below `r_max`. Tokens with `p_a = 0` are dropped.

use super::tilt_fast;
use super::tilt_lattice;
use crate::real::round::{add_up, exp2_of, fmax, mul_up};
use crate::real::Enc;
use rug::{Float, Rational};
use std::collections::HashMap;

pub use super::tilt_model::TiltModel;

/// The tilt evaluated at an enclosure of `l` (all fields enclose the exact values for every
/// `l` in the enclosure).
#[derive(Clone, Debug)]
pub struct TiltEval {
    /// `psi(l)`.
    pub psi: Enc,
    /// `mu(l) = E_{phi_l} r`.
    pub mu: Enc,
    /// `sigma2(l) = Var_{phi_l} r`.
    pub var: Enc,
    /// `K(l) = D(phi_l || p)`.
    pub kl: Enc,
    /// `phi_l` on the support.
    pub phi: Vec<Enc>,
    /// `Delta_max - K(l)` (for `l >= 0`).
    pub deficit: Option<Enc>,
    /// `r_max - mu(l) = G / W` (for `l >= 0`), formed without subtraction.
    pub top_gap: Option<Enc>,
}

/// Evaluate the tilt at `l` (an enclosure, any sign). See the module docs for the shifted form.
pub fn eval(m: &TiltModel, l: &Enc, prec: u32) -> TiltEval {
    eval_parts(m, l, prec, Parts::ALL)
}

/// [`eval`] without the deficit `Delta_max - K(l)` (`deficit` is `None`), which costs one more
/// `ln1p` at the working precision and is read only when solving near `Delta_max`.
pub fn eval_without_deficit(m: &TiltModel, l: &Enc, prec: u32) -> TiltEval {
    eval_parts(
        m,
        l,
        prec,
        Parts {
            log: true,
            deficit: false,
            moments: true,
        },
    )
}

/// [`eval`] for `psi` and `mu` only: no deficit, no per-token `phi` (`phi` is empty) and no
/// variance (`var` is the whole line). `psi` and `mu` are the same enclosures as [`eval`]'s
/// (the same operations in the same order); the rate functions and the scaled CGF read nothing
/// else, and `phi` costs a division per token.
pub fn eval_psi_mu(m: &TiltModel, l: &Enc, prec: u32) -> TiltEval {
    // psi and mu are functions of the reward law: on a vocabulary, evaluate on the merged model
    // when there are ties (small models keep the per-token sums and their enclosures)
    let m = law_if_large(m);
    eval_parts(
        m,
        l,
        prec,
        Parts {
            log: true,
            deficit: false,
            moments: false,
        },
    )
}

/// The reward law of a model with ties from [`tilt_fast::FAST_MIN_TOKENS`] tokens on, else `m`.
fn law_if_large(m: &TiltModel) -> &TiltModel {
    if m.p.len() >= tilt_fast::FAST_MIN_TOKENS {
        law_of(m).unwrap_or(m)
    } else {
        m
    }
}

/// [`TiltModel::law`], answered `None` without hashing the rewards when the fast path's
/// per-token data shows them distinct ([`tilt_fast::Cache::distinct`]).
pub(crate) fn law_of(m: &TiltModel) -> Option<&TiltModel> {
    if m.p.len() >= tilt_fast::FAST_MIN_TOKENS && m.fast.distinct(&fast_input(m)) {
        return None;
    }
    m.law()
}

/// The fast path's view of a model.
pub(crate) fn fast_input(m: &TiltModel) -> tilt_fast::Input<'_> {
    tilt_fast::Input {
        p: &m.p,
        r: &m.r,
        r_max: &m.r_max,
        p_max: &m.p_max,
        cache: &m.fast,
    }
}

/// Which transcendental parts of [`TiltEval`] to compute (the others, the logarithm of `W` for
/// `psi` and `K`, and `ln1p` for the deficit, are the costly calls at high precision).
#[derive(Clone, Copy, Debug)]
struct Parts {
    /// `psi` and `kl` (one `ln W`).
    log: bool,
    /// `deficit` (one `ln1p`).
    deficit: bool,
    /// `phi` (one division per token) and the variance.
    moments: bool,
}

impl Parts {
    const ALL: Parts = Parts {
        log: true,
        deficit: true,
        moments: true,
    };
}

/// [`eval`] with only the requested parts; skipped ones are the whole line (never certified).
///
/// A vocabulary-size model with ties ([`tilt_fast::FAST_MIN_TOKENS`] tokens or more) is
/// evaluated on its reward law ([`TiltModel::law`]: `psi`, `mu`, `sigma2`, `K` and the deficit
/// are functions of the reward law alone), and `phi` per token from the law's:
/// `phi_a = p_a e^{l r_a} / Z = p_a (phi_j / P_j)` for the level `j` of `r_a` (`P_j` its exact
/// mass, `> 0`), one product per token on worker threads.
fn eval_parts(m: &TiltModel, l: &Enc, prec: u32, parts: Parts) -> TiltEval {
    match m.law() {
        Some(law) if m.p.len() >= tilt_fast::FAST_MIN_TOKENS => {
            let mut ev = eval_tokens(law, l, prec, parts);
            if parts.moments {
                let level: crate::exact::hash::FxHashMap<&Rational, usize> =
                    law.r.iter().enumerate().map(|(j, r)| (r, j)).collect();
                let ratio: Vec<Enc> = ev
                    .phi
                    .iter()
                    .zip(&law.p)
                    .map(|(f, pj)| f.div(&Enc::from_rational(pj, prec), prec))
                    .collect();
                let idx: Vec<usize> = (0..m.p.len()).collect();
                ev.phi = crate::real::par::map(&idx, |&a| {
                    ratio[level[&m.r[a]]].mul_rational(&m.p[a], prec).clamp01()
                });
            }
            ev
        }
        _ => eval_tokens(m, l, prec, parts),
    }
}

/// [`eval_parts`] token by token.
fn eval_tokens(m: &TiltModel, l: &Enc, prec: u32, parts: Parts) -> TiltEval {
    // shift by r_max when l >= 0 (or l straddles 0 with a non-negative midpoint), else r_min
    let nonneg = *l.lo() >= 0 || l.mid() >= 0;
    // |l| as an enclosure in the orientation of the shift
    let (c, s, al) = if nonneg {
        (&m.r_max, -1i32, l.clone())
    } else {
        (&m.r_min, 1i32, l.neg())
    };
    let mut w_top = Enc::zero(prec);
    let mut w_rest = Enc::zero(prec);
    let mut g_sum = Enc::zero(prec);
    let mut ws = Vec::with_capacity(m.p.len());
    // Tokens with equal rewards share g = |r - c| and e^{-|l| g}: a vocabulary of 10^6 tokens
    // usually has far fewer distinct rewards, so each distinct g is converted and exponentiated
    // once (`slot[a]` indexes the distinct values of g; the same enclosures as per token).
    let mut distinct: HashMap<&Rational, usize> = HashMap::new();
    let mut gs: Vec<Rational> = Vec::new();
    let mut us: Vec<Enc> = Vec::new();
    let mut slot = Vec::with_capacity(m.p.len());
    let lattice = tilt_lattice::lattice_base(&m.r, c, &al, prec);
    for (pa, ra) in m.p.iter().zip(&m.r) {
        let j = *distinct.entry(ra).or_insert_with(|| {
            let g = Rational::from(ra - c).abs();
            us.push(if g == 0 {
                Enc::from_i64(1, prec)
            } else if let Some((h, u1)) = &lattice {
                // g = k h, integer k <= 16 (lattice_base): e^{-|l| g} = u1^k; powi rounds each end
                // outward and x^k increases on x >= 0, so the power encloses the exponential
                let k = Rational::from(&g / h);
                u1.powi(k.numer().to_i64().expect("k <= 16"), prec)
            } else {
                al.mul_rational(&g, prec).neg().exp(prec)
            });
            gs.push(g);
            gs.len() - 1
        });
        slot.push(j);
        let g = &gs[j];
        let w = if *g == 0 {
            let w = Enc::from_rational(pa, prec);
            w_top = w_top.add(&w, prec);
            w
        } else {
            let w = us[j].mul_rational(pa, prec);
            w_rest = w_rest.add(&w, prec);
            g_sum = g_sum.add(&w.mul_rational(g, prec), prec);
            w
        };
        ws.push(w);
    }
    let wt = w_top.add(&w_rest, prec);
    let ln_w = if parts.log { wt.ln(prec) } else { Enc::whole(prec) };
    let psi = l.mul_rational(c, prec).add(&ln_w, prec);
    let g_over_w = g_sum.div(&wt, prec);
    let mu = if s < 0 {
        Enc::from_rational(c, prec).sub(&g_over_w, prec)
    } else {
        Enc::from_rational(c, prec).add(&g_over_w, prec)
    };
    // mu is also a convex combination of the rewards: intersect with [r_min, r_max]
    let mu = mu.intersect_rational(&m.r_min, &m.r_max, prec);
    if !parts.moments {
        return TiltEval {
            psi,
            mu,
            var: Enc::whole(prec),
            kl: kl_of(&al, &g_over_w, &ln_w, parts, prec),
            phi: Vec::new(),
            deficit: deficit_of(m, nonneg, &w_rest, &al, &g_over_w, parts, prec),
            top_gap: if nonneg { Some(g_over_w) } else { None },
        };
    }
    let phi: Vec<Enc> = ws.iter().map(|w| w.div(&wt, prec).clamp01()).collect();
    // Variance in the shifted variable g = |r - c| (Var r = Var g), about an exact point g0
    // near E g = G/W: sum phi (g - g0)^2 - (G/W - g0)^2. Centring in g rather than in r keeps
    // the relative accuracy when phi concentrates at c (large |l|): c - G/W would round to c.
    let g0 = Enc::point(&g_over_w.mid());
    let d2: Vec<Enc> = gs
        .iter()
        .map(|g| Enc::from_rational(g, prec).sub(&g0, prec).square(prec))
        .collect();
    let mut second = Enc::zero(prec);
    for (f, &j) in phi.iter().zip(&slot) {
        second = second.add(&f.mul(&d2[j], prec), prec);
    }
    // a variance is >= 0
    let var = second
        .sub(&g_over_w.sub(&g0, prec).square(prec), prec)
        .clamp_nonneg(prec);
    let kl = kl_of(&al, &g_over_w, &ln_w, parts, prec);
    let deficit = deficit_of(m, nonneg, &w_rest, &al, &g_over_w, parts, prec);
    TiltEval {
        psi,
        mu,
        var,
        kl,
        phi,
        deficit,
        top_gap: if nonneg { Some(g_over_w.clone()) } else { None },
    }
}

/// `K = -|l| G/W - ln W` (`W <= 1` so `-ln W >= 0`), the whole line unless `parts.log`.
fn kl_of(al: &Enc, g_over_w: &Enc, ln_w: &Enc, parts: Parts, prec: u32) -> Enc {
    if parts.log {
        let kl = al.mul(g_over_w, prec).neg().sub(ln_w, prec);
        kl.clamp_nonneg(prec) // a KL divergence is >= 0
    } else {
        Enc::whole(prec)
    }
}

/// `Delta_max - K = ln1p(W_rest / p(A_max)) + |l| G/W` for `l >= 0` when `parts.deficit`.
fn deficit_of(
    m: &TiltModel,
    nonneg: bool,
    w_rest: &Enc,
    al: &Enc,
    g_over_w: &Enc,
    parts: Parts,
    prec: u32,
) -> Option<Enc> {
    if nonneg && m.p_max > 0 && parts.deficit {
        let ratio = w_rest.div(&Enc::from_rational(&m.p_max, prec), prec);
        Some(ratio.ln_1p(prec).add(&al.mul(g_over_w, prec), prec))
    } else {
        None
    }
}

/// The cumulants `k_1 .. k_order` of a law from its moments `nu[0] = 1, nu[1], .., nu[order]`
/// about any point (the recursion `k_n = nu_n - sum_{j<n} C(n-1, j-1) k_j nu_{n-j}`; `k_1` is
/// the mean less that point, the higher cumulants do not depend on it).
pub fn cumulants_from_moments(nu: &[Enc], order: usize, prec: u32) -> Vec<Enc> {
    let mut k: Vec<Enc> = vec![Enc::zero(prec)]; // k[0] unused
    let mut binom_row: Vec<Rational> = vec![Rational::from(1)]; // C(n-1, .)
    for n in 1..=order {
        if n > 1 {
            let mut next = vec![Rational::from(1); n];
            for j in 1..n - 1 {
                next[j] = Rational::from(&binom_row[j - 1] + &binom_row[j]);
            }
            binom_row = next;
        }
        let mut kn = nu[n].clone();
        for j in 1..n {
            let t = k[j].mul(&nu[n - j], prec).mul_rational(&binom_row[j - 1], prec);
            kn = kn.sub(&t, prec);
        }
        k.push(kn);
    }
    k.split_off(1)
}

/// `psi(l)` alone (the log-partition function).
pub fn psi(m: &TiltModel, l: &Enc, prec: u32) -> Enc {
    eval(m, l, prec).psi
}

/// Cumulants `kappa_1 .. kappa_order` of the reward under `phi_l` (`kappa_j = psi^(j)(l)`),
/// from the central moments of the shifted variable `g = |r - c|` (`c = r_max` for `l >= 0`,
/// `c = r_min` below, as in [`eval`]): `nu_j = E (g - g0)^j` about an exact point `g0` near
/// `E g`, the moment-cumulant recursion `k_n = nu_n - sum_{j=1}^{n-1} C(n-1, j-1) k_j nu_{n-j}`,
/// then `kappa_1 = mu` and `kappa_j = (-1)^j k_j` for `l >= 0` (`r = c - g`), `kappa_j = k_j`
/// below (`r = c + g`), for `j >= 2` (cumulants of order >= 2 are shift-invariant and odd ones
/// change sign under `g -> -g`). LDP-3.
///
/// Centring in `g` rather than in `r` keeps the relative accuracy when `phi_l` concentrates at
/// `c` (large `|l|`): there `E g` is tiny, and a centre taken in `r` would round to `c` and leave
/// every deviation of the concentrated tokens at the size of the rounding of `c`.
pub fn cumulants(m: &TiltModel, l: &Enc, order: usize, prec: u32) -> Vec<Enc> {
    // cumulants of the reward are functions of its law: on a vocabulary, the merged model
    let law = law_if_large(m);
    if !std::ptr::eq(law, m) {
        return cumulants(law, l, order, prec);
    }
    let e = eval(m, l, prec);
    let nonneg = *l.lo() >= 0 || l.mid() >= 0;
    let c = if nonneg { &m.r_max } else { &m.r_min };
    let g: Vec<Enc> =
        m.r.iter()
            .map(|ra| Enc::from_rational(&Rational::from(ra - c).abs(), prec))
            .collect();
    let eg = Enc::sum(
        e.phi
            .iter()
            .zip(&g)
            .map(|(f, ga)| f.mul(ga, prec))
            .collect::<Vec<_>>()
            .iter(),
        prec,
    );
    let g0 = Enc::point(&eg.mid());
    let d: Vec<Enc> = g.iter().map(|ga| ga.sub(&g0, prec)).collect();
    // nu[j] for j = 0..=order
    let mut nu = vec![Enc::from_i64(1, prec)];
    let mut pw: Vec<Enc> = e.phi.clone();
    for _ in 1..=order {
        for (x, di) in pw.iter_mut().zip(&d) {
            *x = x.mul(di, prec);
        }
        nu.push(Enc::sum(pw.iter(), prec));
    }
    let mut out: Vec<Enc> = cumulants_from_moments(&nu, order, prec)
        .into_iter()
        .enumerate()
        .map(|(i, kj)| if nonneg && (i + 1) % 2 == 1 { kj.neg() } else { kj })
        .collect();
    if !out.is_empty() {
        // kappa_1 = m0 + k_1 = mu: the direct evaluation of mu is tighter
        out[0] = e.mu.clone();
    }
    if out.len() >= 2 {
        out[1] = e.var.clone();
    }
    out
}

/// Which equation a root solves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Equation {
    /// `K(l) = Delta` for `l > 0` (K strictly increasing there).
    Kl,
    /// `Delta_max - K(l) = target` for `l > 0` (strictly decreasing).
    Deficit,
    /// `r_max - mu(l) = target` for `l > 0` (strictly decreasing).
    MeanGap,
}

fn value_of(m: &TiltModel, eq: Equation, l: &Enc, prec: u32) -> Enc {
    // only the parts this equation reads: at 100000 digits each skipped ln is a third of the cost
    let parts = Parts {
        log: eq == Equation::Kl,
        deficit: eq == Equation::Deficit,
        moments: false,
    };
    let e = eval_parts(m, l, prec, parts);
    match eq {
        Equation::Kl => e.kl,
        Equation::Deficit => e.deficit.expect("l >= 0"),
        // r_max - mu = G/W directly: no cancellation near r_max
        Equation::MeanGap => e
            .top_gap
            .unwrap_or_else(|| Enc::from_rational(&m.r_max, prec).sub(&e.mu, prec)),
    }
}

/// Derivative of the equation's left side in `l` at a point (for Newton steps only).
fn slope_of(m: &TiltModel, eq: Equation, l: &Float, prec: u32) -> Float {
    let none = Parts {
        log: false,
        deficit: false,
        moments: true,
    };
    let e = eval_parts(m, &Enc::point(l), prec, none);
    let var = e.var.mid();
    match eq {
        Equation::Kl => Float::with_val(prec, l * &var),
        Equation::Deficit => -Float::with_val(prec, l * &var),
        Equation::MeanGap => -var,
    }
}

/// An enclosure of the derivative of the equation's left side over an enclosure `x` of `l`
/// (`K' = l sigma2`, `(Delta_max - K)' = -l sigma2`, `(r_max - mu)' = -sigma2`, with `sigma2`
/// enclosed over all of `x` by [`eval`]'s interval evaluation): the mean-value certificate of
/// [`certified_root`].
fn slope_enc(m: &TiltModel, eq: Equation, x: &Enc, prec: u32) -> Enc {
    let none = Parts {
        log: false,
        deficit: false,
        moments: true,
    };
    let var = eval_parts(m, x, prec, none).var;
    match eq {
        Equation::Kl => x.mul(&var, prec),
        Equation::Deficit => x.mul(&var, prec).neg(),
        Equation::MeanGap => var.neg(),
    }
}

fn increasing(eq: Equation) -> bool {
    eq == Equation::Kl
}

/// Solve `f(l) = target` on `l > 0` for a strictly monotone `f` and return a certified bracket
/// `[a, b]` with `f(a)` and `f(b)` certified on opposite sides of the target.
///
/// Certificate: `f` is continuous and strictly monotone on `l > 0` (K' = l sigma2 > 0,
/// mu' = sigma2 > 0 for a non-constant reward), so the sign change at the endpoints, certified
/// with enclosures, proves the unique root lies in `[a, b]` (intermediate value theorem). The
/// approximate root only chooses where to put `a` and `b`; it is not trusted.
fn certified_root(m: &TiltModel, eq: Equation, target: &Enc, prec: u32) -> Option<Enc> {
    // K, Delta_max - K and r_max - mu depend on the reward law only: solve on the model with
    // tokens of equal reward merged (exact sums), O(distinct rewards) per evaluation instead of
    // O(k) (a vocabulary of 10^6 tokens rarely has as many distinct rewards)
    if let Some(merged) = m.law() {
        return certified_root(merged, eq, target, prec);
    }
    let inc = increasing(eq);
    // Newton in log form: h(l) = ln f(l) - ln target, h' = f'/f (near-linear for large l)
    let side = |l: &Float, p: u32| -> Option<std::cmp::Ordering> {
        let v = value_of(m, eq, &Enc::point(l), p);
        v.cmp_certified(target)
    };
    // 1. a bracket [lo, hi] by doubling, at a modest precision
    // Newton starts at a low precision and doubles it (below): only the last one or two steps
    // and the certificate run at `prec`
    let p0 = 128.min(prec);
    let tmid = target.mid();
    let mut lo = Float::with_val(prec, 0);
    let mut hi: Float;
    let below = |o: Option<std::cmp::Ordering>| -> Option<bool> {
        // "below" means the root is to the right of l
        o.map(|o| {
            if inc {
                o == std::cmp::Ordering::Less
            } else {
                o == std::cmp::Ordering::Greater
            }
        })
    };
    // Phase 1: grow hi = 2^e with e = 1, 2, 4, 8, ... (a root near 10^100000, from a reward
    // spread of 10^-100000, is reached in about 20 steps); phase 2 narrows to [2^k, 2^(k+1)]
    // by bisection on the exponent.
    let mut guard = 0;
    let mut pb = p0;
    let mut e_lo: u64 = 0; // hi = 2^e_lo was below the root (e_lo = 0: only lo = 0 known)
    let mut e: u64 = 1;
    let mut lo_is_zero = true;
    loop {
        let h = Float::with_val(prec, 1) << (e.min(i32::MAX as u64) as i32);
        match below(side(&h, pb)) {
            Some(true) => {
                lo = h;
                lo_is_zero = false;
                e_lo = e;
                e = e.saturating_mul(2);
                guard += 1;
                if guard > 40 {
                    return None;
                }
            }
            Some(false) => {
                hi = h;
                break;
            }
            // an undecided side is not a bracket end: raise the precision first
            None if pb < prec => pb = (pb * 2).min(prec),
            None => {
                hi = h;
                break;
            }
        }
    }
    if !lo_is_zero {
        // root in (2^e_lo, 2^e]: bisect on the exponent
        let mut a = e_lo;
        let mut b = e;
        while b - a > 1 {
            let c = a + (b - a) / 2;
            let h = Float::with_val(prec, 1) << (c as i32);
            match below(side(&h, pb)) {
                Some(true) => {
                    a = c;
                    lo = h;
                }
                Some(false) => {
                    b = c;
                    hi = h;
                }
                None => break,
            }
        }
    }
    // 2. safeguarded Newton on the log form, with precision doubling. Start from the small-l
    // expansion when it lies in the bracket (K(l) ~ sigma2 l^2 / 2, mu(l) - mean ~ sigma2 l):
    // bisection from [0, 1] would need hundreds of halvings for a root like 10^-200.
    let mut x = Float::with_val(prec, &lo + &hi) / 2u32;
    let var0 = eval(m, &Enc::zero(p0), p0).var.mid();
    if var0 > 0 {
        let guess = match eq {
            Equation::Kl => Some((Float::with_val(p0, &tmid * 2u32) / &var0).sqrt()),
            Equation::MeanGap => {
                let gap = Rational::from(&m.r_max - &m.mean);
                let d = Float::with_val(p0, &gap) - &tmid;
                Some(d / &var0)
            }
            Equation::Deficit => None,
        };
        if let Some(g) = guess {
            if g.is_finite() && g > lo && g < hi {
                x = Float::with_val(prec, &g);
            }
        }
    }
    let mut p = p0;
    let mut iters = 0;
    // the last evaluation at full precision, (point, f there): the certificate below reuses it
    let mut last_full: Option<(Float, Enc)> = None;
    loop {
        let pw = p.max(64);
        let venc = value_of(m, eq, &Enc::point(&x), pw);
        if pw >= prec {
            last_full = Some((x.clone(), venc.clone()));
        }
        let v = venc.mid();
        // Move a bracket end only on a certified side: a sign read from the midpoint of a
        // cancelling evaluation can be wrong, and a bracket that loses the root never recovers.
        let certified_side = below(venc.cmp_certified(target));
        match certified_side {
            Some(true) if x > lo => lo = x.clone(),
            Some(false) if x < hi => hi = x.clone(),
            _ => {}
        }
        if certified_side.is_none() {
            // x is within the evaluation noise of the root at this working precision (which
            // may be far above 2^-pw when the evaluation cancels): only more bits can help.
            if p >= prec {
                break;
            }
            p = (p * 2).min(prec);
            iters += 1;
            continue;
        }
        if v <= 0 || tmid <= 0 {
            // fall back to bisection on the (certified) sign
            x = Float::with_val(prec, &lo + &hi) / 2u32;
        } else {
            // the derivative needs only about half the bits of the value for a quadratic step
            let d = slope_of(m, eq, &x, (pw / 2).max(64).min(pw));
            // h = ln v - ln t = ln1p((v - t) / t): the quotient at pw bits, the ln1p of a small
            // argument at half of them (a step accurate to half its bits suffices for Newton's
            // quadratic convergence), instead of two full-precision logarithms
            let rel = Float::with_val(pw, &v - &tmid) / &tmid;
            let h = Float::with_val((pw / 2).max(64).min(pw), rel.ln_1p_ref());
            let hp = Float::with_val(pw, &d / &v);
            let mut nx = Float::with_val(prec, &x - Float::with_val(pw, &h / &hp));
            if !nx.is_finite() || nx <= lo || nx >= hi {
                nx = Float::with_val(prec, &lo + &hi) / 2u32;
            }
            let step = Float::with_val(64, &nx - &x).abs();
            x = nx;
            // log2 of the relative step, from exponents (an f64 ratio underflows past 2^-1074)
            let rel_exp: i64 = if step.is_zero() {
                i64::MIN / 2
            } else {
                exp2_of(&step).unwrap_or(0) - exp2_of(&x).unwrap_or(0)
            };
            // Newton converges quadratically: a relative step below 2^-(pw/2) means the new
            // iterate is accurate to about pw bits.
            if rel_exp < -((pw as i64) / 2) + 2 {
                if p >= prec {
                    break;
                }
                p = next_prec(p, prec);
            }
        }
        iters += 1;
        if iters > 400 + 2 * (prec as usize).ilog2() as usize * 8 {
            break;
        }
    }
    // 3. the certificate: endpoints a < x < b at which f is certified on opposite sides of the
    // target. One evaluation of f at the point x at full precision, and an enclosure F' of f'
    // over X = [a, b] at a low precision, give by the mean value theorem
    //   f(a) in f(x) + F' (a - x),   f(b) in f(x) + F' (b - x)
    // (f is analytic on l > 0, so f(y) = f(x) + f'(eta)(y - x) with eta between x and y, inside
    // X). Opposite certified sides then prove the root in [a, b] (intermediate value theorem);
    // f strictly monotone on l > 0 makes it the unique root.
    // The separation must beat the rounding noise of f(x) (about 2^-prec relative, more when the
    // evaluation cancels), the width of the target's own enclosure, and the residual f(x) - t:
    // eps >= 4 (|f(x) - t| + width f(x) + width t) / |f'(x)|.
    let scale = fmax(
        &Float::with_val(prec, x.abs_ref()),
        &Float::with_val(prec, 1e-300_f64),
    );
    let mut eps = Float::with_val(prec, &scale >> (prec as i32 - 10).max(1));
    // Base point of the mean-value form: Newton's last full-precision evaluation when there is
    // one (it is within one Newton step, about 2^-(prec/2) relative, of x), which saves a full
    // evaluation; then F' is needed to about prec/2 bits over the hull of the base point and
    // [a, b], since the form adds |F'| width times the distance to the base point.
    let (base, fenc, plow) = match last_full {
        Some((xk, fk)) if fk.is_finite() => (xk, fk, (prec / 2 + 64).min(prec)),
        _ => (
            x.clone(),
            value_of(m, eq, &Enc::point(&x), prec),
            64.max(prec / 16).min(prec),
        ),
    };
    let fx = fenc.mid();
    let dfx = slope_of(m, eq, &x, 64.min(prec)).abs();
    if !dfx.is_zero() && fx.is_finite() {
        // the residual at x itself is that at the base point less one Newton step: tiny; the
        // noise of f at the base point and the target's width are what eps must beat
        let resid = if base == x {
            Float::with_val(prec, &fx - &tmid).abs()
        } else {
            Float::new(prec)
        };
        let noise = add_up(&add_up(&target.width(), &fenc.width(), prec), &resid, prec);
        let need = Float::with_val(prec, noise * 4u32) / &dfx;
        if need.is_finite() && need > eps {
            eps = need;
        }
    }
    let xe = Enc::point(&base);
    for _ in 0..8 {
        let a = Float::with_val(prec, &x - &eps);
        let b = Float::with_val(prec, &x + &eps);
        let a = if a <= 0 { Float::new(prec) } else { a };
        let span = Enc::new(a.clone(), b.clone());
        // X: the hull of [a, b] and the base point (the mean-value point lies between them)
        let hull = span.hull(&xe);
        // F' over X, raising its precision while its sign is not certified
        let mut pd = plow;
        let dx = loop {
            let d = slope_enc(m, eq, &hull, pd);
            if d.sign_certified().is_some() || pd >= prec {
                break d;
            }
            pd = (pd * 4).min(prec);
        };
        let at = |y: &Float| -> Enc {
            let dy = Enc::point(y).sub(&xe, prec);
            fenc.add(&dx.mul(&dy, prec), prec)
        };
        let a_ok = if a.is_zero() {
            // at l = 0: K = 0 < Delta, Delta_max - K = Delta_max > target, r_max - mu(0) > target
            true
        } else {
            below(at(&a).cmp_certified(target)) == Some(true)
        };
        let b_ok = below(at(&b).cmp_certified(target)) == Some(false);
        if std::env::var_os("ALIGNEXACT_DEBUG_ROOT").is_some() {
            eprintln!(
                "[root] prec {prec} x {:.20} eps 2^{} a_ok {a_ok} b_ok {b_ok}",
                x.to_f64(),
                exp2_of(&eps).unwrap_or(0),
            );
        }
        if a_ok && b_ok {
            return Some(span);
        }
        eps <<= 4;
    }
    None
}

/// The next working precision of Newton's precision doubling toward `prec`: the largest of
/// `ceil(prec / 2^j)` that at most doubles `p` (so the last steps run at `prec/2` and `prec`,
/// not at `prec/1.3` and `prec`), or `min(2p, prec)` when none exceeds `p`.
fn next_prec(p: u32, prec: u32) -> u32 {
    let mut q = prec;
    while q > 2 * p {
        q = q.div_ceil(2);
    }
    if q > p {
        q
    } else {
        (p * 2).min(prec)
    }
}

/// What `tilt` answers for a budget (TILT-1).
#[derive(Clone, Debug)]
pub enum Optimum {
    /// `Delta = 0` (or a constant reward): `phi = p`, `l = 0`.
    Reference,
    /// `0 < Delta < Delta_max`: `l_Delta` certified.
    Interior(Enc),
    /// `Delta >= Delta_max`: `phi = p(. | A_max)`, `l = +inf`.
    Saturated,
}

/// The optimum for a budget `delta >= 0` (TILT-1). `None` when the precision did not suffice
/// to decide the regime or to certify the root (the precision loop then raises it).
///
/// Regime decision: `Delta` is rational and `Delta_max = -ln p(A_max)` is transcendental unless
/// `p(A_max) = 1`, so the certified comparison always resolves at a high enough precision.
pub fn optimum(m: &TiltModel, delta: &Rational, prec: u32) -> Option<Optimum> {
    optimum_impl(m, delta, prec, false, true).map(|(o, _)| o)
}

/// [`optimum`] by the full-precision Newton path alone, never [`tilt_fast`] (the reference that
/// the regression tests compare the fast root with).
pub fn optimum_full_precision(m: &TiltModel, delta: &Rational, prec: u32) -> Option<Optimum> {
    optimum_impl(m, delta, prec, false, false).map(|(o, _)| o)
}

/// [`optimum`] with, for an interior optimum found on a vocabulary-size alphabet of distinct
/// rewards, the tilt evaluated over the root enclosure from the same exponentials that
/// certified the root (`psi`, `mu`, `sigma2`, `K`, `phi`; no deficit, as
/// [`eval_without_deficit`]). `None` in the second slot means: evaluate with [`eval`].
pub fn optimum_eval(m: &TiltModel, delta: &Rational, prec: u32) -> Option<(Optimum, Option<TiltEval>)> {
    optimum_impl(m, delta, prec, true, true)
}

fn optimum_impl(
    m: &TiltModel,
    delta: &Rational,
    prec: u32,
    want_eval: bool,
    allow_fast: bool,
) -> Option<(Optimum, Option<TiltEval>)> {
    if *delta == 0 || m.is_constant() {
        return Some((Optimum::Reference, None));
    }
    // The regime and the choice of equation are decided at the lowest precision that decides
    // them (an ln at 100000 digits costs as much as the rest of a Newton step); Delta_max at
    // full precision is only needed as the deficit equation's target.
    let mut pd = 64.min(prec);
    let (dmax, d) = loop {
        let dmax = m.delta_max(pd);
        let d = Enc::from_rational(delta, pd);
        if d.cmp_certified(&dmax).is_some() || pd >= prec {
            break (dmax, d);
        }
        pd = (pd * 4).min(prec);
    };
    match d.cmp_certified(&dmax)? {
        std::cmp::Ordering::Less => {}
        _ => return Some((Optimum::Saturated, None)),
    }
    // Near Delta_max solve the deficit equation, which has no cancellation. (Which equation is
    // solved only affects speed: both are certified; an undecided comparison picks K.)
    let two = Rational::from(2);
    let use_deficit = d.mul_rational(&two, pd).cmp_certified(&dmax) == Some(std::cmp::Ordering::Greater);
    let (eq, target_at): (Equation, Box<dyn Fn(u32) -> Enc>) = if use_deficit {
        (
            Equation::Deficit,
            Box::new(move |p: u32| m.delta_max(p).sub(&Enc::from_rational(delta, p), p)),
        )
    } else {
        (Equation::Kl, Box::new(move |p: u32| Enc::from_rational(delta, p)))
    };
    if use_deficit && target_at(prec).sign_certified() != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    // a vocabulary of many distinct rewards: the f64 search and one MPFR pass (tilt_fast), on
    // the model with equal rewards merged (the equations depend on the reward law only); its
    // per-token fields are the tilt's only when no tokens were merged
    let merged = law_of(m);
    let mm = merged.unwrap_or(m);
    if allow_fast && mm.p.len() >= tilt_fast::FAST_MIN_TOKENS {
        if let Some(fast) = fast_root(mm, eq, &*target_at, prec) {
            let ev = if want_eval && merged.is_none() {
                fast.fields().map(|f| TiltEval {
                    psi: f.psi,
                    mu: f.mu,
                    var: f.var,
                    kl: f.kl,
                    phi: f.phi,
                    deficit: None,
                    top_gap: None,
                })
            } else {
                None
            };
            return Some((Optimum::Interior(fast.root.clone()), ev));
        }
    }
    let root = certified_root(m, eq, &target_at(prec), prec)?;
    Some((Optimum::Interior(root), None))
}

/// The fast root of `eq = target` from [`tilt_fast::FAST_MIN_TOKENS`] tokens on (`None`: not
/// tried or not certified; the caller falls back to [`certified_root`]), kept in the model's
/// cache for the later quantities at the same tilt.
fn fast_root(
    m: &TiltModel,
    eq: Equation,
    target_at: &dyn Fn(u32) -> Enc,
    prec: u32,
) -> Option<std::sync::Arc<tilt_fast::Root>> {
    if m.p.len() < tilt_fast::FAST_MIN_TOKENS
        || m.is_constant()
        || std::env::var_os("ALIGNEXACT_NO_FAST_ROOT").is_some()
    {
        return None;
    }
    let input = fast_input(m);
    use tilt_fast::Equation as E;
    let feq = [E::Kl, E::Deficit, E::MeanGap][eq as usize];
    tilt_fast::solve(&input, feq, target_at, prec).map(|r| m.fast.keep(r))
}

/// `l(x)`: the root of `psi'(l) = x` for `x` strictly between `r_min` and `r_max`, certified
/// (LDP-1). Negative below the mean (by the mirror `l(x; r) = -l(-x; -r)`), exactly 0 at the mean.
pub fn lambda_of_x(m: &TiltModel, x: &Rational, prec: u32) -> Option<Enc> {
    if *x == m.mean {
        return Some(Enc::zero(prec));
    }
    if *x < m.mean {
        let mm = m.mirrored();
        return lambda_of_x(&mm, &Rational::from(-x), prec).map(|e| e.neg());
    }
    let target = Rational::from(&m.r_max - x);
    let merged = law_of(m);
    let mm = merged.unwrap_or(m);
    if let Some(fast) = fast_root(mm, Equation::MeanGap, &|p| Enc::from_rational(&target, p), prec) {
        return Some(fast.root.clone());
    }
    certified_root(m, Equation::MeanGap, &Enc::from_rational(&target, prec), prec)
}

/// `sup_t [t x - psi(t)]` certified from a bracket `t in [a, b]` of the maximiser: the concave
/// `g(t) = t x - psi(t)` gives the lower bound `g(t0)` at any point `t0`, and the upper bound
/// `g(t0) + |x - mu(t0)| (b - a)` (tangent line at `t0` dominates a concave function, and the
/// maximiser is within `b - a` of `t0`). Error `O((b-a)^2)`: far tighter than naive intervals.
pub fn legendre(m: &TiltModel, x: &Rational, bracket: &Enc, prec: u32) -> Enc {
    let t0 = Enc::point(&bracket.mid());
    let e = eval_psi_mu(m, &t0, prec);
    let g = t0.mul_rational(x, prec).sub(&e.psi, prec);
    let slope = Enc::from_rational(x, prec).sub(&e.mu, prec);
    let sl = fmax(
        &Float::with_val(prec, slope.lo().abs_ref()),
        &Float::with_val(prec, slope.hi().abs_ref()),
    );
    let w = bracket.width();
    let extra = mul_up(&sl, &w, prec);
    Enc::new(g.lo().clone(), add_up(g.hi(), &extra, prec))
}

/// A validated budget for the tilt.
#[derive(Clone, Debug, PartialEq)]
pub enum Budget {
    /// A per-token KL budget `Delta >= 0`.
    Delta(Rational),
    /// A tilt parameter `l` (from `--lambda`, or `1/beta`).
    Lambda(Rational),
    /// `e^l = T > 0`.
    ExpLambda(Rational),
}

impl Budget {
    /// JSON echo of the budget.
    pub fn echo(&self, input: &mut serde_json::Value) {
        match self {
            Budget::Delta(d) => input["delta"] = serde_json::json!(d.to_string()),
            Budget::Lambda(l) => input["lambda"] = serde_json::json!(l.to_string()),
            Budget::ExpLambda(t) => input["exp_lambda"] = serde_json::json!(t.to_string()),
        }
    }
}
