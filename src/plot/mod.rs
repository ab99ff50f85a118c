//! Plots of the certified values, drawn as SVG: the KL–reward frontier with best-of-N points,
//! the convergence of best-of-N to the optimum along `n`, and the two rate functions.
//!
//! Two layers:
//! - this module computes a [`Figure`] (panels of labelled series of points) from the model.
//!   Every plotted coordinate is the midpoint of an enclosure that the precision loop
//!   ([`ziv::run`]) certified to the requested significant digits; a value that does not certify
//!   makes the whole plot fail (exit code 3) rather than be drawn. Only drawing aids (a reference
//!   line of slope 1/2 through a plotted point, the horizontal continuation of the frontier past
//!   `Delta_max`) are constructed geometrically from certified values;
//! - [`render`] draws a figure with `plotters` into an SVG string (text stays `<text>`).
//!
//! The three kinds (MATH.md §2, §5, §6):
//! - [`Kind::Frontier`]: `x*(Delta)` against `Delta` on `[0, Delta_max]`, parametrised by the tilt
//!   `l`: `(K(l), mu(l))` (TILT-1), with the best-of-N points `((1/n) D(pi_N || p^n), (1/n) E S_n)`
//!   for several `n` and `N = 1, 2, 4, 16, 64, ...` (BON-1..BON-3);
//! - [`Kind::Convergence`]: `x* - (1/n) E S_n` against `n` (log-log) with the ASY-4 prediction
//!   `ln n / (2 l n)`, and `D(pi_N || phi^n)` against `ln n` with a slope-1/2 line (ASY-5);
//! - [`Kind::Rates`]: `I_0` and `I_Delta` on `[r_min, r_max]` with `x*`, `E_p r` and the level
//!   `Delta` marked (LDP-1: `I_0(x*) = Delta`, `I_Delta(x*) = 0`).

mod convergence;
mod frontier;
mod methods;
mod rates;
pub mod render;

pub use convergence::{convergence, convergence_budget};
pub use frontier::frontier;
pub use methods::methods_frontier;
pub use rates::rates;

use crate::error::{Error, Result};
use crate::exact::dist::Model;
use crate::exact::level_law::{level_law, Route};
use crate::math::asymptotics as asy;
use crate::math::best_of_n::{self as bon, Levels};
use crate::math::large_deviations::{rate_aligned, rate_reference};
use crate::math::tilt::{eval, optimum, Optimum, TiltModel};
use crate::real::format::certify_decimal;
use crate::real::value::{obj, Value};
use crate::real::ziv::{self, Precision};
use crate::real::Enc;
use rug::{Complete, Integer, Rational};
use std::path::Path;

/// What to draw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `x*(Delta)` with best-of-N points.
    Frontier,
    /// Best-of-N against the optimum along `n` (two panels).
    Convergence,
    /// `I_0` and `I_Delta`.
    Rates,
}

impl Kind {
    /// Every kind, in the order `demo --plots` writes them.
    pub const ALL: [Kind; 3] = [Kind::Frontier, Kind::Convergence, Kind::Rates];
    /// Parse a kind name (`frontier`, `convergence`, `rates`).
    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim() {
            "frontier" => Some(Kind::Frontier),
            "convergence" => Some(Kind::Convergence),
            "rates" => Some(Kind::Rates),
            _ => None,
        }
    }
    /// The kind's name (also the file stem used by `demo --plots`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Frontier => "frontier",
            Kind::Convergence => "convergence",
            Kind::Rates => "rates",
        }
    }
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// A solid line, thick (the main curve).
    Curve,
    /// A solid line with a marker at every point.
    LinePoints,
    /// Markers only.
    Points,
    /// A large marker (a highlighted point).
    Highlight,
    /// A dashed line (a prediction or reference).
    Dashed,
    /// A thin dotted line (a marker line such as `x = E_p r`).
    Dotted,
}

/// One labelled series.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Drawing style.
    pub style: Style,
    /// Colour as `0xRRGGBB`.
    pub color: u32,
    /// Points `(x, y)` in data coordinates.
    pub points: Vec<(f64, f64)>,
}

