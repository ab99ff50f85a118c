//! Tolerances of the `markov` family (`compare --transition`, MATH.md §10): the float64
//! best-of-N model over the chain's level law, the finite-n optimum as a tilt of that law
//! (MKV-2), and the MKV-3 limit through a float64 Perron eigenpair.

use super::sequences::compare_levels_tol;
use super::*;
use crate::exact::markov::{level_law_markov, Chain, MarkovModel};

fn input_rows(input: &Json) -> Result<Vec<Vec<Rational>>> {
    input["transition"]
        .as_array()
        .ok_or_else(|| Error::input("vector input has no 'transition'"))?
        .iter()
        .map(|row| {
            row.as_array()
                .ok_or_else(|| Error::input("vector input 'transition': a row is not a list"))?
                .iter()
                .map(|x| {
                    parse_rational(x.as_str().unwrap_or(""))
                        .map_err(|e| Error::input(format!("vector input 'transition': {e}")))
                })
                .collect()
        })
        .collect()
}

/// The float Perron data of `M_l = (P_ab e^{l r_b})` at a tilt `l`: `psi = ln rho`, and the
/// eigenvalue condition number `kappa = |u| |v| / (u . v)` (u, v the left and right Perron
/// vectors), by power iteration on `M + I` at 128 bits (a model, not a certificate).
fn perron_f(p: &[Vec<Rational>], r: &[Rational], l: f64) -> (Float, f64) {
    const PREC: u32 = 128;
    let k = p.len();
    let rmax = r.iter().map(|x| x.to_f64()).fold(f64::NEG_INFINITY, f64::max);
    let m: Vec<Vec<Float>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| {
                    let e = Float::with_val(PREC, l * (r[b].to_f64() - rmax)).exp();
                    Float::with_val(PREC, &p[a][b]) * e
                })
                .collect()
        })
        .collect();
    let iterate = |transpose: bool| -> (Vec<Float>, Float) {
        let mut v: Vec<Float> = (0..k).map(|_| Float::with_val(PREC, 1)).collect();
        let mut rho = Float::new(PREC);
        for _ in 0..3000 {
            let w: Vec<Float> = (0..k)
                .map(|a| {
                    (0..k).fold(Float::with_val(PREC, &v[a]), |s, b| {
                        let x = if transpose { &m[b][a] } else { &m[a][b] };
                        s + Float::with_val(PREC, x * &v[b])
                    })
                })
                .collect();
            let t = w.iter().fold(Float::new(PREC), |s, x| s + x);
            let t0 = v.iter().fold(Float::new(PREC), |s, x| s + x);
            rho = Float::with_val(PREC, &t / &t0) - 1u32;
            v = w.into_iter().map(|x| x / &t).collect();
        }
        (v, rho)
    };
    let (v, rho) = iterate(false);
    let (u, _) = iterate(true);
    let norm = |x: &[Float]| x.iter().map(|y| y.to_f64() * y.to_f64()).sum::<f64>().sqrt();
    let dot: f64 = u.iter().zip(&v).map(|(a, b)| a.to_f64() * b.to_f64()).sum();
    let kappa = if dot > 0.0 { norm(&u) * norm(&v) / dot } else { 1.0 };
    let psi = Float::with_val(PREC, rho.ln_ref()) + Float::with_val(PREC, l * rmax);
    (psi, kappa)
}

const NOTE_LAMBDA_LIMIT: &str = "l_Delta solves l psi'(l) - psi(l) = Delta with psi = ln rho(l) from a float64 Perron eigenpair: the error of K (k^2 + |l| max|r|) u times the eigenvalue condition number, amplified by 1 / (l psi''(l))";
const NOTE_X_STAR_LIMIT: &str =
    "x* = psi'(l_Delta): the float64 error of psi' plus psi''(l_Delta) times the error of l_Delta";

pub(super) fn markov_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let rows = input_rows(input)?;
    let init = input_list(input, "init")?;
    let r = input_list(input, "r")?;
    let n = count_u64(input, "n");
    let nf = n as f64;
    let Some(big_n) = input_n_samples(input) else {
        return Ok(());
    };
    let chain = Chain::new(rows.clone(), Some(init), false)?;
    let m = MarkovModel::new(chain, r.clone())?;
    let law = level_law_markov(&m, n)?;
    let rewards: Vec<Rational> = (0..law.len()).map(|j| law.reward(j)).collect();
    let probs: Vec<Rational> = (0..law.len()).map(|j| law.prob(j)).collect();
    let s: Vec<f64> = rewards.iter().map(|x| x.to_f64()).collect();
    let ps: Vec<Float> = probs.iter().map(|x| Float::with_val(MP, x)).collect();
    let k = m.chain.reachable().len() as f64;
    // the forward recursion over (state, level): n steps of k terms per entry
    let ops = nf * k;
    let bm = BonModel::new(ps, &big_n, ops);
    // the optimum is the tilt of the level law viewed as a one-token model (MKV-2); its float
    // inputs carry the level law's relative error, counted as `ops` more terms in every sum
    let mut fm = FModel::new(&probs, &rewards);
    fm.k += ops;
    let delta = input_rat(input, "delta").map_or(0.0, |d| d.to_f64());
    compare_levels_tol(output, t, &s, &bm, &fm, 1.0, nf, nf * delta);
    // the MKV-3 limit
    if let Some(l) = finite_lambda(output, "/lambda_limit").filter(|l| *l > 0.0) {
        let big_r = r.iter().fold(0.0f64, |a, x| a.max(x.to_f64().abs()));
        let h = 1e-6 * l.max(1e-3);
        let (p0, kappa) = perron_f(&rows, &r, l);
        let (pp, _) = perron_f(&rows, &r, l + h);
        let (pm, _) = perron_f(&rows, &r, l - h);
        let d1 = Float::with_val(128, &pp - &pm).to_f64() / (2.0 * h);
        let sum = Float::with_val(128, &pp + &pm);
        let d2 = Float::with_val(128, sum - Float::with_val(128, &p0 * 2u32)).to_f64() / (h * h);
        let base = 4.0 * U * kappa * (k * k + l * big_r);
        let e_psi = base;
        let e_mu = base * big_r.max(1.0);
        let e_k = l * e_mu + e_psi + 2.0 * U * ((l * d1).abs() + p0.to_f64().abs());
        let el = if d2 > 0.0 { e_k / (l * d2) } else { e_k };
        t.set(output, "/lambda_limit", Est::abs(el), NOTE_LAMBDA_LIMIT);
        t.set(
            output,
            "/x_star_limit",
            Est::abs(e_mu + d2.abs() * el),
            NOTE_X_STAR_LIMIT,
        );
    }
    Ok(())
}
