//! Tolerances of the `methods` family (the `frontier` command): the optimum, the win-rate
//! tilt, best-of-N, soft best-of-N and best-of-Poisson.

use super::*;

/// `Delta_max = -ln P(r = r_max)` of a float model.
fn fdelta_max(fm: &FModel) -> f64 {
    let top = fm.r.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let pt: f64 =
        fm.p.iter()
            .zip(&fm.r)
            .filter(|(_, r)| **r == top)
            .map(|(p, _)| p)
            .sum();
    -ln(pt)
}

/// The tilt `l >= 0` with `K(l) = kl` (bisection in float64); `None` at or past `Delta_max`.
fn solve_tilt(fm: &FModel, kl: f64) -> Option<f64> {
    if kl <= 0.0 {
        return Some(0.0);
    }
    if fm.range <= 0.0 || kl >= fdelta_max(fm) {
        return None;
    }
    let k = |l: f64| {
        let ev = fm.eval(l);
        l * ev.mu - ev.psi
    };
    let mut hi = 1.0;
    while k(hi) < kl && hi < 1e12 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if k(mid) < kl {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

/// Absolute error of the optimum `x*(KL)` of the tilt model `fm` when KL carries an absolute
/// error `e_kl`: `x*` is concave in KL with slope `1/l(KL)` (TILT-1: `dmu/dK = sigma^2 / (l
/// sigma^2)`), so an error `e` moves it by at most `min(e / l, x*(e) - x*(0))`, and
/// `x*(e) - x*(0) <= 2 sqrt(2 sigma_0^2 e)` to first order; plus the float64 error of evaluating
/// `mu` at the root (`e_mu + sigma^2` times the root's error `e_K / (l sigma^2)`). Past
/// `Delta_max` the optimum is the constant `v_max`.
fn err_optimum_at(fm: &FModel, kl: f64, e_kl: f64) -> f64 {
    let Some(l) = solve_tilt(fm, kl) else {
        return 0.0;
    };
    let var0 = fm.eval(0.0).var;
    let near0 = 2.0 * (2.0 * var0 * e_kl).sqrt();
    let ev = fm.eval(l);
    let (slope, root) = if l > 0.0 && ev.var > 0.0 {
        (e_kl / l, fm.e_mu(l) + fm.e_k(l, &ev) / l)
    } else {
        (f64::INFINITY, fm.e_mu(l))
    };
    slope.min(near0) + root
}

const NOTE_MKL: &str = "sum Q ln(Q/q) from a float64 law Q with relative error e per level: at most (e + u)(KL + 2/e_1 + 1), since sum Q |ln(Q/q)| <= KL + 2/e_1 (e_1 = 2.718..)";
const NOTE_MAT: &str = "x*(KL) or W*(KL) at the method's float64 KL: concave with slope 1/l(KL), so the KL error e moves it by min(e/l, 2 sqrt(2 sigma_0^2 e)), plus the error of mu at the root";
const NOTE_SOFT: &str = "soft best-of-N law as a sum of positive terms over compositions, each a product of O(N) rounded factors and N exponentials e^{lambda r}: relative error (2N + k + N |lambda| max|r|) u per level";
const NOTE_POISSON: &str = "best-of-Poisson law Q_j = G_j - G_{j-1}, G = F e^{-mu (1 - F)}: G carries a relative error (e + u)(1 + mu (1 - F)), e the error of the float64 CDF; the difference cancels";
const NOTE_TILT_E: &str = "E_phi of a value v in [min, max] with phi of relative error (k + |l| max|t|) u + range(t) e_l (t the tilted quantity, e_l the error of lambda)";

pub(super) fn methods_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let (rewards, probs) = exact_levels(&p, &r, 1);
    // mid ranks w_j = F(j-1) + q_j / 2 of the levels (exact)
    let mut below = Rational::new();
    let mut w = Vec::with_capacity(probs.len());
    for q in &probs {
        w.push(&below + Rational::from(q / 2u32));
        below += q;
    }
    let rm = FModel::new(&probs, &rewards);
    let wm = FModel::new(&probs, &w);
    let k = rm.k;
    let big_s = rm.big_r;
    t.set(
        output,
        "/delta_max",
        Est::abs(2.0 * U * (k + 1.0)),
        "-ln P(r = r_max): the sum of the top probabilities carries a relative error k u",
    );
    // the two tilts: (key, tilted model, is the reward tilt)
    for (key, fm, reward_tilt) in [("optimum", &rm, true), ("win_rate_optimal", &wm, false)] {
        let rows = output[key].as_array().map_or(0, |a| a.len());
        for i in 0..rows {
            let base = format!("/{key}/{i}");
            let Some(l) = finite_lambda(output, &format!("{base}/lambda")) else {
                continue; // saturated: the law conditioned on the top level, a few operations
            };
            let ev = fm.eval(l);
            let delta = get_f64(output, &format!("{base}/delta")).unwrap_or(0.0);
            let el = err_lambda(fm, &FBudget::Delta(delta), l, &ev);
            t.set(output, &format!("{base}/lambda"), Est::abs(el), NOTE_LAMBDA_ROOT);
            t.set(
                output,
                &format!("{base}/kl"),
                Est::abs(fm.e_k(l, &ev)),
                NOTE_DELTA,
            );
            let rp = 4.0 * U * (k + l.abs() * fm.big_r) + fm.range * el + 4.0 * U;
            let er = if reward_tilt {
                fm.e_mu(l) + ev.var * el
            } else {
                rp * big_s
            };
            t.set(
                output,
                &format!("{base}/expected_reward"),
                Est::abs(er),
                NOTE_TILT_E,
            );
            t.set(output, &format!("{base}/win_rate"), Est::abs(rp), NOTE_TILT_E);
        }
    }
    // the method points: absolute errors of (KL, E r, W), then x*(KL) and W*(KL)
    let point = |t: &mut Tolerances, base: &str, e: (f64, f64, f64), note: &str| {
        let (e_kl, e_r, e_w) = e;
        t.set(output, &format!("{base}/kl"), Est::abs(e_kl), NOTE_MKL);
        t.set(output, &format!("{base}/expected_reward"), Est::abs(e_r), note);
        t.set(output, &format!("{base}/win_rate"), Est::abs(e_w), note);
        let kl = get_f64(output, &format!("{base}/kl")).unwrap_or(0.0);
        t.set(
            output,
            &format!("{base}/optimal_reward_at_kl"),
            Est::abs(err_optimum_at(&rm, kl, e_kl)),
            NOTE_MAT,
        );
        t.set(
            output,
            &format!("{base}/optimal_win_rate_at_kl"),
            Est::abs(err_optimum_at(&wm, kl, e_kl)),
            NOTE_MAT,
        );
    };
    let kl_bound = |kl: f64, rel: f64| (rel + 4.0 * U) * (kl + 2.0 / std::f64::consts::E + 1.0);
    let s: Vec<f64> = rewards.iter().map(|x| x.to_f64()).collect();
    let wf: Vec<f64> = w.iter().map(|x| x.to_f64()).collect();
    let ps: Vec<Float> = probs.iter().map(|x| Float::with_val(MP, x)).collect();
    if let Some(rows) = output["best_of_n"].as_array() {
        for (i, row) in rows.iter().enumerate() {
            let n = row["N"].as_u64().unwrap_or(1);
            let bm = BonModel::new(ps.clone(), &Float::with_val(MP, n), k);
            let e = (bm.err_kl(), bm.err_expected(&s), bm.err_win());
            point(t, &format!("/best_of_n/{i}"), e, NOTE_PN);
        }
    }
    if let Some(rows) = output["soft_best_of_n"].as_array() {
        for (i, row) in rows.iter().enumerate() {
            let n = row["N"].as_u64().unwrap_or(1) as f64;
            let lam = row.get("lambda").and_then(leaf_f64).unwrap_or(0.0).abs();
            let rel = 4.0 * U * (2.0 * n + k + n * lam * big_s);
            let base = format!("/soft_best_of_n/{i}");
            let kl = get_f64(output, &format!("{base}/kl")).unwrap_or(0.0);
            let e = (kl_bound(kl, rel), (rel + 4.0 * U) * big_s, rel + 8.0 * U);
            point(t, &base, e, NOTE_SOFT);
        }
    }
    if let Some(rows) = output["best_of_poisson"].as_array() {
        let e_t = 2.0 * U * (2.0 * k);
        for (i, row) in rows.iter().enumerate() {
            let mu = row.get("mu").and_then(leaf_f64).unwrap_or(0.0);
            // G_j = F_j e^{-mu T_j}, T_j = 1 - F_j, with its relative error
            let mut f = 0.0;
            let mut g = Vec::with_capacity(ps.len());
            for x in &ps {
                f += x.to_f64();
                let tail = (1.0 - f).max(0.0);
                g.push((f * exp(-mu * tail), (e_t + 4.0 * U) * (1.0 + mu * tail)));
            }
            let (mut e_kl, mut e_r, mut e_w) = (0.0, 4.0 * U * big_s, 4.0 * U);
            for j in 0..g.len() {
                let (gj, rj) = g[j];
                let (gm, rm_) = if j == 0 { (0.0, 0.0) } else { g[j - 1] };
                let qj = gj - gm;
                let abs_q = gj * rj + gm * rm_ + 4.0 * U * qj.abs();
                e_r += s[j].abs() * abs_q;
                e_w += wf[j] * abs_q;
                let pj = ps[j].to_f64();
                if qj > 0.0 && pj > 0.0 {
                    let lr = ln(qj / pj).abs();
                    e_kl += abs_q * (lr + 1.0) + 4.0 * U * qj * lr;
                }
            }
            point(
                t,
                &format!("/best_of_poisson/{i}"),
                (e_kl, e_r, e_w),
                NOTE_POISSON,
            );
        }
    }
    Ok(())
}
