//! Claims of MATH.md §3 (memoryless model, linear reward): SEQ-1 (the product tilt is the
//! sequence optimum, checked through its level law), SEQ-2 (the two exact routes of the level law)
//! and SEQ-3 (level reduction, checked against sums over all `k^n` sequences), plus the
//! brute-force enumeration of best-of-N over sequences that BON-1 and SEQ-3 share.
//!
//! The derivations are in `proofs/sequences.md`; how each claim is decided is in
//! [`crate::claims`].

use super::cases::Case;
use super::claim::{combine, equality, exact_eq, list_text, Claim, Kind};
use super::tilt::lambda_delta;
use crate::error::Result;
use crate::exact::level_law::{
    level_law, level_law_polynomial, level_law_polynomial_kronecker, level_law_types, LevelLaw, Route,
};
use crate::math::best_of_n::{exact_probs, Levels};
use crate::math::tilt::{eval, optimum, Optimum, TiltModel};
use crate::real::value::Value;
use crate::real::Enc;
use rug::ops::Pow;
use rug::{Integer, Rational};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// level-law helpers
// ---------------------------------------------------------------------------------------------

/// `ln P_S(s_j)` of a level law.
pub fn ln_prob(law: &LevelLaw, j: usize, prec: u32) -> Enc {
    let wp = prec + 16;
    Enc::from_integer(&law.weights[j], wp)
        .div(&Enc::from_integer(&law.denom, wp), prec)
        .ln(prec)
}

/// The tilted level law in logs (SEQ-3): `ln Phi_l(s_j) = ln P_S(s_j) + l s_j - n psi(l)`,
/// for an enclosure `l` and `n psi(l)` given.
pub fn ln_tilted_law(law: &LevelLaw, l: &Enc, n_psi: &Enc, prec: u32) -> Vec<Enc> {
    let wp = prec + 16;
    let l_over = l.div(&Enc::from_integer(&law.scale, wp), wp);
    (0..law.len())
        .map(|j| {
            let ls = l_over.mul(&Enc::from_integer(&law.levels[j], wp), prec);
            ln_prob(law, j, prec).add(&ls, prec).sub(n_psi, prec)
        })
        .collect()
}

/// `sum_i a_i ln(a_i / b_i)` for exact `a_i >= 0`, `b_i > 0` (terms with `a_i = 0` are 0), the
/// ratio formed exactly before the logarithm.
pub fn kl_exact(pairs: &[(Rational, Rational)], prec: u32) -> Enc {
    let terms: Vec<Enc> = pairs
        .iter()
        .filter(|(a, _)| *a != 0)
        .map(|(a, b)| {
            let ratio = Rational::from(a / b);
            if ratio == 1 {
                Enc::zero(prec)
            } else {
                Enc::from_rational(&ratio, prec).ln(prec).mul_rational(a, prec)
            }
        })
        .collect();
    Enc::sum(terms.iter(), prec)
}

// ---------------------------------------------------------------------------------------------
// SEQ-1
// ---------------------------------------------------------------------------------------------

/// The sequence lengths of the SEQ-1 checks for a case: its small `ns` and `n = 50`.
fn seq1_ns(case: &Case) -> Vec<u64> {
    let mut ns = case.ns.clone();
    ns.push(50);
    ns
}

