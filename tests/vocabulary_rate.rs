//! Issue 15: `rate` and `cumulants` on vocabularies with many distinct rewards
//! (`math::tilt_vocab`: `l(x)`, `I_0(x)`, `psi(l0)`, `mu([l])` and the cumulants from one
//! `tilt_fast` pass each) agree with the reference evaluations (`math::tilt::legendre`,
//! `eval_psi_mu`, `cumulants`, at twice the precision): the enclosures overlap and print the
//! same 30 certified digits. Above and below the mean (the mirrored model), cumulant orders 1
//! to 8, and a model with huge negative rewards and several tokens at `r_max`.

mod common;

use alignexact::exact::dist::{Distribution, Model};
use alignexact::math::large_deviations::{psi_minus_lx, rate_aligned, rate_reference};
use alignexact::math::tilt::{cumulants, eval_psi_mu, lambda_of_x, legendre, optimum, Optimum, TiltModel};
use alignexact::math::tilt_fast::FAST_MIN_TOKENS;
use alignexact::math::tilt_vocab;
use alignexact::real::format::certify_decimal;
use alignexact::real::Enc;
use rug::Rational;

use common::SplitMix64 as Rng;

/// `n` tokens, random weights 1..1000; rewards a permutation of `i/n` (`huge`: `i 10^6 - 5 10^9`
/// with the 5 largest tied at `r_max`).
fn model(seed: u64, n: usize, huge: bool) -> TiltModel {
    let mut rng = Rng(seed);
    let mut perm: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        perm.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let p: Vec<Rational> = (0..n).map(|_| Rational::from(1 + rng.below(1000))).collect();
    let r: Vec<Rational> = perm
        .iter()
        .map(|&i| {
            if huge {
                Rational::from(i.min(n - 5) as i64 * 1_000_000 - 5_000_000_000)
            } else {
                Rational::from((i as i64, n as i64))
            }
        })
        .collect();
    let d = Distribution::new(p, true, "--p").expect("distribution");
    TiltModel::new(&Model::new(d, r).expect("model"))
}

fn same_digits(name: &str, fast: &Enc, reference: &Enc) {
    assert!(
        fast.overlaps(reference),
        "{name}: fast {fast:?} and reference {reference:?} are disjoint"
    );
    let b = certify_decimal(reference, 30).expect("the reference shows 30 digits");
    let a = certify_decimal(fast, 30);
    assert!(
        a.is_some(),
        "{name}: the fast enclosure {fast:?} does not show 30 digits"
    );
    assert_eq!(a.unwrap().value, b.value, "{name}: printed digits differ");
}

fn check_rate(m: &TiltModel, x: &Rational, label: &str) {
    let (l, i0) = tilt_vocab::rate_inside(m, x, 132).expect("fast path taken");
    let lr = lambda_of_x(m, x, 264).expect("reference root");
    same_digits(&format!("{label} lambda_x"), &l, &lr);
    same_digits(&format!("{label} I_0"), &i0, &legendre(m, x, &lr, 264));
    // and rate_reference takes it
    let (l2, i2) = rate_reference(m, x, 132).expect("decided");
    assert_eq!(
        l2.expect("inside").mid(),
        l.mid(),
        "{label}: rate_reference uses the fast path"
    );
    assert_eq!(i2.mid(), i0.clamp_nonneg(132).mid());
}

#[test]
fn fast_rate_agrees_with_the_reference_path() {
    let m = model(11, 6000, false);
    assert!(m.p.len() >= FAST_MIN_TOKENS);
    for x in [
        Rational::from((3, 4)),
        Rational::from((1, 5)),
        Rational::from((999, 1000)),
        Rational::from((1, 1000)),
    ] {
        check_rate(&m, &x, &format!("x {x}"));
    }
    let mh = model(12, 5000, true);
    let mean = mh.mean.clone();
    for x in [
        Rational::from(&mean + 1_000_000_000),
        Rational::from(&mean - 1_000_000_000),
    ] {
        check_rate(&mh, &x, &format!("huge x {x}"));
    }
}

#[test]
fn fast_aligned_rate_agrees_with_the_reference_path() {
    let m = model(13, 7000, false);
    let Some(Optimum::Interior(l)) = optimum(&m, &Rational::from((1, 10)), 132) else {
        panic!("interior optimum")
    };
    for x in [Rational::from((4, 5)), Rational::from((1, 3))] {
        let (psi0, mu) = tilt_vocab::psi_mid_mu(&m, &l, 132).expect("fast path taken");
        let l0 = Enc::point(&l.mid());
        same_digits("psi(l0)", &psi0, &eval_psi_mu(&m, &l0, 264).psi);
        same_digits("mu([l])", &mu, &eval_psi_mu(&m, &l, 264).mu);
        // the mean-value form from the fast pass against the reference evaluations
        let h = psi_minus_lx(&m, &l, &x, 132);
        let h0 = eval_psi_mu(&m, &l0, 264).psi.sub(&l0.mul_rational(&x, 264), 264);
        let slope = eval_psi_mu(&m, &l, 264).mu.sub(&Enc::from_rational(&x, 264), 264);
        let hr = h0.add(&slope.mul(&l.sub(&l0, 264), 264), 264);
        same_digits("psi - l x", &h, &hr);
        let ia = rate_aligned(&m, &x, &l, 132).expect("decided");
        assert!(ia.overlaps(&hr.add(&legendre(&m, &x, &lambda_of_x(&m, &x, 264).unwrap(), 264), 264)));
    }
}

#[test]
fn fast_cumulants_agree_with_the_reference_path() {
    let m = model(14, 6000, false);
    let mh = model(15, 5000, true);
    for (mm, delta, name) in [
        (&m, Rational::from((1, 10)), "distinct"),
        (&m, Rational::from(2), "distinct, large budget"),
        (&mh, Rational::from((1, 10)), "huge"),
    ] {
        let Some(Optimum::Interior(l)) = optimum(mm, &delta, 132) else {
            panic!("interior optimum")
        };
        for order in [1usize, 2, 4, 5, 8] {
            let fast = tilt_vocab::cumulants_fast(mm, &l, order, 132).expect("fast path taken");
            let reference = cumulants(mm, &l, order, 264);
            assert_eq!(fast.len(), order);
            for (j, (a, b)) in fast.iter().zip(&reference).enumerate() {
                same_digits(&format!("{name} order {order} kappa_{}", j + 1), a, b);
            }
        }
    }
    // outside the fast path: l <= 0, orders above FAST_MAX_ORDER, small models
    let neg = Enc::from_rational(&Rational::from(-1), 132);
    assert!(tilt_vocab::cumulants_fast(&m, &neg, 4, 132).is_none());
    let one = Enc::from_rational(&Rational::from(1), 132);
    assert!(tilt_vocab::cumulants_fast(&m, &one, tilt_vocab::FAST_MAX_ORDER + 1, 132).is_none());
    let small = model(16, 100, false);
    assert!(tilt_vocab::cumulants_fast(&small, &one, 4, 132).is_none());
    assert!(tilt_vocab::rate_inside(&small, &Rational::from((3, 4)), 132).is_none());
}
