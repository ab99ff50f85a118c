//! The command line: clap definitions, dispatch, and printing. `main` only calls [`main_entry`].

pub mod args;
pub mod bon;
pub mod budget;
pub mod check;
pub mod demo;
pub mod divergence;
pub mod markov;
pub mod plot;
pub mod route;
pub mod schema;
pub mod spec;
pub mod sweep;
pub mod tilt;
pub mod vectors;

use crate::error::Result;
use crate::report::{envelope, Value};
use clap::{Args, Parser, Subcommand};
use serde_json::Value as Json;
use spec::Spec;
use std::ffi::OsString;

/// Flags shared by every subcommand.
#[derive(Args, Clone, Debug, Default)]
pub struct Common {
    /// Significant decimal digits to certify in every real output (1 to 100000)
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    pub digits: Option<String>,
    /// Precision limit in bits for the precision loop (default 1048576); past it, exit code 3
    #[arg(long = "max-bits", value_name = "BITS", allow_hyphen_values = true)]
    pub max_bits: Option<String>,
    /// Print one JSON document instead of the readable table
    #[arg(long)]
    pub json: bool,
    /// Read flags from a JSON object in FILE ('-' for standard input); command-line flags override it
    #[arg(long, value_name = "FILE")]
    pub spec: Option<String>,
}

impl Common {
    /// Load `--spec` (if any) and fill the shared flags from it.
    pub fn load_spec(&mut self) -> Result<Spec> {
        let spec = match &self.spec {
            Some(path) => Spec::load(path)?,
            None => Spec::default(),
        };
        spec.fill("digits", &mut self.digits);
        spec.fill("max-bits", &mut self.max_bits);
        spec.fill_flag("json", &mut self.json)?;
        Ok(spec)
    }
}

/// The model flags `--p`, `--r`, `--normalize`.
#[derive(Args, Clone, Debug, Default)]
pub struct ModelArgs {
    /// Reference distribution: comma-separated exact numbers (1/2, 0.3, 1e-3), summing to exactly 1
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub p: Option<String>,
    /// Per-token rewards, same syntax and length as --p
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub r: Option<String>,
    /// Rescale --p exactly to sum 1 (with --transition: each row, and --init)
    #[arg(long)]
    pub normalize: bool,
    /// Markov reference model (MATH.md §10): rows of the transition matrix separated by ';', each summing to 1,
    /// e.g. "9/10,1/10;1/5,4/5" (instead of --p)
    #[arg(long, value_name = "ROWS", allow_hyphen_values = true)]
    pub transition: Option<String>,
    /// Initial law of the chain (default: its stationary law, exact; required when it is not unique)
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub init: Option<String>,
}

impl ModelArgs {
    /// Fill from a spec.
    pub fn fill(&mut self, spec: &Spec) -> Result<()> {
        spec.fill("p", &mut self.p);
        spec.fill("r", &mut self.r);
        spec.fill("transition", &mut self.transition);
        spec.fill("init", &mut self.init);
        spec.fill_flag("normalize", &mut self.normalize)
    }
}

/// alignexact: best-of-N versus KL-constrained alignment, computed exactly or certified.
#[derive(Parser, Debug)]
#[command(
    name = "alignexact",
    version,
    about = "Exact and certified mathematics of language-model alignment: best-of-N versus KL-constrained RL",
    long_about = "Exact (GMP rationals) and certified (MPFR enclosures with directed rounding) values for the \
mathematics of arXiv 2404.01730: the KL-constrained optimum, best-of-N laws, divergences, rate functions.\n\
Every printed digit is certified; exit codes: 0 success, 1 a claim was violated, 2 bad input, 3 could not certify.",
    after_help = "Examples:\n  alignexact demo\n  alignexact divergence --p 1/2,1/3,1/6 --q 1/3,1/3,1/3 --digits 50 --json"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// KL divergences, entropy and the Rényi forms of two distributions
    #[command(
        after_help = "Example:\n  alignexact divergence --p 1/2,1/3,1/6 --q 1/3,1/3,1/3 --alpha 2 --digits 50 --json"
    )]
    Divergence(divergence::DivergenceArgs),
    /// The KL-constrained optimum phi_lambda for a budget (TILT-1)
    #[command(
        after_help = "Examples:\n  alignexact tilt --p 1/2,3/10,1/5 --r 0,1,3 --delta 3/10\n  alignexact tilt --p 7/10,3/10 --r 0,1 --exp-lambda 2 --json"
    )]
    Tilt(tilt::TiltArgs),
    /// Rate functions I_0(x) and I_Delta(x) of the reward (LDP-1)
    #[command(after_help = "Example:\n  alignexact rate --p 7/10,3/10 --r 0,1 --x 0.8 --delta 1/5")]
    Rate(tilt::RateArgs),
    /// Cumulants of the reward under the optimum and the scaled CGF with its Renyi forms (LDP-3, LDP-4)
    #[command(
        after_help = "Example:\n  alignexact cumulants --p 1/2,3/10,1/5 --r 0,1,3 --delta 3/10 --order 6 --t 1/2"
    )]
    Cumulants(tilt::CumulantsArgs),
    /// Best-of-N in closed form: the output law by level, its reward, KL and win rate (BON-1..BON-4)
    #[command(
        after_help = "Examples:\n  alignexact bon --p 7/10,3/10 --r 0,1 --n 5 --N 3\n  alignexact bon --p 1/2,3/10,1/5 --r 0,1,3 --N 4 --ties order --json"
    )]
    Bon(bon::BonArgs),
    /// Best-of-N with N = ceil(e^{n delta}) against the KL-constrained optimum, for sequences of length n
    #[command(after_help = "Example:\n  alignexact compare --p 1/2,3/10,1/5 --r 0,1,3 --delta 3/10 --n 100")]
    Compare(bon::CompareArgs),
    /// compare along a grid of n, with the ASY-4..ASY-7 predictions and residuals
    #[command(
        after_help = "Example:\n  alignexact sweep --p 1/2,3/10,1/5 --r 0,1,3 --delta 3/10 --n 10,20,40,80,160"
    )]
    Sweep(sweep::SweepArgs),
    /// Check the statements of MATH.md with certified margins (exit code 1 when one is violated)
    #[command(after_help = "Examples:\n  alignexact check\n  alignexact check TILT-3 LDP-1 --json")]
    Check(check::CheckArgs),
    /// The built-in paper example (runs with no flags)
    #[command(after_help = "Example:\n  alignexact demo")]
    Demo(demo::DemoArgs),
    /// Draw certified values as SVG: the frontier, the convergence along n, or the rate functions
    #[command(
        after_help = "KIND is one of:\n  frontier     x*(Delta) against the per-token KL, with best-of-N points for n = 1, 4, 16, 64, 256\n  convergence  x* - E S_n / n and D(pi_N || phi^n) along n, with the ASY-4 and ASY-5 predictions\n  rates        the rate functions I_0 and I_Delta, with x* and E_p r marked\n\nWithout --p and --r the model is Example A of MATH.md: --p 1/2,3/10,1/5 --r 0,1,3 --delta 3/10.\n\nExamples:\n  alignexact plot frontier --out frontier.svg\n  alignexact plot rates --p 7/10,3/10 --r 0,1 --delta 1/5 --out rates.svg"
    )]
    Plot(plot::PlotArgs),
    /// Write reference test vectors (exact and certified values with float64 tolerances) for other implementations
    #[command(
        after_help = "Writes divergence.json, tilt.json, rate.json, cumulants.json, bon.json, compare.json and index.json \
(suite version, alignexact version, SHA-256 of each file). Reals are certified to --digits significant digits \
(default 50 here). Running it twice gives identical files.\n\n\
Example:\n  alignexact vectors --out vectors"
    )]
    Vectors(vectors::VectorsArgs),
    /// Print the JSON Schema (draft 2020-12) of every command's --json output and of the vector files
    #[command(after_help = "Example:\n  alignexact schema > alignexact.schema.json")]
    Schema(schema::SchemaArgs),
}

