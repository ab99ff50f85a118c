//! `alignexact bon` and `alignexact compare`, with the resource guards.

use super::budget::BudgetArgs;
use super::guard::{figure, seq_cost_lattice, BonWork};
use super::route;
use super::tilt::model_echo;
use super::{args, Common, ModelArgs, Output};
use crate::error::{Error, Result};
use crate::exact::dist::Model;
use crate::exact::level_law::{Lattice, Route};
use crate::math::best_of_n::{integer_n, Levels, NRule};
use crate::math::bon_integer::{self, IntegerBon};
use crate::math::tilt::TiltModel;
use crate::math::top_levels::TOP_MAX;
use crate::real::ziv::{self, Precision};
use crate::report::best_of_n::{bon_order_value, bon_value, compare_value, LevelsView, SampleCount};
use clap::Args;
use rug::{Integer, Rational};
use serde_json::json;

/// Largest sequence length accepted before any estimate (the level law needs `n` in 32 bits).
pub use super::guard::MAX_N;
pub use super::guard::MAX_SECONDS;
/// Largest exact best-of-N law taken whole (moved to [`bon_integer`]).
pub use crate::math::bon_integer::MAX_EXACT_BITS;
/// Largest `n Delta` for an integer `N` from the rule (`N` then has 1.44 n Delta bits).
pub const MAX_N_DELTA: f64 = 1.0e6;

/// Flags shared by `bon` and `compare` for the sample count.
#[derive(Args, Clone, Debug, Default)]
pub struct SampleArgs {
    /// Sequence length n >= 1 (default 1 for bon)
    #[arg(long = "n", value_name = "n", allow_hyphen_values = true)]
    pub n: Option<String>,
    /// Best-of-N sample count N >= 1: an integer (exact results), or a real such as 7/2 (P_N = F^N - F-^N)
    #[arg(long = "N", value_name = "N", allow_hyphen_values = true)]
    pub big_n: Option<String>,
    /// How N follows from n*delta: ceil (default), floor, real (N = e^{n delta} in the closed forms)
    #[arg(long = "N-rule", value_name = "RULE")]
    pub n_rule: Option<String>,
    /// Which levels to list: all, none, or top K (default: top 10 plus the total count)
    #[arg(long, value_name = "all|top K|none")]
    pub levels: Option<String>,
    /// Level-law route: exact, window (certified windows of MATH.md §9, for large n) or auto (default)
    #[arg(long, value_name = "exact|window|auto")]
    pub method: Option<String>,
}

/// Flags of `bon`.
#[derive(Args, Clone, Debug, Default)]
pub struct BonArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub sample: SampleArgs,
    /// Per-token KL budget: with no --N, N follows from --N-rule and n*delta
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    pub delta: Option<String>,
    /// Tie rule: level (uniform among maximisers, default) or order (a fixed token order; n = 1 only)
    #[arg(long, value_name = "level|order")]
    pub ties: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// Flags of `compare`.
#[derive(Args, Clone, Debug, Default)]
pub struct CompareArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub sample: SampleArgs,
    #[command(flatten)]
    pub budget: BudgetArgs,
    #[command(flatten)]
    pub common: Common,
}

pub fn fill_sample(spec: &super::spec::Spec, s: &mut SampleArgs) {
    spec.fill("n", &mut s.n);
    spec.fill("N", &mut s.big_n);
    spec.fill("N-rule", &mut s.n_rule);
    spec.fill("levels", &mut s.levels);
    spec.fill("method", &mut s.method);
}

/// `--levels`.
pub fn levels_view(s: Option<&str>) -> Result<LevelsView> {
    let Some(s) = s else {
        return Ok(LevelsView::Top(10));
    };
    let t = s.trim().to_ascii_lowercase();
    let bad = || {
        Error::input(format!(
            "--levels: expected all, none or top K (e.g. --levels 'top 20'), got '{s}'"
        ))
    };
    match t.as_str() {
        "all" => Ok(LevelsView::All),
        "none" => Ok(LevelsView::None),
        _ => {
            let k = t
                .strip_prefix("top")
                .map(|x| x.trim_start_matches(['=', ' ', ':']))
                .unwrap_or(&t);
            k.trim().parse::<usize>().map(LevelsView::Top).map_err(|_| bad())
        }
    }
}

