//! Result trees of `bon` and `compare` (field names of INTERFACE.md).

use crate::math::best_of_n::{self as bon, BonEval, Levels, TiltedLaw};
use crate::math::bon_adaptive;
use crate::math::bon_integer::IntegerBon;
use crate::math::level_precision::{graded, ScoutCtx};
use crate::math::level_source::{LevelSource, SeqOptimum};
use crate::math::tilt::{eval as tilt_eval, optimum, Optimum, TiltModel};
use crate::math::top_levels::TopLevels;
use crate::real::value::{obj, Value};
use crate::real::Enc;
use rug::{Float, Integer, Rational};

/// The sample count `N`.
#[derive(Clone, Debug, PartialEq)]
pub enum SampleCount {
    /// An exact integer `N >= 1`.
    Integer(Integer),
    /// The real `N = e^x` for an exact `x = n Delta >= 0`.
    Real(Rational),
    /// `N = ceil(e^x)` (`ceil = true`) or `floor(e^x)` for an exact `x = n Delta` too large to
    /// form the integer (it would have `x / ln 10` digits): only `N in [e^x, e^x + 1)` (or
    /// `(e^x - 1, e^x]`) enters, which every formula here uses as an enclosure.
    Rounded {
        /// `x = n Delta`.
        x: Rational,
        /// Ceiling (else floor).
        ceil: bool,
    },
    /// A real (here: non-integer rational) `N >= 1` for the law `P_N = F^N - F-^N`, which is a
    /// distribution for every real `N >= 1`.
    Frac(Rational),
}

impl SampleCount {
    /// `N` as an enclosure.
    pub fn enc(&self, prec: u32) -> Enc {
        match self {
            SampleCount::Integer(i) => Enc::from_integer(i, prec),
            SampleCount::Real(x) => Enc::from_rational(x, prec).exp(prec),
            SampleCount::Frac(q) => Enc::from_rational(q, prec),
            SampleCount::Rounded { x, ceil } => {
                let e = Enc::from_rational(x, prec).exp(prec);
                let one = Enc::from_i64(1, prec);
                if *ceil {
                    Enc::new(e.lo().clone(), e.add(&one, prec).hi().clone())
                } else {
                    Enc::new(e.sub(&one, prec).lo().clone(), e.hi().clone())
                }
            }
        }
    }
    /// `ln N` as an enclosure (exact `x` for the real rule).
    pub fn ln(&self, prec: u32) -> Enc {
        match self {
            SampleCount::Integer(i) => {
                if *i == 1 {
                    Enc::zero(prec)
                } else {
                    Enc::from_integer(i, prec).ln(prec)
                }
            }
            SampleCount::Real(x) => Enc::from_rational(x, prec),
            SampleCount::Frac(q) => {
                if *q == 1 {
                    Enc::zero(prec)
                } else {
                    Enc::from_rational(q, prec).ln(prec)
                }
            }
            SampleCount::Rounded { x, .. } => {
                let ex = self.ln_excess(prec).expect("rounded");
                Enc::from_rational(x, prec).add(&ex, prec)
            }
        }
    }
    /// For [`SampleCount::Rounded`]: an enclosure end of `ln(N e^{-x})`, which lies in
    /// `[0, e^{-x}]` for the ceiling (`ln(1 + d e^{-x}) <= d e^{-x}`, `0 <= d < 1`) and in
    /// `[-2 e^{-x}, 0]` for the floor (`e^{-x} <= 1/2`); returned as the bound `e^{-x}` (ceil) and
    /// used through [`SampleCount::ln_excess`].
    fn ln_excess_bound(&self, prec: u32) -> Float {
        match self {
            SampleCount::Rounded { x, .. } => {
                let xe = Enc::from_rational(x, prec);
                xe.neg().exp(prec).hi().clone()
            }
            _ => Float::new(prec),
        }
    }
    /// `ln(N e^{-x})` for [`SampleCount::Rounded`] (see `SampleCount::ln_excess_bound`).
    pub fn ln_excess(&self, prec: u32) -> Option<Enc> {
        match self {
            SampleCount::Rounded { ceil, .. } => {
                let b = self.ln_excess_bound(prec);
                Some(if *ceil {
                    Enc::new(Float::new(prec), b)
                } else {
                    let two = Float::with_val(prec, &b * 2u32);
                    Enc::new(-two, Float::new(prec))
                })
            }
            _ => None,
        }
    }
    /// The JSON/table value of `N`.
    pub fn value(&self, prec: u32) -> Value {
        match self {
            SampleCount::Integer(i) => Value::Exact(Rational::from(i)),
            SampleCount::Real(x) => Value::ExpOf(Enc::from_rational(x, prec)),
            SampleCount::Rounded { .. } => Value::ExpOf(self.ln(prec)),
            SampleCount::Frac(q) => Value::Exact(q.clone()),
        }
    }
    /// `N == 1`.
    pub fn is_one(&self) -> bool {
        match self {
            SampleCount::Integer(i) => *i == 1,
            SampleCount::Real(x) => *x == 0,
            SampleCount::Rounded { .. } => false,
            SampleCount::Frac(q) => *q == 1,
        }
    }
}

