//! SEQ-2 (level law) tests: both exact routes, brute force over all sequences, an independent
//! `num-rational` backend, closed forms, invariants and route selection.

use alignexact::exact::level_law::{
    choose_route, estimate, level_law, level_law_polynomial, level_law_polynomial_kronecker, level_law_types,
    power_coefficients_kronecker, power_coefficients_recurrence, Lattice, LevelLaw, Route,
};
use num_rational::BigRational;
use num_traits::{One, Zero};
use rug::ops::Pow;
use rug::{Integer, Rational};
use std::collections::BTreeMap;
use std::str::FromStr;

// ---------------------------------------------------------------------------------------------
// helpers

/// splitmix64: a tiny deterministic PRNG (no external crate).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }
}

fn q(a: i64, b: i64) -> Rational {
    Rational::from((a, b))
}

/// A random distribution on `k` tokens with some zero entries (never all zero) and a random
/// reward with negative, fractional and tied values.
fn random_case(rng: &mut SplitMix64, k: usize) -> (Vec<Rational>, Vec<Rational>) {
    let mut w: Vec<Rational> = (0..k)
        .map(|_| {
            if rng.range(0, 4) == 0 {
                Rational::new()
            } else {
                q(rng.range(1, 9), rng.range(1, 7))
            }
        })
        .collect();
    if w.iter().all(|x| *x == 0) {
        let a = rng.range(0, k as i64 - 1) as usize;
        w[a] = q(rng.range(1, 5), 1);
    }
    let total: Rational = w.iter().sum();
    let p: Vec<Rational> = w.into_iter().map(|x| x / &total).collect();
    let mut r: Vec<Rational> = Vec::with_capacity(k);
    for a in 0..k {
        if a > 0 && rng.range(0, 3) == 0 {
            // a tie with an earlier token
            let b = rng.range(0, a as i64 - 1) as usize;
            let tie = r[b].clone();
            r.push(tie);
        } else {
            r.push(q(rng.range(-6, 6), rng.range(1, 5)));
        }
    }
    (p, r)
}

/// Structural invariants of a [`LevelLaw`].
fn check_invariants(law: &LevelLaw) {
    assert!(!law.is_empty());
    assert_eq!(law.levels.len(), law.weights.len());
    assert!(law.scale > 0);
    for j in 1..law.len() {
        assert!(
            law.levels[j - 1] < law.levels[j],
            "levels not strictly increasing"
        );
    }
    assert!(law.weights.iter().all(|w| *w > 0), "non-positive weight stored");
    let total: Integer = law.weights.iter().sum();
    assert_eq!(total, law.denom, "weights do not sum to denom");
}

/// Brute force: all `k^n` sequences, exact rug rationals, zero-probability levels dropped.
fn brute_force(p: &[Rational], r: &[Rational], n: u32) -> BTreeMap<Rational, Rational> {
    let k = p.len();
    let mut out: BTreeMap<Rational, Rational> = BTreeMap::new();
    let total = k.pow(n);
    for code in 0..total {
        let mut c = code;
        let mut prob = Rational::from(1);
        let mut s = Rational::new();
        for _ in 0..n {
            let a = c % k;
            c /= k;
            prob *= &p[a];
            s += &r[a];
        }
        if prob != 0 {
            *out.entry(s).or_default() += prob;
        }
    }
    out
}

fn as_map(law: &LevelLaw) -> BTreeMap<Rational, Rational> {
    (0..law.len()).map(|j| (law.reward(j), law.prob(j))).collect()
}

fn to_big(x: &Rational) -> BigRational {
    BigRational::from_str(&x.to_string()).expect("rug prints a/b")
}

/// Independent backend: naive repeated convolution with `num_rational::BigRational`.
fn num_rational_law(p: &[Rational], r: &[Rational], n: u64) -> BTreeMap<BigRational, BigRational> {
    let p: Vec<BigRational> = p.iter().map(to_big).collect();
    let r: Vec<BigRational> = r.iter().map(to_big).collect();
    let mut cur: BTreeMap<BigRational, BigRational> = BTreeMap::new();
    cur.insert(BigRational::zero(), BigRational::one());
    for _ in 0..n {
        let mut next: BTreeMap<BigRational, BigRational> = BTreeMap::new();
        for (s, w) in &cur {
            for (pa, ra) in p.iter().zip(&r) {
                if pa.is_zero() {
                    continue;
                }
                *next.entry(s + ra).or_insert_with(BigRational::zero) += w * pa;
            }
        }
        cur = next;
    }
    cur
}

