//! Claims of MATH.md §4, best-of-N (BON-1 .. BON-6), on the closed forms of
//! [`crate::math::best_of_n`] against independent routes: brute-force enumeration of all N-tuples
//! (BON-1), the two forms of the reward (BON-2), the per-level gap decomposition (BON-3), the exact
//! win rate (BON-4), the Pythagorean route (BON-5) and the tilt machinery of
//! [`crate::math::tilt`] (BON-6).
//!
//! Two sample counts are used: small integers (`N = 2, 3, 7`) where the best-of-N law is exact,
//! and the astronomically large `N = ceil(e^{n Delta})` of the asymptotic regime, evaluated in
//! log space. The derivations are in `proofs/best_of_n.md`.

use super::cases::Case;
use super::claim::{
    combine, equality, exact_eq, exact_le, inequality, list_text, min_enc, strict, Claim, Kind, Status,
};
use super::sequences::{bon_brute, level_index, tiny_pairs, Sequences};
use super::tilt::lambda_delta;
use crate::error::{Error, Result};
use crate::exact::dist::{Distribution, Model};
use crate::exact::level_law::{level_law, LevelLaw, Route};
use crate::math::best_of_n::{self as bon, integer_n, BonEval, Levels, NRule};
use crate::math::tilt::{eval, TiltModel};
use crate::real::value::Value;
use crate::real::Enc;
use crate::results::compare::ExactBon;
use rug::ops::Pow;
use rug::{Integer, Rational};

/// The small exact sample counts of the BON checks.
pub const SMALL_N: [u32; 3] = [2, 3, 7];

fn law_of(case: &Case, n: u64) -> LevelLaw {
    level_law(case.model.probs(), &case.model.r, n, Route::Auto)
}

/// `N = ceil(e^{n Delta})` for the case's budget (exact integer).
pub fn big_n(case: &Case, n: u64) -> Result<Integer> {
    let x = Rational::from(&case.delta * n);
    integer_n(&x, NRule::Ceil, 1 << 20).ok_or_else(|| Error::input("N = ceil(e^(n Delta)) did not certify"))
}

/// `ln N` for an exact integer `N >= 1`.
fn ln_int(n: &Integer, prec: u32) -> Enc {
    if *n == 1 {
        Enc::zero(prec)
    } else {
        Enc::from_integer(n, prec).ln(prec)
    }
}