/// Which levels to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LevelsView {
    /// Every level.
    All,
    /// The `K` highest levels.
    Top(usize),
    /// None (only the count).
    None,
}

/// Exact data for an integer `N` small enough to be computed exactly (BON-1).
#[derive(Clone, Debug)]
pub struct ExactBon {
    /// `P_N(s_j)` exactly.
    pub pn: Vec<Rational>,
    /// `P_S(s_j)` exactly.
    pub ps: Vec<Rational>,
}

impl ExactBon {
    /// Compute the exact law.
    pub fn new(lv: &Levels, n_samples: u32) -> ExactBon {
        let pn = bon::exact_probs(lv, n_samples);
        let ps = (0..lv.len()).map(|j| lv.law.prob(j)).collect();
        ExactBon { pn, ps }
    }
    /// `E S = sum s P_N`, exact (BON-2).
    pub fn expected_reward(&self, lv: &dyn LevelSource) -> Rational {
        self.pn.iter().enumerate().map(|(j, q)| q * lv.reward(j)).sum()
    }
    /// Win rate, exact (BON-4).
    pub fn win_rate(&self) -> Rational {
        let mut f = Rational::new();
        let mut acc = Rational::new();
        for (pn, ps) in self.pn.iter().zip(&self.ps) {
            let fm = f.clone();
            f += ps;
            acc += (pn * Rational::from(&f + &fm)) / 2u32;
        }
        acc
    }
    /// `P_N ln(P_N/P_S)` per level with the ratio formed exactly.
    pub fn kl_terms(&self, prec: u32) -> Vec<Enc> {
        self.pn
            .iter()
            .zip(&self.ps)
            .map(|(a, b)| {
                if *a == 0 {
                    Enc::zero(prec)
                } else {
                    Enc::from_rational(&Rational::from(a / b), prec)
                        .ln(prec)
                        .mul_rational(a, prec)
                }
            })
            .collect()
    }
}

/// The `levels` listing of `bon` from the source's own levels `js` (highest first), with their
/// `(prob_bon, kl_gap)` in `listed`.
fn listed_levels(
    lv: &dyn LevelSource,
    js: &[usize],
    ln_ps: &Option<Vec<Enc>>,
    listed: Vec<(Value, Enc)>,
    prec: u32,
) -> Vec<Value> {
    js.iter()
        .zip(listed)
        .map(|(&j, (prob, gap))| {
            obj(vec![
                ("reward", Value::Exact(lv.reward(j))),
                (
                    "prob_reference",
                    match (lv.exact_law(), ln_ps) {
                        (Some(law), _) => Value::Exact(law.prob(j)),
                        (None, Some(lp)) => Value::Real(lp[j].exp(prec)),
                        (None, None) => Value::Null,
                    },
                ),
                ("prob_bon", prob),
                // each per-level gap is >= 0 (BON-3), so the lower end may be clipped at 0;
                // astronomically small gaps are shown as bounds rather than held to --digits
                ("kl_gap", Value::Bounds(gap.clamp_nonneg(prec))),
            ])
        })
        .collect()
}

/// The `levels` listing of `bon` from the exact top of the law ([`TopLevels::bon`]): the same
/// fields as [`listed_levels`], highest level first.
fn top_listing(top: &TopLevels, ne: &Enc, ln_n: &Enc, prec: u32) -> Vec<Value> {
    let real_or_log = |x: &Enc, ln_x: &Enc| -> Value {
        // a probability below the floating-point range: its logarithm carries it
        if x.lo().is_zero() && !x.is_exact_zero() {
            Value::ExpOf(ln_x.clone())
        } else {
            Value::Real(x.clone())
        }
    };
    top.bon(ne, ln_n, prec)
        .into_iter()
        .zip(&top.rewards)
        .map(|(b, r)| {
            obj(vec![
                ("reward", Value::Exact(r.clone())),
                ("prob_reference", real_or_log(&b.p, &b.ln_p)),
                ("prob_bon", real_or_log(&b.pn, &b.ln_pn)),
                // >= 0 (BON-3); shown as bounds, as on every other route
                ("kl_gap", Value::Bounds(b.gap.clamp_nonneg(prec))),
            ])
        })
        .collect()
}

