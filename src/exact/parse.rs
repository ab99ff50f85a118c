//! Exact parsing of the number syntax of INTERFACE.md into [`rug::Rational`].
//!
//! Accepted forms (an optional leading `+` or `-` on each):
//! - integers: `3`, `-12`
//! - fractions `a/b` of two integers: `3/10`, `-1/6` (the denominator must be non-zero)
//! - decimals: `0.3`, `.5`, `2.`, `-1.25`
//! - scientific notation on an integer or decimal mantissa: `1e-3`, `2.5E+4`
//!
//! Every form is converted exactly: `0.1` is 1/10 and `1e-3` is 1/1000. No binary
//! floating point is involved anywhere. `nan`, `inf`, empty items and anything else are
//! rejected with a [`ParseError`] whose message names the offending text.

use rug::{Integer, Rational};
use std::fmt;

/// Why a number could not be parsed. The message names the offending item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The item as given.
    pub item: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.item.is_empty() {
            write!(f, "empty number: {}", self.reason)
        } else {
            write!(f, "'{}' is not an exact number: {}", self.item, self.reason)
        }
    }
}

impl std::error::Error for ParseError {}

fn err(item: &str, reason: &str) -> ParseError {
    ParseError {
        item: item.to_string(),
        reason: reason.to_string(),
    }
}

/// Largest decimal exponent accepted in scientific notation. `1e100000` already has a
/// 332,000-bit numerator; anything beyond this is almost certainly a typo and would only
/// exhaust memory.
pub const MAX_EXPONENT: i64 = 100_000;

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parse an unsigned decimal mantissa `int[.frac]` into (numerator, number of fractional digits).
fn parse_mantissa(item: &str, m: &str) -> Result<(Integer, usize), ParseError> {
    let (ip, fp) = match m.find('.') {
        Some(i) => (&m[..i], &m[i + 1..]),
        None => (m, ""),
    };
    if ip.is_empty() && fp.is_empty() {
        return Err(err(item, "no digits"));
    }
    if (!ip.is_empty() && !all_digits(ip)) || (!fp.is_empty() && !all_digits(fp)) {
        return Err(err(
            item,
            "expected an integer, a fraction a/b, a decimal or scientific notation such as 1e-3",
        ));
    }
    let digits = format!("{ip}{fp}");
    let num = Integer::from_str_radix(&digits, 10).map_err(|_| err(item, "invalid digits"))?;
    Ok((num, fp.len()))
}

/// Digits of a machine-integer fast path: any 19 decimal digits fit in a `u64`.
const SMALL_DIGITS: usize = 19;

/// `body` (unsigned) as an integer `a` or a fraction `a/b` of at most [`SMALL_DIGITS`] digits
/// each (`b != 0`), read into machine integers: the same value as the general path below
/// (`Rational::from((a, b))` canonicalises), without its allocations. `None` for any other text,
/// which the general path then parses (or rejects with its message).
fn small_integer_or_fraction(body: &str) -> Option<Rational> {
    fn small(t: &str) -> Option<u64> {
        if t.is_empty() || t.len() > SMALL_DIGITS || !all_digits(t) {
            return None;
        }
        t.parse().ok()
    }
    match body.split_once('/') {
        None => small(body).map(Rational::from),
        Some((a, b)) => {
            let (a, b) = (small(a)?, small(b)?);
            (b != 0).then(|| Rational::from((a, b)))
        }
    }
}

