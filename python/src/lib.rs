//! `alignexact._native`: the Rust half of the `alignexact` Python package (PyO3).
//!
//! The bindings are deliberately thin. Every Python call becomes the command line it stands for
//! and runs through [`alignexact::cli::run_to_strings`], the same code path as the `alignexact`
//! binary with `--json`, so the Python results are the CLI's JSON envelope, byte for byte, and
//! new flags, subcommands and result fields of the CLI reach Python without a change here.
//! The Python side (`alignexact/__init__.py`) turns keyword arguments into flags, the envelope
//! into `Fraction`/`Certified` objects, and exit codes into exceptions.
//!
//! The computation runs on a worker thread while the calling thread waits with the GIL released
//! ([`Python::detach`]), waking every few milliseconds to run Python's signal handlers
//! ([`Python::check_signals`]): other Python threads keep running, and Ctrl-C raises
//! `KeyboardInterrupt` at once. The core has no cancellation points, so an interrupted
//! computation finishes on its worker thread and its result is dropped.

use clap::CommandFactory;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use serde_json::{json, Map, Value as Json};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// How often a waiting call wakes up to run Python's signal handlers (Ctrl-C).
const SIGNAL_POLL: Duration = Duration::from_millis(20);

/// Stack of the worker thread: the main thread of the binary has 8 MiB; give the worker twice
/// that, so nothing that runs in the binary overflows here. It stays below glibc's cache of thread
/// stacks (40 MiB), so a call reuses the previous call's stack instead of mapping a fresh one.
const WORKER_STACK: usize = 16 << 20;

type Outcome = std::result::Result<(i32, String, String), String>;

/// The text of a panic payload.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Wait for the worker with the GIL released, for at most [`SIGNAL_POLL`]. The receiver is moved
/// in and handed back because it is not `Sync`.
fn wait(
    py: Python<'_>,
    rx: Receiver<Outcome>,
) -> (Receiver<Outcome>, std::result::Result<Outcome, RecvTimeoutError>) {
    py.detach(move || {
        let got = rx.recv_timeout(SIGNAL_POLL);
        (rx, got)
    })
}

/// Run the command line `argv` (without the program name) in-process, as
/// `alignexact ARGV...` would, and return `(exit_code, stdout, stderr)`.
///
/// The GIL is released while the computation runs; Ctrl-C (or any Python signal handler that
/// raises) interrupts the wait and propagates its exception.
#[pyfunction]
fn run(py: Python<'_>, argv: Vec<String>) -> PyResult<(i32, String, String)> {
    let (tx, mut rx) = mpsc::channel::<Outcome>();
    let mut full = Vec::with_capacity(argv.len() + 1);
    full.push("alignexact".to_string());
    full.extend(argv);
    std::thread::Builder::new()
        .name("alignexact".into())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                alignexact::cli::run_to_strings(full)
            }))
            .map_err(panic_text);
            // The receiver is gone when the call was interrupted: nothing to report then.
            let _ = tx.send(out);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("alignexact: could not start a worker thread: {e}")))?;
    loop {
        let (back, got) = wait(py, rx);
        rx = back;
        match got {
            Ok(Ok(t)) => return Ok(t),
            Ok(Err(msg)) => {
                return Err(PyRuntimeError::new_err(format!(
                    "alignexact: internal error (a bug, please report it): {msg}"
                )))
            }
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "alignexact: internal error: the worker thread ended without a result",
                ))
            }
        }
    }
}

/// The subcommands of the command line with their flags, as JSON text:
/// `{"tilt": {"about": "...", "flags": {"p": true, "normalize": false, ...}, "positional": []}, ...}`
/// where a flag maps to whether it takes a value. Read from the CLI's own definition (clap), so
/// flags added to the CLI appear here without a change to the bindings.
#[pyfunction]
fn commands() -> String {
    let cli = alignexact::cli::Cli::command();
    let mut out = Map::new();
    for sub in cli.get_subcommands() {
        let mut flags = Map::new();
        let mut positional = Vec::new();
        for arg in sub.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if let Some(long) = arg.get_long() {
                flags.insert(long.to_string(), Json::Bool(arg.get_action().takes_values()));
            } else if arg.is_positional() {
                positional.push(Json::String(id.to_string()));
            }
        }
        let about = sub.get_about().map(|s| s.to_string()).unwrap_or_default();
        out.insert(
            sub.get_name().to_string(),
            json!({"about": about, "flags": flags, "positional": positional}),
        );
    }
    Json::Object(out).to_string()
}

/// The float64 tolerance model of the reference vectors (`alignexact vectors`) for one result:
/// `family` is the subcommand (divergence, tilt, rate, cumulants, bon, compare; others get the
/// default), `input` and `output` the JSON texts of the envelope's `input` and `result`.
/// Returns `{"default": {"rel", "abs"}, "fields": {JSON pointer: {"rel", "abs", "note"}}}` as text.
#[pyfunction]
fn tolerance(family: &str, input: &str, output: &str) -> PyResult<String> {
    let parse = |what: &str, s: &str| {
        serde_json::from_str::<Json>(s).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("alignexact.tolerance: {what} is not JSON: {e}"))
        })
    };
    let (input, output) = (parse("input", input)?, parse("output", output)?);
    let got =
        std::panic::catch_unwind(|| alignexact::vectors::tolerance::tolerance_json(family, &input, &output))
            .map_err(|p| PyRuntimeError::new_err(format!("alignexact: internal error: {}", panic_text(p))))?;
    got.map(|j| j.to_string())
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// The version of the alignexact crate the module was built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(commands, m)?)?;
    m.add_function(wrap_pyfunction!(tolerance, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
