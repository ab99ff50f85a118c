//! The windowed level law (MATH.md §9, WIN-1 .. WIN-4): certified best-of-N and optimum
//! quantities at large `n` from windows of width `O(sqrt(n bits))` of a tilted power.
//!
//! # Lattice form
//! On the support, `r_a = c + h k_a` with integers `0 <= k_a <= d` and `gcd(k_a) = 1` (span `h`,
//! `c = r_min`). `f(z) = sum_a p_a z^{k_a}`; level `s in 0..=nd` has reward `n c + h s` and
//! `P_S(s) = [z^s] f(z)^n`.
//!
//! # WIN-1 (tilt identity)
//! For a real `theta`, `g_theta(z) = f(e^theta z) / f(e^theta)` has non-negative coefficients summing
//! to 1 and `P_S(s) = f(e^theta)^n e^{-theta s} G_theta(s)`, `G_theta(s) = [z^s] g_theta(z)^n`.
//! Any `theta` is exact here: we take `theta = h lambda'` for an exact binary float `lambda'` near
//! `l_Delta` (the window's position only affects its efficiency, never its rigour).
//!
//! # WIN-2 (windowed power with mass accounting)
//! Fixed point with `B` bits: a window `[a, b]` of integers `L(s) <= 2^B G(s)`, zero outside.
//! Products of lower bounds of non-negative numbers are lower bounds; floors round down; dropping
//! coefficients outside the new window only lowers. Since `sum_s G(s) = 1` exactly, the deficit
//! `E = 2^B - sum_s L(s)` is exact and bounds every non-negative deficit: `2^B G(s) - L(s) <= E`
//! for each `s`, and `sum_s (2^B G(s) - L(s)) w(s) <= E max w` for weights `w >= 0`. So one
//! integer vector and one integer carry all the bounds (no separate upper vector is needed; this
//! is the `U = L + eps` form of MATH.md §9 with `eps` the exact deficit). Squarings use one GMP
//! product of Kronecker-packed integers; multiplications by `g` are direct (at most 8 terms).
//!
//! # WIN-3 (tails and outside bounds)
//! `T(s) = P(S > s) = f(e^theta)^n e^{-theta s} R(s)` with `R(s) = sum_{t > s} e^{-theta(t-s)} G(t)`,
//! enclosed by `R_L(s) <= 2^B R(s) <= R_L(s) + e^{-theta} E` (`theta > 0`), where `R_L` runs over
//! the window by `R_L(s) = e^{-theta} (R_L(s+1) + L(s+1))`.
//!
//! # WIN-4 (which window for which quantity)
//! Best-of-N and `D(pi_N || ...)` live in the window at `theta = h l_Delta`; the reverse KL
//! `D(phi^n || pi_N)` also needs a second window at `theta / 2` and, outside both windows, the bound
//! of `WindowLaw::unlisted_reverse_kl` (see `proofs/windowed.md`).

use crate::math::best_of_n as bon;
use crate::math::level_precision::{graded, ScoutCtx};
use crate::math::level_source::{LevelProbs, LevelSource, ReverseKlCtx, ScoutLevel};
use crate::real::round::{add_up, int_dn, int_up};
use crate::real::Enc;
use rug::integer::Order;
use rug::{Float, Integer, Rational};

pub use crate::math::win_lattice::{WinLattice, MAX_SPAN};

/// A windowed power `g_theta^n` in fixed point: `L(s)` for `s in [a, a + coef.len())`, and the
/// exact deficit `E = 2^B - sum L` (WIN-2).
#[derive(Clone, Debug)]
pub struct TiltedPower {
    /// Fixed-point bits `B`.
    pub bits: u32,
    /// First level of the window.
    pub a: usize,
    /// `L(s)`, `0 <= L(s) <= 2^B G(s)`.
    pub coef: Vec<Integer>,
    /// `E = 2^B - sum L >= 0`.
    pub deficit: Integer,
}

/// How wide the windows are: the half-width of power `m` is `widen * (z sd sqrt(m)) + d + 2`
/// levels with `z = sqrt(2 (B + 8) ln 2)`. `1.0` in production; tests lower it to check that a
/// too-narrow window only widens the enclosures (never a wrong digit).
#[derive(Clone, Copy, Debug)]
pub struct WindowKnob {
    /// Multiplier of the window half-width.
    pub widen: f64,
}

impl Default for WindowKnob {
    fn default() -> Self {
        WindowKnob { widen: 1.0 }
    }
}

pub(crate) fn window_for(
    m: u64,
    d: usize,
    mean: f64,
    sd: f64,
    bits: u32,
    knob: WindowKnob,
) -> (usize, usize) {
    let top = (m as f64) * d as f64;
    let z = (2.0 * (bits as f64 + 8.0) * std::f64::consts::LN_2).sqrt();
    let half = knob.widen * z * sd * (m as f64).sqrt() + d as f64 + 2.0;
    let c = m as f64 * mean;
    let lo = (c - half).floor().max(0.0);
    let hi = (c + half).ceil().min(top);
    (lo as usize, hi.max(lo) as usize)
}