/// A random case with `k` tokens on a wider scale than [`random_case`]: zero probabilities,
/// negative rewards, ties, probabilities with different denominators, and (with `huge`) reward
/// denominators past 2^64 so that the scaled rewards do not fit a machine word.
fn random_wide_case(rng: &mut SplitMix64, k: usize, huge: bool) -> (Vec<Rational>, Vec<Rational>) {
    let (p, mut r) = random_case(rng, k);
    for a in 0..k {
        if rng.range(0, 2) == 0 {
            continue; // keep the tie or small reward of random_case
        }
        let mut den = Integer::from(rng.range(1, 1000));
        if huge && rng.range(0, 1) == 0 {
            den = (Integer::from(1) << 70u32) + den;
        }
        r[a] = Rational::from((Integer::from(rng.range(-5000, 5000)), den));
        if a > 0 && rng.range(0, 3) == 0 {
            let b = rng.range(0, a as i64 - 1) as usize;
            r[a] = r[b].clone(); // a tie with an earlier token again
        }
    }
    (p, r)
}

/// The normal form by the definitions, token by token, with an ordered map (the construction
/// before the grouping by hash): `(L, d, levels of S_1, weights of S_1)`.
fn normal_form_by_definition(
    p: &[Rational],
    r: &[Rational],
) -> (Integer, Integer, Vec<Integer>, Vec<Integer>) {
    let support: Vec<usize> = (0..p.len()).filter(|&a| p[a] > 0).collect();
    let mut scale = Integer::from(1);
    let mut d = Integer::from(1);
    for &a in &support {
        scale.lcm_mut(r[a].denom());
        d.lcm_mut(p[a].denom());
    }
    let mut merged: BTreeMap<Integer, Integer> = BTreeMap::new();
    for &a in &support {
        let m = Integer::from(&scale / r[a].denom()) * r[a].numer();
        let c = Integer::from(&d / p[a].denom()) * p[a].numer();
        *merged.entry(m).or_default() += c;
    }
    let (levels, weights) = merged.into_iter().unzip();
    (scale, d, levels, weights)
}

/// The lattice built once (grouped by reward before the lattice arithmetic) gives the law that
/// brute force, both routes and the definition give, exactly (`==`), for `n = 1` (where the law
/// is read off the lattice) and beyond, on random models with ties, zero probabilities,
/// negative rewards and reward denominators past 2^64; its estimate is the one of `estimate`.
#[test]
fn seq2_lattice_grouping_matches_brute_force_and_routes() {
    let mut rng = SplitMix64(0x1A77_1CE5);
    let mut cases = 0;
    for k in 1..=7usize {
        for rep in 0..12 {
            let (p, r) = random_wide_case(&mut rng, k, rep % 3 == 2);
            let lat = Lattice::new(&p, &r, 1);
            assert_eq!(lat.n(), 1);
            // n = 1: the reward law itself, against the definition and brute force
            let one = lat.law(Route::Auto);
            let (scale, d, levels, weights) = normal_form_by_definition(&p, &r);
            assert_eq!(lat.distinct(), levels.len());
            assert_eq!(one.scale, scale, "p={p:?} r={r:?}");
            assert_eq!(one.denom, d);
            assert_eq!(one.levels, levels);
            assert_eq!(one.weights, weights);
            assert_eq!(as_map(&one), brute_force(&p, &r, 1));
            // every route, requested explicitly, gives the same law (==)
            assert!(one == level_law_types(&p, &r, 1), "types differ: p={p:?} r={r:?}");
            assert!(lat.law(Route::Types) == one && lat.law(Route::Polynomial) == one);
            if estimate(&p, &r, 1).0.levels < 1e6 {
                assert!(
                    one == level_law_polynomial(&p, &r, 1),
                    "polynomial differs: p={p:?} r={r:?}"
                );
            }
            check_invariants(&one);
            // n > 1 from the same lattice
            for n in 2..=3u64 {
                let lat_n = lat.with_n(n);
                assert_eq!(lat_n.n(), n);
                let law = lat_n.law(Route::Auto);
                assert!(law == level_law_types(&p, &r, n), "p={p:?} r={r:?} n={n}");
                assert!(law == Lattice::new(&p, &r, n).law(Route::Auto));
                if k <= 5 {
                    assert_eq!(
                        as_map(&law),
                        brute_force(&p, &r, n as u32),
                        "p={p:?} r={r:?} n={n}"
                    );
                }
                let (a, b) = lat_n.estimate();
                let (a2, b2) = estimate(&p, &r, n);
                assert_eq!(
                    (a.seconds, a.levels, b.seconds, b.levels),
                    (a2.seconds, a2.levels, b2.seconds, b2.levels)
                );
                assert_eq!(lat_n.choose(), choose_route(&p, &r, n));
                check_invariants(&law);
            }
            cases += 1;
        }
    }
    assert_eq!(cases, 7 * 12);
}

