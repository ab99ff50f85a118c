//! `--method exact|window|auto`: which level-law route serves `bon`, `compare` and `sweep`, the
//! window route's resource guard, and the fallback from the window to the exact route.
//!
//! - `exact`: the exact level law (SEQ-2), as before.
//! - `window`: the certified windows of MATH.md §9 ([`crate::math::window`]). A result that the
//!   windows cannot certify (small `n`, where the windows cover the whole law and the tails near
//!   1 lose relative accuracy; or a regime without an interior tilt) falls back to the exact route
//!   when that fits the machine, with a note naming the field; otherwise it is exit 3 naming the
//!   field. Nothing uncertified is printed either way.
//! - `auto` (default): the exact route for `n < AUTO_WINDOW_MIN_N` (measured crossover, see
//!   `benches/window.rs`) and whenever the windows do not apply, else the window route.

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

/// Smallest `n` at which `auto` takes the window route (Example A at 30 digits: the window route
/// is faster from about here on; measured with `benches/window.rs`).
pub const AUTO_WINDOW_MIN_N: u64 = 2000;

/// Memory budget of the window route (bytes). By [`window_estimate`], Example A at 30 digits
/// fits 16 GB up to about n = 7e11 (windows of ~6e7 levels); the time budget of
/// [`WINDOW_MAX_SECONDS`] binds first, at about n = 1e11 (estimates, scaled from measurements).
pub const WINDOW_MAX_BYTES: f64 = 12.0 * (1u64 << 30) as f64;
/// Time budget of the window route (estimated seconds).
pub const WINDOW_MAX_SECONDS: f64 = 900.0;

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

/// Rough a-priori cost of the window route: `(levels in the widest window, bytes, seconds)`.
pub fn window_estimate(plan: &WindowPlan, n: u64, digits: usize) -> (f64, f64, f64) {
    let prec = (digits as f64 * std::f64::consts::LOG2_10).ceil() as u32 + 32;
    let b = fixed_bits(prec, n) as f64;
    let lat = &plan.lat;
    let theta = plan.lambda.to_f64() * lat.span().to_f64();
    // variance of the tilted base in levels (as in the window placement)
    let d = lat.d as f64;
    let ws: Vec<f64> = lat
        .ks
        .iter()
        .zip(&lat.ps)
        .map(|(k, p)| p.to_f64() * (theta * (*k as f64 - d)).exp())
        .collect();
    let z: f64 = ws.iter().sum();
    let mean: f64 = lat.ks.iter().zip(&ws).map(|(k, w)| *k as f64 * w).sum::<f64>() / z;
    let var: f64 = lat
        .ks
        .iter()
        .zip(&ws)
        .map(|(k, w)| (*k as f64 - mean).powi(2) * w)
        .sum::<f64>()
        / z;
    let zq = (2.0 * (b + 8.0) * std::f64::consts::LN_2).sqrt();
    let width = (2.0 * (zq * var.sqrt() * (n as f64).sqrt() + d + 2.0)).min(n as f64 * d + 1.0);
    let slot_bits = 64.0 * ((2.0 * b + 1.0) / 64.0).ceil();
    let packed = width * slot_bits / 8.0;
    // packed operand, its square, the unpacked limbs, the coefficient vectors (two windows)
    let bytes = packed * 5.0 + 2.0 * width * (b / 8.0 + 40.0) + 64.0e6;
    // GMP squaring ~ 4e-10 s per bit of the result (FFT range), twice per doubling chain
    // (geometric), two windows; best-of-N, tails and the reverse KL over both windows: measured
    // 2.3 s of CPU for 4.4e4 levels (Example A, n = 10^6, 30 digits), i.e. ~5e-5 s per level
    let sq = 2.0 * packed * 8.0 * 4.0e-10 * 2.0 * 2.0;
    let bon = width * 5.0e-5 * (prec as f64 / 128.0).powf(1.3);
    (width, bytes, sq + bon + 0.01)
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

/// The window plan for `method` at length `n` and budget `delta` (`None`: use the exact route).
pub fn plan(
    model: &Model,
    tm: &TiltModel,
    delta: &Rational,
    n: u64,
    method: MethodArg,
) -> Option<WindowPlan> {
    if method == MethodArg::Exact || (method == MethodArg::Auto && n < AUTO_WINDOW_MIN_N) {
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
    mut f: impl FnMut(&WindowLaw, u32) -> Value,
) -> Result<Value> {
    let p = Precision {
        digits: prec.digits,
        cap_bits: window_cap(prec),
    };
    let extra = window_extra_bits(n);
    ziv::run(&p, |bits| {
        let w = if half {
            WindowLaw::with_half(&plan.lat, n, &plan.lambda, bits + extra, plan.knob)
        } else {
            WindowLaw::new(&plan.lat, n, &plan.lambda, bits + extra, plan.knob)
        };
        Ok(f(&w, bits + extra))
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
        items.retain(|(k, _)| k != "method");
        items.push(("method".into(), Value::Str(method.into())));
        if let Some(n) = note {
            items.push(("notes".into(), Value::Array(vec![Value::Str(n)])));
        }
    }
}
