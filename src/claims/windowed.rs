//! ASY-8 (MATH.md §9): the growth rate of the reverse KL,
//! `(1/n) ln D(phi^n || pi_N) -> 2 psi(l_Delta / 2) - psi(l_Delta) + Delta` when that is `> 0`,
//! checked with certified values of `D(phi^n || pi_N)` from the windowed route (WIN-1..WIN-4,
//! [`crate::math::window`]) at `n = 1000, 4000, 10240` and, with `check --n ...,decades:1e7`, at
//! the decades past 10240 ([`asy8_grid`]).
//!
//! Claims: the exponent is positive (`ASY-8.positive`) and at most `Delta` (`ASY-8.bound`, by the
//! convexity bound `psi(l/2) <= psi(l)/2`); the gap `limit - (1/n) ln D` is positive and shrinks
//! strictly along the grid (`ASY-8.gap`); the gap is `(1/2) ln n / n + b_8 / n` up to
//! `ASY8_RATE_CONST / n^2` with the derived constant [`asy8_rate_constant`] (`ASY-8.rate`). The
//! measured rate is in `proofs/windowed.md`.

use super::cases::Case;
use super::claim::{combine, strict, Kind};
use super::series::Series;
use super::Claim;
use crate::error::Result;
use crate::math::best_of_n::{self as bon, integer_n, NRule};
use crate::math::tilt::{optimum, Optimum};
use crate::math::window::{WinLattice, WindowKnob, WindowLaw};
use crate::real::value::Value;
use crate::real::Enc;
use rug::{Float, Integer, Rational};

/// The grid of ASY-8 (the lengths of the note in MATH.md §9).
pub const ASY8_GRID: [u64; 3] = [1000, 4000, 10240];

const ST: &str =
    "(1/n) ln D(phi^n||pi_N) -> 2 psi(l/2) - psi(l) + Delta (ASY-8): exponent > 0, <= Delta, gap shrinking";

/// The ASY-8 limit `2 psi(l/2) - psi(l) + Delta` for the tilt enclosure `l`.
pub fn asy8_limit(lat: &WinLattice, l: &Enc, delta: &Rational, prec: u32) -> Enc {
    let half = l.mul_rational(&Rational::from((1, 2)), prec);
    lat.psi(&half, prec)
        .mul_rational(&Rational::from(2), prec)
        .sub(&lat.psi(l, prec), prec)
        .add(&Enc::from_rational(delta, prec), prec)
}

/// `D(phi^n || pi_N)` with `N = ceil(e^{n Delta})`, certified by the windows at `prec`
/// (the whole line when the windows cannot bound it at this precision).
pub fn reverse_kl_windowed(
    lat: &WinLattice,
    l: &Enc,
    n_psi1: &Enc,
    delta: &Rational,
    n: u64,
    prec: u32,
) -> Enc {
    let lam = Float::with_val(64, l.mid());
    let x = Rational::from(delta * n);
    let ne = match integer_n(&x, NRule::Ceil, 1 << 20) {
        Some(big_n) => Enc::from_integer(&big_n, prec),
        // N = ceil(e^x) has more than 2^20 bits: e^x <= N < e^x + 1 is all that enters
        None => {
            let e = Enc::from_rational(&x, prec).exp(prec);
            Enc::new(e.lo().clone(), e.add(&Enc::from_i64(1, prec), prec).hi().clone())
        }
    };
    let w = WindowLaw::new(lat, n, &lam, prec, WindowKnob::default());
    let ev = bon::eval(&w, &ne, prec);
    let n_psi = n_psi1.mul(&Enc::from_integer(&Integer::from(n), prec), prec);
    let phi = bon::ln_tilted(&w, &ev, l, &n_psi, prec);
    bon::kl_tilted_to_bon_source(&w, &ev, &phi, prec).unwrap_or_else(|| Enc::whole(prec))
}

/// `n |n gap - (1/2) ln n - b_8| <= ASY8_RATE_CONST` on the grid (`ASY-8.rate`).
pub const ASY8_RATE_CONST: i64 = 8;

/// The constant of the ASY-8 rate (derived in `proofs/windowed.md`, "ASY-8 at scale"):
/// `n (limit - (1/n) ln D(phi^n||pi_N)) = (1/2) ln n + b_8 + O(1/n)` with
/// `b_8 = -ln h + l h/2 + ln(1 - e^{-l h/2}) + (1/2) ln(4 pi psi''(l/2))`
/// (lattice Bahadur-Rao for the difference of a reference sum and a tilted sum at the half tilt;
/// `h` the lattice span). Example A: `0.471575`, Example B: `0.456670`.
pub fn asy8_rate_constant(case: &Case, l: &Enc, prec: u32) -> Enc {
    let h = crate::math::asymptotics::lattice_span(&case.tm);
    let half = l.mul_rational(&Rational::from((1, 2)), prec);
    let var = crate::math::tilt::eval(&case.tm, &half, prec).var;
    let lh2 = half.mul_rational(&h, prec);
    let he = Enc::from_rational(&h, prec);
    let four_pi_var = Enc::pi(prec)
        .mul_rational(&Rational::from(4), prec)
        .mul(&var, prec);
    he.ln(prec)
        .neg()
        .add(&lh2, prec)
        .add(&lh2.neg().expm1(prec).neg().ln(prec), prec)
        .add(
            &four_pi_var.ln(prec).mul_rational(&Rational::from((1, 2)), prec),
            prec,
        )
}

