//! Regression tests for the edges found by the issue-15 audit: the saturated limits of the
//! log-partition function (TILT-1), decimal `value`s that never show non-significant zeros,
//! the enclosure invariants (`lo <= hi`, `clamp_nonneg`), quantities far outside MPFR's default
//! exponent range (BON-1, BON-2, TILT-1 at extreme rewards), cumulants of concentrated tilts
//! (LDP-3), and the constant-reward conventions. Values are checked against independent
//! computations (exact rationals, other formulas, high-precision MPFR), never hard-coded output.

mod common;

use alignexact::error::Error;
use alignexact::math::tilt::cumulants;
use alignexact::real::format::certify_decimal;
use alignexact::real::ziv::{self, Precision};
use alignexact::real::Enc;
use alignexact::report::tilt::{exact_cumulants, exact_tilt};
use common::{decimal_to_big, model, q, run_cli, significant_digits, ulp_sig};
use num_traits::Signed;
use rug::ops::Pow;
use rug::{Float, Rational};
use serde_json::Value as Json;

fn json_of(a: &[&str]) -> Json {
    let (code, out, err) = run_cli(a);
    assert_eq!(code, 0, "{a:?}: {err}");
    serde_json::from_str(&out).expect("one JSON document")
}

/// Every certified `value` of a JSON tree (skipping exact zeros and infinities), with its path.
fn values(j: &Json, path: &str, out: &mut Vec<(String, String)>) {
    match j {
        Json::Object(m) => {
            if let Some(Json::String(v)) = m.get("value") {
                if v != "0" && v != "inf" && v != "-inf" {
                    out.push((path.to_string(), v.clone()));
                }
                return;
            }
            for (k, x) in m {
                values(x, &format!("{path}.{k}"), out);
            }
        }
        Json::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                values(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// A positional decimal whose digits stop before the units place would print zeros that are not
/// significant: every value must show exactly `digits` significant digits, and a value without
/// an exponent must reach the units place (no trailing integer zeros beyond the digits).
fn assert_values_honest(j: &Json, digits: usize) {
    let mut vs = Vec::new();
    values(&j["result"], "result", &mut vs);
    assert!(!vs.is_empty());
    for (path, v) in vs {
        assert_eq!(significant_digits(&v), digits, "{path} = {v}");
        if !v.contains('e') && !v.contains('.') {
            let d = v.trim_start_matches('-');
            assert!(d.len() <= digits, "{path} = {v} shows non-significant zeros");
        }
    }
}

// ---- TILT-1: the saturated limits of psi and Z by the sign of r_max (issue 15, defect 1) ----

#[test]
fn tilt1_saturated_log_partition_limits_follow_the_sign_of_r_max() {
    // r_max < 0: psi(l) = l r_max + ln(...) -> -inf and Z -> 0
    let j = json_of(&["tilt", "--p", "1/2,1/2", "--r=-1,-2", "--delta", "1", "--json"]);
    assert_eq!(j["result"]["regime"], "saturated");
    assert_eq!(j["result"]["log_partition"]["value"], "-inf");
    assert_eq!(j["result"]["partition"]["exact"], "0");
    // r_max = 0: psi -> ln p(A_max) = ln(1/2), Z -> p(A_max) = 1/2 exactly
    let j = json_of(&["tilt", "--p", "1/2,1/2", "--r=0,-2", "--delta", "1", "--json"]);
    assert_eq!(j["result"]["partition"]["exact"], "1/2");
    let lp = &j["result"]["log_partition"];
    let lo = decimal_to_big(lp["lo"].as_str().unwrap());
    let hi = decimal_to_big(lp["hi"].as_str().unwrap());
    // -ln 2 to 60 digits (an independent constant)
    let ln2 = decimal_to_big("0.693147180559945309417232121458176568075500134360255254120680");
    assert!(lo <= -ln2.clone() && -ln2 <= hi);
    // r_max > 0: both +inf
    let j = json_of(&["tilt", "--p", "1/2,1/2", "--r=1,-2", "--delta", "1", "--json"]);
    assert_eq!(j["result"]["log_partition"]["value"], "inf");
    assert_eq!(j["result"]["partition"]["value"], "inf");
    // a tied top level: p(A_max) = 3/4
    let j = json_of(&[
        "tilt",
        "--p",
        "1/2,1/4,1/4",
        "--r=0,0,-1",
        "--delta",
        "1",
        "--json",
    ]);
    assert_eq!(j["result"]["regime"], "saturated");
    assert_eq!(j["result"]["partition"]["exact"], "3/4");
}

// ---- decimal values: exponent notation when the digits stop before the units place ----

#[test]
fn value_uses_exponent_notation_when_digits_stop_before_the_units_place() {
    // x* = 1000001/7 phi(top) ~ 1.03e5 (issue 15, defect 2): 103000 would claim 6 digits
    let a = [
        "tilt",
        "--p",
        "1/2,1/2",
        "--r",
        "0,1000001/7",
        "--delta",
        "1/10",
        "--digits",
        "3",
        "--json",
    ];
    let j = json_of(&a);
    let v = j["result"]["expected_reward"]["value"].as_str().unwrap();
    assert!(v.contains('e'), "{v}");
    let x = decimal_to_big(v);
    let lo = decimal_to_big(j["result"]["expected_reward"]["lo"].as_str().unwrap());
    let hi = decimal_to_big(j["result"]["expected_reward"]["hi"].as_str().unwrap());
    let u = ulp_sig(&x, 3);
    assert!(&x - &u <= lo && hi <= &x + &u, "{v} vs [{lo}, {hi}]");
    assert_values_honest(&j, 3);
    // the table uses the same text
    let (code, table, _) = run_cli(&a[..a.len() - 1]);
    assert_eq!(code, 0);
    assert!(table.contains(v), "{table}");
    // an exact integer N with more digits than asked: exponent notation too (163000 -> 1.63e5)
    let j = json_of(&[
        "compare",
        "--p",
        "1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--delta",
        "3/10",
        "--n",
        "40",
        "--digits",
        "3",
        "--json",
    ]);
    assert_values_honest(&j, 3);
    let n = &j["result"]["N"];
    let exact = decimal_to_big(n["exact"].as_str().unwrap());
    let v = decimal_to_big(n["value"].as_str().unwrap());
    assert!(n["value"].as_str().unwrap().contains('e'));
    assert!((exact - &v).abs() * decimal_to_big("2") <= ulp_sig(&v, 3));
}

#[test]
fn certify_decimal_is_fast_and_right_far_outside_the_default_exponent_range() {
    alignexact::real::round::widen_exponent_range();
    // x = 3 * 2^-(2 * 10^9), far below the default range (2^-(2^30))
    let prec = 128;
    let x = Float::with_val(prec, 3) >> 1_000_000_000i32;
    let x = x >> 1_000_000_000i32; // 3 * 2^-2e9
    let e = Enc::point(&x).mul(&Enc::from_i64(1, prec), prec);
    let c = certify_decimal(&e, 20).expect("an exact float certifies");
    // log10(3 * 2^-2e9) = log10 3 - 2e9 log10 2 = -602059990.85...: exponent -602059991,
    // mantissa 10^(log10 x + 602059991)
    assert!(c.value.ends_with("e-602059991"), "{}", c.value);
    let mant = Float::with_val(256, 10).pow(
        Float::with_val(256, 3).log10() - Float::with_val(256, 2).log10() * 2_000_000_000u64 + 602_059_991u64,
    );
    let printed = decimal_to_big(c.value.split('e').next().unwrap());
    let truth = common::float_to_big(&mant);
    assert!((printed - truth).abs() < decimal_to_big("1e-19"));
    assert!(c.lo.ends_with("e-602059991") && c.hi.ends_with("e-602059991"));
}

// ---- enclosure invariants (issue 15, defect 3) ----

#[test]
fn enclosure_new_rejects_lo_above_hi_with_an_error_in_every_build() {
    let a = Float::with_val(64, 2);
    let b = Float::with_val(64, 1);
    assert!(matches!(
        Enc::try_new(a.clone(), b.clone()),
        Err(Error::Internal(_))
    ));
    assert!(Enc::try_new(b.clone(), a.clone()).is_ok());
    // inside the precision loop the broken invariant becomes an error (exit code 3), never a
    // result
    let r = ziv::run(&Precision::digits(5), |_| Ok(Enc::new(a.clone(), b.clone())));
    match r {
        Err(e @ Error::Internal(_)) => assert_eq!(e.exit_code(), 3),
        other => panic!("expected an internal error, got {other:?}"),
    }
}

#[test]
fn clamp_nonneg_clamps_only_straddling_enclosures() {
    let p = 64;
    let f = |v: f64| Float::with_val(p, v);
    // straddling 0: raised to [0, hi]
    let s = Enc::new(f(-0.5), f(2.0)).clamp_nonneg(p);
    assert!(s.lo().is_zero() && *s.hi() == 2.0);
    // already non-negative: unchanged
    let s = Enc::new(f(0.25), f(2.0)).clamp_nonneg(p);
    assert!(*s.lo() == 0.25 && *s.hi() == 2.0);
    // touching 0 from below: [0, 0] contains the truth (which is >= 0 and <= 0)
    let s = Enc::new(f(-1.0), f(0.0)).clamp_nonneg(p);
    assert!(s.is_exact_zero());
    // wholly negative: an upstream bug, an error, never an exact zero
    assert!(matches!(
        Enc::new(f(-2.0), f(-1.0)).try_clamp_nonneg(p),
        Err(Error::Internal(_))
    ));
    let r = ziv::run(&Precision::digits(5), |bits| {
        Ok(Enc::new(f(-2.0), f(-1.0)).clamp_nonneg(bits))
    });
    assert!(matches!(r, Err(Error::Internal(_))), "{r:?}");
}

// ---- the exponent range: values far below e^(-7.4e8) (issue 15, the table) ----

/// Split a printed value `m.mmmme±X` into an exact mantissa and the integer text of `X`.
fn split_exp(v: &str) -> (num_rational::BigRational, String) {
    let (m, e) = v.split_once('e').expect("exponent notation");
    (decimal_to_big(m), e.to_string())
}

#[test]
fn bon2_expected_reward_below_every_float_range_from_its_logarithm() {
    // levels 0, -2, ..., -12 (n = 6); N = 10^27 + 9: F(-2)^N ~ e^(-1.1e27), far below 2^(-2^62).
    // BON-2: E S = sum_s s P_N(s), dominated by -2 P_N(-2); the deficit form must agree.
    let j = json_of(&[
        "bon",
        "--p",
        "7/15,1/15,2/15,1/3",
        "--r",
        "0,-2,0,0",
        "--N",
        "1000000000000000000000000009",
        "--n",
        "6",
        "--levels",
        "all",
        "--json",
    ]);
    let r = &j["result"];
    let e = r["expected_reward"]["value"].as_str().unwrap();
    assert!(e.starts_with('-'));
    let (me, xe) = split_exp(&e[1..]);
    let p2 = r["levels"][1]["prob_bon"]["value"].as_str().unwrap();
    assert_eq!(r["levels"][1]["reward"]["exact"], "-2");
    let (mp, xp) = split_exp(p2);
    // the next level is smaller by a factor below 10^(-10^26): only -2 P_N(-2) counts
    let two = decimal_to_big("2");
    let (lhs, rhs) = if xe == xp {
        (me, two * mp)
    } else {
        // 2 P crossed a power of ten
        (me * decimal_to_big("10"), two * mp)
    };
    let u = decimal_to_big("1e-28");
    assert!(
        (lhs.clone() - rhs.clone()).abs() <= u * rhs.abs(),
        "{e} vs 2 x {p2}"
    );
    // per token: E S / 6
    let pt = r["expected_reward_per_token"]["value"].as_str().unwrap();
    assert!(pt.starts_with('-'));
}

#[test]
fn tilt1_phi_of_a_token_five_million_below_certifies() {
    // phi_0 = p_0 e^(l (r_0 - r_max)) / W ~ e^(-2.7e9): below MPFR's default range
    let j = json_of(&[
        "tilt",
        "--p",
        "3/31,7/31,8/31,5/31,8/31",
        "--r=-5000000,-3/500,3/1000,-1/500000,-3/100",
        "--delta",
        "1021327/1000000",
        "--json",
    ]);
    let r = &j["result"];
    assert_eq!(r["regime"], "interior");
    // independent check: phi_0 = p_0 e^(l r_0 - psi) from the certified l and psi, in MPFR at
    // high precision with the endpoints ordered by monotonicity (r_0 < 0: decreasing in l)
    alignexact::real::round::widen_exponent_range();
    let prec = 256;
    let fl = |s: &str| Float::with_val(prec, Float::parse(s).unwrap());
    let (l_lo, l_hi) = (
        fl(r["lambda"]["lo"].as_str().unwrap()),
        fl(r["lambda"]["hi"].as_str().unwrap()),
    );
    let (s_lo, s_hi) = (
        fl(r["log_partition"]["lo"].as_str().unwrap()),
        fl(r["log_partition"]["hi"].as_str().unwrap()),
    );
    let p0 = Enc::from_rational(&q("3/31"), prec).ln(prec);
    let r0 = Enc::from_rational(&q("-5000000"), prec);
    let hi = p0
        .add(&Enc::point(&l_lo).mul(&r0, prec), prec)
        .sub(&Enc::point(&s_lo), prec)
        .exp(prec);
    let lo = p0
        .add(&Enc::point(&l_hi).mul(&r0, prec), prec)
        .sub(&Enc::point(&s_hi), prec)
        .exp(prec);
    let outer = Enc::new(lo.lo().clone(), hi.hi().clone());
    let phi0 = &r["phi"][0];
    let (plo, phi_hi) = (fl(phi0["lo"].as_str().unwrap()), fl(phi0["hi"].as_str().unwrap()));
    assert!(Enc::new(plo, phi_hi).overlaps(&outer), "{phi0} vs {outer:?}");
}

#[test]
fn compare_saturated_with_a_reverse_kl_below_the_default_range() {
    // Delta = 2.9 > Delta_max = ln 5: saturated; N = ceil(e^58)
    let j = json_of(&[
        "compare",
        "--p",
        "0.45,0.35,0.20",
        "--r=-2,-3/2,0",
        "--delta",
        "29/10",
        "--n",
        "20",
        "--json",
    ]);
    let r = &j["result"];
    // kl_tilted_reference = n Delta_max = 20 ln 5 exactly; D(pi_N || p^n) differs from it by
    // far less than one unit in the 30th digit (P_N(top) = 1 - e^(-10^24))
    let ln5 = Float::with_val(300, 5).ln() * 20u32;
    let truth = common::float_to_big(&ln5);
    for k in ["kl_tilted_reference", "kl_bon_reference"] {
        let v = decimal_to_big(r[k]["value"].as_str().unwrap());
        assert!((v.clone() - truth.clone()).abs() <= ulp_sig(&v, 30), "{k}");
    }
    let e = r["expected_reward_bon"]["value"].as_str().unwrap();
    assert!(e.starts_with('-') && e.contains('e'), "{e}");
}

#[test]
fn bon_levels_all_at_40_digits_agree_with_both_forms_of_bon2() {
    let j = json_of(&[
        "bon",
        "--p",
        "6/13,3/13,3/13,1/13",
        "--r=-5,-2,-3,-4",
        "--N",
        "1000000000004",
        "--n",
        "50",
        "--levels",
        "all",
        "--digits",
        "40",
        "--json",
    ]);
    let r = &j["result"];
    // BON-2 first form: sum_s s P_N(s) over the listed levels, from the printed 40-digit values
    let mut sum = decimal_to_big("0");
    let mut err = decimal_to_big("0");
    for lv in r["levels"].as_array().unwrap() {
        let s = decimal_to_big(lv["reward"]["exact"].as_str().unwrap());
        let pv = &lv["prob_bon"];
        let v = pv["value"].as_str().or(pv["exact"].as_str()).unwrap();
        // a level far below the 40th digit of E S (P_N < 10^-199) adds at most |s| 10^-199
        if let Some((_, x)) = v.split_once('e') {
            if x.parse::<i64>().map(|x| x < -200).unwrap_or(true) {
                err += s.abs() * decimal_to_big("1e-199");
                continue;
            }
        }
        let p = decimal_to_big(v);
        if p != decimal_to_big("0") {
            err += s.abs() * ulp_sig(&p, 40);
        }
        sum += s * p;
    }
    let e = decimal_to_big(r["expected_reward"]["value"].as_str().unwrap());
    let tol = err + ulp_sig(&e, 40);
    assert!((e - sum).abs() <= tol);
}

#[test]
fn bon_tied_top_level_long_sequence_finishes_certified() {
    let j = json_of(&[
        "bon",
        "--p",
        "0.16,0.83,0.01",
        "--r",
        "2,2,-3",
        "--N",
        "10000002",
        "--n",
        "50",
        "--json",
    ]);
    let mut vs = Vec::new();
    values(&j["result"], "result", &mut vs);
    assert!(vs.iter().any(|(p, _)| p.ends_with("expected_reward")));
}

// ---- LDP-3: cumulants of a concentrated tilt, centred in the shifted variable ----

#[test]
fn ldp3_cumulants_of_a_concentrated_tilt_certify_at_modest_precision() {
    // e^l = T = 10^3000 (l ~ 6908) with integer rewards: phi_l is an exact rational vector, so
    // its cumulants are exact (an independent route); the certified ones must contain them and
    // certify 30 digits at 400 bits, far fewer than the ~30000 bits a centre taken in r needs.
    alignexact::real::round::widen_exponent_range();
    let m = model(&["1/2", "1/4", "1/4"], &["0", "1", "3"]);
    let t = Rational::from(rug::Integer::from(rug::Integer::u_pow_u(10, 3000)));
    let exact = exact_cumulants(&exact_tilt(&m, &t).unwrap(), &m.r, 6);
    let prec = 400;
    let l = Enc::from_rational(&t, prec).ln(prec);
    let ks = cumulants(&m, &l, 6, prec);
    for (j, (k, x)) in ks.iter().zip(&exact).enumerate() {
        assert!(k.contains_rational(x), "kappa_{} = {x} not in {k:?}", j + 1);
        if j > 0 {
            assert!(
                certify_decimal(k, 30).is_some(),
                "kappa_{} did not certify",
                j + 1
            );
        }
    }
    // the same below the mean (l < 0, centred at r_min)
    let ti = Rational::from((1, rug::Integer::from(rug::Integer::u_pow_u(10, 3000))));
    let exact = exact_cumulants(&exact_tilt(&m, &ti).unwrap(), &m.r, 6);
    let l = Enc::from_rational(&ti, prec).ln(prec);
    let ks = cumulants(&m, &l, 6, prec);
    for (j, (k, x)) in ks.iter().zip(&exact).enumerate() {
        assert!(
            k.contains_rational(x),
            "kappa_{} (l < 0) = {x} not in {k:?}",
            j + 1
        );
        if j > 0 {
            assert!(
                certify_decimal(k, 30).is_some(),
                "kappa_{} (l < 0) did not certify",
                j + 1
            );
        }
    }
}

// ---- constant reward conventions (issue 15) ----

#[test]
fn tilt1_constant_reward_is_flagged_with_delta_max_zero() {
    let j = json_of(&["tilt", "--p", "1/2,1/2", "--r", "3,3", "--delta", "1", "--json"]);
    let r = &j["result"];
    assert_eq!(r["constant_reward"], true);
    assert_eq!(r["regime"], "reference");
    assert_eq!(r["delta_max"]["exact"], "0");
    assert_eq!(r["lambda"]["exact"], "0");
    // a non-zero tilt is not the reference, though phi = p
    let j = json_of(&[
        "tilt",
        "--p",
        "1/2,1/2",
        "--r",
        "3,3",
        "--lambda",
        "9/10000000",
        "--json",
    ]);
    let r = &j["result"];
    assert_eq!(r["constant_reward"], true);
    assert_eq!(r["regime"], "interior");
    assert_eq!(r["lambda"]["exact"], "9/10000000");
    assert_eq!(r["phi"][0]["exact"], "1/2");
    assert_eq!(r["phi"][1]["exact"], "1/2");
    assert_eq!(r["delta"]["exact"], "0");
    // psi(l) = 3 l exactly
    assert_eq!(r["log_partition"]["exact"], "27/10000000");
    // a non-constant reward carries no flag
    let j = json_of(&[
        "tilt", "--p", "1/2,1/2", "--r", "0,1", "--delta", "1/10", "--json",
    ]);
    assert!(j["result"].get("constant_reward").is_none());
}

// ---- LDP-4 at huge t and LDP-3 at high order far from the mean (issue 14, item 4) ----

#[test]
fn ldp4_renyi_forms_of_the_scgf_agree_at_huge_t() {
    // q_r(a)^(10^20) is far below every float range: the forms are summed in log space
    for t in ["1e9", "1e20", "-1e9"] {
        let j = json_of(&[
            "cumulants",
            "--p",
            "1/2,3/10,1/5",
            "--r",
            "0,1,3",
            "--delta",
            "3/10",
            "--t",
            t,
            "--json",
        ]);
        let r = &j["result"];
        let scgf = decimal_to_big(r["scgf"]["value"].as_str().unwrap());
        let u = ulp_sig(&scgf, 30);
        for (k, f) in r["scgf_renyi"].as_object().unwrap() {
            if f.is_null() {
                // the divergence form is undefined for t <= -l (LDP-4)
                assert!(t.starts_with('-') && k == "divergence", "{t}: {k} is null");
                continue;
            }
            let v = decimal_to_big(f["value"].as_str().unwrap());
            assert!((v - scgf.clone()).abs() <= u.clone(), "{t}: {k}");
        }
    }
}

#[test]
fn ldp3_cumulants_of_order_100_at_a_tilt_of_e_minus_2300() {
    // e^l = 10^-1000: phi puts eps = (3/10)/(1/2) 10^-1000 (1 + O(10^-1000)) on r = 1 and the
    // rest (but ~10^-3000) on r = 0, so every cumulant is eps (1 + O(10^-990)): a Bernoulli(eps)
    // has kappa_n = eps + O(eps^2)
    let j = json_of(&[
        "cumulants",
        "--p",
        "1/2,3/10,1/5",
        "--r",
        "0,1,3",
        "--exp-lambda",
        "1e-1000",
        "--order",
        "100",
        "--json",
    ]);
    let ks = j["result"]["cumulants"].as_array().unwrap();
    assert_eq!(ks.len(), 100);
    let eps = decimal_to_big("6e-1001");
    let u = ulp_sig(&eps, 30);
    for (i, k) in ks.iter().enumerate() {
        let v = decimal_to_big(k["value"].as_str().unwrap());
        assert!((v - eps.clone()).abs() <= u.clone(), "kappa_{}", i + 1);
    }
}

#[test]
fn bon_order_rule_below_every_float_range_is_carried_by_its_logarithm() {
    // pi_N(token 0) = 0.9^N for the lowest reward under the order rule: at N = 10^30 it is
    // 10^(-4.57e28), below even the widened exponent range; the value and the KL must certify
    let j = json_of(&[
        "bon",
        "--p",
        "0.9,0.1,0",
        "--r",
        "0,1,2",
        "--n",
        "1",
        "--N",
        "1e30",
        "--ties",
        "order",
        "--json",
    ]);
    assert_values_honest(&j, 30);
    let v = j["result"]["tokens"][0]["value"]
        .as_str()
        .expect("a value")
        .to_string();
    // independent: log10(0.9^N) = N log10(0.9) at 400 bits; mantissa 10^frac, exponent floor
    let prec = 400;
    let l = Float::with_val(prec, 9) / 10u32;
    let l = l.log10() * Float::with_val(prec, Float::parse("1e30").unwrap());
    let e = l.clone().floor();
    let m = Float::with_val(prec, 10).pow(Float::with_val(prec, &l - &e));
    let (mant, exp) = v.split_once('e').expect("exponent notation");
    assert_eq!(exp, e.to_integer().unwrap().to_string());
    let want = m.to_string_radix(10, Some(28));
    assert_eq!(
        &mant.replace('.', "")[..26],
        &want.replace('.', "")[..26],
        "{v} vs {want}"
    );
    // the KL of the order rule: pi_0 ln(pi_0/0.9) ~ 0 and pi_1 = 1 - pi_0 ~ 1: ln(1/0.1) = ln 10
    let kl = j["result"]["kl_to_reference_order"]["value"].as_str().unwrap();
    assert!(kl.starts_with("2.3025850929940456840179914546"), "{kl}");
    // a real N: G^N - G-^N with N = 7/2, both tokens within one unit of the truth
    let j = json_of(&[
        "bon", "--p", "0.9,0.1", "--r", "0,1", "--n", "1", "--N", "7/2", "--ties", "order", "--json",
    ]);
    assert_values_honest(&j, 30);
    let a = Float::with_val(prec, Float::with_val(prec, 9) / 10u32).pow(Float::with_val(prec, 7) / 2u32);
    for (i, want) in [a.clone(), Float::with_val(prec, 1 - a)].iter().enumerate() {
        let got = decimal_to_big(j["result"]["tokens"][i]["value"].as_str().unwrap());
        let want = decimal_to_big(&want.to_string_radix(10, Some(60)));
        assert!(common::absdiff(&got, &want) <= ulp_sig(&want, 30), "token {i}");
    }
}
