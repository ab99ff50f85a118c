//! Vocabulary-size alphabets: models of up to `MAX_ALPHABET` = 2^21 tokens are accepted, a
//! bigger one is refused naming the limit, `--spec` input is capped and a non-JSON source such as
//! `/dev/zero` fails at once, and the tokens-of-equal-reward merge used by the root finder
//! (`TiltModel::by_reward`) leaves every reward-law quantity unchanged.

mod common;

use alignexact::exact::dist::{Distribution, MAX_ALPHABET};
use alignexact::math::tilt::{eval, optimum, Optimum, TiltModel};
use alignexact::real::Enc;
use common::{run_cli, run_cli_stdin, SplitMix64};
use rug::Rational;

#[test]
fn the_alphabet_cap_is_vocabulary_size() {
    const { assert!(MAX_ALPHABET >= 1 << 21) };
    let k = MAX_ALPHABET;
    let ok = Distribution::new(vec![Rational::from((1, k as u64)); k], false, "--p");
    assert!(ok.is_ok());
    let too = Distribution::new(vec![Rational::from((1, k as u64 + 1)); k + 1], false, "--p");
    let msg = too.unwrap_err().to_string();
    assert!(
        msg.contains("--p") && msg.contains(&MAX_ALPHABET.to_string()),
        "{msg}"
    );
}

#[test]
fn spec_from_dev_zero_fails_fast_with_exit_2() {
    let t0 = std::time::Instant::now();
    let (code, _, err) = run_cli(&["tilt", "--spec", "/dev/zero", "--delta", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--spec") && err.contains("JSON object"), "{err}");
    assert!(t0.elapsed().as_secs_f64() < 5.0);
}

#[test]
fn spec_larger_than_the_cap_is_refused() {
    // a JSON object that opens correctly but exceeds the cap
    let mut big = String::from("{\"p\": [");
    let item = "\"1/3\",";
    let reps = (alignexact::cli::spec::MAX_SPEC_BYTES / item.len()) + 10;
    big.reserve(reps * item.len() + 8);
    for _ in 0..reps {
        big.push_str(item);
    }
    big.push_str("\"0\"]}");
    let (code, _, err) = run_cli_stdin(&["tilt", "--spec", "-", "--delta", "1"], Some(&big));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("larger than") && err.contains("MiB"), "{err}");
}

/// A model of `k` tokens with integer weights 1..1000 and rewards from a set of `levels`
/// rationals (so that many tokens tie).
fn vocab(rng: &mut SplitMix64, k: usize, levels: u64) -> (Vec<Rational>, Vec<Rational>) {
    let w: Vec<u64> = (0..k).map(|_| 1 + rng.below(1000)).collect();
    let total: u64 = w.iter().sum();
    let p = w.iter().map(|&x| Rational::from((x, total))).collect();
    let r = (0..k)
        .map(|_| {
            Rational::from((
                rng.below(levels) as i64 - (levels / 2) as i64,
                1 + rng.below(4) as i64,
            ))
        })
        .collect();
    (p, r)
}

fn overlaps(a: &Enc, b: &Enc) -> bool {
    a.lo() <= b.hi() && b.lo() <= a.hi()
}

/// TILT-1 on a 5000-token model with 40 reward levels: the merged model (one token per distinct
/// reward) has the same psi, mu, variance, KL and deficit (overlapping enclosures at 200 bits),
/// the same optimum, and the per-token phi of the full model sums to an enclosure of 1.
#[test]
fn merging_tokens_of_equal_reward_keeps_the_tilt_tilt1() {
    let mut rng = SplitMix64(0x0007_0CAB);
    let (p, r) = vocab(&mut rng, 5000, 40);
    let m = alignexact::exact::dist::Model::new(Distribution::new(p, false, "--p").unwrap(), r).unwrap();
    let tm = TiltModel::new(&m);
    let merged = tm.by_reward().expect("ties");
    assert!(merged.p.len() <= 160 && merged.p.len() < tm.p.len());
    assert_eq!(merged.p.iter().sum::<Rational>(), 1);
    let prec = 200;
    for l in ["-3/2", "1/7", "2"] {
        let l = Enc::from_rational(&common::q(l), prec);
        let (a, b) = (eval(&tm, &l, prec), eval(&merged, &l, prec));
        for (x, y) in [(&a.psi, &b.psi), (&a.mu, &b.mu), (&a.var, &b.var), (&a.kl, &b.kl)] {
            assert!(overlaps(x, y));
            assert!(x.width() < 1e-50 && y.width() < 1e-50);
        }
        let one = Enc::sum(a.phi.iter(), prec);
        assert!(one.contains_rational(&Rational::from(1)));
    }
    let delta = Rational::from((1, 10));
    let (Some(Optimum::Interior(l1)), Some(Optimum::Interior(l2))) =
        (optimum(&tm, &delta, prec), optimum(&merged, &delta, prec))
    else {
        panic!("interior optimum expected")
    };
    assert!(overlaps(&l1, &l2));
    // the certified root satisfies the constraint on the full model: K(l) encloses Delta
    let k = eval(&tm, &l1, prec).kl;
    assert!(k.contains_rational(&delta), "K = [{}, {}]", k.lo(), k.hi());
}

/// Found by the `spec_reader` fuzz target: a key with an escaped newline was echoed verbatim,
/// splitting the error over several lines. Every spec error is one line.
#[test]
fn spec_errors_stay_on_one_line_fuzz_regression() {
    let key_with_newline = "{\"q\": [1], \"N_ru/ 1/\\na1/\\norm/ 1/le\": \"ceil\"}";
    let (code, _, err) = run_cli_stdin(&["bon", "--spec", "-"], Some(key_with_newline));
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("unknown key 'N_ru/ 1/\\na1/"), "{err}");
    let e = alignexact::cli::spec::Spec::parse("{\"a\\nb\": [{}]}")
        .unwrap_err()
        .to_string();
    assert!(!e.contains('\n'), "{e}");
}