/// `--N-rule`.
pub fn n_rule(s: Option<&str>) -> Result<NRule> {
    match s.map(|x| x.trim().to_ascii_lowercase()) {
        None => Ok(NRule::Ceil),
        Some(x) if x == "ceil" => Ok(NRule::Ceil),
        Some(x) if x == "floor" => Ok(NRule::Floor),
        Some(x) if x == "real" => Ok(NRule::Real),
        Some(x) => Err(Error::input(format!(
            "--N-rule: expected ceil, floor or real, got '{x}'"
        ))),
    }
}

/// `--n` (default `default`).
pub fn seq_len(s: Option<&str>, default: Option<u64>) -> Result<u64> {
    match s {
        None => {
            default.ok_or_else(|| Error::input("--n is required: give the sequence length, e.g. --n 100"))
        }
        Some(s) => {
            let i = args::positive_integer("--n", s, &Integer::from(MAX_N))?;
            Ok(i.to_u64().unwrap_or(MAX_N))
        }
    }
}

/// Estimate and refuse what the machine cannot do, before computing (exit code 2).
pub fn guard(model: &Model, n: u64, digits: usize) -> Result<()> {
    guard_work(model, n, digits, BonWork::default())
}

/// [`guard`] with what best-of-N does beyond the level law (`log2 N`, levels listed).
pub fn guard_work(model: &Model, n: u64, digits: usize, work: BonWork) -> Result<()> {
    guard_lattice(&Lattice::new(model.probs(), &model.r, n), digits, work)
}

/// [`guard_work`] on the level law's normal form of the model (built once, then shared with the
/// run: `lat.law(Route::Auto)`).
pub fn guard_lattice(lat: &Lattice, digits: usize, work: BonWork) -> Result<()> {
    let n = lat.n();
    let c = seq_cost_lattice(lat, digits, work);
    super::guard::check(
        &format!(
            "n = {n} (the exact level law by the {} route, about {} levels, and best-of-N)",
            c.route,
            figure(c.levels)
        ),
        c.bytes,
        c.seconds,
        &if work.listed > TOP_MAX as f64 {
            // `--levels all` or a long top K: the window route lists the top K <= TOP_MAX of the
            // law at any n
            format!(
                "try --levels top K with K <= {TOP_MAX}, or --levels none (the window route answers them at large n), a smaller --n, or fewer --digits"
            )
        } else {
            "try a smaller --n or fewer --digits".to_string()
        },
    )
}

/// What best-of-N does per level for a sample count `--N` (or `n Delta` when N follows from
/// the budget) and a `--levels` view.
pub fn bon_work(big_n: Option<&str>, n: u64, delta: Option<&Rational>, view: LevelsView) -> BonWork {
    let integer = big_n.and_then(|s| crate::exact::parse::parse_integer(s).ok());
    let log2_n = match &integer {
        Some(i) => i.significant_bits() as f64,
        None => delta.map_or(0.0, |d| d.to_f64() * n as f64 / std::f64::consts::LN_2),
    };
    // an integer --N within u32 may take the exact integer route (`exact_feasible`)
    let integer_n = integer.filter(|i| i.to_u32().is_some()).map(|i| i.to_f64());
    let listed = match view {
        LevelsView::All => f64::INFINITY,
        LevelsView::None => 0.0,
        LevelsView::Top(k) => k as f64,
    };
    BonWork {
        log2_n,
        listed,
        integer_n,
    }
}

pub fn sample_count(
    big_n: Option<&str>,
    rule: NRule,
    n: u64,
    delta: Option<&Rational>,
    prec: &Precision,
) -> Result<SampleCount> {
    if let Some(s) = big_n {
        // a real N >= 1 (an exact rational such as 7/2 or 3.5): P_N = F^N - F-^N
        if let Ok(q) = args::rational("--N", s) {
            if !q.is_integer() {
                if q < 1 {
                    return Err(Error::input(format!(
                        "--N: the sample count must be >= 1, got {q}; e.g. --N 4 or --N 7/2"
                    )));
                }
                return Ok(SampleCount::Frac(q));
            }
        }
        let i = args::positive_integer("--N", s, &(Integer::from(1) << 4_000_000u32))?;
        return Ok(SampleCount::Integer(i));
    }
    let Some(d) = delta else {
        return Err(Error::input(
            "--N is required: give the sample count, e.g. --N 4, or --delta D so that N = ceil(e^{n D})",
        ));
    };
    let x = Rational::from(d * n);
    if rule == NRule::Real {
        if x.to_f64() > 7.0e8 {
            return Err(Error::TooLarge(format!(
                "n*delta = {x} is too large: e^(n delta) exceeds the floating-point exponent range"
            )));
        }
        return Ok(SampleCount::Real(x));
    }
    rounded_count(&x, rule, prec)
}

