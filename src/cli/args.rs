//! Raw flags turned into validated domain values, in one place (as ripgrep does).
//!
//! Every function here takes the flag's name for its messages, so each error names the flag and
//! the fix, on one line, and maps to exit code 2.

use crate::error::{Error, Result};
use crate::exact::dist::{Distribution, Model};
use crate::exact::parse::{parse_integer, parse_list, parse_rational};
use crate::real::ziv::{Precision, DEFAULT_CAP_BITS, MAX_DIGITS};
use rug::{Integer, Rational};

/// Largest `--max-bits` accepted (2^26 bits: each float is then 8 MiB).
pub const MAX_CAP_BITS: u32 = 1 << 26;

/// `--digits` (default 30) and `--max-bits` (default 2^20).
pub fn precision(digits: Option<&str>, max_bits: Option<&str>) -> Result<Precision> {
    let digits = match digits {
        None => 30,
        Some(s) => match s.trim().parse::<usize>() {
            Ok(d) if (1..=MAX_DIGITS).contains(&d) => d,
            _ => {
                return Err(Error::input(format!(
                    "--digits: expected an integer from 1 to {MAX_DIGITS}, got '{s}'"
                )))
            }
        },
    };
    let cap_bits = match max_bits {
        None => DEFAULT_CAP_BITS,
        Some(s) => match s.trim().parse::<u32>() {
            Ok(b) if (16..=MAX_CAP_BITS).contains(&b) => b,
            _ => {
                return Err(Error::input(format!(
                    "--max-bits: expected an integer from 16 to {MAX_CAP_BITS}, got '{s}'"
                )))
            }
        },
    };
    Ok(Precision { digits, cap_bits })
}

/// An exact rational flag.
pub fn rational(flag: &str, s: &str) -> Result<Rational> {
    parse_rational(s).map_err(|e| Error::input(format!("{flag}: {e}")))
}

/// An optional exact rational flag.
pub fn opt_rational(flag: &str, s: Option<&str>) -> Result<Option<Rational>> {
    s.map(|s| rational(flag, s)).transpose()
}

/// A list of exact rationals.
pub fn list(flag: &str, s: &str) -> Result<Vec<Rational>> {
    parse_list(s).map_err(|e| Error::input(format!("{flag}: {e}")))
}

/// A distribution flag (`--p`, `--q`).
pub fn distribution(flag: &str, s: Option<&str>, normalize: bool) -> Result<Distribution> {
    let s = s.ok_or_else(|| {
        Error::input(format!(
            "{flag} is required: give probabilities such as {flag} 1/2,3/10,1/5"
        ))
    })?;
    Distribution::new(list(flag, s)?, normalize, flag)
}

/// The model `--p`, `--r`.
pub fn model(p: Option<&str>, r: Option<&str>, normalize: bool) -> Result<Model> {
    let p = distribution("--p", p, normalize)?;
    let r = r.ok_or_else(|| Error::input("--r is required: give one reward per token, such as --r 0,1,3"))?;
    Model::new(p, list("--r", r)?)
}

/// A positive integer flag with an upper limit (for `--n`, `--N`, `--order`).
pub fn positive_integer(flag: &str, s: &str, max: &Integer) -> Result<Integer> {
    let i = parse_integer(s).map_err(|e| Error::input(format!("{flag}: {e}")))?;
    if i < 1 {
        return Err(Error::input(format!(
            "{flag}: must be an integer >= 1, got '{s}'"
        )));
    }
    if i > *max {
        return Err(Error::TooLarge(format!(
            "{flag}: {s} is larger than the supported maximum {max}"
        )));
    }
    Ok(i)
}

/// A non-negative exact rational flag.
pub fn nonnegative(flag: &str, s: &str) -> Result<Rational> {
    let q = rational(flag, s)?;
    if q < 0 {
        return Err(Error::input(format!("{flag}: must be >= 0, got '{s}'")));
    }
    Ok(q)
}
