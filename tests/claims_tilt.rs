//! The claims of `alignexact::claims::tilt` (TILT-1 .. TILT-4, LDP-1, LDP-3, LDP-4) at 100
//! digits on seeded random rational models (k from 2 to 6, negative and fractional rewards,
//! zero-probability tokens): every claim must hold. Deliberately false claims must be violated,
//! undecidable ones must stay undecided up to the cap, and parameters outside a statement's
//! hypotheses must be rejected.

mod common;

use alignexact::claims::tilt::{self as ct, lambda_delta, seeded_phi, standard};
use alignexact::claims::{equality, inequality, settle, settle_all, try_settle, Claim, Status};
use alignexact::exact::dist::{Distribution, Model};
use alignexact::exact::parse::parse_rational;
use alignexact::math::tilt::{eval, TiltModel};
use alignexact::real::ziv::Precision;
use alignexact::real::Enc;
use alignexact::report::Value;
use common::{float_to_big, SplitMix64};
use rug::{Integer, Rational};

fn q(s: &str) -> Rational {
    parse_rational(s).expect("test rational")
}

/// Working precision for "100 digits": the precision loop's first try for 100 digits.
fn bits100() -> u32 {
    Precision::digits(100).start_bits()
}

const CAP: u32 = 1 << 13;

struct Case {
    m: TiltModel,
    r_all: Vec<Rational>,
    delta: Rational,
    seed: u64,
}

fn model_of(p: Vec<Rational>, r: Vec<Rational>) -> TiltModel {
    TiltModel::new(&Model::new(Distribution::new(p, false, "--p").unwrap(), r).unwrap())
}

/// A seeded random model: k tokens, integer weights 1..20 (one token of probability 0 in about
/// half of the models with k >= 3), rewards `a/b` with `a in [-20, 20]`, `b in {1, 2, 3, 4, 7}`,
/// not constant on the support; an interior budget `Delta = floor(10^6 u Delta_max_lo)/10^6`.
fn random_case(rng: &mut SplitMix64, k: usize) -> Case {
    loop {
        let zero = if k >= 3 && rng.coin() {
            Some(rng.below(k as u64) as usize)
        } else {
            None
        };
        let w: Vec<u64> = (0..k)
            .map(|i| if Some(i) == zero { 0 } else { 1 + rng.below(20) })
            .collect();
        let total: u64 = w.iter().sum();
        let p: Vec<Rational> = w.iter().map(|&x| Rational::from((x, total))).collect();
        let dens = [1i64, 2, 3, 4, 7];
        let r: Vec<Rational> = (0..k)
            .map(|_| Rational::from((rng.range_i64(-20, 20), dens[rng.below(5) as usize])))
            .collect();
        let m = model_of(p, r.clone());
        if m.is_constant() {
            continue;
        }
        let dmax_lo = m.delta_max(64).lo().to_rational().unwrap();
        let u = Rational::from((1 + rng.below(9) as i64, 10));
        let scaled = Rational::from(&dmax_lo * &u) * Integer::from(1_000_000);
        let mut delta = Rational::from((scaled.floor().numer().clone(), Integer::from(1_000_000)));
        if delta <= 0 {
            delta = dmax_lo / 2u32;
        }
        return Case {
            m,
            r_all: r,
            delta,
            seed: rng.next_u64(),
        };
    }
}

