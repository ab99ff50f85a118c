//! A certified Perron eigenpair of a non-negative matrix given by enclosures (MATH.md §10, MKV-3):
//! the Krawczyk operator on the bordered system `(M v - rho v, 1^T v - 1) = 0`
//! ([`perron_pair`]), linear systems with a rigorous residual bound ([`solve_enclosed`]), and the
//! Collatz-Wielandt bounds ([`collatz_wielandt`]) as an independent check. The derivation is in
//! the documentation of [`crate::math::markov`] and in `proofs/markov.md`.

use crate::real::round::{add_up, div_up, fmax, mul_up};
use crate::real::Enc;
use rug::Float;

/// A matrix of enclosures.
pub type EncMat = Vec<Vec<Enc>>;
/// A matrix of floats (approximations).
pub type FMat = Vec<Vec<Float>>;

/// Solve `a x = b` in floating point (partial pivoting); `None` when singular.
pub(crate) fn fsolve(a: &FMat, b: &[Float], prec: u32) -> Option<Vec<Float>> {
    let n = b.len();
    let mut m: FMat = a
        .iter()
        .zip(b)
        .map(|(row, bi)| {
            let mut r: Vec<Float> = row.iter().map(|x| Float::with_val(prec, x)).collect();
            r.push(Float::with_val(prec, bi));
            r
        })
        .collect();
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| {
            m[i][col]
                .clone()
                .abs()
                .partial_cmp(&m[j][col].clone().abs())
                .unwrap_or(std::cmp::Ordering::Equal)
        })?;
        if m[piv][col].is_zero() {
            return None;
        }
        m.swap(col, piv);
        let pr = m[col].clone();
        for row in m.iter_mut().skip(col + 1) {
            let f = Float::with_val(prec, &row[col] / &pr[col]);
            for (x, y) in row.iter_mut().zip(&pr).skip(col) {
                *x -= Float::with_val(prec, &f * y);
            }
        }
    }
    let mut x = vec![Float::new(prec); n];
    for i in (0..n).rev() {
        let mut s = Float::with_val(prec, &m[i][n]);
        for j in i + 1..n {
            s -= Float::with_val(prec, &m[i][j] * &x[j]);
        }
        x[i] = s / &m[i][i];
    }
    Some(x)
}

/// Approximate inverse of `a` (columns solved one by one).
pub(crate) fn finverse(a: &FMat, prec: u32) -> Option<FMat> {
    let n = a.len();
    let mut cols = Vec::with_capacity(n);
    for j in 0..n {
        let e: Vec<Float> = (0..n).map(|i| Float::with_val(prec, u32::from(i == j))).collect();
        cols.push(fsolve(a, &e, prec)?);
    }
    Some(
        (0..n)
            .map(|i| (0..n).map(|j| cols[j][i].clone()).collect())
            .collect(),
    )
}

pub(crate) fn mids(m: &EncMat) -> FMat {
    m.iter().map(|r| r.iter().map(Enc::mid).collect()).collect()
}

pub(crate) fn transpose(m: &EncMat) -> EncMat {
    let k = m.len();
    (0..k)
        .map(|i| (0..k).map(|j| m[j][i].clone()).collect())
        .collect()
}

/// The bordered Jacobian `[[M - rho I, -v], [1^T, 0]]` for an eigenpair (enclosures).
pub(crate) fn bordered(m: &EncMat, v: &[Enc], rho: &Enc, prec: u32) -> EncMat {
    let k = m.len();
    let mut j: EncMat = Vec::with_capacity(k + 1);
    for a in 0..k {
        let mut row: Vec<Enc> = (0..k)
            .map(|b| {
                if a == b {
                    m[a][b].sub(rho, prec)
                } else {
                    m[a][b].clone()
                }
            })
            .collect();
        row.push(v[a].neg());
        j.push(row);
    }
    let mut last: Vec<Enc> = (0..k).map(|_| Enc::from_i64(1, prec)).collect();
    last.push(Enc::zero(prec));
    j.push(last);
    j
}

