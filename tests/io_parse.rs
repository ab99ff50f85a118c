//! The fast input and output routes of vocabulary-size models (issue 15) agree exactly (`==`)
//! with the sequential rational routes and with an independent backend (num-rational):
//! the parallel list parser ([`parallel_parse_list`]) with [`parse_list`], values and errors; the
//! normalisation by an integer (or by-denominator) sum with the sum and quotients of
//! `BigRational`; `Model::mean`, `r_max`, `r_min`, `mass_max`, `mass_min` with their naive
//! definitions; and the machine-integer exact text with `Rational::to_string`.

mod common;

use alignexact::cli::args::parallel_parse_list;
use alignexact::cli::divergence::{exact_strings, exact_text};
use alignexact::exact::dist::{divide_all, exact_sum, Distribution, Model};
use alignexact::exact::parse::parse_list;
use alignexact::real::par::MIN_PARALLEL_ITEMS;
use common::{big_to_rat, rat_to_big, SplitMix64};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use rug::{Integer, Rational};
use std::str::FromStr;

/// Decimal digits, `len` of them (the first may be 0: leading zeros are valid input).
fn digits(g: &mut SplitMix64, len: usize) -> String {
    (0..len).map(|_| char::from(b'0' + g.below(10) as u8)).collect()
}

/// One random item of a list and its value by num-rational, parsed independently of the crate.
fn item(g: &mut SplitMix64) -> (String, BigRational) {
    let sign = match g.below(4) {
        0 => "-",
        1 => "+",
        _ => "",
    };
    let neg = sign == "-";
    // short (the machine-integer fast path) and long (beyond u64) digit strings
    let len = |g: &mut SplitMix64| {
        if g.below(5) == 0 {
            18 + g.below(10) as usize
        } else {
            1 + g.below(6) as usize
        }
    };
    let (text, v) = match g.below(4) {
        0 => {
            let l = len(g);
            let a = digits(g, l);
            let v = BigRational::from_integer(BigInt::from_str(&a).unwrap());
            (a, v)
        }
        1 => {
            let l = len(g);
            let a = digits(g, l);
            let l = len(g);
            let mut b = digits(g, l);
            if b.bytes().all(|c| c == b'0') {
                b.push('7');
            }
            let v = BigRational::new(BigInt::from_str(&a).unwrap(), BigInt::from_str(&b).unwrap());
            (format!("{a}/{b}"), v)
        }
        2 => {
            let (la, lf) = (1 + g.below(4) as usize, 1 + g.below(4) as usize);
            let (a, f) = (digits(g, la), digits(g, lf));
            let den = BigInt::from(10u32).pow(f.len() as u32);
            let v = BigRational::new(BigInt::from_str(&format!("{a}{f}")).unwrap(), den);
            (format!("{a}.{f}"), v)
        }
        _ => {
            let l = 1 + g.below(3) as usize;
            let a = digits(g, l);
            let e = g.below(7) as u32;
            let v = BigRational::new(BigInt::from_str(&a).unwrap(), BigInt::from(10u32).pow(e));
            (format!("{a}e-{e}"), v)
        }
    };
    let pad = if g.below(8) == 0 { " " } else { "" };
    (format!("{pad}{sign}{text}{pad}"), if neg { -v } else { v })
}

fn random_list(g: &mut SplitMix64, n: usize) -> (String, Vec<BigRational>) {
    let (texts, values): (Vec<String>, Vec<BigRational>) = (0..n).map(|_| item(g)).unzip();
    (texts.join(","), values)
}

#[test]
fn the_parallel_parser_equals_the_sequential_one_and_num_rational() {
    let mut g = SplitMix64(0x15_0001);
    for n in [
        1,
        7,
        MIN_PARALLEL_ITEMS - 1,
        MIN_PARALLEL_ITEMS,
        3 * MIN_PARALLEL_ITEMS + 5,
    ] {
        let (list, want) = random_list(&mut g, n);
        let seq = parse_list(&list).unwrap();
        let par = parallel_parse_list(&list).unwrap();
        assert_eq!(par, seq, "n = {n}");
        assert_eq!(seq.len(), want.len());
        for (i, (q, w)) in seq.iter().zip(&want).enumerate() {
            assert_eq!(rat_to_big(q), *w, "item {i} of n = {n}");
        }
    }
}

