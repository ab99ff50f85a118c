//! The float64 tolerance model of the vector suite: for each vector, the tolerance a careful
//! float64 implementation should meet, from a first-order error model (unit roundoff
//! `u = 2^-53`, a safety factor of 16, rounded up to one significant digit; `rel >= 1e-12`,
//! `abs >= 1e-300`). See the module documentation of [`crate::vectors`] for the model.
//!
//! Transcendental functions of the model are evaluated with MPFR (correctly rounded), so the
//! tolerances are identical on every platform.

use crate::error::{Error, Result};
use crate::exact::level_law::{level_law, Route};
use crate::exact::parse::parse_rational;
use rug::{Float, Rational};
use serde_json::{json, Map, Value as Json};

mod markov;
mod methods;
mod sequences;
mod single_token;

use markov::markov_tol;
use methods::methods_tol;
use sequences::{bon_tol, compare_tol};
use single_token::{cumulants_tol, divergence_tol, rate_tol, tilt_tol};

/// Unit roundoff of float64.
const U: f64 = 1.0 / 9_007_199_254_740_992.0; // 2^-53
/// Safety factor applied to the first-order model.
const SAFETY: f64 = 16.0;
/// Smallest relative tolerance suggested.
const REL_FLOOR: f64 = 1e-12;
/// Smallest absolute tolerance suggested (float64 underflows below it).
const ABS_FLOOR: f64 = 1e-300;
/// Working precision (bits) of the error model's MPFR arithmetic.
const MP: u32 = 64;

/// A first-order error estimate: `|error| <= rel |v| + abs`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Est {
    rel: f64,
    abs: f64,
}

impl Est {
    fn rel(rel: f64) -> Est {
        Est { rel, abs: 0.0 }
    }
    fn abs(abs: f64) -> Est {
        Est { rel: 0.0, abs }
    }
}

/// A suggested tolerance with the reason for it.
#[derive(Clone, Debug, PartialEq)]
struct Tol {
    rel: String,
    abs: String,
    note: String,
}

/// Round `x > 0` up to one significant digit: `"3e-14"`; `"0"` for `x <= 0`.
fn ceil1(x: f64) -> String {
    if x.is_nan() || x <= 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return "1e300".into();
    }
    // decimal exponent by exact comparison with powers of ten (no libm)
    let p = |e: i32| -> f64 { format!("1e{e}").parse::<f64>().expect("power of ten") };
    let mut e: i32 = 0;
    while x >= p(e + 1) {
        e += 1;
    }
    while x < p(e) {
        e -= 1;
    }
    let m = (x / p(e)).ceil() as i64;
    if m >= 10 {
        format!("1e{}", e + 1)
    } else {
        format!("{m}e{e}")
    }
}

impl Tol {
    fn from_est(est: Est, note: &str) -> Tol {
        let rel = (SAFETY * est.rel).clamp(REL_FLOOR, 1.0);
        let abs = (SAFETY * est.abs).max(ABS_FLOOR);
        Tol {
            rel: ceil1(rel),
            abs: ceil1(abs),
            note: note.to_string(),
        }
    }
    fn default_tol() -> Tol {
        Tol {
            rel: ceil1(REL_FLOOR),
            abs: ceil1(ABS_FLOOR),
            note: String::new(),
        }
    }
    fn json(&self, with_note: bool) -> Json {
        let mut m = Map::new();
        m.insert("rel".into(), Json::String(self.rel.clone()));
        m.insert("abs".into(), Json::String(self.abs.clone()));
        if with_note && !self.note.is_empty() {
            m.insert("note".into(), Json::String(self.note.clone()));
        }
        Json::Object(m)
    }
}

/// The tolerances of one vector.
pub struct Tolerances {
    fields: Vec<(String, Tol)>,
}

impl Tolerances {
    fn new() -> Tolerances {
        Tolerances { fields: Vec::new() }
    }
    /// Record the tolerance of the leaf at `ptr` when it exists, is numeric and differs from the default.
    fn set(&mut self, output: &Json, ptr: &str, est: Est, note: &str) {
        assert!(
            !est.rel.is_nan() && !est.abs.is_nan(),
            "internal error: the tolerance model gives NaN at {ptr}"
        );
        let Some(leaf) = output.pointer(ptr) else { return };
        if !is_numeric_leaf(leaf) {
            return;
        }
        let t = Tol::from_est(est, note);
        let d = Tol::default_tol();
        if t.rel == d.rel && t.abs == d.abs {
            return;
        }
        if let Some(slot) = self.fields.iter_mut().find(|(p, _)| p == ptr) {
            slot.1 = t;
        } else {
            self.fields.push((ptr.to_string(), t));
        }
    }
    /// The `tolerance` object of a vector: `default` and `fields`.
    pub fn to_json(&self) -> Json {
        let mut fields = Map::new();
        for (p, t) in &self.fields {
            fields.insert(p.clone(), t.json(true));
        }
        json!({
            "default": Tol::default_tol().json(false),
            "fields": Json::Object(fields),
        })
    }
}