pub(crate) fn fmat_enc(y: &FMat) -> EncMat {
    y.iter().map(|r| r.iter().map(Enc::point).collect()).collect()
}

pub(crate) fn mat_vec(a: &EncMat, x: &[Enc], prec: u32) -> Vec<Enc> {
    a.iter()
        .map(|row| {
            row.iter()
                .zip(x)
                .fold(Enc::zero(prec), |acc, (p, q)| acc.add(&p.mul(q, prec), prec))
        })
        .collect()
}

/// `I - Y B` as enclosures.
pub(crate) fn residual_matrix(y: &EncMat, b: &EncMat, prec: u32) -> EncMat {
    let n = b.len();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    let mut s = Enc::zero(prec);
                    for (l, brow) in b.iter().enumerate() {
                        s = s.add(&y[i][l].mul(&brow[j], prec), prec);
                    }
                    Enc::from_i64(i64::from(i == j), prec).sub(&s, prec)
                })
                .collect()
        })
        .collect()
}

pub(crate) fn abs_hi(e: &Enc, prec: u32) -> Float {
    fmax(
        &Float::with_val(prec, e.lo().abs_ref()),
        &Float::with_val(prec, e.hi().abs_ref()),
    )
}

/// Enclose the solution of `B x = rhs` for every `B`, `rhs` in the given enclosures, from an
/// approximate inverse `y` of `mid(B)`: with `x~ = y mid(rhs)`, `r = rhs - B x~`,
/// `C = I - y B` and `beta = ||C||_inf < 1`, the error `e = x - x~` satisfies
/// `e = y r + C e`, so `||e||_inf <= ||y r||_inf / (1 - beta)` =: `delta` and
/// `x in x~ + y r + C [-delta, delta]`. `None` when `beta >= 1` is not excluded.
pub fn solve_enclosed(b: &EncMat, rhs: &[Enc], y: &FMat, prec: u32) -> Option<Vec<Enc>> {
    let n = rhs.len();
    let ye = fmat_enc(y);
    let xm: Vec<Float> = mat_vec(
        &ye,
        &rhs.iter().map(|e| Enc::point(&e.mid())).collect::<Vec<_>>(),
        prec,
    )
    .iter()
    .map(Enc::mid)
    .collect();
    let xe: Vec<Enc> = xm.iter().map(Enc::point).collect();
    let bx = mat_vec(b, &xe, prec);
    let r: Vec<Enc> = rhs.iter().zip(&bx).map(|(a, c)| a.sub(c, prec)).collect();
    let z = mat_vec(&ye, &r, prec);
    let c = residual_matrix(&ye, b, prec);
    let mut beta = Float::new(prec);
    for row in &c {
        let mut s = Float::new(prec);
        for e in row {
            s = add_up(&s, &abs_hi(e, prec), prec);
        }
        beta = fmax(&beta, &s);
    }
    if beta >= 1 || !beta.is_finite() {
        return None;
    }
    let mut zn = Float::new(prec);
    for e in &z {
        zn = fmax(&zn, &abs_hi(e, prec));
    }
    let one_minus = crate::real::round::sub_dn(&Float::with_val(prec, 1), &beta, prec);
    let delta = div_up(&zn, &one_minus, prec);
    let dbox = Enc::new(Float::with_val(prec, -&delta), delta.clone());
    let cd = mat_vec(&c, &vec![dbox; n], prec);
    Some((0..n).map(|i| xe[i].add(&z[i], prec).add(&cd[i], prec)).collect())
}

/// A certified eigenpair of a non-negative matrix (enclosures): `M v = rho v`, `sum v = 1`.
#[derive(Clone, Debug)]
pub struct Eigenpair {
    /// The Perron vector, normalised to sum 1; every component certified `> 0`.
    pub v: Vec<Enc>,
    /// The Perron root.
    pub rho: Enc,
    /// Approximate inverse of the bordered Jacobian at the pair (for the derivative systems).
    pub(crate) y: FMat,
}

