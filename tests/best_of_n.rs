//! Best-of-N (MATH.md §4, BON-1 .. BON-6) against brute force, an independent `num-rational`
//! backend, exact values, and the certified closed forms in log space.
//!
//! Every test checks real mathematics: exact equalities are `==` on rationals, certified
//! statements are comparisons of enclosures (an enclosure that merely overlaps a wrong value
//! would not pass a strict inequality), and agreement of two routes is checked at a stated
//! number of certified digits.

mod common;

use alignexact::exact::dist::{Distribution, Model};
use alignexact::exact::level_law::{level_law, Route};
use alignexact::math::best_of_n::{self as bon, BonEval, Levels, NRule};
use alignexact::math::bon_adaptive;
use alignexact::math::divergence;
use alignexact::math::tilt::{eval as tilt_eval, optimum, Optimum, TiltModel};
use alignexact::real::ziv::{self, Precision};
use alignexact::real::Enc;
use alignexact::report::best_of_n::{bon_value, compare_value, ExactBon, LevelsView, SampleCount};
use alignexact::report::Value;
use common::{big_to_rat, float_to_big, rat_to_big};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use rug::ops::Pow;
use rug::{Integer, Rational};
use std::collections::BTreeMap;
use std::str::FromStr;

// ---------------------------------------------------------------------------------------------
// helpers

fn q(a: i64, b: i64) -> Rational {
    Rational::from((a, b))
}

fn qs(v: &[(i64, i64)]) -> Vec<Rational> {
    v.iter().map(|&(a, b)| q(a, b)).collect()
}

fn model(p: &[Rational], r: &[Rational]) -> Model {
    Model::new(
        Distribution::new(p.to_vec(), false, "--p").expect("valid p"),
        r.to_vec(),
    )
    .expect("valid model")
}

fn levels(p: &[Rational], r: &[Rational], n: u64) -> Levels {
    Levels::new(level_law(p, r, n, Route::Auto))
}

fn n_enc(n: u64, prec: u32) -> Enc {
    Enc::from_integer(&Integer::from(n), prec)
}

fn ln_n_enc(n: u64, prec: u32) -> Enc {
    if n == 1 {
        Enc::zero(prec)
    } else {
        n_enc(n, prec).ln(prec)
    }
}

/// Example A of MATH.md §8.
fn example_a() -> (Vec<Rational>, Vec<Rational>) {
    (qs(&[(1, 2), (3, 10), (1, 5)]), qs(&[(0, 1), (1, 1), (3, 1)]))
}

/// Example B of MATH.md §8.
fn example_b() -> (Vec<Rational>, Vec<Rational>) {
    (qs(&[(7, 10), (3, 10)]), qs(&[(0, 1), (1, 1)]))
}

/// Small models with the features that matter: k = 2 and 3, ties in the reward, a
/// zero-probability token (with the largest reward, so it must drop out), negative and
/// fractional rewards, a constant reward.
fn small_models() -> Vec<(&'static str, Vec<Rational>, Vec<Rational>)> {
    let (pa, ra) = example_a();
    let (pb, rb) = example_b();
    vec![
        ("example B (k=2)", pb, rb),
        ("example A (k=3)", pa, ra),
        (
            "k=3, tie between tokens 2 and 3, negative and fractional rewards",
            qs(&[(1, 6), (1, 3), (1, 2)]),
            qs(&[(-1, 2), (2, 3), (2, 3)]),
        ),
        (
            "k=3, zero-probability token with the highest reward",
            qs(&[(2, 5), (0, 1), (3, 5)]),
            qs(&[(1, 1), (9, 1), (-2, 1)]),
        ),
        (
            "k=3, zero-probability token and a tie on the support",
            qs(&[(1, 4), (3, 4), (0, 1)]),
            qs(&[(5, 2), (5, 2), (-7, 1)]),
        ),
        (
            "k=3, tie at the bottom, zero probability in the middle",
            qs(&[(1, 3), (0, 1), (1, 3), (1, 3)]),
            qs(&[(0, 1), (4, 1), (0, 1), (1, 3)]),
        ),
    ]
}

/// `num / den^e` reduced.
fn over_pow(num: Integer, den: &Integer, e: u32) -> Rational {
    Rational::from((num, Integer::from(den.pow(e))))
}

/// All `k^n` sequences with their probability numerators over `d^n` (`d` = lcm of the
/// denominators of p) and their exact rewards.
struct Sequences {
    seqs: Vec<Vec<usize>>,
    weight: Vec<Integer>,
    reward: Vec<Rational>,
    d: Integer,
}

fn sequences(p: &[Rational], r: &[Rational], n: usize) -> Sequences {
    let k = p.len();
    let mut d = Integer::from(1);
    for pa in p {
        d.lcm_mut(pa.denom());
    }
    let c: Vec<Integer> = p
        .iter()
        .map(|pa| Integer::from(&d / pa.denom()) * pa.numer())
        .collect();
    let total = k.pow(n as u32);
    let mut seqs = Vec::with_capacity(total);
    let mut weight = Vec::with_capacity(total);
    let mut reward = Vec::with_capacity(total);
    for mut code in 0..total {
        let mut y = vec![0usize; n];
        for slot in y.iter_mut().rev() {
            *slot = code % k;
            code /= k;
        }
        let mut w = Integer::from(1);
        let mut s = Rational::new();
        for &a in &y {
            w *= &c[a];
            s += &r[a];
        }
        seqs.push(y);
        weight.push(w);
        reward.push(s);
    }
    Sequences {
        seqs,
        weight,
        reward,
        d,
    }
}

/// Brute force: enumerate all `N`-tuples of sequences, output the one at the position chosen by
/// `pick` (given the tuple of sequence indices). Returns the exact law of the output, one
/// probability per sequence.
fn brute_force(s: &Sequences, n: usize, big_n: usize, pick: &dyn Fn(&[usize]) -> usize) -> Vec<Rational> {
    let m = s.seqs.len();
    let mut acc = vec![Integer::new(); m];
    let mut t = vec![0usize; big_n];
    loop {
        let mut w = Integer::from(1);
        for &i in &t {
            w *= &s.weight[i];
        }
        if w != 0 {
            acc[t[pick(&t)]] += w;
        }
        // odometer
        let mut pos = 0;
        loop {
            if pos == big_n {
                let e = (n * big_n) as u32;
                return acc.into_iter().map(|a| over_pow(a, &s.d, e)).collect();
            }
            t[pos] += 1;
            if t[pos] < m {
                break;
            }
            t[pos] = 0;
            pos += 1;
        }
    }
}

