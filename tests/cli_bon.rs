//! The `bon` and `compare` subcommands through the real binary: usage errors (exit code 2, one
//! line naming the flag), the resource guard (refuses up front, quickly), and JSON snapshots
//! whose exact values are re-derived here with num-rational and whose certified values are
//! checked against the constants of MATH.md §8.

mod common;

use common::{assert_usage_error, big, decimal_to_big, run_cli, settings};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use serde_json::Value;
use std::time::{Duration, Instant};

const EX_A: [&str; 4] = ["--p", "1/2,3/10,1/5", "--r", "0,1,3"];
const EX_B: [&str; 4] = ["--p", "7/10,3/10", "--r", "0,1"];

/// `sub`, then the model flags, then the rest.
fn cmd<'a>(sub: &'a str, model: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    std::iter::once(sub)
        .chain(model.iter().copied())
        .chain(rest.iter().copied())
        .collect()
}

/// Run, require exit code 0 and an empty stderr, and parse the JSON document. Returns the
/// document and the raw text (which is what the snapshots store, byte for byte).
fn json(args: &[&str]) -> (Value, String) {
    let (code, out, err) = run_cli(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    assert!(err.is_empty(), "{args:?}: unexpected stderr {err}");
    let v: Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["schema"], "alignexact/1");
    (v, out)
}

fn exact(v: &Value) -> BigRational {
    let s = v["exact"]
        .as_str()
        .unwrap_or_else(|| panic!("not an exact value: {v}"));
    match s.split_once('/') {
        Some((a, b)) => BigRational::new(a.parse().expect("numerator"), b.parse().expect("denominator")),
        None => BigRational::from_integer(s.parse::<BigInt>().expect("integer")),
    }
}

/// A certified real: `lo <= value-ish <= hi`, and the printed value within one unit of its last
/// place of the reference decimal `reference` (a value certified elsewhere, e.g. MATH.md §8).
fn assert_certified_near(v: &Value, reference: &str, what: &str) {
    let val = v["value"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no value in {v}"));
    let lo = decimal_to_big(v["lo"].as_str().expect("lo"));
    let hi = decimal_to_big(v["hi"].as_str().expect("hi"));
    let x = decimal_to_big(val);
    let r = decimal_to_big(reference);
    let ulp = common::ulp_sig(&x, common::significant_digits(val));
    assert!(lo <= hi, "{what}: lo > hi");
    assert!(
        lo <= &x + &ulp && &x - &ulp <= hi,
        "{what}: value outside [lo - ulp, hi + ulp]"
    );
    assert!(
        common::absdiff(&x, &r) <= ulp,
        "{what}: {val} is not within one ulp of {reference}"
    );
}

// ---------------------------------------------------------------------------------------------
// usage errors

#[test]
fn bon_rejects_zero_samples() {
    let line = assert_usage_error(&cmd("bon", &EX_B, &["--N", "0"]), &["--N"]);
    assert!(line.contains(">= 1"), "{line}");
}

#[test]
fn bon_rejects_zero_length() {
    let line = assert_usage_error(
        &["bon", "--p", "7/10,3/10", "--r", "0,1", "--N", "3", "--n", "0"],
        &["--n"],
    );
    assert!(line.contains(">= 1"), "{line}");
}

#[test]
fn bon_rejects_order_ties_for_sequences() {
    assert_usage_error(
        &[
            "bon",
            "--p",
            "7/10,3/10",
            "--r",
            "0,1",
            "--N",
            "3",
            "--n",
            "2",
            "--ties",
            "order",
        ],
        &["--ties", "--n 1"],
    );
    assert_usage_error(
        &[
            "bon",
            "--p",
            "7/10,3/10",
            "--r",
            "0,1",
            "--N",
            "3",
            "--ties",
            "bogus",
        ],
        &["--ties", "bogus"],
    );
}

#[test]
fn bon_rejects_length_mismatch() {
    assert_usage_error(
        &["bon", "--p", "7/10,3/10", "--r", "0,1,2", "--N", "3"],
        &["--r", "--p", "3", "2"],
    );
    assert_usage_error(
        &[
            "compare", "--p", "1/2,1/2", "--r", "0", "--delta", "1/10", "--n", "3",
        ],
        &["--r", "--p"],
    );
}

#[test]
fn bon_rejects_bad_levels_and_rule() {
    assert_usage_error(
        &[
            "bon",
            "--p",
            "7/10,3/10",
            "--r",
            "0,1",
            "--N",
            "3",
            "--levels",
            "garbage",
        ],
        &["--levels", "garbage"],
    );
    assert_usage_error(
        &[
            "compare",
            "--p",
            "7/10,3/10",
            "--r",
            "0,1",
            "--n",
            "3",
            "--delta",
            "1/5",
            "--N-rule",
            "bogus",
        ],
        &["--N-rule", "bogus", "ceil"],
    );
    assert_usage_error(
        &[
            "bon",
            "--p",
            "7/10,3/10",
            "--r",
            "0,1",
            "--n",
            "3",
            "--delta",
            "1/5",
            "--N-rule",
            "bogus",
        ],
        &["--N-rule"],
    );
}

/// n = 10^9 is refused up front with an estimate, and quickly (nothing is computed).
#[test]
fn huge_sequence_length_is_refused_quickly() {
    // beyond the 32-bit level index: refused by the flag check, naming the real maximum
    let t = Instant::now();
    let line = assert_usage_error(
        &[
            "bon",
            "--p",
            "7/10,3/10",
            "--r",
            "0,1",
            "--N",
            "3",
            "--n",
            "10000000000000",
        ],
        &["--n", "4294967295"],
    );
    assert!(t.elapsed() < Duration::from_secs(2), "{line}");
    for cmd in [
        vec![
            "compare",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--delta",
            "3/10",
            "--n",
            "10000000000000",
        ],
        // below the hard limit, refused by the cost estimate instead (the exact route)
        vec![
            "compare",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--delta",
            "3/10",
            "--n",
            "10000000",
            "--method",
            "exact",
        ],
    ] {
        let t = Instant::now();
        // beyond 2^32 - 1 the flag check names the real maximum; below, the guard gives GB
        let huge = cmd.contains(&"10000000000000");
        let line = assert_usage_error(&cmd, &[if huge { "4294967295" } else { "GB" }]);
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "{cmd:?} took {:?}",
            t.elapsed()
        );
        assert!(line.contains("--n") || line.contains("n = "), "{line}");
        assert!(
            huge || line.contains("smaller --n"),
            "the message names the fix: {line}"
        );
    }
}

