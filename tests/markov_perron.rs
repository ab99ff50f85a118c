//! MKV-2/3/4: the certified Perron root and its derivatives, l_Delta, the Doob transform, the
//! finite-n Chernoff bound and the finite-n optimum l_n, checked against closed forms (2x2
//! quadratic root, the memoryless tilt), independent high-precision eigenvalues, exact tails and
//! convexity.

use alignexact::exact::dist::{Distribution, Model};
use alignexact::exact::markov::{level_law_markov, Chain, MarkovModel};
use alignexact::math::markov::{
    chernoff_ln_bound, collatz_wielandt, doob, l_delta, lambda_of_x, level_tilt_model, perron_eval, rho_2x2,
    rho_power_iteration, shifted_matrix, ChainTilt,
};
use alignexact::math::tilt::{self, optimum, Optimum, TiltModel};
use alignexact::real::Enc;
use rug::{Float, Rational};

fn q(a: i64, b: i64) -> Rational {
    Rational::from((a, b))
}

fn sticky() -> MarkovModel {
    MarkovModel::new(
        Chain::parse("9/10,1/10;1/5,4/5", None, false).unwrap(),
        vec![q(0, 1), q(1, 1)],
    )
    .unwrap()
}

fn three_state() -> MarkovModel {
    MarkovModel::new(
        Chain::parse("1/2,1/3,1/6;1/4,1/4,1/2;3/5,0,2/5", None, false).unwrap(),
        vec![q(0, 1), q(1, 1), q(3, 1)],
    )
    .unwrap()
}

fn example_a_chain() -> (MarkovModel, TiltModel) {
    let p = vec![q(1, 2), q(3, 10), q(1, 5)];
    let r = vec![q(0, 1), q(1, 1), q(3, 1)];
    let m = Model::new(Distribution::new(p.clone(), false, "--p").unwrap(), r.clone()).unwrap();
    (
        MarkovModel::new(Chain::memoryless(&p), r).unwrap(),
        TiltModel::new(&m),
    )
}

fn abs_hi(e: &Enc) -> f64 {
    e.lo().to_f64().abs().max(e.hi().to_f64().abs())
}

#[test]
fn mkv3_memoryless_chain_reproduces_psi_and_cumulants() {
    let (m, tm) = example_a_chain();
    let ct = ChainTilt::new(&m);
    let prec = 200;
    for l in [q(-3, 2), q(-1, 10), q(0, 1), q(3, 5), q(4, 1)] {
        let le = Enc::from_rational(&l, prec);
        let e = perron_eval(&ct, &le, 6, prec).expect("certified");
        assert!(e.psi.overlaps(&tilt::psi(&tm, &le, prec)), "psi at {l}");
        let ks = tilt::cumulants(&tm, &le, 6, prec);
        for (j, (a, b)) in e.derivs.iter().zip(&ks).enumerate() {
            assert!(a.overlaps(b), "psi^({}) at {l}: {a:?} vs {b:?}", j + 1);
            assert!(
                a.width() < Float::with_val(prec, 1e-40),
                "width of psi^({})",
                j + 1
            );
        }
    }
    // l_Delta of the chain is l_Delta of the memoryless model (MATH.md §8, Example A)
    let ld = l_delta(&ct, &q(3, 10), prec).unwrap().expect("certified");
    let Some(Optimum::Interior(want)) = optimum(&tm, &q(3, 10), prec) else {
        panic!("interior")
    };
    assert!(ld.overlaps(&want));
    // MATH.md §8: l_Delta = 0.603413502336146375060402509455 (30 digits)
    let v = alignexact::exact::parse::parse_rational("0.603413502336146375060402509455").unwrap();
    let d = ld.sub(&Enc::from_rational(&v, prec), prec);
    assert!(abs_hi(&d) < 1e-29, "l_Delta of Example A to 30 digits");
}

#[test]
fn mkv3_two_state_perron_root_is_the_quadratic_root() {
    let ct = ChainTilt::new(&sticky());
    for prec in [128u32, 1000] {
        for l in [q(-2, 1), q(1, 3), q(5, 2), q(40, 1)] {
            let le = Enc::from_rational(&l, prec);
            let e = perron_eval(&ct, &le, 2, prec).expect("certified");
            let (m, _) = shifted_matrix(&ct, &le, prec);
            let closed = rho_2x2(&m, prec);
            assert!(e.rho_shifted.overlaps(&closed), "l = {l}");
            let tight = Float::with_val(prec, 1) >> (prec as i32 - 40);
            assert!(e.rho_shifted.width() < tight, "rho width at {prec} bits");
        }
    }
}

