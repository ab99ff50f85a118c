//! `alignexact plot KIND --out FILE.svg`: the frontier, the convergence along n, or the rate
//! functions, drawn as SVG from certified values (see [`crate::plot`]).

use super::bon::guard;
use super::route::MethodArg;
use super::sweep::{default_grid, rows_routed};
use super::{args, Common, ModelArgs, Output};
use crate::error::{Error, Result};
use crate::exact::level_law::{level_law, Route};
use crate::math::best_of_n::NRule;
use crate::math::soft_best_of_n::{compositions, MAX_COMPOSITIONS};
use crate::plot::{self, Figure, Kind, DEFAULT_FRONTIER_N, DEFAULT_RATE_POINTS};
use crate::real::ziv;
use crate::report::frontier::{default_deltas, frontier_value, Grid, Methods};
use clap::Args;
use rug::Rational;
use serde_json::json;
use std::path::Path;

/// Flags of `plot`.
#[derive(Args, Clone, Debug, Default)]
pub struct PlotArgs {
    /// What to draw: frontier, convergence or rates
    #[arg(value_name = "KIND")]
    pub kind: Option<String>,
    /// The SVG file to write (an existing file is replaced, atomically)
    #[arg(long, value_name = "FILE.svg")]
    pub out: Option<String>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Per-token KL budget Delta >= 0 (exact; default 3/10 when --p and --r are not given)
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    pub delta: Option<String>,
    /// Sequence lengths: the best-of-N series of 'frontier' (default 1,4,16,64,256) or the grid
    /// of 'convergence' (default 10,20,40,...,10240; keywords as in sweep, e.g. doublings:10240,decades:1e7)
    #[arg(long = "n", value_name = "LIST", allow_hyphen_values = true)]
    pub n: Option<String>,
    /// 'frontier' only: draw every method of `alignexact frontier` (optimum, win-rate-optimal
    /// tilt, best-of-N, soft best-of-N, best-of-Poisson) against KL; the only value is 'all'
    #[arg(long, value_name = "all")]
    pub methods: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

const KINDS: &str = "frontier, convergence or rates";

fn kind(s: Option<&str>) -> Result<Kind> {
    let Some(s) = s else {
        return Err(Error::input(format!(
            "plot needs a KIND: {KINDS} (e.g. alignexact plot frontier --out frontier.svg)"
        )));
    };
    Kind::parse(s).ok_or_else(|| Error::input(format!("unknown plot KIND '{s}': use {KINDS}")))
}

/// Read `--spec` into the flags of `plot` (before the chain dispatch of `cli::run_command`).
pub fn fill(a: &mut PlotArgs) -> Result<()> {
    let spec = a.common.load_spec()?;
    a.model.fill(&spec)?;
    spec.fill("delta", &mut a.delta);
    spec.fill("n", &mut a.n);
    spec.fill("out", &mut a.out);
    spec.fill("kind", &mut a.kind);
    spec.fill("methods", &mut a.methods);
    Ok(())
}

/// Run `plot` on a memoryless model (flags already filled by [`fill`]).
pub fn run(a: PlotArgs) -> Result<(Output, bool)> {
    let kind = kind(a.kind.as_deref())?;
    let all_methods = match a.methods.as_deref().map(str::trim) {
        None => false,
        Some("all") if kind == Kind::Frontier => true,
        Some("all") => {
            return Err(Error::input(format!(
                "--methods: only 'plot frontier' draws the methods; drop --methods for 'plot {}'",
                kind.name()
            )))
        }
        Some(other) => {
            return Err(Error::input(format!(
                "--methods: unknown value '{other}'; use --methods all"
            )))
        }
    };
    let out = a.out.clone().ok_or_else(|| {
        Error::input(format!(
            "--out is required: give the SVG file to write, such as --out {}.svg",
            kind.name()
        ))
    })?;
    let path = Path::new(&out);
    plot::check_target(path, "--out")?;
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    // Example A of MATH.md §8 when no model is given
    let example = a.model.p.is_none() && a.model.r.is_none();
    let (model, default_delta) = if example {
        let (m, d) = super::demo::example_a();
        (m, Some(d))
    } else {
        let m = args::model(a.model.p.as_deref(), a.model.r.as_deref(), a.model.normalize)?;
        (m, None)
    };
    plot::check_model_axes(&model)?;
    let delta: Rational = match (&a.delta, default_delta) {
        (Some(d), _) => args::nonnegative("--delta", d)?,
        (None, Some(d)) => d,
        // the methods frontier draws its own budgets
        (None, None) if all_methods => Rational::new(),
        (None, None) => {
            return Err(Error::input(
                "plot needs a per-token KL budget with --p and --r: give --delta D (e.g. --delta 3/10)",
            ))
        }
    };
    let work = if kind == Kind::Convergence { 10.0 } else { 1.0 };
    super::guard::digits_guard("plot", prec.digits, work)?;
    let ns: Option<Vec<u64>> = a.n.as_deref().map(|s| super::sweep::grid(Some(s))).transpose()?;
    let fig: Figure = match kind {
        Kind::Frontier if all_methods => {
            if ns.is_some() {
                return Err(Error::input(
                    "--n: 'plot frontier --methods all' draws single-token methods and takes no sequence lengths",
                ));
            }
            let law = level_law(model.probs(), &model.r, 1, Route::Auto);
            let grid = Grid {
                deltas: default_deltas(&law),
                bon_n: vec![1, 2, 4, 8, 16, 32, 64],
                soft_n: vec![2, 4],
                lambdas: [(1, 2), (1, 1), (2, 1), (4, 1)].map(Rational::from).to_vec(),
                mus: [(1, 2), (1, 1), (2, 1), (4, 1), (8, 1), (16, 1)]
                    .map(Rational::from)
                    .to_vec(),
                methods: Methods::all(),
            };
            let soft: f64 = grid
                .soft_n
                .iter()
                .map(|&m| compositions(law.len(), u64::from(m)))
                .sum::<f64>()
                * grid.lambdas.len() as f64;
            if soft > MAX_COMPOSITIONS {
                return Err(Error::TooLarge(format!(
                    "--p: soft best-of-N would enumerate about {soft:.2e} compositions over {} reward levels \
                     (limit {MAX_COMPOSITIONS:.0e}); give a model with fewer distinct rewards",
                    law.len()
                )));
            }
            let v = ziv::run(&prec, |bits| Ok(frontier_value(&law, &grid, bits)))?;
            plot::methods_frontier(&model, &v)?
        }
        Kind::Frontier => {
            let ns = ns.unwrap_or_else(|| DEFAULT_FRONTIER_N.to_vec());
            for &n in &ns {
                guard(&model, n, prec.digits)?;
            }
            plot::frontier(&model, &delta, &ns, &prec)?
        }
        Kind::Convergence => {
            plot::convergence_budget(&model, &delta, &prec)?;
            let ns = ns.unwrap_or_else(default_grid);
            let mut distinct = ns.clone();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() < 2 {
                return Err(Error::input(
                    "--n: 'plot convergence' needs at least two sequence lengths, such as --n 10,20,40",
                ));
            }
            // the auto route: the exact law below its crossover, the certified windows of
            // MATH.md §9 above (so the grid reaches n = 10^7, e.g. --n doublings:10240,decades:1e7)
            super::sweep::guard_routed(&model, &delta, &ns, MethodArg::Auto, prec.digits)?;
            let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let rows = rows_routed(&model, &delta, &ns, NRule::Ceil, MethodArg::Auto, &prec, progress)?;
            plot::convergence(&model, &delta, &rows, &prec)?
        }
        Kind::Rates => {
            if ns.is_some() {
                return Err(Error::input(
                    "--n: 'plot rates' draws the rate functions of one token and takes no sequence lengths",
                ));
            }
            plot::rates(&model, &delta, DEFAULT_RATE_POINTS, &prec)?
        }
    };
    plot::write_svg(path, &fig)?;
    let (text, result) = fig.written(&out, kind.name(), prec.digits);
    let mut input = super::tilt::model_echo(&model, prec.digits);
    input["kind"] = json!(kind.name());
    input["delta"] = json!(delta.to_string());
    input["out"] = json!(out);
    Ok((
        Output {
            command: "plot",
            input,
            result,
            digits: prec.digits,
            exit_code: 0,
            text: Some(text),
        },
        a.common.json,
    ))
}
