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

pub mod render;

use crate::error::{Error, Result};
use crate::exact::dist::Model;
use crate::exact::level_law::{level_law, Route};
use crate::math::asymptotics as asy;
use crate::math::best_of_n::{self as bon, Levels};
use crate::math::large_deviations::{rate_aligned, rate_reference};
use crate::math::tilt::{eval, optimum, Optimum, TiltModel};
use crate::real::format::certify_decimal;
use crate::real::ziv::{self, Precision};
use crate::real::Enc;
use crate::report::Value;
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

/// The frontier figure: `x*(Delta)` against `Delta`, with best-of-N points for the sequence
/// lengths `ns` (see the module docs).
pub fn frontier(model: &Model, delta: &Rational, ns: &[u64], prec: &Precision) -> Result<Figure> {
    let tm = TiltModel::new(model);
    nonconstant(&tm)?;
    let [dmax] = certified(prec, "Delta_max", |b| Some([tm.delta_max(b)]))?;
    let r_max = rat_f64(&tm.r_max);
    let mean = rat_f64(&tm.mean);

    // 1. The frontier (K(l), mu(l)), l in [0, L] with Delta_max - K(L) < Delta_max / 500.
    let mut big_l = Rational::from(1);
    for _ in 0..40 {
        let e = eval(&tm, &Enc::from_rational(&big_l, 64), 64);
        let deficit = e.deficit.map(|d| d.mid().to_f64()).unwrap_or(0.0);
        if deficit < dmax / 500.0 {
            break;
        }
        big_l *= 2;
    }
    let point = |l: &Rational| -> Result<(f64, f64)> {
        let what = format!("the frontier point (K(l), mu(l)) at l = {l}");
        let [k, mu] = certified(prec, &what, |b| {
            let e = eval(&tm, &Enc::from_rational(l, b), b);
            Some([e.kl, e.mu])
        })?;
        Ok((k, mu))
    };
    // l = 0 is the reference itself: (0, E_p r), exact
    let mut curve: Vec<(Rational, (f64, f64))> = vec![(Rational::new(), (0.0, mean))];
    let steps = 64u32;
    for j in 1..=steps {
        let l = &big_l * Rational::from((j, steps));
        let xy = point(&l)?;
        curve.push((l, xy));
    }
    // refine (bisecting in l) where a chord spans more than about 1% of the axis ranges
    let (sx, sy) = (dmax.max(1e-300), (r_max - mean).max(1e-300));
    for _ in 0..8 {
        let mut next = Vec::with_capacity(curve.len() * 2);
        let mut inserted = false;
        for w in curve.windows(2) {
            next.push(w[0].clone());
            let (a, b) = (w[0].1, w[1].1);
            if ((b.0 - a.0) / sx).hypot((b.1 - a.1) / sy) > 0.012 {
                let l = Rational::from(&w[0].0 + &w[1].0) / 2u32;
                let xy = point(&l)?;
                next.push((l, xy));
                inserted = true;
            }
        }
        next.push(curve.last().expect("non-empty").clone());
        curve = next;
        if !inserted {
            break;
        }
    }
    let mut curve: Vec<(f64, f64)> = curve.into_iter().map(|(_, xy)| xy).collect();
    // TILT-1 at Delta = Delta_max: the value r_max (exact)
    curve.push((dmax, r_max));

    // 2. Best-of-N points.
    let mut bon_series = Vec::new();
    let mut x_hi = dmax;
    for (i, &n) in ns.iter().enumerate() {
        let lv = Levels::new(level_law(model.probs(), &model.r, n, Route::Auto));
        let inv_n = Rational::from((1, n));
        // N = 1 is the reference itself: (0, E_p r), exact
        let mut pts = vec![(0.0, mean)];
        let ms = exponents(n, dmax);
        for &m in &ms {
            let big_n = Integer::from(1) << (m as u32);
            let what = format!("best-of-N at n = {n}, N = {}", pow2_text(m));
            let [kl, er] = certified(prec, &what, |b| {
                let ev = bon::eval(&lv, &Enc::from_integer(&big_n, b), b);
                let kl = bon::kl_to_reference(&ev, b).mul_rational(&inv_n, b);
                let er = bon::expected_reward(&lv, &ev, b).mul_rational(&inv_n, b);
                Some([kl, er])
            })?;
            x_hi = x_hi.max(kl);
            pts.push((kl, er));
        }
        let last = ms.last().copied().unwrap_or(1);
        bon_series.push(Series {
            label: format!("best-of-N, n = {n}  (N = 1, 2, 4, … , {})", pow2_text(last)),
            style: Style::LinePoints,
            color: PALETTE[i % PALETTE.len()],
            points: pts,
        });
    }
    // a budget above Delta_max is shown where it is (when not far off): x* = r_max there
    let d = rat_f64(delta);
    let opt = regime(&tm, delta, prec)?;
    if matches!(opt, Optimum::Saturated) && d <= 2.0 * dmax {
        x_hi = x_hi.max(d);
    }
    // past Delta_max the optimum stays at r_max (TILT-1, saturated)
    if x_hi > dmax {
        curve.push((x_hi, r_max));
    }

    // 3. The optimum at the given budget.
    let mut series = vec![Series {
        label: "x*(Δ): the KL-constrained optimum (TILT-1)".into(),
        style: Style::Curve,
        color: BLACK,
        points: curve,
    }];
    series.extend(bon_series);
    let (point, label) = match opt {
        Optimum::Reference => ((0.0, mean), format!("Δ = {delta}: the reference, x* = E_p r")),
        Optimum::Saturated => (
            (if d <= 2.0 * dmax { d } else { dmax }, r_max),
            format!("Δ = {delta} ≥ Δ_max: x* = r_max (saturated)"),
        ),
        Optimum::Interior(_) => {
            let mut xs = String::new();
            let [x_star] = certified(prec, "x*(Delta)", |b| {
                let l = interior_lambda(&tm, delta, b)?;
                let mu = eval(&tm, &l, b).mu;
                xs = show(&mu, 6);
                Some([mu])
            })?;
            (
                (rat_f64(delta), x_star),
                format!("Δ = {delta}: x* = {xs}, reached by best-of-N as n → ∞"),
            )
        }
    };
    series.push(Series {
        label,
        style: Style::Highlight,
        color: BLACK,
        points: vec![point],
    });
    let y_lo = rat_f64(&tm.r_min).max(mean - 0.1 * (r_max - mean)).min(mean);
    let (y0, y1) = pad_linear(y_lo, r_max, 0.04);
    let (x0, x1) = pad_linear(0.0, x_hi, 0.02);
    let notes = vec![Note {
        text: format!("Δ_max = {}", short(dmax, 4)),
        at: (dmax, r_max + 0.01 * (y1 - y0)),
        color: GRAY,
        align_right: true,
    }];
    Ok(Figure {
        kind: Kind::Frontier,
        title: "Best-of-N approaches the KL-constrained frontier as the sequence length n grows".into(),
        subtitle: model_line(model, delta),
        size: (1000, 700),
        panels: vec![Panel {
            caption: String::new(),
            x_label: "per-token KL divergence from the reference, (1/n) D(· ‖ p^n)  [nats]".into(),
            y_label: "per-token expected reward, (1/n) E S_n  [reward units]".into(),
            x_log: false,
            y_log: false,
            x_range: (x0, x1),
            y_range: (y0, y1),
            series,
            notes,
            legend: LegendAt::LowerRight,
        }],
    })
}