/// SEQ-1 at one length `n` with `l = l_Delta`: the tilted level law
/// `Phi_l(s) = P_S(s) e^{l s} / Z(l)^n` has mass 1, mean `n x*` (`x* = mu(l_Delta)` from the
/// single-token tilt) and KL to the reference level law `n Delta`.
/// Returns `[mass, mean, kl]`.
pub fn seq1_at(tm: &TiltModel, law: &LevelLaw, delta: &Rational, l: &Enc, prec: u32) -> [Claim; 3] {
    let n = law.n;
    let te = eval(tm, l, prec);
    let n_psi = te.psi.mul_rational(&Rational::from(n), prec);
    let ln_phi = ln_tilted_law(law, l, &n_psi, prec);
    let phi: Vec<Enc> = ln_phi.iter().map(|x| x.exp(prec)).collect();
    let mass = Enc::sum(phi.iter(), prec);
    let mean_terms: Vec<Enc> = phi
        .iter()
        .enumerate()
        .map(|(j, f)| f.mul_rational(&law.reward(j), prec))
        .collect();
    let mean = Enc::sum(mean_terms.iter(), prec);
    let kl_terms: Vec<Enc> = (0..law.len())
        .map(|j| phi[j].mul(&ln_phi[j].sub(&ln_prob(law, j, prec), prec), prec))
        .collect();
    let kl = Enc::sum(kl_terms.iter(), prec);
    let nr = Rational::from(n);
    [
        equality(
            "SEQ-1.mass",
            &format!("sum_s Phi_l(s) = 1 for Phi_l(s) = P_S(s) e^(l s) / Z(l)^n, l = l_Delta, n = {n}"),
            Value::Real(mass),
            Value::Exact(Rational::from(1)),
            prec,
        ),
        equality(
            "SEQ-1.mean",
            &format!("E_(phi^n) S_n = sum_s s Phi_l(s) = n x*, n = {n}"),
            Value::Real(mean),
            Value::Real(te.mu.mul_rational(&nr, prec)),
            prec,
        ),
        equality(
            "SEQ-1.kl",
            &format!("D(phi^n || p^n) = sum_s Phi_l(s) ln(Phi_l(s)/P_S(s)) = n Delta, n = {n}"),
            Value::Real(kl),
            Value::Exact(Rational::from(delta * &nr)),
            prec,
        ),
    ]
}

/// SEQ-1 on a case: [`seq1_at`] at every `n` of the case (and `n = 50`), one combined claim per
/// statement, and the saturated regime: for `Delta >= Delta_max` the canonical optimum
/// `p(.|A_max)^n` is the reference conditioned on the top level `n r_max`, whose exact mass is
/// `p(A_max)^n`, so `D = -ln P_S(n r_max) = n Delta_max` (`SEQ-1.saturated`, exact).
pub fn seq1_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let ns = seq1_ns(case);
    let nl = list_text(&ns);
    let st = [
        format!("sum_s Phi_l(s) = 1, Phi_l(s) = P_S(s) e^(l s) / Z(l)^n at l = l_Delta, n = {nl}"),
        format!("E_(phi^n) S_n = sum_s s Phi_l(s) = n x*, n = {nl}"),
        format!("D(phi^n || p^n) = sum_s Phi_l ln(Phi_l / P_S) = n Delta, n = {nl}"),
    ];
    let ids = ["SEQ-1.mass", "SEQ-1.mean", "SEQ-1.kl"];
    let mut groups: [Vec<Claim>; 3] = [vec![], vec![], vec![]];
    match lambda_delta(&case.tm, &case.delta, prec)? {
        None => {
            for i in 0..3 {
                groups[i].push(Claim::unknown(ids[i], &st[i], prec));
            }
        }
        Some(l) => {
            for &n in &ns {
                let law = level_law(case.model.probs(), &case.model.r, n, Route::Auto);
                for (i, c) in seq1_at(&case.tm, &law, &case.delta, &l, prec)
                    .into_iter()
                    .enumerate()
                {
                    groups[i].push(c);
                }
            }
        }
    }
    let mut out: Vec<Claim> = groups
        .into_iter()
        .enumerate()
        .filter_map(|(i, g)| combine(ids[i], &st[i], Kind::Equality, g))
        .collect();
    out.push(seq1_saturated(case, prec));
    Ok(out)
}

