//! Best-of-N in closed form (MATH.md §4, BON-1 .. BON-6) over an exact level law (SEQ-2, SEQ-3).
//!
//! Level law: levels `s_0 < ... < s_{L-1}` with exact probabilities `P_S(s_j) = w_j / D`,
//! CDF `F_j = P(S <= s_j)`, `F-_j = F_{j-1}` (`F_{-1} = 0`), tail `T_j = 1 - F_j`, all exact
//! integers over `D`.
//!
//! BON-1: `P_N(s_j) = F_j^N - F_{j-1}^N`. Everything is evaluated in log space so that an
//! astronomically large `N` (`e^{n Delta}` with `n Delta` up to 10^4 and beyond) is harmless:
//! - `ln F_j = ln(F_j)` when `F_j < 1/2`, else `ln1p(-T_j)` with the exact tail `T_j`
//!   (never `1 - F` in floating point);
//! - `ln(F_{j-1}/F_j) = ln1p(-P_S(s_j)/F_j)` from the exact ratio `w_j / cdf_j`;
//! - `ln P_N(s_j) = N ln F_j + ln(-expm1(N ln(F_{j-1}/F_j)))`, with `ln(-expm1(y))` taken as
//!   `ln1p(-e^y)` when `y < -ln 2`.
//!
//! `P_N = exp(ln P_N)` may underflow MPFR's exponent range for low levels; directed rounding then
//! gives the enclosure `[0, tiny]`, so such a level still contributes a rigorously bounded amount
//! to every sum (it is never dropped), and its probability is reported from its logarithm.

use crate::exact::level_law::LevelLaw;
use crate::math::level_source::{LevelProbs, LevelSource, Method, ReverseKlCtx, Unlisted};
use crate::real::Enc;

/// `N` from `n Delta` (moved to [`crate::math::sample_count`], re-exported here).
pub use crate::math::sample_count::{integer_n, NRule};
use rug::{Integer, Rational};

/// A level law prepared for best-of-N. The exact CDF and tail numerators are recomputed on the
/// fly (one big-integer addition per level) rather than stored, which keeps the peak memory at
/// the size of the law itself. This is the exact [`LevelSource`]: every level listed.
#[derive(Clone, Debug)]
pub struct Levels {
    /// The exact level law.
    pub law: LevelLaw,
}

impl Levels {
    /// Wrap a law.
    pub fn new(law: LevelLaw) -> Levels {
        Levels { law }
    }
    /// Number of levels.
    pub fn len(&self) -> usize {
        self.law.len()
    }
    /// True when there are no levels (never for a built law).
    pub fn is_empty(&self) -> bool {
        self.law.is_empty()
    }
}

impl LevelSource for Levels {
    fn method(&self) -> Method {
        Method::Exact
    }
    fn n(&self) -> u64 {
        self.law.n
    }
    fn len(&self) -> usize {
        self.law.len()
    }
    fn scale(&self) -> Integer {
        self.law.scale.clone()
    }
    fn level(&self, j: usize) -> Integer {
        self.law.levels[j].clone()
    }
    fn reward(&self, j: usize) -> Rational {
        self.law.reward(j)
    }
    fn reward_range(&self) -> (Rational, Rational) {
        (self.law.reward(0), self.law.reward(self.law.len() - 1))
    }
    fn visit(&self, prec: u32, sel: Option<&[bool]>, f: &mut dyn FnMut(usize, LevelProbs)) {
        let d = &self.law.denom;
        let half = Integer::from(d >> 1);
        let len = self.law.len();
        let mut acc = Integer::new();
        // running exact tail d - acc, updated in place (no allocation per level)
        let mut tail = d.clone();
        for (j, w) in self.law.weights.iter().enumerate() {
            acc += w;
            tail -= w;
            if let Some(s) = sel {
                if !s[j] {
                    continue;
                }
            }
            f(
                j,
                exact_level_probs(w, &acc, &tail, d, &half, j == 0, j + 1 == len, prec),
            );
        }
    }
    fn unlisted(&self, _prec: u32) -> Unlisted {
        Unlisted::none()
    }
    fn exact_law(&self) -> Option<&LevelLaw> {
        Some(&self.law)
    }
}

/// The probabilities of one exact level from its weight `w`, exact CDF numerator `acc` and exact
/// tail numerator `tail` over `d` (never `1 - F` in floating point).
#[allow(clippy::too_many_arguments)]
fn exact_level_probs(
    w_int: &Integer,
    acc: &Integer,
    tail: &Integer,
    d: &Integer,
    half: &Integer,
    first: bool,
    top: bool,
    prec: u32,
) -> LevelProbs {
    let wp = prec + 8;
    let d_enc = Enc::from_integer(d, wp);
    let w = Enc::from_integer(w_int, wp);
    let ln_ps = w.div(&d_enc, prec).ln(prec);
    let cdf = Enc::from_integer(acc, wp);
    let (ln_f, f) = if top {
        (Enc::zero(prec), Enc::from_i64(1, prec))
    } else if acc < half {
        let fj = cdf.div(&d_enc, prec);
        (fj.ln(prec), fj)
    } else {
        let t = Enc::from_integer(tail, wp).div(&d_enc, prec);
        (t.neg().ln_1p(prec), Enc::from_i64(1, prec).sub(&t, prec))
    };
    // q = w_j / cdf_j, formed from the exact integers
    let q = if first {
        Enc::from_i64(1, prec)
    } else {
        w.div(&cdf, prec)
    };
    LevelProbs {
        ln_ps,
        ln_f,
        f,
        q,
        first,
        top,
    }
}