/// An approximate Perron pair of the midpoint matrix: power iteration, then Newton on
/// `F(v, rho)` with precision doubling up to `prec + 32`.
pub(crate) fn approx_perron(m: &FMat, prec: u32) -> Option<(Vec<Float>, Float)> {
    let k = m.len();
    let p0 = 64u32;
    let mut v: Vec<Float> = (0..k).map(|_| Float::with_val(p0, 1.0 / k as f64)).collect();
    let mut rho = Float::with_val(p0, 1);
    // (M + c I) v with c > 0: same Perron vector, no oscillation for periodic parts. With c
    // near rho the rate is at most about 1/2 even when M is nearly periodic (a shifted matrix
    // at a large tilt concentrates on its max-mean cycles), so c starts at the largest row sum
    // and is lowered to the Collatz-Wielandt upper bound every 30 steps.
    let mut c = (0..k)
        .map(|a| m[a].iter().fold(Float::new(p0), |s, x| s + x))
        .fold(Float::new(p0), |a, b| if b > a { b } else { a });
    if c.is_zero() || !c.is_finite() {
        return None;
    }
    for it in 0..600 {
        if it % 30 == 29 {
            let mut up = Float::new(p0);
            for a in 0..k {
                if v[a] > 0 {
                    let mv = (0..k).fold(Float::new(p0), |s, b| s + Float::with_val(p0, &m[a][b] * &v[b]));
                    let q = mv / &v[a];
                    if q > up {
                        up = q;
                    }
                }
            }
            if up > 0 && up.is_finite() {
                c = up;
            }
        }
        let w: Vec<Float> = (0..k)
            .map(|a| {
                let mut s = Float::with_val(p0, &v[a] * &c);
                for b in 0..k {
                    s += Float::with_val(p0, &m[a][b] * &v[b]);
                }
                s
            })
            .collect();
        let total: Float = w.iter().fold(Float::new(p0), |acc, x| acc + x);
        if total.is_zero() || !total.is_finite() {
            return None;
        }
        rho = Float::with_val(p0, &total - &c);
        v = w.into_iter().map(|x| x / &total).collect();
    }
    let target = prec + 32;
    let mut p = p0;
    loop {
        for _ in 0..3 {
            let mut j: FMat = (0..k)
                .map(|a| {
                    let mut row: Vec<Float> = (0..k)
                        .map(|b| {
                            let x = Float::with_val(p, &m[a][b]);
                            if a == b {
                                x - &rho
                            } else {
                                x
                            }
                        })
                        .collect();
                    row.push(Float::with_val(p, -&v[a]));
                    row
                })
                .collect();
            let mut last: Vec<Float> = (0..k).map(|_| Float::with_val(p, 1)).collect();
            last.push(Float::new(p));
            j.push(last);
            let mut f: Vec<Float> = (0..k)
                .map(|a| {
                    let mut s = Float::with_val(p, -Float::with_val(p, &rho * &v[a]));
                    for b in 0..k {
                        s += Float::with_val(p, &m[a][b] * &v[b]);
                    }
                    -s
                })
                .collect();
            let sv: Float = v.iter().fold(Float::new(p), |acc, x| acc + x);
            f.push(-(sv - 1u32));
            let d = fsolve(&j, &f, p)?;
            for a in 0..k {
                v[a] = Float::with_val(p, &v[a] + &d[a]);
            }
            rho = Float::with_val(p, &rho + &d[k]);
        }
        if p >= target {
            break;
        }
        p = (p * 2).min(target);
    }
    Some((v, rho))
}