/// `SEQ-1.saturated`: at a budget above `Delta_max` the optimum is saturated (checked with the
/// crate's regime decision) and the top level of `S_n` has exact mass `p(A_max)^n` for
/// `n = 1..6`, so the optimum's divergence is `n Delta_max = n min(Delta, Delta_max)`.
pub fn seq1_saturated(case: &Case, prec: u32) -> Claim {
    let id = "SEQ-1.saturated";
    let st =
        "Delta > Delta_max: optimum saturated and P_S(n r_max) = p(A_max)^n, so D = n Delta_max (n = 1..6)";
    // a budget certainly above Delta_max = -ln p(A_max): 1 + 1/p(A_max) > -ln p(A_max)
    let big = Rational::from(1) + Rational::from(case.tm.p_max.recip_ref());
    match optimum(&case.tm, &big, prec) {
        Some(Optimum::Saturated) => {}
        Some(_) => {
            return exact_eq(id, st, Rational::new(), Rational::from(1));
        }
        None => return Claim::unknown(id, st, prec),
    }
    let mut claims = Vec::new();
    for n in 1..=6u64 {
        let law = level_law(case.model.probs(), &case.model.r, n, Route::Auto);
        let top = law.len() - 1;
        let lhs = law.prob(top);
        let rhs = Rational::from((&case.tm.p_max).pow(n as u32));
        let ok = law.reward(top) == Rational::from(&case.tm.r_max * n);
        claims.push(if ok {
            exact_eq(id, st, lhs, rhs)
        } else {
            exact_eq(id, st, Rational::new(), Rational::from(1))
        });
    }
    combine(id, st, Kind::Equality, claims).expect("non-empty")
}

// ---------------------------------------------------------------------------------------------
// SEQ-2
// ---------------------------------------------------------------------------------------------

/// `sum_s |P(s) - Q(s)|` over the union of the levels of two exact laws (0 iff they are equal).
pub fn law_distance(a: &LevelLaw, b: &LevelLaw) -> Rational {
    let mut m: BTreeMap<Rational, Rational> = BTreeMap::new();
    for j in 0..a.len() {
        *m.entry(a.reward(j)).or_default() += a.prob(j);
    }
    for j in 0..b.len() {
        *m.entry(b.reward(j)).or_default() -= b.prob(j);
    }
    m.into_values().map(|v| v.abs()).sum()
}

/// SEQ-2 on a case, at every `n` of the case and `n = 12`: the polynomial route (Miller's
/// recurrence), its Kronecker-substitution variant and the types route give the same exact law
/// (`sum_s |P - Q| = 0`, exact), which has total mass exactly 1 and mean exactly `n E_p r`.
pub fn seq2_claims(case: &Case, _prec: u32) -> Vec<Claim> {
    let mut ns = case.ns.clone();
    ns.push(12);
    let nl = list_text(&ns);
    let (p, r) = (case.model.probs(), &case.model.r);
    let st_routes =
        format!("polynomial and types routes agree: sum_s |P_poly(s) - P_types(s)| = 0, n = {nl}");
    let st_kron = format!("Kronecker and recurrence polynomial routes agree exactly, n = {nl}");
    let st_mass = format!("sum_s P_S(s) = 1 exactly, n = {nl}");
    let st_mean = format!("sum_s s P_S(s) = n E_p r exactly, n = {nl}");
    let (mut g1, mut g2, mut g3, mut g4) = (vec![], vec![], vec![], vec![]);
    for &n in &ns {
        let poly = level_law_polynomial(p, r, n);
        let types = level_law_types(p, r, n);
        let kron = level_law_polynomial_kronecker(p, r, n);
        g1.push(exact_eq(
            "SEQ-2.routes",
            &st_routes,
            law_distance(&poly, &types),
            Rational::new(),
        ));
        g2.push(exact_eq(
            "SEQ-2.kronecker",
            &st_kron,
            law_distance(&poly, &kron),
            Rational::new(),
        ));
        let mass: Rational = (0..poly.len()).map(|j| poly.prob(j)).sum();
        g3.push(exact_eq("SEQ-2.mass", &st_mass, mass, Rational::from(1)));
        g4.push(exact_eq(
            "SEQ-2.mean",
            &st_mean,
            poly.mean(),
            Rational::from(&case.tm.mean * n),
        ));
    }
    [
        ("SEQ-2.routes", &st_routes, g1),
        ("SEQ-2.kronecker", &st_kron, g2),
        ("SEQ-2.mass", &st_mass, g3),
        ("SEQ-2.mean", &st_mean, g4),
    ]
    .into_iter()
    .filter_map(|(id, st, g)| combine(id, st, Kind::Equality, g))
    .collect()
}

