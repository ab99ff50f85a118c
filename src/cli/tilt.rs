//! `alignexact tilt`, `rate` and `cumulants`.

use super::budget::BudgetArgs;
use super::divergence::exact_json_array;
use super::{args, Common, ModelArgs, Output};
use crate::error::{Error, Result};
use crate::exact::dist::Model;
use crate::math::tilt::TiltModel;
use crate::real::ziv;
use crate::report::tilt::{cumulants_value, rate_value, tilt_value};
use clap::Args;
use rug::Integer;
use serde_json::{json, Value as Json};

/// Flags of `tilt`.
#[derive(Args, Clone, Debug, Default)]
pub struct TiltArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub budget: BudgetArgs,
    #[command(flatten)]
    pub common: Common,
}

/// Flags of `rate`.
#[derive(Args, Clone, Debug, Default)]
pub struct RateArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Rate-function argument x (a per-token reward, exact)
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub x: Option<String>,
    #[command(flatten)]
    pub budget: BudgetArgs,
    #[command(flatten)]
    pub common: Common,
}

/// Flags of `cumulants`.
#[derive(Args, Clone, Debug, Default)]
pub struct CumulantsArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub budget: BudgetArgs,
    /// Highest cumulant order M (1 to 200; default 4)
    #[arg(long, value_name = "M", allow_hyphen_values = true)]
    pub order: Option<String>,
    /// Argument t of the scaled cumulant generating function Lambda_Delta(t) (exact)
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    pub t: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

/// Echo of the model.
pub fn model_echo(m: &Model, digits: usize) -> Json {
    json!({"p": exact_json_array(m.probs()), "r": exact_json_array(&m.r), "digits": digits})
}

/// Read `--spec` into the flags of `tilt` and check the precision flags (before the chain
/// dispatch of `cli::run_command`).
pub fn fill_tilt(a: &mut TiltArgs) -> Result<()> {
    let spec = a.common.load_spec()?;
    a.model.fill(&spec)?;
    a.budget.fill(&spec);
    args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    Ok(())
}

/// Run `tilt` on a memoryless model (flags already filled by [`fill_tilt`]).
pub fn run_tilt(a: TiltArgs) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let model = args::model(a.model.p.as_deref(), a.model.r.as_deref(), a.model.normalize)?;
    let budget = a.budget.require(true, "tilt")?;
    let tm = TiltModel::new(&model);
    let result = ziv::run(&prec, |bits| Ok(tilt_value(&tm, &budget, bits)))?;
    let mut input = model_echo(&model, prec.digits);
    budget.echo(&mut input);
    Ok((Output::data("tilt", input, result, prec.digits), a.common.json))
}

/// Read `--spec` into the flags of `rate` and check the precision flags (before the chain
/// dispatch of `cli::run_command`).
pub fn fill_rate(a: &mut RateArgs) -> Result<()> {
    let spec = a.common.load_spec()?;
    a.model.fill(&spec)?;
    a.budget.fill(&spec);
    spec.fill("x", &mut a.x);
    args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    Ok(())
}

/// Run `rate` on a memoryless model (flags already filled by [`fill_rate`]).
pub fn run_rate(a: RateArgs) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let model = args::model(a.model.p.as_deref(), a.model.r.as_deref(), a.model.normalize)?;
    let x = a.x.as_deref().ok_or_else(|| {
        Error::input("rate needs --x X: the per-token reward at which to evaluate the rate functions")
    })?;
    let x = args::rational("--x", x)?;
    let budget = a.budget.parse(false)?;
    let tm = TiltModel::new(&model);
    let result = ziv::run(&prec, |bits| Ok(rate_value(&tm, &x, budget.as_ref(), bits)))?;
    let mut input = model_echo(&model, prec.digits);
    input["x"] = json!(x.to_string());
    if let Some(b) = &budget {
        b.echo(&mut input);
    }
    Ok((Output::data("rate", input, result, prec.digits), a.common.json))
}

/// Read `--spec` into the flags of `cumulants` and check the precision flags (before the chain
/// dispatch of `cli::run_command`).
pub fn fill_cumulants(a: &mut CumulantsArgs) -> Result<()> {
    let spec = a.common.load_spec()?;
    a.model.fill(&spec)?;
    a.budget.fill(&spec);
    spec.fill("order", &mut a.order);
    spec.fill("t", &mut a.t);
    args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    Ok(())
}

/// Run `cumulants` on a memoryless model (flags already filled by [`fill_cumulants`]).
pub fn run_cumulants(a: CumulantsArgs) -> Result<(Output, bool)> {
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let model = args::model(a.model.p.as_deref(), a.model.r.as_deref(), a.model.normalize)?;
    let budget = a.budget.require(true, "cumulants")?;
    let order = match a.order.as_deref() {
        None => 4,
        Some(s) => args::positive_integer("--order", s, &Integer::from(200))?
            .to_usize()
            .unwrap_or(4),
    };
    let t = args::opt_rational("--t", a.t.as_deref())?;
    let tm = TiltModel::new(&model);
    let r_all = model.r.clone();
    let result = ziv::run(&prec, |bits| {
        Ok(cumulants_value(&tm, &r_all, &budget, order, t.as_ref(), bits))
    })?;
    let mut input = model_echo(&model, prec.digits);
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
