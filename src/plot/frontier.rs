//! The frontier figure: `x*(Delta)` of the optimum against best-of-N at several `n` (TILT-1, BON-2).

use super::*;

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
