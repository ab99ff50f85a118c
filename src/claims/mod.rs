//! Claims: each statement of MATH.md as a function returning certified lhs, rhs, margin and a
//! status. Used by `check`.
pub mod tilt;
