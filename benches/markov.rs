//! Markov reference models (MATH.md §10): wall time of
//! - the exact Markov level law by packed binary powering (MKV-1) and, for comparison, the forward
//!   recursion, on the sticky chain `9/10,1/10;1/5,4/5` with rewards `0,1`;
//! - the whole `compare` pipeline for that chain (`--delta 1/10`, 30 digits) at n = 10^3 and 10^4,
//!   as a separate process of the release binary (start-up, level law, l_n, l_Delta, best-of-N,
//!   the precision loop, JSON), with the peak RSS from `/usr/bin/time -f %M` when it exists;
//! - the Perron-root certification (Krawczyk, MKV-3) with psi, psi', psi'' at 1000 digits.
//!
//! Run with `cargo build --release && cargo bench --bench markov`.

use alignexact::exact::markov::{level_law_markov, level_law_markov_forward, Chain, MarkovModel};
use alignexact::math::markov::{perron_eval, ChainTilt};
use alignexact::real::Enc;
use rug::Rational;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

fn sticky() -> MarkovModel {
    MarkovModel::new(
        Chain::parse("9/10,1/10;1/5,4/5", None, false).expect("chain"),
        vec![Rational::new(), Rational::from(1)],
    )
    .expect("model")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn binary() -> PathBuf {
    std::env::var_os("ALIGNEXACT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/alignexact"))
}

/// One whole-process run: (seconds, peak RSS in kB if known).
fn process(args: &[&str]) -> (f64, Option<u64>) {
    let rss = std::env::temp_dir().join(format!("alignexact-markov-rss-{}", std::process::id()));
    let tool = std::path::Path::new("/usr/bin/time").exists();
    let mut cmd = if tool {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss).arg(binary());
        c
    } else {
        Command::new(binary())
    };
    let t = Instant::now();
    let out = cmd.args(args).output().expect("run the binary");
    let secs = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kb = std::fs::read_to_string(&rss)
        .ok()
        .and_then(|s| s.trim().lines().last()?.parse().ok());
    (secs, kb)
}

fn main() {
    let m = sticky();
    println!("MKV-1 exact level law, sticky chain (in process, median of 3)");
    println!("{:>7}  {:>12}  {:>12}", "n", "powering s", "forward s");
    for n in [100u64, 1000, 3000, 10000] {
        let p = time(3, || level_law_markov(&m, n).expect("law"));
        let f = if n <= 3000 {
            format!("{:.4}", time(1, || level_law_markov_forward(&m, n).expect("law")))
        } else {
            "-".into()
        };
        println!("{n:>7}  {p:>12.4}  {f:>12}");
    }
    println!("\ncompare --transition 9/10,1/10;1/5,4/5 --r 0,1 --delta 1/10 --digits 30 (whole process, median of 3)");
    println!("{:>7}  {:>10}  {:>10}", "n", "seconds", "peak MB");
    for n in ["1000", "10000"] {
        let args = [
            "compare",
            "--transition",
            "9/10,1/10;1/5,4/5",
            "--r",
            "0,1",
            "--delta",
            "1/10",
            "--n",
            n,
            "--digits",
            "30",
            "--json",
        ];
        let runs: Vec<(f64, Option<u64>)> = (0..3).map(|_| process(&args)).collect();
        let secs = median(runs.iter().map(|r| r.0).collect());
        let mb = runs
            .iter()
            .filter_map(|r| r.1)
            .max()
            .map(|k| format!("{:.0}", k as f64 / 1024.0));
        println!("{n:>7}  {secs:>10.3}  {:>10}", mb.unwrap_or_else(|| "-".into()));
    }
    println!("\nMKV-3 Perron root with psi, psi', psi'' certified (Krawczyk), sticky chain at l = 1");
    let ct = ChainTilt::new(&m);
    for digits in [30u32, 1000, 10000] {
        let prec = (f64::from(digits) * std::f64::consts::LOG2_10).ceil() as u32 + 32;
        let l = Enc::from_rational(&Rational::from(1), prec);
        let s = time(3, || perron_eval(&ct, &l, 2, prec).expect("certified"));
        println!("{digits:>7} digits  {s:>10.4} s");
    }
}
