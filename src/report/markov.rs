//! Result trees for reference models with memory (MATH.md §10): `compare`, `tilt`, `rate` and
//! `cumulants` of a Markov chain. Limit quantities (MKV-3/4) that do not exist for the chain are
//! `null`, with a note naming the field in the result's `notes` array.

use super::best_of_n::{compare_value, SampleCount};
use super::{obj, Value};
use crate::exact::level_law::LevelLaw;
use crate::math::best_of_n::Levels;
use crate::math::level_source::{LevelSource, SeqOptimum};
use crate::math::markov::{
    delta_max_limit, doob, l_delta, lambda_of_x, legendre, level_tilt_model, perron_eval, ChainTilt, Limit,
};
use crate::math::tilt::Budget;
use crate::real::Enc;
use crate::results::compare::compare_value_with;
use rug::Rational;

/// A limit that needs more precision is reported as the whole line (never certified, so the
/// precision loop raises the precision); an absent one as `Err(note)`.
fn need<T>(x: Limit<Option<T>>, whole: T) -> Limit<T> {
    x.map(|o| o.unwrap_or(whole))
}

/// Where a budget sits against the limit's `Delta_max` (MKV-3).
enum LimitRegime {
    /// No limit (reducible or periodic chain; the callers' notes say why).
    Absent,
    /// `Delta >= Delta_max`: the optimum is the `l -> inf` limit, on the max-mean cycles, with
    /// reward `lambda*` (exact).
    Saturated(Rational),
    /// `0 <= Delta < Delta_max`.
    Interior,
    /// Not decided at this precision (raise it).
    Unknown,
}

/// The limit's `Delta_max` as a result leaf, and the regime of `delta` (none without a budget).
fn limit_regime(ct: &ChainTilt, delta: Option<&Rational>, prec: u32) -> (Value, LimitRegime) {
    match delta_max_limit(ct, prec) {
        Err(_) => (Value::Null, LimitRegime::Absent),
        Ok(None) => (Value::Real(Enc::whole(prec)), LimitRegime::Unknown),
        Ok(Some((dm, mean))) => {
            let v = if dm.is_exact_zero() {
                Value::Exact(Rational::new())
            } else {
                Value::Real(dm.clone())
            };
            let regime = match delta {
                None => LimitRegime::Interior,
                Some(d) if *d == 0 => LimitRegime::Interior,
                Some(d) => match Enc::from_rational(d, prec).cmp_certified(&dm) {
                    Some(std::cmp::Ordering::Less) => LimitRegime::Interior,
                    Some(_) => LimitRegime::Saturated(mean),
                    // Delta_max = -ln(algebraic) is never a non-zero rational (Lindemann), so
                    // more precision decides
                    None => {
                        if dm.is_exact_zero() {
                            LimitRegime::Saturated(mean)
                        } else {
                            LimitRegime::Unknown
                        }
                    }
                },
            };
            (v, regime)
        }
    }
}

const SATURATED_NOTE: &str = "the budget is at or above the limit's Delta_max (delta_max, delta_max_limit): the limit optimum is the l -> inf limit of the tilted chain, which lives on the cycles of maximal mean reward; its per-token reward is that maximal cycle mean, exactly";

fn notes_value(notes: &[String]) -> Value {
    Value::Array(notes.iter().map(|s| Value::Str(s.clone())).collect())
}

fn set(items: &mut [(String, Value)], key: &str, v: Value) {
    if let Some(slot) = items.iter_mut().find(|(k, _)| k == key) {
        slot.1 = v;
    }
}

/// `v / n` for a result leaf (exact, certified, or `e^x`).
fn per_token(v: &Value, n: u64, prec: u32) -> Value {
    let nr = Rational::from(n);
    match v {
        Value::Exact(q) => Value::Exact(Rational::from(q / &nr)),
        Value::Real(e) if e.is_pos_infinity() => Value::Real(e.clone()),
        Value::Real(e) => Value::Real(e.mul_rational(&Rational::from((1, n)), prec)),
        Value::ExpOf(x) => Value::ExpOf(x.sub(&Enc::from_rational(&nr, prec).ln(prec), prec)),
        o => o.clone(),
    }
}

