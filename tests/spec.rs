//! `--spec FILE|-`: flags read from a JSON object. Flags given on the command line override the
//! file, values are read exactly, and an unknown key is rejected with the key named (exit 2),
//! for `tilt`, `bon` and `compare`.

mod common;

use common::{assert_usage_error, run_cli, run_cli_stdin};
use serde_json::Value;
use std::path::PathBuf;

/// Write `text` to a fresh temporary file named after `tag`.
fn spec_file(tag: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("alignexact-spec-{tag}-{}.json", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

/// Run with `--json` and return the envelope.
fn envelope(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let (code, out, err) = run_cli(&a);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

const EXAMPLE_A: &str = r#"{"p": ["1/2", "3/10", "1/5"], "r": [0, 1, 3], "delta": "3/10"}"#;

#[test]
fn tilt_spec_file_alone_gives_the_same_result_as_flags() {
    let f = spec_file("tilt-alone", EXAMPLE_A);
    let from_spec = envelope(&["tilt", "--spec", f.to_str().unwrap()]);
    let from_flags = envelope(&["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "3/10"]);
    assert_eq!(from_spec, from_flags);
    assert_eq!(from_spec["input"]["delta"], "3/10");
}

#[test]
fn tilt_flags_override_the_spec_file() {
    let f = spec_file("tilt-override", EXAMPLE_A);
    let doc = envelope(&[
        "tilt",
        "--spec",
        f.to_str().unwrap(),
        "--delta",
        "1/5",
        "--digits",
        "20",
    ]);
    assert_eq!(doc["input"]["delta"], "1/5");
    assert_eq!(doc["input"]["digits"], 20);
    assert_eq!(doc["input"]["p"][1], "3/10", "p still comes from the file");
    let direct = envelope(&[
        "tilt",
        "--p",
        "1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--delta",
        "1/5",
        "--digits",
        "20",
    ]);
    assert_eq!(doc["result"], direct["result"]);
    // the model too: --p and --r on the command line replace the file's
    let doc = envelope(&[
        "tilt",
        "--spec",
        f.to_str().unwrap(),
        "--p",
        "7/10,3/10",
        "--r",
        "0,1",
    ]);
    assert_eq!(doc["input"]["p"], serde_json::json!(["7/10", "3/10"]));
    assert_eq!(doc["input"]["delta"], "3/10");
}

#[test]
fn tilt_spec_from_standard_input_and_exact_numbers() {
    // a JSON number is read as its decimal text, exactly: 0.3 is 3/10
    let (code, out, err) = run_cli_stdin(
        &["tilt", "--spec", "-", "--json"],
        Some(r#"{"p": [0.5, 0.3, 0.2], "r": [0, 1, 3], "delta": 0.3}"#),
    );
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["input"]["p"], serde_json::json!(["1/2", "3/10", "1/5"]));
    assert_eq!(doc["input"]["delta"], "3/10");
    assert!(doc["result"]["lambda"]["value"]
        .as_str()
        .unwrap()
        .starts_with("0.60341350233614637506040250945"));
}

#[test]
fn tilt_unknown_key_is_rejected_with_the_key_named() {
    let f = spec_file(
        "tilt-unknown",
        r#"{"p": ["1/2", "1/2"], "r": [0, 1], "delta": "1/5", "dleta": "1/5"}"#,
    );
    assert_usage_error(&["tilt", "--spec", f.to_str().unwrap()], &["dleta", "--spec"]);
}

#[test]
fn bon_flags_override_the_spec_file() {
    let f = spec_file(
        "bon-override",
        r#"{"p": ["7/10", "3/10"], "r": ["0", "1"], "n": 5, "N": 3, "levels": "all"}"#,
    );
    let from_spec = envelope(&["bon", "--spec", f.to_str().unwrap()]);
    assert_eq!(from_spec["input"]["N"], "3");
    assert_eq!(
        from_spec["result"]["expected_reward_per_token"]["exact"],
        "117923075777169/250000000000000"
    );
    assert_eq!(
        from_spec["result"]["levels"].as_array().unwrap().len(),
        6,
        "levels from the file"
    );
    let doc = envelope(&[
        "bon",
        "--spec",
        f.to_str().unwrap(),
        "--N",
        "4",
        "--levels",
        "none",
    ]);
    assert_eq!(doc["input"]["N"], "4");
    assert_eq!(doc["input"]["n"], 5, "n still comes from the file");
    assert!(doc["result"]["levels"].as_array().unwrap().is_empty());
    let direct = envelope(&[
        "bon",
        "--p",
        "7/10,3/10",
        "--r",
        "0,1",
        "--n",
        "5",
        "--N",
        "4",
        "--levels",
        "none",
    ]);
    assert_eq!(doc["result"], direct["result"]);
}

#[test]
fn bon_unknown_key_is_rejected_with_the_key_named() {
    let f = spec_file(
        "bon-unknown",
        r#"{"p": ["7/10", "3/10"], "r": [0, 1], "N": 3, "samples": 3}"#,
    );
    assert_usage_error(&["bon", "--spec", f.to_str().unwrap()], &["samples"]);
}

#[test]
fn compare_flags_override_the_spec_file() {
    let f = spec_file(
        "compare-override",
        r#"{"p": ["1/2", "3/10", "1/5"], "r": [0, 1, 3], "delta": "3/10", "n": 10, "N_rule": "floor"}"#,
    );
    let from_spec = envelope(&["compare", "--spec", f.to_str().unwrap()]);
    assert_eq!(from_spec["input"]["n"], 10);
    assert_eq!(from_spec["input"]["N_rule"], "floor");
    assert_eq!(from_spec["input"]["N"], "20", "floor(e^3) = 20");
    let doc = envelope(&[
        "compare",
        "--spec",
        f.to_str().unwrap(),
        "--n",
        "20",
        "--N-rule",
        "ceil",
    ]);
    assert_eq!(doc["input"]["n"], 20);
    assert_eq!(doc["input"]["N_rule"], "ceil");
    assert_eq!(doc["input"]["N"], "404", "ceil(e^6) = 404");
    assert_eq!(doc["input"]["delta"], "3/10", "delta still comes from the file");
    let direct = envelope(&[
        "compare",
        "--p",
        "1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--delta",
        "3/10",
        "--n",
        "20",
    ]);
    assert_eq!(doc["result"], direct["result"]);
}

#[test]
fn compare_unknown_key_is_rejected_with_the_key_named() {
    let f = spec_file(
        "compare-unknown",
        r#"{"p": ["1/2", "3/10", "1/5"], "r": [0, 1, 3], "delta": "3/10", "n": 10, "budget": 1}"#,
    );
    assert_usage_error(&["compare", "--spec", f.to_str().unwrap()], &["budget"]);
    // also from standard input
    let (code, out, err) = run_cli_stdin(
        &["compare", "--spec", "-"],
        Some(r#"{"p": ["1/2", "1/2"], "r": [0, 1], "delta": "1/5", "n": 4, "seq_len": 4}"#),
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("seq_len"), "{err}");
}

#[test]
fn foreign_and_duplicate_spec_keys_are_refused() {
    // 'q' is a flag of divergence, not of tilt
    let f = spec_file(
        "foreign",
        r#"{"p": ["1/2","1/2"], "r": [0, 1], "delta": "1/10", "q": [1]}"#,
    );
    assert_usage_error(&["tilt", "--spec", f.to_str().unwrap()], &["'q'", "tilt"]);
    // the same key twice (also through the underscore spelling)
    let f = spec_file(
        "dup",
        r#"{"p": ["1/2","1/2"], "r": [0, 1], "delta": "1/10", "delta": "1/5"}"#,
    );
    assert_usage_error(&["tilt", "--spec", f.to_str().unwrap()], &["'delta'", "twice"]);
    let f = spec_file(
        "dup2",
        r#"{"exp_lambda": 2, "exp-lambda": 3, "p": [1], "r": [0]}"#,
    );
    assert_usage_error(&["tilt", "--spec", f.to_str().unwrap()], &["twice"]);
    // a hidden (refused) flag is not a key either
    let f = spec_file(
        "hidden",
        r#"{"p": ["1/2","1/2"], "r": [0, 1], "n": 4, "lambda": 1}"#,
    );
    assert_usage_error(
        &["compare", "--spec", f.to_str().unwrap()],
        &["'lambda'", "compare"],
    );
}

#[test]
fn check_spec_takes_seed_and_random() {
    let f = spec_file("check", r#"{"seed": 7, "random": 1}"#);
    let (code, out, err) = run_cli(&["check", "TILT-1", "--spec", f.to_str().unwrap(), "--json"]);
    assert!(code == 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["input"]["seed"], 7);
    assert_eq!(v["input"]["random"], 1);
}
