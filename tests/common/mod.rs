//! Helpers shared by the integration tests: insta settings that store snapshots in the top-level
//! `snapshots/` directory, a runner for the real `alignexact` binary, a seeded PRNG, and exact
//! conversions between `rug` numbers and `num-rational` numbers (so that checks can be made in an
//! arithmetic that is independent of the crate under test).
#![allow(dead_code)]

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::io::Write;
use std::process::{Command, Stdio};
use std::str::FromStr;

/// insta settings: snapshots live in `<crate>/snapshots/`, file names carry no module prefix.
pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

/// Run the real binary with `args`; return (exit code, stdout, stderr).
pub fn run_cli(args: &[&str]) -> (i32, String, String) {
    run_cli_stdin(args, None)
}

/// Run the real binary with `args`, feeding `stdin` (if any) to its standard input.
pub fn run_cli_stdin(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alignexact"));
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn the alignexact binary");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(text.as_bytes())
            .expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for alignexact");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// Assert the contract for a usage error: exit code 2, nothing on stdout, exactly one line on
/// stderr starting with `error:`, no panic; the line must contain every string of `needles`.
/// Returns the line.
pub fn assert_usage_error(args: &[&str], needles: &[&str]) -> String {
    let (code, out, err) = run_cli(args);
    assert_eq!(code, 2, "exit code for {args:?}; stderr: {err}");
    assert!(out.is_empty(), "stdout must be empty for {args:?}, got: {out}");
    assert!(!err.contains("panicked"), "panic for {args:?}: {err}");
    assert!(
        err.ends_with('\n'),
        "stderr must end with a newline for {args:?}: {err:?}"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "exactly one stderr line for {args:?}, got: {err:?}"
    );
    let line = lines[0];
    assert!(
        line.starts_with("error:"),
        "stderr must start with 'error:' for {args:?}: {line}"
    );
    for n in needles {
        assert!(line.contains(n), "stderr for {args:?} must mention {n:?}: {line}");
    }
    line.to_string()
}

/// splitmix64: a tiny, seeded, portable PRNG (Steele, Lea, Flood 2014).
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// Uniform in `lo..=hi`.
    pub fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    /// A fair coin.
    pub fn coin(&mut self) -> bool {
        self.next_u64() & 1 == 1
    }
}

/// A BigRational from a decimal integer text and denominator text.
pub fn big(n: i64, d: i64) -> BigRational {
    BigRational::new(BigInt::from(n), BigInt::from(d))
}

/// Exact conversion rug::Integer -> BigInt (through decimal text).
pub fn int_to_big(i: &rug::Integer) -> BigInt {
    BigInt::from_str(&i.to_string()).expect("integer text")
}

/// Exact conversion rug::Rational -> BigRational.
pub fn rat_to_big(q: &rug::Rational) -> BigRational {
    BigRational::new(int_to_big(q.numer()), int_to_big(q.denom()))
}

/// Exact conversion BigRational -> rug::Rational.
pub fn big_to_rat(q: &BigRational) -> rug::Rational {
    let n = rug::Integer::from_str_radix(&q.numer().to_string(), 10).expect("numerator");
    let d = rug::Integer::from_str_radix(&q.denom().to_string(), 10).expect("denominator");
    rug::Rational::from((n, d))
}

/// `2^e` as an exact BigRational, for any integer `e`.
pub fn pow2(e: i64) -> BigRational {
    let p = BigInt::one() << (e.unsigned_abs() as usize);
    if e >= 0 {
        BigRational::from_integer(p)
    } else {
        BigRational::new(BigInt::one(), p)
    }
}

/// `10^e` as an exact BigRational, for any integer `e`.
pub fn pow10(e: i64) -> BigRational {
    let p = num_traits::pow(BigInt::from(10u32), e.unsigned_abs() as usize);
    if e >= 0 {
        BigRational::from_integer(p)
    } else {
        BigRational::new(BigInt::one(), p)
    }
}

/// An extended real for comparisons: a finite exact dyadic or ±∞.
#[derive(Clone, Debug, PartialEq)]
pub enum Ext {
    NegInf,
    Fin(BigRational),
    PosInf,
}

