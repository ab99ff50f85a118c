//! The command line as other programs see it (INTERFACE.md): the JSON document of
//! `divergence` (an insta snapshot whose digits were verified independently), the certified
//! bounds against an independent computation, and the one-line usage errors with exit code 2.

mod common;

use common::{assert_usage_error, decimal_to_big, pow10, run_cli, run_cli_stdin, settings, ulp_sig};
use num_rational::BigRational;
use num_traits::Signed;
use serde_json::Value as Json;

/// ln 2 and ln 3 to 90 digits (mpmath, 120-digit working precision); each text is within
/// 10^-90 of the true value.
const LN2_90: &str =
    "0.693147180559945309417232121458176568075500134360255254120680009493393621969694715605863327";
const LN3_90: &str =
    "1.09861228866810969139524523692252570464749055782274945173469433363749429321860896687361575";

const DIVERGENCE_ARGS: &[&str] = &[
    "divergence",
    "--p",
    "1/2,1/3,1/6",
    "--q",
    "1/3,1/3,1/3",
    "--digits",
    "50",
    "--json",
];

fn q(n: i64, d: i64) -> BigRational {
    common::big(n, d)
}

/// `a ln 2 + b ln 3` as (approximation, error bound).
fn lin(a: BigRational, b: BigRational) -> (BigRational, BigRational) {
    let t = &a * decimal_to_big(LN2_90) + &b * decimal_to_big(LN3_90);
    let err = (a.abs() + b.abs()) * pow10(-90);
    (t, err)
}

/// The closed forms of the four results for p = (1/2, 1/3, 1/6), q uniform.
fn truths() -> Vec<(&'static str, (BigRational, BigRational))> {
    vec![
        // D(p||q) = ½ ln 3 − ⅔ ln 2
        ("kl", lin(q(-2, 3), q(1, 2))),
        // D(q||p) = ⅔ ln 2 − ⅓ ln 3
        ("kl_reverse", lin(q(2, 3), q(-1, 3))),
        // H(p) = ⅔ ln 2 + ½ ln 3
        ("entropy", lin(q(2, 3), q(1, 2))),
        // −Σ p ln q = ln 3
        ("cross_entropy", lin(q(0, 1), q(1, 1))),
    ]
}

fn run_ok(args: &[&str]) -> String {
    let (code, out, err) = run_cli(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    assert!(err.is_empty(), "{args:?}: stderr {err}");
    out
}

#[test]
fn divergence_json_snapshot() {
    let out = run_ok(DIVERGENCE_ARGS);
    settings().bind(|| {
        insta::assert_snapshot!("cli_divergence_p_half_third_sixth_uniform_digits50_json", out);
    });
}

#[test]
fn divergence_json_bounds_enclose_the_independent_truth() {
    let out = run_ok(DIVERGENCE_ARGS);
    let doc: Json = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(doc["schema"], "alignexact/1");
    assert_eq!(doc["command"], "divergence");
    assert_eq!(doc["input"]["p"], serde_json::json!(["1/2", "1/3", "1/6"]));
    assert_eq!(doc["input"]["q"], serde_json::json!(["1/3", "1/3", "1/3"]));
    let result = doc["result"].as_object().unwrap();
    let truths = truths();
    // every field of the result is one of the checked ones
    let keys: Vec<&str> = result.keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, truths.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    for (name, (t, err)) in truths {
        let f = &result[name];
        let (value, lo, hi) = (
            f["value"].as_str().unwrap(),
            f["lo"].as_str().unwrap(),
            f["hi"].as_str().unwrap(),
        );
        let (v, l, h) = (decimal_to_big(value), decimal_to_big(lo), decimal_to_big(hi));
        // rigorous: lo <= truth <= hi
        assert!(l <= &t - &err, "{name}: lo {lo} is not below the truth");
        assert!(h >= &t + &err, "{name}: hi {hi} is not above the truth");
        // value: 50 significant digits, within one unit in the last place of the truth
        assert_eq!(common::significant_digits(value), 50, "{name}: {value}");
        let ulp = ulp_sig(&v, 50);
        assert!(
            (&v - &t).abs() + &err <= ulp,
            "{name}: value {value} is more than one ulp off"
        );
        // the bounds are tight: within two ulps of each other
        assert!(&h - &l <= &ulp * q(2, 1), "{name}: [{lo}, {hi}] is wide");
        // numbers are strings, never JSON floats
        assert!(f["value"].is_string() && f["lo"].is_string() && f["hi"].is_string());
    }
}

#[test]
fn divergence_table_output_has_every_quantity() {
    let out = run_ok(&[
        "divergence",
        "--p",
        "1/2,1/3,1/6",
        "--q",
        "1/3,1/3,1/3",
        "--digits",
        "20",
        "--alpha",
        "2",
    ]);
    for (key, value) in [
        ("kl", "0.087208023960757972753"),
        ("entropy", "1.0114042647073517186"),
        ("cross_entropy", "1.0986122886681096914"),
        // ln(7/6), ln(18/7), ln 3, ln 3
        ("renyi_divergence", "0.15415067982725830429"),
        ("renyi_entropy", "0.94446160884085138710"),
        ("renyi_cross_entropy", "1.0986122886681096914"),
        ("renyi_cross_entropy_alt", "1.0986122886681096914"),
    ] {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("{key} missing:\n{out}"));
        assert_eq!(line.split_whitespace().nth(1), Some(value), "{line}");
    }
}

