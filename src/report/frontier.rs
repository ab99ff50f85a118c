//! Result tree of `frontier`: certified points of the reward-vs-KL and win-rate-vs-KL curves of
//! one model (single token) for the KL-constrained optimum (TILT-1), the win-rate-optimal tilt
//! (REL-7), best-of-N (BON-1 .. BON-4), soft best-of-N (REL-5) and best-of-Poisson (REL-6).
//!
//! Every method point carries its KL to the reference, expected reward and win rate, and the
//! two optima at the method's own KL (`optimal_reward_at_kl = x*(KL)`, `optimal_win_rate_at_kl
//! = W*(KL)`), certified by monotonicity ([`crate::math::win_rate_optimal::frontier_at`]), so the
//! regret of every method against the optimum is read off directly.

use super::{obj, Value};
use crate::exact::level_law::LevelLaw;
use crate::math::best_of_n::{self as bon, Levels};
use crate::math::best_of_poisson as bop;
use crate::math::level_policy::{mid_ranks, stats, stats_exact, PolicyStats};
use crate::math::soft_best_of_n as soft;
use crate::math::tilt::TiltModel;
use crate::math::win_rate_optimal as wro;
use crate::real::format::{certify_decimal, rational_to_sig_decimal, Dir};
use crate::real::Enc;
use crate::report::best_of_n::ExactBon;
use rug::{Integer, Rational};

/// Best-of-N sample counts up to this are also given exactly (reward and win rate).
pub const EXACT_BON_MAX: u32 = 2000;

/// Which curves to compute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Methods {
    /// The KL-constrained optimum (reward tilt).
    pub optimum: bool,
    /// The win-rate-optimal tilt.
    pub win_rate_optimal: bool,
    /// Best-of-N.
    pub best_of_n: bool,
    /// Soft best-of-N.
    pub soft_best_of_n: bool,
    /// Best-of-Poisson.
    pub best_of_poisson: bool,
}

impl Methods {
    /// Every method.
    pub fn all() -> Methods {
        Methods {
            optimum: true,
            win_rate_optimal: true,
            best_of_n: true,
            soft_best_of_n: true,
            best_of_poisson: true,
        }
    }
}

/// The grids of `frontier`.
#[derive(Clone, Debug)]
pub struct Grid {
    /// Budgets of the two tilts.
    pub deltas: Vec<Rational>,
    /// Best-of-N sample counts.
    pub bon_n: Vec<u32>,
    /// Soft best-of-N sample counts.
    pub soft_n: Vec<u32>,
    /// Soft best-of-N temperatures `lambda`.
    pub lambdas: Vec<Rational>,
    /// Best-of-Poisson means `mu`.
    pub mus: Vec<Rational>,
    /// Which curves.
    pub methods: Methods,
}

