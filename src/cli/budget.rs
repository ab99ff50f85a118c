//! The budget flags `--delta`, `--lambda`, `--beta`, `--exp-lambda`, validated into a [`Budget`].

use super::args;
use super::spec::Spec;
use crate::error::{Error, Result};
pub use crate::math::tilt::Budget;
use clap::Args;

/// The budget flags.
#[derive(Args, Clone, Debug, Default)]
pub struct BudgetArgs {
    /// Per-token KL budget Delta >= 0 (exact)
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    pub delta: Option<String>,
    /// Tilt parameter lambda (exact)
    #[arg(long, value_name = "L", allow_hyphen_values = true)]
    pub lambda: Option<String>,
    /// Regularisation beta > 0, i.e. lambda = 1/beta (TILT-2)
    #[arg(long, value_name = "B", allow_hyphen_values = true)]
    pub beta: Option<String>,
    /// e^lambda as an exact rational T > 0; gives an exact phi when reward differences are integers
    #[arg(long = "exp-lambda", value_name = "T", allow_hyphen_values = true)]
    pub exp_lambda: Option<String>,
}

impl BudgetArgs {
    /// Fill from a spec.
    pub fn fill(&mut self, spec: &Spec) {
        spec.fill("delta", &mut self.delta);
        spec.fill("lambda", &mut self.lambda);
        spec.fill("beta", &mut self.beta);
        spec.fill("exp-lambda", &mut self.exp_lambda);
    }
    /// Validate: at most one budget flag. `None` when none is given.
    pub fn parse(&self, allow_exp: bool) -> Result<Option<Budget>> {
        let given: Vec<&str> = [
            ("--delta", &self.delta),
            ("--lambda", &self.lambda),
            ("--beta", &self.beta),
            ("--exp-lambda", &self.exp_lambda),
        ]
        .iter()
        .filter(|(_, v)| v.is_some())
        .map(|(n, _)| *n)
        .collect();
        if given.len() > 1 {
            return Err(Error::input(format!(
                "{} given together; give only one budget (--delta, --lambda, --beta or --exp-lambda)",
                given.join(" and ")
            )));
        }
        if let Some(d) = &self.delta {
            let d = args::rational("--delta", d)?;
            if d < 0 {
                return Err(Error::input(format!(
                    "--delta: the KL budget must be >= 0, got {d}; use --lambda for a negative tilt"
                )));
            }
            return Ok(Some(Budget::Delta(d)));
        }
        if let Some(l) = &self.lambda {
            return Ok(Some(Budget::Lambda(args::rational("--lambda", l)?)));
        }
        if let Some(b) = &self.beta {
            let b = args::rational("--beta", b)?;
            if b <= 0 {
                return Err(Error::input(format!(
                    "--beta: must be > 0 (lambda = 1/beta), got {b}"
                )));
            }
            return Ok(Some(Budget::Lambda(b.recip())));
        }
        if let Some(t) = &self.exp_lambda {
            if !allow_exp {
                return Err(Error::input(
                    "--exp-lambda is supported by 'tilt' and 'cumulants' only; give the tilt as --lambda L (exact) here",
                ));
            }
            let t = args::rational("--exp-lambda", t)?;
            if t <= 0 {
                return Err(Error::input(format!(
                    "--exp-lambda: e^lambda must be > 0, got {t}"
                )));
            }
            return Ok(Some(Budget::ExpLambda(t)));
        }
        Ok(None)
    }
    /// Validate and require a budget.
    pub fn require(&self, allow_exp: bool, cmd: &str) -> Result<Budget> {
        self.parse(allow_exp)?.ok_or_else(|| {
            Error::input(format!(
                "{cmd} needs a budget: give --delta D (per-token KL, e.g. --delta 3/10), --lambda L or --beta B"
            ))
        })
    }
    /// The per-token KL budget of `compare` and `sweep`, which take `--delta` only: `None` when
    /// it is missing; a tilt flag is refused with advice that the command accepts.
    pub fn delta_only(&self, cmd: &str) -> Result<Option<rug::Rational>> {
        for (flag, v) in [
            ("--lambda", &self.lambda),
            ("--beta", &self.beta),
            ("--exp-lambda", &self.exp_lambda),
        ] {
            if v.is_some() {
                return Err(Error::input(format!(
                    "{flag}: {cmd} takes the per-token KL budget only: give --delta D (e.g. --delta 3/10) instead"
                )));
            }
        }
        match self.parse(false)? {
            Some(Budget::Delta(d)) => Ok(Some(d)),
            _ => Ok(None),
        }
    }
}