/// Parse one number exactly. See the module documentation for the syntax.
///
/// ```
/// use alignexact::exact::parse::parse_rational;
/// use rug::Rational;
/// assert_eq!(parse_rational("0.1").unwrap(), Rational::from((1, 10)));
/// assert_eq!(parse_rational("-1e-3").unwrap(), Rational::from((-1, 1000)));
/// assert!(parse_rational("1/0").is_err());
/// ```
pub fn parse_rational(item: &str) -> Result<Rational, ParseError> {
    let s = item.trim();
    if s.is_empty() {
        return Err(err(item, "expected a number"));
    }
    let core = s.trim_start_matches(['+', '-']);
    let head = core.as_bytes().get(..3);
    if head.is_some_and(|h| h.eq_ignore_ascii_case(b"nan") || h.eq_ignore_ascii_case(b"inf")) {
        return Err(err(item, "only finite numbers are accepted"));
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return Err(err(item, "a sign must be followed by digits"));
    }
    if let Some(v) = small_integer_or_fraction(body) {
        return Ok(if neg { -v } else { v });
    }
    let value = if let Some(slash) = body.find('/') {
        let (a, b) = (&body[..slash], &body[slash + 1..]);
        if !all_digits(a) || !all_digits(b) {
            return Err(err(
                item,
                "a fraction must be two integers a/b, e.g. 3/10 or -1/6",
            ));
        }
        let a = Integer::from_str_radix(a, 10).map_err(|_| err(item, "invalid numerator"))?;
        let b = Integer::from_str_radix(b, 10).map_err(|_| err(item, "invalid denominator"))?;
        if b == 0 {
            return Err(err(item, "the denominator is zero"));
        }
        Rational::from((a, b))
    } else {
        let (mant, exp) = match body.find(['e', 'E']) {
            Some(i) => {
                // a mantissa that is not a decimal makes the whole item garbage, whatever follows
                parse_mantissa(item, &body[..i])?;
                let e = &body[i + 1..];
                let (eneg, edigits) = match e.as_bytes().first() {
                    Some(b'-') => (true, &e[1..]),
                    Some(b'+') => (false, &e[1..]),
                    _ => (false, e),
                };
                if !all_digits(edigits) {
                    return Err(err(item, "the exponent after 'e' must be an integer"));
                }
                let mag: i64 = edigits
                    .parse()
                    .ok()
                    .filter(|m| *m <= MAX_EXPONENT)
                    .ok_or_else(|| err(item, &format!("the exponent exceeds the limit of {MAX_EXPONENT}")))?;
                (&body[..i], if eneg { -mag } else { mag })
            }
            None => (body, 0i64),
        };
        let (num, frac) = parse_mantissa(item, mant)?;
        let e10 = exp - frac as i64;
        let pow = Integer::from(Integer::u_pow_u(10, e10.unsigned_abs() as u32));
        if e10 >= 0 {
            Rational::from(num * pow)
        } else {
            Rational::from((num, pow))
        }
    };
    Ok(if neg { -value } else { value })
}

/// Parse a comma-separated list of exact numbers. Empty items (`1,,2`, a trailing comma)
/// are rejected with their position.
pub fn parse_list(list: &str) -> Result<Vec<Rational>, ParseError> {
    check_list_nonblank(list)?;
    list.split(',')
        .enumerate()
        .map(|(i, item)| parse_list_item(i, item))
        .collect()
}

/// Item `i` (from 0) of a list for [`parse_list`]: an empty item is an error naming its
/// position. A caller that parses the items of a long list on several threads and keeps the
/// first error in item order gets exactly [`parse_list`]'s answer.
pub fn parse_list_item(i: usize, item: &str) -> Result<Rational, ParseError> {
    if item.trim().is_empty() {
        Err(err("", &format!("item {} of the list is empty", i + 1)))
    } else {
        parse_rational(item)
    }
}

/// The first check of [`parse_list`]: a blank list is an error.
pub fn check_list_nonblank(list: &str) -> Result<(), ParseError> {
    if list.trim().is_empty() {
        return Err(err(
            "",
            "the list is empty; give comma-separated numbers such as 1/2,1/3,1/6",
        ));
    }
    Ok(())
}

/// Parse a non-negative integer (for `--n`, `--N`): exact rational syntax is accepted
/// (`1e4` is 10000) but the value must be an integer.
pub fn parse_integer(item: &str) -> Result<Integer, ParseError> {
    let q = parse_rational(item)?;
    if *q.denom() != 1 {
        return Err(err(item, "an integer is required"));
    }
    Ok(q.numer().clone())
}