/// `compare` for a chain (MKV-2, MKV-3): best-of-N with `N` from the rule against the finite-n
/// optimum `phi_n ∝ p^n e^{l_n S_n}`, whose level law is the tilt of the level law `P_S` viewed
/// as a one-token model with the budget `n Delta` ([`level_tilt_model`]). `lambda` is `l_n`;
/// `lambda_limit` and `x_star_limit` are `l_Delta` and `x* = psi'(l_Delta)` of MKV-3 (null with a
/// note when the chain is not ergodic or the budget is at or above the limit's `Delta_max`).
pub fn compare_markov_value(
    ct: &ChainTilt,
    law: &LevelLaw,
    delta: &Rational,
    count: &SampleCount,
    prec: u32,
) -> Value {
    let n = law.n;
    let tm = level_tilt_model(law);
    let mut one = law.clone();
    one.n = 1;
    let lv = Levels::new(one);
    let total = Rational::from(delta * n);
    let mut v = compare_value(&tm, &lv, &total, count, prec);
    if let Value::Object(items) = &mut v {
        set(items, "n", Value::Count(n));
        for key in [
            "expected_reward_bon",
            "expected_reward_tilted",
            "kl_bon_reference",
            "kl_bon_tilted",
            "kl_tilted_reference",
            "kl_tilted_bon",
        ] {
            let total_v = items.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            if let Some(t) = total_v {
                set(items, &format!("{key}_per_token"), per_token(&t, n, prec));
            }
        }
    }
    push_limit_fields(ct, delta, &mut v, prec);
    v
}

/// `compare` for a chain on the window route (MATH.md §9 with memory): best-of-N over the
/// chain's windowed level law ([`crate::math::markov_window::ChainWindow`]) against the finite-n
/// optimum given by `so` ([`crate::math::markov_window::ChainOptimum`]: `l_n` and `Lambda_n` from
/// the matrix power), with the same MKV-3 limit fields as [`compare_markov_value`].
pub fn compare_markov_window_value(
    ct: &ChainTilt,
    so: &dyn SeqOptimum,
    lv: &dyn LevelSource,
    delta: &Rational,
    count: &SampleCount,
    prec: u32,
) -> Value {
    let mut v = compare_value_with(so, lv, delta, count, prec);
    push_limit_fields(ct, delta, &mut v, prec);
    v
}

/// The MKV-3 limit fields of a chain's `compare`: `lambda_limit`, `x_star_limit`,
/// `delta_max_limit`, `model` and `notes`.
fn push_limit_fields(ct: &ChainTilt, delta: &Rational, v: &mut Value, prec: u32) {
    let mut notes = Vec::new();
    if let Value::Object(items) = v {
        let (dmax, regime) = limit_regime(ct, Some(delta), prec);
        let (ll, xs) = match regime {
            LimitRegime::Saturated(mean) => {
                notes.push(format!("lambda_limit, x_star_limit: {SATURATED_NOTE}"));
                (Value::Real(Enc::pos_infinity(prec)), Value::Exact(mean))
            }
            LimitRegime::Unknown => (Value::Real(Enc::whole(prec)), Value::Real(Enc::whole(prec))),
            LimitRegime::Absent | LimitRegime::Interior => {
                match need(l_delta(ct, delta, prec), Enc::whole(prec)) {
                    Ok(l) => {
                        let x = perron_eval(ct, &l, 1, prec)
                            .map(|e| e.derivs[0].clone())
                            .unwrap_or_else(|| Enc::whole(prec));
                        (Value::Real(l), Value::Real(x))
                    }
                    Err(note) => {
                        notes.push(format!("lambda_limit, x_star_limit, delta_max_limit: {note}"));
                        (Value::Null, Value::Null)
                    }
                }
            }
        };
        items.push(("lambda_limit".into(), ll));
        items.push(("x_star_limit".into(), xs));
        items.push(("delta_max_limit".into(), dmax));
        items.push(("model".into(), Value::Str("markov".into())));
        // one notes array: the sequence part may already have one (levels_total's)
        match items.iter_mut().find(|(k, _)| k == "notes") {
            Some((_, Value::Array(a))) => a.extend(notes.into_iter().map(Value::Str)),
            _ => items.push(("notes".into(), notes_value(&notes))),
        }
    }
}

