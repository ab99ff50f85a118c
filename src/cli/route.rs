//! `--method exact|window|auto`: which level-law route serves `bon`, `compare` and `sweep`, the
//! window route's resource guard, and the fallback from the window to the exact route.
//!
//! - `exact`: the exact level law (SEQ-2), as before.
//! - `window`: the certified windows of MATH.md §9 ([`crate::math::window`]). A result that the
//!   windows cannot certify (small `n`, where the windows cover the whole law and the tails near
//!   1 lose relative accuracy; or a regime without an interior tilt) falls back to the exact route
//!   when that fits the machine, with a note naming the field; otherwise it is exit 3 naming the
//!   field. Nothing uncertified is printed either way.
//! - `auto` (default): the exact route for `n` below the measured crossover
//!   ([`auto_window_min_n`]: 2000 at 30 digits, about 9600 at 100; see `benches/window.rs` and
//!   `proofs/windowed.md`) and whenever the windows do not apply, else the window route.

use crate::error::{Error, Result};
use crate::exact::dist::Model;
use crate::math::tilt::{optimum, Optimum, TiltModel};
use crate::math::window::{fixed_bits, WinLattice, WindowKnob, WindowLaw};
use crate::real::ziv::{self, Precision};
use crate::report::Value;
use rug::{Float, Rational};

/// The route asked for with `--method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodArg {
    /// The exact level law.
    Exact,
    /// The certified windows.
    Window,
    /// Pick by `n` (the default).
    Auto,
}

/// Smallest `n` at which `auto` takes the window route in [`plan`] (callers that do not pass
/// their digits; [`plan_for`] uses [`auto_window_min_n`]).
pub const AUTO_WINDOW_MIN_N: u64 = 2000;

/// Smallest `n` at which `auto` takes the window route for `digits` digits:
/// `2000 max(1, digits / 30)^1.3`, i.e. 2000 at 30 digits and about 9600 at 100 digits.
/// Measured (whole-process CPU seconds of `compare`, exact vs window; table in
/// `proofs/windowed.md`, rows `crossover` of `benches/window.rs`): at 30 digits the window route
/// is as fast at n = 500 and faster from n = 1000 on Example A, the 6-token and the wide-lattice
/// models, but both routes take under 0.1 s below n = 2000 and the exact route keeps its exact
/// fields there; at 100 digits the window route cannot certify below n = 2000 (it falls back
/// after paying for the windows), is faster from n = 2000 on Example A and the wide lattice,
/// and from about n = 12 000 on the 6-token model (the exponent 1.3 splits the difference).
pub fn auto_window_min_n(digits: usize) -> u64 {
    let r = (digits as f64 / 30.0).max(1.0);
    (2000.0 * r.powf(1.3)).round() as u64
}

/// Parse `--method`.
pub fn parse_method(s: Option<&str>) -> Result<MethodArg> {
    match s.map(|x| x.trim().to_ascii_lowercase()) {
        None => Ok(MethodArg::Auto),
        Some(x) if x == "auto" => Ok(MethodArg::Auto),
        Some(x) if x == "exact" => Ok(MethodArg::Exact),
        Some(x) if x == "window" => Ok(MethodArg::Window),
        Some(x) => Err(Error::input(format!(
            "--method: expected exact, window or auto, got '{x}'"
        ))),
    }
}

/// Everything the window route needs: the lattice and the tilt `lambda'` of the first window.
#[derive(Clone, Debug)]
pub struct WindowPlan {
    /// The model in lattice form.
    pub lat: WinLattice,
    /// `lambda'`: a 64-bit point near the tilt where best-of-N concentrates.
    pub lambda: Float,
    /// Window width knob (tests only; production uses the default).
    pub knob: WindowKnob,
}

/// The window's tilt for a per-token budget `delta`: a point near `l_Delta`, `None` outside the
/// interior regime (`Delta = 0`, saturated, constant reward), where the windows do not apply.
pub fn window_tilt(tm: &TiltModel, delta: &Rational) -> Option<Float> {
    match optimum(tm, delta, 128)? {
        Optimum::Interior(l) => {
            let m = Float::with_val(64, l.mid());
            (m > 0).then_some(m)
        }
        _ => None,
    }
}

/// Variance (in levels) of the tilted base `g_theta` at `theta = lambda h`, in `f64` (estimates).
fn tilted_var(lat: &WinLattice, theta: f64) -> f64 {
    let d = lat.d as f64;
    let ws: Vec<f64> = lat
        .ks
        .iter()
        .zip(&lat.ps)
        .map(|(k, p)| p.to_f64() * (theta * (*k as f64 - d)).exp())
        .collect();
    let z: f64 = ws.iter().sum();
    let mean: f64 = lat.ks.iter().zip(&ws).map(|(k, w)| *k as f64 * w).sum::<f64>() / z;
    lat.ks
        .iter()
        .zip(&ws)
        .map(|(k, w)| (*k as f64 - mean).powi(2) * w)
        .sum::<f64>()
        / z
}

