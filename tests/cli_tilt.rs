//! The `tilt`, `rate` and `cumulants` subcommands as a user sees them: usage errors (exit code 2,
//! one line naming the flag) and JSON snapshots of the two examples of MATH.md §8, whose digits
//! are also checked here against MATH.md (the snapshot files were verified independently with
//! mpmath when they were created).

mod common;

use common::{assert_usage_error, decimal_to_big, run_cli, settings, significant_digits, ulp_sig};
use serde_json::Value as Json;

const A: [&str; 4] = ["--p", "1/2,3/10,1/5", "--r", "0,1,3"];
const B: [&str; 4] = ["--p", "7/10,3/10", "--r", "0,1"];

fn args<'a>(cmd: &'a str, model: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![cmd];
    v.extend_from_slice(model);
    v.extend_from_slice(rest);
    v
}

fn json_of(a: &[&str]) -> (String, Json) {
    let (code, out, err) = run_cli(a);
    assert_eq!(code, 0, "{a:?}: {err}");
    assert!(err.is_empty());
    let j: Json = serde_json::from_str(&out).expect("one JSON document");
    (out, j)
}

/// A certified real of the JSON: `value` equals the MATH.md decimal `s` (same digits), and
/// `lo <= s + ulp`, `hi >= s - ulp`, `lo <= hi`.
fn assert_real(j: &Json, s: &str) {
    let v = j["value"].as_str().expect("value");
    let lo = decimal_to_big(j["lo"].as_str().expect("lo"));
    let hi = decimal_to_big(j["hi"].as_str().expect("hi"));
    assert!(lo <= hi);
    let d = decimal_to_big(s);
    let u = ulp_sig(&d, significant_digits(s));
    assert!(lo >= &d - &u && hi <= &d + &u, "{s} vs [{lo}, {hi}]");
    if significant_digits(s) == significant_digits(v) {
        assert_eq!(v, s);
    }
}

// ---------------------------------------------------------------------------------------------
// usage errors
// ---------------------------------------------------------------------------------------------

#[test]
fn cli_tilt_negative_delta_is_rejected() {
    assert_usage_error(&args("tilt", &A, &["--delta", "-1/10"]), &["--delta", ">= 0"]);
    assert_usage_error(&args("rate", &A, &["--x", "1", "--delta", "-0.5"]), &["--delta"]);
}

#[test]
fn cli_tilt_two_budgets_are_rejected() {
    assert_usage_error(
        &args("tilt", &A, &["--delta", "1/10", "--lambda", "1"]),
        &["--delta", "--lambda"],
    );
    assert_usage_error(
        &args("tilt", &A, &["--beta", "2", "--exp-lambda", "3"]),
        &["--beta", "--exp-lambda"],
    );
    assert_usage_error(
        &args("cumulants", &A, &["--delta", "1/10", "--beta", "1"]),
        &["--delta", "--beta"],
    );
}

#[test]
fn cli_tilt_missing_budget_is_rejected() {
    assert_usage_error(&args("tilt", &A, &[]), &["tilt", "--delta"]);
    assert_usage_error(
        &args("cumulants", &A, &["--order", "3"]),
        &["cumulants", "--delta"],
    );
    // rate works without a budget (reference rate only)
    let (_, j) = json_of(&args("rate", &A, &["--x", "2", "--json"]));
    assert!(j["result"].get("rate_aligned").is_none());
    assert!(j["result"].get("rate_reference").is_some());
}

#[test]
fn cli_tilt_bad_x_is_rejected() {
    assert_usage_error(&args("rate", &A, &["--x", "garbage"]), &["--x", "garbage"]);
    assert_usage_error(&args("rate", &A, &["--x", "1/0"]), &["--x"]);
    assert_usage_error(&args("rate", &A, &["--x", "nan"]), &["--x"]);
    assert_usage_error(&args("rate", &A, &[]), &["--x"]);
}

#[test]
fn cli_tilt_nonpositive_beta_is_rejected() {
    assert_usage_error(&args("tilt", &A, &["--beta", "0"]), &["--beta", "> 0"]);
    assert_usage_error(&args("tilt", &A, &["--beta", "-2"]), &["--beta"]);
    assert_usage_error(&args("tilt", &A, &["--exp-lambda", "0"]), &["--exp-lambda"]);
}

#[test]
fn cli_tilt_order_zero_is_rejected() {
    assert_usage_error(
        &args("cumulants", &A, &["--delta", "1/10", "--order", "0"]),
        &["--order"],
    );
    // (`--order -3` is taken by clap as an unknown flag; the = form reaches the validation)
    assert_usage_error(
        &args("cumulants", &A, &["--delta", "1/10", "--order=-3"]),
        &["--order"],
    );
    assert_usage_error(
        &args("cumulants", &A, &["--delta", "1/10", "--order", "1/2"]),
        &["--order"],
    );
}

// ---------------------------------------------------------------------------------------------
// snapshots (checked against MATH.md as well)
// ---------------------------------------------------------------------------------------------

