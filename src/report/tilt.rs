//! Result trees of `tilt`, `rate` and `cumulants` (field names of INTERFACE.md).

use super::{obj, Value};
use crate::math::large_deviations as ld;
use crate::math::tilt::{eval_without_deficit, optimum, optimum_eval, Budget, Optimum, TiltModel};
use crate::math::tilt_vocab;
use crate::real::Enc;
use rug::Rational;

/// An enclosure that the precision loop will reject, naming the quantity that needs more bits.
fn undecided(prec: u32) -> Value {
    Value::Real(Enc::whole(prec))
}

/// Exact variance `E r^2 - (E r)^2` of exact weights.
fn exact_variance(p: &[Rational], r: &[Rational]) -> Rational {
    let m: Rational = p.iter().zip(r).map(|(a, b)| Rational::from(a * b)).sum();
    let s: Rational = p.iter().zip(r).map(|(a, b)| Rational::from(a * b) * b).sum();
    s - Rational::from(&m * &m)
}

/// Add `"constant_reward": true` to a `tilt` result when the reward is constant on the support
/// (then `Delta_max = 0` and every tilt is `p`; the project reports `reference` with `l = 0` for
/// a budget, where a literal reading of TILT-1 would say `saturated`).
fn with_constant_flag(m: &TiltModel, v: Value) -> Value {
    match v {
        Value::Object(mut items) if m.is_constant() => {
            items.push(("constant_reward".into(), Value::Bool(true)));
            Value::Object(items)
        }
        other => other,
    }
}

/// `Z = e^psi`: one exponential when `psi` is of moderate size, else from the logarithm
/// ([`Value::ExpOf`], which needs `ln 10` at the working precision, an AGM logarithm that
/// costs more than the exponential at 100000 digits).
fn partition_value(psi: &Enc, prec: u32) -> Value {
    if psi.is_finite() && *psi.lo() > -1.0e15 && *psi.hi() < 1.0e15 {
        Value::Real(psi.exp(prec))
    } else {
        Value::ExpOf(psi.clone())
    }
}

/// The tilt resolved to a tilt parameter: `Some(l)` for a finite tilt, or the saturated case.
#[derive(Clone, Debug)]
pub enum Resolved {
    /// `l = 0` exactly.
    Zero,
    /// A finite tilt (enclosure).
    Finite(Enc),
    /// Saturated: `l = +inf`.
    Saturated,
}

/// Resolve a budget to a tilt parameter at `prec`; `None` when more precision is needed.
pub fn resolve(m: &TiltModel, b: &Budget, prec: u32) -> Option<Resolved> {
    Some(match b {
        Budget::Delta(d) => match optimum(m, d, prec)? {
            Optimum::Reference => Resolved::Zero,
            Optimum::Interior(l) => Resolved::Finite(l),
            Optimum::Saturated => Resolved::Saturated,
        },
        Budget::Lambda(l) => {
            if *l == 0 {
                Resolved::Zero
            } else {
                Resolved::Finite(Enc::from_rational(l, prec))
            }
        }
        Budget::ExpLambda(t) => {
            if *t == 1 {
                Resolved::Zero
            } else {
                Resolved::Finite(Enc::from_rational(t, prec).ln(prec))
            }
        }
    })
}

