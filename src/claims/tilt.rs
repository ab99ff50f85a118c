//! Claims of MATH.md §2 and §5: the KL-constrained optimum (TILT-1 .. TILT-4) and the large
//! deviations of the reward (LDP-1, LDP-3, LDP-4), each with certified sides and margin.
//!
//! Every function takes the model, the budget (or tilt parameters), the points at which the
//! statement is checked, and the working precision `prec`, and returns [`Claim`]s decided as in
//! [`crate::claims`]. The two sides of each identity are computed by different routes (a direct
//! sum over the tilted vectors against a closed form in `psi`), so that an error in either route
//! shows up as a violated or undecided claim. Parameters outside a statement's hypotheses
//! (a budget that is not interior, `phi` not absolutely continuous w.r.t. `p`, `alpha = 1`, ...)
//! give [`Error::Input`]. Quantities that could not be certified at `prec` (a root that did not
//! certify) give an undecided claim, which [`crate::claims::settle`] resolves at higher precision.
//!
//! The derivations are in `proofs/tilt.md` and `proofs/large_deviations.md`.

use super::claim::{equality, inequality, Claim};
use crate::error::{Error, Result};
use crate::math::divergence::kl;
use crate::math::large_deviations as ld;
use crate::math::tilt::{eval, optimum, Optimum, TiltModel};
use crate::real::round::{add_up, fmax, mul_up};
use crate::real::value::Value;
use crate::real::Enc;
use rug::{Float, Rational};
use std::cmp::Ordering;

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/// `l_Delta` for a budget in the interior regime `0 < Delta < Delta_max` (TILT-1).
/// `Ok(Some(l))`: certified at `prec`; `Ok(None)`: the regime or the root could not be certified
/// at `prec` (more precision is needed); `Err`: the budget is not interior.
pub fn lambda_delta(m: &TiltModel, delta: &Rational, prec: u32) -> Result<Option<Enc>> {
    if *delta <= 0 || m.is_constant() {
        return Err(Error::input(format!(
            "the claim needs an interior budget 0 < Delta < Delta_max, got Delta = {delta}{}",
            if m.is_constant() {
                " with a constant reward (Delta_max = 0)"
            } else {
                ""
            }
        )));
    }
    match optimum(m, delta, prec) {
        None => Ok(None),
        Some(Optimum::Interior(l)) => Ok(Some(l)),
        Some(_) => Err(Error::input(format!(
            "the claim needs an interior budget 0 < Delta < Delta_max, got Delta = {delta} >= Delta_max"
        ))),
    }
}

/// `D(P || Q) = sum_a P_a ln(P_a / Q_a)` for enclosed vectors on the same support.
fn kl_enc(pv: &[Enc], qv: &[Enc], prec: u32) -> Enc {
    let terms: Vec<Enc> = pv.iter().zip(qv).map(|(a, b)| Enc::xlogxy(a, b, prec)).collect();
    Enc::sum(terms.iter(), prec)
}

/// `E_w r = sum_a w_a r_a` for enclosed weights on the support.
fn mean_enc(w: &[Enc], r: &[Rational], prec: u32) -> Enc {
    let terms: Vec<Enc> = w.iter().zip(r).map(|(a, b)| a.mul_rational(b, prec)).collect();
    Enc::sum(terms.iter(), prec)
}

/// The part of a full-alphabet vector on the support of `p`, after checking that it is a
/// probability vector with `phi << p`.
fn on_support(m: &TiltModel, phi: &[Rational]) -> Result<Vec<Rational>> {
    if phi.len() != m.k {
        return Err(Error::input(format!(
            "phi has {} entries but the alphabet has {}",
            phi.len(),
            m.k
        )));
    }
    if phi.iter().any(|q| *q < 0) || phi.iter().sum::<Rational>() != 1 {
        return Err(Error::input(
            "phi must be a probability vector (entries >= 0, sum exactly 1)",
        ));
    }
    let off: Rational = (0..m.k)
        .filter(|i| !m.idx.contains(i))
        .map(|i| phi[i].clone())
        .sum();
    if off != 0 {
        return Err(Error::input(
            "phi must be absolutely continuous w.r.t. p (phi = 0 where p = 0)",
        ));
    }
    Ok(m.idx.iter().map(|&i| phi[i].clone()).collect())
}

/// A deterministic pseudo-random probability vector `phi << p` on the full alphabet (exact
/// rationals with small denominators; some support tokens may get 0), from a splitmix64 stream
/// seeded with `seed`. For `check` and tests of TILT-1 and TILT-3.
pub fn seeded_phi(m: &TiltModel, seed: u64) -> Vec<Rational> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut w: Vec<u64> = m.idx.iter().map(|_| next() % 10).collect();
    if w.iter().all(|&x| x == 0) {
        let j = (next() % w.len() as u64) as usize;
        w[j] = 1;
    }
    let total: u64 = w.iter().sum();
    let mut out = vec![Rational::new(); m.k];
    for (j, &i) in m.idx.iter().enumerate() {
        out[i] = Rational::from((w[j], total));
    }
    out
}

