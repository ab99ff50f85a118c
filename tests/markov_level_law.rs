//! MKV-1 (the exact level law of a Markov reference model): binary powering against the forward
//! recursion over (state, level), brute force over all sequences, the memoryless law (`==`), and
//! a closed form for two-state chains; chain validation and structure.

use alignexact::exact::level_law::{level_law, Route};
use alignexact::exact::markov::{
    level_law_markov, level_law_markov_brute, level_law_markov_forward, Chain, MarkovModel,
};
use rug::{Integer, Rational};

fn q(a: i64, b: i64) -> Rational {
    Rational::from((a, b))
}

struct SplitMix64(u64);
impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random row with some zeros (never all zero), exact, summing to 1.
fn random_row(rng: &mut SplitMix64, k: usize, zeros: bool) -> Vec<Rational> {
    loop {
        let w: Vec<u64> = (0..k)
            .map(|_| {
                if zeros && rng.below(4) == 0 {
                    0
                } else {
                    1 + rng.below(9)
                }
            })
            .collect();
        let t: u64 = w.iter().sum();
        if t > 0 {
            return w.iter().map(|&x| Rational::from((x, t))).collect();
        }
    }
}

fn random_rewards(rng: &mut SplitMix64, k: usize) -> Vec<Rational> {
    let pool = [q(-1, 1), q(0, 1), q(1, 2), q(1, 1), q(3, 1), q(-3, 2)];
    (0..k)
        .map(|_| pool[rng.below(pool.len() as u64) as usize].clone())
        .collect()
}

fn random_chain(rng: &mut SplitMix64, k: usize) -> MarkovModel {
    let rows: Vec<Vec<Rational>> = (0..k).map(|_| random_row(rng, k, true)).collect();
    let init = random_row(rng, k, true);
    let chain = Chain::new(rows, Some(init), false).expect("valid chain");
    MarkovModel::new(chain, random_rewards(rng, k)).expect("lengths")
}

#[test]
fn mkv1_powering_forward_and_brute_force_agree_n_up_to_6_two_and_three_states() {
    let mut rng = SplitMix64(11);
    for trial in 0..40 {
        let k = 2 + trial % 2;
        let m = random_chain(&mut rng, k);
        for n in 1..=6u64 {
            let a = level_law_markov(&m, n).unwrap();
            let b = level_law_markov_forward(&m, n).unwrap();
            assert_eq!(a, b, "powering vs forward, trial {trial}, n {n}");
            let brute = level_law_markov_brute(&m, n as u32);
            let got: Vec<(Rational, Rational)> = (0..a.len()).map(|j| (a.reward(j), a.prob(j))).collect();
            let want: Vec<(Rational, Rational)> = brute.into_iter().collect();
            assert_eq!(got, want, "powering vs brute force, trial {trial}, n {n}");
        }
    }
}

#[test]
fn mkv1_powering_equals_forward_at_moderate_n() {
    let mut rng = SplitMix64(5);
    for trial in 0..6 {
        let m = random_chain(&mut rng, 2 + trial % 3);
        for n in [7u64, 8, 15, 16, 33, 64] {
            assert_eq!(
                level_law_markov(&m, n).unwrap(),
                level_law_markov_forward(&m, n).unwrap(),
                "trial {trial}, n {n}"
            );
        }
    }
}

#[test]
fn mkv1_memoryless_chain_reproduces_seq2_exactly() {
    let mut rng = SplitMix64(3);
    for trial in 0..30 {
        let k = 2 + trial % 4;
        let p = random_row(&mut rng, k, true);
        let r = random_rewards(&mut rng, k);
        let m = MarkovModel::new(Chain::memoryless(&p), r.clone()).unwrap();
        for n in [1u64, 2, 3, 5, 8, 13, 40] {
            let want = level_law(&p, &r, n, Route::Auto);
            assert_eq!(level_law_markov(&m, n).unwrap(), want, "trial {trial}, n {n}");
        }
    }
}

fn binom(n: i64, k: i64) -> Rational {
    if k < 0 || n < 0 || k > n {
        return Rational::new();
    }
    Rational::from(Integer::from(Integer::binomial_u(n as u32, k as u32)))
}

fn pw(x: &Rational, e: i64) -> Rational {
    Rational::from(rug::ops::Pow::pow(x, e as i32))
}

