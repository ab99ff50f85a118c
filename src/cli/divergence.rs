//! `alignexact divergence --p P --q Q [--alpha A]`.

use super::{args, Common, Output};
use crate::error::{Error, Result};
use crate::math::divergence as dv;
use crate::real::{par, ziv};
use crate::report::{obj, Value};
use clap::Args;
use rug::Rational;
use serde_json::{json, Value as Json};

/// Flags of `divergence`.
#[derive(Args, Clone, Debug, Default)]
pub struct DivergenceArgs {
    /// First distribution P (comma-separated exact numbers)
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub p: Option<String>,
    /// Second distribution Q, same length as --p
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub q: Option<String>,
    /// Rényi order alpha > 0 (exact); alpha = 1 gives the Shannon forms
    #[arg(long, value_name = "A", allow_hyphen_values = true)]
    pub alpha: Option<String>,
    /// Rescale --p and --q exactly to sum 1
    #[arg(long)]
    pub normalize: bool,
    #[command(flatten)]
    pub common: Common,
}

/// Exact strings of a vector.
pub fn exact_strings(v: &[Rational]) -> Vec<String> {
    par::map(v, exact_text)
}

/// The exact string of `q`: `q.to_string()` (`a` or `a/b`), through machine integers when they
/// hold the numerator and the denominator (the same digits, without GMP's conversion).
pub fn exact_text(q: &Rational) -> String {
    match (q.numer().to_i64(), q.denom().to_u64()) {
        (Some(a), Some(1)) => a.to_string(),
        (Some(a), Some(b)) => format!("{a}/{b}"),
        _ => q.to_string(),
    }
}

/// The JSON array of the exact strings of a vector (the value of `json!(exact_strings(v))`,
/// without copying every string a second time).
pub fn exact_json_array(v: &[Rational]) -> Json {
    Json::Array(par::map(v, |q| Json::String(exact_text(q))))
}

/// Run `divergence`.
pub fn run(mut a: DivergenceArgs) -> Result<(Output, bool)> {
    let spec = a.common.load_spec()?;
    spec.fill("p", &mut a.p);
    spec.fill("q", &mut a.q);
    spec.fill("alpha", &mut a.alpha);
    spec.fill_flag("normalize", &mut a.normalize)?;
    let prec = args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let p = args::distribution("--p", a.p.as_deref(), a.normalize)?;
    let q = args::distribution("--q", a.q.as_deref(), a.normalize)?;
    if p.len() != q.len() {
        return Err(Error::input(format!(
            "--q has {} entries but --p has {}; give both distributions on the same alphabet",
            q.len(),
            p.len()
        )));
    }
    let alpha = args::opt_rational("--alpha", a.alpha.as_deref())?;
    if let Some(al) = &alpha {
        if *al <= 0 {
            return Err(Error::input(format!(
                "--alpha: the Rényi order must be > 0, got '{al}'"
            )));
        }
    }
    let (pp, qq) = (p.probs(), q.probs());
    let result = ziv::run(&prec, |bits| Ok(divergence_report(pp, qq, alpha.as_ref(), bits)))?;
    let mut input = json!({"p": exact_json_array(pp), "q": exact_json_array(qq), "digits": prec.digits});
    if let Some(al) = &alpha {
        input["alpha"] = json!(al.to_string());
    }
    Ok((
        Output::data("divergence", input, result, prec.digits),
        a.common.json,
    ))
}

/// The result tree of `divergence` at working precision `prec`.
pub fn divergence_report(p: &[Rational], q: &[Rational], alpha: Option<&Rational>, prec: u32) -> Value {
    // the four Shannon quantities share one logarithm per distinct probability value
    let sh = dv::shannon(p, q, prec);
    let mut fields = vec![
        ("kl", Value::Real(sh.kl)),
        ("kl_reverse", Value::Real(sh.kl_reverse)),
        ("entropy", Value::Real(sh.entropy)),
        ("cross_entropy", Value::Real(sh.cross_entropy)),
    ];
    if let Some(al) = alpha {
        fields.push((
            "renyi_divergence",
            Value::Real(dv::renyi_divergence(p, q, al, prec)),
        ));
        fields.push(("renyi_entropy", Value::Real(dv::renyi_entropy(p, al, prec))));
        fields.push((
            "renyi_cross_entropy",
            Value::Real(dv::renyi_cross_entropy(p, q, al, prec)),
        ));
        fields.push((
            "renyi_cross_entropy_alt",
            Value::Real(dv::renyi_cross_entropy_alt(p, q, al, prec)),
        ));
    }
    obj(fields)
}
