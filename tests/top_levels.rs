//! The exact top of the level law (`math::top_levels`, SEQ-3) and the `bon` listing the window
//! route builds from it: against brute-force enumeration in num-rational, the exact level law,
//! the exact best-of-N law (BON-1), and the exact route through the binary.

mod common;

use alignexact::exact::level_law::{level_law, Route};
use alignexact::math::top_levels::TopLevels;
use alignexact::math::window::WinLattice;
use alignexact::real::Enc;
use common::{big_to_rat, rat_to_big, run_cli, SplitMix64};
use num_rational::BigRational;
use num_traits::{One, Zero};
use rug::{Integer, Rational};
use std::collections::BTreeMap;

/// A random model on a few tokens: rewards `c + h k` with small integer `k` (ties allowed),
/// probabilities with zeros allowed (normalised exactly).
fn random_model(rng: &mut SplitMix64) -> (Vec<Rational>, Vec<Rational>) {
    let k = 2 + rng.below(4) as usize;
    loop {
        let w: Vec<u64> = (0..k)
            .map(|_| if rng.below(5) == 0 { 0 } else { 1 + rng.below(9) })
            .collect();
        let r: Vec<Rational> = (0..k)
            .map(|_| Rational::from((rng.range_i64(-4, 6) * 3 + 1, 1 + rng.below(2) as i64)))
            .collect();
        let tot: u64 = w.iter().sum();
        let support: Vec<usize> = (0..k).filter(|&a| w[a] > 0).collect();
        if tot == 0 || support.iter().all(|&a| r[a] == r[support[0]]) {
            continue;
        }
        let p = w.iter().map(|&x| Rational::from((x, tot))).collect();
        return (p, r);
    }
}

/// The law of `S_n` by enumerating every sequence (num-rational), highest reward first.
fn brute_law(p: &[Rational], r: &[Rational], n: u32) -> Vec<(BigRational, BigRational)> {
    let pb: Vec<BigRational> = p.iter().map(rat_to_big).collect();
    let rb: Vec<BigRational> = r.iter().map(rat_to_big).collect();
    let mut law: BTreeMap<BigRational, BigRational> = BTreeMap::new();
    law.insert(BigRational::zero(), BigRational::one());
    for _ in 0..n {
        let mut next: BTreeMap<BigRational, BigRational> = BTreeMap::new();
        for (s, q) in &law {
            for (pa, ra) in pb.iter().zip(&rb) {
                if !pa.is_zero() {
                    *next.entry(s + ra).or_insert_with(BigRational::zero) += q * pa;
                }
            }
        }
        law = next;
    }
    law.into_iter().rev().collect()
}

#[test]
fn top_levels_equal_brute_force_enumeration() {
    let mut rng = SplitMix64(0x7091_e7e1);
    for _ in 0..60 {
        let (p, r) = random_model(&mut rng);
        let lat = WinLattice::new(&p, &r).expect("lattice");
        let n = 1 + rng.below(5) as u32;
        let brute = brute_law(&p, &r, n);
        for k in [1usize, 2, 3, 5, 8] {
            let Some(top) = TopLevels::new(&lat, n as u64, k) else {
                // only when the listing would reach the lowest level
                assert!(k >= brute.len(), "p {p:?} r {r:?} n {n} k {k}");
                continue;
            };
            assert_eq!(top.len(), k.min(brute.len()));
            let exact = top.exact_probs(1 << 20).expect("small");
            for (i, (s, q)) in brute.iter().take(top.len()).enumerate() {
                assert_eq!(
                    rat_to_big(&top.rewards[i]),
                    *s,
                    "reward {i}: p {p:?} r {r:?} n {n}"
                );
                assert_eq!(
                    rat_to_big(&exact[i]),
                    *q,
                    "probability {i}: p {p:?} r {r:?} n {n}"
                );
            }
        }
    }
}

#[test]
fn top_levels_equal_the_exact_level_law_at_moderate_n() {
    let mut rng = SplitMix64(0x7092);
    for _ in 0..12 {
        let (p, r) = random_model(&mut rng);
        let lat = WinLattice::new(&p, &r).expect("lattice");
        let n = 20 + rng.below(200);
        let law = level_law(&p, &r, n, Route::Auto);
        let k = 1 + rng.below(30) as usize;
        let Some(top) = TopLevels::new(&lat, n, k) else {
            continue;
        };
        let exact = top.exact_probs(1 << 24).expect("small");
        let logs = top.ln_probs(200);
        for (i, (q, lp)) in exact.iter().zip(&logs).enumerate() {
            let j = law.len() - 1 - i;
            assert_eq!(top.rewards[i], law.reward(j));
            assert_eq!(*q, law.prob(j));
            // the logarithm route contains the exact value
            assert!(lp.exp(200).contains_rational(&law.prob(j)));
        }
    }
}