#[test]
fn the_parallel_parser_reports_the_first_error_in_item_order() {
    let mut g = SplitMix64(0x15_0002);
    let n = 2 * MIN_PARALLEL_ITEMS + 3;
    let bad = [
        "", " ", "1/0", "x", "1.2.3", "nan", "-inf", "1e", "--1", "1/-2", "0x10",
    ];
    for round in 0..12 {
        let (list, _) = random_list(&mut g, n);
        let mut items: Vec<String> = list.split(',').map(str::to_string).collect();
        // one or two bad items at random places (the second one later or earlier)
        for _ in 0..1 + round % 2 {
            let at = g.below(n as u64) as usize;
            items[at] = bad[g.below(bad.len() as u64) as usize].to_string();
        }
        let list = items.join(",");
        let seq = parse_list(&list).unwrap_err();
        let par = parallel_parse_list(&list).unwrap_err();
        assert_eq!(par, seq, "round {round}");
    }
    assert_eq!(
        parallel_parse_list("  ").unwrap_err(),
        parse_list("  ").unwrap_err()
    );
}

/// `Distribution::new(.., normalize = true)` as num-rational computes it.
fn normalised_by_big(w: &[BigRational]) -> Vec<BigRational> {
    let s: BigRational = w.iter().fold(BigRational::zero(), |a, x| a + x);
    w.iter().map(|x| x / &s).collect()
}

#[test]
fn the_fast_normalisation_equals_the_rational_route() {
    let mut g = SplitMix64(0x15_0003);
    for round in 0..8 {
        let n = if round < 4 {
            MIN_PARALLEL_ITEMS + 11
        } else {
            1 + g.below(50) as usize
        };
        // integer weights (the generator of benches/vocabulary.rs), then rational ones, with zeros
        let w: Vec<BigRational> = (0..n)
            .map(|_| {
                let a = BigInt::from(g.below(1000));
                if round % 2 == 0 {
                    BigRational::from_integer(a)
                } else {
                    BigRational::new(a, BigInt::from(1 + g.below(12)))
                }
            })
            .collect();
        if w.iter().all(Zero::is_zero) {
            continue;
        }
        let wq: Vec<Rational> = w.iter().map(big_to_rat).collect();
        let sum: Rational = wq.iter().sum();
        assert_eq!(exact_sum(&wq), sum, "round {round}");
        assert_eq!(
            divide_all(wq.clone(), &sum),
            wq.iter().map(|q| Rational::from(q / &sum)).collect::<Vec<_>>()
        );
        let d = Distribution::new(wq, true, "--p").unwrap();
        let want = normalised_by_big(&w);
        assert_eq!(
            d.probs().iter().map(rat_to_big).collect::<Vec<_>>(),
            want,
            "round {round}"
        );
        assert_eq!(rat_to_big(&exact_sum(d.probs())), BigRational::one());

        // the model's exact summaries against their naive num-rational definitions
        let r: Vec<BigRational> = (0..n)
            .map(|_| BigRational::new(BigInt::from(g.range_i64(-40, 40)), BigInt::from(1 + g.below(4))))
            .collect();
        let m = Model::new(d, r.iter().map(big_to_rat).collect()).unwrap();
        let mean = want
            .iter()
            .zip(&r)
            .fold(BigRational::zero(), |a, (p, x)| a + p * x);
        assert_eq!(rat_to_big(&m.mean()), mean, "round {round}");
        let sup: Vec<usize> = (0..n).filter(|&i| !want[i].is_zero()).collect();
        let r_max = sup.iter().map(|&i| r[i].clone()).max().unwrap();
        let r_min = sup.iter().map(|&i| r[i].clone()).min().unwrap();
        let mass = |x: &BigRational| {
            sup.iter()
                .filter(|&&i| r[i] == *x)
                .fold(BigRational::zero(), |a, &i| a + &want[i])
        };
        assert_eq!(rat_to_big(&m.r_max()), r_max);
        assert_eq!(rat_to_big(&m.r_min()), r_min);
        assert_eq!(rat_to_big(&m.mass_max()), mass(&r_max));
        assert_eq!(rat_to_big(&m.mass_min()), mass(&r_min));
    }
}

