//! `src/atomic.rs`: files are written under a temporary name and renamed, so a failure leaves
//! the previous files untouched and no temporary file behind (INTERFACE.md, issue 14 item 5).

use alignexact::atomic::{write_file, write_files};
use std::path::PathBuf;

fn dir(tag: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("atomic-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn listing(d: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn write_file_replaces_the_content() {
    let d = dir("one");
    let p = d.join("a.txt");
    write_file(&p, b"first").unwrap();
    write_file(&p, b"second").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"second");
    assert_eq!(listing(&d), ["a.txt"]);
}

#[test]
fn a_failing_set_leaves_every_previous_file_untouched() {
    let d = dir("set");
    let (a, b) = (d.join("a.json"), d.join("b.json"));
    write_files(&[(a.clone(), b"old a".to_vec()), (b.clone(), b"old b".to_vec())]).unwrap();
    // the third target lies in a directory that does not exist: writing it fails after the
    // first two temporary files were written
    let bad = d.join("missing").join("c.json");
    let err = write_files(&[
        (a.clone(), b"new a".to_vec()),
        (b.clone(), b"new b".to_vec()),
        (bad.clone(), b"new c".to_vec()),
    ])
    .unwrap_err();
    assert_eq!(err.0, bad);
    assert_eq!(std::fs::read(&a).unwrap(), b"old a");
    assert_eq!(std::fs::read(&b).unwrap(), b"old b");
    assert_eq!(listing(&d), ["a.json", "b.json"], "no temporary file may remain");
}

#[test]
fn a_directory_in_the_way_is_refused_before_anything_is_renamed() {
    let d = dir("isdir");
    let a = d.join("a.json");
    write_file(&a, b"old a").unwrap();
    std::fs::create_dir(d.join("index.json")).unwrap();
    let err = write_files(&[
        (a.clone(), b"new a".to_vec()),
        (d.join("index.json"), b"i".to_vec()),
    ])
    .unwrap_err();
    assert_eq!(err.0, d.join("index.json"));
    assert_eq!(std::fs::read(&a).unwrap(), b"old a");
    assert_eq!(listing(&d), ["a.json", "index.json"]);
}