/// `F^N - F-^N` for the exact law (BON-1), highest level first, `N` an integer.
fn exact_bon(law: &alignexact::exact::level_law::LevelLaw, big_n: u32) -> Vec<Rational> {
    let mut out = Vec::new();
    let mut f = Rational::from(1); // P(S <= s_j), from the top down
    for j in (0..law.len()).rev() {
        let below: Rational = &f - law.prob(j);
        let a = Rational::from(rug::ops::Pow::pow(&f, big_n));
        let b = Rational::from(rug::ops::Pow::pow(&below, big_n));
        out.push(a - b);
        f = below;
    }
    out
}

#[test]
fn top_bon_contains_the_exact_best_of_n_law() {
    let mut rng = SplitMix64(0x7093);
    for _ in 0..20 {
        let (p, r) = random_model(&mut rng);
        let lat = WinLattice::new(&p, &r).expect("lattice");
        let n = 2 + rng.below(40);
        let big_n = 1 + rng.below(50) as u32;
        let law = level_law(&p, &r, n, Route::Auto);
        let Some(top) = TopLevels::new(&lat, n, 6) else {
            continue;
        };
        let prec = 160;
        let ne = Enc::from_i64(big_n as i64, prec);
        let ln_n = ne.ln(prec);
        let want = exact_bon(&law, big_n);
        for (i, b) in top.bon(&ne, &ln_n, prec).iter().enumerate() {
            assert!(
                b.pn.contains_rational(&want[i]),
                "level {i}: {:?} vs {}",
                b.pn,
                want[i]
            );
            assert!(b.p.contains_rational(&law.prob(law.len() - 1 - i)));
            assert!(*b.gap.hi() >= 0, "BON-3: every per-level gap is >= 0");
        }
    }
}

#[test]
fn top_levels_of_a_wide_sparse_lattice() {
    // rewards 0, 999999, 10^6: deficits 1 and 10^6 (lattice span 10^6), the top listing mixes them
    let p: Vec<Rational> = ["1/2", "1/4", "1/4"].iter().map(|s| common::q(s)).collect();
    let r: Vec<Rational> = ["0", "999999", "1000000"].iter().map(|s| common::q(s)).collect();
    let lat = WinLattice::new(&p, &r).expect("lattice");
    let top = TopLevels::new(&lat, 1_000_000_000, 5).expect("top");
    let t: Vec<Integer> = top.t.clone();
    assert_eq!(t, [0, 1, 2, 3, 4].map(Integer::from));
    // P(deficit 1) = C(n,1) (1/4) / (1/4) p_d^n: c = n
    assert_eq!(top.c[1], Rational::from(1_000_000_000u64));
    let brute = brute_law(&p, &r, 3);
    let small = TopLevels::new(&lat, 3, 5).expect("top");
    let exact = small.exact_probs(1 << 20).expect("small");
    for i in 0..5 {
        assert_eq!(rat_to_big(&exact[i]), brute[i].1);
        assert_eq!(big_to_rat(&brute[i].0), small.rewards[i]);
    }
}

