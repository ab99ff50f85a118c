//! The `f64` search of [`super::tilt_fast`]: statistics of the tilt in double precision and a
//! safeguarded Newton that places the point of the MPFR pass (not rigorous: the pass and its
//! Taylor remainders certify the root; this only decides where to look).

/// Which equation a root solves (the same three as [`super::tilt`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Equation {
    /// `K(l) = t`, `K` strictly increasing on `l > 0` (`K' = l sigma2 > 0`).
    Kl,
    /// `Delta_max - K(l) = t`, strictly decreasing on `l > 0`.
    Deficit,
    /// `r_max - mu(l) = t`, strictly decreasing on `l > 0` (`mu' = sigma2 > 0`).
    MeanGap,
}

/// `f64` statistics of the tilt at `l` for the search (not rigorous: they only place `x`).
pub(crate) struct Stats64 {
    pub(crate) f: f64,
    pub(crate) var: f64,
    pub(crate) f1: f64,
    pub(crate) f2: f64,
    pub(crate) eg: f64,
}

/// The model in `f64` (per token `p`, `g = r_max - r`, `g == 0`; `E_p g`, `max g`).
pub(crate) struct Model64 {
    pub(crate) p: Vec<f64>,
    pub(crate) g: Vec<f64>,
    pub(crate) top: Vec<bool>,
    pub(crate) m0: f64,
    pub(crate) gmax: f64,
}

impl Model64 {
    /// The tilt's statistics at `l >= 0` in `f64`: one `exp` (or `expm1`) per token. For
    /// `l gmax <= 600` the weights are centred at `m0 = E_p g` (`e^{-l g} = e^{-l m0} e^{-l δ'}`)
    /// and `K = -l B/(1+A) - ln1p(A)` with `A = sum p expm1(-l δ')`, `B = sum p δ' expm1(-l δ')`
    /// (no cancellation for small `l`, since `sum p δ' = 0`); beyond, the shifted form.
    pub(crate) fn stats(&self, eq: Equation, l: f64) -> Option<Stats64> {
        let n = self.p.len();
        let mut e = vec![0.0f64; n];
        let centred = l * self.gmax <= 600.0;
        let (mut a, mut b, mut w, mut wr, mut wt, mut gs) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for (i, ei) in e.iter_mut().enumerate() {
            let (p, g) = (self.p[i], self.g[i]);
            let weight = if centred {
                let d = g - self.m0;
                let v = (-l * d).exp_m1();
                a += p * v;
                b += p * d * v;
                p * (1.0 + v)
            } else {
                p * (-l * g).exp()
            };
            *ei = weight;
            w += weight;
            if self.top[i] {
                wt += weight;
            } else {
                wr += weight;
            }
            gs += weight * g;
        }
        let eg = gs / w;
        let (mut s2, mut s3) = (0.0, 0.0);
        for (ei, g) in e.iter().zip(&self.g) {
            let d = g - eg;
            s2 += ei * d * d;
            s3 += ei * d * d * d;
        }
        let var = s2 / w;
        let k3r = -s3 / w; // third cumulant of r = r_max - g
        let kl = if centred {
            -l * b / (1.0 + a) - a.ln_1p()
        } else {
            -l * eg - w.ln()
        };
        let (f, f1, f2) = match eq {
            Equation::Kl => (kl, l * var, var + l * k3r),
            Equation::Deficit => {
                // W_rest / p(A_max) is the same ratio in both forms (the common factor cancels)
                ((wr / wt).ln_1p() + l * eg, -l * var, -(var + l * k3r))
            }
            Equation::MeanGap => (eg, -var, -k3r),
        };
        if f.is_finite() && f1.is_finite() && eg.is_finite() {
            Some(Stats64 {
                f,
                var,
                f1,
                f2: if f2.is_finite() { f2 } else { 0.0 },
                eg,
            })
        } else {
            None
        }
    }

    /// A root of `f(l) = t` on `l > 0` in `f64` (safeguarded Newton on `ln f - ln t`).
    pub(crate) fn root(&self, eq: Equation, t: f64) -> Option<f64> {
        if !(t > 0.0 && t.is_finite()) {
            return None;
        }
        let inc = eq == Equation::Kl;
        // "below": the root is to the right of l
        let below = |s: &Stats64| if inc { s.f < t } else { s.f > t };
        let s0 = self.stats(eq, 0.0)?;
        let var0 = s0.var.max(f64::MIN_POSITIVE);
        let guess = match eq {
            Equation::Kl => (2.0 * t / var0).sqrt(),
            Equation::MeanGap => ((self.m0 - t) / var0).max(1e-300),
            Equation::Deficit => 1.0,
        };
        let mut lo = 0.0f64;
        let mut hi = guess.max(1e-300);
        let mut guard = 0;
        loop {
            let s = self.stats(eq, hi)?;
            if below(&s) {
                lo = hi;
                hi *= 4.0;
            } else {
                break;
            }
            guard += 1;
            if guard > 600 || !hi.is_finite() {
                return None;
            }
        }
        let mut x = if guess > lo && guess < hi {
            guess
        } else {
            0.5 * (lo + hi)
        };
        for _ in 0..2000 {
            let s = self.stats(eq, x)?;
            if below(&s) {
                lo = x;
            } else {
                hi = x;
            }
            // Newton on h = ln f - ln t: h' = f'/f
            let step = if s.f > 0.0 && s.f1 != 0.0 {
                (s.f / t).ln() * s.f / s.f1
            } else {
                f64::NAN
            };
            let mut nx = x - step;
            if !nx.is_finite() || nx <= lo || nx >= hi {
                nx = 0.5 * (lo + hi);
            }
            if (nx - x).abs() <= 1e-15 * x.abs() || hi - lo <= 1e-15 * hi {
                return Some(nx);
            }
            x = nx;
        }
        Some(x)
    }
}
