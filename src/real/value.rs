//! Result trees: the [`Value`] a computation returns, whose leaves are exact rationals,
//! enclosures, integers and strings, and its [`Certifiable`] walk, by which the precision loop
//! ([`super::ziv::run`]) raises the precision until every enclosure certifies the requested
//! digits.
//!
//! The tree lives in the certified-real layer because every layer above builds it: the math
//! rows (`report::best_of_n`, `report::sweep`), the claims (each claim side is a `Value`) and the
//! reports. Its rendering (JSON envelope, tables) is in `crate::report`, which re-exports
//! [`Value`] and [`obj`] under their old paths.

use super::format::certify_exp_decimal;
use super::ziv::Certifiable;
use super::Enc;
use rug::{Integer, Rational};

/// A node of a result tree.
#[derive(Clone, Debug)]
pub enum Value {
    /// An exact rational.
    Exact(Rational),
    /// A certified real (or +∞).
    Real(Enc),
    /// Rigorous bounds that are not required to certify `--digits` digits (claim margins that
    /// enclose 0, per-level diagnostics below the floating-point range): rendered as outward
    /// rounded `lo`/`hi`, plus `value` when the enclosure does certify the digits. The precision
    /// loop does not wait for these.
    Bounds(Enc),
    /// The real `e^x` for an enclosure `x` of its logarithm (for probabilities that underflow
    /// the floating-point exponent range).
    ExpOf(Enc),
    /// The real `-e^x` for an enclosure `x` of the logarithm of its magnitude (a negative
    /// expected reward whose distance to 0 underflows every floating-point range).
    NegExpOf(Enc),
    /// An exact integer, printed as a string.
    Int(Integer),
    /// A small count, printed as a JSON number (always an integer).
    Count(u64),
    /// A word such as a regime name.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An array.
    Array(Vec<Value>),
    /// An object with ordered keys.
    Object(Vec<(String, Value)>),
    /// No value.
    Null,
}

/// Build an object from `(key, value)` pairs.
pub fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

impl Value {
    /// Look up a key of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(v) => v.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// The path of the first leaf that does not certify `digits` digits, relative to this node
    /// (`[3].phi[2]`, keys with a leading `.`), built only on the way back from a failure: a
    /// passing array of 10^6 leaves formats no path.
    fn walk_first(&self, digits: usize) -> Option<(String, usize)> {
        match self {
            Value::Real(e) => e.first_uncertified(digits).map(|(_, r)| (String::new(), r)),
            Value::ExpOf(x) | Value::NegExpOf(x) => match certify_exp_decimal(x, digits) {
                Some(_) => None,
                None => Some((String::new(), 0)),
            },
            // a long array (a tilt's phi over 10^6 tokens) is checked on worker threads one
            // block at a time; the first failure in item order is the same as a sequential walk's
            Value::Array(items) if items.len() >= super::par::MIN_PARALLEL_ITEMS => {
                for (b, block) in items.chunks(1 << 16).enumerate() {
                    let found = super::par::map(block, |v| v.walk_first(digits));
                    if let Some((i, (p, r))) =
                        found.into_iter().enumerate().find_map(|(i, f)| f.map(|f| (i, f)))
                    {
                        let i = b * (1 << 16) + i;
                        return Some((format!("[{i}]{p}"), r));
                    }
                }
                None
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| v.walk_first(digits).map(|(p, r)| (format!("[{i}]{p}"), r))),
            Value::Object(items) => items
                .iter()
                .find_map(|(k, v)| v.walk_first(digits).map(|(p, r)| (format!(".{k}{p}"), r))),
            _ => None,
        }
    }
}

impl Certifiable for Value {
    fn first_uncertified(&self, digits: usize) -> Option<(String, usize)> {
        self.walk_first(digits).map(|(p, r)| match p.strip_prefix('.') {
            Some(rest) => (rest.to_string(), r),
            None => (p, r),
        })
    }
}
