//! The precision loop `alignexact::real::ziv::run`: it raises the working precision until every
//! quantity certifies the requested digits, and stops at the cap with `Error::Uncertified`
//! (exit code 3).
//!
//! The 1,000-digit check compares with a decimal expansion of ln 2 embedded below (1,025 digits,
//! truncated, generated once with Python's `decimal` module at 1,100 digits and cross-checked
//! against mpmath; the test itself needs no Python).

mod common;

use alignexact::error::Error;
use alignexact::real::format::{certify_decimal, BOUND_EXTRA_DIGITS};
use alignexact::real::ziv::{run, Certifiable, Precision, DEFAULT_CAP_BITS};
use alignexact::real::Enc;
use common::{decimal_to_big, pow10, run_cli, significant_digits};
use num_rational::BigRational;
use std::cell::RefCell;

/// ln 2 = 0.693147..., the first 1,025 digits after the point (truncated, not rounded).
const LN2_DIGITS: &str = concat!(
    "69314718055994530941723212145817656807550013436025525412068000949339362196969471",
    "56058633269964186875420014810205706857336855202357581305570326707516350759619307",
    "27570828371435190307038623891673471123350115364497955239120475172681574932065155",
    "52473413952588295045300709532636664265410423915781495204374043038550080194417064",
    "16715186447128399681717845469570262716310645461502572074024816377733896385506952",
    "60668341137273873722928956493547025762652098859693201965058554764703306793654432",
    "54763274495125040606943814710468994650622016772042452452961268794654619316517468",
    "13926725041038025462596568691441928716082938031727143677826548775664850856740776",
    "48451464439940461422603193096735402574446070308096085047486638523138181676751438",
    "66747664789088143714198549423151997354880375165861275352916610007105355824987941",
    "47295092931138971559982056543928717000721808576102523688921324497138932037843935",
    "30887748259701715591070882368362758984258918535302436342143670611892367891923723",
    "14672321720534016492568727477823445353476481149418642386776774406",
);

/// ln 2 lies in `[T, T + 10^-1025]` where `T` is the truncated expansion.
fn ln2_truncated() -> BigRational {
    assert_eq!(LN2_DIGITS.len(), 1025);
    decimal_to_big(&format!("0.{LN2_DIGITS}"))
}

/// Check a certified 1,000-digit rendering of ln 2 digit by digit and exactly.
fn check_ln2_1000(enc: &Enc) {
    let c = certify_decimal(enc, 1000).expect("the precision loop returned a certified result");
    let value = &c.value;
    assert!(
        value.starts_with("0.6931471805599453094172321214581765680755"),
        "{}",
        &value[..50]
    );
    assert_eq!(significant_digits(value), 1000);
    let digits = &value[2..];
    assert_eq!(digits.len(), 1000);
    // digit by digit: the first difference (if any) from the true expansion
    let first_diff = digits.bytes().zip(LN2_DIGITS.bytes()).position(|(a, b)| a != b);
    // exact: |value - ln 2| <= 1 ulp = 10^-1000, with ln 2 in [T, T + 10^-1025]
    let v = decimal_to_big(value);
    let t = ln2_truncated();
    let ulp = pow10(-1000);
    let eps = pow10(-1025);
    assert!(
        &v - &ulp <= t,
        "value is more than one ulp above ln 2 (first differing digit {first_diff:?})"
    );
    assert!(
        &t + &eps <= &v + &ulp,
        "value is more than one ulp below ln 2 (first differing digit {first_diff:?})"
    );
    // with a tight enclosure the value is the correctly rounded expansion: all digits agree
    // except possibly the last one (or a carry run of 9s / 0s behind it)
    if let Some(i) = first_diff {
        assert!(
            i >= 990,
            "digit {} differs: {} vs {}",
            i + 1,
            &digits[i..],
            &LN2_DIGITS[i..1000]
        );
    }
    // lo and hi enclose ln 2 (both are decimals with 1003 digits, so comparing with the
    // 1025-digit truncation is exact: lo <= ln 2 iff lo <= T, hi >= ln 2 iff hi >= T + 10^-1025)
    assert_eq!(significant_digits(&c.lo), 1000 + BOUND_EXTRA_DIGITS);
    assert!(decimal_to_big(&c.lo) <= t, "lo above ln 2");
    assert!(decimal_to_big(&c.hi) >= &t + &eps, "hi below ln 2");
}