fn levels_of(json: &str) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).expect("json");
    v["result"]["levels"]
        .as_array()
        .expect("levels")
        .iter()
        .map(|l| {
            (
                l["reward"]["exact"].as_str().unwrap().to_string(),
                l["prob_reference"]["value"].as_str().unwrap().to_string(),
                l["prob_bon"]["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn bon_window_route_lists_the_exact_top_levels() {
    // the same listed values as the exact route (values are correct to one unit in the last
    // place on both routes; here they agree digit for digit)
    let base = [
        "bon",
        "--p",
        "1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--n",
        "3000",
        "--N",
        "1000000000000",
        "--json",
    ];
    let mut w = base.to_vec();
    w.extend(["--method", "window"]);
    let mut e = base.to_vec();
    e.extend(["--method", "exact"]);
    let (cw, ow, errw) = run_cli(&w);
    let (ce, oe, _) = run_cli(&e);
    assert_eq!((cw, ce), (0, 0), "{errw}");
    let v: serde_json::Value = serde_json::from_str(&ow).unwrap();
    assert_eq!(v["result"]["method"], "window");
    assert!(
        v["result"].get("notes").is_none(),
        "no fallback: {}",
        v["result"]["notes"]
    );
    let (lw, le) = (levels_of(&ow), levels_of(&oe));
    assert_eq!(lw.len(), 10);
    for (a, b) in lw.iter().zip(&le) {
        assert_eq!(a.0, b.0);
        let close = |x: &str, y: &str| {
            let (x, y) = (common::decimal_to_big(x), common::decimal_to_big(y));
            let ulp = common::ulp_sig(&y, 30);
            common::absdiff(&x, &y) <= &ulp + &ulp
        };
        assert!(close(&a.1, &b.1) && close(&a.2, &b.2), "{a:?} vs {b:?}");
    }
}

#[test]
fn bon_auto_answers_beyond_the_exact_route_with_the_top_listing() {
    // n = 10^6: the exact route is refused (memory); auto takes the windows and lists the top
    let (c, o, e) = run_cli(&[
        "bon",
        "--p",
        "1/2,1/4,1/4",
        "--r",
        "0,1,1",
        "--n",
        "1000000",
        "--N",
        "1000000000000000000000",
        "--json",
    ]);
    assert_eq!(c, 0, "{e}");
    let v: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert_eq!(v["result"]["method"], "window");
    let l = levels_of(&o);
    assert_eq!(l.len(), 10);
    assert_eq!(l[0].0, "1000000");
    assert_eq!(l[1].0, "999999");
    // P(S = n) = (1/2)^n = 10^-301029.99566...: 1.0100340591980302247...e-301030
    assert!(l[0].1.starts_with("1.010034059198030224703197280"), "{}", l[0].1);
    assert!(l[0].1.ends_with("e-301030"), "{}", l[0].1);
}

#[test]
fn level_count_equals_the_exact_law_wherever_it_answers() {
    use alignexact::math::top_levels::level_count;
    let mut rng = SplitMix64(0x7094);
    let mut answered = 0;
    for _ in 0..40 {
        let (p, r) = random_model(&mut rng);
        let lat = WinLattice::new(&p, &r).expect("lattice");
        for n in [1u64, 2, 3, 5, 10, 40, 90, 150] {
            if let Some(c) = level_count(&lat, n) {
                let law = level_law(&p, &r, n, Route::Auto);
                assert_eq!(c, law.len() as u64, "p {p:?} r {r:?} n {n}");
                answered += 1;
            }
        }
    }
    assert!(answered > 60, "the count answered only {answered} times");
    // Example A (rewards 0, 1, 3): every value of [0, 3n] but 3n - 1, at any n from 8 on
    let a: Vec<Rational> = ["1/2", "3/10", "1/5"].iter().map(|s| common::q(s)).collect();
    let ra: Vec<Rational> = ["0", "1", "3"].iter().map(|s| common::q(s)).collect();
    let lat = WinLattice::new(&a, &ra).unwrap();
    assert_eq!(level_count(&lat, 1_000_000_000), Some(3_000_000_000));
    // rewards 0, 7, 100: the semigroups <7, 100> and <93, 100> leave gaps; below the proven
    // range of n the count is not claimed
    let rw: Vec<Rational> = ["0", "7", "100"].iter().map(|s| common::q(s)).collect();
    let lat = WinLattice::new(&a, &rw).unwrap();
    assert_eq!(level_count(&lat, 3000), None);
    let n = 10_000u64;
    let c = level_count(&lat, n).expect("past the bound");
    // genus of <7, 100> is (7-1)(100-1)/2 = 297, of <93, 100> is 92*99/2 = 4554
    assert_eq!(c, 100 * n + 1 - 297 - 4554);
}

#[test]
fn window_and_exact_routes_report_the_same_levels_total() {
    let args = |m: &'static str| {
        vec![
            "compare",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--delta",
            "3/10",
            "--n",
            "3000",
            "--method",
            m,
            "--json",
        ]
    };
    let total = |m| {
        let (c, o, e) = run_cli(&args(m));
        assert_eq!(c, 0, "{e}");
        let v: serde_json::Value = serde_json::from_str(&o).unwrap();
        assert_eq!(v["result"]["method"], m);
        assert!(v["result"].get("notes").is_none());
        v["result"]["levels_total"].as_u64().unwrap()
    };
    assert_eq!(total("window"), total("exact"));
}

#[test]
fn bon_listing_beyond_the_top_k_is_refused_with_the_way_out() {
    for view in ["all", "top 1000"] {
        let msg = common::assert_usage_error(
            &[
                "bon",
                "--p",
                "1/2,1/4,1/4",
                "--r",
                "0,1,1",
                "--n",
                "1000000",
                "--N",
                "1e21",
                "--levels",
                view,
            ],
            &["--levels top K", "--levels none"],
        );
        assert!(msg.contains("GB"), "an estimate: {msg}");
    }
}