/// The result tree of `tilt` (TILT-1) at precision `prec`.
pub fn tilt_value(m: &TiltModel, b: &Budget, prec: u32) -> Value {
    let dmax = Value::Real(m.delta_max(prec));
    // a budget Delta on a vocabulary of distinct rewards: the root finder's own evaluation of
    // the tilt over the root enclosure (the same exponentials), when it has one
    let t0 = std::time::Instant::now();
    if crate::real::ziv::trace_on() {
        eprintln!(
            "[tilt] start (process CPU so far {:.2} s)",
            crate::math::tilt_fast::process_cpu()
        );
    }
    let (res, fast_eval) = match b {
        Budget::Delta(d) => match optimum_eval(m, d, prec) {
            None => (None, None),
            Some((Optimum::Reference, _)) => (Some(Resolved::Zero), None),
            Some((Optimum::Interior(l), ev)) => (Some(Resolved::Finite(l)), ev),
            Some((Optimum::Saturated, _)) => (Some(Resolved::Saturated), None),
        },
        _ => (resolve(m, b, prec), None),
    };
    if crate::real::ziv::trace_on() {
        eprintln!(
            "[tilt] optimum: {:.3} s (process CPU so far {:.2} s)",
            t0.elapsed().as_secs_f64(),
            crate::math::tilt_fast::process_cpu()
        );
    }
    let Some(res) = res else {
        return obj(vec![("lambda", undecided(prec))]);
    };
    let full = |v: Vec<Rational>| -> Vec<Value> {
        let mut out = vec![Value::Exact(Rational::new()); m.k];
        for (j, &i) in m.idx.iter().enumerate() {
            out[i] = Value::Exact(v[j].clone());
        }
        out
    };
    match res {
        Resolved::Zero => with_constant_flag(
            m,
            obj(vec![
                ("regime", Value::Str("reference".into())),
                ("lambda", Value::Exact(Rational::new())),
                ("delta", Value::Exact(Rational::new())),
                ("log_partition", Value::Exact(Rational::new())),
                ("partition", Value::Exact(Rational::from(1))),
                ("expected_reward", Value::Exact(m.mean.clone())),
                ("reward_variance", Value::Exact(exact_variance(&m.p, &m.r))),
                ("phi", Value::Array(full(m.p.clone()))),
                ("delta_max", dmax),
            ]),
        ),
        Resolved::Saturated => {
            let cond: Vec<Rational> =
                m.p.iter()
                    .zip(&m.r)
                    .map(|(p, r)| {
                        if *r == m.r_max {
                            Rational::from(p / &m.p_max)
                        } else {
                            Rational::new()
                        }
                    })
                    .collect();
            // the l -> +inf limits of psi(l) = l r_max + ln(p(A_max) + sum_{r < r_max} p e^{-l (r_max - r)})
            // and Z = e^psi: +inf for r_max > 0; ln p(A_max) and p(A_max) for r_max = 0;
            // -inf and 0 for r_max < 0
            let (log_z, z) = match m.r_max.cmp0() {
                std::cmp::Ordering::Greater => (
                    Value::Real(Enc::pos_infinity(prec)),
                    Value::Real(Enc::pos_infinity(prec)),
                ),
                std::cmp::Ordering::Equal => (
                    if m.p_max == 1 {
                        Value::Exact(Rational::new())
                    } else {
                        Value::Real(Enc::from_rational(&m.p_max, prec).ln(prec))
                    },
                    Value::Exact(m.p_max.clone()),
                ),
                std::cmp::Ordering::Less => (
                    Value::Real(Enc::pos_infinity(prec).neg()),
                    Value::Exact(Rational::new()),
                ),
            };
            obj(vec![
                ("regime", Value::Str("saturated".into())),
                ("lambda", Value::Real(Enc::pos_infinity(prec))),
                ("delta", dmax.clone()),
                ("log_partition", log_z),
                ("partition", z),
                ("expected_reward", Value::Exact(m.r_max.clone())),
                ("reward_variance", Value::Exact(Rational::new())),
                ("phi", Value::Array(full(cond))),
                ("delta_max", dmax),
            ])
        }
        Resolved::Finite(l) if m.is_constant() => {
            // constant reward: phi_l = p for every l, D(phi||p) = 0, psi(l) = l r exactly
            // (enclosures of these exact values could never certify the zeros)
            let r = m.r_max.clone();
            let (psi, z) = match b {
                Budget::Lambda(lr) => {
                    let psi = Rational::from(lr * &r);
                    (
                        Value::Exact(psi.clone()),
                        Value::ExpOf(Enc::from_rational(&psi, prec)),
                    )
                }
                _ => {
                    let psi = l.mul_rational(&r, prec);
                    (Value::Real(psi.clone()), Value::ExpOf(psi))
                }
            };
            // a finite tilt l != 0 of a constant reward: phi_l = p, but l is not 0, so the
            // regime is "interior" (TILT-1 with Delta_max = 0 is silent; see proofs/tilt.md)
            let lam = lambda_leaf(b, l);
            with_constant_flag(
                m,
                obj(vec![
                    ("regime", Value::Str("interior".into())),
                    ("lambda", lam),
                    ("delta", Value::Exact(Rational::new())),
                    ("log_partition", psi),
                    ("partition", z),
                    ("expected_reward", Value::Exact(r)),
                    ("reward_variance", Value::Exact(Rational::new())),
                    ("phi", Value::Array(full(m.p.clone()))),
                    ("delta_max", dmax),
                ]),
            )
        }
        Resolved::Finite(l) => {
            let e = match fast_eval {
                Some(e) => e,
                None => eval_without_deficit(m, &l, prec),
            };
            // exact phi when e^l = T is rational and the reward differences are integers
            let exact_phi = match b {
                Budget::ExpLambda(t) => exact_tilt(m, t),
                _ => None,
            };
            let delta = match b {
                // the constraint is tight at the optimum: D(phi || p) = Delta exactly (TILT-1)
                Budget::Delta(d) => Value::Exact(d.clone()),
                _ => Value::Real(e.kl.clone()),
            };
            let (mu, var, phi) = match &exact_phi {
                Some(ph) => (
                    Value::Exact(ph.iter().zip(&m.r).map(|(a, b)| Rational::from(a * b)).sum()),
                    Value::Exact(exact_variance(ph, &m.r)),
                    Value::Array(full(ph.clone())),
                ),
                None => (
                    Value::Real(e.mu.clone()),
                    Value::Real(e.var.clone()),
                    Value::Array(
                        m.scatter(&e.phi, prec)
                            .into_iter()
                            .map(|x| {
                                if x.is_exact_zero() {
                                    Value::Exact(Rational::new())
                                } else {
                                    Value::Real(x)
                                }
                            })
                            .collect(),
                    ),
                ),
            };
            let regime = "interior";
            obj(vec![
                ("regime", Value::Str(regime.into())),
                ("lambda", lambda_leaf(b, l.clone())),
                ("delta", delta),
                ("log_partition", Value::Real(e.psi.clone())),
                ("partition", partition_value(&e.psi, prec)),
                ("expected_reward", mu),
                ("reward_variance", var),
                ("phi", phi),
                ("delta_max", dmax),
            ])
        }
    }
}

