//! Wall-time table for the SEQ-2 level law routes. Run with
//! `cargo bench --bench level_law` (release, harness = false).
use alignexact::exact::level_law::{
    estimate, level_law_polynomial, level_law_polynomial_kronecker, level_law_types, LevelLaw,
};
use rug::Rational;
use std::time::{Duration, Instant};

fn q(a: i64, b: i64) -> Rational {
    Rational::from((a, b))
}

fn time<F: FnOnce() -> LevelLaw>(f: F) -> (LevelLaw, Duration) {
    let t = Instant::now();
    let law = f();
    (law, t.elapsed())
}

fn secs(d: Duration) -> String {
    format!("{:.4}", d.as_secs_f64())
}

fn main() {
    // `level_law-<hash> N [kronecker]`: only the polynomial route (recurrence, or Kronecker
    // substitution) at n = N, e.g. under `/usr/bin/time -v` for the peak memory.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(n) = args.iter().find_map(|a| a.parse::<u64>().ok()) {
        let p = [q(1, 2), q(3, 10), q(1, 5)];
        let r = [q(0, 1), q(1, 1), q(3, 1)];
        let kronecker = args.iter().any(|a| a == "kronecker");
        let (law, t) = if kronecker {
            time(|| level_law_polynomial_kronecker(&p, &r, n))
        } else {
            time(|| level_law_polynomial(&p, &r, n))
        };
        let kind = if kronecker { "Kronecker" } else { "recurrence" };
        println!(
            "polynomial route ({kind}), n = {n}: {} levels in {} s",
            law.len(),
            secs(t)
        );
        return;
    }
    println!("SEQ-2 level law, p = (1/2, 3/10, 1/5), r = (0, 1, 3)");
    println!(
        "{:>6} {:>7} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}",
        "n", "levels", "poly_s", "est_poly_s", "kronecker_s", "types_s", "est_types_s", "MB_weights"
    );
    let p = [q(1, 2), q(3, 10), q(1, 5)];
    let r = [q(0, 1), q(1, 1), q(3, 1)];
    for n in [100u64, 1000, 3000, 10000] {
        let (ep, et) = estimate(&p, &r, n);
        let (law, tp) = time(|| level_law_polynomial(&p, &r, n));
        let (kron, tk) = time(|| level_law_polynomial_kronecker(&p, &r, n));
        assert!(kron == law, "routes disagree at n = {n}");
        drop(kron);
        // The types route has C(n+2, 2) compositions: only where that is sensible.
        let types = if n <= 1000 {
            let (t, tt) = time(|| level_law_types(&p, &r, n));
            assert!(t == law, "routes disagree at n = {n}");
            secs(tt)
        } else {
            "-".to_string()
        };
        let bytes: usize = law
            .weights
            .iter()
            .map(|w| w.significant_bits() as usize / 8)
            .sum();
        println!(
            "{:>6} {:>7} {:>12} {:>12.4} {:>12} {:>12} {:>12.4} {:>12.1}",
            n,
            law.len(),
            secs(tp),
            ep.seconds,
            secs(tk),
            types,
            et.seconds,
            bytes as f64 / 1e6
        );
    }

    println!();
    println!("Sparse lattice, p = (1/2, 3/10, 1/5), r = (0, 1/1001, 1000/1001)");
    println!(
        "{:>6} {:>7} {:>12} {:>12} {:>12} {:>12}",
        "n", "levels", "types_s", "est_types_s", "poly_s", "est_poly_s"
    );
    let r = [q(0, 1), q(1, 1001), q(1000, 1001)];
    for n in [50u64, 200, 1000] {
        let (ep, et) = estimate(&p, &r, n);
        let (law, tt) = time(|| level_law_types(&p, &r, n));
        let poly = if n <= 200 {
            let (pl, tp) = time(|| level_law_polynomial(&p, &r, n));
            assert!(pl == law, "routes disagree at n = {n}");
            secs(tp)
        } else {
            "-".to_string()
        };
        println!(
            "{:>6} {:>7} {:>12} {:>12.4} {:>12} {:>12.4}",
            n,
            law.len(),
            secs(tt),
            et.seconds,
            poly,
            ep.seconds
        );
    }
}