/// The coefficients `L_1(k) = floor(2^B g_k)` of the tilted base, `g_k = p_k e^{theta k} / f(e^theta)`,
/// from enclosures at `B + 64` bits (their lower ends, floored: lower bounds).
fn base_power(lat: &WinLattice, theta: &Rational, bits: u32) -> Vec<Integer> {
    let prec = bits + 64;
    let th = Enc::from_rational(theta, prec);
    let d = lat.d as i64;
    let ws: Vec<Enc> = lat
        .ks
        .iter()
        .zip(&lat.ps)
        .map(|(k, p)| {
            th.mul(&Enc::from_i64(*k as i64 - d, prec), prec)
                .exp(prec)
                .mul_rational(p, prec)
        })
        .collect();
    let z = Enc::sum(ws.iter(), prec);
    let mut out = vec![Integer::new(); lat.d + 1];
    for (k, w) in lat.ks.iter().zip(&ws) {
        let g = w.div(&z, prec);
        let lo = Float::with_val(prec, g.lo() << bits as i32);
        let li = lo.floor().to_integer().unwrap_or_default().max(Integer::new());
        out[*k] = li;
    }
    out
}

/// `floor((x * y)(s) / 2^B)` for `s` in the window `[lo, hi]` of the product of a windowed power
/// `x` (first level `ax`) with itself, by Kronecker substitution: every product sum is at most
/// `2^{2B}` (it bounds `2^{2B} G_{2m}(s) <= 2^{2B}`), so slots of `2B + 1` bits never carry.
fn square_window(x: &[Integer], ax: usize, bits: u32, lo: usize, hi: usize) -> Vec<Integer> {
    product_window(x, ax, None, bits, lo, hi)
        .into_iter()
        .map(|c| c >> bits)
        .collect()
}

/// The product `(x * y)(s)` (not shifted) for `s` in `[lo, hi]` of two windowed fixed-point
/// vectors `x` (first level `ax`) and `y` (first level `ay`; `None`: `y = x`, one GMP squaring),
/// by Kronecker substitution with slots of `2B + 1` bits. The caller guarantees that every
/// product sum is at most `2^{2B}` (true for lower bounds of probability vectors at `B` bits,
/// whose coefficients sum to at most `2^B` each), so the slots never carry and every slot is
/// the exact product sum.
pub(crate) fn product_window(
    x: &[Integer],
    ax: usize,
    y: Option<(&[Integer], usize)>,
    bits: u32,
    lo: usize,
    hi: usize,
) -> Vec<Integer> {
    let (prod, base) = match y {
        None => (pack_slots(x, bits).square(), 2 * ax),
        Some((y, ay)) => (pack_slots(x, bits) * pack_slots(y, bits), ax + ay),
    };
    unpack_slots(&prod, base, bits, lo, hi, 0)
}

/// Kronecker packing of a fixed-point vector at `B` bits: coefficient `j` in the slot of
/// `2B + 1` bits (rounded up to whole limbs) number `j`.
pub(crate) fn pack_slots(v: &[Integer], bits: u32) -> Integer {
    let w = (2 * bits as usize + 1).div_ceil(64);
    let mut limbs = vec![0u64; v.len() * w];
    for (j, c) in v.iter().enumerate() {
        c.write_digits(&mut limbs[j * w..(j + 1) * w], Order::Lsf);
    }
    Integer::from_digits(&limbs, Order::Lsf)
}

/// The slots `s - base` for `s` in `[lo, hi]` of a packed product (or sum of packed products
/// whose slot sums stay below `2^{2B + 1}`, so that no slot carries), each shifted right by
/// `shift` bits (a floor).
pub(crate) fn unpack_slots(
    prod: &Integer,
    base: usize,
    bits: u32,
    lo: usize,
    hi: usize,
    shift: u32,
) -> Vec<Integer> {
    let w = (2 * bits as usize + 1).div_ceil(64);
    let limbs = prod.to_digits::<u64>(Order::Lsf);
    (lo..=hi)
        .map(|s| {
            if s < base {
                return Integer::new();
            }
            let i = s - base;
            let a = (i * w).min(limbs.len());
            let b = ((i + 1) * w).min(limbs.len());
            Integer::from_digits(&limbs[a..b], Order::Lsf) >> shift
        })
        .collect()
}

/// `floor((x * g)(s) / 2^B)` for `s` in `[lo, hi]`, with the base `L_1` (at most 8 non-zero terms).
fn mul_base(x: &[Integer], ax: usize, base: &[Integer], bits: u32, lo: usize, hi: usize) -> Vec<Integer> {
    let terms: Vec<(usize, &Integer)> = base.iter().enumerate().filter(|(_, c)| **c != 0).collect();
    let mut acc = Integer::new();
    (lo..=hi)
        .map(|s| {
            acc.assign_zero();
            for &(k, c) in &terms {
                if s >= k + ax && s - k - ax < x.len() {
                    acc += &x[s - k - ax] * c;
                }
            }
            Integer::from(&acc >> bits)
        })
        .collect()
}

trait AssignZero {
    fn assign_zero(&mut self);
}
impl AssignZero for Integer {
    fn assign_zero(&mut self) {
        rug::Assign::assign(self, 0);
    }
}