/// `levels_total`: the number of levels of the law ([`LevelSource::law_levels`]), or, where a
/// windowed source cannot count them, its own listing (a note says so: [`LEVELS_TOTAL_NOTE`]).
fn levels_total(lv: &dyn LevelSource) -> u64 {
    lv.law_levels().unwrap_or(lv.len() as u64)
}

/// The note of a result whose `levels_total` counts a window's listing, not the law's levels.
pub const LEVELS_TOTAL_NOTE: &str =
    "levels_total counts the levels the window route listed: the number of levels of the law is not established at this n";

/// [`LEVELS_TOTAL_NOTE`] when `lv` cannot count the law's levels.
pub fn levels_total_note(lv: &dyn LevelSource) -> Option<&'static str> {
    lv.law_levels().is_none().then_some(LEVELS_TOTAL_NOTE)
}

fn level_indices(len: usize, view: LevelsView) -> Vec<usize> {
    match view {
        LevelsView::All => (0..len).rev().collect(),
        LevelsView::Top(k) => (0..len).rev().take(k).collect(),
        LevelsView::None => vec![],
    }
}

/// `E_{pi_N} S` as a value: the enclosure of BON-2's second form, or, when the top level is 0
/// and that enclosure does not have a certified sign (the deficit below the floating-point
/// range), `-e^x` from the deficit's logarithm ([`bon::ln_reward_deficit`]).
fn reward_value(lv: &dyn LevelSource, ev: &BonEval, ne: &Enc, e_s: &Enc, prec: u32) -> Value {
    // the log-space deficit sums over every level: only an exact source lists them all
    if let Some(law) = lv.exact_law() {
        let top_zero = *law.levels.last().expect("non-empty") == 0;
        if top_zero && e_s.sign_certified().is_none() {
            if let Some(x) = bon::ln_reward_deficit(law, ev, ne, prec) {
                return Value::NegExpOf(x);
            }
        }
    }
    Value::Real(e_s.clone())
}

fn prob_value(ev: &BonEval, j: usize) -> Value {
    if ev.pn[j].lo().is_zero() && !ev.pn[j].is_exact_zero() {
        Value::ExpOf(ev.ln_pn[j].clone())
    } else {
        Value::Real(ev.pn[j].clone())
    }
}

