//! Reference models with memory on the command line (MATH.md §10, INTERFACE.md): `--transition`
//! and `--init` turn `bon`, `compare`, `sweep`, `tilt`, `rate` and `cumulants` into their Markov
//! versions. `--p` and `--transition` are mutually exclusive.

use super::bon::{
    count_echo, exact_feasible, levels_view, n_rule, sample_count, seq_len, BonArgs, CompareArgs,
};
use super::budget::Budget;
use super::divergence::exact_strings;
use super::sweep::{grid, SweepArgs};
use super::tilt::{CumulantsArgs, RateArgs, TiltArgs};
use super::{args, ModelArgs, Output};
use crate::error::{Error, Result};
use crate::exact::level_law::LevelLaw;
use crate::exact::markov::{estimate, level_law_markov, Chain, MarkovModel};
use crate::math::best_of_n::{Levels, NRule};
use crate::math::markov::{l_delta, ChainTilt};
use crate::real::ziv::{self, Precision};
use crate::real::Enc;
use crate::report::best_of_n::{bon_value, ExactBon, SampleCount};
use crate::report::markov::{
    compare_markov_value, cumulants_markov_value, rate_markov_value, tilt_markov_value,
};
use crate::report::{obj, Value};
use rug::{Integer, Rational};
use serde_json::{json, Value as Json};

/// The chain of `--transition`/`--init` with the rewards `--r`, or `None` for a memoryless
/// model. `--p` together with `--transition` (or `--init` without it) is exit 2.
pub fn chain_model(m: &ModelArgs) -> Result<Option<MarkovModel>> {
    let Some(t) = m.transition.as_deref() else {
        if m.init.is_some() {
            return Err(Error::input(
                "--init needs --transition: the initial law belongs to a Markov chain; for a memoryless model use --p",
            ));
        }
        return Ok(None);
    };
    if m.p.is_some() {
        return Err(Error::input(
            "--p and --transition are mutually exclusive: give the memoryless model with --p or the Markov chain with \
             --transition (and optionally --init)",
        ));
    }
    let chain = Chain::parse(t, m.init.as_deref(), m.normalize)?;
    let r =
        m.r.as_deref()
            .ok_or_else(|| Error::input("--r is required: give one reward per state, such as --r 0,1"))?;
    Ok(Some(MarkovModel::new(chain, args::list("--r", r)?)?))
}

/// The exact echo of a chain model.
pub fn chain_echo(m: &MarkovModel, digits: usize) -> Json {
    let mut e = m.chain.echo();
    e["r"] = json!(exact_strings(&m.r));
    e["digits"] = json!(digits);
    e
}

/// Memory budget for the Markov level law (as for the memoryless one).
const MAX_BYTES: f64 = super::bon::MAX_BYTES;

/// Refuse what the exact Markov level law cannot do on this machine, before computing.
pub fn guard(m: &MarkovModel, n: u64) -> Result<()> {
    if n > u64::from(u32::MAX) {
        return Err(Error::TooLarge(format!(
            "--n: n = {n} is too large for the exact Markov level law"
        )));
    }
    let (bytes, seconds) = estimate(m, n);
    if bytes > MAX_BYTES || seconds > super::bon::MAX_SECONDS {
        return Err(Error::TooLarge(format!(
            "refusing n = {n} for the Markov chain: its exact level law (binary powering of the transfer matrix) \
             would need about {:.1} GB and {:.0} s, above the limits of {:.0} GB and {:.0} s; try a smaller --n",
            bytes / 1e9,
            seconds,
            MAX_BYTES / 1e9,
            super::bon::MAX_SECONDS
        )));
    }
    Ok(())
}

/// The exact level law of the chain (MKV-1), after the guard.
pub fn law(m: &MarkovModel, n: u64) -> Result<LevelLaw> {
    guard(m, n)?;
    level_law_markov(m, n)
}

