//! `vectors --out DIR` writes atomically and checks `--out` first (issue 14 item 5): a failure
//! leaves the previous suite byte for byte, and a bad `--out` is refused before any work.

mod common;

use common::run_cli;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn temp_dir(tag: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("alignexact-vatomic-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_failed_run_leaves_the_previous_suite_untouched() {
    let dir = temp_dir("fail");
    let d = dir.to_str().unwrap();
    let (code, _, err) = run_cli(&["vectors", "--out", d, "--digits", "20"]);
    assert_eq!(code, 0, "{err}");
    let before = snapshot(&dir);
    // one file per family, and index.json
    assert_eq!(before.len(), alignexact::vectors::FAMILIES.len() + 1);
    // a 16-bit precision cap cannot certify 50 digits: the run fails part-way
    let (code, _, err) = run_cli(&["vectors", "--out", d, "--digits", "50", "--max-bits", "16"]);
    assert_eq!(code, 3, "{err}");
    assert_eq!(snapshot(&dir), before, "the failed run changed the files");
}

#[test]
fn out_is_checked_before_any_work() {
    let dir = temp_dir("check");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let index_dir = dir.join("suite");
    std::fs::create_dir_all(index_dir.join("index.json")).unwrap();
    for out in [file.to_str().unwrap(), index_dir.to_str().unwrap()] {
        let start = Instant::now();
        let (code, stdout, err) = run_cli(&["vectors", "--out", out]);
        assert_eq!(code, 2, "{err}");
        assert!(stdout.is_empty());
        assert!(err.starts_with("error: --out"), "{err}");
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "--out checked after computing"
        );
    }
}
