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
//! Kronecker products (`crate::math::window::product_window`); every product sum is at most
//! `2^{2B}` (each row of a lower bound of `D^m` sums to at most `2^B`), so no slot carries.
//!
//! # Reading the law through the memoryless window
//! With `w_j = (1/h_j) / Z`, `Z >= sum_j mass_j / h_j` (an upper end; `mass_j` the exact total
//! mass of `g_j`, and `sum_j mass_j / h_j = E e^{theta K_n} / (C rho^{n-1})` by the identity
//! above, enclosed from `shifted_log_mgf`), `G*(s) = sum_j w_j [z^s] g_j(z)` has total mass
//! `<= 1` (and within rounding of 1) and `P_S(s) = C rho^{n-1} Z e^{-theta s} G*(s)`.
//! Its lower bounds `L*(s) = floor(sum_j L_g(j, s) A_j / 2^B)`, `A_j = floor(2^B lo(w_j))`, satisfy
//! `sum_s (2^B G*(s) - L*(s)) <= max_j w_j E_g + 2^B max_j (w_j - A_j 2^-B) + (levels)` (each floor loses < 1),
//! which is the contract of [`WindowLaw::from_power`]: the memoryless window's tails (WIN-3),
//! listing and unlisted-mass bounds then apply unchanged.
//!
//! The lattice form and the finite-n log-MGF (`Lambda_n`, `l_n`) are in
//! [`crate::math::markov_lattice`].

use crate::math::best_of_n as bon;
use crate::math::level_source::{LevelProbs, LevelSource, Method, ReverseKlCtx, Unlisted};
use crate::math::markov_lattice::shifted_log_mgf;
pub use crate::math::markov_lattice::{l_n, log_mgf, moments, ChainLattice, ChainOptimum};
use crate::math::perron::perron_pair;
use crate::math::window::{
    fixed_bits, pack_slots, unpack_slots, window_for, TiltedPower, WindowKnob, WindowLaw,
};
use crate::real::round::int_up;
use crate::real::Enc;
use rug::{Float, Integer, Rational};
use std::sync::Arc;

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
        listed2 = bon::reverse_kl_streamed(s2, ctx.n_samples, ctx.l, ctx.n_psi, wp, None);
    }
    let sub_range = sub.as_ref().map(|s2| (s2.w.lo, s2.w.hi));
    let (g1r, g2r) = crate::math::window::outside_masses(w1, w2, sub_range, split, wp);
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
    let m_raw = Enc::from_rational(&lat.q_min, wp).ln(wp).neg().add(
        &Enc::from_rational(&lat.p_min, wp)
            .ln(wp)
            .neg()
            .mul_rational(&Rational::from(n - 1), wp),
        wp,
    );
    let (rest, t2) =
        crate::math::win_outside::outside_reverse_kl(&t1, &expo, ctx.n_samples, &m_raw, &g2r, &phi_r, wp);
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
