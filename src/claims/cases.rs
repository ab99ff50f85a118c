//! The parameter sets the claim registry runs on: Examples A and B of MATH.md §8
//! ([`example_a`], [`example_b`]) and seeded random models ([`random_case`],
//! [`builtin_cases`]), with the grids of the limit claims.

use crate::error::Result;
use crate::exact::dist::{Distribution, Model};
use crate::math::tilt::TiltModel;
use rug::{Integer, Rational};

/// A splitmix64 stream (the same generator as the tests use).
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// One set of parameters the registry runs on.
#[derive(Clone, Debug)]
pub struct Case {
    /// Short label printed with each claim (`A`, `B`, `R1`, ...).
    pub name: String,
    /// The model.
    pub model: Model,
    /// The model restricted to its support.
    pub tm: TiltModel,
    /// An interior per-token budget `0 < Delta < Delta_max`.
    pub delta: Rational,
    /// Seed of the pseudo-random test points (`phi` of TILT-1/TILT-3, LDP-2 types).
    pub seed: u64,
    /// Small sequence lengths for the finite-n statements (SEQ, BON, LDP-2 bounds).
    pub ns: Vec<u64>,
    /// The grid of n for the limit statements ASY-1 .. ASY-7 (empty: skipped).
    pub grid: Vec<u64>,
    /// The point `x` of the LDP-2 trends (lattice-aligned on `ldp_grid`), if any.
    pub ldp_x: Option<Rational>,
    /// The grid of n for the LDP-2 trends (Chernoff limit, Bahadur-Rao).
    pub ldp_grid: Vec<u64>,
}

impl Case {
    /// A case from exact inputs (`p` must sum to 1, the reward must not be constant).
    pub fn new(name: &str, p: Vec<Rational>, r: Vec<Rational>, delta: Rational, seed: u64) -> Result<Case> {
        let model = Model::new(Distribution::new(p, false, "--p")?, r)?;
        let tm = TiltModel::new(&model);
        Ok(Case {
            name: name.into(),
            model,
            tm,
            delta,
            seed,
            ns: vec![1, 2, 5],
            grid: vec![],
            ldp_x: None,
            ldp_grid: vec![],
        })
    }
}

impl Case {
    /// `p = (1/2, 3/10, 1/5), r = (0, 1, 3), Delta = 3/10`.
    pub fn describe(&self) -> String {
        let j = |v: &[Rational]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
        format!(
            "p = ({}), r = ({}), Delta = {}",
            j(self.model.probs()),
            j(&self.model.r),
            self.delta
        )
    }
}

fn q(a: i64, b: i64) -> Rational {
    Rational::from((a, b))
}

/// The grid of the limit claims: `10, 20, 40, ..., 10240` (11 points, doubling).
pub fn asy_grid() -> Vec<u64> {
    (0..11).map(|k| 10u64 << k).collect()
}

/// The doubling grid `10, 20, 40, ...` up to `max` (the grid of `sweep --n doublings:MAX`).
pub fn doubling_grid(max: u64) -> Vec<u64> {
    (0..63u32)
        .map_while(|k| 10u64.checked_shl(k).filter(|&n| n <= max && n >> k == 10))
        .collect()
}

/// The decade grid `10, 100, 1000, ...` up to `max` (the grid of `sweep --n decades:MAX`).
pub fn decade_grid(max: u64) -> Vec<u64> {
    (1..20u32)
        .map_while(|k| 10u64.checked_pow(k).filter(|&n| n <= max))
        .collect()
}

/// The union of the doubling grid up to 10240 and the decades up to `max`, sorted, without
/// repeats: the grid of the limit claims at large n (`check --n-max MAX`), e.g.
/// `10, 20, ..., 10240, 10^5, 10^6, 10^7` for `max = 10^7`.
pub fn asy_grid_to(max: u64) -> Vec<u64> {
    let mut g = asy_grid();
    g.retain(|&n| n <= max);
    g.extend(decade_grid(max).into_iter().filter(|&n| n > 10240));
    g.sort_unstable();
    g.dedup();
    g
}

