//! Claims: each statement of MATH.md as a function returning certified lhs, rhs, margin and a
//! status. Used by `check`.
//!
//! - [`claim`]: a [`Claim`], its [`Status`] (holds / agrees / violated / undecided, see that
//!   module) and the shared machinery that decides one ([`equality`], [`inequality`],
//!   [`claim::combine`], [`settle`], ...);
//! - [`cases`]: the models the registry runs on;
//! - the families, one file per group of MATH.md statements: [`tilt`] (TILT-1..4, LDP-1, LDP-3,
//!   LDP-4), [`sequences`] (SEQ-1..3), [`best_of_n`] (BON-1..6), [`large_deviations`] (LDP-2),
//!   [`asymptotics`] (ASY-1..7), with the grid series [`series`] and the lattice-Gumbel limit
//!   [`lattice_limit`] the limit claims compare against;
//! - [`registry`]: lists the families by statement id (it imports them; they never import it).

pub mod asymptotics;
pub mod best_of_n;
pub mod cases;
pub mod claim;
pub mod large_deviations;
pub mod lattice_limit;
pub mod markov;
pub mod methods;
pub mod registry;
pub mod sequences;
pub mod series;
pub mod tilt;
pub mod windowed;

pub use claim::{
    agreeing_digits, equality, inequality, settle, settle_all, tolerance, try_settle, value_enc, Claim,
    Status,
};
