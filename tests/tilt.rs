//! TILT-1 (and the budget forms of TILT-2): the KL-constrained optimum of `tilt`, through the
//! library entry points that the CLI uses (`report::tilt::tilt_value` under the precision loop).
//!
//! - Examples A and B of MATH.md §8 to every digit given there: the certified decimal printed by
//!   the precision loop must equal the MATH.md string, and the enclosure must lie within one unit
//!   in the last place of it; 60-digit values computed independently (mpmath, findroot at 90
//!   digits) are checked the same way.
//! - The regimes of TILT-1: `Delta = 0`, interior, saturated, constant reward, zero-probability
//!   tokens, ties at the maximum, budgets within 1e-6 and 1e-300 of `Delta_max`, a tiny budget.
//!   The interior answers are re-checked by independent evaluations (the partition function and
//!   `D(phi||p)` summed in the test from the certified `lambda`, and an intermediate-value
//!   bracket of the root computed in the test).
//! - `--exp-lambda` exactness (`phi` equals `p_a t^{r_a} / Z` in exact rationals, compared with
//!   `==` in num-rational) and `beta = 1/lambda`.

mod common;

use alignexact::math::tilt::{Budget, TiltModel};
use alignexact::real::format::certify_decimal;
use alignexact::real::ziv::{self, Precision};
use alignexact::real::Enc;
use alignexact::report::tilt::tilt_value;
use alignexact::report::Value;
use common::{
    big, decimal_to_big, float_to_big, float_to_ext, rat_to_big, run_cli, significant_digits, ulp_sig,
};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use rug::Rational;

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

use common::{example_a, example_b, model, q};

/// The certified result of `tilt` at `digits`, exactly as the CLI computes it (with a precision
/// cap of 2^15 bits instead of 2^20, so that a regression fails fast instead of running for hours).
fn tilt(m: &TiltModel, b: &Budget, digits: usize) -> Value {
    let p = Precision {
        digits,
        cap_bits: 1 << 15,
    };
    ziv::run(&p, |bits| Ok(tilt_value(m, b, bits))).expect("certified")
}

fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or_else(|| panic!("missing field {key}"))
}

fn real(v: &Value, key: &str) -> Enc {
    match field(v, key) {
        Value::Real(e) => e.clone(),
        other => panic!("{key}: expected a certified real, got {other:?}"),
    }
}

fn exact(v: &Value, key: &str) -> Rational {
    match field(v, key) {
        Value::Exact(r) => r.clone(),
        other => panic!("{key}: expected an exact rational, got {other:?}"),
    }
}

fn string(v: &Value, key: &str) -> String {
    match field(v, key) {
        Value::Str(s) => s.clone(),
        other => panic!("{key}: expected a string, got {other:?}"),
    }
}

fn array(v: &Value, key: &str) -> Vec<Value> {
    match field(v, key) {
        Value::Array(a) => a.clone(),
        other => panic!("{key}: expected an array, got {other:?}"),
    }
}

/// `e` lies within one unit in the last place of the decimal `s` (every point of `[lo, hi]`).
fn within_one_ulp(e: &Enc, s: &str) -> bool {
    let d = decimal_to_big(s);
    let u = ulp_sig(&d, significant_digits(s));
    float_to_big(e.lo()) >= &d - &u && float_to_big(e.hi()) <= &d + &u
}

/// The MATH.md check: the certified decimal at the digits of `s` is `s`, and the enclosure is
/// within one ulp of `s`.
fn assert_math(name: &str, e: &Enc, s: &str) {
    let sig = significant_digits(s);
    let c = certify_decimal(e, sig).unwrap_or_else(|| panic!("{name}: not certified to {sig} digits"));
    assert_eq!(c.value, s, "{name}: printed value");
    assert!(
        within_one_ulp(e, s),
        "{name}: [{}, {}] not within one ulp of {s}",
        e.lo(),
        e.hi()
    );
}

/// `lo <= q <= hi` in exact arithmetic.
fn contains(e: &Enc, q: &BigRational) -> bool {
    float_to_ext(e.lo()).le(q) && float_to_ext(e.hi()).ge(q)
}