/// The grid of ASY-8 on a case: [`ASY8_GRID`] followed by the points of the case's grid past
/// 10240 (the decades of `check --n ...,decades:1e7`), whose reverse KL the grid series already
/// certified on the window route.
pub fn asy8_grid(case_grid: &[u64]) -> Vec<u64> {
    let mut g = ASY8_GRID.to_vec();
    g.extend(
        case_grid
            .iter()
            .copied()
            .filter(|&n| n > ASY8_GRID[ASY8_GRID.len() - 1]),
    );
    g
}

/// The ASY-8 claims on a case (none when the case has no asymptotic grid). `series` is the
/// case's grid series when it certified (its rows past 10240 give `D(phi^n || pi_N)` without a
/// second window computation).
pub fn asy8_claims(case: &Case, series: Option<&Series>, prec: u32) -> Result<Vec<Claim>> {
    if case.grid.is_empty() {
        return Ok(vec![]);
    }
    let Some(Optimum::Interior(l)) = optimum(&case.tm, &case.delta, prec) else {
        return Ok(vec![Claim::unknown("ASY-8", ST, prec)]);
    };
    let Some(lat) = WinLattice::new(case.model.probs(), &case.model.r) else {
        return Ok(vec![]);
    };
    let lim = asy8_limit(&lat, &l, &case.delta, prec);
    let zero = Value::Exact(Rational::new());
    let mut out = vec![
        strict("ASY-8.positive", ST, zero.clone(), Value::Real(lim.clone()), prec),
        // psi(l/2) <= psi(l)/2 (convexity, psi(0) = 0) gives limit <= Delta; strict for a
        // non-constant reward
        strict(
            "ASY-8.bound",
            ST,
            Value::Real(lim.clone()),
            Value::Exact(case.delta.clone()),
            prec,
        ),
    ];
    if lim.sign_certified() != Some(std::cmp::Ordering::Greater) {
        return Ok(out);
    }
    let psi1 = lat.psi(&l, prec);
    let grid = asy8_grid(&case.grid);
    let gaps: Vec<Enc> = grid
        .iter()
        .map(|&n| {
            let from_series = series
                .and_then(|s| s.rows.iter().find(|r| r.n == n))
                .and_then(|r| r.kl_rev.clone());
            let d = from_series.unwrap_or_else(|| reverse_kl_windowed(&lat, &l, &psi1, &case.delta, n, prec));
            let a = d.ln(prec).mul_rational(&Rational::from((1, n)), prec);
            lim.sub(&a, prec)
        })
        .collect();
    let mut cs = vec![strict("ASY-8.gap", ST, zero, Value::Real(gaps[0].clone()), prec)];
    for w in gaps.windows(2) {
        cs.push(strict(
            "ASY-8.gap",
            ST,
            Value::Real(w[1].clone()),
            Value::Real(w[0].clone()),
            prec,
        ));
    }
    out.push(
        combine("ASY-8.gap", ST, Kind::Inequality, cs)
            .unwrap_or_else(|| Claim::unknown("ASY-8.gap", ST, prec)),
    );
    // the rate: gap = (1/2) ln n / n + b_8 / n + O(1/n^2); the deviation shrinks and stays
    // below ASY8_RATE_CONST / n
    let b8 = asy8_rate_constant(case, &l, prec);
    let st_rate = format!(
        "ASY-8 rate: dev(n) = |n gap - (1/2) ln n - b_8| strictly decreases and n dev(n) <= {ASY8_RATE_CONST}, b_8 = -ln h + l h/2 + ln(1 - e^(-l h/2)) + (1/2) ln(4 pi psi''(l/2)), on {}",
        super::claim::grid_text(&grid)
    );
    let dev: Vec<Enc> = grid
        .iter()
        .zip(&gaps)
        .map(|(&n, g)| {
            let nr = Rational::from(n);
            super::claim::abs_enc(
                &g.mul_rational(&nr, prec)
                    .sub(
                        &super::claim::ln_n(n, prec).mul_rational(&Rational::from((1, 2)), prec),
                        prec,
                    )
                    .sub(&b8, prec),
            )
        })
        .collect();
    let mut rs: Vec<Claim> = dev
        .windows(2)
        .map(|w| {
            strict(
                "ASY-8.rate",
                &st_rate,
                Value::Real(w[1].clone()),
                Value::Real(w[0].clone()),
                prec,
            )
        })
        .collect();
    for (&n, d) in grid.iter().zip(&dev) {
        rs.push(super::claim::inequality(
            "ASY-8.rate",
            &st_rate,
            Value::Real(d.mul_rational(&Rational::from(n), prec)),
            Value::Exact(Rational::from(ASY8_RATE_CONST)),
            prec,
        ));
    }
    out.push(
        combine("ASY-8.rate", &st_rate, Kind::Inequality, rs)
            .unwrap_or_else(|| Claim::unknown("ASY-8.rate", &st_rate, prec)),
    );
    Ok(out)
}