/// A numeric leaf: an exact rational, a certified real, bounds or an infinity.
fn is_numeric_leaf(v: &Json) -> bool {
    v.as_object()
        .is_some_and(|o| o.contains_key("exact") || o.contains_key("lo") || o.contains_key("value"))
}

/// The float value of a leaf (the exact rational, else the midpoint of lo/hi, else `value`).
fn leaf_f64(v: &Json) -> Option<f64> {
    let o = v.as_object()?;
    if let Some(Json::String(q)) = o.get("exact") {
        return parse_rational(q).ok().map(|q| q.to_f64());
    }
    let s = |k: &str| o.get(k).and_then(|x| x.as_str()).map(dec_f64);
    match (s("value"), s("lo"), s("hi")) {
        (Some(v), _, _) => Some(v),
        (None, Some(lo), Some(hi)) => Some(0.5 * lo + 0.5 * hi),
        _ => None,
    }
}

/// A decimal string (possibly with an exponent beyond float64) or `inf` as f64.
fn dec_f64(s: &str) -> f64 {
    match s {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        _ => {
            if let Some(i) = s.find('e') {
                // exponents beyond the float64 range: clamp the exponent text
                let (m, e) = (&s[..i], &s[i + 1..]);
                if e.trim_start_matches('-').len() > 5 {
                    let neg_exp = e.starts_with('-');
                    let neg = m.starts_with('-');
                    return match (neg_exp, neg) {
                        (true, false) => 0.0,
                        (true, true) => -0.0,
                        (false, false) => f64::INFINITY,
                        (false, true) => f64::NEG_INFINITY,
                    };
                }
            }
            s.parse::<f64>().unwrap_or(f64::NAN)
        }
    }
}

fn get_f64(output: &Json, ptr: &str) -> Option<f64> {
    output.pointer(ptr).and_then(leaf_f64)
}

fn input_list(input: &Json, key: &str) -> Result<Vec<Rational>> {
    input[key]
        .as_array()
        .ok_or_else(|| Error::input(format!("vector input has no '{key}'")))?
        .iter()
        .map(|x| {
            parse_rational(x.as_str().unwrap_or(""))
                .map_err(|e| Error::input(format!("vector input '{key}': {e}")))
        })
        .collect()
}

fn input_rat(input: &Json, key: &str) -> Option<Rational> {
    input
        .get(key)
        .and_then(|x| x.as_str())
        .and_then(|s| parse_rational(s).ok())
}

// --- correctly rounded elementary functions (MPFR), so the model is platform independent ---

/// `x^j` by repeated multiplication (IEEE operations only, unlike `powi`).
fn ipow(x: f64, j: i32) -> f64 {
    (0..j).fold(1.0, |acc, _| acc * x)
}

fn fl(x: f64) -> Float {
    Float::with_val(MP, x)
}
fn ln(x: f64) -> f64 {
    fl(x).ln().to_f64()
}
fn exp(x: f64) -> f64 {
    fl(x).exp().to_f64()
}

/// The model `p`, `r` in float64 on the support of `p`, with `psi`, `mu`, `sigma^2` at a tilt.
struct FModel {
    p: Vec<f64>,
    r: Vec<f64>,
    /// Support size.
    k: f64,
    /// `max |r_a|` on the support.
    big_r: f64,
    /// `r_max - r_min` on the support.
    range: f64,
}

#[derive(Clone, Debug)]
struct FEval {
    psi: f64,
    mu: f64,
    var: f64,
    phi: Vec<f64>,
}