/// The first maximiser of the reward in the tuple (ties broken by sample index).
fn first_max(s: &Sequences) -> impl Fn(&[usize]) -> usize + '_ {
    move |t: &[usize]| {
        let mut best = 0;
        for i in 1..t.len() {
            if s.reward[t[i]] > s.reward[t[best]] {
                best = i;
            }
        }
        best
    }
}

/// The level of each law index keyed by its exact reward.
fn level_index(lv: &Levels) -> BTreeMap<Rational, usize> {
    (0..lv.len()).map(|j| (lv.law.reward(j), j)).collect()
}

/// An exact rational upper bound on the relative width `(hi - lo) / min(|lo|, |hi|)` of a
/// finite enclosure not containing 0, computed in num-rational (independent of the crate).
fn rel_width(e: &Enc) -> BigRational {
    let lo = float_to_big(e.lo());
    let hi = float_to_big(e.hi());
    assert!(
        lo.is_positive() == hi.is_positive() && !lo.is_zero() && !hi.is_zero(),
        "enclosure straddles 0: {e:?}"
    );
    let m = lo.abs().min(hi.abs());
    (&hi - &lo) / m
}

/// Assert that the enclosure pins its value to `digits` significant digits (relative width
/// below `10^-digits`).
fn assert_digits(e: &Enc, digits: i64, what: &str) {
    let w = rel_width(e);
    assert!(
        w < common::pow10(-digits),
        "{what}: {e:?} does not certify {digits} digits"
    );
}

fn assert_overlap(a: &Enc, b: &Enc, what: &str) {
    assert!(a.overlaps(b), "{what}: {a:?} and {b:?} do not overlap");
}