/// Relative width of an enclosure, as an f64 (for tightness assertions).
fn rel_width(e: &Enc) -> f64 {
    let w = float_to_big(e.hi()) - float_to_big(e.lo());
    let m = float_to_big(e.hi());
    let r = w / m;
    num_traits::ToPrimitive::to_f64(&r).unwrap().abs()
}

/// `Z(l) = sum p_a e^{l r_a}` and `phi_l`, computed in the test from the model and an enclosure
/// of `l` (plain enclosure arithmetic, no shifting: independent of `math::tilt::eval`).
fn direct_tilt(m: &TiltModel, l: &Enc, prec: u32) -> (Enc, Vec<Enc>) {
    let w: Vec<Enc> =
        m.p.iter()
            .zip(&m.r)
            .map(|(p, r)| l.mul_rational(r, prec).exp(prec).mul_rational(p, prec))
            .collect();
    let z = Enc::sum(w.iter(), prec);
    let phi = w.iter().map(|x| x.div(&z, prec)).collect();
    (z, phi)
}

/// `D(phi || p)` summed in the test.
fn direct_kl(m: &TiltModel, phi: &[Enc], prec: u32) -> Enc {
    let terms: Vec<Enc> = phi
        .iter()
        .zip(&m.p)
        .map(|(f, p)| Enc::xlogxy(f, &Enc::from_rational(p, prec), prec))
        .collect();
    Enc::sum(terms.iter(), prec)
}

/// |a - b| <= tol for every pair of points of two enclosures.
fn close(a: &Enc, b: &Enc, tol: f64) -> bool {
    let d1 = float_to_big(a.hi()) - float_to_big(b.lo());
    let d2 = float_to_big(b.hi()) - float_to_big(a.lo());
    let t = BigRational::from_float(tol).unwrap();
    d1 <= t && d2 <= t
}

/// A rational lower bound of `Delta_max` certified at `bits` bits.
fn delta_max_lower(m: &TiltModel, bits: u32) -> Rational {
    m.delta_max(bits).lo().to_rational().unwrap()
}

fn pow10_rat(e: u32) -> Rational {
    Rational::from((
        rug::Integer::from(1),
        rug::Integer::from(rug::Integer::u_pow_u(10, e)),
    ))
}

// ---------------------------------------------------------------------------------------------
// MATH.md §8, all digits
// ---------------------------------------------------------------------------------------------

#[test]
fn tilt1_example_a_all_digits_of_math_md() {
    let m = example_a();
    let v = tilt(&m, &Budget::Delta(q("3/10")), 30);
    assert_eq!(string(&v, "regime"), "interior");
    assert_math("lambda", &real(&v, "lambda"), "0.603413502336146375060402509455");
    assert_math(
        "x*",
        &real(&v, "expected_reward"),
        "1.85639040896927369651738197464",
    );
    assert_math(
        "psi",
        &real(&v, "log_partition"),
        "0.820171038379380558283958139888",
    );
    // Delta_max = ln 5 (decimal of ln 5 from mpmath)
    assert_math(
        "delta_max",
        &real(&v, "delta_max"),
        "1.60943791243410037460075933323",
    );
    // the constraint is tight: the budget is echoed exactly
    assert_eq!(exact(&v, "delta"), q("3/10"));
}

#[test]
fn tilt1_example_a_sixty_digits_independent() {
    // 60-digit values from mpmath (findroot of K(l) = 3/10 at 90 digits), not from this crate
    let m = example_a();
    let v = tilt(&m, &Budget::Delta(q("3/10")), 60);
    let cases = [
        (
            "lambda",
            "0.603413502336146375060402509455278404989578214551659510593957",
        ),
        (
            "expected_reward",
            "1.85639040896927369651738197464218545522407931152109721905766",
        ),
        (
            "log_partition",
            "0.820171038379380558283958139888139097347374608330008565486816",
        ),
        (
            "reward_variance",
            "1.63991078071114635277629360796088901626630853720213623046178",
        ),
        (
            "delta_max",
            "1.60943791243410037460075933322618763952560135426851772191265",
        ),
    ];
    for (k, s) in cases {
        assert!(within_one_ulp(&real(&v, k), s), "{k} at 60 digits");
    }
    let phi = array(&v, "phi");
    let want = [
        "0.220178165115719605843133004716107237239427598428461215592665",
        "0.241537547841783742976609505604746416528818946596759567082173",
        "0.538284287042496651180257489679146346231753454974779217325163",
    ];
    for (f, s) in phi.iter().zip(want) {
        let Value::Real(e) = f else {
            panic!("phi entry must be real")
        };
        assert!(within_one_ulp(e, s), "phi at 60 digits: {s}");
    }
}