impl FModel {
    fn new(p: &[Rational], r: &[Rational]) -> FModel {
        let (mut pp, mut rr) = (Vec::new(), Vec::new());
        for (a, b) in p.iter().zip(r) {
            if *a > 0 {
                pp.push(a.to_f64());
                rr.push(b.to_f64());
            }
        }
        let big_r = rr.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let rmax = rr.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let rmin = rr.iter().cloned().fold(f64::INFINITY, f64::min);
        FModel {
            k: pp.len() as f64,
            p: pp,
            r: rr,
            big_r,
            range: rmax - rmin,
        }
    }
    /// `psi(l)`, `mu(l)`, `sigma^2(l)` and `phi_l` by a log-sum-exp evaluation.
    fn eval(&self, l: f64) -> FEval {
        let e: Vec<f64> = self.p.iter().zip(&self.r).map(|(p, r)| ln(*p) + l * r).collect();
        let m = e.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = e.iter().map(|x| exp(x - m)).collect();
        let z: f64 = w.iter().sum();
        let phi: Vec<f64> = w.iter().map(|x| x / z).collect();
        let mu: f64 = phi.iter().zip(&self.r).map(|(a, b)| a * b).sum();
        let var: f64 = phi
            .iter()
            .zip(&self.r)
            .map(|(a, b)| a * (b - mu) * (b - mu))
            .sum();
        FEval {
            psi: m + ln(z),
            mu,
            var,
            phi,
        }
    }
    /// Central absolute moment `sum phi |r - mu|^j`.
    fn abs_moment(&self, ev: &FEval, j: i32) -> f64 {
        ev.phi
            .iter()
            .zip(&self.r)
            .map(|(a, b)| a * ipow((b - ev.mu).abs(), j))
            .sum()
    }
    /// Absolute error of `psi(l)` evaluated in float64.
    fn e_psi(&self, l: f64) -> f64 {
        4.0 * U * (self.k + l.abs() * self.big_r)
    }
    /// Absolute error of `mu(l)` evaluated in float64.
    fn e_mu(&self, l: f64) -> f64 {
        4.0 * U * self.big_r.max(1.0) * (self.k + l.abs() * self.big_r)
    }
    /// Absolute error of `K(l) = l mu(l) - psi(l)` evaluated in float64.
    fn e_k(&self, l: f64, ev: &FEval) -> f64 {
        l.abs() * self.e_mu(l) + self.e_psi(l) + 2.0 * U * (l * ev.mu).abs() + 2.0 * U * ev.psi.abs()
    }
}

/// How the tilt parameter is given.
#[derive(Clone, Debug)]
enum FBudget {
    Delta(f64),
    Lambda,
    ExpLambda,
}

fn input_budget(input: &Json) -> Option<FBudget> {
    if let Some(d) = input_rat(input, "delta") {
        return Some(FBudget::Delta(d.to_f64()));
    }
    if input_rat(input, "lambda").is_some() {
        return Some(FBudget::Lambda);
    }
    input_rat(input, "exp_lambda").map(|_| FBudget::ExpLambda)
}

/// The resolved tilt of an output (`lambda` leaf): `Some(l)` when finite.
fn finite_lambda(output: &Json, ptr: &str) -> Option<f64> {
    get_f64(output, ptr).filter(|l| l.is_finite())
}

/// Absolute error of the tilt parameter `l` obtained from the budget in float64.
fn err_lambda(fm: &FModel, b: &FBudget, l: f64, ev: &FEval) -> f64 {
    match b {
        FBudget::Delta(_) => {
            if l == 0.0 || ev.var <= 0.0 {
                0.0
            } else {
                fm.e_k(l, ev) / (l.abs() * ev.var)
            }
        }
        FBudget::Lambda => 2.0 * U * l.abs(),
        FBudget::ExpLambda => 2.0 * U * (1.0 + l.abs()),
    }
}

const NOTE_LAMBDA_ROOT: &str =
    "lambda solves K(l) = l mu(l) - psi(l) = Delta: the float64 error of K (terms l mu and psi cancel) is amplified by 1 / K'(l) = 1 / (l sigma^2)";
const NOTE_FROM_LAMBDA: &str =
    "first order in the error of lambda (d/dl of this quantity) plus its own float64 evaluation";
const NOTE_PHI: &str =
    "relative error of p_a e^{l r_a} / Z: (k + |l| max|r|) u, plus |r_a - mu| times the error of lambda";
const NOTE_VARIANCE: &str = "sum phi (r - mu)^2 with error (mu^2 + sigma^2) u per term, plus |kappa_3| <= range * sigma^2 times the error of lambda";
const NOTE_DELTA: &str = "D(phi || p) = l mu - psi: the terms l mu and psi cancel";

/// The float64 tolerance model of the vectors for one result (`family` is the subcommand; the
/// others get the default), as the `tolerance` object of a vector: the entry point of the
/// Python package's `alignexact.testing.assert_close`.
pub fn tolerance_json(family: &str, input: &Json, output: &Json) -> Result<Json> {
    Ok(tolerances(family, input, output)?.to_json())
}

