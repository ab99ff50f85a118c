//! `alignexact frontier`: certified points of the reward/win-rate vs KL curves (REL-5, REL-6,
//! REL-7, BON-1 .. BON-4, TILT-1). The JSON matches the schema; every method lies below both
//! frontiers at its own KL (checked on the printed rigorous bounds, in exact arithmetic); the
//! exact best-of-N values equal an independent computation; bad flags are one-line errors.

mod common;

use common::{assert_usage_error, decimal_to_big, run_cli};
use num_rational::BigRational;
use serde_json::Value;

fn frontier_json(args: &[&str]) -> Value {
    let mut a = vec!["frontier"];
    a.extend_from_slice(args);
    a.push("--json");
    let (code, out, err) = run_cli(&a);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("JSON")
}

/// The rigorous `[lo, hi]` of a leaf (an exact leaf is its own bound).
fn bounds(v: &Value) -> (BigRational, BigRational) {
    if let Some(e) = v.get("exact") {
        let s = e.as_str().unwrap();
        let q = match s.split_once('/') {
            Some((a, b)) => BigRational::new(a.parse().unwrap(), b.parse().unwrap()),
            None => BigRational::from_integer(s.parse().unwrap()),
        };
        return (q.clone(), q);
    }
    (
        decimal_to_big(v["lo"].as_str().expect("lo")),
        decimal_to_big(v["hi"].as_str().expect("hi")),
    )
}

#[test]
fn frontier_json_matches_the_schema() {
    let (code, s, _) = run_cli(&["schema"]);
    assert_eq!(code, 0);
    let schema: Value = serde_json::from_str(&s).unwrap();
    let v = jsonschema::draft202012::new(&schema).expect("schema compiles");
    let doc = frontier_json(&["--p", "1/2,3/10,1/5", "--r", "0,1,3", "--digits", "12"]);
    let errors: Vec<String> = v
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(doc["command"], "frontier");
    for key in [
        "optimum",
        "win_rate_optimal",
        "best_of_n",
        "soft_best_of_n",
        "best_of_poisson",
    ] {
        assert!(
            doc["result"][key].as_array().is_some_and(|a| !a.is_empty()),
            "{key}"
        );
    }
}

/// TILT-1 and REL-7: every method's reward and win rate are at most the optimum's at the
/// method's own KL (certified lower bound of x*(KL) minus certified upper bound of the method's
/// value >= 0, or the two are within the printed bounds on two-level models).
#[test]
fn every_method_lies_below_both_frontiers_at_its_own_kl() {
    for (p, r) in [
        ("1/2,3/10,1/5", "0,1,3"),
        ("1/8,1/8,1/4,1/2", "0,1,2,5"),
        ("1/10,2/5,1/2", "3,-1,0"),
    ] {
        let doc = frontier_json(&["--p", p, "--r", r, "--digits", "15"]);
        let res = &doc["result"];
        let (mut n, mut strict) = (0, 0);
        for key in ["best_of_n", "soft_best_of_n", "best_of_poisson"] {
            for pt in res[key].as_array().unwrap() {
                for (val, star) in [
                    ("expected_reward", "optimal_reward_at_kl"),
                    ("win_rate", "optimal_win_rate_at_kl"),
                ] {
                    let (v_lo, v_hi) = bounds(&pt[val]);
                    let (s_lo, s_hi) = bounds(&pt[star]);
                    // never certified above the optimum
                    assert!(v_lo <= s_hi, "{p}: {key} {val} above the optimum: {pt}");
                    if v_hi < s_lo {
                        strict += 1;
                    }
                    n += 1;
                }
            }
        }
        assert!(n >= 2 * (7 + 12 + 6));
        // certified strictly below on most points (the exceptions: KL = 0, and best-of-N at
        // large N, within 10^-15 of the frontier)
        assert!(strict * 4 >= n * 3, "{p}: only {strict} of {n} strictly below");
        // the win-rate tilt beats the reward tilt on W at every budget, and loses on E r
        let opt = res["optimum"].as_array().unwrap();
        let win = res["win_rate_optimal"].as_array().unwrap();
        for (a, b) in opt.iter().zip(win) {
            assert_eq!(a["delta"], b["delta"]);
            assert!(bounds(&a["win_rate"]).1 <= bounds(&b["win_rate"]).1);
            assert!(bounds(&b["expected_reward"]).0 <= bounds(&a["expected_reward"]).0);
        }
    }
}

