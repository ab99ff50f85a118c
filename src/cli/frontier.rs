//! `alignexact frontier`: certified points of the reward-vs-KL and win-rate-vs-KL curves of one
//! model for the optimum, the win-rate-optimal tilt, best-of-N, soft best-of-N and
//! best-of-Poisson ([`crate::report::frontier`]).

use super::divergence::exact_strings;
use super::{args, Common, ModelArgs, Output};
use crate::error::{Error, Result};
use crate::exact::level_law::{level_law, Route};
use crate::math::soft_best_of_n::{compositions, MAX_COMPOSITIONS};
use crate::real::ziv;
use crate::report::frontier::{default_deltas, frontier_table, frontier_value, Grid, Methods};
use clap::Args;
use rug::{Integer, Rational};
use serde_json::json;

/// Largest best-of-N sample count of `frontier`.
pub const MAX_BON_N: u32 = 1_000_000;
/// Largest best-of-Poisson mean of `frontier` (the truncation of the claims needs `K >= 2 mu`).
pub const MAX_MU: u32 = 100_000;
/// Largest number of points in one list.
pub const MAX_POINTS: usize = 200;

/// Flags of `frontier`.
#[derive(Args, Clone, Debug, Default)]
pub struct FrontierArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Budgets of the optimum and the win-rate-optimal tilt (default: 0 and Delta_max j/8, j = 1..7, rounded down to 1/1000)
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub delta: Option<String>,
    /// Best-of-N sample counts (default 1,2,4,8,16,32,64)
    #[arg(long = "N", value_name = "LIST", allow_hyphen_values = true)]
    pub big_n: Option<String>,
    /// Soft best-of-N sample counts (default 2,4,8)
    #[arg(long = "soft-N", value_name = "LIST", allow_hyphen_values = true)]
    pub soft_n: Option<String>,
    /// Soft best-of-N temperatures lambda, exact (default 1/2,1,2,4)
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub lambda: Option<String>,
    /// Best-of-Poisson means mu >= 0 (N = 1 + Poisson(mu)), exact (default 1/2,1,2,4,8,16)
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub mu: Option<String>,
    /// Curves to compute: all (default) or a comma list of optimum, win-rate, bon, soft, poisson
    #[arg(long, value_name = "LIST")]
    pub methods: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

fn counts(flag: &str, s: Option<&str>, default: &[u32], max: u32) -> Result<Vec<u32>> {
    let Some(s) = s else {
        return Ok(default.to_vec());
    };
    let v = args::list(flag, s)?;
    if v.len() > MAX_POINTS {
        return Err(Error::input(format!(
            "{flag}: at most {MAX_POINTS} values, got {}",
            v.len()
        )));
    }
    v.iter()
        .map(|q| {
            if *q.denom() != 1 || *q < 1 {
                return Err(Error::input(format!("{flag}: expected integers >= 1, got '{q}'")));
            }
            if *q > max {
                return Err(Error::TooLarge(format!(
                    "{flag}: {q} is larger than the supported maximum {max}; give smaller sample counts"
                )));
            }
            Ok(q.numer().to_u32().expect("bounded"))
        })
        .collect()
}

fn rationals(flag: &str, s: Option<&str>, default: &[(i64, i64)], nonneg: bool) -> Result<Vec<Rational>> {
    let v = match s {
        None => default.iter().map(|&(a, b)| Rational::from((a, b))).collect(),
        Some(s) => args::list(flag, s)?,
    };
    if v.len() > MAX_POINTS {
        return Err(Error::input(format!(
            "{flag}: at most {MAX_POINTS} values, got {}",
            v.len()
        )));
    }
    if nonneg {
        if let Some(q) = v.iter().find(|q| **q < 0) {
            return Err(Error::input(format!("{flag}: values must be >= 0, got '{q}'")));
        }
    }
    Ok(v)
}

