//! Divergences and entropies of `alignexact::math::divergence` (MATH.md LDP-4 and the KL of §2)
//! against closed forms computed independently (other routes through `Enc`, exact rational
//! arguments of a single logarithm, and published-constant cross-checks).

mod common;

use alignexact::math::divergence::{
    absolutely_continuous, cross_entropy, entropy, kl, renyi_cross_entropy, renyi_cross_entropy_alt,
    renyi_divergence, renyi_entropy,
};
use alignexact::real::format::certify_decimal;
use alignexact::real::ziv::{run, Precision};
use alignexact::real::Enc;
use common::{decimal_to_big, float_to_big, pow10, SplitMix64};
use num_rational::BigRational;
use num_traits::Signed;
use rug::Rational;
use std::cmp::Ordering;

const P: u32 = 512;
const HP: u32 = 2000;

fn r(n: i64, d: i64) -> Rational {
    Rational::from((n, d))
}
fn v(xs: &[(i64, i64)]) -> Vec<Rational> {
    xs.iter().map(|&(n, d)| r(n, d)).collect()
}
fn p3() -> Vec<Rational> {
    v(&[(1, 2), (1, 3), (1, 6)])
}
fn uniform3() -> Vec<Rational> {
    v(&[(1, 3), (1, 3), (1, 3)])
}
fn q3() -> Vec<Rational> {
    v(&[(1, 2), (1, 4), (1, 4)])
}

/// ln of an exact rational.
fn ln_q(n: i64, d: i64, prec: u32) -> Enc {
    Enc::from_rational(&r(n, d), prec).ln(prec)
}

/// `a ln(x) + b ln(y)` for exact rationals, as an enclosure.
fn lin2(a: Rational, x: i64, b: Rational, y: i64, prec: u32) -> Enc {
    ln_q(x, 1, prec)
        .mul_rational(&a, prec)
        .add(&ln_q(y, 1, prec).mul_rational(&b, prec), prec)
}

/// Both enclosures are finite, overlap, and the `digits`-digit certified strings agree.
fn assert_same(what: &str, got: &Enc, truth: &Enc, digits: usize) {
    assert!(got.is_finite(), "{what}: not finite");
    assert!(
        got.overlaps(truth),
        "{what}: [{}, {}] vs [{}, {}]",
        got.lo(),
        got.hi(),
        truth.lo(),
        truth.hi()
    );
    let g = certify_decimal(got, digits).unwrap_or_else(|| panic!("{what}: {digits} digits not certified"));
    let t = certify_decimal(truth, digits).unwrap();
    assert_eq!(g.value, t.value, "{what}");
}

// ---------------------------------------------------------------------------------------------
// KL, entropy, cross-entropy
// ---------------------------------------------------------------------------------------------

/// D((1/2,1/3,1/6) || uniform) = (1/2) ln(3/2) + (1/6) ln(1/2) = ½ ln 3 − ⅔ ln 2, to 100 digits.
#[test]
fn kl_against_uniform_is_half_ln3_minus_two_thirds_ln2_to_100_digits() {
    let (p, u) = (p3(), uniform3());
    let got = run(&Precision::digits(100), |bits| Ok(kl(&p, &u, bits))).unwrap();
    // independent: ln 3 and the ln 2 constant at 2000 bits
    let truth = ln_q(3, 1, HP)
        .mul_rational(&r(1, 2), HP)
        .sub(&Enc::ln2(HP).mul_rational(&r(2, 3), HP), HP);
    assert!(got.contains(&truth) || got.overlaps(&truth));
    let g = certify_decimal(&got, 100).unwrap();
    let t = certify_decimal(&truth, 100).unwrap();
    assert_eq!(g.value, t.value);
    // and a 110-digit value computed with mpmath (error of the text <= 10^-110)
    let mp = decimal_to_big(
        "0.08720802396075797275280120415581180694007852267120455645356049382315139862950800636623232607592025269931736",
    );
    let val = decimal_to_big(&g.value);
    let ulp = pow10(-101);
    assert!(
        (&val - &mp).abs() <= &ulp + pow10(-109),
        "value {} vs mpmath",
        g.value
    );
    assert!(decimal_to_big(&g.lo) <= &mp + pow10(-110) && &mp - pow10(-110) <= decimal_to_big(&g.hi));
    assert!(g.value.starts_with("0.08720802396075797275280120415581180694007852267120455645356049382315139862950800636623232607592025"));
}

