//! Claims of MATH.md §5 (LDP-2: finite-n large-deviation bounds and trends) and §6 (ASY-1 ..
//! ASY-7: the asymptotic equivalence of best-of-N with `N = ceil(e^{n Delta})` and the
//! KL-constrained optimum, with its rates).
//!
//! # How limits are checked
//! A limit is never checked as an equality at a finite `n`. Each limit statement is checked along
//! a grid of `n` (the built-in examples use `n = 10, 20, 40, ..., 10240`) by certified
//! comparisons between consecutive grid points (the gap to the limit *strictly shrinks*), and by
//! rate bounds at every grid point with a stated constant (the gap follows the ASY-4/5/6 rate).
//! Every quantity at a grid point is an enclosure from the exact level law
//! ([`crate::report::sweep::sweep_row`], the rows printed by `alignexact sweep`).
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

use super::registry::{abs_enc, combine, exact_le, list_text, strict, Case, Kind};
use super::sequences::ln_tilted_law;
use super::tilt::lambda_delta;
use super::{inequality, Claim};
use crate::error::Result;
use crate::exact::dist::Model;
use crate::exact::level_law::{level_law, LevelLaw, Route};
use crate::math::asymptotics::lattice_span;
use crate::math::best_of_n::{self as bon, integer_n, Levels, NRule};
use crate::math::divergence::kl;
use crate::math::large_deviations as ld;
use crate::math::tilt::{cumulants, eval, TiltModel};
use crate::real::Enc;
use crate::report::best_of_n::{compare_value, SampleCount};
use crate::report::sweep::{ln_n_excess, sweep_row};
use crate::report::Value;
use rug::ops::Pow;
use rug::{Float, Integer, Rational};

// ---------------------------------------------------------------------------------------------
// tolerances of the rate claims (stated once, documented in proofs/asymptotics.md)
// ---------------------------------------------------------------------------------------------

/// ASY-1: `|gap / (ln n/(2 l n)) - 1| <= 1/2` on the grid.
pub const ASY1_RATIO_TOL: (i64, i64) = (1, 2);
/// ASY-2: `n Delta - D(pi_N||p^n) <= 2` on the grid (the per-token gap is at most `2/n`).
pub const ASY2_CONST: i64 = 2;
/// ASY-4: `|n (gap - ln n/(2 l n))| <= 1` on the grid.
pub const ASY4_CONST: i64 = 1;
/// ASY-5: `|D(pi_N||phi^n) - (1/2) ln n| <= 2` on the grid.
pub const ASY5_CONST: i64 = 2;
/// ASY-6: `n |c_n - c(phase_n)| / ln n <= 1` on the grid.
pub const ASY6_CONST: i64 = 1;
/// ASY-7: `n |E S_n - E_lattice - second order| <= 6` on the grid.
pub const ASY7_SECOND_CONST: i64 = 6;
/// LDP-2: `n |P(S_n >= n x) / BR_n - 1| <= 2` and `n d_n / ln n <= 1` on the LDP grid.
pub const LDP2_BR_CONST: i64 = 2;
/// The fixed sample count of the "fixed N" remark of §6.
pub const FIXED_N: u32 = 4;

fn q(a: i64, b: i64) -> Rational {
    Rational::from((a, b))
}

fn ln_u(n: u64, prec: u32) -> Enc {
    if n == 1 {
        Enc::zero(prec)
    } else {
        Enc::from_rational(&Rational::from(n), prec).ln(prec)
    }
}

/// `n = 10, 20, ..., 10240` style text for a grid.
fn grid_text(g: &[u64]) -> String {
    if g.len() > 4 {
        format!("n = {}, {}, ..., {}", g[0], g[1], g[g.len() - 1])
    } else {
        format!("n = {}", list_text(g))
    }
}

/// The exact upper tail `P(S_n >= t)` of a level law.
pub fn exact_tail(law: &LevelLaw, t: &Rational) -> Rational {
    (0..law.len())
        .filter(|&j| law.reward(j) >= *t)
        .map(|j| law.prob(j))
        .sum()
}

// ---------------------------------------------------------------------------------------------
// LDP-2
// ---------------------------------------------------------------------------------------------

/// `n!/prod c_a! prod q_a^{c_a}`, the exact probability of the type class `T_c` under `q^n`.
pub fn type_class_prob(c: &[u64], qv: &[Rational]) -> Rational {
    let n: u64 = c.iter().sum();
    let mut num = Integer::from(Integer::factorial(n as u32));
    for &ca in c {
        num /= Integer::from(Integer::factorial(ca as u32));
    }
    let mut out = Rational::from(num);
    for (ca, qa) in c.iter().zip(qv) {
        out *= Rational::from(qa.pow(*ca as u32));
    }
    out
}