#[test]
fn cli_tilt_example_a_json() {
    let (out, j) = json_of(&args("tilt", &A, &["--delta", "3/10", "--json"]));
    let r = &j["result"];
    assert_eq!(j["command"], "tilt");
    assert_eq!(r["regime"], "interior");
    assert_real(&r["lambda"], "0.603413502336146375060402509455");
    assert_real(&r["expected_reward"], "1.85639040896927369651738197464");
    assert_real(&r["log_partition"], "0.820171038379380558283958139888");
    assert_eq!(r["delta"]["exact"], "3/10");
    settings().bind(|| insta::assert_snapshot!("cli_tilt_example_a_json", out));
}

#[test]
fn cli_tilt_example_b_json() {
    let (out, j) = json_of(&args("tilt", &B, &["--delta", "1/5", "--json"]));
    let r = &j["result"];
    assert_real(&r["lambda"], "1.27902712604927665007954935031");
    assert_real(&r["expected_reward"], "0.606286525414133798173288856969");
    settings().bind(|| insta::assert_snapshot!("cli_tilt_example_b_json", out));
}

#[test]
fn cli_rate_example_b_json() {
    let (out, j) = json_of(&args("rate", &B, &["--x", "0.8", "--delta", "1/5", "--json"]));
    let r = &j["result"];
    assert_real(&r["rate_reference"], "0.534110808710307390347536777565");
    assert_real(&r["rate_aligned"], "0.0863460200337273509017210694");
    assert_real(&r["lambda"], "1.27902712604927665007954935031");
    assert_eq!(j["input"]["x"], "4/5");
    settings().bind(|| insta::assert_snapshot!("cli_rate_example_b_json", out));
}

#[test]
fn cli_cumulants_example_a_json() {
    let (out, j) = json_of(&args(
        "cumulants",
        &A,
        &["--delta", "3/10", "--order", "6", "--t", "1/2", "--json"],
    ));
    let r = &j["result"];
    let k = r["cumulants"].as_array().expect("cumulants array");
    assert_eq!(k.len(), 6);
    assert_real(&k[0], "1.85639040896927369651738197464");
    // the three Rényi forms print the same certified digits as the SCGF
    let scgf = r["scgf"]["value"].as_str().unwrap();
    for f in ["reference_cross_entropy", "aligned_cross_entropy", "divergence"] {
        assert_eq!(r["scgf_renyi"][f]["value"].as_str().unwrap(), scgf, "{f}");
    }
    settings().bind(|| insta::assert_snapshot!("cli_cumulants_example_a_json", out));
}

// ---------------------------------------------------------------------------------------------
// high precision: the lattice powers of math::tilt (from 16384 bits on)
// ---------------------------------------------------------------------------------------------

/// From 16384 bits on, a model whose shifted rewards are small multiples of one lattice step
/// (Example A: `g = 3, 2, 0`) forms `e^{-|l| g}` as powers of one exponential; at 4000 digits
/// (about 13,300 bits) it still takes one exponential per reward value. The 6000-digit result
/// (powers) and the 4000-digit one (exponentials) must have overlapping enclosures and share
/// their first 3990 digits, field by field.
#[test]
fn cli_tilt_lattice_powers_agree_with_per_value_exponentials() {
    let run = |d: &str| json_of(&args("tilt", &A, &["--delta", "3/10", "--digits", d, "--json"])).1;
    let (hi_p, lo_p) = (run("6000"), run("4000"));
    let digits = |s: &str| s.chars().filter(|c| c.is_ascii_digit()).collect::<String>();
    for f in [
        "lambda",
        "log_partition",
        "expected_reward",
        "reward_variance",
        "delta_max",
    ] {
        let (x, y) = (&hi_p["result"][f], &lo_p["result"][f]);
        let (xv, yv) = (
            digits(x["value"].as_str().unwrap()),
            digits(y["value"].as_str().unwrap()),
        );
        assert_eq!(xv[..3990], yv[..3990], "{f}");
        let lo = |j: &Json| decimal_to_big(j["lo"].as_str().unwrap());
        let hi = |j: &Json| decimal_to_big(j["hi"].as_str().unwrap());
        assert!(lo(x) <= hi(y) && lo(y) <= hi(x), "{f}: enclosures must overlap");
        assert!(hi(x) - lo(x) < hi(y) - lo(y), "{f}: 6000 digits is the narrower");
    }
    for j in 0..3 {
        let (x, y) = (
            &hi_p["result"]["phi"][j]["value"],
            &lo_p["result"]["phi"][j]["value"],
        );
        assert_eq!(
            digits(x.as_str().unwrap())[..3990],
            digits(y.as_str().unwrap())[..3990]
        );
    }
    let v = hi_p["result"]["lambda"]["value"].as_str().unwrap();
    assert!(
        v.starts_with("0.6034135023361463750604025094552784049895"),
        "{}",
        &v[..50]
    );
}