fn real_field(v: &Value, key: &str) -> Enc {
    match v.get(key) {
        Some(Value::Real(e)) => e.clone(),
        other => panic!("field {key}: expected a certified real, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// BON-1 against brute force

/// BON-1 (level rule), brute force over all N-tuples of length-n sequences: the exact output law
/// (first maximiser of the tuple) equals `F^N - F-^N` per level (`exact_probs`) and
/// `p(y) P_N(s) / P_S(s)` per sequence, exactly.
#[test]
fn bon1_level_rule_equals_brute_force() {
    let mut checked = 0;
    for (name, p, r) in small_models() {
        for n in 1..=3usize {
            for big_n in 1..=3usize {
                let s = sequences(&p, &r, n);
                if s.seqs.len().pow(big_n as u32) > 300_000 {
                    continue;
                }
                let pi = brute_force(&s, n, big_n, &first_max(&s));
                let lv = levels(&p, &r, n as u64);
                let pn = bon::exact_probs(&lv, big_n as u32);
                let idx = level_index(&lv);
                // per level
                let mut by_level: BTreeMap<Rational, Rational> = BTreeMap::new();
                for (y, py) in pi.iter().enumerate() {
                    if *py != 0 {
                        *by_level.entry(s.reward[y].clone()).or_default() += py;
                    }
                }
                assert_eq!(
                    by_level.len(),
                    lv.len(),
                    "{name} n={n} N={big_n}: number of levels"
                );
                for (reward, mass) in &by_level {
                    let j = *idx
                        .get(reward)
                        .unwrap_or_else(|| panic!("{name}: level {reward} missing"));
                    assert_eq!(*mass, pn[j], "{name} n={n} N={big_n}: P_N({reward})");
                }
                // per sequence
                for (y, py) in pi.iter().enumerate() {
                    let p_y = over_pow(s.weight[y].clone(), &s.d, n as u32);
                    let expect = match idx.get(&s.reward[y]) {
                        Some(&j) if p_y != 0 => Rational::from(&p_y * &pn[j]) / lv.law.prob(j),
                        _ => Rational::new(),
                    };
                    assert_eq!(*py, expect, "{name} n={n} N={big_n}: pi_N({:?})", s.seqs[y]);
                }
                let total: Rational = pn.iter().sum();
                assert_eq!(total, 1, "{name}: the BON-1 law sums to 1");
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "only {checked} cases were checked");
}

/// BON-1, "order" rule for one token: brute force with ties broken by the fixed order
/// (reward, index) equals `order_rule_exact`; its KL to p is at least the level rule's, the
/// excess is exactly `D(pi_order || pi_level)` (chain rule over levels), strictly positive when
/// the support has a tie and N >= 2, and zero (identical laws) without ties.
#[test]
fn bon1_order_rule_equals_brute_force_and_has_larger_kl() {
    let prec = 256;
    for (name, p, r) in small_models() {
        let s = sequences(&p, &r, 1);
        let has_tie = {
            let supp: Vec<&Rational> = (0..p.len()).filter(|&a| p[a] > 0).map(|a| &r[a]).collect();
            (0..supp.len()).any(|i| (i + 1..supp.len()).any(|j| supp[i] == supp[j]))
        };
        for big_n in 1..=5usize {
            let pick = |t: &[usize]| -> usize {
                let mut best = 0;
                for i in 1..t.len() {
                    let (a, b) = (t[i], t[best]);
                    if (&r[a], a) > (&r[b], b) {
                        best = i;
                    }
                }
                best
            };
            let brute = brute_force(&s, 1, big_n, &pick);
            let order = alignexact::math::order_rule::order_rule_exact(&p, &r, big_n as u32);
            assert_eq!(brute, order, "{name} N={big_n}: order rule");
            // the level rule on tokens: p(y) P_N(s) / P_S(s)
            let lv = levels(&p, &r, 1);
            let pn = bon::exact_probs(&lv, big_n as u32);
            let idx = level_index(&lv);
            let level: Vec<Rational> = (0..p.len())
                .map(|a| {
                    if p[a] == 0 {
                        Rational::new()
                    } else {
                        let j = idx[&r[a]];
                        Rational::from(&p[a] * &pn[j]) / lv.law.prob(j)
                    }
                })
                .collect();
            // same level law
            for (reward, &j) in &idx {
                let m: Rational = (0..p.len())
                    .filter(|&a| r[a] == *reward)
                    .map(|a| order[a].clone())
                    .sum();
                assert_eq!(m, pn[j], "{name} N={big_n}: order rule level law");
            }
            let kl_order = divergence::kl(&order, &p, prec);
            let kl_level = divergence::kl(&level, &p, prec);
            let excess = divergence::kl(&order, &level, prec);
            assert_overlap(&kl_order.sub(&kl_level, prec), &excess, "chain rule");
            if has_tie && big_n >= 2 {
                assert!(
                    kl_order.cmp_certified(&kl_level) == Some(std::cmp::Ordering::Greater),
                    "{name} N={big_n}: strict"
                );
            } else {
                assert_eq!(order, level, "{name} N={big_n}: no tie, same law");
            }
            // the certified order rule (log space) encloses the exact one
            let enc = alignexact::math::order_rule::order_rule_enc(&p, &r, &n_enc(big_n as u64, prec), prec);
            for (a, e) in enc.iter().enumerate() {
                assert!(
                    e.contains_rational(&order[a]),
                    "{name} N={big_n}: order_rule_enc[{a}]"
                );
                if order[a] != 0 {
                    assert_digits(e, 60, "order_rule_enc");
                }
            }
        }
    }
}

/// Example B at n = 5, N = 3: `(1/n) E_{pi_N} S_n = 117923075777169/250000000000000` exactly,
/// and the certified log-space route encloses it.
#[test]
fn example_b_exact_reward_per_token() {
    let (p, r) = example_b();
    let lv = levels(&p, &r, 5);
    let ex = ExactBon::new(&lv, 3);
    let per_token = ex.expected_reward(&lv) / Rational::from(5);
    assert_eq!(per_token, q(117923075777169, 250000000000000));
    // independently: sum_s s (F^3 - F-^3) by hand from the binomial law of S_5
    let mut f = Rational::new();
    let mut e = Rational::new();
    for s in 0..=5u32 {
        let binom = Integer::from(Integer::binomial_u(5, s));
        let ps = Rational::from(binom) * q(3, 10).pow(s) * q(7, 10).pow(5 - s);
        let fm = f.clone();
        f += ps;
        e += Rational::from(s) * (Rational::from((&f).pow(3u32)) - fm.pow(3u32));
    }
    assert_eq!(e / Rational::from(5), per_token);
    let prec = 200;
    let ev = bon::eval(&lv, &n_enc(3, prec), prec);
    let enc = bon::expected_reward(&lv, &ev, prec);
    assert!(enc.contains_rational(&Rational::from(&per_token * 5u32)));
    assert_digits(&enc, 50, "Example B E S");
}

// ---------------------------------------------------------------------------------------------
// BON-2

/// BON-2: `sum_s s P_N(s)` and `s_max - sum (s+ - s) F^N` agree to 60 certified digits and
/// contain the exact value for integer N (computed with rationals).
#[test]
fn bon2_two_forms_agree_and_equal_exact() {
    let prec = 300;
    let mut cases = 0;
    for (name, p, r) in small_models() {
        for n in [1u64, 3, 8] {
            let lv = levels(&p, &r, n);
            for big_n in [1u32, 2, 3, 7, 40] {
                let ev = bon::eval(&lv, &n_enc(big_n as u64, prec), prec);
                let e1 = bon::expected_reward(&lv, &ev, prec);
                let e2 = bon::expected_reward_direct(&lv, &ev, prec);
                let exact = ExactBon::new(&lv, big_n).expected_reward(&lv);
                // and the first form in exact arithmetic
                let pn = bon::exact_probs(&lv, big_n);
                let direct: Rational = (0..lv.len()).map(|j| &pn[j] * lv.law.reward(j)).sum();
                assert_eq!(exact, direct, "{name}");
                assert!(
                    e1.contains_rational(&exact),
                    "{name} n={n} N={big_n}: summation form"
                );
                assert!(
                    e2.contains_rational(&exact),
                    "{name} n={n} N={big_n}: direct form"
                );
                if exact != 0 {
                    assert_digits(&e1, 60, name);
                    assert_digits(&e2, 60, name);
                }
                assert_overlap(&e1, &e2, name);
                cases += 1;
            }
            // astronomically large and real N: no exact value, the two forms still agree
            for x in [q(100, 1), q(5001, 2)] {
                let ne = SampleCount::Real(x).enc(prec);
                let ev = bon::eval(&lv, &ne, prec);
                let e1 = bon::expected_reward(&lv, &ev, prec);
                let e2 = bon::expected_reward_direct(&lv, &ev, prec);
                assert_overlap(&e1, &e2, name);
                let top = lv.law.reward(lv.len() - 1);
                let top_enc = Enc::from_rational(&top, prec);
                assert!(*e1.lo() <= top && e1.hi() <= top_enc.hi(), "{name}: E <= s_max");
                if top != 0 {
                    assert_digits(&e1, 60, name);
                    assert_digits(&e2, 60, name);
                }
            }
        }
    }
    assert!(cases >= 80);
}

// ---------------------------------------------------------------------------------------------
// BON-6

/// BON-6: with exactly two reward values on the support, `pi_N` is the tilt `phi_l` with
/// `q0^N = q0 / (q0 + q1 e^{l (r1 - r0)})`. The ratio `e^{l (r1-r0)}` is checked exactly from the
/// per-level ratios `pi_N / p`, and the tilt evaluated at `l = ln(t) / (r1 - r0)` encloses the
/// exact best-of-N law token by token (and its KL and mean).
#[test]
fn bon6_two_levels_are_a_tilt() {
    let prec = 256;
    let cases = [
        ("example B", qs(&[(7, 10), (3, 10)]), qs(&[(0, 1), (1, 1)])),
        (
            "several tokens per level",
            qs(&[(1, 5), (1, 10), (3, 10), (2, 5)]),
            qs(&[(2, 1), (5, 1), (2, 1), (5, 1)]),
        ),
        (
            "zero-probability token, fractional gap",
            qs(&[(1, 3), (0, 1), (2, 3)]),
            qs(&[(-1, 2), (9, 1), (1, 4)]),
        ),
    ];
    for (name, p, r) in cases {
        let lv = levels(&p, &r, 1);
        assert_eq!(lv.len(), 2, "{name}: two levels");
        let (q0, q1) = (lv.law.prob(0), lv.law.prob(1));
        let gap = lv.law.reward(1) - lv.law.reward(0);
        let m = model(&p, &r);
        let tm = TiltModel::new(&m);
        for big_n in [1u32, 2, 3, 5, 8, 20] {
            let pn = bon::exact_probs(&lv, big_n);
            let q0n = Rational::from((&q0).pow(big_n));
            assert_eq!(pn[0], q0n, "{name} N={big_n}: P_N(low) = q0^N");
            // t = e^{l (r1 - r0)} from q0^N = q0 / (q0 + q1 t)
            let t = (Rational::from(&q0 / &q0n) - &q0) / &q1;
            assert_eq!(&q0 / (Rational::from(&q1 * &t) + &q0), pn[0]);
            // the ratio of pi_N / p between the levels is exactly t
            let ratio = (Rational::from(&pn[1] / &q1)) / (Rational::from(&pn[0] / &q0));
            assert_eq!(ratio, t, "{name} N={big_n}: tilt ratio");
            // l = ln t / (r1 - r0), evaluated with the tilt module
            let l = if big_n == 1 {
                Enc::zero(prec)
            } else {
                Enc::from_rational(&t, prec)
                    .ln(prec)
                    .div(&Enc::from_rational(&gap, prec), prec)
            };
            if big_n >= 2 {
                assert!(*l.lo() > 0, "l > 0 for N >= 2");
            }
            let te = tilt_eval(&tm, &l, prec);
            let idx = level_index(&lv);
            let pi: Vec<Rational> = (0..p.len())
                .map(|a| {
                    if p[a] == 0 {
                        Rational::new()
                    } else {
                        let j = idx[&r[a]];
                        Rational::from(&p[a] * &pn[j]) / lv.law.prob(j)
                    }
                })
                .collect();
            for (s, &a) in tm.idx.iter().enumerate() {
                assert!(
                    te.phi[s].contains_rational(&pi[a]),
                    "{name} N={big_n}: phi_l({a}) vs pi_N"
                );
                assert_digits(&te.phi[s], 60, "phi_l");
            }
            let kl = divergence::kl(&pi, &p, prec);
            assert_overlap(&kl, &te.kl, "D(pi_N||p) = K(l)");
            let mean: Rational = pi.iter().zip(&r).map(|(a, b)| Rational::from(a * b)).sum();
            assert!(te.mu.contains_rational(&mean), "{name}: E_pi r = mu(l)");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// BON-3

/// BON-3: `D(pi_N || p) <= ln N - (N-1)/N`, strictly for N >= 2 (certified); the per-level gaps
/// of `kl_gaps` are each certified > 0 (when the level's probability is resolved) and sum to the
/// total gap; for N = 1 everything is 0. For small integer N the log-space KL overlaps the one
/// with exactly formed ratios (`ExactBon::kl_terms`).
#[test]
fn bon3_folklore_bound_and_nonnegative_gaps() {
    let prec = 256;
    for (name, p, r) in small_models() {
        for n in [1u64, 4, 20] {
            let lv = levels(&p, &r, n);
            for big_n in [1u64, 2, 3, 10, 1000, 1_000_000_000_000] {
                let ne = n_enc(big_n, prec);
                let ln_n = ln_n_enc(big_n, prec);
                let ev = bon::eval(&lv, &ne, prec);
                let kl = bon::kl_to_reference(&ev, prec);
                let bound = bon::kl_bound(&ne, &ln_n, prec);
                let gaps = bon::kl_gaps(&ev, &ne, &ln_n, prec);
                let total = Enc::sum(gaps.iter(), prec);
                assert_overlap(&total, &bound.sub(&kl, prec), "sum of gaps = bound - D");
                if big_n == 1 {
                    assert!(bound.is_exact_zero(), "bound(1) = 0");
                    assert!(
                        *kl.lo() >= 0 && *kl.hi() < 1e-60,
                        "{name}: D(pi_1||p) = 0: {kl:?}"
                    );
                    for g in &gaps {
                        assert!(*g.lo() <= 0 && *g.hi() >= 0 && g.width() < 1e-60, "gap(N=1) = 0");
                    }
                    continue;
                }
                assert!(
                    kl.hi() < bound.lo(),
                    "{name} n={n} N={big_n}: D = {kl:?} not < {bound:?}"
                );
                assert!(*kl.lo() >= 0);
                for (j, g) in gaps.iter().enumerate() {
                    assert!(
                        *g.hi() >= 0,
                        "{name} n={n} N={big_n}: gap {j} certified negative: {g:?}"
                    );
                    if *ev.pn[j].lo() > 0 {
                        assert!(
                            *g.lo() > 0,
                            "{name} n={n} N={big_n}: gap {j} not certified > 0: {g:?}"
                        );
                    }
                }
                if big_n <= 10 {
                    let ex = ExactBon::new(&lv, big_n as u32);
                    let kl_exact = Enc::sum(ex.kl_terms(prec).iter(), prec);
                    assert_overlap(&kl, &kl_exact, "log-space KL vs exact-ratio KL");
                    if lv.len() > 1 {
                        assert_digits(&kl, 60, "D(pi_N||p)");
                    } else {
                        // constant reward: pi_N = p
                        assert!(kl.is_exact_zero() && kl_exact.is_exact_zero());
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// BON-4

/// Brute-force win rate: enumerate (reference, N samples); the best-of-N output (first
/// maximiser) beats the reference with weight 1 and ties with weight 1/2.
fn brute_win_rate(s: &Sequences, n: usize, big_n: usize) -> Rational {
    let m = s.seqs.len();
    let mut t = vec![0usize; big_n + 1];
    let mut wins = Integer::new(); // counted in halves
    loop {
        let mut w = Integer::from(1);
        for &i in &t {
            w *= &s.weight[i];
        }
        if w != 0 {
            let samples = &t[1..];
            let mut best = 0;
            for i in 1..samples.len() {
                if s.reward[samples[i]] > s.reward[samples[best]] {
                    best = i;
                }
            }
            let (a, b) = (&s.reward[samples[best]], &s.reward[t[0]]);
            if a > b {
                wins += Integer::from(&w * 2u32);
            } else if a == b {
                wins += w;
            }
        }
        let mut pos = 0;
        loop {
            if pos == t.len() {
                let e = (n * (big_n + 1)) as u32;
                return over_pow(wins, &s.d, e) / Rational::from(2);
            }
            t[pos] += 1;
            if t[pos] < m {
                break;
            }
            t[pos] = 0;
            pos += 1;
        }
    }
}

/// BON-4: `W = sum P_N (F + F-)/2` equals the brute-force win rate exactly, `W <= N/(N+1)`
/// (exactly 1/2 at N = 1, strict for N >= 2), and the certified log-space value encloses it;
/// for astronomically large N the certified W is still certified below the bound.
#[test]
fn bon4_win_rate() {
    let prec = 256;
    for (name, p, r) in small_models() {
        for n in 1..=2usize {
            let s = sequences(&p, &r, n);
            let lv = levels(&p, &r, n as u64);
            for big_n in 1..=3usize {
                if s.seqs.len().pow(big_n as u32 + 1) > 200_000 {
                    continue;
                }
                let w = ExactBon::new(&lv, big_n as u32).win_rate();
                assert_eq!(w, brute_win_rate(&s, n, big_n), "{name} n={n} N={big_n}");
            }
        }
        for n in [1u64, 3, 10] {
            let lv = levels(&p, &r, n);
            for big_n in [1u32, 2, 3, 9, 50] {
                let w = ExactBon::new(&lv, big_n).win_rate();
                let bound = q(big_n as i64, big_n as i64 + 1);
                if big_n == 1 {
                    assert_eq!(w, q(1, 2), "{name}: W(1) = 1/2");
                } else {
                    assert!(w < bound, "{name} n={n} N={big_n}: W = {w} not < {bound}");
                }
                let ev = bon::eval(&lv, &n_enc(big_n as u64, prec), prec);
                let we = bon::win_rate(&ev, prec);
                assert!(we.contains_rational(&w), "{name} n={n} N={big_n}: certified W");
                assert_digits(&we, 60, "W");
            }
            for x in [q(40, 1), q(1000, 1)] {
                let ne = SampleCount::Real(x).enc(prec);
                let ev = bon::eval(&lv, &ne, prec);
                let we = bon::win_rate(&ev, prec);
                let bound = ne.div(&ne.add(&Enc::from_i64(1, prec), prec), prec);
                if lv.len() > 1 {
                    assert!(we.hi() < bound.lo(), "{name}: W < N/(N+1) at N = e^x");
                }
                assert!(*we.lo() >= 0.5);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// BON-5

fn interior_lambda(tm: &TiltModel, delta: &Rational, prec: u32) -> Enc {
    match optimum(tm, delta, prec) {
        Some(Optimum::Interior(l)) => l,
        other => panic!("expected an interior optimum, got {other:?}"),
    }
}

/// BON-5: `D(pi_N || phi_l^n)` by the level sum and by TILT-3 agree to 50 certified digits for
/// Example A at several n (N = ceil(e^{n Delta}) and the real N), and at n = 1 both agree with
/// a third, token-level computation from the exact best-of-N law and the tilt module's phi.
#[test]
fn bon5_both_routes_agree() {
    let prec = 320;
    let (p, r) = example_a();
    let m = model(&p, &r);
    let tm = TiltModel::new(&m);
    let delta = q(3, 10);
    let l = interior_lambda(&tm, &delta, prec);
    let te = tilt_eval(&tm, &l, prec);
    for n in [1u64, 3, 10, 40, 100] {
        let lv = levels(&p, &r, n);
        let x = Rational::from(&delta * n);
        let n_int = bon::integer_n(&x, NRule::Ceil, 1 << 16).expect("N certified");
        for count in [SampleCount::Integer(n_int.clone()), SampleCount::Real(x.clone())] {
            let ne = count.enc(prec);
            let ev = bon::eval(&lv, &ne, prec);
            let n_psi = te.psi.mul_rational(&Rational::from(n), prec);
            let ln_phi = bon::ln_tilted(&lv, &ev, &l, &n_psi, prec);
            let kl_ref = bon::kl_to_reference(&ev, prec);
            let e_s = bon::expected_reward(&lv, &ev, prec);
            let d1 = bon::kl_to_tilted(&ev, &ln_phi, prec);
            let d2 = bon::kl_to_tilted_pythagorean(&kl_ref, &l, &e_s, &n_psi, prec);
            assert_overlap(&d1, &d2, &format!("n={n} {count:?}"));
            assert_digits(&d1, 50, "BON-5 level sum");
            assert_digits(&d2, 50, "BON-5 Pythagorean");
            // the tilted level law is a probability law
            let mass = Enc::sum(
                ln_phi.iter().map(|x| x.exp(prec)).collect::<Vec<_>>().iter(),
                prec,
            );
            assert!(mass.contains_rational(&Rational::from(1)), "sum Phi_l = 1");
            if n == 1 {
                let ni = match &count {
                    SampleCount::Integer(i) => i.to_u32().expect("small"),
                    _ => continue,
                };
                assert_eq!(ni, 2, "ceil(e^0.3) = 2");
                let pn = bon::exact_probs(&lv, ni);
                let idx = level_index(&lv);
                let mut d3 = Enc::zero(prec);
                for (s, &a) in tm.idx.iter().enumerate() {
                    let j = idx[&r[a]];
                    let pi = Rational::from(&p[a] * &pn[j]) / lv.law.prob(j);
                    d3 = d3.add(
                        &Enc::xlogxy(&Enc::from_rational(&pi, prec), &te.phi[s], prec),
                        prec,
                    );
                }
                assert_overlap(&d1, &d3, "token-level D(pi_N||phi)");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SEQ-2 / SEQ-3 with an independent num-rational backend

/// The level law by enumeration of types in num-rational: `n!/prod c! prod p^c` merged by reward.
fn num_level_law(p: &[BigRational], r: &[BigRational], n: usize) -> BTreeMap<BigRational, BigRational> {
    type Model<'a> = (&'a [BigRational], &'a [BigRational]);
    fn rec(
        a: usize,
        left: usize,
        (p, r): Model,
        coef: BigInt,
        prob: BigRational,
        s: BigRational,
        out: &mut BTreeMap<BigRational, BigRational>,
    ) {
        if a + 1 == p.len() {
            let c = left;
            let prob = prob * num_traits::pow(p[a].clone(), c);
            if prob.is_zero() {
                return;
            }
            let s = s + &r[a] * BigRational::from_integer(BigInt::from(c));
            let e = out.entry(s).or_insert_with(BigRational::zero);
            *e += BigRational::from_integer(coef) * prob;
            return;
        }
        let mut binom = BigInt::one(); // C(left, c)
        for c in 0..=left {
            if c > 0 {
                binom = binom * BigInt::from(left - c + 1) / BigInt::from(c);
            }
            rec(
                a + 1,
                left - c,
                (p, r),
                &coef * &binom,
                &prob * num_traits::pow(p[a].clone(), c),
                &s + &r[a] * BigRational::from_integer(BigInt::from(c)),
                out,
            );
        }
    }
    let mut out = BTreeMap::new();
    rec(
        0,
        n,
        (p, r),
        BigInt::one(),
        BigRational::one(),
        BigRational::zero(),
        &mut out,
    );
    out
}

/// SEQ-2/SEQ-3: the level law sums to exactly 1, and rug's exact BON-1 law (`exact_probs`)
/// equals an independent num-rational computation of `F^N - F-^N` over a num-rational level
/// law (compared as strings, level by level).
#[test]
fn seq2_level_law_and_bon1_match_num_rational() {
    for (name, p, r) in small_models() {
        let pb: Vec<BigRational> = p.iter().map(rat_to_big).collect();
        let rb: Vec<BigRational> = r.iter().map(rat_to_big).collect();
        for n in [1usize, 2, 5, 12] {
            let lv = levels(&p, &r, n as u64);
            let total: Rational = (0..lv.len()).map(|j| lv.law.prob(j)).sum();
            assert_eq!(total, 1, "{name}: level law sums to 1");
            let law = num_level_law(&pb, &rb, n);
            assert_eq!(law.len(), lv.len(), "{name} n={n}: levels");
            for big_n in [1usize, 2, 3, 10] {
                let pn = bon::exact_probs(&lv, big_n as u32);
                let mut f = BigRational::zero();
                for (j, (s, ps)) in law.iter().enumerate() {
                    let fm = f.clone();
                    f += ps;
                    let pn_num = num_traits::pow(f.clone(), big_n) - num_traits::pow(fm, big_n);
                    assert_eq!(
                        lv.law.reward(j).to_string(),
                        s.to_string(),
                        "{name} n={n}: reward {j}"
                    );
                    assert_eq!(
                        lv.law.prob(j).to_string(),
                        ps.to_string(),
                        "{name} n={n}: P_S {j}"
                    );
                    assert_eq!(
                        pn[j].to_string(),
                        pn_num.to_string(),
                        "{name} n={n} N={big_n}: P_N {j}"
                    );
                    // and the exact conversion agrees too
                    assert_eq!(big_to_rat(&pn_num), pn[j]);
                }
                assert!(f.is_one());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Huge N

/// Example A, n = 100, Delta = 3/10: N = ceil(e^30) = 10686474581525 against the real
/// N = e^30. More samples never lower the reward, and
/// `0 < E_ceil - E_real <= (s_max - s_min)/e * ln(N / e^30)` (from
/// `dE/d ln N = sum (s+ - s) u (-ln u) <= (s_max - s_min)/e`, `u = F^N`); the KL grows
/// (`dD/d ln N >= 0`, see proofs/best_of_n.md) by at most `ln(N / e^30)`.
#[test]
fn huge_n_ceil_versus_real() {
    let prec = 256;
    let (p, r) = example_a();
    let lv = levels(&p, &r, 100);
    let x = Rational::from(30);
    let n_ceil = bon::integer_n(&x, NRule::Ceil, 1 << 16).expect("certified ceil");
    assert_eq!(n_ceil, Integer::from(10_686_474_581_525u64));
    let c_int = SampleCount::Integer(n_ceil.clone());
    let c_real = SampleCount::Real(x.clone());
    let ev_i = bon::eval(&lv, &c_int.enc(prec), prec);
    let ev_r = bon::eval(&lv, &c_real.enc(prec), prec);
    let e_i = bon::expected_reward(&lv, &ev_i, prec);
    let e_r = bon::expected_reward(&lv, &ev_r, prec);
    let diff = e_i.sub(&e_r, prec);
    let ln_ratio = c_int.ln(prec).sub(&Enc::from_rational(&x, prec), prec);
    assert!(
        *ln_ratio.lo() > 0 && *ln_ratio.hi() < 1e-13,
        "0 < ln(N/e^30) < 1e-13: {ln_ratio:?}"
    );
    let span = lv.law.reward(lv.len() - 1) - lv.law.reward(0);
    assert_eq!(span, 300);
    let crude = ln_ratio.mul_rational(&span, prec);
    let sharp = crude.div(&Enc::from_i64(1, prec).exp(prec), prec);
    assert!(*diff.lo() > 0, "E_ceil > E_real: {diff:?}");
    assert!(
        diff.hi() < sharp.lo(),
        "E_ceil - E_real = {diff:?} exceeds (s_max - s_min)/e ln(N/e^30) = {sharp:?}"
    );
    assert!(diff.hi() < crude.lo());
    let d_i = bon::kl_to_reference(&ev_i, prec);
    let d_r = bon::kl_to_reference(&ev_r, prec);
    let dd = d_i.sub(&d_r, prec);
    assert!(*dd.lo() > 0, "D grows with N: {dd:?}");
    assert!(
        dd.hi() < ln_ratio.lo(),
        "D changes by {dd:?}, more than ln(N/e^30) = {ln_ratio:?}"
    );
    // both are certified to 60 digits and near n Delta = 30 (ASY-2/6: D = n Delta - c + o(1))
    assert_digits(&d_i, 60, "D ceil");
    assert_digits(&e_r, 60, "E real");
    assert!(*d_i.hi() < 30 && *d_i.lo() > 28);
    // the printed Example A value (compare --n 100): E S_100 = 181.586437148241911294536342050...
    let printed = common::decimal_to_big("181.586437148241911294536342050");
    let ulp = common::pow10(-27);
    for end in [e_i.lo(), e_i.hi()] {
        assert!((float_to_big(end) - &printed).abs() <= ulp, "E_ceil = {e_i:?}");
    }
}

/// n Delta = 10^4 with the real rule (N = e^{10^4}, far outside any floating-point range) on a
/// model with Delta_max = ln 10^6 > 10: the whole `compare` result certifies 30 digits within
/// a modest precision, the two BON-5 routes agree, and D(pi_N||p) < n Delta. Also Example A at
/// n = 3000 (N = ceil(e^900): `ln P_N` of the low levels is beyond the f64 range) certifies.
#[test]
fn huge_n_delta_ten_thousand_certifies_30_digits() {
    let p = qs(&[(1, 2), (499_999, 1_000_000), (1, 1_000_000)]);
    let r = qs(&[(0, 1), (1, 1), (2, 1)]);
    let tm = TiltModel::new(&model(&p, &r));
    let lv = levels(&p, &r, 1000);
    let delta = Rational::from(10);
    let count = SampleCount::Real(Rational::from(10_000));
    let prec = Precision {
        digits: 30,
        cap_bits: 4096,
    };
    let v = ziv::run(&prec, |bits| Ok(compare_value(&tm, &lv, &delta, &count, bits)))
        .expect("compare at n Delta = 10^4 certifies 30 digits below 4096 bits");
    let d1 = real_field(&v, "kl_bon_tilted");
    let d2 = real_field(&v, "kl_bon_tilted_pythagorean");
    assert_overlap(&d1, &d2, "BON-5 at n Delta = 10^4");
    let kl = real_field(&v, "kl_bon_reference");
    assert!(*kl.hi() < 10_000 && *kl.lo() > 9_900, "D(pi_N||p) = {kl:?}");
    assert_digits(&kl, 30, "kl_bon_reference");
    let e_bon = real_field(&v, "expected_reward_bon");
    let e_tilt = real_field(&v, "expected_reward_tilted");
    assert!(
        e_bon.hi() < e_tilt.lo(),
        "best-of-N below the optimum at finite n"
    );
    // the same through the plain (non-adaptive) evaluation
    let bits = 256;
    let ev = bon::eval(&lv, &count.enc(bits), bits);
    assert_overlap(&bon::kl_to_reference(&ev, bits), &kl, "eval vs compare_value");

    let (pa, ra) = example_a();
    let tm = TiltModel::new(&model(&pa, &ra));
    let lv = levels(&pa, &ra, 3000);
    let x = Rational::from(900);
    let count = SampleCount::Integer(bon::integer_n(&x, NRule::Ceil, 1 << 16).expect("N"));
    let v = ziv::run(&prec, |bits| Ok(compare_value(&tm, &lv, &q(3, 10), &count, bits)))
        .expect("Example A at n = 3000 certifies 30 digits below 4096 bits");
    let d1 = real_field(&v, "kl_bon_tilted");
    let d2 = real_field(&v, "kl_bon_tilted_pythagorean");
    assert_overlap(&d1, &d2, "BON-5 at n = 3000");
}

/// Best-of-N probabilities far below the floating-point range (`P_N = e^{-10^364}` for the
/// second level of Example A at n = 100 with N = e^1000) are reported from their logarithm and
/// certified like everything else: `bon` and the saturated `compare` (Delta = 10 > ln 5) finish
/// within a modest precision. The logarithm printed for such a level is checked against
/// `N ln F + ln(1 - (F-/F)^N)` evaluated independently here.
#[test]
fn underflowing_levels_certify() {
    let (p, r) = example_a();
    let lv = levels(&p, &r, 100);
    let count = SampleCount::Real(Rational::from(1000));
    let prec = Precision {
        digits: 30,
        cap_bits: 4096,
    };
    let tm = TiltModel::new(&model(&p, &r));
    let v = ziv::run(&prec, |bits| {
        Ok(compare_value(&tm, &lv, &Rational::from(10), &count, bits))
    })
    .expect("saturated compare with N = e^1000 certifies 30 digits below 4096 bits");
    assert!(real_field(&v, "lambda").is_pos_infinity(), "saturated");
    // ln P_N of the second level, independently: F = 1 - 5^-100 - ..., F- = F - P_S
    let bits = 4096;
    let ev = bon::eval(&lv, &count.enc(bits), bits);
    let j = lv.len() - 2;
    let cdf: Integer = lv.law.weights[..=j].iter().sum();
    let f = Rational::from((cdf.clone(), lv.law.denom.clone()));
    let fm = Rational::from((Integer::from(&cdf - &lv.law.weights[j]), lv.law.denom.clone()));
    let ne = count.enc(bits);
    let ln_f = Enc::from_rational(&Rational::from(1 - &f), bits)
        .neg()
        .ln_1p(bits);
    let ratio = Enc::from_rational(&Rational::from(&fm / &f), bits)
        .ln(bits)
        .mul(&ne, bits);
    // (F-/F)^N underflows to [0, tiny], so ln(1 - (F-/F)^N) is in [ln(1 - tiny), 0]
    let tail = ratio.exp(bits).neg().ln_1p(bits);
    let expect = ne.mul(&ln_f, bits).add(&tail, bits);
    assert_overlap(&ev.ln_pn[j], &expect, "ln P_N of an underflowing level");
    assert!(
        *ev.pn[j].lo() == 0 && *ev.pn[j].hi() > 0,
        "P_N enclosed by [0, tiny]"
    );
    let v = ziv::run(&prec, |bits| {
        Ok(bon_value(&lv, &count, None, LevelsView::Top(3), bits))
    })
    .expect("bon with N = e^1000 at n = 100 certifies 30 digits below 4096 bits");
    let kl = real_field(&v, "kl_to_reference");
    // D = P_N(top) ln(P_N(top)/P_S(top)) + (underflowed levels) = 100 ln 5 - (tiny)
    let hundred_ln5 = Enc::from_i64(5, 256)
        .ln(256)
        .mul_rational(&Rational::from(100), 256);
    assert_overlap(&kl, &hundred_ln5, "D = -ln P_S(top)");
}

/// The level-adaptive evaluation is a valid enclosure of the same quantities as the plain one
/// and loses no certified digits where it matters, including when best-of-N probabilities
/// underflow (N = e^1000 on Example A at n = 100, every level but the top one underflows).
#[test]
fn eval_adaptive_matches_eval() {
    let (p, r) = example_a();
    let lv = levels(&p, &r, 100);
    let prec = 256;
    for count in [
        SampleCount::Integer(Integer::from(10_686_474_581_525u64)),
        SampleCount::Real(Rational::from(1000)),
    ] {
        let ln_ps = |ev: &BonEval, _p: u32| ev.ln_ps.clone();
        for (tag, phi) in [
            ("no phi", None),
            ("phi", Some(&ln_ps as &dyn Fn(&BonEval, u32) -> Vec<Enc>)),
        ] {
            let a = bon_adaptive::eval_adaptive(&lv, &|b| count.enc(b), prec, phi, &[]);
            let e = bon::eval(&lv, &count.enc(prec), prec);
            for (what, x, y) in [
                (
                    "D(pi_N||p)",
                    bon::kl_to_reference(&a, prec),
                    bon::kl_to_reference(&e, prec),
                ),
                (
                    "E S",
                    bon::expected_reward(&lv, &a, prec),
                    bon::expected_reward(&lv, &e, prec),
                ),
                ("W", bon::win_rate(&a, prec), bon::win_rate(&e, prec)),
            ] {
                assert_overlap(&x, &y, "adaptive vs plain");
                assert_digits(&y, 60, &format!("plain evaluation, {what}, {count:?}"));
                assert_digits(&x, 60, &format!("adaptive evaluation ({tag}), {what}, {count:?}"));
            }
        }
    }
}

/// The adaptive selection leaves negligible levels at their cheap 64-bit scout enclosures (it
/// once marked every level below the top one as needed, through the neighbour rule run in
/// decreasing `j`), keeps each selected level's lower neighbour at full precision (the win-rate
/// term and the BON-3 gap of level `j` read level `j - 1`), and still certifies 60 digits.
#[test]
fn eval_adaptive_keeps_negligible_levels_cheap_and_selected_neighbours_full() {
    let (p, r) = example_a();
    let lv = levels(&p, &r, 200);
    let prec = 256;
    // N = 10^40: most levels have F^N far below the top's (at N = 10^12 more than half of them
    // matter, and the scout is skipped: every level at full precision)
    let count = SampleCount::Integer(Integer::from(10u64).pow(40));
    let a = bon_adaptive::eval_adaptive(&lv, &|b| count.enc(b), prec, None, &[]);
    let full: Vec<bool> = a.pn.iter().map(|x| x.prec() > bon_adaptive::SCOUT_BITS).collect();
    let kept = full.iter().filter(|&&f| f).count();
    assert!(
        kept > 0 && kept < lv.len() / 2,
        "{kept} of {} levels at full precision",
        lv.len()
    );
    // a level selected on its own brings its lower neighbour, so every run of full-precision
    // levels that starts above level 0 has at least two levels (its lowest one is a neighbour)
    for a in 1..full.len() {
        if full[a] && !full[a - 1] {
            assert!(
                a + 1 < full.len() && full[a + 1],
                "level {a} at full precision alone: its own selection would have brought level {}",
                a - 1
            );
        }
    }
    // when most levels matter the scout is skipped: the plain evaluation, level for level
    let most = SampleCount::Integer(Integer::from(10u64).pow(12));
    let m = bon_adaptive::eval_adaptive(&lv, &|b| most.enc(b), prec, None, &[]);
    assert_eq!(m.pn, bon::eval(&lv, &most.enc(prec), prec).pn);
    let e = bon::eval(&lv, &count.enc(prec), prec);
    for (x, y) in [
        (bon::kl_to_reference(&a, prec), bon::kl_to_reference(&e, prec)),
        (
            bon::expected_reward(&lv, &a, prec),
            bon::expected_reward(&lv, &e, prec),
        ),
        (bon::win_rate(&a, prec), bon::win_rate(&e, prec)),
    ] {
        assert_overlap(&x, &y, "adaptive vs plain");
        assert_digits(&x, 60, "adaptive evaluation");
    }
}

// ---------------------------------------------------------------------------------------------
// integer_n

/// `floor(e^x)` for a rational `x >= 0` by the Taylor series in num-rational with a rigorous
/// tail bound (all terms positive; for `k + 2 > 2x` the tail after term `k` is at most twice
/// the next term).
fn floor_exp_independent(x: &BigRational) -> BigInt {
    let mut sum = BigRational::zero();
    let mut term = BigRational::one();
    let mut k = 0u64;
    loop {
        sum += &term;
        k += 1;
        term = &term * x / BigRational::from_integer(BigInt::from(k));
        let two_x = x * BigRational::from_integer(BigInt::from(2));
        if BigRational::from_integer(BigInt::from(k + 1)) > two_x {
            let upper = &sum + &term * BigRational::from_integer(BigInt::from(2));
            let (fl, fu) = (sum.floor(), upper.floor());
            if fl == fu {
                return fl.to_integer();
            }
        }
        assert!(k < 100_000, "series did not resolve floor(e^x)");
    }
}

/// `integer_n` certifies ceil and floor of `e^x` (Lindemann: `e^x` is never an integer for
/// rational `x != 0`), checked against an independent Taylor-series evaluation.
#[test]
fn integer_n_ceil_and_floor_match_independent_evaluation() {
    assert_eq!(
        bon::integer_n(&Rational::new(), NRule::Ceil, 256),
        Some(Integer::from(1))
    );
    assert_eq!(
        bon::integer_n(&Rational::new(), NRule::Floor, 256),
        Some(Integer::from(1))
    );
    for (a, b) in [
        (1, 1000),
        (1, 2),
        (3, 7),
        (1, 1),
        (3, 2),
        (30, 1),
        (100, 1),
        (12345, 100),
        (500, 1),
        (1001, 10),
    ] {
        let x = q(a, b);
        let fl = floor_exp_independent(&common::big(a, b));
        let fl = Integer::from_str(&fl.to_string()).expect("integer");
        let ceil = bon::integer_n(&x, NRule::Ceil, 1 << 16).expect("ceil certified");
        let floor = bon::integer_n(&x, NRule::Floor, 1 << 16).expect("floor certified");
        assert_eq!(ceil, Integer::from(&fl + 1u32), "ceil(e^{x})");
        let expect_floor = if fl < 1 { Integer::from(1) } else { fl.clone() };
        assert_eq!(floor, expect_floor, "floor(e^{x})");
        // the sample count enclosure of the real rule contains e^x strictly between them
        let e = SampleCount::Real(x.clone()).enc(2048);
        assert!(*e.lo() > fl && *e.hi() < ceil, "floor < e^x < ceil");
    }
    assert_eq!(
        bon::integer_n(&q(1, 1000), NRule::Floor, 256),
        Some(Integer::from(1))
    );
    assert_eq!(
        bon::integer_n(&q(3, 10), NRule::Ceil, 256),
        Some(Integer::from(2))
    );
    // e^30 = 10686474581524.46...: the compare example
    assert_eq!(
        bon::integer_n(&Rational::from(30), NRule::Floor, 256),
        Some(Integer::from(10_686_474_581_524u64))
    );
    // a very large exponent: the ceiling has 4343 digits and must be one more than the floor
    let big_x = Rational::from(10_000);
    let c = bon::integer_n(&big_x, NRule::Ceil, 1 << 18).expect("ceil of e^10000");
    let f = bon::integer_n(&big_x, NRule::Floor, 1 << 18).expect("floor of e^10000");
    assert_eq!(Integer::from(&c - &f), 1);
    assert_eq!(c.to_string().len(), 4343);
}
