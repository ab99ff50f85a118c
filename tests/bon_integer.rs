//! Best-of-N for an integer `N`, streamed in exact integers (`math::bon_integer`, MATH.md BON-1 ..
//! BON-4), against brute-force enumeration in `num-rational`, the stored exact law
//! (`ExactBon`, an independent route: rationals `P_N / P_S` formed and logged one by one), and
//! BON-3's telescoping of the per-level gaps.

mod common;

use alignexact::exact::level_law::{level_law, LevelLaw, Route};
use alignexact::math::best_of_n::{self as bon, Levels};
use alignexact::math::bon_integer::IntegerBon;
use alignexact::real::Enc;
use alignexact::report::best_of_n::ExactBon;
use common::{big_to_rat, SplitMix64};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use rug::{Integer, Rational};
use std::collections::BTreeMap;

fn random_model(rng: &mut SplitMix64) -> (Vec<Rational>, Vec<Rational>) {
    let k = 2 + rng.below(4) as usize;
    // integer weights, some zero (a token the model never emits), normalised exactly
    let mut w: Vec<i64> = (0..k).map(|_| rng.range_i64(0, 9)).collect();
    if w.iter().all(|&x| x == 0) {
        w[0] = 1;
    }
    let total: i64 = w.iter().sum();
    let p = w.iter().map(|&x| Rational::from((x, total))).collect();
    // rewards on a small lattice, with ties
    let r = (0..k)
        .map(|_| Rational::from((rng.range_i64(-4, 4), 1 + rng.below(3) as i64)))
        .collect();
    (p, r)
}

fn to_big(q: &Rational) -> BigRational {
    common::rat_to_big(q)
}

/// Brute force in num-rational: every sequence of `n` tokens, grouped by total reward; then
/// BON-1 `P_N = F^N - F-^N`, BON-2 `sum s P_N`, BON-4 `sum P_N (F + F-) / 2`.
struct Brute {
    levels: Vec<(BigRational, BigRational)>,
    pn: Vec<BigRational>,
    expected: BigRational,
    win: BigRational,
}

fn brute(p: &[Rational], r: &[Rational], n: u32, big_n: u32) -> Brute {
    let p: Vec<BigRational> = p.iter().map(to_big).collect();
    let r: Vec<BigRational> = r.iter().map(to_big).collect();
    let mut law: BTreeMap<BigRational, BigRational> = BTreeMap::new();
    let k = p.len();
    let mut idx = vec![0usize; n as usize];
    loop {
        let mut prob = BigRational::one();
        let mut s = BigRational::zero();
        for &i in &idx {
            prob *= &p[i];
            s += &r[i];
        }
        if !prob.is_zero() {
            *law.entry(s).or_insert_with(BigRational::zero) += prob;
        }
        let mut pos = 0;
        loop {
            if pos == idx.len() {
                let levels: Vec<(BigRational, BigRational)> = law.into_iter().collect();
                let mut f = BigRational::zero();
                let (mut pn, mut expected, mut win) = (vec![], BigRational::zero(), BigRational::zero());
                for (s, ps) in &levels {
                    let fm = f.clone();
                    f += ps;
                    let q = num_traits::pow(f.clone(), big_n as usize)
                        - num_traits::pow(fm.clone(), big_n as usize);
                    expected += &q * s;
                    win += &q * (&f + &fm) / BigRational::from_integer(BigInt::from(2));
                    pn.push(q);
                }
                return Brute {
                    levels,
                    pn,
                    expected,
                    win,
                };
            }
            idx[pos] += 1;
            if idx[pos] < k {
                break;
            }
            idx[pos] = 0;
            pos += 1;
        }
    }
}

fn all(law: &LevelLaw) -> Vec<usize> {
    (0..law.len()).collect()
}

/// BON-1, BON-2, BON-4: the exact parts equal brute-force enumeration (`==` on rationals), on 60
/// random models with zero probabilities and ties, n = 1..4, N = 1..6.
#[test]
fn exact_parts_equal_brute_force_enumeration() {
    let mut rng = SplitMix64(0x5eed_b011);
    for case in 0..60 {
        let (p, r) = random_model(&mut rng);
        let n = 1 + rng.below(4) as u32;
        let big_n = 1 + rng.below(6) as u32;
        let law = level_law(&p, &r, u64::from(n), Route::Auto);
        let ib = IntegerBon::new(&law, big_n);
        let b = brute(&p, &r, n, big_n);
        assert_eq!(law.len(), b.levels.len(), "case {case}");
        assert_eq!(ib.expected_reward, big_to_rat(&b.expected), "case {case}: BON-2");
        assert_eq!(ib.win_rate, big_to_rat(&b.win), "case {case}: BON-4");
        let listed = ib.levels(&law, &all(&law), 128);
        for (j, (pn, _)) in listed.iter().enumerate() {
            assert_eq!(
                law.reward(j),
                big_to_rat(&b.levels[j].0),
                "case {case}, level {j}"
            );
            assert_eq!(*pn, big_to_rat(&b.pn[j]), "case {case}, level {j}: BON-1");
        }
    }
}

