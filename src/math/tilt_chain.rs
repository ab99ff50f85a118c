//! The per-token pass of [`super::tilt_fast`] for rewards and probabilities with small common
//! denominators (issue 15: `r_a = i/10^6`, `p_a = w_a / sum w` with integer weights).
//!
//! With `dg` the common denominator of the shifted rewards `g_a = r_max - r_a` and `dp` that of
//! the probabilities, `g_a = n_a / dg` and `p_a = c_a / dp` with exact integers `n_a, c_a < 2^62`
//! (checked). Then `e^{-x g_a} = u^{n_a}` with `u = e^{-x / dg}`, and along the tokens sorted by
//! `n_a` each weight follows from the previous one by one multiplication with a power `u^k`,
//! `k = n_a - n_prev <= MAX_GAP` (a fresh exponential at the start of every block of
//! [`CHAIN_BLOCK`] tokens and after a larger gap). The sums are kept in integer scale,
//! `sum c_a u^{n_a} (n_a - m0)^k` about an integer centre `m0` (so `δ_a dg = n_a - m0` is an exact
//! integer), and divided by `dp dg^k` at the end.
//!
//! Rigour: every quantity of the chain is an interval `[lo, hi]` of positive floats; the exact
//! value is an increasing function of each positive factor, so products of lower ends rounded
//! toward −∞ bound it from below and products of upper ends rounded toward +∞ from above. The
//! width grows by about 3 ulps per step (two roundings and the width of `u^k`), so a block of
//! [`CHAIN_BLOCK`] tokens loses at most about `log2(3 * CHAIN_BLOCK) < 14` bits, which the
//! [`CHAIN_GUARD`] extra bits of the chain's precision absorb (the enclosures are rigorous at
//! any precision; only their width depends on it).

use crate::real::{par, Enc};
use rug::float::Round;
use rug::ops::{AddAssignRound, MulAssignRound, NegAssign};
use rug::{Assign, Float, Integer, Rational};

/// Tokens per chain (one fresh exponential each); also the unit of parallel work.
pub const CHAIN_BLOCK: usize = 2048;
/// Extra bits of the chain's precision over the caller's (module docs).
pub const CHAIN_GUARD: u32 = 16;
/// The largest step `n_a - n_prev` taken as a precomputed power `u^k`.
const MAX_GAP: usize = 16;
/// Bound on the integers `n_a`, `c_a` and the denominators (exact in `u64` and `i64`).
const LIMIT: u64 = 1 << 62;

/// A chain's base: `[x_lo / dg, x_hi / dg]` and the powers `u^k` (see [`Lattice::base`]).
type Base<'a> = (&'a (Float, Float), &'a [(Float, Float)]);

/// The model in integer scale (module docs), in support order.
#[derive(Debug)]
pub struct Lattice {
    /// `n_a = g_a dg`.
    pub n: Vec<u64>,
    /// `c_a = p_a dp`.
    c: Vec<u64>,
    /// Common denominator of the `g_a`.
    pub dg: Integer,
    /// Common denominator of the `p_a`.
    dp: Integer,
    /// Token indices sorted by `n_a`.
    order: Vec<u32>,
    /// `max n_a`.
    pub nmax: u64,
    /// True when the `n_a` (so the rewards) are pairwise distinct.
    pub distinct: bool,
}

/// The least common multiple of the denominators, `None` past [`LIMIT`].
fn common_denominator<'a>(qs: impl Iterator<Item = &'a Rational>) -> Option<Integer> {
    let mut d = Integer::from(1);
    for q in qs {
        if !d.is_divisible(q.denom()) {
            d.lcm_mut(q.denom());
            if d > LIMIT {
                return None;
            }
        }
    }
    Some(d)
}

/// `q d` as a `u64 < LIMIT` when `d` is a multiple of the denominator of `q >= 0`.
fn scaled(q: &Rational, d: &Integer) -> Option<u64> {
    if let (Some(num), Some(den), Some(d)) = (q.numer().to_u64(), q.denom().to_u64(), d.to_u64()) {
        // no allocation: den divides d
        return num.checked_mul(d / den).filter(|&x| x < LIMIT);
    }
    let v = Integer::from(d.div_exact_ref(q.denom())) * q.numer();
    v.to_u64().filter(|&x| x < LIMIT)
}

