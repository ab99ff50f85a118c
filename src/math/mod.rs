//! The mathematics of MATH.md, on top of the exact and certified-real cores.
pub mod asymptotics;
pub mod best_of_n;
pub mod divergence;
pub mod large_deviations;
pub mod level_source;
pub mod markov;
pub mod tilt;
pub mod window;