/// `bon` for a chain: best-of-N over the exact Markov level law (BON-1..BON-4 hold for any
/// reference through its level law, SEQ-3).
pub fn run_bon(a: BonArgs, m: MarkovModel) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let n = seq_len(a.sample.n.as_deref(), Some(1))?;
    let rule = n_rule(a.sample.n_rule.as_deref())?;
    let view = levels_view(a.sample.levels.as_deref())?;
    let delta = a
        .delta
        .as_deref()
        .map(|d| args::nonnegative("--delta", d))
        .transpose()?;
    if a.ties
        .as_deref()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("order"))
    {
        return Err(Error::input(
            "--ties order is defined for a single token of a memoryless model; for a chain use --ties level",
        ));
    }
    let count = sample_count(a.sample.big_n.as_deref(), rule, n, delta.as_ref(), &prec)?;
    let lv = Levels::new(law(&m, n)?);
    let exact = exact_feasible(&lv, &count).map(|k| ExactBon::new(&lv, k));
    let result = ziv::run(&prec, |bits| {
        let mut v = bon_value(&lv, &count, exact.as_ref(), view, bits);
        if let Value::Object(items) = &mut v {
            items.push(("model".into(), Value::Str("markov".into())));
        }
        Ok(v)
    })?;
    let mut input = chain_echo(&m, prec.digits);
    input["n"] = json!(n);
    input["N"] = count_echo(&count);
    input["ties"] = json!("level");
    if let Some(d) = &delta {
        input["delta"] = json!(d.to_string());
    }
    Ok((Output::data("bon", input, result, prec.digits), a.common.json))
}

fn delta_of(b: Option<Budget>, cmd: &str) -> Result<Rational> {
    match b {
        Some(Budget::Delta(d)) => Ok(d),
        Some(_) => Err(Error::input(format!(
            "{cmd} takes a KL budget: give --delta D (per-token), not --lambda or --beta"
        ))),
        None => Err(Error::input(format!(
            "--delta is required: {cmd} needs the per-token KL budget, e.g. --delta 1/5"
        ))),
    }
}

fn rule_name(rule: NRule) -> &'static str {
    match rule {
        NRule::Ceil => "ceil",
        NRule::Floor => "floor",
        NRule::Real => "real",
    }
}

/// `compare` for a chain (MKV-2, MKV-3): see [`compare_markov_value`].
pub fn run_compare(a: CompareArgs, m: MarkovModel) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let delta = delta_of(a.budget.parse(false)?, "compare")?;
    let n = seq_len(a.sample.n.as_deref(), None)?;
    let rule = n_rule(a.sample.n_rule.as_deref())?;
    let count = sample_count(a.sample.big_n.as_deref(), rule, n, Some(&delta), &prec)?;
    let lw = law(&m, n)?;
    let ct = ChainTilt::new(&m);
    let result = ziv::run(&prec, |bits| {
        Ok(compare_markov_value(&ct, &lw, &delta, &count, bits))
    })?;
    let mut input = chain_echo(&m, prec.digits);
    input["delta"] = json!(delta.to_string());
    input["n"] = json!(n);
    input["N"] = count_echo(&count);
    input["N_rule"] = json!(rule_name(rule));
    Ok((Output::data("compare", input, result, prec.digits), a.common.json))
}

fn get_enc(v: &Value, key: &str) -> Option<Enc> {
    match v.get(key)? {
        Value::Real(e) => Some(e.clone()),
        Value::Exact(q) => Some(Enc::from_rational(q, 256)),
        _ => None,
    }
}

