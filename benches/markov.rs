//! Markov reference models (MATH.md §10): wall time of
//! - the exact Markov level law by packed binary powering (MKV-1) and, for comparison, the forward
//!   recursion, on the sticky chain `9/10,1/10;1/5,4/5` with rewards `0,1`;
//! - the whole `compare` pipeline for that chain (`--delta 1/10`, 30 digits) at n = 10^3 and 10^4
//!   on both routes (`--method exact`, `--method window`), as a separate process of the release
//!   binary (start-up, level law or windows, l_n, l_Delta, best-of-N, the precision loop, JSON),
//!   with CPU time and peak RSS from `/usr/bin/time -f "%U %S %M"` when it exists;
//! - the crossover of `--method auto` for chains (both routes at 30 and 100 digits);
//! - the largest n the chain window route finishes within 10 s of wall time (powers of 10,
//!   then 2x steps);
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

/// One whole-process run: (wall seconds, CPU seconds user + system if known, peak RSS in kB if
/// known).
fn process(args: &[&str]) -> (f64, Option<f64>, Option<u64>) {
    let rss = std::env::temp_dir().join(format!("alignexact-markov-rss-{}", std::process::id()));
    let tool = std::path::Path::new("/usr/bin/time").exists();
    let mut cmd = if tool {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%U %S %M").arg("-o").arg(&rss).arg(binary());
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
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !args.contains(&"window") || stdout.contains("\"method\": \"window\""),
        "{args:?}: the window route fell back"
    );
    let line = std::fs::read_to_string(&rss).ok();
    let f: Vec<&str> = line
        .as_deref()
        .and_then(|s| s.trim().lines().last())
        .map(|l| l.split_whitespace().collect())
        .unwrap_or_default();
    let cpu = (f.len() == 3)
        .then(|| Some(f[0].parse::<f64>().ok()? + f[1].parse::<f64>().ok()?))
        .flatten();
    let kb = f.get(2).and_then(|x| x.parse().ok());
    (secs, cpu, kb)
}

fn compare_args<'a>(n: &'a str, digits: &'a str, method: &'a str) -> [&'a str; 14] {
    [
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
        digits,
        "--method",
        method,
        "--json",
    ]
}

/// A row: median wall of `runs` runs, the CPU and peak memory of the slowest.
fn compare_row(n: u64, digits: &str, method: &str, runs: usize) -> (f64, String) {
    let ns = n.to_string();
    let args = compare_args(&ns, digits, method);
    let rs: Vec<(f64, Option<f64>, Option<u64>)> = (0..runs).map(|_| process(&args)).collect();
    let wall = median(rs.iter().map(|r| r.0).collect());
    let cpu = rs.iter().filter_map(|r| r.1).fold(0.0f64, f64::max);
    let mb = rs
        .iter()
        .filter_map(|r| r.2)
        .max()
        .map(|k| k as f64 / 1024.0)
        .unwrap_or(f64::NAN);
    (
        wall,
        format!("{n:>9}  {digits:>6}  {method:>7}  {wall:>9.3}  {cpu:>9.3}  {mb:>9.0}"),
    )
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
    println!(
        "\ncompare --transition 9/10,1/10;1/5,4/5 --r 0,1 --delta 1/10 (whole process: median wall of 3, CPU and peak of the slowest)"
    );
    println!(
        "{:>9}  {:>6}  {:>7}  {:>9}  {:>9}  {:>9}",
        "n", "digits", "method", "wall s", "CPU s", "peak MB"
    );
    for n in [1000u64, 10_000] {
        for method in ["exact", "window"] {
            println!("{}", compare_row(n, "30", method, 3).1);
        }
    }
    // the crossover of `auto` (chain window rows): both routes around it, 30 and 100 digits
    println!("\ncrossover (chain window): both routes, median wall of 3");
    for (digits, ns) in [
        ("30", vec![300u64, 600, 1000, 2000]),
        ("100", vec![1000u64, 3000, 6000]),
    ] {
        for n in ns {
            for method in ["exact", "window"] {
                let ns = n.to_string();
                let args = compare_args(&ns, digits, method);
                // below the window's reach the route falls back (a note); only time what serves
                let o = Command::new(binary()).args(args).output().expect("run");
                let served =
                    String::from_utf8_lossy(&o.stdout).contains(&format!("\"method\": \"{method}\""));
                if served {
                    println!("{}", compare_row(n, digits, method, 3).1);
                } else {
                    println!("{n:>9}  {digits:>6}  {method:>7}  (falls back to the exact route)");
                }
            }
        }
    }
    // the largest n the window route finishes in 10 s of wall time (powers of 10, then 2x steps)
    println!("\nlargest n of the window route within 10 s wall (30 digits, one run each)");
    let mut n = 100_000u64;
    let mut last_ok = None;
    let mut step10 = true;
    loop {
        let (wall, row) = compare_row(n, "30", "window", 1);
        println!("{row}");
        if wall > 10.0 {
            if step10 {
                // back to the last power of 10 that fit, then 2x steps
                if let Some(ok) = last_ok {
                    step10 = false;
                    n = 2 * ok;
                    continue;
                }
            }
            break;
        }
        last_ok = Some(n);
        n = if step10 { 10 * n } else { 2 * n };
        if n > 1 << 31 {
            break;
        }
    }
    println!(
        "largest n within 10 s: {}",
        last_ok.map_or("none".into(), |n| n.to_string())
    );
    println!("\nMKV-3 Perron root with psi, psi', psi'' certified (Krawczyk), sticky chain at l = 1");
    let ct = ChainTilt::new(&m);
    for digits in [30u32, 1000, 10000] {
        let prec = (f64::from(digits) * std::f64::consts::LOG2_10).ceil() as u32 + 32;
        let l = Enc::from_rational(&Rational::from(1), prec);
        let s = time(3, || perron_eval(&ct, &l, 2, prec).expect("certified"));
        println!("{digits:>7} digits  {s:>10.4} s");
    }
}
