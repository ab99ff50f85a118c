//! The level-law seam: how best-of-N, `compare`, `sweep` and the claims see the law of `S_n`.
//!
//! Every best-of-N and optimum quantity depends on the reference only through the level law of
//! `S_n` (SEQ-3). A [`LevelSource`] gives that law as
//! - a run of **listed** levels `s_0 < s_1 < ... < s_{L-1}` (consecutive levels of the law: no level
//!   of positive probability lies strictly between two listed ones), each with its exact reward and
//!   enclosures of its reference probability `P_S(s_j)`, its CDF `F(s_j) = P(S <= s_j)` and the
//!   ratio `q_j = P_S(s_j) / F(s_j)` (so that `F(s_j-) = F(s_j) (1 - q_j)` without cancellation);
//! - rigorous bounds for everything **unlisted**: the mass `P(S < s_0)` below and `P(S > s_{L-1})`
//!   above, and the range `[n r_min, n r_max]` of every level;
//! - optionally, an enclosure of the part of the reverse KL `D(phi^n || pi_N)` that its listed
//!   levels do not carry accurately (its summand lives far below best-of-N's levels, WIN-4).
//!
//! Sources:
//! - the exact law (SEQ-2, [`crate::math::best_of_n::Levels`]): every level listed, nothing
//!   unlisted, exact rationals available through [`LevelSource::exact_law`];
//! - the windowed law (WIN-1..WIN-4, [`crate::math::window::WindowLaw`]): the levels of a window
//!   of the tilted power at `theta = h l_Delta`, Chernoff and mass-accounting bounds outside;
//! - a reference model with memory (MATH.md §10) plugs in the same way: an exact source needs only
//!   its levels and their probabilities (implement [`LevelSource::visit`] from exact CDF
//!   numerators, as [`crate::math::best_of_n::Levels`] does, and keep the defaults for the rest).

use crate::exact::level_law::LevelLaw;
use crate::math::tilt::Optimum;
use crate::math::top_levels::TopLevels;
use crate::real::Enc;
use rug::{Integer, Rational};

/// Which route produced a level law (the `method` field of the results).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The exact level law (SEQ-2).
    Exact,
    /// The certified windows of MATH.md §9 (WIN-1..WIN-4).
    Window,
}

impl Method {
    /// The name used in JSON (`"exact"`, `"window"`).
    pub fn name(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Window => "window",
        }
    }
}

/// The reference probabilities of one listed level, as enclosures at a working precision.
#[derive(Clone, Debug)]
pub struct LevelProbs {
    /// `ln P_S(s_j)`.
    pub ln_ps: Enc,
    /// `ln F(s_j)`, `F(s) = P(S <= s)` (formed without `1 - T` cancellation by the source).
    pub ln_f: Enc,
    /// `F(s_j)`.
    pub f: Enc,
    /// `q_j = P_S(s_j) / F(s_j)` in `(0, 1]`: `F(s_j-) = F(s_j) (1 - q_j)`.
    pub q: Enc,
    /// `F(s_j-) = 0` exactly (`s_j` is the lowest level of the law).
    pub first: bool,
    /// `F(s_j) = 1` exactly (`s_j` is the highest level of the law).
    pub top: bool,
}

/// An `f64` view of one listed level, for choosing its working precision only (never enters an
/// enclosure, see [`crate::math::level_precision`]).
#[derive(Clone, Copy, Debug)]
pub struct ScoutLevel {
    /// About `ln P_S(s_j)` (`-inf`: zero).
    pub ln_ps: f64,
    /// About `ln T(s_j)`, `T(s) = P(S > s)` (`-inf`: zero).
    pub ln_t: f64,
    /// About the reward `s_j`.
    pub reward: f64,
}

/// Rigorous bounds for the unlisted levels.
#[derive(Clone, Debug)]
pub struct Unlisted {
    /// `P(S < s_0)` and its logarithm; `None` when it is exactly 0.
    pub below: Option<(Enc, Enc)>,
    /// `P(S > s_{L-1})`; `None` when it is exactly 0.
    pub above: Option<Enc>,
}

impl Unlisted {
    /// Nothing unlisted (an exact source listing every level).
    pub fn none() -> Unlisted {
        Unlisted {
            below: None,
            above: None,
        }
    }
    /// True when every level is listed.
    pub fn is_empty(&self) -> bool {
        self.below.is_none() && self.above.is_none()
    }
}

/// What the unlisted part of the reverse KL `D(phi_l^n || pi_N)` depends on.
#[derive(Clone, Debug)]
pub struct ReverseKlCtx<'a> {
    /// The tilt `l` of the optimum (an enclosure, `l > 0`).
    pub l: &'a Enc,
    /// `n psi(l)`.
    pub n_psi: &'a Enc,
    /// The sample count `N >= 1`.
    pub n_samples: &'a Enc,
    /// `ln N`.
    pub ln_n: &'a Enc,
}

