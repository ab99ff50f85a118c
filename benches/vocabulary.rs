//! Issue 15, "vocabulary-size alphabets": whole-process time and peak memory of the single-token
//! commands (`tilt`, `rate`, `cumulants`, `divergence`, `bon --n 1`) on models of 10^6 tokens
//! read from `--spec` files, and of `tilt --digits 100000` on Example A (issue 10 item 6).
//!
//! Models (written to a temporary directory, deterministic): integer weights 1..1000 normalised
//! with `normalize`, and rewards either from 1000 levels `j/d` (`d` in 1..4, many ties: "tied") or
//! all distinct (`i/k` for distinct `i`: "distinct"); `divergence` pairs the weights with a second
//! random weight vector.
//!
//! Each row runs the release binary under `/usr/bin/time -v` and prints wall clock, user + system
//! CPU and peak resident memory. With `ALIGNEXACT_BEFORE=/path/to/old/alignexact` every row also
//! runs that binary, checks that both print the same bytes (or, when only the `lo`/`hi` lines of
//! enclosures differ, the same certified values), and prints the CPU ratio old / new. The 100000-digit row also times five MPFR exponentials at 332,200 bits in this
//! process (the peer of issue 10 item 6).
//!
//! Run: `cargo build --release && cargo bench --bench vocabulary` (optional arguments select rows
//! by label substring). The binary is `$CARGO_MANIFEST_DIR/target/release/alignexact` unless
//! `ALIGNEXACT_BIN` names another one.

use rug::Float;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// A deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn json_list(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", v.join(","))
}

/// Write the spec files of a `k`-token vocabulary into `dir`.
fn write_specs(dir: &Path, k: usize) {
    let mut rng = Rng(0x0007_0CAB);
    let w: Vec<u64> = (0..k).map(|_| 1 + rng.below(1000)).collect();
    let q: Vec<u64> = (0..k).map(|_| 1 + rng.below(1000)).collect();
    let tied: Vec<String> = (0..k)
        .map(|_| format!("{}/{}", rng.below(1000) as i64 - 500, 1 + rng.below(4)))
        .collect();
    // distinct rewards: a random permutation of 0..k scaled by 1/k
    let mut perm: Vec<usize> = (0..k).collect();
    for i in (1..k).rev() {
        perm.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let distinct: Vec<String> = perm.iter().map(|&i| format!("{i}/{k}")).collect();
    let p = json_list(w.iter().map(|x| x.to_string()));
    let write = |name: &str, text: String| std::fs::write(dir.join(name), text).expect("write spec");
    write(
        "tied.json",
        format!(
            "{{\"p\": {p}, \"r\": {}, \"normalize\": true}}",
            json_list(tied.into_iter())
        ),
    );
    write(
        "distinct.json",
        format!(
            "{{\"p\": {p}, \"r\": {}, \"normalize\": true}}",
            json_list(distinct.into_iter())
        ),
    );
    write(
        "div.json",
        format!(
            "{{\"p\": {p}, \"q\": {}, \"normalize\": true}}",
            json_list(q.iter().map(|x| x.to_string()))
        ),
    );
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

/// One run: (wall s, user + system s, peak MB, stdout, exit code).
fn run(bin: &Path, args: &[String]) -> (f64, f64, f64, Vec<u8>, Option<i32>) {
    let t0 = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(bin)
        .args(args)
        .output()
        .expect("run /usr/bin/time");
    let wall = t0.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let num = |k: &str| field(&stderr, k).and_then(|s| s.parse::<f64>().ok());
    let cpu = num("User time (seconds)").unwrap_or(f64::NAN) + num("System time (seconds)").unwrap_or(0.0);
    let mb = num("Maximum resident set size (kbytes)").unwrap_or(f64::NAN) / 1024.0;
    (wall, cpu, mb, out.stdout, out.status.code())
}

/// The output without the `"lo"` / `"hi"` lines of the JSON enclosures: every other line (the
/// certified `value` digits, exact values, words) must be the same for the old and new binaries.
fn without_bounds(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("\"lo\":") || t.starts_with("\"hi\":"))
        })
        .map(|l| l.trim_end_matches(',').to_string())
        .collect()
}