/// What a subcommand produced: the input echo and the certified result tree.
pub struct Output {
    /// Subcommand name.
    pub command: &'static str,
    /// The exact echo of the validated input.
    pub input: Json,
    /// The result tree (already certified to `digits`).
    pub result: Value,
    /// Significant digits of every real.
    pub digits: usize,
    /// Exit code on success (1 when a claim was violated).
    pub exit_code: i32,
    /// Optional preformatted text for the human view (used by `demo`).
    pub text: Option<String>,
}

impl Output {
    /// A plain result: exit code 0, rendered as a table (or JSON with `--json`).
    pub fn data(command: &'static str, input: Json, result: Value, digits: usize) -> Output {
        Output {
            command,
            input,
            result,
            digits,
            exit_code: 0,
            text: None,
        }
    }
}

fn run_command(cmd: Command) -> Result<(Output, bool)> {
    match cmd {
        Command::Divergence(a) => divergence::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Tilt(a) => tilt::run_tilt(a),
        Command::Bon(a) => bon::run_bon(a),
        Command::Compare(a) => bon::run_compare(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Check(a) => check::run(a),
        Command::Rate(a) => tilt::run_rate(a),
        Command::Cumulants(a) => tilt::run_cumulants(a),
        Command::Vectors(a) => vectors::run(a),
        Command::Schema(a) => schema::run(a),
    }
}

/// Parse `argv`, run, and return (exit code, stdout text, stderr text).
pub fn run_to_strings<I, T>(argv: I) -> (i32, String, String)
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            return match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let code = if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                        2
                    } else {
                        0
                    };
                    (code, e.render().to_string(), String::new())
                }
                _ => {
                    // clap's message may continue on the next lines (e.g. the names of missing
                    // required arguments): keep everything before the usage, on one line
                    let full = e.render().to_string();
                    let first = full
                        .lines()
                        .map(str::trim)
                        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
                        .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
                        .collect::<Vec<_>>()
                        .join(" ");
                    let first = first.strip_prefix("error: ").unwrap_or(&first).to_string();
                    (
                        2,
                        String::new(),
                        format!("error: {first}; see 'alignexact --help'\n"),
                    )
                }
            };
        }
    };
    match run_command(cli.command) {
        Ok((out, json)) => {
            let text = if json {
                let doc = envelope(out.command, out.input, &out.result, out.digits);
                let mut s = serde_json::to_string_pretty(&doc).expect("JSON serialisation");
                s.push('\n');
                s
            } else if let Some(t) = out.text {
                t
            } else {
                out.result.to_table(out.digits)
            };
            (out.exit_code, text, String::new())
        }
        Err(e) => (e.exit_code(), String::new(), format!("error: {e}\n")),
    }
}

/// The whole program: run with the process arguments, print, return the exit code.
pub fn main_entry() -> i32 {
    let (code, out, err) = run_to_strings(std::env::args_os());
    use std::io::Write;
    let _ = std::io::stdout().write_all(out.as_bytes());
    let _ = std::io::stderr().write_all(err.as_bytes());
    code
}