/// The stored exact law, for an independent KL: `sum P_N ln(P_N / P_S)` with each ratio formed
/// as a rational and logged, at 600 bits.
fn stored_kl(law: &LevelLaw, big_n: u32) -> Enc {
    let ex = ExactBon::new(&Levels::new(law.clone()), big_n);
    Enc::sum(ex.kl_terms(600).iter(), 600)
}

/// BON-3: the streamed KL at 128 bits contains the stored route's at 600 bits, and certifies at
/// least 110 bits of it (relative width).
#[test]
fn kl_contains_the_stored_exact_route() {
    let mut rng = SplitMix64(0xc0ff_ee11);
    for case in 0..40 {
        let (p, r) = random_model(&mut rng);
        let n = 1 + rng.below(5);
        let big_n = 1 + rng.below(8) as u32;
        let law = level_law(&p, &r, n, Route::Auto);
        let ib = IntegerBon::new(&law, big_n);
        let kl = ib.kl(&law, 128);
        let reference = stored_kl(&law, big_n);
        assert!(kl.contains(&reference), "case {case}: {kl:?} vs {reference:?}");
        if big_n == 1 || law.len() == 1 {
            assert!(
                kl.is_exact_zero(),
                "case {case}: N = 1 or one level is the reference itself"
            );
        } else {
            let rel = rug::Float::with_val(64, kl.width() / kl.hi());
            assert!(
                rel < rug::Float::with_val(64, 2f64.powi(-110)),
                "case {case}: {rel}"
            );
        }
    }
}

/// BON-3 level by level: every per-level gap is `>= 0`, and they telescope,
/// `sum_j gap_j = A_N(1) - A_N(0) - KL = ln N - (N-1)/N - KL`.
#[test]
fn per_level_gaps_are_nonnegative_and_telescope_to_the_kl_gap() {
    let mut rng = SplitMix64(0x7e1e_5c0e);
    for case in 0..30 {
        let (p, r) = random_model(&mut rng);
        let n = 1 + rng.below(4);
        let big_n = 2 + rng.below(6) as u32;
        let law = level_law(&p, &r, n, Route::Auto);
        let ib = IntegerBon::new(&law, big_n);
        let prec = 200;
        let listed = ib.levels(&law, &all(&law), prec);
        let sum = Enc::sum(listed.iter().map(|(_, g)| g), prec);
        let ne = Enc::from_i64(i64::from(big_n), prec);
        let total = bon::kl_bound(&ne, &ne.ln(prec), prec).sub(&ib.kl(&law, prec), prec);
        assert!(sum.overlaps(&total), "case {case}: {sum:?} vs {total:?}");
        let tiny = rug::Float::with_val(64, 2f64.powi(-150));
        for (j, (_, g)) in listed.iter().enumerate() {
            assert!(
                *g.hi() >= 0 && *g.lo() > -tiny.clone(),
                "case {case}, level {j}: {g:?}"
            );
        }
    }
}

/// More levels than one block of the parallel passes (4096): 10^4 distinct rewards, one token
/// each, with weights 1..=7. The exact parts equal the stored law's (`==`), the KL contains it,
/// and a listing in any order (highest first, as `bon` asks) gives the stored probabilities.
#[test]
fn many_levels_across_blocks_match_the_stored_law() {
    let k = 10_000i64;
    let w: Vec<i64> = (0..k).map(|i| 1 + (i * 7919) % 7).collect();
    let total: i64 = w.iter().sum();
    let p: Vec<Rational> = w.iter().map(|&x| Rational::from((x, total))).collect();
    let r: Vec<Rational> = (0..k).map(|i| Rational::from(((i * 37) % k, k))).collect();
    let law = level_law(&p, &r, 1, Route::Auto);
    assert_eq!(law.len(), k as usize);
    let lv = Levels::new(law.clone());
    for big_n in [2u32, 5] {
        let ib = IntegerBon::new(&law, big_n);
        let ex = ExactBon::new(&lv, big_n);
        assert_eq!(ib.expected_reward, ex.expected_reward(&lv));
        assert_eq!(ib.win_rate, ex.win_rate());
        let kl = ib.kl(&law, 160);
        assert!(
            kl.contains(&Enc::sum(ex.kl_terms(400).iter(), 400)),
            "N = {big_n}"
        );
        let js: Vec<usize> = [9999usize, 4096, 4095, 0, 8191, 8192, 5000].to_vec();
        for (&j, (pn, _)) in js.iter().zip(ib.levels(&law, &js, 128)) {
            assert_eq!(pn, ex.pn[j], "N = {big_n}, level {j}");
        }
    }
}