fn row_n(row: &Value) -> Option<u64> {
    match row.get("n")? {
        Value::Count(n) => Some(*n),
        _ => None,
    }
}

/// A certified leaf of a row (the rows come out of the precision loop at `digits`).
fn row_real(row: &Value, key: &str, digits: usize) -> Option<f64> {
    match row.get(key)? {
        Value::Real(e) if e.is_finite() && certify_decimal(e, digits).is_some() => Some(e.mid().to_f64()),
        Value::Exact(q) => Some(rat_f64(q)),
        _ => None,
    }
}

/// Check that the convergence plot applies: a non-constant reward and `0 < Delta < Delta_max`
/// (best-of-N then converges to the tilted optimum at the ASY rates). Cheap: call it before
/// computing the sweep rows.
pub fn convergence_budget(model: &Model, delta: &Rational, prec: &Precision) -> Result<()> {
    let tm = TiltModel::new(model);
    nonconstant(&tm)?;
    if !matches!(regime(&tm, delta, prec)?, Optimum::Interior(_)) {
        let [dmax] = certified(prec, "Delta_max", |b| Some([tm.delta_max(b)]))?;
        return Err(Error::input(format!(
            "plot convergence: best-of-N converges to the tilted optimum only for 0 < --delta < Delta_max = {}; \
             got --delta {delta}",
            short(dmax, 6)
        )));
    }
    Ok(())
}

