//! Properties (proptest) of the two foundations every output rests on:
//! - the enclosure operations (`real::Enc`): at a random precision `p`, the enclosure of an
//!   operation on random rationals contains the exact result (rational operations, checked
//!   exactly) or the enclosure of the same operation recomputed at `4p` bits (transcendental
//!   operations, whose results are irrational at these inputs), and is narrow;
//! - parse -> format round trips: a rational's `a/b` text parses back to it, a decimal rounded
//!   down and up to `sig` digits brackets it within one unit of the last digit, and a decimal of
//!   at most `sig` digits formats and parses back unchanged.

use alignexact::exact::parse::parse_rational;
use alignexact::real::format::{rational_to_sig_decimal, Dir};
use alignexact::real::Enc;
use proptest::prelude::*;
use rug::{Float, Integer, Rational};

/// `10^e` exactly.
fn pow10(e: i64) -> Rational {
    let p = Rational::from(Integer::from(Integer::u_pow_u(10, e.unsigned_abs() as u32)));
    if e >= 0 {
        p
    } else {
        p.recip()
    }
}

fn rat(n: i64, d: u64) -> Rational {
    Rational::from((n, d.max(1)))
}

/// `inner` lies within `outer` (both enclosures of the same real).
fn inside(inner: &Enc, outer: &Enc) -> bool {
    outer.lo() <= inner.lo() && inner.hi() <= outer.hi()
}

/// The enclosure is narrow: width at most `2^(8 - p) max(1, |x|)`.
fn narrow(e: &Enc, p: u32) -> bool {
    let mag = Float::with_val(p, e.hi().abs_ref()).max(&Float::with_val(p, e.lo().abs_ref()));
    let scale = if mag > 1 { mag } else { Float::with_val(p, 1) };
    e.width() <= scale >> (p as i32 - 8)
}

/// An enclosure operation at a precision.
type Op = Box<dyn Fn(&Enc, u32) -> Enc>;

fn arb_rat() -> impl Strategy<Value = Rational> {
    (-1_000_000i64..1_000_000, 1u64..1_000_000).prop_map(|(n, d)| rat(n, d))
}

fn arb_pos_rat() -> impl Strategy<Value = Rational> {
    (1i64..1_000_000, 1u64..1_000_000).prop_map(|(n, d)| rat(n, d))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// +, -, *, / and x^k of enclosures of rationals contain the exact rational result.
    #[test]
    fn rational_operations_contain_the_exact_result(
        x in arb_rat(), y in arb_rat(), p in 24u32..300, k in 0i64..12
    ) {
        let (ex, ey) = (Enc::from_rational(&x, p), Enc::from_rational(&y, p));
        let cases = [
            (ex.add(&ey, p), Rational::from(&x + &y)),
            (ex.sub(&ey, p), Rational::from(&x - &y)),
            (ex.mul(&ey, p), Rational::from(&x * &y)),
            (ex.square(p), Rational::from(&x * &x)),
            (ex.powi(k, p), Rational::from(rug::ops::Pow::pow(&x, k as i32))),
            (ex.mul_rational(&y, p), Rational::from(&x * &y)),
        ];
        for (e, want) in cases.iter() {
            prop_assert!(e.contains_rational(want), "[{}, {}] misses {}", e.lo(), e.hi(), want);
            prop_assert!(narrow(e, p));
        }
        if y != 0 {
            let e = ex.div(&ey, p);
            prop_assert!(e.contains_rational(&Rational::from(&x / &y)));
        }
    }

    /// exp, ln, ln(1+x), e^x - 1 and sqrt at p bits contain their recomputation at 4p bits.
    #[test]
    fn transcendental_operations_contain_the_4x_recomputation(
        x in arb_rat(), y in arb_pos_rat(), p in 24u32..300
    ) {
        let hi = 4 * p;
        let small = Rational::from(&x / 100_000u32); // |small| < 10, so exp stays in range
        prop_assume!(small != 0 && y != 1);
        let ops: [(&str, Op, &Rational); 5] = [
            ("exp", Box::new(|e: &Enc, q| e.exp(q)), &small),
            ("expm1", Box::new(|e: &Enc, q| e.expm1(q)), &small),
            ("ln", Box::new(|e: &Enc, q| e.ln(q)), &y),
            ("ln_1p", Box::new(|e: &Enc, q| e.ln_1p(q)), &y),
            ("sqrt", Box::new(|e: &Enc, q| e.sqrt(q)), &y),
        ];
        for (name, f, arg) in ops.iter() {
            let low = f(&Enc::from_rational(arg, p), p);
            let reference = f(&Enc::from_rational(arg, hi), hi);
            prop_assert!(
                inside(&reference, &low),
                "{name}({arg}) at {p} bits: [{}, {}] does not contain [{}, {}]",
                low.lo(), low.hi(), reference.lo(), reference.hi()
            );
            prop_assert!(narrow(&low, p), "{name}({arg}) at {p} bits is wide");
        }
    }

    /// A rational's own `a/b` text parses back to it exactly.
    #[test]
    fn rational_text_round_trips(x in arb_rat()) {
        prop_assert_eq!(parse_rational(&x.to_string()).unwrap(), x);
    }

    /// Rounded down and up to `sig` significant digits, the decimal text parses to two
    /// numbers that bracket `x` and differ by at most one unit in the last place; nearest lies
    /// between them.
    #[test]
    fn decimal_rounding_brackets_the_value(x in arb_rat(), sig in 1usize..40) {
        prop_assume!(x != 0);
        let down = parse_rational(&rational_to_sig_decimal(&x, sig, Dir::Down)).unwrap();
        let up = parse_rational(&rational_to_sig_decimal(&x, sig, Dir::Up)).unwrap();
        let near = parse_rational(&rational_to_sig_decimal(&x, sig, Dir::Nearest)).unwrap();
        prop_assert!(down <= x && x <= up, "{} <= {} <= {}", down, x, up);
        prop_assert!(down <= near && near <= up);
        // one unit in the last place: 10^(e0 - sig + 1) with 10^e0 <= |x| < 10^(e0 + 1)
        let a = Rational::from(x.abs_ref());
        let mut e0 = 0i64;
        while pow10(e0) > a { e0 -= 1; }
        while pow10(e0 + 1) <= a { e0 += 1; }
        let ulp_bound = pow10(e0 - sig as i64 + 1);
        prop_assert!(Rational::from(&up - &down) <= ulp_bound);
    }

    /// A decimal with at most `sig` significant digits is formatted exactly and parses back
    /// to the same rational.
    #[test]
    fn short_decimals_format_exactly(m in -999_999i64..999_999, e in -30i32..30, extra in 0usize..10) {
        prop_assume!(m != 0);
        let text = format!("{m}e{e}");
        let q = parse_rational(&text).unwrap();
        let sig = m.unsigned_abs().to_string().len() + extra;
        for dir in [Dir::Nearest, Dir::Down, Dir::Up] {
            let s = rational_to_sig_decimal(&q, sig, dir);
            prop_assert_eq!(parse_rational(&s).unwrap(), q.clone(), "{} -> {}", text, s);
        }
    }
}
