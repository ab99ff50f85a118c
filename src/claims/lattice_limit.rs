//! The lattice-Gumbel limit law of the maximum of `N = e^{n Delta + eps}` draws of a lattice
//! `S_n`, and the second-order terms of its mean: what the limit claims ASY-5 .. ASY-7
//! ([`crate::claims::asymptotics`]) compare the grid series against.
//!
//! # Lattice-Gumbel limit law
//! With a lattice reward (every rational reward: span `h`), the maximum of `N = e^{n Delta + eps}`
//! draws of `S_n` does not converge to a shifted Gumbel law but to a *discretised* one. Write
//! `s_0` for the smallest lattice point `>= n x*`, `s_k = s_0 + k h`, `a = e^{-l h}` and, from the
//! Bahadur-Rao tail `P(S_n >= s) ~ C_L n^{-1/2} e^{-n Delta - l (s - n x*)}`,
//! `tau_k = N P(S_n >= s_k) ~ t_0 a^k` with `t_0 = N C_L n^{-1/2} e^{-l (s_0 - n x*)}`. Then
//! `P(M = s_k) -> q_k = e^{-a tau_k} - e^{-tau_k}`, so (see `proofs/asymptotics.md`)
//! - `E M ~ s_0 + h sum_k k q_k` ([`LatticeLimit::mean`]); it equals the ASY-7 terms of MATH.md
//!   (`n x* - ln n/(2l) + (gamma + ln C_L)/l - h/2 + eps/l`) plus a periodic function of the
//!   lattice phase of amplitude at most [`periodic_amplitude`] `= (h/pi) sum_m |Gamma(1 + 2 pi i m/(l h))|/m`;
//! - `n Delta - D(pi_N || p^n) -> c(phase) = -eps - sum_k q_k ln(q_k / (tau_k (1 - a)))`
//!   ([`LatticeLimit::c`]), a periodic function of the phase: the constant of ASY-6.
//!
//! The sums are over all `k` in `Z`; they are truncated where the terms are below `2^-prec` and
//! the omitted tails are bounded rigorously (geometric series), so these limit values are
//! themselves enclosures.
//!
//! # Second order
//! Expanding `n I(x* + y/n) = n Delta + l y + y^2/(2 sigma^2 n) + ...` and
//! `ln C_L(x* + y/n) = ln C_L + c_1 y/n + ...` in the Gumbel equation gives the next terms of
//! `E M` ([`second_order`]):
//! `-(ln n)^2 / (8 sigma^2 l^3 n) + b ln n / n + O(1/n)` with
//! `b = (gamma + ln C_L + eps)/(2 sigma^2 l^3) - c_1/(2 l^2)`,
//! `c_1 = -kappa_3/(2 sigma^4) - h/((e^{l h} - 1) sigma^2)`. So the residual after the ASY-7 terms
//! shrinks like `(ln n)^2 / n`, not like `1/n` (measured in `proofs/asymptotics.md`).
//!
//! # Second order, lattice
//! The Gumbel equation above is the continuous law. On the lattice the next-order tail is
//! `tau_k -> tau_k e^{delta_k}`, `delta_k = (-y_k^2/(2 sigma^2) + c_1 y_k + d)/n`
//! (`y_k = s_k - n x*`, `d` the `1/n` term of the lattice Bahadur-Rao tail, [`bahadur_rao_d`]),
//! and to first order `E M` moves by `(h/n) sum_k tau_k e^{-tau_k} (-y_k^2/(2 sigma^2) + c_1 y_k + d)`
//! ([`second_order_lattice`]). Its Poisson `m = 0` part is the continuous formula with its `1/n`
//! constant ([`second_order_continuous`]); the rest is periodic in the lattice phase of `n x*`
//! with an amplitude that grows like `(ln n)^2 / n` times `|Gamma(1 + 2 pi i/(l h))|`: negligible
//! for Example A (`l h = 0.60`), 0.35 .. 0.49 in `n (E - E_lattice - S2)` for Example B
//! (`l h = 1.28`) at `n ~ 10^4 .. 10^5`. After subtracting it the remainder tends to 0.