#[test]
fn support_mismatch_prints_inf() {
    let out = run_ok(&["divergence", "--p", "1/2,1/2", "--q", "1,0", "--json"]);
    let doc: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["result"]["kl"], serde_json::json!({"value": "inf"}));
    assert_eq!(
        doc["result"]["cross_entropy"],
        serde_json::json!({"value": "inf"})
    );
    // D(q||p) = ln 2
    assert!(doc["result"]["kl_reverse"]["value"]
        .as_str()
        .unwrap()
        .starts_with("0.69314718055994530941"));
    // exact zero
    let out = run_ok(&["divergence", "--p", "1/4,3/4", "--q", "0.25,0.75", "--json"]);
    let doc: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc["result"]["kl"],
        serde_json::json!({"exact": "0", "value": "0"})
    );
}

// ---------------------------------------------------------------------------------------------
// Usage errors: exit code 2, one line on stderr naming the flag, nothing on stdout
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_p_is_rejected() {
    let line = assert_usage_error(&["divergence", "--q", "1/2,1/2"], &["--p"]);
    assert_eq!(
        line,
        "error: --p is required: give probabilities such as --p 1/2,3/10,1/5"
    );
    assert_usage_error(&["divergence", "--p", "1/2,1/2"], &["--q", "required"]);
}

#[test]
fn length_mismatch_is_rejected() {
    let line = assert_usage_error(
        &["divergence", "--p", "1/2,1/2", "--q", "1/3,1/3,1/3"],
        &["--q", "--p"],
    );
    assert_eq!(
        line,
        "error: --q has 3 entries but --p has 2; give both distributions on the same alphabet"
    );
}

#[test]
fn sum_not_one_is_rejected() {
    let line = assert_usage_error(
        &["divergence", "--p", "1/2,1/3", "--q", "1/2,1/2"],
        &["--p", "--normalize"],
    );
    assert_eq!(
        line,
        "error: --p: the probabilities sum to 5/6, not exactly 1; fix them or pass --normalize to rescale exactly"
    );
    // 0.1 + 0.2 + 0.7 is exactly one (no binary rounding), 0.1 + 0.2 + 0.69 is not
    run_ok(&["divergence", "--p", "0.1,0.2,0.7", "--q", "1/3,1/3,1/3"]);
    assert_usage_error(
        &["divergence", "--p", "0.1,0.2,0.69", "--q", "1/3,1/3,1/3"],
        &["--p", "99/100"],
    );
    // --normalize rescales exactly: (1,2,3) -> (1/6,1/3,1/2)
    let a = run_ok(&[
        "divergence",
        "--p",
        "3,2,1",
        "--q",
        "1,1,1",
        "--normalize",
        "--json",
    ]);
    let b = run_ok(&["divergence", "--p", "1/2,1/3,1/6", "--q", "1/3,1/3,1/3", "--json"]);
    assert_eq!(a, b);
}