/// The result tree of `bon` at precision `prec` (BON-1..BON-4). `exact` holds the exact law
/// when `N` is an integer small enough (estimated before computing).
pub fn bon_value(
    lv: &dyn LevelSource,
    count: &SampleCount,
    exact: Option<&IntegerBon>,
    view: LevelsView,
    prec: u32,
) -> Value {
    let n = lv.n();
    let ne = count.enc(prec);
    let ln_n = count.ln(prec);
    let bound = if count.is_one() {
        Enc::zero(prec)
    } else {
        bon::kl_bound(&ne, &ln_n, prec)
    };
    let per_token = |v: &Value| -> Value {
        match v {
            Value::Exact(q) => Value::Exact(Rational::from(q / n)),
            Value::Real(e) => Value::Real(e.mul_rational(&Rational::from((1, n)), prec)),
            // -e^x / n = -e^{x - ln n}
            Value::NegExpOf(x) => Value::NegExpOf(x.sub(&Enc::from_i64(n as i64, prec).ln(prec), prec)),
            other => other.clone(),
        }
    };
    let top = match (lv.exact_law(), view) {
        (None, LevelsView::Top(k)) => lv.top_levels(k),
        _ => None,
    };
    let listed_js = level_indices(lv.len(), view);
    // the listed levels' (prob_bon, kl_gap), in the order of `listed_js`
    #[allow(clippy::type_complexity)]
    let (e_s, kl, win, listed, ln_ps): (Value, Enc, Value, Vec<(Value, Enc)>, Option<Vec<Enc>>) =
        match (exact, lv.exact_law()) {
            (Some(ib), Some(law)) => (
                Value::Exact(ib.expected_reward.clone()),
                ib.kl(law, prec),
                Value::Exact(ib.win_rate.clone()),
                ib.levels(law, &listed_js, prec)
                    .into_iter()
                    .map(|(pn, gap)| (Value::Exact(pn), gap))
                    .collect(),
                None,
            ),
            _ => {
                // the top of the law listed exactly ([`TopLevels`]): the window need not list it
                let force = if top.is_some() { vec![] } else { listed_js.clone() };
                let ev = bon_adaptive::eval_adaptive(lv, &|p| count.enc(p), prec, None, &force);
                let kl = bon::kl_to_reference(&ev, prec);
                let gaps = bon::kl_gaps(&ev, &ne, &ln_n, prec);
                let listed = listed_js
                    .iter()
                    .map(|&j| (prob_value(&ev, j), gaps[j].clone()))
                    .collect();
                (
                    reward_value(lv, &ev, &ne, &bon::expected_reward(lv, &ev, prec), prec),
                    kl,
                    Value::Real(bon::win_rate(&ev, prec)),
                    listed,
                    Some(ev.ln_ps),
                )
            }
        };
    let kl_enc = kl;
    let levels: Vec<Value> = match &top {
        Some(t) => top_listing(t, &ne, &ln_n, prec),
        None => listed_levels(lv, &listed_js, &ln_ps, listed, prec),
    };
    let gap = bound.sub(&kl_enc, prec);
    let one = Enc::from_i64(1, prec);
    let win_bound = ne.div(&ne.add(&one, prec), prec);
    let mut fields = vec![
        ("N", count.value(prec)),
        ("n", Value::Count(n)),
        ("levels_total", Value::Count(levels_total(lv))),
        ("levels", Value::Array(levels)),
        ("expected_reward", e_s.clone()),
    ];
    if n > 1 {
        fields.push(("expected_reward_per_token", per_token(&e_s)));
    }
    fields.extend([
        ("kl_to_reference", Value::Real(kl_enc.clone())),
        ("kl_bound", Value::Real(bound)),
        ("kl_gap", Value::Real(gap)),
        ("win_rate", win),
        (
            "win_rate_bound",
            match count {
                SampleCount::Integer(i) => Value::Exact(Rational::from((i.clone(), Integer::from(i + 1u32)))),
                _ => Value::Real(win_bound),
            },
        ),
    ]);
    if let Some(note) = levels_total_note(lv) {
        fields.push(("notes", Value::Array(vec![Value::Str(note.into())])));
    }
    obj(fields)
}

/// The token-level result of `bon --ties order` (n = 1): `pi_N(y) = G(y)^N - G-(y)^N`.
pub fn bon_order_value(p: &[Rational], r: &[Rational], count: &SampleCount, exact: bool, prec: u32) -> Value {
    let (probs, kl): (Vec<Value>, Enc) = match (count, exact) {
        (SampleCount::Integer(i), true) => {
            let pi = crate::math::order_rule::order_rule_exact(p, r, i.to_u32().expect("small N"));
            let kl = crate::math::divergence::kl(&pi, p, prec);
            (pi.into_iter().map(Value::Exact).collect(), kl)
        }
        _ => {
            let logs = crate::math::order_rule::order_rule_ln(p, r, &count.enc(prec), prec);
            let mut kl = Enc::zero(prec);
            let mut values = Vec::with_capacity(logs.len());
            for (lp, b) in logs.iter().zip(p) {
                let Some(lp) = lp else {
                    values.push(Value::Real(Enc::zero(prec))); // p_y = 0: pi_N(y) = 0 exactly
                    continue;
                };
                let a = lp.exp(prec);
                // pi ln(pi / p) = pi (ln pi - ln p) with ln pi from the log space: finite even
                // where pi underflows to [0, tiny] (x ln x would meet ln 0 there)
                let ln_b = Enc::from_rational(b, prec).ln(prec);
                kl = kl.add(&a.mul(&lp.sub(&ln_b, prec), prec), prec);
                // below every floating-point range (0.9^(10^30)): the logarithm carries it
                values.push(if a.lo().is_zero() && !a.is_exact_zero() {
                    Value::ExpOf(lp.clone())
                } else {
                    Value::Real(a)
                });
            }
            (values, kl)
        }
    };
    obj(vec![
        ("tokens", Value::Array(probs)),
        ("kl_to_reference_order", Value::Real(kl)),
    ])
}