/// `N = ceil/floor(e^x)` for the rule: the exact integer while it is small enough to form
/// (`x <= MAX_N_DELTA`), else [`SampleCount::Rounded`] (only `N`'s enclosure enters the formulas).
pub fn rounded_count(x: &Rational, rule: NRule, prec: &Precision) -> Result<SampleCount> {
    if rule == NRule::Real {
        return Ok(SampleCount::Real(x.clone()));
    }
    if x.to_f64() > MAX_N_DELTA {
        if x.to_f64() > 7.0e8 {
            return Err(Error::TooLarge(format!(
                "n*delta = {x} is too large: e^(n delta) exceeds the floating-point exponent range"
            )));
        }
        return Ok(SampleCount::Rounded {
            x: x.clone(),
            ceil: rule == NRule::Ceil,
        });
    }
    integer_n(x, rule, prec.cap_bits.max(64))
        .map(SampleCount::Integer)
        .ok_or_else(|| Error::Uncertified {
            quantity: "N = ceil(e^(n delta))".into(),
            digits: 0,
            bits: prec.cap_bits,
            reached: 0,
        })
}

/// The integer `N` for which best-of-N is computed exactly ([`IntegerBon`]): the whole exact law
/// within [`MAX_EXACT_BITS`] (the form every small input has always had), or a law of many levels
/// whose exact `P_N(s_j)` each stay within `bon_integer::MAX_LEVEL_BITS` (streamed: nothing is
/// stored per level, and one exact level costs less than the log-space route's logarithms).
pub fn exact_feasible(lv: &Levels, count: &SampleCount) -> Option<u32> {
    match count {
        SampleCount::Integer(i) => {
            let n = i.to_u32()?;
            bon_integer::takes(bon_integer::level_bits(&lv.law, i), lv.len() as f64).then_some(n)
        }
        _ => None,
    }
}

pub fn count_echo(c: &SampleCount) -> serde_json::Value {
    match c {
        SampleCount::Integer(i) => json!(i.to_string()),
        SampleCount::Real(x) => json!(format!("e^({x})")),
        SampleCount::Rounded { x, ceil: true } => json!(format!("ceil(e^({x}))")),
        SampleCount::Rounded { x, ceil: false } => json!(format!("floor(e^({x}))")),
        SampleCount::Frac(q) => json!(q.to_string()),
    }
}

/// Read `--spec` into the flags of `bon` and check the precision flags (before the chain
/// dispatch of `cli::run_command`).
pub fn fill_bon(a: &mut BonArgs) -> Result<()> {
    let spec = a.common.load_spec()?;
    a.model.fill(&spec)?;
    fill_sample(&spec, &mut a.sample);
    spec.fill("delta", &mut a.delta);
    spec.fill("ties", &mut a.ties);
    args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    Ok(())
}