#[test]
fn a_sum_with_many_denominators_is_exact() {
    // more distinct denominators than the by-denominator sum keeps before folding
    let mut g = SplitMix64(0x15_0004);
    let xs: Vec<Rational> = (0..20_000)
        .map(|_| Rational::from((g.range_i64(-1000, 1000), 1 + g.below(1 << 20))))
        .collect();
    let want: Rational = xs.iter().sum();
    assert_eq!(exact_sum(&xs), want);
}

#[test]
fn the_machine_integer_text_is_the_gmp_text() {
    let mut g = SplitMix64(0x15_0005);
    let mut qs = vec![
        Rational::new(),
        Rational::from(i64::MIN),
        Rational::from(i64::MAX),
        Rational::from((i64::MIN, u64::MAX)),
        Rational::from((Integer::from(i64::MAX) + 1, 3)),
        Rational::from((1, Integer::from(u64::MAX) + 2)),
    ];
    for _ in 0..MIN_PARALLEL_ITEMS + 100 {
        let n = Integer::from(g.next_u64() as i64) >> g.below(64) as u32;
        let d = Integer::from(1 + (g.next_u64() >> g.below(64) as u32));
        let q = Rational::from((n, d));
        qs.push(if g.below(3) == 0 {
            q * Integer::from(g.next_u64())
        } else {
            q
        });
    }
    for q in &qs {
        assert_eq!(exact_text(q), q.to_string());
    }
    assert_eq!(
        exact_strings(&qs),
        qs.iter().map(|q| q.to_string()).collect::<Vec<_>>()
    );
}

#[test]
fn the_check_without_texts_decides_as_the_certification() {
    use alignexact::real::format::{certifies, certify_decimal};
    use alignexact::real::Enc;
    use rug::Float;
    let mut g = SplitMix64(0x15_0006);
    let (mut yes, mut no) = (0, 0);
    for i in 0..40_000 {
        let prec = [53u32, 100, 132, 200][i % 4];
        let digits = [1usize, 5, 15, 30, 31][g.below(5) as usize];
        // a centre of random sign and exponent, a width of about 10^-w relative
        let c = Float::with_val(prec, g.next_u64() | 1) >> (g.below(200) as i32 - 100);
        let c = if g.coin() { -c } else { c };
        let ten = Float::with_val(
            prec,
            rug::ops::Pow::pow(Float::with_val(prec, 10), -(g.below(40) as i32)),
        );
        let w = Float::with_val(prec, &c * &ten).abs();
        let (lo, hi) = match g.below(4) {
            0 => (c.clone(), c.clone()),
            1 => (Float::with_val(prec, &c - &w), c.clone()),
            2 => (c.clone(), Float::with_val(prec, &c + &w)),
            _ => (Float::with_val(prec, &c - &w), Float::with_val(prec, &c + &w)),
        };
        let e = Enc::new(lo, hi);
        let want = certify_decimal(&e, digits).is_some();
        assert_eq!(certifies(&e, digits), want, "{e:?} at {digits} digits");
        if want {
            yes += 1
        } else {
            no += 1
        }
    }
    assert!(
        yes > 1000 && no > 1000,
        "both outcomes are exercised: {yes} / {no}"
    );
    for e in [
        Enc::zero(64),
        Enc::pos_infinity(64),
        Enc::new(Float::with_val(64, -1), Float::with_val(64, 1)),
    ] {
        assert_eq!(certifies(&e, 10), certify_decimal(&e, 10).is_some());
    }
}
