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
        _ => {}
    }
    Ok(t)
}

fn divergence_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p: Vec<f64> = input_list(input, "p")?.iter().map(|x| x.to_f64()).collect();
    let q: Vec<f64> = input_list(input, "q")?.iter().map(|x| x.to_f64()).collect();
    let k = p.len() as f64;
    let lnabs = |x: f64| if x > 0.0 { ln(x).abs() } else { 0.0 };
    // KL(a || b) = sum a ln(a/b): each term has an absolute error of about a (|ln a| + |ln b| + 1) u
    let kl_scale = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .filter(|(x, y)| **x > 0.0 && **y > 0.0)
            .map(|(x, y)| x * (lnabs(*x) + lnabs(*y) + 1.0))
            .sum()
    };
    let note_kl = "sum p ln(p/q): terms of both signs cancel when p is close to q; absolute error about sum p (|ln p| + |ln q| + 1) u";
    t.set(output, "/kl", Est::abs(4.0 * U * kl_scale(&p, &q)), note_kl);
    t.set(
        output,
        "/kl_reverse",
        Est::abs(4.0 * U * kl_scale(&q, &p)),
        note_kl,
    );
    // -sum a ln b: the float64 representation of b (relative error u) moves ln b by u
    let log_scale = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .filter(|(x, y)| **x > 0.0 && **y > 0.0)
            .map(|(x, y)| x * (lnabs(*y) + 1.0))
            .sum()
    };
    let note_ent = "-sum p ln q: rounding q to float64 moves ln q by u, an absolute error of about sum p (|ln q| + 1) u that matters when the value is small";
    t.set(
        output,
        "/entropy",
        Est::abs(4.0 * U * log_scale(&p, &p)),
        note_ent,
    );
    t.set(
        output,
        "/cross_entropy",
        Est::abs(4.0 * U * log_scale(&p, &q)),
        note_ent,
    );
    if let Some(al) = input_rat(input, "alpha") {
        let a = al.to_f64();
        if a != 1.0 {
            let lmax_p = p
                .iter()
                .filter(|x| **x > 0.0)
                .map(|x| lnabs(*x))
                .fold(0.0, f64::max);
            let lmax_q = q
                .iter()
                .filter(|x| **x > 0.0)
                .map(|x| lnabs(*x))
                .fold(0.0, f64::max);
            let d = (a - 1.0).abs();
            // ln of a sum of powers x^a: relative error (k + |a ln x|) u of the sum, divided by |a - 1|
            let div = 4.0 * U * (k + a.abs() * lmax_p + (1.0 - a).abs() * lmax_q) / d;
            let ent = 4.0 * U * (k + a.abs() * lmax_p) / d;
            let cross = 4.0 * U * (k + (a - 1.0).abs() * lmax_q) / d;
            let note = "ln(sum of powers) / (alpha - 1): the sum carries a relative error (k + |alpha| max|ln p| + |1 - alpha| max|ln q|) u, an absolute error of the logarithm, divided by |alpha - 1|";
            t.set(output, "/renyi_divergence", Est::abs(div), note);
            t.set(output, "/renyi_entropy", Est::abs(ent), note);
            t.set(output, "/renyi_cross_entropy", Est::abs(cross), note);
            t.set(output, "/renyi_cross_entropy_alt", Est::abs(div + ent), note);
        } else {
            t.set(
                output,
                "/renyi_divergence",
                Est::abs(4.0 * U * kl_scale(&p, &q)),
                note_kl,
            );
        }
    }
    Ok(())
}