/// Three types of length `n` over the support: the rounded `n q` (remainder on the most likely
/// token), all on the first token, and a seeded pseudo-random composition.
pub fn test_types(qv: &[Rational], n: u64, seed: u64) -> Vec<Vec<u64>> {
    let k = qv.len();
    let mut a: Vec<u64> = qv
        .iter()
        .map(|x| Rational::from(x * n).floor().numer().to_u64().unwrap_or(0))
        .collect();
    let rest = n - a.iter().sum::<u64>();
    let top = (0..k)
        .max_by(|&i, &j| qv[i].cmp(&qv[j]).then(j.cmp(&i)))
        .unwrap_or(0);
    a[top] += rest;
    let mut b = vec![0u64; k];
    b[0] = n;
    let mut rng = super::registry::SplitMix64(seed ^ n);
    let mut c = vec![0u64; k];
    for _ in 0..n {
        c[rng.below(k as u64) as usize] += 1;
    }
    let mut out = vec![a];
    for t in [b, c] {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// LDP-2 on a case:
/// - `LDP-2.chernoff`: `P_{p^n}(S_n >= n x) <= e^{-n I_0(x)}` (exact tail from the level law) for
///   `x` a quarter and a half of the way from `E_p r` to `r_max`;
/// - `LDP-2.chernoff-aligned`: `P_{phi^n}(S_n >= n x) <= e^{-n I_Delta(x)}` for `x` halfway from
///   `x*` to `r_max` (tail of the tilted level law);
/// - `LDP-2.types-upper`, `LDP-2.types-lower`: `(n+1)^{-k} e^{-n D(c/n||q)} <= q^n(T_c) <= e^{-n D(c/n||q)}`
///   for three types per `n`, `q = p` on its support (`k` = support size);
///
/// at every `n` of the case and `n = 20`; and on a case with a lattice-aligned `ldp_x` (the
/// examples), along `ldp_grid`, the trends [`ldp2_trends`].
pub fn ldp2_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let tm = &case.tm;
    let mut ns = case.ns.clone();
    ns.push(20);
    let nl = list_text(&ns);
    let xs = [
        (Rational::from(&tm.mean * 3u32) + &tm.r_max) / 4u32,
        Rational::from(&tm.mean + &tm.r_max) / 2u32,
    ];
    let (mut g_ch, mut g_al, mut g_up, mut g_lo) = (vec![], vec![], vec![], vec![]);
    let l = lambda_delta(tm, &case.delta, prec)?;
    // x halfway between x* and r_max, on a 10^-6 grid, from a fixed 64-bit evaluation
    let x_al = lambda_delta(tm, &case.delta, 64)?.and_then(|l64| {
        let xs64 = eval(tm, &l64, 64).mu;
        let hi = xs64.hi().to_rational()?;
        let mid = Rational::from(&hi + &tm.r_max) / 2u32;
        let x = Rational::from((
            Rational::from(&mid * 1_000_000u32).floor().numer().clone(),
            Integer::from(1_000_000),
        ));
        (x > hi && x < tm.r_max).then_some(x)
    });
    let kq = tm.p.len() as u64;
    for &n in &ns {
        let law = level_law(case.model.probs(), &case.model.r, n, Route::Auto);
        let nr = Rational::from(n);
        for x in &xs {
            let Some((_, i0)) = ld::rate_reference(tm, x, prec) else {
                g_ch.push(Claim::unknown("LDP-2.chernoff", "", prec));
                continue;
            };
            let tail = exact_tail(&law, &Rational::from(x * &nr));
            let bound = i0.mul_rational(&nr, prec).neg().exp(prec);
            g_ch.push(inequality(
                "LDP-2.chernoff",
                "",
                Value::Exact(tail),
                Value::Real(bound),
                prec,
            ));
        }
        if let (Some(x), Some(l)) = (&x_al, &l) {
            match ld::rate_aligned(tm, x, l, prec) {
                Some(ia) => {
                    let n_psi = eval(tm, l, prec).psi.mul_rational(&nr, prec);
                    let lphi = ln_tilted_law(&law, l, &n_psi, prec);
                    let t = Rational::from(x * &nr);
                    let terms: Vec<Enc> = (0..law.len())
                        .filter(|&j| law.reward(j) >= t)
                        .map(|j| lphi[j].exp(prec))
                        .collect();
                    let tail = Enc::sum(terms.iter(), prec);
                    let bound = ia.mul_rational(&nr, prec).neg().exp(prec);
                    g_al.push(inequality(
                        "LDP-2.chernoff-aligned",
                        "",
                        Value::Real(tail),
                        Value::Real(bound),
                        prec,
                    ));
                }
                None => g_al.push(Claim::unknown("LDP-2.chernoff-aligned", "", prec)),
            }
        }
        for c in test_types(&tm.p, n, case.seed) {
            let pt = type_class_prob(&c, &tm.p);
            let cn: Vec<Rational> = c.iter().map(|&x| Rational::from((x, n))).collect();
            let d = kl(&cn, &tm.p, prec);
            let up = d.mul_rational(&nr, prec).neg().exp(prec);
            // a type class of one sequence (all n on token a): the upper bound is attained,
            // e^{-n D(c/n||q)} = q_a^n exactly, so it is compared exactly
            let point = c.iter().position(|&x| x == n);
            let up_v = match point {
                Some(a) => Value::Exact(tm.p[a].clone().pow(n as u32)),
                None => Value::Real(up.clone()),
            };
            let lo = up.div(
                &Enc::from_integer(&Integer::from(n + 1).pow(kq as u32), prec),
                prec,
            );
            g_up.push(match (&up_v, point) {
                (Value::Exact(b), Some(_)) => exact_le("LDP-2.types-upper", "", pt.clone(), b.clone()),
                _ => inequality("LDP-2.types-upper", "", Value::Exact(pt.clone()), up_v, prec),
            });
            g_lo.push(inequality(
                "LDP-2.types-lower",
                "",
                Value::Real(lo),
                Value::Exact(pt),
                prec,
            ));
        }
    }
    let mut out: Vec<Claim> = vec![
        combine(
            "LDP-2.chernoff",
            &format!(
                "P_(p^n)(S_n >= n x) <= e^(-n I_0(x)), exact tail, x = {} and {}, n = {nl}",
                xs[0], xs[1]
            ),
            Kind::Inequality,
            g_ch,
        ),
        combine(
            "LDP-2.chernoff-aligned",
            &format!(
                "P_(phi^n)(S_n >= n x) <= e^(-n I_Delta(x)), x = {} (between x* and r_max), n = {nl}",
                x_al.as_ref().map(|x| x.to_string()).unwrap_or_default()
            ),
            Kind::Inequality,
            g_al,
        ),
        combine(
            "LDP-2.types-upper",
            &format!("q^n(T_c) <= e^(-n D(c/n || q)), three types per n, n = {nl}"),
            Kind::Inequality,
            g_up,
        ),
        combine(
            "LDP-2.types-lower",
            &format!("(n+1)^(-k) e^(-n D(c/n || q)) <= q^n(T_c), three types per n, n = {nl}"),
            Kind::Inequality,
            g_lo,
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Some(x) = &case.ldp_x {
        out.extend(ldp2_trends(case, x, &case.ldp_grid, prec));
    }
    Ok(out)
}

/// LDP-2 trends along a grid at a point `x` above the mean with `n x` on the lattice of `S_n` for
/// every grid `n`:
/// - `LDP-2.limit-shrink`: `d_n = -(1/n) ln P(S_n >= n x) - I_0(x)` (`>= 0` by Chernoff) strictly
///   decreases along the grid; `LDP-2.limit-rate`: `n d_n / ln n <= 1`;
/// - `LDP-2.bahadur-rao-shrink`: `|P(S_n >= n x) / BR_n - 1|` strictly decreases, with
///   `BR_n = h e^{-n I_0(x)} / (sqrt(2 pi n s2) (1 - e^{-theta h}))`; `LDP-2.bahadur-rao-rate`:
///   `n |ratio - 1| <= 2` (relative error `O(1/n)`).
pub fn ldp2_trends(case: &Case, x: &Rational, grid: &[u64], prec: u32) -> Vec<Claim> {
    let tm = &case.tm;
    let h = lattice_span(tm);
    let gt = grid_text(grid);
    let ids = [
        "LDP-2.limit-shrink",
        "LDP-2.limit-rate",
        "LDP-2.bahadur-rao-shrink",
        "LDP-2.bahadur-rao-rate",
    ];
    let st = [
        format!("-(1/n) ln P(S_n >= n x) - I_0(x) > 0 strictly decreases along {gt}, x = {x}"),
        format!("n [-(1/n) ln P(S_n >= n x) - I_0(x)] / ln n <= 1 on {gt}, x = {x}"),
        format!("|P(S_n >= n x) / Bahadur-Rao(n) - 1| strictly decreases along {gt}, x = {x}"),
        format!("n |P(S_n >= n x) / Bahadur-Rao(n) - 1| <= {LDP2_BR_CONST} on {gt}, x = {x}"),
    ];
    let unknown = || {
        (0..4)
            .map(|i| Claim::unknown(ids[i], &st[i], prec))
            .collect::<Vec<_>>()
    };
    let aligned = grid.iter().all(|&n| {
        let v = (Rational::from(x - &tm.r_min) * n) / &h;
        *v.denom() == 1
    });
    if !aligned || *x <= tm.mean || *x >= tm.r_max {
        return unknown();
    }
    let Some((Some(theta), i0)) = ld::rate_reference(tm, x, prec) else {
        return unknown();
    };
    let s2 = eval(tm, &theta, prec).var;
    let he = Enc::from_rational(&h, prec);
    let two_pi = Enc::pi(prec).mul_rational(&q(2, 1), prec);
    let denom_c = theta.mul(&he, prec).neg().expm1(prec).neg(); // 1 - e^{-theta h}
    let (mut d, mut dev) = (vec![], vec![]);
    for &n in grid {
        let law = level_law(case.model.probs(), &case.model.r, n, Route::Auto);
        let nr = Rational::from(n);
        let tail = exact_tail(&law, &Rational::from(x * &nr));
        let lt = Enc::from_rational(&tail, prec).ln(prec);
        d.push(
            lt.mul_rational(&Rational::from((-1, n as i64)), prec)
                .sub(&i0, prec),
        );
        let ln_br = he
            .ln(prec)
            .sub(&i0.mul_rational(&nr, prec), prec)
            .sub(
                &two_pi.mul_rational(&nr, prec).mul(&s2, prec).sqrt(prec).ln(prec),
                prec,
            )
            .sub(&denom_c.ln(prec), prec);
        let ratio = lt.sub(&ln_br, prec).exp(prec);
        dev.push(abs_enc(&ratio.sub(&Enc::from_i64(1, prec), prec)));
    }
    let shrink = |id: &str, st: &str, v: &[Enc]| -> Claim {
        let cs: Vec<Claim> = v
            .windows(2)
            .map(|w| strict(id, st, Value::Real(w[1].clone()), Value::Real(w[0].clone()), prec))
            .collect();
        combine(id, st, Kind::Inequality, cs).expect("grid of at least two points")
    };
    let rate = |id: &str, st: &str, v: &[Enc], scale: &dyn Fn(u64) -> Enc, k: i64| -> Claim {
        let cs: Vec<Claim> = v
            .iter()
            .zip(grid)
            .map(|(e, &n)| {
                inequality(
                    id,
                    st,
                    Value::Real(e.mul(&scale(n), prec)),
                    Value::Exact(Rational::from(k)),
                    prec,
                )
            })
            .collect();
        combine(id, st, Kind::Inequality, cs).expect("non-empty grid")
    };
    let n_over_ln = |n: u64| Enc::from_rational(&Rational::from(n), prec).div(&ln_u(n, prec), prec);
    let n_only = |n: u64| Enc::from_rational(&Rational::from(n), prec);
    vec![
        shrink(ids[0], &st[0], &d),
        rate(ids[1], &st[1], &d, &n_over_ln, 1),
        shrink(ids[2], &st[2], &dev),
        rate(ids[3], &st[3], &dev, &n_only, LDP2_BR_CONST),
    ]
}

// ---------------------------------------------------------------------------------------------
// the series of the limit claims
// ---------------------------------------------------------------------------------------------

/// One grid point of the sweep.
#[derive(Clone, Debug)]
pub struct Row {
    /// The sequence length.
    pub n: u64,
    /// `N = ceil(e^{n Delta})`.
    pub big_n: Integer,
    /// `ln N`.
    pub ln_big_n: Enc,
    /// `eps = ln N - n Delta = ln(N e^{-n Delta})`.
    pub eps: Enc,
    /// `E_{pi_N} S_n`.
    pub e: Enc,
    /// `D(pi_N || p^n)`.
    pub kl_ref: Enc,
    /// `D(pi_N || phi^n)`.
    pub kl_tilt: Enc,
    /// The ASY-7 prediction of MATH.md (`sweep`'s `asy7_expected_reward`).
    pub pred7: Enc,
    /// `n (x* - E/n) - ln n/(2 l)` (`sweep`'s `asy4_scaled`).
    pub a: Enc,
    /// `D(pi_N||phi^n) - (1/2) ln n` (`asy5`).
    pub b: Enc,
    /// `n Delta - D(pi_N||p^n)` (`asy6_c`).
    pub c: Enc,
    /// `E - pred7` (`asy7`).
    pub r7: Enc,
    /// `E_{pi_N} S_n` for the fixed `N = FIXED_N`.
    pub e_fixed: Enc,
}

/// The sweep along a grid with the single-token constants at the optimum.
#[derive(Clone, Debug)]
pub struct Series {
    /// `l_Delta`.
    pub l: Enc,
    /// `x* = mu(l_Delta)`.
    pub x_star: Enc,
    /// `sigma^2 = psi''(l_Delta)`.
    pub var: Enc,
    /// `kappa_3 = psi'''(l_Delta)`.
    pub kappa3: Enc,
    /// The lattice span of the reward.
    pub h: Rational,
    /// `r_min` on the support.
    pub r_min: Rational,
    /// `E_p r`.
    pub mean: Rational,
    /// `Var_p r` (exact).
    pub var_p: Rational,
    /// The budget.
    pub delta: Rational,
    /// The rows, in grid order.
    pub rows: Vec<Row>,
}

fn enc_of(v: &Value, key: &str, prec: u32) -> Option<Enc> {
    super::value_enc(v.get(key)?, prec)
}

impl Series {
    /// Compute the sweep rows at `prec` (the level law of each `n` is built, used, dropped).
    /// `None` when a quantity did not certify at `prec` (the optimum, `N`).
    pub fn compute(
        model: &Model,
        tm: &TiltModel,
        delta: &Rational,
        grid: &[u64],
        prec: u32,
    ) -> Option<Series> {
        let l = lambda_delta(tm, delta, prec).ok()??;
        let cum = cumulants(tm, &l, 3, prec);
        let te = eval(tm, &l, prec);
        let var_p: Rational =
            tm.p.iter()
                .zip(&tm.r)
                .map(|(p, r)| p * Rational::from(r - &tm.mean).pow(2u32))
                .sum();
        let mut rows = Vec::with_capacity(grid.len());
        for &n in grid {
            let x = Rational::from(delta * n);
            let big_n = integer_n(&x, NRule::Ceil, 1 << 20)?;
            let count = SampleCount::Integer(big_n.clone());
            let lv = Levels::new(level_law(model.probs(), &model.r, n, Route::Auto));
            let row = sweep_row(tm, &lv, delta, &count, prec);
            let res = row.get("residuals")?;
            let pr = row.get("predictions")?;
            let ev = bon::eval(&lv, &Enc::from_i64(i64::from(FIXED_N), prec), prec);
            rows.push(Row {
                n,
                ln_big_n: count.ln(prec),
                eps: ln_n_excess(&count, &x, prec),
                big_n,
                e: enc_of(&row, "expected_reward_bon", prec)?,
                kl_ref: enc_of(&row, "kl_bon_reference", prec)?,
                kl_tilt: enc_of(&row, "kl_bon_tilted", prec)?,
                pred7: enc_of(pr, "asy7_expected_reward", prec)?,
                a: enc_of(res, "asy4_scaled", prec)?,
                b: enc_of(res, "asy5", prec)?,
                c: enc_of(res, "asy6_c", prec)?,
                r7: enc_of(res, "asy7", prec)?,
                e_fixed: bon::expected_reward(&lv, &ev, prec),
            });
        }
        Some(Series {
            x_star: te.mu,
            var: te.var,
            kappa3: cum[2].clone(),
            l,
            h: lattice_span(tm),
            r_min: tm.r_min.clone(),
            mean: tm.mean.clone(),
            var_p,
            delta: delta.clone(),
            rows,
        })
    }

    /// The grid.
    pub fn grid(&self) -> Vec<u64> {
        self.rows.iter().map(|r| r.n).collect()
    }
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
        .sub(&ln_u(n, prec).mul_rational(&q(1, 2), prec), prec)
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
    let ln_n = ln_u(row.n, prec);
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

// ---------------------------------------------------------------------------------------------
// ASY claims
// ---------------------------------------------------------------------------------------------

/// Strictly decreasing along the grid: `v[i+1] < v[i]` for every consecutive pair (one combined
/// claim; the worst pair is shown).
fn shrinking(id: &str, st: &str, v: &[Enc], prec: u32) -> Claim {
    let cs: Vec<Claim> = v
        .windows(2)
        .map(|w| strict(id, st, Value::Real(w[1].clone()), Value::Real(w[0].clone()), prec))
        .collect();
    combine(id, st, Kind::Inequality, cs).unwrap_or_else(|| Claim::unknown(id, st, prec))
}

/// `v[i] <= bound[i]` at every grid point (one combined claim).
fn bounded(id: &str, st: &str, v: &[Enc], bound: &[Value], prec: u32) -> Claim {
    let cs: Vec<Claim> = v
        .iter()
        .zip(bound)
        .map(|(x, b)| inequality(id, st, Value::Real(x.clone()), b.clone(), prec))
        .collect();
    combine(id, st, Kind::Inequality, cs).unwrap_or_else(|| Claim::unknown(id, st, prec))
}

fn consts(k: Rational, len: usize) -> Vec<Value> {
    vec![Value::Exact(k); len]
}

/// The ids of the claims of each ASY statement (for the undecided placeholders).
fn asy_ids(which: usize) -> &'static [&'static str] {
    match which {
        1 => &[
            "ASY-1.below",
            "ASY-1.shrink",
            "ASY-1.rate",
            "ASY-1.fixed-N",
            "ASY-1.fixed-N-shrink",
        ],
        2 => &["ASY-2.below", "ASY-2.shrink", "ASY-2.rate"],
        3 => &["ASY-3.shrink", "ASY-3.rate", "ASY-3.at-max", "ASY-3.above-max"],
        4 => &["ASY-4.bounded", "ASY-4.differences"],
        5 => &["ASY-5.bounded", "ASY-5.converges"],
        6 => &["ASY-6.positive", "ASY-6.limit", "ASY-6.converges", "ASY-6.rate"],
        _ => &[
            "ASY-7.paper",
            "ASY-7.not-1/n",
            "ASY-7.second-order",
            "ASY-7.shrink",
            "ASY-7.rate",
            "ASY-7.periodic",
        ],
    }
}

/// Undecided placeholders for the claims of `ASY-which` (the series did not certify).
pub fn asy_unknown(which: usize, prec: u32) -> Vec<Claim> {
    asy_ids(which)
        .iter()
        .map(|id| Claim::unknown(id, "the sweep did not certify at this precision", prec))
        .collect()
}

/// The claims of `ASY-which` (1..=7) on a series (see `proofs/asymptotics.md` for each one and
/// its tolerance).
pub fn asy_claims(case: &Case, s: &Series, which: usize, prec: u32) -> Vec<Claim> {
    let grid = s.grid();
    let gt = grid_text(&grid);
    let len = grid.len();
    let nrs: Vec<Rational> = grid.iter().map(|&n| Rational::from(n)).collect();
    let inv = |i: usize| Rational::from((1, grid[i]));
    let l = &s.l;
    let xs = &s.x_star;
    let delta = Enc::from_rational(&s.delta, prec);
    let lnn: Vec<Enc> = grid.iter().map(|&n| ln_u(n, prec)).collect();
    let ids = asy_ids(which);
    match which {
        1 => {
            let per: Vec<Enc> = (0..len)
                .map(|i| s.rows[i].e.mul_rational(&inv(i), prec))
                .collect();
            let gap: Vec<Enc> = per.iter().map(|e| xs.sub(e, prec)).collect();
            let lead: Vec<Enc> = (0..len)
                .map(|i| lnn[i].div(&l.mul_rational(&Rational::from(2 * grid[i]), prec), prec))
                .collect();
            let dev: Vec<Enc> = (0..len)
                .map(|i| abs_enc(&gap[i].div(&lead[i], prec).sub(&Enc::from_i64(1, prec), prec)))
                .collect();
            let (t0, t1) = ASY1_RATIO_TOL;
            // fixed N: E max of N i.i.d. with variance n Var_p r is at most mean + sqrt(n Var_p r) (N-1)/sqrt(2N-1)
            let nf = i64::from(FIXED_N);
            let sig0 = Enc::from_rational(&s.var_p, prec).sqrt(prec);
            let fgap: Vec<Enc> = (0..len)
                .map(|i| {
                    s.rows[i]
                        .e_fixed
                        .mul_rational(&inv(i), prec)
                        .sub(&Enc::from_rational(&s.mean, prec), prec)
                })
                .collect();
            let fb: Vec<Value> = (0..len)
                .map(|i| {
                    Value::Real(sig0.mul_rational(&q(nf - 1, 1), prec).div(
                        &Enc::from_rational(&Rational::from((2 * nf - 1) * grid[i] as i64), prec).sqrt(prec),
                        prec,
                    ))
                })
                .collect();
            vec![
                bounded(
                    ids[0],
                    &format!("(1/n) E_(pi_N) S_n <= x* (TILT-1 with D <= n Delta) on {gt}"),
                    &per,
                    &vec![Value::Real(xs.clone()); len],
                    prec,
                ),
                shrinking(ids[1], &format!("x* - (1/n) E_(pi_N) S_n strictly decreases along {gt}"), &gap, prec),
                bounded(
                    ids[2],
                    &format!("|(x* - E/n) / (ln n/(2 l n)) - 1| <= {t0}/{t1} on {gt} (ASY-4 rate)"),
                    &dev,
                    &consts(q(t0, t1), len),
                    prec,
                ),
                bounded(
                    ids[3],
                    &format!(
                        "fixed N = {FIXED_N}: (1/n) E S_n - E_p r <= sigma_p (N-1)/sqrt((2N-1) n) -> 0 on {gt}"
                    ),
                    &fgap,
                    &fb,
                    prec,
                ),
                shrinking(
                    ids[4],
                    &format!("fixed N = {FIXED_N}: (1/n) E S_n - E_p r strictly decreases along {gt}"),
                    &fgap,
                    prec,
                ),
            ]
        }
        2 => {
            let per: Vec<Enc> = (0..len)
                .map(|i| s.rows[i].kl_ref.mul_rational(&inv(i), prec))
                .collect();
            let gap: Vec<Enc> = per.iter().map(|d| delta.sub(d, prec)).collect();
            let c: Vec<Enc> = s.rows.iter().map(|r| r.c.clone()).collect();
            vec![
                bounded(
                    ids[0],
                    &format!("(1/n) D(pi_N || p^n) <= Delta on {gt}"),
                    &per,
                    &vec![Value::Real(delta.clone()); len],
                    prec,
                ),
                shrinking(
                    ids[1],
                    &format!("Delta - (1/n) D(pi_N || p^n) strictly decreases along {gt}"),
                    &gap,
                    prec,
                ),
                bounded(
                    ids[2],
                    &format!("n Delta - D(pi_N || p^n) <= {ASY2_CONST} on {gt} (gap O(1/n), ASY-6 rate)"),
                    &c,
                    &consts(Rational::from(ASY2_CONST), len),
                    prec,
                ),
            ]
        }
        3 => {
            let per: Vec<Enc> = (0..len)
                .map(|i| s.rows[i].kl_tilt.mul_rational(&inv(i), prec))
                .collect();
            let rate_b: Vec<Value> = (0..len)
                .map(|i| Value::Real(lnn[i].mul_rational(&inv(i), prec)))
                .collect();
            vec![
                shrinking(
                    ids[0],
                    &format!("(1/n) D(pi_N || phi^n) strictly decreases along {gt}"),
                    &per,
                    prec,
                ),
                bounded(
                    ids[1],
                    &format!("(1/n) D(pi_N || phi^n) <= ln n / n (twice the ASY-5 leading term) on {gt}"),
                    &per,
                    &rate_b,
                    prec,
                ),
                at_max(case, prec),
                above_max(case, prec),
            ]
        }
        4 => {
            let a: Vec<Enc> = s.rows.iter().map(|r| r.a.clone()).collect();
            let aa: Vec<Enc> = a.iter().map(abs_enc).collect();
            let amp = periodic_amplitude(l, &s.h, prec);
            let d: Vec<Enc> = a.windows(2).map(|w| abs_enc(&w[1].sub(&w[0], prec))).collect();
            let st_d = format!(
                "|a(n_(i+2)) - a(n_(i+1))| <= |a(n_(i+1)) - a(n_i)| + 2 A_per, a(n) = n (gap - ln n/(2 l n)), n_i >= 20, A_per = lattice periodic amplitude, on {gt}"
            );
            let cs: Vec<Claim> = d
                .windows(2)
                .skip(1)
                .map(|w| {
                    inequality(
                        ids[1],
                        &st_d,
                        Value::Real(w[1].clone()),
                        Value::Real(w[0].add(&amp.mul_rational(&q(2, 1), prec), prec)),
                        prec,
                    )
                })
                .collect();
            vec![
                bounded(
                    ids[0],
                    &format!("|n (x* - E/n) - ln n/(2 l)| <= {ASY4_CONST} on {gt}"),
                    &aa,
                    &consts(Rational::from(ASY4_CONST), len),
                    prec,
                ),
                combine(ids[1], &st_d, Kind::Inequality, cs)
                    .unwrap_or_else(|| Claim::unknown(ids[1], &st_d, prec)),
            ]
        }
        5..=7 => {
            let Some(res) = residuals(s, prec) else {
                return asy_unknown(which, prec);
            };
            match which {
                5 => {
                    let bb: Vec<Enc> = s.rows.iter().map(|r| abs_enc(&r.b)).collect();
                    let dg: Vec<Enc> = res.iter().map(|r| abs_enc(&r.d_gap)).collect();
                    vec![
                        bounded(
                            ids[0],
                            &format!("|D(pi_N || phi^n) - (1/2) ln n| <= {ASY5_CONST} on {gt}"),
                            &bb,
                            &consts(Rational::from(ASY5_CONST), len),
                            prec,
                        ),
                        shrinking(
                            ids[1],
                            &format!(
                                "|D(pi_N || phi^n) - D_lattice(n)| strictly decreases along {gt} (D_lattice = -c(phase) - l (E_lattice - n x*))"
                            ),
                            &dg,
                            prec,
                        ),
                    ]
                }
                6 => {
                    let c: Vec<Enc> = s.rows.iter().map(|r| r.c.clone()).collect();
                    let cl: Vec<Enc> = res.iter().map(|r| r.c_limit.clone()).collect();
                    let cg: Vec<Enc> = res.iter().map(|r| abs_enc(&r.c_gap)).collect();
                    let scaled: Vec<Enc> = (0..len)
                        .map(|i| cg[i].mul_rational(&nrs[i], prec).div(&lnn[i], prec))
                        .collect();
                    let zero_cs: Vec<Claim> = c
                        .iter()
                        .map(|x| {
                            strict(
                                ids[0],
                                "",
                                Value::Exact(Rational::new()),
                                Value::Real(x.clone()),
                                prec,
                            )
                        })
                        .collect();
                    let st0 = format!("c_n = n Delta - D(pi_N || p^n) > 0 on {gt}");
                    vec![
                        combine(ids[0], &st0, Kind::Inequality, zero_cs)
                            .unwrap_or_else(|| Claim::unknown(ids[0], &st0, prec)),
                        {
                            // BON-3 gives c_n >= (N-1)/N - eps_n; in the limit law c(phase) + eps >= 1
                            let st = format!("the lattice limit c(phase) + eps_n >= 1 (BON-3 in the limit), eps = ln(N e^(-n Delta)), on {gt}");
                            let cs: Vec<Claim> = cl
                                .iter()
                                .zip(&s.rows)
                                .map(|(x, r)| {
                                    inequality(
                                        ids[1],
                                        &st,
                                        Value::Exact(Rational::from(1)),
                                        Value::Real(x.add(&r.eps, prec)),
                                        prec,
                                    )
                                })
                                .collect();
                            combine(ids[1], &st, Kind::Inequality, cs)
                                .unwrap_or_else(|| Claim::unknown(ids[1], &st, prec))
                        },
                        shrinking(
                            ids[2],
                            &format!(
                                "|c_n - c(phase_n)| strictly decreases along {gt} (c = lattice-Gumbel limit)"
                            ),
                            &cg,
                            prec,
                        ),
                        bounded(
                            ids[3],
                            &format!("n |c_n - c(phase_n)| / ln n <= {ASY6_CONST} on {gt}"),
                            &scaled,
                            &consts(Rational::from(ASY6_CONST), len),
                            prec,
                        ),
                    ]
                }
                _ => {
                    let amp = periodic_amplitude(l, &s.h, prec);
                    let per: Vec<Enc> = res.iter().map(|r| abs_enc(&r.periodic)).collect();
                    let lat: Vec<Enc> = res.iter().map(|r| abs_enc(&r.lattice)).collect();
                    let coef = s.var.mul(&l.powi(3, prec), prec).mul_rational(&q(4, 1), prec);
                    let env: Vec<Enc> = (0..len)
                        .map(|i| lnn[i].square(prec).div(&coef, prec).mul_rational(&inv(i), prec))
                        .collect();
                    let n_lat: Vec<Enc> = (0..len).map(|i| lat[i].mul_rational(&nrs[i], prec)).collect();
                    let neg_n_lat: Vec<Enc> = n_lat.iter().map(|x| x.neg()).collect();
                    let sec: Vec<Enc> = (0..len)
                        .map(|i| {
                            abs_enc(&res[i].lattice.sub(&res[i].second, prec)).mul_rational(&nrs[i], prec)
                        })
                        .collect();
                    let paper: Vec<Enc> = res.iter().map(|r| abs_enc(&r.paper)).collect();
                    let paper_b: Vec<Value> = env.iter().map(|e| Value::Real(e.add(&amp, prec))).collect();
                    vec![
                        bounded(
                            ids[0],
                            &format!(
                                "MATH.md ASY-7 residual |E S_n - ASY-7 terms| <= (ln n)^2/(4 sigma^2 l^3 n) + A_per on {gt}"
                            ),
                            &paper,
                            &paper_b,
                            prec,
                        ),
                        shrinking(
                            ids[1],
                            &format!("n |E S_n - E_lattice(n)| strictly increases along {gt}: the residual is not O(1/n) here"),
                            &neg_n_lat,
                            prec,
                        ),
                        bounded(
                            ids[2],
                            &format!(
                                "n |E S_n - E_lattice(n) - S2(n)| <= {ASY7_SECOND_CONST}, S2 = (-(ln n)^2/(8 sigma^2 l^3) + b ln n)/n, on {gt}"
                            ),
                            &sec,
                            &consts(Rational::from(ASY7_SECOND_CONST), len),
                            prec,
                        ),
                        shrinking(
                            ids[3],
                            &format!("|E S_n - E_lattice(n)| strictly decreases along {gt} (E_lattice = ASY-7 terms + periodic term)"),
                            &lat,
                            prec,
                        ),
                        bounded(
                            ids[4],
                            &format!("|E S_n - E_lattice(n)| <= (ln n)^2 / (4 sigma^2 l^3 n) (twice the second-order term) on {gt}"),
                            &lat,
                            &env.iter().map(|e| Value::Real(e.clone())).collect::<Vec<_>>(),
                            prec,
                        ),
                        bounded(
                            ids[5],
                            &format!(
                                "|ASY-7 terms - lattice-Gumbel mean| <= A_per = (h/pi) sum_m |Gamma(1 + 2 pi i m/(l h))|/m on {gt}"
                            ),
                            &per,
                            &vec![Value::Real(amp.clone()); len],
                            prec,
                        ),
                    ]
                }
            }
        }
        _ => vec![],
    }
}

// ---------------------------------------------------------------------------------------------
// the Delta_max remarks of §6
// ---------------------------------------------------------------------------------------------

/// `P_N(top)` of best-of-N over `S_n` for an integer `N`: `1 - (1 - p(A_max)^n)^N` (the top level
/// `n r_max` has exact mass `p(A_max)^n`), certified in log space. Returns `(P_N(top), 1 - P_N(top))`.
fn top_mass(p_max: &Rational, n: u64, big_n: &Integer, prec: u32) -> (Enc, Enc) {
    let pt = Rational::from(p_max.pow(n as u32));
    let lnf = Enc::from_rational(&pt, prec).neg().ln_1p(prec);
    let miss = Enc::from_integer(big_n, prec).mul(&lnf, prec).exp(prec);
    (Enc::from_i64(1, prec).sub(&miss, prec), miss)
}

/// ASY-3 remark at `Delta = Delta_max`: with `N = ceil(e^{n Delta_max}) = ceil(p(A_max)^{-n})`
/// (exact), `|P_N(top) - (1 - 1/e)|` strictly decreases along `n = 1, 2, 4, 8, 16`.
pub fn at_max(case: &Case, prec: u32) -> Claim {
    let id = "ASY-3.at-max";
    let ns = [1u64, 2, 4, 8, 16];
    let st = format!(
        "Delta = Delta_max, N = ceil(p(A_max)^-n): |P_N(top) - (1 - 1/e)| strictly decreases along n = {}",
        list_text(&ns)
    );
    let target = Enc::from_i64(1, prec).sub(&Enc::from_i64(-1, prec).exp(prec), prec);
    let dev: Vec<Enc> = ns
        .iter()
        .map(|&n| {
            let inv = Rational::from(case.tm.p_max.recip_ref()).pow(n as u32);
            let big_n = inv.ceil().numer().clone();
            let (top, _) = top_mass(&case.tm.p_max, n, &big_n, prec);
            abs_enc(&top.sub(&target, prec))
        })
        .collect();
    shrinking(id, &st, &dev, prec)
}

/// A rational budget above `Delta_max`: twice `Delta_max` rounded up to `1/100`.
pub fn above_max_budget(tm: &TiltModel) -> Rational {
    let d = tm
        .delta_max(64)
        .hi()
        .to_rational()
        .unwrap_or_else(|| Rational::from(10));
    let up = Rational::from(&d * 100u32).ceil();
    (up * 2u32) / 100u32
}

/// ASY-3 remark above `Delta_max`: with `Delta = 2 Delta_max` (rounded up) and
/// `N = ceil(e^{n Delta})`, `P(pi_N not on A_max^n) = (1 - p(A_max)^n)^N` strictly decreases along
/// `n = 1, 2, 4, 8, 16` (to 0: `pi_N` sits on `A_max^n` with probability -> 1; the value may
/// underflow to the enclosure `[0, tiny]`, which is still certified below the previous one).
pub fn above_max(case: &Case, prec: u32) -> Claim {
    let id = "ASY-3.above-max";
    let d = above_max_budget(&case.tm);
    let ns: Vec<u64> = vec![1, 2, 4, 8, 16];
    let st = format!(
        "Delta = {d} > Delta_max: P(pi_N off A_max^n) = (1 - p(A_max)^n)^N strictly decreases along n = {}",
        list_text(&ns)
    );
    let mut miss = Vec::new();
    for &n in &ns {
        let Some(big_n) = integer_n(&Rational::from(&d * n), NRule::Ceil, 1 << 20) else {
            return Claim::unknown(id, &st, prec);
        };
        miss.push(top_mass(&case.tm.p_max, n, &big_n, prec).1);
    }
    shrinking(id, &st, &miss, prec)
}

/// The deliberately false claim `asy3-above-max`: ASY-3 applied above `Delta_max` (where it does
/// not hold): at `Delta = 16/5 > ln 5 = Delta_max` on Example A, `n = 10`, the optimum is
/// `p(.|A_max)^n` and `D(pi_N || phi^n) = +inf` (best-of-N keeps mass off `A_max^n`), so
/// `(1/n) D(pi_N || phi^n) <= Delta` is violated.
pub fn asy3_above_max_false(case: &Case, prec: u32) -> Result<Claim> {
    let d = q(16, 5);
    let n = 10u64;
    let id = "ASY-3.above-max-false";
    let st =
        "DELIBERATELY FALSE: ASY-3 above Delta_max, (1/n) D(pi_N || phi^n) <= Delta at Delta = 16/5, n = 10";
    let Some(big_n) = integer_n(&Rational::from(&d * n), NRule::Ceil, 1 << 20) else {
        return Ok(Claim::unknown(id, st, prec));
    };
    let lv = Levels::new(level_law(case.model.probs(), &case.model.r, n, Route::Auto));
    let v = compare_value(&case.tm, &lv, &d, &SampleCount::Integer(big_n), prec);
    let Some(kl_bt) = v
        .get("kl_bon_tilted_per_token")
        .and_then(|x| super::value_enc(x, prec))
    else {
        return Ok(Claim::unknown(id, st, prec));
    };
    Ok(inequality(id, st, Value::Real(kl_bt), Value::Exact(d), prec))
}
