//! Issue 10: the per-level working precision of the window route (math/level_precision.rs) and
//! the second window's reverse-KL sum without per-level transcendental calls
//! (`WindowLaw::reverse_kl_direct`). Both change only widths, never the truth: the enclosures
//! must overlap those of the uniform-precision route, and stay tight.

use alignexact::math::best_of_n as bon;
use alignexact::math::level_precision::{graded, graded_precs, ScoutCtx, MIN_LEVEL_BITS};
use alignexact::math::level_source::LevelSource;
use alignexact::math::window::{WinLattice, WindowKnob, WindowLaw};
use alignexact::real::Enc;
use rug::{Float, Rational};

fn q(s: &str) -> Rational {
    s.parse().unwrap()
}

/// Example A's lattice, a tilt near `l_Delta` for `Delta = 3/10` and `n`.
fn example_a() -> (WinLattice, Float) {
    let p: Vec<Rational> = ["1/2", "3/10", "1/5"].iter().map(|s| q(s)).collect();
    let r: Vec<Rational> = ["0", "1", "3"].iter().map(|s| q(s)).collect();
    let lat = WinLattice::new(&p, &r).expect("lattice");
    // l_Delta of Example A at Delta = 3/10 is 0.6034135023...; any tilt is rigorous (WIN-1)
    (lat, Float::with_val(64, 0.603_413_502_336_146_4_f64))
}

/// `(N, l, n psi(l))` for `N = e^{n Delta}` (real `N`) and the tilt `l` itself.
fn ctx_values(lat: &WinLattice, lambda: &Float, n: u64, prec: u32) -> (Enc, Enc, Enc) {
    let nd = Rational::from(n) * q("3/10");
    let ne = Enc::from_rational(&nd, prec).exp(prec);
    let l = Enc::point(lambda);
    let n_psi = lat
        .psi(&l, prec + 16)
        .mul(&Enc::from_integer(&rug::Integer::from(n), prec + 16), prec);
    (ne, l, n_psi)
}

/// `width / |mid|` (in MPFR: the sums exceed the f64 range), as an f64.
fn rel_width(e: &Enc) -> f64 {
    let w = e.width();
    let m = Float::with_val(64, e.mid().abs_ref());
    if m == 0 {
        w.to_f64()
    } else {
        Float::with_val(64, &w / &m).to_f64()
    }
}

#[test]
fn reverse_kl_direct_overlaps_the_streamed_sum() {
    for &(n, prec) in &[(3000u64, 140u32), (20000, 140), (3000, 360)] {
        let (lat, lambda) = example_a();
        let half = WindowLaw::half_lambda(&lambda);
        let w2 = WindowLaw::new(&lat, n, &half, prec, WindowKnob::default());
        let (ne, l, n_psi) = ctx_values(&lat, &lambda, n, prec);
        let streamed = bon::reverse_kl_streamed(&w2, &ne, &l, &n_psi, prec, None);
        let direct = w2.reverse_kl_direct(&ne, &l, &n_psi, prec, None);
        let sctx = ScoutCtx {
            ln_n: Rational::from(n).to_f64() * 0.3,
            tilt: Some((lambda.to_f64(), n_psi.mid().to_f64())),
            reverse_only: true,
            reverse_top: f64::NEG_INFINITY,
        };
        let precs = graded_precs(&w2.scout_levels(), prec, &sctx).expect("graded");
        assert!(
            precs.iter().any(|&p| p < prec),
            "n = {n}: no level below {prec} bits"
        );
        let graded_sum = w2.reverse_kl_direct(&ne, &l, &n_psi, prec, Some(&precs));
        for (what, e) in [("direct", &direct), ("graded", &graded_sum)] {
            assert!(
                e.overlaps(&streamed),
                "n = {n}, {prec} bits: {what} {e:?} misses the streamed sum {streamed:?}"
            );
            // the width stays far below the working precision's budget
            let budget = 2f64.powi(-(prec as i32) + 24);
            assert!(
                rel_width(e) < budget,
                "n = {n}, {prec} bits: {what} relative width {:e} (streamed {:e})",
                rel_width(e),
                rel_width(&streamed)
            );
        }
    }
}

#[test]
fn graded_precisions_are_bounded_and_keep_the_heavy_levels() {
    let n = 20000u64;
    let prec = 140u32;
    let (lat, lambda) = example_a();
    let w1 = WindowLaw::new(&lat, n, &lambda, prec, WindowKnob::default());
    let (_, _, n_psi) = ctx_values(&lat, &lambda, n, prec);
    let scout = w1.scout().expect("the window has a scout");
    assert_eq!(scout.len(), w1.len());
    let ctx = ScoutCtx {
        ln_n: n as f64 * 0.3,
        tilt: Some((lambda.to_f64(), n_psi.mid().to_f64())),
        reverse_only: false,
        reverse_top: f64::NEG_INFINITY,
    };
    let g = graded(&scout, prec, &ctx).expect("graded");
    assert_eq!(g.precs.len(), scout.len());
    assert!(g.precs.iter().all(|&p| (MIN_LEVEL_BITS..=prec).contains(&p)));
    assert!(g.keep.0 <= g.keep.1 && g.keep.1 < scout.len());
    // best-of-N's mass: some levels at the full precision, all of them kept
    assert!(g.precs.contains(&prec));
    let full: Vec<usize> = (0..scout.len()).filter(|&j| g.precs[j] == prec).collect();
    assert!(g.keep.0 <= full[0] && *full.last().unwrap() <= g.keep.1);
    // too few levels: the uniform precision
    assert!(graded(&scout[..100], prec, &ctx).is_none());
}

#[test]
fn compare_window_route_matches_uniform_precision_sums() {
    // the first window's best-of-N sums at graded precision overlap those at the uniform one
    let n = 20000u64;
    let prec = 140u32;
    let (lat, lambda) = example_a();
    let w1 = WindowLaw::new(&lat, n, &lambda, prec, WindowKnob::default());
    let (ne, _, n_psi) = ctx_values(&lat, &lambda, n, prec);
    let ctx = ScoutCtx {
        ln_n: n as f64 * 0.3,
        tilt: Some((lambda.to_f64(), n_psi.mid().to_f64())),
        reverse_only: false,
        reverse_top: f64::NEG_INFINITY,
    };
    let precs = graded_precs(&w1.scout().unwrap(), prec, &ctx);
    let uni = bon::eval(&w1, &ne, prec);
    let gr = bon::eval_graded(&w1, &ne, prec, precs);
    let pairs = [
        (
            "E",
            bon::expected_reward(&w1, &uni, prec),
            bon::expected_reward(&w1, &gr, prec),
        ),
        (
            "KL",
            bon::kl_to_reference(&uni, prec),
            bon::kl_to_reference(&gr, prec),
        ),
        ("W", bon::win_rate(&uni, prec), bon::win_rate(&gr, prec)),
    ];
    for (what, a, b) in pairs {
        assert!(a.overlaps(&b), "{what}: {a:?} vs {b:?}");
        assert!(
            rel_width(&b) < 2f64.powi(-(prec as i32) + 24),
            "{what}: graded width {:e}, uniform {:e}",
            rel_width(&b),
            rel_width(&a)
        );
    }
}
