//! The convergence figure: best-of-N against the optimum along `n` (ASY-1..ASY-7). The rows may
//! come from either level-law route (`plot convergence` and `demo --plots` use `--method auto`:
//! the certified windows past the crossover), so the log axis in `n` spans whatever grid is given,
//! e.g. `--n doublings:10240,decades:1e7` (10 .. 10^7).

use super::*;

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