/// All claims on one case, at rising precision from 100 digits until none is undecided.
fn claims_for(c: &Case, rng: &mut SplitMix64) -> Vec<Claim> {
    let m = &c.m;
    let phi = seeded_phi(m, c.seed);
    let span = Rational::from(&m.r_max - &m.r_min);
    let frac = Rational::from((1 + rng.below(16) as i64, 17));
    let x: Rational = &m.r_min + span * frac;
    let l_rand = Rational::from((rng.range_i64(-30, 30), 10));
    let t = Rational::from((rng.range_i64(-20, 20), 1 + rng.below(8) as i64));
    let t = if t == 0 { Rational::from((1, 3)) } else { t };
    let alpha = [q("1/3"), q("1/2"), q("2"), q("3"), q("5/2")][rng.below(5) as usize].clone();
    let beta = Rational::from((1 + rng.below(9) as i64, 1 + rng.below(4) as i64));
    let l_pos = Rational::from((1 + rng.below(40) as i64, 10));
    settle_all(
        |bits| {
            let mut v = standard(m, &c.r_all, &c.delta, c.seed, bits)?;
            v.push(ct::tilt3(m, &phi, &l_rand, bits)?);
            v.push(ct::tilt2_min_at(m, &c.delta, &l_pos, bits)?);
            v.extend(ct::tilt2_regularised(m, &beta, &phi, bits)?);
            v.extend(ct::ldp1_forms(m, &c.delta, &x, bits)?);
            v.extend(ct::ldp4(m, &c.r_all, &c.delta, &t, bits)?);
            if t > 0 {
                v.extend(ct::ldp3(m, &c.delta, &t, bits)?);
            }
            let lr = Enc::from_rational(&l_rand, bits);
            let lp = Enc::from_rational(&l_pos, bits);
            v.push(ct::tilt4_family(m, &lr, &lp, bits));
            v.push(ct::tilt4_reference(m, &lr, bits));
            v.push(ct::tilt4_renyi(m, &lr, &alpha, bits)?);
            Ok(v)
        },
        bits100(),
        CAP,
    )
    .expect("parameters within the hypotheses")
}

fn describe(c: &Claim) -> String {
    let m = match &c.margin {
        Value::Real(e) => format!("[{:.3e}, {:.3e}]", e.lo().to_f64(), e.hi().to_f64()),
        other => format!("{other:?}"),
    };
    format!("{} {:?} margin {m}: {}", c.id, c.status, c.statement)
}

#[test]
fn claims_hold_on_the_examples_at_100_digits() {
    let cases = [
        (vec!["1/2", "3/10", "1/5"], vec!["0", "1", "3"], "3/10"),
        (vec!["7/10", "3/10"], vec!["0", "1"], "1/5"),
    ];
    for (p, r, d) in cases {
        let r: Vec<Rational> = r.iter().map(|s| q(s)).collect();
        let m = model_of(p.iter().map(|s| q(s)).collect(), r.clone());
        let claims = settle_all(|bits| standard(&m, &r, &q(d), 1, bits), bits100(), CAP).unwrap();
        assert_eq!(claims.len(), 38, "every standard claim is present");
        for c in &claims {
            println!("{}", describe(c));
            assert!(c.status.is_consistent(), "{}", describe(c));
            common::assert_honest(c);
        }
    }
}

#[test]
fn claims_hold_on_twenty_random_models_at_100_digits() {
    let mut rng = SplitMix64(0x5EED_7117_2024);
    let mut total = 0;
    let mut zero_tokens = 0;
    let mut negative = 0;
    let mut fractional = 0;
    for i in 0..20 {
        let k = 2 + i % 5;
        let c = random_case(&mut rng, k);
        zero_tokens += usize::from(c.m.idx.len() < c.m.k);
        negative += usize::from(c.r_all.iter().any(|r| *r < 0));
        fractional += usize::from(c.r_all.iter().any(|r| *r.denom() != 1));
        let claims = claims_for(&c, &mut rng);
        for cl in &claims {
            common::assert_honest(cl);
            assert!(
                cl.status.is_consistent(),
                "model {i}: p = {:?}, r = {:?}, Delta = {}: {}",
                c.m.p,
                c.r_all,
                c.delta,
                describe(cl)
            );
        }
        total += claims.len();
    }
    // the sample really exercises the features it claims to
    assert!(
        zero_tokens >= 3,
        "zero-probability tokens in {zero_tokens} models"
    );
    assert!(negative >= 10 && fractional >= 10);
    assert!(total >= 20 * 50, "{total} claims");
}