#[test]
fn ziv_delivers_1000_digits_of_ln2_from_ln_of_two() {
    let calls = RefCell::new(Vec::new());
    let r = run(&Precision::digits(1000), |bits| {
        calls.borrow_mut().push(bits);
        Ok(Enc::from_i64(2, bits).ln(bits))
    })
    .expect("1000 digits of ln 2 within the default cap");
    check_ln2_1000(&r);
    // the first attempt already has enough guard bits
    assert_eq!(calls.into_inner(), vec![Precision::digits(1000).start_bits()]);
}

#[test]
fn ziv_delivers_1000_digits_of_ln2_from_the_constant() {
    let r = run(&Precision::digits(1000), |bits| Ok(Enc::ln2(bits))).unwrap();
    check_ln2_1000(&r);
}

#[test]
fn start_bits_are_digits_in_bits_plus_guard_bits() {
    // 1000 * log2(10) = 3321.93 -> 3322, plus 32 guard bits
    assert_eq!(Precision::digits(1000).start_bits(), 3354);
    assert_eq!(Precision::digits(30).start_bits(), 100 + 32);
    assert_eq!(
        Precision {
            digits: 1000,
            cap_bits: 64
        }
        .start_bits(),
        64
    );
    assert_eq!(
        Precision {
            digits: 1,
            cap_bits: 1 << 20
        }
        .start_bits(),
        4 + 32
    );
    assert_eq!(
        Precision::default(),
        Precision {
            digits: 30,
            cap_bits: DEFAULT_CAP_BITS
        }
    );
}

/// A computation that is too imprecise at the first tries: precision doubles each round until
/// the result certifies.
#[test]
fn ziv_doubles_the_precision_until_certified() {
    let p = Precision {
        digits: 50,
        cap_bits: 1 << 20,
    };
    let start = p.start_bits();
    assert_eq!(start, 167 + 32);
    let calls = RefCell::new(Vec::new());
    // at bits/4 of working precision: 49, 99 bits fail 50 digits; 199 bits pass
    let r = run(&p, |bits| {
        calls.borrow_mut().push(bits);
        Ok(Enc::ln2(bits / 4))
    })
    .unwrap();
    assert_eq!(calls.into_inner(), vec![start, 2 * start, 4 * start]);
    let c = certify_decimal(&r, 50).unwrap();
    // ln 2 = 0.69314718055994530941723212145817656807550013436025|5254... rounds up
    assert_eq!(c.value, "0.69314718055994530941723212145817656807550013436026");
}

#[test]
fn ziv_stops_at_the_cap_with_uncertified() {
    let calls = RefCell::new(Vec::new());
    let err = run(
        &Precision {
            digits: 1000,
            cap_bits: 64,
        },
        |bits| {
            calls.borrow_mut().push(bits);
            Ok(Enc::from_i64(2, bits).ln(bits))
        },
    )
    .unwrap_err();
    assert_eq!(calls.into_inner(), vec![64], "one attempt at the cap, no more");
    match &err {
        Error::Uncertified {
            quantity,
            digits,
            bits,
            reached,
        } => {
            assert_eq!(quantity, "the value");
            assert_eq!(*digits, 1000);
            assert_eq!(*bits, 64);
            // 64 bits certify about 18 digits of ln 2
            assert!((15..=19).contains(reached), "reached {reached}");
        }
        other => panic!("expected Uncertified, got {other:?}"),
    }
    assert_eq!(err.exit_code(), 3);
    let msg = err.to_string();
    assert!(
        msg.contains("could not certify 1000 digits of the value"),
        "{msg}"
    );
    assert!(msg.contains("64 bits"), "{msg}");
    assert!(msg.contains("--max-bits"), "{msg}");
}

