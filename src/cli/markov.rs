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
use super::{chain_route, route};
use crate::error::{Error, Result};
use crate::exact::level_law::LevelLaw;
use crate::exact::markov::{estimate, level_law_markov, Chain, MarkovModel};
use crate::math::best_of_n::{Levels, NRule};
use crate::math::bon_integer::IntegerBon;
use crate::math::markov::{l_delta, ChainTilt};
use crate::math::markov_window::ChainOptimum;
use crate::real::ziv::{self, Precision};
use crate::real::Enc;
use crate::report::best_of_n::{bon_value, SampleCount};
use crate::report::markov::{
    compare_markov_value, compare_markov_window_value, cumulants_markov_value, rate_markov_value,
    tilt_markov_value,
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

/// Refuse what the exact Markov level law cannot do on this machine, before computing (the
/// memory actually available and the time limit of [`super::guard::check`]).
pub fn guard(m: &MarkovModel, n: u64) -> Result<()> {
    if n > u64::from(u32::MAX) {
        return Err(Error::TooLarge(format!(
            "--n: n = {n} is too large for the exact Markov level law"
        )));
    }
    let (bytes, seconds) = estimate(m, n);
    super::guard::check(
        &format!(
            "n = {n} for the Markov chain (its exact level law by binary powering of the transfer matrix)"
        ),
        bytes,
        seconds,
        "try a smaller --n",
    )
}

/// The exact level law of the chain (MKV-1), after the guard.
pub fn law(m: &MarkovModel, n: u64) -> Result<LevelLaw> {
    guard(m, n)?;
    level_law_markov(m, n)
}

/// `bon` for a chain: best-of-N over the exact Markov level law (BON-1..BON-4 hold for any
/// reference through its level law, SEQ-3).
pub fn run_bon(a: BonArgs, m: MarkovModel) -> Result<(Output, bool)> {
    let method = route::parse_method(a.sample.method.as_deref())?;
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let n = seq_len(a.sample.n.as_deref(), Some(1))?;
    let rule = n_rule(a.sample.n_rule.as_deref())?;
    let view = levels_view(a.sample.levels.as_deref())?;
    let delta = a
        .delta
        .as_deref()
        .map(|d| args::nonnegative("--delta", d))
        .transpose()?;
    // BON-1's order rule refines the reward by a fixed total order of the outcomes; like the
    // memoryless command it is offered for a single token (n = 1), where the chain's outcome is
    // y_1 ~ q (the initial law) and the rule is the single-token one on (q, r)
    let order = args::ties_order(a.ties.as_deref())?;
    if order && n > 1 {
        return Err(Error::input(
            "--ties order is defined for a single token (--n 1, where a chain's token has the initial law --init); \
             for sequences use --ties level",
        ));
    }
    let count = sample_count(a.sample.big_n.as_deref(), rule, n, delta.as_ref(), &prec)?;
    let mut input = chain_echo(&m, prec.digits);
    input["n"] = json!(n);
    input["N"] = count_echo(&count);
    input["ties"] = json!(if order { "order" } else { "level" });
    if let Some(d) = &delta {
        input["delta"] = json!(d.to_string());
    }
    // the window route (as for a memoryless model): `auto` keeps the exact route when levels are
    // listed (far from the window they would have only bounds), the window sits at the tilt of
    // the per-token budget ln N / n
    let ct = ChainTilt::new(&m);
    let listing = !matches!(view, crate::report::best_of_n::LevelsView::None);
    let plan = if order || (listing && method == route::MethodArg::Auto) {
        None
    } else {
        super::bon::bon_tilt_budget(&count, n)
            .and_then(|d| chain_route::chain_plan(&ct, &d, n, method, prec.digits))
    };
    let mut note = None;
    if let Some(pl) = &plan {
        chain_route::chain_window_guard(pl, n, prec.digits)?;
        let windowed = chain_route::run_chain_window(&prec, pl, n, false, |w, bits| {
            let mut v = bon_value(w, &count, None, view, bits);
            if let Value::Object(items) = &mut v {
                items.push(("method".into(), Value::Str("window".into())));
                items.push(("model".into(), Value::Str("markov".into())));
            }
            v
        });
        match windowed {
            Ok(result) => return Ok((Output::data("bon", input, result, prec.digits), a.common.json)),
            Err(Error::Uncertified { quantity, .. }) if guard(&m, n).is_ok() => {
                note = Some(format!(
                    "the window route could not certify {quantity} at n = {n}; the exact route was used"
                ));
            }
            Err(e) => return Err(e),
        }
    } else if method == route::MethodArg::Window {
        note = Some(
            "the window route needs an ergodic chain and an interior tilt (0 < ln N / n < Delta_max of S_n); the exact \
             route was used"
                .into(),
        );
    }
    let lv = Levels::new(law(&m, n)?);
    let exact = exact_feasible(&lv, &count).map(|k| IntegerBon::new(&lv.law, k));
    let mut result = ziv::run(&prec, |bits| {
        let mut v = bon_value(&lv, &count, exact.as_ref(), view, bits);
        if order {
            if let (Value::Object(items), Value::Object(extra)) = (
                &mut v,
                crate::report::best_of_n::bon_order_value(
                    m.chain.init(),
                    &m.r,
                    &count,
                    exact.is_some(),
                    bits,
                ),
            ) {
                items.extend(extra);
            }
        }
        if let Value::Object(items) = &mut v {
            if !items.iter().any(|(k, _)| k == "method") {
                items.push(("method".into(), Value::Str("exact".into())));
            }
            items.push(("model".into(), Value::Str("markov".into())));
        }
        Ok(v)
    })?;
    route::mark(&mut result, "exact", note);
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
    let method = route::parse_method(a.sample.method.as_deref())?;
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let delta = delta_of(a.budget.parse(false)?, "compare")?;
    let n = seq_len(a.sample.n.as_deref(), None)?;
    let rule = n_rule(a.sample.n_rule.as_deref())?;
    let count = sample_count(a.sample.big_n.as_deref(), rule, n, Some(&delta), &prec)?;
    let ct = ChainTilt::new(&m);
    let result = compare_routed(&m, &ct, &delta, n, &count, method, &prec, |ct, lw, bits| {
        compare_markov_value(ct, lw, &delta, &count, bits)
    })?;
    let mut input = chain_echo(&m, prec.digits);
    input["delta"] = json!(delta.to_string());
    input["n"] = json!(n);
    input["N"] = count_echo(&count);
    input["N_rule"] = json!(rule_name(rule));
    Ok((Output::data("compare", input, result, prec.digits), a.common.json))
}

/// A chain's `compare` (or sweep row) by the route `method` asks for, with the window-to-exact
/// fallback of [`chain_route`]: `exact_value` builds the value from the exact level law; on the
/// window route the same fields come from [`compare_markov_window_value`] (plus the sweep
/// extras when `exact_value` is a sweep row, see [`sweep_extras`]).
#[allow(clippy::too_many_arguments)]
fn compare_routed(
    m: &MarkovModel,
    ct: &ChainTilt,
    delta: &Rational,
    n: u64,
    count: &SampleCount,
    method: route::MethodArg,
    prec: &Precision,
    exact_value: impl Fn(&ChainTilt, &LevelLaw, u32) -> Value,
) -> Result<Value> {
    compare_routed_with(m, ct, delta, n, count, method, prec, false, exact_value)
}

#[allow(clippy::too_many_arguments)]
fn compare_routed_with(
    m: &MarkovModel,
    ct: &ChainTilt,
    delta: &Rational,
    n: u64,
    count: &SampleCount,
    method: route::MethodArg,
    prec: &Precision,
    sweep_row: bool,
    exact_value: impl Fn(&ChainTilt, &LevelLaw, u32) -> Value,
) -> Result<Value> {
    let mut note = None;
    if let Some(pl) = chain_route::chain_plan(ct, delta, n, method, prec.digits) {
        chain_route::chain_window_guard(&pl, n, prec.digits)?;
        let so = ChainOptimum {
            lat: &pl.lat,
            n,
            delta: delta.clone(),
        };
        let windowed = chain_route::run_chain_window(prec, &pl, n, true, |w, bits| {
            let mut v = compare_markov_window_value(ct, &so, w, delta, count, bits);
            if sweep_row {
                sweep_extras(&mut v, delta, n, bits);
            }
            v
        });
        match windowed {
            Ok(v) => return Ok(v),
            Err(Error::Uncertified { quantity, .. }) if guard(m, n).is_ok() => {
                note = Some(format!(
                    "the window route could not certify {quantity} at n = {n}; the exact route was used"
                ));
            }
            Err(e) => return Err(e),
        }
    } else if method == route::MethodArg::Window {
        note = Some(
            "the window route needs an ergodic chain and an interior finite-n optimum (0 < delta < Delta_max of S_n); \
             the exact route was used"
                .into(),
        );
    }
    let lw = law(m, n)?;
    let mut v = ziv::run(prec, |bits| Ok(exact_value(ct, &lw, bits)))?;
    route::mark(&mut v, "exact", note);
    Ok(v)
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
    sweep_extras(&mut v, delta, lw.n, prec);
    v
}

/// The MKV-5 columns of a sweep row, from the `compare` fields of `v` (see [`sweep_row_markov`]).
pub fn sweep_extras(v: &mut Value, delta: &Rational, n: u64, prec: u32) {
    let nr = Rational::from(n);
    let mut extra: Vec<(String, Value)> = Vec::new();
    if let (Some(xs), Some(ll), Some(e)) = (
        get_enc(v, "x_star_limit"),
        get_enc(v, "lambda_limit"),
        get_enc(v, "expected_reward_bon_per_token"),
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
        if let Some(d) = get_enc(v, "kl_bon_tilted") {
            let half = ln_n.mul_rational(&Rational::from((1, 2)), prec);
            extra.push(("asy5".into(), Value::Real(d.sub(&half, prec))));
        }
        if let Some(d) = get_enc(v, "kl_bon_reference") {
            let nd = Enc::from_rational(&Rational::from(delta * &nr), prec);
            extra.push(("asy6_c".into(), Value::Real(nd.sub(&d, prec))));
        }
        if let Some(l) = get_enc(v, "lambda") {
            extra.push(("lambda_gap".into(), Value::Real(l.sub(&ll, prec))));
        }
    }
    if let Value::Object(items) = v {
        items.extend(extra);
    }
}

/// `sweep` for a chain (MKV-5 along n).
pub fn run_sweep(a: SweepArgs, m: MarkovModel) -> Result<(Output, bool)> {
    let method = route::parse_method(a.method.as_deref())?;
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let delta = delta_of(a.budget.parse(false)?, "sweep")?;
    let ns = grid(a.n.as_deref())?;
    let rule = n_rule(a.n_rule.as_deref())?;
    let ct = ChainTilt::new(&m);
    for &n in &ns {
        match chain_route::chain_plan(&ct, &delta, n, method, prec.digits) {
            Some(pl) => chain_route::chain_window_guard(&pl, n, prec.digits)?,
            None => guard(&m, n)?,
        }
    }
    let rows = sweep_rows_routed(&m, &ct, &delta, &ns, rule, method, &prec)?;
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

/// [`sweep_rows`] by the route `method` asks for, with the window-to-exact fallback.
pub fn sweep_rows_routed(
    m: &MarkovModel,
    ct: &ChainTilt,
    delta: &Rational,
    ns: &[u64],
    rule: NRule,
    method: route::MethodArg,
    prec: &Precision,
) -> Result<Vec<Value>> {
    let mut rows = Vec::new();
    for &n in ns {
        let count = sample_count(None, rule, n, Some(delta), prec)?;
        rows.push(compare_routed_with(
            m,
            ct,
            delta,
            n,
            &count,
            method,
            prec,
            true,
            |ct, lw, bits| sweep_row_markov(ct, lw, delta, &count, bits),
        )?);
    }
    Ok(rows)
}

/// The rows of a Markov sweep on the exact route, each certified by its own precision loop.
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

fn show(v: Option<&Value>, d: usize) -> String {
    match v {
        Some(Value::Real(e)) => crate::real::format::certify_decimal(e, d)
            .map(|c| c.value)
            .unwrap_or_else(|| "?".into()),
        Some(Value::Exact(q)) => {
            if *q.denom() == 1 {
                q.to_string()
            } else {
                format!(
                    "{} (= {q})",
                    crate::real::format::rational_to_sig_decimal(q, d, crate::real::format::Dir::Nearest)
                )
            }
        }
        Some(Value::Null) => "null".into(),
        _ => "-".into(),
    }
}

fn mid(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Real(e) if e.is_finite() => Some(e.mid().to_f64()),
        Value::Exact(q) => Some(q.to_f64()),
        _ => None,
    }
}

/// The sticky chain of `demo --markov`: rows `9/10, 1/10; 1/5, 4/5`, rewards `0, 1`.
pub fn sticky_chain() -> MarkovModel {
    let chain = Chain::parse("9/10,1/10;1/5,4/5", None, false).expect("valid chain");
    MarkovModel::new(chain, vec![Rational::new(), Rational::from(1)]).expect("two rewards")
}

/// The grid of `demo --markov`.
pub const DEMO_GRID: [u64; 8] = [10, 20, 40, 80, 160, 320, 640, 1280];

/// `demo --markov`: the sticky chain against the memoryless model with the same stationary law
/// (MATH.md §10), as a table, and with `plots` as `markov.svg` in that directory.
pub fn run_demo(prec: Precision, json_out: bool, plots: Option<&str>) -> Result<(Output, bool)> {
    let d = prec.digits;
    let m = sticky_chain();
    let ct = ChainTilt::new(&m);
    let pi = m.chain.init().to_vec();
    let delta = Rational::from((1, 10));
    let model = crate::exact::dist::Model::new(
        crate::exact::dist::Distribution::new(pi.clone(), false, "--p")?,
        m.r.clone(),
    )?;
    let tm = crate::math::tilt::TiltModel::new(&model);
    let budget = Budget::Delta(delta.clone());
    let lim_mem = ziv::run(&prec, |b| Ok(crate::report::tilt::tilt_value(&tm, &budget, b)))?;
    let lim_ch = ziv::run(&prec, |b| Ok(tilt_markov_value(&ct, &budget, b)))?;
    let grid = DEMO_GRID.to_vec();
    let rows_ch = sweep_rows(&m, &ct, &delta, &grid, NRule::Ceil, &prec)?;
    let rows_mem = super::sweep::rows(&model, &delta, &grid, NRule::Ceil, &prec, false)?;

    let mut t = String::new();
    t.push_str("alignexact demo --markov: a reference model with memory (MATH.md §10)\n");
    t.push_str("sticky chain P = (9/10, 1/10; 1/5, 4/5), rewards r = (0, 1), stationary law (2/3, 1/3), started in it;\n");
    t.push_str("memoryless model with the same stationary law: p = (2/3, 1/3), same rewards. Budget Delta = 1/10 per token.\n");
    t.push_str(&format!(
        "Every digit printed is certified ({d} significant digits in --json).\n\n"
    ));
    t.push_str("1. The limit optimum (n -> inf): TILT-1 for the memoryless model, MKV-3 (psi = ln of the Perron root) for the chain\n");
    t.push_str(&format!(
        "   {:<28} {:>20} {:>20}\n",
        "", "memoryless", "sticky chain"
    ));
    for (label, km, kc) in [
        ("lambda_Delta", "lambda", "lambda"),
        ("x* = per-token reward", "expected_reward", "expected_reward"),
        ("psi(lambda_Delta)", "log_partition", "log_partition"),
        ("psi''(lambda_Delta)", "reward_variance", "reward_variance"),
    ] {
        t.push_str(&format!(
            "   {label:<28} {:>20} {:>20}\n",
            show(lim_mem.get(km), 12),
            show(lim_ch.get(kc), 12)
        ));
    }
    t.push_str("   Same marginal law, same budget: with memory the optimum reaches a far higher reward. Staying in the\n");
    t.push_str("   rewarded state costs only -ln(4/5) = 0.223 nats per token in the limit (the chain's Delta_max), against\n");
    t.push_str(
        "   ln 3 = 1.099 for the memoryless model, so the budget 1/10 buys long runs of the good token.\n\n",
    );
    t.push_str("2. Best-of-N with N = ceil(e^{n Delta}) against the finite-n optimum, per token, along n (MKV-2, MKV-5)\n");
    t.push_str(&format!(
        "   {:>6}  {:>12} {:>12}  {:>12} {:>12}  {:>12} {:>12}\n",
        "n", "E/n memless", "E/n chain", "x*-E/n mem", "x*-E/n chain", "l_n chain", "D(pi||Q)/n ch"
    ));
    for (rm, rc) in rows_mem.iter().zip(&rows_ch) {
        t.push_str(&format!(
            "   {:>6}  {:>12} {:>12}  {:>12} {:>12}  {:>12} {:>12}\n",
            match rc.get("n") {
                Some(Value::Count(n)) => n.to_string(),
                _ => "?".into(),
            },
            show(rm.get("expected_reward_bon_per_token"), 6),
            show(rc.get("expected_reward_bon_per_token"), 6),
            show(rm.get("reward_gap_per_token"), 4),
            show(rc.get("reward_gap_per_token"), 4),
            show(rc.get("lambda"), 6),
            show(rc.get("kl_bon_reference_per_token"), 6),
        ));
    }
    t.push_str("   Best-of-N tracks each model's own optimum: the chain's per-token reward climbs toward its x*, with the\n");
    t.push_str("   gap shrinking like ln n / (2 l_Delta n) as in ASY-4 (measured, not proved: `check MKV-5`), and the\n");
    t.push_str("   finite-n tilt l_n of the chain approaches l_Delta (for the memoryless model l_n = l_Delta at every n).\n");
    let mut plot_paths = Vec::new();
    if let Some(dir) = plots {
        let path = std::path::Path::new(dir).join("markov.svg");
        write_demo_plot(&path, &rows_mem, &rows_ch, &lim_mem, &lim_ch)?;
        t.push_str(&format!(
            "\n3. Plot drawn from certified values: {}\n",
            path.display()
        ));
        plot_paths.push(Value::Str(path.display().to_string()));
    }
    let mut result = obj(vec![
        ("limit_memoryless", lim_mem),
        ("limit_markov", lim_ch),
        ("sweep_memoryless", Value::Array(rows_mem)),
        ("sweep_markov", Value::Array(rows_ch)),
    ]);
    if let (Some(_), Value::Object(items)) = (plots, &mut result) {
        items.push(("plots".into(), Value::Array(plot_paths)));
    }
    Ok((
        Output {
            command: "demo",
            input: json!({"transition": [["9/10", "1/10"], ["1/5", "4/5"]], "r": ["0", "1"], "p": ["2/3", "1/3"],
                          "delta": "1/10", "digits": d, "markov": true}),
            result,
            digits: d,
            exit_code: 0,
            text: Some(t),
        },
        json_out,
    ))
}

fn write_demo_plot(
    path: &std::path::Path,
    mem: &[Value],
    ch: &[Value],
    lm: &Value,
    lc: &Value,
) -> Result<()> {
    use crate::plot::{Figure, Kind, LegendAt, Panel, Series, Style};
    let pts = |rows: &[Value]| -> Vec<(f64, f64)> {
        rows.iter()
            .filter_map(|r| {
                let n = match r.get("n")? {
                    Value::Count(n) => *n as f64,
                    _ => return None,
                };
                Some((n, mid(r.get("expected_reward_bon_per_token"))?))
            })
            .collect()
    };
    let (a, b) = (pts(mem), pts(ch));
    let (x0, x1) = (DEMO_GRID[0] as f64, DEMO_GRID[DEMO_GRID.len() - 1] as f64);
    let xm = mid(lm.get("expected_reward")).unwrap_or(0.0);
    let xc = mid(lc.get("expected_reward")).unwrap_or(1.0);
    let fig = Figure {
        kind: Kind::Convergence,
        title: "Best-of-N per-token reward with and without memory (same stationary law, Delta = 1/10)".into(),
        subtitle: "sticky chain P = (9/10, 1/10; 1/5, 4/5) vs memoryless p = (2/3, 1/3), r = (0, 1), N = ceil(e^{n Delta})"
            .into(),
        size: (900, 560),
        panels: vec![Panel {
            caption: "(1/n) E_{pi_N} S_n along n, with each model's limit x*".into(),
            x_label: "sequence length n".into(),
            y_label: "per-token reward".into(),
            x_log: true,
            y_log: false,
            x_range: (x0, x1),
            y_range: (0.0, 1.0),
            series: vec![
                Series {
                    label: "best-of-N, sticky chain".into(),
                    style: Style::LinePoints,
                    color: 0xD55E00,
                    points: b,
                },
                Series {
                    label: "x* of the chain (MKV-3)".into(),
                    style: Style::Dashed,
                    color: 0xD55E00,
                    points: vec![(x0, xc), (x1, xc)],
                },
                Series {
                    label: "best-of-N, memoryless".into(),
                    style: Style::LinePoints,
                    color: 0x0072B2,
                    points: a,
                },
                Series {
                    label: "x* memoryless (TILT-1)".into(),
                    style: Style::Dashed,
                    color: 0x0072B2,
                    points: vec![(x0, xm), (x1, xm)],
                },
            ],
            notes: vec![],
            legend: LegendAt::LowerRight,
        }],
    };
    crate::plot::write_svg(path, &fig)
}

/// Range of a log axis around positive values (a decade of margin is not needed: 20%).
fn log_range(vals: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = vals
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    (lo.is_finite() && hi > 0.0).then(|| {
        if hi > lo {
            (lo / 1.25, hi * 1.25)
        } else {
            (lo / 2.0, hi * 2.0)
        }
    })
}

/// The flags of `plot` that a chain uses (filled from `--spec` by the caller).
pub struct ChainPlot {
    /// The KIND argument.
    pub kind: Option<String>,
    /// `--out`.
    pub out: Option<String>,
    /// `--delta`.
    pub delta: Option<String>,
    /// `--n`.
    pub n: Option<String>,
    /// `--methods` (refused).
    pub methods: Option<String>,
    /// Precision and output flags.
    pub common: super::Common,
}

/// `plot convergence --transition ...`: best-of-N with `N = ceil(e^{n Delta})` against the
/// chain's finite-n optimum along n (MKV-5), from certified `sweep` rows: the reward gap to the
/// MKV-3 limit `x*` with the ASY-4 analogue `ln n / (2 l_Delta n)`, and `D(pi_N || phi_n)` with
/// ASY-5's `(1/2) ln n`. Needs an ergodic chain and `0 < Delta < Delta_max` of the limit. The
/// other figures are single-token ones (exit 2).
pub fn run_plot(a: ChainPlot, m: MarkovModel) -> Result<(Output, bool)> {
    use crate::plot::{Figure, Kind, LegendAt, Panel, Series, Style};
    let kind = match a.kind.as_deref() {
        None => {
            return Err(Error::input(
                "plot needs a KIND: with --transition, 'convergence' (e.g. alignexact plot convergence --out c.svg ...)",
            ))
        }
        Some(k) => Kind::parse(k).ok_or_else(|| {
            Error::input(format!(
                "unknown plot KIND '{k}': with --transition use 'plot convergence'"
            ))
        })?,
    };
    if kind != Kind::Convergence {
        return Err(Error::input(format!(
            "plot {} is drawn for a memoryless model; with --transition use 'plot convergence' (best-of-N against \
             the chain's finite-n optimum along n)",
            kind.name()
        )));
    }
    if a.methods.is_some() {
        return Err(Error::input(
            "--methods: only 'plot frontier' of a memoryless model draws the methods; drop --methods",
        ));
    }
    let out = a.out.clone().ok_or_else(|| {
        Error::input("--out is required: give the SVG file to write, such as --out convergence.svg")
    })?;
    let path = std::path::Path::new(&out);
    crate::plot::check_target(path, "--out")?;
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let delta = a
        .delta
        .as_deref()
        .map(|d| args::nonnegative("--delta", d))
        .transpose()?
        .ok_or_else(|| {
            Error::input(
                "plot needs a per-token KL budget with --transition: give --delta D (e.g. --delta 1/10)",
            )
        })?;
    super::guard::digits_guard("plot", prec.digits, 10.0)?;
    let ct = ChainTilt::new(&m);
    let lim = ziv::run(&prec, |b| {
        Ok(tilt_markov_value(&ct, &Budget::Delta(delta.clone()), b))
    })?;
    if !matches!(lim.get("regime"), Some(Value::Str(r)) if r == "interior") {
        let why = match (lim.get("regime"), lim.get("notes")) {
            (Some(Value::Str(r)), _) if r == "saturated" => format!(
                "it is at or above the limit's Delta_max = {} (saturated)",
                show(lim.get("delta_max"), 6)
            ),
            (_, Some(Value::Array(n))) if !n.is_empty() => match &n[0] {
                Value::Str(s) => s.clone(),
                _ => String::new(),
            },
            _ => "the budget is 0".into(),
        };
        return Err(Error::input(format!(
            "plot convergence: best-of-N converges to the chain's tilted optimum only for 0 < --delta < the limit's \
             Delta_max of an ergodic chain; got --delta {delta}: {why}"
        )));
    }
    let ns: Vec<u64> = match a.n.as_deref() {
        Some(s) => grid(Some(s))?,
        None => DEMO_GRID.to_vec(),
    };
    let mut distinct = ns.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return Err(Error::input(
            "--n: 'plot convergence' needs at least two sequence lengths, such as --n 10,20,40",
        ));
    }
    for &n in &ns {
        guard(&m, n)?;
    }
    let rows = sweep_rows(&m, &ct, &delta, &ns, NRule::Ceil, &prec)?;
    let pts = |key: &str, positive: bool| -> Vec<(f64, f64)> {
        rows.iter()
            .filter_map(|r| {
                let n = match r.get("n")? {
                    Value::Count(n) => *n as f64,
                    _ => return None,
                };
                let y = mid(r.get(key))?;
                (!positive || y > 0.0).then_some((n, y))
            })
            .collect()
    };
    let gap = pts("reward_gap_per_token", true);
    let pred = pts("asy4_prediction", true);
    let kl = pts("kl_bon_tilted", false);
    let half: Vec<(f64, f64)> = kl.iter().map(|(n, _)| (*n, 0.5 * n.ln())).collect();
    let x0 = *distinct.first().expect("two lengths") as f64;
    let x1 = *distinct.last().expect("two lengths") as f64;
    let y1 = log_range(gap.iter().chain(&pred).map(|p| p.1)).unwrap_or((1e-3, 1.0));
    let (klo, khi) = kl
        .iter()
        .chain(&half)
        .map(|p| p.1)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let pad = ((khi - klo) * 0.1).max(0.05);
    let lam = mid(lim.get("lambda")).unwrap_or(f64::NAN);
    let xs = mid(lim.get("expected_reward")).unwrap_or(f64::NAN);
    let fig = Figure {
        kind: Kind::Convergence,
        title: "Best-of-N against the optimum of a Markov reference along n (MKV-5)".into(),
        subtitle: format!(
            "P = ({}), r = ({}), Delta = {delta}, N = ceil(e^{{n Delta}}); limit l_Delta = {lam:.6}, x* = {xs:.6} (MKV-3)",
            m.chain
                .rows()
                .iter()
                .map(|r| r.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "))
                .collect::<Vec<_>>()
                .join("; "),
            m.r.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
        ),
        size: (900, 820),
        panels: vec![
            Panel {
                caption: "per-token reward gap x* - (1/n) E_{pi_N} S_n and the ASY-4 analogue ln n / (2 l_Delta n)"
                    .into(),
                x_label: "sequence length n".into(),
                y_label: "gap (nats of reward per token)".into(),
                x_log: true,
                y_log: true,
                x_range: (x0, x1),
                y_range: y1,
                series: vec![
                    Series {
                        label: "x* - E/n (certified)".into(),
                        style: Style::LinePoints,
                        color: 0xD55E00,
                        points: gap,
                    },
                    Series {
                        label: "ln n / (2 l_Delta n)".into(),
                        style: Style::Dashed,
                        color: 0x0072B2,
                        points: pred,
                    },
                ],
                notes: vec![],
                legend: LegendAt::UpperRight,
            },
            Panel {
                caption: "D(pi_N || phi_n) against the finite-n optimum and ASY-5's (1/2) ln n".into(),
                x_label: "sequence length n".into(),
                y_label: "KL (nats)".into(),
                x_log: true,
                y_log: false,
                x_range: (x0, x1),
                y_range: (klo - pad, khi + pad),
                series: vec![
                    Series {
                        label: "D(pi_N || phi_n) (certified)".into(),
                        style: Style::LinePoints,
                        color: 0xD55E00,
                        points: kl,
                    },
                    Series {
                        label: "(1/2) ln n".into(),
                        style: Style::Dashed,
                        color: 0x0072B2,
                        points: half,
                    },
                ],
                notes: vec![],
                legend: LegendAt::UpperLeft,
            },
        ],
    };
    crate::plot::write_svg(path, &fig)?;
    let (text, mut result) = fig.written(&out, kind.name(), prec.digits);
    let mut input = chain_echo(&m, prec.digits);
    input["kind"] = json!(kind.name());
    input["delta"] = json!(delta.to_string());
    input["n"] = json!(ns);
    input["out"] = json!(out);
    if let Value::Object(fields) = &mut result {
        fields.push(("model".into(), Value::Str("markov".into())));
    }
    Ok((
        Output {
            command: "plot",
            input,
            result,
            digits: prec.digits,
            exit_code: 0,
            text: Some(text),
        },
        a.common.json,
    ))
}