/// The sequence-level optimum that `compare` measures best-of-N against: the tilt `l` of
/// `phi ∝ p^n e^{l S_n}` with `D(phi || p^n) = n Delta`, and `Lambda_n(l) = ln E e^{l S_n}`.
/// For a memoryless model `Lambda_n = n psi` and `l = l_Delta` (TILT-1, SEQ-1); for a chain the
/// finite-n `l_n` of MKV-2 ([`crate::math::markov_window::ChainOptimum`]).
pub trait SeqOptimum {
    /// The optimum at the budget this was built for; `None` when not certified at `prec`.
    fn optimum(&self, prec: u32) -> Option<Optimum>;
    /// `(Lambda_n(l), Lambda_n'(l) = E_{phi_l} S_n)` at an enclosure of `l`.
    fn psi_mu(&self, l: &Enc, prec: u32) -> (Enc, Enc);
    /// `E_{p^n} S_n` exactly (the reference regime and `N = 1`), when available.
    fn mean_total(&self) -> Option<Rational>;
    /// `n r_max` exactly (the saturated regime), when available.
    fn r_max_total(&self) -> Option<Rational>;
    /// `n Delta_max` (the saturated regime), when available.
    fn delta_max_total(&self, prec: u32) -> Option<Enc>;
}

/// A level law of `S_n` as consumed by best-of-N and the optimum (see the module documentation).
///
/// Contract: the listed levels are consecutive levels of the law (strictly increasing rewards,
/// none of positive probability in between); every enclosure contains the true value for every
/// precision; [`LevelSource::unlisted`] bounds the mass outside rigorously.
pub trait LevelSource {
    /// Which route this is.
    fn method(&self) -> Method;
    /// The sequence length `n`.
    fn n(&self) -> u64;
    /// Number of listed levels (at least 1).
    fn len(&self) -> usize;
    /// True when nothing is listed (never for a built source).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The common denominator `L` of the listed rewards: `s_j = level(j) / scale()`.
    fn scale(&self) -> Integer;
    /// The listed reward `s_j` times [`LevelSource::scale`], an exact integer.
    fn level(&self, j: usize) -> Integer;
    /// The exact reward `s_j` of listed level `j`.
    fn reward(&self, j: usize) -> Rational {
        Rational::from((self.level(j), self.scale()))
    }
    /// The exact range `[n r_min, n r_max]` of `S_n` over the support (every level, listed or not).
    fn reward_range(&self) -> (Rational, Rational);
    /// Visit the listed levels in increasing order with their probabilities at `prec`; when `sel`
    /// is given only the levels `j` with `sel[j]` are visited.
    fn visit(&self, prec: u32, sel: Option<&[bool]>, f: &mut dyn FnMut(usize, LevelProbs));
    /// [`LevelSource::visit`] of every listed level, level `j` at its own precision `precs[j]`
    /// (at most `prec`). The default ignores `precs` and visits at `prec`.
    fn visit_at(&self, prec: u32, precs: &[u32], f: &mut dyn FnMut(usize, LevelProbs)) {
        let _ = precs;
        self.visit(prec, None, f)
    }
    /// An `f64` scout of the listed levels (their working precision only), when the source has a
    /// cheap one. The default is `None` (every level at the uniform precision).
    fn scout(&self) -> Option<Vec<ScoutLevel>> {
        None
    }
    /// The largest reverse-KL error driver (natural log, see
    /// [`crate::math::level_precision::reverse_top`]) of the levels that
    /// [`LevelSource::reverse_kl_rest`] sums outside this listing, for `ln N`, the tilt `l` and
    /// `n psi(l)`; `-inf` when none (the default).
    /// The same source listing only its levels `lo..=hi` (listed indices), the others moved to
    /// the unlisted bounds; `None` when the source cannot (the default).
    fn restricted_source(&self, lo: usize, hi: usize) -> Option<Box<dyn LevelSource + '_>> {
        let _ = (lo, hi);
        None
    }
    fn reverse_scout_top(&self, ln_n: f64, l: f64, n_psi: f64) -> f64 {
        let _ = (ln_n, l, n_psi);
        f64::NEG_INFINITY
    }
    /// Bounds for the unlisted mass at `prec`.
    fn unlisted(&self, prec: u32) -> Unlisted;
    /// The reverse KL `D(phi^n || pi_N) = sum_s Phi(s) ln(Phi(s) / P_N(s))` outside the listed
    /// levels `first..`: returns `(enclosure of that part, first)`. The caller adds the listed terms
    /// `j >= first`. A source may take over a prefix of its listed levels (`first > 0`) when it has
    /// a more accurate view of them (the windowed law's second window, WIN-4). `None` when this
    /// source cannot bound the part (the field is then not certified by this route). The default
    /// is exact 0 with `first = 0` when nothing is unlisted.
    fn reverse_kl_rest(&self, ctx: &ReverseKlCtx, prec: u32) -> Option<(Enc, usize)> {
        let _ = ctx;
        self.unlisted(prec).is_empty().then(|| (Enc::zero(prec), 0))
    }
    /// The exact law, when this source has one (enables exact rationals in the results).
    fn exact_law(&self) -> Option<&LevelLaw> {
        None
    }
    /// The number of levels of the whole law (values of `S_n` with positive probability), when
    /// known: every level for an exact source ([`LevelSource::len`]); a windowed source lists
    /// only some, and says `None` (the default for [`Method::Window`]) unless it can count them.
    fn law_levels(&self) -> Option<u64> {
        (self.method() != Method::Window).then(|| self.len() as u64)
    }
    /// The `k` highest levels of the law, exactly ([`TopLevels`]), when this source can give them
    /// (a memoryless window, whose own listing stops far below the top at large `n`). The
    /// default is `None`.
    fn top_levels(&self, k: usize) -> Option<TopLevels> {
        let _ = k;
        None
    }
}

/// The listed level of each index as an enclosure of its reward (helper for sums).
pub fn reward_enc(src: &dyn LevelSource, j: usize, prec: u32) -> Enc {
    Enc::from_rational(&src.reward(j), prec)
}