/// A cap that is not a power-of-two multiple of the start is still tried exactly once.
#[test]
fn ziv_tries_the_cap_itself() {
    let p = Precision {
        digits: 50,
        cap_bits: 500,
    };
    let calls = RefCell::new(Vec::new());
    let err = run(&p, |bits| {
        calls.borrow_mut().push(bits);
        Ok(Enc::ln2(bits / 8))
    })
    .unwrap_err();
    assert_eq!(calls.into_inner(), vec![199, 398, 500]);
    assert!(
        matches!(
            err,
            Error::Uncertified {
                bits: 500,
                digits: 50,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn ziv_names_the_first_uncertified_quantity() {
    let err = run(
        &Precision {
            digits: 40,
            cap_bits: 256,
        },
        |bits| {
            Ok(vec![
                ("ln2".to_string(), Enc::ln2(bits)),
                ("crude".to_string(), Enc::ln2(64)),
                ("later".to_string(), Enc::ln2(64)),
            ])
        },
    )
    .unwrap_err();
    // "crude" does not improve with the precision: the loop says so (Error::Range, exit 3)
    // rather than advise a higher --max-bits, and still names the quantity
    match err {
        Error::Range(m) => assert!(m.contains("digits of crude:") && m.contains("--max-bits"), "{m}"),
        other => panic!("{other:?}"),
    }
    let v = vec![
        ("a".to_string(), Enc::ln2(300)),
        ("b".to_string(), Enc::pos_infinity(64)),
    ];
    assert_eq!(v.first_uncertified(40), None, "+inf counts as certified");
    // a value straddling 0 never certifies
    let straddle = Enc::from_i64(1, 64)
        .sub(&Enc::from_rational(&rug::Rational::from((1, 1)), 64), 64)
        .add(&Enc::ln2(64).sub(&Enc::ln2(64), 64), 64);
    assert!(straddle.first_uncertified(1).is_some());
}

#[test]
fn ziv_propagates_errors_without_retrying() {
    let calls = RefCell::new(0);
    let err = run(&Precision::digits(10), |_| -> alignexact::error::Result<Enc> {
        *calls.borrow_mut() += 1;
        Err(Error::input("--x: bad"))
    })
    .unwrap_err();
    assert_eq!(err, Error::input("--x: bad"));
    assert_eq!(calls.into_inner(), 1);
}

#[test]
fn cli_cap_exits_3_with_one_line_naming_the_quantity() {
    let (code, out, err) = run_cli(&[
        "divergence",
        "--p",
        "1/2,1/2",
        "--q",
        "1/3,2/3",
        "--digits",
        "1000",
        "--max-bits",
        "64",
    ]);
    assert_eq!(code, 3, "stderr: {err}");
    assert!(out.is_empty(), "nothing may be printed as certified: {out}");
    assert!(!err.contains("panicked"));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err:?}");
    assert_eq!(
        lines[0],
        "error: could not certify 1000 digits of kl within the precision limit of 64 bits \
         (reached 18 digits); raise --max-bits or ask for fewer --digits"
    );
}

#[test]
fn cli_with_a_sufficient_cap_certifies_1000_digits() {
    // D(p||q) = (1/2) ln(9/8) for p = (1/2, 1/2), q = (1/3, 2/3)
    let (code, out, err) = run_cli(&[
        "divergence",
        "--p",
        "1/2,1/2",
        "--q",
        "1/3,2/3",
        "--digits",
        "1000",
        "--max-bits",
        "8192",
        "--json",
    ]);
    assert_eq!(code, 0, "stderr: {err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kl = doc["result"]["kl"]["value"].as_str().unwrap();
    assert_eq!(significant_digits(kl), 1000);
    assert!(
        kl.starts_with("0.0588915178281917272693970547352608"),
        "{}",
        &kl[..30]
    );
    // and its bounds enclose the 2000-bit enclosure computed here independently
    let lo = decimal_to_big(doc["result"]["kl"]["lo"].as_str().unwrap());
    let hi = decimal_to_big(doc["result"]["kl"]["hi"].as_str().unwrap());
    let r = Enc::from_rational(&rug::Rational::from((9, 8)), 4000)
        .ln(4000)
        .mul_rational(&rug::Rational::from((1, 2)), 4000);
    assert!(lo <= common::float_to_big(r.lo()) && common::float_to_big(r.hi()) <= hi);
}
