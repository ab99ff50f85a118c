//! The certified-real core: enclosures with outward rounding, the precision loop, formatting.
//!
//! Contract (as in Arb): every [`enclosure::Enc`] returned by a function of this crate contains
//! the mathematically exact value of the quantity it stands for.
pub mod enclosure;
pub mod format;
pub mod par;
pub mod round;
pub mod value;
pub mod ziv;

pub use enclosure::Enc;
