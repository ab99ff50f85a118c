//! Tolerances of the single-token families: `divergence`, `tilt`, `rate`, `cumulants`.

use super::*;

pub(super) fn divergence_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p: Vec<f64> = input_list(input, "p")?.iter().map(|x| x.to_f64()).collect();
    let q: Vec<f64> = input_list(input, "q")?.iter().map(|x| x.to_f64()).collect();
    let k = p.len() as f64;
    let lnabs = |x: f64| if x > 0.0 { ln(x).abs() } else { 0.0 };
    // KL(a || b) = sum a ln(a/b): each term has an absolute error of about a (|ln a| + |ln b| + 1) u
    let kl_scale = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .filter(|(x, y)| **x > 0.0 && **y > 0.0)
            .map(|(x, y)| x * (lnabs(*x) + lnabs(*y) + 1.0))
            .sum()
    };
    let note_kl = "sum p ln(p/q): terms of both signs cancel when p is close to q; absolute error about sum p (|ln p| + |ln q| + 1) u";
    t.set(output, "/kl", Est::abs(4.0 * U * kl_scale(&p, &q)), note_kl);
    t.set(
        output,
        "/kl_reverse",
        Est::abs(4.0 * U * kl_scale(&q, &p)),
        note_kl,
    );
    // -sum a ln b: the float64 representation of b (relative error u) moves ln b by u
    let log_scale = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .filter(|(x, y)| **x > 0.0 && **y > 0.0)
            .map(|(x, y)| x * (lnabs(*y) + 1.0))
            .sum()
    };
    let note_ent = "-sum p ln q: rounding q to float64 moves ln q by u, an absolute error of about sum p (|ln q| + 1) u that matters when the value is small";
    t.set(
        output,
        "/entropy",
        Est::abs(4.0 * U * log_scale(&p, &p)),
        note_ent,
    );
    t.set(
        output,
        "/cross_entropy",
        Est::abs(4.0 * U * log_scale(&p, &q)),
        note_ent,
    );
    if let Some(al) = input_rat(input, "alpha") {
        let a = al.to_f64();
        if a != 1.0 {
            let lmax_p = p
                .iter()
                .filter(|x| **x > 0.0)
                .map(|x| lnabs(*x))
                .fold(0.0, f64::max);
            let lmax_q = q
                .iter()
                .filter(|x| **x > 0.0)
                .map(|x| lnabs(*x))
                .fold(0.0, f64::max);
            let d = (a - 1.0).abs();
            // ln of a sum of powers x^a: relative error (k + |a ln x|) u of the sum, divided by |a - 1|
            let div = 4.0 * U * (k + a.abs() * lmax_p + (1.0 - a).abs() * lmax_q) / d;
            let ent = 4.0 * U * (k + a.abs() * lmax_p) / d;
            let cross = 4.0 * U * (k + (a - 1.0).abs() * lmax_q) / d;
            let note = "ln(sum of powers) / (alpha - 1): the sum carries a relative error (k + |alpha| max|ln p| + |1 - alpha| max|ln q|) u, an absolute error of the logarithm, divided by |alpha - 1|";
            t.set(output, "/renyi_divergence", Est::abs(div), note);
            t.set(output, "/renyi_entropy", Est::abs(ent), note);
            t.set(output, "/renyi_cross_entropy", Est::abs(cross), note);
            t.set(output, "/renyi_cross_entropy_alt", Est::abs(div + ent), note);
        } else {
            t.set(
                output,
                "/renyi_divergence",
                Est::abs(4.0 * U * kl_scale(&p, &q)),
                note_kl,
            );
        }
    }
    Ok(())
}

