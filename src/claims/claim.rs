//! A claim: one checked statement of MATH.md with certified sides, margin and status, and the
//! shared machinery every claim family uses to decide one.
//!
//! A [`Claim`] is decided from enclosures, never from floating-point guesses. The four statuses
//! of INTERFACE.md (`check`) say how much was proved:
//! - [`Status::Holds`]: proved. An equality of two exact rationals decided by `==`, an equality
//!   whose difference encloses exactly `[0, 0]`, or an inequality `lhs <= rhs` whose margin
//!   `rhs - lhs` is certified `>= 0` (strict `lhs < rhs`: certified `> 0`).
//! - [`Status::Agrees`]: an equality `lhs = rhs` of two real (transcendental) quantities. Numerics
//!   can never prove it; the enclosure of `lhs - rhs` contains 0 and is narrower than the
//!   tolerance [`tolerance`] (which shrinks like `2^{-prec/2}`, relative to the size of the two
//!   sides, absolute below 1). The claim reports `D` = [`agreeing_digits`]: the two sides are
//!   proved to agree to `D` decimal digits (`|lhs - rhs| <= 10^-D max(1, |lhs|, |rhs|)`).
//! - [`Status::Violated`]: proved false. A certified non-zero difference (the enclosures are
//!   disjoint: the two sides provably differ, by however little), or an inequality whose margin
//!   is certified negative.
//! - [`Status::Undecided`]: the enclosures are too wide at this precision.
//!
//! Deciding: [`equality`], [`inequality`], [`strict`], [`exact_eq`], [`exact_le`]; one claim for
//! many instances: [`combine`]; enclosures of a max, min or absolute value: [`max_enc`],
//! [`min_enc`], [`abs_enc`].
//!
//! An undecided claim needs more precision: [`settle`] (and [`try_settle`], [`settle_all`])
//! doubles the working precision while the status is undecided, up to a cap.

use crate::error::Result;
use crate::real::round::{fmax, fmin};
use crate::real::value::{obj, Value};
use crate::real::Enc;
use rug::float::Round;
use rug::{Float, Rational};
use std::cmp::Ordering;

/// The verdict on a claim (see the module docs for what each one proves).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Proved: an exact rational equality, or a certified inequality.
    Holds,
    /// An equality of reals, consistent to `digits` certified decimal digits (not a proof).
    Agrees {
        /// The certified number of agreeing digits ([`agreeing_digits`]).
        digits: u32,
    },
    /// Certified to fail.
    Violated,
    /// The enclosures are too wide to decide at this precision.
    Undecided,
}

