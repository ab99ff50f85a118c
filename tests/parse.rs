//! Exact parsing of the number syntax of INTERFACE.md (`alignexact::exact::parse`) and the
//! validation of distributions and models (`alignexact::exact::dist`).
//!
//! Every accepted form is compared with an exact expected rational, and the decimal and
//! scientific forms are cross-checked against an independent parser written here on
//! num-bigint / num-rational. Every rejection is checked together with its message text.

mod common;

use alignexact::error::Error;
use alignexact::exact::dist::{Distribution, Model};
use alignexact::exact::parse::{parse_integer, parse_list, parse_rational, MAX_EXPONENT};
use common::{rat_to_big, SplitMix64};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use rug::{Integer, Rational};
use std::str::FromStr;

fn q(n: i64, d: i64) -> Rational {
    Rational::from((n, d))
}

fn ok(s: &str) -> Rational {
    parse_rational(s).unwrap_or_else(|e| panic!("{s:?} must parse: {e}"))
}

/// The full message of a rejected item.
fn rejected(s: &str) -> String {
    match parse_rational(s) {
        Ok(v) => panic!("{s:?} must be rejected, parsed as {v}"),
        Err(e) => e.to_string(),
    }
}

fn rejected_list(s: &str) -> String {
    match parse_list(s) {
        Ok(v) => panic!("{s:?} must be rejected, parsed as {v:?}"),
        Err(e) => e.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// An independent exact decimal parser (num-bigint), for cross-checks.
// Grammar: [+-] digits? [. digits?] [(e|E) [+-] digits]
// ---------------------------------------------------------------------------------------------

fn independent_decimal(s: &str) -> BigRational {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        neg = bytes[i] == b'-';
        i += 1;
    }
    let mut mantissa = BigInt::zero();
    let mut frac_digits: i64 = 0;
    let mut seen_point = false;
    let mut any_digit = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_digit() {
            mantissa = mantissa * 10 + BigInt::from(c - b'0');
            any_digit = true;
            if seen_point {
                frac_digits += 1;
            }
        } else if c == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    assert!(any_digit, "no digits in {s:?}");
    let mut exp: i64 = 0;
    if i < bytes.len() {
        assert!(bytes[i] == b'e' || bytes[i] == b'E', "bad char in {s:?}");
        i += 1;
        let mut eneg = false;
        if bytes[i] == b'+' || bytes[i] == b'-' {
            eneg = bytes[i] == b'-';
            i += 1;
        }
        let mut e: i64 = 0;
        while i < bytes.len() {
            assert!(bytes[i].is_ascii_digit(), "bad exponent in {s:?}");
            e = e * 10 + (bytes[i] - b'0') as i64;
            i += 1;
        }
        exp = if eneg { -e } else { e };
    }
    let e10 = exp - frac_digits;
    let ten = BigInt::from(10);
    let mut v = BigRational::from_integer(mantissa);
    let scale = num_traits::pow(ten, e10.unsigned_abs() as usize);
    if e10 >= 0 {
        v *= BigRational::from_integer(scale);
    } else {
        v /= BigRational::from_integer(scale);
    }
    if neg {
        -v
    } else {
        v
    }
}

// ---------------------------------------------------------------------------------------------
// Accepted forms
// ---------------------------------------------------------------------------------------------

#[test]
fn integers_parse_exactly() {
    assert_eq!(ok("0"), q(0, 1));
    assert_eq!(ok("3"), q(3, 1));
    assert_eq!(ok("-12"), q(-12, 1));
    assert_eq!(ok("+7"), q(7, 1));
    assert_eq!(ok("007"), q(7, 1));
    assert_eq!(ok("-0"), q(0, 1));
    // a 40-digit integer beyond every machine type
    let big = "1234567890123456789012345678901234567890";
    assert_eq!(ok(big), Rational::from(Integer::from_str_radix(big, 10).unwrap()));
}

#[test]
fn fractions_parse_exactly_and_reduce() {
    assert_eq!(ok("3/10"), q(3, 10));
    assert_eq!(ok("-1/6"), q(-1, 6));
    assert_eq!(ok("+1/6"), q(1, 6));
    assert_eq!(ok("2/4"), q(1, 2));
    assert_eq!(ok("0/5"), q(0, 1));
    assert_eq!(ok("10/5"), q(2, 1));
    // surrounding whitespace is tolerated
    assert_eq!(ok("  1/3 "), q(1, 3));
}

#[test]
fn decimals_parse_exactly_never_as_binary_floats() {
    // 0.1 is 1/10, not the binary double 3602879701896397/36028797018963968
    assert_eq!(ok("0.1"), q(1, 10));
    assert_ne!(ok("0.1"), Rational::from_f64(0.1).unwrap());
    assert_eq!(ok("0.3"), q(3, 10));
    assert_eq!(ok(".5"), q(1, 2));
    assert_eq!(ok("-.5"), q(-1, 2));
    assert_eq!(ok("2."), q(2, 1));
    assert_eq!(ok("-1.25"), q(-5, 4));
    assert_eq!(ok("00.100"), q(1, 10));
    assert_eq!(ok("0.000001"), q(1, 1_000_000));
    // 0.1 + 0.2 == 0.3 exactly
    assert_eq!(ok("0.1") + ok("0.2"), ok("0.3"));
}

#[test]
fn scientific_notation_parses_exactly() {
    assert_eq!(ok("1e-3"), q(1, 1000));
    assert_eq!(ok("1E-3"), q(1, 1000));
    assert_eq!(ok("-1e-3"), q(-1, 1000));
    assert_eq!(ok("2.5E+4"), q(25_000, 1));
    assert_eq!(ok("2.5e4"), q(25_000, 1));
    assert_eq!(ok("-1.5e-2"), q(-3, 200));
    assert_eq!(ok("+1.5e-2"), q(3, 200));
    assert_eq!(ok(".5e1"), q(5, 1));
    assert_eq!(ok("5.e-1"), q(1, 2));
    assert_eq!(ok("1e0"), q(1, 1));
    assert_eq!(ok("123e-5"), q(123, 100_000));
    assert_eq!(
        ok("1e-30") * Rational::from(Integer::from(Integer::u_pow_u(10, 30))),
        q(1, 1)
    );
}

#[test]
fn exponent_at_the_limit_is_accepted_and_exact() {
    let lim = format!("1e{MAX_EXPONENT}");
    let v = ok(&lim);
    assert_eq!(
        v,
        Rational::from(Integer::from(Integer::u_pow_u(10, MAX_EXPONENT as u32)))
    );
    let v = ok(&format!("1e-{MAX_EXPONENT}"));
    assert_eq!(*v.numer(), 1);
    assert_eq!(
        *v.denom(),
        Integer::from(Integer::u_pow_u(10, MAX_EXPONENT as u32))
    );
}

#[test]
fn decimal_and_scientific_forms_match_an_independent_bigrational_parser() {
    let fixed = [
        "0.1",
        ".5",
        "2.",
        "1e-3",
        "2.5E+4",
        "-1.5e-2",
        "3.14159265358979323846264338327950288",
        "-0.000000000000000000000000000001",
        "6.02214076e23",
        "1.602176634E-19",
        "+99.99e-1",
        "0.30000000000000004",
        "1e17",
        "123456789.987654321e-9",
    ];
    for s in fixed {
        assert_eq!(rat_to_big(&ok(s)), independent_decimal(s), "{s}");
    }
    let mut rng = SplitMix64(0x5EED_0001);
    for _ in 0..500 {
        let mut s = String::new();
        match rng.below(3) {
            0 => s.push('-'),
            1 => s.push('+'),
            _ => {}
        }
        let int_len = rng.below(12) as usize;
        let frac_len = rng.below(12) as usize;
        let point = rng.coin() || int_len == 0;
        let int_len = if !point && int_len == 0 { 1 } else { int_len };
        let frac_len = if point && int_len == 0 && frac_len == 0 {
            1
        } else {
            frac_len
        };
        for _ in 0..int_len {
            s.push((b'0' + rng.below(10) as u8) as char);
        }
        if point {
            s.push('.');
            for _ in 0..frac_len {
                s.push((b'0' + rng.below(10) as u8) as char);
            }
        }
        if rng.coin() {
            s.push(if rng.coin() { 'e' } else { 'E' });
            match rng.below(3) {
                0 => s.push('-'),
                1 => s.push('+'),
                _ => {}
            }
            s.push_str(&rng.below(60).to_string());
        }
        assert_eq!(rat_to_big(&ok(&s)), independent_decimal(&s), "{s}");
    }
}

#[test]
fn fractions_match_an_independent_bigrational_parser() {
    let mut rng = SplitMix64(0x5EED_0002);
    for _ in 0..300 {
        let a = rng.next_u64() >> rng.below(60);
        let b = (rng.next_u64() >> rng.below(60)).max(1);
        let neg = rng.coin();
        let s = format!("{}{a}/{b}", if neg { "-" } else { "" });
        let expect = BigRational::new(BigInt::from(a), BigInt::from(b));
        let expect = if neg { -expect } else { expect };
        assert_eq!(rat_to_big(&ok(&s)), expect, "{s}");
    }
}

#[test]
fn lists_parse_every_form() {
    let v = parse_list("1/2,0.3,1e-1,1/10").unwrap();
    assert_eq!(v, vec![q(1, 2), q(3, 10), q(1, 10), q(1, 10)]);
    let v = parse_list(" 1/2 , -3 ,2.5E+1").unwrap();
    assert_eq!(v, vec![q(1, 2), q(-3, 1), q(25, 1)]);
    assert_eq!(parse_list("7").unwrap(), vec![q(7, 1)]);
}

#[test]
fn integers_for_counts() {
    assert_eq!(parse_integer("42").unwrap(), 42);
    assert_eq!(parse_integer("1e4").unwrap(), 10_000);
    assert_eq!(parse_integer("2.5e1").unwrap(), 25);
    assert_eq!(parse_integer("10/5").unwrap(), 2);
    let e = parse_integer("1.5").unwrap_err().to_string();
    assert_eq!(e, "'1.5' is not an exact number: an integer is required");
    let e = parse_integer("1/3").unwrap_err().to_string();
    assert_eq!(e, "'1/3' is not an exact number: an integer is required");
    let e = parse_integer("ten").unwrap_err().to_string();
    assert!(e.starts_with("'ten' is not an exact number"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Rejections, with their messages
// ---------------------------------------------------------------------------------------------

#[test]
fn zero_denominator_is_rejected() {
    assert_eq!(
        rejected("1/0"),
        "'1/0' is not an exact number: the denominator is zero"
    );
    assert_eq!(
        rejected("-3/000"),
        "'-3/000' is not an exact number: the denominator is zero"
    );
}

#[test]
fn non_finite_values_are_rejected() {
    for s in ["nan", "NaN", "inf", "-inf", "+Inf", "infinity", "-NAN"] {
        assert_eq!(
            rejected(s),
            format!("'{s}' is not an exact number: only finite numbers are accepted"),
            "{s}"
        );
    }
}

#[test]
fn malformed_numbers_are_rejected_with_a_reason() {
    let generic = "expected an integer, a fraction a/b, a decimal or scientific notation such as 1e-3";
    assert_eq!(
        rejected("abc"),
        format!("'abc' is not an exact number: {generic}")
    );
    assert_eq!(
        rejected("1.2.3"),
        format!("'1.2.3' is not an exact number: {generic}")
    );
    assert_eq!(
        rejected("--1"),
        format!("'--1' is not an exact number: {generic}")
    );
    assert_eq!(
        rejected("0x10"),
        format!("'0x10' is not an exact number: {generic}")
    );
    assert_eq!(
        rejected("1_000"),
        format!("'1_000' is not an exact number: {generic}")
    );
    assert_eq!(
        rejected("1/2/3"),
        "'1/2/3' is not an exact number: a fraction must be two integers a/b, e.g. 3/10 or -1/6"
    );
    assert_eq!(
        rejected("0.5/2"),
        "'0.5/2' is not an exact number: a fraction must be two integers a/b, e.g. 3/10 or -1/6"
    );
    assert_eq!(
        rejected("1/-2"),
        "'1/-2' is not an exact number: a fraction must be two integers a/b, e.g. 3/10 or -1/6"
    );
    assert_eq!(
        rejected("1e"),
        "'1e' is not an exact number: the exponent after 'e' must be an integer"
    );
    assert_eq!(
        rejected("1e+"),
        "'1e+' is not an exact number: the exponent after 'e' must be an integer"
    );
    assert_eq!(
        rejected("1e1.5"),
        "'1e1.5' is not an exact number: the exponent after 'e' must be an integer"
    );
    assert_eq!(rejected("."), "'.' is not an exact number: no digits");
    assert_eq!(rejected("e5"), "'e5' is not an exact number: no digits");
    assert_eq!(
        rejected("-"),
        "'-' is not an exact number: a sign must be followed by digits"
    );
    assert_eq!(
        rejected("+"),
        "'+' is not an exact number: a sign must be followed by digits"
    );
    assert_eq!(rejected(""), "empty number: expected a number");
    assert_eq!(rejected("   "), "'   ' is not an exact number: expected a number");
}

#[test]
fn huge_exponents_are_rejected_at_the_limit() {
    assert_eq!(
        rejected("1e999999"),
        "'1e999999' is not an exact number: the exponent exceeds the limit of 100000"
    );
    assert_eq!(
        rejected("1e-999999"),
        "'1e-999999' is not an exact number: the exponent exceeds the limit of 100000"
    );
    let over = format!("1e{}", MAX_EXPONENT + 1);
    assert_eq!(
        rejected(&over),
        format!("'{over}' is not an exact number: the exponent exceeds the limit of 100000")
    );
    // beyond i64: must still be the limit message, not a panic
    let s = "1e99999999999999999999999";
    assert_eq!(
        rejected(s),
        format!("'{s}' is not an exact number: the exponent exceeds the limit of 100000")
    );
}

#[test]
fn list_rejections_name_the_empty_item() {
    assert_eq!(rejected_list("1,,2"), "empty number: item 2 of the list is empty");
    assert_eq!(rejected_list("1,2,"), "empty number: item 3 of the list is empty");
    assert_eq!(rejected_list(",1"), "empty number: item 1 of the list is empty");
    assert_eq!(
        rejected_list("1, ,2"),
        "empty number: item 2 of the list is empty"
    );
    assert_eq!(
        rejected_list(""),
        "empty number: the list is empty; give comma-separated numbers such as 1/2,1/3,1/6"
    );
    // a bad item inside a list is reported by its own text
    assert_eq!(
        rejected_list("1/2,x"),
        "'x' is not an exact number: expected an integer, a fraction a/b, a decimal or \
         scientific notation such as 1e-3"
    );
    assert_eq!(
        rejected_list("1/2,1/0"),
        "'1/0' is not an exact number: the denominator is zero"
    );
    assert_eq!(
        rejected_list("0.5,inf"),
        "'inf' is not an exact number: only finite numbers are accepted"
    );
}

// ---------------------------------------------------------------------------------------------
// Distributions and models
// ---------------------------------------------------------------------------------------------

fn input_message(r: alignexact::error::Result<impl std::fmt::Debug>) -> String {
    match r {
        Ok(v) => panic!("expected an input error, got {v:?}"),
        Err(Error::Input(m)) => m,
        Err(other) => panic!("expected Error::Input, got {other:?}"),
    }
}

#[test]
fn distribution_must_sum_to_exactly_one() {
    let d = Distribution::new(vec![q(1, 2), q(1, 3), q(1, 6)], false, "--p").unwrap();
    assert_eq!(d.probs(), &[q(1, 2), q(1, 3), q(1, 6)]);
    assert_eq!(d.len(), 3);
    // decimals summing to one exactly (would fail in binary floating point: 0.1+0.2+0.7)
    let v = parse_list("0.1,0.2,0.7").unwrap();
    assert!(Distribution::new(v, false, "--p").is_ok());
    // off by 1e-30: rejected, with the exact sum in the message
    let v = parse_list("0.5,0.499999999999999999999999999999").unwrap();
    let m = input_message(Distribution::new(v, false, "--p"));
    assert_eq!(
        m,
        "--p: the probabilities sum to 999999999999999999999999999999/1000000000000000000000000000000, \
         not exactly 1; fix them or pass --normalize to rescale exactly"
    );
    let m = input_message(Distribution::new(vec![q(1, 2), q(1, 3)], false, "--q"));
    assert_eq!(
        m,
        "--q: the probabilities sum to 5/6, not exactly 1; fix them or pass --normalize to rescale exactly"
    );
}

#[test]
fn distribution_rejects_negative_entries_even_when_summing_to_one() {
    let m = input_message(Distribution::new(vec![q(-1, 2), q(3, 2)], false, "--p"));
    assert_eq!(m, "--p: entry 1 is negative (-1/2); probabilities must be >= 0");
    let m = input_message(Distribution::new(vec![q(1, 2), q(1, 1), q(-1, 2)], true, "--q"));
    assert_eq!(m, "--q: entry 3 is negative (-1/2); probabilities must be >= 0");
}

#[test]
fn distribution_rejects_empty_and_all_zero() {
    let m = input_message(Distribution::new(vec![], false, "--p"));
    assert!(m.starts_with("--p: the distribution is empty"), "{m}");
    let m = input_message(Distribution::new(vec![q(0, 1), q(0, 1)], true, "--p"));
    assert_eq!(
        m,
        "--p: all entries are zero; at least one probability must be positive"
    );
}

#[test]
fn normalize_rescales_exactly() {
    let d = Distribution::new(vec![q(1, 1), q(2, 1), q(3, 1)], true, "--p").unwrap();
    assert_eq!(d.probs(), &[q(1, 6), q(1, 3), q(1, 2)]);
    let s: Rational = d.probs().iter().sum();
    assert_eq!(s, 1);
    // decimals: 0.1, 0.1, 0.1 -> thirds exactly
    let d = Distribution::new(parse_list("0.1,0.1,0.1").unwrap(), true, "--p").unwrap();
    assert_eq!(d.probs(), &[q(1, 3), q(1, 3), q(1, 3)]);
    // already normalised: untouched
    let d = Distribution::new(vec![q(1, 4), q(3, 4)], true, "--p").unwrap();
    assert_eq!(d.probs(), &[q(1, 4), q(3, 4)]);
    // random positive weights: the normalised vector sums to exactly one and keeps the ratios
    let mut rng = SplitMix64(0x5EED_0003);
    for _ in 0..100 {
        let k = 1 + rng.below(6) as usize;
        let w: Vec<Rational> = (0..k)
            .map(|_| q(rng.range_i64(0, 1000), rng.range_i64(1, 1000)))
            .collect();
        if w.iter().all(|x| *x == 0) {
            continue;
        }
        let d = Distribution::new(w.clone(), true, "--p").unwrap();
        let total: Rational = w.iter().sum();
        let s: Rational = d.probs().iter().sum();
        assert_eq!(s, 1);
        for (a, b) in d.probs().iter().zip(&w) {
            assert_eq!(Rational::from(a * &total), *b);
        }
    }
}

#[test]
fn zero_entries_are_allowed_and_leave_the_support() {
    let d = Distribution::new(vec![q(0, 1), q(1, 2), q(0, 1), q(1, 2)], false, "--p").unwrap();
    assert_eq!(d.len(), 4);
    assert_eq!(d.support(), vec![1, 3]);
}

#[test]
fn model_lengths_must_match() {
    let p = Distribution::new(vec![q(1, 2), q(3, 10), q(1, 5)], false, "--p").unwrap();
    let m = input_message(Model::new(p.clone(), vec![q(0, 1), q(1, 1)]));
    assert_eq!(m, "--r has 2 entries but --p has 3; give one reward per token");
    let model = Model::new(p, vec![q(0, 1), q(1, 1), q(3, 1)]).unwrap();
    assert_eq!(model.r_max(), 3);
    assert_eq!(model.mass_max(), q(1, 5));
    // E_p r = 3/10 + 3/5 = 9/10 exactly
    assert_eq!(model.mean(), q(9, 10));
}

#[test]
fn rug_and_num_rational_agree_on_one() {
    // guards the conversion helper used by the cross-checks above
    assert_eq!(rat_to_big(&q(1, 1)), BigRational::one());
    assert_eq!(
        rat_to_big(&q(-3, 6)),
        BigRational::new(BigInt::from(-1), BigInt::from(2))
    );
    assert_eq!(
        rat_to_big(&ok("123456789012345678901234567890/7")),
        BigRational::new(
            BigInt::from_str("123456789012345678901234567890").unwrap(),
            BigInt::from(7)
        )
    );
}
