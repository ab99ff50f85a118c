//! Tolerances of the sequence families: `bon` and `compare` (the float64 best-of-N model).

use super::*;

pub(super) fn bon_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let n = count_u64(input, "n");
    let Some(big_n) = input_n_samples(input) else {
        return Ok(());
    };
    let k = p.iter().filter(|x| **x > 0).count() as f64;
    let (rewards, probs) = exact_levels(&p, &r, n);
    let s: Vec<f64> = rewards.iter().map(|x| x.to_f64()).collect();
    let ps: Vec<Float> = probs.iter().map(|x| Float::with_val(MP, x)).collect();
    let bm = BonModel::new(ps, &big_n, n as f64 * k);
    let len = bm.len();
    let listed = output["levels"].as_array().map_or(0, |a| a.len());
    for i in 0..listed.min(len) {
        let j = len - 1 - i;
        t.set(
            output,
            &format!("/levels/{i}/prob_reference"),
            Est::rel(bm.e_t),
            NOTE_PS,
        );
        t.set(
            output,
            &format!("/levels/{i}/prob_bon"),
            Est::rel(bm.rel_pn[j]),
            NOTE_PN,
        );
        t.set(
            output,
            &format!("/levels/{i}/kl_gap"),
            Est::abs(bm.err_level_gap(j)),
            NOTE_LEVEL_GAP,
        );
    }
    let err_e = bm.err_expected(&s);
    t.set(output, "/expected_reward", Est::abs(err_e), NOTE_E);
    t.set(
        output,
        "/expected_reward_per_token",
        Est::abs(err_e / n as f64),
        NOTE_E,
    );
    let err_kl = bm.err_kl();
    t.set(output, "/kl_to_reference", Est::abs(err_kl), NOTE_KL_BON);
    t.set(
        output,
        "/kl_gap",
        Est::abs(err_kl + 4.0 * U * (bm.ln_n.abs() + 1.0)),
        NOTE_KL_GAP,
    );
    t.set(output, "/win_rate", Est::abs(bm.err_win()), NOTE_WIN);
    // the order rule (n = 1): tokens sorted by (reward, index)
    if output.get("tokens").is_some() {
        let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i] > 0).collect();
        idx.sort_by(|&a, &b| r[a].cmp(&r[b]).then(a.cmp(&b)));
        let ps: Vec<Float> = idx.iter().map(|&i| Float::with_val(MP, &p[i])).collect();
        let om = BonModel::new(ps, &big_n, k);
        for (pos, &i) in idx.iter().enumerate() {
            t.set(output, &format!("/tokens/{i}"), Est::rel(om.rel_pn[pos]), NOTE_PN);
        }
        t.set(
            output,
            "/kl_to_reference_order",
            Est::abs(om.err_kl()),
            NOTE_KL_BON,
        );
    }
    Ok(())
}

pub(super) fn compare_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let n = count_u64(input, "n");
    let nf = n as f64;
    let Some(big_n) = input_n_samples(input) else {
        return Ok(());
    };
    let fm = FModel::new(&p, &r);
    let (rewards, probs) = exact_levels(&p, &r, n);
    let s: Vec<f64> = rewards.iter().map(|x| x.to_f64()).collect();
    let ps: Vec<Float> = probs.iter().map(|x| Float::with_val(MP, x)).collect();
    let bm = BonModel::new(ps, &big_n, nf * fm.k);
    let delta = input_rat(input, "delta").map_or(0.0, |d| d.to_f64());
    compare_levels_tol(output, t, &s, &bm, &fm, nf, nf, delta);
    Ok(())
}

