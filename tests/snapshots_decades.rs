//! Snapshot of the 50-digit sweep of Example A along the decades `n = 10 .. 10^7`
//! (`sweep --n decades:1e7`: the exact route to n = 1000, the certified windows of MATH.md §9
//! from n = 10^4 under `--method auto`), with independent checks of what it contains: the
//! grid, `N = ceil(e^{n Delta})` recomputed here with MPFR at the integer's full precision, the
//! MATH.md §8 digits, and the limits of proofs/asymptotics.md at n = 10^7.
//!
//! The sample counts `N` of n >= 10^4 have thousands to 130,000 digits; in the snapshot they are
//! replaced by their digit count after the test has checked them (every other leaf is the
//! binary's output, exact or certified). Runtime: about 50 s in release (measured; decades only,
//! no doublings, to stay under a minute).

mod common;

use common::{run_cli, settings};
use rug::{Float, Integer, Rational};
use serde_json::Value as Json;

fn f(j: &Json) -> f64 {
    j["value"]
        .as_str()
        .unwrap_or_else(|| panic!("no value in {j}"))
        .parse()
        .unwrap()
}

/// `N = ceil(e^x)` for the exact `x = n * 3/10`, checked with MPFR: `N - 1 < e^x < N` with a
/// margin far above the rounding error of `e^x` at `bits(N) + 64` bits.
fn check_ceil(n: u64, big_n: &str) {
    let big = Integer::from_str_radix(big_n, 10).expect("integer");
    let x = Rational::from((3 * n, 10u64));
    let prec = big.significant_bits() + 64;
    let e = Float::with_val(prec, &x).exp();
    let below = Float::with_val(prec, Integer::from(&big - 1u32));
    let at = Float::with_val(prec, &big);
    let margin = Float::with_val(prec, 1u32) >> 32u32;
    assert!(
        Float::with_val(prec, &e - &below) > margin && Float::with_val(prec, &at - &e) > margin,
        "n = {n}: N is not ceil(e^(n delta))"
    );
}

#[test]
fn sweep_example_a_decades_to_1e7_digits50_json() {
    let (code, out, err) = run_cli(&[
        "sweep",
        "--p",
        "1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--delta",
        "3/10",
        "--n",
        "decades:1e7",
        "--digits",
        "50",
        "--json",
    ]);
    assert_eq!(code, 0, "stderr: {err}");
    let mut j: Json = serde_json::from_str(&out).expect("sweep JSON");
    let want: Vec<u64> = (1..=7).map(|k| 10u64.pow(k)).collect();
    assert_eq!(j["input"]["n"], serde_json::json!(want));
    let rows = j["result"]["rows"].as_array_mut().expect("rows");
    assert_eq!(rows.len(), 7);
    let mut prev: Option<(f64, f64)> = None;
    for (r, &n) in rows.iter_mut().zip(&want) {
        assert_eq!(r["n"].as_u64(), Some(n));
        assert_eq!(r["method"], if n < 2000 { "exact" } else { "window" }, "n = {n}");
        // lambda: the 30 digits of MATH.md §8
        assert!(r["lambda"]["value"]
            .as_str()
            .unwrap()
            .starts_with("0.60341350233614637506040250945"));
        // the reward gap and the ASY-7 residual shrink along the decades; the residual like
        // (ln n)^2/n (ratio per decade (ln n / ln(n/10))^2 / 10, within 10%), not like 1/n
        let gap = f(&r["reward_gap_per_token"]);
        let r7 = f(&r["residuals"]["asy7"]);
        if let Some((g0, r0)) = prev {
            assert!(gap < g0 && r7.abs() < r0.abs(), "n = {n}");
            if n >= 100_000 {
                let nf = n as f64;
                let law = (nf.ln() / (nf / 10.0).ln()).powi(2) / 10.0;
                assert!(
                    ((r7 / r0) / law - 1.0).abs() < 0.1,
                    "n = {n}: {} vs {law}",
                    r7 / r0
                );
            }
        }
        prev = Some((gap, r7));
        // N = ceil(e^(n delta)): the exact integer (checked here, then shown by its length),
        // or for n delta > 10^6 only its logarithm, which encloses n delta
        match r["N"]["exact"].as_str().map(str::to_string) {
            Some(s) => {
                check_ceil(n, &s);
                if s.len() > 60 {
                    r["N"]["exact"] = Json::String(format!(
                        "<ceil(e^({})): an integer of {} digits, checked by the test>",
                        Rational::from((3 * n, 10u64)),
                        s.len()
                    ));
                }
            }
            None => {
                let x = (3 * n / 10) as f64;
                let lo: f64 = r["ln_N"]["lo"].as_str().unwrap().parse().unwrap();
                let hi: f64 = r["ln_N"]["hi"].as_str().unwrap().parse().unwrap();
                assert!(lo <= x && x <= hi, "n = {n}");
                assert!(r["predictions"]["n_rounding_correction"]["lo"] == "0");
            }
        }
    }
    // at n = 10^7 the ASY-4 and ASY-6 limits of proofs/asymptotics.md: a_n -> -(ASY-7 constant)
    // = 0.164094, n Delta - D(pi_N||p^n) -> c = 1.029834 (lattice-Gumbel limit, width 1e-6)
    let last = &j["result"]["rows"][6];
    assert!((f(&last["residuals"]["asy4_scaled"]) - 0.164094).abs() < 1e-4);
    assert!((f(&last["residuals"]["asy6_c"]) - 1.029834).abs() < 2e-6);
    let text = serde_json::to_string_pretty(&j).unwrap();
    settings().bind(|| insta::assert_snapshot!("sweep_example_a_decades_1e7_digits50_json", text));
}
