//! The command line: clap definitions, dispatch, and printing. `main` only calls [`main_entry`].

pub mod args;
pub mod bon;
pub mod budget;
pub mod chain_route;
pub mod check;
pub mod demo;
pub mod divergence;
pub mod frontier;
pub mod guard;
pub mod markov;
pub mod plot;
pub mod progress;
pub mod route;
pub mod schema;
pub mod spec;
pub mod sweep;
pub mod tilt;
pub mod vectors;

use crate::error::Result;
use crate::report::{write_envelope, Value};
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
    /// The subcommand these flags belong to (set by the dispatcher): `--spec` keys are checked
    /// against its flags.
    #[arg(skip)]
    pub command: Option<&'static str>,
}

impl Common {
    /// Load `--spec` (if any) and fill the shared flags from it.
    pub fn load_spec(&mut self) -> Result<Spec> {
        let spec = match &self.spec {
            Some(path) => Spec::load(path)?,
            None => Spec::default(),
        };
        if let Some(cmd) = self.command {
            let keys = spec_keys(cmd);
            spec.check_keys(cmd, &keys.iter().map(String::as_str).collect::<Vec<_>>())?;
        }
        spec.fill("digits", &mut self.digits);
        spec.fill("max-bits", &mut self.max_bits);
        spec.fill_flag("json", &mut self.json)?;
        Ok(spec)
    }
}

/// The `--spec` keys of subcommand `cmd`: its listed flags (without the dashes, `--spec`
/// itself excepted) and its positional `kind`. Hidden flags are not keys.
pub fn spec_keys(cmd: &str) -> Vec<String> {
    use clap::CommandFactory;
    let app = Cli::command();
    let Some(sub) = app.find_subcommand(cmd) else {
        return vec![];
    };
    sub.get_arguments()
        .filter(|a| !a.is_hide_set())
        .filter_map(|a| match a.get_long() {
            Some(l) => Some(l.to_string()),
            None if a.get_id() == "kind" => Some("kind".to_string()),
            None => None,
        })
        .filter(|k| !matches!(k.as_str(), "spec" | "help" | "version"))
        .collect()
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
    #[command(
        after_help = "Example:\n  alignexact rate --p 7/10,3/10 --r 0,1 --x 0.8 --delta 1/5",
        mut_arg("exp_lambda", |a| a.hide(true))
    )]
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
    #[command(
        after_help = "Example:\n  alignexact compare --p 1/2,3/10,1/5 --r 0,1,3 --delta 3/10 --n 100",
        mut_arg("n", |a| a.help("Sequence length n >= 1 (required)")),
        mut_arg("lambda", |a| a.hide(true)),
        mut_arg("beta", |a| a.hide(true)),
        mut_arg("exp_lambda", |a| a.hide(true)),
        mut_arg("levels", |a| a.hide(true))
    )]
    Compare(bon::CompareArgs),
    /// compare along a grid of n, with the ASY-4..ASY-7 predictions and residuals
    #[command(
        after_help = "Example:\n  alignexact sweep --p 1/2,3/10,1/5 --r 0,1,3 --delta 3/10 --n 10,20,40,80,160",
        mut_arg("lambda", |a| a.hide(true)),
        mut_arg("beta", |a| a.hide(true)),
        mut_arg("exp_lambda", |a| a.hide(true))
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
    /// Certified reward-vs-KL and win-rate-vs-KL points: optimum, win-rate optimum, best-of-N, soft best-of-N, best-of-Poisson
    #[command(
        after_help = "Every method point carries its KL, expected reward and win rate, and the best reward x*(KL) and \
win rate W*(KL) any policy reaches at that KL.\n\n\
Examples:\n  alignexact frontier --p 1/2,3/10,1/5 --r 0,1,3 --digits 8\n  alignexact frontier --p 7/10,3/10 --r 0,1 --methods bon,poisson --N 1,2,3 --mu 1,2 --json"
    )]
    Frontier(frontier::FrontierArgs),
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