/// `ln(-expm1(y))` for `y < 0` (an enclosure): `ln1p(-e^y)` when `y < -ln 2`, else
/// `ln(-expm1(y))`. Both are increasing in `y`.
pub(crate) fn ln_neg_expm1(y: &Enc, prec: u32) -> Enc {
    // the branch only chooses the better-conditioned of two valid formulas
    if *y.hi() < -0.693_f64 {
        y.exp(prec).neg().ln_1p(prec)
    } else {
        let e = y.expm1(prec);
        if *e.hi() < 0 {
            return e.neg().ln(prec);
        }
        // `Enc::expm1`'s one-call form (expm1 at the lower end plus a width increment) can lose
        // the sign of the upper end when the enclosure is wide relative to |y| (a level whose
        // P_S is known only within a large factor, at a low per-level precision: the increment
        // cancels expm1(lo) to within the rounding). expm1 is increasing, so the endpoint
        // enclosure [expm1(lo) rounded down, expm1(hi) rounded up] is valid (a point enclosure
        // has width 0, so `Enc::expm1` takes MPFR's directed roundings at the point), and for
        // y.hi < 0 its upper end stays < 0 unless expm1(y.hi) underflows (then ln gives a lower
        // end of -inf: still an enclosure). Seen at n = 10^6, N = e^10, 528 bits: the top levels
        // of the window (L << E, P_S known within e^42) at 64 bits gave P_N = [0, ...] and
        // kl_bon_reference = [0, 9.00...] (0 digits) where 264 bits had certified 29.
        let lo = Enc::point(y.lo()).expm1(prec);
        let hi = Enc::point(y.hi()).expm1(prec);
        lo.hull(&hi).neg().ln(prec)
    }
}

/// Best-of-N evaluated on every listed level at working precision `prec`, with the bounds for
/// the unlisted levels of the source.
#[derive(Clone, Debug)]
pub struct BonEval {
    /// `ln P_S(s_j)`.
    pub ln_ps: Vec<Enc>,
    /// `ln F_j`.
    pub ln_f: Vec<Enc>,
    /// `F_j`.
    pub f: Vec<Enc>,
    /// `F_j^N`.
    pub f_pow: Vec<Enc>,
    /// `ln P_N(s_j)`.
    pub ln_pn: Vec<Enc>,
    /// `P_N(s_j)` (may be `[0, tiny]` after underflow: still a valid enclosure).
    pub pn: Vec<Enc>,
    /// The unlisted part (all `None` for an exact source).
    pub out: OutsideEval,
    /// Per-level working precisions ([`eval_graded`]); `None`: every level at the uniform one.
    pub precs: Option<Vec<u32>>,
}

impl BonEval {
    /// No level yet (room for the source's `len()`), with the source's unlisted part.
    fn empty(lv: &dyn LevelSource, n_samples: &Enc, prec: u32) -> BonEval {
        let len = lv.len();
        BonEval {
            ln_ps: Vec::with_capacity(len),
            ln_f: Vec::with_capacity(len),
            f: Vec::with_capacity(len),
            f_pow: Vec::with_capacity(len),
            ln_pn: Vec::with_capacity(len),
            pn: Vec::with_capacity(len),
            out: OutsideEval::new(lv, n_samples, prec),
            precs: None,
        }
    }
    /// Level `j`'s terms: appended when `j` is the next level, else replacing level `j`'s.
    fn set(&mut self, j: usize, t: LevelTerms) {
        if j == self.pn.len() {
            self.ln_ps.push(t.ln_ps);
            self.ln_f.push(t.ln_f);
            self.f.push(t.f);
            self.f_pow.push(t.f_pow);
            self.ln_pn.push(t.ln_pn);
            self.pn.push(t.pn);
        } else {
            self.ln_ps[j] = t.ln_ps;
            self.ln_f[j] = t.ln_f;
            self.f[j] = t.f;
            self.f_pow[j] = t.f_pow;
            self.ln_pn[j] = t.ln_pn;
            self.pn[j] = t.pn;
        }
    }
    /// The working precision level `j` was evaluated at (at most `prec`).
    pub fn level_prec(&self, j: usize, prec: u32) -> u32 {
        self.precs.as_ref().map_or(prec, |p| p[j].min(prec))
    }
}