impl Ext {
    /// The finite value (panics on an infinity).
    pub fn fin(&self) -> &BigRational {
        match self {
            Ext::Fin(q) => q,
            other => panic!("expected a finite endpoint, got {other:?}"),
        }
    }
    /// `self <= q`.
    pub fn le(&self, q: &BigRational) -> bool {
        match self {
            Ext::NegInf => true,
            Ext::Fin(a) => a <= q,
            Ext::PosInf => false,
        }
    }
    /// `self >= q`.
    pub fn ge(&self, q: &BigRational) -> bool {
        match self {
            Ext::NegInf => false,
            Ext::Fin(a) => a >= q,
            Ext::PosInf => true,
        }
    }
}

/// Exact conversion of a (non-NaN) MPFR float to an extended rational, done on the integer
/// mantissa and binary exponent, without using rug's own comparison or conversion to Rational.
pub fn float_to_ext(f: &rug::Float) -> Ext {
    assert!(!f.is_nan(), "NaN endpoint");
    if f.is_infinite() {
        return if f.is_sign_positive() {
            Ext::PosInf
        } else {
            Ext::NegInf
        };
    }
    if f.is_zero() {
        return Ext::Fin(BigRational::zero());
    }
    let (m, e) = f.to_integer_exp().expect("finite float");
    Ext::Fin(BigRational::from_integer(int_to_big(&m)) * pow2(e as i64))
}

/// Exact conversion of a finite float to a BigRational.
pub fn float_to_big(f: &rug::Float) -> BigRational {
    float_to_ext(f).fin().clone()
}

/// True when the exact rational `q` lies in `[lo, hi]` of the enclosure (checked in num-rational).
pub fn enc_contains(e: &alignexact::real::Enc, q: &BigRational) -> bool {
    float_to_ext(e.lo()).le(q) && float_to_ext(e.hi()).ge(q)
}

/// True when `[a, b]` (exact rationals, a <= b) lies inside the enclosure.
pub fn enc_contains_bracket(e: &alignexact::real::Enc, a: &BigRational, b: &BigRational) -> bool {
    float_to_ext(e.lo()).le(a) && float_to_ext(e.hi()).ge(b)
}

/// Parse a plain decimal string (`-0.00123`, `1.5e-30`, `12`) into an exact BigRational, with
/// an implementation independent of the crate (used to read its printed output).
pub fn decimal_to_big(s: &str) -> BigRational {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (mant, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], i64::from_str(&body[i + 1..]).expect("exponent")),
        None => (body, 0),
    };
    let (ip, fp) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    assert!(!(ip.is_empty() && fp.is_empty()), "no digits in {s:?}");
    assert!(
        ip.bytes().chain(fp.bytes()).all(|b| b.is_ascii_digit()),
        "not a decimal: {s:?}"
    );
    let digits = format!("{ip}{fp}");
    let n = BigInt::from_str(&digits).expect("digits");
    let v = BigRational::from_integer(n) * pow10(exp - fp.len() as i64);
    if neg {
        -v
    } else {
        v
    }
}

/// Number of significant digits of a printed decimal (leading zeros excluded, exponent excluded).
pub fn significant_digits(s: &str) -> usize {
    let mant = match s.find(['e', 'E']) {
        Some(i) => &s[..i],
        None => s,
    };
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    digits.trim_start_matches('0').len()
}

/// floor(log10(|v|)) for a non-zero exact rational.
pub fn floor_log10(v: &BigRational) -> i64 {
    let a = v.abs();
    assert!(!a.is_zero(), "log10 of zero");
    let mut e = (a.numer().bits() as i64 - a.denom().bits() as i64) * 3 / 10;
    while pow10(e) > a {
        e -= 1;
    }
    while pow10(e + 1) <= a {
        e += 1;
    }
    e
}

/// One unit in the last place of a non-zero value printed with `sig` significant digits:
/// `10^(floor(log10|v|) - sig + 1)`.
pub fn ulp_sig(v: &BigRational, sig: usize) -> BigRational {
    pow10(floor_log10(v) - sig as i64 + 1)
}

/// |a - b| as a BigRational.
pub fn absdiff(a: &BigRational, b: &BigRational) -> BigRational {
    (a - b).abs()
}

