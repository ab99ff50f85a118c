//! The output contract of INTERFACE.md carried by `src/report` (issue 14, "Contract"): every
//! `null` leaf has a `notes` entry naming it, an exact input echoed in a result is an exact
//! leaf, and exit code 3 says when more precision cannot help.

mod common;

use common::run_cli;
use serde_json::Value;

fn envelope(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let (code, out, err) = run_cli(&a);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// Paths of the null leaves of `v` in the notation of the notes (`a.b[2].c`).
fn nulls(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path.to_string()),
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                nulls(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                nulls(x, &p, out);
            }
        }
        _ => {}
    }
}

fn assert_every_null_noted(doc: &Value) {
    let mut paths = Vec::new();
    nulls(&doc["result"], "", &mut paths);
    assert!(!paths.is_empty(), "the case must have a null leaf");
    let notes: Vec<&str> = doc["result"]["notes"]
        .as_array()
        .expect("a result with null leaves has notes")
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    for p in paths {
        assert!(
            notes.iter().any(|n| n.starts_with(&format!("{p}: "))),
            "null leaf {p} has no note: {notes:?}"
        );
    }
}

#[test]
fn null_leaves_carry_notes_naming_them() {
    // LDP-1: x outside [r_min, r_max] has no tilt (lambda_x undefined)
    assert_every_null_noted(&envelope(&["rate", "--p", "7/10,3/10", "--r", "0,1", "--x", "2"]));
    // saturated optimum: the Renyi forms of the scaled CGF are undefined
    assert_every_null_noted(&envelope(&[
        "cumulants",
        "--p",
        "1/2,1/2",
        "--r",
        "0,1",
        "--delta",
        "1",
        "--t",
        "1/2",
    ]));
    // Delta >= Delta_max: no interior optimum, so no ASY predictions in the sweep rows
    assert_every_null_noted(&envelope(&[
        "sweep", "--p", "1/2,1/2", "--r", "0,1", "--delta", "1", "--n", "4,8",
    ]));
}

#[test]
fn an_exact_lambda_comes_back_exact() {
    for cmd in [
        vec!["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--lambda", "-5"],
        vec![
            "rate",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--x",
            "1",
            "--lambda",
            "2/3",
        ],
        vec![
            "cumulants",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--lambda",
            "7/4",
        ],
        vec!["tilt", "--p", "1/2,1/2", "--r", "1,1", "--lambda", "-5"],
    ] {
        let doc = envelope(&cmd);
        let given = cmd[cmd.iter().position(|a| *a == "--lambda").unwrap() + 1];
        assert_eq!(
            doc["result"]["lambda"]["exact"], given,
            "{cmd:?}: {}",
            doc["result"]["lambda"]
        );
        assert!(doc["result"]["lambda"].get("lo").is_none());
    }
}

#[test]
fn exit_3_says_when_more_precision_does_not_help() {
    // e^(1e20 r) leaves the floating-point exponent range: doubling the precision gains nothing
    let (code, out, err) = run_cli(&[
        "tilt",
        "--p",
        "1/2,1/2",
        "--r",
        "0,1",
        "--lambda",
        "1e20",
        "--max-bits",
        "1024",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1);
    assert!(
        err.contains("exponent range") && err.contains("10^323228496"),
        "{err}"
    );
    assert!(!err.contains("; raise --max-bits"), "{err}");
}
