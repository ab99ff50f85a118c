//! `alignexact check [ID ...]`: the claim registry run on the built-in examples.

use super::{args, Common, Output};
use crate::claims::{settle_all, Claim, Status};
use crate::error::Result;
use crate::math::tilt::TiltModel;
use crate::real::ziv::Precision;
use crate::report::{obj, Value};
use clap::Args;
use serde_json::json;

/// Flags of `check`.
#[derive(Args, Clone, Debug, Default)]
pub struct CheckArgs {
    /// Statement ids of MATH.md to check (default: all)
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub common: Common,
}

/// The claims shown by `demo`: the tilt and large-deviation claims on Example A.
pub fn demo_claims(prec: &Precision) -> Result<Vec<Claim>> {
    let (model, delta) = super::demo::example_a();
    let tm = TiltModel::new(&model);
    let r_all = model.r.clone();
    settle_all(
        |bits| crate::claims::tilt::standard(&tm, &r_all, &delta, 1, bits),
        prec.start_bits().max(128),
        prec.cap_bits.min(1 << 14),
    )
}

/// Run `check`.
pub fn run(mut a: CheckArgs) -> Result<(Output, bool)> {
    a.common.load_spec()?;
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let claims: Vec<Claim> = demo_claims(&prec)?
        .into_iter()
        .filter(|c| a.ids.is_empty() || a.ids.iter().any(|id| c.id.starts_with(id.as_str())))
        .collect();
    let violated = claims.iter().any(|c| c.status == Status::Violated);
    let mut text = String::new();
    for c in &claims {
        text.push_str(&format!(
            "{:<10} {:<16} {}\n",
            c.status.as_str(),
            c.id,
            c.statement
        ));
    }
    Ok((
        Output {
            command: "check",
            input: json!({"ids": a.ids, "digits": prec.digits}),
            result: obj(vec![(
                "claims",
                Value::Array(claims.iter().map(|c| c.to_value()).collect()),
            )]),
            digits: prec.digits,
            exit_code: if violated { 1 } else { 0 },
            text: Some(text),
        },
        a.common.json,
    ))
}
