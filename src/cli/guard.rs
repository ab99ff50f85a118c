//! Resource guards: estimate a job before running it and refuse (exit code 2, with the
//! estimate) what this machine cannot do.
//!
//! - Memory: the limit is what the process may actually use, read at start-up: the cgroup limit
//!   (v2 `memory.max` less `memory.current`, or v1 `memory.limit_in_bytes` less
//!   `memory.usage_in_bytes`) or `MemAvailable` of `/proc/meminfo`, whichever is smaller, less a
//!   tenth for the rest of the system. The refusal names the limit that applied.
//!   `ALIGNEXACT_MEMORY_LIMIT` (bytes, or with a suffix K, M, G) lowers it, for tests and shared
//!   machines.
//! - Time: [`MAX_SECONDS`] of estimated work.
//! - Figures are printed with three significant digits, in exponent notation when large
//!   (`5.00e17 GB`), never as a long run of digits.

use crate::error::{Error, Result};

/// Time budget for one job, in estimated seconds.
pub const MAX_SECONDS: f64 = 900.0;
/// Largest sequence length the level law takes (its exponents are 32-bit).
pub const MAX_N: u64 = u32::MAX as u64;
/// Relative work of the whole vector suite against one `compare` at 50 digits: used to scale
/// the digit-scaled time estimates (measured: see [`VECTORS_WORK`]).
pub const VECTORS_WORK: f64 = 1.0;

/// The memory this process may use, and where the figure comes from.
#[derive(Clone, Debug)]
pub struct MemoryLimit {
    /// Bytes the guard lets one job use.
    pub bytes: f64,
    /// Which limit applied (`cgroup memory.max`, `MemAvailable`, ...).
    pub source: String,
}

