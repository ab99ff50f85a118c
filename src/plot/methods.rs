//! The methods figure (`plot frontier --methods all`): reward and win rate against KL for the
//! optimum, the win-rate tilt, best-of-N, soft best-of-N and best-of-Poisson (REL-5..REL-7).

use super::*;

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
