//! The precision loop (Ziv's strategy): evaluate at rising precision until every certified
//! quantity of the result shows the requested significant digits, or fail with
//! [`Error::Uncertified`] (exit code 3) at the cap.
//!
//! The loop never invents digits: a result is accepted only when [`certify_decimal`](super::format::certify_decimal) accepts
//! every enclosure in it, and that check is exact.

use super::enclosure::take_violation;
use super::format::{certified_digits, certifies};
use super::Enc;
use crate::error::{Error, Result};

/// Default precision cap: 2^20 bits (about 315,000 decimal digits).
pub const DEFAULT_CAP_BITS: u32 = 1 << 20;
/// Largest `--digits` accepted.
pub const MAX_DIGITS: usize = 100_000;

/// What the caller asks for: significant decimal digits, and the precision cap in bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Precision {
    /// Significant decimal digits to certify in every real output.
    pub digits: usize,
    /// Largest working precision to try, in bits.
    pub cap_bits: u32,
}

impl Default for Precision {
    fn default() -> Self {
        Precision {
            digits: 30,
            cap_bits: DEFAULT_CAP_BITS,
        }
    }
}

impl Precision {
    /// `digits` digits with the default cap.
    pub fn digits(digits: usize) -> Precision {
        Precision {
            digits,
            ..Default::default()
        }
    }
    /// The first working precision tried: the digits in bits plus 32 guard bits.
    pub fn start_bits(&self) -> u32 {
        let b = (self.digits as f64 * std::f64::consts::LOG2_10).ceil() as u32 + 32;
        b.min(self.cap_bits).max(16)
    }
}

/// A result of a certified computation: it can name a quantity that does not yet show the
/// requested digits.
pub trait Certifiable {
    /// The first quantity that does not certify `digits` significant digits, with the digits it
    /// did certify; `None` when all do.
    fn first_uncertified(&self, digits: usize) -> Option<(String, usize)>;
}

impl Certifiable for Enc {
    fn first_uncertified(&self, digits: usize) -> Option<(String, usize)> {
        if self.is_pos_infinity() || self.is_neg_infinity() || certifies(self, digits) {
            None
        } else {
            Some(("the value".into(), certified_digits(self)))
        }
    }
}

impl Certifiable for Vec<(String, Enc)> {
    fn first_uncertified(&self, digits: usize) -> Option<(String, usize)> {
        self.iter()
            .find_map(|(name, e)| e.first_uncertified(digits).map(|(_, r)| (name.clone(), r)))
    }
}

/// Run `f(prec)` at rising precision (doubling from [`Precision::start_bits`]) until its result
/// certifies `p.digits` digits everywhere. `f` must return enclosures valid at any precision;
/// only their width depends on it.
pub fn run<T: Certifiable>(p: &Precision, mut f: impl FnMut(u32) -> Result<T>) -> Result<T> {
    let mut bits = p.start_bits();
    let trace = trace_on();
    super::round::widen_exponent_range();
    let _ = take_violation(); // a record from an earlier, unrelated computation
                              // the digits reached at the previous precision, to tell when more precision stops helping
    let mut prev: Option<(u32, usize)> = None;
    loop {
        let t0 = std::time::Instant::now();
        let v = f(bits)?;
        if let Some(msg) = take_violation() {
            return Err(Error::Internal(msg));
        }
        let verdict = v.first_uncertified(p.digits);
        if trace {
            eprintln!(
                "[ziv] {bits} bits: {:.3} s, {}",
                t0.elapsed().as_secs_f64(),
                match &verdict {
                    None => "certified".to_string(),
                    Some((q, r)) => format!("{q} has {r} digits"),
                }
            );
        }
        match verdict {
            None => return Ok(v),
            Some((quantity, reached)) => {
                if bits >= p.cap_bits {
                    if let Some((prev_bits, prev_reached)) = prev.filter(|&(_, r)| reached <= r) {
                        return Err(Error::Range(format!(
                            "could not certify {} digits of {quantity}: from {prev_bits} to {bits} bits of precision it \
                             stayed at {prev_reached} digits: more precision did not help, so raising --max-bits is unlikely \
                             to; a value (or a step of its computation) outside the floating-point exponent range, about \
                             10^-323228496 to 10^323228496, cannot be certified at any precision; try a smaller input",
                            p.digits
                        )));
                    }
                    return Err(Error::Uncertified {
                        quantity,
                        digits: p.digits,
                        bits,
                        reached,
                    });
                }
                prev = Some((bits, reached));
                bits = bits.saturating_mul(2).min(p.cap_bits);
            }
        }
    }
}

/// Whether `ALIGNEXACT_TRACE` asks for tracing on standard error: set to anything but empty,
/// `0`, `false`, `no` or `off` (case-insensitive).
pub fn trace_on() -> bool {
    std::env::var("ALIGNEXACT_TRACE").is_ok_and(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no" | "off"
        )
    })
}