/// A text placed in data coordinates.
#[derive(Clone, Debug)]
pub struct Note {
    /// The text.
    pub text: String,
    /// Position `(x, y)` in data coordinates.
    pub at: (f64, f64),
    /// Colour as `0xRRGGBB`.
    pub color: u32,
    /// True to end the text at `at` (right-aligned), false to start it there.
    pub align_right: bool,
}

/// Where the legend goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendAt {
    /// Upper left corner.
    UpperLeft,
    /// Upper right corner.
    UpperRight,
    /// Lower right corner.
    LowerRight,
    /// Top, centred.
    UpperMiddle,
}

/// One chart: axes, series, notes.
#[derive(Clone, Debug)]
pub struct Panel {
    /// Chart caption.
    pub caption: String,
    /// x-axis description (with units).
    pub x_label: String,
    /// y-axis description (with units).
    pub y_label: String,
    /// Logarithmic x axis.
    pub x_log: bool,
    /// Logarithmic y axis.
    pub y_log: bool,
    /// x range `(lo, hi)`.
    pub x_range: (f64, f64),
    /// y range `(lo, hi)`.
    pub y_range: (f64, f64),
    /// The series, drawn in order.
    pub series: Vec<Series>,
    /// Texts in the chart.
    pub notes: Vec<Note>,
    /// Legend position.
    pub legend: LegendAt,
}

/// A whole plot: a title, a line naming the model, and one or more panels stacked vertically.
#[derive(Clone, Debug)]
pub struct Figure {
    /// Which kind.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// Second title line: the model (p, r, Delta).
    pub subtitle: String,
    /// Size in pixels.
    pub size: (u32, u32),
    /// Panels, top to bottom.
    pub panels: Vec<Panel>,
}

/// Largest `|r|` and largest reward range that the float64 axes draw.
pub const MAX_AXIS_REWARD: f64 = 1e100;
/// Smallest reward range drawn.
pub const MIN_AXIS_SPAN: f64 = 1e-100;
/// Smallest reward range relative to `max |r|` (below it the tick labels would coincide).
pub const MIN_AXIS_REL_SPAN: f64 = 1e-9;

/// Check, before any computation, that the model's rewards can be drawn on float64 axes:
/// `|r| <= 1e100` on the support and `1e-100 <= r_max - r_min` with `r_max - r_min >= 1e-9 max |r|`.
/// The plots are in reward units, so the rewards must be rescaled otherwise (exit code 2).
pub fn check_model_axes(model: &Model) -> Result<()> {
    let (lo, hi) = (rat_f64(&model.r_min()), rat_f64(&model.r_max()));
    let big = lo.abs().max(hi.abs());
    let span_q: Rational = model.r_max() - model.r_min();
    let span = rat_f64(&span_q);
    let fix = "rescale --r (the optimum is unchanged by r -> a r + b with lambda -> lambda / a)";
    let big_q = model.r_max().abs().max(model.r_min().abs());
    if big_q > Integer::u_pow_u(10, 100).complete() {
        return Err(Error::input(format!(
            "--r: the plot axes are float64 and draw rewards up to |r| = {MAX_AXIS_REWARD:e}; got |r| up to {}; {fix}",
            if big.is_finite() { short(big, 3) } else { "more than 1e308".into() }
        )));
    }
    // exact comparisons: a span below the float64 range rounds to 0
    let tiny = Rational::from((1, Integer::from(Integer::u_pow_u(10, 100))));
    if span_q > 0 && (span_q < tiny || span < MIN_AXIS_REL_SPAN * big) {
        return Err(Error::input(format!(
            "--r: the reward range r_max - r_min = {} is too narrow to draw on float64 axes (at least {MIN_AXIS_SPAN:e} \
             and {MIN_AXIS_REL_SPAN:e} of max |r|); {fix}",
            if span > 0.0 { short(span, 3) } else { "below the float64 range".into() }
        )));
    }
    Ok(())
}

