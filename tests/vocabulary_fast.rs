//! Issue 15: the vocabulary-size paths agree with the full-precision ones.
//!
//! - `tilt`: the fast root (`math::tilt_fast`: an `f64` search, one MPFR pass, a bracket
//!   certified from Taylor remainders) on random models with many distinct rewards (5000 and
//!   10000 tokens) overlaps the full-precision Newton root computed at twice the precision, shows
//!   30 digits, and its output fields (`psi`, `mu`, `sigma2`, `K`, every `phi_a`) overlap the
//!   reference evaluation at the reference root and print the same certified digits. Budgets:
//!   tiny, moderate, beyond `Delta_max / 2` (the deficit equation) and within 1e-6 of
//!   `Delta_max`; models with ties, zero probabilities, several tokens at `r_max`, huge and
//!   negative rewards.
//! - `rate`'s `lambda_x` (the mean-gap equation) on a vocabulary: `mu(lambda_x)` encloses `x`.
//! - `divergence`: the shared-logarithm Shannon quantities overlap the per-token ones and print
//!   the same digits, with exact zeros for `p = q`, infinities off the support, and the
//!   exact-ratio fallback when `p` and `q` nearly agree.

mod common;

use alignexact::exact::dist::{Distribution, Model};
use alignexact::math::divergence as dv;
use alignexact::math::tilt::{eval, lambda_of_x, optimum_eval, optimum_full_precision, Optimum, TiltModel};
use alignexact::math::tilt_fast::FAST_MIN_TOKENS;
use alignexact::real::format::certify_decimal;
use alignexact::real::Enc;
use rug::Rational;

use common::SplitMix64 as Rng;

#[derive(Clone, Copy, Debug)]
enum Kind {
    /// rewards a permutation of i/n
    Distinct,
    /// pairs of tokens share a reward (n/2 levels), every 7th token has p = 0
    TiesAndZeros,
    /// rewards i * 10^6 - 5 10^9 (huge, negative), 5 tokens at r_max
    HugeTopTies,
}

fn model(seed: u64, n: usize, kind: Kind) -> TiltModel {
    let mut rng = Rng(seed);
    let mut perm: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        perm.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut p: Vec<Rational> = (0..n).map(|_| Rational::from(1 + rng.below(1000))).collect();
    let r: Vec<Rational> = perm
        .iter()
        .map(|&i| match kind {
            Kind::Distinct => Rational::from((i as i64, n as i64)),
            Kind::TiesAndZeros => Rational::from(((i / 2) as i64, n as i64)),
            Kind::HugeTopTies => Rational::from(i.min(n - 5) as i64 * 1_000_000 - 5_000_000_000),
        })
        .collect();
    if let Kind::TiesAndZeros = kind {
        for (i, x) in p.iter_mut().enumerate() {
            if i % 7 == 3 {
                *x = Rational::new();
            }
        }
    }
    let d = Distribution::new(p, true, "--p").expect("distribution");
    TiltModel::new(&Model::new(d, r).expect("model"))
}

/// A rational within `rel` (relative) below `Delta_max` (certified below it at 256 bits).
fn below_dmax(m: &TiltModel, frac: f64) -> Rational {
    let dmax = m.delta_max(256);
    let d = Rational::from_f64(dmax.mid().to_f64() * frac).expect("finite");
    assert!(
        Enc::from_rational(&d, 256).cmp_certified(&dmax) == Some(std::cmp::Ordering::Less),
        "budget below Delta_max"
    );
    d
}

fn same_digits(name: &str, fast: &Enc, reference: &Enc) {
    assert!(
        fast.overlaps(reference),
        "{name}: fast {fast:?} and reference {reference:?} are disjoint"
    );
    let (a, b) = (certify_decimal(fast, 30), certify_decimal(reference, 30));
    // where the reference shows 30 digits at its precision, the fast path shows the same ones
    if let Some(b) = b {
        assert!(
            a.is_some(),
            "{name}: the fast enclosure {fast:?} does not show 30 digits"
        );
        assert_eq!(a.unwrap().value, b.value, "{name}: printed digits differ");
    }
}

fn check_tilt(m: &TiltModel, delta: &Rational, label: &str) {
    let (opt, ev) = optimum_eval(m, delta, 132).expect("fast optimum decided");
    let Optimum::Interior(l) = opt else {
        panic!("{label}: interior expected")
    };
    let Some(Optimum::Interior(lr)) = optimum_full_precision(m, delta, 264) else {
        panic!("{label}: reference interior expected")
    };
    same_digits(&format!("{label} lambda"), &l, &lr);
    assert!(
        certify_decimal(&l, 30).is_some(),
        "{label}: lambda shows 30 digits"
    );
    assert!(l.contains_rational(&Rational::from_f64(lr.mid().to_f64()).unwrap()) || l.overlaps(&lr));
    // the per-token fields come from the fast pass only when no tokens were merged
    let distinct = m.by_reward().is_none();
    assert_eq!(ev.is_some(), distinct, "{label}: fast evaluation reused");
    if let Some(ev) = ev {
        let er = eval(m, &lr, 264);
        same_digits(&format!("{label} psi"), &ev.psi, &er.psi);
        same_digits(&format!("{label} mu"), &ev.mu, &er.mu);
        same_digits(&format!("{label} var"), &ev.var, &er.var);
        assert!(
            ev.kl.contains_rational(delta),
            "{label}: K over the root encloses Delta"
        );
        assert_eq!(ev.phi.len(), er.phi.len());
        for (i, (a, b)) in ev.phi.iter().zip(&er.phi).enumerate() {
            same_digits(&format!("{label} phi[{i}]"), a, b);
        }
    }
}

