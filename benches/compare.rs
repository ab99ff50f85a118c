//! Wall-time table for the whole `compare` pipeline on Example A (p = 1/2,3/10,1/5; r = 0,1,3;
//! Delta = 3/10) at n = 100, 1000, 3000, 10000 with 30 and 100 digits, measured by running the
//! release binary as a separate process (so it includes start-up, parsing, the level law, the
//! root finding, best-of-N, the precision loop and the JSON output), plus the in-process time of
//! the exact level law alone (SEQ-2). Medians of 3 runs; the peak RSS comes from
//! `/usr/bin/time -f %M` when it exists.
//!
//! Run with `cargo build --release && cargo bench --bench compare`. The binary is
//! `$CARGO_MANIFEST_DIR/target/release/alignexact` unless `ALIGNEXACT_BIN` names another one.
//! Each run is killed after `ALIGNEXACT_BENCH_TIMEOUT` seconds (default 300) and reported as a
//! timeout. Optional arguments restrict the lengths: `cargo bench --bench compare -- 100 1000`.

use alignexact::exact::level_law::{level_law, Route};
use rug::Rational;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The python-flint peer figures quoted in the brief: (n, seconds at 30 digits, at 100 digits).
const PEER: [(u64, &str, &str); 3] = [
    (1000, "0.09", "0.11"),
    (3000, "0.16", "0.19"),
    (10000, "0.76 (228 MB)", "0.82"),
];

/// Outcome of one process run.
#[derive(Clone, Debug)]
enum Run {
    Ok { secs: f64, rss_kb: Option<u64> },
    Failed(String),
}

fn binary() -> PathBuf {
    if let Some(b) = std::env::var_os("ALIGNEXACT_BIN") {
        return PathBuf::from(b);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/alignexact")
}

fn timeout() -> Duration {
    let s = std::env::var("ALIGNEXACT_BENCH_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(300);
    Duration::from_secs(s)
}

/// Run `bin args` once (through `/usr/bin/time -f %M -o FILE` when available), in its own process
/// group so that a timeout kills the whole group.
fn run_once(bin: &PathBuf, args: &[String], time_tool: bool, limit: Duration) -> Run {
    use std::os::unix::process::CommandExt;
    let rss_file = std::env::temp_dir().join(format!("alignexact-bench-rss-{}", std::process::id()));
    let mut cmd = if time_tool {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    let start = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Run::Failed(format!("spawn: {e}")),
    };
    let pgid = child.id();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let secs = start.elapsed().as_secs_f64();
                if !status.success() {
                    let mut err = String::new();
                    if let Some(mut s) = child.stderr.take() {
                        use std::io::Read;
                        let _ = s.read_to_string(&mut err);
                    }
                    let line = err
                        .lines()
                        .find(|l| l.starts_with("error"))
                        .unwrap_or("")
                        .to_string();
                    return Run::Failed(format!("exit {:?} {line}", status.code()));
                }
                let rss_kb = if time_tool {
                    std::fs::read_to_string(&rss_file)
                        .ok()
                        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse::<u64>().ok()))
                } else {
                    None
                };
                let _ = std::fs::remove_file(&rss_file);
                return Run::Ok { secs, rss_kb };
            }
            Ok(None) => {
                if start.elapsed() > limit {
                    // kill the process group we created (the binary and /usr/bin/time), by id
                    let _ = Command::new("kill").arg("-KILL").arg(format!("-{pgid}")).status();
                    let _ = child.wait();
                    return Run::Failed(format!("timeout after {} s", limit.as_secs()));
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) => return Run::Failed(format!("wait: {e}")),
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("finite times"));
    v[v.len() / 2]
}

/// Median time and peak RSS (max over the runs) of 3 runs, or the first failure.
fn measure(
    bin: &PathBuf,
    args: &[String],
    time_tool: bool,
    limit: Duration,
) -> Result<(f64, Option<u64>), String> {
    let mut times = Vec::new();
    let mut rss: Option<u64> = None;
    for _ in 0..3 {
        match run_once(bin, args, time_tool, limit) {
            Run::Ok { secs, rss_kb } => {
                times.push(secs);
                rss = match (rss, rss_kb) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
            Run::Failed(why) => return Err(why),
        }
    }
    Ok((median(times), rss))
}

fn q(a: i64, b: i64) -> Rational {
    Rational::from((a, b))
}

fn main() {
    let wanted: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let ns: Vec<u64> = [100u64, 1000, 3000, 10000]
        .into_iter()
        .filter(|n| wanted.is_empty() || wanted.contains(n))
        .collect();
    let bin = binary();
    if !bin.exists() {
        eprintln!(
            "{} does not exist: run `cargo build --release` first (or set ALIGNEXACT_BIN)",
            bin.display()
        );
        std::process::exit(1);
    }
    let time_tool = std::path::Path::new("/usr/bin/time").exists()
        && Command::new("/usr/bin/time")
            .args(["-f", "%M", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    let limit = timeout();
    let p = [q(1, 2), q(3, 10), q(1, 5)];
    let r = [q(0, 1), q(1, 1), q(3, 1)];

    println!(
        "alignexact compare, Example A (p = 1/2,3/10,1/5; r = 0,1,3; delta = 3/10), N = ceil(e^(n delta))"
    );
    println!("binary: {}", bin.display());
    println!(
        "whole process = `alignexact compare ... --json` as a child process; level law = in-process \
         level_law(.., Route::Auto); medians of 3 runs; RSS = peak resident set size{}",
        if time_tool {
            " (/usr/bin/time -f %M)"
        } else {
            " (unavailable: no /usr/bin/time)"
        }
    );
    println!();
    println!(
        "{:>6} {:>7} {:>12} {:>10} {:>12} {:>10} {:>14}   peer (python-flint) 30 / 100 digits",
        "n", "levels", "30 dig s", "30 dig MB", "100 dig s", "100 dig MB", "level law s"
    );
    for n in ns {
        // in-process: the exact level law alone
        let mut lt = Vec::new();
        let mut levels = 0usize;
        for _ in 0..3 {
            let t = Instant::now();
            let law = level_law(&p, &r, n, Route::Auto);
            lt.push(t.elapsed().as_secs_f64());
            levels = law.len();
            std::hint::black_box(&law);
        }
        let law_s = median(lt);
        let mut cells = Vec::new();
        for digits in [30u32, 100] {
            let args: Vec<String> = [
                "compare",
                "--p",
                "1/2,3/10,1/5",
                "--r",
                "0,1,3",
                "--delta",
                "3/10",
                "--n",
                &n.to_string(),
                "--digits",
                &digits.to_string(),
                "--json",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            match measure(&bin, &args, time_tool, limit) {
                Ok((secs, rss)) => {
                    cells.push(format!("{secs:.3}"));
                    cells.push(
                        rss.map(|k| format!("{:.0}", k as f64 / 1024.0))
                            .unwrap_or_else(|| "-".into()),
                    );
                }
                Err(why) => {
                    cells.push("FAILED".into());
                    cells.push("-".into());
                    eprintln!("n = {n}, {digits} digits: {why}");
                }
            }
        }
        let peer = PEER
            .iter()
            .find(|(m, _, _)| *m == n)
            .map(|(_, a, b)| format!("{a} / {b}"))
            .unwrap_or_else(|| "-".into());
        println!(
            "{:>6} {:>7} {:>12} {:>10} {:>12} {:>10} {:>14.4}   {}",
            n, levels, cells[0], cells[1], cells[2], cells[3], law_s, peer
        );
    }
}