impl Figure {
    /// Check every axis before drawing: finite ranges of non-zero width that float64 resolves,
    /// positive on a log axis, and finite points. plotters loops forever or exhausts memory on
    /// anything else, so a failure is refused (exit code 2) rather than drawn.
    pub fn check_axes(&self) -> Result<()> {
        for p in &self.panels {
            for (name, (lo, hi), log) in [("x", p.x_range, p.x_log), ("y", p.y_range, p.y_log)] {
                let width_ok = (hi - lo).is_finite() && hi - lo > 1e-12 * lo.abs().max(hi.abs());
                let log_ok = !log || (lo > 0.0 && (hi / lo).is_finite() && lo >= f64::MIN_POSITIVE);
                if !(lo.is_finite() && hi.is_finite() && lo < hi && width_ok && log_ok) {
                    return Err(Error::input(format!(
                        "plot {}: the {name} axis of '{}' would span [{lo:e}, {hi:e}], which float64 axes cannot draw; \
                         rescale --r or choose other --delta/--n",
                        self.kind.name(),
                        p.caption
                    )));
                }
            }
            for s in &p.series {
                if s.points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
                    return Err(Error::input(format!(
                        "plot {}: the series '{}' has points beyond the float64 range; rescale --r",
                        self.kind.name(),
                        s.label
                    )));
                }
            }
        }
        Ok(())
    }
    /// `(label, number of points)` of every series, panel by panel (for the command's report).
    pub fn series_summary(&self) -> Vec<(String, usize)> {
        self.panels
            .iter()
            .flat_map(|p| p.series.iter().map(|s| (s.label.clone(), s.points.len())))
            .collect()
    }
    /// Total number of plotted points.
    pub fn points(&self) -> usize {
        self.series_summary().iter().map(|(_, n)| n).sum()
    }
    /// What `plot` reports once the figure is written to `out`: the text (title, points, the
    /// certified digits, subtitle, one line per series) and the result tree (`file`, `kind`,
    /// `points`, `series` of `{label, points}`).
    pub fn written(&self, out: &str, kind: &str, digits: usize) -> (String, Value) {
        let summary = self.series_summary();
        let mut text = format!(
            "wrote {out}: {} ({} points, each certified to {digits} significant digits)\n{}\n",
            self.title,
            self.points(),
            self.subtitle
        );
        for (label, n) in &summary {
            text.push_str(&format!("  {n:>4}  {label}\n"));
        }
        let series = summary
            .into_iter()
            .map(|(label, n)| {
                obj(vec![
                    ("label", Value::Str(label)),
                    ("points", Value::Count(n as u64)),
                ])
            })
            .collect();
        let result = obj(vec![
            ("file", Value::Str(out.to_string())),
            ("kind", Value::Str(kind.to_string())),
            ("points", Value::Count(self.points() as u64)),
            ("series", Value::Array(series)),
        ]);
        (text, result)
    }
}

// Colours: black for the optimum, a qualitative palette (Okabe-Ito) for the rest.
const BLACK: u32 = 0x000000;
const GRAY: u32 = 0x777777;
const PALETTE: [u32; 7] = [
    0x0072B2, 0xE69F00, 0x009E73, 0xD55E00, 0xCC79A7, 0x56B4E9, 0x8C6D1F,
];

/// Run the precision loop on the enclosures `f(bits)` (or `None` when the precision did not
/// suffice, e.g. to certify a root) until each certifies `prec.digits` significant digits, and
/// return their midpoints. Infinite values are refused: nothing infinite is plotted.
fn certified<const K: usize>(
    prec: &Precision,
    what: &str,
    mut f: impl FnMut(u32) -> Option<[Enc; K]>,
) -> Result<[f64; K]> {
    let encs = ziv::run(prec, |bits| {
        Ok(match f(bits) {
            Some(v) => v
                .into_iter()
                .enumerate()
                .map(|(i, e)| {
                    let name = if K == 1 {
                        what.to_string()
                    } else {
                        format!("{what} (coordinate {})", i + 1)
                    };
                    (name, e)
                })
                .collect::<Vec<_>>(),
            None => vec![(what.to_string(), Enc::whole(bits))],
        })
    })?;
    let mut out = [0.0; K];
    for (slot, (name, e)) in out.iter_mut().zip(&encs) {
        // the precision loop accepted it; checked again because nothing uncertified is drawn
        if !e.is_finite() || certify_decimal(e, prec.digits).is_none() {
            return Err(Error::Uncertified {
                quantity: name.clone(),
                digits: prec.digits,
                bits: e.prec(),
                reached: 0,
            });
        }
        *slot = e.mid().to_f64();
    }
    Ok(out)
}