/// Largest power of two `<= q` for a rational `q > 0`.
fn pow2_floor(q: &Rational) -> Rational {
    let mut e: i64 = q.numer().significant_bits() as i64 - q.denom().significant_bits() as i64;
    let p2 = |e: i64| -> Rational {
        if e >= 0 {
            Rational::from(rug::Integer::from(1) << (e as u32))
        } else {
            Rational::from((rug::Integer::from(1), rug::Integer::from(1) << ((-e) as u32)))
        }
    };
    while p2(e) > *q {
        e -= 1;
    }
    while p2(e + 1) <= *q {
        e += 1;
    }
    p2(e)
}

/// A certified rational lower bound of `Delta_max - Delta` (positive), independent of the
/// working precision of the claim (so that [`crate::claims::settle`] re-evaluates the same claim).
fn gap_lower_bound(m: &TiltModel, delta: &Rational) -> Option<Rational> {
    let mut bits = 64;
    while bits <= 1 << 16 {
        let g = m.delta_max(bits).sub(&Enc::from_rational(delta, bits), bits);
        if *g.lo() > 0 {
            return g.lo().to_rational();
        }
        bits *= 4;
    }
    None
}

/// The step of the finite-difference bracket of TILT-2: the largest power of two
/// `<= min(Delta, Delta_max - Delta) / 4` (so that `Delta +- h` stay interior).
pub fn default_step(m: &TiltModel, delta: &Rational) -> Option<Rational> {
    let gap = gap_lower_bound(m, delta)?;
    let smaller = if gap < *delta { gap } else { delta.clone() };
    let q = smaller / 4u32;
    Some(pow2_floor(&q))
}

fn real(e: Enc) -> Value {
    Value::Real(e)
}

// ---------------------------------------------------------------------------------------------
// TILT-1
// ---------------------------------------------------------------------------------------------

/// TILT-1 (tight constraint): `D(phi_{l_Delta} || p) = Delta`, the left side computed directly
/// as `sum_a phi_a ln(phi_a / p_a)` from the tilted vector.
pub fn tilt1_tight(m: &TiltModel, delta: &Rational, prec: u32) -> Result<Claim> {
    let id = "TILT-1.tight";
    let st = "D(phi_{l_Delta} || p) = Delta (the constraint is tight at the optimum)";
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok(Claim::unknown(id, st, prec));
    };
    let e = eval(m, &l, prec);
    let pe: Vec<Enc> = m.p.iter().map(|q| Enc::from_rational(q, prec)).collect();
    let lhs = kl_enc(&e.phi, &pe, prec);
    Ok(equality(id, st, real(lhs), Value::Exact(delta.clone()), prec))
}

/// TILT-1 (optimality), in the quantitative form given by TILT-3 at `l = l_Delta`: for every
/// `phi << p`, `E_phi r <= x* + (D(phi||p) - Delta) / l_Delta` (the gap is
/// `D(phi || phi_Delta) / l_Delta >= 0`). In particular `D(phi||p) <= Delta` implies
/// `E_phi r <= x*`.
pub fn tilt1_optimal(m: &TiltModel, delta: &Rational, phi: &[Rational], prec: u32) -> Result<Claim> {
    let id = "TILT-1.optimal";
    let st = "E_phi r <= x*(Delta) + (D(phi||p) - Delta) / l_Delta for phi << p";
    let ps = on_support(m, phi)?;
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok(Claim::unknown(id, st, prec));
    };
    let xs = eval(m, &l, prec).mu;
    let lhs: Rational = ps.iter().zip(&m.r).map(|(a, b)| Rational::from(a * b)).sum();
    let d = kl(&ps, &m.p, prec).sub(&Enc::from_rational(delta, prec), prec);
    let rhs = xs.add(&d.div(&l, prec), prec);
    Ok(inequality(id, st, Value::Exact(lhs), real(rhs), prec))
}

// ---------------------------------------------------------------------------------------------
// TILT-2
// ---------------------------------------------------------------------------------------------

/// TILT-2 (value of the dual): `(Delta + psi(l_Delta)) / l_Delta = x*(Delta) = mu(l_Delta)`.
pub fn tilt2_value(m: &TiltModel, delta: &Rational, prec: u32) -> Result<Claim> {
    let id = "TILT-2.value";
    let st = "(Delta + psi(l_Delta)) / l_Delta = x*(Delta)";
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok(Claim::unknown(id, st, prec));
    };
    let e = eval(m, &l, prec);
    let lhs = Enc::from_rational(delta, prec).add(&e.psi, prec).div(&l, prec);
    Ok(equality(id, st, real(lhs), real(e.mu), prec))
}