/// Seconds of GMP work per bit of the last packed window (the squarings of one doubling chain:
/// widths grow like `sqrt(m)`, so the chain costs about 3.4 times its last squaring). Measured:
/// Example A, 0.42 s for 43 500 slots of 448 bits (n = 10^6), 13 s for 1.47e6 slots of 512 bits
/// (n = 10^9).
pub const WINDOW_SEC_PER_PACKED_BIT: f64 = 2.0e-8;
/// Seconds per listed level and window at 30 digits (choosing the listing, the tails, BON-1 and
/// every sum): measured 7 us (Example A, n = 10^6 and 10^9); scaled by
/// [`super::guard::digits_factor`].
pub const WINDOW_SEC_PER_LEVEL: f64 = 8.0e-6;

/// A-priori cost of the window route: `(levels in the wider window, bytes, seconds)`.
///
/// Both windows (the first at `lambda'`, the reverse KL's at `lambda' / 2`) have
/// `2 (z sd sqrt(n) + d + 2)` levels, `z = sqrt(2 (B + 8) ln 2)`, `B` the fixed-point bits. Time:
/// the two doubling chains ([`WINDOW_SEC_PER_PACKED_BIT`] per bit of the packed window,
/// `2B + 1` bits per slot rounded to limbs) plus [`WINDOW_SEC_PER_LEVEL`] per level and window.
/// Memory: the packed operand, its square and its unpacked limbs for both windows at once (they
/// are built on two threads), plus the first window's per-level enclosures (about 16 floats of
/// `prec` bits per level, 16 `(48 + prec / 8)` bytes with the allocator's share; the second
/// window's reverse KL is streamed). Measured against it (Example A, 30 digits): n = 10^6 69 MB
/// (estimate 0.11 GB), n = 10^9 2.05 GB and 49 s of CPU (estimate 2.78 GB, 54 s).
///
/// Largest n in 16 GB (Example A, by this estimate): at 30 digits about `3e10` and at 100 digits
/// about `7e9`, both beyond what the CLI takes (`n < 2^32`, and `e^{n Delta}` must stay in MPFR's
/// exponent range), so every accepted n fits (2.8 GB at n = 10^9 and 30 digits, 6.2 GB at 100
/// digits); at 300 digits about `6e8` (19.8 GB at n = 10^9).
pub fn window_estimate(plan: &WindowPlan, n: u64, digits: usize) -> (f64, f64, f64) {
    let prec = (digits as f64 * std::f64::consts::LOG2_10).ceil() as u32 + 32 + window_extra_bits(n);
    let b = fixed_bits(prec, n) as f64;
    let lat = &plan.lat;
    let theta = plan.lambda.to_f64() * lat.span().to_f64();
    let var = tilted_var(lat, theta).max(tilted_var(lat, theta / 2.0));
    let d = lat.d as f64;
    let zq = (2.0 * (b + 8.0) * std::f64::consts::LN_2).sqrt();
    let width = (2.0 * (zq * var.sqrt() * (n as f64).sqrt() + d + 2.0)).min(n as f64 * d + 1.0);
    let slot_bits = 64.0 * ((2.0 * b + 1.0) / 64.0).ceil();
    let packed = width * slot_bits / 8.0;
    // packed operand + square + unpacked limbs (x 2 windows), coefficient vectors, per level
    let level_bytes = 16.0 * (48.0 + prec as f64 / 8.0);
    let bytes = 2.0 * packed * 5.0 + 2.0 * width * (b / 8.0 + 48.0) + width * level_bytes + 30.0e6;
    let power = 2.0 * width * slot_bits * WINDOW_SEC_PER_PACKED_BIT;
    let levels = 2.0 * width * WINDOW_SEC_PER_LEVEL * super::guard::digits_factor(digits);
    (width, bytes, power + levels + 0.01)
}

/// Refuse a window job that would not fit (exit 2 with the estimate).
pub fn window_guard(plan: &WindowPlan, n: u64, digits: usize) -> Result<()> {
    let (width, bytes, seconds) = window_estimate(plan, n, digits);
    super::guard::check(
        &format!("n = {n} on the window route (windows of about {width:.3e} levels)"),
        bytes,
        seconds,
        "try a smaller --n or fewer --digits",
    )
}

/// The window plan for `method` at length `n` and budget `delta` (`None`: use the exact route),
/// with `auto`'s crossover at [`AUTO_WINDOW_MIN_N`].
pub fn plan(
    model: &Model,
    tm: &TiltModel,
    delta: &Rational,
    n: u64,
    method: MethodArg,
) -> Option<WindowPlan> {
    plan_at(model, tm, delta, n, method, AUTO_WINDOW_MIN_N)
}

/// [`plan`] with `auto`'s crossover measured for `digits` ([`auto_window_min_n`]).
pub fn plan_for(
    model: &Model,
    tm: &TiltModel,
    delta: &Rational,
    n: u64,
    method: MethodArg,
    digits: usize,
) -> Option<WindowPlan> {
    plan_at(model, tm, delta, n, method, auto_window_min_n(digits))
}

