//! alignexact: exact and certified mathematics of language-model alignment, best-of-N sampling
//! versus KL-constrained RL (arXiv 2404.01730).
//!
//! Layers, bottom to top (nothing below imports anything above):
//! - [`error`]: the error type and exit codes;
//! - [`exact`]: exact rationals, parsing, validated distributions, level laws;
//! - [`real`]: enclosures with outward rounding, the precision loop, decimal formatting;
//! - [`math`]: divergences, the tilted optimum, best-of-N, large deviations, sequences;
//! - [`report`]: result trees, JSON and table rendering;
//! - [`cli`]: flags turned into validated domain values, and the subcommands.
pub mod claims;
pub mod cli;
pub mod error;
pub mod exact;
pub mod math;
pub mod plot;
pub mod real;
pub mod report;