// ---------------------------------------------------------------------------------------------
// brute force over sequences (BON-1, SEQ-3)
// ---------------------------------------------------------------------------------------------

/// All `k'^n` sequences over the support of a model, with exact probabilities and rewards.
#[derive(Clone, Debug)]
pub struct Sequences {
    /// The length.
    pub n: u64,
    /// `p^n(y) d^n` for each sequence (`d` = common denominator of `p`).
    pub num: Vec<Integer>,
    /// `d^n`.
    pub den: Integer,
    /// `S_n(y)`.
    pub reward: Vec<Rational>,
    /// The support tokens of each position of each sequence (indices into the support).
    pub tokens: Vec<Vec<usize>>,
}

impl Sequences {
    /// Enumerate the sequences of length `n` over the support of `tm` (lexicographic order).
    pub fn new(tm: &TiltModel, n: u64) -> Sequences {
        let mut d = Integer::from(1);
        for q in &tm.p {
            d.lcm_mut(q.denom());
        }
        let c: Vec<Integer> =
            tm.p.iter()
                .map(|q| Integer::from(&d / q.denom()) * q.numer())
                .collect();
        let k = tm.p.len();
        let mut tokens: Vec<Vec<usize>> = vec![vec![]];
        for _ in 0..n {
            let mut next = Vec::with_capacity(tokens.len() * k);
            for t in &tokens {
                for a in 0..k {
                    let mut u = t.clone();
                    u.push(a);
                    next.push(u);
                }
            }
            tokens = next;
        }
        let num = tokens
            .iter()
            .map(|t| t.iter().fold(Integer::from(1), |acc, &a| acc * &c[a]))
            .collect();
        let reward = tokens
            .iter()
            .map(|t| t.iter().map(|&a| tm.r[a].clone()).sum())
            .collect();
        Sequences {
            n,
            num,
            den: Integer::from((&d).pow(n as u32)),
            reward,
            tokens,
        }
    }
    /// Number of sequences.
    pub fn len(&self) -> usize {
        self.num.len()
    }
    /// Never true (there is at least the empty product).
    pub fn is_empty(&self) -> bool {
        self.num.is_empty()
    }
    /// `p^n(y)` exactly.
    pub fn prob(&self, i: usize) -> Rational {
        Rational::from((self.num[i].clone(), self.den.clone()))
    }
}

/// Best-of-N over the sequences by enumerating all `len^N` N-tuples of i.i.d. draws (exact):
/// the output is the first sample of highest reward ("level" rule, ties by sample index), or,
/// with `key`, the sample of highest `(reward, key)` (a fixed total order refining the reward:
/// the "order" rule). Returns `pi_N(y)` for each sequence.
pub fn bon_brute(seqs: &Sequences, n_samples: u32, key: Option<&[usize]>) -> Vec<Rational> {
    let len = seqs.len();
    let mut acc = vec![Integer::new(); len];
    let mut idx = vec![0usize; n_samples as usize];
    let better = |a: usize, b: usize| -> bool {
        // is sequence a strictly better than the current winner b?
        match seqs.reward[a].cmp(&seqs.reward[b]) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => key.is_some_and(|k| k[a] > k[b]),
        }
    };
    loop {
        let mut w = Integer::from(1);
        let mut win = idx[0];
        for &i in &idx {
            w *= &seqs.num[i];
            if better(i, win) {
                win = i;
            }
        }
        acc[win] += w;
        // odometer
        let mut pos = 0;
        loop {
            if pos == idx.len() {
                let den = Integer::from((&seqs.den).pow(n_samples));
                return acc
                    .into_iter()
                    .map(|a| Rational::from((a, den.clone())))
                    .collect();
            }
            idx[pos] += 1;
            if idx[pos] < len {
                break;
            }
            idx[pos] = 0;
            pos += 1;
        }
    }
}

