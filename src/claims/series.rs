//! The series the limit claims ASY-1 .. ASY-7 read: the `sweep` rows of best-of-N with
//! `N = ceil(e^{n Delta})` along a grid of `n` (every quantity an enclosure from the exact level
//! law, [`crate::results::sweep::sweep_row`], or from the certified windows of MATH.md §9 for
//! `n >= WINDOW_FROM`), with the single-token constants at the optimum.

use super::claim::value_enc;
use super::tilt::lambda_delta;
use crate::exact::dist::Model;
use crate::exact::level_law::{level_law, Route};
use crate::math::asymptotics::lattice_span;
use crate::math::best_of_n::{self as bon, integer_n, Levels, NRule};
use crate::math::tilt::{cumulants, eval, TiltModel};
use crate::math::window::{WinLattice, WindowKnob, WindowLaw};
use crate::real::value::Value;
use crate::real::Enc;
use crate::results::compare::SampleCount;
use crate::results::sweep::{ln_n_excess, sweep_row};
use rug::ops::Pow;
use rug::{Integer, Rational};

/// From this `n` on, a grid point is computed by the certified windows of MATH.md §9
/// ([`crate::math::window`], WIN-1..WIN-4) instead of the exact level law (whose cost grows as
/// `n^2` bits). Below it (the doubling grid `10 .. 10240`) the exact law is used, as before.
pub const WINDOW_FROM: u64 = 20_000;

/// The fixed sample count of the "fixed N" remark of §6.
pub const FIXED_N: u32 = 4;

// ---------------------------------------------------------------------------------------------
// the series of the limit claims
// ---------------------------------------------------------------------------------------------

/// One grid point of the sweep.
#[derive(Clone, Debug)]
pub struct Row {
    /// The sequence length.
    pub n: u64,
    /// `N = ceil(e^{n Delta})` (`None` when it has more than 2^20 bits: then only
    /// `e^{n Delta} <= N < e^{n Delta} + 1` enters).
    pub big_n: Option<Integer>,
    /// `ln N`.
    pub ln_big_n: Enc,
    /// `eps = ln N - n Delta = ln(N e^{-n Delta})`.
    pub eps: Enc,
    /// `E_{pi_N} S_n`.
    pub e: Enc,
    /// `D(pi_N || p^n)`.
    pub kl_ref: Enc,
    /// `D(pi_N || phi^n)`.
    pub kl_tilt: Enc,
    /// The ASY-7 prediction of MATH.md (`sweep`'s `asy7_expected_reward`).
    pub pred7: Enc,
    /// `n (x* - E/n) - ln n/(2 l)` (`sweep`'s `asy4_scaled`).
    pub a: Enc,
    /// `D(pi_N||phi^n) - (1/2) ln n` (`asy5`).
    pub b: Enc,
    /// `n Delta - D(pi_N||p^n)` (`asy6_c`).
    pub c: Enc,
    /// `E - pred7` (`asy7`).
    pub r7: Enc,
    /// `D(phi^n || pi_N)`, the reverse KL of ASY-8 (`compare`'s `kl_tilted_bon`), when the row
    /// certified it.
    pub kl_rev: Option<Enc>,
    /// `E_{pi_N} S_n` for the fixed `N = FIXED_N` (`None` on the window route, whose windows sit
    /// at the tilt of `l_Delta`, far from where the maximum of 4 draws lives).
    pub e_fixed: Option<Enc>,
}

/// The sweep along a grid with the single-token constants at the optimum.
#[derive(Clone, Debug)]
pub struct Series {
    /// `l_Delta`.
    pub l: Enc,
    /// `x* = mu(l_Delta)`.
    pub x_star: Enc,
    /// `sigma^2 = psi''(l_Delta)`.
    pub var: Enc,
    /// `kappa_3 = psi'''(l_Delta)`.
    pub kappa3: Enc,
    /// `kappa_4 = psi''''(l_Delta)` (the `1/n` term of the lattice Bahadur-Rao tail).
    pub kappa4: Enc,
    /// The lattice span of the reward.
    pub h: Rational,
    /// `r_min` on the support.
    pub r_min: Rational,
    /// `E_p r`.
    pub mean: Rational,
    /// `Var_p r` (exact).
    pub var_p: Rational,
    /// The budget.
    pub delta: Rational,
    /// The rows, in grid order.
    pub rows: Vec<Row>,
}

