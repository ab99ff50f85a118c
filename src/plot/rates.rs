//! The rate-function figure: `I_0` and `I_Delta` (LDP-1).

use super::*;

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