fn tilt_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let fm = FModel::new(&p, &r);
    let Some(b) = input_budget(input) else {
        return Ok(());
    };
    let Some(l) = finite_lambda(output, "/lambda") else {
        return Ok(()); // saturated: p conditioned on A_max, a few exact operations
    };
    let ev = fm.eval(l);
    let el = err_lambda(&fm, &b, l, &ev);
    if matches!(b, FBudget::Delta(_)) {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
        // the exact Delta is reproduced as D(phi || p) of the float64 phi
        t.set(output, "/delta", Est::abs(fm.e_k(l, &ev)), NOTE_DELTA);
    } else {
        t.set(
            output,
            "/delta",
            Est::abs(fm.e_k(l, &ev) + l.abs() * ev.var * el),
            NOTE_DELTA,
        );
    }
    t.set(
        output,
        "/log_partition",
        Est::abs(fm.e_psi(l) + ev.mu.abs() * el),
        NOTE_FROM_LAMBDA,
    );
    t.set(
        output,
        "/partition",
        Est::rel(fm.e_psi(l) + ev.mu.abs() * el),
        NOTE_FROM_LAMBDA,
    );
    t.set(
        output,
        "/expected_reward",
        Est::abs(fm.e_mu(l) + ev.var * el),
        NOTE_FROM_LAMBDA,
    );
    t.set(
        output,
        "/reward_variance",
        Est::abs(4.0 * U * fm.k * (ev.mu * ev.mu + ev.var) + fm.range * ev.var * el),
        NOTE_VARIANCE,
    );
    // phi over the full alphabet (zeros stay exact)
    let mut j = 0;
    for (i, pa) in p.iter().enumerate() {
        if *pa == 0 {
            continue;
        }
        let rel = 4.0 * U * (fm.k + l.abs() * fm.big_r) + (fm.r[j] - ev.mu).abs() * el;
        t.set(output, &format!("/phi/{i}"), Est::rel(rel), NOTE_PHI);
        j += 1;
    }
    Ok(())
}

fn rate_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let fm = FModel::new(&p, &r);
    let x = input_rat(input, "x").map(|q| q.to_f64()).unwrap_or(0.0);
    let mut err_i0 = 0.0;
    if let Some(lx) = finite_lambda(output, "/lambda_x") {
        let ev = fm.eval(lx);
        if ev.var > 0.0 {
            let el = (fm.e_mu(lx) + 2.0 * U * x.abs()) / ev.var;
            t.set(
                output,
                "/lambda_x",
                Est::abs(el),
                "lambda_x solves mu(l) = x: the float64 error of mu is amplified by 1 / mu'(l) = 1 / sigma^2(l)",
            );
            // I_0 = l x - psi(l) is stationary in l: first order is the cancellation of l x and psi
            err_i0 =
                fm.e_psi(lx) + 2.0 * U * (lx * x).abs() + 2.0 * U * ev.psi.abs() + 0.5 * ev.var * el * el;
            t.set(
                output,
                "/rate_reference",
                Est::abs(err_i0),
                "I_0(x) = l x - psi(l) is stationary in l (no first-order error from lambda_x); the terms l x and psi cancel",
            );
        }
    }
    let Some(b) = input_budget(input) else {
        return Ok(());
    };
    let Some(l) = finite_lambda(output, "/lambda") else {
        return Ok(());
    };
    if l == 0.0 {
        t.set(
            output,
            "/rate_aligned",
            Est::abs(err_i0),
            "equal to I_0(x) at Delta = 0",
        );
        return Ok(());
    }
    let ev = fm.eval(l);
    let el = err_lambda(&fm, &b, l, &ev);
    if matches!(b, FBudget::Delta(_)) {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
    }
    let xs = ev.mu;
    let ia = get_f64(output, "/rate_aligned").unwrap_or(0.0);
    if ia.is_finite() {
        let delta = match b {
            FBudget::Delta(d) => d,
            _ => l * ev.mu - ev.psi,
        };
        let err = err_i0
            + (x - xs).abs() * el
            + l.abs() * fm.e_mu(l)
            + fm.e_psi(l)
            + fm.e_k(l, &ev)
            + 2.0 * U * (ia.abs() + delta.abs() + (l * (x - xs)).abs() + (l * x).abs() + ev.psi.abs());
        t.set(
            output,
            "/rate_aligned",
            Est::abs(err),
            "I_Delta(x) = I_0(x) - Delta - l_Delta (x - x*): cancellation of its terms, plus |x - x*| times the error of lambda",
        );
    }
    Ok(())
}