/// Best-of-N on the unlisted levels: the masses and what the sums need to bound their terms.
#[derive(Clone, Debug)]
pub struct OutsideEval {
    /// `P(S < s_0)` and its log (`None`: exactly 0).
    pub below: Option<(Enc, Enc)>,
    /// `P(S > s_last)` (`None`: exactly 0).
    pub above: Option<Enc>,
    /// Best-of-N mass below the listed levels, `P(S < s_0)^N`.
    pub mass_below: Option<Enc>,
    /// Best-of-N mass above the listed levels, `1 - F(s_last)^N = -expm1(N ln1p(-P(S > s_last)))`.
    pub mass_above: Option<Enc>,
    /// `N`.
    pub n_samples: Enc,
    /// `ln N`.
    pub ln_n: Enc,
    /// `n r_min`, `s_0`, `s_last`, `n r_max`.
    pub s_min: Enc,
    /// `s_0`.
    pub s_first: Enc,
    /// `s_last`.
    pub s_last: Enc,
    /// `n r_max`.
    pub s_max: Enc,
}

impl OutsideEval {
    fn new(src: &dyn LevelSource, n_samples: &Enc, prec: u32) -> OutsideEval {
        let un = src.unlisted(prec);
        let (rmin, rmax) = src.reward_range();
        let ln_n = if un.is_empty() {
            Enc::zero(prec)
        } else {
            n_samples.ln(prec)
        };
        let mass_below = un.below.as_ref().map(|(_, lb)| n_samples.mul(lb, prec).exp(prec));
        let mass_above = un.above.as_ref().map(|t| {
            // 1 - (1 - T)^N = -expm1(N ln1p(-T)), in [0, 1]
            let y = n_samples.mul(&t.neg().ln_1p(prec), prec);
            clamp_unit(&y.expm1(prec).neg(), prec)
        });
        OutsideEval {
            below: un.below,
            above: un.above,
            mass_below,
            mass_above,
            n_samples: n_samples.clone(),
            ln_n,
            s_min: Enc::from_rational(&rmin, prec),
            s_first: Enc::from_rational(&src.reward(0), prec),
            s_last: Enc::from_rational(&src.reward(src.len() - 1), prec),
            s_max: Enc::from_rational(&rmax, prec),
        }
    }
    /// True when every level is listed.
    pub fn is_empty(&self) -> bool {
        self.below.is_none() && self.above.is_none()
    }
}

/// `x` intersected with `[0, 1]` (for a probability).
fn clamp_unit(x: &Enc, prec: u32) -> Enc {
    let one = rug::Float::with_val(prec, 1);
    let lo = if *x.lo() < 0 {
        rug::Float::new(prec)
    } else {
        x.lo().clone()
    };
    let hi = if *x.hi() > 1 { one } else { x.hi().clone() };
    if lo > hi {
        return x.clone();
    }
    Enc::new(lo, hi)
}

/// The smallest value of `x ln x` over `x in [0, hi(m)]`: `hi ln hi` when `hi <= 1/e`, else `-1/e`
/// (`x ln x` decreases on `[0, 1/e]`). A lower bound for `m ln(m / Q)` when `Q <= 1`.
fn xlnx_lower(m: &Enc, prec: u32) -> rug::Float {
    let h = m.hi();
    if h.is_zero() {
        return rug::Float::new(prec);
    }
    if *h <= 0.36_f64 {
        let p = Enc::point(h);
        p.mul(&p.ln(prec), prec).lo().clone()
    } else {
        let e = Enc::from_i64(-1, prec).exp(prec);
        e.neg().lo().clone()
    }
}

/// A lower bound (as a point enclosure) of `x ln(x / y)` over `x in [0, hi(m)]`, `y in [lo(b), hi(b)]`,
/// `y > 0`: the function is convex in `x` with its minimum `-y/e` at `x = y/e` and decreasing in
/// `y`; when `hi(m) <= lo(b)/e` it decreases on `[0, hi(m)]`, so the minimum is at
/// `(hi(m), hi(b))`; otherwise `-hi(b)/e`.
fn xlogxy_lower(m: &Enc, b: &Enc, prec: u32) -> Enc {
    let mh = m.hi();
    if mh.is_zero() {
        return Enc::zero(prec);
    }
    let e = Enc::from_i64(1, prec).exp(prec);
    let blo_e = Enc::point(b.lo()).div(&e, prec);
    if *b.lo() > 0 && *mh <= *blo_e.lo() {
        let x = Enc::point(mh);
        let v = x.mul(&x.ln(prec).sub(&Enc::point(b.hi()).ln(prec), prec), prec);
        return Enc::point(v.lo());
    }
    Enc::point(Enc::point(b.hi()).div(&e, prec).neg().lo())
}

/// The enclosure `[min(a.lo, b.lo), max(a.hi, b.hi)]` of a quantity known to be `>= a` and `<= b`
/// (lower end from `a`, upper from `b`).
fn between(a: &Enc, b: &Enc) -> Enc {
    let lo = a.lo().clone();
    let hi = b.hi().clone();
    if lo <= hi {
        Enc::new(lo, hi)
    } else {
        a.hull(b)
    }
}

/// The BON-1 quantities of one level.
struct LevelTerms {
    ln_ps: Enc,
    ln_f: Enc,
    f: Enc,
    f_pow: Enc,
    ln_pn: Enc,
    pn: Enc,
}

