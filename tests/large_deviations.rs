//! LDP-1 (rate functions), LDP-3 (cumulants, scaled CGF) and LDP-4 (Rényi forms of the SCGF),
//! through the library entry points used by `rate` and `cumulants`.
//!
//! Independent references used here:
//! - MATH.md §8 decimals and 60-digit mpmath values (findroot / numerical derivatives at 90 digits);
//! - exact rational cumulants from two algorithms that share no code with the crate: the
//!   Bernoulli recursion `kappa_{n+1}(q) = q (1 - q) d kappa_n / dq` on polynomials, and the
//!   power-series logarithm `L = ln M` from `M L' = M'`;
//! - finite differences of `psi` evaluated in the test (`psi(l0 + d) = ln(7/10 + 3/10 t e^d)`);
//! - direct sums of the tilted vectors and of `ln` of their masses.

mod common;

use alignexact::math::large_deviations as ld;
use alignexact::math::tilt::{cumulants, optimum, Budget, Optimum, TiltModel};
use alignexact::real::format::certify_decimal;
use alignexact::real::ziv::{self, Precision};
use alignexact::real::Enc;
use alignexact::report::tilt::{cumulants_value, rate_value, tilt_value};
use alignexact::report::Value;
use common::{
    big, decimal_to_big, float_to_big, float_to_ext, pow2, rat_to_big, significant_digits, ulp_sig,
};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use rug::Rational;

type Q = BigRational;

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

use common::{example_a, example_b, model, q};

fn real(v: &Value, key: &str) -> Enc {
    match v.get(key) {
        Some(Value::Real(e)) => e.clone(),
        other => panic!("{key}: expected a certified real, got {other:?}"),
    }
}

fn within_one_ulp(e: &Enc, s: &str) -> bool {
    let d = decimal_to_big(s);
    let u = ulp_sig(&d, significant_digits(s));
    float_to_big(e.lo()) >= &d - &u && float_to_big(e.hi()) <= &d + &u
}

fn assert_math(name: &str, e: &Enc, s: &str) {
    let sig = significant_digits(s);
    let c = certify_decimal(e, sig).unwrap_or_else(|| panic!("{name}: not certified to {sig} digits"));
    assert_eq!(c.value, s, "{name}: printed value");
    assert!(within_one_ulp(e, s), "{name}: not within one ulp of {s}");
}

fn contains(e: &Enc, x: &Q) -> bool {
    float_to_ext(e.lo()).le(x) && float_to_ext(e.hi()).ge(x)
}

/// Every point of `a` is within `tol` of every point of `b`.
fn close(a: &Enc, b: &Enc, tol: &Q) -> bool {
    float_to_big(a.hi()) - float_to_big(b.lo()) <= *tol && float_to_big(b.hi()) - float_to_big(a.lo()) <= *tol
}

fn tol(e: i64) -> Q {
    common::pow10(e)
}

/// `l_Delta` at `prec` (interior budgets only).
fn l_delta(m: &TiltModel, d: &str, prec: u32) -> Enc {
    match optimum(m, &q(d), prec) {
        Some(Optimum::Interior(l)) => l,
        other => panic!("expected an interior optimum, got {other:?}"),
    }
}

/// The certified `rate` result at `digits` (precision cap 2^15 bits, so that a regression fails
/// fast).
fn rate(m: &TiltModel, x: &str, budget: Option<&Budget>, digits: usize) -> Value {
    let x = q(x);
    let p = Precision {
        digits,
        cap_bits: 1 << 15,
    };
    ziv::run(&p, |bits| Ok(rate_value(m, &x, budget, bits))).expect("certified")
}

/// `psi(l) = ln sum p_a e^{l r_a}` and the tilted vector, summed in the test (no shifting).
fn direct_psi_phi(m: &TiltModel, l: &Enc, prec: u32) -> (Enc, Vec<Enc>) {
    let w: Vec<Enc> =
        m.p.iter()
            .zip(&m.r)
            .map(|(p, r)| l.mul_rational(r, prec).exp(prec).mul_rational(p, prec))
            .collect();
    let z = Enc::sum(w.iter(), prec);
    (z.ln(prec), w.iter().map(|x| x.div(&z, prec)).collect())
}