use super::claim::{abs_enc, ln_n};
use super::series::{Row, Series};
use crate::real::Enc;
use rug::{Float, Rational};

fn q(a: i64, b: i64) -> Rational {
    Rational::from((a, b))
}

// ---------------------------------------------------------------------------------------------
// lattice-Gumbel limit and second-order terms
// ---------------------------------------------------------------------------------------------

/// The lattice-Gumbel limit at one grid point (see the module docs).
#[derive(Clone, Debug)]
pub struct LatticeLimit {
    /// `E M - n x*` predicted by the limit law (`s_0 - n x* + h sum_k k q_k`).
    pub mean: Enc,
    /// `c(phase) = -eps - sum_k q_k ln(q_k / (tau_k (1 - a)))`, the limit of `n Delta - D(pi_N||p^n)`.
    pub c: Enc,
    /// `t_0 = tau at s_0`.
    pub t0: Enc,
}

/// `ln C_L = ln h - ln(1 - e^{-l h}) - (1/2) ln(2 pi sigma^2)`.
pub fn ln_cl(l: &Enc, var: &Enc, h: &Rational, prec: u32) -> Enc {
    let he = Enc::from_rational(h, prec);
    let one_minus_a = l.mul(&he, prec).neg().expm1(prec).neg();
    let two_pi_var = Enc::pi(prec).mul_rational(&q(2, 1), prec).mul(var, prec);
    he.ln(prec)
        .sub(&one_minus_a.ln(prec), prec)
        .sub(&two_pi_var.ln(prec).mul_rational(&q(1, 2), prec), prec)
}

/// The lattice geometry of the limit law at one grid point: `y_0 = s_0 - n x*`, `ln t_0`,
/// `l h`, `a = e^{-l h}`, `1 - a`, and the summation window `k_lo ..= k_hi` (chosen from
/// floating-point estimates; every sum over it adds a rigorous bound for the omitted tails).
struct Geometry {
    y0: Enc,
    ln_t0: Enc,
    lh: Enc,
    a: Enc,
    one_minus_a: Enc,
    k_lo: i64,
    k_hi: i64,
}

impl Geometry {
    /// `ln tau_k = ln t_0 - k l h`.
    fn ln_tau(&self, k: i64, prec: u32) -> Enc {
        self.ln_t0
            .sub(&self.lh.mul_rational(&Rational::from(k), prec), prec)
    }
}

/// The geometry at length `n`; `None` when the lattice point `s_0` could not be located at `prec`.
fn geometry(s: &Series, row: &Row, prec: u32) -> Option<Geometry> {
    let n = row.n;
    let nr = Rational::from(n);
    let h = &s.h;
    let he = Enc::from_rational(h, prec);
    let nx = s.x_star.mul_rational(&nr, prec);
    // s_0 = n r_min + h (floor((n x* - n r_min)/h) + 1)
    let v = nx
        .sub(&Enc::from_rational(&Rational::from(&s.r_min * &nr), prec), prec)
        .div(&he, prec);
    let fl = v.lo().clone().floor().to_integer()?;
    let fh = v.hi().clone().floor().to_integer()?;
    if fl != fh {
        return None;
    }
    let s0 = Rational::from(&s.r_min * &nr) + h * Rational::from(fl + 1u32);
    let y0 = Enc::from_rational(&s0, prec).sub(&nx, prec);
    let lh = s.l.mul(&he, prec);
    let a = lh.neg().exp(prec);
    let one_minus_a = lh.neg().expm1(prec).neg();
    // tau_0 = N P(S_n >= s_0) ~ e^{eps} C_L n^{-1/2} e^{-l (s_0 - n x*)}  (N = e^{n Delta + eps})
    let ln_t0 = row
        .eps
        .add(&ln_cl(&s.l, &s.var, h, prec), prec)
        .sub(&ln_n(n, prec).mul_rational(&q(1, 2), prec), prec)
        .sub(&s.l.mul(&y0, prec), prec);
    // truncation window from floating-point estimates (the tails are bounded rigorously below)
    let lt0 = ln_t0.mid().to_f64();
    let lhf = lh.mid().to_f64();
    let af = (-lhf).exp();
    let bits = f64::from(prec) + 40.0;
    let k_hi = ((lt0 + bits * std::f64::consts::LN_2 + 10.0) / lhf).ceil() as i64 + 1;
    let big = (2.0 * bits * std::f64::consts::LN_2 / af).ln();
    let k_lo = ((lt0 - big) / lhf).floor() as i64 - 1;
    Some(Geometry {
        y0,
        ln_t0,
        lh,
        a,
        one_minus_a,
        k_lo,
        k_hi,
    })
}