/// Cumulants `kappa_2..kappa_m` of `r` under `phi` from central moments (index `j` holds
/// `kappa_j`; entries 0 and 1 are unused), and the magnitude `A_j` of the terms of the recursion
/// `kappa_j = c_j - sum_{i=2}^{j-2} C(j-1, i-1) kappa_i c_{j-i}` (absolute central moments in
/// place of the moments): the scale of the cancellation in a float64 evaluation.
fn central_cumulants(fm: &FModel, ev: &FEval, m: usize) -> (Vec<f64>, Vec<f64>) {
    let c: Vec<f64> = (0..=m)
        .map(|j| {
            ev.phi
                .iter()
                .zip(&fm.r)
                .map(|(a, b)| a * ipow(b - ev.mu, j as i32))
                .sum()
        })
        .collect();
    let abs_m: Vec<f64> = (0..=m).map(|j| fm.abs_moment(ev, j as i32)).collect();
    let binom =
        |n: usize, k: usize| -> f64 { (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64) };
    let mut kappa = vec![0.0; m + 1];
    let mut mag = vec![0.0; m + 1];
    for j in 2..=m {
        let mut kj = c[j];
        let mut aj = abs_m[j];
        for i in 2..j.saturating_sub(1) {
            let b = binom(j - 1, i - 1);
            kj -= b * kappa[i] * c[j - i];
            aj += b * mag[i] * abs_m[j - i];
        }
        kappa[j] = kj;
        mag[j] = aj;
    }
    (kappa, mag)
}

fn cumulants_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let fm = FModel::new(&p, &r);
    let Some(b) = input_budget(input) else {
        return Ok(());
    };
    let lam = get_f64(output, "/lambda").unwrap_or(0.0);
    if !lam.is_finite() {
        return Ok(()); // saturated: a point mass, exact
    }
    let ev = fm.eval(lam);
    let el = if lam == 0.0 {
        0.0
    } else {
        err_lambda(&fm, &b, lam, &ev)
    };
    if matches!(b, FBudget::Delta(_)) && lam != 0.0 {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
    }
    let order = output["cumulants"].as_array().map_or(0, |a| a.len());
    let base = 4.0 * U * (fm.k + lam.abs() * fm.big_r);
    let (kappa, mag) = central_cumulants(&fm, &ev, order + 1);
    for j in 1..=order {
        // d kappa_j / d lambda = kappa_{j+1}
        let err = if j == 1 {
            fm.e_mu(lam) + ev.var * el
        } else {
            base * mag[j] + kappa[j + 1].abs() * el
        };
        t.set(
            output,
            &format!("/cumulants/{}", j - 1),
            Est::abs(err),
            "kappa_j from central moments: the terms of the moment-cumulant recursion cancel (scale: the recursion on absolute central moments) with a relative error (k + |l| max|r|) u each, plus |kappa_{j+1}| times the error of lambda",
        );
    }
    if let Some(tt) = input_rat(input, "t").map(|q| q.to_f64()) {
        let ev2 = fm.eval(lam + tt);
        let err = fm.e_psi(lam + tt)
            + fm.e_psi(lam)
            + (ev2.mu - ev.mu).abs() * el
            + 2.0 * U * (ev2.psi.abs() + ev.psi.abs());
        let note = "Lambda(t) = psi(l + t) - psi(l): the two log-partitions cancel; plus |mu(l+t) - mu(l)| times the error of lambda";
        t.set(output, "/scgf", Est::abs(err), note);
        // the Renyi forms go through ln C = ln sum e^{r} and Renyi sums of order 1 + t
        let lnc_scale = fm.big_r + ln(fm.k.max(1.0));
        let extra = 4.0 * U * tt.abs() * (lnc_scale + 1.0) * (1.0 + (lam + tt).abs() * fm.big_r);
        let note_r = "as scgf, plus the float64 error of t ln C and of the Renyi sums of order 1 + t";
        for key in ["reference_cross_entropy", "aligned_cross_entropy", "divergence"] {
            let mut e = err + extra;
            if key == "divergence" && lam != 0.0 {
                // (t / l) [psi(l) + D_{1 + t/l}]: the error of l enters through t / l
                e += (tt / lam).abs() * (fm.e_psi(lam) + ev.mu.abs() * el)
                    + (get_f64(output, "/scgf").unwrap_or(0.0) / lam).abs() * el;
            }
            t.set(output, &format!("/scgf_renyi/{key}"), Est::abs(e), note_r);
        }
    }
    Ok(())
}

// --- best-of-N -------------------------------------------------------------------------------

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

