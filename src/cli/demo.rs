//! `alignexact demo`: the paper's story on Example A of MATH.md, with no flags at all.
//!
//! It shows the KL-constrained optimum (TILT-1), the two rate functions at a few points (LDP-1),
//! the sweep of best-of-N against the optimum along n (ASY-1..ASY-7), and one line per claim of
//! the built-in check suite with its verdict.

use super::route::MethodArg;
use super::sweep::{default_grid, guard_routed, rows, rows_routed, table};
use super::{args, Common, Output};
use crate::error::Result;
use crate::exact::dist::{Distribution, Model};
use crate::math::best_of_n::NRule;
use crate::math::tilt::{Budget, TiltModel};
use crate::real::format::certify_decimal;
use crate::real::ziv;
use crate::report::tilt::{rate_value, tilt_value};
use crate::report::{obj, Value};
use clap::Args;
use rug::Rational;
use serde_json::json;

/// Flags of `demo`.
#[derive(Args, Clone, Debug, Default)]
pub struct DemoArgs {
    /// Also write the three plots (frontier.svg, convergence.svg, rates.svg) into DIR (created if missing)
    #[arg(long, value_name = "DIR")]
    pub plots: Option<String>,
    /// Tell the story with a reference model with memory: a sticky Markov chain against the memoryless model
    /// with the same stationary law (MATH.md §10); with --plots also writes markov.svg
    #[arg(long)]
    pub markov: bool,
    /// Grid of n of the sweep and of the limit claims, same syntax as `sweep --n` (default
    /// doublings:10240); e.g. --n doublings:10240,decades:1e7 (the window route at large n)
    #[arg(long = "n", value_name = "LIST", allow_hyphen_values = true)]
    pub n: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// Example A of MATH.md §8: `p = (1/2, 3/10, 1/5)`, `r = (0, 1, 3)`, `Delta = 3/10`.
pub fn example_a() -> (Model, Rational) {
    let p = Distribution::new(vec![(1, 2).into(), (3, 10).into(), (1, 5).into()], false, "--p")
        .expect("valid example");
    let m = Model::new(p, vec![0.into(), 1.into(), 3.into()]).expect("valid example");
    (m, Rational::from((3, 10)))
}

fn show(v: Option<&Value>, d: usize) -> String {
    match v {
        Some(Value::Real(e)) if e.is_pos_infinity() => "inf".into(),
        Some(Value::Real(e)) => certify_decimal(e, d)
            .map(|c| c.value)
            .unwrap_or_else(|| "?".into()),
        Some(Value::Exact(q)) => {
            if *q.denom() == 1 {
                q.to_string()
            } else {
                format!(
                    "{} (= {q})",
                    crate::real::format::rational_to_sig_decimal(q, d, crate::real::format::Dir::Nearest)
                )
            }
        }
        Some(Value::Str(s)) => s.clone(),
        _ => "-".into(),
    }
}

/// Run `demo`.
pub fn run(mut a: DemoArgs) -> Result<(Output, bool)> {
    let spec = a.common.load_spec()?;
    spec.fill("plots", &mut a.plots);
    spec.fill("n", &mut a.n);
    if let Some(dir) = &a.plots {
        // fail before the computation, not after it
        if dir.is_empty() || std::path::Path::new(dir).is_file() {
            return Err(crate::error::Error::input(format!(
                "--plots: '{dir}' is not a directory; give a directory such as --plots out/"
            )));
        }
        std::fs::create_dir_all(dir).map_err(|e| {
            crate::error::Error::Io(format!("--plots: cannot create the directory '{dir}': {e}"))
        })?;
    }
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    super::guard::digits_guard("demo", prec.digits, 1.0)?;
    if a.markov {
        return super::markov::run_demo(prec, a.common.json, a.plots.as_deref());
    }
    let d = prec.digits;
    let (model, delta) = example_a();
    let tm = TiltModel::new(&model);
    let budget = Budget::Delta(delta.clone());

    let optimum = ziv::run(&prec, |bits| Ok(tilt_value(&tm, &budget, bits)))?;
    let xs: Vec<Rational> = vec![
        (1, 2).into(),
        1.into(),
        (3, 2).into(),
        2.into(),
        (5, 2).into(),
        3.into(),
    ];
    let mut rates = Vec::new();
    for x in &xs {
        let v = ziv::run(&prec, |bits| Ok(rate_value(&tm, x, Some(&budget), bits)))?;
        rates.push((x.clone(), v));
    }
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let (sweep, claims) = match crate::cli::check::limit_grid(a.n.as_deref(), d)? {
        None => (
            rows(&model, &delta, &default_grid(), NRule::Ceil, &prec, progress)?,
            crate::cli::check::demo_claims(&prec, None)?,
        ),
        Some(grid) => {
            // the auto route: exact below its crossover, the certified windows above
            guard_routed(&model, &delta, &grid, MethodArg::Auto, d)?;
            let sweep = rows_routed(
                &model,
                &delta,
                &grid,
                NRule::Ceil,
                MethodArg::Auto,
                &prec,
                progress,
            )?;
            (sweep, crate::cli::check::demo_claims(&prec, Some(grid))?)
        }
    };

    let mut t = String::new();
    t.push_str("alignexact demo: best-of-N versus KL-constrained alignment (arXiv 2404.01730), Example A\n");
    t.push_str("reference p = (1/2, 3/10, 1/5), reward r = (0, 1, 3), per-token KL budget Delta = 3/10.\n");
    t.push_str(&format!(
        "Every digit printed is certified (rigorous enclosures, {d} significant digits).\n\n"
    ));
    t.push_str("1. The KL-constrained optimum phi = p e^{lambda r} / Z with KL(phi || p) = Delta (TILT-1)\n");
    for (label, key) in [
        ("lambda_Delta", "lambda"),
        ("x*(Delta) = E_phi r", "expected_reward"),
        ("psi(lambda_Delta)", "log_partition"),
        ("Var_phi r", "reward_variance"),
        ("Delta_max = ln 5", "delta_max"),
    ] {
        t.push_str(&format!("   {label:<22} {}\n", show(optimum.get(key), d)));
    }
    if let Some(Value::Array(phi)) = optimum.get("phi") {
        let s: Vec<String> = phi.iter().map(|v| show(Some(v), 12)).collect();
        t.push_str(&format!("   {:<22} ({})\n", "phi", s.join(", ")));
    }
    t.push_str(
        "\n2. Rate functions of the per-token reward (LDP-1): I_0 under p, I_Delta under the optimum\n",
    );
    t.push_str("   I_Delta vanishes only at x*, and I_0(x*) = Delta.\n");
    t.push_str(&format!(
        "   {:>6}  {:>22}  {:>22}\n",
        "x", "I_0(x)", "I_Delta(x)"
    ));
    for (x, v) in &rates {
        t.push_str(&format!(
            "   {:>6}  {:>22}  {:>22}\n",
            x.to_string(),
            show(v.get("rate_reference"), 15),
            show(v.get("rate_aligned"), 15)
        ));
    }
    t.push_str(
        "\n3. Best-of-N with N = ceil(e^{n Delta}) against the optimum phi^n, along n (ASY-1..ASY-7)\n",
    );
    t.push_str(
        "   The reward gap x* - E/n shrinks like ln n / (2 lambda n) (ASY-4), D(pi_N || phi^n) grows like\n",
    );
    t.push_str(
        "   (1/2) ln n (ASY-5) so per token it vanishes (ASY-3), n Delta - D(pi_N || p^n) tends to a\n",
    );
    t.push_str("   constant c (ASY-6), and the residual after the ASY-7 terms shrinks.\n\n");
    for line in table(&sweep).lines() {
        t.push_str(&format!("   {line}\n"));
    }
    t.push_str("\n4. Claims of MATH.md checked on this example (alignexact check runs the full suite)\n");
    for c in &claims {
        t.push_str(&format!(
            "   {:<10} {:<9} {}\n",
            c.status.label(),
            c.id,
            c.statement
        ));
    }
    let mut plots = Vec::new();
    if let Some(dir) = &a.plots {
        let paths = crate::plot::write_all(std::path::Path::new(dir), &model, &delta, &sweep, &prec)?;
        t.push_str("\n5. Plots drawn from certified values (SVG; open them in a browser)\n");
        for p in &paths {
            t.push_str(&format!("   {}\n", p.display()));
            plots.push(Value::Str(p.display().to_string()));
        }
    }
    let mut result = obj(vec![
        ("optimum", optimum),
        (
            "rates",
            Value::Array(
                rates
                    .into_iter()
                    .map(|(x, v)| {
                        let mut items = vec![("x".to_string(), Value::Exact(x))];
                        if let Value::Object(o) = v {
                            items.extend(o);
                        }
                        Value::Object(items)
                    })
                    .collect(),
            ),
        ),
        ("sweep", Value::Array(sweep)),
        (
            "claims",
            Value::Array(claims.iter().map(|c| c.to_value()).collect()),
        ),
    ]);
    if let (Some(_), Value::Object(items)) = (&a.plots, &mut result) {
        items.push(("plots".into(), Value::Array(plots)));
    }
    let exit_code = if claims.iter().any(|c| c.status == crate::claims::Status::Violated) {
        1
    } else {
        0
    };
    Ok((
        Output {
            command: "demo",
            input: json!({"p": ["1/2", "3/10", "1/5"], "r": ["0", "1", "3"], "delta": "3/10", "digits": d}),
            result,
            digits: d,
            exit_code,
            text: Some(t),
        },
        a.common.json,
    ))
}
