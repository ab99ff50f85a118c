//! The claim registry: one entry per statement id of MATH.md (TILT-1 .. ASY-7, 24 ids), each
//! with a function that runs the claims of that id on one [`Case`] at a working precision.
//! `alignexact check` runs every entry on the built-in cases: Examples A and B of MATH.md §8 and
//! a few seeded random models ([`builtin_cases`]).
//!
//! A [`Context`] holds one case and caches what several entries share (the tilt claims of
//! [`crate::claims::tilt::standard`], the sweep series of the limit claims), keyed by precision,
//! so that `check` computes each of them once per precision. [`run_entry`] settles an entry's
//! claims with [`crate::claims::settle_all`] (the precision doubles while one is undecided).
//!
//! Helpers shared by the claim modules are here too: [`combine`] (one claim standing for many
//! instances: the worst one), [`strict`] (a certified strict inequality), [`exact_eq`] (an
//! equality of exact rationals) and [`max_enc`] / [`min_enc`] (enclosures of a max or min).

use super::asymptotics as ca;
use super::best_of_n as cb;
use super::sequences as cs;
use super::{settle_all, tilt as ct, Claim, Status};
use crate::error::Result;
use crate::exact::dist::{Distribution, Model};
use crate::math::tilt::TiltModel;
use crate::real::round::{fmax, fmin};
use crate::real::Enc;
use crate::report::Value;
use rug::{Float, Integer, Rational};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

// ---------------------------------------------------------------------------------------------
// helpers shared by the claim modules
// ---------------------------------------------------------------------------------------------

/// What kind of comparison a group of claims made (decides which instance is the worst).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `lhs = rhs`: the worst instance has the largest `|lhs - rhs|` bound.
    Equality,
    /// `lhs <= rhs` (or `<`): the worst instance has the smallest lower end of the margin.
    Inequality,
}

/// The largest absolute value of an endpoint (the bound on `|x|` an enclosure gives).
fn abs_bound(e: &Enc) -> Float {
    let a = Float::with_val(e.prec(), e.lo().abs_ref());
    let b = Float::with_val(e.prec(), e.hi().abs_ref());
    fmax(&a, &b)
}

fn margin_enc(c: &Claim) -> Option<Enc> {
    super::value_enc(&c.margin, 64)
}

/// One claim standing for several instances of the same statement (e.g. one per `n`): the
/// instance that decides the verdict (a violated one, else an undecided one, else the one with
/// the least room), re-labelled with `id` and `statement`. An empty group gives `None`.
pub fn combine(id: &str, statement: &str, kind: Kind, claims: Vec<Claim>) -> Option<Claim> {
    let pick = |st: Status| claims.iter().position(|c| c.status == st);
    let idx = pick(Status::Violated)
        .or_else(|| pick(Status::Undecided))
        .or_else(|| {
            let mut best: Option<(usize, Float)> = None;
            for (i, c) in claims.iter().enumerate() {
                let Some(m) = margin_enc(c) else { continue };
                // a score where smaller means less room
                let score = match kind {
                    Kind::Equality => -abs_bound(&m),
                    Kind::Inequality => m.lo().clone(),
                };
                if best.as_ref().is_none_or(|(_, s)| score < *s) {
                    best = Some((i, score));
                }
            }
            best.map(|(i, _)| i)
                .or(if claims.is_empty() { None } else { Some(0) })
        })?;
    let mut c = claims[idx].clone();
    c.id = id.to_string();
    c.statement = statement.to_string();
    Some(c)
}

/// A certified strict inequality `lhs < rhs`: holds when `rhs - lhs` is certified `> 0`,
/// violated when it is certified `<= 0`, undecided otherwise. The margin is `rhs - lhs`.
pub fn strict(id: &str, statement: &str, lhs: Value, rhs: Value, prec: u32) -> Claim {
    let (Some(a), Some(b)) = (super::value_enc(&lhs, prec), super::value_enc(&rhs, prec)) else {
        return Claim::unknown(id, statement, prec);
    };
    let d = b.sub(&a, prec);
    let status = if *d.lo() > 0 {
        Status::Holds
    } else if *d.hi() <= 0 {
        Status::Violated
    } else {
        Status::Undecided
    };
    Claim {
        id: id.into(),
        statement: statement.into(),
        lhs,
        rhs,
        margin: Value::Real(d),
        status,
    }
}