// ---------------------------------------------------------------------------------------------
// independent exact cumulants
// ---------------------------------------------------------------------------------------------

/// Polynomials in q with rational coefficients (index = degree).
fn poly_eval(c: &[Q], x: &Q) -> Q {
    c.iter().rev().fold(Q::zero(), |acc, a| acc * x + a)
}

/// Cumulants `kappa_1..kappa_n` of a Bernoulli(q) variable by `kappa_{j+1} = q(1-q) kappa_j'(q)`.
fn bernoulli_cumulants(qv: &Q, n: usize) -> Vec<Q> {
    let mut k: Vec<Q> = vec![Q::zero(), Q::one()]; // kappa_1 = q
    let mut out = vec![poly_eval(&k, qv)];
    for _ in 1..n {
        // derivative
        let d: Vec<Q> = k
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, a)| a * Q::from_integer(BigInt::from(i)))
            .collect();
        // times q - q^2
        let mut next = vec![Q::zero(); d.len() + 2];
        for (i, a) in d.iter().enumerate() {
            next[i + 1] += a;
            next[i + 2] -= a;
        }
        k = next;
        out.push(poly_eval(&k, qv));
    }
    out
}

/// Cumulants `kappa_1..kappa_n` of the law `w` on values `r` by the power-series logarithm:
/// `M(s) = sum_j c_j s^j` with `c_j = E r^j / j!`, `L = ln M` from `M L' = M'`, `kappa_j = j! L_j`.
fn series_cumulants(w: &[Q], r: &[Q], n: usize) -> Vec<Q> {
    let mut fact = vec![Q::one()];
    for j in 1..=n {
        fact.push(&fact[j - 1] * Q::from_integer(BigInt::from(j)));
    }
    let c: Vec<Q> = (0..=n)
        .map(|j| {
            let m: Q = w
                .iter()
                .zip(r)
                .fold(Q::zero(), |a, (wa, ra)| a + wa * num_traits::pow(ra.clone(), j));
            m / &fact[j]
        })
        .collect();
    assert!(c[0] == Q::one(), "weights must sum to 1");
    // (j+1) L_{j+1} = (j+1) c_{j+1} - sum_{k=0}^{j-1} (k+1) L_{k+1} c_{j-k}
    let mut l = vec![Q::zero(); n + 1];
    for j in 0..n {
        let mut s = Q::from_integer(BigInt::from(j + 1)) * &c[j + 1];
        for k in 0..j {
            s -= Q::from_integer(BigInt::from(k + 1)) * &l[k + 1] * &c[j - k];
        }
        l[j + 1] = s / Q::from_integer(BigInt::from(j + 1));
    }
    (1..=n).map(|j| &l[j] * &fact[j]).collect()
}

fn exact_cumulants_of(v: &Value) -> Vec<Q> {
    match v.get("cumulants") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::Exact(r) => rat_to_big(r),
                other => panic!("expected exact cumulants, got {other:?}"),
            })
            .collect(),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// LDP-1: rate functions
// ---------------------------------------------------------------------------------------------

#[test]
fn ldp1_example_b_rates_all_digits_of_math_md() {
    let m = example_b();
    let b = Budget::Delta(q("1/5"));
    let v = rate(&m, "0.8", Some(&b), 30);
    assert_math(
        "I_0(0.8)",
        &real(&v, "rate_reference"),
        "0.534110808710307390347536777565",
    );
    let v28 = rate(&m, "0.8", Some(&b), 28);
    assert_math(
        "I_Delta(0.8)",
        &real(&v28, "rate_aligned"),
        "0.0863460200337273509017210694",
    );
    assert_math("lambda", &real(&v, "lambda"), "1.27902712604927665007954935031");
    // 60 digits (mpmath)
    let v = rate(&m, "0.8", Some(&b), 60);
    let cases = [
        (
            "rate_reference",
            "0.534110808710307390347536777564602567350890957162091861634135",
        ),
        (
            "rate_aligned",
            "0.0863460200337273509017210694381014847069941525050708696385292",
        ),
        (
            "lambda_x",
            "2.23359222150709423254457174943700716114059444047962224496606",
        ),
    ];
    for (k, s) in cases {
        assert!(within_one_ulp(&real(&v, k), s), "{k} at 60 digits");
    }
}