#[test]
fn equality_margins_shrink_with_precision() {
    // a true identity of reals agrees at every precision, with a margin of a few hundred ulps,
    // and the certified agreeing digits grow with the precision (about bits log10 2 - 3)
    let m = model_of(vec![q("1/2"), q("3/10"), q("1/5")], vec![q("0"), q("1"), q("3")]);
    for bits in [64u32, 128, 365, 1000, 4000] {
        let c = ct::tilt2_value(&m, &q("3/10"), bits).unwrap();
        let Status::Agrees { digits } = c.status else {
            panic!("{bits} bits: {:?}", c.status)
        };
        common::assert_honest(&c);
        let want = (f64::from(bits) * std::f64::consts::LOG10_2) as u32;
        assert!(
            digits + 6 >= want && digits <= want,
            "{bits} bits: {digits} digits"
        );
        let Value::Real(e) = &c.margin else { panic!() };
        let w = float_to_big(e.hi()) - float_to_big(e.lo());
        assert!(
            w < common::pow2(-(bits as i64) + 16),
            "margin width at {bits} bits"
        );
    }
}

#[test]
fn a_false_equality_is_violated_at_100_digits() {
    let m = model_of(vec![q("1/2"), q("3/10"), q("1/5")], vec![q("0"), q("1"), q("3")]);
    let bits = bits100();
    let l = lambda_delta(&m, &q("3/10"), bits).unwrap().unwrap();
    let xs = eval(&m, &l, bits).mu;
    let shifted = xs.add(&Enc::from_rational(&q("1e-50"), bits), bits);
    let c = equality(
        "FALSE",
        "x* = x* + 1e-50",
        Value::Real(xs.clone()),
        Value::Real(shifted),
        bits,
    );
    assert_eq!(c.status, Status::Violated);
    let Value::Real(mg) = &c.margin else { panic!() };
    // margin = -1e-50 to ~100 digits
    let want = common::pow10(-50);
    let lo = -float_to_big(mg.hi());
    let hi = -float_to_big(mg.lo());
    assert!(lo <= want && want <= hi && &hi - &lo < common::pow10(-100));
    // the equality with itself agrees (the enclosure of x* - x* straddles 0: not a proof)
    let c = equality("TRUE", "x* = x*", Value::Real(xs.clone()), Value::Real(xs), bits);
    assert!(matches!(c.status, Status::Agrees { .. }), "{:?}", c.status);
}

#[test]
fn a_false_identity_between_two_models_is_violated() {
    // I_Delta and the KL form of LDP-1 computed on models whose p differ by 1e-40
    let m = model_of(vec![q("1/2"), q("3/10"), q("1/5")], vec![q("0"), q("1"), q("3")]);
    let m2 = model_of(
        vec![
            q("0.5000000000000000000000000000000000000001"),
            q("0.2999999999999999999999999999999999999999"),
            q("1/5"),
        ],
        vec![q("0"), q("1"), q("3")],
    );
    let bits = bits100();
    let c = ct::tilt2_value(&m, &q("3/10"), bits).unwrap();
    let c2 = ct::tilt2_value(&m2, &q("3/10"), bits).unwrap();
    assert!(c.status.is_consistent() && c2.status.is_consistent());
    let f = equality("FALSE", "x*(m) = x*(m')", c.rhs.clone(), c2.rhs.clone(), bits);
    assert_eq!(f.status, Status::Violated);
    // and a reversed inequality: (Delta + psi(l))/l <= x* at l = 11/10 l_Delta is false
    let t = ct::tilt2_min_near(&m, &q("3/10"), &q("11/10"), bits).unwrap();
    assert_eq!(t.status, Status::Holds);
    let r = inequality("FALSE", "reversed TILT-2.min", t.rhs.clone(), t.lhs.clone(), bits);
    assert_eq!(r.status, Status::Violated);
}