/// The memoryless optimum of `compare` (SEQ-1): `phi_{l_Delta}^{(x) n}`, `Lambda_n = n psi`.
pub struct MemorylessOptimum<'a> {
    /// The model.
    pub tm: &'a TiltModel,
    /// The per-token budget.
    pub delta: &'a Rational,
    /// `n`.
    pub n: u64,
}

impl SeqOptimum for MemorylessOptimum<'_> {
    fn optimum(&self, prec: u32) -> Option<Optimum> {
        optimum(self.tm, self.delta, prec)
    }
    fn psi_mu(&self, l: &Enc, prec: u32) -> (Enc, Enc) {
        let nr = Rational::from(self.n);
        let te = tilt_eval(self.tm, l, prec);
        (te.psi.mul_rational(&nr, prec), te.mu.mul_rational(&nr, prec))
    }
    fn mean_total(&self) -> Option<Rational> {
        Some(Rational::from(&self.tm.mean * self.n))
    }
    fn r_max_total(&self) -> Option<Rational> {
        Some(Rational::from(&self.tm.r_max * self.n))
    }
    fn delta_max_total(&self, prec: u32) -> Option<Enc> {
        Some(
            self.tm
                .delta_max(prec)
                .mul_rational(&Rational::from(self.n), prec),
        )
    }
}

/// The result tree of `compare` at precision `prec`: best-of-N with `N` from the rule against
/// the KL-constrained optimum `phi_{l_Delta}^{(x) n}` (SEQ-1, SEQ-3, BON-5).
pub fn compare_value(
    tm: &TiltModel,
    lv: &dyn LevelSource,
    delta: &Rational,
    count: &SampleCount,
    prec: u32,
) -> Value {
    let opt = MemorylessOptimum { tm, delta, n: lv.n() };
    compare_value_with(&opt, lv, delta, count, prec)
}