/// TILT-2 (the dual is minimised at `l_Delta`): `x*(Delta) <= (Delta + psi(l)) / l` at
/// `l = factor * l_Delta` for an exact `factor > 0`.
pub fn tilt2_min_near(m: &TiltModel, delta: &Rational, factor: &Rational, prec: u32) -> Result<Claim> {
    if *factor <= 0 {
        return Err(Error::input("TILT-2: the factor must be > 0"));
    }
    let id = "TILT-2.min";
    let st = format!("x*(Delta) <= (Delta + psi(l)) / l at l = {factor} l_Delta");
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok(Claim::unknown(id, &st, prec));
    };
    let xs = eval(m, &l, prec).mu;
    let lf = l.mul_rational(factor, prec);
    let rhs = Enc::from_rational(delta, prec)
        .add(&eval(m, &lf, prec).psi, prec)
        .div(&lf, prec);
    Ok(inequality(id, &st, real(xs), real(rhs), prec))
}

/// TILT-2 (weak duality at an arbitrary point): `x*(Delta) <= (Delta + psi(l)) / l` for an exact
/// `l > 0`.
pub fn tilt2_min_at(m: &TiltModel, delta: &Rational, l: &Rational, prec: u32) -> Result<Claim> {
    if *l <= 0 {
        return Err(Error::input("TILT-2: the dual is taken over l > 0"));
    }
    let id = "TILT-2.min";
    let st = format!("x*(Delta) <= (Delta + psi(l)) / l at l = {l}");
    let Some(ld) = lambda_delta(m, delta, prec)? else {
        return Ok(Claim::unknown(id, &st, prec));
    };
    let xs = eval(m, &ld, prec).mu;
    let le = Enc::from_rational(l, prec);
    let rhs = Enc::from_rational(delta, prec)
        .add(&eval(m, &le, prec).psi, prec)
        .div(&le, prec);
    Ok(inequality(id, &st, real(xs), real(rhs), prec))
}

/// TILT-2 (slope `dx*/dDelta = 1/l_Delta`), by a certified finite-difference bracket: `x*` is
/// concave in `Delta` (its derivative `1/l_Delta` decreases), so the secant slopes on the two
/// sides bracket the derivative:
/// `(x*(Delta+h) - x*(Delta)) / h <= 1/l_Delta <= (x*(Delta) - x*(Delta-h)) / h`.
/// Both `Delta - h > 0` and `Delta + h < Delta_max` are required.
pub fn tilt2_slope(m: &TiltModel, delta: &Rational, h: &Rational, prec: u32) -> Result<Vec<Claim>> {
    let st_up = format!("(x*(Delta+h) - x*(Delta)) / h <= 1/l_Delta, h = {h}");
    let st_dn = format!("1/l_Delta <= (x*(Delta) - x*(Delta-h)) / h, h = {h}");
    let (id_up, id_dn) = ("TILT-2.slope-right", "TILT-2.slope-left");
    if *h <= 0 || Rational::from(delta - h) <= 0 {
        return Err(Error::input(
            "TILT-2 slope: the step h must satisfy 0 < h < Delta",
        ));
    }
    let unknown = || {
        Ok(vec![
            Claim::unknown(id_up, &st_up, prec),
            Claim::unknown(id_dn, &st_dn, prec),
        ])
    };
    let (Some(l0), Some(lp), Some(lm)) = (
        lambda_delta(m, delta, prec)?,
        lambda_delta(m, &Rational::from(delta + h), prec)?,
        lambda_delta(m, &Rational::from(delta - h), prec)?,
    ) else {
        return unknown();
    };
    let (x0, xp, xm) = (
        eval(m, &l0, prec).mu,
        eval(m, &lp, prec).mu,
        eval(m, &lm, prec).mu,
    );
    let hinv = Rational::from(h.recip_ref());
    let right = xp.sub(&x0, prec).mul_rational(&hinv, prec);
    let left = x0.sub(&xm, prec).mul_rational(&hinv, prec);
    let inv = Enc::from_i64(1, prec).div(&l0, prec);
    Ok(vec![
        inequality(id_up, &st_up, real(right), real(inv.clone()), prec),
        inequality(id_dn, &st_dn, real(inv), real(left), prec),
    ])
}

/// TILT-2 (regularised problem, Gibbs variational principle): for `beta > 0` and `phi << p`,
/// `E_phi r - beta D(phi||p) <= beta psi(1/beta)`, with equality at `phi_{1/beta}`; the second
/// claim checks the equality with `D(phi_{1/beta} || p)` computed directly from the vector.
pub fn tilt2_regularised(m: &TiltModel, beta: &Rational, phi: &[Rational], prec: u32) -> Result<Vec<Claim>> {
    if *beta <= 0 {
        return Err(Error::input("TILT-2: beta must be > 0"));
    }
    let ps = on_support(m, phi)?;
    let l = Enc::from_rational(&Rational::from(beta.recip_ref()), prec);
    let e = eval(m, &l, prec);
    let bpsi = e.psi.mul_rational(beta, prec);
    let er: Rational = ps.iter().zip(&m.r).map(|(a, b)| Rational::from(a * b)).sum();
    let obj = Enc::from_rational(&er, prec).sub(&kl(&ps, &m.p, prec).mul_rational(beta, prec), prec);
    let pe: Vec<Enc> = m.p.iter().map(|q| Enc::from_rational(q, prec)).collect();
    let at_opt = mean_enc(&e.phi, &m.r, prec).sub(&kl_enc(&e.phi, &pe, prec).mul_rational(beta, prec), prec);
    Ok(vec![
        inequality(
            "TILT-2.regularised",
            &format!("E_phi r - beta D(phi||p) <= beta psi(1/beta), beta = {beta}"),
            real(obj),
            real(bpsi.clone()),
            prec,
        ),
        equality(
            "TILT-2.regularised-optimum",
            &format!("E_{{phi_l}} r - beta D(phi_l||p) = beta psi(l) at l = 1/beta, beta = {beta}"),
            real(at_opt),
            real(bpsi),
            prec,
        ),
    ])
}