pub(super) fn tilt_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let fm = FModel::new(&p, &r);
    let Some(b) = input_budget(input) else {
        return Ok(());
    };
    let Some(l) = finite_lambda(output, "/lambda") else {
        return Ok(()); // saturated: p conditioned on A_max, a few exact operations
    };
    let ev = fm.eval(l);
    let el = err_lambda(&fm, &b, l, &ev);
    if matches!(b, FBudget::Delta(_)) {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
        // the exact Delta is reproduced as D(phi || p) of the float64 phi
        t.set(output, "/delta", Est::abs(fm.e_k(l, &ev)), NOTE_DELTA);
    } else {
        t.set(
            output,
            "/delta",
            Est::abs(fm.e_k(l, &ev) + l.abs() * ev.var * el),
            NOTE_DELTA,
        );
    }
    t.set(
        output,
        "/log_partition",
        Est::abs(fm.e_psi(l) + ev.mu.abs() * el),
        NOTE_FROM_LAMBDA,
    );
    t.set(
        output,
        "/partition",
        Est::rel(fm.e_psi(l) + ev.mu.abs() * el),
        NOTE_FROM_LAMBDA,
    );
    t.set(
        output,
        "/expected_reward",
        Est::abs(fm.e_mu(l) + ev.var * el),
        NOTE_FROM_LAMBDA,
    );
    t.set(
        output,
        "/reward_variance",
        Est::abs(4.0 * U * fm.k * (ev.mu * ev.mu + ev.var) + fm.range * ev.var * el),
        NOTE_VARIANCE,
    );
    // phi over the full alphabet (zeros stay exact)
    let mut j = 0;
    for (i, pa) in p.iter().enumerate() {
        if *pa == 0 {
            continue;
        }
        let rel = 4.0 * U * (fm.k + l.abs() * fm.big_r) + (fm.r[j] - ev.mu).abs() * el;
        t.set(output, &format!("/phi/{i}"), Est::rel(rel), NOTE_PHI);
        j += 1;
    }
    Ok(())
}

pub(super) fn rate_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let fm = FModel::new(&p, &r);
    let x = input_rat(input, "x").map(|q| q.to_f64()).unwrap_or(0.0);
    let mut err_i0 = 0.0;
    if let Some(lx) = finite_lambda(output, "/lambda_x") {
        let ev = fm.eval(lx);
        if ev.var > 0.0 {
            let el = (fm.e_mu(lx) + 2.0 * U * x.abs()) / ev.var;
            t.set(
                output,
                "/lambda_x",
                Est::abs(el),
                "lambda_x solves mu(l) = x: the float64 error of mu is amplified by 1 / mu'(l) = 1 / sigma^2(l)",
            );
            // I_0 = l x - psi(l) is stationary in l: first order is the cancellation of l x and psi
            err_i0 =
                fm.e_psi(lx) + 2.0 * U * (lx * x).abs() + 2.0 * U * ev.psi.abs() + 0.5 * ev.var * el * el;
            t.set(
                output,
                "/rate_reference",
                Est::abs(err_i0),
                "I_0(x) = l x - psi(l) is stationary in l (no first-order error from lambda_x); the terms l x and psi cancel",
            );
        }
    }
    let Some(b) = input_budget(input) else {
        return Ok(());
    };
    let Some(l) = finite_lambda(output, "/lambda") else {
        return Ok(());
    };
    if l == 0.0 {
        t.set(
            output,
            "/rate_aligned",
            Est::abs(err_i0),
            "equal to I_0(x) at Delta = 0",
        );
        return Ok(());
    }
    let ev = fm.eval(l);
    let el = err_lambda(&fm, &b, l, &ev);
    if matches!(b, FBudget::Delta(_)) {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
    }
    let xs = ev.mu;
    let ia = get_f64(output, "/rate_aligned").unwrap_or(0.0);
    if ia.is_finite() {
        let delta = match b {
            FBudget::Delta(d) => d,
            _ => l * ev.mu - ev.psi,
        };
        let err = err_i0
            + (x - xs).abs() * el
            + l.abs() * fm.e_mu(l)
            + fm.e_psi(l)
            + fm.e_k(l, &ev)
            + 2.0 * U * (ia.abs() + delta.abs() + (l * (x - xs)).abs() + (l * x).abs() + ev.psi.abs());
        t.set(
            output,
            "/rate_aligned",
            Est::abs(err),
            "I_Delta(x) = I_0(x) - Delta - l_Delta (x - x*): cancellation of its terms, plus |x - x*| times the error of lambda",
        );
    }
    Ok(())
}