/// BON-2, BON-4: the exact best-of-N reward and win rate equal those of `bon` (a separate code
/// path), and N = 1, mu = 0, lambda = 0 give the reference with KL exactly 0 and W = 1/2.
#[test]
fn best_of_n_values_match_bon_and_the_reference_points_are_exact() {
    let doc = frontier_json(&[
        "--p",
        "7/10,3/10",
        "--r",
        "0,1",
        "--N",
        "1,3",
        "--mu",
        "0,2",
        "--lambda",
        "0,1",
        "--soft-N",
        "1,3",
    ]);
    let res = &doc["result"];
    let b3 = &res["best_of_n"][1];
    let (code, out, _) = run_cli(&["bon", "--p", "7/10,3/10", "--r", "0,1", "--N", "3", "--json"]);
    assert_eq!(code, 0);
    let bon: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        b3["expected_reward"]["exact"],
        bon["result"]["expected_reward"]["exact"]
    );
    assert_eq!(b3["win_rate"]["exact"], bon["result"]["win_rate"]["exact"]);
    // 1 - (7/10)^3 = 657/1000 (BON-6 pass@N)
    assert_eq!(b3["expected_reward"]["exact"], "657/1000");
    for pt in [
        &res["best_of_n"][0],
        &res["best_of_poisson"][0],
        &res["soft_best_of_n"][0],
        &res["soft_best_of_n"][2],
    ] {
        assert_eq!(pt["kl"]["exact"], "0", "{pt}");
        assert_eq!(pt["win_rate"]["exact"], "1/2", "{pt}");
        assert_eq!(pt["expected_reward"]["exact"], "3/10", "{pt}");
    }
}

#[test]
fn the_table_names_every_method() {
    let (code, out, err) = run_cli(&["frontier", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--digits", "8"]);
    assert_eq!(code, 0, "{err}");
    for m in [
        "optimum",
        "win-rate opt",
        "best-of-N",
        "soft BoN",
        "best-of-Poisson",
        "x*(KL)",
        "W*(KL)",
    ] {
        assert!(out.contains(m), "{m} missing:\n{out}");
    }
}

#[test]
fn bad_flags_are_one_line_errors() {
    let m = ["frontier", "--p", "1/2,1/2", "--r", "0,1"];
    let with = |extra: &[&'static str]| {
        let mut v: Vec<&str> = m.to_vec();
        v.extend_from_slice(extra);
        v
    };
    assert_usage_error(&with(&["--methods", "bogus"]), &["--methods", "bogus"]);
    assert_usage_error(&with(&["--N", "0"]), &["--N"]);
    assert_usage_error(&with(&["--N", "1/2"]), &["--N"]);
    assert_usage_error(&with(&["--mu", "-1"]), &["--mu"]);
    assert_usage_error(&with(&["--soft-N", "100000000"]), &["--soft-N", "compositions"]);
    assert_usage_error(&["frontier", "--p", "1/2,1/2"], &["--r"]);
}

/// `--spec` carries the frontier lists (arrays, exact numbers); the command line overrides it.
#[test]
fn spec_file_gives_the_lists() {
    let spec = r#"{"p": ["7/10", "3/10"], "r": [0, 1], "N": [1, 3], "soft_N": [2], "lambda": ["1"], "mu": [2], "methods": "bon,soft,poisson"}"#;
    let (code, out, err) =
        common::run_cli_stdin(&["frontier", "--spec", "-", "--json", "--mu", "0"], Some(spec));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["result"]["best_of_n"].as_array().unwrap().len(), 2);
    assert_eq!(v["result"]["soft_best_of_n"].as_array().unwrap().len(), 1);
    assert_eq!(v["result"]["best_of_poisson"][0]["mu"]["exact"], "0");
    assert!(v["result"].get("optimum").is_none());
}
