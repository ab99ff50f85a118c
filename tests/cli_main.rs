//! `src/cli/mod.rs` and the contract of INTERFACE.md that it carries (issue 14): checked writes
//! to standard output, usage on standard error, tracing only when asked, capped error lines,
//! help that lists only flags that work, advice that the command accepts.

mod common;

use common::{assert_usage_error, run_cli};
use std::process::{Command, Stdio};

#[test]
fn a_failed_write_to_standard_output_is_exit_2() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = full else {
        return; // no /dev/full on this system
    };
    let out = Command::new(env!("CARGO_BIN_EXE_alignexact"))
        .args(["tilt", "--p", "1/2,1/2", "--r", "0,1", "--delta", "1/10"])
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error:") && err.contains("standard output"),
        "{err}"
    );
}

#[test]
fn bare_invocation_prints_usage_on_stderr() {
    let (code, out, err) = run_cli(&[]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "usage must not go to stdout: {out}");
    assert!(err.contains("Usage: alignexact"), "{err}");
}

#[test]
fn trace_zero_means_off() {
    let run = |v: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_alignexact"))
            .args(["tilt", "--p", "1/2,1/2", "--r", "0,1", "--delta", "1/10"])
            .env("ALIGNEXACT_TRACE", v)
            .output()
            .unwrap();
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(run("0").is_empty());
    assert!(run("off").is_empty());
    assert!(run("1").contains("[ziv]"));
}

#[test]
fn error_lines_are_capped() {
    // a 1.3-million-digit --N (beyond 2^4000000) from a spec file: the message stays readable
    let big = format!("1{}", "0".repeat(1_300_000));
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("alignexact-bigN-{}.json", std::process::id()));
    std::fs::write(&path, format!("{{\"N\": \"{big}\"}}")).unwrap();
    let (code, _, err) = run_cli(&[
        "bon",
        "--p",
        "1/2,1/2",
        "--r",
        "0,1",
        "--spec",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1);
    assert!(err.len() <= 1100, "error line of {} bytes", err.len());
}

/// The long flags listed by `alignexact CMD --help`.
fn listed_flags(cmd: &str) -> Vec<String> {
    let (code, out, _) = run_cli(&[cmd, "--help"]);
    assert_eq!(code, 0);
    out.lines()
        .filter(|l| l.starts_with("  ") && l.trim_start().starts_with('-'))
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("--")))
        .map(|w| w.trim_end_matches(',').to_string())
        .filter(|w| w != "--help")
        .collect()
}

#[test]
fn help_lists_only_flags_that_work() {
    let compare = listed_flags("compare");
    for hidden in ["--levels", "--lambda", "--beta", "--exp-lambda"] {
        assert!(
            !compare.contains(&hidden.to_string()),
            "compare --help lists {hidden}"
        );
    }
    let (_, help, _) = run_cli(&["compare", "--help"]);
    assert!(
        help.contains("Sequence length n >= 1 (required)"),
        "compare's --n has no default: {help}"
    );
    let sweep = listed_flags("sweep");
    for hidden in ["--lambda", "--beta", "--exp-lambda"] {
        assert!(
            !sweep.contains(&hidden.to_string()),
            "sweep --help lists {hidden}"
        );
    }
    assert!(!listed_flags("rate").contains(&"--exp-lambda".to_string()));
    assert!(listed_flags("schema").is_empty(), "schema takes no flags");
    // and the hidden ones are refused, never ignored
    assert_usage_error(
        &[
            "compare", "--p", "1/2,1/2", "--r", "0,1", "--delta", "1/10", "--n", "4", "--levels", "bogus",
        ],
        &["--levels"],
    );
}

#[test]
fn advice_names_a_flag_the_command_accepts() {
    for (args, bad) in [
        (
            vec![
                "compare",
                "--p",
                "1/2,1/2",
                "--r",
                "0,1",
                "--n",
                "4",
                "--exp-lambda",
                "2",
            ],
            "--lambda",
        ),
        (
            vec!["sweep", "--p", "1/2,1/2", "--r", "0,1", "--n", "4"],
            "--lambda",
        ),
        (
            vec!["sweep", "--p", "1/2,1/2", "--r", "0,1", "--n", "4"],
            "--beta",
        ),
    ] {
        let line = assert_usage_error(&args, &["--delta"]);
        let advice = line.split(';').next_back().unwrap_or("");
        assert!(
            !advice.contains(bad) || line.contains(&format!("{bad}: ")),
            "{line}"
        );
        assert!(!line.contains(&format!("use {bad}")), "{line}");
    }
}