/// `phi_l` exactly for `e^l = t` rational, when every `r_a - r_min` is an integer:
/// `phi_a = p_a t^{r_a - r_min} / sum_b p_b t^{r_b - r_min}`. `None` otherwise.
pub fn exact_tilt(m: &TiltModel, t: &Rational) -> Option<Vec<Rational>> {
    let mut w = Vec::with_capacity(m.p.len());
    for (pa, ra) in m.p.iter().zip(&m.r) {
        let d = Rational::from(ra - &m.r_min);
        if *d.denom() != 1 || *d.numer() > 100_000 {
            return None;
        }
        let e = d.numer().to_u32()?;
        let pw = Rational::from(rug::ops::Pow::pow(t, e));
        w.push(Rational::from(pa * &pw));
    }
    let z: Rational = w.iter().sum();
    Some(w.into_iter().map(|x| x / &z).collect())
}

/// `lambda_x` of `rate`: the root, or `+-inf` at the boundaries, or null outside.
fn lambda_x_value(m: &TiltModel, x: &Rational, l: Option<Enc>, prec: u32) -> Value {
    match (l, ld::position(m, x)) {
        (Some(l), _) => Value::Real(l),
        (None, ld::Position::AtMax) => Value::Real(Enc::pos_infinity(prec)),
        (None, ld::Position::AtMin) => Value::Real(Enc::pos_infinity(prec).neg()),
        _ => Value::Null,
    }
}

/// The tilt `lambda` of a result: the exact input when it was given as `--lambda` (an exact
/// echo is an exact leaf, INTERFACE.md), else the certified root or conversion `l`.
fn lambda_leaf(b: &Budget, l: Enc) -> Value {
    match b {
        Budget::Lambda(q) => Value::Exact(q.clone()),
        _ => Value::Real(l),
    }
}

/// The result tree of `rate` (LDP-1) at precision `prec`.
pub fn rate_value(m: &TiltModel, x: &Rational, b: Option<&Budget>, prec: u32) -> Value {
    let Some((l, i0)) = ld::rate_reference(m, x, prec) else {
        return obj(vec![("lambda_x", undecided(prec))]);
    };
    let mut fields = vec![
        ("lambda_x", lambda_x_value(m, x, l, prec)),
        ("rate_reference", Value::Real(i0.clone())),
    ];
    if let Some(b) = b {
        let Some(res) = resolve(m, b, prec) else {
            return obj(vec![("lambda", undecided(prec))]);
        };
        let (lam, ia) = match res {
            Resolved::Zero => (
                Value::Exact(Rational::new()),
                // I_Delta = I_0 at Delta = 0: the value above (same function, x and precision)
                Some(i0.clone()),
            ),
            // constant reward: the tilt is p itself, so I_Delta = I_0 (exactly 0 at r, +inf elsewhere)
            Resolved::Finite(l) if m.is_constant() => (lambda_leaf(b, l.clone()), Some(i0.clone())),
            // I_0(x) as computed above (the same function at the same x and precision)
            Resolved::Finite(l) => (
                lambda_leaf(b, l.clone()),
                Some(ld::rate_aligned_from(m, x, &i0, &l, prec)),
            ),
            Resolved::Saturated => (
                Value::Real(Enc::pos_infinity(prec)),
                Some(ld::rate_aligned_saturated(m, x, prec)),
            ),
        };
        let Some(ia) = ia else {
            return obj(vec![("rate_aligned", undecided(prec))]);
        };
        fields.push(("rate_aligned", Value::Real(ia)));
        fields.push(("lambda", lam));
    }
    obj(fields)
}

