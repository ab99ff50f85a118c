//! Level-adaptive evaluation of best-of-N (MATH.md §4, BON-1; SEQ-3): a cheap 64-bit scout of
//! every level of a source decides which levels matter to the outputs at the working precision;
//! only those are evaluated again at full precision. The selection is a heuristic for the cost:
//! a cheap enclosure is still an enclosure (see `proofs/best_of_n.md`, "Log-space evaluation").

use crate::exact::level_law::LevelLaw;
use crate::math::best_of_n::{eval, eval_selected, BonEval};
use crate::math::level_source::LevelSource;
use crate::real::Enc;
use rug::Integer;

/// A function giving the tilted level law in logs from a best-of-N evaluation at a precision.
pub type LnPhiFn<'a> = dyn Fn(&BonEval, u32) -> Vec<Enc> + 'a;

/// Precision of the first, cheap pass of [`eval_adaptive`].
pub const SCOUT_BITS: u32 = 64;

fn upper_f64(x: &Enc) -> f64 {
    let v = x.hi().to_f64();
    if v.is_nan() {
        f64::INFINITY
    } else {
        v
    }
}

/// `ln(1 + sum |x_i|)` as an f64, computed in MPFR so that magnitudes beyond the f64 range
/// (a log-probability of `-10^391`) stay finite after the logarithm. A heuristic for the level
/// selection only: it does not enter any enclosure.
fn ln_mag(xs: &[&Enc]) -> f64 {
    let mut s = rug::Float::with_val(SCOUT_BITS, 1);
    for x in xs {
        let a = rug::Float::with_val(SCOUT_BITS, x.lo().abs_ref());
        let b = rug::Float::with_val(SCOUT_BITS, x.hi().abs_ref());
        s += if a > b { a } else { b };
    }
    let v = s.ln().to_f64();
    if v.is_nan() {
        f64::INFINITY
    } else {
        v
    }
}

/// Whether the scout of [`eval_adaptive`] would keep at least half of an exact law's levels at
/// full precision, from the expected reward's terms alone (`F_j^N` within `e^-slack` of the
/// top level's `1`, i.e. `N ln F_j >= -slack`; the other outputs only select more): an `f64`
/// estimate from the exact CDF numerators. A heuristic for skipping the scout only: no
/// enclosure depends on it (every level is then evaluated at full precision).
fn mostly_selected(law: &LevelLaw, n_samples: f64, slack: f64) -> bool {
    if !n_samples.is_finite() {
        return false;
    }
    let ln = |i: &Integer| {
        let (m, e) = i.to_f64_exp();
        m.ln() + f64::from(e) * std::f64::consts::LN_2
    };
    let ln_d = ln(&law.denom);
    let mut acc = Integer::new();
    let mut kept = 0usize;
    for w in &law.weights {
        acc += w;
        if n_samples * (ln(&acc) - ln_d) >= -slack {
            kept += 1;
        }
    }
    2 * kept >= law.len()
}

/// [`eval`] with level-adaptive precision: a first pass at [`SCOUT_BITS`] bounds every level's
/// contribution to every output sum (expected reward, both KLs, the reverse KL to the tilt given
/// by `ln_phi_of`, win rate); levels whose contributions are all below `2^-(prec+32)` times the
/// largest one, divided by the number of levels, keep their cheap enclosures, and the others
/// (and every index in `force`) are recomputed at `prec`.
///
/// Rigour does not depend on the selection: a cheap enclosure is still an enclosure, only wider.
/// The selection only decides where the width goes; the precision loop checks the outcome.
pub fn eval_adaptive(
    lv: &dyn LevelSource,
    n_at: &dyn Fn(u32) -> Enc,
    prec: u32,
    ln_phi_of: Option<&LnPhiFn>,
    force: &[usize],
) -> BonEval {
    let len = lv.len();
    if len <= 64 || prec <= SCOUT_BITS + 16 {
        return eval(lv, &n_at(prec), prec);
    }
    let n64 = n_at(SCOUT_BITS);
    let slack = (prec as f64 + 32.0 + (len as f64).log2()) * std::f64::consts::LN_2;
    if let Some(law) = lv.exact_law() {
        if mostly_selected(law, upper_f64(&n64), slack) {
            // the scout would select (nearly) every level: it would only add a pass
            if crate::real::ziv::trace_on() {
                eprintln!("[bon] {len} levels at {prec} bits (no scout: most levels matter)");
            }
            return eval(lv, &n_at(prec), prec);
        }
    }
    let scout = eval(lv, &n64, SCOUT_BITS);
    let phi = ln_phi_of.map(|f| f(&scout, SCOUT_BITS));
    let range = {
        let a = lv.reward(0).to_f64().abs();
        let b = lv.reward(len - 1).to_f64().abs();
        (a + b + 1.0).ln()
    };
    // log-magnitude of level j's term in each output sum: [expected reward, KL to p^n and win
    // rate, KL to the tilt, reverse KL]; each output gets its own cut-off, relative to its own
    // largest term (outputs differ by hundreds of orders of magnitude).
    const K: usize = 4;
    let mut logm = vec![[f64::NEG_INFINITY; K]; len];
    for j in 0..len {
        // ln(F_j^N) = N ln F_j
        let lfp = upper_f64(&n64.mul(&scout.ln_f[j], SCOUT_BITS));
        let lpn = upper_f64(&scout.ln_pn[j]);
        logm[j][0] = lfp + range;
        logm[j][1] = lpn + ln_mag(&[&scout.ln_pn[j], &scout.ln_ps[j]]);
        if let Some(ph) = &phi {
            let lphi = upper_f64(&ph[j]);
            let l2 = ln_mag(&[&ph[j], &scout.ln_pn[j]]);
            logm[j][2] = lpn + l2;
            logm[j][3] = lphi + l2;
        }
    }
    let mut cut = [f64::INFINITY; K];
    for (k, c) in cut.iter_mut().enumerate() {
        let top = logm.iter().map(|m| m[k]).fold(f64::NEG_INFINITY, f64::max);
        // an output without terms (no tilt given) selects nothing
        *c = if top == f64::NEG_INFINITY {
            f64::INFINITY
        } else {
            top - slack
        };
    }
    let mut sel: Vec<bool> = logm
        .iter()
        .map(|m| (0..K).any(|k| m[k].partial_cmp(&cut[k]) != Some(std::cmp::Ordering::Less)))
        .collect();
    for &j in force {
        if j < len {
            sel[j] = true;
        }
    }
    // level j's win-rate term and BON-3 gap also read F and A_N(F) of level j - 1. In increasing
    // j, so that only the levels selected above mark their lower neighbour: in decreasing j each
    // mark was read again at the next step, and the top level (always selected) marked every
    // level below it, so no level ever kept its cheap enclosure.
    for j in 1..len {
        if sel[j] {
            sel[j - 1] = true;
        }
    }
    if crate::real::ziv::trace_on() {
        eprintln!(
            "[bon] {} of {len} levels at {prec} bits",
            sel.iter().filter(|&&b| b).count()
        );
    }
    eval_selected(lv, &n_at(prec), prec, Some(&sel), Some(scout))
}
