//! `alignexact sweep --delta D --n 10,20,...`: compare along a grid of n with the ASY-4..ASY-7
//! predictions and residuals.

use super::bon::{guard, n_rule};
use super::budget::BudgetArgs;
use super::route;
use super::tilt::model_echo;
use super::{args, Common, ModelArgs, Output};
use crate::claims::cases::{decade_grid, doubling_grid};
use crate::error::{Error, Result};
use crate::exact::level_law::{level_law, Route};
use crate::math::best_of_n::{Levels, NRule};
use crate::math::tilt::TiltModel;
use crate::real::format::certify_decimal;
use crate::real::ziv;
use crate::report::sweep::sweep_row;
use crate::report::Value;
use clap::Args;
use rug::Rational;
use serde_json::json;
use std::io::IsTerminal;

/// The default grid: 10, 20, 40, ..., 10240.
pub fn default_grid() -> Vec<u64> {
    (0..11).map(|k| 10u64 << k).collect()
}

/// Flags of `sweep`.
#[derive(Args, Clone, Debug, Default)]
pub struct SweepArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub budget: BudgetArgs,
    /// Sequence lengths, comma-separated (default 10,20,40,...,10240); grid keywords
    /// decades:MAX (10,100,...,MAX) and doublings:MAX, e.g. --n doublings:10240,decades:1e7
    #[arg(long = "n", value_name = "LIST", allow_hyphen_values = true)]
    pub n: Option<String>,
    /// How N follows from n*delta: ceil (default), floor, real
    #[arg(long = "N-rule", value_name = "RULE")]
    pub n_rule: Option<String>,
    /// Level-law route: exact, window (certified windows of MATH.md §9, for large n) or auto (default)
    #[arg(long, value_name = "exact|window|auto")]
    pub method: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// Parse `--n LIST`: sequence lengths (`10,20,40`, also `1e7`) and the grid keywords
/// `decades:MAX` (`10, 100, ..., MAX`) and `doublings:MAX` (`10, 20, 40, ..., <= MAX`). A list with
/// a keyword is sorted and has no repeats (`--n doublings:10240,decades:1e7` is the doubling grid
/// followed by `10^5, 10^6, 10^7`); a plain list keeps its order.
pub fn grid(s: Option<&str>) -> Result<Vec<u64>> {
    let Some(s) = s else { return Ok(default_grid()) };
    let mut out = Vec::new();
    let mut keyword = false;
    for item in s.split(',') {
        let item = item.trim();
        if let Some((kw, max)) = item.split_once(':') {
            let build: fn(u64) -> Vec<u64> = match kw.trim().to_ascii_lowercase().as_str() {
                "decades" => decade_grid,
                "doublings" => doubling_grid,
                other => {
                    return Err(Error::input(format!(
                        "--n: unknown grid keyword '{other}'; use decades:MAX or doublings:MAX (e.g. --n doublings:10240,decades:1e7)"
                    )))
                }
            };
            let max = super::bon::seq_len(Some(max.trim()), None)?;
            let g = build(max);
            if g.is_empty() {
                return Err(Error::input(format!(
                    "--n: '{item}' is empty (the grid starts at 10); give a MAX >= 10"
                )));
            }
            out.extend(g);
            keyword = true;
        } else {
            out.push(super::bon::seq_len(Some(item), None)?);
        }
    }
    if out.is_empty() {
        return Err(Error::input("--n: give sequence lengths such as --n 10,20,40"));
    }
    if keyword {
        out.sort_unstable();
        out.dedup();
    }
    Ok(out)
}

/// Refuse a grid whose rows, together, exceed the limits (each row is also checked alone):
/// the time is the sum over the grid, the memory the largest row.
pub fn guard_grid(
    model: &crate::exact::dist::Model,
    delta: &Rational,
    ns: &[u64],
    digits: usize,
) -> Result<()> {
    let (mut seconds, mut bytes) = (0.0f64, 0.0f64);
    for &n in ns {
        let work = super::bon::bon_work(None, n, Some(delta), crate::report::best_of_n::LevelsView::None);
        super::bon::guard_work(model, n, digits, work)?;
        let c = super::guard::seq_cost(model, n, digits, work);
        seconds += c.seconds;
        bytes = bytes.max(c.bytes);
    }
    super::guard::check(
        &format!("a grid of {} sequence lengths", ns.len()),
        bytes,
        seconds,
        "try fewer or smaller --n, or fewer --digits",
    )
}

/// Refuse a grid that would not fit on the routes `method` picks: the window route's cost per n,
/// the exact route's rows together (their total).
pub fn guard_routed(
    model: &crate::exact::dist::Model,
    delta: &Rational,
    ns: &[u64],
    method: route::MethodArg,
    digits: usize,
) -> Result<()> {
    let tm = TiltModel::new(model);
    let mut exact_ns = Vec::new();
    for &n in ns {
        match route::plan_for(model, &tm, delta, n, method, digits) {
            Some(pl) => route::window_guard(&pl, n, digits)?,
            None => exact_ns.push(n),
        }
    }
    guard_grid(model, delta, &exact_ns, digits)
}

/// Compute the sweep rows (each row certified by its own precision loop).
pub fn rows(
    model: &crate::exact::dist::Model,
    delta: &Rational,
    ns: &[u64],
    rule: NRule,
    prec: &ziv::Precision,
    progress: bool,
) -> Result<Vec<Value>> {
    rows_routed(model, delta, ns, rule, route::MethodArg::Exact, prec, progress)
}