/// The lattice-Gumbel limit at length `n` (see the module docs). `None` when the lattice point
/// `s_0` could not be located at `prec`.
pub fn lattice_limit(s: &Series, row: &Row, prec: u32) -> Option<LatticeLimit> {
    let h = &s.h;
    let he = Enc::from_rational(h, prec);
    let Geometry {
        y0,
        ln_t0,
        lh,
        a,
        one_minus_a,
        k_lo,
        k_hi,
    } = geometry(s, row, prec)?;
    let ln_tau = |k: i64| ln_t0.sub(&lh.mul_rational(&Rational::from(k), prec), prec);
    let mut mean_terms = Vec::new();
    let mut c_terms = Vec::new();
    let ln_1ma = one_minus_a.ln(prec);
    for k in k_lo..=k_hi {
        let lt = ln_tau(k);
        let tau = lt.exp(prec);
        // q = e^{-a tau} (1 - e^{-(1-a) tau})
        let ln_q = a.mul(&tau, prec).neg().add(
            &one_minus_a.mul(&tau, prec).neg().expm1(prec).neg().ln(prec),
            prec,
        );
        let qk = ln_q.exp(prec);
        mean_terms.push(qk.mul_rational(&(h * Rational::from(k)), prec));
        c_terms.push(qk.mul(&ln_q.sub(&lt, prec).sub(&ln_1ma, prec), prec));
    }
    let one = Enc::from_i64(1, prec);
    // tails: k > k_hi (tau small) and k < k_lo (tau large)
    let tau_hi = ln_tau(k_hi).exp(prec);
    let kh = Rational::from(k_hi.abs());
    let t_mean_hi = he.mul(&tau_hi, prec).mul(&a, prec).mul(
        &Enc::from_rational(&kh, prec).add(&one.div(&one_minus_a, prec), prec),
        prec,
    );
    let t_c_hi = tau_hi
        .square(prec)
        .mul(&a.square(prec), prec)
        .div(&one.add(&a, prec), prec);
    let tau_lo = ln_tau(k_lo).exp(prec);
    let kl_ = Enc::from_rational(&Rational::from(k_lo.abs()), prec);
    let rho = tau_lo.mul(&one_minus_a, prec).neg().exp(prec);
    let g1 = rho.div(&one.sub(&rho, prec), prec);
    let e_lo = a.mul(&tau_lo, prec).neg().exp(prec);
    let t_mean_lo = he.mul(&e_lo, prec).mul(
        &kl_.mul(&g1, prec).add(&g1.div(&one.sub(&rho, prec), prec), prec),
        prec,
    );
    let rho2 = tau_lo
        .mul(&one_minus_a, prec)
        .mul_rational(&q(1, 2), prec)
        .neg()
        .exp(prec);
    let e_lo2 = a.mul(&tau_lo, prec).mul_rational(&q(1, 2), prec).neg().exp(prec);
    let two_over_ae = Enc::from_i64(2, prec).div(&a.mul(&one.exp(prec), prec), prec);
    let t_c_lo = two_over_ae
        .mul(&e_lo2, prec)
        .mul(&rho2.div(&one.sub(&rho2, prec), prec), prec);
    let widen = |x: Enc, t: Enc| -> Enc {
        let tb = t.hi().clone();
        x.add(&Enc::new(Float::with_val(prec, -&tb), tb), prec)
    };
    let mean_sum = widen(Enc::sum(mean_terms.iter(), prec), t_mean_hi.add(&t_mean_lo, prec));
    let c_sum = widen(Enc::sum(c_terms.iter(), prec), t_c_hi.add(&t_c_lo, prec));
    Some(LatticeLimit {
        mean: y0.add(&mean_sum, prec),
        c: row.eps.neg().sub(&c_sum, prec),
        t0: ln_t0.exp(prec),
    })
}

