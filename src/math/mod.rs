//! The mathematics of MATH.md, on top of the exact and certified-real cores.
pub mod asymptotics;
pub mod best_of_n;
pub mod best_of_poisson;
pub mod divergence;
pub mod large_deviations;
pub mod level_policy;
pub mod level_source;
pub mod markov;
pub mod perron;
pub mod soft_best_of_n;
pub mod tilt;
pub mod tilt_fast;
pub mod win_rate_optimal;
pub mod window;
