//! Markov reference models on the command line (MATH.md §10, INTERFACE.md `--transition`,
//! `--init`): bad input exits 2 with one line naming the row and the entry; a memoryless chain
//! reproduces every number of the memoryless `compare` and `bon` (exact fields `==`, certified
//! fields to every digit); limit quantities of periodic/reducible chains are null with a note.

mod common;

use common::run_cli;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let (code, out, err) = run_cli(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).expect("one JSON document")
}

fn usage_error(args: &[&str], needles: &[&str]) {
    let (code, out, err) = run_cli(args);
    assert_eq!(code, 2, "{args:?}: exit code, stderr {err}");
    assert!(out.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: '{n}' not in {err}");
    }
}

#[test]
fn bad_chains_exit_2_naming_row_and_entry() {
    let base = ["compare", "--delta", "1/5", "--n", "10", "--r", "0,1"];
    let with = |t: &'static str| {
        let mut v = base.to_vec();
        v.extend(["--transition", t]);
        v
    };
    usage_error(
        &with("1/2,1/3;1/5,4/5"),
        &["--transition", "row 1 sums to 5/6", "--normalize"],
    );
    usage_error(
        &with("9/10,1/10;-1/5,6/5"),
        &["--transition", "row 2, entry 1 is negative"],
    );
    usage_error(
        &with("9/10,1/10;1/5,4/5,0"),
        &["--transition", "row 2 has 3 entries", "square"],
    );
    usage_error(&with("9/10,1/10;1/5,four"), &["--transition", "row 2", "'four'"]);
    usage_error(
        &[
            "compare",
            "--delta",
            "1/5",
            "--n",
            "10",
            "--r",
            "0,1,2",
            "--transition",
            "9/10,1/10;1/5,4/5",
        ],
        &["--r has 3 entries", "2 states"],
    );
    usage_error(
        &[
            "compare",
            "--delta",
            "1/5",
            "--n",
            "10",
            "--r",
            "0,1",
            "--p",
            "1/2,1/2",
            "--transition",
            "1,0;0,1",
        ],
        &["--p and --transition are mutually exclusive"],
    );
    usage_error(
        &[
            "compare", "--delta", "1/5", "--n", "10", "--r", "0,1", "--p", "1/2,1/2", "--init", "1,0",
        ],
        &["--init needs --transition"],
    );
    usage_error(
        &["tilt", "--delta", "1/5", "--r", "0,1", "--transition", "1,0;0,1"],
        &["--init is required", "2 closed classes"],
    );
    usage_error(
        &[
            "compare",
            "--delta",
            "1/5",
            "--n",
            "10",
            "--r",
            "0,1",
            "--transition",
            "1/2,1/2;1/2,1/2",
            "--method",
            "window",
        ],
        &["--method window", "--transition"],
    );
    // --normalize rescales each row exactly
    let v = json(&[
        "tilt",
        "--lambda",
        "1",
        "--r",
        "0,1",
        "--transition",
        "9,1;1,4",
        "--normalize",
        "--json",
    ]);
    assert_eq!(v["input"]["transition"][1][0], "1/5");
}

