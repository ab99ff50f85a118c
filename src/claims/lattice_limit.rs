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

use super::claim::ln_n;
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

/// The lattice-Gumbel limit at length `n` (see the module docs). `None` when the lattice point
/// `s_0` could not be located at `prec`.
pub fn lattice_limit(s: &Series, row: &Row, prec: u32) -> Option<LatticeLimit> {
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

/// The second-order terms of `E S_n` beyond ASY-7 (module docs):
/// `(-(ln n)^2/(8 sigma^2 l^3) + b ln n) / n` with
/// `b = (gamma + ln C_L + eps)/(2 sigma^2 l^3) - c_1/(2 l^2)`,
/// `c_1 = -kappa_3/(2 sigma^4) - h/((e^{l h} - 1) sigma^2)`.
pub fn second_order(s: &Series, row: &Row, prec: u32) -> Enc {
    let (l, v) = (&s.l, &s.var);
    let he = Enc::from_rational(&s.h, prec);
    let l3 = l.powi(3, prec);
    let sl3 = v.mul(&l3, prec);
    let c1 = s
        .kappa3
        .div(&v.square(prec).mul_rational(&q(2, 1), prec), prec)
        .neg()
        .sub(&he.div(&l.mul(&he, prec).expm1(prec).mul(v, prec), prec), prec);
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
    /// The second-order terms.
    pub second: Enc,
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
                c_gap: row.c.sub(&lat.c, prec),
                c_limit: lat.c,
                d_gap: row.kl_tilt.sub(&d_lat, prec),
            })
        })
        .collect()
}