/// [`compare_value`] against any sequence-level optimum ([`SeqOptimum`]: the memoryless one, or a
/// chain's finite-n optimum on the window route). Fields the optimum cannot give (an exact mean
/// it does not have) are the whole line, so they are never printed as certified.
pub fn compare_value_with(
    so: &dyn SeqOptimum,
    lv: &dyn LevelSource,
    delta: &Rational,
    count: &SampleCount,
    prec: u32,
) -> Value {
    let n = lv.n();
    let nr = Rational::from(n);
    let Some(opt) = so.optimum(prec) else {
        return obj(vec![("lambda", Value::Real(Enc::whole(prec)))]);
    };
    let exact_or_whole =
        |q: Option<Rational>| -> Value { q.map_or_else(|| Value::Real(Enc::whole(prec)), Value::Exact) };
    let ne = count.enc(prec);
    // The reverse KL weighs every level by Phi ln(Phi / P_N) with |ln P_N| up to N |ln F|, and
    // the expected reward's Abel terms are ~ the level gaps on every level above the mode, so
    // every listed level matters to some output at the working precision: the adaptive scout
    // pass of `eval_adaptive` selected all of them on both routes (measured: Example A, the
    // 6-token model, n = 10^3 .. 10^6, 30 and 100 digits), and is skipped. (Measured while the
    // scout's neighbour rule still marked every level below the top one, mended in session 5;
    // not re-measured since.)
    //
    // Per-level precision (issue 10): the far-tail levels of a window weigh little in every sum
    // and are evaluated at fewer bits, chosen from an f64 scout (a heuristic only: every
    // enclosure stays rigorous, see math::level_precision).
    let graded = lv.scout().and_then(|sc| {
        let tilt = match &opt {
            Optimum::Interior(l) => {
                // n psi(l) (a chain: Lambda_n(l)); a heuristic input only
                let n_psi = so.psi_mu(l, 64).0.mid().to_f64();
                Some((l.mid().to_f64(), n_psi))
            }
            Optimum::Reference => Some((0.0, 0.0)),
            Optimum::Saturated => None,
        };
        let ln_n = count.ln(64).mid().to_f64();
        let ctx = ScoutCtx {
            ln_n,
            tilt,
            reverse_only: false,
            reverse_top: tilt.map_or(f64::NEG_INFINITY, |(l, n_psi)| {
                lv.reverse_scout_top(ln_n, l, n_psi)
            }),
        };
        graded(&sc, prec, &ctx)
    });
    // levels negligible in every sum at both ends of the listing are left to the source's
    // rigorous unlisted bounds (math::level_precision::graded); `levels_total` is taken before
    let levels_total = levels_total(lv);
    let total_note = levels_total_note(lv);
    let listed = lv.len();
    let (trimmed, precs) = match graded {
        Some(g) if g.keep != (0, listed - 1) => match lv.restricted_source(g.keep.0, g.keep.1) {
            Some(t) => (Some(t), Some(g.precs[g.keep.0..=g.keep.1].to_vec())),
            None => (None, Some(g.precs)),
        },
        Some(g) => (None, Some(g.precs)),
        None => (None, None),
    };
    let lv: &dyn LevelSource = trimmed.as_deref().unwrap_or(lv);
    let ev = bon::eval_graded(lv, &ne, prec, precs);
    // N = 1: pi_1 = p^n exactly, so D(pi_1 || p^n) = 0 and E S = n E_p r exactly (an enclosure
    // of an exact zero could never certify a digit)
    let kl_ref = if count.is_one() {
        Enc::zero(prec)
    } else {
        bon::kl_to_reference(&ev, prec)
    };
    let e_bon = if count.is_one() {
        so.mean_total()
            .map_or_else(|| Enc::whole(prec), |m| Enc::from_rational(&m, prec))
    } else {
        bon::expected_reward(lv, &ev, prec)
    };
    let (lam, e_tilt, kl_bt, kl_bt2, kl_tr, kl_tb): (Value, Value, Value, Value, Value, Value) = match opt {
        Optimum::Reference if count.is_one() => (
            // phi = p and pi_1 = p^n: every divergence is exactly 0
            Value::Exact(Rational::new()),
            exact_or_whole(so.mean_total()),
            Value::Exact(Rational::new()),
            Value::Exact(Rational::new()),
            Value::Exact(Rational::new()),
            Value::Exact(Rational::new()),
        ),
        Optimum::Reference => {
            // phi = p: the tilted law is P_S itself
            let ln_phi = TiltedLaw::reference(&ev, prec);
            (
                Value::Exact(Rational::new()),
                exact_or_whole(so.mean_total()),
                Value::Real(kl_ref.clone()),
                Value::Real(kl_ref.clone()),
                Value::Exact(Rational::new()),
                reverse_kl_value(lv, &ev, &ln_phi, prec),
            )
        }
        Optimum::Interior(l) => {
            let (n_psi, mu) = so.psi_mu(&l, prec);
            let ln_phi = bon::ln_tilted(lv, &ev, &l, &n_psi, prec);
            (
                Value::Real(l.clone()),
                Value::Real(mu),
                Value::Real(bon::kl_to_tilted(&ev, &ln_phi, prec)),
                Value::Real(bon::kl_to_tilted_pythagorean(&kl_ref, &l, &e_bon, &n_psi, prec)),
                Value::Exact(Rational::from(delta * &nr)),
                reverse_kl_value(lv, &ev, &ln_phi, prec),
            )
        }
        Optimum::Saturated => {
            // phi^n = p^n(. | A_max^n): all mass on the top level
            let top = lv.len() - 1;
            let kl_bt = if lv.len() == 1 {
                Value::Exact(Rational::new())
            } else {
                Value::Real(Enc::pos_infinity(prec))
            };
            (
                Value::Real(Enc::pos_infinity(prec)),
                exact_or_whole(so.r_max_total()),
                kl_bt.clone(),
                kl_bt,
                so.delta_max_total(prec)
                    .map_or_else(|| Value::Real(Enc::whole(prec)), Value::Real),
                if lv.exact_law().is_some() {
                    saturated_reverse_kl(&ev, &ne, top, prec)
                } else {
                    Value::Real(Enc::whole(prec))
                },
            )
        }
    };
    let per = |v: &Value| -> Value {
        match v {
            Value::Exact(q) => Value::Exact(Rational::from(q / &nr)),
            Value::Real(e) => {
                if e.is_pos_infinity() {
                    Value::Real(e.clone())
                } else {
                    Value::Real(e.mul_rational(&Rational::from((1, n)), prec))
                }
            }
            // e^x / n = e^{x - ln n}
            Value::ExpOf(x) => Value::ExpOf(x.sub(&Enc::from_rational(&nr, prec).ln(prec), prec)),
            Value::NegExpOf(x) => Value::NegExpOf(x.sub(&Enc::from_rational(&nr, prec).ln(prec), prec)),
            o => o.clone(),
        }
    };
    let (e_bon_v, kl_ref_v) = if count.is_one() {
        (exact_or_whole(so.mean_total()), Value::Exact(Rational::new()))
    } else {
        (reward_value(lv, &ev, &ne, &e_bon, prec), Value::Real(kl_ref))
    };
    obj(vec![
        ("N", count.value(prec)),
        ("ln_N", Value::Real(count.ln(prec))),
        ("n", Value::Count(n)),
        ("lambda", lam),
        ("expected_reward_bon", e_bon_v.clone()),
        ("expected_reward_tilted", e_tilt.clone()),
        ("kl_bon_reference", kl_ref_v.clone()),
        ("kl_bon_tilted", kl_bt.clone()),
        ("kl_tilted_reference", kl_tr.clone()),
        ("kl_tilted_bon", kl_tb.clone()),
        ("kl_bon_tilted_pythagorean", kl_bt2),
        ("expected_reward_bon_per_token", per(&e_bon_v)),
        ("expected_reward_tilted_per_token", per(&e_tilt)),
        ("kl_bon_reference_per_token", per(&kl_ref_v)),
        ("kl_bon_tilted_per_token", per(&kl_bt)),
        ("kl_tilted_reference_per_token", per(&kl_tr)),
        ("kl_tilted_bon_per_token", per(&kl_tb)),
        ("levels_total", Value::Count(levels_total)),
        ("method", Value::Str(lv.method().name().into())),
    ]
    .into_iter()
    .chain(total_note.map(|note| ("notes", Value::Array(vec![Value::Str(note.into())]))))
    .collect())
}

