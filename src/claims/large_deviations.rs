//! Claims of MATH.md §5, LDP-2: the finite-n Chernoff and method-of-types bounds (certified at
//! every n of a case), and the Chernoff limit and the Bahadur-Rao approximation as trends along
//! a grid (`n = 10, 20, ..., 640` on the built-in examples; tolerances in `proofs/asymptotics.md`).

use super::cases::{Case, SplitMix64};
use super::claim::{abs_enc, combine, exact_le, grid_text, inequality, list_text, ln_n, strict, Claim, Kind};
use super::sequences::ln_tilted_law;
use super::tilt::lambda_delta;
use crate::error::Result;
use crate::exact::level_law::{level_law, LevelLaw, Route};
use crate::math::asymptotics::lattice_span;
use crate::math::divergence::kl;
use crate::math::large_deviations as ld;
use crate::math::tilt::eval;
use crate::real::value::Value;
use crate::real::Enc;
use rug::ops::Pow;
use rug::{Integer, Rational};

/// LDP-2: `n |P(S_n >= n x) / BR_n - 1| <= 2` and `n d_n / ln n <= 1` on the LDP grid.
pub const LDP2_BR_CONST: i64 = 2;

fn q(a: i64, b: i64) -> Rational {
    Rational::from((a, b))
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
    let mut rng = SplitMix64(seed ^ n);
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
    let n_over_ln = |n: u64| Enc::from_rational(&Rational::from(n), prec).div(&ln_n(n, prec), prec);
    let n_only = |n: u64| Enc::from_rational(&Rational::from(n), prec);
    vec![
        shrink(ids[0], &st[0], &d),
        rate(ids[1], &st[1], &d, &n_over_ln, 1),
        shrink(ids[2], &st[2], &dev),
        rate(ids[3], &st[3], &dev, &n_only, LDP2_BR_CONST),
    ]
}