/// `g_theta^n` windowed (WIN-2), by binary powering from the top bit of `n`.
pub fn tilted_power(lat: &WinLattice, theta: &Rational, n: u64, bits: u32, knob: WindowKnob) -> TiltedPower {
    let base = base_power(lat, theta, bits);
    let (mean, var) = lat.moments(theta.to_f64());
    let sd = var.sqrt();
    let mut cur = base.clone();
    let mut a = 0usize;
    let mut m: u64 = 1;
    let top = 63 - n.leading_zeros();
    for bit in (0..top).rev() {
        let m2 = 2 * m;
        let (lo, hi) = window_for(m2, lat.d, mean, sd, bits, knob);
        cur = square_window(&cur, a, bits, lo, hi);
        a = lo;
        m = m2;
        if (n >> bit) & 1 == 1 {
            let (lo, hi) = window_for(m + 1, lat.d, mean, sd, bits, knob);
            cur = mul_base(&cur, a, &base, bits, lo, hi);
            a = lo;
            m += 1;
        }
    }
    debug_assert_eq!(m, n);
    let one = Integer::from(1) << bits;
    let total: Integer = cur.iter().sum();
    let deficit = one - total;
    assert!(
        deficit >= 0,
        "windowed power: lower bounds exceed the total mass (internal error)"
    );
    TiltedPower {
        bits,
        a,
        coef: cur,
        deficit,
    }
}

/// The windowed level law of `S_n` at one tilt (a [`LevelSource`]): the levels of the window of
/// `g_theta^n`, `theta = h lambda'`, restricted to those with `L > 0` and `T <= 1/2`.
#[derive(Clone, Debug)]
pub struct WindowLaw {
    /// The lattice.
    pub lat: WinLattice,
    /// `n`.
    pub n: u64,
    /// The tilt `lambda'` (an exact binary float, `> 0`).
    pub lambda: Float,
    /// `theta = h lambda'`, exact.
    pub theta: Rational,
    /// The windowed power (shared by the restricted copies of this window).
    pub pow: std::sync::Arc<TiltedPower>,
    /// Listed levels: `[lo, hi]` (lattice indices `s`).
    pub lo: usize,
    /// Last listed level.
    pub hi: usize,
    /// The window knob used (for the second window).
    pub knob: WindowKnob,
    /// The working precision the window was built for.
    pub prec: u32,
    /// The second window at `lambda' / 2` (WIN-4), when it was built alongside this one
    /// ([`WindowLaw::with_half`]); `reverse_kl_outside` builds it otherwise.
    pub half: Option<std::sync::Arc<WindowLaw>>,
    /// `ln C` of `P_S(s) = C e^{-theta s} G(s)` when it is not `n ln f(e^theta)` (a reference
    /// with memory, [`crate::math::markov_window`]: there `G` is a non-negative sequence of
    /// total mass at most 1 whose lower bounds `L` and excess bound `E` play the same roles).
    pub ln_pref: Option<Enc>,
}

/// Fixed-point bits for a working precision `prec` at length `n`: the deficit from flooring
/// (`< 1` per coefficient per product) must stay far below the central coefficients `~ 2^B / sqrt(n)`.
pub fn fixed_bits(prec: u32, n: u64) -> u32 {
    prec + 48 + 64 - n.leading_zeros()
}

impl WindowLaw {
    /// Build the window at `lambda'` (`> 0`) with `B = fixed_bits(prec, n)`.
    pub fn new(lat: &WinLattice, n: u64, lambda: &Float, prec: u32, knob: WindowKnob) -> WindowLaw {
        let theta = lambda.to_rational().expect("finite tilt") * lat.span();
        let bits = fixed_bits(prec, n);
        let t0 = std::time::Instant::now();
        let pow = std::sync::Arc::new(tilted_power(lat, &theta, n, bits, knob));
        let t1 = t0.elapsed().as_secs_f64();
        let mut w = WindowLaw {
            lat: lat.clone(),
            n,
            lambda: lambda.clone(),
            theta,
            pow,
            lo: 0,
            hi: 0,
            knob,
            prec,
            half: None,
            ln_pref: None,
        };
        w.choose_listing();
        if crate::real::ziv::trace_on() {
            eprintln!(
                "[window] tilt {:.6}: power {:.3} s ({} coefficients, B = {bits}), listing {:.3} s ({} levels)",
                lambda.to_f64(),
                t1,
                w.pow.coef.len(),
                t0.elapsed().as_secs_f64() - t1,
                w.hi - w.lo + 1
            );
        }
        w
    }

    /// The listed range: the run of `L > 0` around the largest coefficient, cut from below where
    /// the tail or `F = 1 - T` lose their relative accuracy. A heuristic: any listed range is
    /// rigorous, the choice only decides which fields certify.
    fn choose_listing(&mut self) {
        let c = &self.pow.coef;
        let (imax, _) = c
            .iter()
            .enumerate()
            .max_by(|x, y| x.1.cmp(y.1))
            .expect("non-empty");
        let mut lo = imax;
        while lo > 0 && c[lo - 1] > 0 {
            lo -= 1;
        }
        let mut hi = imax;
        while hi + 1 < c.len() && c[hi + 1] > 0 {
            hi += 1;
        }
        self.lo = self.pow.a + lo;
        self.hi = self.pow.a + hi;
        // keep from the first level whose tail T and CDF F = 1 - T are both known to a relative
        // 2^-8 (below it the window's deficit swamps the tail, or F = 1 - T has cancelled).
        // The tails' R come from one cheap backward recursion; the logarithms are taken lazily
        // from the bottom up to the first level that passes (with `ln C` formed once), so the
        // choice costs a few transcendental calls instead of several per window level.
        // At the working precision, not a fixed 64 bits: F = 1 - T at the lowest levels is
        // ~ 2^-p small only when T is formed to more than p bits, so a fixed precision fixed the
        // listing's bottom (and with it the unlisted mass below, WIN-3/WIN-4's outside bounds) at
        // the same level at every working precision: an error floor that precision did not lower
        // (F(s_lo)^N ~ 1e-30 at N = 2, n = 10^6).
        let prec = self.prec.max(64);
        let wp = prec + 16;
        let rs = self.tails_r(prec, self.lo, self.hi);
        let lnc = self.ln_c(wp);
        let th = self.theta_enc(wp);
        let tol = Float::with_val(64, 1) >> 8;
        let mut first = self.hi;
        for (i, rr) in rs.iter().enumerate() {
            let lt = Self::ln_t_with(&lnc, &th, self.lo + i, rr, prec);
            let t = lt.exp(prec).clamp01();
            let lf = t.neg().ln_1p(prec);
            if lt.is_finite() && lf.is_finite() && lt.width() <= tol && lf.width() <= tol {
                first = self.lo + i;
                break;
            }
        }
        self.lo = first;
    }

