//! Issue 15, the integer-lattice chain (`math::tilt_chain`) and the passes a model keeps
//! (`math::tilt_fast::Cache`): on random models of 5000 to 20000 tokens with distinct rewards
//! `k / D` (random steps: 1 to 16 taken as powers of one exponential, larger ones as fresh
//! exponentials) and on models whose rewards have no small common denominator (the general
//! pass), the fast route's enclosures (the optimum's own pass for `phi`, `psi(l0)`, `mu([l])` and
//! the cumulants; a fresh pass on a copy of the model) overlap each other and contain the
//! reference path's (the full per-token evaluation at 264 bits on the reference root).

mod common;

use alignexact::exact::dist::{Distribution, Model};
use alignexact::math::tilt::{
    cumulants, eval, eval_psi_mu, optimum, optimum_eval, optimum_full_precision, Optimum, TiltModel,
};
use alignexact::math::tilt_vocab;
use alignexact::real::Enc;
use rug::{Integer, Rational};

use common::SplitMix64 as Rng;

/// `n` tokens with random weights 1..1000 and distinct rewards in random order: on a lattice
/// `k / D` with random steps (`general`: `k / D + 1 / q_a` with distinct large primes-ish `q_a`,
/// so that no common denominator fits in 62 bits).
fn model(seed: u64, general: bool) -> TiltModel {
    let mut rng = Rng(seed);
    let n = 5000 + rng.below(15001) as usize;
    let d = [1_000_000i64, 7 * n as i64, 999_983][rng.below(3) as usize];
    let mut k = 0i64;
    let mut r: Vec<Rational> = Vec::with_capacity(n);
    for i in 0..n {
        k += if rng.below(4) == 0 {
            17 + rng.below(300) as i64
        } else {
            1 + rng.below(16) as i64
        };
        let mut v = Rational::from((k, d));
        if general {
            // distinct odd denominators near 2^40: their lcm leaves 62 bits at once
            v += Rational::from((1, (1i64 << 40) + 2 * i as i64 + 1));
        }
        r.push(v);
    }
    for i in (1..n).rev() {
        r.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let p: Vec<Rational> = (0..n).map(|_| Rational::from(1 + rng.below(1000))).collect();
    let dist = Distribution::new(p, true, "--p").expect("distribution");
    TiltModel::new(&Model::new(dist, r).expect("model"))
}

fn covers(name: &str, fast: &Enc, reference: &Enc) {
    assert!(
        fast.contains(reference),
        "{name}: fast {fast:?} does not contain the reference {reference:?}"
    );
}

fn check(seed: u64, general: bool) {
    let m = model(seed, general);
    let label = format!("seed {seed} n {} general {general}", m.p.len());
    let delta = Rational::from((1 + seed as i64 % 3, 10));
    // the tilt: root and per-token fields from one pass
    let (opt, ev) = optimum_eval(&m, &delta, 132).expect("decided");
    let Optimum::Interior(l) = opt else {
        panic!("{label}: interior")
    };
    let (kept, lattice) = tilt_vocab::fast_state(&m);
    assert_eq!(kept, 1, "{label}: the optimum's pass is kept");
    assert_eq!(lattice, !general, "{label}: lattice route");
    let Some(Optimum::Interior(lr)) = optimum_full_precision(&m, &delta, 264) else {
        panic!("{label}: reference interior")
    };
    covers(&format!("{label} lambda"), &l, &lr);
    let ev = ev.expect("fields from the fast pass");
    let er = eval(&m, &lr, 264);
    covers(&format!("{label} psi"), &ev.psi, &er.psi);
    covers(&format!("{label} mu"), &ev.mu, &er.mu);
    covers(&format!("{label} var"), &ev.var, &er.var);
    assert!(ev.kl.contains_rational(&delta), "{label}: K encloses Delta");
    assert_eq!(ev.phi.len(), er.phi.len());
    for (i, (a, b)) in ev.phi.iter().zip(&er.phi).enumerate() {
        covers(&format!("{label} phi[{i}]"), a, b);
        assert!(a.width() <= b.mid() >> 100u32, "{label} phi[{i}] narrow: {a:?}");
    }
    // psi(l0), mu([l]) from the kept pass (no new pass), and from a fresh pass on a copy
    let l0 = Enc::point(&l.mid());
    let (psi0, mu) = tilt_vocab::psi_mid_mu(&m, &l, 132).expect("fast path");
    assert_eq!(
        tilt_vocab::fast_state(&m).0,
        1,
        "{label}: psi_mid_mu reads the kept pass"
    );
    let copy = m.clone();
    assert_eq!(tilt_vocab::fast_state(&copy).0, 0, "{label}: a copy starts empty");
    let (psi0c, muc) = tilt_vocab::psi_mid_mu(&copy, &l, 132).expect("fast path");
    assert_eq!(
        tilt_vocab::fast_state(&copy).0,
        1,
        "{label}: a fresh pass on the copy"
    );
    assert!(
        psi0.overlaps(&psi0c) && mu.overlaps(&muc),
        "{label}: kept and fresh passes agree"
    );
    covers(&format!("{label} psi(l0)"), &psi0, &eval_psi_mu(&m, &l0, 264).psi);
    covers(
        &format!("{label} psi(l0) fresh"),
        &psi0c,
        &eval_psi_mu(&m, &l0, 264).psi,
    );
    let mur = eval_psi_mu(&m, &lr, 264).mu;
    covers(&format!("{label} mu([l])"), &mu, &mur);
    covers(&format!("{label} mu([l]) fresh"), &muc, &mur);
    // cumulants up to order 8 from the optimum's own pass when asked for before the solve
    let mc = m.clone();
    tilt_vocab::want_order(&mc, 8);
    let Some(Optimum::Interior(lc)) = optimum(&mc, &delta, 132) else {
        panic!("{label}: interior")
    };
    assert_eq!(lc, l, "{label}: the same root");
    let kc = tilt_vocab::cumulants_fast(&mc, &lc, 8, 132).expect("fast path");
    assert_eq!(
        tilt_vocab::fast_state(&mc).0,
        1,
        "{label}: cumulants read the optimum's pass"
    );
    let kf = tilt_vocab::cumulants_fast(&copy, &l, 8, 132).expect("fast path");
    let kr = cumulants(&m, &lr, 8, 264);
    for (j, ((a, b), c)) in kc.iter().zip(&kf).zip(&kr).enumerate() {
        assert!(a.overlaps(b), "{label}: kappa_{} kept and fresh agree", j + 1);
        covers(&format!("{label} kappa_{}", j + 1), a, c);
        covers(&format!("{label} kappa_{} fresh", j + 1), b, c);
    }
    // l(x) above and below the mean: the bracket certified independently at 264 bits
    // (mu(a) < x < mu(b) by the full per-token evaluation at the ends)
    let span = Rational::from(&m.r_max - &m.r_min);
    for frac in [Rational::from((3, 4)), Rational::from((1, 10))] {
        let x = Rational::from(&span * &frac) + &m.r_min;
        let (lx, _) = tilt_vocab::rate_inside(&m, &x, 132).expect("fast path");
        let xe = Enc::from_rational(&x, 264);
        let mu_a = eval_psi_mu(&m, &Enc::point(lx.lo()), 264).mu;
        let mu_b = eval_psi_mu(&m, &Enc::point(lx.hi()), 264).mu;
        assert_eq!(
            mu_a.cmp_certified(&xe),
            Some(std::cmp::Ordering::Less),
            "{label} x {x}: mu(a) < x"
        );
        assert_eq!(
            mu_b.cmp_certified(&xe),
            Some(std::cmp::Ordering::Greater),
            "{label} x {x}: mu(b) > x"
        );
    }
}

#[test]
fn lattice_chain_and_kept_passes_contain_the_reference() {
    for seed in [1u64, 2, 3] {
        check(seed, false);
    }
}

#[test]
fn general_pass_and_kept_passes_contain_the_reference() {
    check(4, true);
}

#[test]
fn integer_weights_on_a_wide_lattice() {
    // a common denominator near the 62-bit bound still takes the lattice
    let n = 6000usize;
    let d = Integer::from(1u64 << 61);
    let r: Vec<Rational> = (0..n)
        .map(|i| Rational::from((Integer::from(i * 3 + 1), d.clone())))
        .collect();
    let p: Vec<Rational> = (0..n).map(|i| Rational::from(1 + (i % 7) as u64)).collect();
    let dist = Distribution::new(p, true, "--p").expect("distribution");
    let m = TiltModel::new(&Model::new(dist, r).expect("model"));
    let delta = Rational::from((1, 10));
    let (Optimum::Interior(l), Some(ev)) = optimum_eval(&m, &delta, 132).expect("decided") else {
        panic!("interior with fields")
    };
    assert!(tilt_vocab::fast_state(&m).1, "on the lattice");
    let Some(Optimum::Interior(lr)) = optimum_full_precision(&m, &delta, 264) else {
        panic!()
    };
    covers("wide lambda", &l, &lr);
    let er = eval(&m, &lr, 264);
    for (i, (a, b)) in ev.phi.iter().zip(&er.phi).enumerate() {
        covers(&format!("wide phi[{i}]"), a, b);
    }
}