fn bon_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let n = count_u64(input, "n");
    let Some(big_n) = input_n_samples(input) else {
        return Ok(());
    };
    let k = p.iter().filter(|x| **x > 0).count() as f64;
    let (rewards, probs) = exact_levels(&p, &r, n);
    let s: Vec<f64> = rewards.iter().map(|x| x.to_f64()).collect();
    let ps: Vec<Float> = probs.iter().map(|x| Float::with_val(MP, x)).collect();
    let bm = BonModel::new(ps, &big_n, n as f64 * k);
    let len = bm.len();
    let listed = output["levels"].as_array().map_or(0, |a| a.len());
    for i in 0..listed.min(len) {
        let j = len - 1 - i;
        t.set(
            output,
            &format!("/levels/{i}/prob_reference"),
            Est::rel(bm.e_t),
            NOTE_PS,
        );
        t.set(
            output,
            &format!("/levels/{i}/prob_bon"),
            Est::rel(bm.rel_pn[j]),
            NOTE_PN,
        );
        t.set(
            output,
            &format!("/levels/{i}/kl_gap"),
            Est::abs(bm.err_level_gap(j)),
            NOTE_LEVEL_GAP,
        );
    }
    let err_e = bm.err_expected(&s);
    t.set(output, "/expected_reward", Est::abs(err_e), NOTE_E);
    t.set(
        output,
        "/expected_reward_per_token",
        Est::abs(err_e / n as f64),
        NOTE_E,
    );
    let err_kl = bm.err_kl();
    t.set(output, "/kl_to_reference", Est::abs(err_kl), NOTE_KL_BON);
    t.set(
        output,
        "/kl_gap",
        Est::abs(err_kl + 4.0 * U * (bm.ln_n.abs() + 1.0)),
        NOTE_KL_GAP,
    );
    t.set(output, "/win_rate", Est::abs(bm.err_win()), NOTE_WIN);
    // the order rule (n = 1): tokens sorted by (reward, index)
    if output.get("tokens").is_some() {
        let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i] > 0).collect();
        idx.sort_by(|&a, &b| r[a].cmp(&r[b]).then(a.cmp(&b)));
        let ps: Vec<Float> = idx.iter().map(|&i| Float::with_val(MP, &p[i])).collect();
        let om = BonModel::new(ps, &big_n, k);
        for (pos, &i) in idx.iter().enumerate() {
            t.set(output, &format!("/tokens/{i}"), Est::rel(om.rel_pn[pos]), NOTE_PN);
        }
        t.set(
            output,
            "/kl_to_reference_order",
            Est::abs(om.err_kl()),
            NOTE_KL_BON,
        );
    }
    Ok(())
}