impl Status {
    /// The JSON word of INTERFACE.md: `"holds"`, `"agrees"`, `"violated"`, `"undecided"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Holds => "holds",
            Status::Agrees { .. } => "agrees",
            Status::Violated => "violated",
            Status::Undecided => "undecided",
        }
    }
    /// The certified agreeing digits of an [`Status::Agrees`] verdict (`None` for the others).
    pub fn agreeing_digits(&self) -> Option<u32> {
        match self {
            Status::Agrees { digits } => Some(*digits),
            _ => None,
        }
    }
    /// Holds or agrees: nothing is violated and nothing is left undecided.
    pub fn is_consistent(&self) -> bool {
        matches!(self, Status::Holds | Status::Agrees { .. })
    }
    /// The word and, for `agrees`, the digits: `holds`, `agrees(34)` (text output).
    pub fn label(&self) -> String {
        match self {
            Status::Agrees { digits } => format!("agrees({digits})"),
            other => other.as_str().to_string(),
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
    /// The claim as a result tree with the field names of INTERFACE.md (`check`); an
    /// `agrees` claim carries `agreeing_digits`.
    pub fn to_value(&self) -> Value {
        let mut items = vec![
            ("id", Value::Str(self.id.clone())),
            ("statement", Value::Str(self.statement.clone())),
            ("status", Value::Str(self.status.as_str().into())),
        ];
        if let Some(d) = self.status.agreeing_digits() {
            items.push(("agreeing_digits", Value::Count(u64::from(d))));
        }
        items.extend([
            ("lhs", as_bounds(&self.lhs)),
            ("rhs", as_bounds(&self.rhs)),
            ("margin", as_bounds(&self.margin)),
        ]);
        obj(items)
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

/// The smallest absolute value over an enclosure (0 when it contains 0; exact).
fn mignitude(e: &Enc, prec: u32) -> Float {
    if *e.lo() <= 0 && *e.hi() >= 0 {
        Float::new(prec)
    } else {
        let a = Float::with_val(prec, e.lo().abs_ref());
        let b = Float::with_val(prec, e.hi().abs_ref());
        fmin(&a, &b)
    }
}

/// The certified number of decimal digits to which `lhs` (enclosed by `a`) and `rhs` (enclosed
/// by `b`) agree, given an enclosure `d` of `lhs - rhs`: the largest `D >= 0` such that
/// `|lhs - rhs| <= 10^-D max(1, |lhs|, |rhs|)` follows from the enclosures (`u32::MAX` when
/// `d = [0, 0]`, i.e. the sides are proved equal; 0 when `d` is unbounded).
///
/// With `w = max(|d.lo|, |d.hi|) >= |lhs - rhs|` and the lower bound
/// `s = max(1, mig a, mig b) <= max(1, |lhs|, |rhs|)`, `D = floor(log10(s / w))` computed with
/// both the quotient and the logarithm rounded down, so `10^D <= s / w` holds exactly.
pub fn agreeing_digits(a: &Enc, b: &Enc, d: &Enc) -> u32 {
    if !d.is_finite() {
        return 0;
    }
    let prec = d.prec().max(a.prec()).max(b.prec()).max(64);
    let w = magnitude(d, prec);
    if w == 0 {
        return u32::MAX;
    }
    let one = Float::with_val(prec, 1);
    let s = fmax(&one, &fmax(&mignitude(a, prec), &mignitude(b, prec)));
    // quotient and logarithm rounded down: log10(s / w) is bounded below
    let (ratio, _) = Float::with_val_round(prec, &s / &w, Round::Down);
    if ratio < 1 {
        return 0;
    }
    let (lg, _) = Float::with_val_round(prec, ratio.log10_ref(), Round::Down);
    lg.floor().to_u32_saturating().unwrap_or(0)
}

/// The exact rational of a `Value::Exact` or `Value::Int` leaf.
fn value_rational(v: &Value) -> Option<Rational> {
    match v {
        Value::Exact(q) => Some(q.clone()),
        Value::Int(i) => Some(Rational::from(i.clone())),
        _ => None,
    }
}

/// Decide the equality `lhs = rhs` (see the module docs): two exact sides are compared with
/// `==` (holds or violated, exact margin); otherwise the margin is the enclosure of `lhs - rhs`
/// and a consistent verdict is [`Status::Agrees`] with the certified digits, unless the margin
/// is exactly `[0, 0]` (proved: holds).
pub fn equality(id: &str, statement: &str, lhs: Value, rhs: Value, prec: u32) -> Claim {
    if let (Some(x), Some(y)) = (value_rational(&lhs), value_rational(&rhs)) {
        let d = Rational::from(&x - &y);
        let status = if d == 0 { Status::Holds } else { Status::Violated };
        return Claim {
            id: id.into(),
            statement: statement.into(),
            lhs,
            rhs,
            margin: Value::Exact(d),
            status,
        };
    }
    let (Some(a), Some(b)) = (value_enc(&lhs, prec), value_enc(&rhs, prec)) else {
        return Claim::unknown(id, statement, prec);
    };
    let (margin, status) = if a.is_pos_infinity() || b.is_pos_infinity() {
        // +inf = +inf holds (both sides are certified to be +inf); +inf against a finite
        // enclosure is violated
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
        } else if d.is_exact_zero() {
            // lhs - rhs lies in [0, 0]: proved equal
            Status::Holds
        } else if d.width() < tolerance(&a, &b, prec) {
            Status::Agrees {
                digits: agreeing_digits(&a, &b, &d),
            }
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
    compare_sides(id, statement, lhs, rhs, false, prec)
}

/// `lhs <= rhs` (`strict = false`: holds when `rhs - lhs >= 0` is certified) or `lhs < rhs`
/// (`strict = true`: holds when `rhs - lhs > 0`); the margin is the enclosure of `rhs - lhs`.
fn compare_sides(id: &str, statement: &str, lhs: Value, rhs: Value, strict: bool, prec: u32) -> Claim {
    let (Some(a), Some(b)) = (value_enc(&lhs, prec), value_enc(&rhs, prec)) else {
        return Claim::unknown(id, statement, prec);
    };
    let d = b.sub(&a, prec);
    let (holds, violated) = if strict {
        (*d.lo() > 0, *d.hi() <= 0)
    } else {
        (*d.lo() >= 0, *d.hi() < 0)
    };
    let status = if holds {
        Status::Holds
    } else if violated {
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

/// What kind of comparison a group of claims made (decides which instance is the worst).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `lhs = rhs`: the worst instance has the largest `|lhs - rhs|` bound.
    Equality,
    /// `lhs <= rhs` (or `<`): the worst instance has the smallest lower end of the margin.
    Inequality,
}

/// The largest absolute value of an endpoint (the bound on `|x|` an enclosure gives).
fn abs_bound(e: &Enc) -> Float {
    let a = Float::with_val(e.prec(), e.lo().abs_ref());
    let b = Float::with_val(e.prec(), e.hi().abs_ref());
    fmax(&a, &b)
}

fn margin_enc(c: &Claim) -> Option<Enc> {
    value_enc(&c.margin, 64)
}

/// One claim standing for several instances of the same statement (e.g. one per `n`): the
/// instance that decides the verdict (a violated one, else an undecided one, else among the
/// `agrees` ones the one with the least room, else the one with the least room), re-labelled
/// with `id` and `statement`. A group is only `holds` when every instance holds. An empty group
/// gives `None`.
pub fn combine(id: &str, statement: &str, kind: Kind, claims: Vec<Claim>) -> Option<Claim> {
    let pick = |st: Status| claims.iter().position(|c| c.status == st);
    let least_room = |only_agrees: bool| -> Option<usize> {
        let mut best: Option<(usize, Float)> = None;
        for (i, c) in claims.iter().enumerate() {
            if only_agrees && !matches!(c.status, Status::Agrees { .. }) {
                continue;
            }
            let Some(m) = margin_enc(c) else { continue };
            // a score where smaller means less room
            let score = match kind {
                Kind::Equality => -abs_bound(&m),
                Kind::Inequality => m.lo().clone(),
            };
            if best.as_ref().is_none_or(|(_, s)| score < *s) {
                best = Some((i, score));
            }
        }
        best.map(|(i, _)| i)
    };
    let first_agrees = claims
        .iter()
        .position(|c| matches!(c.status, Status::Agrees { .. }));
    let idx = pick(Status::Violated)
        .or_else(|| pick(Status::Undecided))
        .or_else(|| first_agrees.and_then(|i| least_room(true).or(Some(i))))
        .or_else(|| least_room(false))
        .or(if claims.is_empty() { None } else { Some(0) })?;
    let mut c = claims[idx].clone();
    if let Status::Agrees { .. } = c.status {
        // the group agrees to the fewest digits of its instances
        let digits = claims.iter().filter_map(|c| c.status.agreeing_digits()).min();
        if let Some(digits) = digits {
            c.status = Status::Agrees { digits };
        }
    }
    c.id = id.to_string();
    c.statement = statement.to_string();
    Some(c)
}

/// A certified strict inequality `lhs < rhs`: holds when `rhs - lhs` is certified `> 0`,
/// violated when it is certified `<= 0`, undecided otherwise. The margin is `rhs - lhs`.
pub fn strict(id: &str, statement: &str, lhs: Value, rhs: Value, prec: u32) -> Claim {
    compare_sides(id, statement, lhs, rhs, true, prec)
}

/// An equality of two exact rationals, decided exactly (`==`); the margin is the exact
/// difference `lhs - rhs`.
pub fn exact_eq(id: &str, statement: &str, lhs: Rational, rhs: Rational) -> Claim {
    let d = Rational::from(&lhs - &rhs);
    let status = if d == 0 { Status::Holds } else { Status::Violated };
    Claim {
        id: id.into(),
        statement: statement.into(),
        lhs: Value::Exact(lhs),
        rhs: Value::Exact(rhs),
        margin: Value::Exact(d),
        status,
    }
}

/// An inequality `lhs <= rhs` of two exact rationals, decided exactly; the margin is the exact
/// difference `rhs - lhs`.
pub fn exact_le(id: &str, statement: &str, lhs: Rational, rhs: Rational) -> Claim {
    let d = Rational::from(&rhs - &lhs);
    let status = if d >= 0 { Status::Holds } else { Status::Violated };
    Claim {
        id: id.into(),
        statement: statement.into(),
        lhs: Value::Exact(lhs),
        rhs: Value::Exact(rhs),
        margin: Value::Exact(d),
        status,
    }
}

/// An enclosure of `max_i x_i` (`None` for an empty list).
pub fn max_enc(xs: &[Enc]) -> Option<Enc> {
    let mut it = xs.iter();
    let first = it.next()?.clone();
    Some(it.fold(first, |m, x| Enc::new(fmax(m.lo(), x.lo()), fmax(m.hi(), x.hi()))))
}

/// An enclosure of `min_i x_i` (`None` for an empty list).
pub fn min_enc(xs: &[Enc]) -> Option<Enc> {
    let mut it = xs.iter();
    let first = it.next()?.clone();
    Some(it.fold(first, |m, x| Enc::new(fmin(m.lo(), x.lo()), fmin(m.hi(), x.hi()))))
}

/// An enclosure of `|x|`.
pub fn abs_enc(x: &Enc) -> Enc {
    let p = x.prec();
    if *x.lo() >= 0 {
        x.clone()
    } else if *x.hi() <= 0 {
        x.neg()
    } else {
        Enc::new(Float::new(p), abs_bound(x))
    }
}

/// `x` rendered for a statement: `n = 1, 2, 5`.
pub fn list_text(xs: &[u64]) -> String {
    xs.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
}

/// `ln n` for a positive integer `n` (exactly 0 at `n = 1`).
pub fn ln_n(n: u64, prec: u32) -> Enc {
    if n == 1 {
        Enc::zero(prec)
    } else {
        Enc::from_rational(&Rational::from(n), prec).ln(prec)
    }
}

/// `n = 10, 20, ..., 10240` style text for a grid (all points when there are at most 4).
pub fn grid_text(g: &[u64]) -> String {
    // a doubling run followed by other points (the decades past 10240): name both parts
    let k = 1 + g.windows(2).take_while(|w| w[1] == 2 * w[0]).count();
    if k > 4 && k < g.len() {
        return format!(
            "n = {}, {}, ..., {}, {}",
            g[0],
            g[1],
            g[k - 1],
            list_text(&g[k..])
        );
    }
    // a short grid that is not one doubling run is listed in full
    if g.len() > 4 && (k == g.len() || g.len() > 8) {
        format!("n = {}, {}, ..., {}", g[0], g[1], g[g.len() - 1])
    } else {
        format!("n = {}", list_text(g))
    }
}