#[test]
fn negative_probability_is_rejected() {
    let line = assert_usage_error(
        &["divergence", "--p=-1/2,3/2", "--q", "1/2,1/2"],
        &["--p", "negative"],
    );
    assert_eq!(
        line,
        "error: --p: entry 1 is negative (-1/2); probabilities must be >= 0"
    );
    assert_usage_error(
        &["divergence", "--p", "1/2,1/2", "--q=3/2,-1/2"],
        &["--q", "entry 2 is negative"],
    );
}

/// A value that starts with '-' after a space is still the flag's value (as for `--r` in the
/// model flags), so the message names the flag and the real problem.
#[test]
fn negative_values_after_a_space_name_their_flag() {
    assert_usage_error(
        &["divergence", "--p", "-1/2,3/2", "--q", "1/2,1/2"],
        &["--p", "negative"],
    );
    assert_usage_error(
        &["divergence", "--p", "1/2,1/2", "--q", "1/2,1/2", "--alpha", "-1"],
        &["--alpha", "> 0"],
    );
}

#[test]
fn bad_digits_are_rejected() {
    for d in ["0", "abc", "100001", "1.5", ""] {
        let line = assert_usage_error(
            &["divergence", "--p", "1/2,1/2", "--q", "1/2,1/2", "--digits", d],
            &["--digits"],
        );
        assert_eq!(
            line,
            format!("error: --digits: expected an integer from 1 to 100000, got '{d}'")
        );
    }
    assert_usage_error(
        &[
            "divergence",
            "--p",
            "1/2,1/2",
            "--q",
            "1/2,1/2",
            "--max-bits",
            "8",
        ],
        &["--max-bits"],
    );
}

#[test]
fn bad_alpha_is_rejected() {
    let line = assert_usage_error(
        &["divergence", "--p", "1/2,1/2", "--q", "1/2,1/2", "--alpha", "0"],
        &["--alpha"],
    );
    assert_eq!(line, "error: --alpha: the Rényi order must be > 0, got '0'");
    assert_usage_error(
        &["divergence", "--p", "1/2,1/2", "--q", "1/2,1/2", "--alpha=-1"],
        &["--alpha", "> 0"],
    );
    assert_usage_error(
        &["divergence", "--p", "1/2,1/2", "--q", "1/2,1/2", "--alpha", "nan"],
        &["--alpha", "finite"],
    );
}

#[test]
fn unknown_flag_is_rejected() {
    assert_usage_error(
        &["divergence", "--p", "1/2,1/2", "--q", "1/2,1/2", "--bogus"],
        &["--bogus"],
    );
    assert_usage_error(&["no-such-command"], &["no-such-command"]);
}

#[test]
fn garbage_numbers_are_rejected() {
    let line = assert_usage_error(&["divergence", "--p", "1/2,x", "--q", "1/2,1/2"], &["--p", "'x'"]);
    assert_eq!(
        line,
        "error: --p: 'x' is not an exact number: expected an integer, a fraction a/b, a decimal or \
         scientific notation such as 1e-3"
    );
    assert_usage_error(
        &["divergence", "--p", "1/2,1/0", "--q", "1/2,1/2"],
        &["--p", "denominator is zero"],
    );
    assert_usage_error(
        &["divergence", "--p", "1/2,,1/2", "--q", "1/2,1/2"],
        &["--p", "item 2 of the list is empty"],
    );
    assert_usage_error(
        &["divergence", "--p", "1/2,1/2", "--q", "inf,0"],
        &["--q", "finite"],
    );
}

// ---------------------------------------------------------------------------------------------
// Help and --spec
// ---------------------------------------------------------------------------------------------