/// A rigorous bound on the amplitude of the lattice periodic term of `E M`:
/// `(h/pi) sum_{m>=1} |Gamma(1 + i m y)| / m` with `y = 2 pi/(l h)`, using
/// `|Gamma(1 + i t)|^2 = pi t / sinh(pi t)`:
/// `<= (h/pi) sqrt(2 pi y / (1 - e^{-2 pi y})) e^{-pi y/2} / (1 - e^{-pi y/2})`.
pub fn periodic_amplitude(l: &Enc, h: &Rational, prec: u32) -> Enc {
    let he = Enc::from_rational(h, prec);
    let pi = Enc::pi(prec);
    let y = pi.mul_rational(&q(2, 1), prec).div(&l.mul(&he, prec), prec);
    let piy = pi.mul(&y, prec);
    let one = Enc::from_i64(1, prec);
    let s = piy
        .mul_rational(&q(2, 1), prec)
        .div(&one.sub(&piy.mul_rational(&q(-2, 1), prec).exp(prec), prec), prec)
        .sqrt(prec);
    let e = piy.mul_rational(&q(-1, 2), prec).exp(prec);
    he.div(&pi, prec)
        .mul(&s, prec)
        .mul(&e, prec)
        .div(&one.sub(&e, prec), prec)
}

/// `c_1 = d ln C_L / dx = -kappa_3/(2 sigma^4) - h/((e^{l h} - 1) sigma^2)` at `x*`.
fn c1(s: &Series, prec: u32) -> Enc {
    let (l, v) = (&s.l, &s.var);
    let he = Enc::from_rational(&s.h, prec);
    s.kappa3
        .div(&v.square(prec).mul_rational(&q(2, 1), prec), prec)
        .neg()
        .sub(&he.div(&l.mul(&he, prec).expm1(prec).mul(v, prec), prec), prec)
}

/// The second-order terms of `E S_n` beyond ASY-7 (module docs):
/// `(-(ln n)^2/(8 sigma^2 l^3) + b ln n) / n` with
/// `b = (gamma + ln C_L + eps)/(2 sigma^2 l^3) - c_1/(2 l^2)`,
/// `c_1 = -kappa_3/(2 sigma^4) - h/((e^{l h} - 1) sigma^2)`.
/// The `1/n` constant and the lattice-periodic parts are left out: see
/// [`second_order_continuous`] and [`second_order_lattice`].
pub fn second_order(s: &Series, row: &Row, prec: u32) -> Enc {
    let (l, v) = (&s.l, &s.var);
    let l3 = l.powi(3, prec);
    let sl3 = v.mul(&l3, prec);
    let c1 = c1(s, prec);
    let k0 = Enc::euler_gamma(prec)
        .add(&ln_cl(l, v, &s.h, prec), prec)
        .add(&row.eps, prec);
    let b = k0
        .div(&sl3.mul_rational(&q(2, 1), prec), prec)
        .sub(&c1.div(&l.square(prec).mul_rational(&q(2, 1), prec), prec), prec);
    let ln_n = ln_n(row.n, prec);
    ln_n.square(prec)
        .div(&sl3.mul_rational(&q(8, 1), prec), prec)
        .neg()
        .add(&b.mul(&ln_n, prec), prec)
        .mul_rational(&Rational::from((1, row.n)), prec)
}