fn matrix_value(m: &[Vec<Enc>]) -> Value {
    Value::Array(
        m.iter()
            .map(|r| Value::Array(r.iter().map(|e| Value::Real(e.clone())).collect()))
            .collect(),
    )
}

/// `tilt` for a chain: the MKV-3 limit at a budget or a tilt: `lambda` (`l_Delta`), `delta`
/// (`l psi' - psi`), `log_partition` (`psi = ln rho`), `perron_root`, `expected_reward`
/// (`x* = psi'`), `reward_variance` (`psi''`), the Doob-transformed chain `doob_transition` and
/// its stationary law `doob_stationary` (over `states`, the reachable states).
pub fn tilt_markov_value(ct: &ChainTilt, budget: &Budget, prec: u32) -> Value {
    let mut notes = Vec::new();
    let states = Value::Array(ct.states.iter().map(|&s| Value::Count(s as u64 + 1)).collect());
    let (dmax, regime) = limit_regime(
        ct,
        match budget {
            Budget::Delta(d) => Some(d),
            _ => None,
        },
        prec,
    );
    match regime {
        LimitRegime::Saturated(mean) => {
            notes.push(format!(
                "log_partition, perron_root, reward_variance, doob_transition, doob_stationary: {SATURATED_NOTE}"
            ));
            let mut v = obj(vec![
                ("lambda", Value::Real(Enc::pos_infinity(prec))),
                ("delta", dmax.clone()),
                ("log_partition", Value::Null),
                ("perron_root", Value::Null),
                ("expected_reward", Value::Exact(mean)),
                ("reward_variance", Value::Null),
                ("doob_transition", Value::Null),
                ("doob_stationary", Value::Null),
                ("delta_max", dmax),
                ("regime", Value::Str("saturated".into())),
                ("states", states),
                ("model", Value::Str("markov".into())),
            ]);
            if let Value::Object(items) = &mut v {
                items.push(("notes".into(), notes_value(&notes)));
            }
            return v;
        }
        LimitRegime::Unknown => {
            return obj(vec![("lambda", Value::Real(Enc::whole(prec)))]);
        }
        _ => {}
    }
    let regime_name = match budget {
        Budget::Delta(d) if *d == 0 => "reference",
        Budget::Lambda(l) if *l == 0 => "reference",
        _ => "interior",
    };
    let l: Limit<Enc> = match budget {
        Budget::Delta(d) => need(l_delta(ct, d, prec), Enc::whole(prec)),
        Budget::Lambda(l) => match ct.structure.limit_note() {
            Some(n) => Err(n),
            None => Ok(Enc::from_rational(l, prec)),
        },
        Budget::ExpLambda(t) => match ct.structure.limit_note() {
            Some(n) => Err(n),
            None => Ok(Enc::from_rational(t, prec).ln(prec)),
        },
    };
    let fields = match l {
        Err(note) => {
            notes.push(format!(
                "lambda, delta, log_partition, perron_root, expected_reward, reward_variance, doob_transition, \
                 doob_stationary, delta_max: {note}"
            ));
            vec![
                ("lambda", Value::Null),
                ("delta", Value::Null),
                ("log_partition", Value::Null),
                ("perron_root", Value::Null),
                ("expected_reward", Value::Null),
                ("reward_variance", Value::Null),
                ("doob_transition", Value::Null),
                ("doob_stationary", Value::Null),
            ]
        }
        Ok(l) => {
            let lam = match budget {
                Budget::Lambda(q) => Value::Exact(q.clone()),
                _ if l.is_exact_zero() => Value::Exact(Rational::new()),
                _ => Value::Real(l.clone()),
            };
            let zero = l.is_exact_zero();
            match perron_eval(ct, &l, 2, prec) {
                None => vec![("lambda", Value::Real(Enc::whole(prec)))],
                Some(e) => {
                    let kl = if zero {
                        Value::Exact(Rational::new())
                    } else if let Budget::Delta(d) = budget {
                        // l_Delta solves l psi' - psi = Delta: the budget itself, exactly
                        Value::Exact(d.clone())
                    } else {
                        Value::Real(l.mul(&e.derivs[0], prec).sub(&e.psi, prec).clamp_nonneg(prec))
                    };
                    let (psi, rho) = if zero {
                        (Value::Exact(Rational::new()), Value::Exact(Rational::from(1)))
                    } else {
                        (Value::Real(e.psi.clone()), Value::Real(e.rho(&l, prec)))
                    };
                    let (pl, pi) = match doob(ct, &l, prec) {
                        Some((pl, pi)) => (
                            matrix_value(&pl),
                            Value::Array(pi.into_iter().map(Value::Real).collect()),
                        ),
                        None => (Value::Real(Enc::whole(prec)), Value::Real(Enc::whole(prec))),
                    };
                    let mean = if zero {
                        ct.mean
                            .clone()
                            .map(Value::Exact)
                            .unwrap_or(Value::Real(e.derivs[0].clone()))
                    } else {
                        Value::Real(e.derivs[0].clone())
                    };
                    vec![
                        ("lambda", lam),
                        ("delta", kl),
                        ("log_partition", psi),
                        ("perron_root", rho),
                        ("expected_reward", mean),
                        ("reward_variance", Value::Real(e.derivs[1].clone())),
                        ("doob_transition", pl),
                        ("doob_stationary", pi),
                    ]
                }
            }
        }
    };
    let mut items = fields;
    if !matches!(regime, LimitRegime::Absent) {
        items.push(("delta_max", dmax));
        items.push(("regime", Value::Str(regime_name.into())));
    } else {
        items.push(("delta_max", Value::Null));
    }
    items.push(("states", states));
    items.push(("model", Value::Str("markov".into())));
    let mut v = obj(items);
    if let Value::Object(items) = &mut v {
        items.push(("notes".into(), notes_value(&notes)));
    }
    v
}