/// The reverse KL over the source: the whole line (never certified, so never printed) when the
/// source cannot bound its unlisted part.
fn reverse_kl_value(lv: &dyn LevelSource, ev: &BonEval, ln_phi: &TiltedLaw, prec: u32) -> Value {
    Value::Real(bon::kl_tilted_to_bon_source(lv, ev, ln_phi, prec).unwrap_or_else(|| Enc::whole(prec)))
}

/// `D(phi^n || pi_N) = -ln P_N(top)` in the saturated regime (all of `phi^n` on the top level).
/// With `u = F_{top-1}^N`, `-ln P_N(top) = -ln(1 - u)`, which lies in `[u, u/(1-u)]`, so
/// `ln(-ln(1-u))` lies in `[ln u, ln u - ln(1-u)]` and `-ln(1-u) <= 2u` for `u <= 1/2`.
/// When `u` is below the floating-point range the value is reported from its logarithm
/// `ln u = N ln F_{top-1}`, since `[0, tiny]` can never certify a digit.
fn saturated_reverse_kl(ev: &BonEval, ne: &Enc, top: usize, prec: u32) -> Value {
    if top == 0 {
        return Value::Exact(Rational::new());
    }
    let lu = ne.mul(&ev.ln_f[top - 1], prec);
    if *lu.hi() < -64 {
        // u = F_-^N <= e^-64: -ln(1-u) = u y with y = 1 + u/2 + u^2/3 + ... in
        // [1 + u/2, 1 + u/2 + u^2] (the tail sum_{k>=2} u^k/(k+1) <= (u^2/3)/(1-u) <= u^2), and
        // ln(1 + x) in [x - x^2/2, x], so ln(-ln(1-u)) in [ln u + u/2 - u^2/8, ln u + u/2 + u^2]:
        // a width of order u^2 (the first-order bound [ln u, ln u + 2u] stopped at about
        // -log10(2u) digits). Both ends are increasing in ln u and in u, so the lower end uses
        // the lower ends (and the upper bound of u in the subtracted term), the upper end the upper.
        use crate::real::round::{add_dn, add_up, exp_dn, exp_up, mul_up, sub_dn};
        let u_lo = exp_dn(lu.lo(), prec);
        let u_hi = exp_up(lu.hi(), prec);
        let u_hi2 = mul_up(&u_hi, &u_hi, prec);
        let lo = sub_dn(
            &add_dn(lu.lo(), &(u_lo >> 1u32), prec),
            &(u_hi2.clone() >> 3u32),
            prec,
        );
        let hi = add_up(&add_up(lu.hi(), &(u_hi >> 1u32), prec), &u_hi2, prec);
        Value::ExpOf(Enc::new(lo, hi))
    } else {
        Value::Real(ev.ln_pn[top].neg())
    }
}
