//! Per-level working precision for the listed levels of a level source (issue 10).
//!
//! Most levels of a window are far-tail levels: their terms in every output sum weigh `2^-e`
//! relative to the largest term of that sum. Such a level needs only about `prec - e` bits, plus
//! guard bits, for its enclosures to contribute no more width than the largest term does at
//! `prec`.
//!
//! # Why this is safe
//! The choice of precision is a heuristic from an `f64` scout: it never enters an enclosure.
//! Every enclosure is rigorous at every precision (interval arithmetic with directed rounding),
//! so a wrong guess only widens the results, and the precision loop checks the outcome (a field
//! that does not certify raises the working precision, which raises every level's precision).
//!
//! # Error budget
//! At precision `p`, the enclosure of a level's term in a sum has width about `c |t| 2^-p`, where
//! `|t|` is the term's error driver (below) and `c` a small constant of the operation count, the
//! same for every level. Level `j` gets `p_j = prec + ceil(log2(|t_j| / |t_max|)) + G` bits with
//! `G = 16 + ceil(log2 L)` guard bits (`L` levels), clamped to `[MIN_LEVEL_BITS, prec]`; then its
//! width is at most `c |t_max| 2^-prec 2^-G`, and all `L` levels together add at most `2^-16` of
//! the width of the largest term alone at `prec` (which the full-precision route has anyway). The
//! error drivers (natural logs, all upper estimates) are, per output:
//! - the expected reward's Abel terms `F^N (s_{j+1} - s_j)`: `m (1 + N |ln F|) |s|` with
//!   `m = min(F^N, 1 - F^N)` (`F^N = e^{N ln F}` carries the absolute error of `N ln F`, and a
//!   reduced-precision level forms `F^N >= 1/2` as `1 - c`, `c = -expm1(N ln F)`, see
//!   [`crate::math::best_of_n`]);
//! - the KL to the reference and the win rate: `P_N (1 + |ln P_N| + |ln P_S|)`;
//! - the KL to the tilt: `P_N (1 + |ln P_N| + |ln Phi|)`;
//! - the reverse KL: `Phi (1 + |ln Phi| + |ln P_N|)` (`|ln P_N| ~ N T` can exceed the `f64` range:
//!   it is kept as a logarithm).

use crate::math::level_source::ScoutLevel;

/// The lowest per-level precision (MPFR costs little less below one limb).
pub const MIN_LEVEL_BITS: u32 = 64;

/// Fewer listed levels than this keep the uniform precision (nothing to gain).
pub const MIN_GRADED_LEVELS: usize = 256;

/// What the output sums weigh the levels by.
#[derive(Clone, Copy, Debug)]
pub struct ScoutCtx {
    /// `ln N`.
    pub ln_n: f64,
    /// `(l, n psi(l))` of the tilted law whose KLs are summed (`(0, 0)`: the reference itself);
    /// `None`: no tilted law.
    pub tilt: Option<(f64, f64)>,
    /// Only the reverse KL is summed (the second window of WIN-4).
    pub reverse_only: bool,
    /// The largest reverse-KL error driver of the same sum outside these levels (`-inf`: none):
    /// the reverse KL of WIN-4 is summed over two windows, and the first window's share is
    /// weighed against the whole sum.
    pub reverse_top: f64,
}

