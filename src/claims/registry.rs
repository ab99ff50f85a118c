//! The claim registry: one entry per statement id of MATH.md (TILT-1 .. ASY-7, 24 ids), each
//! with a function that runs the claims of that id on one [`Case`] at a working precision.
//! `alignexact check` runs every entry on the built-in cases of [`crate::claims::cases`]
//! (Examples A and B of MATH.md §8 and a few seeded random models).
//!
//! The registry only lists: the claim families (`claims::tilt`, `sequences`, `best_of_n`,
//! `large_deviations`, `asymptotics`) import the shared machinery from [`crate::claims::claim`]
//! and the cases from [`crate::claims::cases`], never this file.
//!
//! A [`Context`] holds one case and caches what several entries share (the tilt claims of
//! [`crate::claims::tilt::standard`], the sweep series of the limit claims), keyed by precision,
//! so that `check` computes each of them once per precision. [`run_entry`] settles an entry's
//! claims with [`crate::claims::settle_all`] (the precision doubles while one is undecided).

use super::asymptotics as ca;
use super::best_of_n as cb;
use super::cases::{example_a, Case};
use super::claim::{settle_all, Claim};
use super::large_deviations as cl;
use super::methods as cm;
use super::sequences as cs;
use super::series::Series;
use super::tilt as ct;
use crate::error::Result;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// One case with the caches its entries share.
pub struct Context {
    /// The parameters.
    pub case: Case,
    tilt: RefCell<HashMap<u32, Rc<Result<Vec<Claim>>>>>,
    series: RefCell<HashMap<u32, Rc<Option<Series>>>>,
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
    pub fn series(&self, prec: u32) -> Rc<Option<Series>> {
        if let Some(v) = self.series.borrow().get(&prec) {
            return v.clone();
        }
        let c = &self.case;
        let v = Rc::new(if c.grid.is_empty() {
            None
        } else {
            Series::compute(&c.model, &c.tm, &c.delta, &c.grid, prec)
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
    cl::ldp2_claims(&c.case, p)
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
fn asy8(c: &Context, p: u32) -> Result<Vec<Claim>> {
    // the grid series (shared with ASY-1..7) only when the grid reaches past ASY-8's own points
    let past = c.case.grid.iter().any(|&n| n > super::windowed::ASY8_GRID[2]);
    let s = past.then(|| c.series(p));
    super::windowed::asy8_claims(&c.case, s.as_deref().and_then(|x| x.as_ref()), p)
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

fn rel1(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cm::rel1_claims(&c.case, p)
}
fn rel2(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cm::rel2_claims(&c.case, p)
}
fn rel3(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cm::rel3_claims(&c.case, p)
}
fn rel4(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cm::rel4_claims(&c.case, p)
}
fn rel5(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cm::rel5_claims(&c.case, p)
}
fn rel6(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cm::rel6_claims(&c.case, p)
}
fn rel7(c: &Context, p: u32) -> Result<Vec<Claim>> {
    cm::rel7_claims(&c.case, p)
}

/// Every statement id of MATH.md, in the order of the document, then the REL ids of §7
/// (related results and inference-time methods; `proofs/methods.md`).
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
        id: "REL-1",
        summary: "Beirami et al.'s gap bounds on the best-of-N KL and win rate",
        run: rel1,
    },
    Entry {
        id: "REL-2",
        summary: "Beirami et al.'s estimator Dhat_N: range, bound at p(A_max), conjecture probe",
        run: rel2,
    },
    Entry {
        id: "REL-3",
        summary: "Mroueh's Renyi bound on best-of-N",
        run: rel3,
    },
    Entry {
        id: "REL-4",
        summary: "Jeffreys identity of the tilt: E_phi r - E_p r = (D(phi||p) + D(p||phi)) / l",
        run: rel4,
    },
    Entry {
        id: "REL-5",
        summary: "soft best-of-N: exact law = brute force, limits, below the frontier",
        run: rel5,
    },
    Entry {
        id: "REL-6",
        summary: "best-of-Poisson: closed form = truncated Poisson mixture, mu = 0, below the frontier",
        run: rel6,
    },
    Entry {
        id: "REL-7",
        summary: "win-rate-optimal policy: W linear with the mid-rank, best-of-N below its frontier",
        run: rel7,
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
    (
        "poisson-slip",
        "REL-6 with a published script's slip e^(mu(1-u)) for e^(mu(u-1)) in the best-of-Poisson law, Example A",
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
        "poisson-slip" => Some(
            settle_all(
                |bits| cm::poisson_slip(&a, bits).map(|c| vec![c]),
                start_bits,
                cap_bits,
            )
            .map(|mut v| v.remove(0)),
        ),
        _ => None,
    }
}