#[test]
fn mkv3_perron_root_contains_independent_eigenvalue_and_cw_bounds() {
    let ct = ChainTilt::new(&three_state());
    let prec = 300;
    for l in [q(-1, 1), q(1, 2), q(2, 1)] {
        let le = Enc::from_rational(&l, prec);
        let e = perron_eval(&ct, &le, 1, prec).expect("certified");
        let (m, _) = shifted_matrix(&ct, &le, prec);
        // an independent, uncertified power iteration at twice the precision
        let pi = rho_power_iteration(&m, 3000, 2 * prec);
        let pe = Enc::point(&Float::with_val(prec, &pi));
        let slack = Float::with_val(prec, 1) >> (prec as i32 - 8);
        let widened = Enc::new(
            Float::with_val(prec, e.rho_shifted.lo() - &slack),
            Float::with_val(prec, e.rho_shifted.hi() + &slack),
        );
        assert!(
            widened.contains(&pe),
            "power iteration inside the enclosure at l = {l}"
        );
        // Collatz-Wielandt bounds from a crude positive vector contain the certified root
        let crude: Vec<Float> = e.v.iter().map(|x| Float::with_val(20, x.mid())).collect();
        let cw = collatz_wielandt(&m, &crude, prec);
        assert!(cw.contains(&e.rho_shifted), "CW bounds at l = {l}");
    }
}

#[test]
fn mkv3_psi_is_convex() {
    for m in [sticky(), three_state()] {
        let ct = ChainTilt::new(&m);
        let prec = 128;
        let grid: Vec<Rational> = (-8..=8).map(|i| q(i, 2)).collect();
        let psis: Vec<Enc> = grid
            .iter()
            .map(|l| {
                perron_eval(&ct, &Enc::from_rational(l, prec), 2, prec)
                    .unwrap()
                    .psi
            })
            .collect();
        for w in psis.windows(3) {
            // psi(a) + psi(c) - 2 psi(b) > 0 on an equally spaced grid
            let d = w[0]
                .add(&w[2], prec)
                .sub(&w[1].mul_rational(&q(2, 1), prec), prec);
            assert!(*d.lo() > 0, "second difference certified positive");
        }
        for l in &grid {
            let e = perron_eval(&ct, &Enc::from_rational(l, prec), 2, prec).unwrap();
            assert!(*e.derivs[1].lo() > 0, "psi'' > 0 at {l}");
        }
    }
}

#[test]
fn mkv3_doob_transform_is_stochastic_with_mean_psi_prime() {
    let ct = ChainTilt::new(&three_state());
    let prec = 200;
    let ld = l_delta(&ct, &q(1, 5), prec).unwrap().unwrap();
    let e = perron_eval(&ct, &ld, 2, prec).unwrap();
    // K(l_Delta) = Delta
    let k = ld.mul(&e.derivs[0], prec).sub(&e.psi, prec);
    assert!(k.contains_rational(&q(1, 5)));
    let (pl, pi) = doob(&ct, &ld, prec).unwrap();
    for row in &pl {
        let s = row.iter().fold(Enc::zero(prec), |a, x| a.add(x, prec));
        assert!(s.contains_rational(&q(1, 1)));
    }
    let mean = pi
        .iter()
        .zip(&ct.r)
        .fold(Enc::zero(prec), |a, (p, r)| a.add(&p.mul_rational(r, prec), prec));
    assert!(
        mean.overlaps(&e.derivs[0]),
        "stationary mean of the Doob chain = x*"
    );
    // pi is stationary for the Doob chain
    for b in 0..ct.k() {
        let s = (0..ct.k()).fold(Enc::zero(prec), |a, i| a.add(&pi[i].mul(&pl[i][b], prec), prec));
        assert!(s.overlaps(&pi[b]));
    }
}