/// `ln(e^a + e^b)` for `a, b` possibly infinite.
fn ln_add(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m.is_infinite() {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

const K: usize = 4;

/// The error drivers (natural logs) of one level in the four families of output sums: expected
/// reward, KL to the reference and win rate, KL to the tilt, reverse KL (module documentation).
/// `None` when a scout value is not a number.
fn level_logm(lv: &ScoutLevel, ctx: &ScoutCtx) -> Option<[f64; K]> {
    let neg = f64::NEG_INFINITY;
    let mut out = [neg; K];
    // (a +inf driver below is treated as not a number: the level keeps the full precision)
    let (lps, lt, s) = (lv.ln_ps, lv.ln_t, lv.reward);
    if lps.is_nan() || lt.is_nan() || s.is_nan() {
        return None;
    }
    // ln(-ln F) with F = 1 - T: ln T + O(T) for a small tail; F >= P_S keeps it finite where
    // 1 - T cancels in f64 (the lowest levels)
    let ln_neg_lnf = if lt < -30.0 {
        lt
    } else {
        let t = lt.exp();
        let lnf = if t < 1.0 { (-t).ln_1p() } else { neg };
        let lnf = lnf.max(lps).min(0.0);
        (-lnf).ln()
    };
    // x = ln(N |ln F|), N ln F = -e^x (-inf when beyond the f64 range: F^N = 0)
    let x = ctx.ln_n + ln_neg_lnf;
    let nlf = -x.exp();
    // ln P_N <= ln N + ln P_S + (N - 1) ln F (mean value), and P_N <= 1
    let lpn = (ctx.ln_n + lps + nlf).min(0.0);
    let lphi = ctx.tilt.map(|(l, n_psi)| lps + l * s - n_psi);
    // ln(1 + |ln P_N| + y) with |ln P_N| kept as the logarithm x when it is huge
    let mag_pn = |y: f64| {
        if lpn.is_finite() {
            (1.0 + lpn.abs() + y.abs()).ln()
        } else {
            ln_add((1.0 + ctx.ln_n.abs() + lps.abs() + y.abs()).ln(), x)
        }
    };
    if !ctx.reverse_only {
        // F^N >= 1/2 is formed as 1 - c with c = -expm1(N ln F) (best_of_n::level_terms), so its
        // error is relative to min(F^N, 1 - F^N)
        let ln_small = if nlf > -std::f64::consts::LN_2 {
            (-nlf.exp_m1()).ln()
        } else {
            nlf
        };
        out[0] = if ln_small == neg {
            neg
        } else {
            ln_small + (1.0 - nlf).ln() + (1.0 + s.abs()).ln()
        };
        out[1] = lpn + mag_pn(lps);
    }
    if let Some(lphi) = lphi {
        let m = mag_pn(lphi);
        if !ctx.reverse_only {
            out[2] = lpn + m;
        }
        out[3] = lphi + m;
    }
    Some(out)
}

/// The largest reverse-KL error driver over scouted levels (`-inf`: none): another listing's
/// share of the same sum (the second window of WIN-4), to pass as [`ScoutCtx::reverse_top`].
pub fn reverse_top(scout: &[ScoutLevel], ln_n: f64, l: f64, n_psi: f64) -> f64 {
    let ctx = ScoutCtx {
        ln_n,
        tilt: Some((l, n_psi)),
        reverse_only: true,
        reverse_top: f64::NEG_INFINITY,
    };
    scout
        .iter()
        .filter_map(|lv| level_logm(lv, &ctx))
        .map(|m| m[3])
        .filter(|v| !v.is_nan())
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Bits below the guarded cut-off at which a level is negligible in every sum (see [`graded`]).
pub const NEGLIGIBLE_BITS: f64 = 64.0;

/// Per-level precisions and the run of levels that matter (see [`graded`]).
#[derive(Clone, Debug)]
pub struct Graded {
    /// `p_j` for every scouted level.
    pub precs: Vec<u32>,
    /// The first and last level that is not negligible.
    pub keep: (usize, usize),
}

/// Per-level precisions for the scouted levels (see the module documentation), or `None` when
/// the uniform precision is kept (few levels, or a scout value is not a number).
pub fn graded_precs(scout: &[ScoutLevel], prec: u32, ctx: &ScoutCtx) -> Option<Vec<u32>> {
    graded(scout, prec, ctx).map(|g| g.precs)
}

/// [`graded_precs`], with the run of levels outside of which every level is negligible: its
/// error driver is below `2^-(prec + G + NEGLIGIBLE_BITS)` times the largest of every sum. A
/// caller may leave those levels unlisted (their mass goes to the source's rigorous unlisted
/// bounds, whose crude factors — level spans, `ln N`, `n psi` — the 64 bits absorb; the precision
/// loop checks the outcome as always).
pub fn graded(scout: &[ScoutLevel], prec: u32, ctx: &ScoutCtx) -> Option<Graded> {
    let len = scout.len();
    if len < MIN_GRADED_LEVELS || prec <= MIN_LEVEL_BITS {
        return None;
    }
    let neg = f64::NEG_INFINITY;
    let logm: Vec<[f64; K]> = scout
        .iter()
        .map(|lv| level_logm(lv, ctx))
        .collect::<Option<Vec<_>>>()?;
    // a driver that is not a number or +inf (the f64 scout failed for that level) keeps the level
    // at the full precision and does not set the scale of its sum
    let logm: Vec<[f64; K]> = logm
        .into_iter()
        .map(|m| m.map(|v| if v == f64::INFINITY { f64::NAN } else { v }))
        .collect();
    let mut top = [neg; K];
    for m in &logm {
        for k in 0..K {
            if !m[k].is_nan() {
                top[k] = top[k].max(m[k]);
            }
        }
    }
    if top[3] > neg && ctx.reverse_top > top[3] {
        top[3] = ctx.reverse_top;
    }
    let guard = 16.0 + (len as f64).log2().ceil();
    let cut = -(prec as f64 + guard + NEGLIGIBLE_BITS);
    let mut keep: Option<(usize, usize)> = None;
    let precs: Vec<u32> = logm
        .iter()
        .enumerate()
        .map(|(j, m)| {
            // e = max_k log2(|t_jk| / |t_max,k|) <= 0 (a NaN term keeps the full precision)
            let mut e = neg;
            for k in 0..K {
                if top[k] == neg {
                    continue;
                }
                let r = if m[k].is_nan() { 0.0 } else { m[k] - top[k] };
                e = e.max(r * std::f64::consts::LOG2_E);
            }
            if e.is_nan() || e >= cut {
                keep = Some(keep.map_or((j, j), |(a, _)| (a, j)));
            }
            let p = prec as f64 + e.min(0.0) + guard;
            if p >= prec as f64 {
                prec
            } else if p <= MIN_LEVEL_BITS as f64 {
                MIN_LEVEL_BITS
            } else {
                p.ceil() as u32
            }
        })
        .collect();
    if std::env::var_os("ALIGNEXACT_TRACE_LEVELS").is_some() {
        for (j, m) in logm.iter().enumerate().step_by(len / 40 + 1) {
            eprintln!(
                "[levels] j {j} ln_ps {:.3e} ln_t {:.3e} logm {:?}",
                scout[j].ln_ps, scout[j].ln_t, m
            );
        }
    }
    if crate::real::ziv::trace_on() {
        let low = precs.iter().filter(|&&p| p < prec).count();
        let mean = precs.iter().map(|&p| p as f64).sum::<f64>() / len as f64;
        eprintln!(
            "[levels] {low} of {len} levels below {prec} bits (mean {mean:.1} bits, top {:?}), keep {:?}",
            top, keep
        );
    }
    let keep = keep.unwrap_or((0, len - 1));
    Some(Graded { precs, keep })
}