/// Exact cumulants `kappa_1..kappa_order` of the reward under exact weights `w` (moment-cumulant
/// recursion on raw moments).
pub fn exact_cumulants(w: &[Rational], r: &[Rational], order: usize) -> Vec<Rational> {
    let mut m = vec![Rational::from(1)];
    for j in 1..=order {
        m.push(
            w.iter()
                .zip(r)
                .map(|(a, b)| a * Rational::from(rug::ops::Pow::pow(b, j as u32)))
                .sum(),
        );
    }
    let mut k = vec![Rational::new()];
    let mut row = vec![Rational::from(1)];
    for n in 1..=order {
        if n > 1 {
            let mut next = vec![Rational::from(1); n];
            for j in 1..n - 1 {
                next[j] = Rational::from(&row[j - 1] + &row[j]);
            }
            row = next;
        }
        let mut kn = m[n].clone();
        for j in 1..n {
            kn -= Rational::from(&k[j] * &m[n - j]) * &row[j - 1];
        }
        k.push(kn);
    }
    k.into_iter().skip(1).collect()
}

/// True when the exact cumulants of the exact tilt `e^l = t` stay small: the moment-cumulant
/// recursion runs on rationals whose denominators reach `Z^order`, with `Z` of about
/// `bits(t) × span` bits (`span` the largest integer reward difference).
fn exact_cumulants_cheap(m: &TiltModel, t: &Rational, order: usize) -> bool {
    let span = Rational::from(&m.r_max - &m.r_min);
    let span = span.to_f64().max(1.0);
    let tb = (t.numer().significant_bits() + t.denom().significant_bits()) as f64;
    tb * span * order as f64 * order as f64 <= (1u64 << 22) as f64
}

/// The result tree of `cumulants` (LDP-3, LDP-4) at precision `prec`.
pub fn cumulants_value(
    m: &TiltModel,
    r_all: &[Rational],
    b: &Budget,
    order: usize,
    t: Option<&Rational>,
    prec: u32,
) -> Value {
    // the optimum's pass sums the moments these cumulants read
    tilt_vocab::want_order(m, order);
    let Some(res) = resolve(m, b, prec) else {
        return obj(vec![("lambda", undecided(prec))]);
    };
    let (lam, kap): (Value, Vec<Value>) = match &res {
        Resolved::Zero => (
            Value::Exact(Rational::new()),
            exact_cumulants(&m.p, &m.r, order)
                .into_iter()
                .map(Value::Exact)
                .collect(),
        ),
        Resolved::Saturated => {
            let mut v = vec![Value::Exact(m.r_max.clone())];
            v.extend((1..order).map(|_| Value::Exact(Rational::new())));
            (Value::Real(Enc::pos_infinity(prec)), v)
        }
        Resolved::Finite(l) => {
            let exact = match b {
                // exact cumulants have denominators up to Z^order (Z the tilt's normaliser):
                // past about 2^18 bits the exact recursion costs far more than certifying
                Budget::ExpLambda(t) if exact_cumulants_cheap(m, t, order) => exact_tilt(m, t),
                Budget::ExpLambda(_) => None,
                _ => None,
            };
            let v = match exact {
                Some(w) => exact_cumulants(&w, &m.r, order)
                    .into_iter()
                    .map(Value::Exact)
                    .collect(),
                None => tilt_vocab::cumulants(m, l, order, prec)
                    .into_iter()
                    .map(Value::Real)
                    .collect(),
            };
            (lambda_leaf(b, l.clone()), v)
        }
    };
    let mut fields = vec![("lambda", lam), ("cumulants", Value::Array(kap))];
    if let Some(t) = t {
        match &res {
            Resolved::Saturated => {
                fields.push(("scgf", Value::Exact(Rational::from(t * &m.r_max))));
                fields.push(("scgf_renyi", Value::Null));
            }
            Resolved::Zero | Resolved::Finite(_) => {
                let l = match &res {
                    Resolved::Finite(l) => l.clone(),
                    _ => Enc::zero(prec),
                };
                fields.push(("scgf", Value::Real(ld::scgf(m, &l, t, prec))));
                let [f1, f2, f3] = ld::scgf_renyi_forms(m, r_all, &l, t, prec);
                let opt = |f: Option<Enc>| f.map(Value::Real).unwrap_or(Value::Null);
                fields.push((
                    "scgf_renyi",
                    obj(vec![
                        ("reference_cross_entropy", opt(f1)),
                        ("aligned_cross_entropy", opt(f2)),
                        ("divergence", opt(f3)),
                    ]),
                ));
            }
        }
    }
    obj(fields)
}