/// The grid of the LDP-2 trends: `10, 20, ..., 640`.
pub fn ldp_grid() -> Vec<u64> {
    (0..7).map(|k| 10u64 << k).collect()
}

/// Example A of MATH.md §8: `p = (1/2, 3/10, 1/5)`, `r = (0, 1, 3)`, `Delta = 3/10`.
pub fn example_a() -> Case {
    let mut c = Case::new(
        "A",
        vec![q(1, 2), q(3, 10), q(1, 5)],
        vec![q(0, 1), q(1, 1), q(3, 1)],
        q(3, 10),
        1,
    )
    .expect("valid example");
    c.ns = vec![1, 2, 5, 10];
    c.grid = asy_grid();
    c.ldp_x = Some(q(2, 1));
    c.ldp_grid = ldp_grid();
    c
}

/// Example B of MATH.md §8: `p = (7/10, 3/10)`, `r = (0, 1)`, `Delta = 1/5`.
pub fn example_b() -> Case {
    let mut c =
        Case::new("B", vec![q(7, 10), q(3, 10)], vec![q(0, 1), q(1, 1)], q(1, 5), 2).expect("valid example");
    c.ns = vec![1, 2, 5, 10];
    c.grid = asy_grid();
    c.ldp_x = Some(q(4, 5));
    c.ldp_grid = ldp_grid();
    c
}

/// Default seed of the random cases of `check`.
pub const DEFAULT_SEED: u64 = 2024;
/// Default number of random cases of `check`.
pub const DEFAULT_RANDOM: usize = 12;

/// A seeded random case with `k` tokens: integer weights 1..9 (for `k >= 3`, one token of
/// probability 0 in about a third of the cases), rewards from a small set of rationals (so that
/// ties occur), not constant on the support; budget `Delta = u Delta_max` rounded down to
/// `1/1000` with `u` in `{1/4, 1/2, 3/4}`; sequence lengths `n = 1, 2, 4`.
pub fn random_case(rng: &mut SplitMix64, k: usize, name: &str) -> Case {
    let rewards = [
        q(-2, 1),
        q(-1, 1),
        q(-1, 2),
        q(0, 1),
        q(1, 2),
        q(1, 1),
        q(3, 2),
        q(2, 1),
        q(3, 1),
    ];
    loop {
        let zero = if k >= 3 && rng.below(3) == 0 {
            Some(rng.below(k as u64) as usize)
        } else {
            None
        };
        let w: Vec<u64> = (0..k)
            .map(|i| if Some(i) == zero { 0 } else { 1 + rng.below(9) })
            .collect();
        let total: u64 = w.iter().sum();
        let p: Vec<Rational> = w.iter().map(|&x| Rational::from((x, total))).collect();
        let r: Vec<Rational> = (0..k)
            .map(|_| rewards[rng.below(rewards.len() as u64) as usize].clone())
            .collect();
        let u = q(1 + rng.below(3) as i64, 4);
        let seed = rng.next_u64();
        let Ok(mut c) = Case::new(name, p, r, Rational::new(), seed) else {
            continue;
        };
        if c.tm.is_constant() {
            continue;
        }
        let dmax_lo = c.tm.delta_max(64).lo().to_rational().expect("finite");
        let scaled = Rational::from(&dmax_lo * &u) * Integer::from(1000);
        let delta = Rational::from((scaled.floor().numer().clone(), Integer::from(1000)));
        if delta <= 0 {
            continue;
        }
        c.delta = delta;
        c.ns = vec![1, 2, 4];
        return c;
    }
}

/// The built-in cases of `check`: Examples A and B, then `random` seeded random cases with
/// `k = 2, 3, 4, 2, 3, 4, ...` tokens.
pub fn builtin_cases(seed: u64, random: usize) -> Vec<Case> {
    let mut out = vec![example_a(), example_b()];
    let mut rng = SplitMix64(seed);
    for i in 0..random {
        out.push(random_case(&mut rng, 2 + i % 3, &format!("R{}", i + 1)));
    }
    out
}