/// BON-1 on one level from its reference probabilities, at `prec` (`full >= prec`: the working
/// precision of the sums, see below).
fn level_terms(lp: LevelProbs, n_samples: &Enc, prec: u32, full: u32) -> LevelTerms {
    let LevelProbs {
        ln_ps,
        ln_f,
        f,
        q,
        first,
        top,
    } = lp;
    let nlf = n_samples.mul(&ln_f, prec);
    let f_pow = if top {
        Enc::from_i64(1, prec)
    } else if prec < full && *nlf.lo() > -0.693f64 {
        // a level at reduced precision with F^N > 1/2 (N ln F > -ln 2): F^N = 1 - c with
        // c = -expm1(N ln F) in [0, 1/2] enclosed at the level's precision (its width is relative
        // to c), and the subtraction at the full precision, so F^N ~ 1 keeps an absolute width
        // ~ c 2^-prec instead of the 2^-prec of an enclosure of ~1 at `prec` bits (the expected
        // reward's Abel terms add F^N times a level gap on every level above the mode).
        // Interval subtraction: 1 - [c_lo, c_hi] = [1 - c_hi, 1 - c_lo], rounded outward.
        let c = nlf.expm1(prec).neg();
        Enc::from_i64(1, full).sub(&c, full)
    } else {
        nlf.exp(prec)
    };
    let ln_pn = ln_pn_of(nlf, &q, first, n_samples, prec);
    let pn = ln_pn.exp(prec);
    LevelTerms {
        ln_ps,
        ln_f,
        f,
        f_pow,
        ln_pn,
        pn,
    }
}

/// `(ln P_S, ln P_N)` of one level: the part of [`level_terms`] that the reverse KL reads.
fn level_ln_pn(lp: LevelProbs, n_samples: &Enc, prec: u32) -> (Enc, Enc) {
    let nlf = n_samples.mul(&lp.ln_f, prec);
    let ln_pn = ln_pn_of(nlf, &lp.q, lp.first, n_samples, prec);
    (lp.ln_ps, ln_pn)
}

/// `ln P_N = N ln F + ln(1 - (1 - q)^N)` from `nlf = N ln F` (BON-1), for a level with
/// `q = P_S / F` (`first`: the lowest level of the law, `ln P_N = N ln F`).
pub fn ln_pn_of(nlf: Enc, q: &Enc, first: bool, n_samples: &Enc, prec: u32) -> Enc {
    if first {
        nlf
    } else {
        // ln(F_{j-1}/F_j) = ln1p(-q) < 0 with q = P_S / F, and y = N ln1p(-q) <= -N q.
        let nq = n_samples.mul(q, prec);
        let deep = (prec as f64 + 64.0) * std::f64::consts::LN_2;
        if *nq.lo() > deep {
            // y <= -(prec + 64) ln 2, so u = e^y <= 2^-(prec+64) and
            // ln(-expm1(y)) = ln(1 - u) lies in [-2u, 0] within [-2^-(prec+63), 0]:
            // no transcendental call needed (most levels when N is astronomically large)
            let tiny = rug::Float::with_val(prec, 1) >> (prec as i32 + 63);
            let corr = Enc::new(-tiny, rug::Float::new(prec));
            nlf.add(&corr, prec)
        } else {
            let mut step = q.neg().ln_1p(prec);
            if *step.hi() >= 0 && *q.lo() > 0 {
                // `Enc::ln_1p`'s one-call form (ln1p at one end plus a width increment) cancels
                // to within its rounding when q's enclosure is wide relative to q (a window level
                // whose P_S is known only within a factor e^40, at 64 bits), and its upper end
                // lost the sign. ln1p(-q) is decreasing in q: the endpoint enclosure
                // [ln1p(-q_hi) rounded down, ln1p(-q_lo) rounded up] is valid, and its upper end
                // is < 0 for q_lo > 0 (directed rounding of a negative, normal value).
                let a = Enc::point(&rug::Float::with_val(prec, -q.hi())).ln_1p(prec);
                let b = Enc::point(&rug::Float::with_val(prec, -q.lo())).ln_1p(prec);
                step = a.hull(&b);
            }
            nlf.add(&ln_neg_expm1(&n_samples.mul(&step, prec), prec), prec)
        }
    }
}

/// Evaluate BON-1 on every listed level of a source for a sample count `N >= 1` given as an
/// enclosure (an exact integer, or a real `e^{n Delta}`), all at precision `prec`.
pub fn eval(lv: &dyn LevelSource, n_samples: &Enc, prec: u32) -> BonEval {
    eval_selected(lv, n_samples, prec, None, None)
}

/// [`eval`] with level `j` at `precs[j]` bits (see [`crate::math::level_precision`]; the
/// enclosures are rigorous at every precision, lower ones are only wider).
pub fn eval_graded(lv: &dyn LevelSource, n_samples: &Enc, prec: u32, precs: Option<Vec<u32>>) -> BonEval {
    let Some(precs) = precs else {
        return eval(lv, n_samples, prec);
    };
    let mut out = BonEval::empty(lv, n_samples, prec);
    lv.visit_at(prec, &precs, &mut |j, lp| {
        out.set(j, level_terms(lp, n_samples, precs[j].min(prec), prec));
    });
    out.precs = Some(precs);
    out
}