    /// The tilt of the second window (WIN-4): `lambda' / 2`, exact (one more bit).
    pub fn half_lambda(lambda: &Float) -> Float {
        Float::with_val(lambda.prec() + 1, lambda / 2u32)
    }

    /// [`WindowLaw::new`] with the second window at `lambda' / 2` (WIN-4) built at the same
    /// time on a second thread (the two tilted powers are independent; whole-process time at
    /// large `n` is dominated by them). Same values as building the second window later.
    pub fn with_half(lat: &WinLattice, n: u64, lambda: &Float, prec: u32, knob: WindowKnob) -> WindowLaw {
        let half_lambda = Self::half_lambda(lambda);
        let (mut w1, w2) = std::thread::scope(|sc| {
            let h = sc.spawn(|| {
                // MPFR's exponent range is per thread
                crate::real::round::widen_exponent_range();
                WindowLaw::new(lat, n, &half_lambda, prec, knob)
            });
            let w1 = WindowLaw::new(lat, n, lambda, prec, knob);
            (w1, h.join().expect("second window thread"))
        });
        w1.half = Some(std::sync::Arc::new(w2));
        w1
    }

    /// Restrict the listing to `[lo, hi]` (within the current listing).
    pub fn restricted(&self, lo: usize, hi: usize) -> Option<WindowLaw> {
        let lo = lo.max(self.lo);
        let hi = hi.min(self.hi);
        (lo <= hi).then(|| {
            let mut w = self.clone();
            w.lo = lo;
            w.hi = hi;
            w
        })
    }

    pub(crate) fn theta_enc(&self, prec: u32) -> Enc {
        Enc::from_rational(&self.theta, prec)
    }
    /// A window from a given power and prefactor `ln C` (see [`WindowLaw::ln_pref`]), with the
    /// listing chosen as in [`WindowLaw::new`]. The contract on `pow`: `0 <= L(s) <= 2^B G(s)`,
    /// `sum_s (2^B G(s) - L(s)) <= E`, and `sum_s G(s) <= 1` (the outside-mass bounds use it).
    #[allow(clippy::too_many_arguments)]
    pub fn from_power(
        lat: &WinLattice,
        n: u64,
        lambda: &Float,
        theta: Rational,
        pow: TiltedPower,
        ln_pref: Enc,
        prec: u32,
        knob: WindowKnob,
    ) -> WindowLaw {
        let mut w = WindowLaw {
            lat: lat.clone(),
            n,
            lambda: lambda.clone(),
            theta,
            pow: std::sync::Arc::new(pow),
            lo: 0,
            hi: 0,
            knob,
            prec,
            half: None,
            ln_pref: Some(ln_pref),
        };
        w.choose_listing();
        w
    }