/// Every leaf of the memoryless `compare`/`bon` result must appear identically in the chain's.
fn same_leaves(a: &Value, b: &Value, path: &str) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            if x.contains_key("value") || x.contains_key("exact") {
                for k in ["exact", "value"] {
                    assert_eq!(x.get(k), y.get(k), "{path}.{k}");
                }
                return;
            }
            for (k, va) in x {
                let vb = y
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} missing in the chain result"));
                same_leaves(va, vb, &format!("{path}.{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                same_leaves(va, vb, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

#[test]
fn mkv1_memoryless_chain_reproduces_compare_and_bon_to_every_digit() {
    for (p, r, delta) in [("1/2,3/10,1/5", "0,1,3", "3/10"), ("7/10,3/10", "0,1", "1/5")] {
        let k = p.split(',').count();
        let rows = vec![p; k].join(";");
        for n in ["1", "5", "40"] {
            let mem = json(&[
                "compare", "--p", p, "--r", r, "--delta", delta, "--n", n, "--json",
            ]);
            let ch = json(&[
                "compare",
                "--transition",
                &rows,
                "--init",
                p,
                "--r",
                r,
                "--delta",
                delta,
                "--n",
                n,
                "--json",
            ]);
            same_leaves(&mem["result"], &ch["result"], &format!("compare n={n}"));
            // the limit of a memoryless chain is the memoryless optimum itself
            assert_eq!(
                ch["result"]["lambda_limit"]["value"],
                mem["result"]["lambda"]["value"]
            );
            let mem = json(&[
                "bon", "--p", p, "--r", r, "--N", "4", "--n", n, "--levels", "all", "--json",
            ]);
            let ch = json(&[
                "bon",
                "--transition",
                &rows,
                "--init",
                p,
                "--r",
                r,
                "--N",
                "4",
                "--n",
                n,
                "--levels",
                "all",
                "--json",
            ]);
            same_leaves(&mem["result"], &ch["result"], &format!("bon n={n}"));
        }
    }
}

#[test]
fn spec_file_transition_matrix_equals_the_flags() {
    let (code, out, err) = common::run_cli_stdin(
        &["compare", "--spec", "-", "--json"],
        Some(r#"{"transition": [["9/10","1/10"],["1/5","4/5"]], "r": [0, 1], "delta": "1/5", "n": 20}"#),
    );
    assert_eq!(code, 0, "{err}");
    let a: Value = serde_json::from_str(&out).unwrap();
    let b = json(&[
        "compare",
        "--transition",
        "9/10,1/10;1/5,4/5",
        "--r",
        "0,1",
        "--delta",
        "1/5",
        "--n",
        "20",
        "--json",
    ]);
    assert_eq!(a["result"], b["result"]);
    assert_eq!(a["input"]["init"][0], "2/3", "stationary init, exact");
}

#[test]
fn limits_of_periodic_and_reducible_chains_are_null_with_a_note() {
    let v = json(&[
        "compare",
        "--transition",
        "0,1;1,0",
        "--r",
        "0,1",
        "--delta",
        "1/10",
        "--n",
        "6",
        "--json",
    ]);
    assert!(v["result"]["lambda_limit"].is_null() && v["result"]["x_star_limit"].is_null());
    let notes = v["result"]["notes"].to_string();
    assert!(
        notes.contains("lambda_limit") && notes.contains("periodic"),
        "{notes}"
    );
    // the finite-n optimum still exists
    assert!(v["result"]["lambda"]["value"].is_string());
    let v = json(&[
        "tilt",
        "--transition",
        "1/2,1/2;0,1",
        "--init",
        "1,0",
        "--r",
        "0,1",
        "--delta",
        "1/10",
        "--json",
    ]);
    assert!(v["result"]["lambda"].is_null());
    assert!(v["result"]["notes"].to_string().contains("reducible"));
}

#[test]
fn mkv3_tilt_of_a_memoryless_chain_matches_tilt() {
    let mem = json(&[
        "tilt",
        "--p",
        "1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--delta",
        "3/10",
        "--json",
    ]);
    let ch = json(&[
        "tilt",
        "--transition",
        "1/2,3/10,1/5;1/2,3/10,1/5;1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--delta",
        "3/10",
        "--json",
    ]);
    for k in ["lambda", "log_partition", "expected_reward", "reward_variance"] {
        assert_eq!(mem["result"][k]["value"], ch["result"][k]["value"], "{k}");
    }
    // the Doob transform of a memoryless chain has every row phi_Delta, and stationary law phi_Delta
    for (i, x) in mem["result"]["phi"].as_array().unwrap().iter().enumerate() {
        assert_eq!(ch["result"]["doob_stationary"][i]["value"], x["value"]);
        assert_eq!(ch["result"]["doob_transition"][2][i]["value"], x["value"]);
    }
}

#[test]
fn chain_outputs_match_the_schema() {
    let (code, out, _) = run_cli(&["schema"]);
    assert_eq!(code, 0);
    let schema: Value = serde_json::from_str(&out).unwrap();
    let v = jsonschema::draft202012::new(&schema).expect("schema compiles");
    let s = ["--transition", "9/10,1/10;1/5,4/5", "--r", "0,1"];
    let per = ["--transition", "0,1;1,0", "--r", "0,1"];
    let runs: Vec<Vec<&str>> = vec![
        [&["compare"][..], &s, &["--delta", "1/10", "--n", "30", "--json"]].concat(),
        [&["compare"][..], &per, &["--delta", "1/10", "--n", "6", "--json"]].concat(),
        [&["bon"][..], &s, &["--N", "3", "--n", "5", "--json"]].concat(),
        [&["tilt"][..], &s, &["--delta", "1/10", "--json"]].concat(),
        [&["tilt"][..], &per, &["--delta", "1/10", "--json"]].concat(),
        [&["rate"][..], &s, &["--x", "1/2", "--delta", "1/10", "--json"]].concat(),
        [
            &["cumulants"][..],
            &s,
            &["--delta", "1/10", "--t", "1/2", "--json"],
        ]
        .concat(),
        [&["sweep"][..], &s, &["--delta", "1/10", "--n", "10,20", "--json"]].concat(),
    ];
    for args in runs {
        let doc = json(&args);
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
    }
}