/// Closed form of P(S_n = j) for a two-state chain with rewards (0, 1), switch probabilities
/// a = P_01, b = P_10, initial law (q0, q1): sum over the start state and the numbers u, v of
/// runs of ones and zeros (|u - v| <= 1) of q_s C(j-1, u-1) C(n-j-1, v-1)
/// a^{n01} b^{n10} (1-a)^{n-j-v} (1-b)^{j-u}, with n01, n10 fixed by the start and end states.
fn two_state_closed_form(
    a: &Rational,
    b: &Rational,
    q0: &Rational,
    q1: &Rational,
    n: i64,
    j: i64,
) -> Rational {
    let one = Rational::from(1);
    let (sa, sb) = (Rational::from(&one - a), Rational::from(&one - b));
    if j == 0 {
        return q0.clone() * pw(&sa, n - 1);
    }
    if j == n {
        return q1.clone() * pw(&sb, n - 1);
    }
    let mut total = Rational::new();
    for u in 1..=j {
        for v in 1..=(n - j) {
            if (u - v).abs() > 1 {
                continue;
            }
            let ways = binom(j - 1, u - 1) * binom(n - j - 1, v - 1);
            let t = |n01: i64, n10: i64| pw(a, n01) * pw(b, n10) * pw(&sa, n - j - v) * pw(&sb, j - u);
            // start with 0: u = v (ends with 1) or v = u + 1 (ends with 0); n01 = u, n10 = v - 1
            if v == u || v == u + 1 {
                total += q0.clone() * &ways * t(u, v - 1);
            }
            // start with 1: u = v (ends with 0) or u = v + 1 (ends with 1); n10 = v, n01 = u - 1
            if u == v || u == v + 1 {
                total += q1.clone() * &ways * t(u - 1, v);
            }
        }
    }
    total
}

#[test]
fn mkv1_reversible_two_state_chain_matches_closed_form() {
    for (a, b) in [(q(1, 10), q(1, 5)), (q(1, 2), q(1, 3)), (q(7, 9), q(2, 11))] {
        let rows = vec![vec![1 - a.clone(), a.clone()], vec![b.clone(), 1 - b.clone()]];
        // stationary init (reversible) and a non-stationary one
        for init in [None, Some(vec![q(1, 4), q(3, 4)])] {
            let ch = Chain::new(rows.clone(), init, false).unwrap();
            let (q0, q1) = (ch.init()[0].clone(), ch.init()[1].clone());
            let m = MarkovModel::new(ch, vec![q(0, 1), q(1, 1)]).unwrap();
            for n in [1i64, 2, 3, 7, 12, 25] {
                let law = level_law_markov(&m, n as u64).unwrap();
                let mut seen = 0;
                for j in 0..=n {
                    let want = two_state_closed_form(&a, &b, &q0, &q1, n, j);
                    let got = (0..law.len())
                        .find(|&i| law.reward(i) == j)
                        .map(|i| law.prob(i))
                        .unwrap_or_default();
                    assert_eq!(got, want, "a {a} b {b} n {n} j {j}");
                    seen += 1;
                }
                assert_eq!(seen as usize, law.len());
            }
        }
    }
}

#[test]
fn stationary_law_is_exact_and_invariant() {
    let ch = Chain::parse("9/10,1/10;1/5,4/5", None, false).unwrap();
    assert_eq!(ch.init(), &[q(2, 3), q(1, 3)]);
    let mut rng = SplitMix64(9);
    for k in 2..6 {
        let rows: Vec<Vec<Rational>> = (0..k).map(|_| random_row(&mut rng, k, false)).collect();
        let ch = Chain::new(rows.clone(), None, false).unwrap();
        let pi = ch.init();
        assert_eq!(pi.iter().sum::<Rational>(), 1);
        for b in 0..k {
            let s: Rational = (0..k).map(|a| Rational::from(&pi[a] * &rows[a][b])).sum();
            assert_eq!(s, pi[b], "pi P = pi at state {b}");
        }
    }
}

