//! The exact core: rationals, parsing, validated distributions, level laws.
pub mod dist;
pub mod hash;
pub mod level_law;
pub mod markov;
pub mod parse;