/// N = 1 is the reference law: `E S` is the reference mean, the win rate 1/2, the KL exactly 0.
#[test]
fn one_sample_is_the_reference() {
    let p = [
        Rational::from((1, 3)),
        Rational::from((1, 6)),
        Rational::from((1, 2)),
    ];
    let r = [Rational::from(2), Rational::from((-1, 2)), Rational::from(5)];
    for n in 1..=3u64 {
        let law = level_law(&p, &r, n, Route::Auto);
        let ib = IntegerBon::new(&law, 1);
        let mean: Rational = p.iter().zip(&r).map(|(a, b)| Rational::from(a * b)).sum();
        assert_eq!(ib.expected_reward, Rational::from(&mean * Integer::from(n)));
        assert_eq!(ib.win_rate, Rational::from((1, 2)));
        assert!(ib.kl(&law, 64).is_exact_zero());
    }
}

/// Through the binary: 20000 tokens with distinct rewards, `bon --n 1 --N 100`. The whole exact
/// law (20000 levels of about 2900 bits) is past the stored route's limit, so the streamed route
/// answers, still exactly: `expected_reward`, `win_rate` and every listed `prob_bon` equal an
/// independent num-rational computation from the token probabilities (`==`), and the KL gap is
/// certified (`lo <= hi`, positive).
#[test]
fn bon_on_a_vocabulary_with_distinct_rewards_is_exact() {
    let k = 20_000u64;
    let mut rng = SplitMix64(0xb0b0_1234);
    let w: Vec<u64> = (0..k).map(|_| 1 + rng.below(999)).collect();
    let total: u64 = w.iter().sum();
    let mut perm: Vec<u64> = (0..k).collect();
    for i in (1..perm.len()).rev() {
        perm.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let p: Vec<String> = w.iter().map(|x| format!("\"{x}/{total}\"")).collect();
    let r: Vec<String> = perm.iter().map(|i| format!("\"{i}/{k}\"")).collect();
    let spec = format!("{{\"p\": [{}], \"r\": [{}]}}", p.join(","), r.join(","));
    let big_n = 100usize;
    let (code, out, err) = common::run_cli_stdin(
        &[
            "bon", "--spec", "-", "--n", "1", "--N", "100", "--levels", "top 5", "--json",
        ],
        Some(&spec),
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let res = &v["result"];
    assert_eq!(res["method"], "exact");
    // independent: sort the tokens by reward (distinct: one level each)
    let mut tokens: Vec<(u64, u64)> = perm.iter().zip(&w).map(|(&i, &x)| (i, x)).collect();
    tokens.sort();
    let den = BigRational::from_integer(BigInt::from(total));
    let mut f = BigRational::zero();
    let (mut expected, mut win) = (BigRational::zero(), BigRational::zero());
    let mut pn = Vec::new();
    for (i, x) in &tokens {
        let fm = f.clone();
        f += BigRational::from_integer(BigInt::from(*x)) / &den;
        let q = num_traits::pow(f.clone(), big_n) - num_traits::pow(fm.clone(), big_n);
        expected += &q * BigRational::new(BigInt::from(*i), BigInt::from(k));
        win += &q * (&f + &fm) / BigRational::from_integer(BigInt::from(2));
        pn.push(q);
    }
    let exact = |x: &serde_json::Value| -> Rational { x["exact"].as_str().unwrap().parse().unwrap() };
    assert_eq!(exact(&res["expected_reward"]), big_to_rat(&expected));
    assert_eq!(exact(&res["win_rate"]), big_to_rat(&win));
    let levels = res["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 5);
    for (t, lvl) in levels.iter().enumerate() {
        assert_eq!(
            exact(&lvl["prob_bon"]),
            big_to_rat(&pn[pn.len() - 1 - t]),
            "level {t} from the top"
        );
    }
    let lo: f64 = res["kl_gap"]["lo"].as_str().unwrap().parse().unwrap();
    let hi: f64 = res["kl_gap"]["hi"].as_str().unwrap().parse().unwrap();
    assert!(0.0 < lo && lo <= hi, "{}", res["kl_gap"]);
}