/// The convergence figure from `sweep` rows (`report::sweep::sweep_row`, certified at
/// `prec.digits`): two panels, the reward gap (ASY-4) and `D(pi_N || phi^n)` (ASY-5).
/// Needs `0 < Delta < Delta_max`.
pub fn convergence(model: &Model, delta: &Rational, rows: &[Value], prec: &Precision) -> Result<Figure> {
    let tm = TiltModel::new(model);
    convergence_budget(model, delta, prec)?;
    let mut lam = String::new();
    let [_] = certified(prec, "l_Delta", |b| {
        let l = interior_lambda(&tm, delta, b)?;
        lam = show(&l, 6);
        Some([l])
    })?;
    let digits = prec.digits;
    let mut gap = Vec::new();
    let mut nonpositive = 0usize;
    let mut kl = Vec::new();
    let mut ns = Vec::new();
    for row in rows {
        let Some(n) = row_n(row) else { continue };
        ns.push(n);
        if let Some(g) = row_real(row, "reward_gap_per_token", digits) {
            if g > 0.0 {
                gap.push((n as f64, g));
            } else {
                nonpositive += 1;
            }
        }
        if let Some(d) = row_real(row, "kl_bon_tilted", digits) {
            let [ln_n] = certified(prec, "ln n", |b| {
                Some([Enc::from_integer(&Integer::from(n), b).ln(b)])
            })?;
            kl.push((ln_n, d));
        }
    }
    let (Some(&n_min), Some(&n_max)) = (ns.iter().min(), ns.iter().max()) else {
        return Err(Error::input(
            "plot convergence: give at least two sequence lengths, such as --n 10,20,40",
        ));
    };
    // ASY-4 drawn as a line: ln n / (2 l n) at about 60 log-spaced n
    let mut grid: Vec<u64> = (0..=60)
        .map(|i| {
            let t = i as f64 / 60.0;
            ((n_min as f64).ln() * (1.0 - t) + (n_max as f64).ln() * t)
                .exp()
                .round() as u64
        })
        .map(|n| n.clamp(n_min.max(2), n_max.max(2)))
        .collect();
    grid.sort_unstable();
    grid.dedup();
    let mut asy4 = Vec::new();
    for &n in &grid {
        let [v] = certified(prec, "the ASY-4 prediction ln n / (2 l n)", |b| {
            let l = interior_lambda(&tm, delta, b)?;
            Some([asy::asy4_prediction(n, &l, b)])
        })?;
        asy4.push((n as f64, v));
    }
    // slope-1/2 reference through the last point (ASY-5: D = (1/2) ln n + O(1))
    let half_line = match (kl.first(), kl.last()) {
        (Some(&(x0, _)), Some(&(x1, y1))) if kl.len() >= 2 => vec![(x0, y1 - 0.5 * (x1 - x0)), (x1, y1)],
        _ => vec![],
    };

    // panel 1: log-log
    let ys: Vec<f64> = gap.iter().chain(&asy4).map(|p| p.1).collect();
    let (ylo, yhi) = ys
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &y| (a.min(y), b.max(y)));
    let (ylo, yhi) = if ys.is_empty() {
        (1e-3, 1.0)
    } else {
        pad_log(ylo, yhi, 1.6)
    };
    let mut p1_series = vec![Series {
        label: "x* − (1/n) E S_n: best-of-N with N = ⌈e^{nΔ}⌉ (certified)".into(),
        style: Style::LinePoints,
        color: PALETTE[0],
        points: gap,
    }];
    p1_series.push(Series {
        label: format!("ASY-4 prediction ln n / (2 λ n), λ = {lam}"),
        style: Style::Dashed,
        color: PALETTE[3],
        points: asy4,
    });
    let mut notes1 = Vec::new();
    if nonpositive > 0 {
        notes1.push(Note {
            text: format!("{nonpositive} point(s) with gap ≤ 0 not shown on the log axis"),
            at: (n_min as f64, ylo * 1.3),
            color: GRAY,
            align_right: false,
        });
    }
    let p1 = Panel {
        caption: "Reward gap to the optimum shrinks like ln n / (2 λ n)  (ASY-1, ASY-4)".into(),
        x_label: "sequence length n  [tokens, log scale]".into(),
        y_label: "x* − (1/n) E S_n  [reward units, log scale]".into(),
        x_log: true,
        y_log: true,
        x_range: pad_log(n_min as f64, n_max as f64, 1.25),
        y_range: (ylo, yhi),
        series: p1_series,
        notes: notes1,
        legend: LegendAt::UpperRight,
    };
    // panel 2: D(pi_N || phi^n) against ln n
    let ys2: Vec<f64> = kl.iter().chain(&half_line).map(|p| p.1).collect();
    let (a2, b2) = ys2.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| {
        (a.min(y), b.max(y))
    });
    let (a2, b2) = if ys2.is_empty() {
        (0.0, 1.0)
    } else {
        (a2.min(0.0), b2)
    };
    let xs2: Vec<f64> = kl.iter().map(|p| p.0).collect();
    let (c2, d2) = xs2.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
        (a.min(x), b.max(x))
    });
    let (c2, d2) = if xs2.is_empty() { (0.0, 1.0) } else { (c2, d2) };
    let mut p2_series = vec![Series {
        label: "D(π_N ‖ φ^n): best-of-N to the optimum (certified)".into(),
        style: Style::LinePoints,
        color: PALETTE[2],
        points: kl,
    }];
    if !half_line.is_empty() {
        p2_series.push(Series {
            label: "slope 1/2 through the last point: (1/2) ln n + c  (ASY-5)".into(),
            style: Style::Dashed,
            color: PALETTE[3],
            points: half_line,
        });
    }
    let p2 = Panel {
        caption: "KL to the optimum grows like (1/2) ln n, so per token it vanishes  (ASY-3, ASY-5)".into(),
        x_label: "ln n  [n = sequence length]".into(),
        y_label: "D(π_N ‖ φ^n)  [nats]".into(),
        x_log: false,
        y_log: false,
        x_range: {
            // at least half a unit of ln n, so that the tick labels differ
            let (c, d) = pad_linear(c2, d2, 0.05);
            let short_by = (0.5 - (d - c)).max(0.0) / 2.0;
            (c - short_by, d + short_by)
        },
        y_range: {
            let (lo, hi) = pad_linear(a2, b2, 0.06);
            (lo.max(if a2 >= 0.0 { 0.0 } else { lo }), hi)
        },
        series: p2_series,
        notes: vec![],
        legend: LegendAt::UpperLeft,
    };
    Ok(Figure {
        kind: Kind::Convergence,
        title: "Best-of-N with N = ⌈e^{nΔ}⌉ converges to the KL-constrained optimum".into(),
        subtitle: model_line(model, delta),
        size: (1000, 1150),
        panels: vec![p1, p2],
    })
}

