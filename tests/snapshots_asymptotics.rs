//! Snapshots of the asymptotic sweep (ASY-1 .. ASY-7) for Examples A and B up to n = 10240 at
//! 50 digits, of `check` on the built-in suite, and of `demo`, with independent checks of the
//! values they contain (the MATH.md constants, the structure of every row, the ASY-6 constant and
//! the ASY-7 residual measured in `proofs/asymptotics.md`). Each run goes through the release
//! binary; the outputs are deterministic (no timings, seeded random cases).

mod common;

use common::{decimal_to_big, run_cli, settings};
use num_rational::BigRational;
use serde_json::Value as Json;

const A: [&str; 6] = ["--p", "1/2,3/10,1/5", "--r", "0,1,3", "--delta", "3/10"];
const B: [&str; 6] = ["--p", "7/10,3/10", "--r", "0,1", "--delta", "1/5"];

fn sweep_json(model: &[&str]) -> (String, Json) {
    let mut a = vec!["sweep"];
    a.extend_from_slice(model);
    a.extend_from_slice(&["--digits", "50", "--json"]);
    let (code, out, err) = run_cli(&a);
    assert_eq!(code, 0, "stderr: {err}");
    let j: Json = serde_json::from_str(&out).expect("sweep JSON");
    (out, j)
}

fn val(j: &Json) -> BigRational {
    decimal_to_big(j["value"].as_str().unwrap_or_else(|| panic!("no value in {j}")))
}

/// The 50-digit value starts with the 30 digits of MATH.md §8.
fn starts_with(j: &Json, digits30: &str) {
    let v = j["value"].as_str().expect("value");
    assert!(
        v.starts_with(&digits30[..digits30.len() - 1]),
        "{v} vs {digits30}"
    );
}

/// Structure and values shared by both examples: 11 rows n = 10 .. 10240, N = ceil(e^{n Delta})
/// (checked in f64 where it fits), the ASY-1..3 gaps shrink, the ASY-7 residual shrinks; with
/// `grows`, `n |r|` grows (not O(1/n); Example A. For Example B the lattice periodic term, up to
/// 7.9e-4, is comparable with the residual at the largest n, see proofs/asymptotics.md).
fn check_rows(j: &Json, delta: f64, grows: bool) {
    let rows = j["result"]["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 11);
    let mut prev: Option<(f64, f64, f64, f64)> = None;
    for (i, r) in rows.iter().enumerate() {
        let n = 10u64 << i;
        assert_eq!(r["n"].as_u64(), Some(n));
        if n * 2 <= 80 {
            let big_n: f64 = r["N"]["exact"].as_str().unwrap().parse().unwrap();
            assert_eq!(big_n, (n as f64 * delta).exp().ceil());
        }
        let f = |k: &str| -> f64 { r[k]["value"].as_str().unwrap().parse::<f64>().unwrap() };
        let gap1 = f("reward_gap_per_token");
        let gap2 = delta - f("kl_bon_reference_per_token");
        let gap3 = f("kl_bon_tilted_per_token");
        let r7: f64 = r["residuals"]["asy7"]["value"].as_str().unwrap().parse().unwrap();
        assert!(gap1 > 0.0 && gap2 > 0.0 && gap3 > 0.0);
        if let Some((p1, p2, p3, p7)) = prev {
            assert!(gap1 < p1 && gap2 < p2 && gap3 < p3, "n = {n}");
            assert!(r7.abs() < p7.abs(), "n = {n}");
            if grows {
                assert!(
                    n as f64 * r7.abs() > (n / 2) as f64 * p7.abs(),
                    "n|r| must grow, n = {n}"
                );
            }
        }
        prev = Some((gap1, gap2, gap3, r7));
        // both routes of BON-5 print the same certified digits
        assert_eq!(
            r["kl_bon_tilted"]["value"],
            r["kl_bon_tilted_pythagorean"]["value"]
        );
    }
}

#[test]
fn sweep_example_a_digits50_json() {
    let (out, j) = sweep_json(&A);
    let row0 = &j["result"]["rows"][0];
    starts_with(&row0["lambda"], "0.603413502336146375060402509455");
    // x* = expected_reward_tilted / n
    starts_with(
        &row0["expected_reward_tilted_per_token"],
        "1.85639040896927369651738197464",
    );
    check_rows(&j, 0.3, true);
    // ASY-6 constant c = 1.029834 (proofs/asymptotics.md), within 6e-5 at n = 10240
    let last = &j["result"]["rows"][10];
    let c = val(&last["residuals"]["asy6_c"]);
    let d = (c - decimal_to_big("1.029834")).to_string();
    let d: f64 = {
        let (n, m) = d.split_once('/').unwrap_or((&d, "1"));
        n.parse::<f64>().unwrap() / m.parse::<f64>().unwrap()
    };
    assert!(d.abs() < 6e-5, "c(10240) - 1.029834 = {d}");
    settings().bind(|| insta::assert_snapshot!("sweep_example_a_digits50_json", out));
}

#[test]
fn sweep_example_b_digits50_json() {
    let (out, j) = sweep_json(&B);
    let row0 = &j["result"]["rows"][0];
    starts_with(&row0["lambda"], "1.27902712604927665007954935031");
    starts_with(
        &row0["expected_reward_tilted_per_token"],
        "0.606286525414133798173288856969",
    );
    check_rows(&j, 0.2, false);
    // Example B, n = 10: N = 8 = ceil(e^2)
    assert_eq!(row0["N"]["exact"], "8");
    settings().bind(|| insta::assert_snapshot!("sweep_example_b_digits50_json", out));
}

#[test]
fn check_builtin_suite_text() {
    let (code, out, err) = run_cli(&["check"]);
    assert_eq!(code, 0, "stderr: {err}");
    assert!(out.starts_with("case A: p = (1/2, 3/10, 1/5), r = (0, 1, 3), Delta = 3/10\n"));
    assert!(out.contains("case B: p = (7/10, 3/10), r = (0, 1), Delta = 1/5\n"));
    let summary = out.lines().last().unwrap();
    assert!(summary.contains(" agree, 0 violated, 0 undecided"), "{summary}");
    // deterministic: a second run prints the same text
    let (_, again, _) = run_cli(&["check"]);
    assert_eq!(out, again);
    settings().bind(|| insta::assert_snapshot!("check_builtin_suite_text", out));
}

#[test]
fn demo_text() {
    let (code, out, err) = run_cli(&["demo"]);
    assert_eq!(code, 0, "stderr: {err}");
    assert!(out.contains("lambda_Delta           0.603413502336146375060402509455"));
    assert!(out.contains("4. Claims of MATH.md checked on this example"));
    for id in ["TILT-1", "SEQ-2", "BON-3", "LDP-2", "ASY-7"] {
        assert!(
            out.lines().any(
                |l| (l.starts_with("   holds      ") || l.starts_with("   agrees("))
                    && l.contains(&format!(" {id}"))
            ),
            "{id}"
        );
    }
    assert!(!out.contains("violated") && !out.contains("undecided"));
    let (_, again, _) = run_cli(&["demo"]);
    assert_eq!(out, again);
    settings().bind(|| insta::assert_snapshot!("demo_text", out));
}
