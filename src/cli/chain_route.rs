//! `--method exact|window|auto` for Markov chains (`--transition`): the window route of
//! MATH.md §9 with memory ([`crate::math::markov_window`]), its resource guard, and the fallback
//! to the exact level law (MKV-1).
//!
//! - `exact`: the exact level law (MKV-1), `O(n^2)` bits.
//! - `window`: the Doob-transformed windows at the finite-n optimum's tilt. A result the windows
//!   cannot certify (small `n`; a regime without an interior optimum; a chain that is not ergodic)
//!   falls back to the exact route when that fits, with a note naming the field; otherwise it is
//!   exit 3 naming the field.
//! - `auto` (default): the exact route below the measured crossover [`chain_auto_window_min_n`],
//!   the window route from there on (when it applies).

use super::route::{run_windowed, window_extra_bits, window_knob, MethodArg};
use crate::error::Result;
use crate::math::markov::ChainTilt;
use crate::math::markov_window::{l_n, moments, ChainLattice, ChainWindow};
use crate::math::window::{fixed_bits, WindowKnob};
use crate::real::ziv::Precision;
use crate::report::Value;
use rug::{Float, Rational};
use std::sync::Arc;

/// Smallest `n` at which `auto` takes the chain window route for `digits` digits:
/// `1000 max(1, digits / 30)^0.9`, i.e. 1000 at 30 digits and about 2950 at 100 digits.
/// Measured (whole-process wall and CPU of `compare` on the sticky chain, both routes,
/// `benches/markov.rs`, table in `proofs/markov.md`): at 30 digits the window route is as fast
/// from n = 300 and faster from n = 600 (0.07 s against 0.12 s; 0.11 s against 0.42 s at
/// n = 2000), but below n = 1000 both take about 0.1 s and the exact route keeps its exact
/// fields; at 100 digits the windows cannot certify n = 1000 (they fall back after paying for
/// themselves) and are faster from about n = 3000 (0.80 s against 0.94 s; 1.5 s against 3.5 s at
/// n = 6000).
pub fn chain_auto_window_min_n(digits: usize) -> u64 {
    let r = (digits as f64 / 30.0).max(1.0);
    (CHAIN_AUTO_BASE * r.powf(0.9)).round() as u64
}

/// The crossover at 30 digits (see [`chain_auto_window_min_n`]).
pub const CHAIN_AUTO_BASE: f64 = 1000.0;

/// Everything the chain window route needs.
#[derive(Clone, Debug)]
pub struct ChainPlan {
    /// The chain in lattice form.
    pub lat: Arc<ChainLattice>,
    /// `lambda'`: a 64-bit point near the tilt where best-of-N concentrates.
    pub lambda: Float,
    /// Window width knob (tests only).
    pub knob: WindowKnob,
}

/// The plan for `method` at length `n` and per-token budget `delta` (`None`: the exact route):
/// the window's tilt is a 64-bit point near the finite-n optimum `l_n` (a heuristic: any tilt
/// is rigorous), `None` outside the interior regime or for a chain that is not ergodic.
pub fn chain_plan(
    ct: &ChainTilt,
    delta: &Rational,
    n: u64,
    method: MethodArg,
    digits: usize,
) -> Option<ChainPlan> {
    if method == MethodArg::Exact || (method == MethodArg::Auto && n < chain_auto_window_min_n(digits)) {
        return None;
    }
    let lat = ChainLattice::new(ct)?;
    let l = l_n(&lat, n, delta, 64)?;
    let lambda = Float::with_val(64, l.mid());
    (lambda > 0).then(|| ChainPlan {
        lat: Arc::new(lat),
        lambda,
        knob: window_knob(),
    })
}

/// Seconds of GMP work per bit of the packed windows per product of a doubling chain (`k^3`
/// products per squaring, about 3.4 times the last step over the chain). Measured: sticky chain,
/// 30 digits, n = 10^6: windows of 27 100 and 42 000 levels at B = 236 (512-bit slots), 4.3 s
/// and 5.9 s wall on two threads of a loaded 2-core machine (3.4 s CPU for both).
pub const CHAIN_SEC_PER_PACKED_BIT: f64 = 1.0e-8;