#[test]
fn kl_reverse_entropy_and_cross_entropy_closed_forms() {
    let (p, u) = (p3(), uniform3());
    // D(u || p) = (1/3)(ln(2/3) + ln 1 + ln 2) = ⅔ ln 2 − ⅓ ln 3
    assert_same(
        "kl_reverse",
        &kl(&u, &p, P),
        &lin2(r(2, 3), 2, r(-1, 3), 3, HP),
        100,
    );
    // H(p) = ½ ln 2 + ⅓ ln 3 + ⅙ ln 6 = ⅔ ln 2 + ½ ln 3
    assert_same("entropy", &entropy(&p, P), &lin2(r(2, 3), 2, r(1, 2), 3, HP), 100);
    // −Σ p ln(1/3) = ln 3
    assert_same("cross_entropy", &cross_entropy(&p, &u, P), &ln_q(3, 1, HP), 100);
    // uniform entropy is ln k
    assert_same("entropy uniform", &entropy(&u, P), &ln_q(3, 1, HP), 100);
    // published: H(p) = 1.0114042647073517186424440327667138977074120351515448952811
    let h = certify_decimal(&entropy(&p, P), 50).unwrap();
    assert_eq!(h.value, "1.0114042647073517186424440327667138977074120351515");
    let k = certify_decimal(&kl(&u, &p, P), 40).unwrap();
    assert_eq!(k.value, "0.09589402415059364247973966866460914383450");
}

#[test]
fn kl_of_a_distribution_from_itself_is_exactly_zero() {
    for p in [p3(), uniform3(), v(&[(1, 1)]), v(&[(0, 1), (3, 7), (4, 7)])] {
        assert!(kl(&p, &p, 64).is_exact_zero(), "{p:?}");
        let c = certify_decimal(&kl(&p, &p, 64), 30).unwrap();
        assert_eq!(c.value, "0");
    }
    assert!(entropy(&v(&[(0, 1), (1, 1), (0, 1)]), 64).is_exact_zero());
}

#[test]
fn support_mismatch_gives_infinity_only_in_one_direction() {
    let p = v(&[(1, 2), (1, 2)]);
    let q = v(&[(1, 1), (0, 1)]);
    // q_2 = 0 < p_2: D(p||q) = +inf
    assert!(kl(&p, &q, P).is_pos_infinity());
    assert!(cross_entropy(&p, &q, P).is_pos_infinity());
    assert!(!absolutely_continuous(&p, &q));
    // the other way p_2 = 0 drops out: D(q||p) = 1 ln(1/(1/2)) = ln 2
    assert!(absolutely_continuous(&q, &p));
    assert_same("kl(q||p)", &kl(&q, &p, P), &Enc::ln2(HP), 100);
    // zero entries drop out of the entropy: H(1/2, 0, 1/2) = ln 2
    assert_same(
        "entropy with a zero",
        &entropy(&v(&[(1, 2), (0, 1), (1, 2)]), P),
        &Enc::ln2(HP),
        100,
    );
}

// ---------------------------------------------------------------------------------------------
// Rényi forms
// ---------------------------------------------------------------------------------------------