/// TILT-2: the value, the minimum at `l_Delta (1 +- 1/10)` and the slope bracket with the
/// [`default_step`].
pub fn tilt2(m: &TiltModel, delta: &Rational, prec: u32) -> Result<Vec<Claim>> {
    let mut out = vec![
        tilt2_value(m, delta, prec)?,
        tilt2_min_near(m, delta, &Rational::from((9, 10)), prec)?,
        tilt2_min_near(m, delta, &Rational::from((11, 10)), prec)?,
    ];
    // the budget is interior here (lambda_delta accepted it), so the step exists
    let h = default_step(m, delta).ok_or_else(|| Error::input("TILT-2: Delta is too close to Delta_max"))?;
    out.extend(tilt2_slope(m, delta, &h, prec)?);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// TILT-3
// ---------------------------------------------------------------------------------------------

/// TILT-3 (Pythagorean identity) at an exact tilt `l`: for `phi << p`,
/// `D(phi || phi_l) = D(phi||p) - l E_phi r + psi(l)`. The left side is summed directly over the
/// tilted vector; the right side uses the exact `D(phi||p)` ratios, the exact mean and `psi`.
pub fn tilt3(m: &TiltModel, phi: &[Rational], l: &Rational, prec: u32) -> Result<Claim> {
    let ps = on_support(m, phi)?;
    let le = Enc::from_rational(l, prec);
    let e = eval(m, &le, prec);
    let pe: Vec<Enc> = ps.iter().map(|q| Enc::from_rational(q, prec)).collect();
    let lhs = kl_enc(&pe, &e.phi, prec);
    let er: Rational = ps.iter().zip(&m.r).map(|(a, b)| Rational::from(a * b)).sum();
    let rhs = kl(&ps, &m.p, prec)
        .sub(&le.mul_rational(&er, prec), prec)
        .add(&e.psi, prec);
    Ok(equality(
        "TILT-3",
        &format!("D(phi || phi_l) = D(phi||p) - l E_phi r + psi(l), l = {l}"),
        real(lhs),
        real(rhs),
        prec,
    ))
}

/// TILT-3 at `l = l_Delta`: `D(phi || phi_Delta) = [D(phi||p) - Delta] + l_Delta [x* - E_phi r]`.
pub fn tilt3_at_budget(m: &TiltModel, phi: &[Rational], delta: &Rational, prec: u32) -> Result<Claim> {
    let id = "TILT-3.budget";
    let st = "D(phi || phi_Delta) = [D(phi||p) - Delta] + l_Delta [x* - E_phi r]";
    let ps = on_support(m, phi)?;
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok(Claim::unknown(id, st, prec));
    };
    let e = eval(m, &l, prec);
    let pe: Vec<Enc> = ps.iter().map(|q| Enc::from_rational(q, prec)).collect();
    let lhs = kl_enc(&pe, &e.phi, prec);
    let er: Rational = ps.iter().zip(&m.r).map(|(a, b)| Rational::from(a * b)).sum();
    let e1 = kl(&ps, &m.p, prec).sub(&Enc::from_rational(delta, prec), prec);
    let e2 = e.mu.sub(&Enc::from_rational(&er, prec), prec);
    let rhs = e1.add(&l.mul(&e2, prec), prec);
    Ok(equality(id, st, real(lhs), real(rhs), prec))
}

// ---------------------------------------------------------------------------------------------
// TILT-4
// ---------------------------------------------------------------------------------------------

/// TILT-4 (KL within the family): `D(phi_a || phi_b) = (a - b) psi'(a) - psi(a) + psi(b)`, the
/// left side summed directly over the two tilted vectors. `a`, `b` are enclosures (exact
/// rationals or certified roots).
pub fn tilt4_family(m: &TiltModel, a: &Enc, b: &Enc, prec: u32) -> Claim {
    let (ea, eb) = (eval(m, a, prec), eval(m, b, prec));
    let lhs = kl_enc(&ea.phi, &eb.phi, prec);
    let rhs = a
        .sub(b, prec)
        .mul(&ea.mu, prec)
        .sub(&ea.psi, prec)
        .add(&eb.psi, prec);
    equality(
        "TILT-4.family",
        "D(phi_a || phi_b) = (a - b) psi'(a) - psi(a) + psi(b)",
        real(lhs),
        real(rhs),
        prec,
    )
}