fn plan_at(
    model: &Model,
    tm: &TiltModel,
    delta: &Rational,
    n: u64,
    method: MethodArg,
    min_n: u64,
) -> Option<WindowPlan> {
    if method == MethodArg::Exact || (method == MethodArg::Auto && n < min_n) {
        return None;
    }
    let lat = WinLattice::new(model.probs(), &model.r)?;
    let lambda = window_tilt(tm, delta)?;
    Some(WindowPlan {
        lat,
        lambda,
        knob: window_knob(),
    })
}

/// The test-only window knob: `ALIGNEXACT_TEST_WINDOW_WIDEN` (a factor for the window width; a
/// too-narrow window must only widen the enclosures or fail, never change a digit).
pub fn window_knob() -> WindowKnob {
    let widen = std::env::var("ALIGNEXACT_TEST_WINDOW_WIDEN")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|w| w.is_finite() && *w > 0.0)
        .unwrap_or(1.0);
    WindowKnob { widen }
}

/// Largest precision the window route tries before giving up on a field (it rebuilds its
/// windows at every precision, so the cap is a few doublings above the start).
pub fn window_cap(prec: &Precision) -> u32 {
    prec.cap_bits.min(prec.start_bits().saturating_mul(8))
}

/// Guard bits the window route adds to every working precision at large `n`:
/// `2 max(0, bits(n) - 20)` (0 up to `n = 2^20`). The optimum's `l s - n psi(l)` and `l E S`
/// carry the absolute width of `l` times `n`, so about `log2 n` bits of every enclosure that
/// involves the tilt are lost to cancellation (measured: Example A at `n = 10^9` certified only
/// 27 of 30 digits of `kl_bon_tilted` at the start precision, then paid a full second pass).
pub fn window_extra_bits(n: u64) -> u32 {
    let bits_n = 64 - n.leading_zeros();
    2 * bits_n.saturating_sub(20)
}

/// Run `f` on the windows at rising precision (the precision loop of [`ziv::run`] with the
/// window cap). An uncertified field is returned as [`Error::Uncertified`] naming it.
pub fn run_window(
    prec: &Precision,
    plan: &WindowPlan,
    n: u64,
    f: impl FnMut(&WindowLaw, u32) -> Value,
) -> Result<Value> {
    run_window_with(prec, plan, n, true, f)
}

/// [`run_window`]; `half` builds the reverse KL's second window (WIN-4) alongside the first, on
/// a second thread (`compare`, `sweep`); `bon` does not need it.
pub fn run_window_with(
    prec: &Precision,
    plan: &WindowPlan,
    n: u64,
    half: bool,
    f: impl FnMut(&WindowLaw, u32) -> Value,
) -> Result<Value> {
    run_windowed(
        prec,
        window_extra_bits(n),
        |bits| {
            Some(if half {
                WindowLaw::with_half(&plan.lat, n, &plan.lambda, bits, plan.knob)
            } else {
                WindowLaw::new(&plan.lat, n, &plan.lambda, bits, plan.knob)
            })
        },
        f,
    )
}

/// The precision loop of the window routes (memoryless and chains): `build` makes the windows
/// at a working precision (`None`: a certificate of the build failed there, so nothing is
/// certified and the precision rises), `f` reads the result from them. An uncertified field is
/// returned as [`Error::Uncertified`] naming it.
pub fn run_windowed<W>(
    prec: &Precision,
    extra: u32,
    mut build: impl FnMut(u32) -> Option<W>,
    mut f: impl FnMut(&W, u32) -> Value,
) -> Result<Value> {
    let p = Precision {
        digits: prec.digits,
        cap_bits: window_cap(prec),
    };
    ziv::run(&p, |bits| {
        Ok(match build(bits + extra) {
            Some(w) => f(&w, bits + extra),
            None => crate::report::obj(vec![(
                "windows",
                Value::Real(crate::real::Enc::whole(bits + extra)),
            )]),
        })
    })
    .map_err(|e| match e {
        // the window cap is low on purpose: a field that stalls there is left to the exact
        // route (the callers' fallback), not reported as beyond the exponent range
        Error::Range(m) => Error::Uncertified {
            quantity: m
                .split_once(" digits of ")
                .and_then(|(_, rest)| rest.split_once(": from"))
                .map_or_else(|| "a windowed field".to_string(), |(q, _)| q.to_string()),
            digits: p.digits,
            bits: p.cap_bits,
            reached: 0,
        },
        other => other,
    })
}

/// Append `("method", ...)` and a fallback note to a result object.
pub fn mark(v: &mut Value, method: &str, note: Option<String>) {
    if let Value::Object(items) = v {
        // in place when present (the field order of the result stays as built)
        match items.iter_mut().find(|(k, _)| k == "method") {
            Some((_, v)) => *v = Value::Str(method.into()),
            None => items.push(("method".into(), Value::Str(method.into()))),
        }
        if let Some(n) = note {
            // one notes array: a result that already has notes (a chain's) gets the note added
            match items.iter_mut().find(|(k, _)| k == "notes") {
                Some((_, Value::Array(a))) => a.push(Value::Str(n)),
                _ => items.push(("notes".into(), Value::Array(vec![Value::Str(n)]))),
            }
        }
    }
}