#[test]
fn renyi_alpha_two_closed_forms() {
    let (p, u, q) = (p3(), uniform3(), q3());
    let two = r(2, 1);
    // Σ p² = 1/4 + 1/9 + 1/36 = 7/18: H_2(p) = ln(18/7)
    assert_same("H_2", &renyi_entropy(&p, &two, P), &ln_q(18, 7, HP), 100);
    // D_2(p||u) = ln(3 · 7/18) = ln(7/6)
    assert_same(
        "D_2(p||u)",
        &renyi_divergence(&p, &u, &two, P),
        &ln_q(7, 6, HP),
        100,
    );
    // D_2(p||q) = ln(Σ p²/q) = ln(1/2 + 4/9 + 1/9) = ln(19/18)
    assert_same(
        "D_2(p||q)",
        &renyi_divergence(&p, &q, &two, P),
        &ln_q(19, 18, HP),
        100,
    );
    // H_2(p; q) = −ln Σ p q = −ln(3/8) = ln(8/3)
    assert_same(
        "H_2(p;q)",
        &renyi_cross_entropy(&p, &q, &two, P),
        &ln_q(8, 3, HP),
        100,
    );
    // alt: H_2(p) + D_2(p||q) = ln(18/7) + ln(19/18) = ln(19/7)
    assert_same(
        "alt",
        &renyi_cross_entropy_alt(&p, &q, &two, P),
        &ln_q(19, 7, HP),
        100,
    );
    // with the uniform q both cross-entropies are ln 3
    assert_same(
        "H_2(p;u)",
        &renyi_cross_entropy(&p, &u, &two, P),
        &ln_q(3, 1, HP),
        100,
    );
    assert_same(
        "alt(p;u)",
        &renyi_cross_entropy_alt(&p, &u, &two, P),
        &ln_q(3, 1, HP),
        100,
    );
}

#[test]
fn renyi_alpha_three_and_one_half_closed_forms() {
    let (p, q) = (p3(), q3());
    // D_3 = ½ ln Σ p³/q² = ½ ln(1/2 + 16/27 + 2/27) = ½ ln(7/6)
    let s: Rational = p
        .iter()
        .zip(&q)
        .map(|(a, b)| Rational::from(a * a) * a / (Rational::from(b * b)))
        .sum();
    assert_eq!(s, r(7, 6));
    let d3 = ln_q(7, 6, HP).mul_rational(&r(1, 2), HP);
    assert_same("D_3", &renyi_divergence(&p, &q, &r(3, 1), P), &d3, 100);
    // mpmath: 0.0770753399136291521464376925312387284570470186994282413020079034033459737818828
    let c = certify_decimal(&renyi_divergence(&p, &q, &r(3, 1), P), 40).unwrap();
    assert_eq!(c.value, "0.07707533991362915214643769253123872845705");
    // alpha = 1/2 through square roots (an independent route: no exp/ln of powers)
    // H_{1/2}(p) = 2 ln(Σ √p); D_{1/2}(p||q) = −2 ln(Σ √(p q))
    let sq = |x: &Rational| Enc::from_rational(x, HP).sqrt(HP);
    let sum_sqrt = Enc::sum(&p.iter().map(sq).collect::<Vec<_>>(), HP);
    let h_half = sum_sqrt.ln(HP).mul_rational(&r(2, 1), HP);
    assert_same("H_1/2", &renyi_entropy(&p, &r(1, 2), P), &h_half, 100);
    let bc = Enc::sum(
        &p.iter()
            .zip(&q)
            .map(|(a, b)| sq(&Rational::from(a * b)))
            .collect::<Vec<_>>(),
        HP,
    );
    let d_half = bc.ln(HP).mul_rational(&r(-2, 1), HP);
    assert_same("D_1/2", &renyi_divergence(&p, &q, &r(1, 2), P), &d_half, 100);
}