    /// `ln C = n ln f(e^theta)` (or the given prefactor, [`WindowLaw::ln_pref`]).
    pub fn ln_c(&self, prec: u32) -> Enc {
        if let Some(c) = &self.ln_pref {
            return c.clone();
        }
        self.lat
            .ln_f(&self.theta_enc(prec + 16), prec + 16)
            .mul(&Enc::from_integer(&Integer::from(self.n), prec + 16), prec)
    }
    /// `2^-B` scaled enclosure `[L, L + E] / 2^B` of `G(s)`.
    pub fn g_enc(&self, s: usize, prec: u32) -> Enc {
        let b = self.pow.bits as i32;
        let l = self.coef_at(s);
        let lo = int_dn(&l, prec) >> b;
        let hi = int_up(&Integer::from(&l + &self.pow.deficit), prec) >> b;
        Enc::new(lo, hi)
    }
    fn coef_ref(&self, s: usize) -> Option<&Integer> {
        s.checked_sub(self.pow.a).and_then(|i| self.pow.coef.get(i))
    }
    fn coef_at(&self, s: usize) -> Integer {
        if s < self.pow.a || s - self.pow.a >= self.pow.coef.len() {
            Integer::new()
        } else {
            self.pow.coef[s - self.pow.a].clone()
        }
    }
    /// `ln T(s)` for `s in [lo, hi]` (WIN-3), from the backward recursion over the window above.
    pub(crate) fn ln_tails(&self, prec: u32, lo: usize, hi: usize) -> Vec<Enc> {
        let r = self.tails_r(prec, lo, hi);
        (lo..=hi)
            .zip(r)
            .map(|(s, rr)| self.ln_t_of(s, &rr, prec))
            .collect()
    }
    /// `ln T(s) = ln C - theta s + ln R(s)`.
    fn ln_t_of(&self, s: usize, r: &Enc, prec: u32) -> Enc {
        let wp = prec + 16;
        Self::ln_t_with(&self.ln_c(wp), &self.theta_enc(wp), s, r, prec)
    }
    /// [`WindowLaw::ln_t_of`] with `ln C` and `theta` given as enclosures at `prec + 16`.
    fn ln_t_with(ln_c: &Enc, th: &Enc, s: usize, r: &Enc, prec: u32) -> Enc {
        let wp = prec + 16;
        let ts = th.mul(&Enc::from_integer(&Integer::from(s), wp), wp);
        ln_c.sub(&ts, wp).add(&r.ln(wp), prec)
    }
    /// `R(s) = sum_{t > s} e^{-theta (t - s)} G(t)` for `s in [lo, hi]` (WIN-3): the backward
    /// recursion `R_L(s-1) = e^{-theta} (R_L(s) + L(s)/2^B)` from the window's top (`R_L = 0`), and
    /// the upper end raised by the deficit slack `e^{-theta} E / 2^B`. No transcendental call per
    /// level.
    fn tails_r(&self, prec: u32, lo: usize, hi: usize) -> Vec<Enc> {
        let wp = prec + 16;
        let b = self.pow.bits as i32;
        let th = self.theta_enc(wp);
        let q = th.neg().exp(wp); // e^{-theta}
        let top = self.pow.a + self.pow.coef.len() - 1;
        let slack = {
            let e = int_up(&self.pow.deficit, wp) >> b;
            crate::real::round::mul_up(&e, q.hi(), wp)
        };
        let mut r = Enc::zero(wp); // R_L(top) = 0
        let mut out = vec![Enc::zero(prec); hi - lo + 1];
        let mut s = top.max(hi);
        loop {
            if s <= hi && s >= lo {
                out[s - lo] = Enc::new(r.lo().clone(), add_up(r.hi(), &slack, wp));
            }
            if s == lo || s == 0 {
                break;
            }
            // R_L(s-1) = e^{-theta} (R_L(s) + L(s) / 2^B)
            if let Some(l) = self.coef_ref(s).filter(|l| **l != 0) {
                let lf = Enc::new(int_dn(l, wp) >> b, int_up(l, wp) >> b);
                r = r.add(&lf, wp);
            }
            r = r.mul(&q, wp);
            s -= 1;
        }
        out
    }
    /// [`LevelSource::visit`] with optional per-level precisions `precs[j] <= prec` (from
    /// [`crate::math::level_precision::graded_precs`]). `C e^{-theta s}` and the tails `R` are
    /// formed at the full `prec + 16` for every level (no transcendental call per level); a level's
    /// own operations (`P_S`, its logarithm, `T`, `ln F`, `q`) run at its precision: lower
    /// precision only widens its enclosures.
    pub(crate) fn visit_graded(
        &self,
        prec: u32,
        sel: Option<&[bool]>,
        precs: Option<&[u32]>,
        f: &mut dyn FnMut(usize, LevelProbs),
    ) {
        let wp = prec + 16;
        let rs = self.tails_r(wp, self.lo, self.hi);
        let th = self.theta_enc(wp);
        let ln_c = self.ln_c(wp);
        let top_level = self.lat.d * self.n as usize;
        let one = Enc::from_i64(1, wp);
        // C e^{-theta s}, stepped by e^{-theta} (relative rounding grows by about one ulp of wp per
        // level: wp has 16 guard bits and the enclosure stays rigorous either way)
        let step = th.neg().exp(wp);
        let mut scale_s = ln_c
            .sub(&th.mul(&Enc::from_integer(&Integer::from(self.lo), wp), wp), wp)
            .exp(wp);
        for s in self.lo..=self.hi {
            let j = s - self.lo;
            if s > self.lo {
                scale_s = scale_s.mul(&step, wp);
            }
            if let Some(sel) = sel {
                if !sel[j] {
                    continue;
                }
            }
            let prec = precs.map_or(prec, |p| p[j].min(prec));
            let wpj = prec + 16;
            let ps = scale_s.mul(&self.g_enc(s, wpj), wpj);
            let ln_ps = ps.ln(prec);
            let top = s == top_level;
            let first = s == 0;
            let (ln_f, fv) = if top {
                (Enc::zero(prec), Enc::from_i64(1, prec))
            } else {
                // T at the full `wp` (one multiplication), whatever the level's precision: at
                // the lowest listed levels F = 1 - T is far below 2^-prec_j, and T formed at the
                // level's reduced precision left F = [0, ...] (ln F = -inf, P_N = [0, ...]) even
                // though the listing was chosen where F is resolved at `wp`. ln F and F are then
                // rounded at the level's precision (outward: still enclosures).
                let t = scale_s.mul(&rs[j], wp).clamp01();
                (t.neg().ln_1p(prec), one.sub(&t, prec))
            };
            let q = if first {
                Enc::from_i64(1, prec)
            } else {
                ps.div(&fv, prec).clamp01()
            };
            f(
                j,
                LevelProbs {
                    ln_ps,
                    ln_f,
                    f: fv,
                    q,
                    first,
                    top,
                },
            );
        }
    }
    /// The reverse KL's listed terms `sum_s Phi(s) ln(Phi(s) / P_N(s))` over this listing (WIN-4's
    /// second window), level `j` at `precs[j]` bits, the sum at `prec`: the same quantity as
    /// [`bon::reverse_kl_streamed`] with fewer transcendental calls.
    /// - `Phi(s) = P_S(s) e^{l r_s - n psi(l)} = (C e^{-theta s}) G(s) e^{l r_s - n psi}`: both
    ///   exponentials are stepped by one multiplication per level (`e^{-theta}`, `e^{l h}`) at
    ///   `prec + 16` (relative rounding about one ulp per level, inside the 16 guard bits; the
    ///   enclosures stay rigorous either way), so no `exp` per level.
    /// - `ln Phi` enters the term as `Phi (ln Phi - ln P_N)`. When `|ln P_N| >= 2^(p_j + 32)` (the
    ///   levels of this window: `ln P_N ~ -N T` with `N = e^{n Delta}`), an enclosure of `ln Phi`
    ///   of width `O(1)` changes the term by a relative `2^-(p_j + 31)` at most, and one comes
    ///   without a logarithm: for `x = m 2^e` with `1/2 <= m < 1` (MPFR's exponent),
    ///   `(e - 1) ln 2 <= ln x < e ln 2`; applied to both ends of `Phi`'s enclosure
    ///   (`ln` is increasing). Otherwise `ln Phi` is taken by MPFR.
    pub fn reverse_kl_direct(
        &self,
        n_samples: &Enc,
        l: &Enc,
        n_psi: &Enc,
        prec: u32,
        precs: Option<&[u32]>,
    ) -> Enc {
        let wp = prec + 16;
        let rs = self.tails_r(wp, self.lo, self.hi);
        let th = self.theta_enc(wp);
        let top_level = self.lat.d * self.n as usize;
        let one = Enc::from_i64(1, wp);
        let step = th.neg().exp(wp);
        let mut scale_s = self
            .ln_c(wp)
            .sub(&th.mul(&Enc::from_integer(&Integer::from(self.lo), wp), wp), wp)
            .exp(wp);
        // l r_s = (l / L) m_s with the integer level m_s = m_min n + g s (as in ln_tilted)
        let l_over = l.div(&Enc::from_integer(&self.lat.scale, wp + 8), wp + 8);
        let m_lo = self.level(0);
        let mut e_s = l_over
            .mul(&Enc::from_integer(&m_lo, wp + 8), wp)
            .sub(n_psi, wp)
            .exp(wp);
        let e_step = l_over.mul(&Enc::from_integer(&self.lat.g, wp + 8), wp).exp(wp);
        let ln2 = Enc::ln2(wp);
        let mut acc = Enc::zero(prec);
        for s in self.lo..=self.hi {
            let j = s - self.lo;
            if s > self.lo {
                scale_s = scale_s.mul(&step, wp);
                e_s = e_s.mul(&e_step, wp);
            }
            let p = precs.map_or(prec, |ps| ps[j].min(prec));
            let wpj = p + 16;
            let ps = scale_s.mul(&self.g_enc(s, wpj), wpj);
            let first = s == 0;
            let fv = if s == top_level {
                Enc::from_i64(1, p)
            } else {
                // T at the full `wp`, as in `visit_graded` (F = 1 - T cancels at the lowest levels)
                let t = scale_s.mul(&rs[j], wp).clamp01();
                let ln_f = t.neg().ln_1p(p);
                // nlf = N ln F, then ln P_N (BON-1)
                let nlf = n_samples.mul(&ln_f, p);
                let fv = one.sub(&t, p);
                let q = if first {
                    Enc::from_i64(1, p)
                } else {
                    ps.div(&fv, p).clamp01()
                };
                let ln_pn = bon::ln_pn_of(nlf, &q, first, n_samples, p);
                let phi = ps.mul(&e_s, p);
                let big = Float::with_val(64, 1) << (p as i32 + 32);
                let ln_phi = if *phi.lo() > 0 && *ln_pn.hi() < 0 && -ln_pn.hi().clone() >= big {
                    let lo_e = phi.lo().get_exp().expect("positive finite") as i64;
                    let hi_e = phi.hi().get_exp().expect("positive finite") as i64;
                    let lo = Enc::from_i64(lo_e - 1, wpj).mul(&ln2, wpj);
                    let hi = Enc::from_i64(hi_e, wpj).mul(&ln2, wpj);
                    lo.hull(&hi)
                } else {
                    phi.ln(p)
                };
                acc = acc.add(&phi.mul(&ln_phi.sub(&ln_pn, p), p), prec);
                continue;
            };
            // the top level: F = 1, P_N = 1 - F(top - 1)^N (through ln_pn_of with q = P_S)
            let q = if first {
                Enc::from_i64(1, p)
            } else {
                ps.div(&fv, p).clamp01()
            };
            let ln_pn = bon::ln_pn_of(Enc::zero(p), &q, first, n_samples, p);
            let phi = ps.mul(&e_s, p);
            let ln_phi = phi.ln(p);
            acc = acc.add(&phi.mul(&ln_phi.sub(&ln_pn, p), p), prec);
        }
        acc
    }
    /// The `f64` scout of the listed levels ([`LevelSource::scout`]): `ln P_S(s) = ln C - theta s +
    /// ln G(s)` and `ln T(s) = ln C - theta s + ln R(s)` from the window's integers and the backward
    /// recursion of `WindowLaw::tails_r` in `f64`. A heuristic for the working precision only.
    pub fn scout_levels(&self) -> Vec<ScoutLevel> {
        let th = self.theta.to_f64();
        let lnc = self.n as f64 * self.lat.ln_f_f64(th);
        let b = self.pow.bits as i64;
        let ln2 = std::f64::consts::LN_2;
        // ln(L / 2^B) and L / 2^B (0 below the f64 range)
        let ln_g = |l: &Integer| -> (f64, f64) {
            if *l == 0 {
                return (f64::NEG_INFINITY, 0.0);
            }
            let (m, e) = l.to_f64_exp();
            let sh = e as i64 - b;
            let v = if sh < -1070 { 0.0 } else { m * 2f64.powi(sh as i32) };
            (m.ln() + sh as f64 * ln2, v)
        };
        let q = (-th).exp();
        let top = self.pow.a + self.pow.coef.len() - 1;
        let c0 = Rational::from((Integer::from(&self.lat.m_min * self.n), self.lat.scale.clone())).to_f64();
        let step = self.lat.span().to_f64();
        let mut out = vec![
            ScoutLevel {
                ln_ps: 0.0,
                ln_t: 0.0,
                reward: 0.0
            };
            self.hi - self.lo + 1
        ];
        let mut r = 0.0f64;
        let mut s = top.max(self.hi);
        loop {
            let base = lnc - th * s as f64;
            let (lg, g) = self.coef_ref(s).map_or((f64::NEG_INFINITY, 0.0), ln_g);
            if s <= self.hi && s >= self.lo {
                out[s - self.lo] = ScoutLevel {
                    ln_ps: base + lg,
                    ln_t: if r > 0.0 { base + r.ln() } else { f64::NEG_INFINITY },
                    reward: c0 + step * s as f64,
                };
            }
            if s == self.lo || s == 0 {
                break;
            }
            r = q * (r + g);
            s -= 1;
        }
        out
    }
    /// `2^B - sum_{s in [lo, hi]} L(s)` over `2^B`: an upper bound of `G_theta` outside `[lo, hi]`.
    pub fn outside_mass(&self, lo: usize, hi: usize, prec: u32) -> Enc {
        self.outside_mass_of(&[(lo, hi)], prec)
    }
    /// `2^B - sum_{s in ranges} L(s)` over `2^B` for disjoint ranges `[lo, hi]`: an upper bound
    /// of `G_theta` outside their union (`sum_{s in U} G(s) >= sum_{s in U} L(s) / 2^B`).
    pub fn outside_mass_of(&self, ranges: &[(usize, usize)], prec: u32) -> Enc {
        let mut sum = Integer::new();
        for &(lo, hi) in ranges {
            for s in lo..=hi {
                if let Some(c) = self.coef_ref(s) {
                    sum += c;
                }
            }
        }
        let one = Integer::from(1) << self.pow.bits;
        let e = one - sum;
        Enc::new(Float::new(prec), int_up(&e, prec) >> self.pow.bits as i32)
    }
}