fn methods(s: Option<&str>) -> Result<Methods> {
    let Some(s) = s else { return Ok(Methods::all()) };
    let t = s.trim().to_ascii_lowercase();
    if t == "all" {
        return Ok(Methods::all());
    }
    let mut m = Methods {
        optimum: false,
        win_rate_optimal: false,
        best_of_n: false,
        soft_best_of_n: false,
        best_of_poisson: false,
    };
    for w in t.split(',').map(str::trim) {
        match w {
            "optimum" => m.optimum = true,
            "win-rate" => m.win_rate_optimal = true,
            "bon" => m.best_of_n = true,
            "soft" => m.soft_best_of_n = true,
            "poisson" => m.best_of_poisson = true,
            _ => {
                return Err(Error::input(format!(
                    "--methods: unknown method '{w}'; use all or a comma list of optimum, win-rate, bon, soft, poisson"
                )))
            }
        }
    }
    Ok(m)
}

/// Run `frontier`.
pub fn run(mut a: FrontierArgs) -> Result<(Output, bool)> {
    let spec = a.common.load_spec()?;
    a.model.fill(&spec)?;
    spec.fill("delta", &mut a.delta);
    spec.fill("N", &mut a.big_n);
    spec.fill("soft-N", &mut a.soft_n);
    spec.fill("lambda", &mut a.lambda);
    spec.fill("mu", &mut a.mu);
    spec.fill("methods", &mut a.methods);
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let model = args::model(a.model.p.as_deref(), a.model.r.as_deref(), a.model.normalize)?;
    let law = level_law(model.probs(), &model.r, 1, Route::Auto);
    let deltas = match a.delta.as_deref() {
        None => default_deltas(&law),
        Some(s) => rationals("--delta", Some(s), &[], true)?,
    };
    let bon_n = counts("--N", a.big_n.as_deref(), &[1, 2, 4, 8, 16, 32, 64], MAX_BON_N)?;
    let soft_n = counts("--soft-N", a.soft_n.as_deref(), &[2, 4, 8], u32::MAX)?;
    let lambdas = rationals(
        "--lambda",
        a.lambda.as_deref(),
        &[(1, 2), (1, 1), (2, 1), (4, 1)],
        false,
    )?;
    let mus = rationals(
        "--mu",
        a.mu.as_deref(),
        &[(1, 2), (1, 1), (2, 1), (4, 1), (8, 1), (16, 1)],
        true,
    )?;
    if let Some(mu) = mus.iter().find(|m| **m > MAX_MU) {
        return Err(Error::TooLarge(format!(
            "--mu: {mu} is larger than the supported maximum {MAX_MU}"
        )));
    }
    let methods = methods(a.methods.as_deref())?;
    // resource guard: soft best-of-N enumerates the compositions of N - 1 over the levels
    if methods.soft_best_of_n {
        let total: f64 = soft_n
            .iter()
            .map(|&m| compositions(law.len(), u64::from(m)))
            .sum::<f64>()
            * lambdas.len().max(1) as f64;
        if total > MAX_COMPOSITIONS {
            return Err(Error::TooLarge(format!(
                "--soft-N: soft best-of-N would enumerate about {total:.2e} compositions of N - 1 over {} reward levels \
                 (limit {MAX_COMPOSITIONS:.0e}); give smaller --soft-N values or fewer --lambda values",
                law.len()
            )));
        }
    }
    let grid = Grid {
        deltas,
        bon_n,
        soft_n,
        lambdas,
        mus,
        methods,
    };
    let result = ziv::run(&prec, |bits| Ok(frontier_value(&law, &grid, bits)))?;
    let input = json!({
        "p": exact_strings(model.probs()),
        "r": exact_strings(&model.r),
        "delta": exact_strings(&grid.deltas),
        "N": grid.bon_n.iter().map(|m| Integer::from(*m).to_string()).collect::<Vec<_>>(),
        "soft_N": grid.soft_n.iter().map(|m| Integer::from(*m).to_string()).collect::<Vec<_>>(),
        "lambda": exact_strings(&grid.lambdas),
        "mu": exact_strings(&grid.mus),
        "digits": prec.digits,
    });
    let text = (!a.common.json).then(|| frontier_table(&result, prec.digits));
    Ok((
        Output {
            command: "frontier",
            input,
            result,
            digits: prec.digits,
            exit_code: 0,
            text,
        },
        a.common.json,
    ))
}