/// The rates figure: `I_0` and `I_Delta` on `[r_min, r_max]` at `points + 1` equally spaced
/// rewards, with `x*`, `E_p r` and the level `Delta` marked (LDP-1).
pub fn rates(model: &Model, delta: &Rational, points: u32, prec: &Precision) -> Result<Figure> {
    let tm = TiltModel::new(model);
    nonconstant(&tm)?;
    let opt = regime(&tm, delta, prec)?;
    let (r_min, r_max) = (tm.r_min.clone(), tm.r_max.clone());
    let width = Rational::from(&r_max - &r_min);
    let m = points.max(2);
    let mut i0 = Vec::new();
    let mut id = Vec::new();
    for j in 0..=m {
        let x = &r_min + &width * Rational::from((j, m));
        let xf = rat_f64(&x);
        let what = format!("I_0 at x = {x}");
        let [a] = certified(prec, &what, |b| rate_reference(&tm, &x, b).map(|(_, v)| [v]))?;
        i0.push((xf, a));
        match &opt {
            Optimum::Interior(_) => {
                let what = format!("I_Delta at x = {x}");
                let [v] = certified(prec, &what, |b| {
                    let l = interior_lambda(&tm, delta, b)?;
                    rate_aligned(&tm, &x, &l, b).map(|v| [v])
                })?;
                id.push((xf, v));
            }
            Optimum::Reference => id.push((xf, a)),
            Optimum::Saturated => {}
        }
    }
    let mean = rat_f64(&tm.mean);
    let (x_star, x_star_text) = match &opt {
        Optimum::Reference => (mean, short(mean, 6)),
        Optimum::Saturated => (rat_f64(&r_max), format!("{r_max} = r_max")),
        Optimum::Interior(_) => {
            let mut s = String::new();
            let [v] = certified(prec, "x*(Delta)", |b| {
                let l = interior_lambda(&tm, delta, b)?;
                let mu = eval(&tm, &l, b).mu;
                s = show(&mu, 6);
                Some([mu])
            })?;
            (v, s)
        }
    };
    if matches!(opt, Optimum::Saturated) {
        id.push((rat_f64(&r_max), 0.0));
    }
    // Headroom above the curves for the legend (top middle); the marker lines stop at the
    // curves' maximum, with their tags just above, below the legend.
    let ymax = i0.iter().chain(&id).map(|p| p.1).fold(0.0f64, f64::max);
    let y1 = 1.5 * ymax;
    let y0 = -0.04 * y1;
    let (x0, x1) = pad_linear(rat_f64(&r_min), rat_f64(&r_max), 0.03);
    let d = rat_f64(delta);
    let mut series = vec![
        Series {
            label: "I_0(x): rate of the reward under the reference p^n".into(),
            style: Style::Curve,
            color: PALETTE[0],
            points: i0,
        },
        Series {
            label: match opt {
                Optimum::Saturated => "I_Δ(x): 0 at r_max, +∞ elsewhere (saturated: Δ ≥ Δ_max)".into(),
                Optimum::Reference => "I_Δ(x) = I_0(x): at Δ = 0 the optimum is the reference".into(),
                _ => "I_Δ(x): rate under the optimum φ^n; zero only at x*".into(),
            },
            style: if matches!(opt, Optimum::Saturated) {
                Style::Highlight
            } else {
                Style::Curve
            },
            color: PALETTE[3],
            points: id,
        },
        Series {
            label: format!("x* = {x_star_text}: the optimum's reward"),
            style: Style::Dashed,
            color: PALETTE[3],
            points: vec![(x_star, y0), (x_star, ymax)],
        },
        Series {
            label: format!("E_p r = {}: the reference mean", short(mean, 6)),
            style: Style::Dotted,
            color: PALETTE[0],
            points: vec![(mean, y0), (mean, ymax)],
        },
    ];
    if d > 0.0 && d < ymax {
        series.push(Series {
            label: format!("level Δ = {delta}"),
            style: Style::Dotted,
            color: GRAY,
            points: vec![(x0, d), (x1, d)],
        });
    }
    if matches!(opt, Optimum::Interior(_)) {
        // LDP-1 identities, checked by 'alignexact check': I_0(x*) = Delta, I_Delta(x*) = 0
        series.push(Series {
            label: "I_0(x*) = Δ and I_Δ(x*) = 0  (LDP-1)".into(),
            style: Style::Highlight,
            color: BLACK,
            points: vec![(x_star, d), (x_star, 0.0)],
        });
    }
    // short tags at the top of the marker lines, on opposite sides so they cannot overlap
    // (E_p r <= x* always)
    let top = ymax + 0.01 * (y1 - y0);
    let notes = vec![
        Note {
            text: "E_p r".into(),
            at: (mean - 0.006 * (x1 - x0), top),
            color: PALETTE[0],
            align_right: true,
        },
        Note {
            text: "x*".into(),
            at: (x_star + 0.006 * (x1 - x0), top),
            color: PALETTE[3],
            align_right: false,
        },
    ];
    Ok(Figure {
        kind: Kind::Rates,
        title: "Rate functions of the per-token reward: I_0 under the reference, I_Δ under the optimum"
            .into(),
        subtitle: model_line(model, delta),
        size: (1000, 700),
        panels: vec![Panel {
            caption: String::new(),
            x_label: "per-token reward x  [reward units]".into(),
            y_label: "rate function I(x)  [nats per token]".into(),
            x_log: false,
            y_log: false,
            x_range: (x0, x1),
            y_range: (y0, y1),
            series,
            notes,
            legend: LegendAt::UpperMiddle,
        }],
    })
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

/// A numeric leaf of a certified `frontier` result as `f64` (the midpoint of a certified real,
/// the nearest double of an exact rational); `None` for anything else.
fn leaf(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Exact(q) => Some(rat_f64(q)),
        Value::Real(e) if e.is_finite() => Some(e.mid().to_f64()),
        _ => None,
    }
}