#[test]
fn renyi_support_special_cases() {
    let p = v(&[(1, 2), (1, 2)]);
    let q = v(&[(1, 1), (0, 1)]);
    // alpha > 1 with q_a = 0 < p_a: +inf
    for a in [r(2, 1), r(3, 2), r(1_000_001, 1_000_000)] {
        assert!(renyi_divergence(&p, &q, &a, P).is_pos_infinity(), "alpha = {a}");
        assert!(
            renyi_cross_entropy_alt(&p, &q, &a, P).is_pos_infinity(),
            "alt, alpha = {a}"
        );
        // the cross-entropy term q^{alpha-1} = 0 just drops: H_a(p; q) = ln(1/2)/(1 - a)
        let want = Enc::ln2(HP)
            .neg()
            .mul_rational(&Rational::from(1 - &a).recip(), HP);
        assert_same("H_a(p;q) finite", &renyi_cross_entropy(&p, &q, &a, P), &want, 60);
    }
    // alpha < 1: finite. D_{1/2}((1/2,1/2) || (1,0)) = −2 ln(√(1/2)) = ln 2
    assert_same(
        "D_1/2 with q_2 = 0",
        &renyi_divergence(&p, &q, &r(1, 2), P),
        &Enc::ln2(HP),
        100,
    );
    // and the cross-entropy is +inf for alpha < 1 (q^{alpha-1} = +inf)
    assert!(renyi_cross_entropy(&p, &q, &r(1, 2), P).is_pos_infinity());
    // disjoint supports: +inf for every alpha
    let a = v(&[(1, 1), (0, 1)]);
    let b = v(&[(0, 1), (1, 1)]);
    for al in [r(1, 3), r(1, 1), r(2, 1)] {
        assert!(
            renyi_divergence(&a, &b, &al, P).is_pos_infinity(),
            "disjoint, alpha = {al}"
        );
    }
    // D_alpha(p || q) with p_a = 0 < q_a: those terms drop; D_2((1,0)||(1/2,1/2)) = ln 2
    assert_same(
        "D_2((1,0)||u)",
        &renyi_divergence(&q, &p, &r(2, 1), P),
        &Enc::ln2(HP),
        100,
    );
}

#[test]
fn alpha_one_is_exactly_the_shannon_forms() {
    let (p, q) = (p3(), q3());
    let one = r(1, 1);
    assert_eq!(renyi_divergence(&p, &q, &one, P), kl(&p, &q, P));
    assert_eq!(renyi_entropy(&p, &one, P), entropy(&p, P));
    assert_eq!(renyi_cross_entropy(&p, &q, &one, P), cross_entropy(&p, &q, P));
    // and the alt form at alpha = 1 is H + D = cross-entropy
    assert_same(
        "alt at 1",
        &renyi_cross_entropy_alt(&p, &q, &one, P),
        &cross_entropy(&p, &q, HP),
        100,
    );
}

/// D_α(p||p) = 0 for every α: the certified value must be the exact zero, otherwise the
/// precision loop can never certify it (an enclosure straddling 0 never yields digits) and the
/// CLI runs to the precision cap and exits with code 3.
#[test]
fn renyi_divergence_of_a_distribution_from_itself_is_exactly_zero() {
    let p = p3();
    for a in [r(2, 1), r(1, 2), r(3, 1)] {
        let d = renyi_divergence(&p, &p, &a, 256);
        assert!(
            d.is_exact_zero(),
            "D_{a}(p||p) = [{}, {}] is not the exact zero",
            d.lo(),
            d.hi()
        );
    }
}

/// `(Var_p X) / 2` for `X_a = f(a)` given as enclosures, at precision `prec`.
fn half_variance(p: &[Rational], x: &[Enc], prec: u32) -> Enc {
    let mean = Enc::sum(
        &p.iter()
            .zip(x)
            .map(|(pa, xa)| xa.mul_rational(pa, prec))
            .collect::<Vec<_>>(),
        prec,
    );
    let dev: Vec<Enc> = p
        .iter()
        .zip(x)
        .map(|(pa, xa)| xa.sub(&mean, prec).square(prec).mul_rational(pa, prec))
        .collect();
    Enc::sum(&dev, prec).mul_rational(&r(1, 2), prec)
}