/// The default budgets: `Delta_max j / 8` for `j = 0..8`, each rounded down to a multiple of
/// `1/1000` (exact rationals below `Delta_max`), then `Delta_max` itself is represented by the
/// saturated regime at `2 Delta_max` rounded up.
pub fn default_deltas(law: &LevelLaw) -> Vec<Rational> {
    let tm = wro::reward_model(law);
    if tm.is_constant() {
        return vec![Rational::new()];
    }
    let dmax = tm.delta_max(64).lo().to_rational().expect("finite");
    let mut out = vec![Rational::new()];
    for j in 1..8u32 {
        let x = Rational::from(&dmax * j) / 8u32 * 1000u32;
        let d = Rational::from((x.floor().numer().clone(), Integer::from(1000)));
        if d > 0 && !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// The statistics of the reference itself: KL exactly 0, reward `E_p r`, win rate `1/2`.
fn reference_stats(law: &LevelLaw, prec: u32) -> (PolicyStats, Option<(Rational, Rational)>) {
    let q: Vec<Rational> = (0..law.len()).map(|j| law.prob(j)).collect();
    let (kl, reward, win) = stats_exact(law, &q, prec);
    let st = PolicyStats {
        kl,
        reward: Enc::from_rational(&reward, prec),
        win_rate: Enc::from_rational(&win, prec),
    };
    (st, Some((reward, win)))
}

/// The fields of one method point; `exact` carries the exact reward and win rate when known.
/// At KL exactly 0 the optima are the reference's own values, exactly.
fn point_fields(
    st: &PolicyStats,
    exact: Option<(Rational, Rational)>,
    rm: &TiltModel,
    wm: &TiltModel,
    prec: u32,
) -> Vec<(&'static str, Value)> {
    let (xr, xw) = if st.kl.is_exact_zero() {
        (Value::Exact(rm.mean.clone()), Value::Exact(wm.mean.clone()))
    } else {
        (
            Value::Real(wro::frontier_at(rm, &st.kl, prec).unwrap_or_else(|| Enc::whole(prec))),
            Value::Real(wro::frontier_at(wm, &st.kl, prec).unwrap_or_else(|| Enc::whole(prec))),
        )
    };
    let (er, w) = match exact {
        Some((a, b)) => (Value::Exact(a), Value::Exact(b)),
        None => (Value::Real(st.reward.clone()), Value::Real(st.win_rate.clone())),
    };
    let kl = if st.kl.is_exact_zero() {
        Value::Exact(Rational::new())
    } else {
        Value::Real(st.kl.clone())
    };
    vec![
        ("kl", kl),
        ("expected_reward", er),
        ("win_rate", w),
        ("optimal_reward_at_kl", xr),
        ("optimal_win_rate_at_kl", xw),
    ]
}

/// The `frontier` result at working precision `prec` for the level law of one token.
pub fn frontier_value(law: &LevelLaw, g: &Grid, prec: u32) -> Value {
    let rm = wro::reward_model(law);
    let wm = wro::mid_rank_model(law);
    let w = mid_ranks(law);
    let rewards: Vec<Rational> = (0..law.len()).map(|j| law.reward(j)).collect();
    let mut fields: Vec<(&str, Value)> = vec![("delta_max", Value::Real(rm.delta_max(prec)))];
    let tilt_rows = |tm: &TiltModel| -> Value {
        Value::Array(
            g.deltas
                .iter()
                .map(|d| match wro::at_budget(tm, d, prec) {
                    Some(a) => {
                        let dot = |v: &[Rational]| {
                            Enc::sum(
                                a.phi
                                    .iter()
                                    .zip(v)
                                    .map(|(f, x)| f.mul_rational(x, prec))
                                    .collect::<Vec<_>>()
                                    .iter(),
                                prec,
                            )
                        };
                        obj(vec![
                            ("delta", Value::Exact(d.clone())),
                            ("lambda", a.lambda.clone().map(Value::Real).unwrap_or(Value::Null)),
                            ("kl", Value::Real(a.kl.clone())),
                            ("expected_reward", Value::Real(dot(&rewards))),
                            ("win_rate", Value::Real(dot(&w))),
                        ])
                    }
                    // more precision needed: an unknown value keeps the precision loop going
                    None => obj(vec![
                        ("delta", Value::Exact(d.clone())),
                        ("kl", Value::Real(Enc::whole(prec))),
                    ]),
                })
                .collect(),
        )
    };
    if g.methods.optimum {
        fields.push(("optimum", tilt_rows(&rm)));
    }
    if g.methods.win_rate_optimal {
        fields.push(("win_rate_optimal", tilt_rows(&wm)));
    }
    if g.methods.best_of_n {
        let lv = Levels::new(law.clone());
        let rows = g
            .bon_n
            .iter()
            .map(|&m| {
                let ne = Enc::from_i64(i64::from(m), prec);
                let ev = bon::eval(&lv, &ne, prec);
                let st = PolicyStats {
                    kl: bon::kl_to_reference(&ev, prec),
                    reward: bon::expected_reward(&lv, &ev, prec),
                    win_rate: bon::win_rate(&ev, prec),
                };
                let mut f = vec![("N", Value::Count(u64::from(m)))];
                if m <= EXACT_BON_MAX {
                    // exact law: the KL from exact ratios (exactly 0 at N = 1), reward and win
                    // rate exact
                    let ex = ExactBon::new(&lv, m);
                    let (kl, reward, win) = stats_exact(law, &ex.pn, prec);
                    let st = PolicyStats {
                        kl,
                        reward: Enc::from_rational(&reward, prec),
                        win_rate: Enc::from_rational(&win, prec),
                    };
                    f.extend(point_fields(&st, Some((reward, win)), &rm, &wm, prec));
                } else {
                    f.extend(point_fields(&st, None, &rm, &wm, prec));
                }
                obj(f)
            })
            .collect();
        fields.push(("best_of_n", Value::Array(rows)));
    }
    if g.methods.soft_best_of_n {
        let mut rows = Vec::new();
        for &m in &g.soft_n {
            for l in &g.lambdas {
                // N = 1 or lambda = 0 is the reference itself (exact)
                let (st, ex) = if m == 1 || *l == 0 {
                    reference_stats(law, prec)
                } else {
                    let we = soft::weights_enc(law, l, prec);
                    let q = soft::law_enc(law, &we, m, prec);
                    (stats(law, &q, prec), None)
                };
                let mut f = vec![
                    ("N", Value::Count(u64::from(m))),
                    ("lambda", Value::Exact(l.clone())),
                ];
                f.extend(point_fields(&st, ex, &rm, &wm, prec));
                rows.push(obj(f));
            }
        }
        fields.push(("soft_best_of_n", Value::Array(rows)));
    }
    if g.methods.best_of_poisson {
        let rows = g
            .mus
            .iter()
            .map(|mu| {
                // mu = 0 is the reference itself (exact)
                let (st, ex) = if *mu == 0 {
                    reference_stats(law, prec)
                } else {
                    (stats(law, &bop::law(law, mu, prec), prec), None)
                };
                let mut f = vec![
                    ("mu", Value::Exact(mu.clone())),
                    ("expected_samples", Value::Exact(Rational::from(mu + 1u32))),
                ];
                f.extend(point_fields(&st, ex, &rm, &wm, prec));
                obj(f)
            })
            .collect();
        fields.push(("best_of_poisson", Value::Array(rows)));
    }
    obj(fields)
}

/// A certified cell: exact values rounded to nearest, reals via [`certify_decimal`] (the caller
/// runs this after the precision loop certified every real to `digits`).
fn cell(v: Option<&Value>, digits: usize) -> String {
    match v {
        Some(Value::Exact(q)) => rational_to_sig_decimal(q, digits, Dir::Nearest),
        Some(Value::Real(e)) => certify_decimal(e, digits)
            .map(|c| c.value)
            .unwrap_or_else(|| "(uncertified)".into()),
        Some(Value::Count(c)) => c.to_string(),
        Some(Value::Null) | None => "-".into(),
        Some(_) => "?".into(),
    }
}

/// The human table of a [`frontier_value`]: one row per point, columns method, parameters,
/// KL, E r, W, x*(KL), W*(KL).
pub fn frontier_table(v: &Value, digits: usize) -> String {
    let cols = [
        "kl",
        "expected_reward",
        "win_rate",
        "optimal_reward_at_kl",
        "optimal_win_rate_at_kl",
    ];
    let heads = ["KL", "E r", "W", "x*(KL)", "W*(KL)"];
    let mut rows: Vec<Vec<String>> = vec![];
    let mut push = |name: &str, params: String, r: &Value| {
        let mut row = vec![name.to_string(), params];
        for c in cols {
            row.push(cell(r.get(c), digits));
        }
        rows.push(row);
    };
    for (key, label) in [
        ("optimum", "optimum"),
        ("win_rate_optimal", "win-rate opt"),
        ("best_of_n", "best-of-N"),
        ("soft_best_of_n", "soft BoN"),
        ("best_of_poisson", "best-of-Poisson"),
    ] {
        let Some(Value::Array(items)) = v.get(key) else {
            continue;
        };
        for r in items {
            let params = match key {
                "optimum" | "win_rate_optimal" => format!("Delta = {}", cell(r.get("delta"), digits)),
                "best_of_n" => format!("N = {}", cell(r.get("N"), digits)),
                "soft_best_of_n" => format!(
                    "N = {}, lambda = {}",
                    cell(r.get("N"), digits),
                    cell(r.get("lambda"), digits)
                ),
                _ => format!("mu = {}", cell(r.get("mu"), digits)),
            };
            push(label, params, r);
        }
    }
    let mut header = vec!["method".to_string(), "parameters".to_string()];
    header.extend(heads.iter().map(|s| s.to_string()));
    let all: Vec<&Vec<String>> = std::iter::once(&header).chain(rows.iter()).collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| all.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!("delta_max  {}\n\n", cell(v.get("delta_max"), digits));
    for r in all {
        let line: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(
        "\nx*(KL), W*(KL): the best reward and win rate of any policy at the method's KL (TILT-1, REL-7)\n",
    );
    out
}
