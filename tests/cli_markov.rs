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
    // --method window is a route for chains too (MATH.md §9 with memory); where the windows
    // cannot certify (n = 10 here) the exact route serves the result with a note
    let v = json(&[
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
        "--json",
    ]);
    // (this chain is memoryless with p = (1/2, 1/2): its windows cover the whole law at n = 10)
    let m = v["result"]["method"].as_str().expect("method");
    assert!(
        m == "window" || v["result"]["notes"].to_string().contains("window route"),
        "{m}: {}",
        v["result"]["notes"]
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

/// BON-1's order rule for a chain: at n = 1 the chain's token has the initial law, so
/// `--ties order` gives exactly the single-token rule on (init, r) (`==` to the memoryless
/// command with `--p init`); for n > 1 it is a usage error, as for a memoryless model.
#[test]
fn bon1_ties_order_for_a_chain_is_the_single_token_rule_on_the_initial_law() {
    for (init, n_samples) in [("1/4,3/4", "3"), ("2/3,1/3", "10"), ("1,0", "2")] {
        let c = json(&[
            "bon",
            "--transition",
            "9/10,1/10;1/5,4/5",
            "--init",
            init,
            "--r",
            "0,1",
            "--N",
            n_samples,
            "--ties",
            "order",
            "--json",
        ]);
        let m = json(&[
            "bon", "--p", init, "--r", "0,1", "--N", n_samples, "--ties", "order", "--json",
        ]);
        for key in [
            "tokens",
            "kl_to_reference_order",
            "kl_to_reference",
            "expected_reward",
        ] {
            assert_eq!(c["result"][key], m["result"][key], "{init} N={n_samples}: {key}");
        }
        assert_eq!(c["input"]["ties"], "order");
    }
    // sticky chain, stationary start: tokens (8/27, 19/27) with N = 3 (1 - (2/3)^3 = 19/27)
    let c = json(&[
        "bon",
        "--transition",
        "9/10,1/10;1/5,4/5",
        "--r",
        "0,1",
        "--N",
        "3",
        "--ties",
        "order",
        "--json",
    ]);
    assert_eq!(c["result"]["tokens"][1]["exact"], "19/27");
    usage_error(
        &[
            "bon",
            "--transition",
            "9/10,1/10;1/5,4/5",
            "--r",
            "0,1",
            "--N",
            "3",
            "--n",
            "4",
            "--ties",
            "order",
        ],
        &["--ties order", "--n 1", "--ties level"],
    );
}

/// `plot convergence --transition`: the MKV-5 figure of a chain is written (both panels, every
/// series with one point per n); the single-token figures and a saturated budget are usage errors.
#[test]
fn plot_convergence_accepts_a_chain_and_refuses_the_rest() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("alignexact-chain-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("conv.svg");
    let v = json(&[
        "plot",
        "convergence",
        "--transition",
        "9/10,1/10;1/5,4/5",
        "--r",
        "0,1",
        "--delta",
        "1/10",
        "--n",
        "10,20,40,80",
        "--out",
        out.to_str().unwrap(),
        "--digits",
        "10",
        "--json",
    ]);
    assert_eq!(v["result"]["model"], "markov");
    for s in v["result"]["series"].as_array().unwrap() {
        assert_eq!(s["points"], 4, "{s}");
    }
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg") || svg.contains("<svg"));
    assert!(svg.contains("MKV-5"));
    for kind in ["rates", "frontier"] {
        usage_error(
            &[
                "plot",
                kind,
                "--transition",
                "9/10,1/10;1/5,4/5",
                "--r",
                "0,1",
                "--delta",
                "1/10",
                "--out",
                out.to_str().unwrap(),
            ],
            &["--transition", "plot convergence"],
        );
    }
    usage_error(
        &[
            "plot",
            "convergence",
            "--transition",
            "9/10,1/10;1/5,4/5",
            "--r",
            "0,1",
            "--delta",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        &["--delta 1", "Delta_max = 0.2231", "saturated"],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `demo --markov --plots DIR` writes `markov.svg`: the sticky chain's best-of-N curve and the
/// memoryless model's with the same stationary law, each with its own limit x* (MKV-3 vs TILT-1);
/// the chain's limit reward is far above the memoryless one (the story of the demo).
#[test]
fn demo_markov_plots_the_sticky_chain_against_the_memoryless_model() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("alignexact-demo-markov-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let v = json(&[
        "demo",
        "--markov",
        "--plots",
        dir.to_str().unwrap(),
        "--digits",
        "10",
        "--json",
    ]);
    let svg = std::fs::read_to_string(dir.join("markov.svg")).unwrap();
    for label in [
        "best-of-N, sticky chain",
        "best-of-N, memoryless",
        "x* of the chain (MKV-3)",
        "x* memoryless (TILT-1)",
    ] {
        assert!(svg.contains(label), "markov.svg has no series '{label}'");
    }
    let x = |k: &str| {
        v["result"][k]["expected_reward"]["value"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    assert!(x("limit_markov") > x("limit_memoryless") + 0.3);
    let _ = std::fs::remove_dir_all(&dir);
}

/// BON-5 at a saturated finite-n optimum (all of phi_n on the top level): D(phi_n || pi_N) =
/// -ln(1 - F_-^N) with F_- = 1 - P_S(top). For the sticky chain at n = 20 (P_S(top) =
/// (1/3)(4/5)^19, N = ceil(e^10)) it is about 8.6e-47; 50 certified digits must contain the value
/// computed independently here (-ln1p(-exp(N ln1p(-P_top))) at 600 bits). The first-order bound
/// used before stopped at about 46 digits.
#[test]
fn bon5_saturated_reverse_kl_is_certified_to_50_digits_when_tiny() {
    use rug::{float::Round, ops::Pow, Float, Rational};
    let v = json(&[
        "compare",
        "--transition",
        "9/10,1/10;1/5,4/5",
        "--r",
        "0,1",
        "--delta",
        "1/2",
        "--n",
        "20",
        "--digits",
        "50",
        "--json",
    ]);
    let r = &v["result"];
    assert_eq!(r["lambda"]["value"], "inf");
    let n_samples: u32 = r["N"]["exact"].as_str().unwrap().parse().unwrap();
    assert_eq!(n_samples, 22027);
    let prec = 600;
    let top = Rational::from((1, 3)) * Rational::from((4, 5)).pow(19u32);
    let neg_top = Float::with_val(prec, Rational::from(-&top));
    let ln_fm = Float::with_val(prec, neg_top.ln_1p_ref());
    let x = Float::with_val(prec, ln_fm * n_samples).exp();
    let want = -Float::with_val(prec, -x).ln_1p();
    let leaf = &r["kl_tilted_bon"];
    let parse = |k: &str| {
        Float::parse(leaf[k].as_str().unwrap())
            .map(|p| Float::with_val_round(prec, p, Round::Nearest).0)
            .unwrap()
    };
    assert!(parse("lo") <= want && want <= parse("hi"), "{leaf} vs {want}");
    assert!(want > 8.6e-47 && want < 8.7e-47);
}