/// The tolerances of a vector, by family.
pub fn tolerances(family: &str, input: &Json, output: &Json) -> Result<Tolerances> {
    let mut t = Tolerances::new();
    match family {
        "divergence" => divergence_tol(input, output, &mut t)?,
        "tilt" => tilt_tol(input, output, &mut t)?,
        "rate" => rate_tol(input, output, &mut t)?,
        "cumulants" => cumulants_tol(input, output, &mut t)?,
        "bon" => bon_tol(input, output, &mut t)?,
        "compare" => compare_tol(input, output, &mut t)?,
        "methods" => methods_tol(input, output, &mut t)?,
        "markov" => markov_tol(input, output, &mut t)?,
        _ => {}
    }
    Ok(t)
}

/// The float model of best-of-N over levels with probabilities `ps` (ascending reward).
struct BonModel {
    /// `P_S` per level.
    ps: Vec<Float>,
    /// `ln P_S`.
    ln_ps: Vec<f64>,
    /// `F(s)` per level.
    f: Vec<f64>,
    /// `m_j = -N ln F(s_j) >= 0`.
    m: Vec<f64>,
    /// `F^N` per level.
    f_pow: Vec<f64>,
    /// `P_N` per level.
    pn: Vec<f64>,
    /// `ln P_N` per level (may be far below the float64 range).
    ln_pn: Vec<f64>,
    /// Relative error of `P_N` (equivalently the absolute error of `ln P_N`).
    rel_pn: Vec<f64>,
    /// Relative error of the float level law, its tails and CDF.
    e_t: f64,
    /// `ln N`.
    ln_n: f64,
}

impl BonModel {
    /// `ps` ascending by reward; `n_samples` = N; `ops` = float operations behind each `P_S`.
    fn new(ps: Vec<Float>, n_samples: &Float, ops: f64) -> BonModel {
        let len = ps.len();
        let e_t = 2.0 * U * (ops + len as f64);
        // CDF from the bottom, tails from the top (both sums of positive terms)
        let mut f = Vec::with_capacity(len);
        let mut acc = Float::with_val(MP, 0);
        for x in &ps {
            acc += x;
            f.push(acc.clone());
        }
        let mut tails = vec![Float::with_val(MP, 0); len];
        let mut acc = Float::with_val(MP, 0);
        for j in (0..len).rev() {
            tails[j] = acc.clone();
            acc += &ps[j];
        }
        let half = Float::with_val(MP, 0.5);
        let mut m = Vec::with_capacity(len);
        let mut mf = Vec::with_capacity(len);
        for j in 0..len {
            // -ln F = -ln1p(-T) when T < 1/2, else -ln F
            let neg_ln_f = if tails[j] < half {
                let x = Float::with_val(MP, -&tails[j]);
                -x.ln_1p()
            } else {
                -Float::with_val(MP, f[j].ln_ref())
            };
            let mj = Float::with_val(MP, n_samples * &neg_ln_f);
            m.push(mj.to_f64());
            mf.push(mj);
        }
        let mut ln_pn = Vec::with_capacity(len);
        for j in 0..len {
            let lp = if j == 0 {
                Float::with_val(MP, -&mf[0])
            } else {
                // delta_j = N ln1p(P_S / F(j-1)); ln P_N = -m_j + ln(-expm1(-delta_j))
                let ratio = Float::with_val(MP, &ps[j] / &f[j - 1]);
                let delta = Float::with_val(MP, n_samples * ratio.ln_1p());
                let neg = Float::with_val(MP, -delta);
                let one_minus = -neg.exp_m1();
                Float::with_val(MP, one_minus.ln() - &mf[j])
            };
            ln_pn.push(lp.to_f64());
        }
        let pn: Vec<f64> = ln_pn.iter().map(|x| exp(*x)).collect();
        let f_pow: Vec<f64> = m.iter().map(|x| exp(-x)).collect();
        let rel_pn: Vec<f64> = m.iter().map(|mj| 2.0 * e_t * (mj + 2.0) + 4.0 * U).collect();
        let ln_ps = ps
            .iter()
            .map(|x| Float::with_val(MP, x.ln_ref()).to_f64())
            .collect();
        let ln_n = Float::with_val(MP, n_samples.ln_ref()).to_f64();
        BonModel {
            f: f.iter().map(|x| x.to_f64()).collect(),
            ps,
            ln_ps,
            m,
            f_pow,
            pn,
            ln_pn,
            rel_pn,
            e_t,
            ln_n,
        }
    }
    fn len(&self) -> usize {
        self.ps.len()
    }
    /// `ln(P_N / P_S)` per level.
    fn log_ratio(&self, j: usize) -> f64 {
        self.ln_pn[j] - self.ln_ps[j]
    }
    /// Absolute error of `sum_j s_j P_N(s_j)`.
    fn err_expected(&self, s: &[f64]) -> f64 {
        (0..self.len())
            .map(|j| wt(self.pn[j], s[j].abs() * (self.rel_pn[j] + 4.0 * U)))
            .sum()
    }
    /// Absolute error of `D(pi_N || p) = sum P_N ln(P_N / P_S)`.
    fn err_kl(&self) -> f64 {
        (0..self.len())
            .map(|j| {
                let lr = self.log_ratio(j).abs();
                wt(self.pn[j], self.rel_pn[j] * (lr + 1.0) + self.e_t + 4.0 * U * lr)
            })
            .sum()
    }
    /// Absolute error of the win rate `sum P_N (F + F-) / 2`.
    fn err_win(&self) -> f64 {
        (0..self.len())
            .map(|j| {
                let fm = if j == 0 { 0.0 } else { self.f[j - 1] };
                wt(self.pn[j], (self.rel_pn[j] + self.e_t) * 0.5 * (self.f[j] + fm))
            })
            .sum::<f64>()
            + 4.0 * U
    }
    /// Absolute error of the per-level gap `A_N(F) - A_N(F-) - P_N ln(P_N/P_S)` (BON-3).
    fn err_level_gap(&self, j: usize) -> f64 {
        let (fp, mj) = (self.f_pow[j], self.m[j]);
        let (fpm, mjm) = if j == 0 {
            (0.0, 0.0)
        } else {
            (self.f_pow[j - 1], self.m[j - 1])
        };
        let rel = |m: f64| 2.0 * self.e_t * (m + 2.0) + 4.0 * U;
        let a = wt(fp, (self.ln_n.abs() + mj + 2.0) * rel(mj));
        let b = wt(fpm, (self.ln_n.abs() + mjm + 2.0) * rel(mjm));
        let lr = self.log_ratio(j).abs();
        a + b + wt(self.pn[j], self.rel_pn[j] * (lr + 1.0) + self.e_t + 4.0 * U * lr)
    }
}

