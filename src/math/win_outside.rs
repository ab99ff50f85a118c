//! WIN-4's bound on the reverse KL over the outside region R (the levels no window lists), shared
//! by the memoryless window (`math::window`) and the chain window (`math::markov_window`).
//! See `proofs/windowed.md` (WIN-4) and `proofs/markov.md`.

use crate::real::round::add_up;
use crate::real::Enc;
use rug::Float;

/// The outside region R's part of the reverse KL (WIN-4), shared by the memoryless and the chain
/// windows: returns `(enclosure, t2)`.
/// - Upper: `t1 + t2` with `t2 = 2 N M e^{expo} G_2(R)`, `M = max(1, m_raw)` (the bound on
///   `-ln P_S` over R, never below 1), each factor an enclosure, the sum rounded up.
/// - Lower: `Phi(R) ln Phi(R) >= x ln x` at `x = hi Phi(R)` when `x <= 0.36 < 1/e` (`x ln x` is
///   decreasing on `[0, 1/e]`), else its minimum `-1/e`; `0` when `Phi(R) = 0`.
pub fn outside_reverse_kl(
    t1: &Float,
    expo: &Enc,
    n_samples: &Enc,
    m_raw: &Enc,
    g2r: &Enc,
    phi_r: &Enc,
    wp: u32,
) -> (Enc, Enc) {
    let m_enc = if *m_raw.hi() < 1 {
        Enc::from_i64(1, wp)
    } else {
        Enc::new(
            m_raw.lo().clone().max(&Float::with_val(wp, 1)),
            m_raw.hi().clone(),
        )
    };
    let t2 = expo
        .exp(wp)
        .mul(n_samples, wp)
        .mul(&m_enc, wp)
        .mul(g2r, wp)
        .mul(&Enc::from_i64(2, wp), wp);
    let upper = add_up(t1, t2.hi(), wp);
    let ph = phi_r.hi().clone();
    let lower = if ph.is_zero() {
        Float::new(wp)
    } else if ph <= 0.36f64 {
        let p = Enc::point(&ph);
        p.mul(&p.ln(wp), wp).lo().clone()
    } else {
        Enc::from_i64(-1, wp).exp(wp).neg().lo().clone()
    };
    (Enc::new(lower, upper), t2)
}