#[test]
fn ldp1_rate_reference_is_the_legendre_transform() {
    // I_0(x) >= t x - psi(t) for every t (psi summed in the test), with near-equality at l(x)
    let m = example_a();
    let prec = 300;
    for x in ["1/2", "9/10", "2", "2.9", "1/100"] {
        let xr = q(x);
        let (lx, i0) = ld::rate_reference(&m, &xr, prec).expect("certified");
        let lx = lx.expect("interior point");
        for t in ["-3", "-1", "-1/3", "0", "1/4", "1", "2", "5"] {
            let te = Enc::from_rational(&q(t), prec);
            let g = te
                .mul_rational(&xr, prec)
                .sub(&direct_psi_phi(&m, &te, prec).0, prec);
            // violated only if t x - psi(t) is certified above I_0(x)
            assert!(g.lo() <= i0.hi(), "I_0({x}) >= {t} x - psi({t})");
        }
        let (psi_x, phi_x) = direct_psi_phi(&m, &lx, prec);
        let g = lx.mul_rational(&xr, prec).sub(&psi_x, prec);
        assert!(close(&g, &i0, &tol(-80)), "I_0({x}) = l(x) x - psi(l(x))");
        // and l(x) solves psi'(l) = x
        let mu = Enc::sum(
            phi_x
                .iter()
                .zip(&m.r)
                .map(|(f, r)| f.mul_rational(r, prec))
                .collect::<Vec<_>>()
                .iter(),
            prec,
        );
        assert!(
            close(&mu, &Enc::from_rational(&xr, prec), &tol(-80)),
            "mu(l({x})) = {x}"
        );
    }
}

#[test]
fn ldp1_boundaries() {
    let prec = 300;
    // Example A: I_0(r_max) = -ln p(A_max) = ln 5, I_0(r_min) = -ln p(A_min) = ln 2
    let m = example_a();
    let b = Budget::Delta(q("3/10"));
    let v = rate(&m, "3", Some(&b), 30);
    assert_math(
        "I_0(3)",
        &real(&v, "rate_reference"),
        "1.60943791243410037460075933323",
    );
    assert!(real(&v, "lambda_x").is_pos_infinity());
    let v0 = rate(&m, "0", Some(&b), 30);
    assert_math(
        "I_0(0)",
        &real(&v0, "rate_reference"),
        "0.693147180559945309417232121458",
    );
    assert!(real(&v0, "lambda_x").is_neg_infinity());
    // I_Delta(r_max) = -ln phi_Delta(A_max), I_Delta(r_min) = -ln phi_Delta(A_min), from the tilt
    let t = ziv::run(&Precision::digits(30), |bits| Ok(tilt_value(&m, &b, bits))).unwrap();
    let (_, phi) = direct_psi_phi(&m, &real(&t, "lambda"), prec);
    assert!(close(
        &real(&v, "rate_aligned"),
        &phi[2].ln(prec).neg(),
        &tol(-29)
    ));
    assert!(close(
        &real(&v0, "rate_aligned"),
        &phi[0].ln(prec).neg(),
        &tol(-29)
    ));
    // ties: A_max = {2, 3} with p(A_max) = 1/2; A_min = {1, 4} with p(A_min) = 1/4 + 1/8
    let m = model(
        &["1/4", "1/5", "3/10", "1/8", "1/8"],
        &["0", "1", "1", "0", "1/2"],
    );
    let b = Budget::Delta(q("1/2"));
    let v = rate(&m, "1", Some(&b), 30);
    assert_math(
        "I_0(1)",
        &real(&v, "rate_reference"),
        "0.693147180559945309417232121458",
    );
    let v0 = rate(&m, "0", Some(&b), 30);
    assert!(close(
        &real(&v0, "rate_reference"),
        &Enc::from_rational(&q("3/8"), prec).ln(prec).neg(),
        &tol(-29)
    ));
    let l = l_delta(&m, "1/2", prec);
    let (_, phi) = direct_psi_phi(&m, &l, prec);
    let top = phi[1].add(&phi[2], prec);
    assert!(close(&real(&v, "rate_aligned"), &top.ln(prec).neg(), &tol(-29)));
    let bottom = phi[0].add(&phi[3], prec);
    assert!(close(
        &real(&v0, "rate_aligned"),
        &bottom.ln(prec).neg(),
        &tol(-29)
    ));
}

