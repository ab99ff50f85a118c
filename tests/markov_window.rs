//! The windowed route for Markov chains (MATH.md §9 with memory, `math::markov_window`) against
//! the exact route (MKV-1): the level law's enclosures contain the exact probabilities, the
//! finite-n optimum `l_n` agrees, and (through the binary) every field of `compare` and `bon`
//! agrees to every requested digit with overlapping enclosures.
use alignexact::exact::markov::{level_law_markov, Chain, MarkovModel};
use alignexact::math::level_source::LevelSource;
use alignexact::math::markov::{level_tilt_model, ChainTilt};
use alignexact::math::markov_window::{l_n, log_mgf, ChainLattice, ChainWindow};
use alignexact::math::tilt::{optimum, Optimum};
use alignexact::math::window::WindowKnob;
use alignexact::real::Enc;
use rug::{Float, Rational};
use std::sync::Arc;

fn model(t: &str, init: Option<&str>, r: &str) -> MarkovModel {
    let chain = Chain::parse(t, init, false).expect("chain");
    let r: Vec<Rational> = r.split(',').map(|x| x.trim().parse::<Rational>().expect("reward")).collect();
    MarkovModel::new(chain, r).expect("model")
}

/// Every listed level's `P_S` enclosure contains the exact probability, and `ln E e^{l S_n}`
/// from the matrix power contains the exact value from the level law.
fn law_check(m: &MarkovModel, n: u64, lambda: f64, prec: u32, knob: WindowKnob) -> usize {
    let ct = ChainTilt::new(m);
    let lat = Arc::new(ChainLattice::new(&ct).expect("lattice"));
    let law = level_law_markov(m, n).expect("law");
    let w = ChainWindow::new(&lat, n, &Float::with_val(64, lambda), prec, knob).expect("window");
    let mut checked = 0;
    w.visit(prec, None, &mut |j, lp| {
        let s = w.reward(j);
        let idx = (0..law.len()).find(|&i| law.reward(i) == s).expect("level of the law");
        let exact = law.prob(idx);
        let ps = lp.ln_ps.exp(prec);
        assert!(ps.contains_rational(&exact), "n = {n}: P_S({s}) = {} not in {:?}", exact.to_f64(), ps);
        checked += 1;
    });
    // Lambda_n at a rational point against the exact law
    let l = Rational::from((3, 7));
    let le = Enc::from_rational(&l, prec);
    let lm = log_mgf(&lat, &le, n, 1, prec);
    let mut z = Enc::zero(prec);
    let mut z1 = Enc::zero(prec);
    for i in 0..law.len() {
        let r = Enc::from_rational(&law.reward(i), prec);
        let t = le.mul(&r, prec).exp(prec).mul_rational(&law.prob(i), prec);
        z1 = z1.add(&t.mul(&r, prec), prec);
        z = z.add(&t, prec);
    }
    assert!(lm[0].overlaps(&z.ln(prec)), "Lambda_n({l}) at n = {n}");
    assert!(lm[1].overlaps(&z1.div(&z, prec)), "Lambda_n'({l}) at n = {n}");
    checked
}

#[test]
fn chain_window_encloses_the_exact_law() {
    let sticky = model("9/10,1/10;1/5,4/5", None, "0,1");
    for n in [1u64, 2, 10, 100, 1000] {
        assert!(law_check(&sticky, n, 0.9, 128, WindowKnob::default()) > 0);
    }
    let three = model("1/2,1/3,1/6;1/4,1/2,1/4;1/5,1/5,3/5", None, "0,1,3");
    for n in [1u64, 10, 300] {
        law_check(&three, n, 0.4, 200, WindowKnob::default());
    }
    let zeros = model("0,1/2,1/2;1/3,0,2/3;1,0,0", None, "-2,1/2,1");
    for n in [2u64, 50, 400] {
        law_check(&zeros, n, 0.5, 128, WindowKnob::default());
    }
    // too narrow: still enclosures
    law_check(&sticky, 1000, 0.9, 128, WindowKnob { widen: 0.2 });
}

#[test]
fn finite_n_optimum_matches_the_exact_level_law() {
    let sticky = model("9/10,1/10;1/5,4/5", None, "0,1");
    let ct = ChainTilt::new(&sticky);
    let lat = ChainLattice::new(&ct).expect("lattice");
    let delta = Rational::from((1, 10));
    for n in [1u64, 2, 10, 100, 1000] {
        let law = level_law_markov(&sticky, n).expect("law");
        let tm = level_tilt_model(&law);
        let total = Rational::from(&delta * n);
        let Some(Optimum::Interior(ex)) = optimum(&tm, &total, 200) else {
            panic!("interior at n = {n}")
        };
        let w = l_n(&lat, n, &delta, 200).expect("l_n");
        assert!(w.overlaps(&ex), "l_n at n = {n}: {:?} vs {:?}", w, ex);
        assert!(w.width() < Float::with_val(64, 1e-50), "l_n width at n = {n}");
    }
}