pub(crate) fn eval_selected(
    lv: &dyn LevelSource,
    n_samples: &Enc,
    prec: u32,
    sel: Option<&[bool]>,
    base: Option<BonEval>,
) -> BonEval {
    let mut out = base.unwrap_or_else(|| BonEval::empty(lv, n_samples, prec));
    if !out.pn.is_empty() {
        out.out = OutsideEval::new(lv, n_samples, prec);
    }
    match lv.exact_law() {
        Some(law) if law.len() >= PARALLEL_LEVELS => {
            exact_terms_parallel(law, n_samples, prec, sel, |j, t| out.set(j, t));
        }
        _ => lv.visit(prec, sel, &mut |j, lp| {
            out.set(j, level_terms(lp, n_samples, prec, prec))
        }),
    }
    out
}

/// Levels of an exact law from which [`eval_selected`] runs in blocks on worker threads.
const PARALLEL_LEVELS: usize = 1 << 14;
/// Levels per block of [`exact_terms_parallel`].
const LEVEL_BLOCK: usize = 4096;

/// Blocks computed at once by [`exact_terms_parallel`] (their results are held until `sink`
/// takes them: a bounded number, whatever the number of levels).
const BLOCKS_AT_ONCE: usize = 8;

/// BON-1 on the (selected) levels of an exact law, in blocks of [`LEVEL_BLOCK`] levels on worker
/// threads, each starting from its exact CDF numerator (one sequential pass of additions): the
/// same [`exact_level_probs`] and [`level_terms`] per level as [`Levels::visit`], so the same
/// enclosures, handed to `sink` in level order.
fn exact_terms_parallel(
    law: &LevelLaw,
    n_samples: &Enc,
    prec: u32,
    sel: Option<&[bool]>,
    mut sink: impl FnMut(usize, LevelTerms),
) {
    let d = &law.denom;
    let half = Integer::from(d >> 1);
    let len = law.len();
    let starts = law.block_starts(LEVEL_BLOCK);
    let block = |(first, acc0): &(usize, Integer)| {
        let end = (first + LEVEL_BLOCK).min(len);
        let mut acc = acc0.clone();
        let mut tail = Integer::from(d - &acc);
        let mut out = Vec::new();
        for j in *first..end {
            let w = &law.weights[j];
            acc += w;
            tail -= w;
            if sel.is_some_and(|s| !s[j]) {
                continue;
            }
            let lp = exact_level_probs(w, &acc, &tail, d, &half, j == 0, j + 1 == len, prec);
            out.push((j, level_terms(lp, n_samples, prec, prec)));
        }
        out
    };
    for group in starts.chunks(BLOCKS_AT_ONCE) {
        for (j, t) in crate::real::par::map_heavy(group, 2, block).into_iter().flatten() {
            sink(j, t);
        }
    }
}

/// Exact `F^N - F-^N` on every level for an integer `N` (BON-1), as rationals over `D^N`.
pub fn exact_probs(lv: &Levels, n_samples: u32) -> Vec<Rational> {
    let dn = Integer::from(rug::ops::Pow::pow(&lv.law.denom, n_samples));
    let mut prev = Integer::new();
    let mut out = Vec::with_capacity(lv.len());
    for c in &lv.law.cdf_weights() {
        let cur = Integer::from(rug::ops::Pow::pow(c, n_samples));
        out.push(Rational::from((Integer::from(&cur - &prev), dn.clone())));
        prev = cur;
    }
    out
}

/// `E_{pi_N} S` by the second form of BON-2 (Abel summation over the listed levels):
/// `s_last - sum_{j < last} (s_{j+1} - s_j) F_j^N + [0, s_max - s_last] m_above
/// - [0, s_0 - s_min] m_below`, with `m_above = 1 - F(s_last)^N` and `m_below = P(S < s_0)^N`
/// the best-of-N masses of the unlisted levels (both exactly 0 for an exact source, where
/// `s_last = s_max`). All listed terms are non-negative: no cancellation.
pub fn expected_reward(lv: &dyn LevelSource, ev: &BonEval, prec: u32) -> Enc {
    let len = lv.len();
    let scale = lv.scale();
    let top = Enc::from_rational(&lv.reward(len - 1), prec);
    let mut acc = Enc::zero(prec);
    let mut prev = lv.level(0);
    for j in 0..len - 1 {
        let next = lv.level(j + 1);
        let gap = Rational::from((Integer::from(&next - &prev), scale.clone()));
        acc = acc.add(&ev.f_pow[j].mul_rational(&gap, prec), prec);
        prev = next;
    }
    let mut e = top.sub(&acc, prec);
    let o = &ev.out;
    let zero = rug::Float::new(prec);
    if let Some(ma) = &o.mass_above {
        let span = o.s_max.sub(&o.s_last, prec);
        let r = Enc::new(zero.clone(), span.hi().clone());
        e = e.add(&ma.mul(&r, prec), prec);
    }
    if let Some(mb) = &o.mass_below {
        let span = o.s_first.sub(&o.s_min, prec);
        let r = Enc::new(zero, span.hi().clone());
        e = e.sub(&mb.mul(&r, prec), prec);
    }
    e
}