#[test]
fn ldp1_infinite_outside_the_reward_range() {
    let m = example_a();
    let b = Budget::Delta(q("3/10"));
    for x in ["3.0000000001", "4", "-1/10", "-1e-30"] {
        let v = rate(&m, x, Some(&b), 30);
        assert!(real(&v, "rate_reference").is_pos_infinity(), "I_0({x}) = inf");
        assert!(real(&v, "rate_aligned").is_pos_infinity(), "I_Delta({x}) = inf");
        assert!(matches!(v.get("lambda_x"), Some(Value::Null)));
    }
}

#[test]
fn ldp1_zero_at_the_mean_and_positive_elsewhere() {
    let m = example_a();
    let prec = 300;
    // E_p r = 9/10: I_0 = 0 and l(x) = 0 exactly
    let (l, i0) = ld::rate_reference(&m, &q("9/10"), prec).unwrap();
    assert!(i0.is_exact_zero());
    assert!(l.unwrap().is_exact_zero());
    // and I_0 > 0 (certified) just off the mean, on both sides
    for x in ["0.9000000000000000000001", "0.8999999999999999999999"] {
        let (_, i0) = ld::rate_reference(&m, &q(x), prec).unwrap();
        assert!(*i0.lo() > 0, "I_0({x}) > 0");
        // I_0(mean + e) ~ e^2 / (2 sigma2), sigma2 = 129/100
        let approx = 1e-44 / 2.58;
        assert!((i0.mid().to_f64() / approx - 1.0).abs() < 1e-6);
    }
    // I_Delta >= 0 with equality only at x*: positive on a grid avoiding x* = 0.6062...
    let m = example_b();
    let l = l_delta(&m, "1/5", prec);
    let mut vals = Vec::new();
    for k in 1..20 {
        let x = Rational::from((k, 20));
        let ia = ld::rate_aligned(&m, &x, &l, prec).unwrap();
        assert!(*ia.lo() > 0, "I_Delta({k}/20) > 0");
        vals.push(float_to_big(ia.lo()));
    }
    // decreasing up to x* (12/20 < x* < 13/20), increasing after
    for w in vals[..12].windows(2) {
        assert!(w[1] < w[0]);
    }
    for w in vals[12..].windows(2) {
        assert!(w[1] > w[0]);
    }
}

#[test]
fn ldp1_x_star_is_the_top_of_the_sublevel_set() {
    // x*(Delta) = sup { x : I_0(x) <= Delta }: I_0(x* - e) < Delta < I_0(x* + e), e = 1e-20
    let m = example_b();
    let prec = 300;
    let xs = q("0.606286525414133798173288856969");
    let e = q("1e-20");
    let delta = Enc::from_rational(&q("1/5"), prec);
    let (_, below) = ld::rate_reference(&m, &Rational::from(&xs - &e), prec).unwrap();
    let (_, above) = ld::rate_reference(&m, &Rational::from(&xs + &e), prec).unwrap();
    assert!(below.hi() < delta.lo());
    assert!(above.lo() > delta.hi());
    // and I_Delta(x*) ~ 0 (the MATH.md x* is within 1e-30 of the truth)
    let l = l_delta(&m, "1/5", prec);
    let ia = ld::rate_aligned(&m, &xs, &l, prec).unwrap();
    assert!(float_to_big(ia.hi()) < tol(-58));
}

#[test]
fn ldp1_rate_tends_to_minus_ln_p_a_max_at_the_top() {
    // I_0(r_max - 10^-k) increases to ln 5 from below
    let m = example_a();
    let prec = 400;
    let ln5 = decimal_to_big("1.60943791243410037460075933322618763952560135426851772191265");
    let mut last = Q::zero();
    for k in [2i64, 5, 10, 20, 40] {
        let x = Rational::from(&q("3") - &q(&format!("1e-{k}")));
        let (_, i0) = ld::rate_reference(&m, &x, prec).unwrap();
        let lo = float_to_big(i0.lo());
        assert!(lo > last, "increasing");
        assert!(float_to_big(i0.hi()) < ln5, "below ln 5");
        assert!(&ln5 - &lo < tol(-k / 2), "within 10^-(k/2) of ln 5 at k = {k}");
        last = lo;
    }
}

