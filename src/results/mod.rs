//! The result trees that the claims compare and the report prints: the `compare`/`bon` fields and
//! the `sweep` rows, built from the mathematics as [`crate::real::value::Value`] trees (field
//! names of INTERFACE.md). This layer sits between `math` and `claims`: the limit claims check
//! the very rows that `alignexact sweep` prints, and `report` re-exports both modules under their
//! old paths (`report::best_of_n`, `report::sweep`).

pub mod compare;
pub mod sweep;
