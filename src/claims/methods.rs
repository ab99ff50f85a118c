//! Claims of MATH.md §7 (related results) and of the inference-time methods next to best-of-N:
//! the REL family.
//!
//! - REL-1: Beirami et al.'s gap bounds, `ln N - (N-1)/N - D(pi_N||p) <= 2 N (N-1) sum p^2` and
//!   `N/(N+1) - W <= (N-1)/2 sum p^2`;
//! - REL-2: their estimator `Dhat_N(e)`: its range, `D(pi_N||p) <= Dhat_N(p(A_max))`, and the
//!   conjecture `E_{pi_N}[Dhat_N(p(Y))] >= D(pi_N||p)` as a probe (a certified violation is a
//!   counterexample, printed prominently by `check`);
//! - REL-3: Mroueh's Rényi bound `D_alpha(pi_N||p) <= ln(N^alpha / (alpha (N-1) + 1)) / (alpha-1)`;
//! - REL-4: the Jeffreys identity of the tilt, `E_phi r - E_p r = (D(phi||p) + D(p||phi)) / l`;
//! - REL-5: soft best-of-N ([`crate::math::soft_best_of_n`]): the exact law against brute force
//!   over all N-tuples, its limits, and its place below the frontier;
//! - REL-6: best-of-Poisson ([`crate::math::best_of_poisson`]): the closed-form level law against
//!   the truncated Poisson mixture with a rigorous tail bound, `mu = 0`, below the frontier;
//! - REL-7: the win-rate-optimal policy ([`crate::math::win_rate_optimal`]): `W = E_pi w` with the
//!   mid-rank `w`, best-of-N below the win-rate frontier at its own KL, and the win-rate tilt
//!   beating the reward tilt on win rate at equal KL.
//!
//! "p" in REL-1 and REL-2 is the law of the outcome the method compares: the level law `P_S`
//! for the level tie rule (its levels are the distinct outcomes), the tokens for the order rule.
//! Derivations: `proofs/methods.md`.

use super::best_of_n::SMALL_N;
use super::cases::Case;
use super::claim::{combine, equality, exact_eq, exact_le, inequality, list_text, Claim, Kind, Status};
use super::sequences::{kl_exact, level_index, Sequences};
use super::tilt::lambda_delta;
use crate::error::Result;
use crate::exact::level_law::{level_law, LevelLaw, Route};
use crate::math::best_of_n::{self as bon, Levels};
use crate::math::best_of_poisson as bop;
use crate::math::level_policy::{mid_ranks, stats, stats_exact};
use crate::math::soft_best_of_n as soft;
use crate::math::tilt::{eval, TiltModel};
use crate::math::win_rate_optimal as wro;
use crate::real::value::Value;
use crate::real::Enc;
use crate::results::compare::ExactBon;
use rug::ops::Pow;
use rug::Rational;

fn law_of(case: &Case, n: u64) -> LevelLaw {
    level_law(case.model.probs(), &case.model.r, n, Route::Auto)
}

/// The lengths of the REL checks: the case's `n` up to 5 (the bounds are about one outcome
/// space; longer sequences only shrink `sum p^2`).
fn rel_ns(case: &Case) -> Vec<u64> {
    case.ns.iter().copied().filter(|&n| n <= 5).collect()
}

/// `lhs <= rhs` for a policy against a frontier value. On a law with at most two levels every
/// policy on the levels is a tilt (its likelihood ratio is a function of a two-valued reward),
/// so the policy lies ON the frontier: the statement is then the equality `lhs = rhs` (`on`).
fn below_frontier(id: &str, st: &str, lhs: Value, rhs: Value, two_levels: bool, prec: u32) -> Claim {
    if two_levels {
        equality(
            id,
            &format!("{st} (two levels: on the frontier, =)"),
            lhs,
            rhs,
            prec,
        )
    } else {
        inequality(id, st, lhs, rhs, prec)
    }
}

/// A policy's law `pol` on the levels of `law`, at its own KL `D`: `E r <= x*(D)` and
/// `W <= W*(D)` against the reward and win-rate frontiers (equalities on two levels, see
/// [`below_frontier`]); one `unknown` claim when a frontier point is not certified.
fn frontier_claims(law: &LevelLaw, pol: &[Enc], id: &str, prec: u32) -> Vec<Claim> {
    let st = stats(law, pol, prec);
    let rm = wro::reward_model(law);
    let wm = wro::mid_rank_model(law);
    match (
        wro::frontier_at(&rm, &st.kl, prec),
        wro::frontier_at(&wm, &st.kl, prec),
    ) {
        (Some(xr), Some(xw)) => {
            let two = law.len() <= 2;
            vec![
                below_frontier(
                    id,
                    "E r <= x*(D)",
                    Value::Real(st.reward),
                    Value::Real(xr),
                    two,
                    prec,
                ),
                below_frontier(
                    id,
                    "W <= W*(D)",
                    Value::Real(st.win_rate),
                    Value::Real(xw),
                    two,
                    prec,
                ),
            ]
        }
        _ => vec![Claim::unknown(id, "frontier", prec)],
    }
}