/// TILT-4 (reverse KL to the reference): `D(p || phi_l) = psi(l) - l E_p r`.
pub fn tilt4_reference(m: &TiltModel, l: &Enc, prec: u32) -> Claim {
    let e = eval(m, l, prec);
    let pe: Vec<Enc> = m.p.iter().map(|q| Enc::from_rational(q, prec)).collect();
    let lhs = kl_enc(&pe, &e.phi, prec);
    let rhs = e.psi.sub(&l.mul_rational(&m.mean, prec), prec);
    equality(
        "TILT-4.reference",
        "D(p || phi_l) = psi(l) - l E_p r",
        real(lhs),
        real(rhs),
        prec,
    )
}

/// TILT-4 (Rényi): `D_alpha(phi_l || p) = (psi(alpha l) - alpha psi(l)) / (alpha - 1)` for
/// `alpha > 0`, `alpha != 1`; the left side is `ln(sum phi^alpha p^{1-alpha}) / (alpha - 1)`
/// computed from the vector.
pub fn tilt4_renyi(m: &TiltModel, l: &Enc, alpha: &Rational, prec: u32) -> Result<Claim> {
    if *alpha <= 0 || *alpha == 1 {
        return Err(Error::input("TILT-4: the Renyi order alpha must be > 0 and != 1"));
    }
    let e = eval(m, l, prec);
    let al = Enc::from_rational(alpha, prec);
    let lhs = ld::renyi_divergence_enc(&e.phi, &m.p, &al, prec);
    let psi_al = eval(m, &l.mul_rational(alpha, prec), prec).psi;
    let am1 = Rational::from(alpha - 1u32);
    let rhs = psi_al
        .sub(&e.psi.mul_rational(alpha, prec), prec)
        .mul_rational(&Rational::from(am1.recip_ref()), prec);
    Ok(equality(
        "TILT-4.renyi",
        &format!("D_alpha(phi_l || p) = (psi(alpha l) - alpha psi(l)) / (alpha - 1), alpha = {alpha}"),
        real(lhs),
        real(rhs),
        prec,
    ))
}

/// TILT-4 at the optimum: the family identity between `l_Delta` and `l_Delta / 2` (both ways),
/// the reverse KL at `l_Delta`, and the Rényi identity at `l_Delta` for `alpha = 1/2, 2`.
pub fn tilt4(m: &TiltModel, delta: &Rational, prec: u32) -> Result<Vec<Claim>> {
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok(vec![Claim::unknown("TILT-4", "TILT-4 at l_Delta", prec)]);
    };
    let half = l.mul_rational(&Rational::from((1, 2)), prec);
    Ok(vec![
        tilt4_family(m, &l, &half, prec),
        tilt4_family(m, &half, &l, prec),
        tilt4_reference(m, &l, prec),
        tilt4_renyi(m, &l, &Rational::from((1, 2)), prec)?,
        tilt4_renyi(m, &l, &Rational::from(2), prec)?,
    ])
}

// ---------------------------------------------------------------------------------------------
// LDP-1
// ---------------------------------------------------------------------------------------------

/// `sup_t [t x - Lambda_Delta(t)]`, `Lambda_Delta(t) = psi(l_Delta + t) - psi(l_Delta)`, from the
/// bracket `T = [l(x)] - [l_Delta]` of the maximiser `t* = l(x) - l_Delta` (LDP-1, sup form).
///
/// `g(t) = t x - Lambda_Delta(t)` is concave; at the exact point `t0 = mid T`:
/// `g(t0) <= sup g = g(t*) <= g(t0) + g'(t0)(t* - t0) <= g(t0) + |x - mu(l_Delta + t0)| width(T)`
/// (tangent line of a concave function), for every `l_Delta` in its enclosure.
pub fn aligned_legendre(m: &TiltModel, x: &Rational, l_delta: &Enc, lx: &Enc, prec: u32) -> Enc {
    let tb = lx.sub(l_delta, prec);
    let t0 = Enc::point(&tb.mid());
    let es = eval(m, &l_delta.add(&t0, prec), prec);
    let lam = es.psi.sub(&eval(m, l_delta, prec).psi, prec);
    let g = t0.mul_rational(x, prec).sub(&lam, prec);
    let slope = Enc::from_rational(x, prec).sub(&es.mu, prec);
    let sl = fmax(
        &Float::with_val(prec, slope.lo().abs_ref()),
        &Float::with_val(prec, slope.hi().abs_ref()),
    );
    let extra = mul_up(&sl, &tb.width(), prec);
    Enc::new(g.lo().clone(), add_up(g.hi(), &extra, prec))
}