#[test]
fn tilt1_example_b_all_digits_of_math_md() {
    let m = example_b();
    let v = tilt(&m, &Budget::Delta(q("1/5")), 30);
    assert_eq!(string(&v, "regime"), "interior");
    assert_math("lambda", &real(&v, "lambda"), "1.27902712604927665007954935031");
    assert_math(
        "x*",
        &real(&v, "expected_reward"),
        "0.606286525414133798173288856969",
    );
    // 60 digits, mpmath
    let v = tilt(&m, &Budget::Delta(q("1/5")), 60);
    assert!(within_one_ulp(
        &real(&v, "lambda"),
        "1.27902712604927665007954935030740374822994572099261520338407"
    ));
    assert!(within_one_ulp(
        &real(&v, "expected_reward"),
        "0.606286525414133798173288856968963570452819937716151403715758"
    ));
    assert!(within_one_ulp(
        &real(&v, "log_partition"),
        "0.575456912162841280617823772119421915940059772137071170711653"
    ));
}

#[test]
fn tilt1_example_a_interior_is_consistent_with_direct_sums() {
    // psi, phi, x*, sigma2 and D(phi||p) recomputed in the test from the certified lambda
    let m = example_a();
    let v = tilt(&m, &Budget::Delta(q("3/10")), 40);
    let l = real(&v, "lambda");
    let prec = 400;
    let (z, phi) = direct_tilt(&m, &l, prec);
    assert!(close(&z.ln(prec), &real(&v, "log_partition"), 1e-38));
    let printed: Vec<Enc> = array(&v, "phi")
        .iter()
        .map(|f| match f {
            Value::Real(e) => e.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    for (a, b) in phi.iter().zip(&printed) {
        assert!(close(a, b, 1e-39));
    }
    let mu = Enc::sum(
        phi.iter()
            .zip(&m.r)
            .map(|(f, r)| f.mul_rational(r, prec))
            .collect::<Vec<_>>()
            .iter(),
        prec,
    );
    assert!(close(&mu, &real(&v, "expected_reward"), 1e-38));
    let second = Enc::sum(
        phi.iter()
            .zip(&m.r)
            .map(|(f, r)| f.mul_rational(&Rational::from(r * r), prec))
            .collect::<Vec<_>>()
            .iter(),
        prec,
    );
    let var = second.sub(&mu.square(prec), prec);
    assert!(close(&var, &real(&v, "reward_variance"), 1e-37));
    // tight constraint: D(phi || p) = 3/10
    let d = direct_kl(&m, &phi, prec);
    assert!(close(&d, &Enc::from_rational(&q("3/10"), prec), 1e-38));
    // the probabilities sum to 1
    assert!(close(
        &Enc::sum(printed.iter(), prec),
        &Enc::from_i64(1, prec),
        1e-38
    ));
}

// ---------------------------------------------------------------------------------------------
// regimes of TILT-1
// ---------------------------------------------------------------------------------------------

#[test]
fn tilt1_delta_zero_is_the_reference() {
    let m = example_a();
    let v = tilt(&m, &Budget::Delta(Rational::new()), 30);
    assert_eq!(string(&v, "regime"), "reference");
    assert_eq!(exact(&v, "lambda"), 0);
    assert_eq!(exact(&v, "delta"), 0);
    assert_eq!(exact(&v, "log_partition"), 0);
    assert_eq!(rat_to_big(&exact(&v, "expected_reward")), big(9, 10));
    // E r^2 - (E r)^2 = 3/10 + 9/5 - 81/100 = 129/100
    assert_eq!(rat_to_big(&exact(&v, "reward_variance")), big(129, 100));
    let phi = array(&v, "phi");
    for (f, want) in phi.iter().zip([big(1, 2), big(3, 10), big(1, 5)]) {
        let Value::Exact(r) = f else {
            panic!("phi must be exact at Delta = 0")
        };
        assert_eq!(rat_to_big(r), want);
    }
}

#[test]
fn tilt1_saturated_budget_gives_p_conditioned_on_a_max() {
    let m = example_a();
    for d in ["2", "1000", "1.61"] {
        let v = tilt(&m, &Budget::Delta(q(d)), 30);
        assert_eq!(string(&v, "regime"), "saturated", "Delta = {d}");
        assert!(real(&v, "lambda").is_pos_infinity());
        assert!(real(&v, "log_partition").is_pos_infinity());
        assert_eq!(exact(&v, "expected_reward"), 3);
        assert_eq!(exact(&v, "reward_variance"), 0);
        // D(p(.|A_max) || p) = Delta_max = ln 5 < Delta
        assert_math("delta", &real(&v, "delta"), "1.60943791243410037460075933323");
        let phi: Vec<BigRational> = array(&v, "phi")
            .iter()
            .map(|f| match f {
                Value::Exact(r) => rat_to_big(r),
                other => panic!("saturated phi must be exact, got {other:?}"),
            })
            .collect();
        assert_eq!(
            phi,
            vec![BigRational::zero(), BigRational::zero(), BigRational::one()]
        );
    }
    // 1.609 < ln 5 = 1.6094...: still interior
    let v = tilt(&m, &Budget::Delta(q("1.609")), 30);
    assert_eq!(string(&v, "regime"), "interior");
}

#[test]
fn tilt1_constant_reward_is_the_reference() {
    for (p, r) in [
        (vec!["1/3", "1/3", "1/3"], vec!["2", "2", "2"]),
        // constant on the support; the zero-probability token's reward is irrelevant
        (vec!["1/2", "1/2", "0"], vec!["-1/3", "-1/3", "7"]),
    ] {
        let m = model(&p, &r);
        for d in ["0", "1/10", "5"] {
            let v = tilt(&m, &Budget::Delta(q(d)), 30);
            assert_eq!(string(&v, "regime"), "reference", "r = {r:?}, Delta = {d}");
            assert!(real(&v, "delta_max").is_exact_zero(), "Delta_max = 0 exactly");
            assert_eq!(exact(&v, "lambda"), 0);
            assert_eq!(exact(&v, "reward_variance"), 0);
            let phi = array(&v, "phi");
            for (f, want) in phi.iter().zip(&p) {
                let Value::Exact(r) = f else {
                    panic!("phi must be exact")
                };
                assert_eq!(*r, q(want));
            }
        }
    }
}

#[test]
fn tilt1_zero_probability_tokens_get_exactly_zero() {
    // token 2 has p = 0 and the largest reward: it must not count as A_max
    let m = model(&["1/2", "0", "1/2"], &["0", "5", "1"]);
    let v = tilt(&m, &Budget::Delta(q("1/10")), 30);
    assert_eq!(string(&v, "regime"), "interior");
    let phi = array(&v, "phi");
    match &phi[1] {
        Value::Exact(r) => assert_eq!(*r, 0),
        other => panic!("phi of a zero-probability token must be exactly 0, got {other:?}"),
    }
    // Delta_max = -ln p(A_max) = ln 2 (A_max = {3}, not the zero-probability token)
    assert_math(
        "delta_max",
        &real(&v, "delta_max"),
        "0.693147180559945309417232121458",
    );
    // two-token tilt on the support {1, 3}: phi_3 = e^l / (1 + e^l) = x*
    let l = real(&v, "lambda");
    let prec = 300;
    let (_, dphi) = direct_tilt(&m, &l, prec);
    let Value::Real(f3) = &phi[2] else { panic!() };
    assert!(close(&dphi[1], f3, 1e-29)); // support order: tokens 1 and 3
    assert!(close(&real(&v, "expected_reward"), f3, 1e-29));
    // saturated: p(.|A_max) = (0, 0, 1) exactly
    let v = tilt(&m, &Budget::Delta(q("1")), 30);
    assert_eq!(string(&v, "regime"), "saturated");
    let phi: Vec<Rational> = array(&v, "phi")
        .iter()
        .map(|f| match f {
            Value::Exact(r) => r.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(phi, vec![Rational::new(), Rational::new(), Rational::from(1)]);
    assert_eq!(exact(&v, "expected_reward"), 1);
}

#[test]
fn tilt1_ties_at_the_maximum() {
    // A_max = {2, 3} with p(A_max) = 1/2
    let m = model(&["1/2", "1/5", "3/10"], &["0", "1", "1"]);
    // saturated: p(. | A_max) = (0, 2/5, 3/5) exactly
    let v = tilt(&m, &Budget::Delta(q("1")), 30);
    assert_eq!(string(&v, "regime"), "saturated");
    let phi: Vec<BigRational> = array(&v, "phi")
        .iter()
        .map(|f| match f {
            Value::Exact(r) => rat_to_big(r),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(phi, vec![BigRational::zero(), big(2, 5), big(3, 5)]);
    assert_math(
        "delta_max",
        &real(&v, "delta_max"),
        "0.693147180559945309417232121458",
    );
    // interior: tied tokens keep the reference ratio 2 : 3, i.e. phi proportional to p on A_max
    let v = tilt(&m, &Budget::Delta(q("1/2")), 30);
    assert_eq!(string(&v, "regime"), "interior");
    let f: Vec<Enc> = array(&v, "phi")
        .iter()
        .map(|x| match x {
            Value::Real(e) => e.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let prec = 200;
    assert!(close(
        &f[1].mul_rational(&q("3"), prec),
        &f[2].mul_rational(&q("2"), prec),
        1e-29
    ));
    // and their sum is x* (the reward is 1 on A_max, 0 elsewhere)
    assert!(close(&f[1].add(&f[2], prec), &real(&v, "expected_reward"), 1e-29));
}

/// The deficit `Delta_max - K(l) = ln(1 + W_rest/p(A_max)) + l G / W` of Example A, computed in
/// the test at `prec` bits from an exact point `l` (t = e^{-l}):
/// `W_rest = t^3/2 + 3 t^2/10`, `G = 3 t^3/2 + 3 t^2/5`, `W = 1/5 + W_rest`.
fn deficit_example_a(l: &rug::Float, prec: u32) -> Enc {
    let le = Enc::point(l);
    let t = le.neg().exp(prec);
    let t2 = t.square(prec);
    let t3 = t2.mul(&t, prec);
    let w_rest = t3
        .mul_rational(&q("1/2"), prec)
        .add(&t2.mul_rational(&q("3/10"), prec), prec);
    let g = t3
        .mul_rational(&q("3/2"), prec)
        .add(&t2.mul_rational(&q("3/5"), prec), prec);
    let w = w_rest.add(&Enc::from_rational(&q("1/5"), prec), prec);
    w_rest
        .mul_rational(&q("5"), prec)
        .ln_1p(prec)
        .add(&le.mul(&g, prec).div(&w, prec), prec)
}

/// A budget `Delta = (lower bound of Delta_max) - 10^-k`: the answer is interior, `lambda` is
/// certified to 30 digits, and (independently) the deficit changes sign across `[lambda]`
/// (it is strictly decreasing), so the root lies in the printed enclosure.
fn near_delta_max(k: u32) {
    let m = example_a();
    let bits = 1400;
    let dmax_lo = delta_max_lower(&m, bits);
    let delta = Rational::from(&dmax_lo - &pow10_rat(k));
    let v = tilt(&m, &Budget::Delta(delta.clone()), 30);
    assert_eq!(string(&v, "regime"), "interior", "Delta_max - 1e-{k}");
    let l = real(&v, "lambda");
    assert!(l.is_finite());
    assert!(certify_decimal(&l, 30).is_some(), "lambda certified to 30 digits");
    // target = Delta_max - Delta in [10^-k, 10^-k + 2^-(bits-2)]
    let prec = 6000;
    let dmax = m.delta_max(prec);
    let target = dmax.sub(&Enc::from_rational(&delta, prec), prec);
    assert!(*target.lo() > 0);
    let at_lo = deficit_example_a(l.lo(), prec);
    let at_hi = deficit_example_a(l.hi(), prec);
    assert!(at_lo.lo() > target.hi(), "deficit(lambda.lo) > Delta_max - Delta");
    assert!(at_hi.hi() < target.lo(), "deficit(lambda.hi) < Delta_max - Delta");
    // near saturation: x* -> 3 and phi -> (0, 0, 1)
    let x = real(&v, "expected_reward");
    assert!(float_to_big(x.hi()) < big(3, 1));
    let gap = big(3, 1) - float_to_big(x.lo());
    // r_max - x* = G/W ~ 3 t^2 < deficit ~ (3/2 + 3 l) t^2 = 10^-k
    assert!(gap < rat_to_big(&pow10_rat(k)), "r_max - x* < 10^-{k}");
}

#[test]
fn tilt1_budget_within_1e_6_of_delta_max() {
    near_delta_max(6);
}

#[test]
fn tilt1_budget_within_1e_300_of_delta_max() {
    near_delta_max(300);
}

#[test]
fn tilt1_tiny_budget_is_certified() {
    // K(l) ~ l^2 sigma2 / 2: the root is ~1e-15 and K cancels to ~100 bits at working precision
    let m = example_a();
    for k in [12u32, 30] {
        let delta = pow10_rat(k);
        let v = tilt(&m, &Budget::Delta(delta.clone()), 30);
        assert_eq!(string(&v, "regime"), "interior", "Delta = 1e-{k}");
        let l = real(&v, "lambda");
        assert!(rel_width(&l) < 1e-29);
        // independent IVT check: D(phi_l || p) summed directly at 3000 bits
        let prec = 3000;
        let k_lo = direct_kl(&m, &direct_tilt(&m, &Enc::point(l.lo()), prec).1, prec);
        let k_hi = direct_kl(&m, &direct_tilt(&m, &Enc::point(l.hi()), prec).1, prec);
        let d = Enc::from_rational(&delta, prec);
        assert!(
            k_lo.hi() < d.lo() && k_hi.lo() > d.hi(),
            "K(lambda.lo) < Delta < K(lambda.hi)"
        );
        // and lambda ~ sqrt(2 Delta / sigma2(0)), sigma2(0) = 129/100
        let approx = (2.0 * 10f64.powi(-(k as i32)) / 1.29).sqrt();
        let got = l.mid().to_f64();
        assert!((got / approx - 1.0).abs() < 1e-3, "lambda {got} vs {approx}");
    }
}

// ---------------------------------------------------------------------------------------------
// exact tilts (--exp-lambda) and beta = 1/lambda
// ---------------------------------------------------------------------------------------------

/// `p_a t^{r_a} / sum_b p_b t^{r_b}` in num-rational (integer rewards, any sign).
fn exact_tilt_big(p: &[BigRational], r: &[i64], t: &BigRational) -> Vec<BigRational> {
    let pw = |e: i64| -> BigRational {
        let base = if e >= 0 { t.clone() } else { t.recip() };
        num_traits::pow(base, e.unsigned_abs() as usize)
    };
    let w: Vec<BigRational> = p.iter().zip(r).map(|(pa, &ra)| pa * pw(ra)).collect();
    let z: BigRational = w.iter().cloned().fold(BigRational::zero(), |a, b| a + b);
    w.into_iter().map(|x| x / &z).collect()
}

#[test]
fn tilt_exp_lambda_gives_the_exact_rational_tilt() {
    let cases: Vec<(Vec<&str>, Vec<i64>, &str)> = vec![
        (vec!["1/2", "3/10", "1/5"], vec![0, 1, 3], "2"),
        (vec!["1/2", "3/10", "1/5"], vec![0, 1, 3], "1/3"),
        (vec!["7/10", "3/10"], vec![0, 1], "2"),
        (vec!["1/4", "1/4", "0", "1/2"], vec![-2, 0, 9, 1], "3/2"),
        (vec!["1/6", "1/3", "1/2"], vec![5, -3, 5], "7/11"),
    ];
    for (p, r, t) in cases {
        let rs: Vec<String> = r.iter().map(|x| x.to_string()).collect();
        let rs: Vec<&str> = rs.iter().map(|s| s.as_str()).collect();
        let m = model(&p, &rs);
        let v = tilt(&m, &Budget::ExpLambda(q(t)), 30);
        assert_eq!(string(&v, "regime"), "interior");
        let pb: Vec<BigRational> = p.iter().map(|s| rat_to_big(&q(s))).collect();
        let want = exact_tilt_big(&pb, &r, &rat_to_big(&q(t)));
        let got: Vec<BigRational> = array(&v, "phi")
            .iter()
            .map(|f| match f {
                Value::Exact(x) => rat_to_big(x),
                other => panic!("--exp-lambda {t}: phi must be exact, got {other:?}"),
            })
            .collect();
        assert!(got == want, "phi for t = {t}: {got:?} != {want:?}");
        // E_phi r and the variance are exact too
        let mean: BigRational = want.iter().zip(&r).fold(BigRational::zero(), |a, (f, &x)| {
            a + f * BigRational::from_integer(BigInt::from(x))
        });
        assert!(rat_to_big(&exact(&v, "expected_reward")) == mean);
        let second: BigRational = want.iter().zip(&r).fold(BigRational::zero(), |a, (f, &x)| {
            a + f * BigRational::from_integer(BigInt::from(x * x))
        });
        assert!(rat_to_big(&exact(&v, "reward_variance")) == second - &mean * &mean);
        // lambda encloses ln t: exp([lambda]) contains t
        let l = real(&v, "lambda");
        assert!(contains(&l.exp(200), &rat_to_big(&q(t))));
    }
}

#[test]
fn tilt_exp_lambda_with_fractional_rewards_encloses_the_exact_tilt() {
    // r = (0, 1/2), t = 4: t^{1/2} = 2, so phi = (1/2, 1)/(3/2) = (1/3, 2/3) exactly, but the
    // exact path only handles integer reward differences: the enclosures must contain it
    let m = model(&["1/2", "1/2"], &["0", "1/2"]);
    let v = tilt(&m, &Budget::ExpLambda(q("4")), 30);
    let phi = array(&v, "phi");
    for (f, want) in phi.iter().zip([big(1, 3), big(2, 3)]) {
        match f {
            Value::Real(e) => assert!(contains(e, &want)),
            Value::Exact(x) => assert!(rat_to_big(x) == want),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn tilt2_beta_is_one_over_lambda() {
    let a = ["tilt", "--p", "1/2,3/10,1/5", "--r", "0,1,3", "--json"];
    for (beta, lambda) in [("2", "1/2"), ("3/7", "7/3"), ("0.25", "4")] {
        let (c1, o1, e1) = run_cli(&[&a[..], &["--beta", beta]].concat());
        let (c2, o2, e2) = run_cli(&[&a[..], &["--lambda", lambda]].concat());
        assert_eq!((c1, c2), (0, 0), "{e1} {e2}");
        let j1: serde_json::Value = serde_json::from_str(&o1).unwrap();
        let j2: serde_json::Value = serde_json::from_str(&o2).unwrap();
        assert_eq!(j1["result"], j2["result"], "beta {beta} vs lambda {lambda}");
        assert_eq!(j1["result"]["regime"], "interior");
    }
    // and the library's budget: beta parses to Lambda(1/beta)
    let args = alignexact::cli::budget::BudgetArgs {
        beta: Some("3/7".into()),
        ..Default::default()
    };
    assert_eq!(args.parse(true).unwrap(), Some(Budget::Lambda(q("7/3"))));
}

#[test]
fn tilt_lambda_budget_reproduces_the_delta_budget() {
    // feeding back a 40-digit rational lambda_Delta gives D(phi||p) = 3/10 to ~40 digits
    let m = example_a();
    let l = q("0.6034135023361463750604025094552784049896");
    let v = tilt(&m, &Budget::Lambda(l), 40);
    assert!(close(
        &real(&v, "delta"),
        &Enc::from_rational(&q("3/10"), 300),
        1e-39
    ));
    assert!(within_one_ulp(
        &real(&v, "expected_reward"),
        "1.856390408969273696517381974642185455224"
    ));
}

// ---------------------------------------------------------------------------------------------
// TiltModel construction (integer passes) and the reward law (fast hash, integer masses)
// ---------------------------------------------------------------------------------------------

/// `TiltModel::new` (integer passes over common denominators) gives the fields the rational
/// definitions give (`==`): the support, `r_max`, `r_min`, `p(A_max)`, `p(A_min)`, `E_p r`
/// (the `Model` methods, one exact rational pass each); `by_reward` gives the reward law of an
/// ordered map of exact rational sums, in increasing reward order, and `None` exactly when the
/// rewards on the support are distinct. Random models with ties, zero probabilities, negative
/// rewards, mixed denominators and reward denominators past 2^64.
#[test]
fn tilt_model_construction_matches_rational_definitions() {
    use alignexact::exact::dist::{Distribution, Model};
    use std::collections::BTreeMap;
    let mut rng = common::SplitMix64(0x7117_0DE1);
    for k in 1..=9usize {
        for rep in 0..20 {
            let mut w: Vec<Rational> = (0..k)
                .map(|_| {
                    if rng.below(4) == 0 {
                        Rational::new()
                    } else {
                        Rational::from((rng.range_i64(1, 30), rng.range_i64(1, 12)))
                    }
                })
                .collect();
            if w.iter().all(|x| *x == 0) {
                w[rng.below(k as u64) as usize] = Rational::from(1);
            }
            let mut r: Vec<Rational> = Vec::with_capacity(k);
            for a in 0..k {
                let x = if a > 0 && rng.below(3) == 0 {
                    r[rng.below(a as u64) as usize].clone()
                } else if rep % 4 == 3 && rng.coin() {
                    let den = (rug::Integer::from(1) << 70u32) + rng.range_i64(1, 99);
                    Rational::from((rug::Integer::from(rng.range_i64(-999, 999)), den))
                } else {
                    Rational::from((rng.range_i64(-20, 20), rng.range_i64(1, 9)))
                };
                r.push(x);
            }
            let m = Model::new(Distribution::new(w, true, "--p").unwrap(), r).unwrap();
            let tm = TiltModel::new(&m);
            assert_eq!(tm.k, k);
            assert_eq!(tm.idx, m.support());
            let sp: Vec<Rational> = m.support().iter().map(|&i| m.probs()[i].clone()).collect();
            let sr: Vec<Rational> = m.support().iter().map(|&i| m.r[i].clone()).collect();
            assert_eq!(tm.p, sp);
            assert_eq!(tm.r, sr);
            assert_eq!(tm.r_max, m.r_max(), "{m:?}");
            assert_eq!(tm.r_min, m.r_min(), "{m:?}");
            assert_eq!(tm.p_max, m.mass_max(), "{m:?}");
            assert_eq!(tm.p_min, m.mass_min(), "{m:?}");
            assert_eq!(tm.mean, m.mean(), "{m:?}");
            // the reward law against an ordered map of rational sums
            let mut law: BTreeMap<Rational, Rational> = BTreeMap::new();
            for (p, r) in sp.iter().zip(&sr) {
                *law.entry(r.clone()).or_default() += p;
            }
            match tm.by_reward() {
                None => assert_eq!(law.len(), sp.len(), "ties but no merged law: {m:?}"),
                Some(merged) => {
                    assert!(law.len() < sp.len());
                    let (r2, p2): (Vec<Rational>, Vec<Rational>) = law.into_iter().unzip();
                    assert_eq!(merged.r, r2, "{m:?}");
                    assert_eq!(merged.p, p2, "{m:?}");
                    assert_eq!(merged.k, r2.len());
                    assert_eq!(merged.idx, (0..r2.len()).collect::<Vec<_>>());
                    assert_eq!(
                        (
                            &merged.r_max,
                            &merged.r_min,
                            &merged.p_max,
                            &merged.p_min,
                            &merged.mean
                        ),
                        (&tm.r_max, &tm.r_min, &tm.p_max, &tm.p_min, &tm.mean)
                    );
                }
            }
        }
    }
}