/// Run `bon` on a memoryless model (flags already filled by [`fill_bon`]).
pub fn run_bon(a: BonArgs) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let model = args::model(a.model.p.as_deref(), a.model.r.as_deref(), a.model.normalize)?;
    let n = seq_len(a.sample.n.as_deref(), Some(1))?;
    let rule = n_rule(a.sample.n_rule.as_deref())?;
    let view = levels_view(a.sample.levels.as_deref())?;
    let delta = a
        .delta
        .as_deref()
        .map(|d| args::nonnegative("--delta", d))
        .transpose()?;
    let order = args::ties_order(a.ties.as_deref())?;
    let mut note: Option<String> = None;
    if order && n > 1 {
        return Err(Error::input(
            "--ties order is defined for a single token (--n 1); for sequences use --ties level",
        ));
    }
    let method = route::parse_method(a.sample.method.as_deref())?;
    let count = sample_count(a.sample.big_n.as_deref(), rule, n, delta.as_ref(), &prec)?;
    // the window route is never taken by `--method exact`, nor by `auto` below its smallest n
    // (`route::plan_for` returns `None` then): the tilt model (exact passes over the k tokens)
    // is built only when a window plan can come out
    let windowless = method == route::MethodArg::Exact
        || (method == route::MethodArg::Auto && n < route::auto_window_min_n(prec.digits));
    // listed levels far from the windows have only Chernoff bounds there, except the top K of
    // a memoryless law, which the window route lists exactly (math::top_levels): `auto` keeps
    // the exact route for a listing, unless the listing is the top K and the exact route is
    // refused (then the window route is the only one that can answer)
    let exact_listing = match view {
        LevelsView::None => false,
        LevelsView::Top(k) if k <= TOP_MAX && !windowless => {
            let work = bon_work(a.sample.big_n.as_deref(), n, delta.as_ref(), view);
            guard_work(&model, n, prec.digits, work).is_ok()
        }
        _ => true,
    };
    let plan = if order || windowless || (exact_listing && method == route::MethodArg::Auto) {
        None
    } else {
        bon_tilt_budget(&count, n)
            .and_then(|d| route::plan_for(&model, &TiltModel::new(&model), &d, n, method, prec.digits))
    };
    if let Some(pl) = &plan {
        route::window_guard(pl, n, prec.digits)?;
        let windowed = route::run_window_with(&prec, pl, n, false, |w, bits| {
            bon_value(w, &count, None, view, bits)
        });
        match windowed {
            Ok(mut result) => {
                route::mark(&mut result, "window", None);
                return Ok(bon_output(
                    &model,
                    &prec,
                    n,
                    &count,
                    order,
                    delta.as_ref(),
                    result,
                    &a,
                ));
            }
            Err(Error::Uncertified { quantity, .. }) if guard(&model, n, prec.digits).is_ok() => {
                note = Some(format!(
                    "the window route could not certify {quantity} at n = {n}; the exact route was used"
                ));
            }
            Err(e) => return Err(e),
        }
    } else if method == route::MethodArg::Window {
        note = Some(
            "the window route needs an interior tilt (0 < ln N / n < Delta_max); the exact route was used"
                .into(),
        );
    }
    // the normal form is built once, for the guard's estimate and for the law
    let lat = Lattice::new(model.probs(), &model.r, n);
    guard_lattice(
        &lat,
        prec.digits,
        bon_work(a.sample.big_n.as_deref(), n, delta.as_ref(), view),
    )?;
    let law = lat.law(Route::Auto);
    drop(lat);
    let lv = Levels::new(law);
    let exact = exact_feasible(&lv, &count).map(|k| IntegerBon::new(&lv.law, k));
    let extra = many_levels_bits(lv.len());
    let mut result = ziv::run(&prec, |bits| {
        let bits = with_extra_bits(bits, extra, &prec);
        let mut v = bon_value(&lv, &count, exact.as_ref(), view, bits);
        if order {
            if let (crate::report::Value::Object(items), crate::report::Value::Object(extra)) = (
                &mut v,
                bon_order_value(model.probs(), &model.r, &count, exact.is_some(), bits),
            ) {
                items.extend(extra);
            }
        }
        Ok(v)
    })?;
    route::mark(&mut result, "exact", note);
    Ok(bon_output(
        &model,
        &prec,
        n,
        &count,
        order,
        delta.as_ref(),
        result,
        &a,
    ))
}

/// Levels from which the exact route starts its precision loop above `--digits`' bits.
pub const MANY_LEVELS: usize = 1 << 17;

/// Guard bits for a law of `len` levels: `2 ceil(log2 len)` from [`MANY_LEVELS`] levels on,
/// else 0. The sums over `len` levels lose about `log2 len` bits to rounding, and the BON-3 gap
/// `ln N - (N-1)/N - D(pi_N || p^n)` shrinks like the squared level spacing (about `len^-2`), so
/// its subtraction cancels about `2 log2 len` more: at 10^6 levels (a vocabulary with distinct
/// rewards, `--n 1`) the first pass at `--digits`' bits certified 22 of 30 digits of it and the
/// loop doubled the precision, a second pass over every level. A heuristic for the starting
/// precision only: the loop still checks every digit, and fewer levels keep the old start.
pub fn many_levels_bits(len: usize) -> u32 {
    if len < MANY_LEVELS {
        0
    } else {
        2 * (usize::BITS - (len - 1).leading_zeros())
    }
}

/// The working precision of a pass: the loop's `bits` plus `extra`, within the cap.
fn with_extra_bits(bits: u32, extra: u32, prec: &Precision) -> u32 {
    bits.max(bits.saturating_add(extra).min(prec.cap_bits))
}

/// The per-token budget `ln N / n` whose tilt puts the first window where best-of-N lives
/// (a rational approximation: the window's position is a heuristic, never a rigour matter).
pub(crate) fn bon_tilt_budget(count: &SampleCount, n: u64) -> Option<Rational> {
    let ln_n = match count {
        SampleCount::Integer(i) => {
            let b = i.significant_bits();
            if b <= 1 {
                return None;
            }
            let shift = b.saturating_sub(64);
            Integer::from(i >> shift).to_f64().ln() + f64::from(shift) * std::f64::consts::LN_2
        }
        SampleCount::Real(x) | SampleCount::Rounded { x, .. } => x.to_f64(),
        SampleCount::Frac(q) => q.to_f64().ln(),
    };
    let d = ln_n / n as f64;
    (d.is_finite() && d > 0.0)
        .then(|| Rational::from_f64(d))
        .flatten()
}