/// TILT-1's phi per token on a vocabulary with ties (6000 tokens, 30 reward levels): the crate
/// takes it from the reward law (`phi_a = p_a phi_j / P_j`); here it is recomputed token by token
/// (`p_a e^{l r_a} / sum_b p_b e^{l r_b}` in enclosures at 300 bits): every pair overlaps, and
/// the crate's enclosures are narrow.
#[test]
fn phi_per_token_from_the_reward_law_equals_the_token_by_token_tilt() {
    let mut rng = SplitMix64(0x00FE_ED01);
    let (p, r) = vocab(&mut rng, 6000, 30);
    let m =
        alignexact::exact::dist::Model::new(Distribution::new(p.clone(), false, "--p").unwrap(), r.clone())
            .unwrap();
    let tm = TiltModel::new(&m);
    assert!(tm.law().is_some(), "ties expected");
    for l in ["-2/3", "1/5", "5/2"] {
        let lq = common::q(l);
        let ev = eval(&tm, &Enc::from_rational(&lq, 200), 200);
        let prec = 300;
        let w: Vec<Enc> = p
            .iter()
            .zip(&r)
            .map(|(pa, ra)| {
                Enc::from_rational(&Rational::from(&lq * ra), prec)
                    .exp(prec)
                    .mul_rational(pa, prec)
            })
            .collect();
        let z = Enc::sum(w.iter(), prec);
        assert_eq!(ev.phi.len(), w.len());
        for (a, (f, wa)) in ev.phi.iter().zip(&w).enumerate() {
            let want = wa.div(&z, prec);
            assert!(overlaps(f, &want), "token {a} at l = {l}");
            assert!(
                f.width() < 1e-50 * f.hi().to_f64().max(1e-300) + 1e-300,
                "token {a}: wide"
            );
        }
    }
}