#[test]
fn mkv4_chernoff_bound_dominates_exact_tails() {
    for m in [sticky(), three_state()] {
        let ct = ChainTilt::new(&m);
        let prec = 128;
        let mean = ct.mean.clone().unwrap();
        for n in [1u64, 2, 5, 10, 40] {
            let law = level_law_markov(&m, n).unwrap();
            for x in [&mean + q(1, 10), &mean + q(1, 2)] {
                if x >= ct.r_max {
                    continue;
                }
                let l = lambda_of_x(&ct, &x, prec).unwrap().unwrap().mid();
                let lnb = chernoff_ln_bound(&ct, n, &x, &l, prec).unwrap();
                let nx = Rational::from(&x * n);
                let tail: Rational = (0..law.len())
                    .filter(|&j| law.reward(j) >= nx)
                    .map(|j| law.prob(j))
                    .sum();
                if tail == 0 {
                    continue;
                }
                let lt = Enc::from_rational(&tail, prec).ln(prec);
                assert!(lnb.lo() >= lt.hi(), "Chernoff at n = {n}, x = {x}");
            }
        }
    }
}

#[test]
fn mkv2_l_n_tends_to_l_delta_and_equals_it_when_memoryless() {
    let prec = 128;
    let delta = q(1, 5);
    let ct = ChainTilt::new(&sticky());
    let ld = l_delta(&ct, &delta, prec).unwrap().unwrap();
    let mut gaps = vec![];
    for n in [10u64, 20, 40, 80, 160, 320] {
        let law = level_law_markov(&sticky(), n).unwrap();
        let tm = level_tilt_model(&law);
        let Some(Optimum::Interior(ln)) = optimum(&tm, &Rational::from(&delta * n), prec) else {
            panic!("interior at n = {n}")
        };
        gaps.push(ln.sub(&ld, prec).mid().abs().to_f64());
    }
    for w in gaps.windows(2) {
        assert!(w[1] < w[0], "|l_n - l_Delta| shrinks: {gaps:?}");
    }
    assert!(
        gaps.last().unwrap() * 320.0 < 10.0 * gaps[0] * 10.0,
        "about 1/n: {gaps:?}"
    );
    // memoryless: l_n = l_Delta at every n
    let (m, tm) = example_a_chain();
    let Some(Optimum::Interior(want)) = optimum(&tm, &q(3, 10), prec) else {
        panic!()
    };
    for n in [1u64, 3, 10] {
        let law = level_law_markov(&m, n).unwrap();
        let Some(Optimum::Interior(ln)) = optimum(&level_tilt_model(&law), &(q(3, 10) * n), prec) else {
            panic!()
        };
        assert!(ln.overlaps(&want), "n = {n}");
    }
}

#[test]
fn mkv3_perron_root_at_1000_digits() {
    let ct = ChainTilt::new(&sticky());
    let prec = 3400;
    let e = perron_eval(&ct, &Enc::from_rational(&q(1, 1), prec), 2, prec).unwrap();
    let tight = Float::with_val(prec, 1) >> 3330;
    assert!(e.rho_shifted.width() < tight);
    assert!(e.psi.width() < tight);
}

#[test]
fn mkv3_limits_absent_for_periodic_and_reducible_chains() {
    let per = MarkovModel::new(
        Chain::parse("0,1;1,0", None, false).unwrap(),
        vec![q(0, 1), q(1, 1)],
    )
    .unwrap();
    let e = l_delta(&ChainTilt::new(&per), &q(1, 10), 64).unwrap_err();
    assert!(e.contains("periodic"), "{e}");
    let red = MarkovModel::new(
        Chain::parse("1/2,1/2;0,1", Some("1,0"), false).unwrap(),
        vec![q(0, 1), q(1, 1)],
    )
    .unwrap();
    let e = l_delta(&ChainTilt::new(&red), &q(1, 10), 64).unwrap_err();
    assert!(e.contains("reducible"), "{e}");
}