#[test]
fn compare_requires_delta() {
    let line = assert_usage_error(
        &["compare", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--n", "100"],
        &["--delta"],
    );
    // compare takes no --lambda or --beta, so the fix offered must not be one of them
    assert!(
        !line.contains("--lambda"),
        "compare without --delta must not suggest --lambda: {line}"
    );
    assert_usage_error(
        &[
            "compare",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--delta",
            "3/10",
        ],
        &["--n"],
    );
}

#[test]
fn compare_rejects_lambda() {
    assert_usage_error(
        &[
            "compare",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--n",
            "100",
            "--lambda",
            "1",
        ],
        &["--delta", "--lambda"],
    );
    assert_usage_error(
        &[
            "compare",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--n",
            "100",
            "--beta",
            "2",
        ],
        &["--delta", "--beta"],
    );
}

#[test]
fn bon_requires_a_sample_count() {
    assert_usage_error(
        &["bon", "--p", "7/10,3/10", "--r", "0,1", "--n", "5"],
        &["--N", "--delta"],
    );
}

// ---------------------------------------------------------------------------------------------
// snapshots, with independent checks of the values they contain

/// The binomial level law of Example B at length n, in num-rational.
fn binomial_law(n: u32) -> Vec<BigRational> {
    let (p0, p1) = (big(7, 10), big(3, 10));
    let mut out = Vec::new();
    let mut c = BigInt::one();
    for s in 0..=n {
        if s > 0 {
            c = c * BigInt::from(n - s + 1) / BigInt::from(s);
        }
        out.push(
            BigRational::from_integer(c.clone())
                * num_traits::pow(p1.clone(), s as usize)
                * num_traits::pow(p0.clone(), (n - s) as usize),
        );
    }
    out
}

#[test]
fn snapshot_bon_example_b() {
    let (v, out) = json(&cmd("bon", &EX_B, &["--n", "5", "--N", "3", "--json"]));
    settings().bind(|| insta::assert_snapshot!("bon_example_b_n5_N3", out));
    let res = &v["result"];
    // BON-1 exactly: P_N(s) = F^3 - F-^3 over the binomial law, listed from the top level down
    let law = binomial_law(5);
    let mut f = BigRational::zero();
    let mut pn = Vec::new();
    let mut e = BigRational::zero();
    let mut w = BigRational::zero();
    for (s, ps) in law.iter().enumerate() {
        let fm = f.clone();
        f += ps;
        let x = num_traits::pow(f.clone(), 3) - num_traits::pow(fm.clone(), 3);
        e += &x * BigRational::from_integer(BigInt::from(s));
        w += &x * (&f + &fm) / BigRational::from_integer(BigInt::from(2));
        pn.push(x);
    }
    let levels = res["levels"].as_array().expect("levels");
    assert_eq!(levels.len(), 6);
    for (i, lvl) in levels.iter().enumerate() {
        let s = 5 - i;
        assert_eq!(exact(&lvl["reward"]), BigRational::from_integer(BigInt::from(s)));
        assert_eq!(exact(&lvl["prob_reference"]), law[s]);
        assert_eq!(exact(&lvl["prob_bon"]), pn[s]);
    }
    assert_eq!(
        exact(&res["expected_reward_per_token"]),
        big(117_923_075_777_169, 250_000_000_000_000)
    );
    assert_eq!(exact(&res["expected_reward"]), e);
    assert_eq!(exact(&res["win_rate"]), w);
    assert_eq!(exact(&res["win_rate_bound"]), big(3, 4));
    // ln 3 - 2/3 = 0.431945622001443024728578570256... (ln 3 = 1.0986122886681096913952452369225...)
    assert_certified_near(&res["kl_bound"], "0.431945622001443024728578570256", "kl_bound");
    // kl_gap = kl_bound - kl_to_reference, to the printed digits
    let gap = decimal_to_big(res["kl_gap"]["value"].as_str().unwrap());
    let bound = decimal_to_big(res["kl_bound"]["value"].as_str().unwrap());
    let kl = decimal_to_big(res["kl_to_reference"]["value"].as_str().unwrap());
    assert!(common::absdiff(&(bound - kl), &gap) <= common::pow10(-30));
}

#[test]
fn snapshot_compare_example_a() {
    let (v, out) = json(&cmd(
        "compare",
        &EX_A,
        &["--delta", "3/10", "--n", "100", "--json"],
    ));
    settings().bind(|| insta::assert_snapshot!("compare_example_a_n100", out));
    let res = &v["result"];
    // N = ceil(e^30) = ceil(10686474581524.46...)
    assert_eq!(
        exact(&res["N"]),
        BigRational::from_integer(BigInt::from(10_686_474_581_525u64))
    );
    assert_eq!(
        exact(&res["kl_tilted_reference"]),
        BigRational::from_integer(BigInt::from(30))
    );
    assert_eq!(exact(&res["kl_tilted_reference_per_token"]), big(3, 10));
    // MATH.md §8, Example A
    assert_certified_near(&res["lambda"], "0.603413502336146375060402509455", "lambda");
    assert_certified_near(
        &res["expected_reward_tilted_per_token"],
        "1.85639040896927369651738197464",
        "x*",
    );
    assert_certified_near(
        &res["expected_reward_tilted"],
        "185.639040896927369651738197464",
        "n x*",
    );
    // BON-5: both routes print the same digits
    assert_eq!(res["kl_bon_tilted"], res["kl_bon_tilted_pythagorean"]);
    // ln N = ln 10686474581525 = 30 + ln(1 + 0.5338.../10686474581524.46...) = 30.00000000000005033...
    assert_certified_near(&res["ln_N"], "30.0000000000000503302567585024", "ln N");
    // the best-of-N reward and KL stay below the optimum's at this n
    let e_bon = decimal_to_big(res["expected_reward_bon"]["hi"].as_str().unwrap());
    let e_tilt = decimal_to_big(res["expected_reward_tilted"]["lo"].as_str().unwrap());
    assert!(e_bon < e_tilt);
    let kl = decimal_to_big(res["kl_bon_reference"]["hi"].as_str().unwrap());
    assert!(kl < BigRational::from_integer(BigInt::from(30)));
    assert_eq!(res["levels_total"], 300);
}

#[test]
fn snapshot_bon_order_rule() {
    let (v, out) = json(&cmd("bon", &EX_A, &["--N", "4", "--ties", "order", "--json"]));
    settings().bind(|| insta::assert_snapshot!("bon_order_example_a_N4", out));
    let res = &v["result"];
    // G in the order (reward, index) = (1/2, 4/5, 1): pi_4 = G^4 - G-^4
    let tokens = res["tokens"].as_array().expect("tokens");
    let expect = [big(1, 16), big(3471, 10000), big(369, 625)];
    let g = [big(1, 2), big(4, 5), BigRational::one()];
    for (a, t) in tokens.iter().enumerate() {
        let gm = if a == 0 {
            BigRational::zero()
        } else {
            g[a - 1].clone()
        };
        let x = num_traits::pow(g[a].clone(), 4) - num_traits::pow(gm, 4);
        assert_eq!(x, expect[a]);
        assert_eq!(exact(t), x);
    }
    // no ties: the order rule and the level rule give the same law and the same KL
    assert_eq!(res["kl_to_reference_order"], res["kl_to_reference"]);
    assert_eq!(exact(&res["win_rate_bound"]), big(4, 5));
}