/// An equality of two exact rationals, decided exactly (`==`); the margin is the exact
/// difference `lhs - rhs`.
pub fn exact_eq(id: &str, statement: &str, lhs: Rational, rhs: Rational) -> Claim {
    let d = Rational::from(&lhs - &rhs);
    let status = if d == 0 { Status::Holds } else { Status::Violated };
    Claim {
        id: id.into(),
        statement: statement.into(),
        lhs: Value::Exact(lhs),
        rhs: Value::Exact(rhs),
        margin: Value::Exact(d),
        status,
    }
}

/// An inequality `lhs <= rhs` of two exact rationals, decided exactly; the margin is the exact
/// difference `rhs - lhs`.
pub fn exact_le(id: &str, statement: &str, lhs: Rational, rhs: Rational) -> Claim {
    let d = Rational::from(&rhs - &lhs);
    let status = if d >= 0 { Status::Holds } else { Status::Violated };
    Claim {
        id: id.into(),
        statement: statement.into(),
        lhs: Value::Exact(lhs),
        rhs: Value::Exact(rhs),
        margin: Value::Exact(d),
        status,
    }
}

/// An enclosure of `max_i x_i` (`None` for an empty list).
pub fn max_enc(xs: &[Enc]) -> Option<Enc> {
    let mut it = xs.iter();
    let first = it.next()?.clone();
    Some(it.fold(first, |m, x| Enc::new(fmax(m.lo(), x.lo()), fmax(m.hi(), x.hi()))))
}

/// An enclosure of `min_i x_i` (`None` for an empty list).
pub fn min_enc(xs: &[Enc]) -> Option<Enc> {
    let mut it = xs.iter();
    let first = it.next()?.clone();
    Some(it.fold(first, |m, x| Enc::new(fmin(m.lo(), x.lo()), fmin(m.hi(), x.hi()))))
}

/// An enclosure of `|x|`.
pub fn abs_enc(x: &Enc) -> Enc {
    let p = x.prec();
    if *x.lo() >= 0 {
        x.clone()
    } else if *x.hi() <= 0 {
        x.neg()
    } else {
        Enc::new(Float::new(p), abs_bound(x))
    }
}

/// `x` rendered for a statement: `n = 1, 2, 5`.
pub fn list_text(xs: &[u64]) -> String {
    xs.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ")
}

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

// ---------------------------------------------------------------------------------------------
// cases
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// context and entries
// ---------------------------------------------------------------------------------------------

/// One case with the caches its entries share.
pub struct Context {
    /// The parameters.
    pub case: Case,
    tilt: RefCell<HashMap<u32, Rc<Result<Vec<Claim>>>>>,
    series: RefCell<HashMap<u32, Rc<Option<ca::Series>>>>,
}

impl Context {
    /// A context for `case` with empty caches.
    pub fn new(case: Case) -> Context {
        Context {
            case,
            tilt: RefCell::new(HashMap::new()),
            series: RefCell::new(HashMap::new()),
        }
    }

    /// The claims of [`ct::standard`] at `prec` (computed once per precision).
    pub fn tilt_claims(&self, prec: u32) -> Rc<Result<Vec<Claim>>> {
        if let Some(v) = self.tilt.borrow().get(&prec) {
            return v.clone();
        }
        let c = &self.case;
        let v = Rc::new(ct::standard(&c.tm, &c.model.r, &c.delta, c.seed, prec));
        self.tilt.borrow_mut().insert(prec, v.clone());
        v
    }