impl Command {
    /// The subcommand's name and its shared flags.
    fn common_mut(&mut self) -> (&'static str, Option<&mut Common>) {
        match self {
            Command::Divergence(a) => ("divergence", Some(&mut a.common)),
            Command::Demo(a) => ("demo", Some(&mut a.common)),
            Command::Plot(a) => ("plot", Some(&mut a.common)),
            Command::Tilt(a) => ("tilt", Some(&mut a.common)),
            Command::Bon(a) => ("bon", Some(&mut a.common)),
            Command::Compare(a) => ("compare", Some(&mut a.common)),
            Command::Sweep(a) => ("sweep", Some(&mut a.common)),
            Command::Check(a) => ("check", Some(&mut a.common)),
            Command::Rate(a) => ("rate", Some(&mut a.common)),
            Command::Cumulants(a) => ("cumulants", Some(&mut a.common)),
            Command::Vectors(a) => ("vectors", Some(&mut a.common)),
            Command::Frontier(a) => ("frontier", Some(&mut a.common)),
            Command::Schema(_) => ("schema", None),
        }
    }
}

fn run_command(mut cmd: Command) -> Result<(Output, bool)> {
    if let (name, Some(c)) = cmd.common_mut() {
        c.command = Some(name);
    }
    // every command computes on this thread: give MPFR its widest exponent range first
    crate::real::round::widen_exponent_range();
    let mut done = match cmd {
        Command::Divergence(a) => divergence::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Plot(mut a) => {
            plot::fill(&mut a)?;
            match markov::chain_model(&a.model)? {
                Some(mm) => markov::run_plot(
                    markov::ChainPlot {
                        kind: a.kind,
                        out: a.out,
                        delta: a.delta,
                        n: a.n,
                        methods: a.methods,
                        common: a.common,
                    },
                    mm,
                ),
                None => plot::run(a),
            }
        }
        // the model commands: flags filled from --spec first, then a chain (--transition) goes to
        // `markov`, a memoryless model to the command's own module (the dispatch lives here so that
        // no command module imports `markov`, which reuses their argument types)
        Command::Tilt(mut a) => {
            tilt::fill_tilt(&mut a)?;
            match markov::chain_model(&a.model)? {
                Some(mm) => markov::run_tilt(a, mm),
                None => tilt::run_tilt(a),
            }
        }
        Command::Bon(mut a) => {
            bon::fill_bon(&mut a)?;
            match markov::chain_model(&a.model)? {
                Some(mm) => markov::run_bon(a, mm),
                None => bon::run_bon(a),
            }
        }
        Command::Compare(mut a) => {
            bon::fill_compare(&mut a)?;
            match markov::chain_model(&a.model)? {
                Some(mm) => markov::run_compare(a, mm),
                None => bon::run_compare(a),
            }
        }
        Command::Sweep(mut a) => {
            sweep::fill(&mut a)?;
            match markov::chain_model(&a.model)? {
                Some(mm) => markov::run_sweep(a, mm),
                None => sweep::run(a),
            }
        }
        Command::Check(a) => check::run(a),
        Command::Rate(mut a) => {
            tilt::fill_rate(&mut a)?;
            match markov::chain_model(&a.model)? {
                Some(mm) => markov::run_rate(a, mm),
                None => tilt::run_rate(a),
            }
        }
        Command::Cumulants(mut a) => {
            tilt::fill_cumulants(&mut a)?;
            match markov::chain_model(&a.model)? {
                Some(mm) => markov::run_cumulants(a, mm),
                None => tilt::run_cumulants(a),
            }
        }
        Command::Vectors(a) => vectors::run(a),
        Command::Schema(a) => schema::run(a),
        Command::Frontier(a) => frontier::run(a),
    }?;
    // INTERFACE.md: a null leaf is explained in the result's notes, naming the field
    crate::report::note_nulls(&mut done.0.result);
    Ok(done)
}

/// Parse `argv`, run, and return (exit code, stdout text, stderr text).
pub fn run_to_strings<I, T>(argv: I) -> (i32, String, String)
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut out = Vec::new();
    let (code, err) = run_to_writer(argv, &mut out).expect("writing to memory does not fail");
    (
        code,
        String::from_utf8(out).expect("the output is UTF-8 text"),
        err,
    )
}

/// Parse `argv`, run, write the standard output text to `w` (a `--json` envelope is written as
/// it is serialised, never held whole), and return (exit code, stderr text); an error is a
/// failed write to `w`.
pub fn run_to_writer<I, T>(argv: I, w: &mut dyn std::io::Write) -> std::io::Result<(i32, String)>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let (code, out, err) = match run_or_text(argv) {
        Ok(done) => return done.write(w),
        Err(texts) => texts,
    };
    w.write_all(out.as_bytes())?;
    Ok((code, err))
}