/// One MKV-5 row: the `compare` fields plus the measured gaps to the MKV-3 limit and the
/// memoryless formulas with `psi = ln rho` (ASY-4..ASY-6 analogues):
/// `reward_gap_per_token = x*_limit - E/n`, `asy4_prediction = ln n / (2 l_Delta n)`,
/// `asy4_scaled = n (gap - prediction)`, `asy5 = D(pi_N || phi_n) - (1/2) ln n`,
/// `asy6_c = n Delta - D(pi_N || p^n)`, `lambda_gap = l_n - l_Delta`.
pub fn sweep_row_markov(
    ct: &ChainTilt,
    lw: &LevelLaw,
    delta: &Rational,
    count: &SampleCount,
    prec: u32,
) -> Value {
    let mut v = compare_markov_value(ct, lw, delta, count, prec);
    let n = lw.n;
    let nr = Rational::from(n);
    let mut extra: Vec<(String, Value)> = Vec::new();
    if let (Some(xs), Some(ll), Some(e)) = (
        get_enc(&v, "x_star_limit"),
        get_enc(&v, "lambda_limit"),
        get_enc(&v, "expected_reward_bon_per_token"),
    ) {
        let gap = xs.sub(&e, prec);
        let ln_n = Enc::from_rational(&nr, prec).ln(prec);
        let pred = if n == 1 {
            Enc::zero(prec)
        } else {
            ln_n.div(&ll.mul_rational(&Rational::from(2 * n), prec), prec)
        };
        extra.push(("reward_gap_per_token".into(), Value::Real(gap.clone())));
        extra.push(("asy4_prediction".into(), Value::Real(pred.clone())));
        extra.push((
            "asy4_scaled".into(),
            Value::Real(gap.sub(&pred, prec).mul_rational(&nr, prec)),
        ));
        if let Some(d) = get_enc(&v, "kl_bon_tilted") {
            let half = ln_n.mul_rational(&Rational::from((1, 2)), prec);
            extra.push(("asy5".into(), Value::Real(d.sub(&half, prec))));
        }
        if let Some(d) = get_enc(&v, "kl_bon_reference") {
            let nd = Enc::from_rational(&Rational::from(delta * &nr), prec);
            extra.push(("asy6_c".into(), Value::Real(nd.sub(&d, prec))));
        }
        if let Some(l) = get_enc(&v, "lambda") {
            extra.push(("lambda_gap".into(), Value::Real(l.sub(&ll, prec))));
        }
    }
    if let Value::Object(items) = &mut v {
        items.extend(extra);
    }
    v
}

/// `sweep` for a chain (MKV-5 along n).
pub fn run_sweep(a: SweepArgs, m: MarkovModel) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let delta = delta_of(a.budget.parse(false)?, "sweep")?;
    let ns = grid(a.n.as_deref())?;
    let rule = n_rule(a.n_rule.as_deref())?;
    for &n in &ns {
        guard(&m, n)?;
    }
    let ct = ChainTilt::new(&m);
    let rows = sweep_rows(&m, &ct, &delta, &ns, rule, &prec)?;
    let mut input = chain_echo(&m, prec.digits);
    input["delta"] = json!(delta.to_string());
    input["n"] = json!(ns);
    input["N_rule"] = json!(rule_name(rule));
    let text = format!(
        "sweep (Markov chain, MKV-5): best-of-N with N from n delta against the finite-n optimum, delta = {delta}\n\
         (gaps are measured against the MKV-3 limit; every column is rounded from a certified enclosure)\n\n{}",
        table(&rows)
    );
    Ok((
        Output {
            command: "sweep",
            input,
            result: obj(vec![
                ("rows", Value::Array(rows)),
                ("model", Value::Str("markov".into())),
            ]),
            digits: prec.digits,
            exit_code: 0,
            text: Some(text),
        },
        a.common.json,
    ))
}

/// The rows of a Markov sweep, each certified by its own precision loop.
pub fn sweep_rows(
    m: &MarkovModel,
    ct: &ChainTilt,
    delta: &Rational,
    ns: &[u64],
    rule: NRule,
    prec: &Precision,
) -> Result<Vec<Value>> {
    let mut rows = Vec::new();
    for &n in ns {
        let count = sample_count(None, rule, n, Some(delta), prec)?;
        let lw = law(m, n)?;
        rows.push(ziv::run(prec, |bits| {
            Ok(sweep_row_markov(ct, &lw, delta, &count, bits))
        })?);
    }
    Ok(rows)
}