#[test]
fn settle_raises_precision_until_decided() {
    let m = model_of(vec![q("1/2"), q("3/10"), q("1/5")], vec![q("0"), q("1"), q("3")]);
    // x* <= x* + 2^-300: undecided below ~300 bits, holds above
    let claim = |bits: u32| -> Claim {
        let l = lambda_delta(&m, &q("3/10"), bits).unwrap().unwrap();
        let xs = eval(&m, &l, bits).mu;
        let eps = Enc::from_rational(&common::big_to_rat(&common::pow2(-300)), bits);
        inequality(
            "T",
            "x* <= x* + 2^-300",
            Value::Real(xs.clone()),
            Value::Real(xs.add(&eps, bits)),
            bits,
        )
    };
    assert_eq!(claim(100).status, Status::Undecided);
    let c = settle(claim, 100, CAP);
    assert_eq!(c.status, Status::Holds);
    let Value::Real(e) = &c.lhs else { panic!() };
    assert!(e.prec() >= 300, "settled at {} bits", e.prec());
    // an inequality that is an equality (TILT-2.min at l = l_Delta) is never decided
    let c = try_settle(
        |bits| ct::tilt2_min_near(&m, &q("3/10"), &q("1"), bits),
        100,
        2000,
    )
    .unwrap();
    assert_eq!(c.status, Status::Undecided);
}

#[test]
fn claims_reject_parameters_outside_their_hypotheses() {
    let m = model_of(vec![q("1/2"), q("0"), q("1/2")], vec![q("0"), q("5"), q("1")]);
    let bits = 128;
    // saturated budget (Delta_max = ln 2 < 1) and Delta = 0
    assert!(ct::tilt2_value(&m, &q("1"), bits).is_err());
    assert!(ct::tilt2_value(&m, &q("0"), bits).is_err());
    // phi not absolutely continuous w.r.t. p, and not a distribution
    assert!(ct::tilt3(&m, &[q("1/2"), q("1/2"), q("0")], &q("1"), bits).is_err());
    assert!(ct::tilt3(&m, &[q("1/2"), q("0"), q("1/3")], &q("1"), bits).is_err());
    // alpha = 1, x at the boundary, t = 0
    let l = Enc::from_rational(&q("1"), bits);
    assert!(ct::tilt4_renyi(&m, &l, &q("1"), bits).is_err());
    assert!(ct::ldp1_forms(&m, &q("1/10"), &q("1"), bits).is_err());
    assert!(ct::ldp4(&m, &[q("0"), q("5"), q("1")], &q("1/10"), &q("0"), bits).is_err());
    // constant reward
    let c = model_of(vec![q("1/2"), q("1/2")], vec![q("2"), q("2")]);
    assert!(ct::tilt1_tight(&c, &q("1/10"), bits).is_err());
    // the zero-probability token is fine when phi is 0 there
    let ok = ct::tilt3(&m, &[q("1/3"), q("0"), q("2/3")], &q("1"), bits).unwrap();
    assert!(matches!(ok.status, Status::Agrees { .. }), "{:?}", ok.status);
}

#[test]
fn claim_value_has_the_interface_field_names() {
    let m = model_of(vec![q("7/10"), q("3/10")], vec![q("0"), q("1")]);
    let c = ct::ldp1_level(&m, &q("1/5"), bits100()).unwrap();
    let Status::Agrees { digits } = c.status else {
        panic!("{:?}", c.status)
    };
    let v = c.to_value();
    for k in [
        "id",
        "statement",
        "status",
        "agreeing_digits",
        "lhs",
        "rhs",
        "margin",
    ] {
        assert!(v.get(k).is_some(), "field {k}");
    }
    assert!(matches!(v.get("status"), Some(Value::Str(s)) if s == "agrees"));
    assert!(matches!(v.get("agreeing_digits"), Some(Value::Count(d)) if *d == u64::from(digits)));
    assert_eq!(Status::Holds.as_str(), "holds");
    assert!(matches!(v.get("id"), Some(Value::Str(s)) if s == "LDP-1.level"));
    assert_eq!(Status::Violated.as_str(), "violated");
    assert_eq!(Status::Undecided.as_str(), "undecided");
}
