//! Claims: each statement of MATH.md as a function returning certified lhs, rhs, margin and a
//! status. Used by `check`.
//!
//! A [`Claim`] is decided from enclosures, never from floating-point guesses:
//! - an inequality `lhs <= rhs` [`Status::Holds`] when `rhs - lhs` is certified `>= 0`, is
//!   [`Status::Violated`] when it is certified `< 0`, and is [`Status::Undecided`] otherwise;
//! - an equality `lhs = rhs` of two transcendental quantities can never be certified exactly, so
//!   it [`Status::Holds`] when the enclosures overlap and the enclosure of `lhs - rhs` is
//!   narrower than the tolerance [`tolerance`] (which shrinks like `2^{-prec/2}`, relative to the
//!   size of the two sides, absolute below 1), i.e. `|lhs - rhs| < tol` is certified; it is
//!   [`Status::Violated`] when `lhs - rhs` is certified non-zero (the enclosures are disjoint: the
//!   two sides provably differ, by however little); and [`Status::Undecided`] otherwise.
//!
//! An undecided claim needs more precision: [`settle`] (and [`try_settle`], [`settle_all`])
//! doubles the working precision while the status is undecided, up to a cap.

pub mod asymptotics;
pub mod best_of_n;
pub mod markov;
pub mod registry;
pub mod sequences;
pub mod tilt;
pub mod windowed;

use crate::error::Result;
use crate::real::round::fmax;
use crate::real::Enc;
use crate::report::{obj, Value};
use rug::Float;
use std::cmp::Ordering;

/// The verdict on a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Certified to hold (an equality: within the precision-dependent tolerance).
    Holds,
    /// Certified to fail.
    Violated,
    /// The enclosures are too wide to decide at this precision.
    Undecided,
}

impl Status {
    /// The JSON word of INTERFACE.md: `"holds"`, `"violated"`, `"undecided"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Holds => "holds",
            Status::Violated => "violated",
            Status::Undecided => "undecided",
        }
    }
}

/// One checked statement: the two sides, the margin and the verdict.
///
/// For an equality the margin is the enclosure of `lhs - rhs`; for an inequality `lhs <= rhs` it
/// is the enclosure of `rhs - lhs` (non-negative when the claim holds).
#[derive(Clone, Debug)]
pub struct Claim {
    /// Statement id of MATH.md, with a sub-id after a dot (`TILT-2.value`).
    pub id: String,
    /// The statement in words and symbols.
    pub statement: String,
    /// Left side.
    pub lhs: Value,
    /// Right side.
    pub rhs: Value,
    /// `lhs - rhs` (equality) or `rhs - lhs` (inequality).
    pub margin: Value,
    /// The verdict.
    pub status: Status,
}

impl Claim {
    /// The claim as a result tree with the field names of INTERFACE.md (`check`).
    pub fn to_value(&self) -> Value {
        obj(vec![
            ("id", Value::Str(self.id.clone())),
            ("statement", Value::Str(self.statement.clone())),
            ("status", Value::Str(self.status.as_str().into())),
            ("lhs", as_bounds(&self.lhs)),
            ("rhs", as_bounds(&self.rhs)),
            ("margin", as_bounds(&self.margin)),
        ])
    }
    /// A claim that could not be evaluated at this precision (e.g. a root did not certify):
    /// undecided, with unknown sides.
    pub fn unknown(id: &str, statement: &str, prec: u32) -> Claim {
        Claim {
            id: id.into(),
            statement: statement.into(),
            lhs: Value::Real(Enc::whole(prec)),
            rhs: Value::Real(Enc::whole(prec)),
            margin: Value::Real(Enc::whole(prec)),
            status: Status::Undecided,
        }
    }
}

/// A claim side for display: certified reals become [`Value::Bounds`] (a margin that holds
/// encloses 0 and can never certify significant digits; the claim's precision is chosen by
/// [`settle`], not by `--digits`).
fn as_bounds(v: &Value) -> Value {
    match v {
        Value::Real(e) => Value::Bounds(e.clone()),
        other => other.clone(),
    }
}

/// The enclosure of a `Value::Real` or `Value::Exact` leaf; `None` for any other node.
pub fn value_enc(v: &Value, prec: u32) -> Option<Enc> {
    match v {
        Value::Real(e) => Some(e.clone()),
        Value::Exact(q) => Some(Enc::from_rational(q, prec)),
        Value::Int(i) => Some(Enc::from_integer(i, prec)),
        _ => None,
    }
}

/// The largest absolute value of an endpoint of `e` (rounded up; `+inf` for an unbounded one).
fn magnitude(e: &Enc, prec: u32) -> Float {
    let a = Float::with_val(prec, e.lo().abs_ref());
    let b = Float::with_val(prec, e.hi().abs_ref());
    fmax(&a, &b)
}