// ---------------------------------------------------------------------------------------------
// LDP-3: cumulants
// ---------------------------------------------------------------------------------------------

#[test]
fn ldp3_first_cumulants_are_mean_and_variance() {
    let m = example_a();
    let prec = 300;
    let l = l_delta(&m, "3/10", prec);
    let k = cumulants(&m, &l, 6, prec);
    assert_math("kappa_1", &k[0], "1.85639040896927369651738197464");
    // kappa_2 = E r^2 - (E r)^2 summed in the test from the tilted vector
    let (_, phi) = direct_psi_phi(&m, &l, prec);
    let mu = Enc::sum(
        phi.iter()
            .zip(&m.r)
            .map(|(f, r)| f.mul_rational(r, prec))
            .collect::<Vec<_>>()
            .iter(),
        prec,
    );
    let second = Enc::sum(
        phi.iter()
            .zip(&m.r)
            .map(|(f, r)| f.mul_rational(&Rational::from(r * r), prec))
            .collect::<Vec<_>>()
            .iter(),
        prec,
    );
    assert!(close(&k[1], &second.sub(&mu.square(prec), prec), &tol(-80)));
    assert!(close(&k[0], &mu, &tol(-80)));
    // kappa_1..kappa_6 against numerical derivatives of psi in mpmath (40 digits)
    let want = [
        "1.856390408969273696517381974642185455224",
        "1.639910780711146352776293607960889016266",
        "-0.7551960688662113445047966983618386119775",
        "-4.402414873158516102736421936567939860747",
        "8.471978016701270140367390288386177755149",
        "46.7477239153055897959527955275000944826",
    ];
    for (j, s) in want.iter().enumerate() {
        assert!(within_one_ulp(&k[j], s), "kappa_{} = {s}", j + 1);
    }
}

#[test]
fn ldp3_two_token_cumulants_exact_to_order_20() {
    // p = (7/10, 3/10), r = (0, 1), e^lambda = t: phi = Bernoulli(q), q = 3t / (7 + 3t)
    let m = example_b();
    let r_all = vec![q("0"), q("1")];
    for t in ["2", "1/3", "5/2"] {
        let tr = q(t);
        let tb = rat_to_big(&tr);
        let qv = Q::from_integer(BigInt::from(3)) * &tb
            / (Q::from_integer(BigInt::from(7)) + Q::from_integer(BigInt::from(3)) * &tb);
        let want = bernoulli_cumulants(&qv, 20);
        // same values by the power series, as a check of the two references
        let series = series_cumulants(&[Q::one() - &qv, qv.clone()], &[Q::zero(), Q::one()], 20);
        assert!(want == series);
        // the exp-lambda path gives exact cumulants
        let v = cumulants_value(&m, &r_all, &Budget::ExpLambda(tr.clone()), 20, None, 128);
        let got = exact_cumulants_of(&v);
        assert!(got == want, "t = {t}: exact cumulants differ");
        // the certified path at lambda = ln t encloses them
        for prec in [128u32, 600] {
            let l = Enc::from_rational(&tr, prec).ln(prec);
            let k = cumulants(&m, &l, 20, prec);
            for (j, (e, w)) in k.iter().zip(&want).enumerate() {
                assert!(contains(e, w), "kappa_{} at t = {t}, {prec} bits", j + 1);
                if prec == 600 {
                    let width = float_to_big(e.hi()) - float_to_big(e.lo());
                    assert!(width < tol(-120), "kappa_{} enclosure too wide", j + 1);
                }
            }
        }
    }
}