fn enc_of(v: &Value, key: &str, prec: u32) -> Option<Enc> {
    value_enc(v.get(key)?, prec)
}

impl Series {
    /// Compute the sweep rows at `prec` (the level law of each `n` is built, used, dropped).
    /// `None` when a quantity did not certify at `prec` (the optimum, `N`).
    pub fn compute(
        model: &Model,
        tm: &TiltModel,
        delta: &Rational,
        grid: &[u64],
        prec: u32,
    ) -> Option<Series> {
        let l = lambda_delta(tm, delta, prec).ok()??;
        let cum = cumulants(tm, &l, 4, prec);
        let te = eval(tm, &l, prec);
        let var_p: Rational =
            tm.p.iter()
                .zip(&tm.r)
                .map(|(p, r)| p * Rational::from(r - &tm.mean).pow(2u32))
                .sum();
        let mut rows = Vec::with_capacity(grid.len());
        // the window route's lattice and tilt (a 64-bit point near l_Delta), for n >= WINDOW_FROM
        let win =
            WinLattice::new(model.probs(), &model.r).map(|lat| (lat, rug::Float::with_val(64, l.mid())));
        for &n in grid {
            let x = Rational::from(delta * n);
            let big_n = integer_n(&x, NRule::Ceil, 1 << 20);
            let count = match &big_n {
                Some(i) => SampleCount::Integer(i.clone()),
                // N has more than 2^20 bits: only e^x <= N < e^x + 1 enters (eps in [0, e^-x])
                None => SampleCount::Rounded {
                    x: x.clone(),
                    ceil: true,
                },
            };
            let (row, e_fixed) = if n >= WINDOW_FROM {
                let (lat, lam) = win.as_ref()?;
                let w = WindowLaw::new(lat, n, lam, prec, WindowKnob::default());
                // fixed N = 4 lives near n E_p r, far outside the window: not evaluated here
                (sweep_row(tm, &w, delta, &count, prec), None)
            } else {
                let lv = Levels::new(level_law(model.probs(), &model.r, n, Route::Auto));
                let ev = bon::eval(&lv, &Enc::from_i64(i64::from(FIXED_N), prec), prec);
                (
                    sweep_row(tm, &lv, delta, &count, prec),
                    Some(bon::expected_reward(&lv, &ev, prec)),
                )
            };
            let res = row.get("residuals")?;
            let pr = row.get("predictions")?;
            rows.push(Row {
                n,
                ln_big_n: count.ln(prec),
                eps: ln_n_excess(&count, &x, prec),
                big_n,
                e: enc_of(&row, "expected_reward_bon", prec)?,
                kl_ref: enc_of(&row, "kl_bon_reference", prec)?,
                kl_tilt: enc_of(&row, "kl_bon_tilted", prec)?,
                pred7: enc_of(pr, "asy7_expected_reward", prec)?,
                a: enc_of(res, "asy4_scaled", prec)?,
                b: enc_of(res, "asy5", prec)?,
                c: enc_of(res, "asy6_c", prec)?,
                r7: enc_of(res, "asy7", prec)?,
                kl_rev: enc_of(&row, "kl_tilted_bon", prec),
                e_fixed,
            });
        }
        Some(Series {
            x_star: te.mu,
            var: te.var,
            kappa3: cum[2].clone(),
            kappa4: cum[3].clone(),
            l,
            h: lattice_span(tm),
            r_min: tm.r_min.clone(),
            mean: tm.mean.clone(),
            var_p,
            delta: delta.clone(),
            rows,
        })
    }

    /// The grid.
    pub fn grid(&self) -> Vec<u64> {
        self.rows.iter().map(|r| r.n).collect()
    }
}