/// As α → 1 the Rényi forms approach the Shannon ones linearly in α − 1:
/// `D_α − D = (α−1) Var_p[ln(p/q)]/2 + O((α−1)²)`, `H_α − H = −(α−1) Var_p[ln p]/2 + …`,
/// `H_α(p;q) − H(p;q) = −(α−1) Var_p[ln q]/2 + …` (second-order cumulant expansions).
#[test]
fn renyi_forms_approach_shannon_linearly_as_alpha_tends_to_one() {
    let (p, q) = (p3(), q3());
    let prec = 400;
    let ln_p: Vec<Enc> = p.iter().map(|x| Enc::from_rational(x, prec).ln(prec)).collect();
    let ln_q: Vec<Enc> = q.iter().map(|x| Enc::from_rational(x, prec).ln(prec)).collect();
    let ln_pq: Vec<Enc> = ln_p.iter().zip(&ln_q).map(|(a, b)| a.sub(b, prec)).collect();
    let slope_d = half_variance(&p, &ln_pq, prec);
    let slope_h = half_variance(&p, &ln_p, prec).neg();
    let slope_c = half_variance(&p, &ln_q, prec).neg();
    // mpmath: Var_p[ln(p/q)]/2 = 0.0270927463663445767..., −Var_p[ln p]/2 = −0.0773356199115714...
    assert_eq!(
        certify_decimal(&slope_d, 20).unwrap().value,
        "0.027092746366344576709"
    );
    assert_eq!(
        certify_decimal(&slope_h, 20).unwrap().value,
        "-0.077335619911571407789"
    );
    assert_eq!(
        certify_decimal(&slope_c, 20).unwrap().value,
        "-0.060056626739775178083"
    );

    let shannon = [kl(&p, &q, prec), entropy(&p, prec), cross_entropy(&p, &q, prec)];
    let slopes = [slope_d, slope_h, slope_c];
    for sign in [1i64, -1] {
        let mut prev_gap: [Option<BigRational>; 3] = [None, None, None];
        for k in 2..=8u32 {
            let eps = Rational::from((1, rug::Integer::from(rug::Integer::u_pow_u(10, k))));
            let am1 = if sign > 0 { eps.clone() } else { -eps.clone() };
            let alpha = Rational::from(1 + &am1);
            let forms = [
                renyi_divergence(&p, &q, &alpha, prec),
                renyi_entropy(&p, &alpha, prec),
                renyi_cross_entropy(&p, &q, &alpha, prec),
            ];
            for i in 0..3 {
                let gap = forms[i].sub(&shannon[i], prec);
                // the gap is certified non-zero, with the sign of slope × (α − 1)
                let want = if (sign > 0) == (i == 0) {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
                assert_eq!(gap.sign_certified(), Some(want), "form {i}, alpha = {alpha}");
                // gap / (α − 1) = slope + O(α − 1): within 0.1 |α − 1| of the slope
                let ratio = gap.mul_rational(&Rational::from(am1.recip_ref()), prec);
                let dev = ratio.sub(&slopes[i], prec);
                let bound = common::rat_to_big(&eps) / BigRational::from_integer(10.into());
                let (dl, dh) = (float_to_big(dev.lo()), float_to_big(dev.hi()));
                assert!(
                    dl.abs() <= bound && dh.abs() <= bound,
                    "form {i}, alpha = {alpha}: slope deviation [{dl}, {dh}]"
                );
                // and the gap shrinks by about 10 per step of k
                let g = float_to_big(&gap.mid()).abs();
                if let Some(pg) = &prev_gap[i] {
                    let f = pg / &g;
                    assert!(
                        f > BigRational::from_integer(9.into()) && f < BigRational::from_integer(11.into()),
                        "form {i}, k = {k}: ratio {f}"
                    );
                }
                prev_gap[i] = Some(g);
            }
        }
    }
}

#[test]
fn alt_cross_entropy_is_renyi_entropy_plus_renyi_divergence() {
    let (p, q) = (p3(), q3());
    for a in [r(1, 3), r(1, 2), r(9, 10), r(11, 10), r(2, 1), r(7, 2)] {
        let alt = renyi_cross_entropy_alt(&p, &q, &a, P);
        let sum = renyi_entropy(&p, &a, HP).add(&renyi_divergence(&p, &q, &a, HP), HP);
        assert_same(&format!("alt at {a}"), &alt, &sum, 100);
        // for alpha != 1 the two cross-entropies differ on this non-uniform q
        let c = renyi_cross_entropy(&p, &q, &a, P);
        assert!(
            c.cmp_certified(&alt).is_some(),
            "the two cross-entropies should differ at {a}"
        );
    }
}

/// Random distributions: Gibbs' inequality, the entropy bound, H(p;q) = H(p) + D(p||q),
/// D_α non-decreasing in α and H_α non-increasing.
#[test]
fn random_distributions_satisfy_the_standard_inequalities() {
    let mut rng = SplitMix64(0xD1);
    let prec = 256;
    let rand_dist = |rng: &mut SplitMix64, k: usize, zeros: bool| -> Vec<Rational> {
        let w: Vec<i64> = (0..k)
            .map(|_| {
                if zeros && rng.below(4) == 0 {
                    0
                } else {
                    rng.range_i64(1, 1000)
                }
            })
            .collect();
        let s: i64 = w.iter().sum::<i64>().max(1);
        let mut d: Vec<Rational> = w.iter().map(|&x| r(x, s)).collect();
        if w.iter().all(|&x| x == 0) {
            d[0] = r(1, 1);
        }
        d
    };
    for _ in 0..60 {
        let k = 2 + rng.below(5) as usize;
        let p = rand_dist(&mut rng, k, true);
        let q = rand_dist(&mut rng, k, false);
        let d = kl(&p, &q, prec);
        assert!(
            d.is_exact_zero() || d.sign_certified() == Some(Ordering::Greater),
            "Gibbs: {p:?} {q:?}"
        );
        let h = entropy(&p, prec);
        assert!(h.hi() <= ln_q(k as i64, 1, prec).hi());
        assert!(cross_entropy(&p, &q, prec).overlaps(&h.add(&d, prec)));
        let alphas = [r(1, 4), r(1, 2), r(1, 1), r(3, 2), r(3, 1)];
        let ds: Vec<Enc> = alphas.iter().map(|a| renyi_divergence(&p, &q, a, prec)).collect();
        let hs: Vec<Enc> = alphas.iter().map(|a| renyi_entropy(&p, a, prec)).collect();
        for i in 1..alphas.len() {
            assert!(ds[i].hi() >= ds[i - 1].lo(), "D_alpha decreasing for {p:?} {q:?}");
            assert!(hs[i].lo() <= hs[i - 1].hi(), "H_alpha increasing for {p:?}");
        }
    }
}

/// LDP-4 on a vocabulary: with 40000 tokens the terms of `D(p||q)`, `H(p)` and `H(p; q)` are
/// computed on worker threads (`real::par`) and summed in token order, which must give the very
/// floats of one sequential loop over the same term formulas, and the KL must contain the value
/// of a 400-bit sequential evaluation.
#[test]
fn vocabulary_terms_on_threads_equal_one_loop_ldp4() {
    use alignexact::math::divergence::{cross_entropy, entropy, kl};
    let mut rng = SplitMix64(0x0040_0000);
    let k = 40_000;
    let w: Vec<u64> = (0..k).map(|_| 1 + rng.below(1000)).collect();
    let v: Vec<u64> = (0..k).map(|_| 1 + rng.below(1000)).collect();
    let (sw, sv): (u64, u64) = (w.iter().sum(), v.iter().sum());
    let p: Vec<Rational> = w.iter().map(|&x| Rational::from((x, sw))).collect();
    let q: Vec<Rational> = v.iter().map(|&x| Rational::from((x, sv))).collect();
    let seq = |prec: u32, term: &dyn Fn(&Rational, &Rational) -> Enc| {
        let mut acc = Enc::zero(prec);
        for (a, b) in p.iter().zip(&q) {
            acc = acc.add(&term(a, b), prec);
        }
        acc
    };
    let prec = 132;
    let kl_seq = seq(prec, &|a, b| {
        Enc::from_rational(&Rational::from(a / b), prec)
            .ln(prec)
            .mul_rational(a, prec)
    });
    assert_eq!(kl(&p, &q, prec), kl_seq);
    let h_seq = seq(prec, &|a, _| {
        Enc::from_rational(a, prec).ln(prec).mul_rational(a, prec)
    })
    .neg();
    assert_eq!(entropy(&p, prec), h_seq);
    let ce_seq = seq(prec, &|a, b| {
        Enc::from_rational(b, prec).ln(prec).mul_rational(a, prec)
    })
    .neg();
    assert_eq!(cross_entropy(&p, &q, prec), ce_seq);
    let fine = seq(400, &|a, b| {
        Enc::from_rational(&Rational::from(a / b), 400)
            .ln(400)
            .mul_rational(a, 400)
    });
    let got = kl(&p, &q, prec);
    assert!(got.lo() <= fine.hi() && fine.lo() <= got.hi());
    assert!(got.lo() > &0);
}
