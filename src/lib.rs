//! alignexact: exact and certified mathematics of language-model alignment, best-of-N sampling
//! versus KL-constrained RL (arXiv 2404.01730).
//!
//! Layers, bottom to top (nothing below imports anything above):
//! - [`error`]: the error type and exit codes; [`atomic`]: files written atomically;
//! - [`exact`]: exact rationals, parsing, validated distributions, level laws;
//! - [`real`]: enclosures with outward rounding, the precision loop, decimal formatting, and the
//!   result tree [`real::value::Value`] that every layer above builds (rendered by [`report`]);
//! - [`math`]: divergences, the tilted optimum, best-of-N, large deviations, sequences;
//! - [`results`]: the result trees the claims check and the report prints (`compare` fields,
//!   `sweep` rows);
//! - [`claims`]: the MATH.md statements checked by `alignexact check`;
//! - [`vectors`]: the reference-vector suite (its catalogue of cases, the float64 tolerance model,
//!   the suite's files), beside the claims;
//! - [`report`]: JSON and table rendering of result trees;
//! - [`cli`]: flags turned into validated domain values, and the subcommands.
pub mod atomic;
pub mod claims;
pub mod cli;
pub mod error;
pub mod exact;
pub mod math;
pub mod plot;
pub mod real;
pub mod report;
pub mod results;
pub mod vectors;

/// Documentation pages in Markdown, pulled into rustdoc: the README, and for each topic of
/// `proofs/` the statement ids of MATH.md, the derivations the code relies on, and which function
/// implements and which test checks each id.
pub mod docs {
    #[doc = include_str!("../README.md")]
    pub mod readme {}
    #[doc = include_str!("../proofs/README.md")]
    pub mod proofs {}
    #[doc = include_str!("../proofs/enclosures.md")]
    pub mod enclosures {}
    #[doc = include_str!("../proofs/tilt.md")]
    pub mod tilt {}
    #[doc = include_str!("../proofs/sequences.md")]
    pub mod sequences {}
    #[doc = include_str!("../proofs/best_of_n.md")]
    pub mod best_of_n {}
    #[doc = include_str!("../proofs/large_deviations.md")]
    pub mod large_deviations {}
    #[doc = include_str!("../proofs/asymptotics.md")]
    pub mod asymptotics {}
    #[doc = include_str!("../proofs/methods.md")]
    pub mod methods {}
    #[doc = include_str!("../proofs/markov.md")]
    pub mod markov {}
    #[doc = include_str!("../proofs/windowed.md")]
    pub mod windowed {}
}