#[test]
fn structure_detects_reducible_and_periodic_chains() {
    let ergodic = Chain::parse("9/10,1/10;1/5,4/5", None, false)
        .unwrap()
        .structure();
    assert!(ergodic.ergodic());
    let periodic = Chain::parse("0,1;1,0", None, false).unwrap().structure();
    assert!(periodic.irreducible && periodic.period == Some(2) && !periodic.ergodic());
    let period3 = Chain::parse("0,1,0;0,0,1;1,0,0", None, false)
        .unwrap()
        .structure();
    assert_eq!(period3.period, Some(3));
    // absorbing state 2 reached from 1: one closed class (stationary unique) but reducible
    let absorbing = Chain::parse("1/2,1/2;0,1", Some("1,0"), false)
        .unwrap()
        .structure();
    assert!(!absorbing.irreducible && absorbing.closed_classes == 1);
    // started in the absorbing state only: the reachable part is one aperiodic state
    let absorbed = Chain::parse("1/2,1/2;0,1", Some("0,1"), false)
        .unwrap()
        .structure();
    assert!(absorbed.ergodic() && absorbed.reachable == vec![1]);
    // two closed classes: --init required
    let e = Chain::parse("1,0;0,1", None, false).unwrap_err().to_string();
    assert!(
        e.contains("--init is required") && e.contains("2 closed classes"),
        "{e}"
    );
    assert!(Chain::parse("1,0;0,1", Some("1/2,1/2"), false).is_ok());
}

#[test]
fn validation_errors_name_row_and_entry() {
    let e = |t: &str| Chain::parse(t, None, false).unwrap_err().to_string();
    let s = e("1/2,1/3;1/3,2/3");
    assert!(
        s.contains("row 1 sums to 5/6") && s.contains("--normalize"),
        "{s}"
    );
    let s = e("3/2,-1/2;1/3,2/3");
    assert!(s.contains("row 1, entry 2 is negative"), "{s}");
    let s = e("1/2,1/2;1/3,2/3,0");
    assert!(s.contains("row 2 has 3 entries") && s.contains("square"), "{s}");
    let s = e("1/2,x;1/3,2/3");
    assert!(s.contains("row 1") && s.contains("'x'"), "{s}");
    let n = Chain::parse("1,2;3,1", None, true).unwrap();
    assert_eq!(n.rows()[0], vec![q(1, 3), q(2, 3)]);
    let s = Chain::parse("1/2,1/2;1/3,2/3", Some("1,0,0"), false)
        .unwrap_err()
        .to_string();
    assert!(s.contains("--init has 3 entries"), "{s}");
    let ch = Chain::parse("1/2,1/2;1/3,2/3", None, false).unwrap();
    let s = MarkovModel::new(ch, vec![q(0, 1)]).unwrap_err().to_string();
    assert!(s.contains("--r has 1 entries") && s.contains("2 states"), "{s}");
}

/// MKV-2's level model: `lowest_terms` gives exactly (`==`) the canonical rationals
/// `w_j / d` of a Markov level law (d = dq dP^{n-1} over small primes), of arbitrary weights
/// against a denominator with large powers of small primes, and (fallback) against one with a
/// large prime factor.
#[test]
fn mkv2_level_probabilities_in_lowest_terms_equal_the_canonical_rationals() {
    use alignexact::math::markov::lowest_terms;
    use rug::Integer;
    let m = MarkovModel::new(
        Chain::parse("9/10,1/10;1/5,4/5", None, false).unwrap(),
        vec![Rational::new(), Rational::from(1)],
    )
    .unwrap();
    let law = level_law_markov(&m, 200).unwrap();
    let fast = lowest_terms(&law.weights, &law.denom);
    for (j, q) in fast.iter().enumerate() {
        assert_eq!(*q, law.prob(j), "level {j}");
    }
    let d = Integer::from(12) * Integer::from(Integer::u_pow_u(10, 300));
    let big_prime = Integer::from(Integer::u_pow_u(2, 127)) - 1u32;
    for den in [d.clone(), Integer::from(&d * &big_prime)] {
        let w: Vec<Integer> = (0..200u32)
            .map(|i| {
                Integer::from(Integer::u_pow_u(2, i))
                    * Integer::from(Integer::u_pow_u(5, i % 37))
                    * (3 * i + 1)
                    + if i % 3 == 0 { 0 } else { 1 }
            })
            .chain([Integer::new(), den.clone()])
            .collect();
        for (x, q) in w.iter().zip(lowest_terms(&w, &den)) {
            assert_eq!(q, Rational::from((x, &den)));
        }
    }
}