/// A successful run whose output is still to be written.
struct Done {
    out: Output,
    json: bool,
}

impl Done {
    /// Write the output to `w`, return (exit code, stderr text).
    fn write(self, w: &mut dyn std::io::Write) -> std::io::Result<(i32, String)> {
        let Done { out, json } = self;
        if json {
            write_envelope(&mut *w, out.command, &out.input, &out.result, out.digits).map_err(|e| {
                if e.is_io() {
                    std::io::Error::from(e)
                } else {
                    panic!("JSON serialisation: {e}")
                }
            })?;
            w.write_all(b"\n")?;
        } else if let Some(t) = &out.text {
            w.write_all(t.as_bytes())?;
        } else {
            w.write_all(out.result.to_table(out.digits).as_bytes())?;
        }
        // exit code 3 always says why on standard error (check: undecided claims)
        let err = match (out.exit_code, out.result.get("undecided")) {
            (3, Some(Value::Count(u))) => format!(
                "error: {u} claim(s) stayed undecided up to the precision limit (see the lines marked \
                 undecided); raise --max-bits or check fewer ids\n"
            ),
            (3, _) => "error: some values could not be certified within the precision limit\n".to_string(),
            _ => String::new(),
        };
        Ok((out.exit_code, err))
    }
}

/// Parse `argv` and run: a successful run to write, or (exit code, stdout text, stderr text) of
/// a help text or an error.
fn run_or_text<I, T>(argv: I) -> std::result::Result<Done, (i32, String, String)>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match parse_cached(argv) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            return Err(match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let code = if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                        2
                    } else {
                        0
                    };
                    if code == 2 {
                        // no subcommand: usage goes to standard error
                        (code, String::new(), e.render().to_string())
                    } else {
                        (code, e.render().to_string(), String::new())
                    }
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
                        format!("error: {}; see 'alignexact --help'\n", cap_line(&first)),
                    )
                }
            });
        }
    };
    match run_command(cli.command) {
        Ok((out, json)) => Ok(Done { out, json }),
        Err(e) => Err((
            e.exit_code(),
            String::new(),
            format!("error: {}\n", cap_line(&e.to_string())),
        )),
    }
}

/// Longest error line printed, in characters.
pub const MAX_ERROR_CHARS: usize = 1000;

/// An error message on one readable line: at most [`MAX_ERROR_CHARS`] characters, with the
/// number of characters left out.
pub fn cap_line(msg: &str) -> String {
    let one: String = msg.replace('\n', " ");
    let total = one.chars().count();
    if total <= MAX_ERROR_CHARS {
        return one;
    }
    let head: String = one.chars().take(MAX_ERROR_CHARS - 60).collect();
    format!(
        "{head}... ({} characters left out)",
        total - (MAX_ERROR_CHARS - 60)
    )
}

/// `Cli::try_parse_from`, with the clap command tree built once per process and reused: building
/// it costs more than parsing, which matters to callers that run many command lines in one
/// process (the Python package). `try_get_matches_from_mut` is clap's entry point for reuse.
fn parse_cached<I, T>(argv: I) -> std::result::Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    use std::sync::{Mutex, OnceLock};
    static COMMAND: OnceLock<Mutex<clap::Command>> = OnceLock::new();
    let lock = COMMAND.get_or_init(|| Mutex::new(Cli::command()));
    let mut cmd = lock.lock().unwrap_or_else(|e| e.into_inner());
    let mut matches = cmd.try_get_matches_from_mut(argv)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut cmd))
}

/// The whole program: run with the process arguments, print, return the exit code.
pub fn main_entry() -> i32 {
    use std::io::Write;
    // every write to standard output is checked: a lost result is exit 2, never a silent 0. The
    // output is written as it is produced, through a buffer (a 10^6-token `tilt --json` is
    // 228 MB, which is never held whole)
    let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let done = run_to_writer(std::env::args_os(), &mut stdout).and_then(|r| stdout.flush().map(|_| r));
    match done {
        Ok((code, err)) => {
            let _ = std::io::stderr().write_all(err.as_bytes());
            code
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: cannot write the output to standard output: {e}"
            );
            2
        }
    }
}