/// The tiny `(n, N)` pairs on which brute force is affordable for a support of size `k`:
/// `n = 1, 2, 3`, `N = 2, 3`, with at most 20000 tuples `k^(n N)`.
pub fn tiny_pairs(k: usize) -> Vec<(u64, u32)> {
    let mut out = Vec::new();
    for n in 1..=3u64 {
        for big_n in 2..=3u32 {
            let tuples = (k as f64).powi((n as i32) * big_n as i32);
            if tuples <= 20000.0 {
                out.push((n, big_n));
            }
        }
    }
    out
}

/// Map each sequence to the index of its level in `law` (by exact reward).
pub fn level_index(seqs: &Sequences, law: &LevelLaw) -> Vec<usize> {
    let map: BTreeMap<Rational, usize> = (0..law.len()).map(|j| (law.reward(j), j)).collect();
    seqs.reward.iter().map(|s| map[s]).collect()
}

// ---------------------------------------------------------------------------------------------
// SEQ-3
// ---------------------------------------------------------------------------------------------

/// SEQ-3 on one tiny `(n, N)`: with `pi_N` enumerated over all sequences (no closed form) and
/// `phi^n` the product tilt at `l_Delta`, the KL divergences summed over the `k'^n` sequences
/// equal those summed over the level laws (`P_N = F^N - F-^N`, `Phi_l`, `P_S`):
/// `[bon-reference, tilt-reference, bon-tilt]`.
pub fn seq3_at(case: &Case, n: u64, n_samples: u32, l: &Enc, prec: u32) -> [Claim; 3] {
    let tm = &case.tm;
    let seqs = Sequences::new(tm, n);
    let pi = bon_brute(&seqs, n_samples, None);
    let law = level_law(case.model.probs(), &case.model.r, n, Route::Auto);
    let lv = Levels::new(law.clone());
    let pn = exact_probs(&lv, n_samples);
    let ps: Vec<Rational> = (0..law.len()).map(|j| law.prob(j)).collect();
    let te = eval(tm, l, prec);
    let n_psi = te.psi.mul_rational(&Rational::from(n), prec);
    // sequences
    let seq_pairs: Vec<(Rational, Rational)> =
        (0..seqs.len()).map(|i| (pi[i].clone(), seqs.prob(i))).collect();
    let kl_bon_seq = kl_exact(&seq_pairs, prec);
    let ln_phi_seq: Vec<Enc> = (0..seqs.len())
        .map(|i| {
            Enc::from_rational(&seqs.prob(i), prec)
                .ln(prec)
                .add(&l.mul_rational(&seqs.reward[i], prec), prec)
                .sub(&n_psi, prec)
        })
        .collect();
    let kl_tilt_seq = {
        let t: Vec<Enc> = (0..seqs.len())
            .map(|i| {
                let lr = l.mul_rational(&seqs.reward[i], prec).sub(&n_psi, prec);
                ln_phi_seq[i].exp(prec).mul(&lr, prec)
            })
            .collect();
        Enc::sum(t.iter(), prec)
    };
    let kl_bt_seq = {
        let t: Vec<Enc> = (0..seqs.len())
            .filter(|&i| pi[i] != 0)
            .map(|i| {
                let lp = Enc::from_rational(&pi[i], prec).ln(prec);
                lp.sub(&ln_phi_seq[i], prec).mul_rational(&pi[i], prec)
            })
            .collect();
        Enc::sum(t.iter(), prec)
    };
    // levels
    let lvl_pairs: Vec<(Rational, Rational)> = pn.iter().cloned().zip(ps.iter().cloned()).collect();
    let kl_bon_lvl = kl_exact(&lvl_pairs, prec);
    let ln_phi_lvl = ln_tilted_law(&law, l, &n_psi, prec);
    let kl_tilt_lvl = {
        let t: Vec<Enc> = (0..law.len())
            .map(|j| {
                ln_phi_lvl[j]
                    .exp(prec)
                    .mul(&ln_phi_lvl[j].sub(&ln_prob(&law, j, prec), prec), prec)
            })
            .collect();
        Enc::sum(t.iter(), prec)
    };
    let kl_bt_lvl = {
        let t: Vec<Enc> = (0..law.len())
            .filter(|&j| pn[j] != 0)
            .map(|j| {
                let lp = Enc::from_rational(&pn[j], prec).ln(prec);
                lp.sub(&ln_phi_lvl[j], prec).mul_rational(&pn[j], prec)
            })
            .collect();
        Enc::sum(t.iter(), prec)
    };
    let tail = format!("n = {n}, N = {n_samples}");
    [
        equality(
            "SEQ-3.bon-reference",
            &format!("D(pi_N || p^n) over all sequences = over the level laws, {tail}"),
            Value::Real(kl_bon_seq),
            Value::Real(kl_bon_lvl),
            prec,
        ),
        equality(
            "SEQ-3.tilt-reference",
            &format!("D(phi^n || p^n) over all sequences = over the level laws, {tail}"),
            Value::Real(kl_tilt_seq),
            Value::Real(kl_tilt_lvl),
            prec,
        ),
        equality(
            "SEQ-3.bon-tilt",
            &format!("D(pi_N || phi^n) over all sequences = over the level laws, {tail}"),
            Value::Real(kl_bt_seq),
            Value::Real(kl_bt_lvl),
            prec,
        ),
    ]
}