/// The `1/n` coefficient `d` of the lattice Bahadur-Rao tail at `x*`,
/// `P(S_n >= s) = C_L n^{-1/2} e^{-n I(s/n)} (1 + d/n + O(n^{-3/2}))` (the local Edgeworth
/// expansion of the tilted law summed over the lattice points `s + j h`, `j >= 0`, with weights
/// `a^j`; `proofs/asymptotics.md`, "Second order, lattice"):
/// `d = kappa_4/(8 sigma^4) - 5 kappa_3^2/(24 sigma^6) - (h^2/(2 sigma^2)) a (1 + a)/(1 - a)^2
///  - (kappa_3 h/(2 sigma^4)) a/(1 - a)`, `a = e^{-l h}`.
/// For `h -> 0` it tends to the continuous Bahadur-Rao term
/// `kappa_4/(8 sigma^4) - 5 kappa_3^2/(24 sigma^6) - 1/(l^2 sigma^2) - kappa_3/(2 l sigma^4)`.
pub fn bahadur_rao_d(s: &Series, prec: u32) -> Enc {
    let v = &s.var;
    let he = Enc::from_rational(&s.h, prec);
    let lh = s.l.mul(&he, prec);
    let a = lh.neg().exp(prec);
    let one_minus_a = lh.neg().expm1(prec).neg();
    let one = Enc::from_i64(1, prec);
    let v2 = v.square(prec);
    let v3 = v2.mul(v, prec);
    let ratio = a.div(&one_minus_a, prec);
    s.kappa4
        .div(&v2.mul_rational(&q(8, 1), prec), prec)
        .sub(
            &s.kappa3
                .square(prec)
                .mul_rational(&q(5, 1), prec)
                .div(&v3.mul_rational(&q(24, 1), prec), prec),
            prec,
        )
        .sub(
            &he.square(prec)
                .div(&v.mul_rational(&q(2, 1), prec), prec)
                .mul(&ratio, prec)
                .mul(&one.add(&a, prec).div(&one_minus_a, prec), prec),
            prec,
        )
        .sub(
            &s.kappa3
                .mul(&he, prec)
                .div(&v2.mul_rational(&q(2, 1), prec), prec)
                .mul(&ratio, prec),
            prec,
        )
}

/// The whole `1/n` correction of `E M` under the *continuous* Gumbel law: [`second_order`] plus
/// the constant it leaves out, `C/n` with
/// `C = -(K_0^2 + pi^2/6)/(2 sigma^2 l^3) + c_1 K_0/l^2 + d/l`, `K_0 = gamma + ln C_L + eps`,
/// `d` = [`bahadur_rao_d`]. This is `(1/l) E[delta(u + G/l)]` for
/// `delta(y) = (-y^2/(2 sigma^2) + c_1 y + d)/n` and `G` standard Gumbel, the non-periodic
/// (Poisson `m = 0`) part of [`second_order_lattice`].
pub fn second_order_continuous(s: &Series, row: &Row, prec: u32) -> Enc {
    let (l, v) = (&s.l, &s.var);
    let sl3 = v.mul(&l.powi(3, prec), prec);
    let k0 = Enc::euler_gamma(prec)
        .add(&ln_cl(l, v, &s.h, prec), prec)
        .add(&row.eps, prec);
    let pi2_6 = Enc::pi(prec).square(prec).mul_rational(&q(1, 6), prec);
    let c = k0
        .square(prec)
        .add(&pi2_6, prec)
        .div(&sl3.mul_rational(&q(2, 1), prec), prec)
        .neg()
        .add(&c1(s, prec).mul(&k0, prec).div(&l.square(prec), prec), prec)
        .add(&bahadur_rao_d(s, prec).div(l, prec), prec);
    second_order(s, row, prec).add(&c.mul_rational(&Rational::from((1, row.n)), prec), prec)
}