impl Lattice {
    /// The integer scale of a model (support probabilities `p > 0`, rewards `r`, `r_max`);
    /// `None` when a denominator or a scaled value passes `LIMIT` (2^62), or fewer than 2 tokens.
    pub fn new(p: &[Rational], r: &[Rational], r_max: &Rational) -> Option<Lattice> {
        if p.len() < 2 || p.len() >= u32::MAX as usize {
            return None;
        }
        let dg = common_denominator(r.iter().chain(std::iter::once(r_max)))?;
        let dp = common_denominator(p.iter())?;
        let top = Rational::from(r_max * &dg);
        let top = top.numer().clone();
        // n_a = top - r_a dg, in i128 when the parts fit (no allocation), else in Integer
        let (top_i, dg_u) = (top.to_i128(), dg.to_u64());
        let n = par::map(r, |ra| {
            if let (Some(t), Some(d), Some(num), Some(den)) =
                (top_i, dg_u, ra.numer().to_i128(), ra.denom().to_u64())
            {
                // den divides dg (common denominator); |num| (dg/den) < 2^63 2^62 fits i128 when
                // the product does not overflow (checked)
                let v = num.checked_mul((d / den) as i128).and_then(|v| t.checked_sub(v));
                return v.and_then(|x| u64::try_from(x).ok()).filter(|&x| x < LIMIT);
            }
            let v = Integer::from(dg.div_exact_ref(ra.denom())) * ra.numer();
            (&top - v).to_u64().filter(|&x| x < LIMIT)
        });
        let n = n.into_iter().collect::<Option<Vec<u64>>>()?;
        let c = par::map(p, |q| scaled(q, &dp))
            .into_iter()
            .collect::<Option<Vec<u64>>>()?;
        let mut order: Vec<u32> = (0..p.len() as u32).collect();
        order.sort_unstable_by_key(|&i| n[i as usize]);
        let nmax = *n.iter().max()?;
        // n_a = (r_max - r_a) dg is injective in r_a
        let distinct = order.windows(2).all(|w| n[w[0] as usize] < n[w[1] as usize]);
        Some(Lattice {
            distinct,
            n,
            c,
            dg,
            dp,
            order,
            nmax,
        })
    }

    /// `[x_lo / dg, x_hi / dg]` rounded outward and the powers `u^k = e^{-k x/dg}`,
    /// `k = 0 .. MAX_GAP`, as `(lo, hi)`: `e^{-t}` is decreasing, so `u↓ = e^{-hi}↓`,
    /// `u↑ = e^{-lo}↑`; the powers multiply lower ends down and upper ends up (positive factors).
    fn base(&self, x_lo: &Float, x_hi: &Float, prec: u32) -> ((Float, Float), Vec<(Float, Float)>) {
        let xh_lo = Float::with_val_round(prec, x_lo / &self.dg, Round::Down).0;
        let xh_hi = Float::with_val_round(prec, x_hi / &self.dg, Round::Up).0;
        let mut ulo = Float::with_val(prec, -&xh_hi);
        ulo.exp_round(Round::Down);
        let mut uhi = Float::with_val(prec, -&xh_lo);
        uhi.exp_round(Round::Up);
        let mut pw = vec![(Float::with_val(prec, 1), Float::with_val(prec, 1))];
        for k in 1..=MAX_GAP {
            let (mut a, mut b) = pw[k - 1].clone();
            a.mul_assign_round(&ulo, Round::Down);
            b.mul_assign_round(&uhi, Round::Up);
            pw.push((a, b));
        }
        ((xh_lo, xh_hi), pw)
    }