fn ln_int(n: u32, prec: u32) -> Enc {
    if n == 1 {
        Enc::zero(prec)
    } else {
        Enc::from_i64(i64::from(n), prec).ln(prec)
    }
}

/// `sum_j q_j^2` of a law, exact.
fn collision(law: &LevelLaw) -> Rational {
    (0..law.len()).map(|j| law.prob(j).pow(2u32)).sum()
}

/// `D(pi_N || p^n)` for an exact integer `N` from the exact law (ratios formed exactly).
fn bon_kl(ex: &ExactBon, prec: u32) -> Enc {
    let pairs: Vec<(Rational, Rational)> = ex.pn.iter().cloned().zip(ex.ps.iter().cloned()).collect();
    kl_exact(&pairs, prec).clamp_nonneg(prec)
}

// ---------------------------------------------------------------------------------------------
// REL-1
// ---------------------------------------------------------------------------------------------

/// REL-1 at one `(n, N)` (level rule, outcomes = levels): the KL gap bound (certified) and the
/// win-rate gap bound (exact).
pub fn rel1_at(law: &LevelLaw, n_samples: u32, prec: u32) -> [Claim; 2] {
    let lv = Levels::new(law.clone());
    let ex = ExactBon::new(&lv, n_samples);
    let kl = bon_kl(&ex, prec);
    let ne = Enc::from_i64(i64::from(n_samples), prec);
    let gap = bon::kl_bound(&ne, &ln_int(n_samples, prec), prec).sub(&kl, prec);
    let c = collision(law);
    let m = Rational::from(n_samples);
    let bound = Rational::from(&m * 2u32) * Rational::from(&m - 1u32) * &c;
    let tail = format!("n = {}, N = {n_samples}", law.n);
    let w = ex.win_rate();
    let wgap = Rational::from((n_samples, n_samples + 1)) - w;
    let wbound = Rational::from(&m - 1u32) / 2u32 * &c;
    [
        inequality(
            "REL-1.kl",
            &format!("ln N - (N-1)/N - D(pi_N || p) <= 2 N (N-1) sum p^2, {tail}"),
            Value::Real(gap),
            Value::Exact(bound),
            prec,
        ),
        exact_le(
            "REL-1.win",
            &format!("N/(N+1) - W <= (N-1)/2 sum p^2 exactly, {tail}"),
            wgap,
            wbound,
        ),
    ]
}

/// REL-1 with the order tie rule on one token: outcomes are the tokens, `sum_y p(y)^2`.
pub fn rel1_order(case: &Case, n_samples: u32, prec: u32) -> Claim {
    let p = case.model.probs();
    let pi = crate::math::order_rule::order_rule_exact(p, &case.model.r, n_samples);
    let pairs: Vec<(Rational, Rational)> = pi.iter().cloned().zip(p.iter().cloned()).collect();
    let kl = kl_exact(&pairs, prec).clamp_nonneg(prec);
    let ne = Enc::from_i64(i64::from(n_samples), prec);
    let gap = bon::kl_bound(&ne, &ln_int(n_samples, prec), prec).sub(&kl, prec);
    let c: Rational = p.iter().map(|x| x.clone().pow(2u32)).sum();
    let m = Rational::from(n_samples);
    let bound = Rational::from(&m * 2u32) * Rational::from(&m - 1u32) * c;
    inequality(
        "REL-1.kl-order",
        &format!("order rule: ln N - (N-1)/N - D(pi_N || p) <= 2 N (N-1) sum_y p(y)^2, N = {n_samples}"),
        Value::Real(gap),
        Value::Exact(bound),
        prec,
    )
}