#[test]
fn help_exits_zero_with_an_example() {
    for args in [
        &["--help"][..],
        &["divergence", "--help"][..],
        &["demo", "--help"][..],
    ] {
        let (code, out, err) = run_cli(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(err.is_empty(), "{args:?}: {err}");
        assert!(out.contains("Example"), "{args:?}:\n{out}");
        if args[0] != "demo" {
            assert!(out.contains("alignexact divergence --p 1/2,1/3,1/6"), "{args:?}");
        }
    }
    let (_, out, _) = run_cli(&["divergence", "--help"]);
    for flag in [
        "--p",
        "--q",
        "--alpha",
        "--normalize",
        "--digits",
        "--max-bits",
        "--json",
        "--spec",
    ] {
        assert!(out.contains(flag), "divergence --help lacks {flag}");
    }
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn to_str(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp_file(name: &str, text: &str) -> TempFile {
    let path = std::env::temp_dir().join(format!("alignexact-cli-basic-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    TempFile(path)
}

#[test]
fn spec_file_is_equivalent_to_flags() {
    let path = temp_file(
        "spec.json",
        r#"{"p": ["1/2", "1/3", "1/6"], "q": [0.3333333333333333333333333333333333333333333333333333333, "1/3", "1/3"], "digits": 50, "json": true}"#,
    );
    // a JSON number is read as its exact decimal text: 0.333... is not 1/3, so the sum is wrong
    let (code, _, err) = run_cli(&["divergence", "--spec", path.to_str()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: --q: the probabilities sum to "), "{err}");
    let path = temp_file(
        "spec2.json",
        r#"{"p": ["1/2", "1/3", "1/6"], "q": ["1/3", "1/3", "1/3"], "digits": 50, "json": true}"#,
    );
    let from_spec = run_ok(&["divergence", "--spec", path.to_str()]);
    let from_flags = run_ok(DIVERGENCE_ARGS);
    assert_eq!(from_spec, from_flags);
    // command-line flags override the file
    let few = run_ok(&["divergence", "--spec", path.to_str(), "--digits", "5"]);
    let doc: Json = serde_json::from_str(&few).unwrap();
    assert_eq!(doc["result"]["kl"]["value"], "0.087208");
    // JSON numbers are exact decimals: 0.5, 0.25 are 1/2, 1/4
    let path = temp_file(
        "spec3.json",
        r#"{"p": [0.5, 0.25, 0.25], "q": [0.5, 0.25, 0.25], "json": true}"#,
    );
    let out = run_ok(&["divergence", "--spec", path.to_str()]);
    let doc: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["input"]["p"], serde_json::json!(["1/2", "1/4", "1/4"]));
    assert_eq!(
        doc["result"]["kl"],
        serde_json::json!({"exact": "0", "value": "0"})
    );
    // standard input
    let (code, out, err) = run_cli_stdin(
        &["divergence", "--spec", "-"],
        Some(r#"{"p": ["1/2", "1/3", "1/6"], "q": ["1/3", "1/3", "1/3"], "digits": 50, "json": true}"#),
    );
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, from_flags);
}

#[test]
fn spec_unknown_key_is_rejected_naming_the_key() {
    let path = temp_file(
        "bad.json",
        r#"{"p": ["1/2", "1/2"], "q": ["1/2", "1/2"], "qq": 1}"#,
    );
    let line = assert_usage_error(&["divergence", "--spec", path.to_str()], &["--spec", "'qq'"]);
    assert!(
        line.starts_with("error: --spec: unknown key 'qq'; known keys are p, r, q,"),
        "{line}"
    );
    let path = temp_file("notjson.json", "p = 1/2");
    assert_usage_error(
        &["divergence", "--spec", path.to_str()],
        &["--spec", "not valid JSON"],
    );
    assert_usage_error(
        &["divergence", "--spec", "/nonexistent/alignexact/spec.json"],
        &["--spec", "cannot read"],
    );
}