fn cell(v: Option<&Value>, d: usize) -> String {
    match v {
        Some(Value::Real(e)) => crate::real::format::certify_decimal(e, d)
            .map(|c| c.value)
            .unwrap_or_else(|| "?".into()),
        Some(Value::Exact(q)) => {
            crate::real::format::rational_to_sig_decimal(q, d, crate::real::format::Dir::Nearest)
        }
        Some(Value::Null) => "null".into(),
        _ => "-".into(),
    }
}

/// The readable MKV-5 table.
pub fn table(rows: &[Value]) -> String {
    let mut s = format!(
        "{:>6}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}\n",
        "n", "l_n", "l_n-l_Delta", "x*-E/n", "n*(gap-ASY4)", "D(pi||phi_n)", "nD-D(pi||p)"
    );
    for r in rows {
        s.push_str(&format!(
            "{:>6}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}  {:>12}\n",
            match r.get("n") {
                Some(Value::Count(n)) => n.to_string(),
                _ => "?".into(),
            },
            cell(r.get("lambda"), 8),
            cell(r.get("lambda_gap"), 6),
            cell(r.get("reward_gap_per_token"), 6),
            cell(r.get("asy4_scaled"), 6),
            cell(r.get("kl_bon_tilted"), 6),
            cell(r.get("asy6_c"), 6),
        ));
    }
    s
}

/// `tilt` for a chain: the MKV-3 limit.
pub fn run_tilt(a: TiltArgs, m: MarkovModel) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let budget = a.budget.require(true, "tilt")?;
    let ct = ChainTilt::new(&m);
    let result = ziv::run(&prec, |bits| Ok(tilt_markov_value(&ct, &budget, bits)))?;
    let mut input = chain_echo(&m, prec.digits);
    budget.echo(&mut input);
    Ok((Output::data("tilt", input, result, prec.digits), a.common.json))
}

/// `rate` for a chain (MKV-4).
pub fn run_rate(a: RateArgs, m: MarkovModel) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let x = a.x.as_deref().ok_or_else(|| {
        Error::input("rate needs --x X: the per-token reward at which to evaluate the rate functions")
    })?;
    let x = args::rational("--x", x)?;
    let budget = a.budget.parse(false)?;
    let ct = ChainTilt::new(&m);
    let result = ziv::run(&prec, |bits| {
        Ok(rate_markov_value(&ct, &x, budget.as_ref(), bits))
    })?;
    let mut input = chain_echo(&m, prec.digits);
    input["x"] = json!(x.to_string());
    if let Some(b) = &budget {
        b.echo(&mut input);
    }
    Ok((Output::data("rate", input, result, prec.digits), a.common.json))
}

/// `cumulants` for a chain (MKV-4).
pub fn run_cumulants(a: CumulantsArgs, m: MarkovModel) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let budget = a.budget.require(true, "cumulants")?;
    let order = match a.order.as_deref() {
        None => 4,
        Some(s) => args::positive_integer("--order", s, &Integer::from(60))?
            .to_usize()
            .unwrap_or(4),
    };
    let t = args::opt_rational("--t", a.t.as_deref())?;
    let ct = ChainTilt::new(&m);
    let result = ziv::run(&prec, |bits| {
        Ok(cumulants_markov_value(&ct, &budget, order, t.as_ref(), bits))
    })?;
    let mut input = chain_echo(&m, prec.digits);
    budget.echo(&mut input);
    input["order"] = json!(order);
    if let Some(t) = &t {
        input["t"] = json!(t.to_string());
    }
    Ok((
        Output::data("cumulants", input, result, prec.digits),
        a.common.json,
    ))
}

/// `l_Delta` of a chain at a precision, for callers that only need the limit (demo, claims).
pub fn limit_lambda(ct: &ChainTilt, delta: &Rational, prec: u32) -> Option<Enc> {
    l_delta(ct, delta, prec).ok().flatten()
}