/// An exact rational as the nearest `f64` (`Rational::to_f64` truncates toward zero).
fn rat_f64(q: &Rational) -> f64 {
    rug::Float::with_val(53, q).to_f64()
}

/// A certified real shown with `d` significant digits (for labels).
fn show(e: &Enc, d: usize) -> String {
    certify_decimal(e, d)
        .map(|c| c.value)
        .unwrap_or_else(|| "?".into())
}

/// `v` with `d` significant digits, for labels of values already certified to more digits.
fn short(v: f64, d: usize) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let mag = v.abs().log10().floor() as i32;
    if !(-4..6).contains(&mag) {
        let t = format!("{:.*e}", d.saturating_sub(1), v);
        let (mant, exp) = t.split_once('e').unwrap_or((&t, "0"));
        let mant = if mant.contains('.') {
            mant.trim_end_matches('0').trim_end_matches('.')
        } else {
            mant
        };
        return format!("{mant}e{exp}");
    }
    let decimals = (d as i32 - 1 - mag).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The model line of a title: `p = (...), r = (...), Δ = ...`.
pub fn model_line(model: &Model, delta: &Rational) -> String {
    let list = |v: &[Rational]| v.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(", ");
    format!(
        "p = ({}),  r = ({}),  Δ = {}",
        list(model.probs()),
        list(&model.r),
        delta
    )
}

fn nonconstant(tm: &TiltModel) -> Result<()> {
    if tm.is_constant() {
        return Err(Error::input(
            "plot: the reward --r is constant on the support of --p, so every curve is a single point; \
             give rewards that differ",
        ));
    }
    Ok(())
}

/// The certified `l_Delta` at `bits` when `0 < Delta < Delta_max`.
fn interior_lambda(tm: &TiltModel, delta: &Rational, bits: u32) -> Option<Enc> {
    match optimum(tm, delta, bits)? {
        Optimum::Interior(l) => Some(l),
        _ => None,
    }
}

/// The regime of the budget, decided with certified comparisons.
fn regime(tm: &TiltModel, delta: &Rational, prec: &Precision) -> Result<Optimum> {
    let mut bits = prec.start_bits();
    loop {
        if let Some(o) = optimum(tm, delta, bits) {
            return Ok(o);
        }
        if bits >= prec.cap_bits {
            return Err(Error::Uncertified {
                quantity: "the optimum l_Delta".into(),
                digits: prec.digits,
                bits,
                reached: 0,
            });
        }
        bits = bits.saturating_mul(2).min(prec.cap_bits);
    }
}

/// Padded range of some values (linear axis).
fn pad_linear(lo: f64, hi: f64, frac: f64) -> (f64, f64) {
    let w = (hi - lo).abs().max(1e-12 * hi.abs().max(1.0));
    (lo - frac * w, hi + frac * w)
}

/// Padded range (log axis): multiplies by a factor on each side, then widens the lower end to
/// a power of ten when the range holds none (a log axis is labelled at powers of ten).
fn pad_log(lo: f64, hi: f64, factor: f64) -> (f64, f64) {
    let (lo, hi) = (lo / factor, hi * factor);
    if hi.log10().floor() < lo.log10().ceil() {
        // slightly below the power, so that plotters' own rounding still sees it in range
        (0.999 * 10f64.powf(lo.log10().floor()), hi)
    } else {
        (lo, hi)
    }
}