/// WIN-4: the reverse KL `sum Phi ln(Phi / P_N)` over the levels not listed by the first window
/// `w1`: the second window at `lambda' / 2` (its levels below `w1`'s, evaluated exactly as the
/// first), plus a rigorous bound for the region `R` outside both listings:
///
/// `sum_R Phi ln(Phi/P_N) <= Phi(R) max(0, l s_max - n psi(l) - ln N)
///                          + 2 N M e^{n [psi(l'/2) + psi(l - l'/2) - psi(l)]} G_{l'/2}(R)`,
/// `M = max(1, n ln(1/p(A_min)))`, and `>= Phi(R) ln Phi(R)`; `Phi(R) <= G_{l'}(R) sup_S
/// e^{(l - l') S - n (psi(l) - psi(l'))}`. Derivation in `proofs/windowed.md` (mean value theorem
/// `P_N >= N P_S F_-^{N-1}`, `-ln F_- <= 2 M T_-`, Chernoff at `l - l'/2`).
pub(crate) fn reverse_kl_outside(w1: &WindowLaw, ctx: &ReverseKlCtx, prec: u32) -> Option<(Enc, usize)> {
    if ctx.l.sign_certified() != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let wp = prec + 16;
    let lat = &w1.lat;
    let n = w1.n;
    let nn = Enc::from_integer(&Integer::from(n), wp);
    let half_lambda = WindowLaw::half_lambda(&w1.lambda);
    let built;
    let w2: &WindowLaw = match &w1.half {
        Some(h) if h.prec == prec && h.knob.widen == w1.knob.widen => h,
        _ => {
            built = WindowLaw::new(lat, n, &half_lambda, prec, w1.knob);
            &built
        }
    };
    // Split: below the level where the two tilted laws G_{l'} and G_{l'/2} cross,
    // x = 2 (psi(l') - psi(l'/2)) / l', the second window is the more accurate (relative accuracy
    // ~ deficit / G); the first window's listing from there on is summed by the caller.
    let split = {
        let l1 = Enc::point(&w1.lambda);
        let l2 = Enc::point(&half_lambda);
        let x = lat
            .psi(&l1, 64)
            .sub(&lat.psi(&l2, 64), 64)
            .mul_rational(&Rational::from(2), 64);
        let x = x.div(&l1, 64).mid().to_f64();
        let c = Rational::from((lat.m_min.clone(), lat.scale.clone())).to_f64();
        let lev = (n as f64) * (x - c) / lat.span().to_f64();
        if lev.is_finite() {
            (lev.round().max(0.0) as usize).clamp(w1.lo, w1.hi + 1)
        } else {
            w1.lo
        }
    };
    let first = split - w1.lo;
    // listed part of the second window: below the split
    let mut listed2 = Enc::zero(wp);
    let (lo2, hi2) = (w2.lo, w2.hi.min(split.saturating_sub(1)));
    let sub = if split > 0 && lo2 <= hi2 {
        w2.restricted(lo2, hi2)
    } else {
        None
    };
    // Per-level precision (a heuristic from the f64 scout, see math::level_precision): the
    // enclosures stay rigorous at every precision. The second window's listing is not trimmed:
    // its levels' mass in R would enter the Chernoff term below, whose factor `2 N M e^{...}`
    // exceeds the levels' own terms by far more than the 64 bits of `graded`'s cut-off
    // (measured: Example A at n = 10^6 lost 2 of 30 digits of the reverse KL).
    let sctx = ScoutCtx {
        ln_n: ctx.ln_n.mid().to_f64(),
        tilt: Some((ctx.l.mid().to_f64(), ctx.n_psi.mid().to_f64())),
        reverse_only: true,
        reverse_top: f64::NEG_INFINITY,
    };
    let (sub, precs) = match sub {
        Some(s2) => match graded(&s2.scout_levels(), wp, &sctx) {
            Some(g) => (Some(s2), Some(g.precs)),
            None => (Some(s2), None),
        },
        None => (None, None),
    };
    if let Some(s2) = &sub {
        // the levels of the second window matter to the reverse KL (an adaptive scout pass
        // selected all of them, measured), and only the sum is needed: streamed
        listed2 = s2.reverse_kl_direct(ctx.n_samples, ctx.l, ctx.n_psi, wp, precs.as_deref());
    }
    // R is everything outside the levels whose terms are summed: the second window's listing
    // below the split, [lo2, hi2], and the first window's listing from the split on,
    // [split, w1.hi]. Levels between those ranges (a gap between the two listings, or first-window
    // levels below its listing) are in R. Both tilted laws' masses on R are bounded by
    // 1 - (their windows' lower bounds summed over the two summed ranges) (coef_at is 0 outside
    // a window, and every L <= 2^B G).
    let (g1r, g2r) = outside_masses(w1, w2, sub.as_ref().map(|s2| (s2.lo, s2.hi)), split, wp);
    // Phi(R) <= G_{l'}(R) sup_S exp((l - l') S - n (psi(l) - psi(l')))
    let lam1 = Enc::point(&w1.lambda);
    let (smin, smax) = w1.reward_range();
    let srange = Enc::from_rational(&smin, wp).hull(&Enc::from_rational(&smax, wp));
    let psi_l1 = lat.psi(&lam1, wp).mul(&nn, wp);
    let factor = ctx
        .l
        .sub(&lam1, wp)
        .mul(&srange, wp)
        .sub(&ctx.n_psi.sub(&psi_l1, wp), wp);
    let phi_r = g1r.mul(&Enc::point(factor.hi()).exp(wp), wp);
    // first term: Phi(R) max(0, l s_max - n psi - ln N)
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
    // second term: 2 N M e^{n [psi(l'/2) + psi(l - l'/2) - psi(l)]} G_{l'/2}(R)
    let lam2 = Enc::point(&half_lambda);
    let t_ch = ctx.l.sub(&lam2, wp);
    if t_ch.sign_certified() == Some(std::cmp::Ordering::Less) {
        return None;
    }
    let expo = lat
        .psi(&lam2, wp)
        .add(&lat.psi(&t_ch, wp), wp)
        .mul(&nn, wp)
        .sub(ctx.n_psi, wp);
    let m_raw = Enc::from_rational(lat.p_min(), wp).ln(wp).neg().mul(&nn, wp);
    let (rest, t2) =
        super::win_outside::outside_reverse_kl(&t1, &expo, ctx.n_samples, &m_raw, &g2r, &phi_r, wp);
    if std::env::var_os("ALIGNEXACT_TRACE").is_some() {
        eprintln!(
            "[window] reverse KL: split {split} w1 [{}, {}], w2 [{}, {}], listed2 {:e}..{:e}, t1 {:e}, t2 {:e}, g1r {:e}, g2r {:e}, lower {:e}",
            w1.lo, w1.hi, w2.lo, w2.hi,
            listed2.lo().to_f64(), listed2.hi().to_f64(),
            t1.to_f64(), t2.hi().to_f64(), g1r.hi().to_f64(), g2r.hi().to_f64(), rest.lo().to_f64()
        );
    }
    Some((listed2.add(&rest, prec), first))
}

/// The two tilted laws' masses on the outside region R of WIN-4: everything but the second
/// window's summed listing `sub` and the first window's listing from `split` on (1 each when
/// nothing is summed). Shared by the memoryless and the chain windows.
pub(crate) fn outside_masses(
    w1: &WindowLaw,
    w2: &WindowLaw,
    sub: Option<(usize, usize)>,
    split: usize,
    wp: u32,
) -> (Enc, Enc) {
    let mut summed: Vec<(usize, usize)> = Vec::with_capacity(2);
    summed.extend(sub);
    if split <= w1.hi {
        summed.push((split, w1.hi));
    }
    if summed.is_empty() {
        (Enc::from_i64(1, wp), Enc::from_i64(1, wp))
    } else {
        (w1.outside_mass_of(&summed, wp), w2.outside_mass_of(&summed, wp))
    }
}