/// Five exponentials at `bits` bits (the peer of `tilt --digits 100000`), in seconds.
fn five_exps(bits: u32) -> f64 {
    let t0 = Instant::now();
    let mut acc = Float::with_val(bits, 0);
    for i in 1..=5u32 {
        // arguments of the size of Example A's tilt exponents, with every bit set
        let x = Float::with_val(bits, Float::with_val(bits, i) / 7u32) + Float::with_val(bits, 1) / 3u32;
        acc += x.exp();
    }
    assert!(acc.is_finite());
    t0.elapsed().as_secs_f64()
}

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let k: usize = std::env::var("ALIGNEXACT_BENCH_TOKENS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("alignexact-vocab-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    write_specs(&dir, k);
    let spec = |f: &str| dir.join(f).to_string_lossy().into_owned();
    let s = |v: &[&str]| -> Vec<String> { v.iter().map(|x| x.to_string()).collect() };
    let rows: Vec<(String, Vec<String>)> = vec![
        (
            "tilt tied".into(),
            s(&["tilt", "--spec", &spec("tied.json"), "--delta", "1/10", "--json"]),
        ),
        (
            "tilt tied table".into(),
            s(&["tilt", "--spec", &spec("tied.json"), "--delta", "1/10"]),
        ),
        (
            "tilt distinct".into(),
            s(&[
                "tilt",
                "--spec",
                &spec("distinct.json"),
                "--delta",
                "1/10",
                "--json",
            ]),
        ),
        (
            "rate distinct".into(),
            s(&[
                "rate",
                "--spec",
                &spec("distinct.json"),
                "--x",
                "3/4",
                "--delta",
                "1/10",
                "--json",
            ]),
        ),
        (
            "cumulants distinct".into(),
            s(&[
                "cumulants",
                "--spec",
                &spec("distinct.json"),
                "--delta",
                "1/10",
                "--json",
            ]),
        ),
        (
            "rate tied".into(),
            s(&[
                "rate",
                "--spec",
                &spec("tied.json"),
                "--x",
                "1",
                "--delta",
                "1/10",
                "--json",
            ]),
        ),
        (
            "cumulants tied".into(),
            s(&[
                "cumulants",
                "--spec",
                &spec("tied.json"),
                "--delta",
                "1/10",
                "--json",
            ]),
        ),
        (
            "divergence".into(),
            s(&["divergence", "--spec", &spec("div.json"), "--json"]),
        ),
        (
            "bon n=1 tied".into(),
            s(&[
                "bon",
                "--spec",
                &spec("tied.json"),
                "--n",
                "1",
                "--N",
                "4",
                "--json",
            ]),
        ),
        (
            "bon n=1 distinct".into(),
            s(&[
                "bon",
                "--spec",
                &spec("distinct.json"),
                "--n",
                "1",
                "--N",
                "4",
                "--json",
            ]),
        ),
        (
            "tilt A 100000 digits".into(),
            s(&[
                "tilt",
                "--p",
                "1/2,3/10,1/5",
                "--r",
                "0,1,3",
                "--delta",
                "3/10",
                "--digits",
                "100000",
                "--json",
            ]),
        ),
    ];
    let before = std::env::var_os("ALIGNEXACT_BEFORE").map(PathBuf::from);
    println!("tokens: {k}");
    println!(
        "{:<22} {:>8} {:>8} {:>9} {:>9} {:>9} {:>10}  note",
        "row", "wall s", "cpu s", "peak MB", "bef wall", "bef cpu", "cpu ratio"
    );
    for (label, args) in rows {
        if !filters.is_empty() && !filters.iter().any(|f| label.contains(f.as_str())) {
            continue;
        }
        let (wall, cpu, mb, out, code) = run(&binary(), &args);
        let mut note = match code {
            Some(0) => String::new(),
            c => format!("exit {c:?}"),
        };
        let (bwall, bcpu, ratio) = match &before {
            Some(b) => {
                let (bw, bc, _, bout, _) = run(b, &args);
                if bout == out {
                    note.push_str(" same bytes as the old binary");
                } else if without_bounds(&bout) == without_bounds(&out) {
                    // enclosure endpoints may differ (both rigorous); the certified digits may not
                    note.push_str(" same values as the old binary (lo/hi differ)");
                } else {
                    note.push_str(" OUTPUT DIFFERS from the old binary");
                }
                (
                    format!("{bw:.2}"),
                    format!("{bc:.2}"),
                    format!("{:.2}x", bc / cpu),
                )
            }
            None => ("-".into(), "-".into(), "-".into()),
        };
        if label.contains("100000") {
            let peer = five_exps(332_200);
            note.push_str(&format!(" five MPFR exps at 332200 bits: {peer:.3} s"));
        }
        println!("{label:<22} {wall:>8.2} {cpu:>8.2} {mb:>9.1} {bwall:>9} {bcpu:>9} {ratio:>10} {note}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