/// The `compare` tolerances from the float model of the level law: `bm` (best-of-N over the
/// levels `s`) and `fm`, the model whose tilt is the optimum, repeated `nt` times (`nt = n` for
/// a memoryless model: `phi^(x)n`; `nt = 1` for a chain, whose optimum is a tilt of the level
/// law itself, MKV-2). Per-token fields divide by `nf = n`.
#[allow(clippy::too_many_arguments)]
pub(super) fn compare_levels_tol(
    output: &Json,
    t: &mut Tolerances,
    s: &[f64],
    bm: &BonModel,
    fm: &FModel,
    nt: f64,
    nf: f64,
    delta: f64,
) {
    let len = bm.len();
    // N = ceil(e^{n Delta}): e^x carries a relative error (1 + x) u
    let nd = nf * delta;
    t.set(
        output,
        "/N",
        Est::rel(2.0 * U * (1.0 + nd)),
        "N = e^{n Delta} (rounded): exp of n Delta has a relative error (1 + n Delta) u",
    );
    let err_e = bm.err_expected(s);
    let err_kl = bm.err_kl();
    let e_bon = get_f64(output, "/expected_reward_bon").unwrap_or(0.0);
    let kl_ref = get_f64(output, "/kl_bon_reference").unwrap_or(0.0);
    let per = |t: &mut Tolerances, key: &str, err: f64, note: &str| {
        t.set(output, &format!("/{key}"), Est::abs(err), note);
        t.set(output, &format!("/{key}_per_token"), Est::abs(err / nf), note);
    };
    per(t, "expected_reward_bon", err_e, NOTE_E);
    per(t, "kl_bon_reference", err_kl, NOTE_KL_BON);
    let lam = get_f64(output, "/lambda").unwrap_or(0.0);
    if lam.is_infinite() {
        // saturated: phi^n sits on the top level; D(phi^n || pi_N) = -ln P_N(top)
        let top = len - 1;
        if top > 0 {
            let rel = 2.0 * bm.e_t * (bm.m[top - 1] + 2.0) + 4.0 * U;
            t.set(
                output,
                "/kl_tilted_bon",
                Est::rel(rel),
                "-ln P_N(top) = -ln(1 - F_-^N) ~ F_-^N: relative error of F_-^N",
            );
            t.set(
                output,
                "/kl_tilted_bon_per_token",
                Est::rel(rel),
                "-ln P_N(top) / n: relative error of F_-^N",
            );
        }
        return;
    }
    let ev = fm.eval(lam);
    let el = if lam == 0.0 {
        0.0
    } else {
        err_lambda(fm, &FBudget::Delta(delta), lam, &ev)
    };
    if lam != 0.0 {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
    }
    per(
        t,
        "expected_reward_tilted",
        nt * (fm.e_mu(lam) + ev.var * el),
        "n mu(lambda): n times the error of mu, plus n sigma^2 times the error of lambda",
    );
    per(
        t,
        "kl_tilted_reference",
        nt * fm.e_k(lam, &ev),
        "n D(phi || p) = n (l mu - psi) from a float64 phi: the terms cancel",
    );
    // ln Phi_j = ln P_S(j) + l s_j - n psi(l)
    let n_psi = nt * ev.psi;
    let e_npsi = nt * fm.e_psi(lam);
    let ln_phi: Vec<f64> = (0..len).map(|j| bm.ln_ps[j] + lam * s[j] - n_psi).collect();
    let err_ln_phi = |j: usize| -> f64 {
        bm.e_t
            + 4.0 * U * ((lam * s[j]).abs() + n_psi.abs() + bm.ln_ps[j].abs())
            + (s[j] - nt * ev.mu).abs() * el
            + e_npsi
    };
    let mut direct = 0.0;
    let mut reverse = 0.0;
    for (j, lp) in ln_phi.iter().enumerate() {
        let d = (bm.ln_pn[j] - lp).abs();
        direct += wt(bm.pn[j], bm.rel_pn[j] * (d + 1.0) + err_ln_phi(j) + 4.0 * U * d);
        reverse += wt(exp(*lp), bm.rel_pn[j] + err_ln_phi(j) + 4.0 * U * d);
    }
    let pyth = err_kl
        + lam.abs() * err_e
        + (nt * ev.mu - e_bon).abs() * el
        + e_npsi
        + 4.0 * U * (kl_ref.abs() + (lam * e_bon).abs() + n_psi.abs());
    let bt = direct.max(pyth);
    let note_bt = "D(pi_N || phi^n): directly sum P_N ln(P_N / Phi) with ln Phi = ln P_S + l s - n psi, or by TILT-3 D(pi_N||p) - l E S + n psi; the terms l E S and n psi cancel, and the error of lambda enters times |n mu - E S|";
    per(t, "kl_bon_tilted", bt, note_bt);
    per(t, "kl_bon_tilted_pythagorean", bt, note_bt);
    per(
        t,
        "kl_tilted_bon",
        reverse,
        "sum Phi ln(Phi / P_N): ln P_N = N ln F + ... has an absolute error of about 2 e N |ln F| per level, e the relative error of the float64 level law",
    );
}

// --- the `methods` family (`alignexact frontier`) ---