/// `ln(s_max - E_{pi_N} S) = ln sum_{j < top} (s_{j+1} - s_j) F_j^N` (BON-2, second form) in log
/// space: `ln F_j^N = N ln F_j` is carried as a logarithm, so the deficit stays certifiable when
/// `F_j^N` is below every floating-point range (`N = 10^27`, `F = 1/3`). Log-sum-exp about an
/// exact point `m` near the largest term: `m + ln sum e^{t_j - m}`, every term an enclosure.
/// `None` for a one-level law (no deficit).
pub fn ln_reward_deficit(law: &LevelLaw, ev: &BonEval, n_samples: &Enc, prec: u32) -> Option<Enc> {
    let len = law.len();
    if len < 2 {
        return None;
    }
    let terms: Vec<Enc> = (0..len - 1)
        .map(|j| {
            let gap = Rational::from((
                Integer::from(&law.levels[j + 1] - &law.levels[j]),
                law.scale.clone(),
            ));
            n_samples
                .mul(&ev.ln_f[j], prec)
                .add(&Enc::from_rational(&gap, prec).ln(prec), prec)
        })
        .collect();
    let m = terms
        .iter()
        .map(|t| t.hi().clone())
        .reduce(|a, b| if a > b { a } else { b })?;
    if !m.is_finite() {
        return None;
    }
    let mp = Enc::point(&m);
    let shifted: Vec<Enc> = terms.iter().map(|t| t.sub(&mp, prec).exp(prec)).collect();
    Some(mp.add(&Enc::sum(shifted.iter(), prec).ln(prec), prec))
}

/// `E_{pi_N} S` by the first form of BON-2: `sum_j s_j P_N(s_j)`, plus the unlisted masses
/// times the reward ranges they live on.
pub fn expected_reward_direct(lv: &dyn LevelSource, ev: &BonEval, prec: u32) -> Enc {
    let mut acc = Enc::zero(prec);
    for j in 0..lv.len() {
        acc = acc.add(&ev.pn[j].mul_rational(&lv.reward(j), prec), prec);
    }
    let o = &ev.out;
    if let Some(ma) = &o.mass_above {
        acc = acc.add(&ma.mul(&o.s_last.hull(&o.s_max), prec), prec);
    }
    if let Some(mb) = &o.mass_below {
        acc = acc.add(&mb.mul(&o.s_min.hull(&o.s_first), prec), prec);
    }
    acc
}

/// `P ln(P/Q)` from enclosures of `P = e^{lp}` and the logs `lp`, `lq`: `P (lp - lq)`.
/// When `P` has underflowed to `[0, tiny]` the product of intervals still bounds the term.
fn plogpq(p: &Enc, lp: &Enc, lq: &Enc, prec: u32) -> Enc {
    p.mul(&lp.sub(lq, prec), prec)
}

/// `D(pi_N || p^n) = sum_j P_N ln(P_N / P_S)` (BON-3, by SEQ-3 level reduction).
///
/// Unlisted levels (a region `R` of best-of-N mass `m` and reference mass `P_R`): by the
/// log-sum inequality their part is `>= m ln(m / P_R)`, and it is `<= m ln N` because
/// `P_N <= N P_S F^{N-1} <= N P_S` (mean value theorem).
pub fn kl_to_reference(ev: &BonEval, prec: u32) -> Enc {
    let mut acc = Enc::zero(prec);
    for j in 0..ev.pn.len() {
        acc = acc.add(&plogpq(&ev.pn[j], &ev.ln_pn[j], &ev.ln_ps[j], prec), prec);
    }
    let o = &ev.out;
    if let (Some(mb), Some((_, lb))) = (&o.mass_below, &o.below) {
        // log-sum value with m = b^N: m ln(m / b) = m (N - 1) ln b, formed from ln b
        let one = Enc::from_i64(1, prec);
        let lo = mb.mul(&o.n_samples.sub(&one, prec).mul(lb, prec), prec);
        acc = acc.add(&between(&lo, &mb.mul(&o.ln_n, prec)), prec);
    }
    if let (Some(ma), Some(t)) = (&o.mass_above, &o.above) {
        let lo = xlogxy_lower(ma, t, prec);
        acc = acc.add(&between(&lo, &ma.mul(&o.ln_n, prec)), prec);
    }
    acc.clamp_nonneg(prec)
}

/// `ln N - (N-1)/N` (the folklore bound of BON-3), with `ln N` given.
pub fn kl_bound(n_samples: &Enc, ln_n: &Enc, prec: u32) -> Enc {
    let one = Enc::from_i64(1, prec);
    ln_n.sub(&one.sub(&one.div(n_samples, prec), prec), prec)
}

/// `A_N(u) = u^N (ln N + (N-1) ln u - (N-1)/N)` from `u^N` and `ln u` (BON-3).
pub(crate) fn a_n(u_pow: &Enc, ln_u: &Enc, n_samples: &Enc, ln_n: &Enc, prec: u32) -> Enc {
    let one = Enc::from_i64(1, prec);
    let nm1 = n_samples.sub(&one, prec);
    let inner = ln_n
        .add(&nm1.mul(ln_u, prec), prec)
        .sub(&nm1.div(n_samples, prec), prec);
    u_pow.mul(&inner, prec)
}