#[allow(clippy::too_many_arguments)]
fn bon_output(
    model: &Model,
    prec: &Precision,
    n: u64,
    count: &SampleCount,
    order: bool,
    delta: Option<&Rational>,
    result: crate::report::Value,
    a: &BonArgs,
) -> (Output, bool) {
    let mut input = model_echo(model, prec.digits);
    input["n"] = json!(n);
    input["N"] = count_echo(count);
    input["ties"] = json!(if order { "order" } else { "level" });
    if let Some(d) = delta {
        input["delta"] = json!(d.to_string());
    }
    (Output::data("bon", input, result, prec.digits), a.common.json)
}

/// Read `--spec` into the flags of `compare` and check the precision flags (before the chain
/// dispatch of `cli::run_command`).
pub fn fill_compare(a: &mut CompareArgs) -> Result<()> {
    let spec = a.common.load_spec()?;
    a.model.fill(&spec)?;
    fill_sample(&spec, &mut a.sample);
    a.budget.fill(&spec);
    args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    Ok(())
}

/// Run `compare` on a memoryless model (flags already filled by [`fill_compare`]).
pub fn run_compare(a: CompareArgs) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let model = args::model(a.model.p.as_deref(), a.model.r.as_deref(), a.model.normalize)?;
    // compare accepts only --delta: do not suggest --lambda/--beta when it is missing
    let Some(delta) = a.budget.delta_only("compare")? else {
        return Err(Error::input(
            "--delta is required: compare needs the per-token KL budget, e.g. --delta 3/10",
        ));
    };
    if a.sample.levels.is_some() {
        return Err(Error::input(
            "--levels: compare lists no levels; use 'alignexact bon' for the law by level",
        ));
    }
    let n = seq_len(a.sample.n.as_deref(), None)?;
    let rule = n_rule(a.sample.n_rule.as_deref())?;
    let method = route::parse_method(a.sample.method.as_deref())?;
    let count = sample_count(a.sample.big_n.as_deref(), rule, n, Some(&delta), &prec)?;
    let tm = TiltModel::new(&model);
    let result = compare_routed(&model, &tm, &delta, n, &count, method, &prec)?;
    let mut input = model_echo(&model, prec.digits);
    input["delta"] = json!(delta.to_string());
    input["n"] = json!(n);
    input["N"] = count_echo(&count);
    input["N_rule"] = json!(match rule {
        NRule::Ceil => "ceil",
        NRule::Floor => "floor",
        NRule::Real => "real",
    });
    Ok((Output::data("compare", input, result, prec.digits), a.common.json))
}

/// `compare` by the route `method` asks for, with the window-to-exact fallback of
/// [`route`] (a field the windows cannot certify is taken from the exact route when that fits,
/// else it is exit 3 naming the field).
pub fn compare_routed(
    model: &Model,
    tm: &TiltModel,
    delta: &Rational,
    n: u64,
    count: &SampleCount,
    method: route::MethodArg,
    prec: &Precision,
) -> Result<crate::report::Value> {
    let mut note = None;
    if let Some(pl) = route::plan_for(model, tm, delta, n, method, prec.digits) {
        route::window_guard(&pl, n, prec.digits)?;
        match route::run_window(prec, &pl, n, |w, bits| compare_value(tm, w, delta, count, bits)) {
            Ok(v) => return Ok(v),
            Err(Error::Uncertified { quantity, .. }) if guard(model, n, prec.digits).is_ok() => {
                note = Some(format!(
                    "the window route could not certify {quantity} at n = {n}; the exact route was used"
                ));
            }
            Err(e) => return Err(e),
        }
    } else if method == route::MethodArg::Window {
        note = Some(
            "the window route needs an interior optimum (0 < delta < Delta_max); the exact route was used"
                .into(),
        );
    }
    let lat = Lattice::new(model.probs(), &model.r, n);
    guard_lattice(
        &lat,
        prec.digits,
        bon_work(None, n, Some(delta), LevelsView::None),
    )?;
    let lv = Levels::new(lat.law(Route::Auto));
    drop(lat);
    let extra = many_levels_bits(lv.len());
    let mut v = ziv::run(prec, |bits| {
        Ok(compare_value(
            tm,
            &lv,
            delta,
            count,
            with_extra_bits(bits, extra, prec),
        ))
    })?;
    route::mark(&mut v, "exact", note);
    Ok(v)
}