/// The largest cycle mean by brute force: every simple cycle (a sequence of distinct states
/// closed by an edge), exact.
fn brute_max_cycle_mean(p: &[Vec<Rational>], r: &[Rational]) -> Rational {
    fn walk(p: &[Vec<Rational>], r: &[Rational], path: &mut Vec<usize>, best: &mut Option<Rational>) {
        let (first, last) = (path[0], *path.last().unwrap());
        if p[last][first] > 0 {
            let s: Rational = path.iter().map(|&a| r[a].clone()).sum();
            let m = s / Rational::from(path.len() as u64);
            if best.as_ref().is_none_or(|b| m > *b) {
                *best = Some(m);
            }
        }
        for b in 0..p.len() {
            if p[last][b] > 0 && !path.contains(&b) {
                path.push(b);
                walk(p, r, path, best);
                path.pop();
            }
        }
    }
    let mut best = None;
    for a in 0..p.len() {
        walk(p, r, &mut vec![a], &mut best);
    }
    best.unwrap()
}

/// MKV-3, the limit's Delta_max: the max cycle mean by Karp equals brute force over simple
/// cycles (exact `==`); Delta_max = -ln rho(P on the critical cycles) in closed forms (a
/// self-loop: -ln P_aa; a 3-cycle: -(1/3) ln of its product; the memoryless chain: -ln p(A_max),
/// TILT-1's Delta_max); and K(l) = l psi'(l) - psi(l) increases to it (K(l) < Delta_max, the gap
/// shrinking along l = 5, 10, 20).
#[test]
fn mkv3_delta_max_limit_is_minus_ln_perron_root_on_the_critical_cycles() {
    use alignexact::exact::markov::critical_graph;
    use alignexact::math::markov::delta_max_limit;
    let prec = 256;
    let cyc = MarkovModel::new(
        Chain::parse("0,1,0;0,0,1;1/2,0,1/2", None, false).unwrap(),
        vec![q(0, 1), q(5, 1), q(1, 1)],
    )
    .unwrap();
    let (ma, _) = example_a_chain();
    let cases: Vec<(MarkovModel, Enc)> = vec![
        (sticky(), Enc::from_rational(&q(4, 5), prec).ln(prec).neg()),
        (
            three_state(),
            // cycles: self-loop at state 3 (mean 3) is the unique max-mean cycle
            Enc::from_rational(&q(2, 5), prec).ln(prec).neg(),
        ),
        (
            cyc.clone(),
            Enc::from_rational(&q(1, 2), prec)
                .ln(prec)
                .neg()
                .mul_rational(&q(1, 3), prec),
        ),
        (ma, Enc::from_rational(&q(1, 5), prec).ln(prec).neg()),
    ];
    for (m, want) in cases {
        let ct = ChainTilt::new(&m);
        let cg = critical_graph(&ct.p, &ct.r);
        assert_eq!(cg.mean, brute_max_cycle_mean(&ct.p, &ct.r));
        let (dm, mean) = delta_max_limit(&ct, prec).unwrap().unwrap();
        assert_eq!(mean, cg.mean);
        assert!(dm.overlaps(&want), "Delta_max {dm:?} vs closed form {want:?}");
        assert!(
            dm.width().to_f64() < 1e-60,
            "Delta_max is certified to many digits"
        );
        let mut last_gap = f64::INFINITY;
        for l in [5, 10, 20] {
            let le = Enc::from_rational(&q(l, 1), prec);
            let e = perron_eval(&ct, &le, 1, prec)
                .unwrap_or_else(|| panic!("perron_eval at l = {l} for {:?}", ct.p));
            let k = le.mul(&e.derivs[0], prec).sub(&e.psi, prec);
            let gap = dm.sub(&k, prec);
            assert!(*gap.lo() > 0, "K({l}) must stay below Delta_max");
            let g = gap.mid().to_f64();
            assert!(g < last_gap, "K(l) increases to Delta_max");
            last_gap = g;
        }
    }
    // brute force against Karp on more chains with ties and zero entries
    for (t, r) in [
        ("1/2,1/2,0;0,1/2,1/2;1/2,0,1/2", [0, 2, 1]),
        ("0,1/2,1/2;1,0,0;1,0,0", [0, 1, 2]),
        ("1/3,1/3,1/3;1/3,1/3,1/3;1/3,1/3,1/3", [1, 1, 0]),
    ] {
        let m = MarkovModel::new(
            Chain::parse(t, None, false).unwrap(),
            r.iter().map(|&x| q(x, 1)).collect(),
        )
        .unwrap();
        let ct = ChainTilt::new(&m);
        assert_eq!(
            critical_graph(&ct.p, &ct.r).mean,
            brute_max_cycle_mean(&ct.p, &ct.r),
            "{t}"
        );
    }
}
