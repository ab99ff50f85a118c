//! `examples/consumer.py` (a plain float64 implementation in standard-library Python) passes the
//! reference vectors within their suggested tolerances, and its deliberately wrong variant
//! (best-of-N with N - 1 samples) fails them. Needs `python3` on the PATH.

mod common;

use common::run_cli;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

fn vectors_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("alignexact-consumer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (code, _, err) = run_cli(&["vectors", "--out", dir.to_str().unwrap()]);
        assert_eq!(code, 0, "vectors failed: {err}");
        dir
    })
}

/// Run the consumer on the generated vectors; return (exit code, stdout, stderr).
fn consumer(extra: &[&str]) -> (i32, String, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/consumer.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(vectors_dir())
        .args(extra)
        .output()
        .expect("python3 must be installed to run examples/consumer.py");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn float64_consumer_passes_the_vectors() {
    let (code, out, err) = consumer(&[]);
    assert_eq!(code, 0, "consumer failed:\n{out}\n{err}");
    assert!(err.is_empty(), "stderr: {err}");
    assert!(out.lines().last().unwrap_or("").starts_with("PASS:"), "{out}");
    for fam in ["divergence", "tilt", "bon"] {
        let line = out
            .lines()
            .find(|l| l.starts_with(fam))
            .unwrap_or_else(|| panic!("no {fam} line:\n{out}"));
        assert!(line.ends_with(" 0 failures"), "{line}");
    }
}

#[test]
fn off_by_one_consumer_fails_the_vectors() {
    let (code, out, err) = consumer(&["--bug", "off-by-one"]);
    assert_eq!(code, 1, "the wrong implementation must be caught:\n{out}\n{err}");
    assert!(out.contains("FAIL bon-"), "{out}");
    assert!(out.lines().last().unwrap_or("").starts_with("FAIL:"), "{out}");
}

#[test]
fn consumer_rejects_a_tampered_file() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("alignexact-consumer-tampered-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(vectors_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    let path = dir.join("tilt.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("0.60341350233614637506", "0.60341350233614637507", 1),
    )
    .unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/consumer.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&dir)
        .output()
        .expect("python3");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("SHA-256"));
    let _ = std::fs::remove_dir_all(&dir);
}