/// The reward-vs-KL and win-rate-vs-KL curves of every method of a certified `frontier` result
/// ([`crate::report::frontier::frontier_value`], certified by the caller's precision loop): the
/// optimum (TILT-1), the win-rate-optimal tilt (REL-7), best-of-N (BON-1..BON-4), soft best-of-N
/// (REL-5) and best-of-Poisson (REL-6), each point at `(KL, E r)` and `(KL, W)`.
pub fn methods_frontier(model: &Model, v: &Value) -> Result<Figure> {
    if model.r_max() == model.r_min() {
        return Err(Error::input(
            "plot: the reward --r is constant on the support of --p, so every curve is a single point; \
             give rewards that differ",
        ));
    }
    let methods: [(&str, &str, Style, u32); 5] = [
        ("optimum", "KL-constrained optimum (TILT-1)", Style::Curve, BLACK),
        (
            "win_rate_optimal",
            "win-rate-optimal tilt (REL-7)",
            Style::LinePoints,
            PALETTE[0],
        ),
        ("best_of_n", "best-of-N (BON-1)", Style::LinePoints, PALETTE[1]),
        (
            "soft_best_of_n",
            "soft best-of-N (REL-5)",
            Style::Points,
            PALETTE[2],
        ),
        (
            "best_of_poisson",
            "best-of-Poisson (REL-6)",
            Style::LinePoints,
            PALETTE[3],
        ),
    ];
    let mut panels = Vec::new();
    for (y_key, caption, y_label) in [
        ("expected_reward", "expected reward against KL", "E r"),
        (
            "win_rate",
            "win rate against the reference against KL",
            "win rate W",
        ),
    ] {
        let mut series = Vec::new();
        for (key, label, style, color) in methods {
            let Some(Value::Array(rows)) = v.get(key) else {
                continue;
            };
            let mut points: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|r| Some((leaf(r.get("kl"))?, leaf(r.get(y_key))?)))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            if !points.is_empty() {
                series.push(Series {
                    label: label.to_string(),
                    style,
                    color,
                    points,
                });
            }
        }
        let all = series.iter().flat_map(|s| s.points.iter());
        let (mut xl, mut xh, mut yl, mut yh) =
            (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for &(x, y) in all {
            xl = xl.min(x);
            xh = xh.max(x);
            yl = yl.min(y);
            yh = yh.max(y);
        }
        panels.push(Panel {
            caption: caption.to_string(),
            x_label: "KL to the reference (nats)".into(),
            y_label: y_label.into(),
            x_log: false,
            y_log: false,
            x_range: pad_linear(xl, xh, 0.05),
            y_range: pad_linear(yl, yh, 0.05),
            series,
            notes: vec![],
            legend: LegendAt::LowerRight,
        });
    }
    let fig = Figure {
        kind: Kind::Frontier,
        title: "Reward and win rate against KL: optimum, win-rate-optimal tilt, best-of-N, soft best-of-N, best-of-Poisson".into(),
        subtitle: {
            let list = |v: &[Rational]| v.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(", ");
            format!("p = ({}),  r = ({})", list(model.probs()), list(&model.r))
        },
        size: (900, 1100),
        panels,
    };
    fig.check_axes()?;
    Ok(fig)
}