/// Certify the Perron pair of a matrix given by enclosures of its entries (Krawczyk; see the
/// module docs). `None` when the certificate fails at this precision (then raise it), or when
/// the eigenvector is not certified positive (not the Perron root, or a reducible matrix).
pub fn perron_pair(m: &EncMat, prec: u32) -> Option<Eigenpair> {
    let k = m.len();
    let mid = mids(m);
    let (v, rho) = approx_perron(&mid, prec)?;
    let xe: Vec<Enc> = v.iter().chain(std::iter::once(&rho)).map(Enc::point).collect();
    let jm = bordered(
        &m.iter()
            .map(|r| r.iter().map(|e| Enc::point(&e.mid())).collect())
            .collect(),
        &xe[..k],
        &xe[k],
        prec,
    );
    let y = finverse(&mids(&jm), prec + 32)?;
    let ye = fmat_enc(&y);
    // F(x~) with the interval matrix
    let mv = mat_vec(m, &xe[..k], prec);
    let mut f: Vec<Enc> = (0..k)
        .map(|a| mv[a].sub(&xe[k].mul(&xe[a], prec), prec))
        .collect();
    let sv = xe[..k].iter().fold(Enc::zero(prec), |acc, x| acc.add(x, prec));
    f.push(sv.sub(&Enc::from_i64(1, prec), prec));
    let yf = mat_vec(&ye, &f, prec);
    let mut eps = Float::with_val(prec, 1) >> (prec as i32 - 8);
    for e in &yf {
        eps = fmax(&eps, &mul_up(&abs_hi(e, prec), &Float::with_val(prec, 4), prec));
    }
    for _ in 0..6 {
        let xb: Vec<Enc> = xe
            .iter()
            .map(|x| {
                Enc::new(
                    Float::with_val(prec, x.lo() - &eps),
                    Float::with_val(prec, x.hi() + &eps),
                )
            })
            .map(|e| {
                // outward: recompute with directed rounding
                Enc::new(
                    crate::real::round::sub_dn(e.lo(), &Float::new(prec), prec),
                    add_up(e.hi(), &Float::new(prec), prec),
                )
            })
            .collect();
        let jx = bordered(m, &xb[..k], &xb[k], prec);
        let c = residual_matrix(&ye, &jx, prec);
        let dbox: Vec<Enc> = (0..=k)
            .map(|_| Enc::new(Float::with_val(prec, -&eps), eps.clone()))
            .collect();
        let cd = mat_vec(&c, &dbox, prec);
        let kx: Vec<Enc> = (0..=k)
            .map(|i| xe[i].sub(&yf[i], prec).add(&cd[i], prec))
            .collect();
        let inside = kx
            .iter()
            .zip(&xb)
            .all(|(a, b)| a.is_finite() && a.lo() > b.lo() && a.hi() < b.hi());
        if inside {
            if kx[..k].iter().all(|e| *e.lo() > 0) {
                let rho = kx[k].clone();
                return Some(Eigenpair {
                    v: kx[..k].to_vec(),
                    rho,
                    y,
                });
            }
            return None;
        }
        eps <<= 8;
    }
    None
}

/// Collatz-Wielandt bounds of the spectral radius from any positive vector `v`:
/// `[min_a (M v)_a / v_a, max_a (M v)_a / v_a]` (rigorous for every non-negative matrix in the
/// enclosures; the lower end needs `v > 0`).
pub fn collatz_wielandt(m: &EncMat, v: &[Float], prec: u32) -> Enc {
    let ve: Vec<Enc> = v.iter().map(Enc::point).collect();
    let mv = mat_vec(m, &ve, prec);
    let ratios: Vec<Enc> = mv.iter().zip(&ve).map(|(a, b)| a.div(b, prec)).collect();
    let lo = ratios
        .iter()
        .map(|e| e.lo().clone())
        .reduce(|a, b| crate::real::round::fmin(&a, &b))
        .expect("k >= 1");
    let hi = ratios
        .iter()
        .map(|e| e.hi().clone())
        .reduce(|a, b| fmax(&a, &b))
        .expect("k >= 1");
    Enc::new(lo, hi)
}
