//! Claims of MATH.md §10 (MKV-1 .. MKV-5): reference models with memory.
//!
//! Every registry case `(p, r, Delta)` gives two chains with the stationary law `p`:
//! - the memoryless chain (every row `p`, `q = p`), which must reproduce sections 3-6 exactly;
//! - the lazy chain `P = (1/2) I + (1/2) 1 p^T` (stay with probability 1/2, else redraw from `p`),
//!   a chain with memory whose limit differs from the memoryless one.
//!
//! MKV-5 is verified along n, not proved: its `*.trend` claims are certified statements about
//! the computed finite-n values (they hold or fail as inequalities between enclosures), and its
//! `conjecture.*` claims state the limits and the rate themselves: they are always
//! [`Status::Undecided`], with the measured evidence as their sides.

use super::cases::Case;
use super::claim::{abs_enc, combine, exact_eq, list_text, strict, Kind};
use super::{equality, inequality, Claim, Status};
use crate::error::Result;
use crate::exact::level_law::{level_law, LevelLaw, Route};
use crate::exact::markov::{
    level_law_markov, level_law_markov_brute, level_law_markov_forward, Chain, MarkovModel,
};
use crate::math::best_of_n::{self as bon, integer_n, Levels, NRule};
use crate::math::large_deviations::rate_reference;
use crate::math::markov::{
    chernoff_ln_bound, collatz_wielandt, doob, l_delta, lambda_of_x, level_tilt_model, perron_eval,
    shifted_matrix, ChainTilt,
};
use crate::math::tilt::{self, optimum, Optimum};
use crate::real::value::Value;
use crate::real::Enc;
use rug::{Float, Rational};
use std::collections::BTreeMap;

/// The memoryless chain of a case.
pub fn memoryless_chain(c: &Case) -> MarkovModel {
    MarkovModel::new(Chain::memoryless(c.model.probs()), c.model.r.clone()).expect("same length")
}

/// The lazy chain `P = (1/2) I + (1/2) 1 p^T` of a case (stationary law `p`, started from `p`).
pub fn lazy_chain(c: &Case) -> MarkovModel {
    let p = c.model.probs();
    let k = p.len();
    let half = Rational::from((1, 2));
    let rows: Vec<Vec<Rational>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| {
                    let mut x = Rational::from(&p[b] * &half);
                    if a == b {
                        x += &half;
                    }
                    x
                })
                .collect()
        })
        .collect();
    let chain = Chain::new(rows, Some(p.to_vec()), false).expect("rows sum to 1");
    MarkovModel::new(chain, c.model.r.clone()).expect("same length")
}

/// The budget used for the lazy chain's limit claims: the case's `Delta` when it is below 3/4 of
/// the lazy chain's limit `Delta_max = -ln((1 + p(A_max))/2)` (the cheapest way to keep the top
/// reward is to stay), else half of that `Delta_max` rounded down to 1/1000.
pub fn lazy_delta(c: &Case) -> Rational {
    let pm = c.tm.p_max.to_f64();
    let dmax = -((1.0 + pm) / 2.0).ln();
    if c.delta.to_f64() < 0.75 * dmax {
        c.delta.clone()
    } else {
        Rational::from((((dmax / 2.0) * 1000.0).floor().max(1.0) as i64, 1000))
    }
}

/// `sum_s |P_a(s) - P_b(s)|` over the union of the levels, exactly.
fn tv(a: &[(Rational, Rational)], b: &[(Rational, Rational)]) -> Rational {
    let mut m: BTreeMap<Rational, Rational> = BTreeMap::new();
    for (s, p) in a {
        *m.entry(s.clone()).or_default() += p;
    }
    for (s, p) in b {
        *m.entry(s.clone()).or_default() -= p;
    }
    m.values().map(|x| Rational::from(x.abs_ref())).sum()
}

fn pairs(l: &LevelLaw) -> Vec<(Rational, Rational)> {
    (0..l.len()).map(|j| (l.reward(j), l.prob(j))).collect()
}