/// `rate` for a chain (MKV-4, Gartner-Ellis): `lambda_x` (root of `psi'(l) = x`),
/// `rate_reference` `I(x) = sup_l [l x - psi(l)]`, and with a budget `rate_aligned`
/// `I_Delta(x) = I(x) - l_Delta x + psi(l_Delta)` (the Legendre transform of
/// `psi(l_Delta + t) - psi(l_Delta)`).
pub fn rate_markov_value(ct: &ChainTilt, x: &Rational, budget: Option<&Budget>, prec: u32) -> Value {
    let mut notes = Vec::new();
    let lx = need(lambda_of_x(ct, x, prec), Enc::whole(prec));
    let (lam, rate) = match &lx {
        Ok(l) if l.is_exact_zero() => (Value::Exact(Rational::new()), Ok(Enc::zero(prec))),
        Ok(l) => (
            Value::Real(l.clone()),
            Ok(legendre(ct, x, l, prec)
                .map(|e| e.clamp_nonneg(prec))
                .unwrap_or_else(|| Enc::whole(prec))),
        ),
        Err(note) => {
            notes.push(format!("lambda_x, rate_reference, rate_aligned: {note}"));
            (Value::Null, Err(()))
        }
    };
    let rate_v = match &rate {
        Ok(e) if e.is_exact_zero() => Value::Exact(Rational::new()),
        Ok(e) => Value::Real(e.clone()),
        Err(()) => Value::Null,
    };
    let mut items = vec![("lambda_x", lam), ("rate_reference", rate_v)];
    if let Some(b) = budget {
        let aligned = match (b, &rate) {
            (Budget::Delta(d), Ok(i0)) => match need(l_delta(ct, d, prec), Enc::whole(prec)) {
                Ok(ld) => match perron_eval(ct, &ld, 1, prec) {
                    Some(e) => Value::Real(
                        i0.sub(&ld.mul_rational(x, prec), prec)
                            .add(&e.psi, prec)
                            .clamp_nonneg(prec),
                    ),
                    None => Value::Real(Enc::whole(prec)),
                },
                Err(note) => {
                    notes.push(format!("rate_aligned: {note}"));
                    Value::Null
                }
            },
            (Budget::Lambda(l), Ok(i0)) => {
                let le = Enc::from_rational(l, prec);
                match perron_eval(ct, &le, 1, prec) {
                    Some(e) => Value::Real(
                        i0.sub(&le.mul_rational(x, prec), prec)
                            .add(&e.psi, prec)
                            .clamp_nonneg(prec),
                    ),
                    None => Value::Real(Enc::whole(prec)),
                }
            }
            _ => Value::Null,
        };
        items.push(("rate_aligned", aligned));
    }
    items.push(("model", Value::Str("markov".into())));
    let mut v = obj(items);
    if let Value::Object(items) = &mut v {
        items.push(("notes".into(), notes_value(&notes)));
    }
    v
}

