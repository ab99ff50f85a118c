//! Real N (BON-1): `P_N = F^N - F-^N` is a distribution for every real `N >= 1`.
mod common;

use alignexact::exact::level_law::{level_law, Route};
use alignexact::math::best_of_n::Levels;
use alignexact::math::bon_integer::IntegerBon;
use alignexact::report::best_of_n::{bon_value, LevelsView, SampleCount};
use alignexact::report::Value;
use rug::ops::Pow;
use rug::{Float, Rational};
use serde_json::Value as Json;

fn q(s: &str) -> Rational {
    s.parse().unwrap()
}

fn example_a(n: u64) -> Levels {
    let p = [q("1/2"), q("3/10"), q("1/5")];
    let r = [q("0"), q("1"), q("3")];
    Levels::new(level_law(&p, &r, n, Route::Auto))
}

fn json(v: &Value) -> Json {
    v.to_json(30)
}

/// BON-1 with `N = 1`: best-of-1 is the reference, level by level (exact).
#[test]
fn bon1_n_equal_one_is_the_reference() {
    let (code, out, err) = common::run_cli(&[
        "bon",
        "--p",
        "1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--n",
        "3",
        "--N",
        "1",
        "--levels",
        "all",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Json = serde_json::from_str(&out).unwrap();
    for l in v["result"]["levels"].as_array().unwrap() {
        assert_eq!(l["prob_bon"]["exact"], l["prob_reference"]["exact"], "{l}");
    }
}

/// BON-1: N = 2 and N = 3 taken through the real-N route (log-space enclosures of
/// `F^N - F-^N`) give the same digits as the exact integer route.
#[test]
fn bon1_real_route_at_integer_n_matches_the_exact_route() {
    let lv = example_a(4);
    for k in [2u32, 3] {
        let ex = IntegerBon::new(&lv.law, k);
        let exact = bon_value(
            &lv,
            &SampleCount::Integer(k.into()),
            Some(&ex),
            LevelsView::All,
            160,
        );
        let real = bon_value(
            &lv,
            &SampleCount::Frac(Rational::from(k)),
            None,
            LevelsView::All,
            160,
        );
        let (e, r) = (json(&exact), json(&real));
        for key in ["expected_reward", "kl_to_reference", "win_rate"] {
            assert_eq!(e[key]["value"], r[key]["value"], "N = {k}: {key}");
        }
        for (a, b) in e["levels"]
            .as_array()
            .unwrap()
            .iter()
            .zip(r["levels"].as_array().unwrap())
        {
            assert_eq!(a["prob_bon"]["value"], b["prob_bon"]["value"], "N = {k}");
        }
    }
}

/// BON-1 at a rational N = 7/2: every level's `prob_bon` encloses `F^N - F-^N` evaluated
/// directly with MPFR at 4096 bits from the exact CDF.
#[test]
fn bon1_rational_n_matches_direct_evaluation() {
    let lv = example_a(3);
    let nn = q("7/2");
    let v = bon_value(&lv, &SampleCount::Frac(nn.clone()), None, LevelsView::All, 200);
    let j = json(&v);
    let levels = j["levels"].as_array().unwrap();
    let cdf = lv.law.cdf_weights();
    let d = Float::with_val(4096, &lv.law.denom);
    let nf = Float::with_val(4096, &nn);
    let mut prev = Float::with_val(4096, 0);
    // levels are listed from the top
    for (jx, c) in cdf.iter().enumerate() {
        let f = Float::with_val(4096, c) / &d;
        let direct = Float::with_val(4096, (&f).pow(&nf)) - Float::with_val(4096, (&prev).pow(&nf));
        let l = &levels[levels.len() - 1 - jx];
        let lo = Float::with_val(4096, Float::parse(l["prob_bon"]["lo"].as_str().unwrap()).unwrap());
        let hi = Float::with_val(4096, Float::parse(l["prob_bon"]["hi"].as_str().unwrap()).unwrap());
        assert!(
            lo <= direct && direct <= hi,
            "level {jx}: {direct} not in [{lo}, {hi}]"
        );
        prev = f;
    }
}
