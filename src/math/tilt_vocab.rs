//! The rate functions and cumulants on vocabulary-size alphabets with many distinct rewards
//! (issue 15): the quantities [`super::large_deviations`] and [`super::tilt::cumulants`] read
//! (`psi`, `mu`, the centred moments), taken from the sums of one [`tilt_fast`] pass instead of
//! a full per-token evaluation each ([`super::tilt::eval_psi_mu`], [`super::tilt::eval`]).
//! Every function returns `None` when the fast path does not apply (fewer than
//! [`tilt_fast::FAST_MIN_TOKENS`] distinct rewards, `l <= 0` where a positive tilt is needed,
//! a failed certificate); the callers then take the reference path, so small models are
//! unchanged.

use super::tilt::{cumulants as cumulants_reference, cumulants_from_moments, fast_input, law_of, TiltModel};
use super::tilt_fast;
use crate::real::round::{add_up, fmax, mul_up};
use crate::real::Enc;
use rug::{Float, Rational};
use std::sync::Arc;

/// Largest cumulant order taken from the pass (the pass sums `order + 4` moments).
pub const FAST_MAX_ORDER: usize = 8;

/// The model the fast path runs on: the reward law (ties merged), when it has at least
/// [`tilt_fast::FAST_MIN_TOKENS`] distinct rewards and a non-constant reward.
fn large_law(m: &TiltModel) -> Option<&TiltModel> {
    let law = law_of(m).unwrap_or(m);
    (law.p.len() >= tilt_fast::FAST_MIN_TOKENS
        && !law.is_constant()
        && std::env::var_os("ALIGNEXACT_NO_FAST_ROOT").is_none())
    .then_some(law)
}

fn input(m: &TiltModel) -> tilt_fast::Input<'_> {
    fast_input(m)
}

/// Ask the fast path's later passes on this model to sum the moments that cumulants up to
/// `order` read ([`cumulants_fast`] then reads the optimum's own pass).
pub fn want_order(m: &TiltModel, order: usize) {
    if let Some(law) = large_law(m) {
        if order <= FAST_MAX_ORDER {
            law.fast.want_order(order);
        }
    }
}

/// `(passes kept, per-token data on the integer lattice)` for the model the fast path runs on
/// (for the tests of the reuse; `(0, false)` when the fast path does not apply).
pub fn fast_state(m: &TiltModel) -> (usize, bool) {
    large_law(m).map_or((0, false), |l| (l.fast.kept(), l.fast.on_lattice()))
}

/// A pass whose sums give the tilt over the enclosure `l` with moments up to `order`: a kept
/// one (the optimum's, [`tilt_fast::Cache::find`]) or a new [`tilt_fast::probe`] at `mid [l]`.
fn pass_near(law: &TiltModel, l: &Enc, order: usize, prec: u32) -> Option<Arc<tilt_fast::Root>> {
    if let Some(r) = law.fast.find(l, order, prec) {
        return Some(r);
    }
    let probe = tilt_fast::probe(&input(law), &l.mid(), order.saturating_sub(2), prec)?;
    Some(law.fast.keep(probe))
}