/// `cumulants` for a chain (MKV-4): `kappa_j = psi^(j)(l)` at `l = l_Delta` (or the given
/// tilt), the scaled cumulant generating function `psi(l + t) - psi(l)` with `--t`;
/// `scgf_renyi` is null (the Renyi forms of LDP-4 are single-token identities).
pub fn cumulants_markov_value(
    ct: &ChainTilt,
    budget: &Budget,
    order: usize,
    t: Option<&Rational>,
    prec: u32,
) -> Value {
    let mut notes = Vec::new();
    let l: Limit<Enc> = match budget {
        Budget::Delta(d) => need(l_delta(ct, d, prec), Enc::whole(prec)),
        Budget::Lambda(l) => ct
            .structure
            .limit_note()
            .map_or(Ok(Enc::from_rational(l, prec)), Err),
        Budget::ExpLambda(x) => ct
            .structure
            .limit_note()
            .map_or_else(|| Ok(Enc::from_rational(x, prec).ln(prec)), Err),
    };
    let mut items: Vec<(&str, Value)> = Vec::new();
    match l {
        Err(note) => {
            notes.push(format!("lambda, cumulants, scgf: {note}"));
            items.push(("lambda", Value::Null));
            items.push(("cumulants", Value::Null));
            if t.is_some() {
                items.push(("scgf", Value::Null));
            }
        }
        Ok(l) => {
            let e = perron_eval(ct, &l, order, prec);
            items.push((
                "lambda",
                match budget {
                    Budget::Lambda(q) => Value::Exact(q.clone()),
                    _ => Value::Real(l.clone()),
                },
            ));
            items.push((
                "cumulants",
                match &e {
                    Some(e) => Value::Array(e.derivs.iter().cloned().map(Value::Real).collect()),
                    None => Value::Real(Enc::whole(prec)),
                },
            ));
            if let Some(t) = t {
                let lt = l.add(&Enc::from_rational(t, prec), prec);
                let s = match (&e, perron_eval(ct, &lt, 0, prec)) {
                    (Some(a), Some(b)) => Value::Real(b.psi.sub(&a.psi, prec)),
                    _ => Value::Real(Enc::whole(prec)),
                };
                items.push(("scgf", s));
            }
        }
    }
    if t.is_some() {
        notes.push(
            "scgf_renyi: the Renyi forms of LDP-4 are single-token identities; a chain has no such form"
                .into(),
        );
        items.push(("scgf_renyi", Value::Null));
    }
    items.push(("model", Value::Str("markov".into())));
    let mut v = obj(items);
    if let Value::Object(items) = &mut v {
        items.push(("notes".into(), notes_value(&notes)));
    }
    v
}