fn read_u64(path: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// `MemAvailable` of `/proc/meminfo`, in bytes.
fn mem_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The cgroup's remaining memory, in bytes, with the file it came from.
fn cgroup_available() -> Option<(u64, &'static str)> {
    // cgroup v2 ("max" when unlimited: then the parse fails and v1 is tried)
    if let (Some(max), Some(cur)) = (
        read_u64("/sys/fs/cgroup/memory.max"),
        read_u64("/sys/fs/cgroup/memory.current"),
    ) {
        return Some((max.saturating_sub(cur), "cgroup memory.max"));
    }
    // cgroup v1 (an unlimited group shows a huge number)
    if let (Some(max), Some(cur)) = (
        read_u64("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
        read_u64("/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ) {
        if max < 1 << 60 {
            return Some((max.saturating_sub(cur), "cgroup memory.limit_in_bytes"));
        }
    }
    None
}

/// Parse `12345`, `512M`, `8G`, `1.5G` as bytes.
fn parse_bytes(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, mult) = match s.chars().last()?.to_ascii_uppercase() {
        'K' => (&s[..s.len() - 1], 1024.0),
        'M' => (&s[..s.len() - 1], 1024.0 * 1024.0),
        'G' => (&s[..s.len() - 1], 1024.0 * 1024.0 * 1024.0),
        _ => (s, 1.0),
    };
    let v: f64 = num.trim().parse().ok()?;
    (v.is_finite() && v > 0.0).then_some(v * mult)
}

/// The memory limit of this process (see the module documentation).
pub fn memory_limit() -> MemoryLimit {
    let mut best: Option<(f64, String)> = None;
    let mut take = |b: f64, src: String| {
        if best.as_ref().is_none_or(|(x, _)| b < *x) {
            best = Some((b, src));
        }
    };
    if let Some(m) = mem_available() {
        take(m as f64 * 0.9, "MemAvailable of /proc/meminfo, less 10%".into());
    }
    if let Some((m, src)) = cgroup_available() {
        take(m as f64 * 0.9, format!("{src}, less 10%"));
    }
    if let Some(v) = std::env::var("ALIGNEXACT_MEMORY_LIMIT")
        .ok()
        .as_deref()
        .and_then(parse_bytes)
    {
        take(v, "ALIGNEXACT_MEMORY_LIMIT".into());
    }
    let (bytes, source) = best.unwrap_or((
        8.0 * (1u64 << 30) as f64,
        "a default of 8 GiB (no /proc/meminfo)".into(),
    ));
    MemoryLimit { bytes, source }
}

/// A positive figure with three significant digits, in exponent notation past a million:
/// `8.70`, `123`, `5.00e17`.
pub fn figure(x: f64) -> String {
    if !x.is_finite() {
        return "more than 1e308".into();
    }
    if x >= 1e6 {
        format!("{x:.2e}")
    } else if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// Bytes as GB (10^9 bytes) with [`figure`].
pub fn gb(bytes: f64) -> String {
    format!("{} GB", figure(bytes / 1e9))
}

/// Seconds with [`figure`].
pub fn secs(s: f64) -> String {
    format!("{} s", figure(s))
}

/// Refuse an estimate above the limits. `what` describes the job, `fix` the advice.
pub fn check(what: &str, bytes: f64, seconds: f64, fix: &str) -> Result<()> {
    let mem = memory_limit();
    if crate::real::ziv::trace_on() {
        eprintln!("[guard] {what}: estimate {} and {}", gb(bytes), secs(seconds));
    }
    if bytes > mem.bytes {
        return Err(Error::TooLarge(format!(
            "refusing {what}: it would need about {} of memory, above the {} available ({}); {fix}",
            gb(bytes),
            gb(mem.bytes),
            mem.source
        )));
    }
    if seconds > MAX_SECONDS {
        return Err(Error::TooLarge(format!(
            "refusing {what}: it would take about {}, above the limit of {}; {fix}",
            secs(seconds),
            secs(MAX_SECONDS)
        )));
    }
    Ok(())
}

/// The working precision (bits) for `digits` significant digits.
fn digits_bits(digits: usize) -> f64 {
    digits as f64 * 3.33 + 64.0
}

/// Cost of one certified operation at `bits`, relative to a fixed overhead:
/// `1 + (bits / DIGITS_KNEE)^DIGITS_EXPONENT`. Fitted on this machine to best-of-N per level
/// (`compare --n 1000`, digits 30..10000: 3.3e-5 s at 30 digits, 8e-4 s at 1000, 5.0e-2 s at
/// 10000, i.e. `3e-5 (1 + (bits/553)^1.81)` s).
fn op_cost(bits: f64) -> f64 {
    1.0 + (bits / DIGITS_KNEE).powf(DIGITS_EXPONENT)
}

/// Exponent of the digits term, fitted on this machine.
pub const DIGITS_EXPONENT: f64 = 1.81;
/// Precision (bits) where the digits term equals the fixed overhead, fitted on this machine.
pub const DIGITS_KNEE: f64 = 553.0;

/// Cost of certifying at `digits` relative to the default 30 digits (at least 1).
pub fn digits_factor(digits: usize) -> f64 {
    (op_cost(digits_bits(digits)) / op_cost(digits_bits(30))).max(1.0)
}

/// Measured seconds of the fixed-model commands at 30 digits on this machine (release build):
/// `demo` 10.5 s, `check` 7.6 s, `vectors` 5.8 s, `plot frontier` 0.55 s (`plot convergence`
/// is 10 times that: its caller passes `work = 10`). At 300 digits they took 47, 40 and 3.8 s
/// (estimates 40, 29, 2.1 s), and `plot frontier --digits 1000` 16.8 s (estimate 13.7 s).
pub fn base_seconds(cmd: &str) -> f64 {
    match cmd {
        "demo" => 10.5,
        "check" => 7.6,
        "vectors" => 5.8,
        "plot" => 0.55,
        _ => 1.0,
    }
}

/// Refuse `--digits` that would take the fixed-model commands (`demo`, `check`, `vectors`,
/// `plot`) past the time limit: `base_seconds(cmd) * work * digits_factor(digits)`.
pub fn digits_guard(cmd: &str, digits: usize, work: f64) -> Result<()> {
    let seconds = base_seconds(cmd) * work * digits_factor(digits);
    check(
        &format!("{cmd} at --digits {digits}"),
        0.0,
        seconds,
        "ask for fewer --digits",
    )
}

/// The estimated cost of the level law and best-of-N for a sequence length `n`.
#[derive(Clone, Debug)]
pub struct SeqCost {
    /// Peak bytes.
    pub bytes: f64,
    /// Seconds.
    pub seconds: f64,
    /// Number of levels of `S_n`.
    pub levels: f64,
    /// The level-law route (`Polynomial`, `Types`).
    pub route: String,
}

/// What the best-of-N part of a job does per level, beyond the level law.
#[derive(Clone, Copy, Debug, Default)]
pub struct BonWork {
    /// `log2 N` (0 when N follows from the budget and is not known yet: then `n Delta / ln 2`).
    pub log2_n: f64,
    /// Levels printed with their probabilities (`--levels all` or `top K`).
    pub listed: f64,
    /// `N` when `--N` is an integer within `u32` (the exact integer route may take it).
    pub integer_n: Option<f64>,
}

/// Seconds per level of best-of-N for an integer `N` on the exact integer route
/// (`math::bon_integer`: an exact level and one logarithm) at 30 digits, on this 2-core machine:
/// measured, `bon --spec distinct.json --n 1 --N 4` on 10^6 distinct rewards (116-bit levels,
/// 1.5 s for the exact pass and one precision round).
pub const INT_BON_SEC_PER_LEVEL: f64 = 2.0e-6;
/// Seconds per level and per bit of `N log2 D` on the exact integer route: measured, the same
/// command on 10^5 tokens at `--N 300` (8100-bit levels: about 4e-6 s per level and round).
pub const INT_BON_SEC_PER_LEVEL_BIT: f64 = 5.0e-10;

/// Seconds per level of best-of-N at 30 digits (`F^N - F-^N` and the sums): measured,
/// `compare --p 1/2,3/10,1/5 --r 0,1,3 --delta 3/10 --n 1000 --digits D` (0.18 s at 30 digits,
/// 2.45 s at 1000, 149 s at 10000; estimates 0.14, 3.6 and 163 s).
pub const BON_SEC_PER_LEVEL: f64 = 3.3e-5;
/// Seconds per level and per bit of `log2 N` at 30 digits (the powers `F^N`): measured, the
/// same model at n = 50000 (N has 21640 bits; 30.2 s, estimate 30.5 s).
pub const BON_SEC_PER_LEVEL_LOGN: f64 = 7.0e-9;
/// Seconds per listed level (`--levels all` or `top K`) and per bit of the level's exact
/// probability (printed as an exact rational `a/b`): measured, `bon --p 7/10,3/10 --r 0,1
/// --N 3 --levels all --json` at n = 6000 (10.3 s) and n = 20000 (184 s, 2.7 GB).
pub const LIST_SEC_PER_LEVEL_BIT: f64 = 1.5e-7;
/// Correction of the types route's memory estimate (measured peaks about 2.5 times it).
pub const TYPES_MEMORY_FACTOR: f64 = 2.5;
/// Bytes per listed level and per bit of its exact probability (the JSON text and its copies).
pub const LIST_BYTES_PER_LEVEL_BIT: f64 = 2.0;

/// Estimate the level law of `S_n` (the cheaper route) plus best-of-N over its levels.
pub fn seq_cost(model: &crate::exact::dist::Model, n: u64, digits: usize, work: BonWork) -> SeqCost {
    seq_cost_lattice(
        &crate::exact::level_law::Lattice::new(model.probs(), &model.r, n),
        digits,
        work,
    )
}

/// [`seq_cost`] on a model already in the level law's normal form (the lattice the run then
/// builds its law from: the `k` tokens are normalised once).
pub fn seq_cost_lattice(lat: &crate::exact::level_law::Lattice, digits: usize, work: BonWork) -> SeqCost {
    let (poly, types) = lat.estimate();
    let best = if poly.seconds <= types.seconds {
        poly
    } else {
        types
    };
    let levels = best.levels;
    let prec_bits = digits_bits(digits);
    let listed = work.listed.min(levels);
    // an integer N on the exact integer route costs one exact level of `N log2 D` bits and one
    // logarithm per level; otherwise the log-space route's powers `F^N`
    let per_level = match work
        .integer_n
        .map(|k| k * best.coefficient_bits)
        .filter(|&b| crate::math::bon_integer::takes(b, levels))
    {
        Some(b) => INT_BON_SEC_PER_LEVEL + INT_BON_SEC_PER_LEVEL_BIT * b,
        None => BON_SEC_PER_LEVEL + BON_SEC_PER_LEVEL_LOGN * work.log2_n,
    };
    let bon_seconds =
        levels * digits_factor(digits) * per_level + listed * best.coefficient_bits * LIST_SEC_PER_LEVEL_BIT;
    let bon_bytes =
        levels * 8.0 * (prec_bits / 8.0 + 32.0) + listed * best.coefficient_bits * LIST_BYTES_PER_LEVEL_BIT;
    // the types route's peak is about 2.5 times the level law's own estimate (issue 14: 64
    // tokens with r = 1/prime at n = 5, estimated 5.4 GB, aborted past 8 GB)
    let law_bytes = match best.route {
        crate::exact::level_law::Route::Types => TYPES_MEMORY_FACTOR * best.peak_bytes,
        _ => best.peak_bytes,
    };
    SeqCost {
        bytes: law_bytes + bon_bytes,
        seconds: best.seconds + bon_seconds,
        levels,
        route: format!("{:?}", best.route),
    }
}