#[test]
fn fast_root_agrees_with_the_full_precision_root_on_distinct_rewards() {
    for (seed, n) in [(1u64, 5000usize), (2, 10000)] {
        let m = model(seed, n, Kind::Distinct);
        assert!(m.p.len() >= FAST_MIN_TOKENS);
        for delta in [Rational::from((1, 10)), Rational::from((1, 1_000_000_000_000i64))] {
            check_tilt(&m, &delta, &format!("distinct seed {seed} n {n} Delta {delta}"));
        }
        // beyond Delta_max / 2 (deficit equation) and within 1e-6 of Delta_max
        for frac in [0.75, 1.0 - 1e-6] {
            let d = below_dmax(&m, frac);
            check_tilt(&m, &d, &format!("distinct seed {seed} n {n} Delta_max x {frac}"));
        }
    }
}

#[test]
fn fast_root_with_ties_zeros_huge_and_negative_rewards() {
    let m = model(3, 10000, Kind::TiesAndZeros);
    check_tilt(&m, &Rational::from((1, 3)), "ties and zeros");
    let m = model(4, 6000, Kind::HugeTopTies);
    check_tilt(&m, &Rational::from((1, 10)), "huge rewards, top ties");
    let d = below_dmax(&m, 1.0 - 1e-6);
    check_tilt(&m, &d, "huge rewards, top ties, near Delta_max");
}

#[test]
fn rate_lambda_x_on_a_vocabulary_solves_the_mean_equation() {
    let m = model(5, 8000, Kind::Distinct);
    for x in [
        Rational::from((7, 10)),
        Rational::from((1, 5)),
        Rational::from((999, 1000)),
    ] {
        let l = lambda_of_x(&m, &x, 132).expect("certified");
        assert!(certify_decimal(&l, 30).is_some(), "lambda_x shows 30 digits");
        let mu = eval(&m, &l, 264).mu;
        assert!(mu.contains_rational(&x), "mu(lambda_x) encloses x = {x}");
    }
}

fn random_dist(rng: &mut Rng, n: usize, zero_every: usize) -> Vec<Rational> {
    let w: Vec<Rational> = (0..n)
        .map(|i| {
            if zero_every > 0 && i % zero_every == 1 {
                Rational::new()
            } else {
                Rational::from(1 + rng.below(50))
            }
        })
        .collect();
    Distribution::new(w, true, "--p")
        .expect("distribution")
        .probs()
        .to_vec()
}

fn check_shannon(p: &[Rational], q: &[Rational], label: &str) {
    let sh = dv::shannon_grouped(p, q, 132);
    let pairs = [
        ("kl", sh.kl.clone(), dv::kl(p, q, 132)),
        ("kl_reverse", sh.kl_reverse.clone(), dv::kl(q, p, 132)),
        ("entropy", sh.entropy.clone(), dv::entropy(p, 132)),
        (
            "cross_entropy",
            sh.cross_entropy.clone(),
            dv::cross_entropy(p, q, 132),
        ),
    ];
    for (name, a, b) in pairs {
        if b.is_pos_infinity() {
            assert!(a.is_pos_infinity(), "{label} {name}: +inf expected");
            continue;
        }
        if b.is_exact_zero() {
            assert!(a.is_exact_zero(), "{label} {name}: exact 0 expected, got {a:?}");
            continue;
        }
        same_digits(&format!("{label} {name}"), &a, &b);
    }
}

#[test]
fn shared_logarithms_agree_with_the_per_token_divergences() {
    let mut rng = Rng(11);
    let p = random_dist(&mut rng, 3000, 0);
    let q = random_dist(&mut rng, 3000, 0);
    check_shannon(&p, &q, "random");
    // zeros in q only where p is 0 too, and some equal tokens
    let pz = random_dist(&mut rng, 2000, 5);
    let mut qz = random_dist(&mut rng, 2000, 5);
    for i in (0..2000).step_by(3) {
        qz[i] = pz[i].clone();
    }
    let s: Rational = qz.iter().sum();
    let qz: Vec<Rational> = qz.iter().map(|x| Rational::from(x / &s)).collect();
    check_shannon(&pz, &qz, "zeros and equal tokens");
    // off the support: +inf
    let mut q_off = q.clone();
    let moved = q_off[0].clone();
    q_off[0] = Rational::new();
    q_off[1] += moved;
    check_shannon(&p, &q_off, "q = 0 < p");
    // p = q: exact zeros
    check_shannon(&p, &p, "p = q");
    // p and q nearly equal (cancellation beyond the f64 estimate: the exact-ratio fallback)
    let eps = Rational::from((1, 1u64 << 60));
    let mut qn = p.clone();
    qn[0] += &eps;
    qn[1] -= &eps;
    check_shannon(&p, &qn, "nearly equal");
}