#[test]
fn ldp3_cumulants_match_finite_differences_of_psi() {
    // central differences of psi(l0 + d) = ln(7/10 + 3/10 t e^d), t = 2, at l0 = ln 2:
    // delta_h^j psi / h^j = kappa_j + j h^2 kappa_{j+2} / 24 + O(h^4)
    let prec = 5000;
    let t = q("2");
    let qv = big(6, 13);
    let exact = bernoulli_cumulants(&qv, 22);
    let he: i64 = -40;
    let h = pow2(he);
    let psi = |offset_halves: i64| -> Enc {
        // d = offset_halves * h / 2, exact dyadic
        let d = Q::from_integer(BigInt::from(offset_halves)) * &h / Q::from_integer(BigInt::from(2));
        let de = Enc::from_rational(&common::big_to_rat(&d), prec);
        de.exp(prec)
            .mul_rational(&Rational::from(&t * &q("3/10")), prec)
            .add(&Enc::from_rational(&q("7/10"), prec), prec)
            .ln(prec)
    };
    for j in 1..=20usize {
        // sum_i (-1)^i C(j, i) psi(l0 + (j - 2i) h / 2)
        let mut acc = Enc::zero(prec);
        let mut binom = Rational::from(1);
        for i in 0..=j {
            let term = psi(j as i64 - 2 * i as i64).mul_rational(&binom, prec);
            acc = if i % 2 == 0 {
                acc.add(&term, prec)
            } else {
                acc.sub(&term, prec)
            };
            binom = binom * Rational::from((j - i) as u32) / Rational::from((i + 1) as u32);
        }
        let hj = common::big_to_rat(&pow2(-he * j as i64));
        let fd = acc.mul_rational(&hj, prec);
        let corr =
            Q::from_integer(BigInt::from(j)) * &h * &h * &exact[j + 1] / Q::from_integer(BigInt::from(24));
        let expect = &exact[j - 1] + &corr;
        let slack = &h * &h * &h * (exact[j + 1].abs() + Q::one()); // O(h^4) terms, generously
        let d_hi = float_to_big(fd.hi()) - &expect;
        let d_lo = &expect - float_to_big(fd.lo());
        assert!(d_hi <= slack && d_lo <= slack, "kappa_{j} vs finite difference");
    }
}

#[test]
fn ldp3_three_token_exact_cumulants_and_sequence_scaling() {
    // Example A with e^lambda = 1/2: phi exact; cumulants exact by the series method, and
    // kappa_j(S_n) = n kappa_j for the exact law of S_3 (27 sequences enumerated)
    let m = example_a();
    let r_all = vec![q("0"), q("1"), q("3")];
    let v = cumulants_value(&m, &r_all, &Budget::ExpLambda(q("1/2")), 12, None, 128);
    let got = exact_cumulants_of(&v);
    // phi = (1/2, 3/20, 1/40) / Z, Z = 27/40
    let phi = [big(20, 27), big(6, 27), big(1, 27)];
    let r = [Q::zero(), Q::one(), Q::from_integer(BigInt::from(3))];
    let want = series_cumulants(&phi, &r, 12);
    assert!(got == want);
    // law of S_3
    let mut law: std::collections::BTreeMap<i64, Q> = std::collections::BTreeMap::new();
    for a in 0..3 {
        for b in 0..3 {
            for c in 0..3 {
                let s = [0i64, 1, 3][a] + [0i64, 1, 3][b] + [0i64, 1, 3][c];
                *law.entry(s).or_insert_with(Q::zero) += &phi[a] * &phi[b] * &phi[c];
            }
        }
    }
    let (vals, ws): (Vec<Q>, Vec<Q>) = law
        .into_iter()
        .map(|(s, w)| (Q::from_integer(BigInt::from(s)), w))
        .unzip();
    let seq = series_cumulants(&ws, &vals, 12);
    for j in 0..12 {
        assert!(
            seq[j] == Q::from_integer(BigInt::from(3)) * &want[j],
            "kappa_{}(S_3) = 3 kappa_{}",
            j + 1,
            j + 1
        );
    }
}

// ---------------------------------------------------------------------------------------------
// LDP-3 / LDP-4: the scaled CGF and its Rényi forms
// ---------------------------------------------------------------------------------------------