/// The whole `1/n` correction of `E M` under the *lattice* Gumbel law, phase included:
/// `(h/n) sum_k w_k (-y_k^2/(2 sigma^2) + c_1 y_k + d)`, `w_k = tau_k e^{-tau_k}`,
/// `y_k = s_k - n x*`, `d` = [`bahadur_rao_d`].
///
/// Derivation (`proofs/asymptotics.md`, "Second order, lattice"): the next-order Bahadur-Rao
/// tail is `tau_k -> tau_k e^{delta_k}`, `delta_k = (-y_k^2/(2 sigma^2) + c_1 y_k + d)/n`, and
/// `E M = s_0 + h (sum_{k>=1} (1 - e^{-tau_k}) - sum_{k<=0} e^{-tau_k})` has
/// `d E M / d delta_k = h tau_k e^{-tau_k}`; the terms of order `delta^2` and `y^3/n^2` are
/// `O((ln n)^4/n^2)`. Its Poisson `m = 0` part is [`second_order_continuous`]; the rest is
/// periodic in the lattice phase of `n x*` with amplitude `O(|Gamma(1 + 2 pi i/(l h))| (ln n)^2/n)`.
///
/// The sum runs over the window of [`lattice_limit`]; the omitted tails are bounded rigorously:
/// with `Y = |y_K|` at the last kept index `K` and `|y_{K +- j}| <= Y + j h`, the polynomial is
/// at most `P_0 + P_1 j + P_2 j^2` (`P_0 = Y^2/(2 sigma^2) + |c_1| Y + |d|`,
/// `P_1 = (Y/sigma^2 + |c_1|) h`, `P_2 = h^2/(2 sigma^2)`); for `k = K + j` (small tau)
/// `w <= tau_K a^j`; for `k = K - j` (large tau) `tau_{K-j} = tau_K a^{-j} >= tau_K (1 + j (1-a))`
/// (Bernoulli) and `tau e^{-tau} <= (2/e) e^{-tau/2}`, so `w <= (2/e) e^{-tau_K/2} rho^j`,
/// `rho = e^{-tau_K (1-a)/2}`; and `sum_j r^j (P_0 + P_1 j + P_2 j^2) = P_0 r/(1-r) +
/// P_1 r/(1-r)^2 + P_2 r (1+r)/(1-r)^3`. `None` when `s_0` could not be located at `prec`.
pub fn second_order_lattice(s: &Series, row: &Row, prec: u32) -> Option<Enc> {
    let g = geometry(s, row, prec)?;
    let he = Enc::from_rational(&s.h, prec);
    let v = &s.var;
    let c1 = c1(s, prec);
    let d = bahadur_rao_d(s, prec);
    let two_v = v.mul_rational(&q(2, 1), prec);
    let poly = |y: &Enc| -> Enc {
        y.square(prec)
            .div(&two_v, prec)
            .neg()
            .add(&c1.mul(y, prec), prec)
            .add(&d, prec)
    };
    let y_at = |k: i64| g.y0.add(&he.mul_rational(&Rational::from(k), prec), prec);
    let mut terms = Vec::with_capacity((g.k_hi - g.k_lo + 1).max(0) as usize);
    for k in g.k_lo..=g.k_hi {
        let lt = g.ln_tau(k, prec);
        // w = tau e^{-tau} = e^{ln tau - tau}
        let w = lt.sub(&lt.exp(prec), prec).exp(prec);
        terms.push(w.mul(&poly(&y_at(k)), prec));
    }
    let one = Enc::from_i64(1, prec);
    // sum_{j>=1} r^j (P_0 + P_1 j + P_2 j^2), every factor nonnegative
    let tail_poly = |k: i64, r: &Enc| -> Enc {
        let yk = abs_enc(&y_at(k));
        let p0 = yk
            .square(prec)
            .div(&two_v, prec)
            .add(&abs_enc(&c1).mul(&yk, prec), prec)
            .add(&abs_enc(&d), prec);
        let p1 = yk.div(v, prec).add(&abs_enc(&c1), prec).mul(&he, prec);
        let p2 = he.square(prec).div(&two_v, prec);
        let om = one.sub(r, prec);
        p0.mul(&r.div(&om, prec), prec)
            .add(&p1.mul(&r.div(&om.square(prec), prec), prec), prec)
            .add(
                &p2.mul(&r.mul(&one.add(r, prec), prec).div(&om.powi(3, prec), prec), prec),
                prec,
            )
    };
    let tau_hi = g.ln_tau(g.k_hi, prec).exp(prec);
    let t_hi = tau_hi.mul(&tail_poly(g.k_hi, &g.a), prec);
    let tau_lo = g.ln_tau(g.k_lo, prec).exp(prec);
    let rho = tau_lo
        .mul(&g.one_minus_a, prec)
        .mul_rational(&q(-1, 2), prec)
        .exp(prec);
    let t_lo = Enc::from_i64(2, prec)
        .div(&one.exp(prec), prec)
        .mul(&tau_lo.mul_rational(&q(-1, 2), prec).exp(prec), prec)
        .mul(&tail_poly(g.k_lo, &rho), prec);
    let tb = t_hi.add(&t_lo, prec).hi().clone();
    let sum = Enc::sum(terms.iter(), prec).add(&Enc::new(Float::with_val(prec, -&tb), tb), prec);
    Some(sum.mul(&he, prec).mul_rational(&Rational::from((1, row.n)), prec))
}

