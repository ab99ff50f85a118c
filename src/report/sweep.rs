//! The `sweep` rows: they live in [`crate::results::sweep`] (below the claims, which check them)
//! and are re-exported here under their report path.

pub use crate::results::sweep::*;