/// Per-level gaps of BON-3: `A_N(F_j) - A_N(F_{j-1}) - P_N ln(P_N/P_S)`, each `>= 0`;
/// over an exact source they sum to `ln N - (N-1)/N - D(pi_N || p^n)`.
pub fn kl_gaps(ev: &BonEval, n_samples: &Enc, ln_n: &Enc, prec: u32) -> Vec<Enc> {
    let mut out = Vec::with_capacity(ev.pn.len());
    // A_N(0) = 0; below the listed levels A_N(P(S < s_0))
    let mut prev = match (&ev.out.below, &ev.out.mass_below) {
        (Some((_, lb)), Some(mb)) => a_n(mb, lb, n_samples, ln_n, prec),
        _ => Enc::zero(prec),
    };
    for j in 0..ev.pn.len() {
        let cur = a_n(&ev.f_pow[j], &ev.ln_f[j], n_samples, ln_n, prec);
        let g = cur
            .sub(&prev, prec)
            .sub(&plogpq(&ev.pn[j], &ev.ln_pn[j], &ev.ln_ps[j], prec), prec);
        out.push(g);
        prev = cur;
    }
    out
}

/// Win rate against the reference, ties counting one half (BON-4):
/// `W = sum_j P_N(s_j) (F_j + F_{j-1}) / 2`; `W <= N/(N+1)`. Unlisted levels add
/// `[0, m_below]` below and `[m_above F(s_last), m_above]` above.
pub fn win_rate(ev: &BonEval, prec: u32) -> Enc {
    let half = Rational::from((1, 2));
    let mut acc = Enc::zero(prec);
    let mut prev = match &ev.out.below {
        Some((b, _)) => b.clone(),
        None => Enc::zero(prec),
    };
    for j in 0..ev.pn.len() {
        let s = ev.f[j].add(&prev, prec).mul_rational(&half, prec);
        acc = acc.add(&ev.pn[j].mul(&s, prec), prec);
        prev = ev.f[j].clone();
    }
    let zero = rug::Float::new(prec);
    if let Some(mb) = &ev.out.mass_below {
        acc = acc.add(&Enc::new(zero, mb.hi().clone()), prec);
    }
    if let Some(ma) = &ev.out.mass_above {
        let lo = ma.mul(&prev, prec);
        acc = acc.add(&between(&lo, ma), prec);
    }
    acc
}

/// The tilted level law `ln Phi_l(s_j)` on the listed levels, with the tilt it came from.
/// Dereferences to the slice of listed values.
#[derive(Clone, Debug)]
pub struct TiltedLaw {
    /// `ln Phi_l(s_j)` for the listed levels.
    pub ln_phi: Vec<Enc>,
    /// `l` (`0` for the reference itself).
    pub l: Enc,
    /// `n psi(l)`.
    pub n_psi: Enc,
}

impl std::ops::Deref for TiltedLaw {
    type Target = [Enc];
    fn deref(&self) -> &[Enc] {
        &self.ln_phi
    }
}

impl TiltedLaw {
    /// The reference law itself (`l = 0`).
    pub fn reference(ev: &BonEval, prec: u32) -> TiltedLaw {
        TiltedLaw {
            ln_phi: ev.ln_ps.clone(),
            l: Enc::zero(prec),
            n_psi: Enc::zero(prec),
        }
    }
}

/// The tilted level law in logs (SEQ-3): `ln Phi_l(s_j) = ln P_S(s_j) + l s_j - n psi(l)`.
pub fn ln_tilted(lv: &dyn LevelSource, ev: &BonEval, l: &Enc, n_psi: &Enc, prec: u32) -> TiltedLaw {
    let scale = Enc::from_integer(&lv.scale(), prec + 8);
    let l_over = l.div(&scale, prec + 8);
    let ln_phi = (0..lv.len())
        .map(|j| {
            // l s_j = (l / L) m_j with the integer level m_j
            let ls = l_over.mul(&Enc::from_integer(&lv.level(j), prec + 8), prec);
            ev.ln_ps[j].add(&ls, prec).sub(n_psi, prec)
        })
        .collect();
    TiltedLaw {
        ln_phi,
        l: l.clone(),
        n_psi: n_psi.clone(),
    }
}

/// `D(pi_N || phi_l^n) = sum_j P_N ln(P_N / Phi_l)` (BON-5, first route).
///
/// Unlisted levels (a region `R` with best-of-N mass `m`): the log-sum inequality and
/// `Phi(R) <= 1` give the lower bound `m ln m`; `P_N <= N P_S` gives the upper bound
/// `m (ln N + sup_R ln(P_S / Phi)) = m (ln N + n psi(l) - l inf_R S)` (`l >= 0`).
pub fn kl_to_tilted(ev: &BonEval, ln_phi: &TiltedLaw, prec: u32) -> Enc {
    let mut acc = Enc::zero(prec);
    for (j, lphi) in ln_phi.iter().enumerate() {
        acc = acc.add(&plogpq(&ev.pn[j], &ev.ln_pn[j], lphi, prec), prec);
    }
    let o = &ev.out;
    let regions = [(&o.mass_below, &o.s_min), (&o.mass_above, &o.s_last)];
    for (m, s_inf) in regions {
        if let Some(m) = m {
            let lo = xlnx_lower(m, prec);
            let up = o
                .ln_n
                .add(&ln_phi.n_psi, prec)
                .sub(&ln_phi.l.mul(s_inf, prec), prec);
            let hi = m.mul(&up, prec);
            let lo = if lo <= *hi.hi() { lo } else { hi.lo().clone() };
            acc = acc.add(&Enc::new(lo, hi.hi().clone()), prec);
        }
    }
    acc.clamp_nonneg(prec)
}

