//! `alignexact demo`: the built-in paper example. Until the tilt and best-of-N parts exist it runs
//! the divergence example of the README.

use super::{divergence, Common, Output};
use crate::error::Result;
use crate::real::ziv;
use clap::Args;
use rug::Rational;
use serde_json::json;

/// Flags of `demo`.
#[derive(Args, Clone, Debug, Default)]
pub struct DemoArgs {
    #[command(flatten)]
    pub common: Common,
}

/// Run `demo`.
pub fn run(mut a: DemoArgs) -> Result<(Output, bool)> {
    a.common.load_spec()?;
    let prec = super::args::precision(a.common.digits.as_deref(), a.common.max_bits.as_deref())?;
    let p: Vec<Rational> = vec![(1, 2).into(), (1, 3).into(), (1, 6).into()];
    let q: Vec<Rational> = vec![(1, 3).into(), (1, 3).into(), (1, 3).into()];
    let two = Rational::from(2);
    let result = ziv::run(&prec, |bits| {
        Ok(divergence::divergence_report(&p, &q, Some(&two), bits))
    })?;
    let mut text = String::from(
        "alignexact demo: divergences of p = (1/2, 1/3, 1/6) from the uniform q, alpha = 2\n\
         (the paper's story on Example A arrives with the tilt and best-of-N commands)\n\n",
    );
    text.push_str(&result.to_table(prec.digits));
    Ok((
        Output {
            command: "demo",
            input: json!({"p": divergence::exact_strings(&p), "q": divergence::exact_strings(&q), "alpha": "2", "digits": prec.digits}),
            result,
            digits: prec.digits,
            exit_code: 0,
            text: Some(text),
        },
        a.common.json,
    ))
}