/// The equality tolerance at `prec` bits: `2^{-floor(prec/2)} max(1, |lhs|, |rhs|)`.
///
/// Half the working precision is kept in reserve for the widening of the enclosures (their
/// widths are a few hundred ulps at most in this crate), so a true identity holds at every
/// precision, while a false one with `|lhs - rhs| = d > 0` is exposed as soon as the enclosures
/// separate, i.e. once `2^{-prec}` is well below `d`.
pub fn tolerance(lhs: &Enc, rhs: &Enc, prec: u32) -> Float {
    let one = Float::with_val(prec, 1);
    let m = fmax(&one, &fmax(&magnitude(lhs, prec), &magnitude(rhs, prec)));
    let half = (prec / 2) as i32;
    Float::with_val(prec, m >> half)
}

/// Decide the equality `lhs = rhs` of two certified quantities (see the module docs).
/// The margin is the enclosure of `lhs - rhs`.
pub fn equality(id: &str, statement: &str, lhs: Value, rhs: Value, prec: u32) -> Claim {
    let (Some(a), Some(b)) = (value_enc(&lhs, prec), value_enc(&rhs, prec)) else {
        return Claim::unknown(id, statement, prec);
    };
    let (margin, status) = if a.is_pos_infinity() || b.is_pos_infinity() {
        // +inf = +inf holds; +inf against a finite enclosure is violated
        let st = match (a.is_pos_infinity(), b.is_pos_infinity()) {
            (true, true) => Status::Holds,
            (true, false) if b.hi().is_finite() => Status::Violated,
            (false, true) if a.hi().is_finite() => Status::Violated,
            _ => Status::Undecided,
        };
        (Enc::whole(prec), st)
    } else {
        let d = a.sub(&b, prec);
        let st = if !d.is_finite() {
            Status::Undecided
        } else if d.sign_certified().is_some_and(|o| o != Ordering::Equal) {
            Status::Violated
        } else if d.width() < tolerance(&a, &b, prec) {
            Status::Holds
        } else {
            Status::Undecided
        };
        (d, st)
    };
    Claim {
        id: id.into(),
        statement: statement.into(),
        lhs,
        rhs,
        margin: Value::Real(margin),
        status,
    }
}

/// Decide the inequality `lhs <= rhs`. The margin is the enclosure of `rhs - lhs`.
pub fn inequality(id: &str, statement: &str, lhs: Value, rhs: Value, prec: u32) -> Claim {
    let (Some(a), Some(b)) = (value_enc(&lhs, prec), value_enc(&rhs, prec)) else {
        return Claim::unknown(id, statement, prec);
    };
    let d = b.sub(&a, prec);
    let status = if *d.lo() >= 0 {
        Status::Holds
    } else if *d.hi() < 0 {
        Status::Violated
    } else {
        Status::Undecided
    };
    Claim {
        id: id.into(),
        statement: statement.into(),
        lhs,
        rhs,
        margin: Value::Real(d),
        status,
    }
}

/// The shared loop: evaluate at `start_bits`, doubling while `undecided` says so, up to
/// `cap_bits` (the last evaluation is made at the cap itself).
fn settle_with<T>(f: impl Fn(u32) -> T, undecided: impl Fn(&T) -> bool, start_bits: u32, cap_bits: u32) -> T {
    let mut bits = start_bits.clamp(16, cap_bits.max(16));
    loop {
        let v = f(bits);
        if !undecided(&v) || bits >= cap_bits {
            return v;
        }
        bits = bits.saturating_mul(2).min(cap_bits);
    }
}

/// Evaluate a claim at rising precision (doubling from `start_bits`) until it is decided or the
/// cap is reached. The returned claim is the one computed at the last precision tried.
pub fn settle(f: impl Fn(u32) -> Claim, start_bits: u32, cap_bits: u32) -> Claim {
    settle_with(f, |c| c.status == Status::Undecided, start_bits, cap_bits)
}

/// [`settle`] for a claim function that can reject its parameters (an error stops the loop).
pub fn try_settle(f: impl Fn(u32) -> Result<Claim>, start_bits: u32, cap_bits: u32) -> Result<Claim> {
    settle_with(
        f,
        |c| matches!(c, Ok(c) if c.status == Status::Undecided),
        start_bits,
        cap_bits,
    )
}

/// [`settle`] for a group of claims: the precision doubles while any of them is undecided.
pub fn settle_all(
    f: impl Fn(u32) -> Result<Vec<Claim>>,
    start_bits: u32,
    cap_bits: u32,
) -> Result<Vec<Claim>> {
    settle_with(
        f,
        |c| matches!(c, Ok(v) if v.iter().any(|c| c.status == Status::Undecided)),
        start_bits,
        cap_bits,
    )
}