/// LDP-1 at a point `x` strictly between `r_min` and `r_max`:
/// - `LDP-1.reference`: `I_0(x)` (the crate's Legendre bound) `= D(phi_{l(x)} || p)` (direct sum);
/// - `LDP-1.sup`: `sup_t [t x - Lambda_Delta(t)]` ([`aligned_legendre`]) `= D(phi_{l(x)} || phi_{l_Delta})`;
/// - `LDP-1.closed`: `I_0(x) - Delta - l_Delta (x - x*) = D(phi_{l(x)} || phi_{l_Delta})`;
/// - `LDP-1.aligned`: the crate's `I_Delta(x)` (`rate_aligned`) `= D(phi_{l(x)} || phi_{l_Delta})`.
///
/// The KL form is the one TILT-4 gives for `a = l(x)`, `b = l_Delta`; it is summed directly
/// over the two tilted vectors.
pub fn ldp1_forms(m: &TiltModel, delta: &Rational, x: &Rational, prec: u32) -> Result<Vec<Claim>> {
    if *x <= m.r_min || *x >= m.r_max {
        return Err(Error::input(format!(
            "LDP-1: x must lie strictly between r_min and r_max, got {x}"
        )));
    }
    let ids = ["LDP-1.reference", "LDP-1.sup", "LDP-1.closed", "LDP-1.aligned"];
    let sts = [
        format!("I_0(x) = D(phi_l(x) || p), x = {x}"),
        format!("sup_t [t x - Lambda_Delta(t)] = D(phi_l(x) || phi_l_Delta), x = {x}"),
        format!("I_0(x) - Delta - l_Delta (x - x*) = D(phi_l(x) || phi_l_Delta), x = {x}"),
        format!("I_Delta(x) = D(phi_l(x) || phi_l_Delta), x = {x}"),
    ];
    let unknown =
        || -> Result<Vec<Claim>> { Ok((0..4).map(|i| Claim::unknown(ids[i], &sts[i], prec)).collect()) };
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return unknown();
    };
    let (Some((Some(lx), i0)), Some(ia)) = (ld::rate_reference(m, x, prec), ld::rate_aligned(m, x, &l, prec))
    else {
        return unknown();
    };
    let ex = eval(m, &lx, prec);
    let el = eval(m, &l, prec);
    let pe: Vec<Enc> = m.p.iter().map(|q| Enc::from_rational(q, prec)).collect();
    let kl0 = kl_enc(&ex.phi, &pe, prec);
    let kld = kl_enc(&ex.phi, &el.phi, prec);
    let sup = aligned_legendre(m, x, &l, &lx, prec);
    let closed = i0
        .sub(&Enc::from_rational(delta, prec), prec)
        .sub(&l.mul(&Enc::from_rational(x, prec).sub(&el.mu, prec), prec), prec);
    Ok(vec![
        equality(ids[0], &sts[0], real(i0), real(kl0), prec),
        equality(ids[1], &sts[1], real(sup), real(kld.clone()), prec),
        equality(ids[2], &sts[2], real(closed), real(kld.clone()), prec),
        equality(ids[3], &sts[3], real(ia), real(kld), prec),
    ])
}

/// The enclosure of `x* = mu(l_Delta)` clipped to `[E_p r, r_max]` (where the true `x*` lies for
/// `Delta >= 0`), as exact rational endpoints.
fn x_star_bracket(m: &TiltModel, l: &Enc, prec: u32) -> Option<(Rational, Rational)> {
    let xs = eval(m, l, prec).mu;
    let mut a = xs.lo().to_rational()?;
    let mut b = xs.hi().to_rational()?;
    if a < m.mean {
        a = m.mean.clone();
    }
    if b > m.r_max {
        b = m.r_max.clone();
    }
    if a > b {
        return None;
    }
    Some((a, b))
}

/// LDP-1 (`I_0(x*(Delta)) = Delta`), evaluated on the enclosure `[a, b]` of `x*` by monotonicity:
/// `I_0' = l(x) >= 0` on `[E_p r, r_max]`, so `I_0(x*) in [I_0(a), I_0(b)]` with `I_0` at the two
/// exact endpoints from the crate's rate function.
pub fn ldp1_level(m: &TiltModel, delta: &Rational, prec: u32) -> Result<Claim> {
    let id = "LDP-1.level";
    let st = "I_0(x*(Delta)) = Delta";
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok(Claim::unknown(id, st, prec));
    };
    let Some((a, b)) = x_star_bracket(m, &l, prec) else {
        return Ok(Claim::unknown(id, st, prec));
    };
    let (Some((_, ia)), Some((_, ib))) = (ld::rate_reference(m, &a, prec), ld::rate_reference(m, &b, prec))
    else {
        return Ok(Claim::unknown(id, st, prec));
    };
    let lhs = Enc::new(ia.lo().clone(), ib.hi().clone());
    Ok(equality(id, st, real(lhs), Value::Exact(delta.clone()), prec))
}