/// Cumulants `kappa_2..kappa_m` of `r` under `phi` from central moments (index `j` holds
/// `kappa_j`; entries 0 and 1 are unused), and the magnitude `A_j` of the terms of the recursion
/// `kappa_j = c_j - sum_{i=2}^{j-2} C(j-1, i-1) kappa_i c_{j-i}` (absolute central moments in
/// place of the moments): the scale of the cancellation in a float64 evaluation.
fn central_cumulants(fm: &FModel, ev: &FEval, m: usize) -> (Vec<f64>, Vec<f64>) {
    let c: Vec<f64> = (0..=m)
        .map(|j| {
            ev.phi
                .iter()
                .zip(&fm.r)
                .map(|(a, b)| a * ipow(b - ev.mu, j as i32))
                .sum()
        })
        .collect();
    let abs_m: Vec<f64> = (0..=m).map(|j| fm.abs_moment(ev, j as i32)).collect();
    let binom =
        |n: usize, k: usize| -> f64 { (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64) };
    let mut kappa = vec![0.0; m + 1];
    let mut mag = vec![0.0; m + 1];
    for j in 2..=m {
        let mut kj = c[j];
        let mut aj = abs_m[j];
        for i in 2..j.saturating_sub(1) {
            let b = binom(j - 1, i - 1);
            kj -= b * kappa[i] * c[j - i];
            aj += b * mag[i] * abs_m[j - i];
        }
        kappa[j] = kj;
        mag[j] = aj;
    }
    (kappa, mag)
}

pub(super) fn cumulants_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let fm = FModel::new(&p, &r);
    let Some(b) = input_budget(input) else {
        return Ok(());
    };
    let lam = get_f64(output, "/lambda").unwrap_or(0.0);
    if !lam.is_finite() {
        return Ok(()); // saturated: a point mass, exact
    }
    let ev = fm.eval(lam);
    let el = if lam == 0.0 {
        0.0
    } else {
        err_lambda(&fm, &b, lam, &ev)
    };
    if matches!(b, FBudget::Delta(_)) && lam != 0.0 {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
    }
    let order = output["cumulants"].as_array().map_or(0, |a| a.len());
    let base = 4.0 * U * (fm.k + lam.abs() * fm.big_r);
    let (kappa, mag) = central_cumulants(&fm, &ev, order + 1);
    for j in 1..=order {
        // d kappa_j / d lambda = kappa_{j+1}
        let err = if j == 1 {
            fm.e_mu(lam) + ev.var * el
        } else {
            base * mag[j] + kappa[j + 1].abs() * el
        };
        t.set(
            output,
            &format!("/cumulants/{}", j - 1),
            Est::abs(err),
            "kappa_j from central moments: the terms of the moment-cumulant recursion cancel (scale: the recursion on absolute central moments) with a relative error (k + |l| max|r|) u each, plus |kappa_{j+1}| times the error of lambda",
        );
    }
    if let Some(tt) = input_rat(input, "t").map(|q| q.to_f64()) {
        let ev2 = fm.eval(lam + tt);
        let err = fm.e_psi(lam + tt)
            + fm.e_psi(lam)
            + (ev2.mu - ev.mu).abs() * el
            + 2.0 * U * (ev2.psi.abs() + ev.psi.abs());
        let note = "Lambda(t) = psi(l + t) - psi(l): the two log-partitions cancel; plus |mu(l+t) - mu(l)| times the error of lambda";
        t.set(output, "/scgf", Est::abs(err), note);
        // the Renyi forms go through ln C = ln sum e^{r} and Renyi sums of order 1 + t
        let lnc_scale = fm.big_r + ln(fm.k.max(1.0));
        let extra = 4.0 * U * tt.abs() * (lnc_scale + 1.0) * (1.0 + (lam + tt).abs() * fm.big_r);
        let note_r = "as scgf, plus the float64 error of t ln C and of the Renyi sums of order 1 + t";
        for key in ["reference_cross_entropy", "aligned_cross_entropy", "divergence"] {
            let mut e = err + extra;
            if key == "divergence" && lam != 0.0 {
                // (t / l) [psi(l) + D_{1 + t/l}]: the error of l enters through t / l
                e += (tt / lam).abs() * (fm.e_psi(lam) + ev.mu.abs() * el)
                    + (get_f64(output, "/scgf").unwrap_or(0.0) / lam).abs() * el;
            }
            t.set(output, &format!("/scgf_renyi/{key}"), Est::abs(e), note_r);
        }
    }
    Ok(())
}

// --- best-of-N -------------------------------------------------------------------------------