    /// The best-of-N sweep along the case's grid at `prec` (computed once per precision);
    /// `None` when the case has no grid or the precision did not suffice.
    pub fn series(&self, prec: u32) -> Rc<Option<ca::Series>> {
        if let Some(v) = self.series.borrow().get(&prec) {
            return v.clone();
        }
        let c = &self.case;
        let v = Rc::new(if c.grid.is_empty() {
            None
        } else {
            ca::Series::compute(&c.model, &c.tm, &c.delta, &c.grid, prec)
        });
        self.series.borrow_mut().insert(prec, v.clone());
        v
    }

    /// The tilt claims whose id is `id` or starts with `id.`.
    fn tilt_with(&self, id: &str, prec: u32) -> Result<Vec<Claim>> {
        match &*self.tilt_claims(prec) {
            Ok(v) => Ok(v
                .iter()
                .filter(|c| c.id == id || c.id.starts_with(&format!("{id}.")))
                .cloned()
                .collect()),
            Err(e) => Err(e.clone()),
        }
    }
}

/// A registry entry: a MATH.md statement id, a one-line summary, and the function that runs its
/// claims on a case at a working precision.
pub struct Entry {
    /// The MATH.md id.
    pub id: &'static str,
    /// What is checked, in one line.
    pub summary: &'static str,
    /// Run the claims of this id on the context's case at precision `prec` (bits).
    pub run: fn(&Context, u32) -> Result<Vec<Claim>>,
}

fn tilt1(c: &Context, p: u32) -> Result<Vec<Claim>> {
    c.tilt_with("TILT-1", p)
}
fn tilt2(c: &Context, p: u32) -> Result<Vec<Claim>> {
    c.tilt_with("TILT-2", p)
}
fn tilt3(c: &Context, p: u32) -> Result<Vec<Claim>> {
    c.tilt_with("TILT-3", p)
}
fn tilt4(c: &Context, p: u32) -> Result<Vec<Claim>> {
    c.tilt_with("TILT-4", p)
}
fn ldp1(c: &Context, p: u32) -> Result<Vec<Claim>> {
    c.tilt_with("LDP-1", p)
}
fn ldp3(c: &Context, p: u32) -> Result<Vec<Claim>> {
    c.tilt_with("LDP-3", p)
}
fn ldp4(c: &Context, p: u32) -> Result<Vec<Claim>> {
    c.tilt_with("LDP-4", p)
}
fn seq1(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cs::seq1_claims(&c.case, p)
}
fn seq2(c: &Context, p: u32) -> Result<Vec<Claim>> {
    Ok(cs::seq2_claims(&c.case, p))
}
fn seq3(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cs::seq3_claims(&c.case, p)
}
fn bon1(c: &Context, p: u32) -> Result<Vec<Claim>> {
    Ok(cb::bon1_claims(&c.case, p))
}
fn bon2(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cb::bon2_claims(&c.case, p)
}
fn bon3(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cb::bon3_claims(&c.case, p)
}
fn bon4(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cb::bon4_claims(&c.case, p)
}
fn bon5(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cb::bon5_claims(&c.case, p)
}
fn bon6(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cb::bon6_claims(&c.case, p)
}
fn ldp2(c: &Context, p: u32) -> Result<Vec<Claim>> {
    ca::ldp2_claims(&c.case, p)
}
fn asy(c: &Context, p: u32, which: usize) -> Result<Vec<Claim>> {
    if c.case.grid.is_empty() {
        return Ok(vec![]);
    }
    let s = c.series(p);
    Ok(match &*s {
        Some(s) => ca::asy_claims(&c.case, s, which, p),
        None => ca::asy_unknown(which, p),
    })
}
fn asy8(c: &Context, p: u32) -> Result<Vec<Claim>> {
    super::windowed::asy8_claims(&c.case, p)
}
fn mkv1(c: &Context, _p: u32) -> Result<Vec<Claim>> {
    super::markov::mkv1_claims(&c.case)
}
fn mkv2(c: &Context, p: u32) -> Result<Vec<Claim>> {
    super::markov::mkv2_claims(&c.case, p)
}
fn mkv3(c: &Context, p: u32) -> Result<Vec<Claim>> {
    super::markov::mkv3_claims(&c.case, p)
}
fn mkv4(c: &Context, p: u32) -> Result<Vec<Claim>> {
    super::markov::mkv4_claims(&c.case, p)
}
fn mkv5(c: &Context, p: u32) -> Result<Vec<Claim>> {
    super::markov::mkv5_claims(&c.case, p)
}
fn asy1(c: &Context, p: u32) -> Result<Vec<Claim>> {
    asy(c, p, 1)
}
fn asy2(c: &Context, p: u32) -> Result<Vec<Claim>> {
    asy(c, p, 2)
}
fn asy3(c: &Context, p: u32) -> Result<Vec<Claim>> {
    asy(c, p, 3)
}
fn asy4(c: &Context, p: u32) -> Result<Vec<Claim>> {
    asy(c, p, 4)
}
fn asy5(c: &Context, p: u32) -> Result<Vec<Claim>> {
    asy(c, p, 5)
}
fn asy6(c: &Context, p: u32) -> Result<Vec<Claim>> {
    asy(c, p, 6)
}
fn asy7(c: &Context, p: u32) -> Result<Vec<Claim>> {
    asy(c, p, 7)
}