/// An exact rational from the CLI's number syntax (tests only).
pub fn q(s: &str) -> rug::Rational {
    alignexact::exact::parse::parse_rational(s).expect("test rational")
}

/// A validated model restricted to its support, from number strings.
pub fn model(p: &[&str], r: &[&str]) -> alignexact::math::tilt::TiltModel {
    use alignexact::exact::dist::{Distribution, Model};
    let p: Vec<rug::Rational> = p.iter().map(|s| q(s)).collect();
    let r: Vec<rug::Rational> = r.iter().map(|s| q(s)).collect();
    alignexact::math::tilt::TiltModel::new(
        &Model::new(Distribution::new(p, false, "--p").unwrap(), r).unwrap(),
    )
}

/// Example A of MATH.md §8: p = (1/2, 3/10, 1/5), r = (0, 1, 3).
pub fn example_a() -> alignexact::math::tilt::TiltModel {
    model(&["1/2", "3/10", "1/5"], &["0", "1", "3"])
}

/// Example B of MATH.md §8: p = (7/10, 3/10), r = (0, 1).
pub fn example_b() -> alignexact::math::tilt::TiltModel {
    model(&["7/10", "3/10"], &["0", "1"])
}

/// The smallest absolute value over a claim side, in num-rational (0 when the enclosure
/// contains 0); `None` for a non-numeric side or an unbounded endpoint.
fn side_mig(v: &alignexact::report::Value) -> Option<BigRational> {
    use alignexact::report::Value;
    match v {
        Value::Exact(q) => Some(rat_to_big(q).abs()),
        Value::Int(i) => Some(BigRational::from_integer(int_to_big(i)).abs()),
        Value::Real(e) => {
            if !e.is_finite() {
                return None;
            }
            let (lo, hi) = (float_to_big(e.lo()), float_to_big(e.hi()));
            if lo <= BigRational::zero() && hi >= BigRational::zero() {
                Some(BigRational::zero())
            } else {
                Some(lo.abs().min(hi.abs()))
            }
        }
        _ => None,
    }
}

/// A claim's status says no more than its enclosures prove (INTERFACE.md `check`), checked in
/// num-rational arithmetic:
/// - `agrees` (D digits): the margin is a real enclosure containing 0, at least one side is not
///   an exact rational, and `max(|margin.lo|, |margin.hi|) * 10^D <= max(1, mig lhs, mig rhs)`;
/// - `holds`: an exact margin `>= 0` (exact rationals), or a real margin whose lower end is
///   `>= 0` (a certified inequality, or a difference enclosed in `[0, 0]`), or two infinite sides;
/// - anything else fails.
pub fn assert_honest(c: &alignexact::claims::Claim) {
    use alignexact::claims::Status;
    use alignexact::report::Value;
    let what = format!("{} ({:?}): {}", c.id, c.status, c.statement);
    match c.status {
        Status::Agrees { digits } => {
            let Value::Real(d) = &c.margin else {
                panic!("agrees with an exact margin: {what}")
            };
            assert!(
                !(matches!(c.lhs, Value::Exact(_)) && matches!(c.rhs, Value::Exact(_))),
                "agrees between two exact sides: {what}"
            );
            let (lo, hi) = (float_to_big(d.lo()), float_to_big(d.hi()));
            assert!(lo <= BigRational::zero() && hi >= BigRational::zero(), "{what}");
            let w = lo.abs().max(hi.abs());
            let s = [side_mig(&c.lhs), side_mig(&c.rhs)]
                .into_iter()
                .flatten()
                .fold(BigRational::one(), |a, b| a.max(b));
            assert!(w * pow10(digits as i64) <= s, "more digits than proved: {what}");
        }
        Status::Holds => match &c.margin {
            Value::Exact(m) => assert!(*m >= 0, "{what}"),
            Value::Real(_)
                if [&c.lhs, &c.rhs]
                    .iter()
                    .all(|v| matches!(v, Value::Real(e) if e.is_pos_infinity())) => {}
            Value::Real(d) => assert!(float_to_big(d.lo()) >= BigRational::zero(), "{what}"),
            other => panic!("holds with margin {other:?}: {what}"),
        },
        _ => panic!("not consistent: {what}"),
    }
}