fn compare_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let n = count_u64(input, "n");
    let nf = n as f64;
    let Some(big_n) = input_n_samples(input) else {
        return Ok(());
    };
    let fm = FModel::new(&p, &r);
    let (rewards, probs) = exact_levels(&p, &r, n);
    let s: Vec<f64> = rewards.iter().map(|x| x.to_f64()).collect();
    let ps: Vec<Float> = probs.iter().map(|x| Float::with_val(MP, x)).collect();
    let bm = BonModel::new(ps, &big_n, nf * fm.k);
    let len = bm.len();
    let delta = input_rat(input, "delta").map_or(0.0, |d| d.to_f64());
    // N = ceil(e^{n Delta}): e^x carries a relative error (1 + x) u
    let nd = nf * delta;
    t.set(
        output,
        "/N",
        Est::rel(2.0 * U * (1.0 + nd)),
        "N = e^{n Delta} (rounded): exp of n Delta has a relative error (1 + n Delta) u",
    );
    let err_e = bm.err_expected(&s);
    let err_kl = bm.err_kl();
    let e_bon = get_f64(output, "/expected_reward_bon").unwrap_or(0.0);
    let kl_ref = get_f64(output, "/kl_bon_reference").unwrap_or(0.0);
    let per = |t: &mut Tolerances, key: &str, err: f64, note: &str| {
        t.set(output, &format!("/{key}"), Est::abs(err), note);
        t.set(output, &format!("/{key}_per_token"), Est::abs(err / nf), note);
    };
    per(t, "expected_reward_bon", err_e, NOTE_E);
    per(t, "kl_bon_reference", err_kl, NOTE_KL_BON);
    let lam = get_f64(output, "/lambda").unwrap_or(0.0);
    if lam.is_infinite() {
        // saturated: phi^n sits on the top level; D(phi^n || pi_N) = -ln P_N(top)
        let top = len - 1;
        if top > 0 {
            let rel = 2.0 * bm.e_t * (bm.m[top - 1] + 2.0) + 4.0 * U;
            t.set(
                output,
                "/kl_tilted_bon",
                Est::rel(rel),
                "-ln P_N(top) = -ln(1 - F_-^N) ~ F_-^N: relative error of F_-^N",
            );
            t.set(
                output,
                "/kl_tilted_bon_per_token",
                Est::rel(rel),
                "-ln P_N(top) / n: relative error of F_-^N",
            );
        }
        return Ok(());
    }
    let ev = fm.eval(lam);
    let el = if lam == 0.0 {
        0.0
    } else {
        err_lambda(&fm, &FBudget::Delta(delta), lam, &ev)
    };
    if lam != 0.0 {
        t.set(output, "/lambda", Est::abs(el), NOTE_LAMBDA_ROOT);
    }
    per(
        t,
        "expected_reward_tilted",
        nf * (fm.e_mu(lam) + ev.var * el),
        "n mu(lambda): n times the error of mu, plus n sigma^2 times the error of lambda",
    );
    per(
        t,
        "kl_tilted_reference",
        nf * fm.e_k(lam, &ev),
        "n D(phi || p) = n (l mu - psi) from a float64 phi: the terms cancel",
    );
    // ln Phi_j = ln P_S(j) + l s_j - n psi(l)
    let n_psi = nf * ev.psi;
    let e_npsi = nf * fm.e_psi(lam);
    let ln_phi: Vec<f64> = (0..len).map(|j| bm.ln_ps[j] + lam * s[j] - n_psi).collect();
    let err_ln_phi = |j: usize| -> f64 {
        bm.e_t
            + 4.0 * U * ((lam * s[j]).abs() + n_psi.abs() + bm.ln_ps[j].abs())
            + (s[j] - nf * ev.mu).abs() * el
            + e_npsi
    };
    let mut direct = 0.0;
    let mut reverse = 0.0;
    for (j, lp) in ln_phi.iter().enumerate() {
        let d = (bm.ln_pn[j] - lp).abs();
        direct += wt(bm.pn[j], bm.rel_pn[j] * (d + 1.0) + err_ln_phi(j) + 4.0 * U * d);
        reverse += wt(exp(*lp), bm.rel_pn[j] + err_ln_phi(j) + 4.0 * U * d);
    }
    let pyth = err_kl
        + lam.abs() * err_e
        + (nf * ev.mu - e_bon).abs() * el
        + e_npsi
        + 4.0 * U * (kl_ref.abs() + (lam * e_bon).abs() + n_psi.abs());
    let bt = direct.max(pyth);
    let note_bt = "D(pi_N || phi^n): directly sum P_N ln(P_N / Phi) with ln Phi = ln P_S + l s - n psi, or by TILT-3 D(pi_N||p) - l E S + n psi; the terms l E S and n psi cancel, and the error of lambda enters times |n mu - E S|";
    per(t, "kl_bon_tilted", bt, note_bt);
    per(t, "kl_bon_tilted_pythagorean", bt, note_bt);
    per(
        t,
        "kl_tilted_bon",
        reverse,
        "sum Phi ln(Phi / P_N): ln P_N = N ln F + ... has an absolute error of about 2 e N |ln F| per level, e the relative error of the float64 level law",
    );
    Ok(())
}

// --- the `methods` family (`alignexact frontier`) ---

/// `Delta_max = -ln P(r = r_max)` of a float model.
fn fdelta_max(fm: &FModel) -> f64 {
    let top = fm.r.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let pt: f64 =
        fm.p.iter()
            .zip(&fm.r)
            .filter(|(_, r)| **r == top)
            .map(|(p, _)| p)
            .sum();
    -ln(pt)
}

