//! The `sweep` rows: `compare` along a grid of n with the ASY-4 .. ASY-7 predictions and residuals.

use super::compare::{compare_value, SampleCount};
use crate::math::asymptotics as asy;
use crate::math::level_source::LevelSource;
use crate::math::tilt::{eval, optimum, Optimum, TiltModel};
use crate::real::value::{obj, Value};
use crate::real::Enc;
use rug::Rational;

fn real(v: &Value, key: &str) -> Option<Enc> {
    match v.get(key)? {
        Value::Real(e) => Some(e.clone()),
        Value::Exact(q) => Some(Enc::from_rational(q, e_prec(v))),
        _ => None,
    }
}

fn e_prec(v: &Value) -> u32 {
    match v.get("ln_N") {
        Some(Value::Real(e)) => e.prec(),
        _ => 64,
    }
}

/// One sweep row at precision `prec`: the `compare` result for this `n` plus the predictions.
pub fn sweep_row(
    tm: &TiltModel,
    lv: &dyn LevelSource,
    delta: &Rational,
    count: &SampleCount,
    prec: u32,
) -> Value {
    let n = lv.n();
    let nr = Rational::from(n);
    let cmp = compare_value(tm, lv, delta, count, prec);
    let mut fields: Vec<(String, Value)> = match &cmp {
        Value::Object(items) => items.clone(),
        _ => vec![],
    };
    let push = |f: &mut Vec<(String, Value)>, k: &str, v: Value| f.push((k.to_string(), v));
    let Some(Optimum::Interior(l)) = optimum(tm, delta, prec) else {
        push(&mut fields, "predictions", Value::Null);
        return Value::Object(fields);
    };
    let (Some(e_bon), Some(kl_ref), Some(kl_tilt), Some(ln_n)) = (
        real(&cmp, "expected_reward_bon"),
        real(&cmp, "kl_bon_reference"),
        real(&cmp, "kl_bon_tilted"),
        real(&cmp, "ln_N"),
    ) else {
        return Value::Object(fields);
    };
    let te = eval(tm, &l, prec);
    let x_star = te.mu.clone();
    let gap = x_star.sub(&e_bon.mul_rational(&Rational::from((1, n)), prec), prec);
    let p4 = asy::asy4_prediction(n, &l, prec);
    let p5 = asy::asy5_prediction(n, prec);
    let n_delta = Enc::from_rational(&Rational::from(delta * &nr), prec);
    let _ = &ln_n;
    let excess = ln_n_excess(count, &Rational::from(delta * &nr), prec);
    let h = asy::lattice_span(tm);
    let c7 = asy::asy7_constant(&h, &l, &te.var, prec);
    let p7 = asy::asy7_prediction(n, &x_star, &l, &c7, &excess, prec);
    push(&mut fields, "reward_gap_per_token", Value::Real(gap.clone()));
    push(
        &mut fields,
        "predictions",
        obj(vec![
            ("lattice_span", Value::Exact(h)),
            ("asy4_reward_gap", Value::Real(p4.clone())),
            ("asy5_kl_bon_tilted", Value::Real(p5.clone())),
            ("asy7_expected_reward", Value::Real(p7.clone())),
            ("asy7_constant", Value::Real(c7)),
            (
                "n_rounding_correction",
                match count {
                    // N = ceil(e^{n Delta}) too large to form (n Delta > 10^6): only
                    // 0 <= eps <= e^{-n Delta} is known, rigorous bounds without digits
                    SampleCount::Rounded { .. } => Value::Bounds(excess.div(&l, prec)),
                    _ => Value::Real(excess.div(&l, prec)),
                },
            ),
        ]),
    );
    push(
        &mut fields,
        "residuals",
        obj(vec![
            (
                "asy4_scaled",
                Value::Real(gap.sub(&p4, prec).mul_rational(&nr, prec)),
            ),
            ("asy5", Value::Real(kl_tilt.sub(&p5, prec))),
            ("asy6_c", Value::Real(n_delta.sub(&kl_ref, prec))),
            ("asy7", Value::Real(e_bon.sub(&p7, prec))),
        ]),
    );
    Value::Object(fields)
}

/// `ln N - n Delta = ln(N e^{-n Delta})` for the sample count of the rule. For `N = ceil(e^x)` it is
/// about `e^{-x}`: forming `ln N - x` at `prec` would cancel `x log2(e)` bits, so the difference
/// `N - e^x` (in `[0, 1)`) is formed at `prec + bits(N) + 16` bits and `ln1p((N - e^x)/e^x)`
/// is taken there; the result is an enclosure at any precision.
pub fn ln_n_excess(count: &SampleCount, x: &Rational, prec: u32) -> Enc {
    match count {
        SampleCount::Real(_) => Enc::zero(prec),
        SampleCount::Rounded { .. } => count.ln_excess(prec).expect("rounded"),
        SampleCount::Frac(q) => Enc::from_rational(q, prec)
            .ln(prec)
            .sub(&Enc::from_rational(x, prec), prec),
        SampleCount::Integer(n) => {
            if *x == 0 {
                // N = 1 = e^0
                return Enc::from_integer(n, prec).ln(prec);
            }
            let wp = prec + n.significant_bits() + 16;
            let ex = Enc::from_rational(x, wp).exp(wp);
            let diff = Enc::from_integer(n, wp).sub(&ex, wp);
            diff.div(&ex, wp).ln_1p(prec)
        }
    }
}