/// LDP-1 (`I_Delta(x*) = 0`), on the enclosure `[a, b]` of `x*`: `I_Delta` is convex with
/// `I_Delta' = l(x) - l_Delta`, so on `[a, b]` it is at most `max(I_Delta(a), I_Delta(b))` and,
/// by the tangent at each endpoint `e`, at least `I_Delta(e) - |l(e) - l_Delta| (b - a)`; it is
/// also `>= 0` (take `t = 0` in the sup). Compared with 0 under the absolute tolerance.
pub fn ldp1_zero(m: &TiltModel, delta: &Rational, prec: u32) -> Result<Claim> {
    let id = "LDP-1.zero";
    let st = "I_Delta(x*(Delta)) = 0";
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok(Claim::unknown(id, st, prec));
    };
    let Some((a, b)) = x_star_bracket(m, &l, prec) else {
        return Ok(Claim::unknown(id, st, prec));
    };
    let w = Enc::from_rational(&Rational::from(&b - &a), prec);
    let mut lo = Float::with_val(prec, 0);
    let mut hi = Float::with_val(prec, 0);
    for e in [&a, &b] {
        let (Some((Some(le), _)), Some(ie)) =
            (ld::rate_reference(m, e, prec), ld::rate_aligned(m, e, &l, prec))
        else {
            return Ok(Claim::unknown(id, st, prec));
        };
        let d = le.sub(&l, prec);
        let dmax = fmax(
            &Float::with_val(prec, d.lo().abs_ref()),
            &Float::with_val(prec, d.hi().abs_ref()),
        );
        let tangent = ie.sub(&Enc::point(&dmax).mul(&w, prec), prec);
        lo = fmax(&lo, tangent.lo());
        hi = fmax(&hi, ie.hi());
    }
    if lo > hi {
        // the rigorous lower bound exceeds the rigorous upper bound: some input is wrong
        hi = lo.clone();
    }
    Ok(equality(
        id,
        st,
        real(Enc::new(lo, hi)),
        Value::Exact(Rational::new()),
        prec,
    ))
}

/// LDP-1 at the top of the support: `I_Delta(r_max) = -ln phi_{l_Delta}(A_max)` (the right side
/// summed from the tilted vector) and `I_0(r_max) = -ln p(A_max)`.
pub fn ldp1_boundary(m: &TiltModel, delta: &Rational, prec: u32) -> Result<Vec<Claim>> {
    let (id, st) = ("LDP-1.boundary", "I_Delta(r_max) = -ln phi_{l_Delta}(A_max)");
    let (id0, st0) = ("LDP-1.boundary-reference", "I_0(r_max) = -ln p(A_max)");
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok(vec![Claim::unknown(id, st, prec), Claim::unknown(id0, st0, prec)]);
    };
    let (Some((_, i0)), Some(ia)) = (
        ld::rate_reference(m, &m.r_max, prec),
        ld::rate_aligned(m, &m.r_max, &l, prec),
    ) else {
        return Ok(vec![Claim::unknown(id, st, prec), Claim::unknown(id0, st0, prec)]);
    };
    let e = eval(m, &l, prec);
    let top: Vec<&Enc> = e
        .phi
        .iter()
        .zip(&m.r)
        .filter(|(_, r)| **r == m.r_max)
        .map(|(f, _)| f)
        .collect();
    let rhs = Enc::sum(top, prec).ln(prec).neg();
    let p_top: Rational =
        m.p.iter()
            .zip(&m.r)
            .filter(|(_, r)| **r == m.r_max)
            .map(|(q, _)| q.clone())
            .sum();
    let rhs0 = Enc::from_rational(&p_top, prec).ln(prec).neg();
    Ok(vec![
        equality(id, st, real(ia), real(rhs), prec),
        equality(id0, st0, real(i0), real(rhs0), prec),
    ])
}

// ---------------------------------------------------------------------------------------------
// LDP-3 and LDP-4
// ---------------------------------------------------------------------------------------------

/// `psi(l + t) - psi(l)` evaluated directly (two evaluations and a subtraction).
fn scgf_direct(m: &TiltModel, l: &Enc, t: &Rational, prec: u32) -> Enc {
    let s = l.add(&Enc::from_rational(t, prec), prec);
    eval(m, &s, prec).psi.sub(&eval(m, l, prec).psi, prec)
}

/// LDP-3 at the optimum: the crate's `Lambda_Delta(t)` (mean-value form) equals
/// `psi(l_Delta + t) - psi(l_Delta)` evaluated directly; and the slope at 0 is the mean, by the
/// convexity bracket `(Lambda(0) - Lambda(-h))/h <= x* <= (Lambda(h) - Lambda(0))/h` with
/// `h = t` (`Lambda(0) = 0`). Needs `t > 0`.
pub fn ldp3(m: &TiltModel, delta: &Rational, t: &Rational, prec: u32) -> Result<Vec<Claim>> {
    if *t <= 0 {
        return Err(Error::input("LDP-3: t must be > 0"));
    }
    let ids = ["LDP-3.scgf", "LDP-3.slope-right", "LDP-3.slope-left"];
    let sts = [
        format!("Lambda_Delta(t) = psi(l_Delta + t) - psi(l_Delta), t = {t}"),
        format!("x* <= Lambda_Delta(h) / h, h = {t}"),
        format!("-Lambda_Delta(-h) / h <= x*, h = {t}"),
    ];
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok((0..3).map(|i| Claim::unknown(ids[i], &sts[i], prec)).collect());
    };
    let lib = ld::scgf(m, &l, t, prec);
    let direct = scgf_direct(m, &l, t, prec);
    let xs = eval(m, &l, prec).mu;
    let tinv = Rational::from(t.recip_ref());
    let right = lib.mul_rational(&tinv, prec);
    let left = ld::scgf(m, &l, &Rational::from(-t), prec)
        .mul_rational(&tinv, prec)
        .neg();
    Ok(vec![
        equality(ids[0], &sts[0], real(lib), real(direct), prec),
        inequality(ids[1], &sts[1], real(xs.clone()), real(right), prec),
        inequality(ids[2], &sts[2], real(left), real(xs), prec),
    ])
}