/// Every statement id of MATH.md, in the order of the document.
pub const REGISTRY: &[Entry] = &[
    Entry {
        id: "TILT-1",
        summary: "closed form of the KL-constrained optimum: tight constraint, optimality",
        run: tilt1,
    },
    Entry {
        id: "TILT-2",
        summary: "duality: value, minimiser, slope 1/l_Delta, regularised problem",
        run: tilt2,
    },
    Entry {
        id: "TILT-3",
        summary: "Pythagorean identity D(phi||phi_l) = D(phi||p) - l E_phi r + psi(l)",
        run: tilt3,
    },
    Entry {
        id: "TILT-4",
        summary: "family identities: KL within the family, reverse KL, Renyi",
        run: tilt4,
    },
    Entry {
        id: "SEQ-1",
        summary: "the product tilt: E S_n = n x*, D = n min(Delta, Delta_max), via the level law",
        run: seq1,
    },
    Entry {
        id: "SEQ-2",
        summary: "level law: polynomial and types routes agree exactly, mass 1, mean n E_p r",
        run: seq2,
    },
    Entry {
        id: "SEQ-3",
        summary: "level reduction: KL over all sequences equals KL between level laws",
        run: seq3,
    },
    Entry {
        id: "BON-1",
        summary: "best-of-N closed form equals brute-force enumeration (level and order rules)",
        run: bon1,
    },
    Entry {
        id: "BON-2",
        summary: "both forms of the best-of-N expected reward agree",
        run: bon2,
    },
    Entry {
        id: "BON-3",
        summary: "D(pi_N||p) <= ln N - (N-1)/N, per-level gaps >= 0 summing to the total gap",
        run: bon3,
    },
    Entry {
        id: "BON-4",
        summary: "win rate W <= N/(N+1)",
        run: bon4,
    },
    Entry {
        id: "BON-5",
        summary: "both routes of D(pi_N || phi_l^n) agree",
        run: bon5,
    },
    Entry {
        id: "BON-6",
        summary: "two reward levels: pi_N is exactly a tilt",
        run: bon6,
    },
    Entry {
        id: "LDP-1",
        summary: "rate functions I_0, I_Delta: Legendre forms, closed forms, boundaries",
        run: ldp1,
    },
    Entry {
        id: "LDP-2",
        summary: "Chernoff and types bounds at finite n; Chernoff limit and Bahadur-Rao as trends",
        run: ldp2,
    },
    Entry {
        id: "LDP-3",
        summary: "scaled cumulant generating function of the aligned reward",
        run: ldp3,
    },
    Entry {
        id: "LDP-4",
        summary: "Renyi forms of the scaled cumulant generating function",
        run: ldp4,
    },
    Entry {
        id: "ASY-1",
        summary: "limit (1/n) E S_n -> x*: the gap shrinks along the grid at the ASY-4 rate",
        run: asy1,
    },
    Entry {
        id: "ASY-2",
        summary: "limit (1/n) D(pi_N||p^n) -> Delta: the gap shrinks along the grid like 1/n",
        run: asy2,
    },
    Entry {
        id: "ASY-3",
        summary: "limit (1/n) D(pi_N||phi^n) -> 0 along the grid; the Delta_max remarks",
        run: asy3,
    },
    Entry {
        id: "ASY-4",
        summary: "n (gap - ln n/(2 l n)) bounded, successive differences shrink",
        run: asy4,
    },
    Entry {
        id: "ASY-5",
        summary: "D(pi_N||phi^n) - (1/2) ln n bounded and converging to its lattice limit",
        run: asy5,
    },
    Entry {
        id: "ASY-6",
        summary: "n Delta - D(pi_N||p^n) converges to c > 0 (periodic in the lattice phase)",
        run: asy6,
    },
    Entry {
        id: "ASY-7",
        summary: "third-order expansion of E S_n: residual shrinks like (ln n)^2/n",
        run: asy7,
    },
    Entry {
        id: "ASY-8",
        summary: "(1/n) ln D(phi^n||pi_N) -> 2 psi(l/2) - psi(l) + Delta > 0: gap shrinks (windowed route)",
        run: asy8,
    },
    Entry {
        id: "MKV-1",
        summary: "Markov level law: binary powering == forward recursion == brute force; memoryless chain == SEQ-2",
        run: mkv1,
    },
    Entry {
        id: "MKV-2",
        summary: "finite-n optimum: the level-law tilt at l_n spends n Delta; l_n = l_Delta when memoryless",
        run: mkv2,
    },
    Entry {
        id: "MKV-3",
        summary: "certified Perron root: K(l_Delta) = Delta, Collatz-Wielandt, convexity, Doob transform",
        run: mkv3,
    },
    Entry {
        id: "MKV-4",
        summary: "finite-n Chernoff bound of a chain; Gartner-Ellis rate of the memoryless chain = I_0",
        run: mkv4,
    },
    Entry {
        id: "MKV-5",
        summary: "equivalence with memory along n: measured trends (certified) and the limits (conjectures, undecided)",
        run: mkv5,
    },
];