/// `w x` for a weight `w >= 0`, taken as 0 when `w = 0` (an underflowed probability times an
/// astronomically large error factor contributes nothing).
fn wt(w: f64, x: f64) -> f64 {
    if w == 0.0 {
        0.0
    } else {
        w * x
    }
}

/// `N` from the input echo: an integer string or `e^(x)`.
fn input_n_samples(input: &Json) -> Option<Float> {
    let s = input.get("N")?.as_str()?;
    if let Some(x) = s.strip_prefix("e^(").and_then(|x| x.strip_suffix(')')) {
        let x = parse_rational(x).ok()?;
        return Some(Float::with_val(MP, &x).exp());
    }
    let q = parse_rational(s).ok()?;
    Some(Float::with_val(MP, &q))
}

const NOTE_PN: &str = "P_N = F^N - F-^N = F^N (1 - e^{-N ln(F/F-)}) from tails summed from the top: relative error about 2 e (N |ln F| + 2), e = (n k + levels) u the relative error of the float64 level law";
const NOTE_PS: &str =
    "the float64 level law of S_n (n convolution steps over k tokens): relative error (n k + levels) u";
const NOTE_E: &str = "sum s P_N: the per-level errors of P_N weighted by |s|";
const NOTE_KL_BON: &str = "sum P_N ln(P_N / P_S): per-level errors of P_N times (|ln(P_N/P_S)| + 1)";
const NOTE_KL_GAP: &str = "ln N - (N-1)/N - D(pi_N || p): the bound and the KL cancel";
const NOTE_LEVEL_GAP: &str =
    "A_N(F) - A_N(F-) - P_N ln(P_N/P_S) (BON-3): three terms of magnitude F^N (ln N + N |ln F|) cancel";
const NOTE_WIN: &str = "sum P_N (F + F-) / 2: per-level errors of P_N";

/// Exact level law `(rewards ascending, probabilities)` of the input model at length `n`.
fn exact_levels(p: &[Rational], r: &[Rational], n: u64) -> (Vec<Rational>, Vec<Rational>) {
    let law = level_law(p, r, n, Route::Auto);
    let rewards = (0..law.len()).map(|j| law.reward(j)).collect();
    let probs = (0..law.len()).map(|j| law.prob(j)).collect();
    (rewards, probs)
}

fn count_u64(input: &Json, key: &str) -> u64 {
    input.get(key).and_then(|x| x.as_u64()).unwrap_or(1)
}