/// LDP-4: the three Rényi expressions of the scaled CGF (the crate's `scgf_renyi_forms`) each
/// equal `psi(l_Delta + t) - psi(l_Delta)` evaluated directly:
/// 1. `psi(s) = s ln C - s H_{1+s}(p; q_r)` at `s = l_Delta + t` and `s = l_Delta`;
/// 2. `Lambda_Delta(t) = t ln C - t H_{1+t}(phi_Delta; q_r)`;
/// 3. `Lambda_Delta(t) = (t / l_Delta) [psi(l_Delta) + D_{1+t/l_Delta}(phi_Delta || p)]`, only for
///    `t > -l_Delta` (the form is omitted when `t < -l_Delta` is certified).
///
/// `r_all` are the rewards on the whole alphabet (they define `q_r`; `C` cancels). `t != 0`.
pub fn ldp4(
    m: &TiltModel,
    r_all: &[Rational],
    delta: &Rational,
    t: &Rational,
    prec: u32,
) -> Result<Vec<Claim>> {
    if *t == 0 {
        return Err(Error::input("LDP-4: the Renyi forms need t != 0"));
    }
    let ids = [
        "LDP-4.reference-cross-entropy",
        "LDP-4.aligned-cross-entropy",
        "LDP-4.divergence",
    ];
    let sts = [
        format!("psi(s) = s ln C - s H_(1+s)(p; q_r) gives Lambda_Delta(t), t = {t}"),
        format!("Lambda_Delta(t) = t ln C - t H_(1+t)(phi_Delta; q_r), t = {t}"),
        format!("Lambda_Delta(t) = (t/l_Delta) [psi(l_Delta) + D_(1+t/l_Delta)(phi_Delta || p)], t = {t}"),
    ];
    let Some(l) = lambda_delta(m, delta, prec)? else {
        return Ok((0..3).map(|i| Claim::unknown(ids[i], &sts[i], prec)).collect());
    };
    let direct = scgf_direct(m, &l, t, prec);
    let forms = ld::scgf_renyi_forms(m, r_all, &l, t, prec);
    let below = Enc::from_rational(t, prec).cmp_certified(&l.neg()) == Some(Ordering::Less);
    let mut out = Vec::new();
    for (i, f) in forms.into_iter().enumerate() {
        if i == 2 && below {
            continue;
        }
        out.push(match f {
            Some(f) => equality(ids[i], &sts[i], real(f), real(direct.clone()), prec),
            None => Claim::unknown(ids[i], &sts[i], prec),
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// all of them
// ---------------------------------------------------------------------------------------------

/// Every claim of this module for one model and an interior budget, at default points:
/// `phi = seeded_phi(m, seed)`, `x` halfway between `E_p r` and `r_max` and halfway between
/// `r_min` and `E_p r`, `t = 1/2` and `t = -1/4`, `l = 1` and `l = -1/2` for TILT-3,
/// `beta = 1/2` for the regularised problem.
pub fn standard(
    m: &TiltModel,
    r_all: &[Rational],
    delta: &Rational,
    seed: u64,
    prec: u32,
) -> Result<Vec<Claim>> {
    let phi = seeded_phi(m, seed);
    let mut out = vec![tilt1_tight(m, delta, prec)?, tilt1_optimal(m, delta, &phi, prec)?];
    out.extend(tilt2(m, delta, prec)?);
    out.extend(tilt2_regularised(m, &Rational::from((1, 2)), &phi, prec)?);
    out.push(tilt3(m, &phi, &Rational::from(1), prec)?);
    out.push(tilt3(m, &phi, &Rational::from((-1, 2)), prec)?);
    out.push(tilt3_at_budget(m, &phi, delta, prec)?);
    out.extend(tilt4(m, delta, prec)?);
    let two = Rational::from(2);
    let hi = Rational::from(&m.mean + &m.r_max) / &two;
    let lo = Rational::from(&m.mean + &m.r_min) / &two;
    out.extend(ldp1_forms(m, delta, &hi, prec)?);
    out.extend(ldp1_forms(m, delta, &lo, prec)?);
    out.push(ldp1_level(m, delta, prec)?);
    out.push(ldp1_zero(m, delta, prec)?);
    out.extend(ldp1_boundary(m, delta, prec)?);
    out.extend(ldp3(m, delta, &Rational::from((1, 2)), prec)?);
    out.extend(ldp4(m, r_all, delta, &Rational::from((1, 2)), prec)?);
    out.extend(ldp4(m, r_all, delta, &Rational::from((-1, 4)), prec)?);
    Ok(out)
}