/// A-priori cost of the chain window route: `(levels in a window, bytes, seconds)`.
/// Both windows (`lambda'` and `lambda'/2`) hold `k^2` windowed polynomials of `2 (z sd sqrt(n) + 5 d + 2)`
/// levels at `B` bits (`sd^2` the tilted per-token variance of the levels, the larger of the two
/// windows'), squared by `k^3` Kronecker products per step (about 3.4 times the last
/// step over a doubling chain); memory: the two windows' matrices, three packed operands per
/// product, and the per-level enclosures of the listing (as the memoryless estimate).
pub fn chain_window_estimate(plan: &ChainPlan, n: u64, digits: usize) -> (f64, f64, f64) {
    let prec = (digits as f64 * std::f64::consts::LOG2_10).ceil() as u32 + 32 + chain_extra_bits(n);
    let b = fixed_bits(prec, n) as f64;
    let k = plan.lat.k() as f64;
    let d = plan.lat.d as f64;
    let theta = plan.lambda.to_rational().unwrap_or_default() * plan.lat.win.span();
    let (_, var) = moments(&plan.lat, &theta, n);
    let (_, var2) = moments(&plan.lat, &(theta / 2u32), n);
    let sd = var.max(var2).sqrt();
    let zq = (2.0 * (b + 8.0) * std::f64::consts::LN_2).sqrt();
    let width = (2.0 * (zq * sd * (n as f64).sqrt() + 5.0 * d + 2.0)).min(n as f64 * d + 1.0);
    let slot_bits = 64.0 * ((2.0 * b + 1.0) / 64.0).ceil();
    let packed = width * slot_bits / 8.0;
    let level_bytes = 16.0 * (48.0 + prec as f64 / 8.0);
    let bytes = 2.0 * (k * k * width * (b / 8.0 + 48.0) * 2.0 + 5.0 * packed) + width * level_bytes + 30.0e6;
    let power = 2.0 * 3.4 * k * k * k * width * slot_bits * CHAIN_SEC_PER_PACKED_BIT;
    let levels = 2.0 * width * super::route::WINDOW_SEC_PER_LEVEL * super::guard::digits_factor(digits);
    (width, bytes, power + levels + 0.01)
}

/// Refuse a chain window job that would not fit (exit 2 with the estimate).
pub fn chain_window_guard(plan: &ChainPlan, n: u64, digits: usize) -> Result<()> {
    let (width, bytes, seconds) = chain_window_estimate(plan, n, digits);
    super::guard::check(
        &format!("n = {n} for the Markov chain on the window route (windows of about {width:.3e} levels)"),
        bytes,
        seconds,
        "try a smaller --n or fewer --digits",
    )
}

/// Guard bits of the chain window route: `max(window_extra_bits(n) + 12, 2 bits(n))`.
/// The chain's windows are wider (the Doob chain's asymptotic variance includes its
/// autocorrelation), the per-level stepping of `C e^{-theta s}` over the listing loses about
/// `log2(levels)` bits, and `kl_bon_tilted_pythagorean = D(pi_N || p^n) - (l E S - Lambda_n(l))`
/// cancels about `log2 n` bits (terms of order `n` for a result of order `ln n`). Measured on the
/// sticky chain at 30 digits (each shortfall paid a second pass at twice the bits): with the
/// memoryless guard bits `kl_bon_reference` reached 29 of 30 digits at `n = 10^5` and `10^6`;
/// with `+12`, `kl_bon_tilted_pythagorean` 26 of 30 at `n = 10^6`; with `2 bits(n) - 4`, 29 of
/// 30 at `n = 4 10^6` (certified at `10^6`, `2 10^6`, `10^7`).
pub fn chain_extra_bits(n: u64) -> u32 {
    let bits_n = 64 - n.leading_zeros();
    (window_extra_bits(n) + 12).max(2 * bits_n)
}

/// Run `f` on the chain windows at rising precision (see [`run_windowed`]); `half` builds the
/// reverse KL's second window alongside the first.
pub fn run_chain_window(
    prec: &Precision,
    plan: &ChainPlan,
    n: u64,
    half: bool,
    f: impl FnMut(&ChainWindow, u32) -> Value,
) -> Result<Value> {
    run_windowed(
        prec,
        chain_extra_bits(n),
        |bits| {
            if half {
                ChainWindow::with_half(&plan.lat, n, &plan.lambda, bits, plan.knob)
            } else {
                ChainWindow::new(&plan.lat, n, &plan.lambda, bits, plan.knob)
            }
        },
        f,
    )
}