/// The residuals of ASY-7 at one grid point.
#[derive(Clone, Debug)]
pub struct Residual {
    /// `n`.
    pub n: u64,
    /// `E - pred7` with the ASY-7 terms of MATH.md.
    pub paper: Enc,
    /// `E - (n x* + lattice mean)` with the lattice-Gumbel limit (the ASY-7 terms plus the
    /// periodic term).
    pub lattice: Enc,
    /// `pred7 - (n x* + lattice mean)`: minus the periodic term.
    pub periodic: Enc,
    /// The second-order terms ([`second_order`]: the `(ln n)^2/n` and `ln n/n` terms).
    pub second: Enc,
    /// The whole `1/n` correction under the continuous Gumbel law ([`second_order_continuous`]).
    pub second_continuous: Enc,
    /// The whole `1/n` correction under the lattice Gumbel law ([`second_order_lattice`]).
    pub second_lattice: Enc,
    /// `n Delta - D(pi_N||p^n) - c(phase)`.
    pub c_gap: Enc,
    /// `c(phase)`.
    pub c_limit: Enc,
    /// `D(pi_N||phi^n) - D_lattice`, `D_lattice = -c(phase) - l (E_lattice - n x*)`.
    pub d_gap: Enc,
}

/// The ASY-7 (and ASY-5, ASY-6) residuals along the series; `None` when a lattice point could
/// not be located at `prec`.
pub fn residuals(s: &Series, prec: u32) -> Option<Vec<Residual>> {
    s.rows
        .iter()
        .map(|row| {
            let lat = lattice_limit(s, row, prec)?;
            let nx = s.x_star.mul_rational(&Rational::from(row.n), prec);
            let e_lat = nx.add(&lat.mean, prec);
            let d_lat = lat.c.neg().sub(&s.l.mul(&lat.mean, prec), prec);
            Some(Residual {
                n: row.n,
                paper: row.r7.clone(),
                lattice: row.e.sub(&e_lat, prec),
                periodic: row.pred7.sub(&e_lat, prec),
                second: second_order(s, row, prec),
                second_continuous: second_order_continuous(s, row, prec),
                second_lattice: second_order_lattice(s, row, prec)?,
                c_gap: row.c.sub(&lat.c, prec),
                c_limit: lat.c,
                d_gap: row.kl_tilt.sub(&d_lat, prec),
            })
        })
        .collect()
}