/// The tilt `l >= 0` with `K(l) = kl` (bisection in float64); `None` at or past `Delta_max`.
fn solve_tilt(fm: &FModel, kl: f64) -> Option<f64> {
    if kl <= 0.0 {
        return Some(0.0);
    }
    if fm.range <= 0.0 || kl >= fdelta_max(fm) {
        return None;
    }
    let k = |l: f64| {
        let ev = fm.eval(l);
        l * ev.mu - ev.psi
    };
    let mut hi = 1.0;
    while k(hi) < kl && hi < 1e12 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if k(mid) < kl {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

/// Absolute error of the optimum `x*(KL)` of the tilt model `fm` when KL carries an absolute
/// error `e_kl`: `x*` is concave in KL with slope `1/l(KL)` (TILT-1: `dmu/dK = sigma^2 / (l
/// sigma^2)`), so an error `e` moves it by at most `min(e / l, x*(e) - x*(0))`, and
/// `x*(e) - x*(0) <= 2 sqrt(2 sigma_0^2 e)` to first order; plus the float64 error of evaluating
/// `mu` at the root (`e_mu + sigma^2` times the root's error `e_K / (l sigma^2)`). Past
/// `Delta_max` the optimum is the constant `v_max`.
fn err_optimum_at(fm: &FModel, kl: f64, e_kl: f64) -> f64 {
    let Some(l) = solve_tilt(fm, kl) else {
        return 0.0;
    };
    let var0 = fm.eval(0.0).var;
    let near0 = 2.0 * (2.0 * var0 * e_kl).sqrt();
    let ev = fm.eval(l);
    let (slope, root) = if l > 0.0 && ev.var > 0.0 {
        (e_kl / l, fm.e_mu(l) + fm.e_k(l, &ev) / l)
    } else {
        (f64::INFINITY, fm.e_mu(l))
    };
    slope.min(near0) + root
}

const NOTE_MKL: &str = "sum Q ln(Q/q) from a float64 law Q with relative error e per level: at most (e + u)(KL + 2/e_1 + 1), since sum Q |ln(Q/q)| <= KL + 2/e_1 (e_1 = 2.718..)";
const NOTE_MAT: &str = "x*(KL) or W*(KL) at the method's float64 KL: concave with slope 1/l(KL), so the KL error e moves it by min(e/l, 2 sqrt(2 sigma_0^2 e)), plus the error of mu at the root";
const NOTE_SOFT: &str = "soft best-of-N law as a sum of positive terms over compositions, each a product of O(N) rounded factors and N exponentials e^{lambda r}: relative error (2N + k + N |lambda| max|r|) u per level";
const NOTE_POISSON: &str = "best-of-Poisson law Q_j = G_j - G_{j-1}, G = F e^{-mu (1 - F)}: G carries a relative error (e + u)(1 + mu (1 - F)), e the error of the float64 CDF; the difference cancels";
const NOTE_TILT_E: &str = "E_phi of a value v in [min, max] with phi of relative error (k + |l| max|t|) u + range(t) e_l (t the tilted quantity, e_l the error of lambda)";

fn methods_tol(input: &Json, output: &Json, t: &mut Tolerances) -> Result<()> {
    let p = input_list(input, "p")?;
    let r = input_list(input, "r")?;
    let (rewards, probs) = exact_levels(&p, &r, 1);
    // mid ranks w_j = F(j-1) + q_j / 2 of the levels (exact)
    let mut below = Rational::new();
    let mut w = Vec::with_capacity(probs.len());
    for q in &probs {
        w.push(&below + Rational::from(q / 2u32));
        below += q;
    }
    let rm = FModel::new(&probs, &rewards);
    let wm = FModel::new(&probs, &w);
    let k = rm.k;
    let big_s = rm.big_r;
    t.set(
        output,
        "/delta_max",
        Est::abs(2.0 * U * (k + 1.0)),
        "-ln P(r = r_max): the sum of the top probabilities carries a relative error k u",
    );
    // the two tilts: (key, tilted model, is the reward tilt)
    for (key, fm, reward_tilt) in [("optimum", &rm, true), ("win_rate_optimal", &wm, false)] {
        let rows = output[key].as_array().map_or(0, |a| a.len());
        for i in 0..rows {
            let base = format!("/{key}/{i}");
            let Some(l) = finite_lambda(output, &format!("{base}/lambda")) else {
                continue; // saturated: the law conditioned on the top level, a few operations
            };
            let ev = fm.eval(l);
            let delta = get_f64(output, &format!("{base}/delta")).unwrap_or(0.0);
            let el = err_lambda(fm, &FBudget::Delta(delta), l, &ev);
            t.set(output, &format!("{base}/lambda"), Est::abs(el), NOTE_LAMBDA_ROOT);
            t.set(
                output,
                &format!("{base}/kl"),
                Est::abs(fm.e_k(l, &ev)),
                NOTE_DELTA,
            );
            let rp = 4.0 * U * (k + l.abs() * fm.big_r) + fm.range * el + 4.0 * U;
            let er = if reward_tilt {
                fm.e_mu(l) + ev.var * el
            } else {
                rp * big_s
            };
            t.set(
                output,
                &format!("{base}/expected_reward"),
                Est::abs(er),
                NOTE_TILT_E,
            );
            t.set(output, &format!("{base}/win_rate"), Est::abs(rp), NOTE_TILT_E);
        }
    }
    // the method points: absolute errors of (KL, E r, W), then x*(KL) and W*(KL)
    let point = |t: &mut Tolerances, base: &str, e: (f64, f64, f64), note: &str| {
        let (e_kl, e_r, e_w) = e;
        t.set(output, &format!("{base}/kl"), Est::abs(e_kl), NOTE_MKL);
        t.set(output, &format!("{base}/expected_reward"), Est::abs(e_r), note);
        t.set(output, &format!("{base}/win_rate"), Est::abs(e_w), note);
        let kl = get_f64(output, &format!("{base}/kl")).unwrap_or(0.0);
        t.set(
            output,
            &format!("{base}/optimal_reward_at_kl"),
            Est::abs(err_optimum_at(&rm, kl, e_kl)),
            NOTE_MAT,
        );
        t.set(
            output,
            &format!("{base}/optimal_win_rate_at_kl"),
            Est::abs(err_optimum_at(&wm, kl, e_kl)),
            NOTE_MAT,
        );
    };
    let kl_bound = |kl: f64, rel: f64| (rel + 4.0 * U) * (kl + 2.0 / std::f64::consts::E + 1.0);
    let s: Vec<f64> = rewards.iter().map(|x| x.to_f64()).collect();
    let wf: Vec<f64> = w.iter().map(|x| x.to_f64()).collect();
    let ps: Vec<Float> = probs.iter().map(|x| Float::with_val(MP, x)).collect();
    if let Some(rows) = output["best_of_n"].as_array() {
        for (i, row) in rows.iter().enumerate() {
            let n = row["N"].as_u64().unwrap_or(1);
            let bm = BonModel::new(ps.clone(), &Float::with_val(MP, n), k);
            let e = (bm.err_kl(), bm.err_expected(&s), bm.err_win());
            point(t, &format!("/best_of_n/{i}"), e, NOTE_PN);
        }
    }
    if let Some(rows) = output["soft_best_of_n"].as_array() {
        for (i, row) in rows.iter().enumerate() {
            let n = row["N"].as_u64().unwrap_or(1) as f64;
            let lam = row.get("lambda").and_then(leaf_f64).unwrap_or(0.0).abs();
            let rel = 4.0 * U * (2.0 * n + k + n * lam * big_s);
            let base = format!("/soft_best_of_n/{i}");
            let kl = get_f64(output, &format!("{base}/kl")).unwrap_or(0.0);
            let e = (kl_bound(kl, rel), (rel + 4.0 * U) * big_s, rel + 8.0 * U);
            point(t, &base, e, NOTE_SOFT);
        }
    }
    if let Some(rows) = output["best_of_poisson"].as_array() {
        let e_t = 2.0 * U * (2.0 * k);
        for (i, row) in rows.iter().enumerate() {
            let mu = row.get("mu").and_then(leaf_f64).unwrap_or(0.0);
            // G_j = F_j e^{-mu T_j}, T_j = 1 - F_j, with its relative error
            let mut f = 0.0;
            let mut g = Vec::with_capacity(ps.len());
            for x in &ps {
                f += x.to_f64();
                let tail = (1.0 - f).max(0.0);
                g.push((f * exp(-mu * tail), (e_t + 4.0 * U) * (1.0 + mu * tail)));
            }
            let (mut e_kl, mut e_r, mut e_w) = (0.0, 4.0 * U * big_s, 4.0 * U);
            for j in 0..g.len() {
                let (gj, rj) = g[j];
                let (gm, rm_) = if j == 0 { (0.0, 0.0) } else { g[j - 1] };
                let qj = gj - gm;
                let abs_q = gj * rj + gm * rm_ + 4.0 * U * qj.abs();
                e_r += s[j].abs() * abs_q;
                e_w += wf[j] * abs_q;
                let pj = ps[j].to_f64();
                if qj > 0.0 && pj > 0.0 {
                    let lr = ln(qj / pj).abs();
                    e_kl += abs_q * (lr + 1.0) + 4.0 * U * qj * lr;
                }
            }
            point(
                t,
                &format!("/best_of_poisson/{i}"),
                (e_kl, e_r, e_w),
                NOTE_POISSON,
            );
        }
    }
    Ok(())
}