/// `(l(x), I_0(x))` for `x` strictly between `r_min` and `r_max`, `x != E_p r`: the root of
/// `r_max - mu(l) = r_max - x` by [`tilt_fast::solve`] (below the mean on the mirrored model,
/// `l(x; r) = -l(-x; -r)`, and `I_0` is the same there: `sup_t [t(-x) - psi(-t)]` is
/// `sup_s [s x - psi(s)]`), and the Legendre transform from the same pass (as
/// [`super::tilt::legendre`]: the concave `h(t) = t x - psi(t)` is at least `h(t0)` and at most
/// `h(t0) + |x - mu(t0)| (b - a)` for the maximiser in `[a, b]`).
pub fn rate_inside(m: &TiltModel, x: &Rational, prec: u32) -> Option<(Enc, Enc)> {
    let mean = &m.mean;
    if x == mean {
        return None;
    }
    let mirrored;
    let (mm, xm, flip) = if x < mean {
        mirrored = m.mirrored();
        (&mirrored, Rational::from(-x), true)
    } else {
        (m, x.clone(), false)
    };
    let law = large_law(mm)?;
    let target = Rational::from(&law.r_max - &xm);
    let root = law.fast.keep(tilt_fast::solve(
        &input(law),
        tilt_fast::Equation::MeanGap,
        &|p| Enc::from_rational(&target, p),
        prec,
    )?);
    let bracket = &root.root;
    let t0 = Enc::point(&bracket.mid());
    let (psi, mu) = root.psi_mu(&t0)?;
    let wp = t0.lo().prec().max(prec);
    let g = t0.mul_rational(&xm, wp).sub(&psi, wp);
    let slope = Enc::from_rational(&xm, wp).sub(&mu, wp);
    let sl = fmax(
        &Float::with_val(wp, slope.lo().abs_ref()),
        &Float::with_val(wp, slope.hi().abs_ref()),
    );
    let extra = mul_up(&sl, &bracket.width(), wp);
    let i0 = Enc::new(g.lo().clone(), add_up(g.hi(), &extra, wp)).clamp_nonneg(wp);
    let l = if flip { bracket.neg() } else { bracket.clone() };
    Some((l, i0))
}

/// `(psi(l0), mu([l]))` at `l0 = mid [l]` for `[l]` inside `l > 0`, from the optimum's pass when
/// `[l]` is its root (else one pass at `l0`) (for the mean-value form of
/// [`super::large_deviations::psi_minus_lx`]).
pub fn psi_mid_mu(m: &TiltModel, l: &Enc, prec: u32) -> Option<(Enc, Enc)> {
    if l.lo().cmp0() != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let law = large_law(m)?;
    let l0 = Enc::point(&l.mid());
    let probe = pass_near(law, l, 2, prec)?;
    let (psi0, _) = probe.psi_mu(&l0)?;
    let (_, mu) = probe.psi_mu(l)?;
    Some((psi0, mu))
}

/// Cumulants `kappa_1 .. kappa_order` of the reward under `phi_l`, for `l > 0`, from the centred
/// moments of the optimum's pass (or of one pass at `mid [l]`) ([`tilt_fast::Root::moments`]): the moment-cumulant
/// recursion of [`super::tilt::cumulants`] on `nu_j = E (g - g0)^j` (any centre: the cumulants
/// of order `>= 2` are shift-invariant and `k_1 = E (g - g0)`), then `kappa_1 = mu`,
/// `kappa_2 = sigma2 = nu_2 - nu_1^2 >= 0`, `kappa_j = (-1)^j k_j` (`r = r_max - g`).
pub fn cumulants_fast(m: &TiltModel, l: &Enc, order: usize, prec: u32) -> Option<Vec<Enc>> {
    if order == 0 || order > FAST_MAX_ORDER || l.lo().cmp0() != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let law = large_law(m)?;
    let probe = pass_near(law, l, order, prec)?;
    let (eg, nu) = probe.moments(l, order)?;
    let wp = eg.lo().prec();
    let mut out: Vec<Enc> = cumulants_from_moments(&nu, order, wp)
        .into_iter()
        .enumerate()
        .map(|(i, kj)| if (i + 1) % 2 == 1 { kj.neg() } else { kj })
        .collect();
    // kappa_1 = mu = r_max - E g
    out[0] = Enc::from_rational(&law.r_max, wp).sub(&eg, wp);
    if order >= 2 {
        // a variance is >= 0
        out[1] = nu[2].sub(&nu[1].square(wp), wp).clamp_nonneg(wp);
    }
    Some(out)
}

/// [`cumulants_fast`] where it applies, else [`super::tilt::cumulants`].
pub fn cumulants(m: &TiltModel, l: &Enc, order: usize, prec: u32) -> Vec<Enc> {
    cumulants_fast(m, l, order, prec).unwrap_or_else(|| cumulants_reference(m, l, order, prec))
}