// ---------------------------------------------------------------------------------------------
// SEQ-2: the two routes agree

#[test]
fn seq2_routes_agree_on_random_cases() {
    let mut rng = SplitMix64(0x5EED_0001);
    let mut cases = 0;
    for k in 1..=5usize {
        for n in 1..=12u64 {
            for _ in 0..4 {
                let (p, r) = random_case(&mut rng, k);
                let poly = level_law_polynomial(&p, &r, n);
                let types = level_law_types(&p, &r, n);
                let kron = level_law_polynomial_kronecker(&p, &r, n);
                assert!(poly == types, "routes differ: p={p:?} r={r:?} n={n}");
                assert!(poly == kron, "Kronecker differs: p={p:?} r={r:?} n={n}");
                assert!(level_law(&p, &r, n, Route::Auto) == poly);
                check_invariants(&poly);
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 5 * 12 * 4);
}

#[test]
fn seq2_brute_force_enumeration_matches() {
    let mut rng = SplitMix64(0xB00F_0002);
    for k in 1..=4usize {
        for n in 1..=6u32 {
            for _ in 0..3 {
                let (p, r) = random_case(&mut rng, k);
                let law = level_law(&p, &r, u64::from(n), Route::Auto);
                let expected = brute_force(&p, &r, n);
                assert_eq!(as_map(&law), expected, "p={p:?} r={r:?} n={n}");
                assert_eq!(law.len(), expected.len());
            }
        }
    }
}

#[test]
fn seq2_num_rational_backend_matches() {
    let mut rng = SplitMix64(0xC0DE_0003);
    for k in 1..=5usize {
        for n in [1u64, 2, 3, 5, 8, 13, 20] {
            let (p, r) = random_case(&mut rng, k);
            let reference = num_rational_law(&p, &r, n);
            for route in [Route::Polynomial, Route::Types] {
                let law = level_law(&p, &r, n, route);
                assert_eq!(law.len(), reference.len(), "p={p:?} r={r:?} n={n}");
                for (j, (s, w)) in reference.iter().enumerate() {
                    assert_eq!(law.reward(j).to_string(), s.to_string());
                    assert_eq!(law.prob(j).to_string(), w.to_string());
                }
            }
        }
    }
    // Large denominators (d > 2^64), through the independent backend too.
    let third50 = Rational::from((Integer::from(1), Integer::from(3).pow(50)));
    let p = vec![third50.clone(), Rational::from(1) - &third50];
    let r = vec![q(-1, 7), q(2, 3)];
    let reference = num_rational_law(&p, &r, 9);
    let law = level_law(&p, &r, 9, Route::Auto);
    let ours: Vec<(String, String)> = (0..law.len())
        .map(|j| (law.reward(j).to_string(), law.prob(j).to_string()))
        .collect();
    let theirs: Vec<(String, String)> = reference
        .iter()
        .map(|(s, w)| (s.to_string(), w.to_string()))
        .collect();
    assert_eq!(ours, theirs);
    assert_eq!(law.denom, Integer::from(3).pow(450));
}

// ---------------------------------------------------------------------------------------------
// SEQ-2: invariants, normal form, closed forms

#[test]
fn seq2_probabilities_sum_to_one_and_tails_are_consistent() {
    let mut rng = SplitMix64(0x7A11_0004);
    for k in 1..=5usize {
        for n in [1u64, 4, 9, 17] {
            let (p, r) = random_case(&mut rng, k);
            let law = level_law(&p, &r, n, Route::Auto);
            check_invariants(&law);
            let total: Rational = (0..law.len()).map(|j| law.prob(j)).sum();
            assert_eq!(total, 1);
            let tails = law.tail_weights();
            let cdf = law.cdf_weights();
            assert_eq!(tails.len(), law.len());
            assert_eq!(*tails.last().unwrap(), 0);
            assert_eq!(*cdf.last().unwrap(), law.denom);
            assert_eq!(cdf[0], law.weights[0]);
            for j in 0..law.len() {
                assert_eq!(Integer::from(&cdf[j] + &tails[j]), law.denom);
                if j > 0 {
                    assert_eq!(Integer::from(&cdf[j] - &cdf[j - 1]), law.weights[j]);
                }
            }
            // E S_n = n E_p r (linearity), exactly.
            let mean: Rational = p.iter().zip(&r).map(|(a, b)| Rational::from(a * b)).sum();
            assert_eq!(law.mean(), mean * Rational::from(n));
        }
    }
}

#[test]
fn seq2_normal_form_scale_and_denominator() {
    // p = (1/2, 3/10, 1/5): d = 10; r = (-1/3, 1/4, 5/6): L = 12, m = (-4, 3, 10), g = 7.
    let p = [q(1, 2), q(3, 10), q(1, 5)];
    let r = [q(-1, 3), q(1, 4), q(5, 6)];
    let law = level_law(&p, &r, 4, Route::Auto);
    assert_eq!(law.n, 4);
    assert_eq!(law.scale, 12);
    assert_eq!(law.denom, 10_000);
    assert_eq!(law.levels[0], -16); // 4 * (-4)
    assert_eq!(*law.levels.last().unwrap(), 40); // 4 * 10
    for w in law.levels.windows(2) {
        assert_eq!(Integer::from(&w[1] - &w[0]) % 7u32, 0); // the lattice step g = 7
    }
    assert_eq!(law.weights[0], 625); // 5^4
    assert_eq!(*law.weights.last().unwrap(), 16); // 2^4
    assert_eq!(law.reward(0), q(-4, 3));
    assert_eq!(law.prob(0), q(1, 16));
}

#[test]
fn seq2_binomial_closed_form_n50() {
    let n = 50u32;
    let p = [q(7, 10), q(3, 10)];
    let r = [q(0, 1), q(1, 1)];
    for route in [Route::Polynomial, Route::Types, Route::Auto] {
        let law = level_law(&p, &r, u64::from(n), route);
        assert_eq!(law.len(), n as usize + 1);
        assert_eq!(law.denom, Integer::from(10).pow(n));
        for j in 0..=n {
            let expected = Rational::from(Integer::binomial_u(n, j)) * q(7, 10).pow(n - j) * q(3, 10).pow(j);
            assert_eq!(law.reward(j as usize), Rational::from(j));
            assert_eq!(law.prob(j as usize), expected, "j = {j}");
            // numerator form: C(n, j) 7^{n-j} 3^j over 10^n
            let num = Integer::from(Integer::binomial_u(n, j))
                * Integer::from(Integer::u_pow_u(7, n - j))
                * Integer::from(Integer::u_pow_u(3, j));
            assert_eq!(law.weights[j as usize], num);
        }
    }
}

#[test]
fn seq2_trinomial_closed_form() {
    // p = (1/2, 3/10, 1/5), r = (0, 1, 3): P(S = s) = sum over b + 3c = s of
    // n!/(a! b! c!) 5^a 3^b 2^c / 10^n, computed independently from factorials.
    let n = 30u32;
    let p = [q(1, 2), q(3, 10), q(1, 5)];
    let r = [q(0, 1), q(1, 1), q(3, 1)];
    let law = level_law(&p, &r, u64::from(n), Route::Polynomial);
    let fact = |m: u32| Integer::from(Integer::factorial(m));
    let mut expected: BTreeMap<u32, Integer> = BTreeMap::new();
    for b in 0..=n {
        for c in 0..=(n - b) {
            let a = n - b - c;
            let w = fact(n) / (fact(a) * fact(b) * fact(c))
                * Integer::from(Integer::u_pow_u(5, a))
                * Integer::from(Integer::u_pow_u(3, b))
                * Integer::from(Integer::u_pow_u(2, c));
            *expected.entry(b + 3 * c).or_default() += w;
        }
    }
    let expected: Vec<(Integer, Integer)> =
        expected.into_iter().map(|(s, w)| (Integer::from(s), w)).collect();
    let ours: Vec<(Integer, Integer)> = law
        .levels
        .iter()
        .cloned()
        .zip(law.weights.iter().cloned())
        .collect();
    assert_eq!(ours, expected);
    assert_eq!(law.len(), 3 * n as usize); // level 3n - 1 is unreachable
}

#[test]
fn seq2_constant_reward_single_level() {
    // The reward is constant on the support; the zero-probability token has another reward.
    let p = [q(1, 3), q(0, 1), q(2, 3)];
    let r = [q(-5, 4), q(7, 1), q(-5, 4)];
    for route in [Route::Polynomial, Route::Types, Route::Auto] {
        let law = level_law(&p, &r, 11, route);
        assert_eq!(law.len(), 1);
        assert_eq!(law.weights[0], law.denom);
        assert_eq!(law.denom, Integer::from(3).pow(11));
        assert_eq!(law.reward(0), q(-55, 4));
        assert_eq!(law.prob(0), 1);
        assert_eq!(law.tail_weights(), vec![Integer::new()]);
        assert_eq!(law.cdf_weights(), vec![law.denom.clone()]);
    }
    // A single token.
    let law = level_law(&[q(1, 1)], &[q(2, 9)], 5, Route::Auto);
    assert_eq!(law.len(), 1);
    assert_eq!(law.reward(0), q(10, 9));
    assert_eq!(law.weights[0], 1);
}

#[test]
fn seq2_zero_probability_tokens_drop_out() {
    let p = [q(1, 4), q(3, 4)];
    let r = [q(1, 2), q(-1, 1)];
    let base = level_law(&p, &r, 7, Route::Auto);
    // Extra zero-probability tokens with rewards that would change L, m_min and g.
    let p2 = [q(0, 1), q(1, 4), q(0, 1), q(3, 4), q(0, 1)];
    let r2 = [q(-100, 1), q(1, 2), q(1, 7), q(-1, 1), q(1000, 13)];
    for route in [Route::Polynomial, Route::Types] {
        assert_eq!(level_law(&p2, &r2, 7, route), base);
    }
    assert_eq!(base.scale, 2);
    assert_eq!(base.denom, Integer::from(4).pow(7));
}

#[test]
fn seq2_tied_rewards_merge() {
    let p = [q(1, 4), q(1, 4), q(1, 2)];
    let r = [q(1, 1), q(1, 1), q(0, 1)];
    let merged = level_law(&[q(1, 2), q(1, 2)], &[q(0, 1), q(1, 1)], 9, Route::Auto);
    for route in [Route::Polynomial, Route::Types] {
        let law = level_law(&p, &r, 9, route);
        assert_eq!(as_map(&law), as_map(&merged));
        assert_eq!(law.len(), 10);
    }
}

#[test]
fn seq2_shift_and_scale_equivariance() {
    let mut rng = SplitMix64(0x5C41_0005);
    for k in 1..=4usize {
        let (p, r) = random_case(&mut rng, k);
        let n = 7u64;
        let base = as_map(&level_law(&p, &r, n, Route::Auto));
        // r -> 3 r / 2 - 5/7 maps S_n -> 3 S_n / 2 - 5n/7 level by level.
        let r2: Vec<Rational> = r.iter().map(|x| (x * q(3, 2)) - q(5, 7)).collect();
        let moved = as_map(&level_law(&p, &r2, n, Route::Auto));
        let expected: BTreeMap<Rational, Rational> = base
            .into_iter()
            .map(|(s, w)| (s * q(3, 2) - q(5 * n as i64, 7), w))
            .collect();
        assert_eq!(moved, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// SEQ-2: route selection and the sparse/dense regimes

#[test]
fn seq2_sparse_lattice_auto_picks_types() {
    let p = [q(1, 2), q(3, 10), q(1, 5)];
    let r = [q(0, 1), q(1, 1001), q(1000, 1001)];
    let n = 200u64;
    assert_eq!(choose_route(&p, &r, n), Route::Types);
    let (poly, types) = estimate(&p, &r, n);
    assert_eq!(poly.route, Route::Polynomial);
    assert_eq!(types.route, Route::Types);
    assert_eq!(poly.levels, 200.0 * 1000.0 + 1.0);
    assert_eq!(types.levels, 20301.0); // C(202, 2)
    assert!(types.seconds < poly.seconds && types.work < poly.work);
    let law = level_law(&p, &r, n, Route::Auto);
    assert_eq!(law, level_law_types(&p, &r, n));
    // b + 1000 c with b + c <= 200 are all distinct: one level per composition.
    assert_eq!(law.len(), 20301);
    assert_eq!(law.scale, 1001);
    check_invariants(&law);
    // the top level is all third tokens: (1/5)^200 at reward 200 * 1000/1001
    assert_eq!(law.reward(law.len() - 1), q(200_000, 1001));
    assert_eq!(*law.weights.last().unwrap(), Integer::from(2).pow(200));
    // r = (0, 1000/1001): the lattice step g = 1000 collapses the exponents to (0, 1), so the
    // dense degree is only n and the polynomial route is the right one.
    let r2 = [q(0, 1), q(1000, 1001)];
    let p2 = [q(1, 3), q(2, 3)];
    assert_eq!(estimate(&p2, &r2, 500).0.levels, 501.0);
    assert_eq!(choose_route(&p2, &r2, 500), Route::Polynomial);
    assert_eq!(level_law(&p2, &r2, 500, Route::Auto).len(), 501);
}

#[test]
fn seq2_sparse_lattice_routes_agree() {
    let p = [q(1, 2), q(3, 10), q(1, 5)];
    let r = [q(0, 1), q(1, 1001), q(1000, 1001)];
    let n = 60u64;
    assert_eq!(choose_route(&p, &r, n), Route::Types);
    assert_eq!(level_law_types(&p, &r, n), level_law_polynomial(&p, &r, n));
}

#[test]
fn seq2_dense_lattice_auto_picks_polynomial_n1000() {
    let p = [q(1, 2), q(3, 10), q(1, 5)];
    let r = [q(0, 1), q(1, 1), q(3, 1)];
    let n = 1000u64;
    assert_eq!(choose_route(&p, &r, n), Route::Polynomial);
    let (poly, types) = estimate(&p, &r, n);
    assert!(poly.seconds < types.seconds);
    assert_eq!(poly.levels, 3001.0);
    let law = level_law(&p, &r, n, Route::Auto);
    assert_eq!(law.len(), 3000); // exponent 2999 = b + 3c with b + c <= 1000 is unreachable
    assert_eq!(law.denom, Integer::from(10).pow(1000));
    assert_eq!(law.weights[0], Integer::from(5).pow(1000));
    assert_eq!(
        law.weights[1],
        Integer::from(1000) * 3 * Integer::from(5).pow(999)
    );
    check_invariants(&law);
    assert_eq!(law, level_law_polynomial_kronecker(&p, &r, n));
    assert_eq!(law.mean(), q(900, 1)); // n E_p r = 1000 * (3/10 + 3/5)
}

#[test]
fn seq2_huge_reward_denominators_use_types() {
    // L = 10^30: the dense degree n * 10^30 cannot be allocated; Auto must take types
    // (with big-integer level keys) and agree with brute force.
    let big = Integer::from(10).pow(30);
    let p = [q(1, 2), q(1, 3), q(1, 6)];
    let r = [
        Rational::from(0),
        Rational::from((Integer::from(1), big.clone())),
        Rational::from(1),
    ];
    let n = 5u32;
    assert_eq!(choose_route(&p, &r, u64::from(n)), Route::Types);
    let law = level_law(&p, &r, u64::from(n), Route::Auto);
    assert_eq!(law.scale, big);
    assert_eq!(as_map(&law), brute_force(&p, &r, n));
    let (poly, _) = estimate(&p, &r, u64::from(n));
    assert!(poly.levels > 1e30);
}

#[test]
fn seq2_estimate_is_cheap_for_huge_n() {
    let p = [q(1, 2), q(3, 10), q(1, 5)];
    let r = [q(0, 1), q(1, 1), q(3, 1)];
    let (poly, types) = estimate(&p, &r, 1_000_000_000);
    assert!(poly.coefficient_bits > 3.3e9 && poly.coefficient_bits < 3.4e9);
    assert!(poly.levels == 3e9 + 1.0);
    assert!(types.work > poly.work);
    assert!(poly.seconds.is_finite() && poly.peak_bytes > 1e17);
    // d = 3^1000 > f64::MAX: the bit bound is still finite, n log2 d + 1.
    let tiny = Rational::from((Integer::from(1), Integer::from(3).pow(1000)));
    let p = [tiny.clone(), Rational::from(1) - tiny];
    let (poly, _) = estimate(&p, &[q(0, 1), q(1, 1)], 10);
    let expected = 10.0 * 1000.0 * 3f64.log2() + 1.0;
    assert!((poly.coefficient_bits - expected).abs() < 1e-6 * expected);
}

// ---------------------------------------------------------------------------------------------
// SEQ-2: the polynomial power kernels

/// Schoolbook `f^n` for the kernel tests.
fn naive_power(f: &[Integer], n: u64) -> Vec<Integer> {
    let mut acc = vec![Integer::from(1)];
    for _ in 0..n {
        let mut next = vec![Integer::new(); acc.len() + f.len() - 1];
        for (i, a) in acc.iter().enumerate() {
            for (j, c) in f.iter().enumerate() {
                next[i + j] += Integer::from(a * c);
            }
        }
        acc = next;
    }
    acc
}

#[test]
fn seq2_power_kernels_match_schoolbook() {
    let mut rng = SplitMix64(0x9011_0006);
    for _ in 0..60 {
        let deg = rng.range(0, 6) as usize;
        let n = rng.range(1, 9) as u64;
        let mut f: Vec<Integer> = (0..=deg)
            .map(|_| {
                if rng.range(0, 2) == 0 {
                    Integer::new()
                } else {
                    Integer::from(rng.range(1, 1 << 20))
                }
            })
            .collect();
        f[0] = Integer::from(rng.range(1, 1000));
        // occasionally a coefficient above 2^64
        if rng.range(0, 4) == 0 {
            f[deg] = Integer::from(3).pow(50);
        }
        let expected = naive_power(&f, n);
        assert_eq!(power_coefficients_recurrence(&f, n), expected, "f={f:?} n={n}");
        assert_eq!(power_coefficients_kronecker(&f, n), expected, "f={f:?} n={n}");
    }
    // The recurrence also holds for signed coefficients (exact divisions throughout).
    let f = [
        Integer::from(-3),
        Integer::from(2),
        Integer::from(0),
        Integer::from(-7),
    ];
    assert_eq!(power_coefficients_recurrence(&f, 6), naive_power(&f, 6));
}

#[test]
fn seq2_power_kernels_large_n() {
    // (1 + z)^n: binomial coefficients, and (5 + 3z + 2z^3)^n vs the two kernels.
    let f = [Integer::from(1), Integer::from(1)];
    let c = power_coefficients_recurrence(&f, 300);
    for (j, x) in c.iter().enumerate() {
        assert_eq!(*x, Integer::from(Integer::binomial_u(300, j as u32)));
    }
    let f = [
        Integer::from(5),
        Integer::from(3),
        Integer::new(),
        Integer::from(2),
    ];
    assert_eq!(
        power_coefficients_recurrence(&f, 400),
        power_coefficients_kronecker(&f, 400)
    );
}

// ---------------------------------------------------------------------------------------------
// input validation

#[test]
#[should_panic(expected = "sum to")]
fn seq2_rejects_probabilities_not_summing_to_one() {
    level_law(&[q(1, 2), q(1, 3)], &[q(0, 1), q(1, 1)], 3, Route::Auto);
}

#[test]
#[should_panic(expected = "negative")]
fn seq2_rejects_negative_probability() {
    level_law(&[q(3, 2), q(-1, 2)], &[q(0, 1), q(1, 1)], 3, Route::Auto);
}

#[test]
#[should_panic(expected = "n must be >= 1")]
fn seq2_rejects_n_zero() {
    level_law(&[q(1, 1)], &[q(0, 1)], 0, Route::Auto);
}

#[test]
#[should_panic(expected = "same length")]
fn seq2_rejects_length_mismatch() {
    level_law(&[q(1, 1)], &[q(0, 1), q(1, 1)], 2, Route::Auto);
}