/// `D(pi_N || phi_l^n) = D(pi_N || p^n) - l E_{pi_N} S + n psi(l)` (BON-5, second route, TILT-3).
pub fn kl_to_tilted_pythagorean(kl_ref: &Enc, l: &Enc, e_s: &Enc, n_psi: &Enc, prec: u32) -> Enc {
    kl_ref
        .sub(&l.mul(e_s, prec), prec)
        .add(n_psi, prec)
        .clamp_nonneg(prec)
}

/// Reverse KL `D(phi_l^n || pi_N) = sum_j Phi ln(Phi / P_N)` (SEQ-3) over the listed levels,
/// plus the source's part for the rest ([`LevelSource::reverse_kl_rest`]).
/// `None` when the source cannot bound the unlisted part.
pub fn kl_tilted_to_bon_source(
    lv: &dyn LevelSource,
    ev: &BonEval,
    ln_phi: &TiltedLaw,
    prec: u32,
) -> Option<Enc> {
    let ctx = ReverseKlCtx {
        l: &ln_phi.l,
        n_psi: &ln_phi.n_psi,
        n_samples: &ev.out.n_samples,
        ln_n: &ev.out.ln_n,
    };
    let (rest, first) = lv.reverse_kl_rest(&ctx, prec)?;
    let mut acc = rest;
    for (j, lphi) in ln_phi.iter().enumerate().skip(first) {
        // the level's own precision for its term (see eval_graded), the sum at prec
        let p = ev.level_prec(j, prec);
        let phi = lphi.exp(p);
        acc = acc.add(&plogpq(&phi, lphi, &ev.ln_pn[j], p), prec);
    }
    Some(acc.clamp_nonneg(prec))
}

/// `sum_j Phi ln(Phi / P_N)` over the listed levels only.
pub fn reverse_kl_listed(ev: &BonEval, ln_phi: &[Enc], prec: u32) -> Enc {
    let mut acc = Enc::zero(prec);
    for (j, lphi) in ln_phi.iter().enumerate() {
        let phi = lphi.exp(prec);
        acc = acc.add(&plogpq(&phi, lphi, &ev.ln_pn[j], prec), prec);
    }
    acc
}

/// `sum_j Phi_l(s_j) ln(Phi_l(s_j) / P_N(s_j))` over the listed levels of a source, streamed:
/// each level's BON-1 terms and its tilted law `ln Phi_l = ln P_S + l s_j - n psi(l)` are formed
/// and added to the sum, nothing per level is kept (the same operations as [`eval`],
/// [`ln_tilted`] and [`reverse_kl_listed`] at `prec`, without their vectors: the memory of the
/// windowed route's second window, WIN-4).
///
/// With `precs`, level `j` is evaluated at `precs[j]` bits (see [`crate::math::level_precision`])
/// and only the sum runs at `prec`; `F^N` and `P_N`, which the sum does not read, are not formed.
pub fn reverse_kl_streamed(
    lv: &dyn LevelSource,
    n_samples: &Enc,
    l: &Enc,
    n_psi: &Enc,
    prec: u32,
    precs: Option<&[u32]>,
) -> Enc {
    let scale = Enc::from_integer(&lv.scale(), prec + 8);
    let l_over = l.div(&scale, prec + 8);
    let mut acc = Enc::zero(prec);
    let mut each = |j: usize, lp: LevelProbs| {
        let p = precs.map_or(prec, |ps| ps[j].min(prec));
        let (ln_ps, ln_pn) = level_ln_pn(lp, n_samples, p);
        // l s_j = (l / L) m_j with the integer level m_j (as in ln_tilted)
        let ls = l_over.mul(&Enc::from_integer(&lv.level(j), p + 8), p);
        let lphi = ln_ps.add(&ls, p).sub(n_psi, p);
        let phi = lphi.exp(p);
        acc = acc.add(&plogpq(&phi, &lphi, &ln_pn, p), prec);
    };
    match precs {
        Some(ps) => lv.visit_at(prec, ps, &mut each),
        None => lv.visit(prec, None, &mut each),
    }
    acc
}

/// Reverse KL `D(phi_l^n || pi_N) = sum_j Phi ln(Phi / P_N)` (SEQ-3) for an evaluation whose
/// levels are all listed (an exact source). Returns the whole line when levels are unlisted:
/// use [`kl_tilted_to_bon_source`] then.
pub fn kl_tilted_to_bon(ev: &BonEval, ln_phi: &[Enc], prec: u32) -> Enc {
    if !ev.out.is_empty() {
        return Enc::whole(prec);
    }
    reverse_kl_listed(ev, ln_phi, prec).clamp_nonneg(prec)
}