#[test]
fn ldp4_scgf_and_renyi_forms_agree() {
    let prec = 400;
    let cases: [(TiltModel, Vec<Rational>, &str); 3] = [
        (example_a(), vec![q("0"), q("1"), q("3")], "3/10"),
        (example_b(), vec![q("0"), q("1")], "1/5"),
        // negative, fractional rewards and a zero-probability token (its reward enters C only)
        (
            model(&["1/3", "0", "1/6", "1/2"], &["-1/2", "4", "2/3", "0"]),
            vec![q("-1/2"), q("4"), q("2/3"), q("0")],
            "1/7",
        ),
    ];
    for (m, r_all, d) in cases {
        let l = l_delta(&m, d, prec);
        for t in ["1/2", "-1/4", "2", "-3", "1e-9"] {
            let tr = q(t);
            let lib = ld::scgf(&m, &l, &tr, prec);
            let s = l.add(&Enc::from_rational(&tr, prec), prec);
            let direct = direct_psi_phi(&m, &s, prec)
                .0
                .sub(&direct_psi_phi(&m, &l, prec).0, prec);
            assert!(close(&lib, &direct, &tol(-100)), "scgf at t = {t}");
            let forms = ld::scgf_renyi_forms(&m, &r_all, &l, &tr, prec);
            for (i, f) in forms.iter().enumerate() {
                let below = tr < 0 && Enc::from_rational(&tr, prec).add(&l, prec).hi() < &0;
                match f {
                    Some(f) => assert!(close(f, &direct, &tol(-100)), "form {} at t = {t}", i + 1),
                    None => assert!(i == 2 && below, "form {} missing at t = {t}", i + 1),
                }
            }
        }
    }
    // Example A, 60 digits from mpmath
    let m = example_a();
    let l = l_delta(&m, "3/10", prec);
    let want = [
        (
            "1/2",
            "1.10883620053955922703818203580916246475657078753621384120197",
        ),
        (
            "-1/4",
            "-0.411651268632745122416758198401753022317595844387219293887638",
        ),
        (
            "2",
            "5.38982164551726603691714435420038508614549871734350093670041",
        ),
    ];
    for (t, s) in want {
        assert!(within_one_ulp(&ld::scgf(&m, &l, &q(t), prec), s), "Lambda({t})");
    }
}

#[test]
fn ldp3_scgf_at_the_reference_is_psi() {
    // Delta = 0: Lambda_0(t) = psi(t)
    let m = example_a();
    let r_all = vec![q("0"), q("1"), q("3")];
    let prec = 300;
    for t in ["1", "-1/2", "7/3"] {
        let v = cumulants_value(&m, &r_all, &Budget::Delta(Rational::new()), 4, Some(&q(t)), prec);
        let te = Enc::from_rational(&q(t), prec);
        let direct = direct_psi_phi(&m, &te, prec).0;
        assert!(
            close(&real(&v, "scgf"), &direct, &tol(-85)),
            "Lambda_0({t}) = psi({t})"
        );
        // exact cumulants of p at Delta = 0
        let got = exact_cumulants_of(&v);
        let want = series_cumulants(
            &[big(1, 2), big(3, 10), big(1, 5)],
            &[Q::zero(), Q::one(), Q::from_integer(BigInt::from(3))],
            4,
        );
        assert!(got == want);
    }
}

#[test]
fn ldp1_rate_at_points_with_many_digits_is_certified() {
    // points whose root used to be lost by an uncertified bracket update (see proofs/tilt.md)
    let m = example_a();
    let b = Budget::Delta(q("3/10"));
    for x in [
        "1.1000000000000000000000000000001",
        "0.9000000000000000000000000000001",
        "1e-30",
        "2.999999999999999999999999999999",
    ] {
        let v = rate(&m, x, Some(&b), 30);
        let l = real(&v, "lambda_x");
        assert!(certify_decimal(&l, 30).is_some(), "lambda_x at {x}");
        // the root of mu(l) = x lies in [lambda_x]: mu (summed in the test from the tilted
        // vector) is increasing and straddles x across the enclosure
        let prec = 2000;
        let mu_at = |e: &rug::Float| -> Enc {
            let (_, phi) = direct_psi_phi(&m, &Enc::point(e), prec);
            Enc::sum(
                phi.iter()
                    .zip(&m.r)
                    .map(|(f, r)| f.mul_rational(r, prec))
                    .collect::<Vec<_>>()
                    .iter(),
                prec,
            )
        };
        let xe = Enc::from_rational(&q(x), prec);
        assert!(
            mu_at(l.lo()).hi() < xe.lo() && mu_at(l.hi()).lo() > xe.hi(),
            "mu(lambda_x) brackets {x}"
        );
        assert!(certify_decimal(&real(&v, "rate_reference"), 30).is_some());
        assert!(certify_decimal(&real(&v, "rate_aligned"), 30).is_some());
    }
}
