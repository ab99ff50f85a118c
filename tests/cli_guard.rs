//! The resource guards of `src/cli/guard.rs` (issue 14, items 3 and "Refusal figures"): a job is
//! estimated before it runs and refused (exit 2, one line, the estimate and the limit that
//! applied) when it exceeds the memory actually available or the time limit; figures are in
//! exponent notation; one-level models need nothing; the limits quoted are the real ones.

mod common;

use common::{assert_usage_error, run_cli};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run the binary with an environment variable set; return (exit code, stdout, stderr, time).
fn run_env(args: &[&str], key: &str, val: &str) -> (i32, String, String, Duration) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_alignexact"))
        .args(args)
        .env(key, val)
        .stdin(Stdio::null())
        .output()
        .expect("run alignexact");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        start.elapsed(),
    )
}

#[test]
fn guard_uses_the_memory_limit_and_names_it() {
    // compare at n = 20000 on two tokens needs tens of MB: with a 1 MB limit it is refused
    // up front, naming the limit that applied
    let args = [
        "compare", "--p", "1/2,1/2", "--r", "0,1", "--delta", "1/10", "--n", "20000",
    ];
    let (code, out, err, t) = run_env(&args, "ALIGNEXACT_MEMORY_LIMIT", "1M");
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ALIGNEXACT_MEMORY_LIMIT"), "{err}");
    assert!(err.contains("GB of memory"), "{err}");
    assert!(
        t < Duration::from_secs(5),
        "refused up front, not after computing: {t:?}"
    );
    // the same job with the machine's own limit runs
    let (code, _, err, _) = run_env(&args, "ALIGNEXACT_MEMORY_LIMIT", "64G");
    assert_eq!(code, 0, "{err}");
}

#[test]
fn one_level_model_needs_nothing_at_any_length() {
    // S_n = 0 with probability 1: one level, whatever n (the old guard asked for 5e8 GB)
    let (code, out, err) = run_cli(&["bon", "--p", "1", "--r", "0", "--n", "1e9", "--N", "3", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["result"]["levels_total"], 1);
    assert_eq!(v["result"]["expected_reward"]["exact"], "0");
}

#[test]
fn sequence_length_limit_is_the_real_one() {
    // the level law's exponents are 32-bit: the limit quoted is 2^32 - 1, not u64::MAX
    let line = assert_usage_error(
        &["bon", "--p", "1/2,1/2", "--r", "0,1", "--n", "1e30", "--N", "2"],
        &["--n", "4294967295"],
    );
    assert!(!line.contains("18446744073709551615"), "{line}");
}

#[test]
fn refusal_figures_use_exponent_notation() {
    // n = 2^32 - 1 on two tokens: a level law of ~4e9 levels with ~4e9-bit weights
    let line = assert_usage_error(
        &[
            "compare",
            "--p",
            "1/2,1/2",
            "--r",
            "0,1",
            "--delta",
            "1/10",
            "--n",
            "4294967295",
            "--method",
            "exact",
        ],
        &["refusing n = 4294967295"],
    );
    // every figure is short: no run of more than 12 digits
    let longest = line
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(
        longest <= 12,
        "a figure is printed as a long run of digits: {line}"
    );
    let exp = line.split_whitespace().any(|w| {
        w.split_once('e')
            .is_some_and(|(m, e)| m.parse::<f64>().is_ok() && e.parse::<i32>().is_ok())
    });
    assert!(exp, "expected exponent notation: {line}");
}

#[test]
fn levels_all_is_part_of_the_estimate() {
    // listing every level prints each exact probability (about n log2(10) bits at n = 60000):
    // refused with --levels all, while the same job with --levels none runs (a few seconds)
    let base = [
        "bon",
        "--p",
        "7/10,3/10",
        "--r",
        "0,1",
        "--n",
        "60000",
        "--N",
        "3",
    ];
    let mut all = base.to_vec();
    all.extend(["--levels", "all"]);
    // refused for its time (about 1800 s) or, on a smaller machine, its memory (about 25 GB)
    assert_usage_error(&all, &["refusing n = 60000"]);
    let mut none = base.to_vec();
    none.extend(["--levels", "none"]);
    let (code, _, err) = run_cli(&none);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn sweep_total_is_guarded_not_only_each_row() {
    // Example A at n = 50000: each row alone is estimated at about 30 s (measured 30 s), the
    // grid of 40 rows at 20 minutes
    let grid = vec!["50000"; 40].join(",");
    let line = assert_usage_error(
        &[
            "sweep",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--delta",
            "3/10",
            "--n",
            &grid,
            "--method",
            "exact",
        ],
        &["refusing a grid of 40 sequence lengths"],
    );
    assert!(line.contains("900 s"), "{line}");
}

#[test]
fn digits_are_guarded_on_fixed_model_commands() {
    for cmd in [
        vec!["demo", "--digits", "100000"],
        vec!["check", "--digits", "100000"],
        vec![
            "vectors",
            "--out",
            "unused-dir-never-written",
            "--digits",
            "100000",
        ],
        vec!["plot", "frontier", "--out", "unused.svg", "--digits", "100000"],
    ] {
        let start = Instant::now();
        assert_usage_error(&cmd, &["--digits 100000", "fewer --digits"]);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{cmd:?} not refused up front"
        );
    }
    assert!(!std::path::Path::new("unused-dir-never-written").exists());
}
