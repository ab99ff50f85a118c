//! `alignexact vectors --out DIR`: write the reference-vector suite of [`crate::vectors`].
//!
//! This file only parses the flags, checks `--out` before computing anything, runs each case
//! through the command-line code path (so `alignexact <args>` reproduces every vector), shows a
//! progress bar on a terminal, and hands the files to the suite's atomic writer.

use super::progress::Progress;
use super::{run_command, Cli, Common, Output};
use crate::error::{Error, Result};
use crate::report::{obj, Value};
use crate::vectors::{self, Case, Ran, DEFAULT_DIGITS, SUITE_VERSION};
use clap::{Args, Parser};
use serde_json::json;
use std::path::PathBuf;

/// Flags of `vectors`.
#[derive(Args, Clone, Debug, Default)]
pub struct VectorsArgs {
    /// Directory to write the vector files into (created when missing; existing files are replaced atomically)
    #[arg(long, value_name = "DIR")]
    pub out: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// Run a case through the command-line code path; return its `Output`.
pub fn run_case(case: &Case, digits: usize, max_bits: Option<&str>) -> Result<Output> {
    let mut argv = vec!["alignexact".to_string()];
    argv.extend(case.args.iter().cloned());
    argv.push("--digits".into());
    argv.push(digits.to_string());
    if let Some(b) = max_bits {
        argv.push("--max-bits".into());
        argv.push(b.to_string());
    }
    argv.push("--json".into());
    let cli = Cli::try_parse_from(&argv)
        .map_err(|e| Error::input(format!("vector {}: bad internal arguments: {e}", case.id)))?;
    let (out, _) = run_command(cli.command).map_err(|e| {
        let id = &case.id;
        match e {
            Error::Input(m) => Error::Input(format!("vector {id}: {m}")),
            Error::TooLarge(m) => Error::TooLarge(format!("vector {id}: {m}")),
            Error::Io(m) => Error::Io(format!("vector {id}: {m}")),
            Error::Internal(m) => Error::Internal(format!("vector {id}: {m}")),
            Error::Range(m) => Error::Range(format!("vector {id}: {m}")),
            Error::Uncertified {
                quantity,
                digits,
                bits,
                reached,
            } => Error::Uncertified {
                quantity: format!("{quantity} (vector {id})"),
                digits,
                bits,
                reached,
            },
        }
    })?;
    Ok(out)
}

/// Run `vectors`.
pub fn run(mut a: VectorsArgs) -> Result<(Output, bool)> {
    let spec = a.common.load_spec()?;
    spec.fill("out", &mut a.out);
    let digits = match a.common.digits.as_deref() {
        None => DEFAULT_DIGITS,
        Some(_) => super::args::precision(a.common.digits.as_deref(), None)?.digits,
    };
    if let Some(b) = a.common.max_bits.as_deref() {
        super::args::precision(None, Some(b))?;
    }
    let out = a.out.as_deref().ok_or_else(|| {
        Error::input(
            "vectors needs --out DIR: the directory to write the vector files into, e.g. --out vectors",
        )
    })?;
    if out.trim().is_empty() {
        return Err(Error::input("--out: give a directory name, e.g. --out vectors"));
    }
    super::guard::digits_guard("vectors", digits, super::guard::VECTORS_WORK)?;
    let dir = PathBuf::from(out);
    // fail before the computation, not after it
    vectors::prepare_dir(&dir, "--out")?;
    let start = std::time::Instant::now();
    let trace = crate::real::ziv::trace_on();
    let bar = Progress::new("vectors", vectors::case_count() as u64);
    let max_bits = a.common.max_bits.clone();
    let mut run = |c: &Case| -> Result<Ran> {
        bar.message(&c.id);
        let t0 = std::time::Instant::now();
        let o = run_case(c, digits, max_bits.as_deref())?;
        if trace {
            eprintln!("[vectors] {} {:.3} s", c.id, t0.elapsed().as_secs_f64());
        }
        bar.inc();
        Ok(Ran {
            output: o.result.to_json(o.digits),
            input: o.input,
        })
    };
    let suite = vectors::generate(digits, &mut run);
    bar.finish();
    let suite = suite?;
    vectors::write_suite(&dir, &suite, "--out")?;
    let secs = start.elapsed().as_secs_f64();
    let total: usize = suite.counts.iter().map(|(_, c)| c).sum();
    let per: Vec<String> = suite.counts.iter().map(|(f, c)| format!("{f} {c}")).collect();
    let text = format!(
        "alignexact vectors: wrote {total} vectors in {} files plus index.json to {} (suite {SUITE_VERSION}, {digits} digits, {secs:.1} s): {}\n",
        suite.counts.len(),
        dir.display(),
        per.join(", ")
    );
    let files: Vec<Value> = suite
        .files
        .iter()
        .map(|(name, body)| {
            obj(vec![
                ("file", Value::Str(name.clone())),
                ("sha256", Value::Str(vectors::sha256_hex(body.as_bytes()))),
            ])
        })
        .collect();
    let result = obj(vec![
        ("suite_version", Value::Str(SUITE_VERSION.into())),
        ("vectors", Value::Count(total as u64)),
        (
            "families",
            Value::Object(
                suite
                    .counts
                    .iter()
                    .map(|(f, c)| (f.clone(), Value::Count(*c as u64)))
                    .collect(),
            ),
        ),
        ("files", Value::Array(files)),
    ]);
    Ok((
        Output {
            command: "vectors",
            input: json!({"out": out, "digits": digits}),
            result,
            digits,
            exit_code: 0,
            text: Some(text),
        },
        a.common.json,
    ))
}