/// MKV-1: the Markov level law by binary powering equals SEQ-2 for the memoryless chain, the
/// forward recursion and brute force for the lazy chain (exact, `==`).
pub fn mkv1_claims(c: &Case) -> Result<Vec<Claim>> {
    let mem = memoryless_chain(c);
    let lazy = lazy_chain(c);
    let k = c.model.probs().len();
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut d = Vec::new();
    for &n in &c.ns {
        let seq = level_law(c.model.probs(), &c.model.r, n, Route::Auto);
        let m = level_law_markov(&mem, n)?;
        a.push(exact_eq("", "", tv(&pairs(&m), &pairs(&seq)), Rational::new()));
        let lz = level_law_markov(&lazy, n)?;
        let fw = level_law_markov_forward(&lazy, n)?;
        b.push(exact_eq("", "", tv(&pairs(&lz), &pairs(&fw)), Rational::new()));
        if (k as f64).powi(n as i32) <= 4096.0 {
            let brute: Vec<(Rational, Rational)> =
                level_law_markov_brute(&lazy, n as u32).into_iter().collect();
            d.push(exact_eq("", "", tv(&pairs(&lz), &brute), Rational::new()));
        }
    }
    let ns = list_text(&c.ns);
    Ok([
        combine(
            "MKV-1.memoryless",
            &format!("memoryless chain (rows p, q = p): Markov level law == SEQ-2 level law, total variation 0, n = {ns}"),
            Kind::Equality,
            a,
        ),
        combine(
            "MKV-1.forward",
            &format!("lazy chain: binary powering == forward recursion over (state, level), n = {ns}"),
            Kind::Equality,
            b,
        ),
        combine(
            "MKV-1.brute",
            "lazy chain: binary powering == brute force over all k^n sequences (k^n <= 4096)",
            Kind::Equality,
            d,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

/// MKV-2: the finite-n optimum's level law is the tilt of `P_S` with `D(Phi || P_S) = n Delta`;
/// for the memoryless chain `l_n = l_Delta` at every n.
pub fn mkv2_claims(c: &Case, prec: u32) -> Result<Vec<Claim>> {
    let lazy = lazy_chain(c);
    let mem = memoryless_chain(c);
    let mut budget = Vec::new();
    let mut same = Vec::new();
    let l_mem = match optimum(&c.tm, &c.delta, prec) {
        Some(Optimum::Interior(l)) => Some(l),
        _ => None,
    };
    for &n in &c.ns {
        let total = Rational::from(&c.delta * n);
        let tm = level_tilt_model(&level_law_markov(&lazy, n)?);
        match optimum(&tm, &total, prec) {
            Some(Optimum::Interior(l)) => {
                let kl = tilt::eval(&tm, &l, prec).kl;
                budget.push(equality(
                    "",
                    "",
                    Value::Real(kl),
                    Value::Exact(total.clone()),
                    prec,
                ));
            }
            Some(_) => {}
            None => budget.push(Claim::unknown("", "", prec)),
        }
        let tm = level_tilt_model(&level_law_markov(&mem, n)?);
        match (optimum(&tm, &total, prec), &l_mem) {
            (Some(Optimum::Interior(l)), Some(lm)) => {
                same.push(equality("", "", Value::Real(l), Value::Real(lm.clone()), prec))
            }
            (None, _) => same.push(Claim::unknown("", "", prec)),
            _ => {}
        }
    }
    Ok([
        combine(
            "MKV-2.budget",
            "lazy chain: the tilt of the level law at l_n spends exactly the budget, D(Phi_{l_n} || P_S) = n Delta",
            Kind::Equality,
            budget,
        ),
        combine(
            "MKV-2.memoryless",
            "memoryless chain: the finite-n tilt l_n equals l_Delta of TILT-1 at every n",
            Kind::Equality,
            same,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

/// MKV-3: the certified Perron root and its consequences at `l_Delta` of the lazy chain.
pub fn mkv3_claims(c: &Case, prec: u32) -> Result<Vec<Claim>> {
    let ct = ChainTilt::new(&lazy_chain(c));
    let unknown = |id: &str, st: &str| Claim::unknown(id, st, prec);
    let st_lambda =
        "lazy chain: l_Delta psi'(l_Delta) - psi(l_Delta) = Delta with psi = ln rho (certified Perron root)";
    let st_cw = "Collatz-Wielandt: min_a (M v)_a/v_a < rho < max_a (M v)_a/v_a for a crude positive v (rho certified by Krawczyk)";
    let st_convex = "psi is strictly convex: psi''(l_Delta) > 0";
    let st_doob = "the Doob-transformed chain at l_Delta has stationary mean reward psi'(l_Delta) = x*";
    let st_mem = "memoryless chain: ln rho(l) = psi(l) of the single-token model, at l = l_Delta";
    let delta = lazy_delta(c);
    let Ok(Some(ld)) = l_delta(&ct, &delta, prec) else {
        return Ok(vec![unknown("MKV-3.lambda", st_lambda)]);
    };
    let Some(e) = perron_eval(&ct, &ld, 2, prec) else {
        return Ok(vec![unknown("MKV-3.lambda", st_lambda)]);
    };
    let mut out = vec![equality(
        "MKV-3.lambda",
        st_lambda,
        Value::Real(ld.mul(&e.derivs[0], prec).sub(&e.psi, prec)),
        Value::Exact(delta),
        prec,
    )];
    // CW with a crude vector (10 bits): strict bounds on both sides
    let (m, _) = shifted_matrix(&ct, &ld, prec);
    let crude: Vec<Float> = e.v.iter().map(|x| Float::with_val(10, x.mid())).collect();
    let cw = collatz_wielandt(&m, &crude, prec);
    let lo = strict(
        "",
        "",
        Value::Real(Enc::point(cw.lo())),
        Value::Real(e.rho_shifted.clone()),
        prec,
    );
    let hi = strict(
        "",
        "",
        Value::Real(e.rho_shifted.clone()),
        Value::Real(Enc::point(cw.hi())),
        prec,
    );
    out.extend(combine(
        "MKV-3.collatz-wielandt",
        st_cw,
        Kind::Inequality,
        vec![lo, hi],
    ));
    out.push(strict(
        "MKV-3.convex",
        st_convex,
        Value::Exact(Rational::new()),
        Value::Real(e.derivs[1].clone()),
        prec,
    ));
    match doob(&ct, &ld, prec) {
        Some((_, pi)) => {
            let mean = pi
                .iter()
                .zip(&ct.r)
                .fold(Enc::zero(prec), |a, (p, r)| a.add(&p.mul_rational(r, prec), prec));
            out.push(equality(
                "MKV-3.doob",
                st_doob,
                Value::Real(mean),
                Value::Real(e.derivs[0].clone()),
                prec,
            ));
        }
        None => out.push(unknown("MKV-3.doob", st_doob)),
    }
    let mem = ChainTilt::new(&memoryless_chain(c));
    match perron_eval(&mem, &ld, 0, prec) {
        Some(em) => out.push(equality(
            "MKV-3.memoryless",
            st_mem,
            Value::Real(em.psi),
            Value::Real(tilt::psi(&c.tm, &ld, prec)),
            prec,
        )),
        None => out.push(unknown("MKV-3.memoryless", st_mem)),
    }
    Ok(out)
}

/// MKV-4: the finite-n Chernoff bound against exact tails of the lazy chain, and the
/// Gartner-Ellis rate of the memoryless chain against LDP-1's `I_0`.
pub fn mkv4_claims(c: &Case, prec: u32) -> Result<Vec<Claim>> {
    let lazy = lazy_chain(c);
    let ct = ChainTilt::new(&lazy);
    let mean = ct.mean.clone().expect("the lazy chain is ergodic");
    let x = Rational::from(&mean + &ct.r_max) / 2u32;
    let mut ch = Vec::new();
    if let Ok(Some(l)) = lambda_of_x(&ct, &x, prec) {
        for &n in &c.ns {
            let law = level_law_markov(&lazy, n)?;
            let nx = Rational::from(&x * n);
            let tail: Rational = (0..law.len())
                .filter(|&j| law.reward(j) >= nx)
                .map(|j| law.prob(j))
                .sum();
            match chernoff_ln_bound(&ct, n, &x, &l.mid(), prec) {
                Some(lb) => ch.push(inequality(
                    "",
                    "",
                    Value::Exact(tail),
                    Value::Real(lb.exp(prec)),
                    prec,
                )),
                None => ch.push(Claim::unknown("", "", prec)),
            }
        }
    }
    let mut out: Vec<Claim> = combine(
        "MKV-4.chernoff",
        &format!(
            "lazy chain: P(S_n >= n x) <= e^(-l n x) rho_up^(n-1) (sum_a q_a e^(l r_a) v_a)/min v at x = {x}, n = {}",
            list_text(&c.ns)
        ),
        Kind::Inequality,
        ch,
    )
    .into_iter()
    .collect();
    // memoryless: I(x) from the Perron root equals I_0(x) of LDP-1
    let mem = ChainTilt::new(&memoryless_chain(c));
    let st = format!("memoryless chain: sup_l [l x - ln rho(l)] = I_0(x) of LDP-1 at x = {x}");
    let claim = match (lambda_of_x(&mem, &x, prec), rate_reference(&c.tm, &x, prec)) {
        (Ok(Some(l)), Some((_, i0))) => match crate::math::markov::legendre(&mem, &x, &l, prec) {
            Some(i) => equality("MKV-4.rate", &st, Value::Real(i), Value::Real(i0), prec),
            None => Claim::unknown("MKV-4.rate", &st, prec),
        },
        _ => Claim::unknown("MKV-4.rate", &st, prec),
    };
    out.push(claim);
    Ok(out)
}

/// The grid of MKV-5.
pub fn mkv5_grid() -> Vec<u64> {
    vec![10, 20, 40, 80, 160, 320]
}

/// One point of the MKV-5 series of the lazy chain.
struct Point {
    n: u64,
    l_n: Enc,
    e_per: Enc,
    kl_ref_per: Enc,
    kl_opt_per: Enc,
}

fn point(lazy: &MarkovModel, delta: &Rational, n: u64, prec: u32) -> Option<Point> {
    let law = level_law_markov(lazy, n).ok()?;
    let total = Rational::from(delta * n);
    let nn = integer_n(&total, NRule::Ceil, 1 << 16)?;
    let tm = level_tilt_model(&law);
    let Some(Optimum::Interior(l)) = optimum(&tm, &total, prec) else {
        return None;
    };
    let psi = tilt::eval(&tm, &l, prec).psi;
    let mut one = law;
    one.n = 1;
    let lv = Levels::new(one);
    let ne = Enc::from_integer(&nn, prec);
    let ev = bon::eval(&lv, &ne, prec);
    let e = bon::expected_reward(&lv, &ev, prec);
    let kl_ref = bon::kl_to_reference(&ev, prec);
    let ln_phi = bon::ln_tilted(&lv, &ev, &l, &psi, prec);
    let kl_opt = bon::kl_to_tilted(&ev, &ln_phi, prec);
    let inv = Rational::from((1, n));
    Some(Point {
        n,
        l_n: l,
        e_per: e.mul_rational(&inv, prec),
        kl_ref_per: kl_ref.mul_rational(&inv, prec),
        kl_opt_per: kl_opt.mul_rational(&inv, prec),
    })
}

fn abs(e: &Enc) -> Enc {
    abs_enc(e)
}

thread_local! {
    /// MKV-5 evidence per case (computed once: the conjecture claims are undecided at every
    /// precision, so the settle loop would otherwise recompute the series at each doubling).
    static MKV5_CACHE: std::cell::RefCell<BTreeMap<String, Vec<Claim>>> =
        const { std::cell::RefCell::new(BTreeMap::new()) };
}

/// MKV-5 along n (lazy chain of the cases with a grid; see the module docs).
pub fn mkv5_claims(c: &Case, prec: u32) -> Result<Vec<Claim>> {
    if c.grid.is_empty() {
        return Ok(vec![]);
    }
    let key = format!("{}|{}", c.describe(), c.seed);
    if let Some(v) = MKV5_CACHE.with(|m| m.borrow().get(&key).cloned()) {
        return Ok(v);
    }
    let v = mkv5_compute(c, prec)?;
    if v.iter()
        .all(|c| c.status != Status::Undecided || c.id.contains(".conjecture"))
    {
        MKV5_CACHE.with(|m| m.borrow_mut().insert(key, v.clone()));
    }
    Ok(v)
}

fn mkv5_compute(c: &Case, prec: u32) -> Result<Vec<Claim>> {
    // The evidence is computed once at 128 bits (enough to order values that differ in their
    // third digit); the conjecture claims stay undecided at every precision by design.
    let prec = prec.min(128);
    let lazy = lazy_chain(c);
    let ct = ChainTilt::new(&lazy);
    let delta = lazy_delta(c);
    let Ok(Some(ld)) = l_delta(&ct, &delta, prec) else {
        return Ok(vec![Claim::unknown(
            "MKV-5.trend",
            "l_Delta of the lazy chain",
            prec,
        )]);
    };
    let Some(e) = perron_eval(&ct, &ld, 2, prec) else {
        return Ok(vec![Claim::unknown("MKV-5.trend", "x* of the lazy chain", prec)]);
    };
    let xs = e.derivs[0].clone();
    let pts: Vec<Point> = mkv5_grid()
        .into_iter()
        .filter_map(|n| point(&lazy, &delta, n, prec))
        .collect();
    if pts.len() < 2 {
        return Ok(vec![]);
    }
    let (f, l) = (&pts[0], &pts[pts.len() - 1]);
    let quarter = Rational::from((1, 4));
    let grid = list_text(&pts.iter().map(|p| p.n).collect::<Vec<_>>());
    let shrink = |id: &str, what: &str, a: Enc, b: Enc| -> Claim {
        strict(
            id,
            &format!(
                "lazy chain, N = ceil(e^(n Delta)), measured: {what} at n = {} is below 1/4 of its value at n = {} \
                 (evidence for MKV-5, n = {grid})",
                l.n, f.n
            ),
            Value::Real(b),
            Value::Real(a.mul_rational(&quarter, prec)),
            prec,
        )
    };
    let dl = Enc::from_rational(&delta, prec);
    let mut out = vec![
        shrink(
            "MKV-5.trend.reward",
            "|x* - (1/n) E_{pi_N} S_n|",
            abs(&xs.sub(&f.e_per, prec)),
            abs(&xs.sub(&l.e_per, prec)),
        ),
        shrink(
            "MKV-5.trend.kl-reference",
            "|Delta - (1/n) D(pi_N || p^n)|",
            abs(&dl.sub(&f.kl_ref_per, prec)),
            abs(&dl.sub(&l.kl_ref_per, prec)),
        ),
        shrink(
            "MKV-5.trend.kl-optimum",
            "(1/n) D(pi_N || phi_n)",
            f.kl_opt_per.clone(),
            l.kl_opt_per.clone(),
        ),
        shrink(
            "MKV-5.trend.lambda",
            "|l_n - l_Delta|",
            abs(&f.l_n.sub(&ld, prec)),
            abs(&l.l_n.sub(&ld, prec)),
        ),
    ];
    let gap = xs.sub(&l.e_per, prec);
    out.push(Claim {
        id: "MKV-5.conjecture.limits".into(),
        statement: format!(
            "(1/n) E_{{pi_N}} S_n -> x* = psi'(l_Delta), (1/n) D(pi_N||p^n) -> Delta, (1/n) D(pi_N||phi_n) -> 0: a \
             reported result, not proved here; lhs = x* - (1/n) E S_n at n = {}, rhs = 0",
            l.n
        ),
        lhs: Value::Real(gap.clone()),
        rhs: Value::Exact(Rational::new()),
        margin: Value::Real(gap),
        status: Status::Undecided,
    });
    // ASY-4 analogue: n (gap - ln n / (2 l_Delta n)) at the last two grid points
    let scaled = |p: &Point| -> Enc {
        let nr = Rational::from(p.n);
        let ln_n = Enc::from_rational(&nr, prec).ln(prec);
        let pred = ln_n.div(&ld.mul_rational(&Rational::from(2 * p.n), prec), prec);
        xs.sub(&p.e_per, prec).sub(&pred, prec).mul_rational(&nr, prec)
    };
    let prev = &pts[pts.len() - 2];
    let (a, b) = (scaled(prev), scaled(l));
    out.push(Claim {
        id: "MKV-5.conjecture.asy4".into(),
        statement: format!(
            "ASY-4 with psi = ln rho: x* - (1/n) E S_n = ln n/(2 l_Delta n) + O(1/n); lhs, rhs = n (gap - ln n/(2 l_Delta n)) \
             at n = {}, {} (bounded if the rate holds); conjecture",
            prev.n, l.n
        ),
        lhs: Value::Real(a.clone()),
        rhs: Value::Real(b.clone()),
        margin: Value::Real(a.sub(&b, prec)),
        status: Status::Undecided,
    });
    Ok(out)
}