/// [`rows`] by the route `method` asks for (`--method`), with the window-to-exact fallback.
pub fn rows_routed(
    model: &crate::exact::dist::Model,
    delta: &Rational,
    ns: &[u64],
    rule: NRule,
    method: route::MethodArg,
    prec: &ziv::Precision,
    progress: bool,
) -> Result<Vec<Value>> {
    let tm = TiltModel::new(model);
    let mut out = Vec::new();
    // a bar on a terminal only (Progress hides itself otherwise)
    let bar = super::progress::Progress::new("sweep", if progress { ns.len() as u64 } else { 0 });
    for &n in ns {
        bar.message(&format!("n = {n}"));
        let x = Rational::from(delta * n);
        let count = super::bon::rounded_count(&x, rule, prec)?;
        let row = match route::plan_for(model, &tm, delta, n, method, prec.digits) {
            Some(pl) => {
                route::window_guard(&pl, n, prec.digits)?;
                match route::run_window(prec, &pl, n, |w, bits| sweep_row(&tm, w, delta, &count, bits)) {
                    Ok(v) => v,
                    Err(Error::Uncertified { quantity, .. }) if guard(model, n, prec.digits).is_ok() => {
                        let lv = Levels::new(level_law(model.probs(), &model.r, n, Route::Auto));
                        let mut v = ziv::run(prec, |bits| Ok(sweep_row(&tm, &lv, delta, &count, bits)))?;
                        route::mark(
                            &mut v,
                            "exact",
                            Some(format!(
                                "the window route could not certify {quantity} at n = {n}; the exact route was used"
                            )),
                        );
                        v
                    }
                    Err(e) => return Err(e),
                }
            }
            None => {
                guard(model, n, prec.digits)?;
                let lv = Levels::new(level_law(model.probs(), &model.r, n, Route::Auto));
                ziv::run(prec, |bits| Ok(sweep_row(&tm, &lv, delta, &count, bits)))?
            }
        };
        out.push(row);
        bar.inc();
    }
    bar.finish();
    Ok(out)
}

fn cell(v: Option<&Value>, d: usize) -> String {
    match v {
        Some(Value::Real(e)) => certify_decimal(e, d)
            .map(|c| c.value)
            .unwrap_or_else(|| "?".into()),
        Some(Value::Exact(q)) => {
            crate::real::format::rational_to_sig_decimal(q, d, crate::real::format::Dir::Nearest)
        }
        _ => "-".into(),
    }
}

/// The readable sweep table (values rounded from their certified enclosures).
pub fn table(rows: &[Value]) -> String {
    let mut s = format!(
        "{:>6}  {:>14}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}\n",
        "n", "x*-E/n", "n*(gap-ASY4)", "D(pi||phi)", "D-(1/2)ln n", "c (ASY-6)", "ASY-7 resid"
    );
    for r in rows {
        let res = r.get("residuals");
        let g = |k: &str| res.and_then(|x| x.get(k));
        s.push_str(&format!(
            "{:>6}  {:>14}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}\n",
            match r.get("n") {
                Some(Value::Count(n)) => n.to_string(),
                _ => "?".into(),
            },
            cell(r.get("reward_gap_per_token"), 8),
            cell(g("asy4_scaled"), 6),
            cell(r.get("kl_bon_tilted"), 6),
            cell(g("asy5"), 6),
            cell(g("asy6_c"), 6),
            cell(g("asy7"), 6),
        ));
    }
    s
}

/// Read `--spec` into the flags of `sweep` and check the precision flags (before the chain
/// dispatch of `cli::run_command`).
pub fn fill(a: &mut SweepArgs) -> Result<()> {
    let spec = a.common.load_spec()?;
    a.model.fill(&spec)?;
    a.budget.fill(&spec);
    spec.fill("n", &mut a.n);
    spec.fill("N-rule", &mut a.n_rule);
    spec.fill("method", &mut a.method);
    args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    Ok(())
}

/// Run `sweep` on a memoryless model (flags already filled by [`fill`]).
pub fn run(a: SweepArgs) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let model = args::model(a.model.p.as_deref(), a.model.r.as_deref(), a.model.normalize)?;
    let Some(delta) = a.budget.delta_only("sweep")? else {
        return Err(Error::input(
            "sweep needs a per-token KL budget: give --delta D (e.g. --delta 3/10)",
        ));
    };
    let ns = grid(a.n.as_deref())?;
    let rule = n_rule(a.n_rule.as_deref())?;
    let method = route::parse_method(a.method.as_deref())?;
    guard_routed(&model, &delta, &ns, method, prec.digits)?;
    let progress = std::io::stderr().is_terminal();
    let rows = rows_routed(&model, &delta, &ns, rule, method, &prec, progress)?;
    let mut input = model_echo(&model, prec.digits);
    input["delta"] = json!(delta.to_string());
    input["n"] = json!(ns);
    let text = format!(
        "sweep: best-of-N with N = ceil(e^(n delta)) against the KL-constrained optimum, delta = {delta}\n\
         (every column is rounded from a certified enclosure; --json gives all {} digits with lo/hi)\n\n{}",
        prec.digits,
        table(&rows)
    );
    Ok((
        Output {
            command: "sweep",
            input,
            result: crate::report::obj(vec![("rows", Value::Array(rows))]),
            digits: prec.digits,
            exit_code: 0,
            text: Some(text),
        },
        a.common.json,
    ))
}