/// The ids of the registry, in order.
pub fn ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|e| e.id).collect()
}

/// The entry of an id.
pub fn entry(id: &str) -> Option<&'static Entry> {
    REGISTRY.iter().find(|e| e.id == id)
}

/// Run one entry on one context, settling undecided claims by doubling the precision from
/// `start_bits` up to `cap_bits`.
pub fn run_entry(e: &Entry, ctx: &Context, start_bits: u32, cap_bits: u32) -> Result<Vec<Claim>> {
    settle_all(|bits| (e.run)(ctx, bits), start_bits, cap_bits)
}

/// The deliberately false claims of `check --false-claim NAME` (to show the checker can fail).
pub const FALSE_CLAIMS: &[(&str, &str)] = &[
    (
        "beirami-reversed",
        "BON-3 with the inequality reversed, D(pi_N||p) >= ln N - (N-1)/N, on Example A (atoms)",
    ),
    (
        "asy3-above-max",
        "ASY-3 applied above Delta_max: (1/n) D(pi_N||phi^n) <= Delta on Example A, Delta = 16/5",
    ),
];

/// Evaluate a deliberately false claim by name (`None` for an unknown name).
pub fn false_claim(name: &str, start_bits: u32, cap_bits: u32) -> Option<Result<Claim>> {
    let a = example_a();
    match name {
        "beirami-reversed" => Some(
            settle_all(
                |bits| cb::beirami_reversed(&a, bits).map(|c| vec![c]),
                start_bits,
                cap_bits,
            )
            .map(|mut v| v.remove(0)),
        ),
        "asy3-above-max" => Some(
            settle_all(
                |bits| ca::asy3_above_max_false(&a, bits).map(|c| vec![c]),
                start_bits,
                cap_bits,
            )
            .map(|mut v| v.remove(0)),
        ),
        _ => None,
    }
}