/// SEQ-3 on a case: [`seq3_at`] on every tiny `(n, N)` with `n >= 2` ([`tiny_pairs`]), one
/// combined claim per statement.
pub fn seq3_claims(case: &Case, prec: u32) -> Result<Vec<Claim>> {
    let pairs: Vec<(u64, u32)> = tiny_pairs(case.tm.p.len())
        .into_iter()
        .filter(|(n, _)| *n >= 2)
        .collect();
    let desc = pairs
        .iter()
        .map(|(n, m)| format!("({n},{m})"))
        .collect::<Vec<_>>()
        .join(" ");
    let ids = ["SEQ-3.bon-reference", "SEQ-3.tilt-reference", "SEQ-3.bon-tilt"];
    let st = [
        format!("D(pi_N || p^n) summed over all sequences = over the level laws, (n,N) = {desc}"),
        format!("D(phi^n || p^n) summed over all sequences = over the level laws, (n,N) = {desc}"),
        format!("D(pi_N || phi^n) summed over all sequences = over the level laws, (n,N) = {desc}"),
    ];
    let mut groups: [Vec<Claim>; 3] = [vec![], vec![], vec![]];
    match lambda_delta(&case.tm, &case.delta, prec)? {
        None => {
            for i in 0..3 {
                groups[i].push(Claim::unknown(ids[i], &st[i], prec));
            }
        }
        Some(l) => {
            for &(n, m) in &pairs {
                for (i, c) in seq3_at(case, n, m, &l, prec).into_iter().enumerate() {
                    groups[i].push(c);
                }
            }
        }
    }
    Ok(groups
        .into_iter()
        .enumerate()
        .filter_map(|(i, g)| combine(ids[i], &st[i], Kind::Equality, g))
        .collect())
}