/// The exponents `m` of `N = 2^m` for the best-of-N series at sequence length `n`: the values
/// `N = 2, 4, 16, 64, 256` and a linear grid in `ln N` up to about `1.15 n Delta_max`, where
/// `(1/n) D(pi_N || p^n)` approaches its limit `Delta_max`.
fn exponents(n: u64, dmax: f64) -> Vec<u64> {
    let top = ((1.15 * n as f64 * dmax / std::f64::consts::LN_2).ceil() as u64).max(10);
    let mut m: Vec<u64> = vec![1, 2, 4, 6, 8];
    let steps = 12u64;
    for j in 1..=steps {
        m.push(((top * j) as f64 / steps as f64).round() as u64);
    }
    m.retain(|&x| x >= 1 && x <= top);
    m.sort_unstable();
    m.dedup();
    m
}

/// `N = 2^m` as text.
fn pow2_text(m: u64) -> String {
    if m <= 10 {
        (1u64 << m).to_string()
    } else {
        format!("2^{m}")
    }
}

/// Check before any computation that `path` can be written as an SVG file: its directory
/// exists and it is not a directory. Errors name `flag`.
pub fn check_target(path: &Path, flag: &str) -> Result<()> {
    let shown = path.display();
    if path.as_os_str().is_empty() {
        return Err(Error::input(format!(
            "{flag}: give a file name such as {flag} frontier.svg"
        )));
    }
    if path.is_dir() {
        return Err(Error::input(format!(
            "{flag}: '{shown}' is a directory; give a file name such as {}/frontier.svg",
            shown
        )));
    }
    if let Some(ext) = path.extension() {
        if !ext.eq_ignore_ascii_case("svg") {
            return Err(Error::input(format!(
                "{flag}: plots are written as SVG; give a file name ending in .svg, not '{shown}'"
            )));
        }
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        let why = if parent.exists() {
            "is not a directory"
        } else {
            "does not exist"
        };
        return Err(Error::input(format!(
            "{flag}: cannot write '{shown}': '{}' {why}",
            parent.display()
        )));
    }
    Ok(())
}

/// Render `fig` and write it to `path`.
/// Render `fig` and write it to `path` atomically (a temporary name, then rename); an existing
/// file is replaced.
pub fn write_svg(path: &Path, fig: &Figure) -> Result<()> {
    let svg = render::svg(fig)?;
    crate::atomic::write_file(path, svg.as_bytes())
        .map_err(|(p, e)| Error::Io(format!("cannot write '{}': {e}", p.display())))
}

/// Compute and write all three plots into `dir` (created if missing), as `demo --plots` does:
/// `frontier.svg`, `convergence.svg` (from the given sweep `rows`), `rates.svg`. Returns the
/// paths written.
pub fn write_all(
    dir: &Path,
    model: &Model,
    delta: &Rational,
    rows: &[Value],
    prec: &Precision,
) -> Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::Io(format!(
            "--plots: cannot create the directory '{}': {e}",
            dir.display()
        ))
    })?;
    // all three are drawn before any is written; then written together, atomically
    let mut files = Vec::new();
    for kind in Kind::ALL {
        let fig = match kind {
            Kind::Frontier => frontier(model, delta, &DEFAULT_FRONTIER_N, prec)?,
            Kind::Convergence => convergence(model, delta, rows, prec)?,
            Kind::Rates => rates(model, delta, DEFAULT_RATE_POINTS, prec)?,
        };
        let path = dir.join(format!("{}.svg", kind.name()));
        files.push((path, render::svg(&fig)?.into_bytes()));
    }
    crate::atomic::write_files(&files).map_err(|(p, e)| {
        Error::Io(format!(
            "--plots: cannot write '{}': {e}; the previous files are unchanged",
            p.display()
        ))
    })?;
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// The default sequence lengths of the best-of-N series in the frontier plot.
pub const DEFAULT_FRONTIER_N: [u64; 5] = [1, 4, 16, 64, 256];
/// The default number of intervals of the reward grid of the rates plot.
pub const DEFAULT_RATE_POINTS: u32 = 120;