/// The sample counts of the case at length `n`: the small exact ones and `ceil(e^{n Delta})`.
fn counts(case: &Case, n: u64) -> Result<Vec<Integer>> {
    let mut v: Vec<Integer> = SMALL_N.iter().map(|&m| Integer::from(m)).collect();
    let b = big_n(case, n)?;
    if !v.contains(&b) {
        v.push(b);
    }
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// BON-1
// ---------------------------------------------------------------------------------------------

/// BON-1 (level rule) on one tiny `(n, N)`: `sum_y |pi_brute(y) - p^n(y) P_N(s(y)) / P_S(s(y))| = 0`
/// exactly, with `pi_brute` enumerated over all N-tuples of sequences and
/// `P_N = F^N - F-^N` from [`bon::exact_probs`].
pub fn bon1_level(case: &Case, n: u64, n_samples: u32) -> Claim {
    let seqs = Sequences::new(&case.tm, n);
    let pi = bon_brute(&seqs, n_samples, None);
    let law = law_of(case, n);
    let lv = Levels::new(law.clone());
    let pn = bon::exact_probs(&lv, n_samples);
    let lev = level_index(&seqs, &law);
    let dist: Rational = (0..seqs.len())
        .map(|i| {
            let j = lev[i];
            let closed = seqs.prob(i) * (&pn[j] / law.prob(j));
            (&pi[i] - closed).abs()
        })
        .sum();
    exact_eq(
        "BON-1.level",
        &format!("sum_y |pi_N(y) brute force - p^n(y) P_N(s)/P_S(s)| = 0, n = {n}, N = {n_samples}"),
        dist,
        Rational::new(),
    )
}

/// The support tokens' "order" key: the token index (the total order `(reward, index)`).
fn order_keys(tm: &TiltModel) -> Vec<usize> {
    tm.idx.clone()
}

/// BON-1 (order rule, one token): brute force with ties broken by the total order
/// `(reward, token index)` equals `G(y)^N - G-(y)^N` ([`crate::math::order_rule::order_rule_exact`]), exactly; and
/// its KL to `p` is at least the level rule's (`order-kl`), the margin being
/// `sum_s P_N(s) D(pi_order(.|s) || p(.|s)) >= 0` with exact ratios (exact 0 on tie-free levels).
pub fn bon1_order(case: &Case, n_samples: u32, prec: u32) -> [Claim; 2] {
    let tm = &case.tm;
    let seqs = Sequences::new(tm, 1);
    let keys = order_keys(tm);
    let brute = bon_brute(&seqs, n_samples, Some(&keys));
    let closed_full = crate::math::order_rule::order_rule_exact(case.model.probs(), &case.model.r, n_samples);
    let dist: Rational = (0..seqs.len())
        .map(|i| Rational::from(&brute[i] - &closed_full[tm.idx[i]]).abs())
        .sum();
    let c1 = exact_eq(
        "BON-1.order",
        &format!("order rule: brute force = G^N - G-^N exactly, one token, N = {n_samples}"),
        dist,
        Rational::new(),
    );
    // level rule on tokens
    let law = law_of(case, 1);
    let lv = Levels::new(law.clone());
    let pn = bon::exact_probs(&lv, n_samples);
    let lev = level_index(&seqs, &law);
    let level: Vec<Rational> = (0..seqs.len())
        .map(|i| seqs.prob(i) * (&pn[lev[i]] / law.prob(lev[i])))
        .collect();
    let kl = |v: &[Rational]| -> Enc {
        let pairs: Vec<(Rational, Rational)> = v
            .iter()
            .cloned()
            .zip((0..seqs.len()).map(|i| seqs.prob(i)))
            .collect();
        super::sequences::kl_exact(&pairs, prec)
    };
    let d_level = kl(&level);
    let d_order = kl(&brute);
    // margin: sum_a pi_o(a) ln(pi_o(a) P_S(s_a) / (p_a P_N(s_a)))
    let pairs: Vec<(Rational, Rational)> = (0..seqs.len())
        .map(|i| {
            let j = lev[i];
            let b = seqs.prob(i) * (&pn[j] / law.prob(j));
            (brute[i].clone(), b)
        })
        .collect();
    let margin = super::sequences::kl_exact(&pairs, prec);
    let status = if *margin.lo() >= 0 {
        Status::Holds
    } else if *margin.hi() < 0 {
        Status::Violated
    } else {
        Status::Undecided
    };
    let c2 = Claim {
        id: "BON-1.order-kl".into(),
        statement: format!("D(pi_level || p) <= D(pi_order || p), one token, N = {n_samples}"),
        lhs: Value::Real(d_level),
        rhs: Value::Real(d_order),
        margin: Value::Real(margin),
        status,
    };
    [c1, c2]
}

/// BON-1 on a case: the level rule on every tiny `(n, N)` ([`tiny_pairs`]) and the order rule on
/// one token for `N = 2, 3, 4`, one combined claim per statement.
pub fn bon1_claims(case: &Case, prec: u32) -> Vec<Claim> {
    let pairs = tiny_pairs(case.tm.p.len());
    let desc = pairs
        .iter()
        .map(|(n, m)| format!("({n},{m})"))
        .collect::<Vec<_>>()
        .join(" ");
    let g1: Vec<Claim> = pairs.iter().map(|&(n, m)| bon1_level(case, n, m)).collect();
    let (mut g2, mut g3) = (vec![], vec![]);
    for m in [2u32, 3, 4] {
        let [a, b] = bon1_order(case, m, prec);
        g2.push(a);
        g3.push(b);
    }
    [
        combine(
            "BON-1.level",
            &format!(
                "pi_N(y) = p(y) P_N(s)/P_S(s), P_N = F^N - F-^N, equals brute force exactly, (n,N) = {desc}"
            ),
            Kind::Equality,
            g1,
        ),
        combine(
            "BON-1.order",
            "order rule: pi_N = G^N - G-^N equals brute force exactly, one token, N = 2, 3, 4",
            Kind::Equality,
            g2,
        ),
        combine(
            "BON-1.order-kl",
            "D(pi_order || p) >= D(pi_level || p), one token, N = 2, 3, 4",
            Kind::Inequality,
            g3,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

// ---------------------------------------------------------------------------------------------
// BON-2
// ---------------------------------------------------------------------------------------------

/// BON-2 exactly for an integer `N`: `sum_s s P_N(s) = s_max - sum_{s < s_max} (s+ - s) F(s)^N`.
pub fn bon2_exact(lv: &Levels, n_samples: u32) -> Claim {
    let law = &lv.law;
    let ex = ExactBon::new(lv, n_samples);
    let lhs = ex.expected_reward(lv);
    let cdf = law.cdf_weights();
    let dn = Integer::from((&law.denom).pow(n_samples));
    let top = law.len() - 1;
    let mut rhs = law.reward(top);
    for (j, c) in cdf.iter().enumerate().take(top) {
        let fpow = Rational::from((Integer::from(c.pow(n_samples)), dn.clone()));
        rhs -= (law.reward(j + 1) - law.reward(j)) * fpow;
    }
    exact_eq(
        "BON-2.exact",
        &format!(
            "sum_s s P_N(s) = s_max - sum (s+ - s) F(s)^N exactly, n = {}, N = {n_samples}",
            law.n
        ),
        lhs,
        rhs,
    )
}

/// BON-2 certified for any `N` (an enclosure): the two forms evaluated from one
/// [`bon::eval`].
pub fn bon2_certified(lv: &Levels, n_samples: &Integer, prec: u32) -> Claim {
    let ev = bon::eval(lv, &Enc::from_integer(n_samples, prec), prec);
    equality(
        "BON-2.certified",
        &format!(
            "sum_s s P_N(s) = s_max - sum (s+ - s) F(s)^N, n = {}, N = ceil(e^(n Delta)) ({} digits)",
            lv.law.n,
            n_samples.to_string().len()
        ),
        Value::Real(bon::expected_reward_direct(lv, &ev, prec)),
        Value::Real(bon::expected_reward(lv, &ev, prec)),
        prec,
    )
}

/// BON-2 on a case: exact for `N = 2, 3, 7` and certified for `N = ceil(e^{n Delta})`, at every
/// `n` of the case.
pub fn bon2_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let (mut g1, mut g2) = (vec![], vec![]);
    for &n in &case.ns {
        let lv = Levels::new(law_of(case, n));
        for m in SMALL_N {
            g1.push(bon2_exact(&lv, m));
        }
        g2.push(bon2_certified(&lv, &big_n(case, n)?, prec));
    }
    let nl = list_text(&case.ns);
    Ok([
        combine(
            "BON-2.exact",
            &format!("sum_s s P_N(s) = s_max - sum_(s<s_max) (s+ - s) F(s)^N exactly, N = 2, 3, 7, n = {nl}"),
            Kind::Equality,
            g1,
        ),
        combine(
            "BON-2.certified",
            &format!("the two forms of E_(pi_N) S_n agree for N = ceil(e^(n Delta)), n = {nl}"),
            Kind::Equality,
            g2,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

// ---------------------------------------------------------------------------------------------
// BON-3
// ---------------------------------------------------------------------------------------------

/// BON-3 at one `(n, N)`, `N >= 2`: `[bound, strict, gaps (each >= 0), gaps-sum]`.
pub fn bon3_at(lv: &Levels, n_samples: &Integer, prec: u32) -> [Claim; 4] {
    let ne = Enc::from_integer(n_samples, prec);
    let ln_n = ln_int(n_samples, prec);
    let ev: BonEval = bon::eval(lv, &ne, prec);
    let kl = bon::kl_to_reference(&ev, prec);
    let bound = bon::kl_bound(&ne, &ln_n, prec);
    let gaps = bon::kl_gaps(&ev, &ne, &ln_n, prec);
    let min_gap = min_enc(&gaps).expect("at least one level");
    let total = Enc::sum(gaps.iter(), prec);
    let tail = format!("n = {}, N = {}", lv.law.n, short_int(n_samples));
    [
        inequality(
            "BON-3.bound",
            &format!("D(pi_N || p) <= ln N - (N-1)/N, {tail}"),
            Value::Real(kl.clone()),
            Value::Real(bound.clone()),
            prec,
        ),
        strict(
            "BON-3.strict",
            &format!("D(pi_N || p) < ln N - (N-1)/N strictly (atoms, N >= 2), {tail}"),
            Value::Real(kl.clone()),
            Value::Real(bound.clone()),
            prec,
        ),
        inequality(
            "BON-3.gaps",
            &format!("every per-level gap A_N(F) - A_N(F-) - P_N ln(P_N/P_S) >= 0, {tail}"),
            Value::Exact(Rational::new()),
            Value::Real(min_gap),
            prec,
        ),
        equality(
            "BON-3.gaps-sum",
            &format!("sum of the per-level gaps = ln N - (N-1)/N - D(pi_N || p), {tail}"),
            Value::Real(total),
            Value::Real(bound.sub(&kl, prec)),
            prec,
        ),
    ]
}

/// An integer for a statement: itself when short, else its number of digits.
fn short_int(n: &Integer) -> String {
    let s = n.to_string();
    if s.len() <= 12 {
        s
    } else {
        format!("<{} digits>", s.len())
    }
}

/// BON-3 on a case: [`bon3_at`] for `N = 2, 3, 7` and `ceil(e^{n Delta})` at every `n` of the
/// case, one combined claim per statement.
pub fn bon3_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let mut g: [Vec<Claim>; 4] = [vec![], vec![], vec![], vec![]];
    for &n in &case.ns {
        let lv = Levels::new(law_of(case, n));
        for m in counts(case, n)? {
            if m < 2 {
                continue;
            }
            for (i, c) in bon3_at(&lv, &m, prec).into_iter().enumerate() {
                g[i].push(c);
            }
        }
    }
    let tail = format!("N = 2, 3, 7, ceil(e^(n Delta)); n = {}", list_text(&case.ns));
    let ids = ["BON-3.bound", "BON-3.strict", "BON-3.gaps", "BON-3.gaps-sum"];
    let st = [
        format!("D(pi_N || p^n) <= ln N - (N-1)/N, {tail}"),
        format!("D(pi_N || p^n) < ln N - (N-1)/N strictly (the level law has atoms), {tail}"),
        format!("min over levels of A_N(F) - A_N(F-) - P_N ln(P_N/P_S) >= 0, {tail}"),
        format!("sum of the per-level gaps = ln N - (N-1)/N - D(pi_N || p^n), {tail}"),
    ];
    let kinds = [
        Kind::Inequality,
        Kind::Inequality,
        Kind::Inequality,
        Kind::Equality,
    ];
    Ok(g.into_iter()
        .enumerate()
        .filter_map(|(i, v)| combine(ids[i], &st[i], kinds[i], v))
        .collect())
}

/// The deliberately false claim `beirami-reversed`: the BON-3 (Beirami et al.) bound with the
/// inequality reversed, `ln N - (N-1)/N <= D(pi_N || p)`, for one token at `N = 4` on a model
/// with atoms (every finite model), where the bound is strict: it must be reported violated.
pub fn beirami_reversed(case: &Case, prec: u32) -> Result<Claim> {
    let lv = Levels::new(law_of(case, 1));
    let m = Integer::from(4);
    let ne = Enc::from_integer(&m, prec);
    let ev = bon::eval(&lv, &ne, prec);
    let kl = bon::kl_to_reference(&ev, prec);
    let bound = bon::kl_bound(&ne, &ln_int(&m, prec), prec);
    Ok(inequality(
        "BON-3.reversed",
        "DELIBERATELY FALSE: ln N - (N-1)/N <= D(pi_N || p) (Beirami bound reversed), one token, N = 4",
        Value::Real(bound),
        Value::Real(kl),
        prec,
    ))
}

// ---------------------------------------------------------------------------------------------
// BON-4
// ---------------------------------------------------------------------------------------------

/// BON-4 on a case at every `n` of the case: `W <= N/(N+1)` exactly for `N = 1, 2, 3, 7`
/// (with `W = 1/2` exactly at `N = 1`), certified for `N = ceil(e^{n Delta})`.
pub fn bon4_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let (mut g1, mut g2, mut g3) = (vec![], vec![], vec![]);
    for &n in &case.ns {
        let lv = Levels::new(law_of(case, n));
        g3.push(exact_eq(
            "BON-4.half",
            "W = 1/2 at N = 1",
            ExactBon::new(&lv, 1).win_rate(),
            Rational::from((1, 2)),
        ));
        for m in SMALL_N {
            let w = ExactBon::new(&lv, m).win_rate();
            g1.push(exact_le(
                "BON-4.exact",
                "W <= N/(N+1)",
                w,
                Rational::from((m, m + 1)),
            ));
        }
        let b = big_n(case, n)?;
        let ev = bon::eval(&lv, &Enc::from_integer(&b, prec), prec);
        g2.push(inequality(
            "BON-4.certified",
            "W <= N/(N+1)",
            Value::Real(bon::win_rate(&ev, prec)),
            Value::Exact(Rational::from((b.clone(), Integer::from(&b + 1u32)))),
            prec,
        ));
    }
    let nl = list_text(&case.ns);
    Ok([
        combine(
            "BON-4.exact",
            &format!("W = sum_s P_N (F + F-)/2 <= N/(N+1) exactly, N = 2, 3, 7, n = {nl}"),
            Kind::Inequality,
            g1,
        ),
        combine(
            "BON-4.certified",
            &format!("W <= N/(N+1) for N = ceil(e^(n Delta)), n = {nl}"),
            Kind::Inequality,
            g2,
        ),
        combine(
            "BON-4.half",
            &format!("W = 1/2 exactly at N = 1 (ties count one half), n = {nl}"),
            Kind::Equality,
            g3,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

// ---------------------------------------------------------------------------------------------
// BON-5
// ---------------------------------------------------------------------------------------------

/// BON-5 at one `(n, N)` and tilt `l`: `sum_s P_N ln(P_N / Phi_l)` equals
/// `D(pi_N || p^n) - l E_{pi_N} S_n + n psi(l)`.
pub fn bon5_at(tm: &TiltModel, lv: &Levels, n_samples: &Integer, l: &Enc, prec: u32) -> Claim {
    let ev = bon::eval(lv, &Enc::from_integer(n_samples, prec), prec);
    let n_psi = eval(tm, l, prec)
        .psi
        .mul_rational(&Rational::from(lv.law.n), prec);
    let ln_phi = bon::ln_tilted(lv, &ev, l, &n_psi, prec);
    let direct = bon::kl_to_tilted(&ev, &ln_phi, prec);
    let kl_ref = bon::kl_to_reference(&ev, prec);
    let e_s = bon::expected_reward(lv, &ev, prec);
    let pyth = bon::kl_to_tilted_pythagorean(&kl_ref, l, &e_s, &n_psi, prec);
    equality(
        "BON-5",
        &format!("D(pi_N || phi_l^n) two routes, n = {}", lv.law.n),
        Value::Real(direct),
        Value::Real(pyth),
        prec,
    )
}

/// BON-5 on a case: at every `n` of the case, `N = 3` and `N = ceil(e^{n Delta})`, for
/// `l = l_Delta` and `l = 1`.
pub fn bon5_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let id = "BON-5";
    let st = format!(
        "sum_s P_N ln(P_N/Phi_l) = D(pi_N||p^n) - l E_(pi_N) S_n + n psi(l), l = l_Delta and 1, N = 3 and ceil(e^(n Delta)), n = {}",
        list_text(&case.ns)
    );
    let Some(ld) = lambda_delta(&case.tm, &case.delta, prec)? else {
        return Ok(vec![Claim::unknown(id, &st, prec)]);
    };
    let mut g = vec![];
    for &n in &case.ns {
        let lv = Levels::new(law_of(case, n));
        for m in [Integer::from(3), big_n(case, n)?] {
            for l in [ld.clone(), Enc::from_i64(1, prec)] {
                g.push(bon5_at(&case.tm, &lv, &m, &l, prec));
            }
        }
    }
    Ok(combine(id, &st, Kind::Equality, g).into_iter().collect())
}

// ---------------------------------------------------------------------------------------------
// BON-6
// ---------------------------------------------------------------------------------------------

/// The two-level model of BON-6 for a case: the case itself when its reward takes exactly two
/// values on the support, else the pass@N reduction `r'_a = 1{r_a = r_max}` (same `p`).
pub fn two_level_model(case: &Case) -> (Model, bool) {
    let mut vals: Vec<Rational> = case.tm.r.clone();
    vals.sort();
    vals.dedup();
    if vals.len() == 2 {
        return (case.model.clone(), false);
    }
    let r: Vec<Rational> = case
        .model
        .r
        .iter()
        .map(|x| Rational::from(u32::from(*x == case.tm.r_max)))
        .collect();
    let p = Distribution::new(case.model.probs().to_vec(), false, "--p").expect("valid p");
    (Model::new(p, r).expect("same length"), true)
}

/// BON-6 on a case, one token, `N = 2, 3, 10, 100`: with `q0` the mass of the low level,
/// `e^{l (r1 - r0)} = q0 (q0^{-N} - 1) / q1` (exact), the tilt `phi_l` computed by
/// [`crate::math::tilt::eval`] at `l = ln(...) / (r1 - r0)` equals the best-of-N law token by
/// token (`BON-6.tilt`), and `pi_N(top) = 1 - (1 - rho)^N` exactly (`BON-6.pass-at-N`).
pub fn bon6_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let (model, reduced) = two_level_model(case);
    let tm = TiltModel::new(&model);
    let law = level_law(model.probs(), &model.r, 1, Route::Auto);
    let lv = Levels::new(law.clone());
    let (r0, r1) = (law.reward(0), law.reward(1));
    let q0 = law.prob(0);
    let q1 = law.prob(1);
    let which = if reduced {
        "pass@N reduction r' = 1{r = r_max}"
    } else {
        "the case's two reward levels"
    };
    let (mut g1, mut g2) = (vec![], vec![]);
    for m in [2u32, 3, 10, 100] {
        let pn = bon::exact_probs(&lv, m);
        let q0n = Rational::from((&q0).pow(m));
        let t = &q0 * (Rational::from(q0n.recip_ref()) - 1u32) / &q1;
        let l = Enc::from_rational(&t, prec)
            .ln(prec)
            .mul_rational(&Rational::from(Rational::from(&r1 - &r0).recip_ref()), prec);
        let phi = eval(&tm, &l, prec).phi;
        for (j, &_i) in tm.idx.iter().enumerate() {
            let lev = usize::from(tm.r[j] == r1);
            let pi = Rational::from(&tm.p[j] * &pn[lev]) / law.prob(lev);
            g1.push(equality(
                "BON-6.tilt",
                "pi_N(a) = phi_l(a)",
                Value::Exact(pi),
                Value::Real(phi[j].clone()),
                prec,
            ));
        }
        let rho = q1.clone();
        g2.push(exact_eq(
            "BON-6.pass-at-N",
            "pi_N(top) = 1 - (1 - rho)^N",
            pn[1].clone(),
            Rational::from(1) - (Rational::from(1) - &rho).pow(m),
        ));
    }
    Ok([
        combine(
            "BON-6.tilt",
            &format!("two levels ({which}): pi_N = phi_l token by token with q0^N = q0/(q0 + q1 e^(l (r1-r0))), N = 2, 3, 10, 100"),
            Kind::Equality,
            g1,
        ),
        combine(
            "BON-6.pass-at-N",
            &format!("two levels ({which}): pi_N(top) = 1 - (1 - rho)^N exactly, rho = p(top), N = 2, 3, 10, 100"),
            Kind::Equality,
            g2,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}
