//! Result trees of `bon` and `compare`: they live in [`crate::results::compare`] (below the claims,
//! which check them) and are re-exported here under their report path.

pub use crate::results::compare::*;