    /// Run `K` chains in step over one block of sorted tokens: `f(a, u)` with
    /// `u[j].0 <= e^{-y g_a} <= u[j].1` for every `y` in `[x_lo, x_hi]` of the `j`-th base
    /// (`(xh, powers)` from [`Lattice::base`]).
    fn chain<const K: usize>(
        &self,
        blk: &[u32],
        bases: [Base<'_>; K],
        prec: u32,
        mut f: impl FnMut(usize, &[(Float, Float); K]),
    ) {
        let mut u: [(Float, Float); K] = std::array::from_fn(|_| (Float::new(prec), Float::new(prec)));
        let mut prev: Option<u64> = None;
        for &i in blk {
            let i = i as usize;
            let n = self.n[i];
            for (uj, (xh, pw)) in u.iter_mut().zip(&bases) {
                let (ulo, uhi) = (&mut uj.0, &mut uj.1);
                match prev {
                    // sorted: n >= prev; u^{n} = u^{prev} u^{n - prev}
                    Some(pn) if ((n - pn) as usize) <= MAX_GAP => {
                        let k = (n - pn) as usize;
                        if k > 0 {
                            ulo.mul_assign_round(&pw[k].0, Round::Down);
                            uhi.mul_assign_round(&pw[k].1, Round::Up);
                        }
                    }
                    _ => {
                        // fresh: y g_a in [xh_lo n, xh_hi n] (n >= 0 exact), e^{-t} decreasing
                        ulo.assign(&xh.1);
                        ulo.mul_assign_round(n, Round::Up);
                        ulo.neg_assign();
                        ulo.exp_round(Round::Down);
                        uhi.assign(&xh.0);
                        uhi.mul_assign_round(n, Round::Down);
                        uhi.neg_assign();
                        uhi.exp_round(Round::Up);
                    }
                }
            }
            prev = Some(n);
            f(i, &u);
        }
    }

    fn blocks(&self) -> Vec<&[u32]> {
        self.order.chunks(CHAIN_BLOCK).collect()
    }

    /// The pass at the point `x` about the centre `g0 = m0 / dg` (`m0 <= nmax`): enclosures of
    /// `M_0 .. M_{nm-1}` with `M_k = sum_a p_a e^{-x g_a} (g_a - g0)^k`, of `T_0 .. T_{J+1}`
    /// (`nt` of them, `T_k = sum_{g_a > 0} p_a e^{-x g_a} g_a^k`), and of `g0`.
    pub fn pass(&self, x: &Float, m0: u64, nm: usize, nt: usize, prec: u32) -> (Vec<Enc>, Vec<Enc>, Enc) {
        let (xh, pw) = self.base(x, x, prec);
        let blocks = self.blocks();
        let m0 = m0.min(self.nmax) as i64;
        let partial: Vec<Vec<(Float, Float)>> = par::map_heavy(&blocks, 4, |blk| {
            let z = || (Float::new(prec), Float::new(prec));
            let mut acc: Vec<(Float, Float)> = (0..nm + nt).map(|_| z()).collect();
            let (mut vlo, mut vhi) = z();
            let (mut wlo, mut whi) = z();
            self.chain(blk, [(&xh, &pw)], prec, |i, u| {
                let (ulo, uhi) = (&u[0].0, &u[0].1);
                // w = c u^n in [ulo c ↓, uhi c ↑] (c > 0 exact)
                wlo.assign(ulo);
                wlo.mul_assign_round(self.c[i], Round::Down);
                whi.assign(uhi);
                whi.mul_assign_round(self.c[i], Round::Up);
                let e = self.n[i] as i64 - m0;
                vlo.assign(&wlo);
                vhi.assign(&whi);
                for (k, a) in acc.iter_mut().take(nm).enumerate() {
                    if k > 0 {
                        // v e for v in [vlo, vhi], e exact: e >= 0 keeps the ends, e < 0 swaps them
                        if e < 0 {
                            std::mem::swap(&mut vlo, &mut vhi);
                        }
                        vlo.mul_assign_round(e, Round::Down);
                        vhi.mul_assign_round(e, Round::Up);
                    }
                    a.0.add_assign_round(&vlo, Round::Down);
                    a.1.add_assign_round(&vhi, Round::Up);
                }
                let n = self.n[i];
                if nt > 0 && n > 0 {
                    vlo.assign(&wlo);
                    vhi.assign(&whi);
                    for (k, a) in acc.iter_mut().skip(nm).enumerate() {
                        if k > 0 {
                            // n > 0: ends kept
                            vlo.mul_assign_round(n, Round::Down);
                            vhi.mul_assign_round(n, Round::Up);
                        }
                        a.0.add_assign_round(&vlo, Round::Down);
                        a.1.add_assign_round(&vhi, Round::Up);
                    }
                }
            });
            acc
        });
        let mut tot: Vec<(Float, Float)> = (0..nm + nt)
            .map(|_| (Float::new(prec), Float::new(prec)))
            .collect();
        for part in &partial {
            for (t, p) in tot.iter_mut().zip(part) {
                t.0.add_assign_round(&p.0, Round::Down);
                t.1.add_assign_round(&p.1, Round::Up);
            }
        }
        // undo the integer scale: M_k = Mi_k / (dp dg^k), T_k likewise (exact rational factors)
        let scale = |k: usize| -> Rational {
            let d: Integer = &self.dp * Integer::from(rug::ops::Pow::pow(&self.dg, k as u32));
            Rational::from((Integer::from(1), d))
        };
        let mut m = Vec::with_capacity(nm);
        let mut t = Vec::with_capacity(nt);
        for (j, (lo, hi)) in tot.into_iter().enumerate() {
            let (v, k) = if j < nm { (&mut m, j) } else { (&mut t, j - nm) };
            v.push(Enc::new(lo, hi).mul_rational(&scale(k), prec));
        }
        let g0 = Enc::from_rational(&Rational::from((Integer::from(m0), self.dg.clone())), prec);
        (m, t, g0)
    }

    /// `phi_a(y) = p_a e^{-y g_a} / W(y)` enclosed for every `y` in `[a, b]` (`0 < a <= b`),
    /// given enclosures `wa`, `wb` of `W(a)`, `W(b)` (positive) and `eg` of `E_y g` over `[a, b]`.
    ///
    /// `ln phi_a` is concave in `y` (`(ln phi_a)'' = -sigma2 <= 0`), so its minimum over `[a, b]`
    /// is at an end: `phi_a >= min(phi_a(a), phi_a(b))`. Its slope `E_y g - g_a` is `<= 0` for
    /// `g_a >= sup eg` (then `phi_a <= phi_a(a)`) and `>= 0` for `g_a <= inf eg` (then
    /// `phi_a <= phi_a(b)`); otherwise `phi_a(y) <= p_a e^{-a g_a} / W(b)` (numerator
    /// decreasing, `W` decreasing in `y`). Each end value from one chain at the point:
    /// `c_a e^{-y g_a} / (dp W(y))` with every factor positive (lower ends rounded down, upper
    /// ends up). `None` unless `wa`, `wb` are positive and finite.
    pub fn phi(&self, a: &Float, b: &Float, wa: &Enc, wb: &Enc, eg: &Enc, prec: u32) -> Option<Vec<Enc>> {
        let pos = |w: &Enc| *w.lo() > 0 && w.hi().is_finite();
        if !pos(wa) || !pos(wb) || !eg.lo().is_finite() || !eg.hi().is_finite() {
            return None;
        }
        let (xa, pwa) = self.base(a, a, prec);
        let (xb, pwb) = self.base(b, b, prec);
        // (k_lo, k_hi) with k_lo <= 1/(dp W) <= k_hi
        let k = |w: &Enc| -> (Float, Float) {
            let mut lo = Float::with_val_round(prec, w.hi() * &self.dp, Round::Up).0;
            lo.recip_round(Round::Down);
            let mut hi = Float::with_val_round(prec, w.lo() * &self.dp, Round::Down).0;
            hi.recip_round(Round::Up);
            (lo, hi)
        };
        let (ka, kb) = (k(wa), k(wb));
        // n >= n_dec implies g >= sup eg (n_dec >= eg_hi dg); n <= n_inc implies g <= inf eg
        let n_dec: u64 = {
            let t = Float::with_val_round(prec, eg.hi() * &self.dg, Round::Up).0;
            if t <= 0 {
                0
            } else {
                t.ceil().to_integer().and_then(|i| i.to_u64()).unwrap_or(u64::MAX)
            }
        };
        let n_inc: Option<u64> = {
            let t = Float::with_val_round(prec, eg.lo() * &self.dg, Round::Down).0;
            if t < 0 {
                None
            } else {
                Some(
                    t.floor()
                        .to_integer()
                        .and_then(|i| i.to_u64())
                        .unwrap_or(u64::MAX),
                )
            }
        };
        let blocks = self.blocks();
        let parts: Vec<Vec<(u32, Enc)>> = par::map_heavy(&blocks, 4, |blk| {
            let mut out = Vec::with_capacity(blk.len());
            let mut t = Float::new(prec);
            self.chain(blk, [(&xa, &pwa), (&xb, &pwb)], prec, |i, u| {
                let ((ua_lo, ua_hi), (ub_lo, ub_hi)) = (&u[0], &u[1]);
                let c = self.c[i];
                // lower end: min(phi(a)↓, phi(b)↓)
                let mut lo = Float::with_val(prec, ua_lo);
                lo.mul_assign_round(c, Round::Down);
                lo.mul_assign_round(&ka.0, Round::Down);
                t.assign(ub_lo);
                t.mul_assign_round(c, Round::Down);
                t.mul_assign_round(&kb.0, Round::Down);
                if t < lo {
                    lo.assign(&t);
                }
                let n = self.n[i];
                let (num, k) = if n >= n_dec {
                    (ua_hi, &ka.1) // decreasing: phi(a)↑
                } else if n_inc.is_some_and(|m| n <= m) {
                    (ub_hi, &kb.1) // increasing: phi(b)↑
                } else {
                    (ua_hi, &kb.1) // numerator at a over W(b)
                };
                let mut hi = Float::with_val(prec, num);
                hi.mul_assign_round(c, Round::Up);
                hi.mul_assign_round(k, Round::Up);
                // a probability is at most 1 (lo >= 0 already: positive factors)
                if hi > 1 && lo <= 1 {
                    hi.assign(1);
                }
                out.push((i as u32, Enc::new(lo, hi)));
            });
            out
        });
        let mut phi: Vec<Option<Enc>> = (0..self.n.len()).map(|_| None).collect();
        for part in parts {
            for (i, e) in part {
                phi[i as usize] = Some(e);
            }
        }
        phi.into_iter().collect()
    }
}