/// REL-1 on a case: `N = 2, 3, 7` at `n <= 5` of the case (level rule), and the order rule on
/// one token.
pub fn rel1_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let (mut g1, mut g2, mut g3) = (vec![], vec![], vec![]);
    let ns = rel_ns(case);
    for &n in &ns {
        let law = law_of(case, n);
        for m in SMALL_N {
            let [a, b] = rel1_at(&law, m, prec);
            g1.push(a);
            g2.push(b);
        }
    }
    for m in SMALL_N {
        g3.push(rel1_order(case, m, prec));
    }
    let tail = format!("N = 2, 3, 7; n = {}", list_text(&ns));
    Ok([
        combine(
            "REL-1.kl",
            &format!("Beirami et al.: ln N - (N-1)/N - D(pi_N || p) <= 2 N (N-1) sum p^2 (p = level law), {tail}"),
            Kind::Inequality,
            g1,
        ),
        combine(
            "REL-1.win",
            &format!("Beirami et al.: N/(N+1) - W <= (N-1)/2 sum p^2 exactly (p = level law), {tail}"),
            Kind::Inequality,
            g2,
        ),
        combine(
            "REL-1.kl-order",
            "Beirami et al., order tie rule on tokens: ln N - (N-1)/N - D(pi_N || p) <= 2 N (N-1) sum_y p(y)^2, N = 2, 3, 7",
            Kind::Inequality,
            g3,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

// ---------------------------------------------------------------------------------------------
// REL-2
// ---------------------------------------------------------------------------------------------

/// Beirami et al.'s estimator
/// `Dhat_N(e) = (1-e)^N (ln N + (N-1) ln(1-e) - (N-1)/N) + (1-(1-e)^N) ln((1-(1-e)^N)/e)`
/// for an exact `e` in `(0, 1]` and an integer `N >= 1`, certified (`u = (1-e)^N` is exact; the
/// first term is exactly 0 when `u = 0`, i.e. `e = 1`).
pub fn dhat(e: &Rational, n_samples: u32, prec: u32) -> Enc {
    let one_m = Rational::from(1 - e);
    let u = Rational::from((&one_m).pow(n_samples));
    let v = Rational::from(1 - &u); // 1 - (1-e)^N > 0 for e > 0
    let second = {
        let ratio = Rational::from(&v / e);
        if ratio == 1 {
            Enc::zero(prec)
        } else {
            Enc::from_rational(&ratio, prec).ln(prec).mul_rational(&v, prec)
        }
    };
    if u == 0 {
        return second;
    }
    let m = Rational::from(n_samples);
    let nm1 = Rational::from(&m - 1u32);
    let ln1e = Enc::from_rational(&one_m, prec).ln(prec);
    let inner = ln_int(n_samples, prec)
        .add(&ln1e.mul_rational(&nm1, prec), prec)
        .sub(&Enc::from_rational(&Rational::from(&nm1 / &m), prec), prec);
    inner.mul_rational(&u, prec).add(&second, prec)
}

/// REL-2 range at `(N, e)`: `0 <= Dhat_N(e)` and `Dhat_N(e) <= ln N - (N-1)/N`.
fn rel2_range(e: &Rational, n_samples: u32, prec: u32) -> [Claim; 2] {
    let d = dhat(e, n_samples, prec);
    let ne = Enc::from_i64(i64::from(n_samples), prec);
    let b = bon::kl_bound(&ne, &ln_int(n_samples, prec), prec);
    [
        inequality(
            "REL-2.range",
            "0 <= Dhat_N(e)",
            Value::Exact(Rational::new()),
            Value::Real(d.clone()),
            prec,
        ),
        inequality(
            "REL-2.range",
            "Dhat_N(e) <= ln N - (N-1)/N",
            Value::Real(d),
            Value::Real(b),
            prec,
        ),
    ]
}

/// The conjecture probe at one `(n, N)`: `E_{pi_N}[Dhat_N(p^n(Y))] >= D(pi_N || p^n)` over the
/// sequences `Y` (level rule: `pi_N(y) = p^n(y) P_N(s)/P_S(s)`), lhs `D`, rhs the expectation.
pub fn rel2_conjecture_at(case: &Case, n: u64, n_samples: u32, prec: u32) -> Claim {
    let seqs = Sequences::new(&case.tm, n);
    let law = law_of(case, n);
    let lv = Levels::new(law.clone());
    let ex = ExactBon::new(&lv, n_samples);
    let lev = level_index(&seqs, &law);
    let mut expect = Enc::zero(prec);
    for (i, &j) in lev.iter().enumerate() {
        let pi = seqs.prob(i) * Rational::from(&ex.pn[j] / &ex.ps[j]);
        if pi != 0 {
            expect = expect.add(
                &dhat(&seqs.prob(i), n_samples, prec).mul_rational(&pi, prec),
                prec,
            );
        }
    }
    inequality(
        "REL-2.conjecture",
        &format!(
            "CONJECTURE (Beirami et al.): E_(pi_N)[Dhat_N(p(Y))] >= D(pi_N || p), n = {n}, N = {n_samples}"
        ),
        Value::Real(bon_kl(&ex, prec)),
        Value::Real(expect),
        prec,
    )
}

/// REL-2 on a case: the range at `e = P_S(top)`, every level's mass and `e = 1`; the bound
/// `D(pi_N || p^n) <= Dhat_N(P_S(top))` at `N = 2, 3, 7`, `n <= 5`; the conjecture probe on
/// sequences of length `n = 1, 2` (brute-force sequences, at most 4096 of them).
pub fn rel2_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let (mut g1, mut g2, mut g3) = (vec![], vec![], vec![]);
    let ns = rel_ns(case);
    for &n in &ns {
        let law = law_of(case, n);
        let top = law.prob(law.len() - 1);
        let lv = Levels::new(law.clone());
        for m in SMALL_N {
            let mut es: Vec<Rational> = (0..law.len().min(8)).map(|j| law.prob(j)).collect();
            es.push(top.clone());
            es.push(Rational::from(1));
            for e in &es {
                g1.extend(rel2_range(e, m, prec));
            }
            let ex = ExactBon::new(&lv, m);
            g2.push(inequality(
                "REL-2.top",
                "D(pi_N || p) <= Dhat_N(p(A_max))",
                Value::Real(bon_kl(&ex, prec)),
                Value::Real(dhat(&top, m, prec)),
                prec,
            ));
        }
    }
    let k = case.tm.p.len();
    for n in [1u64, 2] {
        if (k as f64).powi(n as i32) > 4096.0 {
            continue;
        }
        for m in SMALL_N {
            g3.push(rel2_conjecture_at(case, n, m, prec));
        }
    }
    let tail = format!("N = 2, 3, 7; n = {}", list_text(&ns));
    Ok([
        combine(
            "REL-2.range",
            &format!("0 <= Dhat_N(e) <= ln N - (N-1)/N at e = every level mass, p(A_max), 1; {tail}"),
            Kind::Inequality,
            g1,
        ),
        combine(
            "REL-2.top",
            &format!("D(pi_N || p) <= Dhat_N(p(A_max)) (level law), {tail}"),
            Kind::Inequality,
            g2,
        ),
        combine(
            "REL-2.conjecture",
            "CONJECTURE (Beirami et al.) probed: E_(pi_N)[Dhat_N(p(Y))] >= D(pi_N || p), Y over sequences, n = 1, 2, N = 2, 3, 7",
            Kind::Inequality,
            g3,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

// ---------------------------------------------------------------------------------------------
// REL-3
// ---------------------------------------------------------------------------------------------

/// REL-3 for an integer `alpha >= 2`, decided exactly: `D_alpha(pi_N||p) <= ln(N^alpha /
/// (alpha (N-1) + 1)) / (alpha - 1)` is equivalent (`ln` increasing, `alpha - 1 > 0`) to
/// `sum_s P_N^alpha P_S^{1-alpha} <= N^alpha / (alpha (N-1) + 1)`, both sides exact rationals.
pub fn rel3_integer(law: &LevelLaw, n_samples: u32, alpha: u32) -> Claim {
    let lv = Levels::new(law.clone());
    let ex = ExactBon::new(&lv, n_samples);
    let lhs: Rational = ex
        .pn
        .iter()
        .zip(&ex.ps)
        .map(|(a, b)| Rational::from(a.pow(alpha)) / Rational::from(b.pow(alpha - 1)))
        .sum();
    let m = Rational::from(n_samples);
    let rhs = Rational::from((&m).pow(alpha)) / (Rational::from(&m - 1u32) * alpha + 1u32);
    exact_le(
        "REL-3.exact",
        &format!(
            "sum P_N^a P_S^(1-a) <= N^a/(a(N-1)+1) (REL-3 at a = {alpha}), n = {}, N = {n_samples}",
            law.n
        ),
        lhs,
        rhs,
    )
}

/// `D_alpha(pi_N || p)` for a rational `alpha` in `(0, 1)` and its bound, certified:
/// `ln(sum P_N^alpha P_S^{1-alpha}) / (alpha - 1)` against `ln(N^alpha / (alpha (N-1) + 1)) /
/// (alpha - 1)`.
pub fn rel3_fractional(law: &LevelLaw, n_samples: u32, alpha: &Rational, prec: u32) -> Claim {
    let lv = Levels::new(law.clone());
    let ex = ExactBon::new(&lv, n_samples);
    let a = Enc::from_rational(alpha, prec);
    let mut s = Enc::zero(prec);
    for (pn, ps) in ex.pn.iter().zip(&ex.ps) {
        if *pn == 0 {
            continue;
        }
        // P_N^a P_S^(1-a) = P_S (P_N/P_S)^a with the ratio exact
        let ratio = Enc::from_rational(&Rational::from(pn / ps), prec);
        s = s.add(&ratio.pow(&a, prec).mul_rational(ps, prec), prec);
    }
    let am1 = Rational::from(alpha - 1u32);
    let inv = Rational::from(am1.recip_ref());
    let d = s.ln(prec).mul_rational(&inv, prec);
    let m = Rational::from(n_samples);
    let denom = (alpha * Rational::from(&m - 1u32)) + 1u32;
    let bound = ln_int(n_samples, prec)
        .mul(&a, prec)
        .sub(&Enc::from_rational(&denom, prec).ln(prec), prec)
        .mul_rational(&inv, prec);
    inequality(
        "REL-3.certified",
        &format!(
            "D_a(pi_N || p) <= ln(N^a/(a(N-1)+1))/(a-1), a = {alpha}, n = {}, N = {n_samples}",
            law.n
        ),
        Value::Real(d.clamp_nonneg(prec)),
        Value::Real(bound),
        prec,
    )
}

/// REL-3 on a case: `alpha = 2, 3` exactly and `alpha = 1/2` certified, `N = 2, 3, 7`, `n <= 5`.
pub fn rel3_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let (mut g1, mut g2) = (vec![], vec![]);
    let ns = rel_ns(case);
    for &n in &ns {
        let law = law_of(case, n);
        for m in SMALL_N {
            for a in [2u32, 3] {
                g1.push(rel3_integer(&law, m, a));
            }
            g2.push(rel3_fractional(&law, m, &Rational::from((1, 2)), prec));
        }
    }
    let tail = format!("N = 2, 3, 7; n = {}", list_text(&ns));
    Ok([
        combine(
            "REL-3.exact",
            &format!("Mroueh: D_a(pi_N||p) <= ln(N^a/(a(N-1)+1))/(a-1) at a = 2, 3, decided exactly, {tail}"),
            Kind::Inequality,
            g1,
        ),
        combine(
            "REL-3.certified",
            &format!("Mroueh: D_a(pi_N||p) <= ln(N^a/(a(N-1)+1))/(a-1) at a = 1/2, {tail}"),
            Kind::Inequality,
            g2,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

// ---------------------------------------------------------------------------------------------
// REL-4
// ---------------------------------------------------------------------------------------------

/// REL-4 at one `l != 0`: `E_phi r - E_p r = (D(phi||p) + D(p||phi)) / l` with `phi = phi_l`,
/// both divergences and both means summed directly over the tokens.
pub fn rel4_at(tm: &TiltModel, l: &Enc, prec: u32) -> Claim {
    let e = eval(tm, l, prec);
    let mut kl_fp = Enc::zero(prec);
    let mut kl_pf = Enc::zero(prec);
    let mut mean_phi = Enc::zero(prec);
    for (j, phi) in e.phi.iter().enumerate() {
        let p = Enc::from_rational(&tm.p[j], prec);
        kl_fp = kl_fp.add(&Enc::xlogxy(phi, &p, prec), prec);
        kl_pf = kl_pf.add(&Enc::xlogxy(&p, phi, prec), prec);
        mean_phi = mean_phi.add(&phi.mul_rational(&tm.r[j], prec), prec);
    }
    let lhs = mean_phi.sub(&Enc::from_rational(&tm.mean, prec), prec);
    let rhs = kl_fp.add(&kl_pf, prec).div(l, prec);
    equality(
        "REL-4",
        "E_phi r - E_p r = (D(phi||p) + D(p||phi)) / l",
        Value::Real(lhs),
        Value::Real(rhs),
        prec,
    )
}

/// REL-4 on a case at `l = l_Delta`, `1` and `-1/2`.
pub fn rel4_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let st = "Jeffreys identity of the tilt: E_phi r - E_p r = (D(phi||p) + D(p||phi)) / l at l = l_Delta, 1, -1/2";
    let Some(ld) = lambda_delta(&case.tm, &case.delta, prec)? else {
        return Ok(vec![Claim::unknown("REL-4", st, prec)]);
    };
    let ls = [
        ld,
        Enc::from_i64(1, prec),
        Enc::from_rational(&Rational::from((-1, 2)), prec),
    ];
    let g: Vec<Claim> = ls.iter().map(|l| rel4_at(&case.tm, l, prec)).collect();
    Ok(combine("REL-4", st, Kind::Equality, g).into_iter().collect())
}

// ---------------------------------------------------------------------------------------------
// REL-5: soft best-of-N
// ---------------------------------------------------------------------------------------------

/// Soft best-of-N by brute force over all `N`-tuples of tokens: each tuple has probability
/// `prod p(y_i)` and returns position `i` with probability `w(y_i) / sum_k w(y_k)` (exact token
/// weights `w`). Returns `pi(y)` on the support of `tm`.
pub fn soft_brute(tm: &TiltModel, w_tok: &[Rational], n_samples: u32) -> Vec<Rational> {
    let k = tm.p.len();
    let mut acc = vec![Rational::new(); k];
    let mut idx = vec![0usize; n_samples as usize];
    loop {
        let mut pr = Rational::from(1);
        let mut tot = Rational::new();
        for &i in &idx {
            pr *= &tm.p[i];
            tot += &w_tok[i];
        }
        for &i in &idx {
            acc[i] += Rational::from(&pr * &w_tok[i]) / &tot;
        }
        let mut pos = 0;
        loop {
            if pos == idx.len() {
                return acc;
            }
            idx[pos] += 1;
            if idx[pos] < k {
                break;
            }
            idx[pos] = 0;
            pos += 1;
        }
    }
}

/// REL-5 brute force on one token at `N` with `e^{lambda/L} = t` (`L` the reward scale, so the
/// token weights `t^{L r(y) - m_0}` are exact): `sum_y |pi_brute(y) - p(y) Q(s(y))/q(s(y))| = 0`.
pub fn rel5_brute(case: &Case, t: &Rational, n_samples: u32) -> Claim {
    let tm = &case.tm;
    let law = law_of(case, 1);
    let w = soft::lattice_weights(&law, t).expect("t > 0");
    let big_q = soft::law_exact(&law, &w, n_samples);
    // token weights: the weight of the token's level
    let map: std::collections::BTreeMap<Rational, usize> =
        (0..law.len()).map(|j| (law.reward(j), j)).collect();
    let lev: Vec<usize> = tm.r.iter().map(|r| map[r]).collect();
    let w_tok: Vec<Rational> = lev.iter().map(|&j| w[j].clone()).collect();
    let brute = soft_brute(tm, &w_tok, n_samples);
    let dist: Rational = (0..tm.p.len())
        .map(|i| {
            let j = lev[i];
            let closed = Rational::from(&tm.p[i] * &big_q[j]) / law.prob(j);
            (&brute[i] - closed).abs()
        })
        .sum();
    exact_eq(
        "REL-5.brute",
        &format!("soft best-of-N: brute force over all N-tuples = closed form exactly, N = {n_samples}, e^(lambda/L) = {t}"),
        dist,
        Rational::new(),
    )
}

/// REL-5 on a case: brute force (`N = 2, 3, 4` when `k^N <= 4096`, `e^{lambda/L} = 2` and `1/3`);
/// `sum Q = 1` and `lambda = 0` gives `q`, both exactly; and soft best-of-N (`N = 4`, `lambda = 1`,
/// certified) lies below the reward and the win-rate frontiers at its own KL.
pub fn rel5_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let k = case.tm.p.len();
    let (mut g1, mut g2, mut g3) = (vec![], vec![], vec![]);
    let law = law_of(case, 1);
    for m in [2u32, 3, 4] {
        if (k as f64).powi(m as i32) > 4096.0 {
            continue;
        }
        for t in [Rational::from(2), Rational::from((1, 3))] {
            g1.push(rel5_brute(case, &t, m));
        }
    }
    for m in [2u32, 5] {
        let w = soft::lattice_weights(&law, &Rational::from(3)).expect("t > 0");
        let q = soft::law_exact(&law, &w, m);
        g2.push(exact_eq(
            "REL-5.exact",
            "sum_j Q_j = 1",
            q.iter().sum(),
            Rational::from(1),
        ));
        let ones = vec![Rational::from(1); law.len()];
        let q0 = soft::law_exact(&law, &ones, m);
        let dist: Rational = q0.iter().enumerate().map(|(j, x)| (x - law.prob(j)).abs()).sum();
        g2.push(exact_eq(
            "REL-5.exact",
            "lambda = 0 gives q",
            dist,
            Rational::new(),
        ));
    }
    let w = soft::weights_enc(&law, &Rational::from(1), prec);
    let big_q = soft::law_enc(&law, &w, 4, prec);
    g3.extend(frontier_claims(&law, &big_q, "REL-5.frontier", prec));
    Ok([
        combine(
            "REL-5.brute",
            "soft best-of-N law N q_j w_j E[1/(w_j + X)] equals brute force over all N-tuples exactly, N = 2, 3, 4, e^(lambda/L) = 2, 1/3",
            Kind::Equality,
            g1,
        ),
        combine(
            "REL-5.exact",
            "soft best-of-N: sum_j Q_j = 1 and lambda = 0 gives the reference, exactly, N = 2, 5",
            Kind::Equality,
            g2,
        ),
        combine(
            "REL-5.frontier",
            "soft best-of-N (N = 4, lambda = 1): E r <= x*(D) and W <= W*(D) at its own KL D",
            Kind::Inequality,
            g3,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

// ---------------------------------------------------------------------------------------------
// REL-6: best-of-Poisson
// ---------------------------------------------------------------------------------------------

/// A CDF map `G(u)` (exact `u`, working precision) giving a level law `G(F) - G(F-)`.
pub type CdfMap<'a> = dyn Fn(&Rational, u32) -> Enc + 'a;

/// REL-6 against the truncated Poisson mixture: the level law from the CDF map `g` equals,
/// level by level, `sum_k e^{-mu} mu^k/k! (F^{k+1} - F-^{k+1})` enclosed with a rigorous tail
/// bound. With the correct map `G(u) = u e^{mu (u-1)}` this holds; a wrong map is caught.
pub fn rel6_poisson_with(law: &LevelLaw, mu: &Rational, g: &CdfMap, id: &str, prec: u32) -> Vec<Claim> {
    let closed = bop::law_from_cdf_map(law, g, prec);
    let series = bop::truncated_poisson_sum(law, mu, prec);
    closed
        .into_iter()
        .zip(series)
        .enumerate()
        .map(|(j, (a, b))| {
            equality(
                id,
                &format!(
                    "level {j}: G(F) - G(F-) = Poisson mixture of F^(k+1) - F-^(k+1), mu = {mu}, n = {}",
                    law.n
                ),
                Value::Real(a),
                Value::Real(b),
                prec,
            )
        })
        .collect()
}

/// REL-6 on a case: the closed form (generic and cancellation-free forms) against the truncated
/// Poisson mixture for `mu = 1/2, 2, 5` at `n <= 5`; `mu = 0` gives `q`; best-of-Poisson
/// (`mu = 3`) below the frontiers at its own KL.
pub fn rel6_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let (mut g1, mut g2, mut g3) = (vec![], vec![], vec![]);
    let ns = rel_ns(case);
    for &n in &ns {
        let law = law_of(case, n);
        for mu in [Rational::from((1, 2)), Rational::from(2), Rational::from(5)] {
            let g = |u: &Rational, p: u32| bop::cdf_map(u, &mu, p);
            g1.extend(rel6_poisson_with(&law, &mu, &g, "REL-6.poisson", prec));
            let stable = bop::law(&law, &mu, prec);
            let series = bop::truncated_poisson_sum(&law, &mu, prec);
            for (a, b) in stable.into_iter().zip(series) {
                g1.push(equality(
                    "REL-6.poisson",
                    "e^(-mu T) (q - F- expm1(-mu q)) = Poisson mixture",
                    Value::Real(a),
                    Value::Real(b),
                    prec,
                ));
            }
        }
        let b0 = bop::law(&law, &Rational::new(), prec);
        for (j, b) in b0.into_iter().enumerate() {
            g2.push(equality(
                "REL-6.mu0",
                "mu = 0 gives q",
                Value::Real(b),
                Value::Exact(law.prob(j)),
                prec,
            ));
        }
    }
    let law = law_of(case, 1);
    let b = bop::law(&law, &Rational::from(3), prec);
    g3.extend(frontier_claims(&law, &b, "REL-6.frontier", prec));
    let tail = format!("mu = 1/2, 2, 5; n = {}", list_text(&ns));
    Ok([
        combine(
            "REL-6.poisson",
            &format!("best-of-Poisson: F e^(mu(F-1)) - F- e^(mu(F- - 1)) = truncated Poisson mixture of BON-1 laws (rigorous tail), {tail}"),
            Kind::Equality,
            g1,
        ),
        combine(
            "REL-6.mu0",
            &format!("best-of-Poisson with mu = 0 is the reference, n = {}", list_text(&ns)),
            Kind::Equality,
            g2,
        ),
        combine(
            "REL-6.frontier",
            "best-of-Poisson (mu = 3): E r <= x*(D) and W <= W*(D) at its own KL D",
            Kind::Inequality,
            g3,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

/// The slip of a published best-of-Poisson script: `u e^{mu (1 - u)}` where the formula has
/// `u e^{mu (u - 1)}`. Deliberately wrong (for `check --false-claim poisson-slip`).
pub fn slipped_cdf_map(u: &Rational, mu: &Rational, prec: u32) -> Enc {
    let x = mu * Rational::from(1u32 - u);
    Enc::from_rational(&x, prec).exp(prec).mul_rational(u, prec)
}

/// The deliberately false claim `poisson-slip`: REL-6 with [`slipped_cdf_map`] on one token of
/// the case, `mu = 2`: must be reported violated.
pub fn poisson_slip(case: &Case, prec: u32) -> Result<Claim> {
    let law = law_of(case, 1);
    let mu = Rational::from(2);
    let g = |u: &Rational, p: u32| slipped_cdf_map(u, &mu, p);
    let claims = rel6_poisson_with(&law, &mu, &g, "REL-6.slip", prec);
    Ok(combine(
        "REL-6.slip",
        "DELIBERATELY WRONG: best-of-Poisson with e^(mu(1-u)) for e^(mu(u-1)) equals the Poisson mixture, one token, mu = 2",
        Kind::Equality,
        claims,
    )
    .expect("at least one level"))
}

// ---------------------------------------------------------------------------------------------
// REL-7: the win-rate-optimal policy
// ---------------------------------------------------------------------------------------------

/// The win rate by its definition, `P(r(Y) > r(Y')) + P(r(Y) = r(Y'))/2` over token pairs,
/// exact (for REL-7.linear).
pub fn win_rate_pairs(tm: &TiltModel, pi: &[Rational]) -> Rational {
    let mut acc = Rational::new();
    for (a, pa) in pi.iter().enumerate() {
        for (b, pb) in tm.p.iter().enumerate() {
            let pr = Rational::from(pa * pb);
            match tm.r[a].cmp(&tm.r[b]) {
                std::cmp::Ordering::Greater => acc += pr,
                std::cmp::Ordering::Equal => acc += pr / 2u32,
                std::cmp::Ordering::Less => {}
            }
        }
    }
    acc
}

/// REL-7 on a case (one token): `W(pi, p) = sum_j Q_j w_j` with the mid-rank, exactly, for
/// best-of-N `N = 2, 3, 7` and for a seeded random policy (the linearity behind the reduction to
/// TILT-1); best-of-N's win rate below the win-rate frontier at its own KL; at the case's budget,
/// the win-rate tilt's win rate at least the reward tilt's, and its reward at most `x*`.
pub fn rel7_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let tm = &case.tm;
    let law = law_of(case, 1);
    let lv = Levels::new(law.clone());
    let w = mid_ranks(&law);
    let map: std::collections::BTreeMap<Rational, usize> =
        (0..law.len()).map(|j| (law.reward(j), j)).collect();
    let lev: Vec<usize> = tm.r.iter().map(|r| map[r]).collect();
    let (mut g1, mut g2, mut g3) = (vec![], vec![], vec![]);
    let wm = wro::mid_rank_model(&law);
    for m in SMALL_N {
        let ex = ExactBon::new(&lv, m);
        let pi: Vec<Rational> = (0..tm.p.len())
            .map(|i| Rational::from(&tm.p[i] * &ex.pn[lev[i]]) / &ex.ps[lev[i]])
            .collect();
        let lin: Rational = ex.pn.iter().zip(&w).map(|(a, b)| Rational::from(a * b)).sum();
        g1.push(exact_eq(
            "REL-7.linear",
            "W by pairs = sum Q w",
            win_rate_pairs(tm, &pi),
            lin,
        ));
        let (kl, _, wr) = stats_exact(&law, &ex.pn, prec);
        match wro::frontier_at(&wm, &kl, prec) {
            Some(x) => g2.push(below_frontier(
                "REL-7.bon",
                &format!("W(pi_N) <= W*(D(pi_N||p)), N = {m}"),
                Value::Exact(wr),
                Value::Real(x),
                law.len() <= 2,
                prec,
            )),
            None => g2.push(Claim::unknown("REL-7.bon", "frontier", prec)),
        }
    }
    // a seeded policy on the support: its level law is what W sees
    let phi = super::tilt::seeded_phi(tm, case.seed);
    let phi_s: Vec<Rational> = tm.idx.iter().map(|&i| phi[i].clone()).collect();
    let mut ql = vec![Rational::new(); law.len()];
    for (i, x) in phi_s.iter().enumerate() {
        ql[lev[i]] += x;
    }
    let lin: Rational = ql.iter().zip(&w).map(|(a, b)| Rational::from(a * b)).sum();
    g1.push(exact_eq(
        "REL-7.linear",
        "W by pairs = sum Q w",
        win_rate_pairs(tm, &phi_s),
        lin,
    ));
    // at the case's budget: the win-rate tilt against the reward tilt (both at KL = Delta);
    // they coincide when the mid-rank is an affine function of the reward on the levels
    // (always on two levels; e.g. s = 0, 2, 3 with q = 9/17, 7/17, 1/17), decided exactly
    let same = law.len() <= 2 || {
        let slope = |j: usize| Rational::from(&w[j + 1] - &w[j]) / (law.reward(j + 1) - law.reward(j));
        (1..law.len() - 1).all(|j| slope(j) == slope(0))
    };
    let rm = wro::reward_model(&law);
    match (
        wro::at_budget(&wm, &case.delta, prec),
        wro::at_budget(&rm, &case.delta, prec),
    ) {
        (Some(win_opt), Some(rew_opt)) => {
            let rew_tilt_w: Enc = Enc::sum(
                rew_opt
                    .phi
                    .iter()
                    .zip(&w)
                    .map(|(f, wj)| f.mul_rational(wj, prec))
                    .collect::<Vec<_>>()
                    .iter(),
                prec,
            );
            g3.push(below_frontier(
                "REL-7.optimal",
                "W(reward tilt) <= W(win-rate tilt) at KL = Delta",
                Value::Real(rew_tilt_w),
                Value::Real(win_opt.value.clone()),
                same,
                prec,
            ));
            let win_tilt_r: Enc = Enc::sum(
                win_opt
                    .phi
                    .iter()
                    .enumerate()
                    .map(|(j, f)| f.mul_rational(&law.reward(j), prec))
                    .collect::<Vec<_>>()
                    .iter(),
                prec,
            );
            g3.push(below_frontier(
                "REL-7.optimal",
                "E r(win-rate tilt) <= x*(Delta)",
                Value::Real(win_tilt_r),
                Value::Real(rew_opt.value),
                same,
                prec,
            ));
        }
        _ => g3.push(Claim::unknown("REL-7.optimal", "tilts", prec)),
    }
    Ok([
        combine(
            "REL-7.linear",
            "W(pi, p) = P(r(Y) > r(Y')) + P(=)/2 equals sum_j Q_j w_j with the mid-rank w = F- + q/2, exactly (best-of-N N = 2, 3, 7; a seeded policy)",
            Kind::Equality,
            g1,
        ),
        combine(
            "REL-7.bon",
            "best-of-N below the win-rate frontier: W(pi_N) <= W*(D(pi_N||p)), N = 2, 3, 7",
            Kind::Inequality,
            g2,
        ),
        combine(
            "REL-7.optimal",
            "at KL = Delta the win-rate tilt (TILT-1 with reward w) beats the reward tilt on W, and loses on E r",
            Kind::Inequality,
            g3,
        ),
    ]
    .into_iter()
    .flatten()
    .collect())
}

/// A violated REL-2 conjecture claim: the counterexample statement to print prominently.
pub fn is_counterexample(c: &Claim) -> bool {
    c.id == "REL-2.conjecture" && c.status == Status::Violated
}
