//! The table of issue 10: whole-process time and peak memory of `compare` by the window route
//! (MATH.md §9) on Example A at n = 10^4, 10^5, 10^6, 10^9 with 30 digits and at 100 digits, the
//! wide-lattice and 6-token models at n = 10^6, and the exact/window crossover that `--method auto`
//! uses (Example A, the 6-token and the wide-lattice models at 30 and 100 digits).
//!
//! Each row runs the release binary under `/usr/bin/time -v` (wall clock, user CPU, maximum
//! resident set size). Run with `cargo build --release && cargo bench --bench window`; optional
//! arguments select rows by label substring (`cargo bench --bench window -- 1e6`). The binary is
//! `$CARGO_MANIFEST_DIR/target/release/alignexact` unless `ALIGNEXACT_BIN` names another one; each
//! run is killed after `ALIGNEXACT_BENCH_TIMEOUT` seconds (default 600).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Row {
    label: &'static str,
    p: &'static str,
    r: &'static str,
    delta: &'static str,
    n: &'static str,
    digits: &'static str,
    method: &'static str,
}

const A_P: &str = "1/2,3/10,1/5";
const A_R: &str = "0,1,3";

fn rows() -> Vec<Row> {
    let a = |label, n, digits, method| Row {
        label,
        p: A_P,
        r: A_R,
        delta: "3/10",
        n,
        digits,
        method,
    };
    let six = |label, n, digits, method| Row {
        label,
        p: "1/6,1/6,1/6,1/6,1/6,1/6",
        r: "0,1,2,3,4,5",
        delta: "1/2",
        n,
        digits,
        method,
    };
    let wide = |label, n, digits, method| Row {
        label,
        p: "1/4,1/4,1/4,1/4",
        r: "0,1/7,1/2,1",
        delta: "1/4",
        n,
        digits,
        method,
    };
    vec![
        a("A 1e4 30d", "10000", "30", "window"),
        a("A 1e5 30d", "100000", "30", "window"),
        a("A 1e6 30d", "1000000", "30", "window"),
        a("A 1e9 30d", "1000000000", "30", "window"),
        a("A 1e4 100d", "10000", "100", "window"),
        a("A 1e5 100d", "100000", "100", "window"),
        a("A 1e6 100d", "1000000", "100", "window"),
        Row {
            label: "wide lattice 1e6 30d",
            p: "1/4,1/4,1/4,1/4",
            r: "0,1/7,1/2,1",
            delta: "1/4",
            n: "1000000",
            digits: "30",
            method: "window",
        },
        Row {
            label: "6 tokens 1e6 30d",
            p: "1/6,1/6,1/6,1/6,1/6,1/6",
            r: "0,1,2,3,4,5",
            delta: "1/2",
            n: "1000000",
            digits: "30",
            method: "window",
        },
        a("crossover exact 500", "500", "30", "exact"),
        a("crossover window 500", "500", "30", "window"),
        a("crossover exact 1000", "1000", "30", "exact"),
        a("crossover window 1000", "1000", "30", "window"),
        a("crossover exact 2000", "2000", "30", "exact"),
        a("crossover window 2000", "2000", "30", "window"),
        a("crossover exact 4000", "4000", "30", "exact"),
        a("crossover window 4000", "4000", "30", "window"),
        a("crossover exact 2000 100d", "2000", "100", "exact"),
        a("crossover window 2000 100d", "2000", "100", "window"),
        a("crossover exact 8000 100d", "8000", "100", "exact"),
        a("crossover window 8000 100d", "8000", "100", "window"),
        six("crossover 6tok exact 2000", "2000", "30", "exact"),
        six("crossover 6tok window 2000", "2000", "30", "window"),
        six("crossover 6tok exact 8000 100d", "8000", "100", "exact"),
        six("crossover 6tok window 8000 100d", "8000", "100", "window"),
        six("crossover 6tok exact 16000 100d", "16000", "100", "exact"),
        six("crossover 6tok window 16000 100d", "16000", "100", "window"),
        wide("crossover wide exact 2000", "2000", "30", "exact"),
        wide("crossover wide window 2000", "2000", "30", "window"),
        wide("crossover wide exact 4000 100d", "4000", "100", "exact"),
        wide("crossover wide window 4000 100d", "4000", "100", "window"),
    ]
}

fn binary() -> PathBuf {
    std::env::var_os("ALIGNEXACT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/alignexact"))
}

fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        l.trim()
            .strip_prefix(key)
            .map(|v| v.trim_start_matches(':').trim())
    })
}

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let timeout: u64 = std::env::var("ALIGNEXACT_BENCH_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    println!(
        "{:<34} {:>11} {:>6} {:>9} {:>9} {:>9} {:>8}  note",
        "row", "n", "digits", "wall s", "cpu s", "peak MB", "method"
    );
    for row in rows() {
        if !filters.is_empty() && !filters.iter().any(|f| row.label.contains(f.as_str())) {
            continue;
        }
        let t0 = Instant::now();
        // `timeout` kills the binary itself (killing `/usr/bin/time` would leave it running)
        let mut child = match Command::new("/usr/bin/time")
            .arg("-v")
            .arg("timeout")
            .arg(timeout.to_string())
            .arg(binary())
            .args([
                "compare", "--p", row.p, "--r", row.r, "--delta", row.delta, "--n", row.n, "--digits",
                row.digits, "--method", row.method, "--json",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                println!("{:<34} could not start /usr/bin/time: {e}", row.label);
                continue;
            }
        };
        // drain both pipes while the child runs: `compare` at n = 10^6 prints N with 130 000
        // digits, more than a pipe holds, and would block on its write until the timeout
        let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut buf);
                }
                buf
            })
        };
        let out_reader = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        );
        let err_reader = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        );
        let mut killed = false;
        loop {
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            if t0.elapsed() > Duration::from_secs(timeout + 30) {
                let _ = child.kill();
                killed = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let status = child.wait().expect("wait");
        let out_bytes = out_reader.join().unwrap_or_default();
        let err_bytes = err_reader.join().unwrap_or_default();
        let stdout = String::from_utf8_lossy(&out_bytes);
        let stderr = String::from_utf8_lossy(&err_bytes);
        if killed || status.code() == Some(124) {
            println!("{:<34} timeout after {timeout} s", row.label);
            continue;
        }
        let wall = t0.elapsed().as_secs_f64();
        let user: f64 = field(&stderr, "User time (seconds)")
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN);
        let sys: f64 = field(&stderr, "System time (seconds)")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0.0);
        let rss_mb = field(&stderr, "Maximum resident set size (kbytes)")
            .and_then(|s| s.parse::<f64>().ok())
            .map(|k| k / 1024.0)
            .unwrap_or(f64::NAN);
        let method = stdout
            .split("\"method\": \"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("-");
        let note = if status.success() {
            if stdout.contains("\"notes\"") {
                "fell back to the exact route"
            } else {
                ""
            }
        } else {
            stderr
                .lines()
                .find(|l| l.starts_with("error"))
                .unwrap_or("failed")
        };
        println!(
            "{:<34} {:>11} {:>6} {:>9.2} {:>9.2} {:>9.1} {:>8}  {note}",
            row.label,
            row.n,
            row.digits,
            wall,
            user + sys,
            rss_mb,
            method
        );
    }
}
