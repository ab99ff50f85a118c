//! Raw flags turned into validated domain values, in one place (as ripgrep does).
//!
//! Every function here takes the flag's name for its messages, so each error names the flag and
//! the fix, on one line, and maps to exit code 2.

use crate::error::{Error, Result};
use crate::exact::dist::{Distribution, Model};
use crate::exact::parse::{
    check_list_nonblank, parse_integer, parse_list, parse_list_item, parse_rational, ParseError,
};
use crate::real::par;
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
    parallel_parse_list(s).map_err(|e| Error::input(format!("{flag}: {e}")))
}

/// [`parse_list`] with the items parsed on worker threads ([`par::map`], for a vocabulary of
/// 10^6 tokens): each item's value does not depend on where it is parsed, and the error is the
/// first in item order, so the answer is exactly [`parse_list`]'s whatever the thread count.
pub fn parallel_parse_list(s: &str) -> std::result::Result<Vec<Rational>, ParseError> {
    check_list_nonblank(s)?;
    let items: Vec<(usize, &str)> = s.split(',').enumerate().collect();
    if items.len() < par::MIN_PARALLEL_ITEMS {
        return parse_list(s);
    }
    // `Option` (the size of a `Rational`) rather than `Result` keeps the parsed list small; the
    // first failing item, in item order, is parsed again for its error
    let parsed = par::map(&items, |&(i, item)| parse_list_item(i, item).ok());
    if let Some(i) = parsed.iter().position(Option::is_none) {
        let (i, item) = items[i];
        return Err(parse_list_item(i, item).expect_err("the item failed to parse"));
    }
    drop(items);
    Ok(parsed
        .into_iter()
        .map(|q| q.expect("every item parsed"))
        .collect())
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
            "{flag}: {} is larger than the supported maximum {}",
            short_input(s),
            integer_figure(max)
        )));
    }
    Ok(i)
}

/// An input echoed in a message: at most 40 characters, with the length of the rest.
pub fn short_input(s: &str) -> String {
    let s = s.trim();
    let n = s.chars().count();
    if n <= 40 {
        s.to_string()
    } else {
        format!("{}... ({n} characters)", s.chars().take(30).collect::<String>())
    }
}

/// A positive integer for a message: its digits up to 20 of them, else `2^k` when it is a
/// power of two, else about `10^e`; `2^32 - 1` is shown as such.
pub fn integer_figure(i: &Integer) -> String {
    let bits = i.significant_bits();
    if bits <= 64 {
        let t = i.to_string();
        if *i == u32::MAX {
            return format!("{t} (2^32 - 1)");
        }
        return t;
    }
    if i.is_power_of_two() {
        return format!("2^{}", bits - 1);
    }
    format!("about 10^{:.0}", (bits as f64 - 1.0) * std::f64::consts::LOG10_2)
}

/// A non-negative exact rational flag.
pub fn nonnegative(flag: &str, s: &str) -> Result<Rational> {
    let q = rational(flag, s)?;
    if q < 0 {
        return Err(Error::input(format!("{flag}: must be >= 0, got '{s}'")));
    }
    Ok(q)
}

/// `--ties level|order` (default `level`): `true` for BON-1's order rule.
pub fn ties_order(s: Option<&str>) -> Result<bool> {
    match s.map(|t| t.trim().to_ascii_lowercase()) {
        None => Ok(false),
        Some(t) if t == "level" => Ok(false),
        Some(t) if t == "order" => Ok(true),
        Some(t) => Err(Error::input(format!(
            "--ties: expected level or order, got '{t}'"
        ))),
    }
}
